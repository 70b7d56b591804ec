"""Growth operators: turn a trained TabPFN into a wider and/or deeper one.

Width grows with the head size fixed (heads grow in number), and `mlp_hidden` / `decoder_hidden`
grow by the same factor as `emsize`. Every parameter is described by the kind of each of its axes
(see `_axis_kinds`), so one rule per method covers all tensors:

  preserve   tile each width axis k = new/old times; input axes of linear maps are divided by k.
             The residual stream becomes [h, h, ...], so the grown model computes the same function
             (LayerNorm of a tiled vector is the tiled LayerNorm; a copied head attends the same).
  szp        shrink * zero_pad(old) + sigma * (muP initialisation of the target)
  zero_pad   old weights in the top-left corner, zeros elsewhere
  random     the target's own initialisation (the scratch control)

Depth grows afterwards: `identity` inserts freshly initialised blocks whose output projections
are zero (each is the identity, so the function is preserved exactly); `stack` repeats the whole
stack of (grown) blocks, [L0..Ln, L0..Ln, ...].
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from ..checkpoint import load_checkpoint
from ..model import ModelConfig, TabPFN, count_parameters

WIDTH_METHODS = ("preserve", "szp", "zero_pad", "random")
DEPTH_METHODS = ("identity", "stack")

# Kind of each axis: "E" residual width, "M" MLP hidden, "D" decoder hidden, "KV" keys and values
# packed as [k; v] (each half of width E), None a fixed size. A trailing "<" marks the input axis
# of a linear map: tiling it must divide by the factor so that W' [x; x] = W x.
_AXIS_KINDS: list[tuple[str, tuple[str | None, ...]]] = [
    (r"cell_encoder\.weight", ("E", None)),
    (r"feature_code_encoder\.weight", ("E", None)),
    (r"target_encoder\.weight", (None, "E")),
    (r"cell_encoder\.bias", ("E",)),
    (r"layers\.\d+\.norm_\w+\.(weight|bias)", ("E",)),
    (r"layers\.\d+\.attn_\w+\.(q|out)\.weight", ("E", "E<")),
    (r"layers\.\d+\.attn_\w+\.(q|out)\.bias", ("E",)),
    (r"layers\.\d+\.attn_\w+\.kv\.weight", ("KV", "E<")),
    (r"layers\.\d+\.attn_\w+\.kv\.bias", ("KV",)),
    (r"layers\.\d+\.mlp\.0\.weight", ("M", "E<")),
    (r"layers\.\d+\.mlp\.0\.bias", ("M",)),
    (r"layers\.\d+\.mlp\.2\.weight", ("E", "M<")),
    (r"layers\.\d+\.mlp\.2\.bias", ("E",)),
    (r"decoder\.0\.(weight|bias)", ("E",)),
    (r"decoder\.1\.weight", ("D", "E<")),
    (r"decoder\.1\.bias", ("D",)),
    (r"decoder\.3\.weight", (None, "D<")),
    (r"decoder\.3\.bias", (None,)),
]
_READOUT = ("decoder.3.weight", "decoder.3.bias")


def _axis_kinds(name: str) -> tuple[str | None, ...]:
    for pattern, kinds in _AXIS_KINDS:
        if re.fullmatch(pattern, name):
            return kinds
    raise KeyError(f"growth does not know how to grow parameter {name!r}")


@dataclass
class GrowthReport:
    method: str
    depth_method: str
    base_config: dict
    target_config: dict
    base_parameters: int
    grown_parameters: int
    growth_factor: float  # g: counted parameter ratio grown / base
    function_preserving: bool  # by construction (tested to 1e-5)
    tensors: dict[str, str] = field(default_factory=dict)  # parameter -> what it became

    def to_dict(self) -> dict:
        return asdict(self)


# ------------------------------------------------------------------------------------ configs
def grown_config(
    cfg: ModelConfig, width_factor: float = 1.0, depth_factor: float = 1.0
) -> ModelConfig:
    """The target of growing `cfg`: emsize x width_factor (rounded to whole heads of the same
    size), hidden widths by the same ratio, nlayers x depth_factor (rounded)."""
    if width_factor < 1 or depth_factor < 1:
        raise ValueError(
            f"growth factors must be >= 1, got width {width_factor}, depth {depth_factor}"
        )
    nheads = max(cfg.nheads, round(cfg.nheads * width_factor))
    emsize = nheads * cfg.head_dim
    ratio = emsize / cfg.emsize
    return replace(
        cfg,
        emsize=emsize,
        nheads=nheads,
        mlp_hidden=round(cfg.mlp_hidden * ratio),
        decoder_hidden=round(cfg.decoder_hidden * ratio),
        nlayers=max(cfg.nlayers, round(cfg.nlayers * depth_factor)),
    )


def config_for_growth_factor(cfg: ModelConfig, g: float, mode: str = "both") -> ModelConfig:
    """The target whose counted parameter ratio is closest to g. mode "width", "depth" or
    "both" (integer width and depth factors, depth preferred: the cheaper way to add parameters
    on short tables)."""
    if g < 1:
        raise ValueError(f"growth factor g must be >= 1, got {g}")
    base = parameter_count(cfg)
    if mode == "width":
        candidates = [grown_config(cfg, n / cfg.nheads) for n in range(cfg.nheads, 8 * cfg.nheads)]
    elif mode == "depth":
        candidates = [
            grown_config(cfg, 1, n / cfg.nlayers)
            for n in range(cfg.nlayers, cfg.nlayers * math.ceil(2 * g) + 1)
        ]
    elif mode == "both":
        candidates = [grown_config(cfg, w, d) for w in (1, 2, 3, 4) for d in (1, 2, 3, 4, 8)]
    else:
        raise ValueError(f"mode must be 'width', 'depth' or 'both', got {mode!r}")
    return min(candidates, key=lambda c: abs(math.log(parameter_count(c) / base / g)))


@functools.lru_cache(maxsize=1024)
def parameter_count(cfg: ModelConfig) -> int:
    """Parameters of a model with this config, without allocating or initialising it."""
    with torch.device("meta"):
        return count_parameters(TabPFN(cfg))


# ------------------------------------------------------------------------------------ tensors
def _sizes(cfg: ModelConfig) -> dict[str, int]:
    return {"E": cfg.emsize, "M": cfg.mlp_hidden, "D": cfg.decoder_hidden, "KV": cfg.emsize}


def _map_axis(t: torch.Tensor, axis: int, kind: str, old: int, new: int, how: str) -> torch.Tensor:
    """Tile (how="tile") or zero-pad (how="pad") one axis of t from `old` to `new` entries."""
    halves = 2 if kind == "KV" else 1  # keys and values grow separately
    shape = list(t.shape)
    t = t.reshape(shape[:axis] + [halves, old] + shape[axis + 1 :])
    if how == "tile":
        reps = [1] * t.ndim
        reps[axis + 1] = new // old
        t = t.repeat(*reps)
    else:
        pad = [0, 0] * (t.ndim - axis - 2) + [0, new - old]
        t = torch.nn.functional.pad(t, pad)
    return t.reshape(shape[:axis] + [halves * new] + shape[axis + 1 :])


def _grow_tensor(
    old: torch.Tensor,
    kinds: tuple[str | None, ...],
    base: ModelConfig,
    target: ModelConfig,
    how: str,
) -> torch.Tensor:
    old_sizes, new_sizes = _sizes(base), _sizes(target)
    t = old
    for axis, kind in enumerate(kinds):
        if kind is None:
            continue
        name = kind.rstrip("<")
        n_old, n_new = old_sizes[name], new_sizes[name]
        if n_new == n_old:
            continue
        t = _map_axis(t, axis, name, n_old, n_new, how)
        if how == "tile" and kind.endswith("<"):
            t = t / (n_new // n_old)
    return t


def _check_tileable(base: ModelConfig, target: ModelConfig) -> None:
    old, new = _sizes(base), _sizes(target)
    factors = {k: new[k] / old[k] for k in old}
    if target.head_dim != base.head_dim:
        raise ValueError(
            f"function-preserving growth keeps the head size: base head_dim {base.head_dim}, "
            f"target {target.head_dim}"
        )
    if any(f != int(f) for f in factors.values()) or len(set(factors.values())) != 1:
        raise ValueError(
            "function-preserving width growth needs one integer factor for emsize, mlp_hidden "
            f"and decoder_hidden; got {factors}"
        )


def _check_compatible(base: ModelConfig, target: ModelConfig) -> None:
    fixed = (
        "features_per_token",
        "feature_code_dim",
        "max_classes",
        "clip_value",
        "parametrization",
        "base_emsize",
    )
    differ = [f for f in fixed if getattr(base, f) != getattr(target, f)]
    if differ:
        raise ValueError(f"growth cannot change {differ}: base and target must agree")
    for name in ("emsize", "nlayers", "mlp_hidden", "decoder_hidden"):
        if getattr(target, name) < getattr(base, name):
            raise ValueError(
                f"target {name}={getattr(target, name)} is smaller than the base's "
                f"{getattr(base, name)}: growth only grows"
            )


def _fresh(cfg: ModelConfig, seed: int) -> TabPFN:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return TabPFN(cfg)


def _identity_block(model: TabPFN, index: int) -> None:
    layer = model.layers[index]
    for p in (layer.attn_features.out, layer.attn_rows.out, layer.mlp[2]):
        torch.nn.init.zeros_(p.weight)
        torch.nn.init.zeros_(p.bias)


def _depth_sources(n_old: int, n_new: int, depth_method: str) -> list[int | None]:
    """For each target block, the grown base block it copies, or None for a new identity block."""
    if depth_method == "stack":
        return [i % n_old for i in range(n_new)]
    sources: list[int | None] = [None] * n_new
    for j in range(n_old):  # old blocks spread evenly, identity blocks fill the gaps after them
        sources[j * n_new // n_old] = j
    return sources


# ------------------------------------------------------------------------------------ grow
def grow(
    base: TabPFN | str | Path,
    target: ModelConfig | None = None,
    *,
    width_factor: float = 1.0,
    depth_factor: float = 1.0,
    method: str = "szp",
    depth_method: str = "identity",
    shrink: float = 0.4,
    sigma: float = 1.0,
    seed: int = 0,
) -> tuple[TabPFN, GrowthReport]:
    """Grow `base` (a model or a checkpoint folder) into `target` (or the config given by
    `width_factor` / `depth_factor`). Returns the grown model (eval mode) and a report."""
    if method not in WIDTH_METHODS:
        raise ValueError(f"method must be one of {WIDTH_METHODS}, got {method!r}")
    if depth_method not in DEPTH_METHODS:
        raise ValueError(f"depth_method must be one of {DEPTH_METHODS}, got {depth_method!r}")
    if not isinstance(base, TabPFN):
        base, _ = load_checkpoint(base)
    bcfg = base.cfg
    if target is not None and (width_factor, depth_factor) != (1.0, 1.0):
        raise ValueError("give either a target config or width/depth factors, not both")
    tcfg = target or grown_config(bcfg, width_factor, depth_factor)
    _check_compatible(bcfg, tcfg)
    if method == "preserve":
        _check_tileable(bcfg, tcfg)

    init = _fresh(tcfg, seed)  # the target's initialisation: scratch, perturbation, new blocks
    if method == "random":
        model, tensors = init, dict.fromkeys(init.state_dict(), "random init")
    else:
        model, tensors = _grow_blocks(base, init, tcfg, method, depth_method, shrink, sigma)
    report = GrowthReport(
        method=method,
        depth_method=depth_method,
        base_config=bcfg.to_dict(),
        target_config=tcfg.to_dict(),
        base_parameters=count_parameters(base),
        grown_parameters=count_parameters(model),
        growth_factor=count_parameters(model) / count_parameters(base),
        function_preserving=method == "preserve" and depth_method == "identity",
        tensors=tensors,
    )
    return model.eval(), report


def _grow_blocks(
    base: TabPFN,
    init: TabPFN,
    tcfg: ModelConfig,
    method: str,
    depth_method: str,
    shrink: float,
    sigma: float,
) -> tuple[TabPFN, dict[str, str]]:
    bcfg = base.cfg
    how = "tile" if method == "preserve" else "pad"
    sources = _depth_sources(bcfg.nlayers, tcfg.nlayers, depth_method)
    old_state, new_state = base.state_dict(), init.state_dict()
    identity_blocks = [i for i, s in enumerate(sources) if s is None]
    tensors: dict[str, str] = {}
    for name, fresh in new_state.items():
        source_name = name
        if name.startswith("layers."):
            index = int(name.split(".")[1])
            if sources[index] is None:
                tensors[name] = "new identity block (target init, zero output projections)"
                continue
            source_name = re.sub(r"^layers\.\d+", f"layers.{sources[index]}", name)
        old = old_state[source_name]
        grown = _grow_tensor(old, _axis_kinds(name), bcfg, tcfg, how)
        what = f"{source_name} {tuple(old.shape)}"
        if method == "preserve":
            if name in _READOUT:  # undo the smaller muP output multiplier (1 under sp)
                grown = grown * (base.output_mult / init.output_mult)
            what += " tiled"
        elif method == "szp":
            grown = shrink * grown + sigma * fresh
            what += f" x{shrink} zero-padded + {sigma} x init"
        else:
            what += " zero-padded"
        new_state[name] = grown.to(fresh)
        tensors[name] = f"{what} -> {tuple(fresh.shape)}"
    init.load_state_dict(new_state)
    for i in identity_blocks:
        _identity_block(init, i)
    return init, tensors
