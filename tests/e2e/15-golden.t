#!/bin/sh
# Golden outputs: the sample days' publications (scripts/golden) must be
# byte-identical to tests/golden/. A deliberate change of output refreshes
# them in the same commit: scripts/golden ./rblforge tests/golden
. "$(dirname "$0")/tap.sh"

"$TOP/scripts/golden" "$RBLFORGE" "$TMP/g" >"$TMP/err" 2>&1
ok $? "scripts/golden ran"
for d in both nightly; do
    (cd "$TOP/tests/golden/$d" && find . -type f | sort) >"$TMP/list"
    while IFS= read -r f; do
        if cmp -s "$TOP/tests/golden/$d/$f" "$TMP/g/$d/$f"; then
            ok 0 "$d/${f#./} is as golden"
        else
            ok 1 "$d/${f#./} is as golden"
            diff -u "$TOP/tests/golden/$d/$f" "$TMP/g/$d/$f" 2>&1 | head -40 | sed 's/^/# /'
        fi
    done <"$TMP/list"
    extra=$(cd "$TMP/g/$d" && find . -type f | sort | while read -r f; do
        [ -f "$TOP/tests/golden/$d/$f" ] || echo "$f"; done)
    is "$extra" "" "$d: no output file that the golden set lacks"
done
done_testing
