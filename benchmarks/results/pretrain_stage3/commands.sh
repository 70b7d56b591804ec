# (Training ran in /work, with data/ and runs/ there; the comparisons from the repository root.)
# Stage 3 (not shipped): continue the shipped checkpoint on long and wide tables only, on this
# project's 2-core CPU, then compare it with the shipped one on held-out prior data.
# data/stage2.h5 is the second dump of ../pretrain_default/commands.sh (128-1,024 rows, <= 64 features).
# Fresh AdamW and schedule (--init-from), batches of 16 tables. The run was stopped at its step-25
# and step-100 checkpoints and resumed with more --steps once its speed was known (--steps 300,
# then 250, then the command below; the cosine factor moved 0.74 -> 0.90 at step 100). The
# --time-budget ended it at step 369 of 400 (learning-rate factor 0.11; the cosine ends at 0.1).
tabpfn-lite train --init-from main/tabpfn_lite/weights/default --data data/stage2.h5 --out runs/long --batch-size 16 --steps 400 --lr 5e-4 --warmup-steps 15 --time-budget 4800 --eval-every 50 --checkpoint-every 25 --seed 1 --resume
cp runs/long/log.jsonl runs/long/curves.png main/benchmarks/results/pretrain_stage3/
python benchmarks/compare_checkpoints.py --checkpoint tabpfn_lite/weights/default --checkpoint /work/runs/long/checkpoint --data /work/data/stage1.h5 --data /work/data/stage2.h5 --out benchmarks/results/pretrain_stage3/compare
# cc18-small with the stage-3 checkpoint: the xgb and lgbm rows (same folds and seeds) are copied
# from ../cc18_small/results.csv, so the harness runs only tabpfn-lite:
python -c "import pandas as pd; r = pd.read_csv('benchmarks/results/cc18_small/results.csv'); r[r.method.isin(['xgb', 'lgbm'])].to_csv('benchmarks/results/pretrain_stage3/cc18_small/results.csv', index=False)"
python benchmarks/openml_bench.py --suite cc18-small --methods lite,xgb,lgbm --checkpoint /work/runs/long/checkpoint --folds 5 --out benchmarks/results/pretrain_stage3/cc18_small --openml-cache ../shared/datasets/openml_cache
