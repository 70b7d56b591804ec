"""The one configuration dataclass of the TabPFN v2 network."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

PARAMETRIZATIONS = ("sp", "mup")


@dataclass(frozen=True)
class ModelConfig:
    emsize: int = 96  # width of every token
    nlayers: int = 4
    nheads: int = 4
    mlp_hidden: int = 192  # hidden width of the per-layer MLP
    decoder_hidden: int = 192  # hidden width of the decoder MLP on the target token
    features_per_token: int = 2  # TabPFN v2 groups 2 features into one token
    feature_code_dim: int = 16  # random per-token identity code; 0 turns it off
    max_classes: int = 10
    clip_value: float = 100.0  # normalised inputs are clipped to +-clip_value
    parametrization: str = "sp"  # "sp" (standard) or "mup"
    base_emsize: int = 96  # muP reference width (width_mult = emsize / base_emsize)

    def __post_init__(self) -> None:
        for name in ("emsize", "nlayers", "nheads", "mlp_hidden", "decoder_hidden"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.emsize % self.nheads:
            raise ValueError(f"emsize={self.emsize} is not divisible by nheads={self.nheads}")
        if self.features_per_token < 1:
            raise ValueError(f"features_per_token must be >= 1, got {self.features_per_token}")
        if self.max_classes < 2:
            raise ValueError(f"max_classes must be >= 2, got {self.max_classes}")
        if self.parametrization not in PARAMETRIZATIONS:
            raise ValueError(
                f"parametrization must be one of {PARAMETRIZATIONS}, got {self.parametrization!r}"
            )

    @property
    def head_dim(self) -> int:
        return self.emsize // self.nheads

    @property
    def width_mult(self) -> float:
        return self.emsize / self.base_emsize

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown ModelConfig fields: {sorted(unknown)}")
        return cls(**d)
