#!/usr/bin/env bash
# Checks that Parallel Research Kernels (PRK) MPI sources compile unmodified with
# func/fmpicc and validate under fbatch, next to a native mpicc/mpirun build.
#   jobs/prk-check.sh PRK_DIR [--suite MPI1|MPIRMA|MPISHM|all] [--ranks N] [--kernels k1,k2,...] [--keep]
#
# PRK_DIR is a checkout of the PRK repository, e.g.
#   git clone https://github.com/ParRes/Kernels /work/prk
# (or a partial copy with the same layout: include/, common/MPI_bail_out.c,
# common/wtime.c and the kernel sources of the suites checked). PRK is
# third-party code under a BSD-style license (Intel Corporation and others). It
# is fetched separately and never vendored into this repository; this script
# only reads it.
#
# Suites (default MPI1; "all" runs the three in turn):
#  - MPI1: nstream transpose stencil p2p reduce global dgemm sparse random amr pic
#  - MPIRMA: rma_transpose (MPI_Win_allocate + Put + fence), rma_transpose_flush
#    (same kernel, passive target: lock_all + Put + flush_local), rma_stencil
#    (two Win_allocate windows, Put + fence), rma_p2p (Win_create, Put + PSCW)
#  - MPISHM: shm_transpose and shm_stencil (Comm_split + Comm_split_type(SHARED),
#    Win_allocate_shared + Win_shared_query(MPI_PROC_NULL), Win_sync, messages
#    between coherence domains), shm_p2p (Win_allocate_shared on the SHARED split
#    of WORLD, loads from the left neighbour's segment via Win_shared_query)
# For each kernel the script mirrors PRK's makefiles (common/MPI.defs,
# common/make.common and the kernel's Makefile with its default options:
# -DMPI -DVERBOSE=0 -DRESTRICT_KEYWORD=0 plus the kernel's own flags, e.g.
# -std=c99 for the MPIRMA/MPISHM transposes, and common/MPI_bail_out.c +
# common/wtime.c linked in), compiles it with `func/fmpicc -O3` and natively with
# `mpicc -O3`, runs both with N ranks (default 4) on small but valid arguments,
# and checks that each output has "Solution validates". fbatch runs use a
# throwaway schedd + noded started from the daemons already built in
# target/debug (this script never runs cargo). Prints a table
# kernel | fmpicc | fbatch | mpirun and the failure messages; exits non-zero if
# any kernel fails anywhere.
#
# Rank counts: MPISHM kernels take the ranks per coherence domain as their first
# argument; the script passes N/2 when N is even and at least 4 (two domains, so
# both shared windows and messages between domains are exercised), else N (one
# domain). sparse and random need a power-of-two N (PRK checks this itself).
# Native runs of the MPIRMA suite set OMPI_MCA_osc=sm,pt2pt (unless already
# set): this machine's /etc/openmpi/openmpi-mca-params.conf disables osc pt2pt,
# and with btl_vader_single_copy_mechanism=none no other OpenMPI 4.1 osc
# component serves MPI_Win_create (rma_p2p fails natively in MPI_Win_create with
# MPI_ERR_WIN otherwise).
#
# Known failures that come from the PRK sources on a 32-bit-long target (wasm32),
# not from fbatch's MPI:
#  - random: its Makefile passes -DLONG_IS_64BITS=0, but par-res-kern_general.h
#    tests `#ifdef LONG_IS_64BITS`, so u64Int becomes a 32-bit `unsigned long`
#    while the data go through MPI as MPI_LONG_LONG_INT (8 bytes).
#  - amr: amr.c calls time_step() without a prototype (implicit int); wasm-ld
#    warns "function signature mismatch: time_step" and the call traps.
set -uo pipefail

usage() { sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN="$ROOT/target/debug"
FMPICC="$ROOT/func/fmpicc"

prk=""; ranks=4; only=""; keep=0; suite=MPI1
while [ $# -gt 0 ]; do
  case "$1" in
    --suite) suite=$2; shift 2 ;;
    --suite=*) suite=${1#*=}; shift ;;
    --ranks) ranks=$2; shift 2 ;;
    --ranks=*) ranks=${1#*=}; shift ;;
    --kernels) only=$2; shift 2 ;;
    --kernels=*) only=${1#*=}; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) usage ;;
    -*) echo "unknown option $1" >&2; usage ;;
    *) [ -z "$prk" ] || usage; prk=$1; shift ;;
  esac
done
[ -n "$prk" ] || usage
case "$suite" in
  MPI1|MPIRMA|MPISHM) suites=("$suite") ;;
  all) suites=(MPI1 MPIRMA MPISHM) ;;
  *) echo "unknown suite $suite (MPI1, MPIRMA, MPISHM or all)" >&2; exit 2 ;;
esac
case "$ranks" in ''|*[!0-9]*|0) echo "--ranks needs a positive integer" >&2; exit 2 ;; esac
prk=$(cd "$prk" && pwd) || exit 2
[ -f "$prk/include/par-res-kern_general.h" ] || { echo "$prk: not a PRK checkout (no include/par-res-kern_general.h)" >&2; exit 2; }
for b in schedd noded fupload fsub finfo; do
  [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: build the daemons first (cargo build --workspace --bins)" >&2; exit 2; }
done
command -v mpicc >/dev/null && command -v mpirun >/dev/null || { echo "mpicc/mpirun not found" >&2; exit 2; }

n=$ranks
# Ranks per coherence domain for the MPISHM kernels (their first argument).
if [ $((n % 2)) = 0 ] && [ "$n" -ge 4 ]; then g=$((n / 2)); else g=$n; fi
# Kernels: name | source (relative to PRK_DIR) | compiler flags besides the common
# ones | extra common sources | arguments (see each kernel's usage message) |
# environment for the native mpirun.
# Flags are the defaults of each <suite>/<kernel>/Makefile (MPIRMA/Synch_p2p has
# no Makefile of its own; it gets the common flags only).
MPI1_KERNELS=(
  "nstream|MPI1/Nstream/nstream.c||| 10 $((1000 * n * 32)) 0|"
  "transpose|MPI1/Transpose/transpose.c|-std=c99 -DSYNCHRONOUS=0 -DDERIVED_DATATYPES=0|| 10 $((64 * n)) 32|"
  "stencil|MPI1/Stencil/stencil.c|-DLOOPGEN=0 -DDOUBLE=1 -DRADIUS=2 -DSTAR=1|| 10 256|"
  "p2p|MPI1/Synch_p2p/p2p.c||| 10 $((100 * n)) 100|"
  "reduce|MPI1/Reduce/reduce.c||| 10 100000|"
  "global|MPI1/Synch_global/global.c||| 100 $((64 * n))|"
  "dgemm|MPI1/DGEMM/dgemm.c|-DBOFFSET=12|| 5 $((32 * n)) 32 1|"
  "sparse|MPI1/Sparse/sparse.c|-DSCRAMBLE=1 -DTESTDENSE=0|| 10 8 2|"
  "random|MPI1/Random/random.c|-DLOOKAHEAD=1024 -DLONG_IS_64BITS=0|| 16 18|"
  "amr|MPI1/AMR/amr.c|-DLOOPGEN=0 -DDOUBLE=1 -DRADIUS=2 -DSTAR=1|MPI1/AMR/timestep.c| 10 256 64 2 4 2 1 FINE_GRAIN|"
  "pic|MPI1/PIC-static/pic.c||common/random_draw.c| 10 256 10000 1 2 GEOMETRIC 0.99|"
)
OSC="OMPI_MCA_osc=${OMPI_MCA_osc:-sm,pt2pt}"
MPIRMA_KERNELS=(
  "rma_transpose|MPIRMA/Transpose/transpose.c|-std=c99|| 10 $((64 * n)) 32|$OSC"
  "rma_transpose_flush|MPIRMA/Transpose/transpose.c|-std=c99|| 10 $((64 * n)) 32 1|$OSC"
  "rma_stencil|MPIRMA/Stencil/stencil.c|-DLOOPGEN=0 -DDOUBLE=1 -DRADIUS=2 -DSTAR=1|| 10 256|$OSC"
  "rma_p2p|MPIRMA/Synch_p2p/p2p.c||| 10 $((100 * n)) 100|$OSC"
)
MPISHM_KERNELS=(
  "shm_transpose|MPISHM/Transpose/transpose.c|-std=c99 -DSYNCHRONOUS=0|| $g 10 $((64 * n)) 32|"
  "shm_stencil|MPISHM/Stencil/stencil.c|-DLOOPGEN=0 -DDOUBLE=1 -DRADIUS=2 -DSTAR=1 -DLOCAL_BARRIER_SYNCH=0|| $g 10 256|"
  "shm_p2p|MPISHM/Synch_p2p/p2p.c||| 10 $((100 * n)) 100|"
)
KERNELS=()
for s in "${suites[@]}"; do
  case "$s" in
    MPI1) KERNELS+=("${MPI1_KERNELS[@]}") ;;
    MPIRMA) KERNELS+=("${MPIRMA_KERNELS[@]}") ;;
    MPISHM) KERNELS+=("${MPISHM_KERNELS[@]}") ;;
  esac
done
COMMON_DEFS="-DMPI -DVERBOSE=0 -DRESTRICT_KEYWORD=0"
COMMON_SRCS="common/MPI_bail_out.c common/wtime.c"

work=$(mktemp -d /tmp/prk-check.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ "$keep" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Throwaway cluster: one schedd, one noded with enough slots for N ranks.
"$BIN/schedd" --listen 127.0.0.1:0 --state-dir "$work/schedd" >"$work/schedd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/schedd/schedd.addr" ] && break; sleep 0.05; done
[ -s "$work/schedd/schedd.addr" ] || { echo "schedd did not start:"; cat "$work/schedd.log"; exit 1; }
export FBATCH_SCHEDD=$(cat "$work/schedd/schedd.addr")
export FBATCH_SECRET_FILE="$work/schedd/cluster.key"
slots=$(( n > 8 ? n : 8 ))
"$BIN/noded" --slots "$slots" --name node0 --state-dir "$work/node0" >"$work/noded.log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 200); do "$BIN/finfo" --parsable 2>/dev/null | grep -q '^node0|idle' && { up=1; break; }; sleep 0.05; done
[ "$up" = 1 ] || { echo "noded did not come up:"; cat "$work/noded.log"; exit 1; }

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none

rev=$(git -C "$prk" rev-parse --short HEAD 2>/dev/null || echo "not a git checkout")
echo "PRK: $prk ($rev), suite: $suite, ranks: $n"
echo

results=()
details=""
failed=0
note() { details+="--- $1"$'\n'"$2"$'\n'; }
first_lines() { grep -v '^\s*$' "$1" | head -n "${2:-15}"; }

for spec in "${KERNELS[@]}"; do
  IFS='|' read -r name src defs extra args nenv <<<"$spec"
  if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then continue; fi
  if [ ! -f "$prk/$src" ]; then
    results+=("$name|not in PRK_DIR|-|-"); continue
  fi
  srcs=("$prk/$src")
  for s in $COMMON_SRCS $extra; do srcs+=("$prk/$s"); done
  flags=(-O3 $COMMON_DEFS $defs -I "$prk/include")
  dir="$work/$name"; mkdir -p "$dir"

  c_f="ok"; r_f="-"; r_n="-"
  # fbatch: compile, upload, run.
  if ! (cd "$dir" && "$FMPICC" "${flags[@]}" "${srcs[@]}" -o "$name.wasm") >"$dir/fmpicc.log" 2>&1; then
    c_f="FAIL"; note "$name: fmpicc" "$(first_lines "$dir/fmpicc.log" 20)"
  fi
  # Linker warnings (e.g. a call through an implicit declaration whose signature
  # does not match the definition, which wasm-ld turns into a trap) are reported.
  if [ "$c_f" = ok ] && grep -q "wasm-ld.*warning" "$dir/fmpicc.log"; then
    note "$name: fmpicc linker warning" "$(grep "wasm-ld.*warning" "$dir/fmpicc.log")"
  fi
  if [ "$c_f" = ok ] && ! "$BIN/fupload" "prk_$name" "$dir/$name.wasm" >"$dir/fupload.log" 2>&1; then
    r_f="upload FAIL"; note "$name: fupload" "$(first_lines "$dir/fupload.log")"
  elif [ "$c_f" = ok ]; then
    st=0
    (cd "$dir" && "$BIN/fsub" -n "$n" --wait -t 10 -o "$dir/fbatch.out" "prk_$name" $args) >"$dir/fsub.log" 2>&1 || st=$?
    if grep -q "Solution validates" "$dir/fbatch.out" 2>/dev/null && [ "$st" = 0 ]; then
      r_f="validates"
    else
      r_f="FAIL (exit $st)"
      note "$name: fbatch run (fsub exit $st)" "$(cat "$dir/fsub.log"; [ -f "$dir/fbatch.out" ] && tail -n 15 "$dir/fbatch.out")"
    fi
  fi
  # native: compile, run.
  if ! (cd "$dir" && mpicc "${flags[@]}" "${srcs[@]}" -o "$name.native" -lm) >"$dir/mpicc.log" 2>&1; then
    r_n="compile FAIL"; note "$name: mpicc" "$(first_lines "$dir/mpicc.log" 20)"
  else
    st=0
    (cd "$dir" && env $nenv timeout 600 mpirun --oversubscribe --bind-to none -n "$n" "./$name.native" $args) >"$dir/mpirun.out" 2>&1 || st=$?
    if grep -q "Solution validates" "$dir/mpirun.out" && [ "$st" = 0 ]; then
      r_n="validates"
    else
      r_n="FAIL (exit $st)"; note "$name: mpirun (exit $st)" "$(tail -n 15 "$dir/mpirun.out")"
    fi
  fi
  [ "$c_f" = ok ] && [ "$r_f" = validates ] && [ "$r_n" = validates ] || failed=1
  results+=("$name|$c_f|$r_f|$r_n")
  printf '%-19s fmpicc: %-5s fbatch: %-16s mpirun: %s\n' "$name" "$c_f" "$r_f" "$r_n"
done

echo
printf '| %-19s | %-6s | %-16s | %-16s |\n' kernel fmpicc fbatch mpirun
printf '|%s|%s|%s|%s|\n' --------------------- -------- ------------------ ------------------
for r in "${results[@]}"; do
  IFS='|' read -r a b c d <<<"$r"
  printf '| %-19s | %-6s | %-16s | %-16s |\n' "$a" "$b" "$c" "$d"
done
if [ -n "$details" ]; then
  echo; echo "Failures:"; printf '%s' "$details"
fi
exit $failed
