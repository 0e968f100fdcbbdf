/* fmt.c — see fmt.h. */
#include "fmt.h"

char *fmt_u64(uint64_t v, char buf[FMT_INT_LEN])
{
    char *p = buf + FMT_INT_LEN - 1;
    *p = '\0';
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
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
