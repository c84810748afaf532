/* listings.csv: the day's listed addresses with their evidence. */
#include <string.h>
#include "export.h"
#include "escape.h"
#include "ipaddr.h"
#include "tstamp.h"

void export_listings_csv(struct outbuf *o, const struct export_ctx *x)
{
    const struct listings *l = x->l;
    char ip[IPPREFIX_STRLEN], t1[32], t2[32];

    outbuf_puts(o, "address,cause,score,auth_score");
    for (int k = 0; k < AC__COUNT; k++) {
        outbuf_putc(o, ',');
        outbuf_puts(o, agg_class_name(k));
    }
    outbuf_puts(o, ",rdns,first_seen,last_seen\n");
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        const struct ip_stats *st = e->st;
        outbuf_printf(o, "%s,%s,%g,%g", ipprefix_format(&e->pfx, ip),
                      policy_cause_name(e->d.cause), e->d.score, e->d.auth_score);
        for (int k = 0; k < AC__COUNT; k++) {
            outbuf_putc(o, ',');
            if (st)
                outbuf_u64(o, st->n[k]);
        }
        outbuf_putc(o, ',');
        t1[0] = t2[0] = 0;
        if (st && st->rdns)
            esc_csv(o, st->rdns, strlen(st->rdns));
        else if (st && st->rdns_unknown)
            outbuf_puts(o, "unknown");
        if (st && st->first != INT64_MAX)
            tstamp_format(st->first, 0, t1), tstamp_format(st->last, 0, t2);
        outbuf_printf(o, ",%s,%s\n", t1, t2);
    }
}
