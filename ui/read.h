/* read.h — --read FILE: a real capture drawn as a run's trace, with the TCP
 * states inferred by protosim's own RFC 9293 machine (sim/proto/tcp.c).
 *
 * Every frame of the capture is a send record at its source and a receive
 * record at its destination, at the time the capture saw it.  Lifelines
 * are IPv4 addresses; where a connection has the same address at both
 * ends (a loopback capture), its ends are the address and port
 * ("127.0.0.1:8080").
 *
 * Arrivals: a capture holds one copy of a frame, taken at one point of its
 * path.  A segment that holds sequence numbers the receiver has not yet
 * acknowledged is drawn arriving when the receiver first acknowledges it
 * (or sends an RST, which may answer it); one that holds none arrives when
 * the capture saw it, unless it is behind one still on its way.  A segment
 * nothing acknowledges is drawn sent and never received.
 *
 * The states: each TCP connection whose SYN is in the capture gets a TCB
 * per end, driven by what the capture shows that end do.  A SYN it sends
 * is its connect(); a SYN,ACK it sends answers a SYN it received while
 * listening (the listener and its child are made then); data it sends is
 * data it wrote; its FIN is its shutdown(); an RST at its SND.NXT that its
 * TCB did not owe in reply is its abort().  What reaches an end is fed to
 * tcp_input() as a segment from the wire, and read at once.  The TCBs' own
 * segments go nowhere: the capture says what was sent.  No timers run, so
 * a retransmission timeout, a zero-window probe or TIME_WAIT's end is never
 * inferred: a connection the capture leaves in TIME_WAIT stays there.  A
 * connection whose SYN is not in the capture is drawn without states. */
#ifndef PROTOSIM_READ_H
#define PROTOSIM_READ_H

#include "capture.h"
#include "scenario.h"
#include "sim.h"

/* Builds the lesson that holds the capture's hosts (path as its title) and
 * the run with every record in s.  A frame it cannot draw (its IPv4 header
 * or ARP message does not decode) is counted in cap->skipped.  Returns the
 * lesson, or NULL with err set when the capture has no frame to draw. */
struct scenario *read_capture(const char *path, struct capture *cap,
                              struct sim *s, char *err, size_t errlen);
/* The same run again into s, for the lesson read_capture made of cap (the
 * timeline's language switch runs its lesson again). */
void read_capture_again(const struct scenario *scn, const struct capture *cap,
                        struct sim *s);

#endif
