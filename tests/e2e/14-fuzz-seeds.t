#!/bin/sh
# The libFuzzer targets, built with the normal compiler and a replay main
# (tests/fuzz/replay.c), run over their seeds: every target still builds
# and links, and no seed (crashes found earlier among them) fails again.
# The fuzzing itself is `make fuzz` (clang), not part of the tests.
. "$(dirname "$0")/tap.sh"

for src in "$TOP"/tests/fuzz/fuzz_*.c; do
    n=$(basename "$src" .c); n=${n#fuzz_}
    bin="$B/tests/replay_$n"
    if [ ! -x "$bin" ]; then
        ok 1 "replay_$n was built (make check builds it)"
        continue
    fi
    out=$("$bin" "$TOP/tests/fuzz/seeds/$n" 2>&1); st=$?
    is "$st" 0 "fuzz target $n replays its seeds: $out"
done
done_testing
