"""The data-size curve of nbs/09_reproduction.ipynb (the paper's claim 2: a small per-category set is enough); not collected by pytest.

    python tests/curve_demo.py OUT [--sizes 8 16 32 0] [--seeds 0 1 2] [--budgets steps epochs] [--passes P] [--set KEY=VALUE ...]

OUT is a sweep folder (`run_sweep`): its candidates (OUT/data) and its base evaluation are made if missing and reused
otherwise, so OUT can be the folder of `tests/sweep_demo.py`. Each point trains DPO with the demo's settings
(`DemoConfig()`, changed by `--set`) on `n` pairs per category, a seeded subset of OUT/data's pairs (0: all of them),
for one of two budgets: `steps`, the demo's number of optimizer steps whatever n is; `epochs`, P passes over the
n pairs (`--passes P`; by default as many as the demo's run makes over all of OUT's pairs). Every point is evaluated on the demo's held-out inputs (the same
noise for every model), and appended to OUT/sweep.jsonl as `curve_n{n}_{budget}_s{seed}`; a re-run skips those there.
If OUT is a seed-0 `huvidpo demo` folder, its base evaluation and its DPO run (all pairs, the demo's steps, seed 0) are
reused, not redone.
"""
import argparse, json, math, os
from pathlib import Path
os.environ.setdefault("OMP_NUM_THREADS", "1")
from dataclasses import replace
from huvidpo_nb.demo import DemoConfig, run_sweep, count_pairs

def variants(cfg, out, sizes, seeds, budgets, passes=None, sft=False):
    "One `run_sweep` variant per (size, budget, seed); with `sft`, also the SFT baseline on all pairs per seed (`sft_s{seed}`)."
    total = {c: count_pairs(f"{out}/data", c, cfg.min_margin) for c in cfg.categories}
    epochs = passes or cfg.max_steps * cfg.batch_size / sum(total.values())  # default: the demo's passes over all pairs
    v = {}
    for n in sizes:
        pairs = sum(min(n, t) if n else t for t in total.values())
        for b in budgets:
            if n == 0 and b == "epochs" and "steps" in budgets: continue     # all pairs: both budgets are the same run
            steps = cfg.max_steps if b == "steps" else max(1, math.ceil(epochs * pairs / cfg.batch_size))
            for s in seeds:
                v[f"curve_n{n}_{b}_s{s}"] = dict(seed=s, max_steps=steps, **({"pairs_per_category": n} if n else {}))
    if sft: v |= {f"sft_s{s}": dict(objective="sft", seed=s) for s in seeds}
    return v

def reuse_demo(out):
    "In a seed-0 `huvidpo demo` folder, its base evaluation is the sweep's, its DPO run the all-pairs point of seed 0, its SFT run `sft_s0`."
    res = out / "results.json"
    if not res.exists() or json.loads(res.read_text())["meta"]["settings"]["seed"] != 0: return
    if not (out / "base_eval.safetensors").exists(): os.link(out / "eval_base.safetensors", out / "base_eval.safetensors")
    for name, src, ev in (("curve_n0_steps_s0", "dpo", "huvidpo"), ("sft_s0", "sft", "sft")):
        run = out / "runs" / name
        if run.exists() or not (out / "runs" / src / "final").exists(): continue
        run.mkdir(parents=True)
        (run / "final").symlink_to(f"../{src}/final", target_is_directory=True); (run / "log.jsonl").symlink_to(f"../{src}/log.jsonl")
        os.link(out / f"eval_{ev}.safetensors", run / "eval.safetensors")

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32, 0], help="pairs per category; 0: all")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--budgets", nargs="+", default=["steps", "epochs"], choices=["steps", "epochs"])
    ap.add_argument("--passes", type=float, default=None, help="passes over the n pairs of the `epochs` budget")
    ap.add_argument("--sft", action="store_true", help="also the SFT baseline on all pairs, one per seed (sft_s{seed})")
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="DemoConfig overrides, values as JSON")
    a = ap.parse_args()
    cfg = replace(DemoConfig(out=a.out), **{k: json.loads(v) if v[:1] in "0123456789-[{tf" else v
                                            for k, v in (s.split("=", 1) for s in a.set)})
    reuse_demo(Path(a.out))
    run_sweep(cfg, variants(cfg, a.out, a.sizes, a.seeds, a.budgets, a.passes, a.sft))
