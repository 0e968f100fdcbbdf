/* test_encap.c — Check suite for the layers of a packet (ui/view_layers.c): the inspector's layer labels and the encapsulation view's sizes, checked against each frame's own bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "keys.h"
#include "lang.h"
#include "sim.h"
#include "view.h"
#include "wire.h"
#include "suites.h"
#include "testutil.h"

struct fixture {
    struct scenario *scn;
    struct sim s;
    struct view_index ix;
    struct view_state st;
};

static void fx_open(struct fixture *f, const char *text)
{
    f->scn = tu_parse(text);
    sim_init(&f->s, f->scn, 1);
    sim_run(&f->s);
    view_index_build(&f->ix, &f->s.tr);
    view_state_init(&f->st, 1);
    f->st.title = f->scn->title;
}

static void fx_close(struct fixture *f)
{
    view_index_free(&f->ix);
    sim_free(&f->s);
    scenario_free(f->scn);
}

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

#define has(hay, needle) ck_assert_msg(strstr(hay, needle) != NULL, \
                                       "missing \"%s\" in:\n%s", needle, hay)

/* The first send whose summary contains `what`. */
static size_t send_of(struct fixture *f, const char *what)
{
    long i = view_search(&f->ix, what, f->ix.n - 1, 1);
    ck_assert_msg(i >= 0, "no event \"%s\"", what);
    while (f->s.tr.recs[i].kind != TK_SEND) {
        long j = view_search(&f->ix, what, (size_t)i, 1);
        ck_assert(j > i);
        i = j;
    }
    return (size_t)i;
}

static const uint8_t *frame_of(struct fixture *f, size_t i, size_t *len)
{
    return trace_blob_data(&f->s.tr, f->s.tr.recs[i].u.pkt.pkt, len);
}

static char *inspector(struct fixture *f, size_t i, int width)
{
    struct view_lines l = { 0 };
    f->st.cur = i;
    view_inspector_lines(&f->ix, &f->st, width, &l);
    for (int k = 0; k < l.n; k++)
        ck_assert_int_le(view_text_width(l.v[k].text), width);
    char *t = lines_text(&l);
    view_lines_free(&l);
    return t;
}

static char *encap(struct fixture *f, size_t i)
{
    struct view_lines l = { 0 };
    f->st.cur = i;
    view_encap_lines(&f->ix, &f->st, 200, &l);
    char *t = lines_text(&l);
    view_lines_free(&l);
    return t;
}

/* The sizes read straight from the bytes, without the decoder under test:
 * the IPv4 header (IHL), total length, and the transport header (TCP data
 * offset, or UDP's 8). */
struct raw { size_t ihl, total, l4hdr, pad; };
static struct raw raw_sizes(const uint8_t *p, size_t len)
{
    struct raw r;
    ck_assert_int_ge(len, 14 + 20);
    ck_assert_int_eq(p[12] << 8 | p[13], 0x0800);
    r.ihl = (size_t)(p[14] & 0x0f) * 4;
    r.total = (size_t)(p[16] << 8 | p[17]);
    r.l4hdr = p[23] == 6 ? (size_t)(p[14 + r.ihl + 12] >> 4) * 4 : 8;
    r.pad = len - 14 - r.total;
    return r;
}

static const char HANDSHAKE[] =
    "host client 192.0.2.10\nhost server 192.0.2.80\nlink client server delay 20ms\n"
    "tcp isn client 1000\ntcp isn server 5000\n"
    "at 0ms server listen 80\nat 10ms client connect server 80\n";

static const char DATA[] =
    "host a 192.0.2.1\nhost b 192.0.2.2\nlink a b delay 1ms\n"
    "at 0ms b listen 80\nat 1ms a connect b 80\nat 10ms a send \"hello\"\n"
    "at 20ms a send \"GET /a-rather-long-path/so-that-the-frame-needs-no-padding HTTP/1.1"
    "\\r\\nHost: b\\r\\n\\r\\n\"\n";

static const char TINY_DNS[] =
    "lan home 192.0.2.0/24\n"
    "host client 192.0.2.10 on home dns 192.0.2.53\n"
    "host resolver 192.0.2.53 on home\n"
    "host root 192.0.2.2 on home\n"
    "resolver resolver hints 192.0.2.2\n"
    "zone root .\n"
    "record root www.example.com. 300 IN A 192.0.2.80\n"
    "at 10ms client resolve www.example.com\n";

/* ---- layer labels --------------------------------------------------------- */

START_TEST(test_layer_of_each_header)
{
    ck_assert_str_eq(view_layer_label(VL_LINK), "link (OSI 2)");
    ck_assert_str_eq(view_layer_label(VL_NETWORK), "network (OSI 3)");
    ck_assert_str_eq(view_layer_label(VL_TRANSPORT), "transport (OSI 4)");
    ck_assert_str_eq(view_layer_label(VL_APPLICATION), "application (OSI 7)");
    ck_assert_str_eq(view_layer_label(VL_ARP), "link (between OSI 2 and 3)");
    struct fixture f;
    fx_open(&f, HANDSHAKE);
    char *t = inspector(&f, send_of(&f, "SYN seq=1000"), 72);
    /* the labels line the protocol names up */
    has(t, "link (OSI 2)       Ethernet 02:");
    has(t, "network (OSI 3)    IPv4 192.0.2.10");
    has(t, "transport (OSI 4)  TCP ");    /* then the ephemeral port the run chose */
    ck_assert(!strstr(t, "application (OSI 7)"));     /* a SYN carries no data */
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_application_layer_and_its_note)
{
    struct fixture f;
    fx_open(&f, DATA);
    char *t = inspector(&f, send_of(&f, "len=5"), 72);
    has(t, "transport (OSI 4)    TCP");
    has(t, "application (OSI 7)  Payload 5 bytes (data)");
    has(t, "OSI layers 5-7");
    free(t);
    t = inspector(&f, send_of(&f, "GET /a-rather"), 72);
    has(t, "application (OSI 7)  Payload");
    has(t, "(HTTP request)");
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_arp_and_dns_labels)
{
    struct fixture f;
    fx_open(&f, TINY_DNS);
    char *t = inspector(&f, send_of(&f, "who-has 192.0.2.53"), 72);
    has(t, "link (OSI 2)                Ethernet");
    has(t, "link (between OSI 2 and 3)  ARP request");
    has(t, "rides directly in the Ethernet frame");
    has(t, "between OSI layers 2 and 3");
    ck_assert(!strstr(t, "network (OSI 3)"));
    free(t);
    t = inspector(&f, send_of(&f, "A? www.example.com"), 72);
    has(t, "transport (OSI 4)    UDP");
    has(t, "application (OSI 7)  DNS id");
    has(t, "(DNS query)");
    free(t);
    fx_close(&f);
}
END_TEST

/* ---- encapsulation -------------------------------------------------------- */

START_TEST(test_encap_syn_with_options)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE);
    size_t i = send_of(&f, "SYN seq=1000"), len;
    const uint8_t *p = frame_of(&f, i, &len);
    struct raw r = raw_sizes(p, len);
    struct view_encap e;
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_uint_eq(e.frame, len);
    ck_assert_uint_eq(e.eth_hdr, 14);
    ck_assert_uint_eq(e.ip_hdr, r.ihl);
    ck_assert_uint_eq(e.ip_total, r.total);
    ck_assert_uint_eq(e.l4_hdr, r.l4hdr);
    ck_assert_uint_gt(e.l4_hdr, 20);                  /* the MSS option */
    ck_assert_uint_eq(e.l4_opts, r.l4hdr - 20);
    ck_assert_uint_eq(e.app, 0);
    ck_assert_uint_eq(e.pad, r.pad);
    ck_assert_uint_eq(e.frame, 14 + e.ip_total + e.pad);
    ck_assert_uint_eq(len, 60);                        /* padded to the minimum */
    char *t = encap(&f, i), want[128];
    snprintf(want, sizeof want, "TCP header %zu (20 + %zu of options) + 0", r.l4hdr,
             r.l4hdr - 20);
    has(t, want);
    snprintf(want, sizeof want, "IPv4 header %zu + %zu", r.ihl, r.total - r.ihl);
    has(t, want);
    snprintf(want, sizeof want, "Ethernet header 14 + %zu + padding %zu", r.total, r.pad);
    has(t, want);
    snprintf(want, sizeof want, "%zu - TCP header %zu", r.l4hdr, r.l4hdr);
    has(t, want);
    has(t, "=    60");
    has(t, "down client's stack");
    has(t, "up server's stack");
    has(t, "options (mss 1460)");
    has(t, "4-byte FCS");
    free(t);
    fx_close(&f);
}
END_TEST

/* A captured segment whose options go wrong (--read decodes it now): its
 * options area is no padding, and the view says where it goes wrong. */
START_TEST(test_encap_malformed_option_is_not_padding)
{
    struct fixture f;
    fx_open(&f, HANDSHAKE);
    size_t i = send_of(&f, "SYN seq=1000"), len;
    uint8_t *p = (uint8_t *)frame_of(&f, i, &len);
    ck_assert_uint_eq(p[14 + 20 + 12] >> 4, 6);     /* MSS: 4 bytes of options */
    memcpy(p + 14 + 20 + 20, (const uint8_t[]){ 1, 1, 2, 8 }, 4);
    char *t = encap(&f, i);
    has(t, "4 bytes of options follow its fixed 20, and the option that starts "
           "22 bytes into the header is malformed (options read: none).");
    ck_assert(!strstr(t, "padded"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_encap_data_segments)
{
    struct fixture f;
    fx_open(&f, DATA);
    size_t i = send_of(&f, "len=5"), len;
    const uint8_t *p = frame_of(&f, i, &len);
    struct raw r = raw_sizes(p, len);
    struct view_encap e;
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_uint_eq(e.app, 5);
    ck_assert_uint_eq(e.l4_hdr, 20);
    ck_assert_uint_eq(e.l4_total, 25);
    ck_assert_uint_eq(e.ip_total, r.total);
    ck_assert_uint_eq(r.total, 45);
    ck_assert_uint_eq(e.pad, 1);                       /* 14 + 45 = 59 < 60 */
    ck_assert_str_eq(e.app_name, "data");
    char *t = encap(&f, i);
    has(t, "TCP header 20 + 5 ");
    has(t, "IPv4 header 20 + 25 ");
    has(t, "Ethernet header 14 + 45 + padding 1 ");
    has(t, "25 - TCP header 20 ");
    has(t, "data for the application");
    free(t);
    /* a longer segment: no padding, and each total is the next one's part */
    i = send_of(&f, "GET /a-rather");
    p = frame_of(&f, i, &len);
    r = raw_sizes(p, len);
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_uint_eq(e.pad, 0);
    ck_assert_uint_eq(r.pad, 0);
    ck_assert_str_eq(e.app_name, "HTTP request");
    ck_assert_uint_eq(e.app + 20 + 20 + 14, len);
    t = encap(&f, i);
    char want[128];
    snprintf(want, sizeof want, "TCP header 20 + %zu ", e.app);
    has(t, want);
    snprintf(want, sizeof want, "Ethernet header 14 + %zu ", r.total);
    has(t, want);
    snprintf(want, sizeof want, "= %5zu", len);
    has(t, want);
    ck_assert(!strstr(t, "padding"));
    free(t);
    fx_close(&f);
}
END_TEST

/* The application layer names a reply as a reply: README's "The layers"
 * lists "HTTP response" and "DNS response" beside the request and query. */
START_TEST(test_encap_names_responses)
{
    static const char HTTP[] =
        "host c 192.0.2.1\nhost s 192.0.2.2\nlink c s delay 1ms\n"
        "at 0ms s http serve 80\nat 1ms c http get 192.0.2.2\n";
    struct fixture f;
    struct view_encap e;
    size_t len;
    fx_open(&f, HTTP);
    const uint8_t *p = frame_of(&f, send_of(&f, "HTTP GET /"), &len);
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_str_eq(e.app_name, "HTTP request");
    size_t i = send_of(&f, "200 OK");
    p = frame_of(&f, i, &len);
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_str_eq(e.app_name, "HTTP response");
    char *t = encap(&f, i);
    has(t, "HTTP response");
    free(t);
    fx_close(&f);
    fx_open(&f, TINY_DNS);
    i = send_of(&f, "= 192.0.2.80");
    p = frame_of(&f, i, &len);
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_str_eq(e.app_name, "DNS response");
    t = encap(&f, i);
    has(t, "DNS response");
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_encap_dns_query_over_udp)
{
    struct fixture f;
    fx_open(&f, TINY_DNS);
    size_t i = send_of(&f, "A? www.example.com"), len;
    const uint8_t *p = frame_of(&f, i, &len);
    struct raw r = raw_sizes(p, len);
    struct view_encap e;
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_int_eq(e.l4, IPPROTO_UDP_NUM);
    ck_assert_uint_eq(e.l4_hdr, 8);
    size_t udp_len = (size_t)(p[14 + r.ihl + 4] << 8 | p[14 + r.ihl + 5]);
    ck_assert_uint_eq(e.l4_total, udp_len);
    ck_assert_uint_eq(e.app, udp_len - 8);
    ck_assert_uint_eq(e.ip_total, r.total);
    ck_assert_uint_eq(r.total, 20 + udp_len);
    ck_assert_str_eq(e.app_name, "DNS query");
    /* 17 (www.example.com) + 4 + 12: a 33-byte query */
    ck_assert_uint_eq(e.app, 33);
    char *t = encap(&f, i), want[128];
    has(t, "DNS query");
    snprintf(want, sizeof want, "UDP header 8 + %zu ", e.app);
    has(t, want);
    snprintf(want, sizeof want, "%zu - UDP header 8 ", udp_len);
    has(t, want);
    snprintf(want, sizeof want, "Ethernet header 14 + %zu ", r.total);
    has(t, want);
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_encap_arp_request)
{
    struct fixture f;
    fx_open(&f, TINY_DNS);
    size_t i = send_of(&f, "who-has 192.0.2.53"), len;
    const uint8_t *p = frame_of(&f, i, &len);
    struct view_encap e;
    ck_assert_int_eq(view_encap_of(p, len, &e), 0);
    ck_assert_int_eq(p[12] << 8 | p[13], 0x0806);
    ck_assert(e.arp);
    ck_assert(!e.ip);
    ck_assert_uint_eq(e.arp_len, 28);               /* 8 + 2 x 6 + 2 x 4 */
    ck_assert_uint_eq(len, 60);
    ck_assert_uint_eq(e.pad, len - 14 - 28);
    char *t = encap(&f, i);
    has(t, "ARP message (no IPv4 header, no transport header)");
    has(t, "=    28");
    has(t, "Ethernet header 14 + 28 + padding 18");
    has(t, "60 - Ethernet header 14 - padding 18");
    has(t, "every host on the LAN");          /* a broadcast */
    has(t, "ARP reads the message");
    ck_assert(!strstr(t, "IPv4 header 20"));       /* no network, transport or */
    ck_assert(!strstr(t, "  transport"));          /* application rows */
    ck_assert(!strstr(t, "  application"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_encap_not_a_packet_and_a_drop)
{
    static const char SYNLOSS[] =
        "host client 192.0.2.10\nhost server 192.0.2.80\nlink client server delay 20ms\n"
        "at 0ms server listen 80\nat 0ms client connect server 80\n"
        "fault drop client->server tcp SYN #1\n";
    struct fixture f;
    fx_open(&f, SYNLOSS);
    char *t = encap(&f, 0);
    has(t, "Event #1 is not a packet");
    free(t);
    size_t d = 0;
    while (d < f.ix.n && f.s.tr.recs[d].kind != TK_DROP)
        d++;
    ck_assert(d < f.ix.n);
    t = encap(&f, d);
    has(t, "down client's stack");
    has(t, "dropped on the way");
    ck_assert(!strstr(t, "up server's stack"));
    free(t);
    fx_close(&f);
}
END_TEST

START_TEST(test_encap_key_opens_and_stays_while_stepping)
{
    struct fixture f;
    fx_open(&f, DATA);
    f.st.cur = send_of(&f, "SYN seq=");
    ck_assert_int_eq(view_apply(&f.ix, &f.st, ACT_ENCAP, 120, 40), VE_NONE);
    ck_assert(f.st.encap);
    struct view_screen scr;
    view_screen_init(&scr, 120, 40);
    /* the hint line names the key while the view is closed */
    f.st.encap = 0;
    view_render(&f.ix, &f.st, &scr);
    char *t = view_screen_text(&scr);
    has(t, "e layers");
    free(t);
    f.st.encap = 1;
    view_render(&f.ix, &f.st, &scr);
    t = view_screen_text(&scr);
    has(t, "encapsulation");
    has(t, "TCP header 24 (20 + 4 of options) + 0");
    has(t, "e or Esc closes");
    free(t);
    size_t from = f.st.cur;
    view_apply(&f.ix, &f.st, ACT_NEXT, 120, 40);
    ck_assert_uint_gt(f.st.cur, from);
    ck_assert(f.st.encap);
    /* a search covers it only while typed */
    view_apply(&f.ix, &f.st, ACT_SEARCH, 120, 40);
    for (const char *c = "len=5\n"; *c; c++)
        view_search_key(&f.ix, &f.st, *c);
    ck_assert_int_eq(f.st.overlay, OV_NONE);
    ck_assert(f.st.encap);
    view_render(&f.ix, &f.st, &scr);
    t = view_screen_text(&scr);
    has(t, "TCP header 20 + 5 ");
    free(t);
    view_apply(&f.ix, &f.st, ACT_ENCAP, 120, 40);
    ck_assert(!f.st.encap);
    view_screen_free(&scr);
    /* the help overlay lists the key */
    struct view_lines l = { 0 };
    view_help_lines(&l);
    t = lines_text(&l);
    has(t, "e ");
    has(t, "encapsulation: each layer's header and size");
    free(t);
    view_lines_free(&l);
    fx_close(&f);
}
END_TEST

START_TEST(test_encap_through_a_router)
{
    static const char ROUTED[] =
        "lan home 192.0.2.0/24 delay 1ms\n"
        "lan far  198.51.100.0/24 delay 1ms\n"
        "host client 192.0.2.10 on home gateway 192.0.2.1\n"
        "router gw   192.0.2.1 on home 198.51.100.1 on far\n"
        "host server 198.51.100.80 on far gateway 198.51.100.1\n"
        "at 0ms server listen 80\nat 10ms client connect server 80\n";
    struct fixture f;
    fx_open(&f, ROUTED);
    /* the client's SYN, received by the router: up to the network layer */
    size_t i = 0;
    while (i < f.ix.n && !(f.s.tr.recs[i].kind == TK_RECV &&
                           f.ix.proto[i] == TL_TCP &&
                           strcmp(trace_host_name(&f.s.tr, f.s.tr.recs[i].host), "gw") == 0))
        i++;
    ck_assert(i < f.ix.n);
    char *t = encap(&f, i);
    has(t, "down client's stack");
    has(t, "up gw's stack");
    has(t, "198.51.100.80 is not gw's address: gw forwards the packet");
    ck_assert(!strstr(t, "application  nothing"));     /* not passed up */
    free(t);
    /* and the router's copy to the server: only a new Ethernet header */
    size_t j = i;
    while (j < f.ix.n && !(f.s.tr.recs[j].kind == TK_SEND &&
                           f.ix.proto[j] == TL_TCP &&
                           strcmp(trace_host_name(&f.s.tr, f.s.tr.recs[j].host), "gw") == 0))
        j++;
    ck_assert(j < f.ix.n);
    t = encap(&f, j);
    has(t, "gw forwards the IPv4 packet it received");
    ck_assert(!strstr(t, "  transport    TCP header"));  /* no new TCP header */
    has(t, "up server's stack");
    has(t, "transport    ");                            /* the server goes all the way */
    free(t);
    fx_close(&f);
}
END_TEST

Suite *encap_suite(void)
{
    Suite *s = suite_create("encap");
    TCase *tc = tcase_create("layers");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_layer_of_each_header);
    tcase_add_test(tc, test_application_layer_and_its_note);
    tcase_add_test(tc, test_arp_and_dns_labels);
    tcase_add_test(tc, test_encap_syn_with_options);
    tcase_add_test(tc, test_encap_data_segments);
    tcase_add_test(tc, test_encap_malformed_option_is_not_padding);
    tcase_add_test(tc, test_encap_dns_query_over_udp);
    tcase_add_test(tc, test_encap_names_responses);
    tcase_add_test(tc, test_encap_arp_request);
    tcase_add_test(tc, test_encap_not_a_packet_and_a_drop);
    tcase_add_test(tc, test_encap_through_a_router);
    tcase_add_test(tc, test_encap_key_opens_and_stays_while_stepping);
    suite_add_tcase(s, tc);
    return s;
}
