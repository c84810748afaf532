#!/bin/sh
# The closed loop on the qmail side (issue 22 item 3): tcpserver with
# rblsmtpd -r bl.test -r other.test in front of a minimal SMTP responder
# (it stands for qmail-smtpd with chkuser and logs chkuser's lines), all
# logged through multilog (@tai64n), in the private world of live.sh.
# other.test is somebody else's list; bl.test is ours. rblsmtpd names no
# zone when it refuses, only the TXT it got: our own refusals must not
# become evidence (agg_own_txt).
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/live.sh"

live_need tcpserver rblsmtpd multilog rbldnsd named python3 ss
LIVE_ZONES=other.test
live_up

W="$TMP/world"; mkdir -p "$W"; chmod 755 "$W"
R="$W/records"
echo "mx.test. A 127.0.0.1" >"$R"
live_dns "$R"
ok $? "BIND in the namespace"

OUT="$W/out"
CONF="$W/rblforge.ini"
printf '[policy]\nown_zones = %s\n[zone]\nname = %s\n' $ZONE $ZONE >"$CONF"
: >"$W/empty.log"
"$RBLFORGE" run -c "$CONF" --test-range 127.0.0.0/8 -o "$OUT" "$W/empty.log" 2>"$W/run0.err"
ok $? "first (empty) publication"
# The other list: 127.60.1.5 and 127.60.2.5 are on it.
printf ':127.0.0.2:Listed by other.test, see http://other.test/?$\n127.60.1.5\n127.60.2.5\n' >"$W/other.rbldnsd"
chmod 644 "$W/other.rbldnsd"
live_rbldnsd "$OUT" "other.test:ip4set:$W/other.rbldnsd"
ok $? "rbldnsd serves $ZONE and other.test"
is "$(ns dig +short +time=2 "$(rev4 127.60.1.5).other.test" A)" 127.0.0.2 "other.test lists 127.60.1.5"

# ---- qmail-smtpd's stand-in: chkuser's log lines on stderr --------------
cat >"$W/responder" <<'EOF'
#!/bin/sh
# One SMTP session on stdin/stdout; valid recipients alice@test, bob@test.
r() { printf '%s\r\n' "$1"; }
cr=$(printf '\r')
from= helo=
r "220 mx.test ESMTP"
while IFS= read -r l; do
    l=${l%"$cr"}
    case $l in
    [HhEe][EeHh][Ll][Oo]\ *) helo=${l#* }; r "250 mx.test" ;;
    [Mm][Aa][Ii][Ll]\ [Ff][Rr][Oo][Mm]:*) from=${l#*:}; from=${from#<}; from=${from%>}; r "250 ok" ;;
    [Rr][Cc][Pp][Tt]\ [Tt][Oo]:*)
        to=${l#*:}; to=${to#<}; to=${to%>}
        case $to in
        alice@test|bob@test) r "250 ok" ;;
        *) echo "qmail-smtpd: CHKUSER rejected rcpt: from <$from::> remote <$helo:unknown:$TCPREMOTEIP> rcpt <$to> : not existing recipient" >&2
           r "550 sorry, no mailbox here by that name (#5.1.1 - chkuser)" ;;
        esac ;;
    [Dd][Aa][Tt][Aa]) r "354 go ahead"
        while IFS= read -r d; do [ "${d%"$cr"}" = . ] && break; done
        r "250 ok queued" ;;
    [Qq][Uu][Ii][Tt]) r "221 mx.test"; exit 0 ;;
    *) r "502 unimplemented" ;;
    esac
done
EOF
chmod 755 "$W/responder"
LOGD="$W/log"
mkfifo "$W/logpipe"
ip netns exec "$NS" multilog t "$LOGD" <"$W/logpipe" &
live_pid multilog $!
# tcpserver -v: its own lines; -R -H: no ident, no reverse lookup; -l0.
ip netns exec "$NS" tcpserver -v -RH -l mx.test 127.0.0.1 25 \
    rblsmtpd -r $ZONE -r other.test "$W/responder" >"$W/logpipe" 2>&1 &
live_pid tcpserver $!
live_wait_port 25
ok $? "tcpserver on 127.0.0.1:25"

cat >"$W/client.py" <<'EOF'
import socket, sys
src, mail = sys.argv[1], sys.argv[2:]
s = socket.create_connection(("127.0.0.1", 25), timeout=8, source_address=(src, 0))
f = s.makefile("rb")
def reply():
    while True:
        l = f.readline()
        sys.stdout.write(l.decode("ascii", "replace"))
        if not l or l[3:4] != b"-":
            return l
def cmd(c):
    s.sendall(c.encode() + b"\r\n")
    return reply()
reply()
cmd("HELO client.example")
if cmd("MAIL FROM:<x@sender.example>")[:1] == b"2":
    ok = [r for r in mail if cmd("RCPT TO:<%s>" % r)[:1] == b"2"]
    if ok and cmd("DATA")[:1] == b"3":
        s.sendall(b"Subject: hi\r\n\r\nhello\r\n.\r\n")
        reply()
cmd("QUIT")
s.close()
EOF
c() { ns python3 "$W/client.py" "$@" 2>&1; }

GT="$W/truth"
: >"$GT"
T0=$(date +%s)
# listed elsewhere: refused three times by rblsmtpd with other.test's text
echo "127.60.1.5 other-list spam" >>"$GT"
echo "127.60.2.5 other-list spam" >>"$GT"
for i in 1 2 3; do c 127.60.1.5 alice@test >/dev/null; c 127.60.2.5 bob@test >/dev/null; done
# a dictionary attack through chkuser
echo "127.61.1.5 dictionary spam" >>"$GT"
c 127.61.1.5 a1@test a2@test a3@test a4@test a5@test a6@test >/dev/null
# good senders
for a in 127.62.1.5 127.62.2.5; do
    echo "$a good -" >>"$GT"
    c $a alice@test >/dev/null; c $a bob@test nobody@test >/dev/null
done
sleep 1.2       # multilog writes the current file as lines arrive
LOG="$LOGD/current"
grep -q "rblsmtpd: 127.60.1.5 pid [0-9]*: 451 Listed by other.test" "$LOG"
ok $? "rblsmtpd refused 127.60.1.5 citing other.test's text"
head -1 "$LOG" | grep -q '^@4000'; ok $? "multilog stamps @tai64n"

run() { "$RBLFORGE" run -c "$CONF" --test-range 127.0.0.0/8 -o "$OUT" "$@"; }
cp "$LOG" "$W/qmail.1"
run "$W/qmail.1" 2>"$W/run1.err"
ok $? "rblforge run on the multilog file" || sed 's/^/# /' "$W/run1.err" | head
listed() { awk -F, -v a="$1" 'NR > 1 && $1 == a { print $2 }' "$OUT/listings.csv"; }
col() { awk -F, -v a="$1" -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i }
                                     NR > 1 && $1 == a { print $c }' "$OUT/listings.csv"; }
while read -r a group want; do
    case $want in
    -) is "$(listed "$a")" "" "$group $a not listed" ;;
    *) is "$(listed "$a")" "$want" "$group $a listed as $want" ;;
    esac
done <"$GT"
awk -F, 'NR > 1 { print $1 }' "$OUT/listings.csv" | sort >"$W/listed1"
dnsbl1=$(col 127.60.1.5 reject_dnsbl)

i=0; a=
while [ $i -lt 50 ]; do
    a=$(ns dig +short +time=1 +tries=1 "$(rev4 127.61.1.5).$ZONE" A)
    [ -n "$a" ] && break
    sleep 0.2; i=$((i + 1))
done
is "$a" 127.0.0.2 "rbldnsd serves the new listing"

# The loop closes: rblsmtpd refuses with our TXT; the good sender passes.
out=$(c 127.61.1.5 alice@test)
echo "$out" | grep -q "127.61.1.5 sent spam to our mail servers"; ok $? "listed 127.61.1.5 refused with $ZONE's TXT"
out=$(c 127.60.1.5 alice@test)
echo "$out" | grep -q "127.60.1.5 sent spam to our mail servers"; ok $? "127.60.1.5 now refused by $ZONE first"
out=$(c 127.62.1.5 alice@test)
echo "$out" | grep -q "250 ok queued"; ok $? "a good sender's mail accepted"
sleep 1.2
grep -q "rblsmtpd: 127.61.1.5 pid [0-9]*: 451 127.61.1.5 sent spam" "$LOG"
ok $? "rblsmtpd logged the refusal with our TXT, no zone name"

sleep 1     # a new second for rbldnsd's mtime check
cp "$LOG" "$W/qmail.2"
run "$W/qmail.2" 2>"$W/run2.err"
ok $? "second run over the log with our own refusals" || sed 's/^/# /' "$W/run2.err" | head
awk -F, 'NR > 1 { print $1 }' "$OUT/listings.csv" | sort >"$W/listed2"
is "$(comm -13 "$W/listed1" "$W/listed2" | tr '\n' ' ')" "" "nothing new listed"
is "$(col 127.60.1.5 reject_dnsbl)" "$dnsbl1" "127.60.1.5: our refusal is no DNSBL evidence"
is "$(col 127.61.1.5 own_zone)" 1 "127.61.1.5: our refusal counted as own_zone"
is "$(col 127.61.1.5 reject_dnsbl)" 0 "127.61.1.5: and not as DNSBL evidence"

"$RBLFORGE" unparsed "$W/qmail.2" >"$W/unparsed" 2>&1
ok $? "rblforge unparsed"
n=$(sed -n 's/^# \([0-9]*\) of .*/\1/p' "$W/unparsed" | head -1)
is "${n:-?}" 0 "no unparsed line in what tcpserver, rblsmtpd and the responder wrote"
[ "${n:-0}" = 0 ] || sed 's/^/# /' "$W/unparsed" | head -20
diag "traffic and both runs: $(( $(date +%s) - T0 )) s"
done_testing
