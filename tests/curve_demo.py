"""The data-size curve of nbs/09_reproduction.ipynb (the paper's claim 2: a small per-category set is enough); not collected by pytest.

    python tests/curve_demo.py OUT [--sizes 8 16 32 0] [--seeds 0 1 2] [--budgets steps epochs] [--set KEY=VALUE ...]

OUT is a sweep folder (`run_sweep`): its candidates (OUT/data) and its base evaluation are made if missing and reused
otherwise, so OUT can be the folder of `tests/sweep_demo.py`. Each point trains DPO with the demo's settings
(`DemoConfig()`, changed by `--set`) on `n` pairs per category, a seeded subset of OUT/data's pairs (0: all of them),
for one of two budgets: `steps`, the demo's number of optimizer steps whatever n is; `epochs`, as many passes over the
n pairs as the demo's run makes over all of them. Every point is evaluated on the demo's held-out inputs (the same
noise for every model), and appended to OUT/sweep.jsonl as `curve_n{n}_{budget}_s{seed}`; a re-run skips those there.
"""
import argparse, json, math, os
os.environ.setdefault("OMP_NUM_THREADS", "1")
from dataclasses import replace
from huvidpo_nb.demo import DemoConfig, run_sweep, count_pairs

def variants(cfg, out, sizes, seeds, budgets):
    "One `run_sweep` variant per (size, budget, seed)."
    total = {c: count_pairs(f"{out}/data", c, cfg.min_margin) for c in cfg.categories}
    epochs = cfg.max_steps * cfg.batch_size / sum(total.values())            # the demo's passes over all pairs
    v = {}
    for n in sizes:
        pairs = sum(min(n, t) if n else t for t in total.values())
        for b in budgets:
            steps = cfg.max_steps if b == "steps" else max(1, math.ceil(epochs * pairs / cfg.batch_size))
            for s in seeds:
                v[f"curve_n{n}_{b}_s{s}"] = dict(seed=s, max_steps=steps, **({"pairs_per_category": n} if n else {}))
    return v

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32, 0], help="pairs per category; 0: all")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--budgets", nargs="+", default=["steps", "epochs"], choices=["steps", "epochs"])
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="DemoConfig overrides, values as JSON")
    a = ap.parse_args()
    cfg = replace(DemoConfig(out=a.out), **{k: json.loads(v) if v[:1] in "0123456789-[{tf" else v
                                            for k, v in (s.split("=", 1) for s in a.set)})
    run_sweep(cfg, variants(cfg, a.out, a.sizes, a.seeds, a.budgets))
