#!/usr/bin/env python3
"""The ownership and thread rules of every public function, as a table.

Reads the `@par Ownership:` and `@par Threads:` paragraphs of the comment
block of each function that the public headers declare (outside
`#ifdef CHORUSACCT_EXPERIMENTAL`) and writes them as Markdown tables, one
per header, between the markers of docs/abi.md:

    <!-- api-table begin -->
    ...
    <!-- api-table end -->

    gen-api-table.py --headers include --doc docs/abi.md           # check
    gen-api-table.py --headers include --doc docs/abi.md --update  # write

The check fails when a function has no such paragraph, or when the table
in the document is not the one the headers give (run with --update and
commit the result).
"""
import argparse
import os
import re
import sys

from scriptutil import load_script

BEGIN = '<!-- api-table begin -->'
END = '<!-- api-table end -->'


def comment_lines(block):
    """The text lines of a /** ... */ block, without the leading stars."""
    out = []
    for line in block.splitlines():
        line = re.sub(r'^\s*/\*\*', '', line)
        line = re.sub(r'\*/\s*$', '', line)
        line = re.sub(r'^\s*\*(?!/) ?', '', line)
        out.append(line.rstrip())
    return out


def paragraph(lines, title):
    """Text of `@par TITLE:`: the rest of its line and the lines after it,
    up to an empty line or the next command."""
    for i, line in enumerate(lines):
        m = re.match(r'\s*[@\\]par\s+' + title + r':\s*(.*)$', line)
        if not m:
            continue
        words = [m.group(1)] if m.group(1) else []
        for nxt in lines[i + 1:]:
            s = nxt.strip()
            if not s or re.match(r'[@\\]\w', s):
                break
            words.append(s)
        return ' '.join(words).strip()
    return ''


def cell(text):
    # Doxygen's `::name` links read as plain names in Markdown.
    text = re.sub(r'::(?=[A-Za-z_])', '', text)
    return text.replace('|', '\\|')


def functions(include_dir):
    """[(header, name, ownership, threads)] in declaration order."""
    drop_experimental = load_script('check-symbols.py').drop_experimental
    rows = []
    sub = os.path.join(include_dir, 'chorusacct')
    for f in sorted(os.listdir(sub)):
        if not f.endswith('.h'):
            continue
        text = drop_experimental(open(os.path.join(sub, f)).read())
        for m in re.finditer(
                r'/\*\*((?:(?!\*/).)*)\*/\s*CHORUSACCT_API\b[^;{}]*?'
                r'\b(chorusacct_\w+)\s*\(', text, re.S):
            lines = comment_lines(m.group(1))
            rows.append(('chorusacct/' + f, m.group(2),
                         paragraph(lines, 'Ownership'),
                         paragraph(lines, 'Threads')))
    return rows


def table(rows):
    out, header = [], None
    for h, name, own, threads in rows:
        if h != header:
            if header is not None:
                out.append('')
            header = h
            out += ['### %s' % h, '',
                    '| function | ownership | threads |',
                    '|---|---|---|']
        out.append('| `%s` | %s | %s |' % (name, cell(own), cell(threads)))
    return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--headers', required=True, help='the include/ folder')
    ap.add_argument('--doc', required=True, help='docs/abi.md')
    ap.add_argument('--update', action='store_true')
    args = ap.parse_args()

    rows = functions(args.headers)
    declared = load_script('check-symbols.py').header_functions(args.headers)
    problems = []
    seen = {name for _, name, _, _ in rows}
    for name in sorted(set(declared) - seen):
        problems.append('%s: %s: no /** */ comment block right before it'
                        % (declared[name], name))
    for h, name, own, threads in rows:
        for what, text in (('Ownership', own), ('Threads', threads)):
            if not text:
                problems.append('%s: %s: no "@par %s:" paragraph'
                                % (h, name, what))

    doc = open(args.doc).read()
    if doc.count(BEGIN) != 1 or doc.count(END) != 1:
        problems.append('%s: needs one "%s" and one "%s" line'
                        % (args.doc, BEGIN, END))
        for p in problems:
            print(p)
        return 1
    head, rest = doc.split(BEGIN)
    _, tail = rest.split(END)
    want = head + BEGIN + '\n' + table(rows) + END + tail

    if args.update:
        if want != doc:
            with open(args.doc, 'w') as f:
                f.write(want)
            print('%s: table rewritten (%d functions)' % (args.doc, len(rows)))
    elif want != doc:
        problems.append('%s: the table is not the headers\' (run '
                        'tests/gen-api-table.py --headers include --doc '
                        'docs/abi.md --update)' % args.doc)
    for p in problems:
        print(p)
    if problems:
        print('FAIL: %d problems' % len(problems))
        return 1
    print('OK: %d functions in the table of %s' % (len(rows), args.doc))
    return 0


if __name__ == '__main__':
    sys.exit(main())
