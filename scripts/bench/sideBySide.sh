#!/usr/bin/env bash
# Measures two builds side by side: figures (default 1,3,5) of BEFORE and AFTER, alternately, ROUNDS
# times (default 3), each with `node scripts/bench/run.mjs --only FIGURES --no-profile` from its own
# worktree, figure 5 at one size (FLOTILLA_BENCH_SCALE_SIZE=1000). Both worktrees must be built.
# Reports go to OUT/bench-{before,after}-N.md; compare their summary tables.
#
#   scripts/bench/sideBySide.sh BEFORE_WORKTREE AFTER_WORKTREE OUT [FIGURES] [ROUNDS]
set -u
before=${1:?before worktree} after=${2:?after worktree} out=${3:?output folder}
figures=${4:-1,3,5} rounds=${5:-3}
mkdir -p "$out"
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$after
    [[ $side == before ]] && dir=$before
    echo "$(date -u +%T) round $round $side, 1-minute load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$dir" && FLOTILLA_BENCH_SCALE_SIZE=1000 node scripts/bench/run.mjs --only "$figures" --no-profile \
      --out "$out/bench-$side-$round.md" >"$out/bench-$side-$round.log" 2>&1)
    echo "  exit $?"
  done
done
