#!/usr/bin/env python3
"""read_roundtrip.py PROTOSIM LESSON...: each lesson's frames, written with
--pcap and drawn again with --read, give every TCP connection the states
the model went through (by the connection's addresses and ports).

The capture has no timers, so a TIME_WAIT that its timer ended in the
model is left out (one an RST or a new SYN ended is kept: the capture
shows those); nothing else may differ.  Prints the differences and exits
1 when there are any.

What cannot round-trip, and why (README.md, "Reading a capture").  Run on
every lesson under scenarios/ and tests/, these groups differ; each is
what a capture cannot show, not a defect of --read:

- A timer's work.  No timer runs on a capture, so a connection given up
  after its retransmissions or its zero-window probes (SYN_SENT,
  SYN_RECEIVED or ESTABLISHED -> CLOSED) is not drawn: tests/narration/tcp-give-up, zero-window-give-up,
  tcp-silent-drops, tests/rfc/tcp-rto-backoff, tcp-data-giveup,
  tcp-rfc6298-stale-ack-giveup.
- Calls that send nothing.  A listen() no SYN reaches, and a listener's
  close(), leave no frame: tests/narration/tcp-backlog (port 82),
  tcp-close-early (LISTEN -> CLOSED), tests/rfc/tcp-listen-rst-ack.
- Segments their apparent sender did not send.  A lesson's `inject` lines
  forge segments (old duplicates, forged RSTs and SYNs, LAND attacks): a
  capture reads each as its source's own connect(), data, FIN or abort().
  scenarios/stale-syn and syn-flood are left out of the shell tests for
  this (and two-way-handshake, whose server is not RFC 9293's); so differ tests/narration/tcp-syn-data,
  tcp-calls, tcp-time-wait-syn, tcp-rst-states, tcp-challenge, tcp-land,
  tcp-persist-stop, tcp-text-after-fin and tests/rfc/tcp-est-rst,
  tcp-est-unacceptable, tcp-fig8-old-syn, tcp-listen-syn-wrap,
  tcp-synsent-bad-ack, tcp-synsent-simultaneous, tcp-closed-port,
  tcp-tw-reopen.
- The frames the network lost.  --pcap writes each frame when it reached
  the host it was meant for, and also one the network lost (to a link's
  loss or a fault rule) when it would have arrived (README.md, "The model,
  and where it simplifies"), so in the file a lost segment looks delivered: a
  bare ACK when it was seen, a segment with sequence numbers once anything
  acknowledges or answers it.  The lost ACKs of a SYN,ACK make a close in
  SYN_RECEIVED look like one in ESTABLISHED (tests/narration/tcp-close-
  synrcvd, tcp-synrcvd-close-late-ack); a lost FIN makes a close look
  simultaneous, FIN_WAIT_1 -> CLOSING instead of FIN_WAIT_2
  (tests/rfc/tcp-closing-fin-lost); a lost FIN or RST closes what it did
  not (tests/narration/tcp-lossy, tcp-close-unread-arp).  tests/expect/tcp
  loses a data segment and a SYN to fault rules, and differs too.
- Drops inside a host.  A SYN or ACK a full SYN or accept queue drops, a
  frame dropped waiting for ARP, never show: a capture on the wire shows
  the frame, or nothing (tests/narration/tcp-accept-queue-give-up, the
  RST of tcp-close-unread-arp).  A SYN cookie's ACK makes a connection
  LISTEN -> ESTABLISHED in the model; a capture shows a SYN,ACK, read as
  SYN_RECEIVED (tests/narration/tcp-backlog, tests/rfc/tcp-rfc4987-syn-cookies).

tests/fuzz/regress/ holds fuzzing's regressions, not lessons; they were
not sorted into these groups (recv-framed-before-data-ub has no frame
--read can draw, and --read exits 65).
"""
import json, re, subprocess, sys, tempfile, os

def states(lines, addr_of):
    """Each connection's TCP state changes, by its addresses and ports.  A
    TIME_WAIT ended by its timer is left out (a capture runs no timer); one
    ended by an RST (RFC 9293 3.10.7.4) is kept, as the capture shows it."""
    seqs, expired = {}, set()
    for line in lines:
        r = json.loads(line)
        if r.get('kind') == 'timer' and r.get('name') == 'TIME_WAIT' and \
                r.get('action') == 'expire':
            expired.add((r['host'], r.get('conn')))
        if r.get('kind') != 'state' or r.get('layer') != 'tcp':
            continue
        if r['from'] == 'TIME_WAIT' and r['to'] == 'CLOSED' and \
                (r['host'], r['conn']) in expired:
            continue
        conn = re.sub(r'([^:\-]+):', lambda m: addr_of.get(m.group(1), m.group(1)) + ':',
                      r['conn'])
        # a capture's host that talks to itself is named by address and
        # port (README.md, "Reading a capture"): its listener is
        # "203.0.113.80:80:80", the model's "203.0.113.80:80"
        conn = re.sub(r'(\d+\.\d+\.\d+\.\d+):(\d+):\2\b', r'\1:\2', conn)
        seqs.setdefault(conn, []).append(r['from'] + '>' + r['to'])
    return seqs

def main():
    prog, lessons = sys.argv[1], sys.argv[2:]
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, 'x.pcap')
        for f in lessons:
            text = subprocess.run([prog, '--batch', f], capture_output=True,
                                  text=True).stdout
            m = re.search(r'^hosts:\s+(.*)$', text, re.M)
            toks = m.group(1).split() if m else []
            addr_of = {toks[i]: toks[i + 1] for i in range(0, len(toks) - 1, 2)}
            sim = subprocess.run([prog, '--json', '--pcap', pcap, f],
                                 capture_output=True, text=True, check=True)
            got = subprocess.run([prog, '--json', '--read', pcap],
                                 capture_output=True, text=True)
            if got.returncode != 0:
                print(f'{f}: --read exited {got.returncode}: {got.stderr.strip()}')
                bad += 1
                continue
            want = states(sim.stdout.splitlines(), addr_of)
            have = states(got.stdout.splitlines(), {})
            for c in sorted(set(want) | set(have)):
                w = want.get(c, [])
                h = have.get(c, [])
                if w != h:
                    print(f'{f}: {c}\n    model: {w}\n    read:  {h}')
                    bad += 1
    return 1 if bad else 0

sys.exit(main())
