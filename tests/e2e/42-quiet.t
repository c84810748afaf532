#!/bin/sh
# Quiet without a terminal (issue 24 item 2): a cron-like run prints
# nothing; -v prints the publish summary; what needs a human still does.
. "$(dirname "$0")/tap.sh"
L="$TOP/datasets/sample/mail.log"
A="$TOP/datasets/asn/asn-test.mmdb"
N=2026-11-25T00:00:00Z

is "$("$RBLFORGE" run -o "$TMP/o" --state "$TMP/s" --asn-db "$A" --now $N "$L" </dev/null 2>&1 | wc -c | tr -d ' ')" 0 \
    "a cron-like run with an ASN database prints nothing"
is "$(grep -c . "$TMP/o/bl.rbldnsd" | tr -d ' ')" 217 "and published"
is "$("$RBLFORGE" run -o "$TMP/o" --state "$TMP/s" --asn-db "$A" --now $N "$L" </dev/null 2>&1 | wc -c | tr -d ' ')" 0 \
    "the next night too"
is "$("$RBLFORGE" run -o "$TMP/o2" --now $N "$L" </dev/null 2>&1 | wc -c | tr -d ' ')" 0 \
    "without an ASN database: no warning mailed every night"
"$RBLFORGE" run -v -o "$TMP/o3" --now $N "$L" </dev/null 2>"$TMP/err"; is $? 0 "-v: exit 0"
grep -q '^rblforge: publish: 227 added, 0 removed, 0 kept (previously 0)$' "$TMP/err"; ok $? "-v prints the publish summary"
grep -q 'no ASN database' "$TMP/err"; ok $? "-v says the ASN columns stay empty"
grep -q 'warning:' "$TMP/err"; is $? 1 "and that is no warning"
# What needs a human still speaks up without a terminal.
: >"$TMP/empty.log"
"$RBLFORGE" run -o "$TMP/o" --state "$TMP/s" --now $N "$TMP/empty.log" </dev/null 2>"$TMP/err"
is $? 0 "nothing new to read: exit 0"
[ -s "$TMP/err" ]; is $? 1 "and silent"
"$RBLFORGE" run -o "$TMP/o" --now 2026-12-30T00:00:00Z "$TMP/empty.log" </dev/null 2>"$TMP/err"; is $? 4 "the valve trips: exit 4"
grep -q '^rblforge: warning: safety valve' "$TMP/err"; ok $? "and says so"
"$RBLFORGE" run -o "$TMP/o" "$TMP/nope.log" </dev/null 2>"$TMP/err"; is $? 1 "a missing input: exit 1"
[ -s "$TMP/err" ]; ok $? "and says so"
done_testing
