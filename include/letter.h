#ifndef RBLFORGE_LETTER_H
#define RBLFORGE_LETTER_H
/*
 * Notification letters from templates: one file per language,
 * DIR/letter.<lang>.txt. A template is a body followed by snippets, each
 * introduced by a line "%% <kind> <name>":
 *
 *   %% subject <ok|watch|warn|suspend>   the subject line, per tier
 *   %% tier <ok|watch|warn|suspend>      what happens next, per tier
 *   %% signal <signal name>              one observation, per signal
 *   %% action <signal name>              what the customer should do
 *   %% none                              the observation when nothing fired
 *   %% details                           shown only when something fired
 *
 * {{name}} is replaced by a figure: customer, tier, period, date,
 * messages, recipients, sent, bounced, deferred, bounce_rate, attempts,
 * spam_rejections, login_ips, observed, evidence, actions, next, subject,
 * details, and in a
 * signal snippet, summary and that signal's figures. Figures are ours;
 * log-derived strings (evidence) are written with control bytes escaped.
 */
#include <stdbool.h>
#include <stdint.h>
#include "customers.h"
#include "outbuf.h"

struct letters;

/* Loads letter.<lang>.txt for every language in the comma-separated list
 * (e.g. "ja,en") from dir. NULL with a warning naming file:line on error. */
struct letters *letters_load(const char *dir, const char *languages);
/* The letter for c in every loaded language, separated by a rule. */
void letters_write(struct outbuf *o, const struct letters *l, const struct cust_report *r,
                   const struct customer *c, char *const *files, size_t nfiles, int64_t now);
void letters_free(struct letters *l);

#endif
