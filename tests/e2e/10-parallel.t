#!/bin/sh
# The parallel pipeline: the same bytes out of `events` and `run` for any
# thread count, chunk size and inflate backend.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
backends=$("$RBLFORGE" --version | sed -n 's/^inflate: //p')
ev() { "$RBLFORGE" events --tz JST-9 "$@" "$S/mail.log.1.gz" "$S/mail.log"; }

ev -j 1 >"$TMP/e1" 2>/dev/null; is $? 0 "events -j 1"
[ "$(wc -l <"$TMP/e1")" -gt 1000 ]; ok $? "events -j 1 prints the sample's events"
for j in 2 3; do
    ev -j "$j" >"$TMP/e" 2>/dev/null
    cmp -s "$TMP/e1" "$TMP/e"; ok $? "events -j $j: same bytes as -j 1"
done
# The hidden chunk size: many chunks per file, so threads interleave.
for cs in 131072 200000; do
    RBLFORGE_CHUNK_SIZE=$cs ev -j 2 >"$TMP/e" 2>/dev/null
    cmp -s "$TMP/e1" "$TMP/e"; ok $? "events -j 2, $cs-byte chunks: same bytes"
done
RBLFORGE_CHUNK_SIZE=131072 ev -j 2 --format tsv >"$TMP/t2" 2>/dev/null
ev -j 1 --format tsv >"$TMP/t1" 2>/dev/null
cmp -s "$TMP/t1" "$TMP/t2"; ok $? "events --format tsv: -j 1 and -j 2 with small chunks agree"
# An explicit year makes stamps depend on the previous line (rollover):
# chunks of one file are then parsed in order.
ev -j 1 --year 2026 >"$TMP/y1" 2>/dev/null
RBLFORGE_CHUNK_SIZE=131072 ev -j 2 --year 2026 >"$TMP/y2" 2>/dev/null
cmp -s "$TMP/y1" "$TMP/y2"; ok $? "events --year: -j 1 and -j 2 with small chunks agree"
for be in $backends; do
    RBLFORGE_CHUNK_SIZE=131072 ev -j 2 --inflate "$be" >"$TMP/e" 2>/dev/null
    cmp -s "$TMP/e1" "$TMP/e"; ok $? "events --inflate $be: same bytes"
done
ev --stats -j 1 >/dev/null 2>"$TMP/s1"
RBLFORGE_CHUNK_SIZE=131072 ev --stats -j 2 >/dev/null 2>"$TMP/s2"
cmp -s "$TMP/s1" "$TMP/s2"; ok $? "events --stats: same counts for -j 1 and -j 2"

# Many members, bigger than one read buffer, one of them damaged: both
# backends keep the same lines and name the same offset.
if [ -x "$B/genlog" ]; then
    "$B/genlog" --seed 7 --sessions 20000 >"$TMP/big.log" 2>/dev/null
    split -l 20000 "$TMP/big.log" "$TMP/part."
    for p in "$TMP"/part.*; do gzip -c "$p"; done >"$TMP/members.gz"
    { head -c 200000 "$TMP/members.gz"; printf '\037\213\010\000damaged-damaged-damaged';
      tail -c +200001 "$TMP/members.gz"; } >"$TMP/damaged.gz"
    gzip -dc "$TMP/members.gz" | cmp -s - "$TMP/big.log"; ok $? "test input: members concatenate to the log"
    "$RBLFORGE" events -j 1 --inflate zlib "$TMP/big.log" | sed 's/"file":"[^"]*"//' >"$TMP/plain" 2>/dev/null
    for be in $backends; do
        RBLFORGE_CHUNK_SIZE=150000 "$RBLFORGE" events -j 2 --inflate "$be" "$TMP/members.gz" 2>/dev/null \
            | sed 's/"file":"[^"]*"//' >"$TMP/m"
        cmp -s "$TMP/plain" "$TMP/m"; ok $? "$be: $(ls "$TMP"/part.* | wc -l | tr -d ' ') members read like the plain log"
        "$RBLFORGE" events -j 2 --inflate "$be" "$TMP/damaged.gz" >"$TMP/d.$be" 2>"$TMP/err.$be"
        is $? 3 "$be: damaged member: exit 3"
        grep -q "damaged.gz: corrupt gzip data at compressed offset" "$TMP/err.$be"; ok $? "$be: damage named with the offset"
    done
    set -- $backends
    if [ $# -ge 2 ]; then
        cmp -s "$TMP/d.$1" "$TMP/d.$2"; ok $? "damaged member: $1 and $2 keep the same events"
    fi
else
    skip "genlog not built"
fi

# run: every output the same for -j 1 and -j 2 with small chunks, both backends.
OUTS="bl.rbldnsd bl6.rbldnsd bl.zone fw.nft fw.ipset listings.csv summary.json"
run() { "$RBLFORGE" run --tz JST-9 --now 2026-11-25T03:00:00Z --no-progress \
        --allowlist "$S/allowlist.txt" "$@" "$S/mail.log.1.gz" "$S/mail.log" >/dev/null 2>&1; }
run -o "$TMP/r1" -j 1 --inflate zlib
for be in $backends; do
    RBLFORGE_CHUNK_SIZE=131072 run -o "$TMP/r.$be" -j 2 --inflate "$be"
    same=0
    for f in $OUTS; do cmp -s "$TMP/r1/$f" "$TMP/r.$be/$f" || { same=1; diag "$f differs"; }; done
    ok $same "run -j 2 --inflate $be, small chunks: all outputs identical to -j 1 zlib"
done
# Many addresses, small chunks: per-thread tables are merged into the
# shared one in batches (2048 addresses with 128 KB chunks).
if [ -x "$B/genlog" ]; then
    "$B/genlog" --seed 3 --sessions 30000 --bots 20000 --crowded 10 --v6-bots 500 >"$TMP/many.log"
    "$RBLFORGE" run --now 2026-11-25T03:00:00Z --no-progress -j 1 -o "$TMP/m1" "$TMP/many.log" "$TMP/many.log" >/dev/null 2>&1
    for j in 2 3; do
        RBLFORGE_CHUNK_SIZE=131072 "$RBLFORGE" run --now 2026-11-25T03:00:00Z --no-progress -j $j \
            -o "$TMP/m$j" "$TMP/many.log" "$TMP/many.log" >/dev/null 2>&1
        same=0
        for f in $OUTS; do cmp -s "$TMP/m1/$f" "$TMP/m$j/$f" || { same=1; diag "$f differs"; }; done
        ok $same "run -j $j, small chunks, $(grep -c . "$TMP/m1/listings.csv") listings (batch merges): same outputs as -j 1"
    done
else
    skip "genlog not built"; skip "genlog not built"
fi

# Progress: only when asked (or on a terminal), never under cron.
"$RBLFORGE" events --progress "$S/mail.log.1.gz" >/dev/null 2>"$TMP/p"
grep -q "MB/s" "$TMP/p"; ok $? "--progress draws on stderr"
"$RBLFORGE" events "$S/mail.log.1.gz" >/dev/null 2>"$TMP/p"
[ ! -s "$TMP/p" ]; ok $? "no progress when stderr is not a terminal"
done_testing
