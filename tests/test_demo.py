"""`huvidpo demo` through its console script: the quick preset by default, the full run (the README's claim) with --runslow."""
import json, os, subprocess, sys
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
ENV = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"), PYTHONUNBUFFERED="1")

def _demo(args, cwd):
    return subprocess.run([BIN / "huvidpo", "demo", *args], capture_output=True, text=True, cwd=cwd, env=ENV)

def test_demo_quick_writes_a_report(tmp_path):
    r = _demo(["--quick", "--no-sft", "--categories", "rain", "ball_falls", "--out", "rep"], tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    rep = tmp_path / "rep"
    res = json.loads((rep / "results.json").read_text())
    assert set(res["comparison"]["models"]) == {"base", "huvidpo"}
    assert len(res["categories"]) == 2 * 3                       # quick: 3 held-out first frames per category
    for phase in ("candidates", "train HuViDPO", "evaluate base, huvidpo", "report"):
        assert f"[demo] {phase}:" in r.stdout, phase             # every phase is timed and printed
    jobs = res["meta"]["job_seconds"]                            # and every job in it, each in a process of its own
    assert set(jobs) == {"candidates rain", "candidates ball_falls", "train dpo", "evaluate base", "evaluate huvidpo"}
    assert all(s > 0 for s in jobs.values())
    assert (rep / "grid_rain.gif").exists() and (rep / "scores.png").exists()
    assert "| HuViDPO |" in (rep / "report.md").read_text()

def test_demo_workers_give_the_same_videos(tmp_path):
    "The jobs seed themselves: two worker processes and one process make the same candidates, LoRAs and held-out videos."
    from safetensors.torch import load_file
    for w in ("1", "2"):
        r = _demo(["--quick", "--categories", "rain", "--workers", w, "--out", f"w{w}"], tmp_path)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    for name in ("base", "sft", "huvidpo"):
        a, b = (load_file(tmp_path / f"w{w}" / f"eval_{name}.safetensors")["videos"] for w in "12")
        assert a.equal(b), name
    assert (tmp_path / "w1" / "data" / "rain" / "pairs.jsonl").read_text() == (tmp_path / "w2" / "data" / "rain" / "pairs.jsonl").read_text()
    r = _demo(["--quick", "--workers", "0", "--out", "w0"], tmp_path)
    assert r.returncode == 1 and "workers must be at least 1" in r.stderr

def test_demo_in_a_script_without_main_guard_says_why(tmp_path):
    "Spawned workers re-import the calling script: without `if __name__ == '__main__':` the error says so."
    (tmp_path / "s.py").write_text("from huvidpo_nb.demo import DemoConfig, run_demo\n"
                                   "run_demo(DemoConfig(out='rep', quick=True, categories=['rain'], workers=2))\n")
    r = subprocess.run([sys.executable, "s.py"], capture_output=True, text=True, cwd=tmp_path, env=ENV)
    assert r.returncode != 0 and 'if __name__ == "__main__":' in r.stderr, r.stderr[-3000:]

def test_demo_refuses_a_missing_base(tmp_path):
    r = _demo(["--quick", "--base", str(tmp_path / "nowhere"), "--out", "rep"], tmp_path)
    assert r.returncode == 1 and "no base model at" in r.stderr and "train-motion" in r.stderr

@pytest.mark.slow
def test_full_demo_beats_the_base(tmp_path):
    "The README's claim with the default seed: HuViDPO's win-rate over the base is above 50%, its whole 95% interval too."
    r = _demo(["--out", "rep"], tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    cmp = json.loads((tmp_path / "rep" / "results.json").read_text())["comparison"]
    rate, lo, hi = cmp["winrate"]["base"]["overall"]
    assert lo > 0.5, (rate, lo, hi)
    assert cmp["models"]["huvidpo"]["score"][0] > cmp["models"]["base"]["score"][0]
    assert len(json.loads((tmp_path / "rep" / "results.json").read_text())["categories"]) >= 128

@pytest.mark.slow
def test_demo_quick_rounds_epsilon(tmp_path):
    "Two rounds, epsilon-space loss, reference reset to round 1's model: every round trains, on the pairs the report counts."
    r = _demo(["--quick", "--no-sft", "--categories", "rain", "firework", "--rounds", "2", "--loss-space", "epsilon",
               "--reference", "init", "--out", "rep"], tmp_path)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    rep = tmp_path / "rep"
    cfg2 = json.loads((rep / "runs" / "dpo_round2" / "config.json").read_text())
    assert cfg2["init_lora"].endswith("dpo/final") and cfg2["reference"] == "init" and cfg2["loss_space"] == "epsilon"
    assert (rep / "data_round2" / "rain" / "pairs.jsonl").exists() and (rep / "runs" / "dpo_round2" / "final").exists()
    res = json.loads((rep / "results.json").read_text())
    assert res["meta"]["settings"]["rounds"] == 2 and "terms" in res["per_video"]["huvidpo"]
    assert "[demo] train HuViDPO, 2 rounds:" in r.stdout
