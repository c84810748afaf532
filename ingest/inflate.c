/* gzip member decompression through zlib or ISA-L; see inflate.h. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif
#include "inflate.h"
#include "msg.h"
#include "xalloc.h"

struct inflater {
    enum inflate_kind kind;
    z_stream z;
#ifdef HAVE_ISAL
    struct inflate_state *isal;
#endif
};

bool inflate_kind_parse(const char *name, enum inflate_kind *k)
{
    if (strcmp(name, "auto") == 0)
        *k = INFLATE_AUTO;
    else if (strcmp(name, "zlib") == 0)
        *k = INFLATE_ZLIB;
#ifdef HAVE_ISAL
    else if (strcmp(name, "isal") == 0 || strcmp(name, "igzip") == 0)
        *k = INFLATE_ISAL;
#endif
    else
        return false;
    return true;
}

enum inflate_kind inflate_kind_resolve(enum inflate_kind k)
{
    if (k != INFLATE_AUTO)
        return k;
#ifdef HAVE_ISAL
    return INFLATE_ISAL;
#else
    return INFLATE_ZLIB;
#endif
}

const char *inflate_kind_name(enum inflate_kind k)
{
    switch (inflate_kind_resolve(k)) {
    case INFLATE_ISAL: return "isal";
    default: return "zlib";
    }
}

const char *inflate_backends(void)
{
#ifdef HAVE_ISAL
    return "isal zlib";
#else
    return "zlib";
#endif
}

struct inflater *inflate_new(enum inflate_kind k)
{
    struct inflater *z = xcalloc(1, sizeof(*z));

    z->kind = inflate_kind_resolve(k);
#ifdef HAVE_ISAL
    if (z->kind == INFLATE_ISAL) {
        z->isal = xmalloc(sizeof(*z->isal));
        inflate_reset(z);
        return z;
    }
#endif
    /* 16 + MAX_WBITS: the gzip wrapper only, trailer checked by zlib. */
    if (inflateInit2(&z->z, 16 + MAX_WBITS) != Z_OK)
        msg_fatal("zlib initialisation failed");
    return z;
}

void inflate_reset(struct inflater *z)
{
#ifdef HAVE_ISAL
    if (z->kind == INFLATE_ISAL) {
        isal_inflate_init(z->isal);
        z->isal->crc_flag = ISAL_GZIP;
        return;
    }
#endif
    inflateReset(&z->z);
}

#ifdef HAVE_ISAL
static const char *isal_why(int rc)
{
    switch (rc) {
    case ISAL_INVALID_BLOCK: return "invalid block type";
    case ISAL_INVALID_SYMBOL: return "invalid code";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER: return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
    case ISAL_NEED_DICT: return "needs a dictionary";
    default: return "data error";
    }
}

static enum inflate_rc run_isal(struct inflater *z, const unsigned char **in,
                                size_t *in_n, unsigned char **out, size_t *out_n,
                                const char **why)
{
    struct inflate_state *s = z->isal;
    /* ISA-L counts in 32 bits: feed at most 1 GB at a time. */
    uint32_t in_cap = *in_n > (1u << 30) ? 1u << 30 : (uint32_t)*in_n;
    uint32_t out_cap = *out_n > (1u << 30) ? 1u << 30 : (uint32_t)*out_n;

    s->next_in = (uint8_t *)*in;
    s->avail_in = in_cap;
    s->next_out = *out;
    s->avail_out = out_cap;
    int rc = isal_inflate(s);
    *in += in_cap - s->avail_in;
    *in_n -= in_cap - s->avail_in;
    *out += out_cap - s->avail_out;
    *out_n -= out_cap - s->avail_out;
    if (rc < 0 || rc == ISAL_NEED_DICT) {
        *why = isal_why(rc);
        return INFLATE_ERROR;
    }
    return s->block_state == ISAL_BLOCK_FINISH ? INFLATE_END : INFLATE_MORE;
}
#endif

enum inflate_rc inflate_run(struct inflater *z, const unsigned char **in,
                            size_t *in_n, unsigned char **out, size_t *out_n,
                            const char **why)
{
#ifdef HAVE_ISAL
    if (z->kind == INFLATE_ISAL)
        return run_isal(z, in, in_n, out, out_n, why);
#endif
    uInt in_cap = *in_n > UINT_MAX / 2 ? UINT_MAX / 2 : (uInt)*in_n;
    uInt out_cap = *out_n > UINT_MAX / 2 ? UINT_MAX / 2 : (uInt)*out_n;

    z->z.next_in = (unsigned char *)*in;
    z->z.avail_in = in_cap;
    z->z.next_out = *out;
    z->z.avail_out = out_cap;
    int rc = inflate(&z->z, Z_NO_FLUSH);
    *in += in_cap - z->z.avail_in;
    *in_n -= in_cap - z->z.avail_in;
    *out += out_cap - z->z.avail_out;
    *out_n -= out_cap - z->z.avail_out;
    switch (rc) {
    case Z_STREAM_END:
        return INFLATE_END;
    case Z_DATA_ERROR:
    case Z_NEED_DICT:
    case Z_STREAM_ERROR:
        *why = z->z.msg ? z->z.msg : "data error";
        return INFLATE_ERROR;
    case Z_MEM_ERROR:
        msg_fatal("out of memory in zlib");
    default:
        return INFLATE_MORE;    /* Z_OK, Z_BUF_ERROR: needs input or room */
    }
}

void inflate_free(struct inflater *z)
{
    if (z == NULL)
        return;
#ifdef HAVE_ISAL
    free(z->isal);
    if (z->kind != INFLATE_ISAL)
#endif
        inflateEnd(&z->z);
    free(z);
}
