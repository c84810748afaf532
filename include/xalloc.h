#ifndef RBLFORGE_XALLOC_H
#define RBLFORGE_XALLOC_H
/* Allocation that never returns NULL: running out of memory is fatal here,
 * so callers do not check. */
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of *cap elements of size sz to hold at least need. */
void *xgrow(void *p, size_t *cap, size_t need, size_t sz);
/* The capacity xgrow picks: cap doubled (16 from empty) until need fits. */
size_t xgrow_cap(size_t cap, size_t need, size_t sz);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
