#!/usr/bin/env bash
# Launch overhead: wall time of `fsub --wait -n 8 hellompi` against
# `mpirun -n 8 hellompi` (same C source), alternating, on the same machine; and
# the time to load a cached AOT artifact. Writes jobs/results/launch.md.
#   usage: jobs/bench-launch.sh [REPS]   (default 20)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
reps=${1:-20}
build_fbatch
start_cluster "$ROOT/.fbatch-bench" 8
trap stop_cluster EXIT
build_both "$ROOT/func/mpi/hellompi.c" hellompi
fupload hellompi "$WORK/hellompi.wasm" >/dev/null
cd "$WORK"
measure_launch "$reps"
fmed=$FMED
mmed=$MMED
ratio=$(awk -v a="$fmed" -v b="$mmed" 'BEGIN {printf "%.3f", a/b}')
speedup=$(awk -v a="$fmed" -v b="$mmed" 'BEGIN {printf "%.1f", b/a}')

# AOT: the first compile does Cranelift work; a second is a cache hit; the load
# is Module::deserialize of the cached artifact.
aot() { aotc compile --cache "$WORK/aotc-cache" "$1" | awk -v k="$2" '$1==k {print $2}'; }
build_both "$ROOT/func/kernels/nstream.c" nstream
compile_ms=$(aot "$WORK/nstream.wasm" compile)
loads=(); for i in $(seq 10); do loads+=($(aot "$WORK/nstream.wasm" load)); done
hit=$(aotc compile --cache "$WORK/aotc-cache" "$WORK/nstream.wasm" | awk '$1=="cache" {print $2}')
load_med=$(printf '%s\n' "${loads[@]}" | median)

out="$ROOT/jobs/results/launch.md"
{
  echo "# Launch overhead ($(date -u +%Y-%m-%d), $(nproc) cores, $reps alternating runs)"
  echo
  echo "| command | median wall time |"
  echo "|---|---|"
  echo "| \`fsub --wait -n 8 hellompi\` | $(awk -v v="$fmed" 'BEGIN {printf "%.1f ms", v/1000}') |"
  echo "| \`mpirun -n 8 hellompi\` (OpenMPI $(mpirun --version | head -1 | awk '{print $NF}')) | $(awk -v v="$mmed" 'BEGIN {printf "%.1f ms", v/1000}') |"
  echo "| ratio fbatch/mpirun | $ratio (fbatch ${speedup}x faster) |"
  echo
  echo "AOT (nstream.wasm, $(stat -c %s "$WORK/nstream.wasm") bytes): first compile ${compile_ms} ms (Cranelift);"
  echo "second compile: cache $hit; load of the cached artifact (Module::deserialize): median ${load_med} ms over 10."
} > "$out"
cat "$out"
