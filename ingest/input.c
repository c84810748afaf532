/* Plain, gzip and zstd input; decompression through inflate.c (zlib or
 * ISA-L) and unzstd.c (libzstd). */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "inflate.h"
#include "input.h"
#include "unzstd.h"
#include "msg.h"
#include "xalloc.h"

enum { RAW_CAP = 256 * 1024, ERROR_BACKOFF = 16 };

struct input {
    char *name;
    int fd;
    enum { PLAIN, GZIP, ZSTD } codec;
    bool in_member;             /* inside a gzip member / zstd frame */
    bool eof;                   /* raw EOF reached */
    bool done;                  /* nothing more to return */
    unsigned damage;
    time_t mtime;
    uint64_t size;
    uint64_t raw_base;          /* file offset of raw[0] */
    uint64_t member_start;      /* file offset of the current member */
    /* Damaged members: each one's compressed start offset, in file order.
     * Members listed in skip (from an earlier reading of the same file)
     * give only their line ends: line numbers stay, their bytes are never
     * parsed. */
    uint64_t *bad;
    size_t nbad, bad_cap;
    const uint64_t *skip;
    size_t nskip, next_skip;
    bool discard;               /* the current member is in skip */
    bool pending_nl;            /* a damaged member ended mid-line */
    unsigned char last_raw;     /* the last byte decompressed ('\n' at start) */
    uint64_t dropped_lines;     /* line ends of discarded members */
    struct inflater *z;         /* GZIP */
    struct unzstd *zs;          /* ZSTD */
    unsigned char *raw;         /* raw bytes read, [next, next + avail) unconsumed */
    size_t raw_len;
    const unsigned char *next;
    size_t avail;
};

/* One read(2) of up to n bytes at the end of what was read so far (file
 * offset raw_base + raw_len); 0 at the end of the input or after an
 * error, which is reported and counted as damage. */
static size_t read_some(struct input *in, void *dst, size_t n)
{
    for (;;) {
        ssize_t r = read(in->fd, dst, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            msg_warn("%s: read error at offset %llu: %s", in->name,
                     (unsigned long long)(in->raw_base + in->raw_len), strerror(errno));
            in->damage++;
        }
        if (r <= 0) {
            in->eof = true;
            return 0;
        }
        return (size_t)r;
    }
}

static bool raw_fill(struct input *in)
{
    size_t keep = in->avail;

    if (in->eof)
        return false;
    /* Slide unconsumed bytes to the front. */
    if (keep && in->next != in->raw)
        memmove(in->raw, in->next, keep);
    in->raw_base += in->raw_len - keep;
    in->raw_len = keep;
    in->next = in->raw;
    /* One read per fill keeps pipes streaming. */
    in->raw_len += read_some(in, in->raw + in->raw_len, RAW_CAP - in->raw_len);
    in->avail = in->raw_len;
    return in->raw_len > keep;
}

/* A zstd frame, or a skippable frame (pzstd puts one before every frame
 * to say how long it is; libzstd steps over it), at m (4 bytes)? */
static bool zstd_at(const unsigned char *m)
{
    return (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        || ((m[0] & 0xf0) == 0x50 && m[1] == 0x2a && m[2] == 0x4d && m[3] == 0x18);
}

struct input *input_open(const char *path)
{
    return input_open_with(path, INFLATE_AUTO);
}

struct input *input_open_with(const char *path, enum inflate_kind kind)
{
    struct input *in = xcalloc(1, sizeof(*in));
    struct stat st;

    in->name = xstrdup(strcmp(path, "-") == 0 ? "(stdin)" : path);
    in->fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (in->fd < 0) {
        msg_warn("%s: cannot open: %s", path, strerror(errno));
        free(in->name);
        free(in);
        return NULL;
    }
    if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        msg_warn("%s: is a directory", path);
        input_close(in);
        return NULL;
    }
    in->mtime = in->fd != 0 && fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode)
        ? st.st_mtime : time(NULL);
    in->size = in->fd != 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
#ifdef POSIX_FADV_SEQUENTIAL
    if (in->fd != 0)
        posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    in->raw = xmalloc(RAW_CAP);
    in->next = in->raw;
    in->last_raw = '\n';
    raw_fill(in);
    while (in->raw_len < 2 && !in->eof)
        raw_fill(in);
    while (in->raw_len < 4 && !in->eof)
        raw_fill(in);
    if (in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
        in->codec = GZIP;
        in->z = inflate_new(kind);
        in->in_member = true;
    } else if (in->raw_len >= 4 && zstd_at(in->raw)) {
        if (!unzstd_available()) {
            msg_warn("%s: zstd-compressed, but this rblforge was built without libzstd",
                     in->name);
            input_close(in);
            return NULL;
        }
        in->codec = ZSTD;
        in->zs = unzstd_new();
        in->in_member = true;
    }
    return in;
}

/* A member starts at in->member_start: is it one to discard? */
static void member_begins(struct input *in)
{
    while (in->next_skip < in->nskip && in->skip[in->next_skip] < in->member_start)
        in->next_skip++;
    in->discard = in->next_skip < in->nskip && in->skip[in->next_skip] == in->member_start;
}

/* The current member failed its check: remember it, and end the line it
 * left open so that the next member's first line is not glued to it. */
static void member_damaged(struct input *in)
{
    if (in->nbad == 0 || in->bad[in->nbad - 1] != in->member_start) {
        in->bad = xgrow(in->bad, &in->bad_cap, in->nbad + 1, sizeof(*in->bad));
        in->bad[in->nbad++] = in->member_start;
    }
    if (in->last_raw != '\n')
        in->pending_nl = true;
}

/* Does a gzip member (deflate) or a zstd frame start at m (3 or 4 bytes)? */
static bool member_at(const struct input *in, const unsigned char *m)
{
    if (in->codec == GZIP)
        return m[0] == 0x1f && m[1] == 0x8b && m[2] == 8;
    return zstd_at(m);
}

/* After a member ended or broke: position on the next gzip header (zstd
 * frame). Returns false at end of input. Other bytes are skipped with a
 * warning. */
static bool next_member(struct input *in, bool after_error)
{
    const size_t mlen = in->codec == GZIP ? 3 : 4;

    uint64_t skipped = 0, start = input_offset(in);

    for (;;) {
        if (in->avail < mlen && !in->eof) {
            raw_fill(in);
            continue;
        }
        if (in->avail == 0)
            break;
        const unsigned char *p = in->next, *hit = NULL;
        size_t n = in->avail, at = 0;
        while (at + mlen - 1 < n) {
            /* zstd has two magic numbers: byte by byte; damage is rare. */
            const unsigned char *m = in->codec == GZIP
                ? memchr(p + at, 0x1f, n - (mlen - 1) - at) : p + at;
            if (m == NULL)
                break;
            if (member_at(in, m)) {
                hit = m;
                break;
            }
            at = (size_t)(m - p) + 1;
        }
        size_t drop = hit ? (size_t)(hit - p) : in->eof ? n : n - (mlen - 1);
        skipped += drop;
        in->next += drop;
        in->avail -= drop;
        if (hit || in->eof)
            break;
    }
    if (skipped && !after_error) {
        in->damage++;
        msg_warn("%s: %llu bytes of trailing garbage after %s at "
                 "compressed offset %llu ignored", in->name, (unsigned long long)skipped,
                 in->codec == GZIP ? "gzip member" : "zstd frame", (unsigned long long)start);
    }
    if (in->avail == 0)
        return false;
    if (in->codec == GZIP)
        inflate_reset(in->z);
    else
        unzstd_reset(in->zs);
    in->member_start = input_offset(in);
    in->in_member = true;
    member_begins(in);
    return true;
}

/* A decompressor may have taken a few bytes past the damage into its bit
 * buffer: search for the next member from a little before where it
 * stopped, but after the start of the broken member. */
static void back_off(struct input *in)
{
    uint64_t at = input_offset(in), floor = in->member_start + 1;
    uint64_t want = at > ERROR_BACKOFF ? at - ERROR_BACKOFF : 0;

    if (want < floor)
        want = floor;
    if (want < in->raw_base)
        want = in->raw_base;
    if (want < at) {
        size_t back = (size_t)(at - want);
        in->next -= back;
        in->avail += back;
    } else if (in->avail) {
        in->next++;             /* skip the broken byte so the search moves on */
        in->avail--;
    }
}

/* Is the member starting at this compressed offset one to discard? */
static bool discarded(const struct input *in, uint64_t start)
{
    for (size_t i = 0; i < in->nskip; i++)
        if (in->skip[i] == start)
            return true;
    return false;
}

/* One warning per damage: where the data broke, which member is not
 * used as evidence, and where reading resumes. */
static void warn_damage(const struct input *in, uint64_t member, uint64_t at,
                        const char *what, const char *why, bool more)
{
    char resume[64] = "";

    if (discarded(in, member))
        return;                 /* said when the member was first read */
    if (more)
        snprintf(resume, sizeof(resume), "; reading resumes at compressed offset %llu",
                 (unsigned long long)input_offset(in));
    if (in->codec == ZSTD && at == member)  /* libzstd does not say where in the frame */
        msg_warn("%s: %s starting at compressed offset %llu: %s; the frame is not used "
                 "as evidence%s", in->name, what, (unsigned long long)member, why, resume);
    else
        msg_warn("%s: %s at compressed offset %llu: %s; the %s starting at %llu "
                 "is not used as evidence%s", in->name, what, (unsigned long long)at, why,
                 in->codec == GZIP ? "gzip member" : "zstd frame", (unsigned long long)member,
                 resume);
}

/* Of the n bytes just produced at p for a member being discarded, keep
 * the line ends only; returns how many remain. */
static size_t keep_line_ends(struct input *in, unsigned char *p, size_t n)
{
    size_t k = 0;

    for (const unsigned char *q = p, *end = p + n;
         (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        k++;
    memset(p, '\n', k);
    in->dropped_lines += k;
    return k;
}

static size_t read_compressed(struct input *in, char *buf, size_t cap)
{
    unsigned char *out = (unsigned char *)buf;
    size_t room = cap;
    const char *why = NULL;

    while (room > 0 && !in->done) {
        if (in->pending_nl) {
            *out++ = '\n';
            room--;
            in->pending_nl = false;
            in->last_raw = '\n';
            continue;
        }
        if (in->avail == 0 && !raw_fill(in)) {
            if (in->in_member) {
                uint64_t at = input_offset(in);
                in->damage++;
                member_damaged(in);
                warn_damage(in, in->member_start, at, in->codec == GZIP
                            ? "unexpected end of gzip data" : "unexpected end of zstd data",
                            "truncated file?", false);
                in->in_member = false;
                if (in->pending_nl)
                    continue;
            }
            in->done = true;
            break;
        }
        unsigned char *from = out;
        enum inflate_rc rc = in->codec == GZIP
            ? inflate_run(in->z, &in->next, &in->avail, &out, &room, &why)
            : unzstd_run(in->zs, &in->next, &in->avail, &out, &room, &why);
        if (out > from)
            in->last_raw = out[-1];     /* before discarding: as the first reading saw it */
        if (in->discard && out > from) {
            size_t k = keep_line_ends(in, from, (size_t)(out - from));
            room += (size_t)(out - from) - k;
            out = from + k;
        }
        if (rc == INFLATE_END) {
            in->in_member = false;
            if (!next_member(in, false))
                in->done = true;
        } else if (rc == INFLATE_ERROR) {
            /* libzstd does not say where in the frame */
            uint64_t at = in->codec == GZIP ? input_offset(in) : in->member_start;
            in->damage++;
            member_damaged(in);
            in->in_member = false;
            uint64_t broken = in->member_start;
            back_off(in);
            bool more = next_member(in, true);
            if (!more)
                in->done = true;
            warn_damage(in, broken, at, in->codec == GZIP ? "corrupt gzip data"
                        : "corrupt zstd frame", why, more);
        }
    }
    return cap - room;
}

size_t input_read(struct input *in, char *buf, size_t cap)
{
    if (cap > (1u << 30))
        cap = 1u << 30;
    if (in->codec != PLAIN)
        return read_compressed(in, buf, cap);
    size_t got = 0;
    while (got < cap) {
        if (in->avail == 0 && cap - got >= RAW_CAP && !in->eof) {
            /* Plain text straight into the caller's buffer, not through
             * ours: a copy of every byte saved. */
            in->raw_base += in->raw_len;
            in->raw_len = 0;
            in->next = in->raw;
            size_t r = read_some(in, buf + got, cap - got);
            if (r == 0)
                break;
            in->raw_base += r;
            got += r;
            continue;
        }
        if (in->avail == 0 && !raw_fill(in))
            break;
        size_t n = in->avail < cap - got ? in->avail : cap - got;
        memcpy(buf + got, in->next, n);
        in->next += n;
        in->avail -= n;
        got += n;
    }
    return got;
}

const char *input_name(const struct input *in) { return in->name; }
time_t input_mtime(const struct input *in) { return in->mtime; }
bool input_is_gzip(const struct input *in) { return in->codec == GZIP; }
unsigned input_damage(const struct input *in) { return in->damage; }
uint64_t input_size(const struct input *in) { return in->size; }

size_t input_damaged_members(const struct input *in, const uint64_t **starts)
{
    *starts = in->bad;
    return in->nbad;
}

void input_skip_members(struct input *in, const uint64_t *starts, size_t n)
{
    in->skip = starts;
    in->nskip = n;
    in->next_skip = 0;
    member_begins(in);
}

uint64_t input_dropped_lines(const struct input *in)
{
    return in->dropped_lines;
}

uint64_t input_offset(const struct input *in)
{
    return in->raw_base + (uint64_t)(in->next - in->raw);
}

void input_close(struct input *in)
{
    if (in == NULL)
        return;
    inflate_free(in->z);
    unzstd_free(in->zs);
    if (in->fd > 0)
        close(in->fd);
    free(in->raw);
    free(in->bad);
    free(in->name);
    free(in);
}
