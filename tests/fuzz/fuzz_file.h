/* Fuzz targets whose code under test reads a file by its path (the state
 * file, the config, the customer map): the input is written to one
 * temporary file, made once and rewritten for every input. */
#ifndef RBLFORGE_FUZZ_FILE_H
#define RBLFORGE_FUZZ_FILE_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *fuzz_file(const uint8_t *data, size_t size)
{
    static char path[] = "/tmp/rblforge-fuzz.XXXXXX";
    static int fd = -1;

    if (fd < 0 && (fd = mkstemp(path)) < 0) {
        perror("mkstemp");
        abort();
    }
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size) {
        perror(path);
        abort();
    }
    return path;
}
#endif
