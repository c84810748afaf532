#ifndef RBLFORGE_PUBDIR_H
#define RBLFORGE_PUBDIR_H
/*
 * One commit point for a publication. Everything a run publishes (files
 * and subdirectories) is built in a fresh staging directory
 * OUT/.pub/stage.XXXXXX, synced, renamed to OUT/.pub/ID, and switched in
 * with one atomic step: the symlink OUT/current is replaced by rename(2).
 * A signal, a crash or an I/O error at any moment leaves either the old
 * publication or the new one live, never a mix.
 *
 * The paths users already know stay: each top-level name of a publication
 * is also OUT/NAME, a symlink to current/NAME made once, so that every
 * reader (rbldnsd, nft -f, a web server) follows the switch. The first
 * publication into a directory of plain files (an older rblforge) turns
 * each of them into such a link, one rename per name; a plain file that
 * the new publication does not have is left alone.
 *
 * Entries of the live publication that a run does not write itself (the
 * zone files when `rblforge report` publishes the customer reports alone,
 * customers/ when a run has no --customers) are carried over as hard
 * links. The previous publication is kept after the switch, for readers
 * that resolved current/ just before it; the next run removes it while it
 * writes its own publication (in a thread, pubdir_begin to pubdir_commit).
 * Staging directories of killed runs are removed by the next run, which
 * holds OUT's lock.
 */
#include <stdbool.h>

struct pubdir;

enum pubdir_rc {
    PUBDIR_OLD,                 /* not switched: the previous publication is live */
    PUBDIR_NEW,                 /* switched: the new publication is live */
    PUBDIR_NEW_LINKS_FAILED,    /* switched, but an OUT/NAME link could not be made */
};

/* Removes stale staging directories and temporaries of killed runs (the
 * caller holds OUT's lock), then creates a staging directory and starts
 * removing the publications older than the live one. NULL with a warning
 * on failure. */
struct pubdir *pubdir_begin(const char *outdir);
/* The staging directory to write into. */
const char *pubdir_path(const struct pubdir *p);
/* Hard-link into the staging directory every top-level entry of the live
 * publication it does not have. False with a warning on error. */
bool pubdir_carry(struct pubdir *p);
/* Sync the staging tree's directories (its files were each synced before
 * they were named: afile), give it its final name and switch OUT/current
 * to it; then make the OUT/NAME links and remove older publications. Frees
 * p in every case; on PUBDIR_OLD the staging directory is removed. */
enum pubdir_rc pubdir_commit(struct pubdir *p);
/* Remove the staging directory and free p; NULL is a no-op. */
void pubdir_abort(struct pubdir *p);

#endif
