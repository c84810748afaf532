/* Messages to other networks' abuse desks; see abuse_mail.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "abuse_mail.h"
#include "atomic.h"
#include "escape.h"
#include "listing.h"
#include "mime.h"
#include "msg.h"
#include "version.h"

void abuse_evidence_add(struct abuse_evidence *ev, const char *p, size_t n)
{
    if (ev->lines >= ABUSE_MAIL_LINES) {
        ev->more++;
        return;
    }
    if (ev->text.buf == NULL)
        outbuf_init_mem(&ev->text, 4096);
    if (n > ABUSE_MAIL_LINE_MAX) {
        outbuf_write(&ev->text, p, ABUSE_MAIL_LINE_MAX);
        outbuf_printf(&ev->text, " [%zu more bytes of this line cut]", n - ABUSE_MAIL_LINE_MAX);
    } else {
        outbuf_write(&ev->text, p, n);
    }
    outbuf_putc(&ev->text, '\n');
    ev->lines++;
}

void abuse_evidence_free(struct abuse_evidence *ev)
{
    free(ev->text.buf);
    memset(ev, 0, sizeof(*ev));
}

/* ---- redaction ---- */

static bool local_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || (c && strchr("!#$%&'*+-/=?^_`{|}~.", c)) || c >= 0x80;
}

static bool key_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || c == '_';
}

void abuse_mail_redact(struct outbuf *o, const char *p, size_t n)
{
    static const char sasl[] = "sasl_username=";
    size_t done = 0;            /* p[0..done) is written */

    for (size_t i = 0; i < n; i++) {
        if (p[i] == 's' && n - i >= sizeof(sasl) - 1 && memcmp(p + i, sasl, sizeof(sasl) - 1) == 0
            && (i == 0 || !key_char((unsigned char)p[i - 1]))) {
            size_t v = i + sizeof(sasl) - 1, e = v;
            while (e < n && p[e] != ',' && p[e] != ' ' && p[e] != '>')
                e++;
            if (e > v) {
                outbuf_write(o, p + done, v - done);
                outbuf_puts(o, "redacted");
                done = e;
            }
            i = e > i ? e - 1 : i;
            continue;
        }
        if (p[i] != '@')
            continue;
        size_t s = i;
        while (s > done && local_char((unsigned char)p[s - 1]))
            s--;
        /* "key=local@..." written without brackets: the key stays. */
        size_t k = s;
        while (k < i && key_char((unsigned char)p[k]))
            k++;
        if (k > s && k < i && p[k] == '=') {
            bool sender = k - s == 4 && memcmp(p + s, "from", 4) == 0;
            s = k + 1;
            if (sender)
                continue;
        }
        if (s == i)
            continue;
        if (s >= 6 && memcmp(p + s - 6, "from=<", 6) == 0)
            continue;           /* the envelope sender: the remote side's claim */
        outbuf_write(o, p + done, s - done);
        outbuf_puts(o, "redacted");
        done = i;
    }
    outbuf_write(o, p + done, n - done);
}

/* ---- small pieces ---- */

/* RFC 5322 date-time in UTC. */
static void date822(char buf[40], int64_t t)
{
    static const char *const day[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec" };
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    snprintf(buf, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", day[tm.tm_wday], tm.tm_mday,
             mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void human_time(char buf[32], int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t == INT64_MAX || t == INT64_MIN) {
        snprintf(buf, 32, "-");
        return;
    }
    gmtime_r(&tt, &tm);
    strftime(buf, 32, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* A host name as Postfix logged it, if it is a plain LDH name (it is the
 * remote side's PTR record: anything else is left out). */
static bool ldh_name(const char *s)
{
    size_t n = s ? strlen(s) : 0, label = 0, dots = 0;

    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (label == 0 || s[i - 1] == '-')
                return false;
            label = 0, dots++;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                   || (c == '-' && label > 0)) {
            if (++label > 63)
                return false;
        } else {
            return false;
        }
    }
    return label > 0 && s[n - 1] != '-' && dots > 0;
}

/* The registered domain of an LDH host name, approximately: the last two
 * labels, or three under a country code's short second level (co.jp,
 * ne.jp, com.au, co.uk ...). No public suffix list is consulted. */
static const char *registered_domain(const char *host)
{
    const char *end = host + strlen(host);
    const char *d[3] = { NULL, NULL, NULL };       /* starts of the last 3 labels */
    int k = 0;

    for (const char *q = end; q > host && k < 3; q--)
        if (q[-1] == '.')
            d[k++] = q;
    if (k < 1)
        return host;
    const char *tld = d[0], *sld = k >= 2 ? d[1] : host;
    size_t sld_len = (size_t)(tld - 1 - sld);
    if (end - tld == 2 && sld_len <= 3) {
        static const char *const second[] = { "co", "ne", "or", "ac", "ad", "ed", "go", "gr",
                                               "lg", "com", "net", "org", "gov", "edu" };
        for (size_t i = 0; i < sizeof(second) / sizeof(second[0]); i++)
            if (strlen(second[i]) == sld_len && strncasecmp(sld, second[i], sld_len) == 0)
                return k >= 3 ? d[2] : k == 2 ? host : sld;
    }
    return sld;
}

static bool ends_jp(const char *email)
{
    size_t n = strlen(email);
    return n > 3 && strcasecmp(email + n - 3, ".jp") == 0;
}

static bool want_ja(const struct abuse_mail_in *in, const struct abuse_contact *c)
{
    return in->p->abuse.ja || ends_jp(c->email);
}

static const char *org(const struct abuse_mail_in *in)
{
    return in->p->abuse.organisation[0] ? in->p->abuse.organisation : in->p->abuse.from;
}

static const char *reply_addr(const struct abuse_mail_in *in)
{
    return in->p->abuse.reply_to[0] ? in->p->abuse.reply_to : in->p->abuse.from;
}

static const char *what_en(enum cause c)
{
    switch (c) {
    case CAUSE_AUTH: return "repeated failed SMTP logins (password guessing)";
    case CAUSE_DYNAMIC: return "mail sent straight to our mail servers from an address "
        "that looks dynamically assigned (an end-user connection)";
    default: return "mail that our servers refused as spam or abuse";
    }
}

static const char *what_ja(enum cause c)
{
    switch (c) {
    case CAUSE_AUTH: return "SMTP 認証の失敗の繰り返し (パスワードの推測と思われるもの)";
    case CAUSE_DYNAMIC: return "動的に割り当てられたと思われるアドレス (利用者の回線) から"
        "当方のメールサーバへの直接送信";
    default: return "当方のサーバが迷惑メール・不正な通信として拒否したメール";
    }
}

/* ---- the human-readable part ---- */

static void text_field(struct outbuf *t, const char *s)
{
    esc_text(t, s, strlen(s), 0);
}

static void human_text(struct outbuf *t, const struct abuse_mail_in *in,
                       const struct abuse_item *it, const struct abuse_evidence *ev)
{
    const struct listing *e = it->e;
    char ip[IPPREFIX_STRLEN], first[32], last[32];
    const char *host = e->st && !e->st->rdns_unknown && ldh_name(e->st->rdns) ? e->st->rdns
        : NULL;
    uint64_t lines = ev->lines + ev->more;
    bool redact = in->p->abuse.redact;

    ipaddr_format(&e->pfx.addr, ip);
    human_time(first, it->first);
    human_time(last, it->last);
    outbuf_puts(t, "Hello,\n\nthis is an automated report from ");
    text_field(t, org(in));
    outbuf_printf(t, " (%s). Our mail servers recorded the activity\n"
                  "below from an address in your network (", in->p->abuse.from);
    text_field(t, it->c->name[0] ? it->c->name : it->c->email);
    outbuf_printf(t, "):\n\n  Address:      %s\n", ip);
    if (host)
        outbuf_printf(t, "  Host name:    %s (its reverse DNS)\n", host);
    outbuf_printf(t, "  What we saw:  %s\n  First seen:   %s\n  Last seen:    %s\n"
                  "  Log lines:    %llu%s\n\n", what_en(e->d.cause), first, last,
                  (unsigned long long)lines, redact
                  ? " (attached; our users' addresses are redacted)" : " (attached)");
    outbuf_puts(t, "We have listed the address in our blocklist");
    if (in->p->zone_name[0])
        outbuf_printf(t, " %s", in->p->zone_name);
    outbuf_puts(t, ". The host may well be a victim\n"
                "rather than the cause: a compromised computer, a hijacked account, an open\n"
                "relay or a misconfigured server is the usual explanation. We would be\n"
                "grateful if you could look into it.\n\n"
                "The listing ends by itself some time after the activity stops. This\n"
                "message was written automatically; replies reach ");
    outbuf_puts(t, reply_addr(in));
    outbuf_puts(t, ".\n\nKind regards,\n");
    text_field(t, org(in));
    outbuf_putc(t, '\n');
    if (!want_ja(in, it->c))
        return;
    outbuf_puts(t, "\n----------------------------------------------------------------------\n\n"
                "ご担当者様\n\n");
    text_field(t, org(in));
    outbuf_puts(t, " のメールサーバにて、貴ネットワーク (");
    text_field(t, it->c->name[0] ? it->c->name : it->c->email);
    outbuf_printf(t, ") 内の\nアドレスからの以下の通信を記録しましたので、ご連絡いたします。\n\n"
                  "  アドレス:      %s\n", ip);
    if (host)
        outbuf_printf(t, "  ホスト名:      %s (逆引き)\n", host);
    outbuf_printf(t, "  内容:          %s\n  初回:          %s\n  最終:          %s\n"
                  "  ログ行数:      %llu%s\n\n", what_ja(e->d.cause), first, last,
                  (unsigned long long)lines, redact
                  ? " (添付。当方利用者のアドレスは伏せてあります)" : " (添付)");
    outbuf_puts(t, "このアドレスは当方のブロックリストに登録しております。該当のホストは、\n"
                "乗っ取られたコンピュータ、不正利用されたアカウント、オープンリレー、\n"
                "設定に誤りのあるサーバなど、むしろ被害を受けている側である可能性も\n"
                "ございます。お手数ですが、ご確認いただけますと幸いです。\n\n"
                "通信が止まってしばらくすると、登録は自動的に解除されます。本メールは\n"
                "自動送信です。ご返信は ");
    outbuf_puts(t, reply_addr(in));
    outbuf_puts(t, " までお願いいたします。\n\nよろしくお願いいたします。\n");
    text_field(t, org(in));
    outbuf_putc(t, '\n');
}

/* ---- assembling a message ---- */

struct part {
    char head[256];             /* the part's header lines, CRLF-ended */
    struct outbuf body;         /* encoded, CRLF-ended */
};

/* A text/plain body: quoted-printable when it is ASCII, else base64. */
static void encode_text(struct part *pt, const char *p, size_t n, const char *name)
{
    bool ascii = mime_is_ascii(p, n);

    snprintf(pt->head, sizeof(pt->head), "Content-Type: text/plain; charset=utf-8%s%s%s\r\n"
             "Content-Transfer-Encoding: %s\r\n", name ? "; name=\"" : "", name ? name : "",
             name ? "\"" : "", ascii ? "quoted-printable" : "base64");
    outbuf_init_mem(&pt->body, n + n / 2 + 64);
    if (ascii)
        mime_qp(&pt->body, p, n);
    else
        mime_base64(&pt->body, p, n, true);
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *u = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ u[i]) * 0x100000001b3ULL;
    return h;
}

/* A boundary that occurs in no part: the encoders never write "=_", and
 * the search makes it so whatever a part holds. */
static void pick_boundary(char b[64], uint64_t seed, const struct part *pt, size_t n)
{
    for (unsigned k = 0;; k++) {
        snprintf(b, 64, "=_rblforge_%016llx_%u", (unsigned long long)seed, k);
        bool clash = false;
        for (size_t i = 0; i < n && !clash; i++)
            clash = memmem(pt[i].body.buf, pt[i].body.len, b, strlen(b)) != NULL;
        if (!clash)
            return;
    }
}

/* From, Reply-To, To, Subject (English, and Japanese after it), Date,
 * Message-ID, MIME-Version, Auto-Submitted. */
static void common_headers(struct outbuf *o, const struct abuse_mail_in *in,
                           const struct abuse_contact *c, const char *subject_en,
                           const char *subject_ja, const char *id_left)
{
    struct mime_hdr h;
    char date[40], addr[ABUSE_STR + 2];
    const struct abuse_policy *ap = &in->p->abuse;
    const char *dom = strchr(ap->from, '@') + 1;

    mime_hdr_begin(&h, o, "From");
    if (ap->organisation[0])
        mime_hdr_text(&h, ap->organisation, strlen(ap->organisation));
    snprintf(addr, sizeof(addr), "<%s>", ap->from);
    mime_hdr_token(&h, addr, strlen(addr));
    mime_hdr_end(&h);
    if (ap->reply_to[0]) {
        mime_hdr_begin(&h, o, "Reply-To");
        snprintf(addr, sizeof(addr), "<%s>", ap->reply_to);
        mime_hdr_token(&h, addr, strlen(addr));
        mime_hdr_end(&h);
    }
    mime_hdr_begin(&h, o, "To");
    if (c->name[0])
        mime_hdr_text(&h, c->name, strlen(c->name));
    snprintf(addr, sizeof(addr), "<%s>", c->email);
    mime_hdr_token(&h, addr, strlen(addr));
    mime_hdr_end(&h);
    mime_hdr_begin(&h, o, "Subject");
    mime_hdr_words(&h, subject_en);
    if (subject_ja) {
        mime_hdr_token(&h, "/", 1);
        mime_hdr_text(&h, subject_ja, strlen(subject_ja));
    }
    mime_hdr_end(&h);
    date822(date, in->now);
    mime_hdr_begin(&h, o, "Date");
    mime_hdr_words(&h, date);
    mime_hdr_end(&h);
    mime_hdr_begin(&h, o, "Message-ID");
    outbuf_printf(o, " <%s.%lld@%s>\r\n", id_left, (long long)in->now, dom);
    outbuf_puts(o, "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n");
}

static void write_parts(struct outbuf *o, const char *boundary, struct part *pt, size_t n)
{
    outbuf_puts(o, "\r\nThis is a MIME message; its parts are a report in plain text, "
                "then\r\nthe machine-readable report and the evidence.\r\n");
    for (size_t i = 0; i < n; i++) {
        outbuf_printf(o, "\r\n--%s\r\n%s\r\n", boundary, pt[i].head);
        outbuf_write(o, pt[i].body.buf, pt[i].body.len);
        free(pt[i].body.buf);
    }
    outbuf_printf(o, "\r\n--%s--\r\n", boundary);
}

/* The evidence text (redacted unless the policy says not), with a line
 * counting what was left out. */
static void evidence_text(struct outbuf *t, const struct abuse_mail_in *in,
                          const struct abuse_evidence *ev)
{
    const char *p = ev->text.buf, *end = p + ev->text.len;

    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (in->p->abuse.redact)
            abuse_mail_redact(t, p, (size_t)(nl - p));
        else
            outbuf_write(t, p, (size_t)(nl - p));
        outbuf_putc(t, '\n');
        p = nl + 1;
    }
    if (ev->more)
        outbuf_printf(t, "[%llu more log lines of this address not shown]\n",
                      (unsigned long long)ev->more);
    if (ev->lines == 0 && ev->more == 0)
        outbuf_puts(t, "[no log lines of this address were found in the inputs]\n");
}

static void feedback_report(struct outbuf *b, const struct abuse_item *it, const struct abuse_evidence *ev,
                            const char *host)
{
    char ip[IPPREFIX_STRLEN], date[40];

    ipaddr_format(&it->e->pfx.addr, ip);
    outbuf_printf(b, "Feedback-Type: abuse\r\nUser-Agent: rblforge/%s\r\nVersion: 1\r\n"
                  "Source-IP: %s\r\n", RBLFORGE_VERSION, ip);
    if (it->first != INT64_MAX) {
        date822(date, it->first);
        outbuf_printf(b, "Arrival-Date: %s\r\n", date);
    }
    if (host)
        outbuf_printf(b, "Reported-Domain: %s\r\n", registered_domain(host));
    if (ev->lines + ev->more)
        outbuf_printf(b, "Incidents: %llu\r\n", (unsigned long long)(ev->lines + ev->more));
}

static void yaml_str(struct outbuf *b, const char *key, const char *v)
{
    outbuf_printf(b, "%s: \"", key);
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            outbuf_putc(b, '\\');
        outbuf_putc(b, *v);
    }
    outbuf_puts(b, "\"\n");
}

/* The X-ARF 0.2 report (YAML). */
static void xarf_report(struct outbuf *b, const struct abuse_mail_in *in,
                        const struct abuse_item *it, const struct abuse_evidence *ev,
                        const char *id)
{
    char ip[IPPREFIX_STRLEN], date[40];
    bool auth = it->e->d.cause == CAUSE_AUTH;

    ipaddr_format(&it->e->pfx.addr, ip);
    date822(date, it->first != INT64_MAX ? it->first : in->now);
    outbuf_puts(b, "---\n");
    yaml_str(b, "Reported-From", in->p->abuse.from);
    yaml_str(b, "Category", "abuse");
    yaml_str(b, "Report-Type", auth ? "login-attack" : "spam");
    yaml_str(b, "Service", "smtp");
    yaml_str(b, "Version", "0.2");
    yaml_str(b, "User-Agent", "rblforge/" RBLFORGE_VERSION);
    yaml_str(b, "Date", date);
    yaml_str(b, "Source-Type", "ip-address");
    yaml_str(b, "Source", ip);
    outbuf_puts(b, "Port: 25\n");
    yaml_str(b, "Report-ID", id);
    yaml_str(b, "Schema-URL", auth ? "http://www.xarf.org/schema/abuse_login-attack_0.1.2.json"
             : "http://www.xarf.org/schema/abuse_spam_0.1.1.json");
    yaml_str(b, "Attachment", "text/plain");
    outbuf_printf(b, "Occurrences: %llu\n", (unsigned long long)(ev->lines + ev->more));
}

void abuse_mail_message(struct outbuf *o, const struct abuse_mail_in *in, size_t i)
{
    const struct abuse_item *it = &in->plan->v[i];
    const struct abuse_evidence *ev = &in->ev[i];
    const struct listing *e = it->e;
    const char *host = e->st && !e->st->rdns_unknown && ldh_name(e->st->rdns) ? e->st->rdns
        : NULL;
    bool xarf = in->p->abuse.format == ABUSE_XARF;
    char ip[IPPREFIX_STRLEN], idl[ABUSE_FILENAME_MAX + 16], subj[160], name[ABUSE_FILENAME_MAX];
    char id[ABUSE_FILENAME_MAX + ABUSE_STR + 48], boundary[64];
    struct outbuf t;
    struct part pt[3];

    ipaddr_format(&e->pfx.addr, ip);
    abuse_source_filename(&e->pfx.addr, name);
    name[strlen(name) - 4] = 0;                 /* without ".eml" */
    snprintf(idl, sizeof(idl), "abuse.%s", name);
    snprintf(id, sizeof(id), "<%s.%lld@%s>", idl, (long long)in->now,
             strchr(in->p->abuse.from, '@') + 1);
    outbuf_init_mem(&t, 4096);
    human_text(&t, in, it, ev);
    encode_text(&pt[0], t.buf, t.len, NULL);
    if (xarf) {
        t.len = 0;
        xarf_report(&t, in, it, ev, id);
        snprintf(pt[1].head, sizeof(pt[1].head), "Content-Type: text/plain; charset=utf-8; "
                 "name=\"report.txt\"\r\nContent-Transfer-Encoding: quoted-printable\r\n");
        outbuf_init_mem(&pt[1].body, t.len * 2 + 64);
        mime_qp(&pt[1].body, t.buf, t.len);
    } else {
        snprintf(pt[1].head, sizeof(pt[1].head), "Content-Type: message/feedback-report\r\n"
                 "Content-Transfer-Encoding: 7bit\r\n");
        outbuf_init_mem(&pt[1].body, 512);
        feedback_report(&pt[1].body, it, ev, host);
    }
    t.len = 0;
    evidence_text(&t, in, ev);
    encode_text(&pt[2], t.buf, t.len, "evidence.log");
    free(t.buf);
    /* The evidence part keeps its log bytes as they were logged: say which
     * charset only when they are valid UTF-8 (the encoder wrote base64 for
     * anything not ASCII). */
    pick_boundary(boundary, fnv(fnv(0xcbf29ce484222325ULL, ip, strlen(ip)), &in->now,
                                sizeof(in->now)), pt, 3);
    snprintf(subj, sizeof(subj), "Abuse report: %s %s in your network (%s)",
             e->d.cause == CAUSE_AUTH ? "login attempts from" : "mail from", ip,
             policy_cause_name(e->d.cause));
    common_headers(o, in, it->c, subj, want_ja(in, it->c) ? "不正な通信のご報告" : NULL, idl);
    struct mime_hdr h;
    if (xarf) {
        outbuf_puts(o, "X-XARF: PLAIN\r\n");
        mime_hdr_begin(&h, o, "Content-Type");
        mime_hdr_token(&h, "multipart/mixed;", 16);
    } else {
        mime_hdr_begin(&h, o, "Content-Type");
        mime_hdr_token(&h, "multipart/report;", 17);
        mime_hdr_token(&h, "report-type=feedback-report;", 28);
    }
    char bparam[80];
    int bn = snprintf(bparam, sizeof(bparam), "boundary=\"%s\"", boundary);
    mime_hdr_token(&h, bparam, (size_t)bn);
    mime_hdr_end(&h);
    write_parts(o, boundary, pt, 3);
}

void abuse_mail_digest(struct outbuf *o, const struct abuse_mail_in *in, size_t from, size_t to)
{
    const struct abuse_item *const *g = in->plan->by_contact;
    const struct abuse_contact *c = g[from]->c;
    size_t n = to - from, show = n < in->p->abuse.max_sources ? n : in->p->abuse.max_sources;
    bool ja = want_ja(in, c);
    char subj[160], ip[IPPREFIX_STRLEN], first[32], last[32], idl[64];
    struct outbuf t, list;
    struct part pt;

    outbuf_init_mem(&list, 4096);
    for (size_t i = from; i < from + show; i++) {
        const struct listing *e = g[i]->e;
        human_time(first, g[i]->first);
        human_time(last, g[i]->last);
        outbuf_printf(&list, "  %-39s %-8s %s .. %s", ipaddr_format(&e->pfx.addr, ip),
                      policy_cause_name(e->d.cause), first, last);
        if (e->st && !e->st->rdns_unknown && ldh_name(e->st->rdns))
            outbuf_printf(&list, "  %s", e->st->rdns);
        outbuf_putc(&list, '\n');
    }
    if (n > show)
        outbuf_printf(&list, "  ... and %zu more\n", n - show);
    outbuf_init_mem(&t, 4096);
    outbuf_puts(&t, "Hello,\n\nthis is a summary from ");
    text_field(&t, org(in));
    outbuf_printf(&t, " (%s). In this run our mail servers listed\n"
                  "%zu addresses of your network (", in->p->abuse.from, n);
    text_field(&t, c->name[0] ? c->name : c->email);
    outbuf_puts(&t, ") in our blocklist. Each has its own\n"
                "report with the log lines; this message lists them together, in case you\n"
                "prefer one message per network. The hosts may be victims rather than the\n"
                "cause (compromised computers, hijacked accounts, open relays).\n\n"
                "  address                                 cause    first .. last evidence\n");
    outbuf_write(&t, list.buf, list.len);
    outbuf_puts(&t, "\nReplies reach ");
    outbuf_puts(&t, reply_addr(in));
    outbuf_puts(&t, ".\n\nKind regards,\n");
    text_field(&t, org(in));
    outbuf_putc(&t, '\n');
    if (ja) {
        outbuf_puts(&t, "\n----------------------------------------------------------------------\n\n"
                    "ご担当者様\n\n");
        text_field(&t, org(in));
        outbuf_printf(&t, " より、今回の処理で当方のブロックリストに登録した\n"
                      "貴ネットワーク内のアドレス %zu 件をまとめてお知らせいたします。\n"
                      "各アドレスについてはログを添えた個別の報告もお送りしております。\n"
                      "乗っ取りなどの被害を受けている可能性もございますので、ご確認いただけますと幸いです。\n\n",
                      n);
        outbuf_write(&t, list.buf, list.len);
        outbuf_puts(&t, "\nご返信は ");
        outbuf_puts(&t, reply_addr(in));
        outbuf_puts(&t, " までお願いいたします。\n\nよろしくお願いいたします。\n");
        text_field(&t, org(in));
        outbuf_putc(&t, '\n');
    }
    free(list.buf);
    encode_text(&pt, t.buf, t.len, NULL);
    free(t.buf);
    snprintf(subj, sizeof(subj), "Abuse summary: %zu addresses in your network listed", n);
    snprintf(idl, sizeof(idl), "abuse-digest.%016llx",
             (unsigned long long)fnv(0xcbf29ce484222325ULL, c->email, strlen(c->email)));
    common_headers(o, in, c, subj, ja ? "不正な通信のご報告 (まとめ)" : NULL, idl);
    outbuf_puts(o, pt.head);
    outbuf_puts(o, "\r\n");
    outbuf_write(o, pt.body.buf, pt.body.len);
    free(pt.body.buf);
}

/* ---- files ---- */

typedef void body_fn(struct outbuf *o, const struct abuse_mail_in *in, size_t a, size_t b);

static void w_message(struct outbuf *o, const struct abuse_mail_in *in, size_t a, size_t b)
{
    (void)b;
    abuse_mail_message(o, in, a);
}

static bool write_file(const char *dir, const char *name, body_fn *fn,
                       const struct abuse_mail_in *in, size_t a, size_t b)
{
    struct afile *af = afile_open(dir, name, 0644);

    if (af == NULL)
        return false;
    fn(afile_out(af), in, a, b);
    if (!afile_finish(af)) {
        afile_abort(af);
        return false;
    }
    return afile_publish_all(&af, 1);
}

static bool make_dir(const char *path)
{
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", path, strerror(errno));
        return false;
    }
    return true;
}

bool abuse_mail_stage(const struct abuse_mail_in *in, const char *dir)
{
    const struct abuse_plan *pl = in->plan;
    char top[4096], sub[4096 + ABUSE_DIRNAME_MAX], name[ABUSE_FILENAME_MAX];
    bool ok;

    snprintf(top, sizeof(top), "%s/abuse", dir);
    ok = make_dir(top);
    for (size_t i = 0, j; ok && i < pl->with_contact; i = j) {
        j = abuse_plan_group_end(pl, i);
        char cd[ABUSE_DIRNAME_MAX];
        abuse_contact_dirname(pl->by_contact[i]->c->email, cd);
        snprintf(sub, sizeof(sub), "%s/%s", top, cd);
        ok = make_dir(sub);
        for (size_t k = i; ok && k < j; k++) {
            size_t v = (size_t)(pl->by_contact[k] - pl->v);
            abuse_source_filename(&pl->v[v].e->pfx.addr, name);
            ok = write_file(sub, name, w_message, in, v, 0);
        }
        if (ok && j - i > 1)
            ok = write_file(sub, ABUSE_DIGEST_NAME, abuse_mail_digest, in, i, j);
    }
    return ok;
}
