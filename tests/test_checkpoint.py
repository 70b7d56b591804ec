import json
import pickle

import pytest
import torch
from safetensors.torch import load_file

from tabpfn_lite.checkpoint import (
    META_FILE,
    WEIGHTS_FILE,
    CheckpointError,
    average_checkpoints,
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


def test_average_of_two_checkpoints_is_their_weighted_mean(tmp_path):
    a, b = randomized_model(seed=1), randomized_model(seed=2)
    paths = [save_checkpoint(a, tmp_path / "a"), save_checkpoint(b, tmp_path / "b")]
    averaged, meta = average_checkpoints(paths, weights=[3, 1])
    for name, value in averaged.state_dict().items():
        expected = 0.75 * a.state_dict()[name] + 0.25 * b.state_dict()[name]
        torch.testing.assert_close(value, expected)
    assert [s["weight"] for s in meta["averaged_from"]] == [0.75, 0.25]
    assert (
        meta["averaged_from"][1]["weights_sha256"] == load_checkpoint(paths[1])[1]["weights_sha256"]
    )


def test_average_of_a_checkpoint_with_itself_predicts_the_same(tmp_path):
    model = randomized_model()
    path = save_checkpoint(model, tmp_path / "a")
    averaged, _ = average_checkpoints([path, path])
    x, y = torch.randn(2, 30, 3), torch.randint(0, 2, (2, 20))
    codes = model.sample_feature_codes(2, 3)
    torch.testing.assert_close(averaged(x, y, codes), model(x, y, codes))


def test_average_rejects_other_architectures_and_bad_weights(tmp_path):
    small = save_checkpoint(randomized_model(), tmp_path / "small")
    wide = save_checkpoint(TabPFN(ModelConfig(**{**TINY.to_dict(), "emsize": 48})), tmp_path / "w")
    with pytest.raises(ValueError, match="another architecture"):
        average_checkpoints([small, wide])
    with pytest.raises(ValueError, match="at least 2 checkpoints"):
        average_checkpoints([small])
    with pytest.raises(ValueError, match="2 weights for 3 checkpoints"):
        average_checkpoints([small, small, small], weights=[1, 1])
    with pytest.raises(ValueError, match="positive sum"):
        average_checkpoints([small, small], weights=[1, -1])
