#!/bin/sh
# Benchmark recipe: replica 0 under the plan's load, to hold against predicted.json.
# written by llmdse deploy from front row 927 of out/moe: mixtral-8x7b on h100-sxm5-80gb, engine trtllm 1.0
# The workload's mean prompt and output lengths (1024 and 256 tokens), exactly (--ignore-eos); the plan's
# batch of 145 sequences kept running (--max-concurrency, requests sent as fast as they finish):
# the saturated state the predictions describe. vLLM's client serves all three engines (they
# all serve the OpenAI API) and writes the result compare-serving reads:
#   llmdse validate compare-serving --measured bench-replica-0.json -i out/deploy-moe-trtllm
# GPU power is sampled beside it with nvidia-smi (no root needed) into power-replica-0.csv.
set -eu
nvidia-smi -i '0,1,2,3' --query-gpu=index,power.draw,clocks.sm --format=csv,noheader,nounits -lms 500 >power-replica-0.csv &
smi=$!
trap 'kill "$smi" 2>/dev/null || true' EXIT
'vllm' 'bench' 'serve' \
    '--backend' 'openai' \
    '--base-url' 'http://127.0.0.1:8000' \
    '--model' 'mistralai/Mixtral-8x7B-Instruct-v0.1' \
    '--dataset-name' 'random' \
    '--random-input-len' '1024' \
    '--random-output-len' '256' \
    '--ignore-eos' \
    '--num-prompts' '580' \
    '--request-rate' 'inf' \
    '--max-concurrency' '145' \
    '--percentile-metrics' 'ttft,tpot,itl' \
    '--metric-percentiles' '50,90,99' \
    '--save-result' \
    '--result-filename' 'bench-replica-0.json'
