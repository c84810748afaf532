#!/bin/sh
# Issue 23: compromise needs dispersion AND an outcome. A roaming user (one
# carrier: 60 addresses in 60 /24s, one rDNS family), a travelling user (two
# carriers), a clean bulk sender and a compromised mailbox (20 unrelated
# networks, spam refusals); expected tiers, no clean customer above watch,
# evidence lines as logged with file:line, local times with their offset.
. "$(dirname "$0")/tap.sh"

python3 - "$TMP/mail.log" <<'PY'
import sys
out = open(sys.argv[1], "w")
n = 0
def msg(t, user, host, ip, rcpts, refuse=0):
    global n
    n += 1
    q = "%X" % (0xA0000 + n)
    ts = lambda s: "2026-12-01T%02d:%02d:%02d+09:00" % (s // 3600, s // 60 % 60, s % 60)
    out.write("%s mx1 postfix/submission/smtpd[100]: %s: client=%s[%s], sasl_method=LOGIN, sasl_username=%s\n" % (ts(t), q, host, ip, user))
    out.write("%s mx1 postfix/qmgr[9]: %s: from=<%s>, size=900, nrcpt=%d (queue active)\n" % (ts(t), q, user, rcpts))
    for r in range(rcpts):
        if r < refuse:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@far.example>, relay=mx.far.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.far.example[192.0.2.9] said: 550 5.7.1 Message rejected as spam (in reply to end of DATA command))\n" % (ts(t + 1), q, r))
        else:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@near.example>, relay=mx.near.example[192.0.2.8]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n" % (ts(t + 1), q, r))
    out.write("%s mx1 postfix/qmgr[9]: %s: removed\n" % (ts(t + 2), q))
for i in range(60):     # roaming: one carrier, a new /24 every time
    msg(600 + i * 700, "roam@cust.example", "p%d-ipngn%d.tokyo.ocn.ne.jp" % (i, i), "60.%d.%d.7" % (64 + i, i), 1)
for i in range(10):     # travelling: home carrier, then a carrier abroad
    fam = "dyn.home-isp.jp" if i < 5 else "mobile.abroad-telco.de"
    msg(900 + i * 3000, "trav@cust.example", "h%d.%s" % (i, fam), "%d.10.%d.5" % (110 if i < 5 else 90, i), 1)
for i in range(300):    # clean bulk sender, one server
    msg(300 + i * 120, "news@bulk.example", "mail.bulk.example", "203.0.113.10", 10)
for i in range(20):     # compromised: unrelated networks, spam refusals
    msg(1200 + i * 400, "bob@phished.example", "unknown", "%d.%d.33.4" % (11 + i * 9, 7 * i), 4, 3)
PY
printf 'Roaming\tsasl\troam@cust.example\nTravel\tsasl\ttrav@cust.example\nBulk\tsasl\tnews@bulk.example\nPhished\tsasl\tbob@phished.example\n' >"$TMP/map"
"$RBLFORGE" report --year 2026 --tz Asia/Tokyo --now 1795575600 --lang en --customers "$TMP/map" \
    -o "$TMP/o" "$TMP/mail.log" 2>"$TMP/err"; is $? 0 "report on the scenario"
tier() { awk -F, -v c="$1" '$1 == c { print $2 }' "$TMP/o/customers/index.csv"; }
is "$(tier Roaming)" ok "roaming user (one carrier, 60 addresses) is ok"
is "$(tier Travel)" ok "travelling user (two carriers, clean) is ok"
is "$(tier Bulk)" ok "clean bulk sender is ok"
is "$(tier Phished)" suspend "compromised mailbox (20 networks + spam refusals) is suspend"
grep -q '^Phished,.*account_compromise' "$TMP/o/customers/index.csv"; ok $? "compromised mailbox has account_compromise"
python3 - "$TMP/o/customers" "$TMP/mail.log" <<'PY'; ok $? "figures: places, rDNS families, outcome; evidence lines as logged"
import json, sys
d, log = sys.argv[1], open(sys.argv[2]).read().splitlines()
r = json.load(open(d + "/Roaming.json"))
lg = r["logins"][0]
assert lg["client_ips"] == 60 and lg["networks"] == 60 and lg["rdns_families"] == 1 and lg["places"] == 1, lg
assert r["signals"] == [], r["signals"]
t = json.load(open(d + "/Travel.json"))["logins"][0]
assert t["places"] == 2 and t["rdns_families"] == 2, t
p = json.load(open(d + "/Phished.json"))
s = [x for x in p["signals"] if x["name"] == "account_compromise"][0]
assert s["level"] == "suspend" and s["figures"]["places"] == 20, s
assert s["figures"]["login_spam_rejections"] == 60, s["figures"]
assert "20 places" in s["summary"] and "60 refusals citing spam" in s["summary"], s["summary"]
for e in s["evidence"]:
    assert e["as_logged"] and log[e["line"] - 1] == e["text"], e
lines = [e["line"] for e in s["evidence"]]
assert lines == sorted(lines), lines
PY
for c in Roaming Travel Bulk; do
    [ ! -e "$TMP/o/customers/$c.en.txt" ] && [ ! -e "$TMP/o/customers/$c.en.eml" ]; ok $? "$c (ok) gets no letter"
done
grep -q '^between 2026-12-01 00:00 +0900' "$TMP/o/customers/Phished.en.txt"; ok $? "letter: period in the configured zone with its offset"
grep -A1 -E "^  $TMP/mail.log:[0-9]+\$" "$TMP/o/customers/Phished.en.txt" | grep -q '^    2026-12-01T.* mx1 postfix/'; ok $? "letter: file:line as given, then the line as logged"
awk '/^What we ask you to do/{f=1;next} f && /^- /{print; exit}' "$TMP/o/customers/Phished.en.txt" | grep -q 'password'; ok $? "letter: compromise asks for the password change first"
[ -s "$TMP/o/customers/Phished.en.txt" ] && ! grep -q "or will suspend today" "$TMP/o/customers/Phished.en.txt"; ok $? "letter: no 'or will suspend today'"
done_testing
