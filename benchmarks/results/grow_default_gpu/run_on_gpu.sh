#!/usr/bin/env bash
# Growth study v2, goal 6, on one GPU: a base checkpoint continued, and the same checkpoint grown 2x
# (preserve, identity depth: the grown model computes the base's function), trained side by side
# on the same GPU for the same wall-clock budget, on the same tables in the same order (stage 6's
# prior, seed 11), each fed by its own prior workers. Run from the repository root:
#   OUT=some/folder bash benchmarks/results/grow_default_gpu/run_on_gpu.sh
# DEVICE=cpu WORKERS=1 BUDGET=15 BATCH=2 makes a smoke run of the same command on a CPU.
set -uo pipefail
OUT=${OUT:?set OUT to a folder for the results}
BASE=${BASE:-runs/stage9/checkpoint}
RUN=${RUN:-runs/grow_default_gpu}
DEVICE=${DEVICE:-cuda}
WORKERS=${WORKERS:-7}  # per run
BUDGET=${BUDGET:-200}
BATCH=${BATCH:-64}
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 PYTHONUNBUFFERED=1
RUNS="continued grown"

save() {  # what comes back: each run's checkpoint and log
    for run in $RUNS; do
        mkdir -p "$OUT/$run"
        cp "$RUN/$run"/checkpoint/* "$RUN/$run/log.jsonl" "$OUT/$run/" 2>/dev/null
    done
}
trap save EXIT

mkdir -p "$RUN"
python3 -m tabpfn_lite.cli grow --from "$BASE" --out "$RUN/grown_init" --growth-factor 2 \
    --method preserve --depth-method identity --seed 0 || exit 1
BF16=$([ "$DEVICE" = cuda ] && echo --bf16)

train() {  # $1: run name, $2: the checkpoint it starts from
    timeout $((BUDGET + 90)) python3 -m tabpfn_lite.cli train \
        --data prior:benchmarks/results/pretrain_stage6/prior.json --init-from "$2" \
        --out "$RUN/$1" --batch-size "$BATCH" --steps 100000 --lr 2e-4 --warmup-steps 50 \
        --time-budget "$BUDGET" --anneal-to-time-budget --prior-workers "$WORKERS" \
        --micro-batch-tokens 1000000 $BF16 --device "$DEVICE" \
        --log-every 25 --eval-every 250 --checkpoint-every 250 --seed 11 2> "$RUN/$1.stderr"
    echo "$1: train exit $?"
    tr '\r' '\n' < "$RUN/$1.stderr" | grep -v '^train:' | tail -n 5
}
train continued "$BASE" &
train grown "$RUN/grown_init" &
wait

for run in $RUNS; do
    python3 - "$run" "$RUN/$run/log.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[2])]
evals = [r for r in rows if "eval_loss" in r]
last = rows[-1]
print(sys.argv[1], {k: last[k] for k in ("step", "datasets", "flops", "wall_seconds", "data_seconds")})
print("  held-out loss", [(r["step"], round(r["eval_loss"], 4)) for r in evals])
print(f"  tables/s {last['datasets'] / last['wall_seconds']:.0f}")
PY
done
