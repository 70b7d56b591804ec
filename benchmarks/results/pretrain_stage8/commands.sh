# Status: stopped at step 100 (2,825 s of its 14,400 s budget) when its machine was replaced between sessions; its checkpoint did not survive, so it cannot resume. Not evaluated; superseded by stage 9 (../pretrain_stage9/, GPU).
# Stage 8: the shipped default (stage 6) continued on this 2-core CPU at 3x stage 7's peak learning
# rate. Stage 7 (../pretrain_stage7/README.md: lr 1e-4, 8,832 tables) moved the held-out losses by
# 0.001 and the development accuracy by -0.002: at that rate a CPU budget barely moves the model.
# This stage asks whether a larger step does better on the same budget. Same prior as stages 6-7
# (rule tables, categorical and mostly-missing columns, stage 4's sizes), other tables (seed 9),
# peak lr 3e-4 after 5 warm-up steps, cosine decay to a 14,400 s budget counted across sittings.
# Resumable: the same command with --resume continues it.
tabpfn-lite train --init-from runs/stage6_checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json --out runs/stage8 --batch-size 16 --steps 100000 --lr 3e-4 --warmup-steps 5 --time-budget 14400 --anneal-to-time-budget --log-every 2 --eval-every 1000 --checkpoint-every 5 --seed 9 --threads 1 --compile
cp runs/stage8/log.jsonl runs/stage8/curves.png benchmarks/results/pretrain_stage8/
#
# Decision rule, fixed (and committed) before the run has a number: the same as stage 7's. On the
# `extra` suite (35 folds), in one run with the shipped default (stage 6) and XGBoost,
# runs/stage8/checkpoint replaces the default if
#   (a) its accuracy minus the default's, paired over the folds, is above twice its standard error,
#   (b) its mean ROC-AUC is at most 0.002 lower, and
#   (c) its held-out loss on the stage-4 prior (pretrain_gpu/prior.json, 256 tables) is at most
#       0.01 higher.
# cc18-small (seeds 0 and 100) is run afterwards if it ships, and reported whatever it shows.
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage6_checkpoint runs/stage8/checkpoint --folds 5 --out benchmarks/results/pretrain_stage8/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage6_checkpoint runs/stage8/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage8/compare
