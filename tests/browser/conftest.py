"""Real-browser tests: JupyterLab on 127.0.0.1 driven by headless Chromium (selenium). They run when selected by path
(`pytest tests/browser`, what `make test-browser` does) or with `--browser`; a plain `pytest tests/` skips them."""
import pytest
from pathlib import Path

HERE = Path(__file__).resolve().parent

def pytest_collection_modifyitems(config, items):
    chosen = config.getoption("--browser") or any(Path(a.split("::")[0]).resolve().is_relative_to(HERE) for a in config.args)
    if chosen: return
    skip = pytest.mark.skip(reason="browser test: run `make test-browser` or pytest with --browser")
    for item in items:
        if "browser" in item.keywords: item.add_marker(skip)
