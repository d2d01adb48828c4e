#!/bin/sh
# Replica 0 of 1: starts the engine in the foreground.
# written by llmdse deploy from front row 927 of out/moe: mixtral-8x7b on h100-sxm5-80gb, engine trtllm 1.0
# On node 0, GPUs 0,1,2,3. Run gpu-settings.sh (as root) first: the predictions assume its SM clock
# and power limit.
set -eu
export CUDA_VISIBLE_DEVICES='0,1,2,3'
exec 'trtllm-serve' 'mistralai/Mixtral-8x7B-Instruct-v0.1' \
    '--backend' 'pytorch' \
    '--tp_size' '4' \
    '--ep_size' '2' \
    '--max_batch_size' '145' \
    '--max_num_tokens' '8192' \
    '--kv_cache_free_gpu_memory_fraction' '0.9' \
    '--max_seq_len' '5120' \
    '--host' '0.0.0.0' \
    '--port' '8000'
