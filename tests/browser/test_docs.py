"""The docs site as a reader sees it: `make docs`, served on 127.0.0.1, two pages loaded in headless Chromium.

    python -m pytest tests/browser -q -m browser      # (make test-browser); needs Debian's chromium and chromium-driver

Each page must have its math typeset by MathJax (no raw `$$` or TeX left in the text), every <img> loaded, and
nothing fetched from anywhere but the local server.
"""
import functools, http.server, shutil, subprocess, sys, threading
from pathlib import Path
import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PAGES = ["01_dpo_loss.html", "09_reproduction.html"]
RAW_TEX = ["$$", "\\frac", "\\beta", "\\sigma", "\\mathcal", "\\log", "\\begin{"]

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

@pytest.fixture(scope="module")
def site():
    r = subprocess.run([sys.executable, str(ROOT / "tests" / "build_docs.py")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(ROOT / "_docs")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()

@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver): pytest.fail("chromium and chromedriver must be on PATH (apt-get install chromium chromium-driver)")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,2000"): opts.add_argument(a)
    d = webdriver.Chrome(options=opts, service=webdriver.ChromeService(executable_path=driver))
    d.set_page_load_timeout(120)
    yield d
    d.quit()

def _typeset(browser, timeout=120):
    "Wait until the page has loaded and MathJax has worked through its queue."
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(browser, timeout).until(lambda d: d.execute_script("return document.readyState") == "complete")
    WebDriverWait(browser, timeout).until(lambda d: d.execute_script("return !!(window.MathJax && MathJax.Hub)"))
    browser.execute_script("window.__typeset = false; MathJax.Hub.Queue(function () { window.__typeset = true; });")
    WebDriverWait(browser, timeout).until(lambda d: d.execute_script("return window.__typeset === true"))

# the text a reader sees in markdown cells, code left out
_PROSE = """return Array.from(document.querySelectorAll('.jp-RenderedMarkdown')).map(function (e) {
  var c = e.cloneNode(true); c.querySelectorAll('code, pre, script').forEach(function (x) { x.remove(); });
  return c.textContent; }).join('\\n');"""

@pytest.mark.parametrize("page", PAGES)
def test_page_shows_math_and_images(site, browser, page):
    browser.get(f"{site}/{page}")
    _typeset(browser)
    n_math = browser.execute_script("return document.querySelectorAll('.MathJax_CHTML, .MathJax, mjx-container').length")
    n_err = browser.execute_script("return document.querySelectorAll('.MathJax_Error, merror, mjx-merror').length")
    prose = browser.execute_script(_PROSE)
    assert n_math > 0 and n_err == 0, f"{page}: {n_math} typeset formulas, {n_err} MathJax errors"
    assert prose.strip(), f"{page}: no markdown cells found"
    raw = [t for t in RAW_TEX if t in prose]
    assert not raw, f"{page}: raw TeX left in the text: {raw}"
    imgs = browser.execute_script("return Array.from(document.images).map(function (i) { return [i.src.slice(0, 80), i.complete && i.naturalWidth > 0]; })")
    assert imgs, f"{page}: no images"
    broken = [src for src, ok in imgs if not ok]
    assert not broken, f"{page}: {len(broken)} of {len(imgs)} images did not load: {broken}"
    remote = browser.execute_script("return performance.getEntriesByType('resource').map(function (e) { return e.name; })")
    remote = [u for u in remote if not u.startswith(site) and not u.startswith("data:")]
    assert not remote, f"{page}: fetched from outside the site: {remote}"
    print(f"{page}: {n_math} formulas typeset, {len(imgs)} images loaded")
