/* The customer-report writers' input: the day's listing summary. */
#include <string.h>
#include "custview.h"

void custview_listing_from(struct custview_listing *s, const struct listings *l)
{
    memset(s, 0, sizeof(*s));
    if (l == NULL)
        return;
    s->have = true;
    s->l = l;
    s->seen = l->seen;
    s->listed = l->n;
    s->allowlisted = l->nallowed;
    for (size_t i = 0; i < l->n; i++)
        if ((unsigned)l->v[i].d.cause < CAUSE__COUNT)
            s->by_cause[l->v[i].d.cause]++;
}
