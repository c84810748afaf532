/* The outputs of `rblforge run`, written together; see publish.h. */
#include "publish.h"
#include "atomic.h"
#include "export.h"

struct output {
    const char *name;
    void (*write)(struct outbuf *o, const struct listings *l, const struct policy *p);
};

static void write_csv(struct outbuf *o, const struct listings *l, const struct policy *p)
{
    (void)p;
    export_listings_csv(o, l);
}

static const struct output outputs[] = {
    { "bl.rbldnsd", export_rbldnsd },
    { "fw.nft", export_nft },
    { "listings.csv", write_csv },
};
enum { N_OUT = sizeof(outputs) / sizeof(outputs[0]) };

bool publish_all(const char *outdir, const struct listings *l, const struct policy *p)
{
    struct afile *af[N_OUT] = { 0 };
    bool ok = true;

    for (size_t i = 0; i < N_OUT && ok; i++)
        ok = (af[i] = afile_open(outdir, outputs[i].name, 0644)) != NULL;
    for (size_t i = 0; i < N_OUT && ok; i++) {
        outputs[i].write(afile_out(af[i]), l, p);
        ok = afile_finish(af[i]);
    }
    if (!ok) {
        for (size_t i = 0; i < N_OUT; i++)
            afile_abort(af[i]);
        return false;
    }
    return afile_publish_all(af, N_OUT);
}
