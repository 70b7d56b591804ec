# Status: started 2026-12-04 in the background (one thread), resumable over sittings; not evaluated.
# Stage 7: the default continued on this 2-core CPU for longer than any stage before it, now that
# --compile makes a CPU step faster (benchmarks/results/train_speed/avx2). It starts from the
# default already continued for 4,200 s (../grow_default/commands.sh, the "continued" run: stage 6
# + 108 steps), on the same prior (stage 6's: rule tables, categorical and mostly-missing columns,
# stage 4's sizes), other tables (seed 8), peak lr 1e-4 after 5 warm-up steps, cosine decay to a
# 14,400 s budget counted across sittings (--anneal-to-time-budget: a run stopped by a sitting's
# end resumes where the schedule left it).
# Resumable: the same command with --resume continues it.
tabpfn-lite train --init-from runs/grow_default/continued/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json --out runs/stage7 --batch-size 16 --steps 100000 --lr 1e-4 --warmup-steps 5 --time-budget 14400 --anneal-to-time-budget --log-every 2 --eval-every 1000 --checkpoint-every 5 --seed 8 --threads 1 --compile
cp runs/stage7/log.jsonl runs/stage7/curves.png benchmarks/results/pretrain_stage7/
#
# Decision rule, fixed (and committed) before the run has a number: the same as for the grown
# default (../grow_default/commands.sh). On the `extra` suite (35 folds), in one run with the
# shipped default (stage 6) and XGBoost, runs/stage7/checkpoint replaces the default if
#   (a) its accuracy minus the default's, paired over the folds, is above twice its standard error,
#   (b) its mean ROC-AUC is at most 0.002 lower, and
#   (c) its held-out loss on the stage-4 prior (pretrain_gpu/prior.json, 256 tables) is at most
#       0.01 higher.
# cc18-small (seeds 0 and 100) is run afterwards and reported whatever it shows.
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage6_checkpoint runs/stage7/checkpoint --folds 5 --out benchmarks/results/pretrain_stage7/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage6_checkpoint runs/stage7/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage7/compare
