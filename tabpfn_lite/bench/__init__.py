"""Benchmark harness: OpenML datasets and splits, baseline methods, metrics and reports.

Needs the [bench] extra (openml, xgboost, lightgbm, matplotlib)."""
