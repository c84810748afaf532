#!/bin/sh
# Abuse messages as X-ARF (--abuse-format xarf; the YAML report part read
# with python3-yaml), Japanese with --letters ja and for .jp contacts,
# --abuse-max-sources in the digests, --no-redact keeping the raw lines.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
CHECK="$TOP/tests/e2e/data/abuse-check.py"
printf '[abuse]\ncontacts = %s\nfrom = desk@example.net\norganisation = Example Mail Desk\n' \
    "$S/abuse-contacts.csv" >"$TMP/conf"
run() {
    "$RBLFORGE" run -c "$TMP/conf" --year 2026 --tz JST-9 --allowlist "$S/allowlist.txt" \
        --asn-db "$TOP/datasets/asn/asn-test.mmdb" --now 2026-11-25T03:00:00Z "$@" \
        "$S/mail.log.1.gz" "$S/mail.log"
}
run --abuse-format xarf --no-redact --abuse-max-sources 3 -o "$TMP/x" 2>/dev/null; ok $? "run --abuse-format xarf"
if python3 -c 'import yaml' 2>/dev/null; then
    MAX_SOURCES=3 python3 "$CHECK" "$TMP/x" xarf no "$S/mail.log.1.gz" "$S/mail.log"
    ok $? "X-ARF messages parse, YAML fields, raw lines unredacted, digests of 3 and the rest counted"
else skip "python3-yaml not installed"; skip "python3-yaml not installed"; fi
# Japanese: .jp contacts only by default, every contact with --letters ja.
lang() {    # lang OUT CONTACT-DIR: prints ja or en for its first message
    python3 - "$1" "$2" <<'PY'
import email, email.policy, glob, sys
f = sorted(x for x in glob.glob(f"{sys.argv[1]}/abuse/{sys.argv[2]}/*.eml") if "digest" not in x)[0]
m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
t = next(m.iter_parts()).get_content()
print("ja" if "ご担当者様" in t and "不正な通信" in str(m["Subject"]) else "en")
PY
}
is "$(lang "$TMP/x" abuse@vps.example.jp)" ja "a .jp contact gets Japanese too"
is "$(lang "$TMP/x" abuse@cable.example)" en "another contact: English only"
run --letters ja -o "$TMP/j" 2>/dev/null
is "$(lang "$TMP/j" abuse@cable.example)" ja "--letters ja: Japanese for every contact"
run --letters fr -o "$TMP/bad" 2>"$TMP/err"; is $? 2 "--letters fr is a usage error"
run --abuse-format mbox -o "$TMP/bad" 2>"$TMP/err"; is $? 2 "--abuse-format mbox is a usage error"
printf '[abuse]\nformat = xarf\nlanguages = en,ja\nmax_sources = 0\n' >"$TMP/b.ini"
"$RBLFORGE" check-config -c "$TMP/b.ini" >/dev/null 2>"$TMP/err"; is $? 2 "max_sources = 0 refused"
done_testing
