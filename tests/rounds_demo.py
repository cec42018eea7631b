"""Rounds on top of a sweep variant (nbs/09_reproduction.ipynb, "Rounds"); not collected by pytest.

    python tests/rounds_demo.py OUT VARIANT REFERENCE [JSON]

OUT is a `run_sweep` folder (e.g. after `tests/sweep_demo.py OUT --part effect`); its trained VARIANT (OUT/runs/VARIANT)
is round 1. Round 2 samples fresh candidates from it, rates and pairs them, and continues its LoRA with DPO
(`dpo_rounds`), the reference being REFERENCE: `base` or `init` (round 1's model). JSON holds the DemoConfig overrides
of the variant (e.g. '{"lr": 0.001, "max_steps": 100}'), so that round 2 trains as round 1 did. Round 1 and round 2
are scored against OUT's base evaluation, on the same held-out inputs and noise, and appended to OUT/rounds.jsonl.
"""
import sys, json, os, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
from pathlib import Path
from dataclasses import replace
from safetensors.torch import load_file, save_file
from huvidpo_nb.demo import DemoConfig, dpo_rounds, load_pipeline
from huvidpo_nb.evaluate import eval_inputs, score_videos, compare, bootstrap_ci, sample_videos, default_base_path, _fmt

if __name__ == "__main__":
    if len(sys.argv) < 4: sys.exit(__doc__)
    sw, variant, ref = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    over = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    R = sw / f"rounds_{variant}_{ref}"
    cfg = replace(DemoConfig(out=str(R), rounds=2, reference=ref), **over)
    t0 = time.perf_counter()
    finals = dpo_rounds(cfg, default_base_path(), R, sw / "runs" / variant / "final", progress=False)
    inputs = eval_inputs(cfg.categories, cfg.n_eval, 0)
    skw = dict(num_inference_steps=cfg.num_inference_steps, guidance_scale=cfg.guidance_scale)
    bv = load_file(sw / "base_eval.safetensors")["videos"]
    base = dict(videos=bv, **score_videos(bv, inputs["categories"]))
    res = {1: load_file(sw / "runs" / variant / "eval.safetensors")["videos"]}
    p = load_pipeline(default_base_path()).load_lora(finals[-1])
    res[2] = sample_videos(p, inputs["prompts"], inputs["frames0"], inputs["noise_seeds"], **skw)
    save_file({"videos": res[2].contiguous()}, R / "eval_round2.safetensors")
    for r, v in res.items():
        rr = dict(videos=v, **score_videos(v, inputs["categories"]))
        cmp = compare({"base": base, "ours": rr}, inputs["categories"], ours="ours")
        row = dict(name=f"rounds_{variant}_{ref}_r{r}", round=r, round1=variant, reference=ref if r > 1 else "base", settings=over,
                   score=cmp["models"]["ours"]["score"], base_score=cmp["models"]["base"]["score"],
                   gain=bootstrap_ci(rr["score"] - base["score"]), winrate_vs_base=cmp["winrate"]["base"]["overall"],
                   drift=cmp["models"]["ours"]["drift"], consistency=cmp["models"]["ours"]["consistency"], term_change=cmp["term_change"],
                   seconds=time.perf_counter() - t0 if r == 2 else None)
        with open(sw / "rounds.jsonl", "a") as fh: fh.write(json.dumps(row) + "\n")
        print(row["name"], _fmt(row["score"]), _fmt(row["gain"]), _fmt(row["winrate_vs_base"]), flush=True)
