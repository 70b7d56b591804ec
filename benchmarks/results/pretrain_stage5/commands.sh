# Stage 5: the shipped stage-4 checkpoint continued on this project's 2-core CPU, on tables drawn
# live from a prior with the rule sampler (prior.json: 64-512 rows, 1-20 features since members
# read at most 16; mixture mlp 0.45 / tree 0.3 / rule 0.2 / gp 0.05; categorical columns in 30%
# of the tables), to teach the rule-like, categorical targets where the trees lead. Run from the
# repository root. Fresh AdamW, batches of 16 tables, lr 3e-4 with 20 warm-up steps and a cosine
# decay that ends at the 6,600 s time budget (--anneal-to-time-budget). Resumable: the same
# command with --resume continues it (data order and optimizer state exactly; the schedule follows
# the training seconds).
tabpfn-lite train --init-from tabpfn_lite/weights/default --data prior:benchmarks/results/pretrain_stage5/prior.json --out runs/stage5 --batch-size 16 --steps 100000 --lr 3e-4 --warmup-steps 20 --time-budget 6600 --anneal-to-time-budget --log-every 5 --eval-every 100 --checkpoint-every 20 --seed 5 --threads 2
cp runs/stage5/log.jsonl runs/stage5/curves.png benchmarks/results/pretrain_stage5/
#
# Decision rule, fixed (and committed) while the run trained, before any benchmark number of its
# checkpoint: ship runs/stage5/checkpoint in place of the stage-4 checkpoint if, on development
# data only (never cc18-small),
#   (a) the `extra` suite (7 OpenML tables, stratified 5-fold, seed 0) mean accuracy is higher
#       and mean ROC-AUC at most 0.002 lower than the stage-4 checkpoint's, and
#   (b) the held-out prior loss on the stage-4 prior (pretrain_gpu/prior.json, 256 tables) is at
#       most 0.01 higher (it must not forget the long tables it no longer sees).
# cc18-small (seeds 0 and 100) is run afterwards and reported whatever it shows.
mkdir -p runs && cp -r tabpfn_lite/weights/default runs/stage4_checkpoint  # before any shipping
# (a) was checked first and failed (extra/: mean accuracy 0.9063 against 0.9160), so the checkpoint
# was not shipped and (b), the held-out prior comparison below, was not run:
#   python benchmarks/compare_checkpoints.py --checkpoint runs/stage4_checkpoint runs/stage5/checkpoint --data prior:benchmarks/results/pretrain_stage5/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage5/compare
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage4_checkpoint runs/stage5/checkpoint --folds 5 --out benchmarks/results/pretrain_stage5/extra --openml-cache ../shared/datasets/openml_cache
#
# Does the prior cover the tables where the trees lead? 1,000 tables of the stage-4 and stage-5
# priors summarised by `tabpfn-lite prior --stats` (prior_stats.txt), beside the same quantities
# of those real tables (table_stats/):
tabpfn-lite prior --out data/stage4_sample.h5 --num-datasets 1000 --min-rows 64 --max-rows 1280 --max-features 64 --seed 4
tabpfn-lite prior --out data/stage5_sample.h5 --num-datasets 1000 --min-rows 64 --max-rows 512 --max-features 20 --mixture mlp=0.45 tree=0.3 gp=0.05 rule=0.2 --categorical-prob 0.3 --seed 5
(echo "== stage 4 prior"; tabpfn-lite prior --stats data/stage4_sample.h5; echo "== stage 5 prior"; tabpfn-lite prior --stats data/stage5_sample.h5) > benchmarks/results/pretrain_stage5/prior_stats.txt
python benchmarks/table_stats.py --names tic-tac-toe car kr-vs-kp anneal steel-plates-fault cylinder-bands dresses-sales --out benchmarks/results/pretrain_stage5/table_stats --openml-cache ../shared/datasets/openml_cache
