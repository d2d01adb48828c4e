#!/usr/bin/env bash
# tests/bench_shards.sh — `make bench`: the scale-out unit measured. The bundled 70B space
# explored as one process on one thread; then as N shards (N = the machine's cores, 2 to 8),
# each one process on one thread, first one after another (what each shard costs alone: the
# slowest bounds the speedup, a static split being only as fast as its slowest part), then all
# at once (a job array's tasks on separate cores: wall time to the last exit); then the merge;
# then 8N shards through N workers (an array with more tasks than cores: a task starts as a
# core frees, which evens out a split whose parts cost unequally); last, the same space with an
# 8x finer batch grid (93.6 M configs), where evaluation outweighs writing each shard's front.
# Best of 5 of each by wall time, the machine being shared; CPU time (user + sys) beside it,
# which other users' load disturbs less. Prints figures; asserts nothing (speed is not a test).
# docs/scale-out.md.
set -euo pipefail
LLMDSE=${LLMDSE:-./llmdse}
n=${BENCH_SHARDS:-$(nproc)}
[ "$n" -le 8 ] || n=8
[ "$n" -ge 2 ] || n=2
args=(-m llama-3.1-70b -g h100-sxm5-80gb -w chat -s llama-3.1-70b-8xh100 -q)
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir "$t/times"
TIMEFORMAT='%3R %3U %3S'

# measure NAME CMD...: runs CMD, keeps NAME's best wall time (and that run's CPU time) in
# $t/times/NAME as "wall cpu"
measure() {
    local name=$1 r u s; shift
    { time "$@" >/dev/null; } 2>"$t/time"
    read -r r u s <"$t/time"
    if [ ! -s "$t/times/$name" ] || awk -v r="$r" '{ exit !(r < $1) }' "$t/times/$name"; then
        awk -v r="$r" -v u="$u" -v s="$s" 'BEGIN { print r, u + s }' >"$t/times/$name"
    fi
}
shard() { "$LLMDSE" explore "${args[@]}" --threads 1 --shard "$1/$n" -o "$t/shard-$1"; }
at_once() {
    local i pids=()
    for ((i = 0; i < n; i++)); do shard "$i" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
}
many() {
    seq 0 $((8 * n - 1)) | xargs -P "$n" -I{} "$LLMDSE" explore "${args[@]}" --threads 1 --shard "{}/$((8 * n))" -o "$t/many-{}"
}
dirs=(); for ((i = 0; i < n; i++)); do dirs+=("$t/shard-$i"); done
mdirs=(); for ((i = 0; i < 8 * n; i++)); do mdirs+=("$t/many-$i"); done

for _ in 1 2 3 4 5; do
    measure one "$LLMDSE" explore "${args[@]}" --threads 1 -o "$t/one"
    # the control: one process on N threads, which share the work dynamically; what it falls
    # short of N-fold, the machine (other load, shared caches, clocks) does, not the split
    measure threads "$LLMDSE" explore "${args[@]}" --threads "$n" -o "$t/threads"
    for ((i = 0; i < n; i++)); do measure "alone-$i" shard "$i"; done
    measure at-once at_once
    measure merge "$LLMDSE" merge -q -o "$t/merged" "${dirs[@]}"
    measure many many
done
"$LLMDSE" merge -q -o "$t/merged-many" "${mdirs[@]}"
for m in merged merged-many; do
    cmp -s "$t/one/front.csv" "$t/$m/front.csv" || { echo "bench: the $m front differs from one run" >&2; exit 1; }
done
size=$(sed -n 's/.*"space_size": \([0-9]*\).*/\1/p' "$t/one/summary.json")
cat "$t"/times/alone-* | awk '$1 > w { w = $1 } { c += $2 } END { print w, c }' >"$t/times/alone"
read -r one one_cpu <"$t/times/one"; read -r slow alone_cpu <"$t/times/alone"
read -r many many_cpu <"$t/times/at-once"; read -r merge _ <"$t/times/merge"
read -r more more_cpu <"$t/times/many"; read -r thr _ <"$t/times/threads"
awk -v z="$size" -v one="$one" -v oc="$one_cpu" -v slow="$slow" -v ac="$alone_cpu" \
    -v many="$many" -v mc="$many_cpu" -v merge="$merge" -v n="$n" \
    -v more="$more" -v morec="$more_cpu" -v thr="$thr" 'BEGIN {
    printf "bench shards llama-3.1-70b-8xh100 (%.0f configs), 1 process x 1 thread: %.3f s = %6.2f M configs/s (cpu %.3f s)\n", z, one, z / one / 1e6, oc
    printf "bench shards %d shards one after another: slowest %.3f s (at best %.2fx), cpu of all %.3f s (%.2fx the single run)\n", n, slow, one / slow, ac, ac / oc
    printf "bench shards %d shards at once, 1 thread each: %.3f s = %6.2f M configs/s, %.2fx (cpu %.3f s); merge %.3f s\n", n, many, z / many / 1e6, one / many, mc, merge
    printf "bench shards %d shards, %d at a time, 1 thread each: %.3f s = %6.2f M configs/s, %.2fx (cpu %.3f s)\n", 8 * n, n, more, z / more / 1e6, one / more, morec
    printf "bench shards control: 1 process x %d threads: %.3f s = %6.2f M configs/s, %.2fx\n", n, thr, z / thr / 1e6, one / thr
}'

# the 8x space: batch step 1 instead of 8; best of 2
sed 's/"step": 8/"step": 1/' configs/spaces/llama-3.1-70b-8xh100.json >"$t/big.json"
args=(-m llama-3.1-70b -g h100-sxm5-80gb -w chat -s "$t/big.json" -q)
for _ in 1 2; do
    measure big-one "$LLMDSE" explore "${args[@]}" --threads 1 -o "$t/one"
    measure big-at-once at_once
done
"$LLMDSE" merge -q -o "$t/merged" "${dirs[@]}"
cmp -s "$t/one/front.csv" "$t/merged/front.csv" || { echo "bench: the merged 8x front differs from one run" >&2; exit 1; }
size=$(sed -n 's/.*"space_size": \([0-9]*\).*/\1/p' "$t/one/summary.json")
read -r one _ <"$t/times/big-one"; read -r many _ <"$t/times/big-at-once"
awk -v z="$size" -v one="$one" -v many="$many" -v n="$n" 'BEGIN {
    printf "bench shards the same x8 batches (%.0f configs), 1 process x 1 thread: %.3f s = %6.2f M configs/s\n", z, one, z / one / 1e6
    printf "bench shards the same x8 batches, %d shards at once, 1 thread each: %.3f s = %6.2f M configs/s, %.2fx\n", n, many, z / many / 1e6, one / many
}'
