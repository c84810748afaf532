#!/usr/bin/env python3
"""Writes datasets/rdns/labelled.csv (hostname,ip,label,source): the rDNS
test set. Deterministic (seeded). Sources are explained in SOURCES.md;
the labels are ours, set from the naming scheme, never from rblforge's
output. Usage: python3 datasets/rdns/make-labelled.py > datasets/rdns/labelled.csv"""
import random

R = random.Random(20261125)
rows = []


def add(name, ip, label, src):
    rows.append((name, ip, label, src))


def oct4(firsts):
    return (R.choice(firsts), R.randrange(0, 256), R.randrange(0, 256), R.randrange(1, 255))


def many(n, firsts, fmt, label, src):
    for _ in range(n):
        a, b, c, d = oct4(firsts)
        h = "%02X%02X%02X%02X" % (a, b, c, d)
        add(fmt.format(a=a, b=b, c=c, d=d, h=h, hl=h.lower(), n=R.randrange(1, 99),
                       m=R.randrange(100, 9999), st=R.choice(["ca", "ma", "il", "tx", "fl", "wa", "pa"]),
                       city=R.choice(["bstnma", "nycmny", "lsanca", "washdc", "phlapa", "tampfl"])),
            "%d.%d.%d.%d" % (a, b, c, d), label, src)


# --- shared/corpora: names (not lines) that real logs carried, with their address
for name, ip, label in [
    ("114-44-142-233.dynamic.hinet.net", "114.44.142.233", "dynamic"),
    ("72-53-132-234.cpe.distributel.net", "72.53.132.234", "dynamic"),
    ("host81-130-125-141.in-addr.btopenworld.com", "81.130.125.141", "dynamic"),
    ("1-2-3-4.example.com", "1.2.3.4", "dynamic"),
    ("1-2-3-4-example.com", "1.2.3.4", "dynamic"),
    ("173-10-140-217-BusName-washingtonDC.hfc.comcastbusiness.net", "173.10.140.217", "static-generic"),
    ("201.130.128.222.ded.telnor.net", "201.130.128.222", "static-generic"),
    ("rrcs-24-213-217-114.nys.biz.rr.com", "24.213.217.114", "static-generic"),
    ("s271272.static.corbina.ru", "78.107.251.238", "static-generic"),
    ("static.1.1.168.192.client.domain.xyz", "192.168.1.1", "static-generic"),
    ("66-220-155-151.mail-mail.facebook.com", "66.220.155.151", "named"),
    ("astra4139.startdedicated.de", "62.138.2.143", "named"),
    ("mail.foldsandwalker.com", "98.191.84.74", "named"),
    ("mail.telia.com", "81.236.60.210", "named"),
    ("gmail-smtp-in.l.google.com", "108.177.14.26", "named"),
    ("mx2.comcast.net", "2001:558:fe21:2a::6", "named"),
    ("mx1.example.com", "10.0.0.1", "named"),
    ("good-host.example.com", "192.0.2.10", "named"),
    ("signing-milter.example.com", "192.0.2.109", "named"),
    ("ipv6-1.example.com", "2001:dead:beef::1", "named"),
    ("not.stretchoid.com", "192.168.1.1", "named"),
]:
    add(name, ip, label, "corpora")

# --- access networks, from the ISPs' documented rDNS schemes
D = "dynamic"
many(8, [24, 67, 73, 98], "c-{a}-{b}-{c}-{d}.hsd1.{st}.comcast.net", D, "scheme:comcast")
many(8, [71, 72, 96, 108], "pool-{a}-{b}-{c}-{d}.{city}.fios.verizon.net", D, "scheme:verizon-fios")
many(5, [99, 75, 76], "adsl-{a}-{b}-{c}-{d}.dsl.pltn{n}.sbcglobal.net", D, "scheme:att-dsl")
many(4, [99, 107, 108], "{a}-{b}-{c}-{d}.lightspeed.irvnca.sbcglobal.net", D, "scheme:att-uverse")
many(6, [68, 70, 72, 98], "ip{a}-{b}-{c}-{d}.oc.oc.cox.net", D, "scheme:cox")
many(6, [66, 75, 97, 174], "cpe-{a}-{b}-{c}-{d}.nc.res.rr.com", D, "scheme:spectrum")
many(8, [79, 84, 87, 91, 93, 217], "p{h}.dip0.t-ipconnect.de", D, "scheme:deutsche-telekom")
for _ in range(6):
    a, b, c, d = oct4([88, 92, 94])
    add("dslb-%03d-%03d-%03d-%03d.%03d.pools.vodafone-ip.de" % (a, b, c, d, a),
        "%d.%d.%d.%d" % (a, b, c, d), D, "scheme:vodafone-de")
many(6, [79, 87, 93, 95], "host{d}-{c}-{b}-{a}.retail.telecomitalia.it", D, "scheme:telecom-italia")
many(4, [2, 93], "{a}-{b}-{c}-{d}.ip{n}.fastwebnet.it", D, "scheme:fastweb")
many(5, [81, 86, 109], "host{a}-{b}-{c}-{d}.range{a}-{b}.btcentralplus.com", D, "scheme:bt")
many(5, [82, 88], "lns-bzn-{n}-{a}-{b}-{c}-{d}.adsl.proxad.net", D, "scheme:free-fr")
for _ in range(5):
    a, b, c, d = oct4([83, 86, 90])
    add("ALille-%d-1-%d-%d.w%d-%d.abo.wanadoo.fr" % (R.randrange(100, 999), c, d, a, b),
        "%d.%d.%d.%d" % (a, b, c, d), D, "scheme:orange-fr")
for _ in range(4):
    a, b, c, d = oct4([83, 88])
    add("%d.Red-%d-%d-%d.dynamicIP.rima-tde.net" % (d, a, b, c), "%d.%d.%d.%d" % (a, b, c, d), D,
        "scheme:telefonica-es")
many(5, [36, 111, 114, 118], "{a}-{b}-{c}-{d}.dynamic-ip.hinet.net", D, "scheme:hinet")
many(5, [187, 189, 201], "dsl-{a}-{b}-{c}-{d}-dyn.prod-infinitum.com.mx", D, "scheme:telmex")
many(4, [177, 179, 189], "{a}-{b}-{c}-{d}.dsl.telesp.net.br", D, "scheme:vivo-br")
many(3, [177, 187, 189], "bd{hl}.virtua.com.br", D, "scheme:net-virtua-br")
many(5, [60, 115, 183], "{d}.{c}.{b}.{a}.broad.hz.zj.dynamic.163data.com.cn", D, "scheme:chinanet")
many(4, [78, 88, 85], "{a}.{b}.{c}.{d}.dynamic.ttnet.com.tr", D, "scheme:turk-telekom")
many(4, [79, 95, 176], "broadband-{a}-{b}-{c}-{d}.ip.moscow.rt.ru", D, "scheme:rostelecom")
many(4, [37, 89, 188], "user-{a}-{b}-{c}-{d}.play-internet.pl", D, "scheme:play-pl")
for _ in range(5):
    a, b, c, d = oct4([126, 219, 221])
    add("softbank%03d%03d%03d%03d.bbtec.net" % (a, b, c, d), "%d.%d.%d.%d" % (a, b, c, d), D,
        "scheme:softbank-jp")
for _ in range(4):
    a, b, c, d = oct4([82, 86, 92])
    add("cpc%d-lutn%d-2-0-cust%d.9-3.cable.virginm.net" % (R.randrange(1, 200), R.randrange(1, 20), d),
        "%d.%d.%d.%d" % (a, b, c, d), D, "scheme:virgin-media")
many(4, [64, 70, 74], "bras-base-toroon{n}-grc-{n}-{a}-{b}-{c}-{d}.dsl.bell.ca", D, "scheme:bell-ca")
for _ in range(3):
    a, b, c, d = oct4([24, 99])
    mac = "".join("%02x" % R.randrange(256) for _ in range(6))
    add("CPE%s-CM%s.cpe.net.cable.rogers.com" % (mac, mac), "%d.%d.%d.%d" % (a, b, c, d), D,
        "scheme:rogers")
many(4, [58, 60, 101], "cpe-{a}-{b}-{c}-{d}.bpbl-r-{n}.vic.bigpond.net.au", D, "scheme:telstra")
many(4, [122, 182, 223], "abts-kk-dynamic-{d}.{c}.{b}.{a}.airtelbroadband.in", D, "scheme:airtel-in")
many(4, [68, 71, 97], "{a}-{b}-{c}-{d}.dhcp.mdsn.wi.charter.com", D, "scheme:charter")
many(3, [69, 166], "h{a}.{b}.{c}.{d}.dynamic.ip.windstream.net", D, "scheme:windstream")
many(5, [46, 79, 84, 87], "bzq-{a}-{b}-{c}-{d}.red.bezeqint.net", D, "scheme:bezeq")
many(4, [62, 84, 94], "{d}-{c}-{b}-{a}.cable.dynamic.v4.ziggo.nl", D, "scheme:ziggo")
many(4, [3, 18, 34, 52, 54], "ec2-{a}-{b}-{c}-{d}.compute-1.amazonaws.com", D, "scheme:aws-ec2")
many(3, [34, 35], "{d}.{c}.{b}.{a}.bc.googleusercontent.com", D, "scheme:gcp")
many(3, [91, 109], "ppp{a}-{b}-{c}-{d}.pppoe.mtu-net.ru", D, "scheme:mts")
many(3, [187, 201], "{a}-{b}-{c}-{d}.user.veloxzone.com.br", D, "scheme:oi-br")
many(3, [112, 113], "{a}.{b}.{c}.{d}.static? ".replace("static? ", "adsl-pool.sx.cn"), D, "scheme:china-unicom")
many(3, [41, 105], "dsl-{d}-{c}-{b}-{a}.dynamic.telkomsa.net", D, "scheme:telkom-za")
many(3, [1, 27, 49], "node-{n}{hl}.pool-{a}-{b}.dynamic.totinternet.net", D, "scheme:tot-th")
many(3, [90, 93, 95], "{d}.{c}.{b}.{a}.dynamic.cablenet-as.net", D, "scheme:cablenet-cy")
many(3, [188, 190], "{a}-{b}-{c}-{d}.cab.prima.net.ar", D, "scheme:prima-ar")
many(3, [2, 78, 109], "{d}.{c}.{b}.{a}.rev.sfr.net", D, "scheme:sfr-fr")
many(3, [95, 176], "{a}-{b}-{c}-{d}.dynamic.mts-nn.ru", D, "scheme:mts-nn")
many(3, [100, 71], "{a}-{b}-{c}-{d}.dyn.example-isp.net", D, "scheme:rblforge-genlog")
many(3, [100, 45], "dsl-{a}-{b}-{c}-{d}.adsl.example.com", D, "scheme:rblforge-genlog")
many(3, [100, 45], "host{d}.{c}.{b}.{a}.cable.example.net", D, "scheme:rblforge-genlog")
for _ in range(3):
    a, b, c, d = oct4([100, 45])
    add("ppp%03d-%03d.pool.example.org" % (c, d), "%d.%d.%d.%d" % (a, b, c, d), D, "scheme:rblforge-genlog")
many(3, [100, 45], "c-{a}-{b}-{c}-{d}.hsd1.example.net", D, "scheme:rblforge-genlog")
# Hard cases, labelled as what they are: no address, no access word.
for _ in range(3):
    a, b, c, d = oct4([118, 153, 180])
    add("p%d-ipngn%dfunabasi.chiba.ocn.ne.jp" % (R.randrange(1000000, 9999999), R.randrange(100, 999)),
        "%d.%d.%d.%d" % (a, b, c, d), D, "scheme:ocn-jp")
for name, ip in [("2001-db8-1234-5678-a1b2-c3d4-e5f6-789a.dyn.example.net", "2001:db8:1234:5678:a1b2:c3d4:e5f6:789a"),
                 ("dynamic-2a02-8108-1240-5c00-a1b2-33ff-fe44-5566.ipv6.example.de", "2a02:8108:1240:5c00:a1b2:33ff:fe44:5566")]:
    add(name, ip, D, "scheme:ipv6-generic")

# --- generic names that say static
S = "static-generic"
many(6, [78, 88, 136, 144], "static.{d}.{c}.{b}.{a}.clients.your-server.de", S, "scheme:hetzner")
many(4, [71, 96, 100], "static-{a}-{b}-{c}-{d}.{city}.fios.verizon.net", S, "scheme:verizon-static")
many(4, [24, 66, 97], "rrcs-{a}-{b}-{c}-{d}.nys.biz.rr.com", S, "scheme:spectrum-business")
many(4, [50, 173, 75], "{a}-{b}-{c}-{d}-static.hfc.comcastbusiness.net", S, "scheme:comcast-business")
many(3, [200, 201], "{a}.{b}.{c}.{d}.ded.telnor.net", S, "scheme:telnor")
many(3, [5, 94], "static-{a}-{b}-{c}-{d}.ipcom.comunitel.net", S, "scheme:comunitel")
many(3, [62, 83], "{a}-{b}-{c}-{d}.static.ip.telia.example", S, "scheme:generic-static")
many(3, [12, 65], "{a}-{b}-{c}-{d}.static.att.example.net", S, "scheme:generic-static")
many(3, [80, 212], "{d}.{c}.{b}.{a}.static.isp.example.co.uk", S, "scheme:generic-static")
for _ in range(3):
    a, b, c, d = oct4([78, 95])
    add("s%d.static.corbina.ru" % R.randrange(100000, 999999), "%d.%d.%d.%d" % (a, b, c, d), S,
        "scheme:corbina")
many(2, [213, 217], "{a}-{b}-{c}-{d}.fixed.kpn.example", S, "scheme:generic-static")

# --- real mail-server names (provider documentation, message headers), many with digits
N = "named"
for _ in range(14):
    c, d = R.choice([218, 221, 128, 208, 210, 214, 222, 160, 167, 216, 219]), R.randrange(1, 255)
    add("mail-%s%d-f%d.google.com" % (R.choice(["ej", "wr", "wm", "lf", "pf", "pl", "qk", "qt", "yb", "yw", "io", "il", "oi", "ot", "vs", "ua", "ed", "lj", "pj"]), R.randrange(1, 2), d),
        "209.85.%d.%d" % (c, d), N, "docs:google-workspace")
for _ in range(8):
    add("mail-%s%d%s%02don%d.outbound.protection.outlook.com" % (R.choice(["am6", "db8", "he1", "bn8", "dm6", "co1", "ve1", "vi1"]), R.randrange(0, 9), R.choice(["eur", "nam", "apc"]), R.randrange(1, 12), R.randrange(2040, 2130)),
        "40.107.%d.%d" % (R.randrange(0, 256), R.randrange(1, 255)), N, "docs:microsoft-365")
for _ in range(4):
    c, d = R.randrange(0, 256), R.randrange(1, 255)
    add("mail-oln040092%03d%03d.outbound.protection.outlook.com" % (c, d), "40.92.%d.%d" % (c, d), N,
        "docs:microsoft-outlook")
for _ in range(8):
    c, d = R.randrange(0, 16), R.randrange(1, 255)
    add("a%d-%d.smtp-out.%samazonses.com" % (c, d, R.choice(["", "us-west-2.", "eu-west-1."])),
        "54.240.%d.%d" % (c, d), N, "docs:amazon-ses")
for _ in range(6):
    c, d = R.randrange(128, 135), R.randrange(1, 255)
    add("mail%d-%d.%s%d.mcdlv.net" % (c, d, R.choice(["atl", "suw", "sea"]), R.randrange(11, 121)),
        "198.2.%d.%d" % (c, d), N, "docs:mailchimp")
for _ in range(4):
    c, d = R.randrange(128, 135), R.randrange(1, 255)
    add("mail%d-%d.atl%d.mandrillapp.com" % (c, d, R.randrange(11, 121)), "198.2.%d.%d" % (c, d), N,
        "docs:mandrill")
for _ in range(5):
    add("o%d.ptr%d.%s" % (R.randrange(1, 9), R.randrange(1000, 9999), R.choice(["example.com", "shop.example", "news.example.org"])),
        "167.89.%d.%d" % (R.randrange(0, 256), R.randrange(1, 255)), N, "docs:sendgrid-reverse-dns")
for _ in range(4):
    c, d = R.randrange(224, 230), R.randrange(1, 255)
    add("m%d-%d.mailgun.net" % (c, d), "159.135.%d.%d" % (c, d), N, "docs:mailgun")
for _ in range(5):
    add("sonic%d-%d.consmr.mail.%s.yahoo.com" % (R.randrange(300, 330), R.randrange(1, 60), R.choice(["ne1", "bf2", "gq1", "ir2"])),
        "66.163.%d.%d" % (R.randrange(184, 192), R.randrange(1, 255)), N, "headers:yahoo")
for _ in range(3):
    add("nm%d-vm%d.bullet.mail.%s.yahoo.com" % (R.randrange(1, 40), R.randrange(1, 9), R.choice(["ne1", "bf1", "ir2"])),
        "98.138.%d.%d" % (R.randrange(0, 256), R.randrange(1, 255)), N, "headers:yahoo")
for _ in range(3):
    add("%sp00im-%s%08d.me.com" % (R.choice(["mr85", "st43", "ms11"]), R.choice(["zteg", "ztfb", "qufo"]), R.randrange(10000000, 99999999)),
        "17.58.%d.%d" % (R.randrange(0, 256), R.randrange(1, 255)), N, "headers:icloud")
for _ in range(3):
    add("sender4-of-o%d.zoho.com" % R.randrange(10, 99), "136.143.188.%d" % R.randrange(1, 255), N, "headers:zoho")
for _ in range(3):
    add("mout-p-%d.mailbox.org" % R.randrange(100, 210), "80.241.56.%d" % R.randrange(1, 255), N, "headers:mailbox.org")
for _ in range(4):
    add("mx0%s-%08x.pphosted.com" % (R.choice("ab"), R.randrange(0x100000, 0x300000)),
        "148.163.%d.%d" % (R.randrange(128, 160), R.randrange(1, 255)), N, "docs:proofpoint")
for _ in range(4):
    add("%s-smtp-delivery-%d.mimecast.com" % (R.choice(["us", "eu", "de"]), R.randrange(1, 200)),
        "205.139.110.%d" % R.randrange(1, 255), N, "docs:mimecast")
for _ in range(3):
    add("outbound-ip%db.ess.barracuda.com" % R.randrange(1, 200), "209.222.82.%d" % R.randrange(1, 255), N,
        "docs:barracuda-ess")
for _ in range(3):
    add("ccm%d.constantcontact.com" % R.randrange(10, 99), "208.75.123.%d" % R.randrange(1, 255), N,
        "headers:constantcontact")
for _ in range(3):
    c, d = R.randrange(80, 96), R.randrange(1, 255)
    add("mta-%d-%d.sparkpostmail.com" % (c, d), "192.174.%d.%d" % (c, d), N, "docs:sparkpost")
for _ in range(3):
    add("mta%d-%d.mtasv.net" % (R.randrange(1, 30), R.randrange(1, 9)), "104.245.209.%d" % R.randrange(1, 255), N,
        "headers:postmark")
for _ in range(3):
    add("out-%d.smtp.github.com" % R.randrange(10, 30), "192.30.252.%d" % R.randrange(190, 215), N, "headers:github")
for _ in range(3):
    a, b, c, d = 66, 220, R.randrange(144, 160), R.randrange(1, 255)
    add("%d-%d-%d-%d.mail-mail.facebook.com" % (a, b, c, d), "%d.%d.%d.%d" % (a, b, c, d), N, "headers:facebook")
for name in ["mout.gmx.net", "mout.web.de", "mout.kundenserver.de", "mo4-p00-ob.smtp.rzone.de",
             "mo6-p01-ob.smtp.rzone.de", "smtp-out.freenet.de", "mail-out.m-online.net",
             "mx1.mailbox.org", "smtp1.ox.example", "wout1-smtp.messagingengine.com",
             "wout4-smtp.messagingengine.com", "out2-smtp.messagingengine.com",
             "mx-out.facebookmail.com", "maila-bn.linkedin.com", "smtp1.hushmail.com",
             "mail-40131.protonmail.ch", "mail-4322.protonmail.ch", "mail-41103.protonmail.ch",
             "smtp-relay.gmail.com", "outbound-mail.example.edu", "mx10.example.net",
             "smtp02.example.org", "mail3.example-university.edu", "mx-1.example.ac.uk",
             "mailout2.example.de", "relay01.example.com", "smtp-out-2.example.co.jp",
             "mta7.example-isp.net", "mxout4.example.org", "mailgw1.corp.example",
             "out3.mail.example.com", "bounce12.newsletter.example", "smtp21.example.fr",
             "mx2.example.com.br", "mail2.example.co.uk", "mx0.example.in", "smtp3.uni-example.de",
             "exim1.example.net", "postfix3.example.org", "mail-relay-01.example.com",
             "inbound-smtp.us-east-1.example.com", "mail1.home.example", "smtp.dsl-provider.example",
             "mx1.cable-isp.example", "mail.customer-portal.example", "smtp5.pool-services.example",
             "relay2.dyn-services.example", "mail.user-group.example", "mx.client-mail.example"]:
    add(name, "%d.%d.%d.%d" % oct4([5, 37, 62, 80, 81, 85, 91, 185, 193, 194, 195, 212, 213, 217]), N,
        "constructed:mta-naming" if "example" in name else "headers:provider")
for name in ["ns1.example-hosting.net", "web12.hosting.example", "srv2345.example-host.de",
             "server1.example.com", "vps-1a2b3c4d.vps.ovh.net", "vps-9e8f7a6b.vps.ovh.net",
             "h2890123.stratoserver.net", "h2912345.stratoserver.net", "v22019123456789.megasrv.de",
             "dedi4711.your-server.de",
             "cloud42.example-cloud.io", "node17.cluster.example", "app3.example.com",
             "astra4711.startdedicated.de", "vmi123456.contaboserver.net", "vmi654321.contaboserver.net",
             "li123-45.members.linode.com", "host2.example.org", "gw2.company.example"]:
    add(name, "%d.%d.%d.%d" % oct4([5, 46, 85, 87, 173, 178, 185, 212]), N, "constructed:server-naming")

print("hostname,ip,label,source")
for r in rows:
    print(",".join(r))
