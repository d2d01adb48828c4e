#!/usr/bin/env bash
# tools/slurm/merge.sh — the job that merges the N shard folders of an explore job array
# (SHARDS_DIR/shard-0 .. shard-(N-1)) into OUT with llmdse merge, byte-identical to one explore
# run. Submitted by tools/slurm/submit.sh with --dependency=afterok:<array job>; by hand:
#   sbatch --dependency=afterok:JOB tools/slurm/merge.sh LLMDSE N SHARDS_DIR OUT [MERGE_OPTION...]
# (MERGE_OPTION: e.g. --min-gain F). docs/scale-out.md.
#SBATCH --job-name=llmdse-merge
set -euo pipefail

die() { echo "merge.sh: $*" >&2; exit 2; }

[ $# -ge 4 ] || die "usage: merge.sh LLMDSE N SHARDS_DIR OUT [MERGE_OPTION...] (expected at least 4 arguments, found $#)"
llmdse=$1; n=$2; shards=$3; out=$4; shift 4
[ -x "$llmdse" ] || die "LLMDSE: expected an executable llmdse, found \"$llmdse\""
case $n in ''|*[!0-9]*) die "N: expected the number of shards (an integer >= 1), found \"$n\"" ;; esac
[ "$n" -ge 1 ] || die "N: expected the number of shards (an integer >= 1), found \"$n\""
[ -n "$shards" ] || die "SHARDS_DIR: expected a folder name, found an empty string"
[ -n "$out" ] || die "OUT: expected a folder name, found an empty string"

dirs=()
for ((i = 0; i < n; i++)); do dirs+=("$shards/shard-$i"); done
# merge itself checks that every shard is there once, complete and from the same inputs
exec "$llmdse" merge -o "$out" "$@" "${dirs[@]}"
