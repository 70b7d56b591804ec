"""Analysis of a growth study: loss-vs-compute curves, speedups, scaling-law fits, plots.

speedup(budget) = compute scratch spends to reach its loss at that budget
                  / compute the grown run spends to reach the same loss,
computed per seed on the running minimum of the held-out loss (interpolated in log compute),
with the grown run's compute counted with and without the base model's own training.
"""

from __future__ import annotations

import itertools
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import minimize

from ..plotting import pyplot
from .study import (
    ANNEALED,
    OPERATORS,
    SCRATCH,
    SERIES,
    SIZE_SERIES,
    annealed_budget,
    base_run_id,
)

BUDGETS_TPP = (5, 10, 20, 50, 100, 200, 400)  # target cell-tokens per target parameter


# ------------------------------------------------------------------------------------ curves
def run_flops(row: dict) -> float:
    """Training FLOPs up to a log row: counted ones, else the 6 x parameters x cell-tokens
    approximation (which leaves attention out)."""
    if row.get("flops") is not None:
        return float(row["flops"])
    return 6.0 * row["parameters"] * row["cell_tokens"]


def control_run(spec: dict) -> str | None:
    """The scratch run a run is compared with: its own id for a scratch run, None for a base;
    studies written before `control` existed had one scratch run per (base, seed, g)."""
    if spec["operator"] == "base":
        return None
    if spec["operator"] == SCRATCH:
        return spec["id"]
    return spec.get("control") or spec["id"].rsplit("/", 1)[0] + "/" + SCRATCH


def with_controls(curve: pd.DataFrame) -> pd.DataFrame:
    """The curve with its `control` column (derived from the run ids for older curves.csv)."""
    if "control" in curve:
        return curve
    specs = curve[["run", "operator"]].rename(columns={"run": "id"}).to_dict("records")
    return curve.assign(control=[control_run(spec) for spec in specs])


def curves(runs: list[dict]) -> pd.DataFrame:
    """One row per evaluation (step 0 included): run id, its scratch control, the run it was
    grown from (base_run), base, seed, g, operator, parameters, cell_tokens, flops (this run),
    base_flops (the base_run's training), eval_loss, auc (mean over the real sets).

    flops: as logged by training (attention included, model/flops.py); runs logged before that
    count fall back to 6 x parameters x cell-tokens, and `flops_counted` says which."""
    cost = {r["spec"]["id"]: run_flops(r["log"][-1]) for r in runs}
    rows = []
    for r in runs:
        spec = r["spec"]
        n_params = r["log"][-1]["parameters"]
        points = [{"step": 0, "cell_tokens": 0, **r["initial_eval"]}]
        points += [row for row in r["log"] if "eval_loss" in row]
        for p in points:
            aucs = [v for k, v in p.items() if k.startswith("eval_auc_")]
            rows.append(
                {
                    "run": spec["id"],
                    "control": control_run(spec),
                    "base_run": spec["base_run"],
                    "base": spec["base"],
                    "seed": spec["seed"],
                    "g": spec["g"],
                    "operator": spec["operator"],
                    "parameters": n_params,
                    "step": p["step"],
                    "cell_tokens": p["cell_tokens"],
                    "flops": run_flops({"parameters": n_params, **p}),
                    "flops_counted": p.get("flops") is not None or p["step"] == 0,
                    "base_flops": (cost.get(spec["base_run"], np.nan) if spec["base_run"] else 0.0),
                    "eval_loss": p["eval_loss"],
                    "auc": float(np.mean(aucs)) if aucs else np.nan,
                }
            )
    return pd.DataFrame(rows)


def standard_error(values) -> float:
    """Standard error of the mean of `values` (nan for fewer than 2)."""
    values = np.asarray(values, float)
    return float(values.std(ddof=1) / np.sqrt(values.size)) if values.size > 1 else np.nan


def compute_to_reach(flops: np.ndarray, loss: np.ndarray, target: float) -> float:
    """First compute at which the running-minimum loss reaches `target` (log-linear
    interpolation between evaluations); inf if it never does."""
    best = np.minimum.accumulate(loss)
    hit = np.flatnonzero(best <= target)
    if not len(hit):
        return np.inf
    i = hit[0]
    if i == 0:
        return float(flops[0])
    frac = (best[i - 1] - target) / (best[i - 1] - best[i])
    if flops[i - 1] <= 0:  # between the untrained start and the first evaluation: linear
        return float(frac * flops[i])
    lo, hi = np.log(flops[i - 1]), np.log(flops[i])
    return float(np.exp(lo + frac * (hi - lo)))


def loss_at(flops: np.ndarray, loss: np.ndarray, budget: float) -> float:
    """Running-minimum loss after `budget` compute (interpolated in log compute)."""
    best = np.minimum.accumulate(loss)
    x = np.log(np.maximum(flops, 1.0))
    return float(np.interp(np.log(budget), x, best))


def speedups(curve: pd.DataFrame, budgets_tpp=BUDGETS_TPP) -> pd.DataFrame:
    """Per (base, g, operator, seed, budget): scratch's loss at the budget and the speedup of the
    grown run in reaching it, with and without the base model's training.

    speedup = compute scratch needs to reach its (running-minimum) loss at the budget / compute
    the grown run needs to reach the same loss. Budgets before scratch's first evaluation are
    left out (there would be nothing but interpolation from the untrained start)."""
    rows = []
    targets = with_controls(curve)
    targets = targets[(targets["operator"] != "base") & ~targets["base"].isin(SIZE_SERIES)]
    grown = targets[targets["operator"] != SCRATCH]
    for (control, op), run in grown.groupby(["control", "operator"]):
        scratch = targets[targets["run"] == control].sort_values("step")
        if scratch.empty:
            continue
        s_flops, s_loss = scratch["flops"].to_numpy(), scratch["eval_loss"].to_numpy()
        s_tokens = scratch["cell_tokens"].to_numpy()
        first_eval = s_tokens[s_tokens > 0].min()
        n = scratch["parameters"].iloc[0]
        run = run.sort_values("step")
        flops, loss = run["flops"].to_numpy(), run["eval_loss"].to_numpy()
        for tpp in budgets_tpp:
            tokens = tpp * n  # the budget: tpp cell-tokens per parameter of the target ...
            if not first_eval <= tokens <= s_tokens.max() * 1.0001:
                continue
            budget = float(np.interp(tokens, s_tokens, s_flops))  # ... in scratch's FLOPs
            target = loss_at(s_flops, s_loss, budget)
            scratch_compute = compute_to_reach(s_flops, s_loss, target)
            grown_compute = compute_to_reach(flops, loss, target)
            base_flops = run["base_flops"].iloc[0]
            rows.append(
                {
                    "base": run["base"].iloc[0],
                    "g": run["g"].iloc[0],
                    "operator": op,
                    "seed": run["seed"].iloc[0],
                    "budget_tpp": tpp,
                    "scratch_loss": target,
                    "grown_loss": loss_at(flops, loss, budget),
                    "speedup": np.divide(scratch_compute, grown_compute),
                    "speedup_with_base": np.divide(scratch_compute, grown_compute + base_flops),
                }
            )
    return pd.DataFrame(rows)


def speedup_table(sp: pd.DataFrame) -> pd.DataFrame:
    """Median, min and max over seeds. A run that never reached scratch's loss has speedup 0;
    one that started below it (no training needed) has speedup inf."""
    return (
        sp.groupby(["base", "g", "operator", "budget_tpp"])
        .agg(
            speedup=("speedup", "median"),
            speedup_min=("speedup", "min"),
            speedup_max=("speedup", "max"),
            speedup_with_base=("speedup_with_base", "median"),
            seeds=("seed", "nunique"),
            scratch_loss=("scratch_loss", "mean"),
            grown_loss=("grown_loss", "mean"),
        )
        .reset_index()
    )


def bound_by_budget(sp: pd.DataFrame, min_g: int = 3) -> pd.DataFrame:
    """The bound on g per (base, budget) with `min_g` or more g measured: the median speedup with
    the base model's training charged (over operators and seeds) at each g, and `bound`, the
    largest g whose median is >= 1 when a larger g's is below 1 (0: growing pays at no g; NaN:
    it still pays at the largest g tried, so no bound is measured); beyond it, how many of the
    (g, operator, seed) cases lose to scratch and a one-sided sign test's p-value for that.

    One budget at a time: pooled over budgets, a large g would look better than it is, since the
    largest targets reach only the small budgets, where growing pays most."""
    rows = []
    for (base, budget), cell in sp.groupby(["base", "budget_tpp"]):
        median = cell.groupby("g")["speedup_with_base"].median()
        if len(median) < min_g:
            continue
        pays = median[median >= 1]
        bound = np.nan if median.iloc[-1] >= 1 else (pays.index.max() if len(pays) else 0)
        beyond = cell[cell["g"] > bound]["speedup_with_base"]  # empty where no bound
        losing = int((beyond < 1).sum())
        rows.append(
            {"base": base, "budget_tpp": budget}
            | {f"g={g}": v for g, v in median.items()}
            | {
                "cases": len(cell),
                "bound": bound,
                "losing_beyond": f"{losing}/{len(beyond)}" if len(beyond) else "",
                # One-sided sign test: do more cases beyond the bound lose than chance would?
                "p_beyond": stats.binomtest(losing, len(beyond), alternative="greater").pvalue
                if len(beyond)
                else np.nan,
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    g_columns = sorted((c for c in table if c.startswith("g=")), key=lambda c: int(c[2:]))
    return table[["base", "budget_tpp", *g_columns, "cases", "bound", "losing_beyond", "p_beyond"]]


# ------------------------------------------------------------------------------------ scaling law
@dataclass
class ScalingLaw:
    """L(N, D) = E + A / N^alpha + B / D^beta."""

    E: float
    A: float
    alpha: float
    B: float
    beta: float

    def __call__(self, n, d) -> np.ndarray:
        n, d = np.asarray(n, float), np.asarray(d, float)
        return self.E + self.A / n**self.alpha + self.B / d**self.beta


@dataclass
class KaplanLaw:
    """L(N, D) = E + ((N_c / N)^(alpha_N / alpha_D) + D_c / D)^alpha_D: Kaplan et al. (2020)'s
    law (their eq. 1.5) with an irreducible loss E. Unlike `ScalingLaw` it does not separate: the
    gain from a larger model grows with D (a model is data-limited first), so it can bend one way
    at small N and another at large N."""

    E: float
    N_c: float
    alpha_N: float
    D_c: float
    alpha_D: float

    def __call__(self, n, d) -> np.ndarray:
        n, d = np.asarray(n, float), np.asarray(d, float)
        inner = (self.N_c / n) ** (self.alpha_N / self.alpha_D) + self.D_c / d
        return self.E + inner**self.alpha_D


Law = ScalingLaw | KaplanLaw


# alpha and beta are fitted within these. The upper bound is wide enough that no fit of the v2
# study reaches it: at 2, the scratch fit's bootstrap interval for alpha was cut off there.
EXPONENT_BOUNDS = (0.0, 3.0)


NEAR_BOUND = 0.05  # an exponent this close to 0 or to its upper bound is degenerate
# A size term that moves the predicted loss by less than this share of the mean loss over the
# observed sizes says that size does not matter, whatever its exponent (a tiny A or B lets an
# exponent sit anywhere).
MIN_TERM_SHARE = 0.005
# Fits whose objective is within NEAR_OPTIMUM (relative) of the best one explain the data as well;
# if the exponent values such fits allow span more than EXPONENT_SPREAD, the data do not fix it.
NEAR_OPTIMUM = 0.01
EXPONENT_SPREAD = 0.25


def degenerate_fit(
    law: dict,
    near: float = NEAR_BOUND,
    floor: float = 1e-6,
    exponents: tuple[str, ...] = ("alpha", "beta"),
) -> list[str]:
    """Why a fitted law says nothing about model or data size (empty when it is usable): an
    exponent at a bound of its range or near zero, or an irreducible loss E of about zero."""
    low, high = EXPONENT_BOUNDS
    reasons = []
    for name in exponents:
        if law[name] < low + near:
            reasons.append(f"{name} = {law[name]:.3g} (near zero)")
        elif law[name] > high - near:
            reasons.append(f"{name} = {law[name]:.3g} (at its bound {high})")
    if law["E"] < floor:
        reasons.append(f"E = {law['E']:.2g} (no irreducible loss)")
    return reasons


def negligible_terms(
    law: ScalingLaw, points: pd.DataFrame, min_share: float = MIN_TERM_SHARE
) -> list[str]:
    """The size terms (A / N^alpha, B / D^beta) that barely move the predicted loss over the
    observed range of N or D: each such term's span as a share of the mean observed loss."""
    reasons = []
    mean_loss = float(points["loss"].mean())
    for name, coef, size in (("alpha", law.A, points["N"]), ("beta", law.B, points["D"])):
        exponent = getattr(law, name)
        span = coef * (float(size.min()) ** -exponent - float(size.max()) ** -exponent)
        if span < min_share * mean_loss:
            reasons.append(
                f"{name}'s term moves the loss by {span / mean_loss:.2%} over the observed sizes "
                "(size does not matter)"
            )
    return reasons


# The objective is the mean Huber loss in units of delta^2 (order 1), and L-BFGS runs until the
# objective stops moving at float precision: with scipy's default tolerances on the raw sum (about
# 1e-3) it stopped early along the flat valley between alpha and A, so the same points in another
# order gave alpha 0.61 or 0.70.
_LBFGS_OPTIONS = {"ftol": 1e-14, "gtol": 1e-10, "maxiter": 20_000}


def _huber(r: np.ndarray, delta: float) -> tuple[float, np.ndarray]:
    """The mean Huber loss of the residuals r in units of delta^2, and its gradient in r."""
    quad = np.minimum(np.abs(r), delta)
    value = np.mean(0.5 * quad**2 + delta * (np.abs(r) - quad)) / delta**2
    return float(value), np.clip(r, -delta, delta) / (len(r) * delta**2)


def _huber_objective(n, d, loss, delta: float):
    """The fit's objective of theta = (log E, log A, alpha, log B, beta) and its gradient."""
    log_n, log_d, log_l = (np.log(np.asarray(x, float)) for x in (n, d, loss))

    def objective(theta) -> tuple[float, np.ndarray]:
        e, a, alpha, b, beta = theta
        terms = np.stack([np.full_like(log_n, e), a - alpha * log_n, b - beta * log_d])  # (3, P)
        pred = np.logaddexp.reduce(terms, axis=0)  # (P,)
        value, dr = _huber(pred - log_l, delta)  # dr: (P,)
        w = np.exp(terms - pred)  # (3, P): d pred / d term, the softmax weight of that term
        grad = [dr @ w[0], dr @ w[1], -dr @ (w[1] * log_n), dr @ w[2], -dr @ (w[2] * log_d)]
        return value, np.array(grad)

    return objective


def _minimise(objective, init, bounds, law_type: type = ScalingLaw) -> tuple[float, Law]:
    """One L-BFGS minimisation from `init` (the fit's parametrisation, `_log_theta`):
    (objective, law)."""
    res = minimize(
        objective,
        np.asarray(init, float),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options=_LBFGS_OPTIONS,
    )
    log_c0, log_c1, exponent1, log_c2, exponent2 = res.x
    law = law_type(
        float(np.exp(log_c0)),
        float(np.exp(log_c1)),
        float(exponent1),
        float(np.exp(log_c2)),
        float(exponent2),
    )
    return float(res.fun), law


_FREE = (None, None)
_EXPONENT_INDEX = {"alpha": 2, "beta": 4}


_BOUNDS = [_FREE, _FREE, EXPONENT_BOUNDS, _FREE, EXPONENT_BOUNDS]  # (log E, log A, alpha, ...)
# The grid of starts: (log E, log A, alpha, log B, beta).
_STARTS = tuple(itertools.product((-1.0, -0.3), (0.0, 5.0), (0.2, 0.6), (0.0, 5.0), (0.2, 0.6)))


def fit_scaling_law(n, d, loss, delta: float = 1e-3, inits=None) -> ScalingLaw:
    """Chinchilla-style fit: Huber loss between log predicted and log observed loss, minimised
    with L-BFGS from a grid of initialisations (or the given ones); returns the best."""
    return best_fit(local_fits(n, d, loss, delta, inits))[1]


def best_fit(fits: list[tuple[float, Law]]) -> tuple[float, Law]:
    """The (objective, law) of the lowest objective."""
    return min(fits, key=lambda fit: fit[0])


def local_fits(n, d, loss, delta: float = 1e-3, inits=None) -> list[tuple[float, ScalingLaw]]:
    """`fit_scaling_law`'s minimisation from each initialisation: (objective, law) per start."""
    objective = _huber_objective(n, d, loss, delta)
    starts = _STARTS if inits is None else inits
    return [_minimise(objective, init, _BOUNDS) for init in starts]


def _refit_held(
    objective, index: int, value: float, starts, bounds, limit: float, law_type: type = ScalingLaw
) -> np.ndarray | None:
    """The parameters (`_log_theta`) of the first refit from `starts` with parameter `index` held
    at `value` whose objective is within `limit`, or None when none is."""
    bounds = list(bounds)
    bounds[index] = (value, value)
    for start in starts:
        init = np.array(start, float)
        init[index] = value
        obj, refit = _minimise(objective, init, bounds, law_type)
        if obj <= limit:
            return np.array(_log_theta(refit))
    return None


def profile_interval(
    points: pd.DataFrame,
    fits: list[tuple[float, ScalingLaw]],
    name: str,
    tolerance: float = NEAR_OPTIMUM,
    step: float = 0.01,
    resolution: float = 1e-3,
    delta: float = 1e-3,
) -> tuple[float, float]:
    """The values of exponent `name` at which the law, refitted with that exponent held fixed,
    is within `tolerance` (relative) of the best of `fits` (`local_fits` on these points).

    Walked outwards from the best value up to the exponent's bounds, each refit starting from
    its neighbour, the step doubling from `step` up to 8 x `step` while the fits stay within;
    a value that seems to leave the interval is refitted from the grid of starts too before the
    step is halved, until it is below `resolution`. Fits from other starts within the tolerance
    widen the interval to their values (a second valley)."""
    objective = _huber_objective(points["N"], points["D"], points["loss"], delta)
    index = _EXPONENT_INDEX[name]
    best_objective, law = best_fit(fits)
    limit = best_objective * (1 + tolerance) + 1e-12
    low, high = EXPONENT_BOUNDS

    def refit_at(value: float, starts) -> np.ndarray | None:
        return _refit_held(objective, index, value, starts, _BOUNDS, limit)

    # The grid of starts with this exponent held: starts that differ only in it are one.
    starts = {tuple(np.delete(start, index)) for start in _STARTS}
    starts = [np.insert(start, index, 0.0) for start in sorted(starts)]
    ends = []
    for direction in (-1.0, 1.0):
        theta, value, move = np.array(_log_theta(law)), getattr(law, name), step
        while move >= resolution and (value > low if direction < 0 else value < high):
            trial = min(max(value + direction * move, low), high)
            refit = refit_at(trial, [theta])
            if refit is None:  # perhaps a worse valley, reached from the neighbour's start
                refit = refit_at(trial, starts)
            if refit is None:
                move /= 2
            else:
                theta, value, move = refit, trial, min(2 * move, 8 * step)
        ends.append(value)
    near = [getattr(fit, name) for objective_value, fit in fits if objective_value <= limit]
    return min(ends[0], *near), max(ends[1], *near)


def unidentified_exponents(
    profile: dict[str, tuple[float, float]], spread: float = EXPONENT_SPREAD
) -> list[str]:
    """Exponents the data do not pin down: laws with the exponent held anywhere in its profile
    interval (`profile_interval`) fit within NEAR_OPTIMUM of the best, and that interval is
    wider than `spread`."""
    reasons = []
    for name, (lo, hi) in profile.items():
        if hi - lo > spread:
            reasons.append(
                f"{name} not identified (fits with {name} anywhere in {lo:.3g}-{hi:.3g} are "
                f"within {NEAR_OPTIMUM:.0%} of the best)"
            )
    return reasons


def _log_theta(law: Law) -> tuple[float, ...]:
    """The fit's own parametrisation of a law, its fields in order with the coefficients as
    logs: (log E, log A, alpha, log B, beta) or (log E, log N_c, alpha_N, log D_c, alpha_D)."""
    c0, c1, exponent1, c2, exponent2 = astuple(law)
    # A coefficient fitted towards zero can underflow to 0.0: restart it at the least float.
    c0, c1, c2 = (max(c, np.finfo(float).tiny) for c in (c0, c1, c2))
    return (np.log(c0), np.log(c1), exponent1, np.log(c2), exponent2)


def annealed_ends(curve: pd.DataFrame) -> pd.DataFrame:
    """The final evaluation of each run of the annealed series (the only one that counts)."""
    runs = curve[(curve["base"] == ANNEALED) & (curve["cell_tokens"] > 0)]
    return runs.sort_values("step", kind="stable").groupby("run").tail(1).sort_index()


def scaling_points(
    curve: pd.DataFrame, operators: tuple[str, ...], annealed: bool = False
) -> pd.DataFrame:
    """(N, D, loss) points of these operators' runs after their first step. D = cell-tokens the
    weights were trained on: a grown run's own plus its base model's (read from the runs in the
    curve), so a grown model's law says what the tokens spent on its base were worth to it.
    Scratch data: ("scratch", "base"), both trained from a random initialisation.

    annealed=False: every evaluation of the runs outside the annealed series (a prefix of a
    decaying schedule is not a run of the smaller budget); True: the annealed series' runs,
    one point each, their final evaluation."""
    if annealed:
        pts = annealed_ends(curve)
        pts = pts[pts["operator"].isin(operators)]
    else:
        pts = curve[curve["operator"].isin(operators) & (curve["cell_tokens"] > 0)]
        pts = pts[pts["base"] != ANNEALED]
    run_tokens = curve.groupby("run")["cell_tokens"].max()
    if "base_run" in pts:
        base_run = pts["base_run"]
    else:  # curves written before base_run was recorded: grown runs grew from the study's bases
        base_run = pd.Series(map(base_run_id, pts["base"], pts["seed"]), index=pts.index)
    grown = ~pts["operator"].isin((SCRATCH, "base"))
    inherited = pd.Series(0.0, index=pts.index)
    inherited[grown] = base_run[grown].map(run_tokens).astype(float)
    if inherited.isna().any():
        missing = sorted(set(base_run[inherited.isna()]))
        raise ValueError(f"grown runs whose base run is not in the curve: {missing}")
    return pts.assign(cell_tokens=pts["cell_tokens"] + inherited).rename(
        columns={"parameters": "N", "cell_tokens": "D", "eval_loss": "loss"}
    )


def _rel_error(law: Law, points: pd.DataFrame) -> float:
    return float((np.abs(law(points["N"], points["D"]) - points["loss"]) / points["loss"]).mean())


def _leave_one_size_out(points: pd.DataFrame, refit) -> dict[str, float]:
    """Per model size, the mean relative error on its points of `refit(other points)`'s law."""
    errors = {}
    for n in sorted(int(n) for n in points["N"].unique()):
        rest, held = points[points["N"] != n], points[points["N"] == n]
        errors[str(n)] = _rel_error(refit(rest), held)
    return errors


def fit_report(
    points: pd.DataFrame, boot: int = 200, seed: int = 0, near: float = NEAR_BOUND
) -> dict:
    """The law fitted to every point and what it is worth:

    - `degenerate`: why it says nothing about model or data size (`degenerate_fit`), also when a
      95% bootstrap interval of an exponent reaches near zero or its bound;
    - `ci95`: 2.5 and 97.5 percentiles of each parameter over `boot` refits to the runs resampled
      with replacement (a run's evaluations are not independent points);
    - `profile`: per exponent, the values at which a refit with it held fixed is within
      NEAR_OPTIMUM of the best fit (`profile_interval`); wider than EXPONENT_SPREAD is degenerate;
    - `leave_one_size_out`: mean relative error on each model size's points, predicted by the
      law fitted to the other sizes (needs 3+ sizes)."""
    fits = local_fits(points["N"], points["D"], points["loss"])
    objective, law = best_fit(fits)
    sizes = sorted(int(n) for n in points["N"].unique())
    report: dict = {
        "n_points": len(points),
        "n_runs": int(points["run"].nunique()),
        "sizes": sizes,
        "law": law.__dict__,
        "objective": objective,
        "fit_mean_rel_error": _rel_error(law, points),
    }
    by_run = [g for _, g in points.groupby("run")]
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(boot):
        resampled = pd.concat([by_run[i] for i in rng.integers(len(by_run), size=len(by_run))])
        refit = fit_scaling_law(
            resampled["N"], resampled["D"], resampled["loss"], inits=[_log_theta(law)]
        )
        samples.append(refit.__dict__)
    samples = pd.DataFrame(samples)
    report["ci95"] = {
        k: [float(samples[k].quantile(0.025)), float(samples[k].quantile(0.975))] for k in samples
    }
    reasons = degenerate_fit(law.__dict__)
    low, high = EXPONENT_BOUNDS
    for name in ("alpha", "beta"):
        lo, hi = report["ci95"][name]
        if any(r.startswith(f"{name} ") for r in reasons):
            continue
        if lo < low + near:
            reasons.append(f"{name}'s 95% interval reaches {lo:.3g} (near zero)")
        elif hi > high - near:
            reasons.append(f"{name}'s 95% interval reaches {hi:.3g} (its bound {high})")
    report["profile"] = {
        name: list(profile_interval(points, fits, name)) for name in ("alpha", "beta")
    }
    reasons += negligible_terms(law, points) + unidentified_exponents(report["profile"])
    report["degenerate"] = reasons
    loso = {}
    if len(sizes) >= 3:
        loso = _leave_one_size_out(
            points, lambda p: fit_scaling_law(p["N"], p["D"], p["loss"], inits=[_log_theta(law)])
        )
    report["leave_one_size_out"] = loso
    report["loso_mean_rel_error"] = float(np.mean(list(loso.values()))) if loso else None
    return report


# ---------------------------------------------------------------------------- law shape
def curvature_by_size(points: pd.DataFrame) -> pd.DataFrame:
    """Per model size N: the loss against u = log2 D (centred), fitted by least squares with a
    quadratic: the slope per doubling of D, the curvature (the coefficient of u^2), its standard
    error and t. Any E + A/N^alpha + B/D^beta is convex in log D (curvature > 0), and it bends
    the same way at every size; a size whose loss falls straight or ever faster in log D
    (curvature <= 0) has not reached the range where such a law holds. Also the loss's slope per
    doubling of D over the last two budgets and over the two before (mean loss per budget)."""
    rows = []
    for n, group in points.groupby("N"):
        log_d, loss = np.log2(group["D"].to_numpy(float)), group["loss"].to_numpy(float)
        # Budgets: runs within half a doubling of D (a run's D is its budget, give or take).
        order = np.argsort(log_d)
        budget = np.empty(len(log_d), int)
        budget[order] = np.cumsum(np.diff(log_d[order], prepend=log_d[order][0]) > 0.5)
        dof = len(loss) - 3
        if dof < 1 or budget.max() < 2:  # a quadratic needs 3 budgets
            continue
        u = log_d - log_d.mean()
        design = np.stack([np.ones_like(u), u, u**2], axis=1)  # (P, 3)
        coef, *_ = np.linalg.lstsq(design, loss, rcond=None)
        residual = loss - design @ coef
        se = float(np.sqrt(residual @ residual / dof * np.linalg.inv(design.T @ design)[2, 2]))
        # A quadratic over every budget averages a curve that steepens and then flattens: the
        # slopes over the last two doublings, between the budgets' mean losses, show its end.
        means = pd.DataFrame({"log_d": log_d, "loss": loss}).groupby(budget).agg(["mean", "size"])
        slopes = np.diff(means["loss", "mean"]) / np.diff(means["log_d", "mean"])
        rows.append(
            {
                "N": int(n),
                "points": len(loss),
                "slope_per_doubling": float(coef[1]),
                "curvature": float(coef[2]),
                "curvature_se": se,
                "t": float(coef[2] / se) if se > 0 else np.nan,
                "last_budget": float(2 ** means["log_d", "mean"].iloc[-1]),
                "last_budget_runs": int(means["loss", "size"].iloc[-1]),
                "slope_before_last_doubling": float(slopes[-2]),
                "slope_last_doubling": float(slopes[-1]),
            }
        )
    return pd.DataFrame(rows)


def curvature_trend(table: pd.DataFrame) -> dict[str, float]:
    """How the curvature of `curvature_by_size` changes with model size: the slope of a weighted
    least-squares line (weights 1 / curvature_se^2) of curvature against log2 N, its standard
    error (inflated by the residuals' scatter where it exceeds the standard errors') and t. A law
    that separates N and D has the same curvature at every size: slope 0."""
    x = np.log2(table["N"].to_numpy(float))
    y, w = table["curvature"].to_numpy(float), table["curvature_se"].to_numpy(float) ** -2.0
    x_mean = np.sum(w * x) / np.sum(w)
    sxx = np.sum(w * (x - x_mean) ** 2)
    slope = np.sum(w * (x - x_mean) * y) / sxx
    intercept = np.sum(w * y) / np.sum(w) - slope * x_mean
    chi2 = np.sum(w * (y - intercept - slope * x) ** 2) / max(len(x) - 2, 1)
    se = float(np.sqrt(max(chi2, 1.0) / sxx))
    return {"slope_per_doubling_of_N": float(slope), "se": se, "t": float(slope / se)}


# Both its exponents stay above zero: alpha_D divides.
KAPLAN_EXPONENT_BOUNDS = (1e-3, EXPONENT_BOUNDS[1])
_KAPLAN_BOUNDS = [_FREE, _FREE, KAPLAN_EXPONENT_BOUNDS, _FREE, KAPLAN_EXPONENT_BOUNDS]
# The grid of starts: (log E, log N_c, alpha_N, log D_c, alpha_D).
_KAPLAN_STARTS = tuple(
    itertools.product((-3.0, -0.5), (5.0, 15.0), (0.1, 0.5), (5.0, 15.0), (0.05, 0.3))
)
# The irreducible loss is not pinned down when laws with E held anywhere in an interval wider
# than this share of the mean observed loss fit within NEAR_OPTIMUM of the best.
FLOOR_SPREAD = 0.1


def _kaplan_objective(n, d, loss, delta: float):
    """`_huber_objective` for the Kaplan law: of theta = (log E, log N_c, alpha_N, log D_c,
    alpha_D), with its gradient."""
    log_n, log_d, log_l = (np.log(np.asarray(x, float)) for x in (n, d, loss))

    def objective(theta) -> tuple[float, np.ndarray]:
        e, log_nc, alpha_n, log_dc, alpha_d = theta
        size = log_nc - log_n
        p = alpha_n / alpha_d * size  # log (N_c / N)^(alpha_N / alpha_D)
        q = log_dc - log_d  # log D_c / D
        s = np.logaddexp(p, q)  # log of the bracket
        pred = np.logaddexp(e, alpha_d * s)
        value, dr = _huber(pred - log_l, delta)
        w_k = np.exp(alpha_d * s - pred) * dr  # d value / d (alpha_D * s)
        sigma_p, sigma_q = np.exp(p - s), np.exp(q - s)  # d s / d p, d s / d q
        grad = [
            dr @ np.exp(e - pred),
            w_k @ (alpha_n * sigma_p),
            w_k @ (sigma_p * size),
            w_k @ (alpha_d * sigma_q),
            w_k @ (s - sigma_p * p),
        ]
        return value, np.array(grad)

    return objective


def fit_kaplan_law(n, d, loss, delta: float = 1e-3, inits=None) -> tuple[float, KaplanLaw]:
    """The Kaplan law's best fit from a grid of starts (or the given ones): (objective, law); the
    objective is `fit_scaling_law`'s, so the two laws' fits to the same points compare."""
    objective = _kaplan_objective(n, d, loss, delta)
    starts = _KAPLAN_STARTS if inits is None else inits
    return best_fit([_minimise(objective, s, _KAPLAN_BOUNDS, KaplanLaw) for s in starts])


def floor_interval(
    points: pd.DataFrame,
    law: KaplanLaw,
    best: float,
    tolerance: float = NEAR_OPTIMUM,
    step: float = 0.01,
    delta: float = 1e-3,
) -> tuple[float, float]:
    """The irreducible losses E at which the Kaplan law, refitted with E held there, fits within
    `tolerance` (relative) of the `best` objective: walked from the fitted E in steps of `step`
    (loss units), down to 0 and up to the lowest observed loss, each refit starting from its
    neighbour and, before a value is rejected, from the grid of starts."""
    objective = _kaplan_objective(points["N"], points["D"], points["loss"], delta)
    limit = best * (1 + tolerance) + 1e-12

    def refit_at(e: float, starts) -> np.ndarray | None:
        return _refit_held(objective, 0, np.log(e), starts, _KAPLAN_BOUNDS, limit, KaplanLaw)

    ends = []
    for direction in (-1.0, 1.0):
        theta, e = np.array(_log_theta(law)), law.E
        while True:
            trial = e + direction * step
            if direction < 0 and trial <= 0:
                trial = 1e-9  # as good as no floor
            if trial >= points["loss"].min() or (direction < 0 and e <= 1e-9):
                break
            refit = refit_at(trial, [theta])
            if refit is None:  # perhaps a worse valley, reached from the neighbour's start
                refit = refit_at(trial, _KAPLAN_STARTS)
            if refit is None:
                break
            theta, e = refit, trial
        ends.append(e)
    return ends[0], ends[1]


def kaplan_report(points: pd.DataFrame, separable_objective: float) -> dict:
    """The Kaplan law fitted to the points beside `fit_report`'s law (`separable_objective`: its
    objective on the same points): the law, its objective, mean relative error,
    leave-one-size-out errors, the interval of E that fits as well (`floor_interval`), and why
    it is degenerate (`degenerate_fit`, or that interval wider than FLOOR_SPREAD of the loss)."""
    objective, law = fit_kaplan_law(points["N"], points["D"], points["loss"])
    loso = _leave_one_size_out(
        points, lambda p: fit_kaplan_law(p["N"], p["D"], p["loss"], inits=[_log_theta(law)])[1]
    )
    low, high = floor_interval(points, law, objective)
    reasons = degenerate_fit(law.__dict__, exponents=("alpha_N", "alpha_D"))
    if high - low > FLOOR_SPREAD * points["loss"].mean():
        reasons.append(
            f"E not identified (fits with E anywhere in {low:.2f}-{high:.2f} are within "
            f"{NEAR_OPTIMUM:.0%} of the best)"
        )
    return {
        "law": law.__dict__,
        "objective": objective,
        "separable_objective": separable_objective,
        "fit_mean_rel_error": _rel_error(law, points),
        "floor_interval": [low, high],
        "leave_one_size_out": loso,
        "loso_mean_rel_error": float(np.mean(list(loso.values()))),
        "degenerate": reasons,
    }


# ---------------------------------------------------------------------------- annealed growth
def annealed_minus_constant(curve: pd.DataFrame) -> pd.Series:
    """Per annealed scratch run: its final loss minus the constant-rate size series run of the
    same size and seed at the same cell-tokens (interpolated in log cell-tokens between its
    evaluations; runs outside them are left out). < 0: the decay to the end of the budget helped."""
    ends = scaling_points(curve, (SCRATCH,), annealed=True)
    constant = curve[(curve["base"] == SERIES) & (curve["cell_tokens"] > 0)]
    out = {}
    for run in ends.itertuples():
        same = constant[(constant["parameters"] == run.N) & (constant["seed"] == run.seed)]
        tokens, loss = same["cell_tokens"].to_numpy(), same["eval_loss"].to_numpy()
        if len(same) >= 2 and tokens.min() <= run.D <= tokens.max():
            out[run.run] = run.loss - float(np.interp(np.log(run.D), np.log(tokens), loss))
    return pd.Series(out, dtype=float)


def annealed_growth(curve: pd.DataFrame) -> pd.DataFrame:
    """Per grown run of the annealed series: its final loss against scratch's at the same total
    compute (the run it grew from charged), read off the annealed scratch runs of the same size
    and seed, interpolated linearly in log compute between their budgets (nan outside them; the
    loss is convex there, so this errs towards scratch's loss being higher). cells: the planned
    budget C; D: the cell-tokens the grown weights saw (its own and its base's); D_scratch: the
    cell-tokens scratch gets for that compute."""
    ends = annealed_ends(curve)
    scratch = ends[ends["operator"] == SCRATCH]
    tokens = ends.set_index("run")["cell_tokens"]
    rows = []
    for run in ends[ends["operator"] != SCRATCH].itertuples():
        same = scratch[(scratch["parameters"] == run.parameters) & (scratch["seed"] == run.seed)]
        same = same.sort_values("flops")
        flops, loss = same["flops"].to_numpy(), same["eval_loss"].to_numpy()
        total = run.flops + run.base_flops
        inside = len(same) >= 2 and flops[0] <= total <= flops[-1]
        rows.append(
            {
                "N": run.parameters,
                "cells": annealed_budget(run.run),
                "seed": run.seed,
                "operator": run.operator,
                "D": run.cell_tokens + tokens[run.base_run],
                "D_scratch": run.cell_tokens * total / run.flops,
                "grown_loss": run.eval_loss,
                "scratch_loss": (
                    float(np.interp(np.log(total), np.log(flops), loss)) if inside else np.nan
                ),
            }
        )
    out = pd.DataFrame(rows)
    return out.assign(difference=out["grown_loss"] - out["scratch_loss"]) if rows else out


def interpolation_bias(law: ScalingLaw, gain: pd.DataFrame) -> pd.Series:
    """Per cell of `predicted_growth_gain`: how much interpolating scratch's loss linearly in log
    compute between budgets C and 2C overstates it at D_scratch, by `law` (> 0: in growing's
    favour). Budgets 2x apart as in the annealed series; compute is taken as proportional to D."""
    n, c = gain["N"], gain["cells"]
    share = np.log(gain["D_scratch"] / c) / np.log(2)
    return law(n, c) + (law(n, 2 * c) - law(n, c)) * share - law(n, gain["D_scratch"])


def predicted_growth_gain(
    growth: pd.DataFrame, scratch_points: pd.DataFrame, grown_points: pd.DataFrame
) -> pd.DataFrame:
    """Per (N, cells): the measured grown - scratch loss at equal compute (mean over seeds, its
    standard error) and the difference the two laws predict when fitted without that model size
    (leave-one-size-out): L_grown(N, D) - L_scratch(N, D_scratch); `refit_degenerate`: either of
    those two fits is degenerate (`degenerate_fit`), so its prediction means nothing."""
    rows = []
    for n, by_size in growth.dropna(subset=["difference"]).groupby("N"):
        laws = [
            fit_scaling_law(rest["N"], rest["D"], rest["loss"])
            for rest in (p[p["N"] != n] for p in (scratch_points, grown_points))
        ]
        degenerate = any(degenerate_fit(law.__dict__) for law in laws)
        for cells, runs in by_size.groupby("cells"):
            d = runs["difference"]
            rows.append(
                {
                    "N": n,
                    "cells": cells,
                    "seeds": len(d),
                    "measured": d.mean(),
                    "std_error": standard_error(d),
                    "predicted": float(
                        laws[1](n, runs["D"].mean()) - laws[0](n, runs["D_scratch"].mean())
                    ),
                    "refit_degenerate": degenerate,
                    "D_scratch": runs["D_scratch"].mean(),
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------ IsoFLOP
BUDGET_MULTIPLES = (2, 4, 8, 16, 32)  # IsoFLOP budgets, in units of the base model's training


def isoflop(curve: pd.DataFrame, multiples=BUDGET_MULTIPLES) -> pd.DataFrame:
    """Loss at fixed total compute, per (base, budget, g, operator, seed): each run's
    running-minimum held-out loss once it has spent the budget, the base model's training
    charged to grown runs (a grown run starts at that cost). Budgets are multiples of the
    base's training compute (mean over seeds). A budget outside a run's evaluated compute gives
    no row: nothing is extrapolated."""
    rows = []
    curve = with_controls(curve)
    targets = curve[(curve["operator"] != "base") & ~curve["base"].isin(SIZE_SERIES)]
    for base, group in targets.groupby("base"):
        bases = curve[(curve["base"] == base) & (curve["operator"] == "base")]
        base_cost = float(bases.groupby("run")["flops"].max().mean())
        for _, run in group.groupby("run"):
            run = run.sort_values("step")
            op = run["operator"].iloc[0]
            spent = run["flops"].to_numpy() + run["base_flops"].to_numpy()
            loss = run["eval_loss"].to_numpy()
            evaluated = spent[run["step"].to_numpy() > 0] if op == SCRATCH else spent
            for k in multiples:
                budget = k * base_cost
                if not evaluated.min() <= budget <= spent.max() * 1.0001:
                    continue
                rows.append(
                    {
                        "base": base,
                        "budget_x_base": k,
                        "budget_flops": budget,
                        "g": run["g"].iloc[0],
                        "operator": op,
                        "control": run["control"].iloc[0].rsplit("/", 1)[1],
                        "seed": run["seed"].iloc[0],
                        "loss": loss_at(spent, loss, budget),
                    }
                )
    return pd.DataFrame(rows)


def isoflop_summary(iso: pd.DataFrame) -> pd.DataFrame:
    """Per (base, budget, operator): the g of the lowest mean loss, and the bound on g, where the
    grown runs' mean loss crosses scratch's from below as g grows (interpolated in log g).
    `bound` is nan where no crossing was measured; `grown_wins_at` lists the g where growing
    ends lower, `g_tried` the g where both ran at this budget."""
    mean = iso.groupby(["base", "budget_x_base", "operator", "control", "g"])["loss"].mean()
    mean = mean.reset_index()
    rows = []
    for (base, k), group in mean.groupby(["base", "budget_x_base"]):
        scratch = group[group["operator"] == SCRATCH].set_index(["g", "control"])["loss"]
        for op, run in group[group["operator"] != SCRATCH].groupby("operator"):
            run = run[[k in scratch.index for k in zip(run["g"], run["control"], strict=True)]]
            if run.empty:
                continue
            grown = run.set_index("g")["loss"]
            gs = sorted(grown.index)
            control = run.set_index("g")["control"]
            gap = np.array([grown[g] - scratch[(g, control[g])] for g in gs])  # < 0: growing wins
            bound = np.nan
            for i in range(1, len(gs)):
                if gap[i - 1] < 0 <= gap[i]:
                    frac = -gap[i - 1] / (gap[i] - gap[i - 1])
                    bound = float(np.exp(np.log(gs[i - 1]) + frac * np.log(gs[i] / gs[i - 1])))
                    break
            rows.append(
                {
                    "base": base,
                    "budget_x_base": k,
                    "operator": op,
                    "g_tried": gs,
                    "best_g": int(grown[gs].idxmin()),
                    "grown_wins_at": [g for g, v in zip(gs, gap, strict=True) if v < 0],
                    "bound": bound,
                }
            )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------ plots
def plot_loss_vs_compute(curve: pd.DataFrame, path: Path, base: str) -> None:
    plt = pyplot()
    data = curve[curve["base"] == base]
    gs = sorted(g for g in data["g"].unique() if g > 1)
    fig, axes = plt.subplots(1, len(gs), figsize=(4.5 * len(gs), 3.8), squeeze=False, sharey=True)
    operators = sorted(data.loc[data["g"] > 1, "operator"].unique())
    colors = dict(zip(operators, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    for ax, g in zip(axes[0], gs, strict=True):
        for op, rows in data[data["g"] == g].groupby("operator"):
            mean = rows[rows["cell_tokens"] > 0].groupby("step")[["flops", "eval_loss"]].mean()
            ax.plot(mean["flops"], mean["eval_loss"], marker=".", color=colors[op], label=op)
        ax.set(xscale="log", title=f"{base}: g = {g}", xlabel="FLOPs (this run)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("held-out prior loss (mean of seeds)")
    handles = [plt.Line2D([], [], color=colors[op], marker=".", label=op) for op in operators]
    axes[0][0].legend(handles=handles)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_annealed(curve: pd.DataFrame, path: Path) -> None:
    """Held-out loss against the cell-tokens the weights saw, per series width: the constant-rate
    size series (lines, every evaluation), the annealed runs' ends (filled) and the annealed grown
    runs' ends (open; their base's tokens counted), each the mean over seeds."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    constant = curve[(curve["base"] == SERIES) & (curve["cell_tokens"] > 0)]
    annealed = scaling_points(curve, (SCRATCH,), annealed=True)
    grown = scaling_points(curve, tuple(OPERATORS), annealed=True)
    sizes = sorted(set(annealed["N"]) | set(constant["parameters"]))
    cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for color, n in zip(cycle * 2, sizes, strict=False):
        line = constant[constant["parameters"] == n].groupby("step")[["cell_tokens", "eval_loss"]]
        line = line.mean()
        ax.plot(line["cell_tokens"], line["eval_loss"], color=color, alpha=0.6, label=f"{n:,}")
        for points, fill in ((annealed, color), (grown, "none")):
            ends = points[points["N"] == n].set_index("run")[["D", "loss"]]  # one row per run
            ends = ends.groupby(ends.index.map(annealed_budget)).mean()  # a budget's seeds
            ax.plot(ends["D"], ends["loss"], "o", color=color, markerfacecolor=fill)
    ax.set(
        xscale="log",
        xlabel="cell-tokens the weights were trained on (D)",
        ylabel="held-out prior loss (mean of seeds)",
        title="constant rate (lines), annealed (filled), annealed grown (open)",
    )
    ax.legend(title="parameters", fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_isoflop(iso: pd.DataFrame, path: Path, base: str) -> None:
    """Loss against g at fixed total compute (base training charged), one panel per budget:
    growing pays at a g where an operator's line lies below scratch's."""
    plt = pyplot()
    data = iso[iso["base"] == base]
    budgets = sorted(data["budget_x_base"].unique())
    fig, axes = plt.subplots(
        1, len(budgets), figsize=(3.4 * len(budgets), 3.6), squeeze=False, sharey=True
    )
    operators = sorted(set(data["operator"]) - {SCRATCH})
    colors = dict(zip(operators, plt.rcParams["axes.prop_cycle"].by_key()["color"], strict=False))
    for ax, k in zip(axes[0], budgets, strict=True):
        mean = data[data["budget_x_base"] == k].groupby(["operator", "g"])["loss"].mean()
        for op in [*operators, SCRATCH]:
            if op not in mean.index.get_level_values(0):
                continue
            line = mean.loc[op]
            style = dict(color="k", ls="--") if op == SCRATCH else dict(color=colors[op])
            ax.plot(line.index, line.to_numpy(), marker="o", label=op, **style)
        ax.set(xscale="log", xlabel="growth factor g", title=f"{base}: {k}x the base's compute")
        ax.set_xticks([2, 4, 8, 16], labels=["2", "4", "8", "16"])
        ax.xaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("held-out prior loss (mean of seeds)")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_speedup_vs_g(table: pd.DataFrame, path: Path) -> None:
    """Median speedup over seeds by g, one panel per budget; inf (the grown model starts below
    scratch's loss) is drawn at the top of the axis."""
    plt = pyplot()
    budgets = sorted(table["budget_tpp"].unique())
    fig, axes = plt.subplots(1, len(budgets), figsize=(3.4 * len(budgets), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    top = 30.0
    labels = sorted({f"{b} {op}" for b, op in zip(table["base"], table["operator"], strict=True)})
    palette = plt.get_cmap("tab20")  # bases x operators: more lines than the default 10 colours
    colors = {label: palette(i % palette.N) for i, label in enumerate(labels)}
    for ax, tpp in zip(axes, budgets, strict=True):
        for (base, op), rows in table[table["budget_tpp"] == tpp].groupby(["base", "operator"]):
            label = f"{base} {op}"
            ax.plot(rows["g"], rows["speedup"].clip(upper=top), marker="o", color=colors[label])
        ax.axhline(1, color="k", lw=0.8)
        ax.set(xscale="log", yscale="log", ylim=(0.3, top * 1.3), xlabel="growth factor g")
        ax.set_title(f"budget {tpp} tokens/param", fontsize=9)
        ax.set_xticks([2, 4, 8, 16], labels=["2", "4", "8", "16"])
        ax.xaxis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"speedup vs scratch (median of seeds)\nbase excluded; top = {top:g}+ / inf")
    handles = [plt.Line2D([], [], color=colors[k], marker="o", label=k) for k in labels]
    axes[0].legend(handles=handles, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_grow_map(
    scratch: ScalingLaw, grown: ScalingLaw, base_params: int, base_tokens: float, path: Path
) -> None:
    """Predicted loss difference scratch - grown over target size N and budget D (cell-tokens of
    the target), with the base model's compute charged to the grown run. The grown law reads
    D as `scaling_points` does: the grown run's cell-tokens plus the base's."""
    plt = pyplot()
    n = np.geomspace(base_params * 1.5, base_params * 32, 60)
    tpp = np.geomspace(2, 400, 60)
    N, T = np.meshgrid(n, tpp)
    D = N * T
    base_equiv = base_params * base_tokens / N  # base FLOPs in target tokens
    left = D - base_equiv  # what the grown run can still train on; <= 0: the base alone is over
    gain = np.where(left > 0, scratch(N, D) - grown(N, base_tokens + np.maximum(left, 0)), np.nan)
    fig, ax = plt.subplots(figsize=(5.5, 4.2))
    lim = np.nanpercentile(np.abs(gain), 95)
    mesh = ax.pcolormesh(N / base_params, T, gain, cmap="RdBu", vmin=-lim, vmax=lim, shading="auto")
    ax.contour(N / base_params, T, gain, levels=[0], colors="k")
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="growth factor g (target / base parameters)",
        ylabel="budget (cell-tokens per target parameter)",
        title="predicted loss(scratch) - loss(grown)\n> 0 (blue): grow; blank: base costs more",
    )
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(plt.matplotlib.ticker.ScalarFormatter())
        axis.set_minor_formatter(plt.matplotlib.ticker.NullFormatter())
    fig.colorbar(mesh, ax=ax)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
