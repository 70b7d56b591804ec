"""Learning-rate sweep at several widths, muP vs standard parametrization: under muP the best
learning rate found at the small width should also be (close to) the best at the large width.

    python benchmarks/mup_lr_sweep.py --data PRIOR.h5 --widths 16 32 64 --seeds 0 1 2 --steps 200

Each point: a 2-layer model (head size 8, MLP 2x width) trained for `--steps` steps at a constant
learning rate after 10 warm-up steps; the y value is the held-out prior loss at the end. A seed
sets the initialisation and the batch order (the same for every width and learning rate). The
best learning rate of a width is the one of the lowest mean loss over seeds; per seed too, to
show how much it moves by chance. Writes results.csv, summary.md and lr_sweep.png under --out.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from tempfile import TemporaryDirectory

import numpy as np
import pandas as pd
import torch

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.model import ModelConfig
from tabpfn_lite.options import add_list_option
from tabpfn_lite.plotting import pyplot
from tabpfn_lite.train import TrainConfig, read_log, train


def final_loss(
    data: str, width: int, lr: float, steps: int, parametrization: str, base: int, seed: int = 0
) -> float:
    model = ModelConfig(
        emsize=width,
        nlayers=2,
        nheads=width // 8,
        mlp_hidden=2 * width,
        decoder_hidden=2 * width,
        parametrization=parametrization,
        base_emsize=base,
    )
    with TemporaryDirectory() as tmp:
        cfg = TrainConfig(
            data=[data],
            out=tmp,
            model=model,
            steps=steps,
            lr=lr,
            warmup_steps=10,
            min_lr_ratio=1.0,
            eval_every=steps,
            eval_datasets=256,
            log_every=steps,
            seed=seed,
        )
        train(cfg, progress=False)
        return next(r["eval_loss"] for r in read_log(Path(tmp) / "log.jsonl") if "eval_loss" in r)


def plot(results: pd.DataFrame, path: Path) -> None:
    plt = pyplot()

    params = list(results["parametrization"].unique())
    fig, axes = plt.subplots(1, len(params), figsize=(5.5 * len(params), 4), squeeze=False)
    for ax, par in zip(axes[0], params, strict=True):
        for width, rows in results[results["parametrization"] == par].groupby("width"):
            stats = rows.groupby("lr")["eval_loss"].agg(["mean", "std"]).fillna(0.0)
            ax.errorbar(
                stats.index, stats["mean"], yerr=stats["std"], marker="o", capsize=3,
                label=f"width {width}",
            )  # fmt: skip
        ax.set(
            xscale="log", xlabel="learning rate", title=par,
            ylabel="held-out prior loss (mean +- std of seeds)",
        )  # fmt: skip
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="prior dump (HDF5)")
    add_list_option(parser, "--widths", type=int, default=[16, 64])
    add_list_option(parser, "--lrs", type=float, default=[2.0**k for k in range(-12, -4)])
    add_list_option(parser, "--parametrizations", default=["mup", "sp"])
    add_list_option(parser, "--seeds", type=int, default=[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", default="benchmarks/results/mup_lr_sweep")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    rows = []
    for seed in args.seeds:
        for par in args.parametrizations:
            for width in args.widths:
                for lr in args.lrs:
                    loss = final_loss(args.data, width, lr, args.steps, par, min(args.widths), seed)
                    rows.append(
                        {"parametrization": par, "width": width, "lr": lr, "seed": seed,
                         "eval_loss": loss}
                    )  # fmt: skip
                    print(rows[-1], flush=True)
    results = pd.DataFrame(rows)
    mean = results.groupby(["parametrization", "width", "lr"], as_index=False)["eval_loss"].mean()
    best = mean.loc[mean.groupby(["parametrization", "width"])["eval_loss"].idxmin()]
    per_seed = results.loc[
        results.groupby(["parametrization", "width", "seed"])["eval_loss"].idxmin()
    ]
    per_seed = per_seed.assign(log2_lr=np.log2(per_seed["lr"])).pivot_table(
        index=["parametrization", "width"], columns="seed", values="log2_lr"
    )
    body = (
        f"{len(args.widths)} widths x {len(args.lrs)} learning rates x {len(args.seeds)} seeds, "
        f"{args.steps} steps each, 2 layers, head size 8; muP reference width = the smallest "
        "width.\n\n"
        "Best learning rate per width (lowest mean loss over seeds):\n\n"
        + best.to_markdown(index=False, floatfmt=".4g")
        + "\n\nlog2 of the best learning rate of each seed:\n\n"
        + per_seed.to_markdown(floatfmt=".0f")
        + "\n\nMean loss over seeds at every point:\n\n"
        + results.pivot_table(
            index="lr", columns=["parametrization", "width"], values="eval_loss"
        ).to_markdown(floatfmt=".4f")
        + "\n\n![lr sweep](lr_sweep.png)"
    )
    out = write_benchmark(args.out, results, "muP learning-rate transfer", command_line(), body)
    plot(results, out / "lr_sweep.png")
    print(best.to_string(index=False))
    log_lr = np.log2(best.set_index(["parametrization", "width"])["lr"])
    print("log2 best lr:", log_lr.to_dict())


if __name__ == "__main__":
    main()
