#!/bin/sh
# Slurm for real (issue 27): a single-node Slurm on 127.0.0.1 from
# scripts/slurm/local-cluster, the map (an sbatch array of scans) and the
# dependent merge from scripts/slurm/submit; the merged publication equals
# a plain run; a failing map task cancels the merge and is reported. Every
# daemon is stopped by PID, after the jobs are cancelled and drained.
. "$(dirname "$0")/tap.sh"

SL="$TOP/scripts/slurm"
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    "$TOP/scripts/install-deps" slurm >"$TMP/deps" 2>&1 || true
fi
if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
    skip "slurm-wlm and munge are not installed and could not be (scripts/install-deps slurm): $(tail -1 "$TMP/deps" 2>/dev/null)"
    done_testing
    exit 0
fi
trap '"$SL/local-cluster" stop "$TMP/c" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

"$SL/local-cluster" start "$TMP/c" >"$TMP/start" 2>&1
st=$?
ok $st "single-node Slurm up (munged, slurmctld -D -i, slurmd -D -N localhost)"
if [ $st -ne 0 ]; then
    sed 's/^/# /' "$TMP/start"
    done_testing
    exit 1
fi
export SLURM_CONF="$TMP/c/slurm.conf"
grep -q 'NodeAddr=127.0.0.1' "$SLURM_CONF"; ok $? "on 127.0.0.1 only"

# job_state ID: the state of a job (of its first record for an array).
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }
# wait_done ID: poll until the job ended (at most 120 s); its state.
wait_done() {
    t=1200
    while [ $t -gt 0 ]; do
        s=$(job_state "$1")
        case $s in COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY) echo "$s"; return ;; esac
        sleep 0.1
        t=$((t - 1))
    done
    echo "TIMEOUT_WAITING($s)"
}

S="$TOP/datasets/sample"
O="--year 2026 --tz JST-9 --allowlist $S/allowlist.txt --asn-db $TOP/datasets/asn/asn-test.mmdb --now 2026-11-25T03:00:00Z"
# The sample days in four pieces, oldest first: two tasks of two each.
D="$TMP/logs"
mkdir -p "$D"
gzip -dc "$S/mail.log.1.gz" | split -l 20000 -d - "$D/day1."
split -l 10000 -d "$S/mail.log" "$D/day2."
ls "$D"/* >"$TMP/inputs"

ids=$("$SL/submit" -n 2 -i "$TMP/inputs" -p "$TMP/parts" -o "$TMP/out" -b "$RBLFORGE" \
      -s "$O --customers $S/customers.tsv --templates $TOP/datasets/templates" \
      -m "$O --customers $S/customers.tsv --templates $TOP/datasets/templates" 2>"$TMP/err")
ok $? "submitted: the array and the merge ($ids)"
A=${ids% *}
M=${ids#* }
is "$(wait_done "$M")" COMPLETED "the merge job completed after the array"
is "$(scontrol show job "$A" | grep -c 'JobState=COMPLETED')" 2 "both map tasks completed"
ends=$(scontrol show job "$A" | sed -n 's/.*EndTime=\([0-9T:-]*\).*/\1/p' | sort | tail -1)
start=$(scontrol show job "$M" | sed -n 's/.*StartTime=\([0-9T:-]*\).*/\1/p')
[ -n "$ends" ] && [ -n "$start" ] && ! expr "$start" \< "$ends" >/dev/null
ok $? "the merge started ($start) only after the last map task ended ($ends)"
ls "$TMP/parts"/part.0 "$TMP/parts"/part.1 >/dev/null 2>&1; ok $? "two partials on the shared directory"
# shellcheck disable=SC2046
"$RBLFORGE" run $O --customers "$S/customers.tsv" --templates "$TOP/datasets/templates" \
    -o "$TMP/run" $(cat "$TMP/inputs") 2>>"$TMP/err"
is $? 0 "a plain run over the same pieces"
rm -f "$TMP/run/.rblforge.lock" "$TMP/out/.rblforge.lock"
if d=$(diff -r -x .pub "$TMP/run" "$TMP/out" 2>&1); then ok 0 "the merged outputs are byte-identical to the run's"
else ok 1 "the merged outputs are byte-identical to the run's"; echo "$d" | head -10 | sed 's/^/# /'; fi

# A failing map task: an input that is not there.
{ head -2 "$TMP/inputs"; echo "$TMP/logs/missing.log"; tail -2 "$TMP/inputs"; } >"$TMP/inputs2"
ids=$("$SL/submit" -n 2 -i "$TMP/inputs2" -p "$TMP/parts2" -o "$TMP/out2" -b "$RBLFORGE" -s "$O" -m "$O" 2>>"$TMP/err")
A=${ids% *}
M=${ids#* }
is "$(wait_done "$M")" CANCELLED "a failed map task cancels the merge"
scontrol show job "$M" | grep -q 'Reason=DependencyNeverSatisfied'; ok $? "Slurm says why: DependencyNeverSatisfied"
for t in 0 1; do wait_done "${A}_$t" >/dev/null; done
scontrol show job "$A" | grep -q 'JobState=FAILED.*' ; ok $? "the failed task is FAILED"
scontrol show job "$A" | grep -q 'ExitCode=1:0'; ok $? "with exit code 1"
grep -q "missing.log: cannot open" "$TMP/parts2"/scan-"$A"_*.log; ok $? "its log names the missing input"
[ ! -e "$TMP/out2/bl.rbldnsd" ]; ok $? "nothing published"

pids=$(cat "$TMP/c"/munged.pid "$TMP/c"/slurmctld.pid "$TMP/c"/slurmd.pid)
"$SL/local-cluster" stop "$TMP/c" >/dev/null 2>&1
ok $? "jobs cancelled and drained, daemons stopped"
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
is "$left" "" "no daemon of ours left (PIDs$(echo " $pids" | tr '\n' ' '))"
done_testing
