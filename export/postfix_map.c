/* Postfix cidr tables of the listing; see postfix_map.h. */
#include <stdlib.h>
#include <string.h>
#include "postfix_map.h"
#include "ipaddr.h"
#include "xalloc.h"
#include "zone_rbldnsd.h"

enum { HOLE = CAUSE__COUNT, DUNNO };    /* kinds besides the causes */

struct line {
    struct ipprefix pfx;
    uint8_t kind;               /* a cause, HOLE (client) or DUNNO (postscreen) */
};

/* First-match order: IPv4 first, then the longest prefixes, then by
 * address; a hole before a listing of the same prefix. */
static int cmp_line(const void *a, const void *b)
{
    const struct line *x = a, *y = b;

    if (x->pfx.addr.family != y->pfx.addr.family)
        return x->pfx.addr.family < y->pfx.addr.family ? -1 : 1;
    if (x->pfx.len != y->pfx.len)
        return x->pfx.len > y->pfx.len ? -1 : 1;
    int c = ipprefix_cmp(&x->pfx, &y->pfx);
    return c ? c : (x->kind > y->kind) - (x->kind < y->kind);
}

/* Whether each zone entry sits inside another one: z->e is in prefix
 * order and prefixes nest or are disjoint, so the entries open at a point
 * form a chain on a stack. */
static bool *nested(const struct zonedata *z)
{
    bool *in = xcalloc(z->n ? z->n : 1, sizeof(*in));
    const struct ipprefix *stack[129];
    size_t sp = 0;

    for (size_t i = 0; i < z->n; i++) {
        const struct ipprefix *p = &z->e[i].pfx;
        while (sp && !ipprefix_contains(stack[sp - 1], &p->addr))
            sp--;
        in[i] = sp > 0;
        if (sp < sizeof(stack) / sizeof(stack[0]))
            stack[sp++] = p;
    }
    return in;
}

static void header(struct outbuf *o, const char *what, size_t n)
{
    outbuf_printf(o, "# Postfix cidr_table written by rblforge: %zu entries; %s.\n"
                  "# Postfix takes the first matching line: longest prefixes come first.\n",
                  n, what);
}

void postfix_map_client_write(struct outbuf *o, const struct export_ctx *x)
{
    const struct zonedata *z = x->z;
    size_t n = 0;
    struct line *v = xmalloc((z->n + z->excl.n + 1) * sizeof(*v));
    char pfx[IPPREFIX_STRLEN], txt[256];

    for (size_t i = 0; i < z->excl.n; i++)
        v[n++] = (struct line){ z->excl.v[i], HOLE };
    for (size_t i = 0; i < z->n; i++)
        v[n++] = (struct line){ z->e[i].pfx, z->e[i].cause };
    qsort(v, n, sizeof(*v), cmp_line);
    header(o, "use with check_client_access cidr:/PATH/client_access.cidr", n);
    for (size_t i = 0; i < n; i++) {
        size_t k = ipprefix_text(&v[i].pfx, pfx);
        outbuf_write(o, pfx, k);
        if (v[i].kind == HOLE) {
            outbuf_puts(o, " DUNNO\n");
            continue;
        }
        /* The zone's TXT of the cause (validated printable ASCII, no
         * quotes), its '$' naming the prefix. */
        zone_rbldnsd_txt(x->p, (enum cause)v[i].kind, pfx, txt);
        outbuf_puts(o, v[i].kind == CAUSE_DYNAMIC ? " 450 4.7.1 " : " REJECT 5.7.1 ");
        outbuf_puts(o, txt);
        outbuf_putc(o, '\n');
    }
    free(v);
}

void postfix_map_postscreen_write(struct outbuf *o, const struct export_ctx *x)
{
    const struct zonedata *z = x->z;
    bool *in = nested(z);
    size_t n = 0, nallow = z->allowed.n;
    struct line *v = xmalloc((z->n + nallow + 1) * sizeof(*v));

    for (size_t i = 0; i < nallow; i++)
        v[i] = (struct line){ z->allowed.v[i], HOLE };
    qsort(v, nallow, sizeof(*v), cmp_line);
    n = nallow;
    /* A dynamic entry alone needs no line (no match is no verdict); one
     * inside a rejected network needs dunno to stop the search there. */
    for (size_t i = 0; i < z->n; i++)
        if (z->e[i].cause != CAUSE_DYNAMIC)
            v[n++] = (struct line){ z->e[i].pfx, z->e[i].cause };
        else if (in[i])
            v[n++] = (struct line){ z->e[i].pfx, DUNNO };
    qsort(v + nallow, n - nallow, sizeof(*v), cmp_line);
    header(o, "use with postscreen_access_list = permit_mynetworks, "
           "cidr:/PATH/postscreen_access.cidr", n);
    for (size_t i = 0; i < n; i++) {
        outbuf_ipprefix(o, &v[i].pfx);
        outbuf_puts(o, v[i].kind == HOLE ? " permit\n" : v[i].kind == DUNNO ? " dunno\n"
                    : " reject\n");
    }
    free(in);
    free(v);
}
