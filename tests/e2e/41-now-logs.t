#!/bin/sh
# Old logs are no trap (issue 24 item 1): without --now, logs whose newest
# evidence is older than the expiry window are refused with a message
# naming --now (exit 2, nothing published); --now logs dates the run from
# the evidence, and re-running the archives never trips the valve.
. "$(dirname "$0")/tap.sh"
S="$TMP/state"
# 12 addresses pregreeting in 2020: far older than the 7-day expiry.
i=1; while [ $i -le 12 ]; do
    printf 'Nov 24 06:25:%02d mx1 postfix/postscreen[1]: PREGREET 11 after 0.1 from [192.0.2.%d]:4000: EHLO x\\r\\n\n' $i $i
    i=$((i + 1)); done >"$TMP/old.log"
R() { "$RBLFORGE" run --year 2020 --tz UTC --test-range 192.0.2.0/24 "$@" </dev/null; }

R -o "$TMP/o1" --state "$S" "$TMP/old.log" >/dev/null 2>"$TMP/err"; is $? 2 "old logs without --now: exit 2"
grep -q 'error: the newest evidence (2020-11-24T06:25:12Z) is older than the expiry window' "$TMP/err"; ok $? "the message says the evidence is older than the expiry window"
grep -q -- '--now logs' "$TMP/err"; ok $? "and names --now logs"
[ -e "$TMP/o1/bl.rbldnsd" ]; is $? 1 "nothing published"
[ -e "$S" ]; is $? 1 "no state written"

R -o "$TMP/o1" --state "$S" --now logs "$TMP/old.log" >/dev/null 2>"$TMP/err"; is $? 0 "--now logs: exit 0"
is "$(grep -c '^192\.0\.2\.[0-9]*,' "$TMP/o1/listings.csv")" 12 "the twelve addresses are published"
grep -q '"now": 1606199112,' "$TMP/o1/summary.json"; ok $? "the run is dated by the newest evidence"
grep -q '^192.0.2.1,.*,2020-12-01T06:25:01Z,' "$TMP/o1/listings.csv"; ok $? "expiry: seven days after its evidence"
R -o "$TMP/o1" --state "$S" --now logs "$TMP/old.log" >/dev/null 2>"$TMP/err"; is $? 0 "re-running the archives with --now logs: exit 0, no valve"
grep -q 'safety valve' "$TMP/err"; is $? 1 "no safety valve message"
is "$(grep -c '^192\.0\.2\.[0-9]*,' "$TMP/o1/listings.csv")" 12 "the entries are carried, not expired"
R -o "$TMP/o1" --state "$S" "$TMP/old.log" >/dev/null 2>"$TMP/err"; is $? 2 "again without --now: refused (the state's evidence is old), not the valve"
grep -q 'safety valve' "$TMP/err"; is $? 1 "the valve never trips by surprise"

# An explicit --now is the user's word.
R -o "$TMP/o2" --now 2020-11-25T00:00:00Z "$TMP/old.log" >/dev/null 2>&1; is $? 0 "--now T within the window: exit 0"
# Fresh logs need no --now.
d=$(date -u +%Y-%m-%dT%H:%M:%S+00:00)
printf '%s mx1 postfix/postscreen[1]: PREGREET 11 after 0.1 from [192.0.2.9]:4000: EHLO x\\r\\n\n' "$d" >"$TMP/new.log"
R -o "$TMP/o3" "$TMP/new.log" >/dev/null 2>"$TMP/err"; is $? 0 "today's logs without --now: exit 0"
# --now logs with [policy] window cannot work: the window is applied while reading.
printf '[policy]\nwindow = 1d\n' >"$TMP/w.ini"
R -c "$TMP/w.ini" -o "$TMP/o4" --now logs "$TMP/old.log" >/dev/null 2>"$TMP/err"; is $? 2 "--now logs with [policy] window: exit 2"
grep -q 'error: run: --now logs' "$TMP/err"; ok $? "with a message"
done_testing
