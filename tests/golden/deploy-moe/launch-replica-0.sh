#!/bin/sh
# Replica 0 of 1: starts the engine in the foreground.
# written by llmdse deploy from front row 927 of out/moe: mixtral-8x7b on h100-sxm5-80gb, engine vllm 0.11
# On node 0, GPUs 0,1,2,3. Run gpu-settings.sh (as root) first: the predictions assume its SM clock
# and power limit.
set -eu
export CUDA_VISIBLE_DEVICES='0,1,2,3'
exec 'vllm' 'serve' 'mistralai/Mixtral-8x7B-Instruct-v0.1' \
    '--tensor-parallel-size' '2' \
    '--enable-expert-parallel' \
    '--data-parallel-size' '2' \
    '--max-num-seqs' '73' \
    '--max-num-batched-tokens' '8192' \
    '--enable-chunked-prefill' \
    '--dtype' 'bfloat16' \
    '--kv-cache-dtype' 'fp8' \
    '--gpu-memory-utilization' '0.9' \
    '--max-model-len' '5120' \
    '--host' '0.0.0.0' \
    '--port' '8000'
