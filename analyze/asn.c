/* ASN lookups in a MaxMind DB; see asn.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <maxminddb.h>
#include "asn.h"
#include "arena.h"
#include "msg.h"
#include "xalloc.h"

struct asn_db {
    MMDB_s mmdb;
    agg_map orgs;               /* ASN -> interned organisation name */
    struct arena mem;
    unsigned warned;
};

struct asn_db *asn_open(const char *path)
{
    struct asn_db *db = xcalloc(1, sizeof(*db));
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);

    if (rc != MMDB_SUCCESS) {
        msg_warn("%s: cannot open ASN database: %s%s%s", path, MMDB_strerror(rc),
                 rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR ? ": " : "",
                 rc == MMDB_IO_ERROR || rc == MMDB_FILE_OPEN_ERROR ? strerror(errno) : "");
        free(db);
        return NULL;
    }
    arena_init(&db->mem);
    return db;
}

/* The database entry of ip; false (warned a few times) on a lookup error
 * or when the address is not in the database. */
static bool entry_of(struct asn_db *db, const struct ipaddr *ip, MMDB_lookup_result_s *out)
{
    struct sockaddr_storage ss;
    int err = 0;

    memset(&ss, 0, sizeof(ss));
    if (ip->family == 4) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        memcpy(&s4->sin_addr, ip->b, 4);
    } else if (ip->family == 6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        memcpy(&s6->sin6_addr, ip->b, 16);
    } else {
        return false;
    }
    *out = MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&ss, &err);
    if (err != MMDB_SUCCESS || !out->found_entry) {
        /* An IPv6 address in an IPv4-only database is not an error worth
         * repeating per address. */
        if (err != MMDB_SUCCESS && err != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR
            && db->warned++ < 3)
            msg_warn("ASN lookup failed: %s", MMDB_strerror(err));
        return false;
    }
    return true;
}

uint32_t asn_lookup(struct asn_db *db, const struct ipaddr *ip)
{
    MMDB_lookup_result_s r;

    if (!entry_of(db, ip, &r))
        return 0;
    MMDB_entry_data_s d;
    if (MMDB_get_value(&r.entry, &d, "autonomous_system_number", NULL) != MMDB_SUCCESS
        || !d.has_data)
        return 0;
    uint32_t asn;
    switch (d.type) {
    case MMDB_DATA_TYPE_UINT32: asn = d.uint32; break;
    case MMDB_DATA_TYPE_UINT16: asn = d.uint16; break;
    case MMDB_DATA_TYPE_UINT64: asn = (uint32_t)d.uint64; break;
    default: return 0;
    }
    if (asn == 0)
        return 0;
    void **slot = agg_map_ins(&db->orgs, asn);
    if (*slot == NULL) {
        const char *org = "";
        size_t n = 0;
        if (MMDB_get_value(&r.entry, &d, "autonomous_system_organization", NULL) == MMDB_SUCCESS
            && d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING) {
            org = d.utf8_string;
            n = d.data_size > 200 ? 200 : d.data_size;
        }
        *slot = arena_strndup(&db->mem, org, n);
    }
    return asn;
}

bool asn_country(struct asn_db *db, const struct ipaddr *ip, char cc[3])
{
    MMDB_lookup_result_s r;
    MMDB_entry_data_s d;

    cc[0] = 0;
    if (!entry_of(db, ip, &r)
        || MMDB_get_value(&r.entry, &d, "country", "iso_code", NULL) != MMDB_SUCCESS
        || !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size != 2)
        return false;
    for (int i = 0; i < 2; i++) {
        char c = d.utf8_string[i];
        if (!(c >= 'A' && c <= 'Z'))
            return false;
        cc[i] = c;
    }
    cc[2] = 0;
    return true;
}

const char *asn_org(const struct asn_db *db, uint32_t asn)
{
    return db && asn ? agg_map_get(db->orgs, asn) : NULL;
}

static void annotate_one(const struct ipaddr *ip, struct ip_stats *st, void *ctx)
{
    st->asn = asn_lookup(ctx, ip);
}

void asn_annotate(struct asn_db *db, struct agg *a)
{
    agg_update(a, annotate_one, db);
}

void asn_close(struct asn_db *db)
{
    if (db == NULL)
        return;
    MMDB_close(&db->mmdb);
    agg_map_free(&db->orgs);
    arena_free(&db->mem);
    free(db);
}
