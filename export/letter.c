/* Notification letters from templates; see letter.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "letter.h"
#include "custtext.h"
#include "eml.h"
#include "custmap.h"
#include "escape.h"
#include "msg.h"
#include "xalloc.h"

enum snip_kind {
    SN_TIER, SN_SIGNAL, SN_ACTION, SN_NONE, SN_SUBJECT, SN_DETAILS, SN_OUTCOME, SN_DEADLINE,
    SN_CONTACT, SN_NOVELTY, SN__COUNT
};
static const char *const snip_kinds[SN__COUNT] = {
    "tier", "signal", "action", "none", "subject", "details", "outcome", "deadline", "contact",
    "novelty",
};

/* What a compromised login's mail met (OUT_* bits in this order), and
 * "none" when dispersion came alone. */
static const char *const outcome_names[] = {
    "spam", "bounce", "unknown", "spike", "baseline", "none",
};
enum { N_OUTCOMES = sizeof(outcome_names) / sizeof(outcome_names[0]) };

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
    "login_median_hour_messages", "new_places", "outcomes", "novelty",
    "baseline_daily_median",
    /* the desk's side ([letters]) */
    "ticket", "deadline", "reply_by", "contact", "desk",
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

    bool named = kind == SN_TIER || kind == SN_SIGNAL || kind == SN_ACTION
        || kind == SN_SUBJECT || kind == SN_OUTCOME;
    if (kind == SN__COUNT || (named && *name == 0)) {
        msg_warn("%s:%lu: want \"%%%% tier|subject|signal|action|outcome NAME\" or "
                 "\"%%%% none|details|deadline|contact\"", path, line);
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
    } else if (kind == SN_OUTCOME) {
        for (s = 0, n = N_OUTCOMES; s < n; s++)
            if (strcmp(name, outcome_names[s]) == 0)
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
                while ((kind == SN_SUBJECT || kind == SN_NOVELTY) && len && text[len - 1] == '\n')
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

size_t letters_count(const struct letters *l)
{
    return l ? l->n : 0;
}

const char *letters_lang(const struct letters *l, size_t i)
{
    return i < l->n ? l->t[i].lang : "";
}

struct ctx {
    const struct template *t;
    const struct letter_in *in;
    const struct cust_sig *sig;     /* inside a signal snippet */
    char ticket[LETTER_TICKET_MAX];
};

static void render(struct outbuf *o, const struct ctx *x, const char *s);

static const struct snippet *find(const struct template *t, int kind, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->s[i].kind == kind && (name == NULL || strcmp(t->s[i].name, name) == 0))
            return &t->s[i];
    return NULL;
}

/* The snippet of kind/name rendered with sig as the current signal. */
static void snippet(struct outbuf *o, const struct ctx *x, int kind, const char *name,
                    const struct cust_sig *sig)
{
    const struct snippet *s = find(x->t, kind, name);
    if (s) {
        struct ctx sub = *x;
        sub.sig = sig;
        render(o, &sub, s->text);
    }
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
    const struct letter_in *in = x->in;
    const struct customer *c = in->c;
    for (size_t i = 0; i < c->nsig; i++) {
        const struct cust_sig *s = &c->sig[i];
        if (s->nev == 0)
            continue;
        char sum[CUSTTEXT_SUMMARY_MAX];
        outbuf_puts(o, "[");
        outbuf_puts(o, cust_signal_name(s->id));
        outbuf_puts(o, "] ");
        text(o, custtext_summary(in->r, c, s, sum, sizeof(sum)));
        outbuf_putc(o, '\n');
        for (size_t k = 0; k < s->nev; k++) {
            const struct cust_evidence *e = &s->ev[k];
            outbuf_puts(o, "  ");
            text(o, e->file < in->nfiles ? in->files[e->file] : "?");
            outbuf_printf(o, ":%llu\n    ", (unsigned long long)e->line);
            custtext_evidence(o, e, esc_line);
            outbuf_putc(o, '\n');
        }
        if (s->more)
            outbuf_printf(o, "  (+%zu)\n", s->more);
    }
}

/* The customer's counts by name; false if key is not one. */
static bool counts(struct outbuf *o, const struct customer *c, const char *key)
{
    static const struct { const char *name; size_t off; } u64[] = {
        { "messages", offsetof(struct customer, messages) },
        { "recipients", offsetof(struct customer, recipients) },
        { "sent", offsetof(struct customer, sent) },
        { "bounced", offsetof(struct customer, bounced) },
        { "deferred", offsetof(struct customer, deferred) },
        { "attempts", offsetof(struct customer, attempts) },
        { "spam_rejections", offsetof(struct customer, spam_rejections) },
    };
    for (size_t i = 0; i < sizeof(u64) / sizeof(u64[0]); i++)
        if (strcmp(key, u64[i].name) == 0) {
            uint64_t v;
            memcpy(&v, (const char *)c + u64[i].off, sizeof(v));
            outbuf_u64(o, v);
            return true;
        }
    if (strcmp(key, "login_ips") == 0)
        outbuf_u64(o, c->client_ips);
    else if (strcmp(key, "bounce_rate") == 0)
        figure(o, "bounce_rate", c->bounce_rate);
    else
        return false;
    return true;
}

/* What the compromised login's mail met: one outcome snippet per OUT_*
 * bit that fired, or "none" (dispersion alone). */
static void outcomes(struct outbuf *o, const struct ctx *x)
{
    const struct customer *c = x->in->c;
    if (x->sig == NULL || x->sig->id != SIG_ACCOUNT_COMPROMISE)
        return;
    unsigned bits = c->logins[x->sig->login].outcomes;
    for (size_t i = 0; i + 1 < N_OUTCOMES; i++)
        if (bits & (1u << i))
            snippet(o, x, SN_OUTCOME, outcome_names[i], x->sig);
    if (bits == 0)
        snippet(o, x, SN_OUTCOME, "none", x->sig);
}

/* The observations, then what to do: a compromised login first, since
 * changing the password stops the rest and cleaning lists before it
 * would be wasted. */
static void signal_snippets(struct outbuf *o, const struct ctx *x, int kind)
{
    const struct customer *c = x->in->c;
    for (size_t pass = kind == SN_ACTION ? 0 : 1; pass < 2; pass++)
        for (size_t i = 0; i < c->nsig; i++) {
            if (kind == SN_ACTION && (c->sig[i].id == SIG_ACCOUNT_COMPROMISE) != (pass == 0))
                continue;
            snippet(o, x, kind, cust_signal_name(c->sig[i].id), &c->sig[i]);
        }
    if (kind == SN_SIGNAL && c->nsig == 0)
        snippet(o, x, SN_NONE, NULL, NULL);
}

static double deadline_days(const struct letter_in *in)
{
    return in->lp ? in->lp->deadline_days[in->c->tier] : 0;
}

/* The desk's side: ticket, deadline, contact; false if key is none. */
static bool desk(struct outbuf *o, const struct ctx *x, const char *key)
{
    const struct letter_in *in = x->in;
    double days = deadline_days(in);

    if (strcmp(key, "ticket") == 0)
        outbuf_puts(o, x->ticket);
    else if (strcmp(key, "deadline") == 0)
        custtext_time(o, in->now + (int64_t)(days * 86400), 0);
    else if (strcmp(key, "reply_by") == 0) {
        if (days > 0)
            snippet(o, x, SN_DEADLINE, NULL, x->sig);
    } else if (strcmp(key, "contact") == 0)
        text(o, in->lp ? in->lp->contact : "");
    else if (strcmp(key, "desk") == 0) {
        if (in->lp && in->lp->contact[0])
            snippet(o, x, SN_CONTACT, NULL, x->sig);
    } else
        return false;
    return true;
}

static void placeholder(struct outbuf *o, const struct ctx *x, const char *name, size_t n)
{
    const struct letter_in *in = x->in;
    const struct customer *c = in->c;
    char key[40];

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
    if (counts(o, c, key) || desk(o, x, key))
        return;
#define IS(s) (strcmp(key, s) == 0)
    if (IS("customer"))
        text(o, c->name);
    else if (IS("tier"))
        outbuf_puts(o, cust_tier_name(c->tier));
    else if (IS("period"))
        custtext_period(o, in->r);
    else if (IS("date"))
        custtext_time(o, in->now, 0);
    else if (IS("login")) {
        const struct cust_login *l = x->sig && x->sig->id == SIG_ACCOUNT_COMPROMISE
            ? &c->logins[x->sig->login] : worst_login(c);
        text(o, l ? l->user : "");
    } else if (IS("summary")) {
        char sum[CUSTTEXT_SUMMARY_MAX];
        text(o, x->sig ? custtext_summary(in->r, c, x->sig, sum, sizeof(sum)) : "");
    } else if (IS("observed"))
        signal_snippets(o, x, SN_SIGNAL);
    else if (IS("actions"))
        signal_snippets(o, x, SN_ACTION);
    else if (IS("outcomes"))
        outcomes(o, x);
    else if (IS("novelty")) {
        /* Only when the login was judged against earlier nights. */
        if (x->sig && x->sig->id == SIG_ACCOUNT_COMPROMISE
            && c->logins[x->sig->login].have_history)
            snippet(o, x, SN_NOVELTY, NULL, x->sig);
    }
    else if (IS("next"))
        snippet(o, x, SN_TIER, cust_tier_name(c->tier), NULL);
    else if (IS("subject"))
        snippet(o, x, SN_SUBJECT, cust_tier_name(c->tier), NULL);
    else if (IS("details")) {
        /* Evidence and requests only when something was observed. */
        if (c->nsig)
            snippet(o, x, SN_DETAILS, NULL, NULL);
    } else if (IS("evidence"))
        evidence(o, x);
    else if (IS("throttle")) {
        if (c->tier == TIER_THROTTLE)
            custtext_throttle(o, in->r, c);
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

void letters_ticket(char *buf, size_t n, const struct letter_in *in)
{
    time_t tt = (time_t)in->now;
    struct tm tm;
    char day[16] = "00000000";

    if (localtime_r(&tt, &tm))
        strftime(day, sizeof(day), "%Y%m%d", &tm);
    snprintf(buf, n, "%s-%s-%04zu", in->lp && in->lp->ticket_prefix[0]
             ? in->lp->ticket_prefix : "ABUSE", day, in->c->number);
}

static void ctx_init(struct ctx *x, const struct letters *l, size_t lang,
                     const struct letter_in *in)
{
    memset(x, 0, sizeof(*x));
    x->t = &l->t[lang];
    x->in = in;
    letters_ticket(x->ticket, sizeof(x->ticket), in);
}

void letters_text(struct outbuf *o, const struct letters *l, size_t lang,
                  const struct letter_in *in)
{
    struct ctx x;
    ctx_init(&x, l, lang, in);
    outbuf_puts(o, "Subject: ");
    snippet(o, &x, SN_SUBJECT, cust_tier_name(in->c->tier), NULL);
    outbuf_puts(o, "\n\n");
    render(o, &x, x.t->body);
}

/* The domain of the desk's address, for Message-ID. */
static const char *from_domain(const struct letter_in *in)
{
    const char *at = in->lp ? strrchr(in->lp->from, '@') : NULL;
    return at ? at + 1 : NULL;
}

void letters_eml(struct outbuf *o, const struct letters *l, size_t lang,
                 const struct letter_in *in)
{
    struct ctx x;
    struct outbuf b;
    char id[LETTER_TICKET_MAX + 300];

    ctx_init(&x, l, lang, in);
    eml_date(o, in->now);
    if (in->lp && in->lp->from[0]) {
        eml_header(o, "From", in->lp->from);
        eml_header(o, "Reply-To", in->lp->from);
    }
    /* Only an address the map validated; without one the desk adds To:
     * (sendmail -t refuses a message without recipients). */
    if (in->c->contact && custmap_addr_ok(in->c->contact))
        eml_header(o, "To", in->c->contact);
    outbuf_init_mem(&b, 4096);
    snippet(&b, &x, SN_SUBJECT, cust_tier_name(in->c->tier), NULL);
    eml_header_text(o, "Subject", b.buf, b.len);
    if (from_domain(in)) {
        snprintf(id, sizeof(id), "<%s.%s@%s>", x.ticket, x.t->lang, from_domain(in));
        eml_header(o, "Message-ID", id);
    }
    b.len = 0;
    render(&b, &x, x.t->body);
    eml_body(o, x.t->lang, b.buf, b.len);
    free(b.buf);
}
