/* tcpint.h — what the parts of the TCB (tcp.c, tcp_input.c, tcp_output.c,
 * tcp_timer.c) share and nothing outside them needs.
 *
 * tcp.c owns the TCB's life, its one state-changing function and the
 * application calls; tcp_input.c SEGMENT ARRIVES; tcp_output.c every segment
 * the TCB sends; tcp_timer.c the three timers and their expiry.  The index
 * from (state x event) to the handling function is at the top of tcp.c. */
#ifndef PROTOSIM_TCPINT_H
#define PROTOSIM_TCPINT_H

#include <stddef.h>
#include <stdint.h>
#include "narrate.h"
#include "tcp.h"

/* ---- tcp.c: byte queues, state changes, deleting the TCB ---------------- */

void tcp_bq_push(struct bytequeue *q, const uint8_t *p, size_t n);
/* Drops n bytes from the front, copying them to out unless it is NULL. */
void tcp_bq_pop(struct bytequeue *q, uint8_t *out, size_t n);
const uint8_t *tcp_bq_at(const struct bytequeue *q, size_t off);

/* c's rare parts (struct tcp_rare), made zeroed on first use. */
struct tcp_rare *tcp_rare(struct tcp_conn *c);

/* The out-of-order queue (RFC 9293 3.10.7.4 seventh: segments beyond
 * RCV.NXT are held "for later processing").  Holds a copy of a segment at
 * seq, unless the newest one held at the same seq already covers it (as
 * long, and with its FIN if it has one).  Among segments at one seq the
 * newest comes first.  O(log n) on average, n the segments held. */
void tcp_ooo_insert(struct tcp_conn *c, uint32_t seq, const uint8_t *p,
                    size_t len, int fin);
/* Takes the first segment out of the queue when its seq is at or before
 * upto (the caller frees it); NULL when there is none. */
struct tcp_ooo *tcp_ooo_take(struct tcp_conn *c, uint32_t upto);

/* The one place a TCB changes state; it appends the trace record. */
void tcp_set_state(struct tcp_conn *c, int64_t now, enum tcp_state to,
                   struct why why);

/* Why a TCB is deleted, for the sentences of the timers that stop with it. */
enum close_cause {
    CC_NORMAL,     /* LAST-ACK acknowledged, TIME-WAIT over, gave up */
    CC_RST,        /* an acceptable RST arrived */
    CC_CLOSE,      /* close() in LISTEN or SYN-SENT */
    CC_ABORT,      /* abort() */
    CC_UNREAD,     /* close() with unread data: RST sent */
    CC_REOPEN,     /* a new SYN reopens the connection from TIME-WAIT */
    CC_AFTER_CLOSE,/* data arrived after close(): RST sent */
    CC_SHUTDOWN    /* shutdown() in LISTEN or SYN-SENT */
};

/* Enter CLOSED (the TCB is deleted): every timer stops, narrated with the
 * cause, an enum close_cause. */
void tcp_enter_closed(struct tcp_conn *c, int64_t now, int cause,
                      struct why why);

/* ---- tcp_output.c: segments leaving ------------------------------------- */

/* ack_now values say why the ACK is owed, for its narration */
#define OWE_ACK       1     /* new data arrived in order */
#define OWE_ACK_FIN   2     /* the peer's FIN arrived */
#define OWE_ACK_OOO   3     /* a segment beyond a gap: ask again for RCV.NXT */

/* Sets RCV.WND from the free receive buffer; returns the window field. */
uint16_t tcp_window_to_advertise(struct tcp_conn *c, int syn);
/* Transmit one segment.  ACK carries RCV.NXT whenever the ACK bit is set. */
void tcp_xmit(struct tcp_conn *c, uint8_t flags, uint32_t seq,
              const uint8_t *data, size_t len, struct why why);
void tcp_send_syn(struct tcp_conn *c, struct why why);
int  tcp_syn_acked(const struct tcp_conn *c);
int  tcp_fin_acked(const struct tcp_conn *c);
/* Bytes of the send queue already transmitted and not yet acknowledged. */
size_t tcp_sent_unacked_data(const struct tcp_conn *c);
/* Sends what the window, Nagle and the state allow, then any ACK owed;
 * probe: the persist timer expired, a zero window may be probed. */
void tcp_output(struct tcp_conn *c, int64_t now, int probe);

/* ---- tcp_timer.c: retransmission, persist, TIME-WAIT -------------------- */

void tcp_timer_rec(struct tcp_conn *c, int64_t now, int name, int action,
                   int64_t due, struct why why);
void tcp_rto_start(struct tcp_conn *c, int64_t now);
void tcp_rto_stop(struct tcp_conn *c, int64_t now, struct why why);
void tcp_persist_stop(struct tcp_conn *c, int64_t now, struct why why);
/* The peer's window is zero and our SYN is acknowledged: what we send waits
 * for the window, probed by the persist timer (RFC 9293 3.8.6.1), and the
 * retransmission timer does not run. */
int  tcp_zero_window(const struct tcp_conn *c);
/* Holds the zero-window rule after the TCB acted: stops the retransmission
 * timer for what went into the closed window and arms the persist timer
 * while anything waits for the window. */
void tcp_zero_window_timers(struct tcp_conn *c, int64_t now);
/* Stops the retransmission and persist timers and (re)starts the 2MSL one. */
void tcp_time_wait_start(struct tcp_conn *c, int64_t now);

#endif
