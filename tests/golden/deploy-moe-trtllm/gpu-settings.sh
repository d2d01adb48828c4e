#!/bin/sh
# GPU settings the plan assumed: SM clock and power limit.
# written by llmdse deploy from front row 927 of out/moe: mixtral-8x7b on h100-sxm5-80gb, engine trtllm 1.0
#
# NEEDS ROOT. CHANGES THE MACHINE: it locks the SM clock and sets the power limit of the GPUs
# below until they are reset or the machine reboots. llmdse never runs this file; read it,
# then run it yourself (sudo sh gpu-settings.sh) on each node it names.
# Undo: nvidia-smi -i IDS -rgc (unlock the clock); nvidia-smi -i IDS -pl DEFAULT (the limit nvidia-smi -q -d POWER shows as Default Power Limit).
set -eu
# node 0: SM clock locked at 1785 MHz, power limit 700 W per GPU
nvidia-smi -i '0,1,2,3' -lgc '1785,1785'
nvidia-smi -i '0,1,2,3' -pl '700'
