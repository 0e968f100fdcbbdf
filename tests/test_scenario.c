/* test_scenario.c — Check suite for the .scn parser (sim/scenario.c): what teachers write, what they are told when it is wrong. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <check.h>

#include "scenario.h"
#include "tcp.h"
#include "wire.h"
#include "suites.h"

#define HOSTS "host client 192.0.2.10\nhost server 192.0.2.80\n"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* Parses text that must be valid; fails the test with the first message. */
static struct scenario *parse_ok_n(const char *text, size_t len)
{
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, len, &e);
    if (!s) {
        char first[512];
        snprintf(first, sizeof first, "%s", e.n ? e.msgs[0] : "(no message)");
        scn_errors_free(&e);
        ck_abort_msg("expected a valid scenario, got: %s", first);
    }
    ck_assert_int_eq(e.n, 0);
    return s;
}

static struct scenario *parse_ok(const char *text)
{
    return parse_ok_n(text, strlen(text));
}

/* Parses text that must be rejected; returns every message, one per line. */
static char *errors_of_n(const char *text, size_t len)
{
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, len, &e);
    ck_assert_ptr_null(s);
    ck_assert_int_ge(e.n, 1);
    size_t total = 1;
    for (int i = 0; i < e.n; i++) total += strlen(e.msgs[i]) + 1;
    char *out = malloc(total), *o = out;
    ck_assert_ptr_nonnull(out);
    for (int i = 0; i < e.n; i++) {
        size_t k = strlen(e.msgs[i]);
        memcpy(o, e.msgs[i], k);
        o += k;
        *o++ = '\n';
    }
    *o = '\0';
    scn_errors_free(&e);
    return out;
}

static char *errors_of(const char *text)
{
    return errors_of_n(text, strlen(text));
}

/* The text must be rejected with exactly these messages. */
static void assert_errors(const char *text, const char *want)
{
    char *got = errors_of(text);
    ck_assert_str_eq(got, want);
    free(got);
}

/* Duration helper: `at DUR client close` parses to t_us. */
static int64_t at_time(const char *dur)
{
    char text[256];
    snprintf(text, sizeof text, HOSTS "at %s client close\n", dur);
    struct scenario *s = parse_ok(text);
    ck_assert_int_eq(s->nactions, 1);
    int64_t t = s->actions[0].t_us;
    scenario_free(s);
    return t;
}

static uint32_t loss_ppm(const char *pct)
{
    char text[256];
    snprintf(text, sizeof text, HOSTS "link client server loss %s\n", pct);
    struct scenario *s = parse_ok(text);
    uint32_t v = s->links[0].loss_ppm;
    scenario_free(s);
    return v;
}

/* ------------------------------------------------------------------------ */
/* A full valid scenario                                                    */

static const char FULL[] =
    "# A complete lesson using every keyword\n"
    "title \"Three-way handshake\"\n"
    "describe \"A client opens a connection.\"\n"
    "describe \"Watch the SYN, then the SYN,ACK.\"\n"
    "seed 7\n"
    "host client 192.0.2.10\n"
    "host server 192.0.2.80   # the web server\n"
    "host spy 198.51.100.7\n"
    "link client server delay 20ms jitter 250us loss 1.5% duplicate 0.0001% reorder 100%\n"
    "link server spy\n"
    "tcp isn client 1000 5000\n"
    "tcp mss 1200\n"
    "tcp mss server 536\n"
    "tcp rto client 200ms\n"
    "tcp retries server 3\n"
    "tcp msl 2s\n"
    "tcp nagle client off\n"
    "tcp handshake server two-way\n"
    "tcp rcvbuf client 4096\n"
    "at 0ms    server listen 80\n"
    "at 10ms   client connect server 80 from 40000\n"
    "at +100ms client send \"hello\\n\"\n"
    "at +0ms   client send 30 bytes\n"
    "at 200ms  server recv 100\n"
    "at 210ms  note \"the server read the data\"\n"
    "at 220ms  server shutdown\n"
    "at 300ms  client close\n"
    "at 400ms  server abort\n"
    "at 500ms  inject spy->server tcp SYN seq 90000 sport 1234 dport 80 \"an old duplicate SYN\"\n"
    "at 510ms  inject spy->server tcp RST,ACK seq 1 ack 2 sport 5 dport 6\n"
    "fault drop client->server tcp SYN #1\n"
    "fault delay server->client tcp SYN,ACK #2 by 5s   # a comment\n"
    "fault duplicate client->server any #3\n"
    "fault drop server->client tcp data #1\n"
    "fault drop server->client udp #4\n"
    "expect client state ESTABLISHED by 60ms   # reached in time\n"
    "expect server state CLOSED at 70s\n"
    "expect client never SYN_RECEIVED\n"
    "expect server received \"hello\\n\"\n"
    "expect client->server tcp SYN count 1\n"
    "expect server->client tcp any count 12\n"
    "expect client->server any count 0\n";

START_TEST(test_full_scenario_every_field)
{
    struct scenario *s = parse_ok(FULL);
    ck_assert_str_eq(s->path, "t.scn");
    ck_assert_str_eq(s->title, "Three-way handshake");
    ck_assert_int_eq(s->ndescribe, 2);
    ck_assert_str_eq(s->describe[0], "A client opens a connection.");
    ck_assert_str_eq(s->describe[1], "Watch the SYN, then the SYN,ACK.");
    ck_assert_uint_eq(s->seed, 7);
    ck_assert_int_eq(s->has_seed, 1);

    ck_assert_int_eq(s->nhosts, 3);
    ck_assert_str_eq(s->hosts[0].name, "client");
    ck_assert_uint_eq(s->hosts[0].addr, 0xC000020Au);
    ck_assert_int_eq(s->hosts[0].line, 6);
    ck_assert_str_eq(s->hosts[1].name, "server");
    ck_assert_uint_eq(s->hosts[1].addr, 0xC0000250u);
    ck_assert_str_eq(s->hosts[2].name, "spy");
    ck_assert_uint_eq(s->hosts[2].addr, 0xC6336407u);

    const struct scn_tcp_opts *c = &s->hosts[0].tcp, *sv = &s->hosts[1].tcp, *spy = &s->hosts[2].tcp;
    ck_assert_int_eq(c->n_isn, 2);
    ck_assert_uint_eq(c->isn[0], 1000);
    ck_assert_uint_eq(c->isn[1], 5000);
    ck_assert_int_eq(c->mss, 1200);
    ck_assert_int_eq(c->rto_us, 200000);
    ck_assert_int_eq(c->retries, 5);
    ck_assert_int_eq(c->msl_us, 2000000);
    ck_assert_int_eq(c->nagle, 0);
    ck_assert_int_eq(c->two_way, 0);
    ck_assert_uint_eq(c->rcvbuf, 4096);
    ck_assert_int_eq(sv->n_isn, 0);
    ck_assert_int_eq(sv->mss, 536);
    ck_assert_int_eq(sv->rto_us, 1000000);
    ck_assert_int_eq(sv->retries, 3);
    ck_assert_int_eq(sv->msl_us, 2000000);
    ck_assert_int_eq(sv->nagle, 1);
    ck_assert_int_eq(sv->two_way, 1);
    ck_assert_uint_eq(sv->rcvbuf, 65535);
    ck_assert_int_eq(spy->mss, 1200);
    ck_assert_int_eq(spy->msl_us, 2000000);

    ck_assert_int_eq(s->nlinks, 2);
    ck_assert_int_eq(s->links[0].a, 0);
    ck_assert_int_eq(s->links[0].b, 1);
    ck_assert_int_eq(s->links[0].delay_us, 20000);
    ck_assert_int_eq(s->links[0].jitter_us, 250);
    ck_assert_uint_eq(s->links[0].loss_ppm, 15000);
    ck_assert_uint_eq(s->links[0].dup_ppm, 1);
    ck_assert_uint_eq(s->links[0].reorder_ppm, 1000000);
    ck_assert_int_eq(s->links[0].line, 9);
    ck_assert_int_eq(s->links[1].a, 1);
    ck_assert_int_eq(s->links[1].b, 2);
    ck_assert_int_eq(s->links[1].delay_us, 10000);
    ck_assert_int_eq(s->links[1].jitter_us, 0);
    ck_assert_uint_eq(s->links[1].loss_ppm, 0);

    ck_assert_int_eq(s->nactions, 11);
    const struct scn_action *a = s->actions;
    ck_assert_int_eq(a[0].kind, ACT_LISTEN);
    ck_assert_int_eq(a[0].t_us, 0);
    ck_assert_int_eq(a[0].host, 1);
    ck_assert_int_eq(a[0].port, 80);
    ck_assert_int_eq(a[0].line, 20);
    ck_assert_int_eq(a[0].col, 11);
    ck_assert_int_eq(a[1].kind, ACT_CONNECT);
    ck_assert_int_eq(a[1].t_us, 10000);
    ck_assert_int_eq(a[1].host, 0);
    ck_assert_int_eq(a[1].peer, 1);
    ck_assert_int_eq(a[1].port, 80);
    ck_assert_int_eq(a[1].lport, 40000);
    ck_assert_int_eq(a[2].kind, ACT_SEND);
    ck_assert_int_eq(a[2].t_us, 110000);
    ck_assert_uint_eq(a[2].len, 6);
    ck_assert_mem_eq(a[2].data, "hello\n", 6);
    ck_assert_int_eq(a[3].kind, ACT_SEND);
    ck_assert_int_eq(a[3].t_us, 110000);
    ck_assert_uint_eq(a[3].len, 30);
    ck_assert_mem_eq(a[3].data, "abcdefghijklmnopqrstuvwxyzabcd", 30);
    ck_assert_int_eq(a[4].kind, ACT_RECV);
    ck_assert_int_eq(a[4].host, 1);
    ck_assert_uint_eq(a[4].recv_max, 100);
    ck_assert_int_eq(a[5].kind, ACT_NOTE);
    ck_assert_int_eq(a[5].host, -1);
    ck_assert_str_eq(a[5].text, "the server read the data");
    ck_assert_int_eq(a[6].kind, ACT_SHUTDOWN);
    ck_assert_int_eq(a[6].host, 1);
    ck_assert_int_eq(a[7].kind, ACT_CLOSE);
    ck_assert_int_eq(a[7].host, 0);
    ck_assert_int_eq(a[8].kind, ACT_ABORT);
    ck_assert_int_eq(a[8].host, 1);
    ck_assert_int_eq(a[9].kind, ACT_INJECT);
    ck_assert_int_eq(a[9].t_us, 500000);
    ck_assert_int_eq(a[9].host, 2);
    ck_assert_int_eq(a[9].peer, 1);
    ck_assert_uint_eq(a[9].seg.flags, TCP_SYN);
    ck_assert_uint_eq(a[9].seg.seq, 90000);
    ck_assert_uint_eq(a[9].seg.ack, 0);
    ck_assert_uint_eq(a[9].seg.sport, 1234);
    ck_assert_uint_eq(a[9].seg.dport, 80);
    ck_assert_uint_eq(a[9].seg.win, 65535);
    ck_assert_str_eq(a[9].text, "an old duplicate SYN");
    ck_assert_uint_eq(a[10].seg.flags, TCP_RST | TCP_ACK);
    ck_assert_uint_eq(a[10].seg.seq, 1);
    ck_assert_uint_eq(a[10].seg.ack, 2);
    ck_assert_ptr_null(a[10].text);

    ck_assert_int_eq(s->nfaults, 5);
    const struct scn_fault *f = s->faults;
    ck_assert_int_eq(f[0].kind, FAULT_DROP);
    ck_assert_int_eq(f[0].m.src, 0);
    ck_assert_int_eq(f[0].m.dst, 1);
    ck_assert_int_eq(f[0].m.proto, IPPROTO_TCP_NUM);
    ck_assert_int_eq(f[0].m.any_flags, 0);
    ck_assert_uint_eq(f[0].m.flags, TCP_SYN);
    ck_assert_int_eq(f[0].nth, 1);
    ck_assert_int_eq(f[0].line, 31);
    ck_assert_int_eq(f[1].kind, FAULT_DELAY);
    ck_assert_uint_eq(f[1].m.flags, TCP_SYN | TCP_ACK);
    ck_assert_int_eq(f[1].nth, 2);
    ck_assert_int_eq(f[1].by_us, 5000000);
    ck_assert_int_eq(f[2].kind, FAULT_DUP);
    ck_assert_int_eq(f[2].m.proto, 0);
    ck_assert_int_eq(f[2].m.any_flags, 1);
    ck_assert_int_eq(f[2].nth, 3);
    ck_assert_int_eq(f[3].m.data, 1);
    ck_assert_int_eq(f[3].m.proto, IPPROTO_TCP_NUM);
    ck_assert_int_eq(f[4].m.proto, IPPROTO_UDP_NUM);
    ck_assert_int_eq(f[4].nth, 4);

    ck_assert_int_eq(s->nexpects, 7);
    const struct scn_expect *e = s->expects;
    ck_assert_int_eq(e[0].kind, EXP_STATE_BY);
    ck_assert_int_eq(e[0].host, 0);
    ck_assert_int_eq(e[0].state, TCP_ESTABLISHED);
    ck_assert_int_eq(e[0].t_us, 60000);
    ck_assert_int_eq(e[0].line, 36);
    ck_assert_str_eq(e[0].src_text, "client state ESTABLISHED by 60ms");
    ck_assert_int_eq(e[1].kind, EXP_STATE_AT);
    ck_assert_int_eq(e[1].host, 1);
    ck_assert_int_eq(e[1].state, TCP_CLOSED);
    ck_assert_int_eq(e[1].t_us, 70000000);
    ck_assert_int_eq(e[2].kind, EXP_NEVER);
    ck_assert_int_eq(e[2].state, TCP_SYN_RECEIVED);
    ck_assert_int_eq(e[3].kind, EXP_RECEIVED);
    ck_assert_uint_eq(e[3].len, 6);
    ck_assert_mem_eq(e[3].data, "hello\n", 6);
    ck_assert_str_eq(e[3].src_text, "server received \"hello\\n\"");
    ck_assert_int_eq(e[4].kind, EXP_COUNT);
    ck_assert_int_eq(e[4].m.src, 0);
    ck_assert_int_eq(e[4].m.dst, 1);
    ck_assert_int_eq(e[4].m.proto, IPPROTO_TCP_NUM);
    ck_assert_uint_eq(e[4].m.flags, TCP_SYN);
    ck_assert_int_eq(e[4].m.any_flags, 0);
    ck_assert_int_eq(e[4].count, 1);
    ck_assert_int_eq(e[5].m.any_flags, 1);
    ck_assert_int_eq(e[5].count, 12);
    ck_assert_int_eq(e[6].m.proto, 0);
    ck_assert_int_eq(e[6].count, 0);
    scenario_free(s);
}
END_TEST

START_TEST(test_title_defaults_to_file_name)
{
    struct scn_errors e = { 0 };
    const char *text = "host a 192.0.2.1\n";
    struct scenario *s = scenario_parse("lessons/syn-loss.scn", text, strlen(text), &e);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s->title, "syn-loss");
    ck_assert_uint_eq(s->seed, 1);          /* default seed */
    ck_assert_int_eq(s->has_seed, 0);
    ck_assert_int_eq(s->nlinks, 0);
    scenario_free(s);
}
END_TEST

START_TEST(test_tcp_defaults)
{
    struct scn_tcp_opts o;
    memset(&o, 0x5A, sizeof o);
    scenario_tcp_defaults(&o);
    ck_assert_int_eq(o.n_isn, 0);
    ck_assert_int_eq(o.mss, 1460);
    ck_assert_int_eq(o.rto_us, 1000000);
    ck_assert_int_eq(o.retries, 5);
    ck_assert_int_eq(o.msl_us, 30000000);
    ck_assert_int_eq(o.nagle, 1);
    ck_assert_int_eq(o.two_way, 0);
    ck_assert_uint_eq(o.rcvbuf, 65535);

    struct scenario *s = parse_ok("host a 192.0.2.1\n");
    ck_assert_int_eq(s->hosts[0].tcp.mss, 1460);
    ck_assert_int_eq(s->hosts[0].tcp.msl_us, 30000000);
    scenario_free(s);
}
END_TEST

/* A per-host line wins over an all-hosts line whatever their order, and an
 * all-hosts line also reaches hosts declared after it. */
START_TEST(test_tcp_per_host_beats_all_hosts)
{
    struct scenario *s = parse_ok(
        "tcp mss server 536\n"
        "tcp mss 1000\n"
        "tcp rto 3s\n"
        "tcp rto client 250ms\n"
        HOSTS
        "host late 192.0.2.99\n");
    ck_assert_int_eq(s->hosts[0].tcp.mss, 1000);
    ck_assert_int_eq(s->hosts[1].tcp.mss, 536);
    ck_assert_int_eq(s->hosts[2].tcp.mss, 1000);
    ck_assert_int_eq(s->hosts[0].tcp.rto_us, 250000);
    ck_assert_int_eq(s->hosts[1].tcp.rto_us, 3000000);
    ck_assert_int_eq(s->hosts[2].tcp.rto_us, 3000000);
    scenario_free(s);
}
END_TEST

START_TEST(test_tcp_isn_list_and_limits)
{
    struct scenario *s = parse_ok(HOSTS "tcp isn server 0 4294967295 7\n");
    ck_assert_int_eq(s->hosts[1].tcp.n_isn, 3);
    ck_assert_uint_eq(s->hosts[1].tcp.isn[0], 0);
    ck_assert_uint_eq(s->hosts[1].tcp.isn[1], 4294967295u);
    ck_assert_uint_eq(s->hosts[1].tcp.isn[2], 7);
    ck_assert_int_eq(s->hosts[0].tcp.n_isn, 0);
    scenario_free(s);

    s = parse_ok(HOSTS "tcp isn client 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n");
    ck_assert_int_eq(s->hosts[0].tcp.n_isn, 16);
    ck_assert_uint_eq(s->hosts[0].tcp.isn[15], 16);
    scenario_free(s);

    assert_errors(HOSTS "tcp isn client 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",
                  "t.scn:3:55: error: at most 16 ISNs per host\n");
    assert_errors(HOSTS "tcp isn client 4294967296\n",
                  "t.scn:3:16: error: expected an initial sequence number from 0 to 4294967295, found \"4294967296\"\n");
    assert_errors(HOSTS "tcp isn 1000\n",
                  "t.scn:3:9: error: expected a host name, found \"1000\"\n");
}
END_TEST

START_TEST(test_tcp_option_values)
{
    struct scenario *s = parse_ok(HOSTS
        "tcp mss 64\ntcp mss client 65495\ntcp retries 0\ntcp retries server 20\n"
        "tcp rto 1ms\ntcp rto server 10m\ntcp msl 1ms\ntcp msl client 10m\n"
        "tcp nagle off\ntcp nagle server on\ntcp handshake two-way\ntcp handshake client three-way\n"
        "tcp rcvbuf 1\ntcp rcvbuf server 1073741824\n");
    const struct scn_tcp_opts *c = &s->hosts[0].tcp, *v = &s->hosts[1].tcp;
    ck_assert_int_eq(c->mss, 65495);
    ck_assert_int_eq(v->mss, 64);
    ck_assert_int_eq(c->retries, 0);
    ck_assert_int_eq(v->retries, 20);
    ck_assert_int_eq(c->rto_us, 1000);
    ck_assert_int_eq(v->rto_us, 600000000);
    ck_assert_int_eq(c->msl_us, 600000000);
    ck_assert_int_eq(v->msl_us, 1000);
    ck_assert_int_eq(c->nagle, 0);
    ck_assert_int_eq(v->nagle, 1);
    ck_assert_int_eq(c->two_way, 0);
    ck_assert_int_eq(v->two_way, 1);
    ck_assert_uint_eq(c->rcvbuf, 1);
    ck_assert_uint_eq(v->rcvbuf, 1073741824u);
    scenario_free(s);

    assert_errors(HOSTS
        "tcp mss 63\n"
        "tcp retries client 21\n"
        "tcp rto 999us\n"
        "tcp msl server 10.5m\n"
        "tcp nagle maybe\n"
        "tcp handshake one-way\n"
        "tcp rcvbuf 0\n"
        "tcp window 5\n"
        "tcp mss\n",
        "t.scn:3:9: error: expected an MSS from 64 to 65495, found \"63\"\n"
        "t.scn:4:20: error: expected a retry count from 0 to 20, found \"21\"\n"
        "t.scn:5:9: error: the initial RTO must be from 1ms to 10m, found \"999us\"\n"
        "t.scn:6:16: error: the MSL must be from 1ms to 10m, found \"10.5m\"\n"
        "t.scn:7:11: error: expected on or off, found \"maybe\"\n"
        "t.scn:8:15: error: expected three-way or two-way, found \"one-way\"\n"
        "t.scn:9:12: error: expected a receive buffer size in bytes from 1 to 1073741824, found \"0\"\n"
        "t.scn:10:5: error: unknown tcp option \"window\"; expected one of: isn, mss, rto, retries, msl, nagle, handshake, rcvbuf\n"
        "t.scn:11:8: error: expected a value for tcp mss (or a host name and a value), found end of line\n");

    assert_errors(HOSTS "tcp mss 1000\ntcp mss client 900\ntcp mss 1200\ntcp mss client 800\n",
                  "t.scn:5:5: error: tcp mss for all hosts is already set on line 3\n"
                  "t.scn:6:9: error: tcp mss for host \"client\" is already set on line 4\n");
}
END_TEST

/* Teachers reorder files: a host may be used before its `host` line. */
START_TEST(test_hosts_used_before_declared)
{
    struct scenario *s = parse_ok(
        "link client server\n"
        "at 0ms server listen 80\n"
        "fault drop client->server tcp #1\n"
        "expect server state LISTEN by 1ms\n"
        "tcp isn client 5\n"
        HOSTS);
    ck_assert_int_eq(s->links[0].a, 0);
    ck_assert_int_eq(s->links[0].b, 1);
    ck_assert_int_eq(s->actions[0].host, 1);
    ck_assert_int_eq(s->faults[0].m.src, 0);
    ck_assert_int_eq(s->expects[0].host, 1);
    ck_assert_int_eq(s->hosts[0].tcp.n_isn, 1);
    ck_assert_int_eq(scenario_host_index(s, "server"), 1);
    ck_assert_int_eq(scenario_host_index(s, "client"), 0);
    ck_assert_int_eq(scenario_host_index(s, "sever"), -1);
    scenario_free(s);
}
END_TEST

START_TEST(test_strings_and_escapes)
{
    struct scenario *s = parse_ok(HOSTS
        "at 0ms client send \"a\\tb\\r\\n\\\\ \\\"q\\\" \\x00\\x7f\\xFF # not a comment\"\n"
        "at 1ms note \"caf\xc3\xa9\"  # UTF-8 passes through\n");
    const struct scn_action *a = &s->actions[0];
    static const uint8_t want[] = "a\tb\r\n\\ \"q\" \x00\x7f\xff # not a comment";
    ck_assert_uint_eq(a->len, sizeof want - 1);
    ck_assert_mem_eq(a->data, want, sizeof want - 1);
    ck_assert_str_eq(s->actions[1].text, "caf\xc3\xa9");
    scenario_free(s);

    assert_errors(HOSTS "at 0ms client send \"a\\qb\"\n",
                  "t.scn:3:22: error: unknown escape \\q in string; use \\n, \\r, \\t, \\\\, \\\" or \\xHH\n");
    assert_errors(HOSTS "at 0ms client send \"a\\x4\"\n",
                  "t.scn:3:22: error: invalid escape in string: \\x needs two hex digits, like \\x0A\n");
    assert_errors(HOSTS "at 0ms note \"nul \\x00 inside\"\n",
                  "t.scn:3:13: error: this text cannot contain \\x00\n");
    assert_errors(HOSTS "at 0ms client send \"\"\n",
                  "t.scn:3:20: error: nothing to send: the string is empty\n");
}
END_TEST

START_TEST(test_send_bytes_and_recv)
{
    struct scenario *s = parse_ok(HOSTS
        "at 0ms client send 1 byte\n"
        "at 0ms client send 16777216 bytes\n"
        "at 0ms server recv 16777216 bytes\n");
    ck_assert_uint_eq(s->actions[0].len, 1);
    ck_assert_uint_eq(s->actions[0].data[0], 'a');
    ck_assert_uint_eq(s->actions[1].len, 16777216);
    ck_assert_uint_eq(s->actions[1].data[26], 'a');
    ck_assert_uint_eq(s->actions[1].data[16777215], (uint8_t)('a' + 16777215 % 26));
    ck_assert_uint_eq(s->actions[2].recv_max, 16777216);
    scenario_free(s);

    assert_errors(HOSTS
        "at 0ms client send 16777217 bytes\n"
        "at 0ms client send 0 bytes\n"
        "at 0ms client send 10\n"
        "at 0ms client send hello\n"
        "at 0ms server recv 0\n",
        "t.scn:3:20: error: expected a byte count from 1 to 16777216, found \"16777217\"\n"
        "t.scn:4:20: error: expected a byte count from 1 to 16777216, found \"0\"\n"
        "t.scn:5:22: error: expected \"bytes\" after the number, found end of line\n"
        "t.scn:6:20: error: expected text in double quotes or N bytes after send, found \"hello\"\n"
        "t.scn:7:20: error: expected a byte count from 1 to 16777216, found \"0\"\n");
}
END_TEST

START_TEST(test_comments_crlf_and_missing_newline)
{
    const char *text =
        "# comment line\r\n"
        "   \t  \r\n"
        "\r\n"
        "title \"CRLF # not a comment\"   # a comment\r\n"
        "host client 192.0.2.10\r\n"
        "host server 192.0.2.80#comment right after\r\n"
        "fault drop client->server tcp SYN #2 # comment after the frame number\r\n"
        "fault drop client->server tcp SYN #3#4\r\n"
        "at 5ms client close";                    /* no trailing newline */
    struct scenario *s = parse_ok(text);
    ck_assert_str_eq(s->title, "CRLF # not a comment");
    ck_assert_int_eq(s->nhosts, 2);
    ck_assert_int_eq(s->faults[0].nth, 2);
    ck_assert_int_eq(s->faults[1].nth, 3);
    ck_assert_int_eq(s->nactions, 1);
    ck_assert_int_eq(s->actions[0].t_us, 5000);
    ck_assert_int_eq(s->actions[0].line, 9);
    scenario_free(s);

    /* CRLF does not move the columns of errors */
    assert_errors("host a 192.0.2.1\r\nat 5ms a lisen 80\r\n",
                  "t.scn:2:10: error: unknown action \"lisen\"; expected one of: listen, connect, send, recv, shutdown, close, abort\n");
}
END_TEST

START_TEST(test_arrow_spellings)
{
    struct scenario *s = parse_ok(HOSTS
        "expect client->server tcp count 1\n"
        "expect client -> server tcp count 2\n"
        "expect client-> server tcp count 3\n"
        "expect client ->server tcp count 4\n"
        "fault drop server -> client tcp FIN,ACK #1\n");
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(s->expects[i].m.src, 0);
        ck_assert_int_eq(s->expects[i].m.dst, 1);
        ck_assert_int_eq(s->expects[i].count, i + 1);
    }
    ck_assert_str_eq(s->expects[1].src_text, "client -> server tcp count 2");
    ck_assert_int_eq(s->faults[0].m.src, 1);
    ck_assert_uint_eq(s->faults[0].m.flags, TCP_FIN | TCP_ACK);
    scenario_free(s);

    /* host names may contain '-': the arrow is the "->" before '>' */
    s = parse_ok("host a- 192.0.2.1\nhost b 192.0.2.2\nexpect a-->b any count 0\n");
    ck_assert_int_eq(s->expects[0].m.src, 0);
    ck_assert_int_eq(s->expects[0].m.dst, 1);
    scenario_free(s);

    assert_errors(HOSTS "fault drop client server tcp #1\n",
                  "t.scn:3:19: error: expected \"->\" after \"client\" (write SRC->DST like client->server), found \"server\"\n");
    assert_errors(HOSTS "expect client->client tcp count 1\n",
                  "t.scn:3:16: error: source and destination are the same host \"client\"\n");
    assert_errors(HOSTS "fault drop client-> #1\n",
                  "t.scn:3:21: error: expected a host name, found \"#1\"\n");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Durations, percentages, times                                            */

START_TEST(test_durations_valid)
{
    ck_assert_int_eq(at_time("250us"), 250);
    ck_assert_int_eq(at_time("20ms"), 20000);
    ck_assert_int_eq(at_time("1.5s"), 1500000);
    ck_assert_int_eq(at_time("2m"), 120000000);
    ck_assert_int_eq(at_time("0ms"), 0);
    ck_assert_int_eq(at_time("0us"), 0);
    ck_assert_int_eq(at_time("0.001ms"), 1);
    ck_assert_int_eq(at_time("1.000001s"), 1000001);
    ck_assert_int_eq(at_time("1.5000000000000000000s"), 1500000);   /* zeros are not precision */
    ck_assert_int_eq(at_time("0.1s"), 100000);                      /* exact, no 0.1 float error */
    ck_assert_int_eq(at_time("0.00000005m"), 3);
    ck_assert_int_eq(at_time("1000000s"), INT64_C(1000000000000));
    ck_assert_int_eq(at_time("007ms"), 7000);
}
END_TEST

START_TEST(test_durations_rejected)
{
    assert_errors(HOSTS
        "at 1.5 client close\n"
        "at 20 client close\n"
        "at 1.0000001s client close\n"
        "at 0.5us client close\n"
        "at -1ms client close\n"
        "at 99999999999999999999s client close\n"
        "at 1000000.000001s client close\n"
        "at 1e3ms client close\n"
        "at .5s client close\n"
        "at 5 ms client close\n"
        "at 5sec client close\n"
        "at 1.s client close\n",
        "t.scn:3:4: error: expected a time like 20ms or +1.5s, found \"1.5\"\n"
        "t.scn:4:4: error: expected a time like 20ms or +1.5s, found \"20\"\n"
        "t.scn:5:4: error: duration \"1.0000001s\" is more precise than 1us\n"
        "t.scn:6:4: error: duration \"0.5us\" is more precise than 1us\n"
        "t.scn:7:4: error: a duration cannot be negative, found \"-1ms\"\n"
        "t.scn:8:4: error: duration \"99999999999999999999s\" is too large (at most 1000000s)\n"
        "t.scn:9:4: error: duration \"1000000.000001s\" is too large (at most 1000000s)\n"
        "t.scn:10:4: error: expected a time like 20ms or +1.5s, found \"1e3ms\"\n"
        "t.scn:11:4: error: expected a time like 20ms or +1.5s, found \".5s\"\n"
        "t.scn:12:4: error: expected a time like 20ms or +1.5s, found \"5\"\n"
        "t.scn:13:4: error: expected a time like 20ms or +1.5s, found \"5sec\"\n"
        "t.scn:14:4: error: expected a time like 20ms or +1.5s, found \"1.s\"\n");

    /* the same checks wherever a duration is expected */
    assert_errors(HOSTS "link client server delay 20\n",
                  "t.scn:3:26: error: expected a duration like 20ms or 1.5s, found \"20\"\n");
    assert_errors(HOSTS "fault delay client->server tcp #1 by -5s\n",
                  "t.scn:3:38: error: a duration cannot be negative, found \"-5s\"\n");
    assert_errors(HOSTS "expect client state LISTEN by 184467440737095516160000us\n",
                  "t.scn:3:31: error: duration \"184467440737095516160000us\" is too large (at most 1000000s)\n");
}
END_TEST

START_TEST(test_percentages)
{
    ck_assert_uint_eq(loss_ppm("10%"), 100000);
    ck_assert_uint_eq(loss_ppm("0%"), 0);
    ck_assert_uint_eq(loss_ppm("100%"), 1000000);
    ck_assert_uint_eq(loss_ppm("0.5%"), 5000);
    ck_assert_uint_eq(loss_ppm("12.3456%"), 123456);
    ck_assert_uint_eq(loss_ppm("0.0001%"), 1);
    ck_assert_uint_eq(loss_ppm("100.000000%"), 1000000);

    assert_errors(HOSTS
        "link client server loss 10\n"
        "link client server loss 100.0001%\n"
        "link client server loss 0.00001%\n"
        "link client server loss -1%\n"
        "link client server loss 99999999999999999999999%\n",
        "t.scn:3:25: error: expected a percentage like 10% or 0.5%, found \"10\"\n"
        "t.scn:4:25: error: a percentage must be from 0% to 100%, found \"100.0001%\"\n"
        "t.scn:5:25: error: percentage \"0.00001%\" has more than 4 decimals\n"
        "t.scn:6:25: error: a percentage must be from 0% to 100%, found \"-1%\"\n"
        "t.scn:7:25: error: a percentage must be from 0% to 100%, found \"99999999999999999999999%\"\n");
}
END_TEST

START_TEST(test_relative_times)
{
    struct scenario *s = parse_ok(HOSTS
        "at +5ms client close\n"        /* first relative time counts from 0 */
        "at 100ms client close\n"
        "at +20ms client close\n"
        "at +1.5s client close\n"
        "at 50ms client close\n"        /* absolute, earlier: fine, and sorted */
        "at +1ms client close\n");      /* relative to 50ms, not to the latest */
    ck_assert_int_eq(s->nactions, 6);
    static const int64_t want[] = { 5000, 50000, 51000, 100000, 120000, 1620000 };
    static const int lines[] = { 3, 7, 8, 4, 5, 6 };
    for (int i = 0; i < 6; i++) {
        ck_assert_int_eq(s->actions[i].t_us, want[i]);
        ck_assert_int_eq(s->actions[i].line, lines[i]);
    }
    scenario_free(s);

    /* an `at` line with a bad action still moves the clock for the next +DUR */
    char *got = errors_of(HOSTS "at 1s client dance\nat +1s client close\nat +1000000s client close\n");
    ck_assert_str_eq(got,
        "t.scn:3:14: error: unknown action \"dance\"; expected one of: listen, connect, send, recv, shutdown, close, abort\n"
        "t.scn:5:4: error: time \"+1000000s\" is too large: it ends after 1000000s\n");
    free(got);
}
END_TEST

START_TEST(test_actions_sorted_stably)
{
    struct scenario *s = parse_ok(HOSTS
        "at 30ms client close\n"
        "at 10ms note \"first at 10ms\"\n"
        "at 10ms server listen 80\n"
        "at 0ms note \"zero\"\n"
        "at 10ms client connect server 80\n"
        "at +0ms note \"still 10ms, after the connect\"\n");
    ck_assert_int_eq(s->nactions, 6);
    ck_assert_str_eq(s->actions[0].text, "zero");
    ck_assert_str_eq(s->actions[1].text, "first at 10ms");
    ck_assert_int_eq(s->actions[2].kind, ACT_LISTEN);
    ck_assert_int_eq(s->actions[3].kind, ACT_CONNECT);
    ck_assert_str_eq(s->actions[4].text, "still 10ms, after the connect");
    ck_assert_int_eq(s->actions[5].kind, ACT_CLOSE);
    ck_assert_int_eq(s->actions[5].t_us, 30000);
    scenario_free(s);

    /* many equal times keep file order */
    char text[8192];
    size_t off = (size_t)snprintf(text, sizeof text, HOSTS);
    for (int i = 0; i < 100; i++)
        off += (size_t)snprintf(text + off, sizeof text - off, "at %dms client close\n", i % 2 ? 5 : 7);
    s = parse_ok(text);
    for (int i = 1; i < s->nactions; i++) {
        ck_assert_int_le(s->actions[i - 1].t_us, s->actions[i].t_us);
        if (s->actions[i - 1].t_us == s->actions[i].t_us)
            ck_assert_int_lt(s->actions[i - 1].line, s->actions[i].line);
    }
    scenario_free(s);
}
END_TEST

START_TEST(test_number_overflow_is_an_error)
{
    struct scenario *s = parse_ok("seed 18446744073709551615\nhost a 192.0.2.1\n");
    ck_assert_uint_eq(s->seed, UINT64_MAX);
    scenario_free(s);

    assert_errors(HOSTS
        "seed 18446744073709551616\n"
        "at 0ms server listen 65536\n"
        "at 0ms server listen 0\n"
        "at 0ms client connect server 80 from 99999999999999999999999999\n"
        "at 0ms inject client->server tcp SYN seq 4294967296 sport 1 dport 2\n"
        "expect client->server tcp count 1000000001\n"
        "fault drop client->server tcp #0\n"
        "fault drop client->server tcp #2147483648\n",
        "t.scn:3:6: error: expected a seed from 0 to 18446744073709551615, found \"18446744073709551616\"\n"
        "t.scn:4:22: error: expected a port number from 1 to 65535, found \"65536\"\n"
        "t.scn:5:22: error: expected a port number from 1 to 65535, found \"0\"\n"
        "t.scn:6:38: error: expected a port number from 1 to 65535, found \"99999999999999999999999999\"\n"
        "t.scn:7:42: error: expected a sequence number from 0 to 4294967295, found \"4294967296\"\n"
        "t.scn:8:33: error: expected a frame count from 0 to 1000000000, found \"1000000001\"\n"
        "t.scn:9:31: error: expected a frame number like #1 (the Nth matching frame), found \"#0\"\n"
        "t.scn:10:31: error: expected a frame number like #1 (the Nth matching frame), found \"#2147483648\"\n");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Error messages teachers read                                             */

START_TEST(test_error_messages_exact)
{
    assert_errors(HOSTS "at 10ms client conect server 80\n",
                  "t.scn:3:16: error: unknown action \"conect\"; expected one of: listen, connect, send, recv, shutdown, close, abort\n");
    assert_errors(HOSTS "conect client server\n",
                  "t.scn:3:1: error: unknown keyword \"conect\"; expected one of: title, describe, seed, host, link, tcp, at, fault, expect\n");
    assert_errors(HOSTS "at 10ms client connect sever 80\n",
                  "t.scn:3:24: error: unknown host \"sever\" (declared hosts: client, server)\n");
    assert_errors(HOSTS "title \"Three-way handshake\n",
                  "t.scn:3:7: error: unterminated string\n");
    assert_errors(HOSTS "at 10ms client connect server\n",
                  "t.scn:3:30: error: expected a port number from 1 to 65535, found end of line\n");
    assert_errors(HOSTS "at 10ms client listen 80 now\n",
                  "t.scn:3:26: error: expected end of line, found \"now\"\n");
    assert_errors(HOSTS "host client 192.0.2.11\n",
                  "t.scn:3:6: error: host \"client\" is already declared on line 1\n");
    assert_errors(HOSTS "host other 192.0.2.10\n",
                  "t.scn:3:12: error: address \"192.0.2.10\" is already used by host \"client\" (line 1)\n");
    assert_errors("host client 192.0.2\n",
                  "t.scn:1:13: error: expected an IPv4 address like 192.0.2.10, found \"192.0.2\"\n");
    assert_errors("host 9lives 192.0.2.1\n",
                  "t.scn:1:6: error: expected a host name, found \"9lives\"\n");
    struct scenario *s = parse_ok("host abcdefghijabcdefghijabcdefghijX 192.0.2.1\n");   /* 31 */
    ck_assert_str_eq(s->hosts[0].name, "abcdefghijabcdefghijabcdefghijX");
    scenario_free(s);
    assert_errors("host abcdefghijabcdefghijabcdefghijXY 192.0.2.1\n",
                  "t.scn:1:6: error: host name \"abcdefghijabcdefghijabcdefghijXY\" is longer than 31 characters\n");
    assert_errors("host note 192.0.2.1\n",
                  "t.scn:1:6: error: \"note\" cannot be a host name: it is an action keyword\n");
    assert_errors(HOSTS "expect client state ESTABLISH by 1s\n",
                  "t.scn:3:21: error: unknown TCP state \"ESTABLISH\"; expected one of: CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT\n");
    assert_errors(HOSTS "expect client state CLOSED after 1s\n",
                  "t.scn:3:28: error: expected \"by TIME\" or \"at TIME\" after the state, found \"after\"\n");
    assert_errors(HOSTS "expect client reached ESTABLISHED\n",
                  "t.scn:3:15: error: unknown expectation \"reached\"; expected one of: state, never, received (or SRC->DST PROTO [FLAGS] count N)\n");
    assert_errors(HOSTS "link client server\nlink server client delay 5ms\n",
                  "t.scn:4:6: error: a link between server and client already exists (line 3)\n");
    assert_errors(HOSTS "link client client\n",
                  "t.scn:3:13: error: a link joins two different hosts, found \"client\" twice\n");
    assert_errors(HOSTS "link client server delay 5ms delay 6ms\n",
                  "t.scn:3:30: error: link option \"delay\" is given twice\n");
    assert_errors(HOSTS "link client server latency 5ms\n",
                  "t.scn:3:20: error: unknown link option \"latency\"; expected one of: delay, jitter, loss, duplicate, reorder\n");
    assert_errors(HOSTS "fault lose client->server tcp #1\n",
                  "t.scn:3:7: error: unknown fault \"lose\"; expected one of: drop, delay, duplicate\n");
    assert_errors(HOSTS "fault drop client->server tcp SYN 1\n",
                  "t.scn:3:35: error: expected a frame number like #1 (the Nth matching frame), found \"1\"\n");
    assert_errors(HOSTS "fault delay client->server tcp SYN #1\n",
                  "t.scn:3:38: error: expected \"by\" and a duration, like: by 5s, found end of line\n");
    assert_errors(HOSTS "fault drop client->server tcp SYN #1 by 5s\n",
                  "t.scn:3:38: error: \"by DURATION\" only applies to fault delay\n");
    assert_errors(HOSTS "fault drop client->server icmp #1\n",
                  "t.scn:3:27: error: expected a protocol (tcp, udp or any), found \"icmp\"\n");
    assert_errors(HOSTS "fault drop client->server udp SYN #1\n",
                  "t.scn:3:31: error: TCP flags only apply to tcp patterns, found \"SYN\" after udp\n");
    assert_errors(HOSTS "fault drop client->server tcp SYNACK #1\n",
                  "t.scn:3:31: error: expected TCP flags like SYN or SYN,ACK (or any, or data), found \"SYNACK\"\n");
    assert_errors(HOSTS "at 0ms client connect client 80\n",
                  "t.scn:3:23: error: a host cannot connect to itself in the simulator\n");
    assert_errors(HOSTS "at 0ms inject client->server udp SYN seq 1 sport 1 dport 2\n",
                  "t.scn:3:30: error: expected tcp (only TCP segments can be injected), found \"udp\"\n");
    assert_errors(HOSTS "at 0ms inject client->server tcp SYN seq 1 dport 2\n",
                  "t.scn:3:51: error: expected \"sport N\" in the inject action, found end of line\n");
    assert_errors(HOSTS "at 0ms inject client->server tcp SYN seq 1 seq 2 sport 1 dport 2\n",
                  "t.scn:3:44: error: \"seq\" is given twice\n");
    assert_errors(HOSTS "title \"a\"\ntitle \"b\"\nseed 1\nseed 2\n",
                  "t.scn:4:1: error: the title is already set on line 3\n"
                  "t.scn:6:1: error: the seed is already set on line 5\n");
    assert_errors(HOSTS "\"stray string\"\n",
                  "t.scn:3:1: error: expected a keyword (one of: title, describe, seed, host, link, tcp, at, fault, expect), found a string\n");
    assert_errors(HOSTS "title Handshake\n",
                  "t.scn:3:7: error: expected the title in double quotes, like \"Three-way handshake\", found \"Handshake\"\n");
}
END_TEST

START_TEST(test_no_hosts)
{
    assert_errors("",
                  "t.scn:1:1: error: no hosts declared; a scenario needs at least one line like: host client 192.0.2.10\n");
    assert_errors("# only a comment\nat 0ms note \"hi\"\n",
                  "t.scn:1:1: error: no hosts declared; a scenario needs at least one line like: host client 192.0.2.10\n");
    /* one message, not one more per host name used */
    assert_errors("at 0ms a close\nlink a b\n",
                  "t.scn:1:1: error: no hosts declared; a scenario needs at least one line like: host client 192.0.2.10\n");
    /* a `host` line that failed is reported itself, and its name still counts */
    assert_errors("host a 192.0.2\nat 0ms a close\nat 0ms b close\n",
                  "t.scn:1:8: error: expected an IPv4 address like 192.0.2.10, found \"192.0.2\"\n"
                  "t.scn:3:8: error: unknown host \"b\" (declared hosts: a)\n");
}
END_TEST

/* Unknown names are found at the end of the file but reported in line order
 * with the other errors, each where it was written. */
START_TEST(test_errors_in_source_order)
{
    assert_errors(HOSTS
        "at 0ms sever listen 80\n"
        "at 1ms client connect server 80 form 1\n"
        "expect clinet never LISTEN\n"
        "expect client->sever tcp count 1\n",
        "t.scn:3:8: error: unknown host \"sever\" (declared hosts: client, server)\n"
        "t.scn:4:33: error: expected end of line, found \"form\"\n"
        "t.scn:5:8: error: unknown host \"clinet\" (declared hosts: client, server)\n"
        "t.scn:6:16: error: unknown host \"sever\" (declared hosts: client, server)\n");
}
END_TEST

START_TEST(test_many_errors_capped)
{
    char text[4096];
    size_t off = (size_t)snprintf(text, sizeof text, HOSTS);
    for (int i = 0; i < 30; i++)
        off += (size_t)snprintf(text + off, sizeof text - off, "bogus %d\n", i);
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, off, &e);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(e.n, 21);
    ck_assert_str_eq(e.msgs[0],
        "t.scn:3:1: error: unknown keyword \"bogus\"; expected one of: title, describe, seed, host, link, tcp, at, fault, expect");
    ck_assert_str_eq(e.msgs[19],
        "t.scn:22:1: error: unknown keyword \"bogus\"; expected one of: title, describe, seed, host, link, tcp, at, fault, expect");
    ck_assert_str_eq(e.msgs[20], "t.scn:23:1: error: too many errors; stopping after 20");
    scn_errors_free(&e);
    ck_assert_int_eq(e.n, 0);
    ck_assert_ptr_null(e.msgs);

    /* many unknown hosts found at the end are capped the same way */
    off = (size_t)snprintf(text, sizeof text, HOSTS);
    for (int i = 0; i < 25; i++)
        off += (size_t)snprintf(text + off, sizeof text - off, "at 0ms h%d close\n", i);
    char *got = errors_of(text);
    int lines = 0;
    for (char *p = got; *p; p++) lines += *p == '\n';
    ck_assert_int_eq(lines, 21);
    ck_assert_ptr_nonnull(strstr(got, "t.scn:22:8: error: unknown host \"h19\""));
    ck_assert_ptr_nonnull(strstr(got, "t.scn:23:8: error: too many errors; stopping after 20\n"));
    free(got);
}
END_TEST

START_TEST(test_load_file)
{
    char path[] = "/tmp/protosim-scn-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    static const char text[] = "title \"From a file\"\nhost a 192.0.2.1\n";
    ck_assert_int_eq(write(fd, text, sizeof text - 1), (int)(sizeof text - 1));
    close(fd);
    struct scn_errors e = { 0 };
    int io = -1;
    struct scenario *s = scenario_load(path, &e, &io);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(io, 0);
    ck_assert_str_eq(s->title, "From a file");
    ck_assert_str_eq(s->path, path);
    scenario_free(s);

    /* parse errors name the path as given */
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "host a 1.2.3\n", 13), 13);
    close(fd);
    s = scenario_load(path, &e, &io);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(io, 0);
    ck_assert_int_eq(e.n, 1);
    char want[128];
    snprintf(want, sizeof want, "%s:1:8: error: expected an IPv4 address like 192.0.2.10, found \"1.2.3\"", path);
    ck_assert_str_eq(e.msgs[0], want);
    scn_errors_free(&e);
    unlink(path);

    /* unreadable: NULL, errno, and no messages */
    s = scenario_load(path, &e, &io);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(io, ENOENT);
    ck_assert_int_eq(e.n, 0);
    s = scenario_load("/tmp", &e, &io);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(io, EISDIR);
    ck_assert_int_eq(e.n, 0);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Hostile input never crashes                                              */

static uint64_t rng_state;

static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

/* Parses any bytes; checks the result is either a sane scenario or 1..21
 * well-formed messages. */
static void parse_anything(const char *text, size_t len)
{
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("fuzz.scn", text, len, &e);
    if (s) {
        ck_assert_int_eq(e.n, 0);
        ck_assert_int_ge(s->nhosts, 1);
        ck_assert_ptr_nonnull(s->title);
        for (int i = 0; i < s->nactions; i++) {
            const struct scn_action *a = &s->actions[i];
            ck_assert(a->host >= -1 && a->host < s->nhosts);
            ck_assert(a->peer >= -1 && a->peer < s->nhosts);
            ck_assert(a->kind == ACT_NOTE || a->host >= 0);
            if (i) ck_assert_int_le(s->actions[i - 1].t_us, a->t_us);
        }
        for (int i = 0; i < s->nlinks; i++)
            ck_assert(s->links[i].a >= 0 && s->links[i].b < s->nhosts && s->links[i].a != s->links[i].b);
        scenario_free(s);
    } else {
        ck_assert(e.n >= 1 && e.n <= 21);
        for (int i = 0; i < e.n; i++) {
            ck_assert(!strncmp(e.msgs[i], "fuzz.scn:", 9));
            ck_assert_ptr_nonnull(strstr(e.msgs[i], ": error: "));
            ck_assert_uint_lt(strlen(e.msgs[i]), 600);
        }
        scn_errors_free(&e);
    }
}

START_TEST(test_garbage_random_bytes)
{
    rng_state = 0x9E3779B97F4A7C15u;
    char buf[2048];
    for (int round = 0; round < 2000; round++) {
        size_t len = rng() % sizeof buf;
        for (size_t i = 0; i < len; i++) buf[i] = (char)rng();
        parse_anything(buf, len);
    }
}
END_TEST

START_TEST(test_garbage_token_soup)
{
    static const char *const words[] = {
        "title", "describe", "seed", "host", "link", "tcp", "at", "fault", "expect",
        "client", "server", "192.0.2.1", "192.0.2.2", "10ms", "+5ms", "1.5s", "-1ms",
        "listen", "connect", "send", "recv", "shutdown", "close", "abort", "note", "inject",
        "client->server", "->", "server->client", "tcp", "udp", "any", "data", "SYN", "SYN,ACK",
        "#1", "#0", "by", "count", "state", "never", "received", "ESTABLISHED", "LISTEN",
        "\"text\"", "\"", "\"\\x", "\\", "#", "80", "0", "99999999999999999999999", "bytes",
        "delay", "loss", "50%", "isn", "mss", "rto", "nagle", "on", "two-way", "from",
        "seq", "ack", "sport", "dport", "\r", "\n", "\n", "\n", "\t", "\0", "1000000s",
        "%", ".", "4294967295", "4294967296"
    };
    const size_t nw = sizeof words / sizeof words[0];
    rng_state = 12345;
    char buf[4096];
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        int n = (int)(rng() % 120);
        for (int i = 0; i < n; i++) {
            size_t k = rng() % nw;
            size_t wl = words[k][0] ? strlen(words[k]) : 1;     /* "\0" is one NUL byte */
            if (len + wl + 1 >= sizeof buf) break;
            memcpy(buf + len, words[k], wl);
            len += wl;
            buf[len++] = rng() % 4 ? ' ' : '\n';
        }
        parse_anything(buf, len);
    }
}
END_TEST

START_TEST(test_garbage_mutations_of_valid)
{
    rng_state = 777;
    size_t flen = sizeof FULL - 1;
    char *buf = malloc(flen + 64);
    ck_assert_ptr_nonnull(buf);
    for (int round = 0; round < 3000; round++) {
        memcpy(buf, FULL, flen);
        size_t len = flen;
        int edits = 1 + (int)(rng() % 4);
        for (int k = 0; k < edits; k++) {
            size_t at = rng() % len;
            switch (rng() % 5) {
            case 0: buf[at] = (char)rng(); break;
            case 1: buf[at] = '\0'; break;
            case 2: buf[at] = "\"#\\\n\r -+>%.9"[rng() % 12]; break;
            case 3: len = at; break;                                  /* truncate */
            default: memmove(buf + at, buf + at + 1, len - at - 1); len--; break;
            }
            if (len == 0) break;
        }
        parse_anything(buf, len);
    }
    free(buf);
}
END_TEST

START_TEST(test_nul_bytes)
{
    static const char t1[] = "host a 192.0.2.1\nat 0ms a listen 80\0\n";
    char *got = errors_of_n(t1, sizeof t1 - 1);
    ck_assert_str_eq(got, "t.scn:2:19: error: unexpected NUL byte\n");
    free(got);
    static const char t2[] = "host a 192.0.2.1\nat 0ms note \"a\0b\"\n";
    got = errors_of_n(t2, sizeof t2 - 1);
    ck_assert_str_eq(got, "t.scn:2:15: error: unexpected NUL byte in a string; write \\x00 instead\n");
    free(got);
    /* a NUL inside a comment is harmless */
    static const char t3[] = "host a 192.0.2.1 # \0 \n";
    struct scenario *s = parse_ok_n(t3, sizeof t3 - 1);
    scenario_free(s);
    /* text is bounded by len, not by a terminating NUL */
    s = parse_ok_n("host a 192.0.2.1\nhost b", 16);
    ck_assert_int_eq(s->nhosts, 1);
    scenario_free(s);
    parse_anything(NULL, 0);
}
END_TEST

START_TEST(test_long_lines)
{
    size_t n = 100 * 1024;
    char *buf = malloc(n + 200);
    ck_assert_ptr_nonnull(buf);

    /* a 100 kB title is fine */
    memcpy(buf, "host a 192.0.2.1\ntitle \"", 24);
    memset(buf + 24, 'x', n);
    memcpy(buf + 24 + n, "\"\n", 2);
    struct scenario *s = parse_ok_n(buf, 26 + n);
    ck_assert_uint_eq(strlen(s->title), n);
    scenario_free(s);

    /* a 100 kB word: the message quotes only its beginning */
    memcpy(buf, "host a 192.0.2.1\n", 17);
    memset(buf + 17, 'k', n);
    char *got = errors_of_n(buf, 17 + n);
    ck_assert_str_eq(got,
        "t.scn:2:1: error: unknown keyword \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"...; "
        "expected one of: title, describe, seed, host, link, tcp, at, fault, expect\n");
    free(got);

    /* a 100 kB comment, an unterminated 100 kB string, 100 kB of spaces */
    memcpy(buf, "host a 192.0.2.1 #", 18);
    memset(buf + 18, '#', n);
    s = parse_ok_n(buf, 18 + n);
    scenario_free(s);
    memcpy(buf, "host a 192.0.2.1\nat 1s note \"", 29);
    memset(buf + 29, 'z', n);
    got = errors_of_n(buf, 29 + n);
    ck_assert_str_eq(got, "t.scn:2:12: error: unterminated string\n");
    free(got);
    memset(buf, ' ', n);
    memcpy(buf + n, "host a 192.0.2.1", 16);
    s = parse_ok_n(buf, n + 16);
    scenario_free(s);

    /* a string over 1 MiB is refused */
    size_t big = (1u << 20) + 1;
    char *b2 = malloc(big + 64);
    ck_assert_ptr_nonnull(b2);
    static const char head[] = "host a 192.0.2.1\nat 0ms a send \"";
    size_t hl = sizeof head - 1;
    memcpy(b2, head, hl);
    memset(b2 + hl, 'q', big);
    memcpy(b2 + hl + big, "\"\n", 2);
    got = errors_of_n(b2, hl + 2 + big);
    ck_assert_str_eq(got, "t.scn:2:15: error: string is longer than 1 MiB\n");
    free(got);
    free(b2);
    free(buf);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Frame patterns                                                           */

START_TEST(test_match_exact_flags)
{
    struct scn_match m = { .src = 0, .dst = 1, .proto = IPPROTO_TCP_NUM, .flags = TCP_SYN };
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_SYN, 0));
    ck_assert(!scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_SYN | TCP_ACK, 0));
    ck_assert(!scn_match_frame(&m, 1, 0, IPPROTO_TCP_NUM, TCP_SYN, 0));      /* direction */
    ck_assert(!scn_match_frame(&m, 0, 2, IPPROTO_TCP_NUM, TCP_SYN, 0));
    ck_assert(!scn_match_frame(&m, 0, 1, IPPROTO_UDP_NUM, 0, 10));

    m.flags = TCP_ACK;                  /* PSH is ignored unless listed */
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_ACK, 0));
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_PSH | TCP_ACK, 5));
    ck_assert(!scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_FIN | TCP_ACK, 0));
    m.flags = TCP_PSH | TCP_ACK;
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_PSH | TCP_ACK, 5));
    ck_assert(!scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_ACK, 5));
}
END_TEST

START_TEST(test_match_any_data_and_proto)
{
    struct scn_match m = { .src = 0, .dst = 1, .proto = IPPROTO_TCP_NUM, .any_flags = 1 };
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_SYN, 0));
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_RST, 0));
    ck_assert(!scn_match_frame(&m, 0, 1, IPPROTO_UDP_NUM, 0, 3));

    m.data = 1;                         /* `data`: segments with payload */
    ck_assert(!scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_ACK, 0));
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_PSH | TCP_ACK, 1));
    ck_assert(scn_match_frame(&m, 0, 1, IPPROTO_TCP_NUM, TCP_FIN | TCP_ACK, 9));

    struct scn_match any = { .src = 2, .dst = 0, .proto = 0, .any_flags = 1 };
    ck_assert(scn_match_frame(&any, 2, 0, IPPROTO_TCP_NUM, TCP_FIN, 0));
    ck_assert(scn_match_frame(&any, 2, 0, IPPROTO_UDP_NUM, 0, 0));
    ck_assert(!scn_match_frame(&any, 2, 0, 1 /* ICMP */, 0, 0));

    struct scn_match udp = { .src = 2, .dst = 0, .proto = IPPROTO_UDP_NUM, .any_flags = 1 };
    ck_assert(scn_match_frame(&udp, 2, 0, IPPROTO_UDP_NUM, 0, 40));
    ck_assert(!scn_match_frame(&udp, 2, 0, IPPROTO_TCP_NUM, TCP_SYN, 0));
}
END_TEST

/* What the parser builds is what the matcher expects. */
START_TEST(test_match_from_parsed_patterns)
{
    struct scenario *s = parse_ok(HOSTS
        "expect client->server tcp FIN,ACK count 1\n"
        "expect client->server tcp data count 1\n"
        "expect client->server tcp count 1\n"
        "expect client->server any count 1\n");
    const struct scn_match *fin = &s->expects[0].m, *data = &s->expects[1].m;
    const struct scn_match *all = &s->expects[2].m, *any = &s->expects[3].m;
    ck_assert(scn_match_frame(fin, 0, 1, IPPROTO_TCP_NUM, TCP_FIN | TCP_ACK, 0));
    ck_assert(scn_match_frame(fin, 0, 1, IPPROTO_TCP_NUM, TCP_FIN | TCP_PSH | TCP_ACK, 3));
    ck_assert(!scn_match_frame(fin, 0, 1, IPPROTO_TCP_NUM, TCP_FIN, 0));
    ck_assert(scn_match_frame(data, 0, 1, IPPROTO_TCP_NUM, TCP_PSH | TCP_ACK, 5));
    ck_assert(!scn_match_frame(data, 0, 1, IPPROTO_TCP_NUM, TCP_ACK, 0));
    ck_assert(scn_match_frame(all, 0, 1, IPPROTO_TCP_NUM, TCP_SYN, 0));
    ck_assert(!scn_match_frame(all, 0, 1, IPPROTO_UDP_NUM, 0, 1));
    ck_assert(scn_match_frame(any, 0, 1, IPPROTO_UDP_NUM, 0, 1));
    ck_assert(!scn_match_frame(any, 1, 0, IPPROTO_UDP_NUM, 0, 1));
    scenario_free(s);
}
END_TEST

Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");

    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, test_full_scenario_every_field);
    tcase_add_test(tc, test_title_defaults_to_file_name);
    tcase_add_test(tc, test_tcp_defaults);
    tcase_add_test(tc, test_tcp_per_host_beats_all_hosts);
    tcase_add_test(tc, test_tcp_isn_list_and_limits);
    tcase_add_test(tc, test_tcp_option_values);
    tcase_add_test(tc, test_hosts_used_before_declared);
    tcase_add_test(tc, test_strings_and_escapes);
    tcase_add_test(tc, test_send_bytes_and_recv);
    tcase_add_test(tc, test_comments_crlf_and_missing_newline);
    tcase_add_test(tc, test_arrow_spellings);
    suite_add_tcase(s, tc);

    tc = tcase_create("numbers");
    tcase_add_test(tc, test_durations_valid);
    tcase_add_test(tc, test_durations_rejected);
    tcase_add_test(tc, test_percentages);
    tcase_add_test(tc, test_relative_times);
    tcase_add_test(tc, test_actions_sorted_stably);
    tcase_add_test(tc, test_number_overflow_is_an_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_error_messages_exact);
    tcase_add_test(tc, test_no_hosts);
    tcase_add_test(tc, test_errors_in_source_order);
    tcase_add_test(tc, test_many_errors_capped);
    tcase_add_test(tc, test_load_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("robustness");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_garbage_random_bytes);
    tcase_add_test(tc, test_garbage_token_soup);
    tcase_add_test(tc, test_garbage_mutations_of_valid);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_long_lines);
    suite_add_tcase(s, tc);

    tc = tcase_create("match");
    tcase_add_test(tc, test_match_exact_flags);
    tcase_add_test(tc, test_match_any_data_and_proto);
    tcase_add_test(tc, test_match_from_parsed_patterns);
    suite_add_tcase(s, tc);

    return s;
}
