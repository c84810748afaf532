/* libFuzzer target: the customer map reader. */
#include <stdint.h>
#include "custmap.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct custmap *m = custmap_new();

    custmap_load(m, fuzz_file(data, size));
    custmap_free(m);
    return 0;
}
