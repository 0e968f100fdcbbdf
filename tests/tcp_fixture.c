/* tcp_fixture.c — builds TCBs into RFC 9293 states by real exchanges, records what they emit, and wires two of them together. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tcp_fixture.h"

/* ---- the segment log ---------------------------------------------------- */

static void log_push(struct fx_log *lg, int64_t t, const struct tcp_conn *from,
                     ip4_addr dst, const struct tcp_hdr *h, const uint8_t *data,
                     size_t len, struct why why)
{
    if (lg->n == lg->cap) {
        size_t cap = lg->cap ? lg->cap * 2 : 64;
        struct fx_seg *v = realloc(lg->v, cap * sizeof *v);
        ck_assert_ptr_nonnull(v);
        lg->v = v;
        lg->cap = cap;
    }
    struct fx_seg *s = &lg->v[lg->n++];
    memset(s, 0, sizeof *s);
    s->t_us = t;
    s->from = from;
    s->dst = dst;
    s->h = *h;
    s->len = len;
    s->why = why;
    if (len) {
        s->data = malloc(len);
        ck_assert_ptr_nonnull(s->data);
        memcpy(s->data, data, len);
    }
}

static void log_free(struct fx_log *lg)
{
    for (size_t i = 0; i < lg->n; i++)
        free(lg->v[i].data);
    free(lg->v);
    memset(lg, 0, sizeof *lg);
}

static const char *seg_str(const struct tcp_hdr *h, size_t len, char *buf,
                           size_t n)
{
    char fl[40];
    snprintf(buf, n, "%s seq=%u ack=%u win=%u len=%zu",
             tcp_flags_str(h->flags, fl, sizeof fl), (unsigned)h->seq,
             (unsigned)h->ack, (unsigned)h->win, len);
    return buf;
}

/* ---- one TCB against a scripted peer ------------------------------------ */

static void fx_emit(void *ctx, struct tcp_conn *c, ip4_addr dst,
                    const struct tcp_hdr *h, const uint8_t *data, size_t len,
                    struct why why)
{
    struct fx *f = ctx;
    log_push(&f->log, f->now, c, dst, h, data, len, why);
}

static uint32_t fx_choose_iss(void *ctx, struct tcp_conn *c)
{
    (void)c;
    return ((struct fx *)ctx)->iss;
}

static void fx_discard(void *ctx, struct tcp_conn *c, struct why why)
{
    struct fx *f = ctx;
    (void)c;
    if (f->ndiscard < FX_MAX_DISCARDS)
        f->discard[f->ndiscard] = why;
    f->ndiscard++;
}

const struct tcp_config *fx_cfg(struct fx *f)
{
    f->cfg.env = &f->env;
    return &f->cfg;
}

void fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    trace_init(&f->tr);
    trace_add_host(&f->tr, "local", FX_LADDR);
    tcp_config_default(&f->cfg);
    f->iss = FX_ISS;
    f->peer_iss = FX_PEER_ISS;
    f->peer_mss = 1460;
    f->peer_win = 65535;
    f->env.tr = &f->tr;
    f->env.emit = fx_emit;
    f->env.choose_iss = fx_choose_iss;
    f->env.ctx = f;
    f->env.discard = fx_discard;
}

void fx_free(struct fx *f)
{
    tcp_destroy(&f->c);
    tcp_destroy(&f->listener);
    log_free(&f->log);
    trace_free(&f->tr);
}

void fx_mark(struct fx *f)
{
    f->mark = f->log.n;
    f->rmark = f->tr.n;
    f->ndiscard = 0;
}

struct tcp_hdr fx_hdr(const struct fx *f, uint8_t flags, uint32_t seq,
                      uint32_t ack)
{
    struct tcp_hdr h;
    memset(&h, 0, sizeof h);
    h.sport = f->c.rport;
    h.dport = f->c.lport;
    h.seq = seq;
    h.ack = ack;
    h.flags = flags;
    h.win = f->peer_win;
    h.doff = 5;
    if (flags & TCP_SYN)
        h.mss = f->peer_mss;
    return h;
}

void fx_input_hdr(struct fx *f, const struct tcp_hdr *h, const void *data,
                  size_t len)
{
    tcp_input(&f->c, f->now, FX_RADDR, h, data, len);
}

void fx_input(struct fx *f, uint8_t flags, uint32_t seq, uint32_t ack,
              const void *data, size_t len)
{
    struct tcp_hdr h = fx_hdr(f, flags, seq, ack);
    fx_input_hdr(f, &h, data, len);
}

size_t fx_nsegs(const struct fx *f)
{
    return f->log.n - f->mark;
}

const struct fx_seg *fx_segat(const struct fx *f, size_t i)
{
    return f->mark + i < f->log.n ? &f->log.v[f->mark + i] : NULL;
}

const char *fx_dump(const struct fx *f)
{
    static char buf[4096];
    size_t pos = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < fx_nsegs(f) && pos < sizeof buf - 100; i++) {
        char one[120];
        const struct fx_seg *s = fx_segat(f, i);
        int k = snprintf(buf + pos, sizeof buf - pos, " [%zu] %s;", i,
                         seg_str(&s->h, s->len, one, sizeof one));
        if (k < 0)
            break;
        pos += (size_t)k;
    }
    return buf;
}

void fx_check_nsegs(const struct fx *f, size_t n, const char *file, int line)
{
    ck_assert_msg(fx_nsegs(f) == n, "%s:%d: %zu segment(s) emitted, want %zu:%s",
                  file, line, fx_nsegs(f), n, fx_dump(f));
}

void fx_check_seg(const struct fx *f, size_t i, uint8_t flags, uint32_t seq,
                  uint32_t ack, const char *file, int line)
{
    const struct fx_seg *s = fx_segat(f, i);
    ck_assert_msg(s != NULL, "%s:%d: segment [%zu] was not emitted:%s",
                  file, line, i, fx_dump(f));
    char got[120], fl[40];
    ck_assert_msg(s->h.flags == flags && s->h.seq == seq && s->h.ack == ack,
                  "%s:%d: segment [%zu] is %s, want %s seq=%u ack=%u",
                  file, line, i, seg_str(&s->h, s->len, got, sizeof got),
                  tcp_flags_str(flags, fl, sizeof fl), (unsigned)seq,
                  (unsigned)ack);
    ck_assert_msg(s->h.sport == f->c.lport && s->h.dport == f->c.rport,
                  "%s:%d: segment [%zu] ports %u>%u, want %u>%u", file, line,
                  i, (unsigned)s->h.sport, (unsigned)s->h.dport,
                  (unsigned)f->c.lport, (unsigned)f->c.rport);
}

/* One scripted step: time moves on, the peer's segment arrives. */
static void step_in(struct fx *f, uint8_t flags, uint32_t seq, uint32_t ack)
{
    f->now += FX_STEP_US;
    fx_mark(f);
    fx_input(f, flags, seq, ack, NULL, 0);
}

static void step_call(struct fx *f)
{
    f->now += FX_STEP_US;
    fx_mark(f);
}

/* The active path to ESTABLISHED (RFC 9293 Figure 6, lines 2-4):
 *   CLOSED --connect--> SYN_SENT, emits <SEQ=ISS><CTL=SYN>
 *   SYN_SENT --<SEQ=IRS><ACK=ISS+1><CTL=SYN,ACK>--> ESTABLISHED,
 *   emits <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>. */
static void make_syn_sent(struct fx *f)
{
    step_call(f);
    ck_assert_int_eq(tcp_connect(&f->c, f->now), 0);
    FX_STATE(f, TCPS_SYN_SENT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN, f->iss, 0);
    ck_assert_uint_eq(fx_segat(f, 0)->h.mss, f->cfg.mss);
}

static void make_established(struct fx *f)
{
    make_syn_sent(f);
    step_in(f, TCP_SYN | TCP_ACK, f->peer_iss, f->iss + 1);
    FX_STATE(f, TCPS_ESTABLISHED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, f->iss + 1, f->peer_iss + 1);
}

static void make_fin_wait_1(struct fx *f)
{
    make_established(f);
    step_call(f);
    ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
    FX_STATE(f, TCPS_FIN_WAIT_1);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_FIN | TCP_ACK, f->iss + 1, f->peer_iss + 1);
}

static void make_close_wait(struct fx *f)
{
    make_established(f);
    step_in(f, TCP_FIN | TCP_ACK, f->peer_iss + 1, f->iss + 1);
    FX_STATE(f, TCPS_CLOSE_WAIT);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_ACK, f->iss + 1, f->peer_iss + 2);
}

static void make_passive_syn_received(struct fx *f)
{
    tcp_init(&f->listener, fx_cfg(f), 0, FX_LCONN, FX_LADDR, FX_SPORT,
             0, 0);
    ck_assert_int_eq(tcp_listen(&f->listener, f->now), 0);
    ck_assert_int_eq(f->listener.state, TCPS_LISTEN);
    tcp_spawn(&f->c, &f->listener, FX_CONN, f->listener.laddr, FX_RADDR, FX_CPORT);
    FX_STATE(f, TCPS_LISTEN);
    ck_assert_int_eq(f->c.passive, 1);
    step_in(f, TCP_SYN, f->peer_iss, 0);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, f->iss, f->peer_iss + 1);
    ck_assert_uint_eq(fx_segat(f, 0)->h.mss, f->cfg.mss);
}

void fx_make(struct fx *f, enum tcp_state st)
{
    size_t r0 = f->tr.n;
    if (st != TCPS_SYN_RECEIVED)
        tcp_init(&f->c, fx_cfg(f), 0, FX_CONN, FX_LADDR, FX_CPORT,
                 FX_RADDR, FX_SPORT);
    switch (st) {
    case TCPS_CLOSED:
        break;
    case TCPS_LISTEN:
        step_call(f);
        ck_assert_int_eq(tcp_listen(&f->c, f->now), 0);
        FX_NSEGS(f, 0);
        break;
    case TCPS_SYN_SENT:
        make_syn_sent(f);
        break;
    case TCPS_SYN_RECEIVED:
        make_passive_syn_received(f);
        break;
    case TCPS_ESTABLISHED:
        make_established(f);
        break;
    case TCPS_FIN_WAIT_1:
        make_fin_wait_1(f);
        break;
    case TCPS_FIN_WAIT_2:
        make_fin_wait_1(f);
        step_in(f, TCP_ACK, f->peer_iss + 1, f->iss + 2);
        FX_NSEGS(f, 0);
        break;
    case TCPS_CLOSING:
        /* our FIN and the peer's cross: the peer's FIN does not ack ours */
        make_fin_wait_1(f);
        step_in(f, TCP_FIN | TCP_ACK, f->peer_iss + 1, f->iss + 1);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_ACK, f->iss + 2, f->peer_iss + 2);
        break;
    case TCPS_TIME_WAIT:
        make_fin_wait_1(f);
        step_in(f, TCP_ACK, f->peer_iss + 1, f->iss + 2);
        FX_STATE(f, TCPS_FIN_WAIT_2);
        step_in(f, TCP_FIN | TCP_ACK, f->peer_iss + 1, f->iss + 2);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_ACK, f->iss + 2, f->peer_iss + 2);
        break;
    case TCPS_CLOSE_WAIT:
        make_close_wait(f);
        break;
    case TCPS_LAST_ACK:
        make_close_wait(f);
        step_call(f);
        ck_assert_int_eq(tcp_close(&f->c, f->now), 0);
        FX_NSEGS(f, 1);
        FX_SEG(f, 0, TCP_FIN | TCP_ACK, f->iss + 1, f->peer_iss + 2);
        break;
    default:
        ck_abort_msg("fx_make: no such state %d", (int)st);
    }
    FX_STATE(f, st);

    /* The whole chain of state records, from the first call on. */
    static const int chains[TCPS_NSTATES][8] = {
        [TCPS_CLOSED]       = { -1 },
        [TCPS_LISTEN]       = { TCPS_CLOSED, TCPS_LISTEN, -1 },
        [TCPS_SYN_SENT]     = { TCPS_CLOSED, TCPS_SYN_SENT, -1 },
        [TCPS_SYN_RECEIVED] = { TCPS_LISTEN, TCPS_SYN_RECEIVED, -1 },
        [TCPS_ESTABLISHED]  = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED, -1 },
        [TCPS_FIN_WAIT_1]   = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
                               TCPS_FIN_WAIT_1, -1 },
        [TCPS_FIN_WAIT_2]   = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
                               TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2, -1 },
        [TCPS_CLOSE_WAIT]   = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
                               TCPS_CLOSE_WAIT, -1 },
        [TCPS_CLOSING]      = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
                               TCPS_FIN_WAIT_1, TCPS_CLOSING, -1 },
        [TCPS_LAST_ACK]     = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
                               TCPS_CLOSE_WAIT, TCPS_LAST_ACK, -1 },
        [TCPS_TIME_WAIT]    = { TCPS_CLOSED, TCPS_SYN_SENT, TCPS_ESTABLISHED,
                               TCPS_FIN_WAIT_1, TCPS_FIN_WAIT_2, TCPS_TIME_WAIT,
                               -1 },
    };
    fx_check_states(&f->tr, FX_CONN, r0, chains[st], __FILE__, __LINE__);
    f->now += FX_STEP_US;
    fx_mark(f);
}

void fx_make_simopen(struct fx *f)
{
    size_t r0 = f->tr.n;
    tcp_init(&f->c, fx_cfg(f), 0, FX_CONN, FX_LADDR, FX_CPORT,
             FX_RADDR, FX_SPORT);
    make_syn_sent(f);
    /* RFC 9293 Figure 7: the peer's SYN crosses ours */
    step_in(f, TCP_SYN, f->peer_iss, 0);
    FX_STATE(f, TCPS_SYN_RECEIVED);
    ck_assert_int_eq(f->c.passive, 0);
    FX_NSEGS(f, 1);
    FX_SEG(f, 0, TCP_SYN | TCP_ACK, f->iss, f->peer_iss + 1);
    fx_check_states(&f->tr, FX_CONN, r0,
                    (const int[]){ TCPS_CLOSED, TCPS_SYN_SENT, TCPS_SYN_RECEIVED,
                                   -1 }, __FILE__, __LINE__);
    f->now += FX_STEP_US;
    fx_mark(f);
}

/* ---- the trace ------------------------------------------------------------ */

void fx_check_states(const struct trace *tr, uint32_t conn, size_t from,
                     const int *exp, const char *file, int line)
{
    char got[512] = "", want[512] = "";
    size_t gp = 0, wp = 0, ngot = 0;
    int got_v[64];
    for (size_t i = from; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind != TK_STATE || r->layer != TL_TCP || r->conn != conn)
            continue;
        if (ngot == 0) {
            got_v[ngot++] = r->u.state.from;
        } else {
            ck_assert_msg(got_v[ngot - 1] == r->u.state.from,
                          "%s:%d: state records do not chain: %s then %s -> %s",
                          file, line, tcp_state_name(got_v[ngot - 1]),
                          tcp_state_name(r->u.state.from),
                          tcp_state_name(r->u.state.to));
        }
        ck_assert_msg(ngot < 63, "%s:%d: too many state records", file, line);
        got_v[ngot++] = r->u.state.to;
    }
    for (size_t i = 0; i < ngot && gp < sizeof got - 20; i++)
        gp += (size_t)snprintf(got + gp, sizeof got - gp, "%s%s", i ? " " : "",
                               tcp_state_name(got_v[i]));
    size_t nwant = 0;
    for (; exp[nwant] >= 0; nwant++)
        if (wp < sizeof want - 20)
            wp += (size_t)snprintf(want + wp, sizeof want - wp, "%s%s",
                                   nwant ? " " : "", tcp_state_name(exp[nwant]));
    int same = nwant == ngot;
    for (size_t i = 0; same && i < ngot; i++)
        same = got_v[i] == exp[i];
    ck_assert_msg(same, "%s:%d: states [%s], want [%s]", file, line, got, want);
}

const struct trace_rec *fx_timer_rec(const struct trace *tr, uint32_t conn,
                                     size_t from, int name, int action)
{
    const struct trace_rec *last = NULL;
    for (size_t i = from; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind == TK_TIMER && r->conn == conn &&
            r->u.timer.name == name && r->u.timer.action == action)
            last = r;
    }
    return last;
}

size_t fx_timer_count(const struct trace *tr, uint32_t conn, size_t from,
                      int name, int action)
{
    size_t n = 0;
    for (size_t i = from; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        n += r->kind == TK_TIMER && r->conn == conn &&
             r->u.timer.name == name && r->u.timer.action == action;
    }
    return n;
}

void fx_check_same_tcb(const struct tcp_conn *x, const struct tcp_conn *y,
                       const char *file, int line)
{
#define SAME(field) \
    ck_assert_msg(x->field == y->field, "%s:%d: " #field " %lld != %lld", \
                  file, line, (long long)x->field, (long long)y->field)
    SAME(state);
    SAME(iss);
    SAME(irs);
    SAME(snd_una);
    SAME(snd_nxt);
    SAME(snd_wnd);
    SAME(snd_mss);
    SAME(rcv_nxt);
    SAME(fin_sent);
    SAME(fin_seq);
    SAME(fin_received);
    SAME(sndq.len);
    SAME(rcvq.len);
#undef SAME
}

/* ---- two TCBs on a wire ---------------------------------------------------- */

static int take_drop(struct fx_end *e)
{
    for (int i = 0; i < FXP_MAX_DROPS; i++)
        if (e->drop[i] == e->nsent) {
            e->drop[i] = 0;
            return 1;
        }
    return 0;
}

/* a is 192.0.2.10, b is 192.0.2.80 */
static ip4_addr side_addr(int side)
{
    return side ? FX_RADDR : FX_LADDR;
}

/* The wire has two ends: whatever dst says, a segment reaches the other
 * end; the log keeps dst for the tests to check. */
static void fxp_put(struct fx_pair *p, int from, const struct tcp_conn *c,
                    ip4_addr dst, const struct tcp_hdr *h, const uint8_t *data,
                    size_t len, struct why why)
{
    struct fx_end *e = &p->end[from];
    e->nsent++;
    log_push(&p->log, p->now, c, dst, h, data, len, why);
    if (take_drop(e)) {
        p->log.v[p->log.n - 1].dropped = 1;
        return;
    }
    if (p->nfl == p->capfl) {
        size_t cap = p->capfl ? p->capfl * 2 : 16;
        struct fx_flight *v = realloc(p->fl, cap * sizeof *v);
        ck_assert_ptr_nonnull(v);
        p->fl = v;
        p->capfl = cap;
    }
    struct fx_flight *fl = &p->fl[p->nfl++];
    fl->due = p->now + FXP_DELAY_US;
    fl->order = p->order++;
    fl->to = !from;
    fl->h = *h;
    fl->len = len;
    fl->data = NULL;
    if (len) {
        fl->data = malloc(len);
        ck_assert_ptr_nonnull(fl->data);
        memcpy(fl->data, data, len);
    }
}

static void fxp_emit(void *ctx, struct tcp_conn *c, ip4_addr dst,
                     const struct tcp_hdr *h, const uint8_t *data, size_t len,
                     struct why why)
{
    struct fx_end *e = ctx;
    fxp_put(e->p, e->side, c, dst, h, data, len, why);
}

static uint32_t fxp_choose_iss(void *ctx, struct tcp_conn *c)
{
    (void)c;
    return ((struct fx_end *)ctx)->iss;
}

static struct tcp_env fxp_env(struct fx_pair *p, int side)
{
    struct tcp_env env = { &p->tr, fxp_emit, fxp_choose_iss, &p->end[side],
                           NULL };
    return env;
}

void fxp_init(struct fx_pair *p, const struct tcp_config *cfg)
{
    memset(p, 0, sizeof *p);
    if (cfg)
        p->cfg = *cfg;
    else
        tcp_config_default(&p->cfg);
    cfg = &p->cfg;
    trace_init(&p->tr);
    trace_add_host(&p->tr, "a", FX_LADDR);
    trace_add_host(&p->tr, "b", FX_RADDR);
    for (int s = 0; s < 2; s++) {
        p->end[s].p = p;
        p->end[s].side = s;
        p->end[s].iss = s ? FX_PEER_ISS : FX_ISS;
    }
    /* the TCBs reach their ends' envs through their ends' configs */
    for (int s = 0; s < 2; s++) {
        p->end[s].env = fxp_env(p, s);
        p->end[s].cfg = *cfg;
        p->end[s].cfg.env = &p->end[s].env;
    }
    tcp_init(&p->end[0].c, &p->end[0].cfg, 0, FXP_A_CONN, FX_LADDR,
             FX_CPORT, FX_RADDR, FX_SPORT);
    tcp_init(&p->end[1].c, &p->end[1].cfg, 1, FXP_B_CONN, FX_RADDR,
             FX_SPORT, FX_LADDR, FX_CPORT);
    tcp_init(&p->end[1].listener, &p->end[1].cfg, 1, FXP_B_LCONN,
             FX_RADDR, FX_SPORT, 0, 0);
}

void fxp_free(struct fx_pair *p)
{
    for (int s = 0; s < 2; s++) {
        tcp_destroy(&p->end[s].c);
        tcp_destroy(&p->end[s].listener);
    }
    for (size_t i = 0; i < p->nfl; i++)
        free(p->fl[i].data);
    free(p->fl);
    log_free(&p->log);
    trace_free(&p->tr);
}

void fxp_listen(struct fx_pair *p)
{
    struct fx_end *b = &p->end[1];
    ck_assert_int_eq(tcp_listen(&b->listener, p->now), 0);
    tcp_spawn(&b->c, &b->listener, FXP_B_CONN, b->listener.laddr, FX_LADDR, FX_CPORT);
    ck_assert_int_eq(b->c.state, TCPS_LISTEN);
}

void fxp_drop(struct fx_pair *p, int side, int nth)
{
    for (int i = 0; i < FXP_MAX_DROPS; i++)
        if (!p->end[side].drop[i]) {
            p->end[side].drop[i] = nth;
            return;
        }
    ck_abort_msg("fxp_drop: too many drop rules");
}

/* The next thing to happen at or before `until`: a flight index (>= 0), a
 * timer (-1 for a, -2 for b), or -3 for nothing. */
static int next_event(const struct fx_pair *p, int64_t until, int64_t *when)
{
    int what = -3;
    int64_t best = until + 1;
    for (size_t i = 0; i < p->nfl; i++)
        if (p->fl[i].due < best ||
            (p->fl[i].due == best && what >= 0 &&
             p->fl[i].order < p->fl[what].order)) {
            best = p->fl[i].due;
            what = (int)i;
        }
    for (int s = 0; s < 2; s++) {
        int64_t d = tcp_deadline(&p->end[s].c);
        if (d >= 0 && d < best) {
            best = d;
            what = -1 - s;
        }
    }
    *when = best;
    return what;
}

void fxp_run(struct fx_pair *p, int64_t until)
{
    for (int guard = 0; guard < 100000; guard++) {
        int64_t when;
        int what = next_event(p, until, &when);
        if (what == -3) {
            p->now = until;
            return;
        }
        if (when > p->now)
            p->now = when;
        if (what < 0) {
            tcp_timer(&p->end[-1 - what].c, p->now);
            continue;
        }
        struct fx_flight fl = p->fl[what];
        memmove(&p->fl[what], &p->fl[what + 1],
                (p->nfl - (size_t)what - 1) * sizeof *p->fl);
        p->nfl--;
        struct fx_end *to = &p->end[fl.to];
        if (to->c.state == TCPS_CLOSED) {
            /* RFC 9293 3.10.7.1: no TCB; the host answers for it */
            struct tcp_hdr rst;
            if (tcp_reset_for(&fl.h, fl.len, &rst) == 0)
                fxp_put(p, fl.to, &to->c, side_addr(!fl.to), &rst, NULL, 0,
                        WHY0(N_SEG_RST_CLOSED));
        } else {
            tcp_input(&to->c, p->now, side_addr(!fl.to), &fl.h, fl.data,
                      fl.len);
        }
        free(fl.data);
    }
    ck_abort_msg("fxp_run: the wire never went quiet");
}

const struct fx_seg *fxp_sent(const struct fx_pair *p, int side, size_t i)
{
    const struct tcp_conn *c = &p->end[side].c;
    for (size_t k = 0; k < p->log.n; k++)
        if (p->log.v[k].from == c && i-- == 0)
            return &p->log.v[k];
    return NULL;
}

size_t fxp_nsent(const struct fx_pair *p, int side)
{
    size_t n = 0;
    for (size_t k = 0; k < p->log.n; k++)
        n += p->log.v[k].from == &p->end[side].c;
    return n;
}
