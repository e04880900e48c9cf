#!/usr/bin/env python3
"""Differential test of `chorusacct validate phone` against
python-phonenumbers (libphonenumber's metadata and rules).

Generates, with a fixed seed, tens of thousands of numbers of France and of
the French overseas plans (+262, +508, +590, +594, +596, +681, +687,
+689): every 3- and 4-digit prefix of the national significant number
(NSN), every 5-digit prefix in the blocks where ranges split finely,
written in every accepted form (national, +, 00, (0), trunk 0, spaces,
dots, hyphens), with wrong lengths and near misses. Each is compared with
phonenumbers: parse with region FR, is_valid_number(), E.164 format. They
must agree on validity and on the E.164 form, except for the deliberate
differences of docs/phone.md, which `expected` below encodes one by one.

Then checks, for every region of the metadata, that the example numbers
phonenumbers holds valid are accepted with the same E.164 form, and that
a digit more or less is refused when no number of the code has that
length; and that inputs with letters, extensions and the like are refused
with the documented code.

Usage: diff_phonenumbers.py TOOL
Exit 77 (skipped) when python-phonenumbers is not installed.
"""
import random
import sys

from scriptutil import mutate, validate

try:
    import phonenumbers
    from phonenumbers import PhoneMetadata, PhoneNumberFormat
    from phonenumbers.phonenumberutil import (COUNTRY_CODE_TO_REGION_CODE,
                                              NumberParseException)
except ImportError:
    print('python-phonenumbers not installed: skipped')
    sys.exit(77)

SEED = 20261126
rng = random.Random(SEED)

# The plans compared exhaustively, with their NSN lengths.
PLANS = {33: [9], 262: [9], 508: [6, 9], 590: [9], 594: [9], 596: [9],
         681: [6, 9], 687: [6], 689: [6, 8, 9]}

# Blocks of the French plan that belong to the overseas departments
# (ARCEP), and the code that reaches them from abroad.
OVERSEAS = {'262': 262, '263': 262, '269': 262, '639': 262, '692': 262,
            '693': 262, '590': 590, '690': 590, '691': 590, '594': 594,
            '694': 594, '596': 596, '696': 596, '697': 596}


def metadata(cc):
    region = COUNTRY_CODE_TO_REGION_CODE[cc][0]
    if region == '001':
        return PhoneMetadata.metadata_for_nongeo_region(cc)
    return PhoneMetadata.metadata_for_region(region)


def trunk_zero(cc):
    return metadata(cc).national_prefix == '0'


def digits(n):
    return ''.join(rng.choice('0123456789') for _ in range(n))


# --------------------------------------------------------------------------
# Numbers and their written forms.


def nsns(cc, n):
    """NSNs of n digits under cc: every 3- and 4-digit prefix once, and
    every 5-digit prefix of the 3-digit blocks the examples live in."""
    out = []
    for p in range(1000):
        out.append(('%03d' % p + digits(n - 3))[:n])
    if n >= 5:
        for p in range(10000):
            out.append('%04d' % p + digits(n - 4))
    fine = set()
    for region in COUNTRY_CODE_TO_REGION_CODE[cc]:
        for t in phonenumbers.PhoneNumberType.values():
            ex = phonenumbers.example_number_for_type(region, t)
            if ex is not None and ex.country_code == cc:
                nsn = phonenumbers.national_significant_number(ex)
                if len(nsn) == n:
                    fine.add(nsn[:3])
    if cc == 33:
        fine |= set(OVERSEAS) | {'836', '700', '639', '695', '698', '699'}
    if n >= 6:
        for b in sorted(fine):
            for p in range(100):
                out.append(b + '%02d' % p + digits(n - 5))
    return out


def grouped(s):
    """The digits with separators, as people write them."""
    style = rng.randrange(5)
    if style == 0:
        return s
    sep = rng.choice(' .-')
    if style in (1, 2):
        # Pairs from the right, as French numbers are written.
        parts = []
        while s:
            parts.insert(0, s[-2:])
            s = s[:-2]
        return sep.join(parts)
    out = []
    for c in s:
        out.append(c)
        if rng.random() < 0.3:
            out.append(rng.choice(' .-'))
    return ''.join(out)


def forms(cc, nsn):
    """(kind, text) for the ways of writing nsn under cc."""
    out = [('intl', '+%d %s' % (cc, grouped(nsn))),
           ('intl', '00%d %s' % (cc, grouped(nsn)))]
    if rng.random() < 0.5:
        out.append(('intl', '+%d%s' % (cc, nsn)))
    if rng.random() < 0.3:
        out.append(('paren', '+%d (0)%s' % (cc, grouped(nsn))))
    if rng.random() < 0.3:
        out.append(('zero', '+%d 0%s' % (cc, grouped(nsn))))
    if rng.random() < 0.1:
        out.append(('paren', '00%d(0)%s' % (cc, grouped(nsn))))
    if cc in (33, 262, 590, 594, 596) and len(nsn) == 9:
        out.append(('national', grouped('0' + nsn)))
    return out


def gen_cases():
    """(kind, cc, nsn, text) for the plans of France and the territories."""
    cases = []
    for cc, lengths in PLANS.items():
        for n in lengths:
            for nsn in nsns(cc, n):
                if cc in (33, 262, 590, 594, 596) and nsn[0] == '0':
                    # No NSN of these plans starts with 0; written after
                    # a trunk 0 it would read as the international 00.
                    nsn = rng.choice('123456789') + nsn[1:]
                kind, text = rng.choice(forms(cc, nsn))
                cases.append((kind, cc, nsn, text))
                if rng.random() < 0.15:
                    m = mutate(nsn, rng)
                    if m and not (cc in (33, 262, 590, 594, 596) and
                                  m[0] == '0'):
                        kind, text = rng.choice(forms(cc, m))
                        cases.append((kind, cc, m, text))
        # Wrong lengths.
        for n in range(1, 13):
            if n not in lengths:
                for _ in range(40):
                    nsn = rng.choice('123456789') + digits(n - 1)
                    kind, text = rng.choice(forms(cc, nsn))
                    cases.append((kind, cc, nsn, text))
    return cases


# --------------------------------------------------------------------------
# The reference and the deliberate differences.


def reference(text):
    """phonenumbers' answer in the tool's terms: the E.164 form, or None."""
    try:
        num = phonenumbers.parse(text, 'FR')
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    return phonenumbers.format_number(num, PhoneNumberFormat.E164)


def expected(kind, cc, nsn, text):
    """What the tool must answer: ('OK', e164), ('ERR', code) for a
    specific refusal, or ('ERR', None) for any refusal."""
    block = OVERSEAS.get(nsn[:3]) if len(nsn) == 9 else None
    if kind == 'national' and block is not None:
        # Deliberate difference 1: a national number of an overseas block
        # takes the block's own country code; phonenumbers, with region
        # FR, gives it +33.
        ref = reference('+%d%s' % (block, nsn))
    elif kind != 'national' and cc == 33 and block is not None:
        # Deliberate difference 2: an overseas block after +33 is not a
        # French number; phonenumbers accepts it as one.
        return ('ERR', 'PHONE_OVERSEAS')
    elif kind == 'paren' and not trunk_zero(cc):
        # Deliberate difference 3: (0) only after a code whose trunk
        # prefix is 0; phonenumbers drops the parentheses and reads the 0
        # as part of the number.
        return ('ERR', 'PHONE_TRUNK')
    else:
        ref = reference(text)
    return ('OK', ref) if ref is not None else ('ERR', None)


# Inputs refused whatever phonenumbers says of them, with the code.
# Deliberate difference 4: phonenumbers is lenient with these (it drops
# trailing junk, keeps extensions apart, reads letters as keypad digits,
# accepts a national number without its 0 or the country code without
# + or 00); the form field wants the number alone, as it is dialled.
REFUSED = [
    ('06 12 34 56 78 ext 12', 'PHONE_EXTENSION'),
    ('06 12 34 56 78 x12', 'PHONE_EXTENSION'),
    ('+33 1 23 45 67 89 poste 4567', 'PHONE_EXTENSION'),
    ('+33 1 23 45 67 89;ext=45', 'PHONE_EXTENSION'),
    ('01 23 45 67 89 #12', 'PHONE_EXTENSION'),
    ('06 12 34 56 78 x', 'PHONE_CHARACTER'),
    ('06 12 34 56 7A', 'PHONE_CHARACTER'),
    ('tel 06 12 34 56 78', 'PHONE_CHARACTER'),
    ('0800-FLOWERS', 'PHONE_CHARACTER'),
    ('06/12/34/56/78', 'PHONE_CHARACTER'),
    ('(06) 12 34 56 78', 'PHONE_CHARACTER'),
    ('06 12 34 56 78\t', 'PHONE_CHARACTER'),
    ('+33 6 12 34 56 78+', 'PHONE_PLUS'),
    ('++33 6 12 34 56 78', 'PHONE_PLUS'),
    ('06 +12 34 56 78', 'PHONE_PLUS'),
    ('(0)6 12 34 56 78', 'PHONE_TRUNK'),
    ('+33 6 (0)12 34 56 78', 'PHONE_TRUNK'),
    ('+33 (0)(0)6 12 34 56 78', 'PHONE_TRUNK'),
    ('+1 (0)202 555 0143', 'PHONE_TRUNK'),
    ('612345678', 'PHONE_LENGTH'),
    ('33612345678', 'PHONE_LENGTH'),
    ('06 12 34 56 7', 'PHONE_LENGTH'),
    ('06 12 34 56 78 9', 'PHONE_LENGTH'),
    ('+33 (0)06 12 34 56 78', 'PHONE_LENGTH'),
    ('+33 006 12 34 56 78', 'PHONE_LENGTH'),
    ('+', 'PHONE_LENGTH'),
    ('+0 6 12 34 56 78', 'PHONE_COUNTRY'),
    ('+999 123 456', 'PHONE_COUNTRY'),
    ('000 33 6 12 34 56 78', 'PHONE_COUNTRY'),
    ('06\u00a012\u00a034\u00a056\u00a078', 'NONASCII'),
    ('\uff10\uff16 12 34 56 78', 'NONASCII'),
    ('', 'EMPTY'),
    (' .-', 'EMPTY'),
]


def foreign_cases():
    """Example numbers of every region phonenumbers holds valid, and a
    digit more or less. Returns (text, want) pairs."""
    out = []
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    for region in regions:
        cc = phonenumbers.country_code_for_region(region)
        if cc in PLANS:
            continue
        lengths = set()
        for r in COUNTRY_CODE_TO_REGION_CODE[cc]:
            lengths.update(PhoneMetadata.metadata_for_region(r)
                           .general_desc.possible_length)
        for t in phonenumbers.PhoneNumberType.values():
            ex = phonenumbers.example_number_for_type(region, t)
            if ex is None or not phonenumbers.is_valid_number(ex):
                continue
            nsn = phonenumbers.national_significant_number(ex)
            e164 = phonenumbers.format_number(ex, PhoneNumberFormat.E164)
            if len(e164) - 1 > 15:
                # Deliberate difference 5: E.164 allows 15 digits;
                # phonenumbers accepts some longer German and Japanese
                # numbers.
                out.append(('+%d %s' % (cc, nsn), ('ERR', 'PHONE_LENGTH')))
                continue
            out.append(('+%d %s' % (cc, grouped(nsn)), ('OK', e164)))
            out.append(('00%d%s' % (cc, nsn), ('OK', e164)))
            for m in (nsn + rng.choice('0123456789'), nsn[:-1]):
                if len(m) not in lengths or len(str(cc)) + len(m) > 15:
                    out.append(('+%d %s' % (cc, m), ('ERR', 'PHONE_LENGTH')))
    return out


# --------------------------------------------------------------------------


def main():
    tool = sys.argv[1]
    cases = gen_cases()
    checks = [(text, expected(kind, cc, nsn, text))
              for kind, cc, nsn, text in cases]
    n_plans = len(checks)
    checks += foreign_cases()
    n_foreign = len(checks) - n_plans
    checks += [(text, ('ERR', code)) for text, code in REFUSED]

    got = [tuple(line.split('\t', 1)) for line in
           validate(tool, 'phone', [text for text, _ in checks])]
    failed = 0
    valid = 0
    for i, ((text, want), answer) in enumerate(zip(checks, got)):
        status, value = answer
        ok = (status == want[0] and
              (want[1] is None or value == want[1]))
        if status == 'OK' and i < n_plans:
            valid += 1
        if not ok:
            failed += 1
            if failed <= 30:
                print('FAIL %r: want %s %s, tool %s %s' %
                      (text, want[0], want[1], status, value))
    print('%d numbers of France and the territories compared with '
          'phonenumbers %s (seed %d), %d of them valid'
          % (n_plans, phonenumbers.__version__, SEED, valid))
    print('%d foreign example numbers and length near misses, %d refusals'
          % (n_foreign, len(REFUSED)))
    print('%d passed, %d failed' % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
