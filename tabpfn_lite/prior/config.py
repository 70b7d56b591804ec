"""Configuration of the synthetic prior: table sizes, the mixture of samplers, post-processing."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

SAMPLERS = ("mlp", "tree", "gp", "rule")  # order fixes the prior_type codes of a dump


@dataclass(frozen=True)
class PriorConfig:
    min_rows: int = 64
    max_rows: int = 1024
    min_features: int = 1
    max_features: int = 100
    max_classes: int = 10
    binary_prob: float = 0.5  # P(2 classes); otherwise uniform over 3..max_classes
    train_fraction: tuple[float, float] = (0.3, 0.9)  # of the rows, uniform per size group
    # Consecutive datasets share rows, features and split position, so a training batch drawn
    # from one group has no padding and one split.
    size_group: int = 32
    mixture: dict[str, float] = field(
        default_factory=lambda: {"mlp": 0.65, "tree": 0.3, "gp": 0.05}
    )
    categorical_prob: float = 0.2  # P(a dataset has categorical columns)
    missing_prob: float = 0.15  # P(a dataset has missing values)
    max_missing_rate: float = 0.3
    clip_sigma: float = 10.0  # outliers clipped at this many train standard deviations

    def __post_init__(self) -> None:
        if not 2 <= self.min_rows <= self.max_rows:
            raise ValueError(
                f"need 2 <= min_rows <= max_rows, got {self.min_rows}, {self.max_rows}"
            )
        if not 1 <= self.min_features <= self.max_features:
            raise ValueError(
                f"need 1 <= min_features <= max_features, got {self.min_features}, "
                f"{self.max_features}"
            )
        if self.max_classes < 2:
            raise ValueError(f"max_classes must be >= 2, got {self.max_classes}")
        if self.size_group < 1:
            raise ValueError(f"size_group must be >= 1, got {self.size_group}")
        lo, hi = self.train_fraction
        if not 0 < lo <= hi < 1:
            raise ValueError(
                f"train_fraction must satisfy 0 < lo <= hi < 1, got {self.train_fraction}"
            )
        unknown = set(self.mixture) - set(SAMPLERS)
        if unknown or not self.mixture:
            raise ValueError(f"mixture keys must be among {SAMPLERS}, got {sorted(self.mixture)}")
        if any(w < 0 for w in self.mixture.values()) or sum(self.mixture.values()) <= 0:
            raise ValueError(f"mixture weights must be >= 0 with a positive sum: {self.mixture}")
        for name in ("binary_prob", "categorical_prob", "missing_prob", "max_missing_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PriorConfig:
        d = json.loads(text)
        known = {f.name for f in fields(cls)}
        if set(d) - known:
            raise ValueError(f"unknown PriorConfig fields: {sorted(set(d) - known)}")
        if "train_fraction" in d:
            d["train_fraction"] = tuple(d["train_fraction"])
        return cls(**d)
