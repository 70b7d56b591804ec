"""Plotting support shared by training, growth and the benchmarks (below all of them)."""

from __future__ import annotations


def pyplot():
    """matplotlib.pyplot with the file-only Agg backend (no display needed); matplotlib is
    imported on first use so that it stays an optional dependency (the [bench] extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
