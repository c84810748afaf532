/* The customer map: sorted string tables and a prefix set; see custmap.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "custmap.h"
#include "cidrset.h"
#include "msg.h"
#include "xalloc.h"

enum { K_SASL, K_UID, K_IP, K_CIDR, K_DOMAIN, K__COUNT };
static const char *const kind_names[K__COUNT] = { "sasl", "uid", "ip", "cidr", "sender_domain" };

struct entry {
    char *key;                  /* lower-cased for sasl and domains */
    size_t cust;
    unsigned long line;
};

struct pfx_entry {
    struct ipprefix p;
    size_t cust;
};

struct custmap {
    char **names;
    char **contacts;            /* per name, NULL when none given */
    size_t nnames, capnames, capcontacts;
    struct entry *e[K__COUNT];
    size_t ne[K__COUNT], cape[K__COUNT];
    bool sorted;
    struct cidrset *cs;
    struct pfx_entry *pe;
    size_t npe, cappe;
    unsigned long cur_line;
};

struct custmap *custmap_new(void)
{
    struct custmap *cm = xcalloc(1, sizeof(*cm));
    cm->cs = cidrset_new();
    return cm;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0], k = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2
        : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;

    if (k == 0 || k > n)
        return 0;
    for (unsigned i = 1; i < k; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f)
        || (c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] > 0x8f))
        return 0;
    return k;
}

bool custmap_name_ok(const char *name, size_t n)
{
    if (n == 0 || n > CUSTMAP_NAME_MAX || name[0] == '.' || name[0] == ' ')
        return false;
    if (n == sizeof(CUSTMAP_UNMAPPED) - 1 && memcmp(name, CUSTMAP_UNMAPPED, n) == 0)
        return false;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return false;
        if (c == '.' && i + 1 < n && name[i + 1] == '.')
            return false;
        size_t k = utf8_len((const unsigned char *)name + i, n - i);
        if (k == 0)
            return false;
        i += k;
    }
    return true;
}

static size_t customer_index(struct custmap *cm, const char *name)
{
    for (size_t i = 0; i < cm->nnames; i++)
        if (strcmp(cm->names[i], name) == 0)
            return i;
    cm->names = xgrow(cm->names, &cm->capnames, cm->nnames + 1, sizeof(*cm->names));
    cm->contacts = xgrow(cm->contacts, &cm->capcontacts, cm->nnames + 1, sizeof(*cm->contacts));
    cm->names[cm->nnames] = xstrdup(name);
    cm->contacts[cm->nnames] = NULL;
    return cm->nnames++;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

static bool printable_value(const char *v)
{
    if (*v == 0)
        return false;
    for (; *v; v++)
        if ((unsigned char)*v <= 0x20 || *v == 0x7f)
            return false;
    return true;
}

/* A label of a domain: letters, digits and inner hyphens, 1-63 bytes. */
static size_t label_len(const char *p)
{
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z')
           || (p[n] >= '0' && p[n] <= '9') || p[n] == '-')
        n++;
    return n >= 1 && n <= 63 && p[0] != '-' && p[n - 1] != '-' ? n : 0;
}

bool custmap_addr_ok(const char *a)
{
    static const char atext[] = "!#$%&'*+-/=?^_`{|}~";
    const char *at = strrchr(a, '@'), *p;
    size_t n = strlen(a);

    if (at == NULL || at == a || n > CUSTMAP_ADDR_MAX)
        return false;
    /* local part: a dot-atom, no quoted strings, comments or spaces */
    for (p = a; p < at; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')
            || (*p >= '0' && *p <= '9');
        if (*p == '.') {
            if (p == a || p + 1 == at || p[1] == '.')
                return false;
        } else if (!alnum && (*p == 0 || strchr(atext, *p) == NULL)) {
            return false;
        }
    }
    /* domain: two or more labels, no literal, no trailing dot */
    size_t labels = 0;
    for (p = at + 1;; p++) {
        size_t k = label_len(p);
        if (k == 0)
            return false;
        labels++;
        p += k;
        if (*p == 0)
            break;
        if (*p != '.')
            return false;
    }
    return labels >= 2;
}

/* The optional fourth column (already checked by custmap_addr_ok): the
 * customer's contact address, one per customer (rows may repeat it). */
static bool add_contact(struct custmap *cm, size_t cust, const char *contact, char *err,
                        size_t errlen)
{
    if (contact == NULL)
        return true;
    if (cm->contacts[cust] && strcmp(cm->contacts[cust], contact) != 0) {
        snprintf(err, errlen, "contact %.60s: \"%.60s\" already has contact %.60s", contact,
                 cm->names[cust], cm->contacts[cust]);
        return false;
    }
    if (cm->contacts[cust] == NULL)
        cm->contacts[cust] = xstrdup(contact);
    return true;
}

bool custmap_add(struct custmap *cm, const char *customer, const char *kind,
                 const char *value, char *err, size_t errlen)
{
    return custmap_add_row(cm, customer, kind, value, NULL, err, errlen);
}

bool custmap_add_row(struct custmap *cm, const char *customer, const char *kind,
                     const char *value, const char *contact, char *err, size_t errlen)
{
    int k;

    if (!custmap_name_ok(customer, strlen(customer))) {
        snprintf(err, errlen, "customer name not usable as a file name (empty, '/', '\\', "
                 "'..', leading '.', control bytes, invalid UTF-8, reserved or over %d bytes)",
                 CUSTMAP_NAME_MAX);
        return false;
    }
    for (k = 0; k < K__COUNT; k++)
        if (strcmp(kind, kind_names[k]) == 0)
            break;
    if (k == K__COUNT) {
        snprintf(err, errlen, "unknown kind \"%.40s\" (want ip, cidr, sasl, sender_domain "
                 "or uid)", kind);
        return false;
    }
    if (!printable_value(value)) {
        snprintf(err, errlen, "%s: empty value or one with spaces or control bytes", kind);
        return false;
    }
    if (contact && !custmap_addr_ok(contact)) {
        snprintf(err, errlen, "contact: want a plain address (local@domain.example, no "
                 "names, quotes, spaces or brackets), got \"%.60s\"", contact);
        return false;
    }
    size_t cust = customer_index(cm, customer);
    if (!add_contact(cm, cust, contact, err, errlen))
        return false;
    if (k == K_IP || k == K_CIDR) {
        struct ipprefix p;
        struct span s = span_make(value, strlen(value));
        if (!ipprefix_parse(s, &p, false)
            || (k == K_IP && p.len != (p.addr.family == 4 ? 32 : 128))) {
            snprintf(err, errlen, "%s: want %s, got \"%.60s\"", kind,
                     k == K_IP ? "an IP address" : "a CIDR with clean host bits", value);
            return false;
        }
        for (size_t i = 0; i < cm->npe; i++)
            if (cm->pe[i].p.len == p.len && ipaddr_cmp(&cm->pe[i].p.addr, &p.addr) == 0) {
                snprintf(err, errlen, "%s already belongs to \"%.60s\"", value,
                         cm->names[cm->pe[i].cust]);
                return false;
            }
        cm->pe = xgrow(cm->pe, &cm->cappe, cm->npe + 1, sizeof(*cm->pe));
        cm->pe[cm->npe++] = (struct pfx_entry){ p, cust };
        cidrset_add(cm->cs, &p);
        return true;
    }
    char *key = xstrdup(value);
    if (k != K_UID)
        lower(key);
    if (k == K_DOMAIN && key[0] == '@')
        memmove(key, key + 1, strlen(key));
    for (size_t i = 0; i < cm->ne[k]; i++)
        if (strcmp(cm->e[k][i].key, key) == 0) {
            snprintf(err, errlen, "%s %.60s already belongs to \"%.60s\" (line %lu)", kind,
                     value, cm->names[cm->e[k][i].cust], cm->e[k][i].line);
            free(key);
            return false;
        }
    cm->e[k] = xgrow(cm->e[k], &cm->cape[k], cm->ne[k] + 1, sizeof(*cm->e[k]));
    cm->e[k][cm->ne[k]++] = (struct entry){ key, cust, cm->cur_line };
    cm->sorted = false;
    return true;
}

bool custmap_load(struct custmap *cm, const char *path)
{
    FILE *fp = fopen(path, "r");
    char *line = NULL, err[256];
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    bool ok = true;

    if (fp == NULL) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    while (ok && (len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (strlen(line) != (size_t)len) {
            msg_warn("%s:%lu: NUL byte in the line", path, lineno);
            ok = false;
            break;
        }
        size_t lead = strspn(line, " \t");
        if (line[lead] == '#' || line[lead] == 0)
            continue;
        char *f1 = line, *t1 = strchr(f1, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        char *t3 = t2 ? strchr(t2 + 1, '\t') : NULL;
        if (t2 == NULL || (t3 && strchr(t3 + 1, '\t'))) {
            msg_warn("%s:%lu: want customer<TAB>kind<TAB>value[<TAB>contact]", path, lineno);
            ok = false;
            break;
        }
        *t1 = *t2 = 0;
        if (t3)
            *t3 = 0;
        cm->cur_line = lineno;
        if (!custmap_add_row(cm, f1, t1 + 1, t2 + 1, t3 ? t3 + 1 : NULL, err, sizeof(err))) {
            msg_warn("%s:%lu: %s", path, lineno, err);
            ok = false;
        }
    }
    free(line);
    fclose(fp);
    return ok;
}

size_t custmap_customers(const struct custmap *cm)
{
    return cm->nnames;
}

const char *custmap_name(const struct custmap *cm, size_t i)
{
    return i < cm->nnames ? cm->names[i] : CUSTMAP_UNMAPPED;
}

const char *custmap_contact(const struct custmap *cm, size_t i)
{
    return i < cm->nnames ? cm->contacts[i] : NULL;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static int cmp_pfx(const void *a, const void *b)
{
    const struct pfx_entry *x = a, *y = b;
    if (x->p.len != y->p.len)
        return x->p.len < y->p.len ? -1 : 1;
    return ipaddr_cmp(&x->p.addr, &y->p.addr);
}

static long find_str(struct custmap *cm, int k, const char *s, size_t n)
{
    char buf[512];
    struct entry key = { buf, 0, 0 };

    if (cm->ne[k] == 0 || n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    if (k != K_UID)
        lower(buf);
    const struct entry *hit = bsearch(&key, cm->e[k], cm->ne[k], sizeof(key), cmp_entry);
    return hit ? (long)hit->cust : -1;
}

long custmap_find(struct custmap *cm, const char *sasl, const char *uid,
                  const struct ipaddr *ip, const char *sender)
{
    long c;

    if (!cm->sorted) {
        for (int k = 0; k < K__COUNT; k++)
            if (cm->ne[k] > 1)
                qsort(cm->e[k], cm->ne[k], sizeof(*cm->e[k]), cmp_entry);
        if (cm->npe > 1)
            qsort(cm->pe, cm->npe, sizeof(*cm->pe), cmp_pfx);
        cm->sorted = true;
    }
    if (sasl && (c = find_str(cm, K_SASL, sasl, strlen(sasl))) >= 0)
        return c;
    if (uid && (c = find_str(cm, K_UID, uid, strlen(uid))) >= 0)
        return c;
    if (ip && ip->family && cm->npe) {
        const struct ipprefix *p = cidrset_match(cm->cs, ip);
        if (p) {
            struct pfx_entry key = { *p, 0 };
            const struct pfx_entry *hit = bsearch(&key, cm->pe, cm->npe, sizeof(key), cmp_pfx);
            if (hit)
                return (long)hit->cust;
        }
    }
    if (sender) {
        const char *at = strrchr(sender, '@');
        if (at && (c = find_str(cm, K_DOMAIN, at + 1, strlen(at + 1))) >= 0)
            return c;
    }
    return -1;
}

void custmap_free(struct custmap *cm)
{
    if (cm == NULL)
        return;
    for (size_t i = 0; i < cm->nnames; i++)
        free(cm->names[i]), free(cm->contacts[i]);
    free(cm->names);
    free(cm->contacts);
    for (int k = 0; k < K__COUNT; k++) {
        for (size_t i = 0; i < cm->ne[k]; i++)
            free(cm->e[k][i].key);
        free(cm->e[k]);
    }
    free(cm->pe);
    cidrset_free(cm->cs);
    free(cm);
}
