#!/bin/sh
# The nightly job on the sample day: outputs, determinism, thread count,
# allowlist, and decisions against the generator's ground truth.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
G="$B/genlog"
OUTS="bl.rbldnsd bl6.rbldnsd bl.zone fw.nft fw.ipset listings.csv networks.csv asn.csv summary.json"
run() { "$RBLFORGE" run --year 2026 --tz JST-9 --now 2026-11-25T03:00:00Z \
        --allowlist "$S/allowlist.txt" --asn-db "$TOP/datasets/asn/asn-test.mmdb" "$@" \
        "$S/mail.log.1.gz" "$S/mail.log"; }

# The committed sample is what the seeded generator writes.
if [ -x "$G" ]; then
    "$G" --seed 20261123 --date 2026-11-23 --sessions 6000 >"$TMP/day1" 2>/dev/null
    gzip -dc "$S/mail.log.1.gz" | cmp -s - "$TMP/day1"; ok $? "datasets/sample/mail.log.1.gz matches scripts/genlog"
    "$G" --seed 20261124 --date 2026-11-24 --sessions 2000 --stamp rfc3339 --tz-offset +09:00 \
        --truth 2>"$TMP/truth2" | cmp -s - "$S/mail.log"; ok $? "datasets/sample/mail.log matches scripts/genlog"
    "$G" --seed 20261123 --date 2026-11-23 --sessions 6000 --truth 2>"$TMP/truth" >/dev/null
else
    skip "genlog not built"; skip "genlog not built"
fi

run -o "$TMP/o1" -j 1 >/dev/null 2>"$TMP/err"; is $? 0 "run exits 0"
for f in $OUTS; do
    [ -s "$TMP/o1/$f" ]; ok $? "$f written"
    is "$(stat -L -c %a "$TMP/o1/$f")" 644 "$f is mode 0644"
done
is "$(temporaries "$TMP/o1")" 0 "no temporary files left behind"
# Without customer reports, report.html is the dashboard of the listings alone.
grep -q 'id="headline"' "$TMP/o1/report.html" && grep -q 'no customer reports in this run' "$TMP/o1/report.html"
ok $? "report.html: the operator's dashboard also without --customers"
run -o "$TMP/o2" -j 2 >/dev/null 2>&1
run -o "$TMP/o3" -j 2 >/dev/null 2>&1
for f in $OUTS; do
    cmp -s "$TMP/o1/$f" "$TMP/o2/$f"; ok $? "$f: 1 thread and 2 threads give the same bytes"
    cmp -s "$TMP/o2/$f" "$TMP/o3/$f"; ok $? "$f: two runs give the same bytes"
done

# -v tells where the run went, phase by phase, and the publication's
# commit (its syncs and renames) apart: the format, not the figures.
run -v -o "$TMP/ov" -j 2 >/dev/null 2>"$TMP/verr"
num='[0-9][0-9]*\.[0-9][0-9]'
grep -q "^rblforge: time: read $num s (CPU $num s), decide $num s (CPU $num s), publish $num s (CPU $num s; committing $num s)\$" "$TMP/verr"
ok $? "run -v: the phases' times, the commit's apart"
grep -q "^rblforge: time: read threads: t0 inflate $num s, parse $num s, idle $num s, CPU $num s; t1 " "$TMP/verr"
ok $? "run -v: each thread's inflating, parsing and idle time"

listed() { grep -q "^$1," "$TMP/o1/listings.csv"; }
listed 192.0.2.25; is $? 1 "the allowlisted relay is not listed"
"$RBLFORGE" run --year 2026 --tz JST-9 --now logs -o "$TMP/noallow" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
grep -q '^192.0.2.25,' "$TMP/noallow/listings.csv"; ok $? "without the allowlist the relay would be listed"

if [ -s "$TMP/truth" ]; then
    fp=0; brute_ok=0; brute_n=0; bots=0; bots_listed=0
    while IFS="$(printf '\t')" read -r kind ip name; do
        case $kind in
        legit) listed "$ip" && { fp=$((fp + 1)); diag "legitimate MTA listed: $ip $name"; }
               # ... nor inside an escalated network
               case $ip in *:*) net=$(echo "$ip" | cut -d: -f1-3)"::/64" ;;
                           *) net=$(echo "$ip" | cut -d. -f1-3)".0/24" ;; esac
               listed "$net" && { fp=$((fp + 1)); diag "legitimate MTA's network listed: $net"; } ;;
        brute) brute_n=$((brute_n + 1))
               grep -q "^$ip :127.0.0.4:" "$TMP/o1/bl.rbldnsd" && brute_ok=$((brute_ok + 1)) ;;
        bot) bots=$((bots + 1)); listed "$ip" && bots_listed=$((bots_listed + 1)) ;;
        esac
    done <"$TMP/truth"
    is "$fp" 0 "no legitimate MTA of the sample is listed"
    is "$brute_ok" "$brute_n" "every SASL brute-forcer is listed with 127.0.0.4"
    diag "bots of day 1 listed: $bots_listed of $bots (the rest showed too little evidence)"
    [ "$bots_listed" -gt $((bots / 2)) ]; ok $? "most bots are listed"
else
    skip "no ground truth"; skip "no ground truth"; skip "no ground truth"
fi

# The demo's analysis: crowded bot /24s escalated, the relay reported,
# ASNs named.
nets=$(grep -c ',yes$' "$TMP/o1/networks.csv")
diag "networks escalated: $nets"
[ "$nets" -ge 10 ]; ok $? "crowded bot /24s in 100.64.0.0/13 are escalated"
grep -c '^100\.6[4-9]\.[0-9]*\.0/24,\|^100\.7[01]\.[0-9]*\.0/24,' "$TMP/o1/listings.csv" >"$TMP/n"
is "$(cat "$TMP/n")" "$(grep -c '^100\.\(6[4-9]\|7[01]\)\..*,yes$' "$TMP/o1/networks.csv")" "each escalated network is one listing"
grep -q '"address": "192.0.2.25"' "$TMP/o1/summary.json"; ok $? "summary.json reports the allowlisted relay"
grep -q '^64500,"Example Cable Access (CGN pools)",' "$TMP/o1/asn.csv"; ok $? "asn.csv names the bots' AS"

# TXT templates naming the address never, once, three and five times:
# bl.zone carries each expanded in full (and loads).
x150=$(printf '%150s' '' | tr ' ' x)
printf '[zone]\ntxt_spam = a$b$c$d\ntxt_net = static text, no address\ntxt_dynamic = $ $ $ $ $\ntxt_auth = $%s\n' \
    "$x150" >"$TMP/txt.ini"
run -c "$TMP/txt.ini" -o "$TMP/o5" >/dev/null 2>&1; is $? 0 "run with TXT templates"
txt_of() {      # the TXT text bl.zone gives the first IPv4 address listed for cause $1
    ip=$(awk -F, -v c="$1" '$2 == c && $1 ~ /^[0-9.]+$/ { print $1; exit }' "$TMP/o5/listings.csv")
    owner=$(echo "$ip" | awk -F. '{ print $4 "." $3 "." $2 "." $1 }')
    awk -v o="$owner" '$1 == o && $3 == "A" { getline; sub(/^[^"]*"/, ""); sub(/"$/, ""); print; exit }' \
        "$TMP/o5/bl.zone"
}
for c in spam dynamic auth; do
    ip=$(awk -F, -v c="$c" '$2 == c && $1 ~ /^[0-9.]+$/ { print $1; exit }' "$TMP/o5/listings.csv")
    case $c in
    spam) want="a${ip}b${ip}c${ip}d" ;;
    dynamic) want="$ip $ip $ip $ip $ip" ;;
    auth) want="$ip$x150" ;;
    esac
    [ -n "$ip" ] && is "$(txt_of "$c")" "$want" "bl.zone TXT for cause $c: the template expanded"
done
if command -v named-checkzone >/dev/null; then
    named-checkzone bl.example "$TMP/o5/bl.zone" >/dev/null; ok $? "named-checkzone accepts the zone"
else
    skip "no named-checkzone"
fi

# A failed publish leaves the previous files untouched.
cp -a "$TMP/o1" "$TMP/keep"
chmod 555 "$TMP/o1"
if [ "$(id -u)" -eq 0 ]; then
    skip "root ignores directory permissions"
else
    run -o "$TMP/o1" >/dev/null 2>&1; is $? 1 "unwritable OUTDIR: exit 1"
fi
chmod 755 "$TMP/o1"
diff -r -x .pub "$TMP/keep" "$TMP/o1" >/dev/null; ok $? "previous publication unchanged after a failed run"
# A damaged input still publishes what was read, with exit 3.
head -c 300000 "$S/mail.log.1.gz" >"$TMP/cut.gz"
"$RBLFORGE" run --year 2026 -o "$TMP/o4" "$TMP/cut.gz" >/dev/null 2>"$TMP/err"; is $? 3 "damaged input: exit 3"
[ -s "$TMP/o4/bl.rbldnsd" ]; ok $? "damaged input: outputs published"
done_testing
