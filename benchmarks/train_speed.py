"""Training throughput on this CPU: tabpfn-lite's network vs a straightforward reference written
with nn.MultiheadAttention in nanoTabPFN's style (one token per cell, post-LN, separate calls for
train and test rows), same width/depth, same batches, measured in the same run.

    python benchmarks/train_speed.py --steps 400

Configuration (nanoTabPFN's): 96 wide, 3 layers, 4 heads, MLP 192, batches of 32 tables of
150 rows x 5 features x 2 classes. Reports tables/second, the mean loss over the last quarter of
the steps (same batches, same seed) and a plot of the loss per step (loss.png).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.model import ModelConfig, TabPFN
from tabpfn_lite.plotting import pyplot
from tabpfn_lite.prior import PriorConfig, PriorDump, generate_dump
from tabpfn_lite.train import batch_loss

E, LAYERS, HEADS, MLP, BATCH = 96, 3, 4, 192, 32


class ReferenceLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn_features = nn.MultiheadAttention(E, HEADS, batch_first=True)
        self.attn_rows = nn.MultiheadAttention(E, HEADS, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(E, MLP), nn.GELU(), nn.Linear(MLP, E))
        self.norm1, self.norm2, self.norm3 = nn.LayerNorm(E), nn.LayerNorm(E), nn.LayerNorm(E)

    def forward(self, h: torch.Tensor, n_train: int) -> torch.Tensor:
        B, R, C, _ = h.shape
        x = h.reshape(B * R, C, E)
        x = self.norm1(x + self.attn_features(x, x, x, need_weights=False)[0])
        x = x.reshape(B, R, C, E).transpose(1, 2).reshape(B * C, R, E)
        train, test = x[:, :n_train], x[:, n_train:]
        train_out = self.attn_rows(train, train, train, need_weights=False)[0]
        test_out = self.attn_rows(test, train, train, need_weights=False)[0]
        x = self.norm2(x + torch.cat([train_out, test_out], dim=1))
        x = self.norm3(x + self.mlp(x))
        return x.reshape(B, C, R, E).transpose(1, 2)


class Reference(nn.Module):
    """nanoTabPFN-style: Linear(1, E) per cell, label token Linear(1, E), post-LN layers."""

    def __init__(self, max_classes: int = 10):
        super().__init__()
        self.cell = nn.Linear(1, E)
        self.target = nn.Linear(1, E)
        self.layers = nn.ModuleList(ReferenceLayer() for _ in range(LAYERS))
        self.decoder = nn.Sequential(nn.Linear(E, MLP), nn.GELU(), nn.Linear(MLP, max_classes))

    def forward(self, x: torch.Tensor, y_train: torch.Tensor, feature_codes=None) -> torch.Tensor:
        n = y_train.shape[1]  # feature_codes: unused (no feature identity in nanoTabPFN)
        mean, std = x[:, :n].mean(1, keepdim=True), x[:, :n].std(1, keepdim=True) + 1e-6
        x = ((x - mean) / std).clamp(-100, 100)
        y = y_train.float()
        y = torch.cat([y, y.mean(1, keepdim=True).expand(-1, x.shape[1] - n)], dim=1)
        h = torch.cat([self.cell(x.unsqueeze(-1)), self.target(y[..., None, None])], dim=2)
        for layer in self.layers:
            h = layer(h, n)
        return self.decoder(h[:, n:, -1])


def measure(model: nn.Module, batches: list, steps: int, lr: float) -> tuple[float, list[float]]:
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    losses, t0 = [], None
    for i, batch in enumerate(batches[: steps + 3]):
        if i == 3:  # warm-up steps are not timed
            t0 = time.perf_counter()
        loss = batch_loss(model, batch)  # mean cross-entropy over the test rows
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return steps * BATCH / (time.perf_counter() - t0), losses


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--out", default="benchmarks/results/train_speed")
    args = parser.parse_args()
    prior = PriorConfig(  # no missing values: the reference, like nanoTabPFN, has no NaN handling
        min_rows=150,
        max_rows=150,
        min_features=5,
        max_features=5,
        max_classes=2,
        size_group=BATCH,
        missing_prob=0.0,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = generate_dump(
            Path(tmp) / "p.h5", prior, BATCH * (args.steps + 3), seed=0, progress=False
        )
        dump = PriorDump(path)
        stream = dump.batches(BATCH, seed=0)
        batches = [next(stream) for _ in range(args.steps + 3)]
        dump.close()

    rows, curves = [], {}
    last = max(20, args.steps // 4)
    models = {
        "reference (nn.MultiheadAttention, 1 feature/token)": lambda: Reference(),
        "tabpfn-lite (1 feature/token)": lambda: TabPFN(
            ModelConfig(
                emsize=E,
                nlayers=LAYERS,
                nheads=HEADS,
                mlp_hidden=MLP,
                decoder_hidden=MLP,
                features_per_token=1,
                feature_code_dim=0,
            )
        ),
        "tabpfn-lite (2 features/token, default)": lambda: TabPFN(
            ModelConfig(emsize=E, nlayers=LAYERS, nheads=HEADS, mlp_hidden=MLP, decoder_hidden=MLP)
        ),
    }
    for name, make in models.items():
        torch.manual_seed(0)
        speed, losses = measure(make(), batches, args.steps, args.lr)
        curves[name] = losses
        rows.append(
            {
                "model": name,
                "tables_per_second": speed,
                f"mean loss, last {last} steps": float(np.mean(losses[-last:])),
            }
        )
        print(rows[-1])
    table = pd.DataFrame(rows).set_index("model")
    table["speed ratio vs reference"] = (
        table["tables_per_second"] / table["tables_per_second"].iloc[0]
    )
    table = table.round(3)
    print(table.to_string())
    out = write_benchmark(
        args.out,
        table,
        f"Training throughput, {torch.get_num_threads()} CPU threads",
        command_line(),
        f"96 wide, 3 layers, 4 heads, MLP 192; batches of 32 tables of 150 x 5 x 2; "
        f"{args.steps} timed steps after 3 warm-up steps; AdamW lr {args.lr}; same batches.\n\n"
        f"{table.to_markdown()}\n\n![loss per step](loss.png)",
        index=True,
    )
    plot_losses(curves, out / "loss.png")


if __name__ == "__main__":
    main()
