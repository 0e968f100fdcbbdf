/* capture.c — the real segments of a replay, read from lo through an
 * AF_PACKET socket with a classic BPF filter for the replay's ports (needs
 * CAP_NET_RAW; without it the replay says capture is off and carries on).
 *
 * The socket is SOCK_DGRAM ("cooked"): the kernel strips the link header,
 * so the filter and the parser start at the IP header.  Each segment on lo
 * passes the tap twice, going out and coming in; only the incoming copy
 * (PACKET_HOST) is kept, like the model's tap in front of each receiver.
 * Checksums on lo are not filled in and are never looked at. */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include "realint.h"

#define MAX_FILTER_PORTS 100

static int attach(int fd, struct sock_filter *code, int n)
{
    struct sock_fprog prog = { .len = (unsigned short)n, .filter = code };
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog);
}

int real_cap_open(struct real_cap *c, int family)
{
    c->family = family;
    c->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                   htons(family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP));
    if (c->fd < 0)
        return -1;
    /* Drop everything until the ports are known, then empty whatever
     * slipped in between socket() and the filter. */
    struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
    struct sockaddr_ll ll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(family == AF_INET6 ? ETH_P_IPV6 : ETH_P_IP),
        .sll_ifindex = (int)if_nametoindex("lo"),
    };
    int one = 1;
    if (ll.sll_ifindex == 0 || attach(c->fd, none, 1) < 0 ||
        bind(c->fd, (struct sockaddr *)&ll, sizeof ll) < 0 ||
        setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) {
        int e = ll.sll_ifindex == 0 ? ENODEV : errno;
        close(c->fd);
        c->fd = -1;
        errno = e;
        return -1;
    }
    /* A crowd's handshakes come faster than a look between two calls:
     * room for tens of thousands of segments (root may pass rmem_max) */
    int room = 32 << 20;
    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &room, sizeof room) < 0)
        setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &room, sizeof room);
    memset(c->want, 0, sizeof c->want);
    c->nports = 0;
    c->drops = 0;
    char junk[256];
    while (recv(c->fd, junk, sizeof junk, MSG_DONTWAIT) >= 0)
        ;
    struct timespec rt, mt;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mt);
    c->real_minus_mono_us = ((int64_t)rt.tv_sec - mt.tv_sec) * 1000000 +
                            (rt.tv_nsec - mt.tv_nsec) / 1000;
    return 0;
}

/* The program: TCP (not a later fragment, for IPv4), then the source or
 * the destination port is one of ours.  Past MAX_FILTER_PORTS ports (a
 * crowd) the program lets every TCP segment through and real_cap_read
 * keeps those of our ports, by the bitmap.
 *
 *   IPv4: ldb [9]; jeq #6; ldh [6]; jset #0x1fff -> drop; ldxb 4*([0]&0xf)
 *         ldh [x+0]; jeq port_i -> accept ...; ldh [x+2]; jeq port_i ...
 *   IPv6: ldb [6]; jeq #6; ldx #40; then the same port tests. */
static int filter(struct real_cap *c)
{
    struct sock_filter f[16 + 2 * MAX_FILTER_PORTS + 4];
    int k = 0;
    int n = c->nports <= MAX_FILTER_PORTS ? c->nports : 0;
    const uint16_t *ports = c->first;
    /* jump targets are filled in once the length is known: DROP and
     * ACCEPT are the last two instructions */
    int total = (c->family == AF_INET6 ? 4 : 6) + (n ? 2 * n + 1 : 1) + 2;
    int drop = total - 2, accept = total - 1;
#define J(op, kk, t, fl) \
    do { f[k] = (struct sock_filter)BPF_JUMP(op, kk, 0, 0); \
         f[k].jt = (uint8_t)((t) - k - 1); f[k].jf = (uint8_t)((fl) - k - 1); \
         k++; } while (0)
#define S(op, kk) (f[k++] = (struct sock_filter)BPF_STMT(op, kk))
    if (c->family == AF_INET6) {
        S(BPF_LD | BPF_B | BPF_ABS, 6);
        J(BPF_JMP | BPF_JEQ | BPF_K, 6, k + 1, drop);
        S(BPF_LDX | BPF_W | BPF_IMM, 40);
        S(BPF_LD | BPF_H | BPF_IND, 0);
    } else {
        S(BPF_LD | BPF_B | BPF_ABS, 9);
        J(BPF_JMP | BPF_JEQ | BPF_K, 6, k + 1, drop);
        S(BPF_LD | BPF_H | BPF_ABS, 6);
        J(BPF_JMP | BPF_JSET | BPF_K, 0x1fff, drop, k + 1);
        S(BPF_LDX | BPF_B | BPF_MSH, 0);
        S(BPF_LD | BPF_H | BPF_IND, 0);
    }
    if (n) {
        for (int i = 0; i < n; i++)
            J(BPF_JMP | BPF_JEQ | BPF_K, ports[i], accept, k + 1);
        S(BPF_LD | BPF_H | BPF_IND, 2);
        for (int i = 0; i < n; i++)
            J(BPF_JMP | BPF_JEQ | BPF_K, ports[i], accept, k + 1);
    } else {
        S(BPF_JMP | BPF_JA, 1);            /* every TCP segment */
    }
    S(BPF_RET | BPF_K, 0);                 /* drop */
    S(BPF_RET | BPF_K, 0x40000);           /* accept the whole packet */
#undef J
#undef S
    if (k != total) {                      /* the jumps would be wrong */
        errno = EINVAL;
        return -1;
    }
    return attach(c->fd, f, k);
}

static int wanted(const struct real_cap *c, uint16_t port)
{
    return c->want[port / 8] >> (port % 8) & 1;
}

int real_cap_add_port(struct real_cap *c, uint16_t port)
{
    if (!port || wanted(c, port))
        return 0;
    c->want[port / 8] |= (uint8_t)(1u << (port % 8));
    if (c->nports < MAX_FILTER_PORTS)
        c->first[c->nports] = port;
    c->nports++;
    /* the program changes until it has let every TCP segment through */
    return c->nports <= MAX_FILTER_PORTS + 1 ? filter(c) : 0;
}

long real_cap_drops(struct real_cap *c)
{
    struct tpacket_stats st;
    socklen_t len = sizeof st;
    if (getsockopt(c->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
        return -1;
    c->drops += st.tp_drops;    /* the kernel's counters restart when read */
    return c->drops;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int real_cap_read(struct real_cap *c, struct real_cap_pkt *p)
{
    for (;;) {
        uint8_t buf[2048];
        union {
            char b[CMSG_SPACE(sizeof(struct timespec))];
            struct cmsghdr align;
        } ctl;
        struct sockaddr_ll from;
        struct iovec iov = { buf, sizeof buf };
        struct msghdr mh = {
            .msg_name = &from, .msg_namelen = sizeof from,
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = ctl.b, .msg_controllen = sizeof ctl.b,
        };
        ssize_t n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        if (from.sll_pkttype == PACKET_OUTGOING)
            continue;                      /* the copy on its way out */
        size_t len = (size_t)n, l4, ip_len;
        if (c->family == AF_INET6) {
            if (len < 40 || (buf[0] >> 4) != 6 || buf[6] != 6)
                continue;
            l4 = 40;
            ip_len = 40 + (size_t)get16(buf + 4);
        } else {
            if (len < 20 || (buf[0] >> 4) != 4 || buf[9] != 6)
                continue;
            l4 = (size_t)(buf[0] & 0x0f) * 4;
            ip_len = get16(buf + 2);
        }
        if (ip_len > len)
            ip_len = len;
        if (l4 + 20 > ip_len)
            continue;
        const uint8_t *t = buf + l4;
        size_t doff = (size_t)(t[12] >> 4) * 4;
        if (doff < 20 || l4 + doff > ip_len)
            continue;
        p->sport = get16(t);
        p->dport = get16(t + 2);
        if (!wanted(c, p->sport) && !wanted(c, p->dport))
            continue;                      /* past the program's ports */
        p->seq = get32(t + 4);
        p->ack = get32(t + 8);
        p->flags = t[13] & 0x3f;
        p->len = (uint32_t)(ip_len - l4 - doff);
        p->t_us = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                p->t_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 -
                          c->real_minus_mono_us;
            }
        if (p->t_us == 0)
            p->t_us = real_now_us();
        return 1;
    }
}

void real_cap_close(struct real_cap *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}
