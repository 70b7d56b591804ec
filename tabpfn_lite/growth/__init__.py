"""Warm-start growth of a trained TabPFN into a wider and/or deeper one, and the study of when
growing beats training from scratch."""

from .operators import (
    DEPTH_METHODS,
    WIDTH_METHODS,
    GrowthReport,
    config_for_growth_factor,
    grow,
    grown_config,
)

__all__ = [
    "DEPTH_METHODS",
    "WIDTH_METHODS",
    "GrowthReport",
    "config_for_growth_factor",
    "grow",
    "grown_config",
]
