"""Growth study: when does growing a trained small model beat training the large one from scratch?

    python benchmarks/growth_study.py run --data PRIOR.h5 --out /tmp/growth --workers 2
    python benchmarks/growth_study.py analyze --out /tmp/growth --results benchmarks/results/growth

`run` trains every base, grown and scratch run of the grid (resumable: re-run the same command);
`analyze` reads the finished runs and writes under --results: curves.csv, speedups.csv,
summary.md (speedup table, scaling-law fits) and the plots.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.growth.analysis import (
    ScalingLaw,
    curves,
    fit_with_holdout,
    plot_grow_map,
    plot_loss_vs_compute,
    plot_speedup_vs_g,
    scaling_points,
    speedup_table,
    speedups,
)
from tabpfn_lite.growth.study import StudyConfig, load_runs, run_study


def run(args: argparse.Namespace) -> None:
    cfg = StudyConfig(
        data=args.data,
        out=args.out,
        seeds=tuple(args.seeds),
        lr=args.lr,
        base_tpp=args.base_tpp,
        target_tpp=args.target_tpp,
    )
    (Path(args.out)).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "command.txt").write_text(command_line() + "\n")
    run_study(cfg, workers=args.workers, only=args.only)


def analyze(args: argparse.Namespace) -> None:
    study = json.loads((Path(args.out) / "study.json").read_text())
    runs = load_runs(args.out)
    curve = curves(runs)
    sp = speedups(curve)
    table = speedup_table(sp)
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    curve.to_csv(results / "curves.csv", index=False)
    sp.to_csv(results / "speedups_per_seed.csv", index=False)

    fits = {op: fit_with_holdout(scaling_points(curve, op)) for op in ("scratch", "szp")}
    (results / "scaling_fits.json").write_text(json.dumps(fits, indent=2))

    for base in sorted(curve["base"].unique()):
        plot_loss_vs_compute(curve, results / f"loss_vs_compute_{base}.png", base)
    plot_speedup_vs_g(table, results / "speedup_vs_g.png")
    base_runs = curve[(curve["operator"] == "base") & (curve["base"] == "A16")]
    if len(base_runs):
        last = base_runs.sort_values("step").groupby("run").last()
        plot_grow_map(
            ScalingLaw(**fits["scratch"]["law"]),
            ScalingLaw(**fits["szp"]["law"]),
            int(last["parameters"].iloc[0]),
            float(last["cell_tokens"].mean()),
            results / "grow_map.png",
        )

    growth = pd.DataFrame(
        [
            {
                "run": r["spec"]["id"],
                "g_requested": r["spec"]["g"],
                "g_counted": r["growth"]["growth_factor"],
                **{k: r["growth"]["target_config"][k] for k in ("emsize", "nlayers", "nheads")},
            }
            for r in runs
            if r["growth"]
        ]
    ).drop_duplicates(["g_requested", "emsize", "nlayers"])
    pivot = table.pivot_table(
        index=["base", "g", "operator"], columns="budget_tpp", values="speedup"
    )
    pivot_base = table.pivot_table(
        index=["base", "g", "operator"], columns="budget_tpp", values="speedup_with_base"
    )
    settings = {k: v for k, v in study.items() if k not in ("data", "out")}
    counts = curve.groupby("operator")["run"].nunique().to_dict()
    body = "\n\n".join(
        [
            f"Study config: `{json.dumps(settings)}`",
            f"Finished runs per operator: {counts}",
            "Growth targets (counted parameter ratio g):\n\n"
            + growth.to_markdown(index=False, floatfmt=".2f"),
            "Speedup vs scratch (mean over seeds; base training excluded), columns = budget in "
            "cell-tokens per target parameter:\n\n" + pivot.to_markdown(floatfmt=".2f"),
            "Speedup with the base model's training charged to the grown run:\n\n"
            + pivot_base.to_markdown(floatfmt=".2f"),
            "Scaling-law fits L(N, D) = E + A/N^alpha + B/D^beta (Huber in log space, 32 "
            "initialisations; held-out = the largest model's runs, predicted from the others):\n\n"
            + pd.DataFrame(
                {
                    op: {**{k: v for k, v in f.items() if k != "law"}, **f["law"]}
                    for op, f in fits.items()
                }
            ).to_markdown(floatfmt=".4g"),
        ]
    )
    table.to_csv(results / "speedups.csv", index=False)
    write_benchmark(
        results,
        table,
        "Growth study",
        (Path(args.out) / "command.txt").read_text().strip() + "` then `" + command_line(),
        body,
    )
    print(pivot.to_string())
    print(json.dumps(fits, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--lr", type=float, default=2**-7)
    p.add_argument("--base-tpp", type=float, default=400.0)
    p.add_argument("--target-tpp", type=float, default=50.0)
    p.add_argument("--only", help="run ids starting with this prefix (e.g. A16/)")
    a = sub.add_parser("analyze")
    a.add_argument("--out", required=True)
    a.add_argument("--results", default="benchmarks/results/growth")
    args = parser.parse_args()
    run(args) if args.command == "run" else analyze(args)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
