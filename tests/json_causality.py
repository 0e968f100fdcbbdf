#!/usr/bin/env python3
"""json_causality.py NAME < JSON-LINES: every record's "id" is its line
number, and every "of" names an earlier record of the right kind: a recv,
drop or network copy its send (from the same sender), a timer's stop,
expiry or restart its start (same host, timer and connection).  Every
recv, copy, timer stop and expiry has one, and so does every drop but a
frame that never left its host (it waited for ARP in vain)."""
import json
import sys

name = sys.argv[1]
recs = [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines()]
bad = []
nrecs = sum(1 for r in recs if r.get("kind") not in ("limit", "chapter"))
prev_last = -1
for i, r in enumerate(recs):
    if r.get("kind") == "limit":
        continue
    if r.get("kind") == "chapter":
        # after the records; ranges of record ids, in order, disjoint
        if i < nrecs or not (prev_last < r["first"] <= r["last"] < nrecs):
            bad.append("%d: chapter %r-%r after %r of %d records" %
                       (i, r.get("first"), r.get("last"), prev_last, nrecs))
        elif recs[r["first"]]["t_us"] != r["t_us"]:
            bad.append("%d: chapter starts at %r, its first record at %r" %
                       (i, r["t_us"], recs[r["first"]]["t_us"]))
        prev_last = r.get("last", prev_last)
        continue
    if r.get("id") != i:
        bad.append("%d: id %r" % (i, r.get("id")))
    k = r["kind"]
    of = r.get("of")
    timer_end = k == "timer" and r["action"] != "start"
    never_sent = k == "drop" and r.get("reason") in (
        "next hop did not answer ARP", "too many packets waiting for ARP")
    needs = k == "recv" or timer_end or (k == "send" and r.get("dup")) or \
        (k == "drop" and not never_sent)
    if of is None:
        if needs:
            bad.append("%d: %s without \"of\"" % (i, k))
        continue
    if not 0 <= of < i:
        bad.append("%d: of %d is not an earlier record" % (i, of))
        continue
    c = recs[of]
    if k in ("recv", "drop", "send"):
        ok = c["kind"] == "send" and c["src"] == r["src"]
    elif k == "timer":
        ok = c["kind"] == "timer" and c["action"] == "start" and \
            all(c.get(f) == r.get(f) for f in ("host", "name", "conn"))
    else:
        ok = False
    if not ok:
        bad.append("%d (%s) names %d (%s)" % (i, k, of, c["kind"]))
for b in bad[:5]:
    print("%s: %s" % (name, b))
sys.exit(1 if bad else 0)
