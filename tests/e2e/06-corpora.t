#!/bin/sh
# Parser accuracy on real published log lines (../shared/corpora, see its
# README): every corpus parses without a crash into valid JSON, and the
# fields the source projects assert (client IP, host name, queue id,
# status, DSN, SASL user, from, to) agree with `rblforge events`.
# Targets: 100% of asserted client IPs and queue ids, >= 99% of all
# asserted fields. Read-off cells (`~`) and the fail2ban/sshguard evidence
# verdicts are reported, not asserted.
. "$(dirname "$0")/tap.sh"

C="$TOP/../shared/corpora"
if [ ! -d "$C" ]; then
    skip "../shared/corpora not found: corpus tests need the shared folder next to the repository"
    done_testing; exit
fi
for d in "$C"/*/; do
    name=$(basename "$d")
    f="$d/lines.wrapped.log"; [ -f "$f" ] || f="$d/lines.log"
    [ -f "$f" ] || f="$d/lines.log.gz"
    [ -f "$f" ] || continue
    TZ=UTC "$RBLFORGE" events --format jsonl "$f" >"$TMP/$name.jsonl" 2>"$TMP/err"; st=$?
    is "$st" 0 "$name: events exits 0"
done

python3 - "$C" "$TMP" >"$TMP/report" 2>&1 <<'EOF'
import gzip, json, os, sys

corpora, tmp = sys.argv[1], sys.argv[2]
FIELDS = {"client_ip": "ip", "client_host": "rdns", "queue_id": "qid", "status": "status",
          "dsn": "dsn", "sasl_username": "sasl_user", "from": "from", "to": "to"}

def norm(col, v):
    # The corpora README's normalisation rules.
    v = "" if v is None else str(v).strip()
    if col in ("from", "to"):
        v = v.strip("<>") or "<>"
    if col == "client_host" and v in ("", "unknown"):
        v = "unknown"
    if col == "queue_id" and v in ("", "NOQUEUE"):
        v = "NOQUEUE"
    if col == "client_ip" and v.lower().startswith("ipv6:"):
        v = v[5:]
    if col == "client_ip" and v == "":
        v = "unknown"
    return v.lower()

# Events that count against the client (analyze/agg.c with a positive weight).
PS_BAD = {"pregreet", "dnsbl_rank", "hangup", "command_pipelining", "non_smtp_command",
          "bare_newline", "command_limit", "denylisted"}
def evidence(e):
    t, r = e.get("event"), e.get("reason", "")
    if t in ("reject", "rbl", "tcp_deny", "rdns_fail"):
        return True
    if t == "auth_fail":
        return r != "server_error"
    if t == "lost":
        return r in ("too_many_errors", "improper_pipelining", "non_smtp_command")
    if t == "postscreen":
        return r in PS_BAD
    return False

tot = dict(a_ok=0, a_all=0, r_ok=0, r_all=0, ip_ok=0, ip_all=0, q_ok=0, q_all=0,
           v_ok=0, v_all=0, lines=0, seen=0)
misses, verdicts = [], []
bad_json = 0
for name in sorted(os.listdir(corpora)):
    d = os.path.join(corpora, name)
    exp = os.path.join(d, "expect.tsv")
    out = os.path.join(tmp, name + ".jsonl")
    if not os.path.isfile(exp) or not os.path.isfile(out):
        continue
    ev = {}
    for raw in open(out, encoding="utf-8"):
        try:
            e = json.loads(raw)
        except ValueError:
            bad_json += 1
            continue
        ev.setdefault(e["line"], []).append(e)
    c = dict.fromkeys(tot, 0)
    with open(exp, encoding="utf-8", errors="replace") as fh:
        head = fh.readline().rstrip("\n").split("\t")
        for row in fh:
            cells = dict(zip(head, row.rstrip("\n").split("\t")))
            n = int(cells["n"])
            es = ev.get(n, [])
            c["lines"] += 1
            c["seen"] += bool(es)
            cls = cells.get("class", "")
            if cls in ("match_true", "match_false"):
                ip = norm("client_ip", cells.get("client_ip", "").lstrip("~"))
                hit = [e for e in es if norm("client_ip", e.get("ip")) == ip]
                counted = any(evidence(e) for e in hit)
                c["v_all"] += 1
                c["v_ok"] += counted == (cls == "match_true")
                if counted != (cls == "match_true"):
                    verdicts.append((name, n, cls, ip, [(e.get("event"), e.get("reason")) for e in hit]))
                if cls == "match_true" and cells.get("client_ip") and not cells["client_ip"].startswith("~"):
                    # Asserted by the detector: we extract this client.
                    for k in ("a", "ip"):
                        c[k + "_all"] += 1
                        c[k + "_ok"] += bool(hit)
                    if not hit:
                        misses.append(("asserted", name, n, "client_ip", ip, [e.get("ip") for e in es]))
                    continue
            for col, key in FIELDS.items():
                v = cells.get(col, "")
                if not v:
                    continue
                read = v.startswith("~")
                want = norm(col, v.lstrip("~"))
                ok = any(norm(col, e.get(key)) == want for e in es)
                k = "r" if read else "a"
                c[k + "_all"] += 1
                c[k + "_ok"] += ok
                if not read and col in ("client_ip", "queue_id"):
                    k2 = "ip" if col == "client_ip" else "q"
                    c[k2 + "_all"] += 1
                    c[k2 + "_ok"] += ok
                if not ok:
                    misses.append(("read-off" if read else "asserted", name, n, col, want,
                                   [e.get(key) for e in es]))
    for k in tot:
        tot[k] += c[k]
    f = lambda a, b: "%d/%d" % (c[a], c[b])
    print("# %-26s asserted %-8s read-off %-8s client_ip %-7s queue_id %-7s verdicts %-6s lines with an event %s"
          % (name, f("a_ok", "a_all"), f("r_ok", "r_all"), f("ip_ok", "ip_all"), f("q_ok", "q_all"),
             f("v_ok", "v_all"), f("seen", "lines")))
frac = lambda a, b: tot[a] / tot[b] if tot[b] else 1.0
print("# all: asserted %d/%d = %.4f, read-off %d/%d = %.4f, fail2ban/sshguard verdicts %d/%d"
      % (tot["a_ok"], tot["a_all"], frac("a_ok", "a_all"), tot["r_ok"], tot["r_all"],
         frac("r_ok", "r_all"), tot["v_ok"], tot["v_all"]))
for m in misses:
    print("# miss (%s): %s line %d %s: want %r, got %r" % m)
for v in verdicts:
    print("# verdict differs: %s line %d %s %s: events %r" % v)
print("RESULT json %d" % (bad_json == 0))
print("RESULT client_ip %d" % (tot["ip_ok"] == tot["ip_all"]))
print("RESULT queue_id %d" % (tot["q_ok"] == tot["q_all"]))
print("RESULT asserted %d" % (frac("a_ok", "a_all") >= 0.99))
EOF
grep '^#' "$TMP/report"
grep -v -e '^#' -e '^RESULT' "$TMP/report" | sed 's/^/# /'
res() { grep "^RESULT $1 " "$TMP/report" | awk '{ print ($3 == 1) ? 0 : 1 }'; }
ok "$(res json || echo 1)" "every events line is valid JSON"
ok "$(res client_ip || echo 1)" "100% of asserted client IPs"
ok "$(res queue_id || echo 1)" "100% of asserted queue ids"
ok "$(res asserted || echo 1)" ">= 99% of all asserted fields"
done_testing
