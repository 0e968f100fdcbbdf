#!/usr/bin/env python3
"""read_roundtrip.py PROTOSIM LESSON...: each lesson's frames, written with
--pcap and drawn again with --read, give every TCP connection the states
the model went through (by the connection's addresses and ports).

The capture has no timers, so a TIME_WAIT that ran out in the model ends
the comparison; nothing else may differ.  Prints the differences and exits
1 when there are any."""
import json, re, subprocess, sys, tempfile, os

def states(lines, addr_of):
    seqs = {}
    for line in lines:
        r = json.loads(line)
        if r.get('kind') != 'state' or r.get('layer') != 'tcp':
            continue
        conn = re.sub(r'([^:\-]+):', lambda m: addr_of.get(m.group(1), m.group(1)) + ':',
                      r['conn'])
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
                w = [s for s in want.get(c, []) if s != 'TIME_WAIT>CLOSED']
                h = have.get(c, [])
                if w != h:
                    print(f'{f}: {c}\n    model: {w}\n    read:  {h}')
                    bad += 1
    return 1 if bad else 0

sys.exit(main())
