"""TabPFNLiteClassifier: a scikit-learn classifier backed by a pretrained TabPFN v2 network.

`fit` preprocesses the table, builds `n_estimators` ensemble members (each with its own feature
order, feature identity codes, class code and input transform: raw or quantile numbers, extreme
values softened first; categories as ordinal codes or one-hot indicators) and runs their train rows
through the network once, keeping every layer's keys and values (the train-row cache).
`predict_proba` then runs only the test rows, in chunks, and combines the members' outputs. The
cache holds keys and values in float16 (half the memory of the largest thing a fitted model keeps;
predictions still compute in float32, and a cache that would overflow float16 stays in float32).

Long and wide tables are handled per member: each member sees at most `max_train_rows` train rows
(a class-covering random subset) and `max_features` features (a random subset favouring
informative features; the network reads a few features better than many), so members see
different parts of the table.

More classes than the network's output head (`max_classes`): error-correcting output codes. Each
member maps the K classes onto the head's classes by a random balanced code (several classes per
output); its class distribution is P(output of c) / |classes sharing that output|, and the members'
distributions are combined as a product of experts, softmax(sum of log-probabilities / T), which
singles out the class whose outputs all members agree on; the members are not independent, so T
is fitted on 20% of the train rows held out from members fitted on the rest. Such a fit uses
n_estimators x ceil(K / max_classes) members, since a code carries less than a permutation.
With K <= max_classes each code is a permutation and the members' probabilities are averaged.
"""

from __future__ import annotations

import functools
import math
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_selection import f_classif
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .checkpoint import (
    WEIGHTS_FILE,
    default_checkpoint_path,
    load_checkpoint,
    model_from_bytes,
    model_to_bytes,
)
from .model import TabPFN, TrainCache
from .preprocessing import (
    CATEGORICAL_ENCODINGS,
    MEMBER_TRANSFORMS,
    MemberTransform,
    TablePreprocessor,
    as_table,
    onehot_candidates,
)

CACHE_DTYPE = torch.float16  # storage of the train-row cache's keys and values


class TabPFNLiteClassifier(ClassifierMixin, BaseEstimator):
    """In-context tabular classifier (TabPFN v2 architecture, small and CPU-friendly).

    Parameters
    ----------
    n_estimators : int, default=8
        Ensemble members; each sees the features in another order (with its own orthogonal
        identity codes), the classes under another permutation (or output code), alternately
        raw or quantile-transformed numbers (values beyond 4 robust standard deviations pulled
        in logarithmically first), (in pairs of members) categorical columns of 3-10 levels
        as ordinal codes or as one-hot indicators, and (in fours) a missing category as missing
        or as a level of its own (in tables like anneal, missing means "does not apply").
    checkpoint : str or Path, default=None
        Checkpoint folder; None loads the one shipped in the package. A checkpoint is loaded
        once per process and device, and its network shared (read-only) by the estimators.
    softmax_temperature : float, default=0.9
        Logits are divided by it before the softmax.
    random_state : int, RandomState or None, default=None
        Seeds the members' permutations; an int makes predictions reproducible.
    device : {"auto", "cpu", "cuda"}, default="auto"
    inference_chunk_size : int, default=1024
        Test rows processed at once; bounds the activation memory of `predict_proba`.
    max_train_rows : int or None, default=1024
        Train rows each member keeps (a random subset covering every class); None keeps all.
        The train-row cache grows linearly and fit time quadratically with it.
    max_features : int or None, default=16
        Features each member sees (after one-hot encoding); None keeps all. Wider tables give
        each member a random subset drawn with probabilities proportional to each feature's
        ANOVA F-statistic, so informative features are rarely left out. The network reads a few
        features better than many, and the members' different subsets together cover the
        table (benchmarks/results/max_features/: 16 against 64 on cc18-small).
    pickle_weights : bool, default=False
        Put the network's weights (safetensors bytes) into pickles of the fitted estimator, so
        it predicts where its checkpoint folder does not exist. By default pickles hold only the
        fitted inputs and reload the weights from `checkpoint_path_`.
    """

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "checkpoint": [str, Path, None],
        "softmax_temperature": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "inference_chunk_size": [Interval(Integral, 1, None, closed="left")],
        "max_train_rows": [Interval(Integral, 2, None, closed="left"), None],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "pickle_weights": ["boolean"],
    }

    def __init__(
        self,
        n_estimators: int = 8,
        checkpoint: str | Path | None = None,
        softmax_temperature: float = 0.9,
        random_state=None,
        device: str = "auto",
        inference_chunk_size: int = 1024,
        max_train_rows: int | None = 1024,
        max_features: int | None = 16,
        pickle_weights: bool = False,
    ):
        self.n_estimators = n_estimators
        self.checkpoint = checkpoint
        self.softmax_temperature = softmax_temperature
        self.random_state = random_state
        self.device = device
        self.inference_chunk_size = inference_chunk_size
        self.max_train_rows = max_train_rows
        self.max_features = max_features
        self.pickle_weights = pickle_weights

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.non_deterministic = False
        return tags

    # ----------------------------------------------------------------------------- fit
    def fit(self, X, y) -> TabPFNLiteClassifier:
        """Learn the preprocessing, encode labels and cache the train rows of every member."""
        self._validate_params()
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        X = as_table(X)
        validate_data(self, X, skip_check_array=True, reset=True)
        y = self._validate_labels(y, X.shape[0])

        self.checkpoint_path_ = Path(self.checkpoint or default_checkpoint_path()).resolve()
        self.weights_ = None  # only an unpickled pickle_weights=True estimator holds weights
        model = self._load_model()
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"y has only 1 class ({self.classes_[0]!r}); a classifier needs at least 2 classes"
            )

        self.preprocessor_ = TablePreprocessor().fit(X)
        X_num = self.preprocessor_.transform(X)
        rng = check_random_state(self.random_state)
        # Output codes carry less than a permutation: K > max_classes gets proportionally more.
        self.n_members_ = self.n_estimators * math.ceil(n_classes / model.cfg.max_classes)
        seeds = rng.randint(0, 2**31 - 1, size=self.n_members_ + 1)
        self.member_transforms_ = [
            self._member_transform(m, int(seeds[m])).fit(X_num) for m in range(self.n_members_)
        ]
        self.feature_orders_ = self._feature_orders(X_num, y_encoded, rng)
        self.class_codes_ = np.stack(
            [class_code(n_classes, model.cfg.max_classes, rng) for _ in range(self.n_members_)]
        )  # (M, K): the network's output class of each class, per member
        self.train_rows_ = self._context_rows(y_encoded, np.arange(len(y_encoded)), rng)
        self.X_train_, self.y_train_ = self._context(X_num, y_encoded, self.train_rows_)
        generator = torch.Generator().manual_seed(int(seeds[-1]))
        self.feature_codes_ = [
            model.sample_feature_codes(1, len(order), generator, orthogonal=True)
            for order in self.feature_orders_
        ]  # per member: (1, T_m, feature_code_dim) or None
        self.ecoc_temperature_ = 1.0
        if n_classes > model.cfg.max_classes:
            self.ecoc_temperature_ = self._fit_ecoc_temperature(model, X_num, y_encoded, rng)
        self._build_cache(model)
        return self

    def _member_transform(self, m: int, seed: int) -> MemberTransform:
        """Member m's transform: raw and quantile inputs alternate; pairs of members alternate
        ordinal and one-hot categories, where the table has categories to one-hot; the second
        four of every eight see a missing category as a level of its own."""
        categorical, n_levels = self.preprocessor_.categorical_mask, self.preprocessor_.n_levels
        encoding = "ordinal"
        if len(onehot_candidates(categorical, n_levels)) > 0:
            encoding = CATEGORICAL_ENCODINGS[(m // len(MEMBER_TRANSFORMS)) % 2]
        kind = MEMBER_TRANSFORMS[m % len(MEMBER_TRANSFORMS)]
        missing_level = (m // 4) % 2 == 1
        return MemberTransform(kind, categorical, seed, encoding, n_levels, missing_level)

    def _feature_orders(self, X_num: np.ndarray, y: np.ndarray, rng) -> list[np.ndarray]:
        """Per member, the columns of its transformed input it sees, in the order it sees them:
        a permutation of all, or for a wide table `max_features` drawn with probabilities that
        favour informative features."""
        orders, relevance = [], {}  # relevance per encoding
        for t in self.member_transforms_:
            n_features = t.n_features_out
            n_kept = min(n_features, self.max_features or n_features)
            if n_kept == n_features:
                orders.append(rng.permutation(n_features))
                continue
            if t.encoding not in relevance:
                relevance[t.encoding] = feature_relevance(t.encode(X_num), y)
            orders.append(rng.choice(n_features, n_kept, replace=False, p=relevance[t.encoding]))
        return orders

    def _context_rows(self, y: np.ndarray, pool: np.ndarray, rng) -> np.ndarray:
        """(M, N') row indices of each member's context: a class-covering subset of `pool`."""
        return np.stack(
            [
                pool[class_covering_subset(y[pool], self.max_train_rows, rng)]
                for _ in range(self.n_members_)
            ]
        )

    def _context(
        self, X_num: np.ndarray, y: np.ndarray, rows: np.ndarray
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Members' context inputs (M of (N', F'_m)) and their labels (M, N') under each
        member's code."""
        labels = np.stack([code[y[r]] for code, r in zip(self.class_codes_, rows, strict=True)])
        return self._member_inputs(X_num, rows), labels

    def _fit_ecoc_temperature(self, model: TabPFN, X_num, y: np.ndarray, rng) -> float:
        """The members of an output code are not independent experts: their summed
        log-probabilities are divided by the temperature that minimises the log loss on 20% of
        the train rows, predicted from members fitted on the other 80%."""
        n = len(y)
        if int(0.8 * n) < len(self.classes_) or n - int(0.8 * n) < 1:
            return ECOC_FALLBACK_TEMPERATURE  # too few rows to hold any out
        pool = class_covering_subset(y, int(0.8 * n), rng)
        held = np.setdiff1d(np.arange(n), pool)
        X_ctx, y_ctx = self._context(X_num, y, self._context_rows(y, pool, rng))
        caches = self._caches(model, X_ctx, y_ctx)
        logits = self._member_logits(model, caches, self._member_inputs(X_num[held]))
        log_p = member_log_proba(logits.double() / self.softmax_temperature, self.class_codes_)
        summed = log_p.sum(0)  # (n_held, K)
        grid = np.geomspace(1, 16, 25)
        losses = [
            -summed.div(t)
            .log_softmax(-1)[torch.arange(len(held)), torch.from_numpy(y[held])]
            .mean()
            .item()
            for t in grid
        ]
        return float(grid[int(np.argmin(losses))])

    def _validate_labels(self, y, n_rows: int) -> np.ndarray:
        y = column_or_1d(y, warn=True)
        if len(y) != n_rows:
            raise ValueError(f"X has {n_rows} rows but y has {len(y)} labels")
        missing = np.asarray(pd.isna(y))
        if missing.any():
            raise ValueError(
                f"y contains {int(missing.sum())} missing label(s) (NaN/None); drop those rows "
                "or give them a label"
            )
        try:
            np.unique(y)
        except TypeError:
            types = sorted({type(v).__name__ for v in y})
            raise TypeError(f"y mixes label types {types}; use labels of one type") from None
        check_classification_targets(y)
        return y

    def _resolved_device(self) -> torch.device:
        if self.device == "auto":
            return torch.device("cuda" if torch.cuda.is_available() else "cpu")
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError("device='cuda' was requested but CUDA is not available")
        return torch.device(self.device)

    def _load_model(self) -> TabPFN:
        if getattr(self, "weights_", None) is not None:  # unpickled with pickle_weights=True
            return model_from_bytes(self.weights_, device=self._resolved_device())
        try:
            weights = (self.checkpoint_path_ / WEIGHTS_FILE).stat()
        except OSError:  # not a checkpoint: load_checkpoint says what is wrong
            return load_checkpoint(self.checkpoint_path_, device=self._resolved_device())[0]
        return shared_model(
            str(self.checkpoint_path_),
            str(self._resolved_device()),
            weights.st_mtime_ns,
            weights.st_size,
        )

    def _member_inputs(self, X_num: np.ndarray, rows: np.ndarray | None = None) -> list[np.ndarray]:
        """(n, F) -> M arrays (n', F'_m) float32: each member's rows (all, or rows[m]),
        transform and features.

        C-contiguous always: reductions over another memory layout (e.g. after unpickling)
        would sum in another order and change the last bits of the predictions."""
        return [
            np.ascontiguousarray(
                t.transform(X_num if rows is None else X_num[rows[m]])[:, order], dtype=np.float32
            )
            for m, (t, order) in enumerate(
                zip(self.member_transforms_, self.feature_orders_, strict=True)
            )
        ]

    def _build_cache(self, model: TabPFN) -> None:
        self.model_ = model
        self.cache_ = self._caches(model, self.X_train_, self.y_train_)

    def _caches(
        self, model: TabPFN, X_ctx: list[np.ndarray], y_ctx: np.ndarray
    ) -> list[TrainCache]:
        """One cache per member: running members one at a time bounds the transient memory."""
        device = next(model.parameters()).device
        return [
            model.build_cache(
                torch.from_numpy(x[None]).to(device),
                torch.from_numpy(y_ctx[m : m + 1]).to(device),
                None if codes is None else codes.to(device),
                storage_dtype=CACHE_DTYPE,
            )
            for m, (x, codes) in enumerate(zip(X_ctx, self.feature_codes_, strict=True))
        ]

    def _member_logits(
        self, model: TabPFN, caches: list[TrainCache], x: list[np.ndarray]
    ) -> torch.Tensor:
        """Members' test inputs (M of (n, F'_m)) -> logits (M, n, max_classes), member by
        member."""
        device = next(model.parameters()).device
        return torch.cat(
            [
                model.predict_from_cache(
                    cache, torch.from_numpy(x_m[None]).to(device), self.inference_chunk_size
                )
                for x_m, cache in zip(x, caches, strict=True)
            ]
        )

    # ----------------------------------------------------------------------------- predict
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_rows, n_classes), columns in the order of `classes_`."""
        check_is_fitted(self)
        X = as_table(X)
        validate_data(self, X, skip_check_array=True, reset=False)
        if self.model_ is None:  # unpickled: weights and cache are not part of the pickle
            self._build_cache(self._load_model())
        x = self._member_inputs(self.preprocessor_.transform(X))
        logits = self._member_logits(self.model_, self.cache_, x)  # (M, n, max_classes)
        return combine_members(
            logits.double() / self.softmax_temperature,
            self.class_codes_,
            self.ecoc_temperature_,
        )

    def predict(self, X) -> np.ndarray:
        """Most probable class for each row, as the original labels."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # ----------------------------------------------------------------------------- pickling
    def __getstate__(self) -> dict:
        # Keep pickles small: the weights are reloaded from `checkpoint_path_` and the cache is
        # rebuilt from the stored member inputs on first use.
        state = self.__dict__.copy()
        if state.get("model_") is not None:
            state["weights_"] = model_to_bytes(self.model_) if self.pickle_weights else None
            state["model_"], state["cache_"] = None, None
        return state


# --------------------------------------------------------------------------------- helpers
@functools.lru_cache(maxsize=4)
def shared_model(path: str, device: str, mtime_ns: int, size: int) -> TabPFN:
    """The checkpoint's network, loaded once per (path, device, weights file version) and shared
    by the estimators that use it: they only read it, and loading and verifying it was a fifth
    of a small table's fit."""
    model, _ = load_checkpoint(path, device=device)
    return model


ECOC_FALLBACK_TEMPERATURE = 2.0  # tables too small to hold rows out for the temperature


def class_code(n_classes: int, n_outputs: int, rng: np.random.RandomState) -> np.ndarray:
    """A random map of the classes onto min(n_classes, n_outputs) network outputs, as balanced
    as possible: a permutation when the classes fit the head, an error-correcting code otherwise."""
    return rng.permutation(n_classes) % n_outputs


def feature_relevance(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sampling probabilities of the features, proportional to their ANOVA F-statistic against
    the labels (missing values at the column mean); every feature keeps a small chance."""
    with warnings.catch_warnings():  # all-missing or constant columns: F = nan -> 0 below
        warnings.simplefilter("ignore", RuntimeWarning)
        filled = np.where(np.isnan(X), np.nan_to_num(np.nanmean(X, axis=0)), X)
        f = np.nan_to_num(f_classif(filled, y)[0], nan=0.0, posinf=0.0)
    f = f + 1e-3 * (f.mean() + 1e-12)
    return f / f.sum()


def class_covering_subset(
    y: np.ndarray, max_rows: int | None, rng: np.random.RandomState
) -> np.ndarray:
    """Sorted indices of a random subset of at most `max_rows` rows with every class present."""
    n = len(y)
    if max_rows is None or n <= max_rows:
        return np.arange(n)
    order = rng.permutation(n)
    _, first = np.unique(y[order], return_index=True)  # one random row of each class
    must = order[first]
    if len(must) > max_rows:
        raise ValueError(
            f"max_train_rows={max_rows} is smaller than the number of classes ({len(must)}); "
            "every class needs at least one train row"
        )
    rest = order[~np.isin(order, must)][: max_rows - len(must)]
    return np.sort(np.concatenate([must, rest]))


def member_log_proba(logits: torch.Tensor, codes: np.ndarray) -> torch.Tensor:
    """Members' logits (M, n, max_classes) and class codes (M, K) -> log P_m(class) (M, n, K):
    each member's output probability, shared equally by the classes mapped to that output."""
    n_outputs = int(codes.max()) + 1
    log_p = logits[..., :n_outputs].cpu().double().log_softmax(-1)  # (M, n, outputs)
    codes_t = torch.from_numpy(codes.astype(np.int64))  # (M, K)
    sharing = torch.stack([torch.bincount(c, minlength=n_outputs)[c] for c in codes_t])  # (M, K)
    index = codes_t[:, None, :].expand(-1, log_p.shape[1], -1)
    return log_p.gather(2, index) - sharing[:, None, :].log()


def combine_members(
    logits: torch.Tensor, codes: np.ndarray, ecoc_temperature: float = 1.0
) -> np.ndarray:
    """Members' logits (M, n, max_classes) and class codes (M, K) -> probabilities (n, K).

    Permutation codes (K <= max_classes): the mean of the members' distributions.
    Error-correcting codes: a product of experts, softmax(sum of log P_m / ecoc_temperature)."""
    per_class = member_log_proba(logits, codes)  # (M, n, K)
    if int(codes.max()) + 1 == codes.shape[1]:
        return per_class.exp().mean(0).numpy()
    return (per_class.sum(0) / ecoc_temperature).softmax(-1).numpy()
