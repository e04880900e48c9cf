#!/usr/bin/env python3
"""Rewrites the table of docs/symbols.md from the version script and the
headers: one row per exported function, with its header and the release
and symbol version that added it (the version node it sits in). Rows keep
their 'since' column. Run it after adding functions; tests/check-symbols.py
fails when the table misses one.

usage: tests/update-symbols-doc.py   (from the top of the tree)
"""
import glob
import re

MAPS = ['lib/libchorusacct.map', 'lib/testkit/libchorusacct-testkit.map']
DOC = 'docs/symbols.md'

node_of = {}
for path in MAPS:
    text = re.sub(r'/\*.*?\*/', ' ', open(path).read(), flags=re.S)
    for node, body in re.findall(r'(CHORUSACCT_(?:TESTKIT_)?[\d.]+)\s*\{(.*?)\}',
                                 text, re.S):
        glob_part = body.split('local:')[0]
        for name in re.findall(r'(chorusacct_\w+)\s*;', glob_part):
            node_of[name] = node

header_of = {}
for h in sorted(glob.glob('include/chorusacct/*.h')):
    t = re.sub(r'/\*.*?\*/', ' ', open(h).read(), flags=re.S)
    for n in re.findall(r'CHORUSACCT_API\b[^;{}]*?\b(chorusacct_\w+)\s*\(',
                        t):
        header_of[n] = h.split('/')[-1]

doc = open(DOC).read().split('\n')
since = {}
for line in doc:
    m = re.match(r'\| `(chorusacct_\w+)` \| `[^`]*` \| ([\d.]+) \|', line)
    if m:
        since[m.group(1)] = m.group(2)

head = [l for l in doc if not l.startswith('| `')]
sep = head.index('|---|---|---|---|')
rows = []
for name in sorted(node_of):
    version = node_of[name]
    release = since.get(name, version.split('_')[-1] + '.0')
    rows.append('| `%s` | `%s` | %s | `%s` |' %
                (name, header_of.get(name, '?'), release, version))
open(DOC, 'w').write('\n'.join(head[:sep + 1] + rows + head[sep + 1:]))
print('%d functions listed in %s' % (len(rows), DOC))
