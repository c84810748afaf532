/* cidr: minimal covers, exclusions, and agreement with Debian's iprange on
 * random sets. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "cidr.h"

static struct ipprefix P(const char *s)
{
    struct ipprefix p;
    if (!ipprefix_parse(span_make(s, strlen(s)), &p, false))
        fail_msg("bad prefix %s", s);
    return p;
}

static void expect(const char *const *in, const char *const *ex, int family,
                   const char *want)
{
    struct ipprefix a[64], b[64];
    size_t na = 0, nb = 0;
    struct cidr_list out = { 0 };
    char got[4096] = "", buf[IPPREFIX_STRLEN];

    for (; in && in[na]; na++)
        a[na] = P(in[na]);
    for (; ex && ex[nb]; nb++)
        b[nb] = P(ex[nb]);
    cidr_minimal(a, na, b, nb, family, &out);
    for (size_t i = 0; i < out.n; i++) {
        struct ipprefix q = out.v[i];
        /* Print every prefix with its length for the comparison. */
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s/%u", i ? " " : "",
                 ipaddr_format(&q.addr, buf), q.len);
    }
    cidr_list_free(&out);
    if (strcmp(got, want) != 0)
        fail_msg("want \"%s\" got \"%s\"", want, got);
}

static void test_basic(void **state)
{
    (void)state;
    expect((const char *[]){ "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", NULL }, NULL, 4,
           "192.0.2.4/30");
    expect((const char *[]){ "192.0.2.3", "192.0.2.4", NULL }, NULL, 4,
           "192.0.2.3/32 192.0.2.4/32");                /* adjacent, not alignable */
    expect((const char *[]){ "192.0.2.0/24", "192.0.2.77", "192.0.3.0/24", NULL }, NULL, 4,
           "192.0.2.0/23");                              /* overlap and merge */
    expect((const char *[]){ "192.0.2.0/24", NULL }, (const char *[]){ "192.0.2.9", NULL }, 4,
           "192.0.2.0/29 192.0.2.8/32 192.0.2.10/31 192.0.2.12/30 192.0.2.16/28 "
           "192.0.2.32/27 192.0.2.64/26 192.0.2.128/25");
    expect((const char *[]){ "192.0.2.0/24", NULL }, (const char *[]){ "192.0.0.0/16", NULL }, 4, "");
    expect((const char *[]){ "0.0.0.0/0", NULL }, NULL, 4, "0.0.0.0/0");
    expect((const char *[]){ "255.255.255.255", "255.255.255.254", NULL }, NULL, 4,
           "255.255.255.254/31");
    expect((const char *[]){ "2001:db8::/64", "2001:db8:0:1::/64", "192.0.2.1", NULL }, NULL, 6,
           "2001:db8::/63");
    expect((const char *[]){ "::/0", NULL }, NULL, 6, "::/0");
    expect((const char *[]){ "2001:db8::/127", NULL }, (const char *[]){ "2001:db8::1", NULL }, 6,
           "2001:db8::/128");
}

/* Random sets against iprange(1), which prints the optimal CIDR cover. */
static int cmp_pfx(const void *a, const void *b)
{
    const struct ipprefix *x = a, *y = b;
    int c = ipaddr_cmp(&x->addr, &y->addr);

    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void render(const struct cidr_list *out, char *got, size_t size)
{
    got[0] = 0;
    for (size_t i = 0; i < out->n; i++) {
        char buf[IPPREFIX_STRLEN];
        snprintf(got + strlen(got), size - strlen(got), "%s/%u ",
                 ipaddr_format(&out->v[i].addr, buf), out->v[i].len);
    }
}

static void test_against_iprange(void **state)
{
    (void)state;
    if (system("command -v iprange >/dev/null 2>&1") != 0) {
        printf("# skip: iprange not installed (scripts/install-deps test)\n");
        return;
    }
    srand(42);
    for (int round = 0; round < 20; round++) {
        char path[] = "/tmp/rblforge-cidr-XXXXXX";
        int fd = mkstemp(path);
        FILE *fp = fdopen(fd, "w");
        struct ipprefix v[600];
        size_t n = 50 + (size_t)(rand() % 500);
        for (size_t i = 0; i < n; i++) {
            /* Dense in a small range so that merges happen. */
            uint32_t a = 0xc0000200u + (uint32_t)(rand() % 1024);
            ipaddr_set_v4(&v[i].addr, a);
            v[i].len = 32;
            if (rand() % 10 == 0) {
                v[i].len = (uint8_t)(26 + rand() % 6);
                v[i].addr = ipaddr_mask(&v[i].addr, v[i].len);
            }
            char buf[IPPREFIX_STRLEN];
            fprintf(fp, "%s/%u\n", ipaddr_format(&v[i].addr, buf), v[i].len);
        }
        fclose(fp);
        char cmd[128], line[64], want[65536] = "", got[65536] = "";
        snprintf(cmd, sizeof(cmd), "iprange %s", path);
        FILE *ip = popen(cmd, "r");
        while (fgets(line, sizeof(line), ip)) {
            line[strcspn(line, "\n")] = 0;
            if (!strchr(line, '/'))
                strcat(line, "/32");
            strcat(want, line);
            strcat(want, " ");
        }
        pclose(ip);
        unlink(path);
        struct cidr_list out = { 0 };
        cidr_minimal(v, n, NULL, 0, 4, &out);
        for (size_t i = 0; i < out.n; i++) {
            char buf[IPPREFIX_STRLEN];
            snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s/%u ",
                     ipaddr_format(&out.v[i].addr, buf), out.v[i].len);
        }
        cidr_list_free(&out);
        if (strcmp(got, want) != 0)
            fail_msg("round %d differs from iprange:\n want %s\n got  %s", round, want, got);
        /* Sorted input takes the streaming path: the same answer, also
         * with holes cut out (compared with the unsorted path). */
        struct ipprefix ex[8];
        for (size_t i = 0; i < 8; i++) {
            ipaddr_set_v4(&ex[i].addr, 0xc0000200u + (uint32_t)(rand() % 1024));
            ex[i].len = (uint8_t)(28 + rand() % 5);
            ex[i].addr = ipaddr_mask(&ex[i].addr, ex[i].len);
        }
        char holes[65536];
        cidr_minimal(v, n, ex, 8, 4, &out);
        render(&out, holes, sizeof(holes));
        cidr_list_free(&out);
        qsort(v, n, sizeof(v[0]), cmp_pfx);
        cidr_minimal(v, n, NULL, 0, 4, &out);
        render(&out, got, sizeof(got));
        cidr_list_free(&out);
        if (strcmp(got, want) != 0)
            fail_msg("round %d, sorted input, differs from iprange:\n want %s\n got  %s",
                     round, want, got);
        cidr_minimal(v, n, ex, 8, 4, &out);
        render(&out, got, sizeof(got));
        cidr_list_free(&out);
        if (strcmp(got, holes) != 0)
            fail_msg("round %d, sorted input with holes, differs:\n want %s\n got  %s",
                     round, holes, got);
    }
}

/* cidr_minimal_each: a selector over records and a sink for the cover
 * give what cidr_minimal gives for a copy of the selected prefixes, in
 * order or not, with holes or not, in both families. */
struct tagged {
    struct ipprefix p;
    int tag;
};

static bool tag_is_one(const void *rec, void *ctx)
{
    (void)ctx;
    return ((const struct tagged *)rec)->tag == 1;
}

static int cmp_tagged(const void *a, const void *b)
{
    return cmp_pfx(&((const struct tagged *)a)->p, &((const struct tagged *)b)->p);
}

static void append(const struct ipprefix *p, void *ctx)
{
    cidr_list_add(ctx, p);
}

/* Dense in a few hundred addresses so that prefixes nest and touch. */
static struct ipprefix dense(int family)
{
    struct ipprefix p;

    memset(&p, 0, sizeof(p));
    if (family == 4) {
        ipaddr_set_v4(&p.addr, 0xc0000200u + (uint32_t)(rand() % 512));
        p.len = (uint8_t)(rand() % 4 ? 32 : 25 + rand() % 7);
    } else {
        ipaddr_set_v6(&p.addr, 0x20010db800000000u, (uint64_t)(rand() % 512));
        p.len = (uint8_t)(rand() % 4 ? 128 : 121 + rand() % 7);
    }
    p.addr = ipaddr_mask(&p.addr, p.len);
    return p;
}

static void test_selected_to_sink(void **state)
{
    (void)state;
    srand(7);
    for (int round = 0; round < 200; round++) {
        struct tagged rec[300];
        struct ipprefix kept[300], ex[6];
        size_t n = (size_t)(rand() % 300), nk = 0, nex = (size_t)(rand() % 7);
        int family = round % 2 ? 6 : 4;
        for (size_t i = 0; i < n; i++) {
            /* Some of the other family, to be skipped. */
            rec[i].p = dense(rand() % 4 ? family : 10 - family);
            rec[i].tag = rand() % 3;
        }
        for (size_t i = 0; i < nex; i++)
            ex[i] = dense(family);
        /* Half the rounds in order (the streaming path), half as given. */
        if (round % 4 < 2)
            qsort(rec, n, sizeof(rec[0]), cmp_tagged);
        for (size_t i = 0; i < n; i++)
            if (rec[i].tag == 1)
                kept[nk++] = rec[i].p;
        struct cidr_list want = { 0 }, got = { 0 };
        char w[65536], g[65536];
        cidr_minimal(kept, nk, ex, nex, family, &want);
        cidr_minimal_each(rec, sizeof(rec[0]), n, round % 4 < 2, tag_is_one, ex, nex, family,
                          append, &got);
        render(&want, w, sizeof(w));
        render(&got, g, sizeof(g));
        cidr_list_free(&want);
        cidr_list_free(&got);
        if (strcmp(w, g) != 0)
            fail_msg("round %d differs:\n want %s\n got  %s", round, w, g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic),
        cmocka_unit_test(test_against_iprange),
        cmocka_unit_test(test_selected_to_sink),
    };
    return cmocka_run_group_tests_name("cidr", tests, NULL, NULL);
}
