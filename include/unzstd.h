#ifndef RBLFORGE_UNZSTD_H
#define RBLFORGE_UNZSTD_H
/*
 * zstd frame decompression (libzstd, when pkg-config finds it) with the
 * same calling convention as inflate.h: input.c handles files,
 * concatenated frames, resynchronisation and damage reports. The only
 * file that includes zstd.h.
 */
#include <stdbool.h>
#include <stddef.h>
#include "inflate.h"

struct unzstd;

/* Was rblforge built with libzstd? */
bool unzstd_available(void);
/* A decompressor at the start of a frame; NULL when not built in. */
struct unzstd *unzstd_new(void);
/* Back to the start of a (next) frame. */
void unzstd_reset(struct unzstd *z);
/* Like inflate_run: INFLATE_END when a frame is complete (its checksum,
 * if it has one, verified). */
enum inflate_rc unzstd_run(struct unzstd *z, const unsigned char **in, size_t *in_n,
                           unsigned char **out, size_t *out_n, const char **why);
void unzstd_free(struct unzstd *z);

#endif
