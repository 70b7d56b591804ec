"""TabICL and TabPFN v2 classifiers at their packages' default architecture and inference
settings, with randomly initialised weights: their weights cannot be downloaded here, and the
time of a forward pass does not depend on their values. Used by benchmarks/speed.py.

Needs `pip install tabicl tabpfn` (with torch==2.13.0 pinned: both accept it). Nothing is
downloaded and no package is patched:
- TabICL builds its network from a checkpoint file {"config", "state_dict"} given as
  `model_path`; we write one with the TabICLv2 classifier architecture and random weights.
- TabPFN accepts an in-memory `ModelSpecs` (model, architecture config, inference config) as
  `model_path`; we build the v2 architecture (`TabPFNV2Config` defaults: 192 wide, 12 layers,
  6 heads, 2 features per group) with v2's default classifier inference config.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import torch

THREADS = 2

# The TabICLv2 classifier (tabicl 2.2.0's default checkpoint): TabICL's class defaults except
# the two flags whose defaults describe v1.
TABICL_V2_CONFIG = dict(
    max_classes=10,
    num_quantiles=999,
    embed_dim=128,
    col_num_blocks=3,
    col_nhead=8,
    col_num_inds=128,
    col_affine=False,
    col_feature_group="same",
    col_feature_group_size=3,
    col_target_aware=True,
    col_ssmax="qassmax-mlp-elementwise",
    row_num_blocks=3,
    row_nhead=8,
    row_num_cls=4,
    row_rope_base=100000.0,
    row_rope_interleaved=False,
    icl_num_blocks=12,
    icl_nhead=8,
    icl_ssmax="qassmax-mlp-elementwise",
    ff_factor=2,
    dropout=0.0,
    activation="gelu",
    norm_first=True,
    bias_free_ln=False,
    zero_init=False,
    recompute=False,
)


def _random_tabicl_checkpoint(seed: int) -> str:
    from tabicl._model.tabicl import TabICL

    folder = tempfile.mkdtemp(prefix="tabicl_random_")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    torch.manual_seed(seed)
    model = TabICL(**TABICL_V2_CONFIG)
    path = os.path.join(folder, "tabicl-classifier-v2-random.ckpt")
    torch.save({"config": TABICL_V2_CONFIG, "state_dict": model.state_dict()}, path)
    return path


def make_tabicl(random_state: int = 0):
    """TabICLClassifier with its defaults (8 members, ...) on random TabICLv2 weights."""
    from tabicl import TabICLClassifier

    return TabICLClassifier(
        model_path=_random_tabicl_checkpoint(random_state),
        allow_auto_download=False,
        device="cpu",
        n_jobs=THREADS,
        random_state=random_state,
    )


def make_tabpfn_v2(random_state: int = 0):
    """TabPFNClassifier with its defaults (8 members, ...) on random TabPFN v2 weights."""
    from tabpfn import ModelSpecs, TabPFNClassifier
    from tabpfn.architectures import tabpfn_v2
    from tabpfn.constants import ModelVersion
    from tabpfn.inference_config import InferenceConfig

    torch.set_num_threads(THREADS)
    config = tabpfn_v2.TabPFNV2Config(max_num_classes=10, num_buckets=5000)
    torch.manual_seed(random_state)
    specs = ModelSpecs(
        model=tabpfn_v2.get_architecture(config).eval(),
        architecture_config=config,
        inference_config=InferenceConfig.get_default("multiclass", ModelVersion.V2),
    )
    # The one departure from the defaults: by default TabPFN refuses more than 1,000 train rows
    # on a CPU ("slow performance"); this lets it run, as slowly as it runs, at 2,000.
    return TabPFNClassifier(
        model_path=specs, device="cpu", random_state=random_state, ignore_pretraining_limits=True
    )
