#!/usr/bin/env python3
"""`chorusacct signup` in enumeration-safe mode tells nothing about the
address: from two copies of one database, a sign-up with a taken address
and one with a new address give the same standard output, standard error
and exit status, for a new structure and for one already declared; a
request to join is confirmed with `chorusacct confirm` (the token on
standard input) before the managers hear of it. Then
`chorusacct unlock`: as the operator, as a manager, and refused to anyone
else with the same answer for every id.

usage: test_tool_enumeration.py TOOL
"""
import email
import email.policy
import os
import re
import shutil
import subprocess
import sys
import tempfile

from scriptutil import expect, finish

tool = sys.argv[1]
NOW = '2026-11-26T10:00:00Z'


def run(db, *args, stdin=b''):
    cmd = [tool, '--db', db, '--now', NOW, '--no-captcha'] + list(args)
    p = subprocess.run(cmd, input=stdin, capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def signup(db, address, siret, *extra):
    return run(db, *extra, 'signup', '--login-email', address,
               '--first-name', 'Eve', '--last-name', 'Martin',
               '--id-type', 'SIRET', '--id', siret, '--accept-terms')


def mail_tokens(folder, to):
    """(subject, token or None) of each mail delivered to `to`."""
    found = []
    new = os.path.join(folder, 'new')
    for name in sorted(os.listdir(new)):
        with open(os.path.join(new, name), 'rb') as f:
            m = email.message_from_binary_file(f, policy=email.policy.default)
        if m['To'] != to:
            continue
        text = m.get_body(preferencelist=('plain',)).get_content()
        t = re.search(r'token=([A-Za-z0-9_-]{43})', text)
        found.append((str(m['Subject']), t.group(1) if t else None))
    return found


with tempfile.TemporaryDirectory() as tmp:
    base = os.path.join(tmp, 'base.db')
    # The taken address, with a structure of its own; another structure
    # declared by a manager.
    rc, out, err = signup(base, 'known@other.fr', '73282932000074')
    expect('taken address signed up', rc == 0, out + err)
    rc, out, err = signup(base, 'boss@acme.fr', '35600000000048')
    expect('structure declared', rc == 0, out + err)
    for what, siret in [('new structure', '44306184100047'),
                        ('declared structure', '35600000000048')]:
        seen = []
        for address in ['known@other.fr', 'unknown@other.fr']:
            db = os.path.join(tmp, address + '.db')
            shutil.copyfile(base, db)
            seen.append(signup(db, address, siret, '--enumeration-safe'))
        expect('signup, %s: exit status the same' % what,
               seen[0][0] == seen[1][0] == 0, seen)
        expect('signup, %s: standard output the same' % what,
               seen[0][1] == seen[1][1], seen)
        expect('signup, %s: standard error the same' % what,
               seen[0][2] == seen[1][2], seen)
        expect('signup, %s: ids 0' % what,
               seen[0][1].startswith('account\t0\t'), seen[0])

    # The request to join (the new address, declared structure): nothing
    # for the structure's manager until `confirm` with the mailed token.
    db = os.path.join(tmp, 'unknown@other.fr.db')
    maildir = os.path.join(tmp, 'Maildir')
    rc, out, err = run(db, 'deliver', '--maildir', maildir)
    expect('deliver', rc == 0, out + err)
    rc, out, err = run(db, 'list', '--state', 'pending_approval')
    expect('no request pending before the confirmation',
           rc == 0 and 'unknown@other.fr' not in out, (rc, out, err))
    tokens = [t for _, t in mail_tokens(maildir, 'unknown@other.fr') if t]
    expect('a confirmation link mailed', len(tokens) == 1,
           mail_tokens(maildir, 'unknown@other.fr'))
    tok = (tokens[-1] + '\n').encode() if tokens else b'\n'
    rc, out, err = run(db, '--enumeration-safe', 'confirm', 'x', stdin=tok)
    expect('confirm refuses a token argument', rc == 2, (rc, out, err))
    rc, out, err = run(db, '--enumeration-safe', 'confirm', stdin=tok)
    expect('confirm', rc == 0 and out.startswith('account\t') and
           out.endswith('\tpending_approval\n'), (rc, out, err))
    rc, out, err = run(db, '--enumeration-safe', 'confirm', stdin=tok)
    expect('confirm works once', rc == 1 and 'TOKEN_USED' in err,
           (rc, out, err))
    rc, out, err = run(db, 'list', '--state', 'pending_approval')
    expect('the request pending once confirmed (the managers asked)',
           rc == 0 and 'unknown@other.fr' in out, (rc, out, err))

    # unlock: the operator, then a manager, then someone else.
    rc, out, err = run(base, 'unlock', '1')
    expect('unlock by the operator', rc == 0 and
           out == 'account\t1\tunlocked\n', (rc, out, err))
    rc, out, err = run(base, 'audit', '1')
    expect('unlock audited', rc == 0 and '\tunlock\t' in out, out + err)
    # (Accounts 1 and 2 await activation: neither is a manager yet, which
    # tests/test_enumeration.c covers, with the lockouts themselves.)
    no = [run(base, 'unlock', '--by', '2', i) for i in ['1', '99999']]
    expect('unlock by a non-manager refused', no[0][0] == 1, no[0])
    expect('unlock by a non-manager: the same for every id',
           no[0] == no[1], no)
    rc, out, err = run(base, 'unlock', '99999')
    expect('unlock of no account by the operator', rc != 0, (rc, out, err))
finish()
