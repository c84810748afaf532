/* Parser table: qmail: tcpserver, rblsmtpd, qmail-send, splogger, qmail-smtpd patches, vchkpw. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "parse_table.h"

static const struct parse_case cases[] = {
    /* tcpserver, rblsmtpd, qmail-send, splogger, qmail-smtpd patches, vchkpw */
    { "@400000006925f8e21529cb14 tcpserver: status: 1/40",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"even"
      "t\":\"qmail_status\",\"text\":\"1/40\"}" },
    { "@400000006925f8e21529cb14 tcpserver: pid 23904 from 192.0.2.165",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"pid\""
      ":23904,\"event\":\"tcp_pid\",\"ip\":\"192.0.2.165\"}" },
    { "@400000006925f8e21529cb14 tcpserver: ok 23904 mx.example:192.0.2.13:25 host.exam"
      "ple:192.0.2.165::53346",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"pid\""
      ":23904,\"event\":\"tcp_ok\",\"ip\":\"192.0.2.165\",\"port\":53346,\"rdns\":\"host.example\"}" },
    { "@400000006925f8e21529cb14 tcpserver: ok 23905 mx.example:192.0.2.13:25 :2001:db8"
      "::5::53346",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"pid\""
      ":23905,\"event\":\"tcp_ok\",\"ip\":\"2001:db8::5\",\"port\":53346}" },
    { "@400000006925f8e21529cb14 tcpserver: deny 23906 mx.example:192.0.2.13:25 :192.0."
      "2.166::53347",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"pid\""
      ":23906,\"event\":\"tcp_deny\",\"ip\":\"192.0.2.166\",\"port\":53347}" },
    { "@400000006925f8e21529cb14 tcpserver: end 23904 status 256",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"tcpserver\",\"pid\""
      ":23904,\"event\":\"tcp_end\",\"status\":\"256\"}" },
    { "@400000006925f8e21529cb14 rblsmtpd: 192.0.2.54 pid 93340: 451 http://bl.example/"
      "query/bl?ip=192.0.2.54",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"prog\":\"rblsmtpd\",\"pid\":"
      "93340,\"event\":\"rbl\",\"ip\":\"192.0.2.54\",\"reason\":\"dnsbl\",\"code\":\"451\",\"text\":\"451 "
      "http://bl.example/query/bl?ip=192.0.2.54\"}" },
    { "@400000006925f8e21529cb14 new msg 71198",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_new\",\"qid"
      "\":\"71198\",\"msg\":\"71198\"}" },
    { "@400000006925f8e21529cb14 info msg 71198: bytes 3042 from <list-bounces@example."
      "org> qp 44209 uid 89",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_info\",\"qi"
      "d\":\"71198\",\"from\":\"list-bounces@example.org\",\"size\":3042,\"uid\":89,\"msg\":\"71198\","
      "\"qp\":44209}" },
    { "@400000006925f8e21529cb14 starting delivery 196548: msg 71198 to remote u@exampl"
      "e.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_start\",\"q"
      "id\":\"71198\",\"to\":\"u@example.net\",\"relay\":\"remote\",\"msg\":\"71198\",\"delivery\":\"1965"
      "48\"}" },
    { "@400000006925f8e21529cb14 delivery 196548: success: 192.0.2.25_accepted_message."
      "/Remote_host_said:_250_2.0.0_Ok:_queued_as_ABC/",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_delivery\""
      ",\"code\":\"250\",\"dsn\":\"2.0.0\",\"relay\":\"192.0.2.25\",\"status\":\"success\",\"delivery\":\""
      "196548\",\"text\":\"192.0.2.25 accepted message.\\nRemote host said: 250 2.0.0 Ok: qu"
      "eued as ABC\",\"raw\":\"192.0.2.25_accepted_message./Remote_host_said:_250_2.0.0_Ok:"
      "_queued_as_ABC/\"}" },
    { "@400000006925f8e21529cb14 delivery 196549: failure: Sorry,_no_mailbox_here_by_th"
      "at_name._(#5.1.1)/",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_delivery\""
      ",\"dsn\":\"5.1.1\",\"status\":\"failure\",\"delivery\":\"196549\",\"text\":\"Sorry, no mailbox "
      "here by that name. (#5.1.1)\",\"raw\":\"Sorry,_no_mailbox_here_by_that_name._(#5.1.1"
      ")/\"}" },
    { "@400000006925f8e21529cb14 delivery 196550: deferral: Connected_to_192.0.2.25_but"
      "_greeting_failed./Remote_host_said:_421_4.7.0_try_later/",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_delivery\""
      ",\"code\":\"421\",\"dsn\":\"4.7.0\",\"relay\":\"192.0.2.25\",\"status\":\"deferral\",\"delivery\":"
      "\"196550\",\"text\":\"Connected to 192.0.2.25 but greeting failed.\\nRemote host said:"
      " 421 4.7.0 try later\",\"raw\":\"Connected_to_192.0.2.25_but_greeting_failed./Remote"
      "_host_said:_421_4.7.0_try_later/\"}" },
    { "@400000006925f8e21529cb14 end msg 71198",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_end\",\"qid"
      "\":\"71198\",\"msg\":\"71198\"}" },
    { "@400000006925f8e21529cb14.s:@400000006925f8e21529cb14 bounce msg 71198 qp 44300",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-25T18:43:36.355060Z\",\"event\":\"qmail_bounce\",\""
      "qid\":\"71198\",\"msg\":\"71198\",\"qp\":44300}" },
    { "Nov 24 06:25:01 mx1 qmail: 1764001501.123456 triple bounce: discarding bounce/71"
      "199",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-24T16:25:01.123456Z\",\"host\":\"mx1\",\"prog\":\"qma"
      "il\",\"event\":\"qmail_bounce\",\"qid\":\"71199\",\"status\":\"discarded\",\"msg\":\"71199\",\"tex"
      "t\":\"triple bounce: discarding bounce/71199\"}" },
    { "Nov 24 06:25:01 mx1 qmail: 1764001501.123456 status: local 1/10 remote 0/20",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-24T16:25:01.123456Z\",\"host\":\"mx1\",\"prog\":\"qma"
      "il\",\"event\":\"qmail_status\",\"text\":\"local 1/10 remote 0/20\"}" },
    { "Nov 24 06:25:01 mx1 qmail: 1764001501.123456 rblsmtpd: 192.0.2.77 pid 19597 bl.e"
      "xample: 451 http://bl.example/?ip=192.0.2.77",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-24T16:25:01.123456Z\",\"host\":\"mx1\",\"prog\":\"rbl"
      "smtpd\",\"pid\":19597,\"event\":\"rbl\",\"ip\":\"192.0.2.77\",\"reason\":\"dnsbl\",\"code\":\"451\""
      ",\"dnsbl\":\"bl.example\",\"text\":\"451 http://bl.example/?ip=192.0.2.77\"}" },
    { "Nov 24 06:25:01 mx1 qmail: 1764001501.123456 qmail-smtpd: 421 badiprbl: ip 192.0"
      ".2.54 rbl: bl.example",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2025-11-24T16:25:01.123456Z\",\"host\":\"mx1\",\"prog\":\"qma"
      "il-smtpd\",\"event\":\"rbl\",\"ip\":\"192.0.2.54\",\"reason\":\"dnsbl\",\"code\":\"421\",\"dnsbl\":"
      "\"bl.example\",\"text\":\"421 badiprbl: ip 192.0.2.54 rbl: bl.example\"}" },
    { "Nov 24 06:25:01 mx1 rblsmtpd: bl.example blocked 192.0.2.47 host.example -",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"rblsmtpd\","
      "\"event\":\"rbl\",\"ip\":\"192.0.2.47\",\"reason\":\"dnsbl\",\"dnsbl\":\"bl.example\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: CHKUSER rejected rcpt: from <s@a.example::> "
      "remote <a.example:host.a.example:192.0.2.8> rcpt <nobody@example.net> : not exis"
      "ting recipient",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"192.0.2.8\",\"rdns\":\"host.a.example\",\"stage\":\"RC"
      "PT\",\"reason\":\"unknown_recipient\",\"from\":\"s@a.example\",\"to\":\"nobody@example.net\","
      "\"helo\":\"a.example\",\"text\":\"not existing recipient\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: CHKUSER accepted rcpt: from <s@a.example::> "
      "remote <a.example:host.a.example:192.0.2.8> rcpt <u@example.net> : found existin"
      "g recipient",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"qmail_smtpd\",\"ip\":\"192.0.2.8\",\"rdns\":\"host.a.example\",\"stage"
      "\":\"RCPT\",\"from\":\"s@a.example\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"status\":\""
      "accepted rcpt\",\"text\":\"found existing recipient\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: CHKUSER rejected relaying: from <s@a.example"
      "::> remote <a.example::192.0.2.8> rcpt <u@elsewhere.example> : client not allowe"
      "d to relay",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"192.0.2.8\",\"stage\":\"RCPT\",\"reason\":\"relay_deni"
      "ed\",\"from\":\"s@a.example\",\"to\":\"u@elsewhere.example\",\"helo\":\"a.example\",\"text\":\"c"
      "lient not allowed to relay\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Reject::ORIG::Bad_Mailfrom: P:ESMTP S:192.0."
      "2.9:a.example H:a.example F:s@bad.example T:u@example.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"stage\":\"MAIL\",\""
      "reason\":\"sender\",\"from\":\"s@bad.example\",\"to\":\"u@example.net\",\"helo\":\"a.example\","
      "\"text\":\"ORIG::Bad_Mailfrom\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Reject::SNDR::Invalid_Relay: P:ESMTP S:192.0"
      ".2.9:a.example H:a.example F:s@a.example T:u@elsewhere.example",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"reason\":\"relay_"
      "denied\",\"from\":\"s@a.example\",\"to\":\"u@elsewhere.example\",\"helo\":\"a.example\",\"text"
      "\":\"SNDR::Invalid_Relay\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Accept::SNDR::Remote_Host_Rcpthosts: P:ESMTP"
      " S:192.0.2.9:a.example H:a.example F:s@a.example T:u@example.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"qmail_smtpd\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"from\":\"s@a"
      ".example\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"status\":\"Accept\",\"text\":\"SNDR"
      "::Remote_Host_Rcpthosts\"}" },
    { "Nov 24 06:25:01 mx1 vchkpw-smtp[5]: password fail (pass: 'xx') u@example.net:192"
      ".0.2.6",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"vchkpw-smt"
      "p\",\"pid\":5,\"event\":\"auth_fail\",\"ip\":\"192.0.2.6\",\"sasl_user\":\"u@example.net\",\"tex"
      "t\":\"password fail\"}" },
    { "Nov 24 06:25:01 mx1 vchkpw-pop3[5]: vpopmail user not found nobody@example.net:1"
      "92.0.2.6",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"vchkpw-pop"
      "3\",\"pid\":5,\"event\":\"auth_fail\",\"ip\":\"192.0.2.6\",\"sasl_user\":\"nobody@example.net\""
      ",\"text\":\"vpopmail user not found\"}" },
    { "qmail: new msg 53 ",
      "{\"file\":\"t\",\"line\":1,\"prog\":\"qmail\",\"event\":\"qmail_new\",\"qid\":\"53\",\"msg\":\"53\"}" },
    { "tcpserver: pid 23904 from 192.0.2.165",
      "{\"file\":\"t\",\"line\":1,\"prog\":\"tcpserver\",\"pid\":23904,\"event\":\"tcp_pid\",\"ip\":\"192."
      "0.2.165\"}" },
    /* found by fuzz_qmail: "Reject::" without Type::Condition */
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Reject:: status P:ESMTP S:192.0.2.1:host",
      NULL },
    { "Nov 24 06:25:01 mx1 qmail: 1764001501.123456 delivery 7: maybe: x",
      NULL },
    /* spamcontrol conditions, IPv6 senders, chkuser with IPv6 */
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Reject::ORIG::Failed_Auth: P:ESMTPA S:192.0."
      "2.9:a.example H:a.example F:s@a.example T:u@example.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"auth_fail\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"stage\":\"MAIL"
      "\",\"from\":\"s@a.example\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"ORIG::Fai"
      "led_Auth\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Reject::RCPT::Failed_Rcptto: P:ESMTP S:2001:"
      "db8::9:a.example H:a.example F:s@a.example T:nobody@example.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"2001:db8::9\",\"rdns\":\"a.example\",\"stage\":\"RCPT\""
      ",\"reason\":\"unknown_recipient\",\"from\":\"s@a.example\",\"to\":\"nobody@example.net\",\"he"
      "lo\":\"a.example\",\"text\":\"RCPT::Failed_Rcptto\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: Reject::SNDR::DNSA_HELO: P:SMTP S:2001:db8::"
      "9 H:bogus F: T:",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"2001:db8::9\",\"reason\":\"helo\",\"from\":\"\",\"to\":\"\""
      ",\"helo\":\"bogus\",\"text\":\"SNDR::DNSA_HELO\"}" },
    { "Nov 24 06:25:01 mx1 qmail-smtpd[4]: CHKUSER rejected rcpt: from <s@a.example::> "
      "remote <a.example:host.a.example:2001:db8::8> rcpt <nobody@example.net> : not ex"
      "isting recipient",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"qmail-smtp"
      "d\",\"pid\":4,\"event\":\"reject\",\"ip\":\"2001:db8::8\",\"rdns\":\"host.a.example\",\"stage\":\""
      "RCPT\",\"reason\":\"unknown_recipient\",\"from\":\"s@a.example\",\"to\":\"nobody@example.net"
      "\",\"helo\":\"a.example\",\"text\":\"not existing recipient\"}" },
};

static void test_table(void **state)
{
    (void)state;
    check_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    setenv("TZ", "UTC", 1);
    return cmocka_run_group_tests_name("parse_qmail", tests, NULL, NULL);
}
