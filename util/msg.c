/* Diagnostics to stderr; see msg.h. Thread-safe: one fprintf per message. */
#include <stdio.h>
#include <stdlib.h>
#include <stdatomic.h>
#include "msg.h"

const char *msg_progname = "rblforge";
int msg_verbose;
static atomic_ulong warn_count;

__attribute__((format(printf, 2, 0)))
static void vmsg(const char *level, const char *fmt, va_list ap)
{
    char buf[2048];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    fprintf(stderr, "%s: %s%s\n", msg_progname, level, buf);
}

void msg_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("", fmt, ap);
    va_end(ap);
}

void msg_warn(const char *fmt, ...)
{
    va_list ap;

    atomic_fetch_add(&warn_count, 1);
    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}

void msg_error(const char *fmt, ...)
{
    va_list ap;

    atomic_fetch_add(&warn_count, 1);
    va_start(ap, fmt);
    vmsg("error: ", fmt, ap);
    va_end(ap);
}

unsigned long msg_warn_count(void)
{
    return atomic_load(&warn_count);
}

void msg_fatal_status(int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg(status == EXIT_USAGE ? "error: " : "fatal: ", fmt, ap);
    va_end(ap);
    exit(status);
}

void msg_fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("fatal: ", fmt, ap);
    va_end(ap);
    exit(EXIT_RUNTIME);
}

void msg_panic(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmsg("panic: ", fmt, ap);
    va_end(ap);
    abort();
}
