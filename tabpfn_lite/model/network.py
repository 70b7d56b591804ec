"""The TabPFN v2 network: cell embedding, alternating feature/row attention, decoder.

Shapes: B datasets, R rows (train rows first, then test rows), N train rows, F features,
T = ceil(F / features_per_token) feature tokens plus one target token, E = emsize.
Train rows attend only to train rows, so the row-attention keys and values of the train rows can be
computed once (`build_cache`) and reused for test rows in chunks of any size (`predict_from_cache`).
"""

from __future__ import annotations

import math
import os
import shutil
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig

KeyValue = tuple[torch.Tensor, torch.Tensor]
MAX_SCORE_ELEMENTS = 2**25  # attention scores per call: 128 MB in float32
CUDA_GRID_LIMIT = 65_535  # blocks along a CUDA grid's y and z axes
# On a CPU, attention over at most FEW_KEYS keys runs as two matmuls (or the compiled
# few_keys_attention): the fused kernel's per-sequence overhead dominates there. Which kernel wins
# for the row attention's small calls depends on the CPU's vector units: with AVX512, calls of at
# most MATMUL_SCORES[dtype] scores run faster as two matmuls (the fused kernel's bfloat16 backward
# is 3-5x slower still); with AVX2 the fused kernel is 2-4x faster per call at every size tried
# (benchmarks/results/README.md, "Training throughput").
FEW_KEYS = 16
MATMUL_SCORES = (
    {torch.float32: 2**23, torch.bfloat16: 2**25}
    if torch.backends.cpu.get_cpu_capability().startswith("AVX512")
    else {}
)


@dataclass
class TrainCache:
    """What every layer needs from the train rows; enough to predict any test rows."""

    mean: torch.Tensor  # (B, 1, F) train-row mean of each feature
    std: torch.Tensor  # (B, 1, F) train-row std of each feature
    feature_codes: torch.Tensor | None  # (B, T, feature_code_dim)
    keys_values: list[KeyValue]  # per layer: k, v each (B*(T+1), H, N, head_dim); last: (B, ...)

    def to(self, device: torch.device | str) -> TrainCache:
        return TrainCache(
            self.mean.to(device),
            self.std.to(device),
            None if self.feature_codes is None else self.feature_codes.to(device),
            [(k.to(device), v.to(device)) for k, v in self.keys_values],
        )


class Attention(nn.Module):
    """Multi-head attention with separate query and key/value projections."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.nheads, self.head_dim = cfg.nheads, cfg.head_dim
        # muP uses 1/d_head so attention logits stay O(1) as heads widen.
        self.scale = 1 / self.head_dim if cfg.parametrization == "mup" else None
        self.q = nn.Linear(cfg.emsize, cfg.emsize)
        self.kv = nn.Linear(cfg.emsize, 2 * cfg.emsize)
        self.out = nn.Linear(cfg.emsize, cfg.emsize)
        self.few_keys_kernel = None  # a compiled `few_keys_attention` (TabPFN.compile_...)

    def _split_heads(self, x: torch.Tensor) -> torch.Tensor:
        n, length, _ = x.shape  # (n, L, E) -> (n, H, L, head_dim)
        return x.view(n, length, self.nheads, self.head_dim).transpose(1, 2)

    def keys_values(self, context: torch.Tensor) -> KeyValue:
        k, v = self.kv(context).chunk(2, dim=-1)  # (n, L, E) each
        return self._split_heads(k), self._split_heads(v)

    def attend(self, x: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """x: (n, L, E) queries; k, v: (n, H, S, head_dim). On a CPU, long query sequences run
        in chunks of at least one row, sized so that the scores (n, H, chunk, S) stay within
        MAX_SCORE_ELEMENTS where possible: CPU attention materialises them. CUDA's kernels do
        not, and there many small chunks would cost more than they save."""
        n, length, emsize = x.shape
        rows = max(1, MAX_SCORE_ELEMENTS // (n * self.nheads * k.shape[2]))
        q = self._split_heads(self.q(x))  # (n, H, L, head_dim)
        if q.is_cuda or rows >= length:
            o = self._sdpa(q, k, v)
        else:
            o = torch.cat([self._sdpa(q_chunk, k, v) for q_chunk in q.split(rows, dim=2)], dim=2)
        return self.out(o.transpose(1, 2).reshape(n, length, emsize))

    def _sdpa(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """CUDA attention kernels put sequences and heads on grid axes of at most 65,535 blocks:
        a larger batch of sequences (the feature attention sees one per table row) is split.
        On a CPU, many short sequences (the feature attention again) run 2-3x faster as plain
        matmuls than through the fused kernel, whose per-sequence overhead dominates there, and
        so do small calls on AVX512 CPUs (training batches of short tables; MATMUL_SCORES)."""
        n_scores = q.shape[0] * q.shape[1] * q.shape[2] * k.shape[2]
        if not q.is_cuda and (k.shape[2] <= FEW_KEYS or n_scores <= MATMUL_SCORES.get(q.dtype, 0)):
            scale = self.scale or 1 / math.sqrt(self.head_dim)
            if self.few_keys_kernel is not None and k.shape[2] <= FEW_KEYS:
                return self.few_keys_kernel(q, k, v, scale)
            return ((q * scale) @ k.transpose(-1, -2)).softmax(-1) @ v
        size = CUDA_GRID_LIMIT // self.nheads
        if not q.is_cuda or q.shape[0] <= size:
            return F.scaled_dot_product_attention(q, k, v, scale=self.scale)
        parts = zip(q.split(size), k.split(size), v.split(size), strict=True)
        return torch.cat([F.scaled_dot_product_attention(*p, scale=self.scale) for p in parts])

    def forward(self, x: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        return self.attend(x, *self.keys_values(context))


def cpp_compiler() -> str:
    """The C++ compiler torch.compile builds CPU kernels with: $CXX, else g++."""
    return os.environ.get("CXX", "g++")


def few_keys_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, scale: float
) -> torch.Tensor:
    """Attention as broadcast products and sums, for torch.compile to fuse into a loop per
    output: q (n, H, L, d), k and v (n, H, S, d) -> (n, H, L, d). With a few keys (the feature
    attention's tokens) the matmul kernels pay a fixed cost per tiny matrix; the fused loops
    do not (benchmarks/train_speed.py measures the faster step). Eager, it builds
    (n, H, L, S, d) products: compile it."""
    scores = (q.unsqueeze(-2) * k.unsqueeze(-3)).sum(-1) * scale  # (n, H, L, S)
    return (scores.softmax(-1).unsqueeze(-1) * v.unsqueeze(-3)).sum(-2)


class MLP(nn.Sequential):
    def __init__(self, emsize: int, hidden: int):
        super().__init__(nn.Linear(emsize, hidden), nn.GELU(), nn.Linear(hidden, emsize))


class Layer(nn.Module):
    """Pre-norm block: attention across feature tokens, attention across rows, MLP."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.norm_features = nn.LayerNorm(cfg.emsize)
        self.attn_features = Attention(cfg)
        self.norm_rows = nn.LayerNorm(cfg.emsize)
        self.attn_rows = Attention(cfg)
        self.norm_mlp = nn.LayerNorm(cfg.emsize)
        self.mlp = MLP(cfg.emsize, cfg.mlp_hidden)

    def forward(
        self,
        h: torch.Tensor,
        n_train: int | None = None,
        kv: KeyValue | None = None,
        target_only: bool = False,
    ) -> tuple[torch.Tensor, KeyValue]:
        """h: (B, R, T+1, E). Keys/values come from the first `n_train` rows, or from `kv`.

        target_only: compute only what the decoder reads after a last layer, the test rows'
        target token, (B, R - n_train, 1, E) (all rows are test rows when `kv` is given), with
        the same values as the full layer's: each token's output reads only its own row's tokens
        (feature attention) and the same token of the train rows (row attention). Its keys and
        values are then the target token's."""
        B, R, T1, E = h.shape

        x = self.norm_features(h).reshape(B * R, T1, E)
        if target_only:
            h, T1 = h[:, :, -1:], 1
        h = h + self.attn_features(x[:, -T1:], x).view(B, R, T1, E)

        x = self.norm_rows(h).transpose(1, 2).reshape(B * T1, R, E)  # one sequence per token
        if kv is None:
            kv = self.attn_rows.keys_values(x[:, :n_train])
        skip = n_train if target_only and n_train is not None else 0  # train rows: not decoded
        rows = self.attn_rows.attend(x[:, skip:], *kv)  # (B*T1, R - skip, E)
        h = h[:, skip:] + rows.view(B, T1, R - skip, E).transpose(1, 2)

        h = h + self.mlp(self.norm_mlp(h))
        return h, kv


class TabPFN(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        E, G = cfg.emsize, cfg.features_per_token
        self.cell_encoder = nn.Linear(2 * G, E)  # G values + G missing-value indicators
        self.feature_code_encoder = (
            nn.Linear(cfg.feature_code_dim, E, bias=False) if cfg.feature_code_dim else None
        )
        self.target_encoder = nn.Embedding(cfg.max_classes + 1, E)  # last index: label unknown
        self.layers = nn.ModuleList(Layer(cfg) for _ in range(cfg.nlayers))
        self.decoder = nn.Sequential(
            nn.LayerNorm(E),
            nn.Linear(E, cfg.decoder_hidden),
            nn.GELU(),
            nn.Linear(cfg.decoder_hidden, cfg.max_classes),
        )
        # muP readout multiplier: logits shrink with width so their updates stay O(1).
        self.output_mult = 1 / cfg.width_mult if cfg.parametrization == "mup" else 1.0
        self.reset_parameters()

    # ----------------------------------------------------------------------------- init
    def reset_parameters(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Linear):
                fan_in = module.weight.shape[1]
                nn.init.normal_(module.weight, std=1 / math.sqrt(fan_in))
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        nn.init.normal_(self.target_encoder.weight, std=1.0)
        # Residual branches and the readout start at zero (TabPFN v2 does the same).
        for layer in self.layers:
            nn.init.zeros_(layer.attn_features.out.weight)
            nn.init.zeros_(layer.attn_rows.out.weight)
            nn.init.zeros_(layer.mlp[2].weight)
        nn.init.zeros_(self.decoder[-1].weight)

    def compile_feature_attention(self) -> None:
        """Run attention over at most FEW_KEYS keys on a CPU (the feature attention) through a
        compiled `few_keys_attention`. Compiling takes 10-30 s once per process (shapes are
        dynamic: tables of any size reuse it), so training uses it and prediction does not."""
        compiler = cpp_compiler()
        if shutil.which(compiler) is None:
            raise RuntimeError(
                f"compiling the feature attention needs a C++ compiler ({compiler!r}, or the one "
                "named by $CXX) on PATH; install one or train without --compile"
            )
        kernel = torch.compile(few_keys_attention, dynamic=True)
        for module in self.modules():
            if isinstance(module, Attention):
                module.few_keys_kernel = kernel

    def sample_feature_codes(
        self,
        batch: int,
        n_features: int,
        generator: torch.Generator | None = None,
        orthogonal: bool = False,
    ) -> torch.Tensor | None:
        """Random identity codes that let attention tell feature tokens apart: (B, T, d), each
        code N(0, I). orthogonal=True (used for prediction) makes the codes of each block of d
        tokens mutually orthogonal, so no two features look alike by chance; each code on its
        own keeps the distribution seen in training."""
        if not self.cfg.feature_code_dim:
            return None
        n_tokens = math.ceil(n_features / self.cfg.features_per_token)
        shape = (batch, n_tokens, self.cfg.feature_code_dim)
        sample = orthogonal_gaussian if orthogonal else torch.randn
        return sample(*shape, generator=generator).to(self.cell_encoder.weight.device)

    # ----------------------------------------------------------------------------- embedding
    def _train_stats(self, x_train: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-feature mean and std over the finite train values: (B, 1, F) each."""
        finite = torch.isfinite(x_train)
        count = finite.sum(1, keepdim=True).clamp(min=1)
        x0 = torch.where(finite, x_train, 0.0)
        mean = x0.sum(1, keepdim=True) / count
        var = (torch.where(finite, x_train - mean, 0.0) ** 2).sum(1, keepdim=True) / count
        return mean, var.sqrt()

    def _embed(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        mean: torch.Tensor,
        std: torch.Tensor,
        feature_codes: torch.Tensor | None,
    ) -> torch.Tensor:
        """x: (B, R, F) raw values, y: (B, R) class or max_classes (unknown) -> (B, R, T+1, E)."""
        B, R, n_features = x.shape
        G = self.cfg.features_per_token
        missing = ~torch.isfinite(x)
        x = torch.where(missing, mean, x)  # missing -> train mean, i.e. 0 after normalising
        x = ((x - mean) / (std + 1e-6)).clamp(-self.cfg.clip_value, self.cfg.clip_value)

        pad = -n_features % G
        cells = torch.stack([x, missing.to(x.dtype)], dim=-1)  # (B, R, F, 2)
        cells = F.pad(cells, (0, 0, 0, pad))  # (B, R, T*G, 2)
        T = cells.shape[2] // G
        cells = cells.view(B, R, T, G, 2).transpose(-1, -2).reshape(B, R, T, 2 * G)
        tokens = self.cell_encoder(cells)  # (B, R, T, E)
        if self.feature_code_encoder is not None:
            tokens = tokens + self.feature_code_encoder(feature_codes).unsqueeze(1)
        target = self.target_encoder(y).unsqueeze(2)  # (B, R, 1, E)
        return torch.cat([tokens, target], dim=2)

    def _decode(self, h: torch.Tensor) -> torch.Tensor:
        return self.decoder(h[:, :, -1]) * self.output_mult  # target token -> (B, R, C)

    def _unknown_labels(self, x: torch.Tensor) -> torch.Tensor:
        return torch.full(x.shape[:2], self.cfg.max_classes, dtype=torch.long, device=x.device)

    # ----------------------------------------------------------------------------- passes
    def _layers(self) -> list[tuple[Layer, bool]]:
        """Each layer and whether it is the last: the last computes only the target token, all
        the decoder reads (and its cached keys and values are that token's)."""
        return [(layer, i == len(self.layers) - 1) for i, layer in enumerate(self.layers)]

    def forward(
        self, x: torch.Tensor, y_train: torch.Tensor, feature_codes: torch.Tensor | None = None
    ) -> torch.Tensor:
        """One joint pass. x: (B, R, F) with the N = y_train.shape[1] train rows first.

        Returns logits (B, R - N, max_classes) for the test rows.
        """
        n_train = y_train.shape[1]
        if feature_codes is None:
            feature_codes = self.sample_feature_codes(x.shape[0], x.shape[2])
        mean, std = self._train_stats(x[:, :n_train])
        y = torch.cat([y_train.long(), self._unknown_labels(x[:, n_train:])], dim=1)
        h = self._embed(x, y, mean, std, feature_codes)  # (B, R, T+1, E)
        for layer, last in self._layers():
            h, _ = layer(h, n_train=n_train, target_only=last)  # last: (B, R - N, 1, E)
        return self._decode(h)

    @torch.no_grad()
    def build_cache(
        self,
        x_train: torch.Tensor,
        y_train: torch.Tensor,
        feature_codes: torch.Tensor | None,
        storage_dtype: torch.dtype = torch.float32,
    ) -> TrainCache:
        """Run the train rows once and keep every layer's row-attention keys and values, stored
        as `storage_dtype` (e.g. float16: half the memory; predictions compute in float32)."""
        mean, std = self._train_stats(x_train)
        h = self._embed(x_train, y_train.long(), mean, std, feature_codes)
        keys_values = []
        for layer, last in self._layers():
            h, (k, v) = layer(h, n_train=x_train.shape[1], target_only=last)
            keys_values.append((_stored(k, storage_dtype), _stored(v, storage_dtype)))
        return TrainCache(mean, std, feature_codes, keys_values)

    @torch.no_grad()
    def predict_from_cache(
        self, cache: TrainCache, x_test: torch.Tensor, chunk_size: int = 1024
    ) -> torch.Tensor:
        """Logits (B, M, max_classes) for test rows x_test (B, M, F), `chunk_size` rows at once."""
        out = []
        for chunk in x_test.split(chunk_size, dim=1):
            h = self._embed(
                chunk, self._unknown_labels(chunk), cache.mean, cache.std, cache.feature_codes
            )
            for (layer, last), (k, v) in zip(self._layers(), cache.keys_values, strict=True):
                h, _ = layer(h, kv=(k.to(h.dtype), v.to(h.dtype)), target_only=last)
            out.append(self._decode(h))
        return torch.cat(out, dim=1)


def orthogonal_gaussian(
    batch: int, n: int, d: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """(batch, n, d) vectors, each N(0, I) (a uniform direction times a chi_d length), those in
    each block of d rows mutually orthogonal (orthogonal random features)."""
    blocks = []
    for _ in range(math.ceil(n / d)):
        q, r = torch.linalg.qr(torch.randn(batch, d, d, generator=generator))
        q = q * torch.diagonal(r, dim1=-2, dim2=-1).sign().unsqueeze(-2)  # uniform (Haar)
        lengths = torch.randn(batch, d, d, generator=generator).norm(dim=-1)  # chi_d
        blocks.append(q.transpose(-1, -2) * lengths.unsqueeze(-1))  # rows: orthogonal
    return torch.cat(blocks, dim=1)[:, :n]


def _stored(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """`t` as `dtype`, unless that would overflow (then unchanged: never an inf in the cache)."""
    low = t.to(dtype)
    return low if torch.isfinite(low).all() else t


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def optimizer_param_groups(model: TabPFN, lr: float, weight_decay: float = 0.0) -> list[dict]:
    """AdamW parameter groups. Under muP, hidden matrices (width x width) get lr / width_mult;
    vector-like parameters (biases, norms, embeddings of fixed-size inputs) and the readout keep lr.
    Weight decay applies to matrices only."""
    cfg = model.cfg
    hidden_lr = lr / cfg.width_mult if cfg.parametrization == "mup" else lr
    input_like = {"cell_encoder.weight", "feature_code_encoder.weight", "target_encoder.weight"}
    readout = {f"decoder.{len(model.decoder) - 1}.weight"}
    groups = {"hidden": [], "matrix": [], "vector": []}
    for name, p in model.named_parameters():
        if p.ndim < 2:
            groups["vector"].append(p)
        elif name in input_like or name in readout:
            groups["matrix"].append(p)
        else:
            groups["hidden"].append(p)
    return [
        {
            "params": groups["hidden"],
            "lr": hidden_lr,
            "weight_decay": weight_decay,
            "name": "hidden",
        },
        {"params": groups["matrix"], "lr": lr, "weight_decay": weight_decay, "name": "matrix"},
        {"params": groups["vector"], "lr": lr, "weight_decay": 0.0, "name": "vector"},
    ]
