/* Per-network and per-ASN tables and network escalation; see netagg.h. */
#include <stdlib.h>
#include <string.h>
#include "hugemem.h"
#include "msg.h"
#include "netagg.h"
#include "xalloc.h"

void netagg_init(struct netagg *na, const struct policy *p, struct cidrset *allow,
                 bool keep_all, size_t max_nets)
{
    memset(na, 0, sizeof(*na));
    na->cap = max_nets + 1;
    na->nets = hugemem_alloc(na->cap * sizeof(*na->nets));
    na->p = p;
    na->allow = allow;
    na->keep_all = keep_all;
    arena_init(&na->mem);
}

struct ipprefix netagg_net_of(const struct policy *p, const struct ipaddr *ip)
{
    unsigned len = ip->family == 4 ? p->net_v4 : p->net_v6;
    struct ipprefix n = { *ip, (uint8_t)len };

    /* Once per address and per network written out: IPv4 in one word. */
    if (ip->family == 4 && len <= 32) {
        uint32_t v = len ? ipaddr_v4(ip) & ~UINT32_C(0) << (32 - len) : 0;
        for (int i = 0; i < 4; i++)
            n.addr.b[i] = (uint8_t)(v >> (24 - 8 * i));
    } else {
        n.addr = ipaddr_mask(ip, len);
    }
    return n;
}

uint64_t netagg_key(const struct ipprefix *n)
{
    if (n->addr.family == 4)
        return ipaddr_v4(&n->addr) >> (32 - n->len);
    return ipaddr_v6_hi(&n->addr) >> (64 - n->len);
}

/* Every count of st: the counts it holds, whatever their classes. */
static uint64_t events_of(const struct ip_stats *st)
{
    uint64_t e = 0;

    for (unsigned i = 0, k = agg_popcount(st->mask); i < k; i++)
        e += st->cnt[i];
    return e;
}

/* A network that holds or lies in one of the trusted networks is never
 * listed whole: it would refuse the MTA's own clients. */
static bool holds_trusted(const struct policy *p, const struct ipprefix *net)
{
    for (unsigned i = 0; i < p->ntrusted; i++) {
        const struct ipprefix *t = &p->trusted[i];
        if (t->addr.family == net->addr.family
            && (ipprefix_contains(net, &t->addr) || ipprefix_contains(t, &net->addr)))
            return true;
    }
    return false;
}

/* The current network is complete: decide it, count it for its AS and
 * keep it if it says anything. */
static void net_done(struct netagg *na)
{
    const struct policy *p = na->p;
    struct net_stats *ns = &na->cur;
    bool by_count = ns->ips_listed >= p->net_min_listed;
    bool by_ratio = ns->ips_listed >= p->net_ratio_min_listed
        && ns->ips_listed >= p->net_ratio * ns->ips_seen;

    if (!p->net_escalate || (!by_count && !by_ratio))
        ns->status = NET_NONE;
    else if ((na->allow && cidrset_overlaps(na->allow, &ns->pfx)) || holds_trusted(p, &ns->pfx))
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
    na->nseen++;
    if (!na->keep_all && ns->status == NET_NONE && ns->ips_listed
        && ns->ips_listed == ns->ips_seen) {
        if (na->cur_listed > UINT32_MAX)
            msg_fatal("netagg: more than %u addresses listed", UINT32_MAX);
        na->singles = xgrow(na->singles, &na->singles_cap, na->nsingles + 1,
                            sizeof(*na->singles));
        na->singles[na->nsingles++] = (uint32_t)na->cur_listed;
    } else if (ns->ips_listed || ns->status != NET_NONE || na->keep_all) {
        na->nets = hugemem_grow(na->nets, &na->cap, na->nnets + 1, sizeof(*na->nets));
        na->nets[na->nnets++] = *ns;
    }
    na->have_cur = false;
}

void netagg_add(struct netagg *na, const struct ipaddr *ip, const struct ip_stats *st,
                const struct decision *d, bool listed)
{
    struct ipprefix n = netagg_net_of(na->p, ip);
    struct net_stats *ns = &na->cur;
    uint64_t ev = events_of(st);

    if (!na->have_cur || ns->pfx.len != n.len || ipaddr_cmp(&ns->pfx.addr, &n.addr) != 0) {
        if (na->have_cur)
            net_done(na);
        memset(ns, 0, sizeof(*ns));
        ns->pfx = n;
        ns->asn = st->asn;      /* addresses come in order: the lowest */
        ns->first = INT64_MAX;
        ns->last = INT64_MIN;
        na->cur_listed = na->nlisted;
        na->have_cur = true;
    }
    ns->ips_seen++;
    ns->events += ev;
    if (d->score < 0)
        ns->ips_good++;
    if (listed) {
        na->nlisted++;
        ns->ips_listed++;
        ns->score += d->score;
        int64_t first = ip_stats_ev_first(st), last = ip_stats_ev_last(st);
        if (first < ns->first)
            ns->first = first;
        if (last != INT64_MIN && last > ns->last)
            ns->last = last;
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

void netagg_finish(struct netagg *na)
{
    if (na->have_cur)
        net_done(na);
    free(na->asv);
    na->nasv = 0;
    na->asv = xcalloc(agg_map_count(na->asns) + 1, sizeof(*na->asv));
    uint64_t k = 0;
    void *v;
    for (bool first = true; agg_map_next(na->asns, &k, &v, first); first = false)
        na->asv[na->nasv++] = v;
}

void netagg_single_add(struct net_stats *ns, const struct ipprefix *net,
                       const struct ip_stats *st, bool good)
{
    if (ns->ips_seen == 0)
        *ns = (struct net_stats){ .pfx = *net, .status = NET_NONE, .asn = st->asn };
    ns->ips_seen++;
    ns->ips_listed++;
    ns->ips_good += good;
    ns->events += events_of(st);
}

bool netagg_find(const struct netagg *na, const struct ipaddr *ip, struct net_stats *out)
{
    struct ipprefix n = netagg_net_of(na->p, ip);
    size_t lo = 0, hi = na->nnets;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ipprefix_cmp(&na->nets[mid].pfx, &n);
        if (c == 0) {
            *out = na->nets[mid];
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

void netagg_keep(struct netagg *na, const struct net_stats *ns)
{
    if (na->nnets && ipprefix_cmp(&na->nets[na->nnets - 1].pfx, &ns->pfx) > 0)
        na->unsorted = true;
    na->nets = hugemem_grow(na->nets, &na->cap, na->nnets + 1, sizeof(*na->nets));
    na->nets[na->nnets++] = *ns;
}

static int cmp_net(const void *a, const void *b)
{
    return ipprefix_cmp(&((const struct net_stats *)a)->pfx, &((const struct net_stats *)b)->pfx);
}

void netagg_sort(struct netagg *na)
{
    /* The prefixes are distinct: any sort gives the one order. */
    if (na->unsorted)
        qsort(na->nets, na->nnets, sizeof(*na->nets), cmp_net);
    na->unsorted = false;
}

void netagg_singles_done(struct netagg *na)
{
    free(na->singles);
    na->singles = NULL;
    na->nsingles = na->singles_cap = 0;
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
    agg_map_free(&na->asns);
    free(na->nets);
    free(na->singles);
    free(na->asv);
    arena_free(&na->mem);
    memset(na, 0, sizeof(*na));
}
