#ifndef RBLFORGE_SUMMARY_JSON_H
#define RBLFORGE_SUMMARY_JSON_H
/* The analysis keys of summary.json. */
#include "outbuf.h"
#include "zonedata.h"

/* Counts, unparsed lines per program, state effects, allowlist hits, held
 * networks, each written as ",\n  \"key\": value" to extend the object
 * publish.c writes. */
void summary_json_fields(struct outbuf *o, const struct export_ctx *x);

#endif
