"""Checkpoints: a folder with `model.safetensors` (weights) and `checkpoint.json` (format version,
model config, sha256 of the weights file, free-form metadata). No pickle anywhere."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load, load_file, save, save_file

from .model import ModelConfig, TabPFN

FORMAT_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
META_FILE = "checkpoint.json"
DEFAULT_CHECKPOINT = Path(__file__).parent / "weights" / "default"


class CheckpointError(ValueError):
    """A checkpoint that is missing, truncated, edited or does not fit its config."""


def default_checkpoint_path() -> Path:
    """The checkpoint shipped in the package (what `TabPFNLiteClassifier()` loads)."""
    return DEFAULT_CHECKPOINT


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def save_checkpoint(
    model: TabPFN, path: str | Path, metadata: dict[str, Any] | None = None
) -> Path:
    """Write the model to the folder `path` (created if needed). Each file is replaced
    atomically; the JSON, written last, names the hash of the weights it belongs to."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    _write_atomic(path / WEIGHTS_FILE, lambda p: save_file(weights, str(p)))
    meta = {
        "format_version": FORMAT_VERSION,
        "model_config": model.cfg.to_dict(),
        "weights_sha256": sha256_file(path / WEIGHTS_FILE),
        "metadata": metadata or {},
    }
    _write_atomic(path / META_FILE, lambda p: p.write_text(json.dumps(meta, indent=2)))
    return path


def read_checkpoint_meta(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    meta_path = path / META_FILE
    if not path.is_dir():
        raise CheckpointError(
            f"no checkpoint at {path}: expected a folder with {WEIGHTS_FILE} and {META_FILE}"
        )
    if not meta_path.is_file():
        raise CheckpointError(f"{path} is not a checkpoint: {META_FILE} is missing")
    try:
        meta = json.loads(meta_path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise CheckpointError(f"{meta_path} is not valid JSON: {e}") from None
    if meta.get("format_version") != FORMAT_VERSION:
        raise CheckpointError(
            f"{meta_path} has format_version {meta.get('format_version')!r}; "
            f"this tabpfn_lite reads version {FORMAT_VERSION}"
        )
    return meta


def load_checkpoint(
    path: str | Path, device: str | torch.device = "cpu"
) -> tuple[TabPFN, dict[str, Any]]:
    """Load and verify a checkpoint; returns the model (eval mode) and the JSON metadata."""
    path = Path(path)
    meta = read_checkpoint_meta(path)
    weights_path = path / WEIGHTS_FILE
    if not weights_path.is_file():
        raise CheckpointError(f"{path} is not a checkpoint: {WEIGHTS_FILE} is missing")
    digest = sha256_file(weights_path)
    if digest != meta.get("weights_sha256"):
        raise CheckpointError(
            f"{weights_path} does not match the sha256 recorded in {META_FILE} "
            f"(file {digest[:12]}..., recorded {str(meta.get('weights_sha256'))[:12]}...): "
            "the weights are truncated, edited or from another checkpoint"
        )
    try:
        cfg = ModelConfig.from_dict(meta["model_config"])
        weights = load_file(str(weights_path))
    except (KeyError, TypeError, ValueError, SafetensorError) as e:
        raise CheckpointError(f"cannot read checkpoint {path}: {e}") from None
    model = TabPFN(cfg)
    try:
        model.load_state_dict(weights, strict=True)
    except RuntimeError as e:
        raise CheckpointError(f"weights in {path} do not fit its model_config: {e}") from None
    return model.to(device).eval(), meta


def average_checkpoints(
    paths: list[str | Path], weights: list[float] | None = None
) -> tuple[TabPFN, dict[str, Any]]:
    """The weighted average of the weights of checkpoints of one architecture (a "model soup":
    networks trained on from one parent often sit in one basin, where the average can beat each
    of them). weights default to equal and are normalised to sum to 1. Returns the averaged model
    and metadata naming the sources (paths and weight hashes) and their weights."""
    if len(paths) < 2:
        raise ValueError(f"averaging needs at least 2 checkpoints, got {len(paths)}")
    weights = [1.0] * len(paths) if weights is None else list(weights)
    if len(weights) != len(paths):
        raise ValueError(f"got {len(weights)} weights for {len(paths)} checkpoints")
    if any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"weights must be >= 0 with a positive sum, got {weights}")
    weights = [w / sum(weights) for w in weights]
    models, metas = zip(*(load_checkpoint(p) for p in paths), strict=True)
    for path, model in zip(paths[1:], models[1:], strict=True):
        if model.cfg != models[0].cfg:
            raise ValueError(
                f"{path} has another architecture than {paths[0]}: {model.cfg} vs {models[0].cfg}"
            )
    states = [m.state_dict() for m in models]
    averaged = {
        name: sum(w * s[name].double() for w, s in zip(weights, states, strict=True)).to(
            tensor.dtype
        )
        for name, tensor in states[0].items()
    }
    model = TabPFN(models[0].cfg)
    model.load_state_dict(averaged, strict=True)
    sources = [
        {"path": str(p), "weights_sha256": meta["weights_sha256"], "weight": w}
        for p, meta, w in zip(paths, metas, weights, strict=True)
    ]
    return model.eval(), {"averaged_from": sources}


def model_to_bytes(model: TabPFN) -> bytes:
    """The weights and config as one safetensors blob (the config in its metadata)."""
    weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return save(weights, metadata={"model_config": json.dumps(model.cfg.to_dict())})


def model_from_bytes(data: bytes, device: str | torch.device = "cpu") -> TabPFN:
    try:
        header_len = int.from_bytes(data[:8], "little")
        header = json.loads(data[8 : 8 + header_len])
        cfg = ModelConfig.from_dict(json.loads(header["__metadata__"]["model_config"]))
        model = TabPFN(cfg)
        model.load_state_dict(load(data), strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError, SafetensorError) as e:
        raise CheckpointError(f"embedded weights cannot be read: {e}") from None
    return model.to(device).eval()
