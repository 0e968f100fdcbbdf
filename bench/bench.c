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

#define MAX_RESULTS 64

struct result {
    char   key[32];
    char   name[64];
    char   unit[24];
    double count, secs, rate, target;
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

static void print_row(const struct result *r)
{
    char fig[32], tgt[48], cnt[32];
    if (r->target > 0) {
        char t[32];
        snprintf(tgt, sizeof tgt, ">= %s %s", human(r->target, t, sizeof t),
                 r->rate >= r->target ? "ok" : "MISSED");
    } else {
        snprintf(tgt, sizeof tgt, "-");
    }
    printf("%-40s %10s %-14s %-14s %9s in %.3f s\n", r->name,
           human(r->rate, fig, sizeof fig), r->unit, tgt,
           human(r->count, cnt, sizeof cnt), r->secs);
    fflush(stdout);
}

void bench_report(struct bench *b, const char *key, const char *name,
                  double count, double secs, const char *unit, double target)
{
    if (b->n == MAX_RESULTS)
        return;
    struct result *r = &b->r[b->n++];
    snprintf(r->key, sizeof r->key, "%s", key);
    snprintf(r->name, sizeof r->name, "%s", name);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    r->count = count;
    r->secs = secs > 0 ? secs : 1e-9;
    r->rate = count / r->secs;
    r->target = target;
    print_row(r);
    if (b->fd >= 0 && write(b->fd, r, sizeof *r) != (ssize_t)sizeof *r) {
        perror("run_bench: pipe");
        exit(1);
    }
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
        if (!n || !d || d->rate <= 0)
            continue;
        double q = n->rate / d->rate;
        printf("ratio: %s = %.1fx", ratios[k].what, q);
        if (ratios[k].target > 0)
            printf(" (target >= %.0fx: %s)", ratios[k].target,
                   q >= ratios[k].target ? "ok" : "MISSED");
        printf("\n");
    }
    return 0;
}
