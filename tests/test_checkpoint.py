import json
import pickle

import pytest
import torch
from safetensors.torch import load_file

from tabpfn_lite.checkpoint import (
    META_FILE,
    WEIGHTS_FILE,
    CheckpointError,
    default_checkpoint_path,
    load_checkpoint,
    save_checkpoint,
)
from tabpfn_lite.model import ModelConfig, TabPFN

from .conftest import TINY, randomized_model


def test_round_trip_is_bitwise(tmp_path):
    model = randomized_model()
    path = save_checkpoint(model, tmp_path / "c", {"note": "hello", "step": 3})
    loaded, meta = load_checkpoint(path)
    assert meta["metadata"] == {"note": "hello", "step": 3}
    assert loaded.cfg == model.cfg
    for (k, a), (k2, b) in zip(
        model.state_dict().items(), loaded.state_dict().items(), strict=True
    ):
        assert k == k2 and torch.equal(a, b)


def test_files_are_safetensors_and_json(tmp_path):
    path = save_checkpoint(randomized_model(), tmp_path / "c")
    assert set(p.name for p in path.iterdir()) == {WEIGHTS_FILE, META_FILE}
    meta = json.loads((path / META_FILE).read_text())
    assert meta["format_version"] == 1 and len(meta["weights_sha256"]) == 64
    assert load_file(str(path / WEIGHTS_FILE))  # plain safetensors
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads((path / WEIGHTS_FILE).read_bytes())


def test_edited_weights_are_detected(tmp_path):
    path = save_checkpoint(randomized_model(), tmp_path / "c")
    data = bytearray((path / WEIGHTS_FILE).read_bytes())
    data[-5] ^= 0xFF
    (path / WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="sha256"):
        load_checkpoint(path)


def test_truncated_weights_are_detected(tmp_path):
    path = save_checkpoint(randomized_model(), tmp_path / "c")
    data = (path / WEIGHTS_FILE).read_bytes()
    (path / WEIGHTS_FILE).write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated, edited or from another checkpoint"):
        load_checkpoint(path)


def test_weights_from_another_checkpoint_are_detected(tmp_path):
    a = save_checkpoint(randomized_model(seed=0), tmp_path / "a")
    b = save_checkpoint(randomized_model(seed=1), tmp_path / "b")
    (a / WEIGHTS_FILE).write_bytes((b / WEIGHTS_FILE).read_bytes())
    with pytest.raises(CheckpointError, match="sha256"):
        load_checkpoint(a)


def test_config_that_does_not_fit_the_weights(tmp_path):
    path = save_checkpoint(randomized_model(), tmp_path / "c")
    meta = json.loads((path / META_FILE).read_text())
    meta["model_config"]["emsize"] = 64
    (path / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="do not fit its model_config"):
        load_checkpoint(path)


def test_missing_and_malformed(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CheckpointError, match="checkpoint.json is missing"):
        load_checkpoint(tmp_path / "empty")
    path = save_checkpoint(randomized_model(), tmp_path / "c")
    (path / META_FILE).write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load_checkpoint(path)
    path = save_checkpoint(randomized_model(), tmp_path / "d")
    (path / META_FILE).write_text(json.dumps({"format_version": 99}))
    with pytest.raises(CheckpointError, match="format_version 99"):
        load_checkpoint(path)


def test_default_checkpoint_ships_and_loads():
    model, meta = load_checkpoint(default_checkpoint_path())
    assert isinstance(model, TabPFN)
    assert model.cfg.max_classes >= 10
    assert meta["metadata"].get("step", 0) > 0  # trained, not a random init


def test_overwrite_keeps_a_loadable_checkpoint(tmp_path):
    path = save_checkpoint(randomized_model(seed=0), tmp_path / "c")
    save_checkpoint(TabPFN(ModelConfig(emsize=16, nheads=2)), path)
    model, _ = load_checkpoint(path)
    assert model.cfg.emsize == 16 and model.cfg != TINY
