/* Notification letters from templates; see letter.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "letter.h"
#include "custtext.h"
#include "escape.h"
#include "msg.h"
#include "xalloc.h"

enum snip_kind { SN_TIER, SN_SIGNAL, SN_ACTION, SN_NONE, SN_SUBJECT, SN_DETAILS, SN__COUNT };
static const char *const snip_kinds[SN__COUNT] = {
    "tier", "signal", "action", "none", "subject", "details",
};

struct snippet {
    int kind;
    char *name;
    char *text;
};

struct template {
    char lang[8];
    char *body;
    struct snippet *s;
    size_t n, cap;
    char *buf;                  /* the whole file; body and texts point into it */
};

struct letters {
    struct template *t;
    size_t n;
};

static const char *const known[] = {
    "customer", "tier", "period", "date", "messages", "recipients", "sent", "bounced",
    "deferred", "bounce_rate", "attempts", "spam_rejections", "login_ips", "login",
    "observed", "evidence", "actions", "next", "summary", "subject", "details",
    /* signal figures */
    "spam_rejection_rate", "blocklist_rejections", "remote_servers", "networks",
    "addresses", "peak_hour_messages", "median_hour_messages", "peak_hour",
    "unknown_recipients", "rate", "asns", "throttle",
    "places", "families", "countries", "concurrent", "login_spam_rejections",
    "login_bounce_rate", "login_unknown_recipients", "login_peak_hour_messages",
};

static bool placeholders_ok(const char *path, unsigned long line, const char *s)
{
    for (const char *p = s; (p = strstr(p, "{{")) != NULL; p += 2) {
        const char *e = strstr(p + 2, "}}");
        size_t n = e ? (size_t)(e - p - 2) : 0;
        size_t i;
        for (i = 0; e && i < sizeof(known) / sizeof(known[0]); i++)
            if (strlen(known[i]) == n && memcmp(known[i], p + 2, n) == 0)
                break;
        if (e == NULL || i == sizeof(known) / sizeof(known[0])) {
            unsigned long l = line;
            for (const char *q = s; q < p; q++)
                l += *q == '\n';
            msg_warn("%s:%lu: unknown placeholder %.*s", path, l,
                     (int)(e ? n + 4 : strcspn(p, "\n")), p);
            return false;
        }
    }
    return true;
}

static bool head_ok(const char *path, unsigned long line, int kind, const char *name)
{
    int s, n = 0;

    if (kind == SN__COUNT || (kind != SN_NONE && kind != SN_DETAILS && *name == 0)) {
        msg_warn("%s:%lu: want \"%%%% tier|subject|signal|action NAME\", \"%%%% none\" or "
                 "\"%%%% details\"", path, line);
        return false;
    }
    if (kind == SN_SIGNAL || kind == SN_ACTION) {
        for (s = 0, n = SIG__COUNT; s < n; s++)
            if (strcmp(name, cust_signal_name((enum cust_signal)s)) == 0)
                break;
    } else if (kind == SN_TIER || kind == SN_SUBJECT) {
        for (s = 0, n = TIER__COUNT; s < n; s++)
            if (strcmp(name, cust_tier_name((enum cust_tier)s)) == 0)
                break;
    } else {
        return true;
    }
    if (s == n) {
        msg_warn("%s:%lu: unknown %s \"%.40s\"", path, line, snip_kinds[kind], name);
        return false;
    }
    return true;
}

static bool load_one(struct template *t, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (fp == NULL) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    size_t cap = 0, n = 0;
    char *buf = NULL;
    for (;;) {
        buf = xgrow(buf, &cap, n + 4097, 1);
        size_t k = fread(buf + n, 1, 4096, fp);
        n += k;
        if (k < 4096)
            break;
    }
    fclose(fp);
    buf[n] = 0;
    t->buf = buf;
    if (strlen(buf) != n) {
        msg_warn("%s: NUL byte in the template", path);
        return false;
    }
    /* Split at "%% kind name" lines. */
    char *p = buf, *text = buf, *name = NULL;
    unsigned long line = 0, text_line = 1;
    int kind = -1;
    for (;;) {
        bool head = strncmp(p, "%% ", 3) == 0;
        if (head || *p == 0) {
            char *nl = strchr(p, '\n'), *next = nl ? nl + 1 : p + strlen(p);
            int nk = -1;
            char *nname = NULL;
            line++;
            if (head) {
                if (nl)
                    *nl = 0;
                char *k = p + 3, *sp = strchr(k, ' ');
                if (sp)
                    *sp = 0;
                for (nk = 0; nk < SN__COUNT; nk++)
                    if (strcmp(k, snip_kinds[nk]) == 0)
                        break;
                nname = sp ? sp + 1 : k + strlen(k);
                if (!head_ok(path, line, nk, nname))
                    return false;
            }
            bool end = *p == 0;
            *p = 0;             /* ends the text before this line */
            if (!placeholders_ok(path, text_line, text))
                return false;
            if (kind < 0) {
                t->body = text;
            } else {
                size_t len = strlen(text);
                while (kind == SN_SUBJECT && len && text[len - 1] == '\n')
                    text[--len] = 0;        /* a subject is used inline */
                t->s = xgrow(t->s, &t->cap, t->n + 1, sizeof(*t->s));
                t->s[t->n++] = (struct snippet){ kind, name, text };
            }
            if (end)
                break;
            kind = nk, name = nname, text = next, text_line = line + 1;
            p = next;
            continue;
        }
        char *nl = strchr(p, '\n');
        line++;
        p = nl ? nl + 1 : p + strlen(p);
    }
    if (t->body == NULL)
        t->body = "";
    return true;
}

struct letters *letters_load(const char *dir, const char *languages)
{
    struct letters *l = xcalloc(1, sizeof(*l));
    char path[4096];
    size_t nl = (strlen(languages) + 1) / 3;

    l->t = xcalloc(nl ? nl : 1, sizeof(*l->t));
    for (size_t i = 0; i < nl; i++) {
        struct template *t = &l->t[l->n++];
        memcpy(t->lang, languages + 3 * i, 2);
        snprintf(path, sizeof(path), "%s/letter.%s.txt", dir, t->lang);
        if (!load_one(t, path)) {
            letters_free(l);
            return NULL;
        }
    }
    return l;
}

void letters_free(struct letters *l)
{
    if (l == NULL)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->t[i].s);
        free(l->t[i].buf);
    }
    free(l->t);
    free(l);
}

/* ---- rendering ---- */

struct ctx {
    const struct template *t;
    const struct cust_report *r;
    const struct customer *c;
    const struct cust_sig *sig;     /* inside a signal snippet */
    char *const *files;
    size_t nfiles;
    int64_t now;
};

static void render(struct outbuf *o, const struct ctx *x, const char *s);

static void tstamp(struct outbuf *o, int64_t t, const char *fmt)
{
    outbuf_time(o, t, fmt);
}

static const struct snippet *find(const struct template *t, int kind, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i].kind == kind && (name == NULL || strcmp(t->s[i].name, name) == 0))
            return &t->s[i];
    return NULL;
}

static void text(struct outbuf *o, const char *s)
{
    esc_text(o, s ? s : "", s ? strlen(s) : 0, 0);
}

static void figure(struct outbuf *o, const char *name, double v)
{
    size_t n = strlen(name);
    if (strcmp(name, "peak_hour") == 0)
        custtext_time(o, (int64_t)v, 0);
    else if (n >= 4 && strcmp(name + n - 4, "rate") == 0)
        outbuf_printf(o, "%.1f%%", v * 100);
    else
        outbuf_printf(o, "%.0f", v);
}

static const struct cust_login *worst_login(const struct customer *c)
{
    const struct cust_login *w = NULL;
    for (size_t i = 0; i < c->nlogins; i++)
        if (w == NULL || c->logins[i].networks > w->networks)
            w = &c->logins[i];
    return w;
}

static void esc_line(struct outbuf *o, const char *p, size_t n)
{
    esc_text(o, p, n, 0);
}

/* The lines as logged, grouped under the signal they support (in time
 * order within it), each with the input named as the operator gave it. */
static void evidence(struct outbuf *o, const struct ctx *x)
{
    const struct customer *c = x->c;
    for (size_t i = 0; i < c->nsig; i++) {
        if (c->sig[i].nev == 0)
            continue;
        char sum[CUSTTEXT_SUMMARY_MAX];
        outbuf_puts(o, "[");
        outbuf_puts(o, cust_signal_name(c->sig[i].id));
        outbuf_puts(o, "] ");
        text(o, custtext_summary(x->r, c, &c->sig[i], sum, sizeof(sum)));
        outbuf_putc(o, '\n');
        for (size_t k = 0; k < c->sig[i].nev; k++) {
            const struct cust_evidence *e = &c->sig[i].ev[k];
            outbuf_puts(o, "  ");
            text(o, e->file < x->nfiles ? x->files[e->file] : "?");
            outbuf_printf(o, ":%llu\n    ", (unsigned long long)e->line);
            custtext_evidence(o, e, esc_line);
            outbuf_putc(o, '\n');
        }
    }
}

static void placeholder(struct outbuf *o, const struct ctx *x, const char *name, size_t n)
{
    const struct customer *c = x->c;
    char key[40];
    struct ctx sub = *x;

    if (n >= sizeof(key))
        return;
    memcpy(key, name, n);
    key[n] = 0;
    if (x->sig)
        for (size_t i = 0; i < x->sig->nfig; i++)
            if (strcmp(x->sig->fig[i].name, key) == 0) {
                figure(o, key, x->sig->fig[i].value);
                return;
            }
#define IS(s) (strcmp(key, s) == 0)
    if (IS("customer"))
        text(o, c->name);
    else if (IS("tier"))
        outbuf_puts(o, cust_tier_name(c->tier));
    else if (IS("period"))
        custtext_period(o, x->r);
    else if (IS("date"))
        tstamp(o, x->now, "%Y-%m-%d");
    else if (IS("messages"))
        outbuf_u64(o, c->messages);
    else if (IS("recipients"))
        outbuf_u64(o, c->recipients);
    else if (IS("sent"))
        outbuf_u64(o, c->sent);
    else if (IS("bounced"))
        outbuf_u64(o, c->bounced);
    else if (IS("deferred"))
        outbuf_u64(o, c->deferred);
    else if (IS("attempts"))
        outbuf_u64(o, c->attempts);
    else if (IS("spam_rejections"))
        outbuf_u64(o, c->spam_rejections);
    else if (IS("login_ips"))
        outbuf_u64(o, c->client_ips);
    else if (IS("bounce_rate"))
        figure(o, "bounce_rate", c->bounce_rate);
    else if (IS("login")) {
        const struct cust_login *l = x->sig && x->sig->id == SIG_ACCOUNT_COMPROMISE
            ? &c->logins[x->sig->login] : worst_login(c);
        text(o, l ? l->user : "");
    } else if (IS("summary")) {
        char sum[CUSTTEXT_SUMMARY_MAX];
        text(o, x->sig ? custtext_summary(x->r, c, x->sig, sum, sizeof(sum)) : "");
    }
    else if (IS("observed")) {
        for (size_t i = 0; i < c->nsig; i++) {
            const struct snippet *s = find(x->t, SN_SIGNAL, cust_signal_name(c->sig[i].id));
            sub.sig = &c->sig[i];
            if (s)
                render(o, &sub, s->text);
        }
        const struct snippet *s = find(x->t, SN_NONE, NULL);
        if (c->nsig == 0 && s)
            render(o, x, s->text);
    } else if (IS("actions")) {
        /* A compromised login first: changing the password stops the
         * rest; cleaning lists before it would be wasted. */
        for (size_t pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nsig; i++) {
            if ((c->sig[i].id == SIG_ACCOUNT_COMPROMISE) != (pass == 0))
                continue;
            const struct snippet *s = find(x->t, SN_ACTION, cust_signal_name(c->sig[i].id));
            sub.sig = &c->sig[i];
            if (s)
                render(o, &sub, s->text);
        }
    } else if (IS("next") || IS("subject")) {
        const struct snippet *s = find(x->t, IS("next") ? SN_TIER : SN_SUBJECT,
                                       cust_tier_name(c->tier));
        if (s)
            render(o, x, s->text);
    } else if (IS("details")) {
        /* Evidence and requests only when something was observed. */
        const struct snippet *s = find(x->t, SN_DETAILS, NULL);
        if (s && c->nsig)
            render(o, x, s->text);
    } else if (IS("evidence")) {
        evidence(o, x);
    } else if (IS("throttle")) {
        if (c->tier == TIER_THROTTLE)
            custtext_throttle(o, x->r, c);
    }
    /* Signal figures outside their signal render as nothing. */
#undef IS
}

static void render(struct outbuf *o, const struct ctx *x, const char *s)
{
    const char *p = s, *q;

    while ((q = strstr(p, "{{")) != NULL) {
        const char *e = strstr(q + 2, "}}");
        if (e == NULL)
            break;
        outbuf_write(o, p, (size_t)(q - p));
        placeholder(o, x, q + 2, (size_t)(e - q - 2));
        p = e + 2;
    }
    outbuf_puts(o, p);
}

void letters_write(struct outbuf *o, const struct letters *l, const struct cust_report *r,
                   const struct customer *c, char *const *files, size_t nfiles, int64_t now)
{
    for (size_t i = 0; i < l->n; i++) {
        struct ctx x = { &l->t[i], r, c, NULL, files, nfiles, now };
        if (i)
            outbuf_puts(o, "\n------------------------------------------------------------------------\n\n");
        render(o, &x, l->t[i].body);
    }
}
