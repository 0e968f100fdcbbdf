/* narrate.h — every narration sentence the model says, in one table keyed
 * by id, with typed placeholders filled from the record's parameters.
 *
 * Protocol code never formats a sentence: it records WHY(N_xxx, a0, a1, ...)
 * and the renderer calls narrate().  The table is English; narrate() looks
 * each template up in the chosen language's catalogue (gettext, po/LANG.po)
 * before it fills the placeholders, which a translation may reorder.
 * A driver outside the model keeps its sentences in a table of its own and
 * renders them with narrate_template(), under the same placeholder rules.
 *
 * Placeholders: {0} a number, {0:dur} a duration in microseconds, {0:state}
 * a TCP state, {0:flags} TCP flags, {0:str} an interned string, {0:ip} an
 * IPv4 address, {0:call} an application call, {0:pct} parts per million as
 * a percentage the way a lesson writes it ("0.5%"), {0:s} English's plural "s"
 * unless the number is 1 ("{0} byte{0:s}"; a translation without plural
 * endings leaves it out). */
#ifndef PROTOSIM_NARRATE_H
#define PROTOSIM_NARRATE_H

#include <stddef.h>
#include <stdint.h>
#include "trace.h"
#include "why.h"

/* An id with no sentence of its own (xgettext is not shown an empty text). */
#define NO_SENTENCE ""

#define NARRATIONS(X) \
    X(N_NONE, NO_SENTENCE) \
    /* --- application calls --- */ \
    X(N_APP_LISTEN,   "the application calls listen() on port {0}: a passive OPEN (RFC 9293 3.10.1)") \
    X(N_APP_LISTEN_BACKLOG, "the application calls listen() on port {0} with backlog {1}: a passive OPEN (RFC 9293 3.10.1); as on Linux, at most {1} half-open connection{1:s} (in SYN_RECEIVED, as RFC 4987 uses the term) wait in its SYN queue, and at most {2} established one{2:s}, one more than the backlog, in its accept queue until accept() takes them") \
    X(N_APP_ACCEPT, "accept() takes the connection from {0:ip} port {1} off the accept queue of port {2}: {3} still waiting there") \
    X(N_APP_ACCEPT_WAITED, "accept() was waiting for a connection on port {2}: it returns the one from {0:ip} port {1} as soon as its handshake completes") \
    X(N_APP_ERR_ACCEPT_NOLISTEN, "accept() fails: nothing listens on TCP port {0} of this host (error: {1:str})") \
    X(N_APP_ERR_ACCEPT_NOBACKLOG, "accept() fails: TCP port {0} was opened by a listen without a backlog, so every connection is handed to the application as soon as it opens and none waits to be accepted (error: {1:str})") \
    X(N_APP_CONNECT,  "the application calls connect() to {0:ip} port {1}: an active OPEN (RFC 9293 3.10.1)") \
    X(N_APP_CONNECT_EPH, "the application calls connect() to {0:ip} port {1}: an active OPEN (RFC 9293 3.10.1); its local port {2} comes from 32768-60999 (Linux's ephemeral port range) by RFC 6056 3.3.3: a secret random offset for this peer, then the host's next free port in turn, so the port is hard to guess and comes back to the same peer only after the whole range") \
    X(N_APP_SEND,     "the application writes {0} byte{0:s} into the send buffer (RFC 9293 3.10.2)") \
    X(N_APP_RECV,     "the application reads {0} byte{0:s} (it asked for up to {1}); TCP keeps no message boundaries") \
    X(N_APP_RECV_NONE, "the application asks to read, but nothing has arrived that it has not read: recv() would block (the stream goes on)") \
    X(N_APP_RECV_EOF, "recv() returns 0: the peer's FIN has arrived and every byte before it has been read; this is the end of the stream") \
    X(N_APP_SHUTDOWN, "the application shuts down its sending side: it will send no more, but can still receive (half-close)") \
    X(N_APP_SHUTDOWN_UNOPENED, "the application calls shutdown() in {0:state}: there is no connection yet to half-close, and TCP treats it as CLOSE (RFC 9293 3.10.4)") \
    X(N_APP_SHUTDOWN_PEER_DONE, "the application shuts down its sending side: the peer's FIN has already arrived, so nothing more will come in; what was received can still be read") \
    X(N_APP_CLOSE,    "the application calls close(): no more data will be sent (RFC 9293 3.10.4)") \
    X(N_APP_ABORT, "the application aborts the connection (RFC 9293 3.10.5 ABORT)") \
    X(N_APP_ERR_STATE,"the call fails: the TCP connection is {0:state} (error: {1:str})") \
    X(N_APP_ERR_NOCONN,"the call fails: this host has no TCP connection (error: {0:str})") \
    X(N_APP_ERR_NONAMED,"the call fails: this host has no TCP connection that matches \"{0:str}\" (error: {1:str})") \
    X(N_APP_ERR_NOPORT,"connect() fails: all {0} ephemeral TCP ports ({1}-{2}) of this host are in use (error: address not available, a kernel's EADDRNOTAVAIL)") \
    X(N_APP_ERR_PORT, "the call fails: TCP port {0} is already in use on this host (error: {1:str}; the socket API says EADDRINUSE)") \
    X(N_APP_UDP_BIND,  "the application binds a UDP socket to port {0}") \
    X(N_APP_UDP_INUSE, "the call fails: UDP port {0} is already bound on this host") \
    X(N_APP_UDP_SEND,  "the application sends one datagram of {0} byte{0:s} to {1:ip} port {2}: no handshake, no acknowledgement, no retransmission") \
    X(N_APP_UDP_RECV,  "the application receives one whole datagram of {0} byte{0:s} from {1:ip} port {2}: UDP keeps message boundaries") \
    X(N_APP_UDP_TRUNC, "the datagram had {0} byte{0:s} but the buffer holds {1}: the rest of it is lost (UDP never splits a datagram over reads)") \
    X(N_APP_UDP_NONE,  "no datagram is waiting") \
    X(N_APP_SOCKET,    "the application calls socket(): it gets a new TCP endpoint; nothing is sent and no connection exists yet") \
    X(N_APP_SOCKET_UDP,"the application calls socket(): it gets a new UDP endpoint; nothing is sent, and UDP never makes a connection") \
    X(N_APP_BIND,      "the application calls bind(): the socket is given local port {0}; nothing is sent on the network") \
    X(N_APP_HTTP_SERVE,"the web server listens on port {0}") \
    X(N_APP_HTTP_GET,  "the browser fetches http://{0:str}{1:str}") \
    X(N_APP_HTTP_GET_PORT,"the browser fetches http://{0:str}:{2}{1:str}") \
    X(N_APP_HTTP_REQ,  "the browser sends its request: {0} byte{0:s} of HTTP/1.1 text on the byte stream") \
    X(N_APP_HTTP_READREQ,"the server reads the request ({0} byte{0:s}): the blank line ends the headers") \
    X(N_APP_HTTP_RESP, "the server sends its response ({0} byte{0:s}) and closes the connection (Connection: close)") \
    X(N_APP_HTTP_READ, "the browser reads {0} byte{0:s} of the response") \
    X(N_APP_HTTP_DONE, "the server has closed and the response is complete: the browser closes too") \
    X(N_APP_NGINX_SERVE, "nginx listens on port {0} and passes dynamic requests to uWSGI at {1:ip} port {2}") \
    X(N_APP_NGINX_READREQ, "nginx reads the request ({0} byte{0:s}): {1:str} {2:str}") \
    X(N_APP_NGINX_READBAD, "nginx reads {0} byte{0:s} that do not start with an HTTP request line") \
    X(N_APP_NGINX_400, "nginx answers 400 Bad Request ({1} byte{1:s}) and closes the connection") \
    X(N_APP_NGINX_DENY, "{0:ip} is on nginx's deny list: it answers 403 Forbidden ({1} byte{1:s}) and closes; the application never sees the request") \
    X(N_APP_NGINX_STATIC, "{0:str} is a static file: nginx sends it itself ({1} byte{1:s}, with its headers) and closes; no application runs") \
    X(N_APP_NGINX_502, "nginx gets no response from uWSGI ({0:str}): it answers 502 Bad Gateway ({1} byte{1:s}) and closes") \
    X(N_APP_UWSGI_SEND, "nginx passes the request to uWSGI in the uwsgi protocol ({0} byte{0:s}): a 4-byte header (modifier1 0, the size {1} as 16-bit little-endian, modifier2 0), then {2} variable{2:s}, each a length-prefixed key and value") \
    X(N_APP_NGINX_UPREAD, "nginx reads {0} byte{0:s} of the response from uWSGI") \
    X(N_APP_NGINX_RELAY, "uWSGI has closed, so the response is complete: nginx sends it on to the browser as uWSGI wrote it ({0} byte{0:s}) and closes that connection") \
    X(N_APP_UWSGI_SERVE, "uWSGI listens on port {0} for requests in the uwsgi protocol") \
    X(N_APP_UWSGI_READ, "uWSGI reads a uwsgi packet ({0} byte{0:s}): a 4-byte header and {1} byte{1:s} of {2} variable{2:s}, which become the WSGI environ") \
    X(N_APP_UWSGI_BAD, "uWSGI reads a packet of {0} byte{0:s} whose modifier1 is {1}, not 0 (a WSGI request): it closes the connection") \
    X(N_APP_UWSGI_BADVAR, "uWSGI reads a packet of {0} byte{0:s} whose variables do not fit it (a length runs past the end): it closes the connection") \
    X(N_APP_WSGI_CALL, "uWSGI calls the WSGI application, application(environ, start_response), with REQUEST_METHOD={0:str} and PATH_INFO={1:str} (in Django the middleware and then the view run inside this call; the model's application returns the lesson's page)") \
    X(N_APP_UWSGI_RESP, "the application's response goes back through start_response: uWSGI writes it as HTTP ({0} byte{0:s}) and closes the connection") \
    X(N_APP_FRAMED,    "the application writes one message of {0} byte{0:s} behind a 4-byte big-endian length ({1} byte{1:s} in all)") \
    X(N_APP_MESSAGE,   "the length prefix said {0} byte{0:s}, and all of it has arrived: one whole message, whatever the segments and reads were") \
    X(N_APP_RESOLVING, "the application asks the stub resolver for {0:str}") \
    X(N_APP_RESOLVED,  "the stub resolver answers: {0:str} is {1:ip}") \
    X(N_APP_RESOLVE_FAIL,"the stub resolver answers: the DNS lookup of {0:str} fails, the resolver replied {1:str}") \
    X(N_APP_RESOLVE_NOADDR,"the stub resolver answers: the DNS reply for {0:str} carries no address (A) record") \
    X(N_APP_RESOLVE_TRUNC,"the stub resolver answers: the DNS reply for {0:str} was truncated (TC=1) and a retry over TCP is not modelled, so the lookup fails (RFC 2181 9)") \
    X(N_APP_RESOLVE_TIMEOUT,"the stub resolver gives up: no DNS reply from the resolver {1:ip}, so {0:str} cannot be resolved") \
    X(N_APP_RESOLVE_NOSTUB,"{0:str} cannot be resolved: this host has no DNS server configured (host ... dns ADDR)") \
    X(N_APP_RESOLVE_BADNAME,"{0:str} is not a valid DNS name (RFC 1035 3.1): nothing is asked") \
    X(N_APP_RESOLVE_BUSY,"{0:str} cannot be resolved now: the stub resolver already has {3} DNS lookups in progress") \
    /* --- TCP state changes --- */ \
    X(N_TCP_LISTEN,        "passive OPEN: wait for a connection request from any remote TCP") \
    X(N_TCP_SYN_SENT, "active OPEN: send SYN with ISS={0} and wait for the peer's SYN and the ACK of ours (RFC 9293 3.10.1)") \
    X(N_TCP_LISTEN_SYN,    "SYN received in LISTEN: record IRS={0}, choose ISS={1}, reply SYN,ACK (RFC 9293 3.10.7.2)") \
    X(N_TCP_LISTEN_SYN_REOPEN, "SYN received in LISTEN, in place of the TIME_WAIT connection: record IRS={0}, choose ISS={1}, above the old SND.NXT={2} as RFC 9293 3.6.1 requires, reply SYN,ACK") \
    X(N_TCP_TWOWAY_SYN,    "two-way handshake variant: the SYN alone is trusted and the connection opens at once, with no check that the SYN is fresh") \
    X(N_TCP_SYNACK_EST,    "SYN,ACK acknowledges our SYN (ACK={0}): the connection is established; send ACK (RFC 9293 3.10.7.3)") \
    X(N_TCP_TWOWAY_SYNACK, "two-way handshake variant: SYN,ACK opens the connection and no third ACK is sent") \
    X(N_TCP_SIMOPEN,       "a SYN without ACK arrived while in SYN_SENT: simultaneous open, reply SYN,ACK (RFC 9293 3.10.7.3)") \
    X(N_TCP_SYNRCVD_EST,   "the ACK acknowledges our SYN (ACK={0}): the connection is established (RFC 9293 3.10.7.4)") \
    X(N_TCP_CLOSE_FINWAIT1, "close(): our FIN (seq={0}) goes after any queued data; wait for it to be acknowledged (RFC 9293 3.10.4)") \
    X(N_TCP_SHUTDOWN_FINWAIT1, "shutdown(): our FIN (seq={0}) goes after any queued data; we can still receive (RFC 9293 3.10.4)") \
    X(N_TCP_CLOSE_LASTACK, "close() after the peer's FIN: our FIN (seq={0}) goes after any queued data; wait for its ACK (RFC 9293 3.10.4)") \
    X(N_TCP_SHUTDOWN_LASTACK, "shutdown() after the peer's FIN: our FIN (seq={0}) goes after any queued data; wait for its ACK (RFC 9293 3.10.4)") \
    X(N_TCP_FIN_CLOSEWAIT, "FIN received: the peer will send no more data; acknowledge it and tell the application (RFC 9293 3.10.7.4)") \
    X(N_TCP_FINWAIT1_ACK,  "our FIN is acknowledged: wait for the peer's FIN") \
    X(N_TCP_FINWAIT1_FIN,  "the peer's FIN arrived before the ACK of ours: simultaneous close, acknowledge it") \
    X(N_TCP_FINWAIT1_FINACK,"the peer's FIN also acknowledges ours: go straight to TIME_WAIT") \
    X(N_TCP_FINWAIT2_FIN,  "the peer's FIN arrived: acknowledge it and wait 2 x MSL = {0:dur} before forgetting the connection") \
    X(N_TCP_CLOSING_ACK,   "our FIN is acknowledged: both sides have closed; wait 2 x MSL = {0:dur}") \
    X(N_TCP_LASTACK_ACK,   "our FIN is acknowledged: the connection is closed and the TCB deleted") \
    X(N_TCP_TW_EXPIRE, "the 2 x MSL = {0:dur} timer ran out, twice the time a segment is assumed to live at most: delete the TCB (RFC 9293 3.4.2, 3.10.8)") \
    X(N_TCP_TW_REFIN,      "the peer's FIN arrived again in TIME_WAIT: perhaps the peer resent it because our ACK was lost or late, perhaps the network copied it; acknowledge it again and restart 2 x MSL (RFC 9293 3.10.7.4)") \
    X(N_TCP_TW_REOPEN, "a SYN with seq {0}, above RCV.NXT={1}, cannot be an old duplicate of this connection: delete the TIME_WAIT TCB and let the listener open a new connection (RFC 9293 3.6.1 MAY-2, RFC 6191)") \
    X(N_TCP_RST_SYNSENT,   "RST acknowledges our SYN: the connection is refused; enter CLOSED (RFC 9293 3.10.7.3, whose error is \"connection reset\"; sockets call it ECONNREFUSED, \"connection refused\")") \
    X(N_TCP_RST_PASSIVE,   "RST in SYN_RECEIVED after a passive open: return to LISTEN (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_ACTIVE,    "RST in SYN_RECEIVED after an active open: the connection is refused") \
    X(N_TCP_RST_RESET,     "RST received in {0:state}: the connection is reset and the TCB deleted (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_CLOSE,     "RST received in {0:state}: the connection is closed (RFC 9293 3.10.7.4)") \
    X(N_TCP_SYN_PASSIVE,   "a SYN in SYN_RECEIVED after a passive open: return to LISTEN (RFC 9293 3.10.7.4)") \
    X(N_TCP_ABORT, "abort(): send RST and delete the TCB (RFC 9293 3.10.5)") \
    X(N_TCP_ABORT_SILENT, "abort() in {0:state}: delete the TCB; no RST is sent in this state (RFC 9293 3.10.5)") \
    X(N_TCP_CLOSE_UNREAD, "close() while {0} received bytes (seq {1} to {2}) were never read: they are lost, so send RST instead of FIN and delete the TCB (RFC 1122 4.2.2.13)") \
    X(N_TCP_DATA_AFTER_CLOSE, "{0} byte{0:s} (seq {1} to {2}) arrived after close(): no application will ever read them, so send RST and delete the TCB (RFC 1122 4.2.2.13)") \
    X(N_TCP_CLOSE_LISTEN, "close() in {0:state}: delete the TCB, nothing to send (RFC 9293 3.10.4)") \
    X(N_TCP_SHUTDOWN_LISTEN, "shutdown() in {0:state}: like CLOSE, it deletes the TCB; nothing to send (RFC 9293 3.10.4)") \
    X(N_TCP_CLOSE_SYNSENT, "close() in SYN_SENT: delete the TCB before the connection opens; no data was queued, so none is lost (RFC 9293 3.10.4)") \
    X(N_TCP_CLOSE_SYNSENT_DATA, "close() in SYN_SENT: delete the TCB before the connection opens, so the {0} queued byte{0:s} will never be sent (RFC 9293 3.10.4)") \
    X(N_TCP_SHUTDOWN_SYNSENT, "shutdown() in SYN_SENT: like CLOSE, it deletes the TCB before the connection opens; no data was queued, so none is lost (RFC 9293 3.10.4)") \
    X(N_TCP_SHUTDOWN_SYNSENT_DATA, "shutdown() in SYN_SENT: like CLOSE, it deletes the TCB before the connection opens, so the {0} queued byte{0:s} will never be sent (RFC 9293 3.10.4)") \
    X(N_TCP_GIVE_UP,       "no acknowledgement after {0} retransmission{0:s}: give up and close the connection") \
    X(N_TCP_GIVE_UP_STALE, "nothing new acknowledged after {0} retransmission{0:s}: give up and close the connection") \
    X(N_TCP_GIVE_UP_PROBES, "the peer's window is zero and it has answered none of the last {0} window probe{0:s}: the peer is taken to be gone; give up and close the connection (RFC 9293 3.8.6.1 keeps it open only while probes are answered)") \
    X(N_TCP_GIVE_UP_ACCQ, "after {0} retransmission{0:s} of our SYN,ACK give up the connection in SYN_RECEIVED and delete it, freeing its place in the SYN queue (RFC 9293 3.8.3; Linux gives up after tcp_synack_retries): the peer's ACK of the last one came, but the host dropped it because the listener's accept queue was full; the peer, which sent that ACK, has taken the connection as open") \
    X(N_TCP_GIVE_UP_HALFOPEN, "no ACK for our SYN,ACK after {0} retransmission{0:s}: give up the connection in SYN_RECEIVED and delete it, which frees its place in the listener's SYN queue (RFC 9293 3.8.3)") \
    X(N_TCP_COOKIE_EST, "ACK {0} minus one is {1}, a valid SYN cookie of ours: the connection is created straight in ESTABLISHED, with no SYN_RECEIVED stage, since nothing was kept since the SYN; it sends segments of at most {2} byte{2:s}, the MSS the cookie encodes, and any other option of the SYN is lost (RFC 4987 3.6)") \
    X(N_TCP_SYNQ_FULL, "SYN dropped: the SYN queue of port {0} already holds {1} half-open connection{1:s} in SYN_RECEIVED, its backlog, and SYN cookies are off; like Linux, the listener drops the SYN without a reply, and the client must retransmit it (RFC 4987 2)") \
    X(N_TCP_ACCQ_FULL_SYN, "SYN dropped: the accept queue of port {0} already holds {1} connection{1:s} that the application has not accepted, more than its backlog of {2} (Linux lets one more in than the backlog); like Linux, the listener drops new SYNs until accept() makes room") \
    X(N_TCP_ACCQ_FULL_ACK, "this ACK would complete the handshake, but the accept queue of port {0} already holds {1} connection{1:s}, more than its backlog of {2} (Linux lets one more in than the backlog): like Linux, drop it and stay in SYN_RECEIVED; our SYN,ACK will be retransmitted and the ACK come again") \
    X(N_TCP_ACCQ_FULL_COOKIE, "this ACK carries a valid SYN cookie, but the accept queue of port {0} already holds {1} connection{1:s}, more than its backlog of {2} (Linux lets one more in than the backlog): like Linux, drop it; no connection is created") \
    /* --- TCP segments (reasons a segment was sent or ignored) --- */ \
    X(N_SEG_SYN,           "SYN: ask to open a connection, ISS={0}") \
    X(N_SEG_SYNACK,        "SYN,ACK: acknowledge the peer's SYN and send our own, ISS={0}") \
    X(N_SEG_ACK_SYN,       "ACK of the peer's SYN: the third step of the handshake") \
    X(N_SEG_DATA,          "data: {0} byte{0:s} from the send buffer, seq {1}") \
    X(N_SEG_DATA_ACK_SYN,  "data: {0} byte{0:s} the application wrote before the connection opened, seq {1}; the same segment acknowledges the peer's SYN, so the third step of the handshake carries data (RFC 9293 3.10.7.3)") \
    X(N_SEG_ACK, "ACK {0}: every byte before {0} has arrived, and {0} is the next one expected") \
    X(N_SEG_ACK_OOO, "a segment starting at seq {0} arrived beyond a gap: ACK {1} again, the next byte still expected (RFC 5681 4.2)") \
    X(N_SEG_FIN,           "FIN: no more data from this side") \
    X(N_SEG_ACK_FIN, "ACK of the peer's FIN: ACK {0}, the FIN counts as one sequence number") \
    X(N_SEG_RST_ABORT,     "RST: the application aborted the connection") \
    X(N_SEG_RST_UNREAD, "RST: close() threw away {0} unread bytes (seq {1} to {2}); the peer must learn that data was lost (RFC 1122 4.2.2.13)") \
    X(N_SEG_RST_AFTER_CLOSE, "RST: {0} byte{0:s} (seq {1} to {2}) arrived after close() and are lost; the peer must learn that (RFC 1122 4.2.2.13)") \
    X(N_SEG_RST_CLOSED,    "RST: no connection matches this segment (RFC 9293 3.10.7.1)") \
    X(N_SEG_RST_BADACK, "RST: in SYN_SENT the ACK {0} is outside ISS+1..SND.NXT = {1}..{2}, so the segment does not answer our SYN (it may be an old duplicate, or come from an earlier connection on the same ports that the peer still holds) (RFC 9293 3.10.7.3)") \
    X(N_SEG_RST_LISTEN_ACK,"RST: an ACK arrived at a listening socket (RFC 9293 3.10.7.2)") \
    X(N_SEG_RST_SYNRCVD_ACK,"RST: the ACK in SYN_RECEIVED is not acceptable (RFC 9293 3.10.7.4)") \
    X(N_SEG_DISCARD_RST_NOTCB, "an RST for a connection that does not exist: it is dropped, and an RST is never answered (RFC 9293 3.10.7.1)") \
    X(N_SEG_DISCARD_LISTEN_RST, "an RST reaching a listening socket is ignored: it cannot answer anything this socket sent (RFC 9293 3.10.7.2)") \
    X(N_SEG_DISCARD_LISTEN_OTHER, "in LISTEN only a SYN can begin a connection: a segment with no SYN, ACK or RST is dropped (RFC 9293 3.10.7.2)") \
    X(N_SEG_DISCARD_SYNSENT_BADACK, "an RST whose ACK {0} is outside ISS+1..SND.NXT = {1}..{2} does not answer our SYN: it is dropped and not answered (RFC 9293 3.10.7.3)") \
    X(N_SEG_DISCARD_SYNSENT_RST, "an RST without an ACK in SYN_SENT cannot be checked against our SYN: it is dropped (RFC 9293 3.10.7.3)") \
    X(N_SEG_DISCARD_SYNSENT_OTHER, "in SYN_SENT a segment with neither SYN nor RST is dropped (RFC 9293 3.10.7.3)") \
    X(N_SEG_DISCARD_RST_WINDOW, "an RST with seq {0} outside the receive window (RCV.NXT={1}, RCV.WND={2}) is dropped without a reply (RFC 9293 3.10.7.4, RFC 5961 3.2)") \
    X(N_SEG_DISCARD_OOW_LIMIT, "dropped with no reply: RFC 9293 3.10.7.4 answers this segment with an ACK, but this connection sent such an ACK {0:dur} ago, and like Linux (tcp_invalid_ratelimit) it sends at most one per {1:dur} for segments without data, so two ends that disagree about the sequence numbers cannot trade ACKs for ever (RFC 5961 7)") \
    X(N_SEG_DISCARD_OOW_LIMIT_NOW, "dropped with no reply: RFC 9293 3.10.7.4 answers this segment with an ACK, but this connection sent such an ACK at this same instant, and like Linux (tcp_invalid_ratelimit) it sends at most one per {0:dur} for segments without data, so two ends that disagree about the sequence numbers cannot trade ACKs for ever (RFC 5961 7)") \
    X(N_SEG_TEXT_AFTER_FIN, "{0} byte{0:s} of data (seq {1} to {2}) came after the peer's FIN, in {3:state}: RFC 9293 3.10.7.4 (seventh) says to ignore the segment text, so none of it is delivered, and RCV.NXT does not move over it") \
    X(N_SEG_TEXT_AFTER_FIN_FIN, "{0} byte{0:s} of data (seq {1} to {2}) followed by a FIN came after the peer's first FIN, in {3:state}: RFC 9293 3.10.7.4 (seventh) says to ignore the segment text, and a FIN behind text that was not taken is not in sequence, so none of it is delivered, and RCV.NXT does not move over it") \
    X(N_SEG_SYN_TEXT_IGNORED, "the SYN carried {0} byte{0:s} of data (seq {1} to {2}): protosim does not keep data that arrives on a SYN (a simplification; RFC 9293 3.10.7.2 and 3.10.7.3 would keep it for after the handshake), so none of it is delivered or acknowledged, and the peer must send it again") \
    X(N_SEG_SYN_FIN_IGNORED, "the SYN also carried a FIN (seq {0}): protosim does not take a FIN that arrives on a SYN (a simplification; RFC 9293 3.10.7.2 and 3.10.7.3 would process it after the handshake), so it is not acknowledged, and the peer must send it again") \
    X(N_SEG_SYN_TEXT_FIN_IGNORED, "the SYN carried {0} byte{0:s} of data (seq {1} to {2}) and a FIN (seq {3}): protosim keeps neither data nor a FIN that arrives on a SYN (a simplification; RFC 9293 3.10.7.2 and 3.10.7.3 would process them after the handshake), so none of it is delivered or acknowledged, and the peer must send it again") \
    X(N_SEG_DISCARD_NOACK, "a segment without the ACK bit in {0:state} is dropped (RFC 9293 3.10.7.4, fifth check)") \
    X(N_SEG_RETRANSMIT, "retransmission #{0} (at most {1}) after the RTO expired") \
    X(N_SEG_PROBE,         "zero-window probe: one byte to learn whether the window has opened") \
    X(N_SEG_PROBE_AGAIN, "the peer's window is still zero: a window probe again, with the first {0} unacknowledged byte{0:s}; the connection stays open as long as the peer answers the probes (RFC 9293 3.8.6.1)") \
    X(N_SEG_PROBE_AGAIN_FIN, "the peer's window is still zero, so it cannot take our FIN, which takes a sequence number: the FIN goes again as a window probe; the connection stays open as long as the peer answers the probes (RFC 9293 3.8.6.1)") \
    X(N_SEG_WINUPDATE,     "window update: the application read data, so the receive window opened to {0}") \
    X(N_SEG_ZWND_REFUSE, "our receive window is 0: the segment at seq {0} cannot be taken; reply with an ACK that repeats the closed window (RFC 9293 3.10.7.4)") \
    X(N_SEG_DUPACK, "seq {0} (length {1}) starts past the receive window: SEG.SEQ - RCV.NXT = {3} is not less than RCV.WND={2}, so no byte of it is acceptable: reply with an ACK and drop it (RFC 9293 3.10.7.4)") \
    X(N_SEG_DUPACK_OLD, "seq {0} (length {1}) starts before RCV.NXT={2} (RCV.NXT - SEG.SEQ = {3}) and is not acceptable: reply with an ACK and drop it (RFC 9293 3.10.7.4)") \
    X(N_SEG_DUPACK_SPAN, "the segment from seq {0} to {2} starts before RCV.NXT={1} and ends past the window's last number {3}: neither its first nor its last number lies in the window, so the test does not accept it; reply with an ACK and drop it (RFC 9293 3.10.7.4)") \
    X(N_SEG_ACK_TOOFAR, "the ACK field {0} acknowledges something not yet sent (SND.NXT={1}): reply with ACK {2} and drop the segment (RFC 9293 3.10.7.4)") \
    X(N_SEG_ACK_TOOOLD, "the ACK field {0} lies below SND.UNA={1} minus MAX.SND.WND={2}, the largest window the peer has offered: too old to be acceptable, so reply with ACK {3} and drop the segment (RFC 5961 5.2)") \
    X(N_SEG_CHALLENGE, "a SYN in {0:state}, handled as in the synchronized states: reply with a challenge ACK {1} and drop it (RFC 9293 3.10.7.4, RFC 5961 4)") \
    X(N_SEG_CHALLENGE_RST, "an RST with seq {0}, in the window but not RCV.NXT={1}: reply with a challenge ACK instead of resetting (RFC 9293 3.10.7.4, RFC 5961 3)") \
    X(N_SEG_CHALLENGE_TW_OLD, "a SYN in TIME_WAIT with seq {0}, not above RCV.NXT={1}: it may be an old duplicate, so stay in TIME_WAIT and reply with a challenge ACK (RFC 9293 3.10.7.4, RFC 5961 4)") \
    X(N_SEG_CHALLENGE_TW_OFF, "a SYN in TIME_WAIT with seq {0}, above RCV.NXT={1}: this scenario does not reopen from TIME_WAIT (tcp tw-reopen off), so reply with a challenge ACK (RFC 5961 4)") \
    X(N_SEG_CHALLENGE_TW_NOLISTEN, "a SYN in TIME_WAIT with seq {0}, above RCV.NXT={1}, but nothing listens on port {2} to take a new connection: stay in TIME_WAIT, reply with a challenge ACK (RFC 9293 3.10.7.4)") \
    X(N_SEG_INJECT,        "injected by the scenario: {0:str}") \
    X(N_SEG_SYNACK_COOKIE, "SYN,ACK with a SYN cookie as ISS={0}: the SYN queue is full, so nothing of this SYN is kept; the number encodes the time counter {1}, the MSS {2} and a keyed hash of both addresses and ports (RFC 4987 3.6)") \
    X(N_SEG_SYNACK_COOKIE_WS, "SYN,ACK with a SYN cookie as ISS={0}: the SYN queue is full, so nothing of this SYN is kept; the number encodes the time counter {1}, the MSS {2} and a keyed hash of both addresses and ports, and has no room for the SYN's window scale, which is not answered (RFC 4987 3.6)") \
    X(N_SEG_RST_COOKIE_FORGED, "RST: an ACK arrived at a listening socket, and ACK minus one, {0}, is no SYN cookie of ours (its hash does not match the addresses and ports): like any ACK in LISTEN it gets a reset (RFC 9293 3.10.7.2, RFC 4987 3.6)") \
    X(N_SEG_RST_COOKIE_STALE, "RST: an ACK arrived at a listening socket, and ACK minus one, {0}, is a SYN cookie {1} period{1:s} of 64 s old, more than the {2} allowed: like any ACK in LISTEN it gets a reset (RFC 9293 3.10.7.2, RFC 4987 3.6)") \
    /* --- timers --- */ \
    X(N_TMR_RTO_START,     "retransmission timer armed: RTO {0:dur}") \
    X(N_TMR_RTO_STOP, "everything sent has been acknowledged: retransmission timer stopped") \
    X(N_TMR_RTO_STOP_RST, "an RST ends the connection in {0:state}: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_CLOSE, "close() in {0:state} deletes the TCB: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_SHUTDOWN, "shutdown() in {0:state} deletes the TCB: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_ABORT, "abort() in {0:state} deletes the TCB: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_UNREAD, "close() with unread data in {0:state} resets the connection: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_AFTER_CLOSE, "data arrived after close() in {0:state}: we sent RST and deleted the TCB, so nothing will be retransmitted; retransmission timer stopped") \
    X(N_TMR_RTO_STOP_DELETED, "the TCB is deleted in {0:state}: retransmission timer stopped") \
    X(N_TMR_RTO_STOP_LISTEN_RST, "an RST sends the connection in SYN_RECEIVED back to LISTEN: our SYN,ACK will not be retransmitted") \
    X(N_TMR_RTO_STOP_ZWND, "the peer now advertises a zero window, and the {0} sequence number{0:s} from {1} still unacknowledged lie beyond the window it advertised: they are taken to wait for room, not to be lost, so the persist timer, not the retransmission timer, watches them (RFC 9293 3.8.6.1)") \
    X(N_TMR_RTO_STOP_LISTEN_SYN, "a SYN sends the connection in SYN_RECEIVED back to LISTEN: our SYN,ACK will not be retransmitted") \
    X(N_TMR_RTO_STOP_TW, "TIME_WAIT: nothing is left to retransmit, retransmission timer stopped") \
    X(N_TMR_RTO_EXPIRE,    "no acknowledgement within {0:dur}: retransmit and double the RTO (RFC 6298 5.5)") \
    X(N_TMR_RTO_EXPIRE_MAX, "no acknowledgement within {0:dur}: retransmit; the RTO stays at its ceiling of {1:dur} (RFC 6298 5.5, 2.5)") \
    X(N_TMR_RTO_EXPIRE_UP, "no acknowledgement within {0:dur}: retransmit; doubling would pass the ceiling, so the RTO rises only to {1:dur} (RFC 6298 5.5, 2.5)") \
    X(N_TMR_RTO_EXPIRE_ACCQ, "{0:dur} passed: the peer's ACK of our SYN,ACK came, but the host dropped it because the listener's accept queue was full, so this connection never saw it: send the SYN,ACK again, and the RTO becomes {1:dur} (RFC 6298 5.5)") \
    X(N_TMR_RTO_EXPIRE_LAST_ACCQ, "{0:dur} passed: the peer's ACK of our SYN,ACK came, but the host dropped it because the listener's accept queue was full; after {1} retransmission{1:s}, no more") \
    X(N_TMR_RTO_EXPIRE_LAST, "no acknowledgement within {0:dur}, after {1} retransmission{1:s}: no more") \
    X(N_TMR_RTO_EXPIRE_STALE, "{2} segment{2:s} came from the peer within {0:dur}, but none was taken as acknowledging anything new: retransmit; the RTO becomes {1:dur} (RFC 6298 5.5, 2.5)") \
    X(N_TMR_RTO_EXPIRE_LAST_STALE, "{2} segment{2:s} came from the peer within {0:dur}, but none was taken as acknowledging anything new, after {1} retransmission{1:s}: no more") \
    X(N_TMR_TW_START,      "TIME_WAIT: wait 2 x MSL = {0:dur}") \
    X(N_TMR_TW_EXPIRE,     "2 x MSL is over") \
    X(N_TMR_TW_STOP, "TIME_WAIT ends early: the TCB is deleted") \
    X(N_TMR_TW_STOP_RST, "an RST arrived in TIME_WAIT: the TCB is deleted before 2 x MSL is over (RFC 9293 3.10.7.4; RFC 1337 calls this TIME-WAIT assassination)") \
    X(N_TMR_TW_STOP_ABORT, "abort() in TIME_WAIT: the TCB is deleted before 2 x MSL is over") \
    X(N_TMR_TW_STOP_REOPEN, "a new SYN above RCV.NXT ends TIME_WAIT early: the old TCB is deleted to make way for the new connection (RFC 9293 3.6.1 MAY-2)") \
    X(N_TMR_PERSIST_START, "the peer's window is zero: persist timer armed ({0:dur})") \
    X(N_TMR_PERSIST_EXPIRE, "the persist timer expired: probe the peer's zero window (RFC 9293 3.8.6.1)") \
    X(N_TMR_PERSIST_EXPIRE_LAST, "the persist timer expired, and the peer has answered none of the last {0} window probe{0:s}: no more probes") \
    X(N_TMR_PERSIST_BACKOFF, "a probe has gone: if the peer's window stays zero, the next probe goes in {0:dur}, twice the last interval of {1:dur} (RFC 9293 3.8.6.1: probes back off exponentially)") \
    X(N_TMR_PERSIST_BACKOFF_UP, "a probe has gone: if the peer's window stays zero, the next probe goes in {0:dur}; doubling the last interval of {1:dur} would pass the ceiling, so it rises only that far (RFC 9293 3.8.6.1, RFC 6298 2.5)") \
    X(N_TMR_PERSIST_BACKOFF_MAX, "a probe has gone: if the peer's window stays zero, the next probe goes in {0:dur}, the interval's ceiling (RFC 9293 3.8.6.1, RFC 6298 2.5)") \
    X(N_TMR_PERSIST_STOP_OPEN, "the peer's window opened to {0} byte{0:s}: no probe is needed, persist timer stopped (RFC 9293 3.8.6.1)") \
    X(N_TMR_PERSIST_STOP_TW, "TIME_WAIT: nothing is left to send, persist timer stopped") \
    X(N_TMR_PERSIST_STOP_RST, "an RST ends the connection in {0:state}: the peer's window will not be probed, persist timer stopped") \
    X(N_TMR_PERSIST_STOP_ABORT, "abort() in {0:state} deletes the TCB: the peer's window will not be probed, persist timer stopped") \
    X(N_TMR_PERSIST_STOP_UNREAD, "close() with unread data in {0:state} resets the connection: the peer's window will not be probed, persist timer stopped") \
    X(N_TMR_PERSIST_STOP_AFTER_CLOSE, "data arrived after close() in {0:state}: we sent RST and deleted the TCB, so the peer's window will not be probed; persist timer stopped") \
    X(N_TMR_PERSIST_STOP_DELETED, "the TCB is deleted in {0:state}: persist timer stopped") \
    /* --- network --- */ \
    X(N_NET_SEND,          NO_SENTENCE) \
    X(N_NET_RECV,          NO_SENTENCE) \
    X(N_NET_LOSS,          "the link lost this frame at random (loss rate {0:pct})") \
    X(N_NET_LOSS_LAN,      "the LAN lost this frame at random (loss rate {0:pct})") \
    X(N_NET_FAULT_DROP,    "scenario fault (line {0}): drop this packet") \
    X(N_NET_FAULT_DELAY,   "scenario fault (line {0}): this packet is held back {1:dur}") \
    X(N_NET_FAULT_DELAYS,  "{0} scenario fault rules hold this packet back {1:dur} in all") \
    X(N_NET_FAULT_DUP,     "scenario fault (line {0}): the network delivers one more copy of this packet") \
    X(N_NET_DUP,           "the link delivered this frame twice (duplication rate {0:pct})") \
    X(N_NET_DUP_LAN,       "the LAN delivered this frame twice (duplication rate {0:pct})") \
    X(N_NET_NOROUTE,       "{0:str} is on no LAN and has no link to {1:ip}: the packet cannot leave") \
    X(N_NET_NOMAC,         "no interface on this LAN has the frame's destination MAC address: nobody receives it") \
    X(N_NET_NOSOCK,        "no socket for this segment, and an RST is never answered with an RST") \
    /* --- ARP (RFC 826; states and timers as RFC 4861 7.3 and Linux) --- */ \
    X(N_ARP_INCOMPLETE,    "no entry for {0:ip}: hold the packet and ask the LAN who has it") \
    X(N_ARP_INCOMPLETE_AGAIN,"the entry for {0:ip} is FAILED: hold the packet and resolve the address again from the start, by broadcast (RFC 4861 7.3.3)") \
    X(N_ARP_REQUEST,       "who has {0:ip}? request 1 of {1}, broadcast to every host on the LAN (RFC 826)") \
    X(N_ARP_REPLY,         "{0:ip} is this host: reply to {1:ip} directly, not by broadcast (RFC 826)") \
    X(N_ARP_PROBE_ANSWER,  "an ARP probe (sender address 0.0.0.0, RFC 5227 2.1.1) asks whether {0:ip} is taken: it is this host's address, so reply to the prober's MAC address directly (RFC 826); nothing is learned, as 0.0.0.0 is no host's address") \
    X(N_ARP_DROP_SHA_GROUP,"this ARP packet gives a broadcast or multicast MAC address as {0:ip}'s: a frame sent there reaches a group of hosts, not one, so the packet is discarded; nothing is learned or answered (RFC 1812 3.3.2)") \
    X(N_ARP_DROP_SHA_ZERO, "this ARP packet gives 00:00:00:00:00:00, which no interface has, as {0:ip}'s MAC address: the packet is discarded; nothing is learned or answered") \
    X(N_ARP_DROP_OWN_ADDR, "this ARP packet gives {0:ip}, this host's own address, as the address of {1:mac}, another interface: two hosts claim one address (a conflict, or ARP spoofing). This model does not defend its address (RFC 5227 2.4): the packet is discarded; nothing is learned or answered") \
    X(N_ARP_RETRY,         "no reply yet: request {0} of {1}, broadcast again") \
    X(N_ARP_RESOLVED,      "the reply gives {0:ip}'s MAC address: send the {1} waiting packet{1:s}") \
    X(N_ARP_RESOLVED_UNCONFIRMED,"an ARP packet from {0:ip} that is not a reply to us gives its MAC address: send the {1} waiting packet{1:s}; STALE, as it does not show that {0:ip} hears us") \
    X(N_ARP_LEARN,         "a request for this host names its sender: remember {0:ip}'s MAC address (RFC 826: the target adds the sender); STALE, as a request does not show that {0:ip} hears us") \
    X(N_ARP_LEARN_REPLY,   "a reply to this host that it did not ask for names {0:ip}'s MAC address: remember it (RFC 826: the target adds the sender); STALE, as it answers no request of ours and so does not show that {0:ip} hears us (RFC 4861 7.3.1)") \
    X(N_ARP_CONFIRM,       "a reply from {0:ip} to this host confirms that it hears us: REACHABLE for {1:dur} (RFC 4861 7.3.3)") \
    X(N_ARP_MAC_CHANGED,   "an ARP packet from {0:ip} gives a new MAC address for it, {2:mac}; the cache held {1:mac}. RFC 826 overwrites the entry (\"update the sender hardware address field\"), so frames for {0:ip} now go to {2:mac}: STALE, as the new address is not confirmed yet (RFC 4861 7.2.5). A host whose interface changed does this, and so does an attacker answering for an address not its own (ARP spoofing)") \
    X(N_ARP_MAC_CHANGED_CONFIRM,"the reply to our request gives a new MAC address for {0:ip}, {2:mac}; the cache held {1:mac}. RFC 826 overwrites the entry, so frames for {0:ip} now go to {2:mac}; as it answers our request, REACHABLE for {3:dur} (RFC 4861 7.2.5)") \
    X(N_ARP_REVIVE,        "an ARP packet from {0:ip} gives its MAC address: the FAILED entry is usable again, STALE until a reply confirms it") \
    X(N_ARP_STALE,         "no confirmation for {0:dur} (this model counts ARP replies only, not TCP's progress, RFC 4861 7.3.1): the entry is STALE; it is still used, and the next packet sent on it starts a check (RFC 4861 7.3.3)") \
    X(N_ARP_DELAY,         "a packet goes to next hop {0:ip} on its STALE entry: it is sent at once to the cached MAC address; wait {1:dur} before checking with probes, time for TCP's progress to confirm it, which this model does not count (RFC 4861 7.3.3)") \
    X(N_ARP_PROBE,         "no confirmation of {0:ip} within {1:dur} (this model counts ARP replies only, not TCP's progress): check it with requests sent by unicast to its cached MAC address (RFC 4861 7.3.3)") \
    X(N_ARP_PROBE_SEND,    "probe {0} of {1}: who has {2:ip}? asked by unicast to the cached MAC address, so only that host hears it (RFC 4861 7.3.3)") \
    X(N_ARP_PROBE_OK,      "{0:ip} replied after {1} probe{1:s}: it still hears us, REACHABLE for {2:dur} (RFC 4861 7.3.3)") \
    X(N_ARP_FAILED,        "no reply after {0} request{0:s}: {1:ip} is unreachable; {2} waiting packet{2:s} dropped (RFC 4861 7.2.2)") \
    X(N_ARP_PROBE_FAILED,  "no reply to {0} probe{0:s}: {1:ip} is FAILED. Packets sent meanwhile went to the old MAC address and nothing is waiting; the next packet for it starts a new broadcast resolution (RFC 4861 7.3.3)") \
    X(N_ARP_UNREACHABLE,   "no MAC address for {0:ip} after {1} request{1:s}: this packet, which waited for it, is dropped (RFC 4861 7.2.2)") \
    X(N_ARP_QUEUE_FULL,    "the queue of packets waiting for {0:ip}'s MAC address is full ({1} packet{1:s}, as many as it holds): the oldest, this one, is dropped to make room for the new one (like Linux's unres_qlen); nobody is told") \
    X(N_ARP_ERR_DGRAM,     "ARP got no reply for {0:ip}: a datagram that waited for it is lost, and the application that sent it gets the error 'host unreachable' (EHOSTUNREACH, RFC 4861 7.2.2)") \
    X(N_ARP_ERR_TCP,       "ARP got no reply for {0:ip}: a TCP segment that waited for it is lost; the error 'host unreachable' (EHOSTUNREACH, RFC 4861 7.2.2) is reported on the connection, which keeps its state") \
    X(N_TMR_ARP_START,     "wait {0:dur} for a reply to request {1} of {2}") \
    X(N_TMR_ARP_EXPIRE,    "no reply within {0:dur} to request {1} of {2}") \
    X(N_TMR_ARP_DELAY_START,"wait {0:dur} (delay_first_probe_time) before probing {1:ip}") \
    X(N_TMR_ARP_DELAY_EXPIRE,"{0:dur} in DELAY: time to probe {1:ip}") \
    X(N_TMR_ARP_STOP_DELAY,"{0:ip} is confirmed within the delay: no probe is needed") \
    X(N_TMR_ARP_PROBE_START,"wait {0:dur} for a reply to probe {1} of {2}") \
    X(N_TMR_ARP_PROBE_EXPIRE,"no reply within {0:dur} to probe {1} of {2}") \
    X(N_TMR_ARP_STOP_PROBE,"{0:ip} replied: no more probes") \
    /* --- IPv4 forwarding --- */ \
    X(N_IP_FORWARD,        "a router forwards the packet towards {0:ip}: TTL {1} -> {2} (RFC 1812 5.3.1)") \
    X(N_IP_TTL,            "the packet arrived with TTL {0} and a router takes one off before forwarding: nothing would be left, so it discards the packet (RFC 1812 5.3.1; the ICMP Time Exceeded it should send back is not modelled)") \
    X(N_IP_NOROUTE,        "no route to {0:ip} from {1:str}: none of its LANs holds that address and it has no gateway (RFC 1122 3.3.1.1)") \
    X(N_IP_NOTFORME,       "the frame came to this host's MAC address, but the IP packet in it is for {0:ip} and this host is not a router: discarded (RFC 1122 3.2.1.3)") \
    X(N_NET_MALFORMED,     "the frame cannot be decoded: it is discarded") \
    X(N_NET_CSUM_IP,       "the IPv4 header checksum is wrong: the packet is discarded (RFC 791 3.1)") \
    X(N_NET_CSUM_TCP,      "the TCP checksum is wrong: the segment is discarded (RFC 9293 3.1)") \
    X(N_NET_CSUM_UDP,      "the UDP checksum is wrong: the datagram is discarded (RFC 768)") \
    /* --- DNS (RFC 1034, 1035, 2308) --- */ \
    X(N_DNS_LOOKUP,        "{0:ip} asks for {1:str} {2:str}: look in the cache first (RFC 1034 5.3.3 step 1)") \
    X(N_DNS_LOOKUP_WAITED, "{0:ip} asked for {1:str} {2:str} {3:dur} ago, while the same question was being walked; that walk is over: look in the cache first (RFC 1034 5.3.3 step 1)") \
    X(N_DNS_LOOKUP_CNAME,  "{0:str} is an alias for {1:str}: look for {1:str} {2:str} in the cache (RFC 1034 5.3.3 step 4c)") \
    X(N_DNS_LOOKUP_NS,     "no address is known for name server {0:str} of {1:str}: find it first") \
    X(N_DNS_CACHE_HIT,     "the cache holds {0:str} {1:str} with {2} s of its TTL left: no server needs asking for it") \
    X(N_DNS_CACHE_HIT_NX,  "the cache remembers that {0:str} does not exist, for {1} s more (RFC 2308 5): answer NXDOMAIN from the cache") \
    X(N_DNS_CACHE_HIT_NODATA, "the cache remembers that {0:str} has no {1:str} record, for {2} s more (RFC 2308 5): answer from the cache") \
    X(N_DNS_ASK_ROOT,      "nothing closer is cached: start at a root server from the hints, {0:ip} (RFC 1034 5.3.3 step 2)") \
    X(N_DNS_ASK_ROOT_UNUSABLE, "the servers of {0:str} are cached, but none can be reached (no address known): start at a root server from the hints, {1:ip} (RFC 1034 5.3.3 step 2)") \
    X(N_DNS_ASK_CACHED,    "the closest cached delegation with a server that can be reached is {0:str}: start at its server {1:str}, {2:ip} (RFC 1034 5.3.3 step 2)") \
    X(N_DNS_ASK_CACHED_NOADDR, "the closest cached delegation that can be used is {0:str}, but no address of its servers is known yet: find one first (RFC 1034 5.3.3 step 2)") \
    X(N_DNS_REFERRAL,      "{0:ip} refers the question to {1:str}, served by {2:str} (RFC 1034 5.3.3 step 4b)") \
    X(N_DNS_ANSWER,        "{0:ip} answers {1:str} {2:str} (RFC 1034 5.3.3 step 4a)") \
    X(N_DNS_NXDOMAIN,      "{0:ip} says {1:str} does not exist: NXDOMAIN (RFC 1034 5.3.3 step 4a)") \
    X(N_DNS_NODATA,        "{0:ip} says {1:str} exists but has no {2:str} record (RFC 2308 2.2)") \
    X(N_DNS_FAIL_SERVERS,  "no server of {0:str} gave a usable reply: give up, SERVFAIL (RFC 1034 5.3.3 step 4d)") \
    X(N_DNS_FAIL_NOADDR,   "no address could be found for any server of {0:str}, so none could be asked: SERVFAIL") \
    X(N_DNS_FAIL_NOHINTS,  "this resolver has no root hints: there is no server to start at, SERVFAIL") \
    X(N_DNS_FAIL_NOGLUE,   "the servers of {0:str} are named inside it, but no address came with the referral (glue, RFC 1034 4.2.1): SERVFAIL") \
    X(N_DNS_FAIL_LIMIT,    "{0} queries and still no answer: give up, SERVFAIL (RFC 1034 5.3.3 bounds the work)") \
    X(N_DNS_FAIL_BUSY,     "{0} questions are already in progress: SERVFAIL at once") \
    X(N_DNS_FAIL_CNAME,    "more than {0} aliases in a row: give up, SERVFAIL") \
    X(N_DNS_FAIL_CNAME_LOOP, "{0:str} is an alias for {1:str}, which is already in this chain of aliases: a CNAME loop, an error (RFC 1034 3.6.2); give up, SERVFAIL") \
    X(N_DNS_Q_ITER,        "ask {0:ip} for {1:str} {2:str} with RD=0: the resolver follows the referrals itself (RFC 1034 5.3.3 step 3)") \
    X(N_DNS_Q_NSADDR,      "name server {0:str} is at {1:ip}: ask it for {2:str} {3:str}") \
    X(N_DNS_Q_RETRY,       "no reply from {0:ip} within {1:dur}: ask it again (attempt {2})") \
    X(N_DNS_Q_NEXT,        "{0:ip} did not reply: try the next server, {1:ip}") \
    X(N_DNS_Q_BAD,         "{0:ip} replied {1:str}: try the next server, {2:ip} (RFC 1034 5.3.3 step 4d)") \
    X(N_DNS_Q_BAD_TC,      "{0:ip}'s reply is truncated (TC=1): RFC 2181 9 says to ask again over TCP, which this simulator does not model, so try the next server, {1:ip}") \
    X(N_DNS_Q_BAD_NOCLOSER,"{0:ip} refers the question to {1:str}, which is no closer to {2:str} than the zone whose servers were asked: try the next server, {3:ip} (RFC 1034 5.3.3 step 4d)") \
    X(N_DNS_Q_BAD_EMPTY,   "{0:ip} replied NOERROR with no answer for {1:str}, no referral and no SOA, and not as an authority: nothing to use, try the next server, {2:ip} (RFC 1034 5.3.3 step 4d)") \
    X(N_DNS_R_STUB,        "reply to the stub {0:ip} with RA=1: this resolver recurses for its clients") \
    X(N_DNS_R_STUB_CACHE,  "reply to the stub {0:ip} from the cache, TTLs lowered by the time spent there") \
    X(N_DNS_R_STUB_FAIL,   "reply SERVFAIL to the stub {0:ip} (RA=1): this resolver could not get an answer") \
    X(N_DNS_CACHE_ADD,     "keep {0:str} {1:str} in the cache for its TTL, {2:dur} (RFC 1035 3.2.1)") \
    X(N_DNS_CACHE_GLUE,    "keep the glue address of {0:str} from the additional section for {1:dur}") \
    X(N_DNS_CACHE_NX,      "remember that {0:str} does not exist for {1:dur}, the SOA's negative TTL (RFC 2308 5)") \
    X(N_DNS_CACHE_NODATA,  "remember that {0:str} has no {1:str} record for {2:dur}, the SOA's negative TTL (RFC 2308 5)") \
    X(N_DNS_CACHE_EXPIRED, "the TTL of {0:str} {1:str} ran out {2:dur} ago: the entry must not be used any more (RFC 1035 3.2.1)") \
    X(N_DNS_CACHE_EXPIRED_NX, "the negative TTL of the NXDOMAIN cached for {0:str} ran out {1:dur} ago: the entry must not be used any more (RFC 2308 5)") \
    X(N_DNS_CACHE_GLUE_REPLACED,"an answer for {0:str} {1:str} replaces the glue kept from a referral: data from an answer ranks above the additional section (RFC 2181 5.4.1)") \
    X(N_DNS_CACHE_EVICT,   "the cache is full: drop {0:str} {1:str} to make room") \
    X(N_DNS_CACHE_EVICT_NX,"the cache is full: drop the NXDOMAIN cached for {0:str} to make room") \
    X(N_DNS_TMR_START,     "wait up to {0:dur} for {1:ip} to reply") \
    X(N_DNS_TMR_STOP,      "{0:ip} replied: stop waiting") \
    X(N_DNS_TMR_EXPIRE,    "{0:dur} passed with no reply from {1:ip}") \
    X(N_DNS_STUB_ASK,      "look up {0:str} {1:str}: ask the recursive resolver {2:ip} (RFC 1034 5.3.1)") \
    X(N_DNS_STUB_Q,        "ask for {0:str} {1:str} with RD=1: the resolver {2:ip} does the walk") \
    X(N_DNS_STUB_RETRY,    "no reply from the resolver {0:ip} within {1:dur}: send the query again (attempt {2})") \
    X(N_DNS_STUB_ANSWER,   "the resolver replied: {0:str}") \
    X(N_DNS_STUB_FAIL,     "the resolver replied {0:str}: the lookup of {1:str} fails") \
    X(N_DNS_STUB_NXDOMAIN_CNAME,"the resolver replied NXDOMAIN: {1:str} is an alias, and the name its CNAME chain leads to, {2:str}, does not exist (RFC 2308 2.1)") \
    X(N_DNS_STUB_TC,       "the resolver's reply for {0:str} is truncated (TC=1): it did not fit in 512 bytes of UDP, so it is not the whole answer. RFC 2181 9 says to ignore it and ask again over TCP, which this simulator does not model: the lookup fails") \
    X(N_DNS_STUB_NXDOMAIN, "the resolver replied NXDOMAIN: {1:str} does not exist (RFC 1035 4.1.1)") \
    X(N_DNS_STUB_TIMEOUT,  "no reply from the resolver after {0} attempt{0:s}: the lookup of {1:str} fails") \
    X(N_DNS_SRV_ANSWER,    "authoritative answer (AA=1): this server holds {0:str} {1:str}") \
    X(N_DNS_SRV_CNAME,     "authoritative answer (AA=1): {0:str} is an alias for {1:str}; the CNAME goes in the answer, with what this server holds for {1:str} (RFC 1034 4.3.2 step 3a)") \
    X(N_DNS_SRV_CNAME_OUT, "authoritative answer (AA=1): {0:str} is an alias, and its CNAME chain leads to {1:str}, which is in no zone this server serves: the answer ends with the CNAME, and the resolver looks {1:str} up itself (RFC 1034 4.3.2 step 3a)") \
    X(N_DNS_SRV_CNAME_NODATA, "authoritative answer (AA=1): {0:str} is an alias, and its CNAME chain leads to {1:str}, which exists but has no {2:str} record: NOERROR, the CNAME and no {2:str} data (RFC 2308 2.2)") \
    X(N_DNS_SRV_CNAME_REFERRAL, "{0:str} is an alias, and its CNAME chain leads to {1:str}, which lies in {2:str}, delegated to other servers: the CNAME, and a referral to those servers (RFC 1034 4.3.2 step 3b)") \
    X(N_DNS_SRV_REFERRAL,  "referral: {0:str} lies in {1:str}, delegated to other servers; name them and their addresses (RFC 1034 4.3.2 step 3b)") \
    X(N_DNS_SRV_REFERRAL_NOGLUE, "referral: {0:str} lies in {1:str}, delegated to other servers; name them (this server holds no address for them) (RFC 1034 4.3.2 step 3b)") \
    X(N_DNS_SRV_NXDOMAIN,  "{0:str} does not exist in zone {1:str}: NXDOMAIN with the zone's SOA (RFC 2308 2.1)") \
    X(N_DNS_SRV_NXDOMAIN_CNAME, "{0:str} is an alias for {1:str}, which does not exist: NXDOMAIN with the CNAME (RFC 2308 2.1)") \
    X(N_DNS_SRV_NXDOMAIN_NOSOA, "{0:str} does not exist: NXDOMAIN, without an SOA since the zone has none, so the answer should not be cached (RFC 2308 5)") \
    X(N_DNS_SRV_NODATA,    "{0:str} exists but has no {1:str} record: NOERROR, an empty answer and the SOA (RFC 2308 2.2)") \
    X(N_DNS_SRV_NODATA_NOSOA, "{0:str} exists but has no {1:str} record: NOERROR and an empty answer, without an SOA since the zone has none (RFC 2308 2.2)") \
    X(N_DNS_UDP_TRIM,      "the reply would take {0} bytes, more than the 512 a DNS message over UDP may have (RFC 1035 4.2.1): it leaves out {1} record{1:s} of the additional section to fit, which needs no TC bit (RFC 2181 9)") \
    X(N_DNS_UDP_TC,        "the reply would take {0} bytes, more than the 512 a DNS message over UDP may have (RFC 1035 4.2.1): it leaves out {1} record{1:s} and sets TC=1, so the asker knows it is incomplete") \
    X(N_DNS_SRV_REFUSED,   "{0:str} is outside every zone this server serves: REFUSED") \
    X(N_DNS_REFUSED_CLASS, "the question is for class {0}, and only class IN (1) is served here: REFUSED") \
    X(N_DNS_SRV_FORMERR,   "the query is malformed: FORMERR (RFC 1035 4.1.1)") \
    X(N_DNS_SRV_NOTIMP,    "only standard queries are served: NOTIMP (RFC 1035 4.1.1)") \
    X(N_DNS_MALFORMED,     "a datagram to UDP port {0} that is not a DNS message this host can read (RFC 1035 4.1): dropped, with no reply") \
    X(N_DNS_R_DUP,         "{0:ip} asks again for {1:str} {2:str} with the same ID {3}: a retransmission of a question this resolver is still walking; that walk will answer it (its reply carries this ID), so the copy is set aside (RFC 1035 4.1.1: a reply matches a query by its ID)") \
    X(N_DNS_UNMATCHED,     "a DNS reply (id {0}) that matches no query in progress: ignored") \
    X(N_DNS_UNEXPECTED_QUERY, "a DNS query (id {0}) to a port where no DNS server listens: ignored") \
    X(N_NET_NOPORT,        "no socket is bound to UDP port {0}: the datagram is dropped (the ICMP port-unreachable reply of RFC 1122 4.1.3.1 is not modelled)") \
    X(N_SEG_UDP,           "a UDP datagram of {0} byte{0:s}") \
    /* --- a real capture (--read, ui/read.c) --- */ \
    X(N_READ_FRAME,        "frame {0} of the capture, {1} byte{1:s} as captured: the capture shows what was sent, not why") \
    X(N_READ_FRAME_CUT,    "frame {0} of the capture: {1} of its {2} bytes were captured (the rest lay beyond the capture's snapshot length); the capture shows what was sent, not why") \
    X(N_READ_FRAME_OPT_STOP, "frame {0} of the capture: the TCP option that starts {1} bytes into its TCP header has no length, or a length below 2 or past the end of the header; protosim reads the segment without the options from there on, as Linux does (RFC 9293 3.1: a TCP must be prepared for an illegal option length); the capture shows what was sent, not why") \
    X(N_READ_FRAME_OPT_SKIP, "frame {0} of the capture: the TCP option that starts {1} bytes into its TCP header, of kind {2}, says it is {3} byte{3:s} long, which is not that kind's length; protosim reads the segment without it, as Linux does (RFC 9293 3.1: a TCP must be prepared for an illegal option length); the capture shows what was sent, not why") \
    X(N_READ_FRAME_DOFF,   "frame {0} of the capture: its TCP header's data offset is {1}, below the 5 32-bit words (20 bytes) of the header's fixed part (RFC 9293 3.1): the segment is malformed, and protosim gives it to no connection; the capture shows what was sent, not why") \
    X(N_READ_DROP_DOFF,    "frame {0}, drawn where the capture saw it: a TCP header whose data offset ({1}) is below 5 is malformed (RFC 9293 3.1), so the receiving TCP discards the segment, as Linux does") \
    X(N_READ_FRAME_DOFF_PAST, "frame {0} of the capture: its TCP header's data offset, {1}, makes a header of {2} bytes, longer than the whole segment of {3} byte{3:s} (RFC 9293 3.1): the segment is malformed, and protosim gives it to no connection; the capture shows what was sent, not why") \
    X(N_READ_DROP_DOFF_PAST, "frame {0}, drawn where the capture saw it: a TCP header whose data offset ({1}) runs past the end of the segment is malformed (RFC 9293 3.1), so the receiving TCP discards the segment, as Linux does") \
    X(N_READ_ARRIVE,       "frame {0}, drawn arriving when the capture saw it: a capture holds one copy of a frame, taken at one point of its path") \
    X(N_READ_ARRIVE_ACKED, "frame {0}, captured at {1:dur}: this end's frame {2} acknowledges it (or a copy of it), so it is drawn arriving by then") \
    X(N_READ_ARRIVE_BEHIND, "frame {0}, captured at {1:dur}: it was sent after what this end acknowledges in frame {2}, and is drawn arriving with it") \
    X(N_READ_ARRIVE_RST,   "frame {0}, captured at {1:dur}: drawn arriving before this end's RST in frame {2}, which may answer it") \
    X(N_READ_STATE_SENT,   "inferred from frame {0}, which this end sent ({1:flags}): protosim's RFC 9293 machine, given the connection's captured segments, goes from {2:state} to {3:state}") \
    X(N_READ_STATE_RECV,   "inferred from frame {0}, which reached this end ({1:flags}): protosim's RFC 9293 machine, given the connection's captured segments, goes from {2:state} to {3:state}") \
    X(N_READ_LISTEN,       "inferred from frame {0}: this end answers the SYN to its port {1} (frame {2}) with a SYN,ACK, so it was listening there, a passive OPEN (RFC 9293 3.10.1)") \
    X(N_NOTE,              "{0:str}")

enum narration_id {
#define X(id, text) id,
    NARRATIONS(X)
#undef X
    N_COUNT
};


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
/* Renders a template of another table (a driver's, for its own records)
 * with the same placeholders and w's parameters; returns buf. */
char *narrate_template(const char *tmpl, const struct why *w,
                       const struct narrate_ctx *nc, char *buf, size_t n);

/* The narration sentence of a record (of a TK_EXT record: tr->ext_why's). */
char *trace_why(const struct trace *tr, const struct trace_rec *r,
                char *buf, size_t n);

#endif
