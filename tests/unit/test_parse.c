/*
 * Parser table: a log line and the exact JSON event it must produce (or
 * NULL when the line is not an event). Pins the `rblforge events` contract.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "parse_table.h"

#define T "\"file\":\"t\",\"line\":1,"
#define MX "\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\","

static const struct parse_case cases[] = {
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from unknown[203.0.113.7]",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":123,\"event\":\"connect\",\"ip\":\"203.0.113.7\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from mail.example.com[2001:db8::25]",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":123,\"event\":\"connect\",\"ip\":\"2001:db8::25\","
      "\"rdns\":\"mail.example.com\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: disconnect from unknown[203.0.113.7] ehlo=1 mail=1 rcpt=0/3 commands=2/5",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":123,\"event\":\"disconnect\",\"ip\":\"203.0.113.7\","
      "\"text\":\"ehlo=1 mail=1 rcpt=0/3 commands=2/5\"}" },
    /* An IP inside the reply text is not the client. */
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 450 4.7.1 "
      "Client host rejected: cannot find your reverse hostname, [198.51.100.1]; from=<a@b.example> "
      "to=<c@d.example> proto=ESMTP helo=<IPv6:2001:db8::9>",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\","
      "\"qid\":\"NOQUEUE\",\"stage\":\"RCPT\",\"reason\":\"no_rdns\",\"code\":\"450\",\"dsn\":\"4.7.1\","
      "\"from\":\"a@b.example\",\"to\":\"c@d.example\",\"helo\":\"IPv6:2001:db8::9\",\"text\":\"450 4.7.1 "
      "Client host rejected: cannot find your reverse hostname, [198.51.100.1]\"}" },
    { "Nov 24 06:25:01 mx1 postfix-in/smtpd[9]: 4F1A2B3C4D: reject: RCPT from x.example[192.0.2.9]: 554 5.7.1 "
      "<u@example.net>: Relay access denied; from=<> to=<u@example.net> proto=SMTP helo=<x>",
      "{" T MX "\"prog\":\"postfix-in/smtpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\","
      "\"rdns\":\"x.example\",\"qid\":\"4F1A2B3C4D\",\"stage\":\"RCPT\",\"reason\":\"relay_denied\","
      "\"code\":\"554\",\"dsn\":\"5.7.1\",\"from\":\"\",\"to\":\"u@example.net\",\"helo\":\"x\","
      "\"text\":\"554 5.7.1 <u@example.net>: Relay access denied\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: RCPT from unknown[192.0.2.9]: 554 5.7.1 "
      "Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org; from=<a@b> to=<c@d> proto=ESMTP helo=<h>",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\","
      "\"qid\":\"NOQUEUE\",\"stage\":\"RCPT\",\"reason\":\"dnsbl\",\"code\":\"554\",\"dsn\":\"5.7.1\","
      "\"from\":\"a@b\",\"to\":\"c@d\",\"helo\":\"h\",\"dnsbl\":\"zen.spamhaus.org\",\"text\":\"554 5.7.1 "
      "Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject_warning: RCPT from unknown[192.0.2.9]: 550 "
      "<c@d>: Recipient address rejected: User unknown in local recipient table; from=<a@b> to=<c@d> proto=ESMTP helo=<h>",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":9,\"event\":\"reject_warning\",\"ip\":\"192.0.2.9\","
      "\"qid\":\"NOQUEUE\",\"stage\":\"RCPT\",\"reason\":\"unknown_recipient\",\"code\":\"550\","
      "\"from\":\"a@b\",\"to\":\"c@d\",\"helo\":\"h\",\"text\":\"550 <c@d>: Recipient address rejected: "
      "User unknown in local recipient table\"}" },
    { "Nov 24 06:25:01 mx1 postfix/submission/smtpd[7]: warning: unknown[198.51.100.3]:2231: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
      "{" T MX "\"prog\":\"postfix/submission/smtpd\",\"pid\":7,\"event\":\"auth_fail\",\"ip\":\"198.51.100.3\","
      "\"port\":2231,\"sasl_method\":\"LOGIN\",\"text\":\"UGFzc3dvcmQ6\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[7]: warning: hostname 1-2-3-4.dyn.example does not resolve to address 192.0.2.4: Name or service not known",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":7,\"event\":\"rdns_fail\",\"ip\":\"192.0.2.4\","
      "\"rdns\":\"1-2-3-4.dyn.example\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[7]: lost connection after AUTH from unknown[192.0.2.4]",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":7,\"event\":\"lost\",\"ip\":\"192.0.2.4\","
      "\"stage\":\"AUTH\",\"reason\":\"lost_connection\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[7]: 3B779B1: client=a.example[192.0.2.100], sasl_method=PLAIN, sasl_username=alice@acme.example",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":7,\"event\":\"client\",\"ip\":\"192.0.2.100\","
      "\"rdns\":\"a.example\",\"qid\":\"3B779B1\",\"sasl_method\":\"PLAIN\",\"sasl_user\":\"alice@acme.example\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: PREGREET 11 after 0.1 from [2001:db8::1]:5432: EHLO x\\r\\n",
      "{" T MX "\"prog\":\"postfix/postscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"2001:db8::1\","
      "\"port\":5432,\"reason\":\"pregreet\",\"text\":\"EHLO x\\\\r\\\\n\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: DNSBL rank 3 for [192.0.2.1]:1234",
      "{" T MX "\"prog\":\"postfix/postscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.1\","
      "\"port\":1234,\"reason\":\"dnsbl_rank\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: PASS NEW [192.0.2.1]:1234",
      "{" T MX "\"prog\":\"postfix/postscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.1\","
      "\"port\":1234,\"reason\":\"pass_new\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: HANGUP after 5.3 from [192.0.2.1]:1234 in tests before SMTP handshake",
      "{" T MX "\"prog\":\"postfix/postscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.1\","
      "\"port\":1234,\"reason\":\"hangup\",\"text\":\"in tests before SMTP handshake\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: CONNECT from [192.0.2.1]:1234 to [192.0.2.254]:25",
      "{" T MX "\"prog\":\"postfix/postscreen\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"port\":1234}" },
    /* Solaris tag, RFC 3339 stamp. */
    { "2024-08-26T01:33:38.5+02:00 mx1 postfix/smtpd[3]: [ID 197553 mail.info] connect from unknown[192.0.2.1]",
      "{" T "\"ts\":\"2024-08-25T23:33:38.500000Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":3,"
      "\"event\":\"connect\",\"ip\":\"192.0.2.1\"}" },
    /* Hostile bytes are escaped, never passed through. */
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: HELO from unknown[192.0.2.9]: 504 5.5.2 <\"}\x01\xff>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<\"}\x01\xff>",
      "{" T MX "\"prog\":\"postfix/smtpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\","
      "\"qid\":\"NOQUEUE\",\"stage\":\"HELO\",\"reason\":\"helo\",\"code\":\"504\",\"dsn\":\"5.5.2\","
      "\"helo\":\"\\\"}\\u0001\\\\xff\",\"text\":\"504 5.5.2 <\\\"}\\u0001\\\\xff>: Helo command rejected: "
      "need fully-qualified hostname\"}" },
    /* Not events. */
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from unknown[1.2.3.300]", NULL },
    { "Nov 24 06:25:01 mx1 postfix/anvil[1]: statistics: max connection rate 1/60s", NULL },
    { "", NULL },
    { "Nov 24 06:25:01", NULL },
};

static void test_table(void **state)
{
    static const char nul[] = "garbage \x00\xff line";
    struct parser ps;
    struct event ev = { .file = "t", .line = 1 };
    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]));
    /* A line with a NUL byte inside: the table's strlen() would stop at it. */
    parser_init(&ps, 0, 2026);
    assert_false(parse_line(&ps, nul, sizeof(nul) - 1, &ev));
}

/* Every stamp and header form, repeats, bare and multilog lines. */
static const struct parse_case headers[] = {
    /* Every stamp and header form */
    { "Mar  7 02:09:33 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-03-07T02:09:33Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "Mar 7 02:09:33 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-03-07T02:09:33Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "Jun 04 22:24:28 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-06-04T22:24:28Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "<22>Mar  5 2024 14:02:01 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2024-03-05T14:02:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "2024-03-05 14:02:01 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2024-03-05T14:02:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "2024-03-05T14:02:01+0900 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2024-03-05T05:02:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "2024-08-26T01:33:38.572449+00:00 mx1 postfix/smtpd[1]: connect from a.example[19"
      "2.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2024-08-26T01:33:38.572449Z\",\"host\":\"mx1\",\"prog\":\"pos"
      "tfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "2022-04-14T00:36:03.150Z mx1 postfix/smtps/smtpd[30543]: warning: unknown[192.0."
      "2.154]:48123: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2022-04-14T00:36:03.150000Z\",\"host\":\"mx1\",\"prog\":\"pos"
      "tfix/smtps/smtpd\",\"pid\":30543,\"event\":\"auth_fail\",\"ip\":\"192.0.2.154\",\"port\":4812"
      "3,\"sasl_method\":\"LOGIN\",\"text\":\"UGFzc3dvcmQ6\"}" },
    /* repeats: syslogd's own line, and rsyslog's wrapped form */
    { "Mar  5 14:02:01 mx1 last message repeated 3 times",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-03-05T14:02:01Z\",\"host\":\"mx1\",\"event\":\"repeated\""
      ",\"repeat\":3}" },
    { "Mar  5 14:02:01 mx1 --- last message repeated 2 times ---",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-03-05T14:02:01Z\",\"host\":\"mx1\",\"event\":\"repeated\""
      ",\"repeat\":2}" },
    { "2024-03-05T14:02:01Z mx1 postfix/smtpd[1]: message repeated 4 times: [ warning: "
      "unknown[192.0.2.4]: SASL LOGIN authentication failed: x]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2024-03-05T14:02:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"auth_fail\",\"ip\":\"192.0.2.4\",\"sasl_method\":\"LOGIN\",\"repeat\""
      ":4,\"text\":\"x\"}" },
    /* a relay that doubles the tag; a bare message (journalctl -o cat) */
    { "Mar  5 14:02:01 mx1 postfix/smtpd[1]: postfix/smtpd[1]: connect from a.example[1"
      "92.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-03-05T14:02:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
    { "lost connection after CONNECT from unknown[2001:db8::7]",
      "{\"file\":\"t\",\"line\":1,\"event\":\"lost\",\"ip\":\"2001:db8::7\",\"stage\":\"CONNECT\",\"reason"
      "\":\"lost_connection\"}" },
    { "warning: unknown[192.0.2.4]: SASL LOGIN authentication failed: authentication fa"
      "ilure",
      "{\"file\":\"t\",\"line\":1,\"event\":\"auth_fail\",\"ip\":\"192.0.2.4\",\"sasl_method\":\"LOGIN\","
      "\"text\":\"authentication failure\"}" },
    /* multilog, grep'd multilog, splogger */
    { "@400000006925f8e21529cb14 tcpserver: pid 23904 from 192.0.2.165",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"pid\""
      ":23904,\"event\":\"tcp_pid\",\"ip\":\"192.0.2.165\"}" },
    { "@400000006925f8e21529cb14.s:@400000006925f8e21529cb14 new msg 71198",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_new\",\"qid"
      "\":\"71198\",\"msg\":\"71198\"}" },
    { "Nov 24 06:25:01 mx1 qmail: 1764001501.123456 new msg 53",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-24T16:25:01.123456Z\",\"host\":\"mx1\",\"prog\":\"qma"
      "il\",\"event\":\"qmail_new\",\"qid\":\"53\",\"msg\":\"53\"}" },
    { "qmail: new msg 53 ",
      "{\"file\":\"t\",\"line\":1,\"prog\":\"qmail\",\"event\":\"qmail_new\",\"qid\":\"53\",\"msg\":\"53\"}" },
    /* no host field: the tag follows the stamp */
    { "Nov 24 06:25:01 postfix/smtpd[1]: connect from a.example[192.0.2.1]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"prog\":\"postfix/smtpd\",\"pid\":1,"
      "\"event\":\"connect\",\"ip\":\"192.0.2.1\",\"rdns\":\"a.example\"}" },
};

static void test_headers(void **state)
{
    (void)state;
    check_cases(headers, sizeof(headers) / sizeof(headers[0]));
}

/* Every syslog framing of issue 21: RFC 5424 (with "-" fields, structured
 * data holding escaped ']' and '"', a BOM), journalctl short-full and
 * short-precise, a host that is an address, tags without a daemon part or
 * with service and instance parts, and message-only lines. */
static const struct parse_case framings[] = {
    { "<22>1 2026-12-01T09:14:03.123456+09:00 mx1 postfix/smtpd 4711 - - connect from unknown[192.0.2.7]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T00:14:03.123456Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":4711,\"event\":\"connect\",\"ip\":\"192.0.2.7\"}" },
    { "<22>1 2026-12-01T09:14:03Z mx1 postfix/submission/smtpd 4711 - [origin ip=\"192.0.2.1\" x=\"a\\]b\\\"c\"][meta sequenceId=\"1\"] warning: unknown[192.0.2.8]: SASL LOGIN authentication failed: UGFzc3dvcmQ6",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/submission/smtpd\",\"pid\":4711,\"event\":\"auth_fail\",\"ip\":\"192.0.2.8\",\"sasl_method\":\"LOGIN\",\"text\":\"UGFzc3dvcmQ6\"}" },
    { "<22>1 - - postfix/postscreen - - - \xef\xbb\xbf""PASS NEW [192.0.2.9]:1234",
      "{\"file\":\"t\",\"line\":1,\"prog\":\"postfix/postscreen\",\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"reason\":\"pass_new\"}" },
    { "Tue 2026-12-01 09:14:03 JST mx1 postfix/smtpd[1]: connect from unknown[192.0.2.10]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.10\"}" },
    { "Tue 2026-12-01 09:14:03 UTC mx1 postfix/smtpd[1]: connect from unknown[192.0.2.10]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.10\"}" },
    { "Tue 2026-12-01 09:14:03.25 +0530 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.10]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T03:44:03.250000Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.10\"}" },
    { "Dec 01 09:14:03.123456 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.11]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03.123456Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.11\"}" },
    { "Dec  1 09:14:03 192.0.2.250 postfix/smtpd[1]: connect from unknown[192.0.2.12]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"192.0.2.250\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.12\"}" },
    { "Dec  1 09:14:03 2001:db8::25 postfix/smtpd[1]: connect from unknown[192.0.2.12]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"2001:db8::25\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.12\"}" },
    { "Dec  1 09:14:03 mx1 postfix[77]: connect from unknown[192.0.2.13]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix\",\"pid\":77,\"event\":\"connect\",\"ip\":\"192.0.2.13\"}" },
    { "Dec  1 09:14:03 mx1 postfix[77]: PASS OLD [192.0.2.13]:25",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix\",\"pid\":77,\"event\":\"postscreen\",\"ip\":\"192.0.2.13\",\"port\":25,\"reason\":\"pass_old\"}" },
    { "Dec  1 09:14:03 mx1 postfix-out/smtp[77]: 4F1A2B3C4D: to=<a@b>, relay=x[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix-out/smtp\",\"pid\":77,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"2.0.0\",\"to\":\"a@b\",\"relay\":\"x[192.0.2.1]:25\",\"status\":\"sent\",\"text\":\"250 ok\"}" },
    { "Dec  1 09:14:03 mx1 postfix/10025/smtpd[77]: connect from unknown[192.0.2.14]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/10025/smtpd\",\"pid\":77,\"event\":\"connect\",\"ip\":\"192.0.2.14\"}" },
    { "Dec  1 09:14:03 mx1 mx2/smtpd[77]: connect from unknown[192.0.2.14]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"mx2/smtpd\",\"pid\":77,\"event\":\"connect\",\"ip\":\"192.0.2.14\"}" },
    { "2026-12-01T09:14:03+0900 mx1 postfix/smtpd[1]: connect from unknown[192.0.2.15]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T00:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":1,\"event\":\"connect\",\"ip\":\"192.0.2.15\"}" },
    { "PASS NEW [192.0.2.16]:1234",
      "{\"file\":\"t\",\"line\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.16\",\"port\":1234,\"reason\":\"pass_new\"}" },
    { "4F1A2B3C4D: to=<a@b>, relay=x[192.0.2.1]:25, delay=1, dsn=2.0.0, status=sent (250 ok)",
      "{\"file\":\"t\",\"line\":1,\"event\":\"delivery\",\"qid\":\"4F1A2B3C4D\",\"dsn\":\"2.0.0\",\"to\":\"a@b\",\"relay\":\"x[192.0.2.1]:25\",\"status\":\"sent\",\"text\":\"250 ok\"}" },
    /* PROCID: digits, at most 18 of them, or no pid. */
    { "<22>1 2026-12-01T09:14:03Z mx1 postfix/smtpd 123456789012345678 - - connect from unknown[192.0.2.7]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"pid\":123456789012345678,\"event\":\"connect\",\"ip\":\"192.0.2.7\"}" },
    { "<22>1 2026-12-01T09:14:03Z mx1 postfix/smtpd 1234567890123456789 - - connect from unknown[192.0.2.7]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"event\":\"connect\",\"ip\":\"192.0.2.7\"}" },
    { "<22>1 2026-12-01T09:14:03Z mx1 postfix/smtpd 12a - - connect from unknown[192.0.2.7]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-12-01T09:14:03Z\",\"host\":\"mx1\",\"prog\":\"postfix/smtpd\",\"event\":\"connect\",\"ip\":\"192.0.2.7\"}" },
    /* Unterminated structured data; an address inside structured data is
     * not a client; a 5424 line with no app name. */
    { "<22>1 - h postfix/smtpd - - [x a=\"b] connect from unknown[192.0.2.1]", NULL },
    { "<22>1 - h postfix/smtpd - - [x a=\"connect from unknown[192.0.2.1]\"] x", NULL },
    { "<22>1 - h - - - - connect from unknown[192.0.2.1]", NULL },
    { "<22>1 2026-13-01T00:00:00Z h postfix/smtpd 1 - - connect from unknown[192.0.2.1]", NULL },
    /* A weekday that is not one, a zone that is not one. */
    { "Tux 2026-12-01 09:14:03 JST mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]", NULL },
    { "Tue 2026-12-01 09:14:03 J$T mx1 postfix/smtpd[1]: connect from unknown[192.0.2.1]", NULL },
};

static void test_framings(void **state)
{
    (void)state;
    check_cases(framings, sizeof(framings) / sizeof(framings[0]));
}

/* Lines of one file: a year-less December then January (rollover), CRLF,
 * NUL bytes, a 1 MB line, a truncated last line. */
static void test_file_shapes(void **state)
{
    static struct event ev;
    static char big[1 << 20];
    struct parser ps;
    const char *dec = "Dec 31 23:59:59 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]";
    const char *jan = "Jan  1 00:00:01 mx1 postfix/smtpd[1]: connect from a[192.0.2.1]\r";
    const char nul[] = "Jan  1 00:00:02 mx1 postfix/smtpd[1]: connect from a[192.0\0.2.1]";
    (void)state;

    /* The file was written on Jan 2 2027: December is 2026. */
    parser_init(&ps, (time_t)1798848000 + 86400, 0);
    memset(&ev, 0, sizeof(ev));
    ev.file = "t";
    assert_true(parse_line(&ps, dec, strlen(dec), &ev));
    assert_int_equal(ev.ts, 1798761599);
    assert_true(parse_line(&ps, jan, strlen(jan), &ev));
    assert_int_equal(ev.ts, 1798761601);
    assert_true(ev.rdns.n == 1);
    /* A NUL is a byte like any other: inside the address it spoils it. */
    assert_false(parse_line(&ps, nul, sizeof(nul) - 1, &ev));
    memset(big, 'A', sizeof(big));
    memcpy(big, dec, strlen(dec));
    /* 1 MB of junk after the client: the event is the connect, bounded. */
    assert_true(parse_line(&ps, big, sizeof(big), &ev));
    assert_int_equal(ev.ip.family, 4);
    memcpy(big + sizeof(big) - 12, "[192.0.2.1]", 11);
    parse_line(&ps, big, sizeof(big), &ev);
    for (size_t k = 0; k < strlen(dec); k++)
        parse_line(&ps, dec, k, &ev);           /* truncated: no crash */
}

/* Hosts are remembered (read_host), short names and fully qualified
 * ones: lines whose host is the one before, one byte off anywhere, one
 * byte longer or shorter, read as a first line would be; then lines of a
 * central log server, 200 hosts of all lengths (more than are
 * remembered, many alike) in a random order. */
static void test_host_memo(void **state)
{
    static struct event ev, first;
    const char *name = "mx1.mail-relay.customers.example-isp.invalid.net";
    struct parser ps, fresh;
    char prev[160], cur[160];
    (void)state;

    for (size_t n = 1; n <= 48; n++) {
        for (size_t v = 0; v < n + 3; v++) {
            char host[64];
            size_t m = n + (v == n + 1) - (v == n + 2 && n > 1);
            memcpy(host, name, m);
            if (v < n)
                host[v] = host[v] == 'x' ? 'y' : 'x';   /* one byte off */
            snprintf(prev, sizeof(prev), "Nov 24 06:25:01 %.*s postfix/smtpd[1]: connect from "
                     "a[192.0.2.1]", (int)n, name);
            snprintf(cur, sizeof(cur), "Nov 24 06:25:02 %.*s postfix/smtpd[2]: connect from "
                     "b[192.0.2.2]", (int)m, host);
            parser_init(&ps, 0, 2026);
            for (size_t cut = strlen(cur); cut + 24 >= strlen(cur); cut--) {
                char *a = malloc(strlen(prev)), *b = malloc(cut);
                memcpy(a, prev, strlen(prev));
                memcpy(b, cur, cut);
                memset(&ev, 0, sizeof(ev));
                memset(&first, 0, sizeof(first));
                (void)parse_line(&ps, a, strlen(prev), &ev);
                bool ok = parse_line(&ps, b, cut, &ev);
                parser_init(&fresh, 0, 2026);
                bool ok1 = parse_line(&fresh, b, cut, &first);
                if (ok != ok1 || ev.host.n != first.host.n
                    || (ev.host.n && memcmp(ev.host.p, first.host.p, ev.host.n) != 0)
                    || ev.prog.n != first.prog.n || (ok && ipaddr_v4(&ev.ip) != ipaddr_v4(&first.ip)))
                    fail_msg("\"%.*s\" after \"%s\": host \"%.*s\", first read \"%.*s\"",
                             (int)cut, cur, prev, (int)ev.host.n, ev.host.p,
                             (int)first.host.n, first.host.p);
                free(a);
                free(b);
            }
        }
    }
    uint64_t rnd = 88172645463325252u;
    parser_init(&ps, 0, 2026);
    for (int i = 0; i < 20000; i++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        unsigned h = (unsigned)(rnd % 200), n = 1 + h % 48;
        char host[64];
        memcpy(host, name, n);
        host[h % n] = (char)('a' + h / 48);
        int len = snprintf(cur, sizeof(cur), "Nov 24 06:25:02 %.*s postfix/%s[%u]: connect from "
                           "b[192.0.2.2]", (int)n, host, rnd >> 40 & 1 ? "smtpd" : "qmgr",
                           (unsigned)(rnd >> 48) % 9);
        char *b = malloc((size_t)len);
        memcpy(b, cur, (size_t)len);
        memset(&ev, 0, sizeof(ev));
        memset(&first, 0, sizeof(first));
        (void)parse_line(&ps, b, (size_t)len, &ev);
        parser_init(&fresh, 0, 2026);
        (void)parse_line(&fresh, b, (size_t)len, &first);
        if (ev.host.n != first.host.n || memcmp(ev.host.p, first.host.p, ev.host.n) != 0)
            fail_msg("\"%s\": host \"%.*s\", first read \"%.*s\"", cur, (int)ev.host.n,
                     ev.host.p, (int)first.host.n, first.host.p);
        free(b);
    }
}

/* A Dovecot line is known to carry no evidence unless it names a failure
 * ("auth failed", "Password mismatch", "unknown user") that no shape read:
 * then it is unmatched, to be looked at. The phrases are looked for 16
 * places at a time; every place and every length of line is tried here,
 * with the phrase whole, cut short by the line's end, and with one byte
 * changed, against what a plain search says. */
static void test_dovecot_failure_phrase(void **state)
{
    static const char *const phrase[] = { "auth failed", "Password mismatch", "unknown user" };
    static struct event ev;
    struct parser ps;
    char line[256];
    const char *head = "Dec  1 09:14:03 mx1 dovecot: ";
    size_t h = strlen(head);
    (void)state;

    setenv("TZ", "UTC", 1);
    for (size_t k = 0; k < 3; k++)
        for (size_t len = 0; len < 90; len++)
            for (size_t at = 0; at <= len; at++)
                for (int variant = 0; variant < 2; variant++) {
                    char msg[128];
                    size_t n = strlen(phrase[k]);
                    /* Filler of the needles' own letters, as a real line has. */
                    for (size_t i = 0; i < len; i++)
                        msg[i] = "aduPmsx "[(i * 7 + k) % 8];
                    msg[0] = msg[0] == ' ' ? 'x' : msg[0];
                    for (size_t i = 0; i < n && at + i < len; i++)
                        msg[at + i] = phrase[k][i];
                    if (variant && at + n / 2 < len)
                        msg[at + n / 2] = '#';
                    msg[len] = 0;
                    bool want = strstr(msg, "auth failed") || strstr(msg, "Password mismatch")
                        || strstr(msg, "unknown user");
                    snprintf(line, sizeof(line), "%s%s", head, msg);
                    parser_init(&ps, (time_t)1798848000, 0);
                    memset(&ev, 0, sizeof(ev));
                    ev.file = "t";
                    if (parse_line(&ps, line, h + len, &ev))
                        continue;       /* a shape read it: not this test's */
                    if (want != (ps.last == PC_UNMATCHED))
                        fail_msg("phrase %zu at %zu of %zu (variant %d): %s, want %s", k, at,
                                 len, variant, ps.last == PC_UNMATCHED ? "unmatched" : "known",
                                 want ? "unmatched" : "known");
                }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_framings),
        cmocka_unit_test(test_file_shapes),
        cmocka_unit_test(test_host_memo),
        cmocka_unit_test(test_dovecot_failure_phrase),
    };
    setenv("TZ", "UTC", 1);
    return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
