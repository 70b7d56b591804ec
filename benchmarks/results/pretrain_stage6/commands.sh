# Status: ran 2026-12-03 (56 steps, 3,060 s); passed the rule and shipped: README.md here.
# Stage 6: the shipped stage-4 checkpoint continued on this project's 2-core CPU on tables drawn
# live from one prior (prior.json) that keeps stage 4's sizes (64-1280 rows, 1-64 features) so the
# model does not forget long, wide tables (stage 5's failure), and adds what the weak development
# tables have: the rule sampler (0.2), categorical columns in 30% of the tables, missing values in
# 30% of them with up to 90% of a column's cells missing (anneal).
# Lower peak lr than stage 5 (1e-4 vs 3e-4), cosine decay to the 3,000 s time budget.
# As prepared, the command had --bf16 and --threads 2; the machine it ran on is an AVX2-only AMD
# EPYC, where bfloat16 is emulated (a (13908, 192) x (192, 768) linear: 426 ms in bf16, 47 ms in
# float32), so it runs in float32, on one thread (the other core runs benchmarks meanwhile):
# 61 s per step of 16 tables at these sizes.
# Resumable: the same command with --resume continues it.
tabpfn-lite train --init-from tabpfn_lite/weights/default --data prior:benchmarks/results/pretrain_stage6/prior.json --out runs/stage6 --batch-size 16 --steps 100000 --lr 1e-4 --warmup-steps 20 --time-budget 3000 --anneal-to-time-budget --log-every 5 --eval-every 100 --checkpoint-every 20 --seed 6 --threads 1
cp runs/stage6/log.jsonl runs/stage6/curves.png benchmarks/results/pretrain_stage6/
#
# Decision rule, fixed (and committed) while the run trained, before any benchmark number of its
# checkpoint: ship runs/stage6/checkpoint in place of the stage-4 checkpoint if, on development
# data only (never cc18-small),
#   (a) the `extra` suite (7 OpenML tables, stratified 5-fold, seed 0) mean accuracy is higher
#       and mean ROC-AUC at most 0.002 lower than the stage-4 checkpoint's, and
#   (b) the held-out prior loss on the stage-4 prior (pretrain_gpu/prior.json, 256 tables) is at
#       most 0.01 higher.
# cc18-small (seeds 0 and 100) is run afterwards and reported whatever it shows.
mkdir -p runs && cp -r tabpfn_lite/weights/default runs/stage4_checkpoint  # before any shipping
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage4_checkpoint runs/stage6/checkpoint --folds 5 --out benchmarks/results/pretrain_stage6/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage4_checkpoint runs/stage6/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage6/compare
