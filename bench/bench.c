/* bench.c — `make bench`: runs every benchmark in BENCHES (benches.h) and
 * prints one table of figures, then the ratios between them.
 *
 *   build/run_bench            all benchmarks
 *   build/run_bench engine     only those whose name contains "engine"
 *
 * Figures are rates (things per second of wall-clock time, CLOCK_MONOTONIC);
 * the work is fixed and seeded, so only the clock varies between runs.  A
 * missed target is flagged in the table but does not change the exit status:
 * timings on a shared machine are too noisy to fail a build on.
 *
 * Each benchmark runs in its own child process, so none inherits another's
 * heap: glibc's malloc adapts its mmap and trim thresholds to what was freed
 * before, which moved the 100-client TCP figure by 1.7x depending on the
 * order of benchmarks.  Rows come back to the parent through a pipe. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "alloc.h"
#include "benches.h"

#define MAX_RESULTS 128

struct result {
    char   key[32];
    char   name[64];
    char   unit[24];
    double count, secs, rate, target;
    double peak_kib;           /* peak memory of the run, 0: not measured */
    char   note[128];          /* how it was obtained, or why it is missing */
    int    missing;            /* no figure: note says why */
};

struct bench {
    struct result r[MAX_RESULTS];
    int n;
    int fd;                    /* in a child: where results go, else -1 */
};

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

double bench_quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = (size_t)(q * (double)n);
    return v[k < n ? k : n - 1];
}

/* 12345678.9 -> "12.3 M"; keeps the table narrow and readable. */
static const char *human(double v, char *buf, size_t n)
{
    if (v >= 1e9)
        snprintf(buf, n, "%.2f G", v / 1e9);
    else if (v >= 1e6)
        snprintf(buf, n, "%.2f M", v / 1e6);
    else if (v >= 1e3)
        snprintf(buf, n, "%.2f k", v / 1e3);
    else
        snprintf(buf, n, "%.2f", v);
    return buf;
}

/* 2150.5 KiB -> "2.10 MiB" */
static const char *human_kib(double kib, char *buf, size_t n)
{
    if (kib >= 1024.0 * 1024.0)
        snprintf(buf, n, "%.2f GiB", kib / (1024.0 * 1024.0));
    else if (kib >= 1024.0)
        snprintf(buf, n, "%.1f MiB", kib / 1024.0);
    else
        snprintf(buf, n, "%.0f KiB", kib);
    return buf;
}

static void print_row(const struct result *r)
{
    char fig[32], tgt[48], cnt[32], mem[32];
    if (r->missing) {
        printf("%-40s %10s %s\n", r->name, "-", r->note);
        fflush(stdout);
        return;
    }
    if (r->target > 0) {
        char t[32];
        snprintf(tgt, sizeof tgt, ">= %s %s", human(r->target, t, sizeof t),
                 r->rate >= r->target ? "ok" : "MISSED");
    } else {
        snprintf(tgt, sizeof tgt, "-");
    }
    printf("%-40s %10s %-14s %-14s %9s in %.3f s", r->name,
           human(r->rate, fig, sizeof fig), r->unit, tgt,
           human(r->count, cnt, sizeof cnt), r->secs);
    if (r->peak_kib > 0)
        printf(", peak %s", human_kib(r->peak_kib, mem, sizeof mem));
    if (r->note[0])
        printf(" (%s)", r->note);
    printf("\n");
    fflush(stdout);
}

/* Appends a row, prints it, and sends it to the parent when in a child. */
static void add(struct bench *b, const struct result *r)
{
    if (b->n == MAX_RESULTS)
        return;
    b->r[b->n++] = *r;
    print_row(r);
    if (b->fd >= 0 && write(b->fd, r, sizeof *r) != (ssize_t)sizeof *r) {
        perror("run_bench: pipe");
        exit(1);
    }
}

void bench_report_more(struct bench *b, const char *key, const char *name,
                       double count, double secs, const char *unit,
                       double target, double peak_kib, const char *note)
{
    struct result r;
    memset(&r, 0, sizeof r);
    snprintf(r.key, sizeof r.key, "%s", key);
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.unit, sizeof r.unit, "%s", unit);
    snprintf(r.note, sizeof r.note, "%s", note ? note : "");
    r.count = count;
    r.secs = secs > 0 ? secs : 1e-9;
    r.rate = count / r.secs;
    r.target = target;
    r.peak_kib = peak_kib;
    add(b, &r);
}

void bench_report(struct bench *b, const char *key, const char *name,
                  double count, double secs, const char *unit, double target)
{
    bench_report_more(b, key, name, count, secs, unit, target, 0, NULL);
}

void bench_missing(struct bench *b, const char *key, const char *name,
                   const char *why)
{
    struct result r;
    memset(&r, 0, sizeof r);
    snprintf(r.key, sizeof r.key, "%s", key);
    snprintf(r.name, sizeof r.name, "%s", name);
    snprintf(r.note, sizeof r.note, "%s", why);
    r.missing = 1;
    add(b, &r);
}

/* Runs one benchmark in a child; its rows are appended to b. */
static void run_isolated(struct bench *b, const char *name,
                         void (*fn)(struct bench *))
{
    int p[2];
    fflush(stdout);
    if (pipe(p) != 0) {
        perror("run_bench: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("run_bench: fork");
        exit(1);
    }
    if (pid == 0) {
        static struct bench child;
        close(p[0]);
        child.fd = p[1];
        fn(&child);
        fflush(stdout);
        _exit(0);
    }
    close(p[1]);
    struct result r;
    while (read(p[0], &r, sizeof r) == (ssize_t)sizeof r)
        if (b->n < MAX_RESULTS)
            b->r[b->n++] = r;
    close(p[0]);
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fprintf(stderr, "run_bench: %s failed\n", name);
}

static const struct result *find(const struct bench *b, const char *key)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->r[i].key, key))
            return &b->r[i];
    return NULL;
}

static const struct {
    const char *name;
    void (*fn)(struct bench *);
} benches[] = {
#define X(fn) { #fn, fn },
    BENCHES(X)
#undef X
};

static const struct {
    const char *num, *den, *what;
    double target;
} ratios[] = {
#define X(num, den, what, target) { num, den, what, target },
    BENCH_RATIOS(X)
#undef X
};

/* A cold figure for the table: "12.3 k/s", or why there is none, short. */
static const char *cold_rate(const struct result *r, char *buf, size_t n)
{
    char h[32];
    if (!r)
        snprintf(buf, n, "-");
    else if (r->missing && !strncmp(r->note, "timed out", 9))
        snprintf(buf, n, "timed out");
    else if (r->missing)                /* "failed (exit 71)", "skipped (...)" */
        snprintf(buf, n, "%.*s", (int)strcspn(r->note, " "), r->note);
    else
        snprintf(buf, n, "%s/s", human(r->rate, h, sizeof h));
    return buf;
}

/* num / den with its verdict against 10x; counts it in met[]/missed[]. */
static const char *cold_ratio(const struct result *num, const struct result *den,
                              int *met, int *missed, int *unmeasured,
                              char *buf, size_t n)
{
    if (!num || !den) {
        snprintf(buf, n, "-");
        return buf;
    }
    if (num->missing || den->missing || den->rate <= 0) {
        ++*unmeasured;
        snprintf(buf, n, "n/a");
        return buf;
    }
    double q = num->rate / den->rate;
    int ok = q >= 10.0;
    ++*(ok ? met : missed);
    snprintf(buf, n, q < 0.1 ? "%.3fx %s" : q < 10 ? "%.2fx %s" : "%.1fx %s", q,
             ok ? "ok" : "MISSED");
    return buf;
}

/* The cold runs side by side: for every "cold.sim.SHAPE.N", the kernel's
 * and ns-3's figures of the same SHAPE and N and the ratios. */
static void print_cold_table(const struct bench *b)
{
    int met[2] = { 0, 0 }, missed[2] = { 0, 0 }, unmeasured[2] = { 0, 0 };
    int rows = 0, ns3 = 0;
    for (int i = 0; i < b->n; i++) {
        const struct result *sim = &b->r[i];
        char shape[16], key[48];
        long n;
        if (strncmp(sim->key, "cold.sim.", 9) ||
            sscanf(sim->key + 9, "%15[^.].%ld", shape, &n) != 2)
            continue;
        snprintf(key, sizeof key, "cold.kernel.%s.%ld", shape, n);
        const struct result *kern = find(b, key);
        snprintf(key, sizeof key, "cold.ns3.%s.%ld", shape, n);
        const struct result *ns = find(b, key);
        if (!rows++)
            printf("\ncold, one process run per figure, the median of 5 at N <= 100 (ratio targets >= 10x):\n"
                   "%-20s %-11s %-10s %-10s %-11s %-14s %-11s %-10s %s\n",
                   "connections", "protosim", "peak", "per conn", "kernel",
                   "sim/kernel", "ns-3", "peak", "sim/ns-3");
        char label[48], a[40], pk[24], pc[24], k[40], rk[32], c[40], pn[24],
             rn[32];
        if (n >= 1000)
            snprintf(label, sizeof label, "%ld,%03ld", n / 1000, n % 1000);
        else
            snprintf(label, sizeof label, "%ld", n);
        strcat(label, strcmp(shape, "conc") ? " in sequence" : " concurrent");
        snprintf(pk, sizeof pk, "-");
        snprintf(pc, sizeof pc, "-");
        if (!sim->missing && sim->peak_kib > 0) {
            human_kib(sim->peak_kib, pk, sizeof pk);
            double per = sim->peak_kib / (double)n;
            snprintf(pc, sizeof pc, per < 100 ? "%.2f KiB" : "%.0f KiB", per);
        }
        snprintf(pn, sizeof pn, "-");
        if (ns && !ns->missing && ns->peak_kib > 0)
            human_kib(ns->peak_kib, pn, sizeof pn);
        ns3 += ns != NULL;
        printf("%-20s %-11s %-10s %-10s %-11s %-14s %-11s %-10s %s\n", label,
               cold_rate(sim, a, sizeof a), pk, pc, cold_rate(kern, k, sizeof k),
               cold_ratio(sim, kern, &met[0], &missed[0], &unmeasured[0], rk,
                          sizeof rk),
               cold_rate(ns, c, sizeof c), pn,
               cold_ratio(sim, ns, &met[1], &missed[1], &unmeasured[1], rn,
                          sizeof rn));
    }
    if (!rows)
        return;
    static const char *const what[2] = { "kernel", "ns-3" };
    for (int w = 0; w < 2; w++) {
        if (w == 1 && !ns3) {
            printf("target: protosim >= 10x ns-3: not measured (no ns-3)\n");
            continue;
        }
        printf("target: protosim >= 10x %s at every N: %s (met %d, missed %d, "
               "not measured %d)\n", what[w],
               missed[w] || unmeasured[w] ? "MISSED" : "met", met[w], missed[w],
               unmeasured[w]);
    }
}

/* alloc.h's policy, as the benchmarks report it: say so, then abort. */
static void out_of_memory(size_t size)
{
    fprintf(stderr, "run_bench: out of memory (%zu bytes)\n", size);
}

int main(int argc, char **argv)
{
    alloc_set_failure_handler(out_of_memory);
    static struct bench b;
    b.fd = -1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: %s [NAME...]\nbenchmarks:", argv[0]);
            for (size_t k = 0; k < sizeof benches / sizeof benches[0]; k++)
                printf(" %s", benches[k].name);
            printf("\n");
            return 0;
        }
    }

    printf("%-40s %10s %-14s %-14s %9s\n", "benchmark", "figure", "unit",
           "target", "work");
    for (size_t k = 0; k < sizeof benches / sizeof benches[0]; k++) {
        int run = argc < 2;
        for (int i = 1; i < argc && !run; i++)
            run = strstr(benches[k].name, argv[i]) != NULL;
        if (run)
            run_isolated(&b, benches[k].name, benches[k].fn);
    }

    for (size_t k = 0; k < sizeof ratios / sizeof ratios[0]; k++) {
        const struct result *n = find(&b, ratios[k].num);
        const struct result *d = find(&b, ratios[k].den);
        if (!n || !d)
            continue;
        if (n->missing || d->missing || d->rate <= 0) {
            printf("ratio: %s: not measured (%s)\n", ratios[k].what,
                   n->missing ? n->note : d->note);
            continue;
        }
        double q = n->rate / d->rate;
        printf("ratio: %s = %.1fx", ratios[k].what, q);
        if (ratios[k].target > 0)
            printf(" (target >= %.0fx: %s)", ratios[k].target,
                   q >= ratios[k].target ? "ok" : "MISSED");
        printf("\n");
    }
    print_cold_table(&b);
    return 0;
}
