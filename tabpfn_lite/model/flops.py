"""Floating-point operations of the network, attention included (a multiply-add counts 2).

6 x parameters x tokens leaves out the attention matmuls, which dominate small models on long
tables: the row attention grows with rows x train rows, the feature attention with tokens^2.
These counts are checked against `torch.utils.flop_counter` (tests/test_flops.py) for a forward
and a forward + backward pass; like that counter they count matmuls only (not norms,
activations or softmax).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .config import ModelConfig


@dataclass(frozen=True)
class Flops:
    embedding: float  # cell and feature-code encoders (their inputs need no gradient)
    linear: float  # projections and MLPs of the layers, and the decoder
    feature_attention: float  # QK^T and AV across the tokens of each row
    row_attention: float  # QK^T and AV from every row to the train rows

    @property
    def total(self) -> float:
        return self.embedding + self.linear + self.feature_attention + self.row_attention

    def scaled(self, factor: float) -> Flops:
        return Flops(*(factor * v for v in vars(self).values()))


def forward_flops(
    cfg: ModelConfig, n_rows: int, n_train: int, n_features: int, n_tables: int = 1
) -> Flops:
    """One joint forward pass (`TabPFN.forward`) over n_tables tables of n_rows rows, the first
    n_train of them train rows, with n_features features. The last layer computes only the
    test rows' target token (and the train rows' target-token keys and values it reads)."""
    E, H, L = cfg.emsize, cfg.mlp_hidden, cfg.nlayers
    T = math.ceil(n_features / cfg.features_per_token)
    n_test = n_rows - n_train
    tokens = n_rows * (T + 1)  # feature tokens and the target token of every row
    train_tokens = n_train * (T + 1)
    embedding = n_rows * T * 2 * cfg.features_per_token * E + T * cfg.feature_code_dim * E
    feature_projections = 4 * E * E * tokens  # q, k, v, out
    row_projections = 2 * E * E * tokens + 2 * E * E * train_tokens  # q, out; k, v of train rows
    mlp = 2 * E * H * tokens
    per_layer = feature_projections + row_projections + mlp
    # Last layer: k, v of every token; q, out of every target token (the train rows' feed their
    # row keys and values); row attention and MLP for the test rows' target tokens.
    last_layer = 2 * E * E * (tokens + n_rows) + 2 * E * E * (n_train + n_test) + 2 * E * H * n_test
    decoder = n_test * (E * cfg.decoder_hidden + cfg.decoder_hidden * cfg.max_classes)
    feature_attention = ((L - 1) * (T + 1) + 1) * n_rows * 2 * (T + 1) * E
    row_attention = ((L - 1) * (T + 1) * n_rows + n_test) * 2 * n_train * E
    linear = (L - 1) * per_layer + last_layer + decoder
    macs = Flops(embedding, linear, feature_attention, row_attention)
    return macs.scaled(2 * n_tables)


def training_flops(
    cfg: ModelConfig, n_rows: int, n_train: int, n_features: int, n_tables: int = 1
) -> Flops:
    """Forward + backward: the backward pass costs two forwards (gradients of the inputs and of
    the weights of every matmul), except the embeddings', whose inputs need no gradient."""
    f = forward_flops(cfg, n_rows, n_train, n_features, n_tables)
    return Flops(2 * f.embedding, 3 * f.linear, 3 * f.feature_attention, 3 * f.row_attention)
