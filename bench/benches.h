/* benches.h — the list of benchmarks `make bench` runs, and the small API
 * they report through.
 *
 * Adding a benchmark: write bench/bench_NAME.c with
 *     void bench_NAME(struct bench *b) { ... bench_report(b, ...); }
 * and add X(bench_NAME) to BENCHES below.  The Makefile links every
 * bench/\*.c into build/run_bench, so nothing else changes.
 *
 * Every benchmark does a fixed, seeded amount of work (never "as many as fit
 * in a second"), so two runs do the same thing and only the clock differs.
 * A benchmark that measures something the host does not allow (no loopback)
 * reports nothing and says why on stderr. */
#ifndef PROTOSIM_BENCHES_H
#define PROTOSIM_BENCHES_H

#include <stddef.h>
#include <stdint.h>

#define BENCHES(X) \
    X(bench_engine) \
    X(bench_tcp_lifecycle) \
    X(bench_kernel) \
    X(bench_ui) \
    X(bench_scale)

/* Ratios printed under the table: numerator key / denominator key, with a
 * target (0: none).  A ratio whose keys were not both reported is skipped. */
#define BENCH_RATIOS(X) \
    X("tcp.sim", "tcp.kernel", "simulated (1 client/run) / kernel", 10.0) \
    X("tcp.sim100", "tcp.kernel", "simulated (100 clients/run) / kernel", 10.0)

struct bench;

/* Records one figure: `count` things done in `secs` seconds, shown as
 * count / secs per second.  key: a short stable id for ratios ("tcp.sim");
 * name: the row's text; unit: what was counted per second ("events/s");
 * target: the rate it should reach (0: none). */
void bench_report(struct bench *b, const char *key, const char *name,
                  double count, double secs, const char *unit, double target);

/* bench_report with two more things to show: the peak resident memory of
 * the process that did the work (KiB, 0: none) and a note on how the figure
 * was obtained (NULL: none). */
void bench_report_more(struct bench *b, const char *key, const char *name,
                       double count, double secs, const char *unit,
                       double target, double peak_kib, const char *note);

/* A figure that could not be measured: its row says why ("timed out after
 * 120 s"), and ratios that need it say it is missing. */
void bench_missing(struct bench *b, const char *key, const char *name,
                   const char *why);

/* Cold runs (bench_scale.c) report under keys "cold.sim.SHAPE.N",
 * "cold.kernel.SHAPE.N" and "cold.ns3.SHAPE.N", SHAPE "conc" or "seq";
 * bench.c sets them side by side in one table with the ratios. */

/* N lifecycles of the cold comparison's exchange on the kernel's loopback
 * (bench_kernel.c), concurrent or in sequence; returns how many completed,
 * their wall time in *secs, and in how[] how they were run or why not. */
long kernel_scale(int concurrent, long n, double *secs, char *how, size_t howlen);

/* Monotonic seconds (CLOCK_MONOTONIC). */
double bench_now(void);

/* The q-quantile (0 <= q <= 1) of v[0 .. n), n > 0, by the nearest rank;
 * sorts v.  q = 0.5 is the median. */
double bench_quantile(double *v, size_t n, double q);

#define X(fn) void fn(struct bench *b);
BENCHES(X)
#undef X

#endif
