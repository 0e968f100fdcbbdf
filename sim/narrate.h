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
    X(N_APP_RECV_NONE, "the application asks to read, but nothing has arrived that it has not read: recv() would block (the stream goes on)") \
    X(N_APP_RECV_EOF, "recv() returns 0: the peer's FIN has arrived and every byte before it has been read; this is the end of the stream") \
    X(N_APP_SHUTDOWN, "the application shuts down its sending side: it will send no more, but can still receive (half-close)") \
    X(N_APP_CLOSE,    "the application calls close(): no more data will be sent (RFC 9293 3.10.4)") \
    X(N_APP_ABORT, "the application aborts the connection (RFC 9293 3.10.5 ABORT)") \
    X(N_APP_ERR_STATE,"the call fails: connection is {0:state} (error: {1:str})") \
    X(N_APP_ERR_NOCONN,"the call fails: this host has no connection (error: {0:str})") \
    X(N_APP_ERR_PORT, "the call fails: port {0} is already in use on this host (error: {1:str})") \
    X(N_APP_ERR_UNREACH, "{0:ip} did not answer ARP: TCP is told 'host unreachable', a soft error, and keeps retransmitting (RFC 1122 4.2.3.9)") \
    X(N_APP_ERR_UNREACH_DGRAM,"{0:ip} did not answer ARP: the application is told 'host unreachable'; the datagram is lost and nothing resends it") \
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
    X(N_TCP_TW_EXPIRE, "the 2 x MSL = {0:dur} timer ran out: any old duplicate of this connection has died out; delete the TCB (RFC 9293 3.10.8)") \
    X(N_TCP_TW_REFIN,      "a retransmitted FIN in TIME_WAIT: our last ACK was lost, so acknowledge again and restart 2 x MSL (RFC 9293 3.10.7.4)") \
    X(N_TCP_TW_REOPEN, "a SYN with seq {0}, above RCV.NXT={1}, cannot be an old duplicate of this connection: delete the TIME_WAIT TCB and let the listener open a new connection (RFC 9293 3.6.1 MAY-2, RFC 6191)") \
    X(N_TCP_RST_SYNSENT,   "RST acknowledges our SYN: the remote port refuses the connection (RFC 9293 3.10.7.3)") \
    X(N_TCP_RST_PASSIVE,   "RST in SYN_RECEIVED after a passive open: return to LISTEN (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_ACTIVE,    "RST in SYN_RECEIVED after an active open: the connection is refused") \
    X(N_TCP_RST_RESET,     "RST received in {0:state}: the connection is reset and the TCB deleted (RFC 9293 3.10.7.4)") \
    X(N_TCP_RST_CLOSE,     "RST received in {0:state}: the connection is closed (RFC 9293 3.10.7.4)") \
    X(N_TCP_SYN_PASSIVE,   "a SYN in SYN_RECEIVED after a passive open: return to LISTEN (RFC 9293 3.10.7.4)") \
    X(N_TCP_ABORT, "abort(): send RST and delete the TCB (RFC 9293 3.10.5)") \
    X(N_TCP_ABORT_SILENT, "abort() in {0:state}: delete the TCB; no RST is sent in this state (RFC 9293 3.10.5)") \
    X(N_TCP_CLOSE_UNREAD, "close() while {0} received bytes (seq {1} to {2}) were never read: they are lost, so send RST instead of FIN and delete the TCB (RFC 1122 4.2.2.13)") \
    X(N_TCP_DATA_AFTER_CLOSE, "{0} bytes (seq {1} to {2}) arrived after close(): no application will ever read them, so send RST and delete the TCB (RFC 1122 4.2.2.13)") \
    X(N_TCP_CLOSE_LISTEN, "close() in {0:state}: delete the TCB, nothing to send (RFC 9293 3.10.4)") \
    X(N_TCP_SHUTDOWN_LISTEN, "shutdown() in {0:state}: like CLOSE, it deletes the TCB; nothing to send (RFC 9293 3.10.4)") \
    X(N_TCP_GIVE_UP,       "no acknowledgement after {0} retransmissions: give up and close the connection") \
    /* --- TCP segments (reasons a segment was sent or ignored) --- */ \
    X(N_SEG_SYN,           "SYN: ask to open a connection, ISS={0}") \
    X(N_SEG_SYNACK,        "SYN,ACK: acknowledge the peer's SYN and send our own, ISS={0}") \
    X(N_SEG_ACK_SYN,       "ACK of the peer's SYN: the third step of the handshake") \
    X(N_SEG_DATA,          "data: {0} bytes from the send buffer, seq {1}") \
    X(N_SEG_ACK, "ACK {0}: every byte before {0} has arrived, and {0} is the next one expected") \
    X(N_SEG_ACK_OOO, "a segment starting at seq {0} arrived beyond a gap: ACK {1} again, the next byte still expected (RFC 5681 4.2)") \
    X(N_SEG_FIN,           "FIN: no more data from this side") \
    X(N_SEG_ACK_FIN, "ACK of the peer's FIN: ACK {0}, the FIN counts as one sequence number") \
    X(N_SEG_RST_ABORT,     "RST: the application aborted the connection") \
    X(N_SEG_RST_UNREAD, "RST: close() threw away {0} unread bytes (seq {1} to {2}); the peer must learn that data was lost (RFC 1122 4.2.2.13)") \
    X(N_SEG_RST_AFTER_CLOSE, "RST: {0} bytes (seq {1} to {2}) arrived after close() and are lost; the peer must learn that (RFC 1122 4.2.2.13)") \
    X(N_SEG_RST_CLOSED,    "RST: no connection matches this segment (RFC 9293 3.10.7.1)") \
    X(N_SEG_RST_BADACK, "RST: in SYN_SENT the ACK {0} is outside ISS+1..SND.NXT = {1}..{2}, so it does not acknowledge our SYN (an old duplicate?) (RFC 9293 3.10.7.3)") \
    X(N_SEG_RST_LISTEN_ACK,"RST: an ACK arrived at a listening socket (RFC 9293 3.10.7.2)") \
    X(N_SEG_RST_SYNRCVD_ACK,"RST: the ACK in SYN_RECEIVED is not acceptable (RFC 9293 3.10.7.4)") \
    X(N_SEG_RETRANSMIT, "retransmission #{0} (at most {1}) after the RTO expired") \
    X(N_SEG_PROBE,         "zero-window probe: one byte to learn whether the window has opened") \
    X(N_SEG_PROBE_AGAIN, "the peer's window is still zero: the first unacknowledged byte(s) go again as a window probe; probing never gives up (RFC 9293 3.8.6.1)") \
    X(N_SEG_WINUPDATE,     "window update: the application read data, so the receive window opened to {0}") \
    X(N_SEG_DUPACK, "seq {0} (length {1}) lies outside the receive window, {3} bytes from RCV.NXT={2}: reply with an ACK and drop it (RFC 9293 3.10.7.4)") \
    X(N_SEG_ACK_TOOFAR, "the ACK field {0} acknowledges something not yet sent (SND.NXT={1}): reply with ACK {2} and drop the segment (RFC 9293 3.10.7.4)") \
    X(N_SEG_CHALLENGE, "a SYN in {0:state}, handled as in the synchronized states: reply with a challenge ACK {1} and drop it (RFC 9293 3.10.7.4, RFC 5961 4)") \
    X(N_SEG_CHALLENGE_RST, "an RST with seq {0}, in the window but not RCV.NXT={1}: reply with a challenge ACK instead of resetting (RFC 9293 3.10.7.4, RFC 5961 3)") \
    X(N_SEG_CHALLENGE_TW_OLD, "a SYN in TIME_WAIT with seq {0}, not above RCV.NXT={1}: it may be an old duplicate, so stay in TIME_WAIT and reply with a challenge ACK (RFC 9293 3.10.7.4, RFC 5961 4)") \
    X(N_SEG_CHALLENGE_TW_OFF, "a SYN in TIME_WAIT with seq {0}, above RCV.NXT={1}: this scenario does not reopen from TIME_WAIT (tcp tw-reopen off), so reply with a challenge ACK (RFC 5961 4)") \
    X(N_SEG_CHALLENGE_TW_NOLISTEN, "a SYN in TIME_WAIT with seq {0}, above RCV.NXT={1}, but nothing listens on port {2} to take a new connection: stay in TIME_WAIT, reply with a challenge ACK (RFC 9293 3.10.7.4)") \
    X(N_SEG_INJECT,        "injected by the scenario: {0:str}") \
    /* --- timers --- */ \
    X(N_TMR_RTO_START,     "retransmission timer armed: RTO {0:dur}") \
    X(N_TMR_RTO_STOP, "everything sent has been acknowledged: retransmission timer stopped") \
    X(N_TMR_RTO_STOP_RST, "an RST ends the connection in {0:state}: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_CLOSE, "close() in {0:state} deletes the TCB: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_ABORT, "abort() in {0:state} deletes the TCB: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_UNREAD, "close() with unread data in {0:state} resets the connection: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_AFTER_CLOSE, "data arrived after close() in {0:state} and the connection is reset: nothing will be retransmitted, retransmission timer stopped") \
    X(N_TMR_RTO_STOP_DELETED, "the TCB is deleted in {0:state}: retransmission timer stopped") \
    X(N_TMR_RTO_STOP_LISTEN_RST, "an RST sends the half-open connection back to LISTEN: our SYN,ACK will not be retransmitted") \
    X(N_TMR_RTO_STOP_LISTEN_SYN, "a SYN sends the half-open connection back to LISTEN: our SYN,ACK will not be retransmitted") \
    X(N_TMR_RTO_STOP_TW, "TIME_WAIT: nothing is left to retransmit, retransmission timer stopped") \
    X(N_TMR_RTO_EXPIRE,    "no acknowledgement within {0:dur}: retransmit and double the RTO (RFC 6298 5.5)") \
    X(N_TMR_RTO_EXPIRE_MAX, "no acknowledgement within {0:dur}: retransmit; the RTO stays at its ceiling of {1:dur} (RFC 6298 5.5, 2.5)") \
    X(N_TMR_RTO_EXPIRE_LAST, "no acknowledgement within {0:dur}, and {1} retransmissions have been made: no more") \
    X(N_TMR_TW_START,      "TIME_WAIT: wait 2 x MSL = {0:dur}") \
    X(N_TMR_TW_EXPIRE,     "2 x MSL is over") \
    X(N_TMR_TW_STOP, "TIME_WAIT ends early: the TCB is deleted") \
    X(N_TMR_TW_STOP_RST, "an RST arrived in TIME_WAIT: the TCB is deleted before 2 x MSL is over (RFC 9293 3.10.7.4; RFC 1337 calls this TIME-WAIT assassination)") \
    X(N_TMR_TW_STOP_ABORT, "abort() in TIME_WAIT: the TCB is deleted before 2 x MSL is over") \
    X(N_TMR_TW_STOP_REOPEN, "a new SYN above RCV.NXT ends TIME_WAIT early: the old TCB is deleted to make way for the new connection (RFC 9293 3.6.1 MAY-2)") \
    X(N_TMR_PERSIST_START, "the peer's window is zero: persist timer armed ({0:dur})") \
    X(N_TMR_PERSIST_EXPIRE, "the persist timer expired: probe the peer's zero window (RFC 9293 3.8.6.1)") \
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
    /* --- DNS (RFC 1034, 1035, 2308) --- */ \
    X(N_DNS_LOOKUP,        "{0:ip} asks for {1:str} {2:str}: look in the cache first (RFC 1034 5.3.3 step 1)") \
    X(N_DNS_LOOKUP_CNAME,  "{0:str} is an alias for {1:str}: look for {1:str} {2:str} in the cache (RFC 1034 5.3.3 step 4c)") \
    X(N_DNS_LOOKUP_NS,     "no address is known for name server {0:str} of {1:str}: find it first") \
    X(N_DNS_CACHE_HIT,     "the cache holds {0:str} {1:str} with {2} s of its TTL left: answer without asking any server") \
    X(N_DNS_CACHE_HIT_NX,  "the cache remembers that {0:str} does not exist, for {1} s more (RFC 2308 5): answer NXDOMAIN without asking") \
    X(N_DNS_CACHE_HIT_NODATA, "the cache remembers that {0:str} has no {1:str} record, for {2} s more (RFC 2308 5): answer without asking") \
    X(N_DNS_ASK_ROOT,      "nothing closer is cached: start at a root server from the hints, {0:ip} (RFC 1034 5.3.3 step 2)") \
    X(N_DNS_ASK_CACHED,    "the closest delegation in the cache is {0:str}: start at its server {1:str}, {2:ip} (RFC 1034 5.3.3 step 2)") \
    X(N_DNS_REFERRAL,      "{0:ip} refers the question to {1:str}, served by {2:str} (RFC 1034 5.3.3 step 4b)") \
    X(N_DNS_ANSWER,        "{0:ip} answers {1:str} {2:str} (RFC 1034 5.3.3 step 4a)") \
    X(N_DNS_NXDOMAIN,      "{0:ip} says {1:str} does not exist: NXDOMAIN (RFC 1034 5.3.3 step 4a)") \
    X(N_DNS_NODATA,        "{0:ip} says {1:str} exists but has no {2:str} record (RFC 2308 2.2)") \
    X(N_DNS_FAIL_SERVERS,  "no server of {0:str} gave a usable reply: give up, SERVFAIL (RFC 1034 5.3.3 step 4d)") \
    X(N_DNS_FAIL_NOGLUE,   "the servers of {0:str} are named inside it, but no address came with the referral (glue, RFC 1034 4.2.1): SERVFAIL") \
    X(N_DNS_FAIL_LIMIT,    "{0} queries and still no answer: give up, SERVFAIL (RFC 1034 5.3.3 bounds the work)") \
    X(N_DNS_FAIL_BUSY,     "{0} questions are already in progress: SERVFAIL at once") \
    X(N_DNS_FAIL_CNAME,    "more than {0} aliases in a row: give up, SERVFAIL") \
    X(N_DNS_Q_ITER,        "ask {0:ip} for {1:str} {2:str} with RD=0: the resolver follows the referrals itself (RFC 1034 5.3.3 step 3)") \
    X(N_DNS_Q_NSADDR,      "name server {0:str} is at {1:ip}: ask it for {2:str} {3:str}") \
    X(N_DNS_Q_RETRY,       "no reply from {0:ip} within {1:dur}: ask it again (attempt {2})") \
    X(N_DNS_Q_NEXT,        "{0:ip} did not reply: try the next server, {1:ip}") \
    X(N_DNS_Q_BAD,         "{0:ip} replied {1:str}: try the next server, {2:ip} (RFC 1034 5.3.3 step 4d)") \
    X(N_DNS_R_STUB,        "reply to the stub {0:ip} with RA=1: this resolver recurses for its clients") \
    X(N_DNS_R_STUB_CACHE,  "reply to the stub {0:ip} from the cache, TTLs lowered by the time spent there") \
    X(N_DNS_CACHE_ADD,     "keep {0:str} {1:str} in the cache for its TTL, {2:dur} (RFC 1035 3.2.1)") \
    X(N_DNS_CACHE_GLUE,    "keep the glue address of {0:str} from the additional section for {1:dur}") \
    X(N_DNS_CACHE_NX,      "remember that {0:str} does not exist for {1:dur}, the SOA's negative TTL (RFC 2308 5)") \
    X(N_DNS_CACHE_NODATA,  "remember that {0:str} has no {1:str} record for {2:dur}, the SOA's negative TTL (RFC 2308 5)") \
    X(N_DNS_CACHE_EXPIRED, "the TTL of {0:str} {1:str} ran out {2:dur} ago: the entry must not be used any more (RFC 1035 3.2.1)") \
    X(N_DNS_CACHE_EVICT,   "the cache is full: drop {0:str} {1:str} to make room") \
    X(N_DNS_TMR_START,     "wait up to {0:dur} for {1:ip} to reply") \
    X(N_DNS_TMR_STOP,      "{0:ip} replied: stop waiting") \
    X(N_DNS_TMR_EXPIRE,    "{0:dur} passed with no reply from {1:ip}") \
    X(N_DNS_STUB_ASK,      "look up {0:str} {1:str}: ask the recursive resolver {2:ip} (RFC 1034 5.3.1)") \
    X(N_DNS_STUB_Q,        "ask for {0:str} {1:str} with RD=1: the resolver {2:ip} does the walk") \
    X(N_DNS_STUB_RETRY,    "no reply from the resolver {0:ip} within {1:dur}: send the query again (attempt {2})") \
    X(N_DNS_STUB_ANSWER,   "the resolver replied: {0:str}") \
    X(N_DNS_STUB_FAIL,     "the resolver replied {0:str}: the lookup of {1:str} fails") \
    X(N_DNS_STUB_TIMEOUT,  "no reply from the resolver after {0} attempts: the lookup of {1:str} fails") \
    X(N_DNS_SRV_ANSWER,    "authoritative answer (AA=1): this server holds {0:str} {1:str}") \
    X(N_DNS_SRV_REFERRAL,  "referral: {0:str} lies in {1:str}, delegated to other servers; name them and their addresses (RFC 1034 4.3.2 step 3b)") \
    X(N_DNS_SRV_NXDOMAIN,  "{0:str} does not exist in zone {1:str}: NXDOMAIN with the zone's SOA (RFC 2308 2.1)") \
    X(N_DNS_SRV_NODATA,    "{0:str} exists but has no {1:str} record: NOERROR, an empty answer and the SOA (RFC 2308 2.2)") \
    X(N_DNS_SRV_REFUSED,   "{0:str} is outside every zone this server serves: REFUSED") \
    X(N_DNS_SRV_FORMERR,   "the query is malformed: FORMERR (RFC 1035 4.1.1)") \
    X(N_DNS_SRV_NOTIMP,    "only standard queries are served: NOTIMP (RFC 1035 4.1.1)") \
    X(N_DNS_UNMATCHED,     "a DNS reply (id {0}) that matches no query in progress: ignored") \
    X(N_NET_NOPORT,        "no socket is bound to UDP port {0}: the datagram is dropped (the ICMP port-unreachable reply is not modelled)") \
    /* --- --real: the kernel beside the model (sim/real/) --- */ \
    X(N_REAL_PLAN,          "replay on {0:str}: each call runs at its scenario time divided by {1}, at least {2:dur} after the one before; what the kernel shows is put back on the scenario's clock") \
    X(N_REAL_SQUEEZED,      "the calls would take too long at that pace: the gaps between them shrink so the replay stays within {0:dur}") \
    X(N_REAL_CAPTURE_ON,    "capture on: an AF_PACKET socket on lo lists the real segments of the replay's ports") \
    X(N_REAL_CAPTURE_OFF,   "capture off (needs CAP_NET_RAW): the kernel's states are still observed, its segments are not listed") \
    X(N_REAL_CAPTURE_ERR,   "capture off: {0:str}") \
    X(N_REAL_FAILED,        "the replay could not run: {0:str}") \
    X(N_REAL_NO_DIAG,       "NETLINK_SOCK_DIAG is not available ({0:str}): a socket is not observed once its descriptor is closed") \
    X(N_REAL_END,           "the replay stops watching {0:dur} after its last call; {1} socket(s) still open are closed with RST so none is left behind") \
    X(N_REAL_NR_FAULT,      "not replayed: the fault rule on line {0}; loopback neither drops, delays nor duplicates segments on request") \
    X(N_REAL_NR_INJECT,     "not replayed: the injected segment on line {0}; forging one needs a raw socket, and the kernel would answer it outside the lesson") \
    X(N_REAL_NR_LINK,       "not replayed: the link {0:str} (delay {1:dur}, jitter {2:dur}, loss {3} per million); loopback delivers in microseconds and loses nothing") \
    X(N_REAL_NR_LAN,        "not replayed: the LAN {0:str} with its ARP, routers and gateways; every real socket here sits on the one loopback interface") \
    X(N_REAL_NR_TWOWAY,     "not replayed: {0:str}'s two-way handshake; the kernel always uses the three-way handshake") \
    X(N_REAL_NR_SIMOPEN,    "not replayed: the connect on line {0} is half of a simultaneous open; two sockets connecting to each other on plain loopback get ECONNREFUSED (only a socket connecting to its own port opens that way)") \
    X(N_REAL_NR_APP,        "not replayed: the {0:str} on line {1}; --real replays TCP socket calls only") \
    X(N_REAL_NR_DNSDATA,    "not replayed: the scenario's DNS zones, records and resolvers; --real replays TCP socket calls only") \
    X(N_REAL_NR_ISN,        "not replayed: {0:str}'s fixed initial sequence numbers; the kernel picks a random ISN for every connection (RFC 6528)") \
    X(N_REAL_NR_MSL,        "not replayed: {0:str}'s MSL of {1:dur}; the kernel's TIME_WAIT lasts a fixed 60 s (TCP_TIMEWAIT_LEN)") \
    X(N_REAL_NR_RTO,        "not replayed: {0:str}'s RTO of {1:dur} and {2} retries; the kernel measures its own RTO (RFC 6298) and retries as its sysctls say") \
    X(N_REAL_NR_RCVBUF,     "not replayed: {0:str}'s receive buffer of {1} bytes; the kernel sizes its own buffers and window") \
    X(N_REAL_NR_NOSERVER,   "not replayed: the connect on line {0} goes to port {1}, where the server is the application on line {2}, which is not replayed") \
    X(N_REAL_NR_FROMPORT,   "not replayed as written: the connect on line {0} asks for local port {1}; the replay lets the kernel choose a free port") \
    X(N_REAL_LISTEN,        "real listen() on port {0}, which the kernel chose for the scenario's port {1}") \
    X(N_REAL_CONNECT,       "real non-blocking connect() from port {0} to port {1} (the scenario's port {2}): {3:str}") \
    X(N_REAL_ACCEPT,        "real accept(): the connection from port {0} becomes this host's current connection") \
    X(N_REAL_SEND,          "real send() of {0} bytes: {1} taken into the send buffer at once") \
    X(N_REAL_SEND_REST,     "real send(): the last {0} of {1} bytes could not be written before the replay ended") \
    X(N_REAL_RECV,          "real recv() of up to {0} bytes: {1} read") \
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
    X(N_REAL_DIFF_KERNEL,   "{0:state} only in the kernel: the real exchange took another path than the model's (see the real calls above)") \
    X(N_REAL_DIFF_NOT_REPLAYED, "this connection has no real counterpart: what opens it in the model (an injected segment, a fault or a call) was not replayed") \
    X(N_REAL_DIFF_ISN_FIXED, "sequence numbers: the kernel picks a random ISN for every connection (RFC 6528), the model uses the scenario's fixed ones; compare relative numbers") \
    X(N_REAL_DIFF_ISN_SEEDED, "sequence numbers: the kernel picks a random ISN for every connection (RFC 6528), the model draws them from its seeded generator; compare relative numbers") \
    X(N_REAL_DIFF_TIMING,   "timing: loopback has no link delay, so the kernel's states change microseconds after a call; they are shown on the scenario's clock, between the calls") \
    X(N_REAL_DIFF_PKT_NETWORK, "only in the model: the scenario's network made it (a fault, a loss and its retransmission, an injected segment), which is not replayed") \
    X(N_REAL_DIFF_PKT_DELACK, "only in the model: the kernel delays an ACK (RFC 1122 4.2.3.2) and folds it into the segment it sends next") \
    X(N_REAL_DIFF_PKT_NR,   "only in the model: the calls that make it were not replayed") \
    X(N_REAL_DIFF_PKT_RSTACK, "the kernel's RST also carries an ACK; the model sends a bare RST, as RFC 9293 3.10.5 writes it") \
    X(N_REAL_DIFF_PKT_NUMBERS, "the same kind of segment with other relative numbers: the real exchange went in another order") \
    X(N_REAL_DIFF_OTHER_PATH, "this side closed the other way here: calls the scenario makes at the same instant run one after the other, so one FIN arrived before the other side's close()") \
    X(N_REAL_DIFF_PKT_SIM,  "only in the model: the kernel sent no such segment") \
    X(N_REAL_DIFF_PKT_REAL, "only on lo: the kernel sent a segment the model does not (an extra ACK or a window update)") \
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
