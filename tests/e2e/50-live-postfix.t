#!/bin/sh
# The closed loop with a real Postfix (issue 22): a private world in a
# network namespace (tests/e2e/live.sh), a private Postfix with postscreen,
# smtpd restrictions, header_checks and a submission service with Dovecot
# SASL, scripted traffic from many addresses of 127.0.0.0/8 with a ground
# truth of who did what; then rblforge run on Postfix's own log, rbldnsd
# serving what it published, and Postfix refusing the next connection of a
# listed address citing our zone. Also `make check-live`.
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/live.sh"

live_need postfix swaks rbldnsd named dovecot python3 ss
live_up

W="$TMP/world"; mkdir -p "$W"; chmod 755 "$W"
GT="$W/truth"          # ground truth: address group expected-listing
: >"$GT"
truth() { echo "$1 $2 $3" >>"$GT"; }

# ---- the world's names --------------------------------------------------
# Good MTAs have a PTR whose name resolves back; abusers have dynamic,
# mismatched (PTR name without the address) or no PTR at all.
R="$W/records"
{
    echo "test. MX 10 mx.test."
    echo "mx.test. A 127.0.0.1"
    echo "$(rev4 127.0.0.1).in-addr.arpa. PTR mx.test."
    for n in 1 2 3; do
        echo "mail.good$n.test. A 127.20.$n.10"
        echo "good$n.test. MX 10 mail.good$n.test."
        echo "$(rev4 127.20.$n.10).in-addr.arpa. PTR mail.good$n.test."
    done
    echo "customer.test. A 127.40.1.5"
    echo "$(rev4 127.40.1.5).in-addr.arpa. PTR customer.test."
    # dynamic pool names
    for a in 127.30.1.5 127.34.1.5 127.32.1.5; do
        echo "$(rev4 $a).in-addr.arpa. PTR $(echo $a | tr . -).dyn.isp.test."
        echo "$(echo $a | tr . -).dyn.isp.test. A $a"
    done
    # mismatched: the PTR's name points elsewhere
    echo "$(rev4 127.31.1.5).in-addr.arpa. PTR mail.bank.test."
    echo "mail.bank.test. A 127.99.99.99"
    echo "spam.test. A 127.98.98.98"
    echo "spam.test. MX 10 spam.test."
} >"$R"
live_dns "$R" || { ok 1 "BIND answers on 127.0.0.1:53"; sed 's/^/# /' "$TMP/dns/named.log" | tail; done_testing; exit 1; }
is "$(ns dig +short +time=2 mail.good1.test A)" 127.20.1.10 "BIND in the namespace answers for the world"
is "$(ns dig +short +time=2 -x 127.30.1.5)" 127-30-1-5.dyn.isp.test. "and for in-addr.arpa"

# ---- our zone: an empty first publication, rbldnsd on it ----------------
OUT="$W/out"
CONF="$W/rblforge.ini"
cat >"$CONF" <<EOF
[policy]
own_zones = $ZONE
trusted_networks = 127.0.0.1/32
# A loaded machine makes some brute-force clients give up before Dovecot
# answers (logged as "lost connection after AUTH", not as a failure): the
# loop asks for a listing, not for the default threshold's count.
auth_threshold = 10
[zone]
name = $ZONE
ns = ns.$ZONE
hostmaster = hostmaster.$ZONE
EOF
: >"$W/empty.log"
"$RBLFORGE" run -c "$CONF" --test-range 127.0.0.0/8 -o "$OUT" "$W/empty.log" 2>"$W/run0.err"
ok $? "first (empty) publication"
live_rbldnsd "$OUT"
ok $? "rbldnsd serves $OUT/bl.rbldnsd on 127.0.0.1:5300"
st=$(ns dig +time=2 +tries=1 2.0.0.127.$ZONE A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
a=$(ns dig +short +time=2 2.0.0.127.$ZONE A)
is "$a" 127.0.0.2 "the RFC 5782 test entry through BIND's forwarder ($st)"


# ---- Dovecot: SASL only, a private base_dir and a passwd-file -----------
D="$W/dovecot"; mkdir -p "$D/run"; chmod 755 "$D" "$D/run"
echo 'customer@customer.test:{PLAIN}secret-pw' >"$D/passwd"
chmod 644 "$D/passwd"
cat >"$D/dovecot.conf" <<EOF
protocols =
base_dir = $D/run
state_dir = $D/run
log_path = $D/dovecot.log
info_log_path = $D/dovecot.log
auth_mechanisms = plain login
disable_plaintext_auth = no
# Dovecot delays each failure (2 s by default): 1 s keeps the brute force
# within the time budget and still exercises the delay.
auth_failure_delay = 1 secs
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
ssl = no
EOF
ip netns exec "$NS" dovecot -F -c "$D/dovecot.conf" >"$D/stdout" 2>&1 &
live_pid dovecot $!
i=0; while [ ! -S "$D/run/auth-postfix" ] && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
[ -S "$D/run/auth-postfix" ]; ok $? "Dovecot's auth socket for Postfix"

# ---- Postfix: its own config and queue directories ----------------------
P="$W/postfix"; Q="$W/spool"; mkdir -p "$P" "$Q"; chmod 755 "$P"
LOG="$W/maillog"
# postscreen_greet_wait: 3 s, not 1 s: on a busy machine a short wait can
# expire before postscreen reads the pregreeting bot's EHLO.
cat >"$P/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $P
queue_directory = $Q
data_directory = $W/pfdata
maillog_file = $LOG
maillog_file_prefixes = $W
myhostname = mx.test
mydomain = test
mydestination = test, mx.test
mynetworks = 127.0.0.1/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
relayhost =
default_transport = error:nothing leaves the test world
local_transport = discard:delivered
local_recipient_maps = texthash:$P/recipients
alias_maps =
alias_database =
smtpd_banner = \$myhostname ESMTP
smtpd_helo_required = yes
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = reject_non_fqdn_sender
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_rbl_client $ZONE
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
header_checks = regexp:$P/header_checks
postscreen_greet_wait = 3s
postscreen_greet_action = enforce
postscreen_dnsbl_sites = $ZONE
postscreen_dnsbl_threshold = 1
postscreen_dnsbl_action = enforce
postscreen_pipelining_enable = yes
postscreen_pipelining_action = enforce
postscreen_non_smtp_command_enable = yes
postscreen_non_smtp_command_action = enforce
postscreen_bare_newline_enable = yes
postscreen_bare_newline_action = enforce
postscreen_cache_map = btree:\$data_directory/postscreen_cache
smtpd_sasl_type = dovecot
smtpd_sasl_path = $D/run/auth-postfix
smtpd_tls_security_level = none
smtp_tls_security_level = none
EOF
# smtpd caches its DNSBL answers for as long as the process lives (up to
# max_use sessions): one session per process, so the session after the
# publication asks rbldnsd again.
cat >"$P/master.cf" <<EOF
127.0.0.1:smtp inet n - n - 1 postscreen
smtpd     pass  -       -       n       -       -       smtpd
  -o max_use=1
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy
127.0.0.1:submission inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=no
  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
printf 'postmaster@test OK\nalice@test OK\nbob@test OK\n' >"$P/recipients"
printf '/^Subject:.*CHEAP PILLS/ REJECT spam content\n' >"$P/header_checks"
pf() { ns postfix -c "$P" "$@"; }
pf check >"$W/pfcheck.log" 2>&1
pf start >"$W/pfstart.log" 2>&1
ok $? "Postfix started with its own configuration" || sed 's/^/# /' "$W/pfstart.log" "$LOG" 2>/dev/null | tail
MASTER=$(head -1 "$Q/pid/master.pid" 2>/dev/null | tr -d ' ')
LIVE_STOP="ns postfix -c '$P' stop"
[ -n "$MASTER" ] && live_pid postfix-master "$MASTER"
live_wait_port 25 && live_wait_port 587
ok $? "postscreen on 127.0.0.1:25, submission on 127.0.0.1:587"

# ---- clients ---------------------------------------------------------------
# A tiny raw client for what swaks will not do: talk before the banner,
# pipeline, speak HTTP, end lines with a bare LF, or try passwords in a loop.
cat >"$W/client.py" <<'EOF'
import base64, socket, sys, time
src, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=8, source_address=(src, 0))
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        if not l or l[3:4] != b"-":
            return l
def banner():
    return reply()
try:
    if mode == "pregreet":
        # postscreen's teaser "220-" is out; the bot talks before the "220 ".
        f.readline()
        s.sendall(b"EHLO pregreet.example\r\n")
        s.settimeout(3)
        while f.readline():                 # until postscreen hangs up
            pass
    elif mode in ("pipelining", "nonsmtp", "barelf"):
        banner()
        s.sendall({"pipelining": b"EHLO a.example\r\nMAIL FROM:<a@a.example>\r\nRCPT TO:<alice@test>\r\n",
                   "nonsmtp": b"GET / HTTP/1.0\r\n",
                   "barelf": b"EHLO a.example\n"}[mode])
        reply(); time.sleep(0.2)
    elif mode == "bruteforce":
        banner()
        s.sendall(b"EHLO brute.example\r\n"); reply()
        for i in range(int(sys.argv[4])):
            cred = base64.b64encode(b"\0customer@customer.test\0guess%d" % i)
            s.sendall(b"AUTH PLAIN " + cred + b"\r\n"); reply()
        s.sendall(b"QUIT\r\n"); reply()
except OSError:
    pass
s.close()
EOF
raw() { ns python3 "$W/client.py" "$@" >/dev/null 2>&1; }
# sw ADDR ARGS...: one swaks session from ADDR to port 25 (transcript kept)
sw() { a=$1; shift; ns swaks --server 127.0.0.1 --local-interface "$a" --timeout 10 "$@" >>"$W/swaks.$a" 2>&1; }
# First contact: postscreen's deep tests defer every new client once (450
# 4.3.2); a real MTA retries and passes (PASS OLD) to smtpd.
first() { sw "$1" --port 25 --ehlo "${2:-client.example}" --from "x@${3:-good1.test}" --to alice@test; }

TRAFFIC=
T0=$(date +%s)
# Good MTAs: first contact, then mail accepted, and one typo'd recipient.
for n in 1 2 3; do
    a=127.20.$n.10; truth $a good-mta -
    ( first $a mail.good$n.test good$n.test
      sw $a --port 25 --ehlo mail.good$n.test --from news@good$n.test --to alice@test
      sw $a --port 25 --ehlo mail.good$n.test --from news@good$n.test --to bob@test
      sw $a --port 25 --ehlo mail.good$n.test --from news@good$n.test --to alcie@test ) & TRAFFIC="$TRAFFIC $!"
done
# mynetworks: postscreen and smtpd let it through; its bad recipients are
# our own host's business.
truth 127.0.0.1 mynetworks -
sw 127.0.0.1 --port 25 --ehlo mx.test --from root@mx.test --to u1@test,u2@test,u3@test,u4@test,u5@test,u6@test & TRAFFIC="$TRAFFIC $!"
# The customer: logs in on submission, sends out and in, mistypes a lot.
truth 127.40.1.5 customer -
( for i in 1 2; do
    sw 127.40.1.5 --port 587 --ehlo customer.test --auth PLAIN --auth-user customer@customer.test \
        --auth-password secret-pw --from customer@customer.test --to friend@elsewhere.test,bob@test
  done
  sw 127.40.1.5 --port 587 --ehlo customer.test --auth PLAIN --auth-user customer@customer.test \
      --auth-password secret-pw --from customer@customer.test --to n1@test,n2@test,n3@test,n4@test,n5@test,n6@test ) & TRAFFIC="$TRAFFIC $!"
# Dictionary attacks after passing postscreen.
for a in 127.30.1.5 127.30.2.5; do
    truth $a dictionary spam
    ( first $a; sw $a --port 25 --ehlo bulk.example --from x@spam.test \
        --to d1@test,d2@test,d3@test,d4@test,d5@test,d6@test,d7@test,d8@test ) & TRAFFIC="$TRAFFIC $!"
done
# A relay probe from a mismatched PTR.
truth 127.31.1.5 relay spam
( first 127.31.1.5; sw 127.31.1.5 --port 25 --ehlo mail.bank.test --from x@spam.test \
    --to v1@elsewhere.test,v2@elsewhere.test,v3@elsewhere.test ) & TRAFFIC="$TRAFFIC $!"
# Bad HELO, bad sender.
truth 127.33.1.5 bad-helo spam
( first 127.33.1.5; sw 127.33.1.5 --port 25 --ehlo localhost --from x@spam.test \
    --to alice@test,bob@test,postmaster@test,alice@test,bob@test,postmaster@test ) & TRAFFIC="$TRAFFIC $!"
truth 127.33.2.5 bad-sender spam
( first 127.33.2.5; sw 127.33.2.5 --port 25 --ehlo bulk.spam.test --from spammer \
    --to alice@test,bob@test,postmaster@test,alice@test,bob@test,postmaster@test ) & TRAFFIC="$TRAFFIC $!"
# Spam content, refused by cleanup's header_checks: four messages.
truth 127.36.1.5 spam-content spam
( first 127.36.1.5; for i in 1 2 3 4; do
    sw 127.36.1.5 --port 25 --ehlo spam.test --from x@spam.test --to alice@test --header "Subject: CHEAP PILLS $i"
  done ) & TRAFFIC="$TRAFFIC $!"
# A small dynamic sender: two unknown recipients.
truth 127.34.1.5 dynamic dynamic
( first 127.34.1.5; sw 127.34.1.5 --port 25 --ehlo pc.example --from x@spam.test --to r1@test,r2@test ) & TRAFFIC="$TRAFFIC $!"
# postscreen: pregreeters (and a /24 of them), pipelining, non-SMTP, bare LF.
truth 127.32.1.5 pregreet spam
truth 127.32.2.5 pregreet spam
for a in 127.32.1.5 127.32.2.5 127.35.1.11 127.35.1.12 127.35.1.13 127.35.1.14; do raw $a 25 pregreet & TRAFFIC="$TRAFFIC $!"; done
for a in 127.35.1.11 127.35.1.12 127.35.1.13 127.35.1.14; do truth $a botnet-24 spam; done
truth 127.38.1.5 pipelining spam
truth 127.38.2.5 non-smtp spam
truth 127.38.3.5 bare-newline spam
( for i in 1 2; do raw 127.38.1.5 25 pipelining; raw 127.38.2.5 25 nonsmtp; raw 127.38.3.5 25 barelf; done ) & TRAFFIC="$TRAFFIC $!"
# SASL brute force against Dovecot: 8 sessions of 3 passwords.
truth 127.37.1.5 sasl-bruteforce auth
for i in 1 2 3 4 5 6 7 8; do raw 127.37.1.5 587 bruteforce 3 & TRAFFIC="$TRAFFIC $!"; done
wait $TRAFFIC
T1=$(date +%s)
diag "traffic: $((T1 - T0)) s, $(wc -l <"$LOG") log lines"
ok 0 "traffic driven ($(wc -l <"$GT") addresses in the ground truth)"

# ---- rblforge on what Postfix wrote ------------------------------------
cp "$LOG" "$W/maillog.1"
run() { "$RBLFORGE" run -c "$CONF" --test-range 127.0.0.0/8 --tz UTC -o "$OUT" "$@"; }
run "$W/maillog.1" 2>"$W/run1.err"
ok $? "rblforge run on Postfix's own log" || sed 's/^/# /' "$W/run1.err" | head
listed() { awk -F, -v a="$1" 'NR > 1 && $1 == a { print $2 }' "${2:-$OUT/listings.csv}"; }
while read -r a group want; do
    got=$(listed "$a")
    case $want in
    -) is "$got" "" "$group $a not listed" ;;
    *) is "$got" "$want" "$group $a listed as $want" ;;
    esac
done <"$GT"
# Every address that spoke to Postfix is in the ground truth.
grep -o '\[127\.[0-9.]*\]' "$W/maillog.1" | tr -d '[]' | sort -u >"$W/seen"
cut -d' ' -f1 "$GT" | sort -u >"$W/known"
is "$(comm -23 "$W/seen" "$W/known" | tr '\n' ' ')" "" "every client in the log is in the ground truth"
awk -F, 'NR > 1 { print $1 }' "$OUT/listings.csv" | sort >"$W/listed1"
net=$(grep -c '^127\.35\.1\.0/24' "$OUT/bl.rbldnsd")
is "$net" 1 "the pregreeting /24 127.35.1.0/24 is listed as a network"

# ---- the loop closes: rbldnsd follows the new publication ---------------
# rbldnsd stats OUT/bl.rbldnsd (a symlink into the publication) once a
# second and reloads on a new mtime.
i=0; a=
while [ $i -lt 50 ]; do
    a=$(ns dig +short +time=1 +tries=1 "$(rev4 127.30.2.5).$ZONE" A)
    [ -n "$a" ] && break
    sleep 0.2; i=$((i + 1))
done
is "$a" 127.0.0.2 "rbldnsd serves the new listing through the symlink"
is "$(ns dig +short +time=1 "$(rev4 127.20.1.10).$ZONE" A)" "" "and nothing for a good MTA"
txt=$(ns dig +short +time=1 "$(rev4 127.37.1.5).$ZONE" TXT)
echo "$txt" | grep -q '127.37.1.5 attacked our SMTP AUTH'; ok $? "the brute forcer's TXT ($txt)"

# smtpd: the dictionary attacker is past postscreen (PASS OLD); its RCPT
# meets reject_rbl_client (or postscreen's DNSBL test, once its cache entry
# for that test expires): either way refused citing our zone.
after() { : >"$W/swaks.$1"; sw "$@"; cat "$W/swaks.$1"; }
out=$(after 127.30.2.5 --port 25 --ehlo bulk.example --from x@spam.test --to alice@test)
echo "$out" | grep -q "blocked using $ZONE"; ok $? "listed dictionary attacker refused citing $ZONE"
out=$(after 127.32.2.5 --port 25 --ehlo p.example --from x@spam.test --to alice@test)
echo "$out" | grep -q "blocked using $ZONE"; ok $? "listed pregreeter refused by postscreen citing $ZONE"
# An address never seen before, inside the listed /24: refused twice.
after 127.35.1.99 --port 25 --ehlo n.example --from x@spam.test --to alice@test >/dev/null
out=$(after 127.35.1.99 --port 25 --ehlo n.example --from x@spam.test --to alice@test)
echo "$out" | grep -q "blocked using $ZONE"; ok $? "a new address in the listed /24 refused citing $ZONE"
out=$(after 127.20.1.10 --port 25 --ehlo mail.good1.test --from news@good1.test --to alice@test)
echo "$out" | grep -q '250 2.0.0 Ok: queued'; ok $? "a good MTA's next message accepted"
grep -q "postfix/smtpd.*blocked using $ZONE" "$LOG"; ok $? "smtpd logged a refusal citing $ZONE"
grep -q "postfix/postscreen.*DNSBL rank" "$LOG"; ok $? "postscreen logged a DNSBL rank"

# ---- second run: Postfix's refusals citing our zone are no evidence ------
sleep 1     # a new second: rbldnsd compares whole-second mtimes
cp "$LOG" "$W/maillog.2"
run "$W/maillog.2" 2>"$W/run2.err"
ok $? "second run over the log with the refusals" || sed 's/^/# /' "$W/run2.err" | head
awk -F, 'NR > 1 { print $1 }' "$OUT/listings.csv" | sort >"$W/listed2"
is "$(comm -13 "$W/listed1" "$W/listed2" | tr '\n' ' ')" "" "nothing new listed because of our own refusals"
is "$(listed 127.35.1.99)" "" "the new /24 address is not listed on its own"
own=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "own_zone") c = i } NR > 1 && $1 == "127.30.2.5" { print $c }' "$OUT/listings.csv")
[ "${own:-0}" -ge 1 ]; ok $? "the refusal citing $ZONE is reported as own_zone ($own)"

# ---- what rblforge could not read --------------------------------------
"$RBLFORGE" unparsed --tz UTC "$W/maillog.2" >"$W/unparsed" 2>&1
ok $? "rblforge unparsed"
grep -E '\[[0-9.]*\]|\[ADDR\]|<ADDR>' "$W/unparsed" >"$W/unparsed.client"
[ ! -s "$W/unparsed.client" ]; ok $? "no unparsed template names a client"
sed 's/^/# unparsed: /' "$W/unparsed" | head -30

# ---- stop -------------------------------------------------------------
pf stop >/dev/null 2>&1
i=0; while kill -0 "$MASTER" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
kill -0 "$MASTER" 2>/dev/null; [ $? -ne 0 ]; ok $? "postfix stop: master $MASTER gone"
LIVE_STOP=
diag "whole test: $(( $(date +%s) - T0 )) s after the world was up"
done_testing
