"Keeps tests/bench_attention.py working (the benchmark itself is run by hand or by the notebook's slow cell)."
import os, subprocess, sys
from pathlib import Path

def test_bench_attention_runs_small():
    script = Path(__file__).parent / "bench_attention.py"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    res = subprocess.run([sys.executable, str(script), "--frames", "1", "3", "--size", "4", "--repeat", "1"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = [l for l in res.stdout.splitlines() if l.strip().startswith(("frame", "first", "full"))]
    assert len(lines) == 4 * 2, res.stdout           # every mode at both frame counts
    assert "computed float32 score-tensor sizes" in res.stdout
