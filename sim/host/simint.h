/* simint.h — what the parts of the simulator (sim.c, net.c and the apps) share
 * and nothing outside sim/ needs. */
#ifndef PROTOSIM_SIMINT_H
#define PROTOSIM_SIMINT_H

#include <stdlib.h>
#include "alloc.h"
#include "hashslot.h"
#include "sim.h"

/* A call's bytes in passing (a read, a reply being built): the caller's
 * array of SIM_SMALL bytes on its stack when n fits, else the heap.  A
 * lifecycle made four of them, each a calloc and a free. */
#define SIM_SMALL 2048
static inline uint8_t *sim_buf(uint8_t small[SIM_SMALL], size_t n)
{
    return n <= SIM_SMALL ? small : xmalloc(n);
}

static inline void sim_buf_done(uint8_t *p, const uint8_t small[SIM_SMALL])
{
    if (p != small)
        free(p);
}

/* Where address a's probe starts in the sim's address table. */
static inline size_t sim_addr_home(const struct sim *s, ip4_addr a)
{
    return hash_home(a, s->naddrs);
}

enum ev_type { EV_ACTION, EV_DELIVER, EV_TCP_TIMER, EV_ARP_TIMER, EV_APP_TIMER };

/* A frame in flight towards one receiver.  A crowd has hundreds of
 * thousands at once (287,144 at the peak of 100,000 concurrent HTTP
 * lifecycles), so it is small (48 bytes, its delivery event included) and
 * comes from blocks (net.c), not one malloc each.  Its arrival's sentence
 * is N_NET_RECV unless a fault rule delayed it: that rarer sentence and
 * its numbers wait in the sim's fault_whys. */
struct flight {
    struct eq_node ev;         /* its delivery, posted to the queue (first,
                                  so that the event's ptr is the flight);
                                  ev.next links the sim's free list when the
                                  flight is not in flight */
    uint32_t pkt;              /* trace blob with the frame bytes */
    uint32_t of;               /* its TK_SEND record's index + 1 ... */
    int32_t  src, dst;         /* hosts */
    uint32_t why_ix;           /* 0: N_NET_RECV; else fault_whys[why_ix - 1] */
    int8_t   dst_if;           /* receiver's LAN interface (< SCN_MAX_IFACES),
                                  -1 on a link */
    uint8_t  arp_bcast;        /* a copy of an ARP broadcast, on the LAN of
                                  the receiver's interface dst_if */
    uint16_t of_hi;            /* ... its bits 32-47 (trace_rec.of) */
};
_Static_assert(sizeof(void *) != 8 || sizeof(struct flight) == 48,
               "a flight is 48 bytes: a crowd has hundreds of thousands");

static inline uint64_t flight_of(const struct flight *f)
{
    return (uint64_t)f->of_hi << 32 | f->of;
}

/* The sentence of a delayed frame's arrival, while it is on its way; a
 * free one links the next free by index + 1. */
struct fault_why {
    struct why why;
    uint32_t next_free;
};

int   sim_host_by_addr(const struct sim *s, ip4_addr a);

/* peers.c: the host's newest TCB with remote address raddr, local port
 * lport and remote port rport, each where not 0 (raddr or lport is given),
 * or NULL; the tables behind it are made by the first call that needs
 * them.  Once they are, _add puts in the host's newest TCB and _remove
 * takes out one that has left its host's list. */
struct sim_conn *sim_peers_newest(struct sim *s, int h, ip4_addr raddr,
                                  uint16_t lport, uint16_t rport);
void  sim_peers_add(struct sim *s, struct sim_conn *sc);
void  sim_peers_remove(struct sim *s, struct sim_conn *sc);
void  sim_peers_free(struct sim *s);
/* What the index takes, counted afresh (mem_tcbs keeps it as it changes). */
uint64_t sim_peers_bytes(const struct sim *s);

/* forwards.c: which router forwarded which flow (IP source, destination,
 * protocol) at which TTL within the last FWD_WINDOW records -- the
 * routing-loop test of the limit report, whether the trace is kept or
 * streams.  fwd_watch registers its trace sink (init_state), fwd_free
 * lets it go; fwd_recent lists the distinct keys seen at record index
 * `from` or later, in a malloc'd array (in no particular order). */
enum { FWD_WINDOW = 1 << 20 };
struct fwd_key { int host; uint32_t src, dst; uint8_t proto, ttl; };
void   fwd_watch(struct sim *s);
void   fwd_free(struct sim *s);
size_t fwd_recent(const struct sim *s, size_t from, struct fwd_key **out);

/* net.c */
void net_init(struct sim *s);
void net_free(struct sim *s);
void net_keep_flights(struct sim *s);
/* The flights the run has made room for (blocks of them): what frames in
 * flight cost in memory at their peak. */
size_t net_flight_slots(const struct sim *s);
/* The index of the link between hosts a and b, or -1: a binary search in
 * a's links, O(log degree). */
int  net_link(const struct sim *s, int a, int b);
/* Sends an IPv4 frame from host h towards dst: over a point-to-point link
 * when one joins h to dst's host, else by the routing table (on-link or via
 * the gateway) through ARP.  The Ethernet addresses in frame are filled in
 * here; the frame is not kept. */
ip4_addr net_src_addr(const struct sim *s, int h, ip4_addr dst);
void net_ip_output(struct sim *s, int h, uint8_t *frame, size_t len,
                   ip4_addr dst, uint32_t conn, int layer, struct why why);
void net_deliver(struct sim *s, struct flight *fl);
/* Returns a flight to the free list (frames in flight are recycled: a run
 * allocates them by the thousand). */
void net_flight_done(struct sim *s, struct flight *fl);
void net_arp_timer(struct sim *s, struct sim_iface *ifc);
/* Host h received frame pkt but nothing on it takes the packet. */
void net_drop_arrived(struct sim *s, int h, uint32_t pkt, int layer,
                      int reason, struct why why);
/* Does host h own address a? */
int  net_is_local(const struct sim *s, int h, ip4_addr a);

/* sim.c: local delivery once net.c has accepted an IPv4 packet */
void sim_tcp_arrive(struct sim *s, int h, const struct frame *f);
void sim_udp_arrive(struct sim *s, int h, const struct frame *f, uint32_t pkt);
/* The IPv4 header of a packet host h originates (sim.c) */
struct ip4_hdr sim_ip_header(struct sim *s, int h, ip4_addr dst);

/* TCBs as the host keeps them (sim.c) */
struct sim_conn *sim_new_conn(struct sim *s, int h, const char *idtext,
                              ip4_addr laddr, uint16_t lport,
                              ip4_addr raddr, uint16_t rport);
void sim_after_tcb(struct sim *s, struct sim_conn *sc);
void sim_conn_name(const struct sim *s, int h, uint16_t lport, ip4_addr raddr,
                   uint16_t rport, char *buf, size_t n);
int  sim_port_in_use(const struct sim_host *hp, uint16_t port);
struct sim_conn *sim_current_conn(struct sim *s, int h);
/* The application reads up to max bytes from sc: the app record (data,
 * or nothing yet, or the error), then tcp_recv.  Returns tcp_recv's
 * result. */
long sim_app_recv(struct sim *s, struct sim_conn *sc, uint8_t *buf, size_t max);
/* listen() and connect() as the application calls them: the app record,
 * the new TCB, its first state change.  NULL (the error recorded) when the
 * port is taken.  The caller sets any role, then calls sim_after_tcb. */
struct sim_conn *sim_listen(struct sim *s, int h, uint16_t port, int layer,
                            struct why why);
struct sim_conn *sim_connect(struct sim *s, int h, ip4_addr raddr,
                             uint16_t rport, uint16_t lport);

/* A TCB's bytes as the memory budget counts them (sim.c). */
uint64_t sim_conn_bytes(const struct sim_conn *sc);
/* The TCBs alive on hp: its list less the holes freed ones left (sim.c). */
uint32_t sim_live_conns(const struct sim_host *hp);
/* sc's sim_conn_more, allocated (zeroed) if it has none yet; its bytes
 * count in mem_tcbs from the next sim_after_tcb. */
struct sim_conn_more *sim_more(struct sim_conn *sc);
/* budget.c: the run stops at `limit`, whose value is `value`: what, when,
 * where and the likely cause go into s->stop */
void sim_stop_at(struct sim *s, int limit, uint64_t value);
/* After an event: returns 1 (having stopped the run) when a budget of
 * frames, trace or memory is exceeded. */
int  sim_over_budget(struct sim *s);

/* app.c: the applications on the hosts, reached through one table (the
 * hooks and how to add an application are in app.h) */
void app_init(struct sim *s);
void app_free(struct sim *s);
/* Runs a scenario action that belongs to an application (UDP, resolve,
 * HTTP, framed receive); returns 0 if the action is none of those. */
int  app_action(struct sim *s, const struct scn_action *a);
/* After any event on a TCB: let the application that owns it react. */
void app_poll(struct sim *s, struct sim_conn *sc);

/* The bytes of host hp's UDP sockets and the datagrams waiting in them,
 * counted afresh (udpapp.c; sim_memory) */
uint64_t sim_udp_bytes(const struct sim_host *hp);
/* UDP out of host h (udpapp.c) */
void sim_udp_send(struct sim *s, int h, uint16_t sport, ip4_addr dst,
                  uint16_t dport, const uint8_t *data, size_t len, int layer,
                  struct why why);
/* Calls between applications: the browser asks the host's stub resolver
 * (dnsapp.c), whose answer opens the browser's connection (httpapp.c).
 * http: the `http get NAME` that waits for the answer (the host's only
 * one: a newer replaces it), NULL for a `resolve`. */
void dnsapp_resolve(struct sim *s, int h, const char *name,
                    const struct scn_action *http);
void app_http_connect(struct sim *s, int h, const struct scn_action *a,
                      ip4_addr addr);

/* A child TCB of listener for the SYN (or cookie ACK) in f: named by its
 * four-tuple, in LISTEN, with the listener's application (sim.c). */
struct sim_conn *sim_spawn(struct sim *s, int h, struct sim_conn *listener,
                           const struct frame *f);
/* A TCP segment from host h with IP source src (its own address, or the
 * forged one of `inject ... spoof ADDR`). */
void sim_send_tcp_from(struct sim *s, int h, ip4_addr src, ip4_addr dst_addr,
                       uint32_t conn, const struct tcp_hdr *th,
                       const uint8_t *data, size_t len, struct why why);

/* listenq.c: the SYN queue and the accept queue of a listener with a
 * backlog, and SYN cookies (RFC 4987 3.6).  Each call is O(1): counts,
 * and a doubly linked accept queue. */
enum lq_queue { Q_NONE, Q_SYN, Q_ACCEPT };
/* The host's cookie key, derived from the run's seed without drawing from
 * the run's generator (so lessons without cookies are unchanged). */
uint64_t lq_secret(uint64_t seed, int h);
/* A SYN for listener: returns 1 when the queues refuse it (dropped, or
 * answered with a cookie), 0 when a child may take it. */
int  lq_syn(struct sim *s, int h, struct sim_conn *listener,
            const struct frame *f);
/* The child that took a SYN joins listener's SYN queue (if it has one). */
void lq_adopt(struct sim_conn *listener, struct sim_conn *child);
/* A segment for listener itself: returns 1 when SYN cookies handled it
 * (a valid cookie's connection created, or a reset or drop). */
int  lq_listener_seg(struct sim *s, int h, struct sim_conn *listener,
                     const struct frame *f);
/* A segment for half-open child sc: returns 1 when it is dropped because
 * it would complete the handshake into a full accept queue. */
int  lq_hold_ack(struct sim *s, int h, struct sim_conn *sc,
                 const struct frame *f);
/* After a call into child sc: it moves between the queues as its state
 * says.  Returns its listener when the child no longer refers to it. */
struct sim_conn *lq_update(struct sim *s, struct sim_conn *sc);
/* `HOST accept PORT`; returns a listener no child refers to any more. */
struct sim_conn *lq_accept(struct sim *s, int h, uint16_t port);
/* Do queued children still refer to listener? */
int  lq_busy(const struct sim_conn *listener);
/* The listening socket on port, or NULL (sim.c). */
struct sim_conn *sim_listener_on(struct sim_host *hp, uint16_t port);

/* A packet could not be delivered because ARP failed: tell its sender. */
void sim_unreachable(struct sim *s, int h, ip4_addr next_hop, uint32_t conn,
                     int layer);

#endif
