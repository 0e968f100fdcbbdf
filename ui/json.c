/* json.c — the trace as JSON Lines (the contract in DESIGN.md), and the
 * trace's frames as a pcap file. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "narrate.h"
#include "utf8.h"
#include "output.h"
#include "alloc.h"
#include "i18n.h"
#include "pcap.h"
#include "arp.h"
#include "dns.h"
#include "language.h"
#include "render.h"
#include "summary.h"
#include "real.h"

/* Writes s as a JSON string (RFC 8259 section 7).  Text stays UTF-8 as
 * written; escaped are only what JSON requires -- the quote, the backslash
 * and the controls U+0000..U+001F -- plus DEL and the C1 controls, which
 * a terminal showing the output would act on, and U+2028/U+2029, which
 * end a line for JavaScript.  A byte that is not UTF-8 becomes U+FFFD, so
 * every line is valid JSON whatever the payload or the lesson holds.
 * in_script: the string goes inside an HTML <script> (--export html), so
 * < > & are escaped too and no text can close the script. */
void json_write_str(FILE *fp, const uint8_t *s, size_t n, int in_script)
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
        if (in_script && (c == '<' || c == '>' || c == '&')) {
            fprintf(fp, "\\u%04x", c);
            continue;
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
        int k = utf8_seq(s + i, n - i, &cp);
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

static void jstr_n(FILE *fp, const uint8_t *s, size_t n)
{
    json_write_str(fp, s, n, 0);
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

void json_begin(struct json_out *o, FILE *fp, const struct sim *s)
{
    o->fp = fp;
    o->s = s;
    o->err = 0;
    o->written = 0;
    chapters_begin(&o->ch, s->scn);
}

/* The first line says in which language its and every later line's "why"
 * is (DESIGN.md); the identifiers never change with it. */
static void json_lang(struct json_out *o)
{
    if (o->written++ == 0)
        fprintf(o->fp, ",\"lang\":\"%s\"", i18n_code(i18n_current()));
}

void json_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r)
{
    struct json_out *o = ctx;
    FILE *fp = o->fp;
    char why[1024];
    chapters_rec(&o->ch, tr, i, r);
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
    json_lang(o);
    fputs("}\n", fp);
    /* the run goes on after a failed write: keep the reason it failed */
    if (!o->err && ferror(fp))
        o->err = errno ? errno : EIO;
}

int json_finish(struct json_out *o)
{
    FILE *fp = o->fp;
    const struct sim *s = o->s;
    const struct trace *tr = &s->tr;
    char why[1024];
    /* the chapters (ui/chapters.h), after the records they name: "first"
     * and "last" are record ids; "phase" is "lesson" for a chapter line
     * of the scenario, else the protocol phase that made it */
    chapters_end(&o->ch);
    for (size_t k = 0; k < o->ch.n; k++) {
        const struct chapter *ch = &o->ch.v[k];
        fprintf(fp, "{\"t_us\":%" PRId64 ",\"kind\":\"chapter\",\"host\":null,"
                "\"n\":%zu,\"first\":%zu,\"last\":%zu,\"phase\":\"%s\",\"title\":",
                ch->t_us, k + 1, ch->first, ch->last, chapter_phase_name(ch->phase));
        jstr(fp, chapter_title(&o->ch, ch));
        json_lang(o);
        fputs("}\n", fp);
    }
    chapters_free(&o->ch);
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
        snprintf(why, sizeof why, _("the run stopped at its %s"),
                 sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt));
        fputs(",\"why\":", fp);
        jstr(fp, why);
        json_lang(o);
        fputs("}\n", fp);
    }
    if (o->err || ferror(fp)) {
        if (o->err)
            errno = o->err;
        return -1;
    }
    return 0;
}

int render_json(FILE *fp, const struct sim *s)
{
    struct json_out o;
    json_begin(&o, fp, s);
    for (size_t i = s->tr.first; i < s->tr.n; i++)
        json_sink(&o, &s->tr, i, trace_rec(&s->tr, i));
    return json_finish(&o);
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
struct pcap_cap { int64_t t; size_t rec; uint32_t pkt; };
/* per blob: its sends (copies the network made count again) and the
 * frames of it written; key = blob id + 1, 0 = empty */
struct pcap_seen { uint32_t key, allowed, taken; };

static int cap_before(const struct pcap_cap *x, const struct pcap_cap *y)
{
    return x->t != y->t ? x->t < y->t : x->rec < y->rec;
}

static void cap_push(struct pcap_out *o, struct pcap_cap c)
{
    if (o->ncaps == o->capcaps) {
        o->capcaps = o->capcaps ? o->capcaps * 2 : 64;
        o->caps = xreallocarray(o->caps, o->capcaps, sizeof *o->caps);
    }
    size_t i = o->ncaps++;
    while (i && cap_before(&c, &o->caps[(i - 1) / 2])) {
        o->caps[i] = o->caps[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    o->caps[i] = c;
}

static struct pcap_cap cap_pop(struct pcap_out *o)
{
    struct pcap_cap top = o->caps[0], last = o->caps[--o->ncaps];
    size_t i = 0;
    for (;;) {
        size_t k = 2 * i + 1;
        if (k >= o->ncaps)
            break;
        if (k + 1 < o->ncaps && cap_before(&o->caps[k + 1], &o->caps[k]))
            k++;
        if (!cap_before(&o->caps[k], &last))
            break;
        o->caps[i] = o->caps[k];
        i = k;
    }
    if (o->ncaps)
        o->caps[i] = last;
    return top;
}

static size_t seen_slot(const struct pcap_seen *t, size_t cap, uint32_t id)
{
    size_t j = (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
    while (t[j].key && t[j].key != id + 1)
        j = (j + 1) & (cap - 1);
    return j;
}

/* The table again at cap slots, without the blobs the trace has let go
 * of: no record will name them again. */
static void seen_rebuild(struct pcap_out *o, size_t cap)
{
    struct pcap_seen *t = xcalloc(cap, sizeof *t);
    size_t n = 0;
    for (size_t i = 0; i < o->capseen; i++) {
        const struct pcap_seen *e = &o->seen[i];
        if (e->key && trace_blob_live(o->tr, e->key - 1)) {
            t[seen_slot(t, cap, e->key - 1)] = *e;
            n++;
        }
    }
    free(o->seen);
    o->seen = t;
    o->capseen = cap;
    o->nseen = n;
}

static struct pcap_seen *seen_get(struct pcap_out *o, uint32_t id, int make)
{
    if (make && 2 * (o->nseen + 1) >= o->capseen) {
        if (o->capseen)
            seen_rebuild(o, o->capseen);
        if (4 * (o->nseen + 1) >= o->capseen)
            seen_rebuild(o, o->capseen ? o->capseen * 2 : 256);
    }
    if (!o->capseen)
        return NULL;
    struct pcap_seen *e = &o->seen[seen_slot(o->seen, o->capseen, id)];
    if (!e->key) {
        if (!make)
            return NULL;
        e->key = id + 1;
        o->nseen++;
    }
    return e;
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

int pcap_begin(struct pcap_out *o, FILE *fp, struct trace *tr, int live)
{
    memset(o, 0, sizeof *o);
    o->fp = fp;
    o->tr = tr;
    o->live = live;
    if (pcap_write_header(fp) < 0) {
        o->err = errno ? errno : EIO;
        return -1;
    }
    return 0;
}

/* Writes the waiting frames due by time t (all of them: INT64_MAX). */
static void pcap_flush(struct pcap_out *o, const struct trace *tr, int64_t t)
{
    while (o->ncaps && o->caps[0].t <= t) {
        struct pcap_cap c = cap_pop(o);
        size_t len;
        const uint8_t *p = trace_blob_data(tr, c.pkt, &len);
        if (!o->err && pcap_write_frame(o->fp, c.t, p, len) < 0)
            o->err = errno ? errno : EIO;
        trace_blob_release(o->tr, c.pkt);
    }
}

void pcap_sink(void *ctx, const struct trace *tr, size_t i,
               const struct trace_rec *r)
{
    struct pcap_out *o = ctx;
    uint32_t pk = r->u.pkt.pkt;
    struct pcap_seen *e;
    if (r->kind == TK_SEND) {
        if ((e = seen_get(o, pk, 1)))
            e->allowed++;
    } else if ((r->kind == TK_RECV || r->kind == TK_DROP) &&
               /* dropped by a host, after it was received */
               (r->kind != TK_DROP || r->u.pkt.lost_at) &&
               (r->kind != TK_RECV || !passes_through(tr, r)) &&
               /* a broadcast's other receivers */
               (e = seen_get(o, pk, 0)) && e->taken < e->allowed) {
        e->taken++;
        cap_push(o, (struct pcap_cap){ r->kind == TK_DROP ? r->u.pkt.lost_at
                                                          : r->t_us, i, pk });
        trace_blob_hold(o->tr, pk);
    }
    /* the records come in time order: what is due by now can go */
    if (o->live)
        pcap_flush(o, tr, r->t_us);
}

int pcap_finish(struct pcap_out *o)
{
    pcap_flush(o, o->tr, INT64_MAX);
    free(o->caps);
    free(o->seen);
    int err = o->err;
    if (!err && (fflush(o->fp) != 0 || ferror(o->fp)))
        err = errno ? errno : EIO;
    memset(o, 0, sizeof *o);
    if (err) {
        errno = err;
        return -1;
    }
    return 0;
}

int render_pcap(FILE *fp, const struct trace *tr)
{
    struct pcap_out o;
    /* a trace kept whole is not changed: holding a blob does nothing */
    struct trace *t = (struct trace *)tr;
    if (pcap_begin(&o, fp, t, 0) < 0) {
        pcap_finish(&o);
        return -1;
    }
    for (size_t i = tr->first; i < tr->n; i++)
        pcap_sink(&o, tr, i, trace_rec(tr, i));
    return pcap_finish(&o);
}
