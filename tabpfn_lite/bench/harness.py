"""Run methods over datasets and folds; one CSV row per (dataset, method, fold), resumable.

    python benchmarks/openml_bench.py --suite cc18-small --methods lite xgb lgbm rf logreg \
        --folds 5 --out benchmarks/results/cc18_small --openml-cache ../shared/datasets/openml_cache
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from tqdm import tqdm

from ..options import add_list_option
from .data import load_table, resolve, splits, use_offline_cache
from .methods import lite_param, method_factories
from .report import write_report

COLUMNS = [
    "dataset",
    "name",
    "method",
    "fold",
    "roc_auc",
    "accuracy",
    "log_loss",
    "fit_seconds",
    "predict_seconds",
    "n_train",
    "n_test",
    "error",
]
QUICK_DATASETS = [11, 15, 37, 40975, 1464]


def scores(y: np.ndarray, proba: np.ndarray, n_classes: int) -> dict[str, float]:
    """ROC-AUC (binary, or one-vs-one macro), accuracy, log loss; proba has n_classes columns."""
    proba = np.clip(proba, 1e-15, 1)
    proba = proba / proba.sum(1, keepdims=True)
    if n_classes == 2:
        auc = roc_auc_score(y, proba[:, 1])
    else:
        present = np.unique(y)
        p = proba[:, present] / proba[:, present].sum(1, keepdims=True)
        auc = roc_auc_score(y, p, multi_class="ovo", labels=present)
    return {
        "roc_auc": auc,
        "accuracy": accuracy_score(y, proba.argmax(1)),
        "log_loss": log_loss(y, proba, labels=np.arange(n_classes)),
    }


def full_proba(model, X: pd.DataFrame, train_classes: np.ndarray, n_classes: int) -> np.ndarray:
    """Predicted probabilities with one column per class of the dataset (0 for classes that
    were absent from the train fold)."""
    proba = np.zeros((len(X), n_classes))
    proba[:, train_classes] = model.predict_proba(X)
    return proba


def run_one(factory, table, train, test, seed: int) -> dict:
    X_tr, X_te = table.X.iloc[train], table.X.iloc[test]
    y_tr = table.y[train]
    train_classes, y_tr_codes = np.unique(y_tr, return_inverse=True)  # labels 0..k-1 for all
    n_classes = int(table.y.max()) + 1
    categorical = [c for c in table.X.columns if isinstance(table.X[c].dtype, pd.CategoricalDtype)]
    model = factory(categorical, seed)
    t0 = time.perf_counter()
    model.fit(X_tr, y_tr_codes)
    t1 = time.perf_counter()
    proba = full_proba(model, X_te, train_classes, n_classes)
    t2 = time.perf_counter()
    return {
        **scores(table.y[test], proba, n_classes),
        "fit_seconds": t1 - t0,
        "predict_seconds": t2 - t1,
    }


def run(args: argparse.Namespace) -> pd.DataFrame:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "results.csv"
    done = pd.read_csv(csv) if csv.exists() else pd.DataFrame(columns=COLUMNS)
    if csv.exists():  # folds that failed before are retried
        done = done[done["error"].isna()]
        done.to_csv(csv, index=False)
    finished = {(int(r.dataset), r.method, int(r.fold)) for r in done.itertuples()}
    methods = method_factories(
        args.methods, args.checkpoint, args.lite_estimators, args.lite_params
    )
    pairs = resolve(args.suite, args.datasets, args.tasks)
    folds = 2 if args.quick else args.folds
    if args.quick and not args.datasets:
        pairs = [p for p in pairs if p[0] in QUICK_DATASETS]

    bar = tqdm(total=len(pairs) * folds * len(methods), desc="bench")
    new_file = not csv.exists()
    with open(csv, "a") as f:
        if new_file:
            f.write(",".join(COLUMNS) + "\n")
        for did, task_id in pairs:
            todo = [(m, k) for k in range(folds) for m in methods if (did, m, k) not in finished]
            if not todo:
                bar.update(folds * len(methods))
                continue
            table = load_table(did, task_id)
            for fold, train, test in splits(table, args.protocol, folds, args.max_train_rows):
                for name, factory in methods.items():
                    bar.update(1)
                    if (did, name, fold) in finished:
                        continue
                    bar.set_postfix_str(f"{table.name} {name} fold {fold}")
                    row = {
                        "dataset": did,
                        "name": table.name,
                        "method": name,
                        "fold": fold,
                        "n_train": len(train),
                        "n_test": len(test),
                        "error": "",
                    }
                    try:
                        row.update(run_one(factory, table, train, test, seed=args.seed + fold))
                    except Exception as e:  # noqa: BLE001 - record the failure, go on
                        row["error"] = f"{type(e).__name__}: {e}".replace(",", ";")[:300]
                        traceback.print_exc()
                    f.write(",".join(_fmt(row.get(c, "")) for c in COLUMNS) + "\n")
                    f.flush()
    bar.close()
    return pd.read_csv(csv)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v).replace(",", ";").replace("\n", " ")


BENCH_EXAMPLE = (
    "example (from the repository root, with ../shared beside it; about a minute):\n"
    "  tabpfn-lite bench --quick --methods lite xgb --out runs/bench_quick "
    "--openml-cache ../shared/datasets/openml_cache"
)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="tabpfn-lite bench",
        description="OpenML benchmark: TabPFNLite vs GBDTs and others (also: "
        "python benchmarks/openml_bench.py)",
        epilog=BENCH_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--suite", default="cc18-small")
    add_list_option(p, "--datasets", type=int, help="OpenML dataset ids")
    add_list_option(p, "--tasks", type=int, help="OpenML task ids")
    add_list_option(p, "--methods", default=["lite", "xgb", "lgbm", "rf", "logreg"])
    add_list_option(p, "--checkpoint", help="checkpoints for 'lite', one method each")
    add_list_option(
        p,
        "--lite-estimators",
        type=int,
        help="ensemble sizes for 'lite', one method each (default: the classifier's default)",
    )
    add_list_option(
        p,
        "--lite-params",
        type=lite_param,
        help="classifier settings for 'lite', one method each (max_features=32 max_features=64)",
    )
    p.add_argument("--protocol", choices=["cv", "kfold", "paper"], default="cv")
    p.add_argument("--folds", type=int, default=5, help="folds (cv, kfold) or repetitions (paper)")
    p.add_argument("--max-train-rows", type=int, default=None)
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="methods are seeded with seed + fold; another seed shows the spread between runs",
    )
    p.add_argument("--openml-cache", help="offline openml cache to copy and use")
    p.add_argument("--out", default="benchmarks/results/cc18_small")
    p.add_argument("--quick", action="store_true", help="5 small datasets x 2 folds")
    p.add_argument(
        "--paper-auc",
        default=None,
        help="published per-dataset AUC CSV (default: tabpfn_v1_paper_auc.csv "
        "next to the openml cache)",
    )
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.openml_cache:
        use_offline_cache(args.openml_cache)
    results = run(args)
    paper = args.paper_auc
    if paper is None and args.openml_cache:
        candidate = Path(args.openml_cache).parent / "tabpfn_v1_paper_auc.csv"
        paper = str(candidate) if candidate.exists() else None
    argv_list = sys.argv[1:] if argv is None else list(argv)
    command = "python benchmarks/openml_bench.py " + shlex.join(argv_list)
    write_report(
        results, Path(args.out), command, args.protocol, paper if args.protocol == "paper" else None
    )
    print((Path(args.out) / "summary.md").read_text())
    return 0
