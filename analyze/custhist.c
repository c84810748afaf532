/* The customers' history across nights; see custhist.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "custhist.h"
#include "atomic.h"
#include "msg.h"
#include "outbuf.h"
#include "state_input.h"
#include "xalloc.h"

#define MAGIC "rblforge-customers 1\n"
#define MAX_BYTES (256u << 20)

struct hkey {
    char *key;
    int32_t first, last;        /* UTC day numbers */
};

struct hday {
    int32_t day;
    uint64_t n;
};

struct hent {
    int kind;
    char *name;
    struct hday *d;             /* by day */
    size_t nd, capd;
    struct hkey *k;             /* by key */
    size_t nk, capk;
    int32_t hour_last[24];      /* 0: never */
};

struct custhist {
    int32_t today;
    struct hent **e;            /* by kind, then name */
    size_t n, cap;
};

static int32_t day_of(int64_t t)
{
    return (int32_t)((t - ((t % 86400) + 86400) % 86400) / 86400);
}

struct custhist *custhist_new(int64_t now)
{
    struct custhist *h = xcalloc(1, sizeof(*h));
    h->today = day_of(now);
    return h;
}

void custhist_free(struct custhist *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < h->n; i++) {
        for (size_t k = 0; k < h->e[i]->nk; k++)
            free(h->e[i]->k[k].key);
        free(h->e[i]->k);
        free(h->e[i]->d);
        free(h->e[i]->name);
        free(h->e[i]);
    }
    free(h->e);
    free(h);
}

/* The index of (kind, name), or where it would go (*found false). */
static size_t find(const struct custhist *h, int kind, const char *name, bool *found)
{
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = h->e[mid]->kind != kind ? (h->e[mid]->kind < kind ? -1 : 1)
            : strcmp(h->e[mid]->name, name);
        if (d == 0) {
            *found = true;
            return mid;
        }
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static const struct hent *lookup(const struct custhist *h, int kind, const char *name)
{
    bool found;
    size_t i = find(h, kind, name, &found);
    return found ? h->e[i] : NULL;
}

static struct hent *entity(struct custhist *h, int kind, const char *name)
{
    bool found;
    size_t i = find(h, kind, name, &found);
    if (found)
        return h->e[i];
    h->e = xgrow(h->e, &h->cap, h->n + 1, sizeof(*h->e));
    memmove(h->e + i + 1, h->e + i, (h->n - i) * sizeof(*h->e));
    h->n++;
    struct hent *e = xcalloc(1, sizeof(*e));
    e->kind = kind;
    e->name = xstrdup(name);
    return h->e[i] = e;
}

static struct hkey *key_slot(struct hent *e, const char *key, bool create)
{
    size_t lo = 0, hi = e->nk;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(e->k[mid].key, key);
        if (d == 0)
            return &e->k[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!create)
        return NULL;
    e->k = xgrow(e->k, &e->capk, e->nk + 1, sizeof(*e->k));
    memmove(e->k + lo + 1, e->k + lo, (e->nk - lo) * sizeof(*e->k));
    e->nk++;
    e->k[lo] = (struct hkey){ xstrdup(key), 0, 0 };
    return &e->k[lo];
}

static struct hday *day_slot(struct hent *e, int32_t day)
{
    size_t i = e->nd;
    while (i > 0 && e->d[i - 1].day > day)
        i--;
    if (i > 0 && e->d[i - 1].day == day)
        return &e->d[i - 1];
    e->d = xgrow(e->d, &e->capd, e->nd + 1, sizeof(*e->d));
    memmove(e->d + i + 1, e->d + i, (e->nd - i) * sizeof(*e->d));
    e->nd++;
    e->d[i] = (struct hday){ day, 0 };
    return &e->d[i];
}

bool custhist_known_entity(const struct custhist *h, int kind, const char *name)
{
    const struct hent *e = h ? lookup(h, kind, name) : NULL;
    return e && e->nd && e->d[0].day < h->today;
}

bool custhist_known(const struct custhist *h, int kind, const char *name, const char *key)
{
    const struct hent *e = h ? lookup(h, kind, name) : NULL;
    const struct hkey *k = e ? key_slot((struct hent *)e, key, false) : NULL;
    return k && k->first < h->today;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

double custhist_median(const struct custhist *h, int kind, const char *name, size_t *ndays)
{
    const struct hent *e = h ? lookup(h, kind, name) : NULL;
    size_t n = 0;

    *ndays = 0;
    if (e == NULL)
        return 0;
    uint64_t *v = xmalloc((e->nd ? e->nd : 1) * sizeof(*v));
    for (size_t i = 0; i < e->nd; i++)
        if (e->d[i].day < h->today)
            v[n++] = e->d[i].n;
    double m = 0;
    if (n) {
        qsort(v, n, sizeof(*v), cmp_u64);
        m = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
    }
    free(v);
    *ndays = n;
    return m;
}

uint32_t custhist_unusual_hours(const struct custhist *h, int kind, const char *name,
                                uint32_t mask)
{
    const struct hent *e = h ? lookup(h, kind, name) : NULL;
    uint32_t r = 0;
    if (e == NULL || !custhist_known_entity(h, kind, name))
        return 0;
    for (int i = 0; i < 24; i++)
        if ((mask & (1u << i)) && (e->hour_last[i] == 0 || e->hour_last[i] >= h->today))
            r |= 1u << i;
    return r;
}

void custhist_record(struct custhist *h, int kind, const char *name, uint64_t messages,
                     const char *const *keys, size_t n, uint32_t hours)
{
    struct hent *e = entity(h, kind, name);
    day_slot(e, h->today)->n += messages;
    for (size_t i = 0; i < n; i++) {
        struct hkey *k = key_slot(e, keys[i], true);
        if (k->first == 0 || k->first > h->today)
            k->first = h->today;
        if (k->last < h->today)
            k->last = h->today;
    }
    for (int i = 0; i < 24; i++)
        if (hours & (1u << i))
            e->hour_last[i] = h->today;
}

/* ---- the file ---- */

/* Names and keys %-encoded: nothing that could break a record. */
static void put_name(struct outbuf *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c == '%' || c == 0x7f)
            outbuf_printf(o, "%%%02X", c);
        else
            outbuf_putc(o, (char)c);
    }
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
        : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s in place; false on a bad escape, a raw space or a NUL. */
static bool get_name(char *s)
{
    char *w = s;
    for (char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ')
            return false;
        if (*p != '%') {
            *w++ = *p;
            continue;
        }
        int a = hexval(p[1]), b = a < 0 ? -1 : hexval(p[2]);
        if (b < 0 || (a == 0 && b == 0))
            return false;
        *w++ = (char)(a * 16 + b);
        p += 2;
    }
    *w = 0;
    return w != s;
}

/* A decimal number of at most 19 digits, nothing after it. */
static bool get_num(const char *s, uint64_t *v)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        if (i == 19)
            return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
    }
    *v = x;
    return i > 0 && s[i] == 0;
}

static size_t fields(char *p, char **f, size_t max)
{
    size_t n = 0;
    while (n < max) {
        f[n++] = p;
        char *t = strchr(p, '\t');
        if (t == NULL)
            break;
        *t = 0;
        p = t + 1;
    }
    return n;
}

static bool get_day(const char *s, int32_t *d)
{
    uint64_t v;
    if (!get_num(s, &v) || v == 0 || v > INT32_MAX)
        return false;
    *d = (int32_t)v;
    return true;
}

static bool parse_record(struct custhist *h, struct hent **cur, char *line)
{
    char *f[5];
    size_t n = fields(line, f, 5);
    uint64_t v;
    int32_t a, b;

    if (strcmp(f[0], "E") == 0 && n == 3 && (f[1][0] == 'L' || f[1][0] == 'C')
        && f[1][1] == 0 && get_name(f[2])) {
        *cur = entity(h, f[1][0], f[2]);
        return true;
    }
    if (*cur == NULL)
        return false;
    if (strcmp(f[0], "D") == 0 && n == 3 && get_day(f[1], &a) && get_num(f[2], &v)) {
        day_slot(*cur, a)->n = v;
        return true;
    }
    if (strcmp(f[0], "K") == 0 && n == 4 && get_day(f[1], &a) && get_day(f[2], &b)
        && a <= b && get_name(f[3])) {
        struct hkey *k = key_slot(*cur, f[3], true);
        k->first = a, k->last = b;
        return true;
    }
    if (strcmp(f[0], "H") == 0 && n == 2) {
        char *p = f[1];
        for (int i = 0; i < 24; i++) {
            char *c = strchr(p, ',');
            if ((c == NULL) != (i == 23))
                return false;
            if (c)
                *c = 0;
            if (!get_num(p, &v) || v > INT32_MAX)
                return false;
            (*cur)->hour_last[i] = (int32_t)v;
            p = c ? c + 1 : p;
        }
        return true;
    }
    return false;
}

bool custhist_load(struct custhist *h, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        if (errno == ENOENT)
            return true;        /* the first night */
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    size_t cap = 0, n = 0, r;
    char *buf = NULL;
    do {
        buf = xgrow(buf, &cap, n + 65537, 1);
        r = fread(buf + n, 1, 65536, fp);
        n += r;
    } while (r > 0 && n < MAX_BYTES);
    bool rerr = ferror(fp) != 0;
    fclose(fp);
    buf[n] = 0;
    bool ok = false;
    if (rerr || n >= MAX_BYTES) {
        msg_warn("%s: read error or too large", path);
        goto out;
    }
    if (n < sizeof(MAGIC) - 1 || memcmp(buf, MAGIC, sizeof(MAGIC) - 1) != 0) {
        msg_warn("%s:1: not an rblforge customer history of version 1", path);
        goto out;
    }
    if (buf[n - 1] != '\n' || strlen(buf) != n) {
        msg_warn("%s: truncated or damaged customer history; refusing it", path);
        goto out;
    }
    char *endl = buf + n - 1;
    while (endl > buf && endl[-1] != '\n')
        endl--;
    uint64_t got = state_input_hash(buf, (size_t)(endl - buf)), want = 0, lines;
    char *f[3];
    buf[n - 1] = 0;
    if (fields(endl, f, 3) != 3 || strcmp(f[0], "end") || !get_num(f[1], &lines)
        || strlen(f[2]) != 16) {
        msg_warn("%s: damaged end line; refusing the customer history", path);
        goto out;
    }
    for (int i = 0; i < 16; i++) {
        int d = hexval(f[2][i]);
        want = want << 4 | (uint64_t)(d < 0 ? 0 : d);
        if (d < 0)
            want = ~got;
    }
    if (want != got) {
        msg_warn("%s: checksum mismatch; refusing the customer history", path);
        goto out;
    }
    struct hent *cur = NULL;
    unsigned long lineno = 1, count = 0;
    for (char *p = buf + sizeof(MAGIC) - 1; p < endl;) {
        char *nl = memchr(p, '\n', (size_t)(endl - p));
        *nl = 0;
        lineno++;
        if (!parse_record(h, &cur, p)) {
            msg_warn("%s:%lu: bad customer history record", path, lineno);
            goto out;
        }
        count++;
        p = nl + 1;
    }
    if (count != lines) {
        msg_warn("%s: %lu records, the end line says %" PRIu64 "; refusing it", path, count,
                 lines);
        goto out;
    }
    ok = true;
out:
    free(buf);
    return ok;
}

/* One entity's records without what is older than cut; *lines counted. */
static void put_entity(struct outbuf *o, const struct hent *e, int32_t cut, unsigned *lines)
{
    size_t nd = 0, nk = 0;
    for (size_t i = 0; i < e->nd; i++)
        nd += e->d[i].day >= cut;
    for (size_t i = 0; i < e->nk; i++)
        nk += e->k[i].last >= cut;
    if (nd == 0 && nk == 0)
        return;
    outbuf_printf(o, "E\t%c\t", e->kind);
    put_name(o, e->name);
    outbuf_putc(o, '\n');
    ++*lines;
    for (size_t i = 0; i < e->nd; i++)
        if (e->d[i].day >= cut) {
            outbuf_printf(o, "D\t%" PRId32 "\t%" PRIu64 "\n", e->d[i].day, e->d[i].n);
            ++*lines;
        }
    for (size_t i = 0; i < e->nk; i++)
        if (e->k[i].last >= cut) {
            outbuf_printf(o, "K\t%" PRId32 "\t%" PRId32 "\t", e->k[i].first, e->k[i].last);
            put_name(o, e->k[i].key);
            outbuf_putc(o, '\n');
            ++*lines;
        }
    bool any = false;
    for (int i = 0; i < 24; i++)
        any |= e->hour_last[i] >= cut;
    if (!any)
        return;
    outbuf_puts(o, "H\t");
    for (int i = 0; i < 24; i++)
        outbuf_printf(o, "%s%" PRId32, i ? "," : "", e->hour_last[i] >= cut ? e->hour_last[i] : 0);
    outbuf_putc(o, '\n');
    ++*lines;
}

bool custhist_save(const struct custhist *h, const char *path, double days)
{
    struct outbuf o;
    unsigned lines = 0;
    int32_t cut = h->today - (int32_t)days + 1;

    outbuf_init_mem(&o, 1 << 16);
    outbuf_puts(&o, MAGIC);
    for (size_t i = 0; i < h->n; i++)
        put_entity(&o, h->e[i], cut, &lines);
    outbuf_printf(&o, "end\t%u\t%016" PRIx64 "\n", lines, state_input_hash(o.buf, o.len));

    bool ok = afile_write_file(path, o.buf, o.len, 0600);
    free(o.buf);
    return ok;
}
