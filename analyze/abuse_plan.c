/* The sources of the abuse reports and their contacts; see abuse_plan.h. */
#include <stdlib.h>
#include <string.h>
#include "abuse_plan.h"
#include "xalloc.h"

bool abuse_source(const struct listing *e, bool with_state)
{
    return e->st && !(e->flags & (LF_DENY | LF_STATE))
        && e->pfx.len == (e->pfx.addr.family == 4 ? 32 : 128)
        && (!with_state || (e->flags & LF_NEW));
}

static int cmp_item(const void *x, const void *y)
{
    const struct abuse_item *a = *(const struct abuse_item *const *)x;
    const struct abuse_item *b = *(const struct abuse_item *const *)y;
    int r = strcmp(a->c->email, b->c->email);

    return r ? r : (a > b) - (a < b);     /* v is in listing order */
}

void abuse_plan_build(struct abuse_plan *p, const struct listings *l,
                      const struct abuse_contacts *c, bool with_state)
{
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < l->n; i++)
        p->n += abuse_source(&l->v[i], with_state);
    p->v = xcalloc(p->n ? p->n : 1, sizeof(*p->v));
    p->by_contact = xcalloc(p->n ? p->n : 1, sizeof(*p->by_contact));
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct listing *e = &l->v[i];
        if (!abuse_source(e, with_state))
            continue;
        struct abuse_item *it = &p->v[k++];
        struct listing_more m;
        listings_more(l, e, &m);
        it->e = e;
        it->first = m.first;
        it->last = m.last;
        it->c = c ? abuse_contacts_lookup(c, &e->pfx.addr, m.asn, &it->via) : NULL;
        if (it->c)
            p->by_contact[p->with_contact++] = it;
    }
    qsort(p->by_contact, p->with_contact, sizeof(*p->by_contact), cmp_item);
}

size_t abuse_plan_group_end(const struct abuse_plan *p, size_t i)
{
    size_t j = i + 1;

    while (j < p->with_contact && strcmp(p->by_contact[j]->c->email,
                                         p->by_contact[i]->c->email) == 0)
        j++;
    return j;
}

void abuse_plan_free(struct abuse_plan *p)
{
    free(p->v);
    free(p->by_contact);
    memset(p, 0, sizeof(*p));
}
