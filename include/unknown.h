#ifndef RBLFORGE_UNKNOWN_H
#define RBLFORGE_UNKNOWN_H
/*
 * Lines of programs we know that no shape matched, grouped into templates
 * (addresses, ids, numbers, host names, paths masked), with a count and one
 * raw example each. A fixed-size table, no allocation: a parser fills one
 * per chunk, the pipeline merges them. The example of a template is the
 * one with the smallest (file index, line), so the table's content does
 * not depend on the thread count as long as it does not overflow.
 */
#include <stdbool.h>
#include <stdint.h>
#include "span.h"

#define UNKNOWN_SLOTS 48
#define UNKNOWN_PROG 24
#define UNKNOWN_TPL 120
#define UNKNOWN_EXAMPLE 200

struct unknown_tpl {
    uint64_t count;
    uint64_t ex_line;
    uint32_t ex_file;
    uint32_t hash;
    uint8_t nprog, ntpl, nex;
    char prog[UNKNOWN_PROG];        /* the daemon ("smtpd", "tcpserver") */
    char tpl[UNKNOWN_TPL];          /* masked, printable ASCII */
    char ex[UNKNOWN_EXAMPLE];       /* raw bytes of the message, cut */
};

struct unknown_set {
    unsigned n;
    uint64_t overflow;              /* lines whose template found no slot */
    struct unknown_tpl t[UNKNOWN_SLOTS];
};

/* Mask msg into a template: at most cap - 1 bytes written to out, returns
 * the length. Never fails; bytes outside printable ASCII become '?'. */
size_t unknown_mask(struct span msg, char *out, size_t cap);

/* Count one unmatched message of program prog (file/line for the example). */
void unknown_add(struct unknown_set *u, struct span prog, struct span msg,
                 uint32_t file, uint64_t line);

/* The hash a template of program prog is kept under (unknown_tpl.hash). */
uint32_t unknown_hash(const char *prog, size_t np, const char *tpl, size_t nt);

/* Add src's templates to dst (examples: the smaller file/line wins). */
void unknown_merge(struct unknown_set *dst, const struct unknown_set *src);

/* Sort by count (descending), then program and template: deterministic. */
void unknown_sort(struct unknown_set *u);

#endif
