# Status: prepared 2026-12-04, run 2026-12-04 on a lent NVIDIA H200 (15 minutes of device time
# in all). The budget went from 450 s to 510 s before the run: one call of at most 600 s is the
# whole lease, and the extra minute is the only change to stage 9's recipe. The shipping rule
# below was fixed and committed before the run; it passed, and the checkpoint shipped (README.md).
#
# Stage 10: a replication of stage 9 (../pretrain_stage9/) under a rule that has the power to see
# its gains: the same recipe from the same start (the shipped default, stage 6; batches of 64 of
# stage 6's prior, peak lr 8e-4 after 200 warm-up steps, cosine decay to the budget, bf16), on other
# tables (seed 12). Stage 9's own checkpoint cannot be judged by a rule written after its numbers
# were seen, and a continuation of it would inherit those numbers; a new run from the default
# gives numbers nobody has seen. Run from the repository root on the device machine (timeout_s
# 600), with the files that come back put in out/:
OUT=out RUN=runs/stage10 PRIOR=benchmarks/results/pretrain_stage6/prior.json SEED=12 WORKERS=15 BUDGET=510 bash benchmarks/results/pretrain_gpu/run_on_gpu.sh
mkdir -p runs/stage10/checkpoint && cp out/checkpoint.json out/model.safetensors runs/stage10/checkpoint/
cp out/log.jsonl out/curves.png benchmarks/results/pretrain_stage10/
mkdir -p runs/stage6_checkpoint && cp tabpfn_lite/weights/default/* runs/stage6_checkpoint/
#
# Decision rule, fixed and committed before the run. It replaces stage 7's rule, whose accuracy
# test has little power on the `extra` suite: stage 9's checkpoint had 0.029 lower log loss
# (4.7 standard errors of the paired difference) and 0.022-0.025 lower held-out prior loss, but
# its accuracy gain of 0.0031 had a standard error of 0.0045, so only a gain near one accuracy
# point could pass. This rule was written after stage 9's numbers were seen; it applies to
# checkpoints trained after this commit, and stage 9's outcome stands. On the `extra` suite
# (35 folds), in one run with the shipped default (stage 6) and XGBoost, runs/stage10/checkpoint
# replaces the default if
#   (a) its log loss minus the default's, paired over the folds, is below minus twice its
#       standard error (a gain in the training objective on real tables),
#   (b) its accuracy minus the default's is above -0.005 and its ROC-AUC minus the default's
#       above -0.002 (not worse beyond the noise), and
#   (c) its held-out loss on both priors (stage 6's and stage 4's, 256 tables each) is lower.
# cc18-small (seeds 0 and 100) is run afterwards if it ships, and reported whatever it shows.
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage6_checkpoint runs/stage10/checkpoint --folds 5 --out benchmarks/results/pretrain_stage10/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage6_checkpoint runs/stage10/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/pretrain_stage10/compare
