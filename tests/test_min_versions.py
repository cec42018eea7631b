"""The lowest versions settings.ini allows really work (issue 15, item 14). A scratch venv gets torch (the pinned CPU
wheel, in the same pip command so pip keeps it) and exactly the minimum diffusers, transformers, peft and accelerate;
then a small end-to-end run: a toy base (2 steps of train_motion, saved as a pipeline), toy pairs, 2 DPO steps (the LoRA
saved with save_lora_adapter), and the pipeline sampling with that LoRA loaded (load_lora_adapter).

Found by installing and running this check (`python -m pytest tests/test_min_versions.py --runslow`):
diffusers 0.30-0.35 fail with transformers 5 (they import transformers.utils.FLAX_WEIGHTS_NAME), 0.36.0 rejects the
pipeline's `attention_mode` config entry, 0.37.0 works; transformers 4.x cannot build the toy tokenizer
(`CLIPTokenizer()` needs vocab files there); peft 0.17 imports transformers.HybridCache (gone in 5), 0.18.0 works;
accelerate 0.31 lacks `utils.memory.clear_device_cache` that diffusers' peft loader imports, 0.32.0 works.
All four need Python >= 3.10. Slow: the installs take minutes (set HUVIDPO_MIN_VENV to reuse a venv)."""
import configparser, os, re, subprocess, sys, venv
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("diffusers", "transformers", "peft", "accelerate")

CHECK = r'''
import tempfile
from pathlib import Path
import torch, diffusers, transformers, peft, accelerate
from huvidpo_nb.train import MotionConfig, DPOConfig
from huvidpo_nb.runs import train_motion, train_dpo
from huvidpo_nb.data import write_toy_dataset
from huvidpo_nb.pipeline import HuViDPOPipeline
from huvidpo_nb.toyworld import render
print("versions", diffusers.__version__, transformers.__version__, peft.__version__, accelerate.__version__)
root = Path(tempfile.mkdtemp())
base = train_motion(MotionConfig(output_dir=str(root / "base"), max_steps=2, batch_size=2, progress=False)).final
data = write_toy_dataset(root / "pairs", categories=["ball_rolls_right"], videos_per_category=3, corrupt_fraction=0.5)
run = train_dpo(DPOConfig(base=str(base), data_root=str(data), output_dir=str(root / "dpo"), max_steps=2, beta=5000.0,
                          progress=False))
pipe = HuViDPOPipeline.from_pretrained(base).load_lora(run.final)
pipe.set_progress_bar_config(disable=True)
v = pipe("a ball rolling to the right", render("ball_rolls_right", 0, num_frames=1, size=16)[:, 0], num_inference_steps=2,
         generator=torch.Generator().manual_seed(0), output_type="pt").frames
assert v.shape == (1, 3, 8, 16, 16), v.shape
print("end-to-end OK")
'''


def minimum_versions() -> dict:
    "The `>=` lower bound settings.ini gives each checked package."
    cfg = configparser.ConfigParser(); cfg.read(ROOT / "settings.ini")
    reqs = cfg["DEFAULT"]["requirements"].split()
    out = {}
    for r in reqs:
        m = re.match(r"^([A-Za-z0-9_.-]+)>=([0-9.]+)", r)
        if m and m[1] in CHECKED: out[m[1]] = m[2]
    assert sorted(out) == sorted(CHECKED), f"settings.ini has no >= bound for {set(CHECKED) - set(out)}"
    return out


def test_settings_pin_the_checked_minimums():
    "The bounds in settings.ini are the ones this file found (fast: no install)."
    assert minimum_versions() == dict(diffusers="0.37", transformers="5.0", peft="0.18", accelerate="0.32")


@pytest.mark.slow
def test_minimum_versions_run_end_to_end(tmp_path):
    env_dir = Path(os.environ.get("HUVIDPO_MIN_VENV") or tmp_path / "venv")
    if not (env_dir / "bin" / "python").exists(): venv.create(env_dir, with_pip=True)
    py = str(env_dir / "bin" / "python")
    pins = [f"{k}=={v}" for k, v in minimum_versions().items()]
    cfg = configparser.ConfigParser(); cfg.read(ROOT / "settings.ini")
    rest = [r for r in cfg["DEFAULT"]["requirements"].split() if not r.startswith(CHECKED + ("torch",))]
    r = subprocess.run([py, "-m", "pip", "install", "-q", "torch==2.13.0", *pins, *rest], capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([py, "-c", CHECK], capture_output=True, text=True, timeout=900, cwd=tmp_path,
                       env=dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1"))
    print(r.stdout)
    assert r.returncode == 0, r.stderr[-4000:]
    want = minimum_versions()
    assert "versions " + " ".join(want[k] + ".0" for k in CHECKED) in r.stdout     # e.g. 0.37 -> 0.37.0
    assert "end-to-end OK" in r.stdout
