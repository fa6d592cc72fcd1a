#!/usr/bin/env bash
# The randomised evidence suites under many seeds, to show that none depends on luck: the fault matrix (all its
# scenarios) and the crash trials (TRIALS per seed), once per seed, each seed in its own vitest run. CPU heavy and
# slow, so it is not part of `npm test` or CI; run it after changing the suites, the emulator's faults or recovery.
#
#   scripts/evidence-seeds.sh [SEEDS=50] [TRIALS=4]      PARALLEL=2 runs two seeds at once; BASE=N picks the seeds
#
# Seeds are BASE + i * 7919 (i = 0 … SEEDS-1), so a run is reproducible from the BASE it prints; a failing seed is
# replayed alone with CFGITOPS_EVIDENCE_SEED=<seed> npx vitest run test/evidence/fault-matrix.test.ts (or crash-trials).
set -uo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-50}
trials=${2:-4}
parallel=${PARALLEL:-1}
base=${BASE:-$(date +%s)}
logs=$(mktemp -d "${TMPDIR:-/tmp}/cfgitops-seeds-XXXXXX")

npm run build --silent || exit 1
echo "evidence seeds: ${seeds} seeds from BASE=${base}, ${trials} crash trials each, ${parallel} at a time; logs in ${logs}"

run_seed() {
  local seed=$1
  if CFGITOPS_EVIDENCE_SEED=$seed CFGITOPS_CRASH_TRIALS=$trials npx vitest run --maxWorkers=1 \
    test/evidence/fault-matrix.test.ts test/evidence/crash-trials.test.ts >"$logs/$seed.log" 2>&1; then
    echo "seed $seed: ok"
  else
    echo "seed $seed: FAILED (log: $logs/$seed.log)"
  fi
}
export -f run_seed
export logs trials

started=$(date +%s)
for ((i = 0; i < seeds; i++)); do echo $(((base + i * 7919) % 4294967296)); done |
  xargs -P "$parallel" -I{} bash -c 'run_seed {}' | tee "$logs/summary.txt"
failed=$(grep -c FAILED "$logs/summary.txt")
passed=$(grep -c ': ok$' "$logs/summary.txt")
echo "evidence seeds: $((($(date +%s) - started) / 60)) min wall"
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
