import os, pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")

def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="also run tests marked slow")

def pytest_configure(config):
    config.addinivalue_line("markers", "slow: heavy tests, run with --runslow")
    config.addinivalue_line("markers", "browser: headless-Chromium checks, run with -m browser (make test-browser)")

def pytest_collection_modifyitems(config, items):
    if "browser" not in (config.getoption("-m") or ""):
        for item in items:
            if "browser" in item.keywords: item.add_marker(pytest.mark.skip(reason="browser: run with -m browser"))
    if config.getoption("--runslow"): return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if "slow" in item.keywords: item.add_marker(skip)
