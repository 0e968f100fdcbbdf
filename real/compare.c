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
#include "realrec.h"
#include "rmap.h"
#include "tcp.h"
#include "trace.h"
#include "wire.h"

#define DEFAULT_POLL_US 2000

/* One item of a sequence: a state (or a segment's key) and its record. */
struct item {
    int      key;
    int64_t  t;
    long     rec;           /* trace index */
};

struct seq {
    struct item *v;
    int      n, cap;
};

static void push(struct seq *s, int key, int64_t t, long rec)
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
    int      lost;          /* the capture lost segments */
    int      blind;         /* no NETLINK_SOCK_DIAG: a socket without a
                               descriptor was not looked at */
};

/* stayed: the kernel's last state, seen (not inferred) and paired with a
 * state of the model before i, or -1: the kernel was still there at the
 * end (the replay looks at every endpoint once more before it stops). */
static struct why explain_sim_only(const struct ctx *c, const struct seq *sim,
                                   int i, const struct seq *ker, int host,
                                   int stayed)
{
    int st = sim->v[i].key;
    int64_t t = sim->v[i].t;
    /* a listener's sequence starts CLOSED, LISTEN; a child's at LISTEN */
    int child = sim->n && sim->v[0].key == TCPS_LISTEN;
    int64_t msl2 = host >= 0 && host < c->scn->nhosts
                 ? 2 * c->scn->hosts[host].tcp->msl_us : 0;
    int sp = close_path(sim), kp = close_path(ker);
    if (st == TCPS_LISTEN && i == 0 && child)
        return WHY0(N_REAL_DIFF_CHILD_LISTEN);
    /* a kernel still in TIME_WAIT has the sentences of the end below */
    if (stayed >= 0 && stayed != TCPS_TIME_WAIT)
        return WHY(N_REAL_DIFF_STAYED, stayed);
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

/* A connection's row table from its two sequences: the model's states and
 * the kernel's (collected for every connection in one pass, collect_conns). */
static void build_conn(const struct ctx *c, struct real_conn_table *t,
                       struct seq sim, struct seq ker)
{
    const struct trace *tr = c->tr;
    t->replayed = ker.n > 0;
    int *match = xrealloc(NULL, (size_t)(sim.n + 1) * sizeof *match);
    lcs(&sim, &ker, match);
    /* the model's state paired with the kernel's last one, if that one was
     * seen: past it the kernel did not go */
    int last_pair = sim.n, last_state = -1;
    if (ker.n && !c->blind && RR_WHAT(&tr->recs[ker.v[ker.n - 1].rec]) == RW_STATE)
        for (int i = 0; i < sim.n; i++)
            if (match[i] == ker.n - 1) {
                last_pair = i;
                last_state = ker.v[ker.n - 1].key;
            }
    int cap = 0, j = 0;
    for (int i = 0; i <= sim.n; i++) {
        int upto = i < sim.n && match[i] >= 0 ? match[i] : (i == sim.n ? ker.n : -1);
        /* kernel-only items before this one's partner */
        while (upto >= 0 && j < upto) {
            const struct trace_rec *kr = &tr->recs[ker.v[j].rec];
            struct real_row row = {
                .sim_state = -1, .ker_state = ker.v[j].key, .sim_t = -1,
                .ker_t = ker.v[j].t, .ker_what = RR_WHAT(kr),
                .ker_source = RR_SOURCE(kr), .mark = RM_DIFF,
                .why = RR_WHAT(kr) == RW_UNSEEN ? kr->why
                     : explain_kernel_only(&sim, &ker, ker.v[j].key),
            };
            add_row(t, &cap, row);
            j++;
        }
        if (i == sim.n)
            break;
        struct real_row row = {
            .sim_state = sim.v[i].key, .ker_state = -1, .sim_t = sim.v[i].t,
            .ker_t = -1, .ker_what = -1, .ker_source = -1, .mark = RM_DIFF,
        };
        if (match[i] >= 0) {
            const struct trace_rec *kr = &tr->recs[ker.v[j].rec];
            row.ker_state = ker.v[j].key;
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
            row.why = i > 0 ? WHY0(N_REAL_NONE)
                    : t->failed.id ? WHY(N_REAL_DIFF_OPEN_FAILED, t->failed.a[0],
                                         t->failed.a[1])
                    : WHY0(N_REAL_DIFF_NOT_REPLAYED);
        } else {
            row.why = explain_sim_only(c, &sim, i, &ker, t->host,
                                       i > last_pair ? last_state : -1);
        }
        add_row(t, &cap, row);
    }
    free(match);
    free(sim.v);
    free(ker.v);
}

/* ---- segments ------------------------------------------------------------ */

/* A segment's identity for the alignment within its flow (the flow says
 * who sent it to whom): its flags without PSH, and whether it carries
 * data. */
static int pkt_key(uint8_t flags, uint32_t len)
{
    /* PSH is the sender's business; an RST is an RST with or without ACK */
    flags &= (uint8_t)~TCP_PSH;
    if (flags & TCP_RST)
        flags &= (uint8_t)~TCP_ACK;
    return ((flags & 0x3f) << 8) | (len ? 1 : 0);
}

/* Hosts by name, by hash (a crowd has thousands). */
struct name_index {
    const struct trace *tr;
    struct rmap m;
};

struct name_key { const struct trace *tr; const char *name; };

static int name_eq(const void *ctx, int v)
{
    const struct name_key *k = ctx;
    return !strcmp(k->tr->host_names[v], k->name);
}

static void names_build(struct name_index *x, const struct trace *tr)
{
    memset(x, 0, sizeof *x);
    x->tr = tr;
    for (int i = 0; i < tr->nhosts; i++) {
        struct name_key k = { tr, tr->host_names[i] };
        uint64_t h = rmap_str(tr->host_names[i], 0);
        if (rmap_get(&x->m, h, name_eq, &k) < 0)
            rmap_put(&x->m, h, i);
    }
}

static int host_by_name(const struct name_index *x, const char *name)
{
    struct name_key k = { x->tr, name };
    return name ? rmap_get(&x->m, rmap_str(name, 0), name_eq, &k) : -1;
}

/* The connections of the comparison by hash: by host and connection id,
 * and by host and the id's text (a segment names its connection by its
 * endpoints, "host:port-peer:port", as sim_conn_name does). */
struct conn_index {
    const struct trace *tr;
    const struct real_compare *out;
    struct rmap id, text;
};

struct conn_key {
    const struct conn_index *x;
    int      host;
    uint32_t conn;
    const char *text;
};

static int conn_id_eq(const void *ctx, int v)
{
    const struct conn_key *k = ctx;
    return k->x->out->conns[v].host == k->host &&
           k->x->out->conns[v].conn == k->conn;
}

static int conn_text_eq(const void *ctx, int v)
{
    const struct conn_key *k = ctx;
    const struct real_conn_table *t = &k->x->out->conns[v];
    return t->host == k->host && !strcmp(trace_str(k->x->tr, t->conn), k->text);
}

static int conn_by_id(const struct conn_index *x, int host, uint32_t conn)
{
    struct conn_key k = { x, host, conn, NULL };
    return rmap_get(&x->id, rmap_mix((uint32_t)host, conn), conn_id_eq, &k);
}

/* Indexes out->conns[from ..) (by id only when text is 0). */
static void conn_index_add(struct conn_index *x, int from, int text)
{
    for (int k = from; k < x->out->nconns; k++) {
        const struct real_conn_table *t = &x->out->conns[k];
        rmap_put(&x->id, rmap_mix((uint32_t)t->host, t->conn), k);
        if (text)
            rmap_put(&x->text, rmap_str(trace_str(x->tr, t->conn),
                                        (uint32_t)t->host), k);
    }
}

/* Is the model's connection that sent this segment one without a real
 * counterpart (1; 2 when its opening call failed on lo)?  Its id is
 * "host:port-peer:port" (sim_conn_name). */
static int not_replayed(const struct conn_index *x, int src, int dst,
                        uint16_t sport, uint16_t dport)
{
    const struct trace *tr = x->tr;
    char name[160];
    if (src < 0 || dst < 0 || src >= tr->nhosts || dst >= tr->nhosts)
        return 0;
    snprintf(name, sizeof name, "%s:%u-%s:%u", tr->host_names[src], sport,
             tr->host_names[dst], dport);
    struct conn_key k = { x, src, 0, name };
    int i = rmap_get(&x->text, rmap_str(name, (uint32_t)src), conn_text_eq, &k);
    if (i < 0 || x->out->conns[i].replayed)
        return 0;
    return x->out->conns[i].failed.id ? 2 : 1;
}

/* ---- segments, one connection's direction at a time -------------------- */

/* A direction of a connection in the model's terms: sender and receiver
 * host and the scenario's ports.  Segments are aligned within their
 * direction only (the kernel's and the model's orders of two connections,
 * or of a connection's two directions, say nothing about each other), so
 * the cost grows with the segments, not with their square. */
struct flow { int src, dst; uint16_t sport, dport; };

struct flow_key { const struct flow *v; struct flow f; };

static uint64_t flow_hash(struct flow f)
{
    return rmap_mix(rmap_mix((uint32_t)f.src, (uint32_t)f.dst),
                    (uint64_t)f.sport << 16 | f.dport);
}

static int flow_eq(const void *ctx, int v)
{
    const struct flow_key *k = ctx;
    const struct flow *a = &k->v[v];
    return a->src == k->f.src && a->dst == k->f.dst &&
           a->sport == k->f.sport && a->dport == k->f.dport;
}

/* The index of flow f in *v, added when new. */
static int flow_id(struct rmap *m, struct flow **v, size_t *n, struct flow f)
{
    struct flow_key k = { *v, f };
    uint64_t h = flow_hash(f);
    int i = rmap_get(m, h, flow_eq, &k);
    if (i >= 0)
        return i;
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[*n] = f;
    rmap_put(m, h, (int)*n);
    return (int)(*n)++;
}

/* Each direction's numbers count from its latest SYN (a new connection on
 * the same ports starts again). */
struct dirbase { uint32_t isn; int seen; };

/* Every simulated and every captured segment, in trace order. */
struct segs {
    struct seq sim, ker;
    uint32_t *seqs, *acks;          /* per simulated segment */
    uint8_t  *norep;
    int      *sflow, *kflow;        /* each one's flow */
    int       cap;
};

/* A pair of the same kind weighs 1; with the same relative numbers, 2.
 * i and j index a flow's own items: gs and gk give their places in segs. */
struct pkt_pair {
    const struct segs *sg;
    const int *gs, *gk;
    const struct trace *tr;
};

static int pkt_weight(const void *ctx, int i, int j)
{
    const struct pkt_pair *p = ctx;
    int si = p->gs[i], kj = p->gk[j];
    const struct segs *sg = p->sg;
    if (sg->sim.v[si].key != sg->ker.v[kj].key || sg->norep[si] ||
        p->tr->recs[sg->sim.v[si].rec].why.id == N_SEG_INJECT)
        return 0;                   /* an injected segment is never replayed */
    const struct trace_rec *kr = &p->tr->recs[sg->ker.v[kj].rec];
    return RR_SEQ(kr) == sg->seqs[si] && RR_ACK(kr) == sg->acks[si] ? 2 : 1;
}

/* A row and where it goes: rows are shown in the order of the model's
 * segments, a captured segment without a partner just before the next
 * segment its flow pairs (at the end when none follows). */
struct placed {
    struct real_pkt_row row;
    long     at;                    /* the model's segment it goes with */
    int      after;                 /* 0 before that segment, 1 the segment */
    long     k;                     /* a captured segment's place, to break ties */
};

static int cmp_placed(const void *x, const void *y)
{
    const struct placed *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->after != b->after)
        return a->after - b->after;
    return a->k < b->k ? -1 : a->k > b->k;
}

static struct real_pkt_row sim_row(const struct ctx *c, const struct segs *sg,
                                   const struct rmap *pairs, int si, int kj)
{
    const struct trace *tr = c->tr;
    struct real_pkt_row row = { sg->sim.v[si].rec, -1, sg->seqs[si], sg->acks[si],
                                RM_DIFF, WHY0(N_REAL_NONE) };
    if (kj >= 0) {
        const struct trace_rec *sr = &tr->recs[sg->sim.v[si].rec];
        const struct trace_rec *kr = &tr->recs[sg->ker.v[kj].rec];
        row.ker_rec = sg->ker.v[kj].rec;
        row.mark = RM_SAME;
        size_t flen;
        const uint8_t *fp = trace_blob_data(tr, sr->u.pkt.pkt, &flen);
        struct frame f;
        char err[64];
        if (frame_decode(fp, flen, &f, err, sizeof err) == 0 &&
            (f.tcp.flags & ~TCP_PSH) != (RR_FLAGS(kr) & ~TCP_PSH)) {
            row.mark = RM_DETAIL;
            row.why = WHY0(N_REAL_DIFF_PKT_RSTACK);
        } else if (RR_SEQ(kr) != sg->seqs[si] || RR_ACK(kr) != sg->acks[si]) {
            row.mark = RM_DETAIL;
            row.why = WHY0(c->lost ? N_REAL_DIFF_PKT_NUMBERS_LOST
                                   : N_REAL_DIFF_PKT_NUMBERS);
        }
        return row;
    }
    const struct trace_rec *r = &tr->recs[sg->sim.v[si].rec];
    int src = r->u.pkt.src, dst = r->u.pkt.dst;
    int lo = src < dst ? src : dst, hi = src < dst ? dst : src;
    /* did the kernel send anything between these two hosts? */
    int pair = rmap_get(pairs, rmap_mix((uint32_t)lo, (uint32_t)hi), NULL, NULL) >= 0;
    int flags = (sg->sim.v[si].key >> 8) & 0x3f;
    if (r->why.id == N_SEG_INJECT || r->why.id == N_SEG_RETRANSMIT)
        row.why = WHY0(N_REAL_DIFF_PKT_NETWORK);
    else if (sg->norep[si] == 2)
        row.why = WHY0(N_REAL_DIFF_PKT_FAILED);
    else if (sg->norep[si] || !pair)
        row.why = WHY0(N_REAL_DIFF_PKT_NR);
    else if (c->network)
        row.why = WHY0(N_REAL_DIFF_PKT_NETWORK);
    else if (c->lost)
        row.why = WHY0(N_REAL_DIFF_PKT_UNCAUGHT);
    else if (flags == TCP_ACK && !(sg->sim.v[si].key & 1))
        row.why = WHY0(N_REAL_DIFF_PKT_DELACK);
    else
        row.why = WHY0(N_REAL_DIFF_PKT_SIM);
    return row;
}

static void collect_segs(const struct ctx *c, const struct conn_index *cx,
                         struct segs *sg, struct rmap *flows_m,
                         struct flow **flows, size_t *nflows, struct rmap *pairs)
{
    const struct trace *tr = c->tr;
    struct name_index names;
    names_build(&names, tr);
    struct dirbase *dirs = NULL;    /* per flow */
    size_t ndirs = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_PACKET) {
            int dst = host_by_name(&names, trace_str(tr, (uint32_t)r->why.a[1]));
            struct flow f = { r->host, dst, RR_SIM_SPORT(r), RR_SIM_DPORT(r) };
            int lo = r->host < dst ? r->host : dst, hi = r->host < dst ? dst : r->host;
            uint64_t ph = rmap_mix((uint32_t)lo, (uint32_t)hi);
            if (rmap_get(pairs, ph, NULL, NULL) < 0)
                rmap_put(pairs, ph, 0);
            if (sg->ker.n == sg->ker.cap)
                sg->kflow = xreallocarray(sg->kflow, sg->ker.cap ? 2 * (size_t)sg->ker.cap
                                                                 : 16, sizeof *sg->kflow);
            sg->kflow[sg->ker.n] = flow_id(flows_m, flows, nflows, f);
            push(&sg->ker, pkt_key(RR_FLAGS(r), (uint32_t)RR_VAL(r)),
                 r->t_us, (long)i);
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
        struct flow fl = { r->u.pkt.src, r->u.pkt.dst, f.tcp.sport, f.tcp.dport };
        struct flow rev = { r->u.pkt.dst, r->u.pkt.src, f.tcp.dport, f.tcp.sport };
        int k = flow_id(flows_m, flows, nflows, fl);
        int q = flow_id(flows_m, flows, nflows, rev);
        if (*nflows > ndirs) {
            dirs = xreallocarray(dirs, *nflows, sizeof *dirs);
            memset(dirs + ndirs, 0, (*nflows - ndirs) * sizeof *dirs);
            ndirs = *nflows;
        }
        /* an injected segment is shown against the numbers in use and
         * never sets them */
        int inj = r->why.id == N_SEG_INJECT;
        if (!dirs[k].seen && !inj)
            dirs[k] = (struct dirbase){ f.tcp.seq, 1 };
        if (dirs[k].seen && !inj && (f.tcp.flags & TCP_SYN))
            dirs[k].isn = f.tcp.seq;
        uint32_t base = dirs[k].seen ? dirs[k].isn : f.tcp.seq;
        uint32_t rbase = dirs[q].seen ? dirs[q].isn : 0;
        if (sg->sim.n == sg->cap) {
            size_t cap = sg->cap ? 2 * (size_t)sg->cap : 16;
            sg->seqs = xreallocarray(sg->seqs, cap, sizeof *sg->seqs);
            sg->acks = xreallocarray(sg->acks, cap, sizeof *sg->acks);
            sg->norep = xreallocarray(sg->norep, cap, 1);
            sg->sflow = xreallocarray(sg->sflow, cap, sizeof *sg->sflow);
            sg->cap = (int)cap;
        }
        int n = sg->sim.n;
        sg->norep[n] = (uint8_t)not_replayed(cx, r->u.pkt.src, r->u.pkt.dst,
                                             f.tcp.sport, f.tcp.dport);
        sg->seqs[n] = f.tcp.seq - base;
        sg->acks[n] = (f.tcp.flags & TCP_ACK) ? f.tcp.ack - rbase : 0;
        sg->sflow[n] = k;
        push(&sg->sim, pkt_key(f.tcp.flags, (uint32_t)f.payload_len), r->t_us, (long)i);
    }
    free(dirs);
    rmap_free(&names.m);
}

static void build_packets(const struct ctx *c, const struct conn_index *cx,
                          struct real_compare *out)
{
    struct segs sg = { 0 };
    struct rmap flows_m = { 0 }, pairs = { 0 };
    struct flow *flows = NULL;
    size_t nflows = 0;
    collect_segs(c, cx, &sg, &flows_m, &flows, &nflows, &pairs);

    /* each flow's items, in order: a counting sort of both sequences */
    size_t nf = nflows;
    size_t *so = xcalloc(nf + 1, sizeof *so), *ko = xcalloc(nf + 1, sizeof *ko);
    for (int i = 0; i < sg.sim.n; i++)
        so[sg.sflow[i] + 1]++;
    for (int j = 0; j < sg.ker.n; j++)
        ko[sg.kflow[j] + 1]++;
    for (size_t f = 0; f < nf; f++) {
        so[f + 1] += so[f];
        ko[f + 1] += ko[f];
    }
    int *gs = xreallocarray(NULL, (size_t)sg.sim.n + 1, sizeof *gs);
    int *gk = xreallocarray(NULL, (size_t)sg.ker.n + 1, sizeof *gk);
    size_t *sfill = xcalloc(nf + 1, sizeof *sfill), *kfill = xcalloc(nf + 1, sizeof *kfill);
    for (int i = 0; i < sg.sim.n; i++)
        gs[so[sg.sflow[i]] + sfill[sg.sflow[i]]++] = i;
    for (int j = 0; j < sg.ker.n; j++)
        gk[ko[sg.kflow[j]] + kfill[sg.kflow[j]]++] = j;
    free(sfill);
    free(kfill);

    size_t nrows = (size_t)sg.sim.n + (size_t)sg.ker.n;
    struct placed *rows = xreallocarray(NULL, nrows + 1, sizeof *rows);
    size_t nr = 0;
    for (size_t f = 0; f < nf; f++) {
        int n = (int)(so[f + 1] - so[f]), m = (int)(ko[f + 1] - ko[f]);
        const int *fs = gs + so[f], *fk = gk + ko[f];
        struct seq a = { xreallocarray(NULL, (size_t)n + 1, sizeof *a.v), n, n };
        struct seq b = { xreallocarray(NULL, (size_t)m + 1, sizeof *b.v), m, m };
        for (int i = 0; i < n; i++)
            a.v[i] = sg.sim.v[fs[i]];
        for (int j = 0; j < m; j++)
            b.v[j] = sg.ker.v[fk[j]];
        int *match = xreallocarray(NULL, (size_t)n + 1, sizeof *match);
        struct pkt_pair pp = { &sg, fs, fk, c->tr };
        lcs_w(&a, &b, match, pkt_weight, &pp);
        int j = 0;
        for (int i = 0; i <= n; i++) {
            int upto = i < n && match[i] >= 0 ? match[i] : (i == n ? m : -1);
            long at = i < n ? fs[i] : (long)sg.sim.n;
            for (; upto >= 0 && j < upto; j++)
                rows[nr++] = (struct placed){
                    { -1, sg.ker.v[fk[j]].rec, 0, 0, RM_DIFF,
                      WHY0(N_REAL_DIFF_PKT_REAL) }, at, 0, fk[j] };
            if (i == n)
                break;
            int kj = match[i] >= 0 ? fk[j++] : -1;
            rows[nr++] = (struct placed){ sim_row(c, &sg, &pairs, fs[i], kj),
                                          fs[i], 1, 0 };
        }
        free(match);
        free(a.v);
        free(b.v);
    }
    qsort(rows, nr, sizeof *rows, cmp_placed);
    out->pkts = xreallocarray(NULL, nr + 1, sizeof *out->pkts);
    for (size_t i = 0; i < nr; i++)
        out->pkts[i] = rows[i].row;
    out->npkts = (int)nr;
    free(rows);
    free(so);
    free(ko);
    free(gs);
    free(gk);
    free(flows);
    rmap_free(&flows_m);
    rmap_free(&pairs);
    free(sg.sim.v);
    free(sg.ker.v);
    free(sg.seqs);
    free(sg.acks);
    free(sg.norep);
    free(sg.sflow);
    free(sg.kflow);
}

/* ---- the whole comparison ------------------------------------------------ */

static int is_state_rec(const struct trace_rec *r)
{
    return (r->kind == TK_STATE && r->layer == TL_TCP) ||
           (real_is_rec(r) && (RR_WHAT(r) == RW_STATE || RR_WHAT(r) == RW_UNSEEN));
}

/* Connections grouped by host, in order of first appearance within a host. */
struct first { int host, k; };

static int cmp_first(const void *x, const void *y)
{
    const struct first *a = x, *b = y;
    if (a->host != b->host)
        return a->host < b->host ? -1 : 1;
    return a->k < b->k ? -1 : a->k > b->k;
}

/* Every connection's two state sequences, in one pass over the trace. */
static void collect_conns(const struct ctx *c, struct conn_index *cx,
                          struct real_compare *out)
{
    const struct trace *tr = c->tr;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (!is_state_rec(r) || !r->conn || r->host < 0 ||
            conn_by_id(cx, r->host, r->conn) >= 0)
            continue;
        out->conns = xreallocarray(out->conns, (size_t)out->nconns + 1,
                                   sizeof *out->conns);
        out->conns[out->nconns] = (struct real_conn_table){ r->host, r->conn,
                                                            0, WHY0(N_REAL_NONE),
                                                            NULL, 0 };
        conn_index_add(cx, out->nconns++, 0);
    }
    struct first *order = xreallocarray(NULL, (size_t)out->nconns + 1, sizeof *order);
    for (int k = 0; k < out->nconns; k++)
        order[k] = (struct first){ out->conns[k].host, k };
    qsort(order, (size_t)out->nconns, sizeof *order, cmp_first);
    struct real_conn_table *sorted =
        xreallocarray(NULL, (size_t)out->nconns + 1, sizeof *sorted);
    for (int k = 0; k < out->nconns; k++)
        sorted[k] = out->conns[order[k].k];
    free(order);
    free(out->conns);
    out->conns = sorted;
    rmap_free(&cx->id);
    conn_index_add(cx, 0, 1);

    struct seq *sim = xcalloc((size_t)out->nconns + 1, sizeof *sim);
    struct seq *ker = xcalloc((size_t)out->nconns + 1, sizeof *ker);
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_CALL && RR_VAL(r) < 0 &&
            r->why.id == N_REAL_CALL_FAIL && r->conn && r->host >= 0) {
            int k = conn_by_id(cx, r->host, r->conn);
            if (k >= 0 && !out->conns[k].failed.id)
                out->conns[k].failed = r->why;
            continue;
        }
        if (!is_state_rec(r) || !r->conn || r->host < 0)
            continue;
        int k = conn_by_id(cx, r->host, r->conn);
        if (r->kind == TK_STATE) {
            if (!sim[k].n)
                push(&sim[k], r->u.state.from, r->t_us, (long)i);
            push(&sim[k], r->u.state.to, r->t_us, (long)i);
            continue;
        }
        /* the same state seen again (a refused connect is looked at
         * before and after) is one item */
        struct seq *q = &ker[k];
        if (q->n && q->v[q->n - 1].key == RR_STATE(r) &&
            RR_WHAT(&tr->recs[q->v[q->n - 1].rec]) == RR_WHAT(r))
            continue;
        push(q, RR_STATE(r), r->t_us, (long)i);
    }
    for (int k = 0; k < out->nconns; k++)
        build_conn(c, &out->conns[k], sim[k], ker[k]);     /* frees them */
    free(sim);
    free(ker);
}

void real_compare(const struct trace *tr, const struct scenario *scn,
                  struct real_compare *out)
{
    memset(out, 0, sizeof *out);
    struct ctx c = { tr, scn, network_features(scn), -1, DEFAULT_POLL_US, 0, 0 };
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && RR_WHAT(r) == RW_INFO) {
            if (r->why.id == N_REAL_END)
                c.end_t = r->t_us;
            if (r->why.id == N_REAL_CAPTURE_ON)
                out->captured = 1;
            if (r->why.id == N_REAL_CAPTURE_LOST)
                c.lost = 1;
            if (r->why.id == N_REAL_NO_DIAG)
                c.blind = 1;
        }
        if (real_is_rec(r) && RR_WHAT(r) == RW_UNSEEN &&
            r->why.id == N_REAL_UNSEEN_FAST)
            c.poll_us = r->why.a[1];
    }
    struct conn_index cx = { tr, out, { 0 }, { 0 } };
    collect_conns(&c, &cx, out);
    int any = 0;
    for (int k = 0; k < out->nconns; k++)
        any |= out->conns[k].replayed;
    if (out->captured)
        build_packets(&c, &cx, out);
    rmap_free(&cx.id);
    rmap_free(&cx.text);
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
