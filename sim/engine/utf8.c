/* utf8.c — RFC 3629's well-formed UTF-8. */
#include "utf8.h"

int utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t b = p[0];
    int len;
    uint8_t lo = 0x80, hi = 0xBF;      /* the second byte's range */
    uint32_t c;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2; c = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3; c = b & 0x0F;
        if (b == 0xE0) lo = 0xA0;      /* overlong */
        if (b == 0xED) hi = 0x9F;      /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4; c = b & 0x07;
        if (b == 0xF0) lo = 0x90;      /* overlong */
        if (b == 0xF4) hi = 0x8F;      /* above U+10FFFF */
    } else {
        return 0;
    }
    if (n < (size_t)len || p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    *cp = c;
    return len;
}

size_t utf8_invalid(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        int k;
        if (p[i] < 0x80)
            i++;
        else if ((k = utf8_seq(p + i, n - i, &cp)) > 0)
            i += (size_t)k;
        else
            return i;
    }
    return n;
}

size_t utf8_chars(const uint8_t *p, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += (p[i] & 0xC0) != 0x80;
    return c;
}
