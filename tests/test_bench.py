"""The OpenML harness, offline on 2 datasets x 2 folds."""

from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("openml")
from tabpfn_lite.bench.harness import COLUMNS, main  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
CACHE = SHARED / "openml_cache"
pytestmark = pytest.mark.skipif(not CACHE.is_dir(), reason="needs ../shared/datasets")


def test_harness_offline_writes_results_and_resumes(tmp_path, tiny_checkpoint):
    out = tmp_path / "bench"
    argv = [
        "--datasets",
        "11",
        "15",
        "--methods",
        "lite",
        "logreg",
        "--folds",
        "2",
        "--checkpoint",
        str(tiny_checkpoint),
        "--openml-cache",
        str(CACHE),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    results = pd.read_csv(out / "results.csv")
    assert list(results.columns) == COLUMNS
    assert len(results) == 2 * 2 * 2
    assert results["error"].isna().all()
    assert results["roc_auc"].between(0, 1).all() and (results["fit_seconds"] > 0).all()
    assert set(results["method"]) == {"lite", "logreg"} and set(results["fold"]) == {0, 1}
    summary = (out / "summary.md").read_text()
    assert "mean ROC-AUC" in summary and "balance-scale" in summary and "--folds 2" in summary
    accuracy = summary.split("## Per-dataset accuracy (mean over folds)")[1]
    balance_scale = results[(results["dataset"] == 11) & (results["method"] == "lite")]
    assert f"{balance_scale['accuracy'].mean():.4f}" in accuracy.split("\n\n")[1]
    assert (out / "mean_rank.png").stat().st_size > 0

    assert main(argv) == 0  # a re-run skips the folds already in the CSV
    assert len(pd.read_csv(out / "results.csv")) == 8


def test_failing_method_is_recorded_and_the_run_goes_on(tmp_path):
    out = tmp_path / "bench"
    assert (
        main(
            [
                "--datasets",
                "15",
                "--methods",
                "lite",
                "xgb",
                "--folds",
                "1",
                "--checkpoint",
                str(tmp_path / "missing"),
                "--openml-cache",
                str(CACHE),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    results = pd.read_csv(out / "results.csv").set_index("method")
    assert "no checkpoint at" in results.loc["lite", "error"]
    assert results.loc["xgb", "roc_auc"] > 0.9


def test_paper_protocol_puts_published_numbers_beside_ours(tmp_path):
    out = tmp_path / "paper"
    assert (
        main(
            [
                "--datasets",
                "11",
                "--methods",
                "logreg",
                "--folds",
                "2",
                "--protocol",
                "paper",
                "--openml-cache",
                str(CACHE),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    results = pd.read_csv(out / "results.csv")
    assert (results["n_train"] == 312).all()  # half of 625, under the 1000-row cap
    assert "paper TabPFN v1" in (out / "summary.md").read_text()


def test_seed_option_offsets_every_methods_seed(tmp_path, monkeypatch):
    import tabpfn_lite.bench.methods as methods

    seeds = []

    def spy(categorical, seed):
        seeds.append(seed)
        return methods.BASELINES["logreg"](categorical, seed)

    monkeypatch.setitem(methods.BASELINES, "spy", spy)
    argv = ["--datasets", "11", "--methods", "spy", "--folds", "2", "--seed", "100"]
    assert main([*argv, "--openml-cache", str(CACHE), "--out", str(tmp_path / "b")]) == 0
    assert seeds == [100, 101]


def test_lite_expands_to_one_method_per_ensemble_size():
    from tabpfn_lite.bench.methods import method_factories

    methods = method_factories(["lite", "xgb"], None, [1, 4])
    assert list(methods) == ["lite[n_estimators=1]", "lite[n_estimators=4]", "xgb"]
    assert methods["lite[n_estimators=4]"]([], 0).n_estimators == 4
    only = method_factories(["lite"], ["a/m1", "b/m2"])
    assert list(only) == ["lite[m1]", "lite[m2]"]
    assert only["lite[m2]"]([], 0).get_params()["checkpoint"] == "b/m2"
    assert list(method_factories(["lite"], None, [2])) == ["lite[n_estimators=2]"]  # named
    assert list(method_factories(["lite"], None)) == ["lite"]
    both = method_factories(["lite"], ["a/m1", "b/m2"], [1, 2])
    assert "lite[m2; n_estimators=1]" in both and len(both) == 4  # no comma: safe in the CSV
    runs = method_factories(["lite"], ["runs/stage4", "runs/stage5/checkpoint"])
    assert list(runs) == ["lite[stage4]", "lite[stage5]"]  # a run's checkpoint/: the run's name


def test_lite_expands_to_one_method_per_setting_and_rejects_unknown_ones():
    import argparse

    from tabpfn_lite.bench.methods import lite_param, method_factories

    assert lite_param("max_features=32") == {"max_features": 32}
    assert lite_param("softmax_temperature=0.8") == {"softmax_temperature": 0.8}
    assert lite_param("pickle_weights=False") == {"pickle_weights": False}
    assert lite_param("device=cpu") == {"device": "cpu"}
    with pytest.raises(argparse.ArgumentTypeError, match="NAME=VALUE"):
        lite_param("max_features")
    variants = [lite_param("max_features=16"), lite_param("max_features=32")]
    methods = method_factories(["lite"], None, None, variants)
    assert list(methods) == ["lite[max_features=16]", "lite[max_features=32]"]
    assert methods["lite[max_features=32]"]([], 0).max_features == 32
    with pytest.raises(ValueError, match="unknown 'lite' setting max_feature;"):
        method_factories(["lite"], None, None, [{"max_feature": 3}])
    with pytest.raises(ValueError, match="cannot set checkpoint: use --checkpoint"):
        method_factories(["lite"], None, None, [{"checkpoint": "x"}])
    with pytest.raises(ValueError, match="asked for twice"):
        method_factories(["lite"], None, [8], [{"n_estimators": 8}])


def test_extra_suite_runs_offline_with_local_stratified_folds(tmp_path):
    from tabpfn_lite.bench.data import load_table, splits, use_offline_cache

    use_offline_cache(CACHE)
    titanic = load_table(40945)
    assert not {"boat", "body", "name", "ticket", "cabin", "home.dest"} & set(titanic.X.columns)
    folds = list(splits(titanic, "kfold", 3, None))
    tests = [test for _, _, test in folds]
    assert [fold for fold, _, _ in folds] == [0, 1, 2]
    assert len(set(map(tuple, tests))) == 3 and not set(tests[0]) & set(tests[1])
    for _, train, test in folds:  # stratified: each test fold has the table's class balance
        assert not set(train) & set(test)
        assert abs(titanic.y[test].mean() - titanic.y.mean()) < 0.02

    out = tmp_path / "extra"
    argv = ["--suite", "extra", "--protocol", "kfold", "--methods", "logreg", "--folds", "2"]
    assert main([*argv, "--datasets", "61", "--openml-cache", str(CACHE), "--out", str(out)]) == 0
    results = pd.read_csv(out / "results.csv")
    assert len(results) == 2 and results["error"].isna().all() and results["roc_auc"].gt(0.9).all()


def test_paired_differences_pair_folds_and_skip_failed_ones():
    from tabpfn_lite.bench.report import paired_differences

    rows = [
        # dataset, fold, method, accuracy, roc_auc, log_loss, error
        (1, 0, "lite[a]", 0.80, 0.90, 0.40, ""),
        (1, 0, "lite[b]", 0.82, 0.91, 0.30, ""),
        (1, 1, "lite[a]", 0.70, 0.80, 0.50, ""),
        (1, 1, "lite[b]", 0.74, 0.80, 0.50, ""),
        (2, 0, "lite[a]", 0.60, 0.70, 0.60, ""),
        (2, 0, "lite[b]", 0.00, 0.50, 9.99, "RuntimeError: out of memory"),
    ]
    results = pd.DataFrame(
        rows, columns=["dataset", "fold", "method", "accuracy", "roc_auc", "log_loss", "error"]
    )
    table = paired_differences(results, "lite[a]")
    row = table.loc["lite[b]"]
    assert row["pairs"] == 2  # the failed fold has no pair
    assert row["accuracy difference"] == pytest.approx(0.03)
    assert row["accuracy std error"] == pytest.approx(0.01)  # std 0.01414 / sqrt(2)
    assert row["roc_auc difference"] == pytest.approx(0.005)
    assert row["log_loss difference"] == pytest.approx(-0.05)
