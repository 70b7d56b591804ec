"""The FLOP formula against torch's own counter, forward and forward + backward."""

from dataclasses import replace

import pytest
import torch
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode

from tabpfn_lite.model import ModelConfig, TabPFN
from tabpfn_lite.model.flops import forward_flops, training_flops

TINY = ModelConfig(emsize=32, nlayers=2, nheads=2, mlp_hidden=64, decoder_hidden=48)


def counted(model: TabPFN, x, y, codes, backward: bool) -> int:
    # The math backend runs attention as matmuls the counter sees (CPU's fused kernel has no
    # registered formula and would count as 0).
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        logits = model(x, y, codes)
        if backward:
            logits.sum().backward()
    return counter.get_total_flops()


@pytest.mark.parametrize(
    "cfg, shape",
    [
        (TINY, (3, 40, 25, 7)),
        (replace(TINY, features_per_token=1, feature_code_dim=0), (2, 30, 10, 5)),
        (replace(TINY, nlayers=3, emsize=48, nheads=4), (1, 64, 60, 16)),
        (replace(TINY, nlayers=1), (2, 30, 12, 5)),  # the last layer alone
    ],
)
def test_formula_matches_torch_flop_counter(cfg, shape):
    B, R, N, F = shape
    torch.manual_seed(0)
    model = TabPFN(cfg)
    x, y = torch.randn(B, R, F), torch.randint(0, 3, (B, N))
    codes = model.sample_feature_codes(B, F)
    assert counted(model, x, y, codes, False) == forward_flops(cfg, R, N, F, B).total
    assert counted(model, x, y, codes, True) == training_flops(cfg, R, N, F, B).total


def test_attention_dominates_long_tables_of_a_small_model():
    short, long = forward_flops(TINY, 100, 50, 4), forward_flops(TINY, 2000, 1000, 4)
    assert short.row_attention < short.linear
    assert long.row_attention > long.linear  # what 6 x parameters x tokens misses
