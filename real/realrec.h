/* realrec.h — the --real driver's records and sentences: what a record
 * says, where it came from, how its fields sit in the trace's opaque
 * TK_EXT record, and the sentences that explain it.  The model stores these
 * records without knowing them; the front end asks this header about them.
 *
 * The sentences use narrate.h's placeholders and formatter
 * (narrate_template()), with ids of their own: a why in a real record or a
 * comparison row is an enum real_narration_id, never a model id. */
#ifndef PROTOSIM_REALREC_H
#define PROTOSIM_REALREC_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"

/* The owner tag of the driver's TK_EXT records, and the kind name JSON and
 * the text give them (DESIGN.md: "real"). */
#define REAL_EXT_OWNER 1
#define REAL_KIND_NAME "real"

/* What a real record says (RR_WHAT).  The table's entries are W(...), not
 * X(...): these are JSON names, which the Makefile's pot target must not
 * take for sentences. */
#define REAL_WHATS(W) \
    W(STATE,        "state")         /* the kernel reported RR_STATE */ \
    W(UNSEEN,       "not_observed")  /* RR_STATE must have happened but was not seen */ \
    W(CALL,         "call")          /* a real socket call; RR_STATE is the enum app_call */ \
    W(PACKET,       "packet")        /* a captured segment */ \
    W(NOT_REPLAYED, "not_replayed")  /* a scenario feature with no real counterpart */ \
    W(INFO,         "info")          /* how the replay ran: scale, capture on or off, end */

enum real_what {
#define X(id, name) RW_##id,
    REAL_WHATS(X)
#undef X
    RW_COUNT
};

/* Where it came from (RR_SOURCE). */
#define REAL_SOURCES(W) \
    W(TCP_INFO,  "tcp_info")  \
    W(SOCK_DIAG, "sock_diag") \
    W(CAPTURE,   "capture")   \
    W(REPLAY,    "replay")

enum real_source {
#define X(id, name) RS_##id,
    REAL_SOURCES(X)
#undef X
    RS_COUNT
};

/* A real record's fields in trace_rec.u.ext, as lvalues. */
#define RR_WHAT(r)   ((r)->u.ext.b[0])  /* enum real_what */
#define RR_STATE(r)  ((r)->u.ext.b[1])  /* enum tcp_state; RW_CALL: the call */
#define RR_SOURCE(r) ((r)->u.ext.b[2])  /* enum real_source */
#define RR_FLAGS(r)  ((r)->u.ext.b[3])  /* RW_PACKET: TCP flags */
#define RR_VAL(r)    ((r)->u.ext.i)     /* timer ms (-1 none), bytes or -errno,
                                           RW_PACKET: payload length */
#define RR_SEQ(r)    ((r)->u.ext.w[0])  /* RW_PACKET: relative to the ISNs */
#define RR_ACK(r)    ((r)->u.ext.w[1])
/* RW_PACKET: the model's ports of the segment's sender and receiver (the
 * scenario's, not the kernel's), 0 when no endpoint of the replay is
 * known for it; the comparison aligns each connection's segments apart */
#define RR_SIM_SPORT(r) ((r)->u.ext.h[0])
#define RR_SIM_DPORT(r) ((r)->u.ext.h[1])

/* Is r one of the driver's records? */
static inline int real_is_rec(const struct trace_rec *r)
{
    return r->kind == TK_EXT && r->u.ext.owner == REAL_EXT_OWNER;
}

/* The kind name of a record in JSON and the text: REAL_KIND_NAME for the
 * driver's, trace_kind_name() for any other. */
const char *real_kind_name(const struct trace_rec *r);

/* RW_CALL records carry an enum app_call in RR_STATE, or this one for
 * the accept() that the model has no call for. */
#define REAL_CALL_ACCEPT 200
const char *real_call_name(int call);       /* "connect", ..., "accept" */

const char *real_what_name(int what);
const char *real_source_name(int source);
/* The "state" field of a real record in JSON and text: the contract's
 * state name for RW_STATE, else "not observed", "call", "packet",
 * "not replayed" or "info". */
const char *real_state_label(const struct trace_rec *r);
/* The kernel's timer as NETLINK_SOCK_DIAG names it (idiag_timer):
 * "none", "retransmit", "keepalive", "TIME_WAIT", "zero-window probe". */
const char *real_timer_name(int idiag_timer);

/* Does the trace hold any real record? */
int real_in_trace(const struct trace *tr);

/* The driver's sentences, one table keyed by id (narrate.h's rules). */
#define REAL_NARRATIONS(X) \
    X(N_REAL_NONE, NO_SENTENCE) \
    X(N_REAL_PLAN,          "replay on {0:str}: each call runs at its scenario time divided by {1}, at least {2:dur} after the one before; what the kernel shows is put back on the scenario's clock") \
    X(N_REAL_SQUEEZED,      "the calls would take too long at that pace: the gaps between them shrink so the replay stays within {0:dur}") \
    X(N_REAL_CAPTURE_ON,    "capture on: an AF_PACKET socket on lo lists the real segments of the replay's ports") \
    X(N_REAL_CAPTURE_OFF,   "capture off (needs CAP_NET_RAW): the kernel's states are still observed, its segments are not listed") \
    X(N_REAL_CAPTURE_ERR,   "capture off: {0:str}") \
    X(N_REAL_CAPTURE_LOST,  "the capture's socket had no room for {0} segment{0:s} on lo (past 100 ports some may be other programs'), so a segment shown only in the model may have been sent") \
    X(N_REAL_FAILED,        "the replay could not run: {0:str}") \
    X(N_REAL_NO_DIAG,       "NETLINK_SOCK_DIAG is not available ({0:str}): a socket is not observed once its descriptor is closed") \
    X(N_REAL_END,           "the replay stops watching {0:dur} after its last call, and closes the {1} socket{1:s} still open with RST so none is left behind") \
    X(N_REAL_NR_FAULT,      "not replayed: the fault rule on line {0}; loopback neither drops, delays nor duplicates segments on request") \
    X(N_REAL_NR_INJECT,     "not replayed: the injected segment on line {0}; forging one needs a raw socket, and the kernel would answer it outside the lesson") \
    X(N_REAL_NR_LINK,       "not replayed: the link {0:str} (delay {1:dur}, jitter {2:dur}, loss {3} per million); loopback delivers in microseconds and loses nothing") \
    X(N_REAL_NR_LAN,        "not replayed: the LAN {0:str} with its ARP, routers and gateways; every real socket here sits on the one loopback interface") \
    X(N_REAL_NR_TWOWAY,     "not replayed: {0:str}'s two-way handshake; the kernel always uses the three-way handshake") \
    X(N_REAL_NR_SIMOPEN,    "not replayed: the connect on line {0} is half of a simultaneous open; two sockets connecting to each other on plain loopback get ECONNREFUSED (only a socket connecting to its own port opens that way)") \
    X(N_REAL_NR_APP,        "not replayed: the {0:str} on line {1}; --real replays TCP socket calls only") \
    X(N_REAL_NR_SOCKET,     "not replayed: the {0:str} on line {1}; the replay makes and binds its own sockets when it listens or connects") \
    X(N_REAL_NR_NAMED,      "not replayed: the call on line {0} names its connection (on port, with), and the model's records at that instant do not tell which connection it acted on") \
    X(N_REAL_NR_DNSDATA,    "not replayed: the scenario's DNS zones, records and resolvers; --real replays TCP socket calls only") \
    X(N_REAL_NR_ISN,        "not replayed: {0:str}'s fixed initial sequence numbers; the kernel picks a random ISN for every connection (RFC 6528)") \
    X(N_REAL_NR_MSL,        "not replayed: {0:str}'s MSL of {1:dur}; the kernel's TIME_WAIT lasts a fixed 60 s (TCP_TIMEWAIT_LEN)") \
    X(N_REAL_NR_RTO,        "not replayed: {0:str}'s RTO of {1:dur} and {2} retries; the kernel measures its own RTO (RFC 6298) and retries as its sysctls say") \
    X(N_REAL_NR_RCVBUF,     "not replayed: {0:str}'s receive buffer of {1} byte{1:s}; the kernel sizes its own buffers and window") \
    X(N_REAL_NR_NOSERVER,   "not replayed: the connect on line {0} goes to port {1}, where the server is the application on line {2}, which is not replayed") \
    X(N_REAL_NR_FROMPORT,   "not replayed as written: the connect on line {0} asks for local port {1}; the replay lets the kernel choose a free port") \
    X(N_REAL_LISTEN,        "real listen() on port {0}, which the kernel chose for the scenario's port {1}") \
    X(N_REAL_CONNECT,       "real non-blocking connect() from port {0} to port {1} (the scenario's port {2}): {3:str}") \
    X(N_REAL_ACCEPT,        "real accept(): the connection from port {0} becomes this host's current connection") \
    X(N_REAL_SEND,          "real send() of {0} byte{0:s}: {1} taken into the send buffer at once") \
    X(N_REAL_SEND_REST,     "real send(): the last {0} byte{0:s} of {1} could not be written before the replay ended") \
    X(N_REAL_RECV,          "real recv() of up to {0} byte{0:s}: {1} read") \
    X(N_REAL_RECV_EOF,      "real recv() returns 0: the peer's FIN has arrived, end of the stream") \
    X(N_REAL_RECV_NONE,     "real recv() would block: nothing has arrived to read") \
    X(N_REAL_SHUTDOWN,      "real shutdown(SHUT_WR): the kernel sends FIN, and the socket can still read") \
    X(N_REAL_CLOSE,         "real close(): the descriptor is gone, so from now on only NETLINK_SOCK_DIAG sees the connection") \
    X(N_REAL_CLOSE_UNREAD,  "real close() with {0} unread bytes: Linux sends RST instead of FIN (RFC 2525 2.17)") \
    X(N_REAL_ABORT,         "real abort: SO_LINGER on with 0 s, then close(), so the kernel sends RST and keeps no TIME_WAIT") \
    X(N_REAL_CALL_FAIL,     "real {0:call}() failed: {1:str}") \
    X(N_REAL_SEEN_INFO,     "the kernel reports {0:state} (getsockopt TCP_INFO, tcpi_state {1})") \
    X(N_REAL_SEEN_INFO_ERR, "the kernel reports {0:state} (getsockopt TCP_INFO); the socket's error: {1:str}") \
    X(N_REAL_SEEN_DIAG,     "no descriptor any more: NETLINK_SOCK_DIAG reports {0:state}") \
    X(N_REAL_SEEN_DIAG_TMR, "no descriptor any more: NETLINK_SOCK_DIAG reports {0:state}, its {1:str} timer due in {2:dur}") \
    X(N_REAL_SEEN_TW_FD,    "the descriptor reads CLOSED (TCP_INFO), but NETLINK_SOCK_DIAG finds the connection in {0:state}, its {1:str} timer due in {2:dur}: Linux hands a closed connection to a separate TIME_WAIT socket") \
    X(N_REAL_SEEN_GONE,     "NETLINK_SOCK_DIAG finds no socket for this connection: the kernel has deleted it (CLOSED)") \
    X(N_REAL_UNSEEN_SYN_SENT, "SYN_SENT not observed: a non-blocking connect() on loopback returns with the handshake already done") \
    X(N_REAL_UNSEEN_SYN_SENT_FAILED, "SYN_SENT not observed: connect() had already failed when the socket was first looked at ({0:str}): on loopback the answer to the SYN comes back within microseconds") \
    X(N_REAL_UNSEEN_SYN_RCVD, "SYN_RECEIVED not observed: the kernel keeps a half-open connection in a request socket, and accept() returns it ESTABLISHED") \
    X(N_REAL_UNSEEN_LAST_ACK, "LAST_ACK not observed: on loopback the ACK of our FIN comes back within microseconds of close()") \
    X(N_REAL_UNSEEN_FAST,   "{0:state} not observed: the kernel passed through it between two looks ({1:dur} apart on the real clock)") \
    X(N_REAL_PACKET,        "a real segment captured on lo, {0:str} to {1:str} (real ports {2} -> {3}); seq and ack are relative to the random ISNs") \
    X(N_REAL_DIFF_CHILD_LISTEN, "the model starts each new connection from the listener's LISTEN (RFC 9293 3.10.7.2); the kernel's new socket never shows LISTEN") \
    X(N_REAL_DIFF_SYN_SENT, "a non-blocking connect() on loopback returns with the handshake done, so SYN_SENT lasts microseconds and is not observed") \
    X(N_REAL_DIFF_SYN_RCVD, "the kernel keeps SYN_RECEIVED in a request socket that accept() never returns, so it is not observed") \
    X(N_REAL_DIFF_LAST_ACK, "the ACK of the last FIN comes back within microseconds on loopback, before the next look") \
    X(N_REAL_DIFF_CLOSING,  "calls the scenario makes at the same instant run one after the other here: the first FIN arrived before the second close(), so the kernel saw an ordinary close, not a simultaneous one") \
    X(N_REAL_DIFF_SEQUENTIAL, "calls the scenario makes at the same instant run one after the other here: this side received the peer's FIN before its own close()") \
    X(N_REAL_DIFF_TW,       "the kernel's TIME_WAIT is a fixed 60 s (TCP_TIMEWAIT_LEN; {0:dur} were left when it was seen); the model's is 2 x MSL = {1:dur}") \
    X(N_REAL_DIFF_TW_END,   "the model's TIME_WAIT of {0:dur} ends here; the kernel holds its own for 60 s, which the replay does not wait out") \
    X(N_REAL_DIFF_AFTER,    "the model reaches {0:state} at {1:dur}, after the replay stopped watching") \
    X(N_REAL_DIFF_NETWORK,  "{0:state} comes from what the scenario does to the network (faults, injected segments, loss, delay), which is not replayed") \
    X(N_REAL_DIFF_FAST,     "{0:state} passed between two looks at the kernel ({1:dur} apart)") \
    X(N_REAL_DIFF_STAYED,   "not in the kernel: it was still in {0:state} when the replay stopped watching, so the model's next steps have no counterpart on lo") \
    X(N_REAL_DIFF_KERNEL,   "{0:state} only in the kernel: the real exchange took another path than the model's (see the real calls above)") \
    X(N_REAL_DIFF_NOT_REPLAYED, "this connection has no real counterpart: what opens it in the model (an injected segment, a fault or a call) was not replayed") \
    X(N_REAL_DIFF_OPEN_FAILED, "this connection has no real counterpart: its {0:call}() failed on lo: {1:str}") \
    X(N_REAL_DIFF_ISN_FIXED, "sequence numbers: the kernel picks a random ISN for every connection (RFC 6528), the model uses the scenario's fixed ones; compare relative numbers") \
    X(N_REAL_DIFF_ISN_SEEDED, "sequence numbers: the kernel picks a random ISN for every connection (RFC 6528), the model draws them from its seeded generator; compare relative numbers") \
    X(N_REAL_DIFF_TIMING,   "timing: loopback has no link delay, so the kernel's states change microseconds after a call; they are shown on the scenario's clock, between the calls") \
    X(N_REAL_DIFF_PKT_NETWORK, "only in the model: the scenario's network made it (a fault, a loss and its retransmission, an injected segment), which is not replayed") \
    X(N_REAL_DIFF_PKT_DELACK, "only in the model: the kernel sent no bare ACK here; it may delay an ACK (RFC 1122 4.2.3.2) and carry it on the next segment it sends instead") \
    X(N_REAL_DIFF_PKT_NR,   "only in the model: the calls that make it were not replayed") \
    X(N_REAL_DIFF_PKT_FAILED, "only in the model: the call that opens its connection failed on lo") \
    X(N_REAL_DIFF_PKT_RSTACK, "the kernel's RST also carries an ACK; the model sends a bare RST, as RFC 9293 3.10.5 writes it") \
    X(N_REAL_DIFF_PKT_NUMBERS, "the same kind of segment with other relative numbers: the real exchange went in another order") \
    X(N_REAL_DIFF_OTHER_PATH, "this side closed the other way here: calls the scenario makes at the same instant run one after the other, so one FIN arrived before the other side's close()") \
    X(N_REAL_DIFF_PKT_SIM,  "only in the model: the kernel sent no such segment") \
    X(N_REAL_DIFF_PKT_UNCAUGHT, "only in the model here, but the capture lost segments: the kernel may have sent it") \
    X(N_REAL_DIFF_PKT_NUMBERS_LOST, "the same kind of segment with other relative numbers, which may be off: the capture lost segments, perhaps the SYN they count from") \
    X(N_REAL_DIFF_PKT_REAL, "only on lo: the kernel sent a segment the model does not (an extra ACK or a window update)")

enum real_narration_id {
#define X(id, text) id,
    REAL_NARRATIONS(X)
#undef X
    N_REAL_COUNT
};

/* The English template of a driver narration id ("" out of range). */
const char *real_narration_template(int id);
/* Renders a driver why (a record's or a comparison row's) into buf, with
 * {n:str} read from tr; returns buf. */
char *real_narrate(const struct trace *tr, const struct why *w,
                   char *buf, size_t n);
/* The sentence of a real record: what trace_why() gives for it once the
 * driver has set tr->ext_why to this. */
char *real_why(const struct trace *tr, const struct trace_rec *r,
               char *buf, size_t n);

#endif
