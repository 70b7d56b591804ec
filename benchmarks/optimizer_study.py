"""Muon against AdamW for pretraining: a learning-rate sweep of each on the same model, data and
steps, so that each optimizer is compared at its own best learning rate.

    python benchmarks/optimizer_study.py --data PRIOR.h5 --lrs 0.001 0.002 0.004 0.008 \\
        --seeds 0 1 --steps 500

Every run trains the shipped default's shape (4 layers, 4 heads, MLP 2x width, standard
parametrization) at --emsize wide (the shipped default is 96 wide) from scratch, with warm-up and
cosine decay to a tenth of the peak learning rate, as pretraining does. "muon" is Muon on the
hidden matrices and AdamW on the rest, its step scaled to AdamW's size
(`tabpfn_lite.train.MuonWithAdamW`). A seed sets the initialisation and the batch order, the same
for both optimizers and every learning rate, so differences are paired. The y value is the
held-out prior loss (the dump's prior with another seed), also at a quarter, half and three
quarters of the steps. Finished runs are kept in --runs and not run again.
Writes results.csv, summary.md and optimizer_study.png under --out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.model import ModelConfig
from tabpfn_lite.options import add_list_option
from tabpfn_lite.plotting import pyplot
from tabpfn_lite.train import OPTIMIZERS, TrainConfig, read_log, train


def default_shape(emsize: int) -> ModelConfig:
    return ModelConfig(
        emsize=emsize, nlayers=4, nheads=4, mlp_hidden=2 * emsize, decoder_hidden=2 * emsize
    )


def run_one(
    data: str, out: Path, model: ModelConfig, optimizer: str, lr: float, steps: int, seed: int
) -> list[dict]:
    """Train one run (or resume it) and return its evaluation rows."""
    cfg = TrainConfig(
        data=[data],
        out=str(out),
        model=model,
        steps=steps,
        lr=lr,
        warmup_steps=steps // 20,
        eval_every=steps // 4,
        checkpoint_every=steps // 4,
        eval_datasets=256,
        log_every=steps // 4,
        optimizer=optimizer,
        seed=seed,
    )
    train(cfg, resume=(out / "state.json").exists(), progress=False)
    return [r for r in read_log(out / "log.jsonl") if "eval_loss" in r]


def final_rows(results: pd.DataFrame) -> pd.DataFrame:
    """Each run's last evaluation."""
    return results[results["step"] == results["step"].max()]


def best_lrs(results: pd.DataFrame) -> dict[str, float]:
    """Each optimizer's learning rate of the lowest mean final loss over seeds."""
    mean = final_rows(results).groupby(["optimizer", "lr"])["eval_loss"].mean()
    return {opt: float(mean[opt].idxmin()) for opt in mean.index.unique("optimizer")}


def at_best_lrs(results: pd.DataFrame) -> pd.DataFrame:
    return results[results["lr"] == results["optimizer"].map(best_lrs(results))]


def paired_differences(results: pd.DataFrame) -> pd.DataFrame:
    """Muon minus AdamW, each at its best learning rate, paired by seed."""
    lrs = best_lrs(results)
    final = final_rows(results)
    best = final[final["lr"] == final["optimizer"].map(lrs)].set_index(["optimizer", "seed"])
    diff = best.loc["muon", "eval_loss"] - best.loc["adamw", "eval_loss"]
    time_ratio = best.loc["muon", "wall_seconds"] / best.loc["adamw", "wall_seconds"]
    n = int(diff.count())
    median_seconds = final.groupby("optimizer")["wall_seconds"].median()
    return pd.DataFrame(
        {
            "adamw best lr": [lrs["adamw"]],
            "muon best lr": [lrs["muon"]],
            "seeds": [n],
            "loss difference (muon - adamw)": [diff.mean()],
            "std error": [diff.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan],
            "time ratio (muon / adamw)": [time_ratio.mean()],
            "median time ratio, every run": [median_seconds["muon"] / median_seconds["adamw"]],
        }
    )


def plot(results: pd.DataFrame, path: Path) -> None:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for opt, rows in final_rows(results).groupby("optimizer"):
        stats = rows.groupby("lr")["eval_loss"].agg(["mean", "std"]).fillna(0.0)
        left.errorbar(stats.index, stats["mean"], yerr=stats["std"], marker="o", capsize=3,
                      label=opt)  # fmt: skip
    for (opt, lr), rows in at_best_lrs(results).groupby(["optimizer", "lr"]):
        curve = rows.groupby("step")["eval_loss"].mean()
        right.plot(curve.index, curve.values, marker="o", label=f"{opt}, lr {lr:g}")
    left.set(xscale="log", xlabel="peak learning rate",
             ylabel="held-out prior loss at the end (mean +- std of seeds)")  # fmt: skip
    right.set(xlabel="step", ylabel="held-out prior loss (mean of seeds)",
              title="each optimizer at its best learning rate")  # fmt: skip
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="prior dump (HDF5)")
    add_list_option(parser, "--optimizers", default=list(OPTIMIZERS))
    add_list_option(parser, "--lrs", type=float, default=[1e-3, 2e-3, 4e-3, 8e-3])
    add_list_option(parser, "--seeds", type=int, default=[0, 1])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--emsize", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", default="runs/optimizer_study", help="run folders (resumable)")
    parser.add_argument("--out", default="benchmarks/results/optimizer_study")
    args = parser.parse_args()
    if args.steps < 20:
        parser.error("--steps must be >= 20 (warm-up is a twentieth, evaluations a quarter)")
    torch.set_num_threads(args.threads)
    model = default_shape(args.emsize)

    rows = []
    for seed in args.seeds:  # seed 0 over the whole grid first, so a stopped study has a sweep
        for lr in args.lrs:
            for opt in args.optimizers:
                out = Path(args.runs) / opt / f"lr{lr:g}" / f"seed{seed}"
                run = {"optimizer": opt, "lr": lr, "seed": seed}
                for r in run_one(args.data, out, model, opt, lr, args.steps, seed):
                    rows.append({**run, **{k: r[k] for k in ("step", "eval_loss", "wall_seconds")}})
                print(json.dumps(rows[-1]), flush=True)
    results = pd.DataFrame(rows)
    final = final_rows(results)
    paired = paired_differences(results)
    body = (
        f"{len(args.optimizers)} optimizers x {len(args.lrs)} peak learning rates x "
        f"{len(args.seeds)} seeds, {args.steps} steps of 32 tables each; model {model.emsize} "
        f"wide, {model.nlayers} layers, {model.nheads} heads, standard parametrization.\n\n"
        "Each optimizer at the learning rate of its lowest mean final loss, paired by seed "
        "(time ratios are of whole runs on one thread, evaluations included: the mean over "
        "the pairs, and the ratio of the median run of each optimizer over every learning rate "
        "and seed, which a neighbouring job slowing a few runs moves less):\n\n"
        + paired.to_markdown(index=False, floatfmt=".4g")
        + "\n\nMean final held-out prior loss over seeds:\n\n"
        + final.pivot_table(index="lr", columns="optimizer", values="eval_loss").to_markdown(
            floatfmt=".4f"
        )
        + "\n\nMean held-out prior loss over seeds during the runs, at each optimizer's best "
        "learning rate:\n\n"
        + at_best_lrs(results)
        .pivot_table(index="step", columns="optimizer", values="eval_loss")
        .to_markdown(floatfmt=".4f")
        + "\n\n![optimizer study](optimizer_study.png)"
    )
    out = write_benchmark(args.out, results, "Muon against AdamW", command_line(), body)
    plot(results, out / "optimizer_study.png")
    print(paired.to_string(index=False))


if __name__ == "__main__":
    main()
