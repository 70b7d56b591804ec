"""Training throughput on this CPU: tabpfn-lite against a faithful re-implementation of
nanoTabPFN (and, with --nanotabpfn-dir, nanoTabPFN's own model.py), same batches, same run.

    python benchmarks/train_speed.py --steps 400

Configuration (nanoTabPFN's): 96 wide, 3 layers, 4 heads, MLP 192, batches of 32 tables of
150 rows x 5 features x 2 classes. The reference follows nanoTabPFN's model.py and train.py:
one token per cell (Linear(1, E) on features standardised with the train rows' mean and std,
clipped to +-100), the train-label token padded with the mean label for test rows, post-norm
layers built from nn.MultiheadAttention called as nanoTabPFN calls it (attention weights
returned), separate calls for train and test rows (so the train rows' keys and values are
projected twice), decoder Linear-GELU-Linear to 2 outputs, schedule-free AdamW (lr 4e-3, no
weight decay, model.train() / optimizer.train()), cross-entropy, gradient clipping at 1.0.
It differs from nanoTabPFN's code only in its data loader (both read the same batches here).
Reports tables/second, the mean loss over the last quarter of the steps and a plot of the loss
per step (loss.png).
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pandas as pd
import schedulefree
import torch
import torch.nn.functional as F
from torch import nn

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.model import ModelConfig, TabPFN
from tabpfn_lite.plotting import pyplot
from tabpfn_lite.prior import PriorConfig, PriorDump, generate_dump
from tabpfn_lite.prior.hdf5 import Batch
from tabpfn_lite.train import batch_loss

E, LAYERS, HEADS, MLP, BATCH, CLASSES = 96, 3, 4, 192, 32, 2
WARMUP_STEPS = 3  # not timed
LITE_LR = 1e-3  # `tabpfn-lite train`'s default


class ReferenceLayer(nn.Module):
    """nanoTabPFN's post-norm layer: feature attention, row attention, MLP, each + residual."""

    def __init__(self):
        super().__init__()
        self.attn_features = nn.MultiheadAttention(E, HEADS, batch_first=True)
        self.attn_rows = nn.MultiheadAttention(E, HEADS, batch_first=True)
        self.linear1, self.linear2 = nn.Linear(E, MLP), nn.Linear(MLP, E)
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(E), nn.LayerNorm(E), nn.LayerNorm(E)

    def forward(self, h: torch.Tensor, n_train: int) -> torch.Tensor:
        B, R, C, _ = h.shape  # (B, R, F+1, E)
        x = h.reshape(B * R, C, E)
        x = self.attn_features(x, x, x)[0] + x
        x = self.norm1(x.reshape(B, R, C, E))
        x = x.transpose(1, 2).reshape(B * C, R, E)  # one sequence of rows per cell column
        train, test = x[:, :n_train], x[:, n_train:]
        rows = torch.cat(
            [self.attn_rows(train, train, train)[0], self.attn_rows(test, train, train)[0]], 1
        )
        x = self.norm2((rows + x).reshape(B, C, R, E).transpose(1, 2))
        return self.norm3(self.linear2(F.gelu(self.linear1(x))) + x)


class Reference(nn.Module):
    """nanoTabPFN: one token per cell and one for the label, post-norm layers, 2 outputs."""

    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(1, E)
        self.target = nn.Linear(1, E)
        self.layers = nn.ModuleList(ReferenceLayer() for _ in range(LAYERS))
        self.decoder = nn.Sequential(nn.Linear(E, MLP), nn.GELU(), nn.Linear(MLP, CLASSES))

    def forward(self, src: tuple[torch.Tensor, torch.Tensor], n: int) -> torch.Tensor:
        """nanoTabPFN's call: src = (x (B, R, F), y_train (B, N)), n = N train rows."""
        x, y_train = src
        x = x.unsqueeze(-1)
        mean, std = x[:, :n].mean(1, keepdim=True), x[:, :n].std(1, keepdim=True) + 1e-20
        x = ((x - mean) / std).clip(-100, 100)
        y = y_train.unsqueeze(-1)
        y = torch.cat([y, y.mean(1, keepdim=True).repeat(1, x.shape[1] - n, 1)], dim=1)
        h = torch.cat([self.cell(x), self.target(y.unsqueeze(-1))], dim=2)  # (B, R, F+1, E)
        for layer in self.layers:
            h = layer(h, n)
        return self.decoder(h[:, n:, -1])  # (B, R-N, 2)


def nanotabpfn_model(repo: Path) -> nn.Module:
    """nanoTabPFN's own NanoTabPFNModel, imported from a local clone of its repository."""
    spec = importlib.util.spec_from_file_location("nanotabpfn_model", repo / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.NanoTabPFNModel(
        embedding_size=E,
        num_attention_heads=HEADS,
        mlp_hidden_size=MLP,
        num_layers=LAYERS,
        num_outputs=CLASSES,
    )


def nanotabpfn_loss(model: nn.Module, batch: Batch) -> torch.Tensor:
    """nanoTabPFN's train.py loss: mean cross-entropy over the test rows."""
    n = batch.n_train
    logits = model((batch.x, batch.y[:, :n].float()), n)
    return F.cross_entropy(logits.reshape(-1, CLASSES), batch.y[:, n:].reshape(-1))


def measure(
    model: nn.Module,
    loss_fn: Callable[[nn.Module, Batch], torch.Tensor],
    optimizer: torch.optim.Optimizer,
    batches: list[Batch],
    bf16: bool = False,
) -> tuple[float, float, list[float]]:
    """Train on every batch: tables/second over the steps after the warm-up, seconds of the
    warm-up (where torch.compile compiles), loss per step."""
    autocast = torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else nullcontext()
    losses, t0 = [], time.perf_counter()
    for i, batch in enumerate(batches):
        if i == WARMUP_STEPS:
            warmup_seconds, t0 = time.perf_counter() - t0, time.perf_counter()
        with autocast:
            loss = loss_fn(model, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    timed = len(batches) - WARMUP_STEPS
    return timed * BATCH / (time.perf_counter() - t0), warmup_seconds, losses


def plot_losses(curves: dict[str, list[float]], path: Path, window: int = 10) -> None:
    """Loss per step of every model, as a moving average over `window` steps."""
    plt = pyplot()
    window = min(window, min(len(losses) for losses in curves.values()))
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, losses in curves.items():
        smooth = np.convolve(losses, np.ones(window) / window, mode="valid")
        ax.plot(np.arange(window, len(losses) + 1), smooth, label=name)
    ax.set(xlabel="step", ylabel=f"train loss ({window}-step mean)", title="same batches")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def lite(bf16: bool = False, compile: bool = False) -> tuple:
    model = TabPFN(
        ModelConfig(emsize=E, nlayers=LAYERS, nheads=HEADS, mlp_hidden=MLP, decoder_hidden=MLP)
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=LITE_LR)
    if compile:  # what `tabpfn-lite train --compile` does
        model.compile_feature_attention()
    return model, batch_loss, optimizer, bf16


def reference(model: nn.Module) -> tuple:
    optimizer = schedulefree.AdamWScheduleFree(model.parameters(), lr=4e-3, weight_decay=0.0)
    model.train()
    optimizer.train()
    return model, nanotabpfn_loss, optimizer, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument(
        "--nanotabpfn-dir", type=Path, help="a clone of nanoTabPFN: time its own model.py too"
    )
    parser.add_argument(
        "--skip-bf16",
        action="store_true",
        help="float32 rows only (on CPUs without bfloat16 matmul units, AVX2, bf16 is ~10x slower)",
    )
    parser.add_argument("--out", default="benchmarks/results/train_speed")
    args = parser.parse_args()
    prior = PriorConfig(  # no missing values: nanoTabPFN has no NaN handling
        min_rows=150,
        max_rows=150,
        min_features=5,
        max_features=5,
        max_classes=CLASSES,
        size_group=BATCH,
        missing_prob=0.0,
    )
    n_batches = args.steps + WARMUP_STEPS
    with tempfile.TemporaryDirectory() as tmp:
        path = generate_dump(Path(tmp) / "p.h5", prior, BATCH * n_batches, seed=0, progress=False)
        dump = PriorDump(path)
        stream = dump.batches(BATCH, seed=0)
        batches = [next(stream) for _ in range(n_batches)]
        dump.close()

    models = {"reference: nanoTabPFN re-implemented": lambda: reference(Reference())}
    if args.nanotabpfn_dir:
        models["nanoTabPFN's own model.py"] = lambda: reference(
            nanotabpfn_model(args.nanotabpfn_dir)
        )
    models["tabpfn-lite, float32"] = lambda: lite()
    models["tabpfn-lite, float32, compiled feature attention (--compile)"] = lambda: lite(
        compile=True
    )
    if not args.skip_bf16:
        models |= {
            "tabpfn-lite, bfloat16 autocast (--bf16)": lambda: lite(bf16=True),
            "tabpfn-lite, bfloat16, compiled feature attention (--bf16 --compile)": lambda: lite(
                True, True
            ),
        }
    rows, curves = [], {}
    last = max(20, args.steps // 4)
    for name, make in models.items():
        torch.manual_seed(0)
        model, loss_fn, optimizer, bf16 = make()
        speed, warmup_seconds, losses = measure(model, loss_fn, optimizer, batches, bf16)
        curves[name] = losses
        rows.append(
            {
                "model": name,
                "tables_per_second": speed,
                "warm-up seconds": warmup_seconds,
                f"mean loss, last {last} steps": float(np.mean(losses[-last:])),
            }
        )
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows).set_index("model")
    table["speed ratio vs reference"] = (
        table["tables_per_second"] / table["tables_per_second"].iloc[0]
    )
    table = table.round(3)
    print(table.to_string())
    command = command_line()
    if args.nanotabpfn_dir:  # where the clone lies is this machine's business
        command = command.replace(str(args.nanotabpfn_dir), "$NANOTABPFN_DIR")
    out = write_benchmark(
        args.out,
        table,
        f"Training throughput, {torch.get_num_threads()} CPU threads",
        command,
        f"96 wide, 3 layers, 4 heads, MLP 192; batches of 32 tables of 150 x 5 x 2; "
        f"{args.steps} timed steps after {WARMUP_STEPS} warm-up steps (not timed; torch.compile "
        "compiles in them, and inductor's cache on disk shortens a second run's); same batches. "
        "Reference "
        f"and nanoTabPFN: schedule-free AdamW lr 4e-3 (nanoTabPFN's train.py); tabpfn-lite: "
        f"AdamW lr {LITE_LR}, 2 features per token (its default architecture). "
        "$NANOTABPFN_DIR: a clone of https://github.com/automl/nanoTabPFN.\n\n"
        f"{table.to_markdown()}\n\n![loss per step](loss.png)",
        index=True,
    )
    plot_losses(curves, out / "loss.png")


if __name__ == "__main__":
    main()
