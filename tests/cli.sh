#!/bin/sh
# tests/cli.sh — the command-line contract: exit status 0/2, a message naming what and where on
# stderr, nothing on stdout when the input is bad. Run by `make test` and `make check`.
# Prints "N passed, N failed" and exits non-zero on any failure.
LLMDSE=${LLMDSE:-./llmdse}
pass=0; fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# expect STATUS NEEDLE -- args...: exit status, a substring of stderr (or of stdout for 0)
expect() {
    want=$1; needle=$2; shift 3
    "$LLMDSE" "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL: llmdse $*: exit $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err"
        fail=$((fail+1)); return
    fi
    if [ "$want" -eq 0 ]; then where="$tmp/out"; else where="$tmp/err"; fi
    if ! grep -qF -- "$needle" "$where"; then
        echo "FAIL: llmdse $*: output lacks \"$needle\""; sed 's/^/  /' "$where"
        fail=$((fail+1)); return
    fi
    if [ "$want" -ne 0 ] && [ -s "$tmp/out" ]; then
        echo "FAIL: llmdse $*: wrote to stdout despite the error"; fail=$((fail+1)); return
    fi
    if grep -qiE '(^|[^a-z])(nan|inf)([^a-z]|$)' "$tmp/out"; then
        echo "FAIL: llmdse $*: printed NaN or inf"; fail=$((fail+1)); return
    fi
    pass=$((pass+1))
}

# working commands
expect 0 '"ttft_s"' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --format json
expect 0 'TTFT' -- eval -m llama-3.1-70b -g h100-sxm5-80gb -w chat --tp 8 --batch 64
expect 0 '"power_cap_met": true' -- eval -m mixtral-8x7b -g h100-sxm5-80gb --tp 2 --ep 4 --batch 32 --power-cap 500 --format json
expect 0 '"dtype": "fp8"' -- eval -m qwen3-32b -g h200-sxm-141gb --dtype fp8 --kv-dtype fp8 --format json
expect 0 'moe_experts' -- ops -m qwen3-30b-a3b -g h100-sxm5-80gb --phase decode --batch 64 --ctx 4096 --ep 8
expect 0 'allreduce_attn' -- ops -m llama-3.1-70b -g h100-sxm5-80gb --phase prefill --batch 1 --seq 2048 --tp 8 --format csv
expect 0 '"model_total"' -- ops -m opt-1.3b -g a100-sxm4-80gb --phase prefill --batch 2 --seq 512 --format json
expect 0 'TFLOP/s' -- kernel gemm -g h100-sxm5-80gb --m 4096 --n 4096 --k 4096
expect 0 '"busbw_gbs"' -- kernel allreduce -g h100-sxm5-80gb --ranks 8 --bytes 268435456 --format json
expect 0 'bound' -- kernel attention -g h100-sxm5-80gb --heads 32 --kv-heads 8 --seq 1 --ctx 8192 --batch 64
expect 0 'llama-3.1-8b' -- list models
# the configuration echoed
expect 0 '"tp": 8' -- eval -m llama-3.1-70b -g h100-sxm5-80gb --tp 8 --format json

# bad usage and bad input: exit 2, a message naming what and where, no stdout
expect 2 'unknown model "nope"' -- eval -m nope -g h100-sxm5-80gb
expect 2 'unknown gpu "h999"' -- eval -m llama-3.1-8b -g h999
expect 2 'unknown workload' -- eval -m llama-3.1-8b -g h100-sxm5-80gb -w nope
expect 2 '--tp' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --tp 3
expect 2 '--tp: expected an integer' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --tp x
expect 2 '--ep' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --ep 2
expect 2 '--freq' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --freq 3000
expect 2 '--sm-comm' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --sm-comm 500
expect 2 'no fp8' -- eval -m llama-3.1-8b -g a100-sxm4-80gb --dtype fp8
expect 2 '--dtype' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --dtype int4
expect 2 '--power-cap' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --power-cap 10
expect 2 'context' -- eval -m llama-2-7b -g h100-sxm5-80gb -w summarization
expect 2 'unknown option' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --bogus 1
expect 2 'needs a value' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --tp
expect 2 'given twice' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --tp 1 --tp 2
expect 2 '-m MODEL is required' -- eval -g h100-sxm5-80gb
expect 2 '--format' -- eval -m llama-3.1-8b -g h100-sxm5-80gb --format xml
expect 2 '--phase' -- ops -m llama-3.1-8b -g h100-sxm5-80gb --phase train --batch 1 --seq 1
expect 2 '--ctx' -- ops -m llama-3.1-8b -g h100-sxm5-80gb --phase decode --batch 1
expect 2 'unknown kernel' -- kernel conv -g h100-sxm5-80gb
expect 2 '--sms' -- kernel gemm -g h100-sxm5-80gb --m 1 --n 1 --k 1 --sms 500
expect 2 'unknown command' -- frobnicate

# hostile files: the message names the file and the JSON path
printf '{"name": "x", "source": "t", "d_model": 1e999}' > "$tmp/inf.json"
expect 2 '$.d_model: expected a finite number' -- eval -m "$tmp/inf.json" -g h100-sxm5-80gb
printf '{"name": "x",' > "$tmp/trunc.json"
expect 2 'malformed JSON' -- eval -m "$tmp/trunc.json" -g h100-sxm5-80gb
expect 2 'trunc.json' -- eval -m "$tmp/trunc.json" -g h100-sxm5-80gb
expect 2 'cannot read' -- eval -m "$tmp/missing.json" -g h100-sxm5-80gb
sed 's/"n_layers": 32/"n_layers": 1000000/' configs/models/llama-3.1-8b.json > "$tmp/deep.json"
expect 2 '$.n_layers: expected a value in [1, 4096]' -- eval -m "$tmp/deep.json" -g h100-sxm5-80gb
sed 's/"tdp_w": 700/"tdp_w": "700"/' configs/gpus/h100-sxm5-80gb.json > "$tmp/gpu.json"
expect 2 '$.power.tdp_w: expected a number' -- eval -m llama-3.1-8b -g "$tmp/gpu.json"
: > "$tmp/empty.json"
expect 2 'malformed JSON' -- eval -m llama-3.1-8b -g "$tmp/empty.json"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
