/* compare.c — the model beside the kernel: for every connection, its
 * simulated state sequence aligned with the kernel's observed one, each
 * difference with the one sentence that explains it; and, when the capture
 * ran, the simulated segments aligned with the captured ones.  Pure: reads
 * a finished trace, prints nothing (ui/text.c and the UI draw the rows). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "narrate.h"
#include "real.h"
#include "tcp.h"
#include "trace.h"
#include "wire.h"

#define DEFAULT_POLL_US 2000

/* One item of a sequence: a state (or a segment's key) and its record. */
struct item {
    int64_t  key;
    int64_t  t;
    long     rec;           /* trace index */
};

struct seq {
    struct item *v;
    int      n, cap;
};

static void push(struct seq *s, int64_t key, int64_t t, long rec)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        s->v = xrealloc(s->v, (size_t)s->cap * sizeof *s->v);
    }
    s->v[s->n++] = (struct item){ key, t, rec };
}

/* How well a[i] pairs with b[j]: 0 not at all, more is better. */
typedef int (*pair_fn)(const void *ctx, int i, int j);

static int same_key(const void *ctx, int i, int j)
{
    const struct seq *const *ab = ctx;
    return ab[0]->v[i].key == ab[1]->v[j].key;
}

/* The best alignment of a and b (a weighted longest common subsequence);
 * match[i] is the index in b that a[i] is paired with, or -1.  Sequences
 * here are short (tens of items). */
static void lcs_w(const struct seq *a, const struct seq *b, int *match,
                  pair_fn w, const void *ctx)
{
    int n = a->n, m = b->n;
    int *L = xrealloc(NULL, (size_t)(n + 1) * (size_t)(m + 1) * sizeof *L);
#define AT(i, j) L[(size_t)(i) * (size_t)(m + 1) + (size_t)(j)]
    for (int i = n; i >= 0; i--)
        for (int j = m; j >= 0; j--) {
            if (i == n || j == m) {
                AT(i, j) = 0;
                continue;
            }
            int best = AT(i + 1, j) > AT(i, j + 1) ? AT(i + 1, j) : AT(i, j + 1);
            int wij = w(ctx, i, j);
            if (wij && AT(i + 1, j + 1) + wij > best)
                best = AT(i + 1, j + 1) + wij;
            AT(i, j) = best;
        }
    int i = 0, j = 0;
    for (int k = 0; k < n; k++)
        match[k] = -1;
    while (i < n && j < m) {
        int wij = w(ctx, i, j);
        if (wij && AT(i, j) == AT(i + 1, j + 1) + wij)
            match[i++] = j++;
        else if (AT(i + 1, j) >= AT(i, j + 1))
            i++;
        else
            j++;
    }
#undef AT
    free(L);
}

static void lcs(const struct seq *a, const struct seq *b, int *match)
{
    const struct seq *ab[2] = { a, b };
    lcs_w(a, b, match, same_key, ab);
}

/* Which way a connection closed: 1 actively (FIN_WAIT_1 and on), 2
 * passively (CLOSE_WAIT, LAST_ACK), 0 not at all. */
static int close_path(const struct seq *q)
{
    for (int i = 0; i < q->n; i++) {
        if (q->v[i].key == TCPS_CLOSE_WAIT || q->v[i].key == TCPS_LAST_ACK)
            return 2;
        if (q->v[i].key == TCPS_FIN_WAIT_1 || q->v[i].key == TCPS_FIN_WAIT_2 ||
            q->v[i].key == TCPS_CLOSING)
            return 1;
    }
    return 0;
}

static int closing_state(int st)
{
    return st == TCPS_FIN_WAIT_1 || st == TCPS_FIN_WAIT_2 || st == TCPS_CLOSING ||
           st == TCPS_TIME_WAIT || st == TCPS_CLOSE_WAIT || st == TCPS_LAST_ACK;
}

/* What the scenario does to the network that loopback does not. */
static int network_features(const struct scenario *scn)
{
    if (scn->nfaults)
        return 1;
    for (int i = 0; i < scn->nactions; i++)
        if (scn->actions[i].kind == ACT_INJECT)
            return 1;
    for (int i = 0; i < scn->nlinks; i++)
        if (scn->links[i].loss_ppm || scn->links[i].dup_ppm ||
            scn->links[i].reorder_ppm)
            return 1;
    for (int h = 0; h < scn->nhosts; h++)
        if (scn->hosts[h].tcp->two_way)
            return 1;
    return 0;
}

/* ---- states -------------------------------------------------------------- */

struct ctx {
    const struct trace *tr;
    const struct scenario *scn;
    int      network;
    int64_t  end_t;         /* when the replay stopped watching, -1 unknown */
    int64_t  poll_us;
};

static struct why explain_sim_only(const struct ctx *c, const struct seq *sim,
                                   int i, const struct seq *ker, int host)
{
    int st = (int)sim->v[i].key;
    int64_t t = sim->v[i].t;
    /* a listener's sequence starts CLOSED, LISTEN; a child's at LISTEN */
    int child = sim->n && sim->v[0].key == TCPS_LISTEN;
    int64_t msl2 = host >= 0 && host < c->scn->nhosts
                 ? 2 * c->scn->hosts[host].tcp->msl_us : 0;
    int sp = close_path(sim), kp = close_path(ker);
    if (st == TCPS_LISTEN && i == 0 && child)
        return WHY0(N_REAL_DIFF_CHILD_LISTEN);
    if (c->end_t >= 0 && t > c->end_t) {
        if (st == TCPS_CLOSED && i > 0 && sim->v[i - 1].key == TCPS_TIME_WAIT)
            return WHY(N_REAL_DIFF_TW_END, msl2);
        return WHY(N_REAL_DIFF_AFTER, st, t);
    }
    if (st == TCPS_SYN_SENT)
        return WHY0(N_REAL_DIFF_SYN_SENT);
    if (sp && kp && sp != kp && closing_state(st))
        return WHY0(N_REAL_DIFF_OTHER_PATH);
    if (c->network)
        return WHY(N_REAL_DIFF_NETWORK, st);
    switch (st) {
    case TCPS_SYN_RECEIVED: return WHY0(N_REAL_DIFF_SYN_RCVD);
    case TCPS_LAST_ACK:     return WHY0(N_REAL_DIFF_LAST_ACK);
    case TCPS_CLOSING:      return WHY0(N_REAL_DIFF_CLOSING);
    default:               return WHY(N_REAL_DIFF_FAST, st, c->poll_us);
    }
}

static struct why explain_kernel_only(const struct seq *sim,
                                     const struct seq *ker, int st)
{
    int sp = close_path(sim), kp = close_path(ker);
    if (sp && kp && sp != kp && closing_state(st))
        return WHY0(N_REAL_DIFF_SEQUENTIAL);
    return WHY(N_REAL_DIFF_KERNEL, st);
}

static void add_row(struct real_conn_table *t, int *cap, struct real_row row)
{
    if (t->nrows == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        t->rows = xrealloc(t->rows, (size_t)*cap * sizeof *t->rows);
    }
    t->rows[t->nrows++] = row;
}

static void build_conn(const struct ctx *c, struct real_conn_table *t)
{
    const struct trace *tr = c->tr;
    struct seq sim = { 0 }, ker = { 0 };
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->host != t->host || r->conn != t->conn)
            continue;
        if (r->kind == TK_STATE && r->layer == TL_TCP) {
            if (!sim.n)
                push(&sim, r->u.state.from, r->t_us, (long)i);
            push(&sim, r->u.state.to, r->t_us, (long)i);
        } else if (real_is_rec(r) && (RR_WHAT(r) == RW_STATE ||
                                      RR_WHAT(r) == RW_UNSEEN)) {
            /* the same state seen again (a refused connect is looked at
             * before and after) is one item */
            if (ker.n && ker.v[ker.n - 1].key == RR_STATE(r) &&
                RR_WHAT(&tr->recs[ker.v[ker.n - 1].rec]) == RR_WHAT(r))
                continue;
            push(&ker, RR_STATE(r), r->t_us, (long)i);
        }
    }
    t->replayed = ker.n > 0;
    int *match = xrealloc(NULL, (size_t)(sim.n + 1) * sizeof *match);
    lcs(&sim, &ker, match);
    int cap = 0, j = 0;
    for (int i = 0; i <= sim.n; i++) {
        int upto = i < sim.n && match[i] >= 0 ? match[i] : (i == sim.n ? ker.n : -1);
        /* kernel-only items before this one's partner */
        while (upto >= 0 && j < upto) {
            const struct trace_rec *kr = &tr->recs[ker.v[j].rec];
            struct real_row row = {
                .sim_state = -1, .ker_state = (int)ker.v[j].key, .sim_t = -1,
                .ker_t = ker.v[j].t, .ker_what = RR_WHAT(kr),
                .ker_source = RR_SOURCE(kr), .mark = RM_DIFF,
                .why = RR_WHAT(kr) == RW_UNSEEN ? kr->why
                     : explain_kernel_only(&sim, &ker, (int)ker.v[j].key),
            };
            add_row(t, &cap, row);
            j++;
        }
        if (i == sim.n)
            break;
        struct real_row row = {
            .sim_state = (int)sim.v[i].key, .ker_state = -1, .sim_t = sim.v[i].t,
            .ker_t = -1, .ker_what = -1, .ker_source = -1, .mark = RM_DIFF,
        };
        if (match[i] >= 0) {
            const struct trace_rec *kr = &tr->recs[ker.v[j].rec];
            row.ker_state = (int)ker.v[j].key;
            row.ker_t = ker.v[j].t;
            row.ker_what = RR_WHAT(kr);
            row.ker_source = RR_SOURCE(kr);
            if (RR_WHAT(kr) == RW_UNSEEN) {
                row.why = kr->why;
            } else if (row.sim_state == TCPS_TIME_WAIT) {
                int64_t msl2 = t->host < c->scn->nhosts
                             ? 2 * c->scn->hosts[t->host].tcp->msl_us : 0;
                int64_t left = RR_VAL(kr) >= 0
                             ? (int64_t)RR_VAL(kr) * 1000 : 60000000;
                row.mark = RM_DETAIL;
                row.why = WHY(N_REAL_DIFF_TW, left, msl2);
            } else {
                row.mark = RM_SAME;
                row.why = WHY0(N_REAL_NONE);
            }
            j++;
        } else if (!t->replayed) {
            row.why = i == 0 ? WHY0(N_REAL_DIFF_NOT_REPLAYED) : WHY0(N_REAL_NONE);
        } else {
            row.why = explain_sim_only(c, &sim, i, &ker, t->host);
        }
        add_row(t, &cap, row);
    }
    free(match);
    free(sim.v);
    free(ker.v);
}

/* ---- segments ------------------------------------------------------------ */

/* A segment's identity for the alignment: who sent it to whom, its flags
 * without PSH, and whether it carries data. */
/* A segment's key: its hosts whole (24 bits each: a lesson has at most
 * 10,000,000 lines, so fewer hosts), its flags and whether it carries
 * data.  The hosts were their indices' low 8 bits, which made hosts 256
 * apart one host: the alignment paired one's segments with the other's. */
#define PKT_HOST(h) ((int64_t)((h) & 0xffffff))
#define KEY_SRC(k)  ((int)(((k) >> 31) & 0xffffff))
#define KEY_DST(k)  ((int)(((k) >> 7) & 0xffffff))
#define KEY_FLAGS(k) ((int)(((k) >> 1) & 0x3f))
static int64_t pkt_key(int src, int dst, uint8_t flags, uint32_t len)
{
    /* PSH is the sender's business; an RST is an RST with or without ACK */
    flags &= (uint8_t)~TCP_PSH;
    if (flags & TCP_RST)
        flags &= (uint8_t)~TCP_ACK;
    return (PKT_HOST(src) << 31) | (PKT_HOST(dst) << 7) |
           ((int64_t)(flags & 0x3f) << 1) | (len ? 1 : 0);
}

/* The two sequences and the simulated segments' relative numbers. */
struct pkt_pair {
    const struct seq *sim, *ker;
    const uint32_t *seqs, *acks;
    const uint8_t *norep;           /* its connection was not replayed */
    const struct trace *tr;
};

/* A pair of the same kind weighs 1; with the same relative numbers, 2. */
static int pkt_weight(const void *ctx, int i, int j)
{
    const struct pkt_pair *p = ctx;
    if (p->sim->v[i].key != p->ker->v[j].key || p->norep[i] ||
        p->tr->recs[p->sim->v[i].rec].why.id == N_SEG_INJECT)
        return 0;                   /* an injected segment is never replayed */
    const struct trace_rec *kr = &p->tr->recs[p->ker->v[j].rec];
    return RR_SEQ(kr) == p->seqs[i] && RR_ACK(kr) == p->acks[i] ? 2 : 1;
}

static int host_by_name(const struct trace *tr, const char *name)
{
    for (int i = 0; i < tr->nhosts; i++)
        if (!strcmp(tr->host_names[i], name))
            return i;
    return -1;
}

struct dirbase {
    int      src, dst;
    uint16_t sport, dport;
    uint32_t isn;
    int      syn;
};

/* Is the model's connection that sent this segment one without a real
 * counterpart?  Its id is "host:port-peer:port" (sim_conn_name). */
static int not_replayed(const struct trace *tr, const struct real_compare *out,
                        int src, int dst, uint16_t sport, uint16_t dport)
{
    char name[160];
    if (src < 0 || dst < 0 || src >= tr->nhosts || dst >= tr->nhosts)
        return 0;
    snprintf(name, sizeof name, "%s:%u-%s:%u", tr->host_names[src], sport,
             tr->host_names[dst], dport);
    for (int k = 0; k < out->nconns; k++)
        if (out->conns[k].host == src &&
            !strcmp(trace_str(tr, out->conns[k].conn), name))
            return !out->conns[k].replayed;
    return 0;
}

static void build_packets(const struct ctx *c, struct real_compare *out)
{
    const struct trace *tr = c->tr;
    struct seq sim = { 0 }, ker = { 0 };
    struct dirbase *dirs = NULL;
    int ndirs = 0, capdirs = 0;
    uint32_t *seqs = NULL, *acks = NULL;
    uint8_t *norep = NULL;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_PACKET) {
            int dst = host_by_name(tr, trace_str(tr, (uint32_t)r->why.a[1]));
            push(&ker, pkt_key(r->host, dst, RR_FLAGS(r),
                               (uint32_t)RR_VAL(r)), r->t_us, (long)i);
            continue;
        }
        if (r->kind != TK_SEND || r->u.pkt.dup)
            continue;
        size_t len;
        const uint8_t *p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        struct frame f;
        char err[64];
        if (frame_decode(p, len, &f, err, sizeof err) != 0 ||
            f.l4 != IPPROTO_TCP_NUM)
            continue;
        int k;
        for (k = 0; k < ndirs; k++)
            if (dirs[k].src == r->u.pkt.src && dirs[k].dst == r->u.pkt.dst &&
                dirs[k].sport == f.tcp.sport && dirs[k].dport == f.tcp.dport)
                break;
        /* each direction's numbers count from its latest SYN (a new
         * connection on the same ports starts again); an injected segment
         * is shown against the numbers in use and never sets them */
        int inj = r->why.id == N_SEG_INJECT;
        if (k == ndirs && !inj) {
            if (ndirs == capdirs) {
                capdirs = capdirs ? capdirs * 2 : 8;
                dirs = xrealloc(dirs, (size_t)capdirs * sizeof *dirs);
            }
            dirs[ndirs++] = (struct dirbase){ r->u.pkt.src, r->u.pkt.dst,
                f.tcp.sport, f.tcp.dport, f.tcp.seq, 0 };
        }
        if (k < ndirs && !inj && (f.tcp.flags & TCP_SYN)) {
            dirs[k].isn = f.tcp.seq;
            dirs[k].syn = 1;
        }
        uint32_t base = k < ndirs ? dirs[k].isn : f.tcp.seq, rbase = 0;
        for (int q = 0; q < ndirs; q++)
            if (dirs[q].src == r->u.pkt.dst && dirs[q].dst == r->u.pkt.src &&
                dirs[q].sport == f.tcp.dport && dirs[q].dport == f.tcp.sport)
                rbase = dirs[q].isn;
        push(&sim, pkt_key(r->u.pkt.src, r->u.pkt.dst, f.tcp.flags,
                           (uint32_t)f.payload_len), r->t_us, (long)i);
        seqs = xrealloc(seqs, (size_t)sim.n * sizeof *seqs);
        acks = xrealloc(acks, (size_t)sim.n * sizeof *acks);
        norep = xrealloc(norep, (size_t)sim.n);
        norep[sim.n - 1] = (uint8_t)not_replayed(tr, out, r->u.pkt.src, r->u.pkt.dst,
                                                 f.tcp.sport, f.tcp.dport);
        seqs[sim.n - 1] = f.tcp.seq - base;
        acks[sim.n - 1] = (f.tcp.flags & TCP_ACK) ? f.tcp.ack - rbase : 0;
    }
    int *match = xrealloc(NULL, (size_t)(sim.n + 1) * sizeof *match);
    struct pkt_pair pp = { &sim, &ker, seqs, acks, norep, tr };
    lcs_w(&sim, &ker, match, pkt_weight, &pp);
    int cap = 0, j = 0;
    for (int i = 0; i <= sim.n; i++) {
        int upto = i < sim.n && match[i] >= 0 ? match[i] : (i == sim.n ? ker.n : -1);
        while (upto >= 0 && j < upto) {
            if (out->npkts == cap) {
                cap = cap ? cap * 2 : 32;
                out->pkts = xrealloc(out->pkts, (size_t)cap * sizeof *out->pkts);
            }
            out->pkts[out->npkts++] = (struct real_pkt_row){
                -1, ker.v[j].rec, 0, 0, RM_DIFF, WHY0(N_REAL_DIFF_PKT_REAL) };
            j++;
        }
        if (i == sim.n)
            break;
        struct real_pkt_row row = { sim.v[i].rec, -1, seqs[i], acks[i], RM_DIFF,
                                    WHY0(N_REAL_NONE) };
        if (match[i] >= 0) {
            const struct trace_rec *sr = &tr->recs[sim.v[i].rec];
            const struct trace_rec *kr = &tr->recs[ker.v[j].rec];
            row.ker_rec = ker.v[j++].rec;
            row.mark = RM_SAME;
            size_t flen;
            const uint8_t *fp = trace_blob_data(tr, sr->u.pkt.pkt, &flen);
            struct frame f;
            char err[64];
            if (frame_decode(fp, flen, &f, err, sizeof err) == 0 &&
                (f.tcp.flags & ~TCP_PSH) != (RR_FLAGS(kr) & ~TCP_PSH)) {
                row.mark = RM_DETAIL;
                row.why = WHY0(N_REAL_DIFF_PKT_RSTACK);
            } else if (RR_SEQ(kr) != seqs[i] || RR_ACK(kr) != acks[i]) {
                row.mark = RM_DETAIL;
                row.why = WHY0(N_REAL_DIFF_PKT_NUMBERS);
            }
        } else {
            const struct trace_rec *r = &tr->recs[sim.v[i].rec];
            int src = r->u.pkt.src, dst = r->u.pkt.dst, pair = 0;
            int s24 = (int)PKT_HOST(src), d24 = (int)PKT_HOST(dst);
            for (int q = 0; q < ker.n; q++) {
                int ks = KEY_SRC(ker.v[q].key), kd = KEY_DST(ker.v[q].key);
                if ((ks == s24 && kd == d24) || (ks == d24 && kd == s24))
                    pair = 1;
            }
            int flags = KEY_FLAGS(sim.v[i].key);
            if (r->why.id == N_SEG_INJECT || r->why.id == N_SEG_RETRANSMIT)
                row.why = WHY0(N_REAL_DIFF_PKT_NETWORK);
            else if (norep[i] || !pair)
                row.why = WHY0(N_REAL_DIFF_PKT_NR);
            else if (c->network)
                row.why = WHY0(N_REAL_DIFF_PKT_NETWORK);
            else if (flags == TCP_ACK && !(sim.v[i].key & 1))
                row.why = WHY0(N_REAL_DIFF_PKT_DELACK);
            else
                row.why = WHY0(N_REAL_DIFF_PKT_SIM);
        }
        if (out->npkts == cap) {
            cap = cap ? cap * 2 : 32;
            out->pkts = xrealloc(out->pkts, (size_t)cap * sizeof *out->pkts);
        }
        out->pkts[out->npkts++] = row;
    }
    free(match);
    free(sim.v);
    free(ker.v);
    free(dirs);
    free(seqs);
    free(acks);
    free(norep);
}

/* ---- the whole comparison ------------------------------------------------ */

void real_compare(const struct trace *tr, const struct scenario *scn,
                  struct real_compare *out)
{
    memset(out, 0, sizeof *out);
    struct ctx c = { tr, scn, network_features(scn), -1, DEFAULT_POLL_US };
    int capconns = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_INFO) {
            if (r->why.id == N_REAL_END)
                c.end_t = r->t_us;
            if (r->why.id == N_REAL_CAPTURE_ON)
                out->captured = 1;
        }
        if (real_is_rec(r) && RR_WHAT(r) == RW_UNSEEN &&
            r->why.id == N_REAL_UNSEEN_FAST)
            c.poll_us = r->why.a[1];
        int is_state = (r->kind == TK_STATE && r->layer == TL_TCP) ||
                       (real_is_rec(r) && (RR_WHAT(r) == RW_STATE ||
                                           RR_WHAT(r) == RW_UNSEEN));
        if (!is_state || !r->conn || r->host < 0)
            continue;
        int k;
        for (k = 0; k < out->nconns; k++)
            if (out->conns[k].host == r->host && out->conns[k].conn == r->conn)
                break;
        if (k < out->nconns)
            continue;
        if (out->nconns == capconns) {
            capconns = capconns ? capconns * 2 : 8;
            out->conns = xrealloc(out->conns, (size_t)capconns * sizeof *out->conns);
        }
        out->conns[out->nconns++] = (struct real_conn_table){ r->host, r->conn,
                                                              0, NULL, 0 };
    }
    /* grouped by host, in order of first appearance within a host */
    for (int a = 1; a < out->nconns; a++) {
        struct real_conn_table x = out->conns[a];
        int b = a;
        while (b > 0 && out->conns[b - 1].host > x.host) {
            out->conns[b] = out->conns[b - 1];
            b--;
        }
        out->conns[b] = x;
    }
    int any = 0;
    for (int k = 0; k < out->nconns; k++) {
        build_conn(&c, &out->conns[k]);
        any |= out->conns[k].replayed;
    }
    if (out->captured)
        build_packets(&c, out);
    if (any) {
        int fixed = 0;
        for (int h = 0; h < scn->nhosts; h++)
            fixed |= scn->hosts[h].tcp->n_isn > 0;
        out->general[out->ngeneral++] = fixed ? WHY0(N_REAL_DIFF_ISN_FIXED)
                                              : WHY0(N_REAL_DIFF_ISN_SEEDED);
        out->general[out->ngeneral++] = WHY0(N_REAL_DIFF_TIMING);
    }
}

void real_compare_free(struct real_compare *c)
{
    for (int k = 0; k < c->nconns; k++)
        free(c->conns[k].rows);
    free(c->conns);
    free(c->pkts);
    memset(c, 0, sizeof *c);
}
