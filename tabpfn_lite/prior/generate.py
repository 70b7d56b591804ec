"""Parallel, reproducible, resumable generation of a prior dump."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
from functools import partial
from pathlib import Path

from tqdm import tqdm

from .config import PriorConfig
from .hdf5 import CHUNK, INDEX_FORMAT, DumpWriter
from .sample import Dataset, sample_dataset


def _sample_block(cfg: PriorConfig, seed: int, block: tuple[int, int]) -> list[Dataset]:
    return [sample_dataset(cfg, seed, i) for i in range(*block)]


def generate_dump(
    path: str | Path,
    cfg: PriorConfig,
    num_datasets: int,
    seed: int = 0,
    workers: int = 1,
    resume: bool = False,
    progress: bool = True,
    first_index: int = 0,
) -> Path:
    """Write datasets first_index .. first_index + num_datasets - 1 to `path`. Dataset i depends
    only on (seed, i), so the file is the same for any number of workers, and a shard equals the
    same slice of an unsharded dump; with `resume`, an interrupted run continues."""
    if num_datasets < 1:
        raise ValueError(f"num_datasets must be >= 1, got {num_datasets}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    attrs = {
        "prior_config": cfg.to_json(),
        "seed": seed,
        "num_datasets": num_datasets,
        "first_index": first_index,
    }
    writer = DumpWriter(
        path, num_datasets, cfg.max_rows, cfg.max_features, cfg.max_classes, attrs, resume=resume
    )
    done = writer.num_written
    stop = first_index + num_datasets
    blocks = [(i, min(i + CHUNK, stop)) for i in range(first_index + done, stop, CHUNK)]
    work = partial(_sample_block, cfg, seed)
    bar = tqdm(total=num_datasets, initial=done, unit="ds", disable=not progress, desc="prior")
    try:
        if workers == 1:
            results = map(work, blocks)
        else:
            pool = mp.get_context("spawn").Pool(workers)
            results = pool.imap(work, blocks)  # ordered: blocks are written in sequence
        for block, datasets in zip(blocks, results, strict=True):
            writer.write(block[0] - first_index, datasets)
            bar.update(len(datasets))
    finally:
        if workers > 1:
            pool.terminate()
        writer.close()
        bar.close()
    return Path(path)


def shard_paths(index_path: str | Path, num_shards: int) -> list[Path]:
    index_path = Path(index_path)
    stem = index_path.name.removesuffix(".json").removesuffix(".index")
    return [
        index_path.with_name(f"{stem}-{k:05d}-of-{num_shards:05d}.h5") for k in range(num_shards)
    ]


def shard_range(num_datasets: int, shard: int, num_shards: int) -> tuple[int, int]:
    """Datasets [start, stop) of a shard; boundaries fall on HDF5 chunks so that the reader
    never needs two files for one chunk."""

    def bound(k: int) -> int:
        return min(num_datasets, -(-(k * num_datasets // num_shards) // CHUNK) * CHUNK)

    return bound(shard), bound(shard + 1)


def generate_sharded_dump(
    index_path: str | Path,
    cfg: PriorConfig,
    num_datasets: int,
    num_shards: int,
    shards: list[int] | None = None,
    seed: int = 0,
    workers: int = 1,
    resume: bool = False,
    progress: bool = True,
) -> Path:
    """Write one HDF5 file per shard (all, or just `shards`: e.g. one per machine) and a JSON
    index listing them; `PriorDump(index_path)` reads the shards as one dump. Shard k of any run
    with the same seed holds the same datasets, so shards can be made on different machines."""
    if not 1 <= num_shards <= max(1, num_datasets // CHUNK):
        raise ValueError(
            f"num_shards must be between 1 and num_datasets / {CHUNK}, got {num_shards}"
        )
    paths = shard_paths(index_path, num_shards)
    for k in shards if shards is not None else range(num_shards):
        if not 0 <= k < num_shards:
            raise ValueError(f"shard {k} is out of range for {num_shards} shards")
        start, stop = shard_range(num_datasets, k, num_shards)
        generate_dump(
            paths[k],
            cfg,
            stop - start,
            seed=seed,
            workers=workers,
            resume=resume,
            progress=progress,
            first_index=start,
        )
    index = {
        "format": INDEX_FORMAT,
        "num_datasets": num_datasets,
        "seed": seed,
        "shards": [p.name for p in paths],
    }
    tmp = Path(index_path).with_suffix(".tmp")
    tmp.write_text(json.dumps(index, indent=2))
    os.replace(tmp, index_path)  # every shard writer writes the same index
    return Path(index_path)
