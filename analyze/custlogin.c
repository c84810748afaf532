/* One login's dispersion, outcome and novelty; see custlogin.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "custlogin.h"
#include "asn.h"
#include "custclass.h"
#include "rdns.h"
#include "xalloc.h"

/* A distinct client address of the login and what makes a place. */
struct addr {
    struct ipaddr ip;
    size_t first;               /* its first message (index into ob) */
    uint32_t asn;
    const char *family, *net;   /* "" if none */
    char cc[3];
    size_t parent;              /* union-find */
};

static int cmp_addr(const void *x, const void *y)
{
    const struct addr *a = x, *b = y;
    int d = ipaddr_cmp(&a->ip, &b->ip);
    return d ? d : a->first < b->first ? -1 : a->first > b->first;
}

static size_t root(struct addr *v, size_t i)
{
    while (v[i].parent != i)
        i = v[i].parent = v[v[i].parent].parent;
    return i;
}

static void unite(struct addr *v, size_t a, size_t b)
{
    a = root(v, a), b = root(v, b);
    if (a != b)                 /* the smaller index wins: deterministic roots */
        v[a > b ? a : b].parent = a < b ? a : b;
}

void custlogin_netstr(const struct ipaddr *ip, const struct cust_policy *p, char *buf)
{
    struct ipprefix pf;
    pf.len = (uint8_t)(ip->family == 4 ? p->v4_net : p->v6_net);
    pf.addr = ipaddr_mask(ip, pf.len);
    ipprefix_format(&pf, buf);
    if (strchr(buf, '/') == NULL)
        strcat(buf, ip->family == 4 ? "/32" : "/128");
}

/* Sorting helpers for the distinct counts: by one key, index order for ties. */
static const struct addr *sort_v;
static int sort_key;            /* 0 asn, 1 family, 2 net, 3 country */

static int cmp_by_key(const void *x, const void *y)
{
    const struct addr *a = &sort_v[*(const size_t *)x], *b = &sort_v[*(const size_t *)y];
    int d = 0;
    switch (sort_key) {
    case 0: d = a->asn < b->asn ? -1 : a->asn > b->asn; break;
    case 1: d = strcmp(a->family, b->family); break;
    case 2: d = strcmp(a->net, b->net); break;
    default: d = strcmp(a->cc, b->cc); break;
    }
    if (d)
        return d;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    return i < j ? -1 : i > j;
}

static bool key_empty(const struct addr *a, int key)
{
    return key == 0 ? a->asn == 0 : key == 1 ? a->family[0] == 0
        : key == 2 ? a->net[0] == 0 : a->cc[0] == 0;
}

static bool key_eq(const struct addr *a, const struct addr *b, int key)
{
    switch (key) {
    case 0: return a->asn == b->asn;
    case 1: return strcmp(a->family, b->family) == 0;
    case 2: return strcmp(a->net, b->net) == 0;
    default: return strcmp(a->cc, b->cc) == 0;
    }
}

/* Distinct non-empty values of key over v[0..n); equal ones joined into
 * one place unless key is the country. Fills the keep list (arena). */
static size_t distinct(struct addr *v, size_t n, int key, size_t *idx, const void ***list,
                       struct arena *mem)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    sort_v = v, sort_key = key;
    if (n > 1)
        qsort(idx, n, sizeof(*idx), cmp_by_key);
    if (list)
        *list = arena_alloc(mem, (n ? n : 1) * sizeof(**list));
    for (size_t i = 0; i < n; i++) {
        const struct addr *a = &v[idx[i]];
        if (key_empty(a, key))
            continue;
        if (i > 0 && !key_empty(&v[idx[i - 1]], key) && key_eq(a, &v[idx[i - 1]], key)) {
            if (key != 3)
                unite(v, idx[i], idx[i - 1]);
            continue;
        }
        if (list)
            (*list)[d] = key == 1 ? a->family : key == 2 ? a->net : a->cc;
        d++;
    }
    return d;
}

/* The login's distinct addresses with their keys; *nv of them. */
static struct addr *addresses(const size_t *msgs, size_t n, const struct custlogin_ctx *x,
                              size_t *nv)
{
    struct addr *v = xmalloc((n ? n : 1) * sizeof(*v));
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        const struct ob_msg *m = outbound_msg(x->ob, msgs[i]);
        if (m->ip.family)
            v[k++] = (struct addr){ .ip = m->ip, .first = msgs[i] };
    }
    if (k > 1)
        qsort(v, k, sizeof(*v), cmp_addr);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (u == 0 || ipaddr_cmp(&v[i].ip, &v[u - 1].ip) != 0)
            v[u++] = v[i];
    for (size_t i = 0; i < u; i++) {
        struct addr *a = &v[i];
        const struct ob_msg *m = outbound_msg(x->ob, a->first);
        char buf[256];
        a->parent = i;
        a->asn = x->asn ? asn_lookup(x->asn, &a->ip) : 0;
        if (x->geo)
            asn_country(x->geo, &a->ip, a->cc);
        a->family = "";
        if (m->client_host && rdns_family(span_make(m->client_host, strlen(m->client_host)),
                                          buf, sizeof(buf)))
            a->family = arena_strndup(x->mem, buf, strlen(buf));
        custlogin_netstr(&a->ip, x->p, buf);
        a->net = arena_strndup(x->mem, buf, strlen(buf));
    }
    *nv = u;
    return v;
}

/* The place (root address index) of message msg, or SIZE_MAX. */
static size_t place_of(struct addr *v, size_t nv, const struct ob_msg *m)
{
    size_t lo = 0, hi = nv;
    if (m->ip.family == 0)
        return SIZE_MAX;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = ipaddr_cmp(&v[mid].ip, &m->ip);
        if (d == 0)
            return root(v, mid);
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

static int cmp_cstr(const void *a, const void *b);

/* The place keys of address a (at most 4) into k (arena strings). */
static size_t addr_keys(const struct addr *a, const char **k, struct arena *mem)
{
    char buf[300];
    size_t n = 0;
    if (a->asn) {
        snprintf(buf, sizeof(buf), "a:%u", a->asn);
        k[n++] = arena_strndup(mem, buf, strlen(buf));
    }
    if (a->family[0]) {
        snprintf(buf, sizeof(buf), "f:%s", a->family);
        k[n++] = arena_strndup(mem, buf, strlen(buf));
    }
    snprintf(buf, sizeof(buf), "n:%s", a->net);
    k[n++] = arena_strndup(mem, buf, strlen(buf));
    if (a->cc[0]) {
        snprintf(buf, sizeof(buf), "c:%s", a->cc);
        k[n++] = arena_strndup(mem, buf, strlen(buf));
    }
    return n;
}

/* Novelty against the history and tonight's keys: a place is known when
 * one of its addresses' ASN, family or network keys is (not the
 * country: a country is too large to vouch for a place). */
static void novelty(struct cust_login *lg, struct addr *v, size_t nv,
                    const struct custlogin_ctx *x)
{
    const char **k = arena_alloc(x->mem, (4 * nv + 1) * sizeof(*k));
    bool *known = xcalloc(nv ? nv : 1, sizeof(*known));
    size_t n = 0;

    lg->have_history = custhist_known_entity(x->hist, CUSTHIST_LOGIN, lg->user);
    for (size_t i = 0; i < nv; i++) {
        size_t m = addr_keys(&v[i], k + n, x->mem);
        for (size_t j = 0; j < m && lg->have_history; j++)
            if (k[n + j][0] != 'c' && custhist_known(x->hist, CUSTHIST_LOGIN, lg->user, k[n + j]))
                known[root(v, i)] = true;
        n += m;
    }
    if (n > 1)
        qsort(k, n, sizeof(*k), cmp_cstr);
    lg->nkeys = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(k[i], k[i - 1]) != 0)
            k[lg->nkeys++] = k[i];
    lg->keys = k;
    for (size_t i = 0; i < nv && lg->have_history; i++)
        lg->new_places += root(v, i) == i && !known[i];
    free(known);
}

/* Dispersion: distinct keys, places, place changes within minutes, and
 * the first message of each place as evidence. */
static void dispersion(struct cust_login *lg, const size_t *msgs, size_t n,
                       const struct custlogin_ctx *x)
{
    size_t nv;
    struct addr *v = addresses(msgs, n, x, &nv);
    size_t *idx = xmalloc((nv ? nv : 1) * sizeof(*idx));
    const void **l;

    lg->ips = nv;
    /* ASNs */
    lg->asns = distinct(v, nv, 0, idx, NULL, x->mem);
    lg->families = distinct(v, nv, 1, idx, &l, x->mem);
    lg->family_list = (const char **)l, lg->nfamily_list = lg->families;
    lg->networks = distinct(v, nv, 2, idx, NULL, x->mem);
    lg->countries = distinct(v, nv, 3, idx, &l, x->mem);
    lg->country_list = (const char **)l, lg->ncountry_list = lg->countries;
    for (size_t i = 0; i < nv; i++)
        lg->places += root(v, i) == i;
    novelty(lg, v, nv, x);
    /* Place changes within minutes, and the first message of each place. */
    bool *seen = xcalloc(nv ? nv : 1, sizeof(*seen));
    size_t last = SIZE_MAX;
    int64_t last_ts = 0;
    lg->ev = arena_alloc(x->mem, (2 * x->nev + 1) * sizeof(*lg->ev));
    for (size_t i = 0; i < n; i++) {
        const struct ob_msg *m = outbound_msg(x->ob, msgs[i]);
        size_t pl = place_of(v, nv, m);
        if (pl == SIZE_MAX)
            continue;
        if (last != SIZE_MAX && pl != last && m->ts - last_ts <= x->p->concurrent_minutes * 60)
            lg->concurrent++;
        last = pl, last_ts = m->ts;
        if (!seen[pl] && lg->nev < x->nev)
            lg->ev[lg->nev++] = (struct cust_ref){ msgs[i], CUST_REF_MSG };
        seen[pl] = true;
    }
    free(seen);
    free(idx);
    free(v);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Busiest hour and the median active hour of the login's messages
 * (messages are in log order, so hours come in runs). */
static void hours(struct cust_login *lg, const size_t *msgs, size_t n,
                  const struct custlogin_ctx *x)
{
    uint32_t *per = xmalloc((n ? n : 1) * sizeof(*per));
    size_t np = 0;
    int64_t cur = INT64_MIN;

    for (size_t i = 0; i < n; i++) {
        int64_t ts = outbound_msg(x->ob, msgs[i])->ts;
        int64_t h = ts - ((ts % 3600) + 3600) % 3600;
        if (h != cur)
            per[np++] = 0, cur = h;
        lg->hour_mask |= 1u << (h / 3600 % 24);
        per[np - 1]++;
    }
    for (size_t i = 0; i < np; i++)
        if (per[i] > lg->peak)
            lg->peak = per[i];
    if (np > 1)
        qsort(per, np, sizeof(*per), cmp_u32);
    lg->median = np ? per[(np - 1) / 2] : 0;
    free(per);
}

static const char *domain_of(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    return at ? at + 1 : "";
}

/* Outcome: the login's attempts, refusals, recipient domains and volume. */
static void outcome(struct cust_login *lg, const size_t *msgs, size_t n,
                    const struct custlogin_ctx *x)
{
    const struct cust_policy *p = x->p;
    size_t nref = 0, cap = 0;
    const char **dom = NULL;
    size_t nd = 0, capd = 0;

    for (size_t i = 0; i < n; i++) {
        const struct ob_msg *m = outbound_msg(x->ob, msgs[i]);
        for (size_t k = 0; k < m->nd; k++) {
            const struct ob_delivery *d = &m->d[k];
            if (d->status == OB_OTHER)
                continue;
            lg->attempts++;
            dom = xgrow(dom, &capd, nd + 1, sizeof(*dom));
            dom[nd++] = domain_of(d->to);
            if (d->status == OB_SENT) {
                lg->sent++;
                continue;
            }
            lg->bounced += d->status == OB_BOUNCED;
            unsigned cls = custclass_reply(d->text, d->dsn);
            if (cls & RC_SPAMLIKE) {
                lg->spam++;
                if (nref < x->nev)
                    lg->ev[lg->nev + nref++] = (struct cust_ref){ msgs[i], k };
            }
            if ((cls & RC_UNKNOWN_RECIPIENT) && d->status == OB_BOUNCED)
                lg->unknown++;
        }
    }
    lg->nev += nref;
    (void)cap;
    if (nd > 1)
        qsort(dom, nd, sizeof(*dom), cmp_cstr);
    for (size_t i = 0; i < nd; i++)
        lg->rcpt_domains += dom[i][0] && (i == 0 || strcmp(dom[i], dom[i - 1]) != 0);
    free(dom);
    hours(lg, msgs, n, x);
    uint64_t final = lg->sent + lg->bounced;
    lg->bounce_rate = final ? (double)lg->bounced / (double)final : 0;

    if (p->spam_rejections[TIER_WATCH] > 0 && lg->spam >= p->spam_rejections[TIER_WATCH])
        lg->outcomes |= OUT_SPAM;
    if (final >= p->min_attempts && final > 0 && p->bounce_rate[TIER_WATCH] > 0
        && lg->bounce_rate >= p->bounce_rate[TIER_WATCH])
        lg->outcomes |= OUT_BOUNCE;
    if (p->invalid_rate_watch > 0 && lg->attempts
        && (double)lg->unknown / (double)lg->attempts >= p->invalid_rate_watch
        && lg->unknown >= p->invalid_min)
        lg->outcomes |= OUT_UNKNOWN;
    if (lg->peak >= p->spike_min && lg->peak > 0
        && lg->peak >= p->spike_factor * (lg->median ? lg->median : 1))
        lg->outcomes |= OUT_SPIKE;
    /* The day against the login's own nights. */
    lg->base_median = custhist_median(x->hist, CUSTHIST_LOGIN, lg->user, &lg->base_days);
    if (lg->base_days && (double)lg->messages >= p->spike_min
        && (double)lg->messages >= p->spike_factor * (lg->base_median > 1 ? lg->base_median : 1))
        lg->outcomes |= OUT_BASELINE;
    lg->unusual_hours = custhist_unusual_hours(x->hist, CUSTHIST_LOGIN, lg->user, lg->hour_mask);
}

void custlogin_build(struct cust_login *lg, const char *user, const size_t *msgs, size_t n,
                     const struct custlogin_ctx *x)
{
    memset(lg, 0, sizeof(*lg));
    lg->user = user;
    lg->messages = n;
    dispersion(lg, msgs, n, x);
    outcome(lg, msgs, n, x);
}

/* The highest tier whose threshold v reaches (0 disables a tier). */
static enum cust_tier level_of(double v, const double *th)
{
    for (int t = TIER_SUSPEND; t >= TIER_WATCH; t--)
        if (th[t] > 0 && v >= th[t])
            return (enum cust_tier)t;
    return TIER_OK;
}

size_t custlogin_places(const struct cust_login *lg)
{
    if (!lg->have_history)
        return lg->places;
    return lg->new_places + (lg->places > lg->new_places);
}

enum cust_tier custlogin_level(const struct cust_login *lg, const struct cust_policy *p)
{
    enum cust_tier d = level_of((double)custlogin_places(lg), p->compromise_places);

    if (d == TIER_OK
        && ((p->compromise_countries > 0 && lg->countries >= p->compromise_countries)
            || (p->compromise_concurrent > 0 && lg->concurrent >= p->compromise_concurrent)))
        d = TIER_WATCH;
    if (d == TIER_OK)
        return TIER_OK;
    if (lg->outcomes == 0)
        return TIER_WATCH;      /* dispersion alone: roaming, travel, CGNAT */
    return d < TIER_WARN ? TIER_WARN : d;
}
