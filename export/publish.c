/* The outputs of `rblforge run`, written together; see publish.h. */
#include "publish.h"
#include "atomic.h"
#include "export.h"

/* A row writes either from the listings and policy (write) or from the
 * whole report (write_report). */
struct output {
    const char *name;
    void (*write)(struct outbuf *o, const struct listings *l, const struct policy *p);
    void (*write_report)(struct outbuf *o, const struct report *r);
};

static const struct output outputs[] = {
    { "bl.rbldnsd", export_rbldnsd, NULL },
    { "fw.nft", export_nft, NULL },
    { "listings.csv", NULL, export_listings_csv },
    { "networks.csv", NULL, export_networks_csv },
    { "asn.csv", NULL, export_asn_csv },
    { "summary.json", NULL, export_summary_json },
};
enum { N_OUT = sizeof(outputs) / sizeof(outputs[0]) };

bool publish_all(const char *outdir, const struct listings *l, const struct policy *p)
{
    struct report r = { .l = l, .p = p };

    return publish_report(outdir, &r);
}

bool publish_report(const char *outdir, const struct report *r)
{
    struct afile *af[N_OUT] = { 0 };
    bool ok = true;

    for (size_t i = 0; i < N_OUT && ok; i++)
        ok = (af[i] = afile_open(outdir, outputs[i].name, 0644)) != NULL;
    for (size_t i = 0; i < N_OUT && ok; i++) {
        if (outputs[i].write)
            outputs[i].write(afile_out(af[i]), r->l, r->p);
        else
            outputs[i].write_report(afile_out(af[i]), r);
        ok = afile_finish(af[i]);
    }
    if (!ok) {
        for (size_t i = 0; i < N_OUT; i++)
            afile_abort(af[i]);
        return false;
    }
    return afile_publish_all(af, N_OUT);
}
