/* suites.h — every Check suite the runner gathers, one line per module. */
#ifndef PROTOSIM_SUITES_H
#define PROTOSIM_SUITES_H

#include <check.h>

#define TEST_SUITES(X) \
    X(event_suite) \
    X(narration_suite) \
    X(sim_suite) \
    X(tcp_suite) \
    X(wire_suite) \
    X(pcap_suite) \
    X(scenario_suite) \
    X(dns_suite) \
    X(view_suite) \
    X(arp_suite) \
    X(net_suite) \
    X(real_suite) \
    X(robust_suite) \
    X(cause_suite) \
    X(trace_suite) \
    X(synflood_suite) \
    X(expect_suite) \
    X(whatif_suite) \
    X(export_suite) \
    X(quiz_suite) \
    X(ports_suite) \
    X(encap_suite) \
    X(code_suite) \
    X(read_suite)

#define X(fn) Suite *fn(void);
TEST_SUITES(X)
#undef X

#endif
