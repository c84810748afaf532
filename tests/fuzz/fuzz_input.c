/*
 * libFuzzer: bytes as a log file through input.c (gzip members, zstd
 * frames, plain text, damage and resynchronisation), the chunker and the
 * line parser, the way the pipeline reads a file. The data goes into a
 * memfd, opened by its /proc path like any log. Small chunks, so lines
 * cross chunk boundaries often.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "chunk.h"
#include "input.h"
#include "parse.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct event ev;
    char path[64];
    int fd = memfd_create("fuzz-input", 0);

    if (fd < 0)
        return 0;
    if (size && write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    /* The first byte's low bit picks the gzip backend. */
    struct input *in = input_open_with(path, size && (data[0] & 1) ? INFLATE_ZLIB
                                                                    : INFLATE_AUTO);
    if (in) {
        struct chunker *ck = chunker_new(in);
        struct chunk c = { 0 };
        struct parser ps;
        chunk_init(&c, 4096);
        parser_init(&ps, 1764000000, 0);
        while (chunker_next(ck, &c)) {
            struct chunk_cursor cur = { 0, 0 };
            size_t len;
            const char *p;
            while (chunk_line(&c, &cur, &p, &len))
                parse_line(&ps, p, len > CHUNK_MAX_LINE ? CHUNK_MAX_LINE : len, &ev);
        }
        chunk_free(&c);
        chunker_free(ck);
        input_close(in);
    }
    close(fd);
    return 0;
}
