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


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    "An untrained toy base (`max_steps=0` writes the randomly initialised base, 8 frames of 16x16) and a 4-video toy preference dataset."
    from huvidpo_nb.train import MotionConfig
    from huvidpo_nb.runs import train_motion
    from huvidpo_nb.data import write_toy_dataset
    root = tmp_path_factory.mktemp("toy")
    base = train_motion(MotionConfig(output_dir=str(root / "base"), max_steps=0, progress=False)).final
    data = write_toy_dataset(root / "pairs", categories=["ball_rolls_right"], videos_per_category=4, corrupt_fraction=0.5)
    return dict(root=root, base=str(base), data=str(data), pairs=str(data))
