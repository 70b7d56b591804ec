"""Synthetic prior: SCM samplers, post-processing, HDF5 writer and reader. Does not import model."""

from .config import PriorConfig
from .generate import generate_dump
from .hdf5 import Batch, DumpError, PriorDump
from .sample import Dataset, sample_dataset

__all__ = [
    "Batch",
    "Dataset",
    "DumpError",
    "PriorConfig",
    "PriorDump",
    "generate_dump",
    "sample_dataset",
]
