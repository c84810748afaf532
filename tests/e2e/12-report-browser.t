#!/bin/sh
# report.html in a real browser: headless Debian chromium loads the page
# from a file (no network), takes a screenshot, and its DOM shows every
# customer of the sample days with the expected tier. Skips only where
# chromium is missing or cannot start.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
cp "$S/customers.tsv" "$TMP/sample.map"
"$RBLFORGE" run --year 2026 --tz JST-9 --now 1795575600 --customers "$TMP/sample.map" \
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
chrome --dump-dom "file://$H" >"$TMP/dom.html"; ok $? "chromium dumps the rendered DOM"
python3 - "$TMP/dom.html" <<'PY'; ok $? "the rendered page shows every customer with its tier, chart, signals and the listing summary"
import html.parser, sys
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
assert p.svgs == len(want), p.svgs
assert "listing" in p.tables and "summary" in p.tables, p.tables
assert "account_compromise" in dom and "remote_spam_rejections" in dom
PY
done_testing
