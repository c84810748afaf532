#ifndef RBLFORGE_SCALE_H
#define RBLFORGE_SCALE_H
/*
 * The shared job split in two for scale-out (issue 27): `rblforge scan`
 * reads logs as a run does and keeps what it read in a partial file
 * (partial.h) instead of deciding; `rblforge merge` reads any number of
 * partials, in any order, into the job as job_read would have read the
 * logs themselves, then decides and publishes with the job's own steps.
 *
 * The inputs of all partials are numbered in one global order: by each
 * file's first stamped event, then by name. A run given the same files
 * in chronological order (as rotation names them: mail.log.2.gz
 * mail.log.1 mail.log) numbers them alike, which is what makes scan +
 * merge byte-identical to that run.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "job.h"
#include "partial.h"

/* A scan's inputs in the global order. A table compares the positions of
 * rDNS names as it reads, so a scan must read its files in the order the
 * merge numbers them: a name dropped for a line thought earlier is lost. */
struct scale_inputs {
    char **files;               /* the names given, reordered (not copies) */
    bool *has_first;
    int64_t *first;
    size_t n;
};
/* Peek at each file's first stamp (inflate, year as the job reads them)
 * and order files into in. */
void scale_inputs_order(struct scale_inputs *in, char *const *files, size_t n, int inflate,
                        int year);
void scale_inputs_free(struct scale_inputs *in);

/* After job_read of in->files: write what j read to path (atomically).
 * EXIT_OK, or EXIT_RUNTIME (warned) when an input was unreadable, --strict
 * saw damage, or the file could not be written; then nothing is left at
 * path. */
int scale_scan_write(struct job *j, const struct scale_inputs *in, const char *path);

struct scale_opts {
    int64_t window;             /* > 0: only partials whose events all lie in
                                 * [now - window, now) */
    int64_t now;
    bool verbose;
};

/* What a merge read: the global file table and the merged header. */
struct scale {
    struct partial_head head;   /* files in the global order */
    char **names;               /* head.files[i].name, for j->files */
    struct agg *agg;            /* scale_merge_partials only */
    struct outbound *ob;
    size_t used;                /* partials taken (a window may skip some) */
};

/* Read parts into j (j->agg, j->st, j->files, the reports' collector and
 * the reading positions for the state), as job_read reads logs; s keeps
 * the file names j points at until scale_free. EXIT_OK or an exit status
 * (warned): EXIT_USAGE for partials that cannot be merged with each
 * other or with this job, EXIT_RUNTIME for a damaged or unreadable one. */
int scale_read(struct job *j, struct scale *s, char *const *parts, size_t n,
               const struct scale_opts *so);
/* Merge parts into one partial at out (tree reductions): the same checks. */
int scale_merge_partials(const char *out, char *const *parts, size_t n,
                         const struct scale_opts *so);
void scale_free(struct scale *s);

/* Parse a window length: N followed by d, h or s ("7d"); false if bad. */
bool scale_parse_window(const char *arg, int64_t *secs);

#endif
