"""Synthetic prior: SCM samplers, post-processing, HDF5 dumps, a live stream. No model import."""

from .config import PriorConfig
from .generate import generate_dump
from .hdf5 import Batch, DumpError, PriorDump
from .sample import Dataset, sample_dataset
from .stream import PriorStream

__all__ = [
    "Batch",
    "Dataset",
    "DumpError",
    "PriorConfig",
    "PriorDump",
    "PriorStream",
    "generate_dump",
    "sample_dataset",
]
