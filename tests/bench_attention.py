"""Benchmark: `SparseCausalAttnProcessor` against masked attention over all `f n` tokens of a video.

Not a test (pytest does not collect bench_*.py). Run from the repository root:

    OMP_NUM_THREADS=1 python tests/bench_attention.py [--frames 8 16 24] [--size 16] [--channels 64] [--heads 2]

Times come from one run, on the same inputs, after checking that the outputs agree; ratios are reference time over
processor time (median of --repeat runs each). Memory is the *computed* size of the float32 score tensors (torch has no
peak-memory counter on CPU), not a measurement.
"""
from __future__ import annotations
import argparse, os, statistics, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch
import torch.nn.functional as F
from einops import rearrange
from diffusers.models.attention_processor import Attention
from huvidpo_nb.attention import MODES, SparseCausalAttnProcessor, frame_attention_mask


def masked_explicit(attn, x, f, mode):
    "The notebook's slow reference: softmax(Q K^T / sqrt(d) + M) V over all f n tokens, mask M built explicitly."
    n = x.shape[1]
    q, k, v = (rearrange(lin(x), "(b f) n (h d) -> b h (f n) d", f=f, h=attn.heads) for lin in (attn.to_q, attn.to_k, attn.to_v))
    M = frame_attention_mask(f, mode).repeat_interleave(n, 0).repeat_interleave(n, 1)
    A = (q @ k.transpose(-1, -2) * attn.scale).masked_fill(~M, float("-inf")).softmax(-1)
    return attn.to_out[1](attn.to_out[0](rearrange(A @ v, "b h (f n) d -> (b f) n (h d)", f=f)))


def masked_sdpa(attn, x, f, mode):
    "The same kernel as the processor, but over all f n tokens with an (f n) x (f n) boolean mask."
    n = x.shape[1]
    q, k, v = (rearrange(lin(x), "(b f) n (h d) -> b h (f n) d", f=f, h=attn.heads) for lin in (attn.to_q, attn.to_k, attn.to_v))
    M = frame_attention_mask(f, mode).repeat_interleave(n, 0).repeat_interleave(n, 1)
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=M, scale=attn.scale)
    return attn.to_out[1](attn.to_out[0](rearrange(o, "b h (f n) d -> (b f) n (h d)", f=f)))


def timeit(fn, repeat):
    fn()                                                     # warm-up
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def score_mib(b, h, f, n, s):
    return 4 * b * h * (f * n) * (s * n) / 2**20


def main(argv=None):
    p = argparse.ArgumentParser(prog="bench_attention", description=__doc__.split("\n")[0])
    p.add_argument("--frames", type=int, nargs="+", default=[8, 16, 24])
    p.add_argument("--size", type=int, default=16, help="feature map side: n = size*size tokens per frame")
    p.add_argument("--channels", type=int, default=64)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--batch", type=int, default=1, help="videos per batch")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    a = p.parse_args(argv)
    torch.manual_seed(0)
    n = a.size * a.size
    attn = Attention(a.channels, heads=a.heads, dim_head=a.channels // a.heads).eval()
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}; n={n} tokens/frame, c={a.channels}, "
          f"h={a.heads}, b={a.batch}, median of {a.repeat} runs")
    print("memory: computed float32 score-tensor sizes (not measured)")
    hdr = f"{'mode':>10} {'f':>3} | {'processor':>10} {'explicit':>10} {'mask-SDPA':>10} | {'x explicit':>10} {'x SDPA':>7} | {'scores MiB':>10} {'masked MiB':>10}"
    print(hdr); print("-" * len(hdr))
    with torch.no_grad():
        for mode in a.modes:
            for f in a.frames:
                x = torch.randn(a.batch * f, n, a.channels)
                proc = SparseCausalAttnProcessor(f, mode)
                fast = proc(attn, x)
                for ref in (masked_explicit, masked_sdpa):
                    err = (fast - ref(attn, x, f, mode)).abs().max().item()
                    if err > 1e-4: sys.exit(f"{mode} f={f}: processor and {ref.__name__} differ by {err:.2e}")
                t_p = timeit(lambda: proc(attn, x), a.repeat)
                t_e = timeit(lambda: masked_explicit(attn, x, f, mode), a.repeat)
                t_s = timeit(lambda: masked_sdpa(attn, x, f, mode), a.repeat)
                s = f if mode == "full" else (2 if mode == "first+prev" else 1)
                print(f"{mode:>10} {f:>3} | {t_p*1e3:8.1f}ms {t_e*1e3:8.1f}ms {t_s*1e3:8.1f}ms | {t_e/t_p:9.1f}x {t_s/t_p:6.1f}x"
                      f" | {score_mib(a.batch, a.heads, f, n, s):10.1f} {score_mib(a.batch, a.heads, f, n, f):10.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
