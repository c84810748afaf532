#!/bin/sh
# Hostile strings in customer names (from the map) and in log-derived
# fields (SASL names, senders, recipients, reply texts with markup, quotes,
# formula prefixes, ESC and invalid UTF-8) are escaped in every output:
# index.csv, <customer>.json, <customer>.<lang>.txt / .eml and report.html.
. "$(dirname "$0")/tap.sh"

esc=$(printf '\033')
ff=$(printf '\377')
L="$TMP/h.log"
M="$TMP/h.map"
i=0
for who in 'x<img/src=x/onerror=alert(1)>@h.example' '=cmd|calc@h.example' '+SUM(1)@h.example' \
           '-2+3@h.example' '@at@h.example' 'q"uote,comma@h.example' "esc${esc}[31m@h.example" \
           "bad${ff}utf@h.example" 'plain@h.example'; do
    i=$((i + 1))
    q=$(printf 'B%05X' $i)
    printf 'Nov 24 10:%02d:00 mx1 postfix/submission/smtpd[1]: %s: client=unknown[198.51.100.%d], sasl_method=PLAIN, sasl_username=%s\n' $i "$q" $i "$who"
    printf 'Nov 24 10:%02d:01 mx1 postfix/qmgr[9]: %s: from=<"<script>alert(%d)</script>"@h.example>, size=1, nrcpt=1 (queue active)\n' $i "$q" $i
    printf 'Nov 24 10:%02d:02 mx1 postfix/smtp[2]: %s: to=<=HYPERLINK("http://evil")@r.example>, relay=mx.r.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.r.example[192.0.2.9] said: 550 5.7.1 spam <script>alert("x")</script> %s[0m %s "; DROP (in reply to end of DATA command))\n' $i "$q" "$esc" "$ff"
    printf 'Nov 24 10:%02d:03 mx1 postfix/qmgr[9]: %s: removed\n' $i "$q"
done >"$L"
{
    printf '<img src=x onerror=alert(1)>\tsasl\tx<img/src=x/onerror=alert(1)>@h.example\n'
    printf '=HYPERLINK("http:evil")\tsasl\t=cmd|calc@h.example\n'
    printf '+SUM(1)\tsasl\t+SUM(1)@h.example\n'
    printf -- '-2+3\tsasl\t-2+3@h.example\n'
    printf '@at\tsasl\t@at@h.example\n'
    printf '"quoted", name\tsasl\tq"uote,comma@h.example\n'
    printf '株式会社テスト\tsasl\tplain@h.example\n'
} >"$M"

"$RBLFORGE" report --year 2026 --now 1795575600 --customers "$M" -o "$TMP/o" "$L" 2>"$TMP/err"; st=$?; sed "s/^/# /" "$TMP/err"; (exit $st)
is $? 0 "report on hostile input"
O="$TMP/o"
python3 - "$O/customers/index.csv" <<'PY'; ok $? "index.csv: valid CSV, every formula cell neutralised"
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
assert len(rows) == 9, rows                      # header, 7 customers, (unmapped)
for r in rows[1:]:
    for cell in r:
        assert cell[:1] not in ("=", "+", "-", "@"), r
names = {r[0] for r in rows[1:]}
assert "'=HYPERLINK(\"http:evil\")" in names and "'-2+3" in names and "'@at" in names, names
assert '"quoted", name' in names and "株式会社テスト" in names, names
PY
python3 - "$O/customers" <<'PY'; ok $? "every JSON file parses and carries no raw control byte"
import json, os, sys
d = sys.argv[1]
n = 0
for f in os.listdir(d):
    if f.endswith(".json"):
        raw = open(os.path.join(d, f), "rb").read()
        assert not any(b < 0x20 and b not in (10,) for b in raw), f
        raw.decode("utf-8")
        json.loads(raw)
        n += 1
assert n == 8, n
PY
for f in "$O"/customers/*.txt "$O"/customers/*.eml "$O/report.html"; do
    if grep -q "$esc" "$f" || LC_ALL=C grep -q "$ff" "$f"; then ok 1 "$(basename "$f"): no raw ESC or invalid UTF-8"; else ok 0 "$(basename "$f"): no raw ESC or invalid UTF-8"; fi
done
grep -c -i -e '<script' -e '<img' -e 'onerror=alert(1)>' "$O/report.html" | grep -qx 0; ok $? "report.html: no live markup from logs or names"
grep -q '&lt;img src=x onerror=alert(1)&gt;' "$O/report.html"; ok $? "report.html: the hostile name is shown, escaped"
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;' "$O/report.html"; ok $? "report.html: the hostile reply text is shown, escaped"
python3 - "$O/report.html" <<'PY'; ok $? "report.html parses: every section has a quoted data-customer"
import html.parser, sys
class P(html.parser.HTMLParser):
    names = []
    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.names.append(dict(attrs)["data-customer"])
        assert tag not in ("script", "img", "iframe", "object"), tag
p = P(); p.feed(open(sys.argv[1], encoding="utf-8").read())
assert "<img src=x onerror=alert(1)>" in p.names and '"quoted", name' in p.names, p.names
PY
[ -s "$O/customers/<img src=x onerror=alert(1)>.en.txt" ]; ok $? "a name with markup is still a safe file name"
grep -q '^Dear <img src=x onerror=alert(1)>,' "$O/customers/<img src=x onerror=alert(1)>.en.txt"; ok $? "letters carry the name as text"
done_testing
