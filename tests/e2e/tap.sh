# Minimal TAP for shell tests: source it, then call ok/is/skip; done_testing
# prints the plan. RBLFORGE points at the binary under test.
set -u
T_N=0
T_FAIL=0
TOP=$(cd "$(dirname "$0")/../.." && pwd)
RBLFORGE=${RBLFORGE:-$TOP/rblforge}
B=${B:-build}
case "$B" in /*) ;; *) B="$TOP/$B" ;; esac
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rblforge-test.XXXXXX")
chmod 755 "$TMP"
trap 'rm -rf "$TMP"' EXIT

ok() {      # ok STATUS DESCRIPTION
    T_N=$((T_N + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $T_N - $2"
    else
        echo "not ok $T_N - $2"
        T_FAIL=$((T_FAIL + 1))
    fi
}
check() {   # check DESCRIPTION COMMAND...: ok if the command succeeds
    d=$1; shift
    if "$@" >"$TMP/.out" 2>&1; then ok 0 "$d"; else ok 1 "$d"; sed 's/^/# /' "$TMP/.out" | head -20; fi
}
is() {      # is GOT WANT DESCRIPTION
    if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got: $1"; echo "#  want: $2"; fi
}
skip() {    # skip REASON
    T_N=$((T_N + 1))
    echo "ok $T_N # skip $1"
}
diag() { echo "# $*"; }
# bots N: log lines of N bots, each pregreeting once from a /24 of its own
# (no network escalation): N listed addresses.
bots() { i=1; while [ $i -le "$1" ]; do
    printf 'Nov 24 06:25:01 mx1 postfix/postscreen[1]: PREGREET 11 after 0.1 from [10.%d.%d.7]:4000: EHLO x\\r\\n\n' $((i / 250)) $((i % 250))
    i=$((i + 1)); done; }
# temporaries DIR: entries a publication into DIR left behind that are no
# output: hidden names but the lock and .pub/ (the publications), staging
# directories in .pub/, temporaries inside a publication.
temporaries() {
    { ls -A "$1" | grep '^\.' | grep -v -e '^\.rblforge\.lock$' -e '^\.pub$'
      if [ -d "$1/.pub" ]; then
          ls -A "$1/.pub" | grep -v '^pub\.'
          find "$1/.pub" -name '.*.??????'
      fi; } | wc -l | tr -d ' '
}
done_testing() {
    echo "1..$T_N"
    [ "$T_FAIL" -eq 0 ]
}
