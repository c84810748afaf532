#ifndef RBLFORGE_INPUT_H
#define RBLFORGE_INPUT_H
/*
 * One log input (a path or "-" for stdin) as a stream of decompressed bytes.
 * gzip and zstd are recognised by their magic bytes, not the file name;
 * every member (frame) of a multi-member file is read and every trailer
 * (CRC32, ISIZE; zstd's checksum when the frame has one) checked.
 * Damage is reported with the file name and the compressed offset; after a
 * corrupt member the reader resynchronises on the next gzip header so the
 * rest of the file is not lost.
 */
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>
#include <time.h>
#include "inflate.h"

struct input;

/* Opens path; NULL (with a warning) if it cannot be opened. gzip goes
 * through the fastest built-in inflate backend, or the one asked for. */
struct input *input_open(const char *path);
struct input *input_open_with(const char *path, enum inflate_kind kind);
/* Up to cap decompressed bytes into buf; 0 at end of input. Damage is
 * warned about and counted, never returned as an error: what could be
 * read is returned. */
size_t input_read(struct input *in, char *buf, size_t cap);
const char *input_name(const struct input *in);
/* Modification time (now for stdin): the reference for year-less stamps. */
time_t input_mtime(const struct input *in);
bool input_is_gzip(const struct input *in);
/* Number of damage reports (corrupt/truncated data, read errors). */
unsigned input_damage(const struct input *in);
/* The members (frames) whose check failed or that were cut short, by the
 * compressed offset each starts at, in file order; the array stays
 * owned by in. A damaged member's last line is ended with a '\n' of our
 * own, so the next member's first line stands alone. */
size_t input_damaged_members(const struct input *in, const uint64_t **starts);
/* Read again, a file whose damaged members are known (starts, n, sorted,
 * kept by the caller until input_close): those members give only their
 * line ends, so that line numbers stay the same and none of their bytes
 * is parsed, and their damage is not warned about a second time. Call
 * before the first input_read. */
void input_skip_members(struct input *in, const uint64_t *starts, size_t n);
/* Lines of skipped members given as empty lines so far. */
uint64_t input_dropped_lines(const struct input *in);
/* Compressed bytes consumed so far. */
uint64_t input_offset(const struct input *in);
/* Size on disk, 0 when unknown (pipes). */
uint64_t input_size(const struct input *in);
void input_close(struct input *in);

#endif
