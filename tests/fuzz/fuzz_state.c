/* libFuzzer target: the state file reader. Any bytes either load or are
 * refused; what loads is written again and must load again to the same
 * bytes (the reader accepts exactly what the writer makes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_file.h"
#include "msg.h"
#include "state.h"
#include "state_file.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0;

    *n = 0;
    if (fp == NULL)
        return NULL;
    for (;;) {
        buf = realloc(buf, cap + 65536);
        size_t k = fread(buf + cap, 1, 65536, fp);
        cap += k;
        if (k < 65536)
            break;
    }
    fclose(fp);
    *n = cap;
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char out[] = "/tmp/rblforge-fuzz-state.XXXXXX";
    static int made;
    struct state *s = state_new();

    msg_verbose = 0;
    if (!made) {
        int fd = mkstemp(out);
        if (fd < 0)
            abort();
        close(fd);
        made = 1;
    }
    if (state_file_load(s, fuzz_file(data, size))) {
        size_t n1, n2;
        struct state *t = state_new();
        if (!state_file_save(s, out) || !state_file_load(t, out))
            abort();            /* what was read must write and read back */
        char *a = slurp(out, &n1);
        if (!state_file_save(t, out))
            abort();
        char *b = slurp(out, &n2);
        if (n1 != n2 || memcmp(a, b, n1) != 0)
            abort();            /* and the second writing is the same bytes */
        free(a);
        free(b);
        state_free(t);
    }
    state_free(s);
    return 0;
}
