"""Two gloo processes on the CPU train like one process given the same global batch."""

import os
import socket

import pytest
import torch
import torch.multiprocessing as mp

from tabpfn_lite.train import TrainConfig, read_log, train

from .test_train import assert_same_weights
from .test_train import config as train_config


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, cfg: TrainConfig, resume: bool) -> None:
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        WORLD_SIZE=str(world),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
    )
    torch.set_num_threads(1)
    train(cfg, resume=resume, progress=False)


def run_ranks(world: int, cfg: TrainConfig, resume: bool = False) -> None:
    mp.spawn(_worker, args=(world, _free_port(), cfg, resume), nprocs=world, join=True)


def config(dump, out, **kw) -> TrainConfig:
    return train_config(dump, out, **{"steps": 6, "eval_every": 100, "checkpoint_every": 2, **kw})


def test_two_ranks_match_one_process_and_resume_across_rank_counts(small_dump, tmp_path):
    single = train(config(small_dump, tmp_path / "one"), progress=False)

    run_ranks(2, config(small_dump, tmp_path / "two"))
    assert_same_weights(single, tmp_path / "two" / "checkpoint")
    log_one = read_log(tmp_path / "one" / "log.jsonl")
    log_two = read_log(tmp_path / "two" / "log.jsonl")
    assert [r["datasets"] for r in log_two] == [r["datasets"] for r in log_one]
    assert [r["cell_tokens"] for r in log_two] == [r["cell_tokens"] for r in log_one]
    losses_one = [r["loss"] for r in log_one if "loss" in r]
    losses_two = [r["loss"] for r in log_two if "loss" in r]
    assert losses_two == pytest.approx(losses_one, rel=1e-4)

    # Stop a 2-rank run at step 2, finish it in one process: same weights as straight through.
    run_ranks(2, config(small_dump, tmp_path / "mixed", stop_at=2))
    finished = train(config(small_dump, tmp_path / "mixed"), resume=True, progress=False)
    assert_same_weights(single, finished)
