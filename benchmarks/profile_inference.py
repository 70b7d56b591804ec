"""Where TabPFNLiteClassifier's fit + predict time goes (default settings), and how close its
network runs to this CPU's matrix-multiply rate, measured in the same run.

    python benchmarks/profile_inference.py

For each size of `benchmarks/speed.py` up to 2,000 rows (the same synthetic tables): the median
fit + predict seconds of 3 runs after a warm-up, the network's FLOPs (`model/flops.py`: matmuls
of every member's pass over its train and test rows), the rate that gives, and the share of one
profiled fit + predict (torch.profiler, self time per op) spent in attention (the row attention's
fused kernel, and the matmuls and softmax of attention over few keys), in the linear layers, in
layout copies, in other tensor ops (norms, activations, adds), and outside torch (Python,
preprocessing). The reference rate: one 2048 x 2048 float32 matmul on the same threads.

XGBoost's fit + predict on the same tables, timed the same way in the same run (warm, in this
process; benchmarks/speed.py times a fresh process per fit, where XGBoost takes longer), sets the
scale of issue #20's goal: the network's FLOPs at the reference rate (a large float32 matmul's,
measured here) are the time these FLOPs take at that rate, and its ratio to XGBoost's time is the
"floor": below it, the goal needs fewer FLOPs, not only faster kernels.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from speed import make_data

from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.model.flops import forward_flops

SIZES = [(100, 10), (1_000, 20), (2_000, 10)]
CATEGORIES = {
    "attention": (
        "aten::_scaled_dot_product_flash_attention_for_cpu",
        "aten::bmm",
        "aten::_softmax",
    ),
    "linear": ("aten::addmm", "aten::mm"),
    "copies": ("aten::copy_", "aten::clone", "aten::contiguous"),
}


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def network_flops(clf: TabPFNLiteClassifier, n_test: int) -> float:
    """Matmul FLOPs of every member's pass: its context rows (fit) and the test rows (predict)."""
    cfg = clf.model_.cfg
    n_train = clf.train_rows_.shape[1]
    return sum(
        forward_flops(cfg, n_train + n_test, n_train, len(order)).total
        for order in clf.feature_orders_
    )


def fit_predict(clf: TabPFNLiteClassifier, data: tuple) -> float:
    X_train, X_test, y_train, _ = data
    start = time.perf_counter()
    clf.fit(X_train, y_train).predict_proba(X_test)
    return time.perf_counter() - start


def xgb_fit_predict(data: tuple, repeats: int) -> float:
    """XGBoost's median fit + predict seconds (benchmarks/speed.py's settings), after a warm-up."""
    from xgboost import XGBClassifier

    def once() -> float:
        return fit_predict(XGBClassifier(n_jobs=2, random_state=0), data)

    once()
    return float(np.median([once() for _ in range(repeats)]))


def time_shares(clf: TabPFNLiteClassifier, data: tuple) -> dict[str, float]:
    """Share of one profiled fit + predict's wall time per category of op (self CPU time)."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        wall = fit_predict(clf, data)
    self_us = {e.key: e.self_cpu_time_total for e in prof.key_averages()}
    total = sum(self_us.values()) / 1e6
    shares = {
        name: sum(self_us.get(op, 0) for op in ops) / 1e6 / wall for name, ops in CATEGORIES.items()
    }
    shares["other tensor ops"] = total / wall - sum(shares.values())
    shares["outside torch"] = max(0.0, 1 - total / wall)
    return shares


def measure(n: int, f: int, repeats: int) -> dict:
    data = make_data(n, f)
    clf = TabPFNLiteClassifier(random_state=0)
    fit_predict(clf, data)  # warm-up: loads the checkpoint, first-call allocations
    seconds = float(np.median([fit_predict(clf, data) for _ in range(repeats)]))
    flops = network_flops(clf, len(data[1]))
    return {
        "rows": n,
        "features": f,
        "fit_predict_s": seconds,
        "xgb fit_predict_s": xgb_fit_predict(data, repeats),
        "network_gflop": flops / 1e9,
        "network_gflops_per_s": flops / seconds / 1e9,
        **{f"share {k}": v for k, v in time_shares(clf, data).items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", default="benchmarks/results/profile_inference")
    args = parser.parse_args()
    peak = matmul_gflops()
    table = pd.DataFrame([measure(n, f, args.repeats) for n, f in SIZES])
    table["rate / matmul rate"] = table["network_gflops_per_s"] / peak
    table["lite / xgb time"] = table["fit_predict_s"] / table["xgb fit_predict_s"]
    # The least time these FLOPs take at the large matmul's rate, against XGBoost's time.
    table["floor / xgb time"] = table["network_gflop"] / peak / table["xgb fit_predict_s"]
    body = (
        "Default settings (8 members, the shipped checkpoint); train n rows, predict n rows. "
        f"Reference: a 2048 x 2048 float32 matmul ran at {peak:.0f} GFLOP/s on "
        f"{torch.get_num_threads()} threads in this run. Shares are of one profiled fit + predict "
        "(the profiler's own time counts outside torch). xgb: XGBoost (n_jobs=2) on the same "
        "tables in this run (warm, in this process); floor: the network's FLOPs at the reference "
        "rate, against XGBoost's time.\n\n" + table.to_markdown(index=False, floatfmt=".3g")
    )
    write_benchmark(Path(args.out), table, "Where fit + predict time goes", command_line(), body)
    print(body)


if __name__ == "__main__":
    main()
