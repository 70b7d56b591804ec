"""Summary table (Markdown) and plots (PNG) from the per-fold results."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..plotting import pyplot

TIE = 0.001  # AUC differences within this count as ties
PAPER_COLUMNS = {
    "TabPFN_May2022": "paper TabPFN v1",
    "XGB_1h": "paper XGB (1h tuned)",
    "CatBoost_1h": "paper CatBoost (1h tuned)",
    "AutoGluon_1h": "paper AutoGluon",
}


def command_line() -> str:
    """The command that is running, as a user would type it."""
    return "python " + shlex.join(sys.argv)


def write_benchmark(
    out: str | Path,
    results: pd.DataFrame,
    title: str,
    command: str,
    body: str,
    index: bool = False,
) -> Path:
    """A benchmark script's files: results.csv (its rows) and summary.md (title, the exact
    command, then the body: description and Markdown tables)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "results.csv", index=index)
    (out / "summary.md").write_text(f"# {title}\n\nCommand: `{command}`\n\n{body}\n")
    return out


def failed(results: pd.DataFrame) -> pd.Series:
    """Rows whose method raised (their error column holds the message)."""
    return results["error"].astype("string").fillna("").ne("")


def per_dataset(results: pd.DataFrame, metric: str = "roc_auc") -> pd.DataFrame:
    """Mean of `metric` over folds: rows = datasets with every method complete, columns =
    methods."""
    ok = results[~failed(results)]
    means = ok.pivot_table(
        index=["dataset", "name"], columns="method", values=metric, aggfunc="mean"
    )
    return means.dropna()


def summary_table(results: pd.DataFrame, reference: str = "xgb") -> pd.DataFrame:
    auc = per_dataset(results)
    ranks = auc.rank(axis=1, ascending=False)
    span = (auc.max(axis=1) - auc.min(axis=1)).replace(0, np.nan)
    normalised = auc.sub(auc.min(axis=1), axis=0).div(span, axis=0)
    ok = results[results["dataset"].isin(auc.index.get_level_values("dataset"))]
    rows = {}
    for method in auc.columns:
        m = ok[ok["method"] == method]
        row = {
            "mean ROC-AUC": auc[method].mean(),
            "mean accuracy": m["accuracy"].mean(),
            "mean log loss": m["log_loss"].mean(),
            "mean rank": ranks[method].mean(),
            "rank std": ranks[method].std(),
            "normalised AUC": normalised[method].mean(),
            "fit+predict s (total)": (m["fit_seconds"] + m["predict_seconds"]).sum(),
        }
        if reference in auc.columns:
            diff = auc[method] - auc[reference]
            row[f"W/T/L vs {reference}"] = (
                "reference"
                if method == reference
                else f"{(diff > TIE).sum()}/{(diff.abs() <= TIE).sum()}/{(diff < -TIE).sum()}"
            )
        row["failed folds"] = str(int((failed(results) & (results["method"] == method)).sum()))
        rows[method] = row
    table = pd.DataFrame(rows).T.sort_values("mean rank")
    return table


def paired_differences(results: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each method minus `reference`, fold by fold (pairs where both finished): the mean and its
    standard error for accuracy, ROC-AUC and log loss. A difference within about two standard
    errors is within the fold-to-fold spread."""
    ok = results[~failed(results)]
    rows = {}
    for metric in ("accuracy", "roc_auc", "log_loss"):
        folds = ok.pivot_table(index=["dataset", "fold"], columns="method", values=metric)
        for method in folds.columns.drop(reference):
            diff = (folds[method] - folds[reference]).dropna()
            row = rows.setdefault(method, {"pairs": len(diff)})
            row[f"{metric} difference"] = diff.mean()
            row[f"{metric} std error"] = diff.std() / np.sqrt(len(diff))
    return pd.DataFrame(rows).T.astype({"pairs": int})


def write_report(
    results: pd.DataFrame, out: Path, command: str, protocol: str, paper_csv: str | None = None
) -> None:
    auc = per_dataset(results)
    table = summary_table(results)
    folds = results["fold"].nunique()
    lines = [
        "# OpenML benchmark",
        "",
        f"Command: `{command}`",
        "",
        f"Protocol: `{protocol}` ({folds} {'repetitions' if protocol == 'paper' else 'folds'}); "
        f"{len(auc)} datasets where every method finished; ROC-AUC is one-vs-one macro for "
        f"multiclass; ties within {TIE}.",
        "",
        table.to_markdown(floatfmt=".4f"),
        "",
    ]
    lite = [m for m in results["method"].unique() if m.startswith("lite")]
    if len(lite) > 1:
        lines += [
            f"## Paired differences against {lite[0]} (per fold)",
            "",
            paired_differences(results, lite[0])
            .rename_axis("method")
            .reset_index()
            .to_markdown(index=False, floatfmt=".4f"),
            "",
        ]
    lines += ["## Per-dataset ROC-AUC (mean over folds)", ""]
    with_paper = auc.copy()
    if paper_csv:
        paper = pd.read_csv(paper_csv).set_index("openml_id")
        for col, label in PAPER_COLUMNS.items():
            if col in paper.columns:
                with_paper[label] = [
                    paper[col].get(d, np.nan) for d in with_paper.index.get_level_values("dataset")
                ]
        means = with_paper.mean()
        lines += [
            "Published numbers (TabPFN v1 paper, same protocol) beside ours; mean over "
            "these datasets:",
            "",
            means.to_frame("mean ROC-AUC").to_markdown(floatfmt=".4f"),
            "",
        ]
    lines += [with_paper.reset_index().to_markdown(index=False, floatfmt=".4f"), ""]
    lines += ["## Per-dataset accuracy (mean over folds)", ""]
    accuracy = per_dataset(results, "accuracy").loc[auc.index]
    lines += [accuracy.reset_index().to_markdown(index=False, floatfmt=".4f"), ""]
    lines += ["![per-dataset AUC](auc_scatter.png)", "", "![mean rank](mean_rank.png)", ""]
    (out / "summary.md").write_text("\n".join(lines))
    table.to_csv(out / "summary.csv")
    (out / "command.txt").write_text(command + "\n")
    _plots(auc, table, out)


def _plots(auc: pd.DataFrame, table: pd.DataFrame, out: Path) -> None:
    plt = pyplot()

    lite = [c for c in auc.columns if c.startswith("lite")]
    if lite and "xgb" in auc.columns:
        fig, ax = plt.subplots(figsize=(5.5, 5.5))
        for method in lite:
            ax.scatter(auc["xgb"], auc[method], label=method, alpha=0.8)
        lo = float(np.nanmin(auc[["xgb", *lite]].to_numpy())) - 0.01
        ax.plot([lo, 1], [lo, 1], "k--", lw=1)
        ax.set(
            xlabel="XGBoost ROC-AUC",
            ylabel="TabPFNLite ROC-AUC",
            xlim=(lo, 1.001),
            ylim=(lo, 1.001),
            title="per dataset (above the line: TabPFNLite better)",
        )
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(out / "auc_scatter.png", dpi=120)
        plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.barh(
        table.index[::-1],
        table["mean rank"][::-1],
        xerr=table["rank std"][::-1],
        color="tab:blue",
        alpha=0.7,
        capsize=3,
    )
    ax.set(xlabel="mean rank over datasets (lower is better; bars: std)", title="mean rank")
    fig.tight_layout()
    fig.savefig(out / "mean_rank.png", dpi=120)
    plt.close(fig)
