/* narrate.c — renders narration ids and their parameters into sentences. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "fmt.h"
#include "i18n.h"
#include "narrate.h"
#include "tcp.h"
#include "trace.h"
#include "wire.h"

static const char *const templates_en[N_COUNT] = {
#define X(id, text) [id] = text,
    NARRATIONS(X)
#undef X
};

const char *narration_template(int id)
{
    if (id < 0 || id >= N_COUNT)
        return "";
    return templates_en[id];
}

/* len bytes of s at buf + *pos, always NUL-terminating within n; cut
 * short, it ends before a whole UTF-8 character, never inside one.  Once
 * a piece is cut the sentence is full: a shorter piece after it would not
 * fit where the cut left room, it would make a sentence never said. */
static void put_n(char *buf, size_t n, size_t *pos, const char *s, size_t len)
{
    if (*pos + 1 >= n)
        return;
    int full = 0;
    if (len > n - 1 - *pos) {
        len = n - 1 - *pos;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;                           /* s[len] continues a character */
        full = 1;
    }
    memcpy(buf + *pos, s, len);
    buf[*pos + len] = '\0';
    *pos = full ? n - 1 : *pos + len;
}

/* put_n of a whole string */
static void put(char *buf, size_t n, size_t *pos, const char *s)
{
    put_n(buf, n, pos, s, strlen(s));
}

static void put_arg(char *buf, size_t n, size_t *pos, int64_t v,
                    const char *type, size_t tlen, const struct narrate_ctx *nc)
{
    char tmp[64];
    if (tlen == 0) {
        put(buf, n, pos, fmt_i64(v, tmp));
        return;
    } else if (tlen == 1 && type[0] == 's') {
        /* English's plural ending: "1 byte", "2 bytes", "0 bytes"; a
         * translation without plural endings leaves it out */
        if (v != 1)
            put(buf, n, pos, "s");
        return;
    } else if (tlen == 3 && !memcmp(type, "dur", 3)) {
        fmt_duration(v, tmp, sizeof tmp);
    } else if (tlen == 3 && !memcmp(type, "pct", 3)) {
        /* parts per million as the lesson writes a rate: "50%", "0.5%",
         * "12.3456%" (lang/lex.c reads at most four decimals) */
        uint64_t u = v < 0 ? 0 : (uint64_t)v;
        int k = snprintf(tmp, sizeof tmp, "%llu.%04llu",
                         (unsigned long long)(u / 10000),
                         (unsigned long long)(u % 10000));
        while (k > 0 && tmp[k - 1] == '0')
            tmp[--k] = '\0';
        if (k > 0 && tmp[k - 1] == '.')
            tmp[--k] = '\0';
        snprintf(tmp + k, sizeof tmp - (size_t)k, "%%");
    } else if (tlen == 5 && !memcmp(type, "state", 5)) {
        put(buf, n, pos, tcp_state_name((int)v));
        return;
    } else if (tlen == 5 && !memcmp(type, "flags", 5)) {
        tcp_flags_str((uint8_t)v, tmp, sizeof tmp);
    } else if (tlen == 2 && !memcmp(type, "ip", 2)) {
        ip4_str((ip4_addr)v, tmp, sizeof tmp);
    } else if (tlen == 3 && !memcmp(type, "mac", 3)) {
        mac_str(mac_from_i64(v), tmp, sizeof tmp);
    } else if (tlen == 4 && !memcmp(type, "call", 4)) {
        put(buf, n, pos, app_call_name((int)v));
        return;
    } else if (tlen == 3 && !memcmp(type, "str", 3)) {
        put(buf, n, pos, nc && nc->str ? nc->str(nc->ctx, (uint32_t)v) : "");
        return;
    } else {
        snprintf(tmp, sizeof tmp, "?");
    }
    put(buf, n, pos, tmp);
}

char *narrate(const struct why *w, const struct narrate_ctx *nc,
              char *buf, size_t n)
{
    return narrate_template(narration_template(w->id), w, nc, buf, n);
}

char *narrate_template(const char *tmpl, const struct why *w,
                       const struct narrate_ctx *nc, char *buf, size_t n)
{
    size_t pos = 0;
    const char *t = _(tmpl);               /* in the chosen language */
    if (n == 0)
        return buf;
    buf[0] = '\0';
    while (*t) {
        const char *open = strchr(t, '{');
        if (!open) {
            put(buf, n, &pos, t);
            break;
        }
        put_n(buf, n, &pos, t, (size_t)(open - t));
        t = open;
        const char *close = strchr(open, '}');
        if (!close || open[1] < '0' || open[1] > '3') {
            put(buf, n, &pos, "{");
            t = open + 1;
            continue;
        }
        int idx = open[1] - '0';
        const char *type = open + 2;
        size_t tlen = 0;
        if (*type == ':') {
            type++;
            tlen = (size_t)(close - type);
        }
        put_arg(buf, n, &pos, w->a[idx], type, tlen, nc);
        t = close + 1;
    }
    return buf;
}

static const char *str_cb(const void *ctx, uint32_t id)
{
    return trace_str(ctx, id);
}

char *trace_why(const struct trace *tr, const struct trace_rec *r,
                char *buf, size_t n)
{
    if (r->kind == TK_EXT) {
        if (tr->ext_why)
            return tr->ext_why(tr, r, buf, n);
        if (n)
            buf[0] = '\0';
        return buf;
    }
    struct narrate_ctx nc = { str_cb, tr };
    return narrate(&r->why, &nc, buf, n);
}
