/* The analysis modules: Judy maps, rDNS bars and the dynamic list,
 * network escalation and its holds, the denylist, the state file and
 * incremental matching, ASN lookups in the test database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "agg.h"
#include "asn.h"
#include "cidrset.h"
#include "listing.h"
#include "netagg.h"
#include "config.h"
#include "policy.h"
#include "state_file.h"

static struct ipaddr IP(const char *s)
{
    struct ipaddr a;
    assert_true(ipaddr_parse(span_make(s, strlen(s)), &a));
    return a;
}

static struct ipprefix PFX(const char *s)
{
    struct ipprefix p;
    assert_true(ipprefix_parse(span_make(s, strlen(s)), &p, false));
    return p;
}

static void add(struct agg *a, const char *ip, enum ev_type t, enum ev_reason r,
                unsigned times, const char *rdns)
{
    static uint64_t line;
    struct event ev = { 0 };
    ev.type = t;
    ev.reason = r;
    ev.ip = IP(ip);
    ev.has_ts = true;
    if (rdns)
        ev.rdns = span_make(rdns, strlen(rdns));
    for (unsigned i = 0; i < times; i++) {
        ev.line = ++line;
        ev.ts = 1000000 + (int64_t)line;
        agg_add(a, &ev);
    }
}

static const struct listing *find(const struct listings *l, const char *pfx)
{
    struct ipprefix p = PFX(pfx);
    for (size_t i = 0; i < l->n; i++)
        if (l->v[i].pfx.len == p.len && ipaddr_cmp(&l->v[i].pfx.addr, &p.addr) == 0)
            return &l->v[i];
    return NULL;
}

static void test_map(void **state)
{
    agg_map m = NULL;
    uint64_t k = 0;
    void *v;
    (void)state;
    *agg_map_ins(&m, 7) = "seven";
    *agg_map_ins(&m, 3) = "three";
    assert_string_equal(agg_map_get(m, 7), "seven");
    assert_null(agg_map_get(m, 5));
    assert_int_equal(agg_map_count(m), 2);
    assert_true(agg_map_next(m, &k, &v, true));
    assert_int_equal(k, 3);
    assert_true(agg_map_next(m, &k, &v, false));
    assert_int_equal(k, 7);
    assert_false(agg_map_next(m, &k, &v, false));
    agg_map_free(&m);
    assert_null(m);
}

static void test_rdns_bars(void **state)
{
    struct policy p;
    struct agg *a = agg_new(false);
    struct decision d;
    (void)state;
    config_init(&p);
    add(a, "192.0.2.1", EV_REJECT, R_DNSBL, 2, "1-2-3-4.dyn.example.net");    /* 8 */
    add(a, "192.0.2.2", EV_REJECT, R_DNSBL, 2, "mx.example.org");             /* 8 */
    add(a, "192.0.2.3", EV_REJECT, R_UNKNOWN_RECIPIENT, 1, "c-192-0-2-3.hsd1.example.net");
    struct ipaddr x = IP("192.0.2.1"), y = IP("192.0.2.2"), z = IP("192.0.2.3");
    policy_decide(&p, &x, agg_lookup(a, &x), &d);
    assert_int_equal(d.rdns, RDNS_DYNAMIC);
    assert_true(policy_bar(&p, d.rdns) == 5);
    assert_int_equal(d.cause, CAUSE_SPAM);
    policy_decide(&p, &y, agg_lookup(a, &y), &d);
    assert_true(policy_bar(&p, d.rdns) == 10);
    assert_int_equal(d.cause, CAUSE_NONE);
    policy_decide(&p, &z, agg_lookup(a, &z), &d);
    assert_int_equal(d.cause, CAUSE_DYNAMIC);
    p.list_dynamic = false;
    policy_decide(&p, &z, agg_lookup(a, &z), &d);
    assert_int_equal(d.cause, CAUSE_NONE);
    agg_free(a);
}

/* The kept networks through listings_net_next, checked to come in prefix order. */
static size_t kept_nets(const struct listings *l)
{
    struct netagg_iter it = { 0 };
    struct net_stats n, prev;
    size_t k = 0;

    while (listings_net_next(l, &it, &n)) {
        if (k++)
            assert_true(ipprefix_cmp(&prev.pfx, &n.pfx) < 0);
        prev = n;
    }
    return k;
}

/* run_all that runs the tasks last first: the decisions must not depend
 * on the order. */
static void run_backwards(size_t n, void (*fn)(size_t i, void *ctx), void *ctx)
{
    while (n-- > 0)
        fn(n, ctx);
}

struct want_ctx {
    const struct policy *p;
    size_t listed;
};

static void count_listed(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    struct want_ctx *w = ctx;
    struct decision d;

    policy_decide(w->p, ip, st, &d);
    w->listed += d.cause != CAUSE_NONE;
}

/* A table of several decide batches (65536 addresses each), IPv4 and
 * IPv6: every address decided once, the listed ones in address order,
 * whatever the order of the tasks and whether the index was sealed. */
static void test_decide_batches(void **state)
{
    enum { N = 150000 };
    struct policy p;
    struct agg *a = agg_new(false);
    char buf[64];
    (void)state;
    config_init(&p);
    p.net_escalate = false;
    for (int i = 0; i < N; i++) {
        unsigned x = (unsigned)i * 2654435761u;
        if (i % 10 == 0)
            snprintf(buf, sizeof(buf), "2001:db8:%x::%x", x >> 16, x & 0xffff);
        else
            snprintf(buf, sizeof(buf), "10.%u.%u.%u", (x >> 16) & 255, (x >> 8) & 255, x & 255);
        add(a, buf, i % 3 ? EV_POSTSCREEN : EV_CONNECT, i % 3 ? R_PS_PREGREET : R_NONE,
            1 + (unsigned)i % 2, NULL);
    }
    struct want_ctx w = { &p, 0 };
    agg_walk(a, count_listed, &w);
    assert_true(agg_count(a) > 2 * 65536);
    assert_true(w.listed > 0 && w.listed < agg_count(a));
    for (int k = 0; k < 2; k++) {
        struct listings l;
        struct listing_opts o = { .run_all = k ? run_backwards : NULL };
        listings_decide(&l, a, &p, &o);
        assert_int_equal(l.seen, agg_count(a));
        assert_int_equal(l.n, w.listed);
        for (size_t i = 1; i < l.n; i++)
            assert_true(ipaddr_cmp(&l.v[i - 1].pfx.addr, &l.v[i].pfx.addr) < 0);
        listings_free(&l);
    }
    agg_free(a);
}

static void test_escalation(void **state)
{
    struct policy p;
    struct agg *a = agg_new(false);
    struct listings l;
    char buf[32];
    (void)state;
    config_init(&p);
    /* 4 listed: escalated. */
    for (int i = 1; i <= 4; i++)
        snprintf(buf, sizeof(buf), "198.51.100.%d", i),
        add(a, buf, EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    /* 3 listed of 4 seen: the ratio rule. */
    for (int i = 1; i <= 3; i++)
        snprintf(buf, sizeof(buf), "198.51.101.%d", i),
        add(a, buf, EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    add(a, "198.51.101.9", EV_CONNECT, R_NONE, 1, NULL);
    /* 3 listed of 5 seen: neither. */
    for (int i = 1; i <= 3; i++)
        snprintf(buf, sizeof(buf), "198.51.102.%d", i),
        add(a, buf, EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    add(a, "198.51.102.8", EV_CONNECT, R_NONE, 1, NULL);
    add(a, "198.51.102.9", EV_CONNECT, R_NONE, 1, NULL);
    /* 4 listed and an MTA with good mail: held. */
    for (int i = 1; i <= 4; i++)
        snprintf(buf, sizeof(buf), "203.0.113.%d", i),
        add(a, buf, EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    add(a, "203.0.113.25", EV_QUEUED, R_NONE, 3, "mail.example.com");
    /* 4 listed and an allowlisted address inside: held. */
    for (int i = 1; i <= 5; i++)
        snprintf(buf, sizeof(buf), "100.64.1.%d", i),
        add(a, buf, EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    /* IPv6: 4 in one /64. */
    for (int i = 1; i <= 4; i++)
        snprintf(buf, sizeof(buf), "2001:db8:1:2::%d", i),
        add(a, buf, EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    struct cidrset *allow = cidrset_new(), *deny = cidrset_new();
    struct ipprefix ap = PFX("100.64.1.5"), dp = PFX("233.252.0.0/24"), dp2 = PFX("100.64.1.0/24");
    cidrset_add(allow, &ap);
    cidrset_add(deny, &dp);
    cidrset_add(deny, &dp2);    /* overlaps the allowlist: not published */
    struct listing_opts o = { .allow = allow, .deny = deny };
    listings_decide(&l, a, &p, &o);
    assert_non_null(find(&l, "198.51.100.0/24"));
    assert_int_equal(find(&l, "198.51.100.0/24")->d.cause, CAUSE_NET);
    assert_non_null(find(&l, "198.51.101.0/24"));
    assert_null(find(&l, "198.51.102.0/24"));
    assert_null(find(&l, "203.0.113.0/24"));
    assert_null(find(&l, "100.64.1.0/24"));
    assert_non_null(find(&l, "2001:db8:1:2::/64"));
    assert_non_null(find(&l, "233.252.0.0/24"));
    assert_true(find(&l, "233.252.0.0/24")->flags & LF_DENY);
    struct ipaddr g = IP("203.0.113.9"), h = IP("100.64.1.200");
    struct net_stats ns;
    assert_true(listings_net_find(&l, &g, &ns) && ns.status == NET_HELD_GOOD);
    assert_true(listings_net_find(&l, &h, &ns) && ns.status == NET_HELD_ALLOWLIST);
    assert_int_equal(l.nets_escalated, 3);
    assert_int_equal(l.nets_held, 2);
    assert_int_equal(l.nallowed, 1);
    /* Networks are counted as a stream: all seen, only those with
     * something listed kept (198.51.102.0/24 has 3 listed: kept). */
    struct ipaddr quiet = IP("192.0.2.1");
    add(a, "192.0.2.1", EV_CONNECT, R_NONE, 1, NULL);
    listings_free(&l);
    listings_decide(&l, a, &p, &o);
    assert_int_equal(l.nets.nseen, 7);
    assert_int_equal(kept_nets(&l), 6);
    assert_false(listings_net_find(&l, &quiet, &ns));
    struct ipaddr n102 = IP("198.51.102.200");
    assert_true(listings_net_find(&l, &n102, &ns) && ns.ips_seen == 5);
    /* explain asks for every network. */
    listings_free(&l);
    o.all_networks = true;
    listings_decide(&l, a, &p, &o);
    assert_int_equal(kept_nets(&l), 7);
    assert_true(listings_net_find(&l, &quiet, &ns) && ns.ips_seen == 1 && ns.status == NET_NONE);
    /* Bots alone in their network (IPv4 and IPv6, one with good mail
     * besides) are marked on their listings, and written out they are
     * what the full count says (explain keeps every network in full). */
    add(a, "192.0.3.77", EV_POSTSCREEN, R_PS_PREGREET, 2, NULL);
    add(a, "2001:db8:7:7::7", EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    add(a, "2001:db8:7:7::7", EV_REJECT, R_DNSBL, 3, NULL);
    add(a, "203.0.114.5", EV_AUTH_FAIL, R_NONE, 40, NULL);
    add(a, "203.0.114.5", EV_QUEUED, R_NONE, 50, NULL);
    struct listings all;
    listings_decide(&all, a, &p, &o);
    listings_free(&l);
    o.all_networks = false;
    listings_decide(&l, a, &p, &o);
    size_t singles = 0;
    for (size_t i = 0; i < l.n; i++)
        singles += (l.v[i].flags & LF_NET_SINGLE) != 0;
    assert_int_equal(singles, 3);
    assert_int_equal(kept_nets(&l), 9);
    struct netagg_iter it = { 0 };
    struct net_stats n, f;
    bool good_seen = false;
    while (listings_net_next(&l, &it, &n)) {
        assert_true(listings_net_find(&all, &n.pfx.addr, &f));
        assert_memory_equal(&n.pfx, &f.pfx, sizeof(n.pfx));
        assert_true(n.status == f.status && n.ips_seen == f.ips_seen
                    && n.ips_listed == f.ips_listed && n.ips_good == f.ips_good
                    && n.asn == f.asn && n.events == f.events);
        good_seen |= n.ips_seen == 1 && n.ips_good == 1;
    }
    assert_true(good_seen);
    struct ipaddr bot = IP("2001:db8:7:7::8");
    assert_true(listings_net_find(&l, &bot, &ns) && ns.events == 4 && ns.pfx.len == 64);
    listings_free(&all);
    /* Sorted by prefix: a network before the addresses inside it. */
    for (size_t i = 1; i < l.n; i++) {
        int c = ipaddr_cmp(&l.v[i - 1].pfx.addr, &l.v[i].pfx.addr);
        assert_true(c < 0 || (c == 0 && l.v[i - 1].pfx.len < l.v[i].pfx.len));
    }
    listings_free(&l);
    cidrset_free(allow);
    cidrset_free(deny);
    agg_free(a);
}

/* listings_sort: prefix order, a network before its addresses, and of
 * equal prefixes the one that came first kept (stable), also for a tail
 * long enough for several merge passes. */
static void test_sort_stable(void **state)
{
    struct listings l = { 0 };
    (void)state;
    srand(7);
    for (int i = 0; i < 40; i += 2) {          /* the sorted run */
        struct listing e = { .flags = 0 };
        ipaddr_set_v4(&e.pfx.addr, 0xc0000200u + (uint32_t)i);
        e.pfx.len = 32;
        listings_push(&l, &e, &(struct listing_more){ 0 });
    }
    for (int i = 0; i < 300; i++) {            /* the tail: duplicates, networks */
        struct listing e = { .flags = (uint8_t)(i & 1 ? LF_STATE : LF_DENY) };
        struct listing_more m = { .asn = (uint32_t)i };
        ipaddr_set_v4(&e.pfx.addr, 0xc0000200u + (uint32_t)(rand() % 48));
        e.pfx.len = 32;
        if (i % 37 == 0) {
            e.pfx.len = 28;
            e.pfx.addr = ipaddr_mask(&e.pfx.addr, 28);
        }
        listings_push(&l, &e, &m);
    }
    /* The expected survivor of each prefix: the first pushed. */
    struct listing want[400];
    size_t nw = 0;
    for (size_t i = 0; i < l.n; i++) {
        size_t k = 0;
        while (k < nw && !(ipaddr_cmp(&want[k].pfx.addr, &l.v[i].pfx.addr) == 0
                           && want[k].pfx.len == l.v[i].pfx.len))
            k++;
        if (k == nw)
            want[nw++] = l.v[i];
    }
    listings_sort(&l);
    assert_int_equal(l.n, nw);
    for (size_t i = 0; i < l.n; i++) {
        if (i > 0) {
            int c = ipaddr_cmp(&l.v[i - 1].pfx.addr, &l.v[i].pfx.addr);
            assert_true(c < 0 || (c == 0 && l.v[i - 1].pfx.len < l.v[i].pfx.len));
        }
        size_t k = 0;
        while (!(ipaddr_cmp(&want[k].pfx.addr, &l.v[i].pfx.addr) == 0
                 && want[k].pfx.len == l.v[i].pfx.len))
            k++;
        assert_int_equal(l.v[i].flags, want[k].flags);
        struct listing_more a, b;
        listings_more(&l, &l.v[i], &a);
        listings_more(&l, &want[k], &b);
        assert_int_equal(a.asn, b.asn);
    }
    listings_free(&l);
}

static void test_state_roundtrip(void **state)
{
    struct policy p;
    struct agg *a = agg_new(false);
    struct listings l;
    char path[] = "/tmp/rblforge-state-XXXXXX";
    (void)state;
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    config_init(&p);
    add(a, "192.0.2.77", EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    struct state *s = state_new();
    assert_true(state_file_load(s, path));           /* missing: the first run */
    listings_build(&l, a, &p, NULL);
    state_apply(s, &l, &p, NULL, 2000000);
    assert_int_equal(l.added, 1);
    struct listing_more m0;
    listings_more(&l, &l.v[0], &m0);
    int64_t last = m0.last;
    assert_true(m0.expires == last + 7 * 86400);
    struct state_input in = { .dev = 1, .ino = 2, .size = 10, .hlen = 5,
                              .hash = state_input_hash("hello", 5), .consumed = 10, .lines = 2,
                              .seen = 2000000 };
    strcpy(in.name, "mail.log\twith tab");
    state_input_done(state_inputs(s), &in);
    assert_true(state_file_save(s, path));
    listings_free(&l);
    state_free(s);

    s = state_new();
    assert_true(state_file_load(s, path));
    struct ipprefix host = PFX("192.0.2.77");
    const struct state_entry *e = state_find(s, &host);
    assert_non_null(e);
    assert_int_equal(e->cause, CAUSE_SPAM);
    assert_true(e->listed_until == last + 7 * 86400);
    uint64_t sb, sl;
    /* Same inode; then a compressed copy: same head, other inode. */
    state_input_resume(state_inputs_of(s), 1, 2, "hello world", 11, &sb, &sl);
    assert_int_equal(sb, 10);
    assert_int_equal(sl, 2);
    state_input_resume(state_inputs_of(s), 1, 99, "hello world", 11, &sb, &sl);
    assert_int_equal(sb, 10);
    state_input_resume(state_inputs_of(s), 1, 2, "other", 5, &sb, &sl);
    assert_int_equal(sb, 0);
    /* No new evidence, still in time: carried; after expiry: gone. */
    struct agg *empty = agg_new(false);
    listings_build(&l, empty, &p, NULL);
    state_apply(s, &l, &p, NULL, last + 86400);
    assert_int_equal(l.n, 1);
    assert_true(l.v[0].flags & LF_STATE);
    assert_int_equal(l.carried, 1);
    listings_free(&l);
    listings_build(&l, empty, &p, NULL);
    state_apply(s, &l, &p, NULL, last + 8 * 86400);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.expired, 1);
    listings_free(&l);
    /* Removed by hand: 10 points stay off, 20 (2 x threshold) come back. */
    state_remove(s, &host, last, "request\nwith newline");
    assert_string_equal(state_find(s, &host)->note, "request?with newline");
    listings_build(&l, a, &p, NULL);
    state_apply(s, &l, &p, NULL, last + 1);
    assert_int_equal(l.n, 0);
    assert_int_equal(l.held, 1);
    listings_free(&l);
    add(a, "192.0.2.77", EV_POSTSCREEN, R_PS_PREGREET, 1, NULL);
    listings_build(&l, a, &p, NULL);
    state_apply(s, &l, &p, NULL, last + 1);
    assert_int_equal(l.n, 1);
    assert_int_equal(state_find(s, &host)->removed_at, 0);
    listings_free(&l);
    /* The plain threshold, not the rDNS bar: a dynamic host removed by hand
     * with 16 points (over 2 x its bar of 5) stays off. */
    struct agg *dyn = agg_new(false);
    add(dyn, "192.0.2.88", EV_REJECT, R_DNSBL, 4, "1-2-3-4.dyn.example.net");
    struct ipprefix h88 = PFX("192.0.2.88");
    state_remove(s, &h88, last, NULL);
    listings_build(&l, dyn, &p, NULL);
    assert_int_equal(l.n, 1);
    assert_true(policy_bar(&p, l.v[0].d.rdns) == 5 && listings_score(&l, &l.v[0]) == 16);
    state_apply(s, &l, &p, NULL, last + 1);
    assert_null(find(&l, "192.0.2.88"));
    assert_int_equal(l.held, 1);
    listings_free(&l);
    agg_free(dyn);
    agg_free(empty);
    state_free(s);

    /* One changed byte: refused. */
    FILE *fp = fopen(path, "r+");
    assert_non_null(fp);
    fseek(fp, 20, SEEK_SET);
    int c = fgetc(fp);
    fseek(fp, 20, SEEK_SET);
    fputc(c == '1' ? '2' : '1', fp);
    fclose(fp);
    s = state_new();
    assert_false(state_file_load(s, path));
    state_free(s);
    fp = fopen(path, "w");
    fputs("rblforge-state 2\nend\t0\t0000000000000000\n", fp);
    fclose(fp);
    s = state_new();
    assert_false(state_file_load(s, path));
    state_free(s);
    unlink(path);
    agg_free(a);
}

static void test_asn(void **state)
{
    const char *top = getenv("TOP");
    char path[4096];
    (void)state;
    snprintf(path, sizeof(path), "%s/datasets/asn/asn-test.mmdb", top ? top : ".");
    struct asn_db *db = asn_open(path);
    assert_non_null(db);
    static const struct { const char *ip; uint32_t asn; const char *org; } t[] = {
        { "100.66.3.7", 64500, "Example Cable Access (CGN pools)" },
        { "198.51.100.10", 64496, "Example Mail Hosting" },
        { "2001:db8:bad::5", 64503, "Example IPv6 Bulletproof Hosting \"BPH\"" },
        { "2001:db8:1::1", 64502, "Example IPv6 Access" },
        { "45.1.2.3", 64510, "Example Global Broadband" },
        { "224.0.0.1", 0, NULL },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        struct ipaddr a = IP(t[i].ip);
        uint32_t asn = asn_lookup(db, &a);
        if (asn != t[i].asn)
            fail_msg("%s: AS%u, want AS%u", t[i].ip, asn, t[i].asn);
        if (t[i].org)
            assert_string_equal(asn_org(db, asn), t[i].org);
    }
    struct agg *ag = agg_new(false);
    add(ag, "100.66.3.7", EV_CONNECT, R_NONE, 1, NULL);
    asn_annotate(db, ag);
    struct ipaddr a = IP("100.66.3.7");
    assert_int_equal(agg_lookup(ag, &a)->asn, 64500);
    agg_free(ag);
    asn_close(db);
    assert_null(asn_open("/nonexistent.mmdb"));
    asn_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map),
        cmocka_unit_test(test_rdns_bars),
        cmocka_unit_test(test_escalation),
        cmocka_unit_test(test_decide_batches),
        cmocka_unit_test(test_sort_stable),
        cmocka_unit_test(test_state_roundtrip),
        cmocka_unit_test(test_asn),
    };
    return cmocka_run_group_tests_name("analysis", tests, NULL, NULL);
}
