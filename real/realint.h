/* realint.h — what the parts of the real-socket driver (real.c, drive.c,
 * merge.c, diag.c, capture.c) share and nothing outside real/ needs. */
#ifndef PROTOSIM_REALINT_H
#define PROTOSIM_REALINT_H

#include <stddef.h>
#include <stdint.h>
#include "real.h"
#include "trace.h"
#include "rmap.h"

/* An endpoint address: family, address bytes in network order, port in
 * host order. */
struct real_addr {
    int      family;        /* AF_INET or AF_INET6 */
    uint8_t  addr[16];
    uint16_t port;
};

/* CLOCK_MONOTONIC in microseconds. */
int64_t real_now_us(void);

/* ---- diag.c: the kernel's view of a socket ----------------------------- */

/* Linux's TCP state numbers (include/net/tcp_states.h) as RFC 9293 names:
 * enum tcp_state, or -1 for a number with no RFC name.  TCP_NEW_SYN_RECV,
 * Linux's request socket, is SYN_RECEIVED. */
int real_linux_state(int linux_state);
/* The state of an open socket from getsockopt(TCP_INFO): enum tcp_state,
 * with the raw tcpi_state in *raw; -1 on error (errno set). */
int real_tcp_info_state(int fd, int *raw);

/* A NETLINK_SOCK_DIAG socket (inet_diag, no privilege needed). */
struct real_diag {
    int      fd;
    uint32_t seq;
    int      flicker;       /* real_opts.diag_flicker */
    int      flickered;     /* the last found socket was hidden */
};

struct real_diag_answer {
    int      state;         /* enum tcp_state, -1 if Linux's has no name */
    int      raw;           /* Linux's number */
    int      timer;         /* idiag_timer: 0 none, 1 retransmit, 2 keepalive
                               (also the orphaned FIN_WAIT_2 timer),
                               3 TIME_WAIT, 4 zero-window probe */
    int64_t  expires_ms;    /* idiag_expires */
    int      retrans;
};

int  real_diag_open(struct real_diag *d);       /* 0, or -1 with errno */
void real_diag_close(struct real_diag *d);
/* Looks up the connection with exactly this local and remote endpoint (a
 * listener: remote port 0).  Returns 1 and fills *a when the kernel has it,
 * 0 when it has no such socket, -1 on error (errno set).  Bounded: waits at
 * most 100 ms for the kernel's answer. */
int  real_diag_lookup(struct real_diag *d, const struct real_addr *local,
                      const struct real_addr *remote,
                      struct real_diag_answer *a);

/* ---- capture.c: segments on lo (needs CAP_NET_RAW) -------------------- */

struct real_cap_pkt {
    int64_t  t_us;          /* CLOCK_MONOTONIC, from the kernel's timestamp */
    uint16_t sport, dport;
    uint32_t seq, ack;      /* absolute */
    uint8_t  flags;
    uint32_t len;           /* payload bytes */
};

struct real_cap {
    int      fd;
    int      family;
    int64_t  real_minus_mono_us;    /* CLOCK_REALTIME - CLOCK_MONOTONIC */
    uint8_t  want[65536 / 8];       /* the ports let through, a bitmap */
    uint16_t first[100];            /* the first of them, for the program */
    int      nports;
    long     drops;                 /* segments the socket had no room for */
};

/* Opens an AF_PACKET socket on lo that sees nothing until real_cap_ports().
 * Returns 0, or -1 with errno (EPERM/EACCES: no CAP_NET_RAW). */
int  real_cap_open(struct real_cap *c, int family);
/* Lets through TCP segments from or to this port too (and those of the
 * ports given before).  0, or -1 with errno when the program failed. */
int  real_cap_add_port(struct real_cap *c, uint16_t port);
/* Segments the kernel dropped because the socket's buffer was full, since
 * it was opened; -1 on error. */
long real_cap_drops(struct real_cap *c);
/* The next captured segment: 1, 0 when none is waiting, -1 on error. */
int  real_cap_read(struct real_cap *c, struct real_cap_pkt *p);
void real_cap_close(struct real_cap *c);

/* ---- the replay's state (real.c, drive.c, merge.c) --------------------- */

enum ep_kind { EP_LISTEN, EP_ACTIVE, EP_ACCEPTED };

/* One real socket standing for one simulated endpoint. */
struct ep {
    int      fd;            /* -1 once closed */
    int      host;
    int      kind;          /* enum ep_kind */
    uint32_t conn;          /* the model's connection id */
    struct real_addr local, remote;   /* remote.port 0 for a listener */
    uint16_t scn_port;      /* a listener's port in the scenario */
    int      state;         /* last state recorded, -1 none */
    int      final;         /* nothing more to watch */
    int      app_closed;    /* the scenario closed or aborted it */
    int      aborted, unread_at_close;
    int      connected;     /* connect() has been called */
    int      connect_err;   /* the error connect() failed with before the
                               first look (SO_ERROR, read there and so
                               cleared), 0 none */
    uint8_t *pend;          /* bytes send() could not take yet */
    size_t   npend;
    int      hot;           /* in the replay's list of endpoints to watch */
    int64_t  touched_us;    /* when a call or a change last concerned it */
};

/* A port the scenario connects to where nothing listens: a socket bound to
 * it and not listening holds it, so the kernel answers the SYN with RST. */
struct closed_port {
    int      host;
    uint16_t scn_port, port;
    int      fd;
};

/* A record on its way into the trace: its real time, or a fixed scenario
 * time for what does not happen on the real clock. */
struct rrec {
    struct trace_rec r;
    int64_t  real_us;       /* since the replay began; INT64_MIN if fixed */
    size_t   idx;           /* creation order, to break ties */
    int      fixed;
};

/* A distinct call time and when it ran on the real clock. */
struct anchor {
    int64_t  scn_us;        /* scenario time */
    int64_t  plan_us;       /* when it is due, since the replay began */
    int64_t  begin_us, end_us;  /* when its calls actually ran */
};

struct replay {
    struct sim *s;
    const struct scenario *scn;
    struct real_opts o;
    struct real_result *res;
    size_t   nsim;          /* the simulated records: s->tr.recs[0 .. nsim) */
    struct ep *eps;
    int      neps, capeps;
    struct closed_port *cps;
    int      ncps, capcps;
    int     *cur;           /* per host: current endpoint, -1 none, -2 not replayed */
    struct rrec *recs;
    size_t   nrecs, caprecs;
    struct real_diag diag;
    struct real_cap cap;
    int      capturing;
    struct real_cap_pkt *pkts;
    size_t   npkts, cappkts;
    int64_t  t0;            /* real_now_us() when the replay began */
    int64_t  hard_deadline; /* real_now_us() past which nothing waits */
    struct anchor *anc;
    int      nanc;
    /* What is watched: the endpoints a call or a change concerned in the
     * last REAL_HOT_US, and those in a state that moves without a call
     * (a handshake or a close under way, bytes waiting to be sent); the
     * listeners, for accept; endpoints by port pair, for a peer. */
    int     *hotv;
    int      nhot, caphot;
    int     *lis;
    int      nlis, caplis;
    struct rmap byports;
    struct rmap lis_by, cps_by;     /* open listeners and closed-port holders
                                       by host and scenario port */
    /* the model's TCP call records by host, time and call: key k's
     * connections are appconn[appoff[k] .. appoff[k + 1]) */
    struct keytab { struct rmap map; struct appkey { int host, call; int64_t t; } *k;
                    int n; } app;
    uint32_t *appconn;
    int     *appoff;
    int     *actj;          /* per action: how many before it share its key */
    int     *actn;          /* per action: how many share its key */
    int      appbuilt;
    struct rmap byconn;     /* endpoints by host and the model's connection */
    int      touched;       /* the endpoint the last call acted on, or -1 */
    uint8_t *skip;          /* per action: 1 = not replayed */
    int     *anc_of;        /* per action: its anchor, -1 if not replayed */
};

/* ---- real.c: the replay's records ------------------------------------- */

/* Appends one of the driver's records (realrec.h), stamped with the real
 * time since the replay began. */
struct trace_rec *real_rec_add(struct replay *R, int host, uint32_t conn,
                               int what, int state, int source,
                               struct why why);
uint32_t real_str_id(struct replay *R, const char *text);

/* ---- drive.c: the sockets, observing them, the calls ------------------- */

/* A TCP socket bound to the loopback address on port (0: the kernel's
 * choice), non-blocking.  Returns the descriptor or -1 with errno. */
int  real_bound_socket(const struct replay *R, uint16_t port, int reuse);
/* The local port of host ch's model connection conn, read from its id
 * "CH:LPORT-PEER:PORT" (sim_conn_name); 0 if the id is not of that form. */
uint16_t real_sim_lport(const struct sim *s, int ch, uint32_t conn);
/* One look at everything, after waiting at most wait_us. */
void real_step(struct replay *R, int64_t wait_us);
void real_wait_until(struct replay *R, int64_t target_rel);
/* Nothing will move without another call. */
int  real_quiet(const struct replay *R);
/* A call of host h was made: its endpoint and that endpoint's peer are
 * watched again. */
/* Watches the endpoint the last call acted on (the host's newest, or the
 * one a named call named) and its peer. */
void real_touch_host(struct replay *R, int h);
/* Can a call that names its connection be replayed: do the model's records
 * tell which connection it acted on? */
int  real_named_call_known(struct replay *R, int ai, int call);
int  app_call_of(int kind);
void real_watch_free(struct replay *R);
void real_accept_all(struct replay *R);
void real_observe_all(struct replay *R);
/* One look at every endpoint, watched or not (once, at the end). */
void real_observe_every(struct replay *R);
void real_read_capture(struct replay *R);
struct trace_rec *real_call_rec(struct replay *R, int host, uint32_t conn,
                                int call, int32_t val, struct why why);
/* The calls, each for action ai of the scenario. */
void real_do_listen(struct replay *R, int ai);
void real_do_connect(struct replay *R, int ai);
void real_do_send(struct replay *R, int ai);
void real_do_recv(struct replay *R, int ai);
void real_do_end(struct replay *R, int ai);     /* shutdown, close, abort */

/* ---- merge.c: the capture's records, the clock, the merge -------------- */

void real_packet_records(struct replay *R);
/* Puts every record on the scenario's clock and merges them into the
 * trace by time, the simulated records first at equal times. */
void real_merge(struct replay *R);

#endif
