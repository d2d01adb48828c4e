#!/usr/bin/env bash
# tools/slurm/explore-array.sh — one task of a Slurm job array: shard I of N of an explore run,
# where I and N come from Slurm (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT), so the same
# script serves any N. Usually submitted by tools/slurm/submit.sh; by hand:
#   sbatch --array=0-3 tools/slurm/explore-array.sh LLMDSE SHARDS_DIR EXPLORE_ARGS...
# writes SHARDS_DIR/shard-I (explore -o), to be merged by tools/slurm/merge.sh.
# docs/scale-out.md.
#SBATCH --job-name=llmdse-explore
set -euo pipefail

die() { echo "explore-array.sh: $*" >&2; exit 2; }

[ $# -ge 3 ] || die "usage: sbatch --array=0-(N-1) explore-array.sh LLMDSE SHARDS_DIR EXPLORE_ARGS... (expected at least 3 arguments, found $#)"
llmdse=$1; shards=$2; shift 2
[ -x "$llmdse" ] || die "LLMDSE: expected an executable llmdse, found \"$llmdse\""
[ -n "$shards" ] || die "SHARDS_DIR: expected a folder name, found an empty string"
if [ -z "${SLURM_ARRAY_TASK_ID:-}" ] || [ -z "${SLURM_ARRAY_TASK_COUNT:-}" ]; then
    die "expected to run as a Slurm array task (sbatch --array=0-(N-1)); SLURM_ARRAY_TASK_ID or SLURM_ARRAY_TASK_COUNT is not set"
fi
i=$SLURM_ARRAY_TASK_ID; n=$SLURM_ARRAY_TASK_COUNT
# the shard index is the task id, so the array must be exactly 0..N-1 (no step, no gaps, no
# offset): otherwise some shard would be missing and merge would refuse the set at the end
if [ "${SLURM_ARRAY_TASK_MIN:-0}" != 0 ] || [ "${SLURM_ARRAY_TASK_MAX:-$((n - 1))}" != "$((n - 1))" ]; then
    die "expected --array=0-$((n - 1)) (task ids 0 to N-1), found ${SLURM_ARRAY_TASK_MIN:-?}-${SLURM_ARRAY_TASK_MAX:-?} for $n tasks"
fi
for a in "$@"; do
    case $a in
        -o|--out|--out=*|--shard|--shard=*) die "$a: the output folder and the shard are set by this script (SHARDS_DIR/shard-I, --shard I/N); leave them out of EXPLORE_ARGS" ;;
    esac
done

# as many threads as CPUs Slurm gave the task (1 unless --cpus-per-task), not as many as the
# node has: several tasks share a node. An explicit --threads in EXPLORE_ARGS still wins.
export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
mkdir -p -- "$shards"
exec "$llmdse" explore "$@" --shard "$i/$n" -o "$shards/shard-$i"
