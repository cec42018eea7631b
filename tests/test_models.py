"""What notebook 04's cells cannot test: a video UNet saved here loads in a *fresh* Python process, with its
SparseCausal processors re-installed from our config (nothing carried over in memory) and its LoRA attached."""
import json, os, subprocess, sys, textwrap
import torch
from safetensors.torch import save_file
from huvidpo_nb.models import build_video_unet, add_lora, save_video_unet, video_unet_forward

LOAD = textwrap.dedent("""
    import json, sys, torch
    from safetensors.torch import load_file
    from huvidpo_nb.attention import SparseCausalAttnProcessor
    from huvidpo_nb.models import load_video_unet, video_unet_forward, attention_setup
    root = sys.argv[1]
    io = load_file(f"{root}/io.safetensors")
    unet = load_video_unet(f"{root}/unet").eval()
    with torch.no_grad(): got = video_unet_forward(unet, io["x"], io["t"], io["text"])
    sparse = sorted(n for n, p in unet.attn_processors.items() if isinstance(p, SparseCausalAttnProcessor))
    print(json.dumps(dict(equal=torch.equal(got, io["want"]), max_diff=(got - io["want"]).abs().max().item(),
                          setup=attention_setup(unet), sparse=sparse, lora=sorted(unet.peft_config))))
""")


def test_video_unet_reloads_in_a_fresh_process(tmp_path):
    torch.manual_seed(0)
    unet = build_video_unet("toy", num_frames=6, attention_mode="first").eval()
    for p in add_lora(unet, rank=4, alpha=8): torch.nn.init.normal_(p, std=0.05)    # a "trained" LoRA
    x, t, text = torch.randn(2, 3, 6, 16, 16), torch.tensor([10, 900]), torch.randn(2, 4, 32)
    with torch.no_grad(): want = video_unet_forward(unet, x, t, text)
    save_video_unet(unet, tmp_path / "unet")
    save_file(dict(x=x, t=t, text=text, want=want.contiguous()), str(tmp_path / "io.safetensors"))

    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", LOAD, str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["equal"], f"outputs differ after reloading in a fresh process: max |diff| = {res['max_diff']}"
    assert res["setup"] == dict(attention_mode="first", num_frames=6)
    assert res["lora"] == ["default"]
    expected = sorted(n + ".processor" for n in
                      (n for n, m in unet.named_modules() if n.endswith("attn1") and ".attentions." in f".{n}"))
    assert res["sparse"] == expected and len(expected) == 4
