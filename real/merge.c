/* merge.c — after a replay: the captured segments become records, every
 * record is put on the scenario's clock, and all are merged into the trace
 * by time (the simulated records first at equal times). */
#include <stdlib.h>
#include "alloc.h"
#include "real.h"
#include "realint.h"
#include "trace.h"

/* ---- capture records ----------------------------------------------------- */

/* Which host (and connection) a real port pair belongs to: the endpoint
 * sending from sport to dport. */
static void who(const struct replay *R, uint16_t sport, uint16_t dport,
                int *host, uint32_t *conn)
{
    *host = -1;
    *conn = 0;
    for (int i = 0; i < R->neps; i++) {
        const struct ep *e = &R->eps[i];
        if (e->kind != EP_LISTEN && e->local.port == sport &&
            e->remote.port == dport) {
            *host = e->host;
            *conn = e->conn;
            return;
        }
    }
    for (int i = 0; i < R->neps; i++)
        if (R->eps[i].kind == EP_LISTEN && R->eps[i].local.port == sport) {
            *host = R->eps[i].host;
            return;
        }
    for (int i = 0; i < R->ncps; i++)
        if (R->cps[i].port == sport) {
            *host = R->cps[i].host;
            return;
        }
}

void real_packet_records(struct replay *R)
{
    /* each direction's ISN: the seq of its SYN, else its first seq */
    struct dir { uint16_t s, d; uint32_t isn; int syn; } dirs[2 * REAL_MAX_ENDS];
    int ndirs = 0;
    for (size_t i = 0; i < R->npkts; i++) {
        const struct real_cap_pkt *p = &R->pkts[i];
        int k;
        for (k = 0; k < ndirs; k++)
            if (dirs[k].s == p->sport && dirs[k].d == p->dport)
                break;
        if (k == ndirs) {
            if (ndirs == (int)(sizeof dirs / sizeof *dirs))
                continue;
            dirs[ndirs++] = (struct dir){ p->sport, p->dport, p->seq, 0 };
        }
        if ((p->flags & 0x02) && !dirs[k].syn) {
            dirs[k].isn = p->seq;
            dirs[k].syn = 1;
        }
    }
    /* The order the segments were read in is the order they crossed lo;
     * the kernel's timestamps of a FIN and the ACK it provokes can be a few
     * µs the wrong way round, so time only moves forward here. */
    int64_t last_t = INT64_MIN;
    for (size_t i = 0; i < R->npkts; i++) {
        const struct real_cap_pkt *p = &R->pkts[i];
        int sh, dh;
        uint32_t sc, dc;
        who(R, p->sport, p->dport, &sh, &sc);
        who(R, p->dport, p->sport, &dh, &dc);
        uint32_t sisn = p->seq, disn = 0;
        int have_d = 0;
        for (int k = 0; k < ndirs; k++) {
            if (dirs[k].s == p->sport && dirs[k].d == p->dport)
                sisn = dirs[k].isn;
            if (dirs[k].s == p->dport && dirs[k].d == p->sport) {
                disn = dirs[k].isn;
                have_d = 1;
            }
        }
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
        RR_ACK(r) = (p->flags & 0x10) && have_d ? p->ack - disn : 0;
        R->res->packets++;
    }
}

/* ---- the clock ----------------------------------------------------------- */

/* A real moment (since the replay began) on the scenario's clock: the calls
 * of anchor i happened at its scenario time; between two anchors time is
 * interpolated; after the last, one real µs is `scale` scenario µs. */
static int64_t to_scenario(const struct replay *R, int64_t r)
{
    if (R->nanc == 0)
        return 0;
    for (int i = 0; i < R->nanc; i++) {
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
