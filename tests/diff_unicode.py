#!/usr/bin/env python3
"""Differential test of the Unicode behaviour of the name and password
validators against Python's unicodedata, over every code point.

- Password classes: for each code point alone, the class the library
  finds (from PCRE2's properties) must be the one its general category
  gives: Lu/Lt upper, Ll lower, Nd digit, Cc/Cf/Cs/Co/Cn refused, any
  other special.
- Names: "a" followed by the code point is a valid name exactly when the
  code point is a letter (L*), a mark (M*) or one of the six allowed
  punctuation characters.
- Case folding of the personal check: for every code point up to
  U+1FFFF, the password C C C contains the name D D D exactly when C and
  D have the same simple case folding; PCRE2's caseless matching, asked
  about the same pairs, is reported alongside.

Usage: diff_unicode.py PROBE  (tests/probe_unicode)
Exit 77 (skipped) when Python's Unicode version is not PCRE2's.
"""
import subprocess
import sys
import unicodedata

probe = sys.argv[1]
NAME_PUNCT = {0x20, 0x2D, 0x27, 0x2E, 0x2010, 0x2019}


def expected_class(c):
    cat = unicodedata.category(chr(c))
    if cat in ('Cc', 'Cf', 'Cs', 'Co', 'Cn'):
        return 'X'
    if cat in ('Lu', 'Lt'):
        return 'U'
    if cat == 'Ll':
        return 'L'
    if cat == 'Nd':
        return 'D'
    return 'S'


def expected_name(c):
    cat = unicodedata.category(chr(c))
    return 'y' if cat[0] in 'LM' or c in NAME_PUNCT else 'n'


def simple_fold(c):
    """CaseFolding C+S: str.casefold when it gives one code point, else
    the one-code-point lower case, else the code point itself."""
    ch = chr(c)
    f = ch.casefold()
    if len(f) == 1:
        return ord(f)
    low = ch.lower()
    return ord(low) if len(low) == 1 else c


def check_classes():
    out = subprocess.run([probe, 'classes'], capture_output=True,
                         check=True, text=True).stdout.split('\n')
    version = out[0].split()[1]
    if version != unicodedata.unidata_version:
        print('PCRE2 has Unicode %s, Python %s: skipped'
              % (version, unicodedata.unidata_version))
        sys.exit(77)
    bad = []
    seen = 0
    for line in out[1:]:
        if not line:
            continue
        first, last, p, n = line.split()
        for c in range(int(first, 16), int(last, 16) + 1):
            seen += 1
            want_p, want_n = expected_class(c), expected_name(c)
            if p != want_p or n != want_n:
                bad.append('U+%04X %s: password %s (want %s), name %s '
                           '(want %s)' % (c, unicodedata.category(chr(c)),
                                          p, want_p, n, want_n))
    want = 0x110000 - 0x800
    if seen != want:
        bad.append('probe covered %d code points, not %d' % (seen, want))
    return bad, seen


def check_fold():
    pairs = []
    for c in range(0x20000):
        # Names are NUL-terminated and trimmed of spaces: no NUL, no space.
        if 0xD800 <= c <= 0xDFFF or c in (0, 0x20):
            continue
        f = simple_fold(c)
        pairs.append((c, f, True))
        # A near neighbour with another folding: must not match.
        for d in (c + 1, c - 1, c + 32, c - 32):
            if (0 < d < 0x20000 and not 0xD800 <= d <= 0xDFFF and
                    d != 0x20 and simple_fold(d) != f):
                pairs.append((c, d, False))
                break
    data = ''.join('%X %X\n' % (c, d) for c, d, _ in pairs)
    out = subprocess.run([probe, 'fold'], input=data, capture_output=True,
                         check=True, text=True).stdout.split()
    bad, pcre_diff = [], []
    for i, (c, d, same) in enumerate(pairs):
        r, p = out[2 * i] == '1', out[2 * i + 1] == '1'
        if r != same:
            bad.append('U+%04X vs U+%04X: library says %s, folding says %s'
                       % (c, d, r, same))
        if p != same:
            pcre_diff.append('U+%04X vs U+%04X' % (c, d))
    return bad, len(pairs), pcre_diff


bad, seen = check_classes()
fbad, npairs, pcre_diff = check_fold()
for line in (bad + fbad)[:40]:
    print('FAIL', line)
print('classes: %d code points, %d differences' % (seen, len(bad)))
print('folding: %d pairs, %d differences' % (npairs, len(fbad)))
print('PCRE2 caseless matching disagrees with simple folding on %d pairs%s'
      % (len(pcre_diff), ': ' + ', '.join(pcre_diff[:20]) if pcre_diff
         else ''))
sys.exit(1 if bad or fbad else 0)
