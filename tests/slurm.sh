#!/usr/bin/env bash
# tests/slurm.sh — the scale-out path (tools/slurm/, docs/scale-out.md) under a real Slurm: a
# single-node cluster (munged, slurmctld, slurmd from Debian's slurm-wlm and munge) started here
# on localhost with its own key, ports, state and logs in a temporary folder, a job array of
# shards and its dependent merge job submitted by tools/slurm/submit.sh, the merged front
# compared byte for byte with one explore run. Every daemon it started is stopped on exit.
# Missing Slurm or munge is a failure, not a skip (README's install command installs them).
# Run by `make test`; 13-19 s here.
set -euo pipefail
LLMDSE=${LLMDSE:-./llmdse}
submit=tools/slurm/submit.sh
pass=0

fail() { echo "FAIL: slurm: $*"; exit 1; }
ok() { pass=$((pass + 1)); }

for c in munged slurmctld slurmd sbatch squeue sinfo scontrol scancel python3 hostname; do
    command -v "$c" >/dev/null 2>&1 ||
        fail "$c not found: the Slurm test needs slurm-wlm, munge and python3 (README's install command)"
done
LLMDSE=$(cd -- "$(dirname -- "$LLMDSE")" && pwd)/$(basename -- "$LLMDSE")
[ -x "$LLMDSE" ] || fail "$LLMDSE is not an executable llmdse (run make first)"

t=$(mktemp -d)
pids=()
# stops the daemons this test started (by their pids, newest first), then removes the folder
cleanup() {
    local i p
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        p=${pids[i]}
        kill "$p" 2>/dev/null || continue
        for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
logs() { for f in "$t"/log/* "$t"/jobs/*.shards/logs/*; do [ -f "$f" ] && { echo "== $f"; tail -n 20 "$f"; }; done; }

# --- bad input: exit 2, a message naming what was expected, nothing written, nothing submitted
mkdir "$t/bad"
refuse() { # refuse NEEDLE ARGS...
    local needle=$1 st=0; shift
    (cd "$t/bad" && "$OLDPWD/$submit" --llmdse "$LLMDSE" "$@") >"$t/out" 2>"$t/err" || st=$?
    [ "$st" -eq 2 ] || fail "submit.sh $*: exit $st, expected 2 ($(cat "$t/err"))"
    grep -qF -- "$needle" "$t/err" || fail "submit.sh $*: stderr lacks \"$needle\": $(cat "$t/err")"
    [ ! -s "$t/out" ] || fail "submit.sh $*: wrote to stdout despite the error"
    [ -z "$(ls -A "$t/bad")" ] || fail "submit.sh $*: wrote $(ls -A "$t/bad") despite the error"
    ok
}
ex=(-m llama-3.2-1b -g h100-sxm5-80gb -w chat -s small)
refuse '-n N is required' -o out -- "${ex[@]}"
refuse 'found "0"' -n 0 -o out -- "${ex[@]}"
refuse 'found "-1"' -n -1 -o out -- "${ex[@]}"
refuse 'found "2x"' -n 2x -o out -- "${ex[@]}"
refuse 'found "99999999999"' -n 99999999999 -o out -- "${ex[@]}"
refuse '-o OUT is required' -n 2 -- "${ex[@]}"
refuse 'expected the explore arguments' -n 2 -o out --
refuse 'expected the explore arguments' -n 2 -o out
refuse '-n: expected a value' -o out -n
refuse 'unknown option' -n 2 -o out -m llama-3.2-1b
refuse '--shard in EXPLORE_ARGS' -n 2 -o out -- "${ex[@]}" --shard 0/2
refuse '-o in EXPLORE_ARGS' -n 2 -o out -- "${ex[@]}" -o elsewhere
refuse 'give --min-gain F before --' -n 2 -o out -- "${ex[@]}" --min-gain 0.1
refuse 'explore --disaggregated is not sharded' -n 2 -o out -- "${ex[@]}" --disaggregated
refuse 'inside -o' -n 2 -o out --shards out/s -- "${ex[@]}"
refuse 'inside -o' -n 2 -o out --shards out -- "${ex[@]}"
refuse 'inside -o' -n 2 -o out/ --shards ./out/../out/s -- "${ex[@]}"
refuse '--max-running: expected the most tasks at once' -n 2 --max-running 0 -o out -- "${ex[@]}"
refuse 'found "abc"' -n 2 --min-gain abc -o out -- "${ex[@]}"
refuse 'found "20"' -n 2 --min-gain 20 -o out -- "${ex[@]}"
refuse '--sbatch --array=0-9: set by this script' -n 2 --sbatch --array=0-9 -o out -- "${ex[@]}"
refuse '--sbatch --dependency=afterany:1: set by this script' -n 2 --sbatch --dependency=afterany:1 -o out -- "${ex[@]}"
refuse 'found "00"' -n 2 -c 00 -o out -- "${ex[@]}"
refuse '-c: expected CPUs per shard' -n 2 -c 0 -o out -- "${ex[@]}"
refuse '--llmdse: expected the llmdse executable' -n 2 -o out --llmdse "$t/no such llmdse" -- "${ex[@]}"
# the job scripts refuse to run outside an array task, or with an array that is not 0..N-1
st=0; tools/slurm/explore-array.sh "$LLMDSE" "$t/bad/s" "${ex[@]}" 2>"$t/err" || st=$?
{ [ "$st" -eq 2 ] && grep -qF 'expected to run as a Slurm array task' "$t/err"; } || fail "explore-array.sh outside an array: exit $st: $(cat "$t/err")"
st=0; SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=2 \
    tools/slurm/explore-array.sh "$LLMDSE" "$t/bad/s" "${ex[@]}" 2>"$t/err" || st=$?
{ [ "$st" -eq 2 ] && grep -qF 'expected --array=0-1' "$t/err"; } || fail "explore-array.sh --array=1-2: exit $st: $(cat "$t/err")"
st=0; tools/slurm/merge.sh "$LLMDSE" 0 "$t/bad/s" "$t/bad/o" 2>"$t/err" || st=$?
{ [ "$st" -eq 2 ] && grep -qF 'N: expected the number of shards' "$t/err"; } || fail "merge.sh N=0: exit $st: $(cat "$t/err")"
[ -z "$(ls -A "$t/bad")" ] || fail "the job scripts wrote $(ls -A "$t/bad") despite the error"
ok; ok; ok

# --- a single-node cluster on localhost
chmod 0755 "$t"   # munged wants its socket's folders searchable by all
mkdir -p "$t/key" "$t/run" "$t/state" "$t/spool" "$t/log" "$t/jobs"
chmod 0700 "$t/key"
# munged refuses a key readable by others or owned by another user
head -c 1024 /dev/urandom >"$t/key/munge.key"; chmod 0400 "$t/key/munge.key"
munged -F --key-file="$t/key/munge.key" --socket="$t/run/munge.socket" \
    --pid-file="$t/run/munged.pid" --seed-file="$t/run/munged.seed" \
    --log-file="$t/log/munged.log" >>"$t/log/munged.out" 2>&1 &
pids+=($!)
# two free ports, so that the test runs beside another Slurm (or another run of itself)
read -r pctl pd < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
node=$(hostname -s); user=$(id -un)
# no cgroups (proctrack/linuxproc, task/none: containers and CI machines lack a delegated
# cgroup tree), no accounting; kill_invalid_depend cancels the merge job when a shard fails
# instead of leaving it pending forever
cat >"$t/slurm.conf" <<CONF
ClusterName=llmdsetest
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$pctl
SlurmdPort=$pd
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
AuthInfo=socket=$t/run/munge.socket
CredType=cred/munge
StateSaveLocation=$t/state
SlurmdSpoolDir=$t/spool
SlurmctldPidFile=$t/run/slurmctld.pid
SlurmdPidFile=$t/run/slurmd.pid
SlurmctldLogFile=$t/log/slurmctld.log
SlurmdLogFile=$t/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
DependencyParameters=kill_invalid_depend
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$t/slurm.conf
for _ in $(seq 1 50); do [ -S "$t/run/munge.socket" ] && break; sleep 0.1; done
[ -S "$t/run/munge.socket" ] || { logs; fail "munged did not start"; }
slurmctld -D -i >>"$t/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" >>"$t/log/slurmd.out" 2>&1 &
pids+=($!)
state=''
for _ in $(seq 1 100); do
    state=$(sinfo -h -n "$node" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
[ "$state" = idle ] || { logs; fail "the node is \"$state\", not idle, 20 s after starting slurmctld and slurmd"; }
ok

# waits for jobs to leave the queue (at most 120 s), then prints the last one's state
wait_jobs() {
    local q
    for _ in $(seq 1 600); do
        q=$(squeue -h -j "$1" -o %i 2>/dev/null || true)
        [ -z "$q" ] && { scontrol show job "${1##*,}" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; return; }
        sleep 0.2
    done
    logs; fail "jobs $1 still queued after 120 s: $(squeue 2>&1)"
}

# --- the array: paths with spaces and quotes (every value must reach explore intact),
# serving options passed through, 3 shards on the node's CPUs (some tasks wait for a CPU)
in="$t/in put's"; mkdir "$in"
cp configs/models/llama-3.1-70b.json "$in/llama 70b.json"
args=(-m "$in/llama 70b.json" -g h100-sxm5-80gb -w chat -s llama-3.1-70b-8xh100
      --serving vllm-0.5 --kv reserve --chunk-tokens 512)
out="$t/jobs/merged front"
# -n 03 is 3 (not octal); -c: the tasks' CPUs become their threads (2 where the node has them); --sbatch reaches sbatch
cpus=1; [ "$(nproc)" -lt 2 ] || cpus=2
read -r job mjob < <(cd "$t/jobs" && "$OLDPWD/$submit" --parsable --llmdse "$LLMDSE" -n 03 -c "$cpus" \
    --sbatch --partition=test --sbatch "--job-name=llmdse's test" -o "merged front" -- "${args[@]}")
[ -n "$mjob" ] || { logs; fail "submit.sh printed no job ids"; }
st=$(wait_jobs "$job,$mjob")
[ "$st" = COMPLETED ] || { logs; fail "merge job $mjob ended $st, expected COMPLETED"; }
for i in 0 1 2; do
    grep -q "\"count\": 3" "$t/jobs/merged front.shards/shard-$i/summary.json" ||
        { logs; fail "shard-$i/summary.json is not a shard of 3"; }
    grep -q "\"threads\": $cpus," "$t/jobs/merged front.shards/shard-$i/summary.json" ||
        { logs; fail "shard-$i ran on other than the $cpus threads of -c $cpus"; }
done
# captured first: grep -q would close the pipe early, and pipefail would fail on scontrol's SIGPIPE
info=$(scontrol show job "$job")
case $info in *"JobName=llmdse's test"*) ;; *) fail "--sbatch --job-name did not reach the array job: $info" ;; esac
ok
"$LLMDSE" explore "${args[@]}" -o "$t/single" -q
for f in front.csv front.json; do
    cmp -s "$t/single/$f" "$out/$f" || fail "the merged $f differs from a single explore run"
    ok
done
size=$(sed -n 's/.*"space_size": \([0-9]*\).*/\1/p' "$t/single/summary.json")
grep -q "\"processed\": $size" "$out/summary.json" || fail "merged summary.json: processed is not the space's $size"
ok

# --- a submission sbatch refuses (no such partition): exit 1, no job, no folder left behind
st=0; (cd "$t/jobs" && "$OLDPWD/$submit" --llmdse "$LLMDSE" -n 2 -o refused --sbatch --partition=nosuch \
    -- "${ex[@]}") >"$t/out" 2>"$t/err" || st=$?
{ [ "$st" -eq 1 ] && grep -qF 'sbatch refused the job array' "$t/err"; } ||
    fail "a submission to a missing partition: exit $st, expected 1: $(cat "$t/err")"
[ ! -e "$t/jobs/refused.shards" ] || fail "a refused submission left $t/jobs/refused.shards behind"
[ -z "$(squeue -h -o %i)" ] || fail "jobs queued after a refused submission: $(squeue)"
ok

# --- failing shards, no merge: a model that does not exist fails every task (exit 2); the
# merge job is cancelled (afterok can no longer be met), OUT is never written
read -r job mjob < <(cd "$t/jobs" && "$OLDPWD/$submit" --parsable --llmdse "$LLMDSE" -n 2 -o bad --max-running 1 -- \
    -m no-such-model -g h100-sxm5-80gb -w chat -s small)
st=$(wait_jobs "$job,$mjob")
info=$(scontrol show job "$job" 2>&1 || true)
case $info in *"ArrayTaskThrottle=1"*) ;; *) fail "--max-running 1 did not reach the array: $info" ;; esac
[ "$st" = CANCELLED ] || { logs; fail "merge job $mjob after failed shards ended \"$st\", expected CANCELLED"; }
[ ! -e "$t/jobs/bad" ] || fail "a merge job ran although its shards failed"
grep -qF 'no-such-model' "$t/jobs/bad.shards/logs/explore-${job}_0.out" ||
    { logs; fail "the failed shard's log does not name the missing model"; }
ok

echo "slurm: $pass passed, 0 failed"
