#!/bin/sh
# Scale-out (issue 27): scan over any split of the logs + merge in any
# order publishes byte-identically to one run over the same logs; merged
# partials (trees) too; partials that do not go together, damaged ones and
# windows.
. "$(dirname "$0")/tap.sh"

S="$TOP/datasets/sample"
# Countries per login (--geo-db) and the abuse contacts' counts travel too.
printf '# test countries\n0.0.0.0/2,US\n64.0.0.0/2,DE\n128.0.0.0/2,JP\n192.0.0.0/2,BR\n' >"$TMP/geo.csv"
"$TOP/scripts/mkgeo-db" "$TMP/geo.csv" "$TMP/geo.mmdb" 2>/dev/null
C="--year 2026 --tz JST-9 --allowlist $S/allowlist.txt --asn-db $TOP/datasets/asn/asn-test.mmdb"
R="--geo-db $TMP/geo.mmdb --abuse-contacts $S/abuse-contacts.csv"
NOW=2026-11-25T03:00:00Z
RB() { "$RBLFORGE" "$@" 2>>"$TMP/err"; }
# Equal publications, every file through OUT/NAME (diff -r names the
# first difference); .pub/ holds them under names of their own.
same() {   # same DIR1 DIR2 DESCRIPTION
    rm -f "$1/.rblforge.lock" "$2/.rblforge.lock"
    if d=$(diff -r -x .pub "$1" "$2" 2>&1); then ok 0 "$3"; else ok 1 "$3"; echo "$d" | head -20 | sed 's/^/# /'; fi
}

D="$TMP/logs"
mkdir -p "$D"
gzip -dc "$S/mail.log.1.gz" >"$TMP/day1"
cp "$S/mail.log" "$TMP/day2"
# A queue id of day 2 whose lines are far apart: a cut between its first
# and its last line puts them into two pieces (and so two partials).
QID=$(awk '/: client=/ { split($0, f, ": "); q = f[2]; first[q] = NR }
           { for (q in first) if (index($0, " " q ": ") && NR - first[q] > 3) { print q; exit } }' "$TMP/day2" | head -1)
QA=$(grep -n " $QID: " "$TMP/day2" | head -1 | cut -d: -f1)
QB=$(grep -n " $QID: " "$TMP/day2" | tail -1 | cut -d: -f1)
[ -n "$QID" ] && [ "$QB" -gt $((QA + 1)) ]; ok $? "day 2 has a queue id over several lines ($QID: $QA..$QB)"

# split SEED: the two days cut into pieces at random lines (one cut of day
# 2 inside $QID's message), named in chronological order; some gzipped.
split_days() {
    rm -f "$D"/*
    awk -v seed="$1" -v out="$D/d1" -v n="$(wc -l <"$TMP/day1")" -v k=3 '
        BEGIN { srand(seed); for (i = 1; i < k; i++) cut[int(1 + rand() * (n - 1))] = 1 }
        { printf "%s\n", $0 > (out "." p); if (NR in cut) { close(out "." p); p++ } }' p=0 "$TMP/day1"
    awk -v seed="$1" -v out="$D/d2" -v n="$(wc -l <"$TMP/day2")" -v q=$((QA + 1)) '
        BEGIN { srand(seed + 1); cut[q] = 1; cut[int(1 + rand() * (n - 1))] = 1 }
        { printf "%s\n", $0 > (out "." p); if (NR in cut) { close(out "." p); p++ } }' p=0 "$TMP/day2"
    gzip -n "$D/d1.0" "$D/d2.1"
}
# partition SEED N A B: the pieces dealt at random into N groups, one line
# each; pieces A and B into two different ones.
partition() {
    ls "$D"/* | awk -v seed="$1" -v n="$2" -v a="$3" -v b="$4" 'BEGIN { srand(seed) }
        { g = $0 == a ? 0 : $0 == b ? 1 : int(rand() * n); grp[g] = grp[g] " " $0 }
        END { for (i = 0; i < n; i++) if (grp[i] != "") print grp[i] }'
}
shuffle() { awk -v seed="$1" 'BEGIN { srand(seed) } { print rand() "\t" $0 }' | sort -n | cut -f2-; }

for seed in 11 27 305; do
    split_days $seed
    pieces=$(ls "$D"/* | tr '\n' ' ')
    W="$TMP/w$seed"
    mkdir -p "$W"
    RB run $C $R --now $NOW --customers "$S/customers.tsv" --state "$W/run.state" -o "$W/run" $pieces
    is $? 0 "seed $seed: run over $(echo $pieces | wc -w) pieces"
    n=$(( (seed % 3) + 2 ))
    i=0
    qp=$(for f in "$D"/d2.*; do gzip -dcf "$f" | grep -q " $QID: " && echo "$f"; done)
    is "$(echo "$qp" | wc -l | tr -d ' ')" 2 "seed $seed: $QID's lines are in two pieces"
    # shellcheck disable=SC2086
    partition $seed $n $qp | shuffle $seed >"$W/groups"
    st=0
    while read -r grp; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        RB scan $C --now $NOW --customers "$S/customers.tsv" --state "$W/merge.state" \
            --partial "$W/p$i" $(echo $grp | tr ' ' '\n' | shuffle $i) || st=1
    done <"$W/groups"
    is "$st,$i" "0,$(wc -l <"$W/groups" | tr -d ' ')" "seed $seed: $i scans"
    in2=0
    for p in "$W"/p*; do grep -aq "$QID" "$p" && in2=$((in2 + 1)); done
    [ $in2 -ge 2 ]; ok $? "seed $seed: and in $in2 partials"
    parts=$(ls "$W"/p* | shuffle $((seed + 7)) | tr '\n' ' ')
    # shellcheck disable=SC2086
    RB merge $C $R --now $NOW --customers "$S/customers.tsv" --state "$W/merge.state" \
        -o "$W/merge" $parts
    is $? 0 "seed $seed: merge of $i partials in random order"
    same "$W/run" "$W/merge" "seed $seed: every published file is byte-identical to the run's"
    cmp -s "$W/run.state" "$W/merge.state"; ok $? "seed $seed: so is the state file"
    cmp -s "$W/run.state.customers" "$W/merge.state.customers"
    ok $? "seed $seed: and the customers' history (STATE.customers)"
    # A tree: the first two partials merged into one, then with the rest.
    set -- $parts
    RB merge --partial "$W/t01" "$1" "$2"; is $? 0 "seed $seed: two partials merged into one"
    shift 2
    rm -f "$W/t.state"
    # shellcheck disable=SC2086
    RB merge $C --now $NOW --customers "$S/customers.tsv" -o "$W/tree" "$W/t01" "$@"
    RB run $C --now $NOW --customers "$S/customers.tsv" -o "$W/run2" $pieces
    same "$W/run2" "$W/tree" "seed $seed: a tree reduction publishes the same"
done

ls "$W/run/customers/" | grep -q '\.eml$' && grep -q '"countries"' "$W/run/customers/"*.json
ok $? "the comparison covers letters (.eml) and countries per login"

# Two nights with one state each (--force: the second night replaces most
# of the first's listings, past the valve): the second night's merge loads and saves
# the customers' history as run does, and --now logs dates it from the
# partials' newest evidence.
H="$TMP/h"
mkdir -p "$H"
for night in 1 2; do
    [ $night = 1 ] && f="$S/mail.log.1.gz" || f="$S/mail.log"
    RB run $C --now logs --force --customers "$S/customers.tsv" --state "$H/run.state" -o "$H/run" "$f"
    is $? 0 "night $night: run --now logs"
    RB scan $C --customers "$S/customers.tsv" --state "$H/merge.state" --partial "$H/p$night" "$f"
    RB merge $C --now logs --force --customers "$S/customers.tsv" --state "$H/merge.state" \
        -o "$H/merge" "$H/p$night"
    is $? 0 "night $night: merge --now logs"
    same "$H/run" "$H/merge" "night $night: the same publication"
    cmp -s "$H/run.state" "$H/merge.state"; ok $? "night $night: the same state"
    cmp -s "$H/run.state.customers" "$H/merge.state.customers"; ok $? "night $night: the same history"
done
# Without --now, evidence older than the expiry window is refused, as run refuses it.
RB run $C --customers "$S/customers.tsv" -o "$H/old-run" "$S/mail.log"; r=$?
RB merge $C --customers "$S/customers.tsv" -o "$H/old-merge" "$H/p2"
is "$?" "$r" "old evidence without --now: merge exits as run does ($r)"
RB merge $C --now logs --window 1d -o "$H/x" "$H/p2"; is $? 2 "--now logs with --window: refused"

# The abuse messages quote raw lines that partials do not carry: refused.
printf '[abuse]\nfrom = desk@example.net\n' >"$H/abuse.conf"
RB merge $C -c "$H/abuse.conf" --abuse-contacts "$S/abuse-contacts.csv" --now $NOW -o "$H/ab" "$H/p2"
is $? 2 "abuse messages asked of a merge: refused (exit 2)"
grep -q "partials do not carry" "$TMP/err"; ok $? "said why"
[ ! -e "$H/ab/bl.rbldnsd" ]; ok $? "nothing published"

# The parser's statistics travel too: an unmatched template seen in two
# partials (its example from the earlier file, whatever the order given)
# and programs we do not read.
U="$TMP/u"
mkdir -p "$U"
printf 'Nov 24 06:25:01 mx1 postfix/smtpd[1]: frobnicated the widget 42 times\nNov 24 06:25:02 mx1 fooprog[3]: hello\n' >"$U/a.log"
printf 'Nov 24 07:25:01 mx1 postfix/smtpd[1]: frobnicated the widget 7 times\nNov 24 07:25:02 mx1 barprog[3]: hi\n' >"$U/b.log"
RB run $C --now $NOW -o "$U/run" "$U/a.log" "$U/b.log"
RB scan $C --partial "$U/pb" "$U/b.log"
RB scan $C --partial "$U/pa" "$U/a.log"
RB merge $C --now $NOW -o "$U/merge" "$U/pb" "$U/pa"
same "$U/run" "$U/merge" "unmatched templates and unknown programs merge as one run counts them"
grep -q '"count": 2, "program": "smtpd", "template": "frobnicated the widget # times", "example": "frobnicated the widget 42 times"' "$U/merge/summary.json"
ok $? "the template counted twice, with the earlier file's example"
grep -q '"unknown_programs": {"barprog": 1, "fooprog": 1}' "$U/merge/summary.json"; ok $? "both unknown programs"
printf '[policy]\nown_zones = bl.example.net\n' >"$U/zones.conf"
RB scan $C -c "$U/zones.conf" --partial "$U/pz" "$U/a.log"
RB merge $C --now $NOW -o "$U/mz" "$U/pz"; is $? 2 "partials classified with other own zones than the merge's: refused"
RB merge $C --now $NOW -o "$U/mz" "$U/pz" "$U/pb"; is $? 2 "partials of different own zones: refused"
grep -q "cannot be merged: own zones" "$TMP/err"; ok $? "said why"

# The daemons beside Postfix (issue 21): auth failures of Dovecot and Cyrus,
# SPF fails (class spf_fail), greylisting and known lines without evidence,
# split over two files, merge as one run counts them.
B="$TMP/b"
mkdir -p "$B"
s=0
h() { s=$((s + 1)); printf 'Nov 24 07:%02d:%02d mx1 ' $((s / 60 % 60)) $((s % 60)); }
for i in $(seq 1 24); do
    h; printf 'dovecot: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<u%d>, method=PLAIN, rip=203.0.113.70, lip=192.0.2.254, TLS, session=<s%d>\n' $i $i
    h; printf 'cyrus/pop3[300]: badlogin: [203.0.113.70] plaintext u%d SASL(-13): authentication failure: checkpass failed\n' $i
    h; printf 'dovecot: auth: passwd-file(u%d,203.0.113.71): unknown user\n' $i
    h; printf 'policyd-spf[400]: prepend Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.73; helo=x.example; envelope-from=a%d@b.example; receiver=<UNKNOWN>\n' $i
    h; printf 'postgrey[500]: action=greylist, reason=new, client_name=mail.example, client_address=203.0.113.74/32, sender=a%d@b.example, recipient=u@our.example\n' $i
    h; printf 'postfwd[800]: [STATS] Counters: 213000 seconds uptime, 39 rules\n'
done >"$B/all"
head -n 70 "$B/all" >"$B/b1.log"
tail -n +71 "$B/all" >"$B/b2.log"
RB run $C --now $NOW -o "$B/run" "$B/b1.log" "$B/b2.log"
RB scan $C --partial "$B/p2" "$B/b2.log"
RB scan $C --partial "$B/p1" "$B/b1.log"
RB merge $C --now $NOW -o "$B/merge" "$B/p2" "$B/p1"; is $? 0 "the daemons beside Postfix: merge"
grep -q '^203.0.113.73,' "$B/run/listings.csv" && grep -q spf_fail "$B/run/listings.csv"
ok $? "the run lists the SPF fails (spf_fail counted)"
same "$B/run" "$B/merge" "the daemons beside Postfix merge as one run counts them"

# Partials that do not go together are refused, with the reason.
P="$TMP/pp"
mkdir -p "$P"
RB scan $C --partial "$P/a" "$S/mail.log.1.gz"
RB scan --year 2025 --tz JST-9 --partial "$P/b" "$S/mail.log"
RB merge $C -o "$P/out" "$P/a" "$P/b"; is $? 2 "different --year: refused (exit 2)"
grep -q "cannot be merged: --year 2026 against --year 2025" "$TMP/err"; ok $? "and said why"
[ ! -e "$P/out/bl.rbldnsd" ]; ok $? "nothing published"
RB scan $C --partial "$P/c" "$S/mail.log.1.gz" "$S/mail.log"
RB merge $C -o "$P/out" "$P/a" "$P/c"; is $? 2 "a file in two partials: refused"
grep -q "mail.log.1.gz was read into both" "$TMP/err"; ok $? "naming the file"
RB scan $C --customers "$S/customers.tsv" --partial "$P/d" "$S/mail.log"
RB merge $C -o "$P/out" "$P/a" "$P/d"; is $? 2 "with and without customer records: refused"
RB merge $C --customers "$S/customers.tsv" -o "$P/out" "$P/a"; is $? 2 \
    "reports asked of partials scanned without --customers: refused"

# Damage: a flipped byte, a cut file, not a partial.
RB scan $C --partial "$P/e" "$S/mail.log"
sz=$(wc -c <"$P/e")
cp "$P/e" "$P/flip"
printf 'Z' | dd of="$P/flip" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
RB merge $C -o "$P/out" "$P/a" "$P/flip"; is $? 1 "a flipped byte: exit 1"
grep -q "flip: damaged partial" "$TMP/err"; ok $? "the damaged partial is named"
[ ! -e "$P/out/bl.rbldnsd" ]; ok $? "nothing published"
head -c $((sz - 20)) "$P/e" >"$P/cut"
RB merge $C -o "$P/out" "$P/cut"; is $? 1 "a cut partial: exit 1"
RB merge $C -o "$P/out" "$S/mail.log"; is $? 1 "a log given as a partial: exit 1"
grep -q "not an rblforge partial" "$TMP/err"; ok $? "said so"
RB scan $C --partial "$P/f" "$P/missing.log"; is $? 1 "scan of an unreadable input: exit 1"
[ ! -e "$P/f" ]; ok $? "and no partial written"
ls "$P" | grep -q '^\.' ; is $? 1 "no temporary left behind"

# Windows: daily partials, merged over the last day or two.
RB scan $C --partial "$P/day1" "$S/mail.log.1.gz"
RB scan $C --partial "$P/day2" "$S/mail.log"
N2=2026-11-24T15:00:00Z     # the end of day 2 in JST
RB merge $C --now $N2 --window 1d -o "$P/w1" "$P/day2" "$P/day1"; is $? 0 "--window 1d"
RB run $C --now $N2 -o "$P/r1" "$S/mail.log"
same "$P/r1" "$P/w1" "--window 1d publishes what a run over day 2 does"
RB merge $C --now $N2 --window 2d -o "$P/w2" "$P/day1" "$P/day2"
RB run $C --now $N2 -o "$P/r2" "$S/mail.log.1.gz" "$S/mail.log"
same "$P/r2" "$P/w2" "--window 2d publishes what a run over both days does"
RB merge $C --now 2026-11-24T06:00:00Z --window 1d -o "$P/w3" "$P/day1" "$P/day2"
is $? 2 "a partial straddling the window's edge: refused"
grep -q "straddle the window" "$TMP/err"; ok $? "said so"
RB merge --now $N2 --window 1d --partial "$P/wp" "$P/day1" "$P/day2"; is $? 0 "a window into a partial"
RB merge $C --now $N2 -o "$P/w4" "$P/wp"
same "$P/r1" "$P/w4" "which publishes as the run over day 2"
done_testing
