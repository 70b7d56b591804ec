# Status: ran 2026-12-04 in the rest of this session's GPU time (NVIDIA H200, about 6 minutes
# left after stage 9); what the machine printed is device_stdout.txt. The rule below was fixed and
# committed before the run.
#
# Growth study v2, goal 6, at GPU scale: stage 9's checkpoint (../pretrain_stage9/) continued, and
# the same checkpoint grown 2x with the study's best operator at g = 2 (preserve, identity depth:
# 8 layers, 921,610 parameters), trained side by side on one GPU for 180 s each (the same tables
# in the same order, peak lr 2e-4 after 50 warm-up steps, cosine decay to the budget, bf16).
# ../grow_default/ ran the same comparison on the CPU at about 1/20 of this compute. Run from the
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
#
# Run afterwards (evaluation, then the growth verdict: grown minus continued, paired over the folds):
python benchmarks/openml_bench.py --suite extra --protocol kfold --methods lite xgb --checkpoint runs/stage6_checkpoint runs/grow_default_gpu/continued/checkpoint runs/grow_default_gpu/grown/checkpoint --folds 5 --out benchmarks/results/grow_default_gpu/extra --openml-cache ../shared/datasets/openml_cache
python benchmarks/compare_checkpoints.py --checkpoint runs/stage6_checkpoint runs/stage9/checkpoint runs/grow_default_gpu/continued/checkpoint runs/grow_default_gpu/grown/checkpoint --data prior:benchmarks/results/pretrain_stage6/prior.json prior:benchmarks/results/pretrain_gpu/prior.json --datasets 256 --out benchmarks/results/grow_default_gpu/compare
python -c "import pandas as pd; from tabpfn_lite.bench.report import paired_differences; r = pd.read_csv('benchmarks/results/grow_default_gpu/extra/results.csv'); t = paired_differences(r[r.method.isin(['lite[continued]', 'lite[grown]'])], 'lite[continued]'); open('benchmarks/results/grow_default_gpu/extra/grown_vs_continued.md', 'w').write('# Paired differences: grown minus continued (per fold)\n\n' + t.rename_axis('method').reset_index().to_markdown(index=False, floatfmt='.4f') + '\n')"
