"""DataFrame/array -> float matrix (numeric as is, bool 0/1, categorical/string as codes, missing
as NaN), and the per-ensemble-member input transforms."""

from __future__ import annotations

import warnings
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils import check_array

MEMBER_TRANSFORMS = ("none", "quantile")
CATEGORICAL_ENCODINGS = ("ordinal", "onehot")
# One-hot encoding applies to categorical columns with this many levels (2 levels: the code is
# already an indicator; many levels: the indicators would crowd out the other features).
ONEHOT_LEVELS = (3, 10)
# Numeric values further than this many (robust) standard deviations from the (robust) mean are
# pulled in logarithmically before a member sees them.
OUTLIER_SIGMAS = 4.0
OUTLIER_STATS_ROWS = 10_000  # the robust mean and std are estimated on at most this many rows


def as_table(X) -> pd.DataFrame | np.ndarray:
    """DataFrames pass through; anything else becomes a 2-d array (object dtype kept) with
    scikit-learn's standard errors for 1-d, 3-d, sparse, complex and empty input."""
    if isinstance(X, pd.DataFrame):
        if X.shape[0] == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        if X.shape[1] == 0:
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum of 1 is required."
            )
        return X
    return check_array(X, dtype=None, ensure_all_finite=False, ensure_min_samples=1)


def _column_kind(col: pd.Series) -> str:
    """'numeric', 'datetime' or 'categorical' for one column."""
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype | pd.StringDtype):
        return "categorical"
    if pd.api.types.is_complex_dtype(dtype):
        raise TypeError(f"column {col.name!r} holds complex numbers, which are not supported")
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_object_dtype(dtype):
        values = col[col.notna()]
        if any(isinstance(v, complex) for v in values):
            raise TypeError(f"column {col.name!r} holds complex numbers, which are not supported")
        bad = next((v for v in values if not isinstance(v, str | Real | np.bool_)), None)
        if bad is not None:
            raise TypeError(
                f"argument must be a string or a number: column {col.name!r} holds a "
                f"{type(bad).__name__} ({bad!r:.50})"
            )
        return "numeric" if all(isinstance(v, Real | np.bool_) for v in values) else "categorical"
    raise TypeError(f"column {col.name!r} has unsupported dtype {dtype}")


def _to_frame(X: pd.DataFrame | np.ndarray) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True).set_axis(range(X.shape[1]), axis=1)
    return pd.DataFrame(X)


def category_order(col: pd.Series) -> list:
    """The categories present in a column, in the order that becomes their codes: a pandas
    Categorical's own order (the user's, e.g. low < medium < high, or a file's); otherwise numbers
    by value, then text sorted. The network reads a code as a number, so a meaningful order helps
    it, and sorting '10' before '2' would scramble one."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return list(col.cat.remove_unused_categories().cat.categories)
    present = col[col.notna()].unique()
    return sorted(present, key=lambda v: (0, v, "") if isinstance(v, Real) else (1, 0, str(v)))


class TablePreprocessor:
    """Learns column kinds and category codes on the train table; transforms any table with the
    same columns to float64 with NaN for missing values.

    Categories become codes 0, 1, ... in `category_order`; one unseen in fit becomes missing
    (NaN)."""

    def fit(self, X: pd.DataFrame | np.ndarray) -> TablePreprocessor:
        frame = _to_frame(X)
        self.kinds_ = [_column_kind(frame[c]) for c in frame.columns]
        self.categories_ = {}
        for j, kind in enumerate(self.kinds_):
            if kind == "categorical":
                self.categories_[j] = {v: i for i, v in enumerate(category_order(frame[j]))}
        return self

    @property
    def categorical_mask(self) -> np.ndarray:
        return np.array([k == "categorical" for k in self.kinds_])

    @property
    def n_levels(self) -> np.ndarray:
        """Categories seen in fit per column (0 for numeric and datetime columns)."""
        return np.array([len(self.categories_.get(j, ())) for j in range(len(self.kinds_))])

    def transform(self, X: pd.DataFrame | np.ndarray) -> np.ndarray:
        frame = _to_frame(X)
        out = np.empty(frame.shape, dtype=np.float64)
        for j, kind in enumerate(self.kinds_):
            col = frame[j]
            if kind == "categorical":
                out[:, j] = col.map(self.categories_[j]).astype(float).to_numpy()
            elif kind == "datetime":
                seconds = pd.to_datetime(col).astype("int64").astype(float) / 1e9
                out[:, j] = np.where(col.isna(), np.nan, seconds)
            else:
                try:
                    out[:, j] = pd.to_numeric(col, errors="raise").astype(float).to_numpy()
                except (TypeError, ValueError) as e:
                    raise ValueError(
                        f"column {j} was numeric in fit but holds non-numeric values now: {e}"
                    ) from None
        if np.isinf(out).any():
            cols = np.flatnonzero(np.isinf(out).any(0)).tolist()
            raise ValueError(
                f"Input X contains infinity in column(s) {cols}; replace it by NaN "
                "(missing) or a finite value"
            )
        return out


def robust_mean_std(
    X: np.ndarray, n_sigmas: float, max_passes: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and std of the finite values left after repeatedly dropping those further
    than n_sigmas stds from the mean (until none is dropped): (F,) each.

    Repeated, because one extreme value inflates the scale by which smaller outliers are judged."""
    inner = np.where(np.isfinite(X), X, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN
        for _ in range(max_passes):
            mean, std = np.nanmean(inner, axis=0), np.nanstd(inner, axis=0)
            outside = np.abs(inner - mean) > n_sigmas * std
            if not outside.any():
                break
            inner = np.where(outside, np.nan, inner)
    return np.nan_to_num(mean), np.nan_to_num(std)


def soften_outliers(
    X: np.ndarray, mean: np.ndarray, std: np.ndarray, n_sigmas: float
) -> np.ndarray:
    """Values within mean +- n_sigmas * std unchanged; beyond, z = n + log(1 + |z| - n) in units
    of std. Monotone and continuous, so order and ties are kept; NaN stays NaN."""
    scale = np.where(std > 0, std, 1.0)
    z = (X - mean) / scale
    excess = np.where(std > 0, np.maximum(np.abs(z) - n_sigmas, 0.0), 0.0)  # constant: none
    softened = mean + np.sign(z) * (n_sigmas + np.log1p(excess)) * scale
    return np.where(excess > 0, softened, X)


QUANTILE_BOUNDS = 1e-7  # scikit-learn's BOUNDS_THRESHOLD: values this close to an end map onto it
NORMAL_SCORE_RANGE = (
    stats.norm.ppf(QUANTILE_BOUNDS - np.spacing(1)),
    stats.norm.ppf(1 - (QUANTILE_BOUNDS - np.spacing(1))),
)  # where scikit-learn clips normal scores


def onehot_candidates(categorical: np.ndarray, n_levels: np.ndarray) -> np.ndarray:
    """Indices of the categorical columns with a number of levels in ONEHOT_LEVELS."""
    low, high = ONEHOT_LEVELS
    return np.flatnonzero(categorical & (n_levels >= low) & (n_levels <= high))


class MemberTransform:
    """The input transform of one ensemble member, fitted on the train rows.

    Numeric columns first have their outliers softened (`soften_outliers`, bounds learned on the
    train rows), so a few extreme values do not squeeze the others together once the network
    standardises the column. kind: 'none' or 'quantile' (numeric columns then mapped to normal
    scores). encoding: 'ordinal'
    (categorical codes as they are) or 'onehot' (each categorical column with ONEHOT_LEVELS
    levels replaced by one indicator per level, appended at the end; a missing or unseen
    category sets none of them). missing_level: a missing (or unseen) category becomes a level of
    its own, code n_levels, instead of a missing value. Members that see the categories
    differently disagree where one view is hard for the network, e.g. many small ordinal codes
    with no order, or missing values that carry information."""

    def __init__(
        self,
        kind: str,
        categorical: np.ndarray,
        random_state: int,
        encoding: str = "ordinal",
        n_levels: np.ndarray | None = None,
        missing_level: bool = False,
    ):
        if kind not in MEMBER_TRANSFORMS:
            raise ValueError(f"unknown member transform {kind!r}; use one of {MEMBER_TRANSFORMS}")
        if encoding not in CATEGORICAL_ENCODINGS:
            raise ValueError(
                f"unknown categorical encoding {encoding!r}; use one of {CATEGORICAL_ENCODINGS}"
            )
        self.kind, self.categorical, self.random_state = kind, categorical, random_state
        self.encoding, self.missing_level = encoding, missing_level
        self.n_levels = np.zeros(len(categorical), int) if n_levels is None else n_levels

    @property
    def onehot_columns(self) -> np.ndarray:
        """Indices of the columns this member one-hot encodes."""
        if self.encoding != "onehot":
            return np.array([], dtype=int)
        return onehot_candidates(self.categorical, self.n_levels)

    @property
    def n_features_out(self) -> int:
        onehot = self.onehot_columns
        return len(self.categorical) - len(onehot) + int(self.n_levels[onehot].sum())

    def fit(self, X: np.ndarray) -> MemberTransform:
        numeric = X[:, ~self.categorical]
        if len(numeric) > OUTLIER_STATS_ROWS:
            rng = np.random.default_rng(self.random_state)
            numeric = numeric[rng.choice(len(numeric), OUTLIER_STATS_ROWS, replace=False)]
        self.mean_, self.std_ = robust_mean_std(numeric, OUTLIER_SIGMAS)
        if self.kind == "quantile" and numeric.shape[1] > 0:
            quantile = QuantileTransformer(
                n_quantiles=max(2, min(1000, X.shape[0])),
                output_distribution="uniform",  # normal scores in `_normal_scores`
                random_state=self.random_state,
            )
            with warnings.catch_warnings():
                # An all-missing column has no quantiles; it stays missing, which the network sees.
                warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)
                self.quantile_ = quantile.fit(self._numeric(X))
        return self

    def _numeric(self, X: np.ndarray) -> np.ndarray:
        """The numeric columns with their outliers softened."""
        return soften_outliers(X[:, ~self.categorical], self.mean_, self.std_, OUTLIER_SIGMAS)

    def transform(self, X: np.ndarray) -> np.ndarray:
        """(n, F) preprocessed table -> (n, n_features_out)."""
        numeric = self._numeric(X)
        if self.kind == "quantile" and numeric.shape[1] > 0:
            numeric = self._normal_scores(numeric)
        out = X.copy()
        out[:, ~self.categorical] = numeric
        if self.missing_level:
            codes = out[:, self.categorical]
            out[:, self.categorical] = np.where(
                np.isnan(codes), self.n_levels[self.categorical], codes
            )
        return self.encode(out)

    def _normal_scores(self, numeric: np.ndarray) -> np.ndarray:
        """QuantileTransformer(output_distribution="normal")'s output, computed from the uniform
        one with one `norm.ppf` call for the whole array instead of three per column (the same
        bounds rule and clipping, so the same numbers; the per-column calls were a third of a
        small table's fit + predict)."""
        uniform = self.quantile_.transform(numeric)
        lowest, highest = self.quantile_.quantiles_[0], self.quantile_.quantiles_[-1]
        with np.errstate(invalid="ignore"):  # NaN compares False and stays NaN
            uniform = np.where(numeric + QUANTILE_BOUNDS > highest, 1.0, uniform)
            uniform = np.where(numeric - QUANTILE_BOUNDS < lowest, 0.0, uniform)
            return np.clip(stats.norm.ppf(uniform), *NORMAL_SCORE_RANGE)

    def encode(self, X: np.ndarray) -> np.ndarray:
        """The categorical encoding alone: (n, F) -> (n, n_features_out)."""
        onehot = self.onehot_columns
        if len(onehot) == 0:
            return X
        indicators = [
            (X[:, [j]] == np.arange(self.n_levels[j])).astype(X.dtype) for j in onehot
        ]  # NaN (missing or unseen) equals no level
        return np.concatenate([np.delete(X, onehot, axis=1), *indicators], axis=1)
