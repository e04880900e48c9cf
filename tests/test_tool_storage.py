#!/usr/bin/env python3
"""The chorusacct tool's storage opening and key secret (issue 12, points
10 and 11): a read-only command on a mistyped --db says the file does not
exist and creates nothing; a new database is created 0600 whatever the
umask, with its -wal and -shm; a corrupt file has its own code; the key
secret can be kept outside the database (--secret-file or
CHORUSACCT_SECRET_FILE, 32 bytes or 64 hexadecimal digits, owner-only),
and then the database holds none; a read-only file (when the test does
not run as root, for whom permissions do not stop writes) still answers
the read-only commands.

usage: test_tool_storage.py TOOL
"""
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

from scriptutil import expect, finish

tool = sys.argv[1]
SIRET = '732 829 320 00074'


def run(*args, db=None, env=None, stdin=b''):
    cmd = [tool] + (['--db', db] if db else []) + list(args)
    full = dict(os.environ)
    full.pop('CHORUSACCT_SECRET_FILE', None)
    full.update(env or {})
    p = subprocess.run(cmd, input=stdin, capture_output=True, env=full)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def signup(db, email, **kw):
    return run('signup', '--login-email', email, '--first-name', 'Marie',
               '--last-name', 'Curie', '--id-type', 'SIRET', '--id', SIRET,
               '--accept-terms', '--no-captcha', db=db, **kw)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


os.umask(0o022)
with tempfile.TemporaryDirectory() as tmp:
    # A mistyped --db for a command that only reads: said, nothing made.
    typo = os.path.join(tmp, 'acounts.db')
    for cmd in (['list'], ['show', '1'], ['audit'], ['outbox'],
                ['lookup', '--id-type', 'SIRET', '--id', SIRET],
                ['check-token'], ['config']):
        rc, out, err = run(*cmd, db=typo, stdin=b'x' * 43 + b'\n')
        expect('missing db: ' + cmd[0],
               rc == 2 and 'no such database file' in err and out == '',
               repr((rc, out, err)))
        expect('missing db not created: ' + cmd[0], not os.path.exists(typo),
               cmd[0])

    # A new database is 0600, its -wal and -shm too, whatever the umask.
    db = os.path.join(tmp, 'accounts.db')
    rc, out, err = signup(db, 'marie.curie@example.fr')
    expect('signup', rc == 0, err)
    rc, out, err = run('list', db=db)
    expect('list', rc == 0 and 'marie.curie@example.fr' in out, err)
    for ext in ('', '-wal', '-shm'):
        if os.path.exists(db + ext):
            expect('mode of accounts.db' + ext, mode(db + ext) == 0o600,
                   oct(mode(db + ext)))

    # A file that is not a database: its own code, not "storage failed".
    junk = os.path.join(tmp, 'junk.db')
    with open(junk, 'wb') as f:
        f.write(b'not a database, only bytes\n' * 200)
    rc, out, err = run('list', db=junk)
    expect('corrupt file', rc == 2 and 'CORRUPT' in err, err)

    # The key secret outside the database.
    secret_db = os.path.join(tmp, 'keyless.db')
    key = os.path.join(tmp, 'key')
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, os.urandom(32).hex().encode() + b'\n')
    os.close(fd)
    rc, out, err = signup(secret_db, 'pierre.curie@example.fr',
                          env={'CHORUSACCT_SECRET_FILE': key})
    expect('signup with a secret file', rc == 0, err)
    con = sqlite3.connect(secret_db)
    names = [r[0] for r in con.execute('SELECT name FROM meta')]
    con.close()
    expect('no secret in the database', 'secret' not in names, repr(names))
    # The same secret gives the same throttle keys and links: a lookup
    # with --secret-file works as with the variable.
    rc, out, err = run('lookup', '--id-type', 'SIRET', '--id', SIRET,
                       '--secret-file', key, db=secret_db)
    expect('lookup with --secret-file', rc == 0, err)
    # Refused: readable by others, wrong length, not hex, missing.
    os.chmod(key, 0o644)
    rc, out, err = run('list', '--secret-file', key, db=secret_db)
    expect('secret file readable by others', rc == 2 and 'chmod 600' in err,
           err)
    os.chmod(key, 0o600)
    for content, what in ((b'abc\n', 'short'), (b'g' * 64, 'not hex'),
                          (os.urandom(33), '33 bytes')):
        with open(key, 'wb') as f:
            f.write(content)
        rc, out, err = run('list', '--secret-file', key, db=secret_db)
        expect('secret file ' + what,
               rc == 2 and '32 bytes nor 64 hexadecimal' in err, err)
    with open(key, 'wb') as f:
        f.write(os.urandom(32))
    rc, out, err = run('list', '--secret-file', key, db=secret_db)
    expect('secret file of 32 raw bytes', rc == 0, err)
    rc, out, err = run('list', '--secret-file', key + '.none', db=secret_db)
    expect('secret file missing', rc == 2 and 'secret file' in err, err)

# A file the tool may only read, in a folder where it cannot make the
# -shm file: the read-only commands still answer, the others say READONLY.
# Root is not stopped by permissions: as root the tool runs as nobody
# (runuser), else the test is left out (the library's flag is tested by
# test_sqlite and test_flow all the same).
as_other = []
if os.geteuid() == 0:
    runuser = shutil.which('runuser')
    as_other = [runuser, '-u', 'nobody', '--'] if runuser else None
if as_other is not None:
    shared = tempfile.mkdtemp(prefix='chorusacct-ro-')
    try:
        os.chmod(shared, 0o755)
        rodb = os.path.join(shared, 'accounts.db')
        rc, out, err = signup(rodb, 'marie.curie@example.fr')
        expect('signup before read-only', rc == 0, err)
        os.chmod(rodb, 0o644 if as_other else 0o444)
        if not as_other:
            os.chmod(shared, 0o555)

        def run_other(*args, stdin=b''):
            p = subprocess.run(as_other + [tool, '--db', rodb] + list(args),
                               input=stdin, capture_output=True)
            return p.returncode, p.stdout.decode(), p.stderr.decode()

        rc, out, err = run_other('list')
        expect('list on a read-only file',
               rc == 0 and 'marie.curie@example.fr' in out, repr((out, err)))
        rc, out, err = run_other('check-token', stdin=b'A' * 43 + b'\n')
        expect('check-token on a read-only file',
               rc == 1 and 'TOKEN_INVALID' in err, err)
        rc, out, err = run_other('signup', '--login-email', 'p@example.fr',
                                 '--first-name', 'Paul', '--last-name',
                                 'Langevin', '--id-type', 'SIRET', '--id',
                                 SIRET, '--accept-terms', '--no-captcha')
        expect('signup on a read-only file', rc == 2 and 'READONLY' in err,
               err)
    finally:
        os.chmod(shared, 0o755)
        shutil.rmtree(shared)

finish()
