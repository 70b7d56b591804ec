#!/usr/bin/env bash
# Stage 4: the shipped stage-3 checkpoint continued on one GPU, on tables drawn live from the prior
# (prior.json: 64-1,280 rows, 1-64 features, the other prior settings at their defaults) by
# CPU worker processes while the GPU trains. Run from the repository root:
#   OUT=some/folder bash benchmarks/results/pretrain_gpu/run_on_gpu.sh
# The defaults are what ran on the lent H100 (16 CPU cores); DEVICE=cpu WORKERS=1 BUDGET=20
# BATCH=2 makes a smoke run of the same command on a CPU. INIT, PRIOR, SEED, LR and OPTIMIZER let
# a later stage reuse it (stage 9: ../pretrain_stage9/commands.sh); INIT defaults to the shipped
# default.
set -uo pipefail
OUT=${OUT:?set OUT to a folder for the results}
RUN=${RUN:-runs/pretrain_gpu}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-14}
BUDGET=${BUDGET:-420}
PRIOR=${PRIOR:-benchmarks/results/pretrain_gpu/prior.json}
SEED=${SEED:-4}
BATCH=${BATCH:-64}
INIT=${INIT:-tabpfn_lite/weights/default}
LR=${LR:-8e-4}
OPTIMIZER=${OPTIMIZER:-adamw}
mkdir -p "$(dirname "$RUN")"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1

save() {  # what comes back: the checkpoint, optimizer state, log and curves
    cp "$RUN"/checkpoint/* "$RUN"/log.jsonl "$RUN"/curves.png "$RUN"/state.json \
        "$RUN"/state.safetensors "$OUT"/ 2>/dev/null
}
trap save EXIT

python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
[ "$DEVICE" = cuda ] && nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
BF16=$([ "$DEVICE" = cuda ] && echo --bf16)
timeout $((BUDGET + 120)) python3 -m tabpfn_lite.cli train \
    --data "prior:$PRIOR" --init-from "$INIT" --out "$RUN" \
    --batch-size "$BATCH" --steps 100000 --lr "$LR" --optimizer "$OPTIMIZER" --warmup-steps 200 \
    --time-budget "$BUDGET" --anneal-to-time-budget --prior-workers "$WORKERS" \
    --micro-batch-tokens 1000000 $BF16 --device "$DEVICE" \
    --log-every "${LOG_EVERY:-25}" --eval-every 500 --checkpoint-every 250 --seed "$SEED" \
    2> "$RUN.stderr"
echo "train exit $?"
tr '\r' '\n' < "$RUN.stderr" | awk '!/^train:/ || ++n % 100 == 0' | tail -n 25
python3 - "$RUN/log.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
for r in [r for r in rows if "eval_loss" in r] + rows[-1:]:
    print({k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()})
last = rows[-1]
print(f"tables/s {last['datasets'] / last['wall_seconds']:.0f}, steps {last['step']}")
if last.get("data_seconds") is not None:  # the step alone, without the wait for the prior
    step_seconds = last["wall_seconds"] - last["data_seconds"]
    print(f"waiting for data {last['data_seconds']:.0f} s; step alone {last['datasets'] / step_seconds:.0f} tables/s")
PY
