/* Plain and gzip input through zlib; the only file that includes zlib.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "input.h"
#include "msg.h"
#include "xalloc.h"

enum { RAW_CAP = 256 * 1024 };

struct input {
    char *name;
    int fd;
    bool gzip;
    bool in_member;             /* inside a gzip member (header seen) */
    bool eof;                   /* raw EOF reached */
    bool done;                  /* nothing more to return */
    unsigned damage;
    time_t mtime;
    uint64_t size;
    uint64_t raw_base;          /* file offset of raw[0] */
    z_stream z;
    unsigned char *raw;         /* raw bytes read, [z.next_in, +avail_in) unconsumed */
    size_t raw_len;
};

static bool raw_fill(struct input *in)
{
    size_t keep = in->z.avail_in;

    if (in->eof)
        return false;
    /* Slide unconsumed bytes to the front. */
    if (keep && in->z.next_in != in->raw)
        memmove(in->raw, in->z.next_in, keep);
    in->raw_base += in->raw_len - keep;
    in->raw_len = keep;
    in->z.next_in = in->raw;
    while (in->raw_len < RAW_CAP) {
        ssize_t r = read(in->fd, in->raw + in->raw_len, RAW_CAP - in->raw_len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            msg_warn("%s: read error at offset %llu: %s", in->name,
                     (unsigned long long)(in->raw_base + in->raw_len),
                     strerror(errno));
            in->damage++;
            in->eof = true;
            break;
        }
        if (r == 0) {
            in->eof = true;
            break;
        }
        in->raw_len += (size_t)r;
        break;                  /* one read per fill keeps pipes streaming */
    }
    in->z.avail_in = (uInt)in->raw_len;
    return in->raw_len > keep;
}

struct input *input_open(const char *path)
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
    in->z.next_in = in->raw;
    raw_fill(in);
    while (in->raw_len < 2 && !in->eof)
        raw_fill(in);
    in->gzip = in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
    if (in->gzip) {
        /* 16 + MAX_WBITS: gzip wrapper only, trailer checked by zlib. */
        if (inflateInit2(&in->z, 16 + MAX_WBITS) != Z_OK)
            msg_fatal("%s: zlib initialisation failed", in->name);
        in->in_member = true;
    }
    return in;
}

/* After a member ended or broke: position on the next gzip header. Returns
 * false at end of input. Non-gzip bytes are skipped with a warning. */
static bool next_member(struct input *in, bool after_error)
{
    uint64_t skipped = 0, start = input_offset(in);

    for (;;) {
        if (in->z.avail_in < 3 && !in->eof) {
            raw_fill(in);
            continue;
        }
        if (in->z.avail_in == 0)
            break;
        const unsigned char *p = in->z.next_in, *hit = NULL;
        size_t n = in->z.avail_in, at = 0;
        while (at + 2 < n) {
            const unsigned char *m = memchr(p + at, 0x1f, n - 2 - at);
            if (m == NULL)
                break;
            if (m[1] == 0x8b && m[2] == 8) {
                hit = m;
                break;
            }
            at = (size_t)(m - p) + 1;
        }
        size_t drop = hit ? (size_t)(hit - p) : in->eof ? n : n - 2;
        skipped += drop;
        in->z.next_in += drop;
        in->z.avail_in -= (uInt)drop;
        if (hit || in->eof)
            break;
    }
    if (skipped && !after_error) {
        in->damage++;
        msg_warn("%s: %llu bytes of trailing garbage after gzip member at "
                 "compressed offset %llu ignored", in->name,
                 (unsigned long long)skipped, (unsigned long long)start);
    } else if (skipped && in->z.avail_in) {
        msg_warn("%s: skipped %llu damaged compressed bytes, resuming at "
                 "compressed offset %llu", in->name,
                 (unsigned long long)skipped,
                 (unsigned long long)input_offset(in));
    }
    if (in->z.avail_in == 0)
        return false;
    inflateReset(&in->z);
    in->in_member = true;
    return true;
}

static size_t read_gzip(struct input *in, char *buf, size_t cap)
{
    in->z.next_out = (unsigned char *)buf;
    in->z.avail_out = (uInt)cap;
    while (in->z.avail_out > 0 && !in->done) {
        if (in->z.avail_in == 0 && !raw_fill(in)) {
            if (in->in_member) {
                in->damage++;
                msg_warn("%s: unexpected end of gzip data at compressed offset "
                         "%llu (truncated file?); keeping what was read",
                         in->name, (unsigned long long)input_offset(in));
            }
            in->done = true;
            break;
        }
        int rc = inflate(&in->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            in->in_member = false;
            if (!next_member(in, false))
                in->done = true;
        } else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
            in->damage++;
            msg_warn("%s: corrupt gzip data at compressed offset %llu: %s",
                     in->name, (unsigned long long)input_offset(in),
                     in->z.msg ? in->z.msg : "data error");
            in->in_member = false;
            /* Skip the broken header byte so the search moves on. */
            in->z.next_in++;
            in->z.avail_in--;
            if (!next_member(in, true))
                in->done = true;
        } else if (rc == Z_MEM_ERROR) {
            msg_fatal("%s: out of memory in zlib", in->name);
        } else if (rc == Z_BUF_ERROR && in->z.avail_in == 0) {
            continue;           /* needs more input: loop refills */
        }
    }
    return cap - in->z.avail_out;
}

size_t input_read(struct input *in, char *buf, size_t cap)
{
    if (cap > (1u << 30))
        cap = 1u << 30;
    if (in->gzip)
        return read_gzip(in, buf, cap);
    size_t got = 0;
    while (got < cap) {
        if (in->z.avail_in == 0 && !raw_fill(in))
            break;
        size_t n = in->z.avail_in < cap - got ? in->z.avail_in : cap - got;
        memcpy(buf + got, in->z.next_in, n);
        in->z.next_in += n;
        in->z.avail_in -= (uInt)n;
        got += n;
    }
    return got;
}

const char *input_name(const struct input *in) { return in->name; }
time_t input_mtime(const struct input *in) { return in->mtime; }
bool input_is_gzip(const struct input *in) { return in->gzip; }
unsigned input_damage(const struct input *in) { return in->damage; }
uint64_t input_size(const struct input *in) { return in->size; }

uint64_t input_offset(const struct input *in)
{
    return in->raw_base + (uint64_t)(in->z.next_in - in->raw);
}

void input_close(struct input *in)
{
    if (in == NULL)
        return;
    if (in->gzip)
        inflateEnd(&in->z);
    if (in->fd > 0)
        close(in->fd);
    free(in->raw);
    free(in->name);
    free(in);
}
