#!/usr/bin/env python3
# Checks OUT/abuse/ against OUT/summary.json and the inputs with Python's
# own MIME parser (email.policy.strict): every message parses, is 7-bit
# with CRLF line ends and no line over 998 bytes, carries its report
# (ARF feedback report or X-ARF YAML) and the raw log lines of its source.
# usage: abuse-check.py OUT FORMAT REDACT(yes|no) LOG...
import email, email.policy, email.utils, ipaddress, json, os, re, sys
from email.parser import BytesParser

out, fmt, redact, logs = sys.argv[1], sys.argv[2], sys.argv[3] == "yes", sys.argv[4:]
bad = 0
def fail(msg):
    global bad
    bad += 1
    if bad <= 10:
        print("# " + msg)

ab = json.load(open(os.path.join(out, "summary.json")))["abuse"]
lines = []
for f in logs:
    import gzip
    data = (gzip.open if f.endswith(".gz") else open)(f, "rb").read()
    # The line splitter takes CRLF for a line end, as syslog over the
    # network may write it: a line's last CR is not part of it.
    lines += [l[:-1] if l.endswith(b"\r") else l for l in data.split(b"\n")]

def redacted(line):
    # The documented rule, written independently: every local part but
    # from=<>'s, and sasl_username='s value.
    line = re.sub(rb"sasl_username=[^, >]+", b"sasl_username=redacted", line)
    def sub(m):
        pre, key, local = m.group(1), m.group(2), m.group(3)
        if key == b"from=<" or key == b"from=":
            return m.group(0)
        return pre + key + b"redacted@"
    return re.sub(rb"(^|[^!#$%&'*+\-/=?^_`{|}~.a-zA-Z0-9\x80-\xff])((?:[a-z_]+=<?|<)?)([!#$%&'*+\-/=?^_`{|}~.a-zA-Z0-9\x80-\xff]+)@", sub, line)

def bracketed(l):
    got = set()
    for a in re.findall(rb"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]", l):
        try: got.add(ipaddress.ip_address(a.decode()))
        except ValueError: pass
    return got

by_ip = {}
for l in lines:
    for a in bracketed(l):
        by_ip.setdefault(a, []).append(l)

files = set()
for root, _, names in os.walk(os.path.join(out, "abuse")):
    for n in names:
        files.add(os.path.relpath(os.path.join(root, n), out))
want = set()
for r in ab["reports"]:
    if r["contact"] is None:
        if "message" in r: fail(f"{r['source']}: a message without a contact")
        continue
    path = r["message"]
    want.add(path)
    d = path.split("/")[1]
    if d != re.sub(r"[^A-Za-z0-9@._+-]", lambda m: "%%%02X" % ord(m.group(0)), r["contact"]):
        fail(f"{path}: not in its contact's directory")
    raw = open(os.path.join(out, path), "rb").read()
    if any(b > 127 for b in raw): fail(f"{path}: 8-bit bytes")
    if re.search(rb"\r(?!\n)|(?<!\r)\n", raw): fail(f"{path}: bare CR or LF")
    if max(len(x) for x in raw.split(b"\r\n")) > 998: fail(f"{path}: a line over 998")
    m = BytesParser(policy=email.policy.strict).parse(open(os.path.join(out, path), "rb"))
    if m.defects: fail(f"{path}: defects {m.defects}")
    if m["To"].addresses[0].addr_spec != r["contact"]: fail(f"{path}: To {m['To']}")
    for h in ("From", "Date", "Message-ID", "Subject"):
        if not m[h]: fail(f"{path}: no {h}")
    if email.utils.parsedate_to_datetime(str(m["Date"])) is None: fail(f"{path}: Date")
    parts = list(m.iter_parts())
    if len(parts) != 3: fail(f"{path}: {len(parts)} parts"); continue
    if fmt == "arf":
        if m.get_content_type() != "multipart/report" or m.get_param("report-type") != "feedback-report":
            fail(f"{path}: {m.get_content_type()}")
        fr = parts[1]
        if fr.get_content_type() != "message/feedback-report": fail(f"{path}: part 2 {fr.get_content_type()}")
        f = dict(fr.get_payload()[0].items())
        if (f.get("Feedback-Type"), f.get("Version"), f.get("Source-IP")) != ("abuse", "1", r["source"]):
            fail(f"{path}: feedback fields {f}")
        if not f.get("User-Agent", "").startswith("rblforge/"): fail(f"{path}: User-Agent")
        if "Arrival-Date" in f and email.utils.parsedate_to_datetime(f["Arrival-Date"]) is None:
            fail(f"{path}: Arrival-Date")
    else:
        if m["X-XARF"] != "PLAIN" or m.get_content_type() != "multipart/mixed":
            fail(f"{path}: not X-ARF")
        import yaml
        y = yaml.safe_load(parts[1].get_content())
        for k in ("Reported-From", "Category", "Report-Type", "Date", "Source", "Source-Type",
                  "Report-ID", "Schema-URL", "Attachment", "Version", "User-Agent"):
            if k not in y: fail(f"{path}: YAML without {k}")
        if y.get("Source") != r["source"] or y.get("Category") != "abuse" or y.get("Version") != "0.2":
            fail(f"{path}: YAML {y}")
    human = parts[0].get_content()
    if r["source"] not in human: fail(f"{path}: the source is not in the text")
    # A text body's line break is CRLF: base64 decodes to it, Python's
    # quoted-printable decoder gives "\n" (a logged CR stays =0D).
    import base64, quopri
    body = parts[2].get_payload(decode=False)
    if parts[2]["Content-Transfer-Encoding"] == "base64":
        ev = base64.b64decode(body).split(b"\r\n")
    else:
        ev = quopri.decodestring(body.replace("\r\n", "\n").encode()).split(b"\n")
    ev = [x for x in ev if x and not x.startswith(b"[")]
    ip = ipaddress.ip_address(r["source"])
    mine = by_ip.get(ip, [])
    exp = [redacted(l) if redact else l for l in mine][:200]
    if os.environ.get("ABUSE_SUBSET"):
        # Hostile input: lines the parser could not attribute (a host name
        # with a space) are not the source's; the rest must be, in order.
        it = iter(exp)
        if not all(any(x == y for y in it) for x in ev) or len(ev) < 2:
            fail(f"{path}: evidence is not an ordered subset of the source's lines")
    elif ev != exp:
        fail(f"{path}: evidence {len(ev)} lines, want {len(exp)}")
        for a, b in zip(ev, exp):
            if a != b: fail(f"  got  {a!r}\n#   want {b!r}"); break
    if redact and re.search(rb"to=<(?!redacted@)[^>]*@", parts[2].get_payload(decode=True)):
        fail(f"{path}: an unredacted recipient")

# Digests: a contact with two or more sources.
groups = {}
for r in ab["reports"]:
    if r["contact"]: groups.setdefault(r["contact"], []).append(r["source"])
maxn = int(os.environ.get("MAX_SOURCES", "100"))
for d in ab["digest_messages"]:
    want.add(d["message"])
    srcs = groups[d["contact"]]
    if d["sources"] != len(srcs) or len(srcs) < 2: fail(f"{d['message']}: sources")
    m = BytesParser(policy=email.policy.strict).parse(open(os.path.join(out, d["message"]), "rb"))
    body = m.get_content()
    shown = [s for s in srcs if re.search(r"(?m)^  %s " % re.escape(s), body)]
    if len(shown) != min(maxn, len(srcs)): fail(f"{d['message']}: lists {len(shown)} of {len(srcs)}")
    if len(srcs) > maxn and f"and {len(srcs) - maxn} more" not in body: fail(f"{d['message']}: no rest count")
if len([c for c in groups if len(groups[c]) > 1]) != len(ab["digest_messages"]): fail("digest count")
if files != want: fail(f"files and summary.json differ: {sorted(files ^ want)[:5]}")
if ab["messages"] != len([r for r in ab["reports"] if r["contact"]]): fail("messages count")
print(f"# {len(want)} messages checked")
sys.exit(1 if bad else 0)
