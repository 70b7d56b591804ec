"""List options: values after one flag, separated by spaces, in `tabpfn-lite` and every script."""

import subprocess
import sys
from pathlib import Path

import pytest

from tabpfn_lite.bench.harness import parse_args
from tabpfn_lite.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_space_separated_lists_parse():
    args = parse_args(["--datasets", "37", "1464", "--methods", "lite", "xgb"])
    assert args.datasets == [37, 1464] and args.methods == ["lite", "xgb"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--datasets", "37,1464"], "separated by spaces, not commas: --datasets 37 1464"),
        (["--methods", "lite,xgb"], "separated by spaces, not commas: --methods lite xgb"),
        (["--methods", "lite", "--methods", "xgb"], "--methods was given twice"),
    ],
)
def test_harness_rejects_other_list_forms(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--data", "a.h5,b.h5"], "not commas: --data a.h5 b.h5"),
        (["--data", "a.h5", "--data", "b.h5"], "--data was given twice"),
        (["--data", "a.h5", "--curriculum", "0.9,0.1"], "not commas: --curriculum 0.9 0.1"),
    ],
)
def test_train_rejects_other_list_forms(extra, message, capsys, tmp_path):
    with pytest.raises(SystemExit):
        main(["train", "--out", str(tmp_path), *extra])
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    "script, argv",
    [
        ("speed.py", ["--methods", "lite,xgb"]),
        ("mup_lr_sweep.py", ["--data", "x.h5", "--widths", "16,64"]),
        ("many_classes.py", ["--lite-estimators", "8,16"]),
        ("ddp_speed.py", ["--procs", "1,2"]),
        ("compare_checkpoints.py", ["--checkpoint", "a,b", "--data", "x.h5", "--out", "o"]),
        ("growth_study.py", ["run", "--data", "x.h5", "--out", "o", "--seeds", "0,1"]),
    ],
)
def test_benchmark_scripts_reject_comma_lists(script, argv):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "separated by spaces, not commas" in done.stderr


def test_help_examples_run_as_written(tmp_path, monkeypatch, capsys):
    """Every verb's --help example, run in order from an empty folder, works."""
    import shlex

    from tabpfn_lite.cli import EXAMPLES

    for verb in EXAMPLES:
        with pytest.raises(SystemExit):
            main([verb, "--help"])
        shown = capsys.readouterr().out
        assert all(command in shown for command in EXAMPLES[verb])
    monkeypatch.chdir(tmp_path)
    for commands in EXAMPLES.values():
        for command in commands:
            assert main(shlex.split(command)[1:]) == 0, command
    assert "parameters" in capsys.readouterr().out  # info describes the grown checkpoint
    assert (tmp_path / "runs" / "tiny_big" / "model.safetensors").exists()


def test_bench_help_shows_its_example(capsys):
    from tabpfn_lite.bench.harness import BENCH_EXAMPLE

    with pytest.raises(SystemExit):
        main(["bench", "--help"])
    assert BENCH_EXAMPLE.splitlines()[1].strip() in capsys.readouterr().out.replace("\n", " ")
