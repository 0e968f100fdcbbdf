/* test_code.c — the code pane (issue 14 item 2): `code` lines and `line N` ties in the language, socket()/bind() records, and which line the pane marks at each event. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang.h"
#include "scenario.h"
#include "sim.h"
#include "trace.h"
#include "view.h"
#include "view_code.h"
#include "suites.h"

#define HOSTS "host client 192.0.2.10\nhost server 192.0.2.80\nlink client server delay 10ms\n"

static struct scenario *parse_ok(const char *text)
{
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, strlen(text), &e);
    ck_assert_msg(s != NULL, "expected a valid scenario, got: %s", e.n ? e.msgs[0] : "?");
    scn_errors_free(&e);
    return s;
}

/* Every message of a rejected text, one per line (malloc'd). */
static char *errors_of(const char *text)
{
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, strlen(text), &e);
    ck_assert_ptr_null(s);
    size_t n = 1;
    for (int i = 0; i < e.n; i++)
        n += strlen(e.msgs[i]) + 1;
    char *out = malloc(n), *p = out;
    *p = '\0';
    for (int i = 0; i < e.n; i++)
        p += sprintf(p, "%s\n", e.msgs[i]);
    scn_errors_free(&e);
    return out;
}

static void assert_errors(const char *text, const char *want)
{
    char *got = errors_of(text);
    ck_assert_str_eq(got, want);
    free(got);
}

/* ---- the language -------------------------------------------------------- */

START_TEST(test_code_lines_per_host_and_shared)
{
    struct scenario *s = parse_ok(HOSTS
        "code \"shared 1\"\n"
        "code server \"int ls = socket(AF_INET, SOCK_STREAM, 0);\" zh \"创建套接字\"\n"
        "code \"shared 2\"\n"
        "code server \"listen(ls, 5);\"\n"
        "at 0ms server listen 80 line 2\n"
        "at 1ms client connect server 80 line 2\n"
        "at 2ms client close\n");
    ck_assert_int_eq(s->ncode, 4);
    ck_assert_int_eq(s->code[1].host, 1);
    ck_assert_int_eq(s->code[0].host, -1);
    ck_assert_str_eq(s->code[1].text, "int ls = socket(AF_INET, SOCK_STREAM, 0);");
    ck_assert_str_eq(s->code[1].text_zh, "创建套接字");
    ck_assert_ptr_null(s->code[0].text_zh);
    ck_assert_int_eq(s->code[1].line, 5);
    /* the server runs its own two lines, the client the shared two */
    int idx[4];
    ck_assert_int_eq(scn_code_program(s, 1, idx), 2);
    ck_assert_int_eq(idx[0], 1);
    ck_assert_int_eq(idx[1], 3);
    ck_assert_int_eq(scn_code_program(s, 0, idx), 2);
    ck_assert_int_eq(idx[0], 0);
    ck_assert_int_eq(idx[1], 2);
    ck_assert_int_eq(s->actions[0].more->code_line, 2);
    ck_assert_int_eq(s->actions[0].kind, ACT_LISTEN);
    ck_assert_int_eq(s->actions[0].port, 80);
    ck_assert_int_eq(s->actions[1].more->code_line, 2);
    ck_assert_int_eq(s->actions[1].peer, 1);
    ck_assert_int_eq(s->actions[2].more->code_line, 0);
    scenario_free(s);
}
END_TEST

START_TEST(test_socket_and_bind_actions)
{
    struct scenario *s = parse_ok(HOSTS
        "code \"x\"\n"
        "at 0ms server socket line 1\n"
        "at 0ms server socket udp\n"
        "at 0ms server socket tcp\n"
        "at 0ms server bind 8080 line 1\n");
    ck_assert_int_eq(s->actions[0].kind, ACT_SOCKET);
    ck_assert_int_eq(s->actions[0].more->sock_udp, 0);
    ck_assert_int_eq(s->actions[0].more->code_line, 1);
    ck_assert_int_eq(s->actions[1].more->sock_udp, 1);
    ck_assert_int_eq(s->actions[2].more->sock_udp, 0);
    ck_assert_int_eq(s->actions[3].kind, ACT_BIND);
    ck_assert_int_eq(s->actions[3].port, 8080);
    scenario_free(s);
}
END_TEST

START_TEST(test_code_errors_name_the_column)
{
    assert_errors(HOSTS "code\n",
        "t.scn:4:5: error: expected a line of source code in double quotes, like "
        "\"int s = socket(AF_INET, SOCK_STREAM, 0);\", found end of line\n");
    assert_errors(HOSTS "code server\n",
        "t.scn:4:12: error: expected a line of source code in double quotes, like "
        "\"int s = socket(AF_INET, SOCK_STREAM, 0);\", found end of line\n");
    assert_errors(HOSTS "code \"a\" more\n",
        "t.scn:4:10: error: expected end of line, found \"more\"\n");
    assert_errors(HOSTS "code sever \"a\"\n",
        "t.scn:4:6: error: unknown host \"sever\" (declared hosts: client, server)\n");
    assert_errors(HOSTS "code \"a\"\nat 0ms client close line\n",
        "t.scn:5:25: error: expected a code line number after \"line\", found end of line\n");
    assert_errors(HOSTS "code \"a\"\nat 0ms client close line four\n",
        "t.scn:5:26: error: expected a code line number from 1 to 65535, found \"four\"\n");
    assert_errors(HOSTS "code \"a\"\nat 0ms client close line 0\n",
        "t.scn:5:26: error: expected a code line number from 1 to 65535, found \"0\"\n");
    /* past the end of the host's program, once the whole file is read */
    assert_errors(HOSTS "code server \"a\"\ncode client \"b\"\n"
                  "at 0ms client connect server 80 line 2\n",
        "t.scn:6:38: error: expected a code line from 1 to 1 (the lines of host "
        "\"client\"'s program), found 2\n");
    assert_errors(HOSTS "code server \"a\"\nat 0ms client close line 1\n",
        "t.scn:5:26: error: there is no code for host \"client\" to tie this call to; "
        "add lines like: code client \"listen(s, 5);\" (or code \"...\" for every host)\n");
    assert_errors(HOSTS "at 0ms server socket raw\n",
        "t.scn:4:22: error: expected tcp, udp or end of line after socket, found \"raw\"\n");
    assert_errors(HOSTS "at 0ms server bind\n",
        "t.scn:4:19: error: expected a port number from 1 to 65535, found end of line\n");
}
END_TEST

/* A bound socket listens on, or connects from, the port it was bound to:
 * a lesson that binds one port and uses another is refused at the call
 * that uses it, in time order, host by host. */
START_TEST(test_bind_then_listen_or_connect_on_that_port)
{
    assert_errors(HOSTS "at 0ms server bind 8080\nat 1ms server listen 80\n",
        "t.scn:5:8: error: this socket was bound to port 8080 (line 4), so it "
        "listens on port 8080; write listen 8080 (or bind 80)\n");
    assert_errors(HOSTS "at 0ms client bind 5000\nat 1ms client connect server 80\n",
        "t.scn:5:8: error: this socket was bound to port 5000 (line 4), so it "
        "connects from that port; add from 5000\n");
    /* time order, not line order: the listen at 1ms comes first */
    assert_errors(HOSTS "at 2ms server bind 8080\nat 1ms server listen 80\n"
                  "at 3ms server listen 9090\n",
        "t.scn:6:8: error: this socket was bound to port 8080 (line 4), so it "
        "listens on port 8080; write listen 8080 (or bind 9090)\n");
    struct scenario *s = parse_ok(HOSTS
        "at 0ms server bind 80\n"
        "at 0ms server listen 80\n"
        "at 1ms server listen 81\n"            /* a second socket, not bound */
        "at 0ms client bind 5000\n"
        "at 1ms client connect server 80 from 5000\n"
        "at 2ms client bind 6000\n");          /* bound, never used */
    scenario_free(s);
}
END_TEST

/* ---- the model: socket() and bind() are records without effect ----------- */

START_TEST(test_socket_bind_records_send_nothing)
{
    struct scenario *s = parse_ok(HOSTS
        "at 0ms server socket\n"
        "at 0ms server bind 80\n"
        "at 0ms client socket udp\n");
    struct sim sm;
    sim_init(&sm, s, 1);
    sim_run(&sm);
    const struct trace *tr = &sm.tr;
    ck_assert_uint_eq(tr->n, 3);
    const struct trace_rec *r = trace_rec(tr, 0);
    ck_assert_int_eq(r->kind, TK_APP);
    ck_assert_int_eq(r->u.app.call, AC_SOCKET);
    ck_assert_int_eq(r->layer, TL_TCP);
    r = trace_rec(tr, 1);
    ck_assert_int_eq(r->u.app.call, AC_BIND);
    ck_assert_int_eq(r->why.a[0], 80);
    r = trace_rec(tr, 2);
    ck_assert_int_eq(r->u.app.call, AC_SOCKET);
    ck_assert_int_eq(r->layer, TL_UDP);
    ck_assert_str_eq(app_call_name(AC_SOCKET), "socket");
    ck_assert_str_eq(app_call_name(AC_BIND), "bind");
    sim_free(&sm);
    scenario_free(s);
}
END_TEST

/* ---- the pane: which line is marked at event N ---------------------------- */

static const char LESSON[] = HOSTS
    "tcp isn client 1000\n"
    "tcp isn server 5000\n"
    "code server \"socket\"\n"          /* 1 */
    "code server \"listen\"\n"          /* 2 */
    "code server \"accept\"\n"          /* 3 */
    "code server \"recv\"\n"            /* 4 */
    "code client \"connect\"\n"         /* 1 */
    "code client \"send\"\n"            /* 2 */
    "at 0ms server socket line 1\n"
    "at 0ms server listen 80 backlog 1 line 2\n"
    "at 0ms server accept 80 line 3\n"  /* blocks until 40 ms */
    "at 10ms client connect server 80 line 1\n"
    "at 100ms client send \"hi\" line 2\n"
    "at 200ms server recv 10 line 4\n";

struct run { struct scenario *scn; struct sim s; struct code_map m; };

static void run_open(struct run *r, const char *text)
{
    r->scn = parse_ok(text);
    sim_init(&r->s, r->scn, 1);
    sim_run(&r->s);
    code_map_build(&r->m, r->scn, &r->s.tr);
}

static void run_close(struct run *r)
{
    code_map_free(&r->m);
    sim_free(&r->s);
    scenario_free(r->scn);
}

/* The index of the first app record of host h with this call. */
static size_t find_call(const struct trace *tr, int h, int call)
{
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = trace_rec(tr, i);
        if (r->kind == TK_APP && r->host == h && r->u.app.call == call)
            return i;
    }
    ck_abort_msg("no call %d of host %d", call, h);
    return 0;
}

/* "host:line" of the newest call at event cur, "-" when none. */
static const char *marked(const struct run *r, size_t cur, char *buf, size_t n)
{
    long k = code_map_at(&r->m, cur);
    if (k < 0)
        return "-";
    snprintf(buf, n, "%s:%d", r->scn->hosts[r->m.tie[k].host].name, r->m.tie[k].line);
    return buf;
}

START_TEST(test_pane_marks_the_line_of_each_call)
{
    struct run r;
    run_open(&r, LESSON);
    const struct trace *tr = &r.s.tr;
    char b[64];
    ck_assert_int_eq(r.m.nprog, 2);
    ck_assert_int_eq((int)r.m.ntie, 6);
    size_t sock = find_call(tr, 1, AC_SOCKET), lis = find_call(tr, 1, AC_LISTEN);
    size_t acc = find_call(tr, 1, AC_ACCEPT), con = find_call(tr, 0, AC_CONNECT);
    size_t snd = find_call(tr, 0, AC_SEND), rcv = find_call(tr, 1, AC_RECV);
    ck_assert_uint_eq(sock, 0);
    ck_assert_str_eq(marked(&r, sock, b, sizeof b), "server:1");
    ck_assert_str_eq(marked(&r, lis, b, sizeof b), "server:2");
    /* the listener's state change after listen() still shows listen */
    ck_assert_str_eq(marked(&r, lis + 1, b, sizeof b), "server:2");
    ck_assert_str_eq(marked(&r, con, b, sizeof b), "client:1");
    /* the handshake's segments stay on connect() until accept() returns,
     * at 40 ms, long after its line was reached at 0 ms */
    ck_assert_int_eq(trace_rec(tr, acc)->t_us, 40000);
    ck_assert_str_eq(marked(&r, acc - 1, b, sizeof b), "client:1");
    ck_assert_str_eq(marked(&r, acc, b, sizeof b), "server:3");
    ck_assert_str_eq(marked(&r, snd, b, sizeof b), "client:2");
    ck_assert_str_eq(marked(&r, rcv - 1, b, sizeof b), "client:2");
    ck_assert_str_eq(marked(&r, rcv, b, sizeof b), "server:4");
    ck_assert_str_eq(marked(&r, tr->n - 1, b, sizeof b), "server:4");
    /* each program keeps its own last line */
    ck_assert_int_eq(r.m.prog[0].host, 0);
    ck_assert_int_eq(code_map_prog_line(&r.m, 0, snd), 2);     /* client: send */
    ck_assert_int_eq(code_map_prog_line(&r.m, 1, snd), 3);     /* server: accept */
    ck_assert_int_eq(code_map_prog_line(&r.m, 0, sock), 0);    /* client: nothing yet */
    run_close(&r);
}
END_TEST

/* A crowd with a program per host (and the server's own), whose calls
 * all come at one instant: each call is tied to its own host's line,
 * every program keeps its last line, and a lesson whose calls name a
 * line past their host's program is refused with that program's length.
 * Finding the calls looks at a few records per action: reading on from
 * the action's time through every record of the instant looked at
 * N * N / 2 of them (12.5 million here), and each program's last line
 * went back through every program's calls. */
START_TEST(test_pane_ties_a_crowd_in_linear_steps)
{
    enum { N = 5000 };         /* the crowds below are written with repeat */
    const char *text = "host server 10.0.0.1\n"
                       "code server \"listen(s, 128);\"\n"
                       "code \"close(s);\"\n"
                       "at 0ms server listen 80 line 1\n"
                       "repeat 5000 as i from 1\n"
                       "  host c{i} {10.1.0.0 + i}\n"
                       "  link c{i} server delay 1ms\n"
                       "  code c{i} \"connect(s{i});\"\n"
                       "  code c{i} \"close(s{i});\"\n"
                       "  at 10ms c{i} connect server 80 line 1\n"
                       "  at 20s c{i} close line 2\n"
                       "end\n";
    struct run r;
    run_open(&r, text);
    const struct trace *tr = &r.s.tr;
    ck_assert_int_eq(r.m.nprog, N + 2);          /* shared, server, c1..cN */
    ck_assert_uint_eq(r.m.ntie, 2 * N + 1);
    ck_assert_uint_le(r.m.steps, 4 * (2 * N + 1));
    for (int h = 1; h <= N; h++) {
        /* prog h + 1 is host h's (0 the shared, 1 the server's) */
        ck_assert_int_eq(r.m.prog[h + 1].host, h);
        size_t con = find_call(tr, h, AC_CONNECT), cls = find_call(tr, h, AC_CLOSE);
        long t = code_map_at(&r.m, con);
        ck_assert_int_ge(t, 0);
        ck_assert_uint_eq(r.m.tie[t].rec, con);
        ck_assert_int_eq(r.m.tie[t].host, h);
        ck_assert_int_eq(r.m.tie[t].line, 1);
        ck_assert_int_eq(code_map_prog_line(&r.m, h + 1, con), 1);
        ck_assert_int_eq(code_map_prog_line(&r.m, h + 1, cls), 2);
        ck_assert_int_eq(code_map_prog_line(&r.m, h + 1, tr->n - 1), 2);
        ck_assert_int_eq(code_map_prog_line(&r.m, h + 1, con - 1), 0);
    }
    ck_assert_int_eq(code_map_prog_line(&r.m, 1, tr->n - 1), 1);  /* the server */
    ck_assert_int_eq(code_map_prog_line(&r.m, 0, tr->n - 1), 0);  /* nobody's */
    run_close(&r);

    /* a line past the host's own program of two lines: its length said */
    text = "host server 10.0.0.1\n"
           "code \"a\"\ncode \"b\"\ncode \"c\"\n"
           "at 0ms server listen 80 line 3\n"
           "repeat 5000 as i from 1\n"
           "  host c{i} {10.1.0.0 + i}\n"
           "  link c{i} server\n"
           "  code c{i} \"x\"\n"
           "  code c{i} \"y\"\n"
           "  at 10ms c{i} connect server 80 line {2 + i / 5000}\n"
           "end\n";
    struct scn_errors errs = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, strlen(text), &errs);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(errs.n, 1);
    ck_assert_msg(strstr(errs.msgs[0], "expected a code line from 1 to 2 (the lines "
                         "of host \"c5000\"'s program), found 3"), "%s", errs.msgs[0]);
    scn_errors_free(&errs);
}
END_TEST

START_TEST(test_pane_lines_highlight_and_scroll)
{
    struct run r;
    run_open(&r, LESSON);
    const struct trace *tr = &r.s.tr;
    struct view_lines l = { 0 };
    int sel;
    size_t con = find_call(tr, 0, AC_CONNECT);
    view_code_lines(&r.m, con, 30, 0, &l, &sel);
    /* the server's program (host 1) after the client's (host 0) */
    ck_assert_int_eq(l.n, 8);
    ck_assert_str_eq(l.v[0].text, "client");
    ck_assert_int_eq(sel, 1);
    ck_assert_int_eq(strncmp(l.v[1].text, "> 1  connect   ", 15), 0);
    ck_assert_int_eq((int)strlen(l.v[1].text), 30);                    /* padded to the width */
    ck_assert_int_eq(l.v[1].role, R_SELECTED);
    ck_assert_str_eq(l.v[2].text, "  2  send");
    ck_assert_str_eq(l.v[3].text, "server");
    ck_assert_str_eq(l.v[5].text, "> 2  listen");                       /* marked, not current */
    ck_assert_int_eq(l.v[5].role, R_CURSOR);
    view_lines_free(&l);
    /* the first record is the server's socket(): its line is current */
    view_code_lines(&r.m, 0, 30, 0, &l, &sel);
    ck_assert_int_eq(sel, 4);
    ck_assert_str_eq(l.v[1].text, "  1  connect");
    view_lines_free(&l);
    /* scrolling keeps the line in view, and is a function of it alone */
    ck_assert_int_eq(view_code_top(8, 10, 7), 0);
    ck_assert_int_eq(view_code_top(30, 10, 5), 0);
    ck_assert_int_eq(view_code_top(30, 10, 12), 9);
    ck_assert_int_eq(view_code_top(30, 10, 29), 20);
    ck_assert_int_eq(view_code_top(30, 10, -1), 0);
    for (int s = 0; s < 30; s++) {
        int top = view_code_top(30, 10, s);
        ck_assert(top <= s && s < top + 10);
    }
    run_close(&r);
}
END_TEST

START_TEST(test_pane_layout_80_and_120)
{
    struct view_layout L;
    view_layout(80, 24, 0, PANE_DIAGRAM, &L);
    struct view_rect c = view_layout_code(&L, 0);
    ck_assert_int_eq(c.w, 32);
    ck_assert_int_eq(L.diagram.w, 47);
    ck_assert_int_eq(c.x, 48);
    ck_assert_int_eq(c.h, L.diagram.h);
    view_layout(120, 40, 0, PANE_DIAGRAM, &L);
    c = view_layout_code(&L, 0);
    ck_assert_int_eq(c.w, 48);
    ck_assert_int_eq(L.diagram.w, 71);
    view_layout(120, 40, 1, PANE_DIAGRAM, &L);
    c = view_layout_code(&L, 1);
    ck_assert_int_eq(c.w, 0);                   /* projector: the diagram alone */
    ck_assert_int_eq(L.diagram.w, 120);
}
END_TEST

START_TEST(test_a_lesson_without_code_has_no_pane)
{
    struct run r;
    run_open(&r, HOSTS "at 0ms server listen 80\nat 1ms client connect server 80\n");
    ck_assert_int_eq(r.m.nprog, 0);
    ck_assert_int_eq(code_map_at(&r.m, r.s.tr.n - 1), -1);
    struct view_state st;
    view_state_init(&st, 0);
    st.code = &r.m;
    struct view_index ix;
    view_index_build(&ix, &r.s.tr);
    ck_assert_int_eq(view_apply(&ix, &st, ACT_CODE, 80, 24), VE_NONE);
    ck_assert_str_eq(st.msg, "this lesson has no code lines");
    ck_assert_int_eq(st.code_hidden, 0);
    view_index_free(&ix);
    run_close(&r);
}
END_TEST

Suite *code_suite(void)
{
    Suite *s = suite_create("code");
    TCase *tc = tcase_create("language");
    tcase_add_test(tc, test_code_lines_per_host_and_shared);
    tcase_add_test(tc, test_socket_and_bind_actions);
    tcase_add_test(tc, test_code_errors_name_the_column);
    tcase_add_test(tc, test_bind_then_listen_or_connect_on_that_port);
    tcase_add_test(tc, test_socket_bind_records_send_nothing);
    suite_add_tcase(s, tc);
    tc = tcase_create("pane");
    tcase_add_test(tc, test_pane_marks_the_line_of_each_call);
    tcase_add_test(tc, test_pane_ties_a_crowd_in_linear_steps);
    tcase_add_test(tc, test_pane_lines_highlight_and_scroll);
    tcase_add_test(tc, test_pane_layout_80_and_120);
    tcase_add_test(tc, test_a_lesson_without_code_has_no_pane);
    suite_add_tcase(s, tc);
    return s;
}
