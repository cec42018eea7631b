"""HuViDPOPipeline across processes: a saved pipeline (sparse-causal mode + LoRA) reloads in a fresh interpreter and
gives the same video, and `huvidpo sample` runs end to end as a separate process."""
import copy, subprocess, sys, textwrap
import numpy as np
import pytest
import torch

from huvidpo_nb.models import build_video_unet, make_scheduler, make_toy_text_encoder, add_lora, save_lora
from huvidpo_nb.pipeline import HuViDPOPipeline
from huvidpo_nb.cli import sample_main
from huvidpo_nb.video import moving_shapes, to_uint8, read_video

PROMPTS = ["a ball rolling right", "a ball bouncing"]


def _run(code, *args):
    "Run python code in a fresh interpreter; fail with its stderr."
    r = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], capture_output=True, text=True,
                       timeout=120, env={**__import__("os").environ, "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    return r


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    "A toy pipeline with mode 'first' and a non-zero LoRA, saved; plus its output for one seed."
    d = tmp_path_factory.mktemp("pipe")
    torch.manual_seed(0)
    unet = build_video_unet("toy", num_frames=8, attention_mode="first").eval()
    add_lora(unet, rank=4, alpha=8, dropout=0.0)
    with torch.no_grad():
        for n, p in unet.named_parameters():
            if "lora_B" in n: p.normal_(0, 0.05)
    tok, te = make_toy_text_encoder(PROMPTS)
    pipe = HuViDPOPipeline(unet, make_scheduler("toy", kind="ddim"), te, tok)
    pipe.set_progress_bar_config(disable=True)
    first = moving_shapes(8, 16, seed=3)[:, 0]
    out = pipe(PROMPTS[0], first, num_inference_steps=3, generator=torch.Generator().manual_seed(7), output_type="pt").frames
    pipe.save_pretrained(d / "pipe")
    torch.save({"first": first, "out": out}, d / "expected.pt")
    return d


def test_reload_in_fresh_process_is_identical(saved):
    _run("""
        import sys, torch
        from huvidpo_nb.pipeline import HuViDPOPipeline
        from huvidpo_nb.attention import SparseCausalAttnProcessor
        d = sys.argv[1]
        pipe = HuViDPOPipeline.from_pretrained(d + "/pipe"); pipe.set_progress_bar_config(disable=True)
        modes = {p.mode for n, p in pipe.unet.attn_processors.items() if isinstance(p, SparseCausalAttnProcessor)}
        assert modes == {"first"}, modes
        assert pipe.unet.peft_config, "the LoRA did not come back"
        e = torch.load(d + "/expected.pt")
        out = pipe("a ball rolling right", e["first"], num_inference_steps=3,
                   generator=torch.Generator().manual_seed(7), output_type="pt").frames
        assert torch.equal(out, e["out"]), (out - e["out"]).abs().max()
    """, saved)


def test_sample_command_as_a_process(saved, tmp_path):
    from PIL import Image
    e = torch.load(saved / "expected.pt")
    png = tmp_path / "first.png"
    Image.fromarray(to_uint8(e["first"][:, None])[0]).save(png)
    out = tmp_path / "v.mp4"
    _run("import sys; from huvidpo_nb.cli import main; sys.exit(main(sys.argv[1:]))",
         "sample", saved / "pipe", "--prompt", PROMPTS[0], "--first-frame", png, "--steps", "2", "--out", out, "--quiet")
    v = read_video(out)
    assert v.shape == (3, 8, 16, 16)
    assert np.array_equal(to_uint8(v)[0], np.asarray(Image.open(png)))   # lossless mp4, pixel space: frame 0 is the PNG


def test_unreadable_first_frame_exits_2(saved, tmp_path, capsys):
    bad = tmp_path / "not_an_image.png"
    bad.write_text("hello")
    with pytest.raises(SystemExit) as e:
        sample_main([str(saved / "pipe"), "--prompt", "x", "--first-frame", str(bad), "--out", str(tmp_path / "o.mp4")])
    assert e.value.code == 2
    assert "cannot read" in capsys.readouterr().err
