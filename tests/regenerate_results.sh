#!/usr/bin/env bash
# Regenerate everything committed in nbs/results/ (run from the repository root, in the project's venv):
#
#     bash tests/regenerate_results.sh [WORK_DIR]
#
# 1. `huvidpo demo` (the README's run)                        -> nbs/results/demo/
# 2. tests/sweep_demo.py on its folder (seeds, beta, lr, the loss-space variants of issue 14)
# 3. tests/curve_demo.py on the same folder (the data-size curve; the grid below is the one committed, shrunk to fit
#    the 2-core budget: fixed-epoch budget at 8 and 16 pairs per category, fixed-step budget at 8, seed 0; the demo's own
#    run is the "all pairs" point of both)
# 3b. tests/rounds_demo.py: a second round on top of the lr 1e-3 run, reference = the base  -> nbs/results/rounds.jsonl
# 4. sweep_report: the report of the loss-space variants against the base   -> nbs/results/effect/
#    and the sweep's rows                                                     -> nbs/results/sweep.jsonl
# Single-threaded processes one after another: about 3 hours on 2 shared cores (the demo alone about 8 minutes idle).
set -euo pipefail
WORK=${1:-runs/results}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$WORK"
huvidpo demo --out "$WORK/demo"
python tests/sweep_demo.py "$WORK/demo" --part all
python tests/curve_demo.py "$WORK/demo" --sizes 8 16 --seeds 0 --budgets epochs
python tests/curve_demo.py "$WORK/demo" --sizes 8 --seeds 0 --budgets steps
python tests/rounds_demo.py "$WORK/demo" v_lr1e-3_s100 base '{"lr": 0.001, "max_steps": 100}'
python - "$WORK/demo" <<'PY'
import shutil, sys
from pathlib import Path
from huvidpo_nb.demo import sweep_report
work, res = Path(sys.argv[1]), Path("nbs/results")
sweep_report(work, {"huvidpo": "v_lr1e-3_s100", "huvidpo_eps": "eps_lr1e-3_s100", "sft": "sft_lr1e-3_s100"}, res / "effect")
for p in ["report.md", "results.json", "scores.png", "training.png", "before_after.png", "difference.png"] + \
         [q.name for q in work.glob("grid_*.gif")]:
    shutil.copy(work / p, res / "demo" / p)
shutil.copy(work / "sweep.jsonl", res / "sweep.jsonl")
shutil.copy(work / "rounds.jsonl", res / "rounds.jsonl")
PY
