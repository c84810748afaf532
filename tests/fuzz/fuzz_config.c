/* libFuzzer target: the configuration reader (inih and every setting's
 * validation). Any bytes are read or refused with a message; never a
 * crash, and what loads prints as INI that loads again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "config.h"
#include "fuzz_file.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct policy p, q;
    static char again[] = "/tmp/rblforge-fuzz-config.XXXXXX";
    static int made;

    if (!made) {
        int fd = mkstemp(again);
        if (fd < 0)
            abort();
        close(fd);
        made = 1;
    }
    config_init(&p);
    if (config_load(&p, fuzz_file(data, size))) {
        FILE *fp = fopen(again, "w");
        if (fp == NULL)
            abort();
        config_print(&p, fp);
        fclose(fp);
        config_init(&q);
        if (!config_load(&q, again))
            abort();            /* the printed configuration must load */
    }
    return 0;
}
