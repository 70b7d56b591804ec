"""Structural causal models that produce a feature matrix and a continuous target.

Every sampler takes a numpy Generator, a number of rows n and of features f, and returns
X (n, f) float64 and z (n,) float64. Classes are made from z in `postprocess`.
"""

from __future__ import annotations

import numpy as np

Rng = np.random.Generator


def loguniform(rng: Rng, lo: float, hi: float) -> float:
    return float(np.exp(rng.uniform(np.log(lo), np.log(hi))))


def log_int(rng: Rng, lo: int, hi: int) -> int:
    """An integer in [lo, hi], log-uniformly distributed (small values more often)."""
    return int(np.clip(np.floor(loguniform(rng, lo, hi + 1)), lo, hi))


def standardize(a: np.ndarray) -> np.ndarray:
    return (a - a.mean(0)) / (a.std(0) + 1e-8)


# ------------------------------------------------------------------------------------ inputs
def sample_inputs(rng: Rng, n: int, k: int) -> np.ndarray:
    """Root causes: normal, uniform, or a per-column mixture with multinomial and Zipf columns."""
    kind = rng.choice(["normal", "uniform", "mixed"], p=[0.4, 0.2, 0.4])
    if kind == "normal":
        return rng.standard_normal((n, k))
    if kind == "uniform":
        return rng.uniform(-1, 1, (n, k))
    cols = np.empty((n, k))
    for j, col_kind in enumerate(rng.choice(4, size=k, p=[0.4, 0.2, 0.25, 0.15])):
        if col_kind == 0:
            cols[:, j] = rng.standard_normal(n)
        elif col_kind == 1:
            cols[:, j] = rng.uniform(-1, 1, n)
        elif col_kind == 2:  # multinomial with 2-20 levels
            levels = rng.integers(2, 21)
            cols[:, j] = rng.choice(levels, size=n, p=rng.dirichlet(np.ones(levels)))
        else:
            cols[:, j] = np.minimum(rng.zipf(rng.uniform(1.5, 3.0), n), 50)
    return standardize(cols)


# ------------------------------------------------------------------------------------ activations
def _random_smooth(rng: Rng):
    """A random smooth 1-d function: a few random sine waves."""
    k = 3
    freq, phase, amp = rng.normal(0, 1.5, k), rng.uniform(0, 2 * np.pi, k), rng.normal(0, 1, k)

    def f(x: np.ndarray) -> np.ndarray:
        return sum(a * np.sin(w * x + p) for w, p, a in zip(freq, phase, amp, strict=True))

    return f


ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0),
    "sin": np.sin,
    "abs": np.abs,
    "square": np.square,
    "sign": np.sign,
    "rbf": lambda x: np.exp(-np.square(x)),
    "identity": lambda x: x,
    "softplus": lambda x: np.logaddexp(0, x),
}
ACTIVATION_NAMES = (*ACTIVATIONS, "smooth")


def sample_activation(rng: Rng):
    name = ACTIVATION_NAMES[rng.integers(len(ACTIVATION_NAMES))]
    return _random_smooth(rng) if name == "smooth" else ACTIVATIONS[name]


# ------------------------------------------------------------------------------------ samplers
def _pick_features_and_target(rng: Rng, nodes: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Causal mode: features are random hidden nodes, the target another node."""
    idx = rng.choice(nodes.shape[1], size=f + 1, replace=False)
    return nodes[:, idx[1:]], nodes[:, idx[0]]


def mlp_scm(rng: Rng, n: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    """A random MLP over root causes, with noise at every node and dropout-masked weights."""
    n_layers = log_int(rng, 2, 8)
    plain = rng.random() < 0.3  # plain mode: features are the causes, target the output
    n_causes = f if plain else log_int(rng, 1, 12)
    width = max(log_int(rng, 4, 130), -(-(f + 1) // n_layers) + 1)
    init_std = loguniform(rng, 0.3, 4.0)
    noise_std = loguniform(rng, 1e-4, 0.3)
    keep = rng.uniform(0.3, 1.0)  # share of weights kept by the dropout mask

    causes = h = sample_inputs(rng, n, n_causes)
    hidden = []
    for layer in range(n_layers):
        out = 1 if plain and layer == n_layers - 1 else width
        w = rng.normal(0, init_std / np.sqrt(h.shape[1]), (h.shape[1], out))
        w *= rng.random(w.shape) < keep
        pre = standardize(h @ w) * init_std
        h = sample_activation(rng)(pre) + rng.normal(0, noise_std, (n, out))
        hidden.append(h)
    if plain:
        return causes, h[:, 0]
    return _pick_features_and_target(rng, np.concatenate(hidden, axis=1), f)


def _oblivious_trees(rng: Rng, h: np.ndarray, out: int) -> np.ndarray:
    """`out` columns, each a sum of 1-4 oblivious trees of depth 1-4 over the columns of h."""
    n, k = h.shape
    n_trees, depth = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    feat = rng.integers(0, k, (out, n_trees, depth))
    thresholds = h[rng.integers(0, n, (out, n_trees, depth)), feat]
    bits = h[:, feat] > thresholds  # (n, out, trees, depth)
    leaf = (bits * (1 << np.arange(depth))).sum(-1)  # (n, out, trees)
    values = rng.standard_normal((out, n_trees, 1 << depth))
    picked = np.take_along_axis(values[None], leaf[..., None], axis=-1)[..., 0]
    return picked.sum(-1)  # (n, out)


def tree_scm(rng: Rng, n: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Layers of shallow axis-aligned trees: piecewise-constant functions, as GBDTs like."""
    n_layers = int(rng.integers(1, 4))
    width = max(log_int(rng, 4, 64), -(-(f + 1) // n_layers) + 1)
    noise_std = loguniform(rng, 1e-3, 0.3)
    h = sample_inputs(rng, n, log_int(rng, 1, 12))
    hidden = [h]
    for _ in range(n_layers):
        h = standardize(_oblivious_trees(rng, h, width)) + rng.normal(0, noise_std, (n, width))
        hidden.append(h)
    return _pick_features_and_target(rng, np.concatenate(hidden, axis=1), f)


def rule_scm(rng: Rng, n: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Rules over mostly categorical columns, as in tic-tac-toe, car evaluation or chess
    endgames: the target is a weighted vote of random conjunctions of 1-3 literals, each
    `column == level` (or its negation) on a categorical column with 2-6 levels, or
    `column > threshold` on a numeric one. Columns no rule reads are noise features."""
    numeric = rng.random(f) < rng.uniform(0.0, 0.5)
    x = np.empty((n, f))
    for j in range(f):
        if numeric[j]:
            x[:, j] = rng.standard_normal(n)
        else:
            levels = int(rng.integers(2, 7))
            x[:, j] = rng.choice(levels, size=n, p=rng.dirichlet(np.full(levels, 2.0)))
    z = np.zeros(n)
    for _ in range(log_int(rng, 1, 24)):
        term = np.ones(n, dtype=bool)
        for j in rng.choice(f, size=min(f, int(rng.integers(1, 4))), replace=False):
            pivot = x[rng.integers(n), j]  # a level, or a threshold at a random row's value
            literal = x[:, j] > pivot if numeric[j] else x[:, j] == pivot
            term &= literal ^ (rng.random() < 0.3)
        z += rng.standard_normal() * term
    return x, z + rng.normal(0, loguniform(rng, 1e-4, 0.3) * (z.std() + 1e-8), n)


def gp_function(rng: Rng, n: int, f: int) -> tuple[np.ndarray, np.ndarray]:
    """A Gaussian-process draw (RBF kernel) approximated by 128 random Fourier features."""
    x = sample_inputs(rng, n, f)
    lengthscale = loguniform(rng, 0.3, 3.0) * np.sqrt(f)
    w = rng.standard_normal((f, 128)) / lengthscale
    b = rng.uniform(0, 2 * np.pi, 128)
    z = np.cos(x @ w + b) @ rng.standard_normal(128)
    return x, z + rng.normal(0, loguniform(rng, 1e-3, 0.3) * z.std(), n)


SAMPLER_FUNCTIONS = {"mlp": mlp_scm, "tree": tree_scm, "gp": gp_function, "rule": rule_scm}
