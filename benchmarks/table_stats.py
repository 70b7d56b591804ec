"""The quantities of `tabpfn-lite prior --stats`, for real OpenML tables, so that a prior can be
checked against the tables it should cover (rows, features, classes, categorical column share,
missing cells, the most-missing column).

    python benchmarks/table_stats.py --names tic-tac-toe car kr-vs-kp anneal \
        --out runs/table_stats --openml-cache ../shared/datasets/openml_cache
"""

from __future__ import annotations

import argparse

import pandas as pd

from tabpfn_lite.bench.data import load_table, resolve, use_offline_cache
from tabpfn_lite.bench.report import command_line, write_benchmark
from tabpfn_lite.options import add_list_option
from tabpfn_lite.prior.stats import MAX_CATEGORICAL_LEVELS


def table_stats(name: str, X: pd.DataFrame, y) -> dict:
    levels = X.nunique()  # a pandas categorical counts its used levels
    return {
        "table": name,
        "rows": len(X),
        "features": X.shape[1],
        "classes": int(pd.Series(y).nunique()),
        "categorical column share": float((levels <= MAX_CATEGORICAL_LEVELS).mean()),
        "missing cell share": float(X.isna().to_numpy().mean()),
        "most-missing column share": float(X.isna().mean().max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_list_option(parser, "--names", required=True, help="table names (OpenML dataset names)")
    add_list_option(parser, "--suites", default=["cc18-small", "extra"])
    parser.add_argument("--openml-cache", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    use_offline_cache(args.openml_cache)
    rows = []
    for suite in args.suites:
        for did, task_id in resolve(suite, None, None):
            table = load_table(did, task_id)
            if table.name in args.names:
                rows.append(table_stats(table.name, table.X, table.y))
    missing = set(args.names) - {r["table"] for r in rows}
    if missing:
        raise SystemExit(f"no table named {sorted(missing)} in the suites {args.suites}")
    results = pd.DataFrame(rows)
    body = (
        f"Categorical: at most {MAX_CATEGORICAL_LEVELS} distinct values, as in "
        "`tabpfn-lite prior --stats`.\n\n" + results.to_markdown(index=False, floatfmt=".3g")
    )
    write_benchmark(
        args.out, results, "Real tables, summarised like a prior dump", command_line(), body
    )
    print(body)


if __name__ == "__main__":
    main()
