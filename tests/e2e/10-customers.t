#!/bin/sh
# Per-customer outbound reports: exact counts on a small log (interleaved
# messages, a reused short queue ID, a deferred-then-sent retry, pickup,
# qmail, inbound mail left out), rotated files in both command-line orders,
# the input split at every line boundary, 1 vs N threads, the tiers of the
# sample customers, the customer map's errors, and run --customers.
. "$(dirname "$0")/tap.sh"

D="$TOP/tests/e2e/data"
R() { "$RBLFORGE" report --year 2026 --now 1795575600 "$@"; }

R --customers "$D/outbound.map" -o "$TMP/o" "$D/outbound.log" 2>"$TMP/err"; is $? 0 "report on a small log"
cat >"$TMP/want.csv" <<'CSV'
customer,tier,messages,recipients,sent,bounced,deferred,bounce_rate,spam_rejections,login_ips,signals
Pills,watch,1,3,1,2,0,0.6667,1,1,remote_spam_rejections
Qnews,watch,1,2,1,1,0,0.5000,1,0,remote_spam_rejections
"Web Host",watch,1,1,0,1,0,1.0000,1,0,remote_spam_rejections;blocklisted_by_remote
Good,ok,2,2,2,0,1,0.0000,0,1,
(unmapped),ok,1,2,2,0,0,0.0000,0,1,
CSV
cmp -s "$TMP/want.csv" "$TMP/o/customers/index.csv"; ok $? "exact counts per customer (reused queue ID, retry, pickup uid, qmail, unmapped)"
[ $? -eq 0 ] || diff "$TMP/want.csv" "$TMP/o/customers/index.csv" | sed 's/^/# /'
for c in Pills Qnews "Web Host"; do
    [ -s "$TMP/o/customers/$c.json" ] && [ -s "$TMP/o/customers/$c.ja.txt" ] && [ -s "$TMP/o/customers/$c.en.txt" ] \
        && [ -s "$TMP/o/customers/$c.ja.eml" ] && [ -s "$TMP/o/customers/$c.en.eml" ]; ok $? "$c.json and its letters (ja, en; .txt and .eml) written"
done
for c in Good "(unmapped)"; do
    [ -s "$TMP/o/customers/$c.json" ] && ! ls "$TMP/o/customers/$c".*.txt "$TMP/o/customers/$c".*.eml >/dev/null 2>&1; ok $? "$c (ok): $c.json, no letter"
done
python3 - "$TMP/o/customers" <<'PY'; ok $? "JSON parses; evidence names file:line; unmapped broken down per client IP"
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/Pills.json"))
s = {x["name"]: x for x in p["signals"]}
ev = s["remote_spam_rejections"]["evidence"][0]
assert ev["line"] == 9 and ev["file"].endswith("outbound.log"), ev
assert "Message rejected as spam" in ev["text"]
assert p["figures"]["unknown_recipients"] == 1
g = json.load(open(d + "/Good.json"))
assert g["figures"]["attempts"] == 3 and g["figures"]["recipients"] == 2
assert g["logins"][0]["login"] == "ann@good.example" and g["logins"][0]["messages"] == 2
u = json.load(open(d + "/(unmapped).json"))
assert u["client_addresses"] == [{"ip": "198.51.100.99", "messages": 1, "recipients": 2,
    "sent": 2, "bounced": 0, "deferred": 0, "spam_rejections": 0}], u["client_addresses"]
PY

# Figures without positions: what must not depend on how the input is cut.
strip() { sed -e 's/"file": "[^"]*", "line": [0-9]*, //g' "$@"; }
figures() {     # figures DIR -> one stream
    cat "$1/customers/index.csv"
    for f in "$1"/customers/*.json; do strip "$f"; done
}
figures "$TMP/o" >"$TMP/whole"
n=$(wc -l <"$D/outbound.log")
k=17
head -n $k "$D/outbound.log" >"$TMP/mail.log.1"
tail -n +$((k + 1)) "$D/outbound.log" >"$TMP/mail.log"
R --customers "$D/outbound.map" -o "$TMP/r1" "$TMP/mail.log" "$TMP/mail.log.1" 2>/dev/null
figures "$TMP/r1" | cmp -s - "$TMP/whole"; ok $? "rotated files, logrotate order (mail.log mail.log.1)"
R --customers "$D/outbound.map" -o "$TMP/r2" "$TMP/mail.log.1" "$TMP/mail.log" 2>/dev/null
figures "$TMP/r2" | cmp -s - "$TMP/whole"; ok $? "rotated files, chronological order"

bad=
k=1
while [ $k -lt "$n" ]; do
    head -n $k "$D/outbound.log" >"$TMP/a.log"
    tail -n +$((k + 1)) "$D/outbound.log" >"$TMP/b.log"
    rm -rf "$TMP/s"
    R -j 2 --customers "$D/outbound.map" -o "$TMP/s" "$TMP/b.log" "$TMP/a.log" 2>/dev/null
    figures "$TMP/s" | cmp -s - "$TMP/whole" || bad="$bad $k"
    k=$((k + 1))
done
is "$bad" "" "input split at each of the $((n - 1)) line boundaries: identical figures"

# The sample days: 1 thread and 2 threads, byte for byte.
S="$TOP/datasets/sample"
cp "$S/customers.tsv" "$TMP/sample.map"
for j in 1 2; do
    R -j $j --tz JST-9 --customers "$TMP/sample.map" -o "$TMP/j$j" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
done
diff -r -x .pub "$TMP/j1" "$TMP/j2" >/dev/null; ok $? "1 thread and 2 threads: identical reports, letters and report.html"
tier() { awk -F, -v c="$2" '$1 == c || $1 == "\"" c "\"" { print $2 }' "$1/customers/index.csv"; }
is "$(tier "$TMP/j1" "Cheap Pills")" suspend "spammer (bounces, remote spam rejections) is suspend"
is "$(tier "$TMP/j1" Smallshop)" suspend "phished mailbox is suspend"
grep -q '^Smallshop,.*account_compromise' "$TMP/j1/customers/index.csv"; ok $? "phished mailbox has account_compromise"
is "$(tier "$TMP/j1" "Bulk News")" ok "clean bulk sender stays ok"
is "$(tier "$TMP/j1" Acme)" ok "normal customer is ok"
is "$(tier "$TMP/j1" Clean)" ok "clean customer is ok"
is "$(sed -n 2p "$TMP/j1/customers/index.csv" | cut -d, -f1)" '"Cheap Pills"' "worst first"
grep -q '^Subject: .*送信' "$TMP/j1/customers/Smallshop.ja.txt" && grep -q '^Subject: .*Outbound mail' "$TMP/j1/customers/Smallshop.en.txt" \
    && ! grep -q 'Dear' "$TMP/j1/customers/Smallshop.ja.txt" && ! grep -q '様' "$TMP/j1/customers/Smallshop.en.txt"; ok $? "letter in Japanese and English, one file each"
R --tz JST-9 --asn-db "$TOP/datasets/asn/asn-test.mmdb" --customers "$TMP/sample.map" -o "$TMP/asn" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
python3 - "$TMP/asn/customers" "$TMP/j1/customers" <<'PY'; ok $? "--asn-db: distinct ASNs per login (phished: 4 test ASNs; normal: 1); none without a database"
import json, sys
s = json.load(open(sys.argv[1] + "/Smallshop.json"))
assert s["logins"][0]["asns"] == 4 and s["logins"][0]["networks"] == 134, s["logins"]
sig = [x for x in s["signals"] if x["name"] == "account_compromise"][0]
assert sig["figures"]["asns"] == 4 and "4 ASNs" in sig["summary"], sig
assert json.load(open(sys.argv[1] + "/Acme.json"))["logins"][0]["asns"] == 1
assert "asns" not in json.load(open(sys.argv[2] + "/Smallshop.json"))["logins"][0]
PY
grep -q '<th>ASNs</th>' "$TMP/asn/report.html"; ok $? "report.html: ASN column with a database"
R --lang en --customers "$TMP/sample.map" -o "$TMP/en" "$S/mail.log" 2>/dev/null
[ -s "$TMP/en/customers/Smallshop.en.txt" ] && [ ! -e "$TMP/en/customers/Smallshop.ja.txt" ]; ok $? "--lang en: English only"

# Customer map errors name file:line; exit 2.
bad_map() {     # bad_map DESCRIPTION ROW MESSAGE
    printf '# ok\nA\tsasl\ta@b\n%b\n' "$2" >"$TMP/bad.map"
    R --customers "$TMP/bad.map" -o "$TMP/x" "$D/outbound.log" 2>"$TMP/err"
    st=$?
    [ $st -eq 2 ] && grep -q "bad.map:3: .*$3" "$TMP/err"; ok $? "$1"
}
bad_map "name with /" '../etc\tsasl\tx@y' "file name"
bad_map "name with a slash" 'a/b\tsasl\tx@y' "file name"
bad_map "control byte in name" 'a\001b\tsasl\tx@y' "file name"
bad_map "unknown kind" 'A\temail\tx@y' "unknown kind"
bad_map "bad cidr" 'A\tcidr\t10.0.0.1/8' "CIDR"
bad_map "two columns" 'A\tsasl' "customer<TAB>kind<TAB>value"
bad_map "duplicate sasl" 'B\tsasl\tA@B' "already belongs"
[ ! -e "$TMP/x/customers" ]; ok $? "nothing published on a map error"
mkdir -p "$TMP/tpl"
printf 'Subject: {{subject}}\n\nDear {{customer}},\n{{nope}}\n%%%% tier ok\nfine\n' >"$TMP/tpl/letter.en.txt"
R --templates "$TMP/tpl" --lang en --customers "$D/outbound.map" -o "$TMP/x" "$D/outbound.log" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'letter.en.txt:4: unknown placeholder {{nope}}' "$TMP/err"; ok $? "template errors name file:line"
printf 'Subject: x\n%%%% signal no_such_signal\nx\n' >"$TMP/tpl/letter.en.txt"
R --templates "$TMP/tpl" --lang en --customers "$D/outbound.map" -o "$TMP/x" "$D/outbound.log" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'letter.en.txt:2: unknown signal' "$TMP/err"; ok $? "unknown signal in a template: file:line"

# run --customers: reports published with the zone; the listing summary.
"$RBLFORGE" run --year 2026 --tz JST-9 --now 1795575600 --customers "$TMP/sample.map" \
    --allowlist "$S/allowlist.txt" -o "$TMP/run" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
is $? 0 "run --customers"
[ -s "$TMP/run/bl.rbldnsd" ] && [ -s "$TMP/run/report.html" ] && [ -s "$TMP/run/customers/index.csv" ]; ok $? "zone, report.html and customers/ in one publication"
cmp -s "$TMP/run/customers/index.csv" "$TMP/j1/customers/index.csv"; ok $? "same index.csv as rblforge report"
grep -q '[0-9]* added, [0-9]* removed, [0-9]* kept (previously [0-9]*)' "$TMP/run/report.html"; ok $? "report.html has the listing summary and diff"
cp "$TMP/run/report.html" "$TMP/report.before"
cp "$TMP/run/customers/index.csv" "$TMP/index.before"
"$RBLFORGE" run --year 2026 --now 1795579200 --customers "$D/outbound.map" -o "$TMP/run" "$D/outbound.log" 2>/dev/null
is $? 4 "run --customers: the safety valve trips on an almost empty listing"
cmp -s "$TMP/run/report.html" "$TMP/report.before" && cmp -s "$TMP/run/customers/index.csv" "$TMP/index.before"
ok $? "valve tripped: report.html and customers/ untouched too"
[ -z "$(ls -A "$TMP/run" | grep -e '^\.customers' -e '^\.report')" ]; ok $? "valve tripped: no temporaries left"
printf '[customers]\nmap = %s\nbounce_rate_suspend = 0.9\n' "$TMP/sample.map" >"$TMP/c.ini"
R -c "$TMP/c.ini" --tz JST-9 -o "$TMP/cfg" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null; is $? 0 "[customers] map from the config"
is "$(tier "$TMP/cfg" "Cheap Pills")" suspend "spammer still suspend (spam rejections) with bounce_rate_suspend = 0.9"
# report takes [policy] allowlist like run does; --allowlist overrides it.
printf '[policy]\nallowlist = %s\n[customers]\nmap = %s\n' "$S/allowlist.txt" "$TMP/sample.map" >"$TMP/a.ini"
R -c "$TMP/a.ini" --tz JST-9 -o "$TMP/ra" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
R --customers "$TMP/sample.map" --allowlist "$S/allowlist.txt" --tz JST-9 -o "$TMP/rb" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
R --customers "$TMP/sample.map" --tz JST-9 -o "$TMP/rc" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
cmp -s "$TMP/ra/report.html" "$TMP/rb/report.html" && ! cmp -s "$TMP/ra/report.html" "$TMP/rc/report.html"
ok $? "report: [policy] allowlist from the config counts like --allowlist (the relay is not listed)"
# A second report replaces customers/ wholesale: no stale files.
printf 'Only\tsasl\talice@acme.example\n' >"$TMP/one.map"
R --customers "$TMP/one.map" -o "$TMP/j1" "$S/mail.log" 2>/dev/null
[ ! -e "$TMP/j1/customers/Acme.json" ] && [ -e "$TMP/j1/customers/Only.json" ]; ok $? "customers/ swapped as a whole"
[ -z "$(ls -A "$TMP/j1" | grep '^\.customers')" ]; ok $? "no staging directory left"
mkdir -p "$TMP/j1/.customers.new.k9Xq2Z" && touch "$TMP/j1/.customers.new.k9Xq2Z/Acme.json"
R --customers "$TMP/one.map" -o "$TMP/j1" "$S/mail.log" 2>/dev/null
[ ! -e "$TMP/j1/.customers.new.k9Xq2Z" ]; ok $? "a staging directory left by a killed run is removed"
done_testing
