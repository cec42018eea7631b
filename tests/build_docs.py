"""`make docs`: a static site in _docs/ from the executed notebooks and README.md, with mkdocs and mkdocs-jupyter.

    python tests/build_docs.py          # stage _proc/docs, then `mkdocs build` (config: mkdocs.yml)

Staging puts every page at the top of the site: README.md becomes `index` (its links into nbs/ lose that prefix),
the notebooks keep their names (00_video.ipynb -> 00_video.html), and nbs/images and nbs/results come along for the
pictures. Links to a notebook point to its page, `#| hide` cells and `#|` directives are left out as in nbdev's own
docs, and MathJax comes from the jupyter-server-mathjax wheel (a dev requirement), copied into assets/mathjax: the
site loads nothing from the network.
"""
import re, shutil, subprocess, sys, time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "_proc" / "docs"
SITE = ROOT / "_docs"
sys.path.insert(0, str(ROOT / "tests"))
from run_nbs import published_notebooks
from sync_index import build_index

_NB_LINK = re.compile(r"\]\((?!https?:)([^)\s]+?)\.(?:ipynb|md)(#[^)\s]*)?\)")

def page_links(md: str) -> str:
    "Markdown links to notebooks (and markdown files) -> links to their pages."
    return _NB_LINK.sub(lambda m: f"]({m.group(1)}.html{m.group(2) or ''})", md)

def readme_links(md: str) -> str:
    "README's links into nbs/ -> links next to the page."
    return page_links(md.replace("](nbs/", "](").replace('src="nbs/', 'src="'))

def is_hidden(cell) -> bool: return cell.cell_type == "code" and cell.source.lstrip().startswith("#| hide")

def stage_notebook(src: Path, dst: Path, fix=page_links):
    nb = nbformat.read(src, as_version=4)
    nb.cells = [c for c in nb.cells if not is_hidden(c)]
    for c in nb.cells:
        if c.cell_type == "markdown": c.source = fix(c.source)
        else: c.source = "\n".join(l for l in c.source.splitlines() if not l.startswith("#|"))  # nbdev's directives
    nbformat.write(nb, dst)

def stage_index(dst: Path):
    "README as the home page: its sections as markdown cells (split as tests/sync_index.py does)."
    nb = build_index(ROOT / "README.md")
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown"]
    for c in nb.cells: c.source = readme_links(c.source)
    nbformat.write(nb, dst / "index.ipynb")

def mathjax_dir() -> Path:
    import jupyter_server_mathjax
    d = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (d / "MathJax.js").is_file(): sys.exit(f"build_docs: no MathJax.js in {d}: reinstall jupyter-server-mathjax")
    return d

def stage(dst: Path = STAGE) -> Path:
    "Lay out the pages, pictures and MathJax in `dst` for mkdocs."
    if dst.exists(): shutil.rmtree(dst)
    dst.mkdir(parents=True)
    stage_index(dst)
    for p in published_notebooks(): stage_notebook(p, dst / p.name)
    for d in ("images", "results"):
        if (ROOT / "nbs" / d).is_dir(): shutil.copytree(ROOT / "nbs" / d, dst / d)
    shutil.copytree(mathjax_dir(), dst / "assets" / "mathjax")
    return dst

def build() -> Path:
    start = time.perf_counter()
    stage()
    r = subprocess.run([Path(sys.executable).parent / "mkdocs", "build", "--clean", "-f", str(ROOT / "mkdocs.yml")],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode: sys.exit(f"build_docs: mkdocs build failed:\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
    print(f"built {SITE.relative_to(ROOT)}/ ({len(list(SITE.glob('*.html')))} pages) in {time.perf_counter() - start:.1f} s")
    return SITE

if __name__ == "__main__": build()
