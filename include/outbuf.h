#ifndef RBLFORGE_OUTBUF_H
#define RBLFORGE_OUTBUF_H
/*
 * A write buffer over a file descriptor: large writes, no stdio locking per
 * call. Errors are sticky: check outbuf_flush() (or outbuf_failed()) once
 * at the end instead of after every put.
 */
#include <stddef.h>
#include <string.h>
#include <stdbool.h>
#include <stdint.h>
#include "ipaddr.h"

struct outbuf {
    int fd;
    char *buf;
    size_t len, cap;
    int err;                    /* first errno seen, 0 if none */
    /* outbuf_writeback: bytes written, and those whose writeback started */
    uint64_t written, started;
    bool writeback;
};

void outbuf_init(struct outbuf *o, int fd);
/* A buffer in memory only (fd -1): it grows instead of writing, flush keeps
 * the bytes; the owner takes buf/len and resets len. */
void outbuf_init_mem(struct outbuf *o, size_t cap);
/* o's file will be synced when done: its writeback is started every few
 * MB as it is written, so the fsync waits for the last few only (110 MB
 * of outputs take 0.1 s of this machine's disk). Linux; elsewhere a no-op. */
void outbuf_writeback(struct outbuf *o);
void outbuf_write_slow(struct outbuf *o, const void *p, size_t n);
/* Most pieces are a few bytes and the buffer has room: copied inline. */
static inline void outbuf_write(struct outbuf *o, const void *p, size_t n)
{
    if (o->cap - o->len >= n) {
        memcpy(o->buf + o->len, p, n);
        o->len += n;
    } else {
        outbuf_write_slow(o, p, n);
    }
}
static inline void outbuf_putc(struct outbuf *o, char c)
{
    if (o->len == o->cap)
        outbuf_write(o, &c, 1);
    else
        o->buf[o->len++] = c;
}
/* Inline: most strings are literals, whose length and copy the compiler
 * then knows. */
static inline void outbuf_puts(struct outbuf *o, const char *s)
{
    outbuf_write(o, s, strlen(s));
}
void outbuf_printf(struct outbuf *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void outbuf_u64(struct outbuf *o, uint64_t v);
/* n numbers, each after sep: a row of counts in one call. */
void outbuf_u32s(struct outbuf *o, const uint32_t *v, size_t n, char sep);
/* Room for n more bytes at the end: write them at the returned pointer,
 * then add what was written to o->len. */
char *outbuf_room_slow(struct outbuf *o, size_t n);
static inline char *outbuf_room(struct outbuf *o, size_t n)
{
    return o->cap - o->len >= n ? o->buf + o->len : outbuf_room_slow(o, n);
}
/* A double exactly as printf's "%g" writes it. */
void outbuf_g(struct outbuf *o, double v);
/* An address as ipaddr_format writes it, without the printf machinery. */
void outbuf_ipaddr(struct outbuf *o, const struct ipaddr *a);
/* A prefix as ipprefix_format writes it: "addr" for a host, else "addr/len". */
void outbuf_ipprefix(struct outbuf *o, const struct ipprefix *p);
/* A UTC time: fmt is literal text with %Y %m %d %H %M %S (and %%). */
void outbuf_time(struct outbuf *o, int64_t t, const char *fmt);
/* Writes everything buffered; false (errno in o->err) on failure. */
bool outbuf_flush(struct outbuf *o);
/* Flushes and frees the buffer (the fd stays open). */
bool outbuf_close(struct outbuf *o);

#endif
