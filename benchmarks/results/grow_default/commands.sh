# Growth study v2, goal 6: grow the shipped default 2x and continue pretraining it on this CPU;
# compare it with the default continued for the same CPU time (the same compute spent without
# growing) and with the default itself, on development tables only.
#
# Operator: the study's best at g = 2 (../growth_v2/README.md, speedup table): preserve with
# identity depth, which starts below scratch at every budget for every base and leads the
# operators at g = 2 on A16 and S8. For the default (96 wide, 4 layers) g = 2 is depth x2:
# 8 layers, 921,610 parameters; the new blocks start as the identity, so the grown model computes
# the default's function exactly (max |logit difference| 1e-6 on a random table).
#
# Both runs: one thread each, side by side, the same tables in the same order (seed 7) from
# stage 6's prior (rule tables, categorical and mostly-missing columns, 64-1280 rows, 1-64
# features), peak lr 1e-4, cosine decay to the same wall-clock budget. Equal CPU time is equal
# compute here: the grown model's step costs about twice the default's, so it takes half the
# steps. Resumable: the same commands with --resume continue them.
mkdir -p runs && cp -r tabpfn_lite/weights/default runs/stage6_checkpoint  # before any shipping
tabpfn-lite grow --from runs/stage6_checkpoint --out runs/grown2x_init --growth-factor 2 --method preserve --depth-method identity --seed 0
tabpfn-lite train --init-from runs/stage6_checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json --out runs/grow_default/continued --batch-size 16 --steps 100000 --lr 1e-4 --warmup-steps 5 --time-budget 4200 --anneal-to-time-budget --log-every 2 --eval-every 1000 --checkpoint-every 5 --seed 7 --threads 1 &
tabpfn-lite train --init-from runs/grown2x_init --data prior:benchmarks/results/pretrain_stage6/prior.json --out runs/grow_default/grown --batch-size 16 --steps 100000 --lr 1e-4 --warmup-steps 5 --time-budget 4200 --anneal-to-time-budget --log-every 2 --eval-every 1000 --checkpoint-every 5 --seed 7 --threads 1 &
wait
for run in continued grown; do mkdir -p benchmarks/results/grow_default/$run && cp runs/grow_default/$run/log.jsonl runs/grow_default/$run/curves.png benchmarks/results/grow_default/$run/; done
#
# Decision rule, fixed (and committed) while the runs trained, before any number of their
# checkpoints. On the `extra` suite (7 OpenML tables, stratified 5-fold, seed 0: 35 folds), in one
# run with the current default (stage 6) and XGBoost, a checkpoint beats the default if
#   (a) its accuracy minus the default's, paired over the folds, is above twice its standard
#       error (beyond the fold-to-fold spread; the report's "Paired differences" table), and
#   (b) its mean ROC-AUC is at most 0.002 lower, and
#   (c) its held-out loss on the stage-4 prior (pretrain_gpu/prior.json, 256 tables) is at most
#       0.01 higher.
# The grown model ships as an optional larger checkpoint (checkpoint="large") if it beats the
# default; the continued default replaces the default if it beats it and the grown one does not.
# The scratch control at equal total compute is out of reach here: the default's training
# (stages 1-4 and 6) is about 1.5e9 cell-tokens, about 4 PFLOP at stage 6's 2.7 MFLOP per
# cell-token; at 2x that per token for the grown size, and this CPU's ~20 GFLOP/s per core,
# a same-size scratch model would need about 60 core-hours.
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage6_checkpoint runs/grow_default/continued/checkpoint runs/grow_default/grown/checkpoint --folds 5 --out benchmarks/results/grow_default/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage6_checkpoint runs/grow_default/continued/checkpoint runs/grow_default/grown/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/grow_default/compare
