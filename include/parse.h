#ifndef RBLFORGE_PARSE_H
#define RBLFORGE_PARSE_H
/*
 * Log line to event. parse_line() reads the syslog/multilog header (stamp,
 * host, program, pid) and hands the message to the parser of the program
 * that wrote it (parse_postfix.c, parse_qmail.c). No allocation: the event
 * points into the line.
 */
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include "event.h"
#include "tstamp.h"
#include "unknown.h"

#define PARSE_PROG_SLOTS 32
/* Host names up to PARSE_HOST_KEY - 2 bytes are remembered (read_host),
 * PARSE_HOST_MEMO of them. */
#define PARSE_HOST_KEY 48
#define PARSE_HOST_MEMO_BITS 6
#define PARSE_HOST_MEMO (1 << PARSE_HOST_MEMO_BITS)
#define PARSE_PROG_NAME 32

/* What became of a line (parser.last). */
enum parse_class {
    PC_EVENT,                   /* an event */
    PC_KNOWN,                   /* a known shape that is no evidence */
    PC_UNMATCHED,               /* a program we read, a shape we do not */
    PC_FOREIGN,                 /* a program we do not read */
    PC_NO_HEADER,               /* no stamp/program recognised */
};

/* The program families whose lines we read, for the share of their lines
 * that no shape matched. */
enum parse_family {
    PF_POSTFIX, PF_QMAIL, PF_POSTGREY, PF_POLICYD_SPF, PF_DOVECOT, PF_CYRUS,
    PF_SPAMD, PF_OPENDKIM, PF_OPENDMARC, PF_POSTFWD, PF__COUNT
};
const char *parse_family_name(enum parse_family f);

struct parse_prog_count {
    char name[PARSE_PROG_NAME];
    uint8_t len;                /* strlen(name) */
    uint64_t count;
};

/* Lines seen but not turned into an event, per program. */
struct parse_stats {
    uint64_t lines;
    uint64_t events;
    uint64_t no_header;         /* no recognisable stamp/program */
    uint64_t long_lines;
    unsigned nprog;
    struct parse_prog_count unrec[PARSE_PROG_SLOTS];  /* the last slot collects "(other)" overflow */
    uint64_t known_no_evidence; /* known shapes that carry no evidence */
    uint64_t fam_lines[PF__COUNT], fam_unmatched[PF__COUNT];
    unsigned nforeign;          /* lines of programs we do not read */
    struct parse_prog_count foreign[PARSE_PROG_SLOTS];
    struct unknown_set unmatched;   /* templates of PC_UNMATCHED lines */
};

/* A syslog tag read before (parse.c): its bytes up to and with ": ", and
 * what was read from them. A tag is a program and its pid: a busy
 * server's log interleaves some hundreds (100 smtpd, 50 smtp, 20 cleanup
 * processes, ...): with 64 slots, 15 % of the lines of such a log
 * (genlog --site) missed and had their tag read again. */
#define PARSE_TAG_MEMO_BITS 9
#define PARSE_TAG_MEMO (1 << PARSE_TAG_MEMO_BITS)
struct parse_tag_memo {
    char key[32];
    uint8_t used;               /* bytes of key that are the tag; 0: empty */
    uint8_t prog_n, svc_at, svc_n, pid_at, pid_n, fam, pfd;
    bool has_svc, has_pid;
};

struct parser {
    struct tsctx ts;
    struct parse_stats st;
    /* The caller counts client addresses only (no queue-id joins): Postfix
     * queue lines of shapes that never name the client come back as bare
     * EV_NOTE events with their queue id, unparsed. Events and the stats
     * are otherwise the same. */
    bool client_only;
    enum parse_class last;      /* what parse_line made of the last line */
    /* The tags of a log ("postfix/qmgr[999]: ") come again and again:
     * read once each, then found by their bytes. */
    struct parse_tag_memo tag_memo[PARSE_TAG_MEMO];
    /* Host names seen lately, each as the space before it, the name (n
     * bytes) and the space after it, by the first 8 bytes after a stamp:
     * one log's host, or each of the hosts of a central log server. */
    struct parse_host_memo {
        char key[PARSE_HOST_KEY];
        uint8_t n;
        char pad[64 - PARSE_HOST_KEY - 1];      /* a cache line each */
    } host_memo[PARSE_HOST_MEMO];
};

/* ref: the file's mtime (year-less stamps); year: explicit year or 0. */
void parser_init(struct parser *ps, time_t ref, int year);

/* Parse one line (without its '\n'). ev->file, file_index and line must be
 * set by the caller; the rest is filled. Returns true if ev is an event. */
bool parse_line(struct parser *ps, const char *p, size_t n, struct event *ev);

/* A warning on stderr for each family of which more than 1% of the lines
 * matched no shape. */
void parse_stats_warn(const struct parse_stats *st);

/* Add src's counts to dst (program slots merged by name). */
void parse_stats_merge(struct parse_stats *dst, const struct parse_stats *src);
/* Put st's tables in a canonical order (program slots by name, templates
 * by count): merged in any order, the same statistics read the same. */
void parse_stats_sort(struct parse_stats *st);

#endif
