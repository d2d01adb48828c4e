#!/bin/sh
# tests/golden.sh — golden-file tests: the outputs of explore, report, merge, search, recommend,
# sku-check and deploy (a front point and a fleet) on small bundled cases, compared byte for byte with tests/golden/ (run by
# `make test` and `make check`). Regenerate only on purpose, after checking the change is meant:
#   make golden          (LLMDSE=./llmdse sh tests/golden.sh --update)
#
# What may differ from run to run is masked, and nothing else (every other byte is compared):
#   summary.json   "wall_s" and "configs_per_s" (timing): value replaced by "MASKED"
#   manifest.json  "run" (run id) and "written" (date): value replaced by "MASKED"; the
#                  "bytes" and "fnv1a64" of each summary.json it lists (they hash the timing)
#                  and of each report.html (see below)
#   report.html    sku-check's pages name the temporary folder they were written in
#                  (OUT/.NAME.tmp.PID/...): the process id is replaced by "PID"
# The thread count is fixed (--threads 2, OMP_NUM_THREADS=2), so "threads" is compared; llmdse
# runs with an empty PATH, so the HTML pages never have gnuplot's plots (they would depend on
# whether gnuplot is installed), and with LLMDSE_CONFIGS unset (the bundled library). A golden file larger than
# 256 KiB is stored as NAME.sha256 (the hash of the masked file) instead of the file itself.
set -u
LLMDSE=${LLMDSE:-./llmdse}
case $LLMDSE in /*) BIN=$LLMDSE ;; *) BIN=$(pwd)/$LLMDSE ;; esac
ROOT=$(pwd)
GOLD=$ROOT/tests/golden
update=0
[ "${1:-}" = "--update" ] && update=1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
fail=0; pass=0

run() { # run NAME args...: llmdse args, stdout to out/NAME.stdout; a failing exit is a failure
    name=$1; shift
    env -u LLMDSE_CONFIGS PATH=/nonexistent OMP_NUM_THREADS=2 \
        "$BIN" "$@" >"out/$name.stdout" 2>"out/$name.stderr"; st=$?
    if [ $st -ne 0 ]; then
        echo "FAIL: golden: llmdse $*: exit status $st"; sed 's/^/  /' "out/$name.stderr"
        fail=$((fail+1))
    fi
    rm -f "out/$name.stderr"
}

mask() { # the masks above, in place, on every summary.json and manifest.json under out/
    find out -name summary.json -o -name manifest.json | while read -r f; do
        awk '
            /^  "(wall_s|configs_per_s)": / { sub(/: [^,]*/, ": \"MASKED\"") }
            /^  "(run|written)": /            { sub(/: "[^"]*"/, ": \"MASKED\"") }
            /"path": ".*(summary\.json|report\.html)"/ { s = 2; print; next }
            s > 0 && /"(bytes|fnv1a64)": /    { sub(/: [^,]*/, ": \"MASKED\""); s-- }
            { print }' "$f" >"$f.m" && mv "$f.m" "$f"
    done
    find out -name report.html | while read -r f; do
        sed -E 's/(\.[A-Za-z0-9_-]+\.tmp\.)[0-9]+/\1PID/g' "$f" >"$f.m" && mv "$f.m" "$f"
    done
}

mkdir out
E="-m llama-3.1-8b -g h100-sxm5-80gb -w chat -s small --threads 2"
# explore on the small space; its Markdown report; the same run in two shards, merged
run explore explore $E -o out/explore
run report report -i out/explore -o out/report.md
run shard0 explore $E --shard 0/2 -o out/shard0 -q
run shard1 explore $E --shard 1/2 -o out/shard1 -q
run merge merge -q -o out/merge out/shard0 out/shard1
rm -rf out/shard0 out/shard1 out/shard0.stdout out/shard1.stdout
# an MoE model on the 8-GPU MoE space (TP x EP), and its report
run moe explore -m mixtral-8x7b -g h100-sxm5-80gb -w chat -s moe-8gpu --threads 2 -o out/moe -q
run moe-report report -i out/moe -o out/moe-report.md
# deploy: a dense front point (vLLM, the run's serving profile) and an MoE one (tp 2 x ep 2 with
# a 16-SM communication split) for vLLM and for TensorRT-LLM
run deploy deploy -i out/explore --index 0 --weights meta-llama/Llama-3.1-8B-Instruct -o out/deploy
# the first MoE front row of tp 2 x ep 2 on 16 communication SMs, found by its knobs (its row
# number follows the front)
moerow=$(awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) h[$i] = i; next}
                  $h["tp"] == 2 && $h["ep"] == 2 && $h["sm_comm"] == 16 {print NR - 2; exit}' out/moe/front.csv)
run deploy-moe deploy -i out/moe --index "$moerow" --weights mistralai/Mixtral-8x7B-Instruct-v0.1 \
    -o out/deploy-moe
run deploy-moe-trtllm deploy -i out/moe --index "$moerow" --weights mistralai/Mixtral-8x7B-Instruct-v0.1 \
    --engine trtllm -o out/deploy-moe-trtllm
# the NLopt search on the small space
run search search -m llama-3.1-8b -g h100-sxm5-80gb -w chat -s small -o out/search -q
# recommend: one model, one SKU; and two models on two SKUs
run recommend recommend -m llama-3.1-8b -w chat --rate 20 --gpus h100-sxm5-80gb:8 -s small \
    -o out/recommend --format json
run recommend2 recommend -m llama-3.1-8b,mixtral-8x7b -w chat --rate 20,5 \
    --gpus h100-sxm5-80gb:8,h200-sxm-141gb:8:4.5 -s small -o out/recommend2
# deploy of that whole fleet: a dense and an MoE pool on one GPU type (disjoint GPUs and ports)
run deploy-fleet deploy -i out/recommend2 -o out/deploy-fleet \
    --weights llama-3.1-8b=meta-llama/Llama-3.1-8B-Instruct,mixtral-8x7b=mistralai/Mixtral-8x7B-Instruct-v0.1
# sku-check of a bundled GPU on two models and one workload
cp "$ROOT/configs/gpus/h200-sxm-141gb.json" gpu.json
run sku-check sku-check gpu.json -o out/sku \
    --models llama-3.1-8b,mixtral-8x7b --workloads chat -s small
# explore's stdout line prints its timing: not compared
rm -f out/explore.stdout out/moe.stdout
mask

if [ $update -eq 1 ] && [ "$fail" -ne 0 ]; then
    echo "golden: tests/golden/ NOT updated: $fail run(s) failed (above)"
    exit 1
fi
if [ $update -eq 1 ]; then
    rm -rf "$GOLD"; mkdir -p "$GOLD"
    (cd out && find . -type f | sort) | while read -r f; do
        mkdir -p "$GOLD/$(dirname "$f")"
        if [ "$(wc -c <"out/$f")" -gt 262144 ]; then
            (cd out && sha256sum "$f") >"$GOLD/$f.sha256"
        else
            cp "out/$f" "$GOLD/$f"
        fi
    done
    echo "golden: tests/golden/ written ($(find "$GOLD" -type f | wc -l) files)"
    exit $fail
fi

# every file produced has its golden, and every golden its file
(cd out && find . -type f | sort) >list.out
(cd "$GOLD" && find . -type f | sed 's/\.sha256$//' | sort) >list.gold
if ! cmp -s list.out list.gold; then
    echo "FAIL: golden: the set of output files differs from tests/golden/:"
    diff list.gold list.out | sed 's/^/  /'
    fail=$((fail+1))
fi
while read -r f; do
    if [ -f "$GOLD/$f.sha256" ]; then
        if (cd out && sha256sum -c --status "$GOLD/$f.sha256"); then pass=$((pass+1)); else
            echo "FAIL: golden: $f differs from its hash in tests/golden/$f.sha256"
            fail=$((fail+1))
        fi
    elif [ -f "$GOLD/$f" ]; then
        if cmp -s "out/$f" "$GOLD/$f"; then pass=$((pass+1)); else
            echo "FAIL: golden: $f differs from tests/golden/$f:"
            diff "$GOLD/$f" "out/$f" | head -20 | sed 's/^/  /'
            fail=$((fail+1))
        fi
    fi
done <list.out
echo "golden: $pass files identical, $fail failed"
[ $fail -eq 0 ]
