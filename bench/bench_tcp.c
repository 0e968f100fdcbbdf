/* bench_tcp.c — complete simulated TCP lifecycles per second, through the
 * real simulator (scenario_parse, sim_init or sim_reset, sim_run).
 *
 * One lifecycle: three-way handshake, one request and one reply, the
 * four-way teardown (client closes first), and the client's TIME_WAIT
 * expiring after 2 x MSL (the default MSL, 30 s).  A scenario has N client
 * hosts, each linked to one server (1 ms) and doing one lifecycle, started
 * STAGGER_MS apart so that the server's application calls (which act on its
 * newest connection) always meet the right one.  The scenario is parsed once,
 * outside the timing; each run is sim_reset (sim_init the first time) +
 * sim_run + check.
 *
 * Two sizes are measured: 1 client per run (a lesson's size; a run's set-up,
 * sim_reset, paid per lifecycle) and 100 clients per run (set-up amortised, but
 * the simulator's per-packet costs that grow with the number of hosts and
 * connections show).
 *
 * Every run is checked from its trace: each client must read the reply and
 * go TIME_WAIT -> CLOSED, and each server connection LAST_ACK -> CLOSED.
 * Only runs that pass are counted; a failing run stops the benchmark. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "lang.h"
#include "sim.h"
#include "tcp.h"
#include "trace.h"
#include "benches.h"

#define SEED      7u
#define STAGGER_MS 30

#define REQUEST "GET / HTTP/1.1\\r\\nHost: server\\r\\n\\r\\n"
#define REPLY   "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello"

/* Appends printf-style text to a growing buffer. */
struct buf { char *p; size_t n, cap; };

static void put(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(struct buf *b, const char *fmt, ...)
{
    size_t need = 256;
    for (;;) {
        if (b->cap - b->n < need) {
            while (b->cap - b->n < need)
                b->cap = b->cap ? b->cap * 2 : 4096;
            b->p = xrealloc(b->p, b->cap);
        }
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k < 0) {
            fputs("bench_tcp: vsnprintf failed\n", stderr);
            exit(1);
        }
        if ((size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        need = (size_t)k + 1;       /* too small: grow and format again */
    }
}

/* The scenario text: `clients` clients, one server, 1 ms links. */
static char *scenario_text(int clients, size_t *len)
{
    struct buf b = { 0 };
    put(&b, "title \"bench: %d TCP lifecycles\"\n"
            "host server 10.0.0.1\n", clients);
    for (int i = 0; i < clients; i++)
        put(&b, "host c%d 10.1.%d.%d\nlink c%d server delay 1ms\n",
            i, i / 250, i % 250 + 1, i);
    put(&b, "at 0ms server listen 80\n");
    for (int i = 0; i < clients; i++) {
        int t = 1 + i * STAGGER_MS;
        put(&b, "at %dms c%d connect server 80\n", t, i);
        put(&b, "at %dms c%d send \"" REQUEST "\"\n", t + 5, i);
        put(&b, "at %dms server recv 1000\n", t + 10);
        put(&b, "at %dms server send \"" REPLY "\"\n", t + 10);
        put(&b, "at %dms c%d recv 1000\n", t + 15, i);
        put(&b, "at %dms c%d close\n", t + 15, i);
        put(&b, "at %dms server close\n", t + 20);
    }
    *len = b.n;
    return b.p;
}

/* Lifecycles the trace shows complete: the fewest of client replies read,
 * client TIME_WAIT expiries and server LAST_ACK -> CLOSED. */
static long completed(const struct trace *tr, int server)
{
    long tw = 0, la = 0, replies = 0;
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind == TK_STATE && r->layer == TL_TCP &&
            r->u.state.to == TCPS_CLOSED) {
            if (r->host == server && r->u.state.from == TCPS_LAST_ACK)
                la++;
            else if (r->host != server && r->u.state.from == TCPS_TIME_WAIT)
                tw++;
        } else if (r->kind == TK_APP && r->host != server &&
                   r->u.app.call == AC_RECV && r->u.app.ret > 0) {
            replies++;
        }
    }
    long n = tw < la ? tw : la;
    return n < replies ? n : replies;
}

struct tcp_result {
    long     lifecycles;
    uint64_t events;            /* simulator events run */
    double   secs;
};

static struct tcp_result run_config(int clients, int runs)
{
    size_t len;
    char *text = scenario_text(clients, &len);
    struct scn_errors errs = { 0 };
    struct scenario *scn = scenario_parse("bench-lifecycle.scn", text, len, &errs);
    if (!scn) {
        fprintf(stderr, "bench_tcp: %s\n", errs.n ? errs.msgs[0] : "parse failed");
        exit(1);
    }
    int server = scenario_host_index(scn, "server");

    struct tcp_result res = { 0, 0, 0 };
    struct sim s;
    double t0 = bench_now();
    /* the first run sets up, later ones reuse its memory (sim_reset), as a
     * host program that re-runs scenarios would */
    sim_init(&s, scn, SEED);
    for (int run = 0; run < runs; run++) {
        if (run)
            sim_reset(&s, scn, SEED);
        sim_run(&s);
        long n = completed(&s.tr, server);
        if (n != clients || s.truncated) {
            fprintf(stderr, "bench_tcp: run %d completed %ld of %d lifecycles%s\n",
                    run, n, clients, s.truncated ? " (truncated)" : "");
            exit(1);
        }
        res.lifecycles += n;
        res.events += s.events_run;
    }
    sim_free(&s);
    res.secs = bench_now() - t0;
    scenario_free(scn);
    scn_errors_free(&errs);
    free(text);
    return res;
}

void bench_tcp_lifecycle(struct bench *b)
{
    /* Run counts sized for roughly 0.5-1 s each on the reference machine. */
    struct tcp_result r = run_config(1, 150000);
    bench_report(b, "tcp.sim", "TCP lifecycle, sim, 1 client/run",
                 (double)r.lifecycles, r.secs, "lifecycles/s", 0);
    bench_report(b, "tcp.sim.events", "  simulator events in those runs",
                 (double)r.events, r.secs, "events/s", 0);
    r = run_config(100, 700);
    bench_report(b, "tcp.sim100", "TCP lifecycle, sim, 100 clients/run",
                 (double)r.lifecycles, r.secs, "lifecycles/s", 0);
}
