#!/bin/sh
# State across nightly runs: expiry, carried entries, incremental reading
# through logrotate renames and compression, manual removals, and a
# damaged state file refused.
. "$(dirname "$0")/tap.sh"

pregreet() {   # TIME IP: one PREGREET (10 points; bar 10, no name logged)
    printf 'Nov %s mx1 postfix/postscreen[12]: PREGREET 23 after 0.1 from [%s]:1234: EHLO x\\r\\n\n' "$1" "$2"; }
S="$TMP/state"
D="$TMP/logs"
mkdir -p "$D"
R() { "$RBLFORGE" run --year 2026 --tz UTC --state "$S" "$@" 2>>"$TMP/err"; }
col() { awk -F, -v a="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $1 == a { print $(h[c]) }' "$3/listings.csv"; }
js() { sed -n "s/^  \"$1\": \\([^,]*\\),*$/\\1/p" "$2/summary.json"; }

pregreet '24 10:00:00' 192.0.2.77 >"$D/mail.log"
R --now 2026-11-24T12:00:00Z -o "$TMP/r1" "$D/mail.log"; is $? 0 "first run with a new state file"
[ -s "$S" ]; ok $? "the state file is written"
head -1 "$S" | grep -q '^rblforge-state 2$'; ok $? "it is versioned"
tail -1 "$S" | grep -Eq '^end	[0-9]+	[0-9a-f]{16}$'; ok $? "and ends with a checksum"
is "$(col 192.0.2.77 expires "$TMP/r1")" 2026-12-01T10:00:00Z "expires 7 days after the last evidence"
is "$(js state_added "$TMP/r1"),$(js state_expired "$TMP/r1")" "1,0" "summary.json: added 1, removed 0"

R --now 2026-11-25T12:00:00Z -o "$TMP/r2" "$D/mail.log"
is "$(js lines "$TMP/r2")" 0 "second run: the file did not change, nothing read"
is "$(col 192.0.2.77 source "$TMP/r2")" state "the entry is carried from the state file"
is "$(js state_added "$TMP/r2"),$(js carried_from_state "$TMP/r2")" "0,1" "summary.json: added 0, carried 1"
grep -q '^192.0.2.77$' "$TMP/r2/bl.rbldnsd"; ok $? "and published"

pregreet '25 09:00:00' 192.0.2.78 >>"$D/mail.log"
printf 'Nov 25 09:00:01 mx1 postfix/postscreen[12]: PREGREET 23 after 0.1 from [192.0.2.79]:1' >>"$D/mail.log"
R --now 2026-11-25T13:00:00Z -o "$TMP/r3" "$D/mail.log"
is "$(js lines "$TMP/r3")" 1 "the file grew: only the new whole line is read"
grep -q '^192.0.2.79,' "$TMP/r3/listings.csv"; is $? 1 "a last line without its newline waits for the next run"
is "$(col 192.0.2.78 source "$TMP/r3"),$(col 192.0.2.77 source "$TMP/r3")" "evidence,state" "new evidence listed, the old entry carried"
printf ':2\n' >>"$D/mail.log"
# logrotate: rename, compress, start a new file.
mv "$D/mail.log" "$D/mail.log.1" && gzip -n "$D/mail.log.1" && : >"$D/mail.log"
R --now 2026-11-26T00:00:00Z -o "$TMP/r4" "$D/mail.log" "$D/mail.log.1.gz"
is "$(js lines "$TMP/r4")" 1 "after rename and compression only the completed line is read"
is "$(col 192.0.2.79 source "$TMP/r4")" evidence "and it is listed"
R --now 2026-11-26T01:00:00Z -o "$TMP/r5" "$D/mail.log" "$D/mail.log.1.gz"
is "$(js lines "$TMP/r5")" 0 "the compressed file is not read again"

R --now 2026-12-01T12:00:00Z -o "$TMP/r6" "$D/mail.log"
is "$(js state_expired "$TMP/r6")" 1 "a week after its last evidence the first entry expires"
grep -q '^192.0.2.77,' "$TMP/r6/listings.csv"; is $? 1 "and is no longer listed"
grep -q '^192.0.2.78,' "$TMP/r6/listings.csv"; ok $? "the later ones still are"

# Removed by hand: stays off unless the new evidence is twice the threshold.
"$RBLFORGE" delist --state "$S" --now 2026-12-02T13:00:00Z --note 'customer cleaned up; ticket #42' 192.0.2.78
is $? 0 "delist exits 0"
R --now 2026-12-02T14:00:00Z -o "$TMP/r7" "$D/mail.log"
grep -q '^192.0.2.78,' "$TMP/r7/listings.csv"; is $? 1 "a removed entry is not published"
pregreet '02 15:00:00' 192.0.2.78 | sed 's/^Nov/Dec/' >"$D/new1.log"
R --now 2026-12-02T16:00:00Z -o "$TMP/r8" "$D/new1.log"
grep -q '^192.0.2.78,' "$TMP/r8/listings.csv"; is $? 1 "new evidence at 10 points (under 2 x threshold 10) keeps it off"
is "$(js held_after_manual_removal "$TMP/r8")" 1 "summary.json counts it as held"
"$RBLFORGE" explain --year 2026 --tz UTC --state "$S" 192.0.2.78 "$D/new1.log" >"$TMP/ex"
grep -q 'removed by hand 2026-12-02T13:00:00Z: customer cleaned up; ticket #42' "$TMP/ex"; ok $? "explain shows the removal and its note"
{ pregreet '02 17:00:00' 192.0.2.78; pregreet '02 17:00:01' 192.0.2.78; } | sed 's/^Nov/Dec/' >"$D/new2.log"
R --now 2026-12-02T18:00:00Z -o "$TMP/r9" "$D/new2.log"
is "$(col 192.0.2.78 source "$TMP/r9")" evidence "20 points (2 x threshold 10) list it again"

# A damaged state file is refused and nothing is published.
cp -a "$TMP/r9" "$TMP/keep"
sed -i '2s/[0-9]/9/' "$S"
R --now 2026-12-02T19:00:00Z -o "$TMP/r9" "$D/new2.log"; is $? 1 "a state file that fails its checksum: exit 1"
grep -q 'checksum' "$TMP/err"; ok $? "with a message saying so"
diff -r -x .pub "$TMP/keep" "$TMP/r9" >/dev/null; ok $? "and the previous publication is unchanged"
ls "$TMP" | grep -v '^state\.lock$' | grep -q '^state\.'; is $? 1 "no temporary state files left behind (the lock file stays)"
done_testing
