#!/bin/sh
# The daemons beside Postfix (issue 21 item 3): a brute force on the mail
# host's IMAP/POP3 lists like one on SMTP AUTH; Dovecot's auth process
# lines do not count the same attempt twice; an SPF fail is weak evidence
# and a greylist none; and `rblforge unparsed` finds no line of these
# daemons it cannot read.
. "$(dirname "$0")/tap.sh"

L="$TMP/b.log"
s=0
h() { s=$((s + 1)); printf 'Nov 24 07:%02d:%02d mx1 ' $((s / 60 % 60)) $((s % 60)); }
{
    # 203.0.113.70: 12 Dovecot login failures and 10 Cyrus ones (22 > 20).
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
        h; printf 'dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<u%d>, method=PLAIN, rip=203.0.113.70, lip=192.0.2.254, TLS, session=<s%d>\n' $i $i
    done
    for i in 1 2 3 4 5 6 7 8 9 10; do
        h; printf 'cyrus/pop3[300]: badlogin: [203.0.113.70] plaintext u%d SASL(-13): authentication failure: checkpass failed\n' $i
    done
    # 203.0.113.71: 12 login failures, each told twice by the auth process.
    for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
        h; printf 'dovecot: auth: passwd-file(u%d,203.0.113.71): unknown user\n' $i
        h; printf 'dovecot: auth-worker(9): pam(u%d,203.0.113.71): pam_authenticate() failed: Authentication failure (password mismatch?)\n' $i
        h; printf 'dovecot: pop3-login: Aborted login (auth failed, 1 attempts in 2 secs): user=<u%d>, method=PLAIN, rip=203.0.113.71, lip=192.0.2.254, session=<t%d>\n' $i $i
    done
    # 203.0.113.72: a user name that names another address; rip is Dovecot's own.
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21; do
        h; printf 'dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, rip=198.51.100.99>, method=PLAIN, rip=203.0.113.72, lip=192.0.2.254, session=<v%d>\n' $i
    done
    # 203.0.113.73: SPF fail, not refused, 24 times (0.5 each: 12 >= the bar of 10).
    # 203.0.113.74: greylisted 40 times, never evidence.
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24; do
        h; printf 'policyd-spf[400]: prepend Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.73; helo=x.example; envelope-from=a%d@b.example; receiver=<UNKNOWN>\n' $i
    done
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40; do
        h; printf 'postgrey[500]: action=greylist, reason=new, client_name=mail.example, client_address=203.0.113.74/32, sender=a%d@b.example, recipient=u@our.example\n' $i
    done
    # Known lines without evidence.
    h; printf 'spamd[600]: spamd: result: Y 15 - BAYES_99 scantime=1.2,size=1234,user=x,uid=1,required_score=5.0,rhost=localhost,raddr=127.0.0.1,rport=40000,mid=<a@b>,autolearn=no\n'
    h; printf 'opendkim[700]: 4F1A2B3C4D: DKIM-Signature field added (s=default, d=example.com)\n'
    h; printf 'postfwd[800]: [STATS] Counters: 213000 seconds uptime, 39 rules\n'
    h; printf 'dovecot: imap-login: Login: user=<bob>, method=PLAIN, rip=192.0.2.9, lip=192.0.2.254, mpid=1, TLS, session=<x>\n'
} >"$L"
"$RBLFORGE" run --year 2026 --now 1795575600 -o "$TMP/o" "$L" 2>"$TMP/err"
ok $? "run"
listed() { awk -F, -v a="$1" 'NR > 1 && $1 == a { print $3 }' "$TMP/o/listings.csv" 2>/dev/null; }
col() { awk -F, -v a="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } NR > 1 && $1 == a { print $k }' "$TMP/o/listings.csv"; }
is "$(listed 203.0.113.70)" 127.0.0.4 "Dovecot and Cyrus login failures of one address list it as a brute force"
is "$(col 203.0.113.70 auth_fail)" 22 "22 auth failures counted"
is "$(listed 203.0.113.71)" "" "auth process lines do not count an attempt twice (12 < 20)"
is "$(listed 203.0.113.72)" 127.0.0.4 "rip= is Dovecot's own, not the user name's"
is "$(listed 198.51.100.99)" "" "the address inside the user name is never listed"
is "$(listed 203.0.113.73)" 127.0.0.2 "SPF fails not refused: weak evidence that adds up"
is "$(col 203.0.113.73 spf_fail)" 24 "24 spf_fail counted"
is "$(listed 203.0.113.74)" "" "a greylist is no evidence"
"$RBLFORGE" unparsed "$L" >"$TMP/u" 2>&1
ok $? "unparsed"
is "$(awk -F'\t' 'NR > 2 && /^[0-9]/ { n++ } /^# programs we do not read/ { exit } END { print n + 0 }' "$TMP/u")" 0 "no line of these daemons is unmatched"
"$RBLFORGE" events --format jsonl "$L" >"$TMP/e" 2>&1
is "$(grep -c '"event":"auth_fail".*"reason":"passdb"' "$TMP/e")" 24 "auth process lines are auth_fail events with reason passdb"
done_testing
