/* Parser table: smtpd rejects of every stage and class, warnings, postscreen, dnsblog, postgrey. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>
#include "parse_table.h"

static const struct parse_case cases[] = {
    /* smtpd and postscreen shapes */
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from unknown[unknown]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":123,\"event\":\"connect\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from 192.0.2.77[192.0.2.7]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":123,\"event\":\"connect\",\"ip\":\"192.0.2.7\",\"rdns\":\"192.0.2.77\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from mail.example.com[2001:db8::"
      "1]:40123",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":123,\"event\":\"connect\",\"ip\":\"2001:db8::1\",\"port\":40123,\"rdns\":\"mail.ex"
      "ample.com\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: 4F1A2B3C4D: reject: BDAT from a.example[19"
      "2.0.2.9]: 550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce; from="
      "<> to=<u@example.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"4F1A2B3"
      "C4D\",\"stage\":\"BDAT\",\"reason\":\"other\",\"code\":\"550\",\"dsn\":\"5.5.3\",\"from\":\"\",\"to\":\""
      "u@example.net\",\"helo\":\"a.example\",\"text\":\"550 5.5.3 <DATA>: Data command rejecte"
      "d: Multi-recipient bounce\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: CONNECT from unknown[192."
      "0.2.9]: 450 4.7.25 Client host rejected: cannot find your hostname, [198.51.100."
      "9]; proto=SMTP",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"qid\":\"NOQUEUE\",\"stage\":\"CONNECT\""
      ",\"reason\":\"no_rdns\",\"code\":\"450\",\"dsn\":\"4.7.25\",\"text\":\"450 4.7.25 Client host r"
      "ejected: cannot find your hostname, [198.51.100.9]\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: EHLO from a.example[192.0"
      ".2.9]: 504 5.5.2 <User>: Helo command rejected: need fully-qualified hostname; p"
      "roto=SMTP helo=<User>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"NOQUEUE"
      "\",\"stage\":\"EHLO\",\"reason\":\"helo\",\"code\":\"504\",\"dsn\":\"5.5.2\",\"helo\":\"User\",\"text\""
      ":\"504 5.5.2 <User>: Helo command rejected: need fully-qualified hostname\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: MAIL from a.example[192.0"
      ".2.9]: 450 4.1.8 <s@nx.example>: Sender address rejected: Domain not found; from"
      "=<s@nx.example> proto=ESMTP helo=<[192.0.2.9]>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"NOQUEUE"
      "\",\"stage\":\"MAIL\",\"reason\":\"sender\",\"code\":\"450\",\"dsn\":\"4.1.8\",\"from\":\"s@nx.examp"
      "le\",\"helo\":\"[192.0.2.9]\",\"text\":\"450 4.1.8 <s@nx.example>: Sender address reject"
      "ed: Domain not found\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: RCPT from a.example[192.0"
      ".2.9]: 450 4.2.0 <u@example.net>: Recipient address rejected: Greylisted, see ht"
      "tp://postgrey.schweikert.ch/help/example.net.html; from=<s@a.example> to=<u@exam"
      "ple.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"NOQUEUE"
      "\",\"stage\":\"RCPT\",\"reason\":\"policy\",\"code\":\"450\",\"dsn\":\"4.2.0\",\"from\":\"s@a.exampl"
      "e\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"450 4.2.0 <u@example.net>: Re"
      "cipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/exa"
      "mple.net.html\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: RCPT from a.example[192.0"
      ".2.9]: 452 4.5.3 Error: too many recipients; from=<s@a.example> to=<u@example.ne"
      "t> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"NOQUEUE"
      "\",\"stage\":\"RCPT\",\"reason\":\"rate_limit\",\"code\":\"452\",\"dsn\":\"4.5.3\",\"from\":\"s@a.ex"
      "ample\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"452 4.5.3 Error: too many"
      " recipients\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: 4F1A2B3C4D: reject: END-OF-MESSAGE from a."
      "example[192.0.2.9]: 554 5.7.1 Message content rejected; from=<s@a.example> to=<u"
      "@example.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"4F1A2B3"
      "C4D\",\"stage\":\"END-OF-MESSAGE\",\"reason\":\"content\",\"code\":\"554\",\"dsn\":\"5.7.1\",\"fro"
      "m\":\"s@a.example\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"554 5.7.1 Messa"
      "ge content rejected\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: DATA from a.example[192.0"
      ".2.9]: 554 5.5.1 Error: no valid recipients; from=<s@a.example> to=<u@example.ne"
      "t> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"NOQUEUE"
      "\",\"stage\":\"DATA\",\"reason\":\"other\",\"code\":\"554\",\"dsn\":\"5.5.1\",\"from\":\"s@a.example"
      "\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"554 5.5.1 Error: no valid reci"
      "pients\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: reject: RCPT from 1.2.3.4.dyn.exa"
      "mple[192.0.2.9]: 550 <u@example.net>: Recipient address rejected: User unknown i"
      "n virtual mailbox table; from=<s@a.example> to=<u@example.net> proto=SMTP helo=<"
      "1.2.3.4>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"1.2.3.4.dyn.example\",\"qid"
      "\":\"NOQUEUE\",\"stage\":\"RCPT\",\"reason\":\"unknown_recipient\",\"code\":\"550\",\"from\":\"s@a"
      ".example\",\"to\":\"u@example.net\",\"helo\":\"1.2.3.4\",\"text\":\"550 <u@example.net>: Rec"
      "ipient address rejected: User unknown in virtual mailbox table\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: reject: RCPT from a.example[192.0.2.9]: 55"
      "4 Service unavailable; [192.0.2.9] blocked using bl.example, reason: Open relay;"
      " from=<s@a.example> to=<u@example.net>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"stage\":\"RCPT\""
      ",\"reason\":\"dnsbl\",\"code\":\"554\",\"from\":\"s@a.example\",\"to\":\"u@example.net\",\"dnsbl\""
      ":\"bl.example\",\"text\":\"554 Service unavailable; [192.0.2.9] blocked using bl.exam"
      "ple, reason: Open relay\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: 4F1A2B3C4D: milter-reject: END-OF-MESSAGE "
      "from a.example[192.0.2.9]: 5.7.1 Spam detected; from=<s@a.example> to=<u@example"
      ".net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"4F1A2B3"
      "C4D\",\"stage\":\"END-OF-MESSAGE\",\"reason\":\"content\",\"dsn\":\"5.7.1\",\"from\":\"s@a.examp"
      "le\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"text\":\"5.7.1 Spam detected\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: discard: RCPT from a.example[192."
      "0.2.9]: <s@a.example>: Sender address triggers DISCARD action; from=<s@a.example"
      "> to=<u@example.net> proto=ESMTP helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"action\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"qid\":\"NOQUEUE"
      "\",\"stage\":\"RCPT\",\"from\":\"s@a.example\",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"s"
      "tatus\":\"discard\",\"text\":\"<s@a.example>: Sender address triggers DISCARD action\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: Connection rate limit exceeded: 3"
      "1 from a.example[192.0.2.9] for service smtp",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"stage\":\"CONNE"
      "CT\",\"reason\":\"rate_limit\",\"text\":\"Connection rate limit exceeded: 31 from a.exam"
      "ple[192.0.2.9] for service smtp\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: non-SMTP command from unknown[192"
      ".0.2.9]: GET / HTTP/1.1",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"lost\",\"ip\":\"192.0.2.9\",\"reason\":\"non_smtp_command\",\"text\":"
      "\"GET / HTTP/1.1\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: SASL authentication failure: Pass"
      "word verification failed",
      NULL },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: unknown[192.0.2.9]: SASL LOGIN au"
      "thentication failed: (reason unavailable), sasl_username=admin@example.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"auth_fail\",\"ip\":\"192.0.2.9\",\"sasl_method\":\"LOGIN\",\"sasl_us"
      "er\":\"admin@example.net\",\"text\":\"(reason unavailable), sasl_username=admin@exampl"
      "e.net\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: 192.0.2.9: hostname a.example ver"
      "ification failed: Name or service not known",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"rdns_fail\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"text\":\"hos"
      "tname a.example verification failed: Name or service not known\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: 192.0.2.9: address not listed for"
      " hostname a.example",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"rdns_fail\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"text\":\"add"
      "ress not listed for hostname a.example\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: timeout after DATA (6253 bytes) from a.exa"
      "mple[192.0.2.9]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"lost\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"stage\":\"DATA\",\""
      "reason\":\"timeout\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: too many errors after RCPT from a.example["
      "192.0.2.9]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"lost\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"stage\":\"RCPT\",\""
      "reason\":\"too_many_errors\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: NOQUEUE: lost connection after CONNECT fro"
      "m unknown[192.0.2.9]",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"lost\",\"ip\":\"192.0.2.9\",\"qid\":\"NOQUEUE\",\"stage\":\"CONNECT\",\""
      "reason\":\"lost_connection\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: improper command pipelining after DATA fro"
      "m unknown[192.0.2.9]: QUIT",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"lost\",\"ip\":\"192.0.2.9\",\"stage\":\"DATA\",\"reason\":\"improper_p"
      "ipelining\",\"text\":\"QUIT\"}" },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: Anonymous TLS connection established from "
      "a.example[192.0.2.9]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/sm"
      "tpd\",\"pid\":9,\"event\":\"tls\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"text\":\"TLSv1.3 w"
      "ith cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: NOQUEUE: reject: RCPT from [192.0.2.9"
      "]:60591: 550 5.7.1 Service unavailable; client [192.0.2.9] blocked using bl.exam"
      "ple; from=<s@a.example>, to=<u@example.net>, proto=ESMTP, helo=<a.example>",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"reject\",\"ip\":\"192.0.2.9\",\"port\":60591,\"qid\":\"NOQUEUE\""
      ",\"stage\":\"RCPT\",\"reason\":\"dnsbl\",\"code\":\"550\",\"dsn\":\"5.7.1\",\"from\":\"s@a.example\""
      ",\"to\":\"u@example.net\",\"helo\":\"a.example\",\"dnsbl\":\"bl.example\",\"text\":\"550 5.7.1 "
      "Service unavailable; client [192.0.2.9] blocked using bl.example\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: COMMAND PIPELINING from [192.0.2.9]:1"
      "234 after EHLO: QUIT\\r\\n",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"stage\":\"EHL"
      "O\",\"reason\":\"command_pipelining\",\"text\":\"QUIT\\\\r\\\\n\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: NON-SMTP COMMAND from [192.0.2.9]:123"
      "4 after CONNECT: GET / HTTP/1.1",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"stage\":\"CON"
      "NECT\",\"reason\":\"non_smtp_command\",\"text\":\"GET / HTTP/1.1\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: BARE NEWLINE from [192.0.2.9]:1234 af"
      "ter DATA",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"stage\":\"DAT"
      "A\",\"reason\":\"bare_newline\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: COMMAND TIME LIMIT from [192.0.2.9]:1"
      "234 after CONNECT",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"stage\":\"CON"
      "NECT\",\"reason\":\"command_limit\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: WHITELISTED [192.0.2.9]:1234",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"reason\":\"al"
      "lowlisted\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: ALLOWLISTED [192.0.2.9]:1234",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"reason\":\"al"
      "lowlisted\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: PASS OLD [192.0.2.9]:1234",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":1234,\"reason\":\"pa"
      "ss_old\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: DISCONNECT [192.0.2.9]:1234",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"disconnect\",\"ip\":\"192.0.2.9\",\"port\":1234}" },
    { "Nov 24 06:25:01 mx1 postfix/dnsblog[2]: addr 192.0.2.9 listed by domain bl.examp"
      "le as 127.0.0.2",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/dn"
      "sblog\",\"pid\":2,\"event\":\"dnsbl\",\"ip\":\"192.0.2.9\",\"dnsbl\":\"bl.example\",\"text\":\"127"
      ".0.0.2\"}" },
    { "Nov 24 06:25:01 mx1 postfix/postscreen[1]: PREGREET 47 after 0 from [192.0.2.9]:"
      "62873: \\003\\000\\000/*\\340\\000\\000\\000\\000\\000Cookie: mstshash=Admin\\r\\n",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postfix/po"
      "stscreen\",\"pid\":1,\"event\":\"postscreen\",\"ip\":\"192.0.2.9\",\"port\":62873,\"reason\":\"p"
      "regreet\",\"text\":\"\\\\003\\\\000\\\\000/*\\\\340\\\\000\\\\000\\\\000\\\\000\\\\000Cookie: mstshash"
      "=Admin\\\\r\\\\n\"}" },
    { "Nov 24 06:25:01 mx1 postgrey[3]: action=greylist, reason=new, client_name=a.exam"
      "ple, client_address=192.0.2.9, sender=s@a.example, recipient=u@example.net",
      "{\"file\":\"t\",\"line\":1,\"ts\":\"2026-11-24T06:25:01Z\",\"host\":\"mx1\",\"prog\":\"postgrey\","
      "\"pid\":3,\"event\":\"policy\",\"ip\":\"192.0.2.9\",\"rdns\":\"a.example\",\"reason\":\"policy\",\""
      "from\":\"s@a.example\",\"to\":\"u@example.net\",\"status\":\"greylist\",\"text\":\"new\"}" },
    /* not events: the SASL library's own complaint names no client; a broken address */
    { "Nov 24 06:25:01 mx1 postfix/smtpd[9]: warning: SASL authentication failure: cann"
      "ot connect to saslauthd server: Permission denied",
      NULL },
    { "Nov 24 06:25:01 mx1 postfix/smtpd[123]: connect from unknown[1.2.3.300]",
      NULL },
    { "Nov 24 06:25:01 mx1 postfix/anvil[1]: statistics: max connection rate 1/60s for "
      "(smtp:192.0.2.1) at Nov 24 06:20:01",
      NULL },
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
    return cmocka_run_group_tests_name("parse_smtpd", tests, NULL, NULL);
}
