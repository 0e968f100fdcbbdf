/* test_expect.c — the expectation checker fed record by record: as a sink
 * of a streaming trace (what --check does) it gives the verdicts and
 * messages it gives over a kept trace, and what it quotes is bounded.
 * (The messages of every form are tests/expect/, and test_scenario.c.) */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang.h"
#include "sim.h"
#include "suites.h"
#include "testutil.h"

static struct scenario *parse_ok(const char *text)
{
    struct scn_errors e = { 0 };
    struct scenario *s = scenario_parse("t.scn", text, strlen(text), &e);
    ck_assert_msg(s != NULL, "%s", e.n ? e.msgs[0] : "(no message)");
    scn_errors_free(&e);
    return s;
}

/* The failure messages joined by newlines, and their count. */
static char *joined(char **msgs, int n)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(msgs[i]) + 1;
    char *all = calloc(len, 1), *p = all;
    for (int i = 0; i < n; i++) {
        p += sprintf(p, "%s\n", msgs[i]);
        free(msgs[i]);
    }
    free(msgs);
    return all;
}

/* Runs text keeping its trace and checks it afterwards (scn_check), or
 * streams it with the checker as a sink; returns the messages. */
static char *check_run(const char *text, int stream, int *fails, size_t *dropped)
{
    struct scenario *scn = parse_ok(text);
    struct sim s;
    sim_init(&s, scn, 1);
    char **msgs = NULL;
    int n = 0;
    if (stream) {
        trace_stream(&s.tr);
        struct scn_checker *c = scn_checker_new(scn, &s.tr);
        struct trace_sink k = { scn_checker_rec, c };
        ck_assert_int_eq(trace_add_sink(&s.tr, &k), 0);
        sim_run(&s);
        *fails = scn_checker_finish(c, &msgs, &n);
    } else {
        sim_run(&s);
        *fails = scn_check(&s, &msgs, &n);
    }
    *dropped = s.tr.first;
    ck_assert_int_eq(*fails, n);
    sim_free(&s);
    scenario_free(scn);
    return joined(msgs, n);
}

/* 300 connections, 16,000 records: a streaming trace lets most go.  The
 * expectations hold and fail in every way that reads late records or
 * counts across the run. */
#define CROWD \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "host other 192.0.2.99\n" \
    "link client server delay 1ms\n" \
    "link client other delay 1ms\n" \
    "tcp msl 1ms\n" \
    "at 0ms server listen 80\n" \
    "repeat 300 as i\n" \
    "  at {10 + i * 20}ms client connect server 80\n" \
    "  at {11 + i * 20}ms client send \"hi\"\n" \
    "  at {14 + i * 20}ms server recv 10\n" \
    "  at {15 + i * 20}ms client close\n" \
    "  at {17 + i * 20}ms server close\n" \
    "end\n" \
    "at 7s client connect other 80\n" \
    "fault drop client->server tcp data #250\n" \
    "expect client state ESTABLISHED by 20ms\n" \
    "expect client state CLOSING by 7s\n" \
    "expect server state CLOSED at 5s\n" \
    "expect server state ESTABLISHED at 4.975s\n" \
    "expect client never FIN_WAIT_2\n" \
    "expect client never CLOSING\n" \
    "expect server received \"hihihi\"\n" \
    "expect client->server tcp SYN count 301\n" \
    "expect client->server tcp SYN count 300\n" \
    "expect client->server tcp SYN #301 seq rel 0\n" \
    "expect server->client tcp SYN,ACK #300 ack rel 1\n" \
    "expect server->client tcp SYN,ACK #302 ack rel 1\n" \
    "expect client->server tcp data every len 2\n" \
    "expect client->server tcp data every ack rel 2\n" \
    "expect server->client tcp ACK some ack rel 3\n" \
    "expect server->client tcp ACK some ack rel 4\n" \
    "expect client connect succeeded\n" \
    "expect client connect #301 error \"connection refused\"\n" \
    "expect client timer TIME_WAIT started count 300\n" \
    "expect client timer RTO expired count 0\n" \
    "expect server reads 300\n" \
    "expect server states CLOSED LISTEN on port 80\n" \
    "expect client states CLOSED SYN_SENT CLOSED with other\n"

/* text checked from its kept trace and streamed: the same failures, the
 * same messages (returned); *sd: the records the stream let go. */
static char *kept_and_streamed(const char *text, int *fails, size_t *sd)
{
    int sf;
    size_t kd;
    char *kept = check_run(text, 0, fails, &kd);
    char *streamed = check_run(text, 1, &sf, sd);
    ck_assert_uint_eq(kd, 0);
    ck_assert_int_eq(sf, *fails);
    ck_assert_str_eq(streamed, kept);
    free(streamed);
    return kept;
}

/* text, kept and streamed, fails `fails` expectations, and the messages
 * (returned) say each of the n texts. */
static char *fails_saying(const char *text, int fails, const char *const *says, size_t n)
{
    int kf;
    size_t sd;
    char *kept = kept_and_streamed(text, &kf, &sd);
    ck_assert_int_eq(kf, fails);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strstr(kept, says[i]), "no \"%s\" in:\n%s", says[i], kept);
    return kept;
}

START_TEST(test_streamed_checker_is_the_kept_one)
{
    int kf;
    size_t sd;
    char *kept = kept_and_streamed(CROWD, &kf, &sd);
    ck_assert_uint_gt(sd, 8000);         /* the early records were gone */
    /* and what they say is what happened late in the run (as the checker
     * that read the whole trace said it) */
    ck_assert_int_eq(kf, 12);
    ck_assert_ptr_nonnull(strstr(kept, "client->server tcp SYN count 301 (counted 300)"));
    ck_assert_ptr_nonnull(strstr(kept, "#302 ack rel 1 (only 300 SYN,ACKs went from server to client)"));
    ck_assert_ptr_nonnull(strstr(kept, "(client's RTO timer expired 1 time, at 5.992s)"));
    ck_assert_ptr_nonnull(strstr(kept, "client's 301st connect failed with \"connection refused\""));
    ck_assert_ptr_nonnull(strstr(kept, "(it read 598 bytes: \"hihihi"));
    ck_assert_ptr_nonnull(strstr(kept, "(client's TIME_WAIT timer started 299 times, at 18ms, "
                                       "38ms, 58ms, 78ms, 98ms, 118ms, ...)"));
    /* `state at`: the newest connection at that time, whatever came later */
    ck_assert_ptr_nonnull(strstr(kept, "server state CLOSED at 5s (it was FIN_WAIT_2 at 5s)"));
    ck_assert_ptr_null(strstr(kept, "ESTABLISHED at 4.975s ("));
    free(kept);
}
END_TEST

/* `states ... with PEER` on the server of a crowd, one line per client
 * (each fed only its connections' records): right where the history is
 * right, a failure quoting the client's own connection where it is not,
 * "2 such connections" for a client that connected twice, none for a
 * peer that never connected; the clients' lines alike; kept and
 * streamed the same. */
#define PEER_CROWD \
    "host server 192.0.2.80\n" \
    "host other 192.0.2.99\n" \
    "at 0ms server listen 80\n" \
    "repeat 40 as i from 1\n" \
    "  host c{i} {198.51.100.0 + i}\n" \
    "  link c{i} server delay 1ms\n" \
    "  at {10 + i * 20}ms c{i} connect server 80\n" \
    "  at {15 + i * 20}ms c{i} close\n" \
    "  at {18 + i * 20}ms server close with c{i}\n" \
    "  expect server states LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED with c{i}\n" \
    "  expect c{i} states CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED with server\n" \
    "end\n" \
    "repeat 4 as k from 1\n" \
    "  expect server states LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT TIME_WAIT CLOSED with c{k * 10}\n" \
    "end\n" \
    "at 2s c3 connect server 80\n" \
    "expect server states CLOSED LISTEN with other\n"

START_TEST(test_states_with_peer_in_a_crowd)
{
    static const char *const says[] = {
        "CLOSE_WAIT TIME_WAIT CLOSED with c10 (server:80-c10:",
        " went LISTEN SYN_RECEIVED ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED)",
        "with c40 (server:80-c40:",
        "with c3 (server had 2 such connections",
        "FIN_WAIT_2 TIME_WAIT CLOSED with server (c3 had 2 such",
        "with other (server had no such connection)",
    };
    char *kept = fails_saying(PEER_CROWD, 7, says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "with c39 ("));
    free(kept);
}
END_TEST

/* Frame lines on the server of a crowd, one per client (each pattern
 * offered only the frames from its sender to its receiver): a client
 * that connected twice fails its `count 1` on both sides, the lines
 * that asked for 2 fail where 1 went, a field quoted from the right
 * client's frame, none counted towards a host that was never answered;
 * kept and streamed the same. */
#define PAIR_CROWD \
    "host server 192.0.2.80\n" \
    "host other 192.0.2.99\n" \
    "link other server delay 1ms\n" \
    "at 0ms server listen 80\n" \
    "repeat 40 as i from 1\n" \
    "  host c{i} {198.51.100.0 + i}\n" \
    "  link c{i} server delay 1ms\n" \
    "  at {10 + i * 20}ms c{i} connect server 80\n" \
    "  expect server->c{i} tcp SYN,ACK count 1\n" \
    "  expect c{i}->server tcp SYN count 1\n" \
    "end\n" \
    "repeat 4 as k from 1\n" \
    "  expect server->c{k * 10} tcp SYN,ACK count 2\n" \
    "end\n" \
    "at 2s c3 connect server 80\n" \
    "expect server->c3 tcp SYN,ACK #2 ack rel 1\n" \
    "expect server->c7 tcp SYN,ACK #1 ack rel 2\n" \
    "expect server->other tcp SYN,ACK count 1\n"

START_TEST(test_frames_by_pair_in_a_crowd)
{
    static const char *const says[] = {
        "server->c3 tcp SYN,ACK count 1 (counted 2)",
        "c3->server tcp SYN count 1 (counted 2)",
        "server->c10 tcp SYN,ACK count 2 (counted 1)",
        "server->c40 tcp SYN,ACK count 2 (counted 1)",
        "(the 1st SYN,ACK from server to c7 carried ack rel 1 (",
        "server->other tcp SYN,ACK count 1 (counted 0)",
    };
    char *kept = fails_saying(PAIR_CROWD, 8, says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "server->c4 tcp"));
    ck_assert_ptr_null(strstr(kept, "#2 ack rel 1"));
    free(kept);
}
END_TEST

/* Lines a host has many of, one per client or per call: `CALL #N`
 * lines share one count of the host's calls (each told its own call's
 * outcome, a connect's when its handshake ends), beside a line with no
 * #N and a #N line alone with its call; `state ... by` and `never` lines
 * are decided by the first move into their state, before or after
 * their time.  Kept and streamed the same. */
#define CALL_CROWD \
    "host server 192.0.2.80\n" \
    "host client 192.0.2.10\n" \
    "link client server delay 1ms\n" \
    "at 0ms server listen 80\n" \
    "repeat 6 as i from 1\n" \
    "  at {i * 100}ms client connect server 80 from {40000 + i}\n" \
    "  at {i * 100 + 50}ms client close\n" \
    "  expect client connect #{i} succeeded\n" \
    "  expect client state ESTABLISHED by {i * 100}ms\n" \
    "  expect client never LISTEN\n" \
    "end\n" \
    "at 700ms client connect server 81 from 40007\n" \
    "expect client connect #7 error \"connection refused\"\n" \
    "expect client connect #7 succeeded\n" \
    "expect client connect #3 error \"connection refused\"\n" \
    "expect client connect #9 succeeded\n" \
    "expect client connect succeeded\n" \
    "expect client close #1 succeeded\n" \
    "expect client close #7 succeeded\n" \
    "expect client state CLOSE_WAIT by 10s\n" \
    "expect client never SYN_SENT\n" \
    "expect client state SYN_SENT by 99ms\n" \
    "expect server never LISTEN\n"

START_TEST(test_calls_and_states_many_on_a_host)
{
    static const char *const says[] = {
        ("t.scn:9: expectation failed: client state ESTABLISHED by 100ms "
         "(it entered ESTABLISHED only at 102ms)"),
        "client connect #7 succeeded (client's 7th connect failed with \"connection refused\")",
        "client connect #3 error \"connection refused\" (client's 3rd connect succeeded)",
        "client connect #9 succeeded (client made 7 connect calls)",
        "client connect succeeded (client's 7th connect failed with \"connection refused\")",
        "client close #7 succeeded (client made 6 close calls)",
        "client state CLOSE_WAIT by 10s (it never entered CLOSE_WAIT)",
        "client never SYN_SENT (it entered SYN_SENT at 100ms)",
        "client state SYN_SENT by 99ms (it entered SYN_SENT only at 100ms)",
        "server never LISTEN (it entered LISTEN at 0ms)",
    };
    char *kept = fails_saying(CALL_CROWD, 10, says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "connect #1 "));
    ck_assert_ptr_null(strstr(kept, "connect #6 "));
    ck_assert_ptr_null(strstr(kept, "by 200ms"));
    ck_assert_ptr_null(strstr(kept, "client never LISTEN ("));
    free(kept);
}
END_TEST

/* More lines a host has many of: `resolved NAME` lines fed the answers
 * for their own name (as DNS compares names: H3.Example.COM. is
 * h3.example.com), `arp ADDRESS` lines the moves of their own entry, and
 * `state ... at T` lines the host's state as it was at T, from one
 * tracker of the host's newest connection.  Kept and streamed the same. */
#define MANY_ON_A_HOST \
    TU_DNS_NET \
    "resolver resolver hints 198.51.100.200\n" \
    "at 0ms resolver listen 80\n" \
    "repeat 5 as i from 1\n" \
    "  record auth h{i}.example.com. 300 IN A {10.0.0.0 + i}\n" \
    "  at {i * 100}ms client resolve h{i}.example.com\n" \
    "  expect client resolved h{i}.example.com {10.0.0.0 + i}\n" \
    "  at {i * 100 + 1000}ms client connect resolver 80 from {40000 + i}\n" \
    "  at {i * 100 + 1050}ms client close\n" \
    "  expect client state ESTABLISHED at {i * 100 + 1020}ms\n" \
    "  expect client state SYN_SENT at {i * 100 + 1000}ms\n" \
    "end\n" \
    "expect client resolved H3.Example.COM. 10.0.0.3\n" \
    "expect client resolved h4.example.com 10.0.0.5\n" \
    "expect client resolved h6.example.com 10.0.0.6\n" \
    "at 700ms client resolve nope.example.com\n" \
    "expect client resolved nope.example.com NXDOMAIN\n" \
    "expect client resolved nope.example.com 10.0.0.1\n" \
    "expect client arp 198.51.100.53 REACHABLE by 10ms\n" \
    "expect client arp 198.51.100.53 REACHABLE by 2s\n" \
    "expect client arp 198.51.100.99 REACHABLE by 2s\n" \
    "expect resolver arp 198.51.100.10 STALE at 1s\n" \
    "expect client state CLOSED at 0ms\n" \
    "expect client state ESTABLISHED at 1s\n" \
    "expect client state TIME_WAIT at 1101ms\n" \
    "expect client state CLOSED at 3600s\n"

START_TEST(test_names_addresses_and_times_many_on_a_host)
{
    static const char *const says[] = {
        "client resolved h4.example.com 10.0.0.5 (it got 10.0.0.4)",
        "client resolved h6.example.com 10.0.0.6 (it never got an answer for h6.example.com.)",
        "client resolved nope.example.com 10.0.0.1 (it got NXDOMAIN)",
        "client arp 198.51.100.53 REACHABLE by 10ms (it became REACHABLE only at 110ms)",
        "client arp 198.51.100.99 REACHABLE by 2s (it never became REACHABLE)",
        "resolver arp 198.51.100.10 STALE at 1s (it was DELAY at 1s)",
        "client state ESTABLISHED at 1s (it was CLOSED at 1s)",
        "client state TIME_WAIT at 1101ms (it was SYN_SENT at 1.101s)",
        "client state CLOSED at 3600s (it was FIN_WAIT_2 at 60m)",
    };
    char *kept = fails_saying(MANY_ON_A_HOST, 9, says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "H3.Example.COM."));
    ck_assert_ptr_null(strstr(kept, "REACHABLE by 2s (it became"));
    ck_assert_ptr_null(strstr(kept, "at 1020ms"));
    ck_assert_ptr_null(strstr(kept, "CLOSED at 0ms"));
    free(kept);
}
END_TEST

/* `states ... on port P` on one client of many ports (each fed only the
 * records of its port's connections): right where right, the port's own
 * connection quoted where not, none for a port never used. */
#define PORT_CROWD \
    "host server 192.0.2.80\n" \
    "host client 192.0.2.10\n" \
    "link client server delay 1ms\n" \
    "at 0ms server listen 80\n" \
    "at 0ms server listen 81\n" \
    "repeat 30 as i from 1\n" \
    "  at {i}ms client connect server {80 + i % 2} from {10000 + i}\n" \
    "  at {500 + i}ms client close on port {10000 + i}\n" \
    "  at {600 + i}ms server close with client port {10000 + i}\n" \
    "  expect client states CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED on port {10000 + i}\n" \
    "end\n" \
    "repeat 3 as k from 1\n" \
    "  expect client states CLOSED SYN_SENT ESTABLISHED CLOSED on port {10000 + k * 9}\n" \
    "end\n" \
    "expect client states CLOSED SYN_SENT on port 9999\n"

START_TEST(test_states_on_port_in_a_crowd)
{
    static const char *const says[] = {
        "ESTABLISHED CLOSED on port 10009 (client:10009-server:81 went CLOSED SYN_SENT ",
        "ESTABLISHED CLOSED on port 10018 (client:10018-server:80 went",
        "ESTABLISHED CLOSED on port 10027 (client:10027-server:81 went",
        "on port 9999 (client had no such connection)",
    };
    free(fails_saying(PORT_CROWD, 4, says, sizeof says / sizeof *says));
}
END_TEST

/* A line's first connection keeps its history in the line's state, the
 * other seven theirs in an array made when a second one is selected: the
 * listener on port 80 is the second connection of port 80 here (the
 * server connected out from 80 first), and one four-tuple reused thirty
 * times runs past the 65 states a history keeps. */
#define REUSED_PORTS \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "link client server delay 1ms\n" \
    "tcp msl 10ms\n" \
    "at 0ms client listen 9\n" \
    "at 1ms server connect client 9 from 80\n" \
    "at 20ms server close\n" \
    "at 30ms client close with server\n" \
    "at 200ms server listen 80\n" \
    "repeat 30 as i\n" \
    "  at {300 + i * 100}ms client connect server 80 from 40000\n" \
    "  at {320 + i * 100}ms server close with client port 40000\n" \
    "  at {350 + i * 100}ms client close on port 40000\n" \
    "end\n" \
    "expect server states CLOSED LISTEN on port 80\n" \
    "expect server states CLOSED LISTEN CLOSED on port 80\n" \
    "expect server states CLOSED SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED with client port 9\n" \
    "expect server states CLOSED with client port 40000\n"

START_TEST(test_states_second_connection_and_long_history)
{
    static const char *const says[] = {
        "LISTEN CLOSED on port 80 (server:80 went CLOSED LISTEN)",
        ("with client port 40000 (server:80-client:40000 went LISTEN SYN_RECEIVED ESTABLISHED "
         "FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED LISTEN SYN_RECEIVED "),
        " TIME_WAIT CLOSED LISTEN SYN_RECEIVED ...)",
    };
    free(fails_saying(REUSED_PORTS, 2, says, sizeof says / sizeof *says));
}
END_TEST

/* `received`: a failure quotes the first bytes read, as many as its
 * message has room for, whether they ran off the expected text at once or
 * after 500 bytes of it. */
START_TEST(test_received_quotes_a_bounded_head)
{
    static const char base[] =
        "host a 192.0.2.10\nhost b 192.0.2.20\nlink a b\n"
        "at 0ms b listen 80\nat 1ms a connect b 80\nat 2ms a send 3000 bytes\n"
        "at 100ms b recv 16777216\n";
    char pattern[3001], want[1100], text[4000];
    for (int i = 0; i < 3000; i++)
        pattern[i] = (char)('a' + i % 26);
    pattern[3000] = '\0';
    /* "it read 3000 bytes: \"" then bytes while 8 more characters fit in 1024 */
    int head = snprintf(want, sizeof want, "it read 3000 bytes: \"");
    int shown = 1016 - head;
    snprintf(want + head, sizeof want - (size_t)head, "%.*s\")", shown, pattern);
    const char *expects[] = { "expect b received \"abc\"\n", NULL };
    char longer[600];
    snprintf(longer, sizeof longer, "expect b received \"%.500sX\"\n", pattern);
    expects[1] = longer;
    for (int k = 0; k < 2; k++)
        for (int stream = 0; stream < 2; stream++) {
            int f;
            size_t d;
            snprintf(text, sizeof text, "%s%s", base, expects[k]);
            char *msg = check_run(text, stream, &f, &d);
            ck_assert_int_eq(f, 1);
            const char *p = strchr(msg, '(');
            ck_assert_ptr_nonnull(p);
            ck_assert_uint_eq(strlen(p + 1), strlen(want) + 1);   /* and "\n" */
            ck_assert_int_eq(strncmp(p + 1, want, strlen(want)), 0);
            free(msg);
        }
}
END_TEST

/* A failure's count of what was read agrees with its number: one byte is
 * "1 byte", in the kept and the streamed checker alike. */
START_TEST(test_received_says_one_byte)
{
    static const char text[] =
        "host a 192.0.2.10\nhost b 192.0.2.20\nlink a b\n"
        "at 0ms b listen 80\nat 1ms a connect b 80\nat 2ms a send \"h\"\n"
        "at 100ms b recv 100\nexpect b received \"hi\"\n";
    for (int stream = 0; stream < 2; stream++) {
        int f;
        size_t d;
        char *msg = check_run(text, stream, &f, &d);
        ck_assert_int_eq(f, 1);
        ck_assert_msg(strstr(msg, "(it read 1 byte: \"h\")"), "%s", msg);
        free(msg);
    }
}
END_TEST

/* Host-wide lines written once per client of a crowd, so the server has
 * 12,000 of each: a line that keeps the same state as an earlier one
 * (the same text, messages or timer event) reads its verdict from that
 * one, and each record of the server is checked once, not once per line
 * (which made this crowd take tens of seconds).  Each line still fails
 * or holds on its own, with its own line number, kept and streamed. */
#define TWIN_CROWD \
    "host server 192.0.2.80\n" \
    "at 0ms server listen 80\n" \
    "repeat 12000 as i from 1\n" \
    "  host c{i} {10.1.0.0 + i}\n" \
    "  link c{i} server delay 1ms\n" \
    "  at {1 + i / 10}ms c{i} connect server 80\n" \
    "  expect server received \"\"\n" \
    "  expect server timer TIME_WAIT started count 0\n" \
    "  expect server reads 0\n" \
    "end\n" \
    "expect server received \"x\"\n" \
    "expect server timer TIME_WAIT started count 1\n" \
    "expect server reads 1\n"

START_TEST(test_same_host_wide_line_per_client_is_checked_once)
{
    static const char *const says[] = {
        "t.scn:11: expectation failed: server received \"x\" (it read 0 bytes: \"\")",
        ("t.scn:12: expectation failed: server timer TIME_WAIT started count 1 "
         "(server's TIME_WAIT timer never started)"),
        "t.scn:13: expectation failed: server reads 1 (0 reads returned data)",
    };
    char *kept = fails_saying(TWIN_CROWD, 3, says, sizeof says / sizeof *says);
    free(kept);
}
END_TEST

/* `timer` lines of one host written once per client with the client's
 * own time (`by {i}ms`, `at {i}ms`): twins of the first whatever time
 * they name, so each timer record of the host is checked once (fed to
 * every line, 12,000 lines took 17 s; 0.1 s now).  Each line's verdict
 * is still its own time's: the `by` before the first start fails, the
 * `at` lines hold at the times the starts fell on (listed here from the
 * last) and fail at a time none did, with the times there were. */
#define TIMER_CROWD \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "link client server delay 1ms\n" \
    "tcp msl 1ms\n" \
    "at 0ms server listen 80\n" \
    "repeat 12000 as i\n" \
    "  at {10 + i * 20}ms client connect server 80\n" \
    "  at {15 + i * 20}ms client close\n" \
    "  at {17 + i * 20}ms server close\n" \
    "  expect client timer TIME_WAIT started by {17 + i * 20}ms\n" \
    "  expect client timer TIME_WAIT started at {18 + (11999 - i) * 20 + i / 11999}ms\n" \
    "  expect client timer TIME_WAIT expired by {i * 20 + 20}ms\n" \
    "end\n" \
    "expect client timer TIME_WAIT started by 17ms\n" \
    "expect client timer TIME_WAIT started at 19ms\n" \
    "expect client timer TIME_WAIT started at 18ms\n"

START_TEST(test_timer_lines_per_client_time_are_checked_once)
{
    static const char *const says[] = {
        ("t.scn:10: expectation failed: client timer TIME_WAIT started by 17ms "
         "(client's TIME_WAIT timer started 12000 times, at 18ms, 38ms, 58ms, 78ms, 98ms, "
         "118ms, ...)\n"
         "t.scn:11: expectation failed: client timer TIME_WAIT started at 19ms "
         "(client's TIME_WAIT timer started 12000 times, at 18ms, "),
        "t.scn:14: expectation failed: client timer TIME_WAIT started by 17ms (",
        "t.scn:15: expectation failed: client timer TIME_WAIT started at 19ms (",
    };
    char *kept = fails_saying(TIMER_CROWD, 4, says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "started at 18ms ("));
    ck_assert_ptr_null(strstr(kept, "expired by"));
    free(kept);
}
END_TEST

/* `received`, `datagrams` and `messages` lines of one host, one per
 * client, each with its own text: no twins, so each was fed every record
 * of the host (12,000 clients: minutes).  They follow the host's first
 * line of their kind, fed only while what was read agrees with their
 * text.  Verdicts as before: "17" and "d17" hold, "170" fails on its
 * length, quoting the bytes read. */
#define FOLLOW_CROWD \
    "host server 192.0.2.80\n" \
    "host talker 192.0.2.90\n" \
    "link talker server delay 1ms\n" \
    "at 0ms server listen 80\n" \
    "at 0ms server udp bind 7\n" \
    "at 1ms talker connect server 80\n" \
    "at 5ms talker send \"17\"\n" \
    "at 5ms talker udp send server 7 \"d17\"\n" \
    "at 20ms server recv 10\n" \
    "at 20ms server udp recv 10\n" \
    "repeat 12000 as i from 1\n" \
    "  host c{i} {10.1.0.0 + i}\n" \
    "  link c{i} server delay 1ms\n" \
    "  at {30 + i / 10}ms c{i} connect server 80\n" \
    "  expect server received \"{i}\"\n" \
    "  expect server datagrams \"d{i}\"\n" \
    "  expect server messages \"m{i}\"\n" \
    "end\n"

START_TEST(test_texts_per_client_follow_one_line)
{
    static const char *const says[] = {
        "t.scn:15: expectation failed: server received \"1\" (it read 2 bytes: \"17\")",
        "t.scn:15: expectation failed: server received \"170\" (it read 2 bytes: \"17\")",
        "t.scn:16: expectation failed: server datagrams \"d1\" (datagram 1 was \"d17\")",
        "t.scn:16: expectation failed: server datagrams \"d18\" (datagram 1 was \"d17\")",
        "t.scn:17: expectation failed: server messages \"m17\" (it recovered 0 messages)",
    };
    char *kept = fails_saying(FOLLOW_CROWD, 3 * 12000 - 2, says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "received \"17\" ("));
    ck_assert_ptr_null(strstr(kept, "datagrams \"d17\" ("));
    free(kept);
}
END_TEST

/* One pair, N connections in turn, each from its own port, and a line per connection that
 * says the same as the others or names its own numbers. */
#define PAIR_SEQ(N, LINE) \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "link client server delay 1ms\n" \
    "tcp msl 1ms\n" \
    "at 0ms server listen 80\n" \
    "repeat " N " as i\n" \
    "  at {10 + i * 20}ms client connect server 80 from {1024 + i}\n" \
    "  at {11 + i * 20}ms client send \"hi\"\n" \
    "  at {15 + i * 20}ms client close\n" \
    "  at {17 + i * 20}ms server close\n" \
    "  " LINE "\n" \
    "end\n"

/* `every` lines that ask the same of one pattern's frames are twins of
 * the first (each frame offered to each line: 20,000 lines took 5 s);
 * each keeps its own verdict and line. */
START_TEST(test_same_every_line_per_client_is_checked_once)
{
    static const char *const says[] = {
        ("t.scn:13: expectation failed: client->server tcp data every len 3 (the 1st data "
         "segment from client to server carried len 2"),
    };
    char *kept = fails_saying(PAIR_SEQ("20000", "expect client->server tcp data every len 2")
                              "expect client->server tcp data every len 3\n"
                              "expect client->server tcp data every len 2\n", 1,
                              says, sizeof says / sizeof *says);
    free(kept);
}
END_TEST

/* `CALL succeeded` lines of one host and call are twins too (each was fed
 * every record of the host: 20,000 lines, some 20 s). */
START_TEST(test_same_call_line_per_client_is_checked_once)
{
    static const char *const says[] = {
        ("t.scn:13: expectation failed: client connect error \"connection refused\" (no "
         "connect by client failed that way: the 1st succeeded; the 2nd succeeded; the 3rd "
         "succeeded; the 4th succeeded)"),
    };
    char *kept = fails_saying(PAIR_SEQ("20000", "expect client connect succeeded")
                              "expect client connect error \"connection refused\"\n"
                              "expect client close succeeded\n", 1,
                              says, sizeof says / sizeof *says);
    free(kept);
}
END_TEST

/* The ISNs that `rel` numbers count from, by address-and-port pair: one
 * client's ports to one server port all hashed to a few homes, so each
 * frame's lookup probed past every connection before it (30,000 `some
 * ... rel` lines: 3.5 s a run, 84% of it in the lookup; 0.35 s now). */
START_TEST(test_rel_lines_on_one_pair_look_isns_up_by_hash)
{
    static const char *const says[] = {
        "t.scn:13: expectation failed: client->server tcp ACK some seq rel 5 (",
    };
    char *kept = fails_saying(PAIR_SEQ("30000", "expect server->client tcp ACK some ack rel {3 + i % 2}")
                              "expect client->server tcp ACK some seq rel 5\n", 1,
                              says, sizeof says / sizeof *says);
    free(kept);
}
END_TEST

/* `states` lines that select nothing (no `on port`, no `with`), one per
 * connection of a crowd: they keep the same histories, so they are twins
 * whatever states they name (each fed every TCP state record of its
 * host: 16,000 lines took 72 s).  Each still says its own: the host had
 * more than the eight connections it names (it said "8 such
 * connections" of 20,000). */
START_TEST(test_same_states_line_per_client_is_checked_once)
{
    static const char *const says[] = {
        ("t.scn:11: expectation failed: client states CLOSED SYN_SENT ESTABLISHED (client had "
         "more than 8 such connections (client:1024-server:80, client:1025-server:80, "),
        "client:1031-server:80, ...); name one with on port N or with PEER port N)\n",
        "t.scn:14: expectation failed: client states CLOSED SYN_SENT (client had more than 8 ",
    };
    char *kept = fails_saying(PAIR_SEQ("20000", "expect client states CLOSED SYN_SENT ESTABLISHED")
                              "expect server states CLOSED LISTEN on port 80\n"
                              "expect client states CLOSED SYN_SENT\n", 20001,
                              says, sizeof says / sizeof *says);
    ck_assert_ptr_null(strstr(kept, "client had 8 such"));
    free(kept);
}
END_TEST

/* `state at` reads HOST's newest connection, and a connection that reuses
 * the id (ports and peer) of one that has closed is a new one: here the
 * client connects from port 40000 again at 2s, after a connection to
 * other opened at 1s, and the server accepts it on the old four-tuple.
 * The tracker took the reused id for the old connection, so at 3s it read
 * the connection to other (FIN_WAIT_2: a false pass) and the server's
 * closed one (CLOSED).  Kept and streamed the same. */
#define REUSED_ID \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "host other 192.0.2.99\n" \
    "link client server delay 10ms\n" \
    "link client other delay 10ms\n" \
    "tcp msl 100ms\n" \
    "at 0ms server listen 80\n" \
    "at 0ms other listen 80\n" \
    "at 10ms client connect server 80 from 40000\n" \
    "at 100ms client close\n" \
    "at 100ms server close with client\n" \
    "at 1s client connect other 80 from 40001\n" \
    "at 2s client connect server 80 from 40000\n" \
    "at 2500ms client close with other\n" \
    "expect client state FIN_WAIT_2 at 3s\n" \
    "expect client state ESTABLISHED at 3s\n" \
    "expect client state SYN_SENT at 2s\n" \
    "expect server state ESTABLISHED at 2100ms\n" \
    "expect server state CLOSED at 1s\n" \
    "expect other state FIN_WAIT_1 at 2600ms\n"

START_TEST(test_state_at_reused_id_is_a_new_connection)
{
    static const char *const says[] = {
        "t.scn:15: expectation failed: client state FIN_WAIT_2 at 3s (it was ESTABLISHED at 3s)",
        "t.scn:20: expectation failed: other state FIN_WAIT_1 at 2600ms (it was CLOSE_WAIT at 2.6s)",
    };
    free(fails_saying(REUSED_ID, 2, says, sizeof says / sizeof *says));
}
END_TEST

/* `states` with neither `on port` nor a peer needs HOST to have one
 * connection: a server with a listener and the connection it accepted has
 * two, and the listener was picked, so `server states CLOSED LISTEN` held
 * (a false pass) and the accepted connection's history failed quoting the
 * listener's.  `on port 80` still names the listener.  And a host with
 * more than eight such connections was said to have 8.  Kept and streamed
 * the same. */
#define STATES_WHICH \
    "host client 192.0.2.10\n" \
    "host server 192.0.2.80\n" \
    "link client server delay 1ms\n" \
    "at 0ms server listen 80\n" \
    "repeat 10 as i\n" \
    "  at {10 + i * 10}ms client connect server 80\n" \
    "end\n" \
    "expect server states CLOSED LISTEN\n" \
    "expect server states CLOSED LISTEN on port 80\n" \
    "expect client states CLOSED SYN_SENT ESTABLISHED\n" \
    "expect client states CLOSED SYN_SENT ESTABLISHED with server\n" \
    "expect server states LISTEN SYN_RECEIVED ESTABLISHED with client port 49342\n"

START_TEST(test_states_needs_one_connection)
{
    static const char *const says[] = {
        ("t.scn:8: expectation failed: server states CLOSED LISTEN (server had more than 8 such "
         "connections (server:80, server:80-client:49342, "),
        ("t.scn:10: expectation failed: client states CLOSED SYN_SENT ESTABLISHED (client had "
         "more than 8 such connections (client:49342-server:80, "),
        "client:49349-server:80, ...); name one with on port N or with PEER port N)",
        ("t.scn:11: expectation failed: client states CLOSED SYN_SENT ESTABLISHED with server "
         "(client had more than 8 such connections"),
    };
    free(fails_saying(STATES_WHICH, 3, says, sizeof says / sizeof *says));
    static const char *const two[] = {
        ("t.scn:8: expectation failed: server states CLOSED LISTEN (server had 2 such connections "
         "(server:80, server:80-client:49342); name one with on port N or with PEER port N)"),
    };
    free(fails_saying("host client 192.0.2.10\n"
                      "host server 192.0.2.80\n"
                      "link client server delay 1ms\n"
                      "at 0ms server listen 80\n"
                      "at 10ms client connect server 80\n"
                      "at 100ms client close\n"
                      "at 100ms server close with client\n"
                      "expect server states CLOSED LISTEN\n"
                      "expect server states CLOSED LISTEN on port 80\n",
                      1, two, 1));
}
END_TEST

/* A run stopped by --max-events in the middle of an instant: a line about
 * that instant is not checked (its records were not all made), one about
 * an earlier time is; and the cut is said where it is. */
START_TEST(test_cut_mid_instant_leaves_that_instant_open)
{
    struct scenario *scn = parse_ok("host client 192.0.2.10\n"
                                    "host server 192.0.2.80\n"
                                    "link client server delay 10ms\n"
                                    "at 0ms server listen 80\n"
                                    "at 10ms client connect server 80\n"
                                    "expect server state LISTEN at 5ms\n"
                                    "expect client state ESTABLISHED at 30ms\n"
                                    "expect client state SYN_SENT at 20ms\n");
    struct sim s;
    sim_init(&s, scn, 1);
    s.max_events = 4;     /* listen, connect, the SYN's arrival; not the SYN,ACK's */
    trace_stream(&s.tr);
    struct scn_checker *c = scn_checker_new(scn, &s.tr);
    struct trace_sink k = { scn_checker_rec, c };
    ck_assert_int_eq(trace_add_sink(&s.tr, &k), 0);
    sim_run(&s);
    ck_assert(s.truncated);
    ck_assert_int_eq(s.stop.t_us, 30000);
    scn_checker_cut(c, s.stop.t_us, s.stop.limit == LIM_TIME);
    char **msgs = NULL;
    int n = 0;
    ck_assert_int_eq(scn_checker_finish(c, &msgs, &n), 1);
    char *all = joined(msgs, n);
    ck_assert_str_eq(all, "t.scn:7: expectation not checked: client state ESTABLISHED at 30ms "
                          "(the run was cut short at 30ms, before that instant's events had all run)\n");
    free(all);
    sim_free(&s);
    scenario_free(scn);
}
END_TEST

/* `resolved NAME FAILED` is "every try timed out": a host with no DNS
 * server, whose lookup the stub refused before any try, held it (its
 * failure carries rcode -1 like a timeout).  Kept and streamed the same. */
START_TEST(test_resolved_failed_is_not_a_refusal)
{
    static const char *const says[] = {
        ("t.scn:5: expectation failed: client resolved www.example.com FAILED (the lookup was "
         "refused at once: the host has no DNS server)"),
        ("t.scn:6: expectation failed: client resolved www.example.com NXDOMAIN (the lookup was "
         "refused at once: the host has no DNS server)"),
    };
    free(fails_saying("host client 192.0.2.10\n"
                      "host server 192.0.2.80\n"
                      "link client server delay 1ms\n"
                      "at 1s client resolve www.example.com\n"
                      "expect client resolved www.example.com FAILED\n"
                      "expect client resolved www.example.com NXDOMAIN\n",
                      2, says, 2));
}
END_TEST

/* The noun of a frame failure is in the number's form: "DNS queries"
 * (the message added an "s": "3 DNS querys"), "ARP replies", and still
 * "SYN,ACKs", and "no SYN went" for none.  Kept and streamed the same. */
START_TEST(test_frame_nouns_in_the_plural)
{
    static const char *const says[] = {
        "(only 2 DNS queries went from client to resolver)",
        ("(none of the 2 DNS queries from client to resolver carried that: the 1st carried "
         "qname www.example.com, not x.com)"),
        "(only 2 SYN,ACKs went from resolver to client)",
        "(no SYN went from resolver to client)",
        "(only 1 ARP reply went from resolver to client)",
    };
    free(fails_saying("lan home 192.0.2.0/24 delay 1ms\n"
                      "host client 192.0.2.10 on home dns 192.0.2.53\n"
                      "host resolver 192.0.2.53 on home\n"
                      "zone resolver example.com\n"
                      "record resolver www.example.com. 300 IN A 192.0.2.80\n"
                      "at 0ms resolver listen 80\n"
                      "at 10ms client resolve www.example.com\n"
                      "at 20ms client resolve nope.example.com\n"
                      "at 30ms client connect resolver 80\n"
                      "at 40ms client connect resolver 80\n"
                      "expect client->resolver dns query #3 qname x.com\n"
                      "expect client->resolver dns query some qname x.com\n"
                      "expect resolver->client tcp SYN,ACK #3 ack rel 1\n"
                      "expect resolver->client tcp SYN #1 seq 0\n"
                      "expect resolver->client arp reply #2 is-at\n",
                      5, says, sizeof says / sizeof *says));
}
END_TEST

/* `queries` counts the DNS queries HOST sent: a router that forwards a
 * client's queries to the resolver sends none of its own (they were
 * counted as the router's).  Kept and streamed the same. */
START_TEST(test_queries_are_not_forwarded_ones)
{
    static const char *const says[] = {
        "t.scn:11: expectation failed: gw queries 1 (it sent 0 DNS queries)",
    };
    free(fails_saying("lan home 192.0.2.0/24 delay 1ms\n"
                      "lan isp 198.51.100.0/24 delay 1ms\n"
                      "host client 192.0.2.10 on home gateway 192.0.2.1 dns 198.51.100.53\n"
                      "router gw 192.0.2.1 on home 198.51.100.1 on isp\n"
                      "host resolver 198.51.100.53 on isp gateway 198.51.100.1\n"
                      "zone resolver example.com\n"
                      "record resolver www.example.com. 300 IN A 192.0.2.80\n"
                      "at 10ms client resolve www.example.com\n"
                      "at 20ms client resolve nope.example.com\n"
                      "expect gw queries 0\n"
                      "expect gw queries 1\n"
                      "expect client queries 2\n"
                      "expect gw->resolver dns query count 2\n",
                      1, says, 1));
}
END_TEST

/* An `accept` that blocks makes its record when it returns: one still
 * waiting at the end made none, and the calls were counted by their
 * records, so "server made 1 accept call" was said of two and `accept
 * succeeded` held with one still waiting.  Kept and streamed the same. */
START_TEST(test_accept_still_waiting_is_a_call)
{
    static const char *const says[] = {
        ("t.scn:8: expectation failed: server accept succeeded (server's 2nd accept was still "
         "waiting for a connection at the end of the run)"),
        ("t.scn:9: expectation failed: server accept #2 succeeded (server's 2nd accept was "
         "still waiting for a connection at the end of the run)"),
        "t.scn:11: expectation failed: server accept #3 succeeded (server made 2 accept calls)",
    };
    free(fails_saying("host client 192.0.2.10\n"
                      "host server 192.0.2.80\n"
                      "link client server delay 10ms\n"
                      "at 0ms server listen 80 backlog 4\n"
                      "at 0ms server accept 80\n"
                      "at 0ms server accept 80\n"
                      "at 10ms client connect server 80\n"
                      "expect server accept succeeded\n"
                      "expect server accept #2 succeeded\n"
                      "expect server accept #1 succeeded\n"
                      "expect server accept #3 succeeded\n",
                      3, says, sizeof says / sizeof *says));
}
END_TEST

Suite *expect_suite(void)
{
    Suite *s = suite_create("expect");
    TCase *tc = tcase_create("incremental");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_streamed_checker_is_the_kept_one);
    tcase_add_test(tc, test_states_with_peer_in_a_crowd);
    tcase_add_test(tc, test_frames_by_pair_in_a_crowd);
    tcase_add_test(tc, test_calls_and_states_many_on_a_host);
    tcase_add_test(tc, test_names_addresses_and_times_many_on_a_host);
    tcase_add_test(tc, test_states_on_port_in_a_crowd);
    tcase_add_test(tc, test_states_second_connection_and_long_history);
    tcase_add_test(tc, test_received_quotes_a_bounded_head);
    tcase_add_test(tc, test_received_says_one_byte);
    suite_add_tcase(s, tc);
    TCase *tw = tcase_create("twins");       /* the default 4 s: it times */
    tcase_add_test(tw, test_same_host_wide_line_per_client_is_checked_once);
    tcase_add_test(tw, test_timer_lines_per_client_time_are_checked_once);
    tcase_add_test(tw, test_texts_per_client_follow_one_line);
    tcase_add_test(tw, test_same_every_line_per_client_is_checked_once);
    tcase_add_test(tw, test_same_call_line_per_client_is_checked_once);
    tcase_add_test(tw, test_rel_lines_on_one_pair_look_isns_up_by_hash);
    tcase_add_test(tw, test_same_states_line_per_client_is_checked_once);
    suite_add_tcase(s, tw);
    TCase *au = tcase_create("audit");
    tcase_set_timeout(au, 30);
    tcase_add_test(au, test_state_at_reused_id_is_a_new_connection);
    tcase_add_test(au, test_states_needs_one_connection);
    tcase_add_test(au, test_cut_mid_instant_leaves_that_instant_open);
    tcase_add_test(au, test_resolved_failed_is_not_a_refusal);
    tcase_add_test(au, test_frame_nouns_in_the_plural);
    tcase_add_test(au, test_queries_are_not_forwarded_ones);
    tcase_add_test(au, test_accept_still_waiting_is_a_call);
    suite_add_tcase(s, au);
    return s;
}
