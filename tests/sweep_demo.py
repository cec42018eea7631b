"""The sweeps behind nbs/09_reproduction.ipynb's 'beta, learning rate and seeds' section (not collected by pytest).

    python tests/sweep_demo.py OUT [--part a|b|all]

OUT is a `huvidpo demo --out OUT` folder: its candidates (OUT/data) are reused, and its own DPO and SFT runs
(OUT/runs/dpo, OUT/runs/sft) are evaluated, not retrained. Every other variant trains one LoRA with the demo's
settings changed as listed, and is evaluated on the same held-out inputs as the base. Results are appended to
OUT/sweep.jsonl as each variant finishes; a re-run skips what is there. `--part a` and `--part b` split the variants
in two halves, to run as two single-threaded processes side by side on a 2-core machine (after the base evaluation
exists: run `--part none` first, or let one part create it before starting the other).
"""
import argparse, os
os.environ.setdefault("OMP_NUM_THREADS", "1")
from huvidpo_nb.demo import DemoConfig, run_sweep

VARIANTS = {
    "dpo": {}, "sft": {"objective": "sft"},                                     # the demo's own runs (seed 0)
    "beta50": {"beta": 50.0}, "beta500": {"beta": 500.0}, "beta50000": {"beta": 50000.0},
    "lr3e-5": {"lr": 3e-5}, "lr3e-4": {"lr": 3e-4},
    "seed1": {"seed": 1}, "seed2": {"seed": 2},
    "sft_seed1": {"objective": "sft", "seed": 1}, "sft_seed2": {"objective": "sft", "seed": 2},
    # issue 14: the loss space at a larger step (lr 1e-3, 100 steps), epsilon against the toy's native v
    "eps_lr1e-3_s100": {"loss_space": "epsilon", "lr": 1e-3, "max_steps": 100},
    "v_lr1e-3_s100": {"lr": 1e-3, "max_steps": 100}, "sft_lr1e-3_s100": {"objective": "sft", "lr": 1e-3, "max_steps": 100},
}
PARTS = {"a": ["dpo", "seed1", "beta50", "sft_seed1", "beta50000", "lr3e-5"],
         "b": ["sft", "seed2", "beta500", "sft_seed2", "lr3e-4"], "none": [],
         "effect": ["eps_lr1e-3_s100", "v_lr1e-3_s100", "sft_lr1e-3_s100"]}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out"); ap.add_argument("--part", default="all", choices=["a", "b", "all", "none", "effect"])
    a = ap.parse_args()
    names = list(VARIANTS) if a.part == "all" else PARTS[a.part]
    run_sweep(DemoConfig(out=a.out), {n: VARIANTS[n] for n in names})
