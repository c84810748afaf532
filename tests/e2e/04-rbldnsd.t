#!/bin/sh
# bl.rbldnsd in the real rbldnsd on 127.0.0.1, queried with dig.
. "$(dirname "$0")/tap.sh"

command -v rbldnsd >/dev/null || { skip "rbldnsd not installed (scripts/install-deps test)"; done_testing; exit; }
command -v dig >/dev/null || { skip "dig not installed (scripts/install-deps test)"; done_testing; exit; }

S="$TOP/datasets/sample"
"$RBLFORGE" run --year 2026 --tz JST-9 --now logs --allowlist "$S/allowlist.txt" -o "$TMP/out" \
    "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
ok $? "run"

# rbldnsd only warns about bad lines and keeps serving: its dump mode
# must load the dataset without a single warning.
rbldnsd -d -b 127.0.0.1/1 bl.example:ip4set:"$TMP/out/bl.rbldnsd" >"$TMP/dump" 2>"$TMP/warn"
[ ! -s "$TMP/warn" ]; ok $? "rbldnsd loads bl.rbldnsd without warnings"
[ -s "$TMP/warn" ] && sed 's/^/# /' "$TMP/warn" | head
printf '1.2.3.300\n' >"$TMP/bad.rbldnsd"
rbldnsd -d -b 127.0.0.1/1 bl.example:ip4set:"$TMP/bad.rbldnsd" >/dev/null 2>"$TMP/warn2"
[ -s "$TMP/warn2" ]; ok $? "and the check does catch a malformed dataset"

# A free port on loopback.
port=$(( 20000 + $$ % 20000 ))
for try in 1 2 3 4 5; do
    rm -f "$TMP/pid"
    # As root rbldnsd drops to its own user: the files must be readable by it.
    rbldnsd -n -b 127.0.0.1/$port -p "$TMP/pid" -w "$TMP/out" bl.example:ip4set:bl.rbldnsd \
        >"$TMP/rbldnsd.log" 2>&1 &
    for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/pid" ] && break; sleep 0.2; done
    [ -s "$TMP/pid" ] && break
    port=$((port + 1))
done
[ -s "$TMP/pid" ]; ok $? "rbldnsd started on 127.0.0.1:$port"
pid=$(cat "$TMP/pid" 2>/dev/null)
trap 'kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT

q() { dig +short +time=2 +tries=2 -p "$port" @127.0.0.1 "$@"; }
rev() { echo "$1" | awk -F. '{print $4"."$3"."$2"."$1}'; }
status() { dig +time=2 +tries=2 -p "$port" @127.0.0.1 "$@" | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }

spam=$(awk -F, '$2=="spam" && $1 !~ /:/ {print $1; exit}' "$TMP/out/listings.csv")
auth=$(awk -F, '$2=="auth" {print $1; exit}' "$TMP/out/listings.csv")
is "$(q "$(rev "$spam").bl.example" A)" 127.0.0.2 "listed spammer $spam answers 127.0.0.2"
txt=$(q "$(rev "$spam").bl.example" TXT)
echo "$txt" | grep -q "\"$spam sent spam"; ok $? "its TXT carries the address ($txt)"
is "$(q "$(rev "$auth").bl.example" A)" 127.0.0.4 "brute-forcer $auth answers 127.0.0.4"
is "$(q 2.0.0.127.bl.example A)" 127.0.0.2 "RFC 5782 test entry 127.0.0.2 listed"
is "$(status 1.0.0.127.bl.example A)" NXDOMAIN "RFC 5782: 127.0.0.1 not listed"
legit=198.51.100.10
is "$(status "$(rev $legit).bl.example" A)" NXDOMAIN "legitimate MTA $legit: NXDOMAIN"
is "$(status 25.2.0.192.bl.example A)" NXDOMAIN "allowlisted relay 192.0.2.25: NXDOMAIN"

kill "$pid"; ok $? "rbldnsd stopped by its PID"
done_testing
