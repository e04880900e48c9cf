#!/usr/bin/env python3
"""Differential test of `chorusacct validate` against python-stdnum.

Generates thousands of valid numbers, near misses (one digit changed, two
swapped), random digit strings, wrong lengths, letters and separators,
with a fixed seed, and checks that the tool and python-stdnum agree on
validity and on the normalized form of every one. Deliberate differences
are listed in docs/identifiers.md and handled in `expected` below.

Usage: diff_stdnum.py TOOL MODE   (MODE: french)
Exit 77 (skipped) when python-stdnum is not installed.
"""
import random
import subprocess
import sys

try:
    from stdnum.fr import siren, siret, tva
except ImportError:
    print('python-stdnum not installed: skipped')
    sys.exit(77)

SEED = 20261126
rng = random.Random(SEED)


def luhn_complete(body):
    """Appends the Luhn check digit to a digit string."""
    for d in '0123456789':
        if luhn_ok(body + d):
            return body + d
    raise AssertionError(body)


def luhn_ok(s):
    total = 0
    for i, c in enumerate(reversed(s)):
        v = int(c) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def digits(n):
    return ''.join(rng.choice('0123456789') for _ in range(n))


def valid_siren():
    return luhn_complete(digits(8))


def valid_siret():
    while True:
        s = valid_siren() + digits(4)
        for d in '0123456789':
            if luhn_ok(s + d):
                return s + d


def mutate(s):
    """A near miss: one digit changed, two swapped, one dropped or added."""
    s = list(s)
    kind = rng.randrange(4)
    i = rng.randrange(len(s))
    if kind == 0:
        s[i] = rng.choice('0123456789')
    elif kind == 1 and len(s) > 1:
        j = min(i + 1, len(s) - 1)
        s[i], s[j] = s[j], s[i]
    elif kind == 2:
        del s[i]
    else:
        s.insert(i, rng.choice('0123456789'))
    return ''.join(s)


def decorate(s, seps):
    """Separators at random places, sometimes."""
    if rng.random() < 0.5:
        return s
    out = []
    for c in s:
        out.append(c)
        if rng.random() < 0.25:
            out.append(rng.choice(seps))
    return ''.join(out)


def gen_french(n):
    cases = {'siren': [], 'siret': [], 'tva': []}
    for _ in range(n):
        s = valid_siren()
        t = valid_siret()
        cases['siren'] += [decorate(s, ' .'), decorate(mutate(s), ' .'),
                           digits(9), digits(rng.choice((8, 10)))]
        cases['siret'] += [decorate(t, ' .'), decorate(mutate(t), ' .'),
                           digits(14), '356000000' + digits(5)]
        key = '%02d' % ((int(s) * 100 + 12) % 97)
        prefix = rng.choice(('', 'FR', 'fr', 'Fr', 'FR '))
        cases['tva'] += [prefix + decorate(key + s, ' .-'),
                         prefix + decorate(mutate(key + s), ' .-'),
                         prefix + digits(11)]
        # Alphanumeric keys, valid or not, and Monaco numbers.
        alphabet = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ'
        k = rng.choice(alphabet[10:]) + rng.choice(alphabet)
        cases['tva'] += ['FR' + k + s, 'FR' + k[::-1] + s,
                         'FR' + key + '000' + digits(6)]
    # Letters and odd characters.
    cases['siren'] += ['73282932A', 'A32829320', '']
    cases['siret'] += ['7328293200007A', '']
    cases['tva'] += ['IO334175221', 'FRIO334175221', 'FR', '']
    return cases


def expected(kind, value):
    """python-stdnum's answer, in the tool's output format."""
    mod = {'siren': siren, 'siret': siret, 'tva': tva}[kind]
    if not mod.is_valid(value):
        return None
    compact = mod.compact(value)
    return 'FR' + compact if kind == 'tva' else compact


def main():
    tool, mode = sys.argv[1], sys.argv[2]
    if mode != 'french':
        sys.exit('unknown mode ' + mode)
    cases = gen_french(3000)
    total = failed = 0
    for kind, values in cases.items():
        data = ''.join(v + '\n' for v in values).encode()
        out = subprocess.run([tool, 'validate', kind], input=data,
                             capture_output=True).stdout.decode()
        lines = out.split('\n')[:-1]
        if len(lines) != len(values):
            print('FAIL %s: %d answers for %d values' %
                  (kind, len(lines), len(values)))
            return 1
        for value, line in zip(values, lines):
            total += 1
            want = expected(kind, value)
            got = line[3:] if line.startswith('OK\t') else None
            if want != got:
                failed += 1
                if failed <= 20:
                    print('FAIL %s %r: stdnum %r, tool %r' %
                          (kind, value, want, line))
    print('%d values compared with python-stdnum (seed %d)' % (total, SEED))
    print('%d passed, %d failed' % (total - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
