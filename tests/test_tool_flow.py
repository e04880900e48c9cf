#!/usr/bin/env python3
"""The chorusacct tool over an SQLite file, as a person or a script would
use it: sign-up with a captcha, field errors, lookup, delivery into a
Maildir read back with Python's email package, activation from the link
with the password on standard input, approval, rejection, show, list,
audit, outbox, resend, sweep with --now, disable and enable, settings kept
in the database, the state diagram, French messages, exit statuses, and the
demo.

usage: test_tool_flow.py TOOL DOCS_DIR
"""
import email
import email.policy
import os
import re
import subprocess
import sys
import tempfile

from scriptutil import expect, finish

tool, docs = sys.argv[1], sys.argv[2]


def run(*args, stdin=b'', db=None):
    cmd = [tool] + (['--db', db] if db else []) + list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def maildir_messages(folder):
    out = []
    new = os.path.join(folder, 'new')
    for name in sorted(os.listdir(new)):
        with open(os.path.join(new, name), 'rb') as f:
            out.append(email.message_from_binary_file(
                f, policy=email.policy.default))
    return out


def body(msg):
    return msg.get_body(preferencelist=('plain',)).get_content()


def token_for(folder, to):
    tokens = []
    for m in maildir_messages(folder):
        if m['To'] == to:
            found = re.search(r'token=([A-Za-z0-9_-]{43})', body(m))
            if found:
                tokens.append(found.group(1))
    return tokens[-1] if tokens else None


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, 'flow.db')
    maildir = os.path.join(tmp, 'Maildir')
    siret = '732 829 320 00074'

    # A captcha, then a sign-up that answers it.
    rc, out, err = run('captcha', db=db)
    fields = dict(line.split(': ', 1) for line in out.splitlines())
    expect('captcha', rc == 0 and len(fields.get('text', '')) == 6, out)
    rc, out, err = run('signup', '--login-email', 'Marie.Curie@Example.fr',
                       '--first-name', 'Marie', '--last-name', 'Curie',
                       '--phone', '06 12 34 56 78', '--id-type', 'SIRET',
                       '--id', siret, '--accept-terms', '--captcha',
                       fields['id'] + ':' + fields['text'].lower(), db=db)
    expect('signup', rc == 0 and out == 'account\t1\tawaiting_activation\n',
           repr(out) + err)

    # Field errors: one line each, exit 1, nothing stored.
    rc, out, err = run('signup', '--login-email', 'pierré@example.fr',
                       '--first-name', 'P1erre', '--id-type', 'SIRET',
                       '--id', '73282932000075', '--no-captcha', db=db)
    lines = [l.split('\t') for l in out.splitlines()]
    expect('field errors exit', rc == 1, rc)
    got = {(l[0], l[1]) for l in lines}
    for want in [('login_email', 'EMAIL_NONASCII'),
                 ('first_name', 'NAME_CHARACTER'), ('last_name', 'EMPTY'),
                 ('terms', 'CONSENT'), ('identifier', 'CHECKSUM')]:
        expect('field error %s' % (want,), want in got, out)
    expect('field error messages', all(len(l) == 3 and l[2] for l in lines),
           out)

    # The structure is declared now.
    rc, out, err = run('lookup', '--id-type', 'SIRET', '--id', siret, db=db)
    expect('lookup', rc == 0 and 'declared: yes' in out and
           'principal: 1' in out, out)

    # A second applicant for the same structure waits for approval.
    rc, out, err = run('signup', '--login-email', 'pierre.curie@example.fr',
                       '--first-name', 'Pierre', '--last-name', 'Curie',
                       '--id-type', '1', '--id', siret, '--accept-terms',
                       '--no-captcha', db=db)
    expect('second signup', out == 'account\t2\tpending_approval\n',
           repr(out) + err)

    # Delivery into a Maildir that a mail reader can open.
    rc, out, err = run('deliver', '--maildir', maildir, db=db)
    expect('deliver', rc == 0 and 'sent: 3' in out, out + err)
    msgs = maildir_messages(maildir)
    expect('maildir count', len(msgs) == 3, len(msgs))
    expect('headers', all(m['Message-ID'] and m['Date'] and m['Subject']
                          for m in msgs))
    token = token_for(maildir, 'Marie.Curie@example.fr')
    expect('activation link in the mail', token is not None)

    # Issue 12, point 12: the token on standard input, never on the
    # command line (where ps shows it); given there, a usage error.
    tok = token.encode() + b'\n'
    rc, out, err = run('check-token', stdin=tok, db=db)
    expect('check-token', rc == 0 and 'valid: yes' in out and
           'Marie.Curie@example.fr' in out, out + err)
    rc, out, err = run('check-token', token, db=db)
    expect('check-token refuses a token argument',
           rc == 2 and 'standard input' in err and out == '', out + err)
    rc, out, err = run('activate', '--token', token,
                       stdin=b'Radium-1898-Polonium\nRadium-1898-Polonium\n',
                       db=db)
    expect('activate refuses --token',
           rc == 2 and 'standard input' in err and out == '', out + err)
    rc, out, err = run('check-token', stdin=b'', db=db)
    expect('check-token without input', rc == 2, out + err)
    rc, out, err = run('check-token', stdin=token.encode() + b'\0x\n', db=db)
    expect('check-token: NUL in the token line',
           rc == 1 and 'TOKEN_INVALID' in err, out + err)
    rc, out, err = run('activate', stdin=tok + b'short\nshort\n', db=db)
    expect('weak password refused', rc == 1 and 'PASSWORD_SHORT' in err,
           out + err)
    # Issue 12, point 13: the secrets are read without stdio buffering:
    # the tool takes its three lines (one for check-token) and not a byte
    # more, so that a command after it on the same pipe reads the rest (an
    # fgets() on stdin would have taken the whole pipe into its buffer).
    for cmd, lines in (('activate', tok + b'short\nshort\n'),
                       ('check-token', tok)):
        p = subprocess.run(['sh', '-c', '"$0" --db "$1" %s; cat' % cmd,
                            tool, db], input=lines + b'REST-OF-INPUT\n',
                           capture_output=True)
        expect('%s reads its lines only' % cmd,
               p.stdout.decode().endswith('REST-OF-INPUT\n'),
               p.stdout + p.stderr)
    rc, out, err = run('activate', stdin=tok + b'Radium-1898-Polonium\n',
                       db=db)
    expect('activate needs three lines', rc == 2 and 'three lines' in err,
           out + err)
    # Issue 12, point 15: the bytes read, NUL included, reach the policy,
    # which refuses them; a confirmation that differs after a NUL is not
    # taken for the same; a NUL early in an over-long line does not make
    # it short.
    rc, out, err = run('activate', stdin=tok +
                       b'Radium-1898-Polonium\0a\nRadium-1898-Polonium\0b\n',
                       db=db)
    expect('activate: NUL in the password refused',
           rc == 1 and 'PASSWORD_CHARACTER' in err, out + err)
    rc, out, err = run('activate', stdin=tok +
                       b'Radium-1898-Polonium\0\nRadium-1898-Polonium\0\n',
                       db=db)
    expect('activate: NUL at the end refused',
           rc == 1 and 'PASSWORD_CHARACTER' in err, out + err)
    long_line = b'Radium-1898\0' + b'x' * 5000 + b'\n'
    rc, out, err = run('activate', stdin=tok + long_line + long_line, db=db)
    expect('activate: over-long line with an early NUL refused',
           rc == 2 and 'longer than any password' in err, out + err)
    rc, out, err = run('activate', stdin=tok +
                       b'Radium-1898-Polonium\nRadium-1898-Polonium\n',
                       db=db)
    expect('activate', rc == 0 and out == 'account\t1\tactive\n', out + err)
    expect('password never printed', 'Radium' not in out + err)
    # Neither the link's token nor the password is stored anywhere in the
    # database or its write-ahead log: only hashes are.
    stored = b''
    for name in os.listdir(tmp):
        if name.startswith('flow.db'):
            with open(os.path.join(tmp, name), 'rb') as f:
                stored += f.read()
    expect('database holds data', len(stored) > 4096)
    expect('token not stored', token.encode() not in stored)
    expect('password not stored', b'Radium-1898-Polonium' not in stored)
    rc, out, err = run('activate', stdin=tok +
                       b'Radium-1898-Polonium\nRadium-1898-Polonium\n',
                       db=db)
    expect('second activation', rc == 1 and 'ALREADY_ACTIVE' in err, err)

    # Now active, the manager is asked about the waiting request.
    rc, out, err = run('deliver', '--maildir', maildir, db=db)
    expect('approval request', 'sent: 1' in out, out)
    asks = [m for m in maildir_messages(maildir)
            if 'pierre.curie@example.fr' in body(m) and
            m['To'] == 'Marie.Curie@example.fr']
    expect('approval request to the manager', len(asks) == 1, len(asks))

    rc, out, err = run('approve', '--by', '2', '2', db=db)
    expect('not a manager', rc == 1 and 'NOT_MANAGER' in err, err)
    rc, out, err = run('approve', '--by', '1', '2', db=db)
    expect('approve', rc == 0 and out == 'account\t2\tawaiting_activation\n',
           out + err)
    rc, out, err = run('reject', '--by', '1', '--reason', 'Non', '2', db=db)
    expect('already decided', rc == 1 and 'ALREADY_DECIDED' in err, err)
    rc, out, err = run('reject', '--by', '1', '2', db=db)
    expect('reject needs a reason', rc == 2, rc)

    rc, out, err = run('show', '2', db=db)
    rec = dict(l.split(': ', 1) for l in out.splitlines())
    expect('show', rc == 0 and rec.get('state') == 'awaiting_activation' and
           rec.get('decided_by') == '1' and
           rec.get('identifier') == '73282932000074', out)
    rc, out, err = run('list', '--state', 'active', db=db)
    expect('list', out.startswith('1\tactive\tMarie.Curie@example.fr\t'
                                  'principal\t1'), out)
    rc, out, err = run('audit', '2', db=db)
    events = [l.split('\t')[2] for l in out.splitlines()]
    expect('audit', events == ['signup', 'approve'], out)
    rc, out, err = run('outbox', db=db)
    expect('outbox', rc == 0 and len(out.splitlines()) == 7 and
           out.count('\tpending\t') == 3, out)

    # Resend: throttled by the cooldown.
    rc, out, err = run('resend', '--login-email', 'pierre.curie@example.fr',
                       db=db)
    expect('resend', rc == 0, err)
    rc, out, err = run('resend', '--login-email', 'pierre.curie@example.fr',
                       db=db)
    expect('resend cooldown', rc == 1 and 'RESEND_COOLDOWN' in err, err)

    # Two days later the sweep expires what waited.
    rc, out, err = run('--now', '2099-01-01T00:00:00Z', 'sweep', db=db)
    expect('sweep', rc == 0 and 'expired: 1' in out, out + err)
    rc, out, err = run('show', '2', db=db)
    expect('expired', 'state: expired' in out, out)

    rc, out, err = run('disable', '--by', '1', '1', db=db)
    expect('principal cannot be disabled', rc == 1 and 'PRINCIPAL' in err,
           err)

    # Settings kept in the database.
    rc, out, err = run('config', 'set', 'activation-ttl', '7200', db=db)
    expect('config set', rc == 0, err)
    rc, out, err = run('config', db=db)
    expect('config kept', 'activation-ttl: 7200' in out, out)
    rc, out, err = run('config', 'set', 'activation-ttl', '0', db=db)
    expect('config range', rc == 2, rc)
    # Issue 12, point 18: every numeric setting refuses what is not a whole
    # number in its range, with a message, on the command line and in
    # `config set`, and nothing is kept; negative values included (they
    # were silently ignored).
    settings = ['draft-ttl', 'activation-ttl', 'approval-ttl', 'purge-after',
                'resend-cooldown', 'resend-quota', 'captcha-ttl',
                'captcha-length', 'captcha-attempts', 'key-attempts',
                'address-attempts', 'login-failures', 'lockout',
                'mail-attempts', 'mail-retry', 'mail-retry-max',
                'mail-lease', 'pwhash-ops', 'pwhash-mem']
    for name in settings:
        for bad in ('-5', '-1', ' 5', '+5', '5 ', '0x10', '', '1e3',
                    '99999999999999999999', '-9223372036854775808'):
            rc, out, err = run('--' + name, bad, 'config', db=db)
            expect('--%s %r refused' % (name, bad),
                   rc == 2 and name + ': not a valid value' in err,
                   (rc, err[:200]))
            rc, out, err = run('config', 'set', name, bad, db=db)
            expect('config set %s %r refused' % (name, bad),
                   rc == 2 and 'not a valid value' in err, (rc, err[:200]))
    rc, out, err = run('config', db=db)
    expect('nothing kept', 'activation-ttl: 7200' in out and
           'pwhash-ops: 2' in out, out)
    rc, out, err = run('--activation-ttl', '60', 'config', db=db)
    expect('--activation-ttl 60', rc == 0 and 'activation-ttl: 60' in out,
           out + err)
    # The argon2id caps: past libsodium's sensitive level, refused with
    # the range; at it, accepted.
    rc, out, err = run('config', 'set', 'pwhash-ops', '5', db=db)
    expect('pwhash-ops 5 refused', rc == 2 and 'from 1 to 4' in err, err)
    rc, out, err = run('config', 'set', 'pwhash-ops', '4294967295', db=db)
    expect('pwhash-ops max refused', rc == 2, err)
    rc, out, err = run('config', 'set', 'pwhash-mem', str(1 << 40), db=db)
    expect('pwhash-mem 1 TiB refused', rc == 2 and 'pwhash-mem' in err, err)
    rc, out, err = run('config', 'set', 'pwhash-mem', str((1 << 30) + 1),
                       db=db)
    expect('pwhash-mem past 1 GiB refused', rc == 2, err)
    rc, out, err = run('config', 'set', 'pwhash-ops', '4', db=db)
    expect('pwhash-ops 4 accepted', rc == 0, err)
    rc, out, err = run('config', 'set', 'pwhash-ops', '2', db=db)
    expect('pwhash-ops back to 2', rc == 0, err)

    # --now: a real time from 1970 to 9999, else a usage error with a
    # message (issue 12, points 18 and 19).
    for bad in ('2026-02-31T00:00:00Z', '2026-02-29T00:00:00Z',
                '2100-02-29T00:00:00Z', '2026-11-26T-5:00:00Z',
                '2026-11-26T24:00:00Z', '2026-11-26T10:60:00Z',
                '2026-11-26T10:00:60Z', '2026-11-26T10:00:00+99:99',
                '2026-11-26T10:00:00+24:00', '2026-11-26T10:00:00+01:60',
                '10000-01-01T00:00:00Z', '9999-12-31T23:59:59-00:01',
                '1969-12-31T23:59:59Z', '1970-01-01T00:00:00+00:01',
                '0000-01-01T00:00:00Z', ' 2026-11-26T10:00:00Z',
                '2026-11-26T10:00:00', '2026-11-26T10:00:00z',
                '2026-11-26 10:00:00Z', '2026-1-26T10:00:00Z',
                '+026-11-26T10:00:00Z', '2026-11-26T10:00:00Z ',
                '2026-11-26T10:00:00+0100'):
        rc, out, err = run('--now', bad, 'sweep', db=db)
        expect('--now %r refused' % bad,
               rc == 2 and '--now: not a real time' in err, (rc, err[:200]))
    for good in ('2024-02-29T10:00:00Z', '2000-02-29T23:59:59+05:30',
                 '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z',
                 '9999-12-31T23:59:59+01:00', '2026-11-26T10:00:00-23:59'):
        # On a database of its own: a sweep in 9999 expires everything.
        rc, out, err = run('--now', good, 'sweep',
                           db=os.path.join(tmp, 'now.db'))
        expect('--now %r accepted' % good, rc == 0 and 'expired:' in out,
               (rc, out, err[:300]))

    # Issue 12, point 17: an RFC 2047 encoded word as a login address is
    # a field error.
    rc, out, err = run('signup', '--login-email',
                       '=?utf-8?q?evil=40evil.com=2C?=@example.fr',
                       '--first-name', 'Eve', '--last-name', 'Mallory',
                       '--id-type', 'SIRET', '--id', '35600000000048',
                       '--accept-terms', '--no-captcha', db=db)
    expect('encoded word refused',
           rc == 1 and 'login_email\tEMAIL_ENCODED\t' in out, out + err)

    # French messages.
    rc, out, err = run('--lang', 'fr', 'approve', '--by', '1', '2', db=db)
    expect('french', 'ALREADY_DECIDED' in err or 'STATE' in err, err)
    expect('french text', 'Ce n' in err or 'déjà' in err, err)

    # Usage errors: exit 2.
    for args in (['nope'], ['show'], ['show', 'x'], ['--now', 'yesterday',
                                                     'sweep']):
        rc, out, err = run(*args, db=db)
        expect('usage %r' % args, rc == 2, rc)

    # The diagram, as in docs/.
    rc, out, err = run('states', '--dot')
    with open(os.path.join(docs, 'states.dot')) as f:
        expect('states --dot', out == f.read())

    rc, out, err = run('demo')
    expect('demo', rc == 0 and 'pending_approval' in out and
           'active' in out and 'token=' in out, err[-500:])

finish()
