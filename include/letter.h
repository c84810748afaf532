#ifndef RBLFORGE_LETTER_H
#define RBLFORGE_LETTER_H
/*
 * Notification letters from templates: one file per language,
 * DIR/letter.<lang>.txt. A template is a body followed by snippets, each
 * introduced by a line "%% <kind> <name>":
 *
 *   %% subject <tier>                    the subject line, per tier
 *   %% tier <tier>                       what happens next, per tier
 *   %% signal <signal name>              one observation, per signal
 *   %% action <signal name>              what the customer should do
 *   %% outcome <spam|bounce|unknown|spike|none>
 *                                        what a compromised login's mail met
 *                                        ({{outcomes}}: those that fired)
 *   %% none                              the observation when nothing fired
 *   %% details                           shown only when something fired
 *   %% deadline                          {{reply_by}}: only when the tier
 *                                        has a deadline ([letters])
 *   %% contact                           {{desk}}: only when [letters]
 *                                        contact is set
 *
 * {{name}} is replaced by a figure: customer, tier, period, date,
 * messages, recipients, sent, bounced, deferred, bounce_rate, attempts,
 * spam_rejections, login_ips, observed, evidence, actions, next, subject,
 * details, ticket, deadline, contact, and in a signal snippet, summary
 * and that signal's figures. Figures are ours; log-derived strings are
 * written with control bytes escaped. Times are in the configured zone
 * with their offset.
 */
#include <stdbool.h>
#include <stdint.h>
#include "customers.h"
#include "outbuf.h"

struct letters;

/* What one letter is about. lp may be NULL (no ticket prefix, deadline
 * or contact). */
struct letter_in {
    const struct cust_report *r;
    const struct customer *c;
    char *const *files;         /* input names by command-line index */
    size_t nfiles;
    int64_t now;
    const struct letter_policy *lp;
};

#define LETTER_TICKET_MAX 64

/* Loads letter.<lang>.txt for every language in the comma-separated list
 * (e.g. "ja,en") from dir. NULL with a warning naming file:line on error. */
struct letters *letters_load(const char *dir, const char *languages);
/* Number of languages loaded; the code ("ja") of the i-th. */
size_t letters_count(const struct letters *l);
const char *letters_lang(const struct letters *l, size_t i);
/* The ticket reference of a letter: PREFIX-YYYYMMDD-NNNN, the date of
 * in->now in the configured zone, NNNN the customer's number. */
void letters_ticket(char *buf, size_t n, const struct letter_in *in);
/* The letter in language lang as text: "Subject: ...", a blank line, the
 * body. */
void letters_text(struct outbuf *o, const struct letters *l, size_t lang,
                  const struct letter_in *in);
/* The same letter as a message for sendmail -t (eml.h): Date, From and
 * Reply-To ([letters] from), To (the customer's contact when the map
 * gives one), Subject, Message-ID, MIME headers, the encoded body. */
void letters_eml(struct outbuf *o, const struct letters *l, size_t lang,
                 const struct letter_in *in);
void letters_free(struct letters *l);

#endif
