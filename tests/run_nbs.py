"""`make nbs`: execute every notebook in place, top to bottom in a fresh kernel, and keep its outputs.

    python tests/run_nbs.py                      # every notebook in nbs/ but index.ipynb
    python tests/run_nbs.py nbs/01_dpo_loss.ipynb # some of them

Slow cells run too, but each one is written `if RUN_SLOW: ... else: <committed result>` and RUN_SLOW is off here
(HUVIDPO_RUN_SLOW=0), so they only show their committed result. A `#| slow` cell without that guard is not executed
(a warning names it). Progress bars are off (TQDM_DISABLE=1, HF_HUB_DISABLE_PROGRESS_BARS=1; tqdm's notebook
widget ignores the first, so any bar left is dropped from the outputs), figures are drawn at `DPI`, and machine
paths in the outputs (the repository, the temporary folder, the home folder, the Python prefix) are replaced by
short names.
Then `nbdev_clean` strips the metadata, and the execution counts, which it clears, are put back: they show that the
outputs come from one top-to-bottom run (`tests/test_repo.py` checks it).
"""
import argparse, os, re, site, sys, sysconfig, tempfile, time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
DPI = 72  # the inline backend's figure dpi in committed outputs: small files, still readable

def is_slow(cell) -> bool:
    return cell.cell_type == "code" and any(l.strip() in ("#| slow", "#|slow") for l in cell.source.splitlines())
def is_guarded(cell) -> bool: return "if RUN_SLOW" in cell.source

class _Client(NotebookClient):
    "nbclient, except that a `#| slow` cell without an `if RUN_SLOW:` guard is left unexecuted."
    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if is_slow(cell) and not is_guarded(cell):
            print(f"  warning: {self.nb_name} cell {cell_index} is `#| slow` without `if RUN_SLOW:`: not executed", flush=True)
            return cell
        return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

def published_notebooks() -> list:
    "The notebooks `make nbs` executes: all of nbs/ except index.ipynb, README's copy (tests/sync_index.py)."
    return [p for p in sorted((ROOT / "nbs").glob("*.ipynb")) if p.name != "index.ipynb"]

def kernel_env(tmp: Path) -> dict:
    "The kernel's environment: slow cells off, no progress bars, one thread, a private temporary folder, small figures."
    rc = tmp / "matplotlibrc"
    rc.write_text(f"figure.dpi: {DPI}\nsavefig.dpi: figure\n")
    return dict(os.environ, HUVIDPO_RUN_SLOW="0", TQDM_DISABLE="1", HF_HUB_DISABLE_PROGRESS_BARS="1",
                OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONHASHSEED="0", TMPDIR=str(tmp), MATPLOTLIBRC=str(rc), PYTHONPATH=str(ROOT))

def path_replacements(tmp: Path) -> list:
    "(machine path, what to write instead), longest first, so that a path inside another is replaced first."
    site_dirs = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")} | set(site.getsitepackages())
    pairs = [(str(ROOT / "nbs"), "."), (str(ROOT), ".."), (str(tmp), "$TMPDIR"), (os.path.realpath(tmp), "$TMPDIR"),
             *[(d, "<site-packages>") for d in site_dirs], (sys.prefix, "<python>"), (sys.base_prefix, "<python>"),
             (str(Path.home()), "~")]
    return sorted({(a, b) for a, b in pairs if len(a) > 1}, key=lambda p: -len(p[0]))

# tempfile's folder names, prefix + 8 random characters: the random part becomes XXXXXXXX, so reruns diff clean
_TMP_NAME = re.compile(r"(\$TMPDIR/(?:[^/\s'\"\\]*_|tmp))[a-z0-9_]{8}(?=[/\s'\"\\:),]|$)")

def _sub(text, reps):
    for a, b in reps: text = text.replace(a, b)
    return _TMP_NAME.sub(r"\1XXXXXXXX", text)

# a tqdm bar's text: "Loading weights:  50%|#####     | 18/36 [00:01<00:01, 9.8it/s]"
PROGRESS_BAR = re.compile(r"\d+%\|.*\|\s*\d+/\d+|\d+(\.\d+)?(it/s|s/it)\]")

def is_progress_bar(o) -> bool:
    "A progress-bar output: tqdm's notebook widget, or its text on stderr."
    text = o.get("data", {}).get("text/plain", "") if o.get("output_type") == "display_data" else o.get("text", "")
    return bool(PROGRESS_BAR.search(text if isinstance(text, str) else "".join(text)))

def sanitize_outputs(nb, reps):
    "Drop progress bars (tqdm.notebook ignores TQDM_DISABLE) and replace machine paths in every text output."
    for cell in nb.cells:
        if "outputs" in cell: cell.outputs = [o for o in cell.outputs if not is_progress_bar(o)]
        for o in cell.get("outputs", []):
            if "text" in o: o["text"] = _sub(o["text"], reps)
            if "traceback" in o: o["traceback"] = [_sub(t, reps) for t in o["traceback"]]
            for k, v in o.get("data", {}).items():
                if k.startswith("text/") or k == "application/json": o["data"][k] = _sub(v, reps) if isinstance(v, str) else v

def execution_counts(nb) -> list:
    "Each cell's execution count and its outputs' (None for markdown)."
    return [(c.get("execution_count"), [o.get("execution_count") for o in c.get("outputs", [])]) for c in nb.cells]

def restore_counts(path: Path, counts: list):
    "Put `execution_counts` back into a notebook that nbdev_clean has cleaned (it clears them)."
    from execnb.nbio import read_nb, write_nb
    nb = read_nb(path)
    for cell, (n, outs) in zip(nb.cells, counts):
        if cell.cell_type != "code": continue
        cell["execution_count"] = n
        for o, m in zip(cell.get("outputs", []), outs):
            if "execution_count" in o: o["execution_count"] = m
    write_nb(nb, path)

def clean_keep_counts(path: Path, counts: list):
    "nbdev's clean (metadata, ids in reprs; settings.ini keeps outputs), then the execution counts put back."
    from nbdev.clean import nbdev_clean
    nbdev_clean(fname=str(path))
    restore_counts(path, counts)

def run(path: Path, timeout: int) -> float:
    "Execute one notebook in place; returns the seconds it took."
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="huvidpo_nbs_") as t:
        tmp = Path(t)
        client = _Client(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                         store_widget_state=False, record_timing=False)
        client.nb_name = path.name
        start = time.perf_counter()
        client.execute(env=kernel_env(tmp))
        seconds = time.perf_counter() - start
        sanitize_outputs(nb, path_replacements(tmp))
    counts = execution_counts(nb)
    nbformat.write(nb, path)
    clean_keep_counts(path, counts)
    return seconds

def main(argv=None):
    p = argparse.ArgumentParser(prog="python tests/run_nbs.py", description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="*", help="notebooks to execute (default: every nbs/*.ipynb but index.ipynb)")
    p.add_argument("--timeout", type=int, default=600, help="seconds one cell may take")
    a = p.parse_args(argv)
    paths = [Path(n).resolve() for n in a.notebooks] or published_notebooks()
    os.chdir(ROOT)  # nbdev_clean reads settings.ini from here
    missing = [str(n) for n in paths if not n.is_file()]
    if missing: p.error(f"no such notebook: {', '.join(missing)}")
    total = 0.0
    for path in paths:
        print(f"{path.name}: running", flush=True)
        s = run(path, a.timeout); total += s
        print(f"{path.name}: {s:.1f} s, {path.stat().st_size / 1e6:.2f} MB", flush=True)
    print(f"all {len(paths)} notebooks: {total:.1f} s", flush=True)

if __name__ == "__main__": main()
