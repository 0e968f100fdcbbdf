/* merge.c — after a replay: the captured segments become records, every
 * record is put on the scenario's clock, and all are merged into the trace
 * by time (the simulated records first at equal times). */
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "real.h"
#include "realint.h"
#include "realrec.h"
#include "rmap.h"
#include "trace.h"

/* ---- capture records ----------------------------------------------------- */

/* Which endpoint of the replay a real port pair belongs to, found by
 * hash: the connected socket sending from sport to dport, else the
 * listener on sport (a request socket not yet accepted answers from its
 * port), else the socket holding a closed port. */
struct who_index {
    const struct replay *R;
    struct rmap conn, listen, closed;
};

struct who_key { const struct replay *R; uint16_t s, d; };

static int conn_eq(const void *ctx, int v)
{
    const struct who_key *k = ctx;
    const struct ep *e = &k->R->eps[v];
    return e->local.port == k->s && e->remote.port == k->d;
}

static int listen_eq(const void *ctx, int v)
{
    const struct who_key *k = ctx;
    return k->R->eps[v].local.port == k->s;
}

static int closed_eq(const void *ctx, int v)
{
    const struct who_key *k = ctx;
    return k->R->cps[v].port == k->s;
}

static void who_index(struct who_index *w, const struct replay *R)
{
    memset(w, 0, sizeof *w);
    w->R = R;
    /* the first endpoint of each key is the one found, as it was first */
    for (int i = 0; i < R->neps; i++) {
        const struct ep *e = &R->eps[i];
        struct who_key k = { R, e->local.port, e->remote.port };
        if (e->kind != EP_LISTEN) {
            uint64_t h = rmap_mix(e->local.port, e->remote.port);
            if (rmap_get(&w->conn, h, conn_eq, &k) < 0)
                rmap_put(&w->conn, h, i);
        } else if (rmap_get(&w->listen, e->local.port, listen_eq, &k) < 0) {
            rmap_put(&w->listen, e->local.port, i);
        }
    }
    for (int i = 0; i < R->ncps; i++) {
        struct who_key k = { R, R->cps[i].port, 0 };
        if (rmap_get(&w->closed, R->cps[i].port, closed_eq, &k) < 0)
            rmap_put(&w->closed, R->cps[i].port, i);
    }
}

/* The host, the model's connection and the model's port of the endpoint
 * sending from real port sport to dport (-1, 0 and 0 when none is known). */
static void who(const struct who_index *w, uint16_t sport, uint16_t dport,
                int *host, uint32_t *conn, uint16_t *scn_port)
{
    const struct replay *R = w->R;
    struct who_key k = { R, sport, dport };
    *host = -1;
    *conn = 0;
    *scn_port = 0;
    int i = rmap_get(&w->conn, rmap_mix(sport, dport), conn_eq, &k);
    if (i >= 0) {
        const struct ep *e = &R->eps[i];
        *host = e->host;
        *conn = e->conn;
        *scn_port = e->conn ? real_sim_lport(R->s, e->host, e->conn) : 0;
        return;
    }
    if ((i = rmap_get(&w->listen, sport, listen_eq, &k)) >= 0) {
        *host = R->eps[i].host;
        *scn_port = R->eps[i].scn_port;
        return;
    }
    if ((i = rmap_get(&w->closed, sport, closed_eq, &k)) >= 0) {
        *host = R->cps[i].host;
        *scn_port = R->cps[i].scn_port;
    }
}

/* Each direction's ISN, by its real port pair: the seq of its SYN, else
 * its first seq. */
struct dir { uint16_t s, d; uint32_t isn; int syn; };
struct dir_key { const struct dir *dirs; uint16_t s, d; };

static int dir_eq(const void *ctx, int v)
{
    const struct dir_key *k = ctx;
    return k->dirs[v].s == k->s && k->dirs[v].d == k->d;
}

static int dir_find(const struct rmap *m, const struct dir *dirs,
                    uint16_t s, uint16_t d)
{
    struct dir_key k = { dirs, s, d };
    return rmap_get(m, rmap_mix(s, d), dir_eq, &k);
}

void real_packet_records(struct replay *R)
{
    struct dir *dirs = NULL;
    struct rmap dmap = { 0 };
    size_t ndirs = 0;
    for (size_t i = 0; i < R->npkts; i++) {
        const struct real_cap_pkt *p = &R->pkts[i];
        int k = dir_find(&dmap, dirs, p->sport, p->dport);
        if (k < 0) {
            dirs = xreallocarray(dirs, ndirs + 1, sizeof *dirs);
            dirs[ndirs] = (struct dir){ p->sport, p->dport, p->seq, 0 };
            k = (int)ndirs++;
            rmap_put(&dmap, rmap_mix(p->sport, p->dport), k);
        }
        if ((p->flags & 0x02) && !dirs[k].syn) {
            dirs[k].isn = p->seq;
            dirs[k].syn = 1;
        }
    }
    struct who_index w;
    who_index(&w, R);
    /* The order the segments were read in is the order they crossed lo;
     * the kernel's timestamps of a FIN and the ACK it provokes can be a few
     * µs the wrong way round, so time only moves forward here. */
    int64_t last_t = INT64_MIN;
    for (size_t i = 0; i < R->npkts; i++) {
        const struct real_cap_pkt *p = &R->pkts[i];
        int sh, dh;
        uint32_t sc, dc;
        uint16_t sp, dp;
        who(&w, p->sport, p->dport, &sh, &sc, &sp);
        who(&w, p->dport, p->sport, &dh, &dc, &dp);
        int ks = dir_find(&dmap, dirs, p->sport, p->dport);
        int kd = dir_find(&dmap, dirs, p->dport, p->sport);
        uint32_t sisn = ks >= 0 ? dirs[ks].isn : p->seq;
        uint32_t disn = kd >= 0 ? dirs[kd].isn : 0;
        const struct trace *tr = &R->s->tr;
        struct trace_rec *r = real_rec_add(R, sh, sc, RW_PACKET, 0, RS_CAPTURE,
            WHY(N_REAL_PACKET,
                real_str_id(R, sh >= 0 ? tr->host_names[sh] : "?"),
                real_str_id(R, dh >= 0 ? tr->host_names[dh] : "?"),
                p->sport, p->dport));
        last_t = p->t_us - R->t0 > last_t ? p->t_us - R->t0 : last_t;
        R->recs[R->nrecs - 1].real_us = last_t;
        RR_FLAGS(r) = p->flags;
        RR_VAL(r) = (int32_t)p->len;
        RR_SEQ(r) = p->seq - sisn;
        RR_ACK(r) = (p->flags & 0x10) && kd >= 0 ? p->ack - disn : 0;
        RR_SIM_SPORT(r) = sp;
        RR_SIM_DPORT(r) = dp;
        R->res->packets++;
    }
    rmap_free(&w.conn);
    rmap_free(&w.listen);
    rmap_free(&w.closed);
    rmap_free(&dmap);
    free(dirs);
}

/* ---- the clock ----------------------------------------------------------- */

/* A real moment (since the replay began) on the scenario's clock: the calls
 * of anchor i happened at its scenario time; between two anchors time is
 * interpolated; after the last, one real µs is `scale` scenario µs. */
static int64_t to_scenario(const struct replay *R, int64_t r)
{
    if (R->nanc == 0)
        return 0;
    /* the anchors ran one after another, so end_us rises with i: the first
     * anchor that r is not past, by bisection */
    int lo = 0, hi = R->nanc;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (r <= R->anc[mid].end_us)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (int i = lo; i < R->nanc; i++) {
        const struct anchor *a = &R->anc[i];
        if (r < a->begin_us) {
            if (i == 0)
                return a->scn_us;
            const struct anchor *p = &R->anc[i - 1];
            int64_t span = a->begin_us - p->end_us;
            if (span <= 0)
                return a->scn_us;
            return p->scn_us + (int64_t)((double)(r - p->end_us) *
                                         (double)(a->scn_us - p->scn_us) /
                                         (double)span);
        }
        if (r <= a->end_us)
            return a->scn_us;
    }
    const struct anchor *l = &R->anc[R->nanc - 1];
    return l->scn_us + (r - l->end_us) * R->o.scale;
}

static int cmp_rrec(const void *x, const void *y)
{
    const struct rrec *a = x, *b = y;
    if (a->r.t_us != b->r.t_us)
        return a->r.t_us < b->r.t_us ? -1 : 1;
    if (a->real_us != b->real_us)
        return a->real_us < b->real_us ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Puts every record on the scenario's clock and merges them into the
 * trace by time, the simulated records first at equal times. */
void real_merge(struct replay *R)
{
    /* by scenario time, then real time (fixed records first), then in
     * the order they were made (qsort alone is not stable) */
    for (size_t i = 0; i < R->nrecs; i++) {
        struct rrec *x = &R->recs[i];
        if (!x->fixed)
            x->r.t_us = to_scenario(R, x->real_us);
    }
    qsort(R->recs, R->nrecs, sizeof *R->recs, cmp_rrec);

    struct trace *tr = &R->s->tr;
    size_t n = tr->n + R->nrecs;
    struct trace_rec *out = xrealloc(NULL, n * sizeof *out);
    /* a simulated record's new place, so that the links between them
     * (trace_rec.of, always to an earlier record) follow the move */
    uint32_t *moved = xrealloc(NULL, (tr->n ? tr->n : 1) * sizeof *moved);
    size_t i = 0, j = 0, k = 0;
    while (i < tr->n || j < R->nrecs) {
        if (j == R->nrecs ||
            (i < tr->n && tr->recs[i].t_us <= R->recs[j].r.t_us)) {
            struct trace_rec r = tr->recs[i];
            if (r.of)
                r.of = moved[r.of - 1] + 1;
            moved[i++] = (uint32_t)k;
            out[k++] = r;
        } else {
            out[k++] = R->recs[j++].r;
        }
    }
    free(moved);
    free(tr->recs);
    tr->recs = out;
    tr->n = tr->cap = n;
}
