#!/bin/sh
# Which causes go to the firewall sets (issue 24 item 5): [firewall] causes
# (default spam,auth,net: no dynamic, PBL-like entries), and [firewall]
# nft_rule = yes makes fw.nft a complete snippet with a drop rule.
. "$(dirname "$0")/tap.sh"
S="$TOP/datasets/sample"
R() { "$RBLFORGE" run --year 2026 --tz JST-9 --now logs "$@" "$S/mail.log" </dev/null 2>/dev/null; }
in_set() { grep -q "^	$1,\\{0,1\\}\$" "$2/fw.nft"; }
R -o "$TMP/d"; is $? 0 "run with the defaults"
dyn=$(awk -F, '$2 == "dynamic" { print $1; exit }' "$TMP/d/listings.csv" 2>/dev/null)
[ -z "$dyn" ] && dyn=$(grep ',dynamic,' "$TMP/d/listings.csv" | head -1 | cut -d, -f1)
spam=$(grep ',spam,' "$TMP/d/listings.csv" | head -1 | cut -d, -f1)
diag "dynamic entry: $dyn; spam entry: $spam"
[ -n "$dyn" ]; ok $? "the sample has a dynamic (PBL-like) entry"
grep -q "^$dyn " "$TMP/d/bl.rbldnsd"; ok $? "it is in the DNS zone"
in_set "$dyn" "$TMP/d"; is $? 1 "but not in fw.nft by default"
grep -q "^add $dyn\$\|^add rbl4 $dyn\$\|^add rbl4-new $dyn\$" "$TMP/d/fw.ipset"; is $? 1 "nor in fw.ipset"
in_set "$spam" "$TMP/d"; ok $? "a spam entry is in fw.nft"
"$RBLFORGE" check-config | grep -q "^causes = spam,net,auth$"; ok $? "check-config shows the default causes"

printf '[firewall]\ncauses = spam, auth, net, dynamic\nnft_rule = yes\n' >"$TMP/fw.ini"
R -c "$TMP/fw.ini" -o "$TMP/a"; is $? 0 "run with causes including dynamic and nft_rule = yes"
in_set "$dyn" "$TMP/a"; ok $? "the dynamic entry is in fw.nft when asked for"
grep -q '^add rule inet rblforge input ip saddr @rbl4 drop$' "$TMP/a/fw.nft"; ok $? "fw.nft drops the IPv4 set's sources"
grep -q '^add rule inet rblforge input ip6 saddr @rbl6 drop$' "$TMP/a/fw.nft"; ok $? "and the IPv6 set's"
grep -q 'type filter hook input priority' "$TMP/d/fw.nft"; is $? 1 "without nft_rule no chain"
printf '[firewall]\ncauses = spam,pbl\n' >"$TMP/bad.ini"
"$RBLFORGE" check-config -c "$TMP/bad.ini" >/dev/null 2>"$TMP/err"; is $? 2 "an unknown cause: exit 2"
grep -q 'bad.ini:2: causes: want causes' "$TMP/err"; ok $? "named with its line"

if command -v nft >/dev/null && unshare -n nft -c -f /dev/null 2>/dev/null; then
    unshare -n sh -c "nft -f '$TMP/a/fw.nft' && nft -f '$TMP/a/fw.nft' && nft list chain inet rblforge input" >"$TMP/list" 2>&1
    ok $? "the snippet loads twice in a fresh namespace"
    is "$(grep -c 'saddr @rbl[46] drop' "$TMP/list")" 2 "with one rule per family, not two"
else
    skip "nft or unshare -n not available: no load test"
    skip "nft or unshare -n not available"
fi
done_testing
