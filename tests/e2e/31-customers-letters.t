#!/bin/sh
# Issue 23 item 4: letters a desk can send as they are. One file per
# language (.txt) and a message per language for sendmail -t (.eml): RFC
# 5322 with CRLF, folded headers, UTF-8 subject as encoded-words, a body in
# quoted-printable or base64, To: the customer's contact from the map, the
# ticket, deadline and contact of [letters]; local times with their offset
# in letters and report.html; the compromise wording names the outcomes
# that fired; no CR/LF from any input reaches a header.
. "$(dirname "$0")/tap.sh"

python3 - "$TMP/mail.log" <<'PY'
import sys
out = open(sys.argv[1], "w", newline="")
n = 0
def msg(t, user, ip, rcpts, refuse=0):
    global n
    n += 1
    q = "%X" % (0xB0000 + n)
    ts = lambda s: "2026-12-01T%02d:%02d:%02d+09:00" % (s // 3600, s // 60 % 60, s % 60)
    out.write("%s mx1 postfix/submission/smtpd[100]: %s: client=unknown[%s], sasl_method=LOGIN, sasl_username=%s\n" % (ts(t), q, ip, user))
    out.write("%s mx1 postfix/qmgr[9]: %s: from=<x@s.example>, size=900, nrcpt=%d (queue active)\n" % (ts(t), q, rcpts))
    for r in range(rcpts):
        if r < refuse:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@far.example>, relay=mx.far.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.far.example[192.0.2.9] said: 550 5.7.1 Message rejected as spam (in reply to end of DATA command))\n" % (ts(t + 1), q, r))
        else:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@near.example>, relay=mx.near.example[192.0.2.8]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n" % (ts(t + 1), q, r))
    out.write("%s mx1 postfix/qmgr[9]: %s: removed\n" % (ts(t + 2), q))
# refused: 20 unrelated networks and spam refusals
for i in range(20):
    msg(1200 + i * 400, "bob@phished.example", "%d.%d.33.4" % (11 + i * 9, 7 * i), 4, 3)
# spike: 10 unrelated networks, one message an hour, then 80 in one hour; nothing refused
for i in range(10):
    msg(3600 * i + 60, "amy@spiked.example", "%d.%d.44.4" % (12 + i * 9, 5 * i), 1)
for i in range(80):
    msg(3600 * 11 + 30 * i, "amy@spiked.example", "%d.%d.44.4" % (12 + (i % 10) * 9, 5 * (i % 10)), 1)
# hostile: an unmapped login with a CR and a header in its name, refused
for i in range(20):
    msg(2000 + i * 300, "evil\rBcc: victim@target.example", "%d.%d.55.4" % (13 + i * 9, 3 * i), 4, 3)
PY
printf 'Phished\tsasl\tbob@phished.example\tit@phished.example\n株式会社スパイク\tsasl\tamy@spiked.example\tadmin@spiked.example\n' >"$TMP/map"
printf '[letters]\nticket_prefix = ISP\nfrom = abuse@isp.example\ncontact = abuse@isp.example, +81 3 0000 0000\ndeadline_days_suspend = 2\ndeadline_days_throttle = 2\ndeadline_days_warn = 3\n' >"$TMP/conf"
# Subjects that carry the login too: log bytes in a header.
mkdir "$TMP/tpl"
for l in ja en; do
    sed 's/^\(\[{{ticket}}\].*\)$/\1 {{login}}/' "$TOP/datasets/templates/letter.$l.txt" >"$TMP/tpl/letter.$l.txt"
done
"$RBLFORGE" report --config "$TMP/conf" --templates "$TMP/tpl" --year 2026 --tz Asia/Tokyo --now 2026-12-01T03:00:00Z \
    --customers "$TMP/map" -o "$TMP/o" "$TMP/mail.log" 2>"$TMP/err"; is $? 0 "report with [letters] and contacts"
C="$TMP/o/customers"
for c in Phished 株式会社スパイク; do
    for f in ja.txt en.txt ja.eml en.eml; do
        [ -s "$C/$c.$f" ]; ok $? "$c.$f written"
    done
done
[ ! -e "$C/Phished.txt" ]; ok $? "no two-language file"
python3 - "$C" <<'PY'; ok $? ".eml: headers, charset, decoded body = the .txt letter, folded CRLF lines"
import email, email.policy, sys, re
d = sys.argv[1]
for cust, to, login in (("Phished", "it@phished.example", "bob@phished.example"),
                        ("株式会社スパイク", "admin@spiked.example", "amy@spiked.example")):
    for lang in ("ja", "en"):
        raw = open("%s/%s.%s.eml" % (d, cust, lang), "rb").read()
        assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF"
        assert b"\r" not in raw.replace(b"\r\n", b""), "bare CR"
        head, body = raw.split(b"\r\n\r\n", 1)
        for l in raw.split(b"\r\n"):
            assert len(l) <= 78, (cust, lang, l)
        for l in head.split(b"\r\n"):
            assert all(0x20 <= c < 0x7f or c == 9 for c in l), l   # 7-bit headers
        m = email.message_from_bytes(raw, policy=email.policy.default)
        assert m["To"] == to, m["To"]
        assert m["From"] == "abuse@isp.example" and m["Reply-To"] == "abuse@isp.example"
        assert m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8"
        assert m["MIME-Version"] == "1.0" and m["Content-Language"] == lang
        assert m["Content-Transfer-Encoding"] in ("base64", "quoted-printable")
        assert m["Date"] == "Tue, 01 Dec 2026 12:00:00 +0900", m["Date"]
        assert re.fullmatch(r"<ISP-20261201-\d{4}\.%s@isp\.example>" % lang, m["Message-ID"]), m["Message-ID"]
        subj = str(m["Subject"])
        tk = re.match(r"\[(ISP-20261201-\d{4})\]", subj)
        assert tk, subj
        assert subj.endswith(" " + login), subj
        if lang == "ja":
            assert "=?UTF-8?B?" in head.decode(), "ja subject as encoded-words"
        text = m.get_content().replace("\r\n", "\n")
        txt = open("%s/%s.%s.txt" % (d, cust, lang), encoding="utf-8").read()
        first, rest = txt.split("\n\n", 1)
        assert first == "Subject: " + subj, (first, subj)
        assert text == rest, "eml body differs from the .txt letter"
        assert tk.group(1) in text and "2026-12-0" in text
        assert "abuse@isp.example, +81 3 0000 0000" in text, "desk contact"
        assert "+0900" in text and "UTC" not in text
PY
grep -q '^Please reply by 2026-12-03 12:00 +0900, quoting ISP-20261201-' "$C/Phished.en.txt"; ok $? "deadline from [letters] (suspend: 2 days), local time with offset"
grep -q '^2026-12-03 12:00 +0900 までに' "$C/Phished.ja.txt"; ok $? "Japanese letter: the same deadline"
grep -q 'refused 60 of its delivery' "$C/Phished.en.txt" && ! grep -q 'messages in one hour' "$C/Phished.en.txt"; ok $? "compromise by refusals: names the refusals, no spike"
grep -q 'it sent 80 messages in one hour' "$C/株式会社スパイク.en.txt"; ok $? "compromise by a spike: names the spike"
grep -q -e 'servers refused' -e 'attempts bounced;' "$C/株式会社スパイク.en.txt"; [ $? -ne 0 ]; ok $? "spike letter names no refusals or bounces"
grep -q '1時間に 80 通を送信' "$C/株式会社スパイク.ja.txt" && ! grep -q 'スパムやブロックリストを理由に' "$C/株式会社スパイク.ja.txt"; ok $? "Japanese spike letter: the spike, no refusals"
grep -q '^Dear 株式会社スパイク,' "$C/株式会社スパイク.en.txt"; ok $? "UTF-8 name in the body"
# The hostile login: its letter exists ((unmapped)), no To:, and the CR
# reached the subject only escaped.
E="$C/(unmapped).en.eml"
[ -s "$E" ]; ok $? "(unmapped) has a letter"
python3 - "$E" <<'PY'; ok $? "hostile login: no header injection, no To: without a contact"
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\r\n\r\n", 1)[0]
names = [l.split(b":", 1)[0] for l in head.split(b"\r\n") if l[:1] not in (b" ", b"\t")]
assert b"Bcc" not in names and b"To" not in names, names
m = email.message_from_bytes(raw, policy=email.policy.default)
assert "Bcc" not in m and m["To"] is None
assert str(m["Subject"]).endswith(" evil\\x0dBcc:"), m["Subject"]
PY
# report.html in the configured zone
grep -q '2026-12-01 00:00 +0900 to 2026-12-01 12:00 +0900; generated 2026-12-01 12:00 +0900' "$TMP/o/report.html"; ok $? "report.html: period and generation time in the zone with offset"
! grep -q 'UTC' "$TMP/o/report.html"; ok $? "report.html: no UTC times"
"$RBLFORGE" report --config "$TMP/conf" --year 2026 --tz UTC --now 2026-12-01T03:00:00Z \
    --customers "$TMP/map" -o "$TMP/u" "$TMP/mail.log" 2>/dev/null
grep -q '^Date: Tue, 01 Dec 2026 03:00:00 +0000' "$TMP/u/customers/Phished.en.eml"; ok $? "--tz UTC: Date: +0000"
# the contact column of the map
bad() {
    printf 'A\tsasl\ta@x.example\t%s\n' "$1" >"$TMP/bad.map"
    "$RBLFORGE" report --year 2026 --customers "$TMP/bad.map" -o "$TMP/b" "$TMP/mail.log" 2>"$TMP/err"
    [ $? -eq 2 ] && grep -q 'bad.map:1: contact' "$TMP/err"; ok $? "map contact rejected: $2"
}
bad 'Name <a@b.example>' "display name"
bad 'a@b.example, c@d.example' "two addresses"
bad "$(printf 'a@b.example\rBcc: c@d.example')" "CR and a header"
bad 'a@[192.0.2.1]' "domain literal"
bad '"a b"@b.example' "quoted local part"
bad 'a..b@b.example' "two dots"
bad 'a@localhost' "single-label domain"
bad 'a@-b.example' "label starting with a hyphen"
printf 'A\tsasl\ta@x.example\tone@a.example\nA\tsasl\tb@x.example\ttwo@a.example\n' >"$TMP/bad.map"
"$RBLFORGE" report --year 2026 --customers "$TMP/bad.map" -o "$TMP/b" "$TMP/mail.log" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'bad.map:2: contact' "$TMP/err"; ok $? "map: two contacts for one customer rejected"
printf 'A\tsasl\ta@x.example\tone@a.example\nA\tsasl\tb@x.example\tone@a.example\nA\tsasl\tc@x.example\n' >"$TMP/ok.map"
"$RBLFORGE" report --year 2026 --customers "$TMP/ok.map" -o "$TMP/b" "$TMP/mail.log" 2>"$TMP/err"; is $? 0 "map: contact repeated or left out on other rows"
done_testing
