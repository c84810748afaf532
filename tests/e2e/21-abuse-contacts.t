#!/bin/sh
# Abuse contacts offline: scripts/rpsl2contacts on an RPSL sample written
# here, the bundled sample's table, and run --abuse-contacts: each newly
# listed address gets the longest matching prefix's contact, else its
# ASN's, else counts as "no contact" in summary.json.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
R="$TOP/scripts/rpsl2contacts"
cat >"$TMP/a.rpsl" <<'RPSL'
% comment lines and remarks are skipped
inetnum:        198.51.100.10 - 198.51.100.20
netname:        ODD-RANGE
abuse-c:        ODD1-TEST # trailing comment
source:         TEST

inet6num:       2001:db8:f00::/48
netname:        V6 NET, "quoted"
abuse-c:        IRT-V6
source:         TEST

aut-num:        AS4200000001
as-name:        FOUR-BYTE
abuse-c:        FB1-TEST

inetnum:        192.0.2.0 - 192.0.2.255
netname:        NO-CONTACT
RPSL
cat >"$TMP/b.rpsl" <<'RPSL'
role:           Odd abuse
nic-hdl:        odd1-test
abuse-mailbox:  abuse@odd.example

irt:            IRT-V6
abuse-mailbox:  abuse@v6.example
remarks:        a continuation
                line

role:           Four byte
nic-hdl:        FB1-TEST
abuse-mailbox:  bad address@x.example
RPSL
gzip -c "$TMP/b.rpsl" >"$TMP/b.rpsl.gz"
"$R" "$TMP/a.rpsl" "$TMP/b.rpsl.gz" >"$TMP/got.csv" 2>"$TMP/err"
ok $? "rpsl2contacts ran (plain and gzip input)"
cat >"$TMP/want.csv" <<'CSV'
network,abuse_email,name
198.51.100.10/31,abuse@odd.example,ODD-RANGE
198.51.100.12/30,abuse@odd.example,ODD-RANGE
198.51.100.16/30,abuse@odd.example,ODD-RANGE
198.51.100.20/32,abuse@odd.example,ODD-RANGE
2001:db8:f00::/48,abuse@v6.example,"V6 NET, ""quoted"""
CSV
cmp -s "$TMP/got.csv" "$TMP/want.csv"; ok $? "ranges split into prefixes, handles case-blind, irt, quoting"
[ $? -eq 0 ] || diff "$TMP/want.csv" "$TMP/got.csv" | sed 's/^/# /'
grep -q '1 without an abuse contact, 1 skipped' "$TMP/err"; ok $? "counts the uncontactable and the malformed"
"$R" "$S/contacts.rpsl" 2>/dev/null | cmp -s - "$S/abuse-contacts.csv"
ok $? "datasets/sample/abuse-contacts.csv is rpsl2contacts of contacts.rpsl"

run() {
    "$RBLFORGE" run --year 2026 --tz JST-9 --allowlist "$S/allowlist.txt" \
        --asn-db "$TOP/datasets/asn/asn-test.mmdb" --now 2026-11-25T03:00:00Z "$@" \
        "$S/mail.log.1.gz" "$S/mail.log"
}
run --abuse-contacts "$S/abuse-contacts.csv" -o "$TMP/o" 2>"$TMP/err"; ok $? "run --abuse-contacts"
# The same lookup done independently, from the CSV and listings.csv.
python3 - "$S/abuse-contacts.csv" "$TMP/o" <<'PY'
import csv, ipaddress, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
nets = [(ipaddress.ip_network(r["network"]), r["abuse_email"]) for r in rows
        if not r["network"].startswith("AS")]
asns = {int(r["network"][2:]): r["abuse_email"] for r in rows if r["network"].startswith("AS")}
listed = [r for r in csv.DictReader(open(sys.argv[2] + "/listings.csv"))
          if r["source"] == "evidence" and "/" not in r["address"]]
ab = json.load(open(sys.argv[2] + "/summary.json"))["abuse"]
got = {r["source"]: r["contact"] for r in ab["reports"]}
bad = 0
if sorted(got) != sorted(r["address"] for r in listed):
    print("# the sources are not the listed addresses with evidence"); bad += 1
vias = set()
for r in listed:
    a = ipaddress.ip_address(r["address"])
    m = [(n.prefixlen, e) for n, e in nets if n.version == a.version and a in n]
    want = max(m)[1] if m else asns.get(int(r["asn"] or 0))
    vias.add("prefix" if m else "asn" if want else "none")
    if got.get(r["address"]) != want:
        bad += 1
        if bad < 5:
            print(f"# {r['address']}: {got.get(r['address'])}, want {want}")
none = sum(1 for v in got.values() if v is None)
if (ab["sources"], ab["no_contact"], ab["with_contact"]) != (len(got), none, len(got) - none):
    print("# counts disagree"); bad += 1
if vias != {"prefix", "asn", "none"}:
    print(f"# not every way exercised: {vias}"); bad += 1
print(f"# {len(got)} sources, {none} without a contact")
sys.exit(1 if bad else 0)
PY
ok $? "every newly listed address: longest prefix, then ASN, else no contact"
run -o "$TMP/plain" 2>/dev/null
python3 -c 'import json,sys; sys.exit("abuse" in json.load(open(sys.argv[1])))' "$TMP/plain/summary.json"
ok $? "no abuse key without contacts"

# With a state file a contact hears about a source once per listing.
printf '[abuse]\ncontacts = %s\n' "$S/abuse-contacts.csv" >"$TMP/conf"
run -c "$TMP/conf" --state "$TMP/state" -o "$TMP/s" 2>/dev/null
run -c "$TMP/conf" --state "$TMP/state" -o "$TMP/s" 2>/dev/null
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["abuse"]; sys.exit(a["sources"] != 0)' "$TMP/s/summary.json"
ok $? "[abuse] contacts =; the same logs again on the state: no source is new"

# Bad tables and settings are usage errors naming file:line.
bad() {     # bad DESCRIPTION CONTENT
    printf '%b' "$2" >"$TMP/bad.csv"
    run --abuse-contacts "$TMP/bad.csv" -o "$TMP/x" 2>"$TMP/err"
    st=$?
    [ $st -eq 2 ] && grep -q 'bad.csv:[0-9]' "$TMP/err"; ok $? "refused: $1"
}
bad "header injection in the address" 'network,abuse_email,name\n10.0.0.0/8,"abuse@x.example\r\nBcc: a@b.example",X\n'
bad "a display name in the address" 'network,abuse_email,name\n10.0.0.0/8,Abuse <abuse@x.example>,X\n'
bad "host bits" 'network,abuse_email,name\n10.0.0.1/8,abuse@x.example,X\n'
bad "four fields" 'network,abuse_email,name\n10.0.0.0/8,abuse@x.example,X,Y\n'
bad "AS0" 'network,abuse_email,name\nAS0,abuse@x.example,X\n'
bad "a control byte in the name" 'network,abuse_email,name\n10.0.0.0/8,abuse@x.example,X\033[31m\n'
printf '[abuse]\nfrom = "Desk" <desk@example.net>\n' >"$TMP/badconf"
run -c "$TMP/badconf" -o "$TMP/x" 2>"$TMP/err"; is $? 2 "[abuse] from must be a plain address"
done_testing
