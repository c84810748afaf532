#!/bin/sh
# Issue 23 item 1: --geo-db FILE (a GeoLite2-Country-layout database built
# by scripts/mkgeo-db) adds countries per login. A travelling user (two
# countries, clean) stays ok; a login from four countries with spam
# refusals is a compromise with its countries counted and worded.
. "$(dirname "$0")/tap.sh"

perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || { skip "libmaxmind-db-writer-perl not installed"; done_testing; exit 0; }
printf '# test countries\n110.0.0.0/8,JP\n90.0.0.0/8,DE\n20.0.0.0/8,US\n30.0.0.0/8,BR\n40.0.0.0/8,RU\n' >"$TMP/geo.csv"
"$TOP/scripts/mkgeo-db" "$TMP/geo.csv" "$TMP/geo.mmdb" 2>/dev/null; ok $? "mkgeo-db builds a country database"
python3 - "$TMP/mail.log" <<'PY'
import sys
out = open(sys.argv[1], "w")
n = 0
def msg(t, user, host, ip, rcpts, refuse=0):
    global n
    n += 1
    q = "%X" % (0xD0000 + n)
    ts = lambda s: "2026-12-01T%02d:%02d:%02d+09:00" % (s // 3600, s // 60 % 60, s % 60)
    out.write("%s mx1 postfix/submission/smtpd[100]: %s: client=%s[%s], sasl_method=LOGIN, sasl_username=%s\n" % (ts(t), q, host, ip, user))
    out.write("%s mx1 postfix/qmgr[9]: %s: from=<%s>, size=900, nrcpt=%d (queue active)\n" % (ts(t), q, user, rcpts))
    for r in range(rcpts):
        if r < refuse:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@far.example>, relay=mx.far.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.far.example[192.0.2.9] said: 550 5.7.1 Message rejected as spam (in reply to end of DATA command))\n" % (ts(t + 1), q, r))
        else:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@near.example>, relay=mx.near.example[192.0.2.8]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n" % (ts(t + 1), q, r))
    out.write("%s mx1 postfix/qmgr[9]: %s: removed\n" % (ts(t + 2), q))
for i in range(10):     # travelling: home carrier in Japan, then a carrier in Germany
    fam = "dyn.home-isp.jp" if i < 5 else "mobile.abroad-telco.de"
    msg(900 + i * 3000, "trav@cust.example", "h%d.%s" % (i, fam), "%d.10.%d.5" % (110 if i < 5 else 90, i), 1)
for i in range(12):     # wide: four countries within the hour, spam refusals
    msg(1200 + i * 120, "wide@cust.example", "unknown", "%d.%d.9.4" % ((20, 30, 40, 90)[i % 4], i), 4, 3)
PY
printf 'Travel\tsasl\ttrav@cust.example\nWide\tsasl\twide@cust.example\n' >"$TMP/map"
"$RBLFORGE" report --year 2026 --tz Asia/Tokyo --now 2026-12-01T03:00:00Z --lang en --geo-db "$TMP/geo.mmdb" \
    --customers "$TMP/map" -o "$TMP/o" "$TMP/mail.log" 2>"$TMP/err"; is $? 0 "report with --geo-db"
python3 - "$TMP/o/customers" <<'PY'; ok $? "countries per login: Travel 2 (ok), Wide 4 (compromise, worded)"
import json, sys
d = sys.argv[1]
t = json.load(open(d + "/Travel.json"))
assert t["tier"] in ("ok", "watch"), t["tier"]
lg = t["logins"][0]
assert lg["countries"] == 2 and lg["places"] == 2, lg
w = json.load(open(d + "/Wide.json"))
s = [x for x in w["signals"] if x["name"] == "account_compromise"][0]
assert s["figures"]["countries"] == 4, s["figures"]
assert "4 countries" in s["summary"] and "changing place" in s["summary"], s["summary"]
assert w["logins"][0]["concurrent"] >= 3, w["logins"][0]
PY
is "$(awk -F, '$1 == "Travel" { print $2 }' "$TMP/o/customers/index.csv")" ok "travelling user (two countries, clean) is ok"
grep -q 'changing place [0-9]* times within minutes' "$TMP/o/report.html"; ok $? "report.html words the place changes within minutes"
"$RBLFORGE" report --year 2026 --customers "$TMP/map" --geo-db "$TMP/nonexistent.mmdb" -o "$TMP/x" "$TMP/mail.log" 2>/dev/null
[ $? -ne 0 ]; ok $? "--geo-db with a missing file is an error"
"$RBLFORGE" report --year 2026 --tz Asia/Tokyo --now 2026-12-01T03:00:00Z --lang en \
    --customers "$TMP/map" -o "$TMP/n" "$TMP/mail.log" 2>/dev/null
python3 -c 'import json,sys; assert "countries" not in json.load(open(sys.argv[1]))["logins"][0]' "$TMP/n/customers/Travel.json"; ok $? "without --geo-db no country counts"
done_testing
