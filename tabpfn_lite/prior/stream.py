"""Training batches drawn from the prior as they are needed, with no dump on disk.

A dump pays off when the same tables are read many times (a CPU run of many epochs); a machine
whose accelerator eats tables faster than a disk of them can be written is better fed live, by
worker processes drawing fresh tables while the model trains. `--data prior:SPEC.json` in
`tabpfn-lite train` selects this source; SPEC.json holds PriorConfig fields and an optional
"seed" (the layout of `benchmarks/results/pretrain_default/prior_configs.json` entries, or a
flat PriorConfig).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing as mp
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from pathlib import Path

from .config import PriorConfig
from .hdf5 import Batch, collate
from .sample import Dataset, sample_dataset, sample_table_shape

PREFIX = "prior:"


def is_prior_spec(data: str) -> bool:
    return str(data).startswith(PREFIX)


def read_prior_spec(data: str) -> tuple[PriorConfig, int]:
    """The prior and seed of a `prior:SPEC.json` data argument."""
    path = Path(str(data).removeprefix(PREFIX))
    try:
        spec = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"{data}: not a readable prior spec: {e}") from None
    if not isinstance(spec, dict):
        raise ValueError(f"{data}: a prior spec is a JSON object")
    seed = int(spec.get("seed", 0))
    fields = spec.get("prior_config", {k: v for k, v in spec.items() if k != "seed"})
    return PriorConfig.from_json(json.dumps(fields)), seed


def _sample_share(
    cfg: PriorConfig, seed: int, batch_size: int, rank: int, world: int, batch: int
) -> list[Dataset]:
    first = batch * batch_size
    return [sample_dataset(cfg, seed, first + j) for j in range(rank, batch_size, world)]


class PriorStream:
    """An endless stream of batches drawn live from a prior, with PriorDump's `batches` interface.

    Batch k holds datasets k*B .. k*B + B - 1 of (prior, seed) with the prior's size group set to
    the batch size B, so all tables of a batch share rows, features and split: no padding. The
    stream depends only on (prior, seed, B): `start_batch` resumes it exactly, and the number of
    worker processes changes only its speed."""

    def __init__(self, prior: PriorConfig, seed: int = 0, workers: int = 1, prefetch: int = 2):
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.prior, self.seed, self.workers = prior, seed, workers
        self.prefetch = prefetch * workers  # batches drawn ahead of the training loop
        self._pool = None

    @classmethod
    def from_spec(cls, data: str, workers: int = 1) -> PriorStream:
        prior, seed = read_prior_spec(data)
        return cls(prior, seed, workers)

    def batches(
        self, batch_size: int, seed: int = 0, start_batch: int = 0, rank: int = 0, world: int = 1
    ) -> Iterator[Batch]:
        """`seed` is accepted for PriorDump's interface; the spec's seed decides the tables."""
        if batch_size % world:
            raise ValueError(f"batch size {batch_size} is not divisible by {world} ranks")
        prior = replace(self.prior, size_group=batch_size)
        draw = partial(_sample_share, prior, self.seed, batch_size, rank, world)
        if self.workers == 1:
            for k in itertools.count(start_batch):
                yield self._share(prior, k, batch_size, draw(k))
            return
        self.close()  # one pool per stream: a second `batches` call replaces the first's
        self._pool = mp.get_context("spawn").Pool(self.workers)
        # A bounded queue of pending draws, consumed in order: apply_async rather than imap,
        # whose feeder thread would run ahead through an endless range without bound.
        pending = deque(
            (k, self._pool.apply_async(draw, (k,)))
            for k in range(start_batch, start_batch + self.prefetch)
        )
        for k in itertools.count(start_batch + self.prefetch):
            done, result = pending.popleft()
            pending.append((k, self._pool.apply_async(draw, (k,))))
            yield self._share(prior, done, batch_size, result.get())

    def _share(self, prior: PriorConfig, k: int, batch_size: int, datasets: list) -> Batch:
        rows, features, n_train = sample_table_shape(prior, self.seed, k * batch_size)
        return collate(
            datasets,
            shape=(rows, features),
            n_train=n_train,
            global_datasets=batch_size,
            global_test_rows=batch_size * (rows - n_train),
            global_cell_tokens=batch_size * rows * features,
        )

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None
