"""The real-model recipe (README, "Real models on a GPU") run on the CPU at tiny size, end to end through the command line:
an SD 1.x folder + an AnimateDiff motion adapter -> `huvidpo make-base` -> `huvidpo train-motion --trainable lamp` on a
folder of mp4 clips -> `huvidpo sample` -> `huvidpo candidates` -> labels (LabelingWidget) -> `huvidpo train-dpo` ->
`huvidpo sample --lora`. make-base, train-motion, train-dpo and sample run as separate processes of the console script;
candidates and validate go through the same `huvidpo_nb.cli.main` in this process (two interpreter start-ups saved).
The SD and adapter folders are built in code with SD 1.5's layout and tiny channels."""
import json, os, subprocess, sys
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from safetensors.torch import load_file

from huvidpo_nb.video import write_video, read_video, to_uint8

PROMPT = "a person doing jumping jacks"
F, SIZE = 8, 16                                        # frames; pixels = UNet sample_size 8 x VAE scale factor 2
HUVIDPO = Path(sys.executable).parent / "huvidpo"      # the console script of this environment


def _huvidpo(*args, timeout=180):
    "Run `huvidpo ...` as a process; fail with its output unless it exits 0."
    args = [str(a) for a in args]
    from huvidpo_nb import cli
    if args[0] == "make-base" and "make-base" not in cli.COMMANDS:     # until the CLI lists it: call the same function
        cmd = [sys.executable, "-c", "import sys; from huvidpo_nb.cli import make_base_main; "
               "sys.exit(make_base_main(sys.argv[1:]))", *args[1:]]
    else: cmd = [str(HUVIDPO), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, f"{' '.join(args[:1])} exited {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}"
    return r.stdout


def make_tiny_sd(root:Path):
    "A Stable Diffusion 1.x folder (SD 1.5's block types and schedule, tiny channels) and a MotionAdapter that fits it."
    from diffusers import (AutoencoderKL, MotionAdapter, PNDMScheduler, StableDiffusionPipeline, UNet2DConditionModel)
    from huvidpo_nb.models import make_toy_text_encoder
    torch.manual_seed(0)
    unet = UNet2DConditionModel(sample_size=SIZE // 2, in_channels=4, out_channels=4, layers_per_block=2,
                                block_out_channels=(16, 32, 32, 32), down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
                                up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3, cross_attention_dim=32,
                                attention_head_dim=8, norm_num_groups=8)
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 2,
                        up_block_types=("UpDecoderBlock2D",) * 2, block_out_channels=(8, 16), latent_channels=4,
                        norm_num_groups=4, sample_size=SIZE)
    tokenizer, text_encoder = make_toy_text_encoder([PROMPT, "a person waving"])
    scheduler = PNDMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000,
                              set_alpha_to_one=False, skip_prk_steps=True, steps_offset=1)
    StableDiffusionPipeline(vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
                            safety_checker=None, feature_extractor=None,
                            requires_safety_checker=False).save_pretrained(root / "sd")
    adapter = MotionAdapter(block_out_channels=(16, 32, 32, 32), motion_layers_per_block=2, motion_num_attention_heads=4,
                            motion_norm_num_groups=8, motion_max_seq_length=32, use_motion_mid_block=True)
    with torch.no_grad():                              # a fresh adapter's output layers are zero; a trained one's are not
        for n, p in adapter.named_parameters():
            if n.endswith("proj_out.weight"): p.normal_(0, 0.02)
    adapter.save_pretrained(root / "adapter")
    return root / "sd", root / "adapter"


def moving_square(seed:int, frames:int=10, h:int=24, w:int=32) -> torch.Tensor:
    "A `c f h w` clip in [-1, 1] (larger than the model's frames: train-motion resizes and crops): a square moving right."
    g = np.random.default_rng(seed)
    bg, fg = g.uniform(-1, 0, 3), g.uniform(0, 1, 3)
    v = np.tile(bg[:, None, None, None], (1, frames, h, w))
    y = int(g.integers(2, h - 8))
    for f in range(frames): v[:, f, y:y + 6, 2 + 2 * f:8 + 2 * f] = fg[:, None, None]
    return torch.from_numpy(v).float()


def _lamp_key(k:str) -> bool:
    "LAMP's stage-1 set (`models.lamp_trainable_parameters`): motion modules and spatial `attn1.to_q`."
    return "motion_modules" in k.split(".") or (".attn1.to_q." in k and ".transformer_blocks." in k and "motion" not in k)


def test_real_model_recipe_end_to_end(tmp_path):
    from huvidpo_nb.data import first_frame_group
    from huvidpo_nb.label import LabelingWidget
    from huvidpo_nb.pipeline import HuViDPOPipeline
    sd, adapter = make_tiny_sd(tmp_path)
    base0, runs, data = tmp_path / "base", tmp_path / "runs", tmp_path / "prefs"

    # 1. make-base: SD 1.x + motion adapter -> a base folder
    out = _huvidpo("make-base", "--sd", sd, "--motion-adapter", adapter, "--out", base0, "--num-frames", F,
                   "--attention-mode", "first+prev")
    assert f"train-motion --size {SIZE}" in out, out
    assert (base0 / "model_index.json").is_file() and (base0 / "vae").is_dir()

    # 2. LAMP stage 1 on a folder of clips of one action: only the temporal layers and attn1.to_q may change
    clips = tmp_path / "clips"; clips.mkdir()
    for i in range(3): write_video(clips / f"clip{i}.mp4", moving_square(i))
    _huvidpo("train-motion", "--pretrained", base0, "--trainable", "lamp", "--video-dir", clips, "--prompt", PROMPT,
             "--num-frames", F, "--size", SIZE, "--batch-size", 1, "--lr", 1e-3, "--warmup-steps", 0, "--max-steps", 2,
             "--mixed-precision", "bf16", "--output-dir", runs / "motion", "--no-progress")
    base = runs / "motion" / "final"
    assert json.loads((runs / "motion" / "config.json").read_text())["mixed_precision"] == "bf16"
    before, after = (load_file(b / "unet" / "diffusion_pytorch_model.safetensors") for b in (base0, base))
    assert sorted(before) == sorted(after)
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    lamp = {k for k in before if _lamp_key(k)}
    assert changed and changed <= lamp, sorted(changed - lamp)[:5]
    assert any(".attn1.to_q." in k for k in changed) and any("motion_modules" in k for k in changed)
    assert len(changed) > 0.9 * len(lamp), (len(changed), len(lamp))
    for part, f in [("vae", "diffusion_pytorch_model.safetensors"), ("text_encoder", "model.safetensors")]:
        a, b = load_file(base0 / part / f), load_file(base / part / f)
        assert all(torch.equal(a[k], b[k]) for k in a), f"{part} changed in train-motion"

    # 3. sample with the trained base from a first-frame image: latent space, frame 0 is the VAE's reconstruction
    first = moving_square(7, frames=1, h=SIZE, w=SIZE)[:, 0]                    # c h w
    Image.fromarray(to_uint8(first[:, None])[0]).save(tmp_path / "first.png")
    sample = ["sample", base, "--prompt", PROMPT, "--first-frame", tmp_path / "first.png", "--steps", 2, "--seed", 1, "--quiet"]
    _huvidpo(*sample, "--out", tmp_path / "base.mp4")
    vid = read_video(tmp_path / "base.mp4")
    assert vid.shape == (3, F, SIZE, SIZE)
    pipe = HuViDPOPipeline.from_pretrained(base); pipe.set_progress_bar_config(disable=True)
    assert pipe.vae is not None and pipe.config.num_frames == F
    png = torch.from_numpy(np.array(Image.open(tmp_path / "first.png"))).permute(2, 0, 1).float() / 127.5 - 1
    with torch.no_grad(): recon = pipe.decode_latents(pipe.encode_first_frame(png)[:, :, None])[0]
    assert np.array_equal(to_uint8(vid[:, :1]), to_uint8(recon)), "frame 0 is not the VAE round trip of the first frame"

    # 4. candidates from first-frame images, then labels in pairs (the LabelingWidget's buttons, pressed in code)
    ffs = tmp_path / "first_frames"; ffs.mkdir()
    for j in range(2): Image.fromarray(to_uint8(moving_square(20 + j, frames=1, h=SIZE, w=SIZE))[0]).save(ffs / f"f{j}.png")
    from huvidpo_nb.cli import main                          # `huvidpo candidates` and `huvidpo validate`, in this process
    assert main([str(a) for a in ("candidates", base, "--out", data, "--category", "jumping_jacks", "--prompt", PROMPT,
                                  "--first-frames", ffs, "--num-first-frames", 2, "--samples-per-frame", 2, "--steps", 2,
                                  "--seed", 0)]) == 0
    assert len(list((data / "jumping_jacks" / "videos").glob("ff*_s*.mp4"))) == 4
    w = LabelingWidget(data, "jumping_jacks", mode="pair", group=first_frame_group, annotator="test")
    assert w.progress == (0, 2), w.progress                                      # one pair per first frame
    while not w.done: w.left() if w.current[0] < w.current[1] else w.right()    # a stand-in for a person's choice
    assert main(["validate", str(data), "--num-frames", str(F), "--size", str(SIZE)]) == 0

    # 5. HuViDPO stage 2: a LoRA trained with DPO on the pairs, mixed precision as on the GPU
    _huvidpo("train-dpo", "--base", base, "--data-root", data, "--max-steps", 2, "--lr", 1e-2, "--lora-rank", 4,
             "--lora-alpha", 8, "--mixed-precision", "bf16", "--output-dir", runs / "dpo", "--no-progress")
    lora = runs / "dpo" / "final"
    assert json.loads((runs / "dpo" / "config.json").read_text())["mixed_precision"] == "bf16"
    assert any("lora_B" in k and v.abs().max() > 0 for k, v in load_file(lora / "pytorch_lora_weights.safetensors").items())

    # 6. sample with the LoRA: same seed and first frame, a different video; and the same as the LoRA loaded in Python
    _huvidpo(*sample, "--lora", lora, "--out", tmp_path / "lora.mp4")
    vid_lora = read_video(tmp_path / "lora.mp4")
    assert torch.equal(vid_lora[:, 0], vid[:, 0])                                # frame 0 is the condition either way
    assert (vid_lora[:, 1:] - vid[:, 1:]).abs().mean() > 1e-3, "the LoRA did not change the video"
    kw = dict(num_inference_steps=2, output_type="pt")
    want = pipe(PROMPT, Image.open(tmp_path / "first.png"), generator=torch.Generator().manual_seed(1), **kw).frames[0]
    assert np.array_equal(to_uint8(want), to_uint8(vid))
    pipe.load_lora(lora)
    want = pipe(PROMPT, Image.open(tmp_path / "first.png"), generator=torch.Generator().manual_seed(1), **kw).frames[0]
    assert np.array_equal(to_uint8(want), to_uint8(vid_lora))


def test_make_base_errors_name_the_missing_part(tmp_path, capsys):
    import shutil
    from huvidpo_nb.cli import make_base_main
    sd, adapter = make_tiny_sd(tmp_path)
    shutil.copytree(sd, tmp_path / "no_tok", ignore=shutil.ignore_patterns("tokenizer"))
    for argv, msg in [(["--sd", tmp_path / "no_tok"], "missing tokenizer/"),
                      (["--sd", tmp_path / "missing"], "no such folder"),
                      (["--sd", sd, "--motion-adapter", sd], "--motion-adapter"),
                      (["--sd", sd, "--num-frames", "1"], "num_frames must be an int >= 2")]:
        code = make_base_main([str(a) for a in argv] + ["--out", str(tmp_path / "b")])
        err = capsys.readouterr().err
        assert code == 2 and msg in err, (argv, code, err)
    assert not (tmp_path / "b").exists()
