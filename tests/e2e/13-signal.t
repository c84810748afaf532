#!/bin/sh
# A run killed in the middle of a publication: killed while writing or
# renaming before the switch (pubdir.h), the previous publication stays as
# it was and no temporary is left behind; a rename that fails leaves the
# previous publication whole. (22-commit.t injects at every point.) strace delivers the signal at an exact
# system call (fault injection), so the test does not depend on timing.
. "$(dirname "$0")/tap.sh"

if ! command -v strace >/dev/null || ! strace -qq -o /dev/null true 2>/dev/null; then
    skip "strace missing or not allowed to trace here (scripts/install-deps installs it)"
    done_testing; exit
fi

S="$TMP/logs"; mkdir -p "$S"
bots 3000 >"$S/old.log"
bots 2500 >"$S/new.log"
run() { "$RBLFORGE" run --year 2026 --now 1795575600 --no-progress "$@"; }
listed() { tail -n +2 "$1/listings.csv" | wc -l | tr -d ' '; }
temps() { temporaries "$1"; }
# sig_at SYSCALL N DIR JOBS: SIGTERM at the Nth call of SYSCALL.
sig_at() {
    strace -f -qq -o /dev/null -e trace="$1" -e inject="$1":signal=SIGTERM:when="$2" \
        "$RBLFORGE" run --year 2026 --now 1795575600 --no-progress -j "$4" -o "$3" "$S/new.log" \
        2>"$TMP/err"
}
# eio_at SYSCALL N DIR JOBS LOG: the Nth call of SYSCALL fails with EIO.
eio_at() {
    strace -f -qq -o /dev/null -e trace="$1" -e inject="$1":error=EIO:when="$2" \
        "$RBLFORGE" run --year 2026 --now 1795575600 --no-progress -j "$4" -o "$3" "$5" \
        2>"$TMP/err"
}

for j in 1 2; do
    O="$TMP/out$j"
    run -j "$j" -o "$O" "$S/old.log" 2>/dev/null; is $? 0 "-j $j: the previous publication"
    cp -a "$O" "$TMP/before$j"

    # Killed at the 6th write (of 13: two messages, then the outputs),
    # then at the 1st fsync of each thread (the outputs' own, each in its
    # flusher thread, after its last write).
    for at in write:6 fsync:1; do
        sig_at "${at%:*}" "${at#*:}" "$O" "$j"; st=$?
        is "$st" 143 "-j $j: killed by SIGTERM at $at (exit 143)"
        diff -r -x .pub "$TMP/before$j" "$O" >/dev/null; ok $? "-j $j: the previous publication is unchanged"
        is "$(temps "$O")" 0 "-j $j: no temporary left behind"
    done
    # An fsync that fails (EIO at the 2nd): nothing is replaced. The same
    # when the fsync of the outputs' flusher threads fail (atomic.h;
    # strace counts calls per thread, and each flusher makes one; the
    # main thread's first is a directory's after the renames, which
    # fails the publication too).
    for at in fsync:2 fsync:1; do
        call=${at%:*}
        eio_at $call ${at#*:} "$O" "$j" "$S/new.log"; st=$?
        is "$st" 1 "-j $j: an $call fails: exit 1 (runtime error)"
        grep -q 'fsync failed: Input/output error' "$TMP/err"; ok $? "-j $j: $call: and says which"
        diff -r -x .pub "$TMP/before$j" "$O" >/dev/null
        ok $? "-j $j: $call: the previous publication is unchanged"
        is "$(temps "$O")" 0 "-j $j: $call: no temporary left behind"
    done

    # Killed at the 3rd of the renames, before the switch: the
    # publication is abandoned, the previous one stays live whole.
    sig_at rename 3 "$O" "$j"; st=$?
    is "$st" 143 "-j $j: killed by SIGTERM while renaming (exit 143)"
    grep -q 'signal 15: nothing published; the previous publication is still live' "$TMP/err"
    ok $? "-j $j: and says which publication is live"
    is "$(temps "$O")" 0 "-j $j: no temporary left behind"
    is "$(listed "$O")" 3000 "-j $j: listings.csv is the previous one"
    n=$(grep -c '^10\.' "$O/bl.rbldnsd")
    is "$n" 3000 "-j $j: and so is bl.rbldnsd"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["listed"] != 3000)' \
        "$O/summary.json"
    ok $? "-j $j: and summary.json"
    grep -q 'ipset\|nft' "$O/fw.nft" && [ "$(grep -c '10\.' "$O/fw.ipset")" -gt 0 ]
    ok $? "-j $j: the firewall sets are there"
    # A rename that fails half way (EIO at the 4th): those already
    # replaced are put back, so the previous publication stands whole.
    cp -a "$O" "$TMP/before$j.b"
    eio_at rename 4 "$O" "$j" "$S/old.log"; st=$?
    is "$st" 1 "-j $j: a rename fails: exit 1 (runtime error)"
    grep -q 'rename: Input/output error' "$TMP/err"; ok $? "-j $j: and says which"
    diff -r -x .pub "$TMP/before$j.b" "$O" >/dev/null; ok $? "-j $j: every file is the previous one again"
    is "$(temps "$O")" 0 "-j $j: no temporary or second name left behind"
    # The same run again publishes normally over it.
    run -j "$j" -o "$O" "$S/new.log" 2>/dev/null; is $? 0 "-j $j: the next run publishes"
done
done_testing
