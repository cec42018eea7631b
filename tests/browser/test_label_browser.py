"""LabelingWidget in a real JupyterLab, clicked like a person with headless Chromium: every button, a double-click, two
clicks 50 ms apart, the keys, the kernel killed and the cell re-run. After each action the jsonl files on disk must
hold exactly the judgments made on the pairs that were on screen. Screenshots go to tests/browser/_artifacts/, kept
when the test fails (or with HUVIDPO_BROWSER_KEEP=1). Run with `make test-browser`."""
import json, os, secrets, shutil, signal, socket, subprocess, sys, time
from pathlib import Path
import pytest

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]
ART = REPO / "tests" / "browser" / "_artifacts"
PAIR, SCORE = "ball_rolls_right", "rain"
LABEL_MODULE = os.environ.get("HUVIDPO_LABEL_MODULE", "huvidpo_nb.label")   # the widget under test

def _free_port():
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]

def _wait(cond, timeout=30, what="condition", step=0.05):
    end = time.time() + timeout
    while time.time() < end:
        try:
            r = cond()
            if r: return r
        except Exception: pass
        time.sleep(step)
    raise TimeoutError(f"waited {timeout} s for {what}")

def _lines(path):
    return [json.loads(l) for l in path.read_text().splitlines()] if path.exists() else []

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    "A JupyterLab server (random port and token) on a notebook with a pair widget and a score widget; stopped after."
    import nbformat
    from huvidpo_nb.data import write_toy_dataset
    work = tmp_path_factory.mktemp("lab")
    root = write_toy_dataset(work / "prefs", categories=[PAIR, SCORE], videos_per_category=5, scores=False)  # 10 pairs
    pidfile, kfile = work / "kernel.pid", work / "first_page_s"
    from huvidpo_nb.video import write_video, moving_shapes          # 512x512, 16 frames: the display-time budget
    (root / "big" / "videos").mkdir(parents=True); (root / "big" / "prompt.txt").write_text("shapes moving\n")
    for i in range(3): write_video(root / "big" / "videos" / f"v{i}.mp4", moving_shapes(16, 512, seed=i))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
                    f"import os; open({str(pidfile)!r}, 'w').write(str(os.getpid()))\n"
                    f"from {LABEL_MODULE} import LabelingWidget\n"
                    f"w = LabelingWidget({str(root)!r}, {PAIR!r}, annotator='browser', seed=0)\nw"),
                nbformat.v4.new_code_cell(f"s = LabelingWidget({str(root)!r}, {SCORE!r}, mode='score', annotator='browser')\ns"),
                nbformat.v4.new_code_cell(f"import time; t0 = time.perf_counter()\n"
                                          f"b = LabelingWidget({str(root)!r}, 'big', annotator='browser')\n"
                                          f"b._repr_mimebundle_()  # what displaying does: encode the first pair\n"
                                          f"open({str(kfile)!r}, 'w').write(str(time.perf_counter() - t0))\n"
                                          f"for it in b.pending[1:3]: [b._encode(n).result() for n in it]  # prepared ahead\nb")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, work / "label.ipynb")
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
               JUPYTER_CONFIG_DIR=str(work / "cfg"), JUPYTER_RUNTIME_DIR=str(work / "rt"),
               JUPYTERLAB_SETTINGS_DIR=str(work / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(work / "ws"), OMP_NUM_THREADS="1")
    news = work / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True); news.write_text('{"fetchNews": "false", "checkForUpdates": false}')
    log = open(work / "lab.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
                               "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0", "--allow-root"],
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        import urllib.request
        _wait(lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2).status == 200,
              60, "JupyterLab to start")
        yield dict(url=f"http://127.0.0.1:{port}/lab/tree/label.ipynb?token={token}&reset", root=root, pidfile=pidfile, work=work,
                   kfile=kfile)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try: server.wait(20)
        except subprocess.TimeoutExpired: os.killpg(server.pid, signal.SIGKILL); server.wait(10)
        log.close()

@pytest.fixture(scope="module")
def driver(lab, request):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    opts = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
              "--autoplay-policy=no-user-gesture-required", "--disable-gpu"): opts.add_argument(a)
    opts.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or ""
    d = webdriver.Chrome(options=opts, service=Service(shutil.which("chromedriver")))
    shutil.rmtree(ART, ignore_errors=True); ART.mkdir(parents=True)
    d.failed = False
    yield d
    d.quit()
    if not d.failed and os.environ.get("HUVIDPO_BROWSER_KEEP") != "1": shutil.rmtree(ART, ignore_errors=True)
    else: print(f"screenshots and logs kept in {ART}")

class Page:
    "The widgets as a person sees them, and the files as they are on disk."
    def __init__(self, d, lab): self.d, self.lab, self.n = d, lab, 0
    def js(self, code, *a): return self.d.execute_script(code, *a)
    def shot(self, name):
        self.n += 1; self.d.save_screenshot(str(ART / f"{self.n:02d}_{name}.png"))
    def roots(self): return self.d.find_elements("css selector", ".hv-label")
    def state(self, i=0):
        "seq, busy, dead, names on screen, header text of widget i."
        return self.js("""const r = document.querySelectorAll('.hv-label')[arguments[0]]; if (!r) return null;
            return {seq: r.dataset.seq, busy: r.dataset.busy, dead: r.dataset.dead, swap: r.dataset.swapMs, first: r.dataset.firstMs,
                    names: [...r.querySelectorAll('.hv-caption')].map(c => c.textContent.split(': ')[1]),
                    counter: (r.querySelector('.hv-counter') || {}).textContent, summary: (r.querySelector('.hv-summary') || {}).textContent,
                    banner: r.querySelector('.hv-banner').hidden ? '' : r.querySelector('.hv-banner').textContent,
                    playing: [...r.querySelectorAll('video')].map(v => v.readyState >= 2 && v.videoWidth > 0)};""", i)
    def ready(self, i=0, after=None, timeout=30):
        "Wait until widget i shows a page (a new one if `after` is a seq) with its buttons enabled."
        return _wait(lambda: (s := self.state(i)) and s["seq"] is not None and s["busy"] == "0" and s["seq"] != after and s, timeout,
                     f"widget {i} to show a new page")
    def button(self, action, i=0):
        return self.roots()[i].find_element("css selector", f'.hv-btn[data-action="{action}"]')
    def run_all(self):
        self.js("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    def cells(self):
        return self.js("""const m = window.jupyterapp.shell.currentWidget.content.model;
            return [...Array(m.cells.length).keys()].map(i => m.cells.get(i).type);""")
    def file(self, cat): return self.lab["root"] / cat / ("pairs.jsonl" if cat == PAIR else "scores.jsonl")

def test_label_in_browser(lab, driver, request):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    p, pairs = Page(driver, lab), None
    pairs = p.file(PAIR)
    try:
        driver.get(lab["url"])
        _wait(lambda: p.js("return !!(window.jupyterapp && window.jupyterapp.shell.currentWidget && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session && "
                           "window.jupyterapp.shell.currentWidget.sessionContext.session.kernel)"), 90, "the notebook and its kernel")
        _wait(lambda: p.run_all() or True, 5)
        s = p.ready(0, timeout=90); p.ready(1); p.ready(2)
        p.shot("start")
        assert s["counter"].startswith("0 judged, 10 left") and "browser" in s["counter"], s
        _wait(lambda: all(p.state(0)["playing"]), 10, "both videos to play")
        time.sleep(0.6); p.roots()[0].screenshot(str(ART / "widget.png"))      # the picture in 12_labeling
        assert p.cells() == ["code"] * 3
        # 0. display time of 512x512x16 videos: first page (kernel encodes + browser decodes) < 1 s, next page < 0.2 s
        kernel_s, big = float(lab["kfile"].read_text()), p.state(2)
        swaps = []
        for _ in range(2):                                                   # the best of two: this machine may be shared
            time.sleep(1)                                                    # the annotator looks at the pair
            before = p.state(2); p.button("left", 2).click()
            swaps.append(int(p.ready(2, after=before["seq"])["swap"]))
        print(f"512x512x16: first page {kernel_s * 1000:.0f} ms in the kernel + {big['first']} ms in the browser; "
              f"next page {swaps} ms from click to screen")
        assert kernel_s * 1000 + int(big["first"]) < 1000 and min(swaps) < 200, (kernel_s, big, swaps)

        def judged(expect_lines, what):
            got = _lines(pairs)
            assert len(got) == expect_lines, f"{what}: {len(got)} lines on disk, expected {expect_lines}: {got}"
            return got

        # 1. each button, once: the line names the pair that was on screen
        for action in ["left", "right", "tie", "skip"]:
            before = p.state(0)
            p.button(action).click()
            after = p.ready(0, after=before["seq"])
            got = judged({"left": 1, "right": 2, "tie": 3, "skip": 4}[action], action)[-1]
            a, b = before["names"]
            want = {"left": {"winner": a, "loser": b}, "right": {"winner": b, "loser": a}, "tie": {"tie": [a, b]},
                    "skip": {"skip": [a, b]}}[action]
            assert {k: got[k] for k in want} == want, (action, got, before)
            assert after["names"] != before["names"] and after["counter"].startswith(f"{len(_lines(pairs))} judged")
            print(f"{action}: click -> next page on screen in {after['swap']} ms")
        p.shot("four_buttons")
        # 2. undo: a retraction of the skip, and the skipped pair comes back on screen
        before = p.state(0)
        p.button("undo").click()
        after = p.ready(0, after=before["seq"])
        got = judged(5, "undo")
        assert got[-1]["retract"] == got[3]["id"] and sorted(after["names"]) == sorted(got[3]["skip"])
        # 3. a double-click on "left": one judgment, on the pair shown
        before = p.state(0)
        ActionChains(driver).double_click(p.button("left")).perform()
        after = p.ready(0, after=before["seq"]); time.sleep(0.5)
        got = judged(6, "double-click")
        assert (got[-1]["winner"], got[-1]["loser"]) == tuple(before["names"])
        # 4. "right" then "left" 50 ms apart: only the first counts, on the pair shown
        before = p.state(0)
        p.js("""const r = document.querySelectorAll('.hv-label')[0];
                r.querySelector('[data-action="right"]').click();
                setTimeout(() => r.querySelector('[data-action="left"]').click(), 50);""")
        after = p.ready(0, after=before["seq"]); time.sleep(0.5)
        got = judged(7, "two clicks 50 ms apart")
        assert (got[-1]["winner"], got[-1]["loser"]) == tuple(before["names"][::-1])
        p.shot("after_fast_clicks")
        # 5. keys, with the widget focused: u (undo), ArrowLeft, t pressed twice fast (one tie); JupyterLab sees none
        p.roots()[0].find_element("css selector", ".hv-header").click()
        before = p.state(0)
        ActionChains(driver).send_keys("u").perform()
        after = p.ready(0, after=before["seq"])
        got = judged(8, "key u"); assert got[-1]["retract"] == got[6]["id"] and sorted(after["names"]) == sorted([got[6]["winner"], got[6]["loser"]])
        before = p.state(0)
        ActionChains(driver).send_keys(Keys.ARROW_LEFT).perform()
        p.ready(0, after=before["seq"])
        got = judged(9, "key ←"); assert (got[-1]["winner"], got[-1]["loser"]) == tuple(before["names"])
        before = p.state(0)
        ActionChains(driver).send_keys("t").send_keys("t").perform()
        p.ready(0, after=before["seq"]); time.sleep(0.5)
        got = judged(10, "key t twice"); assert sorted(got[-1]["tie"]) == sorted(before["names"])
        assert p.cells() == ["code"] * 3, "a key reached JupyterLab"
        # 6. score mode: digits, x = 10
        sfile = p.file(SCORE)
        p.roots()[1].find_element("css selector", ".hv-header").click()
        for key, value in [("3", 3), ("x", 10)]:
            before = p.state(1)
            ActionChains(driver).send_keys(key).perform()
            p.ready(1, after=before["seq"])
            got = _lines(sfile)[-1]
            assert (got["video"], got["score"]) == (before["names"][0], value), (key, got, before)
        assert len(_lines(sfile)) == 2 and p.cells() == ["code"] * 3, "a digit reached JupyterLab"
        p.shot("score_mode")
        # 7. kill the kernel: the widget turns red, a click writes nothing; re-running the cell resumes at the same pair
        shown, n = p.state(0), len(_lines(pairs))
        os.kill(int(lab["pidfile"].read_text()), signal.SIGKILL)
        dead = _wait(lambda: (s := p.state(0)) and s["dead"] == "1" and s, 15, "the dead-kernel banner")
        assert "not answering" in dead["banner"], dead
        p.shot("dead_kernel")
        p.js("document.querySelectorAll('.hv-label')[0].querySelector('[data-action=\"left\"]').click()")
        time.sleep(1)
        assert len(_lines(pairs)) == n, "a click on a dead kernel's widget wrote something"
        old_pid = lab["pidfile"].read_text()
        _wait(lambda: p.js("return window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status") == "idle", 60,
              "the restarted kernel")
        _wait(lambda: (p.run_all() or True) and lab["pidfile"].read_text() != old_pid, 60, "the cells to run again", step=3)
        again = _wait(lambda: (s := p.state(0)) and s["dead"] == "0" and s["busy"] == "0" and s["seq"] is not None and s, 60,
                      "the re-run widget")
        assert again["names"] == shown["names"] and again["counter"].split(" ·")[0] == shown["counter"].split(" ·")[0], (again, shown)
        p.shot("resumed")
        _wait(lambda: p.js("document.querySelectorAll('.jp-Dialog button.jp-mod-accept').forEach(b => b.click());"
                           "return document.querySelectorAll('.jp-Dialog').length === 0"), 20, "JupyterLab's restart dialog to close")
        # 8. to the end by keys: the summary counts what is on disk
        p.roots()[0].find_element("css selector", ".hv-header").click()
        while True:
            before = p.state(0)
            if before["summary"]: break
            ActionChains(driver).send_keys(Keys.ARROW_RIGHT).perform()
            p.ready(0, after=before["seq"])
        from huvidpo_nb.data import read_category
        d = read_category(lab["root"] / PAIR)
        assert d.problems == [] and len(d.pairs) + len(d.ties) + len(d.skips) == 10
        summary = p.state(0)["summary"]
        live = [e for e in d.entries if e.get("kind") in ("pair", "tie", "skip") and not e["retracted"]]
        left = sum(e["obj"].get("side") == "left" for e in live); right = sum(e["obj"].get("side") == "right" for e in live)
        assert summary.startswith(f"All 10 pairs judged: {left} left, {right} right, {len(d.ties)} tied, {len(d.skips)} skipped"), summary
        p.shot("done")
    except BaseException:
        driver.failed = True
        try:
            p.shot("failure")
            (ART / "browser_console.json").write_text(json.dumps(driver.get_log("browser"), indent=1))
            shutil.copy(lab["work"] / "lab.log", ART / "lab.log")
        except Exception: pass
        raise
