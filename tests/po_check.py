#!/usr/bin/env python3
"""po_check.py PO... — every translation keeps its English's narration
placeholders ({0}, {1:ip}, {2:dur} ...: the same ones, as often, in any
order; English's plural ending {0:s} may be left out); msgfmt --check
already checks printf conversions.  Exits 1 and
names the entries that do not."""
import collections, re, sys

PH = re.compile(r'\{[0-3](?::[a-z]+)?\}')

def strings(lines):
    """The concatenated C-escaped strings of a msgid/msgstr's lines."""
    out = []
    for l in lines:
        m = re.match(r'^(?:msgid|msgstr)?\s*"(.*)"\s*$', l)
        if m:
            out.append(m.group(1))
    return ''.join(out)

def entries(path):
    """(line, msgid, msgstr) of each entry, escapes left as written (the
    placeholders have none)."""
    text = open(path, encoding='utf-8').read().split('\n')
    ents, cur, key, start = [], {'msgid': [], 'msgstr': []}, None, 0
    for n, l in enumerate(text + [''], 1):
        if l.startswith('msgid '):
            if cur['msgstr']:
                ents.append((start, strings(cur['msgid']), strings(cur['msgstr'])))
            cur, key, start = {'msgid': [l], 'msgstr': []}, 'msgid', n
        elif l.startswith('msgstr'):
            cur['msgstr'], key = [l], 'msgstr'
        elif l.startswith('"') and key:
            cur[key].append(l)
        elif not l.strip():
            key = None
    if cur['msgstr']:
        ents.append((start, strings(cur['msgid']), strings(cur['msgstr'])))
    return ents

bad = 0
for path in sys.argv[1:]:
    for line, mid, mstr in entries(path):
        if not mid or not mstr:
            continue
        # {n:s} is English's plural ending: a translation may leave it out
        a = collections.Counter(x for x in PH.findall(mid) if not x.endswith(':s}'))
        b = collections.Counter(x for x in PH.findall(mstr) if not x.endswith(':s}'))
        if a != b:
            bad += 1
            print('%s:%d: placeholders differ: English %s, translation %s'
                  % (path, line, sorted(a.elements()), sorted(b.elements())))
sys.exit(1 if bad else 0)
