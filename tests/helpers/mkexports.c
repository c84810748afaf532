/*
 * mkexports OUTDIR: publish a fixed, hand-made set of listings (aggregation,
 * all four causes, networks with allowlisted holes, a network around a
 * listed address, IPv6) through the real publisher, so that the export
 * tests can load the files into rbldnsd, named-checkzone, nft and ipset.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cidrset.h"
#include "listing.h"
#include "config.h"
#include "msg.h"
#include "publish.h"
#include "hand_stats.h"

static struct ip_stats *stats[32];

static void add(struct listings *l, const char *pfx, enum cause c)
{
    struct ipprefix p;

    if (!ipprefix_parse(span_make(pfx, strlen(pfx)), &p, false))
        msg_panic("bad prefix %s", pfx);
    struct listing e = { .pfx = p, .d = { .cause = c } };
    struct listing_more m = { .score = 42 };
    if (p.len == (p.addr.family == 4 ? 32 : 128)) {
        struct ip_stats **sp = &stats[l->n % 32];
        if (*sp == NULL)
            *sp = hand_stats_new();
        struct ip_stats *st = *sp;
        hand_stats_set(st, AC_REJ_DNSBL, 3);
        st->first = 1795500000;
        st->last = 1795560000;
        st->rdns = "=cmd|' /C calc'!A0";     /* hostile: must be neutralised in CSV */
        e.st = st;
    }
    listings_push(l, &e, &m);
}

int main(int argc, char **argv)
{
    struct listings l = { 0 };
    struct policy p;
    struct cidrset *allow = cidrset_new();
    struct publish_result r;
    static const char *const allowed[] = { "203.0.113.9", "2001:db8:2::9", "192.0.2.200" };

    if (argc != 2) {
        fprintf(stderr, "usage: mkexports OUTDIR\n");
        return 2;
    }
    config_init(&p);
    l.p = &p;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        struct ipprefix a;
        ipprefix_parse(span_make(allowed[i], strlen(allowed[i])), &a, false);
        cidrset_add(allow, &a);
    }
    /* Four adjacent spam addresses aggregate to 192.0.2.4/30. */
    add(&l, "192.0.2.4", CAUSE_SPAM);
    add(&l, "192.0.2.5", CAUSE_SPAM);
    add(&l, "192.0.2.6", CAUSE_SPAM);
    add(&l, "192.0.2.7", CAUSE_SPAM);
    add(&l, "192.0.2.77", CAUSE_SPAM);
    add(&l, "192.0.2.77", CAUSE_NET);           /* same prefix twice: spam wins */
    add(&l, "198.51.100.10", CAUSE_AUTH);
    add(&l, "198.51.100.20", CAUSE_DYNAMIC);
    add(&l, "203.0.113.0/24", CAUSE_NET);       /* holds allowlisted .9 */
    add(&l, "10.20.0.0/16", CAUSE_NET);         /* holds listed 10.20.30.40 */
    add(&l, "10.20.30.40", CAUSE_SPAM);
    add(&l, "172.16.0.0/23", CAUSE_NET);        /* not on an octet boundary */
    add(&l, "172.16.0.0/24", CAUSE_SPAM);       /* bl.zone: the /23's first name too */
    add(&l, "2001:db8:1::5", CAUSE_SPAM);
    add(&l, "2001:db8:2::/64", CAUSE_NET);      /* holds allowlisted ::9 */
    l.seen = l.n;
    struct publish_opts o = { .now = 1795575600, .force = getenv("FORCE") != NULL };
    struct export_ctx x = { .l = &l, .p = &p };
    char lock[4096];
    snprintf(lock, sizeof(lock), "%s/.rblforge.lock", argv[1]);
    int fd = publish_lock(lock);
    if (fd < 0)
        return fd == -2 ? EXIT_LOCKED : EXIT_RUNTIME;
    int st = publish_run(argv[1], &x, allow, &o, &r);
    close(fd);
    free(l.v);
    free(l.ext);
    cidrset_free(allow);
    return st;
}
