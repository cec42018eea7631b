"""Repository invariants that notebook cells cannot check: the library is the notebooks' export, the notebooks are
clean, and the built wheel installs into a fresh virtual environment."""
import filecmp, os, shutil, subprocess, sys, venv
from pathlib import Path
import pytest

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
    "nbdev_clean must change nothing."
    _copy_project(tmp_path)
    subprocess.run([BIN / "nbdev_clean"], cwd=tmp_path, check=True, capture_output=True)
    dirty = [p.name for p in sorted((ROOT / "nbs").glob("*.ipynb"))
             if (ROOT / "nbs" / p.name).read_bytes() != (tmp_path / "nbs" / p.name).read_bytes()]
    assert not dirty, f"notebooks not clean: {dirty}: run nbdev_clean"

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
