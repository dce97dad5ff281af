#!/usr/bin/env bash
# Scheduler benchmarks (issue 6), written to jobs/results/scheduler.md:
#  1. submissions accepted and persisted per second from 8 concurrent clients
#     (each keeps 64 requests in flight; every reply follows a sled flush);
#  2. trivial 1-rank jobs (hellompi -n 1) completed per second with one noded;
#  3. `fsub --wait -n 8 hellompi` wall time against `mpirun -n 8`, alternating;
#  4. one scheduling cycle of the real core over 10,000 simulated nodes and
#     1,000,000 queued jobs (fbench sim: no sockets).
#   usage: jobs/bench-scheduler.sh [SUBMITS] [TRIVIAL_JOBS]  (default 20000 2000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
submits=${1:-20000}
trivial=${2:-2000}
build_fbatch

# 1. Submissions: no nodes, so the jobs stay queued and only schedd works.
start_cluster "$ROOT/.fbatch-bench" 1 0
trap stop_cluster EXIT
build_both "$ROOT/func/mpi/hellompi.c" hellompi
fupload hellompi "$WORK/hellompi.wasm" >/dev/null
submit=$(fbench submit --clients 8 --jobs "$submits" hellompi)
echo "$submit"
stop_cluster

# 2. Trivial jobs through one noded with 8 slots.
start_cluster "$ROOT/.fbatch-bench" 8 1
build_both "$ROOT/func/mpi/hellompi.c" hellompi
fupload hellompi "$WORK/hellompi.wasm" >/dev/null
through=$(fbench throughput --jobs "$trivial" hellompi)
echo "$through"

# 3. Launch latency of an 8-rank job vs mpirun.
cd "$WORK"
measure_launch 10
fmed=$FMED
mmed=$MMED
stop_cluster

# 4. The core over a simulated cluster.
sim=$(fbench sim --nodes 10000 --slots 8 --jobs 1000000)
echo "$sim"

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1==k {print $2}'; }
out="$ROOT/jobs/results/scheduler.md"
{
  echo "# Scheduler benchmarks ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "| measure | result | target |"
  echo "|---|---|---|"
  echo "| submissions accepted and persisted, 8 clients | $(field "$submit" rate)/s ($(field "$submit" jobs) jobs in $(field "$submit" secs) s) | >= 20,000/s |"
  echo "| trivial 1-rank jobs completed, one noded (8 slots) | $(field "$through" rate)/s ($(field "$through" completed) of $(field "$through" jobs) in $(field "$through" secs) s) | >= 2,000/s |"
  echo "| \`fsub --wait -n 8 hellompi\` (median of 10) | $(awk -v a="$fmed" 'BEGIN {printf "%.1f ms", a/1000}') | <= 5 ms |"
  echo "| \`mpirun -n 8 hellompi\` (median of 10, same runs) | $(awk -v a="$mmed" 'BEGIN {printf "%.1f ms", a/1000}') ($(awk -v a="$fmed" -v b="$mmed" 'BEGIN {printf "%.0fx", b/a}') slower) | fbatch 100x faster |"
  echo "| queueing 1,000,000 jobs in the core | $(field "$sim" queue_ms) ms | |"
  echo "| first cycle: 10,000 idle nodes x 8 slots, 1,000,000 queued | $(field "$sim" fill_cycle_ms) ms, $(field "$sim" fill_launches) jobs started | < 100 ms |"
  echo "| steady cycle: full cluster, one job ended, ~970,000 queued (median / max of 50) | $(field "$sim" steady_cycle_ms_median) / $(field "$sim" steady_cycle_ms_max) ms | < 100 ms |"
} >"$out"
cat "$out"
