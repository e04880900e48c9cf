#!/usr/bin/env python3
"""Compiles every C code block of README.md and docs/*.md, and runs the
complete programs, so that what users copy works as written.

Each block says how it is checked, with an HTML comment (invisible once
rendered) on the line before its fence:

  <!-- c: program -->        a complete program: compiled with -Wall
                             -Wextra -Werror, linked with the library and
                             the test kit, run in an empty folder; it must
                             exit with 0
  <!-- c: program; compile only: WHY -->
                             a complete program that needs something
                             outside (a server): compiled and linked only
  <!-- c: fragment -->       statements, compiled (not run) as the body of
                             a function returning int, after
                             tests/docblock.h, which declares the names the
                             pages take as given (ctx, my_db...)
  <!-- c: file -->           file-scope lines (includes, declarations),
                             compiled after tests/docblock.h

A C block without one of these fails the check.

usage: check-code-blocks.py --top DIR --cc CC [--cflag F]... [--ldflag F]...
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

MARK = re.compile(r'^<!-- c: (program|fragment|file)'
                  r'(?:; compile only: (.+?))? -->$')


def blocks(path):
    """(line, kind, why, text) of each ```c block of a Markdown file."""
    lines = open(path, encoding='utf-8').read().split('\n')
    out = []
    i = 0
    while i < len(lines):
        if lines[i] == '```c':
            start = i + 1
            j = start
            while j < len(lines) and lines[j] != '```':
                j += 1
            m = MARK.match(lines[i - 1]) if i > 0 else None
            out.append((start, m.group(1) if m else None,
                        m.group(2) if m else None,
                        '\n'.join(lines[start:j]) + '\n'))
            i = j
        i += 1
    return out


def run(cmd, cwd=None, env=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True,
                       text=True, timeout=120)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--top', required=True)
    ap.add_argument('--cc', required=True)
    ap.add_argument('--cflag', action='append', default=[])
    ap.add_argument('--ldflag', action='append', default=[])
    ap.add_argument('--libpath', default='',
                    help='LD_LIBRARY_PATH for the programs')
    a = ap.parse_args()
    cc = shlex.split(a.cc)
    warn = ['-std=c11', '-Wall', '-Wextra', '-Werror']
    harness = os.path.join(a.top, 'tests', 'docblock.h')
    pages = [os.path.join(a.top, 'README.md')] + sorted(
        os.path.join(a.top, 'docs', f)
        for f in os.listdir(os.path.join(a.top, 'docs')) if f.endswith('.md'))
    env = dict(os.environ)
    if a.libpath:
        env['LD_LIBRARY_PATH'] = a.libpath + (
            ':' + env['LD_LIBRARY_PATH'] if env.get('LD_LIBRARY_PATH') else '')
    passed = failed = 0
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        for page in pages:
            rel = os.path.relpath(page, a.top)
            for n, (line, kind, why, text) in enumerate(blocks(page)):
                where = '%s:%d' % (rel, line)
                src = os.path.join(tmp, 'block%d_%d.c' % (len(counts), n))
                counts[kind] = counts.get(kind, 0) + 1
                if kind is None:
                    print('FAIL %s: a C block needs <!-- c: program -->, '
                          '<!-- c: fragment --> or <!-- c: file --> on the '
                          'line before it' % where)
                    failed += 1
                    continue
                if kind == 'program':
                    body = '#line %d "%s"\n%s' % (line + 1, rel, text)
                elif kind == 'file':
                    body = '#include "%s"\n#line %d "%s"\n%s' % (
                        harness, line + 1, rel, text)
                else:
                    body = ('#include "%s"\nint docblock_fragment(void);\n'
                            'int docblock_fragment(void)\n{\n'
                            '#line %d "%s"\n%s    return 0;\n}\n' %
                            (harness, line + 1, rel, text))
                with open(src, 'w', encoding='utf-8') as f:
                    f.write(body)
                if kind == 'program':
                    exe = src[:-2]
                    rc, msg = run(cc + warn + a.cflag + [src, '-o', exe] +
                                  a.ldflag)
                    if rc == 0 and why is None:
                        wd = os.path.join(tmp, 'run%d_%d' % (len(counts), n))
                        os.mkdir(wd)
                        rc, out = run([exe], cwd=wd, env=env)
                        if rc != 0:
                            msg = 'exit %d: %s' % (rc, out)
                else:
                    # Fragments may leave a given unused.
                    rc, msg = run(cc + warn + ['-Wno-unused'] + a.cflag +
                                  ['-c', src, '-o', src[:-2] + '.o'])
                if rc != 0:
                    print('FAIL %s (%s):\n%s' % (where, kind, msg))
                    failed += 1
                else:
                    print('ok %s (%s%s)' % (where, kind,
                                            ', compile only: ' + why
                                            if why else ''))
                    passed += 1
    print('%d C blocks: %s' % (passed + failed, ', '.join(
        '%d %s' % (v, k or 'unmarked') for k, v in sorted(
            counts.items(), key=lambda kv: str(kv[0])))))
    if passed + failed == 0:
        print('FAIL no C block found: is --top right?')
        failed = 1
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
