#!/bin/sh
# Damaged compressed input never becomes evidence: the lines of a gzip
# member (zstd frame) whose check fails are not counted, the members
# around it are, the next member's first line is never glued to the
# garbage, and the damage is said once, with the file and its offsets.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
run() { "$RBLFORGE" run --year 2026 --tz JST-9 --now 2026-11-25T03:00:00Z -j 2 "$@"; }
gzip -dc "$S/mail.log.1.gz" >"$TMP/day1"
n=$(wc -l <"$TMP/day1")
head -n $((n / 3)) "$TMP/day1" | gzip -n >"$TMP/a.gz"
sed -n "$((n / 3 + 1)),$((2 * n / 3))p" "$TMP/day1" | gzip -n >"$TMP/b.gz"
tail -n +$((2 * n / 3 + 1)) "$TMP/day1" | gzip -n >"$TMP/c.gz"
# 16 bytes flipped in the middle of member b: inflate decodes garbage (or
# stops), and the CRC check at its end fails.
bsz=$(wc -c <"$TMP/b.gz")
cp "$TMP/b.gz" "$TMP/bad.gz"
head -c 16 /dev/zero | tr '\0' '\125' | dd of="$TMP/bad.gz" bs=1 seek=$((bsz / 2)) conv=notrunc 2>/dev/null
cat "$TMP/a.gz" "$TMP/bad.gz" "$TMP/c.gz" >"$TMP/abc.gz"
cat "$TMP/a.gz" "$TMP/c.gz" >"$TMP/ac.gz"

run -o "$TMP/o-ac" "$TMP/ac.gz" >/dev/null 2>&1; is $? 0 "the good members alone: exit 0"
run -o "$TMP/o-abc" "$TMP/abc.gz" >/dev/null 2>"$TMP/err"; is $? 3 "with a damaged member between them: exit 3 (damaged)"
for f in bl.rbldnsd bl6.rbldnsd fw.nft listings.csv networks.csv; do
    cmp -s "$TMP/o-ac/$f" "$TMP/o-abc/$f"; ok $? "$f: the damaged member adds no evidence"
done
is "$(grep -c 'corrupt gzip data\|unexpected end' "$TMP/err")" 1 "the damage is said once"
grep -q "abc.gz: corrupt gzip data at compressed offset [0-9]*: .*; the gzip member starting at $(wc -c <"$TMP/a.gz") is not used as evidence; reading resumes at compressed offset $(( $(wc -c <"$TMP/a.gz") + bsz ))" "$TMP/err"
ok $? "with the file, where it broke, the member's start and where reading resumes"
sed 's/^/# /' "$TMP/err" | head -3
grep -q "abc.gz: [0-9]* lines of 1 damaged member not counted as evidence" "$TMP/err"; ok $? "the lines not counted are reported"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["damaged_lines_not_counted"] > 0 else 1)' \
    "$TMP/o-abc/summary.json"; ok $? "summary.json counts them"
"$RBLFORGE" run --year 2026 --tz JST-9 --now 2026-11-25T03:00:00Z -j 1 -o "$TMP/o-abc1" "$TMP/abc.gz" >/dev/null 2>&1
cmp -s "$TMP/o-abc/listings.csv" "$TMP/o-abc1/listings.csv"; ok $? "1 thread and 2 threads agree"

# A member cut mid-line, then a good one: its first line stands alone.
line() { printf 'Nov 24 06:25:%02d mx1 postfix/smtpd[1]: connect from unknown[192.0.2.%d]\n' "$1" "$1"; }
{ line 1; line 2; } | gzip -n >"$TMP/g1.gz"
{ line 3; printf 'Nov 24 06:25:04 mx1 postfix/smtpd[1]: connect from unkn'; } | gzip -n >"$TMP/cut.gz"
csz=$(wc -c <"$TMP/cut.gz")
head -c $((csz - 8)) "$TMP/cut.gz" >"$TMP/cut-notrailer.gz"
printf '\001\002\003\004\005\006\007\010' >>"$TMP/cut-notrailer.gz"   # a wrong CRC and ISIZE
{ line 5; line 6; } | gzip -n >"$TMP/g3.gz"
cat "$TMP/g1.gz" "$TMP/cut-notrailer.gz" "$TMP/g3.gz" >"$TMP/glue.gz"
"$RBLFORGE" events --year 2026 "$TMP/glue.gz" >"$TMP/ev" 2>/dev/null
grep -q '"ip":"192.0.2.5"' "$TMP/ev"; ok $? "events: the first line after a damaged member is not glued to it"
is "$(sed -n 's/.*"ip":"192.0.2.5".*"line":\([0-9]*\).*/\1/p;s/.*"line":\([0-9]*\).*"ip":"192.0.2.5".*/\1/p' "$TMP/ev" | head -1)" 5 "and keeps its line number"
"$RBLFORGE" run --year 2026 --now 2026-11-25T03:00:00Z -o "$TMP/o-glue" "$TMP/glue.gz" >/dev/null 2>&1
is $? 3 "run: exit 3"

# Random bytes: one warning naming the file and the share without a header.
head -c 1000000 /dev/urandom | tr '\0' 'x' >"$TMP/random.bin"
"$RBLFORGE" events "$TMP/random.bin" >/dev/null 2>"$TMP/err"
grep -q "random.bin: [0-9]* of [0-9]* lines ([0-9]*%) have no syslog header" "$TMP/err"; ok $? "random bytes: warned once per file"
is "$(grep -c 'have no syslog header' "$TMP/err")" 1 "once"
done_testing
