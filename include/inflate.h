#ifndef RBLFORGE_INFLATE_H
#define RBLFORGE_INFLATE_H
/*
 * gzip member decompression behind one small interface, with two backends:
 * zlib (always built) and ISA-L's igzip (built when pkg-config finds
 * libisal). Both parse the gzip header, check the CRC32/ISIZE trailer and
 * stop at the end of one member; input.c handles files, concatenated
 * members, resynchronisation and the damage reports. The only file that
 * includes zlib.h or the ISA-L headers.
 */
#include <stdbool.h>
#include <stddef.h>

enum inflate_kind {
    INFLATE_AUTO = 0,           /* the fastest built-in backend */
    INFLATE_ZLIB,
    INFLATE_ISAL,
};

enum inflate_rc {
    INFLATE_MORE,               /* input used up or output full: call again */
    INFLATE_END,                /* member complete, trailer checked */
    INFLATE_ERROR,              /* corrupt data; *why says what */
};

struct inflater;

/* "zlib", "isal" or "auto" to a backend; false if unknown or not built in. */
bool inflate_kind_parse(const char *name, enum inflate_kind *k);
/* The backend AUTO resolves to, and every other value unchanged. */
enum inflate_kind inflate_kind_resolve(enum inflate_kind k);
const char *inflate_kind_name(enum inflate_kind k);
/* The built-in backends, fastest first, space separated ("isal zlib"). */
const char *inflate_backends(void);

/* A decompressor at the start of a gzip member; fatal if out of memory. */
struct inflater *inflate_new(enum inflate_kind k);
/* Back to the start of a (next) gzip member. */
void inflate_reset(struct inflater *z);
/* Decompress from [*in, *in + *in_n) into [*out, *out + *out_n), advancing
 * both. On INFLATE_ERROR *in points near the damage and *why is a static
 * description. */
enum inflate_rc inflate_run(struct inflater *z, const unsigned char **in,
                            size_t *in_n, unsigned char **out, size_t *out_n,
                            const char **why);
void inflate_free(struct inflater *z);

#endif
