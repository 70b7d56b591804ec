"""Distribution summary of a dump: sizes, classes, balance, categorical and missing shares."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .config import SAMPLERS
from .hdf5 import PriorDump

MAX_CATEGORICAL_LEVELS = 30  # a column with at most this many distinct values counts as categorical


def dump_stats(path: str | Path, max_datasets: int = 2000) -> dict:
    """Statistics over (up to) the first `max_datasets` datasets of the dump."""
    dump = PriorDump(path)
    try:
        n = min(len(dump), max_datasets)
        datasets = dump.read(0, n)
        prior_type = None if dump.prior_type is None else dump.prior_type[:n]
    finally:
        dump.close()
    balance, categorical, missing_cells, has_missing = [], [], [], []
    for d in datasets:
        counts = np.bincount(d.y.astype(int), minlength=d.num_classes)
        balance.append(counts.min() / counts.max())
        levels = [len(np.unique(c[np.isfinite(c)])) for c in d.x.T]
        categorical.append(np.mean(np.array(levels) <= MAX_CATEGORICAL_LEVELS))
        nan = np.isnan(d.x)
        missing_cells.append(nan.mean())
        has_missing.append(nan.any())
    stats = {
        "datasets": len(datasets),
        "rows": [len(d.y) for d in datasets],
        "features": [d.x.shape[1] for d in datasets],
        "classes": [d.num_classes for d in datasets],
        "train_fraction": [d.single_eval_pos / len(d.y) for d in datasets],
        "class_balance (min/max count)": balance,
        "categorical column share": categorical,
        "missing cell share": missing_cells,
        "has missing values": has_missing,
    }
    if prior_type is not None:
        stats["prior_type"] = {s: int((prior_type == i).sum()) for i, s in enumerate(SAMPLERS)}
    return stats


def format_stats(stats: dict) -> str:
    lines = [f"datasets summarised: {stats['datasets']}"]
    lines.append(
        f"{'quantity':32s} {'min':>8s} {'p25':>8s} {'median':>8s} {'p75':>8s} {'max':>8s}"
        f" {'mean':>8s}"
    )
    for key, values in stats.items():
        if key in ("datasets", "prior_type"):
            continue
        v = np.asarray(values, dtype=float)
        q = np.percentile(v, [0, 25, 50, 75, 100])
        lines.append(f"{key:32s} " + " ".join(f"{x:8.3g}" for x in q) + f" {v.mean():8.3g}")
    classes = np.bincount(np.asarray(stats["classes"]))
    lines.append("classes histogram: " + ", ".join(f"{k}: {c}" for k, c in enumerate(classes) if c))
    if "prior_type" in stats:
        lines.append(
            "sampler counts: " + ", ".join(f"{k}: {v}" for k, v in stats["prior_type"].items())
        )
    return "\n".join(lines)
