#!/usr/bin/env python3
"""`chorusacct validate`: one output line per input line, in order, with
the documented format and exit statuses, for inputs of any length."""
import subprocess
import sys

from scriptutil import expect, finish

tool = sys.argv[1]


def run(args, data):
    return subprocess.run([tool] + args, input=data, capture_output=True)


# Mixed valid and invalid values keep their order and count.
values = [b'732 829 320 00074', b'73282932000075', b'', b'abc',
          b'35600000000048', b'7328293200007\xc3\xa9', b'73282932000074\r']
p = run(['validate', 'siret'], b'\n'.join(values) + b'\n')
lines = p.stdout.decode().split('\n')
expect('line count', lines[-1] == '' and len(lines) - 1 == len(values),
       repr(lines))
expect('valid', lines[0] == 'OK\t73282932000074', lines[0])
expect('checksum', lines[1] == 'ERR\tCHECKSUM', lines[1])
expect('empty', lines[2] == 'ERR\tEMPTY', lines[2])
expect('letters', lines[3] == 'ERR\tCHARACTER', lines[3])
expect('la poste', lines[4] == 'OK\t35600000000048', lines[4])
expect('non-ascii', lines[5] == 'ERR\tNONASCII', lines[5])
expect('crlf', lines[6] == 'OK\t73282932000074', lines[6])
expect('exit 1 when some refused', p.returncode == 1, p.returncode)

# All valid: exit 0; last line without newline still counts.
p = run(['validate', 'siren'], b'732829320\n404 833 048')
expect('all valid', p.returncode == 0 and
       p.stdout == b'OK\t732829320\nOK\t404833048\n', p.stdout)

# Empty input: no output, success.
p = run(['validate', 'tva'], b'')
expect('empty input', p.returncode == 0 and p.stdout == b'', p.stdout)

# Strict mode refuses separators.
p = run(['--strict', 'validate', 'siren'], b'732 829 320\n732829320\n')
expect('strict', p.stdout == b'ERR\tSEPARATOR\nOK\t732829320\n', p.stdout)

# A line of several megabytes does not overflow anything.
big = b'7' * (8 << 20)
p = run(['validate', 'siret'], big + b'\n' + b' ' * (4 << 20) +
        b'73282932000074\n')
expect('huge lines', p.stdout == b'ERR\tLENGTH\nOK\t73282932000074\n',
       p.stdout[:100])

# Every kind answers.
for kind, value, out in [('tva', b'FR44732829320', b'FR44732829320'),
                         ('ridet', b'1234567.001', b'1234567001'),
                         ('tahiti', b'a12345 001', b'A12345001'),
                         ('hors-ue', b'us acme', b'USACME'),
                         ('vat', b'DE136695976', b'DE136695976'),
                         ('email', b'Jean.Dupont@Example.FR',
                          b'Jean.Dupont@example.fr'),
                         ('name', '  Zoë '.encode(), 'Zoë'.encode())]:
    p = run(['validate', kind], value + b'\n')
    expect('kind ' + kind, p.stdout == b'OK\t' + out + b'\n', p.stdout)

# Passwords: OK alone or ERR<TAB>CODE, never the password itself.
p = run(['validate', 'password'],
        'Écureuil-2024\nécureuil2024\ncourt\n'.encode())
expect('password', p.stdout == b'OK\nERR\tPASSWORD_CLASSES\n'
       b'ERR\tPASSWORD_SHORT\n' and p.returncode == 1, p.stdout)

# Usage errors: exit 2 and a message on stderr.
for args in (['validate'], ['validate', 'nope'], ['frobnicate'], [],
             ['--bogus', 'validate', 'siret']):
    p = run(args, b'')
    expect('usage %r' % args, p.returncode == 2 and p.stderr, p.returncode)

finish()
