/* json.c — the trace as JSON Lines (the contract in DESIGN.md), and the
 * trace's frames as a pcap file. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "output.h"
#include "alloc.h"
#include "pcap.h"
#include "arp.h"
#include "dns.h"
#include "render.h"
#include "summary.h"
#include "real.h"

/* Writes s as a JSON string (RFC 8259 section 7).  Text stays UTF-8 as
 * written; escaped are only what JSON requires -- the quote, the backslash
 * and the controls U+0000..U+001F -- plus DEL and the C1 controls, which
 * a terminal showing the output would act on, and U+2028/U+2029, which
 * end a line for JavaScript.  A byte that is not UTF-8 becomes U+FFFD, so
 * every line is valid JSON whatever the payload or the lesson holds. */
static void jstr_n(FILE *fp, const uint8_t *s, size_t n)
{
    fputc('"', fp);
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        switch (c) {
        case '"':  fputs("\\\"", fp); continue;
        case '\\': fputs("\\\\", fp); continue;
        case '\n': fputs("\\n", fp); continue;
        case '\r': fputs("\\r", fp); continue;
        case '\t': fputs("\\t", fp); continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            fprintf(fp, "\\u%04x", c);
            continue;
        }
        if (c < 0x80) {
            fputc(c, fp);
            continue;
        }
        uint32_t cp;
        int k = text_utf8_seq(s + i, n - i, &cp);
        if (k == 0)
            fputs("\xEF\xBF\xBD", fp);          /* U+FFFD */
        else if (cp <= 0x9F || cp == 0x2028 || cp == 0x2029)
            fprintf(fp, "\\u%04" PRIx32, cp);
        else
            fwrite(s + i, 1, (size_t)k, fp);
        if (k > 0)
            i += (size_t)k - 1;
    }
    fputc('"', fp);
}

static void jstr(FILE *fp, const char *s)
{
    jstr_n(fp, (const uint8_t *)s, strlen(s));
}

static void jhost(FILE *fp, const struct trace *tr, int h)
{
    const char *n = trace_host_name(tr, h);
    if (n)
        jstr(fp, n);
    else
        fputs("null", fp);
}

static void json_rrs(FILE *fp, const char *key, const struct dns_rr *rr, int n)
{
    char t[600];
    fprintf(fp, ",\"%s\":[", key);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc(',', fp);
        jstr(fp, dns_rr_str(&rr[i], t, sizeof t));
    }
    fputc(']', fp);
}

/* The decoded DNS message under "dns" (the contract's field names). */
static void json_dns(FILE *fp, const struct frame *f)
{
    static struct dns_msg m;
    char err[64], t[32];
    if (dns_decode(f->payload, f->payload_len, &m, err, sizeof err) < 0)
        return;
    fprintf(fp, ",\"dns\":{\"id\":%u,\"qr\":%u,\"qname\":", m.id, m.qr);
    jstr(fp, m.qdcount ? m.qname : "");
    fputs(",\"qtype\":", fp);
    jstr(fp, dns_type_name(m.qtype, t, sizeof t));
    fputs(",\"rcode\":", fp);
    jstr(fp, dns_rcode_name(m.rcode, t, sizeof t));
    fprintf(fp, ",\"aa\":%u,\"rd\":%u,\"ra\":%u", m.aa, m.rd, m.ra);
    json_rrs(fp, "an", m.an, m.nan);
    json_rrs(fp, "ns", m.ns, m.nns);
    json_rrs(fp, "ar", m.ar, m.nar);
    fputc('}', fp);
}

static void json_arp(FILE *fp, const struct frame *f)
{
    struct arp_pkt ap;
    char a[20], m[24];
    if (arp_decode(f->payload, f->payload_len, &ap) < 0)
        return;
    fprintf(fp, ",\"arp\":{\"op\":\"%s\",\"sha\":\"%s\"",
            ap.op == ARP_OP_REQUEST ? "request" : "reply",
            mac_str(ap.sha, m, sizeof m));
    fprintf(fp, ",\"spa\":\"%s\"", ip4_str(ap.spa, a, sizeof a));
    fprintf(fp, ",\"tha\":\"%s\"", mac_str(ap.tha, m, sizeof m));
    fprintf(fp, ",\"tpa\":\"%s\"}", ip4_str(ap.tpa, a, sizeof a));
}

static void json_packet(FILE *fp, const struct trace *tr,
                        const struct trace_rec *r)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64], sum[256], fl[64];
    fputs(",\"src\":", fp);
    jhost(fp, tr, r->u.pkt.src);
    fputs(",\"dst\":", fp);
    jhost(fp, tr, r->u.pkt.dst);
    if (frame_decode(p, len, &f, err, sizeof err) != 0) {
        fputs(",\"proto\":\"eth\",\"summary\":", fp);
        jstr(fp, err);
        return;
    }
    int top = packet_top(&f);
    fprintf(fp, ",\"proto\":\"%s\",\"summary\":", trace_layer_name(top));
    jstr(fp, packet_summary(&f, sum, sizeof sum));
    fprintf(fp, ",\"frame_len\":%zu", len);
    if (f.l4 == IPPROTO_TCP_NUM) {
        fputs(",\"tcp\":{", fp);
        fprintf(fp, "\"sport\":%u,\"dport\":%u,\"seq\":%" PRIu32 ",\"ack\":%" PRIu32
                ",\"flags\":", f.tcp.sport, f.tcp.dport, f.tcp.seq, f.tcp.ack);
        jstr(fp, tcp_flags_str(f.tcp.flags, fl, sizeof fl));
        fprintf(fp, ",\"len\":%zu,\"win\":%u", f.payload_len, f.tcp.win);
        for (int i = 0; i < TCPOPT_COUNT; i++) {
            uint32_t v;
            if (tcp_opt_get(&f.tcp, i, &v))
                fprintf(fp, ",\"%s\":%" PRIu32, tcp_opt_table[i].name, v);
        }
        fputc('}', fp);
    } else if (f.l4 == IPPROTO_UDP_NUM) {
        fprintf(fp, ",\"udp\":{\"sport\":%u,\"dport\":%u,\"len\":%zu}",
                f.udp.sport, f.udp.dport, f.payload_len);
    }
    if (top == TL_DNS)
        json_dns(fp, &f);
    else if (top == TL_ARP)
        json_arp(fp, &f);
    if (r->u.pkt.dup)
        fputs(",\"dup\":true", fp);
    if (r->kind == TK_DROP) {
        fputs(",\"reason\":", fp);
        jstr(fp, drop_reason_str(r->u.pkt.reason));
    }
}

/* A --real record: "state" (a contract name, or "not observed", "call",
 * "packet", "not replayed", "info") and "source", as DESIGN.md says, plus
 * "event" and what that kind of record knows. */
static void json_real(FILE *fp, const struct trace *tr, const struct trace_rec *r)
{
    char fl[64];
    fputs(",\"state\":", fp);
    jstr(fp, real_state_label(r));
    fprintf(fp, ",\"source\":\"%s\",\"event\":\"%s\"",
            real_source_name(RR_SOURCE(r)), real_what_name(RR_WHAT(r)));
    switch (RR_WHAT(r)) {
    case RW_STATE:
        if (RR_VAL(r) >= 0)
            fprintf(fp, ",\"timer\":\"%s\",\"timer_ms\":%" PRId32,
                    r->why.id == N_REAL_SEEN_DIAG_TMR || r->why.id == N_REAL_SEEN_TW_FD
                        ? trace_str(tr, (uint32_t)r->why.a[1]) : "?",
                    RR_VAL(r));
        break;
    case RW_UNSEEN:
        fprintf(fp, ",\"missed\":\"%s\"", tcp_state_name(RR_STATE(r)));
        break;
    case RW_CALL:
        fprintf(fp, ",\"call\":\"%s\",\"ret\":%" PRId32,
                real_call_name(RR_STATE(r)), RR_VAL(r));
        break;
    case RW_PACKET:
        fputs(",\"src\":", fp);
        jstr(fp, trace_str(tr, (uint32_t)r->why.a[0]));
        fputs(",\"dst\":", fp);
        jstr(fp, trace_str(tr, (uint32_t)r->why.a[1]));
        fprintf(fp, ",\"tcp\":{\"sport\":%" PRId64 ",\"dport\":%" PRId64
                ",\"seq\":%" PRIu32 ",\"ack\":%" PRIu32 ",\"flags\":",
                r->why.a[2], r->why.a[3], RR_SEQ(r), RR_ACK(r));
        jstr(fp, tcp_flags_str(RR_FLAGS(r), fl, sizeof fl));
        fprintf(fp, ",\"len\":%" PRId32 ",\"relative\":true}", RR_VAL(r));
        break;
    default:
        break;
    }
}

int render_json(FILE *fp, const struct sim *s)
{
    const struct trace *tr = &s->tr;
    char why[1024];
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        /* a record's id is its line number from 0; "of" names the id of
         * the record it follows from (trace.h: trace_rec.of) */
        fprintf(fp, "{\"id\":%zu,\"t_us\":%" PRId64 ",\"kind\":\"%s\",\"host\":",
                i, r->t_us, real_kind_name(r));
        jhost(fp, tr, r->host);
        if (r->of)
            fprintf(fp, ",\"of\":%" PRIu32, r->of - 1);
        switch (r->kind) {
        case TK_STATE:
            fprintf(fp, ",\"layer\":\"%s\",\"from\":\"%s\",\"to\":\"%s\"",
                    trace_layer_name(r->layer),
                    trace_state_name(r->layer, r->u.state.from),
                    trace_state_name(r->layer, r->u.state.to));
            break;
        case TK_SEND: case TK_RECV: case TK_DROP:
            json_packet(fp, tr, r);
            break;
        case TK_TIMER:
            fprintf(fp, ",\"layer\":\"%s\",\"name\":\"%s\",\"action\":\"%s\"",
                    trace_layer_name(r->layer), timer_name_str(r->u.timer.name),
                    timer_action_str(r->u.timer.action));
            if (r->u.timer.action == TA_START)
                fprintf(fp, ",\"due_us\":%" PRId64, r->u.timer.due_us);
            break;
        case TK_NOTE:
            fputs(",\"text\":", fp);
            jstr(fp, trace_str(tr, r->u.note.text));
            break;
        case TK_APP: {
            fprintf(fp, ",\"layer\":\"%s\",\"call\":\"%s\",\"ret\":%" PRId32,
                    trace_layer_name(r->layer), app_call_name(r->u.app.call),
                    r->u.app.ret);
            if (r->u.app.data) {
                size_t n;
                const uint8_t *p = trace_blob_data(tr, r->u.app.data, &n);
                fputs(",\"data\":", fp);
                jstr_n(fp, p, n);
            }
            break;
        }
        case TK_EXT:
            if (real_is_rec(r))
                json_real(fp, tr, r);
            break;
        default:
            break;
        }
        if (r->conn) {
            fputs(",\"conn\":", fp);
            jstr(fp, trace_str(tr, r->conn));
        }
        trace_why(tr, r, why, sizeof why);
        if (r->kind != TK_NOTE) {
            fputs(",\"why\":", fp);
            jstr(fp, why);
        }
        fputs("}\n", fp);
    }
    if (s->truncated) {
        /* the last line says the trace is cut short, and by what */
        char lt[80];
        fprintf(fp, "{\"t_us\":%" PRId64 ",\"kind\":\"limit\",\"host\":",
                s->stop.t_us);
        jhost(fp, tr, s->stop.host);
        fprintf(fp, ",\"layer\":\"%s\",\"limit\":\"%s\",\"value\":%" PRIu64
                ",\"option\":\"%s\",\"cause\":", trace_layer_name(s->stop.layer),
                sim_limit_name(s->stop.limit), s->stop.value,
                sim_limit_option(s->stop.limit));
        jstr(fp, s->stop.cause);
        snprintf(why, sizeof why, "the run stopped at its %s",
                 sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt));
        fputs(",\"why\":", fp);
        jstr(fp, why);
        fputs("}\n", fp);
    }
    return ferror(fp) ? -1 : 0;
}

/* The capture shows what the receiving hosts saw: each frame once, when it
 * reached the host it was meant for — the IP destination, or for ARP and
 * other non-IP frames its first receiver — and a frame the network lost at
 * the moment it would have arrived, so the lesson's losses stay visible.
 * Hops through a router are not repeated (Wireshark would read the second
 * copy as a retransmission), and a copy made by the network appears twice.
 * Captured at the senders instead, a frame a fault delays would sit out of
 * order with the conversation it belongs to; captured at every hop, every
 * routed packet would appear once per link. */
struct cap { int64_t t; size_t rec; };

static int cap_cmp(const void *a, const void *b)
{
    const struct cap *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->rec < y->rec ? -1 : x->rec > y->rec;
}

static int passes_through(const struct trace *tr, const struct trace_rec *r)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
    struct frame f;
    char err[64];
    if (frame_decode(p, len, &f, err, sizeof err) != 0 || !f.has_ip)
        return 0;
    int owner = trace_host_by_addr(tr, f.ip.dst);
    /* meant for another host: just passing */
    return owner >= 0 && owner != r->host;
}

int render_pcap(FILE *fp, const struct trace *tr)
{
    if (pcap_write_header(fp) < 0)
        return -1;
    /* how many copies of each frame the network made, and how many we took */
    uint32_t *allowed = xcalloc(tr->nblobs, sizeof *allowed);
    uint32_t *taken = xcalloc(tr->nblobs, sizeof *taken);
    struct cap *caps = xcalloc(tr->n, sizeof *caps);
    size_t ncaps = 0;
    int rc = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind == TK_SEND && r->u.pkt.pkt < tr->nblobs)
            allowed[r->u.pkt.pkt]++;
    }
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        uint32_t pk = r->u.pkt.pkt;
        if ((r->kind != TK_RECV && r->kind != TK_DROP) || pk >= tr->nblobs)
            continue;
        if (r->kind == TK_DROP && !r->u.pkt.lost_at)
            continue;          /* dropped by a host, after it was received */
        if (r->kind == TK_RECV && passes_through(tr, r))
            continue;
        if (taken[pk] >= allowed[pk])
            continue;          /* a broadcast's other receivers */
        taken[pk]++;
        caps[ncaps].t = r->kind == TK_DROP ? r->u.pkt.lost_at : r->t_us;
        caps[ncaps++].rec = i;
    }
    qsort(caps, ncaps, sizeof *caps, cap_cmp);
    for (size_t i = 0; i < ncaps && rc == 0; i++) {
        size_t len;
        const uint8_t *p = trace_blob_data(tr, tr->recs[caps[i].rec].u.pkt.pkt,
                                           &len);
        if (pcap_write_frame(fp, caps[i].t, p, len) < 0)
            rc = -1;
    }
    free(allowed);
    free(taken);
    free(caps);
    if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
        rc = -1;
    return rc;
}
