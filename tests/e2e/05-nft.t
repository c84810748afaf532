#!/bin/sh
# fw.nft is checked by nft itself (in a private network namespace when
# plain `nft -c` lacks privileges).
. "$(dirname "$0")/tap.sh"

command -v nft >/dev/null || { skip "nft not installed (scripts/install-deps test)"; done_testing; exit; }
S="$TOP/datasets/sample"
"$RBLFORGE" run --year 2026 --tz JST-9 --now logs -o "$TMP/out" "$S/mail.log.1.gz" "$S/mail.log" 2>/dev/null
ok $? "run"
printf 'table inet t {\n set s { type ipv4_addr; flags interval; }\n}\nadd element inet t s { 1.2.3.300 }\n' >"$TMP/bad.nft"

nftcheck() {
    for how in "" "unshare -n" "unshare -rn"; do
        if $how nft -c -f "$TMP/empty.nft" >/dev/null 2>&1; then
            $how nft -c -f "$1"
            return
        fi
    done
    return 125
}
: >"$TMP/empty.nft"
nftcheck "$TMP/empty.nft" 2>/dev/null; st=$?
if [ $st -eq 125 ]; then
    skip "the kernel refuses nft -c here, also inside unshare -n/-rn"
    # Second means: the file only holds the fixed words and addresses we write.
    bad=$(grep -vE '^(#.*|table inet rblforge \{|	set rbl[46] \{|		type ipv[46]_addr|		flags interval|	\}|\}|flush set inet rblforge rbl[46]|add element inet rblforge rbl[46] \{|	[0-9a-f.:]+,?)$' "$TMP/out/fw.nft" | head -3)
    is "$bad" "" "fw.nft holds only the expected statements and addresses"
else
    nftcheck "$TMP/out/fw.nft" >"$TMP/err" 2>&1; ok $? "nft -c -f fw.nft accepts the file"
    nftcheck "$TMP/bad.nft" >/dev/null 2>&1; [ $? -ne 0 ]; ok $? "and rejects a malformed one"
    # Loading twice works: the second load replaces the contents.
    if unshare -n true 2>/dev/null; then
        unshare -n sh -c "nft -f '$TMP/out/fw.nft' && nft -f '$TMP/out/fw.nft' && nft list set inet rblforge rbl4" >"$TMP/list" 2>&1
        ok $? "fw.nft loads twice in a fresh namespace (atomic replace)"
        n=$(grep -c '^add element\|^	[0-9]' "$TMP/out/fw.nft")
        diag "elements in fw.nft: $n"
    else
        skip "unshare -n not permitted: no live load test"
    fi
fi
done_testing
