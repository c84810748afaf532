#ifndef RBLFORGE_STATE_FILE_H
#define RBLFORGE_STATE_FILE_H
/*
 * The state (state.h) in one file: text, versioned ("rblforge-state 2";
 * version 1 is read too), one record a line (E entries, N notes of
 * removals by hand, F inputs), ending with a checksum line; written to a
 * temporary in the same directory, fsync'd and renamed (util/atomic.c). A
 * file that fails its checksum is refused: running without it would
 * silently delist entries. Whoever writes the file holds its lock,
 * FILE.lock (flock): the nightly run and delist alike.
 */
#include <stdbool.h>
#include "state.h"

/* Loads path; a missing file is an empty state. false (with a warning
 * naming the file and line) when it is unreadable, of another version or
 * fails its checksum. */
bool state_file_load(struct state *s, const char *path);
/* Writes atomically; false with a warning on failure. */
bool state_file_save(const struct state *s, const char *path);
/* Takes path's lock (path.lock), waiting up to wait_seconds (0: not at
 * all). The descriptor (close it to release), -1 on error or -2 when
 * another process kept it (both warned). */
int state_file_lock(const char *path, unsigned wait_seconds);

#endif
