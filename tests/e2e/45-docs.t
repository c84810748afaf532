#!/bin/sh
# The documents (issue 24 item 7): rblforge.1 renders each command as its
# own paragraph and --now once; summary.json has ISO 8601 times with an
# offset; the README is a user's (benchmarks in docs/) and the Japanese
# README covers the same ground.
. "$(dirname "$0")/tap.sh"
cd "$TOP" || exit 1
if command -v nroff >/dev/null; then
    nroff -man -Tutf8 rblforge.1 2>/dev/null | sed 's/.\x08//g' >"$TMP/man.txt"
    grep -q '^       top  *Count  *one  *event' "$TMP/man.txt"; ok $? "rblforge.1: top is a paragraph of its own"
    grep -q '^       status What the state file lists now\|^       status' "$TMP/man.txt"; ok $? "rblforge.1: status is documented"
    sed -n '/^SYNOPSIS/,/rblforge report/p' "$TMP/man.txt" | tr ' ' '\n' | grep -c -- '--now' >"$TMP/n"
    is "$(cat "$TMP/n")" 1 "rblforge.1: --now once in run's synopsis"
    awk '/^       run/,/^       events/' "$TMP/man.txt" | grep -c '^  *--now T' >"$TMP/n"
    is "$(cat "$TMP/n")" 1 "rblforge.1: --now described once under run"
else
    for i in 1 2 3 4; do skip "nroff not installed"; done
fi
"$RBLFORGE" run --tz JST-9 --now 2026-11-25T03:00:00Z -o "$TMP/o" datasets/sample/mail.log </dev/null 2>/dev/null
grep -q '^  "now": 1795575600,$' "$TMP/o/summary.json"; ok $? "summary.json: Unix seconds"
grep -q '^  "now_iso": "2026-11-25T12:00:00+09:00",$' "$TMP/o/summary.json"; ok $? "summary.json: ISO 8601 with the offset of --tz"
grep -q 'rblforge bench, 20' README.md; is $? 1 "README.md: no benchmark runs (docs/benchmarks.md has them)"
grep -q 'rblforge bench, 20' docs/benchmarks.md; ok $? "docs/benchmarks.md has them"
[ -s README.ja.md ]; ok $? "README.ja.md exists"
for h in 'クイックスタート' '毎晩の cron' '出力' '顧客への通知文' '終了コード'; do
    grep -q "^## $h" README.ja.md; ok $? "README.ja.md: $h"
done
for c in 0 1 2 3 4 5 6 7; do
    grep -q "^| $c |" README.ja.md; ok $? "README.ja.md: exit status $c"
done
for w in -- '--now logs' 'status' 'delist' 'nft_rule' 'now_iso' '--create' '--wait'; do
    [ "$w" = -- ] && continue
    a=$(grep -c -e "$w" README.md); b=$(grep -c -e "$w" README.ja.md)
    [ "$a" -gt 0 ] && [ "$b" -gt 0 ]; ok $? "both READMEs mention $w"
done
# The quick start's `make demo` runs the nightly job on the sample days
# whatever today's date: its run (as make prints it) must publish, not be
# refused as too old (it was, once the sample was more than the expiry
# window in the past).
make -s -n demo 2>/dev/null | awk '/^\.\/rblforge run/ { on = 1 } on { c = $0; sub(/\\$/, "", c); printf "%s ", c; if ($0 !~ /\\$/) exit }' >"$TMP/demo.cmd"
grep -q -- '--now' "$TMP/demo.cmd"; ok $? "make demo: the run is dated (--now), not by the clock"
sed "s|^\./rblforge|\"\$RBLFORGE\"|; s|[[:space:]]-o out | -o \"\$TMP/demo\" |" "$TMP/demo.cmd" >"$TMP/demo.sh"
RBLFORGE="$RBLFORGE" TMP="$TMP" sh "$TMP/demo.sh" >/dev/null 2>"$TMP/demo.err"; ok $? "make demo: its run publishes"
test -s "$TMP/demo/bl.rbldnsd" && test -s "$TMP/demo/customers/index.csv"; ok $? "make demo: the zone and the customer index are written"
done_testing
