#!/usr/bin/env bash
# tools/slurm/submit.sh — an explore run on a Slurm cluster: a job array of N shards
# (explore-array.sh, one `llmdse explore ... --shard I/N` per task) and a merge job
# (merge.sh) that starts only once every task has succeeded (--dependency=afterok).
#
#   tools/slurm/submit.sh -n N -o OUT [--shards DIR] [--llmdse PATH] [-c CPUS] [--max-running K]
#                         [--min-gain F] [--sbatch OPT]... [--parsable] -- EXPLORE_ARGS...
#
# EXPLORE_ARGS are passed to every `llmdse explore` unchanged (model, GPU, workload, space,
# objectives, serving options...), without -o and --shard, which this sets. Writes
# DIR/shard-I (default DIR: OUT.shards), the jobs' logs in DIR/logs/, and the merged front in
# OUT. Prints the two job ids. Bad input: a message on stderr, exit 2, nothing submitted or
# written. docs/scale-out.md.
set -euo pipefail

usage="usage: submit.sh -n N -o OUT [--shards DIR] [--llmdse PATH] [-c CPUS] [--max-running K] [--min-gain F] [--sbatch OPT]... [--parsable] -- EXPLORE_ARGS..."
die() { echo "submit.sh: $*" >&2; exit 2; }
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

n=''; out=''; shards=''; llmdse=''; cpus=1; throttle=''; parsable=0
merge_opts=(); sbatch_opts=()
while [ $# -gt 0 ]; do
    case $1 in
        --) shift; break ;;
        --parsable) parsable=1; shift; continue ;;
        -h|--help) echo "$usage"; echo "docs/scale-out.md says more."; exit 0 ;;
        -n|-o|--out|--shards|--llmdse|-c|--cpus-per-task|--max-running|--min-gain|--sbatch)
            [ $# -ge 2 ] || die "$1: expected a value after it; $usage" ;;
        *) die "$1: unknown option (EXPLORE_ARGS go after --); $usage" ;;
    esac
    case $1 in
        -n) n=$2 ;;
        -o|--out) out=$2 ;;
        --shards) shards=$2 ;;
        --llmdse) llmdse=$2 ;;
        -c|--cpus-per-task) cpus=$2 ;;
        --max-running) throttle=$2 ;;
        --min-gain)
            # merge's range, checked here rather than by the merge job after the array ran
            awk -v f="$2" 'BEGIN { exit !(f + 0 == f && f > 0 && f <= 10) }' ||
                die "--min-gain: expected a number in (0, 10], found \"$2\""
            merge_opts+=(--min-gain "$2") ;;
        --sbatch)
            case $2 in
                --array*|--dependency*|--output*|--chdir*|--cpus-per-task*|--parsable)
                    die "--sbatch $2: set by this script (-n, --max-running, -c; the logs go to DIR/logs/)" ;;
            esac
            sbatch_opts+=("$2") ;;
    esac
    shift 2
done

[ -n "$n" ] || die "-n N is required (the number of shards, an integer >= 1); $usage"
case $n in *[!0-9]*) die "-n: expected the number of shards, an integer >= 1, found \"$n\"" ;; esac
# explore accepts at most 2^30 shards; also keeps the arithmetic below far from overflow
if [ "${#n}" -gt 10 ] || [ "$n" -lt 1 ] || [ "$n" -gt 1073741824 ]; then
    die "-n: expected the number of shards, an integer in [1, 2^30], found \"$n\""
fi
n=$((10#$n))   # 08 is 8, not a bad octal number, in the arithmetic below
case $cpus in ''|*[!0-9]*) die "-c: expected CPUs per shard, an integer >= 1, found \"$cpus\"" ;; esac
if [ "${#cpus}" -gt 6 ] || [ "$((10#$cpus))" -lt 1 ]; then
    die "-c: expected CPUs per shard, an integer in [1, 999999], found \"$cpus\""
fi
cpus=$((10#$cpus))
case $throttle in *[!0-9]*) die "--max-running: expected the most tasks at once, an integer >= 1, found \"$throttle\"" ;; esac
if [ -n "$throttle" ]; then
    if [ "${#throttle}" -gt 10 ] || [ "$((10#$throttle))" -lt 1 ]; then
        die "--max-running: expected the most tasks at once, an integer >= 1, found \"$throttle\""
    fi
    throttle=$((10#$throttle))
fi
[ -n "$out" ] || die "-o OUT is required (the folder for the merged front); $usage"
[ $# -ge 1 ] || die "expected the explore arguments after -- (at least -m MODEL -g GPU); $usage"
for a in "$@"; do
    case $a in
        -o|--out|--out=*|--shard|--shard=*)
            die "$a in EXPLORE_ARGS: the shards' folders and --shard I/N are set by this script; give the merged folder as -o before --" ;;
        --min-gain|--min-gain=*)
            die "$a in EXPLORE_ARGS: a thinned shard cannot be merged exactly; give --min-gain F before -- (the merge thins)" ;;
        --disaggregated)
            die "$a in EXPLORE_ARGS: explore --disaggregated is not sharded (its front is found without enumerating the product space, in seconds: run it on one machine)" ;;
    esac
done
[ -n "$shards" ] || shards=$out.shards
# the tasks run elsewhere, maybe in another folder: every path they get is absolute
if [ -z "$llmdse" ]; then
    if command -v llmdse >/dev/null 2>&1; then llmdse=$(command -v llmdse)
    else llmdse=$here/../../llmdse; fi
fi
if ! [ -x "$llmdse" ] || ! [ -f "$llmdse" ]; then
    die "--llmdse: expected the llmdse executable, found \"$llmdse\" (build it with make, or pass --llmdse PATH)"
fi
llmdse=$(cd -- "$(dirname -- "$llmdse")" && pwd)/$(basename -- "$llmdse")
# -m: canonical (./, .., //) whether or not the folders exist yet
out=$(realpath -m -- "$out"); shards=$(realpath -m -- "$shards")
# merge refuses an output folder that holds its inputs: refuse it now, not after the array ran
case $shards/ in "$out"/*)
    die "--shards $shards: inside -o $out; expected a shards folder outside the merged output" ;;
esac
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: run this on a Slurm submit host (slurm-client)"

# the log folder must exist before a task starts; the folders made for it are removed again
# (if still empty) when sbatch refuses the array, so that a refused submission leaves nothing
top=$shards/logs
while [ ! -e "$(dirname -- "$top")" ]; do top=$(dirname -- "$top"); done
new=1; [ ! -e "$shards/logs" ] || new=0
mkdir -p -- "$shards/logs"
# --chdir: relative paths in EXPLORE_ARGS (a model file, a space file) resolve as they do here
if ! array=$(sbatch --parsable --chdir="$PWD" --array="0-$((n - 1))${throttle:+%$throttle}" --cpus-per-task="$cpus" \
    --output="$shards/logs/explore-%A_%a.out" "${sbatch_opts[@]}" \
    "$here/explore-array.sh" "$llmdse" "$shards" "$@"); then
    [ "$new" = 0 ] || find "$top" -depth -type d -empty -delete
    echo "submit.sh: sbatch refused the job array; nothing submitted" >&2
    exit 1
fi
array=${array%%;*}   # --parsable prints "id;cluster" on a multi-cluster setup
# without its merge job the array would run for nothing: cancel it if the merge is refused
if ! merge=$(sbatch --parsable --chdir="$PWD" --dependency="afterok:$array" \
    --output="$shards/logs/merge-%j.out" "${sbatch_opts[@]}" \
    "$here/merge.sh" "$llmdse" "$n" "$shards" "$out" "${merge_opts[@]}"); then
    scancel "$array" || true
    echo "submit.sh: sbatch refused the merge job; job array $array cancelled" >&2
    exit 1
fi
merge=${merge%%;*}
if [ "$parsable" = 1 ]; then
    echo "$array $merge"
else
    echo "submitted job array $array ($n shards -> $shards/shard-I) and merge job $merge (after all succeed -> $out/front.csv); logs in $shards/logs/"
fi
