#!/usr/bin/env python3
"""Messages written by the Maildir mailer, read back by a real parser.

Runs maildir_write (a small C program that delivers messages with
chorusacct_maildir_ops) into a temporary Maildir, then parses every file
of new/ with Python's `email` package (policy.default, the RFC-conformant
parser) and checks that the decoded subject, body and headers equal what
was sent, that the parser found no defect, and that the raw file keeps the
line limits of RFC 5322 and RFC 2045.

Usage: check_rfc5322.py MAILDIR_WRITE
Exits 0 on success, 1 on a mismatch, 77 (skipped) without the email package.
"""
import datetime
import os
import subprocess
import sys
import tempfile

try:
    import email
    import email.header
    import email.policy
except ImportError:
    print('the email package is missing: skipped')
    sys.exit(77)

SENDER = 'Chorus Pro <noreply@chorus.example>'
DOMAIN = 'chorus.example'

LONG_FR = ('Bonjour Élodie,\n\nVotre demande de création de compte pour la '
           'structure « Société Générale d’Études & Cie » (SIRET '
           '732 829 320 00074) a été enregistrée le 26/11/2026 à 10 h 00. '
           'Un gestionnaire l’examinera très bientôt ; vous recevrez alors un '
           'e-mail.\n')

CASES = [
    # (subject, body)
    ('Your Chorus Pro account', 'Hello,\n\nYour account is ready.\n'),
    ('Votre compte a été créé', 'Élodie, ça marche : 100 € = cent euros.\n'),
    ('Activez votre compte Chorus Pro : votre demande a été enregistrée et '
     'sera examinée très bientôt par un gestionnaire de la structure',
     'Cliquez sur ce lien :\n'
     'https://portail.example/activate?token=abcDEF012_-xyz&lang=fr\n'),
    ('Your Chorus Pro account request has been registered and is waiting for '
     'the approval of a manager of the structure 732 829 320',
     'A long line without any break ' * 12 + '\n'),
    ('=?UTF-8?Q?looks_encoded?=', 'a=b ==c =\n'),
    (' spaces around ', 'trailing spaces   \ntrailing tab\t\n \t \n'),
    ('Bienvenue \U0001F389 — « ok » _?=()<>@,;:"', '\U0001F389 fête\n'),
    ('x' * 120, 'no final line break'),
    ('é' * 100, 'é' * 300 + '\n'),
    ('', ''),
    ('Points', '.\n..\n.leading dot\nFrom the start\nFrom\n'),
    ('CRLF', 'windows\r\nline\r\nbreaks\r\n'),
    ('Dix kilo-octets', LONG_FR * 30),
    ('Tabs\tare refused in subjects, so not here'.replace('\t', ' '),
     'col1\tcol2\tcol3\n'),
]


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def check_raw(name, raw):
    try:
        raw.decode('ascii')
    except UnicodeDecodeError:
        fail(f'{name}: a byte is not ASCII')
    if not raw.endswith(b'\r\n'):
        fail(f'{name}: does not end with CRLF')
    if b'\r\n\r\n' not in raw:
        fail(f'{name}: no blank line after the headers')
    head, body = raw.split(b'\r\n\r\n', 1)
    lines = raw.split(b'\r\n')[:-1]
    for line in lines:
        if b'\r' in line or b'\n' in line:
            fail(f'{name}: bare CR or LF in {line!r}')
    for line in head.split(b'\r\n'):
        if len(line) > 78:
            fail(f'{name}: header line over 78: {line!r}')
    for line in body.split(b'\r\n'):
        if len(line) > 76:
            fail(f'{name}: body line over 76: {line!r}')
        if line.endswith((b' ', b'\t')):
            fail(f'{name}: white space ends {line!r}')


def main():
    helper = sys.argv[1]
    created = 1795687200
    with tempfile.TemporaryDirectory(prefix='chorusacct-rfc5322-') as top:
        box = os.path.join(top, 'Maildir')
        records = []
        for i, (subject, body) in enumerate(CASES, start=1):
            records.append('\t'.join([
                str(i), '1', str(1000 + i), str(created + i),
                f'user{i}@example.fr',
                subject.encode('utf-8').hex() or '-',
                body.encode('utf-8').hex() or '-',
            ]))
        run = subprocess.run([helper, box, SENDER],
                             input='\n'.join(records) + '\n',
                             text=True, capture_output=True)
        if run.returncode != 0:
            fail(f'maildir_write: {run.stderr.strip()}')
        if os.listdir(os.path.join(box, 'tmp')):
            fail('files left in tmp/')
        files = sorted(os.listdir(os.path.join(box, 'new')))
        if len(files) != len(CASES):
            fail(f'{len(files)} files in new/, {len(CASES)} sent')
        seen = set()
        for name in files:
            with open(os.path.join(box, 'new', name), 'rb') as f:
                raw = f.read()
            check_raw(name, raw)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            mid = str(msg['Message-ID'])
            prefix, suffix = '<chorusacct.', f'@{DOMAIN}>'
            if not (mid.startswith(prefix) and mid.endswith(suffix)):
                fail(f'{name}: Message-ID {mid}')
            i, account = mid[len(prefix):-len(suffix)].split('.')
            i, account = int(i), int(account)
            if account != 1000 + i or i in seen:
                fail(f'{name}: Message-ID {mid}')
            seen.add(i)
            subject, body = CASES[i - 1]
            if msg.defects:
                fail(f'{name}: defects {msg.defects}')
            for key in msg.keys():
                if msg[key].defects:
                    fail(f'{name}: {key} defects {msg[key].defects}')
            if str(msg['Subject']) != subject:
                fail(f'{name}: subject {str(msg["Subject"])!r} != '
                     f'{subject!r}')
            # The package's older decoder must agree (it leaves the folds:
            # unfolding drops each CRLF).
            legacy = email.message_from_bytes(raw)
            parts = email.header.decode_header(legacy['Subject'])
            decoded = str(email.header.make_header(parts))
            if decoded.replace('\r\n', '') != subject:
                fail(f'{name}: legacy subject {decoded!r} != {subject!r}')
            # CRLF is the transport's line end: the text has "\n".
            got = msg.get_content().replace('\r\n', '\n')
            want = body.replace('\r\n', '\n')
            if got != want:
                fail(f'{name}: body {got!r} != {want!r}')
            if msg.get_content_type() != 'text/plain' or \
                    msg.get_content_charset() != 'utf-8' or \
                    msg['Content-Transfer-Encoding'] != 'quoted-printable' \
                    or msg['MIME-Version'] != '1.0' or \
                    msg['Auto-Submitted'] != 'auto-generated':
                fail(f'{name}: MIME headers')
            date = msg['Date'].datetime
            want_date = datetime.datetime.fromtimestamp(
                created + i, datetime.timezone.utc)
            if date != want_date or date.utcoffset() != datetime.timedelta(0):
                fail(f'{name}: Date {msg["Date"]} != {want_date}')
            to = msg['To'].addresses
            if len(to) != 1 or to[0].addr_spec != f'user{i}@example.fr':
                fail(f'{name}: To {msg["To"]}')
            frm = msg['From'].addresses
            if len(frm) != 1 or frm[0].display_name != 'Chorus Pro' or \
                    frm[0].addr_spec != 'noreply@chorus.example':
                fail(f'{name}: From {msg["From"]}')
        print(f'{len(files)} messages parsed and compared')


if __name__ == '__main__':
    main()
