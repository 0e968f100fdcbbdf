/* test_dns.c — Check suite for sim/proto/dns_*.c: RFC 1035 message bytes, the authoritative server, the iterative resolver and its cache, the stub. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "dns.h"
#include "dnsint.h"
#include "narrate.h"
#include "summary.h"
#include "trace.h"
#include "wire.h"
#include "suites.h"

/* ------------------------------------------------------------------------ */
/* Addresses and zone data shared by the tests                              */

#define IP(a, b, c, d) ((ip4_addr)((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d)))

#define CLIENT_IP   IP(192, 0, 2, 10)
#define CLIENT_PORT 49152
#define RESOLVER_IP IP(192, 0, 2, 1)
#define ROOT1_IP    IP(198, 51, 100, 1)
#define ROOT2_IP    IP(198, 51, 100, 2)
#define TLD_IP      IP(192, 0, 2, 53)
#define AUTH_IP     IP(203, 0, 113, 53)
#define NET_AUTH_IP IP(203, 0, 113, 54)
#define WWW_IP      IP(203, 0, 113, 80)
#define SEC         1000000LL

static const char *const ROOT_ZONE[] = {
    ". 86400 IN SOA a.root-servers.net. nstld.verisign-grs.com. 2024010100 1800 900 604800 86400",
    "com. 172800 IN NS a.gtld-servers.net.",
    "net. 172800 IN NS a.gtld-servers.net.",
    "a.gtld-servers.net. 172800 IN A 192.0.2.53",
    NULL
};

/* One server holds com and net, like the real gTLD servers. */
static const char *const TLD_ZONE[] = {
    "com. 900 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400",
    "net. 900 IN SOA a.gtld-servers.net. nstld.verisign-grs.com. 1 1800 900 604800 86400",
    "example.com. 172800 IN NS ns1.example.com.",
    "ns1.example.com. 172800 IN A 203.0.113.53",
    "glueless.com. 172800 IN NS ns.example.net.",   /* no glue: ns is in net */
    "inzone.com. 172800 IN NS ns.inzone.com.",      /* no glue, and needs it */
    "example.net. 172800 IN NS ns.example.net.",
    "ns.example.net. 172800 IN A 203.0.113.54",
    NULL
};

static const char *const EXAMPLE_ZONE[] = {
    "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
    "example.com. 3600 IN NS ns1.example.com.",
    "ns1.example.com. 3600 IN A 203.0.113.53",
    "www.example.com. 300 IN A 203.0.113.80",
    "web.example.com. 300 IN CNAME www.example.com.",
    "loopa.example.com. 300 IN CNAME loopb.example.com.",    /* a CNAME loop */
    "loopb.example.com. 300 IN CNAME loopa.example.com.",
    "a.b.example.com. 300 IN A 203.0.113.81",        /* b is an empty non-terminal */
    "sub.example.com. 3600 IN NS ns.sub.example.com.",
    "ns.sub.example.com. 3600 IN A 203.0.113.60",
    NULL
};

static const char *const NET_ZONE[] = {
    "example.net. 3600 IN SOA ns.example.net. hostmaster.example.net. 1 7200 3600 1209600 600",
    "ns.example.net. 3600 IN A 203.0.113.54",
    "glueless.com. 3600 IN SOA ns.example.net. hostmaster.example.net. 1 7200 3600 1209600 600",
    "www.glueless.com. 60 IN A 203.0.113.90",
    NULL
};

static void zone_load(struct dns_zone *z, const char *const *apex,
                      const char *const *text)
{
    dns_zone_init(z);
    for (; *apex; apex++)
        ck_assert_int_eq(dns_zone_add_apex(z, *apex), 0);
    for (; *text; text++) {
        struct dns_rr rr;
        char err[128];
        ck_assert_msg(dns_rr_parse(*text, &rr, err, sizeof err) == 0,
                      "%s: %s", *text, err);
        ck_assert_int_eq(dns_zone_add(z, &rr), 0);
    }
}

/* ------------------------------------------------------------------------ */
/* A tiny network: every message is encoded to bytes when sent and decoded  */
/* when delivered, so the walk exercises dns_encode/dns_decode too.          */

#define OUT_MAX 128
#define LOG_MAX 64

struct pkt {
    ip4_addr src, dst;
    uint16_t dport;
    size_t   len;
    uint8_t  b[DNS_UDP_MAX];
};

struct qlog { ip4_addr to; uint16_t id; uint8_t rd; char qname[DNS_NAME_BUF]; uint16_t qtype; };

static struct {
    struct trace tr;
    struct dns_resolver res;
    struct dns_stub stub;
    int   host_res, host_client;
    struct dns_zone root, tld, example, net;
    struct { ip4_addr addr; struct dns_zone *z; int down; } srv[8];
    int   nsrv;
    struct pkt out[OUT_MAX];
    int   nout;
    struct qlog q[LOG_MAX];        /* queries that reached (or were lost on the way to) servers */
    int   nq;
    struct dns_msg reply;          /* the last message delivered to the client */
    int   nreplies;
    int   last_reply_why;          /* the why of the resolver's last message to the stub */
    struct why last_query_why;     /* ... and of its last query to a server */
    int   ndone;                   /* stub done callbacks */
    struct dns_stub_result res_last;
    ip4_addr res_addr[DNS_MAX_RR];
    char  res_name[DNS_NAME_BUF];
    uint16_t next_id;
    int   dup_ignored;
} N;

static void enqueue(ip4_addr src, ip4_addr dst, uint16_t dport,
                    const struct dns_msg *m)
{
    ck_assert_int_lt(N.nout, OUT_MAX);
    struct pkt *p = &N.out[N.nout++];
    p->src = src;
    p->dst = dst;
    p->dport = dport;
    p->len = dns_encode(m, p->b, sizeof p->b);
    ck_assert_msg(p->len > 0, "dns_encode failed");
}

static void res_emit(void *ctx, ip4_addr dst, uint16_t dport,
                     const struct dns_msg *m, struct why why)
{
    (void)ctx;
    ck_assert_int_ne(why.id, N_NONE);
    if (dst == CLIENT_IP)
        N.last_reply_why = why.id;
    else
        N.last_query_why = why;
    enqueue(RESOLVER_IP, dst, dport, m);
}

static void stub_emit(void *ctx, ip4_addr dst, uint16_t dport,
                      const struct dns_msg *m, struct why why)
{
    (void)ctx;
    ck_assert_int_ne(why.id, N_NONE);
    enqueue(CLIENT_IP, dst, dport, m);
}

static uint16_t next_id(void *ctx)
{
    (void)ctx;
    return N.next_id++;
}

static void stub_done(void *ctx, struct dns_stub *s, int handle,
                      const struct dns_stub_result *r)
{
    (void)ctx;
    (void)s;
    (void)handle;
    N.ndone++;
    N.res_last = *r;
    memcpy(N.res_addr, r->addr, sizeof N.res_addr);
    snprintf(N.res_name, sizeof N.res_name, "%s", r->name);
    N.res_last.name = N.res_name;
    N.res_last.msg = NULL;
}

static struct dns_zone *server_at(ip4_addr a, int *down)
{
    for (int i = 0; i < N.nsrv; i++)
        if (N.srv[i].addr == a) {
            *down = N.srv[i].down;
            return N.srv[i].z;
        }
    return NULL;
}

static void add_server(ip4_addr a, struct dns_zone *z)
{
    N.srv[N.nsrv].addr = a;
    N.srv[N.nsrv].z = z;
    N.srv[N.nsrv].down = 0;
    N.nsrv++;
}

static void set_down(ip4_addr a, int down)
{
    for (int i = 0; i < N.nsrv; i++)
        if (N.srv[i].addr == a)
            N.srv[i].down = down;
}

/* Delivers everything queued (and whatever that causes) at time `now`. */
static void pump(int64_t now)
{
    static struct dns_msg m, r;
    while (N.nout > 0) {
        struct pkt p = N.out[0];
        memmove(N.out, N.out + 1, (size_t)(N.nout - 1) * sizeof N.out[0]);
        N.nout--;
        char err[128];
        ck_assert_msg(dns_decode(p.b, p.len, &m, err, sizeof err) == 0,
                      "decode: %s", err);
        if (p.dst == RESOLVER_IP) {
            if (!m.qr) {
                ck_assert_int_eq(p.dport, DNS_PORT);
                int rc = dns_resolver_query(&N.res, now, p.src, CLIENT_PORT, &m);
                ck_assert_int_ge(rc, 0);
                if (rc == DNS_QUERY_DUP)
                    N.dup_ignored++;
            } else {
                ck_assert_int_eq(dns_resolver_response(&N.res, now, p.src, &m), 0);
            }
        } else if (p.dst == CLIENT_IP) {
            ck_assert_int_eq(p.dport, CLIENT_PORT);
            N.reply = m;
            N.nreplies++;
            dns_stub_response(&N.stub, now, p.src, &m);
        } else {
            int down = 0;
            struct dns_zone *z = server_at(p.dst, &down);
            ck_assert_msg(z != NULL, "query to an unknown server");
            ck_assert_int_eq(p.dport, DNS_PORT);
            ck_assert_int_lt(N.nq, LOG_MAX);
            struct qlog *l = &N.q[N.nq++];
            l->to = p.dst;
            l->id = m.id;
            l->rd = m.rd;
            snprintf(l->qname, sizeof l->qname, "%s", m.qname);
            l->qtype = m.qtype;
            if (down)
                continue;
            dns_server_answer(z, &m, &r);
            enqueue(p.dst, p.src, DNS_PORT, &r);
        }
    }
}

/* Runs timers and deliveries until nothing is due before `until`. */
static void run_until(int64_t until)
{
    for (;;) {
        int64_t a = dns_resolver_deadline(&N.res), b = dns_stub_deadline(&N.stub);
        int64_t d = a < 0 ? b : b < 0 ? a : a < b ? a : b;
        if (d < 0 || d > until)
            return;
        dns_resolver_timer(&N.res, d);
        dns_stub_timer(&N.stub, d);
        pump(d);
    }
}

static void net_setup_cfg(const struct dns_resolver_config *cfg)
{
    static const char *const root_apex[] = { ".", NULL };
    static const char *const tld_apex[] = { "com", "net", NULL };
    static const char *const ex_apex[] = { "example.com", NULL };
    static const char *const net_apex[] = { "example.net", "glueless.com", NULL };
    memset(&N, 0, sizeof N);
    trace_init(&N.tr);
    N.host_client = trace_add_host(&N.tr, "client", CLIENT_IP);
    N.host_res = trace_add_host(&N.tr, "resolver", RESOLVER_IP);
    zone_load(&N.root, root_apex, ROOT_ZONE);
    zone_load(&N.tld, tld_apex, TLD_ZONE);
    zone_load(&N.example, ex_apex, EXAMPLE_ZONE);
    zone_load(&N.net, net_apex, NET_ZONE);
    add_server(ROOT1_IP, &N.root);
    add_server(ROOT2_IP, &N.root);
    add_server(TLD_IP, &N.tld);
    add_server(AUTH_IP, &N.example);
    add_server(NET_AUTH_IP, &N.net);
    N.next_id = 0x1000;
    struct dns_env env = { &N.tr, N.host_res, res_emit, next_id, NULL };
    dns_resolver_init(&N.res, cfg, &env);
    struct dns_stub_config sc;
    dns_stub_config_default(&sc);
    sc.server = RESOLVER_IP;
    struct dns_stub_env senv = { &N.tr, N.host_client, stub_emit, next_id,
                                 stub_done, NULL };
    dns_stub_init(&N.stub, &sc, &senv);
}

static void net_setup(void)
{
    struct dns_resolver_config cfg;
    dns_resolver_config_default(&cfg);
    cfg.roots[0] = ROOT1_IP;
    cfg.roots[1] = ROOT2_IP;
    cfg.nroots = 2;
    net_setup_cfg(&cfg);
}

static void net_teardown(void)
{
    dns_resolver_free(&N.res);
    dns_stub_free(&N.stub);
    dns_zone_free(&N.root);
    dns_zone_free(&N.tld);
    dns_zone_free(&N.example);
    dns_zone_free(&N.net);
    trace_free(&N.tr);
}

/* A stub query sent straight to the resolver (no stub object). */
static void client_ask(int64_t now, uint16_t id, const char *name, uint16_t type)
{
    static struct dns_msg q;
    dns_query_init(&q, id, name, type, 1);
    enqueue(CLIENT_IP, RESOLVER_IP, DNS_PORT, &q);
    pump(now);
}

/* The DNS state records of one trace id, as "FROM>TO" joined by spaces. */
static const char *states_of(const char *conn)
{
    static char buf[1024];
    uint32_t id = trace_intern(&N.tr, conn);
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N.tr.n; i++) {
        const struct trace_rec *r = &N.tr.recs[i];
        if (r->kind != TK_STATE || r->layer != TL_DNS || r->conn != id)
            continue;
        pos += (size_t)snprintf(buf + pos, sizeof buf - pos, "%s%s>%s",
                                pos ? " " : "",
                                trace_state_name(TL_DNS, r->u.state.from),
                                trace_state_name(TL_DNS, r->u.state.to));
        ck_assert_uint_lt(pos, sizeof buf);
    }
    return buf;
}

static int count_recs(int kind, int action_or_neg1, int why_id)
{
    int n = 0;
    for (size_t i = 0; i < N.tr.n; i++) {
        const struct trace_rec *r = &N.tr.recs[i];
        if (r->kind != kind || r->layer != TL_DNS)
            continue;
        if (action_or_neg1 >= 0 && r->u.timer.action != action_or_neg1)
            continue;
        if (why_id >= 0 && r->why.id != why_id)
            continue;
        n++;
    }
    return n;
}

/* Every narration of a DNS record renders to a sentence with no stray
 * placeholder. */
static void assert_narrations_render(void)
{
    char buf[512];
    for (size_t i = 0; i < N.tr.n; i++) {
        const struct trace_rec *r = &N.tr.recs[i];
        if (r->layer != TL_DNS)
            continue;
        trace_why(&N.tr, r, buf, sizeof buf);
        ck_assert_msg(buf[0] != '\0', "empty narration, id %d", r->why.id);
        ck_assert_msg(strchr(buf, '{') == NULL, "unrendered: %s", buf);
    }
}

/* ------------------------------------------------------------------------ */
/* Message bytes                                                            */

/* RFC 1035 4.1.1 header, 4.1.2 question: "www.example.com A IN", ID 0x1234,
 * RD=1 — laid out by hand. */
static const uint8_t QUERY_BYTES[] = {
    0x12, 0x34,                 /* ID */
    0x01, 0x00,                 /* QR=0 OPCODE=0 AA=0 TC=0 RD=1 | RA=0 Z=0 RCODE=0 */
    0x00, 0x01, 0x00, 0x00,     /* QDCOUNT=1 ANCOUNT=0 */
    0x00, 0x00, 0x00, 0x00,     /* NSCOUNT=0 ARCOUNT=0 */
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01,                 /* QTYPE=A */
    0x00, 0x01,                 /* QCLASS=IN */
};

/* The authoritative answer: QR=1 AA=1 RD=1, the answer's owner a pointer to
 * offset 12 (the question's name, RFC 1035 4.1.4), TTL 300, 203.0.113.80. */
static const uint8_t ANSWER_BYTES[] = {
    0x12, 0x34,
    0x85, 0x00,                 /* 1 0000 1 0 1 | 0 000 0000 */
    0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01,
    0xc0, 0x0c,                 /* NAME: pointer to offset 12 */
    0x00, 0x01, 0x00, 0x01,     /* TYPE=A CLASS=IN */
    0x00, 0x00, 0x01, 0x2c,     /* TTL=300 */
    0x00, 0x04,                 /* RDLENGTH=4 */
    203, 0, 113, 80,
};

/* The com server's referral for www.example.com: NS in authority, glue in
 * additional.  Offsets: question name at 12 ("www" 12, "example" 16,
 * "com" 24), authority record at 33, its RDATA at 45. */
static const uint8_t REFERRAL_BYTES[] = {
    0xab, 0xcd,
    0x80, 0x00,                 /* QR=1, nothing else */
    0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
    3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
    0x00, 0x01, 0x00, 0x01,
    /* 33: example.com NS ns1.example.com, TTL 172800 */
    0xc0, 0x10,                 /* pointer to "example.com" at 16 */
    0x00, 0x02, 0x00, 0x01,
    0x00, 0x02, 0xa3, 0x00,     /* 172800 */
    0x00, 0x06,                 /* RDLENGTH: 1+3 + a 2-octet pointer */
    3, 'n', 's', '1', 0xc0, 0x10,
    /* 51: ns1.example.com A 203.0.113.53 */
    0xc0, 0x2d,                 /* pointer to "ns1..." at 45 */
    0x00, 0x01, 0x00, 0x01,
    0x00, 0x02, 0xa3, 0x00,
    0x00, 0x04,
    203, 0, 113, 53,
};

static void build_referral(struct dns_msg *m)
{
    dns_query_init(m, 0xabcd, "www.example.com", DNS_TYPE_A, 0);
    m->qr = 1;
    dns_rr_ns(&m->ns[0], "example.com", 172800, "ns1.example.com");
    dns_rr_a(&m->ar[0], "ns1.example.com", 172800, IP(203, 0, 113, 53));
    m->nns = m->nar = 1;
}

/* A message with every field and section used. */
static void build_rich(struct dns_msg *m)
{
    dns_query_init(m, 0xbeef, "Web.Example.com", DNS_TYPE_A, 1);
    m->qr = 1;
    m->opcode = 0;
    m->aa = 1;
    m->ra = 1;
    m->rcode = DNS_RCODE_NOERROR;
    dns_rr_cname(&m->an[0], "Web.Example.com", 300, "www.example.com");
    dns_rr_a(&m->an[1], "www.example.com", 300, WWW_IP);
    m->nan = 2;
    dns_rr_ns(&m->ns[0], "example.com", 3600, "ns1.example.com");
    dns_rr_soa(&m->ns[1], "example.com", 3600, "ns1.example.com",
               "hostmaster.example.com", 2024010101, 7200, 3600, 1209600, 300);
    m->nns = 2;
    dns_rr_a(&m->ar[0], "ns1.example.com", 3600, AUTH_IP);
    memset(&m->ar[1], 0, sizeof m->ar[1]);        /* an AAAA: raw octets */
    strcpy(m->ar[1].name, "ns1.example.com");
    m->ar[1].type = DNS_TYPE_AAAA;
    m->ar[1].cls = DNS_CLASS_IN;
    m->ar[1].ttl = 3600;
    m->ar[1].rd.raw.len = 16;
    m->ar[1].rd.raw.b[0] = 0x20;
    m->ar[1].rd.raw.b[1] = 0x01;
    m->ar[1].rd.raw.b[2] = 0x0d;
    m->ar[1].rd.raw.b[3] = 0xb8;
    m->ar[1].rd.raw.b[15] = 0x53;
    m->nar = 2;
}

static struct dns_msg M1, M2;      /* big: kept off the stack */
static uint8_t BUF[1024], BUF2[1024];

START_TEST(test_roundtrip_field_by_field)
{
    build_rich(&M1);
    size_t n = dns_encode(&M1, BUF, sizeof BUF);
    ck_assert_uint_gt(n, 0);
    char err[128];
    ck_assert_msg(dns_decode(BUF, n, &M2, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(M2.id, 0xbeef);
    ck_assert_uint_eq(M2.qr, 1);
    ck_assert_uint_eq(M2.opcode, 0);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_uint_eq(M2.tc, 0);
    ck_assert_uint_eq(M2.rd, 1);
    ck_assert_uint_eq(M2.ra, 1);
    ck_assert_uint_eq(M2.z, 0);
    ck_assert_uint_eq(M2.rcode, 0);
    ck_assert_uint_eq(M2.qdcount, 1);
    ck_assert_str_eq(M2.qname, "Web.Example.com");      /* case kept */
    ck_assert_uint_eq(M2.qtype, DNS_TYPE_A);
    ck_assert_uint_eq(M2.qclass, DNS_CLASS_IN);
    ck_assert_int_eq(M2.nan, 2);
    ck_assert_int_eq(M2.nns, 2);
    ck_assert_int_eq(M2.nar, 2);
    ck_assert_str_eq(M2.an[0].name, "Web.Example.com");
    ck_assert_uint_eq(M2.an[0].type, DNS_TYPE_CNAME);
    ck_assert_uint_eq(M2.an[0].cls, DNS_CLASS_IN);
    ck_assert_uint_eq(M2.an[0].ttl, 300);
    ck_assert_str_eq(M2.an[0].rd.target, "www.example.com");
    ck_assert_str_eq(M2.an[1].name, "www.example.com");
    ck_assert_uint_eq(M2.an[1].type, DNS_TYPE_A);
    ck_assert_uint_eq(M2.an[1].rd.a, WWW_IP);
    ck_assert_str_eq(M2.ns[0].name, "example.com");
    ck_assert_uint_eq(M2.ns[0].type, DNS_TYPE_NS);
    ck_assert_uint_eq(M2.ns[0].ttl, 3600);
    ck_assert_str_eq(M2.ns[0].rd.target, "ns1.example.com");
    ck_assert_uint_eq(M2.ns[1].type, DNS_TYPE_SOA);
    ck_assert_str_eq(M2.ns[1].rd.soa.mname, "ns1.example.com");
    ck_assert_str_eq(M2.ns[1].rd.soa.rname, "hostmaster.example.com");
    ck_assert_uint_eq(M2.ns[1].rd.soa.serial, 2024010101u);
    ck_assert_uint_eq(M2.ns[1].rd.soa.refresh, 7200);
    ck_assert_uint_eq(M2.ns[1].rd.soa.retry, 3600);
    ck_assert_uint_eq(M2.ns[1].rd.soa.expire, 1209600);
    ck_assert_uint_eq(M2.ns[1].rd.soa.minimum, 300);
    ck_assert_str_eq(M2.ar[0].name, "ns1.example.com");
    ck_assert_uint_eq(M2.ar[0].rd.a, AUTH_IP);
    ck_assert_uint_eq(M2.ar[1].type, DNS_TYPE_AAAA);
    ck_assert_uint_eq(M2.ar[1].rd.raw.len, 16);
    ck_assert_mem_eq(M2.ar[1].rd.raw.b, M1.ar[1].rd.raw.b, 16);
    /* and the bytes are stable: encode(decode(b)) == b */
    size_t n2 = dns_encode(&M2, BUF2, sizeof BUF2);
    ck_assert_uint_eq(n2, n);
    ck_assert_mem_eq(BUF2, BUF, n);
}
END_TEST

/* A referral of n servers named "sNN" + pad + ".net", each with glue. */
static void build_big_referral(struct dns_msg *m, int n, int pad)
{
    dns_query_init(m, 0x1234, "www.example.com", DNS_TYPE_A, 0);
    m->qr = 1;
    for (int i = 0; i < n; i++) {
        char name[DNS_NAME_BUF];
        snprintf(name, sizeof name, "s%02d%.*s.net", i, pad,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        dns_rr_ns(&m->ns[i], "com", 172800, name);
        dns_rr_a(&m->ar[i], name, 172800, IP(198, 51, 100, (uint8_t)(1 + i)));
    }
    m->nns = m->nar = n;
}

/* RFC 1035 4.2.1: over UDP at most 512 octets.  A message that fits is
 * left alone; one whose additional section is too much loses glue from
 * the end, without TC (RFC 2181 9); one whose NS set alone is too much is
 * cut further and gets TC=1.  (A reply too big was sent whole up to 1024
 * bytes and not at all beyond.) */
START_TEST(test_fit_udp_512)
{
    int ar, rr;
    build_big_referral(&M1, 4, 10);
    ck_assert_uint_eq(dns_fit_udp(&M1, &ar, &rr), 0);
    ck_assert_int_eq(M1.nar, 4);

    build_big_referral(&M1, 16, 8);          /* NS fit, glue does not */
    size_t whole = dns_encode(&M1, BUF, sizeof BUF);
    ck_assert_uint_gt(whole, DNS_UDP_MAX);
    ck_assert_uint_eq(dns_fit_udp(&M1, &ar, &rr), whole);
    size_t n = dns_encode(&M1, BUF, DNS_UDP_MAX);
    ck_assert_uint_gt(n, 0);
    ck_assert_int_eq(M1.tc, 0);
    ck_assert_int_eq(rr, 0);
    ck_assert_int_gt(ar, 0);
    ck_assert_int_eq(M1.nar, 16 - ar);
    ck_assert_int_eq(M1.nns, 16);
    M1.nar++;                                 /* as many as fit: one more does not */
    ck_assert_uint_eq(dns_encode(&M1, BUF, DNS_UDP_MAX), 0);

    build_big_referral(&M1, 16, 58);          /* not even the NS set fits */
    ck_assert_uint_gt(dns_fit_udp(&M1, &ar, &rr), DNS_UDP_MAX);
    ck_assert_uint_gt(dns_encode(&M1, BUF, DNS_UDP_MAX), 0);
    ck_assert_int_eq(M1.tc, 1);
    ck_assert_int_eq(ar, 16);
    ck_assert_int_gt(rr, 0);
    ck_assert_int_eq(M1.nns, 16 - rr);
}
END_TEST

START_TEST(test_header_bits_each_alone)
{
    /* RFC 1035 4.1.1: each flag lands in its own bit */
    static const struct { int which; uint8_t b2, b3; } cases[] = {
        { 0, 0x80, 0x00 }, { 1, 0x04, 0x00 }, { 2, 0x02, 0x00 },
        { 3, 0x01, 0x00 }, { 4, 0x00, 0x80 }, { 5, 0x00, 0x05 },
        { 6, 0x10, 0x00 }, { 7, 0x00, 0x70 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&M1, 0, sizeof M1);
        switch (cases[i].which) {
        case 0: M1.qr = 1; break;
        case 1: M1.aa = 1; break;
        case 2: M1.tc = 1; break;
        case 3: M1.rd = 1; break;
        case 4: M1.ra = 1; break;
        case 5: M1.rcode = DNS_RCODE_REFUSED; break;
        case 6: M1.opcode = 2; break;
        case 7: M1.z = 7; break;
        }
        ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof BUF), 12);
        ck_assert_uint_eq(BUF[2], cases[i].b2);
        ck_assert_uint_eq(BUF[3], cases[i].b3);
        ck_assert_int_eq(dns_decode(BUF, 12, &M2, NULL, 0), 0);
        ck_assert_uint_eq(M2.qr, M1.qr);
        ck_assert_uint_eq(M2.aa, M1.aa);
        ck_assert_uint_eq(M2.tc, M1.tc);
        ck_assert_uint_eq(M2.rd, M1.rd);
        ck_assert_uint_eq(M2.ra, M1.ra);
        ck_assert_uint_eq(M2.rcode, M1.rcode);
        ck_assert_uint_eq(M2.opcode, M1.opcode);
        ck_assert_uint_eq(M2.z, M1.z);
    }
}
END_TEST

START_TEST(test_handbuilt_query_decodes)
{
    char err[128];
    ck_assert_msg(dns_decode(QUERY_BYTES, sizeof QUERY_BYTES, &M1, err,
                             sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(M1.id, 0x1234);
    ck_assert_uint_eq(M1.qr, 0);
    ck_assert_uint_eq(M1.opcode, 0);
    ck_assert_uint_eq(M1.aa, 0);
    ck_assert_uint_eq(M1.tc, 0);
    ck_assert_uint_eq(M1.rd, 1);
    ck_assert_uint_eq(M1.ra, 0);
    ck_assert_uint_eq(M1.rcode, 0);
    ck_assert_uint_eq(M1.qdcount, 1);
    ck_assert_str_eq(M1.qname, "www.example.com");
    ck_assert_uint_eq(M1.qtype, DNS_TYPE_A);
    ck_assert_uint_eq(M1.qclass, DNS_CLASS_IN);
    ck_assert_int_eq(M1.nan + M1.nns + M1.nar, 0);
    /* our encoder writes the same octets */
    dns_query_init(&M2, 0x1234, "www.example.com.", DNS_TYPE_A, 1);
    ck_assert_uint_eq(dns_encode(&M2, BUF, sizeof BUF), sizeof QUERY_BYTES);
    ck_assert_mem_eq(BUF, QUERY_BYTES, sizeof QUERY_BYTES);
}
END_TEST

/* The cost of emptying a message is that of what it holds: dns_decode and
 * dns_query_init zero the header, question and counts, and each record as
 * it is read; records past the counts are left as they were (a memset of
 * the whole ~38 KB struct per message was 14% of a run of many lookups). */
static int all_bytes(const void *p, size_t n, uint8_t v)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return 0;
    return 1;
}

START_TEST(test_emptying_a_message_costs_what_it_holds)
{
    char err[128];
    memset(&M1, 0xA5, sizeof M1);
    ck_assert_msg(dns_decode(QUERY_BYTES, sizeof QUERY_BYTES, &M1, err,
                             sizeof err) == 0, "%s", err);
    ck_assert_str_eq(M1.qname, "www.example.com");
    ck_assert_int_eq(M1.nan + M1.nns + M1.nar, 0);
    ck_assert(all_bytes(M1.an, sizeof M1.an + sizeof M1.ns + sizeof M1.ar, 0xA5));
    memset(&M1, 0xA5, sizeof M1);
    ck_assert_msg(dns_decode(ANSWER_BYTES, sizeof ANSWER_BYTES, &M1, err,
                             sizeof err) == 0, "%s", err);
    ck_assert_int_eq(M1.nan, 1);
    ck_assert_uint_eq(M1.an[0].rd.a, 0xcb007150u);
    /* the record read was zeroed before it was filled: no stale octets */
    ck_assert_uint_eq(M1.an[0].name[strlen(M1.an[0].name) + 1], 0);
    ck_assert(all_bytes(&M1.an[1], sizeof M1.an - sizeof M1.an[0], 0xA5));
    memset(&M2, 0xA5, sizeof M2);
    dns_query_init(&M2, 7, "www.example.com", DNS_TYPE_A, 1);
    ck_assert_int_eq(M2.nan + M2.nns + M2.nar + M2.aa + M2.tc + M2.rcode, 0);
    ck_assert(all_bytes(M2.an, sizeof M2.an, 0xA5));
    /* a copy carries what the counts cover, and encodes the same */
    memset(&M2, 0, sizeof M2);
    dns_msg_copy(&M2, &M1);
    ck_assert(all_bytes(&M2.an[1], sizeof M2.an - sizeof M2.an[0], 0));
    ck_assert_uint_eq(dns_encode(&M2, BUF, sizeof BUF), sizeof ANSWER_BYTES);
    ck_assert_mem_eq(BUF, ANSWER_BYTES, sizeof ANSWER_BYTES);
}
END_TEST

START_TEST(test_handbuilt_answer_decodes)
{
    char err[128];
    ck_assert_msg(dns_decode(ANSWER_BYTES, sizeof ANSWER_BYTES, &M1, err,
                             sizeof err) == 0, "%s", err);
    ck_assert_uint_eq(M1.id, 0x1234);
    ck_assert_uint_eq(M1.qr, 1);
    ck_assert_uint_eq(M1.aa, 1);
    ck_assert_uint_eq(M1.rd, 1);
    ck_assert_uint_eq(M1.ra, 0);
    ck_assert_uint_eq(M1.rcode, 0);
    ck_assert_str_eq(M1.qname, "www.example.com");
    ck_assert_int_eq(M1.nan, 1);
    ck_assert_int_eq(M1.nns, 0);
    ck_assert_int_eq(M1.nar, 0);
    ck_assert_str_eq(M1.an[0].name, "www.example.com");   /* via the pointer */
    ck_assert_uint_eq(M1.an[0].type, DNS_TYPE_A);
    ck_assert_uint_eq(M1.an[0].cls, DNS_CLASS_IN);
    ck_assert_uint_eq(M1.an[0].ttl, 300);
    ck_assert_uint_eq(M1.an[0].rd.a, WWW_IP);
    ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof BUF), sizeof ANSWER_BYTES);
    ck_assert_mem_eq(BUF, ANSWER_BYTES, sizeof ANSWER_BYTES);
}
END_TEST

START_TEST(test_compression_written_and_read)
{
    build_referral(&M1);
    size_t n = dns_encode(&M1, BUF, sizeof BUF);
    ck_assert_uint_eq(n, sizeof REFERRAL_BYTES);
    ck_assert_mem_eq(BUF, REFERRAL_BYTES, n);
    ck_assert_int_eq(dns_decode(REFERRAL_BYTES, n, &M2, NULL, 0), 0);
    ck_assert_str_eq(M2.ns[0].name, "example.com");
    ck_assert_str_eq(M2.ns[0].rd.target, "ns1.example.com");
    ck_assert_str_eq(M2.ar[0].name, "ns1.example.com");
    ck_assert_uint_eq(M2.ar[0].rd.a, AUTH_IP);
}
END_TEST

START_TEST(test_compression_keeps_case_as_given)
{
    /* Only an exact suffix is reused, so "Example.com" is written in full
     * and "com" alone points back at the question. */
    dns_query_init(&M1, 1, "www.example.com", DNS_TYPE_A, 0);
    M1.qr = 1;
    dns_rr_a(&M1.an[0], "WWW.Example.com", 5, WWW_IP);
    M1.nan = 1;
    size_t n = dns_encode(&M1, BUF, sizeof BUF);
    ck_assert_uint_eq(n, 33 + (1 + 3 + 1 + 7 + 2) + 10 + 4);
    ck_assert_uint_eq(BUF[33], 3);
    ck_assert_mem_eq(BUF + 34, "WWW", 3);
    ck_assert_uint_eq(BUF[37], 7);
    ck_assert_mem_eq(BUF + 38, "Example", 7);
    ck_assert_uint_eq(BUF[45], 0xc0);
    ck_assert_uint_eq(BUF[46], 24);                         /* "com" */
    ck_assert_int_eq(dns_decode(BUF, n, &M2, NULL, 0), 0);
    ck_assert_str_eq(M2.an[0].name, "WWW.Example.com");
    ck_assert(dns_name_eq(M2.an[0].name, M2.qname));        /* RFC 1035 2.3.3 */
}
END_TEST

START_TEST(test_root_name_and_soa_roundtrip)
{
    dns_query_init(&M1, 7, ".", DNS_TYPE_NS, 0);
    M1.qr = 1;
    M1.aa = 1;
    dns_rr_ns(&M1.an[0], ".", 518400, "a.root-servers.net");
    M1.nan = 1;
    size_t n = dns_encode(&M1, BUF, sizeof BUF);
    ck_assert_uint_eq(BUF[12], 0);                          /* the root: one zero octet */
    ck_assert_int_eq(dns_decode(BUF, n, &M2, NULL, 0), 0);
    ck_assert_str_eq(M2.qname, ".");
    ck_assert_str_eq(M2.an[0].name, ".");
    char t[128];
    ck_assert_str_eq(dns_rr_str(&M2.an[0], t, sizeof t),
                     ". 518400 IN NS a.root-servers.net.");
}
END_TEST

START_TEST(test_encode_rejects_bad_names_and_small_buffers)
{
    char l64[80];
    memset(l64, 'a', 64);
    strcpy(l64 + 64, ".com");
    dns_query_init(&M1, 1, l64, DNS_TYPE_A, 1);
    ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof BUF), 0);
    dns_query_init(&M1, 1, "a..com", DNS_TYPE_A, 1);
    ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof BUF), 0);
    dns_query_init(&M1, 1, "www example.com", DNS_TYPE_A, 1);
    ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof BUF), 0);
    dns_query_init(&M1, 1, "www.example.com", DNS_TYPE_A, 1);
    for (size_t cap = 0; cap < sizeof QUERY_BYTES; cap++)
        ck_assert_uint_eq(dns_encode(&M1, BUF, cap), 0);
    ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof QUERY_BYTES), sizeof QUERY_BYTES);
    M1.nan = DNS_MAX_RR + 1;
    ck_assert_uint_eq(dns_encode(&M1, BUF, sizeof BUF), 0);
}
END_TEST

/* ---- malformed input ------------------------------------------------- */

static int decode_fails(const uint8_t *b, size_t n, const char *want)
{
    char err[160] = "";
    if (dns_decode(b, n, &M2, err, sizeof err) == 0)
        return 0;
    ck_assert_msg(err[0] != '\0', "no reason given");
    if (want)
        ck_assert_msg(strstr(err, want) != NULL, "reason \"%s\" lacks \"%s\"",
                      err, want);
    return 1;
}

START_TEST(test_truncated_at_every_length)
{
    static const uint8_t *const vecs[] = { QUERY_BYTES, ANSWER_BYTES, REFERRAL_BYTES };
    static const size_t lens[] = { sizeof QUERY_BYTES, sizeof ANSWER_BYTES,
                                   sizeof REFERRAL_BYTES };
    for (int v = 0; v < 3; v++)
        for (size_t n = 0; n < lens[v]; n++) {
            /* a fresh heap copy of exactly n octets, so ASan sees any
             * read past the end */
            uint8_t *p = malloc(n ? n : 1);
            memcpy(p, vecs[v], n);
            ck_assert_msg(decode_fails(p, n, NULL), "vector %d cut at %zu decoded", v, n);
            free(p);
        }
    build_rich(&M1);
    size_t full = dns_encode(&M1, BUF, sizeof BUF);
    for (size_t n = 0; n < full; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, BUF, n);
        ck_assert_msg(decode_fails(p, n, NULL), "rich message cut at %zu decoded", n);
        free(p);
    }
    /* and one octet too many */
    BUF[full] = 0;
    ck_assert(decode_fails(BUF, full + 1, "after the last record"));
}
END_TEST

/* A header with one question whose name starts at 12, then name bytes. */
static size_t with_qname(uint8_t *b, const uint8_t *name, size_t nlen)
{
    static const uint8_t hdr[12] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
    memcpy(b, hdr, 12);
    memcpy(b + 12, name, nlen);
    b[12 + nlen] = 0;
    b[13 + nlen] = 1;
    b[14 + nlen] = 0;
    b[15 + nlen] = 1;
    return 16 + nlen;
}

START_TEST(test_pointer_loops_and_bad_pointers)
{
    uint8_t b[64];
    /* a pointer to itself */
    static const uint8_t self[] = { 0xc0, 12 };
    ck_assert(decode_fails(b, with_qname(b, self, 2), "backwards"));
    /* a label, then a pointer back to that label: "a.a.a..." forever */
    static const uint8_t back[] = { 1, 'a', 0xc0, 12 };
    ck_assert(decode_fails(b, with_qname(b, back, 4), "backwards"));
    /* a forward pointer (to the QTYPE octets) */
    static const uint8_t fwd[] = { 0xc0, 20 };
    ck_assert(decode_fails(b, with_qname(b, fwd, 2), "backwards"));
    /* a pointer far past the end */
    static const uint8_t far[] = { 0xff, 0xff };
    ck_assert(decode_fails(b, with_qname(b, far, 2), "backwards"));
    /* a pointer into the header */
    static const uint8_t hdr[] = { 0xc0, 4 };
    ck_assert(decode_fails(b, with_qname(b, hdr, 2), "header"));
    /* two names pointing at each other: the answer's owner points at the
     * question, whose name is a pointer to the answer */
    static const uint8_t mutual[] = {
        0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0,
        0xc0, 16, 0, 1, 0, 1,           /* question: pointer to 16 */
        1, 'x', 0xc0, 12,               /* (16 is inside: label x, then back to 12) */
    };
    ck_assert(decode_fails(mutual, sizeof mutual, NULL));
    /* a cut-off pointer */
    static const uint8_t cut[] = { 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0 };
    ck_assert(decode_fails(cut, sizeof cut, NULL));
}
END_TEST

START_TEST(test_label_longer_than_63)
{
    uint8_t b[128];
    uint8_t name[70];
    name[0] = 64;                        /* 0x40: label type 01, reserved */
    memset(name + 1, 'a', 64);
    name[65] = 0;
    ck_assert(decode_fails(b, with_qname(b, name, 66), "63"));
    name[0] = 0x80;                      /* label type 10, reserved */
    ck_assert(decode_fails(b, with_qname(b, name, 66), "reserved"));
    name[0] = 63;                        /* exactly 63 is fine */
    name[64] = 0;
    ck_assert_int_eq(dns_decode(b, with_qname(b, name, 65), &M2, NULL, 0), 0);
    ck_assert_uint_eq(strlen(M2.qname), 63);
}
END_TEST

/* A name of `labels` labels of `len` octets (+ a last one of `last`). */
static size_t long_name(uint8_t *out, int labels, int len, int last)
{
    size_t n = 0;
    for (int i = 0; i < labels; i++) {
        out[n++] = (uint8_t)len;
        memset(out + n, 'a' + i, (size_t)len);
        n += (size_t)len;
    }
    if (last) {
        out[n++] = (uint8_t)last;
        memset(out + n, 'z', (size_t)last);
        n += (size_t)last;
    }
    out[n++] = 0;
    return n;
}

START_TEST(test_name_longer_than_255)
{
    uint8_t b[400], name[300];
    /* 3 x 63 + a 61-octet label: 3*64 + 62 + 1 = 255 octets, the limit */
    size_t n = long_name(name, 3, 63, 61);
    ck_assert_uint_eq(n, 255);
    ck_assert_int_eq(dns_decode(b, with_qname(b, name, n), &M2, NULL, 0), 0);
    ck_assert_uint_eq(strlen(M2.qname), 253);
    char limit[DNS_NAME_BUF];
    memcpy(limit, M2.qname, sizeof limit);
    /* and it re-encodes to 255 octets of name */
    ck_assert_uint_eq(dns_encode(&M2, BUF, sizeof BUF), 12 + 255 + 4);
    /* one more octet is too long */
    n = long_name(name, 3, 63, 62);
    ck_assert_uint_eq(n, 256);
    ck_assert(decode_fails(b, with_qname(b, name, n), "255"));
    /* the text form checks the same limit */
    ck_assert_int_eq(dns_name_check(limit, NULL, 0), 0);
    char toolong[300];
    snprintf(toolong, sizeof toolong, "x.%s", limit);
    char err[128];
    ck_assert_int_eq(dns_name_check(toolong, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "255"));
    /* a compressed name that only becomes too long after the jump */
    uint8_t msg[600];
    static const uint8_t hdr[12] = { 0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0 };
    memcpy(msg, hdr, 12);
    size_t qn = long_name(msg + 12, 3, 63, 0);        /* 193 octets */
    size_t o = 12 + qn;
    msg[o++] = 0; msg[o++] = 1; msg[o++] = 0; msg[o++] = 1;
    msg[o++] = 63;                                    /* one more 63-octet label */
    memset(msg + o, 'y', 63);
    o += 63;
    msg[o++] = 0xc0;
    msg[o++] = 12;                                    /* + the 193 = 257 */
    static const uint8_t tail[] = { 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4 };
    memcpy(msg + o, tail, sizeof tail);
    o += sizeof tail;
    ck_assert(decode_fails(msg, o, "255"));
}
END_TEST

START_TEST(test_counts_larger_than_data)
{
    uint8_t b[sizeof ANSWER_BYTES + 4];
    memcpy(b, ANSWER_BYTES, sizeof ANSWER_BYTES);
    b[7] = 2;                                         /* ANCOUNT 2, one record */
    ck_assert(decode_fails(b, sizeof ANSWER_BYTES, NULL));
    b[7] = 1;
    b[9] = 1;                                         /* NSCOUNT 1, none there */
    ck_assert(decode_fails(b, sizeof ANSWER_BYTES, NULL));
    b[9] = 0;
    b[11] = 1;                                        /* ARCOUNT 1 */
    ck_assert(decode_fails(b, sizeof ANSWER_BYTES, NULL));
    b[11] = 0;
    b[6] = 0xff;                                      /* ANCOUNT 65281 */
    ck_assert(decode_fails(b, sizeof ANSWER_BYTES, "records in a section"));
    b[6] = 0;
    b[5] = 2;                                         /* QDCOUNT 2 */
    ck_assert(decode_fails(b, sizeof ANSWER_BYTES, "question"));
    b[5] = 0;                                         /* QDCOUNT 0: the name is junk */
    ck_assert(decode_fails(b, sizeof ANSWER_BYTES, NULL));
}
END_TEST

START_TEST(test_rdata_lengths_checked)
{
    uint8_t b[128];
    size_t n = sizeof ANSWER_BYTES;
    memcpy(b, ANSWER_BYTES, n);
    b[n - 5] = 5;                                     /* A with RDLENGTH 5 */
    b[n] = 0;
    ck_assert(decode_fails(b, n + 1, "not 4"));
    b[n - 5] = 3;                                     /* A with RDLENGTH 3 */
    ck_assert(decode_fails(b, n - 1, "not 4"));
    b[n - 5] = 200;                                   /* RDLENGTH past the end */
    ck_assert(decode_fails(b, n, "past the end"));
    /* NS whose RDLENGTH is one more than its name */
    memcpy(b, REFERRAL_BYTES, sizeof REFERRAL_BYTES);
    b[44] = 7;
    ck_assert(decode_fails(b, sizeof REFERRAL_BYTES, NULL));
    b[44] = 5;                                        /* ... or one less */
    ck_assert(decode_fails(b, sizeof REFERRAL_BYTES, NULL));
}
END_TEST

/* RFC 2181 11: a label may hold any octet.  A decoded name is written in
 * the presentation format of RFC 1035 5.1 and RFC 4343 2.1: "\." and
 * "\\\\" for a dot and a backslash inside a label, "\DDD" for an octet that
 * is not printable ASCII (space included); and it encodes back to the same
 * octets.  '"' ';' '(' ')' '@' '$', special in master files, are quoted
 * "\X" too.  A lesson's name may hold none of these: a backslash would
 * read as an escape, and the others would not read back as themselves. */
START_TEST(test_label_octets_shown_escaped)
{
    static const struct { uint8_t wire[16]; size_t n; const char *text; } c[] = {
        { { 3, 'a', '.', 'b', 0 }, 5, "a\\.b" },
        { { 2, 'a', 0, 0 }, 4, "a\\000" },
        { { 3, 'c', '\\', 'd', 1, 'e', 0 }, 7, "c\\\\d.e" },
        { { 4, ' ', 'x', 0x7f, 0xff, 0 }, 6, "\\032x\\127\\255" },
        { { 1, '.', 0 }, 3, "\\." },
        /* special in master files (RFC 1035 5.1): a quote, a comment, a
         * group, the origin, a control entry -- each quoted "\X" */
        { { 8, 'a', '"', ';', '(', ')', '@', '$', 'z', 0 }, 10,
          "a\\\"\\;\\(\\)\\@\\$z" },
        { { 3, ';', 'c', '$', 2, 'i', 'n', 0 }, 8, "\\;c\\$.in" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        uint8_t b[64], again[64];
        size_t n = with_qname(b, c[i].wire, c[i].n);
        char err[160] = "";
        ck_assert_msg(dns_decode(b, n, &M1, err, sizeof err) == 0, "%zu: %s", i, err);
        ck_assert_str_eq(M1.qname, c[i].text);
        ck_assert_uint_eq(dns_encode(&M1, again, sizeof again), n);
        ck_assert_mem_eq(again + 12, c[i].wire, c[i].n);
    }
    char err[160];
    ck_assert_int_eq(dns_name_check("c\\\\d.example", err, sizeof err), -1);
    ck_assert_msg(strstr(err, "backslash") != NULL, "%s", err);
    /* a lesson's name holds none of them: it would not read back as the
     * same name from a master file */
    static const char *const special[] = { "a\"b.example", "a;b.example",
        "a(b.example", "a)b.example", "@.example", "$ORIGIN.example" };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        ck_assert_int_eq(dns_name_check(special[i], err, sizeof err), -1);
        ck_assert_msg(strstr(err, "RFC 1035 5.1") != NULL, "%s: %s", special[i], err);
    }
    /* a name whose escapes would not fit the text form is refused, not cut */
    uint8_t big[300];
    size_t k = 0;
    for (int l = 0; l < 3; l++) {
        big[k++] = 63;
        for (int j = 0; j < 63; j++)
            big[k++] = 0x01;
    }
    uint8_t b[320];
    ck_assert(decode_fails(b, with_qname(b, big, k), "255 characters"));
}
END_TEST

/* xorshift32: a fixed sequence, so the fuzz test is repeatable */
static uint32_t rnd_state = 2463534242u;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 17;
    rnd_state ^= rnd_state << 5;
    return rnd_state;
}

START_TEST(test_decode_survives_mutations)
{
    uint8_t seeds[4][DNS_UDP_MAX];
    size_t slen[4];
    build_rich(&M1);
    slen[0] = dns_encode(&M1, seeds[0], sizeof seeds[0]);
    build_referral(&M1);
    slen[1] = dns_encode(&M1, seeds[1], sizeof seeds[1]);
    memcpy(seeds[2], ANSWER_BYTES, slen[2] = sizeof ANSWER_BYTES);
    memcpy(seeds[3], QUERY_BYTES, slen[3] = sizeof QUERY_BYTES);
    int ok = 0;
    for (int iter = 0; iter < 30000; iter++) {
        int s = (int)(rnd() % 4);
        size_t n = slen[s];
        uint8_t *p = malloc(DNS_UDP_MAX);
        memcpy(p, seeds[s], n);
        int k = 1 + (int)(rnd() % 4);
        for (int j = 0; j < k; j++) {
            uint32_t x = rnd();
            switch (x % 4) {
            case 0: p[rnd() % n] = (uint8_t)rnd(); break;          /* any octet */
            case 1: p[rnd() % n] = 0xc0; break;                    /* a pointer */
            case 2: n = rnd() % (n + 1); if (!n) n = 1; break;     /* truncate */
            case 3: if (n < DNS_UDP_MAX) p[n++] = (uint8_t)rnd(); break;
            }
        }
        uint8_t *exact = malloc(n);
        memcpy(exact, p, n);
        free(p);
        if (dns_decode(exact, n, &M1, NULL, 0) == 0) {
            /* anything accepted re-encodes and decodes to the same thing */
            ok++;
            size_t n2 = dns_encode(&M1, BUF, sizeof BUF);
            ck_assert_uint_gt(n2, 0);
            ck_assert_int_eq(dns_decode(BUF, n2, &M2, NULL, 0), 0);
            /* what each message holds: the header and question, and the
             * records its counts cover (the rest is not part of it) */
            ck_assert_mem_eq(&M1, &M2, offsetof(struct dns_msg, an));
            ck_assert_mem_eq(M1.an, M2.an, (size_t)M1.nan * sizeof M1.an[0]);
            ck_assert_mem_eq(M1.ns, M2.ns, (size_t)M1.nns * sizeof M1.ns[0]);
            ck_assert_mem_eq(M1.ar, M2.ar, (size_t)M1.nar * sizeof M1.ar[0]);
        }
        free(exact);
    }
    ck_assert_int_gt(ok, 0);
}
END_TEST

/* ---- text forms ----------------------------------------------------- */

START_TEST(test_rr_text_forms)
{
    struct dns_rr rr;
    char t[300], err[128];
    dns_rr_a(&rr, "www.example.com", 300, WWW_IP);
    ck_assert_str_eq(dns_rr_str(&rr, t, sizeof t),
                     "www.example.com. 300 IN A 203.0.113.80");
    dns_rr_ns(&rr, "com.", 172800, "a.gtld-servers.net.");
    ck_assert_str_eq(dns_rr_str(&rr, t, sizeof t),
                     "com. 172800 IN NS a.gtld-servers.net.");
    dns_rr_cname(&rr, "web.example.com", 60, "www.example.com");
    ck_assert_str_eq(dns_rr_str(&rr, t, sizeof t),
                     "web.example.com. 60 IN CNAME www.example.com.");
    dns_rr_soa(&rr, "example.com", 3600, "ns1.example.com",
               "hostmaster.example.com", 2024010101, 7200, 3600, 1209600, 300);
    ck_assert_str_eq(dns_rr_str(&rr, t, sizeof t),
                     "example.com. 3600 IN SOA ns1.example.com. "
                     "hostmaster.example.com. 2024010101 7200 3600 1209600 300");
    memset(&rr, 0, sizeof rr);
    strcpy(rr.name, "x.example");
    rr.type = 99;
    rr.cls = 3;
    rr.rd.raw.len = 2;
    rr.rd.raw.b[0] = 0xab;
    rr.rd.raw.b[1] = 0x01;
    ck_assert_str_eq(dns_rr_str(&rr, t, sizeof t),
                     "x.example. 0 CH TYPE99 \\# 2 ab01");   /* RFC 3597 */
    /* a short buffer is cut, never overrun */
    dns_rr_a(&rr, "www.example.com", 300, WWW_IP);
    ck_assert_str_eq(dns_rr_str(&rr, t, 8), "www.exa");
    /* parse is the inverse */
    static const char *const texts[] = {
        "www.example.com. 300 IN A 203.0.113.80",
        "com. 172800 IN NS a.gtld-servers.net.",
        "web.example.com. 60 IN CNAME www.example.com.",
        "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 2 3 4 5",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ck_assert_msg(dns_rr_parse(texts[i], &rr, err, sizeof err) == 0, "%s", err);
        ck_assert_str_eq(dns_rr_str(&rr, t, sizeof t), texts[i]);
    }
    ck_assert_int_eq(dns_rr_parse("www.example.com 300 A 203.0.113.80", &rr, err, sizeof err), 0);
    ck_assert_str_eq(rr.name, "www.example.com");
    ck_assert_int_eq(dns_rr_parse("www.example.com 300 IN A 999.1.1.1", &rr, err, sizeof err), -1);
    ck_assert_int_eq(dns_rr_parse("www.example.com soon IN A 1.2.3.4", &rr, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "TTL"));
    ck_assert_int_eq(dns_rr_parse("www..com 1 IN A 1.2.3.4", &rr, err, sizeof err), -1);
    ck_assert_int_eq(dns_rr_parse("www.com 1 IN MX 10 mail.com", &rr, err, sizeof err), -1);
    ck_assert_int_eq(dns_rr_parse("x.com 1 IN SOA a. b. 1 2 3 4", &rr, err, sizeof err), -1);
}
END_TEST

START_TEST(test_summaries)
{
    char t[200];
    dns_query_init(&M1, 1, "www.example.com", DNS_TYPE_A, 1);
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t), "A? www.example.com");
    ck_assert_int_eq(dns_decode(ANSWER_BYTES, sizeof ANSWER_BYTES, &M1, NULL, 0), 0);
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t), "A www.example.com = 203.0.113.80");
    build_referral(&M1);
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t),
                     "referral example.com NS ns1.example.com + glue 203.0.113.53");
    dns_rr_ns(&M1.ns[1], "example.com", 172800, "ns2.example.com");
    dns_rr_a(&M1.ar[1], "ns2.example.com", 172800, IP(203, 0, 113, 55));
    M1.nns = M1.nar = 2;
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t),
                     "referral example.com NS ns1.example.com, ns2.example.com"
                     " + glue 203.0.113.53, 203.0.113.55");
    M1.nar = 0;
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t),
                     "referral example.com NS ns1.example.com, ns2.example.com");
    dns_query_init(&M1, 1, "www.nope.example", DNS_TYPE_A, 1);
    M1.qr = 1;
    M1.rcode = DNS_RCODE_NXDOMAIN;
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t), "NXDOMAIN www.nope.example");
    M1.rcode = DNS_RCODE_SERVFAIL;
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t), "SERVFAIL www.nope.example");
    build_rich(&M1);
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t),
                     "A Web.Example.com = CNAME www.example.com, 203.0.113.80");
    dns_query_init(&M1, 1, "www.example.com", DNS_TYPE_AAAA, 1);
    M1.qr = 1;
    M1.aa = 1;
    dns_rr_soa(&M1.ns[0], "example.com", 300, "a", "b", 1, 2, 3, 4, 5);
    M1.nns = 1;
    ck_assert_str_eq(dns_summary(&M1, t, sizeof t), "NODATA AAAA www.example.com");
}
END_TEST

START_TEST(test_name_helpers_and_tables)
{
    ck_assert(dns_name_eq("WWW.Example.COM", "www.example.com."));
    ck_assert(!dns_name_eq("www.example.com", "ww.example.com"));
    ck_assert(dns_name_eq(".", ""));
    ck_assert(dns_name_in("www.example.com", "example.com"));
    ck_assert(dns_name_in("www.example.com", "COM."));
    ck_assert(dns_name_in("www.example.com", "."));
    ck_assert(dns_name_in("example.com", "example.com"));
    ck_assert(!dns_name_in("badexample.com", "example.com"));
    ck_assert(!dns_name_in("com", "example.com"));
    ck_assert_int_eq(dns_name_labels("."), 0);
    ck_assert_int_eq(dns_name_labels("com."), 1);
    ck_assert_int_eq(dns_name_labels("www.example.com"), 3);
    ck_assert_int_eq(dns_name_check("www.example.com.", NULL, 0), 0);
    ck_assert_int_eq(dns_name_check(".", NULL, 0), 0);
    ck_assert_int_eq(dns_name_check("a..b", NULL, 0), -1);
    ck_assert_int_eq(dns_name_check(".com", NULL, 0), -1);
    char t[16];
    ck_assert_str_eq(dns_type_name(DNS_TYPE_SOA, t, sizeof t), "SOA");
    ck_assert_str_eq(dns_type_name(65280, t, sizeof t), "TYPE65280");
    ck_assert_int_eq(dns_type_parse("cname"), DNS_TYPE_CNAME);
    ck_assert_int_eq(dns_type_parse("TYPE99"), 99);
    ck_assert_int_eq(dns_type_parse("BOGUS"), -1);
    ck_assert_str_eq(dns_rcode_name(DNS_RCODE_NXDOMAIN, t, sizeof t), "NXDOMAIN");
    ck_assert_str_eq(dns_rcode_name(9, t, sizeof t), "RCODE9");
    ck_assert_str_eq(dns_state_name(DNS_ASKING_TLD), "ASKING_TLD");
    ck_assert_int_eq(dns_state_parse("ASKING-ROOT"), DNS_ASKING_ROOT);
    ck_assert_int_eq(dns_state_parse("CACHED"), DNS_CACHED);
    ck_assert_int_eq(dns_state_parse("nope"), -1);
    ck_assert_str_eq(trace_state_name(TL_DNS, DNS_EXPIRED), "EXPIRED");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Authoritative server                                                     */

static struct dns_zone ZR, ZT, ZE;

static void zones_setup(void)
{
    static const char *const root_apex[] = { ".", NULL };
    static const char *const tld_apex[] = { "com", "net", NULL };
    static const char *const ex_apex[] = { "example.com", NULL };
    zone_load(&ZR, root_apex, ROOT_ZONE);
    zone_load(&ZT, tld_apex, TLD_ZONE);
    zone_load(&ZE, ex_apex, EXAMPLE_ZONE);
}

static void zones_teardown(void)
{
    dns_zone_free(&ZR);
    dns_zone_free(&ZT);
    dns_zone_free(&ZE);
}

static int ask(const struct dns_zone *z, const char *name, uint16_t type)
{
    dns_query_init(&M1, 0x4242, name, type, 0);
    int o = dns_server_answer(z, &M1, &M2);
    /* RFC 1035 4.1.1: ID and question copied, QR set, RA clear */
    ck_assert_uint_eq(M2.id, 0x4242);
    ck_assert_uint_eq(M2.qr, 1);
    ck_assert_uint_eq(M2.ra, 0);
    ck_assert_uint_eq(M2.rd, 0);
    ck_assert_uint_eq(M2.qdcount, 1);
    ck_assert(dns_name_eq(M2.qname, name));
    ck_assert_uint_eq(M2.qtype, type);
    /* every response survives the wire */
    size_t n = dns_encode(&M2, BUF, DNS_UDP_MAX);
    ck_assert_uint_gt(n, 0);
    static struct dns_msg back;
    ck_assert_int_eq(dns_decode(BUF, n, &back, NULL, 0), 0);
    ck_assert_int_eq(back.nan, M2.nan);
    ck_assert_int_eq(back.nns, M2.nns);
    ck_assert_int_eq(back.nar, M2.nar);
    return o;
}

START_TEST(test_server_answer)
{
    ck_assert_int_eq(ask(&ZE, "WWW.example.com", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NOERROR);
    ck_assert_int_eq(M2.nan, 1);
    ck_assert_int_eq(M2.nns, 0);
    ck_assert_int_eq(M2.nar, 0);
    ck_assert_str_eq(M2.an[0].name, "www.example.com");   /* as held */
    ck_assert_uint_eq(M2.an[0].type, DNS_TYPE_A);
    ck_assert_uint_eq(M2.an[0].cls, DNS_CLASS_IN);
    ck_assert_uint_eq(M2.an[0].ttl, 300);
    ck_assert_uint_eq(M2.an[0].rd.a, WWW_IP);
    ck_assert_str_eq(M2.qname, "WWW.example.com");        /* question as asked */
    /* the zone's own NS at the apex is data, not a delegation */
    ck_assert_int_eq(ask(&ZE, "example.com", DNS_TYPE_NS), DNS_SRV_ANSWER);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_str_eq(M2.an[0].rd.target, "ns1.example.com");
}
END_TEST

START_TEST(test_server_cname_followed_inside_zone)
{
    ck_assert_int_eq(ask(&ZE, "web.example.com", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_int_eq(M2.nan, 2);
    ck_assert_uint_eq(M2.an[0].type, DNS_TYPE_CNAME);
    ck_assert_str_eq(M2.an[0].name, "web.example.com");
    ck_assert_str_eq(M2.an[0].rd.target, "www.example.com");
    ck_assert_uint_eq(M2.an[1].type, DNS_TYPE_A);
    ck_assert_str_eq(M2.an[1].name, "www.example.com");
    ck_assert_uint_eq(M2.an[1].rd.a, WWW_IP);
    /* asking for the CNAME itself gives just the CNAME */
    ck_assert_int_eq(ask(&ZE, "web.example.com", DNS_TYPE_CNAME), DNS_SRV_ANSWER);
    ck_assert_int_eq(M2.nan, 1);
}
END_TEST

/* A loop of CNAMEs (a -> b -> a): each link once in the answer, then the
 * server stops (RFC 1034 3.6.2, RFC 2181 5: no duplicate RRs). */
START_TEST(test_server_cname_loop_answered_once_each)
{
    static const char *const apex[] = { "loop.test", NULL };
    struct dns_zone z;
    zone_load(&z, apex, (const char *const[]){
        "loop.test. 300 IN SOA ns.loop.test. h.loop.test. 1 7200 900 1209600 300",
        "a.loop.test. 300 IN CNAME b.loop.test.",
        "b.loop.test. 300 IN CNAME a.loop.test.",
        NULL });
    ck_assert_int_eq(ask(&z, "a.loop.test", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_int_eq(M2.nan, 2);
    ck_assert_str_eq(M2.an[0].name, "a.loop.test");
    ck_assert_str_eq(M2.an[1].name, "b.loop.test");
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NOERROR);
    dns_zone_free(&z);
}
END_TEST

START_TEST(test_server_referral_with_glue)
{
    /* the root: www.example.com is below com, delegated */
    ck_assert_int_eq(ask(&ZR, "www.example.com", DNS_TYPE_A), DNS_SRV_REFERRAL);
    ck_assert_uint_eq(M2.aa, 0);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NOERROR);
    ck_assert_int_eq(M2.nan, 0);
    ck_assert_int_eq(M2.nns, 1);
    ck_assert_str_eq(M2.ns[0].name, "com");
    ck_assert_uint_eq(M2.ns[0].type, DNS_TYPE_NS);
    ck_assert_uint_eq(M2.ns[0].ttl, 172800);
    ck_assert_str_eq(M2.ns[0].rd.target, "a.gtld-servers.net");
    ck_assert_int_eq(M2.nar, 1);
    ck_assert_str_eq(M2.ar[0].name, "a.gtld-servers.net");
    ck_assert_uint_eq(M2.ar[0].type, DNS_TYPE_A);
    ck_assert_uint_eq(M2.ar[0].rd.a, TLD_IP);
    /* the TLD: example.com is delegated to ns1.example.com, glue included */
    ck_assert_int_eq(ask(&ZT, "www.example.com", DNS_TYPE_A), DNS_SRV_REFERRAL);
    ck_assert_uint_eq(M2.aa, 0);
    ck_assert_int_eq(M2.nns, 1);
    ck_assert_str_eq(M2.ns[0].name, "example.com");
    ck_assert_str_eq(M2.ns[0].rd.target, "ns1.example.com");
    ck_assert_int_eq(M2.nar, 1);
    ck_assert_str_eq(M2.ar[0].name, "ns1.example.com");
    ck_assert_uint_eq(M2.ar[0].rd.a, AUTH_IP);
    /* the delegated name itself is a referral too */
    ck_assert_int_eq(ask(&ZT, "example.com", DNS_TYPE_NS), DNS_SRV_REFERRAL);
    /* a delegation with no glue held: NS only */
    ck_assert_int_eq(ask(&ZT, "www.glueless.com", DNS_TYPE_A), DNS_SRV_REFERRAL);
    ck_assert_int_eq(M2.nns, 1);
    ck_assert_str_eq(M2.ns[0].rd.target, "ns.example.net");
    ck_assert_int_eq(M2.nar, 1);       /* ...but this server holds ns.example.net */
    ck_assert_uint_eq(M2.ar[0].rd.a, NET_AUTH_IP);
    ck_assert_int_eq(ask(&ZT, "www.inzone.com", DNS_TYPE_A), DNS_SRV_REFERRAL);
    ck_assert_int_eq(M2.nar, 0);
    /* a delegation inside an authoritative zone */
    ck_assert_int_eq(ask(&ZE, "host.sub.example.com", DNS_TYPE_A), DNS_SRV_REFERRAL);
    ck_assert_uint_eq(M2.aa, 0);
    ck_assert_str_eq(M2.ns[0].name, "sub.example.com");
    ck_assert_uint_eq(M2.ar[0].rd.a, IP(203, 0, 113, 60));
}
END_TEST

START_TEST(test_server_nxdomain_with_soa)
{
    ck_assert_int_eq(ask(&ZE, "nope.example.com", DNS_TYPE_A), DNS_SRV_NXDOMAIN);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_int_eq(M2.nan, 0);
    ck_assert_int_eq(M2.nns, 1);
    ck_assert_int_eq(M2.nar, 0);
    ck_assert_str_eq(M2.ns[0].name, "example.com");
    ck_assert_uint_eq(M2.ns[0].type, DNS_TYPE_SOA);
    ck_assert_uint_eq(M2.ns[0].ttl, 300);             /* RFC 2308 3: min(3600, 300) */
    ck_assert_str_eq(M2.ns[0].rd.soa.mname, "ns1.example.com");
    ck_assert_uint_eq(M2.ns[0].rd.soa.minimum, 300);
    /* the root says so for a TLD that does not exist */
    ck_assert_int_eq(ask(&ZR, "www.nope.example", DNS_TYPE_A), DNS_SRV_NXDOMAIN);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_str_eq(M2.ns[0].name, ".");
    ck_assert_uint_eq(M2.ns[0].ttl, 86400);
}
END_TEST

START_TEST(test_server_nodata)
{
    ck_assert_int_eq(ask(&ZE, "www.example.com", DNS_TYPE_AAAA), DNS_SRV_NODATA);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NOERROR);
    ck_assert_int_eq(M2.nan, 0);
    ck_assert_int_eq(M2.nns, 1);
    ck_assert_uint_eq(M2.ns[0].type, DNS_TYPE_SOA);
    ck_assert_str_eq(M2.ns[0].name, "example.com");
    ck_assert_uint_eq(M2.ns[0].ttl, 300);
    /* an empty non-terminal exists: NODATA, not NXDOMAIN */
    ck_assert_int_eq(ask(&ZE, "b.example.com", DNS_TYPE_A), DNS_SRV_NODATA);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NOERROR);
    ck_assert_int_eq(M2.nan, 0);
}
END_TEST

/* The server finds a zone's names without regard to case or a trailing
 * dot (RFC 1035 2.3.3), in a zone of thousands of names: the records of
 * one owner in the order they were added, a name above owners as an
 * empty non-terminal (NODATA), glue by the NS target's name, and the
 * SOA by the apex. */
START_TEST(test_server_finds_names_in_a_large_zone)
{
    enum { NAMES = 5000 };
    static struct dns_zone z;
    static const char *const apex[] = { "Example.COM.", NULL };
    static const char *const head[] = {
        "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300",
        "sub.example.com. 3600 IN NS NS.Sub.Example.Com.",
        "ns.sub.example.com. 3600 IN A 203.0.113.60",
        NULL
    };
    zone_load(&z, apex, head);
    struct dns_rr rr;
    char name[64];
    for (int i = 0; i < NAMES; i++) {
        snprintf(name, sizeof name, "h%d.Lab.Example.Com", i);
        dns_rr_a(&rr, name, 300, IP(10, 0, (i >> 8) & 255, i & 255));
        ck_assert_int_eq(dns_zone_add(&z, &rr), 0);
        if (i % 1000 == 7) {        /* a second address, after others */
            dns_rr_a(&rr, name, 300, IP(10, 9, (i >> 8) & 255, i & 255));
            ck_assert_int_eq(dns_zone_add(&z, &rr), 0);
        }
    }
    ck_assert_int_eq(ask(&z, "H4321.lab.EXAMPLE.com.", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_int_eq(M2.nan, 1);
    ck_assert_uint_eq(M2.an[0].rd.a, IP(10, 0, 4321 >> 8, 4321 & 255));
    ck_assert_int_eq(ask(&z, "h3007.lab.example.com", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_int_eq(M2.nan, 2);
    ck_assert_uint_eq(M2.an[0].rd.a, IP(10, 0, 3007 >> 8, 3007 & 255));
    ck_assert_uint_eq(M2.an[1].rd.a, IP(10, 9, 3007 >> 8, 3007 & 255));
    /* lab owns nothing; names below it exist */
    ck_assert_int_eq(ask(&z, "LAB.example.com", DNS_TYPE_A), DNS_SRV_NODATA);
    ck_assert_str_eq(M2.ns[0].name, "example.com");
    ck_assert_int_eq(ask(&z, "h5000.lab.example.com", DNS_TYPE_A), DNS_SRV_NXDOMAIN);
    ck_assert_int_eq(ask(&z, "x.h12.lab.example.com", DNS_TYPE_A), DNS_SRV_NXDOMAIN);
    ck_assert_int_eq(ask(&z, "www.SUB.example.com", DNS_TYPE_A), DNS_SRV_REFERRAL);
    ck_assert_int_eq(M2.nar, 1);
    ck_assert_uint_eq(M2.ar[0].rd.a, IP(203, 0, 113, 60));
    dns_zone_free(&z);
}
END_TEST

/* One server holding thousands of zones answers from the closest one: an
 * apex is found by the query name and the names above it, case and a
 * trailing dot aside (RFC 1035 2.3.3); a zone inside another zone it
 * holds answers for its own names (RFC 1034 4.3.2 step 2: the nearest
 * ancestor zone), where the outer zone has only the delegation; an apex
 * added twice is one zone. */
START_TEST(test_server_answers_from_the_closest_of_many_zones)
{
    enum { ZONES = 3000 };
    static struct dns_zone z;
    static const char *const none[] = { NULL };
    zone_load(&z, none, none);
    struct dns_rr rr;
    char name[64], text[320];
    for (int i = 0; i < ZONES; i++) {
        snprintf(name, sizeof name, "d%d.com", i);
        ck_assert_int_eq(dns_zone_add_apex(&z, name), 0);
        snprintf(text, sizeof text, "%s. 3600 IN SOA ns.%s. hm.%s. 1 7200 3600 1209600 %d",
                 name, name, name, 100 + i);
        char err[128];
        ck_assert_msg(dns_rr_parse(text, &rr, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(dns_zone_add(&z, &rr), 0);
        snprintf(name, sizeof name, "www.d%d.com", i);
        dns_rr_a(&rr, name, 300, IP(10, 1, (i >> 8) & 255, i & 255));
        ck_assert_int_eq(dns_zone_add(&z, &rr), 0);
    }
    ck_assert_int_eq(dns_zone_add_apex(&z, "D5.COM."), 0);
    ck_assert_int_eq(z.napex, ZONES);
    /* sub.d7.com: delegated by d7.com, and held here too */
    const char *const sub[] = {
        "sub.d7.com. 3600 IN NS ns.sub.d7.com.",
        "ns.sub.d7.com. 3600 IN A 203.0.113.77",
        "sub.d7.com. 3600 IN SOA ns.sub.d7.com. hm.sub.d7.com. 1 7200 3600 1209600 42",
        "www.sub.d7.com. 300 IN A 203.0.113.78",
    };
    ck_assert_int_eq(dns_zone_add_apex(&z, "sub.d7.com"), 0);
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
        char err[128];
        ck_assert_msg(dns_rr_parse(sub[i], &rr, err, sizeof err) == 0, "%s", err);
        ck_assert_int_eq(dns_zone_add(&z, &rr), 0);
    }
    ck_assert_int_eq(ask(&z, "WWW.d2345.Com.", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_uint_eq(M2.aa, 1);
    ck_assert_uint_eq(M2.an[0].rd.a, IP(10, 1, 2345 >> 8, 2345 & 255));
    ck_assert_int_eq(ask(&z, "nope.d99.com", DNS_TYPE_A), DNS_SRV_NXDOMAIN);
    ck_assert_str_eq(M2.ns[0].name, "d99.com");
    ck_assert_int_eq(ask(&z, "www.sub.d7.com", DNS_TYPE_A), DNS_SRV_ANSWER);
    ck_assert_uint_eq(M2.an[0].rd.a, IP(203, 0, 113, 78));
    ck_assert_int_eq(ask(&z, "nope.sub.d7.com", DNS_TYPE_A), DNS_SRV_NXDOMAIN);
    ck_assert_str_eq(M2.ns[0].name, "sub.d7.com");
    ck_assert_int_eq(ask(&z, "www.d3000.com", DNS_TYPE_A), DNS_SRV_REFUSED);
    ck_assert_int_eq(ask(&z, "com", DNS_TYPE_NS), DNS_SRV_REFUSED);
    dns_zone_free(&z);
}
END_TEST

START_TEST(test_server_refused_outside_apex)
{
    ck_assert_int_eq(ask(&ZE, "www.example.org", DNS_TYPE_A), DNS_SRV_REFUSED);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_REFUSED);
    ck_assert_uint_eq(M2.aa, 0);
    ck_assert_int_eq(M2.nan + M2.nns + M2.nar, 0);
    ck_assert_int_eq(ask(&ZE, "com", DNS_TYPE_NS), DNS_SRV_REFUSED);
    ck_assert_int_eq(ask(&ZT, "example.org", DNS_TYPE_A), DNS_SRV_REFUSED);
}
END_TEST

START_TEST(test_server_formerr_notimp_and_why)
{
    struct trace tr;
    char t[256];
    trace_init(&tr);
    dns_query_init(&M1, 9, "www.example.com", DNS_TYPE_A, 0);
    M1.opcode = 2;                                     /* STATUS */
    ck_assert_int_eq(dns_server_answer(&ZE, &M1, &M2), DNS_SRV_NOTIMP);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_NOTIMP);
    M1.opcode = 0;
    M1.qdcount = 0;
    ck_assert_int_eq(dns_server_answer(&ZE, &M1, &M2), DNS_SRV_FORMERR);
    ck_assert_uint_eq(M2.rcode, DNS_RCODE_FORMERR);
    /* narration for each outcome renders */
    dns_query_init(&M1, 9, "www.example.com", DNS_TYPE_A, 0);
    int o = dns_server_answer(&ZT, &M1, &M2);
    struct why w = dns_server_why(&tr, &M1, &M2, o);
    struct trace_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.why = w;
    trace_why(&tr, &rec, t, sizeof t);
    ck_assert_str_eq(t, "referral: www.example.com lies in example.com, delegated to "
                        "other servers; name them and their addresses (RFC 1034 4.3.2 step 3b)");
    dns_query_init(&M1, 9, "nope.example.com", DNS_TYPE_A, 0);
    o = dns_server_answer(&ZE, &M1, &M2);
    rec.why = dns_server_why(&tr, &M1, &M2, o);
    trace_why(&tr, &rec, t, sizeof t);
    ck_assert_str_eq(t, "nope.example.com does not exist in zone example.com: "
                        "NXDOMAIN with the zone's SOA (RFC 2308 2.1)");
    trace_free(&tr);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Resolver and stub                                                        */

static int lookup(int64_t now, const char *name, uint16_t type)
{
    int before = N.ndone;
    int h = dns_stub_resolve(&N.stub, now, name, type);
    ck_assert_int_ge(h, 0);
    pump(now);
    return N.ndone - before;
}

START_TEST(test_walk_root_tld_auth)
{
    ck_assert_int_eq(dns_resolver_deadline(&N.res), -1);
    ck_assert_int_eq(lookup(0, "www.example.com", DNS_TYPE_A), 1);
    /* three iterative queries, to three servers, in that order */
    ck_assert_int_eq(N.nq, 3);
    ck_assert_uint_eq(N.q[0].to, ROOT1_IP);
    ck_assert_uint_eq(N.q[1].to, TLD_IP);
    ck_assert_uint_eq(N.q[2].to, AUTH_IP);
    for (int i = 0; i < 3; i++) {
        ck_assert_uint_eq(N.q[i].rd, 0);                   /* iterative */
        ck_assert_str_eq(N.q[i].qname, "www.example.com");
        ck_assert_uint_eq(N.q[i].qtype, DNS_TYPE_A);
    }
    /* the stub's answer */
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_NOERROR);
    ck_assert_int_eq(N.res_last.naddr, 1);
    ck_assert_uint_eq(N.res_addr[0], WWW_IP);
    ck_assert_uint_eq(N.res_last.ttl, 300);
    ck_assert_str_eq(N.res_last.name, "www.example.com");
    /* the resolver's reply, field by field */
    ck_assert_int_eq(N.nreplies, 1);
    ck_assert_uint_eq(N.reply.id, 0x1000);              /* the stub's id */
    ck_assert_uint_eq(N.reply.qr, 1);
    ck_assert_uint_eq(N.reply.aa, 0);
    ck_assert_uint_eq(N.reply.rd, 1);
    ck_assert_uint_eq(N.reply.ra, 1);
    ck_assert_uint_eq(N.reply.rcode, 0);
    ck_assert_str_eq(N.reply.qname, "www.example.com");
    ck_assert_int_eq(N.reply.nan, 1);
    ck_assert_uint_eq(N.reply.an[0].rd.a, WWW_IP);
    ck_assert_uint_eq(N.reply.an[0].ttl, 300);
    ck_assert_int_eq(N.reply.nns, 0);
    /* walked, not cached: the reply says the resolver recursed, not that it
     * answered from its cache (it had nothing cached) */
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB);
    /* the story in the trace */
    ck_assert_str_eq(states_of("dns:www.example.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED");
    ck_assert_str_eq(states_of("dns-stub:www.example.com/A"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED");
    ck_assert_str_eq(states_of("dns-cache:com/NS"), "ABSENT>CACHED");
    ck_assert_str_eq(states_of("dns-cache:a.gtld-servers.net/A"), "ABSENT>CACHED");
    ck_assert_str_eq(states_of("dns-cache:example.com/NS"), "ABSENT>CACHED");
    ck_assert_str_eq(states_of("dns-cache:ns1.example.com/A"), "ABSENT>CACHED");
    ck_assert_str_eq(states_of("dns-cache:www.example.com/A"), "ABSENT>CACHED");
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_REFERRAL), 2);
    /* a timer for each of the 3 iterative queries and the stub's query */
    ck_assert_int_eq(count_recs(TK_TIMER, TA_START, -1), 4);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_STOP, -1), 4);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_EXPIRE, -1), 0);
    ck_assert_int_eq(dns_resolver_deadline(&N.res), -1);
    ck_assert_int_eq(dns_stub_deadline(&N.stub), -1);
    assert_narrations_render();
    /* the narration of the first referral names the zone and its server */
    for (size_t i = 0; i < N.tr.n; i++)
        if (N.tr.recs[i].why.id == N_DNS_REFERRAL) {
            char t[256];
            trace_why(&N.tr, &N.tr.recs[i], t, sizeof t);
            ck_assert_str_eq(t, "198.51.100.1 refers the question to com, served by "
                                "a.gtld-servers.net (RFC 1034 5.3.3 step 4b)");
            break;
        }
}
END_TEST

START_TEST(test_cache_hit_sends_no_query)
{
    lookup(0, "www.example.com", DNS_TYPE_A);
    int nq = N.nq;
    uint64_t sent = N.res.queries_sent;
    ck_assert_int_eq(lookup(10 * SEC + 400000, "WWW.EXAMPLE.COM", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, nq);                         /* nothing beyond the stub's */
    ck_assert_uint_eq(N.res.queries_sent, sent);
    ck_assert_uint_eq(N.res.cache_hits, 1);
    ck_assert_int_eq(N.res_last.rcode, 0);
    ck_assert_uint_eq(N.res_addr[0], WWW_IP);
    /* TTL lowered by the 10.4 s spent in the cache */
    ck_assert_uint_eq(N.reply.an[0].ttl, 289);
    ck_assert_str_eq(N.reply.qname, "WWW.EXAMPLE.COM");  /* the question as asked */
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB_CACHE);
    ck_assert_str_eq(states_of("dns:www.example.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED "
                     "ANSWERED>CHECK_CACHE CHECK_CACHE>ANSWERED");
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_HIT), 1);
    struct dns_rr rr[4];
    int rc = -1;
    ck_assert_int_eq(dns_resolver_cached(&N.res, 100 * SEC, "www.example.com",
                                         DNS_TYPE_A, rr, 4, &rc), 1);
    ck_assert_uint_eq(rr[0].ttl, 200);
    assert_narrations_render();
}
END_TEST

/* RFC 2181 5.4.1: glue from a referral's additional section "should not be
 * cached in such a way that they would ever be returned as answers to a
 * received query".  The walk to www.example.com keeps ns1.example.com's
 * glue (TTL 172800, from com); a stub asking for ns1.example.com gets the
 * authoritative answer (TTL 3600), which then replaces the glue. */
START_TEST(test_rfc2181_5_4_1_glue_never_answers_a_stub)
{
    lookup(0, "www.example.com", DNS_TYPE_A);
    int nq = N.nq;
    ck_assert_int_eq(lookup(10 * SEC, "ns1.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, nq + 1);                 /* asked, not cached */
    ck_assert_uint_eq(N.q[nq].to, AUTH_IP);
    ck_assert_uint_eq(N.res_addr[0], AUTH_IP);
    ck_assert_uint_eq(N.reply.an[0].ttl, 3600);     /* the zone's, not the glue's */
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB);
    ck_assert_str_eq(states_of("dns-cache:ns1.example.com/A"),
                     "ABSENT>CACHED CACHED>ABSENT ABSENT>CACHED");
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_GLUE_REPLACED), 1);
    /* the answer, once cached, answers the next question */
    ck_assert_int_eq(lookup(20 * SEC, "ns1.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, nq + 1);
    ck_assert_uint_eq(N.reply.an[0].ttl, 3590);
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB_CACHE);
    assert_narrations_render();
}
END_TEST

START_TEST(test_cache_expiry_asks_again)
{
    lookup(0, "www.example.com", DNS_TYPE_A);
    int nq = N.nq;
    /* at exactly 300 s the TTL has run out (RFC 1035 3.2.1) */
    ck_assert_int_eq(lookup(300 * SEC, "www.example.com", DNS_TYPE_A), 1);
    /* one query: the delegation to example.com is still cached (172800 s) */
    ck_assert_int_eq(N.nq, nq + 1);
    ck_assert_uint_eq(N.q[nq].to, AUTH_IP);
    ck_assert_uint_eq(N.reply.an[0].ttl, 300);
    ck_assert_str_eq(states_of("dns-cache:www.example.com/A"),
                     "ABSENT>CACHED CACHED>EXPIRED EXPIRED>CACHED");
    ck_assert_str_eq(states_of("dns:www.example.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED "
                     "ANSWERED>CHECK_CACHE CHECK_CACHE>ASKING_AUTH ASKING_AUTH>ANSWERED");
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_ASK_CACHED), 1);
    int rc;
    struct dns_rr rr[2];
    ck_assert_int_eq(dns_resolver_cached(&N.res, 599 * SEC, "www.example.com",
                                         DNS_TYPE_A, rr, 2, &rc), 1);
    ck_assert_int_eq(dns_resolver_cached(&N.res, 600 * SEC, "www.example.com",
                                         DNS_TYPE_A, rr, 2, &rc), 0);
    /* the sweep marks expired entries without a lookup */
    dns_resolver_expire(&N.res, 600 * SEC);
    ck_assert_str_eq(states_of("dns-cache:www.example.com/A"),
                     "ABSENT>CACHED CACHED>EXPIRED EXPIRED>CACHED CACHED>EXPIRED");
    assert_narrations_render();
}
END_TEST

START_TEST(test_nxdomain_reported_and_cached)
{
    ck_assert_int_eq(lookup(0, "nope.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, 3);
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_int_eq(N.res_last.naddr, 0);
    ck_assert_uint_eq(N.reply.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_uint_eq(N.reply.ra, 1);
    ck_assert_int_eq(N.reply.nan, 0);
    ck_assert_int_eq(N.reply.nns, 1);
    ck_assert_uint_eq(N.reply.ns[0].type, DNS_TYPE_SOA);
    ck_assert_uint_eq(N.reply.ns[0].ttl, 300);
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB);       /* asked, not cached */
    ck_assert_str_eq(states_of("dns-cache:nope.example.com/NXDOMAIN"), "ABSENT>CACHED");
    ck_assert_str_eq(states_of("dns-stub:nope.example.com/A"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED");
    int rc = 0;
    struct dns_rr rr[1];
    ck_assert_int_eq(dns_resolver_cached(&N.res, 10 * SEC, "nope.example.com",
                                         DNS_TYPE_A, rr, 1, &rc), -1);
    ck_assert_int_eq(rc, DNS_RCODE_NXDOMAIN);
    /* any type of that name: answered from the negative cache (RFC 2308 5) */
    ck_assert_int_eq(lookup(100 * SEC, "nope.example.com", DNS_TYPE_AAAA), 1);
    ck_assert_int_eq(N.nq, 3);
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_uint_eq(N.reply.ns[0].ttl, 200);
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB_CACHE);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_HIT_NX), 1);
    /* after the SOA minimum, the servers are asked again */
    ck_assert_int_eq(lookup(301 * SEC, "nope.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, 4);
    ck_assert_uint_eq(N.q[3].to, AUTH_IP);
    /* the expiry of a name error is said whole (it has no type to name) */
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_EXPIRED_NX), 1);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_EXPIRED), 0);
    for (size_t i = 0; i < N.tr.n; i++)
        if (N.tr.recs[i].why.id == N_DNS_CACHE_EXPIRED_NX) {
            char t[256];
            trace_why(&N.tr, &N.tr.recs[i], t, sizeof t);
            ck_assert_str_eq(t, "the negative TTL of the NXDOMAIN cached for "
                                "nope.example.com ran out 1s ago: the entry must "
                                "not be used any more (RFC 2308 5)");
        }
    /* a name under a TLD that does not exist stops at the root */
    ck_assert_int_eq(lookup(400 * SEC, "www.nope.example", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, 5);
    ck_assert_uint_eq(N.q[4].to, ROOT1_IP);
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_str_eq(states_of("dns:www.nope.example/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ANSWERED");
    assert_narrations_render();
}
END_TEST

START_TEST(test_nodata_and_cname)
{
    ck_assert_int_eq(lookup(0, "www.example.com", DNS_TYPE_AAAA), 1);
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_NOERROR);
    ck_assert_int_eq(N.res_last.naddr, 0);
    ck_assert_int_eq(N.reply.nan, 0);
    ck_assert_int_eq(N.reply.nns, 1);
    ck_assert_str_eq(states_of("dns-cache:www.example.com/AAAA"), "ABSENT>CACHED");
    int nq = N.nq;
    ck_assert_int_eq(lookup(1 * SEC, "www.example.com", DNS_TYPE_AAAA), 1);
    ck_assert_int_eq(N.nq, nq);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_HIT_NODATA), 1);
    /* an alias: the server follows it inside its zone, the stub gets both */
    ck_assert_int_eq(lookup(2 * SEC, "web.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, nq + 1);                      /* delegation cached */
    ck_assert_int_eq(N.reply.nan, 2);
    ck_assert_uint_eq(N.reply.an[0].type, DNS_TYPE_CNAME);
    ck_assert_uint_eq(N.reply.an[1].type, DNS_TYPE_A);
    ck_assert_int_eq(N.res_last.naddr, 1);
    ck_assert_uint_eq(N.res_addr[0], WWW_IP);
    ck_assert_str_eq(states_of("dns-cache:web.example.com/CNAME"), "ABSENT>CACHED");
    /* and from the cache: CNAME, then the A it points to */
    ck_assert_int_eq(lookup(3 * SEC, "web.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, nq + 1);
    ck_assert_int_eq(N.reply.nan, 2);
    ck_assert_uint_eq(N.reply.an[0].ttl, 299);
    ck_assert_uint_eq(N.reply.an[1].ttl, 299);
    assert_narrations_render();
}
END_TEST

/* RFC 1034 3.6.2: "CNAME loops signalled as an error".  A loop of two
 * aliases fails with a sentence that names the loop, not with "more than 8
 * aliases in a row" (which it said after following the two 8 times), both
 * from the server's answer and from the cache. */
START_TEST(test_cname_loop_named)
{
    ck_assert_int_eq(lookup(0, "loopa.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_SERVFAIL);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_FAIL_CNAME_LOOP), 1);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_FAIL_CNAME), 0);
    int nq = N.nq;
    ck_assert_int_eq(lookup(1 * SEC, "loopb.example.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, nq);                          /* from the cache */
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_SERVFAIL);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_FAIL_CNAME_LOOP), 2);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_FAIL_CNAME), 0);
    assert_narrations_render();
}
END_TEST

START_TEST(test_timeout_retry_next_server_servfail)
{
    set_down(ROOT1_IP, 1);
    set_down(ROOT2_IP, 1);
    client_ask(0, 0x7777, "www.example.com", DNS_TYPE_A);
    ck_assert_int_eq(N.nq, 1);
    ck_assert_int_eq(dns_resolver_deadline(&N.res), 2 * SEC);   /* default 2 s */
    run_until(2 * SEC - 1);
    ck_assert_int_eq(N.nq, 1);
    /* default retries 2: each root server gets 3 tries, 2 s apart */
    run_until(100 * SEC);
    ck_assert_int_eq(N.nq, 6);
    static const ip4_addr want[6] = { ROOT1_IP, ROOT1_IP, ROOT1_IP,
                                      ROOT2_IP, ROOT2_IP, ROOT2_IP };
    for (int i = 0; i < 6; i++)
        ck_assert_uint_eq(N.q[i].to, want[i]);
    /* the same id to the same server; a new one for the next server */
    ck_assert_uint_eq(N.q[0].id, N.q[1].id);
    ck_assert_uint_eq(N.q[1].id, N.q[2].id);
    ck_assert_uint_ne(N.q[2].id, N.q[3].id);
    ck_assert_uint_eq(N.q[3].id, N.q[5].id);
    ck_assert_int_eq(N.nreplies, 1);
    ck_assert_uint_eq(N.reply.id, 0x7777);
    ck_assert_uint_eq(N.reply.rcode, DNS_RCODE_SERVFAIL);
    ck_assert_uint_eq(N.reply.ra, 1);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_START, -1), 6);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_EXPIRE, -1), 6);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_STOP, -1), 0);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_FAIL_SERVERS), 1);
    ck_assert_str_eq(states_of("dns:www.example.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>FAILED");
    /* the SERVFAIL went out at 12 s: 6 tries x 2 s */
    for (size_t i = 0; i < N.tr.n; i++)
        if (N.tr.recs[i].kind == TK_STATE && N.tr.recs[i].u.state.to == DNS_FAILED)
            ck_assert_int_eq(N.tr.recs[i].t_us, 12 * SEC);
    ck_assert_int_eq(dns_resolver_deadline(&N.res), -1);
    assert_narrations_render();
}
END_TEST

START_TEST(test_timeout_then_next_server_answers)
{
    set_down(ROOT1_IP, 1);
    struct dns_resolver_config cfg = N.res.cfg;
    dns_resolver_free(&N.res);
    cfg.retries = 1;
    cfg.timeout_us = 500000;
    struct dns_env env = { &N.tr, N.host_res, res_emit, next_id, NULL };
    dns_resolver_init(&N.res, &cfg, &env);
    client_ask(0, 0x5555, "www.example.com", DNS_TYPE_A);
    run_until(10 * SEC);
    ck_assert_int_eq(N.nq, 5);
    ck_assert_uint_eq(N.q[0].to, ROOT1_IP);
    ck_assert_uint_eq(N.q[1].to, ROOT1_IP);     /* retry */
    ck_assert_uint_eq(N.q[2].to, ROOT2_IP);     /* next server, at 1 s */
    ck_assert_uint_eq(N.q[3].to, TLD_IP);
    ck_assert_uint_eq(N.q[4].to, AUTH_IP);
    ck_assert_uint_eq(N.reply.rcode, 0);
    ck_assert_uint_eq(N.reply.an[0].rd.a, WWW_IP);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_EXPIRE, -1), 2);
    assert_narrations_render();
}
END_TEST

START_TEST(test_query_ids_from_callback)
{
    N.next_id = 0xa000;
    lookup(0, "www.example.com", DNS_TYPE_A);
    ck_assert_uint_eq(N.reply.id, 0xa000);       /* the stub drew first */
    ck_assert_uint_eq(N.q[0].id, 0xa001);
    ck_assert_uint_eq(N.q[1].id, 0xa002);
    ck_assert_uint_eq(N.q[2].id, 0xa003);
    ck_assert_uint_eq(N.next_id, 0xa004);
    /* a later walk draws fresh ids from the same callback */
    client_ask(400 * SEC, 1, "www.example.com", DNS_TYPE_A);   /* expired: asks AUTH */
    ck_assert_int_eq(N.nq, 4);
    ck_assert_uint_eq(N.q[3].id, 0xa004);
}
END_TEST

START_TEST(test_mismatched_reply_ignored)
{
    set_down(ROOT1_IP, 1);
    client_ask(0, 0x1111, "www.example.com", DNS_TYPE_A);
    ck_assert_int_eq(N.nq, 1);
    uint16_t id = N.q[0].id;
    /* right id, wrong server */
    dns_query_init(&M1, id, "www.example.com", DNS_TYPE_A, 0);
    ck_assert_int_eq(dns_server_answer(&N.root, &M1, &M2), DNS_SRV_REFERRAL);
    ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT2_IP, &M2), -1);
    /* right server, wrong id */
    M2.id = (uint16_t)(id + 1);
    ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT1_IP, &M2), -1);
    /* right server and id, wrong question */
    M2.id = id;
    strcpy(M2.qname, "www.example.org");
    ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT1_IP, &M2), -1);
    /* right server, id, name and type, but another class: RFC 5452 3 and
     * RFC 1035 7.3, the whole question must be the one asked */
    strcpy(M2.qname, "www.example.com");
    M2.qclass = 3;                                /* CH */
    ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT1_IP, &M2), -1);
    M2.qclass = DNS_CLASS_IN;
    /* a query is not a reply */
    M2.qr = 0;
    ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT1_IP, &M2), -1);
    /* the real one, its name in other letter cases (RFC 4343 3: the same
     * name) */
    M2.qr = 1;
    strcpy(M2.qname, "WWW.Example.COM");
    set_down(ROOT1_IP, 0);
    ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT1_IP, &M2), 0);
    pump(1000);
    ck_assert_uint_eq(N.reply.an[0].rd.a, WWW_IP);
}
END_TEST

/* RFC 1034 5.3.3 step 4d: a reply the resolver cannot use sends it to the
 * next server, and the query says why in a sentence of its own (one per
 * reason, so each is translated whole): a truncated reply, a referral that
 * leads no closer, an empty reply, an error RCODE. */
START_TEST(test_useless_replies_each_say_why)
{
    static const struct { int tc, aa, rcode, ns; int why; } cases[] = {
        { 1, 0, 0, 0, N_DNS_Q_BAD_TC },
        { 0, 0, 0, 1, N_DNS_Q_BAD_NOCLOSER },
        { 0, 0, 0, 0, N_DNS_Q_BAD_EMPTY },
        { 0, 0, DNS_RCODE_SERVFAIL, 0, N_DNS_Q_BAD },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        net_teardown();
        net_setup();
        set_down(ROOT1_IP, 1);
        client_ask(0, 0x3333, "www.example.com", DNS_TYPE_A);
        ck_assert_int_eq(N.nq, 1);
        dns_query_init(&M2, N.q[0].id, "www.example.com", DNS_TYPE_A, 0);
        M2.qr = 1;
        M2.tc = (uint8_t)cases[k].tc;
        M2.rcode = (uint8_t)cases[k].rcode;
        if (cases[k].ns) {                 /* back to the root: no closer */
            dns_rr_ns(&M2.ns[0], ".", 3600, "a.root-servers.net");
            M2.nns = 1;
        }
        N.nout = 0;
        ck_assert_int_eq(dns_resolver_response(&N.res, 1000, ROOT1_IP, &M2), 0);
        ck_assert_int_eq(N.nout, 1);
        ck_assert_uint_eq(N.out[0].dst, ROOT2_IP);
        ck_assert_int_eq(N.last_query_why.id, cases[k].why);
        ck_assert_uint_eq((ip4_addr)N.last_query_why.a[0], ROOT1_IP);
    }
}
END_TEST

START_TEST(test_bad_server_reply_tries_next)
{
    /* ROOT1 answers REFUSED (it holds no zone at all) */
    static struct dns_zone empty;
    dns_zone_init(&empty);
    N.srv[0].z = &empty;
    client_ask(0, 0x2222, "www.example.com", DNS_TYPE_A);
    ck_assert_int_eq(N.nq, 4);
    ck_assert_uint_eq(N.q[0].to, ROOT1_IP);
    ck_assert_uint_eq(N.q[1].to, ROOT2_IP);      /* at once, no timeout */
    ck_assert_uint_eq(N.reply.rcode, 0);
    ck_assert_int_eq(count_recs(TK_TIMER, TA_EXPIRE, -1), 0);
    ck_assert_str_eq(states_of("dns:www.example.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED");
    dns_zone_free(&empty);
}
END_TEST

START_TEST(test_glueless_delegation_resolved_first)
{
    ck_assert_int_eq(lookup(0, "www.glueless.com", DNS_TYPE_A), 1);
    /* The TLD server happens to hold ns.example.net, so its referral
     * carries that address; but glue for a name outside com is out of its
     * bailiwick and is not trusted: the resolver looks it up itself. */
    ck_assert_int_eq(N.nq, 6);
    ck_assert_uint_eq(N.q[0].to, ROOT1_IP);
    ck_assert_str_eq(N.q[0].qname, "www.glueless.com");
    ck_assert_uint_eq(N.q[1].to, TLD_IP);
    /* the nested walk for ns.example.net: the cache knows no "net"
     * delegation, so it starts at the root */
    ck_assert_str_eq(N.q[2].qname, "ns.example.net");
    ck_assert_uint_eq(N.q[2].to, ROOT1_IP);
    ck_assert_uint_eq(N.q[3].to, TLD_IP);
    ck_assert_str_eq(N.q[4].qname, "ns.example.net");
    ck_assert_uint_eq(N.q[4].to, NET_AUTH_IP);
    /* then the original question, to the address just found */
    ck_assert_str_eq(N.q[5].qname, "www.glueless.com");
    ck_assert_uint_eq(N.q[5].to, NET_AUTH_IP);
    ck_assert_int_eq(N.res_last.rcode, 0);
    ck_assert_uint_eq(N.res_addr[0], IP(203, 0, 113, 90));
    ck_assert_str_eq(states_of("dns:ns.example.net/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED");
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_LOOKUP_NS), 1);
    ck_assert_str_eq(states_of("dns:www.glueless.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED");
    assert_narrations_render();
}
END_TEST

START_TEST(test_inzone_server_without_glue_fails)
{
    ck_assert_int_eq(lookup(0, "www.inzone.com", DNS_TYPE_A), 1);
    ck_assert_int_eq(N.nq, 2);
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_SERVFAIL);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_FAIL_NOGLUE), 1);
    ck_assert_str_eq(states_of("dns-stub:www.inzone.com/A"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>FAILED");
    assert_narrations_render();
}
END_TEST

START_TEST(test_stub_ignores_a_reply_for_another_question)
{
    int h = dns_stub_resolve(&N.stub, 0, "www.example.com", DNS_TYPE_A);
    ck_assert_int_ge(h, 0);
    ck_assert_int_eq(N.nout, 1);
    uint16_t id = N.stub.q[h].id;
    N.nout = 0;
    dns_query_init(&M1, id, "www.example.com", DNS_TYPE_A, 1);
    M1.qr = 1;
    M1.ra = 1;
    dns_rr_a(&M1.an[0], "www.example.com", 300, WWW_IP);
    M1.nan = 1;
    ip4_addr srv = N.stub.cfg.server;
    /* the same id, name and type in another class is not our question
     * (RFC 5452 3, RFC 1035 7.3) */
    M1.qclass = 3;
    ck_assert_int_eq(dns_stub_response(&N.stub, 1000, srv, &M1), -1);
    ck_assert_int_eq(N.ndone, 0);
    /* a name differing only in case is the same name (RFC 4343 3) */
    M1.qclass = DNS_CLASS_IN;
    strcpy(M1.qname, "wWw.EXAMPLE.com");
    ck_assert_int_eq(dns_stub_response(&N.stub, 1000, srv, &M1), 0);
    ck_assert_int_eq(N.ndone, 1);
    ck_assert_int_eq(N.res_last.naddr, 1);
}
END_TEST

START_TEST(test_stub_retries_then_gives_up)
{
    N.nsrv = 0;
    struct dns_stub_config sc = N.stub.cfg;
    sc.server = IP(192, 0, 2, 99);               /* nobody there */
    struct dns_stub_env senv = N.stub.env;
    dns_stub_init(&N.stub, &sc, &senv);
    int h = dns_stub_resolve(&N.stub, 0, "www.example.com", DNS_TYPE_A);
    ck_assert_int_ge(h, 0);
    ck_assert_int_eq(N.nout, 1);
    N.nout = 0;                                  /* lost */
    ck_assert_int_eq(dns_stub_deadline(&N.stub), 5 * SEC);
    dns_stub_timer(&N.stub, 5 * SEC);
    ck_assert_int_eq(N.nout, 1);                 /* one retry (glibc: attempts 2) */
    ck_assert_uint_eq(N.out[0].dst, sc.server);
    N.nout = 0;
    ck_assert_int_eq(N.ndone, 0);
    dns_stub_timer(&N.stub, 10 * SEC);
    ck_assert_int_eq(N.nout, 0);
    ck_assert_int_eq(N.ndone, 1);
    ck_assert_int_eq(N.res_last.rcode, -1);
    ck_assert_str_eq(states_of("dns-stub:www.example.com/A"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>FAILED");
    ck_assert_int_eq(dns_stub_deadline(&N.stub), -1);
    ck_assert_int_eq(dns_stub_resolve(&N.stub, 0, "bad..name", DNS_TYPE_A), -1);
    assert_narrations_render();
}
END_TEST

/* Two stubs ask the same question at once: one walk, one trace story
 * (a second walk under the same id made its states jump back, "ASKING_ROOT
 * -> CHECK_CACHE"); the second question waits, then is answered from the
 * cache. */
START_TEST(test_same_question_twice_at_once_is_one_walk)
{
    static struct dns_msg q;
    dns_query_init(&q, 0x1111, "www.example.com", DNS_TYPE_A, 1);
    enqueue(CLIENT_IP, RESOLVER_IP, DNS_PORT, &q);
    dns_query_init(&q, 0x2222, "WWW.example.com", DNS_TYPE_A, 1);
    enqueue(CLIENT_IP, RESOLVER_IP, DNS_PORT, &q);
    set_down(AUTH_IP, 1);                        /* the first try is lost */
    pump(0);
    ck_assert_int_eq(N.nq, 3);                   /* root, com, example.com once */
    ck_assert_int_eq(N.nreplies, 0);
    /* the waiter's retransmission is neither a third question nor a walk */
    enqueue(CLIENT_IP, RESOLVER_IP, DNS_PORT, &q);
    pump(SEC);
    ck_assert_int_eq(N.dup_ignored, 1);
    ck_assert_int_eq(N.nq, 3);
    set_down(AUTH_IP, 0);
    run_until(3 * SEC);                          /* the resolver asks again */
    ck_assert_int_eq(N.nq, 4);
    ck_assert_int_eq(N.nreplies, 2);
    ck_assert_uint_eq(N.reply.id, 0x2222);       /* the waiter, last */
    ck_assert_str_eq(N.reply.qname, "WWW.example.com");   /* as it asked */
    ck_assert_int_eq(N.reply.nan, 1);
    ck_assert_uint_eq(N.reply.an[0].rd.a, WWW_IP);
    ck_assert_int_eq(N.last_reply_why, N_DNS_R_STUB_CACHE);
    ck_assert_str_eq(states_of("dns:www.example.com/A"),
                     "IDLE>CHECK_CACHE CHECK_CACHE>ASKING_ROOT ASKING_ROOT>ASKING_TLD "
                     "ASKING_TLD>ASKING_AUTH ASKING_AUTH>ANSWERED "
                     "ANSWERED>CHECK_CACHE CHECK_CACHE>ANSWERED");
    assert_narrations_render();
}
END_TEST

/* RFC 1034 5.3.1: an application may ask its stub the same question twice
 * before the first answer; each lookup sends its own query and is a story
 * of its own.  With one trace id the second had no IDLE -> ASKING_RESOLVER
 * and no -> ANSWERED record (the first had moved the shared id already). */
START_TEST(test_stub_same_name_twice_has_two_stories)
{
    ck_assert_int_ge(dns_stub_resolve(&N.stub, 0, "www.example.com", DNS_TYPE_A), 0);
    ck_assert_int_ge(dns_stub_resolve(&N.stub, 0, "www.example.com", DNS_TYPE_A), 0);
    ck_assert_int_ge(dns_stub_resolve(&N.stub, 0, "WWW.example.com", DNS_TYPE_A), 0);
    pump(0);
    ck_assert_int_eq(N.ndone, 3);
    ck_assert_str_eq(states_of("dns-stub:www.example.com/A"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED");
    ck_assert_str_eq(states_of("dns-stub:www.example.com/A#2"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED");
    ck_assert_str_eq(states_of("dns-stub:www.example.com/A#3"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED");
    /* once they are over, the next lookup takes the plain id again */
    ck_assert_int_eq(lookup(SEC, "www.example.com", DNS_TYPE_A), 1);
    ck_assert_str_eq(states_of("dns-stub:www.example.com/A"),
                     "IDLE>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED "
                     "ANSWERED>ASKING_RESOLVER ASKING_RESOLVER>ANSWERED");
    assert_narrations_render();
}
END_TEST

START_TEST(test_stub_retransmission_is_not_a_second_walk)
{
    set_down(ROOT1_IP, 1);
    set_down(ROOT2_IP, 1);
    struct dns_stub_config sc = N.stub.cfg;
    sc.timeout_us = 3 * SEC;
    sc.retries = 2;
    struct dns_stub_env senv = N.stub.env;
    dns_stub_init(&N.stub, &sc, &senv);
    lookup(0, "www.example.com", DNS_TYPE_A);
    run_until(3 * SEC);                           /* stub resends at 3 s */
    ck_assert_int_eq(N.dup_ignored, 1);
    set_down(ROOT2_IP, 0);
    run_until(30 * SEC);
    /* the resolver's one walk answered; the stub took it */
    ck_assert_int_eq(N.ndone, 1);
    ck_assert_int_eq(N.res_last.rcode, 0);
    ck_assert_int_eq(N.nreplies, 1);
}
END_TEST

/* The network's resolver made again with room for max RRsets. */
static void resolver_with_cache(int max)
{
    struct dns_resolver_config cfg = N.res.cfg;
    dns_resolver_free(&N.res);
    cfg.max_cache = max;
    struct dns_env env = { &N.tr, N.host_res, res_emit, next_id, NULL };
    dns_resolver_init(&N.res, &cfg, &env);
}

START_TEST(test_cache_eviction_when_full)
{
    resolver_with_cache(4);
    lookup(0, "www.example.com", DNS_TYPE_A);    /* 5 RRsets learned */
    ck_assert_int_eq(N.res.ncache, 4);
    ck_assert_int_eq(count_recs(TK_STATE, -1, N_DNS_CACHE_EVICT), 1);
    ck_assert_int_eq(N.res_last.rcode, 0);
    assert_narrations_render();
}
END_TEST

/* A full cache that drops a remembered name error says so whole. */
START_TEST(test_cache_eviction_of_a_name_error)
{
    resolver_with_cache(3);
    lookup(0, "nope.example.com", DNS_TYPE_A);   /* and the NXDOMAIN, cached */
    ck_assert_int_eq(N.res_last.rcode, DNS_RCODE_NXDOMAIN);
    ck_assert_int_eq(N.res.ncache, 3);
    for (int k = 0; k < 4; k++) {                /* fills it up with others */
        char name[64];
        snprintf(name, sizeof name, "gone%d.example.com", k);
        lookup((k + 1) * SEC, name, DNS_TYPE_A);
    }
    ck_assert_int_ge(count_recs(TK_STATE, -1, N_DNS_CACHE_EVICT_NX), 1);
    assert_narrations_render();
}
END_TEST

/* The cache finds its entries by name and type through an index: after
 * every store into a cache of 8 (names again and again, with and without
 * evictions, entries expiring), each name asked in another case and with
 * a trailing dot is found exactly when an entry for it is in the cache,
 * cached and unexpired. */
/* The victim of a full cache, read off the cache as it is: the first
 * entry in its order that has expired, else the first of those closest to
 * expiry; -1 when there is room. */
static int victim_by_scan(int64_t now)
{
    if (N.res.ncache < N.res.cfg.max_cache)
        return -1;
    int v = 0;
    for (int i = 0; i < N.res.ncache; i++) {
        const struct dns_cache_entry *e = &N.res.cache[i];
        if (e->state == DNS_EXPIRED || now >= e->expires)
            return i;
        if (e->expires < N.res.cache[v].expires)
            v = i;
    }
    return v;
}

START_TEST(test_cache_index_agrees_with_entries)
{
    resolver_with_cache(8);
    enum { NAMES = 37 };
    char name[64], asked[64], gone[DNS_NAME_BUF];
    int evicted = 0;
    for (int i = 0; i < 300; i++) {
        int64_t now = (int64_t)i * 100 * 1000;           /* 100 ms apart */
        snprintf(name, sizeof name, "n%d.example.com", i * 7 % NAMES);
        struct dns_rr rr;
        dns_rr_a(&rr, name, 1 + (uint32_t)(i * 7919 % 50), IP(10, 0, 0, (i % 250) + 1));
        /* the entry a full cache gives up is the one a scan of it picks
         * (the expiry heap must choose the same, or outputs change) */
        int in = 0;
        for (int e = 0; e < N.res.ncache; e++)
            in |= dns_name_eq(N.res.cache[e].name, name);
        int v = in ? -1 : victim_by_scan(now);          /* in: refreshed, not added */
        if (v >= 0)
            snprintf(gone, sizeof gone, "%s", N.res.cache[v].name);
        dns_cache_rrset(&N.res, now, &rr, 1, name, DNS_TYPE_A, 0);
        ck_assert_int_le(N.res.ncache, 8);
        if (v >= 0) {
            for (int e = 0; e < N.res.ncache; e++)
                ck_assert_msg(!dns_name_eq(N.res.cache[e].name, gone) ||
                              dns_name_eq(gone, name),
                              "store %d: %s should have gone", i, gone);
            evicted++;
        }
        /* the heap holds every entry once, each below its parent */
        for (int h = 0; h < N.res.ncache; h++) {
            int k = N.res.cache_heap[h];
            ck_assert_int_eq(N.res.cache[k].heap_at, h);
            if (h > 0) {
                int p = N.res.cache_heap[(h - 1) / 2];
                ck_assert(N.res.cache[p].expires < N.res.cache[k].expires ||
                          (N.res.cache[p].expires == N.res.cache[k].expires && p < k));
            }
        }
        for (int k = 0; k < NAMES; k++) {
            snprintf(asked, sizeof asked, "N%d.EXAMPLE.com.", k);
            int want = 0;
            for (int e = 0; e < N.res.ncache; e++)
                want |= dns_name_eq(N.res.cache[e].name, asked) &&
                        N.res.cache[e].type == DNS_TYPE_A &&
                        N.res.cache[e].state == DNS_CACHED && now < N.res.cache[e].expires;
            struct dns_rr out[4];
            int rc = 0;
            int got = dns_resolver_cached(&N.res, now, asked, DNS_TYPE_A, out, 4, &rc);
            ck_assert_msg((got > 0) == want, "store %d, name %s: found %d, in the cache %d",
                          i, asked, got, want);
        }
    }
    ck_assert_int_gt(count_recs(TK_STATE, -1, N_DNS_CACHE_EVICT), 10);
    ck_assert_int_gt(evicted, 10);
}
END_TEST

START_TEST(test_resolver_rejects_odd_queries)
{
    dns_query_init(&M1, 3, "www.example.com", DNS_TYPE_A, 1);
    M1.opcode = 1;                               /* IQUERY */
    ck_assert_int_eq(dns_resolver_query(&N.res, 0, CLIENT_IP, CLIENT_PORT, &M1), 0);
    pump(0);
    ck_assert_uint_eq(N.reply.rcode, DNS_RCODE_NOTIMP);
    M1.opcode = 0;
    M1.qclass = 3;
    ck_assert_int_eq(dns_resolver_query(&N.res, 0, CLIENT_IP, CLIENT_PORT, &M1), 0);
    pump(0);
    ck_assert_uint_eq(N.reply.rcode, DNS_RCODE_REFUSED);
    M1.qclass = DNS_CLASS_IN;
    M1.qdcount = 0;
    ck_assert_int_eq(dns_resolver_query(&N.res, 0, CLIENT_IP, CLIENT_PORT, &M1), 0);
    pump(0);
    ck_assert_uint_eq(N.reply.rcode, DNS_RCODE_FORMERR);
    ck_assert_uint_eq(N.reply.qdcount, 0);
    M1.qdcount = 1;
    M1.qr = 1;
    ck_assert_int_eq(dns_resolver_query(&N.res, 0, CLIENT_IP, CLIENT_PORT, &M1), -1);
    ck_assert_int_eq(N.nq, 0);
}
END_TEST

Suite *dns_suite(void)
{
    Suite *s = suite_create("dns");
    TCase *tc;

    tc = tcase_create("message");
    tcase_add_test(tc, test_roundtrip_field_by_field);
    tcase_add_test(tc, test_fit_udp_512);
    tcase_add_test(tc, test_header_bits_each_alone);
    tcase_add_test(tc, test_handbuilt_query_decodes);
    tcase_add_test(tc, test_handbuilt_answer_decodes);
    tcase_add_test(tc, test_emptying_a_message_costs_what_it_holds);
    tcase_add_test(tc, test_compression_written_and_read);
    tcase_add_test(tc, test_compression_keeps_case_as_given);
    tcase_add_test(tc, test_root_name_and_soa_roundtrip);
    tcase_add_test(tc, test_encode_rejects_bad_names_and_small_buffers);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, test_truncated_at_every_length);
    tcase_add_test(tc, test_pointer_loops_and_bad_pointers);
    tcase_add_test(tc, test_label_longer_than_63);
    tcase_add_test(tc, test_name_longer_than_255);
    tcase_add_test(tc, test_counts_larger_than_data);
    tcase_add_test(tc, test_rdata_lengths_checked);
    tcase_add_test(tc, test_label_octets_shown_escaped);
    tcase_add_test(tc, test_decode_survives_mutations);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_test(tc, test_rr_text_forms);
    tcase_add_test(tc, test_summaries);
    tcase_add_test(tc, test_name_helpers_and_tables);
    suite_add_tcase(s, tc);

    tc = tcase_create("server");
    tcase_add_checked_fixture(tc, zones_setup, zones_teardown);
    tcase_add_test(tc, test_server_answer);
    tcase_add_test(tc, test_server_cname_followed_inside_zone);
    tcase_add_test(tc, test_server_cname_loop_answered_once_each);
    tcase_add_test(tc, test_server_referral_with_glue);
    tcase_add_test(tc, test_server_nxdomain_with_soa);
    tcase_add_test(tc, test_server_nodata);
    tcase_add_test(tc, test_server_finds_names_in_a_large_zone);
    tcase_add_test(tc, test_server_answers_from_the_closest_of_many_zones);
    tcase_add_test(tc, test_server_refused_outside_apex);
    tcase_add_test(tc, test_server_formerr_notimp_and_why);
    suite_add_tcase(s, tc);

    tc = tcase_create("resolver");
    tcase_add_checked_fixture(tc, net_setup, net_teardown);
    tcase_add_test(tc, test_walk_root_tld_auth);
    tcase_add_test(tc, test_cache_hit_sends_no_query);
    tcase_add_test(tc, test_cache_expiry_asks_again);
    tcase_add_test(tc, test_rfc2181_5_4_1_glue_never_answers_a_stub);
    tcase_add_test(tc, test_nxdomain_reported_and_cached);
    tcase_add_test(tc, test_nodata_and_cname);
    tcase_add_test(tc, test_cname_loop_named);
    tcase_add_test(tc, test_timeout_retry_next_server_servfail);
    tcase_add_test(tc, test_timeout_then_next_server_answers);
    tcase_add_test(tc, test_query_ids_from_callback);
    tcase_add_test(tc, test_mismatched_reply_ignored);
    tcase_add_test(tc, test_bad_server_reply_tries_next);
    tcase_add_test(tc, test_useless_replies_each_say_why);
    tcase_add_test(tc, test_glueless_delegation_resolved_first);
    tcase_add_test(tc, test_inzone_server_without_glue_fails);
    tcase_add_test(tc, test_stub_retries_then_gives_up);
    tcase_add_test(tc, test_stub_ignores_a_reply_for_another_question);
    tcase_add_test(tc, test_stub_retransmission_is_not_a_second_walk);
    tcase_add_test(tc, test_same_question_twice_at_once_is_one_walk);
    tcase_add_test(tc, test_stub_same_name_twice_has_two_stories);
    tcase_add_test(tc, test_cache_eviction_when_full);
    tcase_add_test(tc, test_cache_eviction_of_a_name_error);
    tcase_add_test(tc, test_cache_index_agrees_with_entries);
    tcase_add_test(tc, test_resolver_rejects_odd_queries);
    suite_add_tcase(s, tc);
    return s;
}
