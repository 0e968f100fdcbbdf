/* fmt.c — see fmt.h. */
#include <string.h>
#include "fmt.h"

/* "00" to "99": two digits per division */
static const char pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* v's digits written backwards so that they end at end; returns where
 * they start.  Four digits per 64-bit division, split in two pairs with
 * 32-bit arithmetic. */
static char *digits_before(char *end, uint64_t v)
{
    char *p = end;
    while (v >= 10000) {
        uint32_t r = (uint32_t)(v % 10000);
        v /= 10000;
        p -= 4;
        memcpy(p, pairs + 2 * (r / 100), 2);
        memcpy(p + 2, pairs + 2 * (r % 100), 2);
    }
    uint32_t w = (uint32_t)v;
    if (w >= 100) {
        p -= 2;
        memcpy(p, pairs + 2 * (w % 100), 2);
        w /= 100;
    }
    if (w >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * w, 2);
    } else
        *--p = (char)('0' + w);
    return p;
}

char *fmt_u64(uint64_t v, char buf[FMT_INT_LEN])
{
    char *p = buf + FMT_INT_LEN - 1;
    *p = '\0';
    return digits_before(p, v);
}

char *fmt_i64(int64_t v, char buf[FMT_INT_LEN])
{
    if (v >= 0)
        return fmt_u64((uint64_t)v, buf);
    char *p = fmt_u64((uint64_t)0 - (uint64_t)v, buf);
    *--p = '-';
    return p;
}

/* How many decimal digits v has: from its bit length (1233 / 4096 is
 * just above log10(2)), less one when v is below that power of ten. */
static size_t digits10(uint64_t v)
{
    static const uint64_t pow10[20] = {
        1u, 10u, 100u, 1000u, 10000u, 100000u, 1000000u, 10000000u,
        100000000u, 1000000000u, 10000000000u, 100000000000u,
        1000000000000u, 10000000000000u, 100000000000000u,
        1000000000000000u, 10000000000000000u, 100000000000000000u,
        1000000000000000000u, 10000000000000000000u,
    };
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned t = bits * 1233 >> 12;     /* floor(log10(2^bits)), 0..19 */
    return t + 1 - (t && v < pow10[t]);   /* 0 has one digit */
}

size_t fmt_u64_put(uint64_t v, char *out)
{
    size_t n = digits10(v);
    digits_before(out + n, v);
    return n;
}

size_t fmt_i64_put(int64_t v, char *out)
{
    if (v >= 0)
        return fmt_u64_put((uint64_t)v, out);
    *out = '-';
    return 1 + fmt_u64_put((uint64_t)0 - (uint64_t)v, out + 1);
}

char *fmt_put_u64(char *q, const char *lit, uint64_t v)
{
    q = stpcpy(q, lit);
    q += fmt_u64_put(v, q);
    *q = '\0';
    return q;
}

char *fmt_cut_copy(char *buf, size_t n, const char *t, const char *end)
{
    if (n) {
        size_t len = (size_t)(end - t) < n - 1 ? (size_t)(end - t) : n - 1;
        memcpy(buf, t, len);
        buf[len] = '\0';
    }
    return buf;
}
