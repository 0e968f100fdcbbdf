/* view.c — the interactive timeline's model and entry points: layout, the trace index, the whole screen (view_render), stepping and search. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "i18n.h"
#include "sim.h"
#include "view.h"
#include "viewint.h"
#include "view_quiz.h"
#include "view_code.h"
#include "real.h"
#include "render.h"
#include "sim.h"
#include "summary.h"
#include "tcp.h"
#include "wire.h"

/* ======================================================================== */
/* Layout                                                                   */

void view_layout(int w, int h, int projector, int focus, struct view_layout *L)
{
    memset(L, 0, sizeof *L);
    if (w < VIEW_MIN_W || h < VIEW_MIN_H) {
        L->too_small = 1;
        return;
    }
    L->title = (struct view_rect){ 0, 0, w, 1 };
    L->hint = (struct view_rect){ 0, h - 1, w, 1 };
    int body = h - 2;
    if (projector) {
        int nh = 5;
        L->narration = (struct view_rect){ 0, h - 1 - nh, w, nh };
        L->diagram = (struct view_rect){ 0, 1, w, body - nh };
        return;
    }
    int ph = body * 2 / 5;
    if (ph < 8)
        ph = 8;
    if (ph > 16)
        ph = 16;
    L->diagram = (struct view_rect){ 0, 1, w, body - ph };
    int py = 1 + body - ph;
    if (w >= 110) {
        int iw = w * 3 / 5;
        L->side_by_side = 1;
        L->inspector = (struct view_rect){ 0, py, iw, ph };
        L->state = (struct view_rect){ iw + 1, py, w - iw - 1, ph };
    } else if (focus == PANE_STATE) {
        L->state = (struct view_rect){ 0, py, w, ph };
    } else {
        L->inspector = (struct view_rect){ 0, py, w, ph };
    }
}

struct view_rect view_layout_code(struct view_layout *L, int projector)
{
    struct view_rect r = { 0, 0, 0, 0 };
    if (L->too_small || projector)
        return r;
    int w = L->diagram.w;
    int cw = w * 2 / 5;
    if (cw > 48)
        cw = 48;
    if (w - cw - 1 < 44)
        cw = w - 1 - 44;
    if (cw < 16)
        return r;
    L->diagram.w = w - cw - 1;
    r = (struct view_rect){ L->diagram.x + w - cw, L->diagram.y, cw, L->diagram.h };
    return r;
}

void view_columns(int n, int x0, int w, int *cols)
{
    if (n <= 0)
        return;
    if (n == 1) {
        cols[0] = x0 + w / 2;
        return;
    }
    int m = w / (2 * n);
    if (m > 20)
        m = 20;
    if (m < 1)
        m = 1;
    int span = w - 1 - 2 * m;
    for (int i = 0; i < n; i++)
        cols[i] = x0 + m + (int)((long)span * i / (n - 1));
}

int view_kernel_columns(int n, const uint8_t *khost, int x0, int w, int *cols,
                        int *kx)
{
    int any = 0;
    for (int h = 0; h < n; h++) {
        kx[h] = -1;
        any |= khost && khost[h];
    }
    view_columns(n, x0, w, cols);
    if (!any || n <= 0)
        return VK_NONE;
    /* the last lifeline's column must end inside the band: narrow the band
     * the lifelines are spread over until it does */
    int need = 2 + VIEW_KCOL_W;              /* lifeline + 1 .. column end */
    int bw = w;
    while (khost[n - 1] && bw > w / 2 && x0 + w - cols[n - 1] < need + 1)
        view_columns(n, x0, --bw, cols);
    int ok = !khost[n - 1] || x0 + w - cols[n - 1] >= need + 1;
    for (int h = 0; ok && h + 1 < n; h++)
        if (khost[h] && cols[h + 1] - cols[h] < need + VIEW_KCOL_GAP)
            ok = 0;
    if (!ok) {
        view_columns(n, x0, w, cols);
        return VK_FOLDED;
    }
    for (int h = 0; h < n; h++)
        if (khost[h])
            kx[h] = cols[h] + 2;
    return VK_FULL;
}

/* ======================================================================== */
/* The index                                                                */

/* --real: which hosts the kernel was observed for, and for every kernel
 * state record the model's state of the same connection at that moment and
 * just before it (the two differ only when the model changed at that very
 * instant).  The model's records come first at equal times, so a look at
 * the kernel made before the replay's own call at that instant (the CLOSED
 * socket before its connect()) is compared with both; one made after the
 * call, only with the model's state now.  A connection the model does not
 * have (yet) is CLOSED, the fictional state of no TCB (RFC 9293 3.3.2). */
static void index_kernel(struct view_index *ix)
{
    const struct trace *tr = ix->tr;
    size_t n = ix->n;
    size_t i;
    for (i = 0; i < n; i++)
        if (real_is_rec(&tr->recs[i]))
            break;
    if (i == n)
        return;
    size_t nh = tr->nhosts > 0 ? (size_t)tr->nhosts : 1;
    size_t nstrs = tr->nstrs ? tr->nstrs : 1;
    struct mstate { int8_t now, before; int64_t t, call_t; } *ms =
        xreallocarray(NULL, nstrs, sizeof *ms);
    ix->khost = xcalloc(nh, 1);
    ix->kmodel = xmalloc(n);
    ix->kbefore = xmalloc(n);
    ix->kmark = xcalloc(n, 1);
    for (size_t k = 0; k < nstrs; k++)
        ms[k] = (struct mstate){ TCPS_CLOSED, TCPS_CLOSED, -1, -1 };
    for (i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        ix->kmodel[i] = ix->kbefore[i] = -1;
        int have = r->conn && r->conn < nstrs;
        if (r->kind == TK_STATE && r->layer == TL_TCP && have) {
            struct mstate *m = &ms[r->conn];
            if (m->t != r->t_us) {
                m->before = m->now;
                m->t = r->t_us;
            }
            m->now = (int8_t)r->u.state.to;
            continue;
        }
        if (real_is_rec(r) && RR_WHAT(r) == RW_CALL && have)
            ms[r->conn].call_t = r->t_us;
        if (!real_is_rec(r) || r->host < 0 || r->host >= tr->nhosts ||
            (RR_WHAT(r) != RW_STATE && RR_WHAT(r) != RW_UNSEEN))
            continue;
        ix->khost[r->host] = 1;
        if (RR_WHAT(r) == RW_UNSEEN)
            ix->kmark[i] |= KM_UNSEEN;
        if (!have)
            continue;
        const struct mstate *m = &ms[r->conn];
        ix->kmodel[i] = m->now;
        ix->kbefore[i] = m->t == r->t_us && m->call_t != r->t_us ? m->before : m->now;
        if (RR_WHAT(r) == RW_STATE && RR_STATE(r) != ix->kmodel[i] &&
            RR_STATE(r) != ix->kbefore[i])
            ix->kmark[i] |= KM_DIFF;
    }
    free(ms);
    for (int h = 0; h < tr->nhosts; h++)
        ix->nkhosts += ix->khost[h];
}

void view_index_compare(struct view_index *ix, const struct scenario *scn)
{
    const struct trace *tr = ix->tr;
    if (!ix->kmark || !scn || ix->compared)
        return;
    ix->kwhy = xcalloc(ix->n, sizeof *ix->kwhy);
    ix->compared = 1;
    struct real_compare c;
    real_compare(tr, scn, &c);
    /* each kernel row of a connection's table is one observation, or a run
     * of the same one seen again (compare.c counts those once) */
    for (int k = 0; k < c.nconns; k++) {
        const struct real_conn_table *t = &c.conns[k];
        int j = 0, last_state = -1, last_what = -1;
        const struct real_row *row = NULL;
        for (size_t i = 0; i < ix->n; i++) {
            const struct trace_rec *r = &tr->recs[i];
            if (!real_is_rec(r) || r->host != t->host || r->conn != t->conn ||
                (RR_WHAT(r) != RW_STATE && RR_WHAT(r) != RW_UNSEEN))
                continue;
            if (!row || RR_STATE(r) != last_state || RR_WHAT(r) != last_what) {
                while (j < t->nrows && t->rows[j].ker_state < 0)
                    j++;
                if (j == t->nrows || t->rows[j].ker_state != RR_STATE(r))
                    break;                  /* not the table's order: leave it */
                row = &t->rows[j++];
                last_state = RR_STATE(r);
                last_what = RR_WHAT(r);
            }
            ix->kmark[i] |= row->mark == RM_SAME ? KM_SAME
                          : row->mark == RM_DETAIL ? KM_DETAIL : KM_ONLY;
            ix->kwhy[i] = row->why;
        }
    }
    real_compare_free(&c);
}

static int decode_blob(const struct trace *tr, uint32_t b, struct frame *f)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, b, &len);
    char err[64];
    return frame_decode(p, len, f, err, sizeof err) == 0;
}

/* Whether record i (a recv or drop) is the far end of send s on the
 * screen: a unicast send ends once (a drop on arrival after its recv
 * draws no second arrow), a broadcast once per receiving host. */
static int ends_send(const struct view_index *ix, int32_t s, size_t i)
{
    const struct trace_rec *r = &ix->tr->recs[i];
    if (!(ix->flags[s] & VF_BCAST))
        return ix->first_end[s] < 0;
    for (int32_t e = ix->first_end[s]; e >= 0; e = ix->next_end[e])
        if (ix->tr->recs[e].u.pkt.dst == r->u.pkt.dst &&
            ix->tr->recs[e].host == r->host)
            return 0;
    return 1;
}

static size_t mac_hash(const uint8_t *m)
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | m[i];
    v *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(v >> 32);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The first element of bpeer >= key. */
static size_t bpeer_lower(const struct view_index *ix, uint64_t key)
{
    size_t lo = 0, hi = ix->nbpeer;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->bpeer[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int view_bcast_reached(const struct view_index *ix, int iface, int h)
{
    uint64_t key = (uint64_t)(uint32_t)iface << 32 | (h < 0 ? 0 : (uint32_t)h);
    size_t lo = bpeer_lower(ix, key);
    if (lo == ix->nbpeer)
        return 0;
    return h < 0 ? ix->bpeer[lo] >> 32 == (uint32_t)iface : ix->bpeer[lo] == key;
}

size_t view_bcast_peers(const struct view_index *ix, int iface)
{
    uint64_t key = (uint64_t)(uint32_t)iface << 32;
    return bpeer_lower(ix, key + ((uint64_t)1 << 32)) - bpeer_lower(ix, key);
}

/* Does record r change what the state pane shows of its connection? */
static int state_rec(const struct trace *tr, const struct trace_rec *r, int *kstate)
{
    if (!r->conn || r->conn >= (tr->nstrs ? tr->nstrs : 1))
        return 0;
    *kstate = real_is_rec(r) && (RR_WHAT(r) == RW_STATE || RR_WHAT(r) == RW_UNSEEN);
    return r->kind == TK_STATE || r->kind == TK_SEND || r->kind == TK_TIMER || *kstate;
}

/* Record i's effect on its connection's view c. */
static void state_apply(const struct view_index *ix, size_t i, struct view_conn *c)
{
    const struct trace_rec *r = &ix->tr->recs[i];
    switch (r->kind) {
    case TK_STATE:
        c->state = r->u.state.to;
        c->layer = r->layer;
        c->have_state = 1;
        break;
    case TK_SEND:
        if (r->u.pkt.dup || !(ix->flags[i] & VF_TCP))
            break;
        if (!c->have_snd || seq_gt(ix->tcp_nxt[i], c->snd_nxt))
            c->snd_nxt = ix->tcp_nxt[i];
        c->have_snd = 1;
        if (ix->flags[i] & VF_ACK) {
            c->rcv_nxt = ix->tcp_ack[i];
            c->have_rcv = 1;
        }
        break;
    case TK_TIMER:
        if (r->u.timer.name < TM_COUNT)
            c->due[r->u.timer.name] =
                r->u.timer.action == TA_START ? r->u.timer.due_us : -1;
        break;
    case TK_EXT:
        if (real_is_rec(r))
            c->kernel = (long)i;
        break;
    }
}

/* The state pane's tables (view.h): two passes over the trace, one to count
 * each connection's records, one to fill in its state after each. */
static void index_states(struct view_index *ix)
{
    const struct trace *tr = ix->tr;
    size_t n = ix->n, nstrs = tr->nstrs ? tr->nstrs : 1;
    size_t nh = tr->nhosts > 0 ? (size_t)tr->nhosts : 0;
    uint32_t *slot = xreallocarray(NULL, nstrs, sizeof *slot);  /* conn + 1 */
    memset(slot, 0, nstrs * sizeof *slot);
    size_t nc = 0, cap = 0, *count = NULL;
    int kstate;
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (!state_rec(tr, r, &kstate))
            continue;
        if (!slot[r->conn]) {
            if (nc == cap) {
                cap = cap ? cap * 2 : 16;
                count = xreallocarray(count, cap, sizeof *count);
            }
            count[nc] = 0;
            slot[r->conn] = (uint32_t)++nc;
        }
        count[slot[r->conn] - 1]++;
    }
    ix->nconns = nc;
    ix->coff = xreallocarray(NULL, nc + 1, sizeof *ix->coff);
    ix->coff[0] = 0;
    for (size_t k = 0; k < nc; k++)
        ix->coff[k + 1] = ix->coff[k] + count[k];
    size_t total = ix->coff[nc];
    ix->cstate = xreallocarray(NULL, total ? total : 1, sizeof *ix->cstate);
    ix->crec = xreallocarray(NULL, total ? total : 1, sizeof *ix->crec);
    ix->hoff = xcalloc(nh + 1, sizeof *ix->hoff);
    ix->hconn = xreallocarray(NULL, nc ? nc : 1, sizeof *ix->hconn);
    for (size_t k = 0; k < nc; k++)
        count[k] = 0;                        /* now: entries filled */
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (!state_rec(tr, r, &kstate))
            continue;
        size_t k = slot[r->conn] - 1, at = ix->coff[k] + count[k];
        struct view_conn *c = &ix->cstate[at];
        if (count[k] == 0) {
            memset(c, 0, sizeof *c);
            c->conn = r->conn;
            c->host = r->host;
            c->layer = kstate ? TL_TCP : r->layer;
            c->kernel = -1;
            for (int j = 0; j < TM_COUNT; j++)
                c->due[j] = -1;
            if (r->host >= 0 && (size_t)r->host < nh)
                ix->hoff[r->host + 1]++;
        } else {
            *c = ix->cstate[at - 1];
        }
        state_apply(ix, i, c);
        ix->crec[at] = (uint32_t)i;
        count[k]++;
    }
    for (size_t h = 0; h < nh; h++)
        ix->hoff[h + 1] += ix->hoff[h];
    size_t *fill = xcalloc(nh ? nh : 1, sizeof *fill);
    for (size_t k = 0; k < nc; k++) {
        int h = ix->cstate[ix->coff[k]].host;
        if (h >= 0 && (size_t)h < nh)
            ix->hconn[ix->hoff[h] + fill[h]++] = (uint32_t)k;
    }
    free(fill);
    free(count);
    free(slot);
}

const struct view_conn *view_conn_at(const struct view_index *ix, size_t k, size_t cur)
{
    size_t lo = ix->coff[k], hi = ix->coff[k + 1];
    if (lo == hi || ix->crec[lo] > cur)
        return NULL;
    while (hi - lo > 1) {                    /* crec[lo] <= cur < crec[hi] */
        size_t mid = lo + (hi - lo) / 2;
        if (ix->crec[mid] <= cur)
            lo = mid;
        else
            hi = mid;
    }
    return &ix->cstate[lo];
}

/* tcov and tcoff: each host's running timers, merged into intervals. */
static void index_timer_cover(struct view_index *ix)
{
    const struct trace *tr = ix->tr;
    size_t nh = tr->nhosts > 0 ? (size_t)tr->nhosts : 0, nv = 0, cap = 0;
    struct hspan { int32_t host; struct view_span sp; } *v = NULL;
    int64_t *open = xreallocarray(NULL, nh ? nh : 1, sizeof *open);
    for (size_t h = 0; h < nh; h++)
        open[h] = -1;
    for (size_t s = 0; s < ix->n; s++) {
        const struct trace_rec *r = &tr->recs[s];
        if (r->kind != TK_TIMER || r->u.timer.action != TA_START ||
            r->host < 0 || (size_t)r->host >= nh)
            continue;
        int32_t to = ix->end[s] >= 0 ? ix->end[s] : (int32_t)ix->n;
        int64_t o = open[r->host];
        if (o >= 0 && (int32_t)s <= v[o].sp.to) {   /* overlaps: extend */
            if (to > v[o].sp.to)
                v[o].sp.to = to;
            continue;
        }
        if (nv == cap) {
            cap = cap ? cap * 2 : 64;
            v = xreallocarray(v, cap, sizeof *v);
        }
        v[nv] = (struct hspan){ r->host, { (int32_t)s, to } };
        open[r->host] = (int64_t)nv++;
    }
    free(open);
    ix->tcoff = xcalloc(nh + 1, sizeof *ix->tcoff);
    ix->tcov = xreallocarray(NULL, nv ? nv : 1, sizeof *ix->tcov);
    for (size_t k = 0; k < nv; k++)
        ix->tcoff[v[k].host + 1]++;
    for (size_t h = 0; h < nh; h++)
        ix->tcoff[h + 1] += ix->tcoff[h];
    size_t *fill = xreallocarray(NULL, nh ? nh : 1, sizeof *fill);
    memcpy(fill, ix->tcoff, nh * sizeof *fill);
    for (size_t k = 0; k < nv; k++)                 /* stable: still in order */
        ix->tcov[fill[v[k].host]++] = v[k].sp;
    free(fill);
    free(v);
}

void view_index_build(struct view_index *ix, const struct trace *tr)
{
    memset(ix, 0, sizeof *ix);
    ix->tr = tr;
    size_t n = tr->n;
    ix->n = n;
    size_t m = n ? n : 1;
    ix->peer = xreallocarray(NULL, m, sizeof *ix->peer);
    ix->end = xreallocarray(NULL, m, sizeof *ix->end);
    ix->first_end = xreallocarray(NULL, m, sizeof *ix->first_end);
    ix->next_end = xreallocarray(NULL, m, sizeof *ix->next_end);
    ix->live = xreallocarray(NULL, m, sizeof *ix->live);
    ix->tcp_nxt = xcalloc(m, sizeof *ix->tcp_nxt);
    ix->tcp_ack = xcalloc(m, sizeof *ix->tcp_ack);
    ix->flags = xcalloc(m, sizeof *ix->flags);
    ix->proto = xcalloc(m, sizeof *ix->proto);
    ix->bsrc = xreallocarray(NULL, m, sizeof *ix->bsrc);
    /* distinct broadcast sources: open addressing on the MAC, ids in order
     * of first appearance */
    size_t mcap = 64, nbp = 0, capbp = 0;
    int32_t *mslot = xreallocarray(NULL, mcap, sizeof *mslot);
    for (size_t i = 0; i < mcap; i++)
        mslot[i] = -1;
    mac_addr *macs = NULL;
    int nmacs = 0;
    struct vw_crowd_scan cs = { NULL, m, NULL, 0, 0 };
    int32_t *last_end = xreallocarray(NULL, m, sizeof *last_end);
    int32_t *skip = xreallocarray(NULL, m + 1, sizeof *skip);
    for (size_t i = 0; i < n; i++) {
        ix->peer[i] = ix->end[i] = ix->first_end[i] = ix->next_end[i] = -1;
        last_end[i] = ix->bsrc[i] = -1;
    }
    /* broadcast senders (interfaces, by MAC), for the LAN peer table */
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        size_t len;
        const uint8_t *p;
        if (r->kind != TK_SEND || r->u.pkt.dst != HOST_BROADCAST)
            continue;
        p = trace_blob_data(tr, r->u.pkt.pkt, &len);
        if (len < 12 || memcmp(p, MAC_BROADCAST.b, 6))
            continue;
        if ((size_t)nmacs * 2 >= mcap) {     /* grow and rehash */
            size_t nc = mcap * 2;
            mslot = xreallocarray(mslot, nc, sizeof *mslot);
            for (size_t j = 0; j < nc; j++)
                mslot[j] = -1;
            mcap = nc;
            for (int k = 0; k < nmacs; k++) {
                size_t j = mac_hash(macs[k].b) & (mcap - 1);
                while (mslot[j] >= 0)
                    j = (j + 1) & (mcap - 1);
                mslot[j] = k;
            }
        }
        size_t j = mac_hash(p + 6) & (mcap - 1);
        while (mslot[j] >= 0 && memcmp(macs[mslot[j]].b, p + 6, 6))
            j = (j + 1) & (mcap - 1);
        if (mslot[j] < 0) {
            macs = xreallocarray(macs, (size_t)nmacs + 1, sizeof *macs);
            memcpy(macs[nmacs].b, p + 6, 6);
            mslot[j] = nmacs++;
        }
        ix->bsrc[i] = mslot[j];
    }
    ix->nifs = nmacs;
    free(mslot);

    /* the trace links every arrival and drop to its send and every timer
     * stop, expiry or restart to its start (trace_rec.of) */
    for (size_t i = 0; i < n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        int32_t si = (int32_t)i, s = (int32_t)r->of - 1;
        struct frame f;
        ix->proto[i] = r->layer;
        switch (r->kind) {
        case TK_SEND: {
            int dec = decode_blob(tr, r->u.pkt.pkt, &f);
            if (dec)
                ix->proto[i] = (uint8_t)packet_top(&f);
            if (ix->bsrc[i] >= 0)
                ix->flags[i] |= VF_BCAST;
            if (dec)
                vw_crowd_frame(&cs, tr, &f, i);
            if (dec && f.has_ip && f.l4 == IPPROTO_TCP_NUM) {
                ix->tcp_nxt[i] = f.tcp.seq + (uint32_t)f.payload_len +
                                 !!(f.tcp.flags & TCP_SYN) +
                                 !!(f.tcp.flags & TCP_FIN);
                ix->flags[i] |= VF_TCP;
                if (f.tcp.flags & TCP_ACK) {
                    ix->tcp_ack[i] = f.tcp.ack;
                    ix->flags[i] |= VF_ACK;
                }
            }
            break;
        }
        case TK_RECV: case TK_DROP:
            if (s >= 0) {
                ix->proto[i] = ix->proto[s];
            } else if (decode_blob(tr, r->u.pkt.pkt, &f)) {
                ix->proto[i] = (uint8_t)packet_top(&f);
                /* a frame that never left (ARP never answered) */
                vw_crowd_frame(&cs, tr, &f, i);
            }
            if (s < 0 || !ends_send(ix, s, i))
                break;
            ix->peer[i] = s;
            if (ix->bsrc[s] >= 0 && r->kind == TK_RECV &&
                r->host >= 0 && r->host < tr->nhosts) {
                if (nbp == capbp) {
                    capbp = capbp ? capbp * 2 : 64;
                    ix->bpeer = xreallocarray(ix->bpeer, capbp, sizeof *ix->bpeer);
                }
                ix->bpeer[nbp++] = (uint64_t)ix->bsrc[s] << 32 | (uint32_t)r->host;
            }
            if (last_end[s] >= 0)
                ix->next_end[last_end[s]] = si;
            else
                ix->first_end[s] = si;
            last_end[s] = ix->end[s] = si;
            break;
        case TK_TIMER:
            if (s >= 0)
                ix->end[s] = si;
            ix->peer[i] = s;
            break;
        default:
            break;
        }
    }

    if (nbp) {
        qsort(ix->bpeer, nbp, sizeof *ix->bpeer, cmp_u64);
        size_t u = 1;
        for (size_t i = 1; i < nbp; i++)
            if (ix->bpeer[i] != ix->bpeer[u - 1])
                ix->bpeer[u++] = ix->bpeer[i];
        nbp = u;
    }
    ix->nbpeer = nbp;

    /* live[i]: the smallest send whose flight covers row i.  Sends are
     * visited in order; `skip` jumps over rows already claimed, so the
     * whole pass is near-linear however long the flights.  (Timers are
     * not spans here: one left running would make every later row's scan
     * start at it; their bars come from tcov.) */
    for (size_t i = 0; i <= n; i++)
        skip[i] = (int32_t)i;
    for (size_t i = 0; i < n; i++)
        ix->live[i] = -1;
    for (size_t s = 0; s < n; s++) {
        const struct trace_rec *r = &tr->recs[s];
        if (r->kind != TK_SEND)
            continue;
        size_t e = ix->end[s] >= 0 ? (size_t)ix->end[s] : n - 1;
        /* find(x): the first unclaimed row >= x, with path halving */
        size_t x = s;
        for (;;) {
            while ((size_t)skip[x] != x) {
                skip[x] = skip[skip[x]];
                x = (size_t)skip[x];
            }
            if (x > e)
                break;
            ix->live[x] = (int32_t)s;
            skip[x] = (int32_t)(x + 1);
        }
    }
    for (size_t i = 0; i < n; i++)
        if (ix->live[i] < 0)
            ix->live[i] = (int32_t)i;
    index_timer_cover(ix);

    /* the widest time: the last one's seconds, with microseconds when any
     * time has them (kernel observations under --real do) */
    char t[32];
    ix->time_w = 6;
    if (n) {
        int l = (int)strlen(fmt_time(tr->recs[n - 1].t_us, t, sizeof t));
        int us = 0;
        for (size_t i = 0; i < n && !us; i++)
            us = tr->recs[i].t_us % 1000 != 0;
        if (us && tr->recs[n - 1].t_us % 1000 == 0)
            l += 3;                          /* "60.420s" -> "60.420000s" */
        if (l > ix->time_w)
            ix->time_w = l;
    }
    ix->jump_us = view_jump_threshold(tr);
    index_kernel(ix);
    index_states(ix);
    vw_index_fold(ix, &cs);
    free(last_end);
    free(skip);
    free(macs);
}

void view_index_free(struct view_index *ix)
{
    free(ix->peer);
    free(ix->end);
    free(ix->first_end);
    free(ix->next_end);
    free(ix->live);
    free(ix->tcoff);
    free(ix->tcov);
    free(ix->tcp_nxt);
    free(ix->tcp_ack);
    free(ix->flags);
    free(ix->proto);
    free(ix->bsrc);
    free(ix->bpeer);
    free(ix->khost);
    free(ix->kmodel);
    free(ix->kbefore);
    free(ix->kmark);
    free(ix->kwhy);
    free(ix->coff);
    free(ix->cstate);
    free(ix->crec);
    free(ix->hoff);
    free(ix->hconn);
    free(ix->crowd);
    free(ix->row);
    free(ix->row_last);
    free(ix->row_fold);
    free(ix->folds);
    memset(ix, 0, sizeof *ix);
}

void view_index_stopped(struct view_index *ix, const struct sim *s)
{
    ix->stopped[0] = '\0';
    ix->stop_option = NULL;
    if (!s->truncated)
        return;
    char at[32], lt[80];
    /* the sentence --export gives a diagram of such a run (export_cli.c) */
    snprintf(ix->stopped, sizeof ix->stopped, _("the run stopped at %s by its %s (%s): "
             "the diagram ends there"), fmt_time(s->stop.t_us, at, sizeof at),
             sim_limit_text(s->stop.limit, s->stop.value, lt, sizeof lt),
             sim_limit_option(s->stop.limit));
    ix->stop_option = sim_limit_option(s->stop.limit);
}

/* ======================================================================== */
/* The whole screen                                                         */

static void draw_title(const struct view_index *ix, const struct view_state *st,
                       struct view_screen *scr, struct view_rect r)
{
    vw_fill(scr, r, ' ', R_TITLE);
    const char *dot = st->utf8 ? " \u00b7 " : " - ";
    char left[256], right[320], t[32];
    char chap[200] = "";
    if (ix->n)
        vw_chapter_text(st, st->cur < ix->n ? st->cur : ix->n - 1, chap, sizeof chap);
    int ll = snprintf(left, sizeof left, " protosim%s%s", dot, st->title ? st->title : "");
    if (st->whatifs > 0 && ll > 0 && (size_t)ll < sizeof left)  /* whatif.c */
        ll += snprintf(left + ll, sizeof left - (size_t)ll, P_("%s%d what-if", "%s%d what-ifs",
                       st->whatifs), dot, st->whatifs);
    if (chap[0] && ll > 0 && (size_t)ll < sizeof left)
        snprintf(left + ll, sizeof left - (size_t)ll, "%s%s", dot, chap);
    /* the right part: the event and its time, then what the run is doing;
     * where it does not fit beside ten columns of title, the marks go
     * from the least needed (projector, playing, cut, quiz score) rather
     * than all at once (the counter vanished, at 80 columns, playing in
     * projector mode with a quiz and a cut run) */
    char base[96], play[64] = "", cut[64] = "", proj[32] = "", quiz[48] = "";
    if (ix->n) {
        size_t cur = st->cur < ix->n ? st->cur : ix->n - 1;
        snprintf(base, sizeof base, _("event %zu/%zu%s%s"), cur + 1, ix->n, dot,
                 fmt_time(ix->tr->recs[cur].t_us, t, sizeof t));
    } else {
        snprintf(base, sizeof base, _("no events"));
    }
    if (st->playing)
        snprintf(play, sizeof play, _("%splaying %d ms/event"), dot,
                 view_speed_ms(st->speed));
    if (ix->stop_option)
        snprintf(cut, sizeof cut, _("%sstopped by %s"), dot, ix->stop_option);
    if (st->projector)
        snprintf(proj, sizeof proj, _("%sprojector"), dot);
    view_quiz_title(st, quiz, sizeof quiz, dot);
    char *drop[] = { proj, play, cut, quiz };
    for (int k = 0;; k++) {
        snprintf(right, sizeof right, "%s%s%s%s%s ", base, play, cut, proj, quiz);
        if (view_text_width(right) < r.w - 10 || k == 4)
            break;
        drop[k][0] = '\0';
    }
    int rw = view_text_width(right);
    int lw = r.w - rw - 1;
    /* in a chapter, the chapter before the program's name and the lesson's */
    if (chap[0] && view_text_width(left) > lw)
        snprintf(left, sizeof left, " %s%s%s", st->title ? st->title : "", dot, chap);
    if (chap[0] && view_text_width(left) > lw)
        snprintf(left, sizeof left, " %s", chap);
    vw_put_fit(scr, r.x, r.y, lw > 10 ? lw : 10, left, R_TITLE, st->utf8);
    if (rw < r.w - 10)
        view_put(scr, r.x + r.w - rw, r.y, rw, right, R_TITLE, st->utf8);
}

/* The "terminal too small" screen: the sizes first (they say what to do), then
 * how to go on, each wrapped to the width (Chinese between any two
 * characters; a word wider than the screen across lines) and centred by its
 * display width, as many lines as the height holds: on one row, at 20x5 or
 * at 7x5 (in short), the sizes are never cut off or drawn over. */
static void draw_too_small(const struct view_state *st, struct view_screen *scr)
{
    char buf[128];
    snprintf(buf, sizeof buf, _("terminal too small (need %dx%d, have %dx%d)"),
             VIEW_MIN_W, VIEW_MIN_H, scr->w, scr->h);
    struct view_lines l = { 0 };
    vw_add_wrapped(&l, scr->w, 0, R_ALERT, buf);
    if (l.n > scr->h) {
        /* at 7x5 the sentence takes 7 rows: the sizes alone take 4 */
        view_lines_free(&l);
        snprintf(buf, sizeof buf, _("need %dx%d, have %dx%d"), VIEW_MIN_W, VIEW_MIN_H,
                 scr->w, scr->h);
        vw_add_wrapped(&l, scr->w, 0, R_ALERT, buf);
    }
    int sizes = l.n;
    vw_add_wrapped(&l, scr->w, 0, R_NORMAL, _("enlarge the window, or press q to quit"));
    /* the sizes before the advice: the advice took the rows the sizes
     * needed ("have 7x5" was never shown) */
    int n = l.n > scr->h ? sizes : l.n;
    if (n > scr->h)
        n = scr->h;
    int y0 = (scr->h - n) / 2;
    for (int i = 0; i < n; i++) {
        const char *t = l.v[i].text;
        while (*t == ' ')
            t++;
        int w = view_text_width(t);
        view_put(scr, w < scr->w ? (scr->w - w) / 2 : 0, y0 + i, scr->w, t, l.v[i].role,
                 st->utf8);
    }
    view_lines_free(&l);
}

void view_render(const struct view_index *ix, const struct view_state *st,
                 struct view_screen *scr)
{
    view_screen_clear(scr);
    struct view_layout L;
    view_layout(scr->w, scr->h, st->projector, st->focus, &L);
    if (L.too_small) {
        draw_too_small(st, scr);
        return;
    }
    /* the projector's narration grows upwards to hold its sentence (up to
     * half the body): in 5 rows a long one, connect()'s, lost its end with
     * nothing to say so, on the screen a class reads */
    if (st->projector) {
        int need = vw_narration_rows(ix, st, L.narration.w);
        int most = (L.narration.h + L.diagram.h) / 2;
        if (need > most)
            need = most;
        if (need > L.narration.h) {
            int d = need - L.narration.h;
            L.narration.y -= d;
            L.narration.h += d;
            L.diagram.h -= d;
        }
    }
    draw_title(ix, st, scr, L.title);
    struct view_rect code = { 0, 0, 0, 0 };
    if (st->code && st->code->nprog && !st->code_hidden)
        code = view_layout_code(&L, st->projector);
    view_render_diagram(ix, st, scr, L.diagram);
    if (code.w > 0) {
        for (int y = code.y; y < code.y + code.h; y++)
            vw_set_glyph(scr, code.x - 1, y, G_BOX_V, R_BORDER, st->utf8);
        vw_draw_code(st, scr, code);
    }
    if (st->projector) {
        vw_draw_narration(ix, st, scr, L.narration);
    } else {
        vw_draw_pane(ix, st, scr, L.inspector, PANE_INSPECTOR, L.side_by_side);
        vw_draw_pane(ix, st, scr, L.state, PANE_STATE, L.side_by_side);
        if (L.side_by_side)
            for (int y = L.state.y; y < L.state.y + L.state.h; y++)
                vw_set_glyph(scr, L.state.x - 1, y, y == L.state.y ? G_BOX_H : G_BOX_V,
                          R_BORDER, st->utf8);
    }
    vw_draw_hint(st, scr, L.hint);
    if (st->overlay == OV_HELP)
        vw_draw_help(st, scr);
    else if (st->overlay == OV_OPEN)
        vw_draw_open(st, scr);
    else if (st->overlay == OV_CARD)
        vw_draw_card(st, scr);
    else if (st->overlay == OV_QUIZ)
        view_quiz_draw(ix, st, scr);
    else if (st->encap && (st->overlay == OV_NONE || st->overlay == OV_SEARCH ||
                           st->overlay == OV_PROMPT))
        vw_draw_encap(ix, st, scr, L.diagram);
}

/* ======================================================================== */
/* Moving around                                                            */

static const int speeds_ms[] = { 2000, 1000, 600, 300, 150, 60, 20 };
#define NSPEEDS ((int)(sizeof speeds_ms / sizeof speeds_ms[0]))

int view_speed_ms(int speed)
{
    return speeds_ms[clampi(speed, 0, NSPEEDS - 1)];
}

int view_nspeeds(void)
{
    return NSPEEDS;
}

void view_state_init(struct view_state *st, int utf8)
{
    memset(st, 0, sizeof *st);
    st->utf8 = utf8;
    st->speed = 2;
    st->focus = PANE_DIAGRAM;
    st->fold = 1;
}

static int ci_contains(const char *hay, const char *needle)
{
    size_t nl = strlen(needle);
    if (!nl)
        return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < nl && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl)
            return 1;
    }
    return 0;
}

long view_search(const struct view_index *ix, const char *query, size_t from, int dir)
{
    size_t n = ix->n;
    char buf[512];
    if (!n || !query[0])
        return -1;
    for (size_t k = 1; k <= n; k++) {
        size_t i = dir > 0 ? (from + k) % n : (from + n - k % n) % n;
        const struct trace_rec *r = &ix->tr->recs[i];
        render_event(ix->tr, r, buf, sizeof buf);
        if (ci_contains(buf, query))
            return (long)i;
        if (r->kind == TK_SEND || r->kind == TK_RECV || r->kind == TK_DROP) {
            view_packet_label(ix->tr, r, buf, sizeof buf);
            if (ci_contains(buf, query))
                return (long)i;
        }
    }
    return -1;
}

long view_find_host(const struct view_index *ix, size_t from, int h, int dir)
{
    for (long i = (long)from + dir; i >= 0 && (size_t)i < ix->n; i += dir)
        if (ix->tr->recs[i].host == h)
            return i;
    return -1;
}

static int is_packet(const struct trace_rec *r)
{
    return r->kind == TK_SEND || r->kind == TK_RECV || r->kind == TK_DROP;
}

long view_find_proto(const struct view_index *ix, size_t from, int dir)
{
    if (from >= ix->n)
        return -1;
    const struct trace_rec *f = &ix->tr->recs[from];
    int layer = f->kind == TK_NOTE || f->kind == TK_APP ? -1 : ix->proto[from];
    if (layer == TL_NONE || layer == TL_APP)
        layer = -1;
    for (long i = (long)from + dir; i >= 0 && (size_t)i < ix->n; i += dir) {
        const struct trace_rec *r = &ix->tr->recs[i];
        if (layer < 0 ? is_packet(r) : (ix->proto[i] == layer && r->kind != TK_APP))
            return i;
    }
    return -1;
}

static void step_to(struct view_state *st, size_t to)
{
    if (to != st->cur)
        st->scroll[PANE_INSPECTOR] = 0;
    st->cur = to;
}

static int pane_rows(int pane, int w, int h, const struct view_state *st, int *width)
{
    struct view_layout L;
    view_layout(w, h, st->projector, st->focus, &L);
    struct view_rect r = pane == PANE_INSPECTOR ? L.inspector : L.state;
    *width = r.w - 1;
    return r.h - 1;
}

static void scroll_pane(const struct view_index *ix, struct view_state *st, int by,
                        int w, int h)
{
    int width, rows = pane_rows(st->focus, w, h, st, &width);
    if (rows <= 0 || width <= 0)
        return;
    struct view_lines l = { 0 };
    vw_pane_lines(ix, st, st->focus, width, &l);
    int max = l.n - rows > 0 ? l.n - rows : 0;
    view_lines_free(&l);
    st->scroll[st->focus] = clampi(st->scroll[st->focus] + by, 0, max);
}

void view_end_message(const struct view_index *ix, struct view_state *st)
{
    if (!ix->n)
        snprintf(st->msg, sizeof st->msg, "%s", _("no events"));
    else if (ix->stopped[0])
        snprintf(st->msg, sizeof st->msg, "%s", ix->stopped);
    else
        snprintf(st->msg, sizeof st->msg, _("end of the run (event %zu)"), ix->n);
}

/* By rows of the diagram: with the crowd folded, a folded row is one
 * step, and a step lands on a row's last event (everything the row shows
 * has happened). */
static void step_by(const struct view_index *ix, struct view_state *st, long by)
{
    if (!ix->n)
        return;
    long nrows = (long)view_nrows(ix, st);
    long to = (long)view_row(ix, st, st->cur) + by;
    if (to >= nrows) {
        to = nrows - 1;
        view_end_message(ix, st);
        st->playing = 0;
    }
    if (to < 0) {
        to = 0;
        snprintf(st->msg, sizeof st->msg, _("first event"));
    }
    step_to(st, view_row_last(ix, st, (size_t)to));
}

int view_apply(const struct view_index *ix, struct view_state *st, int action,
               int w, int h)
{
    const struct trace *tr = ix->tr;
    int nh = tr->nhosts;
    long to;
    size_t from = st->cur;               /* quiz mode stops a move at a question */
    st->msg[0] = '\0';
    switch (action) {
    case ACT_NEXT: case ACT_PREV: case ACT_PAGE_DOWN: case ACT_PAGE_UP: {
        int fwd = action == ACT_NEXT || action == ACT_PAGE_DOWN;
        int page = action == ACT_PAGE_DOWN || action == ACT_PAGE_UP;
        if (st->focus != PANE_DIAGRAM && !st->projector) {
            int width, rows = pane_rows(st->focus, w, h, st, &width);
            int by = page ? (rows > 2 ? rows - 1 : 1) : 1;
            scroll_pane(ix, st, fwd ? by : -by, w, h);
        } else {
            step_by(ix, st, (fwd ? 1 : -1) * (page ? 10 : 1));
        }
        break;
    }
    case ACT_START:
        step_to(st, ix->n ? view_row_last(ix, st, 0) : 0);
        break;
    case ACT_END:
        if (ix->n)
            step_to(st, ix->n - 1);
        st->playing = 0;
        break;
    case ACT_PLAY:
        if (!ix->n) {                  /* nothing to play ("end of the run (event 0)") */
            snprintf(st->msg, sizeof st->msg, "%s", _("no events"));
            break;
        }
        if (!st->playing && ix->n && st->cur + 1 >= ix->n)
            step_to(st, 0);
        st->playing = !st->playing;
        break;
    case ACT_FASTER: case ACT_SLOWER:
        st->speed = clampi(st->speed + (action == ACT_FASTER ? 1 : -1), 0, NSPEEDS - 1);
        /* at either end the key changes nothing: say why it did not */
        snprintf(st->msg, sizeof st->msg,
                 st->speed == NSPEEDS - 1 ? _("speed: %d ms per event, the fastest")
                 : st->speed == 0 ? _("speed: %d ms per event, the slowest")
                 : _("speed: %d ms per event"), view_speed_ms(st->speed));
        break;
    case ACT_HOST_NEXT: case ACT_HOST_PREV:
        if (nh > 0) {
            st->host = (st->host + (action == ACT_HOST_NEXT ? 1 : nh - 1)) % nh;
            st->scroll[PANE_STATE] = 0;    /* its connections come first */
            snprintf(st->msg, sizeof st->msg, _("host %s selected (] and [ jump to its events)"),
                     tr->host_names[st->host]);
        }
        break;
    case ACT_HOST_JUMP: case ACT_HOST_BACK:
        if (nh <= 0)
            break;
        to = view_find_host(ix, st->cur, st->host, action == ACT_HOST_JUMP ? 1 : -1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, action == ACT_HOST_JUMP
                     ? _("no later event of %s") : _("no earlier event of %s"),
                     tr->host_names[st->host]);
        else
            step_to(st, (size_t)to);
        break;
    case ACT_PROTO_JUMP: case ACT_PROTO_BACK:
        to = view_find_proto(ix, st->cur, action == ACT_PROTO_JUMP ? 1 : -1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, "%s", action == ACT_PROTO_JUMP
                     ? _("no later event of this protocol")
                     : _("no earlier event of this protocol"));
        else
            step_to(st, (size_t)to);
        break;
    case ACT_FOCUS: case ACT_FOCUS_BACK:
        if (st->projector) {
            snprintf(st->msg, sizeof st->msg, _("no panes in projector mode (P leaves it)"));
            break;
        }
        st->focus = (st->focus + (action == ACT_FOCUS ? 1 : PANE_COUNT - 1)) % PANE_COUNT;
        break;
    case ACT_SEARCH:
        st->overlay = OV_SEARCH;
        st->query[0] = '\0';
        break;
    case ACT_SEARCH_NEXT: case ACT_SEARCH_PREV:
        if (!st->query[0]) {
            snprintf(st->msg, sizeof st->msg, _("no search yet: press / first"));
            break;
        }
        to = view_search(ix, st->query, st->cur, action == ACT_SEARCH_NEXT ? 1 : -1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, _("not found: %.100s"), st->query);
        else
            step_to(st, (size_t)to);
        break;
    case ACT_OPEN:
        return VE_OPEN;
    case ACT_PROJECTOR:
        st->projector = !st->projector;
        break;
    case ACT_CODE:
        if (!st->code || !st->code->nprog)
            snprintf(st->msg, sizeof st->msg, "%s", _("this lesson has no code lines"));
        else
            st->code_hidden = !st->code_hidden;
        break;
    case ACT_REDRAW:
        return VE_REDRAW;
    case ACT_LANG:
        return VE_LANG;
    case ACT_HELP:
        st->overlay = st->overlay == OV_HELP ? OV_NONE : OV_HELP;
        st->help_top = 0;
        break;
    case ACT_QUIZ:
        view_quiz_toggle(ix, st);
        break;
    case ACT_FOLD:
        if (!ix->crowd) {
            snprintf(st->msg, sizeof st->msg,
                     _("no crowd to fold: this run has fewer than %d addresses that belong to no host"),
                     VIEW_CROWD_ADDRS);
            break;
        }
        st->fold = !st->fold;
        if (st->fold)
            snprintf(st->msg, sizeof st->msg,
                     P_("the crowd is folded: %zu run of its events is one row (z unfolds)",
                        "the crowd is folded: %zu runs of its events are one row each (z unfolds)",
                        ix->nfolds), ix->nfolds);
        else
            snprintf(st->msg, sizeof st->msg, "%s",
                     _("the crowd is unfolded: one row per event (z folds it again)"));
        break;
    case ACT_ENCAP:             /* stays open while stepping (ui/view_layers.c) */
        st->encap = !st->encap;
        break;
    case ACT_QUIT:
        return VE_QUIT;
    default:
        vw_apply_lesson(ix, st, action);   /* the card, chapters, lifelines */
        break;
    }
    view_quiz_gate(ix, st, from);
    return VE_NONE;
}

void view_search_key(const struct view_index *ix, struct view_state *st, int ch)
{
    size_t l = strlen(st->query);
    if (ch == 27) {
        st->overlay = OV_NONE;
        st->query[0] = '\0';
    } else if (ch == '\n' || ch == '\r') {
        st->overlay = OV_NONE;
        if (!st->query[0])
            return;
        long to = view_search(ix, st->query, st->cur, 1);
        if (to < 0)
            snprintf(st->msg, sizeof st->msg, _("not found: %.100s"), st->query);
        else
            step_to(st, (size_t)to);
    } else if (ch == 127 || ch == 8) {
        while (l > 0 && ((unsigned char)st->query[l - 1] & 0xC0) == 0x80)
            l--;                              /* a whole UTF-8 character */
        if (l > 0)
            l--;
        st->query[l] = '\0';
    } else {
        vw_input_byte(st->query, sizeof st->query, ch);
    }
}
