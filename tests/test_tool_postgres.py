#!/usr/bin/env python3
"""The chorusacct tool on PostgreSQL: --db with a postgresql:// URI runs
the flow on the server the suite starts (tests/pg-server.sh, which sets
CHORUSACCT_TEST_PG), as the SQLite file does; a URI with a password is
refused, since the command line is visible to every local user.

usage: test_tool_postgres.py TOOL
"""
import os
import subprocess
import sys
import urllib.parse

from scriptutil import expect, finish

tool = sys.argv[1]
info = os.environ.get('CHORUSACCT_TEST_PG')
if not info:
    print('SKIP: no CHORUSACCT_TEST_PG (run through tests/pg-server.sh)')
    sys.exit(77)
kv = dict(p.split('=', 1) for p in info.split())
# A schema of its own, through libpq's options parameter.
schema = 'tool_%d' % os.getpid()
subprocess.run(['psql', info, '-qc', 'CREATE SCHEMA ' + schema], check=True,
               capture_output=True)
query = urllib.parse.urlencode({
    'host': kv['host'], 'port': kv.get('port', '5432'),
    'user': kv.get('user', ''),
    'options': '-csearch_path=' + schema})
uri = 'postgresql:///%s?%s' % (kv.get('dbname', ''), query)


def run(*args, stdin=b'', db=uri):
    p = subprocess.run([tool, '--db', db] + list(args), input=stdin,
                       capture_output=True)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


SIRET = '73282932000074'
rc, out, err = run('signup', '--login-email', 'marie@acme.fr', '--first-name',
                   'Marie', '--last-name', 'Curie', '--id-type', 'SIRET',
                   '--id', SIRET, '--accept-terms', '--no-captcha')
expect('signup on PostgreSQL', rc == 0 and 'awaiting_activation' in out,
       out + err)
rc, out, err = run('signup', '--login-email', 'pierre@acme.fr',
                   '--first-name', 'Pierre', '--last-name', 'Curie',
                   '--id-type', 'SIRET', '--id', SIRET, '--accept-terms',
                   '--no-captcha')
expect('second signup pending', rc == 0 and 'pending_approval' in out,
       out + err)
rc, out, err = run('list')
expect('list', rc == 0 and len(out.splitlines()) == 2 and
       'marie@acme.fr' in out, out + err)
rc, out, err = run('config', 'set', 'activation-ttl', '7200')
expect('config set', rc == 0, out + err)
rc, out, err = run('config')
expect('config kept in the database', rc == 0 and '7200' in out, out + err)
rc, out, err = run('deliver', '--maildir', os.path.join(
    os.environ.get('TMPDIR', '/tmp'), schema + '-Maildir'))
expect('deliver', rc == 0 and 'sent:' in out, out + err)
rc, out, err = run('sweep')
expect('sweep', rc == 0, out + err)
rc, out, err = run('audit')
expect('audit', rc == 0 and 'signup' in out, out + err)
rc, out, err = run('approve', '--by', '1', '2')
expect('approve refused (principal not active)', rc == 1, out + err)

# The same rows as seen by psql: it is the server's database.
n = subprocess.run(['psql', info, '-tAc',
                    'SELECT count(*) FROM %s.chorusacct_account' % schema],
                   capture_output=True, text=True)
expect('rows on the server', n.stdout.strip() == '2', n.stdout + n.stderr)

for bad in ('postgresql://u:secret@localhost/db',
            'postgres://localhost/db?password=secret',
            uri + '&password=secret'):
    rc, out, err = run('list', db=bad)
    expect('password in the URI refused: ' + bad.split('?')[0],
           rc == 2 and 'secret' not in err and 'pgpass' in err, err)

subprocess.run(['psql', info, '-qc', 'DROP SCHEMA %s CASCADE' % schema],
               capture_output=True)
finish()
