"""Methods compared by the harness, each with default settings and the preprocessing it needs.

Every factory takes the train table's categorical column names and a seed and returns an
estimator whose fit/predict_proba accept the pandas table and integer labels."""

from __future__ import annotations

import argparse
import ast
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

Factory = Callable[[list[str], int], object]


def _lite(checkpoint: str | None, params: dict) -> Factory:
    def make(categorical: list[str], seed: int):
        from tabpfn_lite import TabPFNLiteClassifier

        return TabPFNLiteClassifier(checkpoint=checkpoint, random_state=seed, **params)

    return make


def lite_param(text: str) -> dict:
    """'max_features=32' -> {'max_features': 32}: one classifier setting that a benchmark varies;
    the value is read as a Python literal (32, 0.8, None, False) where it is one, else kept as
    text."""
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE (e.g. max_features=32), got {text!r}"
        )
    try:
        return {key: ast.literal_eval(value)}
    except (ValueError, SyntaxError):
        return {key: value}


def _xgb(categorical: list[str], seed: int):
    from xgboost import XGBClassifier

    return _PreparedInput(
        XGBClassifier(enable_categorical=True, tree_method="hist", n_jobs=2, random_state=seed),
        _category_names_as_text,
    )


def _lgbm(categorical: list[str], seed: int):
    from lightgbm import LGBMClassifier

    return LGBMClassifier(n_jobs=2, random_state=seed, verbose=-1)


def _catboost(categorical: list[str], seed: int):
    from catboost import CatBoostClassifier

    return _PreparedInput(
        CatBoostClassifier(
            cat_features=categorical, thread_count=2, random_seed=seed, verbose=False
        ),
        partial(_categories_as_strings, categorical=categorical),
    )


def _rf(categorical: list[str], seed: int):
    encode = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
                ),
                categorical,
            )
        ],
        remainder="passthrough",
    )
    # scikit-learn's forests split on missing values natively.
    return make_pipeline(encode, RandomForestClassifier(n_jobs=2, random_state=seed))


def _logreg(categorical: list[str], seed: int):
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    cats = make_pipeline(
        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
    )
    encode = ColumnTransformer([("cat", cats, categorical)], remainder=numeric, sparse_threshold=0)
    return make_pipeline(encode, LogisticRegression(max_iter=5000, random_state=seed))


class _PreparedInput:
    """A model whose input goes through `prepare` first, in fit and in predict_proba."""

    def __init__(self, model, prepare: Callable[[pd.DataFrame], pd.DataFrame]):
        self.model, self.prepare = model, prepare

    def fit(self, X, y):
        self.model.fit(self.prepare(X), y)
        return self

    def predict_proba(self, X) -> np.ndarray:
        return self.model.predict_proba(self.prepare(X))


def _category_names_as_text(X: pd.DataFrame) -> pd.DataFrame:
    """XGBoost fails on categories that are not text or numbers (zoo's are booleans): the
    categories are renamed to their text, codes and missing values unchanged."""
    X = X.copy()
    for c in X.columns:
        if isinstance(X[c].dtype, pd.CategoricalDtype):
            X[c] = X[c].cat.rename_categories(str)
    return X


def _categories_as_strings(X: pd.DataFrame, categorical: list[str]) -> pd.DataFrame:
    """CatBoost wants categorical columns as strings without NaN."""
    X = X.copy()
    for c in categorical:
        X[c] = X[c].astype(str)
    return X


BASELINES: dict[str, Factory] = {
    "xgb": _xgb,
    "lgbm": _lgbm,
    "rf": _rf,
    "logreg": _logreg,
    "catboost": _catboost,
}


def checkpoint_tag(path: str) -> str:
    """A checkpoint's short name in method labels: its folder, or the run folder above a
    training run's `checkpoint/`."""
    p = Path(path)
    return p.parent.name if p.name == "checkpoint" else p.name


def method_factories(
    names: list[str],
    checkpoints: list[str] | None,
    lite_estimators: list[int] | None = None,
    lite_params: list[dict] | None = None,
) -> dict[str, Factory]:
    """Method name -> factory. `lite` expands to one method per checkpoint and per variant of
    its settings: each ensemble size of `lite_estimators` and each setting of `lite_params`
    (none given: the classifier's defaults), labelled `lite[model; n_estimators=2]`."""
    from tabpfn_lite import TabPFNLiteClassifier

    variants = [{"n_estimators": n} for n in lite_estimators or []] + list(lite_params or [])
    fixed = {"checkpoint", "random_state"}  # --checkpoint, and the harness's seed per fold
    settings = set(TabPFNLiteClassifier().get_params()) - fixed
    for params in variants:
        if fixed & set(params):
            raise ValueError(
                f"'lite' settings cannot set {', '.join(sorted(fixed & set(params)))}: "
                "use --checkpoint for checkpoints and --seed for seeds"
            )
        if set(params) - settings:
            raise ValueError(
                f"unknown 'lite' setting {', '.join(sorted(set(params) - settings))}; "
                f"settings: {', '.join(sorted(settings))}"
            )
    out: dict[str, Factory] = {}
    for name in names:
        if name == "lite":
            paths = checkpoints or [None]
            for path in paths:
                for params in variants or [{}]:  # none: the classifier's defaults
                    tags = [checkpoint_tag(path)] if len(paths) > 1 else []
                    tags += [f"{k}={v}" for k, v in params.items()]
                    label = f"lite[{'; '.join(tags)}]" if tags else "lite"  # no comma: CSV-safe
                    if label in out:
                        raise ValueError(f"'lite' variant {label} is asked for twice")
                    out[label] = _lite(path, params)
        elif name in BASELINES:
            if name == "catboost":
                try:
                    import catboost  # noqa: F401
                except ImportError:
                    print("catboost is not installed; skipping it")
                    continue
            out[name] = BASELINES[name]
        else:
            raise ValueError(f"unknown method {name!r}; known: lite, {', '.join(BASELINES)}")
    return out
