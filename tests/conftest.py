import os, pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")

def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")
    parser.addoption("--browser", action="store_true", default=False, help="also run the real-browser tests (tests/browser)")

def pytest_configure(config):
    config.addinivalue_line("markers", "slow: heavy tests, run with --runslow")
    config.addinivalue_line("markers", "browser: needs chromium, chromedriver and JupyterLab; run with `make test-browser`")

def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"): return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords: item.add_marker(skip)
