"""Prior generation speed: datasets/second on one core, ours vs TabICL's prior (mlp/tree mixture),
measured in the same run with the same table sizes. Needs `pip install tabicl`.

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/prior_speed.py
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
import torch

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.prior import PriorConfig, sample_dataset

SETTINGS = {  # name: rows, min features, max features, max classes
    "150 x 5 x 2": (150, 5, 5, 2),
    "1024 x 2-100 x 2-10": (1024, 2, 100, 10),
}


def ours(rows: int, fmin: int, fmax: int, kmax: int, n: int, seed: int) -> float:
    cfg = PriorConfig(
        min_rows=rows, max_rows=rows, min_features=fmin, max_features=fmax, max_classes=kmax
    )
    t0 = time.perf_counter()
    for i in range(n):
        sample_dataset(cfg, seed, i)
    return n / (time.perf_counter() - t0)


def tabicl(rows: int, fmin: int, fmax: int, kmax: int, n: int, seed: int) -> float:
    from tabicl.prior import PriorDataset

    torch.manual_seed(seed)
    prior = PriorDataset(
        batch_size=n,
        batch_size_per_gp=4,
        min_features=fmin,
        max_features=fmax,
        max_classes=kmax,
        max_seq_len=rows,
        prior_type="mix_scm",
        n_jobs=1,
        num_threads_per_generate=1,
        device="cpu",
    )
    t0 = time.perf_counter()
    prior.get_batch(n)
    return n / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--small-n", type=int, default=400, help="datasets per timing, small")
    parser.add_argument("--large-n", type=int, default=64, help="datasets per timing, large")
    parser.add_argument("--out", default="benchmarks/results/prior_speed")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = []
    for name, sizes in SETTINGS.items():
        n = args.small_n if sizes[0] <= 150 else args.large_n
        for rep in range(args.repeats):  # interleaved, so both see the same machine load
            for impl, fn in (("tabpfn-lite", ours), ("TabICL", tabicl)):
                rows.append(
                    {
                        "setting": name,
                        "prior": impl,
                        "repeat": rep,
                        "datasets_per_second": fn(*sizes, n, seed=rep),
                    }
                )
                print(rows[-1])
    df = pd.DataFrame(rows)
    table = df.groupby(["setting", "prior"])["datasets_per_second"].median().unstack("prior")
    table["ratio (ours / TabICL)"] = table["tabpfn-lite"] / table["TabICL"]
    table = table.round(1)
    print(table.to_string())
    write_benchmark(
        args.out,
        df,
        "Prior generation speed, one core (median datasets/second over repeats)",
        f"OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 {command_line()}",
        table.to_markdown(),
    )


if __name__ == "__main__":
    main()
