#ifndef RBLFORGE_ATOMIC_H
#define RBLFORGE_ATOMIC_H
/*
 * Publishing files without ever exposing a half-written one: each output
 * is written to a temporary file in the destination directory and
 * flushed (afile_finish); only when every output of a run finished are
 * they fsync'd, renamed into place (afile_publish_all) and the directory
 * fsync'd. A failed or interrupted run leaves the previous
 * publication as it was. The only temp-file-and-rename code of the
 * program: the zone and sets, the state file and the customer reports
 * all go through it.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "outbuf.h"

struct afile;

/* Creates a temporary for dir/name with the given mode (0644 for files a
 * DNS server reads). NULL with a warning on failure. */
struct afile *afile_open(const char *dir, const char *name, mode_t mode);
struct outbuf *afile_out(struct afile *af);
const char *afile_path(const struct afile *af);
/* Flush the temporary and start its writeback; false with a warning on
 * error. */
bool afile_finish(struct afile *af);
/* The same, and a thread of its own waits for the file to reach the disk
 * (fsync) while the caller writes the other files of a publication:
 * on a virtual disk the cache flush of tens of MB takes tens of ms, that
 * afile_publish_all then no longer waits for. One thread per file: for a
 * handful of large files, not for thousands of letters. */
bool afile_finish_flushing(struct afile *af);
/* fsync every finished temporary (unless its flusher did) and rename it
 * into place, then fsync the directories; frees the afiles. All are
 * aborted if any is NULL, unfinished or fails its fsync, and if a rename
 * fails the files already replaced get their previous content back (kept
 * under a second name until the end): all or nothing. False too if a
 * directory's fsync fails after the renames. */
bool afile_publish_all(struct afile **v, size_t n);
/* On SIGINT/SIGTERM/SIGHUP/SIGPIPE remove pending temporaries, then die
 * of the signal as usual; one that comes while afile_publish_all renames
 * waits for the last rename. */
void afile_catch_signals(void);
/* From now until afile_release_signals, a fatal signal is held: the
 * caller looks at afile_signal_held() where it can stop cleanly (abandon
 * a publication not yet switched in, or finish one that is), and
 * releases, which then dies of the held signal. */
void afile_hold_signals(void);
/* The signal being held, 0 if none. */
int afile_signal_held(void);
void afile_release_signals(void);
/* The n bytes at p as the file path, written to a temporary beside it
 * and renamed over it (the state and the customers' history). False with
 * a warning on failure; the previous file is then unchanged. */
bool afile_write_file(const char *path, const void *p, size_t n, mode_t mode);
/* Remove the temporary and free; NULL is a no-op. */
void afile_abort(struct afile *af);

#endif
