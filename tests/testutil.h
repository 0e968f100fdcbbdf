/* testutil.h — helpers the simulator-level suites share: parse a scenario
 * text that must be valid, and flatten a trace into bytes so two runs can
 * be compared byte for byte. */
#ifndef PROTOSIM_TESTUTIL_H
#define PROTOSIM_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include "lang.h"
#include "narrate.h"
#include "trace.h"

/* The iterative-DNS network of the lessons: a client with a stub resolver,
 * a recursive resolver, root, com and example.com's server on one LAN,
 * with the zones' delegations and glue; a test adds its own names to
 * `auth` and its `resolver resolver hints 198.51.100.200` line. */
#define TU_DNS_NET \
    "lan net 198.51.100.0/24 delay 5ms\n" \
    "host client   198.51.100.10 on net dns 198.51.100.53\n" \
    "host resolver 198.51.100.53 on net\n" \
    "host root     198.51.100.200 on net\n" \
    "host tld      198.51.100.201 on net\n" \
    "host auth     198.51.100.202 on net\n" \
    "zone root .\n" \
    "record root com. 172800 IN NS a.gtld-servers.net.\n" \
    "record root a.gtld-servers.net. 172800 IN A 198.51.100.201\n" \
    "zone tld com\n" \
    "record tld example.com. 172800 IN NS ns1.example.com.\n" \
    "record tld ns1.example.com. 172800 IN A 198.51.100.202\n" \
    "zone auth example.com\n" \
    "record auth example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300\n" \
    "record auth ns1.example.com. 3600 IN A 198.51.100.202\n"

/* Parses text as "t.scn"; fails the current test with the first error. */
struct scenario *tu_parse(const char *text);

struct tu_bytes { uint8_t *p; size_t n, cap; };

/* Every record, field by field, with its narration and every blob's bytes.
 * Free with free(b.p). */
struct tu_bytes tu_trace_bytes(const struct trace *tr);

#endif
