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

/* Parses text as "t.scn"; fails the current test with the first error. */
struct scenario *tu_parse(const char *text);

struct tu_bytes { uint8_t *p; size_t n, cap; };

/* Every record, field by field, with its narration and every blob's bytes.
 * Free with free(b.p). */
struct tu_bytes tu_trace_bytes(const struct trace *tr);

#endif
