#!/usr/bin/env bash
# OSU-style ping-pong between two ranks on one node: fbatch (rank threads, one
# copy between linear memories) against mpirun (OpenMPI's shared-memory
# transport), alternating, REPS runs each; medians of the 8-byte one-way latency,
# the 1 MiB bandwidth and the 8-byte message rate (CPU cost of a Send + Recv).
# Writes jobs/results/pingpong.md.
#   usage: jobs/bench-pingpong.sh [--nodes 2] [REPS]   (default 5)
# With --nodes 2 the two ranks run on two noded processes (messages cross the
# Cap'n Proto peer transport over TCP) and mpirun uses `--mca btl tcp,self`;
# results go to jobs/results/pingpong-2nodes.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
nodes=1
if [ "${1:-}" = "--nodes" ]; then nodes=$2; shift 2; fi
reps=${1:-5}
build_fbatch
if [ "$nodes" -gt 1 ]; then
  start_cluster "$ROOT/.fbatch-bench" 1 "$nodes"
  spread=(-N "$nodes"); btl=(--mca btl tcp,self); suffix="-${nodes}nodes"
  transport="TCP (btl tcp,self)"; placement="2 noded processes"
else
  start_cluster "$ROOT/.fbatch-bench" 2
  spread=(); btl=(); suffix=""; transport="shared memory"; placement="one node"
fi
trap stop_cluster EXIT
build_both "$ROOT/func/kernels/pingpong.c" pingpong
fupload pingpong "$WORK/pingpong.wasm" >/dev/null
pick() { awk -v k="$2" '$0 ~ k {print $(NF-1)}' "$1"; }
rate() { awk '/^rate 8 B/ {print $(NF-3)}' "$1"; }
fl=(); fb=(); ml=(); mb=(); fr=(); mr=()
for i in $(seq "$reps"); do
  (cd "$WORK" && fsub -n 2 "${spread[@]}" --wait -o "$WORK/pp-$i.out" pingpong 2000 1048576 >/dev/null)
  fl+=("$(pick "$WORK/pp-$i.out" '^latency 8 B')"); fb+=("$(pick "$WORK/pp-$i.out" '^bandwidth 1048576 B')")
  fr+=("$(rate "$WORK/pp-$i.out")")
  mpirun --oversubscribe --bind-to none "${btl[@]}" -n 2 "$WORK/pingpong.native" 2000 1048576 >"$WORK/pp-native-$i.out" 2>&1
  ml+=("$(pick "$WORK/pp-native-$i.out" '^latency 8 B')"); mb+=("$(pick "$WORK/pp-native-$i.out" '^bandwidth 1048576 B')")
  mr+=("$(rate "$WORK/pp-native-$i.out")")
done
m() { printf '%s\n' "$@" | median; }
# Per-run ratios: each fbatch run and the mpirun run right after it share the
# machine's state (this shared VM switches between a fast and a ~5x slower
# memory/network mode for seconds at a time), so their ratio is the fairer
# comparison; the table gives the median of both.
ratios() { local i; for i in "${!a[@]}"; do awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN{printf "%.4f\n", x/y}'; done | median; }
a=("${fl[@]}"); b=("${ml[@]}"); rl=$(ratios)
a=("${fb[@]}"); b=("${mb[@]}"); rb=$(ratios)
a=("${fr[@]}"); b=("${mr[@]}"); rr=$(ratios)
out="$ROOT/jobs/results/pingpong$suffix.md"
{
  echo "# Ping-pong, 2 ranks, $placement ($(date -u +%Y-%m-%d), $(nproc) cores, median of $reps alternating runs)"
  echo
  echo "| metric | fbatch | mpirun (OpenMPI $transport) | ratio of medians | median of per-run ratios |"
  echo "|---|---|---|---|---|"
  echo "| 8 B one-way latency (us) | $(m "${fl[@]}") | $(m "${ml[@]}") | $(awk -v a="$(m "${fl[@]}")" -v b="$(m "${ml[@]}")" 'BEGIN{printf "%.2f", a/b}') | $rl |"
  echo "| 1 MiB bandwidth (MB/s) | $(m "${fb[@]}") | $(m "${mb[@]}") | $(awk -v a="$(m "${fb[@]}")" -v b="$(m "${mb[@]}")" 'BEGIN{printf "%.2f", a/b}') | $rb |"
  echo "| 8 B message rate (us per message) | $(m "${fr[@]}") | $(m "${mr[@]}") | $(awk -v a="$(m "${fr[@]}")" -v b="$(m "${mr[@]}")" 'BEGIN{printf "%.2f", a/b}') | $rr |"
  echo
  echo "Runs (fbatch / mpirun, 1 MiB MB/s): $(for i in "${!fb[@]}"; do printf '%s/%s ' "${fb[$i]}" "${mb[$i]}"; done)"
} > "$out"
cat "$out"
