# The growth study as run for benchmarks/results/growth (2-core CPU, about 75 minutes with 2 workers).
# 1. Prior for the study: short tables (64-128 rows, <= 8 features, <= 4 classes).
tabpfn-lite prior --out data/growth_prior.h5 --num-datasets 60000 --min-rows 64 --max-rows 128 \
    --max-features 8 --max-classes 4 --workers 1 --seed 11
# 2. muP learning-rate sweep (the study uses the best lr at width 16); first run at widths 16 and
#    64 with one seed, rerun (2026-12-03, ~95 minutes on one core) at three widths and three seeds:
python benchmarks/mup_lr_sweep.py --data data/growth_prior.h5 --widths 16 32 64 --seeds 0 1 2 --steps 150 \
    --lrs 0.0009765625 0.001953125 0.00390625 0.0078125 0.015625 0.03125
# 3. The study (resumable; re-run the same command to continue). zero_pad at g >= 8 and preserve at
#    g = 16 were left out to fit the CPU time.
python benchmarks/growth_study.py run --data data/growth_prior.h5 --out runs/growth_study --workers 2 \
    --exclude g8/zero_pad g16/zero_pad g16/preserve
# 4. Tables, plots, fits and the write-up (README.md here).
python benchmarks/growth_study.py analyze --out runs/growth_study --results benchmarks/results/growth
# 5. The write-up alone, from the files of step 4 (runs from a fresh clone; verdicts revised since:
#    a difference within two standard errors of the seed pairs, a degenerate scaling-law fit, a
#    bound on g not reached or a one-seed sweep are "not shown").
python benchmarks/growth_study.py write-up --results benchmarks/results/growth
# 6. Scaling-law fits with 95% bootstrap intervals and leave-one-size-out errors, the IsoFLOP view
#    (loss vs g at fixed total compute) and the write-up, from curves.csv alone (fresh clone, ~3 min).
python benchmarks/growth_study.py refit --results benchmarks/results/growth
#
# Study v2: three base sizes (S8 2.4k, A16 8.1k, B32 29.5k parameters), every operator at g = 2, 4,
# 8, 16 (targets up to 479k parameters), each grown run against a scratch run of its own target
# shape, 3 seeds; ~17 CPU hours, run over several sittings: benchmarks/results/growth_v2/commands.sh.
