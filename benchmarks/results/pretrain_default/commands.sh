# How the shipped checkpoint (tabpfn_lite/weights/default) was made, on this project's 2-core CPU.
# 1. Two prior dumps (generator configs with seeds: prior_configs.json)
tabpfn-lite prior --out data/stage1.h5 --num-datasets 120000 --min-rows 64 --max-rows 256 --max-features 24 --workers 2 --seed 1
tabpfn-lite prior --out data/stage2.h5 --num-datasets 24000 --min-rows 128 --max-rows 1024 --max-features 64 --workers 2 --seed 2
# 2. Pretraining: 96% of the steps on short tables, then 4% on long and wide ones.
#    The run was planned with --steps 2700 and stopped and resumed at its checkpoints as its
#    speed became known: steps 0-400 with --steps 2700, 400-1000 with --steps 2400 (at step 900
#    the code gained micro-batching, which changes nothing for these batch sizes), then 1000-3200
#    with --steps 3200. The cosine schedule is a function of the step and of --steps, so each
#    resume moved the learning rate a little (step 1000: factor 0.70 -> 0.83). The final command:
tabpfn-lite train --data data/stage1.h5 --data data/stage2.h5 --curriculum 0.96 0.04 --out runs/default --emsize 96 --nlayers 4 --nheads 4 --mlp-hidden 192 --batch-size 32 --steps 3200 --lr 1.5e-3 --warmup-steps 100 --time-budget 6600 --eval-every 200 --checkpoint-every 100 --seed 0 --resume
# 3. Ship it
cp -r runs/default/checkpoint tabpfn_lite/weights/default
