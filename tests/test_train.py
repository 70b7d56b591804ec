import json
import runpy
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.checkpoint import default_checkpoint_path, load_checkpoint
from tabpfn_lite.cli import main
from tabpfn_lite.model import ModelConfig, TabPFN, optimizer_param_groups
from tabpfn_lite.prior import PriorDump
from tabpfn_lite.train import (
    OPTIMIZERS,
    MuonWithAdamW,
    TrainConfig,
    batch_training_flops,
    cpu_has_native_bf16,
    dump_for_step,
    lr_factor,
    plot_log,
    read_log,
    train,
)

SMALL = ModelConfig(emsize=32, nlayers=2, nheads=2, mlp_hidden=64, decoder_hidden=64)


def config(dump, out, **kw) -> TrainConfig:
    base = dict(
        data=[str(dump)],
        out=str(out),
        model=SMALL,
        batch_size=8,
        steps=8,
        lr=3e-3,
        warmup_steps=2,
        log_every=1,
        eval_every=4,
        checkpoint_every=4,
        eval_datasets=8,
    )
    return TrainConfig(**{**base, **kw})


def assert_same_weights(a, b, rtol=1e-4, atol=1e-5) -> None:
    """The checkpoints at paths a and b hold the same weights (to the tolerance)."""
    ma, _ = load_checkpoint(a)
    mb, _ = load_checkpoint(b)
    for (name, pa), pb in zip(ma.state_dict().items(), mb.state_dict().values(), strict=True):
        torch.testing.assert_close(pa, pb, rtol=rtol, atol=atol, msg=name)


def test_log_has_the_promised_fields(small_dump, tmp_path):
    ckpt = train(config(small_dump, tmp_path / "run"), progress=False)
    rows = read_log(tmp_path / "run" / "log.jsonl")
    steps = [r for r in rows if "loss" in r]
    assert [r["step"] for r in steps] == list(range(1, 9))
    for key in ("datasets", "cell_tokens", "loss", "wall_seconds"):
        assert all(key in r for r in steps)
    assert steps[-1]["datasets"] == 64
    assert all(a["cell_tokens"] < b["cell_tokens"] for a, b in zip(steps, steps[1:], strict=False))
    # FLOPs, attention included: each step adds its batch's forward + backward count.
    dump = PriorDump(small_dump)
    batches = dump.batches(8, seed=0)
    expected = np.cumsum([batch_training_flops(SMALL, next(batches)) for _ in range(8)])
    dump.close()
    np.testing.assert_allclose([r["flops"] for r in steps], expected)
    # The data wait is part of the wall clock, and grows (or stays) from step to step.
    waits = [r["data_seconds"] for r in steps]
    assert 0 < waits[0] and all(a <= b for a, b in zip(waits, waits[1:], strict=False))
    assert all(r["data_seconds"] <= r["wall_seconds"] for r in steps)
    evals = [r for r in rows if "eval_auc_iris" in r]
    assert len(evals) == 2 and all("eval_loss" in r for r in evals)
    model, meta = load_checkpoint(ckpt)
    assert meta["metadata"]["step"] == 8 and model.cfg == SMALL


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_resume_continues_exactly(small_dump, tmp_path, monkeypatch, optimizer):
    straight = train(config(small_dump, tmp_path / "a", optimizer=optimizer), progress=False)

    import tabpfn_lite.train as train_module

    real_save = train_module._save_state

    def save_then_crash(out, model, opt, state, cfg):
        real_save(out, model, opt, state, cfg)
        if state["step"] == 4:
            raise KeyboardInterrupt  # as if the run died right after its step-4 checkpoint

    monkeypatch.setattr(train_module, "_save_state", save_then_crash)
    with pytest.raises(KeyboardInterrupt):
        train(config(small_dump, tmp_path / "b", optimizer=optimizer), progress=False)
    monkeypatch.setattr(train_module, "_save_state", real_save)
    assert json.loads((tmp_path / "b" / "state.json").read_text())["step"] == 4
    resumed = train(
        config(small_dump, tmp_path / "b", optimizer=optimizer), resume=True, progress=False
    )

    assert_same_weights(straight, resumed, rtol=0, atol=1e-6)
    log_a = [r["loss"] for r in read_log(tmp_path / "a" / "log.jsonl") if "loss" in r]
    log_b = [r["loss"] for r in read_log(tmp_path / "b" / "log.jsonl") if "loss" in r]
    assert log_b == pytest.approx(log_a, abs=1e-6)


def gradient_with_singular_values(shape: torch.Size, values: torch.Tensor) -> torch.Tensor:
    m, n = shape
    u, _ = torch.linalg.qr(torch.randn(m, len(values)))
    v, _ = torch.linalg.qr(torch.randn(n, len(values)))
    return u @ torch.diag(values) @ v.T


def test_muon_orthogonalises_the_hidden_matrices_and_adamw_steps_the_rest():
    torch.manual_seed(0)
    model = TabPFN(SMALL)
    opt = MuonWithAdamW(optimizer_param_groups(model, lr=1e-2))
    hidden = {id(p) for p in opt.muon.param_groups[0]["params"]}
    assert hidden and all(p.ndim == 2 for p in opt.muon.param_groups[0]["params"])
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    for p in model.parameters():
        if id(p) in hidden:  # singular values spread over a factor of 20
            p.grad = gradient_with_singular_values(p.shape, torch.logspace(0, -1.3, min(p.shape)))
        else:
            p.grad = torch.randn_like(p)
    opt.step()
    for name, p in model.named_parameters():
        update = before[name] - p.detach()
        if id(p) in hidden:  # Newton-Schulz brings them within a factor of 2
            s = torch.linalg.svdvals(update)
            assert s.max() < 2 * s.min(), name
        else:  # AdamW's first step moves every entry by lr
            torch.testing.assert_close(update.abs(), torch.full_like(update, 1e-2), msg=name)
    assert len(hidden) < len(before)


def test_an_unknown_optimizer_is_refused(small_dump, tmp_path):
    with pytest.raises(ValueError, match="optimizer must be one of"):
        config(small_dump, tmp_path, optimizer="sgd")


def test_a_run_begun_without_flop_counts_logs_none_after_resume(small_dump, tmp_path):
    out = tmp_path / "run"
    train(config(small_dump, out, steps=4), progress=False)
    state = json.loads((out / "state.json").read_text())
    del state["flops"]  # as written before FLOPs were counted
    (out / "state.json").write_text(json.dumps(state))
    train(config(small_dump, out, steps=8), resume=True, progress=False)
    later = [r for r in read_log(out / "log.jsonl") if r["step"] > 4]
    assert later and all(r["flops"] is None for r in later)  # not a count from the resume on


def test_time_budget_stops_and_saves(small_dump, tmp_path):
    train(config(small_dump, tmp_path / "run", time_budget=0.0), progress=False)
    assert json.loads((tmp_path / "run" / "state.json").read_text())["step"] == 0


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_loss_falls(small_dump, tmp_path, optimizer):
    cfg = config(
        small_dump,
        tmp_path / "run",
        optimizer=optimizer,
        steps=60,
        log_every=10,
        eval_every=60,
        checkpoint_every=60,
        lr=3e-3,
        warmup_steps=5,
    )
    train(cfg, progress=False)
    losses = [r["loss"] for r in read_log(tmp_path / "run" / "log.jsonl") if "loss" in r]
    assert losses[-1] < losses[0] - 0.05


def test_trained_checkpoint_loads_in_the_classifier(small_dump, tmp_path):
    ckpt = train(config(small_dump, tmp_path / "run"), progress=False)
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    assert TabPFNLiteClassifier(checkpoint=ckpt, n_estimators=2).fit(X, y).score(X, y) > 0


def test_schedule_and_curriculum():
    cfg = TrainConfig(data=["a", "b"], out="x", steps=100, warmup_steps=10, curriculum=[3, 1])
    assert lr_factor(0, cfg) == pytest.approx(0.1) and lr_factor(9, cfg) == pytest.approx(1.0)
    assert lr_factor(99, cfg) == pytest.approx(cfg.min_lr_ratio, abs=1e-3)
    assert [dump_for_step(s, cfg) for s in (0, 74, 75, 99)] == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="curriculum has 1 shares for 2 dumps"):
        TrainConfig(data=["a", "b"], out="x", curriculum=[1.0])


def test_cli_train(small_dump, tmp_path):
    out = tmp_path / "cli"
    assert (
        main(
            [
                "train",
                "--data",
                str(small_dump),
                "--out",
                str(out),
                "--emsize",
                "16",
                "--nheads",
                "2",
                "--nlayers",
                "1",
                "--mlp-hidden",
                "32",
                "--batch-size",
                "4",
                "--steps",
                "3",
                "--eval-every",
                "3",
                "--checkpoint-every",
                "3",
            ]
        )
        == 0
    )
    assert (out / "checkpoint" / "model.safetensors").exists() and (out / "curves.png").exists()


def test_curves_of_a_run_without_evaluations_plot_without_warnings(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text('{"datasets": 16, "loss": 0.7}\n{"datasets": 32, "loss": 0.6}\n')
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = plot_log(log, tmp_path / "curves.png")
    assert png.stat().st_size > 0


def test_micro_batches_give_the_whole_batch_gradient(small_dump):
    from tabpfn_lite.model import TabPFN
    from tabpfn_lite.prior import PriorDump
    from tabpfn_lite.train import batch_loss, micro_batches

    dump = PriorDump(small_dump)
    batch = next(dump.batches(8, seed=0))
    dump.close()
    torch.manual_seed(0)
    model = TabPFN(SMALL)
    for p in model.parameters():
        torch.nn.init.normal_(p, std=0.1)
    codes = model.sample_feature_codes(8, batch.x.shape[2])

    batch_loss(model, batch, codes).backward()
    whole = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    pieces = micro_batches(batch, codes, max_tokens=1, features_per_token=2)
    assert len(pieces) == 8
    for piece, piece_codes in pieces:
        batch_loss(model, piece, piece_codes).backward()
    for g, p in zip(whole, model.parameters(), strict=True):
        torch.testing.assert_close(p.grad, g, rtol=1e-4, atol=1e-6)


def test_compare_checkpoints_scores_each_checkpoint_on_held_out_prior_data(
    tmp_path, monkeypatch, tiny_checkpoint, small_dump
):
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_checkpoints.py"
    out = tmp_path / "compare"
    argv = [str(script), "--checkpoint", str(tiny_checkpoint)]
    # Every table of the dump: the mean loss over a few tables of 20-60 rows is too noisy (on the
    # first 16 alone the shipped default scored 1.29 against random weights' 1.18).
    argv += [str(default_checkpoint_path()), "--data", str(small_dump), "--datasets", "200"]
    monkeypatch.setattr(sys, "argv", [*argv, "--out", str(out)])
    runpy.run_path(str(script), run_name="__main__")

    table = pd.read_csv(out / "results.csv")
    assert list(table["checkpoint"]) == [str(tiny_checkpoint), str(default_checkpoint_path())]
    loss = table[f"eval_loss {Path(small_dump).stem}"]
    assert loss.notna().all() and loss[1] < loss[0]  # the pretrained one beats random weights
    assert {"eval_auc_breast_cancer", "eval_auc_iris"} <= set(table.columns)
    assert "Command: `python" in (out / "summary.md").read_text()


def test_bf16_on_a_cpu_without_native_bf16_warns(small_dump, tmp_path, monkeypatch):
    flags = tmp_path / "cpuinfo"
    flags.write_text("flags\t: fpu sse2 avx2 avx512f\n")
    assert cpu_has_native_bf16(flags) is False
    flags.write_text("flags\t: fpu sse2 avx2 avx512f avx512_bf16\n")
    assert cpu_has_native_bf16(flags) is True
    assert cpu_has_native_bf16(tmp_path / "absent") is None

    monkeypatch.setattr("tabpfn_lite.train.cpu_has_native_bf16", lambda: False)
    with pytest.warns(UserWarning, match="without AVX512-BF16"):
        train(config(small_dump, tmp_path / "run", bf16=True, steps=1), progress=False)
