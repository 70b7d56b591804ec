# Muon against AdamW for pretraining (issue #19's training-side levers), on a 2-core CPU, one
# thread, beside another job on the other core.
#
# The rule, fixed before any result existed: Muon replaces AdamW in the next GPU pretraining
# (stage 12) if, at the end of the 500 steps, its mean held-out prior loss at its best learning
# rate is below AdamW's at its best by more than twice the paired standard error over seeds,
# neither best learning rate lies at the edge of the grid, and its run time is at most 1.1x.
#
# The dump: step 1 of ../growth_v2/commands.sh (60,000 tables, 64-128 rows, <= 8 features,
# <= 4 classes, prior seed 11).
set -e
python benchmarks/optimizer_study.py --data data/growth_prior.h5 \
    --lrs 0.001 0.002 0.004 0.008 0.016 --seeds 0 1 --steps 500 --threads 1
#
# Outcome (summary.md): Muon at its best learning rate (0.008) ahead of AdamW at its best (0.004)
# by 0.0102 +- 0.0064 (2 seeds): less than twice the standard error, so the rule is not met and
# stage 12 keeps AdamW. Muon led at every evaluation of both seeds, and its loss was flat from
# 0.008 to 0.016 where AdamW's rose by 0.05.
#
# Follow-up, its rule fixed before its runs: seeds 2 and 3 at the four learning rates 0.002-0.016
# (0.001 was the worst of both optimizers at seeds 0 and 1), seeds 0 and 1 read back from their
# runs. The same rule over the 4 seeds decides whether Muon replaces AdamW in stage 12.
python benchmarks/optimizer_study.py --data data/growth_prior.h5 \
    --lrs 0.002 0.004 0.008 0.016 --seeds 0 1 2 3 --steps 500 --threads 1 \
    --out benchmarks/results/optimizer_study/seeds4
#
# At the shipped default's size (96 wide, 472,714 parameters), each optimizer at the two learning
# rates around its best at 64 wide, 2 seeds (a check that the gap carries over, not a decision):
python benchmarks/optimizer_study.py --data data/growth_prior.h5 --emsize 96 \
    --lrs 0.004 0.008 --seeds 0 1 --steps 500 --threads 1 \
    --runs runs/optimizer_study_w96 --out benchmarks/results/optimizer_study/w96
