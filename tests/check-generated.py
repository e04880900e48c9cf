#!/usr/bin/env python3
"""Checks that a generator reproduces its committed table byte for byte
(STYLE.md, "Generated data"; the tables: docs/testing.md).

usage: check-generated.py --committed FILE --out FILE --version REGEX
           [--data TEXT] [--regen TARGET] [--module NAME] [--skip REASON]
           -- GENERATOR ARGS...

Runs GENERATOR ARGS..., which must write --out (a file of the build
folder), then compares --out with --committed. The first group of the
regular expression --version, looked for in both files, is the version of
the data the generator reads (--data says which, for the messages): the
Unicode version of PCRE2 or Python, the libphonenumber metadata. When the
installed data is of another version than the committed table's, the
table is not expected to be reproduced and the test is skipped (77);
any other difference fails, with the first differing lines. Skipped too
when the Python module --module cannot be imported, or with --skip.
"""
import argparse
import difflib
import importlib
import os
import re
import subprocess
import sys

SKIP = 77


def version_of(regex, text, what):
    m = re.search(regex, text)
    if m is None:
        print('FAIL %s: no version found (/%s/)' % (what, regex))
        sys.exit(1)
    return m.group(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--committed', required=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--version', required=True)
    ap.add_argument('--data', default='the data')
    ap.add_argument('--regen', default='its regen- target')
    ap.add_argument('--module')
    ap.add_argument('--skip')
    ap.add_argument('command', nargs='+')
    args = ap.parse_args()
    name = os.path.basename(args.committed)

    if args.skip:
        print('%s: skipped: %s' % (name, args.skip))
        return SKIP
    if args.module:
        try:
            importlib.import_module(args.module)
        except ImportError as e:
            print('%s: skipped: %s cannot import %s (%s)' %
                  (name, sys.executable, args.module, e))
            return SKIP

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    if os.path.exists(args.out):
        os.remove(args.out)
    run = subprocess.run(args.command)
    if run.returncode != 0 or not os.path.exists(args.out):
        print('FAIL %s: the generator exited with %d%s' %
              (name, run.returncode,
               '' if os.path.exists(args.out) else ', no output'))
        return 1

    with open(args.committed, 'rb') as f:
        committed = f.read()
    with open(args.out, 'rb') as f:
        regenerated = f.read()
    old = committed.decode('utf-8', 'replace')
    new = regenerated.decode('utf-8', 'replace')
    old_version = version_of(args.version, old, args.committed)
    new_version = version_of(args.version, new, args.out)
    if old_version != new_version:
        print('%s: skipped: the committed table is from %s %s, the '
              'installed one is %s; regenerating would rightly change it '
              '(ninja -C <build> %s, then review and commit)' %
              (name, args.data, old_version, new_version, args.regen))
        return SKIP

    if committed == regenerated:
        print('%s: regenerated from %s %s: the same %d bytes' %
              (name, args.data, new_version, len(committed)))
        return 0
    diff = list(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        args.committed, args.out, n=1))
    print('FAIL %s: regenerated (%s %s, as committed), it differs from '
          'the committed file (%d and %d bytes); first differences:' %
          (name, args.data, new_version, len(committed), len(regenerated)))
    sys.stdout.writelines(diff[:40])
    if not diff:
        print('(no line differs: line ends or encoding)')
    print('\nIf the generator changed on purpose: ninja -C <build> %s, '
          'and commit the table with it.' % args.regen)
    return 1


if __name__ == '__main__':
    sys.exit(main())
