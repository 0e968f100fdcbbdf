/* uwsgi.c — see uwsgi.h. */
#include <string.h>
#include "uwsgi.h"

static size_t le16(const uint8_t *p)
{
    return (size_t)p[0] | (size_t)p[1] << 8;
}

static void put_le16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v & 0xff);
    p[1] = (uint8_t)(v >> 8);
}

void uwsgi_put_header(uint8_t *out, size_t size)
{
    out[0] = 0;                         /* modifier1: a WSGI request */
    put_le16(out + 1, size);            /* datasize, little-endian */
    out[3] = 0;                         /* modifier2 */
}

size_t uwsgi_datasize(const uint8_t *p)
{
    return le16(p + 1);
}

int uwsgi_is_request(const uint8_t *p, size_t len)
{
    return len >= UWSGI_HDR && p[0] == 0 && p[3] == 0 &&
           uwsgi_datasize(p) == len - UWSGI_HDR;
}

size_t uwsgi_put_var(uint8_t *out, size_t at, size_t cap, const char *k,
                     const char *v)
{
    size_t kl = strlen(k), vl = strlen(v);
    if (at + 4 + kl + vl > cap)
        return at;
    put_le16(out + at, kl);
    memcpy(out + at + 2, k, kl);
    put_le16(out + at + 2 + kl, vl);
    memcpy(out + at + 4 + kl, v, vl);
    return at + 4 + kl + vl;
}

int uwsgi_next_var(const uint8_t *p, size_t n, size_t *at, struct uwsgi_var *v)
{
    size_t i = *at;
    if (i >= n)
        return 0;
    if (i + 2 > n)
        return -1;
    size_t kl = le16(p + i);
    if (i + 2 + kl + 2 > n)
        return -1;
    size_t vl = le16(p + i + 2 + kl);
    if (i + 4 + kl + vl > n)
        return -1;
    v->key = p + i + 2;
    v->klen = kl;
    v->val = p + i + 4 + kl;
    v->vlen = vl;
    *at = i + 4 + kl + vl;
    return 1;
}
