"""HDF5 dumps of prior datasets, in the nanoTabPFN / TFM-Playground layout plus extra keys.

Layout: X (N, T, F) float32 zero-padded (NaN = missing), y (N, T) float32, num_features,
num_datapoints, single_eval_pos (N,) int32, max_num_classes (1,), problem_type (string).
Extra: num_classes (N,) int32, prior_type (N,) int8, attrs prior_config (JSON), seed, num_written.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np
import torch

from .sample import Dataset

REQUIRED_KEYS = ("X", "y", "num_features", "num_datapoints", "single_eval_pos")
INDEX_FORMAT = "tabpfn-lite-prior-shards/1"
CHUNK = 64  # datasets per HDF5 chunk; the reader reads whole chunks


class DumpError(ValueError):
    """A file that is not a readable prior dump."""


class DumpWriter:
    """Appends datasets to a dump; `num_written` in the file's attributes makes runs resumable."""

    def __init__(
        self,
        path: str | Path,
        total: int,
        max_rows: int,
        max_features: int,
        max_classes: int,
        attrs: dict,
        resume: bool = False,
    ):
        self.path = Path(path)
        if resume and self.path.exists():
            self.file = h5py.File(self.path, "a")
            for key, value in attrs.items():
                if self.file.attrs.get(key) != value:
                    raise DumpError(f"cannot resume {self.path}: its {key} differs from this run's")
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = f = h5py.File(self.path, "w")
        chunk = min(CHUNK, total)
        f.create_dataset(
            "X",
            (total, max_rows, max_features),
            "f4",
            chunks=(chunk, max_rows, max_features),
            compression="lzf",
        )
        f.create_dataset("y", (total, max_rows), "f4", chunks=(chunk, max_rows), compression="lzf")
        for key in ("num_features", "num_datapoints", "single_eval_pos", "num_classes"):
            f.create_dataset(key, (total,), "i4")
        f.create_dataset("prior_type", (total,), "i1")
        f.create_dataset("max_num_classes", data=np.array([max_classes], dtype="i4"))
        f.create_dataset("problem_type", data="classification")
        f.attrs.update(attrs)
        f.attrs["num_written"] = 0

    @property
    def num_written(self) -> int:
        return int(self.file.attrs["num_written"])

    def write(self, start: int, datasets: list[Dataset]) -> None:
        if start != self.num_written:
            raise DumpError(f"out-of-order write at {start}, expected {self.num_written}")
        f, stop = self.file, start + len(datasets)
        R, F = f["X"].shape[1:]
        X = np.zeros((len(datasets), R, F), np.float32)
        y = np.zeros((len(datasets), R), np.float32)
        for i, d in enumerate(datasets):
            X[i, : d.x.shape[0], : d.x.shape[1]] = d.x
            y[i, : len(d.y)] = d.y
        f["X"][start:stop], f["y"][start:stop] = X, y
        f["num_features"][start:stop] = [d.x.shape[1] for d in datasets]
        f["num_datapoints"][start:stop] = [d.x.shape[0] for d in datasets]
        f["single_eval_pos"][start:stop] = [d.single_eval_pos for d in datasets]
        f["num_classes"][start:stop] = [d.num_classes for d in datasets]
        f["prior_type"][start:stop] = [d.prior_type for d in datasets]
        f.attrs["num_written"] = stop
        f.flush()

    def close(self) -> None:
        self.file.close()


@dataclass
class Batch:
    """One rank's share of a global batch (the whole batch when there is one rank)."""

    x: torch.Tensor  # (B, R, F) float32, NaN = missing, zero-padded features
    y: torch.Tensor  # (B, R) long; -100 marks padded rows (ignored by the loss)
    n_train: int  # rows before it are train rows, for every dataset of the batch
    num_classes: torch.Tensor  # (B,) long
    num_features: torch.Tensor  # (B,) long
    global_datasets: int  # datasets in the global batch
    global_test_rows: int  # non-padded test rows in the global batch (the loss denominator)
    global_cell_tokens: int  # real rows x real features, summed over the global batch


class PriorDump:
    """Reads a dump (ours, or nanoTabPFN's layout) and streams shuffled, size-sorted batches."""

    def __init__(self, path: str | Path):
        """`path`: one HDF5 dump, or the JSON index of a sharded dump."""
        self.path = Path(path)
        files = _shard_files(self.path) if self.path.suffix == ".json" else [self.path]
        self.files, parts = [], []
        for file in files:
            f = _open_dump(file)
            self.files.append(f)
            parts.append(_metadata(f))
        self.attrs = dict(self.files[0].attrs)
        self.starts = np.cumsum([0] + [len(p["num_datapoints"]) for p in parts])
        for key in ("num_datapoints", "num_features", "single_eval_pos", "prior_type"):
            values = [p.get(key) for p in parts]
            setattr(self, key, None if any(v is None for v in values) else np.concatenate(values))
        counts = [p.get("num_classes") for p in parts]  # None for nanoTabPFN's layout
        self.num_classes = None if any(c is None for c in counts) else np.concatenate(counts)
        self.chunk = (self.files[0]["X"].chunks or (CHUNK,))[0]
        if len(self) == 0:
            raise DumpError(f"{self.path} holds no datasets")
        if any(s % self.chunk for s in self.starts[1:-1]):
            raise DumpError(f"{self.path}: shard boundaries must fall on {self.chunk}-row chunks")
        for f, stop in zip(self.files, self.starts[1:] - self.starts[:-1], strict=True):
            try:  # a truncated file fails here rather than in the middle of training
                f["X"][stop - 1, :1]
            except OSError as e:
                raise DumpError(f"{f.filename} is truncated or corrupt: {e}") from None

    def __len__(self) -> int:
        return int(self.starts[-1])

    def read(self, start: int, stop: int) -> list[Dataset]:
        """Datasets start .. stop-1 (a range inside one shard, e.g. one chunk)."""
        s = int(np.searchsorted(self.starts, start, side="right")) - 1
        if stop > self.starts[s + 1]:
            raise ValueError(f"rows {start}:{stop} span two shards of {self.path}")
        lo = start - self.starts[s]
        f = self.files[s]
        X, y = f["X"][lo : lo + stop - start], f["y"][lo : lo + stop - start]
        out = []
        for i in range(stop - start):
            j = start + i
            n, nf = self.num_datapoints[j], self.num_features[j]
            yi = y[i, :n]
            k = int(self.num_classes[j]) if self.num_classes is not None else int(yi.max()) + 1
            out.append(Dataset(X[i, :n, :nf], yi, int(self.single_eval_pos[j]), k, -1))
        return out

    def batches(
        self,
        batch_size: int,
        seed: int,
        start_batch: int = 0,
        window_chunks: int = 16,
        rank: int = 0,
        world: int = 1,
    ) -> Iterator[Batch]:
        """Endless stream of batches; the same seed gives the same stream, and `start_batch`
        skips ahead without reading the skipped data (for exact resume).

        Each epoch visits the chunks in a random order, `window_chunks` at a time; inside a window
        datasets are shuffled, sorted by shape (split, rows, features) so that a batch wastes
        little padding and loses few train rows to the shared split (see `collate`), cut into
        full batches, and the batches shuffled. With `world` ranks, rank r gets datasets r, r +
        world, ... of each global batch, padded to the global batch's shape: the global batches
        do not depend on the number of ranks."""
        if len(self) < batch_size:
            raise ValueError(f"{self.path} holds {len(self)} datasets, fewer than one batch")
        if batch_size % world:
            raise ValueError(f"batch size {batch_size} is not divisible by {world} ranks")
        batch_index, epoch = 0, 0
        n_chunks = -(-len(self) // self.chunk)
        while True:
            rng = np.random.default_rng([seed, epoch])
            order = rng.permutation(n_chunks)
            for w in range(0, n_chunks, window_chunks):
                chunks = np.sort(order[w : w + window_chunks])
                plan = self._window_plan(chunks, batch_size, rng)
                if batch_index + len(plan) <= start_batch:
                    batch_index += len(plan)
                    continue
                data = {}
                for c in chunks:
                    lo = c * self.chunk
                    for i, d in enumerate(self.read(lo, min(lo + self.chunk, len(self)))):
                        data[lo + i] = d
                for members in plan:
                    if batch_index >= start_batch:
                        yield self._share(members, data, rank, world)
                    batch_index += 1
            epoch += 1

    def _window_plan(self, chunks: np.ndarray, batch_size: int, rng) -> list[np.ndarray]:
        idx = np.concatenate(
            [np.arange(c * self.chunk, min((c + 1) * self.chunk, len(self))) for c in chunks]
        )
        idx = rng.permutation(idx)
        # Sort by shape: datasets of one size group (same rows, features and split) end up in
        # one batch with no padding; mixed batches share the smallest split.
        keys = (self.num_features[idx], self.num_datapoints[idx], self.single_eval_pos[idx])
        idx = idx[np.lexsort(keys)]
        plan = [idx[i : i + batch_size] for i in range(0, len(idx) - batch_size + 1, batch_size)]
        return [plan[i] for i in rng.permutation(len(plan))]

    def _share(self, members: np.ndarray, data: dict, rank: int, world: int) -> Batch:
        """Rank `rank`'s datasets of the global batch `members`, in the global batch's shape."""
        n_train = int(self.single_eval_pos[members].min())
        rows, features = self.num_datapoints[members], self.num_features[members]
        return collate(
            [data[i] for i in members[rank::world]],
            shape=(int(rows.max()), int(features.max())),
            n_train=n_train,
            global_datasets=len(members),
            global_test_rows=int((rows - n_train).sum()),
            global_cell_tokens=int((rows * features).sum()),
        )

    def close(self) -> None:
        for f in self.files:
            f.close()


def _shard_files(index: Path) -> list[Path]:
    try:
        meta = json.loads(index.read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DumpError(f"{index} is not a readable shard index: {e}") from None
    if not isinstance(meta, dict) or meta.get("format") != INDEX_FORMAT:
        raise DumpError(f"{index} is not a tabpfn-lite shard index")
    files = [index.parent / name for name in meta["shards"]]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        raise DumpError(f"{index}: shard files not written yet: {missing}")
    return files


def _open_dump(path: Path) -> h5py.File:
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise DumpError(f"{path} is not a readable HDF5 file: {e}") from None
    missing = [k for k in REQUIRED_KEYS if k not in f]
    if missing:
        f.close()
        raise DumpError(f"{path} is not a prior dump: missing keys {missing}")
    return f


def _metadata(f: h5py.File) -> dict[str, np.ndarray]:
    """Per-dataset metadata of the datasets written so far."""
    written = int(f.attrs.get("num_written", f["X"].shape[0]))
    keys = ("num_datapoints", "num_features", "single_eval_pos", "num_classes", "prior_type")
    return {k: f[k][:written].astype(np.int64) for k in keys if k in f}


def collate(
    datasets: list[Dataset],
    shape: tuple[int, int] | None = None,
    n_train: int | None = None,
    **global_counts: int,
) -> Batch:
    """Pad rows and features to `shape` (default: the largest dataset). All datasets share the
    split `n_train` (default: the smallest): rows between it and a dataset's own split become
    test rows (their labels are known), so no train row of one dataset is ever padded into
    another's context. `global_counts` describe the global batch when this is one rank's share."""
    R, F = shape or (max(len(d.y) for d in datasets), max(d.x.shape[1] for d in datasets))
    n_train = n_train if n_train is not None else min(d.single_eval_pos for d in datasets)
    x = torch.zeros(len(datasets), R, F)
    y = torch.full((len(datasets), R), -100, dtype=torch.long)
    for i, d in enumerate(datasets):
        x[i, : d.x.shape[0], : d.x.shape[1]] = torch.from_numpy(np.asarray(d.x, np.float32))
        y[i, : len(d.y)] = torch.from_numpy(np.asarray(d.y)).long()
    counts = {
        "global_datasets": len(datasets),
        "global_test_rows": int((y[:, n_train:] != -100).sum()),
        "global_cell_tokens": sum(d.x.shape[0] * d.x.shape[1] for d in datasets),
    }
    return Batch(
        x=x,
        y=y,
        n_train=n_train,
        num_classes=torch.tensor([d.num_classes for d in datasets]),
        num_features=torch.tensor([d.x.shape[1] for d in datasets]),
        **{**counts, **global_counts},
    )
