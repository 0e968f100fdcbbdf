/* realint.h — what the parts of the real-socket driver (real.c, diag.c,
 * capture.c) share and nothing outside real/ needs. */
#ifndef PROTOSIM_REALINT_H
#define PROTOSIM_REALINT_H

#include <stddef.h>
#include <stdint.h>

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
};

/* Opens an AF_PACKET socket on lo that sees nothing until real_cap_ports().
 * Returns 0, or -1 with errno (EPERM/EACCES: no CAP_NET_RAW). */
int  real_cap_open(struct real_cap *c, int family);
/* Lets through only TCP segments from or to these ports. */
int  real_cap_ports(struct real_cap *c, const uint16_t *ports, int n);
/* The next captured segment: 1, 0 when none is waiting, -1 on error. */
int  real_cap_read(struct real_cap *c, struct real_cap_pkt *p);
void real_cap_close(struct real_cap *c);

#endif
