/* Templates of unmatched lines; see unknown.h. Runs only on lines no
 * shape matched, so it favours simple code over speed. */
#include <stdlib.h>
#include <string.h>
#include "unknown.h"

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_hexu(char c) { return is_digit(c) || (c >= 'A' && c <= 'F'); }

struct sink {
    char *p;
    size_t n, cap;
};

static void put(struct sink *o, const char *s, size_t k)
{
    for (size_t i = 0; i < k && o->n + 1 < o->cap; i++) {
        unsigned char c = (unsigned char)s[i];
        o->p[o->n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
}
#define PUT(o, lit) put((o), (lit), sizeof(lit) - 1)

/* Punctuation a token may end with that is kept as is. */
static size_t trail_punct(const char *t, size_t k)
{
    size_t j = k;
    while (j > 0 && (t[j - 1] == ':' || t[j - 1] == ',' || t[j - 1] == ';'
                     || t[j - 1] == ')' || t[j - 1] == '.'))
        j--;
    return j;
}

/* One space-separated token: the masked form. */
static void mask_token(struct sink *o, const char *t, size_t k)
{
    size_t core = trail_punct(t, k), digits = 0, alpha = 0, dots = 0;
    size_t lead = 0;

    while (lead < core && (t[lead] == '(' || t[lead] == '"' || t[lead] == '\''))
        lead++;
    put(o, t, lead);
    t += lead, core -= lead, k -= lead;
    if (core == 0) {
        put(o, t, k);
        return;
    }
    /* key=value: the key stays, the value is masked. */
    for (size_t i = 1; i < core; i++)
        if (t[i] == '=') {
            bool word = true;
            for (size_t j = 0; j < i; j++)
                word &= is_alpha(t[j]) || t[j] == '_' || t[j] == '-';
            if (word) {
                put(o, t, i + 1);
                if (i + 1 < core)
                    mask_token(o, t + i + 1, k - i - 1);
                else
                    put(o, t + core, k - core);
                return;
            }
            break;
        }
    if (t[0] == '<') {
        PUT(o, "<*>");
        size_t gt = core;
        while (gt > 0 && t[gt - 1] != '>')
            gt--;
        put(o, t + (gt ? gt : core), k - (gt ? gt : core));
        return;
    }
    for (size_t i = 0; i < core; i++) {
        if (t[i] == '[') {
            /* host[addr] or [addr]:port */
            if (i > 0)
                PUT(o, "HOST");
            PUT(o, "[*]");
            size_t rb = i;
            while (rb < core && t[rb] != ']')
                rb++;
            if (rb + 1 < core && t[rb + 1] == ':')
                PUT(o, ":#");
            put(o, t + core, k - core);
            return;
        }
    }
    if (t[0] == '/') {
        PUT(o, "PATH");
        put(o, t + core, k - core);
        return;
    }
    for (size_t i = 0; i < core; i++) {
        digits += is_digit(t[i]);
        alpha += is_alpha(t[i]);
        dots += t[i] == '.';
    }
    bool hexid = core >= 6;
    for (size_t i = 0; i < core && hexid; i++)
        hexid = is_hexu(t[i]);
    if (digits > 0 && (alpha == 0 || hexid || (digits * 3 >= core && dots == 0)
                       || (core >= 10 && dots == 0 && alpha + digits == core))) {
        PUT(o, "#");
    } else if (dots > 0 && alpha > 0 && t[core - 1] != '.') {
        PUT(o, "HOST");
    } else if (hexid) {
        PUT(o, "#");
    } else {
        put(o, t, core);
    }
    put(o, t + core, k - core);
}

size_t unknown_mask(struct span msg, char *out, size_t cap)
{
    struct sink o = { out, 0, cap };
    size_t i = 0;

    if (cap == 0)
        return 0;
    while (i < msg.n && o.n + 1 < cap) {
        if (msg.p[i] == ' ') {
            if (o.n == 0 || out[o.n - 1] != ' ')
                out[o.n++] = ' ';
            i++;
            continue;
        }
        size_t j = i;
        while (j < msg.n && msg.p[j] != ' ')
            j++;
        mask_token(&o, msg.p + i, j - i);
        i = j;
    }
    while (o.n > 0 && out[o.n - 1] == ' ')
        o.n--;
    out[o.n] = 0;
    return o.n;
}

static uint32_t fnv(const char *p, size_t n, uint32_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h;
}

uint32_t unknown_hash(const char *prog, size_t np, const char *tpl, size_t nt)
{
    return fnv(tpl, nt, fnv(prog, np, 2166136261u));
}

static struct unknown_tpl *find(struct unknown_set *u, uint32_t h, const char *prog,
                                size_t np, const char *tpl, size_t nt)
{
    for (unsigned i = 0; i < u->n; i++) {
        struct unknown_tpl *e = &u->t[i];
        if (e->hash == h && e->nprog == np && e->ntpl == nt && memcmp(e->prog, prog, np) == 0
            && memcmp(e->tpl, tpl, nt) == 0)
            return e;
    }
    return NULL;
}

static bool earlier(uint32_t f, uint64_t l, const struct unknown_tpl *e)
{
    return f < e->ex_file || (f == e->ex_file && l < e->ex_line);
}

static void take(struct unknown_tpl *e, uint32_t h, const char *prog, size_t np,
                 const char *tpl, size_t nt)
{
    e->hash = h;
    e->nprog = (uint8_t)np;
    memcpy(e->prog, prog, np);
    e->ntpl = (uint8_t)nt;
    memcpy(e->tpl, tpl, nt);
}

void unknown_add(struct unknown_set *u, struct span prog, struct span msg,
                 uint32_t file, uint64_t line)
{
    char pn[UNKNOWN_PROG], tpl[UNKNOWN_TPL];
    size_t np = 0, nt = unknown_mask(msg, tpl, sizeof(tpl));

    for (size_t i = 0; i < prog.n && np + 1 < sizeof(pn); i++) {
        unsigned char c = (unsigned char)prog.p[i];
        pn[np++] = c > 0x20 && c < 0x7f ? (char)c : '?';
    }
    uint32_t h = unknown_hash(pn, np, tpl, nt);
    struct unknown_tpl *e = find(u, h, pn, np, tpl, nt);
    if (!e) {
        if (u->n == UNKNOWN_SLOTS) {
            u->overflow++;
            return;
        }
        e = &u->t[u->n++];
        memset(e, 0, sizeof(*e));
        take(e, h, pn, np, tpl, nt);
        e->ex_file = UINT32_MAX;
        e->ex_line = UINT64_MAX;
    }
    e->count++;
    if (earlier(file, line, e)) {
        e->ex_file = file;
        e->ex_line = line;
        e->nex = (uint8_t)(msg.n < UNKNOWN_EXAMPLE ? msg.n : UNKNOWN_EXAMPLE);
        memcpy(e->ex, msg.p, e->nex);
    }
}

void unknown_merge(struct unknown_set *dst, const struct unknown_set *src)
{
    dst->overflow += src->overflow;
    for (unsigned i = 0; i < src->n; i++) {
        const struct unknown_tpl *s = &src->t[i];
        struct unknown_tpl *e = find(dst, s->hash, s->prog, s->nprog, s->tpl, s->ntpl);
        if (!e) {
            if (dst->n == UNKNOWN_SLOTS) {
                dst->overflow += s->count;
                continue;
            }
            e = &dst->t[dst->n++];
            *e = *s;
            continue;
        }
        e->count += s->count;
        if (earlier(s->ex_file, s->ex_line, e)) {
            e->ex_file = s->ex_file;
            e->ex_line = s->ex_line;
            e->nex = s->nex;
            memcpy(e->ex, s->ex, s->nex);
        }
    }
}

static int cmp_tpl(const void *a, const void *b)
{
    const struct unknown_tpl *x = a, *y = b;
    int c;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    if ((c = memcmp(x->prog, y->prog, x->nprog < y->nprog ? x->nprog : y->nprog)) != 0
        || x->nprog != y->nprog)
        return c ? c : (x->nprog < y->nprog ? -1 : 1);
    if ((c = memcmp(x->tpl, y->tpl, x->ntpl < y->ntpl ? x->ntpl : y->ntpl)) != 0)
        return c;
    return x->ntpl < y->ntpl ? -1 : x->ntpl > y->ntpl;
}

void unknown_sort(struct unknown_set *u)
{
    if (u->n > 1)
        qsort(u->t, u->n, sizeof(u->t[0]), cmp_tpl);
}
