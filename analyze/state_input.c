/* The inputs a state remembers; see state_input.h. */
#include <stdbool.h>
#include <string.h>
#include "state_input.h"
#include "xalloc.h"

uint64_t state_input_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

void state_input_name(char *dst, size_t cap, const char *src)
{
    size_t i = 0;

    for (; src && src[i] && i + 1 < cap; i++)
        dst[i] = src[i] >= 0x20 && src[i] < 0x7f && src[i] != '\\' ? src[i] : '?';
    dst[i] = 0;
}

void state_input_add(struct state_inputs *ins, const struct state_input *in)
{
    ins->v = xgrow(ins->v, &ins->cap, ins->n + 1, sizeof(*ins->v));
    ins->v[ins->n] = *in;
    state_input_name(ins->v[ins->n].name, sizeof(ins->v[ins->n].name), in->name);
    ins->n++;
}

static bool head_matches(const struct state_input *r, const char *head, size_t headlen)
{
    return r->hlen <= headlen && state_input_hash(head, r->hlen) == r->hash;
}

void state_input_resume(const struct state_inputs *ins, uint64_t dev, uint64_t ino,
                        const char *head, size_t headlen,
                        uint64_t *skip_bytes, uint64_t *skip_lines)
{
    const struct state_input *best = NULL;

    *skip_bytes = *skip_lines = 0;
    for (size_t i = 0; i < ins->n; i++) {
        const struct state_input *r = &ins->v[i];
        if (r->hlen == 0 || !head_matches(r, head, headlen))
            continue;
        /* Same inode first (the file grew or was renamed); otherwise the
         * longest read of the same content (a compressed copy). */
        bool same = r->dev == dev && r->ino == ino;
        bool best_same = best && best->dev == dev && best->ino == ino;
        if (best == NULL || (same && !best_same)
            || (same == best_same && r->consumed > best->consumed))
            best = r;
    }
    if (best) {
        *skip_bytes = best->consumed;
        *skip_lines = best->lines;
    }
}

void state_input_done(struct state_inputs *ins, const struct state_input *in)
{
    size_t w = 0;

    for (size_t r = 0; r < ins->n; r++) {
        const struct state_input *o = &ins->v[r];
        bool replaced = (o->dev == in->dev && o->ino == in->ino)
            || (o->hlen == in->hlen && o->hash == in->hash && o->consumed <= in->consumed);
        if (!replaced)
            ins->v[w++] = *o;
    }
    ins->n = w;
    state_input_add(ins, in);
}
