/* tcp_fixture.h — test fixtures for sim/proto/tcp.c: a recording environment,
 * connections driven into each RFC 9293 state by real calls and segments,
 * and a two-TCB "wire" for walks.
 *
 * struct fx is one TCB under test (f->c) facing a scripted peer: the test
 * plays the peer by handing segments to fx_input().  Everything the TCB
 * emits is copied into f->log; everything it records lands in a real
 * struct trace (f->tr).  fx_make() builds the TCB into a given state by the
 * same calls and segments a real exchange would use, and checks every
 * segment on the way; afterwards fx_mark() hides that history so a test
 * sees only what its own step produced.
 *
 * struct fx_pair is two TCBs wired to each other with a fixed one-way delay
 * and a fake clock; fxp_run() delivers segments and fires timers in time
 * order, like the simulator does, so walks can compare the whole story. */
#ifndef PROTOSIM_TCP_FIXTURE_H
#define PROTOSIM_TCP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <check.h>
#include "tcp.h"
#include "narrate.h"
#include "trace.h"

/* The fixture's world: we are 192.0.2.10, the peer is 192.0.2.80.  Active
 * fixtures use client port -> server port, passive ones the reverse. */
#define FX_LADDR    0xC000020Au
#define FX_RADDR    0xC0000250u
#define FX_CPORT    49152
#define FX_SPORT    80
#define FX_ISS      1000u        /* our ISS, from choose_iss */
#define FX_PEER_ISS 5000u        /* the peer's ISS: our IRS */
#define FX_STEP_US  10000        /* each fixture step is 10 ms after the last */
#define FX_CONN     1u           /* trace connection id of f->c */
#define FX_LCONN    2u           /* ... and of f->listener */

/* One segment as emitted: header, a copy of the payload, who and when. */
struct fx_seg {
    int64_t t_us;
    const struct tcp_conn *from;
    ip4_addr dst;                /* the IP destination the TCB gave */
    struct tcp_hdr h;
    uint8_t *data;
    size_t len;
    struct why why;
    int dropped;                 /* fx_pair: lost on the wire by a test rule */
};

struct fx_log {
    struct fx_seg *v;
    size_t n, cap;
};

struct fx {
    struct trace tr;
    struct tcp_config cfg;       /* change before fx_make(); its env is
                                    set by fx_cfg() */
    uint32_t iss;                /* what choose_iss returns (FX_ISS) */
    uint32_t peer_iss;           /* the scripted peer's ISS (FX_PEER_ISS) */
    uint16_t peer_mss;           /* MSS option on the peer's SYN; 0 = none */
    uint16_t peer_win;           /* window on every scripted segment */
    struct tcp_env env;          /* the TCBs point at it */
    struct tcp_conn listener;    /* the listening socket of passive fixtures */
    struct tcp_conn c;           /* the TCB under test */
    struct fx_log log;
    size_t mark;                 /* segments before this index are history */
    size_t rmark;                /* trace records before this index, too */
    int64_t now;
    /* what env.discard was told since the mark (the host records it as a
     * drop); at most FX_MAX_DISCARDS kept, ndiscard counts them all */
#define FX_MAX_DISCARDS 8
    struct why discard[FX_MAX_DISCARDS];
    size_t ndiscard;
};

void fx_init(struct fx *f);
void fx_free(struct fx *f);
/* f->cfg for tcp_init, with its env pointing at f->env. */
const struct tcp_config *fx_cfg(struct fx *f);

/* Builds f->c into `st` by real calls and segments (see tcp_fixture.c for
 * each path), asserting every emitted segment and the state chain, then
 * marks.  SYN_RECEIVED here is the passive one (spawned from a listener). */
void fx_make(struct fx *f, enum tcp_state st);
/* SYN_RECEIVED by simultaneous open: connect, then the peer's bare SYN. */
void fx_make_simopen(struct fx *f);

/* Forget history: fx_nsegs/fx_segat and the trace helpers see only what
 * comes after. */
void fx_mark(struct fx *f);

/* A segment from the scripted peer, ports and window filled in. */
struct tcp_hdr fx_hdr(const struct fx *f, uint8_t flags, uint32_t seq,
                      uint32_t ack);
void fx_input_hdr(struct fx *f, const struct tcp_hdr *h, const void *data,
                  size_t len);
void fx_input(struct fx *f, uint8_t flags, uint32_t seq, uint32_t ack,
              const void *data, size_t len);

size_t fx_nsegs(const struct fx *f);                 /* since the mark */
const struct fx_seg *fx_segat(const struct fx *f, size_t i);
/* "SYN seq=1000 ack=0 len=0 | ..." of the segments since the mark. */
const char *fx_dump(const struct fx *f);

/* Asserts with the caller's file:line in the message. */
void fx_check_nsegs(const struct fx *f, size_t n, const char *file, int line);
void fx_check_seg(const struct fx *f, size_t i, uint8_t flags, uint32_t seq,
                  uint32_t ack, const char *file, int line);
#define FX_NSEGS(f, n) fx_check_nsegs((f), (n), __FILE__, __LINE__)
#define FX_SEG(f, i, fl, sq, ak) \
    fx_check_seg((f), (i), (uint8_t)(fl), (uint32_t)(sq), (uint32_t)(ak), \
                 __FILE__, __LINE__)
#define FX_STATE(f, st) \
    ck_assert_msg((int)(f)->c.state == (int)(st), "%s:%d: state %s, want %s", \
                  __FILE__, __LINE__, tcp_state_name((f)->c.state), \
                  tcp_state_name(st))

/* ---- the trace -------------------------------------------------------- */

/* Checks the state records of `conn` from record `from` on: they must chain
 * (each `from` is the previous `to`) and read exp[0] -> exp[1] -> ...,
 * exp ending with -1.  exp = {-1} means "no state change". */
void fx_check_states(const struct trace *tr, uint32_t conn, size_t from,
                     const int *exp, const char *file, int line);
#define FX_STATES(f, ...) \
    fx_check_states(&(f)->tr, FX_CONN, (f)->rmark, \
                    (const int[]){ __VA_ARGS__, -1 }, __FILE__, __LINE__)
#define FX_NO_STATES(f) \
    fx_check_states(&(f)->tr, FX_CONN, (f)->rmark, (const int[]){ -1 }, \
                    __FILE__, __LINE__)

/* The last timer record of `conn` with this name and action from record
 * `from` on, or NULL; and how many there are. */
const struct trace_rec *fx_timer_rec(const struct trace *tr, uint32_t conn,
                                     size_t from, int name, int action);
size_t fx_timer_count(const struct trace *tr, uint32_t conn, size_t from,
                      int name, int action);
#define FX_TIMER(f, name, action) \
    fx_timer_rec(&(f)->tr, FX_CONN, (f)->rmark, (name), (action))
#define FX_TIMERS(f, name, action) \
    fx_timer_count(&(f)->tr, FX_CONN, (f)->rmark, (name), (action))

/* Compares the sequence-space variables and state of two TCBs (a walk's
 * TCB against the fixture that claims to build the same state). */
void fx_check_same_tcb(const struct tcp_conn *x, const struct tcp_conn *y,
                       const char *file, int line);
#define FX_SAME_TCB(x, y) fx_check_same_tcb((x), (y), __FILE__, __LINE__)

/* ---- two TCBs on a wire ---------------------------------------------- */

#define FXP_DELAY_US 10000       /* one-way delay: a 20 ms round trip */
#define FXP_MAX_DROPS 4

struct fx_pair;

struct fx_end {
    struct fx_pair *p;
    int side;                    /* 0 = a (client), 1 = b (server) */
    struct tcp_env env;          /* its TCBs reach it through cfg */
    struct tcp_config cfg;       /* the pair's cfg with env set: its TCBs
                                    point at it */
    struct tcp_conn listener;    /* b's listening socket, after fxp_listen */
    struct tcp_conn c;
    uint32_t iss;
    int nsent;                   /* segments emitted so far */
    int drop[FXP_MAX_DROPS];     /* 1-based numbers of emitted segments to lose */
};

struct fx_flight {
    int64_t due;
    uint64_t order;
    int to;                      /* receiving side */
    struct tcp_hdr h;
    uint8_t *data;
    size_t len;
};

struct fx_pair {
    struct trace tr;
    struct fx_end end[2];
    struct fx_log log;           /* everything emitted, dropped or not */
    struct fx_flight *fl;
    size_t nfl, capfl;
    uint64_t order;
    int64_t now;
    struct tcp_config cfg;       /* each end's TCBs point at a copy */
};

#define FXP_A_CONN 11u
#define FXP_B_CONN 12u
#define FXP_B_LCONN 13u

/* a = client (192.0.2.10:49152, ISS FX_ISS), b = server (192.0.2.80:80, ISS
 * FX_PEER_ISS), both CLOSED with `cfg` (NULL: defaults). */
void fxp_init(struct fx_pair *p, const struct tcp_config *cfg);
void fxp_free(struct fx_pair *p);
/* b listens: a listening TCB, and the child that will take the SYN. */
void fxp_listen(struct fx_pair *p);
/* Lose the n-th (1-based) segment that `side` emits from now on counting
 * from its first segment ever. */
void fxp_drop(struct fx_pair *p, int side, int nth);
/* Delivers segments and fires timers, in time order, up to and including
 * `until`; leaves p->now = until.  A segment for a CLOSED TCB is answered
 * with tcp_reset_for(), as the host would. */
void fxp_run(struct fx_pair *p, int64_t until);
/* The wire's log entries sent by `side`, in order (NULL when fewer). */
const struct fx_seg *fxp_sent(const struct fx_pair *p, int side, size_t i);
size_t fxp_nsent(const struct fx_pair *p, int side);

#define FXP_STATES(p, conn, ...) \
    fx_check_states(&(p)->tr, (conn), 0, (const int[]){ __VA_ARGS__, -1 }, \
                    __FILE__, __LINE__)

#endif
