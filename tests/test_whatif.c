/* test_whatif.c — "what if" (ui/whatif.c): a packet's fault line selects exactly that packet when run, the departure point of two runs, the saved lesson's text, and undo giving back the run it was made from. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lang.h"
#include "render.h"
#include "suites.h"
#include "view.h"
#include "whatif.h"

/* A shipped lesson's text, read from scenarios/ (the tests run from the
 * top of the tree). */
static char *lesson_text(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "scenarios/%s.scn", name);
    int err = 0;
    char *t = whatif_read_file(path, len, &err);
    ck_assert_msg(t != NULL, "cannot read %s", path);
    return t;
}

static struct scenario *parse_ok(const char *path, const char *text, size_t len)
{
    struct scn_errors errs = { 0 };
    struct scenario *s = scenario_parse(path, text, len, &errs);
    ck_assert_msg(s != NULL, "%s", errs.n ? errs.msgs[0] : "no scenario");
    scn_errors_free(&errs);
    return s;
}

static void run(struct sim *s, const struct scenario *scn)
{
    sim_init(s, scn, scn->seed);
    sim_run(s);
}

/* The first event at or after `from` whose one-line summary contains
 * what, of kind `kind`; fails when there is none. */
static size_t find_event(const struct trace *tr, size_t from, int kind,
                         const char *what)
{
    char buf[512];
    for (size_t i = from; i < tr->n; i++)
        if (tr->recs[i].kind == kind &&
            strstr(render_event(tr, &tr->recs[i], buf, sizeof buf), what))
            return i;
    ck_abort_msg("no %s event with \"%s\"", trace_kind_name(kind), what);
    return 0;
}

/* The first arrival of send i; fails when there is none. */
static size_t arrival_of(const struct trace *tr, size_t i)
{
    for (size_t j = i + 1; j < tr->n; j++)
        if (tr->recs[j].kind == TK_RECV && tr->recs[j].of == i + 1)
            return j;
    ck_abort_msg("send %zu never arrives", i);
    return 0;
}

/* Does trace tr drop send i by a scenario fault? */
static int fault_dropped(const struct trace *tr, size_t i)
{
    for (size_t j = i + 1; j < tr->n; j++)
        if (tr->recs[j].kind == TK_DROP && tr->recs[j].of == i + 1 &&
            tr->recs[j].u.pkt.reason == DR_FAULT)
            return 1;
    return 0;
}

/* ---- the selector -------------------------------------------------------------------- */

START_TEST(test_selector_names_the_segment_and_counts_it)
{
    size_t len;
    char *text = lesson_text("syn-loss", &len);
    struct scenario *scn = parse_ok("syn-loss.scn", text, len);
    struct sim s;
    run(&s, scn);
    char line[200], err[200];
    /* syn-loss loses the first two SYNs: the one that arrives is the third,
     * and the drop of the first names the first */
    size_t syn1 = find_event(&s.tr, 0, TK_SEND, "SYN seq=");
    size_t syn2 = find_event(&s.tr, syn1 + 1, TK_SEND, "SYN seq=");
    size_t syn3 = find_event(&s.tr, syn2 + 1, TK_SEND, "SYN seq=");
    ck_assert_int_eq(whatif_selector(&s.tr, syn3, WI_DROP, NULL, line, sizeof line,
                                     err, sizeof err), 0);
    ck_assert_str_eq(line, "fault drop client->server tcp SYN #3");
    size_t drop1 = find_event(&s.tr, syn1, TK_DROP, "SYN seq=");
    ck_assert_int_eq(whatif_selector(&s.tr, drop1, WI_DROP, NULL, line, sizeof line,
                                     err, sizeof err), 0);
    ck_assert_str_eq(line, "fault drop client->server tcp SYN #1");
    /* an arrival names the frame that arrived; a delay says by how much */
    size_t arr = arrival_of(&s.tr, syn3);
    ck_assert_int_eq(whatif_selector(&s.tr, arr, WI_DELAY, "500ms", line, sizeof line,
                                     err, sizeof err), 0);
    ck_assert_str_eq(line, "fault delay client->server tcp SYN #3 by 500ms");
    /* the answer: the first SYN,ACK the server sent */
    size_t sa = find_event(&s.tr, 0, TK_SEND, "SYN,ACK");
    ck_assert_int_eq(whatif_selector(&s.tr, sa, WI_DROP, NULL, line, sizeof line,
                                     err, sizeof err), 0);
    ck_assert_str_eq(line, "fault drop server->client tcp SYN,ACK #1");
    /* a state change is no packet */
    size_t st = 0;
    while (s.tr.recs[st].kind != TK_STATE)
        st++;
    ck_assert_int_eq(whatif_selector(&s.tr, st, WI_DROP, NULL, line, sizeof line,
                                     err, sizeof err), -1);
    ck_assert_msg(strstr(err, "select a packet"), "%s", err);
    sim_free(&s);
    scenario_free(scn);
    free(text);
}
END_TEST

START_TEST(test_selector_refuses_arp_frames)
{
    size_t len;
    char *text = lesson_text("arp", &len);
    struct scenario *scn = parse_ok("arp.scn", text, len);
    struct sim s;
    run(&s, scn);
    size_t req = find_event(&s.tr, 0, TK_SEND, "who-has");
    char line[200], err[200];
    ck_assert_int_eq(whatif_selector(&s.tr, req, WI_DROP, NULL, line, sizeof line,
                                     err, sizeof err), -1);
    ck_assert_msg(strstr(err, "ARP"), "%s", err);
    sim_free(&s);
    scenario_free(scn);
    free(text);
}
END_TEST

/* Every frame a fault can name, in several lessons: its line, added to the
 * lesson and run, drops that very send (the same record: the runs agree
 * up to it) and nothing earlier. */
static void every_frame_drops_itself(const char *name)
{
    size_t len;
    char *text = lesson_text(name, &len);
    struct scenario *scn = parse_ok(name, text, len);
    struct sim s;
    run(&s, scn);
    int tried = 0;
    for (size_t i = 0; i < s.tr.n; i++) {
        char line[200], err[200];
        if (s.tr.recs[i].kind != TK_SEND || s.tr.recs[i].u.pkt.dup ||
            fault_dropped(&s.tr, i) ||
            whatif_selector(&s.tr, i, WI_DROP, NULL, line, sizeof line, err,
                            sizeof err) < 0)
            continue;
        size_t nlen;
        char *nt = whatif_text(text, len, "what-if (test)", line, &nlen);
        struct scenario *ns = parse_ok(name, nt, nlen);
        struct sim w;
        run(&w, ns);
        long dep = whatif_departure(&s.tr, &w.tr);
        ck_assert_msg(dep > (long)i, "%s: %s: the runs part at %ld, before the "
                      "send %zu", name, line, dep, i);
        ck_assert_msg(fault_dropped(&w.tr, i), "%s: %s does not drop send %zu",
                      name, line, i);
        /* the drop is the very next record: the departure */
        ck_assert_int_eq(w.tr.recs[dep].kind, TK_DROP);
        ck_assert_int_eq(w.tr.recs[dep].of, i + 1);
        sim_free(&w);
        scenario_free(ns);
        free(nt);
        tried++;
    }
    ck_assert_msg(tried >= 3, "%s: only %d frames tried", name, tried);
    sim_free(&s);
    scenario_free(scn);
    free(text);
}

START_TEST(test_every_frame_of_handshake_drops_itself)
{
    every_frame_drops_itself("handshake");
    every_frame_drops_itself("teardown");
}
END_TEST

START_TEST(test_every_frame_of_udp_and_dns_drops_itself)
{
    every_frame_drops_itself("udp-vs-tcp");
    every_frame_drops_itself("syn-loss");
}
END_TEST

START_TEST(test_every_frame_of_a_routed_lesson_drops_itself)
{
    every_frame_drops_itself("dns-iterative");
    every_frame_drops_itself("web-request");
}
END_TEST

START_TEST(test_every_frame_of_the_other_lessons_drops_itself)
{
    /* simultaneous opens and closes, injected old duplicates, resets,
     * TIME_WAIT, framed data, and a gateway's ARP (its TCP frames) */
    static const char *const names[] = {
        "simultaneous-open", "two-way-handshake", "stale-syn", "simultaneous-close",
        "rst", "time-wait", "time-wait-reopen", "half-close", "sticky-packets",
        "arp-gateway",
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        every_frame_drops_itself(names[k]);
}
END_TEST

START_TEST(test_delay_line_holds_the_frame_back)
{
    size_t len;
    char *text = lesson_text("handshake", &len);
    struct scenario *scn = parse_ok("handshake.scn", text, len);
    struct sim s;
    run(&s, scn);
    size_t sa = find_event(&s.tr, 0, TK_SEND, "SYN,ACK");
    size_t arr = arrival_of(&s.tr, sa);
    char line[200], err[200];
    ck_assert_int_eq(whatif_selector(&s.tr, sa, WI_DELAY, "2s", line, sizeof line,
                                     err, sizeof err), 0);
    size_t nlen;
    char *nt = whatif_text(text, len, "what-if (test)", line, &nlen);
    struct scenario *ns = parse_ok("handshake.scn", nt, nlen);
    struct sim w;
    run(&w, ns);
    /* the same frame arrives 2 s later than it did (after the server's
     * retransmission of it) */
    size_t warr = arrival_of(&w.tr, sa);
    ck_assert_int_eq(w.tr.recs[warr].t_us, s.tr.recs[arr].t_us + 2000000);
    sim_free(&w);
    scenario_free(ns);
    free(nt);
    sim_free(&s);
    scenario_free(scn);
    free(text);
}
END_TEST

START_TEST(test_duration_ok)
{
    ck_assert(whatif_duration_ok("1s"));
    ck_assert(whatif_duration_ok("500ms"));
    ck_assert(whatif_duration_ok("1.5s"));
    ck_assert(whatif_duration_ok("250us"));
    ck_assert(whatif_duration_ok("2m"));
    ck_assert(!whatif_duration_ok(""));
    ck_assert(!whatif_duration_ok("1"));
    ck_assert(!whatif_duration_ok("s"));
    ck_assert(!whatif_duration_ok("1.s"));
    ck_assert(!whatif_duration_ok("-1s"));
    ck_assert(!whatif_duration_ok("1s; rm"));
}
END_TEST

/* ---- where two stories part ------------------------------------------------------- */

static void notes(struct trace *tr, const int64_t *t, const char *const *text, int n)
{
    trace_init(tr);
    trace_add_host(tr, "a", 1);
    trace_add_host(tr, "b", 2);
    for (int i = 0; i < n; i++)
        trace_note(tr, t[i], i % 2, text[i], 0);
}

START_TEST(test_departure_of_hand_made_traces)
{
    static const int64_t t[] = { 0, 10, 20, 30 }, t2[] = { 0, 10, 25, 30 };
    static const char *const x[] = { "one", "two", "three", "four" };
    static const char *const y[] = { "one", "two", "THREE", "four" };
    struct trace a, b;
    notes(&a, t, x, 4);
    notes(&b, t, x, 4);
    ck_assert_int_eq(whatif_departure(&a, &b), -1);          /* the same story */
    trace_free(&b);
    notes(&b, t, y, 4);
    ck_assert_int_eq(whatif_departure(&a, &b), 2);           /* another summary */
    trace_free(&b);
    notes(&b, t2, x, 4);
    ck_assert_int_eq(whatif_departure(&a, &b), 2);           /* another time */
    trace_free(&b);
    notes(&b, t, x, 3);
    ck_assert_int_eq(whatif_departure(&a, &b), 3);           /* one ends first */
    ck_assert_int_eq(whatif_departure(&b, &a), 3);
    trace_free(&b);
    trace_init(&b);
    trace_add_host(&b, "a", 1);
    trace_add_host(&b, "b", 2);
    trace_note(&b, 0, 0, "one", 0);
    trace_note(&b, 10, 0, "two", 0);                         /* another host */
    ck_assert_int_eq(whatif_departure(&a, &b), 1);
    trace_free(&b);
    trace_free(&a);
}
END_TEST

/* ---- the saved lesson, and the stack of runs --------------------------------------- */

START_TEST(test_text_adds_a_commented_line)
{
    size_t n;
    const char *lesson = "title \"x\"\nat 0ms note \"a\"";
    char *t = whatif_text(lesson, strlen(lesson), "what-if: why",
                          "fault drop a->b tcp SYN #1", &n);
    ck_assert_str_eq(t, "title \"x\"\nat 0ms note \"a\"\n\n# what-if: why\n"
                        "fault drop a->b tcp SYN #1\n");
    ck_assert_uint_eq(n, strlen(t));
    free(t);
    t = whatif_text("a\n", 2, "c", "l", &n);
    ck_assert_str_eq(t, "a\n\n# c\nl\n");
    free(t);
    char *p = whatif_save_name("scenarios/handshake.scn");
    ck_assert_str_eq(p, "handshake-whatif.scn");
    free(p);
    p = whatif_save_name("/tmp/my lesson");
    ck_assert_str_eq(p, "my lesson-whatif.scn");
    free(p);
}
END_TEST

static char *text_of(const struct sim *s)
{
    char *out = NULL;
    size_t n = 0;
    FILE *fp = open_memstream(&out, &n);
    ck_assert_ptr_nonnull(fp);
    ck_assert_int_eq(render_text(fp, s), 0);
    fclose(fp);
    return out;
}

/* w never writes over the lesson being shown, whatever the path's
 * spelling: typing the lesson's own name replaced it (the shipped
 * handshake.scn) with the what-if lesson. */
START_TEST(test_save_never_over_the_lesson)
{
    size_t len;
    char *text = lesson_text("handshake", &len);
    char dir[] = "/tmp/protosim-own-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[96], other[112];
    snprintf(path, sizeof path, "%s/lesson.scn", dir);
    snprintf(other, sizeof other, "%s/./lesson.scn", dir);
    ck_assert_int_eq(whatif_write_file(path, text, len), 0);
    struct scenario *scn = parse_ok(path, text, len);
    struct sim base;
    run(&base, scn);
    struct sim *cur = &base;
    struct view_index ix;
    view_index_build(&ix, &base.tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct whatif w;
    whatif_init(&w, &scn, &cur, &ix, &st, 0, 0, 0);
    st.cur = find_event(&base.tr, 0, TK_SEND, "SYN,ACK");
    struct view_state before = st;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &before), 0);
    const char *tries[] = { path, other };
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(whatif_save(&w, tries[i]), -1);
        ck_assert_msg(strstr(st.msg, "is the lesson itself"), "%s", st.msg);
        size_t n;
        int err;
        char *now = whatif_read_file(path, &n, &err);
        ck_assert_ptr_nonnull(now);
        ck_assert(n == len && !memcmp(now, text, len));   /* as it was */
        free(now);
    }
    char saved[128];                                       /* another name: saved */
    snprintf(saved, sizeof saved, "%s/lesson-whatif.scn", dir);
    ck_assert_int_eq(whatif_save(&w, saved), 0);
    unlink(saved);
    whatif_free(&w);                       /* the first run back */
    ck_assert_ptr_eq(cur, &base);
    view_index_free(&ix);
    sim_free(&base);
    scenario_free(scn);
    unlink(path);
    rmdir(dir);
    free(text);
}
END_TEST

/* Two what-ifs on the handshake, saved: the file is the lesson plus the
 * two commented lines, and it runs exactly as the what-if run did; undo
 * gives back each run and view state as it was. */
START_TEST(test_apply_save_and_undo)
{
    size_t len;
    char *text = lesson_text("handshake", &len);
    struct scenario *scn = parse_ok("scenarios/handshake.scn", text, len);
    struct sim base;
    run(&base, scn);
    struct sim *cur = &base;
    struct view_index ix;
    view_index_build(&ix, &base.tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct whatif w;
    whatif_init(&w, &scn, &cur, &ix, &st, 0, 0, 0);
    ck_assert_uint_eq(w.len, len);

    /* nothing yet: neither undo nor save */
    ck_assert_int_eq(whatif_undo(&w), -1);
    ck_assert_int_eq(whatif_save(&w, "/nonexistent/x.scn"), -1);

    size_t sa = find_event(&base.tr, 0, TK_SEND, "SYN,ACK");
    st.cur = sa;
    snprintf(st.msg, sizeof st.msg, "as it was");
    struct view_state before1 = st;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &before1), 0);
    ck_assert_ptr_ne(cur, &base);
    ck_assert_uint_eq(st.cur, sa + 1);                 /* the drop is new */
    ck_assert_uint_eq(st.depart, sa + 2);
    ck_assert_int_eq(st.whatifs, 1);
    ck_assert_int_eq(cur->tr.recs[st.cur].kind, TK_DROP);
    ck_assert_msg(strstr(st.msg, "departs at event"), "%s", st.msg);
    ck_assert_ptr_eq(ix.tr, &cur->tr);

    /* a second one, on the retransmitted SYN,ACK: delayed */
    size_t sa2 = find_event(&cur->tr, sa + 1, TK_SEND, "SYN,ACK");
    st.cur = sa2;
    struct view_state before2 = st;
    struct sim *first = cur;
    ck_assert_int_eq(whatif_apply(&w, WI_DELAY, "1s", &before2), 0);
    ck_assert_int_eq(w.depth, 2);
    ck_assert_int_eq(st.whatifs, 2);

    char path[] = "/tmp/protosim-whatif-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(whatif_save(&w, path), 0);
    size_t slen;
    int err;
    char *saved = whatif_read_file(path, &slen, &err);
    ck_assert_ptr_nonnull(saved);
    ck_assert_uint_gt(slen, len);
    ck_assert(!memcmp(saved, text, len));              /* the lesson as it was */
    ck_assert_msg(strstr(saved + len, "\n# what-if (protosim): the frame of event ") &&
                  strstr(saved + len, "\nfault drop server->client tcp SYN,ACK #1\n") &&
                  strstr(saved + len, "\nfault delay server->client tcp SYN,ACK #2 by 1s\n"),
                  "%s", saved + len);
    /* loading it gives the same run as the what-if */
    struct scn_errors errs = { 0 };
    int ioerr = 0;
    struct scenario *ls = scenario_load(path, &errs, &ioerr);
    ck_assert_ptr_nonnull(ls);
    scn_errors_free(&errs);
    struct sim again;
    run(&again, ls);
    char *t1 = text_of(cur), *t2 = text_of(&again);
    ck_assert_str_eq(t1, t2);
    /* the drop names its line of the saved file: after the lesson's own
     * lines, a blank line and the comment */
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    char want[80];
    snprintf(want, sizeof want, "scenario fault (line %d): drop this packet", lines + 3);
    ck_assert_msg(strstr(t1, want), "no \"%s\" in\n%s", want, t1);
    free(t1);
    free(t2);
    sim_free(&again);
    scenario_free(ls);
    free(saved);
    unlink(path);

    /* undo, one at a time, each view state exactly as it was */
    ck_assert_int_eq(whatif_undo(&w), 0);
    ck_assert_ptr_eq(cur, first);
    ck_assert(!memcmp(&st, &before2, sizeof st));
    ck_assert_ptr_eq(ix.tr, &first->tr);
    ck_assert_int_eq(whatif_undo(&w), 0);
    ck_assert_ptr_eq(cur, &base);
    ck_assert(!memcmp(&st, &before1, sizeof st));
    ck_assert_str_eq(st.msg, "as it was");
    ck_assert_ptr_eq(ix.tr, &base.tr);
    ck_assert_int_eq(w.depth, 0);

    /* whatif_free brings the first run back too */
    st.cur = sa;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &st), 0);
    whatif_free(&w);
    ck_assert_ptr_eq(cur, &base);
    view_index_free(&ix);
    sim_free(&base);
    scenario_free(scn);
    free(text);
}
END_TEST

/* A session run with --seed on a lesson with random loss: the what-if
 * writes that seed into the lesson, so the saved file alone runs the
 * same story. */
START_TEST(test_saved_lesson_keeps_the_sessions_seed)
{
    static const char lesson[] =
        "title \"lossy\"\n"
        "host a 192.0.2.1\nhost b 192.0.2.2\n"
        "link a b delay 10ms jitter 5ms loss 20%\n"
        "at 0ms b listen 80\nat 10ms a connect b 80\n"
        "at 500ms a send \"one\"\nat 900ms a send \"two\"\nat 1300ms a send \"three\"\n";
    char path[] = "/tmp/protosim-seed-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, lesson, sizeof lesson - 1), (long)(sizeof lesson - 1));
    close(fd);
    struct scn_errors errs = { 0 };
    int ioerr = 0;
    struct scenario *scn = scenario_load(path, &errs, &ioerr);
    ck_assert_ptr_nonnull(scn);
    struct sim base;
    sim_init(&base, scn, 7);
    sim_run(&base);
    struct sim *cur = &base;
    struct view_index ix;
    view_index_build(&ix, &base.tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct whatif w;
    whatif_init(&w, &scn, &cur, &ix, &st, 1, 7, 0);
    st.cur = find_event(&base.tr, 0, TK_SEND, "SYN,ACK");
    struct view_state b = st;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &b), 0);
    ck_assert_msg(strstr(w.text, "\nseed 7\n"), "%s", w.text);
    char out[] = "/tmp/protosim-seed-out-XXXXXX";
    fd = mkstemp(out);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(whatif_save(&w, out), 0);
    struct scenario *ls = scenario_load(out, &errs, &ioerr);
    ck_assert_ptr_nonnull(ls);
    ck_assert_int_eq(ls->seed, 7);
    struct sim again;
    run(&again, ls);                       /* the file's own seed */
    char *t1 = text_of(cur), *t2 = text_of(&again);
    ck_assert_str_eq(t1, t2);
    free(t1);
    free(t2);
    sim_free(&again);
    scenario_free(ls);
    whatif_free(&w);
    view_index_free(&ix);
    sim_free(&base);
    scenario_free(scn);
    unlink(path);
    unlink(out);
}
END_TEST

/* An ARP frame, or a state change, is refused with the reason and the run
 * stays. */
START_TEST(test_apply_refuses_and_keeps_the_run)
{
    size_t len;
    char *text = lesson_text("handshake", &len);
    struct scenario *scn = parse_ok("scenarios/handshake.scn", text, len);
    struct sim base;
    run(&base, scn);
    struct sim *cur = &base;
    struct view_index ix;
    view_index_build(&ix, &base.tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct whatif w;
    whatif_init(&w, &scn, &cur, &ix, &st, 0, 0, 0);
    st.cur = 1;                                   /* CLOSED -> LISTEN */
    struct view_state b = st;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &b), -1);
    ck_assert_ptr_eq(cur, &base);
    ck_assert_int_eq(w.depth, 0);
    ck_assert_msg(strstr(st.msg, "select a packet"), "%s", st.msg);
    /* with --real, what-if is off */
    w.real = 1;
    st.cur = find_event(&base.tr, 0, TK_SEND, "SYN");
    b = st;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &b), -1);
    ck_assert_msg(strstr(st.msg, "--real"), "%s", st.msg);
    whatif_free(&w);
    view_index_free(&ix);
    sim_free(&base);
    scenario_free(scn);
    free(text);
}
END_TEST

/* The prompt line: typing, deleting a whole UTF-8 character, Esc, Enter. */
START_TEST(test_prompt_keys)
{
    struct view_state st;
    view_state_init(&st, 1);
    view_prompt_open(&st, PR_DELAY, "1s");
    ck_assert_int_eq(st.overlay, OV_PROMPT);
    ck_assert_int_eq(view_prompt_key(&st, 127), 0);
    ck_assert_int_eq(view_prompt_key(&st, 127), 0);
    ck_assert_int_eq(view_prompt_key(&st, 127), 0);     /* nothing left: no harm */
    ck_assert_str_eq(st.input, "");
    const char *typed = "2\xe7\xa7\x92";                 /* "2秒" */
    for (const char *p = typed; *p; p++)
        view_prompt_key(&st, (unsigned char)*p);
    ck_assert_str_eq(st.input, typed);
    view_prompt_key(&st, 127);
    ck_assert_str_eq(st.input, "2");
    view_prompt_key(&st, 's');
    ck_assert_int_eq(view_prompt_key(&st, '\n'), 1);
    ck_assert_str_eq(st.input, "2s");
    ck_assert_int_eq(view_prompt_key(&st, 27), -1);
    ck_assert_int_eq(st.overlay, OV_NONE);
}
END_TEST

/* The departure is marked in the diagram: ⚑ beside its time. */
START_TEST(test_departure_is_marked_in_the_diagram)
{
    size_t len;
    char *text = lesson_text("handshake", &len);
    struct scenario *scn = parse_ok("scenarios/handshake.scn", text, len);
    struct sim base;
    run(&base, scn);
    struct sim *cur = &base;
    struct view_index ix;
    view_index_build(&ix, &base.tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct whatif w;
    whatif_init(&w, &scn, &cur, &ix, &st, 0, 0, 0);
    st.cur = find_event(&base.tr, 0, TK_SEND, "SYN,ACK");
    struct view_state b = st;
    ck_assert_int_eq(whatif_apply(&w, WI_DROP, NULL, &b), 0);
    struct view_screen scr;
    view_screen_init(&scr, 120, 40);
    view_render(&ix, &st, &scr);
    char *all = view_screen_text(&scr);
    ck_assert_msg(strstr(all, "0.030s\u2691\u25b8"), "%s", all);
    ck_assert_msg(strstr(all, "dropped (fault)"), "%s", all);
    free(all);
    whatif_undo(&w);
    view_render(&ix, &st, &scr);
    all = view_screen_text(&scr);
    ck_assert_msg(!strstr(all, "\u2691"), "%s", all);
    free(all);
    view_screen_free(&scr);
    whatif_free(&w);
    view_index_free(&ix);
    sim_free(&base);
    scenario_free(scn);
    free(text);
}
END_TEST

Suite *whatif_suite(void)
{
    Suite *s = suite_create("whatif");
    TCase *tc = tcase_create("selector");
    tcase_add_test(tc, test_selector_names_the_segment_and_counts_it);
    tcase_add_test(tc, test_selector_refuses_arp_frames);
    tcase_add_test(tc, test_every_frame_of_handshake_drops_itself);
    tcase_add_test(tc, test_every_frame_of_udp_and_dns_drops_itself);
    tcase_add_test(tc, test_every_frame_of_a_routed_lesson_drops_itself);
    tcase_add_test(tc, test_every_frame_of_the_other_lessons_drops_itself);
    tcase_add_test(tc, test_delay_line_holds_the_frame_back);
    tcase_add_test(tc, test_duration_ok);
    suite_add_tcase(s, tc);

    tc = tcase_create("departure");
    tcase_add_test(tc, test_departure_of_hand_made_traces);
    tcase_add_test(tc, test_departure_is_marked_in_the_diagram);
    suite_add_tcase(s, tc);

    tc = tcase_create("runs");
    tcase_add_test(tc, test_text_adds_a_commented_line);
    tcase_add_test(tc, test_apply_save_and_undo);
    tcase_add_test(tc, test_save_never_over_the_lesson);
    tcase_add_test(tc, test_apply_refuses_and_keeps_the_run);
    tcase_add_test(tc, test_saved_lesson_keeps_the_sessions_seed);
    tcase_add_test(tc, test_prompt_keys);
    suite_add_tcase(s, tc);
    return s;
}
