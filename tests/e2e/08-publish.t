#!/bin/sh
# Publishing for cron and CI: safety valve, --force, empty over non-empty,
# the lock, the post-publish hook, disk full, stale temporaries, --strict.
. "$(dirname "$0")/tap.sh"

S="$TMP/logs"; mkdir -p "$S"
bots 100 >"$S/100.log"
bots 40 >"$S/40.log"
bots 60 >"$S/60.log"
: >"$S/empty.log"
run() { "$RBLFORGE" run --year 2026 --now 1795575600 "$@" 2>"$TMP/err"; }
count() { tail -n +2 "$1/listings.csv" | wc -l | tr -d ' '; }
O="$TMP/out"

run -o "$O" "$S/100.log"; is $? 0 "first publication"
is "$(count "$O")" 100 "100 listed"
cp -a "$O" "$TMP/before"
run -o "$O" "$S/40.log"; is $? 4 "dropping from 100 to 40 trips the valve: exit 4"
grep -q "safety valve" "$TMP/err"; ok $? "and says so"
diff -r -x .pub "$TMP/before" "$O" >/dev/null; ok $? "nothing was replaced"
run -o "$O" "$S/60.log"; is $? 0 "from 100 to 60 (40%) publishes"
run -v -o "$O" "$S/60.log"; grep -q "publish: 0 added, 0 removed, 60 kept" "$TMP/err"; ok $? "the diff is reported on stderr"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["listed"]==60 and d["kept"]==60 and d["added"]==[] and d["removed"]==[]' "$O/summary.json"
ok $? "summary.json carries the diff"
# A hand-edited previous listings.csv: out of order, a duplicate, garbage,
# another cause, a line longer than the read buffer, IPv6, no final
# newline. What is not a current entry is removed, under its own text.
f="$O/listings.csv"; last=$(tail -1 "$f" | cut -d, -f1)
{ head -1 "$f"; tail -n +2 "$f" | sort -r; tail -1 "$f"; printf 'garbage\n10.0.0.7/32,spam,x\n'
  printf '10.0.1.7,auth,x\n10.0.100.7,spam,x\n10.0.2.7,spam,'; head -c 300000 /dev/zero | tr '\0' x
  printf '\n2001:db8::1,spam,x'; } >"$TMP/hand.csv"
mv "$TMP/hand.csv" "$f"
run -v -o "$O" "$S/60.log"; grep -q "publish: 0 added, 6 removed, 60 kept (previously 66)" "$TMP/err"
ok $? "a hand-edited previous file: every line that is not a current entry is removed"
# Prefix order (address as a number, IPv4 first), then the lines that are
# no entry's text in the file's order: 10.0.2.7 before 10.0.100.7, which
# strcmp order would not have.
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
want=["10.0.1.7,auth","10.0.2.7,spam",sys.argv[2]+",spam","10.0.100.7,spam","2001:db8::1,spam",
      "10.0.0.7/32,spam"]
assert want!=sorted(want)
assert [e["entry"]+","+e["cause"] for e in d["removed"]]==want, d["removed"]
assert d["previous"]==66 and d["kept"]==60 and d["added"]==[]' "$O/summary.json" "$last"
ok $? "summary.json lists them in prefix order, junk last"
sed -n 's/^[^:]*:   - //p' "$TMP/err" >"$TMP/minus"
printf '10.0.1.7,auth\n10.0.2.7,spam\n%s,spam\n10.0.100.7,spam\n2001:db8::1,spam\n10.0.0.7/32,spam\n' "$last" |
    cmp -s - "$TMP/minus"
ok $? "and so does stderr"
# A hostile line in the previous file reaches summary.json escaped: its
# text is the only one there that is not made from a key.
H="$TMP/hostile"
run -o "$H" "$S/60.log" >/dev/null
printf 'x"y\\z\001</script>,spam,x\n' >>"$H/listings.csv"
run -o "$H" "$S/60.log"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert [(e["entry"], e["cause"]) for e in d["removed"]]==[("x\"y\\z\x01</script>", "spam")], d["removed"]' "$H/summary.json"
ok $? "a hostile previous line is escaped in summary.json"
run -o "$O" "$S/empty.log"; is $? 4 "an empty listing never replaces a non-empty one"
run --force -o "$O" "$S/empty.log"; is $? 0 "unless --force"
is "$(count "$O")" 0 "now empty"
printf '[publish]\nmax_change = 0.1\nmin_change = 1\n' >"$TMP/tight.ini"
run -o "$O" "$S/60.log"; is $? 0 "from empty: no valve (nothing to protect)"
run -c "$TMP/tight.ini" -o "$O" "$S/100.log"; is $? 4 "max_change from the config"

# Churn: 1,000 entries swapped for 1,000 others keeps the count (no net
# change) but replaces the whole listing: the valve trips on
# added + removed against the previous count ([publish] max_churn).
C="$TMP/churn"
swap() {    # swap N OFFSET: N bots, one per /24, from 11.(OFFSET+i/250).x.7
    i=0; while [ $i -lt "$1" ]; do
        printf 'Nov 24 06:25:01 mx1 postfix/postscreen[1]: PREGREET 11 after 0.1 from [11.%d.%d.7]:4000: EHLO x\\r\\n\n' \
            $(( $2 + i / 250 )) $((i % 250)); i=$((i + 1)); done; }
swap 1000 0 >"$TMP/a.log"; swap 1000 100 >"$TMP/b.log"
run -o "$C" "$TMP/a.log"; is $? 0 "1,000 entries published"
run -o "$C" "$TMP/b.log"; is $? 4 "a complete swap for 1,000 others trips the valve"
grep -q "1000 entries added and 1000 removed" "$TMP/err"; ok $? "and says it is the churn"
is "$(count "$C")" 1000 "the old listing stays"
grep -q "^11\.0\.0\.7" "$C/listings.csv"; ok $? "the old entries, not the new ones"
printf '[publish]\nmax_churn = 2.5\n' >"$TMP/churn.ini"
run -c "$TMP/churn.ini" -o "$C" "$TMP/b.log"; is $? 0 "max_churn from the config lets it through"

# The lock: a second run waits for nobody; it fails at once.
if command -v flock >/dev/null; then
    flock "$O/.rblforge.lock" sleep 3 &
    fpid=$!
    sleep 0.5
    run -o "$O" "$S/60.log"; is $? 5 "a locked OUTDIR: exit 5"
    grep -q "holds the lock" "$TMP/err"; ok $? "and says why"
    wait $fpid
else
    skip "flock(1) not installed"; skip "flock(1) not installed"
fi

# Post-publish hook.
run -o "$O" --post-publish 'test -s "$RBLFORGE_OUTDIR/bl.rbldnsd" && touch "$RBLFORGE_OUTDIR/hooked"' "$S/60.log"
is $? 0 "post-publish hook runs after the publish"
[ -e "$O/hooked" ]; ok $? "with RBLFORGE_OUTDIR set"
run -o "$O" --post-publish 'exit 7' "$S/60.log"; is $? 6 "a failing hook: exit 6"
grep -q "status 7" "$TMP/err"; ok $? "its status is reported"

# Stale temporaries of a killed run are removed.
: >"$O/.bl.zone.Ab12Cd"
: >"$O/.keep-me"
run -o "$O" "$S/60.log"
[ ! -e "$O/.bl.zone.Ab12Cd" ]; ok $? "stale temporary removed"
[ -e "$O/.keep-me" ]; ok $? "other dotfiles left alone"

# Publications kept: the live one and the one before it (for readers that
# resolved current/ just before the switch); the next run removes that one
# while it writes its own, and never the live one.
P="$TMP/pubs"
for t in 1795575600 1795575700 1795575800; do
    "$RBLFORGE" run --year 2026 --now $t --force -o "$P" "$S/60.log" 2>/dev/null
done
is "$(ls "$P/.pub" | wc -l | tr -d ' ')" 2 "three runs: two publications kept"
live=$(readlink "$P/current"); [ -d "$P/$live" ] && [ -s "$P/listings.csv" ]
ok $? "the live one among them, whole"
prev=$(ls "$P/.pub" | grep -v "^${live#.pub/}\$")
run -o "$P" "$S/empty.log"; is $? 4 "a run the valve stops (empty over 60): exit 4"
[ -e "$P/.pub/$prev" ] && [ "$(readlink "$P/current")" = "$live" ]; ok $? "it removed nothing"
run -o "$P" "$S/60.log"; is $? 0 "the next run publishes"
[ ! -e "$P/.pub/$prev" ] && [ -d "$P/$live" ] && [ "$(readlink "$P/current")" != "$live" ] \
    && [ "$(ls "$P/.pub" | wc -l | tr -d ' ')" = 2 ] && [ -s "$P/listings.csv" ]
ok $? "it removed the one before the live one and kept the live one as the previous"

# --strict refuses damaged input.
gzip -c "$S/60.log" | head -c 200 >"$S/cut.gz"
cp -a "$O" "$TMP/before2"
run --strict -o "$O" "$S/60.log" "$S/cut.gz"; is $? 1 "--strict with damaged input: exit 1"
diff -r -x .pub "$TMP/before2" "$O" >/dev/null; ok $? "nothing replaced"

# Disk full in the middle of a publish: a tiny tmpfs in a mount namespace.
if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    bots 2000 >"$S/2000.log"
    cat >"$TMP/full.sh" <<EOS
set -e
mkdir -p "$TMP/small"
mount -t tmpfs -o size=200k tmpfs "$TMP/small"
"$RBLFORGE" run --year 2026 --now 1795575600 -o "$TMP/small" "$S/60.log" 2>/dev/null
cp -a "$TMP/small" "$TMP/small-before"
set +e
"$RBLFORGE" run --force --year 2026 --now 1795575700 -o "$TMP/small" "$S/2000.log" 2>"$TMP/full.err"
echo "rc=\$?"
diff -r -x .pub "$TMP/small-before" "$TMP/small" >/dev/null && echo unchanged
{ ls -A "$TMP/small" | grep -v -e '^\.rblforge\.lock\$' -e '^\.pub\$' | grep '^\.'
  ls -A "$TMP/small/.pub" | grep -v '^pub\.'; } | wc -l
EOS
    unshare -m sh "$TMP/full.sh" >"$TMP/full.out" 2>&1
    grep -q '^rc=1$' "$TMP/full.out"; ok $? "disk full: exit 1"
    grep -q '^unchanged$' "$TMP/full.out"; ok $? "disk full: the previous publication is untouched"
    is "$(tail -1 "$TMP/full.out")" 0 "disk full: no temporary left behind"
    grep -q "No space left on device" "$TMP/full.err"; ok $? "disk full: the error says so"
else
    skip "needs root and unshare -m for a small tmpfs"
fi
done_testing
