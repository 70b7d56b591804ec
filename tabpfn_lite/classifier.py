"""TabPFNLiteClassifier: a scikit-learn classifier backed by a pretrained TabPFN v2 network.

`fit` preprocesses the table, builds `n_estimators` ensemble members (each with its own feature
order, class permutation and input transform) and runs their train rows through the network once,
keeping every layer's keys and values (the train-row cache). `predict_proba` then runs only the
test rows, in chunks, and averages the members' softmax outputs.
"""

from __future__ import annotations

from numbers import Integral, Real
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .checkpoint import default_checkpoint_path, load_checkpoint
from .model import TabPFN
from .preprocessing import MEMBER_TRANSFORMS, MemberTransform, TablePreprocessor, as_table


class TabPFNLiteClassifier(ClassifierMixin, BaseEstimator):
    """In-context tabular classifier (TabPFN v2 architecture, small and CPU-friendly).

    Parameters
    ----------
    n_estimators : int, default=8
        Ensemble members; each sees the features in another order, the classes under another
        permutation, and alternately raw or quantile-transformed inputs.
    checkpoint : str or Path, default=None
        Checkpoint folder; None loads the one shipped in the package.
    softmax_temperature : float, default=0.9
        Logits are divided by it before the softmax.
    random_state : int, RandomState or None, default=None
        Seeds the members' permutations; an int makes predictions reproducible.
    device : {"auto", "cpu", "cuda"}, default="auto"
    inference_chunk_size : int, default=1024
        Test rows processed at once; bounds memory in `predict_proba`.
    """

    _parameter_constraints = {
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "checkpoint": [str, Path, None],
        "softmax_temperature": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "device": [StrOptions({"auto", "cpu", "cuda"})],
        "inference_chunk_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_estimators: int = 8,
        checkpoint: str | Path | None = None,
        softmax_temperature: float = 0.9,
        random_state=None,
        device: str = "auto",
        inference_chunk_size: int = 1024,
    ):
        self.n_estimators = n_estimators
        self.checkpoint = checkpoint
        self.softmax_temperature = softmax_temperature
        self.random_state = random_state
        self.device = device
        self.inference_chunk_size = inference_chunk_size

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
        model = self._load_model()
        self.classes_, y_encoded = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"y has only 1 class ({self.classes_[0]!r}); a classifier needs at least 2 classes"
            )
        if n_classes > model.cfg.max_classes:
            raise ValueError(
                f"y has {n_classes} classes but the checkpoint supports at most "
                f"{model.cfg.max_classes}"
            )

        self.preprocessor_ = TablePreprocessor().fit(X)
        X_num = self.preprocessor_.transform(X)
        rng = check_random_state(self.random_state)
        n_features = X_num.shape[1]
        self.feature_orders_ = np.stack(
            [rng.permutation(n_features) for _ in range(self.n_estimators)]
        )
        self.class_permutations_ = np.stack(
            [rng.permutation(n_classes) for _ in range(self.n_estimators)]
        )
        seeds = rng.randint(0, 2**31 - 1, size=self.n_estimators + 1)
        self.member_transforms_ = [
            MemberTransform(
                MEMBER_TRANSFORMS[m % len(MEMBER_TRANSFORMS)],
                self.preprocessor_.categorical_mask,
                int(seeds[m]),
            ).fit(X_num)
            for m in range(self.n_estimators)
        ]
        self.X_train_ = self._member_inputs(X_num)  # (M, N, F)
        self.y_train_ = np.stack([perm[y_encoded] for perm in self.class_permutations_])  # (M, N)
        generator = torch.Generator().manual_seed(int(seeds[-1]))
        self.feature_codes_ = model.sample_feature_codes(self.n_estimators, n_features, generator)
        self._build_cache(model)
        return self

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
        model, _ = load_checkpoint(self.checkpoint_path_, device=self._resolved_device())
        return model

    def _member_inputs(self, X_num: np.ndarray) -> np.ndarray:
        """(n, F) -> (M, n, F) float32: each member's transform and feature order.

        C-contiguous always: reductions over another memory layout (e.g. after unpickling)
        would sum in another order and change the last bits of the predictions."""
        members = [
            t.transform(X_num)[:, order]
            for t, order in zip(self.member_transforms_, self.feature_orders_, strict=True)
        ]
        return np.ascontiguousarray(np.stack(members), dtype=np.float32)

    def _build_cache(self, model: TabPFN) -> None:
        device = next(model.parameters()).device
        codes = None if self.feature_codes_ is None else self.feature_codes_.to(device)
        self.model_ = model
        self.cache_ = model.build_cache(
            torch.from_numpy(self.X_train_).to(device),
            torch.from_numpy(self.y_train_).to(device),
            codes,
        )

    # ----------------------------------------------------------------------------- predict
    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities (n_rows, n_classes), columns in the order of `classes_`."""
        check_is_fitted(self)
        X = as_table(X)
        validate_data(self, X, skip_check_array=True, reset=False)
        if self.model_ is None:  # unpickled: weights and cache are not part of the pickle
            self._build_cache(self._load_model())
        device = next(self.model_.parameters()).device
        x = torch.from_numpy(self._member_inputs(self.preprocessor_.transform(X))).to(device)
        logits = self.model_.predict_from_cache(
            self.cache_, x, chunk_size=self.inference_chunk_size
        )  # (M, n, max_classes)
        n_classes = len(self.classes_)
        proba = (logits[..., :n_classes].float() / self.softmax_temperature).softmax(-1).cpu()
        perms = torch.from_numpy(self.class_permutations_)  # member class of original class c
        proba = torch.stack([p[:, perm] for p, perm in zip(proba, perms, strict=True)])
        return proba.mean(0).double().numpy()

    def predict(self, X) -> np.ndarray:
        """Most probable class for each row, as the original labels."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # ----------------------------------------------------------------------------- pickling
    def __getstate__(self) -> dict:
        # Keep pickles small: the weights are reloaded from `checkpoint_path_` and the cache is
        # rebuilt from the stored member inputs on first use.
        state = self.__dict__.copy()
        if "model_" in state:
            state["model_"], state["cache_"] = None, None
        return state
