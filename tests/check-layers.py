#!/usr/bin/env python3
"""Checks the layout of lib/ (docs/internals.md): every source
sits in one role folder, includes private headers by plain name only (no
path, so that only the include paths the build gives can be reached), and
only lib/flow/ includes the flow's private header. With --self-test, first
proves that it refuses a tree that breaks each rule."""
import argparse
import os
import re
import sys
import tempfile

ROLES = ('core', 'validate', 'flow', 'store', 'mail', 'testkit')
# Private headers every folder may include (lib/core is on the include
# path of the whole library), and those only their own folder may.
SHARED = {'internal.h', 'storage_list.h'}
OWN = {'flow_int.h': 'flow'}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def problems(lib):
    out = []
    for entry in sorted(os.listdir(lib)):
        path = os.path.join(lib, entry)
        if os.path.isfile(path) and entry.endswith(('.c', '.h')):
            out.append(f'{entry}: a source outside the role folders')
        elif os.path.isdir(path) and entry not in ROLES:
            out.append(f'{entry}/: not a role folder ({", ".join(ROLES)})')
    for role in ROLES:
        folder = os.path.join(lib, role)
        if not os.path.isdir(folder):
            out.append(f'{role}/: missing')
            continue
        own = set(os.listdir(folder))
        for name in sorted(own):
            if not name.endswith(('.c', '.h')):
                continue
            with open(os.path.join(folder, name), encoding='utf-8') as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                where = f'{role}/{name}: #include "{inc}"'
                if '/' in inc:
                    out.append(f'{where}: a path (use the include path)')
                elif inc in OWN and OWN[inc] != role:
                    out.append(f'{where}: private to {OWN[inc]}/')
                elif inc not in own and inc not in SHARED and \
                        not inc.endswith('.inc'):
                    out.append(f'{where}: not in {role}/ nor shared')
    return out


def self_test():
    bad = {
        'stray.c': '',
        'core/internal.h': '',
        'validate/x.c': '#include "internal.h"\n',
        'flow/flow_int.h': '',
        'flow/a.c': '#include "flow_int.h"\n',
        'store/s.c': '#include "flow_int.h"\n',
        'mail/m.c': '#include "../flow/flow_int.h"\n',
        'testkit/t.c': '#include "unicode.h"\n',
    }
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in bad.items():
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)) or tmp,
                        exist_ok=True)
            with open(os.path.join(tmp, rel), 'w', encoding='utf-8') as f:
                f.write(text)
        found = problems(tmp)
    expect = ['stray.c', 'store/s.c', 'mail/m.c', 'testkit/t.c']
    missed = [e for e in expect if not any(p.startswith(e) for p in found)]
    extra = [p for p in found
             if not any(p.startswith(e) for e in expect)]
    if missed or extra:
        print('self-test failed: missed', missed, 'extra', extra)
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lib', required=True)
    ap.add_argument('--self-test', action='store_true')
    a = ap.parse_args()
    if a.self_test and not self_test():
        return 1
    found = problems(a.lib)
    for p in found:
        print(p)
    print(f'layers: {len(found)} problem(s)')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
