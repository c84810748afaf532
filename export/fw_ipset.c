/*
 * ipset: `ipset restore < fw.ipset` fills a fresh set beside the live one
 * and swaps them; restore itself is not atomic, the swap is. maxelem is
 * the entry count rounded up to a power of two (at least 65536) so it only
 * changes when the listing grows past one: ipset's create -exist accepts
 * an existing set only with the same maxelem.
 */
#include <string.h>
#include "fw_ipset.h"
#include "ipaddr.h"

struct adds {
    struct outbuf *o;
    const char *name;
    size_t nname;
};

static void add_one(const struct ipprefix *p, void *ctx)
{
    struct adds *a = ctx;

    outbuf_write(a->o, "add ", 4);
    outbuf_write(a->o, a->name, a->nname);
    outbuf_write(a->o, "-new ", 5);
    /* hash:net stores host entries as /32 (/128) anyway; say so. */
    outbuf_ipaddr(a->o, &p->addr);
    outbuf_putc(a->o, '/');
    outbuf_u64(a->o, p->len);
    outbuf_putc(a->o, '\n');
}

static void one_set(struct outbuf *o, const char *name, const char *family,
                    const struct zonedata *z, int fam)
{
    unsigned long maxelem = 65536, hashsize = 1024;
    size_t n = fam == 4 ? z->nfw4 : z->nfw6;

    while (maxelem < 2 * n)
        maxelem *= 2;
    while (hashsize < n / 4 && hashsize < maxelem)
        hashsize *= 2;
    outbuf_printf(o, "create %s hash:net family %s hashsize %lu maxelem %lu -exist\n",
                  name, family, hashsize, maxelem);
    outbuf_printf(o, "create %s-new hash:net family %s hashsize %lu maxelem %lu -exist\n",
                  name, family, hashsize, maxelem);
    outbuf_printf(o, "flush %s-new\n", name);
    struct adds a = { o, name, strlen(name) };
    zonedata_fw_each(z, fam, add_one, &a);
    outbuf_printf(o, "swap %s-new %s\n", name, name);
    outbuf_printf(o, "destroy %s-new\n", name);
}

void fw_ipset_write(struct outbuf *o, const struct export_ctx *x)
{
    outbuf_printf(o, "# written by rblforge: %zu IPv4 and %zu IPv6 prefixes\n"
                  "# load with: ipset restore < fw.ipset\n", x->z->nfw4, x->z->nfw6);
    one_set(o, x->p->ipset_set4, "inet", x->z, 4);
    one_set(o, x->p->ipset_set6, "inet6", x->z, 6);
}
