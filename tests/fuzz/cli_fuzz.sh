#!/bin/sh
# tests/fuzz/cli_fuzz.sh — the command line, fuzzed: argument vectors drawn (reproducibly, from
# a seed) from llmdse's own commands, options and hostile values. Every run must end with exit
# status 0, 1 or 2 — never a signal (a crash, or a sanitizer's abort under make check) — and
# never print NaN, never hang (a 20 s timeout counts as a failure). Bounded: N runs (default
# 300). sku-check is left out: a whole run is minutes under the sanitizers.
LLMDSE=${LLMDSE:-./llmdse}
N=${CLI_FUZZ_RUNS:-300}
SEED=${CLI_FUZZ_SEED:-1}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0
awk -v n="$N" -v seed="$SEED" 'BEGIN {
    srand(seed);
    split("eval ops kernel explore search recommend validate calibrate report list merge help version bogus", cmd, " ");
    split("-m -g -w -s -o --tp --ep --batch --freq --sm-comm --replicas --prompt --output --dtype --kv-dtype --power-cap --format --phase --seq --ctx --m --n --k --sms --ranks --bytes --heads --kv-heads --objectives --threads --shard --rate --gpus --objective --measured --levels --all --slo --disaggregated --prefill-batch", opt, " ");
    split("llama-3.2-1b mixtral-8x7b opt-1.3b h100-sxm5-80gb a100-sxm4-80gb l4 chat reasoning small 0 1 -1 2 3 8 64 4096 1e309 nan inf -0 1e-300 99999999999999999999 bf16 fp8 int4 json csv text prefill decode gemm allreduce alltoall plan compare models gpus 0/2 1/2 2/2 energy_per_token,tpot ttft,gpus 1,4 4,2 1,,2 h100-sxm5-80gb:8 h100-sxm5-80gb:8:2.5 x , \"\" /nonexistent.json TMPDIR/out", val, " ");
    nc = length(cmd); no = length(opt); nv = length(val);
    for (i = 0; i < n; i++) {
        line = cmd[int(rand() * nc) + 1];
        if (line == "kernel" || line == "validate" || line == "list")
            line = line " " val[int(rand() * nv) + 1];
        k = int(rand() * 8);
        for (j = 0; j < k; j++) {
            line = line " " opt[int(rand() * no) + 1];
            if (rand() < 0.85) line = line " " val[int(rand() * nv) + 1];
        }
        print line;
    }
}' > "$tmp/cases"
while IFS= read -r args; do
    args=$(printf '%s' "$args" | sed "s#TMPDIR#$tmp#g")
    # shellcheck disable=SC2086
    timeout 20 $LLMDSE $args >"$tmp/out" 2>"$tmp/err" </dev/null; st=$?
    if [ "$st" -gt 2 ]; then
        echo "FAIL: llmdse $args: exit status $st"; sed 's/^/  /' "$tmp/err" | head -5
        fail=$((fail+1))
    elif grep -qiE '(^|[^a-z])nan([^a-z]|$)' "$tmp/out"; then
        echo "FAIL: llmdse $args: printed NaN"; fail=$((fail+1))
    else
        pass=$((pass+1))
    fi
done < "$tmp/cases"
echo "cli fuzz (seed $SEED): $pass passed, $fail failed"
[ "$fail" -eq 0 ]
