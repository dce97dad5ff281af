#!/usr/bin/env bash
# OSU-style ping-pong between two ranks on one node: fbatch (rank threads, one
# copy between linear memories) against mpirun (OpenMPI's shared-memory
# transport), alternating, REPS runs each; medians of the 8-byte one-way latency
# and the 1 MiB bandwidth. Writes jobs/results/pingpong.md.
#   usage: jobs/bench-pingpong.sh [REPS]   (default 5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
reps=${1:-5}
build_fbatch
start_cluster "$ROOT/.fbatch-bench" 2
trap stop_cluster EXIT
build_both "$ROOT/func/kernels/pingpong.c" pingpong
fupload pingpong "$WORK/pingpong.wasm" >/dev/null
pick() { awk -v k="$2" '$0 ~ k {print $(NF-1)}' "$1"; }
fl=(); fb=(); ml=(); mb=()
for i in $(seq "$reps"); do
  (cd "$WORK" && fsub -n 2 --wait -o "$WORK/pp-$i.out" pingpong 2000 1048576 >/dev/null)
  fl+=("$(pick "$WORK/pp-$i.out" '^latency 8 B')"); fb+=("$(pick "$WORK/pp-$i.out" '^bandwidth 1048576 B')")
  mpirun --oversubscribe --bind-to none -n 2 "$WORK/pingpong.native" 2000 1048576 >"$WORK/pp-native-$i.out" 2>&1
  ml+=("$(pick "$WORK/pp-native-$i.out" '^latency 8 B')"); mb+=("$(pick "$WORK/pp-native-$i.out" '^bandwidth 1048576 B')")
done
m() { printf '%s\n' "$@" | median; }
out="$ROOT/jobs/results/pingpong.md"
{
  echo "# Ping-pong, 2 ranks on one node ($(date -u +%Y-%m-%d), $(nproc) cores, median of $reps alternating runs)"
  echo
  echo "| metric | fbatch | mpirun (OpenMPI shared memory) | fbatch/mpirun |"
  echo "|---|---|---|---|"
  echo "| 8 B one-way latency (us) | $(m "${fl[@]}") | $(m "${ml[@]}") | $(awk -v a="$(m "${fl[@]}")" -v b="$(m "${ml[@]}")" 'BEGIN{printf "%.2f", a/b}') |"
  echo "| 1 MiB bandwidth (MB/s) | $(m "${fb[@]}") | $(m "${mb[@]}") | $(awk -v a="$(m "${fb[@]}")" -v b="$(m "${mb[@]}")" 'BEGIN{printf "%.2f", a/b}') |"
} > "$out"
cat "$out"
