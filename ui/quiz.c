/* quiz.c — the quiz points of a finished run: the lesson's `quiz` lines or the model's own questions, with deterministic plausible wrong choices (quiz.h says how). */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "alloc.h"
#include "arp.h"
#include "dns.h"
#include "i18n.h"
#include "lang.h"
#include "narrate.h"
#include "quiz.h"
#include "render.h"
#include "rng.h"
#include "tcp.h"
#include "wire.h"

/* A point being made: its choices as texts, the right one first. */
struct draft {
    char  *c[QUIZ_MAX_CHOICES];
    int    n;
};

static void draft_add(struct draft *d, const char *text)
{
    if (d->n == QUIZ_MAX_CHOICES || !text || !*text)
        return;
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->c[i], text))
            return;                       /* each choice once */
    d->c[d->n++] = xstrdup(text);
}

static void draft_num(struct draft *d, uint32_t v)
{
    char b[16];
    snprintf(b, sizeof b, "%" PRIu32, v);
    draft_add(d, b);
}

static void draft_free(struct draft *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->c[i]);
    d->n = 0;
}

/* The seeded generator of point k (same lesson and seed, same quiz). */
static void point_rng(struct rng *g, uint64_t seed, int k)
{
    rng_seed(g, seed ^ 0x71756971756971ULL ^ ((uint64_t)(k + 1) * 0x9E3779B97F4A7C15ULL));
}

/* Keeps the right answer (c[0]) and the first keep - 1 wrong ones (they
 * were added most plausible first), then shuffles them all into p with g,
 * so that the right answer's place changes from question to question. */
static void draft_finish(struct draft *d, struct rng *g, int keep, const char *question,
                         size_t rec, int kind, int line, struct quiz *q)
{
    while (d->n > keep)                   /* the most plausible come first */
        free(d->c[--d->n]);
    int order[QUIZ_MAX_CHOICES];
    for (int i = 0; i < d->n; i++)
        order[i] = i;
    for (int i = d->n - 1; i > 0; i--) {  /* Fisher-Yates */
        int j = (int)rng_below(g, (uint64_t)i + 1);
        int t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    q->p = xreallocarray(q->p, (size_t)q->n + 1, sizeof *q->p);
    struct quiz_point *p = &q->p[q->n++];
    memset(p, 0, sizeof *p);
    p->rec = rec;
    p->kind = kind;
    p->line = line;
    p->question = xstrdup(question);
    p->nchoices = d->n;
    p->answer = QUIZ_UNASKED;
    for (int i = 0; i < d->n; i++) {
        p->choice[i] = d->c[order[i]];
        if (order[i] == 0)
            p->right = i;
    }
    d->n = 0;                             /* the texts belong to p now */
}

/* ---- reading records ------------------------------------------------------ */

static int decode(const struct trace *tr, const struct trace_rec *r, struct frame *f)
{
    size_t len;
    char err[64];
    const uint8_t *b = trace_blob_data(tr, r->u.pkt.pkt, &len);
    return b && frame_decode(b, len, f, err, sizeof err) == 0;
}

static int is_tcp(const struct frame *f)
{
    return f->has_ip && f->l4 == IPPROTO_TCP_NUM;
}

/* The last TCP segment before record i that host h received from the
 * other end of (sport, dport) — the segment an ACK acknowledges; 0 none. */
static int last_received(const struct trace *tr, size_t i, int h, uint16_t sport,
                         uint16_t dport, struct frame *out)
{
    while (i-- > 0) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind != TK_RECV || r->host != h)
            continue;
        struct frame f;
        if (decode(tr, r, &f) && is_tcp(&f) && f.tcp.sport == dport && f.tcp.dport == sport) {
            *out = f;
            return 1;
        }
    }
    return 0;
}

/* The last TCP segment host h sent on (sport, dport) before record i. */
static int last_sent(const struct trace *tr, size_t i, int h, uint16_t sport,
                     uint16_t dport, struct frame *out)
{
    while (i-- > 0) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind != TK_SEND || r->host != h || r->u.pkt.dup)
            continue;
        struct frame f;
        if (decode(tr, r, &f) && is_tcp(&f) && f.tcp.sport == sport && f.tcp.dport == dport) {
            *out = f;
            return 1;
        }
    }
    return 0;
}

static const char *hname(const struct trace *tr, int h)
{
    const char *n = trace_host_name(tr, h);
    return n ? n : "?";
}

/* The host a segment is for: its IP destination (the frame may go to a
 * router on the way), by name, or the address when no host has it. */
static const char *ip_dst_name(const struct trace *tr, const struct frame *f, char *buf,
                               size_t n)
{
    int h = trace_host_by_addr(tr, f->ip.dst);
    return h >= 0 ? hname(tr, h) : ip4_str(f->ip.dst, buf, n);
}

/* ---- wrong choices -------------------------------------------------------- */

/* The states RFC 9293's diagram reaches from `from`, the right one aside.
 * Where it leaves only one way (LAST_ACK and TIME_WAIT lead only to
 * CLOSED), the wrong choices are staying in `from` and the other states
 * with an arrow into the right one. */
static void wrong_states(struct draft *d, int from, int right)
{
    int to[TCPS_NSTATES];
    int n = tcp_rfc_next(from, to, TCPS_NSTATES);
    for (int i = 0; i < n; i++)
        draft_add(d, tcp_state_name(to[i]));
    if (d->n >= 3)
        return;
    draft_add(d, tcp_state_name(from));
    for (int s = TCPS_NSTATES - 1; s >= 0; s--)   /* the later (closing) states first */
        if (s != right && tcp_rfc_arrow(s, right))
            draft_add(d, tcp_state_name(s));
}

/* An acknowledgement number a: the acknowledged segment's own seq (the
 * ACK of data is not its first byte), then one off either way. */
static void wrong_ack(struct draft *d, uint32_t a, const struct frame *acked, int have)
{
    if (have && acked->tcp.seq != a)
        draft_num(d, acked->tcp.seq);
    draft_num(d, a - 1);
    draft_num(d, a + 1);
    draft_num(d, a + 2);
}

/* A sequence number s: the previous segment's (not moved on), one off
 * either way, the number after this segment's data. */
static void wrong_seq(struct draft *d, uint32_t s, const struct frame *prev, int have,
                      size_t len)
{
    if (have && prev->tcp.seq != s)
        draft_num(d, prev->tcp.seq);
    draft_num(d, s - 1);
    draft_num(d, s + 1);
    if (len > 1)
        draft_num(d, s + (uint32_t)len);
    draft_num(d, s + 2);
}

static const char *const plausible_flags[] = {
    "SYN", "SYN,ACK", "ACK", "FIN,ACK", "RST", "RST,ACK", "PSH,ACK", "FIN",
};

/* ---- the lesson's quiz lines ---------------------------------------------- */

/* The right answer of quiz line qz, read from record r, and the default
 * wrong choices; 0 when the record cannot say (not a TCP segment, ...). */
static int lesson_answer(const struct scn_quiz *qz, const struct trace *tr, size_t i,
                         struct draft *d)
{
    const struct trace_rec *r = &tr->recs[i];
    if (qz->kind == QZ_STATE) {
        draft_add(d, tcp_state_name(r->u.state.to));
        wrong_states(d, r->u.state.from, r->u.state.to);
        return 1;
    }
    struct frame f;
    char b[64];
    if (!decode(tr, r, &f))
        return 0;
    if (qz->field == QF_TO) {
        /* a host, everyone, or an address no host has (a forged source) */
        const char *to = render_dst(tr, r, b, sizeof b);
        int bcast = !strcmp(to, "*");
        draft_add(d, bcast ? _("everyone (broadcast)") : to);
        if (!bcast)
            draft_add(d, _("everyone (broadcast)"));
        for (int h = 0; h < tr->nhosts; h++)
            if (h != r->u.pkt.src)
                draft_add(d, hname(tr, h));
        return 1;
    }
    if (qz->field == QF_LEN) {
        draft_num(d, (uint32_t)f.payload_len);
        draft_num(d, (uint32_t)f.payload_len + 1);
        if (f.payload_len)
            draft_num(d, (uint32_t)f.payload_len - 1);
        draft_num(d, f.payload_len ? 0 : 2);
        return 1;
    }
    if (!is_tcp(&f))
        return 0;
    struct frame o;
    int have;
    switch (qz->field) {
    case QF_FLAGS:
        draft_add(d, tcp_flags_str(f.tcp.flags, b, sizeof b));
        for (size_t k = 0; k < sizeof plausible_flags / sizeof plausible_flags[0]; k++)
            draft_add(d, plausible_flags[k]);
        return 1;
    case QF_SEQ:
        draft_num(d, f.tcp.seq);
        have = last_sent(tr, i, r->host, f.tcp.sport, f.tcp.dport, &o);
        wrong_seq(d, f.tcp.seq, &o, have, f.payload_len);
        return 1;
    case QF_ACK:
        draft_num(d, f.tcp.ack);
        have = last_received(tr, i, r->host, f.tcp.sport, f.tcp.dport, &o);
        wrong_ack(d, f.tcp.ack, &o, have);
        return 1;
    default:
        return 0;
    }
}

static int cmp_point(const void *a, const void *b)
{
    const struct quiz_point *x = a, *y = b;
    if (x->rec != y->rec)
        return x->rec < y->rec ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static void lesson_points(struct quiz *q, const struct scenario *scn,
                          const struct trace *tr, uint64_t seed)
{
    struct scn_quiz_finder *f = scn_quiz_finder_new(scn);
    for (size_t i = 0; i < tr->n; i++)
        scn_quiz_finder_rec(f, tr, i, &tr->recs[i]);
    q->from_lesson = 1;
    for (int k = 0; k < scn->nquizzes; k++) {
        const struct scn_quiz *qz = &scn->quizzes[k];
        long at = scn_quiz_finder_at(f, k);
        struct draft d = { { 0 }, 0 };
        if (at < 1 || !lesson_answer(qz, tr, (size_t)at, &d)) {
            /* no such record (--check names it), or the first record of
             * the run, before which nothing can be asked */
            q->missing++;
            draft_free(&d);
            continue;
        }
        struct rng g;
        point_rng(&g, seed, k);
        if (qz->nwrong) {                  /* the teacher's wrong choices only */
            while (d.n > 1)
                free(d.c[--d.n]);
            for (int w = 0; w < qz->nwrong; w++)
                draft_add(&d, scn_text(scn, qz->wrong[w], qz->wrong_zh[w]));
            draft_finish(&d, &g, QUIZ_MAX_CHOICES, scn_text(scn, qz->text, qz->text_zh),
                         (size_t)at, QK_LESSON, qz->line, q);
        } else {
            draft_finish(&d, &g, 4, scn_text(scn, qz->text, qz->text_zh), (size_t)at,
                         QK_LESSON, qz->line, q);
        }
    }
    scn_quiz_finder_free(f);
    if (q->n > 1)
        qsort(q->p, (size_t)q->n, sizeof *q->p, cmp_point);
    /* one question per record: a second line on the same record is dropped */
    int w = 0;
    for (int k = 0; k < q->n; k++) {
        if (w > 0 && q->p[w - 1].rec == q->p[k].rec) {
            struct quiz_point *p = &q->p[k];
            free(p->question);
            for (int c = 0; c < p->nchoices; c++)
                free(p->choice[c]);
            q->same++;
            continue;
        }
        q->p[w++] = q->p[k];
    }
    q->n = w;
}

/* ---- the model's own questions -------------------------------------------- */

/* For every record, the last TCP segment its host sent on the same (source
 * port, destination port) before it, as last_sent() would find it (-1
 * none; -1 too for a record that is no such segment).  One pass with a
 * table keyed by (host, ports): asking last_sent() of every segment
 * walked back over the whole run for each new port pair -- a SYN flood of
 * 100,000 forged sources answered with cookies did not finish in 30 s. */
struct seg_key { int32_t host; uint16_t sport, dport; int32_t last; };

static size_t seg_home(int32_t h, uint16_t sp, uint16_t dp, size_t mask)
{
    uint64_t k = (uint64_t)(uint32_t)h << 32 | (uint32_t)sp << 16 | dp;
    return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 29) & mask;
}

static int32_t *prev_sent_index(const struct trace *tr)
{
    int32_t *prev = xreallocarray(NULL, tr->n ? tr->n : 1, sizeof *prev);
    size_t cap = 64, used = 0;
    struct seg_key *t = xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        struct frame f;
        prev[i] = -1;
        if (r->kind != TK_SEND || r->u.pkt.dup || !decode(tr, r, &f) || !is_tcp(&f))
            continue;
        if (2 * (used + 1) > cap) {                 /* at most half full */
            struct seg_key *o = t;
            size_t oc = cap;
            cap *= 2;
            t = xcalloc(cap, sizeof *t);
            for (size_t k = 0; k < oc; k++) {
                if (!o[k].last)
                    continue;
                size_t j = seg_home(o[k].host, o[k].sport, o[k].dport, cap - 1);
                while (t[j].last)
                    j = (j + 1) & (cap - 1);
                t[j] = o[k];
            }
            free(o);
        }
        size_t j = seg_home(r->host, f.tcp.sport, f.tcp.dport, cap - 1);
        while (t[j].last && (t[j].host != r->host || t[j].sport != f.tcp.sport ||
                             t[j].dport != f.tcp.dport))
            j = (j + 1) & (cap - 1);
        if (t[j].last) {
            prev[i] = t[j].last - 1;
        } else {
            t[j].host = r->host;
            t[j].sport = f.tcp.sport;
            t[j].dport = f.tcp.dport;
            used++;
        }
        t[j].last = (int32_t)i + 1;
    }
    free(t);
    return prev;
}

/* What a record's narration might tell before a question is asked: its
 * predicate's third argument is what the question would ask. */
typedef int (*tells_fn)(const struct trace *tr, const struct trace_rec *p, const void *arg);

/* Does a record of host shown just before record i, at its instant (and
 * after the host's last send), tell what asking at record i would ask, so
 * that the question would test nothing? */
static int told_just_before(const struct trace *tr, size_t i, int host, tells_fn tells,
                            const void *arg)
{
    for (size_t j = i; j-- > 0;) {
        const struct trace_rec *p = &tr->recs[j];
        if (p->t_us != tr->recs[i].t_us || (p->kind == TK_SEND && p->host == host))
            return 0;
        if (p->host == host && p->why.id != 0 && tells(tr, p, arg))
            return 1;
    }
    return 0;
}

/* It quotes the number -- close()'s state change says "our FIN
 * (seq=5149)" before the FIN goes out. */
static int tells_number(const struct trace *tr, const struct trace_rec *p, const void *arg)
{
    (void)tr;
    for (int k = 0; k < 4; k++)
        if (p->why.a[k] == (int64_t)*(const uint32_t *)arg)
            return 1;
    return 0;
}

/* It is of the same connection and names the state it enters, as a word
 * -- the RTO's stop says "an RST sends the connection in SYN_RECEIVED back
 * to LISTEN" before the state changes (state names are never translated).
 * arg: the state record. */
static int tells_state(const struct trace *tr, const struct trace_rec *p, const void *arg)
{
    const struct trace_rec *r = arg;
    if (p->conn != r->conn)
        return 0;
    char why[1024];
    const char *name = tcp_state_name(r->u.state.to), *s = trace_why(tr, p, why, sizeof why);
    size_t n = strlen(name);
    for (const char *at = s; (at = strstr(at, name)) != NULL; at++) {
        int before = at > s && (isupper((unsigned char)at[-1]) || at[-1] == '_'),
            after = isupper((unsigned char)at[n]) || at[n] == '_';
        if (!before && !after)
            return 1;
    }
    return 0;
}

/* It is a state change of the host's ARP cache entry, which says how its
 * request goes: "ask the LAN who has it" before a broadcast, "requests
 * sent by unicast to its cached MAC address" before a probe. */
static int tells_arp_way(const struct trace *tr, const struct trace_rec *p, const void *arg)
{
    (void)tr;
    (void)arg;
    return p->layer == TL_ARP && p->kind == TK_STATE;
}

/* What a DNS reply holds, as the quiz asks it (the order of the choices,
 * most plausible wrong ones first). */
enum dns_reply_class { QDR_ANSWER, QDR_REFERRAL, QDR_NXDOMAIN, QDR_NODATA, QDR_SERVFAIL,
                       QDR_COUNT };

static const char *const dns_reply_text[QDR_COUNT] = {
    [QDR_ANSWER]   = N_("the answer: records for the name asked"),
    [QDR_REFERRAL] = N_("a referral: the servers of a zone closer to the name (NS records), no answer"),
    [QDR_NXDOMAIN] = N_("NXDOMAIN: the name does not exist"),
    [QDR_NODATA]   = N_("no data: the name exists, but has no record of that type"),
    [QDR_SERVFAIL] = N_("SERVFAIL: the server could not find an answer"),
};

/* The DNS message of frame f when it is a reply; m is large (static). */
static struct dns_msg *dns_reply_of(const struct frame *f)
{
    static struct dns_msg m;
    char err[64];
    if (!f->has_ip || f->l4 != IPPROTO_UDP_NUM || f->udp.sport != DNS_PORT ||
        dns_decode(f->payload, f->payload_len, &m, err, sizeof err) != 0 ||
        !m.qr || !m.qdcount)
        return NULL;
    return &m;
}

/* Its class (RFC 1035 4.1.1's RCODE; RFC 1034 4.3.2 for a referral, RFC
 * 2308 2.2 for no data), or -1 for a reply the quiz does not ask about. */
static int dns_reply_class(const struct dns_msg *m)
{
    switch (dns_reply_kind(m)) {
    case DNS_REPLY_ANSWER:   return QDR_ANSWER;
    case DNS_REPLY_REFERRAL: return QDR_REFERRAL;
    case DNS_REPLY_NXDOMAIN: return QDR_NXDOMAIN;
    case DNS_REPLY_NODATA:   return QDR_NODATA;
    case DNS_REPLY_ERROR:
        return m->rcode == DNS_RCODE_SERVFAIL ? QDR_SERVFAIL : -1;
    default:                 return -1;
    }
}

/* It is the host's own DNS narration, which says what the reply will hold
 * -- a resolver's "the cache holds ..." or "... does not exist" before it
 * answers.  (A server's own reasons ride on the reply itself.) */
static int tells_reply(const struct trace *tr, const struct trace_rec *p, const void *arg)
{
    (void)tr;
    (void)arg;
    return p->layer == TL_DNS && p->kind != TK_RECV;
}

/* Is record i a model quiz point?  Its kind, or -1.  prev: prev_sent_index. */
static int model_kind(const struct trace *tr, size_t i, struct frame *f,
                      const int32_t *prev)
{
    const struct trace_rec *r = &tr->recs[i];
    if (i == 0)
        return -1;
    if (r->kind == TK_STATE && r->layer == TL_TCP)
        return told_just_before(tr, i, r->host, tells_state, r) ? -1 : QK_STATE;
    if (r->kind != TK_SEND || r->u.pkt.dup || !decode(tr, r, f))
        return -1;
    if (f->eth.type == ETHERTYPE_ARP) {
        struct arp_pkt a;
        if (arp_decode(f->payload, f->payload_len, &a) == 0 && a.op == ARP_OP_REQUEST &&
            told_just_before(tr, i, r->host, tells_arp_way, NULL))
            return -1;
        return QK_BCAST;
    }
    if (r->layer == TL_DNS) {
        const struct dns_msg *m = dns_reply_of(f);
        if (!m || dns_reply_class(m) < 0 ||
            trace_host_by_addr(tr, f->ip.src) != r->host ||
            told_just_before(tr, i, r->host, tells_reply, NULL))
            return -1;
        return QK_DNS;
    }
    if (!is_tcp(f) || (f->tcp.flags & TCP_RST))
        return -1;
    /* a segment of the host's own, not one a router forwards */
    if (trace_host_by_addr(tr, f->ip.src) != r->host)
        return -1;
    if (f->tcp.flags & TCP_ACK) {
        struct frame o;
        /* a new acknowledgement: the number is the lesson */
        if (prev[i] < 0 || !decode(tr, &tr->recs[prev[i]], &o) ||
            !(o.tcp.flags & TCP_ACK) || o.tcp.ack != f->tcp.ack)
            return QK_ACK;
    }
    if (f->tcp.flags & TCP_SYN)
        return -1;                   /* an initial sequence number is chosen, not derived */
    if (told_just_before(tr, i, r->host, tells_number, &f->tcp.seq))
        return -1;
    return QK_SEQ;
}

static void model_point(struct quiz *q, const struct trace *tr, size_t i, int kind,
                        const struct frame *f, uint64_t seed)
{
    const struct trace_rec *r = &tr->recs[i];
    struct draft d = { { 0 }, 0 };
    char question[512], fl[64], b[2][64];
    struct frame o;
    int have;
    struct rng g;
    point_rng(&g, seed, q->n);
    switch (kind) {
    case QK_STATE:
        draft_add(&d, tcp_state_name(r->u.state.to));
        wrong_states(&d, r->u.state.from, r->u.state.to);
        snprintf(question, sizeof question,
                 _("%s's connection is in %s. Which state does it enter next?"),
                 hname(tr, r->host), tcp_state_name(r->u.state.from));
        break;
    case QK_ACK:
        draft_num(&d, f->tcp.ack);
        have = last_received(tr, i, r->host, f->tcp.sport, f->tcp.dport, &o);
        wrong_ack(&d, f->tcp.ack, &o, have);
        snprintf(question, sizeof question,
                 _("%s sends %s to %s. What is its acknowledgement number?"),
                 hname(tr, r->host), tcp_flags_str(f->tcp.flags, fl, sizeof fl),
                 ip_dst_name(tr, f, b[0], sizeof b[0]));
        break;
    case QK_SEQ:
        draft_num(&d, f->tcp.seq);
        have = last_sent(tr, i, r->host, f->tcp.sport, f->tcp.dport, &o);
        wrong_seq(&d, f->tcp.seq, &o, have, f->payload_len);
        if (f->payload_len)
            snprintf(question, sizeof question,
                     P_("%s sends %s with %zu byte of data to %s. What is its sequence "
                        "number?", "%s sends %s with %zu bytes of data to %s. What is its "
                        "sequence number?", f->payload_len),
                     hname(tr, r->host), tcp_flags_str(f->tcp.flags, fl, sizeof fl),
                     f->payload_len, ip_dst_name(tr, f, b[0], sizeof b[0]));
        else
            snprintf(question, sizeof question,
                     _("%s sends %s to %s. What is its sequence number?"),
                     hname(tr, r->host), tcp_flags_str(f->tcp.flags, fl, sizeof fl),
                     ip_dst_name(tr, f, b[0], sizeof b[0]));
        break;
    case QK_DNS: {
        const struct dns_msg *m = dns_reply_of(f);
        int right = m ? dns_reply_class(m) : -1;
        if (right < 0)
            return;
        draft_add(&d, _(dns_reply_text[right]));
        for (int c = 0; c < QDR_COUNT; c++)
            if (c != right)
                draft_add(&d, _(dns_reply_text[c]));
        char ty[16];
        snprintf(question, sizeof question,
                 _("%s replies to %s's question for %s %s. What does the reply hold?"),
                 hname(tr, r->host), ip_dst_name(tr, f, b[0], sizeof b[0]), m->qname,
                 dns_type_name(m->qtype, ty, sizeof ty));
        break;
    }
    default: {                       /* QK_BCAST */
        struct arp_pkt a;
        if (arp_decode(f->payload, f->payload_len, &a) != 0)
            return;
        ip4_str(a.tpa, b[0], sizeof b[0]);
        ip4_str(a.spa, b[1], sizeof b[1]);
        char one[160];
        snprintf(one, sizeof one, _("only the host that has %s (unicast)"), b[0]);
        if (r->u.pkt.dst == HOST_BROADCAST) {
            draft_add(&d, _("every host on the LAN (broadcast)"));
            draft_add(&d, one);
        } else {
            draft_add(&d, one);
            draft_add(&d, _("every host on the LAN (broadcast)"));
        }
        if (a.op == ARP_OP_REQUEST)
            snprintf(question, sizeof question,
                     _("%s asks who has %s (an ARP request). Where does the frame go?"),
                     hname(tr, r->host), b[0]);
        else
            /* the reply's target is named as RFC 826 names the field, not
             * as "a reply to" it, which would tell where the frame goes */
            snprintf(question, sizeof question,
                     _("%s answers that %s is at its MAC address (an ARP reply, target "
                       "protocol address %s). Where does the frame go?"),
                     hname(tr, r->host), b[1], b[0]);
        break;
    }
    }
    if (d.n < 2) {
        draft_free(&d);
        return;
    }
    draft_finish(&d, &g, 4, question, i, kind, 0, q);
}

/* The protocol a question is about: its share of the quiz. */
enum { QP_TCP, QP_DNS, QP_ARP, QP_COUNT };

static int kind_protocol(int kind)
{
    return kind == QK_BCAST ? QP_ARP : kind == QK_DNS ? QP_DNS : QP_TCP;
}

static void model_points(struct quiz *q, const struct trace *tr, uint64_t seed,
                         const uint8_t *crowd)
{
    size_t ncand[QP_COUNT] = { 0 }, nall[QP_COUNT] = { 0 }, total = 0;
    struct frame f;
    int32_t *prev = prev_sent_index(tr);
    for (size_t i = 0; i < tr->n; i++) {
        int kind = model_kind(tr, i, &f, prev);
        if (kind >= 0) {
            nall[kind_protocol(kind)]++;
            ncand[kind_protocol(kind)] += !crowd || !crowd[i];
        }
    }
    for (int p = 0; p < QP_COUNT; p++)
        total += ncand[p];
    if (!total) {                    /* nothing but the crowd: ask about it */
        memcpy(ncand, nall, sizeof ncand);
        crowd = NULL;
    }
    /* each protocol an equal share of the questions; one with fewer
     * candidates than its share leaves the rest to the others (the
     * first protocols in QP order take a remainder) */
    size_t want[QP_COUNT] = { 0 }, left = QUIZ_MODEL_MAX;
    for (int open = QP_COUNT; open > 0 && left > 0;) {
        int nopen = 0;
        for (int p = 0; p < QP_COUNT; p++)
            nopen += want[p] < ncand[p];
        if (!nopen)
            break;
        size_t share = left / (size_t)nopen, extra = left % (size_t)nopen;
        if (!share) {
            share = 1;
            extra = 0;
        }
        for (int p = 0; p < QP_COUNT && left > 0; p++) {
            if (want[p] >= ncand[p])
                continue;
            size_t add = share + (extra > 0);
            if (extra > 0)
                extra--;
            if (add > ncand[p] - want[p])
                add = ncand[p] - want[p];
            if (add > left)
                add = left;
            want[p] += add;
            left -= add;
        }
        open = nopen;
    }
    /* within a protocol, spread evenly: its candidate floor(taken * n / want) */
    size_t k[QP_COUNT] = { 0 }, taken[QP_COUNT] = { 0 };
    for (size_t i = 0; i < tr->n; i++) {
        int kind = crowd && crowd[i] ? -1 : model_kind(tr, i, &f, prev);
        if (kind < 0)
            continue;
        int p = kind_protocol(kind);
        if (taken[p] >= want[p])
            continue;
        size_t next = taken[p] * ncand[p] / want[p];
        if (k[p]++ != next)
            continue;
        model_point(q, tr, i, kind, &f, seed);
        taken[p]++;
    }
    free(prev);
}

/* ---- the quiz ------------------------------------------------------------- */

int quiz_build(struct quiz *q, const struct scenario *scn, const struct trace *tr,
               uint64_t seed, const uint8_t *crowd)
{
    memset(q, 0, sizeof *q);
    q->asking = -1;
    if (scn->nquizzes)
        lesson_points(q, scn, tr, seed);
    else
        model_points(q, tr, seed, crowd);
    return q->n;
}

void quiz_free(struct quiz *q)
{
    for (int k = 0; k < q->n; k++) {
        free(q->p[k].question);
        for (int c = 0; c < q->p[k].nchoices; c++)
            free(q->p[k].choice[c]);
    }
    free(q->p);
    memset(q, 0, sizeof *q);
    q->asking = -1;
}

void quiz_rebuild(struct quiz *q, struct quiz *old, const struct scenario *scn,
                  const struct trace *tr, uint64_t seed, const uint8_t *crowd)
{
    quiz_build(q, scn, tr, seed, crowd);
    for (int k = 0; k < q->n && k < old->n; k++)
        if (q->p[k].rec == old->p[k].rec)
            q->p[k].answer = old->p[k].answer;
    q->on = old->on;
    q->asking = old->asking < q->n ? old->asking : -1;
    q->revealed = old->revealed;
    quiz_free(old);
}

int quiz_score(const struct quiz *q, int *asked)
{
    int right = 0, n = 0;
    for (int k = 0; k < q->n; k++) {
        if (q->p[k].answer == QUIZ_UNASKED)
            continue;
        n++;
        right += q->p[k].answer == q->p[k].right;
    }
    if (asked)
        *asked = n;
    return right;
}

/* Case-insensitive equality with `-` and `_` the same (SYN-SENT). */
static int same_text(const char *a, const char *b, size_t n)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x == '-') x = '_';
        if (y == '-') y = '_';
        if (tolower(x) != tolower(y))
            return 0;
    }
    return 1;
}

int quiz_parse_answer(const struct quiz_point *p, const char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t n = strlen(text);
    while (n && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n' ||
                 text[n - 1] == '\r'))
        n--;
    if (!n)
        return -1;
    /* a choice's number first (the questions are printed numbered), so a
     * choice whose text is a small number is named by its text only when
     * that is no choice's number */
    int v = 0, digits = 1;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)text[i]) || v > 100) {
            digits = 0;
            break;
        }
        v = v * 10 + (text[i] - '0');
    }
    if (digits && v >= 1 && v <= p->nchoices)
        return v - 1;
    if (n == 1 && isalpha((unsigned char)text[0]) &&
        tolower((unsigned char)text[0]) - 'a' < p->nchoices)
        return tolower((unsigned char)text[0]) - 'a';
    for (int c = 0; c < p->nchoices; c++)
        if (same_text(text, p->choice[c], n))
            return c;
    return -1;
}

int quiz_gate(const struct quiz *q, size_t from, size_t to)
{
    for (int k = 0; k < q->n; k++)
        if (q->p[k].rec > from && q->p[k].rec <= to && q->p[k].answer == QUIZ_UNASKED)
            return k;
    return -1;
}
