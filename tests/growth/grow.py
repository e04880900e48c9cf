#!/usr/bin/env python3
"""Writes a "0.2" of the public headers into OUT: today's headers with one
member appended to chorusacct_account and one callback appended to
chorusacct_storage_ops, as a minor release may (docs/abi.md, "Growing a
structure or a table"). tests/growth/meson.build builds the library from
them, and runs against it a program built against today's headers."""
import os
import shutil
import sys

src, version_h, out = sys.argv[1], sys.argv[2], sys.argv[3]
grown = {
    '} chorusacct_account;':
        '    int64_t grown_member; /**< appended by the growth test */\n'
        '} chorusacct_account;',
    '} chorusacct_storage_ops;':
        '    /** Appended by the growth test. */\n'
        '    int (*grown_callback)(void *ud);\n'
        '} chorusacct_storage_ops;',
}
os.makedirs(os.path.join(out, 'chorusacct'), exist_ok=True)
shutil.copy(os.path.join(src, 'chorusacct.h'), out)
shutil.copy(version_h, os.path.join(out, 'chorusacct'))
done = 0
for name in os.listdir(os.path.join(src, 'chorusacct')):
    if not name.endswith('.h'):
        continue
    with open(os.path.join(src, 'chorusacct', name), encoding='utf-8') as f:
        text = f.read()
    for old, new in grown.items():
        if old in text:
            text = text.replace(old, new)
            done += 1
    with open(os.path.join(out, 'chorusacct', name), 'w',
              encoding='utf-8') as f:
        f.write(text)
if done != len(grown):
    sys.exit('grow.py: a structure to grow was not found')
with open(os.path.join(out, 'grown.h'), 'w',
          encoding='utf-8') as f:
    f.write('/* the grown headers are written */\n')
