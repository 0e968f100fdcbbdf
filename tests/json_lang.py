#!/usr/bin/env python3
"""json_lang.py [--notes] EN.json ZH.json — the same run in English and in
Chinese: the first line says "lang" ("en", "zh"); every record is the same
but for its "why" (and a note's "text", a chapter's "title"), and every
"why" the English has is said in Chinese (it holds Chinese characters), so
is every default chapter's title; with --notes, every note and chapter line
too (a shipped lesson gives all its notes and chapters in Chinese).  Exits 1 with the
first differences."""
import json, re, sys

CJK = re.compile('[\u4e00-\u9fff]')
args = sys.argv[1:]
notes = args[0] == '--notes'
if notes:
    args = args[1:]
en = [json.loads(l) for l in open(args[0], encoding='utf-8')]
zh = [json.loads(l) for l in open(args[1], encoding='utf-8')]
bad = []
if len(en) != len(zh):
    bad.append('%d English lines, %d Chinese' % (len(en), len(zh)))
if en and en[0].get('lang') != 'en':
    bad.append('English first line: lang %r' % en[0].get('lang'))
if zh and zh[0].get('lang') != 'zh':
    bad.append('Chinese first line: lang %r' % zh[0].get('lang'))
for i, (a, b) in enumerate(zip(en, zh)):
    wa, wb = a.pop('why', ''), b.pop('why', '')
    a.pop('lang', None), b.pop('lang', None)
    if wa and not CJK.search(wb):
        bad.append('line %d: not in Chinese: %s' % (i + 1, wb))
    if a.get('kind') == 'note' and notes:
        ta, tb = a.pop('text', ''), b.pop('text', '')
        if ta and not CJK.search(tb):
            bad.append('line %d: a note the lesson does not give in Chinese: %s' % (i + 1, tb))
    elif a.get('kind') == 'note':
        a.pop('text', None), b.pop('text', None)
    if a.get('kind') == 'chapter':
        # a chapter's title is said in Chinese, a default one's and a
        # shipped lesson's chapter line's alike
        ta, tb = a.pop('title', ''), b.pop('title', '')
        if ta and not CJK.search(tb) and (notes or a.get('phase') != 'lesson'):
            bad.append('line %d: a chapter title not in Chinese: %s' % (i + 1, tb))
    if a != b:
        bad.append('line %d: identifiers differ: %s / %s' % (i + 1, a, b))
for m in bad[:5]:
    print(m)
sys.exit(1 if bad else 0)
