"""The main job: TabPFNLiteClassifier (shipped checkpoint) vs XGBoost on real datasets that ship
with scikit-learn, 5-fold stratified CV; prints a table and writes CSV + Markdown.

    python benchmarks/sklearn_datasets.py [--out benchmarks/results/sklearn_datasets]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
from sklearn.metrics import accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier

from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.bench.report import command_line, write_benchmark

DATASETS = {
    "breast_cancer": load_breast_cancer,
    "iris": load_iris,
    "wine": load_wine,
    "digits": load_digits,
}
METHODS = {
    "TabPFNLite": lambda: TabPFNLiteClassifier(random_state=0),
    "XGBoost": lambda: XGBClassifier(n_jobs=2, random_state=0),
}


def roc_auc(y: np.ndarray, proba: np.ndarray) -> float:
    return roc_auc_score(y, proba[:, 1] if proba.shape[1] == 2 else proba, multi_class="ovo")


def run(folds: int) -> pd.DataFrame:
    rows = []
    for name, loader in DATASETS.items():
        X, y = loader(return_X_y=True)
        splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y)
        for fold, (tr, te) in enumerate(splits):
            for method, make in METHODS.items():
                t0 = time.perf_counter()
                model = make().fit(X[tr], y[tr])
                proba = model.predict_proba(X[te])
                rows.append(
                    {
                        "dataset": name,
                        "method": method,
                        "fold": fold,
                        "roc_auc": roc_auc(y[te], proba),
                        "accuracy": accuracy_score(y[te], proba.argmax(1)),
                        "seconds": time.perf_counter() - t0,
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default="benchmarks/results/sklearn_datasets")
    args = parser.parse_args()
    results = run(args.folds)
    table = results.groupby(["dataset", "method"])[["roc_auc", "accuracy", "seconds"]].mean()
    table = table.unstack("method").round(4)
    table.columns = [f"{metric} {method}" for metric, method in table.columns]
    mean = results.groupby("method")[["roc_auc", "accuracy", "seconds"]].mean().round(4)
    print(table.to_string())
    print("\nmean over datasets:")
    print(mean.to_string())
    write_benchmark(
        args.out,
        results,
        f"TabPFNLite vs XGBoost on scikit-learn datasets ({args.folds}-fold CV)",
        command_line(),
        f"{table.to_markdown()}\n\nMean over datasets:\n\n{mean.to_markdown()}",
    )


if __name__ == "__main__":
    main()
