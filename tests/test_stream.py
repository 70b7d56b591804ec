import json
from dataclasses import asdict

import pytest
import torch

from tabpfn_lite.prior import PriorConfig, PriorStream
from tabpfn_lite.prior.stream import read_prior_spec
from tabpfn_lite.train import TrainConfig, lr_factor, read_log, synthetic_eval_batches, train

from .test_train import SMALL, assert_same_weights


@pytest.fixture
def spec(tmp_path, small_prior):
    path = tmp_path / "prior.json"
    path.write_text(json.dumps({"prior_config": asdict(small_prior), "seed": 7}))
    return f"prior:{path}"


def same_batch(a, b) -> bool:
    return (
        torch.equal(torch.nan_to_num(a.x, 99.0), torch.nan_to_num(b.x, 99.0))
        and torch.equal(a.y, b.y)
        and a.n_train == b.n_train
    )


def test_stream_is_the_same_for_any_workers_and_resumes_exactly(spec):
    one = PriorStream.from_spec(spec).batches(8)
    batches = [next(one) for _ in range(5)]
    resumed = PriorStream.from_spec(spec).batches(8, start_batch=3)
    assert all(same_batch(a, next(resumed)) for a in batches[3:])
    two = PriorStream.from_spec(spec, workers=2)
    try:
        parallel = two.batches(8)
        assert all(same_batch(a, next(parallel)) for a in batches)
    finally:
        two.close()
    assert not same_batch(batches[0], batches[1])


def test_stream_batches_have_one_shape_and_no_padding(spec):
    batches = PriorStream.from_spec(spec).batches(8)
    for _ in range(4):
        b = next(batches)
        assert (b.y != -100).all() and b.global_datasets == 8
        assert b.global_test_rows == int((b.y[:, b.n_train :] >= 0).sum())
        assert b.global_cell_tokens == b.x.shape[0] * b.x.shape[1] * b.x.shape[2]


def test_rank_shares_split_the_global_batch(spec):
    whole = next(PriorStream.from_spec(spec).batches(8, start_batch=2))
    shares = [next(PriorStream.from_spec(spec).batches(8, 2, 2, rank=r, world=2)) for r in (0, 1)]
    for r, share in enumerate(shares):
        assert torch.equal(share.y, whole.y[r::2]) and share.global_datasets == 8


def test_prior_specs(tmp_path, small_prior):
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"max_rows": 300}))
    assert read_prior_spec(f"prior:{flat}") == (PriorConfig(max_rows=300), 0)
    with pytest.raises(ValueError, match="not a readable prior spec"):
        read_prior_spec(f"prior:{tmp_path / 'missing.json'}")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"max_rowz": 3}))
    with pytest.raises(ValueError, match="unknown PriorConfig fields"):
        read_prior_spec(f"prior:{bad}")


def test_held_out_tables_of_a_spec_differ_from_its_training_tables(spec):
    held_out = synthetic_eval_batches(spec, 8, 8)[0]
    first = next(PriorStream.from_spec(spec).batches(8))
    assert held_out.x.shape[0] == 8 and not same_batch(held_out, first)


def test_training_from_the_live_prior_resumes_exactly(spec, tmp_path, monkeypatch):
    def cfg(out):
        return TrainConfig(
            data=[spec], out=str(out), model=SMALL, batch_size=8, steps=6, warmup_steps=2,
            log_every=1, eval_every=3, checkpoint_every=3, eval_datasets=8,
        )  # fmt: skip

    straight = train(cfg(tmp_path / "a"), progress=False)
    interrupted = cfg(tmp_path / "b")
    interrupted.stop_at = 3
    train(interrupted, progress=False)
    resumed = train(cfg(tmp_path / "b"), resume=True, progress=False)
    assert_same_weights(straight, resumed, rtol=0, atol=1e-6)
    rows = read_log(tmp_path / "b" / "log.jsonl")
    assert [r["step"] for r in rows if "loss" in r] == list(range(1, 7))
    assert all(r["eval_loss"] > 0 for r in rows if "eval_loss" in r)


def test_annealing_to_the_time_budget():
    cfg = TrainConfig(
        data=["a"], out="x", steps=1000, warmup_steps=0, time_budget=100.0,
        anneal_to_time_budget=True,
    )  # fmt: skip
    assert lr_factor(10, cfg, seconds=0.0) == pytest.approx(1.0, abs=1e-3)
    assert lr_factor(10, cfg, seconds=50.0) == pytest.approx((1 + cfg.min_lr_ratio) / 2, abs=0.01)
    assert lr_factor(10, cfg, seconds=100.0) == pytest.approx(cfg.min_lr_ratio)
    with pytest.raises(ValueError, match="needs a time_budget"):
        TrainConfig(data=["a"], out="x", anneal_to_time_budget=True)
