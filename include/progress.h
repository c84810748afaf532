#ifndef RBLFORGE_PROGRESS_H
#define RBLFORGE_PROGRESS_H
/*
 * Progress on stderr for people at a terminal: compressed bytes read of
 * the total, MB/s and ETA, redrawn at most twice a second on one line.
 * Threads report per chunk (never per line); one of them draws.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct progress {
    bool on;
    uint64_t total;             /* compressed bytes of all inputs, 0 unknown */
    atomic_uint_fast64_t done;  /* compressed bytes read */
    atomic_uint_fast64_t out;   /* decompressed bytes */
    atomic_flag drawing;
    double t0;
    _Atomic double next;        /* time of the next redraw */
};

/* Whether to show progress: forced (1), never (0) or auto (-1: stderr is a TTY). */
bool progress_wanted(int setting);
/* Sizes of the inputs are summed for the total (stdin and pipes count 0). */
void progress_init(struct progress *p, bool on, char *const *files, size_t n);
/* Add read bytes; redraws when due. Any thread. */
void progress_add(struct progress *p, uint64_t compressed, uint64_t decompressed);
/* Final line and newline (only if anything was drawn). */
void progress_end(struct progress *p);

#endif
