/* Parser table: queue-id lines: cleanup, qmgr, delivery agents, bounce, pickup, postsuper, smtp client. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "parse_table.h"
#include "parse_pfqueue.h"

static const struct parse_case cases[] = {
    /* cleanup, qmgr, delivery agents, bounce, pickup, postsuper, smtp client */
    { "Nov 24 06:25:01 mx1 postfix/cleanup[5]: 4F1A2B3C4D: message-id=<20261124062501.4"
      "F1A2B3C4D@mx1.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/cl"
      "eanup\",\"pid\":5,\"event\":\"cleanup\",\"qid\":\"4F1A2B3C4D\",\"message_id\":\"20261124062501"
      ".4F1A2B3C4D@mx1.example\"}" },
    { "Nov 24 06:25:01 mx1 postfix/cleanup[5]: 4F1A2B3C4D: reject: header Subject: Chea"
      "p watches from a.example[192.0.2.9]; from=<s@a.example> to=<u@example.net> proto"
      "=ESMTP helo=<a.example>: 5.7.1 No spam here",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/cl"
      "eanup\",\"pid\":5,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"4F1A2"
      "B3C4D\",\"stage\":\"header\",\"reason\":\"content\",\"dsn\":\"5.7.1\",\"from\":\"s@a.example\",\"t"
      "o\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"header Subject: Cheap watches from"
      " a.example[192.0.2.9]; from=<s@a.example> to=<u@example.net> proto=ESMTP helo=<a"
      ".example>: 5.7.1 No spam here\"}" },
    { "Nov 24 06:25:01 mx1 postfix/cleanup[5]: 4F1A2B3C4D: reject: body Buy now from lo"
      "cal; from=<root@mx1.example>: 5.7.1 rejected",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/cl"
      "eanup\",\"pid\":5,\"event\":\"reject\",\"qid\":\"4F1A2B3C4D\",\"stage\":\"body\",\"reason\":\"cont"
      "ent\",\"dsn\":\"5.7.1\",\"from\":\"root@mx1.example\",\"text\":\"body Buy now from local; fr"
      "om=<root@mx1.example>: 5.7.1 rejected\"}" },
    { "Nov 24 06:25:01 mx1 postfix/cleanup[5]: 4F1A2B3C4D: hold: header Received: from "
      "x.example (x.example[198.51.100.1]) by mx from a.example[192.0.2.9]; from=<s@a.e"
      "xample> to=<u@example.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/cl"
      "eanup\",\"pid\":5,\"event\":\"action\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"4F1A2"
      "B3C4D\",\"stage\":\"header\",\"from\":\"s@a.example\",\"to\":\"u@example.net\",\"helo\":\"a.exam"
      "ple\",\"status\":\"hold\",\"text\":\"header Received: from x.example (x.example[198.51.1"
      "00.1]) by mx from a.example[192.0.2.9]; from=<s@a.example> to=<u@example.net> pr"
      "oto=ESMTP helo=<a.example>\"}" },
    { "Nov 24 06:25:01 mx1 postfix/cleanup[5]: 4F1A2B3C4D: milter-reject: END-OF-MESSAG"
      "E from a.example[192.0.2.9]: 5.7.1 Virus found; from=<s@a.example> to=<u@example"
      ".net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/cl"
      "eanup\",\"pid\":5,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"4F1A2"
      "B3C4D\",\"stage\":\"END-OF-MESSAGE\",\"reason\":\"content\",\"dsn\":\"5.7.1\",\"from\":\"s@a.exa"
      "mple\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"5.7.1 Virus found\"}" },
    { "Nov 24 06:25:01 mx1 postfix/qmgr[6]: 4F1A2B3C4D: from=<s@a.example>, size=2140, "
      "nrcpt=2 (queue active)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/qm"
      "gr\",\"pid\":6,\"event\":\"queued\",\"qid\":\"4F1A2B3C4D\",\"from\":\"s@a.example\",\"size\":2140"
      ",\"nrcpt\":2,\"text\":\"queue active\"}" },
    { "Nov 24 06:25:01 mx1 postfix/qmgr[6]: 4F1A2B3C4D: from=<>, size=3127, nrcpt=1 (qu"
      "eue active)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/qm"
      "gr\",\"pid\":6,\"event\":\"queued\",\"qid\":\"4F1A2B3C4D\",\"from\":\"\",\"size\":3127,\"nrcpt\":1,"
      "\"text\":\"queue active\"}" },
    { "Nov 24 06:25:01 mx1 postfix/qmgr[6]: 4F1A2B3C4D: removed",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/qm"
      "gr\",\"pid\":6,\"event\":\"removed\",\"qid\":\"4F1A2B3C4D\"}" },
    { "Nov 24 06:25:01 mx1 postfix/qmgr[6]: 4F1A2B3C4D: from=<s@a.example>, status=expi"
      "red, returned to sender",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/qm"
      "gr\",\"pid\":6,\"event\":\"expired\",\"qid\":\"4F1A2B3C4D\",\"from\":\"s@a.example\",\"status\":\""
      "expired\",\"text\":\"returned to sender\"}" },
    { "Nov 24 06:25:01 mx1 postfix-out/smtp[7]: 4F1A2B3C4D: to=<u@example.net>, orig_to"
      "=<alias@example.net>, relay=mx.example.net[2001:db8::25]:25, delay=1.7, delays=0"
      ".02/0/1.7/0.06, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 71111424269E)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix-ou"
      "t/smtp\",\"pid\":7,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"2.0.0\",\"to\":\"u@exam"
      "ple.net\",\"orig_to\":\"alias@example.net\",\"relay\":\"mx.example.net[2001:db8::25]:25\""
      ",\"status\":\"sent\",\"text\":\"250 2.0.0 Ok: queued as 71111424269E\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtp[7]: 4F1A2B3C4D: to=<u@example.net>, relay=mx.ex"
      "ample.net[192.0.2.25]:25, delay=582, delays=563/16/1.7/0.81, dsn=5.0.0, status=b"
      "ounced (host mx.example.net[192.0.2.25] said: 554 DT:SPM 163 (in reply to end of"
      " DATA command))",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tp\",\"pid\":7,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"5.0.0\",\"to\":\"u@example."
      "net\",\"relay\":\"mx.example.net[192.0.2.25]:25\",\"status\":\"bounced\",\"text\":\"host mx."
      "example.net[192.0.2.25] said: 554 DT:SPM 163 (in reply to end of DATA command)\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtp[7]: 4F1A2B3C4D: to=<u@example.net>, relay=none,"
      " delay=141602, delays=141600/0.1/2/0, dsn=4.4.1, status=deferred (connect to mx."
      "example.net[192.0.2.25]:25: Connection refused)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tp\",\"pid\":7,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"4.4.1\",\"to\":\"u@example."
      "net\",\"relay\":\"none\",\"status\":\"deferred\",\"text\":\"connect to mx.example.net[192.0."
      "2.25]:25: Connection refused\"}" },
    { "Nov 24 06:25:01 mx1 postfix/lmtp[7]: 4F1A2B3C4D: to=<u@example.net>, relay=mail."
      "example.net[private/dovecot-lmtp], delay=0.1, delays=0.05/0/0/0.05, dsn=2.0.0, s"
      "tatus=sent (250 2.0.0 <u@example.net> Saved)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/lm"
      "tp\",\"pid\":7,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"2.0.0\",\"to\":\"u@example."
      "net\",\"relay\":\"mail.example.net[private/dovecot-lmtp]\",\"status\":\"sent\",\"text\":\"25"
      "0 2.0.0 <u@example.net> Saved\"}" },
    { "Nov 24 06:25:01 mx1 postfix/local[8]: 4F1A2B3C4D: to=<root@mx1.example>, orig_to"
      "=<root>, relay=local, delay=0.02, delays=0.01/0/0/0.01, dsn=2.0.0, status=sent ("
      "delivered to mailbox)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/lo"
      "cal\",\"pid\":8,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"2.0.0\",\"to\":\"root@mx1."
      "example\",\"orig_to\":\"root\",\"relay\":\"local\",\"status\":\"sent\",\"text\":\"delivered to m"
      "ailbox\"}" },
    { "Nov 24 06:25:01 mx1 postfix/virtual[8]: 4F1A2B3C4D: to=<u@example.net>, relay=vi"
      "rtual, delay=0.08, delays=0.08/0/0/0, dsn=2.0.0, status=sent (delivered to maild"
      "ir)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/vi"
      "rtual\",\"pid\":8,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"2.0.0\",\"to\":\"u@examp"
      "le.net\",\"relay\":\"virtual\",\"status\":\"sent\",\"text\":\"delivered to maildir\"}" },
    { "Nov 24 06:25:01 mx1 postfix/pipe[8]: 4F1A2B3C4D: to=<u@example.net>, relay=dovec"
      "ot, delay=0.1, delays=0.05/0/0/0.05, dsn=5.3.0, status=bounced (Command died wit"
      "h signal 11: \"/usr/lib/dovecot/deliver\")",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/pi"
      "pe\",\"pid\":8,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"5.3.0\",\"to\":\"u@example."
      "net\",\"relay\":\"dovecot\",\"status\":\"bounced\",\"text\":\"Command died with signal 11: \\"
      "\"/usr/lib/dovecot/deliver\\\"\"}" },
    { "Nov 24 06:25:01 mx1 postfix/error[8]: 4F1A2B3C4D: to=<u@example.net>, relay=none"
      ", delay=0.1, delays=0.05/0/0/0.05, dsn=4.4.1, status=expired, returned to sender"
      " (connect to mx.example.net[192.0.2.25]:25: Connection timed out)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/er"
      "ror\",\"pid\":8,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"4.4.1\",\"to\":\"u@example"
      ".net\",\"relay\":\"none\",\"status\":\"expired\",\"text\":\"connect to mx.example.net[192.0."
      "2.25]:25: Connection timed out\"}" },
    { "Nov 24 06:25:01 mx1 postfix/bounce[9]: 4F1A2B3C4D: sender non-delivery notificat"
      "ion: 5DE184083C",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/bo"
      "unce\",\"pid\":9,\"event\":\"bounce\",\"qid\":\"4F1A2B3C4D\",\"status\":\"sender non-delivery\""
      ",\"text\":\"5DE184083C\"}" },
    { "Nov 24 06:25:01 mx1 postfix/pickup[10]: 44JCRG5tYPzCqt2: uid=1000 from=<alice>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/pi"
      "ckup\",\"pid\":10,\"event\":\"pickup\",\"qid\":\"44JCRG5tYPzCqt2\",\"from\":\"alice\",\"uid\":100"
      "0}" },
    { "Nov 24 06:25:01 mx1 postfix/smtp[7]: 4F1A2B3C4D: host mx.example.net[192.0.2.25]"
      " said: 451 4.7.1 Greylisted, try later (in reply to RCPT TO command)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tp\",\"pid\":7,\"event\":\"remote\",\"qid\":\"4F1A2B3C4D\",\"code\":\"451\",\"dsn\":\"4.7.1\",\"rela"
      "y\":\"mx.example.net[192.0.2.25]\",\"text\":\"host mx.example.net[192.0.2.25] said: 45"
      "1 4.7.1 Greylisted, try later (in reply to RCPT TO command)\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtp[7]: connect to mx.example.net[192.0.2.25]:25: C"
      "onnection refused",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tp\",\"pid\":7,\"event\":\"remote\",\"relay\":\"mx.example.net[192.0.2.25]:25\",\"text\":\"con"
      "nect to mx.example.net[192.0.2.25]:25: Connection refused\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtp[7]: Verified TLS connection established to mx.e"
      "xample.net[192.0.2.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 b"
      "its)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tp\",\"pid\":7,\"event\":\"tls\",\"relay\":\"mx.example.net[192.0.2.25]:25\",\"text\":\"TLSv1."
      "3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postsuper[11]: 4F1A2B3C4D: removed",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stsuper\",\"pid\":11,\"event\":\"removed\",\"qid\":\"4F1A2B3C4D\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postsuper[11]: 4F1A2B3C4D: placed on hold",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stsuper\",\"pid\":11,\"event\":\"note\",\"qid\":\"4F1A2B3C4D\",\"text\":\"placed on hold\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[12]: NOQUEUE: proxy-reject: END-OF-MESSAGE: 55"
      "4 5.7.0 Reject, id=11912-03 - INFECTED: Eicar-Test-Signature; from=<s@a.example>"
      " to=<u@example.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":12,\"event\":\"reject\",\"qid\":\"NOQUEUE\",\"stage\":\"END-OF-MESSAGE\",\"reason\""
      ":\"content\",\"code\":\"554\",\"dsn\":\"5.7.0\",\"from\":\"s@a.example\",\"to\":\"u@example.net\","
      "\"helo\":\"a.example\",\"text\":\"554 5.7.0 Reject, id=11912-03 - INFECTED: Eicar-Test-"
      "Signature\"}" },
    /* A client part that does not parse (the address looks like IPv6 but
     * is not one): no stage, no address from the failed try, the whole
     * rest is the reply. */
    { "Nov 24 06:25:01 mx1 postfix/smtpd[12]: NOQUEUE: reject: RCPT from mail.example[2001:d"
      "b8:::1]: 554 5.7.1 <u@example.net>: Relay access denied; from=<s@a.example> to=<u@e"
      "xample.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":12,\"event\":\"reject\",\"qid\":\"NOQUEUE\",\"reason\":\"relay_denied\",\"from"
      "\":\"s@a.example\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"RCPT from mail"
      ".example[2001:db8:::1]: 554 5.7.1 <u@example.net>: Relay access denied\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[12]: warning: 4F1A2B3C4D: read timeout on clea"
      "nup socket",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":12,\"event\":\"note\",\"qid\":\"4F1A2B3C4D\",\"text\":\"read timeout on cleanup "
      "socket\"}" },
};

static void test_table(void **state)
{
    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

/* The verb of "QUEUEID: VERB: ..." with texts after it of every length
 * around the 16 bytes its word is read in at once: each verb is taken
 * for what it is, a near miss for none (a note). */
static void test_verbs(void **state)
{
    static const struct {
        const char *verb;
        enum ev_type t;
    } verbs[] = {
        { "reject", EV_REJECT }, { "reject_warning", EV_REJECT_WARNING },
        { "milter-reject", EV_REJECT }, { "proxy-reject", EV_REJECT }, { "warn", EV_ACTION },
        { "discard", EV_ACTION }, { "hold", EV_ACTION }, { "filter", EV_ACTION },
        { "redirect", EV_ACTION }, { "bcc", EV_ACTION }, { "prepend", EV_ACTION },
        { "replace", EV_ACTION }, { "strip", EV_ACTION }, { "warning", EV_ACTION },
        { "milter-hold", EV_ACTION }, { "milter-discard", EV_ACTION },
        { "proxy-accept", EV_ACTION },
        { "Reject", EV_NOTE }, { "rejectx", EV_NOTE }, { "rejec", EV_NOTE },
        { "milter-discardx", EV_NOTE }, { "milter_discard", EV_NOTE }, { "hold!", EV_NOTE },
        { "reject_warnin", EV_NOTE }, { "proxy-acceptt", EV_NOTE }, { "x-hold", EV_NOTE },
    };
    static struct event ev;
    char buf[128];
    (void)state;

    for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
        for (size_t tail = 1; tail < 24; tail++) {
            int n = snprintf(buf, sizeof(buf), "4F1A2B3C4D: %s: %.*s", verbs[v].verb, (int)tail,
                             "abc def ghi jkl mno pqrstu");
            memset(&ev, 0, sizeof(ev));
            assert_true(parse_pfqueue(SPAN_LIT("cleanup"), span_make(buf, (size_t)n), &ev));
            if (ev.type != verbs[v].t)
                fail_msg("%s: type %d, want %d", buf, (int)ev.type, (int)verbs[v].t);
            if (ev.type == EV_ACTION)
                assert_true(span_eq(ev.status, verbs[v].verb, strlen(verbs[v].verb)));
        }
    /* A verb and ": " with nothing after it: the line is cut there, not a verb. */
    memset(&ev, 0, sizeof(ev));
    assert_true(parse_pfqueue(SPAN_LIT("cleanup"), SPAN_LIT("4F1A2B3C4D: hold: "), &ev));
    assert_int_equal(ev.type, EV_NOTE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_verbs),
    };
    setenv("TZ", "UTC", 1);
    return cmocka_run_group_tests_name("parse_queue", tests, NULL, NULL);
}
