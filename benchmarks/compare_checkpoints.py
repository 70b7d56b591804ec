"""Checkpoints side by side on the training loop's own evaluation: held-out synthetic tables of
each prior dump's generator (another seed than the dump) and the scikit-learn eval sets.

    python benchmarks/compare_checkpoints.py --checkpoint tabpfn_lite/weights/default \
        --checkpoint runs/long/checkpoint --data data/stage1.h5 data/stage2.h5 \
        --out benchmarks/results/pretrain_stage3/compare

Lower eval loss is better; each dump's column is the mean cross-entropy on its held-out tables.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import torch

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.checkpoint import load_checkpoint
from tabpfn_lite.options import add_list_option
from tabpfn_lite.train import evaluate, real_eval_sets, synthetic_eval_batches


def source_names(data: list[str]) -> list[str]:
    """A column name per data source: its file stem, with its folder where stems repeat
    (two `prior.json` specs would otherwise share one column)."""
    stems = [Path(d).stem for d in data]
    if len(set(stems)) == len(stems):
        return stems
    return [f"{Path(d).parent.name}/{Path(d).stem}" for d in data]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_list_option(parser, "--checkpoint", required=True)
    add_list_option(parser, "--data", required=True, help="prior dumps (HDF5) or prior:SPEC.json")
    parser.add_argument("--datasets", type=int, default=64, help="held-out tables per dump")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    held_out = {
        name: synthetic_eval_batches(d, args.datasets, batch_size=16)
        for name, d in zip(source_names(args.data), args.data, strict=True)
    }
    real = real_eval_sets()
    rows = []
    for path in args.checkpoint:
        model, _ = load_checkpoint(path)
        cpu = torch.device("cpu")
        row = {"checkpoint": path}
        for name, batches in held_out.items():
            row[f"eval_loss {name}"] = evaluate(model, batches, {}, cpu)["eval_loss"]
        row.update(evaluate(model, [], real, cpu))  # the real sets once, not once per dump
        rows.append(row)
        print(row, flush=True)
    table = pd.DataFrame(rows)
    body = (
        f"{args.datasets} held-out synthetic tables per dump (its generator, another seed); "
        "eval_auc_*: 50/50 splits of scikit-learn datasets, one pass, no ensemble.\n\n"
        + table.to_markdown(index=False, floatfmt=".4f")
    )
    write_benchmark(args.out, table, "Checkpoints on held-out prior data", command_line(), body)


if __name__ == "__main__":
    main()
