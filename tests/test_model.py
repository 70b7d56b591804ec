import math
import shutil
from dataclasses import replace

import pytest
import torch

from tabpfn_lite.model import ModelConfig, TabPFN, count_parameters, network, optimizer_param_groups

from .conftest import TINY, randomized_model


def random_tables(B=3, R=41, F=7, n_train=23, classes=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, R, F, generator=g)
    x[0, 2, F - 1] = float("nan")
    x[1, 30, 0] = float("nan")
    y = torch.randint(0, classes, (B, n_train), generator=g)
    return x, y


@pytest.mark.parametrize("F", [1, 2, 7])
def test_forward_shape_and_finite(F):
    model = randomized_model()
    x, y = random_tables(F=F)
    logits = model(x, y, model.sample_feature_codes(3, F))
    assert logits.shape == (3, 41 - 23, TINY.max_classes)
    assert torch.isfinite(logits).all()


@pytest.mark.parametrize("chunk_size", [1, 5, 18, 1000])
def test_cache_equals_joint_pass(chunk_size):
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)
    with torch.no_grad():
        joint = model(x, y, codes)
    cache = model.build_cache(x[:, :23], y, codes)
    cached = model.predict_from_cache(cache, x[:, 23:], chunk_size=chunk_size)
    torch.testing.assert_close(cached, joint, rtol=1e-5, atol=1e-5)
    tokens = math.ceil(7 / TINY.features_per_token) + 1  # feature tokens + target
    assert [k.shape[0] for k, _ in cache.keys_values] == [3 * tokens] * (TINY.nlayers - 1) + [3]


def test_a_target_only_layer_is_the_full_layers_target_token():
    model = randomized_model()
    h = torch.randn(2, 9, 4, TINY.emsize)
    layer = model.layers[0]
    with torch.no_grad():
        full, (k, v) = layer(h, n_train=5)
        target, (k1, v1) = layer(h, n_train=5, target_only=True)
    assert target.shape == (2, 9 - 5, 1, TINY.emsize)  # the test rows' target token
    torch.testing.assert_close(target, full[:, 5:, -1:], rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(k1, k.view(2, 4, *k.shape[1:])[:, -1], rtol=1e-5, atol=1e-6)


def test_half_precision_cache_is_half_the_size_and_close():
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)
    full = model.build_cache(x[:, :23], y, codes)
    half = model.build_cache(x[:, :23], y, codes, storage_dtype=torch.float16)
    assert all(k.dtype == v.dtype == torch.float16 for k, v in half.keys_values)
    expected = model.predict_from_cache(full, x[:, 23:])
    got = model.predict_from_cache(half, x[:, 23:])
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.softmax(-1), expected.softmax(-1), rtol=0, atol=2e-3)


def test_a_cache_that_would_overflow_float16_stays_float32():
    model = randomized_model()
    x, y = random_tables()
    with torch.no_grad():
        model.layers[0].attn_rows.kv.bias.fill_(1e6)  # keys and values beyond float16's range
    codes = model.sample_feature_codes(3, 7)
    cache = model.build_cache(x[:, :23], y, codes, storage_dtype=torch.float16)
    assert cache.keys_values[0][0].dtype == torch.float32
    assert torch.isfinite(model.predict_from_cache(cache, x[:, 23:])).all()


def test_train_row_order_invariance():
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)
    perm = torch.randperm(23, generator=torch.Generator().manual_seed(1))
    x_perm = torch.cat([x[:, :23][:, perm], x[:, 23:]], dim=1)
    with torch.no_grad():
        torch.testing.assert_close(
            model(x_perm, y[:, perm], codes), model(x, y, codes), rtol=1e-5, atol=1e-5
        )


def test_test_rows_do_not_influence_each_other():
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)
    with torch.no_grad():
        full = model(x, y, codes)
        x2 = x.clone()
        x2[:, 24:] = 1e3  # change every test row but the first
        assert torch.allclose(model(x2, y, codes)[:, 0], full[:, 0], atol=1e-5)


def test_labels_matter():
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)
    with torch.no_grad():
        assert not torch.allclose(model(x, y, codes), model(x, (y + 1) % 3, codes))


def test_normalisation_uses_train_rows_only():
    """Scaling a feature by a constant leaves the output unchanged (train-statistics z-score)."""
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)
    x2 = x.clone()
    x2[..., 2] = x2[..., 2] * 50 + 7
    with torch.no_grad():
        torch.testing.assert_close(model(x2, y, codes), model(x, y, codes), rtol=1e-4, atol=1e-4)


def test_all_missing_column_gives_finite_output():
    model = randomized_model()
    x, y = random_tables()
    x[..., 3] = float("nan")
    with torch.no_grad():
        assert torch.isfinite(model(x, y, model.sample_feature_codes(3, 7))).all()


def test_config_errors():
    with pytest.raises(ValueError, match="divisible"):
        ModelConfig(emsize=30, nheads=4)
    with pytest.raises(ValueError, match="parametrization"):
        ModelConfig(parametrization="ntk")
    with pytest.raises(ValueError, match="unknown ModelConfig fields"):
        ModelConfig.from_dict({"emsize": 32, "bogus": 1})


def test_parameter_groups_cover_every_parameter_once():
    for param in ("sp", "mup"):
        model = TabPFN(ModelConfig(emsize=64, nheads=4, parametrization=param, base_emsize=32))
        groups = optimizer_param_groups(model, lr=1e-3)
        ids = [id(p) for g in groups for p in g["params"]]
        assert len(ids) == len(set(ids)) == len(list(model.parameters()))
        assert sum(p.numel() for g in groups for p in g["params"]) == count_parameters(model)
        hidden = next(g for g in groups if g["name"] == "hidden")
        assert hidden["lr"] == (5e-4 if param == "mup" else 1e-3)


def model_and_two_tables():
    """A randomised model and 2 tables of 50 rows (30 train) x 5 features, with their codes."""
    model = randomized_model()
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 50, 5, generator=g)
    y = torch.randint(0, 3, (2, 30), generator=g)
    return model, x, y, model.sample_feature_codes(2, 5, g)


def test_attention_in_query_chunks_equals_one_pass(monkeypatch):
    model, x, y, codes = model_and_two_tables()
    with torch.no_grad():
        expected = model(x, y, codes)
        monkeypatch.setattr(network, "MAX_SCORE_ELEMENTS", 2 * 3 * 2 * 30 * 7)  # 7-row chunks
        chunked = model(x, y, codes)
    torch.testing.assert_close(chunked, expected, rtol=1e-5, atol=1e-6)


def logits_and_grads(model, x, y, codes) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The model's logits and the gradients of their sum of squares, for comparing two paths."""
    model.zero_grad()
    logits = model(x, y, codes)
    logits.square().sum().backward()
    return logits.detach(), [p.grad.clone() for p in model.parameters()]


def assert_same_logits_and_grads(a, b) -> None:
    torch.testing.assert_close(a[0], b[0], rtol=1e-5, atol=1e-5)
    for grad_a, grad_b in zip(a[1], b[1], strict=True):
        torch.testing.assert_close(grad_a, grad_b, rtol=1e-3, atol=1e-4)  # float32 summation order


def test_matmul_attention_equals_fused_kernel_with_gradients(monkeypatch):
    model, x, y, codes = model_and_two_tables()

    # Small calls: every attention runs as two matmuls (on any CPU).
    monkeypatch.setattr(network, "MATMUL_SCORES", {torch.float32: 2**23})
    matmul = logits_and_grads(model, x, y, codes)
    monkeypatch.setattr(network, "FEW_KEYS", 0)
    monkeypatch.setattr(network, "MATMUL_SCORES", {})
    # Every attention through F.scaled_dot_product_attention.
    fused = logits_and_grads(model, x, y, codes)
    assert_same_logits_and_grads(matmul, fused)


@pytest.mark.skipif(
    shutil.which(network.cpp_compiler()) is None, reason="torch.compile needs a C++ compiler"
)
def test_compiled_feature_attention_equals_matmuls_with_gradients():
    model, x, y, codes = model_and_two_tables()

    matmul = logits_and_grads(model, x, y, codes)
    model.compile_feature_attention()
    compiled = logits_and_grads(model, x, y, codes)
    assert model.layers[0].attn_features.few_keys_kernel is not None
    assert_same_logits_and_grads(matmul, compiled)


def test_compiling_without_a_cpp_compiler_says_so(monkeypatch):
    monkeypatch.setenv("CXX", "no-such-compiler")
    with pytest.raises(RuntimeError, match="needs a C\\+\\+ compiler \\('no-such-compiler'"):
        randomized_model().compile_feature_attention()


def test_orthogonal_feature_codes_are_orthogonal_gaussians():
    d = 4
    model = TabPFN(replace(TINY, feature_code_dim=d))
    g = torch.Generator().manual_seed(0)
    codes = model.sample_feature_codes(4000, 2 * 6, g, orthogonal=True)  # 6 tokens: blocks 4 + 2
    assert codes.shape == (4000, 6, d)
    for block in (codes[:, :d], codes[:, d:]):
        gram = block @ block.transpose(1, 2)
        off_diagonal = gram - torch.diag_embed(torch.diagonal(gram, dim1=1, dim2=2))
        assert off_diagonal.abs().max() < 1e-4
    # Each code on its own is N(0, I), as in training: unit variance, no correlation.
    flat = codes.reshape(-1, d)
    torch.testing.assert_close(flat.mean(0), torch.zeros(d), atol=0.03, rtol=0)
    torch.testing.assert_close(torch.cov(flat.T), torch.eye(d), atol=0.03, rtol=0)


def test_joint_pass_computing_only_decoded_tokens_has_the_full_pass_gradients():
    model = randomized_model()
    x, y = random_tables()
    codes = model.sample_feature_codes(3, 7)

    def full_pass():  # every token of every row through every layer
        mean, std = model._train_stats(x[:, :23])
        labels = torch.cat([y, model._unknown_labels(x[:, 23:])], dim=1)
        h = model._embed(x, labels, mean, std, codes)
        for layer in model.layers:
            h, _ = layer(h, n_train=23)
        return model._decode(h[:, 23:])

    grads = []
    for logits in (lambda: model(x, y, codes), full_pass):
        model.zero_grad()
        out = logits()
        out.logsumexp(-1).sum().backward()
        grads.append((out.detach(), [p.grad.clone() for p in model.parameters()]))
    (trimmed, g_trimmed), (full, g_full) = grads
    torch.testing.assert_close(trimmed, full, rtol=1e-5, atol=1e-6)
    for a, b in zip(g_trimmed, g_full, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
