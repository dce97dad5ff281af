#!/usr/bin/env bash
# Kernel benchmark: each PRK-style kernel in func/kernels/, for each rank count,
# run under fbatch (`fsub --wait`) and under native `mpirun` alternately, REPS
# times each, on the same machine; compare the median of the kernel's own
# "Avg time (s)". Writes jobs/results/kernels.md and jobs/results/kernels.svg.
#   usage: jobs/bench-kernels.sh [--nodes K] [REPS] [RANKS...]   (default: 5; 1 2 4 8)
# With --nodes K the ranks are spread over K noded processes (fsub -N K; rank
# counts below K are skipped) and mpirun uses `--mca btl tcp,self`; results go to
# jobs/results/kernels-Knodes.{md,svg}.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
nodes=1
if [ "${1:-}" = "--nodes" ]; then nodes=$2; shift 2; fi
reps=${1:-5}
shift || true
ranks=("${@:-1 2 4 8}")
[ $# -eq 0 ] && ranks=(1 2 4 8)

# kernel name and arguments (sizes keep 8 ranks on 2 cores within seconds)
kernels=(
  "nstream|20 4000000 0"
  "transpose|10 1024"
  "stencil|10 1000"
  "p2p|10 1000 1000"
  "reduce|10 1000000"
  "global|10 100000"
  "dgemm|5 256"
  "sparse|10 9 2"
  "random|18 16"
  "transpose_rma|10 1024"
  "stencil_rma|10 1000"
  "p2p_rma|10 1000 1000"
  "stencil_shm|10 1000"
)

build_fbatch
if [ "$nodes" -gt 1 ]; then
  start_cluster "$ROOT/.fbatch-bench" 8 "$nodes"
  spread=(-N "$nodes"); btl=(--mca btl tcp,self); suffix="-${nodes}nodes"
else
  start_cluster "$ROOT/.fbatch-bench" 8
  spread=(); btl=(); suffix=""
fi
trap stop_cluster EXIT
raw="$ROOT/jobs/results/raw"
mkdir -p "$raw"
avg() { awk '/Avg time \(s\)|time \(s\):/ {for (i=1;i<=NF;i++) if ($i=="(s):") v=$(i+1)} END {print v}' "$1"; }

rows=()
for entry in "${kernels[@]}"; do
  k=${entry%%|*}; args=${entry#*|}
  src="$ROOT/func/kernels/$k.c"
  [ -f "$src" ] || { echo "skip $k (no source)"; continue; }
  # Shared-memory kernels need every rank on one node.
  [ "$nodes" -gt 1 ] && [[ "$k" == *_shm ]] && { echo "skip $k (one node only)"; continue; }
  build_both "$src" "$k"
  fupload "$k" "$WORK/$k.wasm" >/dev/null
  for n in "${ranks[@]}"; do
    [ "$n" -lt "$nodes" ] && continue
    f=(); m=()
    for i in $(seq "$reps"); do
      out="$raw/$k-n$n-fbatch-$i.out"
      (cd "$WORK" && fsub -n "$n" "${spread[@]}" --wait -o "$out" "$k" $args >/dev/null) || { echo "$k n=$n failed under fbatch"; cat "$out"; exit 1; }
      f+=("$(avg "$out")")
      nat="$raw/$k-n$n-mpirun-$i.out"
      mpirun --oversubscribe --bind-to none "${btl[@]}" -n "$n" "$WORK/$k.native" $args >"$nat" 2>&1 || { echo "$k n=$n failed under mpirun"; cat "$nat"; exit 1; }
      m+=("$(avg "$nat")")
    done
    fm=$(printf '%s\n' "${f[@]}" | median)
    mm=$(printf '%s\n' "${m[@]}" | median)
    ratio=$(awk -v a="$fm" -v b="$mm" 'BEGIN {printf "%.3f", (b > 0 ? a/b : 0)}')
    echo "$k n=$n fbatch $fm mpirun $mm ratio $ratio"
    rows+=("$k|$n|$fm|$mm|$ratio")
  done
done

md="$ROOT/jobs/results/kernels$suffix.md"
{
  echo "# Kernels: fbatch vs native mpirun, $nodes node(s) ($(date -u +%Y-%m-%d), $(nproc) cores, median of $reps alternating runs)"
  echo
  echo "Times are each kernel's own \"Avg time (s)\" per iteration. Ratio = fbatch / mpirun (below 1: fbatch faster)."
  echo
  echo "| kernel | ranks | fbatch (s) | mpirun (s) | ratio |"
  echo "|---|---|---|---|---|"
  for r in "${rows[@]}"; do IFS='|' read -r k n a b q <<<"$r"; echo "| $k | $n | $a | $b | $q |"; done
} > "$md"
printf '%s\n' "${rows[@]}" | python3 "$ROOT/jobs/plot.py" "$ROOT/jobs/results/kernels$suffix.svg"
cat "$md"
