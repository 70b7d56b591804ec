"""Fit + predict seconds and peak memory of TabPFNLiteClassifier (default settings) against
XGBoost and LightGBM, from 100 to 100k rows and 10 to 500 features, measured in the same run.

    python benchmarks/speed.py

Every (method, size) runs in a fresh process so that its peak resident memory (ru_maxrss) is its
own (with --repeats R, R fresh processes and the median of each number: single runs on a shared
2-core VM vary by up to ~30%); `peak_mb` is that peak, `extra_mb` the part above the process's
memory before fitting (Python, libraries and the data). The table is synthetic
(make_classification, 2 classes); train on n rows, predict min(n, 10,000) test rows. For
tabpfn-lite also: a second `predict_proba` on the same rows, and the cost of predicting 1,000 and
100 rows without the train-row cache (one joint pass over train and test rows, what every predict
would cost without it) against the cached predict of those rows. The cache is built in `fit`, so
the first predict already uses it.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.options import add_list_option
from tabpfn_lite.plotting import pyplot

SIZES = [
    (100, 10),
    (1_000, 20),
    (2_000, 10),
    (2_000, 100),
    (1_000, 500),
    (10_000, 100),
    (10_000, 500),
    (100_000, 100),
]
METHODS = ("lite", "xgb", "lgbm")
PEERS = ("tabicl", "tabpfn")  # random weights, default settings: benchmarks/peers.py
CACHE_TEST_ROWS = (1000, 100)  # predict sizes at which the cache's saving is measured


def make_data(n: int, f: int) -> tuple[np.ndarray, ...]:
    from sklearn.datasets import make_classification

    n_test = min(n, 10_000)
    X, y = make_classification(
        n_samples=n + n_test,
        n_features=f,
        n_informative=min(f, 10),
        n_redundant=min(f - min(f, 10), 5),
        random_state=0,
    )
    X = X.astype(np.float32)
    return X[:n], X[n:], y[:n], y[n:]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure_one(method: str, n: int, f: int) -> dict:
    from sklearn.metrics import roc_auc_score

    Xtr, Xte, ytr, yte = make_data(n, f)
    if method == "lite":
        import torch

        from tabpfn_lite import TabPFNLiteClassifier

        model = TabPFNLiteClassifier(random_state=0)
    elif method in PEERS:
        import peers

        model = peers.make_tabicl() if method == "tabicl" else peers.make_tabpfn_v2()
    elif method == "xgb":
        from xgboost import XGBClassifier

        model = XGBClassifier(n_jobs=2, random_state=0)
    else:
        from lightgbm import LGBMClassifier

        model = LGBMClassifier(n_jobs=2, random_state=0, verbose=-1)
    before = peak_mb()
    t0 = time.perf_counter()
    model.fit(Xtr, ytr)
    t1 = time.perf_counter()
    proba = model.predict_proba(Xte)
    t2 = time.perf_counter()
    row = {
        "method": method,
        "rows": n,
        "features": f,
        "test_rows": len(Xte),
        "fit_s": t1 - t0,
        "predict_s": t2 - t1,
        "fit_predict_s": t2 - t0,
        "auc": roc_auc_score(yte, proba[:, 1]),
    }
    if method == "lite":
        t3 = time.perf_counter()
        model.predict_proba(Xte)
        row["second_predict_s"] = time.perf_counter() - t3
        for n_rows in CACHE_TEST_ROWS:
            row.update(uncached_vs_cached(model, Xte[:n_rows], n_rows, torch))
    row["peak_mb"] = peak_mb()
    row["extra_mb"] = row["peak_mb"] - before
    return row


def uncached_vs_cached(model, X: np.ndarray, label: int, torch) -> dict:
    """Seconds for the rows of X (`label`: the rows asked for; fewer if the test set is
    smaller): cached predict vs one joint pass over train + test rows (member by member, like
    the classifier)."""
    x_test = [
        torch.from_numpy(x[None]) for x in model._member_inputs(model.preprocessor_.transform(X))
    ]
    t0 = time.perf_counter()
    for x, cache in zip(x_test, model.cache_, strict=True):
        model.model_.predict_from_cache(cache, x)
    cached = time.perf_counter() - t0
    t1 = time.perf_counter()
    with torch.no_grad():
        for m, x in enumerate(x_test):
            x = torch.cat([torch.from_numpy(model.X_train_[m][None]), x], 1)
            y = torch.from_numpy(model.y_train_[m : m + 1])
            model.model_(x, y, model.feature_codes_[m])
    uncached = time.perf_counter() - t1
    return {f"cached_{label}_s": cached, f"uncached_{label}_s": uncached}


def run_isolated(method: str, n: int, f: int) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--one", method, str(n), str(f)],
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        return {"method": method, "rows": n, "features": f, "error": proc.stderr[-500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_repeated(method: str, n: int, f: int, repeats: int) -> dict:
    """The median of each number over `repeats` isolated runs (the first error, if any)."""
    runs = [run_isolated(method, n, f) for _ in range(repeats)]
    failed = [r for r in runs if "error" in r]
    if failed:
        return failed[0]
    median = pd.DataFrame(runs).median(numeric_only=True).to_dict()
    return {**median, **{k: runs[0][k] for k in ("method", "rows", "features", "test_rows")}}


def plot(results: pd.DataFrame, sizes: list[tuple[int, int]], path: Path) -> None:
    plt = pyplot()

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(11, 4))
    labels = [f"{r}x{f}" for r, f in sizes]
    x = np.arange(len(sizes))
    groups = list(results.groupby("method"))
    width = 0.8 / len(groups)
    for k, (method, rows) in enumerate(groups):
        rows = rows.set_index(["rows", "features"]).reindex(sizes)
        offset = width * (k - (len(groups) - 1) / 2)
        ax_t.bar(x + offset, rows["fit_predict_s"], width, label=method)
        ax_m.bar(x + offset, rows["peak_mb"], width, label=method)
    ax_t.set(yscale="log", ylabel="fit + predict seconds", title="time (train rows x features)")
    ax_m.set(ylabel="peak resident memory (MB)", title="memory")
    for ax in (ax_t, ax_m):
        ax.set_xticks(x, labels, rotation=45, ha="right")
        ax.grid(alpha=0.3, axis="y")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--one", nargs=3, metavar=("METHOD", "ROWS", "FEATURES"))
    parser.add_argument("--out", default="benchmarks/results/speed")
    add_list_option(parser, "--methods", default=list(METHODS), choices=[*METHODS, *PEERS])
    add_list_option(parser, "--sizes", default=[f"{n}x{f}" for n, f in SIZES])
    parser.add_argument("--repeats", type=int, default=1, help="runs per (method, size): median")
    args = parser.parse_args()
    sizes = [tuple(int(v) for v in size.split("x")) for size in args.sizes]
    if args.one:
        method, n, f = args.one
        print(json.dumps(measure_one(method, int(n), int(f))))
        return

    rows = []
    for n, f in sizes:
        for method in args.methods:
            rows.append(run_repeated(method, n, f, args.repeats))
            print(rows[-1], flush=True)
    results = pd.DataFrame(rows)
    wide = results.pivot_table(
        index=["rows", "features"], columns="method", values=["fit_predict_s", "peak_mb"]
    )
    wide.columns = [f"{m} {v}" for v, m in wide.columns]
    lite = results[results["method"] == "lite"].set_index(["rows", "features"])
    for other in ("xgb", "lgbm", *PEERS):
        if f"{other} fit_predict_s" in wide:
            wide[f"lite / {other} time"] = (
                wide["lite fit_predict_s"] / wide[f"{other} fit_predict_s"]
            )
    for n_rows in CACHE_TEST_ROWS:
        wide[f"lite uncached / cached ({n_rows} rows)"] = (
            lite[f"uncached_{n_rows}_s"] / lite[f"cached_{n_rows}_s"]
        )
    wide["lite 2nd / 1st predict"] = lite["second_predict_s"] / lite["predict_s"]
    from tabpfn_lite import TabPFNLiteClassifier

    lite_defaults = TabPFNLiteClassifier().get_params()
    body = (
        f"Default settings of every method (tabpfn-lite: {lite_defaults['n_estimators']} members, "
        f"max_train_rows={lite_defaults['max_train_rows']}, "
        f"max_features={lite_defaults['max_features']}, the shipped checkpoint); 2 threads; "
        "train n rows, predict "
        "min(n, 10,000) rows. Times in seconds, memory = peak resident MB of a fresh process; "
        f"each number the median of {args.repeats} run(s) in fresh processes. "
        "tabicl, tabpfn: TabICLv2 and TabPFN v2 at their packages' default architecture and "
        "inference settings with random weights (benchmarks/peers.py).\n\n"
        + wide.reset_index().to_markdown(index=False, floatfmt=".3g")
        + "\n\n![speed](speed.png)"
    )
    out = write_benchmark(args.out, results, "Speed and memory", command_line(), body)
    plot(results, sizes, out / "speed.png")
    print(wide.to_string())


if __name__ == "__main__":
    main()
