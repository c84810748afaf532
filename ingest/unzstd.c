/* zstd input through libzstd's streaming decoder; see unzstd.h. */
#include <stdlib.h>
#include "unzstd.h"
#include "msg.h"
#include "xalloc.h"

#ifdef HAVE_ZSTD
#include <zstd.h>

struct unzstd {
    ZSTD_DCtx *dctx;
};

bool unzstd_available(void)
{
    return true;
}

struct unzstd *unzstd_new(void)
{
    struct unzstd *z = xcalloc(1, sizeof(*z));

    if ((z->dctx = ZSTD_createDCtx()) == NULL)
        msg_fatal("out of memory in libzstd");
    /* Log archives are written with large windows (zstd --long): accept
     * up to 2^27 bytes, the CLI's own limit without --memory. */
    ZSTD_DCtx_setParameter(z->dctx, ZSTD_d_windowLogMax, 27);
    return z;
}

void unzstd_reset(struct unzstd *z)
{
    ZSTD_DCtx_reset(z->dctx, ZSTD_reset_session_only);
}

enum inflate_rc unzstd_run(struct unzstd *z, const unsigned char **in, size_t *in_n,
                           unsigned char **out, size_t *out_n, const char **why)
{
    ZSTD_inBuffer ib = { *in, *in_n, 0 };
    ZSTD_outBuffer ob = { *out, *out_n, 0 };
    size_t rc = ZSTD_decompressStream(z->dctx, &ob, &ib);

    *in += ib.pos;
    *in_n -= ib.pos;
    *out += ob.pos;
    *out_n -= ob.pos;
    if (ZSTD_isError(rc)) {
        *why = ZSTD_getErrorName(rc);
        return INFLATE_ERROR;
    }
    /* 0: the frame is decoded and all of it flushed into out. */
    return rc == 0 ? INFLATE_END : INFLATE_MORE;
}

void unzstd_free(struct unzstd *z)
{
    if (z == NULL)
        return;
    ZSTD_freeDCtx(z->dctx);
    free(z);
}

#else

bool unzstd_available(void)
{
    return false;
}

struct unzstd *unzstd_new(void)
{
    return NULL;
}

void unzstd_reset(struct unzstd *z)
{
    (void)z;
}

enum inflate_rc unzstd_run(struct unzstd *z, const unsigned char **in, size_t *in_n,
                           unsigned char **out, size_t *out_n, const char **why)
{
    (void)z, (void)in, (void)in_n, (void)out, (void)out_n;
    *why = "built without libzstd";
    return INFLATE_ERROR;
}

void unzstd_free(struct unzstd *z)
{
    (void)z;
}

#endif
