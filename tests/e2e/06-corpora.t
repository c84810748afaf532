#!/bin/sh
# Robustness on real published log lines (../shared/corpora): every corpus
# parses without a crash and every output line is valid JSON. Field
# accuracy is measured by ../shared/tools/corpus-accuracy.
. "$(dirname "$0")/tap.sh"

C="$TOP/../shared/corpora"
if [ ! -d "$C" ]; then
    skip "../shared/corpora not found: corpus tests need the shared folder next to the repository"
    done_testing; exit
fi
for d in "$C"/*/; do
    name=$(basename "$d")
    f="$d/lines.wrapped.log"; [ -f "$f" ] || f="$d/lines.log"
    [ -f "$f" ] || continue
    TZ=UTC "$RBLFORGE" events --format jsonl "$f" >"$TMP/$name.jsonl" 2>"$TMP/err"; st=$?
    is "$st" 0 "$name: events exits 0"
    python3 -c '
import json, sys
n = 0
for l in open(sys.argv[1], encoding="utf-8"):
    json.loads(l); n += 1
print("# %s: %d events" % (sys.argv[2], n))
' "$TMP/$name.jsonl" "$name"; ok $? "$name: every line is valid JSON"
done
if [ -x "$TOP/../shared/tools/corpus-accuracy" ]; then
    (cd "$TOP" && ../shared/tools/corpus-accuracy --min-asserted 0 --min-read 0 "$C"/*/ 2>&1 | tail -12 | sed 's/^/# /')
fi
done_testing
