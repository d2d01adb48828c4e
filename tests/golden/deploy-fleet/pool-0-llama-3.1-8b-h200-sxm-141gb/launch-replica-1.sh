#!/bin/sh
# Replica 1 of 2: starts the engine in the foreground.
# written by llmdse deploy from pool 0 of the fleet in out/recommend2: llama-3.1-8b on h200-sxm-141gb, engine vllm 0.11
# On node 0, GPUs 1. Run gpu-settings.sh (as root) first: the predictions assume its SM clock
# and power limit.
set -eu
export CUDA_VISIBLE_DEVICES='1'
exec 'vllm' 'serve' 'meta-llama/Llama-3.1-8B-Instruct' \
    '--tensor-parallel-size' '1' \
    '--max-num-seqs' '128' \
    '--max-num-batched-tokens' '8192' \
    '--enable-chunked-prefill' \
    '--dtype' 'bfloat16' \
    '--kv-cache-dtype' 'auto' \
    '--gpu-memory-utilization' '0.9' \
    '--max-model-len' '5120' \
    '--host' '0.0.0.0' \
    '--port' '8001'
