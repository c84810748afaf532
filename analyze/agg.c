/* Per-address evidence tables: IPv4 in a hash, IPv6 in Judy arrays; see agg.h. */
#include <string.h>
#include <stddef.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <Judy.h>
#include "agg.h"
#include "hugemem.h"
#include "judy_mem.h"
#include "arena.h"
#include "xalloc.h"
#include "msg.h"

/* The IPv4 records used last, direct-mapped by a hash of the address: a
 * client's lines (connect, rejects, disconnect) come close together, and
 * a hit here is one load instead of a probe into an index far larger
 * than the caches. 64 KiB. */
enum { RECENT_BITS = 12 };
/* Room for counts in a record agg_add creates. Nearly every address has
 * two classes or more (connect, then a reject or a lost connection), and
 * 40 bytes hold three: starting with room for one moved almost every
 * record once and saved no memory. */
enum { NEW_CAP = 3 };
/* A wide record's counts start behind its two 64-bit evidence times. */
enum { WIDE_UNITS = 2 * sizeof(int64_t) / sizeof(uint16_t) };
struct recent {
    uint32_t key;
    struct ip_stats *st;
};
/* The same for IPv6 (RECENT6_BITS, 24 KiB): its Judy lookup is two,
 * nested, some 550 instructions. */
enum { RECENT6_BITS = 10 };
struct recent6 {
    uint64_t hi, lo;
    struct ip_stats *st;
};

/* A record that outgrew its place waits here for a new one of its size,
 * linked through its first bytes. */
struct free_rec {
    struct free_rec *next;
    uint32_t ref;               /* its name (see rec_at) */
};

struct qvec {
    struct agg_qline *v;
    size_t n, cap;
};

/* A chunk's client= lines not yet taken by qmgr, by key: open addressing
 * with linear probing, the lines in the slots (ip.family 0: empty). qmgr
 * takes a message a few lines after its client= line: a handful are open
 * at a time (at most 4 at a chunk's end on the bench file), so it starts
 * small enough to stay in L1; it grows for bursts. Emptied each chunk. */
struct qtab {
    struct agg_qline *v;
    size_t n, mask;             /* mask: slots - 1, a power of two less one */
};

/* The IPv4 index: open addressing with linear probing, an address and
 * its record's name a slot (ref 0: empty). A lookup is a multiply and a
 * compare or two in one cache line, where JudyLIns took some 600
 * instructions. 8 bytes a slot, at most three quarters full: 11 to 21
 * bytes an address, against Judy's 12 or so. */
struct hslot {
    uint32_t key;
    uint32_t ref;
};

struct hindex {
    struct hslot *v;
    size_t n, mask;
    unsigned shift;             /* 64 - log2(slots) */
    /* The hash: the top bits of key * mul, an odd multiplier of the
     * table's own. A table merged into another is read in slot order:
     * with one hash for both, its keys would come in the order of the
     * other's homes, and pile up into one long run behind its first
     * ones wherever the other is nearly empty or has just grown (a merge
     * into a fresh table took 4.6 times JudyLIns' instructions). */
    uint64_t mul;
};

struct agg {
    bool no_index;              /* agg_drop_index was called */
    bool sealed;                /* agg_seal was called: h freed, view kept */
    /* The IPv4 index in address order, built by the first walk that
     * wants the order and dropped when the index changes. */
    struct sealed *view;
    Pvoid_t v6;                 /* JudyL: high 64 bits -> JudyL: low 64 -> stats */
    size_t count;
    struct arena mem;           /* records, aligned */
    struct arena names;         /* hostnames, unaligned: apart, no padding before records */
    struct recent *recent;      /* agg_add's cache, allocated on first use */
    struct recent6 *recent6;    /* ... and its IPv6 one */
    size_t pre;                 /* bytes before each record: its evidence lines, or 0 */
    struct free_rec *free[WIDE_UNITS + 2 * AC__COUNT + 4];      /* by cap (see cap_for) */
    struct agg_pos rdns_hi;     /* no stored hostname is from a later line */
    const struct agg_conf *conf;        /* own zones; NULL = none */
    /* Queue-ID pairing (see agg_settle): this chunk's client= lines not
     * yet taken by qmgr, by key; and what earlier chunks left unpaired. */
    struct qtab qclient;
    struct qvec pend;           /* unpaired, from earlier chunks and merges */
    struct hindex h;            /* the IPv4 index; h.v NULL until the first */
    /* The arena blocks records are named by: blk[i] is block i's first
     * byte (blk[0] is none, so that no record is named 0). */
    char **blk;
    size_t nblk, blk_cap;
    size_t blk_size;            /* bytes of the last block */
    /* A merge's sort buffer, kept from merge to merge: a fresh one took a
     * page fault per 4 KiB at every merge. */
    struct hslot *sortbuf;
    size_t sortbuf_n;
};

/* A record is named in 32 bits by its arena block (numbered as a->mem
 * handed them out) and its offset there in units of 8 bytes: blocks are
 * at most 2 MiB. */
enum { REC_OFF_BITS = 18, REC_BLOCKS_MAX = 1 << (32 - REC_OFF_BITS) };

/* The IPv4 index sorted: addresses and their records' names, 6 bytes an
 * address. An address is its low 16 bits, under its high ones: those of
 * entries [at[h], at[h + 1]) are h. */
struct sealed {
    size_t n;
    uint32_t at[(1 << 16) + 1];
    uint16_t *lo;
    uint32_t *rec;
};

static const char *const class_names[AC__COUNT] = {
    [AC_CONNECT] = "connect",
    [AC_ACCEPTED] = "accepted",
    [AC_REJ_DNSBL] = "reject_dnsbl",
    [AC_REJ_UNKNOWN_RECIPIENT] = "reject_unknown_recipient",
    [AC_REJ_RELAY_DENIED] = "reject_relay_denied",
    [AC_REJ_NO_RDNS] = "reject_no_rdns",
    [AC_REJ_HELO] = "reject_helo",
    [AC_REJ_SENDER] = "reject_sender",
    [AC_REJ_POLICY] = "reject_policy",
    [AC_REJ_RATE_LIMIT] = "reject_rate_limit",
    [AC_REJ_CONTENT] = "reject_content",
    [AC_REJ_OTHER] = "reject_other",
    [AC_AUTH_FAIL] = "auth_fail",
    [AC_RDNS_FAIL] = "rdns_fail",
    [AC_PS_PREGREET] = "postscreen_pregreet",
    [AC_PS_DNSBL] = "postscreen_dnsbl",
    [AC_PS_HANGUP] = "postscreen_hangup",
    [AC_PS_PROTOCOL] = "postscreen_protocol",
    [AC_PS_PASS] = "postscreen_pass",
    [AC_LOST] = "lost",
    [AC_PROTOCOL_ERROR] = "protocol_error",
    [AC_AUTHENTICATED] = "authenticated",
    [AC_OWN_ZONE] = "own_zone",
    [AC_SPF_FAIL] = "spf_fail",
};

const char *agg_class_name(enum agg_class c)
{
    return (unsigned)c < AC__COUNT ? class_names[c] : "?";
}

int agg_class_lookup(const char *name)
{
    for (int i = 0; i < AC__COUNT; i++)
        if (strcmp(class_names[i], name) == 0)
            return i;
    return -1;
}

bool agg_own_zone(const struct agg_conf *conf, struct span zone)
{
    if (conf == NULL || zone.p == NULL)
        return false;
    if (zone.n > 0 && zone.p[zone.n - 1] == '.')
        zone.n--;
    for (unsigned i = 0; i < conf->nzones; i++) {
        const char *z = conf->zone[i];
        size_t k = strlen(z), j = 0;
        if (k != zone.n)
            continue;
        while (j < k && (z[j] | 0x20) == (zone.p[j] | 0x20)
               && ((z[j] >= 'A' && z[j] <= 'Z') || (z[j] >= 'a' && z[j] <= 'z') || z[j] == zone.p[j]))
            j++;
        if (j == k)
            return true;
    }
    return false;
}

static bool is_addr_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
        || c == '.' || c == ':';
}

/* rblsmtpd: "if (text.len > 200) text.len = 200;" before it logs. */
#define RBLSMTPD_TXT_MAX 200

static bool txt_matches(const char *t, struct span s)
{
    size_t j = 0;

    for (; *t; t++) {
        if (j == s.n)
            return s.n == RBLSMTPD_TXT_MAX;
        if (*t == '$') {
            size_t k = j;
            while (k < s.n && is_addr_char(s.p[k]))
                k++;
            if (k == j)
                return false;
            j = k;
        } else if (s.p[j++] != *t) {
            return false;
        }
    }
    return j == s.n;
}

bool agg_own_txt(const struct agg_conf *conf, struct span text)
{
    if (conf == NULL || text.p == NULL)
        return false;
    if (text.n > 4 && text.p[3] == ' ' && text.p[0] >= '2' && text.p[0] <= '5'
        && text.p[1] >= '0' && text.p[1] <= '9' && text.p[2] >= '0' && text.p[2] <= '9')
        text = span_skip(text, 4);
    for (unsigned i = 0; i < conf->ntxt; i++)
        if (conf->txt[i][0] && txt_matches(conf->txt[i], text))
            return true;
    return false;
}

/* Postfix's disconnect counters ("ehlo=1 auth=1 mail=1 ..."): true if
 * "auth=N" or "auth=N/M" says N > 0 logins succeeded. Postfix writes these
 * words itself; nothing of the client's is in them. */
static bool disconnect_logged_in(struct span t)
{
    /* The first "auth=", found by its 'u': the other counters' names have
     * 'a's ("mail", "data", "commands") but no 'u' before "quit". */
    size_t at = 1;

    while ((at = span_find_byte(t.p, at, t.n, 'u')) < t.n
           && !(t.p[at - 1] == 'a' && t.n - at >= 4 && memcmp(t.p + at + 1, "th=", 3) == 0))
        at++;
    if (at >= t.n)
        return false;
    at--;
    if (at > 0 && t.p[at - 1] != ' ')
        return false;
    size_t i = at + 5;
    bool nonzero = false, any = false;
    for (; i < t.n && t.p[i] >= '0' && t.p[i] <= '9'; i++)
        any = true, nonzero |= t.p[i] != '0';
    return any && nonzero;
}

static bool is_postscreen(struct span prog)
{
    return span_ends(prog, "postscreen", 10);
}

/* agg_classify_conf, inline in agg_add: one call less on every line. */
static inline __attribute__((always_inline))
int classify(const struct agg_conf *conf, const struct event *ev)
{
    switch (ev->type) {
    case EV_CONNECT:
    case EV_TCP_OK:
        return AC_CONNECT;
    case EV_CLIENT:
        /* smtpd handed a message to cleanup, which may still refuse it:
         * the credit waits for qmgr (EV_QUEUED). A login, though, makes
         * the session a customer's, whatever it sends. */
        return ev->sasl_user.p && ev->sasl_user.n ? AC_AUTHENTICATED : -1;
    case EV_QUEUED:
        return AC_ACCEPTED;
    case EV_DISCONNECT:
        return ev->text.p && disconnect_logged_in(ev->text) ? AC_AUTHENTICATED : -1;
    case EV_AUTH_FAIL:
        /* Our SASL backend failing is no evidence against the client; an
         * auth backend's line (Dovecot's passdb) tells of an attempt its
         * login process counts with a line of its own. */
        return ev->reason == R_SERVER_ERROR || ev->reason == R_PASSDB ? -1 : AC_AUTH_FAIL;
    case EV_SPF:
        /* A result line saying fail (the sender's domain disowns the
         * client): weak evidence. A refusal (reason policy) is counted by
         * Postfix's own reject line. */
        return ev->reason == R_NONE && ev->ip.family && span_eq_lit(ev->status, "fail")
            ? AC_SPF_FAIL : -1;
    case EV_RDNS_FAIL:
        return AC_RDNS_FAIL;
    case EV_RBL:
        /* rblsmtpd names no zone; the TXT it logs is ours when our
         * listing refused the client: reported, never new evidence. */
        return agg_own_zone(conf, ev->dnsbl) || agg_own_txt(conf, ev->text)
            ? AC_OWN_ZONE : AC_REJ_DNSBL;
    case EV_TCP_DENY:
        return AC_REJ_OTHER;
    case EV_DNSBL:
        /* dnsblog: a hit on our own zone is reported; other zones' hits
         * are weighed by postscreen itself (its DNSBL rank line). */
        return agg_own_zone(conf, ev->dnsbl) ? AC_OWN_ZONE : -1;
    case EV_REJECT:
        /* postscreen's own SMTP engine refuses RCPT after a verdict that
         * has its line (PREGREET, DNSBL rank, ...) or, with 450 4.3.2,
         * as the routine first-contact deferral of the deep protocol
         * tests: never a verdict of its own. One that names our own zone
         * is reported as such (and discounts a DNSBL rank line). */
        if (is_postscreen(ev->prog))
            return ev->reason == R_DNSBL && agg_own_zone(conf, ev->dnsbl) ? AC_OWN_ZONE : -1;
        switch (ev->reason) {
        case R_DNSBL: return agg_own_zone(conf, ev->dnsbl) ? AC_OWN_ZONE : AC_REJ_DNSBL;
        case R_UNKNOWN_RECIPIENT: return AC_REJ_UNKNOWN_RECIPIENT;
        case R_RELAY_DENIED: return AC_REJ_RELAY_DENIED;
        case R_NO_RDNS: return AC_REJ_NO_RDNS;
        case R_HELO: return AC_REJ_HELO;
        case R_SENDER: return AC_REJ_SENDER;
        case R_POLICY: return AC_REJ_POLICY;
        case R_RATE_LIMIT: return AC_REJ_RATE_LIMIT;
        case R_CONTENT: return AC_REJ_CONTENT;
        default: return AC_REJ_OTHER;
        }
    case EV_POSTSCREEN:
        switch (ev->reason) {
        case R_PS_PREGREET: return AC_PS_PREGREET;
        case R_PS_DNSBL: return AC_PS_DNSBL;
        case R_PS_HANGUP: return AC_PS_HANGUP;
        case R_PS_PIPELINING:
        case R_PS_NON_SMTP:
        case R_PS_BARE_NEWLINE:
        case R_PS_COMMAND_LIMIT:
        case R_PS_NO_RCPT: return AC_PS_PROTOCOL;
        /* PASS NEW: the client passed the tests. PASS OLD only says it
         * is still on postscreen's temporary allowlist: a bot that passed
         * once reconnects with it, so it earns nothing. */
        case R_PS_PASS_NEW: return AC_PS_PASS;
        default: return -1;
        }
    case EV_LOST:
        return ev->reason == R_LOST || ev->reason == R_TIMEOUT
            ? AC_LOST : AC_PROTOCOL_ERROR;
    default:
        return -1;
    }
}

int agg_classify_conf(const struct agg_conf *conf, const struct event *ev)
{
    return classify(conf, ev);
}

int agg_classify(const struct event *ev)
{
    return agg_classify_conf(NULL, ev);
}

struct agg *agg_new_conf(bool evidence_lines, const struct agg_conf *conf)
{
    struct agg *a = xcalloc(1, sizeof(*a));

    arena_init(&a->mem);
    arena_init(&a->names);
    a->pre = evidence_lines ? 2 * sizeof(struct agg_pos) : 0;
    a->conf = conf;
    return a;
}

struct agg *agg_new(bool evidence_lines)
{
    return agg_new_conf(evidence_lines, NULL);
}

enum { HINDEX_MIN_BITS = 10 };

/* The next table's multiplier: splitmix64 of a count, made odd, so that
 * runs make the same tables. */
static uint64_t hindex_mul(void)
{
    static _Atomic uint64_t tables;
    uint64_t z = (atomic_fetch_add(&tables, 1) + 1) * UINT64_C(0x9E3779B97F4A7C15);

    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (z ^ (z >> 31)) | 1;
}

static void hindex_init(struct hindex *h, unsigned bits)
{
    /* Huge pages: a large index is probed at random, and with 4 KiB
     * pages nearly every probe missed the TLB as well. */
    h->v = hugemem_alloc_whole(((size_t)1 << bits) * sizeof(*h->v));
    memset(h->v, 0, ((size_t)1 << bits) * sizeof(*h->v));
    h->mask = ((size_t)1 << bits) - 1;
    h->shift = 64 - bits;
    h->n = 0;
}

static size_t hindex_home(const struct hindex *h, uint32_t key)
{
    return (size_t)((key * h->mul) >> h->shift);
}

/* The slot of key, or the empty one where it would go. */
static struct hslot *hindex_find(const struct hindex *h, uint32_t key)
{
    size_t i = hindex_home(h, key);

    while (h->v[i].ref && h->v[i].key != key)
        i = (i + 1) & h->mask;
    return &h->v[i];
}

/* key's slot, taken for it (its ref 0) if absent; three quarters full,
 * the index doubles first. */
static struct hslot *hindex_slot(struct hindex *h, uint32_t key)
{
    struct hslot *s = hindex_find(h, key);

    if (s->ref)
        return s;
    if (4 * (h->n + 1) > 3 * (h->mask + 1)) {
        struct hindex old = *h;
        hindex_init(h, 64 - old.shift + 1);
        for (size_t i = 0; i <= old.mask; i++)
            if (old.v[i].ref)
                *hindex_find(h, old.v[i].key) = old.v[i];
        h->n = old.n;
        free(old.v);
        s = hindex_find(h, key);
    }
    s->key = key;
    h->n++;
    return s;
}

static void view_free(struct agg *a)
{
    if (a->view) {
        free(a->view->lo);
        free(a->view->rec);
        free(a->view);
        a->view = NULL;
    }
}

/* The record named ref (not 0). */
static inline struct ip_stats *rec_at(const struct agg *a, uint32_t ref)
{
    return (struct ip_stats *)(void *)(a->blk[ref >> REC_OFF_BITS]
                                       + (size_t)(ref & ((1u << REC_OFF_BITS) - 1)) * 8);
}

/* Where ip's record is named: an IPv4 index slot or a Judy IPv6 one
 * (whose value is the name too). */
struct ent {
    struct hslot *h;
    PWord_t w;
};

/* ip's entry, created naming no record if absent. Always JudyLIns for
 * IPv6: a lookup that gets here has missed the recent cache or is a
 * merge's, and about half of those are addresses new to the table, which
 * a JudyLGet first would look up twice. */
static struct ent slot(struct agg *a, const struct ipaddr *ip)
{
    PWord_t pv, inner;

    if (ip->family == 4) {
        if (a->h.v == NULL) {
            if (a->sealed || a->no_index)
                msg_panic("agg: an address added to a sealed table");
            hindex_init(&a->h, HINDEX_MIN_BITS);
            a->h.mul = hindex_mul();
        }
        return (struct ent){ .h = hindex_slot(&a->h, ipaddr_v4(ip)) };
    }
    JLI(inner, a->v6, (Word_t)ipaddr_v6_hi(ip));
    if (inner == PJERR)
        msg_fatal("out of memory in Judy array");
    JLI(pv, *(Pvoid_t *)inner, (Word_t)ipaddr_v6_lo(ip));
    if (pv == PJERR)
        msg_fatal("out of memory in Judy array");
    return (struct ent){ .w = pv };
}

/* The name e holds, 0 for none. */
static uint32_t ent_ref(struct ent e)
{
    return e.h ? e.h->ref : (uint32_t)*e.w;
}

/* e names the record ref: the sorted view no longer holds. */
static void ent_set(struct agg *a, struct ent e, uint32_t ref)
{
    if (e.h) {
        e.h->ref = ref;
        view_free(a);
    } else {
        *e.w = ref;
    }
}

static size_t rec_size(unsigned cap)
{
    return offsetof(struct ip_stats, cnt) + cap * sizeof(uint16_t);
}

/* Room for at least k 16-bit units: a record's size is a multiple of its
 * alignment anyway, so the rounding is free room (three units at most). */
static unsigned cap_for(unsigned k)
{
    size_t al = alignof(struct ip_stats);
    size_t sz = (rec_size(k) + al - 1) & ~(al - 1);

    return (unsigned)((sz - offsetof(struct ip_stats, cnt)) / sizeof(uint16_t));
}

/* The 16-bit units n counts take in a record, wide or not. */
static unsigned units_for(unsigned n, bool wide)
{
    return wide ? WIDE_UNITS + 2 * n : n;
}

/* The 16-bit units st's counts (and times, if wide) take. */
static unsigned units(const struct ip_stats *st)
{
    return units_for(agg_popcount(st->mask), st->wide);
}

/* A record's evidence lines (first, last), in the a->pre bytes before it:
 * only explain wants them, so a run's records do without. */
static struct agg_pos *ev_lines(const struct ip_stats *st)
{
    return (struct agg_pos *)(void *)((char *)st - 2 * sizeof(struct agg_pos));
}

/* st's name, st just taken from a->mem: a block the arena started since
 * the last record gets the next number. */
static uint32_t rec_ref(struct agg *a, const struct ip_stats *st)
{
    uintptr_t p = (uintptr_t)st;

    if (a->nblk < 2 || p < (uintptr_t)a->blk[a->nblk - 1]
        || p - (uintptr_t)a->blk[a->nblk - 1] >= a->blk_size) {
        char *base;
        size_t size;
        arena_blocks(&a->mem, &base, &size, 1);
        if (p < (uintptr_t)base || p - (uintptr_t)base >= size)
            msg_panic("agg: a record outside the arena's newest block");
        if (a->nblk >= REC_BLOCKS_MAX)
            msg_fatal("too many addresses for one table (%zu)", a->count);
        a->blk = xgrow(a->blk, &a->blk_cap, a->nblk + 1 + (a->nblk == 0), sizeof(*a->blk));
        if (a->nblk == 0)
            a->blk[a->nblk++] = NULL;
        a->blk[a->nblk++] = base;
        a->blk_size = size;
    }
    uintptr_t off = p - (uintptr_t)a->blk[a->nblk - 1];
    if (off % 8 || off / 8 >= (1u << REC_OFF_BITS))
        msg_panic("agg: a record cannot be named");
    return (uint32_t)((a->nblk - 1) << REC_OFF_BITS | off / 8);
}

/* Zeroed room for cap units, from the free list of that size if it can;
 * its name into *ref. */
static struct ip_stats *rec_alloc(struct agg *a, unsigned cap, uint32_t *ref)
{
    struct free_rec *f = a->free[cap];
    struct ip_stats *st;

    if (f) {
        a->free[cap] = f->next;
        *ref = f->ref;
        st = (struct ip_stats *)(void *)f;
        memset((char *)f - a->pre, 0, a->pre + rec_size(cap));
    } else {
        char *base = arena_alloc_aligned(&a->mem, a->pre + rec_size(cap),
                                         alignof(struct ip_stats));
        st = (struct ip_stats *)(void *)(base + a->pre);
        *ref = rec_ref(a, st);
    }
    st->cap = (uint8_t)cap;
    return st;
}

/* The record for ip, created with room for k counts if absent. */
static struct ip_stats *record(struct agg *a, const struct ipaddr *ip, unsigned k)
{
    struct ent e = slot(a, ip);
    uint32_t ref = ent_ref(e);

    if (ref)
        return rec_at(a, ref);
    struct ip_stats *st = rec_alloc(a, cap_for(k), &ref);
    ent_set(a, e, ref);
    a->count++;
    return st;
}

static struct recent *recent_of(struct agg *a, uint32_t k)
{
    return &a->recent[(k * UINT32_C(2654435761)) >> (32 - RECENT_BITS)];
}

static struct recent6 *recent6_of(struct agg *a, uint64_t hi, uint64_t lo)
{
    return &a->recent6[((hi ^ lo) * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - RECENT6_BITS)];
}

/* st, ip's record, moved to one with room for k units; the table's slot
 * and the recent cache follow it, and the old one goes to its free list. */
static struct ip_stats *rec_move(struct agg *a, const struct ipaddr *ip, struct ip_stats *st,
                                 unsigned k)
{
    uint32_t ref;
    struct ip_stats *n = rec_alloc(a, cap_for(k), &ref);
    uint8_t cap = n->cap;
    struct free_rec *f = (struct free_rec *)st;
    struct ent e = slot(a, ip);
    uint32_t old = ent_ref(e);

    memcpy((char *)n - a->pre, (char *)st - a->pre, a->pre + rec_size(units(st)));
    n->cap = cap;
    ent_set(a, e, ref);
    if (ip->family == 4 && a->recent) {
        struct recent *r = recent_of(a, ipaddr_v4(ip));
        if (r->st == st)
            r->st = n;
    } else if (ip->family == 6 && a->recent6) {
        struct recent6 *r = recent6_of(a, ipaddr_v6_hi(ip), ipaddr_v6_lo(ip));
        if (r->st == st)
            r->st = n;
    }
    f->next = a->free[st->cap];
    f->ref = old;
    a->free[st->cap] = f;
    return n;
}

/* st's evidence times as they are (wide or not), which they must fit. */
static void ev_put(struct ip_stats *st, int64_t first, int64_t last)
{
    if (st->wide) {
        memcpy(&st->cnt[0], &first, sizeof(first));
        memcpy(&st->cnt[WIDE_UNITS / 2], &last, sizeof(last));
    } else {
        st->ev32_first = (uint32_t)first;
        st->ev32_last = (uint32_t)last;
    }
}

static bool fits32(int64_t t)
{
    return t >= 0 && t <= UINT32_MAX;
}

/* *stp, ip's record, made wide: it moves if it needs room. */
static void widen(struct agg *a, const struct ipaddr *ip, struct ip_stats **stp)
{
    struct ip_stats *st = *stp;
    unsigned n = agg_popcount(st->mask);
    int64_t first = ip_stats_ev_first(st), last = ip_stats_ev_last(st);

    if (units_for(n, true) > st->cap)
        st = rec_move(a, ip, st, units_for(n, true));
    /* From the last count down: a wide count's place is past the narrow
     * one's. */
    for (unsigned i = n; i-- > 0;) {
        uint32_t x = st->cnt[i];
        memcpy(&st->cnt[WIDE_UNITS + 2 * i], &x, sizeof(x));
    }
    st->wide = true;
    ev_put(st, first, last);
    *stp = st;
}

/* The k counts of sum into st, which has room for them in its format. */
static void put_counts(struct ip_stats *st, const uint32_t *sum, unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        if (st->wide)
            memcpy(&st->cnt[WIDE_UNITS + 2 * i], &sum[i], sizeof(sum[i]));
        else
            st->cnt[i] = (uint16_t)sum[i];
    }
}

/* File, then line, as one 64-bit number. */
static uint64_t pos_order(struct agg_pos p)
{
    return (uint64_t)p.file << 44 | p.line;
}

static bool pos_before(struct agg_pos a, struct agg_pos b)
{
    return pos_order(a) < pos_order(b);
}

/* A hostname is stored behind the position of its line, unaligned: most
 * addresses never have one, so the record does not carry the position.
 * An earlier line's name replaces old in place when it fits (usually the
 * same name), so reading the same addresses again allocates nothing; old
 * is in a's arena, a's to rewrite. */
static const char *rdns_set(struct agg *a, const char *old, const char *s, size_t n,
                            struct agg_pos pos)
{
    char *p;

    if (old && strlen(old) >= n) {
        p = (char *)old - sizeof(pos);
        p[sizeof(pos) + n] = 0;
    } else {
        p = arena_alloc_aligned(&a->names, sizeof(pos) + n + 1, 1);
    }
    memcpy(p, &pos, sizeof(pos));
    memmove(p + sizeof(pos), s, n);
    if (pos_before(a->rdns_hi, pos))
        a->rdns_hi = pos;
    return p + sizeof(pos);
}

static struct agg_pos rdns_pos(const char *rdns)
{
    struct agg_pos pos;

    memcpy(&pos, rdns - sizeof(pos), sizeof(pos));
    return pos;
}

/* Evidence from time tf (line *pf, if the table keeps lines, else NULL)
 * to tl (line *pl) for *stp, ip's record, which moves if it must widen.
 * Time first, position second: a total order, so merges commute. */
static void ev_note(struct agg *a, const struct ipaddr *ip, struct ip_stats **stp, int64_t tf,
                    const struct agg_pos *pf, int64_t tl, const struct agg_pos *pl)
{
    if (!(*stp)->wide && !(fits32(tf) && fits32(tl)))
        widen(a, ip, stp);
    struct ip_stats *st = *stp;
    if (!st->has_ev) {
        st->has_ev = true;
        ev_put(st, tf, tl);
        if (pf)
            ev_lines(st)[0] = *pf, ev_lines(st)[1] = *pl;
        return;
    }
    int64_t first = ip_stats_ev_first(st), last = ip_stats_ev_last(st);
    if (tf < first || (pf && tf == first && pos_before(*pf, ev_lines(st)[0]))) {
        first = tf;
        if (pf)
            ev_lines(st)[0] = *pf;
    }
    if (tl > last || (pl && tl == last && pos_before(ev_lines(st)[1], *pl))) {
        last = tl;
        if (pl)
            ev_lines(st)[1] = *pl;
    }
    ev_put(st, first, last);
}

bool agg_is_evidence(enum agg_class c)
{
    return c != AC_CONNECT && c != AC_ACCEPTED && c != AC_PS_PASS && c != AC_AUTHENTICATED
        && c != AC_OWN_ZONE && c < AC__COUNT;
}

/* rsyslog's "message repeated N times: [...]" stands for N occurrences
 * of the wrapped event. */
static uint32_t repeat_count(const struct event *ev)
{
    uint32_t k = 0;

    if (ev->repeat.p == NULL || ev->repeat.n == 0 || ev->repeat.n > 6)
        return 1;
    for (size_t i = 0; i < ev->repeat.n; i++) {
        if (ev->repeat.p[i] < '0' || ev->repeat.p[i] > '9')
            return 1;
        k = k * 10 + (uint32_t)(ev->repeat.p[i] - '0');
    }
    return k ? k : 1;
}

/* k more of class c for ip, at time ts (has_ts), from line pos; the
 * hostname the line logged, if any. Inline in its two callers: the call
 * with its eight arguments was 20 instructions of a count's 160. */
static inline __attribute__((always_inline))
void count(struct agg *a, const struct ipaddr *ip, int c, uint32_t k, bool has_ts, int64_t ts,
           struct agg_pos pos, const struct event *ev)
{
    struct ip_stats *st;
    if (ip->family == 4) {
        uint32_t key = ipaddr_v4(ip);
        if (a->recent == NULL)
            a->recent = xcalloc((size_t)1 << RECENT_BITS, sizeof(*a->recent));
        struct recent *r = recent_of(a, key);
        if (r->st == NULL || r->key != key)
            r->key = key, r->st = record(a, ip, NEW_CAP);
        st = r->st;
    } else {
        uint64_t hi = ipaddr_v6_hi(ip), lo = ipaddr_v6_lo(ip);
        if (a->recent6 == NULL)
            a->recent6 = xcalloc((size_t)1 << RECENT6_BITS, sizeof(*a->recent6));
        struct recent6 *r = recent6_of(a, hi, lo);
        if (r->st == NULL || r->hi != hi || r->lo != lo)
            r->hi = hi, r->lo = lo, r->st = record(a, ip, NEW_CAP);
        st = r->st;
    }
    uint32_t bit = UINT32_C(1) << c;
    unsigned at = agg_popcount(st->mask & (bit - 1));
    if (!(st->mask & bit)) {
        /* A class new to this address: a slot in class order. */
        unsigned n = agg_popcount(st->mask), w = 1u << st->wide;
        unsigned b = st->wide ? WIDE_UNITS : 0;
        if (units_for(n + 1, st->wide) > st->cap)
            st = rec_move(a, ip, st, units_for(n + 1, st->wide));
        memmove(&st->cnt[b + (at + 1) * w], &st->cnt[b + at * w], (n - at) * w * sizeof(uint16_t));
        memset(&st->cnt[b + at * w], 0, w * sizeof(uint16_t));
        st->mask |= bit;
    }
    uint32_t v = ip_stats_at(st, at) + k;
    if (__builtin_expect(!st->wide && v <= UINT16_MAX, 1)) {
        st->cnt[at] = (uint16_t)v;
    } else {
        if (!st->wide)
            widen(a, ip, &st);
        memcpy(&st->cnt[WIDE_UNITS + 2 * at], &v, sizeof(v));
    }
    if (has_ts && ts > 0 && ts <= UINT32_MAX) {
        uint32_t t = (uint32_t)ts;
        if (st->first == 0 || t < st->first)
            st->first = t;
        if (t > st->last)
            st->last = t;
    }
    if (agg_is_evidence(c)) {
        int64_t t = has_ts ? ts : 0;
        ev_note(a, ip, &st, t, a->pre ? &pos : NULL, t, a->pre ? &pos : NULL);
    }
    if (ev == NULL)
        return;
    if (ev->rdns.p && ev->rdns.n) {
        /* Only an earlier line's name replaces the stored one. Lines come
         * in order, so a line past every stored name's (a->rdns_hi) need
         * not fetch the name's position: a cache miss per session. */
        if (st->rdns == NULL
            || (pos_before(pos, a->rdns_hi) && pos_before(pos, rdns_pos(st->rdns)))) {
            size_t n = ev->rdns.n > 255 ? 255 : ev->rdns.n;
            st->rdns = rdns_set(a, st->rdns, ev->rdns.p, n, pos);
        }
    } else if (ev->rdns_unknown) {
        st->rdns_unknown = true;
    }
}

/*
 * Queue-ID pairing. smtpd's "QID: client=host[addr]" and qmgr's
 * "QID: from=<...>, size=..., nrcpt=..." of the same message are a few
 * lines apart, nearly always in the same chunk: paired there at once
 * through a->qclient. What is left at the end of a chunk (client= lines of
 * messages cleanup refused, and the pairs a chunk boundary cut) waits in
 * a->pend; agg_settle sorts all of it by time and position and pairs it
 * as one sequential pass would. A qmgr line takes the latest client= of
 * the same host and queue ID before it, at most PAIR_MAX seconds before
 * (a deferred message logs its qmgr line again at every retry: only the
 * first takes the client=, which is consumed).
 */
enum { PAIR_MAX = 3600 };

/* 4 bytes at p as a little-endian word (the key is the same on any host). */
static uint32_t load4(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t qmix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
    return h ^ (h >> 32);
}

/* s into h a word at a time (a byte at a time was a multiply per byte,
 * one after another, on a third of the lines); its length first, so that
 * the host and the queue ID cannot trade bytes. Reads no byte past s. */
static inline __attribute__((always_inline)) uint64_t qhash(uint64_t h, struct span s)
{
    size_t i = 0;

    h = qmix(h, s.n);
    for (; i + 8 <= s.n; i += 8)
        h = qmix(h, span_load8(s.p + i));
    if (i == s.n)
        return h;
    if (s.n >= 8)                                       /* the last 8, overlapping */
        return qmix(h, span_load8(s.p + s.n - 8));
    const unsigned char *p = (const unsigned char *)s.p;
    if (s.n >= 4)                                       /* two 4s, overlapping */
        return qmix(h, load4(p) | (uint64_t)load4(p + s.n - 4) << 32);
    return qmix(h, (uint64_t)p[0] << 16 | (uint64_t)p[s.n >> 1] << 8 | p[s.n - 1]);
}

/* The pairing key: the logging host and the queue ID (queue IDs repeat
 * across hosts). Kept in partial files (PARTIAL_VERSION). */
static uint64_t qkey(const struct event *ev)
{
    return qhash(qhash(UINT64_C(0x6a09e667f3bcc908), ev->host), ev->qid);
}

static void qvec_push(struct qvec *q, const struct agg_qline *r)
{
    q->v = xgrow(q->v, &q->cap, q->n + 1, sizeof(*q->v));
    q->v[q->n++] = *r;
}

static void credit(struct agg *a, const struct agg_qline *client, const struct agg_qline *queued)
{
    count(a, &client->ip, AC_ACCEPTED, 1, true, queued->ts, queued->pos, NULL);
}

static bool pairs(const struct agg_qline *client, const struct agg_qline *queued)
{
    return queued->ts >= client->ts && queued->ts - client->ts <= PAIR_MAX;
}

enum { QTAB_MIN = 64 };

static size_t qtab_home(const struct qtab *t, uint64_t key)
{
    return (size_t)((key * UINT64_C(0x9E3779B97F4A7C15)) >> 32) & t->mask;
}

/* The slot of key, or of the empty slot where it would go. */
static struct agg_qline *qtab_slot(const struct qtab *t, uint64_t key)
{
    size_t i = qtab_home(t, key);

    while (t->v[i].ip.family && t->v[i].key != key)
        i = (i + 1) & t->mask;
    return &t->v[i];
}

static void qtab_put(struct qtab *t, const struct agg_qline *r)
{
    if (t->v == NULL || 4 * (t->n + 1) > 3 * (t->mask + 1)) {
        struct qtab old = *t;
        size_t slots = t->v ? 2 * (t->mask + 1) : QTAB_MIN;
        t->v = xcalloc(slots, sizeof(*t->v));
        t->mask = slots - 1;
        t->n = 0;
        for (size_t i = 0; old.v && i <= old.mask; i++)
            if (old.v[i].ip.family)
                *qtab_slot(t, old.v[i].key) = old.v[i], t->n++;
        free(old.v);
    }
    struct agg_qline *q = qtab_slot(t, r->key);
    t->n += q->ip.family == 0;
    *q = *r;
}

/* Empty slot q; the lines behind it that probed past it move up. */
static void qtab_del(struct qtab *t, struct agg_qline *q)
{
    size_t i = (size_t)(q - t->v), j = i;

    for (;;) {
        j = (j + 1) & t->mask;
        if (t->v[j].ip.family == 0)
            break;
        size_t h = qtab_home(t, t->v[j].key);
        /* j may move to i if i lies on its probe path, from h to j. */
        if (((j - h) & t->mask) >= ((j - i) & t->mask)) {
            t->v[i] = t->v[j];
            i = j;
        }
    }
    t->v[i].ip.family = 0;
    t->n--;
}

/* This chunk's unpaired client= lines into dst's pending list. */
static void qclient_flush(const struct qtab *t, struct qvec *dst)
{
    for (size_t i = 0; t->n && i <= t->mask; i++)
        if (t->v[i].ip.family)
            qvec_push(dst, &t->v[i]);
}

static void qtab_clear(struct qtab *t)
{
    if (t->n)
        memset(t->v, 0, (t->mask + 1) * sizeof(*t->v));
    t->n = 0;
}

void agg_chunk_begin(struct agg *a)
{
    qclient_flush(&a->qclient, &a->pend);
    qtab_clear(&a->qclient);
}

static void queue_line(struct agg *a, const struct event *ev, const struct ipaddr *ip,
                       struct agg_pos pos)
{
    struct agg_qline r = { .key = qkey(ev), .ts = ev->has_ts ? ev->ts : 0, .pos = pos };

    if (ip) {
        r.ip = *ip;
        qtab_put(&a->qclient, &r);
        return;
    }
    struct agg_qline *q = a->qclient.n ? qtab_slot(&a->qclient, r.key) : NULL;
    if (q && q->ip.family && pairs(q, &r)) {
        credit(a, q, &r);
        qtab_del(&a->qclient, q);
    } else if (q == NULL || q->ip.family == 0) {
        qvec_push(&a->pend, &r);
    }
}

static int cmp_qrec(const void *x, const void *y)
{
    const struct agg_qline *a = x, *b = y;

    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    if (pos_before(a->pos, b->pos))
        return -1;
    if (pos_before(b->pos, a->pos))
        return 1;
    /* The same line twice (a table merged twice is a caller's bug, but
     * the order must still be total): client= first. */
    return (b->ip.family != 0) - (a->ip.family != 0);
}

void agg_settle(struct agg *a)
{
    struct qvec all = a->pend;
    Pvoid_t open = NULL;
    PWord_t pv;

    qclient_flush(&a->qclient, &all);
    qtab_clear(&a->qclient);
    if (all.n > 1)
        qsort(all.v, all.n, sizeof(*all.v), cmp_qrec);
    for (size_t i = 0; i < all.n; i++) {
        const struct agg_qline *r = &all.v[i];
        if (r->ip.family) {
            JLI(pv, open, (Word_t)r->key);
            if (pv == PJERR)
                msg_fatal("out of memory in Judy array");
            *(const struct agg_qline **)pv = r;
            continue;
        }
        JLG(pv, open, (Word_t)r->key);
        if (pv && pairs(*(const struct agg_qline **)pv, r)) {
            credit(a, *(const struct agg_qline **)pv, r);
            int rc;
            JLD(rc, open, (Word_t)r->key);
            (void)rc;
        }
    }
    JudyLFreeArray(&open, PJE0);
    free(all.v);
    memset(&a->pend, 0, sizeof(a->pend));
}

size_t agg_open_lines(struct agg *a, agg_qline_fn *fn, void *ctx)
{
    agg_chunk_begin(a);
    if (a->pend.n > 1)
        qsort(a->pend.v, a->pend.n, sizeof(*a->pend.v), cmp_qrec);
    for (size_t i = 0; fn && i < a->pend.n; i++)
        fn(&a->pend.v[i], ctx);
    return a->pend.n;
}

void agg_put_line(struct agg *a, const struct agg_qline *q)
{
    qvec_push(&a->pend, q);
}

/* agg_add's work for a line that counts or pairs: apart, so that the
 * other lines (two in three) return without its prologue. */
static __attribute__((noinline))
void add_line(struct agg *a, const struct event *ev, int c)
{
    struct agg_pos pos = { .file = ev->file_index, .line = ev->line };

    if (ev->type == EV_CLIENT && ev->qid.p && ev->qid.n && ev->ip.family) {
        struct ipaddr ip = ev->ip;
        ipaddr_unmap(&ip);
        queue_line(a, ev, &ip, pos);
    }
    if (c < 0)
        return;
    /* qmgr's line names no client: the pairing finds it. */
    if (c == AC_ACCEPTED && ev->ip.family == 0) {
        if (ev->qid.p && ev->qid.n)
            queue_line(a, ev, NULL, pos);
        return;
    }
    if (ev->ip.family == 0)
        return;
    struct ipaddr ip = ev->ip;
    ipaddr_unmap(&ip);
    count(a, &ip, c, repeat_count(ev), ev->has_ts, ev->ts, pos, ev);
}

void agg_add(struct agg *a, const struct event *ev)
{
    int c = classify(a->conf, ev);

    if (c >= 0 || ev->type == EV_CLIENT)
        add_line(a, ev, c);
}

/* src's record as dst's record for ip, which dst has not seen: copied
 * whole (counts, times, evidence lines) instead of summed class by class. */
static void merge_new(struct agg *dst, struct ent e, const struct ip_stats *src)
{
    unsigned k = agg_popcount(src->mask);
    uint32_t sum[AC__COUNT], big = 0;
    int64_t first = ip_stats_ev_first(src), last = ip_stats_ev_last(src);

    /* A wide record (from agg_put) is narrowed if its counts and times
     * allow. */
    for (unsigned i = 0; src->wide && i < k; i++)
        big |= sum[i] = ip_stats_at(src, i);
    bool wide = src->wide && (big > UINT16_MAX || (src->has_ev && !(fits32(first) && fits32(last))));
    uint32_t ref;
    struct ip_stats *st = rec_alloc(dst, cap_for(units_for(k, wide)), &ref);
    uint8_t cap = st->cap;

    memcpy((char *)st - dst->pre, (const char *)src - dst->pre,
           dst->pre + rec_size(src->wide ? 0 : k));
    st->cap = cap;
    if (src->wide) {
        st->wide = wide;
        put_counts(st, sum, k);
        if (src->has_ev)
            ev_put(st, first, last);
    }
    if (src->rdns)
        st->rdns = rdns_set(dst, NULL, src->rdns, strlen(src->rdns), rdns_pos(src->rdns));
    ent_set(dst, e, ref);
    dst->count++;
}

static void merge_one(struct agg *dst, const struct ipaddr *ip, const struct ip_stats *src)
{
    struct ent e = slot(dst, ip);
    uint32_t ref = ent_ref(e);

    if (ref == 0) {
        merge_new(dst, e, src);
        return;
    }
    struct ip_stats *st = rec_at(dst, ref);
    uint32_t mask = st->mask | src->mask, sum[AC__COUNT], big = 0;
    unsigned k = 0;

    for (uint32_t m = mask; m; m &= m - 1) {
        enum agg_class c = (enum agg_class)__builtin_ctz(m);
        big |= sum[k++] = ip_stats_n(st, c) + ip_stats_n(src, c);
    }
    if (!st->wide && big > UINT16_MAX)
        widen(dst, ip, &st);
    if (units_for(k, st->wide) > st->cap)
        st = rec_move(dst, ip, st, units_for(k, st->wide));
    put_counts(st, sum, k);
    st->mask = mask;
    if (src->first && (st->first == 0 || src->first < st->first))
        st->first = src->first;
    if (src->last > st->last)
        st->last = src->last;
    if (src->rdns && (st->rdns == NULL || pos_before(rdns_pos(src->rdns), rdns_pos(st->rdns))))
        st->rdns = rdns_set(dst, st->rdns, src->rdns, strlen(src->rdns), rdns_pos(src->rdns));
    st->rdns_unknown |= src->rdns_unknown;
    if (src->has_ev)
        ev_note(dst, ip, &st, ip_stats_ev_first(src), dst->pre ? &ev_lines(src)[0] : NULL,
                ip_stats_ev_last(src), dst->pre ? &ev_lines(src)[1] : NULL);
    if (src->asn && (st->asn == 0 || src->asn < st->asn))
        st->asn = src->asn;
}

static void walk_from(const struct agg *a, uint64_t v4, agg_visit_fn *fn, void *ctx);

static void merge_visit(const struct ipaddr *ip, const struct ip_stats *st, void *ctx)
{
    merge_one(ctx, ip, st);
}

/* The n slots of v sorted by address, with tmp (n slots) as room: v or
 * tmp. Three passes of 11 bits, least significant first. */
static struct hslot *sort_slots(struct hslot *v, struct hslot *tmp, size_t n)
{
    enum { BITS = 11, RADIX = 1 << BITS };
    uint32_t at[RADIX];

    for (unsigned shift = 0; shift < 32; shift += BITS) {
        memset(at, 0, sizeof(at));
        for (size_t i = 0; i < n; i++)
            at[(v[i].key >> shift) & (RADIX - 1)]++;
        uint32_t sum = 0;
        for (size_t d = 0; d < RADIX; d++) {
            uint32_t c = at[d];
            at[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[at[(v[i].key >> shift) & (RADIX - 1)]++] = v[i];
        struct hslot *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

/* src's IPv4 records into dst in address order (the rules commute, any
 * order gives the same table): dst's new records are then laid out in
 * address order as well, as the walks of deciding and publishing visit
 * them. Merged in src's hash order, they were scattered, and those walks
 * took 0.15-0.2 s more CPU on the bench file than the sort costs. The
 * records and dst's slots are fetched AHEAD in front. */
static void merge_hindex(struct agg *dst, const struct agg *src)
{
    enum { AHEAD = 16 };
    const struct hindex *h = &src->h;
    size_t n = 0;

    if (h->n == 0)
        return;
    if (dst->sortbuf_n < 2 * h->n) {
        free(dst->sortbuf);
        dst->sortbuf_n = 2 * h->n;
        dst->sortbuf = hugemem_alloc_whole(dst->sortbuf_n * sizeof(*dst->sortbuf));
    }
    struct hslot *buf = dst->sortbuf;
    for (size_t i = 0; i <= h->mask; i++)
        if (h->v[i].ref)
            buf[n++] = h->v[i];
    const struct hslot *v = sort_slots(buf, buf + n, n);
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n) {
            __builtin_prefetch(rec_at(src, v[i + AHEAD].ref));
            if (dst->h.v)
                __builtin_prefetch(&dst->h.v[hindex_home(&dst->h, v[i + AHEAD].key)]);
        }
        struct ipaddr ip;
        ipaddr_set_v4(&ip, v[i].key);
        merge_one(dst, &ip, rec_at(src, v[i].ref));
    }
}

void agg_merge(struct agg *dst, const struct agg *src)
{
    if (dst->pre != src->pre)
        msg_panic("agg_merge: tables with and without evidence lines");
    /* A sealed table's IPv4 records are in its view alone. */
    merge_hindex(dst, src);
    walk_from(src, src->h.v ? (uint64_t)UINT32_MAX + 1 : 0, merge_visit, dst);
    /* src's unpaired queue lines wait in dst for agg_settle. */
    qclient_flush(&src->qclient, &dst->pend);
    for (size_t i = 0; i < src->pend.n; i++)
        qvec_push(&dst->pend, &src->pend.v[i]);
}

bool agg_keeps_lines(const struct agg *a)
{
    return a->pre != 0;
}

void agg_rec_get(const struct agg *a, const struct ip_stats *st, struct agg_rec *r)
{
    memset(r, 0, sizeof(*r));
    ip_stats_counts(st, r->n);
    r->mask = st->mask;
    r->first = st->first;
    r->last = st->last;
    r->ev_first_ts = ip_stats_ev_first(st);
    r->ev_last_ts = ip_stats_ev_last(st);
    if (a->pre) {
        r->ev_first = ev_lines(st)[0];
        r->ev_last = ev_lines(st)[1];
    }
    if (st->rdns) {
        r->rdns = st->rdns;
        r->rdns_n = strlen(st->rdns);
        r->rdns_pos = rdns_pos(st->rdns);
    }
    r->rdns_unknown = st->rdns_unknown;
}

/* r laid out as a table's own record (lines before it, the name behind
 * its position) on the stack, then merged as agg_merge merges one. */
void agg_prefetch(const struct agg *a, const struct ipaddr *ip)
{
    if (ip->family == 4 && a->h.v)
        __builtin_prefetch(&a->h.v[hindex_home(&a->h, ipaddr_v4(ip))]);
}

void agg_put(struct agg *a, const struct ipaddr *ip, const struct agg_rec *r)
{
    union {
        struct ip_stats st;
        char b[2 * sizeof(struct agg_pos) + sizeof(struct ip_stats)
               + 2 * sizeof(int64_t) + (AC__COUNT + 2) * sizeof(uint32_t)];
    } u;
    char name[sizeof(struct agg_pos) + 256];
    char *base = u.b;
    struct ip_stats *st = (struct ip_stats *)(void *)(base + 2 * sizeof(struct agg_pos));
    unsigned k = 0;

    /* merge_one reads a->pre bytes before the record: put st there. */
    st = (struct ip_stats *)(void *)((char *)st - (2 * sizeof(struct agg_pos) - a->pre));
    memset(u.b, 0, sizeof(u.b));
    /* Wide: any count fits; merge_one narrows it in the table if it can. */
    for (uint32_t m = r->mask & ((UINT32_C(1) << AC__COUNT) - 1); m; m &= m - 1, k++)
        memcpy(&st->cnt[WIDE_UNITS + 2 * k], &r->n[__builtin_ctz(m)], sizeof(uint32_t));
    st->mask = r->mask & ((UINT32_C(1) << AC__COUNT) - 1);
    st->wide = true;
    st->cap = (uint8_t)units_for(k, true);
    st->first = r->first;
    st->last = r->last;
    /* Both times or neither (partial.c writes them so). */
    st->has_ev = r->ev_first_ts != INT64_MAX || r->ev_last_ts != INT64_MIN;
    ev_put(st, r->ev_first_ts, r->ev_last_ts);
    st->rdns_unknown = r->rdns_unknown;
    if (a->pre) {
        ev_lines(st)[0] = r->ev_first;
        ev_lines(st)[1] = r->ev_last;
    }
    if (r->rdns) {
        size_t n = r->rdns_n > 255 ? 255 : r->rdns_n;
        memcpy(name, &r->rdns_pos, sizeof(r->rdns_pos));
        memcpy(name + sizeof(r->rdns_pos), r->rdns, n);
        name[sizeof(r->rdns_pos) + n] = 0;
        st->rdns = name + sizeof(r->rdns_pos);
    }
    merge_one(a, ip, st);
}

size_t agg_count(const struct agg *a)
{
    return a->count;
}

bool agg_evidence_lines(const struct agg *a, const struct ip_stats *st,
                        struct agg_pos *first, struct agg_pos *last)
{
    if (a->pre == 0 || !st->has_ev)
        return false;
    *first = ev_lines(st)[0];
    *last = ev_lines(st)[1];
    return true;
}

static const struct ip_stats *view_get(const struct agg *a, const struct sealed *s, uint32_t k)
{
    size_t lo = s->at[k >> 16], hi = s->at[(k >> 16) + 1], end = hi;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->lo[mid] < (k & 0xffff))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < end && s->lo[lo] == (k & 0xffff) ? rec_at(a, s->rec[lo]) : NULL;
}

/* The high 16 bits of entry i < s->n. */
static uint32_t view_high(const struct sealed *s, size_t i)
{
    uint32_t lo = 0, hi = 1 << 16;

    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->at[mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* The n entries of one bucket of a view (low bits, names) sorted by their
 * low bits, with tmp (2 x n) as room: by insertion if few, else two
 * radix passes of 8 bits on the entries packed into 64 bits. */
static void view_sort_bucket(uint16_t *lo, uint32_t *rec, size_t n, uint64_t *tmp)
{
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint16_t k = lo[i];
            uint32_t r = rec[i];
            size_t j = i;
            for (; j > 0 && lo[j - 1] > k; j--)
                lo[j] = lo[j - 1], rec[j] = rec[j - 1];
            lo[j] = k, rec[j] = r;
        }
        return;
    }
    uint64_t *v = tmp, *t = tmp + n;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint64_t)lo[i] << 32 | rec[i];
    for (unsigned shift = 32; shift < 48; shift += 8) {
        size_t at[256] = { 0 };
        for (size_t i = 0; i < n; i++)
            at[(v[i] >> shift) & 255]++;
        size_t sum = 0;
        for (size_t d = 0; d < 256; d++) {
            size_t c = at[d];
            at[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            t[at[(v[i] >> shift) & 255]++] = v[i];
        uint64_t *x = v;
        v = t;
        t = x;
    }
    for (size_t i = 0; i < n; i++)
        lo[i] = (uint16_t)(v[i] >> 32), rec[i] = (uint32_t)v[i];
}

/* a's IPv4 index in address order, built if it is not (NULL if a has no
 * IPv4 address): the slots dealt into buckets by their high 16 bits, each
 * bucket sorted by the low 16. 6 bytes an address, where the slots and a
 * copy to sort them by radix would take 16 on top of the index. The view
 * is a cache of the index, kept in a const table. */
static const struct sealed *view(const struct agg *ca)
{
    struct agg *a = (struct agg *)ca;
    const struct hindex *h = &a->h;

    if (a->view || h->n == 0)
        return a->view;
    struct sealed *s = xcalloc(1, sizeof(*s));
    s->n = h->n;
    s->lo = hugemem_alloc_whole(s->n * sizeof(*s->lo));
    s->rec = hugemem_alloc_whole(s->n * sizeof(*s->rec));
    for (size_t i = 0; i <= h->mask; i++)
        if (h->v[i].ref)
            s->at[(h->v[i].key >> 16) + 1]++;
    size_t most = 0;
    for (size_t b = 0; b < 1 << 16; b++) {
        most = s->at[b + 1] > most ? s->at[b + 1] : most;
        s->at[b + 1] += s->at[b];
    }
    uint32_t *next = xmalloc((1 << 16) * sizeof(*next));
    memcpy(next, s->at, (1 << 16) * sizeof(*next));
    for (size_t i = 0; i <= h->mask; i++)
        if (h->v[i].ref) {
            uint32_t j = next[h->v[i].key >> 16]++;
            s->lo[j] = (uint16_t)h->v[i].key;
            s->rec[j] = h->v[i].ref;
        }
    free(next);
    uint64_t *tmp = xmalloc(2 * most * sizeof(*tmp));
    for (size_t b = 0; b < 1 << 16; b++)
        view_sort_bucket(s->lo + s->at[b], s->rec + s->at[b], s->at[b + 1] - s->at[b], tmp);
    free(tmp);
    a->view = s;
    return s;
}

const struct ip_stats *agg_lookup(const struct agg *a, const struct ipaddr *ip0)
{
    PWord_t pv;
    struct ipaddr un = *ip0;
    const struct ipaddr *ip = &un;

    ipaddr_unmap(&un);
    if (a->no_index)
        msg_panic("agg_lookup: the index was dropped");
    if (ip->family == 4 && a->h.v) {
        uint32_t ref = hindex_find(&a->h, ipaddr_v4(ip))->ref;
        return ref ? rec_at(a, ref) : NULL;
    }
    if (ip->family == 4)
        return a->view ? view_get(a, a->view, ipaddr_v4(ip)) : NULL;
    PWord_t inner;
    JLG(inner, a->v6, (Word_t)ipaddr_v6_hi(ip));
    if (inner == NULL)
        return NULL;
    JLG(pv, *(Pvoid_t *)inner, (Word_t)ipaddr_v6_lo(ip));
    return pv ? rec_at(a, (uint32_t)*pv) : NULL;
}


/* IPv6 outer key hi is done: the next one, from its first inner key. */
static void v6_next_outer(struct agg_cursor *c, Word_t hi)
{
    c->hi = (uint64_t)hi + 1, c->lo = 0;
    c->v6_done = hi == (Word_t)UINT64_MAX;
}

/* The first key of m at or past *k, into *k; its slot or NULL. A walk
 * asks for the key after the last one it took, which is rarely in m:
 * JudyLNext from the one before skips JudyLFirst's failed JudyLGet. */
static PWord_t first_from(Pcvoid_t m, Word_t *k)
{
    PWord_t pv;

    if (*k == 0) {
        JLF(pv, m, *k);
    } else {
        --*k;
        JLN(pv, m, *k);
    }
    return pv;
}

size_t agg_collect(const struct agg *a, struct agg_cursor *c, struct ipaddr *ip,
                   const struct ip_stats **st, size_t max)
{
    size_t n = 0;
    PWord_t pv, inner;

    if (a->no_index)
        msg_panic("agg_collect: the index was dropped");
    /* IPv4: c->v4 is a place in the view. */
    if (c->v4 <= UINT32_MAX) {
        const struct sealed *s = view(a);
        size_t i = (size_t)c->v4, end = s ? s->n : 0;
        uint32_t h = i < end ? view_high(s, i) : 0;
        for (; n < max && i < end; n++, i++) {
            while (s->at[h + 1] <= i)
                h++;
            ipaddr_set_v4(&ip[n], h << 16 | s->lo[i]);
            st[n] = rec_at(a, s->rec[i]);
        }
        c->v4 = i < end ? i : (uint64_t)UINT32_MAX + 1;
    }
    while (n < max && !c->v6_done) {
        Word_t hi = (Word_t)c->hi, lo = (Word_t)c->lo;
        /* c->hi is a key of the outer array with c->lo past the last
         * record taken from it, or the key after one finished (lo 0). */
        JLF(inner, a->v6, hi);
        if (inner == NULL) {
            c->v6_done = true;
            break;
        }
        pv = first_from(*(Pvoid_t *)inner, &lo);
        if (pv == NULL) {
            v6_next_outer(c, hi);
            continue;
        }
        ipaddr_set_v6(&ip[n], (uint64_t)hi, (uint64_t)lo);
        st[n++] = rec_at(a, (uint32_t)*pv);
        if (lo == (Word_t)UINT64_MAX)
            v6_next_outer(c, hi);
        else
            c->hi = hi, c->lo = (uint64_t)lo + 1;
    }
    return n;
}

/* agg_update from IPv4 key v4 on (UINT32_MAX + 1: IPv6 alone). */
static void update_from(struct agg *a, uint64_t v4, agg_update_fn *fn, void *ctx)
{
    /* The records lie scattered in the arena: the walk collects keys a
     * batch at a time and fetches records AHEAD visits in front. The
     * callbacks change records, never keys, so the cursor holds. */
    enum { BATCH = 64, AHEAD = 8 };
    struct agg_cursor cur = { .v4 = v4 };
    struct ipaddr ip[BATCH];
    const struct ip_stats *st[BATCH];
    size_t n;

    while ((n = agg_collect(a, &cur, ip, st, BATCH)) > 0) {
        for (size_t i = 0; i < n && i < AHEAD; i++)
            __builtin_prefetch(st[i]);
        for (size_t i = 0; i < n; i++) {
            if (i + AHEAD < n)
                __builtin_prefetch(st[i + AHEAD]);
            fn(&ip[i], (struct ip_stats *)st[i], ctx);     /* a's own records */
        }
    }
}

void agg_update(struct agg *a, agg_update_fn *fn, void *ctx)
{
    update_from(a, 0, fn, ctx);
}

struct ro_walk {
    agg_visit_fn *fn;
    void *ctx;
};

static void ro_visit(const struct ipaddr *ip, struct ip_stats *st, void *ctx)
{
    struct ro_walk *w = ctx;

    w->fn(ip, st, w->ctx);
}

static void walk_from(const struct agg *a, uint64_t v4, agg_visit_fn *fn, void *ctx)
{
    struct ro_walk w = { fn, ctx };

    /* The walk itself writes nothing; only agg_update's callbacks may. */
    update_from((struct agg *)a, v4, ro_visit, &w);
}

void agg_walk(const struct agg *a, agg_visit_fn *fn, void *ctx)
{
    walk_from(a, 0, fn, ctx);
}

void agg_visit(const struct agg *a, agg_visit_fn *fn, void *ctx)
{
    const struct hindex *h = &a->h;

    if (a->no_index)
        msg_panic("agg_visit: the index was dropped");
    if (h->v == NULL) {
        walk_from(a, 0, fn, ctx);
        return;
    }
    for (size_t i = 0; h->n && i <= h->mask; i++)
        if (h->v[i].ref) {
            struct ipaddr ip;
            ipaddr_set_v4(&ip, h->v[i].key);
            fn(&ip, rec_at(a, h->v[i].ref), ctx);
        }
    walk_from(a, (uint64_t)UINT32_MAX + 1, fn, ctx);
}

size_t agg_memory(const struct agg *a)
{
    return a->mem.total + a->names.total;
}

static void free_keys(struct agg *a)
{
    Word_t hi = 0;
    PWord_t inner;

    JLF(inner, a->v6, hi);
    while (inner) {
        JudyLFreeArray((PPvoid_t)inner, PJE0);
        JLN(inner, a->v6, hi);
    }
    JudyLFreeArray(&a->v6, PJE0);
}

/* v[0..n) grouped in place by the bits of their keys from shift up,
 * nb = 2^bits groups (American flag sort); the groups' bounds into
 * at[0..nb]. */
static void flag_sort(struct hslot *v, size_t n, unsigned shift, unsigned bits, uint32_t *at,
                      uint32_t *next)
{
    uint32_t nb = UINT32_C(1) << bits, m = nb - 1;

    memset(at, 0, (nb + 1) * sizeof(*at));
    for (size_t i = 0; i < n; i++)
        at[((v[i].key >> shift) & m) + 1]++;
    for (uint32_t b = 0; b < nb; b++)
        at[b + 1] += at[b];
    memcpy(next, at, nb * sizeof(*next));
    for (uint32_t b = 0; b < nb; b++)
        while (next[b] < at[b + 1]) {
            struct hslot e = v[next[b]];
            uint32_t d = (e.key >> shift) & m;
            while (d != b) {
                struct hslot t = v[next[d]];
                v[next[d]++] = e;
                e = t;
                d = (e.key >> shift) & m;
            }
            v[next[b]++] = e;
        }
}

static void insertion_sort(struct hslot *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct hslot e = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1].key > e.key; j--)
            v[j] = v[j - 1];
        v[j] = e;
    }
}

/* The view made of the hash's own memory, which it frees: the slots
 * moved to its front and sorted in place (by the high 16 bits, then each
 * bucket by the next 8 and the last 8), the names left at the front and
 * the rest given back. Only the low 16 bits need room of their own, 2
 * bytes an address, where view() needs 6 beside the hash. */
static void seal_in_place(struct agg *a)
{
    struct hindex *h = &a->h;
    struct hslot *v = h->v;
    size_t n = 0;

    for (size_t i = 0; i <= h->mask; i++)
        if (v[i].ref)
            v[n++] = v[i];
    struct sealed *s = xcalloc(1, sizeof(*s));
    uint32_t *next = xmalloc((1 << 16) * sizeof(*next));
    uint32_t at[257], next8[256];
    flag_sort(v, n, 16, 16, s->at, next);
    free(next);
    for (size_t b = 0; b < 1 << 16; b++) {
        struct hslot *w = v + s->at[b];
        size_t m = s->at[b + 1] - s->at[b];
        if (m <= 32) {
            insertion_sort(w, m);
            continue;
        }
        flag_sort(w, m, 8, 8, at, next8);
        for (size_t c = 0; c < 256; c++)
            insertion_sort(w + at[c], at[c + 1] - at[c]);
    }
    s->n = n;
    s->lo = hugemem_alloc_whole(n * sizeof(*s->lo));
    for (size_t i = 0; i < n; i++)
        s->lo[i] = (uint16_t)v[i].key;
    /* The names to the front, 4 bytes over 8: none is overwritten
     * before it is read. */
    uint32_t *rec = (uint32_t *)(void *)v;
    for (size_t i = 0; i < n; i++)
        rec[i] = v[i].ref;
    s->rec = xrealloc(rec, n * sizeof(*rec));
    memset(h, 0, sizeof(*h));
    a->view = s;
}

bool agg_seal(struct agg *a)
{
    free(a->sortbuf);           /* no merge into a table being decided */
    a->sortbuf = NULL;
    a->sortbuf_n = 0;
    if (a->sealed || a->no_index || a->h.n == 0)
        return false;
    if (a->view) {
        free(a->h.v);
        memset(&a->h, 0, sizeof(a->h));
    } else {
        seal_in_place(a);
    }
    a->sealed = true;
    return true;
}

void agg_drop_index(struct agg *a)
{
    free_keys(a);
    view_free(a);
    free(a->h.v);
    memset(&a->h, 0, sizeof(a->h));
    a->no_index = true;
    judy_mem_release();
}

void agg_clear(struct agg *a)
{
    free_keys(a);
    view_free(a);
    a->no_index = false;
    a->sealed = false;
    qtab_clear(&a->qclient);
    a->pend.n = 0;
    arena_reset(&a->mem);
    arena_reset(&a->names);
    a->nblk = 0;
    if (a->recent)
        memset(a->recent, 0, ((size_t)1 << RECENT_BITS) * sizeof(*a->recent));
    if (a->recent6)
        memset(a->recent6, 0, ((size_t)1 << RECENT6_BITS) * sizeof(*a->recent6));
    if (a->h.n)
        memset(a->h.v, 0, (a->h.mask + 1) * sizeof(*a->h.v));
    a->h.n = 0;
    memset(a->free, 0, sizeof(a->free));
    memset(&a->rdns_hi, 0, sizeof(a->rdns_hi));
    a->count = 0;
}

void agg_free(struct agg *a)
{
    if (a == NULL)
        return;
    free_keys(a);
    view_free(a);
    free(a->qclient.v);
    free(a->pend.v);
    arena_free(&a->mem);
    arena_free(&a->names);
    free(a->recent);
    free(a->recent6);
    free(a->h.v);
    free(a->blk);
    free(a->sortbuf);
    free(a);
}

void **agg_map_ins(agg_map *m, uint64_t key)
{
    PWord_t pv;

    JLI(pv, *m, (Word_t)key);
    if (pv == PJERR)
        msg_fatal("out of memory in Judy array");
    return (void **)pv;
}

void *agg_map_get(agg_map m, uint64_t key)
{
    PWord_t pv;

    JLG(pv, m, (Word_t)key);
    return pv ? *(void **)pv : NULL;
}

bool agg_map_next(agg_map m, uint64_t *key, void **val, bool first)
{
    PWord_t pv;
    Word_t k = (Word_t)*key;

    if (first) {
        JLF(pv, m, k);
    } else {
        JLN(pv, m, k);
    }
    if (pv == NULL)
        return false;
    *key = k;
    *val = *(void **)pv;
    return true;
}

size_t agg_map_count(agg_map m)
{
    Word_t n;

    JLC(n, m, 0, -1);
    return (size_t)n;
}

void agg_map_free(agg_map *m)
{
    JudyLFreeArray((PPvoid_t)m, PJE0);
}
