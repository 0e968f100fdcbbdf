/* tcp_arrows.c — the arrows of RFC 9293's state diagram as one table: Figure 5's, and the resets, aborts and timeouts of 3.10 that the figure leaves out, each with the words of the RFC that draw it. */
#include <stddef.h>
#include "tcp.h"

/* X(FROM, TO, in Figure 5, event, RFC section and text) */
#define TCP_ARROWS(X) \
    X(CLOSED, LISTEN, 1, "passive OPEN", \
      "3.10.1 CLOSED: \"If passive, ... enter LISTEN state\"") \
    X(CLOSED, SYN_SENT, 1, "active OPEN / snd SYN", \
      "3.10.1 CLOSED: \"issue a SYN segment ... Set the state to SYN-SENT\"") \
    X(LISTEN, SYN_RECEIVED, 1, "rcv SYN / snd SYN,ACK", \
      "3.10.7.2 LISTEN: \"The connection state should be changed to SYN-RECEIVED\"") \
    X(LISTEN, SYN_SENT, 1, "SEND / snd SYN", \
      "3.10.1 LISTEN: \"Send a SYN segment ... Enter SYN-SENT state\"") \
    X(LISTEN, CLOSED, 1, "CLOSE", \
      "3.10.4 LISTEN: \"Delete TCB, enter CLOSED state\"") \
    X(SYN_SENT, SYN_RECEIVED, 1, "rcv SYN / snd SYN,ACK", \
      "3.10.7.3: \"Otherwise, enter SYN-RECEIVED, form a SYN,ACK segment and send it\"") \
    X(SYN_SENT, ESTABLISHED, 1, "rcv SYN,ACK / snd ACK", \
      "3.10.7.3: \"If SND.UNA > ISS (our SYN has been ACKed), change the connection " \
      "state to ESTABLISHED\"") \
    X(SYN_SENT, CLOSED, 1, "CLOSE / delete TCB", \
      "3.10.4 SYN-SENT: \"Delete the TCB\"; 3.10.7.3: on RST \"enter CLOSED state, " \
      "delete TCB\"") \
    X(SYN_RECEIVED, ESTABLISHED, 1, "rcv ACK of SYN", \
      "3.10.7.4 SYN-RECEIVED: \"If SND.UNA < SEG.ACK =< SND.NXT, then enter " \
      "ESTABLISHED state\"") \
    X(SYN_RECEIVED, FIN_WAIT_1, 1, "CLOSE / snd FIN", \
      "3.10.4 SYN-RECEIVED: \"form a FIN segment and send it, and enter FIN-WAIT-1 " \
      "state\"") \
    X(SYN_RECEIVED, LISTEN, 0, "rcv RST (after a passive OPEN)", \
      "3.10.7.4 SYN-RECEIVED: \"If this connection was initiated with a passive OPEN " \
      "..., then return this connection to LISTEN state\"") \
    X(SYN_RECEIVED, CLOSED, 0, "rcv RST (after an active OPEN), ABORT, or timeout", \
      "3.10.7.4 SYN-RECEIVED: \"the connection was refused ... enter the CLOSED " \
      "state\"; 3.10.5, 3.10.8") \
    X(SYN_RECEIVED, CLOSE_WAIT, 0, "rcv FIN / snd ACK", \
      "3.10.7.4 eighth: \"SYN-RECEIVED STATE, ESTABLISHED STATE: Enter the " \
      "CLOSE-WAIT state\"") \
    X(ESTABLISHED, FIN_WAIT_1, 1, "CLOSE / snd FIN", \
      "3.10.4 ESTABLISHED: \"form a FIN segment and send it. In any case, enter " \
      "FIN-WAIT-1 state\"") \
    X(ESTABLISHED, CLOSE_WAIT, 1, "rcv FIN / snd ACK", \
      "3.10.7.4 eighth: \"Enter the CLOSE-WAIT state\"") \
    X(ESTABLISHED, CLOSED, 0, "rcv RST, ABORT, or timeout", \
      "3.10.7.4: \"Enter the CLOSED state, delete the TCB\"; 3.10.5, 3.10.8") \
    X(FIN_WAIT_1, FIN_WAIT_2, 1, "rcv ACK of FIN", \
      "3.10.7.4 FIN-WAIT-1: \"if the FIN segment is now acknowledged, then enter " \
      "FIN-WAIT-2\"") \
    X(FIN_WAIT_1, CLOSING, 1, "rcv FIN / snd ACK", \
      "3.10.7.4 eighth, FIN-WAIT-1: \"otherwise, enter the CLOSING state\"") \
    X(FIN_WAIT_1, TIME_WAIT, 0, "rcv FIN,ACK of our FIN / snd ACK", \
      "3.10.7.4 eighth, FIN-WAIT-1: \"If our FIN has been ACKed (perhaps in this " \
      "segment), then enter TIME-WAIT\"") \
    X(FIN_WAIT_1, CLOSED, 0, "rcv RST, ABORT, or timeout", \
      "3.10.7.4: \"Enter the CLOSED state, delete the TCB\"; 3.10.5, 3.10.8") \
    X(FIN_WAIT_2, TIME_WAIT, 1, "rcv FIN / snd ACK", \
      "3.10.7.4 eighth, FIN-WAIT-2: \"Enter the TIME-WAIT state\"") \
    X(FIN_WAIT_2, CLOSED, 0, "rcv RST, ABORT, or timeout", \
      "3.10.7.4: \"Enter the CLOSED state, delete the TCB\"; 3.10.5, 3.10.8") \
    X(CLOSE_WAIT, LAST_ACK, 1, "CLOSE / snd FIN", \
      "3.10.4 CLOSE-WAIT: \"then send a FIN segment, enter LAST-ACK state\"") \
    X(CLOSE_WAIT, CLOSED, 0, "rcv RST, ABORT, or timeout", \
      "3.10.7.4: \"Enter the CLOSED state, delete the TCB\"; 3.10.5, 3.10.8") \
    X(CLOSING, TIME_WAIT, 1, "rcv ACK of FIN", \
      "3.10.7.4 CLOSING: \"if the ACK acknowledges our FIN, then enter the TIME-WAIT " \
      "state\"") \
    X(CLOSING, CLOSED, 0, "rcv RST, ABORT, or timeout", \
      "3.10.7.4: \"If the RST bit is set, then enter the CLOSED state\"; 3.10.5") \
    X(LAST_ACK, CLOSED, 1, "rcv ACK of FIN", \
      "3.10.7.4 LAST-ACK: \"If our FIN is now acknowledged, delete the TCB, enter the " \
      "CLOSED state\"") \
    X(TIME_WAIT, CLOSED, 1, "Timeout=2MSL / delete TCB", \
      "3.10.8: \"If the time-wait timeout expires on a connection, delete the TCB, " \
      "enter the CLOSED state\"")

static const struct tcp_arrow arrows[] = {
#define X(from, to, fig, event, rfc) { TCPS_##from, TCPS_##to, fig, event, rfc },
    TCP_ARROWS(X)
#undef X
};

const struct tcp_arrow *tcp_arrows(size_t *n)
{
    *n = sizeof arrows / sizeof arrows[0];
    return arrows;
}

int tcp_rfc_arrow(int from, int to)
{
    for (size_t i = 0; i < sizeof arrows / sizeof arrows[0]; i++)
        if (arrows[i].from == from && arrows[i].to == to)
            return 1;
    return 0;
}

int tcp_rfc_next(int from, int *to, int max)
{
    int n = 0;
    for (size_t i = 0; i < sizeof arrows / sizeof arrows[0] && n < max; i++)
        if (arrows[i].from == from)
            to[n++] = arrows[i].to;
    return n;
}
