#!/usr/bin/env python3
"""`chorusacct deliver --smtp`, end to end: sign-ups through the tool over
an SQLite database, delivered to the test SMTP server (smtp_server.py, on
aiosmtpd) in clear text, with STARTTLS and with implicit TLS (login and
password from a file or the environment), the activation link that
arrives used to activate, a refused recipient kept as a dead letter with
the server's words in `chorusacct outbox`, and usage errors.

usage: test_smtp_tool.py TOOL   (run with /usr/bin/python3; exits 77 when
aiosmtpd is missing or the tool has no SMTP)
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtp_server  # noqa: E402
from scriptutil import expect, finish  # noqa: E402

tool = sys.argv[1]
USER, PASSWORD = 'robot', 'Tool-s3cret'
FROM = 'Chorus Pro <noreply@chorus.example>'
URL = 'https://portal.test/activate?token={token}'


if smtp_server.SMTP is None:
    print('skip: python3-aiosmtpd is not installed')
    sys.exit(77)

tmp = tempfile.TemporaryDirectory()
db = os.path.join(tmp.name, 'flow.db')
mail_dir = os.path.join(tmp.name, 'mail')
os.mkdir(mail_dir)
srv = smtp_server.Server(mail_dir, USER, PASSWORD).start()


def run(args, data=b'', env=None):
    full = dict(os.environ)
    full.pop('CHORUSACCT_SMTP_PASSWORD', None)
    full.update(env or {})
    return subprocess.run([tool, '--db', db, '--activation-url', URL] + args,
                          input=data, capture_output=True, env=full)


def signup(email, siret):
    p = run(['--no-captcha', 'signup', '--login-email', email,
             '--first-name', 'Marie', '--last-name', 'Curie',
             '--id-type', 'SIRET', '--id', siret, '--accept-terms'])
    expect('signup ' + email, p.returncode == 0, p.stderr)


def deliver(args, env=None):
    """The counts printed by deliver, or None."""
    p = run(['deliver', '--from', FROM] + args, env=env)
    if p.returncode != 0:
        print('deliver:', p.stderr.decode(errors='replace'))
        return None
    return dict(line.split(': ') for line in p.stdout.decode().splitlines())


def description(n):
    raw, text = srv.message(n)
    head, _, body = text.partition('\n\n')
    fields = {}
    for line in head.split('\n'):
        key, _, value = line.partition(': ')
        fields.setdefault(key, value)
    return fields, body


def activation_token(email):
    """The token of the last activation message received for email."""
    token = None
    for n in range(1, srv.handler.count + 1):
        fields, body = description(n)
        if fields['rcpt'] == email and fields['h-x-chorusacct-kind'] == '2':
            m = re.search(r'https://portal\.test/activate\?token=(\S+)', body)
            token = m.group(1) if m else None
    return token


def activate(token):
    pw = b'Correct-Horse-42\n'
    p = run(['activate'], token.encode() + b'\n' + pw + pw)
    return p.returncode == 0 and p.stdout.decode().endswith('\tactive\n')


# Probe: a tool built without SMTP says so.
p = run(['deliver', '--smtp', 'smtp://127.0.0.1:1', '--smtp-tls', 'none'])
if b'UNSUPPORTED' in p.stderr:
    print('skip: the library is built without SMTP')
    srv.stop()
    sys.exit(77)

# Clear text: every queued message arrives; the link activates.
signup('marie.curie@example.fr', '73282932000074')
counts = deliver(['--smtp', 'smtp://127.0.0.1:%d' % srv.plain,
                  '--smtp-tls', 'none'])
expect('plain deliver', counts is not None and int(counts['sent']) >= 1 and
       counts['dead'] == '0' and counts['retried'] == '0', counts)
expect('plain received', counts is not None and
       srv.handler.count == int(counts['sent']), srv.handler.count)
first = description(1)[0]
expect('envelope', first['mail-from'] == 'noreply@chorus.example' and
       first['rcpt'] == 'marie.curie@example.fr' and first['tls'] == 'no',
       first)
expect('headers', first['h-from'] == FROM and first['defects'] == '0' and
       first['charset'] == 'utf-8', first)
token = activation_token('marie.curie@example.fr')
expect('token', token is not None)
expect('activate', token is not None and activate(token))

if srv.cert is not None:
    # STARTTLS (smtp:// defaults to it), password from a file.
    pwfile = os.path.join(tmp.name, 'password')
    with open(pwfile, 'w') as f:
        f.write(PASSWORD + '\n')
    os.chmod(pwfile, 0o600)
    before = srv.handler.count
    signup('pierre.curie@example.fr', '40483304800022')
    counts = deliver(['--smtp', 'smtp://127.0.0.1:%d' % srv.starttls,
                      '--smtp-user', USER, '--smtp-password-file', pwfile,
                      '--smtp-ca', srv.cert])
    expect('starttls deliver', counts is not None and
           int(counts['sent']) >= 1 and counts['dead'] == '0', counts)
    last = description(srv.handler.count)[0]
    expect('starttls session', srv.handler.count > before and
           last['tls'] == 'yes' and last['auth'] == USER, last)

    # Implicit TLS, password from the environment.
    signup('irene.curie@example.fr', '35600000000048')
    counts = deliver(['--smtp', 'smtps://127.0.0.1:%d/' % srv.implicit,
                      '--smtp-user', USER, '--smtp-ca', srv.cert],
                     env={'CHORUSACCT_SMTP_PASSWORD': PASSWORD})
    expect('implicit deliver', counts is not None and
           int(counts['sent']) >= 1, counts)
    last = description(srv.handler.count)[0]
    expect('implicit session', last['tls'] == 'yes' and
           last['auth'] == USER and
           last['rcpt'] == 'irene.curie@example.fr', last)
    token = activation_token('irene.curie@example.fr')
    expect('activate over TLS', token is not None and activate(token))

    # Issue 12, point 13: the environment's own copy of the password is
    # wiped as soon as the tool has read it: /proc/PID/environ, read by
    # the server while the tool waits for its answer to AUTH, no longer
    # holds it.
    signup('eve.joliot@example.fr', '73282932000074')
    full = dict(os.environ)
    full['CHORUSACCT_SMTP_PASSWORD'] = PASSWORD
    proc = subprocess.Popen(
        [tool, '--db', db, '--activation-url', URL, 'deliver', '--from',
         FROM, '--smtp', 'smtps://127.0.0.1:%d' % srv.implicit,
         '--smtp-user', USER, '--smtp-ca', srv.cert],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full)
    seen = []
    srv.on_auth = lambda: seen.append(
        open('/proc/%d/environ' % proc.pid, 'rb').read())
    out, err = proc.communicate()
    srv.on_auth = None
    expect('watched deliver', proc.returncode == 0 and b'sent: ' in out,
           out + err)
    expect('environment read at AUTH', len(seen) >= 1, seen)
    expect('password wiped from the environment',
           seen and all(PASSWORD.encode() not in e for e in seen),
           [e[-80:] for e in seen[:1]])

    # A wrong password: retried later, the reason in the outbox.
    signup('eve.curie@example.fr', '55210055400013')
    counts = deliver(['--smtp', 'smtps://127.0.0.1:%d' % srv.implicit,
                      '--smtp-user', USER, '--smtp-ca', srv.cert],
                     env={'CHORUSACCT_SMTP_PASSWORD': 'wrong'})
    expect('wrong password retried', counts is not None and
           counts['sent'] == '0' and int(counts['retried']) >= 1, counts)
    out = run(['outbox']).stdout.decode()
    expect('535 in outbox', 'smtp: 535 5.7.8' in out and
           'eve.curie@example.fr' in out, out)
    expect('no password in outbox', 'wrong' not in out, out)

# A refused recipient: dead letter, the server's words in the outbox.
srv.handler.script_rcpt('nobody@example.fr', '550 5.1.1 no such user')
signup('nobody@example.fr', '44306184100047')
counts = deliver(['--smtp', 'smtp://127.0.0.1:%d' % srv.plain,
                  '--smtp-tls', 'none'])
expect('dead letter', counts is not None and int(counts['dead']) >= 1 and
       counts['sent'] == '0', counts)
dead = [line.split('\t') for line in run(['outbox']).stdout.decode()
        .splitlines() if '\tdead\t' in line]
expect('outbox dead', dead and all(
    d[3] == 'nobody@example.fr' and
    d[6] == 'smtp: 550 5.1.1 no such user (after RCPT TO)' for d in dead),
    dead)

# Usage errors: exit 2, a message, nothing sent.
for args, env in [(['--smtp', 'http://127.0.0.1:25'], None),
                  (['--smtp', 'smtp://127.0.0.1:99999'], None),
                  (['--smtp', 'smtp://127.0.0.1:25/x/y'], None),
                  (['--smtp', 'smtps://127.0.0.1', '--smtp-tls', 'none'],
                   None),
                  (['--smtp', 'smtp://127.0.0.1', '--smtp-tls', 'maybe'],
                   None),
                  (['--smtp', 'smtp://127.0.0.1', '--smtp-user', USER],
                   None),
                  (['--smtp', 'smtp://127.0.0.1', '--smtp-tls', 'none',
                    '--smtp-user', USER], {'CHORUSACCT_SMTP_PASSWORD': 'x'}),
                  (['--smtp', 'smtp://127.0.0.1', '--maildir', tmp.name],
                   None)]:
    p = run(['deliver'] + args, env=env)
    expect('usage %r' % args, p.returncode == 2 and p.stderr, p)

srv.stop()
finish()
