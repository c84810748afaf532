#ifndef RBLFORGE_RESUME_H
#define RBLFORGE_RESUME_H
/*
 * Incremental reading with a state file: a file is known by its first
 * decompressed block (and device/inode), so a rotated file is recognised
 * under its new name and a truncated one is read from the start.
 */
#include <stdint.h>
#include "input.h"
#include "state.h"

/* Identify path (open as in) against st, skip in past what an earlier run
 * read, and fill rec (the caller's) with what identifies the file and how
 * far it is now read. Returns the lines skipped. */
uint64_t resume_input(const char *path, struct input *in, enum inflate_kind kind,
                      const struct state *st, struct state_input *rec);

#endif
