"""Datasets and splits through openml-python, online or from a private copy of an offline cache."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, train_test_split

# The 30 OpenML-CC18 datasets in ../shared/datasets; their local 10-fold tasks are 900000 + did.
CC18_SMALL = (
    11,
    14,
    15,
    16,
    18,
    22,
    23,
    29,
    31,
    37,
    50,
    54,
    188,
    458,
    469,
    1049,
    1050,
    1063,
    1068,
    1462,
    1464,
    1480,
    1494,
    1510,
    6332,
    23381,
    40966,
    40975,
    40982,
    40994,
)
# The other OpenML tables in ../shared/datasets (no local tasks: use --protocol kfold). Mostly
# categorical: anneal (many columns mostly missing), kr-vs-kp (36 binary), zoo, Titanic, penguins.
EXTRA = (2, 3, 61, 62, 40675, 40945, 42585)
SUITES = {"cc18-small": CC18_SMALL, "extra": EXTRA}
# Columns that leak the target or identify a row: dropped on loading, as on OpenML's own tasks.
DROP_COLUMNS = {40945: ("boat", "body", "name", "ticket", "cabin", "home.dest")}  # Titanic
KFOLD_SPLITS = 10
LOCAL_TASK_OFFSET = 900_000
PAPER_TRAIN_CAP = 1000


@dataclass
class Table:
    did: int
    name: str
    X: pd.DataFrame  # categorical columns have pandas category dtype
    y: np.ndarray  # int class codes 0..K-1
    task_id: int | None


def use_offline_cache(source: str | Path) -> Path:
    """Point openml at a private writable copy of `source` (openml writes into its cache, and a
    failed lookup deletes a dataset's folder, so the shared copy is never used directly)."""
    import openml

    source = Path(source)
    if not (source / "org" / "openml").is_dir():
        raise FileNotFoundError(f"{source} is not an openml cache (no org/openml folder)")
    target = Path(tempfile.mkdtemp(prefix="openml_cache_"))
    shutil.copytree(source, target, dirs_exist_ok=True)
    os.environ["OPENML_SKIP_PARQUET"] = "true"
    openml.config.set_root_cache_directory(str(target))
    openml.config.avoid_duplicate_runs = False
    return target


def load_table(did: int, task_id: int | None = None) -> Table:
    import openml

    dataset = openml.datasets.get_dataset(
        did, download_data=True, download_qualities=False, download_features_meta_data=False
    )
    X, y, categorical, _ = dataset.get_data(target=dataset.default_target_attribute)
    kept = ~X.columns.isin(DROP_COLUMNS.get(did, ()))
    X, categorical = X.loc[:, kept], np.asarray(categorical)[kept]
    for col, is_cat in zip(X.columns, categorical, strict=True):
        if is_cat and not isinstance(X[col].dtype, pd.CategoricalDtype):
            X[col] = X[col].astype("category")
    codes = pd.Series(y).astype("category").cat.codes.to_numpy()
    return Table(did, dataset.name, X.reset_index(drop=True), codes, task_id)


def resolve(suite: str | None, datasets: list[int] | None, tasks: list[int] | None) -> list[tuple]:
    """(dataset id, task id or None) pairs from a suite name, dataset ids or task ids."""
    if tasks:
        import openml

        return [(openml.tasks.get_task(t, download_data=False).dataset_id, t) for t in tasks]
    if not datasets:
        if suite not in SUITES:
            raise ValueError(f"unknown suite {suite!r}; known: {sorted(SUITES)}")
        datasets = SUITES[suite]
    return [(d, LOCAL_TASK_OFFSET + d if suite == "cc18-small" else None) for d in datasets]


def task_for(did: int, task_id: int | None):
    """The dataset's task: the given id, else the local 900000 + did, else the first 10-fold
    supervised-classification task on OpenML."""
    import openml

    for tid in (task_id, LOCAL_TASK_OFFSET + did):
        if tid is None:
            continue
        try:
            return openml.tasks.get_task(tid, download_data=False, download_splits=True)
        except Exception:  # noqa: BLE001 - fall through to the next way of finding a task
            continue
    tasks = openml.tasks.list_tasks(
        data_id=did,
        task_type=openml.tasks.TaskType.SUPERVISED_CLASSIFICATION,
        output_format="dataframe",
    )
    tasks = tasks[tasks["estimation_procedure"].str.contains("10-fold")]
    if tasks.empty:
        raise LookupError(f"no 10-fold classification task for dataset {did}")
    return openml.tasks.get_task(int(tasks["tid"].iloc[0]), download_splits=True)


def splits(
    table: Table, protocol: str, folds: int, max_train_rows: int | None
) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(fold, train indices, test indices).

    cv: the first `folds` folds of the OpenML task. kfold: the first `folds` of a stratified
    10-fold split shuffled with seed 0, for tables without an OpenML task at hand (offline).
    paper: the TabPFN v1 protocol, `folds` repetitions of a stratified 50/50 split with the
    train half capped at 1000 rows."""
    if protocol == "cv":
        task = task_for(table.did, table.task_id)
        for fold in range(folds):
            train, test = task.get_train_test_split_indices(fold=fold, repeat=0)
            yield fold, _cap(train, table.y, max_train_rows, fold), test
    elif protocol == "kfold":
        kfold = StratifiedKFold(KFOLD_SPLITS, shuffle=True, random_state=0)
        for fold, (train, test) in enumerate(kfold.split(table.y, table.y)):
            if fold == folds:
                break
            yield fold, _cap(train, table.y, max_train_rows, fold), test
    elif protocol == "paper":
        idx = np.arange(len(table.y))
        for rep in range(folds):
            train, test = train_test_split(idx, test_size=0.5, stratify=table.y, random_state=rep)
            cap = min(PAPER_TRAIN_CAP, max_train_rows or PAPER_TRAIN_CAP)
            yield rep, _cap(train, table.y, cap, rep), test
    else:
        raise ValueError(f"unknown protocol {protocol!r}; use 'cv', 'kfold' or 'paper'")


def _cap(train: np.ndarray, y: np.ndarray, cap: int | None, seed: int) -> np.ndarray:
    """A stratified subsample of at most `cap` train rows."""
    if cap is None or len(train) <= cap:
        return np.asarray(train)
    kept, _ = train_test_split(train, train_size=cap, stratify=y[train], random_state=seed)
    return np.sort(kept)
