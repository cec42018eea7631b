"""What the notebook 12_labeling cannot test in its own cells: a labeling session killed between two judgments (a
separate process, SIGKILL), and one killed anywhere (maybe mid-line), then reopened."""
import json, os, signal, subprocess, sys, textwrap
from pathlib import Path
import pytest

from huvidpo_nb.data import read_category, validate_dataset, write_toy_dataset, PreferencePairDataset
from huvidpo_nb.label import LabelingWidget

CAT = "ball_rolls_right"

# A labeling session in its own process. With `step`, it waits for a line on stdin before each judgment (so the parent
# can kill it *between* two judgments); without, it judges as fast as it can (so the kill lands anywhere). After each
# judgment it prints the line it wrote: the widget has returned, so that line is on disk.
CHILD = textwrap.dedent("""
    import json, sys
    from huvidpo_nb.label import LabelingWidget
    root, step = sys.argv[1], sys.argv[2] == "step"
    w = LabelingWidget(root, "%s", seed=0, annotator="child")
    clicks = [w.left, w.right, w.tie, w.skip, w.left, w.undo]
    n = 0
    while not w.done:
        if step and not sys.stdin.readline(): break
        rec = clicks[n %% len(clicks)]()
        n += 1
        print(json.dumps(rec), flush=True)
""" % CAT)

def _start(root, mode):
    return subprocess.Popen([sys.executable, "-c", CHILD, str(root), mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))

def _live_ids(root):
    d = read_category(Path(root) / CAT)
    return d, {e["id"] for e in d.entries if e.get("id")}

@pytest.fixture
def root(tmp_path):
    return write_toy_dataset(tmp_path / "ds", categories=[CAT], videos_per_category=6, scores=False)   # 15 pairs

def test_kill_between_judgments_loses_nothing(root):
    p = _start(root, "step")
    written = []
    try:
        for _ in range(7):
            p.stdin.write("go\n"); p.stdin.flush()
            written.append(json.loads(p.stdout.readline()))
        p.send_signal(signal.SIGKILL)                    # the child now waits for the next "go": between two judgments
        p.wait(timeout=30)
    finally:
        if p.poll() is None: p.kill()
    assert p.returncode == -signal.SIGKILL
    d, ids = _live_ids(root)
    assert d.problems == [], [str(x) for x in d.problems]
    assert all(r["id"] in ids for r in written)          # every judgment made before the kill is on disk
    lines = [json.loads(l) for l in (root / CAT / "pairs.jsonl").read_text().splitlines()]
    assert len(lines) == 7 and lines[5]["retract"] == written[4]["id"]   # click 6 was undo: it retracted click 5
    assert lines[:5] + lines[6:] == written[:5] + written[6:]            # the judgments, exactly, in order
    # 7 clicks: left, right, tie, skip, left, undo (retracts that left), right -> 5 judged
    w = LabelingWidget(root, CAT, seed=0)                # reopening resumes where the session stopped
    assert w.progress == (5, 15)
    judged = {frozenset(x) for x in d.pairs} | d.ties | d.skips
    assert len(judged) == 5 and frozenset(w.current) not in judged
    while not w.done: w.left()
    assert validate_dataset(root) == []
    assert len(PreferencePairDataset(root)) == 15 - 1 - 1   # the tie and the skip never become training pairs

def test_kill_anywhere_keeps_every_acknowledged_judgment(tmp_path):
    root = write_toy_dataset(tmp_path / "ds", categories=[CAT], videos_per_category=16, scores=False)   # 120 pairs
    p = _start(root, "free")
    written = []
    try:
        for _ in range(4): written.append(json.loads(p.stdout.readline()))
        p.send_signal(signal.SIGKILL)                    # lands wherever the child is, maybe in the middle of a line
        p.wait(timeout=30)
    finally:
        if p.poll() is None: p.kill()
    assert p.returncode == -signal.SIGKILL               # killed in the middle of the session, not after it
    d, ids = _live_ids(root)
    assert all(r["id"] in ids for r in written)
    n_lines = len((root / CAT / "pairs.jsonl").read_bytes().rstrip(b"\n").split(b"\n"))
    assert all(x.line == n_lines and "malformed JSON" in x.message for x in d.problems)   # at most a torn last line
    w = LabelingWidget(root, CAT, seed=0)
    before = w.progress[0]
    rec = w.left()                                       # a new judgment after a torn line starts on a line of its own
    d2, ids2 = _live_ids(root)
    assert rec["id"] in ids2 and w.progress[0] == before + 1
    assert d2.problems == [], [str(x) for x in d2.problems]  # reopening repaired a torn last line
    torn = root / CAT / "pairs.jsonl.torn"
    assert (torn.exists() and w.repaired) if d.problems else not torn.exists()

