import h5py
import numpy as np
import pytest

from tabpfn_lite.cli import main
from tabpfn_lite.prior import DumpError, PriorConfig, PriorDump, generate_dump, sample_dataset
from tabpfn_lite.prior.config import SAMPLERS
from tabpfn_lite.prior.hdf5 import REQUIRED_KEYS
from tabpfn_lite.prior.sample import is_valid
from tabpfn_lite.prior.stats import dump_stats


def test_same_seed_same_dataset(small_prior):
    a, b = sample_dataset(small_prior, 7, 11), sample_dataset(small_prior, 7, 11)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    c = sample_dataset(small_prior, 8, 11)
    assert a.x.shape != c.x.shape or not np.array_equal(a.x, c.x, equal_nan=True)


def test_every_dataset_in_a_dump_is_valid(small_dump, small_prior):
    dump = PriorDump(small_dump)
    for d in dump.read(0, len(dump)):
        n, f = d.x.shape
        assert small_prior.min_rows <= n <= small_prior.max_rows
        assert 1 <= f <= small_prior.max_features
        assert 2 <= d.num_classes <= small_prior.max_classes
        assert is_valid(d.x, d.y, d.single_eval_pos)
        train, test = d.y[: d.single_eval_pos], d.y[d.single_eval_pos :]
        assert set(np.unique(test)) <= set(np.unique(train))
        assert set(np.unique(train)) == set(range(d.num_classes))
        assert not np.isinf(d.x).any()
    dump.close()


def test_same_file_for_any_number_of_workers(tmp_path, small_prior):
    a = generate_dump(tmp_path / "a.h5", small_prior, 150, seed=5, workers=1, progress=False)
    b = generate_dump(tmp_path / "b.h5", small_prior, 150, seed=5, workers=2, progress=False)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        for key in (*REQUIRED_KEYS, "num_classes", "prior_type"):
            np.testing.assert_array_equal(fa[key][:], fb[key][:])


def test_interrupted_run_resumes(tmp_path, small_prior, monkeypatch):
    import tabpfn_lite.prior.generate as gen

    full = generate_dump(tmp_path / "full.h5", small_prior, 200, seed=9, progress=False)
    calls = {"n": 0}
    real = gen._sample_block

    def crash_after_two(*args):
        calls["n"] += 1
        if calls["n"] > 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(gen, "_sample_block", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        generate_dump(tmp_path / "part.h5", small_prior, 200, seed=9, progress=False)
    with h5py.File(tmp_path / "part.h5") as f:
        assert f.attrs["num_written"] == 128
    monkeypatch.setattr(gen, "_sample_block", real)
    generate_dump(tmp_path / "part.h5", small_prior, 200, seed=9, resume=True, progress=False)
    with h5py.File(full) as fa, h5py.File(tmp_path / "part.h5") as fb:
        np.testing.assert_array_equal(fa["X"][:], fb["X"][:])
        assert fb.attrs["num_written"] == 200
    with pytest.raises(DumpError, match="seed differs"):
        generate_dump(tmp_path / "part.h5", small_prior, 200, seed=10, resume=True, progress=False)


def test_batches_are_reproducible_and_resumable(small_dump):
    dump = PriorDump(small_dump)
    first = [b for _, b in zip(range(12), dump.batches(8, seed=1), strict=False)]
    again = [b for _, b in zip(range(12), dump.batches(8, seed=1), strict=False)]
    skipped = [b for _, b in zip(range(7), dump.batches(8, seed=1, start_batch=5), strict=False)]
    for a, b in zip(first, again, strict=True):
        assert torch_equal(a.x, b.x) and torch_equal(a.y, b.y)
    for a, b in zip(first[5:], skipped, strict=True):
        assert torch_equal(a.x, b.x) and a.n_train == b.n_train
    for b in first:
        B, R, F = b.x.shape
        assert b.y.shape == (B, R) and b.n_train >= 2
        assert (b.y[:, : b.n_train] >= 0).all()  # train rows are never padding
        assert (b.y < b.num_classes[:, None]).all()
    dump.close()


def torch_equal(a, b):
    import torch

    return torch.equal(torch.nan_to_num(a, nan=-7.0), torch.nan_to_num(b, nan=-7.0))


def test_reads_nanotabpfn_layout(tmp_path):
    """A file with exactly nanoTabPFN's keys (no num_classes, no NaN, no attributes)."""
    rng = np.random.default_rng(0)
    N, T, F = 10, 30, 4
    path = tmp_path / "nano.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset(
            "X", data=rng.normal(size=(N, T, F)).astype("f4"), chunks=(5, T, F), compression="lzf"
        )
        f.create_dataset("y", data=rng.integers(0, 2, (N, T)).astype("f4"))
        f.create_dataset("num_features", data=np.full(N, F, "i4"))
        f.create_dataset("num_datapoints", data=np.full(N, T, "i4"))
        f.create_dataset("single_eval_pos", data=np.full(N, 20, "i4"))
        f.create_dataset("max_num_classes", data=np.array([2], "i4"))
        f.create_dataset("problem_type", data="classification")
    dump = PriorDump(path)
    batch = next(dump.batches(4, seed=0))
    assert batch.x.shape == (4, T, F) and batch.n_train == 20
    assert (batch.num_classes <= 2).all()
    dump.close()


def test_foreign_and_truncated_files(tmp_path, small_dump):
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f.create_dataset("data", data=np.zeros(3))
    with pytest.raises(DumpError, match="missing keys"):
        PriorDump(foreign)
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(DumpError, match="not a readable HDF5 file"):
        PriorDump(text)
    truncated = tmp_path / "truncated.h5"
    data = small_dump.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(DumpError):
        PriorDump(truncated)


def test_config_errors():
    with pytest.raises(ValueError, match="min_rows"):
        PriorConfig(min_rows=100, max_rows=50)
    with pytest.raises(ValueError, match="mixture"):
        PriorConfig(mixture={"transformer": 1.0})
    with pytest.raises(ValueError, match="train_fraction"):
        PriorConfig(train_fraction=(0.5, 1.0))


def test_cli_generates_and_reports_stats(tmp_path, capsys):
    out = tmp_path / "cli.h5"
    assert (
        main(
            [
                "prior",
                "--out",
                str(out),
                "--num-datasets",
                "70",
                "--max-rows",
                "50",
                "--max-features",
                "5",
                "--max-classes",
                "3",
                "--seed",
                "2",
            ]
        )
        == 0
    )
    assert main(["prior", "--stats", str(out)]) == 0
    text = capsys.readouterr().out
    assert "datasets summarised: 70" in text and "classes histogram" in text
    stats = dump_stats(out)
    assert max(stats["classes"]) <= 3 and max(stats["features"]) <= 5


@pytest.mark.parametrize(
    "argv, message",
    [
        (["prior", "--num-datasets", "0", "--out", "x.h5"], "must be >= 1"),
        (["prior", "--workers", "-1", "--out", "x.h5"], "must be >= 1"),
        (["prior", "--max-classes", "1", "--out", "x.h5"], "max_classes must be >= 2"),
        (["prior"], "--out FILE is required"),
        (["prior", "--out", "x.h5", "--mixture", "rule"], "expected SAMPLER=WEIGHT"),
        (["prior", "--out", "x.h5", "--mixture", "forest=1"], "mixture keys must be among"),
    ],
)
def test_cli_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert message in str(e.value) + capsys.readouterr().err


def test_cli_mixture_and_categorical_share(tmp_path):
    out = tmp_path / "rules.h5"
    argv = ["prior", "--out", str(out), "--num-datasets", "40", "--max-rows", "40"]
    argv += ["--max-features", "4", "--mixture", "rule=1", "--categorical-prob", "0", "--seed", "1"]
    assert main(argv) == 0
    assert dump_stats(out)["prior_type"] == {"mlp": 0, "tree": 0, "gp": 0, "rule": 40}


def test_size_groups_give_batches_without_padding(tmp_path):
    cfg = PriorConfig(min_rows=20, max_rows=80, max_features=8, max_classes=3, size_group=16)
    path = generate_dump(tmp_path / "g.h5", cfg, 128, seed=4, progress=False)
    dump = PriorDump(path)
    for _, batch in zip(range(8), dump.batches(16, seed=0), strict=False):
        assert (batch.y != -100).all()  # every row is real
        assert (batch.num_features == batch.x.shape[2]).all()
    shapes = {(len(d.y), d.x.shape[1], d.single_eval_pos) for d in dump.read(0, 16)}
    assert len(shapes) == 1
    dump.close()


def test_shards_read_as_one_dump(tmp_path, small_prior):
    whole = generate_dump(tmp_path / "whole.h5", small_prior, 200, seed=6, progress=False)
    index = tmp_path / "prior.json"
    for shard in ("0", "1"):  # as two machines would, each writing its shard and the index
        assert (
            main(
                [
                    "prior",
                    "--out",
                    str(index),
                    "--num-datasets",
                    "200",
                    "--max-rows",
                    "60",
                    "--min-rows",
                    "20",
                    "--max-features",
                    "6",
                    "--max-classes",
                    "4",
                    "--num-shards",
                    "2",
                    "--shard",
                    shard,
                    "--seed",
                    "6",
                ]
            )
            == 0
        )
    a, b = PriorDump(whole), PriorDump(index)
    assert len(b.files) == 2 and len(a) == len(b) == 200
    for x, y in zip(a.read(128, 192), b.read(128, 192), strict=True):
        np.testing.assert_array_equal(x.x, y.x)
    for p, q in zip(a.batches(8, seed=1), b.batches(8, seed=1), strict=False):
        assert torch_equal(p.x, q.x)
        break
    a.close()
    b.close()
    (tmp_path / "prior-00001-of-00002.h5").unlink()
    with pytest.raises(DumpError, match="not written yet"):
        PriorDump(index)


def test_rule_tables_are_categorical_and_determined_by_their_columns():
    """The rule sampler's categorical columns have 2-6 levels, and where every column is
    categorical, rows with the same values have (up to the small noise) the same target."""
    from tabpfn_lite.prior.scm import rule_scm

    all_categorical = 0
    for seed in range(30):
        x, z = rule_scm(np.random.default_rng(seed), 400, 4)
        assert x.shape == (400, 4) and z.shape == (400,) and np.isfinite(z).all()
        integer = [np.array_equal(c, np.round(c)) and len(np.unique(c)) <= 6 for c in x.T]
        if not all(integer) or z.std() == 0:
            continue
        all_categorical += 1
        groups = np.unique(x, axis=0, return_inverse=True)[1].ravel()
        means = np.bincount(groups, weights=z) / np.bincount(groups)
        assert np.var(z - means[groups]) < 0.15 * np.var(z)
    assert all_categorical >= 5


def test_rule_sampler_makes_valid_datasets():
    cfg = PriorConfig(min_rows=50, max_rows=80, max_features=6, mixture={"rule": 1.0})
    for index in range(20):
        d = sample_dataset(cfg, seed=3, index=index)
        assert d.prior_type == SAMPLERS.index("rule")
        assert is_valid(d.x, d.y, d.single_eval_pos)


def test_missing_rate_follows_the_config():
    def largest_missing_share(max_rate):
        cfg = PriorConfig(
            min_rows=200, max_rows=200, max_features=6, missing_prob=1.0, max_missing_rate=max_rate
        )
        return max(np.isnan(sample_dataset(cfg, 4, i).x).mean(0).max() for i in range(30))

    assert largest_missing_share(0.05) < 0.2
    assert largest_missing_share(0.9) > 0.5  # mostly-missing columns, as in anneal
