/* fmt.h — numbers as decimal text without printf: the trace's writers
 * turn tens of numbers per record into text, and a crowd's run makes
 * millions of records. */
#ifndef PROTOSIM_FMT_H
#define PROTOSIM_FMT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any 64-bit value in decimal, its sign and the NUL. */
#define FMT_INT_LEN 24

/* v in decimal, NUL-terminated, at the end of buf; returns where it
 * starts (inside buf). */
char *fmt_u64(uint64_t v, char buf[FMT_INT_LEN]);
char *fmt_i64(int64_t v, char buf[FMT_INT_LEN]);

/* v in decimal at out, without a NUL; returns how many bytes (at most
 * FMT_INT_LEN - 1).  For a writer that appends to its own buffer: no
 * copy, no strlen. */
size_t fmt_u64_put(uint64_t v, char *out);
size_t fmt_i64_put(int64_t v, char *out);

/* stpcpy's way for text built in a local buffer: lit, then v in decimal,
 * NUL-terminated at q; returns the NUL's place.  And the text from t to
 * end copied to buf, cut to n - 1 bytes, NUL-terminated; returns buf. */
char *fmt_put_u64(char *q, const char *lit, uint64_t v);
char *fmt_cut_copy(char *buf, size_t n, const char *t, const char *end);

#endif
