"""`huvidpo evaluate` end to end on the tiny SD 1.5-layout model of `test_real_model_path.py` (VAE, latent space) with a
tiny random CLIP saved by `save_pretrained`, and the CLIP metrics against direct computations on hand-made frames."""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import torch
from PIL import Image

from huvidpo_nb.real import CLIPScorer, clip_video_metrics, tiny_clip
from huvidpo_nb.video import to_uint8, read_video
from test_real_model_path import PROMPT, SIZE, make_tiny_sd, moving_square

HUVIDPO = Path(sys.executable).parent / "huvidpo"


def test_clip_metrics_on_hand_made_frames(tmp_path):
    clip = CLIPScorer(tiny_clip(tmp_path / "clip", prompts=[PROMPT]))
    x = moving_square(3, frames=1, h=SIZE, w=SIZE)[:, 0]                             # c h w
    static, flicker = x[:, None].repeat(1, 4, 1, 1), torch.stack([x, -x, x, -x], 1)
    m = clip_video_metrics(clip, torch.stack([static, flicker]), [PROMPT] * 2)
    e_x, e_neg = clip.embed_frames(torch.stack([x, -x]))                             # direct: one embedding per frame
    u = clip.embed_text([PROMPT])[0]
    assert abs(m["clip_frame"][0] - 1.0) < 1e-5                                      # identical frames: consistency 1
    assert abs(m["clip_frame"][1] - float(e_x @ e_neg)) < 1e-5 and m["clip_frame"][1] < 1 - 1e-3   # x, -x: less
    assert abs(m["clip_text"][0] - float(e_x @ u)) < 1e-5                            # frames 1.. are all x
    assert abs(m["clip_text"][1] - float((e_neg @ u + e_x @ u + e_neg @ u) / 3)) < 1e-5


def _random_lora(base, out, seed):
    "A LoRA with random non-zero weights on the base's UNet, saved as `huvidpo train-dpo` saves one."
    from huvidpo_nb.demo import load_pipeline
    from huvidpo_nb.models import add_lora, save_lora
    torch.manual_seed(seed)
    pipe = load_pipeline(base); add_lora(pipe.unet, rank=4, alpha=8, dropout=0.0)
    with torch.no_grad():
        for n, p in pipe.unet.named_parameters():
            if "lora_B" in n: p.normal_(0, 0.05)
    return save_lora(pipe.unet, out)


def test_evaluate_cli_on_tiny_sd_model(tmp_path):
    from huvidpo_nb.cli import make_base_main
    sd, adapter = make_tiny_sd(tmp_path)
    base = tmp_path / "base"
    assert make_base_main([str(a) for a in ("--sd", sd, "--motion-adapter", adapter, "--out", base, "--num-frames", 4)]) == 0
    loras = [_random_lora(base, tmp_path / name / "final", seed) for seed, name in enumerate(["dpo", "sft"])]
    ffs = tmp_path / "first_frames"; ffs.mkdir()
    for j in range(3): Image.fromarray(to_uint8(moving_square(30 + j, frames=1, h=SIZE, w=SIZE))[0]).save(ffs / f"f{j}.png")
    (tmp_path / "prompts.txt").write_text(PROMPT + "\n")
    (tmp_path / "scorer").mkdir()                                                    # a user-supplied image scorer
    (tmp_path / "scorer" / "scorer.py").write_text("def load_scorer(folder, device):\n    return lambda frames: frames.mean((1, 2, 3))\n")
    clip = tiny_clip(tmp_path / "clip", prompts=[PROMPT])
    out = tmp_path / "report"
    r = subprocess.run([str(HUVIDPO), "evaluate", "--base", str(base), "--lora", str(loras[0]), "--lora", f"sft={loras[1]}",
                        "--prompts", str(tmp_path / "prompts.txt"), "--first-frames", str(ffs), "--samples-per-input", "2",
                        "--clip", str(clip), "--scorer", str(tmp_path / "scorer"), "--steps", "2", "--n-grid", "4",
                        "--out", str(out)], capture_output=True, text=True, timeout=300, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    assert "sampling" in r.stderr and "18/18" in r.stderr                           # the progress bar: 3 models x 6 videos
    assert "**dpo vs base**" in r.stdout and "CLIP frame consistency" in r.stdout and "report.md" in r.stdout
    res = json.loads((out / "results.json").read_text())
    assert list(res["comparison"]["models"]) == ["base", "dpo", "sft"]              # the LoRA named after final/'s parent
    for name in ("dpo", "sft"):
        p = res["comparison"]["paired"][name]
        assert set(p) == {"clip_text", "clip_frame", "temporal", "scorer"}
        for k, v in p.items():
            a, b = np.array(res["per_video"][name][k]), np.array(res["per_video"]["base"][k])
            assert abs(v["diff"][0] - (a - b).mean()) < 1e-5 and v["diff"][1] <= v["diff"][0] <= v["diff"][2], (name, k)
            assert 0 <= v["win_rate"][1] <= v["win_rate"][0] <= v["win_rate"][2] <= 1
        assert min(res["per_video"][name]["drift"]) > 0                              # the LoRA changed every video
    assert res["noise_seeds"][0] != res["noise_seeds"][1] and len(res["per_video"]["base"]["clip_text"]) == 6
    grid = read_video(out / "grid.mp4")
    assert grid.shape == (3, 4, 3 * (SIZE + 2) * 4, 4 * (SIZE + 2) * 4)             # 3 models x 4 videos, 4x upscaled
    assert (out / "grid.gif").is_file() and (out / "before_after.png").is_file()
    assert "| sft |" in (out / "report.md").read_text()


def test_evaluate_cli_errors_name_the_option(tmp_path, capsys):
    import pytest
    from huvidpo_nb.cli import evaluate_main
    from huvidpo_nb.evaluate import default_base_path
    (tmp_path / "p.txt").write_text("a\nb\n"); (tmp_path / "ff").mkdir()
    for j in range(3): Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "ff" / f"{j}.png")
    for argv, msg in [(["--toy", "ball_falls", "--lora", f"x={tmp_path / 'none'}"], "--lora x="),
                      (["--base", str(tmp_path), "--toy", "rain"], "not a pipeline folder"),
                      (["--base", str(default_base_path()), "--first-frames", str(tmp_path / "ff"), "--prompts",
                        str(tmp_path / "p.txt")], "2 prompts for 3 images"),
                      (["--first-frames", str(tmp_path / "ff"), "--base", str(default_base_path())], "needs --prompts"),
                      (["--toy", "rain", "--clip", str(tmp_path)], "not a CLIP folder"),
                      (["--toy", "juggling"], "unknown categories")]:
        with pytest.raises(SystemExit) as e: evaluate_main(argv)
        assert e.value.code == 2 and msg in capsys.readouterr().err, argv
