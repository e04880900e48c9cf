#!/usr/bin/env python3
"""Every public declaration is documented, to the standard of STYLE.md.

Runs Doxygen over the public headers with the project's Doxyfile (warnings
for anything undocumented, any parameter or return value left out) and
fails on any warning. Then reads Doxygen's XML and checks what Doxygen
does not: every function has `@param[in]`/`[out]` directions, an
`@par Ownership:` and an `@par Threads:` paragraph and `@since`; every
type has `@since`; and every function that the headers declare is in the
reference (a declaration that Doxygen could not read would be missing).

Exits 77 (skipped) when Doxygen is not installed.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

from scriptutil import load_script


def run_doxygen(doxygen, doxyfile, inputs, workdir):
    if os.path.isdir(workdir):
        shutil.rmtree(workdir)
    os.makedirs(workdir)
    log = os.path.join(workdir, 'warnings.txt')
    conf = os.path.join(workdir, 'Doxyfile')
    with open(conf, 'w') as f:
        f.write('@INCLUDE = %s\n' % doxyfile)
        f.write('INPUT = %s\n' % ' '.join(inputs))
        f.write('USE_MDFILE_AS_MAINPAGE =\n')
        f.write('OUTPUT_DIRECTORY = %s\n' % workdir)
        # Doxygen 1.9.4 checks parameters and return values while it
        # writes HTML: with XML alone it reports documented ones as
        # missing. So HTML too, without the extras.
        f.write('GENERATE_HTML = YES\n')
        f.write('GENERATE_TREEVIEW = NO\n')
        f.write('SEARCHENGINE = NO\n')
        f.write('GENERATE_XML = YES\n')
        f.write('XML_PROGRAMLISTING = NO\n')
        f.write('HAVE_DOT = NO\n')
        f.write('QUIET = YES\n')
        f.write('WARN_LOGFILE = %s\n' % log)
    proc = subprocess.run([doxygen, conf], cwd=workdir,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        sys.exit('doxygen failed (exit %d)' % proc.returncode)
    # HTML and XML each report the same warnings: keep one of each (a
    # warning's continuation lines start with spaces).
    warnings = []
    with open(log) as f:
        for line in f.read().splitlines():
            if line.startswith(' ') and warnings:
                warnings[-1] += '\n' + line
            elif line.strip():
                warnings.append(line)
    return list(dict.fromkeys(warnings))


def text_of(node):
    return ''.join(node.itertext()) if node is not None else ''


def par_sections(member):
    """Title (without the colon) -> text of each `@par` paragraph."""
    pars = {}
    for sect in member.iter('simplesect'):
        if sect.get('kind') == 'par':
            title = text_of(sect.find('title')).strip()
            body = ' '.join(text_of(p) for p in sect.findall('para'))
            pars[title.rstrip(':')] = body.strip()
    return pars


def has_since(member):
    return any(s.get('kind') == 'since' for s in member.iter('simplesect'))


def check_xml(xmldir):
    """Returns (problems, names of the documented functions)."""
    problems, functions = [], set()
    for name in sorted(os.listdir(xmldir)):
        if not name.endswith('.xml') or name in ('index.xml',):
            continue
        root = ET.parse(os.path.join(xmldir, name)).getroot()
        for comp in root.iter('compounddef'):
            kind = comp.get('kind')
            cname = text_of(comp.find('compoundname'))
            if kind == 'struct' and not has_since(comp):
                problems.append('struct %s: no @since' % cname)
            if kind != 'file':
                continue
            for m in comp.iter('memberdef'):
                mkind = m.get('kind')
                mname = text_of(m.find('name'))
                loc = m.find('location')
                where = '%s:%s' % (loc.get('file'), loc.get('line')) \
                    if loc is not None else cname
                if mkind in ('enum', 'typedef') and not has_since(m):
                    # A typedef of a documented struct or enum of the
                    # same name carries the type's own @since.
                    if not (mkind == 'typedef' and re.match(
                            r'(struct|enum) ' + re.escape(mname) + r'$',
                            text_of(m.find('type')).strip())):
                        problems.append('%s: %s %s: no @since'
                                        % (where, mkind, mname))
                if mkind != 'function':
                    continue
                functions.add(mname)
                pars = par_sections(m)
                for want in ('Ownership', 'Threads'):
                    if pars.get(want):
                        continue
                    # `@par Threads: pure.` makes "Threads: pure." the
                    # title: the text goes on the next line.
                    if any(k.startswith(want) for k in pars):
                        problems.append('%s: %s: "@par %s:" with its text '
                                        'on the same line (Doxygen makes '
                                        'it the title)'
                                        % (where, mname, want))
                    else:
                        problems.append('%s: %s: no "@par %s:"'
                                        % (where, mname, want))
                if not has_since(m):
                    problems.append('%s: %s: no @since' % (where, mname))
                for item in m.iter('parameteritem'):
                    for pn in item.iter('parametername'):
                        if pn.get('direction') not in ('in', 'out', 'inout'):
                            problems.append(
                                '%s: %s: @param %s without [in] or [out]'
                                % (where, mname, text_of(pn)))
    return problems, functions


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--doxygen', default='')
    ap.add_argument('--doxyfile', required=True)
    ap.add_argument('--headers', required=True,
                    help='the include/ folder of the source tree')
    ap.add_argument('--version-h', required=True,
                    help='the generated chorusacct/version.h')
    ap.add_argument('--workdir', required=True)
    args = ap.parse_args()

    if not args.doxygen or not shutil.which(args.doxygen):
        print('SKIP: doxygen is not installed')
        return 77

    headers = os.path.abspath(args.headers)
    # The pages too (README.md and docs/*.md, as the reference has them):
    # a broken link or tag in a page is a warning like any other.
    top = os.path.dirname(headers)
    docs = os.path.join(top, 'docs')
    inputs = [os.path.join(headers, 'chorusacct.h'),
              os.path.join(headers, 'chorusacct'),
              os.path.abspath(args.version_h),
              os.path.join(top, 'README.md')] + sorted(
                  os.path.join(docs, f) for f in os.listdir(docs)
                  if f.endswith('.md'))
    warnings = run_doxygen(args.doxygen, os.path.abspath(args.doxyfile),
                           inputs, os.path.abspath(args.workdir))
    problems, documented = check_xml(os.path.join(args.workdir, 'xml'))

    declared = load_script('check-symbols.py').header_functions(args.headers)
    for name in sorted(set(declared) - documented):
        problems.append('%s: %s: not in the reference (Doxygen could not '
                        'read its declaration or its comment)'
                        % (declared[name], name))

    for w in warnings:
        print('doxygen: ' + w)
    for p in problems:
        print(p)
    if warnings or problems:
        print('FAIL: %d Doxygen warnings, %d other problems; every public '
              'declaration needs a complete comment (STYLE.md, Comments)'
              % (len(warnings), len(problems)))
        return 1
    print('OK: %d public functions documented' % len(documented))
    return 0


if __name__ == '__main__':
    sys.exit(main())
