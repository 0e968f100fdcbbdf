/* bench_kernel.c — the baseline for the simulated lifecycle: the real
 * kernel's TCP on 127.0.0.1, in one process with blocking sockets.
 *
 * One cycle: socket + connect, accept, the client writes the request, the
 * server reads it and writes the reply, the client reads it and closes (FIN:
 * the client's socket goes to TIME_WAIT, which the kernel keeps for 60 s and
 * which is not waited for here), the server reads end-of-file and closes.
 * The listener has an ephemeral port.  Bounded: CYCLES cycles or MAX_SECS,
 * whichever comes first, so the pile of TIME_WAIT sockets stays small.
 *
 * Below it, kernel_scale: the kernel's side of the cold runs at N
 * connections (bench_scale.c), concurrent or in sequence. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* ---- The kernel at N connections, for the cold comparison (bench_scale.c).
 *
 * The exchange is protosim's `http get` / `http serve`: the client connects
 * and writes the 88-byte request, the server reads it, writes the 148-byte
 * reply and closes first (so the TIME_WAIT is the server side's, as in the
 * simulation), the client reads the reply and end-of-file and closes.  The
 * kernel keeps that TIME_WAIT in the background; nothing waits for it.
 *
 * Ports: the connections are spread over SCALE_LISTENERS listeners (connection
 * i to listener i % SCALE_LISTENERS), so a client's ephemeral port may be
 * reused towards another listener and ephemeral ports do not run out.  A
 * client's own socket never enters TIME_WAIT (it closes second), so its port
 * is free again at once; a new connection that meets a server-side TIME_WAIT
 * of the same four-tuple is accepted by the kernel (timestamps, RFC 6191).
 *
 * Concurrent N holds 2N descriptors (both ends in one process): the soft
 * RLIMIT_NOFILE is raised to the hard limit, and when 2N does not fit the
 * connections run in waves of as many as fit, every connection of a wave open
 * at once.  kernel_scale says which it did. */

#define SCALE_LISTENERS 4
#define SCALE_REQUEST   88      /* protosim's `http get 10.0.0.1` request */
#define SCALE_REPLY     148     /* and `http serve`'s default page */

static int scale_listen(struct sockaddr_in *sa)
{
    int one = 1;
    socklen_t sl = sizeof *sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)sa, sizeof *sa) != 0 ||
        listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)sa, &sl) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Opens connection i: *c the client's end, *a the server's; 0 or -1. */
static int scale_open(const int *lfd, const struct sockaddr_in *sa, long i,
                      int *c, int *a)
{
    *a = -1;
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (*c < 0)
        return -1;
    if (connect(*c, (const struct sockaddr *)&sa[i % SCALE_LISTENERS],
                sizeof sa[0]) != 0 ||
        (*a = accept(lfd[i % SCALE_LISTENERS], NULL, NULL)) < 0) {
        close(*c);
        *c = -1;
        return -1;
    }
    return 0;
}

static int scale_request(int c)
{
    static const char req[SCALE_REQUEST] = "GET / HTTP/1.1\r\nHost: 10.0.0.1\r\n";
    return write_full(c, req, sizeof req);
}

/* The server's end: read the request, reply, close first. */
static int scale_serve(int a)
{
    static const char rep[SCALE_REPLY] = "HTTP/1.1 200 OK\r\n";
    char buf[SCALE_REQUEST];
    int ok = read_full(a, buf, sizeof buf) || write_full(a, rep, sizeof rep);
    return close(a) || ok ? -1 : 0;
}

/* The client's end: the reply, then end-of-file, then close. */
static int scale_finish(int c)
{
    char buf[SCALE_REPLY + 1];
    int ok = read_full(c, buf, SCALE_REPLY) || read(c, buf, sizeof buf) != 0;
    return close(c) || ok ? -1 : 0;
}

long kernel_scale(int concurrent, long n, double *secs, char *how, size_t howlen)
{
    int lfd[SCALE_LISTENERS];
    struct sockaddr_in sa[SCALE_LISTENERS];
    struct rlimit rl = { 0, 0 };
    long wave = n, done = 0;

    for (int k = 0; k < SCALE_LISTENERS; k++)
        if ((lfd[k] = scale_listen(&sa[k])) < 0) {
            snprintf(how, howlen, "no loopback listener: %s", strerror(errno));
            while (k-- > 0)
                close(lfd[k]);
            return -1;
        }
    if (concurrent && getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        long fit = rl.rlim_cur == RLIM_INFINITY ? n
                 : ((long)rl.rlim_cur - 64) / 2;
        if (fit < wave)
            wave = fit > 0 ? fit : 1;
    }
    int *fd = concurrent ? calloc((size_t)wave * 2, sizeof *fd) : NULL;
    if (concurrent && !fd) {
        snprintf(how, howlen, "out of memory");
        goto out;
    }

    double t0 = bench_now();
    if (!concurrent) {
        for (; done < n; done++) {
            int c, a;
            if (scale_open(lfd, sa, done, &c, &a) || scale_request(c) ||
                scale_serve(a) || scale_finish(c))
                break;
        }
    } else {
        for (long base = 0; base < n; base += wave) {
            long m = n - base < wave ? n - base : wave, i;
            int *c = fd, *a = fd + wave;
            for (i = 0; i < m; i++)             /* all m open at once */
                if (scale_open(lfd, sa, base + i, &c[i], &a[i]))
                    break;
            long open = i;
            for (i = 0; i < open; i++)          /* a failed write: the */
                if (scale_request(c[i]))        /* server sees EOF */
                    shutdown(c[i], SHUT_WR);
            for (i = 0; i < open; i++)
                scale_serve(a[i]);
            long ok = 0;
            for (i = 0; i < open; i++)
                if (scale_finish(c[i]) == 0)
                    ok++;
            done += ok;
            if (ok < m)
                break;
        }
    }
    *secs = bench_now() - t0;
    if (done < n)
        snprintf(how, howlen, "%ld of %ld completed (%s)", done, n, strerror(errno));
    else if (concurrent && wave < n)
        snprintf(how, howlen, "in waves, at most %ld open at once:"
                 " RLIMIT_NOFILE %ld", wave, (long)rl.rlim_cur);
    else if (concurrent)
        snprintf(how, howlen, "all %ld open at once", n);
    else
        snprintf(how, howlen, "one at a time");
out:
    free(fd);
    for (int k = 0; k < SCALE_LISTENERS; k++)
        close(lfd[k]);
    return done;
}
