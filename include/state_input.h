#ifndef RBLFORGE_STATE_INPUT_H
#define RBLFORGE_STATE_INPUT_H
/*
 * The inputs a state file remembers: per file read, device, inode, size,
 * a hash of its first decompressed block and how much of it was read, so
 * the next run reads only new data, also after logrotate renamed or
 * compressed the file. The records live in the state (state.h); the file
 * format is state_file.h.
 */
#include <stdint.h>
#include <stddef.h>

#define STATE_HEAD_BLOCK 4096   /* bytes of decompressed data that identify a file */

struct state_input {
    uint64_t dev, ino, size;
    uint32_t hlen;              /* bytes hashed: min(STATE_HEAD_BLOCK, data) */
    uint64_t hash;              /* FNV-1a 64 of the first hlen decompressed bytes */
    uint64_t consumed, lines;   /* decompressed bytes/lines read (whole lines) */
    int64_t seen;               /* the last run that saw the file */
    char name[256];
};

/* The records of one state, in no particular order. */
struct state_inputs {
    struct state_input *v;
    size_t n, cap;
};

/* FNV-1a 64: the inputs' head hash, and the state file's checksum. */
uint64_t state_input_hash(const void *p, size_t n);
/* How much of an input was read before: fills *skip_bytes and *skip_lines
 * (0 for a file not seen before). head: the first bytes of its
 * decompressed data (up to STATE_HEAD_BLOCK). A record matches when
 * device and inode match and the hash of its first hlen bytes does, or,
 * for a renamed or compressed copy, when the hash alone does. */
void state_input_resume(const struct state_inputs *ins, uint64_t dev, uint64_t ino,
                        const char *head, size_t headlen,
                        uint64_t *skip_bytes, uint64_t *skip_lines);
/* Record that an input was read up to consumed bytes / lines; replaces
 * the records it matched. Records not seen for 30 days are dropped at
 * save time. */
void state_input_done(struct state_inputs *ins, const struct state_input *in);
/* Append a record as read from a state file (name made printable). */
void state_input_add(struct state_inputs *ins, const struct state_input *in);
/* The name of an input as it may be stored: printable ASCII, '?' else. */
void state_input_name(char *dst, size_t cap, const char *src);

#endif
