/* Events as JSON Lines or TSV; every log-derived string is escaped. */
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

/* Per span field: printed as a number, followed by the reason. Worked out
 * once per thread instead of comparing names for every event. */
enum { F_NUM = 1, F_STAGE = 2, MAX_FIELDS = 64 };
static _Thread_local unsigned char field_flags[MAX_FIELDS];
static _Thread_local bool field_flags_ready;

static const unsigned char *flags(void)
{
    if (!field_flags_ready) {
        for (size_t i = 0; i < event_span_field_count && i < MAX_FIELDS; i++)
            field_flags[i] = (unsigned char)((numeric_field(event_span_fields[i].name) ? F_NUM : 0)
                | (strcmp(event_span_fields[i].name, "stage") == 0 ? F_STAGE : 0));
        field_flags_ready = true;
    }
    return field_flags;
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
    outbuf_puts(o, ",\"");
    outbuf_puts(o, k);
    outbuf_puts(o, "\":");
}

static void json_span(struct outbuf *o, const char *k, struct span s, bool num)
{
    if (!s.p)
        return;
    json_key(o, k);
    if (num && all_digits(s))
        outbuf_write(o, s.p, s.n);
    else
        esc_json(o, s.p, s.n);
}

static void print_jsonl(struct outbuf *o, const struct event *ev)
{
    char buf[48];

    outbuf_puts(o, "{\"file\":");
    esc_json(o, ev->file, strlen(ev->file));
    outbuf_puts(o, ",\"line\":");
    outbuf_u64(o, ev->line);
    if (ev->has_ts) {
        size_t n = format_ts(ev, buf);
        json_key(o, "ts");
        esc_json(o, buf, n);
    }
    json_span(o, "host", ev->host, false);
    json_span(o, "prog", ev->prog, false);
    json_span(o, "pid", ev->pid, true);
    json_key(o, "event");
    esc_json(o, event_type_name(ev->type), strlen(event_type_name(ev->type)));
    if (ev->ip.family) {
        ipaddr_format(&ev->ip, buf);
        json_key(o, "ip");
        esc_json(o, buf, strlen(buf));
    }
    if (ev->port) {
        json_key(o, "port");
        outbuf_u64(o, ev->port);
    }
    const unsigned char *fl = flags();
    for (size_t i = 0; i < event_span_field_count; i++) {
        const struct event_field *f = &event_span_fields[i];
        unsigned char fi = i < MAX_FIELDS ? fl[i]
            : (unsigned char)((numeric_field(f->name) ? F_NUM : 0)
                              | (strcmp(f->name, "stage") == 0 ? F_STAGE : 0));
        json_span(o, f->name, event_span(ev, f->offset), fi & F_NUM);
        if ((fi & F_STAGE) && ev->reason != R_NONE) {
            const char *r = event_reason_name(ev->reason);
            json_key(o, "reason");
            esc_json(o, r, strlen(r));
        }
    }
    outbuf_puts(o, "}\n");
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
    const unsigned char *fl = flags();
    for (size_t i = 0; i < event_span_field_count; i++) {
        tsv_span(o, event_span(ev, event_span_fields[i].offset));
        if (i < MAX_FIELDS ? fl[i] & F_STAGE : strcmp(event_span_fields[i].name, "stage") == 0) {
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
