"""Pretraining on prior dumps (or on the prior drawn live, `prior:SPEC.json`): AdamW (or Muon on
the hidden matrices) with warm-up + cosine decay, gradient clipping, a size curriculum over
several data sources, evaluation, atomic checkpoints and exact resume.

Output folder:
  checkpoint/          the model (safetensors + JSON), loadable by TabPFNLiteClassifier
  state.safetensors    optimizer moments and RNG state      } written after checkpoint/,
  state.json           step, data positions, config, timing } so resume never mixes steps
  log.jsonl            one JSON object per logged step
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from tqdm import tqdm

from .checkpoint import load_checkpoint, save_checkpoint
from .model import ModelConfig, TabPFN, count_parameters, optimizer_param_groups
from .model.flops import training_flops
from .plotting import pyplot
from .prior.config import PriorConfig
from .prior.hdf5 import Batch, PriorDump, collate
from .prior.sample import sample_dataset
from .prior.stream import PriorStream, is_prior_spec, read_prior_spec

EVAL_SEED_OFFSET = 1_000_003  # held-out synthetic data: the dump's prior with another seed
OPTIMIZERS = ("adamw", "muon")


@dataclass
class TrainConfig:
    data: list[str]
    out: str
    model: ModelConfig = field(default_factory=ModelConfig)
    batch_size: int = 32
    steps: int = 1000
    lr: float = 1e-3
    warmup_steps: int = 50
    min_lr_ratio: float = 0.1  # cosine decays to lr * min_lr_ratio
    weight_decay: float = 0.0
    optimizer: str = "adamw"  # one of OPTIMIZERS
    grad_clip: float = 1.0
    time_budget: float | None = None  # seconds of training, across resumes
    # Decay the learning rate over the time budget (whichever of it and `steps` ends first), so a
    # run stopped by its budget still ends annealed. Resume then repeats the data and optimizer
    # state exactly, but the learning rates follow the wall clock.
    anneal_to_time_budget: bool = False
    curriculum: list[float] | None = None  # share of the steps spent on each dump, in order
    prior_workers: int = 1  # processes drawing tables for `prior:` data sources
    seed: int = 0
    log_every: int = 10
    eval_every: int = 250
    checkpoint_every: int = 250
    eval_datasets: int = 64
    stop_at: int | None = None  # stop (with a checkpoint) at this step; the schedule is unchanged
    # Gradient accumulation bounds memory: a (share of a) batch with more tokens than this
    # (datasets x rows x feature tokens) runs as several micro-batches, with the same gradient.
    micro_batch_tokens: int = 150_000
    bf16: bool = False
    compile: bool = False  # the feature attention, on a CPU: TabPFN.compile_feature_attention

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("at least one --data dump is needed")
        for name in ("batch_size", "steps", "log_every", "eval_every", "checkpoint_every"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.prior_workers < 1:
            raise ValueError(f"prior_workers must be >= 1, got {self.prior_workers}")
        if self.anneal_to_time_budget and not self.time_budget:
            raise ValueError("anneal_to_time_budget needs a time_budget")
        if self.lr <= 0:
            raise ValueError(f"lr must be > 0, got {self.lr}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.curriculum is not None:
            if len(self.curriculum) != len(self.data):
                raise ValueError(
                    f"curriculum has {len(self.curriculum)} shares for {len(self.data)} dumps"
                )
            if any(c < 0 for c in self.curriculum) or sum(self.curriculum) <= 0:
                raise ValueError("curriculum shares must be >= 0 with a positive sum")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TrainConfig:
        return cls(**{**d, "model": ModelConfig.from_dict(d["model"])})


# ------------------------------------------------------------------------------------ pieces
def lr_factor(step: int, cfg: TrainConfig, seconds: float = 0.0) -> float:
    """Linear warm-up, then cosine decay to min_lr_ratio at the last step (or, with
    anneal_to_time_budget, at the time budget if that comes first)."""
    if step < cfg.warmup_steps:
        return (step + 1) / cfg.warmup_steps
    progress = min(1.0, (step - cfg.warmup_steps) / max(1, cfg.steps - cfg.warmup_steps))
    if cfg.anneal_to_time_budget:
        progress = max(progress, min(1.0, seconds / cfg.time_budget))
    return cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))


def dump_for_step(step: int, cfg: TrainConfig) -> int:
    """Which dump feeds this step: the curriculum's shares, in the order the dumps were given."""
    shares = np.asarray(cfg.curriculum or [1.0] * len(cfg.data), dtype=float)
    bounds = np.cumsum(shares / shares.sum()) * cfg.steps
    return int(min(np.searchsorted(bounds, step, side="right"), len(bounds) - 1))


def masked_logits(logits: torch.Tensor, num_classes: torch.Tensor) -> torch.Tensor:
    """Classes a dataset does not have get -inf, so the softmax is over its own classes."""
    absent = torch.arange(logits.shape[-1], device=logits.device) >= num_classes[:, None]
    return logits.masked_fill(absent[:, None, :], float("-inf"))


def batch_loss(
    model: nn.Module, batch: Batch, feature_codes: torch.Tensor | None = None
) -> torch.Tensor:
    """Cross-entropy summed over this share's non-padded test rows, divided by the global batch's
    test-row count: the global mean when there is one rank, and its share of it otherwise."""
    n = batch.n_train
    logits = masked_logits(model(batch.x, batch.y[:, :n], feature_codes), batch.num_classes)
    ce = F.cross_entropy(
        logits.flatten(0, 1).float(), batch.y[:, n:].flatten(), ignore_index=-100, reduction="sum"
    )
    return ce / batch.global_test_rows


def batch_training_flops(cfg: ModelConfig, batch: Batch) -> float:
    """FLOPs of a training step on the global batch, as executed (padding included)."""
    _, rows, features = batch.x.shape
    return training_flops(cfg, rows, batch.n_train, features, batch.global_datasets).total


def micro_batches(
    batch: Batch, codes: torch.Tensor | None, max_tokens: int, features_per_token: int
) -> list[tuple[Batch, torch.Tensor | None]]:
    """Split a batch by datasets so that each piece holds at most `max_tokens` tokens. The loss
    of `batch_loss` is normalised by the global test-row count, so the pieces' gradients add up
    to the whole batch's."""
    B, R, F = batch.x.shape
    tokens_per_dataset = R * (-(-F // features_per_token) + 1)
    size = max(1, max_tokens // tokens_per_dataset)
    if size >= B:
        return [(batch, codes)]
    pieces = []
    for lo in range(0, B, size):
        part = {
            k: v[lo : lo + size] if isinstance(v, torch.Tensor) else v
            for k, v in vars(batch).items()
        }
        pieces.append((Batch(**part), None if codes is None else codes[lo : lo + size]))
    return pieces


def _batch_to(batch: Batch, device: torch.device) -> Batch:
    tensors = {k: v.to(device) for k, v in vars(batch).items() if isinstance(v, torch.Tensor)}
    return Batch(**{**vars(batch), **tensors})


# ------------------------------------------------------------------------------------ ranks
@dataclass(frozen=True)
class Ranks:
    rank: int = 0
    world: int = 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def join_process_group(device: torch.device) -> tuple[Ranks, torch.device, bool]:
    """Under torchrun (WORLD_SIZE > 1) join the process group: NCCL on GPUs, gloo on CPUs.
    Returns the ranks, this rank's device, and whether this call created the group."""
    if int(os.environ.get("WORLD_SIZE", "1")) == 1:
        return Ranks(), device, False
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    created = not dist.is_initialized()
    if created:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Ranks(dist.get_rank(), dist.get_world_size()), device, created


def _sum_over_ranks(value: torch.Tensor, ranks: Ranks) -> torch.Tensor:
    if ranks.world > 1:
        value = value.clone()
        dist.all_reduce(value)
    return value


# ------------------------------------------------------------------------------------ evaluation
def open_data(data: str, prior_workers: int = 1) -> PriorDump | PriorStream:
    """A training data source: an HDF5 dump (or shard index), or `prior:SPEC.json` drawn live."""
    if is_prior_spec(data):
        return PriorStream.from_spec(data, prior_workers)
    return PriorDump(data)


def data_prior(data: str) -> tuple[PriorConfig | None, int]:
    """The prior and seed behind a data source (None for a foreign dump that does not say)."""
    if is_prior_spec(data):
        return read_prior_spec(data)
    dump = PriorDump(data)
    try:
        prior_json = dump.attrs.get("prior_config")
        seed = int(dump.attrs.get("seed", 0))
    finally:
        dump.close()
    return (None if prior_json is None else PriorConfig.from_json(prior_json)), seed


def synthetic_eval_batches(data: str, n: int, batch_size: int) -> list[Batch]:
    """Held-out synthetic data: the data source's prior, drawn with another seed."""
    prior, seed = data_prior(data)
    if prior is None:
        return []
    seed += EVAL_SEED_OFFSET
    datasets = [sample_dataset(prior, seed, i) for i in range(n)]
    datasets.sort(key=lambda d: d.single_eval_pos)
    return [collate(datasets[i : i + batch_size]) for i in range(0, n, batch_size)]


def real_eval_sets() -> dict[str, tuple[np.ndarray, ...]]:
    """Small real tables that ship with scikit-learn, split 50/50 (not the benchmark suite)."""
    sets = {}
    for name, loader in (("breast_cancer", load_breast_cancer), ("iris", load_iris)):
        X, y = loader(return_X_y=True)
        sets[name] = tuple(train_test_split(X, y, test_size=0.5, stratify=y, random_state=0))
    return sets


@torch.no_grad()
def evaluate(model: TabPFN, synthetic: list[Batch], real: dict, device: torch.device) -> dict:
    model.eval()
    out: dict[str, float] = {}
    generator = torch.Generator().manual_seed(0)  # fixed feature codes: a deterministic eval
    if synthetic:
        losses = []
        for b in synthetic:
            codes = model.sample_feature_codes(b.x.shape[0], b.x.shape[2], generator)
            losses.append(batch_loss(model, _batch_to(b, device), codes).item())
        out["eval_loss"] = float(np.mean(losses))
    for name, (Xtr, Xte, ytr, yte) in real.items():
        x = torch.tensor(np.concatenate([Xtr, Xte]), dtype=torch.float32, device=device)[None]
        k = int(ytr.max()) + 1
        codes = model.sample_feature_codes(1, x.shape[2], generator)
        logits = model(x, torch.tensor(ytr, device=device)[None], codes)[0, :, :k]
        proba = logits.float().softmax(-1).cpu().numpy()
        auc = roc_auc_score(yte, proba[:, 1] if k == 2 else proba, multi_class="ovo")
        out[f"eval_auc_{name}"] = float(auc)
    model.train()
    return out


# ------------------------------------------------------------------------------------ state
def _save_state(out: Path, model: TabPFN, opt: AnyOptimizer, state: dict, cfg: TrainConfig) -> None:
    save_checkpoint(model, out / "checkpoint", {"train_config": cfg.to_dict(), **state})
    tensors = {"rng.torch": torch.get_rng_state()}
    for i, s in opt.state_dict()["state"].items():
        for k, v in s.items():
            tensors[f"opt.{i}.{k}"] = v.detach().cpu().contiguous()
    tmp = out / ".state.safetensors.tmp"
    save_file(tensors, str(tmp))
    os.replace(tmp, out / "state.safetensors")
    tmp = out / ".state.json.tmp"
    tmp.write_text(json.dumps({**state, "train_config": cfg.to_dict()}, indent=2))
    os.replace(tmp, out / "state.json")


def _load_state(out: Path, model: TabPFN, opt: AnyOptimizer) -> dict:
    state = json.loads((out / "state.json").read_text())
    loaded, meta = load_checkpoint(out / "checkpoint")
    if meta["metadata"].get("step") != state["step"]:
        raise RuntimeError(f"{out}: checkpoint step and state step differ; cannot resume")
    model.load_state_dict(loaded.state_dict())
    tensors = load_file(str(out / "state.safetensors"))
    torch.set_rng_state(tensors.pop("rng.torch"))
    opt_state = opt.state_dict()
    per_param: dict[int, dict] = {}
    for key, v in tensors.items():
        _, i, k = key.split(".", 2)
        per_param.setdefault(int(i), {})[k] = v
    opt_state["state"] = per_param
    opt.load_state_dict(opt_state)
    return state


# ------------------------------------------------------------------------------------ loop
def train(
    cfg: TrainConfig,
    resume: bool = False,
    init_model: TabPFN | None = None,
    device: str = "cpu",
    progress: bool = True,
) -> Path:
    """Train and return the checkpoint folder. `init_model` warm-starts (growth).

    Under torchrun every rank runs this unchanged: the global batch (cfg.batch_size) is split
    over the ranks, gradients are averaged by DistributedDataParallel, and rank 0 alone writes
    checkpoints and logs. Batches, schedule and log do not depend on the number of ranks, so a
    run can resume with another number of ranks."""
    out = Path(cfg.out)
    ranks, dev, created_group = join_process_group(torch.device(device))
    if cfg.bf16 and dev.type == "cpu" and cpu_has_native_bf16() is False:
        warnings.warn(
            "bf16 on a CPU without AVX512-BF16 or AMX: its bfloat16 matmuls are emulated, about "
            "10x slower than float32 here; train without bf16",
            stacklevel=2,
        )
    model, opt = _set_up_model(cfg, init_model, dev)
    state = _start_state(cfg, out, model, opt, resume, ranks)
    net = DistributedDataParallel(model) if ranks.world > 1 else model
    feed = DataFeed(cfg, state, ranks, dev)
    clock = Clock(cfg, ranks, state["wall_seconds"])
    main = None  # rank 0 alone logs, evaluates and writes checkpoints
    if ranks.is_main:
        log = RunLog(out / "log.jsonl", state, clock, count_parameters(model))
        main = MainRank(cfg, out, model, opt, state, log, Evaluation(cfg, model, dev))
    if cfg.compile:
        model.compile_feature_attention()
    bar = tqdm(
        total=cfg.steps,
        initial=state["step"],
        disable=not (progress and ranks.is_main),
        desc="train",
    )
    losses: list[float] = []
    try:
        while (
            state["step"] < cfg.steps and state["step"] != cfg.stop_at and not clock.out_of_time()
        ):
            waited = time.perf_counter()
            batch = feed.next_batch(dump_for_step(state["step"], cfg))
            if state["data_seconds"] is not None:
                state["data_seconds"] += time.perf_counter() - waited
            lr_scale = lr_factor(state["step"], cfg, clock.schedule_seconds())
            loss = train_step(model, net, opt, batch, cfg, ranks, lr_scale)
            losses.append(loss)
            state["step"] += 1
            state["datasets"] += batch.global_datasets
            state["cell_tokens"] += batch.global_cell_tokens
            if state["flops"] is not None:
                state["flops"] += batch_training_flops(cfg.model, batch)
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4f}")
            if main is not None:
                losses = main.after_step(losses)
        if main is not None:
            main.finish(losses)
    finally:
        bar.close()
        feed.close()
        if created_group:
            dist.barrier()
            dist.destroy_process_group()
    return out / "checkpoint"


def cpu_has_native_bf16(cpuinfo: str | Path = "/proc/cpuinfo") -> bool | None:
    """Whether this CPU computes bfloat16 matmuls in hardware (AVX512-BF16 or AMX); None where
    its flags cannot be read."""
    try:
        flags = set(Path(cpuinfo).read_text().split())
    except OSError:
        return None
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def _set_up_model(
    cfg: TrainConfig, init_model: TabPFN | None, dev: torch.device
) -> tuple[TabPFN, AnyOptimizer]:
    """The model (new, or `init_model`) on its device and its optimizer."""
    if dev.type == "cuda":
        # cuDNN's attention kernel fails in the backward pass for the row attention's batch of
        # (tables x feature tokens x heads) sequences (seen with torch 2.11 on an H100); the
        # flash and memory-efficient kernels handle it.
        torch.backends.cuda.enable_cudnn_sdp(False)
    torch.manual_seed(cfg.seed)
    model = (init_model if init_model is not None else TabPFN(cfg.model)).to(dev).train()
    cfg.model = model.cfg
    groups = optimizer_param_groups(model, cfg.lr, cfg.weight_decay)
    opt = MuonWithAdamW(groups) if cfg.optimizer == "muon" else _adamw(groups)
    for g in opt.param_groups:
        g["base_lr"] = g["lr"]
    return model, opt


def _adamw(groups: list[dict]) -> torch.optim.AdamW:
    return torch.optim.AdamW(groups, betas=(0.9, 0.95), eps=1e-8)


class MuonWithAdamW:
    """Muon (Jordan et al., 2024) on the hidden weight matrices, AdamW on the rest, as in
    modded-nanogpt: Muon orthogonalises each matrix's momentum, which is not defined for vectors,
    and the input and readout layers train better with Adam. Muon's step is scaled to AdamW's
    update size (Liu et al., 2025, "Muon is scalable"), so both share the groups' learning rates.

    It has the parts of torch.optim.Optimizer the training loop uses. Its state dict numbers
    the Muon parameters first, then the AdamW ones, like a single optimizer's."""

    def __init__(self, groups: list[dict]):
        hidden = [g for g in groups if g["name"] == "hidden"]
        self.muon = torch.optim.Muon(hidden, adjust_lr_fn="match_rms_adamw")
        self.adamw = _adamw([g for g in groups if g["name"] != "hidden"])
        self._n_muon = sum(len(g["params"]) for g in hidden)

    @property
    def param_groups(self) -> list[dict]:
        # read through each time: load_state_dict replaces the group dicts
        return self.muon.param_groups + self.adamw.param_groups

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.muon.zero_grad(set_to_none=set_to_none)
        self.adamw.zero_grad(set_to_none=set_to_none)

    def step(self) -> None:
        self.muon.step()
        self.adamw.step()

    def state_dict(self) -> dict:
        muon, adamw = self.muon.state_dict(), self.adamw.state_dict()
        state = {**muon["state"], **{i + self._n_muon: s for i, s in adamw["state"].items()}}
        return {"state": state, "param_groups": muon["param_groups"] + adamw["param_groups"]}

    def load_state_dict(self, state_dict: dict) -> None:
        n, k = self._n_muon, len(self.muon.param_groups)
        state, groups = state_dict["state"], state_dict["param_groups"]
        muon = {i: s for i, s in state.items() if i < n}
        adamw = {i - n: s for i, s in state.items() if i >= n}
        self.muon.load_state_dict({"state": muon, "param_groups": groups[:k]})
        self.adamw.load_state_dict({"state": adamw, "param_groups": groups[k:]})


AnyOptimizer = torch.optim.AdamW | MuonWithAdamW


def _start_state(
    cfg: TrainConfig,
    out: Path,
    model: TabPFN,
    opt: AnyOptimizer,
    resume: bool,
    ranks: Ranks,
) -> dict:
    """A fresh run's counters, or (resume) those of the last checkpoint with the model and
    optimizer restored; the log keeps only the rows up to that checkpoint."""
    state = {
        "step": 0,
        "datasets": 0,
        "cell_tokens": 0,
        "flops": 0.0,  # forward + backward, attention included (model/flops.py)
        "wall_seconds": 0.0,
        "data_seconds": 0.0,  # of wall_seconds, waiting for batches (prior workers, HDF5 reads)
        "dump_positions": [0] * len(cfg.data),
    }
    if resume and (out / "state.json").exists():
        state = _load_state(out, model, opt)
        # A run begun before FLOPs were counted logs none rather than a count from the resume
        # on (its analysis then falls back to 6 x parameters x cell-tokens).
        state.setdefault("flops", None)
        state.setdefault("data_seconds", None)  # likewise for the data wait
    if ranks.is_main:
        out.mkdir(parents=True, exist_ok=True)
        log_path = out / "log.jsonl"
        # Keep the log of the steps before the checkpoint; later ones are about to be redone.
        kept = read_log(log_path) if resume and log_path.exists() else []
        log_path.write_text(
            "".join(json.dumps(r) + "\n" for r in kept if r["step"] <= state["step"])
        )
    return state


class DataFeed:
    """Batches for each step from the data sources, continuing at `state["dump_positions"]`.
    A source is opened on first use: a later curriculum stage may still be being written."""

    def __init__(self, cfg: TrainConfig, state: dict, ranks: Ranks, dev: torch.device):
        self.cfg, self.state, self.ranks, self.dev = cfg, state, ranks, dev
        self.sources: dict[int, PriorDump | PriorStream] = {}
        self.streams: dict[int, Iterator[Batch]] = {}

    def next_batch(self, i: int) -> Batch:
        if i not in self.streams:
            self.sources[i] = open_data(self.cfg.data[i], self.cfg.prior_workers)
            self.streams[i] = self.sources[i].batches(
                self.cfg.batch_size,
                self.cfg.seed + i,
                start_batch=self.state["dump_positions"][i],
                rank=self.ranks.rank,
                world=self.ranks.world,
            )
        self.state["dump_positions"][i] += 1
        return _batch_to(next(self.streams[i]), self.dev)

    def close(self) -> None:
        for source in self.sources.values():
            source.close()


class Clock:
    """Training seconds across resumes, and the time budget's decisions, the same on every rank."""

    def __init__(self, cfg: TrainConfig, ranks: Ranks, seconds_before: float):
        self.cfg, self.ranks = cfg, ranks
        self.start, self.before = time.perf_counter(), seconds_before

    def seconds(self) -> float:
        return self.before + time.perf_counter() - self.start

    def schedule_seconds(self) -> float:
        """The wall clock for the schedule, the same on every rank (their mean): ranks that
        applied different learning rates to the same averaged gradient would drift apart."""
        if not self.cfg.anneal_to_time_budget:
            return 0.0
        return float(_sum_over_ranks(torch.tensor(self.seconds()), self.ranks)) / self.ranks.world

    def out_of_time(self) -> bool:
        late = self.cfg.time_budget is not None and self.seconds() >= self.cfg.time_budget
        return bool(_sum_over_ranks(torch.tensor(float(late)), self.ranks) > 0)  # all agree


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 3)


class RunLog:
    """log.jsonl: one row per logged step, with the run's counters and the seconds so far."""

    def __init__(self, path: Path, state: dict, clock: Clock, n_params: int):
        self.path, self.state, self.clock, self.n_params = path, state, clock, n_params

    def write(self, extra: dict[str, Any]) -> None:
        row = {
            "step": self.state["step"],
            "datasets": self.state["datasets"],
            "cell_tokens": self.state["cell_tokens"],
            "flops": self.state["flops"],
            "wall_seconds": round(self.clock.seconds(), 3),
            "data_seconds": _rounded(self.state["data_seconds"]),
            "parameters": self.n_params,
            **extra,
        }
        with open(self.path, "a") as f:
            f.write(json.dumps(row) + "\n")

    def write_loss(self, losses: list[float], lr: float) -> None:
        self.write({"loss": float(np.mean(losses)), "lr": lr})


class Evaluation:
    """Held-out tables of the first data source's prior and small real tables, fixed for the run."""

    def __init__(self, cfg: TrainConfig, model: TabPFN, dev: torch.device):
        self.model, self.dev = model, dev
        self.synthetic = synthetic_eval_batches(cfg.data[0], cfg.eval_datasets, cfg.batch_size)
        self.real = real_eval_sets()

    def __call__(self) -> dict:
        return evaluate(self.model, self.synthetic, self.real, self.dev)


def train_step(
    model: TabPFN,
    net: nn.Module,
    opt: AnyOptimizer,
    batch: Batch,
    cfg: TrainConfig,
    ranks: Ranks,
    lr_scale: float,
) -> float:
    """One optimizer step on a global batch (this rank's share of it, in micro-batches);
    returns the global batch's loss."""
    codes = model.sample_feature_codes(batch.global_datasets, batch.x.shape[2])
    if codes is not None:
        codes = codes[ranks.rank :: ranks.world]  # the same codes whatever the ranks
    for g in opt.param_groups:
        g["lr"] = g["base_lr"] * lr_scale
    opt.zero_grad(set_to_none=True)
    pieces = micro_batches(batch, codes, cfg.micro_batch_tokens, cfg.model.features_per_token)
    loss = torch.zeros((), device=batch.x.device)
    for k, (piece, piece_codes) in enumerate(pieces):
        # DDP all-reduces the gradients once, after the last piece.
        sync = ranks.world == 1 or k == len(pieces) - 1
        with (
            nullcontext() if sync else net.no_sync(),
            torch.autocast(batch.x.device.type, dtype=torch.bfloat16, enabled=cfg.bf16),
        ):
            piece_loss = batch_loss(net, piece, piece_codes)
            (piece_loss * ranks.world).backward()  # DDP averages over the ranks
        loss += piece_loss.detach()
    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
    opt.step()
    return _sum_over_ranks(loss, ranks).item()


@dataclass
class MainRank:
    """What rank 0 alone does after the steps: log, evaluate, checkpoint."""

    cfg: TrainConfig
    out: Path
    model: TabPFN
    opt: AnyOptimizer
    state: dict
    log: RunLog
    evaluation: Evaluation

    def after_step(self, losses: list[float]) -> list[float]:
        """The log row, evaluation and checkpoint that are due; returns the losses not yet
        logged."""
        step, cfg = self.state["step"], self.cfg
        last = step == cfg.steps
        if step % cfg.log_every == 0 or last:
            self.log.write_loss(losses, self.opt.param_groups[0]["lr"])
            losses = []
        if step % cfg.eval_every == 0 or last:
            self.log.write(self.evaluation())
        if step % cfg.checkpoint_every == 0 or last:
            self.save()
        return losses

    def finish(self, losses: list[float]) -> None:
        """A run stopped by its time budget or `stop_at` between checkpoints is saved now."""
        step = self.state["step"]
        if step > 0 and (step % self.cfg.checkpoint_every == 0 or step == self.cfg.steps):
            return  # saved by after_step
        if losses:  # the steps since the last log row
            self.log.write_loss(losses, self.opt.param_groups[0]["lr"])
            self.log.write(self.evaluation())
        self.save()

    def save(self) -> None:
        self.state["wall_seconds"] = self.log.clock.seconds()
        _save_state(self.out, self.model, self.opt, self.state, self.cfg)


def read_log(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


def plot_log(log_path: str | Path, png_path: str | Path) -> Path:
    """Training loss, held-out loss and real-data ROC-AUC over datasets seen."""
    plt = pyplot()

    rows = read_log(log_path)
    fig, (ax_loss, ax_auc) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label in (("loss", "train loss"), ("eval_loss", "held-out prior loss")):
        pts = [(r["datasets"], r[key]) for r in rows if key in r]
        if pts:
            ax_loss.plot(*zip(*pts, strict=True), label=label)
    for key in sorted({k for r in rows for k in r if k.startswith("eval_auc_")}):
        pts = [(r["datasets"], r[key]) for r in rows if key in r]
        ax_auc.plot(*zip(*pts, strict=True), marker="o", label=key.removeprefix("eval_auc_"))
    ax_loss.set(xlabel="datasets seen", ylabel="cross-entropy", title="loss")
    ax_auc.set(xlabel="datasets seen", ylabel="ROC-AUC (50/50 split)", title="real-data eval")
    for ax in (ax_loss, ax_auc):
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
        else:  # e.g. a run shorter than --eval-every
            ax.text(0.5, 0.5, "not measured in this run", ha="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(png_path, dpi=120)
    plt.close(fig)
    return Path(png_path)
