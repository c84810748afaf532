/* Temporary file (or directory), fsync, rename; see atomic.h. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "atomic.h"
#include "msg.h"
#include "xalloc.h"

struct afile {
    char *dir;
    char *final;
    char *tmp;
    int fd;
    bool finished;
    /* The fsync started by afile_finish_flushing in a thread, and its
     * result (an errno, 0 if none), read after the join. */
    bool flushing;
    bool flushed;               /* joined, and the fsync is done */
    int flush_err;
    pthread_t flusher;
    struct outbuf out;
};

/* Temporaries still on disk, for the signal handler: a fatal signal in
 * the middle of a publish removes them and leaves the old files alone. */
enum { MAX_PENDING = 32 };
static char *volatile pending[MAX_PENDING];

static void track(char *path, bool on)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (on ? pending[i] == NULL : pending[i] == path) {
            pending[i] = on ? path : NULL;
            return;
        }
}

/* While the outputs are renamed into place, a fatal signal waits for the
 * last rename: a publication is all old files or all new ones. While the
 * signals are held (afile_hold_signals), it waits for the caller. */
static volatile sig_atomic_t renaming, holding, deferred;

static void on_signal(int sig)
{
    if (renaming || holding) {
        deferred = sig;
        return;
    }
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

void afile_hold_signals(void)
{
    holding = 1;
}

int afile_signal_held(void)
{
    return deferred;
}

void afile_release_signals(void)
{
    holding = 0;
    if (deferred)
        raise(deferred);
}

void afile_catch_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };

    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        signal(sigs[i], on_signal);
}

struct afile *afile_open(const char *dir, const char *name, mode_t mode)
{
    struct afile *af = xcalloc(1, sizeof(*af));
    size_t n = strlen(dir) + strlen(name) + 16;

    af->dir = xstrdup(dir);
    af->final = xmalloc(n);
    af->tmp = xmalloc(n);
    snprintf(af->final, n, "%s/%s", dir, name);
    snprintf(af->tmp, n, "%s/.%s.XXXXXX", dir, name);
    af->fd = mkstemp(af->tmp);
    if (af->fd < 0) {
        msg_warn("%s: cannot create a temporary file: %s", af->final, strerror(errno));
        free(af->dir), free(af->final), free(af->tmp), free(af);
        return NULL;
    }
    track(af->tmp, true);
    /* mkstemp gives 0600; the DNS server runs as another user. */
    if (fchmod(af->fd, mode) < 0)
        msg_warn("%s: chmod: %s", af->tmp, strerror(errno));
    outbuf_init(&af->out, af->fd);
    outbuf_writeback(&af->out);
    return af;
}

struct outbuf *afile_out(struct afile *af)
{
    return &af->out;
}

const char *afile_path(const struct afile *af)
{
    return af->final;
}

/* The flusher thread: the temporary to disk while the caller goes on
 * formatting the other outputs (a disk cache flush takes tens of ms for
 * tens of MB). An fsync, not fdatasync: the inode's times then go in the
 * same journal commit, and the files' commits overlap instead of one
 * after another in sync_close (3 to 8 ms each on this machine). */
static void *flush_data(void *arg)
{
    struct afile *af = arg;

    if (fsync(af->fd) < 0)
        af->flush_err = errno;
    return NULL;
}

/* Waits for the flusher, if any: its fsync error, 0 if none. */
static int flush_join(struct afile *af)
{
    if (af->flushing) {
        pthread_join(af->flusher, NULL);
        af->flushing = false;
        af->flushed = af->flush_err == 0;
    }
    return af->flush_err;
}

static bool finish(struct afile *af, bool in_thread)
{
    bool ok = outbuf_close(&af->out);

    if (!ok)
        msg_warn("%s: write failed: %s", af->final, strerror(af->out.err));
    else if (in_thread)
        af->flushing = pthread_create(&af->flusher, NULL, flush_data, af) == 0;
#ifdef SYNC_FILE_RANGE_WRITE
    /* Without a thread, the writeback at least starts now. */
    if (ok && !af->flushing)
        (void)sync_file_range(af->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
    af->finished = ok;
    return ok;
}

bool afile_finish(struct afile *af)
{
    return finish(af, false);
}

bool afile_finish_flushing(struct afile *af)
{
    return finish(af, true);
}

/* The finished temporary on disk (fsync) and closed; false with a
 * warning on error. */
static bool sync_close(struct afile *af)
{
    bool ok = true;
    int err = flush_join(af);

    if (err == 0 && !af->flushed && fsync(af->fd) < 0)
        err = errno;
    if (err) {
        msg_warn("%s: fsync failed: %s", af->final, strerror(err));
        ok = false;
    }
    if (close(af->fd) < 0 && ok) {
        msg_warn("%s: write failed: %s", af->final, strerror(errno));
        ok = false;
    }
    af->fd = -1;
    return ok;
}

static void afile_release(struct afile *af)
{
    flush_join(af);
    track(af->tmp, false);
    if (af->fd >= 0) {
        outbuf_close(&af->out);
        close(af->fd);
    }
    free(af->dir);
    free(af->final);
    free(af->tmp);
    free(af);
}

void afile_abort(struct afile *af)
{
    if (af == NULL)
        return;
    unlink(af->tmp);
    afile_release(af);
}

/* A second name for af's previous file (the temporary's pattern, so that
 * a later run removes it if this one is killed), or NULL if it had none.
 * *ok false if it cannot be made. */
static char *link_aside(const struct afile *af, bool *ok)
{
    char *p = xstrdup(af->tmp);
    size_t n = strlen(p);

    for (int tries = 0; tries < 100; tries++) {
        memcpy(p + n - 6, "XXXXXX", 6);
        int fd = mkstemp(p);
        if (fd < 0)
            break;
        close(fd);
        unlink(p);
        if (link(af->final, p) == 0)
            return p;
        if (errno == ENOENT) {
            free(p);
            return NULL;
        }
        if (errno != EEXIST)
            break;
    }
    msg_warn("%s: cannot link the previous file aside: %s", af->final, strerror(errno));
    *ok = false;
    free(p);
    return NULL;
}

bool afile_publish_all(struct afile **v, size_t n)
{
    bool ok = true;
    char **prev = xcalloc(n ? n : 1, sizeof(*prev));
    size_t done = 0;

    for (size_t i = 0; i < n; i++)
        if (v[i] == NULL || !v[i]->finished)
            ok = false;
    for (size_t i = 0; i < n && ok; i++)
        ok = sync_close(v[i]);
    /* The previous files keep a second name until all renames are done:
     * if one fails half way, those already replaced are put back. */
    for (size_t i = 0; i < n && ok; i++)
        prev[i] = link_aside(v[i], &ok);
    renaming = 1;
    for (; done < n && ok; done++)
        if (rename(v[done]->tmp, v[done]->final) < 0) {
            msg_warn("%s: rename: %s", v[done]->final, strerror(errno));
            ok = false;
            break;
        } else {
            v[done]->tmp[0] = 0;
        }
    for (size_t i = 0; !ok && i < done; i++) {
        if (prev[i] ? rename(prev[i], v[i]->final) : unlink(v[i]->final))
            msg_warn("%s: cannot put the previous file back: %s", v[i]->final,
                     strerror(errno));
    }
    /* Every directory a rename touched (outputs may go to subdirectories),
     * each once: the renames are durable only then, so a failure here
     * fails the whole (the files are in place, but the caller must not
     * count on them; a publication is then abandoned). */
    for (size_t i = 0; ok && i < done; i++) {
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(v[j]->dir, v[i]->dir) == 0;
        int dfd = seen ? -1 : open(v[i]->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            if (fsync(dfd) < 0 && errno != EINVAL) {
                msg_warn("%s: fsync failed: %s", v[i]->dir, strerror(errno));
                ok = false;
            }
            close(dfd);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (prev[i])
            unlink(prev[i]);            /* gone already if put back */
        free(prev[i]);
    }
    free(prev);
    renaming = 0;
    if (deferred && !holding)
        raise(deferred);        /* the handler again, now to die */
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL)
            continue;
        if (v[i]->tmp[0])
            unlink(v[i]->tmp);
        afile_release(v[i]);
        v[i] = NULL;
    }
    return ok;
}

bool afile_write_file(const char *path, const void *p, size_t n, mode_t mode)
{
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    const char *name = slash ? path + (slash - dir) + 1 : path;

    if (slash == dir)
        dir[1] = 0;             /* "/file": the root directory */
    else if (slash)
        *slash = 0;
    struct afile *af = afile_open(slash ? dir : ".", name, mode);
    bool ok = af != NULL;
    if (ok) {
        outbuf_write(afile_out(af), p, n);
        if (afile_finish(af)) {
            ok = afile_publish_all(&af, 1);
        } else {
            afile_abort(af);
            ok = false;
        }
    }
    free(dir);
    return ok;
}
