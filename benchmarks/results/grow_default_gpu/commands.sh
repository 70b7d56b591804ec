# Status: prepared 2026-12-04 for the rest of this session's GPU time (NVIDIA H200, about 6 minutes
# left after stage 9). The rule below is fixed and committed before the run.
#
# Growth study v2, goal 6, at GPU scale: stage 9's checkpoint (../pretrain_stage9/) continued, and
# the same checkpoint grown 2x with the study's best operator at g = 2 (preserve, identity depth:
# 8 layers, 921,610 parameters), trained side by side on one GPU for 180 s each (the same tables
# in the same order, peak lr 2e-4 after 50 warm-up steps, cosine decay to the budget, bf16).
# ../grow_default/ ran the same comparison on the CPU at 1/100 of this budget. Run from the
# repository root on the device machine, with runs/stage9/checkpoint carried there and the files
# that come back put in out/:
OUT=out BASE=runs/stage9/checkpoint BUDGET=180 bash benchmarks/results/grow_default_gpu/run_on_gpu.sh
for run in continued grown; do mkdir -p runs/grow_default_gpu/$run/checkpoint benchmarks/results/grow_default_gpu/$run && cp out/$run/checkpoint.json out/$run/model.safetensors runs/grow_default_gpu/$run/checkpoint/ && cp out/$run/log.jsonl benchmarks/results/grow_default_gpu/$run/; done
#
# Rule, fixed before the run has a number. On the `extra` suite (35 folds), in one run with the
# checkpoint shipped after stage 9's rule has decided (stage 6 or stage 9) and XGBoost:
#   - the grown checkpoint ships as the optional TabPFNLiteClassifier(checkpoint="large") if its
#     accuracy minus the shipped default's, paired over the folds, is above twice its standard
#     error and its mean ROC-AUC is at most 0.002 lower;
#   - the continued checkpoint replaces the default by stage 7's rule (../pretrain_stage7/).
# Growth's verdict at this budget (goal 6) is the paired difference grown minus continued.
