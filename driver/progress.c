/* Terminal progress on stderr; see progress.h. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "clock.h"
#include "progress.h"

bool progress_wanted(int setting)
{
    return setting < 0 ? isatty(STDERR_FILENO) : setting > 0;
}

void progress_init(struct progress *p, bool on, char *const *files, size_t n)
{
    memset(p, 0, sizeof(*p));
    atomic_flag_clear(&p->drawing);
    p->on = on;
    for (size_t i = 0; on && i < n; i++) {
        struct stat st;
        if (strcmp(files[i], "-") != 0 && stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
            p->total += (uint64_t)st.st_size;
    }
    p->t0 = clock_seconds(CLOCK_MONOTONIC);
    p->next = p->t0 + 0.5;
}

static void draw(struct progress *p, double t, const char *end)
{
    double secs = t - p->t0 > 1e-6 ? t - p->t0 : 1e-6;
    double done = (double)atomic_load(&p->done), out = (double)atomic_load(&p->out);
    char eta[32] = "";

    if (p->total && done > 0 && done < (double)p->total) {
        double left = ((double)p->total - done) / (done / secs);
        snprintf(eta, sizeof(eta), ", ETA %d:%02d", (int)(left / 60), (int)left % 60);
    }
    if (p->total)
        fprintf(stderr, "\rrblforge: %.0f/%.0f MB read (%.0f%%), %.0f MB/s, log %.0f MB/s%s   %s",
                done / 1e6, (double)p->total / 1e6, 100 * done / (double)p->total,
                done / 1e6 / secs, out / 1e6 / secs, eta, end);
    else
        fprintf(stderr, "\rrblforge: %.0f MB read, %.0f MB/s, log %.0f MB/s   %s",
                done / 1e6, done / 1e6 / secs, out / 1e6 / secs, end);
}

void progress_add(struct progress *p, uint64_t compressed, uint64_t decompressed)
{
    if (!p->on)
        return;
    atomic_fetch_add(&p->done, compressed);
    atomic_fetch_add(&p->out, decompressed);
    double t = clock_seconds(CLOCK_MONOTONIC);
    if (t < p->next || atomic_flag_test_and_set(&p->drawing))
        return;
    p->next = t + 0.5;
    draw(p, t, "");
    atomic_flag_clear(&p->drawing);
}

void progress_end(struct progress *p)
{
    if (!p->on)
        return;
    while (atomic_flag_test_and_set(&p->drawing))
        ;
    draw(p, clock_seconds(CLOCK_MONOTONIC), "\n");
    atomic_flag_clear(&p->drawing);
}
