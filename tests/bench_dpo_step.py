"""Benchmarks of one DPO training step (not a test: run it by hand; `tests/test_bench_recipe.py` keeps --preset tiny alive).

    OMP_NUM_THREADS=1 python tests/bench_dpo_step.py [--steps 10] [--pairs 1] [--threads 1]        # the toy preset: (a), (b)
    python tests/bench_dpo_step.py --preset sd15 --device cuda                                     # the GPU recipe: (c)
    OMP_NUM_THREADS=1 python tests/bench_dpo_step.py --preset tiny --device cpu                    # (c) at tiny size

(a) our DPO step (reference and policy each one pass over [w; l], the reference = the same UNet with its LoRA
    disabled, under no_grad) against an official-style step (four separate UNet passes, a deep-copied frozen
    reference): time as a ratio, measured interleaved in one process; peak resident memory of each in its own child
    process (torch has no CPU peak-memory counter, so the kernel's high-water mark VmHWM of the child: not
    `getrusage(...).ru_maxrss`, which a child started by a large parent inherits from the parent at exec);
    and the reference copy's cost at SD-1.5 size, counted from the parameters of a meta-device model. The official
    reference is frozen (the official `new_train.py` calls `unet.requires_grad_(False)` before `copy.deepcopy(unet)`,
    so its reference passes, outside no_grad, build no graph). A hypothetical variant whose copy still requires grad
    (the backward runs through it too) is timed beside it as `hypothetical_ref_grad`: not what the official code does.
(b) our DPO step over an SFT step (the same LoRA, plain denoising loss on the pair's winners), beside the floor
    measured in the same run: (one forward-and-backward + one no-grad forward) / one forward-and-backward, on the
    same 2b videos.
(c) --preset sd15|tiny: the real-model recipe's cost. The SD 1.5 video UNet (or the tiny SD-layout model of
    tests/test_real_model_path.py) built from its config with random weights (the layout, not the weights, decides
    memory and speed); side by side in one run, 16 frames at 512x512 and 512x320 (tiny: 4 frames, 8x8 and 8x16
    latents), bf16 autocast, with and without gradient checkpointing: seconds per step and peak memory
    (`torch.cuda.max_memory_allocated`; on a CPU none is reported) of
      ours:     `train-dpo`'s step: fp32 base + LoRA (r16/alpha32), one no-grad reference pass with the adapter
                off and one policy pass, both over [w; l];
      official: `new_train.py`'s step: the base cast to the mixed-precision dtype and frozen, gradient checkpointing
                switched on before `copy.deepcopy` (so the copy has it too), a peft LoRA with fp32 weights on the
                original, four passes (policy w, policy l, reference w, reference l), MSE over frames 1..;
    and sampling one 16-frame video at 25 DDIM steps with classifier-free guidance (7.5) through `HuViDPOPipeline`,
    with fp32 weights (what `huvidpo sample` loads) and bf16 weights: seconds and peak memory. The VAE and text
    encoder have SD 1.5's sizes (the text encoder with a small vocabulary: the tokenizer is built offline).
Prints one JSON object (and a readable summary, for (c) a markdown table, on stderr).
"""
import argparse, copy, json, statistics, subprocess, sys, time
import torch
import torch.nn.functional as F

def build(pairs, seed=0, official=False, ref_grad=False):
    "A toy base with a HuViDPO LoRA (r16/alpha32, dropout 0), AdamW, one batch of pairs; plus a deep copy for official."
    from huvidpo_nb.models import build_video_unet, make_scheduler, make_toy_text_encoder, encode_prompt, add_lora
    torch.manual_seed(seed)
    unet = build_video_unet("toy", num_frames=8)
    ref_copy = copy.deepcopy(unet).requires_grad_(ref_grad) if official else None   # the official reference: a full copy
    params = add_lora(unet, rank=16, alpha=32, dropout=0.0)
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=1e-4, eps=1e-3)
    sched = make_scheduler("toy")
    tok, te = make_toy_text_encoder(["a ball rolling to the right"])
    g = torch.Generator().manual_seed(seed)
    x_w, x_l = (torch.rand(pairs, 3, 8, 16, 16, generator=g) * 2 - 1 for _ in range(2))
    x_l[:, :, 0] = x_w[:, :, 0]
    batch = dict(x_w=x_w, x_l=x_l, noise=torch.randn(pairs, 3, 8, 16, 16, generator=g),
                 t=torch.randint(1000, (pairs,), generator=g), text=encode_prompt(tok, te, ["a ball rolling to the right"] * pairs))
    return unet, ref_copy, params, opt, sched, batch

def ours_step(unet, params, opt, sched, b, beta=50.0):
    from huvidpo_nb.train import dpo_loss_on_pairs
    out = dpo_loss_on_pairs(unet, sched, b["x_w"], b["x_l"], b["noise"], b["t"], b["text"], beta=beta)
    out.loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); opt.zero_grad(set_to_none=True)
    return out.loss.item()

def official_step(unet, ref_copy, params, opt, sched, b, beta=50.0):
    "HuViDPO's code structure: w and l in separate passes, policy and a deep-copied reference (not under no_grad)."
    from huvidpo_nb.conditioning import add_noise_keep_first
    from huvidpo_nb.loss import video_mse
    from huvidpo_nb.models import video_unet_forward
    from huvidpo_nb.train import prediction_target
    E = {}
    for name, x0 in (("w", b["x_w"]), ("l", b["x_l"])):
        x_t = add_noise_keep_first(sched, x0, b["noise"], b["t"])
        y = prediction_target(sched, x0, b["noise"], b["t"])
        E["theta", name] = video_mse(video_unet_forward(unet, x_t, b["t"], b["text"]), y)
        E["ref", name] = video_mse(video_unet_forward(ref_copy, x_t, b["t"], b["text"]), y)
    inside = -0.5 * beta * ((E["theta", "w"] - E["theta", "l"]) - (E["ref", "w"] - E["ref", "l"]))
    loss = -torch.nn.functional.logsigmoid(inside).mean()
    loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); opt.zero_grad(set_to_none=True)
    return loss.item()

def sft_step(unet, params, opt, sched, b, videos="w"):
    "The SFT baseline's step: the same LoRA, plain denoising loss on the winners (videos='wl': on both, as a control)."
    from huvidpo_nb.train import denoising_loss
    x0 = b["x_w"] if videos == "w" else torch.cat([b["x_w"], b["x_l"]])
    k = x0.shape[0] // b["x_w"].shape[0]
    loss, _ = denoising_loss(unet, sched, x0, b["noise"].repeat(k, 1, 1, 1, 1), b["t"].repeat(k), b["text"].repeat(k, 1, 1))
    loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); opt.zero_grad(set_to_none=True)
    return loss.item()

def fwd_bwd(unet, sched, b):
    "The floor's parts on [w; l]: one forward with gradients and its backward."
    from huvidpo_nb.train import denoising_loss
    x0 = torch.cat([b["x_w"], b["x_l"]])
    loss, _ = denoising_loss(unet, sched, x0, torch.cat([b["noise"]] * 2), torch.cat([b["t"]] * 2), torch.cat([b["text"]] * 2))
    loss.backward(); unet.zero_grad(set_to_none=True)

def fwd(unet, sched, b):
    from huvidpo_nb.models import video_unet_forward
    from huvidpo_nb.conditioning import add_noise_keep_first
    x0 = torch.cat([b["x_w"], b["x_l"]])
    with torch.no_grad():
        video_unet_forward(unet, add_noise_keep_first(sched, x0, torch.cat([b["noise"]] * 2), torch.cat([b["t"]] * 2)),
                           torch.cat([b["t"]] * 2), torch.cat([b["text"]] * 2))

def timed(fn):
    t0 = time.perf_counter(); fn(); return time.perf_counter() - t0

def interleaved(fns, steps, warmup=2):
    "Median seconds of each function, run round-robin so that load on the machine hits all alike."
    for _ in range(warmup):
        for f in fns.values(): f()
    times = {k: [] for k in fns}
    for _ in range(steps):
        for k, f in fns.items(): times[k].append(timed(f))
    return {k: statistics.median(v) for k, v in times.items()}

def child_rss(mode, pairs, steps):
    "Run `mode` steps in a child process; its peak RSS overall, after building (+1 warm-up step), and in the steps (MiB)."
    r = subprocess.run([sys.executable, __file__, "--child", mode, "--pairs", str(pairs), "--steps", str(steps)],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])

def _status_mib(key):
    "A memory line of /proc/self/status (Linux), in MiB."
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"): return int(line.split()[1]) / 1024
    return float("nan")

def run_child(mode, pairs, steps):
    "In a fresh process: build, then train; the peak RSS of the whole process, and of the training phase alone."
    unet, ref_copy, params, opt, sched, b = build(pairs, official=mode != "ours", ref_grad=mode == "hypothetical_ref_grad")
    step = (lambda: ours_step(unet, params, opt, sched, b)) if mode == "ours" else \
           (lambda: official_step(unet, ref_copy, params, opt, sched, b))
    step()                                                 # the first step loads kernels and allocator pools
    hwm_build, rss_built = _status_mib("VmHWM"), _status_mib("VmRSS")
    try:                                                   # reset the high-water mark so the steps' own peak shows
        with open("/proc/self/clear_refs", "w") as fh: fh.write("5")
        reset = True
    except OSError: reset = False
    for _ in range(steps): step()
    hwm_steps = _status_mib("VmHWM")
    print(json.dumps(dict(mode=mode, peak_rss_mib=round(max(hwm_build, hwm_steps), 1),
                          rss_after_build_mib=round(rss_built, 1),           # after building and one warm-up step
                          steps_peak_rss_mib=round(hwm_steps, 1) if reset else None)))

def sd15_reference_cost():
    "Parameters of the SD-1.5-size video UNet (meta device: no memory) = what a deep-copied reference adds."
    from huvidpo_nb.models import build_video_unet
    unet = build_video_unet("sd15", device="meta")
    n = sum(p.numel() for p in unet.parameters())
    return dict(sd15_video_unet_params=n, reference_copy_gib_fp32=round(n * 4 / 2**30, 2),
                reference_copy_gib_fp16=round(n * 2 / 2**30, 2))

# ---- (c) the real-model recipe: SD 1.5 size on a GPU, or the tiny SD-layout model on a CPU ----
RECIPE = dict(  # latent (h, w) per size label; frames; UNet overrides of the sd15 preset (tiny: test_real_model_path's)
    sd15=dict(sizes={"512x512": (64, 64), "512x320": (40, 64)}, frames=16, unet={}, vae=(128, 256, 512, 512),
              text=dict(hidden_size=768, num_layers=12, num_heads=12, intermediate_size=3072, max_length=77)),
    tiny=dict(sizes={"16x16": (8, 8), "32x16": (8, 16)}, frames=4, vae=(8, 16),
              unet=dict(block_out_channels=(16, 32, 32, 32), cross_attention_dim=32, attention_head_dim=8,
                        norm_num_groups=8, sample_size=8, motion_num_attention_heads=4),
              text=dict(hidden_size=32, num_layers=2, num_heads=4, intermediate_size=64, max_length=16)))

def _sync(device):
    if device.type == "cuda": torch.cuda.synchronize(device)

def _peak_reset(device):
    if device.type == "cuda": torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(device)

def _peak_gib(device):
    return round(torch.cuda.max_memory_allocated(device) / 2**30, 2) if device.type == "cuda" else None

def recipe_unet(preset, frames, device, seed=0, **overrides):
    from huvidpo_nb.models import build_video_unet
    torch.manual_seed(seed)
    kw = {**RECIPE[preset]["unet"], **overrides}
    return build_video_unet("sd15", num_frames=frames, device=device, **kw)   # built where it runs

def recipe_batch(preset, frames, hw, device, seed=0):
    "One pair of latent videos sharing frame 0, noise and t; random text features of SD's shape."
    g = torch.Generator().manual_seed(seed)
    d, n = RECIPE[preset]["text"]["hidden_size"], RECIPE[preset]["text"]["max_length"]
    x_w, x_l, noise = (torch.randn(1, 4, frames, *hw, generator=g) for _ in range(3))
    x_l[:, :, 0] = x_w[:, :, 0]
    b = dict(x_w=x_w, x_l=x_l, noise=noise, t=torch.randint(1000, (1,), generator=g), text=torch.randn(1, n, d, generator=g))
    return {k: v.to(device) for k, v in b.items()}

def recipe_models(method, preset, frames, device):
    "ours: fp32 base + LoRA; official: base in bf16, frozen, checkpointing on, deep-copied, then a LoRA with fp32 weights."
    from huvidpo_nb.models import add_lora
    unet = recipe_unet(preset, frames, device)
    ref = None
    if method == "official":
        unet.to(torch.bfloat16).requires_grad_(False)
        unet.enable_gradient_checkpointing()                      # new_train.py: before the copy, so the copy has it too
        ref = copy.deepcopy(unet)
    params = add_lora(unet, rank=16, alpha=32, dropout=0.0)
    for p_ in params: p_.data = p_.data.float()                   # new_train.py converts the trainable weights to fp32
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=1e-4, eps=1e-3)
    return unet, ref, params, opt

def recipe_step(method, unet, ref, params, opt, sched, b, device):
    with torch.autocast(device.type, dtype=torch.bfloat16):
        if method == "ours":
            from huvidpo_nb.train import dpo_loss_on_pairs
            loss = dpo_loss_on_pairs(unet, sched, b["x_w"], b["x_l"], b["noise"], b["t"], b["text"], beta=50.0).loss
        else:
            loss = _official_loss(unet, ref, sched, b)
    loss.backward(); torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); opt.zero_grad(set_to_none=True)
    return loss.item()

def _official_loss(unet, ref, sched, b, beta=50.0):
    "new_train.py's loss: four passes, each of w and l alone; the reference is the frozen copy (not under no_grad)."
    from huvidpo_nb.conditioning import add_noise_keep_first
    from huvidpo_nb.models import video_unet_forward
    E = {}
    for name, x0 in (("w", b["x_w"]), ("l", b["x_l"])):
        x_t = add_noise_keep_first(sched, x0, b["noise"], b["t"]).to(torch.bfloat16)
        for who, net in (("theta", unet), ("ref", ref)):
            pred = video_unet_forward(net, x_t, b["t"], b["text"].to(torch.bfloat16))
            E[who, name] = F.mse_loss(pred[:, :, 1:].float(), b["noise"][:, :, 1:].float())
    inside = -0.5 * beta * ((E["theta", "w"] - E["theta", "l"]) - (E["ref", "w"] - E["ref", "l"]))
    return -F.logsigmoid(inside).mean()

def _timed_steps(fn, steps, warmup, device):
    for _ in range(warmup): fn()
    ts = []
    for _ in range(steps):
        _sync(device); t0 = time.perf_counter(); fn(); _sync(device); ts.append(time.perf_counter() - t0)
    return round(statistics.median(ts), 4)

def recipe_training(preset, frames, device, steps, sizes, warmup=1):
    "Seconds per step and peak memory of each method x size x gradient checkpointing."
    from huvidpo_nb.models import make_scheduler
    sched, rows = make_scheduler("sd15"), []
    for method in ("ours", "official"):
        for gc in (False, True):
            _peak_reset(device)
            unet, ref, params, opt = recipe_models(method, preset, frames, device)
            for m in (unet, ref):
                if m is None: continue
                m.enable_gradient_checkpointing() if gc else m.disable_gradient_checkpointing()
            unet.train()
            for size, hw in sizes.items():
                b = recipe_batch(preset, frames, hw, device)
                _peak_reset(device)
                row = dict(method=method, size=size, frames=frames, gradient_checkpointing=gc)
                try:
                    row["s_per_step"] = _timed_steps(lambda: recipe_step(method, unet, ref, params, opt, sched, b, device),
                                                     steps, warmup, device)
                    row["peak_gib"] = _peak_gib(device)
                except torch.cuda.OutOfMemoryError:
                    row.update(s_per_step=None, peak_gib="OOM"); opt.zero_grad(set_to_none=True)
                rows.append(row); print(row, file=sys.stderr, flush=True)
            del unet, ref, params, opt
    return rows

def recipe_pipeline(preset, frames, device, latent_size):
    "HuViDPOPipeline with the preset's UNet, an SD-shaped VAE and text encoder (random weights), DDIM on SD's schedule."
    from diffusers import AutoencoderKL, DDIMScheduler
    from huvidpo_nb.models import make_toy_text_encoder, PRESETS
    from huvidpo_nb.pipeline import HuViDPOPipeline
    r = RECIPE[preset]
    tok, te = make_toy_text_encoder(["a person doing jumping jacks"], **r["text"])
    n = len(r["vae"])
    vae = AutoencoderKL(down_block_types=("DownEncoderBlock2D",) * n, up_block_types=("UpDecoderBlock2D",) * n,
                        block_out_channels=r["vae"], layers_per_block=2 if preset == "sd15" else 1, latent_channels=4,
                        norm_num_groups=32 if preset == "sd15" else 4)
    sched = DDIMScheduler(**PRESETS["sd15"]["scheduler"], **PRESETS["sd15"]["ddim"])
    pipe = HuViDPOPipeline(recipe_unet(preset, frames, device, sample_size=latent_size), sched, te, tok, vae=vae, num_frames=frames)
    pipe.set_progress_bar_config(disable=True)
    return pipe

def recipe_sampling(preset, frames, device, steps, latent_size):
    "Seconds and peak memory of one video at `steps` DDIM steps with CFG 7.5, fp32 and bf16 weights."
    rows = []
    for dtype in (torch.float32, torch.bfloat16):
        _peak_reset(device)
        pipe = recipe_pipeline(preset, frames, device, latent_size).to(device, dtype)
        h, w = pipe.frame_size
        first = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(0)) * 2 - 1
        run = lambda k: pipe("a person doing jumping jacks", first, num_frames=frames, num_inference_steps=k,
                             guidance_scale=7.5, generator=torch.Generator().manual_seed(0), output_type="pt")
        row = dict(weights=str(dtype).replace("torch.", ""), frames=frames, size=f"{h}x{w}", ddim_steps=steps, cfg=7.5)
        try:
            run(1); _peak_reset(device)                                   # warm-up: kernels, allocator
            _sync(device); t0 = time.perf_counter(); v = run(steps).frames; _sync(device)
            row.update(seconds=round(time.perf_counter() - t0, 3), peak_gib=_peak_gib(device), finite=bool(torch.isfinite(v).all()))
        except torch.cuda.OutOfMemoryError: row.update(seconds=None, peak_gib="OOM")
        rows.append(row); print(row, file=sys.stderr, flush=True)
        del pipe
    return rows

def recipe_table(res) -> str:
    "The measured rows as markdown."
    fmt = lambda x: "-" if x is None else str(x)
    lines = [f"{res['device_name']}, torch {res['torch']}, diffusers {res['diffusers']}, {res['date']}", "",
             "| step | frames | size | grad. checkpointing | s/step | peak GiB |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['method']} | {r['frames']} | {r['size']} | {'yes' if r['gradient_checkpointing'] else 'no'} | "
              f"{fmt(r['s_per_step'])} | {fmt(r['peak_gib'])} |" for r in res["training"]]
    lines += ["", "| sampling | frames | size | DDIM steps, CFG | s | peak GiB |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['weights']} weights | {r['frames']} | {r['size']} | {r['ddim_steps']}, {r['cfg']} | {fmt(r.get('seconds'))} | "
              f"{fmt(r['peak_gib'])} |" for r in res["sampling"]]
    return "\n".join(lines)

def recipe_main(a):
    import datetime, diffusers
    diffusers.utils.logging.set_verbosity_error()                 # `.to(bfloat16)` warns about an empty list of fp32 modules
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available(): sys.exit("bench_dpo_step: --device cuda but torch sees no GPU")
    frames = a.num_frames or RECIPE[a.preset]["frames"]
    res = dict(preset=a.preset, device=str(device), torch=torch.__version__, diffusers=diffusers.__version__,
               device_name=torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU ({a.threads} threads)",
               date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"), steps=a.steps,
               video_unet_params=sum(p.numel() for p in recipe_unet(a.preset, frames, "meta").parameters()))
    sizes = RECIPE[a.preset]["sizes"]
    if a.latent_sizes:                                             # e.g. a quick check of the sd15 layout on a CPU
        scale = 2 ** (len(RECIPE[a.preset]["vae"]) - 1)
        hws = [tuple(int(x) for x in hw.split("x")) for hw in a.latent_sizes.split(",")]
        sizes = {f"{w * scale}x{h * scale}": (h, w) for h, w in hws}
    res["sizes"] = {k: dict(latent_hw=v) for k, v in sizes.items()}
    res["training"] = recipe_training(a.preset, frames, device, a.steps, sizes, a.warmup)
    res["sampling"] = recipe_sampling(a.preset, frames, device, a.sample_steps, next(iter(sizes.values()))[0])
    print(json.dumps(res))
    print(recipe_table(res), file=sys.stderr)
    return res

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=10, help="timed steps of each kind (after 2 warm-up steps)")
    p.add_argument("--pairs", type=int, default=1, help="pairs per step, b (HuViDPO: 1)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--child", choices=["ours", "official", "hypothetical_ref_grad"], help=argparse.SUPPRESS)
    p.add_argument("--preset", choices=["toy", "tiny", "sd15"], default="toy",
                   help="toy: (a) and (b) on the toy preset; tiny / sd15: (c), the real-model recipe (default: %(default)s)")
    p.add_argument("--device", default="cpu", help="(c): cpu or cuda (default: %(default)s)")
    p.add_argument("--num-frames", type=int, default=None, help="(c): frames per video (default: sd15 16, tiny 4)")
    p.add_argument("--sample-steps", type=int, default=25, help="(c): DDIM steps of the sampling measurement (default: %(default)s)")
    p.add_argument("--warmup", type=int, default=1, help="(c): untimed steps before the timed ones (default: %(default)s)")
    p.add_argument("--latent-sizes", default=None, help="(c): latent HxW sizes instead of the preset's, e.g. 8x8,8x16 (each side "
                   "a multiple of 8) for a quick run of the sd15 layout on a CPU; sampling uses the first one's height, square")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.child: return run_child(a.child, a.pairs, a.steps)
    if a.preset != "toy": return recipe_main(a)

    rss = {m: child_rss(m, a.pairs, 3) for m in ("ours", "official", "hypothetical_ref_grad")}   # first, while this process is small
    unet, ref_copy, params, opt, sched, b = build(a.pairs, official=True)
    ref_grad = copy.deepcopy(ref_copy).requires_grad_(True)
    # both steps on the same model: the LoRA moves a little each step, which does not change the cost
    t = interleaved(dict(ours=lambda: ours_step(unet, params, opt, sched, b),
                         official=lambda: official_step(unet, ref_copy, params, opt, sched, b),
                         hypothetical_ref_grad=lambda: official_step(unet, ref_grad, params, opt, sched, b),
                         sft=lambda: sft_step(unet, params, opt, sched, b, "w"),
                         sft_wl=lambda: sft_step(unet, params, opt, sched, b, "wl"),
                         fwd_bwd=lambda: fwd_bwd(unet, sched, b),
                         fwd=lambda: fwd(unet, sched, b)), a.steps)
    res = dict(pairs=a.pairs, steps=a.steps, threads=a.threads, seconds={k: round(v, 4) for k, v in t.items()},
               official_over_ours_time=round(t["official"] / t["ours"], 3),
               hypothetical_ref_grad_over_ours_time=round(t["hypothetical_ref_grad"] / t["ours"], 3),
               dpo_over_sft_time=round(t["ours"] / t["sft"], 3),
               dpo_over_sft_same_videos_time=round(t["ours"] / t["sft_wl"], 3),
               floor_fwd_bwd_plus_fwd_over_fwd_bwd=round((t["fwd_bwd"] + t["fwd"]) / t["fwd_bwd"], 3),
               peak_rss_mib={m: r["peak_rss_mib"] for m, r in rss.items()},
               rss_after_build_mib={m: r["rss_after_build_mib"] for m, r in rss.items()},
               steps_peak_rss_mib={m: r["steps_peak_rss_mib"] for m, r in rss.items()},
               steps_rss_increase_mib={m: (round(r["steps_peak_rss_mib"] - r["rss_after_build_mib"], 1)
                                           if r["steps_peak_rss_mib"] is not None else None) for m, r in rss.items()},
               toy_video_unet_params=sum(p.numel() for p in ref_copy.parameters()), **sd15_reference_cost())
    print(json.dumps(res))
    print(f"(a) official-style / ours, time: {res['official_over_ours_time']} (hypothetical: reference with requires_grad: "
          f"{res['hypothetical_ref_grad_over_ours_time']})  |  peak RSS MiB ours {res['peak_rss_mib']['ours']} vs official "
          f"{res['peak_rss_mib']['official']} / {res['peak_rss_mib']['hypothetical_ref_grad']} (training phase above the built "
          f"model: {res['steps_rss_increase_mib']['ours']} vs {res['steps_rss_increase_mib']['official']} / "
          f"{res['steps_rss_increase_mib']['hypothetical_ref_grad']})  |  SD-1.5 reference "
          f"copy: {res['sd15_video_unet_params']:,} params = {res['reference_copy_gib_fp16']} GiB fp16\n"
          f"(b) DPO / SFT(winners): {res['dpo_over_sft_time']}, DPO / SFT(w and l): {res['dpo_over_sft_same_videos_time']}, "
          f"floor (fwd+bwd + fwd) / fwd+bwd: {res['floor_fwd_bwd_plus_fwd_over_fwd_bwd']}", file=sys.stderr)
    return res

if __name__ == "__main__":
    main()
