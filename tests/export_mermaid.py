#!/usr/bin/env python3
"""export_mermaid.py — checks a Mermaid export against the run's JSON Lines:
a `participant` line for every host of the lesson, in the lesson's order;
a message line for every frame sent, in order, from its sender to its
receiver (a broadcast: one per host it reached), labelled with that frame
(the label's words are the summary's), lost (-x) exactly when the frame
never arrived; a `Note over` line for every note of the lesson.

    python3 tests/export_mermaid.py RUN.json EXPORT.mmd LESSON.scn

Prints what differs and exits 1, or exits 0."""
import json
import re
import sys


def unescape(s):
    return re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), s)


def label_fits(label, summary, lost=False):
    if lost:
        label = re.sub(r" \(.*\)$", "", label)     # the reason it was lost
    words = label.replace(" (copy)", "").replace(" (broadcast)", "").split()
    sw = set(summary.split())
    return bool(words) and words[0] == summary.split()[0] and all(w in sw for w in words)


def main():
    # the run's records (a "chapter" line at the end is not one: no "id")
    recs = [r for r in (json.loads(l) for l in open(sys.argv[1], encoding="utf-8"))
            if "id" in r]
    mmd = open(sys.argv[2], encoding="utf-8").read().splitlines()
    hosts = [l.split()[1] for l in open(sys.argv[3], encoding="utf-8")
             if re.match(r"\s*(host|router)\s", l)]
    errs = []
    if "sequenceDiagram" not in [l.strip() for l in mmd[:3]]:
        errs.append("no sequenceDiagram line at the top")
    parts = []
    for l in mmd:
        m = re.match(r"    participant P(\d+) as (.*) \(([\d.]+)\)$", l)
        if m:
            parts.append(unescape(m.group(2)))
            if int(m.group(1)) != len(parts) - 1:
                errs.append("participant ids out of order: " + l)
    if parts != hosts:
        errs.append("participants %r, lesson's hosts %r" % (parts, hosts))
    pid = {h: i for i, h in enumerate(hosts)}

    # what the run sent, as the lines it should give
    by_id = {r["id"]: r for r in recs}
    ends = {}
    for r in recs:
        if r["kind"] in ("recv", "drop") and "of" in r:
            ends.setdefault(r["of"], []).append(r)
    want = []
    for r in recs:
        if r["kind"] != "send":
            continue
        got = ends.get(r["id"], [])
        if r["dst"] == "*":
            rcv = [e for e in got if e["kind"] == "recv"]
            for e in rcv:
                want.append((pid[r["src"]], pid[e["host"]], False, r["summary"]))
            if not rcv:
                want.append((pid[r["src"]], pid[r["src"]], True, r["summary"]))
        else:
            lost = bool(got) and all(e["kind"] == "drop" for e in got)
            want.append((pid[r["src"]], pid.get(r["dst"], pid[r["src"]]), lost, r["summary"]))
    have = []
    for l in mmd:
        m = re.match(r"    P(\d+)(->>|-x)P(\d+): (.*)$", l)
        if m:
            have.append((int(m.group(1)), int(m.group(3)), m.group(2) == "-x",
                         unescape(m.group(4))))
    if len(have) != len(want):
        errs.append("%d message lines, the run sent %d" % (len(have), len(want)))
    for k, (h, w) in enumerate(zip(have, want)):
        if h[:3] != w[:3] or not label_fits(h[3], w[3], h[2]):
            errs.append("message %d: %r, the run's send: %r" % (k + 1, h, w))
            break
    notes = [r for r in recs if r["kind"] == "note"]
    span = "P0,P%d" % (len(hosts) - 1) if len(hosts) > 1 else "P0"
    nl = [l for l in mmd if l.startswith("    Note over %s: " % span)]
    texts = [unescape(l.split(": ", 1)[1]) for l in nl]
    want_notes = [r.get("text", "") for r in notes]
    if [t for t in texts if t in want_notes] != want_notes:
        errs.append("notes %r, the run's %r" % (texts[:3], want_notes[:3]))
    for e in errs:
        print("FAIL: mermaid %s: %s" % (sys.argv[2], e))
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
