/* bench_ui.c — the interactive timeline on a trace of over 10,000 events: time per step (index + full screen of rows) and per curses redraw.
 *
 * The trace comes from a generated scenario run through the real simulator:
 * four clients and a server on 1 ms links, 200 complete TCP lifecycles
 * (handshake, a request, a reply, the four-way close, TIME_WAIT), one every
 * 20 ms round-robin over the clients — 10,000+ trace records.  Parsing and
 * running it is outside the timings.  What is measured, all at 120x40:
 *
 *   ui.index    view_index_build() over the whole trace (once per scenario).
 *   ui.step     one step forward: view_apply(NEXT) then view_render() of the
 *               whole screen — diagram rows, inspector and state panes (the
 *               state pane rescans the prefix [0, N], so later steps cost
 *               more), title and hint — walking every event from first to last.
 *   ui.rows     view_render_diagram() alone at the last event (the largest
 *               prefix), repeated: the row building and layout of the diagram.
 *   ui.last     view_render() of the whole screen at the last event, repeated:
 *               the slowest single frame (the state pane scans all events).
 *   ui.redraw   view_render() plus the curses draw of every cell and
 *               refresh() into a newterm() screen writing to /dev/null
 *               (TERM xterm-256color), one frame per event from first to
 *               last, so every frame differs: what a key press costs end to
 *               end, minus the terminal itself.  Skipped if curses cannot
 *               start.
 *
 *   ui.crowd    a crowd: 10,000 client hosts on their own links open and
 *               close a connection each at the same instants (250,000+
 *               records); one step + whole-screen render, 200 steps from
 *               each tenth of the trace.  Target 200 steps/s (5 ms each).
 *               The row's note gives the 99th percentile of the steps, the
 *               slowest, and that slowest step timed again (the fastest of
 *               five from the state it started in): a lone slow step is
 *               often the machine, not the view.
 *
 * The target, 1000 steps/s (1 ms each), is far below what a person notices. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "alloc.h"
#include "lang.h"
#include "quiz.h"
#include "sim.h"
#include "tui.h"
#include "view.h"
#include "benches.h"

#define CLIENTS 4
#define LIFECYCLES 200
#define W 120
#define H 40

static void put(char **p, size_t *n, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char **p, size_t *n, size_t *cap, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(*p ? *p + *n : NULL, *p ? *cap - *n : 0, fmt, ap);
        va_end(ap);
        if (k >= 0 && *p && (size_t)k < *cap - *n) {
            *n += (size_t)k;
            return;
        }
        *cap = *cap ? *cap * 2 : 65536;
        *p = xrealloc(*p, *cap);
    }
}

static char *make_scenario(size_t *len)
{
    char *p = NULL;
    size_t n = 0, cap = 0;
    put(&p, &n, &cap, "title \"UI benchmark: %d lifecycles\"\n", LIFECYCLES);
    put(&p, &n, &cap, "host server 192.0.2.80\n");
    for (int c = 0; c < CLIENTS; c++) {
        put(&p, &n, &cap, "host c%d 192.0.2.%d\n", c, 10 + c);
        put(&p, &n, &cap, "link c%d server delay 1ms\n", c);
    }
    put(&p, &n, &cap, "at 0ms server listen 80\n");
    for (int i = 0; i < LIFECYCLES; i++) {
        int c = i % CLIENTS, t = 1 + i * 20;
        put(&p, &n, &cap, "at %dms c%d connect server 80\n", t, c);
        put(&p, &n, &cap, "at %dms c%d send \"GET / HTTP/1.1\\r\\n\\r\\n\"\n", t + 3, c);
        put(&p, &n, &cap, "at %dms server recv 100\n", t + 5);
        put(&p, &n, &cap, "at %dms server send \"HTTP/1.1 200 OK\\r\\n\\r\\nhello\"\n", t + 6);
        put(&p, &n, &cap, "at %dms c%d recv 100\n", t + 8, c);
        put(&p, &n, &cap, "at %dms c%d close\n", t + 9, c);
        put(&p, &n, &cap, "at %dms server close\n", t + 11);
    }
    *len = n;
    return p;
}

/* Parses the benchmark's lesson and runs it into s (outside the timings);
 * a lesson that does not parse ends the benchmark. */
static struct scenario *run_or_die(const char *name, const char *text, size_t len,
                                   struct sim *s)
{
    struct scn_errors errs = { 0 };
    struct scenario *scn = scenario_parse(name, text, len, &errs);
    if (!scn) {
        fprintf(stderr, "bench_ui: scenario: %s\n", errs.n ? errs.msgs[0] : "?");
        scn_errors_free(&errs);
        exit(1);
    }
    scn_errors_free(&errs);
    sim_init(s, scn, 1);
    sim_run(s);
    return scn;
}

/* ui.crowd: steps through a crowd of 10,000 hosts. */
static void bench_crowd(struct bench *b)
{
    static const char text[] =
        "title \"UI benchmark: a crowd of 10,000 hosts\"\n"
        "host server 10.0.0.1\n"
        "at 0ms server listen 80\n"
        "repeat 10000 as i from 1\n"
        "  host c{i} {10.1.0.0 + i}\n"
        "  link c{i} server delay 1ms\n"
        "  at 10ms c{i} connect server 80\n"
        "  at 20ms c{i} close\n"
        "end\n";
    struct sim s;
    struct scenario *scn = run_or_die("bench-crowd.scn", text, sizeof text - 1, &s);
    struct view_index ix;
    view_index_build(&ix, &s.tr);
    struct view_state st;
    view_state_init(&st, 1);
    st.title = scn->title;
    struct view_screen scr;
    view_screen_init(&scr, W, H);
    size_t n = s.tr.n, steps = 0;
    unsigned long check = 0;
    enum { PARTS = 10, PER_PART = 200, RETIME = 5 };
    double total = 0, worst = 0, *dts = xcalloc(PARTS * PER_PART, sizeof *dts);
    struct view_state before_worst = st;
    for (int part = 0; part < PARTS; part++) {
        st.cur = n * (size_t)part / PARTS;
        for (int k = 0; k < PER_PART && st.cur + 1 < n; k++) {
            struct view_state before = st;
            double t0 = bench_now();
            view_apply(&ix, &st, ACT_NEXT, W, H);
            view_render(&ix, &st, &scr);
            double dt = bench_now() - t0;
            check += scr.cells[(size_t)(H / 2) * W + W / 2].ch;
            total += dt;
            if (dt > worst) {
                worst = dt;
                before_worst = before;
            }
            dts[steps++] = dt;
        }
    }
    /* One slow step in 2,000 on a shared machine is as often the scheduler
     * as the step: take the slowest step again from the state it started
     * in, RETIME times, and show its fastest beside the 99th percentile. */
    double again = worst;
    for (int k = 0; k < RETIME; k++) {
        st = before_worst;
        double t0 = bench_now();
        view_apply(&ix, &st, ACT_NEXT, W, H);
        view_render(&ix, &st, &scr);
        double dt = bench_now() - t0;
        again = dt < again ? dt : again;
    }
    double p99 = steps ? bench_quantile(dts, steps, 0.99) : 0;
    free(dts);
    char name[80], note[128];
    snprintf(name, sizeof name, "ui: step, a crowd of %d hosts", s.tr.nhosts);
    snprintf(note, sizeof note,
             "%zu events; 99%% of steps <= %.2f ms, worst %.2f ms (%.2f ms again)",
             n, p99 * 1e3, worst * 1e3, again * 1e3);
    bench_report_more(b, "ui.crowd", name, (double)steps, total, "steps/s", 200, 0,
                      note);
    if (check == 1)
        puts("");
    view_screen_free(&scr);
    view_index_free(&ix);
    sim_free(&s);
    scenario_free(scn);
}

/* ui.flood: what opening a SYN flood of 100,000 forged sources costs before
 * the first frame -- the index (the crowd found and folded) and the quiz's
 * points, as tui.c builds them -- and then a step through its folded rows.
 * Before the quiz's segment index, --quiz on this lesson did not finish in
 * 30 s. */
static void bench_flood(struct bench *b)
{
    static const char text[] =
        "title \"UI benchmark: 100,000 forged SYNs\"\n"
        "host attacker 203.0.113.66\nhost server 192.0.2.80\nhost alice 192.0.2.10\n"
        "link attacker server delay 5ms\nlink alice server delay 10ms\n"
        "tcp syncookies server on\n"
        "at 0ms server listen 80 backlog 128\nat 0ms server accept 80\n"
        "repeat 100000 as i: at {i}ms inject attacker->server tcp SYN seq {i}"
        " sport {1024 + i % 60000} dport 80 spoof {10.0.0.1 + i}\n"
        "at 50s alice connect server 80\nat 51s alice send \"hello\"\n";
    struct sim s;
    struct scenario *scn = run_or_die("bench-flood.scn", text, sizeof text - 1, &s);
    struct view_index ix;
    struct quiz q;
    double t0 = bench_now();
    view_index_build(&ix, &s.tr);
    quiz_build(&q, scn, &s.tr, 1, ix.crowd);
    double t1 = bench_now();
    char name[80], note[96];
    snprintf(name, sizeof name, "ui: open 100,000 forged SYNs (index + quiz)");
    snprintf(note, sizeof note, "%zu events, %zu folded rows, %d quiz points", s.tr.n,
             ix.nrows, q.n);
    bench_report_more(b, "ui.flood", name, 1, t1 - t0, "opens/s", 1, 0, note);
    quiz_free(&q);
    struct view_state st;
    view_state_init(&st, 1);
    struct view_screen scr;
    view_screen_init(&scr, W, H);
    size_t steps = 0;
    double total = 0;
    for (st.cur = 0; st.cur + 1 < ix.n && steps < 1000; steps++) {
        double a = bench_now();
        view_apply(&ix, &st, ACT_NEXT, W, H);
        view_render(&ix, &st, &scr);
        total += bench_now() - a;
    }
    bench_report(b, "ui.flood.step", "ui: step through the folded flood", (double)steps,
                 total, "steps/s", 200);
    view_screen_free(&scr);
    view_index_free(&ix);
    sim_free(&s);
    scenario_free(scn);
}

void bench_ui(struct bench *b)
{
    size_t len;
    char *text = make_scenario(&len);
    struct sim s;
    struct scenario *scn = run_or_die("bench-ui.scn", text, len, &s);
    free(text);
    size_t n = s.tr.n;
    if (n < 10000) {
        fprintf(stderr, "bench_ui: only %zu events (want 10,000)\n", n);
        exit(1);
    }
    char name[64];

    /* building the index */
    struct view_index ix;
    int reps = 20;
    double t0 = bench_now();
    for (int i = 0; i < reps; i++) {
        view_index_build(&ix, &s.tr);
        if (i + 1 < reps)
            view_index_free(&ix);
    }
    double t1 = bench_now();
    snprintf(name, sizeof name, "ui: index a %zu-event trace", n);
    bench_report(b, "ui.index", name, reps, t1 - t0, "indexes/s", 0);

    /* stepping through every event, rendering each whole screen */
    struct view_state st;
    view_state_init(&st, 1);
    st.title = scn->title;
    struct view_screen scr;
    view_screen_init(&scr, W, H);
    unsigned long check = 0;
    t0 = bench_now();
    for (size_t i = 0; i < n; i++) {
        view_render(&ix, &st, &scr);
        check += scr.cells[(size_t)(H / 2) * W + W / 2].ch;
        view_apply(&ix, &st, ACT_NEXT, W, H);
    }
    t1 = bench_now();
    snprintf(name, sizeof name, "ui: step + render 120x40 (%zu events)", n);
    bench_report(b, "ui.step", name, (double)n, t1 - t0, "steps/s", 1000);

    /* the diagram's rows alone, at the last event */
    struct view_layout L;
    view_layout(W, H, 0, PANE_DIAGRAM, &L);
    st.cur = n - 1;
    reps = 2000;
    t0 = bench_now();
    for (int i = 0; i < reps; i++) {
        view_render_diagram(&ix, &st, &scr, L.diagram);
        check += scr.cells[(size_t)(H / 2) * W + W / 2].ch;
    }
    t1 = bench_now();
    bench_report(b, "ui.rows", "ui: diagram rows at the last event", reps, t1 - t0,
                 "frames/s", 1000);

    /* the whole screen at the last event (the state pane's longest scan) */
    reps = 500;
    t0 = bench_now();
    for (int i = 0; i < reps; i++) {
        view_render(&ix, &st, &scr);
        check += scr.cells[(size_t)(H / 2) * W + W / 2].ch;
    }
    t1 = bench_now();
    bench_report(b, "ui.last", "ui: whole screen at the last event", reps, t1 - t0,
                 "frames/s", 1000);

    /* render + curses draw + refresh into /dev/null, every event once */
    st.cur = 0;
    long frames = (long)n;
    t0 = bench_now();
    long done = tui_bench_frames(&ix, &st, W, H, frames);
    t1 = bench_now();
    if (done > 0)
        bench_report(b, "ui.redraw", "ui: render + curses redraw 120x40", (double)done,
                     t1 - t0, "frames/s", 1000);
    else
        fputs("bench_ui: curses could not start on /dev/null (TERM "
              "xterm-256color missing?): no redraw figure\n", stderr);

    if (check == 1)
        puts("");                            /* keeps the work observable */
    view_screen_free(&scr);
    view_index_free(&ix);
    sim_free(&s);
    scenario_free(scn);
    bench_crowd(b);
    bench_flood(b);
}
