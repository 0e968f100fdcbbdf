/* tcp.h — one TCP connection (a TCB) as RFC 9293 defines it, sans-I/O.
 *
 * The TCB never touches the scheduler, sockets or the screen.  Every call
 * takes the current time; segments to transmit leave through env.emit, and
 * the caller asks tcp_deadline() when the TCB next wants to be woken and
 * calls tcp_timer() then.  Every state change goes through one function that
 * appends a trace record with its reason. */
#ifndef PROTOSIM_TCP_H
#define PROTOSIM_TCP_H

#include <stddef.h>
#include <stdint.h>
#include "wire.h"
#include "trace.h"

#define TCP_STATES(X) \
    X(CLOSED)       \
    X(LISTEN)       \
    X(SYN_SENT)     \
    X(SYN_RECEIVED) \
    X(ESTABLISHED)  \
    X(FIN_WAIT_1)   \
    X(FIN_WAIT_2)   \
    X(CLOSE_WAIT)   \
    X(CLOSING)      \
    X(LAST_ACK)     \
    X(TIME_WAIT)

/* TCPS_ESTABLISHED ...: prefixed so as not to clash with <netinet/tcp.h>'s
 * TCP_ESTABLISHED ..., which the --real driver uses for the kernel's numbers. */
enum tcp_state {
#define X(s) TCPS_##s,
    TCP_STATES(X)
#undef X
    TCPS_NSTATES
};

const char *tcp_state_name(int s);          /* "SYN_SENT" */
int tcp_state_parse(const char *s);         /* -1 if unknown; accepts SYN-SENT too */

/* RFC 9293's state diagram as data (tcp_arrows.c): Figure 5's arrows
 * (figure = 1) and the resets, aborts and timeouts of 3.10 that it leaves
 * out (figure = 0), each with its event and the RFC's words.  The model's
 * own transitions follow these arrows (tests/test_quiz.c holds it to that),
 * except the lessons' deliberate departures (`tcp handshake two-way`, SYN
 * cookies' LISTEN -> ESTABLISHED of RFC 4987). */
struct tcp_arrow {
    int from, to;               /* enum tcp_state */
    int figure;
    const char *event, *rfc;
};
const struct tcp_arrow *tcp_arrows(size_t *n);
int tcp_rfc_arrow(int from, int to);         /* 1 when the RFC draws from -> to */
/* The states one arrow leads to from `from`, in table order (at most max,
 * each once); returns how many. */
int tcp_rfc_next(int from, int *to, int max);

/* Packed small: every TCB carries a copy (a crowd has hundreds of
 * thousands of TCBs), so the flags are bytes and the fields are ordered
 * by size. */
struct tcp_config {
    int64_t  rto_us;         /* initial retransmission timeout */
    int64_t  rto_max_us;     /* backoff ceiling (RFC 6298 2.5 allows >= 60 s) */
    int64_t  msl_us;         /* maximum segment lifetime; TIME_WAIT = 2 MSL */
    uint32_t rcvbuf;         /* receive buffer bytes; our window */
    uint32_t sndbuf;         /* send buffer bytes */
    uint16_t mss;            /* our MSS: the largest segment we accept */
    uint8_t  retries;        /* retransmissions of one segment before giving up */
    int8_t   wscale;         /* the window scale shift (0-14) we offer in
                                our SYN, RFC 7323 2.2; -1: offer none */
    uint8_t  nagle;          /* RFC 9293 3.7.4 */
    uint8_t  two_way;        /* the wrong two-way handshake, for the lesson */
    uint8_t  tw_reopen;      /* a new SYN may reopen from TIME-WAIT (RFC 9293
                                3.6.1 MAY-2, RFC 6191); on by default */
    uint8_t  syncookies;     /* answer SYNs with a SYN cookie when the
                                listener's SYN queue is full (RFC 4987 3.6);
                                the host decides when (sim/host/listenq.c) */
    /* What its TCBs reach outside themselves: here, not in each TCB (a
     * crowd's hundreds of thousands of TCBs share a few configs).  Set
     * before tcp_init; tcp_config_default leaves it NULL. */
    const struct tcp_env *env;
};

void tcp_config_default(struct tcp_config *c);

/* RFC 5961 7 (ACK throttling), as Linux does it per connection
 * (net.ipv4.tcp_invalid_ratelimit): at most one ACK in this time answers
 * unacceptable segments that carry no data. */
#define TCP_OOW_ACK_GAP_US 500000

struct tcp_conn;

/* What a TCB may reach outside itself, through its config (cfg->env): not
 * a copy in each TCB (48 bytes a TCB, in a crowd of hundreds of thousands),
 * nor a pointer (8): one env serves every TCB of a run, and it must
 * outlive them.  The host a TCB
 * belongs to is the TCB's own (tcp_conn.host). */
struct tcp_env {
    struct trace *tr;
    /* Transmit a segment to IP address dst.  The TCB fills sport, dport,
     * seq, ack, flags, win and mss; the caller adds IP and Ethernet and
     * puts it on the wire.  dst is the connection's remote address, except
     * for an RST built from an incoming segment: that goes to the segment's
     * source (a listener's remote address is 0.0.0.0). */
    void (*emit)(void *ctx, struct tcp_conn *c, ip4_addr dst,
                 const struct tcp_hdr *h, const uint8_t *data, size_t len,
                 struct why why);
    /* Choose the initial sequence number for a new connection. */
    uint32_t (*choose_iss)(void *ctx, struct tcp_conn *c);
    void *ctx;
    /* The segment being processed is dropped and nothing else will come
     * of it (no reply, no state change), or its text is ignored after its
     * ACK field was taken (RFC 9293 3.10.7.4 seventh, text after the
     * peer's FIN): why says which rule.  NULL: nobody is told. */
    void (*discard)(void *ctx, struct tcp_conn *c, struct why why);
};

/* A growable byte queue (at most the send or receive buffer: 32 bits). */
struct bytequeue {
    uint8_t *buf;
    uint32_t head, len, cap;
};

/* An out-of-order segment waiting for the gap before it to fill: a node of
 * the TCB's reassembly queue (tcp.c, "The out-of-order queue"), a treap.
 * In order of (seq, the newest first), and each node's prio at least its
 * children's; prio is a hash of the segment's arrival number, so the tree
 * is balanced on average whatever order the segments come in. */
struct tcp_ooo {
    struct tcp_ooo *left, *right;
    uint64_t arrival;        /* how many segments the queue took before it */
    uint32_t seq;
    uint32_t prio;
    size_t   len;
    int      fin;
    uint8_t  data[];
};

/* The parts of a TCB that few TCBs ever use: made (zeroed) the first time
 * one is needed (tcp.c, tcp_rare), freed with the TCB.  A crowd holds two
 * TCBs per connection, and none of its TCBs needs these. */
struct tcp_rare {
    struct tcp_ooo *ooo;     /* out-of-order segments: the treap's root */
    uint64_t ooo_arrivals;   /* segments the queue ever took */
    uint64_t ooo_bytes;      /* held: sizeof (struct tcp_ooo) + len each */
    int64_t  last_oow_ack;   /* when the last ACK answering an unacceptable
                                segment without data went (RFC 5961 7) */
    int64_t  persist_due;    /* the persist timer (zero window), 0 = not
                                running: tcp_persist_due() */
    uint64_t retransmits;    /* segments sent again after an RTO:
                                tcp_retransmits() */
    uint32_t ooo_seq;        /* the segment beyond a gap an ACK answers */
    uint32_t reopen_snd_nxt; /* spawned by a SYN that ended a TIME-WAIT TCB
                                (reopen): the SND.NXT our ISS must exceed */
};

/* The transmission control block (RFC 9293 3.3.1).  Sequence numbers are
 * absolute 32-bit values compared modulo 2^32 (seq_lt and friends). */
struct tcp_conn {
    enum tcp_state state;
    int      host;           /* the trace's host of its records */
    const struct tcp_config *cfg;  /* kept, not copied: shared, and nothing
                                    * changes it per connection; its env is
                                    * the TCB's way out */
    uint32_t id;             /* interned connection id for the trace */

    ip4_addr laddr, raddr;
    uint16_t lport, rport;

    /* send sequence space */
    uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_snd_wnd;    /* the largest window the peer has offered
                                (RFC 5961 5.2 MAX.SND.WND) */
    uint16_t snd_mss;        /* effective send MSS (peer's option, else 536) */
    /* RFC 7323 2.2: window scaling is in effect only when both SYNs carried
     * the option; then the peer's window fields are shifted left by
     * snd_shift and ours right by rcv_shift (SYNs are never scaled). */
    uint8_t  ws_peer;        /* the shift the peer offered, if peer_ws */
    uint8_t  snd_shift, rcv_shift;
    /* what is owed: an OWE_ value, so a byte */
    uint8_t  ack_now;        /* an ACK is owed to the peer */
    /* RFC 9293 3.8.6.1 zero-window probing, driven by the persist timer:
     * how many times its interval has doubled since the window closed
     * (SHLD-30), and the probes sent since the peer last sent an ACK (the
     * connection is given up only when they go unanswered, MUST-36) */
    uint8_t  persist_shift;
    uint8_t  probes;
    /* flags, a bit each (only ever set to 0 or 1), here where they fill
     * what would be padding before irs */
    unsigned peer_ws : 1;    /* the peer's SYN offered a shift (saved in ws_peer) */
    unsigned passive : 1;    /* this TCB came from LISTEN (passive OPEN) */
    unsigned reopen : 1;     /* spawned by a SYN that ended a TIME-WAIT TCB */
    unsigned syn_received : 1;  /* IRS is known */
    unsigned close_pending : 1; /* application closed: send FIN once sndq drains */
    unsigned app_closed : 1; /* close() (not shutdown()): nobody will read */
    unsigned fin_sent : 1;   /* our FIN occupies sequence number fin_seq */
    unsigned fin_received : 1;  /* the peer's FIN has been processed */
    unsigned probe_out : 1;  /* what lies from SND.UNA to SND.NXT went into
                                the peer's zero window (a probe byte, a FIN):
                                the persist timer, not the RTO, sends it
                                again, and all of it goes again once the
                                window opens */
    unsigned ack_syn_in_data : 1; /* tcp_output's next data segment is the
                                     handshake's third: it acknowledges the
                                     peer's SYN (RFC 9293 3.10.7.3) */
    unsigned oow_acked : 1;  /* rare->last_oow_ack holds a time (RFC 5961 7) */
    unsigned ack_dropped : 1;   /* since the retransmission timer last
                                   started, the host dropped an ACK for this
                                   half-open child because its listener's
                                   accept queue was full (sim/host/listenq.c):
                                   the timer's sentences say the ACK came */
    unsigned in_synq : 1;    /* a half-open child counted in its listener's
                                SYN queue (`listen PORT backlog N`): its
                                give-up sentence says the place is freed */
    /* small numbers, in the bytes the flags leave before irs (a crowd
     * holds two TCBs per connection: each byte is 200 KB at 100,000) */
    uint8_t  err;            /* why the TCB closed: TCPE_RESET, _REFUSED,
                                _TIMEOUT, or 0 for a normal close */
    uint8_t  retrans_count;  /* consecutive expirations (retries <= 20) */
    /* receive sequence space */
    uint32_t irs, rcv_nxt, rcv_wnd;
    uint32_t rcv_wnd_advertised; /* right edge last advertised - rcv_nxt;
                                    here, it fills what would be a hole
                                    before the 8-aligned queues */

    struct bytequeue sndq;   /* bytes from SND.UNA: unacknowledged then unsent */
    struct bytequeue rcvq;   /* in-order bytes the application has not read */
    struct tcp_rare *rare;   /* what few TCBs need, NULL until one does */
    uint32_t fin_seq;        /* our FIN's sequence number, once fin_sent */
    uint32_t stale_acks;     /* segments with ACK that came while the
                                retransmission timer ran since its last
                                start: none acknowledged anything new (one
                                that did restarted the timer, RFC 6298 5.3) */

    /* timers: 0 = not running (times are absolute microseconds) */
    int64_t  rto_due;
    int64_t  rto_cur;        /* current RTO, doubled by backoff */
    int64_t  tw_due;

};

/* The rare parts' fields, 0 for a TCB that has none. */
static inline int64_t tcp_persist_due(const struct tcp_conn *c)
{
    return c->rare ? c->rare->persist_due : 0;
}

static inline uint64_t tcp_retransmits(const struct tcp_conn *c)
{
    return c->rare ? c->rare->retransmits : 0;
}

/* The memory the out-of-order queue holds, for the run's memory budget:
 * sizeof (struct tcp_ooo) and the bytes of each segment in it. */
static inline uint64_t tcp_ooo_bytes(const struct tcp_conn *c)
{
    return c->rare ? c->rare->ooo_bytes : 0;
}

/* Sequence number comparisons modulo 2^32 (RFC 9293 3.4). */
static inline int seq_lt(uint32_t a, uint32_t b)  { return (int32_t)(a - b) < 0; }
static inline int seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline int seq_gt(uint32_t a, uint32_t b)  { return (int32_t)(a - b) > 0; }
static inline int seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* cfg (and cfg->env, which must be set) is kept, not copied: it must
 * outlive c. */
void tcp_init(struct tcp_conn *c, const struct tcp_config *cfg,
              int host, uint32_t id,
              ip4_addr laddr, uint16_t lport, ip4_addr raddr, uint16_t rport);
void tcp_destroy(struct tcp_conn *c);

/* A child TCB for a SYN arriving at a listener: shares config and env, copies host, takes
 * the local address the SYN was sent to (a host may have several; RFC 1122
 * 4.2.3.7) and the remote endpoint, starts in LISTEN with passive set.  The
 * caller feeds it the SYN with tcp_input(). */
void tcp_spawn(struct tcp_conn *child, const struct tcp_conn *listener,
               uint32_t id, ip4_addr laddr, ip4_addr raddr, uint16_t rport);

/* Errors returned by application calls (negative): RFC 9293's names, as
 * the scenario language writes them (`error "connection refused"`); the
 * narration quotes them translated, _(tcp_err_str(e)).  The last is no
 * RFC 9293 error but the socket's EADDRNOTAVAIL: a connect() that finds
 * every ephemeral port held (RFC 6056 leaves the error to the system). */
#define TCP_ERRORS(X) \
    X(OK,          N_("ok"))                                   \
    X(EXISTS,      N_("connection already exists"))            \
    X(NOTCONN,     N_("connection does not exist"))            \
    X(CLOSING,     N_("connection closing"))                   \
    X(RESET,       N_("connection reset"))                     \
    X(REFUSED,     N_("connection refused"))                   \
    X(ILLEGAL,     N_("not allowed in this state"))            \
    X(NOSPACE,     N_("insufficient resources"))               \
    X(TIMEOUT,     N_("connection timed out"))             \
    X(ADDRNOTAVAIL, N_("address not available"))

enum tcp_err {
#define X(id, text) TCPE_##id,
    TCP_ERRORS(X)
#undef X
    TCPE_COUNT
};
_Static_assert(TCPE_COUNT <= 256, "struct tcp_conn keeps err in a uint8_t");
const char *tcp_err_str(int err);            /* err as returned: 0 or negative */

/* Application calls (RFC 9293 3.10).  Return 0 / bytes, or -TCPE_xxx. */
int  tcp_listen(struct tcp_conn *c, int64_t now);
int  tcp_connect(struct tcp_conn *c, int64_t now);
long tcp_send(struct tcp_conn *c, int64_t now, const uint8_t *p, size_t len);
long tcp_recv(struct tcp_conn *c, int64_t now, uint8_t *p, size_t max);
int  tcp_shutdown(struct tcp_conn *c, int64_t now);
/* close() is shutdown() plus: received data the application never read is
 * lost, and the peer is told with an RST (RFC 1122 4.2.2.13). */
int  tcp_close(struct tcp_conn *c, int64_t now);
int  tcp_abort(struct tcp_conn *c, int64_t now);
/* What the application call `call` (AC_SEND with len bytes, AC_RECV,
 * AC_SHUTDOWN, AC_CLOSE, AC_ABORT) would return as an error, or 0 when it
 * would be accepted; the calls begin with this very test, so the caller
 * can record the outcome before the records the call causes. */
int  tcp_refusal(const struct tcp_conn *c, int call, size_t len);
/* recv() in two steps: taking the bytes (no records), then the window
 * update reading may call for (RFC 9293 3.8.6.2.2). */
long tcp_read(struct tcp_conn *c, uint8_t *p, size_t max);
void tcp_read_done(struct tcp_conn *c);

/* A segment from IP address src for this TCB has arrived (RFC 9293
 * 3.10.7).  src is where an RST answering the segment goes. */
void tcp_input(struct tcp_conn *c, int64_t now, ip4_addr src,
               const struct tcp_hdr *h, const uint8_t *data, size_t len);

/* A SYN reaching a TIME-WAIT TCB (RFC 9293 3.6.1 MAY-2, RFC 6191, RFC
 * 1122 4.2.2.13).  Call before tcp_input; have_listener says whether a
 * listening socket on the TCB's port could take a new connection.
 * Returns TW_SYN_NONE when h is not a SYN for a TIME-WAIT TCB (use
 * tcp_input), TW_SYN_HANDLED when the TCB answered it itself (challenge
 * ACK, TIME-WAIT kept), TW_SYN_REOPEN when the TCB has been deleted for a
 * new incarnation: spawn a child of the listener, call tcp_reopen_from()
 * on it, and feed it the SYN. */
enum { TW_SYN_NONE, TW_SYN_HANDLED, TW_SYN_REOPEN };
int tcp_time_wait_syn(struct tcp_conn *c, int64_t now, const struct tcp_hdr *h,
                      int have_listener);
/* The new incarnation's ISS must exceed the old one's SND.NXT. */
void tcp_reopen_from(struct tcp_conn *child, const struct tcp_conn *old);
/* The earliest time the TCB wants tcp_timer() called, or -1. */
int64_t tcp_deadline(const struct tcp_conn *c);
/* Run every timer that is due at `now` (RFC 9293 3.10.8). */
void tcp_timer(struct tcp_conn *c, int64_t now);

/* ---- SYN cookies (RFC 4987 3.6), tcp_cookie.c --------------------------
 *
 * A listener whose SYN queue is full answers a SYN with a SYN,ACK whose ISS
 * is a cookie and keeps nothing; the ACK that comes back (ACK - 1 = the
 * cookie) re-creates the connection.  The cookie's 32 bits, as RFC 4987 3.6
 * lays them out: the top 5 a time counter t mod 32 (t counts periods of
 * TCP_COOKIE_PERIOD_US), the next 3 an index into a table of 8 MSS values,
 * the low 24 a keyed hash of the four-tuple and t. */
#define TCP_COOKIE_PERIOD_US (64LL * 1000000)
#define TCP_COOKIE_MAX_AGE   1   /* periods: a cookie lives 64 to 128 s */

enum tcp_cookie_verdict {
    COOKIE_OK,
    COOKIE_STALE,    /* its time counter is more than MAX_AGE periods old */
    COOKIE_FORGED    /* its hash does not match the four-tuple */
};

/* The cookie for a SYN from raddr:rport to laddr:lport at `now`; the MSS
 * it encodes is the largest table value not above want (*mss). */
uint32_t tcp_cookie_make(uint64_t secret, int64_t now, ip4_addr laddr,
                         uint16_t lport, ip4_addr raddr, uint16_t rport,
                         uint16_t want, uint16_t *mss);
/* Decodes and checks a cookie; on COOKIE_OK *mss is the MSS it encodes,
 * and *age how many periods old it is (on COOKIE_STALE too). */
int tcp_cookie_check(uint64_t secret, int64_t now, ip4_addr laddr,
                     uint16_t lport, ip4_addr raddr, uint16_t rport,
                     uint32_t cookie, uint16_t *mss, int *age);
/* The listener answers a SYN from src with a cookie SYN,ACK and keeps no
 * state. */
void tcp_cookie_synack(struct tcp_conn *listener, int64_t now, ip4_addr src,
                       const struct tcp_hdr *syn, uint64_t secret);
/* A segment with ACK (and neither SYN nor RST) from src reached a listener
 * that uses cookies: returns 1 with *mss set when ACK - 1 is a valid
 * cookie, else answers with the RST of RFC 9293 3.10.7.2 and returns 0. */
int tcp_cookie_ack(struct tcp_conn *listener, int64_t now, ip4_addr src,
                   const struct tcp_hdr *h, size_t len, uint64_t secret,
                   uint16_t *mss);
/* A child of the listener (tcp_spawn) becomes the connection the valid
 * cookie in h describes: ESTABLISHED with no SYN-RECEIVED stage.  The
 * caller then feeds it h with tcp_input, for any data it carries. */
void tcp_cookie_open(struct tcp_conn *child, int64_t now,
                     const struct tcp_hdr *h, uint16_t mss);

/* The reply to a segment that reached no TCB (RFC 9293 3.10.7.1).  Returns 0
 * and fills out when an RST is due, -1 when the segment is itself an RST. */
int tcp_reset_for(const struct tcp_hdr *in, size_t len, struct tcp_hdr *out);

#endif
