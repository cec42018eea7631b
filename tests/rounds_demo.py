"""Rounds after the demo (nbs/09_reproduction.ipynb, "Rounds"); not collected by pytest.

    python tests/rounds_demo.py DEMO REFERENCE [--rounds 2] [--set KEY=VALUE ...]

DEMO is a finished `huvidpo demo` folder: its candidates (DEMO/data) and its DPO run (DEMO/runs/dpo) are round 1.
Rounds 2..N sample fresh candidates from the last round's model, have the rater judge and pair them, and continue
training the LoRA with the demo's settings (`run_rounds`), the DPO reference being REFERENCE: `base` or `init` (the
last round's model). Everything goes to DEMO_rounds_REFERENCE/ (round 1 is linked, not copied), and every round's
model is scored against the base on the demo's held-out inputs and noise: one line per round in its rounds.jsonl,
with the mean score of each round's candidates (`candidate_stats`).
"""
import argparse, json, os, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
from pathlib import Path
from dataclasses import replace
from huvidpo_nb.demo import DemoConfig, run_rounds
from huvidpo_nb.evaluate import candidate_stats

if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("demo"); ap.add_argument("reference", choices=["base", "init"])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE", help="DemoConfig overrides, values as JSON")
    a = ap.parse_args()
    demo = Path(a.demo).resolve()
    settings = json.loads((demo / "results.json").read_text())["meta"]["settings"]
    over = {k: json.loads(v) if v[:1] in "0123456789-[{tf" else v for k, v in (s.split("=", 1) for s in a.set)}
    out = demo.parent / f"{demo.name}_rounds_{a.reference}"
    (out / "runs").mkdir(parents=True, exist_ok=True)
    for src, dst in ((demo / "data", out / "data"), (demo / "runs" / "dpo", out / "runs" / "dpo")):
        if not dst.exists(): dst.symlink_to(src, target_is_directory=True)
    keep = {k: v for k, v in settings.items() if k in DemoConfig.__dataclass_fields__ and k not in ("quick",)}
    cfg = replace(DemoConfig(**keep), out=str(out), rounds=a.rounds, reference=a.reference, sft=False, **over)
    t0 = time.perf_counter()
    rows = run_rounds(cfg)
    for r in rows:
        data = out / ("data" if r["round"] == 1 else f"data_round{r['round']}")
        r.update(series=a.reference, candidates=candidate_stats(data), seed=cfg.seed, settings=dict(keep, **over))
    rows[-1]["seconds"] = time.perf_counter() - t0
    (out / "rounds.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    print(f"[rounds] {out / 'rounds.jsonl'}: {len(rows)} rounds in {rows[-1]['seconds']:.0f} s")
