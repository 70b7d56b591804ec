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
