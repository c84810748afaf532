/* A publication built aside and switched in by one rename; see pubdir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "pubdir.h"
#include "msg.h"
#include "xalloc.h"

enum { PATH_CAP = 4096 };

struct pubdir {
    char *outdir;
    char stage[PATH_CAP];       /* OUT/.pub/stage.XXXXXX */
    char suffix[8];             /* its XXXXXX, which names the publication */
    /* The publications older than the live one, removed by a thread of
     * their own while this one is written (start_removal). */
    char **old;
    size_t nold;
    pthread_t remover;
    bool removing;
};

/* a/b into buf; false (errno ENAMETOOLONG) when it does not fit. */
static bool join(char *buf, size_t cap, const char *a, const char *b)
{
    int n = snprintf(buf, cap, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return false;
    }
    return true;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

/* rm -rf; a no-op when path does not exist. */
static void rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool fsync_path(const char *path, bool dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0 || errno == EINVAL;    /* some file systems cannot */
    int e = errno;
    close(fd);
    errno = e;
    return ok;
}

static bool sync_failed;

/* The staging tree's directories, each after its entries (FTW_DEPTH). Its
 * files need no second fsync: each was synced before it got its name
 * (afile) or is a link to one of the live publication's. After their
 * renames an fsync of each found their inodes changed again and cost a
 * journal commit apiece, one after another: most of a publication's wait
 * on this machine. */
static int sync_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)ftw;
    if (flag == FTW_DP && !fsync_path(path, true)) {
        msg_warn("%s: fsync failed: %s", path, strerror(errno));
        sync_failed = true;
        return 1;
    }
    return 0;
}

/* Where OUT/current points (".pub/pub.XXXXXX"), or "" when it does not. */
static void live_target(const char *outdir, char *buf, size_t cap)
{
    char path[PATH_CAP];
    ssize_t n;

    snprintf(path, sizeof(path), "%s/current", outdir);
    n = readlink(path, buf, cap - 1);
    buf[n > 0 ? n : 0] = 0;
}

/* Names our own runs leave behind when killed: staging directories,
 * half-made links, the previous layout's staging directories. */
static void remove_stale(const char *outdir)
{
    char path[PATH_CAP];
    struct dirent *de;
    DIR *d;

    snprintf(path, sizeof(path), "%s/.pub", outdir);
    if ((d = opendir(path)) != NULL) {
        while ((de = readdir(d)) != NULL)
            if (strncmp(de->d_name, "stage.", 6) == 0 || strncmp(de->d_name, "old.", 4) == 0) {
                snprintf(path, sizeof(path), "%s/.pub/%s", outdir, de->d_name);
                rm_tree(path);
            }
        closedir(d);
    }
    if ((d = opendir(outdir)) != NULL) {
        while ((de = readdir(d)) != NULL)
            if (strncmp(de->d_name, ".current.", 9) == 0 || strncmp(de->d_name, ".link.", 6) == 0
                || strncmp(de->d_name, ".customers.new.", 15) == 0
                || strncmp(de->d_name, ".customers.old.", 15) == 0) {
                snprintf(path, sizeof(path), "%s/%s", outdir, de->d_name);
                rm_tree(path);
            }
        closedir(d);
    }
}

static void *remove_old(void *arg)
{
    struct pubdir *p = arg;

    for (size_t i = 0; i < p->nold; i++)
        rm_tree(p->old[i]);
    return NULL;
}

/* Every OUT/.pub/pub.* but keep (".pub/pub.XXXXXX") and keep2 (NULL:
 * none) into p->old, to be removed. */
static void list_old(struct pubdir *p, const char *keep, const char *keep2)
{
    char path[PATH_CAP];
    struct dirent *de;
    DIR *d;

    snprintf(path, sizeof(path), "%s/.pub", p->outdir);
    if ((d = opendir(path)) == NULL)
        return;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "pub.", 4) != 0)
            continue;
        snprintf(path, sizeof(path), ".pub/%s", de->d_name);
        if (strcmp(path, keep) == 0 || (keep2 && strcmp(path, keep2) == 0))
            continue;
        p->old = xrealloc(p->old, (p->nold + 1) * sizeof(*p->old));
        snprintf(path, sizeof(path), "%s/.pub/%s", p->outdir, de->d_name);
        p->old[p->nold++] = xstrdup(path);
    }
    closedir(d);
}

/* Every OUT/.pub/pub.* but the live one goes now, in a thread of its own:
 * the publication before the live one served readers that resolved
 * current/ just before the last switch, a run ago. Removing tens of MB
 * waits mostly for the disk (ext4 frees and discards the blocks), which
 * then overlaps the writing of the new publication instead of following
 * its switch. Without a thread, pubdir_commit removes them as before. */
static void start_removal(struct pubdir *p)
{
    char live[PATH_CAP];

    live_target(p->outdir, live, sizeof(live));
    list_old(p, live, NULL);
    if (p->nold)
        p->removing = pthread_create(&p->remover, NULL, remove_old, p) == 0;
}

/* Waits for the remover, if any, and forgets its list. */
static void end_removal(struct pubdir *p)
{
    if (p->removing)
        pthread_join(p->remover, NULL);
    p->removing = false;
    for (size_t i = 0; i < p->nold; i++)
        free(p->old[i]);
    free(p->old);
    p->old = NULL;
    p->nold = 0;
}

struct pubdir *pubdir_begin(const char *outdir)
{
    struct pubdir *p = xcalloc(1, sizeof(*p));
    char path[PATH_CAP];

    remove_stale(outdir);
    snprintf(path, sizeof(path), "%s/.pub", outdir);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        msg_warn("%s: cannot create: %s", path, strerror(errno));
        free(p);
        return NULL;
    }
    snprintf(p->stage, sizeof(p->stage), "%s/.pub/stage.XXXXXX", outdir);
    if (mkdtemp(p->stage) == NULL) {
        msg_warn("%s/.pub: cannot create a staging directory: %s", outdir, strerror(errno));
        free(p);
        return NULL;
    }
    chmod(p->stage, 0755);
    memcpy(p->suffix, p->stage + strlen(p->stage) - 6, 7);
    p->outdir = xstrdup(outdir);
    start_removal(p);
    return p;
}

const char *pubdir_path(const struct pubdir *p)
{
    return p->stage;
}

/* Hard-link src (a file, a symlink or a directory tree) as dst. */
static bool link_tree(const char *src, const char *dst)
{
    struct stat st;
    char a[PATH_CAP], b[PATH_CAP];

    if (lstat(src, &st) < 0)
        return false;
    if (S_ISREG(st.st_mode))
        return link(src, dst) == 0;
    if (S_ISLNK(st.st_mode)) {
        ssize_t n = readlink(src, a, sizeof(a) - 1);
        if (n < 0)
            return false;
        a[n] = 0;
        return symlink(a, dst) == 0;
    }
    if (!S_ISDIR(st.st_mode))
        return true;            /* nothing else is ours */
    if (mkdir(dst, st.st_mode & 07777) < 0)
        return false;
    DIR *d = opendir(src);
    struct dirent *de;
    bool ok = d != NULL;
    while (ok && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ok = join(a, sizeof(a), src, de->d_name) && join(b, sizeof(b), dst, de->d_name)
            && link_tree(a, b);
    }
    if (d)
        closedir(d);
    return ok;
}

bool pubdir_carry(struct pubdir *p)
{
    char live[PATH_CAP], target[PATH_CAP], src[PATH_CAP], dst[PATH_CAP];
    struct dirent *de;
    struct stat st;
    bool ok = true;

    live_target(p->outdir, target, sizeof(target));
    if (target[0] == 0)
        return true;            /* nothing published this way yet */
    if (!join(live, sizeof(live), p->outdir, target))
        return false;
    DIR *d = opendir(live);
    if (d == NULL)
        return true;
    while (ok && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (!join(dst, sizeof(dst), p->stage, de->d_name)
            || !join(src, sizeof(src), live, de->d_name)) {
            ok = false;
            msg_warn("%s/%s: %s", live, de->d_name, strerror(errno));
            break;
        }
        if (lstat(dst, &st) == 0)
            continue;           /* written by this run */
        if (!(ok = link_tree(src, dst)))
            msg_warn("%s: cannot carry over into %s: %s", src, p->stage, strerror(errno));
    }
    closedir(d);
    return ok;
}

/* OUT/name as a symlink to current/name, replacing a plain file (or a
 * directory) of the older layout. */
static bool make_link(const char *outdir, const char *name)
{
    char path[PATH_CAP], want[PATH_CAP], tmp[PATH_CAP], old[PATH_CAP];
    struct stat st;
    ssize_t n;

    snprintf(path, sizeof(path), "%s/%s", outdir, name);
    snprintf(want, sizeof(want), "current/%s", name);
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)
        && (n = readlink(path, old, sizeof(old) - 1)) > 0
        && (old[n] = 0, strcmp(old, want) == 0))
        return true;
    snprintf(tmp, sizeof(tmp), "%s/.link.%s", outdir, name);
    unlink(tmp);
    if (symlink(want, tmp) < 0)
        return false;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* A directory cannot be renamed over: move it aside first (a
         * moment without it, once, when leaving the older layout). */
        snprintf(old, sizeof(old), "%s/.pub/old.%s", outdir, name);
        rm_tree(old);
        if (rename(path, old) < 0) {
            unlink(tmp);
            return false;
        }
        if (rename(tmp, path) < 0)
            return false;
        rm_tree(old);
        return true;
    }
    if (rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return false;
    }
    return true;
}

enum pubdir_rc pubdir_commit(struct pubdir *p)
{
    char final[PATH_CAP], rel[64], tmp[PATH_CAP], cur[PATH_CAP], prev[PATH_CAP];
    char pubs[PATH_CAP];
    enum pubdir_rc rc = PUBDIR_NEW;

    end_removal(p);
    sync_failed = false;
    nftw(p->stage, sync_entry, 16, FTW_DEPTH | FTW_PHYS);
    snprintf(rel, sizeof(rel), ".pub/pub.%s", p->suffix);
    snprintf(final, sizeof(final), "%s/%s", p->outdir, rel);
    snprintf(pubs, sizeof(pubs), "%s/.pub", p->outdir);
    snprintf(tmp, sizeof(tmp), "%s/.current.%s", p->outdir, p->suffix);
    snprintf(cur, sizeof(cur), "%s/current", p->outdir);
    live_target(p->outdir, prev, sizeof(prev));
    if (sync_failed) {
        pubdir_abort(p);
        return PUBDIR_OLD;
    }
    if (rename(p->stage, final) < 0) {
        msg_warn("%s: cannot rename to %s: %s", p->stage, final, strerror(errno));
        pubdir_abort(p);
        return PUBDIR_OLD;
    }
    if (!fsync_path(pubs, true) || symlink(rel, tmp) < 0 || rename(tmp, cur) < 0) {
        msg_warn("%s: cannot switch to the new publication: %s", cur, strerror(errno));
        unlink(tmp);
        rm_tree(final);
        free(p->outdir);
        free(p);
        return PUBDIR_OLD;
    }
    /* The switch is done: from here on the new publication is live. */
    if (!fsync_path(p->outdir, true))
        msg_warn("%s: fsync failed: %s", p->outdir, strerror(errno));
    DIR *d = opendir(final);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (!make_link(p->outdir, de->d_name)) {
            msg_warn("%s/%s: cannot make it a link to current/%s: %s", p->outdir, de->d_name,
                     de->d_name, strerror(errno));
            rc = PUBDIR_NEW_LINKS_FAILED;
        }
    }
    if (d)
        closedir(d);
    fsync_path(p->outdir, true);
    /* Keep the previous publication (a reader may have resolved current/
     * just before the switch); remove the older ones (none, unless the
     * remover could not start). */
    list_old(p, rel, prev);
    remove_old(p);
    end_removal(p);
    free(p->outdir);
    free(p);
    return rc;
}

void pubdir_abort(struct pubdir *p)
{
    if (p == NULL)
        return;
    end_removal(p);
    rm_tree(p->stage);
    free(p->outdir);
    free(p);
}
