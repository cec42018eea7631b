"""The demo's models on inputs nothing was chosen on (nbs/09_reproduction.ipynb, "Fresh inputs"); not collected by pytest.

    python tests/fresh_demo.py DEMO [--first 1000]

The demo's settings were chosen by their scores on the held-out inputs (first frames `EVAL_SEED + 0..31` per
category). This scores DEMO's base, SFT and HuViDPO on 32 other first frames per category (`EVAL_SEED + first + i`,
never paired, never used to choose anything), the same noise for every model, and writes DEMO/fresh.json: the
comparison (`compare`) and HuViDPO's paired gains over the base and SFT with 95% intervals.
"""
import argparse, json, os
os.environ.setdefault("OMP_NUM_THREADS", "1")
from pathlib import Path
from huvidpo_nb.demo import DemoConfig, sample_held_out
from huvidpo_nb.evaluate import eval_inputs, score_videos, compare, bootstrap_ci, default_base_path, _fmt

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("demo"); ap.add_argument("--first", type=int, default=1000)
    a = ap.parse_args()
    demo = Path(a.demo)
    s = json.loads((demo / "results.json").read_text())["meta"]["settings"]
    cfg = DemoConfig(**{k: v for k, v in s.items() if k in DemoConfig.__dataclass_fields__})
    inputs = eval_inputs(cfg.categories, cfg.n_eval, cfg.seed, first=a.first)
    base = Path(cfg.base) if cfg.base else default_base_path()
    results = {}
    for name, lora in (("base", None), ("sft", demo / "runs" / "sft" / "final"), ("huvidpo", demo / "runs" / "dpo" / "final")):
        v = sample_held_out(base, lora, inputs, cfg)
        results[name] = dict(videos=v, **score_videos(v, inputs["categories"]))
    cmp = compare(results, inputs["categories"])
    gain = {k: [float(x) for x in bootstrap_ci(results["huvidpo"]["score"] - results[k]["score"])] for k in ("base", "sft")}
    out = dict(first=a.first, n_videos=len(inputs["categories"]), comparison=cmp, gain_over=gain)
    (demo / "fresh.json").write_text(json.dumps(out))
    print(f"fresh inputs (first frames EVAL_SEED + {a.first}..): HuViDPO gain over the base {_fmt(gain['base'])}, "
          f"win-rate {_fmt(cmp['winrate']['base']['overall'])}; over SFT {_fmt(gain['sft'])}, win-rate {_fmt(cmp['winrate']['sft']['overall'])}")
