#!/bin/sh
# Abuse messages (issue 26 item 2): with [abuse] contacts and from, every
# newly listed source with a contact gets exactly one ARF message in
# OUT/abuse/CONTACT/, parsed here by Python's email package, with its raw
# log lines (our users' local parts redacted); a contact of two or more
# also gets a digest; allowlisted sources never; with --state a source
# is reported once per listing.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
CHECK="$TOP/tests/e2e/data/abuse-check.py"
printf '[abuse]\ncontacts = %s\nfrom = desk@example.net\nreply_to = noc@example.net\norganisation = Example Mail Desk\n' \
    "$S/abuse-contacts.csv" >"$TMP/conf"
run() {
    "$RBLFORGE" run --year 2026 --tz JST-9 --asn-db "$TOP/datasets/asn/asn-test.mmdb" \
        --now 2026-11-25T03:00:00Z "$@" "$S/mail.log.1.gz" "$S/mail.log"
}
run -c "$TMP/conf" --allowlist "$S/allowlist.txt" -o "$TMP/o" 2>"$TMP/err"; ok $? "run with [abuse]"
python3 "$CHECK" "$TMP/o" arf yes "$S/mail.log.1.gz" "$S/mail.log"
ok $? "one ARF message per source with a contact, raw redacted lines, digests"

# Allowlisted sources: never a message. The allowlist's addresses that
# would be listed are in summary.json's allowlisted count; none has a file.
python3 - "$TMP/o" "$S/allowlist.txt" <<'PY'
import ipaddress, os, sys
nets = [ipaddress.ip_network(l.split("#")[0].strip(), strict=False)
        for l in open(sys.argv[2]) if l.split("#")[0].strip()]
bad = 0
for root, _, names in os.walk(sys.argv[1] + "/abuse"):
    for n in names:
        if n == "digest.eml": continue
        a = ipaddress.ip_address(n[:-4].replace("-", ":"))
        if any(a.version == x.version and a in x for x in nets):
            bad += 1; print("# allowlisted " + n)
sys.exit(bad)
PY
ok $? "no message for an allowlisted source"
# An address of the sample made allowlisted: its message disappears.
f=$(cd "$TMP/o/abuse" && ls */*.eml | grep -v digest | grep -v -- - | head -1)
a=${f#*/}; a=${a%.eml}
cat "$S/allowlist.txt" >"$TMP/allow"; echo "$a" >>"$TMP/allow"
run -c "$TMP/conf" --allowlist "$TMP/allow" -o "$TMP/o2" 2>/dev/null
[ -e "$TMP/o/abuse/$f" ] && [ ! -e "$TMP/o2/abuse/$f" ]; ok $? "allowlisting $a removes its message"

# --state: a contact hears about a source once per listing.
run -c "$TMP/conf" --allowlist "$S/allowlist.txt" --state "$TMP/st" -o "$TMP/s" 2>/dev/null
n1=$(find "$TMP/s/abuse/" -name '*.eml' ! -name digest.eml | wc -l)
run -c "$TMP/conf" --allowlist "$S/allowlist.txt" --state "$TMP/st" -o "$TMP/s" 2>/dev/null
n2=$(find -L "$TMP/s/abuse/" -name '*.eml' 2>/dev/null | wc -l)
[ "$n1" -gt 0 ] && [ "$n2" -eq 0 ]; ok $? "with --state: $n1 messages, then none for the same listing"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["abuse"]; sys.exit(a["messages"] != 0 or a["digest_messages"] != [])' "$TMP/s/summary.json"
ok $? "summary.json: no messages on the second run"

# Without [abuse] from: the contacts in summary.json, no messages.
run --allowlist "$S/allowlist.txt" --abuse-contacts "$S/abuse-contacts.csv" -o "$TMP/n" 2>"$TMP/err"
[ ! -e "$TMP/n/abuse" ] && grep -q 'from is not set' "$TMP/err"; ok $? "no [abuse] from: no OUT/abuse/, said once"
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["abuse"]; sys.exit("messages" in a or "message" in a["reports"][0])' "$TMP/n/summary.json"
ok $? "summary.json names no message files then"
is "$(temporaries "$TMP/o")" 0 "no temporaries left in the publication"
done_testing
