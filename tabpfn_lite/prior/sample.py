"""One classification dataset from the prior: sizes -> SCM -> classes, categoricals, missing
values, clipping, standardisation, permutations -> validation (invalid draws are re-drawn)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import SAMPLERS, PriorConfig
from .scm import SAMPLER_FUNCTIONS, Rng

MAX_DRAWS = 100


@dataclass
class Dataset:
    x: np.ndarray  # (n, f) float32, NaN = missing
    y: np.ndarray  # (n,) float32 class index in 0..num_classes-1
    single_eval_pos: int  # rows before it are train rows
    num_classes: int
    prior_type: int  # index into SAMPLERS


def dataset_rng(seed: int, index: int) -> Rng:
    """Dataset `index` depends only on (seed, index), whatever the number of workers."""
    return np.random.default_rng([seed, index])


def sample_table_shape(cfg: PriorConfig, seed: int, index: int) -> tuple[int, int, int]:
    """Rows, features and split position, shared by the `size_group` datasets of a group."""
    rng = np.random.default_rng([seed, index // cfg.size_group, 1])
    n = int(rng.integers(cfg.min_rows, cfg.max_rows + 1))
    f = int(rng.integers(cfg.min_features, cfg.max_features + 1))
    n_train = int(round(rng.uniform(*cfg.train_fraction) * n))
    return n, f, int(np.clip(n_train, 2, n - 1))


def sample_num_classes(rng: Rng, cfg: PriorConfig) -> int:
    if cfg.max_classes == 2 or rng.random() < cfg.binary_prob:
        return 2
    return int(rng.integers(3, cfg.max_classes + 1))


def target_to_classes(rng: Rng, z: np.ndarray, k: int) -> np.ndarray:
    """Thresholds at the values of random rows ("rank") or at N(0, 1) draws ("value") of the
    z-scored target; empty classes are dropped and the rest permuted."""
    z = (z - z.mean()) / (z.std() + 1e-8)
    if rng.random() < 0.5:
        thresholds = z[rng.choice(len(z), size=k - 1, replace=False)]
    else:
        thresholds = rng.standard_normal(k - 1)
    y = np.searchsorted(np.sort(thresholds), z)
    _, y = np.unique(y, return_inverse=True)  # consecutive labels
    return rng.permutation(y.max() + 1)[y]


def make_categorical(rng: Rng, x: np.ndarray) -> None:
    """Turn a random share of the columns into integer codes with a random number of levels."""
    share = rng.uniform(0.1, 1.0)
    for j in np.flatnonzero(rng.random(x.shape[1]) < share):
        levels = int(np.clip(rng.gamma(1.0, 10.0), 2, 30))
        cuts = np.quantile(x[:, j], np.sort(rng.random(levels - 1)))
        x[:, j] = rng.permutation(levels)[np.searchsorted(cuts, x[:, j])]


def add_missing(rng: Rng, x: np.ndarray, max_rate: float) -> None:
    """MCAR or value-dependent missingness, at a random rate up to `max_rate`, on a random share
    of the columns."""
    rate = rng.uniform(min(0.01, max_rate), max_rate)
    cols = np.flatnonzero(rng.random(x.shape[1]) < rng.uniform(0.2, 1.0))
    for j in cols:
        if rng.random() < 0.5:
            p = np.full(len(x), rate)
        else:  # larger (or smaller) values are more likely to be missing
            s = (x[:, j] - x[:, j].mean()) / (x[:, j].std() + 1e-8) * rng.choice([-2.0, 2.0])
            p = rate * 2 / (1 + np.exp(-s))
        mask = rng.random(len(x)) < p
        mask[rng.integers(len(x))] = False  # never a fully missing column
        x[mask, j] = np.nan


def clip_and_standardize(x: np.ndarray, n_train: int, clip_sigma: float) -> np.ndarray:
    mean = np.nanmean(x[:n_train], 0)
    std = np.nanstd(x[:n_train], 0) + 1e-8
    return np.clip((x - mean) / std, -clip_sigma, clip_sigma)


def is_valid(x: np.ndarray, y: np.ndarray, n_train: int) -> bool:
    train, test = y[:n_train], y[n_train:]
    if np.isnan(y).any() or len(np.unique(train)) < 2:
        return False
    if not np.isin(test, train).all():
        return False
    with np.errstate(invalid="ignore"):
        return bool((np.nanstd(x[:n_train], 0) > 1e-6).any())


def sample_dataset(cfg: PriorConfig, seed: int, index: int) -> Dataset:
    rng = dataset_rng(seed, index)
    names = list(cfg.mixture)
    weights = np.array([cfg.mixture[s] for s in names], dtype=float)
    n, f, n_train = sample_table_shape(cfg, seed, index)
    for _ in range(MAX_DRAWS):
        k = sample_num_classes(rng, cfg)
        sampler = names[rng.choice(len(names), p=weights / weights.sum())]
        x, z = SAMPLER_FUNCTIONS[sampler](rng, n, f)
        y = target_to_classes(rng, z, k)
        x = x[:, rng.permutation(f)]
        if rng.random() < cfg.categorical_prob:
            make_categorical(rng, x)
        x = clip_and_standardize(x, n_train, cfg.clip_sigma)
        if rng.random() < cfg.missing_prob:
            add_missing(rng, x, cfg.max_missing_rate)
        if is_valid(x, y.astype(float), n_train):
            return Dataset(
                x.astype(np.float32),
                y.astype(np.float32),
                n_train,
                int(y.max()) + 1,
                SAMPLERS.index(sampler),
            )
    raise RuntimeError(f"no valid dataset after {MAX_DRAWS} draws (seed={seed}, index={index})")
