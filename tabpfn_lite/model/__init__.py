"""The TabPFN v2 network. Imports nothing of the package but its own config."""

from .config import ModelConfig
from .network import TabPFN, TrainCache, count_parameters, optimizer_param_groups

__all__ = ["ModelConfig", "TabPFN", "TrainCache", "count_parameters", "optimizer_param_groups"]
