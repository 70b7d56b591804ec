"""`tabpfn-lite` command: prior | train | grow | average | bench | info."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from .options import add_list_option


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


# A small pretraining run, one verb after the other; each runs as written from the repository
# root (tested) and is shown in its verb's --help.
EXAMPLES = {
    "prior": [
        "tabpfn-lite prior --out data/tiny.h5 --num-datasets 256 --max-rows 128 --max-features 8",
        "tabpfn-lite prior --stats data/tiny.h5",
    ],
    "train": ["tabpfn-lite train --data data/tiny.h5 --out runs/tiny --steps 20 --batch-size 8"],
    "grow": ["tabpfn-lite grow --from runs/tiny/checkpoint --out runs/tiny_big --width-factor 2"],
    "average": [
        "tabpfn-lite train --init-from runs/tiny/checkpoint --data data/tiny.h5 --out runs/tiny_b "
        "--steps 10 --batch-size 8 --seed 1",
        "tabpfn-lite average --checkpoint runs/tiny/checkpoint runs/tiny_b/checkpoint "
        "--out runs/tiny_soup",
    ],
    "info": ["tabpfn-lite info runs/tiny_big"],
}


def _indented(commands: list[str]) -> str:
    return "".join(f"  {c}\n" for c in commands)


def _example(verb: str) -> str:
    return "example (from the repository root):\n" + _indented(EXAMPLES[verb])


def _verb_parser(sub: argparse._SubParsersAction, verb: str, help: str) -> argparse.ArgumentParser:
    """A verb's parser, its --help ending with the verb's example."""
    return sub.add_parser(
        verb,
        help=help,
        epilog=_example(verb),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _mixture_weight(text: str) -> tuple[str, float]:
    name, sep, weight = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected SAMPLER=WEIGHT (e.g. rule=0.2), got {text!r}")
    return name, float(weight)


def _add_prior(sub: argparse._SubParsersAction) -> None:
    p = _verb_parser(sub, "prior", "generate a synthetic prior dump (HDF5), or print its stats")
    p.add_argument("--out", help="HDF5 file to write")
    p.add_argument("--stats", metavar="FILE", help="print the distribution of a dump and exit")
    p.add_argument("--num-datasets", type=_positive_int, default=10_000)
    p.add_argument("--min-rows", type=_positive_int, default=64)
    p.add_argument("--max-rows", type=_positive_int, default=1024)
    p.add_argument("--min-features", type=_positive_int, default=1)
    p.add_argument("--max-features", type=_positive_int, default=100)
    p.add_argument("--max-classes", type=_positive_int, default=10)
    p.add_argument("--workers", type=_positive_int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument(
        "--num-shards",
        type=_positive_int,
        default=1,
        help="write N shard files and a JSON index; --out names the index (e.g. prior.json)",
    )
    add_list_option(
        p,
        "--shard",
        type=int,
        help="write only these shards; e.g. one per machine, all writing the same index",
    )
    add_list_option(
        p,
        "--mixture",
        type=_mixture_weight,
        metavar="SAMPLER=WEIGHT",
        help="sampler weights, e.g. mlp=0.45 tree=0.3 rule=0.2 gp=0.05 (default: PriorConfig's)",
    )
    p.add_argument(
        "--categorical-prob", type=float, help="share of tables with categorical columns"
    )
    p.add_argument(
        "--max-missing-rate", type=float, help="largest missing-value rate of a column's cells"
    )


def _run_prior(args: argparse.Namespace) -> int:
    if args.stats:
        from .prior.stats import dump_stats, format_stats

        print(format_stats(dump_stats(args.stats)))
        return 0
    if not args.out:
        raise SystemExit("tabpfn-lite prior: --out FILE is required (or --stats FILE)")
    from .prior.config import PriorConfig
    from .prior.generate import generate_dump, generate_sharded_dump

    try:
        cfg = PriorConfig(
            min_rows=min(args.min_rows, args.max_rows),
            max_rows=args.max_rows,
            min_features=min(args.min_features, args.max_features),
            max_features=args.max_features,
            max_classes=args.max_classes,
            **({"mixture": dict(args.mixture)} if args.mixture else {}),
            **{
                name: getattr(args, name)
                for name in ("categorical_prob", "max_missing_rate")
                if getattr(args, name) is not None
            },
        )
    except ValueError as e:
        raise SystemExit(f"tabpfn-lite prior: {e}") from None
    if args.num_shards > 1 or args.shard:
        try:
            generate_sharded_dump(
                args.out,
                cfg,
                args.num_datasets,
                args.num_shards,
                shards=args.shard,
                seed=args.seed,
                workers=args.workers,
                resume=args.resume,
            )
        except ValueError as e:
            raise SystemExit(f"tabpfn-lite prior: {e}") from None
        print(f"wrote shards {args.shard or 'all'} of {args.num_shards}; index: {args.out}")
        return 0
    generate_dump(
        args.out, cfg, args.num_datasets, seed=args.seed, workers=args.workers, resume=args.resume
    )
    print(f"wrote {args.num_datasets} datasets to {args.out}")
    return 0


def _add_train(sub: argparse._SubParsersAction) -> None:
    p = _verb_parser(sub, "train", "pretrain a model on prior dumps")
    add_list_option(
        p,
        "--data",
        required=True,
        help="HDF5 dumps, or prior:SPEC.json to draw tables live (several: space-separated)",
    )
    p.add_argument("--out", required=True, help="output folder (checkpoint/, log.jsonl, state)")
    p.add_argument("--emsize", type=_positive_int, default=96)
    p.add_argument("--nlayers", type=_positive_int, default=4)
    p.add_argument("--nheads", type=_positive_int, default=4)
    p.add_argument("--mlp-hidden", type=_positive_int, default=192)
    p.add_argument("--features-per-token", type=_positive_int, default=2)
    p.add_argument("--parametrization", choices=["sp", "mup"], default="sp")
    p.add_argument("--base-emsize", type=_positive_int, default=96, help="muP reference width")
    p.add_argument(
        "--init-from",
        metavar="CKPT",
        help="start from this checkpoint (e.g. a grown one); its config replaces the size options",
    )
    p.add_argument("--batch-size", type=_positive_int, default=32)
    p.add_argument("--steps", type=_positive_int, default=1000)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup-steps", type=int, default=50)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument(
        "--optimizer",
        default="adamw",
        help="muon: Muon on the hidden matrices, AdamW on the rest",
    )
    p.add_argument("--time-budget", type=float, default=None, help="seconds")
    p.add_argument(
        "--anneal-to-time-budget",
        action="store_true",
        help="decay the learning rate over the time budget if it ends before --steps",
    )
    add_list_option(p, "--curriculum", type=float, help="share of steps per --data dump")
    p.add_argument(
        "--prior-workers",
        type=_positive_int,
        default=1,
        help="processes drawing tables for prior: data",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=_positive_int, default=10)
    p.add_argument("--eval-every", type=_positive_int, default=250)
    p.add_argument("--checkpoint-every", type=_positive_int, default=250)
    p.add_argument(
        "--micro-batch-tokens",
        type=_positive_int,
        default=150_000,
        help="split larger batches into micro-batches (same gradient, bounded memory)",
    )
    p.add_argument("--stop-at", type=int, help="stop with a checkpoint at this step")
    p.add_argument("--bf16", action="store_true")
    p.add_argument(
        "--compile",
        action="store_true",
        help="torch.compile the feature attention (faster CPU steps after 10-30 s of compiling)",
    )
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=_positive_int, help="torch CPU threads")
    p.add_argument("--resume", action="store_true")


def _run_train(args: argparse.Namespace) -> int:
    import torch

    from .model import ModelConfig
    from .train import TrainConfig, plot_log, train

    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        model = ModelConfig(
            emsize=args.emsize,
            nlayers=args.nlayers,
            nheads=args.nheads,
            mlp_hidden=args.mlp_hidden,
            decoder_hidden=args.mlp_hidden,
            features_per_token=args.features_per_token,
            parametrization=args.parametrization,
            base_emsize=args.base_emsize,
        )
        cfg = TrainConfig(
            data=args.data,
            out=args.out,
            model=model,
            batch_size=args.batch_size,
            steps=args.steps,
            lr=args.lr,
            warmup_steps=args.warmup_steps,
            weight_decay=args.weight_decay,
            optimizer=args.optimizer,
            time_budget=args.time_budget,
            anneal_to_time_budget=args.anneal_to_time_budget,
            prior_workers=args.prior_workers,
            curriculum=args.curriculum,
            seed=args.seed,
            log_every=args.log_every,
            eval_every=args.eval_every,
            checkpoint_every=args.checkpoint_every,
            bf16=args.bf16,
            micro_batch_tokens=args.micro_batch_tokens,
            stop_at=args.stop_at,
            compile=args.compile,
        )
    except ValueError as e:
        raise SystemExit(f"tabpfn-lite train: {e}") from None
    init_model = None
    if args.init_from:
        from .checkpoint import load_checkpoint

        init_model, _ = load_checkpoint(args.init_from)
    ckpt = train(cfg, resume=args.resume, init_model=init_model, device=args.device)
    try:
        plot_log(f"{args.out}/log.jsonl", f"{args.out}/curves.png")
    except ImportError:
        pass  # matplotlib is in the [bench] extra
    print(f"checkpoint: {ckpt}")
    return 0


def _add_grow(sub: argparse._SubParsersAction) -> None:
    from .growth import DEPTH_METHODS, WIDTH_METHODS

    p = _verb_parser(sub, "grow", "grow a checkpoint into a wider and/or deeper model")
    p.add_argument("--from", dest="base", required=True, metavar="CKPT", help="base checkpoint")
    p.add_argument("--out", required=True, metavar="CKPT2", help="grown checkpoint folder")
    p.add_argument("--width-factor", type=float, default=1.0)
    p.add_argument("--depth-factor", type=float, default=1.0)
    p.add_argument(
        "--growth-factor",
        type=float,
        help="instead of the two factors: the width x depth target closest to this parameter ratio",
    )
    p.add_argument("--method", choices=WIDTH_METHODS, default="szp")
    p.add_argument("--depth-method", choices=DEPTH_METHODS, default="identity")
    p.add_argument("--shrink", type=float, default=0.4, help="szp: scale of the base weights")
    p.add_argument("--sigma", type=float, default=1.0, help="szp: scale of the target's init")
    p.add_argument("--seed", type=int, default=0)


def _run_grow(args: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint, save_checkpoint
    from .growth import config_for_growth_factor, grow

    try:
        base, _ = load_checkpoint(args.base)
        target = (
            config_for_growth_factor(base.cfg, args.growth_factor) if args.growth_factor else None
        )
        model, report = grow(
            base,
            target,
            width_factor=args.width_factor,
            depth_factor=args.depth_factor,
            method=args.method,
            depth_method=args.depth_method,
            shrink=args.shrink,
            sigma=args.sigma,
            seed=args.seed,
        )
    except ValueError as e:
        raise SystemExit(f"tabpfn-lite grow: {e}") from None
    save_checkpoint(model, args.out, {"growth": report.to_dict(), "grown_from": str(args.base)})
    print(
        f"grew {report.base_parameters:,} -> {report.grown_parameters:,} parameters "
        f"(g = {report.growth_factor:.2f}, {args.method}/{args.depth_method}): {args.out}"
    )
    return 0


def _add_average(sub: argparse._SubParsersAction) -> None:
    p = _verb_parser(sub, "average", "average the weights of checkpoints (a model soup)")
    add_list_option(p, "--checkpoint", required=True, help="two or more checkpoints")
    add_list_option(p, "--weights", type=float, help="one per checkpoint (default: equal)")
    p.add_argument("--out", required=True, help="averaged checkpoint folder")


def _run_average(args: argparse.Namespace) -> int:
    from .checkpoint import average_checkpoints, save_checkpoint

    try:
        model, metadata = average_checkpoints(args.checkpoint, args.weights)
    except ValueError as e:  # CheckpointError included
        raise SystemExit(f"tabpfn-lite average: {e}") from None
    save_checkpoint(model, args.out, metadata)
    weights = ", ".join(f"{s['weight']:.3g}" for s in metadata["averaged_from"])
    print(f"averaged {len(args.checkpoint)} checkpoints (weights {weights}): {args.out}")
    return 0


def _add_info(sub: argparse._SubParsersAction) -> None:
    p = _verb_parser(sub, "info", "describe a checkpoint (default: the shipped one)")
    p.add_argument("checkpoint", nargs="?")


def _run_info(args: argparse.Namespace) -> int:
    from .checkpoint import default_checkpoint_path, load_checkpoint
    from .model import count_parameters

    path = args.checkpoint or default_checkpoint_path()
    model, meta = load_checkpoint(path)
    print(
        json.dumps(
            {
                "path": str(path),
                "parameters": count_parameters(model),
                "model_config": meta["model_config"],
                "metadata": {k: v for k, v in meta["metadata"].items() if k != "train_config"},
            },
            indent=2,
        )
    )
    return 0


def _add_bench(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench",
        help="OpenML benchmark against GBDTs (see benchmarks/openml_bench.py)",
        add_help=False,
    )
    p.add_argument("args", nargs=argparse.REMAINDER, help="options of the harness")


COMMANDS = {
    "prior": (_add_prior, _run_prior),
    "train": (_add_train, _run_train),
    "bench": (_add_bench, None),  # dispatched in main()
    "grow": (_add_grow, _run_grow),
    "average": (_add_average, _run_average),
    "info": (_add_info, _run_info),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tabpfn-lite",
        description=__doc__,
        epilog="a small pretraining run (from the repository root; see each verb's --help):\n"
        + _indented([c for commands in EXAMPLES.values() for c in commands]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMANDS.values():
        add(sub)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:  # the harness parses its own arguments (and --help)
        from .bench.harness import main as bench_main

        return bench_main(argv[1:])
    args = parser.parse_args(argv)
    return COMMANDS[args.command][1](args)


if __name__ == "__main__":
    sys.exit(main())
