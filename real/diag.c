/* diag.c — the kernel's view of a TCP socket: getsockopt(TCP_INFO) while a
 * descriptor is open, NETLINK_SOCK_DIAG (inet_diag) by exact 4-tuple once it
 * is not, and Linux's state numbers mapped to RFC 9293 names. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include "tcp.h"
#include "realint.h"

int64_t real_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The kernel's numbers come from <netinet/tcp.h> (TCP_ESTABLISHED = 1 ...
 * TCP_CLOSING = 11); the model's own are TCPS_*, so both live here.  Two
 * of include/net/tcp_states.h, which user space does not get: */
enum { LX_NEW_SYN_RECV = 12, LX_BOUND_INACTIVE = 13 };

int real_linux_state(int s)
{
    switch (s) {
    case TCP_ESTABLISHED:    return TCPS_ESTABLISHED;
    case TCP_SYN_SENT:       return TCPS_SYN_SENT;
    case TCP_SYN_RECV:       return TCPS_SYN_RECEIVED;
    case LX_NEW_SYN_RECV:   return TCPS_SYN_RECEIVED;
    case TCP_FIN_WAIT1:      return TCPS_FIN_WAIT_1;
    case TCP_FIN_WAIT2:      return TCPS_FIN_WAIT_2;
    case TCP_TIME_WAIT:      return TCPS_TIME_WAIT;
    case TCP_CLOSE:          return TCPS_CLOSED;
    case LX_BOUND_INACTIVE: return TCPS_CLOSED;   /* bound, never used: CLOSED */
    case TCP_CLOSE_WAIT:     return TCPS_CLOSE_WAIT;
    case TCP_LAST_ACK:       return TCPS_LAST_ACK;
    case TCP_LISTEN:         return TCPS_LISTEN;
    case TCP_CLOSING:        return TCPS_CLOSING;
    default:                return -1;
    }
}

int real_tcp_info_state(int fd, int *raw)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    if (raw)
        *raw = ti.tcpi_state;
    int s = real_linux_state(ti.tcpi_state);
    if (s < 0) {
        errno = ERANGE;
        return -1;
    }
    return s;
}

int real_diag_open(struct real_diag *d)
{
    d->seq = 1;
    d->flicker = d->flickered = 0;
    d->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                   NETLINK_SOCK_DIAG);
    return d->fd < 0 ? -1 : 0;
}

void real_diag_close(struct real_diag *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
}

static void put_addr(__be32 *dst, const struct real_addr *a)
{
    memcpy(dst, a->addr, a->family == AF_INET6 ? 16 : 4);
}

static int same_addr(const __be32 *got, const struct real_addr *a)
{
    return !memcmp(got, a->addr, a->family == AF_INET6 ? 16 : 4);
}

/* The exact-socket request (no NLM_F_DUMP): the kernel looks the 4-tuple
 * up the way an arriving segment would (inet_diag_find_one_icsk), which
 * finds established, orphaned and TIME_WAIT sockets — and, when none
 * matches, the listener on the local port, which the caller must not take
 * for the connection: the answer's ports are checked. */
int real_diag_lookup(struct real_diag *d, const struct real_addr *local,
                     const struct real_addr *remote,
                     struct real_diag_answer *a)
{
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 req;
    } msg;
    memset(&msg, 0, sizeof msg);
    msg.nlh.nlmsg_len = sizeof msg;
    msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nlh.nlmsg_flags = NLM_F_REQUEST;
    msg.nlh.nlmsg_seq = ++d->seq;
    msg.req.sdiag_family = (__u8)local->family;
    msg.req.sdiag_protocol = IPPROTO_TCP;
    msg.req.idiag_states = ~0U;
    msg.req.id.idiag_sport = htons(local->port);
    msg.req.id.idiag_dport = htons(remote->port);
    put_addr(msg.req.id.idiag_src, local);
    put_addr(msg.req.id.idiag_dst, remote);
    msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

    struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    if (sendto(d->fd, &msg, sizeof msg, 0, (struct sockaddr *)&kernel,
               sizeof kernel) < 0)
        return -1;

    /* Read answers until ours (by sequence number) arrives: at most 100 ms
     * in all, so a silent kernel cannot hang the replay. */
    int64_t deadline = real_now_us() + 100000;
    union {
        char buf[8192];
        struct nlmsghdr align;
    } u;
    for (;;) {
        ssize_t n = recv(d->fd, u.buf, sizeof u.buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int64_t left = deadline - real_now_us();
            if (left <= 0) {
                errno = ETIMEDOUT;
                return -1;
            }
            struct pollfd p = { .fd = d->fd, .events = POLLIN };
            poll(&p, 1, (int)(left / 1000) + 1);
            continue;
        }
        if (n < 0)
            return -1;
        for (struct nlmsghdr *h = (struct nlmsghdr *)u.buf; NLMSG_OK(h, n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_seq != d->seq)
                continue;               /* a late answer to an earlier ask */
            if (h->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(h);
                if (e->error == 0 || e->error == -ENOENT)
                    return 0;
                errno = -e->error;
                return -1;
            }
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
                h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
                continue;
            const struct inet_diag_msg *m = NLMSG_DATA(h);
            if (ntohs(m->id.idiag_sport) != local->port ||
                ntohs(m->id.idiag_dport) != remote->port ||
                !same_addr(m->id.idiag_src, local) ||
                (remote->port && !same_addr(m->id.idiag_dst, remote)))
                return 0;               /* the listener, not our connection */
            if (d->flicker && !d->flickered) {
                d->flickered = 1;       /* a test's stand-in for the race */
                return 0;
            }
            d->flickered = 0;
            a->raw = m->idiag_state;
            a->state = real_linux_state(m->idiag_state);
            a->timer = m->idiag_timer;
            a->expires_ms = m->idiag_expires;
            a->retrans = m->idiag_retrans;
            return 1;
        }
    }
}
