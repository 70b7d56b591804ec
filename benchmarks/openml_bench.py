"""OpenML benchmark of TabPFNLite against XGBoost, LightGBM, RandomForest, LogisticRegression.

    python benchmarks/openml_bench.py --suite cc18-small --methods lite xgb lgbm rf logreg \
        --folds 5 --out benchmarks/results/cc18_small --openml-cache ../shared/datasets/openml_cache
"""

import sys

from tabpfn_lite.bench.harness import main

if __name__ == "__main__":
    sys.exit(main())
