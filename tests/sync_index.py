"""Keep nbs/index.ipynb in step with README.md (Quarto, which nbdev uses to render READMEs, is not available here).

`python tests/sync_index.py` rewrites nbs/index.ipynb from README.md: one markdown cell per `## ` section, and a first
code cell that imports the package. README's relative links start at the repository root; the notebook lives in `nbs/`,
so its links are rewritten to start there (`nbs/x` -> `x`, any other `y` -> `../y`), and work when index.ipynb is
opened in JupyterLab. `tests/test_repo.py` checks that the two agree.
"""
import re, sys
from pathlib import Path
import nbformat
from nbformat.v4 import new_notebook, new_code_cell, new_markdown_cell, new_output
import configparser

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

_LINK = re.compile(r"(\]\(|src=\")([^)\"\s]+)")     # markdown links and images `](path)`, html `src="path"`

def from_nbs(path):
    "A repository-root-relative `path` as seen from `nbs/`; URLs, anchors and absolute paths unchanged."
    if re.match(r"^([a-z][a-z0-9+.-]*:|#|/)", path): return path
    return path[len("nbs/"):] if path.startswith("nbs/") else "../" + path

def rewrite_links(markdown):
    "README markdown with its relative links rewritten for a notebook in `nbs/`."
    return _LINK.sub(lambda m: m.group(1) + from_nbs(m.group(2)), markdown)

def _version():
    "The package version, from settings.ini (what `huvidpo_nb.__version__` prints)."
    cfg = configparser.ConfigParser(); cfg.read(ROOT / "settings.ini")
    return cfg["DEFAULT"]["version"]

def build_index(readme=ROOT / "README.md"):
    sections = readme_sections(rewrite_links(Path(readme).read_text()))
    cells = [new_markdown_cell(sections[0]),
             new_code_cell("#| hide\nimport huvidpo_nb\nprint(huvidpo_nb.__version__)", execution_count=1,   # committed as run
                           outputs=[new_output("stream", name="stdout", text=_version() + "\n")])]
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
    import json                                   # nbdev_clean clears execution counts: put the one back
    path = ROOT / "nbs" / "index.ipynb"; raw = json.loads(path.read_text())
    for c in raw["cells"]:
        if c["cell_type"] == "code": c["execution_count"] = 1
    path.write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
    print("wrote nbs/index.ipynb")
