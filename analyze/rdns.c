/* rDNS classes from logged host names; see rdns.h and rblforge(1). */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "rdns.h"
#include "msg.h"

enum { MAXNAME = 255, MAXRUNS = 32 };

static const char *const class_names[RDNS__COUNT] = {
    [RDNS_NONE] = "none", [RDNS_FCRDNS_FAIL] = "fcrdns_fail",
    [RDNS_DYNAMIC] = "dynamic", [RDNS_STATIC_GENERIC] = "static-generic",
    [RDNS_NAMED] = "named", [RDNS_UNLOGGED] = "unlogged",
};

const char *rdns_class_name(enum rdns_class c)
{
    return (unsigned)c < RDNS__COUNT ? class_names[c] : "?";
}

int rdns_class_lookup(const char *name)
{
    if (strcmp(name, "static_generic") == 0)
        return RDNS_STATIC_GENERIC;
    for (int i = 0; i < RDNS__COUNT; i++)
        if (strcmp(class_names[i], name) == 0)
            return i;
    return -1;
}

/* Words of access networks: end users, not servers. Whole alphabetic
 * tokens; "dyn*", "dial*" and "*dsl" match as prefixes/suffixes. */
static const char *const access_words[] = {
    "dynamic", "dynip", "dsl", "dhcp", "pool", "pools", "ppp", "pppoe", "pppoa",
    "dialup", "dip", "cpe", "broadband", "bband", "client", "clients", "clienti",
    "cliente", "customer", "customers", "cust", "home", "user", "users", "resi",
    "residential", "cable", "cablemodem", "kabel", "hsd", "hfc", "catv", "ftth",
    "fttx", "fttp", "fttb", "fios", "lightspeed", "wireless", "wifi", "wlan",
    "mobile", "gprs", "umts", "lte", "abo", "subscriber", "dinamico", "dinamica",
    "dinamic", "pcs", "adsl", NULL,
};
/* Words that say the generic name is a fixed assignment. */
static const char *const static_words[] = {
    "static", "sta", "stat", "fixed", "fix", "ded", "dedicated", "dedi", "biz",
    "business", "colo", NULL,
};
/* Words of mail servers: such a name is an MTA's even when it embeds the
 * address (Outlook's mail-oln040092066042..., Facebook's 66-220-155-151.mail-mail...). */
static const char *const mail_words[] = {
    "mail", "mails", "email", "mailer", "mx", "mxs", "mxout", "smtp", "smtps",
    "esmtp", "smtpout", "mta", "mtas", "relay", "relays", "mailrelay", "out",
    "outbound", "outgoing", "mailout", "mout", "mailgw", "mailhost", "postfix",
    "exim", "sendmail", "bounce", "bounces", "inbound", "newsletter", "lists",
    "mxgw", "mailserver", NULL,
};
/* Second-level labels under which registrations sit one level deeper
 * (example.co.uk, example.com.br). */
static const char *const sld_words[] = {
    "com", "net", "org", "co", "ac", "gov", "edu", "ne", "or", "ad", "go", "gr",
    "ltd", "plc", "nom", "biz", "info", NULL,
};

/* A word list with, per first letter and per length, the entries that
 * start with it or have it (a bit each): a host name's tokens are looked
 * up in three lists for every address decided, and scanning whole lists
 * was most of the test. */
enum { WL_SLD, WL_ACCESS, WL_STATIC, WL_MAIL, WL__COUNT };
static const char *const *const word_lists[WL__COUNT] = {
    [WL_SLD] = sld_words, [WL_ACCESS] = access_words,
    [WL_STATIC] = static_words, [WL_MAIL] = mail_words,
};
enum { WORD_MAX = 63 };
static uint64_t by_first[WL__COUNT][26];
static uint64_t by_len[WL__COUNT][WORD_MAX + 1];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void index_lists(void)
{
    for (int l = 0; l < WL__COUNT; l++)
        for (unsigned i = 0; word_lists[l][i]; i++) {
            unsigned c = (unsigned char)word_lists[l][i][0] - 'a';
            size_t n = strlen(word_lists[l][i]);
            if (i >= 64 || c >= 26 || n > WORD_MAX)
                msg_fatal("rdns: word list %d: entry %u (\"%s\") not indexable", l, i,
                          word_lists[l][i]);
            by_first[l][c] |= UINT64_C(1) << i;
            by_len[l][n] |= UINT64_C(1) << i;
        }
}

/* The same bytes? For a token and a word of the same short length: a
 * loop inline, where memcmp was a call for every candidate. */
static bool same_bytes(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Is w[0..n) in list l? The lists are indexed (load_name sees to it). */
static bool in_list(int l, const char *w, size_t n)
{
    unsigned c = (unsigned char)w[0] - 'a';

    if (n == 0 || n > WORD_MAX || c >= 26)
        return false;           /* every entry starts with a letter */
    for (uint64_t m = by_first[l][c] & by_len[l][n]; m; m &= m - 1)
        if (same_bytes(word_lists[l][__builtin_ctzll(m)], w, n))
            return true;
    return false;
}

struct digit_run {
    uint64_t v;
    unsigned len;
};

/* A set of a name's byte positions, a bit each. */
struct posset {
    uint64_t w[(MAXNAME + 1 + 63) / 64];
};

struct name {
    char s[MAXNAME + 1];
    size_t n;                   /* whole name, lower case */
    size_t host;                /* bytes before the registered domain */
    size_t notld;               /* bytes before the top-level label */
    struct posset dot, digit, letter;   /* where s[] has them */
    struct posset hexletter;            /* a to f */
};

/* The first position at or after from (at most lim), below lim, that is
 * (set) or is not (!set) in m; lim if none. */
static inline size_t posset_next(const struct posset *m, size_t from, size_t lim, bool set)
{
    size_t k = from / 64;
    uint64_t w = (set ? m->w[k] : ~m->w[k]) & ~UINT64_C(0) << (from % 64);

    while (w == 0) {
        if (++k * 64 >= lim)
            return lim;
        w = set ? m->w[k] : ~m->w[k];
    }
    size_t at = k * 64 + (size_t)__builtin_ctzll(w);
    return at < lim ? at : lim;
}

/* The next run of m's positions at or after *from, below lim: its start
 * and end into *from and *to; false if none. */
static inline bool posset_run(const struct posset *m, size_t *from, size_t *to, size_t lim)
{
    size_t i = posset_next(m, *from, lim, true);

    if (i >= lim)
        return false;
    *from = i;
    *to = posset_next(m, i, lim, false);
    return true;
}

#ifdef __SSE2__
/* Bytes p[0..16) lower-cased into out, and which are dots, digits and
 * letters (after lower-casing) as bits. */
static void lower16(const char *p, char *out, unsigned *dot, unsigned *digit, unsigned *letter,
                    unsigned *hexletter)
{
    __m128i c = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* Signed compares: bytes from 0x80 are below every bound. */
    __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('A' - 1)),
                                  _mm_cmplt_epi8(c, _mm_set1_epi8('Z' + 1)));
    c = _mm_or_si128(c, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
    _mm_storeu_si128((__m128i *)(void *)out, c);
    *dot = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(c, _mm_set1_epi8('.')));
    *digit = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)),
                                                       _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1))));
    *letter = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('a' - 1)),
                                                        _mm_cmplt_epi8(c, _mm_set1_epi8('z' + 1))));
    *hexletter = (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('a' - 1)),
                      _mm_cmplt_epi8(c, _mm_set1_epi8('f' + 1))));
}
#else
static void lower16(const char *p, char *out, unsigned *dot, unsigned *digit, unsigned *letter,
                    unsigned *hexletter)
{
    *dot = *digit = *letter = *hexletter = 0;
    for (unsigned i = 0; i < 16; i++) {
        char c = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
        out[i] = c;
        *dot |= (unsigned)(c == '.') << i;
        *digit |= (unsigned)(c >= '0' && c <= '9') << i;
        *letter |= (unsigned)(c >= 'a' && c <= 'z') << i;
        *hexletter |= (unsigned)(c >= 'a' && c <= 'f') << i;
    }
}
#endif

static bool load_name(struct name *nm, struct span h)
{
    size_t n = h.n > MAXNAME ? MAXNAME : h.n;

    /* Once per name rather than per word looked up (in_list). */
    pthread_once(&by_first_once, index_lists);

    while (n && h.p[n - 1] == '.')
        n--;
    /* Sixteen bytes a step, the last step from a copy: nothing is read
     * past the name. Which bytes are dots, digits and letters is kept for
     * the tests below, which walk those sets instead of every byte (a
     * third of the decide phase's instructions went to these tests). */
    nm->dot = nm->digit = nm->letter = nm->hexletter = (struct posset){ { 0 } };
    for (size_t i = 0; i < n; i += 16) {
        char tail[16] = { 0 };
        const char *p = h.p + i;
        if (n - i < 16)
            p = memcpy(tail, p, n - i);
        unsigned d, g, l, x, keep = n - i < 16 ? (1u << (n - i)) - 1 : 0xffffu;
        lower16(p, nm->s + i, &d, &g, &l, &x);
        nm->dot.w[i / 64] |= (uint64_t)(d & keep) << (i % 64);
        nm->digit.w[i / 64] |= (uint64_t)(g & keep) << (i % 64);
        nm->letter.w[i / 64] |= (uint64_t)(l & keep) << (i % 64);
        nm->hexletter.w[i / 64] |= (uint64_t)(x & keep) << (i % 64);
    }
    nm->s[n] = 0;
    nm->n = n;
    /* Label starts, from the right. */
    size_t dots[4] = { 0 }, nd = 0;
    for (size_t k = sizeof(nm->dot.w) / sizeof(nm->dot.w[0]); k-- > 0 && nd < 4;)
        for (uint64_t w = nm->dot.w[k]; w && nd < 4; w &= ~(UINT64_C(1) << (63 - __builtin_clzll(w))))
            dots[nd++] = k * 64 + 63 - (size_t)__builtin_clzll(w);
    if (nd == 0)
        return false;           /* a bare label: nothing to say */
    nm->notld = dots[0];
    /* The registered domain: two labels, three under a known SLD with a
     * two-letter TLD. */
    size_t keep = 2;
    if (n - dots[0] - 1 == 2 && nd >= 2
        && in_list(WL_SLD, nm->s + dots[1] + 1, dots[0] - dots[1] - 1))
        keep = 3;
    nm->host = nd >= keep ? dots[keep - 1] : 0;
    return true;
}

size_t rdns_family(struct span host, char *out, size_t cap)
{
    struct name nm;

    if (cap == 0)
        return 0;
    out[0] = 0;
    if (!load_name(&nm, host))
        return 0;
    const char *f = nm.s + (nm.host ? nm.host + 1 : 0);
    size_t n = nm.n - (size_t)(f - nm.s);
    bool alpha = false;
    for (size_t i = 0; i < n; i++) {
        char c = f[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
            return 0;
        alpha |= c >= 'a' && c <= 'z';
    }
    if (!alpha || n == 0 || n >= cap)
        return 0;               /* an address literal has no family */
    memcpy(out, f, n);
    out[n] = 0;
    return n;
}

/* Decimal runs of nm->s[0..n). */
static size_t digit_runs(const struct name *nm, size_t n, struct digit_run *r)
{
    size_t k = 0;

    for (size_t i = 0, j; k < MAXRUNS && posset_run(&nm->digit, &i, &j, n); i = j) {
        uint64_t v = 0;
        unsigned len = (unsigned)(j - i);
        for (size_t x = i; x < j && x < i + 19; x++)
            v = v * 10 + (uint64_t)(nm->s[x] - '0');
        r[k++] = (struct digit_run){ v, len };
    }
    return k;
}

static bool runs_match(const struct digit_run *r, const unsigned *oct, int k)
{
    for (int i = 0; i < k; i++)
        if (r[i].len > 3 || r[i].v != oct[i])
            return false;
    return true;
}

static const char hex_digits[] = "0123456789abcdef";

/* v as eight lower-case hex digits ("%08x"): once or twice per address
 * decided, where snprintf cost more than the rest of the test. */
static void hex8(char out[8], uint32_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 4)
        out[i] = hex_digits[v & 15];
}

/* v < 65536 as "%x": its length. */
static size_t hex_group(char *out, unsigned v)
{
    size_t n = v >= 0x1000 ? 4 : v >= 0x100 ? 3 : v >= 0x10 ? 2 : 1;

    for (size_t i = n; i-- > 0; v >>= 4)
        out[i] = hex_digits[v & 15];
    return n;
}

/* Does the name carry the IPv4 address a: a.b.c.d, d.c.b.a (any
 * separators, zero padding allowed), the last three octets in either
 * order, twelve zero-padded digits, the 32-bit decimal, or eight hex
 * digits? */
static bool embeds_v4(const struct name *nm, uint32_t a)
{
    unsigned f[4] = { a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255 };
    unsigned r[4] = { f[3], f[2], f[1], f[0] };
    unsigned f3[3] = { f[1], f[2], f[3] }, r3[3] = { f[3], f[2], f[1] };
    struct digit_run run[MAXRUNS];
    size_t k = digit_runs(nm, nm->notld, run);

    for (size_t i = 0; i < k; i++) {
        if (i + 4 <= k && (runs_match(run + i, f, 4) || runs_match(run + i, r, 4)))
            return true;
        if (i + 3 <= k && (runs_match(run + i, f3, 3) || runs_match(run + i, r3, 3)))
            return true;
        if (run[i].len == 12) {
            uint64_t v = run[i].v;
            unsigned o[4];
            for (int j = 3; j >= 0; j--, v /= 1000)
                o[j] = (unsigned)(v % 1000);
            if (memcmp(o, f, sizeof(o)) == 0 || memcmp(o, r, sizeof(o)) == 0)
                return true;
        }
        if (run[i].len >= 7 && run[i].len <= 10 && run[i].v == a)
            return true;
    }
    /* Eight hex digits need a run of eight: most names have none. */
    struct posset hex;
    bool run8 = false;
    for (size_t i = 0; i < sizeof(hex.w) / sizeof(hex.w[0]); i++)
        hex.w[i] = nm->digit.w[i] | nm->hexletter.w[i];
    for (size_t i = 0, j; !run8 && posset_run(&hex, &i, &j, nm->notld); i = j)
        run8 = j - i >= 8;
    if (!run8)
        return false;
    char hex8a[8], rhex[8];
    hex8(hex8a, a);
    hex8(rhex, r[0] << 24 | r[1] << 16 | r[2] << 8 | r[3]);
    return memmem(nm->s, nm->notld, hex8a, 8) || memmem(nm->s, nm->notld, rhex, 8);
}

/* IPv6: the last four groups of the address as hex runs, in order (as in
 * 2001-db8-0-0-1-2-3-4.dyn.example). */
static bool embeds_v6(const struct name *nm, const struct ipaddr *ip)
{
    char want[40];
    size_t w = 0;

    for (int g = 4; g < 8; g++) {
        if (g > 4)
            want[w++] = '-';
        w += hex_group(want + w, (unsigned)(ip->b[2 * g] << 8 | ip->b[2 * g + 1]));
    }
    if (w < 9)
        return false;           /* ::1-style tails say too little */
    char norm[MAXNAME + 1];
    for (size_t i = 0; i < nm->notld; i++)
        norm[i] = nm->s[i] == '.' || nm->s[i] == ':' || nm->s[i] == '_' ? '-' : nm->s[i];
    return memmem(norm, nm->notld, want, w) != NULL;
}

struct words {
    bool access, stat, mail, digits, longrun;
};

static void scan_words(const struct name *nm, struct words *w)
{
    const char *s = nm->s;
    size_t n = nm->host;

    memset(w, 0, sizeof(*w));
    for (size_t i = 0, j; posset_run(&nm->digit, &i, &j, n); i = j) {
        w->digits = true;
        if (j - i >= 5)
            w->longrun = true;
    }
    for (size_t i = 0, j; posset_run(&nm->letter, &i, &j, n); i = j) {
        const char *t = s + i;
        size_t tn = j - i;
        if (in_list(WL_ACCESS, t, tn) || (tn >= 3 && memcmp(t, "dyn", 3) == 0)
            || (tn >= 4 && memcmp(t, "dial", 4) == 0)
            || (tn >= 3 && tn <= 5 && memcmp(t + tn - 3, "dsl", 3) == 0))
            w->access = true;
        /* memmem finds nothing in fewer bytes than it looks for: most
         * tokens are shorter, and the call is skipped. */
        if (in_list(WL_STATIC, t, tn) || (tn >= 6 && memmem(t, tn, "static", 6))
            || (tn >= 8 && memmem(t, tn, "business", 8)))
            w->stat = true;
        if (in_list(WL_MAIL, t, tn))
            w->mail = true;
    }
}

enum rdns_class rdns_classify(struct span host, const struct ipaddr *ip)
{
    struct name nm;
    struct words w;

    if (!load_name(&nm, host))
        return RDNS_NAMED;
    scan_words(&nm, &w);
    bool emb = ip->family == 4 ? embeds_v4(&nm, ipaddr_v4(ip))
             : ip->family == 6 ? embeds_v6(&nm, ip) : false;
    if (w.stat && (emb || w.longrun))
        return RDNS_STATIC_GENERIC;
    if (w.access && w.digits && (emb || !w.mail))
        return RDNS_DYNAMIC;
    if (emb && !w.mail)
        return RDNS_DYNAMIC;
    return RDNS_NAMED;
}

enum rdns_class rdns_of(const struct ipaddr *ip, const struct ip_stats *st)
{
    if (ip_stats_n(st, AC_RDNS_FAIL))
        return RDNS_FCRDNS_FAIL;
    if (st->rdns == NULL)
        return st->rdns_unknown ? RDNS_NONE : RDNS_UNLOGGED;
    return rdns_classify(span_make(st->rdns, strlen(st->rdns)), ip);
}
