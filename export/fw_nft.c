/*
 * nftables: declare the table and interval sets (a no-op when they exist),
 * flush them and add the elements. `nft -f` applies a file as one
 * transaction, so the sets never appear empty or half-filled.
 */
#include <string.h>
#include "export.h"
#include "ipaddr.h"

static void elements(struct outbuf *o, const struct listings *l,
                     const struct policy *p, int family, const char *set)
{
    char ip[IPPREFIX_STRLEN];
    size_t k = 0;
    const struct ipprefix *cover = NULL;

    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].pfx.addr.family != family)
            continue;
        /* An escalated network comes before the addresses inside it (the
         * listings are sorted so); interval sets refuse overlaps. */
        if (cover && ipprefix_contains(cover, &l->v[i].pfx.addr))
            continue;
        cover = &l->v[i].pfx;
        if (k == 0)
            outbuf_printf(o, "add element %s %s %s {\n", p->nft_family,
                          p->nft_table, set);
        outbuf_printf(o, "%s\t%s", k ? ",\n" : "", ipprefix_format(&l->v[i].pfx, ip));
        k++;
    }
    if (k)
        outbuf_puts(o, "\n}\n");
}

void export_nft(struct outbuf *o, const struct listings *l, const struct policy *p)
{
    bool v4 = strcmp(p->nft_family, "ip6") != 0;
    bool v6 = strcmp(p->nft_family, "ip") != 0;

    outbuf_puts(o, "#!/usr/sbin/nft -f\n# written by rblforge; load with: nft -f fw.nft\n");
    outbuf_printf(o, "table %s %s {\n", p->nft_family, p->nft_table);
    if (v4)
        outbuf_printf(o, "\tset %s {\n\t\ttype ipv4_addr\n\t\tflags interval\n\t}\n",
                      p->nft_set4);
    if (v6)
        outbuf_printf(o, "\tset %s {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n",
                      p->nft_set6);
    outbuf_puts(o, "}\n");
    if (v4)
        outbuf_printf(o, "flush set %s %s %s\n", p->nft_family, p->nft_table, p->nft_set4);
    if (v6)
        outbuf_printf(o, "flush set %s %s %s\n", p->nft_family, p->nft_table, p->nft_set6);
    if (v4)
        elements(o, l, p, 4, p->nft_set4);
    if (v6)
        elements(o, l, p, 6, p->nft_set6);
}
