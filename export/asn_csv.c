/* asn.csv: per origin AS counts (needs an ASN database). */
#include <string.h>
#include "asn_csv.h"
#include "escape.h"

void asn_csv_write(struct outbuf *o, const struct export_ctx *r)
{
    const struct netagg *na = &r->l->nets;

    outbuf_puts(o, "asn,org,events,ips_seen,ips_listed,nets_listed\n");
    for (size_t i = 0; i < na->nasv; i++) {
        const struct asn_stats *a = na->asv[i];
        const char *org = asn_org(r->asn, a->asn);
        outbuf_u64(o, a->asn);
        outbuf_putc(o, ',');
        if (org)
            esc_csv(o, org, strlen(org));
        outbuf_putc(o, ',');
        outbuf_u64(o, a->events);
        outbuf_printf(o, ",%u,%u,%u\n", a->ips_seen, a->ips_listed, a->nets_listed);
    }
}
