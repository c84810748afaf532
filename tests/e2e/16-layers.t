#!/bin/sh
# scripts/check-layers: clean on the tree as it is, and failing on each kind
# of fault planted into a copy of it (a back-arrow, an include cycle, a
# header it cannot place, code at the top level, a call up a layer and a
# circle of calls seen in the objects).
. "$(dirname "$0")/tap.sh"

CL=$TOP/scripts/check-layers
if ! command -v python3 >/dev/null 2>&1; then
    skip "python3 missing (scripts/install-deps test installs it)"; done_testing; exit
fi
"$CL" "$TOP" >"$TMP/out" 2>&1; ok $? "the tree passes check-layers"

fresh() {
    rm -rf "$TMP/t"; mkdir "$TMP/t"
    for d in util ingest analyze export driver cli include; do cp -R "$TOP/$d" "$TMP/t/"; done
}
fails() {   # fails DESCRIPTION PATTERN: check-layers on $TMP/t must fail saying PATTERN
    "$CL" "$@" >"$TMP/out" 2>&1 && { ok 1 "$D"; return; }
    grep -q "$P" "$TMP/out"; ok $? "$D"
    grep -q "$P" "$TMP/out" || sed 's/^/# /' "$TMP/out" | head -5
}

fresh; echo '#include "policy.h"' >>"$TMP/t/ingest/chunk.c"
D="a back-arrow (ingest/chunk.c includes analyze's policy.h) fails"; P="ingest/chunk.c (ingest) includes policy.h of a higher layer"; fails "$TMP/t"

fresh; echo '#include "policy.h"' >>"$TMP/t/include/span.h"
D="a header including a higher layer fails"; P="include/span.h (util) includes policy.h"; fails "$TMP/t"

fresh; echo '#include "parse.h"' >>"$TMP/t/ingest/scan.c"
D="an include cycle (scan.c includes parse.h, parse.c includes scan.h) fails"; P="include cycle: parse -> .*scan -> parse"; fails "$TMP/t"

fresh; printf '#ifndef X\n#define X\n#endif\n' >"$TMP/t/include/orphan.h"
D="a header without a module fails"; P="include/orphan.h: .*cannot place"; fails "$TMP/t"

fresh; echo 'int x;' >"$TMP/t/stray.c"
D="a .c file at the top level fails"; P="stray.c: code at the top level"; fails "$TMP/t"

fresh; echo '#include <ini.h>' >>"$TMP/t/export/escape.c"
D="a library header outside its owner fails"; P="export/escape.c: includes <ini.h>"; fails "$TMP/t"

# Calls, from objects: util/low.c calls up into cli/high.c, and two ingest
# modules call each other through one shared header.
if command -v nm >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
    rm -rf "$TMP/c"; mkdir -p "$TMP/c/util" "$TMP/c/ingest" "$TMP/c/cli" "$TMP/c/include" "$TMP/o"
    echo 'int high(void); int low(void) { return high(); }' >"$TMP/c/util/low.c"
    echo 'int high(void) { return 1; }' >"$TMP/c/cli/high.c"
    echo 'int pb(int); int pa(int n) { return n ? pb(n - 1) : 0; }' >"$TMP/c/ingest/pa.c"
    echo 'int pa(int); int pb(int n) { return n ? pa(n - 1) : 0; }' >"$TMP/c/ingest/pb.c"
    for f in util/low cli/high ingest/pa ingest/pb; do
        mkdir -p "$TMP/o/$(dirname $f)"; cc -c -o "$TMP/o/$f.o" "$TMP/c/$f.c"
    done
    D="a call up a layer (seen in the objects) fails"; P="low (util) calls high of high, a higher layer"
    "$CL" --objects "$TMP/o" "$TMP/c" >"$TMP/out" 2>&1 && ok 1 "$D" || { grep -q "$P" "$TMP/out"; ok $? "$D"; }
    D="a circle of calls between modules fails"; P="call cycle: pa -> pb -> pa"
    grep -q "$P" "$TMP/out"; ok $? "$D"
else
    skip "no cc/nm"; skip "no cc/nm"
fi
done_testing
