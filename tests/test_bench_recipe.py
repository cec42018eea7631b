"""The GPU recipe's benchmark (`tests/bench_dpo_step.py --preset sd15 --device cuda`) kept alive on the CPU at tiny size."""
import json, os, subprocess, sys
from pathlib import Path

BENCH = Path(__file__).parent / "bench_dpo_step.py"


def test_recipe_benchmark_runs_at_tiny_size():
    r = subprocess.run([sys.executable, str(BENCH), "--preset", "tiny", "--device", "cpu", "--num-frames", "3", "--steps", "1",
                        "--warmup", "0", "--sample-steps", "2"], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1, lines                                                    # one JSON line
    res = json.loads(lines[0])
    runs = {(x["method"], x["size"], x["gradient_checkpointing"]) for x in res["training"]}
    assert runs == {(m, s, g) for m in ("ours", "official") for s in ("16x16", "32x16") for g in (False, True)}, runs
    assert all(x["s_per_step"] > 0 and x["peak_gib"] is None for x in res["training"])   # no CUDA memory counter on a CPU
    assert [x["weights"] for x in res["sampling"]] == ["float32", "bfloat16"]
    assert all(x["finite"] and x["seconds"] > 0 and x["frames"] == 3 for x in res["sampling"])
    assert "| official | 3 | 32x16 | yes |" in r.stderr                                # the markdown table
