#ifndef RBLFORGE_CLOCK_H
#define RBLFORGE_CLOCK_H
/* A clock's reading in seconds: CLOCK_MONOTONIC for wall time,
 * CLOCK_THREAD_CPUTIME_ID for a thread's CPU (the -v figures, progress). */
#include <time.h>

static inline double clock_seconds(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
