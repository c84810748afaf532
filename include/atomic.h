#ifndef RBLFORGE_ATOMIC_H
#define RBLFORGE_ATOMIC_H
/*
 * Publishing files without ever exposing a half-written one: each output
 * is written to a temporary file in the destination directory, flushed,
 * fsync'd and closed (afile_finish); only when every output of a run
 * finished are they renamed into place (afile_publish_all) and the
 * directory fsync'd. A failed or interrupted run leaves the previous
 * publication as it was.
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
/* Flush, fsync and close the temporary; false with a warning on error. */
bool afile_finish(struct afile *af);
/* Rename every finished temporary into place, then fsync the directory;
 * frees the afiles. All are aborted if any is NULL or unfinished, and if
 * a rename fails the files already replaced get their previous content
 * back (kept under a second name until the end): all or nothing. */
bool afile_publish_all(struct afile **v, size_t n);
/* On SIGINT/SIGTERM/SIGHUP/SIGPIPE remove pending temporaries, then die
 * of the signal as usual; one that comes while afile_publish_all renames
 * waits for the last rename. */
void afile_catch_signals(void);
/* Remove the temporary and free; NULL is a no-op. */
void afile_abort(struct afile *af);

#endif
