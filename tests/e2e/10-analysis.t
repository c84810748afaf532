#!/bin/sh
# The analysis rules on small logs with exact outcomes: rDNS bars, the
# dynamic list, network escalation and its holds, allow/denylists, the
# time window, ASN columns, top and explain, check-config errors.
. "$(dirname "$0")/tap.sh"

L="$TMP/a.log"
n=0
stamp() { n=$((n + 1)); printf 'Nov 24 10:%02d:%02d mx1 ' $((n / 60 % 60)) $((n % 60)); }
dnsbl() {   # HOST IP
    stamp; printf 'postfix/smtpd[11]: NOQUEUE: reject: RCPT from %s[%s]: 554 5.7.1 Service unavailable; Client host [%s] blocked using zen.spamhaus.org; from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<x>\n' "$1" "$2" "$2"; }
unknown_rcpt() {
    stamp; printf 'postfix/smtpd[11]: NOQUEUE: reject: RCPT from %s[%s]: 550 5.1.1 <c@example.net>: Recipient address rejected: User unknown in virtual mailbox table; from=<a@example.org> to=<c@example.net> proto=ESMTP helo=<x>\n' "$1" "$2"; }
# A message is accepted when qmgr takes it, paired with smtpd's client= by queue ID.
accepted() { stamp; q=$(printf '3F2A%04X' $n); printf 'postfix/smtpd[11]: %s: client=%s[%s]\n' "$q" "$1" "$2"
             stamp; printf 'postfix/qmgr[14]: %s: from=<a@example.com>, size=100, nrcpt=1 (queue active)\n' "$q"; }
pregreet() { stamp; printf 'postfix/postscreen[12]: PREGREET 23 after 0.1 from [%s]:1234: EHLO x\\r\\n\n' "$1"; }
rdnsfail() { stamp; printf 'postfix/smtpd[11]: warning: hostname %s does not resolve to address %s: Name or service not known\n' "$1" "$2"; }
authfail() { stamp; printf 'postfix/submission/smtpd[13]: warning: unknown[%s]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n' "$1"; }
{
    dnsbl 1-2-3-4.dyn.example.net 192.0.2.4; dnsbl 1-2-3-4.dyn.example.net 192.0.2.4
    dnsbl mx.example.org 203.0.113.9; dnsbl mx.example.org 203.0.113.9
    unknown_rcpt c-192-0-2-40.hsd1.example.net 192.0.2.40
    dnsbl unknown 192.0.2.41; dnsbl unknown 192.0.2.41
    rdnsfail h42.example.com 192.0.2.42; dnsbl unknown 192.0.2.42; dnsbl unknown 192.0.2.42
    for i in 1 2 3 4; do pregreet 198.51.100.$i; done
    for i in 1 2 3; do pregreet 198.51.101.$i; done
    accepted mx1.example.com 198.51.101.20; accepted mx2.example.com 198.51.101.21
    for i in 1 2 3 4; do pregreet 198.51.102.$i; done
    accepted mail.example.com 198.51.102.50
    for i in 1 2 3 4 5; do pregreet 100.64.1.$i; done
    i=0; while [ $i -lt 20 ]; do authfail 100.64.2.9; i=$((i + 1)); done
} >"$L"
printf '100.64.1.5\n' >"$TMP/allow"
printf '233.252.0.0/24\n' >"$TMP/deny"
R() { "$RBLFORGE" run --year 2026 --tz UTC --now 2026-11-25T00:00:00Z "$@"; }

R -o "$TMP/o" --allowlist "$TMP/allow" --denylist "$TMP/deny" "$L" 2>"$TMP/err"; is $? 0 "run exits 0"
is "$(grep -c 'no ASN database' "$TMP/err")" 0 "without an ASN database and without -v: no message (cron stays silent)"
# Compared in listings.csv (address, code): the zone writers may merge
# adjacent prefixes.
cat >"$TMP/want" <<'W'
100.64.1.1 127.0.0.2
100.64.1.2 127.0.0.2
100.64.1.3 127.0.0.2
100.64.1.4 127.0.0.2
100.64.2.9 127.0.0.4
192.0.2.0/24 127.0.0.3
192.0.2.4 127.0.0.2
192.0.2.40 127.0.0.10
192.0.2.41 127.0.0.2
192.0.2.42 127.0.0.2
198.51.100.0/24 127.0.0.3
198.51.100.1 127.0.0.2
198.51.100.2 127.0.0.2
198.51.100.3 127.0.0.2
198.51.100.4 127.0.0.2
198.51.101.1 127.0.0.2
198.51.101.2 127.0.0.2
198.51.101.3 127.0.0.2
198.51.102.1 127.0.0.2
198.51.102.2 127.0.0.2
198.51.102.3 127.0.0.2
198.51.102.4 127.0.0.2
233.252.0.0/24 127.0.0.2
W
awk -F, 'NR > 1 { print $1, $3 }' "$TMP/o/listings.csv" >"$TMP/got"
diff "$TMP/want" "$TMP/got" >"$TMP/d"; ok $? "listings.csv: exactly the expected entries and codes"
sed 's/^/# /' "$TMP/d"
col() { awk -F, -v a="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $1 == a { print $(h[c]) }' "${3:-$TMP/o/listings.csv}"; }
is "$(col 192.0.2.4 rdns_class),$(col 192.0.2.4 bar),$(col 192.0.2.4 score)" "dynamic,5,8" \
    "dynamic rDNS halves the bar: 8 points list it"
is "$(col 203.0.113.9 cause)" "" "the same 8 points from a named host do not"
is "$(col 192.0.2.41 rdns_class),$(col 192.0.2.41 bar)" "none,7" "no rDNS: bar 7"
is "$(col 192.0.2.42 rdns_class),$(col 192.0.2.42 score)" "fcrdns_fail,9" "rDNS that does not resolve back: class fcrdns_fail, weight 1"
is "$(col 192.0.2.40 cause),$(col 192.0.2.40 code)" "dynamic,127.0.0.10" "a dynamic host with 2 points: the PBL-like list"
is "$(col 198.51.100.0/24 cause),$(col 198.51.100.0/24 source)" "net,network" "4 listed addresses escalate their /24"
is "$(col 233.252.0.0/24 source)" "denylist" "denylist entries are listed"
is "$(grep '^198.51.10[0-2].0/24,\|^100.64.1.0/24,' "$TMP/o/networks.csv" | cut -d, -f1-4,8)" \
"100.64.1.0/24,5,4,0,held:allowlisted
198.51.100.0/24,4,4,0,yes
198.51.101.0/24,5,3,2,no
198.51.102.0/24,5,4,1,held:good-mail" "networks.csv: seen, listed, good, escalation"
grep -q '"address": "100.64.1.5"' "$TMP/o/summary.json"; ok $? "summary.json reports the allowlisted address that would be listed"
grep -q '"net": "100.64.1.0/24", "ips_listed": 4, "reason": "allowlisted address inside"' "$TMP/o/summary.json"
ok $? "summary.json reports the network held because of it"
grep -q '"listed_by_cause": {"spam": 19, "net": 2, "auth": 1, "dynamic": 1}' "$TMP/o/summary.json"
ok $? "summary.json counts by cause"
python3 -m json.tool "$TMP/o/summary.json" >/dev/null 2>&1; ok $? "summary.json is valid JSON"
grep -q '^	198.51.100.0/24,$' "$TMP/o/fw.nft" && ! grep -q '^	198.51.100.1,' "$TMP/o/fw.nft"
ok $? "fw.nft: the network, not the addresses inside it"

# Settings: a stricter network rule, no dynamic list, another prefix length.
printf '[network]\nmin_listed = 5\nratio_min_listed = 5\n[policy]\nlist_dynamic = no\n' >"$TMP/c.ini"
R -c "$TMP/c.ini" -o "$TMP/o2" "$L" 2>/dev/null
is "$(grep -c ',127.0.0.3,\|,127.0.0.10,' "$TMP/o2/listings.csv")" 1 "min_listed = 5 and list_dynamic = no: only 100.64.1.0/24 (5 of 5, no allowlist) escalates"
printf '[network]\nescalate = no\n' >"$TMP/noesc.ini"
R -c "$TMP/noesc.ini" -o "$TMP/o2b" "$L" 2>/dev/null
is "$(grep -c ',net,' "$TMP/o2b/listings.csv")" 0 "escalate = no: no network entries"
printf '[network]\nv4_prefix = 16\n' >"$TMP/c16.ini"
R -c "$TMP/c16.ini" -o "$TMP/o3" "$L" 2>/dev/null
grep -q '^198.51.0.0/16,' "$TMP/o3/networks.csv"; ok $? "v4_prefix = 16 aggregates per /16"

# The time window.
R --since 2026-11-24T10:00:40Z -o "$TMP/o4" "$L" 2>/dev/null
grep -q '^192.0.2.4,' "$TMP/o4/listings.csv"; is $? 1 "--since drops the earlier evidence"
printf '[policy]\nwindow = 1h\n' >"$TMP/w.ini"
R -c "$TMP/w.ini" --now 2026-11-24T12:00:00Z -o "$TMP/o5" "$L" 2>/dev/null
is "$(tail -n +2 "$TMP/o5/listings.csv" | wc -l | tr -d ' ')" 0 "window = 1h before --now: the evidence is older, nothing listed"

# ASN columns from a database built by scripts/mkasn-db.
if perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null; then
    printf 'network,asn,org\n0.0.0.0/0,64510,Everything\n198.51.100.0/22,64496,"Quoted" Hosting, Inc\n100.64.0.0/10,64500,=cmd|calc\n' >"$TMP/asn.csv"
    "$TOP/scripts/mkasn-db" "$TMP/asn.csv" "$TMP/asn.mmdb" 2>/dev/null; ok $? "scripts/mkasn-db builds a database"
    R --asn-db "$TMP/asn.mmdb" --allowlist "$TMP/allow" -o "$TMP/o6" "$L" 2>"$TMP/err"
    is "$(grep -c 'ASN' "$TMP/err")" 0 "with a database: no ASN warning"
    is "$(cat "$TMP/o6/asn.csv")" 'asn,org,events,ips_seen,ips_listed,nets_listed
64496,"""Quoted"" Hosting, Inc",14,14,11,1
64500,"'"'"'=cmd|calc",25,6,5,0
64510,Everything,10,5,4,1' "asn.csv: events, addresses, listed addresses and networks per AS; org escaped"
    is "$(col 192.0.2.4 asn)" "" "without the database listings.csv has no ASN"
    is "$(col 198.51.100.1 asn "$TMP/o6/listings.csv")" 64496 "listings.csv carries the ASN"
else
    skip "libmaxmind-db-writer-perl missing"; skip "-"; skip "-"; skip "-"; skip "-"
fi

# Analyst queries.
"$RBLFORGE" top --year 2026 --tz UTC --by net --event postscreen_pregreet -n 3 --format csv "$L" >"$TMP/top"
is "$(cat "$TMP/top")" "rank,key,postscreen_pregreet,addresses,status,detail
1,100.64.1.0/24,5,5,listed,
2,198.51.100.0/24,4,4,listed,
3,198.51.102.0/24,4,4,held:good-mail," "top --by net: counts, ties in address order, the networks' status"
"$RBLFORGE" top --year 2026 --tz UTC --by rdns --format json "$L" | python3 -m json.tool >/dev/null 2>&1
ok $? "top --format json is valid JSON"
"$RBLFORGE" explain --year 2026 --tz UTC 192.0.2.4 "$L" >"$TMP/ex"; is $? 0 "explain exits 0"
grep -q '^  reject_dnsbl  *2  *4  *8$' "$TMP/ex"; ok $? "explain: count x weight = points"
grep -q 'bar = threshold 10 x rdns factor 0.5 (dynamic) = 5  \[reached\]' "$TMP/ex"; ok $? "explain: the bar and its rDNS factor"
grep -q '^decision: spam (code 127.0.0.2)$' "$TMP/ex"; ok $? "explain: the decision and its code"
grep -q "^first evidence $L:1: Nov 24 10:00:01 mx1 postfix/smtpd" "$TMP/ex"; ok $? "explain: the first evidence line with file:line"
grep -q "^last evidence  $L:2: " "$TMP/ex"; ok $? "explain: the last evidence line"
"$RBLFORGE" explain --year 2026 --tz UTC --allowlist "$TMP/allow" 100.64.1.0/24 "$L" >"$TMP/ex2"
grep -q 'escalated: held:allowlisted' "$TMP/ex2"; ok $? "explain CIDR: the escalation rule and the hold"
grep -q '^100.64.1.5 .*allowlisted (reported)$' "$TMP/ex2"; ok $? "explain CIDR: one row per address"

# Configuration errors name the file, the line and the key.
printf '[rdns]\nbogus = 1\n' >"$TMP/b1.ini"
"$RBLFORGE" check-config -c "$TMP/b1.ini" >/dev/null 2>"$TMP/err"; is $? 2 "unknown [rdns] key: exit 2"
grep -q 'error: .*b1.ini:2: bogus: unknown rDNS class "bogus"' "$TMP/err"; ok $? "and the message names file, line and key"
printf '[policy]\nthreshold = 5\n\n[network]\nv4_prefix = 33\n' >"$TMP/b2.ini"
"$RBLFORGE" check-config -c "$TMP/b2.ini" >/dev/null 2>"$TMP/err"; is $? 2 "v4_prefix = 33: exit 2"
grep -q 'b2.ini:5: v4_prefix: want a prefix length from 8 to 32' "$TMP/err"; ok $? "and the message names file, line and key"
printf '[policy]\nexpiry = soon\n' >"$TMP/b3.ini"
"$RBLFORGE" check-config -c "$TMP/b3.ini" 2>&1 >/dev/null | grep -q 'b3.ini:2: expiry:'; ok $? "a bad duration is refused"
"$RBLFORGE" check-config -c "$TMP/c.ini" | grep -q '^min_listed = 5$'; ok $? "check-config prints the effective value"
printf '192.0.2.1/8\n' >"$TMP/badallow"
printf '[policy]\nallowlist = %s\n' "$TMP/badallow" >"$TMP/b4.ini"
"$RBLFORGE" check-config -c "$TMP/b4.ini" >/dev/null 2>"$TMP/err"; is $? 2 "check-config loads the allowlist it names"
grep -q 'badallow:1:' "$TMP/err"; ok $? "and names the bad line"
done_testing
