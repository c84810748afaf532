/* [abuse] settings and the abuse contact table; see abuse.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "abuse.h"
#include "msg.h"
#include "xalloc.h"

void abuse_policy_init(struct abuse_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->max_sources = 100;
    p->redact = true;
}

bool abuse_format_parse(const char *s, enum abuse_format *f)
{
    if (strcmp(s, "arf") == 0)
        *f = ABUSE_ARF;
    else if (strcmp(s, "xarf") == 0)
        *f = ABUSE_XARF;
    else
        return false;
    return true;
}

bool abuse_languages_parse(const char *s, bool *ja)
{
    if (strcmp(s, "en") == 0)
        *ja = false;
    else if (strcmp(s, "ja") == 0 || strcmp(s, "en,ja") == 0 || strcmp(s, "ja,en") == 0)
        *ja = true;
    else
        return false;
    return true;
}

void abuse_contact_dirname(const char *email, char out[ABUSE_DIRNAME_MAX])
{
    static const char hex[] = "0123456789ABCDEF";
    size_t k = 0;

    for (const unsigned char *q = (const unsigned char *)email; *q && k + 4 <= ABUSE_DIRNAME_MAX;
         q++) {
        if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')
            || strchr("@._+-", *q)) {
            out[k++] = (char)*q;
        } else {
            out[k++] = '%';
            out[k++] = hex[*q >> 4];
            out[k++] = hex[*q & 15];
        }
    }
    out[k] = 0;
}

void abuse_source_filename(const struct ipaddr *ip, char out[ABUSE_FILENAME_MAX])
{
    char a[IPPREFIX_STRLEN];

    ipaddr_format(ip, a);
    for (char *q = a; *q; q++)
        if (*q == ':')
            *q = '-';
    snprintf(out, ABUSE_FILENAME_MAX, "%s.eml", a);
}

bool abuse_email_ok(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);

    if (n == 0 || n > 254 || at == NULL || at == s || at == s + n - 1
        || memchr(at + 1, '@', (size_t)(s + n - at - 1)))
        return false;
    for (const char *q = s; q < at; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')
              || strchr("!#$%&'*+/=?^_`{|}~.-", *q)) || *q == 0)
            return false;
    for (const char *q = at + 1; q < s + n; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9')
              || *q == '.' || *q == '-'))
            return false;
    return s[0] != '.' && at[-1] != '.' && at[1] != '.' && s[n - 1] != '.';
}

/* Text for a header: printable, no control bytes (UTF-8 passes; the
 * writer encodes it). */
static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);

    if (n >= max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

bool abuse_policy_set(struct abuse_policy *p, const char *name, const char *value,
                      char *err, size_t errlen)
{
    if (strcmp(name, "contacts") == 0) {
        if (strlen(value) >= sizeof(p->contacts)) {
            snprintf(err, errlen, "contacts: path too long");
            return false;
        }
        strcpy(p->contacts, value);
    } else if (strcmp(name, "from") == 0 || strcmp(name, "reply_to") == 0) {
        if (value[0] && !abuse_email_ok(value, strlen(value))) {
            snprintf(err, errlen, "%s: want a plain address like abuse@example.net, "
                     "got \"%.40s\"", name, value);
            return false;
        }
        strcpy(name[0] == 'f' ? p->from : p->reply_to, value);
    } else if (strcmp(name, "organisation") == 0) {
        if (!text_ok(value, sizeof(p->organisation))) {
            snprintf(err, errlen, "organisation: want text without control characters, "
                     "under %d bytes", ABUSE_STR);
            return false;
        }
        strcpy(p->organisation, value);
    } else if (strcmp(name, "format") == 0) {
        if (!abuse_format_parse(value, &p->format)) {
            snprintf(err, errlen, "format: want arf or xarf, got \"%.40s\"", value);
            return false;
        }
    } else if (strcmp(name, "languages") == 0) {
        if (!abuse_languages_parse(value, &p->ja)) {
            snprintf(err, errlen, "languages: want en, ja or en,ja, got \"%.40s\"", value);
            return false;
        }
    } else if (strcmp(name, "max_sources") == 0) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(value, &end, 10);
        if (value[0] < '0' || value[0] > '9' || *end || errno || v < 1 || v > 1000000) {
            snprintf(err, errlen, "max_sources: want 1 to 1000000, got \"%.40s\"", value);
            return false;
        }
        p->max_sources = (unsigned)v;
    } else if (strcmp(name, "redact") == 0) {
        if (strcmp(value, "yes") == 0)
            p->redact = true;
        else if (strcmp(value, "no") == 0)
            p->redact = false;
        else {
            snprintf(err, errlen, "redact: want yes or no, got \"%.40s\"", value);
            return false;
        }
    } else {
        snprintf(err, errlen, "unknown key \"%.40s\" in [abuse]", name);
        return false;
    }
    return true;
}

void abuse_policy_print(const struct abuse_policy *p, FILE *fp)
{
    fprintf(fp, "\n[abuse]\ncontacts = %s\nfrom = %s\nreply_to = %s\norganisation = %s\n"
            "format = %s\nlanguages = %s\nmax_sources = %u\nredact = %s\n",
            p->contacts, p->from, p->reply_to, p->organisation,
            p->format == ABUSE_XARF ? "xarf" : "arf", p->ja ? "en,ja" : "en", p->max_sources,
            p->redact ? "yes" : "no");
}

struct pentry {
    struct ipprefix pfx;
    size_t seq;                 /* line order: of equal keys the first wins */
    struct abuse_contact c;
};

struct aentry {
    uint32_t asn;
    size_t seq;
    struct abuse_contact c;
};

struct group {                  /* the prefixes of one family and length */
    size_t start, end;
};

struct abuse_contacts {
    struct pentry *p;           /* by family, length (longest first), address */
    size_t np, pcap;
    struct aentry *a;           /* by ASN */
    size_t na, acap;
    struct group g[2][129];     /* [family 4: 0, 6: 1][length] */
};

static int cmp_pentry(const void *x, const void *y)
{
    const struct pentry *a = x, *b = y;

    if (a->pfx.addr.family != b->pfx.addr.family)
        return a->pfx.addr.family < b->pfx.addr.family ? -1 : 1;
    if (a->pfx.len != b->pfx.len)
        return a->pfx.len > b->pfx.len ? -1 : 1;
    int r = ipaddr_cmp(&a->pfx.addr, &b->pfx.addr);
    return r ? r : (a->seq > b->seq) - (a->seq < b->seq);
}

static int cmp_aentry(const void *x, const void *y)
{
    const struct aentry *a = x, *b = y;
    if (a->asn != b->asn)
        return a->asn > b->asn ? 1 : -1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Splits one CSV line (RFC 4180 quotes, no line breaks inside) into
 * three fields, unquoted in place; false if it has not exactly three. */
static bool split3(char *line, char *f[3])
{
    char *w = line, *r = line;
    int k = 0;

    f[0] = line;
    for (;;) {
        if (*r == '"' && (r == line || r[-1] == ',' || w == f[k])) {
            r++;
            for (;;) {
                if (*r == 0)
                    return false;
                if (*r == '"' && r[1] == '"')
                    *w++ = '"', r += 2;
                else if (*r == '"')
                    break;
                else
                    *w++ = *r++;
            }
            r++;
            if (*r != ',' && *r != 0)
                return false;
        }
        if (*r == 0) {
            *w = 0;
            return k == 2;
        }
        if (*r == ',') {
            *w++ = 0, r++;
            if (++k > 2)
                return false;
            f[k] = w;
            continue;
        }
        *w++ = *r++;
    }
}

/* "AS64500" (also "as"), 1..4294967295, no junk. */
static bool parse_as(const char *s, uint32_t *asn)
{
    uint64_t v = 0;

    if ((s[0] != 'A' && s[0] != 'a') || (s[1] != 'S' && s[1] != 's') || s[2] == 0)
        return false;
    for (s += 2; *s; s++) {
        if (*s < '0' || *s > '9' || v > 429496729u)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v == 0 || v > UINT32_MAX)
        return false;
    *asn = (uint32_t)v;
    return true;
}

struct abuse_contacts *abuse_contacts_load(const char *path)
{
    FILE *fp = fopen(path, "r");
    struct abuse_contacts *c;
    char *line = NULL;
    size_t cap = 0, no = 0;
    ssize_t n;
    const char *why = NULL;

    if (fp == NULL) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    c = xcalloc(1, sizeof(*c));
    while (why == NULL && (n = getline(&line, &cap, fp)) >= 0) {
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        if (memchr(line, 0, (size_t)n)) {
            why = "NUL byte";
            break;
        }
        if (n == 0 || line[0] == '#')
            continue;
        char *f[3];
        if (!split3(line, f)) {
            why = "want three fields: network,abuse_email,name";
            break;
        }
        if (no == 1 && strcmp(f[0], "network") == 0 && strcmp(f[1], "abuse_email") == 0)
            continue;           /* the header */
        if (!abuse_email_ok(f[1], strlen(f[1]))) {
            why = "abuse_email: want a plain address like abuse@example.net";
            break;
        }
        if (!text_ok(f[2], 512)) {
            why = "name: control characters or over 511 bytes";
            break;
        }
        struct abuse_contact ct = { xstrdup(f[1]), xstrdup(f[2]) };
        struct ipprefix pfx;
        uint32_t asn;
        if (parse_as(f[0], &asn)) {
            c->a = xgrow(c->a, &c->acap, c->na + 1, sizeof(*c->a));
            c->a[c->na] = (struct aentry){ asn, c->na, ct };
            c->na++;
        } else if (ipprefix_parse(span_make(f[0], strlen(f[0])), &pfx, false)) {
            c->p = xgrow(c->p, &c->pcap, c->np + 1, sizeof(*c->p));
            c->p[c->np] = (struct pentry){ pfx, c->np, ct };
            c->np++;
        } else {
            free((char *)ct.email), free((char *)ct.name);
            why = "network: want a CIDR prefix without host bits or AS<number>";
        }
    }
    free(line);
    if (why == NULL && ferror(fp))
        why = strerror(errno);
    fclose(fp);
    if (why) {
        msg_warn("%s:%zu: %s", path, no, why);
        abuse_contacts_free(c);
        return NULL;
    }
    if (c->np)                  /* qsort wants a real array, even of none */
        qsort(c->p, c->np, sizeof(*c->p), cmp_pentry);
    if (c->na)
        qsort(c->a, c->na, sizeof(*c->a), cmp_aentry);
    for (size_t i = 0; i < c->np; i++) {
        struct group *g = &c->g[c->p[i].pfx.addr.family == 6][c->p[i].pfx.len];
        if (g->end == 0)
            g->start = i;
        g->end = i + 1;
    }
    return c;
}

const struct abuse_contact *abuse_contacts_lookup(const struct abuse_contacts *c,
                                                  const struct ipaddr *ip, uint32_t asn,
                                                  const char **what)
{
    int fam = ip->family == 6;

    for (int len = fam ? 128 : 32; len >= 0; len--) {
        const struct group *g = &c->g[fam][len];
        if (g->end == 0)
            continue;
        struct ipaddr key = ipaddr_mask(ip, (unsigned)len);
        size_t lo = g->start, hi = g->end;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int r = ipaddr_cmp(&c->p[mid].pfx.addr, &key);
            if (r == 0) {
                while (mid > g->start && ipaddr_cmp(&c->p[mid - 1].pfx.addr, &key) == 0)
                    mid--;
                if (what)
                    *what = "prefix";
                return &c->p[mid].c;
            }
            if (r < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    if (asn) {
        size_t lo = 0, hi = c->na;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->a[mid].asn == asn) {
                while (mid > 0 && c->a[mid - 1].asn == asn)
                    mid--;
                if (what)
                    *what = "asn";
                return &c->a[mid].c;
            }
            if (c->a[mid].asn < asn)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return NULL;
}

size_t abuse_contacts_count(const struct abuse_contacts *c)
{
    return c ? c->np + c->na : 0;
}

void abuse_contacts_free(struct abuse_contacts *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->np; i++)
        free((char *)c->p[i].c.email), free((char *)c->p[i].c.name);
    for (size_t i = 0; i < c->na; i++)
        free((char *)c->a[i].c.email), free((char *)c->a[i].c.name);
    free(c->p);
    free(c->a);
    free(c);
}
