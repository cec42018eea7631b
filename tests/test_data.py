"""What the notebook 07_preferences cannot test in its own cells: the `huvidpo validate` command as a user runs it.
(The labeling session killed between two judgments is tested in tests/test_label.py.)"""
import os, subprocess, sys
from pathlib import Path
import pytest

from huvidpo_nb.data import write_toy_dataset

CAT = "ball_rolls_right"

@pytest.fixture
def root(tmp_path):
    return write_toy_dataset(tmp_path / "ds", categories=[CAT], videos_per_category=6, scores=False)   # 15 pairs

def _huvidpo(*args):
    code = "import sys; from huvidpo_nb.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))

def test_validate_command(root):
    r = _huvidpo("validate", root, "--num-frames", 8, "--size", 16)
    assert r.returncode == 0 and "OK: no problems" in r.stdout, r.stdout + r.stderr
    assert f"{CAT}: 6 videos" in r.stdout
    with open(root / CAT / "scores.jsonl", "a") as f:
        f.write('{"video": "clip_00000.mp4", "score": 4}\n{"video": "clip_00001.mp4", "score": 12}\n{"winner": 1}\n')
    (root / CAT / "videos" / "clip_00002.mp4").write_bytes(b"garbage")
    r = _huvidpo("validate", root)
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert "3 problems" in out
    assert f"{CAT}/scores.jsonl:2: score 12 is out of range" in out
    assert f"{CAT}/scores.jsonl:3:" in out and "clip_00002.mp4: unreadable video" in out
    r = _huvidpo("validate", "--help")
    assert r.returncode == 0 and "--num-frames" in r.stdout

def test_candidates_help():
    r = _huvidpo("candidates", "--help")
    assert r.returncode == 0 and "--samples-per-frame" in r.stdout, r.stdout + r.stderr
