import numpy as np
import pytest

from tabpfn_lite.checkpoint import save_checkpoint
from tabpfn_lite.model import ModelConfig, TabPFN
from tabpfn_lite.prior import PriorConfig, generate_dump

TINY = ModelConfig(emsize=32, nlayers=2, nheads=2, mlp_hidden=64, decoder_hidden=64)


def randomized_model(cfg: ModelConfig = TINY, seed: int = 0) -> TabPFN:
    """A model whose zero-initialised branches are filled too, so every path is exercised."""
    import torch

    torch.manual_seed(seed)
    model = TabPFN(cfg)
    for p in model.parameters():
        if p.ndim > 1:
            torch.nn.init.normal_(p, std=0.2)
    return model.eval()


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory):
    return save_checkpoint(randomized_model(), tmp_path_factory.mktemp("ckpt") / "tiny")


@pytest.fixture(scope="session")
def small_prior():
    return PriorConfig(min_rows=20, max_rows=60, max_features=6, max_classes=4)


@pytest.fixture(scope="session")
def small_dump(tmp_path_factory, small_prior):
    path = tmp_path_factory.mktemp("prior") / "small.h5"
    return generate_dump(path, small_prior, 200, seed=3, workers=1, progress=False)


@pytest.fixture
def rng():
    return np.random.default_rng(0)
