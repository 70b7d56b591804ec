# How the shipped checkpoint (tabpfn_lite/weights/default) was made, on this project's 2-core CPU.
# 1. Two prior dumps (generator configs with seeds: prior_configs.json)
tabpfn-lite prior --out data/stage1.h5 --num-datasets 120000 --min-rows 64 --max-rows 256 --max-features 24 --workers 2 --seed 1
tabpfn-lite prior --out data/stage2.h5 --num-datasets 24000 --min-rows 128 --max-rows 1024 --max-features 64 --workers 2 --seed 2
# 2. Pretraining: 96% of the steps on short tables, then 4% on long and wide ones.
#    Steps 0-400 ran with --steps 2700; the run was stopped at its step-400 checkpoint and
#    resumed with --steps 2400 (the cosine schedule is a function of the step, so the resumed run
#    follows the 2400-step schedule from step 400 on) so that it would finish inside the session.
tabpfn-lite train --data data/stage1.h5 --data data/stage2.h5 --curriculum 0.96 0.04 --out runs/default --emsize 96 --nlayers 4 --nheads 4 --mlp-hidden 192 --batch-size 32 --steps 2400 --lr 1.5e-3 --warmup-steps 100 --time-budget 6600 --eval-every 200 --checkpoint-every 100 --seed 0 --resume
# 3. Ship it
cp -r runs/default/checkpoint tabpfn_lite/weights/default
