#!/bin/sh
# Issue 23 item 2: history across nights with --state. Night 1 sets each
# login's baseline (STATE.customers, checksummed, atomic); night 2 is
# judged against it: a user's usual networks are not new, a stolen
# password's networks are; the volume spike is against the login's own
# daily median. A damaged history is refused; old days age out.
. "$(dirname "$0")/tap.sh"

gen() {     # gen NIGHT FILE
python3 - "$1" "$2" <<'PY'
import sys
night, path = int(sys.argv[1]), sys.argv[2]
out = open(path, "w")
n = 0
def msg(t, user, ip, rcpts, refuse=0, bounce=0):
    global n
    n += 1
    q = "%X" % (0xC0000 + night * 0x10000 + n)
    ts = lambda s: "2026-12-%02dT%02d:%02d:%02d+00:00" % (night, s // 3600, s // 60 % 60, s % 60)
    out.write("%s mx1 postfix/submission/smtpd[100]: %s: client=unknown[%s], sasl_method=LOGIN, sasl_username=%s\n" % (ts(t), q, ip, user))
    out.write("%s mx1 postfix/qmgr[9]: %s: from=<x@s.example>, size=900, nrcpt=%d (queue active)\n" % (ts(t), q, rcpts))
    for r in range(rcpts):
        if r < refuse:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@far.example>, relay=mx.far.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.7.1, status=bounced (host mx.far.example[192.0.2.9] said: 550 5.7.1 Message rejected as spam (in reply to end of DATA command))\n" % (ts(t + 1), q, r))
        elif r < refuse + bounce:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@far.example>, relay=mx.far.example[192.0.2.9]:25, delay=1, delays=0/0/0/1, dsn=5.2.2, status=bounced (host mx.far.example[192.0.2.9] said: 552 5.2.2 mailbox full (in reply to RCPT TO command))\n" % (ts(t + 1), q, r))
        else:
            out.write("%s mx1 postfix/smtp[200]: %s: to=<r%d@near.example>, relay=mx.near.example[192.0.2.8]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)\n" % (ts(t + 1), q, r))
    out.write("%s mx1 postfix/qmgr[9]: %s: removed\n" % (ts(t + 2), q))
# multi: the same five unrelated networks every night (home, office,
# phone, a relative's, a cafe), and a sloppy list: 30% bounces
for i in range(30):
    msg(600 + i * 1200, "multi@cust.example", "%d.%d.20.5" % (31 + (i % 5) * 17, i % 5), 10, 0, 3)
# bob: night 1 from home only; night 2 from 20 unrelated networks with spam refusals
if night == 1:
    for i in range(10):
        msg(900 + i * 3000, "bob@cust.example", "100.64.7.9", 2)
else:
    for i in range(20):
        msg(1200 + i * 400, "bob@cust.example", "%d.%d.33.4" % (11 + i * 9, 7 * i), 4, 3)
# vol: 20 a night from its usual networks, then 240 spread evenly over 24 hours
# (no busy hour) from four networks of which one is new
for i in range(20 if night == 1 else 240):
    msg(300 + i * (4000 if night == 1 else 350), "vol@cust.example", "%d.1.50.5" % (41 + (i % (3 if night == 1 else 4)) * 13), 1)
PY
}
gen 1 "$TMP/night1.log"
gen 2 "$TMP/night2.log"
printf 'Multi\tsasl\tmulti@cust.example\nBob\tsasl\tbob@cust.example\nVol\tsasl\tvol@cust.example\n' >"$TMP/map"
run() {     # run OUT NOW LOG [extra...]
    o=$1 now=$2 log=$3; shift 3
    "$RBLFORGE" run --year 2026 --tz UTC --now "$now" --state "$TMP/state" --customers "$TMP/map" \
        -o "$TMP/$o" "$@" "$log" </dev/null 2>>"$TMP/err"
}
sig() {     # sig OUT CUSTOMER: level of account_compromise, or none
    python3 -c 'import json,sys; s=[x["level"] for x in json.load(open(sys.argv[1]))["signals"] if x["name"] == "account_compromise"]; print(s[0] if s else "none")' "$TMP/$1/customers/$2.json"
}
tier() { awk -F, -v c="$1" '$1 == c { print $2 }' "$TMP/$2/customers/index.csv"; }
login() {   # login OUT CUSTOMER KEY
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["logins"][0][sys.argv[2]])' "$TMP/$1/customers/$2.json" "$3"
}

# Without state: five places with bounces reach warn; Vol's 240 in a day is no spike.
"$RBLFORGE" run --year 2026 --tz UTC --now 2026-12-02T23:30:00Z --customers "$TMP/map" -o "$TMP/nostate" "$TMP/night2.log" </dev/null 2>/dev/null
r=$?; [ $r -eq 0 ] || [ $r -eq 3 ]; ok $? "night 2 without --state"
is "$(sig nostate Multi)" warn "without history: Multi's five unrelated networks + bounces are a compromise at warn (judged within the night)"
is "$(sig nostate Vol)" watch "without history: Vol's even day is no spike (dispersion alone: watch)"

run n1 2026-12-01T23:30:00Z "$TMP/night1.log"; r=$?; [ $r -eq 0 ] || [ $r -eq 3 ]; ok $? "night 1 with --state"
[ -s "$TMP/state.customers" ]; ok $? "STATE.customers written next to the state file"
is "$(stat -c %a "$TMP/state.customers")" 600 "history is private (0600)"
tail -n 1 "$TMP/state.customers" | grep -qE '^end	[0-9]+	[0-9a-f]{16}$'; ok $? "history ends with its line count and checksum"
grep -q '^K	.*	n:100.64.7.0/24$' "$TMP/state.customers"; ok $? "history holds bob's home network"
cp "$TMP/state.customers" "$TMP/hist1"
run n2 2026-12-02T23:30:00Z "$TMP/night2.log"; r=$?; [ $r -eq 0 ] || [ $r -eq 3 ]; ok $? "night 2 with --state"
is "$(login n2 Multi new_places)" 0 "Multi's five usual networks are not new"
is "$(sig n2 Multi)" none "Multi: no account_compromise against its history"
is "$(tier Bob n2)" suspend "Bob: 20 networks new for this login + spam refusals is suspend"
is "$(login n2 Bob new_places)" 20 "Bob: 20 new places"
is "$(login n2 Bob known_login)" True "Bob is a known login"
grep -q 'account_compromise.*20 of them new for this login' "$TMP/n2/customers/Bob.json"; ok $? "Bob: the summary names the new places"
grep -q ' 20 of these places were never used by this login before' "$TMP/n2/customers/Bob.en.txt"; ok $? "Bob's letter names the new places"
is "$(login n2 Vol baseline_daily_median)" 20 "Vol: baseline median 20 a day"
grep -q '"name": "account_compromise", "level": "warn".*240 messages against a median of 20 a day over 1 earlier days' "$TMP/n2/customers/Vol.json"; ok $? "Vol: the day against its own baseline is the outcome (warn)"
grep -q 'it sent 240 messages, against a median of' "$TMP/n2/customers/Vol.en.txt"; ok $? "Vol's letter names the baseline spike"
# damaged history: refused, nothing published
cp "$TMP/state.customers" "$TMP/hist2"
sed -i '2s/^E/X/' "$TMP/state.customers"
before=$(readlink "$TMP/n2/current")
run n2 2026-12-02T23:30:00Z "$TMP/night2.log" --force; r=$?
[ $r -ne 0 ] && [ $r -ne 3 ] && grep -q 'state.customers: checksum mismatch' "$TMP/err"; ok $? "damaged history refused (exit $r)"
is "$(readlink "$TMP/n2/current")" "$before" "nothing published on a damaged history"
cp "$TMP/hist2" "$TMP/state.customers"
# aging: with history_days = 1 only the latest night stays
printf '[customers]\nhistory_days = 1\n' >"$TMP/conf"
run n3 2026-12-03T23:30:00Z "$TMP/night2.log" --force --config "$TMP/conf"
tail -n 1 "$TMP/state.customers" | grep -qE '^end	[0-9]+	[0-9a-f]{16}$' && grep -q '^D	20789	' "$TMP/hist2"; ok $? "history rewritten on night 3 (night 2 was in it before)"
grep -q '^D	20788	' "$TMP/state.customers"; [ $? -ne 0 ]; ok $? "history_days = 1: night 1 aged out"
grep -q '^K	.*	n:100.64.7.0/24$' "$TMP/state.customers"; [ $? -ne 0 ]; ok $? "history_days = 1: bob's night-1 network forgotten"
done_testing
