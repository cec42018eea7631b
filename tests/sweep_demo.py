"""The first sweep, behind nbs/09_reproduction.ipynb's 'The first sweep' section (not collected by pytest).

    python tests/sweep_demo.py OUT [--part a|b|all]

The first demo's settings (`FIRST` below: 12 first frames x 4 candidates per category, pairs at a score gap >= 0.2,
200 steps at lr 1e-4, beta 5000): OUT's candidates are made if missing (OUT/data) and reused otherwise. Every variant
trains one LoRA with those settings changed as listed, and is evaluated on the same held-out inputs as the base. Results are appended to
OUT/sweep.jsonl as each variant finishes; a re-run skips what is there. `--part a` and `--part b` split the variants
in two halves, to run as two single-threaded processes side by side on a 2-core machine (after the base evaluation
exists: run `--part none` first, or let one part create it before starting the other).
"""
import argparse, os
os.environ.setdefault("OMP_NUM_THREADS", "1")
from huvidpo_nb.demo import DemoConfig, run_sweep

FIRST = dict(n_first=12, n_samples=4, min_margin=0.2, lr=1e-4, max_steps=200, beta=5000.0)   # the first demo's defaults
VARIANTS = {
    "dpo": {}, "sft": {"objective": "sft"},                                     # the first demo's own runs (seed 0)
    "beta50": {"beta": 50.0}, "beta500": {"beta": 500.0}, "beta50000": {"beta": 50000.0},
    "lr3e-5": {"lr": 3e-5}, "lr3e-4": {"lr": 3e-4},
    "seed1": {"seed": 1}, "seed2": {"seed": 2},
    "sft_seed1": {"objective": "sft", "seed": 1}, "sft_seed2": {"objective": "sft", "seed": 2},
}
PARTS = {"a": ["dpo", "seed1", "beta50", "sft_seed1", "beta50000", "lr3e-5"],
         "b": ["sft", "seed2", "beta500", "sft_seed2", "lr3e-4"], "none": []}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out"); ap.add_argument("--part", default="all", choices=["a", "b", "all", "none"])
    a = ap.parse_args()
    names = list(VARIANTS) if a.part == "all" else PARTS[a.part]
    run_sweep(DemoConfig(out=a.out, **FIRST), {n: VARIANTS[n] for n in names})
