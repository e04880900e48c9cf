#!/usr/bin/env python3
"""What the chorusacct tool prints can't be forged (issue 12, points 14,
16, 20, 5): every text field that a command prints from the database is
escaped, whatever the database holds, so that each record stays one line
(one `key: value` line per key, or one tab-separated line with its
columns); a value the library does not know (a tampered or newer
database) prints as unknown(N); `approve` checks all its arguments before
the first decision, and answers a non-manager the same for every id;
`lookup` says nothing of the principal manager's state.

The database is written directly with Python's sqlite3, as an attacker
with access to it (or a bug elsewhere) would.

usage: test_tool_output.py TOOL
"""
import os
import quopri
import re
import sqlite3
import subprocess
import sys
import tempfile

from scriptutil import expect, finish

tool = sys.argv[1]

# Everything that could forge a line, a field or a terminal display: line
# breaks, tabs, an ANSI escape, DEL, C1 controls, the Unicode separators,
# a backslash, a byte that is not UTF-8, and a whole fake record.
EVIL = (b'a\nforged: 1\tb\rc\x1b[31md\x7fe\xc2\x85f\xc2\x9bg'
        b'\xe2\x80\xa8h\xe2\x80\xa9i\\j\xffk'
        b'\n2026-11-26T10:00:00Z\t1\trole\tactive\tactive\t1\tforged')
# What the tool must print for it (docs/tool.md, "Output").
EVIL_SHOWN = (r'a\nforged: 1\tb\rc\x1B[31md\x7Fe\u0085f\u009Bg'
              r'\u2028h\u2029i\\j\xFFk'
              r'\n2026-11-26T10:00:00Z\t1\trole\tactive\tactive\t1\tforged')
# The same for the short fields (phone: 19 bytes, terms version: 35).
SHORT = b'\n: x\t\x1b\xc2\x85\xe2\x80\xa8\\\xff'
SHORT_SHOWN = r'\n: x\t\x1B\u0085\u2028\\\xFF'


def run(*args, db=None, stdin=b''):
    cmd = [tool] + (['--db', db] if db else []) + list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def signup(db, email, siret):
    return run('signup', '--no-captcha', '--login-email', email,
               '--first-name', 'Marie', '--last-name', 'Curie',
               '--id-type', 'SIRET', '--id', siret, '--accept-terms',
               '--company-name', 'Acme', db=db)


def clean(name, out):
    """The output is UTF-8 with no control character but the line ends and
    the tabs between columns, and no Unicode line separator."""
    try:
        text = out.decode('utf-8')
    except UnicodeDecodeError as e:
        expect(name + ': UTF-8', False, repr(e))
        return ''
    bad = [c for c in text if (ord(c) < 0x20 and c not in '\t\n') or
           0x7F <= ord(c) < 0xA0 or c in '\u2028\u2029']
    expect(name + ': no control character', not bad, repr(bad))
    return text


SIRET_A = '73282932000074'
SIRET_B = '35600000000048'

with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, 'out.db')
    rc, out, err = signup(db, 'marie@acme.fr', SIRET_A)
    expect('signup 1', rc == 0, out + err)
    rc, out, err = signup(db, 'jean@acme.fr', SIRET_A)
    expect('signup 2 (pending)', rc == 0 and b'pending_approval' in out,
           out + err)
    rc, out, err = run('reject', '--by', '1', '--reason', 'x', '2', db=db)
    expect('reject refused (principal not active)', rc == 1, out + err)
    # The first account's activation link, for check-token below.
    maildir = os.path.join(tmp, 'Maildir')
    rc, out, err = run('deliver', '--maildir', maildir, db=db)
    expect('deliver', rc == 0, out + err)
    token = None
    for name in sorted(os.listdir(os.path.join(maildir, 'new'))):
        with open(os.path.join(maildir, 'new', name), 'rb') as f:
            body = quopri.decodestring(f.read())
        m = re.search(rb'token=([A-Za-z0-9_-]+)', body)
        if m and b'marie@acme.fr' in body:
            token = m.group(1)
    expect('activation link found', token is not None, 'no token')

    # ---- point 14: control characters in every stored text ------------
    con = sqlite3.connect(db)
    evil = sqlite3.Binary(EVIL)
    texts = ['login_email', 'email_key', 'contact_email', 'first_name',
             'last_name', 'password_hash', 'reason']
    con.execute('UPDATE account SET ' +
                ', '.join('%s = CAST(? AS TEXT) || id' % c for c in texts) +
                ', phone = CAST(? AS TEXT) || id,'
                ' terms_version = CAST(? AS TEXT) || id',
                [evil] * len(texts) + [sqlite3.Binary(SHORT)] * 2)
    con.execute('UPDATE structure SET company_name = CAST(? AS TEXT)',
                [evil])
    con.execute('UPDATE event SET reason = CAST(? AS TEXT)', [evil])
    con.execute('UPDATE outbox SET recipient = CAST(? AS TEXT),'
                ' last_error = CAST(? AS TEXT)', [evil, evil])
    con.commit()

    rc, out, err = run('show', '1', db=db)
    text = clean('show', out)
    expect('show exit', rc == 0, err)
    lines = text.splitlines()
    keys = [l.split(': ', 1)[0] for l in lines]
    expect('show: one key a line', all(': ' in l for l in lines) and
           len(keys) == len(set(keys)), keys)
    fields = dict(l.split(': ', 1) for l in lines if ': ' in l)
    for k in ['login_email', 'contact_email', 'first_name', 'last_name',
              'reason']:
        expect('show: ' + k + ' escaped', fields.get(k) == EVIL_SHOWN + '1',
               repr(fields.get(k)))
    for k in ['phone', 'terms_version']:
        expect('show: ' + k + ' escaped', fields.get(k) == SHORT_SHOWN + '1',
               repr(fields.get(k)))
    expect('show: company escaped', fields.get('company_name') == EVIL_SHOWN,
           repr(fields.get('company_name')))
    expect('show: no password hash', 'password_hash' not in fields, keys)

    rc, out, err = run('list', db=db)
    text = clean('list', out)
    rows = [l.split('\t') for l in text.splitlines()]
    expect('list: one line per account, 5 columns', rc == 0 and
           len(rows) == 2 and all(len(r) == 5 for r in rows), rows)
    expect('list: login escaped', rows and rows[0][2] == EVIL_SHOWN + '1',
           rows)

    for args in [('audit',), ('audit', '1')]:
        rc, out, err = run(*args, db=db)
        text = clean(' '.join(args), out)
        rows = [l.split('\t') for l in text.splitlines()]
        n = con.execute('SELECT count(*) FROM event' +
                        (' WHERE account_id = 1' if len(args) > 1 else '')
                        ).fetchone()[0]
        expect(' '.join(args) + ': one line per event, 7 columns',
               rc == 0 and len(rows) == n and
               all(len(r) == 7 for r in rows), rows)
        expect(' '.join(args) + ': reason escaped',
               all(r[6] == EVIL_SHOWN for r in rows), rows)

    rc, out, err = run('outbox', db=db)
    text = clean('outbox', out)
    rows = [l.split('\t') for l in text.splitlines()]
    n = con.execute('SELECT count(*) FROM outbox').fetchone()[0]
    expect('outbox: one line per message, 7 columns', rc == 0 and n > 0 and
           len(rows) == n and all(len(r) == 7 for r in rows), rows)
    expect('outbox: recipient and error escaped',
           all(r[3] == EVIL_SHOWN and r[6] == EVIL_SHOWN for r in rows), rows)

    rc, out, err = run('lookup', '--id-type', 'SIRET', '--id', SIRET_A, db=db)
    text = clean('lookup', out)
    lines = text.splitlines()
    keys = [l.split(': ', 1)[0] for l in lines]
    expect('lookup: one key a line', rc == 0 and
           all(': ' in l for l in lines) and len(keys) == len(set(keys)),
           lines)
    expect('lookup: company escaped',
           ('company_name: ' + EVIL_SHOWN) in lines, lines)
    # Point 5: nothing of the principal's state.
    expect('lookup: no principal state', 'principal_state' not in text and
           'awaiting_activation' not in text, text)

    rc, out, err = run('check-token', db=db, stdin=(token or b'') + b'\n')
    text = clean('check-token', out)
    lines = text.splitlines()
    keys = [l.split(': ', 1)[0] for l in lines]
    expect('check-token: one key a line', rc == 0 and
           all(': ' in l for l in lines) and len(keys) == len(set(keys)),
           (rc, lines, err))
    expect('check-token: login escaped',
           ('login_email: ' + EVIL_SHOWN + '1') in lines, lines)

    con.execute('UPDATE structure SET identifier = CAST(? AS TEXT)',
                [sqlite3.Binary(SHORT)])
    con.commit()
    rc, out, err = run('show', '1', db=db)
    text = clean('show (identifier)', out)
    expect('show: identifier escaped',
           ('identifier: ' + SHORT_SHOWN) in text.splitlines(), text)

    # ---- point 16: values the library does not know -------------------
    con.execute('UPDATE account SET state = 99, role = 77, lang = 5'
                ' WHERE id = 1')
    con.execute('UPDATE structure SET id_type = 55')
    con.execute('UPDATE event SET type = 66, from_state = 88, to_state = 89'
                ' WHERE id = 1')
    con.execute('UPDATE outbox SET status = 44, kind = 33'
                ' WHERE id = (SELECT min(id) FROM outbox)')
    con.commit()
    for args, want in [(('show', '1'), ['state: unknown(99)',
                                        'role: unknown(77)',
                                        'lang: unknown(5)',
                                        'id_type: unknown(55)']),
                       (('list',), ['unknown(99)', 'unknown(77)']),
                       (('audit',), ['unknown(66)', 'unknown(88)',
                                     'unknown(89)']),
                       (('outbox',), ['unknown(44)', 'unknown(33)'])]:
        rc, out, err = run(*args, db=db)
        text = clean(' '.join(args) + ' (unknown values)', out)
        expect(' '.join(args) + ': unknown values shown', rc == 0 and
               all(w in text for w in want) and '(null)' not in text,
               (rc, text, err))
    con.close()

    # ---- point 20: approve checks every argument first ----------------
    db2 = os.path.join(tmp, 'decide.db')
    for email, siret in [('boss@acme.fr', SIRET_A), ('jean@acme.fr', SIRET_A),
                         ('other@beta.fr', SIRET_B)]:
        rc, out, err = signup(db2, email, siret)
        expect('signup ' + email, rc == 0, out + err)
    con = sqlite3.connect(db2)
    # The two principals active, without going through activation.
    con.execute('UPDATE account SET state = 4, activated_at = 1'
                ' WHERE id IN (1, 3)')
    con.commit()

    def state_of(i):
        return con.execute('SELECT state FROM account WHERE id = ?',
                           [i]).fetchone()[0]

    for args in [('2', '2', '99999', 'abc'), ('2', 'abc'), ('2', '0'),
                 ('2', '2'), ('2', '-1')]:
        rc, out, err = run('approve', '--by', '1', *args, db=db2)
        expect('approve %s: usage error' % ' '.join(args), rc == 2 and
               out == b'', (rc, out, err))
        expect('approve %s: nothing approved' % ' '.join(args),
               state_of(2) == 2, state_of(2))
    # A non-manager of account 2's structure: the same answer for an
    # existing id and for one that names no account.
    answers = []
    for target in ['2', '99999']:
        rc, out, err = run('approve', '--by', '3', target, db=db2)
        answers.append((rc, out, err.replace(target.encode(), b'ID')))
    expect('non-manager: same answer for every id',
           answers[0] == answers[1] and answers[0][0] == 1 and
           b'NOT_MANAGER' in answers[0][2], answers)
    rc, out, err = run('reject', '--by', '3', '--reason', 'no', '99999',
                       db=db2)
    expect('reject of no account: NOT_MANAGER', rc == 1 and
           b'NOT_MANAGER' in err, (rc, err))
    # A reason with a line break is refused (point 14, in the library).
    rc, out, err = run('reject', '--by', '1', '--reason', 'a\nb', '2', db=db2)
    expect('reject: reason on one line', rc == 1 and
           b'REASON_CHARACTER' in err and state_of(2) == 2, (rc, err))
    rc, out, err = run('approve', '--by', '1', '2', db=db2)
    expect('approve', rc == 0 and out == b'account\t2\tawaiting_activation\n',
           (rc, out, err))
    con.close()

finish()
