/* bench_scale.c — the cold cost of one whole run at N connections (issue 11,
 * "Benchmarks that tell the truth"): ./protosim, the kernel's loopback and,
 * when it was built, ns-3, each doing N lifecycles, in this one process.
 *
 * For N = 1, 100, 10,000 and 100,000, in two shapes:
 *
 *   concurrent    one server and N client hosts, each on its own 1 ms link,
 *                 all connecting at 1 ms
 *   in sequence   one client and one server on one 1 ms link, connection i
 *                 starting at 1 + 10 i ms
 *
 * One lifecycle is `http get` / `http serve`: connect, an 88-byte request,
 * a 148-byte reply, the server closes first, the client closes, and the
 * server's TIME_WAIT (60 s of simulated time) runs out.
 *
 * - protosim: a scenario written to a temporary directory (not timed), then
 *   one process run, `protosim --check --json SCN >/dev/null`, timed from
 *   posix_spawn to exit: start-up, parsing, running, writing every event as
 *   JSON and checking the scenario's expectations (the server read N
 *   requests and N TIME_WAITs expired; for the sequence, the client read N
 *   replies).  Only an exit status of 0 counts.  The limits on events, trace
 *   and memory are raised so that only the timeout and the memory cap below
 *   stop a run.  Peak memory is the child's ru_maxrss from wait4 (per run:
 *   getrusage(RUSAGE_CHILDREN) would give the largest child so far).
 * - the kernel: kernel_scale (bench_kernel.c) in a forked child.
 * - ns-3: bench/ns3/lifecycle.cc (the Makefile builds it when pkg-config
 *   finds libns3-dev and passes its path in NS3_LIFECYCLE), one process run
 *   timed like protosim's.
 *
 * At N <= 100 a run takes milliseconds and one run's time moves with the
 * scheduler, so each of the three figures there is the median of five
 * runs; from 10,000 up, one run each.
 *
 * Every run has a timeout (BENCH_TIMEOUT seconds, default 120) and every
 * child an address-space cap (RLIMIT_AS, half the physical memory) so that a
 * run that explodes says so instead of taking the machine with it.
 * BENCH_MAX_N caps N.  PROTOSIM names the program (default ./protosim). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "benches.h"

extern char **environ;

static const long sizes[] = { 1, 100, 10000, 100000 };

static const struct shape {
    const char *key, *label;
    int concurrent;
} shapes[] = {
    { "conc", "concurrent", 1 },
    { "seq", "in sequence", 0 },
};

/* How a child ended. */
struct run {
    int    timed_out;
    int    status;              /* from wait4, when not timed out */
    double secs;                /* spawn to exit */
    long   maxrss_kib;
};

static double timeout_secs = 120;
static char tmpdir[256];

/* "100,000" */
static const char *grouped(long v, char *buf, size_t n)
{
    char raw[32];
    int len = snprintf(raw, sizeof raw, "%ld", v), o = 0;
    for (int i = 0; i < len && (size_t)o + 2 < n; i++) {
        if (i && (len - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    buf[o] = '\0';
    return buf;
}

/* Waits for pid (SIGCHLD blocked by the caller) until t0 + timeout_secs,
 * then kills it. */
static void wait_for(pid_t pid, double t0, struct run *r)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    memset(r, 0, sizeof *r);
    for (;;) {
        struct rusage ru;
        int st;
        pid_t w = wait4(pid, &st, WNOHANG, &ru);
        if (w == pid || (w < 0 && errno != EINTR)) {
            r->secs = bench_now() - t0;
            r->status = w == pid ? st : -1;
            r->maxrss_kib = w == pid ? ru.ru_maxrss : 0;
            return;
        }
        double left = t0 + timeout_secs - bench_now();
        if (left <= 0) {
            kill(pid, SIGKILL);
            while (wait4(pid, &st, 0, &ru) < 0 && errno == EINTR)
                ;
            r->timed_out = 1;
            r->secs = bench_now() - t0;
            return;
        }
        struct timespec ts = { (time_t)left,
                               (long)((left - (double)(time_t)left) * 1e9) };
        sigtimedwait(&chld, NULL, &ts);     /* a SIGCHLD, or the deadline */
    }
}

/* Runs argv with stdout on /dev/null and stderr in tmpdir/stderr. */
static void spawn_timed(char *const argv[], struct run *r)
{
    char errpath[300];
    snprintf(errpath, sizeof errpath, "%s/stderr", tmpdir);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none;
    sigemptyset(&none);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, errpath,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawnattr_init(&at);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    double t0 = bench_now();
    int e = posix_spawn(&pid, argv[0], &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    if (e != 0) {
        memset(r, 0, sizeof *r);
        r->status = -1;
        return;
    }
    wait_for(pid, t0, r);
}

/* A run of milliseconds moves with the scheduler and the page cache: at
 * N <= SMALL_N every program's figure is the median of REPS runs (the
 * same for protosim, the kernel and ns-3); a larger N is one run. */
#define SMALL_N 100
#define REPS    5

static int reps_for(long n)
{
    return n <= SMALL_N ? REPS : 1;
}

/* spawn_timed reps times: the first run that fails is the result, else
 * the median time and the largest peak. */
static void spawn_median(char *const argv[], int reps, struct run *r)
{
    double secs[REPS];
    long rss = 0;
    for (int i = 0; i < reps; i++) {
        spawn_timed(argv, r);
        if (r->timed_out || r->status != 0)
            return;
        secs[i] = r->secs;
        if (r->maxrss_kib > rss)
            rss = r->maxrss_kib;
    }
    r->secs = bench_quantile(secs, (size_t)reps, 0.5);
    r->maxrss_kib = rss;
}

/* The first line the child wrote on stderr, or "". */
static const char *first_err_line(char *buf, size_t n)
{
    char errpath[300];
    snprintf(errpath, sizeof errpath, "%s/stderr", tmpdir);
    buf[0] = '\0';
    FILE *f = fopen(errpath, "r");
    if (f) {
        if (!fgets(buf, (int)n, f))
            buf[0] = '\0';
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = '\0';
    return buf;
}

/* Reports r as a row, or as a row that says why there is no figure. */
static int report_run(struct bench *b, const char *key, const char *name,
                      long n, const struct run *r, const char *unit)
{
    char why[160], line[100];
    if (r->timed_out) {
        snprintf(why, sizeof why, "timed out after %.0f s", timeout_secs);
    } else if (r->status == -1) {
        snprintf(why, sizeof why, "could not be started");
    } else if (WIFSIGNALED(r->status)) {
        snprintf(why, sizeof why, "failed (signal %d) %s", WTERMSIG(r->status),
                 first_err_line(line, sizeof line));
    } else if (WEXITSTATUS(r->status) != 0) {
        snprintf(why, sizeof why, "failed (exit %d) %s", WEXITSTATUS(r->status),
                 first_err_line(line, sizeof line));
    } else {
        bench_report_more(b, key, name, (double)n, r->secs, unit, 0,
                          (double)r->maxrss_kib, NULL);
        return 0;
    }
    bench_missing(b, key, name, why);
    return r->timed_out;
}

/* Writes the scenario of n lifecycles in this shape; returns its path. */
static const char *write_scenario(const struct shape *sh, long n, char *path,
                                  size_t len)
{
    snprintf(path, len, "%s/%s-%ld.scn", tmpdir, sh->key, n);
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fprintf(f, "title \"bench: %ld TCP lifecycles %s\"\n"
               "host server 10.0.0.1\n", n, sh->label);
    if (sh->concurrent) {
        for (long i = 0; i < n; i++)
            fprintf(f, "host c%ld 10.%ld.%ld.%ld\nlink c%ld server delay 1ms\n",
                    i, 1 + i / 62500, i / 250 % 250, i % 250 + 1, i);
        fprintf(f, "at 0ms server http serve 80\n");
        for (long i = 0; i < n; i++)
            fprintf(f, "at 1ms c%ld http get 10.0.0.1\n", i);
    } else {
        fprintf(f, "host client 10.0.0.2\nlink client server delay 1ms\n"
                   "at 0ms server http serve 80\n");
        for (long i = 0; i < n; i++)
            fprintf(f, "at %ldms client http get 10.0.0.1\n", 1 + 10 * i);
        fprintf(f, "expect client reads %ld\n", n);
    }
    fprintf(f, "expect server reads %ld\n"
               "expect server timer TIME_WAIT expired count %ld\n", n, n);
    return fclose(f) == 0 ? path : NULL;
}

/* Each run_* returns 1 when its run timed out (a larger N would too). */
static int run_protosim(struct bench *b, const char *prog,
                        const struct shape *sh, long n)
{
    char key[32], name[64], path[320], num[32];
    snprintf(key, sizeof key, "cold.sim.%s.%ld", sh->key, n);
    snprintf(name, sizeof name, "cold protosim, %s %s",
             grouped(n, num, sizeof num), sh->label);
    if (!write_scenario(sh, n, path, sizeof path)) {
        bench_missing(b, key, name, "could not write the scenario");
        return 0;
    }
    char *argv[] = { (char *)prog, "--check", "--json",
                     "--max-events", "4000000000", "--max-frames", "4000000000",
                     "--max-trace", "64G", "--max-memory", "64G",
                     path, NULL };
    struct run r;
    spawn_median(argv, reps_for(n), &r);
    unlink(path);
    return report_run(b, key, name, n, &r, "lifecycles/s");
}

static int run_ns3(struct bench *b, const char *prog, const struct shape *sh,
                   long n)
{
    char key[32], name[64], num[32], arg[32];
    snprintf(key, sizeof key, "cold.ns3.%s.%ld", sh->key, n);
    snprintf(name, sizeof name, "cold ns-3, %s %s", grouped(n, num, sizeof num),
             sh->label);
    snprintf(arg, sizeof arg, "%ld", n);
    char *argv[] = { (char *)prog, (char *)sh->key, arg, NULL };
    struct run r;
    spawn_median(argv, reps_for(n), &r);
    return report_run(b, key, name, n, &r, "lifecycles/s");
}

/* What a forked kernel_scale sends back. */
struct kernel_out {
    long   done;
    double secs;
    char   how[120];
};

/* One forked kernel_scale: 0 with *k filled, 1 timed out, -1 failed. */
static int kernel_once(const struct shape *sh, long n, struct kernel_out *k,
                       const char **fail)
{
    int p[2];
    if (pipe(p) != 0) {
        *fail = "no pipe";
        return -1;
    }
    fflush(stdout);
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        struct kernel_out c;
        memset(&c, 0, sizeof c);
        close(p[0]);
        c.done = kernel_scale(sh->concurrent, n, &c.secs, c.how, sizeof c.how);
        ssize_t w = write(p[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(p[1]);
    if (pid < 0) {
        close(p[0]);
        *fail = "fork failed";
        return -1;
    }
    struct run r;
    wait_for(pid, t0, &r);
    ssize_t got = read(p[0], k, sizeof *k);
    close(p[0]);
    if (r.timed_out)
        return 1;
    if (got != (ssize_t)sizeof *k) {
        *fail = "failed";
        return -1;
    }
    if (k->done != n) {
        *fail = k->how;
        return -1;
    }
    return 0;
}

static int run_kernel(struct bench *b, const struct shape *sh, long n)
{
    char key[32], name[64], num[32];
    snprintf(key, sizeof key, "cold.kernel.%s.%ld", sh->key, n);
    snprintf(name, sizeof name, "kernel 127.0.0.1, %s %s",
             grouped(n, num, sizeof num), sh->label);
    struct kernel_out k;
    double secs[REPS];
    int reps = reps_for(n);
    for (int i = 0; i < reps; i++) {
        const char *fail = "failed";
        int rc = kernel_once(sh, n, &k, &fail);
        if (rc) {
            char why[160];
            if (rc > 0)
                snprintf(why, sizeof why, "timed out after %.0f s", timeout_secs);
            else
                snprintf(why, sizeof why, "%s", fail);
            bench_missing(b, key, name, why);
            return rc > 0;
        }
        secs[i] = k.secs;
    }
    bench_report_more(b, key, name, (double)n,
                      bench_quantile(secs, (size_t)reps, 0.5), "cycles/s", 0, 0,
                      k.how);
    return 0;
}

/* A run skipped because the same program timed out at a smaller N. */
static void skipped(struct bench *b, const char *who, const char *whoname,
                    const struct shape *sh, long n, long at)
{
    char key[32], name[64], why[80], num[32], num2[32];
    snprintf(key, sizeof key, "cold.%s.%s.%ld", who, sh->key, n);
    snprintf(name, sizeof name, "%s, %s %s", whoname, grouped(n, num, sizeof num),
             sh->label);
    snprintf(why, sizeof why, "skipped (timed out at %s)",
             grouped(at, num2, sizeof num2));
    bench_missing(b, key, name, why);
}

/* Half the physical memory, the cap on every child's address space. */
static void cap_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psize <= 0)
        return;
    struct rlimit rl;
    rl.rlim_cur = rl.rlim_max = (rlim_t)pages * (rlim_t)psize / 2;
    if (setrlimit(RLIMIT_AS, &rl) == 0)
        printf("  every run capped at %.1f GiB of address space (RLIMIT_AS, half"
               " of RAM)\n", (double)rl.rlim_cur / (1u << 30));
}

static long env_long(const char *name, long dflt)
{
    const char *v = getenv(name);
    char *end;
    if (!v || !*v)
        return dflt;
    long x = strtol(v, &end, 10);
    return *end || x <= 0 ? dflt : x;
}

void bench_scale(struct bench *b)
{
    const char *prog = getenv("PROTOSIM");
    const char *ns3 = getenv("NS3_LIFECYCLE");
    const char *ns3v = getenv("NS3_VERSION");
    long max_n = env_long("BENCH_MAX_N", 100000);
    timeout_secs = (double)env_long("BENCH_TIMEOUT", 120);
    if (!prog || !*prog)
        prog = "./protosim";

    snprintf(tmpdir, sizeof tmpdir, "%s/protosim-bench-XXXXXX",
             getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "bench_scale: no temporary directory: %s; skipped\n",
                strerror(errno));
        return;
    }
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    printf("cold runs: N lifecycles (connect, 88-byte request, 148-byte reply,"
           " server closes first)\n"
           "  protosim: one process run of `%s --check --json SCN >/dev/null`"
           " per row, limits raised\n"
           "  kernel: the same exchange on 127.0.0.1, blocking sockets, one"
           " process, %d listener ports;\n"
           "    its server-side TIME_WAITs are left to the kernel (the"
           " simulation runs them out)\n",
           prog, 4);
    if (ns3 && *ns3 && access(ns3, X_OK) == 0)
        printf("  ns-3 %s: one process run of `%s conc|seq N` per row\n",
               ns3v && *ns3v ? ns3v : "", ns3);
    else
        printf("  ns-3: not measured: libns3-dev was not found when run_bench was"
               " built (apt-get install libns3-dev)\n");
    printf("  N <= %d: each figure is the median of %d runs; larger N: one run\n"
           "  timeout %.0f s per run; N up to %ld (BENCH_MAX_N)\n", SMALL_N, REPS,
           timeout_secs, max_n);
    cap_memory();
    if (access(prog, X_OK) != 0)
        printf("  protosim: %s is not an executable; its rows are missing\n", prog);
    fflush(stdout);

    /* What starting any program costs here: the floor under every cold
     * figure at N = 1. */
    char *true_argv[] = { "/bin/true", NULL };
    struct run r = { 0, 0, 0, 0 }, one;
    for (int i = 0; i < 5 && !r.timed_out && r.status == 0; i++) {
        spawn_timed(true_argv, &one);
        one.secs += r.secs;
        r = one;
    }
    report_run(b, "cold.floor", "process start-up floor (/bin/true)", 5, &r,
               "runs/s");

    int with_ns3 = ns3 && *ns3 && access(ns3, X_OK) == 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        long sim_out = 0, kern_out = 0, ns3_out = 0;    /* N that timed out */
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            const struct shape *sh = &shapes[s];
            long n = sizes[k];
            if (n > max_n)
                continue;
            if (sim_out)
                skipped(b, "sim", "cold protosim", sh, n, sim_out);
            else if (run_protosim(b, prog, sh, n))
                sim_out = n;
            if (kern_out)
                skipped(b, "kernel", "kernel 127.0.0.1", sh, n, kern_out);
            else if (run_kernel(b, sh, n))
                kern_out = n;
            if (!with_ns3)
                continue;
            if (ns3_out)
                skipped(b, "ns3", "cold ns-3", sh, n, ns3_out);
            else if (run_ns3(b, ns3, sh, n))
                ns3_out = n;
        }
    }

    char errpath[300];
    snprintf(errpath, sizeof errpath, "%s/stderr", tmpdir);
    unlink(errpath);
    rmdir(tmpdir);
}
