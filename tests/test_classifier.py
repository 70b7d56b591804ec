import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import tabpfn_lite.classifier as classifier_module
from tabpfn_lite import TabPFNLiteClassifier
from tabpfn_lite.checkpoint import CheckpointError
from tabpfn_lite.preprocessing import (
    OUTLIER_SIGMAS,
    MemberTransform,
    TablePreprocessor,
    robust_mean_std,
    soften_outliers,
)


@pytest.fixture
def clf(tiny_checkpoint):
    return TabPFNLiteClassifier(checkpoint=tiny_checkpoint, n_estimators=3, random_state=0)


@pytest.fixture
def mixed_frame():
    rng = np.random.default_rng(0)
    n = 60
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "int": rng.integers(0, 5, n),
            "flag": rng.random(n) > 0.5,
            "color": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "city": rng.choice(["Oslo", "Lima", None], n).astype(object),
            "nullable": pd.array(rng.integers(0, 3, n), dtype="Int64"),
        }
    )
    X.loc[3, "num"] = np.nan
    X.loc[5, "nullable"] = pd.NA
    y = np.where(X["num"].fillna(0) + (X["color"] == "red") > 0.3, "high", "low")
    return X, y


def test_mixed_pandas_input_and_string_labels(clf, mixed_frame):
    X, y = mixed_frame
    clf.fit(X, y)
    assert list(clf.classes_) == ["high", "low"]
    assert clf.n_features_in_ == 6 and list(clf.feature_names_in_) == list(X.columns)
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 2) and np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(1), 1, atol=1e-6)
    assert set(clf.predict(X)) <= {"high", "low"}


@pytest.mark.parametrize("labels", [[True, False], [3, 7, 11], ["a", "b", "c"], [-1.0, 1.0]])
def test_predict_returns_original_labels(clf, labels):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    y = np.array(labels, dtype=object)[np.arange(40) % len(labels)]
    y = y.astype(type(labels[0])) if not isinstance(labels[0], str) else y
    pred = clf.fit(X, y).predict(X)
    assert set(pred.tolist()) <= set(labels)
    assert pred.dtype == clf.classes_.dtype


def test_unseen_category_at_predict_is_treated_as_missing(clf, mixed_frame):
    X, y = mixed_frame
    clf.fit(X, y)
    X2 = X.copy()
    X2["city"] = "Atlantis"
    X_missing = X.copy()
    X_missing["city"] = None
    np.testing.assert_allclose(clf.predict_proba(X2), clf.predict_proba(X_missing))


def test_random_state_reproducible_and_members_differ(tiny_checkpoint):
    X, y = load_iris(return_X_y=True)
    a = TabPFNLiteClassifier(checkpoint=tiny_checkpoint, random_state=3).fit(X, y)
    b = TabPFNLiteClassifier(checkpoint=tiny_checkpoint, random_state=3).fit(X, y)
    c = TabPFNLiteClassifier(checkpoint=tiny_checkpoint, random_state=4).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.allclose(a.predict_proba(X), c.predict_proba(X))


def test_train_row_order_invariance(tiny_checkpoint):
    X, y = load_iris(return_X_y=True)
    perm = np.random.default_rng(0).permutation(len(y))
    kw = dict(checkpoint=tiny_checkpoint, n_estimators=1, random_state=0)
    a = TabPFNLiteClassifier(**kw).fit(X, y)
    b = TabPFNLiteClassifier(**kw).fit(X[perm], y[perm])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_chunk_size_does_not_change_predictions(tiny_checkpoint):
    X, y = load_iris(return_X_y=True)
    a = TabPFNLiteClassifier(checkpoint=tiny_checkpoint, random_state=0).fit(X, y)
    b = clone(a).set_params(inference_chunk_size=7).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-5, atol=1e-6)


def test_pickle_round_trip_without_weights(clf, mixed_frame, tiny_checkpoint):
    X, y = mixed_frame
    clf.fit(X, y)
    blob = pickle.dumps(clf)
    weights_size = (tiny_checkpoint / "model.safetensors").stat().st_size
    assert (tiny_checkpoint / "model.safetensors").read_bytes()[-256:] not in blob
    assert len(blob) < weights_size + 200_000
    restored = pickle.loads(blob)  # the train-row cache is rebuilt from the stored inputs
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


def test_sklearn_composition(clf):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), clone(clf))
    assert cross_val_score(pipe, X, y, cv=3).shape == (3,)
    grid = GridSearchCV(clone(clf), {"softmax_temperature": [0.5, 1.0]}, cv=2).fit(X, y)
    assert grid.best_params_["softmax_temperature"] in (0.5, 1.0)
    assert clone(clf).get_params() == clf.get_params()


def fitted_error(clf, X, y, exc=ValueError, match=None):
    with pytest.raises(exc, match=match):
        clf.fit(X, y)


def test_fit_errors(clf):
    X = np.random.default_rng(0).normal(size=(30, 4))
    fitted_error(clf, X, np.zeros(30), match="only 1 class")
    fitted_error(clf.set_params(max_train_rows=5), X, np.arange(30) % 6, match="max_train_rows=5")
    clf.set_params(max_train_rows=1024)
    X_inf = X.copy()
    X_inf[2, 1] = np.inf
    fitted_error(clf, X_inf, np.arange(30) % 2, match="infinity in column")
    y_nan = (np.arange(30) % 2).astype(float)
    y_nan[4] = np.nan
    fitted_error(clf, X, y_nan, match="missing label")
    y_none = np.array(["a", "b"] * 15, dtype=object)
    y_none[0] = None
    fitted_error(clf, X, y_none, match="missing label")
    fitted_error(clf, X[:0], np.array([]), match="0 sample")
    fitted_error(clf, X, np.arange(29) % 2, match="30 rows but y has 29")
    fitted_error(clf, X, None, match="requires y to be passed")
    fitted_error(clf, X, np.array([1, "a"] * 15, dtype=object), TypeError, match="mixes label")
    with pytest.raises(ValueError, match="n_estimators"):
        clf.set_params(n_estimators=0).fit(X, np.arange(30) % 2)


def test_predict_errors(clf):
    X = np.random.default_rng(0).normal(size=(30, 4))
    clf.fit(X, np.arange(30) % 2)
    with pytest.raises(
        ValueError, match="X has 3 features, but TabPFNLiteClassifier is expecting 4"
    ):
        clf.predict(X[:, :3])
    X_inf = X.copy()
    X_inf[0, 0] = -np.inf
    with pytest.raises(ValueError, match="infinity"):
        clf.predict(X_inf)


def test_missing_weights_give_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(classifier_module, "default_checkpoint_path", lambda: tmp_path / "gone")
    X, y = load_iris(return_X_y=True)
    with pytest.raises(CheckpointError, match="no checkpoint at .*gone"):
        TabPFNLiteClassifier().fit(X, y)


@pytest.mark.parametrize("loader, floor", [(load_breast_cancer, 0.97), (load_iris, 0.97)])
def test_default_checkpoint_accuracy_on_real_data(loader, floor):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, stratify=y, random_state=0)
    clf = TabPFNLiteClassifier(random_state=0).fit(Xtr, ytr)
    proba = clf.predict_proba(Xte)
    auc = roc_auc_score(yte, proba[:, 1] if proba.shape[1] == 2 else proba, multi_class="ovo")
    assert auc >= floor
    assert (clf.predict(Xte) == yte).mean() >= 0.85


def test_all_categorical_table(clf):
    X = pd.DataFrame({"a": list("xyzxyz" * 5), "b": pd.Categorical(list("pq" * 15))})
    y = np.arange(30) % 2
    proba = clf.fit(X, y).predict_proba(X)
    assert proba.shape == (30, 2) and np.isfinite(proba).all()


def test_quantile_member_transform_gives_scikit_learns_normal_scores_exactly():
    from sklearn.preprocessing import QuantileTransformer

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5)) * np.array([1e-8, 1.0, 1.0, 1e6, 1.0])
    X[:, 1] = np.round(X[:, 1])  # ties
    X[:, 2] = 3.0  # constant
    X[rng.random(X.shape) < 0.1] = np.nan
    unseen = np.vstack([X, 1.5 * X + 1e-8, X - 1e-8])  # beyond and just inside the train range
    t = MemberTransform("quantile", np.zeros(5, bool), 0).fit(X)
    reference = QuantileTransformer(n_quantiles=300, output_distribution="normal", random_state=0)
    expected = reference.fit(t._numeric(X)).transform(t._numeric(unseen))
    np.testing.assert_array_equal(t.transform(unseen), expected)


def test_onehot_member_transform_gives_one_indicator_per_level():
    categorical = np.array([False, True, True, True])
    n_levels = np.array([0, 3, 2, 12])  # 2 levels: already an indicator; 12: too many
    X = np.array([[0.5, 0, 1, 4], [1.5, 2, 0, 11], [2.5, np.nan, 1, 0]])
    t = MemberTransform("none", categorical, 0, "onehot", n_levels).fit(X)
    out = t.transform(X)
    assert t.n_features_out == out.shape[1] == 6
    np.testing.assert_array_equal(out[:, :3], X[:, [0, 2, 3]])  # other columns unchanged
    np.testing.assert_array_equal(out[:, 3:], [[1, 0, 0], [0, 0, 1], [0, 0, 0]])  # NaN: none
    ordinal = MemberTransform("none", categorical, 0, "ordinal", n_levels).fit(X)
    np.testing.assert_array_equal(ordinal.transform(X), X)
    with pytest.raises(ValueError, match="unknown categorical encoding 'dummy'"):
        MemberTransform("none", categorical, 0, "dummy", n_levels)


def test_missing_level_member_sees_a_missing_category_as_a_level_of_its_own(mixed_frame):
    categorical = np.array([False, True])
    X = np.array([[np.nan, 0], [1.5, np.nan], [2.5, 2]])
    t = MemberTransform("none", categorical, 0, "ordinal", np.array([0, 3]), True).fit(X)
    np.testing.assert_array_equal(t.transform(X), [[np.nan, 0], [1.5, 3], [2.5, 2]])  # numbers: NaN

    clf = TabPFNLiteClassifier(n_estimators=8, random_state=0).fit(*mixed_frame)
    assert [t.missing_level for t in clf.member_transforms_] == [False] * 4 + [True] * 4


def test_soften_outliers_keeps_inliers_order_and_missing_values():
    x = np.r_[np.random.default_rng(0).normal(size=200), [1e6, -1e3, np.nan]][:, None]
    mean, std = robust_mean_std(x, OUTLIER_SIGMAS)
    assert abs(mean[0]) < 0.2 and 0.8 < std[0] < 1.2  # not inflated by 1e6
    out = soften_outliers(x, mean, std, OUTLIER_SIGMAS)
    np.testing.assert_array_equal(out[:200], x[:200])  # inliers unchanged
    assert np.isnan(out[-1, 0])
    assert (np.argsort(out[:-1, 0]) == np.argsort(x[:-1, 0])).all()  # order kept
    assert 4 < out[200, 0] < mean[0] + 20 * std[0] and -20 < out[201, 0] < -4
    # Units do not matter: softening a*x + b gives a*out + b.
    a, b = 1e4, -3.0
    scaled = soften_outliers(a * x + b, *robust_mean_std(a * x + b, OUTLIER_SIGMAS), OUTLIER_SIGMAS)
    np.testing.assert_allclose(scaled, a * out + b)


def test_member_transform_softens_outliers_with_train_bounds():
    X_train = np.c_[np.random.default_rng(1).normal(size=100), np.arange(100) % 3, np.zeros(100)]
    categorical = np.array([False, True, False])
    for kind in ("none", "quantile"):
        t = MemberTransform(kind, categorical, 0).fit(X_train)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a constant column must not warn
            out = t.transform(np.array([[1e9, 2.0, 0.0], [0.0, 1.0, 5.0]]))
        assert np.isfinite(out).all() and out[0, 0] < 30 and out[:, 1].tolist() == [2.0, 1.0]
    t = MemberTransform("none", categorical, 0).fit(X_train)
    np.testing.assert_array_equal(t.transform(X_train), X_train)  # no outliers: unchanged


def test_all_missing_column_stays_missing_without_warnings():
    X = np.c_[np.arange(20.0), np.full(20, np.nan)]
    for kind in ("none", "quantile"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = MemberTransform(kind, np.array([False, False]), 0).fit(X).transform(X)
        assert np.isnan(out[:, 1]).all() and np.isfinite(out[:, 0]).all()


def test_members_alternate_ordinal_and_onehot_categories(clf, mixed_frame):
    X, y = mixed_frame  # "color": 3 levels; "city": 2 levels, never one-hot
    clf.set_params(n_estimators=4).fit(X, y)
    assert [t.encoding for t in clf.member_transforms_] == ["ordinal"] * 2 + ["onehot"] * 2
    assert [x.shape[1] for x in clf.X_train_] == [6, 6, 8, 8]
    assert sorted(clf.feature_orders_[2]) == list(range(8))
    numeric_only = X.drop(columns=["color"])
    clf.fit(numeric_only, y)  # nothing to one-hot: every member is ordinal
    assert {t.encoding for t in clf.member_transforms_} == {"ordinal"}
    assert np.isfinite(clf.predict_proba(numeric_only)).all()


def test_outlier_bounds_of_a_long_table_come_from_a_row_sample():
    x = np.r_[np.random.default_rng(2).normal(size=30_000), [1e9]][:, None]
    t = MemberTransform("none", np.array([False]), 0).fit(x)
    assert abs(t.mean_[0]) < 0.05 and 0.9 < t.std_[0] < 1.1
    assert t.transform(x)[-1, 0] < 30  # softened whether or not the sample held it


def test_category_codes_follow_the_declared_order_of_a_categorical():
    sizes = ["small", "medium", "large", "huge", "small", "large"]
    levels = [str(i) for i in range(12)]  # '10' must not sort before '2'
    X = pd.DataFrame(
        {
            "size": pd.Categorical(sizes, categories=["small", "medium", "large", "huge", "gone"]),
            "level": pd.Categorical(levels[:6], categories=levels),
            "mixed": pd.Series([10, "b", 2, "a", 2.5, None], dtype=object),
            "text": ["b", "a", "c", "a", None, "b"],
        }
    )
    preprocessor = TablePreprocessor().fit(X)
    codes = preprocessor.transform(X)
    np.testing.assert_array_equal(codes[:, 0], [0, 1, 2, 3, 0, 2])  # not alphabetical
    np.testing.assert_array_equal(codes[:, 1], [0, 1, 2, 3, 4, 5])
    np.testing.assert_array_equal(codes[:, 2], [2, 4, 0, 3, 1, np.nan])  # numbers by value
    np.testing.assert_array_equal(codes[:, 3], [1, 0, 2, 0, np.nan, 1])
    # A declared category absent from fit has no code: it is unseen, hence missing.
    gone = X.iloc[:1].assign(size=pd.Categorical(["gone"], categories=X["size"].cat.categories))
    assert np.isnan(preprocessor.transform(gone)[0, 0])


def test_each_member_gets_orthogonal_feature_codes(clf):
    X, y = load_iris(return_X_y=True)
    clf.fit(X, y)
    for codes in clf.feature_codes_:  # (1, T, d): 4 features -> 2 tokens
        gram = codes[0] @ codes[0].T
        assert abs(gram[0, 1]) < 1e-4 * gram.diagonal().max()


def test_estimators_share_a_checkpoints_network_until_its_weights_change(tiny_checkpoint, tmp_path):
    import os
    import shutil

    checkpoint = shutil.copytree(tiny_checkpoint, tmp_path / "checkpoint")
    X, y = load_iris(return_X_y=True)
    a = TabPFNLiteClassifier(checkpoint=checkpoint, n_estimators=1, random_state=0).fit(X, y)
    b = TabPFNLiteClassifier(checkpoint=checkpoint, n_estimators=1, random_state=0).fit(X, y)
    assert a.model_ is b.model_
    weights = checkpoint / "model.safetensors"
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    c = TabPFNLiteClassifier(checkpoint=checkpoint, n_estimators=1, random_state=0).fit(X, y)
    assert c.model_ is not a.model_
    np.testing.assert_array_equal(c.predict_proba(X), a.predict_proba(X))
