#!/usr/bin/env python3
"""The public headers, the linker version script and the built library
must name the same functions.

Fails when the library exports a symbol that the script does not name,
when a header declares a function the library does not export, or when
the script names something the headers do not declare. Declarations
inside `#ifdef CHORUSACCT_EXPERIMENTAL` blocks are unstable and must stay
out of the script (and so out of the exports).
"""
import argparse
import os
import re
import subprocess
import sys


def strip_comments(text):
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', text)


def drop_experimental(text):
    out, depth, skipping = [], 0, None
    for line in text.splitlines():
        s = line.strip()
        if re.match(r'#\s*if', s):
            depth += 1
            if skipping is None and re.match(
                    r'#\s*ifdef\s+CHORUSACCT_EXPERIMENTAL\b', s):
                skipping = depth
                continue
        elif re.match(r'#\s*endif', s):
            if skipping == depth:
                skipping = None
                depth -= 1
                continue
            depth -= 1
        if skipping is None:
            out.append(line)
    return '\n'.join(out)


def header_functions(include_dir, only=None, skip=()):
    names = {}
    for root, _, files in os.walk(include_dir):
        for f in sorted(files):
            if not f.endswith('.h') or f in skip or (only and f != only):
                continue
            path = os.path.join(root, f)
            text = drop_experimental(strip_comments(open(path).read()))
            for m in re.finditer(
                    r'CHORUSACCT_API\b[^;{}]*?\b(chorusacct_\w+)\s*\(', text):
                names[m.group(1)] = os.path.relpath(path, include_dir)
    return names


def map_symbols(path):
    text = strip_comments(open(path).read())
    names = set()
    for block in re.finditer(r'global\s*:(.*?)(?:local\s*:|\})', text, re.S):
        for tok in re.findall(r'([A-Za-z_]\w*)\s*;', block.group(1)):
            names.add(tok)
    return names


def exported(lib):
    out = subprocess.run(['nm', '-D', '--defined-only', lib], check=True,
                         capture_output=True, text=True).stdout
    names = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        sym = parts[2]
        name, _, version = sym.partition('@')
        if parts[1] in 'A':
            continue  # version nodes themselves
        names[name] = version.lstrip('@')
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--headers', required=True)
    ap.add_argument('--map', required=True)
    ap.add_argument('--lib', required=True)
    ap.add_argument('--doc', help='docs/symbols.md, which lists them all')
    ap.add_argument('--only-header', help='the library of this header only')
    ap.add_argument('--skip-header', action='append', default=[],
                    help='a header of another library')
    a = ap.parse_args()

    hdr = header_functions(a.headers, a.only_header, a.skip_header)
    mp = map_symbols(a.map)
    exp = exported(a.lib)
    errors = []
    for name in sorted(set(exp) - mp):
        errors.append('exported but not in the version script: ' + name)
    for name in sorted(set(hdr) - set(exp)):
        errors.append('declared in %s but not exported: %s' % (hdr[name], name))
    # The node CHORUSACCT_PRIVATE holds chorusacct__ functions for the
    # test kit only: in no header, in no document.
    private = {n for n, v in exp.items() if v == 'CHORUSACCT_PRIVATE'}
    for name in sorted(private):
        if not name.startswith('chorusacct__'):
            errors.append('a public name in CHORUSACCT_PRIVATE: ' + name)
    for name in sorted(mp - set(hdr) - private):
        errors.append('in the version script but in no header: ' + name)
    for name, ver in sorted(exp.items()):
        if not ver.startswith('CHORUSACCT_'):
            errors.append('%s has no CHORUSACCT_ version (%r)' % (name, ver))
    if a.doc:
        listed = set(re.findall(r'`(chorusacct_\w+)`', open(a.doc).read()))
        for name in sorted(set(exp) - listed - private):
            errors.append('not listed in %s: %s' % (a.doc, name))
    if not hdr:
        errors.append('no declaration found: is --headers right?')
    for e in errors:
        print('FAIL', e)
    print('%d functions declared, %d in the script, %d exported' %
          (len(hdr), len(mp), len(exp)))
    print('%d passed, %d failed' % (1 if not errors else 0,
                                    1 if errors else 0))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
