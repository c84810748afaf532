/* The state file and its lock; see state_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "state_file.h"
#include "atomic.h"
#include "msg.h"
#include "xalloc.h"

#define STATE_MAGIC "rblforge-state 2\n"
#define STATE_MAGIC_V1 "rblforge-state 1\n"
enum { INPUT_KEEP_DAYS = 30, MAX_STATE_BYTES = 1 << 30 };

/* ---- reading ---- */

static bool num_i64(const char *f, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(f, &end, 10);

    if (errno || end == f || *end)
        return false;
    *out = v;
    return true;
}

static bool num_u64(const char *f, uint64_t *out, int base)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(f, &end, base);

    if (errno || end == f || *end || *f == '-')
        return false;
    *out = v;
    return true;
}

/* Splits line in place at tabs; returns the number of fields. */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;

    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == '\t') {
            *p = 0;
            f[n++] = p + 1;
        }
    return n;
}

/* One E record: "E prefix first last score cause listed_until removed_at note". */
static bool parse_entry(struct state *s, char **f, bool v1)
{
    struct state_entry e = { 0 };
    int64_t t[4];
    char *end;
    int c = policy_cause_lookup(f[5], strlen(f[5]));

    if (!ipprefix_parse(span_make(f[1], strlen(f[1])), &e.pfx, false) || c < 0
        || !num_i64(f[2], &t[0]) || !num_i64(f[3], &t[1]) || !num_i64(f[6], &t[2])
        || !num_i64(f[7], &t[3]))
        return false;
    e.score = strtod(f[4], &end);
    if (end == f[4] || *end)
        return false;
    e.first = t[0], e.last = t[1], e.cause = c;
    e.listed_until = t[2], e.removed_at = t[3];
    e.note = f[8];
    state_put(s, &e);
    /* Version 1 kept one note, the last removal's: the history starts there. */
    if (v1 && e.removed_at && f[8][0])
        state_note_add(s, &e.pfx, e.removed_at, f[8]);
    return true;
}

static bool parse_line(struct state *s, char *line, bool v1)
{
    char *f[12];
    size_t nf = split(line, f, 12);
    uint64_t u[8];
    int64_t t[1];

    if (strcmp(f[0], "E") == 0 && nf == 9)
        return parse_entry(s, f, v1);
    if (strcmp(f[0], "N") == 0 && nf == 4 && !v1) {
        struct ipprefix pfx;
        if (!ipprefix_parse(span_make(f[1], strlen(f[1])), &pfx, false) || !num_i64(f[2], &t[0]))
            return false;
        state_note_add(s, &pfx, t[0], f[3]);
        return true;
    }
    if (strcmp(f[0], "F") == 0 && nf == 10) {
        struct state_input in = { 0 };
        if (!num_u64(f[1], &u[0], 10) || !num_u64(f[2], &u[1], 10) || !num_u64(f[3], &u[2], 10)
            || !num_u64(f[4], &u[3], 10) || u[3] > STATE_HEAD_BLOCK
            || !num_u64(f[5], &u[4], 16) || !num_u64(f[6], &u[5], 10)
            || !num_u64(f[7], &u[6], 10) || !num_i64(f[8], &t[0]))
            return false;
        in.dev = u[0], in.ino = u[1], in.size = u[2], in.hlen = (uint32_t)u[3];
        in.hash = u[4], in.consumed = u[5], in.lines = u[6], in.seen = t[0];
        state_input_name(in.name, sizeof(in.name), f[9]);
        state_input_add(state_inputs(s), &in);
        return true;
    }
    return false;
}

bool state_file_load(struct state *s, const char *path)
{
    FILE *fp = fopen(path, "rb");

    if (fp == NULL) {
        if (errno == ENOENT)
            return true;        /* the first run */
        msg_warn("%s: cannot open state file: %s", path, strerror(errno));
        return false;
    }
    char *buf = NULL;
    size_t n = 0, cap = 0, r;
    do {
        buf = xgrow(buf, &cap, n + 65536, 1);
        r = fread(buf + n, 1, cap - n - 1, fp);
        n += r;
    } while (r > 0 && n < MAX_STATE_BYTES);
    bool rerr = ferror(fp);
    fclose(fp);
    buf[n] = 0;
    bool ok = false;
    if (rerr) {
        msg_warn("%s: read error", path);
        goto out;
    }
    bool v1 = n >= sizeof(STATE_MAGIC_V1) - 1
        && memcmp(buf, STATE_MAGIC_V1, sizeof(STATE_MAGIC_V1) - 1) == 0;
    if (!v1 && (n < sizeof(STATE_MAGIC) - 1 || memcmp(buf, STATE_MAGIC, sizeof(STATE_MAGIC) - 1))) {
        msg_warn("%s:1: not an rblforge state file of version 1 or 2", path);
        goto out;
    }
    /* The last line: "end\t<lines>\t<fnv64 of everything before it>". */
    if (n < 2 || buf[n - 1] != '\n') {
        msg_warn("%s: truncated state file (no end line); refusing it", path);
        goto out;
    }
    char *endl = buf + n - 1;
    while (endl > buf && endl[-1] != '\n')
        endl--;
    uint64_t want, nlines;
    char *f[4];
    uint64_t got = state_input_hash(buf, (size_t)(endl - buf));
    buf[n - 1] = 0;
    if (split(endl, f, 4) != 3 || strcmp(f[0], "end") || !num_u64(f[1], &nlines, 10)
        || !num_u64(f[2], &want, 16) || want != got) {
        msg_warn("%s: checksum mismatch or damaged end line; refusing the state file", path);
        goto out;
    }
    unsigned long lineno = 1;
    char *p = buf + sizeof(STATE_MAGIC) - 1;
    while (p < endl) {
        char *nl = memchr(p, '\n', (size_t)(endl - p));
        *nl = 0;
        lineno++;
        if (*p != '#' && !parse_line(s, p, v1)) {
            msg_warn("%s:%lu: bad state record", path, lineno);
            goto out;
        }
        p = nl + 1;
    }
    if (lineno - 1 != nlines) {
        msg_warn("%s: %lu records, the end line says %" PRIu64, path, lineno - 1, nlines);
        goto out;
    }
    ok = true;
out:
    free(buf);
    return ok;
}

/* ---- writing ---- */

struct sbuf {
    char *p;
    size_t n, cap;
    unsigned lines;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;

    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->p = xgrow(b->p, &b->cap, b->n + (size_t)(k > 0 ? k : 0) + 4096, 1);
    }
}

bool state_file_save(const struct state *s, const char *path)
{
    struct sbuf b = { 0 };
    char ip[IPPREFIX_STRLEN];
    int64_t newest = INT64_MIN;

    b.p = xgrow(NULL, &b.cap, 65536, 1);
    sb_printf(&b, "%s", STATE_MAGIC);
    size_t nent = state_count(s), nnotes;
    const struct state_note *notes = state_notes_all(s, &nnotes);
    const struct state_inputs *ins = state_inputs_of(s);
    for (size_t i = 0; i < nent; i++) {
        const struct state_entry *e = state_entry_at(s, i);
        sb_printf(&b, "E\t%s\t%" PRId64 "\t%" PRId64 "\t%.17g\t%s\t%" PRId64 "\t%" PRId64 "\t%s\n",
                  ipprefix_format(&e->pfx, ip), e->first, e->last, e->score,
                  policy_cause_name(e->cause), e->listed_until, e->removed_at, e->note);
        b.lines++;
    }
    /* The notes of the entries still kept; an expired entry's go with it. */
    for (size_t i = 0; i < nnotes; i++)
        if (state_find(s, &notes[i].pfx)) {
            sb_printf(&b, "N\t%s\t%" PRId64 "\t%s\n", ipprefix_format(&notes[i].pfx, ip),
                      notes[i].at, notes[i].text);
            b.lines++;
        }
    for (size_t i = 0; i < ins->n; i++)
        if (ins->v[i].seen > newest)
            newest = ins->v[i].seen;
    for (size_t i = 0; i < ins->n; i++) {
        const struct state_input *in = &ins->v[i];
        /* Inputs not seen for a month are gone (logrotate deleted them). */
        if (in->seen < newest - INPUT_KEEP_DAYS * 86400)
            continue;
        sb_printf(&b, "F\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%u\t%016" PRIx64 "\t%" PRIu64
                  "\t%" PRIu64 "\t%" PRId64 "\t%s\n", in->dev, in->ino, in->size, in->hlen,
                  in->hash, in->consumed, in->lines, in->seen, in->name);
        b.lines++;
    }
    sb_printf(&b, "end\t%u\t%016" PRIx64 "\n", b.lines, state_input_hash(b.p, b.n));

    bool ok = afile_write_file(path, b.p, b.n, 0600);
    free(b.p);
    return ok;
}


/* ---- the lock ---- */

int state_file_lock(const char *path, unsigned wait_seconds)
{
    char lockpath[4096];
    struct timespec pause = { 0, 100 * 1000 * 1000 };

    if (snprintf(lockpath, sizeof(lockpath), "%s.lock", path) >= (int)sizeof(lockpath)) {
        msg_warn("%s: path too long", path);
        return -1;
    }
    int fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        msg_warn("%s: cannot open the lock: %s", lockpath, strerror(errno));
        return -1;
    }
    /* Polled rather than blocking with an alarm: no signal handler to
     * share with the publication's. */
    for (unsigned long tries = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; tries++) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            msg_warn("%s: cannot lock: %s", lockpath, strerror(errno));
            close(fd);
            return -1;
        }
        if (tries >= wait_seconds * 10UL) {
            msg_warn("%s: another rblforge process holds the lock%s", lockpath,
                     wait_seconds ? " (gave up waiting)" : "");
            close(fd);
            return -2;
        }
        nanosleep(&pause, NULL);
    }
    return fd;
}
