/* framedapp.c — `recv framed`: length-prefixed messages read from the
 * current connection's TCP byte stream. */
#include <stdlib.h>
#include <string.h>
#include "app.h"
#include "alloc.h"
#include "narrate.h"

/* ---- framing: a 4-byte big-endian length before each message ---------- */

static void frame_push(struct sim_conn *sc, const uint8_t *p, size_t n)
{
    struct sim_conn_more *hp = sim_more(sc);
    if (hp->frame_len + n > hp->frame_cap) {
        size_t cap = hp->frame_cap ? hp->frame_cap : 256;
        while (cap < hp->frame_len + n)
            cap *= 2;
        uint8_t *nb = xrealloc(hp->frame_buf, cap);
        hp->frame_buf = nb;
        hp->frame_cap = cap;
    }
    memcpy(hp->frame_buf + hp->frame_len, p, n);
    hp->frame_len += n;
}

/* Reads what the connection has, then records every message that is now
 * whole.  Partial messages wait in the connection's buffer for the next
 * read. */
static void recv_framed(struct sim *s, const struct scn_action *a)
{
    int h = a->host;
    struct sim_conn *sc = sim_current_conn(s, h);
    if (!sc) {
        trace_app(&s->tr, s->now, h, TL_TCP, 0, AC_RECV, -TCPE_NOTCONN, NULL, 0,
                  WHY(N_APP_ERR_NOCONN,
                      trace_intern(&s->tr, _(tcp_err_str(-TCPE_NOTCONN)))));
        return;
    }
    size_t max = a->recv_max ? a->recv_max : 4096;
    uint8_t *buf = xcalloc(max, 1);
    long n = sim_app_recv(s, sc, buf, max);
    if (n > 0)
        frame_push(sc, buf, (size_t)n);
    free(buf);
    /* a connection that never read a byte has no buffer */
    struct sim_conn_more *m = sc->more;
    size_t off = 0;
    while (m && m->frame_len - off >= 4) {
        const uint8_t *p = m->frame_buf + off;
        uint32_t mlen = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
                        (uint32_t)p[2] << 8 | p[3];
        if (m->frame_len - off - 4 < mlen)
            break;
        trace_app(&s->tr, s->now, h, TL_TCP, sc->tcb.id, AC_MESSAGE, (int)mlen,
                  p + 4, mlen, WHY(N_APP_MESSAGE, (int64_t)mlen));
        off += 4 + (size_t)mlen;
    }
    /* Nothing read yet leaves frame_buf NULL, and memmove on a NULL
     * pointer is undefined even for 0 bytes (C11 7.24.1p2). */
    if (off) {
        memmove(m->frame_buf, m->frame_buf + off, m->frame_len - off);
        m->frame_len -= off;
    }
    sim_after_tcb(s, sc);
}

static int framed_action(struct sim *s, const struct scn_action *a)
{
    if (a->kind != ACT_RECV_FRAMED)
        return 0;
    recv_framed(s, a);
    return 1;
}

const struct app_ops framed_app = {
    .name = "framed",
    .action = framed_action,
};
