# Stage 13: a weight average ("model soup") of stage 9 and stage 10, no training.
#
# Stages 9 and 10 both continued stage 6 with the same recipe (450 and 510 s on an H200, peak lr
# 8e-4, batches of 64 of stage 6's prior) on different tables (seeds 10 and 12). Networks
# fine-tuned from one parent often sit in one basin, where the average of their weights is better
# than either (Wortsman et al., 2022, "Model soups"). This costs no GPU time: it is the one
# pretraining lever left to a session without a lease. Stage 11 is not in the soup: it is stage
# 10's child and lost to it.
#
# Run from the repository root (CPU):
mkdir -p runs/stage9 runs/stage10
cp -r benchmarks/results/pretrain_stage9/checkpoint runs/stage9/
cp -r benchmarks/results/pretrain_stage10/checkpoint runs/stage10/
tabpfn-lite average --checkpoint runs/stage9/checkpoint runs/stage10/checkpoint --out runs/stage13/checkpoint
#
# Decision rule, fixed and committed before any number of the average exists: stage 10's rule
# with stage 10 (the shipped default) as the reference. On the `extra` suite (35 folds), in one
# run with stage 10 and XGBoost, runs/stage13/checkpoint replaces the default if
#   (a) its log loss minus stage 10's, paired over the folds, is below minus twice its standard
#       error,
#   (b) its accuracy minus stage 10's is above -0.005 and its ROC-AUC minus stage 10's above
#       -0.002, and
#   (c) its held-out loss on both priors (stage 6's and stage 4's, 256 tables each) is lower.
# Only this one average is tried (equal weights, no weight search), so the rule tests one
# candidate. cc18-small (seeds 0 and 100, every method) is run afterwards if it ships, and
# reported whatever it shows.
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage10/checkpoint runs/stage13/checkpoint --folds 5 --out benchmarks/results/pretrain_stage13/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage9/checkpoint runs/stage10/checkpoint runs/stage13/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage13/compare
