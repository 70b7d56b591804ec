"""The growth study: for each base size, growth factor g, operator and seed, train the base, grow
it, continue training, and train the target from scratch, all with the unchanged training loop.

Compute is counted in FLOPs as the training log counts them, attention included
(`model/flops.py`), beside cell-tokens (a cell-token is one table cell processed; tokens per
parameter = cell-tokens / parameters). A grown run's compute is reported with and without
the base model's own training. Every target run trains on min(`target_tpp` x its parameters,
`max_target_cells`) cell-tokens at a constant learning rate after warm-up, so every prefix of a run
is a run of that smaller budget; held-out prior loss is evaluated along the way. The annealed size
series is the exception: one run per budget, its learning rate decayed to the end of that budget,
and only its final loss counts.

Runs live in `out/runs/<id>/` (the training folder plus `run.json` once finished); the runner skips
finished runs and resumes unfinished ones, and runs several at once (`workers` processes, one
torch thread each). A grid too long for one sitting is carried between machines by
`archive_runs` (finished runs' records and the bases' checkpoints, small enough to commit) and
`restore_runs`.
"""

from __future__ import annotations

import json
import math
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from ..model import ModelConfig, TabPFN

SCRATCH = "scratch"
SERIES = "series"  # the `base` of the size series' runs: scratch runs with no grown counterpart
ANNEALED = "annealed"  # the `base` of the annealed size series: one run per (width, budget)
SIZE_SERIES = (SERIES, ANNEALED)  # bases of runs outside the growth comparisons
# Operator -> (width method, depth method, shape of the targets). Width methods and depth methods
# are those of `grow`; "stack" grows depth alone, repeating the trained stack of blocks. The
# literature's "random" operator (the target's own initialisation) is the scratch run.
OPERATORS = {
    "preserve": ("preserve", "identity", "both"),
    "szp": ("szp", "identity", "both"),
    "zero_pad": ("zero_pad", "identity", "both"),
    "stack": ("preserve", "stack", "depth"),
}


@dataclass(frozen=True)
class Base:
    name: str
    emsize: int
    nlayers: int
    nheads: int
    growth_factors: tuple[int, ...]
    operators: tuple[str, ...]

    def config(self, base_emsize: int) -> ModelConfig:
        return ModelConfig(
            emsize=self.emsize,
            nlayers=self.nlayers,
            nheads=self.nheads,
            mlp_hidden=2 * self.emsize,
            decoder_hidden=2 * self.emsize,
            parametrization="mup",
            base_emsize=base_emsize,
        )


GRIDS = {
    # The study as run for benchmarks/results/growth (v1).
    "v1": lambda: [
        Base("A16", 16, 2, 2, (2, 4, 8, 16), ("preserve", "szp", "zero_pad")),
        Base("B32", 32, 2, 4, (2,), ("szp",)),
    ],
    # Three base sizes, every operator at every g: targets up to 16 x B32 ~ the shipped 472k.
    "v2": lambda: [
        Base(name, width, 2, width // 8, (2, 4, 8, 16), tuple(OPERATORS))
        for name, width in (("S8", 8), ("A16", 16), ("B32", 32))
    ],
}


@dataclass
class StudyConfig:
    data: str
    out: str
    bases: list[Base] = field(default_factory=GRIDS["v1"])
    seeds: tuple[int, ...] = (0, 1, 2)
    base_emsize: int = 16  # muP reference width: the learning rate is tuned at this width
    lr: float = 2**-7  # best at width 16 in benchmarks/results/mup_lr_sweep
    warmup_steps: int = 10
    batch_size: int = 32
    base_tpp: float = 120.0  # base model's training: cell-tokens per base parameter
    target_tpp: float = 400.0  # target runs: cell-tokens per target parameter, at most ...
    max_target_cells: float = 4e6  # ... and at most this many cell-tokens (the same data for any g)
    # Size series: scratch runs of 2-layer models of these widths on `series_cells` cell-tokens,
    # far past the targets' budgets, so that the scratch law sees where model size limits the loss.
    series_widths: tuple[int, ...] = ()
    series_cells: float = 2.4e7
    # Annealed size series: for each series width and each of these budgets (cell-tokens), a run
    # whose cosine schedule ends at that budget (decayed to `anneal_min_lr_ratio`). Prefixes of a
    # constant-lr run overstate the loss at small budgets by the missing decay; these do not.
    anneal_cells: tuple[float, ...] = ()
    anneal_min_lr_ratio: float = 0.1
    # Annealed growth: at each of these budgets (a subset of `anneal_cells`), each series width W
    # whose half is a series width is also trained from the annealed W/2 run of that budget,
    # grown by `anneal_grow_operator`: small for C, then large for C, against large for C.
    anneal_grow_cells: tuple[float, ...] = ()
    anneal_grow_operator: str = "szp"
    evals_per_run: int = 16
    eval_datasets: int = 256
    shrink: float = 0.4
    sigma: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RunSpec:
    id: str
    base: str
    seed: int
    g: int  # requested growth factor; 1 for the base itself
    operator: str  # "base", SCRATCH, or a key of OPERATORS
    model: dict  # the ModelConfig of the trained model
    steps: int
    eval_every: int
    base_run: str | None = None  # the run whose checkpoint is grown
    control: str | None = None  # the scratch run of the same target a grown run is compared with
    min_lr_ratio: float = 1.0  # 1: constant after warm-up; below 1: cosine decay to lr x this


def same_spec(stored: dict, run: RunSpec) -> bool:
    """Whether a finished run's stored spec is `run`'s; a field missing from the stored spec (a
    record written before the field existed) counts as having its default."""
    defaults = {f.name: f.default for f in fields(RunSpec) if f.default is not MISSING}
    return {**defaults, **stored} == asdict(run)


def cell_tokens_per_step(data: str, batch_size: int) -> float:
    from ..prior.hdf5 import PriorDump

    dump = PriorDump(data)
    try:
        return float(np.mean(dump.num_datapoints * dump.num_features)) * batch_size
    finally:
        dump.close()


def base_run_id(base: str, seed: int) -> str:
    """The id of the run that trains base `base` with seed `seed`."""
    return f"{base}/seed{seed}/base"


def plan_runs(cfg: StudyConfig) -> list[RunSpec]:
    """Bases first (growth needs them), then every grown and scratch run, cheapest first."""
    from .operators import config_for_growth_factor, parameter_count

    if missing := sorted(set(cfg.anneal_grow_cells) - set(cfg.anneal_cells)):
        raise ValueError(
            f"anneal_grow_cells {missing} are not in anneal_cells {sorted(cfg.anneal_cells)}: an "
            "annealed grown run starts from the half-width annealed run of its own budget"
        )
    per_step = cell_tokens_per_step(cfg.data, cfg.batch_size)

    def spec(run_id, base, seed, g, operator, model_cfg, cells, evals=None, **links) -> RunSpec:
        n = parameter_count(model_cfg)
        steps = max(cfg.evals_per_run, math.ceil(cells(n) / per_step))
        every = max(1, steps // (evals or cfg.evals_per_run))
        return RunSpec(run_id, base, seed, g, operator, model_cfg.to_dict(), steps, every, **links)

    def target_cells(n: int) -> float:
        return min(cfg.target_tpp * n, cfg.max_target_cells)

    bases, others = [], []
    for base in cfg.bases:
        bcfg = base.config(cfg.base_emsize)
        for seed in cfg.seeds:
            base_id = base_run_id(base.name, seed)
            bases.append(
                spec(base_id, base.name, seed, 1, "base", bcfg, lambda n: cfg.base_tpp * n)
            )
            for g in base.growth_factors:
                prefix = f"{base.name}/seed{seed}/g{g}"
                scratch: dict[str, str] = {}  # one scratch run per distinct target shape
                for op in base.operators:
                    tcfg = config_for_growth_factor(bcfg, g, mode=OPERATORS[op][2])
                    key = json.dumps(tcfg.to_dict(), sort_keys=True)
                    if key not in scratch:
                        scratch[key] = f"{prefix}/scratch" + (f"_{len(scratch)}" if scratch else "")
                        others.append(
                            spec(scratch[key], base.name, seed, g, SCRATCH, tcfg, target_cells)
                        )
                    others.append(
                        spec(f"{prefix}/{op}", base.name, seed, g, op, tcfg, target_cells,
                             base_run=base_id, control=scratch[key])
                    )  # fmt: skip
    for width in cfg.series_widths:
        scfg = series_config(width, cfg.base_emsize)
        for seed in cfg.seeds:
            run_id = f"{SERIES}/w{width}/seed{seed}"
            others.append(spec(run_id, SERIES, seed, 1, SCRATCH, scfg, lambda n: cfg.series_cells))
            for cells in cfg.anneal_cells:  # one evaluation: only the end of the schedule counts
                others.append(
                    spec(annealed_run_id(width, cells, seed), ANNEALED, seed, 1, SCRATCH, scfg,
                         lambda n, c=cells: c, evals=1, min_lr_ratio=cfg.anneal_min_lr_ratio)
                )  # fmt: skip
            if width // 2 not in cfg.series_widths:
                continue
            g = parameter_count(scfg) / parameter_count(series_config(width // 2, cfg.base_emsize))
            for cells in cfg.anneal_grow_cells:
                op = cfg.anneal_grow_operator
                others.append(
                    spec(annealed_run_id(width, cells, seed, op), ANNEALED, seed, round(g), op,
                         scfg, lambda n, c=cells: c, evals=1,
                         min_lr_ratio=cfg.anneal_min_lr_ratio,
                         base_run=annealed_run_id(width // 2, cells, seed),
                         control=annealed_run_id(width, cells, seed))
                )  # fmt: skip
    others.sort(key=lambda r: r.steps * parameter_count(ModelConfig(**r.model)))
    return bases + others


def annealed_budget(run_id: str) -> float:
    """The budget (cell-tokens) of an annealed run, from its id (`annealed_run_id`)."""
    return float(run_id.split("/")[2].removeprefix("c"))


def annealed_run_id(width: int, cells: float, seed: int, operator: str | None = None) -> str:
    """The id of an annealed series run: scratch, or grown by `operator` from the half width."""
    return (
        f"{ANNEALED}/w{width}/c{int(cells)}/" + (f"{operator}/" if operator else "") + f"seed{seed}"
    )


def series_config(width: int, base_emsize: int) -> ModelConfig:
    """A model of the size series: 2 layers, heads of 8 (one head below width 16), muP."""
    return Base(f"w{width}", width, 2, max(1, width // 8), (), ()).config(base_emsize)


def selected_runs(
    cfg: StudyConfig, only: str | None = None, exclude: tuple[str, ...] = ()
) -> list[RunSpec]:
    """The planned runs whose ids start with `only` (all if None) and contain none of `exclude`."""
    return [
        r
        for r in plan_runs(cfg)
        if (only is None or r.id.startswith(only)) and not any(x in r.id for x in exclude)
    ]


def plan_cost(cfg: StudyConfig, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Per planned run (but those `selected_runs` excludes): parameters, steps, cell-tokens and
    training FLOPs (attention included, at the dump's mean table shape), to size a grid before
    running it."""
    from ..model.flops import training_flops
    from ..prior.hdf5 import PriorDump
    from .operators import parameter_count

    dump = PriorDump(cfg.data)
    try:
        rows = float(np.mean(dump.num_datapoints))
        features = float(np.mean(dump.num_features))
        n_train = float(np.mean(dump.single_eval_pos))
    finally:
        dump.close()
    per_step = cell_tokens_per_step(cfg.data, cfg.batch_size)
    out = []
    for run in selected_runs(cfg, exclude=exclude):
        model = ModelConfig(**run.model)
        step = training_flops(model, round(rows), round(n_train), round(features), cfg.batch_size)
        out.append(
            {
                "id": run.id,
                "operator": run.operator,
                "parameters": parameter_count(model),
                "shape": f"{model.emsize} wide x {model.nlayers} layers",
                "steps": run.steps,
                "cell_tokens": run.steps * per_step,
                "flops": run.steps * step.total,
            }
        )
    return out


def _train_config(cfg: StudyConfig, run: RunSpec):
    from ..train import TrainConfig

    return TrainConfig(
        data=[cfg.data],
        out=str(Path(cfg.out) / "runs" / run.id),
        model=ModelConfig(**run.model),
        batch_size=cfg.batch_size,
        steps=run.steps,
        lr=cfg.lr,
        warmup_steps=cfg.warmup_steps,
        min_lr_ratio=run.min_lr_ratio,  # 1 (constant): each prefix is a valid shorter run
        seed=run.seed,
        log_every=run.eval_every,
        eval_every=run.eval_every,
        checkpoint_every=run.eval_every * 4,
        eval_datasets=cfg.eval_datasets,
    )


def execute_run(cfg: StudyConfig, run: RunSpec) -> dict:
    """Train one run (resuming if interrupted); returns and writes its run.json."""
    import torch

    from ..checkpoint import load_checkpoint
    from ..train import evaluate, real_eval_sets, synthetic_eval_batches, train
    from .operators import grow

    torch.set_num_threads(1)
    tcfg = _train_config(cfg, run)
    folder = Path(tcfg.out)
    done = folder / "run.json"
    if done.exists():
        result = json.loads(done.read_text())
        if same_spec(result["spec"], run):
            return result
        if run.min_lr_ratio < 1:  # a decayed schedule cannot be continued: train it again
            shutil.rmtree(folder)
        else:  # the plan changed (e.g. more steps): continue the run (constant lr)
            done.unlink()
    folder.mkdir(parents=True, exist_ok=True)

    init_model, report = None, None
    if run.operator not in ("base", SCRATCH):
        checkpoint = Path(cfg.out) / "runs" / run.base_run / "checkpoint"
        if not checkpoint.is_dir():
            raise FileNotFoundError(
                f"{run.id} grows {run.base_run}, which has no checkpoint at {checkpoint}: train "
                "it first (an archive keeps no checkpoint of an annealed run; delete the "
                "restored record to train it again)"
            )
        base_model, _ = load_checkpoint(checkpoint)
        method, depth_method, _ = OPERATORS[run.operator]
        init_model, growth = grow(
            base_model,
            ModelConfig(**run.model),
            method=method,
            depth_method=depth_method,
            shrink=cfg.shrink,
            sigma=cfg.sigma,
            seed=run.seed,
        )
        report = {k: v for k, v in growth.to_dict().items() if k != "tensors"}
    start = init_model if init_model is not None else _seeded_model(run)
    synthetic = synthetic_eval_batches(cfg.data, cfg.eval_datasets, cfg.batch_size)
    initial = evaluate(start, synthetic, real_eval_sets(), torch.device("cpu"))
    train(tcfg, resume=True, init_model=start, progress=False)
    result = {"spec": asdict(run), "growth": report, "initial_eval": initial}
    done.write_text(json.dumps(result, indent=2))
    return result


def _seeded_model(run: RunSpec) -> TabPFN:
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(run.seed)
        return TabPFN(ModelConfig(**run.model))


def run_study(
    cfg: StudyConfig, workers: int = 1, only: str | None = None, exclude: tuple[str, ...] = ()
) -> list[dict]:
    """Run every planned run not finished yet; the runs grown from before the others. `only`: run
    ids starting with this prefix; `exclude`: skip run ids containing any of these strings."""
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "study.json").write_text(json.dumps(cfg.to_dict(), indent=2))
    runs = selected_runs(cfg, only, exclude)
    (out / "plan.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))
    results = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for stage in run_stages(runs):
            futures = {pool.submit(execute_run, cfg, r): r for r in stage}
            for f in as_completed(futures):
                results.append(f.result())
                print(f"done {futures[f].id}", flush=True)
    return results


def run_stages(runs: list[RunSpec]) -> tuple[list[RunSpec], list[RunSpec]]:
    """The runs that others grow from, then the rest: no run starts before its base is done."""
    grown_from = {r.base_run for r in runs}
    return [r for r in runs if r.id in grown_from], [r for r in runs if r.id not in grown_from]


def load_runs(out: str | Path) -> list[dict]:
    """Finished runs with their logs: spec, growth report, initial eval and log rows."""
    from ..train import read_log

    runs = []
    for done in sorted(Path(out).glob("runs/**/run.json")):
        result = json.loads(done.read_text())
        result["log"] = read_log(done.parent / "log.jsonl")
        runs.append(result)
    return runs


def measured_rates(out: str | Path) -> dict[str, float]:
    """Training FLOP rate of each finished run under `out` (its logged FLOPs / wall seconds, one
    worker each): what `plan` calibrates its CPU-hour estimate with."""
    rates = {}
    for result in load_runs(out):
        last = result["log"][-1] if result["log"] else {}
        if last.get("flops") and last.get("wall_seconds"):
            rates[result["spec"]["id"]] = last["flops"] / last["wall_seconds"]
    return rates


# What a finished run leaves for the analysis (and, for a base, for the runs that grow it).
RUN_RECORD = ("run.json", "log.jsonl")


def _finished_runs(root: str | Path) -> list[tuple[str, Path]]:
    """(run id, folder) of every finished run under root/runs."""
    runs = Path(root) / "runs"
    return [
        (d.parent.relative_to(runs).as_posix(), d.parent) for d in sorted(runs.glob("**/run.json"))
    ]


def archive_runs(out: str | Path, archive: str | Path) -> list[str]:
    """Copy every finished run's record, and every finished base's checkpoint, from `out` to
    `archive`; returns the ids copied. Unfinished runs are left out: they restart from scratch
    wherever the archive is restored. The annealed runs that annealed grown runs start from keep
    no checkpoint here (half a megabyte each at width 64): archive them once those have finished."""
    copied = []
    for run_id, folder in _finished_runs(out):
        target = Path(archive) / "runs" / run_id
        target.mkdir(parents=True, exist_ok=True)
        for name in RUN_RECORD:
            shutil.copy2(folder / name, target / name)
        if json.loads((folder / "run.json").read_text())["spec"]["operator"] == "base":
            shutil.copytree(folder / "checkpoint", target / "checkpoint", dirs_exist_ok=True)
        copied.append(run_id)
    return copied


def restore_runs(archive: str | Path, out: str | Path) -> list[str]:
    """Copy archived runs into `out` where `out` does not have them finished already; returns
    the ids restored. The runner then skips them and grows from the restored bases."""
    restored = []
    for run_id, folder in _finished_runs(archive):
        target = Path(out) / "runs" / run_id
        if (target / "run.json").exists():
            continue
        if target.exists():
            shutil.rmtree(target)  # an unfinished copy: the archived finished run replaces it
        shutil.copytree(folder, target)
        restored.append(run_id)
    return restored
