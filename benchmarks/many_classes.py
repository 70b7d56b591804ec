"""More classes than the network's output head: TabPFNLiteClassifier (error-correcting output
codes) vs XGBoost on a real 20-class table and synthetic 26- and 50-class tables, 3-fold CV.

    python benchmarks/many_classes.py --lite-estimators 8 16
    python benchmarks/many_classes.py --checkpoint CKPT --out FOLDER   # another checkpoint

Tables: "digits+mirrored" (scikit-learn's digits and their mirror images as 10 more classes:
1,797 x 2 rows, 64 features, 20 classes), make_classification with 26 and 50 classes. Metrics:
accuracy, log loss, and expected calibration error (ECE, 15 bins of the top probability) to show
whether `predict_proba` stays calibrated.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold
from xgboost import XGBClassifier

from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.options import add_list_option


def digits_mirrored() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_digits(return_X_y=True)
    mirrored = X.reshape(-1, 8, 8)[:, :, ::-1].reshape(-1, 64)
    return np.concatenate([X, mirrored]), np.concatenate([y, y + 10])


def synthetic(n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    return make_classification(
        n_samples=60 * n_classes,
        n_features=20,
        n_informative=12,
        n_redundant=2,
        n_classes=n_classes,
        n_clusters_per_class=1,
        random_state=0,
    )


DATASETS = {
    "digits+mirrored (20)": digits_mirrored,
    "synthetic (26)": lambda: synthetic(26),
    "synthetic (50)": lambda: synthetic(50),
}


def methods(lite_estimators: list[int], checkpoint: str | None = None) -> dict:
    """XGBoost with its defaults and TabPFNLite with each n_estimators (8: the default), with
    `checkpoint` (None: the shipped one)."""
    lite = {
        "TabPFNLite" if n == 8 else f"TabPFNLite (n_estimators={n})": (
            lambda n=n: TabPFNLiteClassifier(n_estimators=n, checkpoint=checkpoint, random_state=0)
        )
        for n in lite_estimators
    }
    return {**lite, "XGBoost": lambda: XGBClassifier(n_jobs=2, random_state=0)}


def expected_calibration_error(y: np.ndarray, proba: np.ndarray, bins: int = 15) -> float:
    confidence, correct = proba.max(1), proba.argmax(1) == y
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges) - 1, 0, bins - 1)
    return float(
        sum(
            abs(correct[which == b].mean() - confidence[which == b].mean()) * (which == b).mean()
            for b in range(bins)
            if (which == b).any()
        )
    )


def run(folds: int, lite_estimators: list[int], checkpoint: str | None = None) -> pd.DataFrame:
    rows = []
    for name, load in DATASETS.items():
        X, y = load()
        splits = StratifiedKFold(folds, shuffle=True, random_state=0).split(X, y)
        for fold, (tr, te) in enumerate(splits):
            for method, make in methods(lite_estimators, checkpoint).items():
                t0 = time.perf_counter()
                proba = make().fit(X[tr], y[tr]).predict_proba(X[te])
                rows.append(
                    {
                        "dataset": name,
                        "method": method,
                        "fold": fold,
                        "accuracy": accuracy_score(y[te], proba.argmax(1)),
                        "log_loss": log_loss(y[te], proba, labels=np.unique(y)),
                        "ece": expected_calibration_error(y[te], proba),
                        "seconds": time.perf_counter() - t0,
                    }
                )
                print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=3)
    add_list_option(
        parser,
        "--lite-estimators",
        type=int,
        default=[8],
        help="n_estimators settings of TabPFNLite to compare (8 is the default)",
    )
    parser.add_argument("--checkpoint", help="TabPFNLite's checkpoint folder (default: shipped)")
    parser.add_argument("--out", default="benchmarks/results/many_classes")
    args = parser.parse_args()
    results = run(args.folds, args.lite_estimators, args.checkpoint)
    table = (
        results.groupby(["dataset", "method"])[["accuracy", "log_loss", "ece", "seconds"]]
        .mean()
        .reset_index()
    )
    body = (
        f"{args.folds}-fold stratified CV, mean over folds; default settings of both methods "
        "(tabpfn-lite: n_estimators=8, so 8 x ceil(K/10) members; other n_estimators where "
        "named).\n\n" + table.to_markdown(index=False, floatfmt=".4f")
    )
    write_benchmark(args.out, results, "Many classes", command_line(), body)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
