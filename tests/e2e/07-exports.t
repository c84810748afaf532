#!/bin/sh
# Every published format, loaded by the program that consumes it, on a
# hand-made listing with all causes, aggregation, networks with
# allowlisted holes and IPv6 (tests/helpers/mkexports.c).
. "$(dirname "$0")/tap.sh"

O="$TMP/out"
mkdir -p "$O"
"$B/tests/helpers/mkexports" "$O" 2>/dev/null; ok $? "publish the hand-made listing"

# --- rbldnsd: both datasets load without a single warning, then answer.
if command -v rbldnsd >/dev/null && command -v dig >/dev/null; then
    for ds in ip4set:bl.rbldnsd ip6trie:bl6.rbldnsd; do
        rbldnsd -d -b 127.0.0.1/1 "bl.example:${ds%%:*}:$O/${ds#*:}" >/dev/null 2>"$TMP/warn"
        [ ! -s "$TMP/warn" ]; ok $? "rbldnsd loads ${ds#*:} without warnings"
        sed 's/^/# /' "$TMP/warn" | head -3
    done
    port=$(( 21000 + $$ % 20000 ))
    for try in 1 2 3 4 5; do
        rm -f "$TMP/pid"
        rbldnsd -n -b 127.0.0.1/$port -p "$TMP/pid" -w "$O" \
            bl.example:ip4set:bl.rbldnsd bl.example:ip6trie:bl6.rbldnsd >"$TMP/rbldnsd.log" 2>&1 &
        for i in 1 2 3 4 5 6 7 8 9 10; do [ -s "$TMP/pid" ] && break; sleep 0.2; done
        [ -s "$TMP/pid" ] && break
        port=$((port + 1))
    done
    pid=$(cat "$TMP/pid" 2>/dev/null)
    [ -n "$pid" ]; ok $? "rbldnsd serves both datasets on 127.0.0.1:$port"
    trap 'kill "$pid" 2>/dev/null; rm -rf "$TMP"' EXIT
    a() { dig +short +time=2 +tries=2 -p "$port" @127.0.0.1 "$1.bl.example" A | sort | tr '\n' ' ' | sed 's/ $//'; }
    t() { dig +short +time=2 +tries=2 -p "$port" @127.0.0.1 "$1.bl.example" TXT; }
    nx() { dig +time=2 +tries=2 -p "$port" @127.0.0.1 "$1.bl.example" A | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
    is "$(a 5.2.0.192)" 127.0.0.2 "aggregated 192.0.2.4/30: .5 listed"
    is "$(nx 8.2.0.192)" NXDOMAIN "aggregation is not wider: 192.0.2.8 clean"
    is "$(a 77.2.0.192)" 127.0.0.2 "a prefix listed for two causes answers once"
    is "$(a 10.100.51.198)" 127.0.0.4 "SASL brute force: 127.0.0.4"
    is "$(a 20.100.51.198)" 127.0.0.10 "dynamic rDNS: 127.0.0.10"
    is "$(a 1.113.0.203)" 127.0.0.3 "inside an escalated /24: 127.0.0.3"
    t 1.113.0.203 | grep -q '"203.0.113.1 is in a network'; ok $? "its TXT names the queried address"
    is "$(nx 9.113.0.203)" NXDOMAIN "allowlisted hole in the /24: NXDOMAIN"
    is "$(a 40.30.20.10)" 127.0.0.2 "listed address inside a listed /16 keeps its own code"
    is "$(a 41.30.20.10)" 127.0.0.3 "its neighbour gets the network's code"
    is "$(a 255.1.16.172)" 127.0.0.3 "a /23 covers its second /24"
    is "$(nx 0.2.16.172)" NXDOMAIN "and no more"
    v6() { printf '%s' "$1" | rev | sed 's/./&./g; s/\.$//'; }
    is "$(a "$(v6 20010db8000100000000000000000005)")" 127.0.0.2 "IPv6 address listed"
    is "$(a "$(v6 20010db80002000000000000000000ff)")" 127.0.0.3 "inside an escalated IPv6 /64"
    is "$(nx "$(v6 20010db8000200000000000000000009)")" NXDOMAIN "allowlisted IPv6 hole"
    is "$(a 2.0.0.127)" 127.0.0.2 "RFC 5782: 127.0.0.2 listed"
    is "$(nx 1.0.0.127)" NXDOMAIN "RFC 5782: 127.0.0.1 not listed"
    is "$(a "$(v6 00000000000000000000ffff7f000002)")" 127.0.0.2 "RFC 5782: ::FFFF:7F00:2 listed"
    is "$(nx "$(v6 00000000000000000000ffff7f000001)")" NXDOMAIN "RFC 5782: ::FFFF:7F00:1 not listed"
    kill "$pid"; ok $? "rbldnsd stopped by its PID"
else
    skip "rbldnsd or dig not installed (scripts/install-deps test)"
fi

# --- BIND zone.
if command -v named-checkzone >/dev/null; then
    named-checkzone -i full bl.example "$O/bl.zone" >"$TMP/nc" 2>&1; ok $? "named-checkzone accepts bl.zone"
    sed 's/^/# /' "$TMP/nc" | tail -2
    named-checkzone -D -o "$TMP/canon" bl.example "$O/bl.zone" >/dev/null 2>&1
    has() { grep -q "^$1[[:space:]].*IN A $2\$" "$TMP/canon"; }
    norm() { sed 's/[[:space:]]\+/ /g' "$TMP/canon" >"$TMP/canon2" && mv "$TMP/canon2" "$TMP/canon"; }
    norm
    has '\*\.113\.0\.203\.bl\.example\.' 127.0.0.3; is $? 1 "the /24 with an allowlisted hole is not a wildcard"
    has '8\.113\.0\.203\.bl\.example\.' 127.0.0.3; ok $? "it is expanded around the hole"
    grep -q '^9\.113\.0\.203\.bl' "$TMP/canon"; is $? 1 "and the allowlisted name is absent"
    has '\*\.20\.10\.bl\.example\.' 127.0.0.3; ok $? "the /16 is a wildcard"
    has '\*\.30\.20\.10\.bl\.example\.' 127.0.0.3; ok $? "repeated below the empty non-terminal of 10.20.30.40 (RFC 4592)"
    has '40\.30\.20\.10\.bl\.example\.' 127.0.0.2; ok $? "10.20.30.40 keeps its own code"
    has '\*\.1\.16\.172\.bl\.example\.' 127.0.0.3; ok $? "a /23 becomes two /24 wildcards"
    has '\*\.0\.16\.172\.bl\.example\.' 127.0.0.2; ok $? "the first of them is also a listed /24: spam wins"
    has '\*\.0\.16\.172\.bl\.example\.' 127.0.0.3; is $? 1 "and the name answers once"
    has '2\.0\.0\.127\.bl\.example\.' 127.0.0.2; ok $? "RFC 5782 test entry"
    s1=$(sed -n 's/^[[:space:]]*\([0-9]*\)[[:space:]]*; serial.*/\1/p' "$O/bl.zone")
    "$B/tests/helpers/mkexports" "$O" 2>/dev/null
    s2=$(sed -n 's/^[[:space:]]*\([0-9]*\)[[:space:]]*; serial.*/\1/p' "$O/bl.zone")
    is "$s2" "$((s1 + 1))" "the SOA serial increases on every publish, even with the same clock"
else
    skip "named-checkzone not installed (scripts/install-deps test)"
fi

# --- BIND answers: a real named on loopback serves bl.zone (wildcards,
# the empty non-terminal fix, holes).
if command -v named >/dev/null && command -v dig >/dev/null; then
    Z="$TMP/named"; mkdir -p "$Z"; chmod 755 "$Z"
    cp "$O/bl.zone" "$Z/"; chmod 644 "$Z/bl.zone"
    nport=$(( 23000 + $$ % 20000 ))
    cat >"$Z/named.conf" <<EOC
options { directory "$Z"; listen-on port $nport { 127.0.0.1; }; listen-on-v6 { none; };
          pid-file "$Z/named.pid"; recursion no; dnssec-validation no; };
controls { };
zone "bl.example" { type primary; file "$Z/bl.zone"; };
EOC
    chmod 644 "$Z/named.conf"
    named -c "$Z/named.conf" -g -n 1 >"$Z/log" 2>&1 &
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
        [ -s "$Z/named.pid" ] && dig +short +time=1 +tries=1 -p $nport @127.0.0.1 bl.example SOA >/dev/null 2>&1 && break
        sleep 0.3
    done
    npid=$(cat "$Z/named.pid" 2>/dev/null)
    if [ -n "$npid" ]; then
        ok 0 "named serves bl.zone on 127.0.0.1:$nport"
        ba() { dig +short +time=2 +tries=2 -p $nport @127.0.0.1 "$1.bl.example" A | sort | tr '\n' ' ' | sed 's/ $//'; }
        bnx() { dig +time=2 +tries=2 -p $nport @127.0.0.1 "$1.bl.example" A | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
        is "$(ba 5.2.0.192)" 127.0.0.2 "BIND: aggregated /30 answers"
        is "$(bnx 8.2.0.192)" NXDOMAIN "BIND: and is not wider"
        is "$(ba 1.1.20.10)" 127.0.0.3 "BIND: /16 wildcard answers"
        is "$(ba 41.30.20.10)" 127.0.0.3 "BIND: beside a listed address, the /16 still answers (RFC 4592 fix)"
        is "$(ba 40.30.20.10)" 127.0.0.2 "BIND: the listed address keeps its code"
        is "$(ba 8.113.0.203)" 127.0.0.3 "BIND: escalated /24 answers"
        is "$(ba 5.0.16.172)" 127.0.0.2 "BIND: a name two entries give answers once, for the cause that wins"
        is "$(ba 5.1.16.172)" 127.0.0.3 "BIND: the /23's other /24 keeps the network's code"
        is "$(bnx 9.113.0.203)" NXDOMAIN "BIND: its allowlisted hole does not"
        is "$(ba 2.0.0.127)" 127.0.0.2 "BIND: RFC 5782 127.0.0.2"
        is "$(bnx 1.0.0.127)" NXDOMAIN "BIND: RFC 5782 127.0.0.1"
        kill "$npid"; ok $? "named stopped by its PID"
    else
        ok 1 "named serves bl.zone"; sed 's/^/# /' "$Z/log" | tail -5
    fi
else
    skip "named not installed: no BIND answer check (scripts/install-deps test installs bind9)"
fi

# --- nftables: syntax check, then a real load in a network namespace.
if command -v nft >/dev/null; then
    : >"$TMP/empty.nft"
    how=none
    for h in "" "unshare -n" "unshare -rn"; do
        if $h nft -c -f "$TMP/empty.nft" >/dev/null 2>&1; then how=$h; break; fi
    done
    if [ "$how" = none ]; then
        skip "the kernel refuses nft -c here (also in unshare -n/-rn)"
    else
        $how nft -c -f "$O/fw.nft" >"$TMP/err" 2>&1; ok $? "nft -c -f fw.nft (${how:-plain})"
        if unshare -n true 2>/dev/null; then
            unshare -n sh -c "nft -f '$O/fw.nft' && nft -f '$O/fw.nft' && nft get element inet rblforge rbl4 '{ 203.0.113.8 }' && ! nft get element inet rblforge rbl4 '{ 203.0.113.9 }' 2>/dev/null" >"$TMP/nft" 2>&1
            ok $? "fw.nft loads twice in a namespace; the allowlisted hole stays open"
        else
            skip "unshare -n not permitted: no live nft load"
        fi
    fi
else
    skip "nft not installed"
fi

# --- ipset: restore, restore again (swap), and test membership.
if command -v ipset >/dev/null && unshare -n ipset list >/dev/null 2>&1; then
    unshare -n sh -c "ipset restore <'$O/fw.ipset' && ipset restore <'$O/fw.ipset' && ipset test rbl4 203.0.113.8 && ! ipset test rbl4 203.0.113.9 && ipset test rbl6 2001:db8:2::ff && ! ipset test rbl6 2001:db8:2::9 && ! ipset list -n | grep -q -- -new" >"$TMP/ipset" 2>&1
    ok $? "ipset restore of fw.ipset, twice (swap), holes open, no temporary set left"
    sed 's/^/# /' "$TMP/ipset" | grep -v 'is in set\|is NOT in set' | head -3
else
    # Fallback: only fixed words and addresses.
    bad=$(grep -vE '^(#.*|create rbl[46](-new)? hash:net family inet6? hashsize [0-9]+ maxelem [0-9]+ -exist|flush rbl[46]-new|add rbl[46]-new [0-9a-f.:]+/[0-9]+|swap rbl[46]-new rbl[46]|destroy rbl[46]-new)$' "$O/fw.ipset" | head -3)
    is "$bad" "" "fw.ipset holds only ipset commands and addresses (kernel ipset unavailable here)"
fi

# --- CSV: formula cells neutralised.
grep -q "\"'=cmd|' /C calc'!A0\"" "$O/listings.csv"; ok $? "listings.csv neutralises a formula in a hostname"
done_testing
