#!/usr/bin/env python3
"""A scriptable SMTP server on loopback for the tests of the SMTP mailer,
built on aiosmtpd (Debian's python3-aiosmtpd). Run it with /usr/bin/python3.

It listens on three ephemeral ports of 127.0.0.1:
  plain     no TLS offered, no authentication;
  starttls  STARTTLS offered and required, then AUTH PLAIN/LOGIN required;
  implicit  TLS from the first byte, then AUTH LOGIN required.
The certificate is self-signed, made at start with the openssl tool, for
the address 127.0.0.1 only. Without openssl only the plain port exists.

Each accepted message is kept in the folder as N.eml (the bytes received,
dot-unstuffing undone by the server) and N.txt, what an independent
reader (Python's email package) makes of it:
    mail-from: ADDRESS        envelope sender
    rcpt: ADDRESS             one line per envelope recipient
    tls: yes|no
    auth: LOGIN|-             the login, and
    auth-mechanism: NAME|-    the SASL mechanism it used
    helo: NAME
    defects: N                problems the parser found
    h-NAME: VALUE             each header, decoded (RFC 2047), name lowered
    date-epoch: SECONDS       the Date header as Unix time
    content-type: TYPE        and charset: CHARSET
    <empty line>
    the body, decoded (quoted-printable and UTF-8), lines ending in LF

Replies can be scripted (all rules are case-insensitive on addresses):
    data N REPLY     answer REPLY (e.g. "451 4.3.0 try later") to the next
                     N messages instead of accepting them ('|' separates
                     the lines of a multi-line reply)
    rcpt ADDR REPLY  answer REPLY to RCPT TO:<ADDR>
    reset            forget the rules and the messages
    count            print the number of messages kept

As a program (`smtp_server.py FOLDER USER PASSWORD`) it prints
    ready PLAIN STARTTLS IMPLICIT CERTFILE
('-' for what is missing), then reads commands on standard input, one a
line, and answers each with one line ('ok', or the count); it stops at the
end of its input. It exits 77 when aiosmtpd is missing.
"""
import asyncio
import email
import email.policy
import email.utils
import logging
import os
import shutil
import ssl
import subprocess
import sys
import threading
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:  # pragma: no cover
    SMTP = None


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 (only: the name localhost
    does not match it), or None."""
    openssl = shutil.which('openssl')
    if openssl is None:
        return None
    cert = os.path.join(folder, 'cert.pem')
    key = os.path.join(folder, 'key.pem')
    r = subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048',
                        '-nodes', '-keyout', key, '-out', cert, '-days', '2',
                        '-subj', '/CN=chorusacct test server',
                        '-addext', 'subjectAltName=IP:127.0.0.1'],
                       capture_output=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr.decode(errors='replace'))
        return None
    return cert, key


def describe(raw, session, envelope, tls):
    """What a reader makes of one message, as the lines of N.txt."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = ['mail-from: %s' % envelope.mail_from]
    out += ['rcpt: %s' % r for r in envelope.rcpt_tos]
    out.append('tls: %s' % ('yes' if tls else 'no'))
    login, mechanism = (session.auth_data if session.authenticated
                        else ('-', '-'))
    out.append('auth: %s' % login)
    out.append('auth-mechanism: %s' % mechanism)
    out.append('helo: %s' % session.host_name)
    defects = len(msg.defects)
    for name, value in msg.items():
        defects += len(getattr(value, 'defects', ()))
        # One line per header: the decoded value, unfolded.
        text = ' '.join(str(value).split('\r\n'))
        out.append('h-%s: %s' % (name.lower(), text))
    out.append('defects: %d' % defects)
    date = msg['Date']
    if date is not None:
        out.append('date-epoch: %d' %
                   int(email.utils.parsedate_to_datetime(str(date))
                       .timestamp()))
    out.append('content-type: %s' % msg.get_content_type())
    out.append('charset: %s' % msg.get_content_charset())
    body = msg.get_content() if not msg.is_multipart() else ''
    # The text's own line ends, as the sender wrote them.
    body = body.replace('\r\n', '\n')
    return '\n'.join(out) + '\n\n' + body


class Handler:
    def __init__(self, folder):
        self.folder = folder
        self.lock = threading.Lock()
        self.count = 0
        self.data_rules = []  # [remaining, reply]
        self.rcpt_rules = {}

    def reset(self):
        with self.lock:
            for i in range(1, self.count + 1):
                for ext in ('eml', 'txt'):
                    try:
                        os.unlink(os.path.join(self.folder,
                                               '%d.%s' % (i, ext)))
                    except FileNotFoundError:
                        pass
            self.count = 0
            self.data_rules = []
            self.rcpt_rules = {}

    def script_data(self, n, reply):
        with self.lock:
            self.data_rules.append([n, reply])

    def script_rcpt(self, address, reply):
        with self.lock:
            self.rcpt_rules[address.lower()] = reply

    async def handle_RCPT(self, server, session, envelope, address, options):
        with self.lock:
            reply = self.rcpt_rules.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return '250 2.1.5 OK'

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for rule in self.data_rules:
                if rule[0] > 0:
                    rule[0] -= 1
                    return rule[1]
        tls = server.transport.get_extra_info('ssl_object') is not None
        raw = envelope.original_content
        try:
            text = describe(raw, session, envelope, tls)
        except Exception as e:  # a message the reader cannot take
            text = 'error: %r\n\n' % (e,)
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.folder, str(n))
        with open(base + '.eml', 'wb') as f:
            f.write(raw)
        with open(base + '.txt.tmp', 'w', encoding='utf-8') as f:
            f.write(text)
        os.rename(base + '.txt.tmp', base + '.txt')
        return '250 2.0.0 kept as %d' % n


class Server:
    """The three listeners, on an event loop of their own thread."""

    def __init__(self, folder, user='user', password='secret'):
        self.folder = folder
        self.user = user.encode()
        self.password = password.encode()
        self.handler = Handler(folder)
        self.plain = self.starttls = self.implicit = None
        self.cert = None
        self.loop = asyncio.new_event_loop()
        self.thread = None

    def authenticate(self, server, session, envelope, mechanism, data):
        # A test's look at the client while it waits for the answer.
        if getattr(self, 'on_auth', None) is not None:
            self.on_auth()
        ok = (isinstance(data, LoginPassword) and data.login == self.user
              and data.password == self.password)
        # handled=False: aiosmtpd answers the failure itself (535).
        return AuthResult(success=ok, handled=False,
                          auth_data=(data.login.decode(), mechanism)
                          if ok else None)

    async def _start(self, tls):
        loop = self.loop

        async def listen(factory, ssl_ctx=None):
            srv = await loop.create_server(factory, '127.0.0.1', 0,
                                           ssl=ssl_ctx)
            return srv.sockets[0].getsockname()[1]

        h = self.handler
        self.plain = await listen(lambda: SMTP(h, hostname='plain.test',
                                               loop=loop))
        if tls is None:
            return
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(*tls)
        self.starttls = await listen(lambda: SMTP(
            h, hostname='starttls.test', tls_context=ctx,
            require_starttls=True, auth_required=True,
            authenticator=self.authenticate, loop=loop))
        # The transport is TLS already: aiosmtpd need not require it.
        # LOGIN only, so that clients use its two-step exchange here.
        self.implicit = await listen(lambda: SMTP(
            h, hostname='implicit.test', auth_required=True,
            auth_require_tls=False, authenticator=self.authenticate,
            auth_exclude_mechanism=['PLAIN'], loop=loop), ctx)

    def start(self):
        logging.getLogger('mail.log').setLevel(logging.CRITICAL)
        warnings.simplefilter('ignore')
        tls = make_certificate(self.folder)
        if tls is not None:
            self.cert = tls[0]
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(self._start(tls))
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(30)
        return self

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def message(self, n):
        """(raw bytes, description text) of message n, from 1."""
        base = os.path.join(self.folder, str(n))
        with open(base + '.eml', 'rb') as f:
            raw = f.read()
        with open(base + '.txt', encoding='utf-8') as f:
            return raw, f.read()


def main():
    if SMTP is None:
        print('skip: python3-aiosmtpd is not installed', flush=True)
        return 77
    folder, user, password = sys.argv[1:4]
    srv = Server(folder, user, password).start()
    dash = lambda v: '-' if v is None else str(v)  # noqa: E731
    print('ready', srv.plain, dash(srv.starttls), dash(srv.implicit),
          dash(srv.cert), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd = words[0]
        if cmd == 'reset':
            srv.handler.reset()
            answer = 'ok'
        elif cmd == 'data' and len(words) >= 3:
            srv.handler.script_data(int(words[1]),
                                    ' '.join(words[2:]).replace('|', '\r\n'))
            answer = 'ok'
        elif cmd == 'rcpt' and len(words) >= 3:
            srv.handler.script_rcpt(words[1], ' '.join(words[2:]))
            answer = 'ok'
        elif cmd == 'count':
            with srv.handler.lock:
                answer = str(srv.handler.count)
        else:
            answer = 'error: ' + line.strip()
        print(answer, flush=True)
    srv.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
