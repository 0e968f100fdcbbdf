/* real.h — `--real`: the scenario's TCP calls replayed on loopback sockets,
 * the kernel's states observed beside the model's, and the comparison of
 * the two that the text table (and the UI) show.
 *
 * real_run() runs after sim_run() on the same struct sim.  It replays the
 * listen / connect / send / recv / shutdown / close / abort actions on real
 * non-blocking sockets bound to 127.0.0.1 (or ::1), one socket per
 * simulated endpoint, on ports the kernel chooses; it watches every
 * endpoint's state (getsockopt TCP_INFO while a descriptor is open,
 * NETLINK_SOCK_DIAG by exact 4-tuple once it is closed) and, when allowed,
 * captures the segments on lo.  What it saw becomes the driver's own
 * records (realrec.h), put back on the scenario's clock and merged into the
 * trace by time (at equal times the simulated records come first).  Everything is bounded: a run
 * takes at most max_span_us + settle_max_us of real time plus set-up, and
 * every socket it opens is closed before it returns.
 *
 * The time base.  Action times are divided by `scale` (10): 100 ms of
 * scenario time is 10 ms of real time.  Two successive call times are at
 * least `min_gap_us` (60 ms) apart on the real clock, longer than Linux's
 * 40 ms minimum delayed ACK, so the kernel has finished reacting to one
 * call before the next (as the model has, over its link delays); when the
 * calls would take more than `max_span_us` (3 s) the gaps shrink to fit.
 * Observations are mapped back piecewise-linearly between the moments the
 * calls actually ran; after the last call one real ms is `scale` scenario
 * ms.  Kernel timers (the 60 s TIME_WAIT) are reported in real time and
 * never waited out.
 *
 * What the replay cannot do (fault rules, injected segments, link delay and
 * loss, the two-way handshake, simultaneous open — plain loopback refuses
 * it —, fixed ISNs, the MSL, UDP/DNS/HTTP actions) is recorded as "not
 * replayed" with the reason, never skipped silently. */
#ifndef PROTOSIM_REAL_H
#define PROTOSIM_REAL_H

#include <stdint.h>
#include "realrec.h"
#include "sim.h"

enum real_capture_mode {
    REAL_CAPTURE_AUTO,      /* capture when the process may (CAP_NET_RAW) */
    REAL_CAPTURE_OFF        /* never open the capture socket */
};

struct real_opts {
    int      family;        /* AF_INET (127.0.0.1, default) or AF_INET6 (::1) */
    int      capture;       /* enum real_capture_mode */
    int64_t  scale;         /* scenario time / real time, default 10 */
    int64_t  min_gap_us;    /* real time between two call times, default 60 ms */
    int64_t  max_span_us;   /* real time for all the calls, default 3 s */
    int64_t  poll_us;       /* look at every endpoint this often, default 2 ms */
    int64_t  settle_min_us; /* keep watching after the last call, 150 ms .. */
    int64_t  settle_max_us; /* .. until every endpoint is quiet, at most 1.5 s */
    int      diag_flicker;  /* tests only: NETLINK_SOCK_DIAG answers "no such
                               socket" to every other lookup that found one,
                               as the kernel does in a rare race (drive.c) */
};

void real_default_opts(struct real_opts *o);

/* One real endpoint as the replay left it (for tests and summaries). */
struct real_end {
    int      host;
    uint32_t conn;          /* the simulated connection id (interned), 0 none */
    int      listener, accepted;
    int      family;
    uint8_t  laddr[16], raddr[16];   /* network order, 4 or 16 bytes */
    uint16_t lport, rport;  /* host order; rport 0 for a listener */
    int      last_state;    /* enum tcp_state last observed, -1 none */
    int      closed_by_app; /* close() or abort by the scenario */
};

/* real_result keeps the first REAL_MAX_ENDS endpoints (the tests read
 * them); the replay itself has no such limit. */
#define REAL_MAX_ENDS 64

struct real_result {
    int      calls;         /* socket calls made */
    int      failed_calls;  /* of which failed (the reason is in the trace) */
    int      not_replayed;  /* scenario features listed as not replayed */
    int      observations;  /* RW_STATE records */
    int      unseen;        /* RW_UNSEEN records */
    int      packets;       /* captured segments */
    int      capture;       /* 1 capture ran, 0 it was off */
    int      forced_rst;    /* sockets still open at the end, closed with RST */
    int64_t  real_us;       /* wall-clock length of the replay */
    int      nends;
    struct real_end ends[REAL_MAX_ENDS];
    char     err[256];      /* set when the replay could not run at all */
};

/* Replays s->scn on loopback and merges the observations into s->tr.
 * Returns 0, or -1 when nothing could be replayed (res->err says why; the
 * trace then holds one RW_INFO record with the reason). */
int real_run(struct sim *s, const struct real_opts *o, struct real_result *res);

/* ---- the model beside the kernel (compare.c) -------------------------- */

enum real_mark {
    RM_SAME,                /* both went through the state */
    RM_DETAIL,              /* both, but a detail differs (TIME_WAIT's length) */
    RM_DIFF                 /* only one of them; why says why */
};

/* One row of a connection's side-by-side table.  A side without a state
 * has state -1.  ker_what is RW_STATE or RW_UNSEEN. */
struct real_row {
    int      sim_state, ker_state;
    int64_t  sim_t, ker_t;
    int      ker_what, ker_source;
    int      mark;          /* enum real_mark */
    struct why why;         /* the one-sentence explanation, N_NONE if same */
};

struct real_conn_table {
    int      host;
    uint32_t conn;
    int      replayed;      /* the kernel has records for it */
    struct why failed;      /* the first real call on it that failed
                               (N_REAL_CALL_FAIL), id 0 none */
    struct real_row *rows;
    int      nrows;
};

/* One row of the segment comparison: a simulated segment sent (sim_rec) and
 * a captured one (ker_rec), trace indices or -1. */
struct real_pkt_row {
    long     sim_rec, ker_rec;
    uint32_t sim_seq, sim_ack;      /* relative to each direction's ISN */
    int      mark;
    struct why why;
};

struct real_compare {
    struct real_conn_table *conns;
    int      nconns;
    struct real_pkt_row *pkts;      /* only when the capture ran */
    int      npkts;
    int      captured;
    struct why general[4];          /* differences that hold for the whole run */
    int      ngeneral;
};

/* Builds the comparison from a trace that real_run() filled. */
void real_compare(const struct trace *tr, const struct scenario *scn,
                  struct real_compare *out);
void real_compare_free(struct real_compare *c);

#endif
