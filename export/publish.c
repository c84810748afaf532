/* The outputs of `rblforge run`, written together; see publish.h. */
#include "publish.h"
#include "atomic.h"
#include "export.h"

struct output {
    const char *name;
    void (*write)(struct outbuf *o, const struct export_ctx *x);
};

static void write_rbldnsd(struct outbuf *o, const struct export_ctx *x)
{
    export_rbldnsd(o, x->l, x->p);
}

static void write_nft(struct outbuf *o, const struct export_ctx *x)
{
    export_nft(o, x->l, x->p);
}

static const struct output outputs[] = {
    { "bl.rbldnsd", write_rbldnsd },
    { "fw.nft", write_nft },
    { "listings.csv", export_listings_csv },
    { "networks.csv", export_networks_csv },
    { "asn.csv", export_asn_csv },
    { "summary.json", export_summary_json },
};
enum { N_OUT = sizeof(outputs) / sizeof(outputs[0]) };

bool publish_all(const char *outdir, const struct listings *l, const struct policy *p)
{
    struct export_ctx x = { .l = l, .p = p };

    return publish_report(outdir, &x);
}

bool publish_report(const char *outdir, const struct export_ctx *x)
{
    struct afile *af[N_OUT] = { 0 };
    bool ok = true;

    for (size_t i = 0; i < N_OUT && ok; i++)
        ok = (af[i] = afile_open(outdir, outputs[i].name, 0644)) != NULL;
    for (size_t i = 0; i < N_OUT && ok; i++) {
        outputs[i].write(afile_out(af[i]), x);
        ok = afile_finish(af[i]);
    }
    if (!ok) {
        for (size_t i = 0; i < N_OUT; i++)
            afile_abort(af[i]);
        return false;
    }
    return afile_publish_all(af, N_OUT);
}
