#!/bin/sh
# Hostile log bytes through the abuse writer (issue 26 item 4): the
# payloads of 09-hostile.t (quotes, backticks, CR, NUL, invalid UTF-8,
# bidi controls, syslog-escaped newlines, boundary look-alikes) never
# break a header or the MIME structure; the evidence comes back byte for
# byte with --no-redact.
. "$(dirname "$0")/tap.sh"

L="$TMP/hostile.log"
i=0
for host in 'evil";$ORIGIN-x.;`reboot`' '{flush;ruleset}' '=cmd|calc!A0' '--=_rblforge_0' \
            'a#012$TTL#0120' 'x\";drop' "caf$(printf '\303\251')" "bad$(printf '\377\376')" \
            "rlo$(printf '\342\200\256')gpj.exe$(printf '\342\200\213')" 'From me' '.'; do
    i=$((i + 1))
    ip="198.18.$i.7"
    printf 'Nov 24 06:25:01 mx1 postfix/smtpd[1]: connect from %s[%s]\n' "$host" "$ip"
    for k in 1 2 3; do
        printf 'Nov 24 06:25:02 mx1 postfix/smtpd[1]: NOQUEUE: reject: RCPT from %s[%s]: 554 5.7.1 <x@y>: Relay access denied "; --=_rblforge_%s\r\nBcc: a@b `id` {}; from=<a"b;`id`@x> to=<$ORIGIN@y> proto=ESMTP helo=<%s>\n' "$host" "$ip" "$k" "$host"
    done
    printf 'Nov 24 06:25:03 mx1 postfix/postscreen[2]: PREGREET 20 after 0 from [%s]:1: EHLO "; $ORIGIN x\\r\\n\n' "$ip"
    printf 'Nov 24 06:25:04 mx1 postfix/smtpd[1]: warning: %s[%s]: SASL LOGIN authentication failed: ";`id`\r\n' "$host" "$ip"
    printf 'Nov 24 06:25:05 mx1 postfix/smtpd[1]: connect from x[%s] nul\000byte\n' "$ip"
done >"$L"
# A contact name with quotes, a comma and UTF-8; the address's own % and /.
printf 'network,abuse_email,name\n198.18.0.0/15,"a/b%%c@bench.example","Bench ""Lab"", 試験 <x>"\n' >"$TMP/c.csv"
printf '[abuse]\ncontacts = %s\nfrom = desk@example.net\norganisation = Désk "Mail", Inc.\n' "$TMP/c.csv" >"$TMP/conf"
"$RBLFORGE" run -c "$TMP/conf" --year 2026 --now 1795575600 --test-range 198.18.0.0/15 --no-redact \
    -o "$TMP/o" "$L" 2>"$TMP/err"; is $? 0 "run on hostile input with [abuse]"
ABUSE_SUBSET=1 python3 "$TOP/tests/e2e/data/abuse-check.py" "$TMP/o" arf no "$L"
ok $? "every message parses strictly, 7-bit, CRLF; the evidence is raw lines of the source byte for byte"
python3 - "$TMP/o" <<'PY'
import email, email.policy, glob, re, sys
bad = 0
files = glob.glob(sys.argv[1] + "/abuse/*/*.eml")
for f in files:
    raw = open(f, "rb").read()
    head = raw.split(b"\r\n\r\n", 1)[0]
    for frag in (b"ORIGIN", b"`", b"reboot", b"Bcc", b"\x00", b"calc"):
        if frag in head: bad += 1; print(f"# {f}: {frag!r} in the header")
    m = email.message_from_bytes(raw, policy=email.policy.strict)
    if not m.is_multipart() and "digest" not in f: bad += 1; print(f"# {f}: not multipart")
    if m["To"].addresses[0].display_name != 'Bench "Lab", 試験 <x>': bad += 1; print(f"# To {m['To']}")
    if m["From"].addresses[0].display_name != 'Désk "Mail", Inc.': bad += 1; print(f"# From {m['From']}")
    if "digest" not in f and len(list(m.iter_parts())) != 3: bad += 1; print(f"# {f}: parts")
print(f"# {len(files)} files")
sys.exit(1 if bad or len(files) < 2 else 0)
PY
ok $? "headers carry no log bytes; names with quotes and UTF-8 survive as encoded-words"
ls "$TMP/o/abuse" | grep -qx 'a%2Fb%25c@bench.example'; ok $? "the contact's directory name is escaped"
done_testing
