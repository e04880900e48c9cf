#!/usr/bin/env python3
"""Crash safety of the SQLite backend.

Runs tests/crash_worker (the flow in a loop on one SQLite file, delivering
into a Maildir) and kills it with SIGKILL at random moments, many times,
then checks the database through the chorusacct tool and SQLite itself:

- `PRAGMA integrity_check` is `ok`;
- no account is half-changed: the last audit event of every account leads
  to the state the account is in;
- no outbox message is lost or duplicated: every e-mail an account's
  events call for (summary and activation at sign-up, approved, summary
  and activation at approval, rejected, reminder) is in the outbox exactly
  once;
- every message marked sent is in the Maildir, and at most one message
  per kill (the one in flight) was written twice.

usage: test_crash.py WORKER TOOL [ROUNDS]
"""
import collections
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

from scriptutil import expect, finish

worker, tool = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 40
rng = random.Random(20261126)


def tool_lines(db, *args):
    p = subprocess.run([tool, '--db', db] + list(args), capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit('tool %s failed: %s' % (args, p.stderr))
    return [l.split('\t') for l in p.stdout.splitlines()]


with tempfile.TemporaryDirectory() as tmp:
    db = os.path.join(tmp, 'crash.db')
    maildir = os.path.join(tmp, 'Maildir')
    for r in range(rounds):
        p = subprocess.Popen([worker, db, maildir, str(r + 1)])
        time.sleep(rng.uniform(0.02, 0.3))
        p.kill()
        p.wait()
        expect('worker died by the kill, not by itself',
               p.returncode == -9, p.returncode)

    con = sqlite3.connect(db)
    expect('integrity_check',
           con.execute('PRAGMA integrity_check').fetchone()[0] == 'ok')
    con.close()

    accounts = tool_lines(db, 'list')
    expect('some work was done', len(accounts) > rounds, len(accounts))
    by_email = {}
    for a in accounts:
        by_email[a[2].lower()] = a
    events = collections.defaultdict(list)
    for e in tool_lines(db, 'audit'):
        events[e[1]].append(e)

    expected = collections.Counter()
    for acc_id, state, login, role, structure in accounts:
        evs = events.get(acc_id, [])
        expect('account %s has events' % acc_id, evs)
        if evs:
            moves = [e for e in evs if e[3] != e[4]]
            expect('account %s: last move leads to its state' % acc_id,
                   moves and moves[-1][4] == state,
                   (state, [e[2:5] for e in evs]))
        who = login.lower()
        for e in evs:
            kind, to = e[2], e[4]
            if kind == 'signup':
                expected[(who, 'summary')] += 1
                if to == 'awaiting_activation':
                    expected[(who, 'activation')] += 1
            elif kind == 'approve':
                expected[(who, 'approved')] += 1
                expected[(who, 'summary')] += 1
                expected[(who, 'activation')] += 1
            elif kind == 'reject':
                expected[(who, 'rejected')] += 1
            elif kind == 'resend' and e[3] == 'awaiting_activation':
                expected[(who, 'reminder')] += 1

    outbox = tool_lines(db, 'outbox')
    found = collections.Counter()
    for m in outbox:
        if m[2] in ('summary', 'activation', 'approved', 'rejected',
                    'reminder'):
            found[(m[3].lower(), m[2])] += 1
    missing = {k: v for k, v in expected.items() if found[k] < v}
    extra = {k: v for k, v in found.items() if v > expected[k]}
    expect('no message lost', not missing, list(missing.items())[:5])
    expect('no message duplicated', not extra, list(extra.items())[:5])

    # The Message-ID is an opaque key (mailer.h, message_key): a file is
    # matched to the outbox by its recipient and kind.
    kinds = {'1': 'summary', '2': 'activation', '3': 'approval_request',
             '4': 'approved', '5': 'rejected', '6': 'reminder',
             '7': 'already_exists', '8': 'claim_notice'}
    files = collections.Counter()
    new = os.path.join(maildir, 'new')
    for name in os.listdir(new):
        with open(os.path.join(new, name), 'rb') as f:
            head = f.read(4096).decode('ascii', 'replace')
        to = re.search(r'^To: (.*?)\r?$', head, re.M)
        kind = re.search(r'^X-Chorusacct-Kind: (\d+)', head, re.M)
        if to and kind:
            files[(to.group(1).strip().lower(),
                   kinds.get(kind.group(1), kind.group(1)))] += 1
    sent = collections.Counter((m[3].lower(), m[2]) for m in outbox
                               if m[1] == 'sent')
    unwritten = {k: v for k, v in sent.items() if files[k] < v}
    expect('every sent message was written', not unwritten,
           list(unwritten.items())[:5])
    twice = sum(files.values()) - sum(sent.values())
    expect('at most one message in flight per kill written twice',
           0 <= twice <= rounds, twice)
    print('%d kills, %d accounts, %d messages (%d sent), %d events' %
          (rounds, len(accounts), len(outbox), sum(sent.values()),
           sum(len(v) for v in events.values())))

finish()
