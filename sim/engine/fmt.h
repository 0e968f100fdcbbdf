/* fmt.h — numbers as decimal text without printf: the trace's writers
 * turn tens of numbers per record into text, and a crowd's run makes
 * millions of records. */
#ifndef PROTOSIM_FMT_H
#define PROTOSIM_FMT_H

#include <stdint.h>

/* Room for any 64-bit value in decimal, its sign and the NUL. */
#define FMT_INT_LEN 24

/* v in decimal, NUL-terminated, at the end of buf; returns where it
 * starts (inside buf). */
char *fmt_u64(uint64_t v, char buf[FMT_INT_LEN]);
char *fmt_i64(int64_t v, char buf[FMT_INT_LEN]);

#endif
