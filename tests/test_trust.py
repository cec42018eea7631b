"""Issue 15, "trust": no run loses data, every bad input gets a one-line answer (exit 2), no user error prints a
traceback. Each test names the issue item it covers; all of them failed before the fix. Tiny toy runs, in this process."""
import json, os, subprocess, sys
from pathlib import Path
import pytest
import torch
from PIL import Image

from huvidpo_nb.train import MotionConfig
from huvidpo_nb.runs import train_motion, read_log, list_checkpoints
from huvidpo_nb.cli import train_dpo_main
from huvidpo_nb.data import write_toy_dataset
from huvidpo_nb.cli import sample_main
from huvidpo_nb.cli import candidates_main
from huvidpo_nb.video import write_video
from huvidpo_nb.toyworld import render


def dpo(toy, out, *extra, data=None):
    return ["--base", toy["base"], "--data-root", data or toy["data"], "--output-dir", str(out), "--beta", "5000",
            "--batch-size", "1", "--no-progress", *map(str, extra)]


def one_line_error(capsys, code, want_code=2):
    "The command's stderr, after checking its exit code and that it holds no traceback."
    err = capsys.readouterr().err
    assert code == want_code, err
    assert "Traceback" not in err, err
    return err


def test_item1_new_run_into_a_used_folder_is_refused(toy, tmp_path, capsys):
    "Item 1: a second run into a folder holding a run exits 2 and leaves the first run as it was; --overwrite replaces it."
    run = tmp_path / "R"
    assert train_dpo_main(dpo(toy, run, "--max-steps", 3, "--checkpoint-every", 1)) == 0
    before = (run / "log.jsonl").read_text(), sorted(p.name for p in list_checkpoints(run))
    capsys.readouterr()
    err = one_line_error(capsys, train_dpo_main(dpo(toy, run, "--max-steps", 2, "--seed", 1)))
    assert "holds another run" in err and "--resume" in err and "--overwrite" in err
    assert ((run / "log.jsonl").read_text(), sorted(p.name for p in list_checkpoints(run))) == before
    assert train_dpo_main(dpo(toy, run, "--max-steps", 2, "--seed", 1, "--checkpoint-every", 1, "--overwrite")) == 0
    assert [r["step"] for r in read_log(run)] == [0, 1]
    assert [p.name for p in list_checkpoints(run)] == ["step_00000001", "step_00000002"]
    assert json.loads((run / "config.json").read_text())["seed"] == 1


def test_item7_resume_with_other_options_names_them(toy, tmp_path, capsys):
    "Item 7: --resume with changed LoRA options says which option differs (no traceback); same options continue."
    run = tmp_path / "R7"
    assert train_dpo_main(dpo(toy, run, "--max-steps", 2, "--checkpoint-every", 1)) == 0
    capsys.readouterr()
    err = one_line_error(capsys, train_dpo_main(dpo(toy, run, "--max-steps", 3, "--resume", "--lora-rank", 8)))
    assert "--lora-rank is 8, the run's is 16" in err
    assert train_dpo_main(dpo(toy, run, "--max-steps", 3, "--checkpoint-every", 1, "--resume")) == 0
    assert [r["step"] for r in read_log(run)] == [0, 1, 2]


def test_item2_a_poisoned_checkpoint_is_never_named_or_resumed(toy, tmp_path, capsys):
    "Item 2: after a non-finite stop the message names a checkpoint whose weights trained finitely, or says there is none."
    run = tmp_path / "R2"
    code = train_dpo_main(dpo(toy, run, "--max-steps", 6, "--checkpoint-every", 1, "--lr", 1e6))
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err, err
    stop = read_log(run)[-1]
    assert "stopped" in stop, stop
    bad = run / "checkpoints" / f"step_{stop['step']:08d}"
    if bad.exists(): assert (bad / "poisoned.json").exists()
    assert f"step_{stop['step']:08d}" not in err                       # the checkpoint it ran from is not "good"
    # following the message's advice continues without stopping at once
    assert train_dpo_main(dpo(toy, run, "--max-steps", 3, "--checkpoint-every", 1, "--resume", "--lr", 1e-4)) == 0, capsys.readouterr().err
    assert all("stopped" not in r for r in read_log(run))


def test_item3_torn_last_line_and_skip_invalid(toy, tmp_path, capsys):
    "Item 3: a torn last line trains with a warning; a bad entry names --skip-invalid, and --skip-invalid trains."
    import shutil
    from huvidpo_nb.data import repair_torn_jsonl
    data = Path(shutil.copytree(toy["data"], tmp_path / "data"))
    sf = data / "ball_rolls_right" / "scores.jsonl"
    sf.write_bytes(sf.read_bytes() + b'{"video": "clip_000')
    assert train_dpo_main(dpo(toy, tmp_path / "a", "--max-steps", 1, data=str(data))) == 0, capsys.readouterr().err
    sf.write_bytes(b'{"video": 3}\n' + sf.read_bytes())                  # a bad entry, not at the end
    capsys.readouterr()
    err = one_line_error(capsys, train_dpo_main(dpo(toy, tmp_path / "b", "--max-steps", 1, data=str(data))))
    assert "--skip-invalid" in err
    assert train_dpo_main(dpo(toy, tmp_path / "c", "--max-steps", 1, "--skip-invalid", data=str(data))) == 0
    assert "torn line" in repair_torn_jsonl(sf) and sf.read_bytes().endswith(b"\n")
    assert sf.with_name(sf.name + ".torn").read_bytes() == b'{"video": "clip_000\n'     # the fragment is kept, not dropped


def test_item4_5_dataset_that_does_not_fit_the_base(toy, tmp_path, capsys):
    "Items 4, 5: one odd video is a validate problem without options; a dataset of another size or frame count is refused."
    from huvidpo_nb.cli import validate_main
    big = write_toy_dataset(tmp_path / "big", categories=["rain"], videos_per_category=3, size=24)
    err = one_line_error(capsys, train_dpo_main(dpo(toy, tmp_path / "r1", "--max-steps", 1, data=str(big))))
    assert "24x24" in err and "16x16" in err
    long = write_toy_dataset(tmp_path / "long", categories=["rain"], videos_per_category=3, num_frames=10)
    err = one_line_error(capsys, train_dpo_main(dpo(toy, tmp_path / "r2", "--max-steps", 1, data=str(long))))
    assert "10 frames" in err and "--num-frames 8" in err
    assert train_dpo_main(dpo(toy, tmp_path / "r3", "--max-steps", 1, "--num-frames", 8, data=str(long))) == 0
    mixed = write_toy_dataset(tmp_path / "mixed", categories=["rain"], videos_per_category=3)
    write_video(mixed / "rain" / "videos" / "clip_00001.mp4", render("rain", 1, num_frames=6, size=16))
    capsys.readouterr()
    assert validate_main([str(mixed)]) == 1
    assert "clip_00001.mp4: has 6 frames of 16x16" in capsys.readouterr().out
    err = one_line_error(capsys, train_dpo_main(dpo(toy, tmp_path / "r4", "--max-steps", 1, data=str(mixed))))
    assert "has 6 frames" in err


@pytest.fixture(scope="module")
def first_png(toy):
    p = toy["root"] / "first.png"
    Image.new("RGB", (16, 16), (200, 30, 30)).save(p)
    return p


def test_item6_bad_lora_folders(toy, tmp_path, first_png, capsys):
    "Item 6: a LoRA from another base, an empty folder, a file, a truncated safetensors: one line each, exit 2."
    from huvidpo_nb.models import build_video_unet, add_lora, save_lora
    u = build_video_unet("toy", cross_attention_dim=16)
    add_lora(u, rank=4); save_lora(u, tmp_path / "other")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    trunc = tmp_path / "trunc"; trunc.mkdir()
    src = (tmp_path / "other" / "pytorch_lora_weights.safetensors").read_bytes()
    (trunc / "pytorch_lora_weights.safetensors").write_bytes(src[: len(src) // 2])
    args = [toy["base"], "--prompt", "a ball", "--first-frame", str(first_png), "--steps", "1", "--quiet", "--out", str(tmp_path / "x.mp4")]
    for folder, words in [("other", "made for another base"), ("empty", "holds no pytorch_lora_weights"),
                          ("file", "is a file"), ("trunc", "cannot be read as safetensors")]:
        with pytest.raises(SystemExit) as e: sample_main(args + ["--lora", str(tmp_path / folder)])
        err = capsys.readouterr().err
        assert e.value.code == 2 and words in err and str(tmp_path / folder) in err and "Traceback" not in err, (folder, err)


def test_item9_sample_options_are_checked_before_loading(toy, tmp_path, first_png, capsys):
    "Item 9: --out a folder, --fps 0, --device cuda without CUDA, a huge seed, --guidance nan: exit 2 before any load."
    args = [str(tmp_path / "no_such_pipeline"), "--prompt", "a ball", "--first-frame", str(first_png), "--quiet"]
    cases = [(["--out", str(tmp_path)], "is a folder"), (["--fps", "0"], "--fps must be"), (["--seed", str(2**70)], "--seed must be"),
             (["--guidance", "nan"], "--guidance must be a finite"), (["--steps", "0"], "--steps must be")]
    if not torch.cuda.is_available(): cases.append((["--device", "cuda"], "CUDA is not available"))
    for extra, words in cases:
        with pytest.raises(SystemExit) as e: sample_main(args + extra)
        err = capsys.readouterr().err
        assert e.value.code == 2 and words in err, (extra, err)


def test_item10_candidates_non_image_first_frame(toy, tmp_path, capsys):
    "Item 10: a .png that is not an image in --first-frames is one line, exit 2."
    ff = tmp_path / "ff"; ff.mkdir()
    (ff / "a.png").write_bytes(b"not a png")
    with pytest.raises(SystemExit) as e:
        candidates_main([toy["base"], "--out", str(tmp_path / "c"), "--category", "jj", "--prompt", "jumping",
                         "--first-frames", str(ff)])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "cannot read" in err and "a.png" in err


@pytest.mark.slow
def test_item10_ctrl_c_is_one_line(toy, tmp_path):
    "Item 10: SIGINT during a command: one line, exit 130."
    import signal, time
    huvidpo = Path(sys.executable).with_name("huvidpo")
    cmd = [str(huvidpo), "train-dpo", *dpo(toy, tmp_path / "int", "--max-steps", 100000)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, OMP_NUM_THREADS="1"))
    deadline = time.time() + 120
    while not (tmp_path / "int" / "log.jsonl").exists() and time.time() < deadline and p.poll() is None: time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err[-2000:]
    assert err.strip().splitlines()[-1] == "huvidpo train-dpo: interrupted" and "Traceback" not in err, err[-2000:]


def test_item11_quiet_prints_no_bar(toy, tmp_path, first_png, capfd):
    "Item 11: `sample --quiet` prints no bar at all, the loading bars included."
    from diffusers.utils import logging as dlog
    dlog.enable_progress_bar()
    assert sample_main([toy["base"], "--prompt", "a ball", "--first-frame", str(first_png), "--steps", "2",
                        "--quiet", "--out", str(tmp_path / "q.mp4")]) == 0
    err = capfd.readouterr().err
    assert "it/s" not in err and "%|" not in err, err


@pytest.mark.slow
def test_item11_bar_in_a_log_file(toy, tmp_path):
    "Item 11: train-dpo's bar written to a file (not a terminal) is not a line per step."
    huvidpo = Path(sys.executable).with_name("huvidpo")
    args = dpo(toy, tmp_path / "bar", "--max-steps", 20, "--checkpoint-every", 20)
    args.remove("--no-progress")
    r = subprocess.run([str(huvidpo), "train-dpo", *args], capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))
    assert r.returncode == 0, r.stderr[-2000:]
    updates = r.stderr.count("\r") + r.stderr.count("\n")
    assert updates < 10, r.stderr                                        # 20 steps, not 20 lines


def test_item15_sampling_tricks_reachable_from_candidates(toy, tmp_path):
    "Item 15: LAMP's inference tricks from `huvidpo candidates`, which change the videos."
    base = ["--out", str(tmp_path / "c"), "--category", "rain", "--num-first-frames", "1", "--samples-per-frame", "1", "--steps", "2"]
    assert candidates_main([toy["base"], *base, "--prefix", "a_"]) == 0
    assert candidates_main([toy["base"], *base, "--prefix", "b_", "--shared-noise", "0.2", "--adain", "--histogram-match"]) == 0
    from huvidpo_nb.video import read_video
    a = read_video(tmp_path / "c" / "rain" / "videos" / "a_ff000_s00.mp4")
    b = read_video(tmp_path / "c" / "rain" / "videos" / "b_ff000_s00.mp4")
    assert not torch.equal(a, b)


def test_item15_lora_init_and_vae_latent_are_options(toy, tmp_path):
    "Item 15: --lora-init gaussian and --vae-latent sample reach the run (config.json) and train."
    run = tmp_path / "g"
    assert train_dpo_main(dpo(toy, run, "--max-steps", 1, "--lora-init", "gaussian", "--vae-latent", "sample")) == 0
    cfg = json.loads((run / "config.json").read_text())
    assert cfg["lora_init"] == "gaussian" and cfg["vae_latent"] == "sample"
