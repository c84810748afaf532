#!/bin/sh
# The abuse desk's commands (issue 24 item 4, issue 25 item 2): status
# shows what is listed and why; delist confirms, keeps every note (UTF-8
# as given), refuses a mistyped state path and takes the run's lock; top
# marks listed, allowlisted and held rows; explain says a removal first.
. "$(dirname "$0")/tap.sh"
S="$TOP/datasets/sample"
ST="$TMP/state"
N=2026-11-25T00:00:00Z
"$RBLFORGE" run --year 2026 --tz JST-9 --now $N --state "$ST" --allowlist "$S/allowlist.txt" \
    -o "$TMP/o" "$S/mail.log" </dev/null 2>/dev/null; is $? 0 "a run with a state file"
A=1.184.100.118

# status
"$RBLFORGE" status --state "$ST" --now $N $A >"$TMP/st" 2>&1; is $? 0 "status ADDRESS: exit 0"
grep -q "^1.184.100.118 *listed *spam *127.0.0.2 *2026-11-23T19:18:43Z *2026-11-24T13:37:23Z *2026-12-01T13:37:23Z" "$TMP/st"; ok $? "listed, cause, code, since, last evidence, expires"
"$RBLFORGE" status --state "$ST" --now $N 203.0.113.99 >"$TMP/st" 2>&1
grep -q '^203.0.113.0/24 *listed *net *127.0.0.3' "$TMP/st"; ok $? "an address inside a listed network shows the network"
"$RBLFORGE" status --state "$ST" --now $N 198.18.0.1 >"$TMP/st" 2>&1; is $? 0 "an address with no entry: exit 0"
grep -q '^198.18.0.1: not listed' "$TMP/st"; ok $? "and says not listed"
is "$("$RBLFORGE" status --state "$ST" --now $N | grep -c ' listed ')" "$(($(wc -l <"$TMP/o/listings.csv") - 1))" "status without arguments: every entry of listings.csv"
"$RBLFORGE" status --state "$ST" --now $N -f json >"$TMP/st.json"; python3 -m json.tool "$TMP/st.json" >/dev/null; ok $? "--format json is valid JSON"
"$RBLFORGE" status --state "$TMP/nope" >/dev/null 2>&1; is $? 2 "status of a state file that does not exist: exit 2"

# top
"$RBLFORGE" top --year 2026 --tz JST-9 --allowlist "$S/allowlist.txt" "$S/mail.log" >"$TMP/top"
grep -q '^   3  192.0.2.25 .* allowlisted ' "$TMP/top"; ok $? "top: the allowlisted relay is marked"
grep -q '^   1  100.64.0.143 .* listed ' "$TMP/top"; ok $? "top: a listed address is marked"

# delist
"$RBLFORGE" delist --state "$ST" --now 2026-11-25T01:00:00Z --note 'チケット4711 対応済み' $A >"$TMP/d1" 2>&1
is $? 0 "delist: exit 0"
grep -q "^removed 1.184.100.118: was listed (spam since 2026-11-23T19:18:43Z, until 2026-12-01T13:37:23Z)$" "$TMP/d1"; ok $? "delist confirms what it removed"
"$RBLFORGE" delist --state "$ST" --now 2026-11-25T02:00:00Z $A >"$TMP/d2" 2>&1; is $? 0 "delist again without --note"
"$RBLFORGE" status --state "$ST" --now $N $A >"$TMP/st"
grep -q '^    removed by hand 2026-11-25T01:00:00Z: チケット4711 対応済み$' "$TMP/st"; ok $? "the UTF-8 note is kept as given"
grep -q '^    removed by hand 2026-11-25T02:00:00Z: (no note)$' "$TMP/st"; ok $? "the second removal is on record too (history, not overwrite)"
grep -q '^1.184.100.118 *removed ' "$TMP/st"; ok $? "status: removed"
"$RBLFORGE" delist --state "$ST" --note "$(printf 'a\tb')" $A >/dev/null 2>&1; is $? 2 "a note with a tab: exit 2"
"$RBLFORGE" delist --state "$ST" --note "$(printf 'bad \377 byte')" $A >/dev/null 2>&1; is $? 2 "a note of invalid UTF-8: exit 2"
"$RBLFORGE" delist --state "$TMP/stat" 192.0.2.1 >/dev/null 2>"$TMP/err"; is $? 2 "a mistyped --state: exit 2"
[ -e "$TMP/stat" ]; is $? 1 "and no new state file"
grep -q 'error: delist: .*--create' "$TMP/err"; ok $? "the message names --create"
"$RBLFORGE" delist --state "$TMP/new" --create 192.0.2.1 >/dev/null 2>&1; is $? 0 "--create makes a new state file"

# explain after the delist
"$RBLFORGE" explain --year 2026 --tz JST-9 --now $N --state "$ST" $A "$S/mail.log" >"$TMP/ex"
is "$(sed -n 2p "$TMP/ex" | cut -c1-15)" "REMOVED BY HAND" "explain says the removal at the top"
grep -q '^decision: spam (code 127.0.0.2), removed by hand' "$TMP/ex"; ok $? "and the decision line does not just say spam"
"$RBLFORGE" top --year 2026 --tz JST-9 --state "$ST" "$S/mail.log" -n 0 | grep -q ' 1.184.100.118 .* held '; ok $? "top: a removed address is marked held"

# The lock: a process holding STATE.lock (as a run does) keeps delist out.
mkfifo "$TMP/fifo"
( flock -x 9; read x <"$TMP/fifo" ) 9>"$ST.lock" &
holder=$!
i=0; while flock -n "$ST.lock" true && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
"$RBLFORGE" delist --state "$ST" 192.0.2.200 >/dev/null 2>"$TMP/err"; is $? 5 "delist while the state is locked: exit 5"
grep -q 'another rblforge process holds the lock' "$TMP/err"; ok $? "and says so"
"$RBLFORGE" delist --state "$ST" --wait 30 --note waited 192.0.2.201 >"$TMP/dw" 2>&1 &
waiter=$!
sleep 0.3
"$RBLFORGE" run --year 2026 --tz JST-9 --now $N --state "$ST" -o "$TMP/o" "$S/mail.log" </dev/null >/dev/null 2>&1; is $? 5 "a run while the state is locked: exit 5 (the same lock)"
echo >"$TMP/fifo"; wait $holder
wait $waiter; is $? 0 "delist --wait: done once the lock is free"
"$RBLFORGE" status --state "$ST" 192.0.2.201 | grep -q 'removed by hand .*: waited'; ok $? "and its removal is in the state"
done_testing
