/* test_view.c — Check suite for the curses-free timeline (ui/view*.c): layout, packet paths, the rows of the handshake at event N, timers, stepping back, search, help, and the kernel columns of a --real run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "alloc.h"
#include "chapters.h"
#include "keys.h"
#include "real.h"
#include "lang.h"
#include "narrate.h"
#include "sim.h"
#include "tcp.h"
#include "view.h"
#include "viewint.h"
#include "wire.h"
#include "suites.h"
#include "testutil.h"

/* A copy of scenarios/handshake.scn, so the suite does not depend on the
 * working directory.  Record indices used below:
 *   0 server listen()   1 server LISTEN     2 client connect()
 *   3 client SYN_SENT   4 client send SYN   5 client RTO start
 *   6 note              7 server recv SYN   8 server SYN_RCVD
 *   9 server send S,A  10 server RTO start 11 note
 *  12 client recv S,A  13 client RTO stop  14 client ESTAB
 *  15 client send ACK  16 note             17 server recv ACK
 *  18 server RTO stop  19 server ESTAB
 * (a note follows the events of its instant) */
static const char HANDSHAKE[] =
    "title \"Three-way handshake\"\n"
    "host client 192.0.2.10\n"
    "host server 192.0.2.80\n"
    "link client server delay 20ms\n"
    "tcp isn client 1000\n"
    "tcp isn server 5000\n"
    "at 0ms    server listen 80\n"
    "at 10ms   client connect server 80\n"
    "at 10ms   note \"client sends SYN seq=1000: 'I want to talk, my numbers start at 1000'\"\n"
    "at 30ms   note \"server answers SYN,ACK seq=5000 ack=1001: 'got 1000; mine start at 5000'\"\n"
    "at 50ms   note \"client sends ACK ack=5001: 'got 5000' - both sides now know both ISNs\"\n";

static const char SYNLOSS[] =
    "title \"Lost SYNs\"\n"
    "host client 192.0.2.10\n"
    "host server 192.0.2.80\n"
    "link client server delay 20ms\n"
    "tcp isn client 1000\n"
    "tcp isn server 5000\n"
    "at 0ms server listen 80\n"
    "at 0ms client connect server 80\n"
    "fault drop client->server tcp SYN #1\n";

struct fixture {
    struct scenario *scn;
    struct sim s;
    struct view_index ix;
    struct view_state st;
    struct view_screen scr;
};

static void fx_open(struct fixture *f, const char *text, int w, int h, int utf8)
{
    f->scn = tu_parse(text);
    sim_init(&f->s, f->scn, 1);
    sim_run(&f->s);
    view_index_build(&f->ix, &f->s.tr);
    view_state_init(&f->st, utf8);
    f->st.title = f->scn->title;
    view_screen_init(&f->scr, w, h);
}

static void fx_close(struct fixture *f)
{
    view_screen_free(&f->scr);
    view_index_free(&f->ix);
    sim_free(&f->s);
    scenario_free(f->scn);
}

/* The screen at event n, as text (malloc'd). */
static char *screen_at(struct fixture *f, size_t n)
{
    f->st.cur = n;
    view_render(&f->ix, &f->st, &f->scr);
    return view_screen_text(&f->scr);
}

/* Only the diagram's rows, as text (malloc'd). */
static char *diagram_at(struct fixture *f, size_t n)
{
    struct view_layout L;
    f->st.cur = n;
    view_screen_clear(&f->scr);
    view_layout(f->scr.w, f->scr.h, f->st.projector, f->st.focus, &L);
    view_render_diagram(&f->ix, &f->st, &f->scr, L.diagram);
    return view_screen_text(&f->scr);
}

/* Pane lines joined with newlines (malloc'd). */
static char *lines_text(struct view_lines *l)
{
    size_t n = 1;
    for (int i = 0; i < l->n; i++)
        n += strlen(l->v[i].text) + 1;
    char *t = malloc(n), *p = t;
    for (int i = 0; i < l->n; i++)
        p += sprintf(p, "%s\n", l->v[i].text);
    *p = '\0';
    return t;
}

static int contains(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* ---- issue 11: the crowd, folded ------------------------------------------ */

/* Ten SYNs from forged addresses (198.51.100.1-10, no host's) fill a
 * backlog of 4; alice connects in the middle of them. */
static const char FLOOD[] =
    "host attacker 203.0.113.66\n"
    "host server 192.0.2.80\n"
    "host alice 192.0.2.10\n"
    "link attacker server delay 5ms\n"
    "link alice server delay 10ms\n"
    "at 0ms server listen 80 backlog 4\n"
    "repeat 10 as i: at {i * 500}ms inject attacker->server tcp SYN seq {i * 1000}"
    " sport {1024 + i} dport 80 spoof {198.51.100.1 + i}\n"
    "at 2200ms alice connect server 80\n";

/* Is the frame of packet record i from or to an address of no host? */
static int forged_frame(const struct trace *tr, size_t i)
{
    size_t len;
    const uint8_t *p = trace_blob_data(tr, tr->recs[i].u.pkt.pkt, &len);
    struct frame fr;
    char err[64];
    if (frame_decode(p, len, &fr, err, sizeof err) || !fr.has_ip)
        return 0;
    return trace_host_by_addr(tr, fr.ip.src) < 0 || trace_host_by_addr(tr, fr.ip.dst) < 0;
}

/* The folds partition the crowd into its runs, each counted whole, and
 * stepping visits every row once, landing on its last event. */
static void check_folds(struct fixture *f)
{
    size_t infolds = 0, ncrowd = 0;
    for (size_t i = 0; i < f->ix.n; i++)
        ncrowd += f->ix.crowd[i];
    for (size_t k = 0; k < f->ix.nfolds; k++) {
        const struct view_fold *fd = &f->ix.folds[k];
        uint32_t sum = 0;
        for (int j = 0; j < FOLD_KINDS; j++)
            sum += fd->n[j];
        ck_assert_uint_eq(sum, fd->last - fd->first + 1);
        ck_assert(fd->first == 0 || !f->ix.crowd[fd->first - 1]);
        ck_assert(fd->last + 1 == f->ix.n || !f->ix.crowd[fd->last + 1]);
        for (uint32_t i = fd->first; i <= fd->last; i++)
            ck_assert(f->ix.crowd[i]);
        ck_assert_uint_eq(f->ix.row_last[f->ix.row[fd->first]], fd->last);
        ck_assert_int_eq(f->ix.row_fold[f->ix.row[fd->first]], (int)k);
        infolds += fd->last - fd->first + 1;
    }
    ck_assert_uint_eq(infolds, ncrowd);
    ck_assert_uint_eq(f->ix.nrows, f->ix.n - ncrowd + f->ix.nfolds);
    view_apply(&f->ix, &f->st, ACT_START, 120, 40);
    size_t steps = 1;
    while (f->st.cur + 1 < f->ix.n) {
        size_t was = f->st.cur;
        view_apply(&f->ix, &f->st, ACT_NEXT, 120, 40);
        ck_assert_uint_gt(f->st.cur, was);
        ck_assert_uint_eq(f->st.cur, f->ix.row_last[f->ix.row[f->st.cur]]);
        steps++;
    }
    ck_assert_uint_eq(steps, f->ix.nrows);
}

/* Is packet record i an ARP request for one of the forged sources
 * 10.0.0.100 to 10.0.0.199? */
static int ix_is_arp_forged(const struct trace *tr, size_t i)
{
    char buf[256];
    unsigned a, b, c, d;
    view_packet_label(tr, &tr->recs[i], buf, sizeof buf);
    const char *p = strstr(buf, "who-has ");
    return p && sscanf(p + 8, "%u.%u.%u.%u", &a, &b, &c, &d) == 4 && a == 10 &&
           b == 0 && c == 0 && d >= 100 && d <= 199;
}

START_TEST(test_fold_the_forged_crowd)
{
    struct fixture f;
    fx_open(&f, FLOOD, 120, 40, 1);
    const struct trace *tr = &f.s.tr;
    int alice = -1, attacker = -1;
    for (int h = 0; h < tr->nhosts; h++) {
        if (!strcmp(tr->host_names[h], "alice")) alice = h;
        if (!strcmp(tr->host_names[h], "attacker")) attacker = h;
    }
    ck_assert_ptr_nonnull(f.ix.crowd);
    ck_assert_uint_eq(f.ix.crowd_addrs, 10);
    /* which records: forged packets and their connections, never alice's
     * nor the listening socket's */
    size_t ncrowd = 0, nforged = 0;
    for (size_t i = 0; i < f.ix.n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (r->kind == TK_SEND && forged_frame(tr, i)) {
            nforged++;
            ck_assert_msg(f.ix.crowd[i], "forged send %zu not in the crowd", i);
        }
        if (r->host == alice || (r->conn && !strcmp(trace_str(tr, r->conn), "server:80")))
            ck_assert_msg(!f.ix.crowd[i], "record %zu (%s) folded", i,
                          trace_str(tr, r->conn));
        if (r->host == attacker)
            ck_assert(f.ix.crowd[i]);
        if (r->kind == TK_APP)
            ck_assert_msg(!f.ix.crowd[i], "app call %zu folded", i);
        ncrowd += f.ix.crowd[i];
    }
    ck_assert_uint_ge(nforged, 10);
    ck_assert_uint_gt(ncrowd, 0);
    check_folds(&f);

    /* the diagram: folded rows say what they hold; alice's connect shows;
     * no forged SYN is drawn as an arrow */
    size_t conn_at = 0;
    for (size_t i = 0; i < f.ix.n; i++)
        if (tr->recs[i].kind == TK_APP && tr->recs[i].host == alice) {
            conn_at = i;
            break;
        }
    char *t = diagram_at(&f, conn_at);
    ck_assert_msg(contains(t, "events of the crowd"), "%s", t);
    ck_assert_msg(contains(t, "connect(server:80)"), "%s", t);
    ck_assert_msg(!contains(t, "SYN seq=1000 "), "%s", t);
    free(t);
    /* a folded row's counts in the inspector */
    const struct view_fold *fd = &f.ix.folds[0];
    f.st.cur = fd->last;
    struct view_lines l = { 0 };
    view_inspector_lines(&f.ix, &f.st, 100, &l);
    t = lines_text(&l);
    char want[96];
    snprintf(want, sizeof want, "Folded row: %u events of the crowd", fd->last - fd->first + 1);
    ck_assert_msg(contains(t, want), "%s", t);
    ck_assert(contains(t, "the 10 addresses that belong to no host"));
    free(t);
    view_lines_free(&l);

    /* z unfolds: one row per event, the forged SYNs drawn again */
    view_apply(&f.ix, &f.st, ACT_FOLD, 120, 40);
    ck_assert(!view_folded(&f.ix, &f.st));
    ck_assert_uint_eq(view_nrows(&f.ix, &f.st), f.ix.n);
    ck_assert(contains(f.st.msg, "unfolded"));
    t = diagram_at(&f, fd->last);
    ck_assert(!contains(t, "events of the crowd"));
    free(t);
    view_apply(&f.ix, &f.st, ACT_FOLD, 120, 40);
    ck_assert(view_folded(&f.ix, &f.st));
    fx_close(&f);
}
END_TEST

/* On a LAN the server asks who has each forged source and never hears;
 * its half-open connections' SYN,ACKs never leave.  Those ARP requests,
 * the cache entries for forged addresses and the connections are the
 * crowd's; ARP between the real hosts is not. */
START_TEST(test_fold_a_flood_on_a_lan)
{
    struct fixture f;
    fx_open(&f, "lan net 10.0.0.0/24 delay 1ms\n"
                "host attacker 10.0.0.66 on net\nhost server 10.0.0.80 on net\n"
                "host alice 10.0.0.10 on net\nat 0ms server listen 80 backlog 4\n"
                "repeat 12 as i: at {i * 300}ms inject attacker->server tcp SYN seq {i}"
                " sport {1024 + i} dport 80 spoof {10.0.0.100 + i}\n"
                "at 2s alice connect server 80\n", 120, 40, 1);
    const struct trace *tr = &f.s.tr;
    ck_assert_ptr_nonnull(f.ix.crowd);
    ck_assert_uint_eq(f.ix.crowd_addrs, 12);
    size_t arp_forged = 0, arp_real = 0, conns = 0;
    for (size_t i = 0; i < f.ix.n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        const char *c = r->conn ? trace_str(tr, r->conn) : "";
        if (!strncmp(c, "arp:10.0.0.1", 12) && strlen(c) == 14) {   /* arp:10.0.0.1NN */
            ck_assert_msg(f.ix.crowd[i], "%zu: %s", i, c);
            arp_forged++;
        } else if (!strcmp(c, "arp:10.0.0.80") || !strcmp(c, "arp:10.0.0.10") ||
                   !strcmp(c, "arp:10.0.0.66")) {
            ck_assert_msg(!f.ix.crowd[i], "%zu: %s", i, c);
            arp_real++;
        } else if (!strncmp(c, "server:80-10.0.0.1", 18)) {
            ck_assert_msg(f.ix.crowd[i], "%zu: %s", i, c);
            conns++;
        }
        if (r->kind == TK_SEND && ix_is_arp_forged(tr, i))
            ck_assert_msg(f.ix.crowd[i], "ARP request %zu not folded", i);
        /* alice's own records are hers; she only hears the server's
         * broadcasts for forged sources, and those arrivals are the crowd's */
        if (r->host >= 0 && !strcmp(tr->host_names[r->host], "alice"))
            ck_assert_int_eq(f.ix.crowd[i],
                             r->kind == TK_RECV && ix_is_arp_forged(tr, i));
    }
    ck_assert_uint_gt(arp_forged, 0);
    ck_assert_uint_gt(arp_real, 0);
    ck_assert_uint_gt(conns, 0);
    check_folds(&f);
    fx_close(&f);
}
END_TEST

/* Inside a folded row (a search landed there), the row says how far in. */
START_TEST(test_fold_inside_a_row_counts_only_what_happened)
{
    struct fixture f;
    fx_open(&f, FLOOD, 120, 40, 1);
    const struct view_fold *fd = NULL;
    for (size_t k = 0; k < f.ix.nfolds && !fd; k++)
        if (f.ix.folds[k].last - f.ix.folds[k].first >= 3)
            fd = &f.ix.folds[k];
    ck_assert_ptr_nonnull(fd);
    char *t = diagram_at(&f, fd->first + 1);
    char want[96];
    snprintf(want, sizeof want, "2 of %u events of the crowd", fd->last - fd->first + 1);
    ck_assert_msg(contains(t, want), "%s", t);
    free(t);
    /* and a step back goes to the row before, not into this one */
    f.st.cur = fd->first + 1;
    view_apply(&f.ix, &f.st, ACT_PREV, 120, 40);
    ck_assert_uint_lt(f.st.cur, fd->first);
    fx_close(&f);
}
END_TEST

/* Floods of every shape -- forged SYNs, ACKs and RSTs, with and without
 * cookies, a lossy link, clients before, among and after the attack --
 * fold into rows that partition the crowd, and every row draws, folded
 * and unfolded, at every size, inside a folded row too. */
START_TEST(test_fold_holds_for_random_floods)
{
    uint32_t x = 12345;
    int crowds = 0;
    /* one draw per statement: the order of draws in one argument list
     * would be the compiler's */
#define R(n) (x = x * 1103515245u + 12345u, (x >> 16) % (uint32_t)(n))
    for (int k = 0; k < 120; k++) {
        char text[2048];
        unsigned v[12];
        for (int j = 0; j < 12; j++)
            v[j] = R(1u << 15);
        int nf = (int)(v[0] % 20), o = 0;
        o += snprintf(text + o, sizeof text - o,
                      "host attacker 203.0.113.66\nhost server 192.0.2.80\n"
                      "host alice 192.0.2.10\nhost bob 192.0.2.20\n"
                      "link attacker server delay %ums loss %u%%\n"
                      "link alice server delay 10ms\nlink bob server delay 7ms\n"
                      "tcp syncookies server %s\n"
                      "at 0ms server listen 80 backlog %u\nat 0ms server accept 80\n",
                      1 + v[1] % 9, v[2] % 3 * 10, v[3] % 2 ? "on" : "off", 1 + v[4] % 8);
        if (nf)
            o += snprintf(text + o, sizeof text - o,
                          "repeat %d as i: at {i * %u}ms inject attacker->server tcp %s"
                          " seq {i * 1000} sport {1024 + i} dport 80 spoof {198.51.100.1 + i %% %u}\n",
                          nf, 1 + v[5] % 700,
                          v[6] % 4 == 0 ? "ACK" : v[6] % 5 == 0 ? "RST" : "SYN",
                          1 + v[7] % 12);
        o += snprintf(text + o, sizeof text - o,
                      "at %ums alice connect server 80\nat %ums bob connect server 80\n"
                      "at %ums bob send \"hi\"\n",
                      v[8] % 9000, v[9] % 9000, 9000 + v[10] % 1000);
        struct fixture f;
        fx_open(&f, text, 120, 40, 1);
        if (f.ix.crowd) {
            crowds++;
            ck_assert_uint_ge(f.ix.crowd_addrs, VIEW_CROWD_ADDRS);
            check_folds(&f);
        } else {
            ck_assert_uint_eq(view_nrows(&f.ix, &f.st), f.ix.n);
        }
        static const int size[][2] = { { 80, 24 }, { 120, 40 }, { 200, 60 } };
        for (int z = 0; z < 2; z++) {
            f.st.fold = !z;
            for (size_t i = 0; i < f.ix.n; i += 1 + f.ix.n / 40) {
                view_screen_free(&f.scr);
                view_screen_init(&f.scr, size[i % 3][0], size[i % 3][1]);
                free(screen_at(&f, i));
            }
        }
        fx_close(&f);
    }
#undef R
    /* both kinds of run were drawn */
    ck_assert_msg(crowds >= 20 && crowds <= 100, "%d of 120 with a crowd", crowds);
}
END_TEST

/* Fewer than VIEW_CROWD_ADDRS addresses of no host are a lesson's own:
 * nothing folds, and z says why. */
START_TEST(test_fold_needs_a_crowd)
{
    struct fixture f;
    fx_open(&f, "host attacker 203.0.113.66\nhost server 192.0.2.80\n"
                "link attacker server delay 5ms\nat 0ms server listen 80\n"
                "repeat 7 as i: at {i * 500}ms inject attacker->server tcp SYN"
                " seq 1 sport {1024 + i} dport 80 spoof {198.51.100.1 + i}\n",
            120, 40, 1);
    ck_assert_ptr_null(f.ix.crowd);
    ck_assert_uint_eq(f.ix.crowd_addrs, 0);
    ck_assert_uint_eq(view_nrows(&f.ix, &f.st), f.ix.n);
    view_apply(&f.ix, &f.st, ACT_FOLD, 120, 40);
    ck_assert_msg(contains(f.st.msg, "no crowd to fold"), "%s", f.st.msg);
    fx_close(&f);
    /* and the handshake has none */
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    ck_assert_ptr_null(f.ix.crowd);
    fx_close(&f);
}
END_TEST

/* ---- layout --------------------------------------------------------------- */

START_TEST(test_columns_two_hosts_in_80)
{
    int c[2];
    view_columns(2, 10, 70, c);
    ck_assert_int_gt(c[0], 10);
    ck_assert_int_lt(c[1], 80);
    ck_assert_int_gt(c[1] - c[0], 30);
    /* the same margin on both sides */
    ck_assert_int_le(abs((c[0] - 10) - (79 - c[1])), 1);
}
END_TEST

START_TEST(test_columns_one_host_is_centred)
{
    int c[1];
    view_columns(1, 0, 80, c);
    ck_assert_int_eq(c[0], 40);
}
END_TEST

START_TEST(test_columns_many_hosts_evenly_spaced)
{
    int c[6];
    view_columns(6, 9, 111, c);
    for (int i = 1; i < 6; i++) {
        ck_assert_int_gt(c[i], c[i - 1]);
        ck_assert_int_le(abs((c[i] - c[i - 1]) - (c[1] - c[0])), 1);
    }
    ck_assert_int_ge(c[0], 9);
    ck_assert_int_lt(c[5], 120);
}
END_TEST

START_TEST(test_layout_minimum_and_too_small)
{
    struct view_layout L;
    view_layout(79, 24, 0, PANE_DIAGRAM, &L);
    ck_assert(L.too_small);
    view_layout(80, 23, 0, PANE_DIAGRAM, &L);
    ck_assert(L.too_small);
    view_layout(80, 24, 0, PANE_DIAGRAM, &L);
    ck_assert(!L.too_small);
    ck_assert(!L.side_by_side);
    ck_assert_int_eq(L.title.y, 0);
    ck_assert_int_eq(L.hint.y, 23);
    ck_assert_int_ge(L.diagram.h, 10);
    ck_assert_int_eq(L.diagram.y + L.diagram.h, L.inspector.y);
    ck_assert_int_eq(L.inspector.y + L.inspector.h, 23);
    ck_assert_int_eq(L.state.w, 0);
    view_layout(80, 24, 0, PANE_STATE, &L);
    ck_assert_int_eq(L.inspector.w, 0);
    ck_assert_int_eq(L.state.w, 80);
}
END_TEST

START_TEST(test_layout_wide_side_by_side_and_projector)
{
    struct view_layout L;
    view_layout(120, 40, 0, PANE_DIAGRAM, &L);
    ck_assert(L.side_by_side);
    ck_assert_int_eq(L.inspector.y, L.state.y);
    ck_assert_int_lt(L.inspector.x + L.inspector.w, L.state.x + 1);
    ck_assert_int_eq(L.state.x + L.state.w, 120);
    view_layout(120, 40, 1, PANE_DIAGRAM, &L);
    ck_assert_int_eq(L.inspector.w, 0);
    ck_assert_int_eq(L.state.w, 0);
    ck_assert_int_gt(L.narration.h, 0);
    ck_assert_int_eq(L.diagram.y + L.diagram.h, L.narration.y);
}
END_TEST

/* ---- packet paths ----------------------------------------------------------- */

static char *path_rows(int utf8, int xa, int xe, int yb, int end, int dashed)
{
    struct view_screen s;
    view_screen_init(&s, 30, 4);
    view_draw_path(&s, (struct view_rect){ 0, 0, 30, 4 }, xa, 0, xe, yb, end,
                   dashed, R_PKT_TCP, utf8);
    char *t = view_screen_text(&s);
    view_screen_free(&s);
    return t;
}

START_TEST(test_path_rightwards_staircase)
{
    char *t = path_rows(1, 2, 20, 2, G_HEAD_R, 0);
    ck_assert_str_eq(t,
        "  ├─────╮\n"
        "        ╰─────╮\n"
        "              ╰─────▶\n"
        "\n");
    free(t);
}
END_TEST

START_TEST(test_path_leftwards_staircase)
{
    char *t = path_rows(1, 20, 2, 2, G_HEAD_L, 0);
    ck_assert_str_eq(t,
        "              ╭─────┤\n"
        "        ╭─────╯\n"
        "  ◀─────╯\n"
        "\n");
    free(t);
}
END_TEST

/* A path steeper than it is wide: one column at a time, turning down to
 * the next column where a row's share of the width says, with a run of
 * plain vertical lines between turns (view_draw_paths skips along those
 * runs). */
START_TEST(test_path_steep_runs)
{
    struct view_screen s;
    view_screen_init(&s, 12, 9);
    view_draw_path(&s, (struct view_rect){ 0, 0, 12, 9 }, 2, 0, 5, 7, G_HEAD_R, 0,
                   R_PKT_TCP, 1);
    char *t = view_screen_text(&s);
    ck_assert_str_eq(t,
        "  ├╮\n"
        "   │\n"
        "   │\n"
        "   ╰╮\n"
        "    │\n"
        "    │\n"
        "    │\n"
        "    ╰▶\n"
        "\n");
    free(t);
    /* clipped to rows 2-5: the same cells there, nothing else */
    view_screen_free(&s);
    view_screen_init(&s, 12, 9);
    struct view_path p = { 2, 0, 5, 7, G_HEAD_R, 0, R_PKT_TCP };
    view_draw_paths(&s, (struct view_rect){ 0, 2, 12, 4 }, &p, 1, 1);
    t = view_screen_text(&s);
    ck_assert_str_eq(t, "\n\n   │\n   ╰╮\n    │\n    │\n\n\n\n");
    free(t);
    view_screen_free(&s);
}
END_TEST

/* Many paths at once, as a crowd's diagram has them: view_draw_paths
 * leaves every cell (glyph and role) as drawing them one after another
 * with view_draw_path does, over lifelines, inside clips that cut paths
 * at both ends, for paths steep and shallow, both ways, dashed or not,
 * ending in heads, tips and crosses. */
START_TEST(test_paths_at_once_paint_as_in_order)
{
    enum { W = 60, H = 90, N = 400 };
    static const int ends[] = { G_HEAD_R, G_HEAD_L, G_FLY_R, G_FLY_L, G_CROSS };
    static const int roles[] = { R_PKT_TCP, R_PKT_UDP, R_PKT_ARP };
    static struct view_path p[N];
    uint64_t seed = 12345;
    for (int round = 0; round < 60; round++) {
        int n = round < 30 ? 1 + round % 5 : 1 + round * 37 % N;   /* few, then many */
        for (int i = 0; i < n; i++) {
            int r[8];
            for (int k = 0; k < 8; k++) {
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                r[k] = (int)(seed >> 33);
            }
            int xa = 2 + r[0] % (W - 4), ya = r[1] % H - 10;
            int xe = r[2] % 3 ? 1 + r[3] % (W - 2) : xa + (r[3] % 3) - 1;
            int rows = r[4] % 4 == 0 ? r[5] % 3 : r[5] % (2 * H);
            p[i] = (struct view_path){ xa, ya, xe, ya + rows, ends[r[6] % 5], r[7] % 2,
                                       roles[r[7] % 3] };
        }
        struct view_rect clip = round % 3 ? (struct view_rect){ 0, 0, W, H }
                                          : (struct view_rect){ 5 + round % 7, 9, W - 20, H - 30 };
        struct view_screen a, b;
        view_screen_init(&a, W, H);
        view_screen_init(&b, W, H);
        for (int y = 0; y < H; y++)       /* lifelines under the paths */
            for (int x = 3; x < W; x += 17)
                *view_at(&a, x, y) = *view_at(&b, x, y) =
                    (struct view_cell){ view_glyph(G_VLINE, round % 2), R_LIFELINE, 0 };
        for (int i = 0; i < n; i++)
            view_draw_path(&a, clip, p[i].xa, p[i].ya, p[i].xe, p[i].yb, p[i].end,
                           p[i].dashed, p[i].role, round % 2);
        view_draw_paths(&b, clip, p, (size_t)n, round % 2);
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                const struct view_cell *ca = view_at(&a, x, y), *cb = view_at(&b, x, y);
                if (ca->ch != cb->ch || ca->role != cb->role)
                    ck_abort_msg("round %d, %d paths: cell (%d, %d) is U+%04X role %d "
                                 "drawn in order, U+%04X role %d at once", round, n, x, y,
                                 (unsigned)ca->ch, ca->role, (unsigned)cb->ch, cb->role);
            }
        view_screen_free(&a);
        view_screen_free(&b);
    }
}
END_TEST

START_TEST(test_path_ascii_and_in_flight)
{
    char *t = path_rows(0, 2, 12, 1, G_FLY_R, 1);
    ck_assert_str_eq(t,
        "  +.....\n"
        "       '....>\n"
        "\n\n");
    free(t);
    t = path_rows(0, 2, 9, 0, G_CROSS, 0);
    ck_assert_str_eq(t, "  +------X\n\n\n\n");
    free(t);
}
END_TEST

START_TEST(test_path_steeper_than_wide_goes_down)
{
    char *t = path_rows(1, 2, 4, 3, G_HEAD_R, 0);
    ck_assert_str_eq(t,
        "  ├╮\n"
        "   │\n"
        "   │\n"
        "   ╰▶\n");
    free(t);
}
END_TEST

/* ---- the index ---------------------------------------------------------------- */

START_TEST(test_index_links_sends_and_timers)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    ck_assert_uint_eq(f.ix.n, 20);
    ck_assert_int_eq(f.ix.end[4], 7);       /* SYN sent, SYN received */
    ck_assert_int_eq(f.ix.peer[7], 4);
    ck_assert_int_eq(f.ix.end[9], 12);      /* SYN,ACK */
    ck_assert_int_eq(f.ix.end[15], 17);     /* ACK */
    ck_assert_int_eq(f.ix.end[5], 13);      /* client RTO start .. stop */
    ck_assert_int_eq(f.ix.end[10], 18);
    ck_assert_int_eq(f.ix.live[7], 4);      /* the SYN is in the air at 7 */
    ck_assert_int_eq(f.ix.live[0], 0);
    ck_assert(f.ix.flags[4] & VF_TCP);
    ck_assert_uint_eq(f.ix.tcp_nxt[4], 1001);
    ck_assert(!(f.ix.flags[4] & VF_ACK));
    ck_assert_uint_eq(f.ix.tcp_ack[15], 5001);
    fx_close(&f);
}
END_TEST

/* ---- the handshake, event by event -------------------------------------------- */

START_TEST(test_handshake_lifelines_and_headers)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    char *t = screen_at(&f, 19);
    ck_assert(contains(t, "client"));
    ck_assert(contains(t, "server"));
    ck_assert(contains(t, "192.0.2.10"));
    ck_assert(contains(t, "192.0.2.80"));
    ck_assert(contains(t, "│"));
    ck_assert(contains(t, "Three-way handshake"));
    ck_assert(contains(t, "event 20/20"));
    /* three arrows arrived: two rightwards heads, one leftwards */
    ck_assert(contains(t, "▶"));
    ck_assert(contains(t, "◀"));
    ck_assert(contains(t, "SYN seq=1000"));
    ck_assert(contains(t, "SYN,ACK seq=5000 ack=1001"));
    ck_assert(contains(t, "ACK seq=1001 ack=5001"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_handshake_states_appear_at_their_event)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    char *t = diagram_at(&f, 2);
    ck_assert(!contains(t, "SYN_SENT"));
    free(t);
    t = diagram_at(&f, 3);
    ck_assert(contains(t, "SYN_SENT"));
    free(t);
    t = diagram_at(&f, 13);
    ck_assert(!contains(t, "ESTABLISHED"));
    ck_assert(contains(t, "SYN_RECEIVED"));
    free(t);
    t = diagram_at(&f, 14);
    ck_assert(contains(t, "ESTABLISHED"));
    free(t);
    fx_close(&f);
}
END_TEST

/* The state pane's precomputed tables agree, at every event, with the
 * trace read from the start: a connection has no view before its first
 * record, and afterwards its state is the last TK_STATE's `to` and its
 * timers those whose last record at or before the event was a start; a
 * host's connections are listed in order of first appearance.  (A lesson
 * with retransmissions, TIME_WAIT and several connections per host.) */
START_TEST(test_state_tables_match_the_prefix)
{
    struct fixture f;
    static const char two_conns[] =
        "host client 192.0.2.10\nhost server 192.0.2.80\n"
        "link client server delay 10ms\n"
        "tcp msl 100ms\n"
        "fault drop client->server tcp SYN #1\n"
        "at 0ms server listen 80\n"
        "at 0ms client connect server 80\n"
        "at 2s client close\n"
        "at 2s server close\n"
        "at 3s client connect server 80\n"
        "at 3100ms client send \"hi\"\n";
    fx_open(&f, two_conns, 120, 40, 1);
    const struct trace *tr = &f.s.tr;
    ck_assert_uint_gt(f.ix.nconns, 0);
    for (size_t cur = 0; cur < f.ix.n; cur++) {
        for (size_t k = 0; k < f.ix.nconns; k++) {
            uint32_t conn = f.ix.cstate[f.ix.coff[k]].conn;
            int seen = 0, state = -1;
            int64_t due[TM_COUNT];
            for (int j = 0; j < TM_COUNT; j++)
                due[j] = -1;
            for (size_t i = 0; i <= cur; i++) {
                const struct trace_rec *r = &tr->recs[i];
                if (r->conn != conn)
                    continue;
                if (r->kind == TK_STATE) {
                    seen = 1;
                    state = r->u.state.to;
                } else if (r->kind == TK_TIMER) {
                    seen = 1;
                    due[r->u.timer.name] =
                        r->u.timer.action == TA_START ? r->u.timer.due_us : -1;
                } else if (r->kind == TK_SEND) {
                    seen = 1;
                }
            }
            const struct view_conn *c = view_conn_at(&f.ix, k, cur);
            ck_assert_msg(!seen == !c, "conn %zu at event %zu: view %s", k, cur,
                          c ? "too early" : "missing");
            if (!c)
                continue;
            ck_assert_int_eq(c->have_state, state >= 0);
            if (state >= 0)
                ck_assert_int_eq(c->state, state);
            for (int j = 0; j < TM_COUNT; j++)
                ck_assert_int_eq(c->due[j], due[j]);
        }
    }
    for (int h = 0; h < tr->nhosts; h++)
        for (size_t i = f.ix.hoff[h]; i + 1 < f.ix.hoff[h + 1]; i++) {
            uint32_t a = f.ix.hconn[i], b = f.ix.hconn[i + 1];
            ck_assert_int_eq(f.ix.cstate[f.ix.coff[a]].host, h);
            ck_assert_uint_lt(f.ix.crec[f.ix.coff[a]], f.ix.crec[f.ix.coff[b]]);
        }
    fx_close(&f);
}
END_TEST

START_TEST(test_packet_in_flight_then_arrived)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    char *t = diagram_at(&f, 4);            /* the SYN has just left */
    ck_assert(contains(t, "├"));
    ck_assert(contains(t, "▷"));
    ck_assert(!contains(t, "▶"));
    ck_assert(contains(t, "SYN seq=1000"));
    free(t);
    t = diagram_at(&f, 8);                  /* ...and arrived */
    ck_assert(contains(t, "▶"));
    ck_assert(!contains(t, "▷"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_only_the_prefix_is_shown)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    char *t = diagram_at(&f, 0);
    ck_assert(contains(t, "listen(80)"));
    ck_assert(!contains(t, "LISTEN"));
    ck_assert(!contains(t, "connect"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_timer_bar_and_remaining_time)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    char *t = diagram_at(&f, 5);
    ck_assert(contains(t, "┃"));
    ck_assert(contains(t, "RTO 1s, 1s left"));
    free(t);
    t = diagram_at(&f, 7);                  /* 20 ms later */
    ck_assert(contains(t, "RTO 1s, 980ms left"));
    free(t);
    t = diagram_at(&f, 12);                 /* both running */
    ck_assert(contains(t, "RTO 1s, 960ms left"));   /* client's, due 1.010s */
    ck_assert(contains(t, "RTO 1s, 980ms left"));   /* server's, due 1.030s */
    free(t);
    t = diagram_at(&f, 13);                 /* the client's stopped */
    ck_assert(contains(t, "RTO stopped"));
    ck_assert(!contains(t, "960ms left"));
    ck_assert(contains(t, "980ms left"));
    free(t);
    /* after both RTOs stopped, no bar reaches the current row */
    f.st.cur = 19;
    struct view_layout L;
    view_layout(120, 40, 0, 0, &L);
    view_screen_clear(&f.scr);
    view_render_diagram(&f.ix, &f.st, &f.scr, L.diagram);
    char line[1024];
    int last = -1;
    for (int y = L.diagram.y; y < L.diagram.y + L.diagram.h; y++)
        if (strstr(view_screen_line(&f.scr, y, line, sizeof line), "ESTABLISHED"))
            last = y;
    ck_assert_int_ge(last, 0);
    ck_assert(!strstr(view_screen_line(&f.scr, last, line, sizeof line), "┃"));
    fx_close(&f);
}
END_TEST

START_TEST(test_notes_are_full_width_rows)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    f.st.cur = 6;
    struct view_layout L;
    view_layout(120, 40, 0, 0, &L);
    view_screen_clear(&f.scr);
    view_render_diagram(&f.ix, &f.st, &f.scr, L.diagram);
    char line[1024];
    int found = 0;
    for (int y = 0; y < 40; y++) {
        view_screen_line(&f.scr, y, line, sizeof line);
        if (strstr(line, "I want to talk")) {
            found = 1;
            ck_assert_int_gt(view_text_width(line), 110);
        }
    }
    ck_assert(found);
    fx_close(&f);
}
END_TEST

START_TEST(test_dropped_packet_ends_in_a_cross)
{
    struct fixture f;
    fx_open(&f, SYNLOSS, 120, 40, 1);
    long drop = -1;
    for (size_t i = 0; i < f.ix.n; i++)
        if (f.s.tr.recs[i].kind == TK_DROP) {
            drop = (long)i;
            break;
        }
    ck_assert_int_ge(drop, 0);
    ck_assert_int_ge(f.ix.peer[drop], 0);
    char *t = diagram_at(&f, (size_t)drop);
    ck_assert(contains(t, "✕"));
    ck_assert(contains(t, "dropped (fault)"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_broadcast_reaches_every_lifeline)
{
    struct trace tr;
    trace_init(&tr);
    trace_add_host(&tr, "a", 0xC0000201);
    trace_add_host(&tr, "b", 0xC0000202);
    trace_add_host(&tr, "c", 0xC0000203);
    uint8_t frame[60] = { 0 };
    memset(frame, 0xff, 6);                 /* broadcast destination */
    frame[6] = 2;
    frame[12] = 0x08, frame[13] = 0x06;      /* ARP */
    uint32_t pkt = trace_blob(&tr, frame, sizeof frame);
    struct trace_pkt tp = { TK_SEND, 0, TL_ARP, 0, HOST_BROADCAST, pkt, 0, 0, 0, 0, 0 };
    trace_packet(&tr, 0, &tp, WHY0(0));
    tp.kind = TK_RECV;
    tp.of = 1;                               /* record 0 */
    tp.host = 1;
    trace_packet(&tr, 10, &tp, WHY0(0));
    tp.host = 2;
    trace_packet(&tr, 10, &tp, WHY0(0));
    struct view_index ix;
    view_index_build(&ix, &tr);
    ck_assert(ix.flags[0] & VF_BCAST);
    ck_assert_int_eq(ix.peer[1], 0);
    ck_assert_int_eq(ix.peer[2], 0);
    ck_assert_int_eq(ix.end[0], 2);
    struct view_state st;
    view_state_init(&st, 1);
    struct view_screen s;
    view_screen_init(&s, 100, 20);
    /* in flight: open heads towards both other lifelines */
    st.cur = 0;
    view_render_diagram(&ix, &st, &s, (struct view_rect){ 0, 0, 100, 20 });
    char *t = view_screen_text(&s);
    int fly = 0;
    for (char *p = t; (p = strstr(p, "▷")); p++)
        fly++;
    ck_assert_int_eq(fly, 2);
    free(t);
    /* arrived at both */
    st.cur = 2;
    view_render_diagram(&ix, &st, &s, (struct view_rect){ 0, 0, 100, 20 });
    t = view_screen_text(&s);
    int heads = 0;
    for (char *p = t; (p = strstr(p, "▶")); p++)
        heads++;
    ck_assert_int_eq(heads, 2);
    free(t);
    view_screen_free(&s);
    view_index_free(&ix);
    trace_free(&tr);
}
END_TEST

/* A LAN: the client's ARP request is a broadcast that both others receive;
 * then DNS over UDP. */
static const char TINY_DNS[] =
    "title \"tiny dns\"\n"
    "lan home 192.0.2.0/24\n"
    "host client 192.0.2.10 on home dns 192.0.2.53\n"
    "host resolver 192.0.2.53 on home\n"
    "host root 192.0.2.2 on home\n"
    "resolver resolver hints 192.0.2.2\n"
    "zone root .\n"
    "record root www.example.com. 300 IN A 192.0.2.80\n"
    "at 10ms client resolve www.example.com\n";

START_TEST(test_lan_broadcast_arp_and_dns)
{
    struct fixture f;
    fx_open(&f, TINY_DNS, 120, 40, 1);
    long req = view_search(&f.ix, "who-has 192.0.2.53", f.ix.n - 1, 1);
    ck_assert_int_ge(req, 0);
    ck_assert_int_eq(f.s.tr.recs[req].kind, TK_SEND);
    ck_assert(f.ix.flags[req] & VF_BCAST);
    ck_assert_int_eq(f.ix.proto[req], TL_ARP);
    int ends = 0;
    for (int32_t e = f.ix.first_end[req]; e >= 0; e = f.ix.next_end[e])
        ends++;
    ck_assert_int_eq(ends, 2);                       /* resolver and root */
    char *t = diagram_at(&f, (size_t)req);
    ck_assert(contains(t, "ARP who-has 192.0.2.53"));
    int fly = 0;
    for (char *p = t; (p = strstr(p, "▷")); p++)
        fly++;
    ck_assert_int_eq(fly, 2);
    free(t);
    struct view_lines l = { 0 };
    f.st.cur = (size_t)req;
    view_inspector_lines(&f.ix, &f.st, 72, &l);
    t = lines_text(&l);
    ck_assert(contains(t, "ARP request"));
    ck_assert(contains(t, "type 0x0806 (ARP)"));
    /* RFC 826: the 28-byte message in a 60-byte frame, the rest Ethernet's
     * padding ("Payload 46 bytes" said the ARP message carried 46); the
     * hex is the message's, ending with the target address 192.0.2.53 */
    ck_assert_msg(contains(t, "ARP message 28 bytes, then 18 bytes of Ethernet padding"),
                  "%s", t);
    ck_assert_msg(!contains(t, "Payload"), "%s", t);
    ck_assert_msg(contains(t, "0010  02 0a 00 00 00 00 00 00 c0 00 02 35 "), "%s", t);
    ck_assert_msg(!contains(t, "0020 "), "%s", t);
    free(t);
    view_lines_free(&l);
    /* the answer: a DNS response decoded section by section */
    long ans = view_search(&f.ix, "192.0.2.80", 0, 1);
    ck_assert_int_ge(ans, 0);
    while (f.s.tr.recs[ans].kind != TK_SEND)
        ans = view_search(&f.ix, "192.0.2.80", (size_t)ans, 1);
    ck_assert_int_eq(f.ix.proto[ans], TL_DNS);
    f.st.cur = (size_t)ans;
    view_inspector_lines(&f.ix, &f.st, 72, &l);
    t = lines_text(&l);
    ck_assert(contains(t, "DNS id"));
    ck_assert(contains(t, "response"));
    ck_assert(contains(t, "answer www.example.com."));
    ck_assert(contains(t, "UDP 53"));
    free(t);
    view_lines_free(&l);
    /* } from a DNS packet goes to the next DNS event */
    long nx = view_find_proto(&f.ix, (size_t)ans, 1);
    if (nx >= 0)
        ck_assert_int_eq(f.ix.proto[nx], TL_DNS);
    fx_close(&f);
}
END_TEST

START_TEST(test_empty_trace)
{
    struct trace tr;
    trace_init(&tr);
    trace_add_host(&tr, "lonely", 0xC0000201);
    struct view_index ix;
    view_index_build(&ix, &tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct view_screen s;
    view_screen_init(&s, 80, 24);
    /* Space has nothing to play: it says so, and does not start (it
     * played, and the timeline's next tick said "end of the run (event
     * 0)", an event there is not) */
    view_apply(&ix, &st, ACT_PLAY, 80, 24);
    ck_assert(!st.playing);
    ck_assert_str_eq(st.msg, "no events");
    view_end_message(&ix, &st);
    ck_assert_str_eq(st.msg, "no events");
    for (int a = 1; a < ACT_COUNT; a++)
        view_apply(&ix, &st, a, 80, 24);
    st.overlay = OV_NONE;
    st.projector = 0;
    view_render(&ix, &st, &s);
    char *t = view_screen_text(&s);
    ck_assert(contains(t, "no events"));
    ck_assert(contains(t, "lonely"));
    free(t);
    view_screen_free(&s);
    view_index_free(&ix);
    trace_free(&tr);
}
END_TEST

/* ---- stepping ---------------------------------------------------------------- */

START_TEST(test_stepping_back_equals_first_reach)
{
    struct fixture f;
    fx_open(&f, SYNLOSS, 120, 40, 1);
    size_t n = f.ix.n;
    char **first = calloc(n, sizeof *first);
    f.st.cur = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(f.st.cur, i);
        view_render(&f.ix, &f.st, &f.scr);
        first[i] = view_screen_text(&f.scr);
        view_apply(&f.ix, &f.st, ACT_NEXT, 120, 40);
    }
    ck_assert_uint_eq(f.st.cur, n - 1);
    for (size_t i = n; i-- > 0;) {
        f.st.msg[0] = '\0';
        view_render(&f.ix, &f.st, &f.scr);
        char *again = view_screen_text(&f.scr);
        ck_assert_msg(!strcmp(again, first[i]), "event %zu differs on the way back", i);
        free(again);
        view_apply(&f.ix, &f.st, ACT_PREV, 120, 40);
    }
    /* and jumping there directly */
    view_apply(&f.ix, &f.st, ACT_END, 120, 40);
    view_apply(&f.ix, &f.st, ACT_PAGE_UP, 120, 40);
    f.st.msg[0] = '\0';
    view_render(&f.ix, &f.st, &f.scr);
    char *jump = view_screen_text(&f.scr);
    ck_assert_str_eq(jump, first[n - 11]);
    free(jump);
    for (size_t i = 0; i < n; i++)
        free(first[i]);
    free(first);
    fx_close(&f);
}
END_TEST

START_TEST(test_step_limits_and_messages)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    view_apply(&f.ix, &f.st, ACT_PREV, 120, 40);
    ck_assert_uint_eq(f.st.cur, 0);
    ck_assert(contains(f.st.msg, "first"));
    view_apply(&f.ix, &f.st, ACT_END, 120, 40);
    ck_assert_uint_eq(f.st.cur, 19);
    view_apply(&f.ix, &f.st, ACT_NEXT, 120, 40);
    ck_assert_uint_eq(f.st.cur, 19);
    ck_assert(contains(f.st.msg, "end"));
    view_apply(&f.ix, &f.st, ACT_START, 120, 40);
    ck_assert_uint_eq(f.st.cur, 0);
    /* play from the end starts again */
    f.st.cur = 19;
    view_apply(&f.ix, &f.st, ACT_PLAY, 120, 40);
    ck_assert(f.st.playing);
    ck_assert_uint_eq(f.st.cur, 0);
    int sp = f.st.speed;
    view_apply(&f.ix, &f.st, ACT_FASTER, 120, 40);
    ck_assert_int_eq(f.st.speed, sp + 1);
    ck_assert_int_lt(view_speed_ms(f.st.speed), view_speed_ms(sp));
    /* at either end of the speeds, + or - changes nothing: it says so
     * ("speed: 20 ms per event" again and again said nothing) */
    for (int i = 0; i < 12; i++)
        view_apply(&f.ix, &f.st, ACT_FASTER, 120, 40);
    ck_assert_str_eq(f.st.msg, "speed: 20 ms per event, the fastest");
    for (int i = 0; i < 12; i++)
        view_apply(&f.ix, &f.st, ACT_SLOWER, 120, 40);
    ck_assert_str_eq(f.st.msg, "speed: 2000 ms per event, the slowest");
    view_apply(&f.ix, &f.st, ACT_FASTER, 120, 40);
    ck_assert_str_eq(f.st.msg, "speed: 1000 ms per event");
    fx_close(&f);
}
END_TEST

/* A run cut by a limit is not "the end of the run": the title bar says
 * it was cut, and the step past its last event says by which limit, as
 * the text timeline's `limit` line does. */
START_TEST(test_cut_run_says_so)
{
    struct fixture f;
    f.scn = tu_parse(HANDSHAKE);
    sim_init(&f.s, f.scn, 1);
    f.s.max_events = 7;
    sim_run(&f.s);
    ck_assert(f.s.truncated);
    view_index_build(&f.ix, &f.s.tr);
    view_index_stopped(&f.ix, &f.s);          /* as the timeline does */
    view_state_init(&f.st, 1);
    f.st.title = f.scn->title;
    view_screen_init(&f.scr, 120, 40);
    view_apply(&f.ix, &f.st, ACT_END, 120, 40);
    view_apply(&f.ix, &f.st, ACT_NEXT, 120, 40);
    ck_assert_msg(contains(f.st.msg, "by its event limit of 7 (--max-events): the diagram "
                           "ends there"), "%s", f.st.msg);
    ck_assert_msg(!contains(f.st.msg, "end of the run"), "%s", f.st.msg);
    char *t = screen_at(&f, f.st.cur);
    ck_assert_msg(contains(t, "stopped by --max-events"), "%s", t);
    free(t);
    /* at 80 columns, playing in projector mode: the marks that do not fit
     * go, least needed first; the event counter stays (it vanished with
     * all the marks) */
    view_screen_free(&f.scr);
    view_screen_init(&f.scr, 80, 24);
    f.st.playing = 1;
    f.st.speed = 0;
    f.st.projector = 1;
    t = screen_at(&f, 0);
    char line[512];
    view_screen_line(&f.scr, 0, line, sizeof line);
    ck_assert_msg(contains(line, "event 1/17 \u00b7 0.000s"), "%s", line);
    ck_assert_msg(contains(line, "stopped by --max-events"), "%s", line);
    free(t);
    f.ix.stopped[0] = '\0';                  /* a whole run: no such words */
    f.ix.stop_option = NULL;
    t = screen_at(&f, f.st.cur);
    ck_assert(!contains(t, "stopped by"));
    free(t);
    fx_close(&f);
}
END_TEST

/* The search line is 63 bytes: a Chinese character typed at its end is
 * taken whole or not at all (its first byte was taken and the others
 * dropped, a broken character searched for and shown as U+FFFD). */
START_TEST(test_search_line_keeps_whole_characters)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    f.st.overlay = OV_SEARCH;
    const char *typed = "二十个汉字二十个汉字二十个汉字二十个汉字ab中";
    for (const char *p = typed; *p; p++)
        view_search_key(&f.ix, &f.st, (unsigned char)*p);
    ck_assert_int_eq((int)strlen(f.st.query), 62);
    ck_assert(!strcmp(f.st.query + 57, "字ab"));
    view_search_key(&f.ix, &f.st, 0xB8);        /* a stray continuation byte */
    ck_assert_int_eq((int)strlen(f.st.query), 62);
    view_search_key(&f.ix, &f.st, 'c');
    ck_assert(!strcmp(f.st.query + 57, "字abc"));
    fx_close(&f);
}
END_TEST

START_TEST(test_jump_by_host_and_protocol)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    view_apply(&f.ix, &f.st, ACT_HOST_NEXT, 120, 40);      /* server */
    ck_assert_int_eq(f.st.host, 1);
    f.st.cur = 2;
    view_apply(&f.ix, &f.st, ACT_HOST_JUMP, 120, 40);
    ck_assert_uint_eq(f.st.cur, 7);                        /* server recv SYN */
    view_apply(&f.ix, &f.st, ACT_HOST_BACK, 120, 40);
    ck_assert_uint_eq(f.st.cur, 1);
    view_apply(&f.ix, &f.st, ACT_HOST_PREV, 120, 40);      /* client */
    ck_assert_int_eq(f.st.host, 0);
    /* from a note, } goes to the next packet */
    ck_assert_int_eq(view_find_proto(&f.ix, 6, 1), 7);
    ck_assert_int_eq(view_find_proto(&f.ix, 11, -1), 9);   /* ...or previous */
    ck_assert_int_eq(view_find_proto(&f.ix, 12, -1), 10);  /* tcp: the timer */
    ck_assert_int_eq(view_find_host(&f.ix, 19, 0, 1), -1);
    fx_close(&f);
}
END_TEST

START_TEST(test_search_summaries)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    /* the SYN,ACK's send, the note after it, its arrival */
    ck_assert_int_eq(view_search(&f.ix, "syn,ack", 0, 1), 9);
    ck_assert_int_eq(view_search(&f.ix, "SYN,ACK", 9, 1), 11);  /* the note */
    ck_assert_int_eq(view_search(&f.ix, "SYN,ACK", 11, 1), 12);
    ck_assert_int_eq(view_search(&f.ix, "SYN,ACK", 12, 1), 9);  /* wraps */
    ck_assert_int_eq(view_search(&f.ix, "SYN,ACK", 9, -1), 12);
    ck_assert_int_eq(view_search(&f.ix, "no such thing", 0, 1), -1);
    /* typed at the prompt */
    view_apply(&f.ix, &f.st, ACT_SEARCH, 120, 40);
    ck_assert_int_eq(f.st.overlay, OV_SEARCH);
    for (const char *p = "ESTABLISHEX"; *p; p++)
        view_search_key(&f.ix, &f.st, *p);
    view_search_key(&f.ix, &f.st, 127);
    view_search_key(&f.ix, &f.st, 'D');
    ck_assert_str_eq(f.st.query, "ESTABLISHED");
    view_search_key(&f.ix, &f.st, '\n');
    ck_assert_int_eq(f.st.overlay, OV_NONE);
    ck_assert_uint_eq(f.st.cur, 14);
    view_apply(&f.ix, &f.st, ACT_SEARCH_NEXT, 120, 40);
    ck_assert_uint_eq(f.st.cur, 19);
    view_apply(&f.ix, &f.st, ACT_SEARCH_PREV, 120, 40);
    ck_assert_uint_eq(f.st.cur, 14);
    view_apply(&f.ix, &f.st, ACT_SEARCH, 120, 40);
    view_search_key(&f.ix, &f.st, 'z');
    view_search_key(&f.ix, &f.st, 'z');
    view_search_key(&f.ix, &f.st, '\n');
    ck_assert(contains(f.st.msg, "not found"));
    ck_assert_uint_eq(f.st.cur, 14);
    fx_close(&f);
}
END_TEST

/* ---- panes --------------------------------------------------------------------- */

START_TEST(test_inspector_decodes_layers)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    struct view_lines l = { 0 };
    f.st.cur = 4;
    view_inspector_lines(&f.ix, &f.st, 70, &l);
    char *t = lines_text(&l);
    ck_assert(contains(t, "Ethernet"));
    ck_assert(contains(t, "IPv4 192.0.2.10"));
    /* the client's port, the one the run drew (its connection's name) */
    char port[16] = "";
    for (size_t i = 0; i < f.s.tr.n && !port[0]; i++)
        if (f.s.tr.recs[i].kind == TK_APP && f.s.tr.recs[i].u.app.call == AC_CONNECT)
            sscanf(trace_str(&f.s.tr, f.s.tr.recs[i].conn), "client:%15[0-9]-", port);
    ck_assert(atoi(port) >= 32768 && atoi(port) <= 60999);
    char want[32];
    snprintf(want, sizeof want, "TCP %s", port);
    ck_assert_msg(contains(t, want), "no \"%s\" in the inspector", want);
    ck_assert(contains(t, "seq 1000"));
    ck_assert(contains(t, "on its way"));
    ck_assert(contains(t, "ask to open a connection"));     /* the narration */
    for (int i = 0; i < l.n; i++)
        ck_assert_int_le(view_text_width(l.v[i].text), 70);
    free(t);
    view_lines_free(&l);
    f.st.cur = 7;
    view_inspector_lines(&f.ix, &f.st, 70, &l);
    t = lines_text(&l);
    ck_assert(contains(t, "took 20ms"));
    free(t);
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

START_TEST(test_inspector_payload_hex_and_text)
{
    static const char DATA[] =
        "host a 192.0.2.1\nhost b 192.0.2.2\nlink a b delay 1ms\n"
        "at 0ms b listen 80\nat 1ms a connect b 80\nat 10ms a send \"hello\"\n";
    struct fixture f;
    fx_open(&f, DATA, 120, 40, 1);
    long i = view_search(&f.ix, "len=5", f.ix.n - 1, 1);
    ck_assert_int_ge(i, 0);
    struct view_lines l = { 0 };
    f.st.cur = (size_t)i;
    view_inspector_lines(&f.ix, &f.st, 72, &l);
    char *t = lines_text(&l);
    ck_assert(contains(t, "Payload 5 bytes"));
    ck_assert(contains(t, "68 65 6c 6c 6f"));
    ck_assert(contains(t, "hello"));
    free(t);
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

START_TEST(test_state_pane_follows_the_prefix)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    struct view_lines l = { 0 };
    f.st.cur = 5;
    view_state_lines(&f.ix, &f.st, 50, &l);
    char *t = lines_text(&l);
    ck_assert(contains(t, "SYN_SENT"));
    ck_assert(contains(t, "SND.NXT=1001"));
    ck_assert(contains(t, "RTO 1s left"));
    ck_assert(contains(t, "LISTEN"));
    ck_assert(!contains(t, "ESTABLISHED"));
    free(t);
    view_lines_free(&l);
    f.st.cur = 19;
    view_state_lines(&f.ix, &f.st, 50, &l);
    t = lines_text(&l);
    ck_assert(contains(t, "SND.NXT=1001 RCV.NXT=5001"));
    ck_assert(contains(t, "SND.NXT=5001 RCV.NXT=1001"));
    ck_assert(!contains(t, "left"));
    free(t);
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

/* A crowd: with more hosts than the pane lists in full, it shows the
 * selected host and the hosts of the current event, and one host's many
 * connections fold into a count by state after the last eight. */
START_TEST(test_state_pane_in_a_crowd)
{
    char text[8192];
    int n = snprintf(text, sizeof text, "host server 10.0.0.1\n");
    for (int i = 0; i < 30; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "host c%d 10.0.1.%d\nlink c%d server delay 1ms\n", i, i + 1, i);
    n += snprintf(text + n, sizeof text - (size_t)n, "at 0ms server listen 80\n");
    for (int i = 0; i < 30; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "at %dms c%d connect server 80\n", 10 + i, i);
    struct fixture f;
    fx_open(&f, text, 120, 40, 1);
    struct view_lines l = { 0 };
    f.st.cur = f.ix.n - 1;                   /* the last ACK arrives at the server */
    f.st.host = 3;                           /* c2 selected */
    view_state_lines(&f.ix, &f.st, 60, &l);
    char *t = lines_text(&l);
    ck_assert_msg(contains(t, "31 hosts: the selected one and this event's"), "%s", t);
    ck_assert(contains(t, "c2 10.0.1.3"));
    ck_assert(contains(t, "server 10.0.0.1"));
    ck_assert(!contains(t, "c7 10.0.1.8"));  /* neither selected nor in the event */
    /* the selected host first, however short the pane */
    ck_assert_ptr_nonnull(strstr(t, "c2 10.0.1.3"));
    ck_assert(strstr(t, "c2 10.0.1.3") < strstr(t, "server 10.0.0.1"));
    ck_assert(contains(l.v[1].text, "c2 10.0.1.3"));
    /* the server: its listener and 30 connections; eight are listed, the
     * first 23 counted by state, in the order of the state table */
    ck_assert_msg(contains(t, "(23 more: 1 LISTEN, 22 ESTABLISHED)"), "%s", t);
    free(t);
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

/* A crowd in the diagram: more hosts than VIEW_CROWD_HOSTS get lifelines
 * only for the selected host and the hosts of the rows on screen, as many
 * as fit; the rest share one lifeline headed "others" with their count,
 * and a label on it names its host. */
START_TEST(test_diagram_in_a_crowd)
{
    char text[8192];
    int n = snprintf(text, sizeof text, "host server 10.0.0.1\n");
    for (int i = 0; i < 30; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "host c%d 10.0.1.%d\nlink c%d server delay 1ms\n", i, i + 1, i);
    n += snprintf(text + n, sizeof text - (size_t)n, "at 0ms server listen 80\n");
    for (int i = 0; i < 30; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "at %dms c%d connect server 80\n", 10 + i, i);
    struct fixture f;
    fx_open(&f, text, 120, 40, 1);
    f.st.host = 3;                           /* c2 selected */
    char *t = diagram_at(&f, f.ix.n - 1);    /* c29's handshake ends the run */
    char *head = strstr(t, "time"), *nl = head ? strchr(head, '\n') : NULL;
    ck_assert_ptr_nonnull(nl);
    *nl = '\0';
    /* the header: server, c2 (selected), the last clients, others */
    ck_assert_msg(contains(head, " server ") && contains(head, " c2 ") &&
                  contains(head, " c29 ") && contains(head, " others"), "%s", head);
    ck_assert_msg(!contains(head, " c3 "), "%s", head);   /* not on screen */
    int lanes = 0;
    for (char *p = strtok(head, " "); p; p = strtok(NULL, " "))
        lanes++;
    ck_assert_int_le(lanes - 1, 11);         /* "time", then at most 11 lanes at 120 */
    char *addr = nl + 1;
    ck_assert_msg(contains(addr, "hosts"), "%s", addr);
    int shown = lanes - 2, others = 0;       /* the hosts with their own lane */
    const char *p = strstr(addr, " hosts");
    while (p > addr && p[-1] >= '0' && p[-1] <= '9')
        p--;
    others = atoi(p);
    ck_assert_int_eq(shown + others, 31);
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_help_lists_every_key)
{
    static const char *const labels[] = {
#define X(code, label, id) label,
        KEY_BINDINGS(X)
#undef X
    };
    struct view_lines l = { 0 };
    view_help_lines(&l);
    ck_assert_int_eq(l.n, ACT_COUNT - 1);
    char *t = lines_text(&l);
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        ck_assert_msg(contains(t, labels[i]), "help lacks %s", labels[i]);
    free(t);
    view_lines_free(&l);
    /* and the overlay shows it at 80x24 */
    struct fixture f;
    fx_open(&f, HANDSHAKE, 80, 24, 1);
    view_apply(&f.ix, &f.st, ACT_HELP, 80, 24);
    t = screen_at(&f, 0);
    ck_assert(contains(t, "play / pause"));
    ck_assert(contains(t, "PgDn"));
    free(t);
    fx_close(&f);
}
END_TEST

/* The help is never cut: at every size from the smallest the view runs at,
 * every action's keys and the last word of its description are on the
 * screen (scrolling where the help is taller than the screen), and no
 * line of the box ends in an ellipsis. */
START_TEST(test_help_never_cut)
{
    static const char *const helps[] = {
#define X(id, hint, help) help,
        UI_ACTIONS(X)
#undef X
    };
    static const int sizes[][2] = { { 80, 24 }, { 100, 30 }, { 120, 40 }, { 200, 60 } };
    for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
        int w = sizes[z][0], h = sizes[z][1];
        struct fixture f;
        fx_open(&f, HANDSHAKE, w, h, 1);
        view_apply(&f.ix, &f.st, ACT_HELP, w, h);
        size_t cap = 1 << 16, len = 0;
        char *all = xmalloc(cap);
        all[0] = '\0';
        int pages = 0, scrolled, before;
        do {
            before = f.st.help_top;
            char *t = screen_at(&f, 0);
            ck_assert_msg(!contains(t, "\u2026"), "%dx%d: the help is cut", w, h);
            size_t tl = strlen(t);
            while (len + tl + 1 > cap)
                all = xrealloc(all, cap *= 2);
            memcpy(all + len, t, tl + 1);
            len += tl;
            free(t);
            scrolled = view_help_key(&f.st, ACT_NEXT, w, h);
            pages++;
        } while (scrolled && f.st.help_top != before && pages < 100);
        ck_assert_int_lt(pages, 100);
        /* scrolling is only offered when the help does not fit */
        ck_assert_msg((pages > 1) == (w == 80), "%dx%d: %d screens", w, h, pages);
        for (size_t a = 0; a < sizeof helps / sizeof helps[0]; a++) {
            const char *last = strrchr(helps[a], ' ');
            ck_assert_msg(contains(all, last ? last + 1 : helps[a]),
                          "%dx%d: the help lacks the end of \"%s\"", w, h, helps[a]);
        }
        free(all);
        /* at the end a move key stays there (it does not close the help);
         * Home goes back to the top; any other key closes */
        if (pages > 1) {
            int end = f.st.help_top;
            ck_assert(view_help_key(&f.st, ACT_NEXT, w, h));
            ck_assert_int_eq(f.st.help_top, end);
            ck_assert(view_help_key(&f.st, ACT_START, w, h));
            ck_assert_int_eq(f.st.help_top, 0);
            ck_assert(!view_help_key(&f.st, ACT_QUIT, w, h));
        }
        fx_close(&f);
    }
}
END_TEST

START_TEST(test_too_small_screen)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 60, 20, 1);
    char *t = screen_at(&f, 3);
    ck_assert(contains(t, "terminal too small (need 80x24"));
    ck_assert(!contains(t, "SYN_SENT"));
    free(t);
    fx_close(&f);
}
END_TEST

/* The too-small screen at any size: the sizes are said whole (wrapped, not
 * cut: "have 40x" said nothing at 40x10), and on one row the second line
 * is not drawn over the first (at 80x1 both were drawn on row 0). */
static char *squeezed(const char *t)
{
    char *o = malloc(strlen(t) + 1), *p = o;
    for (; *t; t++)
        if (!(*t == ' ' || *t == '\n') || (p > o && p[-1] != ' '))
            *p++ = *t == '\n' ? ' ' : *t;
    *p = '\0';
    return o;
}

START_TEST(test_too_small_wraps_never_overlaps)
{
    static const int size[][2] = { { 20, 5 }, { 40, 10 }, { 30, 3 }, { 79, 24 } };
    for (int i = 0; i < 4; i++) {
        struct fixture f;
        char want[64];
        fx_open(&f, HANDSHAKE, size[i][0], size[i][1], 1);
        char *t = screen_at(&f, 0), *s = squeezed(t);
        snprintf(want, sizeof want, "terminal too small (need 80x24, have %dx%d)",
                 size[i][0], size[i][1]);
        ck_assert_msg(contains(s, want), "%dx%d: %s", size[i][0], size[i][1], t);
        if (size[i][1] >= 5)
            ck_assert_msg(contains(s, "enlarge the window, or press q to quit"),
                          "%dx%d: %s", size[i][0], size[i][1], t);
        free(s);
        free(t);
        fx_close(&f);
    }
    struct fixture f;
    fx_open(&f, HANDSHAKE, 80, 1, 1);
    char *t = screen_at(&f, 0);
    ck_assert_msg(contains(t, "terminal too small (need 80x24, have 80x1)"), "%s", t);
    ck_assert_msg(!contains(t, "enlarge"), "%s", t);
    free(t);
    fx_close(&f);
}
END_TEST

/* Below 8 columns: the lines were wrapped at 8 and cut at the screen's
 * edge ("termina", "(need", and the sizes never shown at 7x5 or 3x40).
 * A word wider than the screen now goes on across lines, and when the
 * sentence needs more rows than there are, the sizes are said in short. */
static char *unspaced(const char *t)
{
    char *o = malloc(strlen(t) + 1), *p = o;
    for (; *t; t++)
        if (*t != ' ' && *t != '\n')
            *p++ = *t;
    *p = '\0';
    return o;
}

START_TEST(test_too_small_below_eight_columns)
{
    static const struct { int w, h; const char *want; } c[] = {
        { 7, 5, "need80x24,have7x5" },
        { 5, 8, "need80x24,have5x8" },
        { 3, 40, "terminaltoosmall(need80x24,have3x40)" },
        { 7, 30, "terminaltoosmall(need80x24,have7x30)enlargethewindow,orpressqtoquit" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct fixture f;
        fx_open(&f, HANDSHAKE, c[i].w, c[i].h, 1);
        char *t = screen_at(&f, 0), *u = unspaced(t);
        ck_assert_msg(contains(u, c[i].want), "%dx%d: %s", c[i].w, c[i].h, t);
        free(u);
        free(t);
        fx_close(&f);
    }
}
END_TEST

/* The `o` list at 80x24: a title wider than its row is cut there, and the
 * selected lesson's is given whole under the list (socket-api's was cut at
 * "conn…" and shown nowhere); a list longer than the box says where the
 * selection is (web-request, the default lesson, was below the box with
 * nothing to say so). */
START_TEST(test_open_list_shows_the_selected_title_whole)
{
    static const char LONG[] =
        "The socket calls: socket, bind, listen, accept, connect, send, recv, close";
    struct view_choice ch[30];
    char names[30][24];
    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "lesson-%02d", i);
        ch[i].name = names[i];
        ch[i].title = i == 10 ? LONG : "A short title";
    }
    struct fixture f;
    fx_open(&f, HANDSHAKE, 80, 24, 1);
    f.st.choices = ch;
    f.st.nchoices = 30;
    f.st.overlay = OV_OPEN;
    f.st.choice = 10;
    char *t = screen_at(&f, 0);
    ck_assert_msg(contains(t, "recv, close"), "%s", t);
    ck_assert_msg(contains(t, "j/k choose (11 of 30)"), "%s", t);
    free(t);
    f.st.choice = 29;                           /* a title that fits: no more */
    t = screen_at(&f, 0);
    ck_assert_msg(!contains(t, "recv, close"), "%s", t);
    ck_assert_msg(contains(t, "lesson-29"), "%s", t);
    ck_assert_msg(contains(t, "j/k choose (30 of 30)"), "%s", t);
    free(t);
    f.st.nchoices = 5;                          /* all in view: no position */
    f.st.choice = 1;
    t = screen_at(&f, 0);
    ck_assert_msg(contains(t, "j/k choose \u00b7 Enter open"), "%s", t);
    free(t);
    fx_close(&f);
}
END_TEST

/* Chinese wraps between any two characters, but a line never starts with
 * closing punctuation nor ends with opening: socket-api's title wrapped
 * with "、accept" at the start of a line. */
START_TEST(test_wrap_chinese_punctuation)
{
    static const char *zh[] = {
        "套接字调用（socket API）：socket、bind、listen、accept、connect、send、recv、close",
        "服务器回答 SYN,ACK，确认号为 1001，表示收到了序号 1000 的 SYN。然后（客户端）发送 ACK。",
    };
    static const char *no_start[] = { "、", "，", "。", "：", "）" };
    for (int k = 0; k < 2; k++)
        for (int w = 12; w < 60; w++) {
            struct view_lines l = { 0 };
            vw_add_wrapped(&l, w, 0, R_NORMAL, zh[k]);
            for (int i = 0; i < l.n; i++) {
                const char *ln = l.v[i].text;
                for (int j = 0; j < 5; j++)
                    ck_assert_msg(i == 0 || strncmp(ln, no_start[j], strlen(no_start[j])),
                                  "width %d line %d starts with %s: %s", w, i, no_start[j], ln);
                size_t n = strlen(ln);
                ck_assert_msg(i == l.n - 1 || n < 3 || strcmp(ln + n - 3, "（"),
                              "width %d line %d ends with （: %s", w, i, ln);
                ck_assert_int_le(view_text_width(ln), w);
            }
            view_lines_free(&l);
        }
}
END_TEST

/* Characters the terminal draws in no cell (zero-width space, joiners,
 * direction marks, BOM, soft hyphen, combining marks) take no cell here
 * either: counted as one, each left a cell unwritten, and the terminal
 * showed what was there before beside the text.  A combining mark is
 * drawn over the character before it, in that character's cell: dropped,
 * a host "se\u0301rveur" was shown as "serveur", another name. */
START_TEST(test_zero_width_characters_take_no_cell)
{
    static const char *zw[] = { "\u200b", "\u200d", "\u200e", "\u202e", "\u2060",
                                "\ufeff", "\u00ad", "\u0301", "\ufe0f", "\u20d7" };
    static const char *want[] = { "abcd######", "abcd######", "abcd######",
                                  "abcd######", "abcd######", "abcd######",
                                  "abcd######", "ab\u0301cd######", "abcd######",
                                  "ab\u20d7cd######" };
    for (int i = 0; i < 10; i++) {
        char text[32];
        snprintf(text, sizeof text, "ab%scd", zw[i]);
        ck_assert_int_eq(view_text_width(text), 4);
        struct view_screen s;
        view_screen_init(&s, 10, 1);
        for (int x = 0; x < 10; x++)
            vw_set_cell(&s, x, 0, '#', R_NORMAL);   /* what was there before */
        ck_assert_int_eq(view_put(&s, 0, 0, 10, text, R_NORMAL, 1), 4);
        char *t = view_screen_text(&s);
        ck_assert_msg(!strncmp(t, want[i], strlen(want[i])), "%s: %s", zw[i], t);
        free(t);
        view_screen_free(&s);
    }
}
END_TEST

/* The mark goes with its character: over a wide one it is drawn in the
 * character's first cell; overwriting the character drops it; a mark
 * with nothing before it on the row is not drawn; in ASCII the marked
 * character is "?", as the same character precomposed is; a character
 * cut at the edge takes its mark with it. */
START_TEST(test_combining_mark_stays_on_its_character)
{
    struct view_screen s;
    char line[64];
    view_screen_init(&s, 6, 1);
    ck_assert_int_eq(view_put(&s, 0, 0, 6, "\u5ba2\u0301x", R_NORMAL, 1), 3);
    ck_assert_str_eq(view_screen_line(&s, 0, line, sizeof line), "\u5ba2\u0301x");
    ck_assert_uint_eq(view_at(&s, 0, 0)->mark, 0x301);
    ck_assert_uint_eq(view_at(&s, 1, 0)->mark, 0);
    vw_set_cell(&s, 0, 0, 'y', R_NORMAL);
    ck_assert_uint_eq(view_at(&s, 0, 0)->mark, 0);
    view_screen_clear(&s);
    ck_assert_int_eq(view_put(&s, 0, 0, 6, "\u0301ab", R_NORMAL, 1), 2);
    ck_assert_str_eq(view_screen_line(&s, 0, line, sizeof line), "ab");
    ck_assert_int_eq(view_put(&s, 0, 0, 6, "e\u0301e", R_NORMAL, 0), 2);
    ck_assert_str_eq(view_screen_line(&s, 0, line, sizeof line), "?e");
    ck_assert_int_eq(view_put(&s, 0, 0, 6, "\u00e9e", R_NORMAL, 0), 2);
    ck_assert_str_eq(view_screen_line(&s, 0, line, sizeof line), "?e");
    view_screen_clear(&s);
    ck_assert_int_eq(view_put(&s, 4, 0, 6, "ab\u0301", R_NORMAL, 1), 2);
    ck_assert_str_eq(view_screen_line(&s, 0, line, sizeof line), "    ab\u0301");
    view_screen_clear(&s);
    ck_assert_int_eq(view_put(&s, 5, 0, 6, "ab\u0301", R_NORMAL, 1), 1);
    ck_assert_str_eq(view_screen_line(&s, 0, line, sizeof line), "     a");
    view_screen_free(&s);
}
END_TEST

/* The state pane's state column by display width: with a host named in
 * Chinese (9 bytes, 6 cells) the states of its connections stood 3
 * columns left of the others'. */
START_TEST(test_state_pane_columns_with_chinese_names)
{
    static const char ZH[] =
        "title \"zh\"\n"
        "host 客户端 192.0.2.10\nhost c 192.0.2.11\nhost 服务器 192.0.2.80\n"
        "link 客户端 服务器 delay 5ms\nlink c 服务器 delay 5ms\n"
        "at 0ms 服务器 listen 80\nat 10ms 客户端 connect 服务器 80\n"
        "at 10ms c connect 服务器 80\n";
    struct fixture f;
    fx_open(&f, ZH, 120, 40, 1);
    f.st.cur = f.ix.n - 1;
    struct view_lines l = { 0 };
    view_state_lines(&f.ix, &f.st, 48, &l);
    int col = -1, seen = 0;
    for (int i = 0; i < l.n; i++) {
        const char *t = l.v[i].text, *p = strstr(t, "ESTABLISHED");
        if (!p)
            p = strstr(t, "LISTEN");
        if (!p)
            continue;
        char pre[256];
        snprintf(pre, sizeof pre, "%.*s", (int)(p - t), t);
        int w = view_text_width(pre);
        if (col < 0)
            col = w;
        ck_assert_msg(w == col, "state at column %d, not %d: %s", w, col, t);
        seen++;
    }
    ck_assert_int_eq(seen, 5);         /* 2 clients, the listener, 2 accepted */
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

/* A card taller than the window says how many lines it leaves out (the
 * end of a long describe was cut with nothing to say so). */
START_TEST(test_card_taller_than_the_window_says_so)
{
    char text[4096];
    int n = snprintf(text, sizeof text, "title \"Long card\"\n");
    for (int i = 0; i < 14; i++)
        n += snprintf(text + n, sizeof text - (size_t)n,
                      "describe \"Line %d of a long description that a teacher wrote "
                      "for the class, with words enough to wrap.\"\n", i);
    snprintf(text + n, sizeof text - (size_t)n,
             "host a 192.0.2.1\nhost b 192.0.2.2\nlink a b delay 1ms\n"
             "at 0ms b listen 80\nat 1ms a connect b 80\n");
    struct fixture f;
    fx_open(&f, text, 80, 24, 1);
    f.st.lesson = f.scn;
    f.st.overlay = OV_CARD;
    char *t = screen_at(&f, 0);
    ck_assert_msg(contains(t, "… 3 more lines: a taller window shows them"), "%s", t);
    free(t);
    view_screen_free(&f.scr);
    view_screen_init(&f.scr, 120, 50);          /* all of it fits: no such line */
    t = screen_at(&f, 0);
    ck_assert_msg(!contains(t, "more line"), "%s", t);
    ck_assert_msg(contains(t, "Line 13 of a long"), "%s", t);
    free(t);
    fx_close(&f);
}
END_TEST

/* A connection whose name and state do not fit the state pane's width
 * (a DNS query's) has its state whole on the next line: it was cut
 * ("ASKING_RESOL…") at the state pane's 47 columns. */
START_TEST(test_state_pane_long_name_keeps_its_state)
{
    struct fixture f;
    fx_open(&f, TINY_DNS, 120, 40, 1);
    long q = view_search(&f.ix, "DNS A? www", 0, 1);   /* the stub is asking */
    ck_assert_int_ge(q, 0);
    f.st.cur = (size_t)q;
    int found = 0;
    for (int width = 42; width <= 60; width += 6) {
        struct view_lines l = { 0 };
        view_state_lines(&f.ix, &f.st, width, &l);
        for (int i = 0; i < l.n; i++) {
            ck_assert_msg(view_text_width(l.v[i].text) <= width, "width %d: %s", width,
                          l.v[i].text);
            found += strstr(l.v[i].text, "ASKING_RESOLVER") != NULL;
        }
        view_lines_free(&l);
    }
    ck_assert_int_eq(found, 4);
    fx_close(&f);
}
END_TEST

START_TEST(test_ascii_fallback_has_only_ascii)
{
    struct fixture f;
    fx_open(&f, SYNLOSS, 80, 24, 0);
    for (size_t n = 0; n < f.ix.n; n++) {
        f.st.cur = n;
        view_render(&f.ix, &f.st, &f.scr);
        for (int i = 0; i < f.scr.w * f.scr.h; i++)
            ck_assert_msg(f.scr.cells[i].ch < 128, "non-ASCII at event %zu", n);
    }
    long drop = view_search(&f.ix, "SYN seq", 0, 1) + 1;       /* send, then drop */
    ck_assert_int_eq(f.s.tr.recs[drop].kind, TK_DROP);
    char *t = screen_at(&f, (size_t)drop);
    ck_assert(contains(t, "+---"));
    ck_assert(contains(t, "X dropped"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_projector_mode)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    view_apply(&f.ix, &f.st, ACT_PROJECTOR, 120, 40);
    ck_assert(f.st.projector);
    char *t = screen_at(&f, 4);
    ck_assert(!contains(t, "Inspector"));
    ck_assert(contains(t, "ask to open a connection"));     /* narration box */
    ck_assert(contains(t, "projector"));
    /* the send's narration names its host once: "client -> server  SYN",
     * not "client client -> server  SYN" */
    ck_assert_msg(contains(t, "  client -> server  SYN seq=1000"), "%s", t);
    ck_assert_msg(!contains(t, "client client"), "%s", t);
    free(t);
    t = screen_at(&f, 0);                     /* a call: the host says whose */
    ck_assert_msg(contains(t, "  server listen(80): "), "%s", t);
    free(t);
    /* at 80x24 connect()'s narration (six lines) is whole: the narration
     * grows over the diagram (its end, "...only after the whole range",
     * was cut in the 4 rows it had) */
    size_t conn = 0;
    while (conn < f.ix.n && !(f.s.tr.recs[conn].kind == TK_APP &&
                              f.s.tr.recs[conn].u.app.call == AC_CONNECT))
        conn++;
    ck_assert_uint_lt(conn, f.ix.n);
    view_screen_free(&f.scr);
    view_screen_init(&f.scr, 80, 24);
    t = screen_at(&f, conn);
    ck_assert_msg(contains(t, "only after the whole") && contains(t, "range"), "%s", t);
    ck_assert_msg(contains(t, "\u25b8"), "%s", t);      /* the selected row stays */
    free(t);
    view_screen_free(&f.scr);
    view_screen_init(&f.scr, 120, 40);
    /* two rows per event: the SYN_SENT row is two rows above the send */
    char line[1024];
    int ys = -1, yl = -1;
    f.st.cur = 4;
    view_render(&f.ix, &f.st, &f.scr);
    for (int y = 0; y < 40; y++) {
        view_screen_line(&f.scr, y, line, sizeof line);
        if (strstr(line, "SYN_SENT") && ys < 0)
            ys = y;
        if (strstr(line, "SYN seq=1000") && yl < 0)
            yl = y;
    }
    ck_assert_int_eq(yl - ys, 2);
    fx_close(&f);
}
END_TEST

START_TEST(test_pane_focus_scrolls_instead_of_stepping)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 80, 24, 1);
    f.st.cur = 4;
    view_apply(&f.ix, &f.st, ACT_FOCUS, 80, 24);
    ck_assert_int_eq(f.st.focus, PANE_INSPECTOR);
    view_apply(&f.ix, &f.st, ACT_NEXT, 80, 24);
    ck_assert_uint_eq(f.st.cur, 4);
    ck_assert_int_eq(f.st.scroll[PANE_INSPECTOR], 1);
    for (int i = 0; i < 100; i++)
        view_apply(&f.ix, &f.st, ACT_NEXT, 80, 24);
    int max = f.st.scroll[PANE_INSPECTOR];
    view_apply(&f.ix, &f.st, ACT_PREV, 80, 24);
    ck_assert_int_eq(f.st.scroll[PANE_INSPECTOR], max - 1);
    view_apply(&f.ix, &f.st, ACT_FOCUS, 80, 24);
    ck_assert_int_eq(f.st.focus, PANE_STATE);
    char *t = screen_at(&f, 4);
    ck_assert(contains(t, "SND.NXT=1001"));
    free(t);
    view_apply(&f.ix, &f.st, ACT_FOCUS, 80, 24);
    ck_assert_int_eq(f.st.focus, PANE_DIAGRAM);
    fx_close(&f);
}
END_TEST


/* ---- the kernel beside the model (--real) ---------------------------------- */

/* scenarios/teardown.scn, replayed on loopback by real_run() */
static const char TEARDOWN[] =
    "title \"Four-way teardown\"\n"
    "host client 192.0.2.10\n"
    "host server 192.0.2.80\n"
    "link client server delay 20ms\n"
    "tcp isn client 1000\n"
    "tcp isn server 5000\n"
    "tcp msl 30s\n"
    "at 0ms    server listen 80\n"
    "at 10ms   client connect server 80\n"
    "at 100ms  client send \"hello\"\n"
    "at 200ms  server recv 100\n"
    "at 300ms  client close\n"
    "at 400ms  server close\n";

/* fx_open, then the replay on 127.0.0.1 and the comparison. */
static void fx_open_real(struct fixture *f, const char *text, int w, int h, int utf8)
{
    f->scn = tu_parse(text);
    sim_init(&f->s, f->scn, 1);
    sim_run(&f->s);
    struct real_opts o;
    struct real_result rr;
    real_default_opts(&o);
    ck_assert_msg(real_run(&f->s, &o, &rr) == 0, "real_run: %s", rr.err);
    view_index_build(&f->ix, &f->s.tr);
    view_index_compare(&f->ix, f->scn);
    view_state_init(&f->st, utf8);
    f->st.title = f->scn->title;
    view_screen_init(&f->scr, w, h);
}

/* The first kernel record of host h with that state (RW_STATE or
 * RW_UNSEEN), or -1. */
static long kernel_rec(const struct trace *tr, int h, int what, int state)
{
    for (size_t i = 0; i < tr->n; i++) {
        const struct trace_rec *r = &tr->recs[i];
        if (real_is_rec(r) && r->host == h && RR_WHAT(r) == what &&
            RR_STATE(r) == state)
            return (long)i;
    }
    return -1;
}

/* The client's last closing state the kernel showed: TIME_WAIT, which
 * sock_diag reliably sees, else FIN_WAIT_2; fails listing what it saw. */
static long kernel_closing(const struct trace *tr, int *state)
{
    long i = kernel_rec(tr, 0, RW_STATE, TCPS_TIME_WAIT);
    *state = TCPS_TIME_WAIT;
    if (i < 0) {
        i = kernel_rec(tr, 0, RW_STATE, TCPS_FIN_WAIT_2);
        *state = TCPS_FIN_WAIT_2;
    }
    if (i < 0) {
        char seen[512] = "";
        for (size_t k = 0; k < tr->n; k++)
            if (real_is_rec(&tr->recs[k]) && tr->recs[k].host == 0 &&
                RR_WHAT(&tr->recs[k]) == RW_STATE &&
                strlen(seen) + 16 < sizeof seen) {
                strcat(seen, " ");
                strcat(seen, tcp_state_name(RR_STATE(&tr->recs[k])));
            }
        ck_abort_msg("the client's kernel showed neither TIME_WAIT nor FIN_WAIT_2:%s",
                     seen);
    }
    return i;
}

/* The band the diagram spreads the lifelines over, as view_diagram.c computes it. */
static void band_of(const struct fixture *f, struct view_rect d, int *x0, int *w)
{
    *x0 = d.x + f->ix.time_w + 3;
    *w = d.x + d.w - *x0;
}

/* The text of row y from column x, w columns (UTF-8). */
static char *cells_text(const struct view_screen *s, int x, int y, int w, char *buf,
                        size_t n)
{
    struct view_screen one = { w, 1, (struct view_cell *)&s->cells[(size_t)y * (size_t)s->w +
                                                               (size_t)x] };
    return view_screen_line(&one, 0, buf, n);
}

START_TEST(test_kernel_columns_which_hosts)
{
    int cols[3], kx[3];
    static const uint8_t none[3] = { 0, 0, 0 }, ac[3] = { 1, 0, 1 };
    ck_assert_int_eq(view_kernel_columns(3, none, 10, 110, cols, kx), VK_NONE);
    ck_assert_int_eq(view_kernel_columns(3, NULL, 10, 110, cols, kx), VK_NONE);
    for (int h = 0; h < 3; h++)
        ck_assert_int_eq(kx[h], -1);
    /* without observations the lifelines are exactly view_columns()'s */
    int plain[3];
    view_columns(3, 10, 110, plain);
    for (int h = 0; h < 3; h++)
        ck_assert_int_eq(cols[h], plain[h]);
    ck_assert_int_eq(view_kernel_columns(3, ac, 10, 110, cols, kx), VK_FULL);
    ck_assert_int_eq(kx[0], cols[0] + 2);
    ck_assert_int_eq(kx[1], -1);                 /* b was not observed */
    ck_assert_int_eq(kx[2], cols[2] + 2);
    ck_assert_int_le(kx[2] + VIEW_KCOL_W, 10 + 110);
}
END_TEST

START_TEST(test_kernel_columns_widths_at_80_and_120)
{
    /* two observed hosts (teardown) fit at 80 and at 120: a time column of
     * "0.372939s" leaves the band at x 13 */
    static const uint8_t both[2] = { 1, 1 };
    int cols[2], kx[2];
    static const int widths[2] = { 80, 120 };
    for (int k = 0; k < 2; k++) {
        int x0 = 13, w = widths[k] - x0;
        ck_assert_int_eq(view_kernel_columns(2, both, x0, w, cols, kx), VK_FULL);
        ck_assert_int_eq(kx[0], cols[0] + 2);
        ck_assert_int_eq(kx[1], cols[1] + 2);
        ck_assert_int_ge(cols[1] - (kx[0] + VIEW_KCOL_W), VIEW_KCOL_GAP);
        ck_assert_int_lt(kx[1] + VIEW_KCOL_W, widths[k]);
    }
    /* four hosts, the first and last observed: at 120 the lifelines move
     * left so the last column fits; at 80 they fold */
    static const uint8_t ends[4] = { 1, 0, 0, 1 };
    int c4[4], k4[4], plain[4];
    view_columns(4, 13, 107, plain);
    ck_assert_int_eq(view_kernel_columns(4, ends, 13, 107, c4, k4), VK_FULL);
    ck_assert_int_lt(c4[3], plain[3]);
    ck_assert_int_le(k4[3] + VIEW_KCOL_W, 120);
    ck_assert_int_ge(c4[1] - (k4[0] + VIEW_KCOL_W), VIEW_KCOL_GAP);
    ck_assert_int_eq(view_kernel_columns(4, ends, 13, 67, c4, k4), VK_FOLDED);
    view_columns(4, 13, 67, plain);
    for (int h = 0; h < 4; h++) {
        ck_assert_int_eq(k4[h], -1);
        ck_assert_int_eq(c4[h], plain[h]);       /* folded: the plain lifelines */
    }
}
END_TEST

/* Appends a --real record (the model has no appender for them; real/real.c
 * makes them). */
static size_t add_real(struct trace *tr, int64_t t, int host, uint32_t conn, int what,
                       int state, int source, int val, struct why why)
{
    size_t k = trace_note(tr, t, host, "", N_NOTE);
    struct trace_rec *r = &tr->recs[k];
    r->kind = TK_EXT;
    r->u.ext.owner = REAL_EXT_OWNER;
    tr->ext_why = real_why;
    r->layer = TL_TCP;
    r->conn = conn;
    r->why = why;
    RR_WHAT(r) = (uint8_t)what;
    RR_STATE(r) = (uint8_t)state;
    RR_SOURCE(r) = (uint8_t)source;
    RR_VAL(r) = val;
    return k;
}

/* A hand-made --real trace: hosts a, b, c; the kernel is observed for a and
 * c.  Records:
 *   0 c LISTEN (model)
 *   1 a SYN_SENT (model)       2 a kernel SYN_SENT not observed
 *   3 a kernel ESTABLISHED, while the model is in SYN_SENT
 *   4 a ESTABLISHED (model)    5 a kernel ESTABLISHED, as the model
 *   6 c kernel LISTEN          7 a real close()
 *   8 a kernel TIME_WAIT, timer 60 s (model ESTABLISHED)
 *   9 not replayed (no host) */
static void hand_trace(struct trace *tr)
{
    trace_init(tr);
    trace_add_host(tr, "a", 0xC0000201);
    trace_add_host(tr, "b", 0xC0000202);
    trace_add_host(tr, "c", 0xC0000203);
    uint32_t ca = trace_intern(tr, "a:1-c:2"), cc = trace_intern(tr, "c:2");
    trace_state(tr, 0, 2, TL_TCP, cc, TCPS_CLOSED, TCPS_LISTEN, WHY0(N_NONE));
    trace_state(tr, 10000, 0, TL_TCP, ca, TCPS_CLOSED, TCPS_SYN_SENT, WHY0(N_NONE));
    add_real(tr, 10000, 0, ca, RW_UNSEEN, TCPS_SYN_SENT, RS_REPLAY, -1,
             WHY0(N_REAL_UNSEEN_SYN_SENT));
    add_real(tr, 10000, 0, ca, RW_STATE, TCPS_ESTABLISHED, RS_TCP_INFO, -1,
             WHY(N_REAL_SEEN_INFO, TCPS_ESTABLISHED, 1));
    trace_state(tr, 50000, 0, TL_TCP, ca, TCPS_SYN_SENT, TCPS_ESTABLISHED, WHY0(N_NONE));
    add_real(tr, 60000, 0, ca, RW_STATE, TCPS_ESTABLISHED, RS_TCP_INFO, -1,
             WHY(N_REAL_SEEN_INFO, TCPS_ESTABLISHED, 1));
    add_real(tr, 60000, 2, cc, RW_STATE, TCPS_LISTEN, RS_TCP_INFO, -1,
             WHY(N_REAL_SEEN_INFO, TCPS_LISTEN, 10));
    add_real(tr, 70000, 0, ca, RW_CALL, AC_CLOSE, RS_REPLAY, 0, WHY0(N_REAL_CLOSE));
    add_real(tr, 70123, 0, ca, RW_STATE, TCPS_TIME_WAIT, RS_SOCK_DIAG, 60000,
             WHY(N_REAL_SEEN_DIAG_TMR, TCPS_TIME_WAIT, trace_intern(tr, "TIME_WAIT"),
                 60000000));
    add_real(tr, 80000, -1, 0, RW_NOT_REPLAYED, 0, RS_REPLAY, -1,
             WHY(N_REAL_NR_FAULT, 12));
}

START_TEST(test_kernel_index_marks)
{
    struct trace tr;
    hand_trace(&tr);
    struct view_index ix;
    view_index_build(&ix, &tr);
    ck_assert_int_eq(ix.nkhosts, 2);
    ck_assert_int_eq(ix.khost[0], 1);
    ck_assert_int_eq(ix.khost[1], 0);
    ck_assert_int_eq(ix.khost[2], 1);
    ck_assert(ix.kmark[2] & KM_UNSEEN);
    ck_assert(!(ix.kmark[2] & KM_DIFF));
    ck_assert(ix.kmark[3] & KM_DIFF);              /* ESTABLISHED vs SYN_SENT */
    ck_assert_int_eq(ix.kmodel[3], TCPS_SYN_SENT);
    ck_assert_int_eq(ix.kbefore[3], TCPS_CLOSED);   /* SYN_SENT came at that instant */
    ck_assert(!(ix.kmark[5] & KM_DIFF));           /* the model caught up */
    ck_assert(!(ix.kmark[6] & KM_DIFF));           /* c LISTEN, as the model */
    ck_assert(ix.kmark[8] & KM_DIFF);
    ck_assert_int_eq(ix.kmodel[1], -1);            /* a model record */
    ck_assert_int_eq(ix.time_w, 9);                /* "0.070123s" */
    view_index_free(&ix);
    /* without kernel records nothing of this is allocated */
    struct fixture f;
    fx_open(&f, HANDSHAKE, 80, 24, 1);
    ck_assert_ptr_null(f.ix.khost);
    ck_assert_ptr_null(f.ix.kmark);
    ck_assert_int_eq(f.ix.nkhosts, 0);
    fx_close(&f);
    trace_free(&tr);
}
END_TEST

START_TEST(test_kernel_look_before_and_after_the_call)
{
    /* a refused connect: the socket is CLOSED before connect() (as the
     * model was just before), and CLOSED again after the RST while the
     * model still waits in SYN_SENT */
    struct trace tr;
    trace_init(&tr);
    trace_add_host(&tr, "a", 0xC0000201);
    trace_add_host(&tr, "b", 0xC0000202);
    uint32_t ca = trace_intern(&tr, "a:1-b:2");
    trace_state(&tr, 10000, 0, TL_TCP, ca, TCPS_CLOSED, TCPS_SYN_SENT, WHY0(N_NONE));
    add_real(&tr, 10000, 0, ca, RW_STATE, TCPS_CLOSED, RS_TCP_INFO, -1,
             WHY(N_REAL_SEEN_INFO, TCPS_CLOSED, 7));
    add_real(&tr, 10000, 0, ca, RW_CALL, AC_CONNECT, RS_REPLAY, -111,
             WHY(N_REAL_CALL_FAIL, AC_CONNECT, trace_intern(&tr, "refused")));
    add_real(&tr, 10000, 0, ca, RW_STATE, TCPS_CLOSED, RS_TCP_INFO, -1,
             WHY(N_REAL_SEEN_INFO, TCPS_CLOSED, 7));
    struct view_index ix;
    view_index_build(&ix, &tr);
    ck_assert_int_eq(ix.nkhosts, 1);
    ck_assert(!(ix.kmark[1] & KM_DIFF));
    ck_assert_int_eq(ix.kbefore[1], TCPS_CLOSED);
    ck_assert(ix.kmark[3] & KM_DIFF);
    ck_assert_int_eq(ix.kbefore[3], TCPS_SYN_SENT);
    /* the failed call: a cross in the mark cell */
    struct view_state st;
    view_state_init(&st, 1);
    struct view_screen s;
    view_screen_init(&s, 120, 40);
    struct view_layout L;
    view_layout(120, 40, 0, PANE_DIAGRAM, &L);
    int cols[2], kx[2], x0 = L.diagram.x + ix.time_w + 3;
    view_kernel_columns(2, ix.khost, x0, L.diagram.x + L.diagram.w - x0, cols, kx);
    ck_assert_int_eq(kx[1], -1);
    st.cur = 3;
    view_render(&ix, &st, &s);
    char buf[256];
    int y0 = L.diagram.y + 3;
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 1, VIEW_KCOL_W, buf, sizeof buf),
                     "┆ CLOSED");
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 2, VIEW_KCOL_W, buf, sizeof buf),
                     "┆✕connect()");
    ck_assert_int_eq(view_at(&s, kx[0] + 2, y0 + 2)->role, R_ALERT);
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 3, VIEW_KCOL_W, buf, sizeof buf),
                     "┆≠CLOSED");
    view_screen_free(&s);
    view_index_free(&ix);
    trace_free(&tr);
}
END_TEST

START_TEST(test_kernel_column_rows_and_marks)
{
    struct trace tr;
    hand_trace(&tr);
    struct view_index ix;
    view_index_build(&ix, &tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct view_screen s;
    view_screen_init(&s, 120, 40);
    struct view_layout L;
    view_layout(120, 40, 0, PANE_DIAGRAM, &L);
    int cols[3], kx[3], x0 = L.diagram.x + ix.time_w + 3;
    ck_assert_int_eq(view_kernel_columns(3, ix.khost, x0, L.diagram.x + L.diagram.w - x0,
                                         cols, kx), VK_FULL);
    ck_assert_int_eq(kx[1], -1);
    st.cur = 9;
    view_render(&ix, &st, &s);
    char buf[512];
    /* the header: "kernel" under a's and c's names, on the third row */
    int hy = L.diagram.y + 2;
    ck_assert_str_eq(cells_text(&s, kx[0], hy, 6, buf, sizeof buf), "kernel");
    ck_assert_str_eq(cells_text(&s, kx[2], hy, 6, buf, sizeof buf), "kernel");
    ck_assert_str_eq(cells_text(&s, cols[1] - 3, hy, 8, buf, sizeof buf), "");
    /* one row per record from the fourth row on, each in its column */
    int y0 = L.diagram.y + 3;
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 2, VIEW_KCOL_W, buf, sizeof buf),
                     "┆?SYN_SENT");
    ck_assert_int_eq(view_at(&s, kx[0] + 2, y0 + 2)->role, R_KUNSEEN);
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 3, VIEW_KCOL_W, buf, sizeof buf),
                     "┆≠ESTABLISHED");
    ck_assert_int_eq(view_at(&s, kx[0] + 1, y0 + 3)->role, R_ALERT);
    ck_assert_int_eq(view_at(&s, kx[0] + 2, y0 + 3)->role, R_ST_OPEN);
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 5, VIEW_KCOL_W, buf, sizeof buf),
                     "┆ ESTABLISHED");
    ck_assert_str_eq(cells_text(&s, kx[2], y0 + 6, VIEW_KCOL_W, buf, sizeof buf),
                     "┆ LISTEN");
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 7, VIEW_KCOL_W, buf, sizeof buf),
                     "┆ close()");
    ck_assert_int_eq(view_at(&s, kx[0] + 2, y0 + 7)->role, R_KERNEL);
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 8, VIEW_KCOL_W, buf, sizeof buf),
                     "┆≠TIME_WAIT");
    /* a model row: only the guide in the column; no observation of b */
    ck_assert_str_eq(cells_text(&s, kx[0], y0, 2, buf, sizeof buf), "┆");
    /* what belongs to no column is a narration row */
    ck_assert(strstr(view_screen_line(&s, y0 + 9, buf, sizeof buf),
                     "not replayed: the fault rule on line 12; loopback neither drops, "
                     "delays nor duplicates"));
    /* stepping back to record 2: the rows after it are gone */
    st.cur = 3;
    view_render(&ix, &st, &s);
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 3, VIEW_KCOL_W, buf, sizeof buf),
                     "┆≠ESTABLISHED");
    ck_assert_int_eq(view_at(&s, kx[0] + 2, y0 + 3)->role, R_SELECTED);
    ck_assert_str_eq(view_screen_line(&s, y0 + 5, buf, sizeof buf), "");
    /* ASCII */
    st.utf8 = 0;
    st.cur = 9;
    view_render(&ix, &st, &s);
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 2, VIEW_KCOL_W, buf, sizeof buf),
                     ":?SYN_SENT");
    ck_assert_str_eq(cells_text(&s, kx[0], y0 + 3, VIEW_KCOL_W, buf, sizeof buf),
                     ":!ESTABLISHED");
    for (int i = 0; i < s.w * s.h; i++)
        ck_assert_msg(s.cells[i].ch < 128, "non-ASCII at %d", i);
    view_screen_free(&s);
    view_index_free(&ix);
    trace_free(&tr);
}
END_TEST

START_TEST(test_kernel_folded_when_too_narrow)
{
    struct trace tr;
    hand_trace(&tr);
    struct view_index ix;
    view_index_build(&ix, &tr);
    struct view_state st;
    view_state_init(&st, 1);
    struct view_screen s;
    view_screen_init(&s, 80, 24);
    struct view_layout L;
    view_layout(80, 24, 0, PANE_DIAGRAM, &L);
    int cols[3], kx[3], x0 = L.diagram.x + ix.time_w + 3;
    ck_assert_int_eq(view_kernel_columns(3, ix.khost, x0, L.diagram.x + L.diagram.w - x0,
                                         cols, kx), VK_FOLDED);
    st.cur = 9;
    view_render(&ix, &st, &s);
    char buf[512], *t = view_screen_text(&s);
    ck_assert(!contains(t, "kernel\n") && !contains(t, "┆"));
    free(t);
    /* two header rows only; a marker on a's lifeline and a label */
    int y0 = L.diagram.y + 2;
    ck_assert_int_eq(view_at(&s, cols[0], y0 + 2)->ch, 0x25C7);    /* ◇ */
    ck_assert(strstr(view_screen_line(&s, y0 + 2, buf, sizeof buf), "kernel ?SYN_SENT"));
    ck_assert_int_eq(view_at(&s, cols[0], y0 + 3)->ch, 0x25C6);    /* ◆ */
    ck_assert(strstr(view_screen_line(&s, y0 + 3, buf, sizeof buf),
                     "kernel ≠ESTABLISHED"));
    ck_assert(strstr(view_screen_line(&s, y0 + 7, buf, sizeof buf), "real close()"));
    /* nothing runs into another lifeline: b's is whole on every row */
    for (int y = y0; y <= y0 + 8; y++)
        ck_assert_int_eq(view_at(&s, cols[1], y)->ch, 0x2502);
    /* and the state pane keeps the kernel's state */
    struct view_lines l = { 0 };
    view_state_lines(&ix, &st, 60, &l);
    t = lines_text(&l);
    ck_assert(contains(t, "kernel ≠ TIME_WAIT  sock_diag at 0.070123s, timer 1m"));
    ck_assert(contains(t, "kernel = LISTEN"));
    free(t);
    view_lines_free(&l);
    view_screen_free(&s);
    view_index_free(&ix);
    trace_free(&tr);
}
END_TEST

START_TEST(test_kernel_column_from_a_real_teardown)
{
    static const int sizes[2][2] = { { 120, 40 }, { 80, 24 } };
    for (int k = 0; k < 2; k++) {
        int W = sizes[k][0], H = sizes[k][1];
        struct fixture f;
        fx_open_real(&f, TEARDOWN, W, H, 1);
        int client = 0, server = 1;
        ck_assert_int_eq(f.ix.nkhosts, 2);
        ck_assert(f.ix.khost[client] && f.ix.khost[server]);
        struct view_layout L;
        view_layout(W, H, 0, PANE_DIAGRAM, &L);
        int x0, bw, cols[2], kx[2];
        band_of(&f, L.diagram, &x0, &bw);
        ck_assert_int_eq(view_kernel_columns(2, f.ix.khost, x0, bw, cols, kx), VK_FULL);
        /* the client's kernel ESTABLISHED, on its own row: the last row
         * of the diagram when it is the selected event */
        long est = kernel_rec(&f.s.tr, client, RW_STATE, TCPS_ESTABLISHED);
        ck_assert_int_ge(est, 0);
        char *t = screen_at(&f, (size_t)est);
        free(t);
        int y = L.diagram.y + 3 + (int)(est < L.diagram.h - 3 ? est : L.diagram.h - 4);
        char buf[512];
        cells_text(&f.scr, kx[client] + 2, y, VIEW_KCOL_W - 2, buf, sizeof buf);
        ck_assert_str_eq(buf, "ESTABLISHED");
        ck_assert_str_eq(cells_text(&f.scr, kx[client], L.diagram.y + 2, 6, buf,
                                    sizeof buf), "kernel");
        ck_assert_str_eq(cells_text(&f.scr, kx[server], L.diagram.y + 2, 6, buf,
                                    sizeof buf), "kernel");
        /* the model's SYN is still in flight over its 20 ms link: differs */
        ck_assert(f.ix.kmark[est] & KM_DIFF);
        ck_assert(f.ix.kmark[est] & KM_SAME);       /* ...but the same sequence */
        ck_assert_int_eq(view_at(&f.scr, kx[client] + 1, y)->ch, 0x2260);   /* ≠ */
        /* SYN_SENT was not observed: ? and dim */
        long syn = kernel_rec(&f.s.tr, client, RW_UNSEEN, TCPS_SYN_SENT);
        ck_assert_int_ge(syn, 0);
        t = screen_at(&f, (size_t)syn);
        free(t);
        y = L.diagram.y + 3 + (int)(syn < L.diagram.h - 3 ? syn : L.diagram.h - 4);
        ck_assert_str_eq(cells_text(&f.scr, kx[client], y, VIEW_KCOL_W, buf, sizeof buf),
                         "┆?SYN_SENT");
        /* TIME_WAIT: the kernel's own 60 s (the --batch table's ~) */
        int cst;
        long tw = kernel_closing(&f.s.tr, &cst);
        if (cst == TCPS_TIME_WAIT) {
            ck_assert(f.ix.kmark[tw] & KM_DETAIL);
            ck_assert_int_eq(f.ix.kwhy[tw].id, N_REAL_DIFF_TW);
        } else {
            ck_assert(f.ix.kmark[tw] & KM_SAME);
        }
        fx_close(&f);
    }
}
END_TEST

START_TEST(test_kernel_inspector_and_state_pane)
{
    struct fixture f;
    fx_open_real(&f, TEARDOWN, 120, 40, 1);
    int cst;
    long tw = kernel_closing(&f.s.tr, &cst);
    const char *name = tcp_state_name(cst);
    char want[128];
    struct view_lines l = { 0 };
    f.st.cur = (size_t)tw;
    view_inspector_lines(&f.ix, &f.st, 70, &l);
    char *t = lines_text(&l);
    snprintf(want, sizeof want, "kernel %s", name);
    ck_assert(contains(t, want));
    ck_assert(contains(t, "Source sock_diag"));                      /* closed fd */
    snprintf(want, sizeof want, "NETLINK_SOCK_DIAG reports %s", name); /* trace_why */
    ck_assert(contains(t, want));
    ck_assert(contains(t, "Timer "));
    ck_assert(contains(t, "Model "));
    if (cst == TCPS_TIME_WAIT)
        ck_assert(contains(t, "fixed 60 s"));                        /* compare.c */
    free(t);
    view_lines_free(&l);
    /* a real call: its source and sentence */
    long call = -1;
    for (size_t i = 0; i < f.ix.n && call < 0; i++)
        if (real_is_rec(&f.s.tr.recs[i]) && RR_WHAT(&f.s.tr.recs[i]) == RW_CALL)
            call = (long)i;
    ck_assert_int_ge(call, 0);
    f.st.cur = (size_t)call;
    view_inspector_lines(&f.ix, &f.st, 70, &l);
    t = lines_text(&l);
    ck_assert(contains(t, "Source replay"));
    ck_assert(contains(t, "real listen()"));
    free(t);
    view_lines_free(&l);
    /* the state pane: the kernel's last state under the model's */
    f.st.cur = (size_t)tw;
    view_state_lines(&f.ix, &f.st, 60, &l);
    t = lines_text(&l);
    snprintf(want, sizeof want, "kernel %s %s", cst == TCPS_TIME_WAIT ? "≠" : "=", name);
    ck_assert_msg(contains(t, want), "state pane lacks \"%s\":\n%s", want, t);
    ck_assert(contains(t, "kernel = LISTEN"));
    free(t);
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

START_TEST(test_kernel_stepping_back_equals_first_reach)
{
    struct fixture f;
    fx_open_real(&f, TEARDOWN, 120, 40, 1);
    size_t n = f.ix.n;
    char **first = calloc(n, sizeof *first);
    for (size_t i = 0; i < n; i++) {
        f.st.cur = i;
        view_render(&f.ix, &f.st, &f.scr);
        first[i] = view_screen_text(&f.scr);
    }
    for (size_t i = n; i-- > 0;) {
        f.st.cur = i;
        view_render(&f.ix, &f.st, &f.scr);
        char *again = view_screen_text(&f.scr);
        ck_assert_msg(!strcmp(again, first[i]), "event %zu differs on the way back", i);
        free(again);
        free(first[i]);
    }
    free(first);
    fx_close(&f);
}
END_TEST


/* ---- the classroom (issue 13): chapters, the card, lifelines, time jumps ----- */

/* Two hosts on a LAN: ARP, then TCP's phases. */
static const char LAN_TCP[] =
    "title \"On a LAN\"\n"
    "describe \"Two hosts on one LAN open a connection,\"\n"
    "describe \"send five bytes and close it.\"\n"
    "lan home 192.0.2.0/24 delay 1ms\n"
    "host client 192.0.2.10 on home\n"
    "host server 192.0.2.80 on home\n"
    "tcp isn client 1000\n"
    "tcp isn server 5000\n"
    "at 0ms    server listen 80\n"
    "at 10ms   client connect server 80\n"
    "at 100ms  client send \"hello\"\n"
    "at 200ms  client close\n"
    "at 300ms  server close\n";

static void assert_chapter(const struct chapters *c, size_t k, size_t first,
                           size_t last, int phase)
{
    ck_assert_uint_lt(k, c->n);
    ck_assert_uint_eq(c->v[k].first, first);
    ck_assert_uint_eq(c->v[k].last, last);
    ck_assert_int_eq(c->v[k].phase, phase);
}

/* TIME_WAIT runs out a minute after the close, past ARP's chapter of
 * aging entries: its end belongs to the close, not to ARP. */
START_TEST(test_time_wait_end_is_not_in_the_arp_chapter)
{
    static const char text[] =
        "lan home 192.0.2.0/24 delay 1ms\n"
        "host client 192.0.2.10 on home\n"
        "host server 192.0.2.80 on home\n"
        "at 0ms    server listen 80\n"
        "at 10ms   client connect server 80\n"
        "at 200ms  client close\n"
        "at 300ms  server close\n";
    struct fixture f;
    fx_open(&f, text, 120, 40, 1);
    struct chapters c;
    chapters_build(&c, &f.s.tr, f.scn);
    ck_assert_uint_ge(c.n, 2);
    const struct chapter *arp = &c.v[c.n - 2], *end = &c.v[c.n - 1];
    ck_assert_int_eq(arp->phase, CH_ARP);
    ck_assert_int_eq(end->phase, CH_TCP_CLOSE);
    ck_assert_uint_eq(end->last, f.ix.n - 1);
    /* the chapter is the timer running out and TIME_WAIT -> CLOSED */
    const struct trace_rec *last = &f.s.tr.recs[end->last];
    ck_assert_int_eq(last->kind, TK_STATE);
    ck_assert_int_eq(last->u.state.from, TCPS_TIME_WAIT);
    ck_assert_int_eq(last->u.state.to, TCPS_CLOSED);
    ck_assert_int_eq(f.s.tr.recs[end->first].kind, TK_TIMER);
    chapters_free(&c);
    fx_close(&f);
}
END_TEST

START_TEST(test_default_chapters_follow_the_protocol_phases)
{
    struct fixture f;
    fx_open(&f, LAN_TCP, 120, 40, 1);
    struct chapters c;
    chapters_build(&c, &f.s.tr, f.scn);
    /* connect() opens the first chapter, which also takes the listen()
     * before it; the client's ARP for the server is part of the
     * handshake; send() with data, close(); the cache entries aging
     * seconds later are ARP's own chapter (after a quiet second) */
    ck_assert_uint_eq(c.n, 4);
    assert_chapter(&c, 0, 0, 27, CH_TCP_OPEN);
    assert_chapter(&c, 1, 28, 34, CH_TCP_DATA);
    assert_chapter(&c, 2, 35, 49, CH_TCP_CLOSE);
    assert_chapter(&c, 3, 50, f.ix.n - 1, CH_ARP);
    ck_assert_int_eq(f.s.tr.recs[50].kind, TK_TIMER);   /* the quiet second's end */
    ck_assert_int_eq(f.s.tr.recs[28].kind, TK_APP);             /* send() */
    ck_assert_int_eq(f.s.tr.recs[28].u.app.call, AC_SEND);
    ck_assert_int_eq(f.s.tr.recs[51].layer, TL_ARP);
    ck_assert_int_ge(f.s.tr.recs[50].t_us - f.s.tr.recs[49].t_us, 1000000);
    ck_assert_str_eq(chapter_title(&c, &c.v[1]), "TCP: data");
    ck_assert_str_eq(chapter_phase_name(c.v[3].phase), "arp");
    /* every record in exactly one chapter */
    for (size_t i = 0; i < f.ix.n; i++) {
        long k = chapter_of(&c, i);
        ck_assert_int_ge(k, 0);
        ck_assert(c.v[k].first <= i && i <= c.v[k].last);
    }
    ck_assert_int_eq(chapter_of(&c, f.ix.n), -1);
    chapters_free(&c);
    fx_close(&f);
}
END_TEST

START_TEST(test_one_protocol_has_no_default_chapters)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);          /* a link: TCP alone */
    struct chapters c;
    chapters_build(&c, &f.s.tr, f.scn);
    ck_assert_uint_eq(c.n, 0);
    ck_assert_int_eq(chapter_of(&c, 0), -1);
    ck_assert_int_eq(view_chapter_jump(&c, 0, 1), -1);
    chapters_free(&c);
    fx_close(&f);
}
END_TEST

/* A crowd of connections changes phase by the hundred: no default
 * chapters then; a few connections keep theirs. */
START_TEST(test_crowd_has_no_default_chapters)
{
    static const char CYCLES[] =
        "lan home 192.0.2.0/24 delay 1ms\n"
        "host client 192.0.2.10 on home\n"
        "host server 192.0.2.80 on home\n"
        "at 0ms server listen 80\n"
        "repeat %d as i: at {i * 100 + 10}ms client connect server 80\n"
        "repeat %d as i: at {i * 100 + 30}ms client send \"x\"\n"
        "repeat %d as i: at {i * 100 + 50}ms client close\n";
    char text[1024];
    struct fixture f;
    struct chapters c;
    snprintf(text, sizeof text, CYCLES, 5, 5, 5);
    fx_open(&f, text, 120, 40, 1);
    chapters_build(&c, &f.s.tr, f.scn);
    ck_assert_uint_eq(c.n, 16);     /* open, data, close, 5 times; ARP ages */
    chapters_free(&c);
    fx_close(&f);
    snprintf(text, sizeof text, CYCLES, 30, 30, 30);
    fx_open(&f, text, 120, 40, 1);
    chapters_build(&c, &f.s.tr, f.scn);
    ck_assert_uint_eq(c.n, 0);
    chapters_free(&c);
    fx_close(&f);
}
END_TEST

/* The online detector the streamed --json and --batch use agrees with the
 * whole-trace build, given the sent frames decoded (--json) or not. */
/* DNS, then HTTP on two servers and framed messages: chapters of every
 * family, and frames that decide them (tests/narration/http-and-framing.scn) */
#define DNS_HTTP \
    "lan net 198.51.100.0/24 delay 2ms\n" \
    "host client   198.51.100.10 on net dns 198.51.100.53\n" \
    "host nodns    198.51.100.11 on net\n" \
    "host resolver 198.51.100.53 on net\n" \
    "host root     198.51.100.200 on net\n" \
    "host www      198.51.100.80 on net\n" \
    "host web2     198.51.100.81 on net\n" \
    "zone root .\n" \
    "record root www.example.com. 300 IN A 198.51.100.80\n" \
    "resolver resolver hints 198.51.100.200\n" \
    "at 0ms    www http serve 8080 \"<p>port 8080</p>\"\n" \
    "at 0ms    web2 http serve 80\n" \
    "at 10ms   client http get www.example.com /x port 8080\n" \
    "at 10ms   nodns resolve www.example.com\n" \
    "at 20ms   nodns http get 198.51.100.81 /\n" \
    "at 2s     web2 listen 9000\n" \
    "at 2.1s   nodns connect web2 9000\n" \
    "at 2.3s   nodns send framed \"first message\"\n" \
    "at 2.3s   nodns send framed 300 bytes\n" \
    "at 2.6s   web2 recv framed\n" \
    "at 2.7s   web2 recv framed\n"

START_TEST(test_chapters_record_by_record_agree)
{
    struct fixture f;
    fx_open(&f, _i ? DNS_HTTP : LAN_TCP, 120, 40, 1);
    struct chapters a, b;
    chapters_build(&a, &f.s.tr, f.scn);
    chapters_begin(&b, f.scn);
    for (size_t i = 0; i < f.s.tr.n; i++)
        chapters_rec(&b, &f.s.tr, i, &f.s.tr.recs[i]);
    chapters_end(&b);
    chapters_end(&b);                            /* a second end changes nothing */
    /* and given each sent frame decoded, as --json gives it (json.c) */
    struct chapters c;
    size_t given = 0;
    chapters_begin(&c, f.scn);
    for (size_t i = 0; i < f.s.tr.n; i++) {
        const struct trace_rec *r = &f.s.tr.recs[i];
        struct frame fr;
        const struct frame *fp = NULL;
        if (r->kind == TK_SEND && !r->u.pkt.dup) {
            size_t len;
            const uint8_t *p = trace_blob_data(&f.s.tr, r->u.pkt.pkt, &len);
            char err[64];
            ck_assert_int_eq(frame_decode_fields(p, len, &fr, err, sizeof err), 0);
            fp = &fr;
            given++;
        }
        chapters_rec_frame(&c, &f.s.tr, i, r, fp);
    }
    chapters_end(&c);
    ck_assert_uint_gt(given, 10);
    ck_assert_uint_gt(a.n, 1);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_uint_eq(a.n, c.n);
    for (size_t k = 0; k < a.n; k++) {
        ck_assert_uint_eq(a.v[k].first, b.v[k].first);
        ck_assert_uint_eq(a.v[k].last, b.v[k].last);
        ck_assert_int_eq(a.v[k].t_us, f.s.tr.recs[a.v[k].first].t_us);
        ck_assert_uint_eq(a.v[k].first, c.v[k].first);
        ck_assert_uint_eq(a.v[k].last, c.v[k].last);
        ck_assert_int_eq(a.v[k].phase, c.v[k].phase);
    }
    chapters_free(&a);
    chapters_free(&b);
    chapters_free(&c);
    fx_close(&f);
}
END_TEST

static char *with_lines(const char *base, const char *more)
{
    char *t = malloc(strlen(base) + strlen(more) + 1);
    strcpy(t, base);
    strcat(t, more);
    return t;
}

START_TEST(test_chapter_lines_make_the_chapters)
{
    char *text = with_lines(HANDSHAKE,
        "at 10ms chapter \"Opening\" zh \"\xe6\x89\x93\xe5\xbc\x80\"\n"
        "at 50ms chapter \"The third segment\"\n"
        "at 100s chapter \"After the end\"\n");
    struct fixture f;
    fx_open(&f, text, 120, 40, 1);
    struct chapters c;
    chapters_build(&c, &f.s.tr, f.scn);
    /* each at the first record of its instant: before the events there;
     * the records before the first one belong to none; a chapter after
     * the last record is left out */
    ck_assert_uint_eq(c.n, 2);
    assert_chapter(&c, 0, 2, 11, CH_LESSON);
    assert_chapter(&c, 1, 12, 19, CH_LESSON);
    ck_assert_int_eq(chapter_of(&c, 1), -1);
    ck_assert_int_eq(chapter_of(&c, 11), 0);
    ck_assert_str_eq(chapter_title(&c, &c.v[0]), "Opening");
    /* the keys' targets */
    ck_assert_int_eq(view_chapter_jump(&c, 0, 1), 2);
    ck_assert_int_eq(view_chapter_jump(&c, 2, 1), 12);
    ck_assert_int_eq(view_chapter_jump(&c, 12, 1), -1);
    ck_assert_int_eq(view_chapter_jump(&c, 15, -1), 12);   /* this one's start */
    ck_assert_int_eq(view_chapter_jump(&c, 12, -1), 2);    /* then the one before */
    ck_assert_int_eq(view_chapter_jump(&c, 2, -1), -1);
    /* ) and ( in the view, and the title bar */
    f.st.chapters = &c;
    f.st.lesson = f.scn;
    f.st.cur = 0;
    ck_assert_int_eq(view_apply(&f.ix, &f.st, ACT_CHAPTER_NEXT, 120, 40), VE_NONE);
    ck_assert_uint_eq(f.st.cur, 2);
    ck_assert(contains(f.st.msg, "chapter 1/2: Opening"));
    view_apply(&f.ix, &f.st, ACT_CHAPTER_NEXT, 120, 40);
    ck_assert_uint_eq(f.st.cur, 12);
    view_apply(&f.ix, &f.st, ACT_CHAPTER_NEXT, 120, 40);
    ck_assert_uint_eq(f.st.cur, 12);
    ck_assert(contains(f.st.msg, "no later chapter"));
    f.st.cur = 15;
    char *t = screen_at(&f, 15);
    ck_assert(contains(t, "chapter 2/2: The third segment"));
    free(t);
    view_apply(&f.ix, &f.st, ACT_CHAPTER_PREV, 120, 40);
    ck_assert_uint_eq(f.st.cur, 12);
    chapters_free(&c);
    fx_close(&f);
    free(text);
}
END_TEST

START_TEST(test_card_shows_title_describe_and_chapters)
{
    struct fixture f;
    fx_open(&f, LAN_TCP, 120, 40, 1);
    struct chapters c;
    chapters_build(&c, &f.s.tr, f.scn);
    f.st.chapters = &c;
    f.st.lesson = f.scn;
    struct view_lines l = { 0 };
    view_card_lines(&f.st, 60, &l);
    char *t = lines_text(&l);
    ck_assert_str_eq(l.v[0].text, "On a LAN");
    /* the describe lines as one paragraph, wrapped to the card */
    ck_assert(contains(t, "Two hosts on one LAN open a connection, send five bytes"));
    ck_assert(contains(t, "3. TCP: the connection closes"));
    for (int i = 0; i < l.n; i++)
        ck_assert_int_le(view_text_width(l.v[i].text), 60);
    free(t);
    view_lines_free(&l);
    /* i opens it; drawn over the view */
    view_apply(&f.ix, &f.st, ACT_CARD, 120, 40);
    ck_assert_int_eq(f.st.overlay, OV_CARD);
    t = screen_at(&f, 0);
    ck_assert(contains(t, "any key continues"));
    ck_assert(contains(t, "send five bytes and close it."));
    free(t);
    chapters_free(&c);
    fx_close(&f);
}
END_TEST

START_TEST(test_time_jump_rule)
{
    char *text = with_lines(HANDSHAKE, "at 30s client close\n");
    struct fixture f;
    fx_open(&f, text, 120, 40, 1);
    /* the gaps are tens of ms: a second or more is a jump */
    ck_assert_int_eq(f.ix.jump_us, 1000000);
    ck_assert_int_eq(view_jump_threshold(&f.s.tr), 1000000);
    size_t jumps = 0, at = 0;
    for (size_t i = 0; i < f.ix.n; i++)
        if (view_time_jump(&f.ix, i)) {
            jumps++;
            at = i;
        }
    ck_assert_uint_eq(jumps, 1);
    ck_assert_int_eq(f.s.tr.recs[at].t_us, 30000000);
    ck_assert_int_lt(f.s.tr.recs[at - 1].t_us, 1000000);
    ck_assert(!view_time_jump(&f.ix, 0));
    /* drawn: a mark on the row after the gap, none before it */
    char *t = diagram_at(&f, at - 1);
    ck_assert(!contains(t, "\xe2\x89\x88"));
    free(t);
    t = diagram_at(&f, at);
    ck_assert(contains(t, "\xe2\x89\x88"));
    free(t);
    fx_close(&f);
    free(text);
    /* a run whose every gap is 20 ms has no jump at all */
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    for (size_t i = 0; i < f.ix.n; i++)
        ck_assert(!view_time_jump(&f.ix, i));
    fx_close(&f);
}
END_TEST

/* Twenty times the median gap, when that is more than a second: SYNs
 * retransmitted a second or more apart are not jumps in a run of them. */
START_TEST(test_time_jump_is_relative_to_the_run)
{
    static const char LOSSY[] =
        "host client 192.0.2.10\nhost server 192.0.2.80\n"
        "link client server delay 500ms\n"
        "at 0ms server listen 80\n"
        "at 0ms client connect server 80\n"
        "at 12s client send \"a\"\n"
        "at 24s client send \"b\"\n"
        "at 36s client send \"c\"\n"
        "at 600s client close\n";
    struct fixture f;
    fx_open(&f, LOSSY, 120, 40, 1);
    ck_assert_int_gt(f.ix.jump_us, 1000000);
    size_t jumps = 0;
    for (size_t i = 0; i < f.ix.n; i++)
        if (view_time_jump(&f.ix, i)) {
            jumps++;
            ck_assert_int_ge(f.s.tr.recs[i].t_us - f.s.tr.recs[i - 1].t_us,
                             f.ix.jump_us);
        }
    ck_assert_uint_ge(jumps, 1);
    fx_close(&f);
}
END_TEST

START_TEST(test_lifelines_hidden_and_moved)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    int lanes[VIEW_CROWD_HOSTS];
    ck_assert_int_eq(view_lanes(&f.st, 2, lanes), 2);
    ck_assert_int_eq(lanes[0], 0);
    ck_assert_int_eq(lanes[1], 1);
    /* H on the server: only the client's lifeline */
    f.st.host = 1;
    view_apply(&f.ix, &f.st, ACT_LANE_HIDE, 120, 40);
    ck_assert_int_eq(view_lanes(&f.st, 2, lanes), 1);
    ck_assert_int_eq(lanes[0], 0);
    char *t = diagram_at(&f, 19);                /* packets to nobody: no crash */
    char head[256];
    view_screen_line(&f.scr, 1, head, sizeof head);   /* the hosts' names */
    ck_assert(contains(head, "client"));
    ck_assert(!contains(head, "server"));
    free(t);
    /* the last lifeline stays */
    f.st.host = 0;
    view_apply(&f.ix, &f.st, ACT_LANE_HIDE, 120, 40);
    ck_assert_int_eq(view_lanes(&f.st, 2, lanes), 1);
    ck_assert(contains(f.st.msg, "last lifeline"));
    /* A: all of them, in the lesson's order */
    view_apply(&f.ix, &f.st, ACT_LANE_SHOW, 120, 40);
    ck_assert_int_eq(view_lanes(&f.st, 2, lanes), 2);
    /* < on the server: it goes first, and the columns follow */
    f.st.host = 1;
    view_apply(&f.ix, &f.st, ACT_LANE_LEFT, 120, 40);
    ck_assert_int_eq(view_lanes(&f.st, 2, lanes), 2);
    ck_assert_int_eq(lanes[0], 1);
    ck_assert_int_eq(lanes[1], 0);
    t = diagram_at(&f, 19);
    view_screen_line(&f.scr, 1, head, sizeof head);
    ck_assert_ptr_nonnull(strstr(head, "server"));
    ck_assert_ptr_nonnull(strstr(head, "client"));
    ck_assert(strstr(head, "server") < strstr(head, "client"));
    free(t);
    view_apply(&f.ix, &f.st, ACT_LANE_LEFT, 120, 40);
    ck_assert(contains(f.st.msg, "leftmost"));
    view_apply(&f.ix, &f.st, ACT_LANE_RIGHT, 120, 40);
    view_lanes(&f.st, 2, lanes);
    ck_assert_int_eq(lanes[0], 0);
    fx_close(&f);
}
END_TEST

/* A segment to a host whose lifeline is hidden still leaves its sender,
 * a short arrow towards the side that host's lifeline would be on, in the
 * order the lifelines are drawn (the user's, after < and >). */
START_TEST(test_segment_to_a_hidden_lifeline_points_its_way)
{
    static const char three[] =
        "title \"three\"\n"
        "lan office 10.0.0.0/24\n"
        "host alpha 10.0.0.1 on office\n"
        "host bravo 10.0.0.2 on office\n"
        "host charlie 10.0.0.3 on office\n"
        "at 0ms charlie listen 80\n"
        "at 1ms alpha connect charlie 80\n";
    struct fixture f;
    fx_open(&f, three, 120, 40, 1);
    /* the SYN's arrival at charlie */
    size_t syn_in = 0;
    for (size_t i = 0; i < f.s.tr.n && !syn_in; i++) {
        const struct trace_rec *r = &f.s.tr.recs[i];
        if (r->kind == TK_RECV && r->layer == TL_TCP && r->host == 2)
            syn_in = i;
    }
    ck_assert_uint_gt(syn_in, 0);
    /* charlie hidden where the lesson puts it, right of alpha */
    f.st.host = 2;
    view_apply(&f.ix, &f.st, ACT_LANE_HIDE, 120, 40);
    char *t = diagram_at(&f, syn_in);
    ck_assert_msg(contains(t, "──▶"), "no arrow to the right:\n%s", t);
    ck_assert_msg(!contains(t, "◀"), "an arrow to the left:\n%s", t);
    free(t);
    /* charlie moved first, then hidden: the SYN points left */
    view_apply(&f.ix, &f.st, ACT_LANE_SHOW, 120, 40);
    f.st.host = 2;
    view_apply(&f.ix, &f.st, ACT_LANE_LEFT, 120, 40);
    view_apply(&f.ix, &f.st, ACT_LANE_LEFT, 120, 40);
    view_apply(&f.ix, &f.st, ACT_LANE_HIDE, 120, 40);
    t = diagram_at(&f, syn_in);
    ck_assert_msg(contains(t, "◀──"), "no arrow to the left:\n%s", t);
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_state_pane_puts_the_selected_host_first)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    int order[2];
    f.st.host = 1;
    view_state_host_order(&f.st, 2, order);
    ck_assert_int_eq(order[0], 1);
    ck_assert_int_eq(order[1], 0);
    struct view_lines l = { 0 };
    f.st.cur = 19;
    view_state_lines(&f.ix, &f.st, 40, &l);
    ck_assert(contains(l.v[0].text, "server"));
    view_lines_free(&l);
    f.st.host = 0;
    view_state_lines(&f.ix, &f.st, 40, &l);
    ck_assert(contains(l.v[0].text, "client"));
    view_lines_free(&l);
    /* selecting another host scrolls the pane back to it */
    f.st.scroll[PANE_STATE] = 3;
    view_apply(&f.ix, &f.st, ACT_HOST_NEXT, 120, 40);
    ck_assert_int_eq(f.st.host, 1);
    ck_assert_int_eq(f.st.scroll[PANE_STATE], 0);
    fx_close(&f);
}
END_TEST

/* Ten hosts at 120 columns: lifelines 11 apart.  The states say their
 * protocol and take the short form rather than being cut. */
START_TEST(test_state_labels_name_protocol_and_fit)
{
    static const char MANY[] =
        "lan home 192.0.2.0/24 delay 1ms\n"
        "host a 192.0.2.1 on home\nhost b 192.0.2.2 on home\n"
        "host client 192.0.2.10 on home\nhost server 192.0.2.80 on home\n"
        "host c 192.0.2.3 on home\nhost d 192.0.2.4 on home\n"
        "host e 192.0.2.5 on home\nhost f 192.0.2.6 on home\n"
        "host g 192.0.2.7 on home\nhost h 192.0.2.8 on home\n"
        "at 0ms server listen 80\n"
        "at 10ms client connect server 80\n";
    struct fixture f;
    fx_open(&f, MANY, 120, 40, 1);
    int seen_estab = 0, seen_arp = 0;
    for (size_t i = 0; i < f.ix.n; i++) {
        char *t = diagram_at(&f, i);
        seen_estab |= contains(t, "TCP ESTAB");
        seen_arp |= contains(t, "ARP REACHABLE") || contains(t, "ARP STALE");
        ck_assert_msg(!contains(t, "TCP ESTABLISH\xe2\x80\xa6") &&
                      !contains(t, "TCP SYN_RECEIV\xe2\x80\xa6"),
                      "a state cut short at event %zu", i + 1);
        free(t);
    }
    ck_assert(seen_estab);
    ck_assert(seen_arp);
    fx_close(&f);
    /* wide: the full names */
    fx_open(&f, HANDSHAKE, 120, 40, 1);
    char *t = diagram_at(&f, 19);
    ck_assert(contains(t, "TCP ESTABLISHED"));
    ck_assert(contains(t, "TCP SYN_RECEIVED") || contains(t, "TCP LISTEN"));
    free(t);
    fx_close(&f);
}
END_TEST

Suite *view_suite(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("layout");
    tcase_add_test(tc, test_columns_two_hosts_in_80);
    tcase_add_test(tc, test_columns_one_host_is_centred);
    tcase_add_test(tc, test_columns_many_hosts_evenly_spaced);
    tcase_add_test(tc, test_layout_minimum_and_too_small);
    tcase_add_test(tc, test_layout_wide_side_by_side_and_projector);
    suite_add_tcase(s, tc);

    tc = tcase_create("paths");
    tcase_add_test(tc, test_path_rightwards_staircase);
    tcase_add_test(tc, test_paths_at_once_paint_as_in_order);
    tcase_add_test(tc, test_path_steep_runs);
    tcase_add_test(tc, test_path_leftwards_staircase);
    tcase_add_test(tc, test_path_ascii_and_in_flight);
    tcase_add_test(tc, test_path_steeper_than_wide_goes_down);
    suite_add_tcase(s, tc);

    tc = tcase_create("rows");
    tcase_add_test(tc, test_index_links_sends_and_timers);
    tcase_add_test(tc, test_handshake_lifelines_and_headers);
    tcase_add_test(tc, test_handshake_states_appear_at_their_event);
    tcase_add_test(tc, test_packet_in_flight_then_arrived);
    tcase_add_test(tc, test_only_the_prefix_is_shown);
    tcase_add_test(tc, test_timer_bar_and_remaining_time);
    tcase_add_test(tc, test_notes_are_full_width_rows);
    tcase_add_test(tc, test_dropped_packet_ends_in_a_cross);
    tcase_add_test(tc, test_broadcast_reaches_every_lifeline);
    tcase_add_test(tc, test_lan_broadcast_arp_and_dns);
    tcase_add_test(tc, test_empty_trace);
    tcase_add_test(tc, test_too_small_screen);
    tcase_add_test(tc, test_too_small_wraps_never_overlaps);
    tcase_add_test(tc, test_too_small_below_eight_columns);
    tcase_add_test(tc, test_open_list_shows_the_selected_title_whole);
    tcase_add_test(tc, test_wrap_chinese_punctuation);
    tcase_add_test(tc, test_zero_width_characters_take_no_cell);
    tcase_add_test(tc, test_combining_mark_stays_on_its_character);
    tcase_add_test(tc, test_state_pane_columns_with_chinese_names);
    tcase_add_test(tc, test_card_taller_than_the_window_says_so);
    tcase_add_test(tc, test_state_pane_long_name_keeps_its_state);
    tcase_add_test(tc, test_ascii_fallback_has_only_ascii);
    tcase_add_test(tc, test_projector_mode);
    suite_add_tcase(s, tc);

    tc = tcase_create("stepping");
    tcase_add_test(tc, test_stepping_back_equals_first_reach);
    tcase_add_test(tc, test_step_limits_and_messages);
    tcase_add_test(tc, test_cut_run_says_so);
    tcase_add_test(tc, test_search_line_keeps_whole_characters);
    tcase_add_test(tc, test_jump_by_host_and_protocol);
    tcase_add_test(tc, test_search_summaries);
    tcase_add_test(tc, test_pane_focus_scrolls_instead_of_stepping);
    suite_add_tcase(s, tc);

    tc = tcase_create("panes");
    tcase_add_test(tc, test_inspector_decodes_layers);
    tcase_add_test(tc, test_inspector_payload_hex_and_text);
    tcase_add_test(tc, test_state_pane_follows_the_prefix);
    tcase_add_test(tc, test_help_lists_every_key);
    tcase_add_test(tc, test_help_never_cut);
    suite_add_tcase(s, tc);

    tc = tcase_create("classroom");
    tcase_add_test(tc, test_default_chapters_follow_the_protocol_phases);
    tcase_add_test(tc, test_time_wait_end_is_not_in_the_arp_chapter);
    tcase_add_test(tc, test_one_protocol_has_no_default_chapters);
    tcase_add_loop_test(tc, test_chapters_record_by_record_agree, 0, 2);
    tcase_add_test(tc, test_crowd_has_no_default_chapters);
    tcase_add_test(tc, test_chapter_lines_make_the_chapters);
    tcase_add_test(tc, test_card_shows_title_describe_and_chapters);
    tcase_add_test(tc, test_time_jump_rule);
    tcase_add_test(tc, test_time_jump_is_relative_to_the_run);
    tcase_add_test(tc, test_lifelines_hidden_and_moved);
    tcase_add_test(tc, test_segment_to_a_hidden_lifeline_points_its_way);
    tcase_add_test(tc, test_state_pane_puts_the_selected_host_first);
    tcase_add_test(tc, test_state_labels_name_protocol_and_fit);
    suite_add_tcase(s, tc);

    tc = tcase_create("fold");
    tcase_add_test(tc, test_fold_the_forged_crowd);
    tcase_add_test(tc, test_fold_inside_a_row_counts_only_what_happened);
    tcase_add_test(tc, test_fold_needs_a_crowd);
    tcase_add_test(tc, test_fold_a_flood_on_a_lan);
    tcase_add_test(tc, test_fold_holds_for_random_floods);
    suite_add_tcase(s, tc);

    tc = tcase_create("kernel");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_kernel_columns_which_hosts);
    tcase_add_test(tc, test_kernel_columns_widths_at_80_and_120);
    tcase_add_test(tc, test_kernel_index_marks);
    tcase_add_test(tc, test_kernel_look_before_and_after_the_call);
    tcase_add_test(tc, test_kernel_column_rows_and_marks);
    tcase_add_test(tc, test_kernel_folded_when_too_narrow);
    tcase_add_test(tc, test_kernel_column_from_a_real_teardown);
    tcase_add_test(tc, test_kernel_inspector_and_state_pane);
    tcase_add_test(tc, test_kernel_stepping_back_equals_first_reach);
    tcase_add_test(tc, test_state_tables_match_the_prefix);
    tcase_add_test(tc, test_state_pane_in_a_crowd);
    tcase_add_test(tc, test_diagram_in_a_crowd);
    suite_add_tcase(s, tc);
    return s;
}
