#!/bin/sh
# OUTDIR/postfix/*.cidr through Debian's real postmap: every listed
# address, addresses inside escalated networks, allowlisted holes and
# unlisted addresses answer as the zone (bl.rbldnsd, bl6.rbldnsd) does.
. "$(dirname "$0")/tap.sh"

command -v postmap >/dev/null || [ -x /usr/sbin/postmap ] ||
    { skip "postmap not installed (scripts/install-deps test)"; done_testing; exit; }
PATH=$PATH:/usr/sbin
S="$TOP/datasets/sample"
# A denylisted /22 around escalated networks around listed addresses, and
# denylisted ranges that the allowlist overlaps (so not listed at all: a
# run never makes an allowlisted hole; mkexports below does).
cat "$S/allowlist.txt" >"$TMP/allow"
printf '198.51.100.25\n198.51.100.64/28\n2001:db8:beef::25\n' >>"$TMP/allow"
printf '198.51.100.0/24\n2001:db8:beef::/48\n100.64.0.0/22\n' >"$TMP/deny"
"$RBLFORGE" run --year 2026 --tz JST-9 --now 2026-11-25T03:00:00Z --allowlist "$TMP/allow" \
    --denylist "$TMP/deny" -o "$TMP/out" "$S/mail.log.1.gz" "$S/mail.log" 2>"$TMP/err"
ok $? "run"
O="$TMP/out"
for f in client_access postscreen_access; do
    [ -s "$O/postfix/$f.cidr" ]; ok $? "postfix/$f.cidr published"
done
# postmap reads main.cf; an empty one of our own keeps the host's out.
mkdir "$TMP/pf" && : >"$TMP/pf/main.cf"
for f in client_access postscreen_access; do
    postmap -c "$TMP/pf" -q 192.0.2.1 "cidr:$O/postfix/$f.cidr" >/dev/null 2>"$TMP/pmerr"
    [ ! -s "$TMP/pmerr" ]; ok $? "postmap loads $f.cidr without a warning"
    sed 's/^/# /' "$TMP/pmerr" | head -5
done

# against DIR ALLOWLIST LABEL KINDS: the zone's answer for each queried
# address, from the rbldnsd files (most specific entry wins, '!' excludes)
# and the allowlist, against postmap's; KINDS are the (client/postscreen)
# answers that must occur, or the test proves little.
against() {
    python3 - "$1" "$2" "$TMP/queries" "$TMP/want" <<'PY'
import ipaddress, sys
out, allowf, qf, wf = sys.argv[1:]
entries = []                     # (network, code or None for an exclusion)
for name in ("bl.rbldnsd", "bl6.rbldnsd"):
    default = None
    for line in open(f"{out}/{name}"):
        line = line.rstrip("\n")
        if not line or line[0] in "#$":
            continue
        if line[0] == ":":
            default = line.split(":")[1]
            continue
        if line[0] == "!":
            entries.append((ipaddress.ip_network(line[1:]), None))
            continue
        parts = line.split(" ", 1)
        code = parts[1].split(":")[1] if len(parts) > 1 else default
        net = ipaddress.ip_network(parts[0])
        if net.is_loopback or str(net) in ("::ffff:7f00:2/128",):
            continue             # the RFC 5782 test point is not a listing
        entries.append((net, code))
allow = [ipaddress.ip_network(l.split("#")[0].strip()) for l in open(allowf)
         if l.split("#")[0].strip()]
def zone(a):
    best = None
    for net, code in entries:
        if a.version == net.version and a in net and (best is None or net.prefixlen > best[0].prefixlen):
            best = (net, code)
    return best[1] if best else None
qs = set()
for net, code in entries:
    qs.add(net.network_address)
    qs.add(net.broadcast_address)
    if net.num_addresses > 2:
        qs.add(net.network_address + 1)
for n in allow:
    qs.add(n.network_address)
for s in ("198.51.100.70", "198.51.100.26", "2001:db8:beef::26", "192.0.2.1", "8.8.8.8", "100.64.1.1", "2001:db8::1", "2001:db8:bad:3::1", "10.0.0.1"):
    qs.add(ipaddress.ip_address(s))
qs = sorted(qs, key=lambda a: (a.version, int(a)))
with open(qf, "w") as q, open(wf, "w") as w:
    for a in qs:
        code = zone(a)
        client = "-" if code is None and not any(a in n for n, c in entries if c is None) else \
            "DUNNO" if code is None else "450" if code == "127.0.0.10" else "REJECT"
        if any(a.version == n.version and a in n for n in allow):
            ps = "permit"
        elif code is None or code == "127.0.0.10":
            ps = "-" if code is None or not any(a in n and c != "127.0.0.10" for n, c in entries if c) else "dunno"
        else:
            ps = "reject"
        q.write(f"{a}\n")
        w.write(f"{a} {client} {ps}\n")
PY
    ok $? "$3: zone answers computed"
    diag "$(wc -l <"$TMP/queries") addresses queried"

    # postmap -q - answers "key<TAB>value" for the keys it finds.
    postmap -c "$TMP/pf" -q - "cidr:$1/postfix/client_access.cidr" <"$TMP/queries" >"$TMP/c"
    postmap -c "$TMP/pf" -q - "cidr:$1/postfix/postscreen_access.cidr" <"$TMP/queries" >"$TMP/p"
    python3 - "$TMP/want" "$TMP/c" "$TMP/p" "$4" <<'PY'
import sys
want = [l.split() for l in open(sys.argv[1])]
def load(f):
    d = {}
    for l in open(f):
        k, v = l.rstrip("\n").split("\t", 1)
        d[k] = v
    return d
c, p = load(sys.argv[2]), load(sys.argv[3])
bad = 0
kinds = {}
for a, wc, wp in want:
    gc = c.get(a, "-")
    gc = gc.split(" ")[0] if gc != "-" else gc
    gp = p.get(a, "-")
    if gc != wc or gp != wp:
        bad += 1
        if bad <= 10:
            print(f"# {a}: client {gc} (zone says {wc}), postscreen {gp} (want {wp})")
    kinds[(wc, wp)] = kinds.get((wc, wp), 0) + 1
print("# answers (client, postscreen): " + ", ".join(f"{k[0]}/{k[1]}: {n}" for k, n in sorted(kinds.items())))
    # Every kind of answer must be exercised, or the test proves little.
need = [tuple(k.split("/")) for k in sys.argv[4].split()]
missing = [k for k in need if k not in kinds]
if missing:
    print(f"# not exercised: {missing}")
sys.exit(1 if bad or missing else 0)
PY
    ok $? "$3: postmap answers as the zone for every queried address"

}

against "$O" "$TMP/allow" sample "REJECT/reject 450/- 450/dunno -/- -/permit"
# mkexports: hand-made listings through the real publisher, with the holes
# a run cannot make (an allowlisted address inside a listed network).
mkdir "$TMP/mk" && "$B/tests/helpers/mkexports" "$TMP/mk" 2>"$TMP/err"; ok $? "mkexports"
printf '203.0.113.9\n2001:db8:2::9\n192.0.2.200\n' >"$TMP/mkallow"
against "$TMP/mk" "$TMP/mkallow" mkexports "REJECT/reject 450/- DUNNO/permit -/- -/permit"
grep -q '^203\.0\.113\.9 DUNNO$' "$TMP/mk/postfix/client_access.cidr"
ok $? "the allowlisted hole is DUNNO"
[ "$(grep -n -e '^203\.0\.113\.9 ' -e '^203\.0\.113\.0/24 ' "$TMP/mk/postfix/client_access.cidr" | cut -d: -f1 | tr '\n' ' ')" \
    = "$(grep -n -e '^203\.0\.113\.9 ' -e '^203\.0\.113\.0/24 ' "$TMP/mk/postfix/client_access.cidr" | cut -d: -f1 | sort -n | tr '\n' ' ')" ]
ok $? "before its network"

# The REJECT text is the zone's TXT for the cause, with the prefix.
grep -q '^100\.64\.24\.0/24 REJECT 5\.7\.1 100\.64\.24\.0/24 is in a network' "$O/postfix/client_access.cidr"
ok $? "network entries carry the cause's TXT text"
grep -q '^203\.0\.113\.10 REJECT 5\.7\.1 203\.0\.113\.10 attacked our SMTP AUTH' "$O/postfix/client_access.cidr"
ok $? "auth entries carry theirs"
# First match wins: no line may be shadowed by an earlier, wider one
# (checked with the first matching line of each prefix).
python3 - "$O/postfix/client_access.cidr" <<'PY'
import ipaddress, sys
seen = []
bad = 0
for l in open(sys.argv[1]):
    if l.startswith("#"):
        continue
    n = ipaddress.ip_network(l.split(" ", 1)[0])
    if any(n.version == m.version and n != m and n.subnet_of(m) for m in seen):
        bad += 1
    seen.append(n)
sys.exit(1 if bad else 0)
PY
ok $? "client_access.cidr: no prefix after a wider one holding it"
done_testing
