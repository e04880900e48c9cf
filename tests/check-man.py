#!/usr/bin/env python3
"""The installed manual pages are well-formed roff (groff -ww gives no
warning) and chorusacct(1) describes every command of the tool, in its
COMMANDS section (made from docs/tool.md, "Commands").

usage: check-man.py TOOL PAGE...
"""
import re
import subprocess
import sys


def main():
    tool, pages = sys.argv[1], sys.argv[2:]
    failed = 0
    for page in pages:
        r = subprocess.run(['groff', '-man', '-ww', '-z', page],
                           capture_output=True, text=True)
        if r.returncode != 0 or r.stderr.strip():
            print('FAIL %s: %s' % (page, r.stderr.strip()))
            failed += 1
    # The commands, as the tool's --help lists them: the first word of
    # each indented line of its sections (not the options').
    help_text = subprocess.run([tool, '--help'], capture_output=True,
                               text=True, check=True).stdout
    commands = set()
    section = ''
    for line in help_text.split('\n'):
        if line and not line.startswith(' '):
            section = line
            continue
        # The command sections come before "Options:"; "Validate KIND:"
        # lists kinds, not commands.
        if section.startswith(('Options', 'Validate')):
            continue
        if not re.match(r'^  [a-z]', line):
            continue
        head = re.split(r'\s{2,}', line.strip())[0]
        for part in head.split(' | '):
            commands.add(part.split()[0])
    man = [p for p in pages if p.endswith('.1')]
    if not man:
        print('FAIL no section-1 page given')
        return 1
    text = open(man[0], encoding='utf-8').read()
    at = text.find('.SH COMMANDS')
    if at < 0:
        print('FAIL %s has no COMMANDS section' % man[0])
        return 1
    body = text[at:].replace('\\-', '-')
    nxt = body.find('\n.SH ', 1)
    body = body[:nxt] if nxt > 0 else body
    for c in sorted(commands):
        if not re.search(r'\\fB%s\b' % re.escape(c), body):
            print('FAIL chorusacct(1): the command %s (in --help) is not '
                  'described under COMMANDS (docs/tool.md)' % c)
            failed += 1
    print('%d pages, %d commands checked' % (len(pages), len(commands)))
    print('%d failed' % failed if failed else 'OK')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
