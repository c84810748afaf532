/* Events as JSON Lines or TSV; every log-derived string is escaped. */
#include <stdio.h>
#include <string.h>
#include "event_print.h"
#include "escape.h"
#include "tstamp.h"

/* Fields printed as JSON numbers when they are all digits. */
static bool numeric_field(const char *name)
{
    return strcmp(name, "size") == 0 || strcmp(name, "nrcpt") == 0
        || strcmp(name, "uid") == 0 || strcmp(name, "qp") == 0
        || strcmp(name, "repeat") == 0;
}

/* Per span field: printed as a number, followed by the reason, and its
 * JSON key with the separators (",\"host\":"). Worked out once per thread
 * instead of comparing names and measuring strings for every event. */
enum { F_NUM = 1, F_STAGE = 2, MAX_FIELDS = 64, MAX_KEY = 32 };
struct field_info {
    unsigned char flags;
    unsigned char keylen;
    char key[MAX_KEY];
};
static _Thread_local struct field_info field_info[MAX_FIELDS];
static _Thread_local bool field_info_ready;

static const struct field_info *fields(void)
{
    if (!field_info_ready) {
        for (size_t i = 0; i < event_span_field_count && i < MAX_FIELDS; i++) {
            const char *name = event_span_fields[i].name;
            struct field_info *fi = &field_info[i];
            fi->flags = (unsigned char)((numeric_field(name) ? F_NUM : 0)
                                        | (strcmp(name, "stage") == 0 ? F_STAGE : 0));
            int n = snprintf(fi->key, sizeof(fi->key), ",\"%s\":", name);
            fi->keylen = n > 0 && n < MAX_KEY ? (unsigned char)n : 0;
        }
        field_info_ready = true;
    }
    return field_info;
}

#define PUT_LIT(o, lit) outbuf_write((o), (lit), sizeof(lit) - 1)

/* The escaped file name opens every line of a chunk: kept per thread for
 * the last name seen. Compared by content, not by pointer: the pipeline
 * frees a file's name when the file is done, and the next file's name
 * may get the same address. */
static void put_file(struct outbuf *o, const char *file)
{
    static _Thread_local struct outbuf name, esc;
    size_t n = strlen(file);

    if (esc.buf == NULL || name.len != n || memcmp(name.buf, file, n) != 0) {
        if (esc.buf == NULL)
            outbuf_init_mem(&esc, 256), outbuf_init_mem(&name, 256);
        name.len = 0;
        outbuf_write(&name, file, n);
        esc.len = 0;
        esc_json(&esc, file, n);
    }
    outbuf_write(o, esc.buf, esc.len);
}

/* tstamp_format() through snprintf for every event is slow; events come in
 * runs with the same stamp, so each thread keeps the last one. */
static size_t format_ts(const struct event *ev, char *buf)
{
    static _Thread_local int64_t last_ts;
    static _Thread_local uint32_t last_usec;
    static _Thread_local char last[48];
    static _Thread_local size_t last_n;

    if (last_n == 0 || ev->ts != last_ts || ev->usec != last_usec) {
        last_n = (size_t)tstamp_format(ev->ts, ev->usec, last);
        last_ts = ev->ts;
        last_usec = ev->usec;
    }
    memcpy(buf, last, last_n);
    return last_n;
}

static bool all_digits(struct span s)
{
    if (s.n == 0 || s.n > 18)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

static void json_key(struct outbuf *o, const char *k)
{
    PUT_LIT(o, ",\"");
    outbuf_write(o, k, strlen(k));
    PUT_LIT(o, "\":");
}

/* A string of ours that needs no escaping (a stamp, an address, a type
 * name): quoted as it is. */
static void json_plain(struct outbuf *o, const char *p, size_t n)
{
    PUT_LIT(o, "\"");
    outbuf_write(o, p, n);
    PUT_LIT(o, "\"");
}

static void json_span(struct outbuf *o, const struct field_info *fi, const char *k,
                      struct span s, bool num)
{
    if (!s.p)
        return;
    if (fi && fi->keylen)
        outbuf_write(o, fi->key, fi->keylen);
    else
        json_key(o, k);
    if (num && all_digits(s))
        outbuf_write(o, s.p, s.n);
    else
        esc_json(o, s.p, s.n);
}

static void print_jsonl(struct outbuf *o, const struct event *ev)
{
    char buf[48];

    PUT_LIT(o, "{\"file\":");
    put_file(o, ev->file);
    PUT_LIT(o, ",\"line\":");
    outbuf_u64(o, ev->line);
    if (ev->has_ts) {
        size_t n = format_ts(ev, buf);
        PUT_LIT(o, ",\"ts\":");
        json_plain(o, buf, n);
    }
    json_span(o, NULL, "host", ev->host, false);
    json_span(o, NULL, "prog", ev->prog, false);
    json_span(o, NULL, "pid", ev->pid, true);
    PUT_LIT(o, ",\"event\":");
    const char *type = event_type_name(ev->type);
    json_plain(o, type, strlen(type));
    if (ev->ip.family) {
        ipaddr_format(&ev->ip, buf);
        PUT_LIT(o, ",\"ip\":");
        json_plain(o, buf, strlen(buf));
    }
    if (ev->port) {
        PUT_LIT(o, ",\"port\":");
        outbuf_u64(o, ev->port);
    }
    const struct field_info *fl = fields();
    for (size_t i = 0; i < event_span_field_count; i++) {
        const struct event_field *f = &event_span_fields[i];
        struct span v = event_span(ev, f->offset);
        unsigned char flag = i < MAX_FIELDS ? fl[i].flags
            : (unsigned char)((numeric_field(f->name) ? F_NUM : 0)
                              | (strcmp(f->name, "stage") == 0 ? F_STAGE : 0));
        if (v.p)
            json_span(o, i < MAX_FIELDS ? &fl[i] : NULL, f->name, v, flag & F_NUM);
        if ((flag & F_STAGE) && ev->reason != R_NONE) {
            const char *r = event_reason_name(ev->reason);
            PUT_LIT(o, ",\"reason\":");
            json_plain(o, r, strlen(r));
        }
    }
    PUT_LIT(o, "}\n");
}

void event_print_header(struct outbuf *o, enum event_format f)
{
    if (f != EVENT_TSV)
        return;
    outbuf_puts(o, "file\tline\tts\thost\tprog\tpid\tevent\tip\tport");
    for (size_t i = 0; i < event_span_field_count; i++) {
        outbuf_putc(o, '\t');
        outbuf_puts(o, event_span_fields[i].name);
        if (strcmp(event_span_fields[i].name, "stage") == 0)
            outbuf_puts(o, "\treason");
    }
    outbuf_putc(o, '\n');
}

static void tsv_span(struct outbuf *o, struct span s)
{
    outbuf_putc(o, '\t');
    if (s.p)
        esc_tsv(o, s.p, s.n);
}

static void print_tsv(struct outbuf *o, const struct event *ev)
{
    char buf[48];

    esc_tsv(o, ev->file, strlen(ev->file));
    outbuf_putc(o, '\t');
    outbuf_u64(o, ev->line);
    outbuf_putc(o, '\t');
    if (ev->has_ts)
        outbuf_write(o, buf, format_ts(ev, buf));
    tsv_span(o, ev->host);
    tsv_span(o, ev->prog);
    tsv_span(o, ev->pid);
    outbuf_putc(o, '\t');
    outbuf_puts(o, event_type_name(ev->type));
    outbuf_putc(o, '\t');
    if (ev->ip.family)
        outbuf_puts(o, ipaddr_format(&ev->ip, buf));
    outbuf_putc(o, '\t');
    if (ev->port)
        outbuf_u64(o, ev->port);
    const struct field_info *fl = fields();
    for (size_t i = 0; i < event_span_field_count; i++) {
        tsv_span(o, event_span(ev, event_span_fields[i].offset));
        if (i < MAX_FIELDS ? fl[i].flags & F_STAGE
                           : strcmp(event_span_fields[i].name, "stage") == 0) {
            outbuf_putc(o, '\t');
            outbuf_puts(o, event_reason_name(ev->reason));
        }
    }
    outbuf_putc(o, '\n');
}

void event_print(struct outbuf *o, enum event_format f, const struct event *ev)
{
    if (f == EVENT_TSV)
        print_tsv(o, ev);
    else
        print_jsonl(o, ev);
}
