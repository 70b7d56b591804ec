"""Growth study: when does growing a trained small model beat training the large one from scratch?

    python benchmarks/growth_study.py run --data PRIOR.h5 --out runs/growth --workers 2
    python benchmarks/growth_study.py analyze --out runs/growth --results benchmarks/results/growth

    python benchmarks/growth_study.py archive --out runs/growth --to benchmarks/results/growth/runs
    python benchmarks/growth_study.py run ... --restore benchmarks/results/growth/runs

    python benchmarks/growth_study.py refit --results benchmarks/results/growth
    python benchmarks/growth_study.py write-up --results benchmarks/results/growth

`run` trains every base, grown and scratch run of the grid (resumable: re-run the same command);
`analyze` reads the finished runs and writes under --results: curves.csv, speedups.csv,
summary.md (speedup table), the plots, the fits and IsoFLOP view (as `refit`) and the
write-up (README.md);
`archive` copies the finished runs' records and the bases' checkpoints (small enough to commit), so
a grid longer than one sitting continues elsewhere with `run --restore`;
`refit` redoes the scaling-law fits (bootstrap intervals, leave-one-size-out errors) and the
IsoFLOP view from curves.csv alone, then the write-up; `write-up` rewrites README.md from those
files alone. Both need no runs (they work from a fresh clone), so the verdicts can be checked and
revised.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.growth.analysis import (
    EXPONENT_SPREAD,
    NEAR_OPTIMUM,
    ScalingLaw,
    annealed_growth,
    annealed_minus_constant,
    bound_by_budget,
    curvature_by_size,
    curvature_trend,
    curves,
    fit_report,
    interpolation_bias,
    isoflop,
    isoflop_summary,
    kaplan_report,
    plot_annealed,
    plot_grow_map,
    plot_isoflop,
    plot_loss_vs_compute,
    plot_speedup_vs_g,
    predicted_growth_gain,
    scaling_points,
    speedup_table,
    speedups,
    standard_error,
)
from tabpfn_lite.growth.study import (
    ANNEALED,
    GRIDS,
    OPERATORS,
    SCRATCH,
    SERIES,
    SIZE_SERIES,
    StudyConfig,
    annealed_budget,
    archive_runs,
    load_runs,
    measured_rates,
    plan_cost,
    restore_runs,
    run_study,
)
from tabpfn_lite.options import add_list_option


def study_config(args: argparse.Namespace) -> StudyConfig:
    return StudyConfig(
        data=args.data,
        out=args.out,
        bases=GRIDS[args.grid](),
        seeds=tuple(args.seeds),
        lr=args.lr,
        base_tpp=args.base_tpp,
        target_tpp=args.target_tpp,
        max_target_cells=args.max_target_cells,
        series_widths=tuple(args.series_widths),
        series_cells=args.series_cells,
        anneal_cells=tuple(args.anneal_cells),
        anneal_grow_cells=tuple(args.anneal_grow_cells),
    )


def run(args: argparse.Namespace) -> None:
    cfg = study_config(args)
    (Path(args.out)).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "command.txt").write_text(command_line() + "\n")
    if args.restore:
        print(f"restored {len(restore_runs(args.restore, args.out))} finished runs", flush=True)
    run_study(cfg, workers=args.workers, only=args.only, exclude=tuple(args.exclude))


def plan(args: argparse.Namespace) -> None:
    """The grid's runs and cost, before running it: CPU hours at --gflops-per-core, and for the
    runs not finished under --out, at the rate the finished ones measured on this machine."""
    cost = pd.DataFrame(plan_cost(study_config(args), exclude=tuple(args.exclude)))
    cost["cpu_hours"] = cost["flops"] / (args.gflops_per_core * 1e9) / 3600
    cost["run_kind"] = cost["id"].str.split("/").str[0] + " " + cost["operator"]
    print(cost.groupby("run_kind")[["parameters", "steps", "cpu_hours"]].agg(
        {"parameters": "max", "steps": "max", "cpu_hours": "sum"}
    ).to_string(float_format="%.2f"))  # fmt: skip
    print(
        f"{len(cost)} runs, {cost['flops'].sum():.3g} FLOPs, {cost['cpu_hours'].sum():.1f} CPU "
        f"hours at {args.gflops_per_core} GFLOP/s per core; largest target "
        f"{cost['parameters'].max():,} parameters"
    )
    rates = measured_rates(args.out)
    if rates:  # calibrate on this machine
        finished = cost[cost["id"].isin(rates)].assign(rate=lambda d: d["id"].map(rates))
        left = cost[~cost["id"].isin(rates)]
        # A run left takes the rate its shape measured (deep narrow stacks run at a fraction of
        # a wide model's rate); a shape not run yet, that of the largest quarter of runs (the
        # rate grows with model size).
        largest = finished.nlargest(max(1, len(finished) // 4), "parameters")["rate"].median()
        by_shape = finished.groupby("shape")["rate"].median()
        rate = left["shape"].map(by_shape).fillna(largest)
        print(
            f"{len(finished)} runs finished under {args.out}: {largest / 1e9:.1f} GFLOP/s per "
            f"worker (median of the largest quarter, up to {finished['parameters'].max():,} "
            f"parameters), {by_shape.min() / 1e9:.1f}-{by_shape.max() / 1e9:.1f} by shape; the "
            f"{len(left)} runs left: {(left['flops'] / rate).sum() / 3600:.1f} CPU hours"
        )


def analyze(args: argparse.Namespace) -> None:
    study = json.loads((Path(args.out) / "study.json").read_text())
    runs = load_runs(args.out)
    curve = curves(runs)
    sp = speedups(curve)
    table = speedup_table(sp)
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    planned = len(json.loads((Path(args.out) / "plan.json").read_text()))
    (results / "study.json").write_text(json.dumps({**study, "planned_runs": planned}, indent=2))
    curve.to_csv(results / "curves.csv", index=False)
    sp.to_csv(results / "speedups_per_seed.csv", index=False)

    grown = curve[(curve["g"] > 1) & ~curve["base"].isin(SIZE_SERIES)]
    for base in sorted(grown["base"].unique()):  # bases with grown runs
        plot_loss_vs_compute(curve, results / f"loss_vs_compute_{base}.png", base)
    plot_speedup_vs_g(table, results / "speedup_vs_g.png")

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
    body = "\n\n".join(
        [
            "Speedup vs scratch (median over seeds; base training excluded; inf = the grown "
            "model starts below scratch's loss at that budget), rows = base, g, operator; "
            "columns = budget in cell-tokens per target parameter:\n\n"
            + pivot.to_markdown(floatfmt=".2f"),
            f"Study config: `{json.dumps(settings)}`",
            "Growth targets (counted parameter ratio g):\n\n"
            + growth.to_markdown(index=False, floatfmt=".2f"),
            "Speedup with the base model's training charged to the grown run:\n\n"
            + pivot_base.to_markdown(floatfmt=".2f"),
        ]
    )
    write_benchmark(
        results,
        table,
        "Growth study",
        (Path(args.out) / "command.txt").read_text().strip() + "` then `" + command_line(),
        body,
    )
    fit_and_isoflop(results, boot=args.boot)
    write_up(results)
    print(pivot.to_string())


# Runs in each scaling fit; a size series also gets a fit of its own ("series"), and an annealed
# series two: its scratch runs and its grown runs, each run's final loss alone.
FIT_OPERATORS = {"scratch": ("scratch", "base"), "szp": ("szp",)}
ANNEALED_FITS = {"annealed": (SCRATCH,), "annealed_grown": tuple(OPERATORS)}
ANNEALED_GAIN = "annealed_growth_by_size.csv"
CURVATURE = "curvature.csv"
KAPLAN_FITS = "kaplan_fits.json"


def fit_and_isoflop(results: Path, boot: int = 200) -> None:
    """From curves.csv alone: scaling_fits.json (law, bootstrap intervals, leave-one-size-out
    errors), isoflop.csv, isoflop_summary.csv and their plots."""
    curve = pd.read_csv(results / "curves.csv")
    points = {name: scaling_points(curve, ops) for name, ops in FIT_OPERATORS.items()}
    series = points["scratch"][points["scratch"]["base"] == SERIES]
    if not series.empty:  # one shape family (2 layers, width varied) on long budgets
        points["series"] = series
    for name, ops in ANNEALED_FITS.items():  # the series' family, one point per run
        annealed = scaling_points(curve, ops, annealed=True)
        if not annealed.empty:
            points[name] = annealed
    fits = {name: fit_report(p, boot=boot) for name, p in points.items()}
    (results / "scaling_fits.json").write_text(json.dumps(fits, indent=2))
    shaped = {name: points[name] for name in ANNEALED_FITS if name in points}
    if shaped:  # why the laws are degenerate: the loss's shape in log D, a non-separable law
        curvature = [curvature_by_size(p).assign(fit=name) for name, p in shaped.items()]
        pd.concat(curvature).to_csv(results / CURVATURE, index=False)
        kaplan = {name: kaplan_report(p, fits[name]["objective"]) for name, p in shaped.items()}
        (results / KAPLAN_FITS).write_text(json.dumps(kaplan, indent=2))
    if "annealed" in points:
        plot_annealed(curve, results / "annealed_series.png")
    if set(ANNEALED_FITS) <= set(points):  # annealed growth against scratch, measured and predicted
        growth = annealed_growth(curve)
        growth.to_csv(results / "annealed_growth.csv", index=False)
        gain = predicted_growth_gain(growth, points["annealed"], points["annealed_grown"])
        if gain.empty:  # no grown run inside scratch's budgets yet
            (results / ANNEALED_GAIN).unlink(missing_ok=True)
        else:
            gain.to_csv(results / ANNEALED_GAIN, index=False)
    iso = isoflop(curve)
    iso.to_csv(results / "isoflop.csv", index=False)
    isoflop_summary(iso).to_csv(results / "isoflop_summary.csv", index=False)
    for base in sorted(iso["base"].unique()):
        plot_isoflop(iso, results / f"isoflop_{base}.png", base)
    first_base = sorted(curve["base"].unique())[0]
    base_runs = curve[(curve["operator"] == "base") & (curve["base"] == first_base)]
    last = base_runs.sort_values("step").groupby("run").last()
    plot_grow_map(
        ScalingLaw(**fits["scratch"]["law"]),
        ScalingLaw(**fits["szp"]["law"]),
        int(last["parameters"].iloc[0]),
        float(last["cell_tokens"].mean()),
        results / "grow_map.png",
    )


def run_description(study: dict, curve: pd.DataFrame) -> str:
    """What was run, from the study's config and its finished runs."""
    bases = curve[curve["operator"] == "base"].groupby("base")["parameters"].first()
    base_text = ", ".join(
        f"{b['name']} (width {b['emsize']}, {b['nlayers']} layers, {b['nheads']} heads, "
        f"{bases.get(b['name'], 0):,} parameters)"
        for b in study["bases"]
    )
    grid_text = "; ".join(
        f"{b['name']}: g = {list(b['growth_factors'])} with {', '.join(b['operators'])}"
        for b in study["bases"]
    )
    series = curve[curve["base"] == SERIES]
    annealed = curve[curve["base"] == ANNEALED]
    targets = curve[(curve["operator"] != "base") & ~curve["base"].isin(SIZE_SERIES)]
    sizes, tpp = sizes_and_tokens_per_parameter(targets)
    finished = targets.groupby(["base", "g", "operator"])["run"].nunique().unstack(fill_value=0)
    counted = bool(curve["flops_counted"].all()) if "flops_counted" in curve else False
    compute = (
        "FLOPs counted per layer, attention included (`tabpfn_lite/model/flops.py`, checked "
        "against `torch.utils.flop_counter` in the tests)"
        if counted
        else "6 x parameters x cell-tokens for the runs logged before FLOPs were counted"
    )
    planned = study.get("planned_runs")
    n_runs = int(targets["run"].nunique())
    return "\n\n".join(
        [
            f"Bases {base_text} are trained from scratch on the synthetic prior (commands.sh) for "
            f"{study['base_tpp']:g} cell-tokens per parameter, then grown ({grid_text}) and "
            "trained on; each grown run is compared with a scratch run of its own target shape "
            "(the literature's 'random' operator: the target's own initialisation) on the same "
            f"data, at the same learning rate ({study['lr']:g}, tuned at width "
            f"{study['base_emsize']} under muP) with a constant schedule after "
            f"{study['warmup_steps']} warm-up steps; seeds {list(study['seeds'])}. Every target "
            f"run trains on min({study['target_tpp']:g} x its parameters, "
            f"{study['max_target_cells']:.3g}) cell-tokens, so its budgets reach "
            f"{tpp.min():.0f}-{tpp.max():.0f} cell-tokens per parameter (tokens per parameter "
            "= training cell-tokens / parameters, D / N as in the scaling-law papers); targets "
            f"span {sizes.min():,}-{sizes.max():,} parameters. Compute: {compute}. Targets "
            "(`config_for_growth_factor`): the integer width and depth factors whose parameter "
            "ratio is nearest g (depth alone for stack); new blocks are identity-gated, new heads "
            "keep the head size.",
            *([series_description(study, series)] if not series.empty else []),
            *([annealed_description(study, curve)] if not annealed.empty else []),
            f"Finished target runs: {n_runs}"
            + (
                f" (of {planned} planned runs, bases"
                + (" and the size series" if not series.empty or not annealed.empty else "")
                + " included)"
                if planned
                else ""
            )
            + ", per base, g and operator:\n\n"
            + finished.reset_index().to_markdown(index=False),
        ]
    )


def sizes_and_tokens_per_parameter(curve: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per run: its parameters, and the cell-tokens it trained on per parameter."""
    sizes = curve.groupby("run")["parameters"].first()
    return sizes, curve.groupby("run")["cell_tokens"].max() / sizes


def series_description(study: dict, series: pd.DataFrame) -> str:
    """What the size series ran: its models, budget and finished runs."""
    sizes, tpp = sizes_and_tokens_per_parameter(series)
    return (
        f"Size series (scratch fit only): 2-layer models of widths "
        f"{list(study['series_widths'])} ({sizes.min():,}-{sizes.max():,} parameters), each "
        f"trained from scratch on {study['series_cells']:.3g} cell-tokens (under one pass over "
        f"the prior dump; {tpp.min():.0f}-{tpp.max():.0f} cell-tokens per parameter) at the "
        f"study's learning rate and schedule; {sizes.size} finished runs. The targets' "
        f"budgets stop at {study['max_target_cells']:.3g} cell-tokens, where the loss has not "
        "yet stopped falling for any size, so they cannot show where model size limits it."
    )


def decay_effect(curve: pd.DataFrame) -> str:
    """What the decay bought: annealed ends against the constant-rate series at the same D, and
    the budgets each covers."""
    diff = annealed_minus_constant(curve)
    if diff.empty:
        return ""
    mean, se = diff.mean(), standard_error(diff)
    effect = (
        "within 2 standard errors of no change"
        if abs(mean) < 2 * se
        else ("lower: the decay helped" if mean < 0 else "higher: the decay did not help")
    )
    first = curve[(curve["base"] == SERIES) & (curve["cell_tokens"] > 0)]["cell_tokens"].min()
    smallest = curve.loc[curve["base"] == ANNEALED, "cell_tokens"].loc[lambda c: c > 0].min()
    return (
        f"Against the constant-rate size series at the same cell-tokens ({diff.size} runs "
        f"inside its evaluations), an annealed run ends {mean:+.4f} +- {se:.4f} (standard "
        f"error) in held-out loss, {effect}. The annealed budgets start at {smallest:.3g} "
        f"cell-tokens, the constant-rate series' first evaluation is at {first:.3g}."
    )


def sizes_and_seeds(runs: pd.DataFrame) -> str:
    """The model sizes of some runs and the seeds each ran, sizes with the same seeds together:
    "29,514, 112,266: seeds 0, 1; 437,514: seed 0"."""
    seeds = runs.groupby("parameters")["seed"].agg(lambda s: tuple(sorted(s.unique())))
    parts = []
    for ran, sizes in seeds.groupby(seeds, sort=False):
        parts.append(
            ", ".join(f"{n:,}" for n in sorted(sizes.index))
            + f": seed{'s' * int(len(ran) > 1)} {', '.join(str(s) for s in ran)}"
        )
    return "; ".join(parts)


def annealed_description(study: dict, curve: pd.DataFrame) -> str:
    """What the annealed size series ran: its models, budgets and finished runs."""
    annealed = curve[curve["base"] == ANNEALED]
    scratch = annealed[annealed["operator"] == SCRATCH]
    grown = annealed[annealed["operator"] != SCRATCH]
    sizes, _ = sizes_and_tokens_per_parameter(scratch)
    by_budget = scratch.groupby(scratch["run"].map(annealed_budget))
    budgets = [  # budgets that not every size ran at name the sizes and seeds that did
        f"{budget:.3g}"
        + ("" if runs["parameters"].nunique() == len(set(sizes)) else f" ({sizes_and_seeds(runs)})")
        for budget, runs in by_budget
    ]
    text = (
        f"Annealed size series (fits of their own): the same {len(set(sizes))} model sizes, "
        "each trained from scratch once per budget ("
        + ", ".join(budgets)
        + " cell-tokens), its cosine schedule ending at that budget at "
        f"{study['anneal_min_lr_ratio']:g} x the learning rate; {sizes.size} finished runs, one "
        "point each (the final held-out loss): what a run of that budget reaches. "
        + decay_effect(curve)
    )
    if grown.empty:
        return text
    n_grown = grown["run"].nunique()
    return text + (
        " Annealed growth: at budgets C = "
        + ", ".join(f"{c:.3g}" for c in study["anneal_grow_cells"])
        + f", each width from {int(grown['parameters'].min()):,} parameters up was also grown "
        f"({study['anneal_grow_operator']}) from the half width's annealed run of budget C and "
        f"trained on for C with a schedule of its own ({n_grown} finished runs): small for C, "
        "then large for C, against large alone at the same total compute."
    )


def _fmt(x: float) -> str:
    return "inf" if np.isinf(x) else f"{x:.2f}"


def _lr_transfer(lr_sweep: Path) -> tuple[str, str]:
    """What the learning-rate sweep shows, and its verdict on muP transfer: shown only with
    3+ widths and 3+ seeds, by the best learning rate moving less under muP than under SP."""
    if not (lr_sweep / "results.csv").exists():
        return "the learning-rate sweep has not been run", "**not shown** (no sweep)"
    lr = pd.read_csv(lr_sweep / "results.csv")
    seeds = lr["seed"].nunique() if "seed" in lr else 1
    mean = lr.groupby(["parametrization", "width", "lr"], as_index=False)["eval_loss"].mean()
    best = mean.loc[mean.groupby(["parametrization", "width"])["eval_loss"].idxmin()]
    parts = [
        f"{r.parametrization} width {r.width}: 2^{np.log2(r.lr):.0f}" for r in best.itertuples()
    ]

    def octaves(par: str) -> float:
        lrs = best[best["parametrization"] == par]["lr"]
        return float(abs(np.log2(lrs.max() / lrs.min()))) if len(lrs) > 1 else np.nan

    mup, sp = octaves("mup"), octaves("sp")
    widths = lr["width"].nunique()
    text = (
        "best learning rate per width (benchmarks/results/mup_lr_sweep): "
        + ", ".join(parts)
        + f"; the optimum moves by {mup:.0f} octave(s) under muP and by {sp:.0f} under the "
        f"standard parametrization across {widths} widths ({seeds} seed(s))"
    )
    if widths < 3 or seeds < 3:
        verdict = f"**not shown** ({widths} widths, {seeds} seed(s); 3 of each are needed)"
    elif mup < sp and mup <= 1:
        verdict = "**supported** (muP's optimum moves less than SP's)"
    elif mup > sp:
        verdict = "**contradicted** (muP's optimum moves more than SP's)"
    else:
        verdict = "**not shown** (both optima move alike)"
    return text, verdict


def _bound_verdict(reliable: pd.Series, pays: list, largest_g: int) -> str:
    most_reliable = reliable.idxmax()
    reliability = (
        f"g = {most_reliable} is the most reliable ({reliable.max():.0%} of cases faster than "
        f"scratch; {reliable.iloc[-1]:.0%} at g={reliable.index[-1]}): "
        + (
            "**not shown** (fewer than 3 g)"
            if len(reliable) < 3
            else "**supported**"
            if most_reliable == reliable.index.min()
            else "**contradicted**"
        )
    )
    if len(reliable) < 3:
        bound = f"only g = {list(reliable.index)} measured (3 or more are needed): **not shown**"
    elif not pays:
        bound = "growing never pays once the base model's training is charged: **contradicted**"
    elif max(pays) == largest_g:
        bound = (
            f"with the base charged, growing still pays at the largest g tried (g={largest_g}), "
            "so no bound was found: **not shown**"
        )
    else:
        bound = f"growing stops paying after g={max(pays)}: **supported**"
    return f"Upper bound, pooled over budgets: {bound}. Reliability: {reliability}."


def _budget_bound(bounds: pd.DataFrame) -> str:
    """The bound on g budget by budget (`bound_by_budget`), and its verdict. A bound counts where
    the cases beyond it lose to scratch more often than chance (one-sided sign test, p < 0.05).
    Supported where two or more (base, budget) cells have one and, within each base, it does not
    rise as the budget grows (a cell without one counts as a bound above every g tried)."""
    if bounds.empty:
        return "By budget: no (base, budget) has 3 or more g: bound **not shown**."
    shown = bounds["bound"].notna() & (bounds["p_beyond"] < 0.05)
    cells = []
    for r, is_shown in zip(bounds.itertuples(), shown, strict=True):
        where = f"{r.base} at {r.budget_tpp:g} tokens/parameter"
        if np.isnan(r.bound):
            cells.append(f"{where}: none up to g={_largest_g(bounds, r.Index)}")
        elif r.bound == 0:
            cells.append(f"{where}: pays at no g")
        else:
            test = f"{r.losing_beyond} cases beyond it lose, p = {r.p_beyond:.2g}"
            cells.append(f"{where}: g={r.bound:g} ({test}{'' if is_shown else '; not shown'})")
    found = int(shown.sum())
    ordered = bounds.assign(b=bounds["bound"].where(shown, np.inf)).sort_values("budget_tpp")
    falling = all(b["b"].is_monotonic_decreasing for _, b in ordered.groupby("base"))
    text = (
        "By budget (one budget at a time; pooled, larger g look better than they are, since the "
        "largest targets reach only the small budgets where growing pays most), the largest g "
        "whose median speedup with the base charged is >= 1 when a larger g's is below 1: "
        + "; ".join(cells)
        + ". "
    )
    if found >= 2 and falling:
        where = ", ".join(f"{r.base} at {r.budget_tpp:g}" for r in bounds[shown].itertuples())
        return text + (
            f"Bound: **supported** where the budget is large enough to show one ({found} of "
            f"{len(bounds)} cells: {where} tokens/parameter), and it does not rise as the budget "
            "grows; at the other cells growing pays at every g tried."
        )
    if found and not falling:
        return text + "Bound: **not shown** (where found, it does not fall as the budget grows)."
    return text + f"Bound: **not shown** ({found} cell(s) with a bound beyond chance)."


def _largest_g(bounds: pd.DataFrame, row: int) -> int:
    """The largest g measured in one row of `bound_by_budget`."""
    measured = bounds.loc[row, [c for c in bounds if c.startswith("g=")]].dropna()
    return max(int(c[2:]) for c in measured.index)


def _isoflop_bound(iso: pd.DataFrame) -> str:
    """The bound on g read from the IsoFLOP view: where, at a fixed total compute, the grown
    runs' loss crosses scratch's as g grows. Shown when most series over 3+ g have a crossing."""
    series = iso[iso["g_tried"].apply(len) >= 3]
    if series.empty:
        return "IsoFLOP: no budget has 3 or more g for one operator: bound **not shown**."
    crossed = series[series["bound"].notna()]
    text = (
        f"IsoFLOP (fixed total compute, base charged; {len(series)} (budget, operator) series "
        f"over 3+ g): a crossing with scratch in {len(crossed)}"
        + (
            " ("
            + ", ".join(
                f"{r.operator} at {r.budget_x_base}x: g = {r.bound:.1f}"
                for r in crossed.itertuples()
            )
            + ")"
            if len(crossed)
            else ""
        )
        + "; growing wins at every g tried in "
        + f"{int((series['grown_wins_at'].apply(len) == series['g_tried'].apply(len)).sum())}."
    )
    if len(crossed) > len(series) / 2:
        return text + f" Bound: **supported**, g ~ {crossed['bound'].median():.1f}."
    return text + " Bound from the IsoFLOP view: **not shown**."


def findings(
    sp: pd.DataFrame,
    table: pd.DataFrame,
    fits: dict,
    iso: pd.DataFrame,
    bounds: pd.DataFrame,
    lr_sweep: Path,
    gain: pd.DataFrame | None = None,
) -> list[str]:
    """Each known finding, the measured numbers that bear on it, and a verdict, over every base;
    speedups exclude the base's training unless said otherwise."""
    out = []
    if table.empty:
        return ["No finished grown runs yet."]

    # 1. Function preservation vs simpler operators: each grown run's loss minus its own scratch
    # control's (same target shape) at the largest budget of that control, paired with preserve
    # by (base, g, seed), against the seed spread.
    largest = sp.groupby(["base", "g", "operator"])["budget_tpp"].transform("max")
    ends = sp[sp["budget_tpp"] == largest]
    ends = ends.assign(gap=ends["grown_loss"] - ends["scratch_loss"])
    per_seed = ends.pivot_table(index=["base", "g", "seed"], columns="operator", values="gap")
    text = (
        "**1. Preserving the function is not necessary; simple operators can beat elaborate "
        "function-preserving ones.** Held-out loss minus that of scratch on the same target, at "
        "the largest budget of each (base, g) (mean over the bases, g and seeds each ran; < 0: "
        "below scratch): " + ", ".join(f"{op} {v:+.4f}" for op, v in per_seed.mean().items()) + ". "
    )
    others = [op for op in per_seed if op != "preserve"]
    if "preserve" in per_seed and others:
        pairs = {op: (per_seed[op] - per_seed["preserve"]).dropna() for op in others}
        # Where only depth grows, zero_pad and preserve build the same model (new blocks are
        # identity-gated either way): such pairs are one run twice, not evidence.
        same = {op: int((d.abs() < 1e-9).sum()) for op, d in pairs.items()}
        pairs = {op: d[d.abs() >= 1e-9] for op, d in pairs.items()}
        best = min((op for op in others if len(pairs[op])), key=lambda op: pairs[op].mean())
        diff = pairs[best]
        gap = float(diff.mean())
        se = standard_error(diff)
        spread = (
            f"{best} - preserve = {gap:+.4f} +- {2 * se:.4f} (2 standard errors, {len(diff)} pairs"
            + (f"; {same[best]} pairs of identical models left out" if same[best] else "")
            + ")"
        )
        if not abs(gap) > 2 * se:  # also nan: fewer than 2 pairs
            text += f"**Not shown**: {spread}, within the seed spread."
        elif gap < 0:
            text += f"**Supported**: {spread}; {best} is not function-preserving."
        else:
            text += f"**Contradicted**: {spread}; preserving the function ends lower."
    out.append(text)

    # 2. szp warm-starts well, and the learning rate transfers under muP.
    szp = sp[sp["operator"] == "szp"]
    share = float((szp["speedup"] > 1).mean()) if len(szp) else np.nan
    lr_text, lr_verdict = _lr_transfer(lr_sweep)
    by_g = table[table["operator"] == "szp"].groupby(["base", "g"])
    out.append(
        "**2. muP shrink-zero-pad-perturb (shrink 0.4, sigma 1) warm-starts well and the small "
        "model's learning rate transfers.** szp speedup (median of seeds) by base, g and budget "
        "(tokens/parameter): "
        + "; ".join(
            f"{b} g={g}: "
            + ", ".join(f"{int(r.budget_tpp)}: {_fmt(r.speedup)}x" for r in rows.itertuples())
            for (b, g), rows in by_g
        )
        + f". {share:.0%} of (base, g, budget, seed) cases reach scratch's loss with less compute; "
        + f"{lr_text}. "
        + ("Warm start: **supported**" if share > 0.5 else "Warm start: **contradicted**")
        + f" ({share:.0%} of cases faster than scratch). Learning-rate transfer: {lr_verdict}."
    )

    # 3. An upper bound on g; g = 2 the most reliable.
    with_base = sp.groupby("g")["speedup_with_base"].median()
    reliable = sp.groupby("g")["speedup"].apply(lambda v: float((v > 1).mean()))
    pays = [g for g, v in with_base.items() if v > 1]
    out.append(
        "**3. There is an upper bound on g beyond which scratch is more efficient; 2x is the most "
        "reliable.** Median speedup over bases, operators, budgets and seeds with the base "
        "model's training charged to the grown run, by g: "
        + ", ".join(f"g={g}: {_fmt(v)}" for g, v in with_base.items())
        + ". Share of cases faster than scratch (base excluded): "
        + ", ".join(f"g={g}: {v:.0%}" for g, v in reliable.items())
        + f". Largest g that pays with the base counted: {max(pays) if pays else 'none'}. "
        + _bound_verdict(reliable, pays, int(with_base.index.max()))
        + " "
        + _budget_bound(bounds)
        + " "
        + _isoflop_bound(iso)
    )

    # 4. Gains shrink as the budget grows.
    trend = []
    for _, rows in table.groupby(["base", "g", "operator"]):
        v = np.minimum(rows.sort_values("budget_tpp")["speedup"].to_numpy(), 1e3)
        if len(v) >= 2 and np.isfinite(v).all():
            trend.append(v[-1] < v[0])
    out.append(
        "**4. Gains are largest at small budgets and shrink as the budget grows.** In "
        f"{np.mean(trend):.0%} of the {len(trend)} (base, g, operator) series with two or more "
        "budgets "
        "the speedup at the largest budget is below the speedup at the smallest. "
        + (
            "**Supported**."
            if trend and np.mean(trend) > 2 / 3
            else "**Not shown**."
            if trend and np.mean(trend) > 1 / 3
            else "**Contradicted**."
        )
    )
    if gain is not None:
        out[-1] += annealed_trend(gain)

    # 5. Scaling-law fits: those of constant-rate runs (every prefix a point), then, where they
    # ran, those of the annealed runs, which also test the prediction.
    gain_fits = {k: f for k, f in fits.items() if k in ANNEALED_FITS}
    fits = {k: f for k, f in fits.items() if k not in ANNEALED_FITS}
    err = {k: f["loso_mean_rel_error"] for k, f in fits.items()}
    degenerate = {k: f["degenerate"] for k, f in fits.items() if f["degenerate"]}
    if degenerate:
        verdict = (
            "**Not shown**: degenerate fits ("
            + "; ".join(f"{k}: {', '.join(v)}" for k, v in degenerate.items())
            + "); a law whose size exponent is near zero, at its bound or not pinned down by the "
            "data (fits with it held elsewhere explain them as well: the profile interval) says "
            "nothing about when to grow, whatever its prediction error."
        )
    elif any(v is None for v in err.values()):
        verdict = "**Not shown**: fewer than 3 model sizes to leave one out."
    else:
        ok = all(v < 0.05 for v in err.values())
        verdict = "**Supported** (within 5%)." if ok else "**Not shown** (error >= 5%)."
    out.append(
        "**5. Scaling laws L(N, D) fitted to scratch and grown runs predict when to grow.** Mean "
        "relative error on each model size's points predicted from the other sizes "
        "(leave-one-size-out): "
        + ", ".join(
            f"{k} {v:.1%} over {len(fits[k]['sizes'])} sizes" if v is not None else f"{k} n/a"
            for k, v in err.items()
        )
        + ". Exponents (95% intervals): "
        + "; ".join(f"{k}: {exponents_text(f)}" for k, f in fits.items())
        + " (D counts a grown model's base's cell-tokens too). "
        + verdict
        + " The map below draws the constant-rate scratch and szp fits, with the base model's "
        "compute charged to growing."
        + (annealed_verdict(gain_fits, gain) if gain is not None else "")
    )
    return out


def exponents_text(fit: dict) -> str:
    """A fit's exponents with their 95% bootstrap intervals and their profile intervals."""
    return ", ".join(
        f"{name} {fit['law'][name]:.3g} [{fit['ci95'][name][0]:.3g}, {fit['ci95'][name][1]:.3g}]"
        + (f" (profile {profile_text(fit, name)})" if "profile" in fit else "")
        for name in ("alpha", "beta")
    )


def profile_text(fit: dict, name: str) -> str:
    lo, hi = fit["profile"][name]
    return f"{lo:.3g}-{hi:.3g}"


def annealed_trend(gain: pd.DataFrame) -> str:
    """Finding 4 on the annealed growth: per model size, is growing's gain at equal compute (the
    base charged) smaller at its largest budget than at its smallest?"""
    ends = gain.sort_values("cells").groupby("N")["measured"].agg(["first", "last"])
    fades = ends["last"] > ends["first"]  # the difference rises towards zero or above: it fades
    return (
        " On the annealed growth (the base charged, equal total compute, budgets "
        f"{gain['cells'].min():.3g}-{gain['cells'].max():.3g} cell-tokens), the gain is smaller "
        f"at the largest budget than at the smallest in {int(fades.sum())} of {len(fades)} model "
        "sizes (grown - scratch loss, smallest -> largest budget: "
        + ", ".join(f"{n:,}: {r['first']:+.4f} -> {r['last']:+.4f}" for n, r in ends.iterrows())
        + "): "
        + (
            "here the gains fade"
            if fades.mean() >= 2 / 3
            else "here they do not fade over this range"
            if fades.mean() <= 1 / 3
            else "here the sizes disagree"
        )
        + " (each cell's spread is in the annealed growth table)."
    )


def annealed_verdict(fits: dict, gain: pd.DataFrame) -> str:
    """Finding 5 on the annealed runs: do laws fitted without a model size predict whether
    growing beats scratch at equal compute at that size? A (size, budget) cell decides only if
    its mean difference is beyond the 95% t interval over seeds and neither leave-one-size-out
    fit is degenerate; the laws must then beat a constant guess, so both signs must occur."""
    t = stats.t.ppf(0.975, np.maximum(gain["seeds"] - 1, 1))
    beyond = gain["measured"].abs() > t * gain["std_error"]
    decided = gain[beyond & ~gain["refit_degenerate"]]
    agree = np.sign(decided["predicted"]) == np.sign(decided["measured"])
    pays = decided[decided["measured"] < 0]
    bias = interpolation_bias(ScalingLaw(**fits["annealed"]["law"]), gain)
    degenerate = {k: fits[k]["degenerate"] for k in ANNEALED_FITS if fits[k]["degenerate"]}
    if degenerate:
        verdict = (
            "**not shown**: degenerate fits ("
            + "; ".join(f"{k}: {', '.join(v)}" for k, v in degenerate.items())
            + ")."
        )
    elif len(decided) < 3:
        verdict = f"**not shown**: {len(decided)} of 3 or more cells needed decide."
    elif len(pays) in (0, len(decided)):
        verdict = (
            "**not shown**: growing is "
            + ("better" if len(pays) else "worse")
            + " in every deciding cell, so a constant guess predicts as well as the laws."
        )
    elif agree.mean() >= 0.8:
        verdict = "**supported**."
    elif agree.mean() < 0.5:
        verdict = "**contradicted**."
    else:
        verdict = "**not shown** (the predicted sign is right in under 80% of deciding cells)."

    def law_text(k: str) -> str:
        loso = fits[k]["loso_mean_rel_error"]
        return (
            f"{k}: E {fits[k]['law']['E']:.3g}, {exponents_text(fits[k])}, leave-one-size-out "
            + (f"{loso:.1%}" if loso is not None else "n/a")
        )

    where = ", ".join(f"{int(r.N):,} at {r.cells:.3g}" for r in pays.itertuples()) or "none"
    return (
        " **On the annealed runs** (each run's schedule ends at its own budget; one point per "
        f"run): {'; '.join(law_text(k) for k in ANNEALED_FITS)}. Growing (half width for C, then "
        "the full width for C) against the full width alone at the same total compute, in the "
        f"{len(gain)} (size, budget C) cells inside scratch's budgets, the difference is "
        f"{gain['measured'].mean():+.4f} +- {standard_error(gain['measured']):.4f}"
        f" on average over cells (standard error; {int((gain['measured'] < 0).sum())} of "
        f"{len(gain)} below zero, growing better); {int(beyond.sum())} differ "
        "beyond the 95% t interval over seeds, "
        f"{int((beyond & gain['refit_degenerate']).sum())} of them with a degenerate "
        f"leave-one-size-out fit; of the {len(decided)} that decide, growing is better in "
        f"{len(pays)} (parameters at C: {where}) and worse in {len(decided) - len(pays)}. The two "
        "laws, each fitted without the size it predicts, give the right sign in "
        f"{int(agree.sum())} of {len(decided)}: {verdict} Scratch's loss at equal compute is "
        "interpolated in log compute between its budgets, 2x apart, which errs towards growing: "
        f"by {bias.mean():.2g} on average (at most {bias.max():.2g}) by the annealed scratch law."
    )


def bend_text(t: float) -> str:
    """How a size's loss bends in log D, from its curvature's t."""
    if t > 2:
        return "flattens"
    return "falls ever faster" if t < -2 else "falls about straight"


def law_shape(results: Path, fits: dict) -> list[str]:
    """Why the annealed scratch law is degenerate (where it is), from curvature.csv and
    kaplan_fits.json (nothing where they were not written): the text and the two tables."""
    if not (results / CURVATURE).exists():
        return []
    curvature = pd.read_csv(results / CURVATURE)
    kaplan = json.loads((results / KAPLAN_FITS).read_text())
    scratch = curvature[curvature["fit"] == "annealed"].sort_values("N")
    if len(scratch) < 3 or "annealed" not in kaplan:
        return []
    trend = curvature_trend(scratch)
    separates = abs(trend["t"]) <= 2
    smallest, largest = scratch.iloc[0], scratch.iloc[-1]
    k = kaplan["annealed"]
    text = (
        "E + A/N^alpha + B/D^beta bends upwards in log D (convex, B/D^beta), by the same amount "
        "at every model size at a given D. The annealed scratch runs' loss, fitted per size with "
        "a quadratic in log2 D (curvature: the coefficient of its square, standard error, t), "
        "bends: "
        + ", ".join(
            f"{int(r.N):,}: {r.curvature:+.5f} +- {r.curvature_se:.5f} (t {r.t:+.1f})"
            for r in scratch.itertuples()
        )
        + f". The smallest size {bend_text(smallest.t)}, the largest {bend_text(largest.t)}; "
        "the curvature changes with model size by "
        f"{trend['slope_per_doubling_of_N']:+.5f} +- {trend['se']:.5f} per doubling of N "
        f"(weighted least squares, t {trend['t']:+.1f}), "
        + (
            "within the noise of a law that separates N and D."
            if separates
            else "which a law that separates N and D cannot follow: its fit makes the D term as "
            "straight as it can."
        )
        + " The law of Kaplan et al. (2020), E + ((N_c/N)^(alpha_N/alpha_D) + D_c/D)^alpha_D, "
        "does not separate them; on the same points its objective is "
        f"{k['objective']:.3g} against {k['separable_objective']:.3g} and its "
        f"leave-one-size-out error {k['loso_mean_rel_error']:.1%} against "
        f"{fits['annealed']['loso_mean_rel_error']:.1%}, and it is "
        + (f"degenerate too ({'; '.join(k['degenerate'])})." if k["degenerate"] else "usable.")
    )
    if largest.t <= 2:
        last, before = largest.slope_last_doubling, largest.slope_before_last_doubling
        runs = f"{largest.last_budget_runs} run{'s' * int(largest.last_budget_runs > 1)}"
        text += (
            " Taken as one quadratic over every budget, the largest model's loss does not "
            f"flatten; over its last doubling of D (to {largest.last_budget:.2g} cell-tokens, "
            f"{runs}) it changed by {last:+.4f}, against {before:+.4f} over the doubling before: "
            + (
                "it steepens, then begins to flatten where the budgets end, too early to pin "
                "down an irreducible loss (E's interval above); that needs a few more doublings "
                "of D at the large sizes."
                if abs(last) < abs(before)
                else "it has not begun to flatten, so these budgets cannot pin down an "
                "irreducible loss; that needs budgets past the point where it does."
            )
        )
    kaplan_table = pd.DataFrame(
        {
            name: {
                **{key: f"{value:.4g}" for key, value in f["law"].items()},
                "E within 1% of the best fit": "{:.2f}-{:.2f}".format(*f["floor_interval"]),
                "objective (separable law's)": f"{f['objective']:.4g} "
                f"({f['separable_objective']:.4g})",
                "fit mean rel. error": f"{f['fit_mean_rel_error']:.2%}",
                **{f"left out N = {n}": f"{e:.2%}" for n, e in f["leave_one_size_out"].items()},
                "degenerate": "; ".join(f["degenerate"]) or "no",
            }
            for name, f in kaplan.items()
        }
    ).fillna("")  # a size one fit has and the other has not
    return [
        "## The annealed laws and the shape of the loss in log D",
        text,
        "Curvature of the loss in log2 D per model size (`curvature.csv`; slope: per doubling of "
        "D; > 0: flattening):\n\n" + curvature.to_markdown(index=False, floatfmt=".4g"),
        "The Kaplan law fitted to the annealed runs (`kaplan_fits.json`; same Huber objective "
        "as the separable law's, beside it):\n\n" + kaplan_table.to_markdown(),
    ]


LIST_COLUMNS = {c: json.loads for c in ("g_tried", "grown_wins_at")}


def fits_table(fits: dict) -> str:
    """Each fit's parameters with their 95% bootstrap intervals, errors and verdict."""
    columns = {}
    for name, f in fits.items():
        col = {
            k: f"{v:.4g} [{f['ci95'][k][0]:.3g}, {f['ci95'][k][1]:.3g}]"
            for k, v in f["law"].items()
        }
        for k in f.get("profile", {}):
            col[f"{k} within {NEAR_OPTIMUM:.0%} of the best fit"] = profile_text(f, k)
        col["points / runs"] = f"{f['n_points']} / {f['n_runs']}"
        col["sizes (parameters)"] = ", ".join(str(n) for n in f["sizes"])
        col["fit mean rel. error"] = f"{f['fit_mean_rel_error']:.2%}"
        for n, e in f["leave_one_size_out"].items():
            col[f"left out N = {n}"] = f"{e:.2%}"
        col["degenerate"] = "; ".join(f["degenerate"]) or "no"
        columns[name] = col
    return pd.DataFrame(columns).fillna("").to_markdown()


def write_up(results: Path) -> Path:
    """README.md of the study from the files `analyze` wrote under `results` (no runs needed)."""
    summary = (results / "summary.md").read_text().split("\n\n")
    # Older summaries held the fits (a line and its table); they come from scaling_fits.json.
    old_fits = [i for i, part in enumerate(summary) if part.startswith("Scaling-law fits")]
    if old_fits:
        summary = summary[: old_fits[0]] + summary[old_fits[0] + 2 :]
    # ... and the finished-run counts, which the description now gives per base.
    summary = [part for part in summary if not part.startswith("Finished runs per operator")]
    command, body = summary[1], "\n\n".join(summary[2:]).strip()
    sp = pd.read_csv(results / "speedups_per_seed.csv")
    table = pd.read_csv(results / "results.csv")
    fits = json.loads((results / "scaling_fits.json").read_text())
    iso = pd.read_csv(results / "isoflop_summary.csv", converters=LIST_COLUMNS)
    bounds = bound_by_budget(sp)
    study = json.loads((results / "study.json").read_text())
    curve = pd.read_csv(results / "curves.csv")
    gain_file = results / ANNEALED_GAIN
    gain = pd.read_csv(gain_file) if gain_file.exists() else None
    plots = [
        f"![{name.removesuffix('.png').replace('_', ' ')}]({name})"
        for prefix in ("loss_vs_compute_", "speedup_vs_g", "isoflop_", "grow_map", "annealed")
        for name in sorted(p.name for p in results.glob(f"{prefix}*.png"))
    ]
    text = "\n\n".join(
        [
            "# Growth study: when does growing a trained model beat training from scratch?",
            command,
            "## What was run",
            run_description(study, curve),
            "## Findings",
            "Verdicts: **supported** or **contradicted** where the numbers decide it beyond the "
            "seed spread; **not shown** where they do not (too few points, a difference within "
            "the spread, a degenerate fit, a bound not reached).",
            *findings(sp, table, fits, iso, bounds, results.parent / "mup_lr_sweep", gain),
            *law_shape(results, fits),
            *(
                [
                    "## Annealed growth against scratch",
                    "At equal total compute, per model size N and budget C (cell-tokens; the "
                    "grown run trains its half-width base for C, then itself for C): grown - "
                    "scratch held-out loss, mean over seeds (< 0: growing is better), its "
                    "standard error, and the difference the annealed laws predict when fitted "
                    "without that size (annealed_growth.csv has every run; refit_degenerate: a "
                    "law fitted without that size is degenerate):\n\n"
                    + gain.to_markdown(index=False, floatfmt=".4g"),
                ]
                if gain is not None
                else []
            ),
            "## Tables",
            body,
            "Scaling-law fits L(N, D) = E + A/N^alpha + B/D^beta (D = cell-tokens the weights "
            "were trained on, a grown run's base model's included; Huber in log space; 95% "
            "intervals from refits to the runs resampled with replacement; profile: the values "
            "of an exponent at which the law, refitted with it held there, fits within "
            f"{NEAR_OPTIMUM:.0%} of the best objective (wider than {EXPONENT_SPREAD}: not "
            "identified); leave-one-size-out = mean relative error on one model size's points, "
            "fitted on the others):\n\n" + fits_table(fits),
            "The bound on g by base and budget (tokens/parameter): median speedup with the base "
            "model's training charged, over operators and seeds (cases: their number), and the "
            "bound (the largest g that pays when a larger one does not; nan: none up to the "
            "largest g tried), the cases beyond it that lose to scratch and a one-sided sign "
            "test's p-value for them:\n\n" + bounds.to_markdown(index=False, floatfmt=".2f"),
            "IsoFLOP: at a fixed total compute (a multiple of the base model's training, charged "
            "to grown runs), the g of the lowest loss per operator, the g where growing ends below "
            "scratch, and the bound (where growing's loss crosses scratch's as g grows; nan: no "
            "crossing measured):\n\n" + iso.to_markdown(index=False, floatfmt=".2f"),
            "## Plots",
            *plots,
            "Files: curves.csv (every evaluation of every run), speedups_per_seed.csv, "
            "curvature.csv, kaplan_fits.json, "
            "results.csv, scaling_fits.json.",
        ]
    )
    (results / "README.md").write_text(text + "\n")
    return results / "README.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run")
    c = sub.add_parser("plan", help="the grid's runs and estimated CPU hours (nothing is run)")
    for q in (p, c):
        q.add_argument("--data", required=True)
        q.add_argument("--out", required=True)
        q.add_argument("--grid", choices=sorted(GRIDS), default="v1")
        add_list_option(q, "--seeds", type=int, default=[0, 1, 2])
        q.add_argument("--lr", type=float, default=2**-7)
        q.add_argument("--base-tpp", type=float, default=120.0)
        q.add_argument("--target-tpp", type=float, default=400.0)
        q.add_argument("--max-target-cells", type=float, default=4e6)
        add_list_option(
            q,
            "--series-widths",
            type=int,
            nargs="*",
            default=[],
            help="size series: scratch runs of 2-layer models of these widths (8 16 32)",
        )
        q.add_argument(
            "--series-cells", type=float, default=2.4e7, help="size series: cell-tokens per run"
        )
        add_list_option(
            q,
            "--anneal-cells",
            type=float,
            nargs="*",
            default=[],
            help="annealed size series: per series width, one run per budget (cell-tokens) whose "
            "learning rate decays to the end of that budget (1.5e6 3e6)",
        )
        add_list_option(
            q,
            "--anneal-grow-cells",
            type=float,
            nargs="*",
            default=[],
            help="annealed growth: at these of the --anneal-cells budgets, each series width is "
            "also grown (szp) from the half width's annealed run of that budget and trained on",
        )
        add_list_option(
            q,
            "--exclude",
            nargs="*",
            default=[],
            help="skip run ids containing these (g2/zero_pad)",
        )
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--only", help="run ids starting with this prefix (e.g. A16/)")
    c.add_argument(
        "--gflops-per-core",
        type=float,
        default=6.0,
        help="training FLOP rate of one worker (the v1 study: ~6 GFLOP/s of 6 x N x D per core)",
    )
    p.add_argument("--restore", help="an `archive` folder whose finished runs are copied in first")
    r = sub.add_parser("archive", help="copy finished runs' records and base checkpoints")
    r.add_argument("--out", required=True)
    r.add_argument("--to", required=True)
    a = sub.add_parser("analyze")
    a.add_argument("--out", required=True)
    a.add_argument("--results", default="benchmarks/results/growth")
    a.add_argument("--boot", type=int, default=200, help="bootstrap refits per scaling law")
    f = sub.add_parser("refit", help="fits, IsoFLOP and write-up from --results/curves.csv")
    f.add_argument("--results", default="benchmarks/results/growth")
    f.add_argument("--boot", type=int, default=200)
    w = sub.add_parser("write-up", help="rewrite README.md from the files under --results")
    w.add_argument("--results", default="benchmarks/results/growth")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    elif args.command == "plan":
        plan(args)
    elif args.command == "archive":
        print(f"archived {len(archive_runs(args.out, args.to))} finished runs in {args.to}")
    elif args.command == "analyze":
        analyze(args)
    elif args.command == "refit":
        fit_and_isoflop(Path(args.results), boot=args.boot)
        print(write_up(Path(args.results)).read_text())
    else:
        print(write_up(Path(args.results)).read_text())


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
