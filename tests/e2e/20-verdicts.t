#!/bin/sh
# Verdicts that follow what real Postfix writes (issue 22) and addresses
# that are never listed (issue 25): one log, `rblforge run`, the listed
# addresses compared. Each client names the fault it guards against.
. "$(dirname "$0")/tap.sh"

L="$TMP/v.log"
s=0
h() { s=$((s + 1)); printf 'Nov 24 06:%02d:%02d mx1 ' $((s / 60 % 60)) $((s % 60)); }
{
    # (a) 203.0.113.5: four messages, all refused by cleanup.
    for i in 1 2 3 4; do
        h; printf 'postfix/smtpd[100]: 4ABC12%d: client=unknown[203.0.113.5]\n' $i
        h; printf 'postfix/cleanup[101]: 4ABC12%d: reject: header Subject: buy now from unknown[203.0.113.5]; from=<a@b.example> to=<u@our.example> proto=ESMTP helo=<x>: 5.7.1 spam\n' $i
    done
    # a good MTA: its message reaches qmgr.
    h; printf 'postfix/smtpd[100]: 4ABC130: client=mail.good.example[198.51.100.7]\n'
    h; printf 'postfix/qmgr[102]: 4ABC130: from=<x@good.example>, size=1234, nrcpt=1 (queue active)\n'
    h; printf 'postfix/smtpd[100]: NOQUEUE: reject: RCPT from mail.good.example[198.51.100.7]: 550 5.1.1 <c@our.example>: Recipient address rejected: User unknown in virtual mailbox table; from=<a@good.example> to=<c@our.example> proto=ESMTP helo=<x>\n'
    # (b) 203.0.113.30: non-SMTP once, a relay probe, then PASS OLD again and again.
    h; printf 'postfix/postscreen[103]: NON-SMTP COMMAND from [203.0.113.30]:4000 after CONNECT: GET / HTTP/1.1\n'
    for i in 1 2 3 4 5 6; do h; printf 'postfix/postscreen[103]: PASS OLD [203.0.113.30]:400%d\n' $i; done
    h; printf 'postfix/smtpd[104]: NOQUEUE: reject: RCPT from unknown[203.0.113.30]: 554 5.7.1 <x@elsewhere.example>: Relay access denied; from=<a@b.example> to=<x@elsewhere.example> proto=ESMTP helo=<x>\n'
    # (b) 198.51.100.20: ten first contacts deferred after the deep tests.
    for i in 1 2 3 4 5 6 7 8 9 10; do
        h; printf 'postfix/postscreen[103]: NOQUEUE: reject: RCPT from [198.51.100.20]:44%02d: 450 4.3.2 Service currently unavailable; from=<a@b.example>, to=<u@our.example>, proto=ESMTP, helo=<x>\n' $i
    done
    # (c) 203.0.113.40: 21 SASL failures, a third "Connection lost".
    i=0; while [ $i -lt 21 ]; do
        if [ $((i % 3)) -eq 0 ]; then w='Connection lost to authentication server'; else w='UGFzc3dvcmQ6'; fi
        h; printf 'postfix/submission/smtpd[105]: warning: unknown[203.0.113.40]: SASL LOGIN authentication failed: %s\n' "$w"
        i=$((i + 1))
    done
    # (d) 203.0.113.50/51: refused by our own zone only.
    for i in 1 2 3 4; do
        h; printf 'postfix/smtpd[106]: NOQUEUE: reject: RCPT from unknown[203.0.113.50]: 554 5.7.1 Service unavailable; Client host [203.0.113.50] blocked using bl.example; from=<a@b.example> to=<u@our.example> proto=ESMTP helo=<x>\n'
        h; printf 'postfix/dnsblog[107]: addr 203.0.113.51 listed by domain bl.example as 127.0.0.2\n'
        h; printf 'postfix/postscreen[103]: DNSBL rank 1 for [203.0.113.51]:5555\n'
        h; printf 'postfix/postscreen[103]: NOQUEUE: reject: RCPT from [203.0.113.51]:5555: 550 5.7.1 Service unavailable; client [203.0.113.51] blocked using bl.example; from=<a@b.example>, to=<u@our.example>, proto=ESMTP, helo=<x>\n'
    done
    # (e) 198.51.100.3 in trusted_networks; 203.0.113.60 logged in.
    h; printf 'postfix/postscreen[103]: PREGREET 11 after 0.1 from [198.51.100.3]:1: EHLO x\\r\\n\n'
    h; printf 'postfix/submission/smtpd[108]: 6AAA001: client=unknown[203.0.113.60], sasl_method=PLAIN, sasl_username=cust1\n'
    for i in 1 2 3 4 5 6; do
        h; printf 'postfix/submission/smtpd[108]: NOQUEUE: reject: RCPT from unknown[203.0.113.60]: 550 5.1.1 <c%d@our.example>: Recipient address rejected: User unknown in virtual mailbox table; from=<a@cust.example> to=<c@our.example> proto=ESMTP helo=<x>\n' $i
    done
    # Issue 25: special addresses pregreet; ::ffff:8.8.8.8 is 8.8.8.8.
    for ip in 127.0.0.1 0.0.0.0 224.0.0.1 255.255.255.255 ::1 fe80::1 ff02::1 10.9.9.9 ::ffff:8.8.8.8; do
        h; printf 'postfix/postscreen[103]: PREGREET 11 after 0.1 from [%s]:1: EHLO x\\r\\n\n' "$ip"
    done
} >"$L"
# The defaults first (an older rblforge reads them too), then the new keys.
"$RBLFORGE" run --year 2026 --now 1795575600 -o "$TMP/o" "$L" 2>"$TMP/err"
ok $? "run"
printf '[policy]\ntrusted_networks = 198.51.100.0/28\nlist_private = no\n' >"$TMP/c.ini"
"$RBLFORGE" run --year 2026 --now 1795575600 -c "$TMP/c.ini" -o "$TMP/c" "$L" 2>"$TMP/err"
ok $? "run with trusted_networks and list_private = no"
listed() { awk -F, -v a="$1" 'NR > 1 && $1 == a { print $3 }' "${2:-$TMP/o}/listings.csv" 2>/dev/null; }
is "$(listed 203.0.113.5)" 127.0.0.2 "(a) cleanup refused every message: listed (client= is no accepted mail)"
is "$(listed 198.51.100.7)" "" "(a) the good MTA is not"
is "$(listed 203.0.113.30)" 127.0.0.2 "(b) PASS OLD does not wash a bot's evidence away"
is "$(listed 198.51.100.20)" "" "(b) postscreen's 450 4.3.2 first-contact deferral is no evidence"
is "$(listed 203.0.113.40)" 127.0.0.4 "(c) SASL failures under Dovecot's auth penalty: listed for auth"
is "$(listed 203.0.113.50)" "" "(d) refusals citing our own zone are no evidence (smtpd)"
is "$(listed 203.0.113.51)" "" "(d) nor postscreen's rank from our zone"
is "$(listed 198.51.100.3 "$TMP/o")" 127.0.0.2 "(e) 198.51.100.3 pregreets: listed by default"
is "$(listed 198.51.100.3 "$TMP/c")" "" "(e) but never when in trusted_networks"
is "$(listed 10.9.9.9 "$TMP/c")" "" "private: not listed with list_private = no"
is "$(listed 203.0.113.60)" "" "(e) a client that logged in is a customer, not listed"
n=0
for ip in 127.0.0.1 0.0.0.0 224.0.0.1 255.255.255.255 ::1 fe80::1 ff02::1 ::ffff:8.8.8.8; do
    # (bl.zone names entries reversed: checked below; its comments cite
    # 127.0.0.1 and 127.0.0.2 as the test points.)
    for f in listings.csv bl.rbldnsd bl6.rbldnsd fw.nft fw.ipset; do
        grep -v '^#' "$TMP/o/$f" | grep -qiwF -e "$ip" && { n=$((n + 1)); diag "$ip in $f"; }
    done
done
[ -f "$TMP/o/bl.zone" ] || n=$((n + 1))
grep -v '^;' "$TMP/o/bl.zone" | grep -q -e '^1\.0\.0\.127' -e '^0\.0\.0\.0' -e '^1\.0\.0\.224' \
    -e '^255\.255\.255\.255' && { n=$((n + 1)); diag "special in bl.zone"; }
grep -v '^::ffff:7f00:2$' "$TMP/o/bl6.rbldnsd" | grep -q -e '^::' -e '^fe80' -e '^ff02' && n=$((n + 1))   # but the RFC 5782 test point
is "$n" 0 "special and private addresses are in no output"
is "$(listed 8.8.8.8)" 127.0.0.2 "::ffff:8.8.8.8 is listed as 8.8.8.8"
[ -f "$TMP/o/bl6.rbldnsd" ] && ! grep -v -e "^[#$:]" -e "^::ffff:7f00:2$" "$TMP/o/bl6.rbldnsd" | grep -q .
ok $? "bl6.rbldnsd has no entries"
grep -q '"files"' "$TMP/o/summary.json" && ! grep -q test_ranges "$TMP/o/summary.json"; ok $? "summary.json: no test_ranges without one"
"$RBLFORGE" run --year 2026 --now 1795575600 --test-range 127.0.0.0/8 \
    -o "$TMP/t" "$L" 2>"$TMP/err"
is "$(listed 127.0.0.1 "$TMP/t")" 127.0.0.2 "--test-range 127.0.0.0/8 makes 127.0.0.1 listable"
grep -q '"test_ranges": \["127.0.0.0/8"\]' "$TMP/t/summary.json"; ok $? "and summary.json says so"
done_testing
