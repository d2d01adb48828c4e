#!/bin/sh
# GPU settings the plan assumed: SM clock and power limit.
# written by llmdse deploy from pool 0 of the fleet in out/recommend2: llama-3.1-8b on h200-sxm-141gb, engine vllm 0.11
#
# NEEDS ROOT. CHANGES THE MACHINE: it locks the SM clock and sets the power limit of the GPUs
# below until they are reset or the machine reboots. llmdse never runs this file; read it,
# then run it yourself (sudo sh gpu-settings.sh) on each node it names.
# Undo: nvidia-smi -i IDS -rgc (unlock the clock); nvidia-smi -i IDS -pl DEFAULT (the limit nvidia-smi -q -d POWER shows as Default Power Limit).
set -eu
# node 0: SM clock locked at 1395 MHz, power limit 700 W per GPU
nvidia-smi -i '0,1' -lgc '1395,1395'
nvidia-smi -i '0,1' -pl '700'
