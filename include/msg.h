#ifndef RBLFORGE_MSG_H
#define RBLFORGE_MSG_H
/*
 * Diagnostics in three severities (and "error:" for what stops a command
 * that the user must fix: configuration, command line), after Postfix's msg(3): warn counts and
 * continues, fatal means the environment failed (exit 1 unless told
 * otherwise), panic means our own bug (abort). All go to stderr prefixed
 * with the program name.
 */
#include <stdarg.h>
#include <stdnoreturn.h>

/* Exit codes: a contract with cron and CI users (see rblforge(1)). */
enum {
    EXIT_OK = 0,
    EXIT_RUNTIME = 1,      /* I/O error, corrupt input that lost data, ... */
    EXIT_USAGE = 2,        /* bad command line or configuration */
    EXIT_DAMAGED = 3,      /* finished and published, but input was damaged */
    EXIT_VALVE = 4,        /* safety valve: listing changed too much, nothing replaced */
    EXIT_LOCKED = 5,       /* another run holds the output directory's lock */
    EXIT_HOOK = 6,         /* published, but the post-publish command failed */
    EXIT_LINKS = 7,        /* published (OUT/current), but an OUT/NAME link failed */
};

extern const char *msg_progname;
extern int msg_verbose;

void msg_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void msg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error that stops the command (a bad configuration or command line):
 * labelled "error:", counted like a warning; the caller exits. */
void msg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void msg_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
noreturn void msg_fatal_status(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
noreturn void msg_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Number of msg_warn() calls so far (callers turn warnings into exit codes). */
unsigned long msg_warn_count(void);

#endif
