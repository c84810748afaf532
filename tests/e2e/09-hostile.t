#!/bin/sh
# Hostile log bytes never reach a consumer: host names, HELO, senders and
# reply texts full of quotes, semicolons, $ORIGIN, braces, backticks,
# syslog-escaped newlines, CR, NUL and invalid UTF-8. Every output must
# still pass its validator and carry no hostile fragment.
. "$(dirname "$0")/tap.sh"

L="$TMP/hostile.log"
i=0
for host in 'evil";$ORIGIN-x.;`reboot`' '{flush;ruleset}' '=cmd|calc!A0' '+SUM(1)' '-2+3' '@import' \
            'a#012$TTL#0120' 'x\";drop' "caf$(printf '\303\251')" "bad$(printf '\377\376')" 'semi;colon,comma"quote' \
            "rlo$(printf '\342\200\256')gpj.exe$(printf '\342\200\213')"; do
    i=$((i + 1))
    ip="198.18.$i.7"   # one /24 each: no network escalation
    printf 'Nov 24 06:25:01 mx1 postfix/smtpd[1]: connect from %s[%s]\n' "$host" "$ip"
    for k in 1 2 3; do
        printf 'Nov 24 06:25:02 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from %s[%s]: 554 5.7.1 <x@y>: Relay access denied "; $ORIGIN evil. `id` {}; from=<a"b;`id`@x> to=<$ORIGIN@y> proto=ESMTP helo=<%s>\n' "$host" "$ip" "$host"
    done
    printf 'Nov 24 06:25:03 mx1 postfix/postscreen[2]: PREGREET 20 after 0 from [%s]:1: EHLO "; $ORIGIN x\\r\\n\n' "$ip"
    printf 'Nov 24 06:25:04 mx1 postfix/smtpd[1]: warning: %s[%s]: SASL LOGIN authentication failed: ";`id`\r\n' "$host" "$ip"
done >"$L"
printf 'Nov 24 06:25:05 mx1 postfix/smtpd[1]: connect from nul\000byte[198.18.8.1]\n' >>"$L"

# 198.18/15 (benchmarking) is never listed unless made a test range.
"$RBLFORGE" run --year 2026 --now 1795575600 --test-range 198.18.0.0/15 -o "$TMP/out" "$L" 2>"$TMP/err"; is $? 0 "run on hostile input"
O="$TMP/out"
is "$(tail -n +2 "$O/listings.csv" | wc -l | tr -d ' ')" "$i" "every hostile client is listed"

for f in bl.rbldnsd bl6.rbldnsd bl.zone fw.nft fw.ipset postfix/client_access.cidr postfix/postscreen_access.cidr; do
    if grep -q -e 'ORIGIN-x' -e 'ORIGIN evil' -e '`' -e 'reboot' -e 'ruleset' -e 'drop' -e 'calc' -e '#012' -e 'TTL#' "$O/$f"; then
        ok 1 "$f carries no hostile fragment"; grep -n -e '`' -e 'ORIGIN' "$O/$f" | head -3 | sed 's/^/# /'
    else
        ok 0 "$f carries no hostile fragment"
    fi
done
if command -v rbldnsd >/dev/null; then
    rbldnsd -d -b 127.0.0.1/1 bl.example:ip4set:"$O/bl.rbldnsd" >/dev/null 2>"$TMP/w"
    [ ! -s "$TMP/w" ]; ok $? "rbldnsd loads bl.rbldnsd without warnings"
else skip "rbldnsd not installed"; fi
if command -v named-checkzone >/dev/null; then
    named-checkzone bl.example "$O/bl.zone" >/dev/null 2>&1; ok $? "named-checkzone accepts bl.zone"
else skip "named-checkzone not installed"; fi
if command -v nft >/dev/null && nft -c -f /dev/null >/dev/null 2>&1; then
    nft -c -f "$O/fw.nft" >/dev/null 2>&1; ok $? "nft -c accepts fw.nft"
elif command -v nft >/dev/null && unshare -n nft -c -f /dev/null >/dev/null 2>&1; then
    unshare -n nft -c -f "$O/fw.nft" >/dev/null 2>&1; ok $? "nft -c accepts fw.nft (in unshare -n)"
else skip "nft -c not possible here"; fi
python3 - "$O/listings.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8", errors="strict")))
width = len(rows[0])
bad = [r for r in rows if len(r) != width]
formula = [c for r in rows[1:] for c in r if c[:1] in ("=", "+", "-", "@")]
ctrl = [c for r in rows for c in r if any(ord(ch) < 32 for ch in c)]
print("# listings.csv: %d rows of %d cells" % (len(rows) - 1, width))
sys.exit(1 if bad or formula or ctrl else 0)
PY
ok $? "listings.csv: valid UTF-8 CSV, fixed width, no formula cells, no control bytes"
# U+202E (right-to-left override) and U+200B (zero-width space) from a host
# name reach no output raw: they would reorder or hide what a reader sees.
raw=$(grep -rl "$(printf '\342\200\256')\|$(printf '\342\200\213')" "$O" 2>/dev/null)
is "$raw" "" "no output carries a raw bidi override or zero-width character"
grep -q 'rlo\\u202egpj' "$O/listings.csv"; ok $? "listings.csv shows the override as visible \\u202e"
python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$O/summary.json"
ok $? "summary.json is valid JSON"
"$RBLFORGE" events --year 2026 "$L" >"$TMP/ev.jsonl" 2>/dev/null
python3 - "$TMP/ev.jsonl" <<'PY'
import json, sys
n = 0
for raw in open(sys.argv[1], "rb"):
    raw = raw.rstrip(b"\n")
    if any(b < 32 or b == 127 for b in raw):
        sys.exit(1)             # a control byte passed through unescaped
    json.loads(raw.decode("utf-8", errors="strict"))
    n += 1
print("# events: %d valid JSON lines" % n)
PY
ok $? "events: valid UTF-8 JSON, control bytes escaped"
"$RBLFORGE" events --format tsv --year 2026 "$L" 2>/dev/null | awk -F'\t' 'NR==1{w=NF} NF!=w{bad=1} END{exit bad}'
ok $? "events TSV: every row has the header's width"
done_testing
