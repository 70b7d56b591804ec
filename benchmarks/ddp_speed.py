"""Training throughput with 1 vs N processes under torchrun (DDP; gloo on CPU, NCCL on GPU),
same global batch, same data, measured in the same run.

    python benchmarks/ddp_speed.py --procs 1 2 --steps 40
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.options import add_list_option
from tabpfn_lite.prior import PriorConfig, generate_dump
from tabpfn_lite.train import read_log

WARMUP_STEPS = 5  # excluded from the timing


def run(procs: int, dump: Path, out: Path, args: argparse.Namespace) -> float:
    threads = max(1, (os.cpu_count() or 1) // procs)
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        f"--nproc_per_node={procs}",
        "-m",
        "tabpfn_lite.cli",
        "train",
        "--data",
        str(dump),
        "--out",
        str(out),
        "--steps",
        str(args.steps),
        "--batch-size",
        str(args.batch_size),
        "--emsize",
        "96",
        "--nlayers",
        "3",
        "--nheads",
        "4",
        "--mlp-hidden",
        "192",
        "--log-every",
        "1",
        "--eval-every",
        "100000",
        "--checkpoint-every",
        "100000",
        "--device",
        args.device,
        *(["--compile"] if args.compile else []),
    ]
    env = {**os.environ, "OMP_NUM_THREADS": str(threads)}
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    rows = [r for r in read_log(out / "log.jsonl") if "loss" in r]
    first, last = rows[WARMUP_STEPS - 1], rows[-1]
    return (last["datasets"] - first["datasets"]) / (last["wall_seconds"] - first["wall_seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_list_option(parser, "--procs", type=int, default=[1, 2])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--compile", action="store_true", help="train with --compile")
    parser.add_argument("--out", default="benchmarks/results/ddp_speed")
    args = parser.parse_args()
    prior = PriorConfig(
        min_rows=150,
        max_rows=150,
        min_features=5,
        max_features=5,
        max_classes=2,
        size_group=args.batch_size,
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        dump = generate_dump(
            Path(tmp) / "p.h5", prior, args.batch_size * (args.steps + 8), progress=False
        )
        for procs in args.procs:
            speed = run(procs, dump, Path(tmp) / f"run{procs}", args)
            rows.append({"processes": procs, "device": args.device, "tables_per_second": speed})
            print(rows[-1])
    table = pd.DataFrame(rows).set_index("processes")
    table["speedup vs first"] = table["tables_per_second"] / table["tables_per_second"].iloc[0]
    table = table.round(2)
    print(table.to_string())
    write_benchmark(
        args.out,
        table,
        f"DDP training throughput ({os.cpu_count()} CPU cores shared by the processes)",
        command_line(),
        f"96 wide, 3 layers; global batch {args.batch_size} tables of 150 x 5 x 2; "
        f"{args.steps} steps, the first {WARMUP_STEPS} not timed"
        f"{'; compiled feature attention (--compile)' if args.compile else ''}."
        f"\n\n{table.to_markdown()}",
        index=True,
    )


if __name__ == "__main__":
    main()
