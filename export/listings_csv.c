/* listings.csv: the day's listed entries with their evidence. */
#include <string.h>
#include "export.h"
#include "escape.h"
#include "ipaddr.h"
#include "tstamp.h"

static void put_time(struct outbuf *o, int64_t t)
{
    char buf[32];

    outbuf_putc(o, ',');
    if (t != INT64_MAX && t != INT64_MIN && t != 0) {
        tstamp_format(t, 0, buf);
        outbuf_puts(o, buf);
    }
}

void export_listings_csv(struct outbuf *o, const struct export_ctx *r)
{
    const struct listings *l = r->l;
    char ip[IPPREFIX_STRLEN];

    outbuf_puts(o, "address,cause,code,score,bar,auth_score");
    for (int k = 0; k < AC__COUNT; k++) {
        outbuf_putc(o, ',');
        outbuf_puts(o, agg_class_name(k));
    }
    outbuf_puts(o, ",rdns,rdns_class,asn,as_org,first_seen,last_seen,expires,source\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        const struct ip_stats *st = e->st;
        outbuf_printf(o, "%s,%s,%s,%g,", ipprefix_format(&e->pfx, ip),
                      policy_cause_name(e->d.cause), policy_code(r->p, e->d.cause), e->d.score);
        if (st)
            outbuf_printf(o, "%g", e->d.bar);
        outbuf_printf(o, ",%g", e->d.auth_score);
        for (int k = 0; k < AC__COUNT; k++) {
            outbuf_putc(o, ',');
            if (st)
                outbuf_u64(o, st->n[k]);
        }
        outbuf_putc(o, ',');
        if (st && st->rdns)
            esc_csv(o, st->rdns, strlen(st->rdns));
        else if (st && st->rdns_unknown)
            outbuf_puts(o, "unknown");
        outbuf_putc(o, ',');
        if (st)
            outbuf_puts(o, rdns_class_name(e->d.rdns));
        outbuf_putc(o, ',');
        const char *org = asn_org(r->asn, e->asn);
        if (e->asn)
            outbuf_u64(o, e->asn);
        outbuf_putc(o, ',');
        if (org)
            esc_csv(o, org, strlen(org));
        put_time(o, e->first);
        put_time(o, e->last);
        put_time(o, e->expires);
        /* Where the entry comes from: today's evidence, the network rule,
         * the denylist, or the state file (no new evidence). */
        outbuf_printf(o, ",%s\n", e->flags & LF_DENY ? "denylist"
                      : e->flags & LF_STATE ? "state"
                      : e->d.cause == CAUSE_NET ? "network" : "evidence");
    }
}
