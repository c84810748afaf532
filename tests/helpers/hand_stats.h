/*
 * Address records built by hand, for tests that need one without a table:
 * room for every class, so counts can be set in any order. Free with free().
 */
#ifndef RBLFORGE_HAND_STATS_H
#define RBLFORGE_HAND_STATS_H
#include <stdlib.h>
#include <string.h>
#include "agg.h"

static inline struct ip_stats *hand_stats_new(void)
{
    struct ip_stats *st = calloc(1, sizeof(*st) + 2 * sizeof(int64_t) + AC__COUNT * sizeof(uint32_t));

    if (st == NULL)
        abort();
    st->cap = 8 + 2 * AC__COUNT;
    st->wide = true;            /* any count fits (behind the evidence times) */
    return st;
}

/* Sets class c's count to v, repacking the counts in class order. */
static inline void hand_stats_set(struct ip_stats *st, enum agg_class c, uint32_t v)
{
    uint32_t n[AC__COUNT];
    unsigned k = 0;

    for (int i = 0; i < AC__COUNT; i++)
        n[i] = ip_stats_n(st, i);
    n[c] = v;
    st->mask = 0;
    for (int i = 0; i < AC__COUNT; i++)
        if (n[i])
            st->mask |= UINT32_C(1) << i, memcpy(&st->cnt[8 + 2 * k++], &n[i], sizeof(n[i]));
}

#endif
