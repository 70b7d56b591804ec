"""Real-world input: many classes, large tables, odd and bad input, reproducibility."""

import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.datasets import load_digits, make_classification
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.classifier import class_code, class_covering_subset, combine_members


@pytest.fixture
def clf(tiny_checkpoint):
    return TabPFNLiteClassifier(checkpoint=tiny_checkpoint, n_estimators=2, random_state=0)


# ------------------------------------------------------------------------------ many classes
def mirrored_digits():
    """A real 20-class table: the digits images and their mirror images as 10 more classes."""
    X, y = load_digits(return_X_y=True)
    mirrored = X.reshape(-1, 8, 8)[:, :, ::-1].reshape(-1, 64)
    return np.concatenate([X, mirrored]), np.concatenate([y, y + 10])


def test_many_classes_on_a_real_table_beat_chance_by_far():
    X, y = mirrored_digits()
    Xtr, Xte, ytr, yte = train_test_split(X, y, train_size=800, test_size=400, random_state=0)
    clf = TabPFNLiteClassifier(n_estimators=4, random_state=0).fit(Xtr, ytr)
    assert clf.n_members_ == 8  # 4 x ceil(20 / 10)
    assert 1 <= clf.ecoc_temperature_ <= 16
    proba = clf.predict_proba(Xte)
    assert proba.shape == (400, 20) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)
    assert accuracy_score(yte, clf.classes_[proba.argmax(1)]) > 0.5  # chance: 0.05


def test_many_classes_synthetic_with_string_labels(clf):
    X, y = make_classification(
        n_samples=300,
        n_features=6,
        n_informative=5,
        n_redundant=0,
        n_classes=26,
        n_clusters_per_class=1,
        random_state=0,
    )
    labels = np.array([chr(ord("a") + k) for k in range(26)])[y]
    clf.fit(X, labels)
    assert list(clf.classes_) == sorted(set(labels))
    proba = clf.predict_proba(X)
    assert proba.shape == (300, 26) and (proba > 0).all()
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)


def test_class_codes_are_balanced_and_permutations_when_classes_fit():
    rng = np.random.RandomState(0)
    assert sorted(class_code(7, 10, rng)) == list(range(7))
    code = class_code(26, 10, rng)
    assert set(np.bincount(code)) == {2, 3} and len(np.bincount(code)) == 10


def test_combine_members_returns_float64_numpy_summing_to_one():
    codes = np.array([[0, 1, 2, 0, 1], [2, 1, 0, 1, 0]], dtype=np.int32)
    logits = torch.randn(2, 7, 10)
    proba = combine_members(logits, codes)
    assert isinstance(proba, np.ndarray) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-12)


def test_combine_members_decodes_the_class_all_members_agree_on():
    codes = np.array([[0, 0, 1, 1], [0, 1, 0, 1]])  # 4 classes on 2 outputs, 2 members
    logits = torch.tensor([[[5.0, -5.0]], [[-5.0, 5.0]]])  # member 0: output 0, member 1: 1
    proba = combine_members(logits, codes)
    assert proba.argmax() == 1 and proba[0, 1] > 0.9  # class 1 is (0 in member 0, 1 in member 1)
    softer = combine_members(logits, codes, ecoc_temperature=4.0)
    assert softer.argmax() == 1 and 0.25 < softer[0, 1] < proba[0, 1]
    perm_codes = np.array([[1, 0], [0, 1]])
    proba = combine_members(torch.tensor([[[2.0, 0.0]], [[2.0, 0.0]]]), perm_codes)
    np.testing.assert_allclose(proba[0], [0.5, 0.5], atol=1e-6)  # members disagree evenly


# ------------------------------------------------------------------------------ large tables
def test_class_covering_subset_keeps_every_class():
    rng = np.random.RandomState(0)
    y = np.array([0] * 1000 + [1] * 5 + [2])
    idx = class_covering_subset(y, 50, rng)
    assert len(idx) == 50 and set(y[idx]) == {0, 1, 2} and len(set(idx)) == 50
    assert (np.diff(idx) > 0).all()
    np.testing.assert_array_equal(class_covering_subset(y, None, rng), np.arange(len(y)))


def test_large_and_wide_tables_are_subsampled_per_member(clf):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 120)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    clf.set_params(max_train_rows=256, max_features=32, n_estimators=3).fit(X, y)
    assert [x.shape for x in clf.X_train_] == [(256, 32)] * 3
    assert [len(order) for order in clf.feature_orders_] == [32] * 3
    assert len({tuple(r[:10]) for r in clf.train_rows_}) == 3  # members see other rows
    assert clf.predict_proba(X[:50]).shape == (50, 2)


# ------------------------------------------------------------------------------ odd input
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=arrays(
        np.float64,
        st.tuples(st.integers(2, 30), st.integers(1, 6)),
        elements=st.one_of(st.floats(-1e6, 1e6), st.just(np.nan)),
    ),
    dtype=st.sampled_from([np.float64, np.float32, np.float16, np.int8, bool]),
    order=st.sampled_from(["C", "F", "strided"]),
)
def test_any_finite_or_missing_numeric_table_gives_valid_probabilities(clf, data, dtype, order):
    if dtype is not np.float64 and dtype is not np.float32:
        data = np.nan_to_num(data).clip(-100, 100)
    X = data.astype(dtype)
    if order == "F":
        X = np.asfortranarray(X)
    elif order == "strided":
        X = np.repeat(X, 2, axis=1)[:, ::2]
    y = np.arange(len(X)) % 2
    proba = clf.fit(X, y).predict_proba(X)
    assert proba.shape == (len(X), 2)
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.just(pd.NA),
            st.just(np.nan),
            st.integers(-5, 5),
            st.text("abc", max_size=3),
            st.floats(-10, 10),
            st.booleans(),
        ),
        min_size=8,
        max_size=8,
    )
)
def test_mixed_object_columns_work_or_name_the_problem(clf, values):
    X = pd.DataFrame({"mixed": pd.Series(values, dtype=object), "num": np.arange(8.0)})
    y = np.arange(8) % 2
    proba = clf.fit(X, y).predict_proba(X)
    assert proba.shape == (8, 2) and np.isfinite(proba).all()


def test_odd_columns(clf, rng):
    n = 40
    X = pd.DataFrame(
        {
            "const": np.ones(n),
            "dup_a": rng.normal(size=n),
            "when": pd.date_range("2020-01-01", periods=n, freq="D"),
            "all_missing": np.full(n, np.nan),
        }
    )
    X["dup_b"] = X["dup_a"]
    y = np.array(["rare"] + ["x", "y"] * ((n - 1) // 2) + ["x"] * ((n - 1) % 2))
    proba = clf.fit(X, y).predict_proba(X)
    assert proba.shape == (n, 3) and np.isfinite(proba).all()
    assert clf.n_features_in_ == 5  # nothing dropped


def test_wide_tables_keep_the_informative_features(clf, rng):
    X = rng.normal(size=(200, 300))
    y = (X[:, 7] + X[:, 123] > 0).astype(int)
    clf.set_params(max_features=32, n_estimators=4).fit(X, y)
    kept = [set(order) for order in clf.feature_orders_]
    assert all({7, 123} <= k for k in kept)
    assert len(set.union(*kept)) > 32  # members still differ


def test_one_feature_and_a_thousand_features(clf, rng):
    y = np.arange(30) % 2
    assert clf.fit(rng.normal(size=(30, 1)), y).predict_proba(rng.normal(size=(5, 1))).shape == (
        5,
        2,
    )
    wide = rng.normal(size=(30, 1000))
    clf.set_params(max_features=64).fit(wide, y)
    assert clf.n_features_in_ == 1000 and {x.shape[1] for x in clf.X_train_} == {64}
    assert np.isfinite(clf.predict_proba(wide)).all()


def test_predict_time_column_problems_are_named(clf, rng):
    X = pd.DataFrame({"a": rng.normal(size=20), "b": rng.normal(size=20)})
    y = np.arange(20) % 2
    clf.fit(X, y)
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X[["b", "a"]])
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(X.rename(columns={"a": "c"}))
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(X.iloc[:0])
    X_inf = X.copy()
    X_inf.loc[0, "a"] = -np.inf
    with pytest.raises(ValueError, match="infinity in column"):
        clf.predict(X_inf)


# ------------------------------------------------------------------------------ reproducibility
def test_same_predictions_with_one_or_two_threads(rng):
    X = rng.normal(size=(300, 8))
    y = (X[:, 0] > 0).astype(int)
    before = torch.get_num_threads()
    try:
        out = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            clf = TabPFNLiteClassifier(n_estimators=2, random_state=3).fit(X, y)
            out.append(clf.predict_proba(X))
    finally:
        torch.set_num_threads(before)
    np.testing.assert_array_equal(out[0], out[1])


def test_joblib_and_pickle_round_trips_without_weights(clf, rng, tmp_path):
    X = rng.normal(size=(50, 4))
    y = (X[:, 0] > 0).astype(int)
    clf.fit(X, y)
    expected = clf.predict_proba(X)
    joblib.dump(clf, tmp_path / "clf.joblib")
    restored = joblib.load(tmp_path / "clf.joblib")
    assert restored.model_ is None and restored.cache_ is None  # weights reload from checkpoint_
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict_proba(X), expected)


def test_pickle_weights_makes_the_pickle_self_contained(rng, tmp_path):
    import shutil

    from tabpfn_lite.checkpoint import save_checkpoint

    from .conftest import randomized_model

    ckpt = save_checkpoint(randomized_model(), tmp_path / "ckpt")
    X = rng.normal(size=(50, 4))
    y = (X[:, 0] > 0).astype(int)
    lean = TabPFNLiteClassifier(checkpoint=ckpt, n_estimators=2, random_state=0).fit(X, y)
    full = TabPFNLiteClassifier(
        checkpoint=ckpt, n_estimators=2, random_state=0, pickle_weights=True
    ).fit(X, y)
    expected = full.predict_proba(X)
    lean_bytes, full_bytes = pickle.dumps(lean), pickle.dumps(full)
    weights = (ckpt / "model.safetensors").stat().st_size
    assert len(full_bytes) - len(lean_bytes) > 0.9 * weights
    shutil.rmtree(ckpt)  # the checkpoint folder is gone
    np.testing.assert_array_equal(pickle.loads(full_bytes).predict_proba(X), expected)
    with pytest.raises(ValueError, match="no checkpoint"):
        pickle.loads(lean_bytes).predict_proba(X)
    refit = pickle.loads(full_bytes).set_params(checkpoint=tmp_path / "gone")
    with pytest.raises(ValueError, match="no checkpoint"):  # refit reads the checkpoint again
        refit.fit(X, y)
