/* test_export.c — Check suite for --export's pure parts (ui/export*.c): format names, the --from/--to rule, XML and Mermaid escaping, Mermaid lines per record, the SVG's geometry, and the txt ladder as the view draws it. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "export.h"
#include "lang.h"
#include "sim.h"
#include "view.h"
#include "suites.h"
#include "testutil.h"

/* handshake (as in test_view.c).  Records:
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

/* Three hosts on a LAN: the ARP request is a broadcast both others get. */
static const char LAN[] =
    "lan home 192.0.2.0/24 delay 1ms\n"
    "host a 192.0.2.1 on home\n"
    "host b 192.0.2.2 on home\n"
    "host c 192.0.2.3 on home\n"
    "at 0ms b listen 80\n"
    "at 1ms a connect b 80\n";

struct fx {
    struct scenario *scn;
    struct sim s;
    struct view_index ix;
};

static void fx_open(struct fx *f, const char *text)
{
    f->scn = tu_parse(text);
    sim_init(&f->s, f->scn, 1);
    sim_run(&f->s);
    view_index_build(&f->ix, &f->s.tr);
}

static void fx_close(struct fx *f)
{
    view_index_free(&f->ix);
    sim_free(&f->s);
    scenario_free(f->scn);
}

/* What an export writes, as a string (malloc'd). */
static char *export_str(struct fx *f, int format, size_t first, size_t last, int ascii,
                        int width)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    struct export_opts o = { .format = format, .ascii = ascii, .width = width,
                             .first = first, .last = last, .scn = f->scn };
    ck_assert_int_eq(export_write(fp, &f->ix, &o), 0);
    fclose(fp);
    return buf;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

START_TEST(test_format_names)
{
    ck_assert_int_eq(export_format_parse("svg"), EXPORT_SVG);
    ck_assert_int_eq(export_format_parse("html"), EXPORT_HTML);
    ck_assert_int_eq(export_format_parse("mermaid"), EXPORT_MERMAID);
    ck_assert_int_eq(export_format_parse("txt"), EXPORT_TXT);
    ck_assert_int_eq(export_format_parse("SVG"), -1);
    ck_assert_int_eq(export_format_parse("pdf"), -1);
    ck_assert_int_eq(export_format_parse(""), -1);
    ck_assert_str_eq(export_format_name(EXPORT_MERMAID), "mermaid");
}
END_TEST

START_TEST(test_bounds_parse)
{
    struct export_bound b;
    ck_assert_int_eq(export_bound_parse("5", &b), 0);
    ck_assert(b.set && !b.is_time && b.ev == 5);
    ck_assert_int_eq(export_bound_parse("10ms", &b), 0);
    ck_assert(b.set && b.is_time && b.t_us == 10000);
    ck_assert_int_eq(export_bound_parse("1.5s", &b), 0);
    ck_assert(b.is_time && b.t_us == 1500000);
    ck_assert_int_eq(export_bound_parse("0s", &b), 0);
    ck_assert(b.is_time && b.t_us == 0);
    ck_assert_int_eq(export_bound_parse("250us", &b), 0);
    ck_assert(b.t_us == 250);
    ck_assert_int_eq(export_bound_parse("2m", &b), 0);
    ck_assert(b.t_us == 120000000);
    /* event numbers start at 1, as the view shows them */
    ck_assert_int_eq(export_bound_parse("0", &b), -1);
    ck_assert_int_eq(export_bound_parse("-1", &b), -1);
    ck_assert_int_eq(export_bound_parse("", &b), -1);
    ck_assert_int_eq(export_bound_parse("10pc", &b), -1);
    ck_assert_int_eq(export_bound_parse("1.s", &b), -1);
    ck_assert_int_eq(export_bound_parse("ms", &b), -1);
    /* an event number or a time past 64 bits is one no run reaches: the
     * largest there is, so that it is told as past the run's end */
    ck_assert_int_eq(export_bound_parse("99999999999999999999", &b), 0);
    ck_assert(b.set && !b.is_time && b.ev == UINT64_MAX);
    ck_assert_int_eq(export_bound_parse("99999999999999999999999h", &b), 0);
    ck_assert(b.set && b.is_time && b.t_us == INT64_MAX);
    ck_assert_int_eq(export_bound_parse("9223372036854775807us", &b), 0);
    ck_assert(b.t_us == INT64_MAX);
    ck_assert_int_eq(export_bound_parse("9223372036854.775808s", &b), 0);
    ck_assert(b.t_us == INT64_MAX);
    ck_assert_int_eq(export_bound_parse("9223372036854775.806ms", &b), 0);
    ck_assert(b.t_us == INT64_MAX - 1);
    ck_assert_int_eq(export_bound_parse("00000000000000000000000", &b), -1);
}
END_TEST

START_TEST(test_range_rule)
{
    struct fx f;
    fx_open(&f, HANDSHAKE);
    struct export_bound a = { 0 }, b = { 0 };
    size_t lo, hi;
    ck_assert_int_eq(export_range(&f.s.tr, &a, &b, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 0);
    ck_assert_uint_eq(hi, 19);
    export_bound_parse("3", &a);
    export_bound_parse("7", &b);
    ck_assert_int_eq(export_range(&f.s.tr, &a, &b, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 2);                /* #3 is record 2 */
    ck_assert_uint_eq(hi, 6);
    export_bound_parse("999", &b);           /* past the end: the end */
    ck_assert_int_eq(export_range(&f.s.tr, &a, &b, &lo, &hi), 0);
    ck_assert_uint_eq(hi, 19);
    export_bound_parse("21", &a);            /* no such event */
    ck_assert_int_eq(export_range(&f.s.tr, &a, NULL, &lo, &hi), -1);
    export_bound_parse("20", &a);
    ck_assert_int_eq(export_range(&f.s.tr, &a, NULL, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 19);
    export_bound_parse("9", &a);
    export_bound_parse("3", &b);
    ck_assert_int_eq(export_range(&f.s.tr, &a, &b, &lo, &hi), -1);
    /* times: from the first event at or after, to the last at or before */
    export_bound_parse("30ms", &a);
    export_bound_parse("50ms", &b);
    ck_assert_int_eq(export_range(&f.s.tr, &a, &b, &lo, &hi), 0);
    ck_assert_uint_eq(lo, 7);                /* the note at 30ms */
    ck_assert_uint_eq(hi, 16);               /* the client's ACK at 50ms */
    export_bound_parse("11ms", &a);
    export_bound_parse("29ms", &b);          /* nothing happens in between */
    ck_assert_int_eq(export_range(&f.s.tr, &a, &b, &lo, &hi), -1);
    export_bound_parse("1s", &a);
    ck_assert_int_eq(export_range(&f.s.tr, &a, NULL, &lo, &hi), -1);
    fx_close(&f);
}
END_TEST

static char *xml(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    export_xml_text(fp, s);
    fclose(fp);
    return buf;
}

START_TEST(test_xml_escaping)
{
    char *x = xml("a<b & \"c\" 'd'>");
    ck_assert_str_eq(x, "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    free(x);
    x = xml("客户端 seq=1");
    ck_assert_str_eq(x, "客户端 seq=1");
    free(x);
    /* what XML 1.0 cannot hold: controls, C1, bytes that are not UTF-8 */
    x = xml("a\x01" "b\x1b[31m" "c\xc2\x85" "d\xff" "e\tf");
    ck_assert_str_eq(x, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31m" "c\xEF\xBF\xBD" "d\xEF\xBF\xBD"
                        "e\tf");
    free(x);
}
END_TEST

START_TEST(test_mermaid_escaping)
{
    char b[64];
    ck_assert_str_eq(export_mermaid_text("a;b#c<d>\"e\"", b, sizeof b),
                     "a#59;b#35;c#60;d#62;#34;e#34;");
    ck_assert_str_eq(export_mermaid_text("two\nlines", b, sizeof b), "two lines");
    ck_assert_str_eq(export_mermaid_text("%% not a comment", b, sizeof b),
                     "#37;#37; not a comment");
    ck_assert_str_eq(export_mermaid_text("客户端: SYN", b, sizeof b), "客户端: SYN");
    ck_assert_str_eq(export_mermaid_text("bad\xff", b, sizeof b), "bad\xEF\xBF\xBD");
    /* cut on a character boundary, never inside an entity or a character */
    ck_assert_str_eq(export_mermaid_text("ab;c", b, 6), "ab");
    ck_assert_str_eq(export_mermaid_text("a客户", b, 6), "a客");
}
END_TEST

START_TEST(test_mermaid_lines)
{
    struct fx f;
    char b[512];
    fx_open(&f, HANDSHAKE);
    ck_assert_str_eq(export_mermaid_line(&f.ix, 4, b, sizeof b), "P0->>P1: SYN seq=1000");
    ck_assert_str_eq(export_mermaid_line(&f.ix, 9, b, sizeof b),
                     "P1->>P0: SYN,ACK seq=5000 ack=1001");
    ck_assert_str_eq(export_mermaid_line(&f.ix, 3, b, sizeof b), "Note over P0: SYN_SENT");
    ck_assert_str_eq(export_mermaid_line(&f.ix, 0, b, sizeof b), "Note over P1: listen(80)");
    ck_assert_str_eq(export_mermaid_line(&f.ix, 7, b, sizeof b), "");   /* a reception */
    ck_assert_str_eq(export_mermaid_line(&f.ix, 5, b, sizeof b), "");   /* a timer start */
    ck_assert_str_eq(export_mermaid_line(&f.ix, 11, b, sizeof b),
                     "Note over P0,P1: server answers SYN,ACK seq=5000 ack=1001: "
                     "'got 1000#59; mine start at 5000'");
    char *m = export_str(&f, EXPORT_MERMAID, 0, 19, 0, 0);
    ck_assert_ptr_nonnull(strstr(m, "%% Three-way handshake\nsequenceDiagram\n"
                                    "    participant P0 as client (192.0.2.10)\n"
                                    "    participant P1 as server (192.0.2.80)\n"));
    ck_assert_int_eq(count(m, "->>"), 3);
    ck_assert_int_eq(count(m, "Note over P0,P1: "), 3);
    free(m);
    fx_close(&f);

    fx_open(&f, SYNLOSS);
    size_t i;
    for (i = 0; i < f.ix.n && f.s.tr.recs[i].kind != TK_SEND; i++)
        ;
    ck_assert_uint_lt(i, f.ix.n);
    ck_assert_str_eq(export_mermaid_line(&f.ix, i, b, sizeof b),
                     "P0-xP1: SYN seq=1000 (dropped (fault))");
    m = export_str(&f, EXPORT_MERMAID, 0, f.ix.n - 1, 0, 0);
    ck_assert_ptr_nonnull(strstr(m, "Note over P0: RTO expired\n"));
    free(m);
    fx_close(&f);

    /* a broadcast: one message to every host it reached */
    fx_open(&f, LAN);
    for (i = 0; i < f.ix.n && !(f.s.tr.recs[i].kind == TK_SEND &&
                                f.s.tr.recs[i].u.pkt.dst == HOST_BROADCAST); i++)
        ;
    ck_assert_uint_lt(i, f.ix.n);
    export_mermaid_line(&f.ix, i, b, sizeof b);
    ck_assert_ptr_nonnull(strstr(b, "P0->>P1: ARP who-has 192.0.2.2 tell 192.0.2.1 (broadcast)"));
    ck_assert_ptr_nonnull(strstr(b, "\nP0->>P2: ARP who-has 192.0.2.2 tell 192.0.2.1 (broadcast)"));
    fx_close(&f);
}
END_TEST

START_TEST(test_svg_geometry)
{
    struct fx f;
    fx_open(&f, HANDSHAKE);
    struct export_geom g;
    export_geom_init(&g, &f.ix, 0, 19);
    ck_assert_int_eq(g.nhosts, 2);
    /* lanes left to right, far enough apart for the widest label between
     * them, inside the picture */
    ck_assert(g.lane_x[0] > g.time_w);
    ck_assert(g.lane_x[1] > g.lane_x[0]);
    ck_assert(g.lane_x[1] - g.lane_x[0] >= export_text_px("SYN,ACK seq=5000 ack=1001") + 20);
    ck_assert(g.lane_x[1] < g.width);
    /* a row per event, in order, below the header; the picture holds them */
    for (long i = 0; i < 19; i++)
        ck_assert(export_row_y(&g, i + 1) - export_row_y(&g, i) == g.row_h);
    ck_assert(export_row_y(&g, 0) - g.row_h / 2 >= g.body_y);
    ck_assert(export_row_y(&g, 19) + g.row_h / 2 <= g.height);
    ck_assert(g.body_y > g.head_h);
    /* the widest note fits */
    ck_assert(g.width - g.time_w >= export_text_px("server answers SYN,ACK seq=5000 "
                                                   "ack=1001: 'got 1000; mine start at 5000'"));
    export_geom_free(&g);
    /* a range: its first event is the first row; earlier ones are above */
    export_geom_init(&g, &f.ix, 8, 12);
    ck_assert(export_row_y(&g, 8) == g.body_y + g.row_h / 2);
    ck_assert(export_row_y(&g, 4) < g.body_y);
    ck_assert(export_row_y(&g, 13) > g.height - 12);
    export_geom_free(&g);
    /* CJK counts two columns */
    ck_assert(export_text_px("客户端") == export_text_px("client"));
    fx_close(&f);
}
END_TEST

START_TEST(test_svg_content)
{
    struct fx f;
    fx_open(&f, HANDSHAKE);
    char *s = export_str(&f, EXPORT_SVG, 0, 19, 0, 0);
    ck_assert_ptr_nonnull(strstr(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
    ck_assert_int_eq(count(s, "class=\"msg\""), 3);
    ck_assert_int_eq(count(s, "class=\"life\""), 2);
    ck_assert_int_eq(count(s, "class=\"row\""), 20);
    ck_assert_int_eq(count(s, "class=\"tbar\""), 2);
    ck_assert_ptr_nonnull(strstr(s, ">SYN seq=1000</text>"));
    ck_assert_ptr_nonnull(strstr(s, ">ESTABLISHED</text>"));
    ck_assert_ptr_nonnull(strstr(s, "&#39;got 1000; mine start at 5000&#39;"));
    ck_assert_ptr_nonnull(strstr(s, "WenQuanYi Micro Hei"));
    ck_assert_ptr_null(strstr(s, "id=\"ps-clip\""));     /* the page's only */
    ck_assert(strlen(s) > 20 && !strcmp(s + strlen(s) - 7, "</svg>\n"));
    free(s);
    /* a range: only its rows, but the SYN sent before it still arrives */
    s = export_str(&f, EXPORT_SVG, 7, 11, 0, 0);
    ck_assert_int_eq(count(s, "class=\"row\""), 5);
    ck_assert_ptr_nonnull(strstr(s, "class=\"msg\" data-i=\"4\""));
    ck_assert_ptr_nonnull(strstr(s, "class=\"msg\" data-i=\"9\""));
    ck_assert_ptr_null(strstr(s, "class=\"msg\" data-i=\"15\""));
    free(s);
    fx_close(&f);

    fx_open(&f, SYNLOSS);
    s = export_str(&f, EXPORT_SVG, 0, f.ix.n - 1, 0, 0);
    ck_assert_ptr_nonnull(strstr(s, "class=\"arrow lost\""));
    ck_assert_ptr_nonnull(strstr(s, ">dropped (fault)</text>"));
    ck_assert_ptr_nonnull(strstr(s, ">RTO expired</text>"));
    free(s);
    fx_close(&f);
}
END_TEST

START_TEST(test_html_page)
{
    struct fx f;
    fx_open(&f, HANDSHAKE);
    char *s = export_str(&f, EXPORT_HTML, 0, 19, 0, 0);
    ck_assert_ptr_nonnull(strstr(s, "<!DOCTYPE html>\n"));
    ck_assert_ptr_nonnull(strstr(s, "<title>Three-way handshake</title>"));
    ck_assert_ptr_nonnull(strstr(s, "id=\"ps-clip\""));
    ck_assert_ptr_nonnull(strstr(s, "id=\"ps-next\""));
    ck_assert_ptr_nonnull(strstr(s, "ArrowRight"));
    /* every event's data, the inspector's first line included */
    ck_assert_int_eq(count(s, "[\"0.0"), 20);
    ck_assert_ptr_nonnull(strstr(s, "\"#5/20  0.010s  client  send\""));
    /* nothing outside the page */
    ck_assert_ptr_null(strstr(s, "src="));
    ck_assert_ptr_null(strstr(s, "<link"));
    /* no text can close the script: '<' is \u003c in the data */
    const char *sc = strstr(s, "var PS=");
    ck_assert_ptr_nonnull(sc);
    const char *end = strstr(sc, "]};\n");
    ck_assert_ptr_nonnull(end);
    for (const char *p = sc; p < end; p++)
        ck_assert_msg(*p != '<', "a '<' inside the script data");
    free(s);
    fx_close(&f);
    /* a lesson that tries: its note stays text, in the SVG and the data */
    fx_open(&f, "title \"</script><b>x</b>\"\nhost a 192.0.2.1\n"
                "at 0ms note \"</script><script>alert(1)</script>\"\n");
    s = export_str(&f, EXPORT_HTML, 0, f.ix.n - 1, 0, 0);
    ck_assert_int_eq(count(s, "</script>"), 1);
    ck_assert_int_eq(count(s, "<script>"), 1);
    ck_assert_ptr_nonnull(strstr(s, "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)"));
    ck_assert_ptr_nonnull(strstr(s, "&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"));
    free(s);
    fx_close(&f);
}
END_TEST

/* The txt ladder is the view's diagram at the last event, less the mark of
 * the selected event. */
/* A SYN flood's forged crowd folds in the timeline (ui/view_fold.c), but a
 * handout shows every event: the txt pages and the page's inspector have
 * no folded rows. */
START_TEST(test_exports_do_not_fold_the_crowd)
{
    struct fx f;
    fx_open(&f, "host attacker 203.0.113.66\nhost server 192.0.2.80\n"
                "link attacker server delay 5ms\nat 0ms server listen 80 backlog 2\n"
                "repeat 9 as i: at {i * 100}ms inject attacker->server tcp SYN"
                " seq {i * 1000 + 7} sport {1024 + i} dport 80 spoof {198.51.100.1 + i}\n");
    ck_assert_ptr_nonnull(f.ix.crowd);
    size_t last = f.ix.n - 1;
    char *t = export_str(&f, EXPORT_TXT, 0, last, 0, 100);
    ck_assert_ptr_null(strstr(t, "of the crowd"));
    /* every forged SYN is drawn, once */
    for (int i = 0; i < 9; i++) {
        char want[32];
        snprintf(want, sizeof want, "SYN seq=%d ", i * 1000 + 7);
        ck_assert_msg(count(t, want) == 1, "%s: %d times", want, count(t, want));
    }
    free(t);
    t = export_str(&f, EXPORT_HTML, 0, last, 0, 0);
    ck_assert_ptr_null(strstr(t, "Folded row"));
    free(t);
    fx_close(&f);
}
END_TEST

/* --fold: every format draws a run of the crowd as one row that says what
 * it holds, and draws the rest as before. */
START_TEST(test_exports_fold_the_crowd)
{
    struct fx f;
    fx_open(&f, "host attacker 203.0.113.66\nhost server 192.0.2.80\n"
                "host alice 192.0.2.10\nlink attacker server delay 5ms\n"
                "link alice server delay 10ms\nat 0ms server listen 80 backlog 2\n"
                "repeat 9 as i: at {i * 100}ms inject attacker->server tcp SYN"
                " seq {i * 1000 + 7} sport {1024 + i} dport 80 spoof {198.51.100.1 + i}\n"
                "at 450ms alice connect server 80\n");
    ck_assert_ptr_nonnull(f.ix.crowd);
    size_t last = f.ix.n - 1, nfolds = f.ix.nfolds;
    ck_assert_uint_ge(nfolds, 2);
    struct export_opts o = { .format = EXPORT_SVG, .first = 0, .last = last,
                             .scn = f.scn, .fold = 1 };
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    ck_assert_int_eq(export_write(fp, &f.ix, &o), 0);
    fclose(fp);
    /* one band per folded row; the client's SYN drawn, no forged one */
    ck_assert_int_eq(count(buf, "class=\"row fold\""), (int)nfolds);
    ck_assert_int_eq(count(buf, "events of the crowd"), (int)nfolds);
    ck_assert_int_eq(count(buf, "SYN seq=7 "), 0);
    ck_assert_int_ge(count(buf, "connect(server:80)"), 1);
    /* as tall as the rows */
    struct export_geom g;
    export_geom_init(&g, &f.ix, 0, last);
    export_geom_fold(&g, &f.ix);
    char want[96];
    snprintf(want, sizeof want, "height=\"%.0f\"", g.height);
    ck_assert_msg(strstr(buf, want), "%s", want);
    ck_assert(export_row_y(&g, (long)last) < g.height);
    ck_assert(export_row_y(&g, (long)f.ix.folds[0].first) ==
              export_row_y(&g, (long)f.ix.folds[0].last));
    export_geom_free(&g);
    free(buf);

    /* txt: a row per folded run, the same rows as the timeline */
    o.format = EXPORT_TXT;
    o.width = 100;
    buf = NULL;
    fp = open_memstream(&buf, &len);
    ck_assert_int_eq(export_write(fp, &f.ix, &o), 0);
    fclose(fp);
    ck_assert_int_eq(count(buf, "events of the crowd"), (int)nfolds);
    ck_assert_int_eq(count(buf, "\n"), (int)f.ix.nrows + 2);
    free(buf);

    /* mermaid: a note per folded run, a line per other send */
    o.format = EXPORT_MERMAID;
    buf = NULL;
    fp = open_memstream(&buf, &len);
    ck_assert_int_eq(export_write(fp, &f.ix, &o), 0);
    fclose(fp);
    ck_assert_int_eq(count(buf, "Note over P0,P2: "), (int)nfolds);
    ck_assert_int_eq(count(buf, "seq=7 "), 0);
    free(buf);

    /* a range that ends inside a folded run says how far in it goes */
    const struct view_fold *fd = &f.ix.folds[0];
    o.format = EXPORT_SVG;
    o.last = fd->first + 1;
    buf = NULL;
    fp = open_memstream(&buf, &len);
    ck_assert_int_eq(export_write(fp, &f.ix, &o), 0);
    fclose(fp);
    snprintf(want, sizeof want, "2 of %u events of the crowd", fd->last - fd->first + 1);
    ck_assert_msg(strstr(buf, want), "%s", want);
    free(buf);

    /* html: each event's row and each row's last event, for the script */
    o.format = EXPORT_HTML;
    o.last = last;
    buf = NULL;
    fp = open_memstream(&buf, &len);
    ck_assert_int_eq(export_write(fp, &f.ix, &o), 0);
    fclose(fp);
    const char *rl = strstr(buf, "rl:[");
    ck_assert_ptr_nonnull(rl);
    int commas = 0;
    for (const char *p = rl; *p != ']'; p++)
        commas += *p == ',';
    ck_assert_int_eq(commas + 1, (int)f.ix.nrows);
    ck_assert_ptr_nonnull(strstr(buf, "Folded row"));
    free(buf);
    fx_close(&f);

    /* without a crowd, --fold changes nothing */
    fx_open(&f, HANDSHAKE);
    for (int fmt = 0; fmt < EXPORT_NFORMATS; fmt++) {
        char *a = export_str(&f, fmt, 0, f.ix.n - 1, 0, 100), *b;
        struct export_opts o2 = { .format = fmt, .width = 100, .first = 0,
                                  .last = f.ix.n - 1, .scn = f.scn, .fold = 1 };
        b = NULL;
        fp = open_memstream(&b, &len);
        ck_assert_int_eq(export_write(fp, &f.ix, &o2), 0);
        fclose(fp);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    fx_close(&f);
}
END_TEST

START_TEST(test_txt_is_the_view)
{
    struct fx f;
    fx_open(&f, HANDSHAKE);
    char *t = export_str(&f, EXPORT_TXT, 0, 19, 0, 100);
    struct view_state st;
    view_state_init(&st, 1);
    st.cur = 19;
    struct view_screen scr;
    view_screen_init(&scr, 100, 22);
    view_render_diagram(&f.ix, &st, &scr, (struct view_rect){ 0, 0, 100, 22 });
    char *v = view_screen_text(&scr);
    ck_assert_ptr_nonnull(strstr(v, "\u25B8"));      /* the view's mark */
    /* the same rows once the mark is a blank */
    char *m = strstr(v, "\u25B8");
    memmove(m + 1, m + 3, strlen(m + 3) + 1);
    *m = ' ';
    /* view_screen_text keeps the blanks the mark leaves at the line's end */
    size_t n = strlen(v);
    char *trim = malloc(n + 2), *o = trim;
    for (char *line = strtok(v, "\n"); line; line = strtok(NULL, "\n")) {
        size_t l = strlen(line);
        while (l && line[l - 1] == ' ')
            l--;
        memcpy(o, line, l);
        o += l;
        *o++ = '\n';
    }
    *o = '\0';
    ck_assert_str_eq(t, trim);
    ck_assert_int_eq(count(t, "\n"), 22);
    ck_assert_ptr_nonnull(strstr(t, "ESTABLISHED"));
    free(trim);
    free(v);
    view_screen_free(&scr);
    free(t);
    /* pure ASCII, and the width asked for */
    t = export_str(&f, EXPORT_TXT, 0, 19, 1, 60);
    for (const char *p = t; *p; p++)
        ck_assert_msg((unsigned char)*p < 128, "a byte above 127 in --ascii");
    for (char *line = t; *line; ) {
        char *nl = strchr(line, '\n');
        ck_assert_int_le((int)(nl - line), 60);
        line = nl + 1;
    }
    ck_assert_ptr_nonnull(strstr(t, "SYN_SENT"));
    free(t);
    /* a range: the header and its rows */
    t = export_str(&f, EXPORT_TXT, 4, 8, 0, 100);
    ck_assert_int_eq(count(t, "\n"), 7);
    ck_assert_ptr_nonnull(strstr(t, "SYN seq=1000"));
    ck_assert_ptr_null(strstr(t, "listen(80)"));
    free(t);
    fx_close(&f);
}
END_TEST

Suite *export_suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_format_names);
    tcase_add_test(tc, test_bounds_parse);
    tcase_add_test(tc, test_range_rule);
    tcase_add_test(tc, test_xml_escaping);
    tcase_add_test(tc, test_mermaid_escaping);
    tcase_add_test(tc, test_mermaid_lines);
    tcase_add_test(tc, test_svg_geometry);
    tcase_add_test(tc, test_svg_content);
    tcase_add_test(tc, test_html_page);
    tcase_add_test(tc, test_txt_is_the_view);
    tcase_add_test(tc, test_exports_do_not_fold_the_crowd);
    tcase_add_test(tc, test_exports_fold_the_crowd);
    suite_add_tcase(s, tc);
    return s;
}
