"""Training behaviour that notebook cells cannot check: a run killed with SIGKILL and resumed ends where an
uninterrupted run ends (bit for bit), two processes (torchrun, gloo) train like one, and the commands' --help."""
import os, signal, subprocess, sys, time
from pathlib import Path
import pytest
import torch
from safetensors.torch import load_file

from huvidpo_nb.train import DPOConfig, MotionConfig
from huvidpo_nb.runs import train_dpo, train_motion, list_checkpoints, read_log
from huvidpo_nb.cli import train_dpo_main, train_motion_main

ENTRY = "import sys; from huvidpo_nb.cli import train_dpo_main; sys.exit(train_dpo_main(sys.argv[1:]))"
ENV = dict(os.environ, OMP_NUM_THREADS="1", TOKENIZERS_PARALLELISM="false")

def _args(toy, out, **kw):
    opts = {**dict(base=toy["base"], data_root=toy["pairs"], output_dir=str(out), beta=5000, max_steps=6, batch_size=1,
                   checkpoint_every=2, seed=3), **kw}
    args = []
    for k, v in opts.items(): args += [f"--{k.replace('_', '-')}", str(v)]
    return args + ["--no-progress"]

def _lora(run_dir):
    return load_file(Path(run_dir) / "final" / "pytorch_lora_weights.safetensors")

def test_sigkill_then_resume_is_bitwise_identical(toy, tmp_path):
    "SIGKILL right after the first checkpoint, resume in a new process: the same LoRA, bit for bit, and the same log."
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, *_args(toy, killed)], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    while not list_checkpoints(killed) and proc.poll() is None and time.time() < deadline: time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, f"the run ended on its own (rc {proc.returncode}): {proc.stderr.read()[-2000:]}"
    steps_before = [r["step"] for r in read_log(killed)]
    assert steps_before and steps_before[-1] < 5, steps_before
    r = subprocess.run([sys.executable, "-c", ENTRY, *_args(toy, killed), "--resume"], env=ENV, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "resume: continuing from" in r.stdout + r.stderr
    train_dpo(DPOConfig(base=toy["base"], data_root=toy["pairs"], output_dir=str(straight), beta=5000.0, max_steps=6,
                        batch_size=1, checkpoint_every=2, seed=3, progress=False))            # in this process
    a, b = _lora(killed), _lora(straight)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), "resumed run differs from the uninterrupted one"
    assert [x["loss"] for x in read_log(killed)] == [x["loss"] for x in read_log(straight)]

# Tolerance: after 3 steps every LoRA tensor of the two runs agrees to 1e-3 of that tensor's largest entry (measured on
# a 2-core CPU: 1.2e-8 absolute, about 4e-5 relative, for lora_B of size ~3e-4). Not bitwise: each process runs a
# batch of 1 instead of 2 (other float summation orders), and DDP averages the two gradients in its own order.
REL_TOL = 1e-3

def test_two_processes_match_one(toy, tmp_path):
    "torchrun --nproc_per_node 2 (gloo) with 1 pair per process == 1 process with 2 pairs, within TOL."
    one, two = tmp_path / "one", tmp_path / "two"
    common = dict(max_steps=3, batch_size=2, checkpoint_every=3, lora_dropout=0.0)
    r = subprocess.run([sys.executable, "-c", ENTRY, *_args(toy, one, **common)], env=ENV, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    torchrun = Path(sys.executable).with_name("torchrun")
    cmd = [str(torchrun), "--standalone", "--nproc_per_node", "2", "--no-python", sys.executable, "-c", ENTRY,
           *_args(toy, two, **common)]
    r = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    ckpt = list_checkpoints(two)[-1]
    state = __import__("json").loads((ckpt / "state.json").read_text())
    assert state["num_processes"] == 2, state                                   # two processes really ran...
    assert (ckpt / "rng_0.safetensors").exists() and (ckpt / "rng_1.safetensors").exists()   # ...and both wrote
    a, b = _lora(one), _lora(two)
    assert a.keys() == b.keys()
    rel = {k: ((a[k] - b[k]).abs().max() / a[k].abs().max().clamp_min(1e-12)).item() for k in a}
    moved = max(a[k].abs().max().item() for k in a if "lora_B" in k)
    print(f"max |one - two| = {max((a[k] - b[k]).abs().max().item() for k in a):.2e}; "
          f"max relative = {max(rel.values()):.2e}; max |lora_B| = {moved:.2e}")
    assert moved > 1e-5                                                         # the LoRA did train (B starts at 0)
    assert max(rel.values()) <= REL_TOL, sorted(rel.items(), key=lambda kv: -kv[1])[:3]
    l1, l2 = read_log(one), read_log(two)
    print("losses, one process:", [x["loss"] for x in l1], "two:", [x["loss"] for x in l2])
    assert [x["loss"] for x in l1] == pytest.approx([x["loss"] for x in l2], rel=1e-3)   # beta 5000 amplifies float noise

@pytest.mark.parametrize("main,cls", [(train_dpo_main, DPOConfig), (train_motion_main, MotionConfig)])
def test_help_documents_every_option(main, cls, capsys):
    with pytest.raises(SystemExit) as e: main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for f in cls.__dataclass_fields__: assert "--" + f.replace("_", "-") in out, f
    assert "--resume" in out and "--config" in out

def test_bad_options_exit_2(tmp_path, capsys):
    assert train_dpo_main(["--output-dir", str(tmp_path), "--no-progress"]) == 2       # no --base
    assert "base is required" in capsys.readouterr().err
    assert train_dpo_main(["--base", str(tmp_path / "nothing"), "--data-root", str(tmp_path), "--output-dir", str(tmp_path)]) == 2
    assert "not a base folder" in capsys.readouterr().err

def test_gradient_checkpointing_gives_the_same_lora(toy, tmp_path):
    "A DPO run (LoRA dropout 0.1) with --gradient-checkpointing ends with the same LoRA and losses as one without."
    runs = {}
    for gc in (False, True):
        runs[gc] = train_dpo(DPOConfig(base=toy["base"], data_root=toy["pairs"], output_dir=str(tmp_path / f"gc{gc}"),
                                       beta=5000.0, max_steps=2, batch_size=2, checkpoint_every=2, seed=3, progress=False,
                                       gradient_checkpointing=gc))
    assert runs[True].unet.is_gradient_checkpointing and not runs[False].unet.is_gradient_checkpointing
    a, b = _lora(tmp_path / "gcFalse"), _lora(tmp_path / "gcTrue")
    assert a.keys() == b.keys()
    assert max(((a[k] - b[k]).abs().max() / a[k].abs().max().clamp_min(1e-12)).item() for k in a) <= 1e-5
    assert [x["loss"] for x in runs[True].history] == pytest.approx([x["loss"] for x in runs[False].history], rel=1e-5)

def test_accelerate_launch_mixed_precision_reaches_the_run(toy, tmp_path):
    "`accelerate launch --mixed_precision bf16 huvidpo train-dpo` (no --mixed-precision of ours) trains in bf16."
    accelerate, huvidpo = (Path(sys.executable).with_name(n) for n in ("accelerate", "huvidpo"))
    out = tmp_path / "launched"
    r = subprocess.run([str(accelerate), "launch", "--num_processes", "1", "--num_machines", "1", "--dynamo_backend", "no",
                        "--mixed_precision", "bf16", str(huvidpo), "train-dpo", *_args(toy, out, max_steps=1, checkpoint_every=1)],
                       env=ENV, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert __import__("json").loads((out / "config.json").read_text())["mixed_precision"] == "bf16"
