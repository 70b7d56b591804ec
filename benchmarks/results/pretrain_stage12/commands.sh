# Status: prepared 2026-12-04, not run: it needs a GPU lease (the device tool); this session's
# device time went to stages 10 and 11. The shipping rule below is fixed and committed before
# the run.
#
# Stage 12: the shipped default (stage 10, ../pretrain_stage10/) through one more full cycle of
# the recipe that moved it, stage 9 and 10's, on other tables (seed 14): batches of 64 of stage
# 6's prior, fresh AdamW, peak lr 8e-4 after 200 warm-up steps, cosine decay to a 540 s budget,
# bf16. Stage 11 (../pretrain_stage11/) re-warmed stage 10 to 3e-4 for 210 s and came out worse
# on held-out prior tables; the cycles that paid (stage 6 -> 9 and stage 6 -> 10) were 450-510 s
# at 8e-4, so this one uses the whole of a 600 s call. Run from the repository root on the device
# machine (timeout_s 600), with the files that come back put in out/:
OUT=out RUN=runs/stage12 PRIOR=benchmarks/results/pretrain_stage6/prior.json SEED=14 WORKERS=15 BUDGET=540 bash benchmarks/results/pretrain_gpu/run_on_gpu.sh
mkdir -p runs/stage12/checkpoint && cp out/checkpoint.json out/model.safetensors runs/stage12/checkpoint/
cp out/log.jsonl out/curves.png benchmarks/results/pretrain_stage12/
mkdir -p runs/stage10/checkpoint && cp benchmarks/results/pretrain_stage10/checkpoint/* runs/stage10/checkpoint/
#
# Decision rule, fixed and committed before the run: stage 10's rule with stage 10 as the
# reference. On the `extra` suite (35 folds), in one run with stage 10 and XGBoost,
# runs/stage12/checkpoint replaces the default if
#   (a) its log loss minus stage 10's, paired over the folds, is below minus twice its standard
#       error,
#   (b) its accuracy minus stage 10's is above -0.005 and its ROC-AUC minus stage 10's above
#       -0.002, and
#   (c) its held-out loss on both priors (stage 6's and stage 4's, 256 tables each) is lower.
# cc18-small (seeds 0 and 100, every method) is run afterwards if it ships, and reported whatever
# it shows.
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage10/checkpoint runs/stage12/checkpoint --folds 5 --out benchmarks/results/pretrain_stage12/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage10/checkpoint runs/stage12/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage12/compare
