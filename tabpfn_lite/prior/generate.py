"""Parallel, reproducible, resumable generation of a prior dump."""

from __future__ import annotations

import multiprocessing as mp
from functools import partial
from pathlib import Path

from tqdm import tqdm

from .config import PriorConfig
from .hdf5 import CHUNK, DumpWriter
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
) -> Path:
    """Write `num_datasets` datasets to `path`. Dataset i depends only on (seed, i), so the file
    is the same for any number of workers; with `resume`, an interrupted run continues."""
    if num_datasets < 1:
        raise ValueError(f"num_datasets must be >= 1, got {num_datasets}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    attrs = {"prior_config": cfg.to_json(), "seed": seed, "num_datasets": num_datasets}
    writer = DumpWriter(
        path, num_datasets, cfg.max_rows, cfg.max_features, cfg.max_classes, attrs, resume=resume
    )
    start = writer.num_written
    blocks = [(i, min(i + CHUNK, num_datasets)) for i in range(start, num_datasets, CHUNK)]
    work = partial(_sample_block, cfg, seed)
    bar = tqdm(total=num_datasets, initial=start, unit="ds", disable=not progress, desc="prior")
    try:
        if workers == 1:
            results = map(work, blocks)
        else:
            pool = mp.get_context("spawn").Pool(workers)
            results = pool.imap(work, blocks)  # ordered: blocks are written in sequence
        for block, datasets in zip(blocks, results, strict=True):
            writer.write(block[0], datasets)
            bar.update(len(datasets))
    finally:
        if workers > 1:
            pool.terminate()
        writer.close()
        bar.close()
    return Path(path)
