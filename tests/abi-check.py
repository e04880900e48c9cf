#!/usr/bin/env python3
"""The ABI of the built libchorusacct.so equals the baseline in the tree.

Writes the ABI of the freshly built shared library with libabigail's
abidw (functions and types of the public headers only) and compares it
with tests/abi/libchorusacct.abi using abidiff. Any difference fails:

- an incompatible change (abidiff bit 8: a function removed, a type
  changed in a way old programs notice, the soname changed...) is a
  break, allowed only with a new soname;
- a compatible change (bit 4 alone: functions added, an enumerator
  added...) is allowed, but the baseline must then be regenerated in the
  same change, so that it always describes the current release.

docs/abi.md gives the procedure for both. With --update, the baseline is
rewritten from the built library instead (tests/abi-update.sh does that).

Exits 77 (skipped) when abigail-tools are not installed, when the build
is not one the baseline can be compared with (--skip), or when the
library has no debug information.
"""
import argparse
import os
import shutil
import subprocess
import sys

# The same options write the baseline and the fresh description, so that
# abidiff compares like with like: public types only, no paths, no line
# numbers (comments in headers move them), no architecture.
ABIDW_OPTS = ['--drop-private-types', '--drop-undefined-syms',
              '--no-corpus-path', '--no-comp-dir-path', '--no-show-locs',
              '--no-architecture']


def skip(why):
    print('SKIP: ' + why)
    sys.exit(77)


def has_debug_info(lib):
    readelf = shutil.which('readelf')
    if readelf is None:
        return True  # abidw itself will fail loudly
    out = subprocess.run([readelf, '-S', '--wide', lib], check=True,
                         capture_output=True, text=True).stdout
    return '.debug_info' in out


def write_abi(abidw, lib, headers, version_h, out):
    cmd = [abidw, '--headers-dir', headers, '--header-file', version_h,
           *ABIDW_OPTS, '--out-file', out, lib]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit('abidw failed (exit %d): %s'
                 % (proc.returncode, ' '.join(cmd)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lib', required=True, help='the built shared library')
    ap.add_argument('--headers', required=True,
                    help='include/chorusacct of the source tree')
    ap.add_argument('--version-h', required=True,
                    help='the generated chorusacct/version.h')
    ap.add_argument('--baseline', required=True)
    ap.add_argument('--out', required=True,
                    help='where to write the ABI of the built library')
    ap.add_argument('--update', action='store_true',
                    help='rewrite the baseline from the built library')
    ap.add_argument('--skip', default='',
                    help='skip, for this reason (a build unlike the '
                         "baseline's)")
    args = ap.parse_args()

    if args.skip:
        skip(args.skip)
    abidw, abidiff = shutil.which('abidw'), shutil.which('abidiff')
    if abidw is None or abidiff is None:
        skip('abidw and abidiff are not installed (Debian: abigail-tools)')
    lib = os.path.realpath(args.lib)
    if not has_debug_info(lib):
        skip('%s has no debug information (build with -g)' % args.lib)

    write_abi(abidw, lib, args.headers, args.version_h, args.out)
    if args.update:
        os.makedirs(os.path.dirname(os.path.abspath(args.baseline)),
                    exist_ok=True)
        shutil.copyfile(args.out, args.baseline)
        print('baseline written: %s' % args.baseline)
        return 0
    if not os.path.exists(args.baseline):
        print('FAIL: no baseline %s: run tests/abi-update.sh'
              % args.baseline)
        return 1

    proc = subprocess.run([abidiff, args.baseline, args.out],
                          capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    rc = proc.returncode
    if rc == 0:
        print('OK: the ABI equals the baseline %s' % args.baseline)
        return 0
    if rc & 3:
        print('FAIL: abidiff could not compare (exit %d)' % rc)
        return 1
    if rc & 8:
        print('FAIL: incompatible ABI change. Undo it, or make it a new '
              'ABI: bump soversion in meson.build, reset '
              'lib/libchorusacct.map and regenerate the baseline '
              '(docs/abi.md, "Changing the ABI").')
    else:
        print('FAIL: the ABI changed in a way abidiff calls compatible '
              '(functions or enumerators added, a structure grown). New '
              'functions go in a new version node of '
              'lib/libchorusacct.map; only the structures that the '
              'application fills may grow. Then run tests/abi-update.sh '
              'and commit tests/abi/libchorusacct.abi with the change '
              '(docs/abi.md, "Changing the ABI").')
    print('Built library ABI: %s' % args.out)
    return 1


if __name__ == '__main__':
    sys.exit(main())
