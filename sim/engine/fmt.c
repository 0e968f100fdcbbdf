/* fmt.c — see fmt.h. */
#include "fmt.h"

/* "00" to "99": two digits per division */
static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char *fmt_u64(uint64_t v, char buf[FMT_INT_LEN])
{
    char *p = buf + FMT_INT_LEN - 1;
    *p = '\0';
    while (v >= 100) {
        const char *d = pairs + 2 * (v % 100);
        v /= 100;
        *--p = d[1];
        *--p = d[0];
    }
    if (v >= 10) {
        *--p = pairs[2 * v + 1];
        *--p = pairs[2 * v];
    } else
        *--p = (char)('0' + v);
    return p;
}

char *fmt_i64(int64_t v, char buf[FMT_INT_LEN])
{
    if (v >= 0)
        return fmt_u64((uint64_t)v, buf);
    char *p = fmt_u64((uint64_t)0 - (uint64_t)v, buf);
    *--p = '-';
    return p;
}
