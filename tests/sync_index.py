"""Keep nbs/index.ipynb in step with README.md (Quarto, which nbdev uses to render READMEs, is not available here).

`python tests/sync_index.py` rewrites nbs/index.ipynb from README.md: one markdown cell per `## ` section, and a first
code cell that imports the package. `tests/test_repo.py` checks that the two agree.
"""
import re, sys
from pathlib import Path
import nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell

ROOT = Path(__file__).resolve().parents[1]

def readme_sections(text):
    "Split README.md into its top part and its `## ` sections, skipping fenced code when splitting."
    parts, cur, fenced = [], [], False
    for line in text.splitlines():
        if line.startswith("```"): fenced = not fenced
        if line.startswith("## ") and not fenced and cur: parts.append("\n".join(cur).strip("\n")); cur = []
        cur.append(line)
    if cur: parts.append("\n".join(cur).strip("\n"))
    return parts

def build_index(readme=ROOT / "README.md"):
    sections = readme_sections(Path(readme).read_text())
    cells = [new_markdown_cell(sections[0]),
             new_code_cell("#| hide\nimport huvidpo_nb\nprint(huvidpo_nb.__version__)")]
    cells += [new_markdown_cell(s) for s in sections[1:]]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"display_name": "python3", "language": "python", "name": "python3"}})
    for c in nb.cells: c.pop("id", None)
    nb.nbformat_minor = 4
    return nb

def index_markdown(nb):
    return "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")

if __name__ == "__main__":
    nb = build_index()
    nbformat.write(nb, ROOT / "nbs" / "index.ipynb")
    import subprocess; subprocess.run([Path(sys.executable).parent / "nbdev_clean", "--fname", str(ROOT / "nbs" / "index.ipynb")], check=True)
    print("wrote nbs/index.ipynb")
