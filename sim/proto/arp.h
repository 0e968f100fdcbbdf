/* arp.h — the Address Resolution Protocol (RFC 826) for IPv4 over Ethernet:
 * packet bytes, and one host's neighbour cache as a sans-I/O object.
 *
 * The cache's states are Linux's neighbour states (RFC 4861 7.3.2, which
 * Linux applies to ARP): INCOMPLETE (broadcast request sent, no reply yet),
 * REACHABLE (a reply confirmed it recently), STALE (not confirmed lately;
 * still used), DELAY (a STALE entry was used: wait a moment for a
 * confirmation before checking), PROBE (checking with unicast requests to
 * the cached MAC address), FAILED (no reply: to the broadcast requests, in
 * which case the waiting packets are dropped, or to the probes). */
#ifndef PROTOSIM_ARP_H
#define PROTOSIM_ARP_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"
#include "wire.h"

#define ARP_PKT_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

struct arp_pkt {
    uint16_t htype, ptype;   /* 1 (Ethernet), 0x0800 (IPv4) */
    uint8_t  hlen, plen;     /* 6, 4 */
    uint16_t op;
    mac_addr sha, tha;
    ip4_addr spa, tpa;
};

/* Encodes the 28-byte ARP payload; returns ARP_PKT_LEN or 0 if cap is short. */
size_t arp_encode(uint8_t *buf, size_t cap, const struct arp_pkt *p);
/* Decodes an Ethernet payload; 0 ok, -1 malformed or not IPv4-over-Ethernet. */
int arp_decode(const uint8_t *buf, size_t len, struct arp_pkt *p);
/* "who-has 192.0.2.1 tell 192.0.2.10" / "192.0.2.1 is-at 02:00:00:00:00:02" */
char *arp_summary(const struct arp_pkt *p, char *buf, size_t n);

#define ARP_STATES(X) \
    X(NONE)       \
    X(INCOMPLETE) \
    X(REACHABLE)  \
    X(STALE)      \
    X(DELAY)      \
    X(PROBE)      \
    X(FAILED)

enum arp_state {
#define X(s) ARP_##s,
    ARP_STATES(X)
#undef X
    ARP_NSTATES
};

const char *arp_state_name(int s);
int arp_state_parse(const char *s);      /* -1 if unknown */

struct arp_config {
    int64_t  retrans_us;     /* between requests and between probes, Linux
                                retrans_time_ms 1 s (RFC 4861 RetransTimer) */
    int      max_requests;   /* broadcast requests, Linux mcast_solicit 3 */
    int      max_probes;     /* unicast probes, Linux ucast_solicit 3
                                (RFC 4861 MAX_UNICAST_SOLICIT) */
    int64_t  delay_us;       /* DELAY -> PROBE, Linux delay_first_probe_time
                                5 s (RFC 4861 DELAY_FIRST_PROBE_TIME) */
    int64_t  reachable_us;   /* REACHABLE -> STALE, Linux ~30 s */
    int      queue_max;      /* packets held per unresolved address */
};

void arp_config_default(struct arp_config *c);

/* A packet waiting for its next hop's address: an Ethernet frame built with
 * a zero destination MAC, filled in when the reply comes. */
struct arp_waiting {
    uint8_t *frame;
    size_t   len;
    uint32_t conn;           /* trace connection id of its sender, or 0 */
    int      layer;
    struct why why;
};

struct arp_entry {
    ip4_addr ip;
    mac_addr mac;
    enum arp_state state;
    int64_t  due;            /* next timer: retry, REACHABLE->STALE, DELAY->
                                PROBE, next probe; 0 none */
    int      requests;       /* broadcast requests sent while INCOMPLETE */
    int      probes;         /* unicast probes sent while PROBE */
    int      asked;          /* 1 from a request or probe of ours until a
                                reply to us answers it or the entry FAILs:
                                only such a reply confirms reachability */
    uint32_t id;             /* trace id, "arp:192.0.2.1" (the record names
                                the host) */
    struct arp_waiting *q;
    int      nq;
    int      heap_at;        /* place + 1 in the cache's timer heap, 0 none */
};

struct arp_cache;

struct arp_env {
    struct trace *tr;
    int host;
    /* Put an Ethernet frame on the interface's LAN. */
    void (*xmit)(void *ctx, const uint8_t *frame, size_t len, uint32_t conn,
                 int layer, struct why why);
    /* A queued packet for next hop ip is dropped, for the reason `why`
     * (a sentence about the packet).  `failed` is 1 when resolution failed
     * (the sender is to be told "host unreachable", RFC 4861 7.2.2), 0 when
     * the packet gave way to newer ones in a full queue (nobody is told). */
    void (*unreachable)(void *ctx, ip4_addr ip, const struct arp_waiting *w,
                        struct why why, int failed);
    void *ctx;
};

/* One interface's cache: its own addresses plus the entries it learnt.
 * A host on a LAN of thousands learns thousands of entries, so neither a
 * look-up nor the next timer scans them: past a few entries an open-
 * addressing table finds an address (ix: entry index + 1, a power of two
 * at most half full), and a binary min-heap of the entries with a timer,
 * keyed by (due, index), gives the next deadline. */
struct arp_cache {
    struct arp_config cfg;
    struct arp_env env;
    ip4_addr my_ip;
    mac_addr my_mac;
    struct arp_entry *e;
    int n, cap;
    uint32_t *ix;
    size_t ixcap;
    int *heap;               /* entry indices */
    int nheap;
};

void arp_init(struct arp_cache *c, const struct arp_config *cfg,
              const struct arp_env *env, ip4_addr my_ip, mac_addr my_mac);
void arp_free(struct arp_cache *c);

/* Sends an IPv4 frame (built with any destination MAC) to next hop `ip`:
 * at once if the address is known, else queued behind a resolution. */
void arp_output(struct arp_cache *c, int64_t now, ip4_addr ip,
                const uint8_t *frame, size_t len, uint32_t conn, int layer,
                struct why why);
/* An ARP packet arrived on this interface (RFC 826 "Packet Reception").
 * Returns 0 when it was taken (whether or not it changed anything), 1 when
 * it was discarded unread, with the sentence of the drop in *drop. */
int arp_input(struct arp_cache *c, int64_t now, const struct arp_pkt *p,
              struct why *drop);
int64_t arp_deadline(const struct arp_cache *c);
void arp_timer(struct arp_cache *c, int64_t now);
/* The entry for ip, or NULL. */
const struct arp_entry *arp_lookup(const struct arp_cache *c, ip4_addr ip);

#endif
