#!/usr/bin/env bash
# Regenerate everything committed in nbs/results/ (run from the repository root, in the project's venv):
#
#     bash tests/regenerate_results.sh [WORK_DIR]
#
# 1. `huvidpo demo` with its defaults (seed 0)                         -> nbs/results/demo/
# 2. tests/curve_demo.py on its folder: training seeds 1 and 2 of HuViDPO and SFT (the demo's runs are seed 0), and the
#    data-size curve: 8 and 32 pairs per category at the demo's 100 steps, 4-32 pairs per category at the demo's passes
#    over the data, 3 seeds each                                        -> nbs/results/curve.jsonl, nbs/results/curve.png
# 3. tests/rounds_demo.py: a second round on the demo's HuViDPO, reference = round 1's model, then = the base
#                                                                       -> nbs/results/rounds.jsonl
# 3b. tests/fresh_demo.py: the demo's three models on 128 inputs nothing was chosen on -> nbs/results/fresh.json
# 4. tests/choice_demo.py: the runs that chose the demo's settings     -> nbs/results/choice.jsonl
# 5. tests/sweep_demo.py: the first sweep (beta, lr, seeds at the first demo's settings) -> nbs/results/sweep.jsonl
# One process after another (each single-threaded but the demo): about 5 hours on 2 cores. Steps 2-5 are independent
# of each other once step 1 is done; running two of them side by side halves the time (this is how they were made).
set -euo pipefail
WORK=${1:-runs/results}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$WORK"
huvidpo demo --out "$WORK/demo"
python tests/curve_demo.py "$WORK/demo" --sizes 8 32 0 --seeds 0 1 2 --budgets steps --sft
python tests/curve_demo.py "$WORK/demo" --sizes 4 8 16 32 --seeds 0 1 2 --budgets epochs
python tests/rounds_demo.py "$WORK/demo" init --rounds 2
python tests/rounds_demo.py "$WORK/demo" base --rounds 2
python tests/fresh_demo.py "$WORK/demo"
python tests/choice_demo.py "$WORK/choice"
python tests/sweep_demo.py "$WORK/first"
python - "$WORK" <<'PY'
import json, shutil, sys
from pathlib import Path
from huvidpo_nb.evaluate import data_size_table, plot_data_size
work, res = Path(sys.argv[1]), Path("nbs/results")
for p in ["report.md", "results.json", "scores.png", "training.png", "before_after.png", "difference.png"] + \
         [q.name for q in (work / "demo").glob("grid_*.gif")]:
    shutil.copy(work / "demo" / p, res / "demo" / p)
shutil.copy(work / "demo" / "sweep.jsonl", res / "curve.jsonl")
rows = [json.loads(l) for l in (res / "curve.jsonl").read_text().splitlines() if l.strip()]
plot_data_size(data_size_table(rows), path=res / "curve.png")
(res / "rounds.jsonl").write_text("".join((work / f"demo_rounds_{r}" / "rounds.jsonl").read_text() for r in ("init", "base")))
shutil.copy(work / "choice" / "choice.jsonl", res / "choice.jsonl")
shutil.copy(work / "demo" / "fresh.json", res / "fresh.json")
shutil.copy(work / "first" / "sweep.jsonl", res / "sweep.jsonl")
PY
