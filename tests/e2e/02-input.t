#!/bin/sh
# Input: gzip by content, multi-member, damage reporting, stdin, odd bytes;
# the whole suite runs once per inflate backend built in (rblforge --version).
. "$(dirname "$0")/tap.sh"

backends=$("$RBLFORGE" --version | sed -n 's/^inflate: //p')
[ -n "$backends" ]; ok $? "--version names the inflate backends ($backends)"
for BE in $backends; do
diag "inflate backend: $BE"
ev() { "$RBLFORGE" events --inflate="$BE" "$@"; }
line() { printf 'Nov 24 06:25:%02d mx1 postfix/smtpd[1]: connect from unknown[192.0.2.%d]\n' "$1" "$1"; }
count() { ev --year 2026 "$@" 2>/dev/null | wc -l | tr -d ' '; }

for i in 1 2 3; do line $i; done >"$TMP/a.log"
for i in 4 5; do line $i; done >"$TMP/b.log"
gzip -c "$TMP/a.log" >"$TMP/a.gz"
gzip -c "$TMP/b.log" >"$TMP/b.gz"

is "$(count "$TMP/a.log")" 3 "plain text"
cp "$TMP/a.gz" "$TMP/looks-plain.log"
is "$(count "$TMP/looks-plain.log")" 3 "gzip detected by content, not by name"
cat "$TMP/a.gz" "$TMP/b.gz" >"$TMP/multi.gz"
is "$(count "$TMP/multi.gz")" 5 "every member of a concatenated gzip is read"
is "$(count - <"$TMP/multi.gz")" 5 "gzip on stdin"
is "$(count "$TMP/a.log" "$TMP/b.gz")" 5 "several files in one run"
ev "$TMP/a.log" "$TMP/b.gz" | sed -n 's/.*"file":"\([^"]*\)","line":\([0-9]*\).*/\1:\2/p' >"$TMP/pos"
is "$(sed -n 4p "$TMP/pos")" "$TMP/b.gz:1" "events name file and 1-based line"

# Truncated: the first member complete, the second cut short.
size=$(wc -c <"$TMP/multi.gz")
head -c $((size - 12)) "$TMP/multi.gz" >"$TMP/trunc.gz"
n=$(ev --year 2026 "$TMP/trunc.gz" 2>"$TMP/err" | wc -l | tr -d ' ')
ev --year 2026 "$TMP/trunc.gz" >/dev/null 2>&1; st=$?
is "$st" 3 "truncated gzip: exit 3 (damaged)"
[ "$n" -ge 3 ]; ok $? "truncated gzip: complete member kept ($n events)"
grep -q "trunc.gz: unexpected end of gzip data at compressed offset" "$TMP/err"; ok $? "truncated gzip: file and offset named"

# Corrupt member in the middle: the reader resynchronises on the next one.
{ cat "$TMP/a.gz"; printf '\037\213\010\000garbage-garbage-garbage'; cat "$TMP/b.gz"; } >"$TMP/corrupt.gz"
n=$(ev --year 2026 "$TMP/corrupt.gz" 2>"$TMP/err" | wc -l | tr -d ' ')
is "$n" 5 "corrupt member: the members around it are kept"
grep -q "corrupt.gz: corrupt gzip data at compressed offset" "$TMP/err"; ok $? "corrupt member: file and offset named"

# CRC mismatch in the trailer.
cp "$TMP/a.gz" "$TMP/crc.gz"
sz=$(wc -c <"$TMP/crc.gz")
printf '\001' | dd of="$TMP/crc.gz" bs=1 seek=$((sz - 8)) conv=notrunc 2>/dev/null
ev "$TMP/crc.gz" >/dev/null 2>"$TMP/err"; is $? 3 "bad CRC: exit 3"
grep -q "crc.gz: corrupt gzip data" "$TMP/err"; ok $? "bad CRC: reported"
# ISIZE (length mod 2^32) mismatch in the trailer.
cp "$TMP/a.gz" "$TMP/isize.gz"
printf '\007' | dd of="$TMP/isize.gz" bs=1 seek=$((sz - 4)) conv=notrunc 2>/dev/null
ev "$TMP/isize.gz" >/dev/null 2>"$TMP/err"; is $? 3 "bad ISIZE: exit 3"
grep -q "isize.gz: corrupt gzip data at compressed offset" "$TMP/err"; ok $? "bad ISIZE: reported with the offset"

# Trailing garbage after the last member.
{ cat "$TMP/a.gz"; printf 'junk'; } >"$TMP/junk.gz"
is "$(count "$TMP/junk.gz")" 3 "trailing garbage: lines kept"
ev "$TMP/junk.gz" >/dev/null 2>"$TMP/err"
grep -q "trailing garbage" "$TMP/err"; ok $? "trailing garbage: reported"

# CRLF, NUL bytes, a 1 MB line, a last line without newline.
{ line 1 | sed 's/$/\r/'; printf 'Nov 24 06:25:02 mx1 postfix/smtpd[1]: con\000nect\n';
  head -c 1048576 /dev/zero | tr '\0' 'x'; printf '\n'; line 3 | tr -d '\n'; } >"$TMP/odd.log"
ev --year 2026 "$TMP/odd.log" >"$TMP/odd.out" 2>"$TMP/err"; st=$?
is "$st" 0 "odd bytes: exit 0"
is "$(wc -l <"$TMP/odd.out" | tr -d ' ')" 2 "CRLF line and the unterminated last line are events"
grep -q '"ip":"192.0.2.3"' "$TMP/odd.out"; ok $? "the line after a 1 MB line is parsed"
grep -q "odd.log:3: line longer than" "$TMP/err"; ok $? "the long line is reported with its line number"
is "$(sed -n 2p "$TMP/odd.out" | sed 's/.*"line":\([0-9]*\).*/\1/')" 4 "line numbers stay right after a long line"

# Random bytes never crash.
head -c 300000 /dev/urandom >"$TMP/random.bin"
ev "$TMP/random.bin" >/dev/null 2>&1; st=$?
[ "$st" -eq 0 ] || [ "$st" -eq 3 ]; ok $? "random bytes: no crash (exit $st)"
{ printf '\037\213'; head -c 100000 /dev/urandom; } >"$TMP/random.gz"
ev "$TMP/random.gz" >/dev/null 2>&1; st=$?
[ "$st" -eq 0 ] || [ "$st" -eq 3 ]; ok $? "random gzip body: no crash (exit $st)"

ev --format tsv "$TMP/a.log" >"$TMP/tsv"
is "$(head -1 "$TMP/tsv" | cut -f1-8)" "$(printf 'file\tline\tts\thost\tprog\tpid\tevent\tip')" "TSV header"
is "$(wc -l <"$TMP/tsv" | tr -d ' ')" 4 "TSV: header + one row per event"
ev --stats "$TMP/a.log" "$TMP/random.bin" >/dev/null 2>"$TMP/st"
grep -q '^events	3$' "$TMP/st"; ok $? "--stats counts events"
done
"$RBLFORGE" events --inflate=nosuch "$TMP/a.log" >/dev/null 2>&1; is $? 2 "--inflate: unknown backend is a usage error"

# zstd: by content, every frame, damage named with the frame's offset.
if "$RBLFORGE" --version | grep -q '^zstd: yes' && command -v zstd >/dev/null; then
    zs() { "$RBLFORGE" events --year 2026 "$@"; }
    zstd -q -c "$TMP/a.log" >"$TMP/a.zst"
    zstd -q -c "$TMP/b.log" >"$TMP/b.zst"
    cp "$TMP/a.zst" "$TMP/zst-looks-plain.log"
    is "$(zs "$TMP/zst-looks-plain.log" 2>/dev/null | wc -l | tr -d ' ')" 3 "zstd detected by content"
    zs "$TMP/a.log" | sed 's/"file":"[^"]*"//' >"$TMP/plain.ev"
    zs "$TMP/a.zst" | sed 's/"file":"[^"]*"//' >"$TMP/zst.ev"
    cmp -s "$TMP/plain.ev" "$TMP/zst.ev"; ok $? "zstd: the same events as the plain file"
    cat "$TMP/a.zst" "$TMP/b.zst" >"$TMP/multi.zst"
    is "$(zs "$TMP/multi.zst" | wc -l | tr -d ' ')" 5 "zstd: every frame of a concatenation"
    is "$(zs - <"$TMP/multi.zst" | wc -l | tr -d ' ')" 5 "zstd on stdin"
    size=$(wc -c <"$TMP/multi.zst")
    head -c $((size - 6)) "$TMP/multi.zst" >"$TMP/trunc.zst"
    zs "$TMP/trunc.zst" >"$TMP/out" 2>"$TMP/err"; st=$?
    is "$st" 3 "truncated zstd: exit 3 (damaged)"
    [ "$(wc -l <"$TMP/out")" -ge 3 ]; ok $? "truncated zstd: the complete frame kept"
    grep -q "trunc.zst: unexpected end of zstd data at compressed offset" "$TMP/err"; ok $? "truncated zstd: file and offset named"
    # A damaged frame (checksum or data) between two good ones.
    asz=$(wc -c <"$TMP/a.zst")
    { cat "$TMP/a.zst"; cat "$TMP/a.zst"; cat "$TMP/b.zst"; } >"$TMP/corrupt.zst"
    printf '\377\377\377\377' | dd of="$TMP/corrupt.zst" bs=1 seek=$((asz + asz - 4)) conv=notrunc 2>/dev/null
    zs "$TMP/corrupt.zst" >"$TMP/out" 2>"$TMP/err"; st=$?
    is "$st" 3 "corrupt zstd frame: exit 3"
    is "$(grep -c '192.0.2.[45]' "$TMP/out")" 2 "corrupt zstd frame: the next frame is kept"
    grep -q "corrupt.zst: corrupt zstd frame starting at compressed offset $asz" "$TMP/err"; ok $? "corrupt zstd frame: file and the frame's offset named"
    { cat "$TMP/a.zst"; printf 'junk'; } >"$TMP/junk.zst"
    zs "$TMP/junk.zst" >/dev/null 2>"$TMP/err"; is $? 3 "zstd trailing garbage: exit 3"
    grep -q "trailing garbage after zstd frame" "$TMP/err"; ok $? "zstd trailing garbage: reported"
    { printf '\050\265\057\375'; head -c 100000 /dev/urandom; } >"$TMP/random.zst"
    zs "$TMP/random.zst" >/dev/null 2>&1; st=$?
    [ "$st" -eq 0 ] || [ "$st" -eq 3 ]; ok $? "random zstd body: no crash (exit $st)"
    # pzstd (and the seekable format) put a skippable frame before the data.
    { printf '\120\052\115\030\004\000\000\000abcd'; cat "$TMP/a.zst";
      printf '\137\052\115\030\000\000\000\000'; cat "$TMP/b.zst"; } >"$TMP/skip.zst"
    zs "$TMP/skip.zst" 2>"$TMP/err" | sed 's/"file":"[^"]*"//' >"$TMP/skip.ev"
    zs "$TMP/multi.zst" | sed 's/"file":"[^"]*"//' >"$TMP/multi.ev"
    cmp -s "$TMP/multi.ev" "$TMP/skip.ev" && [ ! -s "$TMP/err" ]
    ok $? "zstd: skippable frames (pzstd) stepped over, no warning"
else
    skip "built without libzstd or no zstd command"
fi
done_testing
