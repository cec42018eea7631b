"""Benchmark of one DPO training step on the toy preset (not a test: run it by hand).

    OMP_NUM_THREADS=1 python tests/bench_dpo_step.py [--steps 10] [--pairs 1] [--threads 1]

(a) our DPO step (reference and policy each one pass over [w; l], the reference = the same UNet with its LoRA
    disabled, under no_grad) against an official-style step (four separate UNet passes, a deep-copied frozen
    reference): time as a ratio, measured interleaved in one process; peak resident memory of each in its own child
    process (torch has no CPU peak-memory counter, so the kernel's high-water mark VmHWM of the child: not
    `getrusage(...).ru_maxrss`, which a child started by a large parent inherits from the parent at exec);
    and the reference copy's cost at SD-1.5 size, counted from the parameters of a meta-device model. The official
    reference is timed twice: frozen (requires_grad False, the charitable reading: its passes outside no_grad then
    build no graph) and with requires_grad True (a deep copy of a trainable UNet: the backward runs through it too).
(b) our DPO step over an SFT step (the same LoRA, plain denoising loss on the pair's winners), beside the floor
    measured in the same run: (one forward-and-backward + one no-grad forward) / one forward-and-backward, on the
    same 2b videos.
Prints one JSON object (and a readable summary on stderr).
"""
import argparse, copy, json, statistics, subprocess, sys, time
import torch

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
    unet, ref_copy, params, opt, sched, b = build(pairs, official=mode != "ours", ref_grad=mode == "official_ref_grad")
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

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=10, help="timed steps of each kind (after 2 warm-up steps)")
    p.add_argument("--pairs", type=int, default=1, help="pairs per step, b (HuViDPO: 1)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--child", choices=["ours", "official", "official_ref_grad"], help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.child: return run_child(a.child, a.pairs, a.steps)

    rss = {m: child_rss(m, a.pairs, 3) for m in ("ours", "official", "official_ref_grad")}   # first, while this process is small
    unet, ref_copy, params, opt, sched, b = build(a.pairs, official=True)
    ref_grad = copy.deepcopy(ref_copy).requires_grad_(True)
    # both steps on the same model: the LoRA moves a little each step, which does not change the cost
    t = interleaved(dict(ours=lambda: ours_step(unet, params, opt, sched, b),
                         official=lambda: official_step(unet, ref_copy, params, opt, sched, b),
                         official_ref_grad=lambda: official_step(unet, ref_grad, params, opt, sched, b),
                         sft=lambda: sft_step(unet, params, opt, sched, b, "w"),
                         sft_wl=lambda: sft_step(unet, params, opt, sched, b, "wl"),
                         fwd_bwd=lambda: fwd_bwd(unet, sched, b),
                         fwd=lambda: fwd(unet, sched, b)), a.steps)
    res = dict(pairs=a.pairs, steps=a.steps, threads=a.threads, seconds={k: round(v, 4) for k, v in t.items()},
               official_over_ours_time=round(t["official"] / t["ours"], 3),
               official_ref_grad_over_ours_time=round(t["official_ref_grad"] / t["ours"], 3),
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
    print(f"(a) official-style / ours, time: {res['official_over_ours_time']} (reference with requires_grad: "
          f"{res['official_ref_grad_over_ours_time']})  |  peak RSS MiB ours {res['peak_rss_mib']['ours']} vs official "
          f"{res['peak_rss_mib']['official']} / {res['peak_rss_mib']['official_ref_grad']} (training phase above the built "
          f"model: {res['steps_rss_increase_mib']['ours']} vs {res['steps_rss_increase_mib']['official']} / "
          f"{res['steps_rss_increase_mib']['official_ref_grad']})  |  SD-1.5 reference "
          f"copy: {res['sd15_video_unet_params']:,} params = {res['reference_copy_gib_fp16']} GiB fp16\n"
          f"(b) DPO / SFT(winners): {res['dpo_over_sft_time']}, DPO / SFT(w and l): {res['dpo_over_sft_same_videos_time']}, "
          f"floor (fwd+bwd + fwd) / fwd+bwd: {res['floor_fwd_bwd_plus_fwd_over_fwd_bwd']}", file=sys.stderr)
    return res

if __name__ == "__main__":
    main()
