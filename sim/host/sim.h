/* sim.h — a run of one scenario: hosts, links, the event loop, and the glue
 * that carries frames between protocol objects.  Protocols are sans-I/O;
 * this file is the only one that owns the clock and the event queue. */
#ifndef PROTOSIM_SIM_H
#define PROTOSIM_SIM_H

#include <stdint.h>
#include "arp.h"
#include "event.h"
#include "rng.h"
#include "scenario.h"
#include "tcp.h"
#include "trace.h"
#include "udp.h"

/* A TCB as the host keeps it: the TCB plus its wake-up event. */
struct flight;
struct flight_block;
struct app_ops;

/* What few TCBs use, allocated the first time one of them needs it
 * (sim_more) and freed with the TCB: framing, a proxy's pair, a listener's
 * queues and a queued child's place in them. */
struct sim_conn_more {
    /* length-prefixed framing: bytes read and not yet a whole message */
    uint8_t *frame_buf;
    size_t   frame_len, frame_cap;
    /* a proxy's two connections (wsgiapp.c: nginx's from the browser and
     * its own to uWSGI) point at each other until the exchange is over;
     * neither is freed while linked */
    struct sim_conn *proxy_peer;
    /* `listen PORT backlog N` (listenq.c).  A listener with a backlog keeps
     * two counts, each at most N: its children in SYN_RECEIVED (the SYN
     * queue; they are TCBs of their own, found by four-tuple, so the queue
     * is only counted, never walked) and its established children that no
     * accept() has taken yet (the accept queue, oldest first, linked
     * through the children).  backlog 0 (or no sim_conn_more): no limits
     * and no queues, every connection handed to the application at once,
     * as before backlogs. */
    struct sim_conn *acc_head, *acc_tail;
    /* a child: the listener whose queue counts it (NULL once it has left
     * both) and its neighbours in the accept queue; sim_conn.queue says
     * which queue */
    struct sim_conn *parent;
    struct sim_conn *acc_prev, *acc_next;
    int      backlog;
    int      syn_n, acc_n;
    int      accepts_waiting;  /* accept() calls blocked for a connection */
};

/* Fields ordered by size, flags as bytes, the rarely used ones in
 * sim_conn_more: a crowd holds one per live connection end. */
struct sim_conn {
    struct tcp_conn tcb;
    event_id timer_ev;
    int64_t  timer_at;         /* when timer_ev fires, -1 if none */
    uint64_t counted;          /* its bytes as mem_tcbs counts them */
    const struct scn_action *act;  /* the action that set the role up */
    union {
        struct sim_conn_more *more;   /* while alive: NULL until needed */
        struct sim_conn *next_spare;  /* once freed: on the sim's spare list */
    };
    /* its index in its host's conns (which holds fewer than 2^32: sim.c,
     * sim_new_conn) */
    uint32_t slot;
    /* its host is tcb.host.  app: the application behind it (app.h), as
     * its place in app.c's table + 1, 0 if none (app_own); role is that
     * application's own tag for what the connection does; role and step
     * are small enum values.  The flags are bits, so that a TCB takes 264
     * bytes, not 272: two per connection of a crowd. */
    uint8_t  app;
    uint8_t  role;
    uint8_t  step;             /* how far the role's script has got */
    unsigned queue : 2;        /* enum lq_queue (simint.h) */
    unsigned listener : 1;     /* a listening socket that spawns children */
    unsigned detached : 1;     /* no longer in the demultiplexing table */
    unsigned reaping : 1;      /* on the sim's list of TCBs to free */
    unsigned peer_mark : 1;    /* kept once, as peers.c closes up a list */
};

/* A host's interface on a LAN, with its ARP cache. */
struct sim_iface {
    struct sim *sim;           /* back-pointers for the ARP callbacks */
    int      host, idx;
    ip4_addr addr, mask;
    int      lan;
    mac_addr mac;
    struct arp_cache arp;
    event_id arp_ev;
    int64_t  arp_at;
};

/* One Ethernet broadcast domain and the interfaces on it. */
struct sim_lan {
    const struct scn_lan *cfg;
    int     *member_host, *member_if;
    int      nmembers;
    /* copies of ARP broadcasts on their way to members, for the cause of
     * a run that reaches its frames-in-flight limit */
    uint64_t arp_bcast_in_flight;
};

/* A bound UDP socket and the datagrams waiting in it. */
struct sim_udp {
    uint16_t port;
    struct udp_queue q;
    uint64_t waiting;          /* bytes of the datagrams in q */
    uint64_t counted;          /* its bytes as mem_tcbs counts them */
};

/* A host's bound UDP sockets (udpapp.c), allocated at its first bind. */
struct sim_udps {
    struct sim_udp *udp;
    int      nudp, capudp;
    int32_t *udp_ix;           /* port -> index + 1 in udp, once nudp is large */
    /* with udp_ix: bit i of ready set while udp[i] has a datagram waiting,
     * bit w of ready_sum while ready[w] is not 0, so `udp recv` finds the
     * first socket with data in O(1) among up to 65536 */
    uint64_t *ready;
    uint64_t ready_sum[16];
};

/* Fields grouped so that none leaves a hole: one per host of a crowd. */
struct sim_host {
    const struct scn_host *cfg;
    ip4_addr addr;
    int      nifs;
    struct sim_iface *ifs;     /* LAN interfaces */
    mac_addr mac;              /* for point-to-point links */
    uint16_t ip_id;
    struct sim_udps *udps;     /* bound UDP sockets, NULL before the first */
    /* the TCBs alive on this host, oldest first, with NULL where a freed
     * one was (sc->slot is each one's index); a TCB is freed once it is
     * CLOSED and nothing refers to it (sim.c, reap) */
    struct sim_conn **conns;
    uint32_t nconns, capconns; /* fewer than 2^32 (sim.c, sim_new_conn) */
    /* TCBs in the demultiplexing table per local port, in an open-
     * addressing table of the ports this host has used (a power of two, at
     * most half full; a port whose count falls to 0 keeps its slot), and
     * how many ports of the ephemeral range (ephemeral.h) have one: a free
     * port is found without a scan of the connections (a full range at
     * once), and a host with one connection pays for a
     * few slots, not for 65536 counters.  A port's slot also holds its
     * listening socket: at most one is attached per port, since listen()
     * needs the port free. */
    struct sim_port_refs {
        uint32_t key, refs;    /* key = port + 1 */
        struct sim_conn *listener;
    } *ports;
    uint32_t nports, capports; /* sized by ports: at most 2 x 65536 slots */
    int      ephemeral_used;
    uint32_t eph_next;         /* RFC 6056 3.3.3's next_ephemeral */
    /* Demultiplexing without a scan: the attached TCBs that have a remote
     * end, by (local port, remote address, remote port) in an open-
     * addressing table (a power of two, at most half full); the listening
     * sockets are in the ports table. */
    struct sim_conn **tuples;
    uint32_t ntuples, captuples;   /* fewer than 2^32, as conns */
    struct sim_conn *current;  /* the newest TCB, which app calls act on */
    /* the UDP ports its DNS resolver and stub send from (dnsapp.c draws
     * them; they have no socket in udp), which an unbound send avoids */
    uint16_t dns_ports[2];
    int      next_isn;         /* index into cfg->tcp->isn */
    /* The tables' first sizes, in the host: conns, tuples and ports point
     * here until they grow, so a host with one connection (a crowd's
     * client) allocates none of them (three mallocs of 8, 16 and 32 bytes
     * took chunks of 32, 32 and 48). */
    struct sim_conn *conns_first[1];
    struct sim_conn *tuples_first[2];
    struct sim_port_refs ports_first[2];
};

/* The budgets, in the order the command line lists them. */
#define SIM_LIMITS(X)                                                      \
    X(TIME,   "time",   "--max-time",   N_("simulated time"))              \
    X(EVENTS, "events", "--max-events", N_("event"))                       \
    X(FRAMES, "frames", "--max-frames", N_("frames-in-flight"))            \
    X(TRACE,  "trace",  "--max-trace",  N_("trace size"))                  \
    X(MEMORY, "memory", "--max-memory", N_("memory"))

enum sim_limit {
    LIM_NONE,
#define X(id, name, opt, what) LIM_##id,
    SIM_LIMITS(X)
#undef X
    LIM_COUNT
};

/* one simulated hour after the lesson's last `at` or `expect ... at/by`
 * time (a lesson that schedules a step at 2h means to run that long) */
#define SIM_DEFAULT_END_US     (3600LL * 1000000)
#define SIM_DEFAULT_MAX_EVENTS 1000000ULL
#define SIM_DEFAULT_MAX_FRAMES 250000ULL
#define SIM_DEFAULT_MAX_TRACE  (128ULL << 20)
#define SIM_DEFAULT_MAX_MEMORY (512ULL << 20)

/* Why a run stopped early: the limit, its value, where the run was, and
 * the likely cause read from the end of the trace. */
struct sim_stop {
    int      limit;            /* enum sim_limit, LIM_NONE if not stopped */
    uint64_t value;            /* the limit's value (µs for TIME, else a count/bytes) */
    int64_t  t_us;             /* simulated time when it stopped */
    int      host;             /* host of the last record, -1 none */
    int      layer;            /* protocol (enum trace_layer) of the last record */
    char     cause[240];       /* "frames multiply on lan b: ..." */
};

/* "time", "events", ... and "--max-time", ...; "" for LIM_NONE. */
const char *sim_limit_name(int limit);
const char *sim_limit_option(int limit);
/* "simulated time limit of 60m", "frames-in-flight limit of 250000", ... */
char *sim_limit_text(int limit, uint64_t value, char *buf, size_t n);
/* The model's own allocations as the memory budget counts them: the trace
 * (trace_size), frames in flight, the event queue, TCBs with their send,
 * receive and out-of-order queues, UDP queues, and the lesson's own
 * (sim_lesson_bytes).  An estimate: allocator overhead is not counted. */
uint64_t sim_memory(const struct sim *s);
/* What the lesson itself holds, parsed and built into the model: its
 * hosts, interfaces, links, LANs, actions, expectations, faults, zones and
 * records at the size of what each allocates (here and in sim_init), and
 * its text.  The parser checks it against --max-memory line by line. */
uint64_t sim_lesson_bytes(const struct scenario *scn);

struct sim {
    const struct scenario *scn;
    struct trace tr;
    /* what every TCB of the run reaches outside itself (tcp.h); the TCBs
     * point at it */
    struct tcp_env tcp_env;
    struct event_queue q;
    struct rng rng;
    /* the ephemeral ports' draws (ephemeral.c), seeded from the same seed
     * apart from rng so that a port drawn changes no loss or delay */
    struct rng port_rng;
    uint64_t port_secret;      /* keys connect()'s port offsets */
    uint64_t seed;             /* the run's; with a host's index it keys
                                  that host's SYN cookies (lq_secret) */
    int64_t now;
    /* the frame being delivered now and its sender: a drop decided on
     * arrival names the sender as the arrival did, without a search */
    uint32_t arrival_pkt;
    int      arrival_src;
    uint64_t arrival_of;       /* its send record's index + 1 */
    /* the address a TCP segment being taken in now was sent to (0 outside
     * sim_tcp_arrive): what a listener answers from */
    ip4_addr arrival_dst;
    struct sim_host *hosts;
    int nhosts;
    /* the TCP settings of scn->tcps, one each, which the TCBs point at */
    struct tcp_config *tcp_cfgs;
    /* The links by host pair, linear in the links (net_link): host h's
     * are adj[adj_at[h] .. adj_at[h + 1]), sorted by peer.  There are at
     * most 2 x nlinks entries, nlinks an int: 32 bits index them. */
    uint32_t *adj_at;
    struct sim_adj { int peer, link; } *adj;
    struct sim_lan *lans;
    int nlans;
    void *dns;                 /* dnsapp.c's per-host DNS roles */
    void *fwd;                 /* forwards.c's recent forwards */
    struct flight *free_flights;   /* recycled (net.c) */
    struct fault_why *fault_whys;  /* flights' rarer sentences (net.c) */
    uint32_t nfault_whys, capfault_whys, free_fault_why;
    struct flight_block *flight_blocks;  /* where they live (net.c) */
    struct flight_block *spare_flight_blocks;  /* an earlier run's blocks,
                                  kept across sim_reset for the next run */
    struct peer_index *peers;  /* TCBs by peer and port (peers.c), made
                                  by the first raw call that names one */
    uint32_t flight_fresh;     /* the newest block's flights never used yet */
    struct sim_conn *spare_conns;  /* freed TCBs' memory, reused by the next
                                      connection and kept across sim_reset */
    struct sim_conn_block *conn_blocks;  /* where TCBs live (sim.c), newest
                                            first, kept across sim_reset */
    size_t conn_block_used;    /* TCBs handed out of the newest block */
    int next_action;           /* the scenario's next action to run */
    /* every host's addresses (net.c): a hash table of naddrs slots (a
     * power of two); host is the host's index + 1, 0 in an empty slot */
    struct sim_addr { ip4_addr addr; int host; } *addrs;
    size_t naddrs;
    /* the fault rules (net.c): by source and destination (fault_pairs, a
     * hash table of fault_paircap slots), each pair's rules in groups that
     * match the same frames (fault_groups), each group's rules in
     * fault_order by the frame they wait for; fault_fired: room for the
     * rules one frame fires */
    struct fault_pair *fault_pairs;
    struct fault_group *fault_groups;
    uint32_t *fault_order;
    uint32_t *fault_fired;
    size_t fault_paircap;
    /* The run's budgets (sim_init sets the defaults below; change them
     * between sim_init and sim_run).  A lesson that runs away -- frames
     * that multiply, segments answered by segments for ever, timers that
     * re-arm without end -- meets one of them and stops cleanly. */
    int64_t end_us;            /* stop after this simulated time */
    int end_auto;              /* end_us is the default: SIM_DEFAULT_END_US
                                  after the scenario's last action or
                                  expectation time (sim_reset recomputes it) */
    uint64_t max_events;       /* and after this many events */
    uint64_t max_frames;       /* frames in flight at once */
    uint64_t max_trace;        /* trace_size() in bytes */
    uint64_t max_memory;       /* mem_estimate() in bytes, see sim_memory */
    uint64_t events_run;
    uint64_t frames_in_flight; /* scheduled deliveries not yet run */
    int truncated;             /* stopped by a limit, not by running out */
    struct sim_stop stop;      /* which limit, where, and why (if truncated) */
    /* the bytes of TCBs (with their queues), the hosts' TCB tables and
     * UDP sockets, kept up to date as they change (sim_memory recounts
     * them) */
    uint64_t mem_tcbs;
    uint64_t mem_lesson;       /* sim_lesson_bytes(scn), counted throughout */
    /* TCBs that may be freed at the end of the current event (sim.c) */
    struct sim_conn **reap;
    size_t nreap, capreap;
};

/* Prepares a run; the scenario must outlive the sim. */
void sim_init(struct sim *s, const struct scenario *scn, uint64_t seed);
/* Prepares s, which has run before, for another run of scn from the
 * start: the same as sim_free then sim_init, but the trace keeps its
 * memory, so repeated runs (benchmarks, what-if re-runs) do not fault in
 * fresh pages every time.  Records of the previous run are gone. */
void sim_reset(struct sim *s, const struct scenario *scn, uint64_t seed);
/* A run's budgets as the command line set them (end_us only when not
 * end_auto: the default end is the lesson's own).  The interactive view
 * runs lessons again (L, o, r, what-if): each run gets the first one's
 * budgets, so a run cut by --max-events 7 is cut again, not run whole. */
struct sim_budgets {
    int64_t  end_us;
    int      end_auto;
    uint64_t max_events, max_frames, max_trace, max_memory;
};
void sim_budgets_get(const struct sim *s, struct sim_budgets *b);
/* Gives s, just sim_init'ed for its lesson, the budgets b. */
void sim_budgets_set(struct sim *s, const struct sim_budgets *b);
/* Runs until the queue is empty or a limit is reached. */
void sim_run(struct sim *s);
void sim_free(struct sim *s);

#endif
