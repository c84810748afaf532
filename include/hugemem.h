#ifndef RBLFORGE_HUGEMEM_H
#define RBLFORGE_HUGEMEM_H
/*
 * Large arrays of the decide and publish phases (listings, decisions,
 * zone entries) backed by transparent huge pages where the kernel offers
 * them on request (THP "madvise" mode). Filling fresh memory costs a page
 * fault per 4 KiB otherwise, and on virtual machines a fault costs tens
 * of microseconds: tens of milliseconds per array of a few million bytes.
 * The memory is ordinary heap memory: free() it, xrealloc() it.
 */
#include <stddef.h>

/* n bytes, uninitialised; fatal on failure like xmalloc. Pages never
 * touched cost nothing: callers that know a bound reserve it here rather
 * than grow, since growing a large block copies it (both copies resident
 * for a moment). */
void *hugemem_alloc(size_t n);
/* The same for n bytes the caller fills at once: from 512 KiB on, whole
 * huge pages, since a block filled 4 KiB page by page takes 128 to 512
 * faults of some 10 us each on a VM. A block rounded up is one that is
 * touched whole anyway: at most 1.5 MiB more memory. */
void *hugemem_alloc_whole(size_t n);
/* xgrow for an array that may become large: at least need elements of
 * size sz, the contents kept. */
void *hugemem_grow(void *p, size_t *cap, size_t need, size_t sz);

#endif
