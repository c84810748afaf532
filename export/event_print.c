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
        int n = tstamp_format(ev->ts, ev->usec, buf);
        json_key(o, "ts");
        esc_json(o, buf, (size_t)n);
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
    for (size_t i = 0; i < event_span_field_count; i++) {
        const struct event_field *f = &event_span_fields[i];
        json_span(o, f->name, event_span(ev, f->offset), numeric_field(f->name));
        if (strcmp(f->name, "stage") == 0 && ev->reason != R_NONE) {
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
        outbuf_write(o, buf, (size_t)tstamp_format(ev->ts, ev->usec, buf));
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
    for (size_t i = 0; i < event_span_field_count; i++) {
        tsv_span(o, event_span(ev, event_span_fields[i].offset));
        if (strcmp(event_span_fields[i].name, "stage") == 0) {
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
