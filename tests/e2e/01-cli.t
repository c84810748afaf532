#!/bin/sh
# Command line: help, version, usage errors and their exit codes.
. "$(dirname "$0")/tap.sh"

"$RBLFORGE" --version >"$TMP/v"; ok $? "--version exits 0"
grep -q '^rblforge [0-9]' "$TMP/v"; ok $? "--version prints the version"
for c in run events check-config top explain delist; do
    "$RBLFORGE" $c --help >"$TMP/h"; ok $? "$c --help exits 0"
    grep -q "usage: rblforge $c" "$TMP/h"; ok $? "$c --help shows its usage"
done
"$RBLFORGE" >/dev/null 2>&1; is $? 2 "no command: exit 2"
"$RBLFORGE" frobnicate >/dev/null 2>&1; is $? 2 "unknown command: exit 2"
"$RBLFORGE" run "$TMP/x.log" >/dev/null 2>&1; is $? 2 "run without -o: exit 2"
"$RBLFORGE" run -o "$TMP/out" >/dev/null 2>&1; is $? 2 "run without LOG: exit 2"
"$RBLFORGE" events --format xml - </dev/null >/dev/null 2>&1; is $? 2 "bad --format: exit 2"
"$RBLFORGE" events --year 12 - </dev/null >/dev/null 2>&1; is $? 2 "bad --year: exit 2"
printf '[policy]\nthreshold = 5\nbogus = 1\n' >"$TMP/bad.ini"
"$RBLFORGE" check-config -c "$TMP/bad.ini" >/dev/null 2>"$TMP/err"; is $? 2 "bad config: exit 2"
grep -q "error: .*bad.ini:3: bogus: unknown key \"bogus\"" "$TMP/err"; ok $? "config error names file, line and key"
"$RBLFORGE" run -c "$TMP/bad.ini" -o "$TMP/out" /dev/null >/dev/null 2>&1; is $? 2 "run with a bad config: exit 2"
printf '192.0.2.0/33\n' >"$TMP/allow"
"$RBLFORGE" run --allowlist "$TMP/allow" -o "$TMP/out" /dev/null >/dev/null 2>"$TMP/err"; is $? 2 "bad allowlist: exit 2"
grep -q "allow:1:" "$TMP/err"; ok $? "allowlist error names file and line"
"$RBLFORGE" check-config >"$TMP/cfg"; ok $? "check-config prints the defaults"
"$RBLFORGE" check-config -c "$TMP/cfg" >"$TMP/cfg2"; ok $? "the printed defaults parse again"
cmp -s "$TMP/cfg" "$TMP/cfg2"; ok $? "and print the same"
"$RBLFORGE" run -o "$TMP/out" "$TMP/does-not-exist.log" >/dev/null 2>"$TMP/err"; is $? 1 "missing input: exit 1"
[ ! -e "$TMP/out/bl.rbldnsd" ]; ok $? "missing input: nothing published"
done_testing
