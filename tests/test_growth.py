import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.checkpoint import load_checkpoint, save_checkpoint
from tabpfn_lite.cli import main
from tabpfn_lite.growth import config_for_growth_factor, grow, grown_config
from tabpfn_lite.model import ModelConfig, TabPFN, count_parameters, optimizer_param_groups
from tabpfn_lite.train import TrainConfig, read_log, train

from .conftest import randomized_model

BASE = {
    "sp": ModelConfig(emsize=16, nlayers=2, nheads=2, mlp_hidden=32, decoder_hidden=24),
    "mup": ModelConfig(
        emsize=16,
        nlayers=2,
        nheads=2,
        mlp_hidden=32,
        decoder_hidden=24,
        parametrization="mup",
        base_emsize=16,
    ),
}


def odd_tables(model: TabPFN, seed: int = 1):
    """Random tables of odd sizes: 3 datasets, 23 train + 14 test rows, 7 features."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(3, 37, 7, generator=g)
    x[0, 5, 2] = float("nan")
    y = torch.randint(0, 3, (3, 23), generator=g)
    return x, y, model.sample_feature_codes(3, 7, g)


def max_change(base: TabPFN, grown: TabPFN) -> float:
    x, y, codes = odd_tables(base)
    with torch.no_grad():
        return (grown(x, y, codes) - base(x, y, codes)).abs().max().item()


def fully_randomized(cfg: ModelConfig) -> TabPFN:
    """Every parameter random, biases and LayerNorm gains included, so a wrong tiling of any
    tensor shows up."""
    model = randomized_model(cfg)
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.ndim == 1:
                p.copy_((1.0 if "norm" in name else 0.0) + 0.2 * torch.randn(p.shape, generator=g))
    return model


@pytest.mark.parametrize("parametrization", ["sp", "mup"])
@pytest.mark.parametrize("width, depth", [(2, 1), (1, 2), (2, 2), (3, 1), (1, 1.5)])
def test_preserving_growth_keeps_the_function(parametrization, width, depth):
    base = fully_randomized(BASE[parametrization])
    grown, report = grow(
        base, width_factor=width, depth_factor=depth, method="preserve", depth_method="identity"
    )
    assert report.function_preserving
    assert grown.cfg.emsize == 16 * width and grown.cfg.nlayers == round(2 * depth)
    assert max_change(base, grown) < 1e-5


@pytest.mark.parametrize(
    "method, depth_method, width, depth",
    [
        ("szp", "identity", 2, 1),
        ("szp", "identity", 1, 2),
        ("zero_pad", "identity", 2, 1),
        ("random", "identity", 2, 1),
        ("preserve", "stack", 1, 2),
    ],
)
def test_other_operators_change_the_function(method, depth_method, width, depth):
    base = randomized_model(BASE["sp"])
    grown, report = grow(
        base, width_factor=width, depth_factor=depth, method=method, depth_method=depth_method
    )
    assert not report.function_preserving
    assert max_change(base, grown) > 1e-2


def test_szp_is_shrink_times_zero_pad_plus_sigma_times_init():
    base = randomized_model(BASE["sp"])
    padded, _ = grow(base, width_factor=2, method="zero_pad")
    init, _ = grow(base, width_factor=2, method="random", seed=7)
    szp, _ = grow(base, width_factor=2, method="szp", shrink=0.4, sigma=0.3, seed=7)
    for name, w in szp.state_dict().items():
        expected = 0.4 * padded.state_dict()[name] + 0.3 * init.state_dict()[name]
        torch.testing.assert_close(w, expected, msg=name)
    corner = szp.layers[0].mlp[0].weight[:32, :16]
    assert not torch.equal(corner, 0.4 * base.layers[0].mlp[0].weight)  # perturbed everywhere


def test_reported_growth_factor_is_the_counted_parameter_ratio():
    base = TabPFN(BASE["sp"])
    for g in (2, 4, 8, 16):
        target = config_for_growth_factor(base.cfg, g)
        grown, report = grow(base, target, method="szp")
        ratio = count_parameters(grown) / count_parameters(base)
        assert report.growth_factor == pytest.approx(ratio)
        assert g / 1.5 < report.growth_factor < g * 1.5
        assert report.tensors.keys() == grown.state_dict().keys()


def test_growth_rejects_what_it_cannot_do():
    base = TabPFN(BASE["sp"])
    with pytest.raises(ValueError, match="integer factor"):
        grow(base, width_factor=1.5, method="preserve")
    with pytest.raises(ValueError, match="smaller than the base"):
        grow(base, ModelConfig(emsize=8, nlayers=2, nheads=1), method="szp")
    with pytest.raises(ValueError, match="cannot change"):
        grow(base, replace(base.cfg, max_classes=5), method="szp")
    with pytest.raises(ValueError, match="method must be one of"):
        grow(base, width_factor=2, method="net2net")
    with pytest.raises(ValueError, match=">= 1"):
        grown_config(base.cfg, 0.5)
    with pytest.raises(ValueError, match="not both"):
        grow(base, grown_config(base.cfg, 2), width_factor=2)
    with pytest.raises(ValueError, match="cannot change"):
        grow(base, replace(grown_config(base.cfg, 2), base_emsize=32), method="preserve")


def test_grow_cli_writes_a_checkpoint_the_classifier_loads(tmp_path, rng):
    base = save_checkpoint(randomized_model(BASE["sp"]), tmp_path / "base")
    out = tmp_path / "grown"
    argv = ["grow", "--from", str(base), "--out", str(out), "--width-factor", "2"]
    assert main([*argv, "--depth-factor", "2", "--method", "preserve"]) == 0
    model, meta = load_checkpoint(out)
    assert model.cfg.emsize == 32 and model.cfg.nlayers == 4
    assert meta["metadata"]["growth"]["function_preserving"]
    X = rng.normal(size=(40, 5))
    y = (X[:, 0] > 0).astype(int)
    proba = (
        TabPFNLiteClassifier(checkpoint=out, n_estimators=2, random_state=0)
        .fit(X, y)
        .predict_proba(X)
    )
    base_proba = (
        TabPFNLiteClassifier(checkpoint=base, n_estimators=2, random_state=0)
        .fit(X, y)
        .predict_proba(X)
    )
    np.testing.assert_allclose(proba, base_proba, atol=1e-5)

    out4 = tmp_path / "grown4"
    assert main(["grow", "--from", str(base), "--out", str(out4), "--growth-factor", "4"]) == 0
    _, meta = load_checkpoint(out4)
    assert 3 < meta["metadata"]["growth"]["growth_factor"] < 5
    with pytest.raises(SystemExit, match="integer factor"):
        main([*argv[:-1], "1.5", "--method", "preserve"])


def test_grown_model_trains_with_the_unchanged_loop(tmp_path, small_dump):
    base = TabPFN(BASE["mup"])
    grown, _ = grow(base, width_factor=2, method="szp", seed=0)
    cfg = TrainConfig(
        data=[str(small_dump)],
        out=str(tmp_path / "run"),
        batch_size=8,
        steps=30,
        lr=3e-3,
        warmup_steps=3,
        log_every=5,
        eval_every=1000,
        eval_datasets=8,
    )
    train(cfg, init_model=grown, progress=False)
    losses = [r["loss"] for r in read_log(tmp_path / "run" / "log.jsonl") if "loss" in r]
    assert np.mean(losses[-2:]) < losses[0]
    model, _ = load_checkpoint(tmp_path / "run" / "checkpoint")
    assert model.cfg.emsize == 32


def _activation_scales(parametrization: str, width: int, steps: int = 5) -> tuple[float, float]:
    """Mean |residual stream| after the last block and mean |logit| after a few Adam steps."""
    torch.manual_seed(0)
    cfg = ModelConfig(
        emsize=width,
        nheads=width // 8,
        nlayers=2,
        mlp_hidden=2 * width,
        decoder_hidden=2 * width,
        parametrization=parametrization,
        base_emsize=32,
    )
    model = TabPFN(cfg)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(8, 64, 6, generator=g)
    y = (x[..., 0] + x[..., 1] > 0).long()
    codes = model.sample_feature_codes(8, 6, g)
    opt = torch.optim.Adam(optimizer_param_groups(model, lr=1e-2))
    residual = {}
    # The residual stream entering the last layer (which computes the decoded tokens alone).
    model.layers[-1].register_forward_hook(lambda m, i, out: residual.update(h=i[0]))
    for _ in range(steps):
        logits = model(x, y[:, :48], codes)[..., :2]
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 2), y[:, 48:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        logits = model(x, y[:, :48], codes)
    return residual["h"].abs().mean().item(), logits.abs().mean().item()


def test_mup_coordinate_check():
    """Under muP activations stay O(1) across widths after training steps; under the standard
    parametrization the same learning rate makes the logits grow with width."""
    mup = np.array([_activation_scales("mup", w) for w in (32, 64, 128)])
    assert mup[:, 0].max() / mup[:, 0].min() < 1.5  # residual stream
    assert mup[:, 1].max() / mup[:, 1].min() < 3  # logits
    sp = np.array([_activation_scales("sp", w) for w in (32, 128)])
    assert sp[1, 1] / sp[0, 1] > 3


def test_growth_study_runs_resumes_and_analyzes(tmp_path, small_dump):
    from tabpfn_lite.growth.analysis import (
        annealed_growth,
        curves,
        isoflop,
        scaling_points,
        speedup_table,
        speedups,
    )
    from tabpfn_lite.growth.study import (
        Base,
        StudyConfig,
        archive_runs,
        cell_tokens_per_step,
        load_runs,
        measured_rates,
        plan_runs,
        restore_runs,
        run_stages,
        run_study,
    )

    cfg = StudyConfig(
        data=str(small_dump),
        out=str(tmp_path / "study"),
        bases=[Base("T8", 8, 1, 1, (2, 4), ("preserve", "szp", "stack"))],
        seeds=(0,),
        base_tpp=40,
        target_tpp=40,
        evals_per_run=4,
        eval_datasets=16,
        batch_size=8,
        series_widths=(4, 8),
        series_cells=9000,
        anneal_cells=(3000, 9000),
        anneal_grow_cells=(3000,),
        warmup_steps=2,
    )
    plan = plan_runs(cfg)
    assert [r.operator for r in plan][:1] == ["base"]
    first, then = run_stages(plan)  # every run grown from finishes before the runs grown from it
    assert {r.id for r in first} == {r.base_run for r in plan if r.base_run}
    assert not {r.base_run for r in first} - {None}
    by_id = {r.id: r for r in plan}
    grown = [r for r in plan if r.operator not in ("base", "scratch") and r.base == "T8"]
    assert len(grown) == 2 * 3
    for r in grown:  # every grown run has a scratch control of its own target's shape
        assert by_id[r.control].operator == "scratch" and by_id[r.control].model == r.model
    series = by_id["series/w4/seed0"]  # a scratch run of the size series, with no grown twin
    assert (series.operator, series.model["emsize"], series.model["nlayers"]) == ("scratch", 4, 2)
    per_step = cell_tokens_per_step(cfg.data, cfg.batch_size)
    assert series.steps == math.ceil(cfg.series_cells / per_step)  # its own budget, not tpp
    assert series.min_lr_ratio == 1.0  # constant: its prefixes are runs of smaller budgets
    annealed = [by_id[f"annealed/w4/c{c}/seed0"] for c in (3000, 9000)]
    assert [r.min_lr_ratio for r in annealed] == [cfg.anneal_min_lr_ratio] * 2
    assert annealed[1].steps == series.steps and annealed[0].steps < annealed[1].steps
    assert all(r.eval_every == r.steps for r in annealed)  # only the end of its schedule counts
    grown_annealed = by_id["annealed/w8/c3000/szp/seed0"]  # w4 for 3000 cells, then w8 for 3000
    assert (grown_annealed.base_run, grown_annealed.control) == (
        "annealed/w4/c3000/seed0",
        "annealed/w8/c3000/seed0",
    )
    assert [r.id for r in plan if r.base == "annealed" and r.operator == "szp"] == [
        grown_annealed.id
    ]  # w4 has no half width in the series; 9000 is not an annealed growth budget
    stack_g4, szp_g4 = by_id["T8/seed0/g4/stack"], by_id["T8/seed0/g4/szp"]
    assert stack_g4.model["emsize"] == 8 and stack_g4.model["nlayers"] > 2  # depth alone
    assert stack_g4.control != szp_g4.control
    run_study(cfg, workers=1)
    runs = load_runs(cfg.out)
    assert len(runs) == len(plan)
    preserved = next(r for r in runs if r["spec"]["id"] == "T8/seed0/g2/preserve")
    base = next(r for r in runs if r["spec"]["operator"] == "base")
    base_final = [row for row in base["log"] if "eval_loss" in row][-1]["eval_loss"]
    assert preserved["initial_eval"]["eval_loss"] == pytest.approx(base_final, rel=1e-4)
    rates = measured_rates(cfg.out)  # FLOP/s of each finished run, from its log
    assert set(rates) == {r.id for r in plan} and min(rates.values()) > 0

    curve = curves(runs)
    assert (curve.groupby("run")["step"].min() == 0).all()
    table = speedup_table(speedups(curve, budgets_tpp=(10, 20, 40)))
    assert set(table["operator"]) == {"preserve", "szp", "stack"}
    assert "series" in set(scaling_points(curve, ("scratch", "base"))["base"])  # in the fit
    assert "annealed" not in set(scaling_points(curve, ("scratch", "base"))["base"])
    ends = scaling_points(curve, ("scratch",), annealed=True)  # one point per run: its end
    ends = ends[ends["run"].str.startswith("annealed/w4/")]
    assert sorted(ends["run"]) == sorted(r.id for r in annealed)
    assert sorted(ends["D"]) == pytest.approx(sorted(r.steps * per_step for r in annealed), rel=0.2)
    final_lr = {
        r.id: read_log(tmp_path / "study" / "runs" / r.id / "log.jsonl")[-2]["lr"]
        for r in (series, annealed[1])
    }  # the same model and steps; the annealed run's last step is near the end of its decay
    ratio = final_lr[annealed[1].id] / final_lr[series.id]
    assert cfg.anneal_min_lr_ratio <= ratio < 0.25
    growth = annealed_growth(curve)  # against scratch w8 at the same total compute
    assert len(growth) == 1
    row = growth.iloc[0]
    own, w4 = (
        curve.loc[curve["run"] == r, "cell_tokens"].max()
        for r in (grown_annealed.id, grown_annealed.base_run)
    )
    assert row["D"] == own + w4  # the weights saw the base's tokens too
    assert row["cells"] == 3000  # the planned budget, the same for every seed
    flops = {
        r: curve.loc[curve["run"] == r, "flops"].max()
        for r in (grown_annealed.id, grown_annealed.base_run)
    }
    assert row["D_scratch"] == pytest.approx(own * sum(flops.values()) / flops[grown_annealed.id])
    assert np.isfinite(row["scratch_loss"])  # between scratch w8's budgets of 3000 and 9000
    assert row["difference"] == pytest.approx(row["grown_loss"] - row["scratch_loss"])
    assert set(isoflop(curve)["base"]) == {"T8"}  # not in the growth comparisons
    mtime = (tmp_path / "study" / "runs" / "T8/seed0/base" / "run.json").stat().st_mtime
    run_study(cfg, workers=1)  # finished runs are skipped
    assert (tmp_path / "study" / "runs" / "T8/seed0/base" / "run.json").stat().st_mtime == mtime

    # Carried to a fresh folder through an archive: nothing is re-run, the analysis is the same.
    archived = archive_runs(cfg.out, tmp_path / "archive")
    assert len(archived) == len(plan)
    assert not list((tmp_path / "archive").glob("runs/T8/seed0/g*/*/state.json"))
    moved = StudyConfig(**{**cfg.to_dict(), "out": str(tmp_path / "moved"), "bases": cfg.bases})
    assert len(restore_runs(tmp_path / "archive", moved.out)) == len(plan)
    run_study(moved, workers=1)
    assert curves(load_runs(moved.out)).equals(curve)
    assert (tmp_path / "archive" / "runs" / "T8/seed0/base" / "checkpoint").is_dir()
    record = tmp_path / "moved" / "runs" / "T8/seed0/g4/szp" / "run.json"
    assert (
        record.stat().st_mtime
        == (tmp_path / "archive" / "runs" / "T8/seed0/g4/szp" / "run.json").stat().st_mtime
    )  # not re-run


def test_scaling_law_fit_recovers_known_parameters():
    from tabpfn_lite.growth.analysis import ScalingLaw, fit_scaling_law

    true = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=80.0, beta=0.4)
    n, d = np.meshgrid(np.geomspace(1e4, 1e6, 5), np.geomspace(1e5, 1e8, 6))
    fitted = fit_scaling_law(n.ravel(), d.ravel(), true(n, d).ravel())
    test_n, test_d = 3e6, 3e8  # extrapolation
    assert fitted(test_n, test_d) == pytest.approx(true(test_n, test_d), rel=0.02)


def test_speedup_on_hand_made_curves():
    from tabpfn_lite.growth.analysis import compute_to_reach, loss_at, speedups

    flops = np.array([0.0, 10.0, 100.0, 1000.0])
    loss = np.array([1.0, 0.8, 0.6, 0.7])  # goes up at the end: the running minimum stays 0.6
    assert compute_to_reach(flops, loss, 0.6) == pytest.approx(100.0)
    assert compute_to_reach(flops, loss, 0.5) == np.inf
    assert compute_to_reach(flops, loss, 1.0) == 0.0
    assert compute_to_reach(flops, loss, 0.7) == pytest.approx(np.sqrt(10 * 100))  # log-linear
    assert loss_at(flops, loss, 1000.0) == 0.6

    def rows(operator, losses, n_params, base_run=None):
        return [
            {
                "run": f"T/seed0/g2/{operator}",
                "base": "T",
                "seed": 0,
                "g": 2,
                "operator": operator,
                "parameters": n_params,
                "step": i,
                "cell_tokens": c,
                "flops": 9.0 * n_params * c,  # counted FLOPs: more than 6ND (attention)
                "base_flops": 6.0 * 10 * 100 if base_run else 0.0,
                "eval_loss": v,
            }
            for i, (c, v) in enumerate(zip([0, 100, 1000, 10_000], losses, strict=True))
        ]

    import pandas as pd

    curve = pd.DataFrame(
        rows("scratch", [1.0, 0.9, 0.8, 0.7], 10) + rows("szp", [0.95, 0.8, 0.7, 0.6], 10, "b")
    )
    sp = speedups(curve, budgets_tpp=(100,))  # budget 100 x 10 cell-tokens: scratch reaches 0.8
    assert len(sp) == 1
    assert sp["scratch_loss"].iloc[0] == pytest.approx(0.8)
    assert sp["speedup"].iloc[0] == pytest.approx(10.0)  # szp reaches 0.8 at 100 cell-tokens
    assert sp["speedup_with_base"].iloc[0] == pytest.approx(90_000 / (9_000 + 6_000))


def test_scaling_points_count_the_base_models_tokens_for_grown_runs():
    import pandas as pd

    from tabpfn_lite.growth.analysis import scaling_points

    def rows(run, operator, tokens, n_params):
        return [
            {"run": run, "base": "T", "seed": 0, "operator": operator, "parameters": n_params,
             "cell_tokens": c, "eval_loss": 1.0 / (1 + c)}
            for c in tokens
        ]  # fmt: skip

    curve = pd.DataFrame(
        rows("T/seed0/base", "base", [0, 50, 300], 10)
        + rows("T/seed0/g2/scratch", "scratch", [0, 100, 1000], 20)
        + rows("T/seed0/g2/szp", "szp", [0, 100, 1000], 20)
    )
    grown = scaling_points(curve, ("szp",))
    assert grown["D"].tolist() == [400, 1300]  # its own tokens + the base's 300
    assert grown["N"].tolist() == [20, 20] and grown["loss"].tolist() == [1 / 101, 1 / 1001]
    assert scaling_points(curve, ("scratch", "base"))["D"].tolist() == [50, 300, 100, 1000]
    with pytest.raises(ValueError, match=r"base run is not in the curve: \['T/seed0/base'\]"):
        scaling_points(curve[curve["operator"] != "base"], ("szp",))


def test_degenerate_scaling_law_fits_are_named():
    from tabpfn_lite.growth.analysis import degenerate_fit

    usable = {"E": 0.4, "A": 3.0, "alpha": 0.35, "B": 20.0, "beta": 0.45}
    assert degenerate_fit(usable) == []
    reasons = degenerate_fit({**usable, "E": 2e-24, "alpha": 3.0, "beta": 0.026})
    assert reasons == [
        "alpha = 3 (at its bound 3.0)",
        "beta = 0.026 (near zero)",
        "E = 2e-24 (no irreducible loss)",
    ]


def test_exponents_whose_profile_is_wide_are_not_identified():
    from tabpfn_lite.growth.analysis import unidentified_exponents

    profile = {"alpha": (0.45, 0.78), "beta": (0.13, 0.30)}
    assert unidentified_exponents(profile) == [
        "alpha not identified (fits with alpha anywhere in 0.45-0.78 are within 1% of the best)"
    ]
    assert unidentified_exponents({"beta": (0.13, 0.30)}) == []


def test_the_fit_converges_whatever_the_order_of_its_points():
    from tabpfn_lite.growth.analysis import ScalingLaw, fit_scaling_law

    # Shaped like the annealed size series: six sizes, budgets 2x apart, 1% noise. With scipy's
    # default tolerances on the raw objective, a reordering of these points moved alpha by 0.05.
    true = ScalingLaw(E=0.63, A=2.2, alpha=0.6, B=2.8, beta=0.22)
    sizes, budgets = np.geomspace(786, 437_514, 6), np.geomspace(3.75e5, 1.2e7, 6)
    n, d = (a.ravel() for a in np.meshgrid(sizes, budgets))
    loss = true(n, d) * (1 + 0.01 * np.random.default_rng(0).standard_normal(n.size))
    order = np.random.default_rng(1).permutation(n.size)
    fit, refit = fit_scaling_law(n, d, loss), fit_scaling_law(n[order], d[order], loss[order])
    for name in ("alpha", "beta", "E"):
        assert getattr(refit, name) == pytest.approx(getattr(fit, name), abs=1e-4)


def test_profile_interval_holds_the_exponents_the_data_allow():
    from tabpfn_lite.growth.analysis import ScalingLaw, best_fit, local_fits, profile_interval

    true = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=80.0, beta=0.4)
    points = _law_points(true, [1e4, 1e5, 1e6])
    fits = local_fits(points["N"], points["D"], points["loss"])
    best, law = best_fit(fits)
    lo, hi = profile_interval(points, fits, "alpha")
    assert lo < law.alpha < hi and hi - lo < 0.25
    # A fit from another start as good as the best, in a valley the walk does not reach, widens
    # the interval to it.
    far = (best * 1.005, replace(law, alpha=1.5))
    assert profile_interval(points, [*fits, far], "alpha", resolution=0.01)[1] == 1.5
    # Two sizes close together barely constrain how size matters: the interval widens.
    narrow = _law_points(true, [1e4, 1.5e4])
    fits = local_fits(narrow["N"], narrow["D"], narrow["loss"])
    lo, hi = profile_interval(narrow, fits, "alpha", resolution=0.01)
    assert hi - lo > 0.25


def test_a_size_term_that_barely_moves_the_loss_is_named():
    import pandas as pd

    from tabpfn_lite.growth.analysis import ScalingLaw, negligible_terms

    points = pd.DataFrame({"N": [1e4, 1e5], "D": [1e6, 1e8], "loss": [0.5, 0.5]})
    # The N term moves the loss by 1e3 * (1e-4 - 1e-5) = 0.09 (18%); the D term by 0.00054 (0.11%).
    law = ScalingLaw(E=0.4, A=1e3, alpha=1.0, B=0.6, beta=0.5)
    assert negligible_terms(law, points) == [
        "beta's term moves the loss by 0.11% over the observed sizes (size does not matter)"
    ]


def _law_points(law, sizes, seeds=(0, 1)):
    import pandas as pd

    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        for seed in seeds:
            for d in np.geomspace(1e5, 1e8, 8):
                noise = 1 + 0.002 * rng.standard_normal()
                rows.append({"run": f"{n}/{seed}", "N": n, "D": d, "loss": law(n, d) * noise})
    return pd.DataFrame(rows)


def test_fit_report_gives_intervals_and_leave_one_size_out_errors():
    from tabpfn_lite.growth.analysis import ScalingLaw, fit_report

    true = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=80.0, beta=0.4)
    report = fit_report(_law_points(true, [1e4, 3e4, 1e5, 3e5]), boot=8)
    assert report["sizes"] == [10_000, 30_000, 100_000, 300_000] and report["n_runs"] == 8
    assert report["degenerate"] == []
    for name in ("alpha", "beta"):
        lo, hi = report["ci95"][name]  # 8 resamples: a percentile may fall just past the fit
        assert lo - 0.01 <= report["law"][name] <= hi + 0.01 and hi - lo < 0.2
        lo, hi = report["profile"][name]  # 0.2% noise: the data pin the exponents down
        assert lo <= report["law"][name] <= hi and hi - lo < 0.05
    assert report["law"]["alpha"] == pytest.approx(0.5, abs=0.1)
    assert set(report["leave_one_size_out"]) == {"10000", "30000", "100000", "300000"}
    assert report["loso_mean_rel_error"] < 0.02

    flat = ScalingLaw(E=0.4, A=1e-9, alpha=0.5, B=80.0, beta=0.4)  # model size does not matter
    reasons = fit_report(_law_points(flat, [1e4, 1e5]), boot=4)["degenerate"]
    assert any(r.startswith("alpha") for r in reasons)


def test_curvature_in_log_d_tells_a_separable_law_from_curves_that_steepen():
    from tabpfn_lite.growth.analysis import ScalingLaw, curvature_by_size, curvature_trend

    separable = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=80.0, beta=0.4)
    points = _law_points(separable, [1e4, 1e5, 1e6])
    table = curvature_by_size(points)
    assert list(table["N"]) == [10_000, 100_000, 1_000_000] and (table["points"] == 16).all()
    small = points[points["N"] == 1e4]  # the same numbers as numpy's quadratic fit
    u = np.log2(small["D"].to_numpy())
    coef, cov = np.polyfit(u - u.mean(), small["loss"], 2, cov=True)
    assert table["curvature"].iloc[0] == pytest.approx(coef[0])
    assert table["curvature_se"].iloc[0] == pytest.approx(np.sqrt(cov[0, 0]))
    assert (table["slope_per_doubling"] < 0).all()
    assert (table["t"] > 3).all()  # convex in log D, by the same amount at every size
    assert abs(curvature_trend(table)["t"]) < 2

    def steepening(n, d):  # falls ever faster in log D, the more so the larger the model
        u = np.log2(d / 1e5)
        return 0.8 - 0.002 * u - 1e-4 * np.log10(n) * u**2

    table = curvature_by_size(_law_points(steepening, [1e4, 1e5, 1e6]))
    assert (table["t"] < -3).all()
    assert curvature_trend(table)["t"] < -3


def test_kaplan_law_fit_recovers_a_known_law_and_names_an_unpinned_floor():
    from tabpfn_lite.growth.analysis import (
        KaplanLaw,
        _kaplan_objective,
        best_fit,
        kaplan_report,
        local_fits,
    )

    true = KaplanLaw(E=0.4, N_c=2e3, alpha_N=0.3, D_c=1e5, alpha_D=0.25)
    points = _law_points(true, [1e3, 3e3, 1e4, 3e4, 1e5])
    for delta in (1e-3, 1.0):  # both branches of the Huber loss
        objective = _kaplan_objective(points["N"], points["D"], points["loss"], delta)
        theta = np.array([np.log(0.3), np.log(5e3), 0.4, np.log(3e5), 0.3])
        _, grad = objective(theta)
        eps = np.eye(5) * 1e-6
        numeric = [(objective(theta + e)[0] - objective(theta - e)[0]) / 2e-6 for e in eps]
        np.testing.assert_allclose(grad, numeric, rtol=1e-5)

    separable = best_fit(local_fits(points["N"], points["D"], points["loss"]))[0]
    report = kaplan_report(points, separable)
    fitted = report["law"]
    assert fitted["alpha_N"] == pytest.approx(0.3, abs=0.03)
    assert fitted["alpha_D"] == pytest.approx(0.25, abs=0.03)
    assert fitted["E"] == pytest.approx(0.4, rel=0.05)
    low, high = report["floor_interval"]  # walked in steps of 0.01
    assert low <= fitted["E"] <= high and low - 0.01 < 0.4 < high + 0.01 and high - low < 0.05
    assert report["degenerate"] == [] and report["loso_mean_rel_error"] < 0.01
    # The separable law cannot follow a model-size gain that grows with D.
    assert report["separable_objective"] > 2 * report["objective"]

    # Budgets that stop long before the floor shows: E is not pinned down.
    early = _law_points(true, [1e3, 1e4, 1e5])
    early = early[early["D"] < 2e5].assign(D=lambda p: p["D"] / 100)
    report = kaplan_report(early, best_fit(local_fits(early["N"], early["D"], early["loss"]))[0])
    assert any(r.startswith("E not identified") for r in report["degenerate"])


def test_isoflop_charges_the_base_and_finds_the_crossing():
    import pandas as pd

    from tabpfn_lite.growth.analysis import isoflop, isoflop_summary

    def rows(operator, flops, losses, g=2, base_flops=0.0):
        return [
            {"run": f"T/seed0/g{g}/{operator}", "base": "T", "seed": 0, "g": g,
             "operator": operator, "step": i, "flops": f, "base_flops": base_flops,
             "eval_loss": v}
            for i, (f, v) in enumerate(zip(flops, losses, strict=True))
        ]  # fmt: skip

    curve = pd.DataFrame(
        rows("base", [0, 100, 1000], [1.2, 1.0, 0.8], g=1)
        + rows("szp", [0, 1000, 3000], [0.8, 0.7, 0.6], base_flops=1000.0)
        + rows("scratch", [0, 500, 2000, 8000], [1.0, 0.9, 0.75, 0.65])
    )
    iso = isoflop(curve, multiples=(0.5, 2, 4)).set_index(["budget_x_base", "operator"])["loss"]
    assert (0.5, "szp") not in iso.index  # the base alone costs more than the budget
    assert iso[(2, "szp")] == pytest.approx(0.7) and iso[(2, "scratch")] == pytest.approx(0.75)
    assert iso[(4, "szp")] == pytest.approx(0.6) and iso[(4, "scratch")] == pytest.approx(0.7)

    by_g = pd.DataFrame(
        [
            {
                "base": "T",
                "budget_x_base": 4,
                "operator": op,
                "control": "scratch",
                "g": g,
                "seed": 0,
                "loss": v,
            }
            for op, losses in (("scratch", [1.0, 0.9, 0.8]), ("szp", [0.9, 0.85, 0.9]))
            for g, v in zip([2, 4, 8], losses, strict=True)
        ]
    )
    summary = isoflop_summary(by_g).iloc[0]
    assert summary["best_g"] == 4 and summary["grown_wins_at"] == [2, 4]
    assert summary["bound"] == pytest.approx(4 * 2 ** (1 / 3))  # gap -0.05 at 4, +0.1 at 8


def test_bound_by_budget_finds_where_larger_g_stop_paying():
    from tabpfn_lite.growth.analysis import bound_by_budget

    rows = []
    for seed in range(3):
        for g, small, large in [(2, 1.5, 1.2), (4, 2.0, 0.5), (8, 3.0, 0.3)]:
            rows.append(
                {"base": "S", "budget_tpp": 10, "g": g, "seed": seed, "speedup_with_base": small}
            )
            rows.append(
                {"base": "S", "budget_tpp": 100, "g": g, "seed": seed, "speedup_with_base": large}
            )
        rows.append({"base": "T", "budget_tpp": 10, "g": 2, "seed": seed, "speedup_with_base": 0.5})
    bounds = bound_by_budget(pd.DataFrame(rows)).set_index(["base", "budget_tpp"])
    assert ("T", 10) not in bounds.index  # one g only: no bound can be read
    assert np.isnan(bounds.loc[("S", 10), "bound"])  # still pays at the largest g
    large = bounds.loc[("S", 100)]
    assert large["bound"] == 2 and large["losing_beyond"] == "6/6"
    assert large["p_beyond"] == pytest.approx(0.5**6)
    assert list(bounds.columns[:3]) == ["g=2", "g=4", "g=8"]


def test_annealed_growth_budgets_must_be_annealed_budgets(small_dump, tmp_path):
    from tabpfn_lite.growth.study import StudyConfig, plan_runs

    cfg = StudyConfig(
        data=str(small_dump),
        out=str(tmp_path),
        series_widths=(4, 8),
        anneal_cells=(3000,),
        anneal_grow_cells=(3000, 9000),
    )
    with pytest.raises(ValueError, match=r"anneal_grow_cells \[9000\] are not in anneal_cells"):
        plan_runs(cfg)


def test_a_finished_runs_record_without_a_newer_field_is_the_same_run():
    from dataclasses import asdict

    from tabpfn_lite.growth.study import RunSpec, same_spec

    run = RunSpec("S8/seed0/g2/szp", "S8", 0, 2, "szp", {"emsize": 16}, 100, 10)
    stored = {k: v for k, v in asdict(run).items() if k != "min_lr_ratio"}  # an older record
    assert same_spec(stored, run)
    assert not same_spec(stored, replace(run, min_lr_ratio=0.1))  # not its default: changed
    assert not same_spec({**stored, "steps": 200}, run)


def test_growth_gain_predicted_by_laws_fitted_without_the_size():
    from tabpfn_lite.growth.analysis import ScalingLaw, predicted_growth_gain

    scratch_law = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=80.0, beta=0.4)
    grown_law = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=40.0, beta=0.4)  # half the data term
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(1e3, 1e6, 5), np.geomspace(1e5, 1e8, 6)))
    points = [pd.DataFrame({"N": n, "D": d, "loss": law(n, d)}) for law in (scratch_law, grown_law)]
    size, cells = n[2], 1e6
    for p in points:  # the size left out is off both laws: only fits without it recover them
        p.loc[p["N"] == size, "loss"] += 0.2
    truth = grown_law(size, 2 * cells) - scratch_law(size, 1.3 * cells)
    growth = pd.DataFrame(
        {"N": size, "cells": cells, "seed": [0, 1], "D": 2 * cells, "D_scratch": 1.3 * cells,
         "difference": [truth - 1e-3, truth + 1e-3]}
    )  # fmt: skip
    gain = predicted_growth_gain(growth, *points)
    assert len(gain) == 1 and gain["seeds"].item() == 2
    assert gain["measured"].item() == pytest.approx(truth)
    assert gain["std_error"].item() == pytest.approx(1e-3)
    assert gain["predicted"].item() == pytest.approx(truth, rel=0.05)  # size 3 left out of both
    assert not gain["refit_degenerate"].item()


def test_annealed_end_against_the_constant_rate_run_at_the_same_tokens():
    from tabpfn_lite.growth.analysis import annealed_minus_constant

    def rows(run, base, tokens, losses):
        return [
            {"run": run, "base": base, "seed": 0, "operator": "scratch", "parameters": 50,
             "step": i, "cell_tokens": c, "eval_loss": loss, "base_run": None}
            for i, (c, loss) in enumerate(zip(tokens, losses, strict=True))
        ]  # fmt: skip

    curve = pd.DataFrame(
        rows("series/w4/seed0", "series", [0, 100, 1000], [1.0, 0.8, 0.6])
        + rows("annealed/w4/c316/seed0", "annealed", [0, 10**2.5], [1.0, 0.65])
        + rows("annealed/w4/c5000/seed0", "annealed", [0, 5000], [1.0, 0.5])  # past the series
    )
    diff = annealed_minus_constant(curve)
    assert diff.to_dict() == {"annealed/w4/c316/seed0": pytest.approx(0.65 - 0.7)}


def test_interpolating_in_log_compute_overstates_a_convex_loss_between_budgets():
    from tabpfn_lite.growth.analysis import ScalingLaw, interpolation_bias

    law = ScalingLaw(E=0.4, A=30.0, alpha=0.5, B=80.0, beta=0.4)
    cells = pd.DataFrame({"N": 1e4, "cells": 1e6, "D_scratch": [1e6, 1.4e6, 2e6]})
    bias = interpolation_bias(law, cells)
    assert bias[0] == pytest.approx(0, abs=1e-12) and bias[2] == pytest.approx(0, abs=1e-12)
    assert bias[1] > 0  # at the budgets themselves exact, between them in growing's favour
