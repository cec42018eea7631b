"""The runs behind the demo's settings (nbs/09_reproduction.ipynb, "How the demo's settings were chosen"); not collected by pytest.

    python tests/choice_demo.py WORK [--part a|b|all]

Three candidate pools from the toy base, each in a `run_sweep` folder of WORK (made if missing, reused otherwise):
`pool12` (12 first frames x 4 videos per category, pairs at a score gap >= 0.2: the first demo's), `pool24` (24 x 8,
gap >= 0.2), `pool24_gap1` and `pool24_gap1.5` (the same videos, gap >= 1.0 and >= 1.5). Every variant trains DPO on
one pool with the settings listed (the rest are `DemoConfig()`'s) and is scored on the held-out inputs against the
base, the same noise for every model; rows go to WORK/<pool>/sweep.jsonl, and a re-run skips what is there. WORK/choice.jsonl
collects every row with its pool. `--part a` and `--part b` split the variants in two halves for two processes side by
side (run `--part none` first: it makes the pools and the base evaluation).
"""
import argparse, json, os
os.environ.setdefault("OMP_NUM_THREADS", "1")
from pathlib import Path
from huvidpo_nb.demo import DemoConfig, run_sweep

POOLS = {"pool12": dict(n_first=12, n_samples=4, min_margin=0.2), "pool24": dict(n_first=24, n_samples=8, min_margin=0.2),
         "pool24_gap1": dict(n_first=24, n_samples=8, min_margin=1.0), "pool24_gap1.5": dict(n_first=24, n_samples=8, min_margin=1.5)}
V = dict(lr=1e-3, max_steps=100)                       # the step that moved the model most without breaking it (09)
VARIANTS = {   # name: (pool, overrides)
    "v_lr1e-3_s100": ("pool12", dict(V, beta=5000.0)), "eps_lr1e-3_s100": ("pool12", dict(V, beta=5000.0, loss_space="epsilon")),
    "sft_lr1e-3_s100": ("pool12", dict(V, objective="sft")),
    "v_lr1e-3_s100_b8": ("pool12", dict(V, beta=5000.0, batch_size=8)), "v_lr1e-3_s200": ("pool12", dict(V, beta=5000.0, max_steps=200)),
    "v_lr1e-3_s100_beta1000": ("pool12", dict(V, beta=1000.0)), "v_lr1e-3_s100_beta20000": ("pool12", dict(V, beta=20000.0)),
    "pool24_beta5000": ("pool24", dict(V, beta=5000.0)),
    "gap1_beta5000": ("pool24_gap1", dict(V, beta=5000.0)), "gap1_beta10000": ("pool24_gap1", dict(V, beta=10000.0)),
    "gap1.5_beta5000": ("pool24_gap1.5", dict(V, beta=5000.0)), "gap1.5_beta10000": ("pool24_gap1.5", dict(V, beta=10000.0)),
    "gap1.5_beta20000": ("pool24_gap1.5", dict(V, beta=20000.0)),
}
PARTS = {"a": list(VARIANTS)[0::2], "b": list(VARIANTS)[1::2], "none": [], "all": list(VARIANTS)}

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("work"); ap.add_argument("--part", default="all", choices=list(PARTS))
    a = ap.parse_args()
    work = Path(a.work)
    for pool, kw in POOLS.items():
        names = [n for n in PARTS[a.part] if VARIANTS[n][0] == pool]
        if names or a.part == "none":
            run_sweep(DemoConfig(out=str(work / pool), **kw), {n: VARIANTS[n][1] for n in names})
    rows = [dict(json.loads(l), pool=p) for p in POOLS if (work / p / "sweep.jsonl").exists()
            for l in (work / p / "sweep.jsonl").read_text().splitlines() if l.strip()]
    (work / "choice.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows if r["name"] in VARIANTS))
