/* networks.csv: per-network counts and the escalation decision. */
#include <string.h>
#include "networks_csv.h"
#include "escape.h"
#include "ipaddr.h"

void networks_csv_write(struct outbuf *o, const struct export_ctx *r)
{
    struct netagg_iter it = { 0 };
    struct net_stats n;

    outbuf_puts(o, "net,ips_seen,ips_listed,ips_good,events,asn,as_org,escalated\n");
    while (listings_net_next(r->l, &it, &n)) {
        const struct net_stats *ns = &n;
        /* Networks with nothing listed are most of them and say nothing. */
        if (ns->ips_listed == 0)
            continue;
        outbuf_ipprefix(o, &ns->pfx);
        uint32_t v[3] = { ns->ips_seen, ns->ips_listed, ns->ips_good };
        for (int k = 0; k < 3; k++) {
            outbuf_putc(o, ',');
            outbuf_u64(o, v[k]);
        }
        outbuf_putc(o, ',');
        outbuf_u64(o, ns->events);
        outbuf_putc(o, ',');
        if (ns->asn)
            outbuf_u64(o, ns->asn);
        outbuf_putc(o, ',');
        const char *org = asn_org(r->asn, ns->asn);
        if (org)
            esc_csv(o, org, strlen(org));
        outbuf_putc(o, ',');
        outbuf_puts(o, netagg_status_name(ns->status));
        outbuf_putc(o, '\n');
    }
}
