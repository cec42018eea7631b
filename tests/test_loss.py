"""The exported huvidpo_nb.loss (not the notebook's own cells) meets issue 3's acceptance list."""
import math
import pytest
import torch
import torch.nn.functional as F
from huvidpo_nb.loss import VideoDPOOutput, dpo_loss, video_dpo_loss, video_mse

FIELDS = ("loss", "inside", "implicit_acc", "reward_margin", "model_err_w", "model_err_l", "ref_err_w", "ref_err_l")

def _batch(seed=0, shape=(6, 3, 5, 4, 4), dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    target = torch.randn(shape, generator=g, dtype=dtype)
    return (target + 0.5 * torch.randn(shape, generator=g, dtype=dtype),
            target + 0.5 * torch.randn(shape, generator=g, dtype=dtype), target)

@pytest.mark.parametrize("dtype,beta,excl", [(torch.float32, 50.0, True), (torch.float64, 5000.0, False), (torch.float32, 1e12, True)])
def test_log2_at_reference(dtype, beta, excl):
    model_pred, _, target = _batch(1, dtype=dtype)
    out = video_dpo_loss(model_pred, model_pred.clone(), target, beta=beta, exclude_first_frame=excl)
    assert isinstance(out, VideoDPOOutput) and all(hasattr(out, f) for f in FIELDS)
    assert out.loss.item() == torch.tensor(2.0, dtype=dtype).log().item()
    assert out.implicit_acc.item() == 0.0 and (out.inside == 0).all()
    if dtype == torch.float64: assert out.loss.item() == math.log(2)

def test_frame0_ignored_swap_negates_and_winner_error_lowers_loss():
    model_pred, ref_pred, target = _batch(2)
    out = video_dpo_loss(model_pred, ref_pred, target)
    for x in (model_pred, ref_pred, target):
        x0 = x[:, :, 0].clone(); x[:, :, 0] = 1e3
        assert torch.equal(video_dpo_loss(model_pred, ref_pred, target).loss, out.loss)
        x[:, :, 0] = x0
    b = model_pred.shape[0] // 2
    swap = lambda x: torch.cat([x[b:], x[:b]])
    torch.testing.assert_close(video_dpo_loss(swap(model_pred), swap(ref_pred), swap(target)).inside, -out.inside)
    better = model_pred.clone(); better[:b] = target[:b] + 0.5 * (model_pred[:b] - target[:b])
    assert video_dpo_loss(better, ref_pred, target).loss < out.loss

def test_matches_formula_and_pieces():
    model_pred, ref_pred, target = _batch(3)
    out = video_dpo_loss(model_pred, ref_pred, target, beta=50.0)
    e = lambda p: F.mse_loss(p[:, :, 1:], target[:, :, 1:], reduction="none").mean((1, 2, 3, 4)).chunk(2)
    (mw, ml), (rw, rl) = e(model_pred), e(ref_pred)
    inside = -0.5 * 50.0 * ((mw - ml) - (rw - rl))
    torch.testing.assert_close(out.inside, inside)
    torch.testing.assert_close(out.loss, -F.logsigmoid(inside).mean())
    torch.testing.assert_close(out.model_err_w, video_mse(model_pred, target)[:3])
    torch.testing.assert_close(out.loss, dpo_loss(-0.5 * (mw - rw), -0.5 * (ml - rl), beta=50.0))
    assert set(out.metrics()) == {"loss", "implicit_acc", "reward_margin", "model_err_w", "model_err_l", "ref_err_w", "ref_err_l"}

def test_stable_for_huge_beta():
    model_pred, ref_pred, target = _batch(4)
    model_pred.requires_grad_(True)
    out = video_dpo_loss(model_pred, ref_pred, target, beta=1e8)
    out.loss.backward()
    assert torch.isfinite(out.loss) and torch.isfinite(model_pred.grad).all()

@pytest.mark.parametrize("case,match", [
    ("odd", "even size 2b"), ("one_frame", "at least 2 frames"), ("shape", "ref_pred has shape"),
    ("nan", "model_pred has 1 NaN or inf"), ("inf", "target has 1 NaN or inf"), ("ndim", "must have 5 dims"), ("beta", "beta must be")])
def test_clear_errors(case, match):
    m, r, t = _batch(5)
    kw = {}
    if case == "odd": m, r, t = m[:5], r[:5], t[:5]
    elif case == "one_frame": m, r, t = m[:, :, :1], r[:, :, :1], t[:, :, :1]
    elif case == "shape": r = r[:, :, :4]
    elif case == "nan": m[0, 0, 1, 0, 0] = float("nan")
    elif case == "inf": t[0, 0, 1, 0, 0] = float("inf")
    elif case == "ndim": m, r, t = m[0], r[0], t[0]
    elif case == "beta": kw["beta"] = 0.0
    with pytest.raises(ValueError, match=match): video_dpo_loss(m, r, t, **kw)
