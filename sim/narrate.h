/* narrate.h — every narration sentence protosim says, in one table keyed by
 * id, with typed placeholders filled from the record's parameters.
 *
 * Protocol code never formats a sentence: it records WHY(N_xxx, a0, a1, ...)
 * and the renderer calls narrate().  A second language is a second column.
 *
 * Placeholders: {0} a number, {0:dur} a duration in microseconds, {0:state}
 * a TCP state, {0:flags} TCP flags, {0:str} an interned string, {0:ip} an
 * IPv4 address, {0:call} an application call. */
#ifndef PROTOSIM_NARRATE_H
#define PROTOSIM_NARRATE_H

#include <stddef.h>
#include <stdint.h>

#define NARRATIONS(X) \
    X(N_NONE, "") \
    /* --- application calls --- */ \
    X(N_APP_LISTEN,   "the application calls listen() on port {0}: a passive OPEN (RFC 9293 3.10.1)") \
    X(N_APP_CONNECT,  "the application calls connect() to {0:ip} port {1}: an active OPEN (RFC 9293 3.10.1)") \
    X(N_APP_SEND,     "the application writes {0} bytes into the send buffer (RFC 9293 3.10.2)") \
    X(N_APP_RECV,     "the application reads {0} bytes (it asked for up to {1}); TCP keeps no message boundaries") \
    X(N_APP_RECV_NONE,"the application asks to read but the receive buffer is empty") \
    X(N_APP_SHUTDOWN, "the application shuts down its sending side: it will send no more, but can still receive (half-close)") \
    X(N_APP_CLOSE,    "the application calls close(): no more data will be sent (RFC 9293 3.10.4)") \
    X(N_APP_ABORT,    "the application aborts the connection: TCP sends RST and forgets it (RFC 9293 3.10.5)") \
    X(N_APP_ERR_STATE,"the call fails: connection is {0:state} (error: {1:str})") \
    X(N_APP_ERR_NOCONN,"the call fails: this host has no connection (error: {0:str})") \
    X(N_APP_UDP_BIND,  "the application binds a UDP socket to port {0}") \
    X(N_APP_UDP_SEND,  "the application sends one datagram of {0} bytes to {1:ip} port {2}: no handshake, no acknowledgement, no retransmission") \
    X(N_APP_UDP_RECV,  "the application receives one whole datagram of {0} bytes from {1:ip} port {2}: UDP keeps message boundaries") \
    X(N_APP_UDP_TRUNC, "the datagram had {0} bytes but the buffer holds {1}: the rest of it is lost (UDP never splits a datagram over reads)") \
    X(N_APP_UDP_NONE,  "no datagram is waiting") \
    X(N_APP_HTTP_SERVE,"the web server listens on port {0}") \
    X(N_APP_HTTP_GET,  "the browser fetches http://{0:str}{1:str}") \
    X(N_APP_HTTP_REQ,  "the browser sends its request: {0} bytes of HTTP/1.1 text on the byte stream") \
    X(N_APP_HTTP_READREQ,"the server reads the request ({0} bytes): the blank line ends the headers") \
    X(N_APP_HTTP_RESP, "the server sends its response ({0} bytes) and closes the connection (Connection: close)") \
    X(N_APP_HTTP_READ, "the browser reads {0} bytes of the response") \
    X(N_APP_HTTP_DONE, "the server has closed and the response is complete: the browser closes too") \
    X(N_APP_FRAMED,    "the application writes one message of {0} bytes behind a 4-byte big-endian length ({1} bytes in all)") \
    X(N_APP_MESSAGE,   "the length prefix said {0} bytes and they have all arrived: one whole message, whatever the segments and reads were") \
    X(N_APP_RESOLVING, "the application asks the stub resolver for {0:str}") \
    X(N_APP_RESOLVED,  "the stub resolver answers: {0:str} is {1:ip}") \
    X(N_APP_RESOLVE_FAIL,"the stub resolver answers: {0:str} cannot be resolved ({1:str})") \
    /* --- TCP state changes --- */ \
    X(N_TCP_LISTEN,        "passive OPEN: wait for a connection request from any remote TCP") \
    X(N_TCP_SYN_SENT,      "active OPEN: send SYN with ISS={0} and wait for a matching SYN,ACK") \
    X(N_TCP_LISTEN_SYN,    "SYN received in LISTEN: record IRS={0}, choose ISS={1}, reply SYN,ACK (RFC 9293 3.10.7.2)") \
    X(N_TCP_TWOWAY_SYN,    "two-way handshake variant: the SYN alone is trusted and the connection opens at once, with no check that the SYN is fresh") \
    X(N_TCP_SYNACK_EST,    "SYN,ACK acknowledges our SYN (ACK={0}): the connection is established; send ACK (RFC 9293 3.10.7.3)") \
    X(N_TCP_TWOWAY_SYNACK, "two-way handshake variant: SYN,ACK opens the connection and no third ACK is sent") \
    X(N_TCP_SIMOPEN,       "a SYN without ACK arrived while in SYN_SENT: simultaneous open, reply SYN,ACK (RFC 9293 3.10.7.3)") \
    X(N_TCP_SYNRCVD_EST,   "the ACK acknowledges our SYN (ACK={0}): the connection is established (RFC 9293 3.10.7.4)") \
    X(N_TCP_CLOSE_FINWAIT1,"close(): send FIN (seq={0}) and wait for it to be acknowledged") \
    X(N_TCP_CLOSE_LASTACK, "close() after the peer's FIN: send our FIN (seq={0}) and wait for its ACK") \
    X(N_TCP_FIN_CLOSEWAIT, "FIN received: the peer will send no more data; acknowledge it and tell the application (RFC 9293 3.10.7.4)") \
    X(N_TCP_FINWAIT1_ACK,  "our FIN is acknowledged: wait for the peer's FIN") \
    X(N_TCP_FINWAIT1_FIN,  "the peer's FIN arrived before the ACK of ours: simultaneous close, acknowledge it") \
    X(N_TCP_FINWAIT1_FINACK,"the peer's FIN also acknowledges ours: go straight to TIME_WAIT") \
    X(N_TCP_FINWAIT2_FIN,  "the peer's FIN arrived: acknowledge it and wait 2 x MSL = {0:dur} before forgetting the connection") \
    X(N_TCP_CLOSING_ACK,   "our FIN is acknowledged: both sides have closed; wait 2 x MSL = {0:dur}") \
    X(N_TCP_LASTACK_ACK,   "our FIN is acknowledged: the connection is closed and the TCB deleted") \
    X(N_TCP_TW_EXPIRE,     "2 x MSL has passed with no retransmitted FIN: any old duplicate of this connection has died out; delete the TCB") \
    X(N_TCP_TW_REFIN,      "a retransmitted FIN in TIME_WAIT: our last ACK was lost, so acknowledge again and restart 2 x MSL (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_SYNSENT,   "RST acknowledges our SYN: the remote port refuses the connection (RFC 9293 3.10.7.3)") \
    X(N_TCP_RST_PASSIVE,   "RST in SYN_RECEIVED after a passive open: return to LISTEN (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_ACTIVE,    "RST in SYN_RECEIVED after an active open: the connection is refused") \
    X(N_TCP_RST_RESET,     "RST received in {0:state}: the connection is reset and the TCB deleted (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_CLOSE,     "RST received in {0:state}: the connection is closed (RFC 9293 3.10.7.4)") \
    X(N_TCP_SYN_PASSIVE,   "a SYN in SYN_RECEIVED after a passive open: return to LISTEN (RFC 9293 3.10.7.4)") \
    X(N_TCP_ABORT,         "abort(): send RST and delete the TCB") \
    X(N_TCP_CLOSE_LISTEN,  "close() in {0:state}: delete the TCB, nothing to send") \
    X(N_TCP_GIVE_UP,       "no acknowledgement after {0} retransmissions: give up and close the connection") \
    /* --- TCP segments (reasons a segment was sent or ignored) --- */ \
    X(N_SEG_SYN,           "SYN: ask to open a connection, ISS={0}") \
    X(N_SEG_SYNACK,        "SYN,ACK: acknowledge the peer's SYN and send our own, ISS={0}") \
    X(N_SEG_ACK_SYN,       "ACK of the peer's SYN: the third step of the handshake") \
    X(N_SEG_DATA,          "data: {0} bytes from the send buffer, seq {1}") \
    X(N_SEG_ACK,           "ACK: everything up to {0} has arrived") \
    X(N_SEG_FIN,           "FIN: no more data from this side") \
    X(N_SEG_ACK_FIN,       "ACK of the peer's FIN") \
    X(N_SEG_RST_ABORT,     "RST: the application aborted the connection") \
    X(N_SEG_RST_CLOSED,    "RST: no connection matches this segment (RFC 9293 3.10.7.1)") \
    X(N_SEG_RST_BADACK,    "RST: the ACK in SYN_SENT acknowledges something we never sent (old duplicate?) (RFC 9293 3.10.7.3)") \
    X(N_SEG_RST_LISTEN_ACK,"RST: an ACK arrived at a listening socket (RFC 9293 3.10.7.2)") \
    X(N_SEG_RST_SYNRCVD_ACK,"RST: the ACK in SYN_RECEIVED is not acceptable (RFC 9293 3.10.7.4)") \
    X(N_SEG_RETRANSMIT,    "retransmission #{0} after the RTO expired") \
    X(N_SEG_PROBE,         "zero-window probe: one byte to learn whether the window has opened") \
    X(N_SEG_WINUPDATE,     "window update: the application read data, so the receive window opened to {0}") \
    X(N_SEG_DUPACK,        "an unacceptable segment (seq {0}, expected {1}): reply with an ACK (RFC 9293 3.10.7.4)") \
    X(N_SEG_CHALLENGE,     "a SYN in a synchronized state: reply with a challenge ACK (RFC 9293 3.10.7.4, RFC 5961)") \
    X(N_SEG_INJECT,        "injected by the scenario: {0:str}") \
    /* --- timers --- */ \
    X(N_TMR_RTO_START,     "retransmission timer armed: RTO {0:dur}") \
    X(N_TMR_RTO_STOP,      "everything sent has been acknowledged: retransmission timer stopped") \
    X(N_TMR_RTO_EXPIRE,    "no acknowledgement within {0:dur}: retransmit and double the RTO (RFC 6298 5.5)") \
    X(N_TMR_TW_START,      "TIME_WAIT: wait 2 x MSL = {0:dur}") \
    X(N_TMR_TW_EXPIRE,     "2 x MSL is over") \
    X(N_TMR_TW_STOP,       "TIME_WAIT ends early") \
    X(N_TMR_PERSIST_START, "the peer's window is zero: persist timer armed ({0:dur})") \
    /* --- network --- */ \
    X(N_NET_SEND,          "") \
    X(N_NET_RECV,          "") \
    X(N_NET_LOSS,          "the link lost this frame (loss rate {0} per million)") \
    X(N_NET_FAULT_DROP,    "scenario fault (line {0}): drop this segment") \
    X(N_NET_FAULT_DELAY,   "scenario fault (line {0}): this segment is held back {1:dur}") \
    X(N_NET_FAULT_DUP,     "scenario fault (line {0}): the network delivers this segment twice") \
    X(N_NET_DUP,           "the link duplicated this frame") \
    X(N_NET_NOROUTE,       "no link from {0:str} to the destination {1:ip}") \
    X(N_NET_NOSOCK,        "no socket for this segment, and an RST is never answered with an RST") \
    /* --- ARP (RFC 826) --- */ \
    X(N_ARP_INCOMPLETE,    "no entry for {0:ip}: hold the packet and ask the LAN who has it") \
    X(N_ARP_REQUEST,       "who has {0:ip}? a request broadcast to every host on the LAN (RFC 826)") \
    X(N_ARP_REPLY,         "{0:ip} is this host: reply to {1:ip} directly, not by broadcast (RFC 826)") \
    X(N_ARP_RETRY,         "no reply yet: request {0} of {1}") \
    X(N_ARP_RESOLVED,      "the answer gives {0:ip}'s MAC address: send the {1} packet(s) that were waiting") \
    X(N_ARP_LEARN,         "the packet names its sender, so remember {0:ip}'s MAC address too (RFC 826 merge)") \
    X(N_ARP_UPDATE,        "{0:ip} answered again: the entry is fresh") \
    X(N_ARP_STALE,         "no confirmation for {0:dur}: the entry is STALE but still used") \
    X(N_ARP_FAILED,        "no reply after {0} requests: {1:ip} is unreachable; {2} waiting packet(s) dropped") \
    X(N_ARP_UNREACHABLE,   "ARP could not resolve {0:ip}: the packet is dropped and the sender told 'host unreachable'") \
    X(N_TMR_ARP_START,     "ARP retry timer armed: {0:dur}") \
    /* --- IPv4 forwarding --- */ \
    X(N_IP_FORWARD,        "a router forwards the packet towards {0:ip}: TTL {1} -> {2}") \
    X(N_IP_VIA_GATEWAY,    "{0:ip} is not on this LAN: send the packet to the gateway {1:ip}") \
    X(N_IP_TTL,            "TTL reached zero: the router discards the packet") \
    X(N_IP_NOROUTE,        "no route to {0:ip}: no LAN holds it and there is no gateway") \
    X(N_IP_NOTFORME,       "the frame is not addressed to this host") \
    X(N_NET_CSUM,          "checksum error: the frame is discarded") \
    X(N_NET_NOPORT,        "no socket is bound to UDP port {0}: the datagram is dropped (the ICMP port-unreachable reply is not modelled)") \
    X(N_SEG_UDP,           "a UDP datagram of {0} bytes") \
    X(N_NOTE,              "{0:str}")

enum narration_id {
#define X(id, text) id,
    NARRATIONS(X)
#undef X
    N_COUNT
};

struct why {
    uint16_t id;
    int64_t  a[4];
};

#define WHY(id_, ...) ((struct why){ .id = (id_), .a = { __VA_ARGS__ } })
#define WHY0(id_)     ((struct why){ .id = (id_) })

/* The English template of a narration id. */
const char *narration_template(int id);

/* Callbacks the formatter needs for {n:str}, {n:state} and friends. */
struct narrate_ctx {
    const char *(*str)(const void *ctx, uint32_t id);
    const void *ctx;
};

/* Renders a why into buf; returns buf. */
char *narrate(const struct why *w, const struct narrate_ctx *nc,
              char *buf, size_t n);

#endif
