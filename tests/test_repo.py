"""Repository invariants that notebook cells cannot check: the library is the notebooks' export, the notebooks are
clean, and the built wheel installs into a fresh virtual environment."""
import filecmp, json, os, re, shutil, subprocess, sys, venv
from pathlib import Path
import nbformat, pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

def _copy_project(dst: Path):
    for name in ("nbs", "huvidpo_nb"): shutil.copytree(ROOT / name, dst / name, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("settings.ini", "setup.py", "README.md"): shutil.copy(ROOT / name, dst / name)

def test_library_is_in_sync_with_notebooks(tmp_path):
    "nbdev_export into a copy must reproduce huvidpo_nb/ byte for byte."
    _copy_project(tmp_path)
    subprocess.run([BIN / "nbdev_export"], cwd=tmp_path, check=True, capture_output=True)
    exported = sorted(p.name for p in (tmp_path / "huvidpo_nb").glob("*.py"))
    committed = sorted(p.name for p in (ROOT / "huvidpo_nb").glob("*.py"))
    assert exported == committed, f"modules differ: exported {exported}, committed {committed}"
    stale = [n for n in committed if not filecmp.cmp(ROOT / "huvidpo_nb" / n, tmp_path / "huvidpo_nb" / n, shallow=False)]
    assert not stale, f"huvidpo_nb/ is out of date with nbs/ for {stale}: run nbdev_export"

def test_notebooks_are_clean(tmp_path):
    "nbdev_clean must change nothing but the execution counts, which `make nbs` puts back (tests/run_nbs.py)."
    sys.path.insert(0, str(ROOT / "tests"))
    from run_nbs import execution_counts, restore_counts
    _copy_project(tmp_path)
    subprocess.run([BIN / "nbdev_clean"], cwd=tmp_path, check=True, capture_output=True)
    dirty = []
    for p in sorted((ROOT / "nbs").glob("*.ipynb")):
        restore_counts(tmp_path / "nbs" / p.name, execution_counts(nbformat.read(p, as_version=4)))
        if p.read_bytes() != (tmp_path / "nbs" / p.name).read_bytes(): dirty.append(p.name)
    assert not dirty, f"notebooks not clean: {dirty}: run nbdev_clean, or make nbs"

# what draws a figure in a cell: matplotlib, the video helpers of 00_video, mediapy, PIL images shown with display
_DRAWS = re.compile(r"\bplt\.|\.imshow\(|\bshow_videos?\(|\bshow_images?\(|\bmedia\.show_|\bplot_\w+\(")
_MACHINE_PATH = re.compile(r"/(?:work|home|root|tmp|private/var|Users)/|(?<!<)site-packages|[A-Z]:\\\\")

def _published():
    sys.path.insert(0, str(ROOT / "tests"))
    from run_nbs import published_notebooks, is_slow
    return [(p, nbformat.read(p, as_version=4)) for p in published_notebooks()], is_slow

def _has_image(nb) -> bool:
    return any("image/png" in o.get("data", {}) or "image/gif" in o.get("data", {}) or "data:image/" in o.get("data", {}).get("text/html", "")
               for c in nb.cells for o in c.get("outputs", []))

def test_notebooks_are_published():
    "Every notebook is committed executed (`make nbs`): one top-to-bottom run, its figures among the outputs."
    nbs, is_slow = _published()
    problems = []
    for p, nb in nbs:
        code = [c for c in nb.cells if c.cell_type == "code"]
        unrun = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_slow(c) and c.execution_count is None]
        if unrun: problems.append(f"{p.name}: cells {unrun} have no execution count")
        counts = [c.execution_count for c in code if c.execution_count is not None]
        if counts != list(range(1, len(counts) + 1)): problems.append(f"{p.name}: execution counts {counts} are not 1..{len(counts)}")
        draws = [c for c in code if not is_slow(c) and _DRAWS.search(c.source)]
        if draws and not _has_image(nb): problems.append(f"{p.name}: draws figures ({len(draws)} cells) but has no image output")
    assert not problems, "run `make nbs` (notebooks must be committed executed):\n" + "\n".join(problems)

def test_published_notebooks_hold_no_machine_paths_or_progress_bars_and_stay_small():
    nbs, _ = _published()
    found = [f"{p.name} cell {i}: {m.group(0)!r}" for p, nb in nbs for i, c in enumerate(nb.cells)
             for o in c.get("outputs", []) for m in [_MACHINE_PATH.search(json.dumps(o))] if m]
    assert not found, "machine paths in outputs (tests/run_nbs.py replaces the ones it knows):\n" + "\n".join(found)
    from run_nbs import is_progress_bar
    bars = [f"{p.name} cell {i}" for p, nb in nbs for i, c in enumerate(nb.cells) for o in c.get("outputs", []) if is_progress_bar(o)]
    assert not bars, f"progress bars in outputs (run `make nbs`): {bars}"
    total = sum(p.stat().st_size for p in (ROOT / "nbs").glob("*.ipynb"))
    assert total < 10e6, f"the notebooks take {total / 1e6:.1f} MB, over 10 MB: smaller figures or fewer frames"

def test_readme_thumbnails_exist():
    "README's notebooks table shows thumbnails written by tests/thumbnails.py from the committed outputs."
    refs = re.findall(r"\(nbs/images/thumbs/(\d\d)\.png\)", (ROOT / "README.md").read_text())
    assert refs, "README.md shows no notebook thumbnails"
    missing = [n for n in refs if not (ROOT / "nbs" / "images" / "thumbs" / f"{n}.png").is_file()]
    assert not missing, f"thumbnails missing for notebooks {missing}: run `make nbs` (or python tests/thumbnails.py)"

def test_checks_see_what_they_guard():
    "The checks above fail on an unexecuted notebook, on counts out of order, and on a machine path."
    sys.path.insert(0, str(ROOT / "tests"))
    from run_nbs import is_slow
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import matplotlib.pyplot as plt; plt.plot([1])")])
    assert _DRAWS.search(nb.cells[0].source) and not _has_image(nb) and nb.cells[0].execution_count is None
    assert is_slow(nbformat.v4.new_code_cell("#| slow\nif RUN_SLOW: pass")) and not is_slow(nb.cells[0])
    from run_nbs import is_progress_bar
    assert is_progress_bar({"output_type": "display_data", "data": {"text/plain": "Loading weights:   0%|          | 0/36 [00:00<?, ?it/s]"}})
    assert not is_progress_bar({"output_type": "stream", "text": "step 3: loss 0.69 | 50% of pairs"})
    assert _MACHINE_PATH.search(json.dumps({"text": "saved to /home/me/x.png"})) and not _MACHINE_PATH.search('{"text": "$TMPDIR/x <site-packages>/y"}')

def test_every_notebook_exports_a_module_or_is_index():
    nbs = sorted(p.stem for p in (ROOT / "nbs").glob("*.ipynb"))
    assert nbs[0].startswith("00_") and "index" in nbs, nbs

def test_wheel_installs_in_fresh_venv(tmp_path):
    "Build the wheel, install it into a fresh venv (torch pinned to the CPU wheel) and import the package."
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT],
                   check=True, capture_output=True)
    wheel = next(dist.glob("huvidpo_nb-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    r = subprocess.run([py, "-m", "pip", "install", "-q", "torch==2.13.0", str(wheel)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    code = ("import huvidpo_nb, huvidpo_nb.video, huvidpo_nb.cli, importlib.resources as r; "
            "assert (r.files('huvidpo_nb') / 'assets/toy_base/unet/diffusion_pytorch_model.safetensors').is_file(), 'toy base missing'; "
            "print(huvidpo_nb.__version__)")
    r = subprocess.run([py, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip() == "0.1.0"
    r = subprocess.run([env_dir / "bin" / "huvidpo", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0 and "train-dpo" in r.stdout, r.stdout + r.stderr

def test_index_notebook_matches_readme():
    "nbs/index.ipynb carries the README's text (regenerate with `python tests/sync_index.py`)."
    import nbformat
    sys.path.insert(0, str(ROOT / "tests"))
    from sync_index import build_index, index_markdown
    have = index_markdown(nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4))
    assert have == index_markdown(build_index()), "nbs/index.ipynb is out of step with README.md: run python tests/sync_index.py"

def test_relative_links_resolve_from_readme_and_index():
    "Every relative link or image in README.md exists from the repository root, and in nbs/index.ipynb from nbs/."
    import nbformat, re
    sys.path.insert(0, str(ROOT / "tests"))
    from sync_index import _LINK, index_markdown
    def broken(text, base):
        paths = [m.group(2).split("#")[0] for m in _LINK.finditer(text)]
        return [p for p in paths if p and not re.match(r"^[a-z][a-z0-9+.-]*:", p) and not (base / p).exists()]
    readme = (ROOT / "README.md").read_text()
    assert _LINK.search(readme), "README.md has no relative links: the check below would prove nothing"
    assert broken(readme, ROOT) == [], "README.md links to missing files"
    index = index_markdown(nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4))
    assert broken(index, ROOT / "nbs") == [], "nbs/index.ipynb links to missing files (python tests/sync_index.py rewrites them)"

def _notebook_of_module() -> dict:
    "module name -> the number of the notebook that exports it (`#| default_exp`)."
    out = {}
    for p in sorted((ROOT / "nbs").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(p, as_version=4)
        m = next((re.search(r"^#\|\s*default_exp\s+(\S+)", c.source, re.M) for c in nb.cells
                  if c.cell_type == "code" and re.search(r"^#\|\s*default_exp", c.source, re.M)), None)
        if m: out[m.group(1)] = int(p.name[:2])
    return out

def _imported_modules(source:str) -> set:
    "Every `huvidpo_nb` module a source imports: top-level, inside functions, relative, and by string (importlib)."
    import ast
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import): names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ("huvidpo_nb." if node.level else "") + (node.module or "")
            names.add(base.rstrip("."))
            if base.rstrip(".") == "huvidpo_nb" or not node.module: names |= {f"huvidpo_nb.{a.name}" for a in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):     # "huvidpo_nb.train:fn" for importlib
            m = re.fullmatch(r"huvidpo_nb\.(\w+)(?:[:.]\w+)?", node.value.strip())
            if m: names.add(f"huvidpo_nb.{m.group(1)}")
    return {n.split(".")[1] for n in names if n.startswith("huvidpo_nb.") and len(n.split(".")) > 1}

def test_no_module_imports_a_later_notebook():
    "Teaching modules come first: a module never imports (even lazily, even by string) one exported by a later notebook."
    order = _notebook_of_module()
    assert {"video", "loss", "cli"} <= set(order), order
    back = [f"{m} ({order[m]:02d}) imports {i} ({order[i]:02d})" for m in order
            for i in sorted(_imported_modules((ROOT / "huvidpo_nb" / f"{m}.py").read_text())) if i in order and order[i] > order[m]]
    assert not back, "imports running back up the notebook order:\n" + "\n".join(back)
    assert _imported_modules("def f():\n    from huvidpo_nb.cli import main\n") == {"cli"}
    assert _imported_modules("from .train import fit\nx = 'huvidpo_nb.demo:run_demo'") == {"train", "demo"}
    assert _imported_modules("from huvidpo_nb import toyworld\nimport huvidpo_nb.label") == {"toyworld", "label"}

MAX_CELL_LINES = 40
def test_teaching_notebooks_have_short_cells():
    "In the teaching notebooks 00-09 no code cell is over 40 lines, and the median stays near 10."
    import statistics
    long, lengths = [], []
    for p in sorted((ROOT / "nbs").glob("0[0-9]_*.ipynb")):
        for i, c in enumerate(nbformat.read(p, as_version=4).cells):
            if c.cell_type != "code": continue
            n = len(c.source.splitlines()); lengths.append(n)
            if n > MAX_CELL_LINES: long.append(f"{p.name} cell {i}: {n} lines")
    assert lengths and not long, f"code cells over {MAX_CELL_LINES} lines (split them, a sentence of markdown between):\n" + "\n".join(long)
    assert statistics.median(lengths) <= 12, f"median code cell {statistics.median(lengths)} lines"
