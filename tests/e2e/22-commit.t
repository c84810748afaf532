#!/bin/sh
# One commit point for a publication (issue: publishing that survives
# signals and I/O errors). A run over a previous publication (zone, sets,
# customers/, report.html, with a state file) is killed with SIGTERM, or
# made to fail with EIO, at every rename, write, fsync, link, symlink and
# mkdir it makes (strace fault injection, so nothing depends on timing).
# Every time, what a reader sees through OUT/NAME is the old publication
# whole or the new one whole, the state file matches it, and the next run
# publishes normally and leaves no temporary behind.
. "$(dirname "$0")/tap.sh"

if ! command -v strace >/dev/null || ! strace -qq -o /dev/null true 2>/dev/null; then
    skip "strace missing or not allowed to trace here (scripts/install-deps installs it)"
    done_testing; exit
fi
D="$TOP/tests/e2e/data"
# Bots in 11/8, one per /24 (no network escalation), N from offset O.
bots11() { i=0; while [ $i -lt "$1" ]; do
    printf 'Nov 24 06:25:01 mx1 postfix/postscreen[1]: PREGREET 11 after 0.1 from [11.%d.%d.7]:4000: EHLO x\\r\\n\n' \
        $(( ($2 + i) / 250 )) $(( ($2 + i) % 250 )); i=$((i + 1)); done; }
bots11 400 0 >"$TMP/a.log"
# Another file (its first block differs, so the state does not take it
# for a.log grown): the customers' mail, then 300 bots of which 100 new.
{ cat "$D/outbound.log"; bots11 300 200; } >"$TMP/b.log"
# LeakSanitizer cannot work under ptrace: off for the injected runs of an
# ASan build (make asan).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
run() {     # run OUT STATE LOG [strace options]: the run under test
    o=$1 st=$2 log=$3; shift 3
    ${STRACE:+strace -f -qq -o /dev/null "$@"} "$RBLFORGE" run --year 2026 --now 1795575700 --force \
        --templates "$TOP/datasets/templates" --customers "$D/outbound.map" \
        --state "$st" -j 1 --no-progress -o "$o" "$log"
}
# view DIR SNAP: what a reader sees: every OUT/NAME, followed.
view() {
    rm -rf "$2"; mkdir -p "$2"
    for e in "$1"/*; do [ "$(basename "$e")" = current ] || cp -RL "$e" "$2/"; done
}

# The old publication and state, then the new ones, for reference.
"$RBLFORGE" run --year 2026 --now 1795575600 --templates "$TOP/datasets/templates" \
    --customers "$D/outbound.map" --state "$TMP/st0" -j 1 -o "$TMP/O0" "$TMP/a.log" 2>/dev/null
is $? 0 "the previous publication"
view "$TMP/O0" "$TMP/old"; cp "$TMP/st0" "$TMP/old.state"
cp -a "$TMP/O0" "$TMP/Onew"; cp "$TMP/st0" "$TMP/stnew"
run "$TMP/Onew" "$TMP/stnew" "$TMP/b.log" 2>/dev/null; is $? 0 "the new publication"
view "$TMP/Onew" "$TMP/new"; cp "$TMP/stnew" "$TMP/new.state"
diff -r "$TMP/old" "$TMP/new" >/dev/null && ok 1 "old and new differ" || ok 0 "old and new differ"
[ -d "$TMP/new/customers" ] && [ -s "$TMP/new/report.html" ]; ok $? "the publication has customers/ and report.html"

# How many calls of each kind a normal run makes.
cp -a "$TMP/O0" "$TMP/Oc"; cp "$TMP/st0" "$TMP/stc"
strace -f -qq -o "$TMP/trace" -e trace=rename,write,fsync,link,symlink,mkdir "$RBLFORGE" run \
    --year 2026 --now 1795575700 --force --templates "$TOP/datasets/templates" \
    --customers "$D/outbound.map" --state "$TMP/stc" -j 1 --no-progress -o "$TMP/Oc" "$TMP/b.log" 2>/dev/null
# strace counts the calls to inject at per thread: those of the thread
# that makes the most (the main one; each flusher thread makes one fsync,
# which the first of every step hits).
calls() { awk -v c="$1(" 'index($2, c) == 1 { n[$1]++ } END { m = 0; for (p in n) if (n[p] > m) m = n[p]; print m }' "$TMP/trace"; }

# Every rename, write, symlink and mkdir; links and fsyncs (one per file
# and directory of the publication, many alike) every few calls, all of
# them with RBLFORGE_FULL_INJECTION=1.
step() {
    [ -n "${RBLFORGE_FULL_INJECTION:-}" ] && { echo 1; return; }
    case $1 in link) echo 3 ;; fsync) echo 5 ;; *) echo 1 ;; esac
}
bad=0 n=0 sigs=0 eios=0
for sc in rename write fsync link symlink mkdir; do
    total=$(calls $sc)
    every=$(step $sc)
    diag "$sc: $total calls, injected at every ${every}"
    for how in signal=SIGTERM error=EIO; do
        i=1
        while [ "$i" -le "$total" ]; do
            rm -rf "$TMP/O"; cp -a "$TMP/O0" "$TMP/O"; cp "$TMP/st0" "$TMP/st"
            STRACE=1 run "$TMP/O" "$TMP/st" "$TMP/b.log" -e trace=$sc -e inject=$sc:$how:when=$i \
                >/dev/null 2>"$TMP/err"
            rc=$?
            n=$((n + 1))
            view "$TMP/O" "$TMP/seen"
            if diff -r "$TMP/old" "$TMP/seen" >/dev/null; then
                live=old
            elif diff -r "$TMP/new" "$TMP/seen" >/dev/null; then
                live=new
            else
                live=mix
            fi
            cmp -s "$TMP/st" "$TMP/$live.state" 2>/dev/null || live="$live, state differs"
            case "$how:$rc:$live" in
                signal*:143:old|signal*:143:new) sigs=$((sigs + 1)) ;;
                error*:0:new|error*:1:old|error*:7:new) eios=$((eios + 1)) ;;
                *) bad=$((bad + 1)); diag "$sc $how at call $i: exit $rc, live: $live"
                   sed 's/^/#   /' "$TMP/err" | head -4 ;;
            esac
            # The next run cleans up whatever was left and publishes.
            run "$TMP/O" "$TMP/st" "$TMP/b.log" >/dev/null 2>&1; rc=$?
            t=$(temporaries "$TMP/O")
            if [ "$rc" -ne 0 ] || [ "$t" -ne 0 ]; then
                bad=$((bad + 1)); diag "$sc $how at call $i: the next run exited $rc, $t temporaries left"
            fi
            i=$((i + every))
        done
    done
done
diag "$n injections: $sigs killed (old or new live), $eios failed (exit 1 with old, or published)"
[ "$n" -gt 100 ]; ok $? "injected at the calls ($n runs)"
is "$bad" 0 "every injection left old or new whole, the state matching, and the next run clean"
done_testing
