/* Incremental reading: where an earlier run stopped in a file; see resume.h. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "resume.h"
#include "msg.h"

uint64_t resume_input(const char *path, struct input *in, enum inflate_kind kind,
                      const struct state *st, struct state_input *rec)
{
    char head[STATE_HEAD_BLOCK], skipbuf[65536];
    size_t hl = 0, k;
    struct stat sb;
    uint64_t skip, skip_lines, done = 0;

    memset(rec, 0, sizeof(*rec));
    snprintf(rec->name, sizeof(rec->name), "%s", path);
    if (stat(path, &sb) == 0)
        rec->dev = (uint64_t)sb.st_dev, rec->ino = (uint64_t)sb.st_ino,
        rec->size = (uint64_t)sb.st_size;
    struct input *h = input_open_with(path, kind);
    if (h) {
        while (hl < sizeof(head) && (k = input_read(h, head + hl, sizeof(head) - hl)) > 0)
            hl += k;
        input_close(h);
    }
    rec->hlen = (uint32_t)hl;
    rec->hash = state_input_hash(head, hl);
    state_input_resume(state_inputs_of(st), rec->dev, rec->ino, head, hl, &skip, &skip_lines);
    while (done < skip && (k = input_read(in, skipbuf, skip - done < sizeof(skipbuf)
                                         ? (size_t)(skip - done) : sizeof(skipbuf))) > 0)
        done += k;
    if (done < skip)
        msg_warn("%s: shorter than what an earlier run read (%llu of %llu bytes); "
                 "nothing new read", path, (unsigned long long)done, (unsigned long long)skip);
    rec->consumed = done;
    rec->lines = skip_lines;
    return skip_lines;
}
