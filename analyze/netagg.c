/* Per-network and per-ASN tables and network escalation; see netagg.h. */
#include <stdlib.h>
#include <string.h>
#include "hugemem.h"
#include "netagg.h"
#include "xalloc.h"

/* Network records come from large chunks rather than the arena: there
 * are about as many networks as addresses, and large chunks can sit on
 * huge pages (see hugemem.h). */
struct netagg_chunk {
    struct netagg_chunk *next;
    size_t used, cap;
    struct net_stats v[];
};

enum { CHUNK_BYTES = 4 * 1024 * 1024 };

static struct net_stats *net_new(struct netagg *na)
{
    struct netagg_chunk *c = na->chunks;

    if (c == NULL || c->used == c->cap) {
        c = hugemem_alloc(CHUNK_BYTES);
        c->next = na->chunks;
        c->used = 0;
        c->cap = (CHUNK_BYTES - sizeof(*c)) / sizeof(c->v[0]);
        na->chunks = c;
    }
    struct net_stats *ns = &c->v[c->used++];
    memset(ns, 0, sizeof(*ns));
    return ns;
}

void netagg_init(struct netagg *na)
{
    memset(na, 0, sizeof(*na));
    arena_init(&na->mem);
}

struct ipprefix netagg_net_of(const struct policy *p, const struct ipaddr *ip)
{
    unsigned len = ip->family == 4 ? p->net_v4 : p->net_v6;
    struct ipprefix n = { ipaddr_mask(ip, len), (uint8_t)len };

    return n;
}

uint64_t netagg_key(const struct ipprefix *n)
{
    if (n->addr.family == 4)
        return ipaddr_v4(&n->addr) >> (32 - n->len);
    return ipaddr_v6_hi(&n->addr) >> (64 - n->len);
}

static uint64_t events_of(const struct ip_stats *st)
{
    uint32_t n[AC__COUNT];
    uint64_t e = 0;

    ip_stats_counts(st, n);
    for (int k = 0; k < AC__COUNT; k++)
        e += n[k];
    return e;
}

void netagg_add(struct netagg *na, const struct policy *p, const struct ip_stats *st,
                const struct decision *d, bool listed)
{
    struct ipprefix n = netagg_net_of(p, &st->ip);
    struct net_stats *ns = na->last_net;
    uint64_t ev = events_of(st);

    if (ns == NULL || ns->pfx.len != n.len || ipaddr_cmp(&ns->pfx.addr, &n.addr) != 0) {
        void **slot = agg_map_ins(n.addr.family == 4 ? &na->v4 : &na->v6, netagg_key(&n));
        ns = *slot;
        if (ns == NULL) {
            *slot = ns = net_new(na);
            ns->pfx = n;
            ns->asn = st->asn;  /* the walk is in address order: the lowest */
            ns->first = INT64_MAX;
            ns->last = INT64_MIN;
        }
        na->last_net = ns;
    }
    ns->ips_seen++;
    ns->events += ev;
    if (d->score < 0)
        ns->ips_good++;
    if (listed) {
        ns->ips_listed++;
        ns->score += d->score;
        if (st->ev_first_ts < ns->first)
            ns->first = st->ev_first_ts;
        if (st->ev_last_ts != INT64_MIN && st->ev_last_ts > ns->last)
            ns->last = st->ev_last_ts;
    }
    if (st->asn) {
        struct asn_stats *a = na->last_as;
        if (a == NULL || a->asn != st->asn) {
            void **as = agg_map_ins(&na->asns, st->asn);
            a = *as;
            if (a == NULL) {
                *as = a = arena_alloc(&na->mem, sizeof(*a));
                a->asn = st->asn;
            }
            na->last_as = a;
        }
        a->events += ev;
        a->ips_seen++;
        a->ips_listed += listed;
    }
}

static void collect(struct netagg *na, agg_map m, const struct policy *p,
                    struct cidrset *allow)
{
    uint64_t k = 0;
    void *v;

    for (bool first = true; agg_map_next(m, &k, &v, first); first = false) {
        struct net_stats *ns = v;
        bool by_count = ns->ips_listed >= p->net_min_listed;
        bool by_ratio = ns->ips_listed >= p->net_ratio_min_listed
            && ns->ips_listed >= p->net_ratio * ns->ips_seen;
        if (!p->net_escalate || (!by_count && !by_ratio))
            ns->status = NET_NONE;
        else if (allow && cidrset_overlaps(allow, &ns->pfx))
            ns->status = NET_HELD_ALLOWLIST;
        else if (p->net_spare_good && ns->ips_good)
            ns->status = NET_HELD_GOOD;
        else
            ns->status = NET_ESCALATED;
        if (ns->status == NET_ESCALATED && ns->asn) {
            struct asn_stats *a = agg_map_get(na->asns, ns->asn);
            if (a)
                a->nets_listed++;
        }
        na->nets[na->nnets++] = ns;     /* sized by netagg_finish */
    }
}

void netagg_finish(struct netagg *na, const struct policy *p, struct cidrset *allow)
{
    size_t n4 = agg_map_count(na->v4), n6 = agg_map_count(na->v6);

    free(na->nets);
    na->nets = xcalloc(n4 + n6 + 1, sizeof(*na->nets));
    na->nnets = 0;
    /* Judy visits keys in order and IPv4 comes first: already sorted. */
    collect(na, na->v4, p, allow);
    collect(na, na->v6, p, allow);
    na->nasv = 0;
    na->asv = xcalloc(agg_map_count(na->asns) + 1, sizeof(*na->asv));
    uint64_t k = 0;
    void *v;
    for (bool first = true; agg_map_next(na->asns, &k, &v, first); first = false)
        na->asv[na->nasv++] = v;
}

const struct net_stats *netagg_find(const struct netagg *na, const struct policy *p,
                                    const struct ipaddr *ip)
{
    struct ipprefix n = netagg_net_of(p, ip);

    return agg_map_get(n.addr.family == 4 ? na->v4 : na->v6, netagg_key(&n));
}

const char *netagg_status_name(enum net_status s)
{
    switch (s) {
    case NET_ESCALATED: return "yes";
    case NET_HELD_ALLOWLIST: return "held:allowlisted";
    case NET_HELD_GOOD: return "held:good-mail";
    default: return "no";
    }
}

void netagg_free(struct netagg *na)
{
    agg_map_free(&na->v4);
    agg_map_free(&na->v6);
    agg_map_free(&na->asns);
    free(na->nets);
    free(na->asv);
    arena_free(&na->mem);
    for (struct netagg_chunk *c = na->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    memset(na, 0, sizeof(*na));
}
