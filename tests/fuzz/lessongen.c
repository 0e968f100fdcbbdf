/* lessongen.c — fuzzer bytes to the text of a valid lesson.  See lessongen.h.
 *
 * The lesson is built in the order a teacher would write it: title, the
 * network (links, one LAN, or three LANs joined by a router), optional DNS
 * servers and a resolver, tcp options, the timeline, faults, expectations.
 * Every value is drawn from the ranges scenarios/README.md allows, usually
 * from a short list of "interesting" values (ports that match, tiny windows,
 * MSS 64, RTO 1ms) so that actions meet each other and the TCP state machine
 * is driven through its arrows rather than through failed calls. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lessongen.h"
#include "lang.h"

#define MAX_APP   4            /* application hosts h0..h3 */
#define MAX_ALL   (MAX_APP + 6) /* plus two routers and four DNS hosts */
#define GEN_TOTAL_MAX (64u << 20)   /* README: 64 MiB of `N bytes` in all */

struct gen {
    const uint8_t *d;
    size_t n, i;
    char *out;
    size_t len, cap;
    int oom;
    int napp;                  /* application hosts */
    int nall;                  /* every host, app hosts first */
    char name[MAX_ALL][24];
    char addr[MAX_ALL][24];
    int dns;                   /* DNS servers and a resolver exist */
    int lans;                  /* 0 links only, 1 one LAN, 3 a router */
    unsigned long long generated;
};

/* ---- input ------------------------------------------------------------ */

static unsigned u8(struct gen *g)
{
    return g->i < g->n ? g->d[g->i++] : 0;
}

static unsigned pick(struct gen *g, unsigned n)
{
    return n ? u8(g) % n : 0;
}

static unsigned u16(struct gen *g)
{
    unsigned a = u8(g);
    return a << 8 | u8(g);
}

static unsigned long u32(struct gen *g)
{
    unsigned long a = u16(g);
    return (a << 16 | u16(g)) & 0xffffffffUL;
}

/* ---- output ----------------------------------------------------------- */

static void out(struct gen *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void out(struct gen *g, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (g->oom)
        return;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(g->out + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (k < 0) {
            g->oom = 1;
            return;
        }
        if ((size_t)k < g->cap - g->len) {
            g->len += (size_t)k;
            return;
        }
        size_t ncap = g->cap * 2 + (size_t)k + 1;
        char *p = realloc(g->out, ncap);
        if (!p) {
            g->oom = 1;
            return;
        }
        g->out = p;
        g->cap = ncap;
    }
}

/* A quoted string of 1..max bytes from the input.  display: no \x00 (title,
 * note, explanations cannot hold one). */
static void qstring(struct gen *g, unsigned max, int display)
{
    unsigned n = 1 + pick(g, max);

    out(g, "\"");
    for (unsigned k = 0; k < n; k++) {
        if (g->i >= g->n && k > 0)
            break;             /* input used up: keep strings short */
        unsigned c = u8(g);
        if (c == 0 && display)
            c = 'z';
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out(g, "%c", (char)c);
        else
            out(g, "\\x%02x", c);
    }
    out(g, "\"");
}

/* ---- value lists ------------------------------------------------------ */

static unsigned port(struct gen *g)
{
    static const unsigned ports[] = { 80, 80, 80, 80, 7, 5000, 53, 49152 };
    unsigned k = pick(g, 9);
    if (k < 8)
        return ports[k];
    return 1 + u16(g) % 65535;
}

static const char *duration(struct gen *g)
{
    static const char *d[] = { "0us", "1us", "1ms", "5ms", "20ms", "100ms",
                               "500ms", "1s", "3s", "30s", "2m" };
    return d[pick(g, sizeof d / sizeof d[0])];
}

static const char *percent(struct gen *g)
{
    static const char *p[] = { "0%", "0.0001%", "1%", "10%", "50%", "100%" };
    return p[pick(g, sizeof p / sizeof p[0])];
}

static unsigned long nbytes(struct gen *g)
{
    static const unsigned long b[] = { 1, 2, 5, 64, 100, 536, 1000, 1460,
                                       1461, 3000, 10000, 65535, 65536,
                                       100000, 1UL << 20, 16777216 };
    unsigned long v = b[pick(g, sizeof b / sizeof b[0])];
    if (g->generated + v > GEN_TOTAL_MAX)
        v = 1;
    g->generated += v;
    return v;
}

static unsigned long recvn(struct gen *g)
{
    static const unsigned long r[] = { 1, 4, 10, 100, 1000, 4096, 65536,
                                       1UL << 20, 16777216 };
    return r[pick(g, sizeof r / sizeof r[0])];
}

static const char *flags(struct gen *g, char *buf, size_t n)
{
    static const char *names[] = { "SYN", "FIN", "RST", "PSH", "ACK", "URG" };
    unsigned f = u8(g) & 0x3f;
    size_t pos = 0;

    buf[0] = '\0';
    if (!f)
        return "none";
    for (int k = 0; k < 6; k++)
        if (f & 1u << k)
            pos += (size_t)snprintf(buf + pos, n - pos, "%s%s",
                                    pos ? "," : "", names[k]);
    return buf;
}

static unsigned long seqno(struct gen *g)
{
    static const unsigned long s[] = { 0, 1, 999, 1000, 1001, 5000, 5001,
                                       4294967295UL };
    unsigned k = pick(g, 9);
    return k < 8 ? s[k] : u32(g);
}

static const char *dname(struct gen *g)
{
    static const char *names[] = { "www.example.com", "alias.example.com",
                                   "nope.example.com", "loop.example.com",
                                   "out.example.com", "example.com",
                                   "www.example.org", "WWW.Example.COM." };
    return names[pick(g, sizeof names / sizeof names[0])];
}

static const char *tcp_state(struct gen *g)
{
    static const char *st[] = { "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
                                "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
                                "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT" };
    return st[pick(g, 11)];
}

/* An address no host has: on a LAN (ARP goes unanswered) or on none
 * (routers pass it on until its TTL runs out). */
static const char *nowhere(struct gen *g)
{
    return pick(g, 2) ? "192.0.2.99" : "198.18.0.1";
}

/* An application host, or (rarely) any host. */
static int host(struct gen *g)
{
    unsigned k = u8(g);
    if (k >= 240)
        return (int)(k % (unsigned)g->nall);
    return (int)(k % (unsigned)g->napp);
}

static int other(struct gen *g, int h)
{
    int p = host(g);
    return p == h ? (h + 1) % g->napp : p;
}

/* ---- the network ------------------------------------------------------ */

static void link_options(struct gen *g)
{
    if (pick(g, 2))
        out(g, " delay %s", duration(g));
    if (!pick(g, 4))
        out(g, " jitter %s", duration(g));
    if (!pick(g, 4))
        out(g, " loss %s", percent(g));
    if (!pick(g, 5))
        out(g, " duplicate %s", percent(g));
    if (!pick(g, 5))
        out(g, " reorder %s", percent(g));
}

static void add_host(struct gen *g, const char *name, const char *addr)
{
    snprintf(g->name[g->nall], sizeof g->name[0], "%s", name);
    snprintf(g->addr[g->nall], sizeof g->addr[0], "%s", addr);
    g->nall++;
}

static void network(struct gen *g)
{
    char nm[24], ad[24];
    unsigned topo = pick(g, 3);

    g->napp = 2 + (int)pick(g, MAX_APP - 1);
    g->dns = topo > 0 && pick(g, 3) != 0;
    g->lans = topo == 0 ? 0 : topo == 1 ? 1 : 3;
    /* application hosts: on the LAN 192.0.2.0/24, or alternately on the
     * router's first and third LANs */
    for (int h = 0; h < g->napp; h++) {
        snprintf(nm, sizeof nm, "h%d", h);
        if (topo == 2 && h % 2)
            snprintf(ad, sizeof ad, "203.0.113.%d", 10 + h);
        else
            snprintf(ad, sizeof ad, "192.0.2.%d", 10 + h);
        add_host(g, nm, ad);
    }
    /* two routers whose default routes point at each other: right for
     * every address on the three LANs, a loop (until the TTL runs out) for
     * any other */
    int two = topo == 2 && pick(g, 3) == 0;
    if (topo == 2)
        add_host(g, two ? "gw1" : "gw", "192.0.2.1");
    if (two)
        add_host(g, "gw2", "198.51.100.2");
    if (g->dns) {
        const char *net = topo == 2 ? "198.51.100" : "192.0.2";
        snprintf(ad, sizeof ad, "%s.200", net); add_host(g, "root", ad);
        snprintf(ad, sizeof ad, "%s.201", net); add_host(g, "tld", ad);
        snprintf(ad, sizeof ad, "%s.53", net);  add_host(g, "auth", ad);
        snprintf(ad, sizeof ad, "%s.54", net);  add_host(g, "res", ad);
    }

    if (topo == 0) {
        for (int a = 0; a < g->napp; a++)
            for (int b = a + 1; b < g->napp; b++)
                if ((a == 0 && b == 1) || pick(g, 2)) {
                    out(g, "link h%d h%d", a, b);
                    link_options(g);
                    out(g, "\n");
                }
        for (int h = 0; h < g->napp; h++)
            out(g, "host h%d %s\n", h, g->addr[h]);
        return;
    }
    if (topo == 1) {
        out(g, "lan net 192.0.2.0/24");
        link_options(g);
        out(g, "\n");
    } else {
        out(g, "lan a 192.0.2.0/24");
        link_options(g);
        out(g, "\nlan b 198.51.100.0/24");
        link_options(g);
        out(g, "\nlan c 203.0.113.0/24");
        link_options(g);
        if (two)
            out(g, "\nrouter gw1 192.0.2.1 on a 198.51.100.1 on b gateway 198.51.100.2"
                   "\nrouter gw2 198.51.100.2 on b 203.0.113.1 on c gateway 198.51.100.1\n");
        else
            out(g, "\nrouter gw 192.0.2.1 on a 198.51.100.1 on b 203.0.113.1 on c\n");
    }
    for (int h = 0; h < g->napp; h++) {
        int onc = topo == 2 && h % 2;
        out(g, "host h%d %s on %s", h, g->addr[h],
            topo == 1 ? "net" : onc ? "c" : "a");
        if (topo == 2)
            out(g, " gateway %s", onc ? "203.0.113.1" : "192.0.2.1");
        if (g->dns && pick(g, 4))
            out(g, " dns %s", topo == 2 ? "198.51.100.54" : "192.0.2.54");
        out(g, "\n");
    }
    if (topo == 1 && !pick(g, 4)) {
        out(g, "link h0 h1");              /* a host on a LAN may have links */
        link_options(g);
        out(g, "\n");
    }
    if (!g->dns)
        return;
    for (int h = g->nall - 4; h < g->nall; h++) {
        out(g, "host %s %s on %s", g->name[h], g->addr[h],
            topo == 2 ? "b gateway 198.51.100.1" : "net");
        out(g, "\n");
    }
    /* the tree of web-request.scn: root -> com -> example.com */
    static const char *ttl[] = { "0", "1", "300", "172800" };
    int tld = g->nall - 3, auth = g->nall - 2;
    out(g, "zone root .\n");
    out(g, "record root com. %s IN NS a.gtld.example.\n", ttl[pick(g, 4)]);
    out(g, "record root a.gtld.example. %s IN A %s\n", ttl[pick(g, 4)], g->addr[tld]);
    out(g, "zone tld com\n");
    out(g, "record tld example.com. %s NS ns1.example.com.\n", ttl[pick(g, 4)]);
    if (pick(g, 4))                       /* without glue nobody finds ns1 */
        out(g, "record tld ns1.example.com. %s A %s\n", ttl[pick(g, 4)], g->addr[auth]);
    out(g, "zone auth example.com\n");
    out(g, "record auth example.com. 3600 SOA ns1.example.com. "
           "hostmaster.example.com. 1 7200 900 1209600 %s\n", ttl[pick(g, 4)]);
    out(g, "record auth ns1.example.com. 300 A %s\n", g->addr[auth]);
    out(g, "record auth www.example.com. %s IN A %s\n", ttl[pick(g, 4)], g->addr[1]);
    if (pick(g, 2))
        out(g, "record auth alias.example.com. 300 CNAME www.example.com.\n");
    if (!pick(g, 3))
        out(g, "record auth loop.example.com. 300 CNAME loop2.example.com.\n"
               "record auth loop2.example.com. 300 CNAME loop.example.com.\n");
    if (!pick(g, 3))
        out(g, "record auth out.example.com. 300 CNAME www.example.org.\n");
    out(g, "resolver res hints %s%s\n", g->addr[g->nall - 4],
        pick(g, 4) ? "" : " 192.0.2.99");
}

/* ---- tcp options ------------------------------------------------------ */

static void tcp_options(struct gen *g)
{
    static const char *opt[] = { "isn", "mss", "rto", "retries", "msl",
                                 "nagle", "handshake", "rcvbuf" };
    unsigned char set[8][MAX_ALL + 1];
    unsigned nopt = pick(g, 7);

    memset(set, 0, sizeof set);
    for (unsigned k = 0; k < nopt; k++) {
        unsigned o = pick(g, 8);
        int h = (int)pick(g, (unsigned)g->napp + 1) - 1;   /* -1: every host */
        if (o == 0 && h < 0)
            h = 0;                        /* isn always names a host */
        if (set[o][h + 1])
            continue;
        set[o][h + 1] = 1;
        out(g, "tcp %s", opt[o]);
        if (h >= 0)
            out(g, " %s", g->name[h]);
        switch (o) {
        case 0: {
            unsigned c = 1 + pick(g, 3);
            for (unsigned j = 0; j < c; j++)
                out(g, " %lu", seqno(g));
            break;
        }
        case 1: {
            static const unsigned m[] = { 64, 100, 536, 1460, 9000, 65495 };
            unsigned j = pick(g, 7);
            out(g, " %u", j < 6 ? m[j] : 64 + u16(g) % 65432);
            break;
        }
        case 2: {
            static const char *r[] = { "1ms", "10ms", "100ms", "1s", "3s", "10m" };
            out(g, " %s", r[pick(g, 6)]);
            break;
        }
        case 3: out(g, " %u", pick(g, 21)); break;
        case 4: {
            static const char *m[] = { "1ms", "50ms", "1s", "30s", "10m" };
            out(g, " %s", m[pick(g, 5)]);
            break;
        }
        case 5: out(g, " %s", pick(g, 2) ? "off" : "on"); break;
        case 6: out(g, " %s", pick(g, 2) ? "two-way" : "three-way"); break;
        default: {
            static const unsigned long r[] = { 1, 2, 10, 100, 1000, 4096, 65535,
                                               1UL << 20, 1073741824UL };
            out(g, " %lu", r[pick(g, 9)]);
            break;
        }
        }
        out(g, "\n");
    }
}

/* ---- the timeline ----------------------------------------------------- */

static void when(struct gen *g)
{
    switch (pick(g, 6)) {
    case 0: out(g, "at %ums ", u16(g) % 3000); break;
    case 1: out(g, "at +%uus ", u8(g)); break;
    case 2: out(g, "at +%us ", pick(g, 100)); break;
    default: out(g, "at +%ums ", pick(g, 60)); break;
    }
}

static void send_body(struct gen *g, int udp)
{
    if (pick(g, 2))
        qstring(g, udp ? 40 : 24, 0);
    else if (udp) {
        static const unsigned u[] = { 1, 8, 512, 1472 };
        out(g, "%u bytes", u[pick(g, 4)]);
    } else
        out(g, "%lu bytes", nbytes(g));
}

static void action(struct gen *g)
{
    int h = host(g);
    char fb[40];

    when(g);
    switch (pick(g, 21)) {
    case 0: case 1:
        out(g, "%s listen %u", g->name[h], port(g));
        break;
    case 2: case 3: {
        /* one draw per statement: a call's arguments are evaluated in the
         * compiler's order, and gcc and clang must make the same lesson */
        int peer = other(g, h);
        out(g, "%s connect %s %u", g->name[h], g->name[peer], port(g));
        if (!pick(g, 4))
            out(g, " from %u", port(g));
        break;
    }
    case 4: case 5:
        out(g, "%s send %s", g->name[h], pick(g, 4) ? "" : "framed ");
        send_body(g, 0);
        break;
    case 6: case 7:
        out(g, "%s recv %lu", g->name[h], recvn(g));
        break;
    case 8:
        out(g, "%s recv framed", g->name[h]);
        if (pick(g, 2))
            out(g, " %lu", recvn(g));
        break;
    case 9: case 10:
        out(g, "%s close", g->name[h]);
        break;
    case 11:
        out(g, "%s shutdown", g->name[h]);
        break;
    case 12:
        out(g, "%s abort", g->name[h]);
        break;
    case 13:
        out(g, "%s udp bind %u", g->name[h], port(g));
        break;
    case 14:
        if (pick(g, 5)) {
            int peer = other(g, h);
            out(g, "%s udp send %s %u ", g->name[h], g->name[peer], port(g));
        } else {
            const char *to = nowhere(g);
            out(g, "%s udp send %s %u ", g->name[h], to, port(g));
        }
        send_body(g, 1);
        if (!pick(g, 3))
            out(g, " from %u", port(g));
        break;
    case 15:
        out(g, "%s udp recv %lu", g->name[h], recvn(g));
        break;
    case 16:
        out(g, "%s resolve %s", g->name[h], dname(g));
        break;
    case 17:
        out(g, "%s http serve %u", g->name[h], port(g));
        if (!pick(g, 3)) {
            out(g, " ");
            qstring(g, 30, 1);
        }
        break;
    case 18:
        out(g, "%s http get ", g->name[h]);
        switch (pick(g, 6)) {
        case 0: out(g, "%s", g->addr[other(g, h)]); break;
        case 1: out(g, "%s", nowhere(g)); break;
        default: out(g, "%s", dname(g)); break;
        }
        if (pick(g, 2))
            out(g, " /%s", pick(g, 2) ? "index.html" : "a/b?c=%20");
        if (!pick(g, 3))
            out(g, " port %u", port(g));
        break;
    case 19:
        out(g, "note ");
        qstring(g, 20, 1);
        break;
    default: {
        int d = other(g, h);
        const char *fl = flags(g, fb, sizeof fb);
        out(g, "inject %s->%s tcp %s seq %lu", g->name[h], g->name[d], fl,
            seqno(g));
        if (pick(g, 2))
            out(g, " ack %lu", seqno(g));
        unsigned sport = port(g);
        out(g, " sport %u dport %u", sport, port(g));
        if (!pick(g, 3)) {
            out(g, " ");
            qstring(g, 20, 1);
        }
        break;
    }
    }
    out(g, "\n");
}

/* ---- faults and expectations ------------------------------------------ */

static void pattern(struct gen *g)
{
    char fb[40];
    switch (pick(g, 6)) {
    case 0: out(g, "tcp"); break;
    case 1: case 2: out(g, "tcp %s", flags(g, fb, sizeof fb)); break;
    case 3: out(g, "tcp data"); break;
    case 4: out(g, "udp"); break;
    default: out(g, "any"); break;
    }
}

static void pair(struct gen *g)
{
    int s = host(g);
    out(g, "%s->%s ", g->name[s], g->name[other(g, s)]);
}

static void fault(struct gen *g)
{
    unsigned k = pick(g, 3);
    out(g, "fault %s ", k == 0 ? "drop" : k == 1 ? "delay" : "duplicate");
    pair(g);
    pattern(g);
    out(g, " #%u", 1 + pick(g, 4));
    if (k == 1)
        out(g, " by %s", duration(g));
    out(g, "\n");
}

static void expect(struct gen *g)
{
    static const char *arp[] = { "NONE", "INCOMPLETE", "REACHABLE", "STALE", "FAILED" };
    int h = host(g);

    out(g, "expect ");
    switch (pick(g, 13)) {
    case 0: {
        const char *st = tcp_state(g);
        out(g, "%s state %s by %ums", g->name[h], st, u16(g) % 5000);
        break;
    }
    case 1: {
        const char *st = tcp_state(g);
        out(g, "%s state %s at %ums", g->name[h], st, u16(g) % 5000);
        break;
    }
    case 2:
        out(g, "%s never %s", g->name[h], tcp_state(g));
        break;
    case 3:
        out(g, "%s received ", g->name[h]);
        qstring(g, 10, 0);
        break;
    case 4:
        pair(g);
        pattern(g);
        out(g, " count %u", pick(g, 6));
        break;
    case 5: {
        int peer = other(g, h);             /* one draw per statement */
        const char *state = arp[pick(g, 5)];
        const char *when = pick(g, 2) ? "by" : "at";
        out(g, "%s arp %s %s %s %ums", g->name[h], g->addr[peer], state, when,
            u16(g) % 5000);
        break;
    }
    case 6: {
        static const char *ans[] = { "NXDOMAIN", "SERVFAIL", "FAILED", "192.0.2.11",
                                     "203.0.113.11" };
        const char *name = dname(g);
        out(g, "%s resolved %s %s", g->name[h], name, ans[pick(g, 5)]);
        break;
    }
    case 7:
        out(g, "%s messages ", g->name[h]);
        qstring(g, 8, 0);
        if (pick(g, 2)) {
            out(g, " ");
            qstring(g, 8, 0);
        }
        break;
    case 8:
        out(g, "%s datagrams ", g->name[h]);
        qstring(g, 8, 0);
        break;
    case 9:
        out(g, "%s reads %u", g->name[h], pick(g, 5));
        break;
    case 10: {                  /* a host's calls, #N lines sharing a count */
        static const char *call[] = { "connect", "send", "recv", "close", "accept",
                                      "listen", "shutdown", "abort" };
        static const char *err[] = { "connection refused", "connection reset",
                                     "connection timed out", "not allowed in this state" };
        const char *c = call[pick(g, 8)];
        unsigned nth = pick(g, 5);
        out(g, "%s %s", g->name[h], c);
        if (nth)
            out(g, " #%u", nth);
        if (pick(g, 2))
            out(g, " succeeded");
        else
            out(g, " error \"%s\"", err[pick(g, 4)]);
        break;
    }
    case 11: {                  /* a history, by peer or by port */
        unsigned n = 1 + pick(g, 5), how = pick(g, 3);
        out(g, "%s states", g->name[h]);
        for (unsigned i = 0; i < n; i++)
            out(g, " %s", tcp_state(g));
        if (how == 1)
            out(g, " with %s", g->name[other(g, h)]);
        else if (how == 2)
            out(g, " on port %u", 1 + u16(g) % 65535);
        break;
    }
    default:
        out(g, "%s queries %u", g->name[h], pick(g, 5));
        break;
    }
    out(g, "\n");
}

char *lesson_generate(const uint8_t *data, size_t size, size_t *len)
{
    struct gen g;

    memset(&g, 0, sizeof g);
    g.d = data;
    g.n = size;
    g.cap = 1024;
    g.out = malloc(g.cap);
    if (!g.out)
        return NULL;
    g.out[0] = '\0';

    out(&g, "# generated by tests/fuzz/lessongen.c\n");
    if (!pick(&g, 4)) {
        out(&g, "title ");
        qstring(&g, 12, 1);
        out(&g, "\n");
    }
    if (!pick(&g, 4))
        out(&g, "seed %u\n", u16(&g));
    network(&g);
    tcp_options(&g);
    unsigned nact = 2 + pick(&g, 40);
    for (unsigned k = 0; k < nact && (k < 2 || g.i < g.n); k++)
        action(&g);
    unsigned nf = pick(&g, 4);
    for (unsigned k = 0; k < nf; k++)
        fault(&g);
    unsigned ne = pick(&g, 5);
    for (unsigned k = 0; k < ne; k++)
        expect(&g);
    if (g.oom) {
        free(g.out);
        return NULL;
    }
    *len = g.len;
    return g.out;
}

struct scenario *lesson_parse(const uint8_t *data, size_t size)
{
    static int print = -1;
    size_t len;
    if (print < 0)
        print = getenv("FUZZ_PRINT_LESSON") != NULL;
    char *text = lesson_generate(data, size, &len);
    if (!text)
        return NULL;
    if (print) {
        fwrite(text, 1, len, stdout);
        fflush(stdout);
    }
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("lesson.scn", text, len, &e);
    if (!s) {
        fprintf(stderr, "the generated lesson does not parse:\n%s\n", text);
        for (int i = 0; i < e.n; i++)
            fprintf(stderr, "%s\n", e.msgs[i]);
        abort();
    }
    scn_errors_free(&e);
    free(text);
    return s;
}
