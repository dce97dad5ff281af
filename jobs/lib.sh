# Shared by the benchmark scripts: build fbatch, start/stop a local cluster,
# compile C sources for fbatch (fmpicc) and natively (mpicc), time commands.
# Source it from bash; it sets ROOT, BIN, WORK, FBATCH_SCHEDD and FBATCH_SECRET_FILE.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/target/debug"
export PATH="$BIN:$ROOT/func:$HOME/.cargo/bin:$PATH"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

build_fbatch() {
  "$ROOT/scripts/setup-deps"
  (cd "$ROOT" && cargo build --workspace --bins -q)
}

# start_cluster WORKDIR SLOTS [NODES]: schedd + NODES noded (default 1) with SLOTS each.
start_cluster() {
  WORK=$1
  local slots=$2 nodes=${3:-1}
  rm -rf "$WORK"
  mkdir -p "$WORK"
  schedd --listen 127.0.0.1:0 --state-dir "$WORK/schedd" >"$WORK/schedd.log" 2>&1 &
  CLUSTER_PIDS=($!)
  for _ in $(seq 100); do [ -s "$WORK/schedd/schedd.addr" ] && break; sleep 0.1; done
  export FBATCH_SCHEDD=$(cat "$WORK/schedd/schedd.addr")
  # The key schedd created on first start, for noded and the client commands.
  export FBATCH_SECRET_FILE="$WORK/schedd/cluster.key"
  for i in $(seq 0 $((nodes - 1))); do
    noded --slots "$slots" --name "node$i" --state-dir "$WORK/node$i" >"$WORK/node$i.log" 2>&1 &
    CLUSTER_PIDS+=($!)
  done
  for _ in $(seq 200); do
    [ "$(finfo --parsable 2>/dev/null | grep -c '|idle|')" -ge "$nodes" ] && return 0
    sleep 0.1
  done
  echo "cluster did not come up" >&2
  return 1
}

stop_cluster() {
  kill "${CLUSTER_PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}

# build_both SRC NAME: NAME.wasm (fmpicc) and NAME.native (mpicc) in $WORK.
build_both() {
  fmpicc "$1" -o "$WORK/$2.wasm"
  mpicc -O3 "$1" -o "$WORK/$2.native" -lm
}

# stamp VAR: wall clock in microseconds into VAR, read without forking (bash's
# EPOCHREALTIME; `$(date ...)` would fork ~1 ms into every measurement):
#   stamp t0; cmd; stamp t1; echo $((t1 - t0))
stamp() { local v=${EPOCHREALTIME/[.,]/}; printf -v "$1" '%s' "$((10#$v))"; }

# median of numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# measure_launch REPS: alternates `fsub --wait -n 8 hellompi` and `mpirun -n 8`
# in the current directory (hellompi uploaded, ./hellompi.native built; no
# subshells, whose fork would be timed); sets FMED and MMED, the median wall
# times in microseconds.
measure_launch() {
  local f=() m=() t0 t1 t2
  for _ in $(seq "$1"); do
    stamp t0; fsub -n 8 --wait -o /dev/null hellompi >/dev/null; stamp t1
    mpirun --oversubscribe --bind-to none -n 8 ./hellompi.native >/dev/null; stamp t2
    f+=($((t1 - t0))); m+=($((t2 - t1)))
  done
  FMED=$(printf '%s\n' "${f[@]}" | median)
  MMED=$(printf '%s\n' "${m[@]}" | median)
}
