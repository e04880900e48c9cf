#!/usr/bin/python3
"""Generates lib/validate/phone_data.h, the tables of lib/validate/phone.c, from the phone
number metadata of libphonenumber as Debian ships it (python3-phonenumbers).

Run with Debian's interpreter, from the top of the source tree:

    /usr/bin/python3 lib/validate/gen-phone-data.py -o lib/validate/phone_data.h
    /usr/bin/python3 lib/validate/gen-phone-data.py --markdown   # ranges for docs

The first is also `ninja -C build regen-phone-data`; the test
generated-phone-data checks that the committed table is what this gives,
and is skipped when the installed python3-phonenumbers is not the version
the table names (docs/testing.md). Without -o, the output goes to
standard output.

What it derives (docs/phone.md explains how the validator uses it):

- For every country calling code in the metadata, the possible lengths of
  its national significant numbers (NSN) and the digits an NSN may start
  with, from the general descriptions of the regions sharing the code.
  Lengths that would make the number longer than the 15 digits of E.164
  are left out.
- For France (+33) and the French overseas plans (+262, +508, +590, +594,
  +596, +681, +687, +689), the exact set of valid NSNs, as sorted ranges.
  "Valid" is libphonenumber's is_valid_number(): the region is chosen
  among those sharing the code as libphonenumber chooses it, then the NSN
  must match the general description and one of the number types, each
  with its possible lengths. The sets are computed by running the
  metadata's regular expressions as automata over the digits, so the
  ranges are exact, not sampled.
- The blocks of the French national plan that belong to the overseas
  departments and communities (ARCEP), which France's own ranges exclude.

The metadata is libphonenumber's (Copyright (C) Google Inc. and the
libphonenumber authors, Apache License 2.0), as packaged by Debian; the
generated file says so.
"""
import argparse
import io
import os
import sys

try:
    import re._parser as sre_parse
    from re._constants import (BRANCH, CATEGORY, CATEGORY_DIGIT, IN,
                               LITERAL, MAX_REPEAT, MAXREPEAT, MIN_REPEAT,
                               NEGATE, RANGE, SUBPATTERN)
except ImportError:  # Python < 3.11
    import sre_parse
    from sre_constants import (BRANCH, CATEGORY, CATEGORY_DIGIT, IN,
                               LITERAL, MAX_REPEAT, MAXREPEAT, MIN_REPEAT,
                               NEGATE, RANGE, SUBPATTERN)

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

E164_MAX = 15
DIGITS = frozenset('0123456789')

# Codes whose valid numbers are described exactly, range by range.
FRENCH_PLANS = [33, 262, 508, 590, 594, 596, 681, 687, 689]

# Blocks of the French national numbering plan (first three digits of the
# NSN) that belong to the overseas departments and communities in ARCEP's
# national numbering plan (decision 2018-0881 as amended; Mayotte's 0269
# and 0639 since decision 2006-0720), with the country calling code under
# which the world reaches them (decision 2006-0509). Dialled from France, 0262 12 34 56
# reaches Réunion; from abroad it is +262 262 12 34 56, never +33.
OVERSEAS_BLOCKS = [
    ('262', 262), ('263', 262), ('269', 262), ('639', 262),
    ('692', 262), ('693', 262),
    ('590', 590), ('690', 590), ('691', 590),
    ('594', 594), ('694', 594),
    ('596', 596), ('696', 596), ('697', 596),
]

TYPE_FIELDS = ['premium_rate', 'toll_free', 'shared_cost', 'voip',
               'personal_number', 'pager', 'uan', 'voicemail',
               'fixed_line', 'mobile']

# --------------------------------------------------------------------------
# Regular expressions as automata over the ten digits.
#
# A pattern becomes a small tree: ('L', digits), ('S', items),
# ('A', alternatives), ('R', node, min, max). A state of the automaton is a
# continuation: the tuple of nodes still to match, with a character class
# at its head, or () once the pattern is complete.


def tree(pattern):
    return convert(sre_parse.parse(pattern))


def convert(sub):
    items = []
    for op, av in sub:
        if op == LITERAL:
            items.append(('L', frozenset(chr(av)) & DIGITS))
        elif op == IN:
            items.append(('L', charset(av)))
        elif op == SUBPATTERN:
            items.append(convert(av[-1]))
        elif op == BRANCH:
            items.append(('A', tuple(convert(b) for b in av[1])))
        elif op in (MAX_REPEAT, MIN_REPEAT):
            mn, mx, body = av
            items.append(('R', convert(body), mn,
                          None if mx == MAXREPEAT else mx))
        else:
            raise ValueError('unsupported pattern element %s' % op)
    return ('S', tuple(items))


def charset(av):
    s = set()
    negate = False
    for op, a in av:
        if op == LITERAL:
            s.add(chr(a))
        elif op == RANGE:
            s.update(chr(c) for c in range(a[0], a[1] + 1))
        elif op == CATEGORY and a == CATEGORY_DIGIT:
            s.update(DIGITS)
        elif op == NEGATE:
            negate = True
        else:
            raise ValueError('unsupported class element %s' % op)
    return frozenset(DIGITS - s if negate else s & DIGITS)


def closure(cont, out):
    if not cont:
        out.add(())
        return
    head, rest = cont[0], cont[1:]
    kind = head[0]
    if kind == 'L':
        out.add(cont)
    elif kind == 'S':
        closure(head[1] + rest, out)
    elif kind == 'A':
        for alt in head[1]:
            closure((alt,) + rest, out)
    else:
        _, node, mn, mx = head
        less = None if mx is None else mx - 1
        if mn > 0:
            closure((node, ('R', node, mn - 1, less)) + rest, out)
        else:
            closure(rest, out)
            if mx is None or mx > 0:
                closure((node, ('R', node, 0, less)) + rest, out)


class Automaton:
    """Subset construction, lazily: states are frozensets of
    continuations, interned to small integers."""

    def __init__(self, node):
        self.ids = {}
        self.sets = []
        self.moves = {}
        self.start = self.intern(self.close({(node,)}))

    @staticmethod
    def close(conts):
        out = set()
        for c in conts:
            closure(c, out)
        return frozenset(out)

    def intern(self, s):
        if s not in self.ids:
            self.ids[s] = len(self.sets)
            self.sets.append(s)
        return self.ids[s]

    def step(self, state, d):
        key = (state, d)
        if key not in self.moves:
            nxt = {c[1:] for c in self.sets[state] if c and d in c[0][1]}
            self.moves[key] = self.intern(self.close(nxt))
        return self.moves[key]

    def accepts(self, state):
        return () in self.sets[state]

    def dead(self, state):
        return not self.sets[state]


ANY_TAIL = ('R', ('L', DIGITS), 0, None)


class Predicate:
    """A boolean function of the NSN digits, of one fixed length, built
    from automata: `formula` maps the tuple of the automata's acceptance
    to the verdict. count(prefix) is the number of valid completions."""

    def __init__(self, automata, formula, length, possible=None):
        self.automata = automata
        self.formula = formula
        self.possible = possible or formula
        self.length = length
        self.memo = {}

    def state(self, prefix):
        st = tuple(a.start for a in self.automata)
        for d in prefix:
            st = tuple(a.step(s, d) for a, s in zip(self.automata, st))
        return st

    def count(self, st, left):
        key = (st, left)
        if key in self.memo:
            return self.memo[key]
        if left == 0:
            acc = tuple(a.accepts(s) for a, s in zip(self.automata, st))
            n = 1 if self.formula(acc) else 0
        elif not self.formula_possible(st):
            n = 0
        else:
            n = sum(self.count(tuple(a.step(s, d) for a, s in
                                     zip(self.automata, st)), left - 1)
                    for d in '0123456789')
        self.memo[key] = n
        return n

    def formula_possible(self, st):
        # Dead automata never accept again. `possible` over-approximates
        # the formula given the automata still alive: when it is false, no
        # completion is valid, and the subtree is skipped.
        live = tuple(not a.dead(s) for a, s in zip(self.automata, st))
        return self.possible(live)

    def ranges(self):
        """The valid NSNs as maximal prefix blocks: a list of (prefix,
        remaining digits) whose completions are all valid."""
        out = []

        def walk(prefix, st):
            left = self.length - len(prefix)
            n = self.count(st, left)
            if n == 0:
                return
            if n == 10 ** left:
                out.append(prefix)
                return
            for d in '0123456789':
                walk(prefix + d,
                     tuple(a.step(s, d) for a, s in zip(self.automata, st)))

        walk('', self.state(''))
        return out


# --------------------------------------------------------------------------
# The metadata.


def regions_of(cc):
    return COUNTRY_CODE_TO_REGION_CODE[cc]


def metadata(cc, region):
    if region == '001':
        return PhoneMetadata.metadata_for_nongeo_region(cc)
    return PhoneMetadata.metadata_for_region(region)


def desc_ok(desc, length):
    """The desc can hold numbers of `length` digits."""
    if desc is None or not desc.national_number_pattern:
        return False
    pl = desc.possible_length
    return not pl or length in pl


def region_terms(md, length):
    """Automata for one region at one length: [general, type...]."""
    if not desc_ok(md.general_desc, length):
        return None
    types = [getattr(md, f) for f in TYPE_FIELDS]
    types = [t for t in types if desc_ok(t, length)]
    if not types:
        return None
    return ([Automaton(tree(md.general_desc.national_number_pattern))] +
            [Automaton(tree(t.national_number_pattern)) for t in types])


def valid_predicate(cc, length):
    """is_valid_number() for the NSNs of `length` digits under `cc`."""
    regions = regions_of(cc)
    automata = []
    parts = []  # (selector index or None, first term index, term count)
    for r in regions:
        md = metadata(cc, r)
        terms = region_terms(md, length)
        sel = None
        if len(regions) > 1 and md.leading_digits:
            sel = len(automata)
            automata.append(Automaton(('S', (tree(md.leading_digits),
                                             ANY_TAIL))))
        first = len(automata)
        if terms:
            automata.extend(terms)
        parts.append((sel, first, len(terms) if terms else 0))
    single = len(regions) == 1

    def formula(acc):
        for sel, first, n in parts:
            ok = (n > 0 and acc[first] and
                  any(acc[first + 1:first + n]))
            if single:
                return ok
            if sel is not None:
                if acc[sel]:
                    return ok
            elif ok:
                return True
        return False

    def possible(live):
        return any((sel is None or live[sel]) and n > 0 and live[first] and
                   any(live[first + 1:first + n])
                   for sel, first, n in parts)

    return Predicate(automata, formula, length, possible)


def possible_lengths(cc):
    lengths = set()
    for r in regions_of(cc):
        lengths.update(metadata(cc, r).general_desc.possible_length)
    lengths.discard(-1)
    return sorted(lengths)


def first_digits(cc, lengths):
    """Digits an NSN of one of `lengths` may start with, by the general
    descriptions (a superset of the valid numbers' first digits)."""
    mask = 0
    for r in regions_of(cc):
        g = metadata(cc, r).general_desc
        for n in lengths:
            if not desc_ok(g, n):
                continue
            p = Predicate([Automaton(tree(g.national_number_pattern))],
                          lambda acc: acc[0], n)
            for d in '0123456789':
                if p.count(p.state(d), n - 1) > 0:
                    mask |= 1 << int(d)
    return mask


def national_prefix_zero(cc):
    md = metadata(cc, regions_of(cc)[0])
    return md.national_prefix == '0'


# --------------------------------------------------------------------------
# The French plans.


def french_plan(cc):
    """{length: [prefix, ...]} of the valid NSNs, overseas blocks removed
    from +33."""
    plan = {}
    for n in possible_lengths(cc):
        if len(str(cc)) + n > E164_MAX:
            continue
        pred = valid_predicate(cc, n)
        prefixes = pred.ranges()
        if cc == 33:
            prefixes = remove_overseas(pred, prefixes)
        if prefixes:
            plan[n] = prefixes
    return plan


def remove_overseas(pred, prefixes):
    blocks = {b for b, _ in OVERSEAS_BLOCKS}
    out = []
    for p in prefixes:
        if len(p) >= 3:
            if p[:3] not in blocks:
                out.append(p)
            continue
        # A shorter prefix covering a block: split it down to 3 digits.
        stack = [p]
        while stack:
            q = stack.pop()
            if len(q) < 3:
                stack.extend(q + d for d in '9876543210')
            elif q not in blocks:
                out.append(q)
    return merge_prefixes(sorted(out))


def merge_prefixes(prefixes):
    """Replaces ten sibling prefixes by their parent, repeatedly."""
    changed = True
    cur = sorted(set(prefixes))
    while changed:
        changed = False
        by_parent = {}
        for p in cur:
            if p:
                by_parent.setdefault(p[:-1], []).append(p)
        out = set(cur)
        for parent, kids in by_parent.items():
            if len(kids) == 10:
                out -= set(kids)
                out.add(parent)
                changed = True
        cur = sorted(out)
    return cur


def intervals(n, prefixes):
    """Prefix blocks as merged [lo, hi] of the key 10^n + NSN."""
    base = 10 ** n
    iv = []
    for p in sorted(prefixes):
        left = n - len(p)
        lo = base + (int(p) if p else 0) * 10 ** left
        hi = lo + 10 ** left - 1
        if iv and iv[-1][1] + 1 == lo:
            iv[-1][1] = hi
        else:
            iv.append([lo, hi])
    return iv


def compress(prefixes):
    """Human-readable prefixes: siblings as a bracketed digit class."""
    groups = {}
    for p in prefixes:
        groups.setdefault(p[:-1], []).append(p[-1])
    out = []
    for parent in sorted(groups):
        ds = sorted(groups[parent])
        runs = []
        for d in ds:
            if runs and int(d) == int(runs[-1][1]) + 1:
                runs[-1][1] = d
            else:
                runs.append([d, d])
        cls = ''.join(a if a == b else
                      (a + b if int(b) == int(a) + 1 else a + '-' + b)
                      for a, b in runs)
        out.append((parent + ds[0], parent +
                    (cls if len(ds) == 1 else '[' + cls + ']')))
    return [text for _, text in sorted(out)]


# --------------------------------------------------------------------------
# Output.


def country_table():
    rows = []
    for cc in sorted(COUNTRY_CODE_TO_REGION_CODE):
        cclen = len(str(cc))
        lengths = [n for n in possible_lengths(cc) if cclen + n <= E164_MAX]
        dropped = [n for n in possible_lengths(cc) if cclen + n > E164_MAX]
        plan = french_plan(cc) if cc in FRENCH_PLANS else None
        if plan is not None:
            lengths = sorted(plan)
            # phone.c computes the key 10^n + NSN in 32 bits.
            assert max(lengths) <= 9
            first = 0
            for n, prefixes in plan.items():
                for p in prefixes:
                    if p:
                        first |= 1 << int(p[0])
                    else:
                        first = 0x3ff
        else:
            first = first_digits(cc, lengths)
        rows.append(dict(cc=cc, cclen=cclen, lengths=lengths,
                         dropped=dropped, first=first, plan=plan,
                         trunk0=national_prefix_zero(cc),
                         regions=regions_of(cc)))
    return rows


def emit_c(rows, out):
    w = out.write
    w('/*\n'
      ' * Generated by lib/validate/gen-phone-data.py: do not edit; run\n'
      ' *     ninja -C build regen-phone-data\n'
      ' * (docs/testing.md).\n'
      ' *\n'
      ' * Derived from the phone number metadata of libphonenumber %s\n'
      ' * (python3-phonenumbers), Copyright (C) Google Inc. and the\n'
      ' * libphonenumber authors, licensed under the Apache License,\n'
      ' * Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0). The\n'
      ' * overseas blocks of the French plan are ARCEP\'s. See docs/phone.md.\n'
      ' *\n'
      ' * Included by lib/validate/phone.c only, which declares the types.\n'
      ' */\n\n' % phonenumbers.__version__)

    plans = [r for r in rows if r['plan'] is not None]
    plan_index = {r['cc']: i + 1 for i, r in enumerate(plans)}

    w('/* Country calling codes, ascending: code, digits in the code, flags,\n'
      ' * plan (1-based index in ca_plans, 0: lengths and first digit only),\n'
      ' * first digits an NSN may start with (bit d), NSN lengths (bit n). */\n')
    w('static const ca_country ca_countries[] = {\n')
    for r in rows:
        flags = []
        if r['trunk0']:
            flags.append('CA_TRUNK0')
        if r['first'] & 1:
            flags.append('CA_LEAD0')
        lenmask = sum(1 << n for n in r['lengths'])
        row = '    {%d, %d, %s, %d, 0x%03x, 0x%05x},' % (
            r['cc'], r['cclen'], '|'.join(flags) or '0',
            plan_index.get(r['cc'], 0), r['first'], lenmask)
        regions = list(r['regions'])
        if r['dropped']:
            regions.append('(not %s: over 15 digits)' % ','.join(
                map(str, r['dropped'])))
        comment = ' '.join(regions)
        while len(row) + len(comment) + 7 > 80:
            regions = regions[:-1]
            comment = ' '.join(regions) + ' ...'
        w('%s /* %s */\n' % (row, comment))
    w('};\n\n')

    # The 3-digit index: every code is a prefix of the numbers it owns.
    index = [0] * 1000
    for i, r in enumerate(rows):
        s = str(r['cc'])
        span = 10 ** (3 - len(s))
        lo = int(s) * span
        for k in range(lo, lo + span):
            assert index[k] == 0, 'country codes are not prefix-free'
            index[k] = i + 1
    assert len(rows) < 256
    w('/* First three digits after the + -> 1 + index in ca_countries, or 0\n'
      ' * for no country. */\n')
    w('static const uint8_t ca_country_index[1000] = {\n')
    for k in range(0, 1000, 12):
        w('    ' + ', '.join('%d' % v for v in index[k:k + 12]) + ',\n')
    w('};\n\n')

    w('/* Valid NSNs of the French plans, as inclusive ranges of the key\n'
      ' * 10^length + NSN, ascending within a plan. */\n')
    w('static const ca_range ca_ranges[] = {\n')
    spans = []
    total = 0
    for r in plans:
        start = total
        w('    /* +%d */\n' % r['cc'])
        for n in sorted(r['plan']):
            for lo, hi in intervals(n, r['plan'][n]):
                w('    {%du, %du},\n' % (lo, hi))
                total += 1
        spans.append((r['cc'], start, total - start))
    w('};\n\n')
    w('/* Per plan: country code, first range, number of ranges. */\n')
    w('static const ca_plan ca_plans[] = {\n')
    for cc, start, count in spans:
        w('    {%d, %d, %d},\n' % (cc, start, count))
    w('};\n\n')

    w('/* Overseas blocks of the French plan: first three NSN digits and the\n'
      ' * country code they are reached under from abroad. */\n')
    w('static const ca_overseas ca_overseas_blocks[] = {\n')
    for block, cc in OVERSEAS_BLOCKS:
        w('    {%s, %d},\n' % (block, cc))
    w('};\n')


def emit_markdown(rows, out):
    w = out.write
    w('<!-- generated by lib/validate/gen-phone-data.py --markdown, metadata %s -->\n'
      % phonenumbers.__version__)
    w('| code | NSN digits | valid NSN prefixes |\n|---|---|---|\n')
    for r in rows:
        if r['plan'] is None:
            continue
        for n in sorted(r['plan']):
            w('| +%d | %d | %s |\n' % (r['cc'], n,
                                      ', '.join(compress(r['plan'][n]))))
    w('\n')
    n_plain = sum(1 for r in rows if r['plan'] is None)
    w('%d other country calling codes, lengths and first digit only.\n'
      % n_plain)
    dropped = ['+%d (%s)' % (r['cc'], ','.join(map(str, r['dropped'])))
               for r in rows if r['dropped']]
    w('Lengths dropped as over 15 digits: %s.\n' % ', '.join(dropped))


def write(text, path):
    """Writes `text` to `path` (aside, then renamed, so that a failure
    leaves the committed file whole), or to standard output for None."""
    if path is None:
        sys.stdout.write(text)
        return
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--markdown', action='store_true',
                    help='the ranges as a table for docs/phone.md')
    ap.add_argument('-o', '--output', help='file to write')
    args = ap.parse_args()
    rows = country_table()
    out = io.StringIO()
    if args.markdown:
        emit_markdown(rows, out)
    else:
        emit_c(rows, out)
    write(out.getvalue(), args.output)


if __name__ == '__main__':
    main()
