#!/bin/sh
# report.html in a real browser: headless Debian chromium loads the page
# from a file (no network), takes a screenshot (desktop and phone width),
# and its DOM shows the operator's dashboard (headline figures, the charts
# by cause and by hour with axes and units, top addresses, networks and
# ASNs with reasons, the changes, held networks and allowlist hits) and
# every customer of the sample days with the expected tier, their charts
# on one scale. Skips only where chromium is missing or cannot start.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
cp "$S/customers.tsv" "$TMP/sample.map"
"$RBLFORGE" run --year 2026 --tz JST-9 --now 1795575600 --customers "$TMP/sample.map" \
    --asn-db "$TOP/datasets/asn/asn-test.mmdb" \
    --allowlist "$S/allowlist.txt" -o "$TMP/out" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
is $? 0 "run --customers on the sample days"
H="$TMP/out/report.html"
grep -q -e 'http://' -e 'https://' -e '<script' -e '<link' -e 'src=' "$H"; [ $? -ne 0 ]; ok $? "report.html is self-contained (no URL, script, link or src)"

CHROME=$(command -v chromium || command -v chromium-browser || true)
chrome() {
    timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TMP/profile" --window-size=1280,2000 "$@" 2>"$TMP/chrome.err"
}
if [ -z "$CHROME" ]; then
    skip "chromium not installed (scripts/install-deps test installs it)"
    done_testing; exit
fi
if ! chrome --screenshot="$TMP/shot.png" "file://$H" >/dev/null || [ ! -s "$TMP/shot.png" ]; then
    sed 's/^/# /' "$TMP/chrome.err" | tail -5
    skip "chromium cannot start here"
    done_testing; exit
fi
ok 0 "chromium renders report.html to a screenshot"
is "$(head -c 8 "$TMP/shot.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n' "the screenshot is a PNG"
[ "$(wc -c <"$TMP/shot.png")" -gt 50000 ]; ok $? "the screenshot is not blank"
if [ -n "${RBLFORGE_SHOT:-}" ]; then cp "$TMP/shot.png" "$RBLFORGE_SHOT"; fi
chrome --window-size=390,2400 --screenshot="$TMP/phone.png" "file://$H" >/dev/null
[ "$(wc -c <"$TMP/phone.png")" -gt 20000 ]; ok $? "a phone-width screenshot (390 px) renders"
if [ -n "${RBLFORGE_SHOT:-}" ]; then cp "$TMP/phone.png" "${RBLFORGE_SHOT%.png}-phone.png"; fi
grep -q '<meta name="viewport" content="width=device-width' "$H"; ok $? "the page declares a viewport for phones"
chrome --dump-dom "file://$H" >"$TMP/dom.html"; ok $? "chromium dumps the rendered DOM"
python3 - "$TMP/dom.html" <<'PY'; ok $? "the dashboard: headline, charts with axes and units, top tables with reasons, changes, held and allowlist hits"
import html.parser, re, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.stack, self.text, self.rows = set(), [], {}, {}
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        self.stack.append(a.get("id"))
        if tag == "tr":
            for i in self.stack:
                if i: self.rows[i] = self.rows.get(i, 0) + 1
    def handle_endtag(self, tag):
        if self.stack: self.stack.pop()
    def handle_data(self, d):
        for i in self.stack:
            if i: self.text[i] = self.text.get(i, "") + d
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
for i in ["headline", "dnsbl", "chart-cause", "chart-time", "changes", "top-addresses",
          "top-networks", "top-asns", "held-table", "customers"]:
    assert i in p.ids, i
t = p.text
assert "818addresses seen" in t["headline"] and "entries listed" in t["headline"], t["headline"]
assert "listed entries" in t["chart-cause"] and "spam" in t["chart-cause"], t["chart-cause"]
assert "0250500750" in t["chart-cause"], t["chart-cause"]     # the axis' tick labels
assert "listed addresses per hour (UTC)" in t["chart-time"] and "11-23" in t["chart-time"], t["chart-time"]
assert p.rows["top-addresses"] == 16 and "reject_dnsbl" in t["top-addresses"], p.rows
assert "AS64500" in t["top-addresses"] and "Example Cable Access" in t["top-addresses"]
assert p.rows["top-networks"] >= 10 and "yes" in t["top-networks"]
assert p.rows["top-asns"] >= 5 and "AS64511" in t["top-asns"]
assert "192.0.2.25" in t["held-table"] and "allowlisted" in t["held-table"], t["held-table"]
assert "Added (" in t["dnsbl"] and "552 added" in t["dnsbl"]
PY
python3 - "$TMP/dom.html" <<'PY'; ok $? "the rendered page shows every customer with its tier, chart on a common scale, and signals"
import html.parser, re, sys
want = {"Cheap Pills": "suspend", "Smallshop": "suspend", "Bulk News": "ok", "Acme": "ok", "Clean": "ok"}
class P(html.parser.HTMLParser):
    sections, svgs, tables = {}, 0, set()
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "customer" in a.get("class", ""):
            self.sections[a["data-customer"]] = a["data-tier"]
        if tag == "svg":
            self.svgs += 1
        if tag == "table":
            self.tables.add(a.get("class"))
p = P()
dom = open(sys.argv[1], encoding="utf-8").read()
p.feed(dom)
assert p.sections == want, p.sections
assert p.svgs == len(want) + 2, p.svgs          # one per customer, two charts of the listings
assert "summary" in p.tables, p.tables
scales = set(re.findall(r"0 to (\d+) per hour, the same scale", dom))
assert len(scales) == 1, scales                 # the customers' charts share one scale
assert "account_compromise" in dom and "remote_spam_rejections" in dom
PY
done_testing
