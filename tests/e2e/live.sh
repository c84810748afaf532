# The private mail world of the live tests (tests/e2e/5*.t), sourced after
# tap.sh: a network namespace with only lo, /etc/netns/NAME/resolv.conf
# pointing at 127.0.0.1 so that no lookup can leave, BIND on 127.0.0.1:53
# authoritative for the world (root zone, in-addr.arpa) and forwarding our
# zone bl.test to rbldnsd on 127.0.0.1:5300, which serves OUT/bl.rbldnsd.
# Every daemon is started in the foreground or with a pid file; live_stop
# stops each by its PID, removes the namespace and its /etc/netns entry.
#
# live_need PROGRAM...   install the live group if one is missing, or skip
# live_up                make the namespace (or skip)
# ns CMD...              run CMD inside the namespace
# live_dns FILE          start BIND with the world's records (FILE: lines of
#                        "NAME TYPE VALUE", appended to the root zone;
#                        PTRs go into in-addr.arpa); LIVE_ZONES: more zones
#                        for rbldnsd besides $ZONE
# live_rbldnsd OUT [ZONE:TYPE:FILE...]  start rbldnsd on OUT/bl.rbldnsd (it
#                        follows the symlink OUT/bl.rbldnsd -> current/...)
# live_pid NAME PID      stop PID when the test ends
ZONE=bl.test
NS=rblf$$
LIVE_PIDS=

live_skip() {   # live_skip REASON: the whole file is skipped
    skip "$1"
    done_testing
    exit 0
}

live_need() {
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 && continue
        [ -x "/usr/sbin/$p" ] && continue
        "$TOP/scripts/install-deps" live >"$TMP/install.log" 2>&1 ||
            live_skip "live packages cannot be installed (scripts/install-deps live): $(tail -1 "$TMP/install.log")"
        break
    done
    for p in "$@"; do
        command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] ||
            live_skip "$p missing after scripts/install-deps live"
    done
}

live_up() {
    [ "$(id -u)" -eq 0 ] || live_skip "a network namespace needs root"
    ip netns add "$NS" 2>"$TMP/netns.err" ||
        live_skip "cannot make a network namespace: $(head -1 "$TMP/netns.err")"
    trap live_stop EXIT
    trap 'exit 143' TERM INT
    mkdir -p "/etc/netns/$NS"
    echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
    # /etc/hosts is the host's: 127.0.0.1 stays "localhost" (mynetworks).
    ns ip link set lo up
    ns ip -o addr show | grep -qv ' lo ' && live_skip "namespace has more than lo"
    return 0
}

ns() { ip netns exec "$NS" "$@"; }

live_pid() { LIVE_PIDS="$LIVE_PIDS $2"; echo "$1 $2" >>"$TMP/pids"; }

# Wait up to 10 s for a TCP or UDP listener on 127.0.0.1:PORT in the
# namespace.
live_wait_port() {
    i=0
    while [ $i -lt 50 ]; do
        ns ss -ltnu 2>/dev/null | awk '{print $5}' | grep -q "^127\.0\.0\.1:$1\$" && return 0
        sleep 0.2; i=$((i + 1))
    done
    return 1
}

live_dns() {
    d="$TMP/dns"; mkdir -p "$d"; chmod 755 "$d"
    serial=1
    {
        printf '$TTL 60\n@ SOA ns.test. hostmaster.test. %s 60 60 600 60\n@ NS ns.test.\n' $serial
        printf 'ns.test. A 127.0.0.1\n'
        # Our zone is delegated, so BIND recurses for it (through the
        # forwarder below) instead of answering NXDOMAIN from the root.
        for z in $ZONE ${LIVE_ZONES:-}; do
            printf '%s. NS ns.%s.\nns.%s. A 127.0.0.1\n' "$z" "$z" "$z"
        done
        grep -v ' PTR ' "$1"
    } >"$d/root.zone"
    {
        printf '$TTL 60\n@ SOA ns.test. hostmaster.test. %s 60 60 600 60\n@ NS ns.test.\n' $serial
        grep ' PTR ' "$1"
    } >"$d/arpa.zone"
    cat >"$d/named.conf" <<EOF
options {
    directory "$d";
    pid-file "$d/named.pid";
    listen-on port 53 { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion yes;
    allow-query { any; };
    allow-recursion { any; };
    dnssec-validation no;
    notify no;
    empty-zones-enable no;
    max-cache-ttl 1;
    max-ncache-ttl 1;
};
controls { };
zone "." { type primary; file "$d/root.zone"; };
zone "in-addr.arpa" { type primary; file "$d/arpa.zone"; };
EOF
    for z in $ZONE ${LIVE_ZONES:-}; do
        echo "zone \"$z\" { type forward; forward only; forwarders { 127.0.0.1 port 5300; }; };"
    done >>"$d/named.conf"
    ip netns exec "$NS" named -4 -f -c "$d/named.conf" >"$d/named.log" 2>&1 &
    live_pid named $!
    live_wait_port 53
}

live_rbldnsd() {
    # -c 1: look at the file's mtime every second (rbldnsd stats the
    # path, so the symlink into the publication is followed).
    d=$1; shift
    ip netns exec "$NS" rbldnsd -n -b 127.0.0.1/5300 -c 1 -p "$TMP/rbldnsd.pid" -w "$d" \
        "$ZONE:ip4set:bl.rbldnsd" "$@" >"$TMP/rbldnsd.log" 2>&1 &
    live_pid rbldnsd $!
    live_wait_port 5300
}

# live_stop: every PID we started, then the namespace; Postfix and Dovecot
# first through their own stop commands (the tests set LIVE_STOP).
live_stop() {
    set +e
    [ -n "${LIVE_STOP:-}" ] && eval "$LIVE_STOP" >/dev/null 2>&1
    for p in $LIVE_PIDS; do kill "$p" 2>/dev/null; done
    for p in $LIVE_PIDS; do
        i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
    done
    # Whatever is still in the namespace was started by this test.
    for p in $(ip netns pids "$NS" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
    rm -rf "/etc/netns/$NS"
    if [ -n "${LIVE_KEEP:-}" ]; then echo "# kept $TMP"; else rm -rf "$TMP"; fi
}

rev4() { echo "$1" | awk -F. '{print $4"."$3"."$2"."$1}'; }
