/*
 * ipset: `ipset restore < fw.ipset` fills a fresh set beside the live one
 * and swaps them; restore itself is not atomic, the swap is. maxelem is
 * the entry count rounded up to a power of two (at least 65536) so it only
 * changes when the listing grows past one: ipset's create -exist accepts
 * an existing set only with the same maxelem.
 */
#include <string.h>
#include "export.h"
#include "ipaddr.h"

static void one_set(struct outbuf *o, const char *name, const char *family,
                    const struct cidr_list *c)
{
    unsigned long maxelem = 65536, hashsize = 1024;

    while (maxelem < 2 * c->n)
        maxelem *= 2;
    while (hashsize < c->n / 4 && hashsize < maxelem)
        hashsize *= 2;
    outbuf_printf(o, "create %s hash:net family %s hashsize %lu maxelem %lu -exist\n",
                  name, family, hashsize, maxelem);
    outbuf_printf(o, "create %s-new hash:net family %s hashsize %lu maxelem %lu -exist\n",
                  name, family, hashsize, maxelem);
    outbuf_printf(o, "flush %s-new\n", name);
    size_t nl = strlen(name);
    for (size_t i = 0; i < c->n; i++) {
        outbuf_write(o, "add ", 4);
        outbuf_write(o, name, nl);
        outbuf_write(o, "-new ", 5);
        /* hash:net stores host entries as /32 (/128) anyway; say so. */
        outbuf_ipaddr(o, &c->v[i].addr);
        outbuf_putc(o, '/');
        outbuf_u64(o, c->v[i].len);
        outbuf_putc(o, '\n');
    }
    outbuf_printf(o, "swap %s-new %s\n", name, name);
    outbuf_printf(o, "destroy %s-new\n", name);
}

void export_ipset(struct outbuf *o, const struct export_ctx *x)
{
    outbuf_printf(o, "# written by rblforge: %zu IPv4 and %zu IPv6 prefixes\n"
                  "# load with: ipset restore < fw.ipset\n", x->z->fw4.n, x->z->fw6.n);
    one_set(o, x->p->ipset_set4, "inet", &x->z->fw4);
    one_set(o, x->p->ipset_set6, "inet6", &x->z->fw6);
}
