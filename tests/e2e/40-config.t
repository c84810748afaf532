#!/bin/sh
# Configuration errors (issue 24 item 3): every error reported with its own
# file:line: key, labelled "error:"; a directory is no configuration; the
# files a configuration names are checked with its file:line; time-zone
# names are validated.
. "$(dirname "$0")/tap.sh"
L="$TOP/datasets/sample/mail.log"
cd "$TMP" || exit 1

printf '[policy]\nthreshold = 5\nexpirt = 3d\nexpiry = x\n[zone]\nttl = -1\nbogus line\n' >two.ini
"$RBLFORGE" check-config -c two.ini >out 2>err; is $? 2 "check-config: a bad configuration exits 2"
grep -q '^rblforge: error: two.ini:3: expirt: unknown key' err; ok $? "the misspelt key is named with its own line"
grep -q '^rblforge: error: two.ini:4: expiry: want a duration' err; ok $? "the bad value with its own line"
grep -q '^rblforge: error: two.ini:6: ttl: ' err; ok $? "a later section's error is reported too"
grep -q '^rblforge: error: two.ini:7: syntax error' err; ok $? "a line without '=' is a syntax error on its line"
is "$(grep -c 'error:' err)" 4 "four errors, four messages"
grep -q 'warning:' err; is $? 1 "none of them labelled warning:"
[ -s out ]; is $? 1 "nothing printed as the effective configuration"

mkdir cfgdir
"$RBLFORGE" check-config -c cfgdir >out 2>err; is $? 2 "check-config -c DIR: exit 2"
grep -q 'error: cfgdir: not a regular file' err; ok $? "and says why"
"$RBLFORGE" run -c cfgdir -o out1 "$L" </dev/null >/dev/null 2>err; is $? 2 "run -c DIR: exit 2"
[ -e out1/bl.rbldnsd ]; is $? 1 "nothing published with the defaults"
"$RBLFORGE" check-config -c missing.ini >/dev/null 2>err; is $? 2 "a missing configuration: exit 2"
grep -q 'error: missing.ini: cannot open' err; ok $? "labelled error"

printf '[policy]\n# the lists\nallowlist = nope-allow.txt\n[customers]\nmap = nope-map.tsv\ntemplates = nope-templates\n[abuse]\ncontacts = nope.csv\n' >files.ini
"$RBLFORGE" check-config -c files.ini >/dev/null 2>err; is $? 2 "check-config: missing files named in the config exit 2"
grep -q '^rblforge: error: files.ini:3: allowlist: nope-allow.txt: No such file' err; ok $? "the allowlist with the config's file:line"
grep -q '^rblforge: error: files.ini:5: map: nope-map.tsv: No such file' err; ok $? "the customer map is checked"
grep -q '^rblforge: error: files.ini:6: templates: nope-templates: No such file' err; ok $? "the templates directory is checked"
grep -q '^rblforge: error: files.ini:8: contacts: nope.csv: No such file' err; ok $? "the abuse contacts are checked"
"$RBLFORGE" run -c files.ini -o out2 "$L" </dev/null >/dev/null 2>err; is $? 2 "run with a missing allowlist named in the config: exit 2"
grep -q 'files.ini:3: allowlist' err; ok $? "run names the config's file:line too"
printf '[policy]\nallowlist = bad-allow.txt\n' >bad.ini; printf 'not an address\n' >bad-allow.txt
"$RBLFORGE" check-config -c bad.ini >/dev/null 2>err; is $? 2 "an allowlist that does not load: exit 2"
grep -q 'error: bad.ini:2: allowlist: bad-allow.txt does not load' err; ok $? "with the config's file:line"
printf '[policy]\nallowlist = %s\n' "$TOP/datasets/sample/allowlist.txt" >good.ini
"$RBLFORGE" check-config -c good.ini >/dev/null 2>err; is $? 0 "a config naming files that exist passes"

"$RBLFORGE" run --tz Asia/Tokio -o out3 "$L" </dev/null >/dev/null 2>err; is $? 2 "--tz Asia/Tokio: exit 2"
grep -q 'error: --tz: unknown time zone "Asia/Tokio"' err; ok $? "the zone name is refused"
for z in Asia/Tokyo JST-9 UTC :Asia/Tokyo; do
    "$RBLFORGE" events --tz "$z" "$L" >/dev/null 2>err; is $? 0 "--tz $z is accepted"
done
a=$("$RBLFORGE" events --year 2026 --tz Asia/Tokyo - <<'X' | sed 's/.*"ts":"\([^"]*\)".*/\1/'
Nov 24 09:00:00 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]
X
)
is "$a" "2026-11-24T00:00:00Z" "and used: 09:00 in Tokyo is midnight UTC" 
done_testing
