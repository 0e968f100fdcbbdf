/* bench_kernel.c — the baseline for the simulated lifecycle: the real
 * kernel's TCP on 127.0.0.1, in one process with blocking sockets.
 *
 * One cycle: socket + connect, accept, the client writes the request, the
 * server reads it and writes the reply, the client reads it and closes (FIN:
 * the client's socket goes to TIME_WAIT, which the kernel keeps for 60 s and
 * which is not waited for here), the server reads end-of-file and closes.
 * The listener has an ephemeral port.  Bounded: CYCLES cycles or MAX_SECS,
 * whichever comes first, so the pile of TIME_WAIT sockets stays small. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "benches.h"

#define CYCLES   3000
#define MAX_SECS 1.0

static const char request[] = "GET / HTTP/1.1\r\nHost: server\r\n\r\n";
static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

/* Reads exactly n bytes (the peer wrote them in one call, but a stream may
 * still split them); returns 0, or -1 on error or early end-of-file. */
static int read_full(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_full(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* One cycle; returns 0 on success. */
static int cycle(int lfd, const struct sockaddr_in *to)
{
    char buf[256];
    int c = socket(AF_INET, SOCK_STREAM, 0), a = -1, ok = -1;
    if (c < 0)
        return -1;
    if (connect(c, (const struct sockaddr *)to, sizeof *to) != 0)
        goto out;
    if ((a = accept(lfd, NULL, NULL)) < 0)
        goto out;
    if (write_full(c, request, sizeof request - 1) ||
        read_full(a, buf, sizeof request - 1) ||
        write_full(a, reply, sizeof reply - 1) ||
        read_full(c, buf, sizeof reply - 1))
        goto out;
    close(c);
    c = -1;
    if (read(a, buf, sizeof buf) != 0)          /* the client's FIN */
        goto out;
    ok = 0;
out:
    if (c >= 0)
        close(c);
    if (a >= 0)
        close(a);
    return ok;
}

void bench_kernel(struct bench *b)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    if (lfd < 0 ||
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
        fprintf(stderr, "bench_kernel: no loopback listener: %s; skipped\n",
                strerror(errno));
        if (lfd >= 0)
            close(lfd);
        return;
    }

    long n = 0;
    double t0 = bench_now(), t = t0;
    while (n < CYCLES && t - t0 < MAX_SECS) {
        if (cycle(lfd, &sa) != 0) {
            fprintf(stderr, "bench_kernel: cycle %ld failed: %s\n", n,
                    strerror(errno));
            break;
        }
        n++;
        t = bench_now();
    }
    close(lfd);
    if (n > 0)
        bench_report(b, "tcp.kernel", "TCP cycle, kernel 127.0.0.1", (double)n,
                     t - t0, "cycles/s", 0);
}
