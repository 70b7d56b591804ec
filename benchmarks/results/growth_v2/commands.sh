# Growth study v2, run over several sittings on a 2-core CPU (2 workers, one torch thread each).
# 1. The prior (as for benchmarks/results/growth; seeded: one machine draws the same tables each time;
#    sha256 of the file written on 2026-12-03: ea11e9c633ad85272607940831222241a1058662e204bc2b9ef3c2772376a5ea;
#    the third sitting's machine wrote 4cf230a099139c12836aa6f4d191d7bbd1bc25acd07066fb2e7bd819e6cd7d05,
#    the same on every regeneration there: the seeded draw differs by machine or library build, so
#    runs of different sittings saw other tables of the same prior, and their held-out loss is read
#    on other held-out tables of it (drawn the same way); the grown runs of the third sitting and
#    their scratch controls ran in that sitting, from bases restored from the first).
tabpfn-lite prior --out data/growth_prior.h5 --num-datasets 60000 --min-rows 64 --max-rows 128 \
    --max-features 8 --max-classes 4 --workers 1 --seed 11
# 2. Cost before running: 210 runs, 3.1e14 FLOPs, 14 CPU hours at the 6 GFLOP/s per core of the
#    v1 study (targets up to 479k parameters, every target at most 4M cell-tokens). The runs
#    measured 4-16 GFLOP/s per worker here (more for wider models); the deep stack targets of B32
#    at g = 16 (32 wide x 37 layers) ran at about 4, 45 minutes each. `plan` prints the hours
#    left at the rate each run's shape measured under --out (else that of the largest runs).
python benchmarks/growth_study.py plan --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --exclude g2/zero_pad
# 3. Each sitting: restore what earlier sittings finished, run on (resumable), stop when the sitting
#    ends, archive the finished runs (records and base checkpoints, committed under runs/ here).
#    g2/zero_pad is left out: at g = 2 only depth grows, where zero_pad builds the same model as
#    preserve (new blocks identity-gated either way), so it would be the same run twice.
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3b. The size series (fifth sitting, 2026-12-04, on the first sitting's dump: same sha256): the
#    targets' budgets stop at 4e6 cell-tokens, where no size has stopped improving, so the scratch
#    fit could not tell how model size limits the loss (alpha not identified). Scratch runs of
#    2-layer models of widths 4-128 (786-437,514 parameters, the largest about the shipped
#    model's size) on 2.4e7 cell-tokens each (under one pass over the dump), same learning rate
#    and schedule; 3 seeds up to width 64, 2 at width 128 (its seed 2 alone would have taken
#    another 30 minutes of the sitting). Widths 4-64 ran as below; width 128 ran beside them in
#    its own folder (`--out runs/growth_v2_w128 --only series/w128 --seeds 0 1`) and was copied
#    into runs/growth_v2/runs/series/; the last command below then records the study's config
#    (every other run is finished, so it runs nothing).
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad --series-widths 4 8 16 32 64 \
    --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2_w128 \
    --workers 2 --series-widths 128 --seeds 0 1 --only series/w128
cp -r runs/growth_v2_w128/runs/series/w128 runs/growth_v2/runs/series/
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad series/w128/seed2 --series-widths 4 8 16 32 64 128 \
    --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3c. The annealed size series and annealed growth (sixth sitting, 2026-12-04, same dump: same
#    sha256). The size series' fit left beta near zero. The same six widths, 3 seeds, one run per
#    budget of 3.75e5-1.2e7 cell-tokens (x2 steps), each with its cosine schedule ending at its
#    budget (at 0.1 x the learning rate) and one evaluation at its end: 108 runs, 55 minutes on 2
#    workers here. Then annealed growth: at budgets 3.75e5-6e6, each width from 8 up grown (szp)
#    from the half width's annealed run of that budget and trained for the budget again with a
#    schedule of its own: 75 runs, 35 minutes (the second command ran once the first had ended;
#    the first alone runs the scratch runs, the second adds the grown ones). The third adds the
#    grown runs of budget 1.2e7 (2 seeds, 20 minutes): no scratch run of twice that budget sets
#    them against scratch at equal compute, but they widen the grown law's range of D.
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad series/w128/seed2 --series-widths 4 8 16 32 64 128 \
    --anneal-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 1.2e7 --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad series/w128/seed2 --series-widths 4 8 16 32 64 128 \
    --anneal-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 1.2e7 --anneal-grow-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 \
    --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad series/w128/seed2 c12000000/szp/seed2 \
    --series-widths 4 8 16 32 64 128 --anneal-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 1.2e7 \
    --anneal-grow-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 1.2e7 --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3d. Seventh sitting (2026-12-04, same dump: same sha256): annealed scratch runs of 2.4e7
#    cell-tokens (the six widths, 3 seeds), so that the grown runs of budget 1.2e7 (base and grown
#    run together spend more than scratch's 1.2e7) have scratch on both sides of their compute, and
#    those grown runs' third seed: 23 runs, about 50 minutes on 2 workers here.
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2 \
    --workers 2 --exclude g2/zero_pad series/w128/seed2 \
    --series-widths 4 8 16 32 64 128 --anneal-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 1.2e7 2.4e7 \
    --anneal-grow-cells 3.75e5 7.5e5 1.5e6 3e6 6e6 1.2e7 --restore benchmarks/results/growth_v2/runs
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3e. Same sitting: at budget 1.2e7 the two smallest grown sizes (2,394 and 8,106 parameters) came
#    out worse than scratch, but within the 95% t interval of 3 seeds. Seeds 3 and 4 of the annealed
#    runs of widths 4-32 at 1.2e7 and 2.4e7 and of their grown runs at 1.2e7 (22 runs, about 20
#    minutes on 2 workers), in a folder of their own, copied beside the others.
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior.h5 --out runs/growth_v2_s34 \
    --workers 2 --seeds 3 4 --only annealed/ --series-widths 4 8 16 32 --anneal-cells 1.2e7 2.4e7 \
    --anneal-grow-cells 1.2e7
cp -r runs/growth_v2_s34/runs/annealed runs/growth_v2/runs/
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3f. Eighth sitting (2026-12-05): the annealed laws are degenerate because the largest sizes'
#    loss had not begun to flatten by 2.4e7 cell-tokens (README.md, "The annealed laws and the
#    shape of the loss in log D"). Longer annealed scratch runs of widths 32, 64 (4.8e7 and 9.6e7
#    cell-tokens) and 128 (4.8e7), seed 0, one worker, 72 minutes. 9.6e7 cell-tokens is about 4 passes over
#    the 60,000-table dump, so they train on a dump of 240,000 tables of the same prior and seed
#    (its first 60,000 tables are the old dump's, checked on this machine; the held-out tables are
#    drawn from the prior and seed, so they are the same); in a folder of their own, copied beside
#    the others.
tabpfn-lite prior --out data/growth_prior_x4.h5 --num-datasets 240000 --min-rows 64 --max-rows 128 \
    --max-features 8 --max-classes 4 --workers 1 --seed 11
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior_x4.h5 --out runs/growth_v2_long \
    --workers 1 --seeds 0 --only annealed/ --series-widths 32 64 128 --anneal-cells 4.8e7 9.6e7 \
    --exclude w128/c96000000
cp -r runs/growth_v2_long/runs/annealed runs/growth_v2/runs/
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3g. Same sitting: seed 1 of the 4.8e7 runs (the largest size's flattening over its last doubling
#    rested on one run), two folders side by side, one worker each, about 30 minutes.
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior_x4.h5 --out runs/growth_v2_long_s1a \
    --workers 1 --seeds 1 --only annealed/ --series-widths 128 --anneal-cells 4.8e7
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior_x4.h5 --out runs/growth_v2_long_s1b \
    --workers 1 --seeds 1 --only annealed/ --series-widths 32 64 --anneal-cells 4.8e7
cp -r runs/growth_v2_long_s1a/runs/annealed runs/growth_v2_long_s1b/runs/annealed runs/growth_v2/runs/
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 3h. Ninth sitting (2026-12-05, same dumps): one more doubling at the largest size (width 128 at
#    9.6e7 cell-tokens, seed 0) and seed 1 of widths 32 and 64 at 9.6e7, to see whether the
#    largest size's flattening holds and whether the irreducible loss E becomes identified; one
#    worker, the two steps one after the other, 86 minutes beside another one-thread job.
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior_x4.h5 --out runs/growth_v2_long2 \
    --workers 1 --seeds 0 --only annealed/ --series-widths 128 --anneal-cells 9.6e7
python benchmarks/growth_study.py run --grid v2 --data data/growth_prior_x4.h5 --out runs/growth_v2_long2_s1 \
    --workers 1 --seeds 1 --only annealed/ --series-widths 32 64 --anneal-cells 9.6e7
cp -r runs/growth_v2_long2/runs/annealed runs/growth_v2_long2_s1/runs/annealed runs/growth_v2/runs/
python benchmarks/growth_study.py archive --out runs/growth_v2 --to benchmarks/results/growth_v2/runs
# 4. Tables, plots, fits, IsoFLOP and write-up of what has finished (README.md here).
python benchmarks/growth_study.py analyze --out runs/growth_v2 --results benchmarks/results/growth_v2
