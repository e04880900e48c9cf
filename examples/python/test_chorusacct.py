#!/usr/bin/env python3
"""Tests of the Python binding (chorusacct.py) against the library just
built: version check, ctypes mirrors and prototypes against the headers
and the C compiler, every validator, the whole account flow, a mailer
written in Python, the test clock driving expiry and the sweep, SQLite
storage.

    CHORUSACCT_LIBRARY=build/lib/libchorusacct.so \\
        python3 examples/python/test_chorusacct.py [--layout EXE]
        [--check-ffi tests/check-ffi.py --headers include] [unittest args]

--layout names the program that tests/check-ffi.py --layout-c generates
(the layout of every record and the value of every enum member as the
compiler sees them); --check-ffi and --headers let the prototypes be
compared with the headers. Without them those tests are skipped.

--installed tests the package that pip installed (in the environment of
the Python that runs this file) instead of the module beside this file;
tests/install-test.sh runs it so, in a fresh virtual environment, against
the installed library.
"""
import ctypes
import ctypes.util
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import unittest

ARGS = {'--layout': None, '--check-ffi': None, '--headers': None,
        '--installed': False}


def _take_args():
    rest = [sys.argv[0]]
    it = iter(sys.argv[1:])
    for a in it:
        if a == '--installed':
            ARGS[a] = True
        elif a in ARGS:
            ARGS[a] = next(it)
        else:
            rest.append(a)
    sys.argv[:] = rest


_take_args()
if os.environ.get('CHORUSACCT_TEST_SKIP'):
    print('skipped:', os.environ['CHORUSACCT_TEST_SKIP'])
    sys.exit(77)  # meson's "skipped"

HERE = os.path.dirname(os.path.abspath(__file__))
if ARGS['--installed']:
    # The installed package, not the module beside this file.
    sys.path[:] = [p for p in sys.path
                   if os.path.abspath(p or os.curdir) != HERE]
import chorusacct as ca  # noqa: E402
if ARGS['--installed'] and \
        os.path.dirname(os.path.abspath(ca.__file__)) == HERE:
    sys.exit('test_chorusacct.py --installed: imported ' + ca.__file__)
from chorusacct import (ConfigFlag, Field, IdType, Lang, MailKind,  # noqa
                        MailResult, MessageStatus, PwClass, PwRule, Role,
                        State, Status, EventType)

T0 = 1795687200  # 2026-11-26T10:00:00Z, as the C tests
GOOD_PW = 'Correct-Horse-42'


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        v = int(ch) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def siret_of(n):
    """A valid SIRET made from n (a different SIREN for every n < 10^8),
    as tests/flowutil.c makes them."""
    head = '%08d' % (n % 100000000)
    siren = next(head + c for c in '0123456789' if luhn_ok(head + c))
    return next(siren + '0001' + c for c in '0123456789'
                if luhn_ok(siren + '0001' + c))


class Bench:
    """The C tests' bench in Python: in-memory store, capturing mailer,
    settable clock, seeded random, fast argon2 limits."""

    def __init__(self, flags=ConfigFlag.NO_CAPTCHA, mailer=None,
                 storage=None):
        self.store = storage or ca.MemStore()
        self.mail = mailer or ca.TestMailer()
        self.clock = ca.TestClock(T0)
        self.rnd = ca.TestRandom(42)
        self.ctx = self.context(flags)

    def context(self, flags=ConfigFlag.NO_CAPTCHA):
        return ca.Context(
            storage=self.store, mailer=self.mail, clock=self.clock,
            random=self.rnd, flags=flags,
            pwhash_opslimit=1, pwhash_memlimit=8192,  # libsodium's minimum
            activation_url='https://portal.test/activate?token={token}')

    def close(self):
        # Parts first: they stay alive until the context is closed.
        for part in (self.store, self.mail, self.clock, self.rnd):
            if hasattr(part, 'close'):
                part.close()
        self.ctx.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def signup(self, email, siret, first='Marie', last='Curie', **extra):
        fields = dict(login_email=email, first_name=first, last_name=last,
                      phone='06 12 34 56 78', accept_terms=True,
                      id_type=IdType.SIRET, identifier=siret, lang=Lang.FR)
        fields.update(extra)
        return self.ctx.signup(**fields)

    def make_manager(self, email, siret):
        account_id, state = self.signup(email, siret)
        assert state == State.AWAITING_ACTIVATION
        self.ctx.deliver()
        self.ctx.activate(self.mail.last_token(email), GOOD_PW)
        return account_id


# ----------------------------------------------------------------- loading

class VersionTest(unittest.TestCase):
    def test_version(self):
        v = ca.version()
        major, minor, patch = (int(x) for x in v.split('.'))
        self.assertEqual((major, minor), ca.WRITTEN_FOR)
        self.assertEqual(ca.version_number(),
                         major * 10000 + minor * 100 + patch)

    def _import_with(self, library):
        env = dict(os.environ, CHORUSACCT_LIBRARY=library)
        return subprocess.run(
            [sys.executable, '-c', 'import chorusacct'], env=env,
            cwd=os.path.dirname(os.path.abspath(ca.__file__)),
            capture_output=True, text=True)

    def test_layouts_checked_at_import(self):
        # Every mirror of a versioned record has the library's size, and a
        # mirror that does not is refused at import.
        for t in ca.Type:
            self.assertGreater(ca.type_size(t), 0, t.name)
            cls = getattr(ca, 'chorusacct_' + t.name.lower(), None)
            if cls is not None:
                self.assertEqual(ca.type_size(t), ctypes.sizeof(cls), t.name)
        self.assertEqual(ca.type_size(0), 0)
        saved = ca.chorusacct_account

        class chorusacct_account(ctypes.Structure):
            _fields_ = [('struct_size', ctypes.c_uint32),
                        ('wrong', ctypes.c_char * 4096)]
        ca.chorusacct_account = chorusacct_account
        try:
            with self.assertRaisesRegex(ImportError, 'chorusacct_account'):
                ca._check_layouts()
        finally:
            ca.chorusacct_account = saved
        ca._check_layouts()

    def test_features(self):
        for f in ca.Feature:
            self.assertIn(ca.feature_available(f), (True, False))
        self.assertFalse(ca.feature_available(0))

    def test_install_libdir_is_used(self):
        # The libdir that setup.py records at pip install is where the
        # library is looked for when CHORUSACCT_LIBRARY is not set, before
        # the loader's search path; a recorded folder that is gone is
        # passed over.
        libdir = os.path.dirname(os.path.realpath(ca.lib._name))
        if not os.path.exists(os.path.join(libdir, 'libchorusacct.so.0')):
            self.skipTest('no libchorusacct.so.0 beside ' + ca.lib._name)
        with open(ca.__file__, encoding='utf-8') as f:
            text = f.read()
        self.assertIn('\n_INSTALL_LIBDIR = ', text)
        env = {k: v for k, v in os.environ.items()
               if k not in ('CHORUSACCT_LIBRARY', 'LD_LIBRARY_PATH',
                            'PYTHONPATH')}
        probe = 'import chorusacct; print(chorusacct.lib._name)'
        with tempfile.TemporaryDirectory() as d:
            for recorded, want in ((libdir, libdir), ('/nonexistent', None)):
                with open(os.path.join(d, 'chorusacct.py'), 'w',
                          encoding='utf-8') as f:
                    f.write(re.sub(r'(?m)^_INSTALL_LIBDIR = .*$',
                                   '_INSTALL_LIBDIR = %r' % recorded, text))
                r = subprocess.run([sys.executable, '-c', probe], env=env,
                                   cwd=d, capture_output=True, text=True)
                if want:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(
                        r.stdout.strip(),
                        os.path.join(libdir, 'libchorusacct.so.0'))
                else:
                    self.assertNotIn('/nonexistent', r.stdout + r.stderr)

    def test_missing_library(self):
        r = self._import_with('/nonexistent/libchorusacct.so')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn('ImportError', r.stderr)
        self.assertIn('CHORUSACCT_LIBRARY', r.stderr)

    def test_not_the_library(self):
        # The C library itself: loadable, but no chorusacct_version.
        libc = ctypes.util.find_library('c')
        if libc is None:
            self.skipTest('no libc name')
        r = self._import_with(libc)
        self.assertIn('ImportError', r.stderr)
        self.assertIn('is not libchorusacct', r.stderr)

    def test_version_rule(self):
        self.assertTrue(ca._compatible('0.1.0'))
        self.assertTrue(ca._compatible('0.1.7'))
        self.assertTrue(ca._compatible('0.3.0'))  # functions were added
        self.assertFalse(ca._compatible('0.0.9'))
        self.assertFalse(ca._compatible('1.1.0'))  # incompatible change
        self.assertFalse(ca._compatible('zero'))


# ------------------------------------------------- mirrors and prototypes

class LayoutTest(unittest.TestCase):
    """Every ctypes mirror has the size, alignment, member offsets and
    member sizes the C compiler gives the record; every enum member has
    the same value in Python and in C, and none is missing."""

    @classmethod
    def setUpClass(cls):
        if not ARGS['--layout']:
            raise unittest.SkipTest('no --layout program')
        out = subprocess.run([ARGS['--layout']], check=True,
                             capture_output=True, text=True).stdout
        cls.records, cls.members, cls.enums = {}, {}, {}
        for line in out.splitlines():
            kind, name, *nums = line.split()
            nums = [int(x) for x in nums]
            if kind == 'record':
                cls.records[name] = nums
            elif kind == 'member':
                cls.members[name] = nums
            else:
                cls.enums[name] = nums[0]

    def test_records(self):
        self.assertGreaterEqual(len(self.records), 20)
        for name, (size, align) in self.records.items():
            mirror = getattr(ca, name, None)
            self.assertIsNotNone(mirror, 'no mirror of ' + name)
            self.assertEqual(ctypes.sizeof(mirror), size, name)
            self.assertEqual(ctypes.alignment(mirror), align, name)
            c_members = [m.split('.', 1)[1] for m in self.members
                         if m.split('.', 1)[0] == name]
            py_members = [f[0] for f in mirror._fields_]
            self.assertEqual(py_members, c_members, name)
            for f in py_members:
                offset, msize = self.members['%s.%s' % (name, f)]
                desc = getattr(mirror, f)
                self.assertEqual((desc.offset, desc.size), (offset, msize),
                                 '%s.%s' % (name, f))

    def test_enums(self):
        c_by_enum = {}
        for key, value in self.enums.items():
            enum_name, member = key.split('.')
            c_by_enum.setdefault(enum_name, {})[member] = value
        self.assertEqual(sorted(c_by_enum), sorted(ca.C_ENUMS))
        for enum_name, (cls, prefix) in ca.C_ENUMS.items():
            want = {}
            for member, value in c_by_enum[enum_name].items():
                short = 'OK' if member == 'CHORUSACCT_OK' else \
                    member[len(prefix):]
                self.assertTrue(member == 'CHORUSACCT_OK' or
                                member.startswith(prefix), member)
                want[short] = value
            got = {n: m.value for n, m in cls.__members__.items()}
            self.assertEqual(got, want, enum_name)


def _load_check_ffi():
    if not ARGS['--check-ffi'] or not ARGS['--headers']:
        raise unittest.SkipTest('no --check-ffi and --headers')
    spec = importlib.util.spec_from_file_location('check_ffi',
                                                  ARGS['--check-ffi'])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod, mod.load_dir(ARGS['--headers'])


SCALARS = {'int': ctypes.c_int, 'uint32_t': ctypes.c_uint32,
           'int32_t': ctypes.c_int32, 'int64_t': ctypes.c_int64,
           'uint64_t': ctypes.c_uint64, 'size_t': ctypes.c_size_t,
           'uint8_t': ctypes.c_uint8, 'char': ctypes.c_char}


class PrototypeTest(unittest.TestCase):
    """The module declares every public function, with the argtypes and
    restype that the header's types call for."""

    @classmethod
    def setUpClass(cls):
        cls.cf, cls.model = _load_check_ffi()

    def expected(self, t):
        m = self.model
        b = t.base[0]
        if t.pointers == 0:
            return None if b == 'void' else SCALARS[b]
        if t.pointers == 1:
            if b in ('char', 'uint8_t'):
                return ctypes.c_char_p if t.const else \
                    ctypes.POINTER(ctypes.c_char)
            if b in m.opaque:
                return ctypes.c_void_p
            if b in m.records:
                return ctypes.POINTER(getattr(ca, b))
            return ctypes.POINTER(SCALARS[b])
        if t.pointers == 2 and b in m.opaque:
            return ctypes.POINTER(ctypes.c_void_p)
        if t.pointers == 2 and b == 'char' and t.const:
            return ctypes.POINTER(ctypes.c_char_p)
        self.fail('no ctypes type for ' + t.c())

    def test_every_function(self):
        self.assertEqual(self.model.violations, [])
        self.assertEqual(sorted(ca._PROTOTYPES), sorted(self.model.functions))
        for name, f in self.model.functions.items():
            fn = ca._fn(name)
            self.assertIs(fn.restype, self.expected(f.ret), name)
            self.assertEqual(list(fn.argtypes),
                             [self.expected(p) for _, p in f.params], name)

    def test_record_members(self):
        for name, rec in self.model.records.items():
            fields = dict(getattr(ca, name)._fields_)
            for mname, t, _ in rec.members:
                got = fields[mname]
                if t.fnptr is not None:
                    self.assertEqual(len(got._argtypes_), len(t.fnptr),
                                     '%s.%s' % (name, mname))
                    self.assertIs(got._argtypes_[0], ctypes.c_void_p)
                    self.assertIs(got._restype_, self.expected(t.ret)
                                  if t.ret.pointers == 0 else
                                  got._restype_)
                elif t.array is not None:
                    elem = getattr(ca, t.base[0], None) or SCALARS[t.base[0]]
                    self.assertIs(got._type_, elem, '%s.%s' % (name, mname))
                elif t.pointers == 0:
                    self.assertIs(got, SCALARS[t.base[0]],
                                  '%s.%s' % (name, mname))


# ------------------------------------------------------------ status codes

class StatusTest(unittest.TestCase):
    def test_names_and_messages(self):
        for code in Status:
            self.assertEqual(ca.status_name(code), code.name)
            self.assertEqual(ca.status_from_name(code.name), code)
            en, fr = ca.strerror(code, Lang.EN), ca.strerror(code, Lang.FR)
            self.assertTrue(en.endswith('.') and fr.endswith('.'), code)
            if code != Status.OK:
                self.assertNotEqual(en, fr, code)
        self.assertEqual(ca.status_from_name('CHORUSACCT_E_CHECKSUM'),
                         Status.CHECKSUM)
        with self.assertRaises(ca.ChorusacctError) as cm:
            ca.status_from_name('NO_SUCH_CODE')
        self.assertEqual(cm.exception.code, Status.NOTFOUND)
        self.assertEqual(cm.exception.name, 'NOTFOUND')
        self.assertEqual(ca.status_name(-9999), 'UNKNOWN')

    def test_lang(self):
        self.assertIs(ca.lang_from_tag('fr_CA.UTF-8'), Lang.FR)
        self.assertIs(ca.lang_from_tag('en-GB'), Lang.EN)
        with self.assertRaises(ca.ChorusacctError):
            ca.lang_from_tag('de')

    def test_error_object(self):
        e = ca.ChorusacctError(Status.STORAGE, 'begin failed')
        self.assertEqual(e.code, Status.STORAGE)
        self.assertIn('STORAGE', str(e))
        self.assertIn('begin failed', str(e))
        self.assertEqual(e.message(Lang.FR), e.message_fr)
        r = ca.Rejected(Status.CHECKSUM)
        self.assertIsInstance(r, ca.ChorusacctError)
        self.assertEqual((r.status, r.reason, r.name),
                         (Status.REJECTED, Status.CHECKSUM, 'CHECKSUM'))


# -------------------------------------------------------------- validators

class ValidatorTest(unittest.TestCase):
    def refused(self, fn, value, name, *args, **kw):
        with self.assertRaises(ca.Rejected) as cm:
            fn(value, *args, **kw)
        e = cm.exception
        self.assertEqual(e.name, name, value)
        self.assertEqual(e.code, Status[name])
        self.assertEqual(e.message_en, ca.strerror(Status[name], Lang.EN))
        self.assertEqual(e.message_fr, ca.strerror(Status[name], Lang.FR))
        self.assertNotEqual(e.message_en, e.message_fr)
        return e

    def test_identifiers(self):
        cases = [
            (ca.validate_siren, '552 008 443', '552008443',
             '404833047', 'CHECKSUM'),
            (ca.validate_siret, '732 829 320 00074', '73282932000074',
             '73282932000075', 'CHECKSUM'),
            (ca.validate_tva, 'fr 44 732 829 320', 'FR44732829320',
             'FR45732829320', 'CHECKSUM'),
            (ca.tva_from_siren, '732829320', 'FR44732829320',
             '73282932', 'LENGTH'),
            (ca.validate_ridet, '1234567.001', '1234567001',
             '12345.001', 'LENGTH'),
            (ca.validate_tahiti, 'A12345001', 'A12345001',
             'A1234500', 'LENGTH'),
            (ca.validate_hors_ue, 'usacme', 'USACME', 'FRACME', 'COUNTRY'),
            (ca.validate_vat, 'be 428 759 497', 'BE0428759497',
             'BE0428759498', 'CHECKSUM'),
        ]
        for fn, good, norm, bad, reason in cases:
            with self.subTest(fn=fn.__name__):
                self.assertEqual(fn(good), norm)
                self.assertEqual(fn(good.encode()), norm)
                self.refused(fn, bad, reason)
                self.refused(fn, '', 'EMPTY')
        self.refused(ca.validate_siret, '732 829 320 00074', 'SEPARATOR',
                     strict=True)
        self.assertEqual(ca.validate_siret('73282932000074', strict=True),
                         '73282932000074')
        # Messages say what is expected, in both languages.
        e = self.refused(ca.validate_siret, '73282932000075', 'CHECKSUM')
        self.assertIn('clé de contrôle', e.message_fr)
        self.assertIn('check digits', e.message_en)

    def test_identifier_types(self):
        self.assertEqual(ca.validate_identifier(IdType.SIRET,
                                                '73282932000074'),
                         '73282932000074')
        self.assertEqual(ca.validate_identifier(IdType.AUTRE, ''), '')
        self.refused(lambda v: ca.validate_identifier(IdType.AUTRE, v),
                     'x', 'NOVALUE')
        self.refused(lambda v: ca.validate_identifier(99, v), '1', 'TYPE')
        self.assertEqual(ca.identifier_name(IdType.HORS_UE), 'HORS_UE')
        self.assertEqual(ca.identifier_name(99), 'unknown')
        self.assertEqual(ca.identifier_label(99, Lang.FR), 'Inconnu')
        self.assertEqual(ca.identifier_hint(99), '')
        self.assertFalse(ca.identifier_has_value(IdType.PARTICULIER))
        self.assertTrue(ca.identifier_has_value(IdType.SIRET))
        self.assertIs(ca.identifier_has_value(99), False)
        self.assertEqual(ca.identifier_split(IdType.SIRET, '73282932000074'),
                         ('732829320', '00074'))
        self.assertNotEqual(ca.identifier_label(IdType.SIRET, Lang.FR), '')
        self.assertIn('14', ca.identifier_hint(IdType.SIRET, Lang.EN))
        self.assertIsNotNone(ca.vat_hint('DE', Lang.FR))
        self.assertEqual(ca.vat_hint('US'), '')
        # Accents removed, the first 16 letters and digits kept.
        self.assertEqual(ca.hors_ue_build('us', 'Société Générale Ltd.'),
                         'USSOCIETEGENERALEL')
        self.refused(lambda v: ca.hors_ue_build('FR', v), 'Acme', 'COUNTRY')

    def test_contact_fields(self):
        self.assertEqual(ca.validate_email('Jean.Dupont@Example.FR'),
                         'Jean.Dupont@example.fr')
        self.refused(ca.validate_email, 'marié@example.fr', 'EMAIL_NONASCII')
        self.refused(ca.validate_email, 'jean.example.fr', 'EMAIL_AT')
        self.assertTrue(ca.email_same('A@B.fr', 'a@b.FR'))
        self.assertFalse(ca.email_same('a@b.fr', 'a@c.fr'))
        self.assertEqual(ca.validate_phone('06 12 34 56 78'),
                         '+33612345678')
        self.assertEqual(ca.validate_phone('+33 (0)6 12 34 56 78'),
                         '+33612345678')
        self.refused(ca.validate_phone, '06 12 34 56', 'PHONE_LENGTH')
        self.refused(ca.validate_phone, '06 12 34 56 78', 'SEPARATOR',
                     strict=True)
        self.assertEqual(ca.validate_name('  Élodie '), 'Élodie')
        self.refused(ca.validate_name, 'Jean2', 'NAME_CHARACTER')
        self.refused(ca.validate_name, '-', 'NAME_LETTER')
        self.refused(ca.validate_name, b'\xff', 'UTF8')

    def test_password(self):
        self.assertEqual(ca.check_password(GOOD_PW),
                         PwClass.UPPER | PwClass.LOWER | PwClass.DIGIT |
                         PwClass.SPECIAL)
        e = self.refused(ca.check_password, 'short', 'PASSWORD_SHORT')
        self.assertEqual(e.failed_rules, PwRule.SHORT | PwRule.CLASSES)
        self.assertEqual(e.classes, PwClass.LOWER)
        e = self.refused(ca.check_password, 'alllowercaseletters',
                         'PASSWORD_CLASSES')
        self.assertEqual(e.failed_rules, PwRule.CLASSES)
        ca.check_password_personal(GOOD_PW, 'marie@example.fr', 'Marie',
                                   'Curie')
        e = self.refused(ca.check_password_personal, 'xMarie-2024!!',
                         'PASSWORD_PERSONAL', 'm@example.fr', 'marie')
        self.assertEqual(e.failed_rules, PwRule.PERSONAL)
        self.assertIn('12', ca.password_rule_text(PwRule.SHORT, Lang.EN))
        self.assertEqual(ca.password_rule_text(3), '')
        self.assertEqual(ca.password_class_name(3, Lang.FR), 'Inconnu')
        self.assertEqual(ca.password_class_name(PwClass.UPPER, Lang.EN),
                         'upper-case letters')


class NamesTest(unittest.TestCase):
    def test_names(self):
        self.assertEqual(ca.state_name(State.PENDING_APPROVAL),
                         'pending_approval')
        self.assertEqual(ca.state_name(0), 'unknown')
        self.assertEqual(ca.state_label(0, Lang.EN), 'Unknown')
        self.assertEqual(ca.event_name(99), 'unknown')
        self.assertEqual(ca.field_name(-1), 'unknown')
        self.assertEqual(ca.role_name(0), 'unknown')
        self.assertEqual(ca.mail_kind_name(0), 'unknown')
        self.assertEqual(ca.message_status_name(99), 'unknown')
        self.assertEqual(ca.event_name(EventType.SIGNUP), 'signup')
        self.assertEqual(ca.field_name(Field.LOGIN_EMAIL), 'login_email')
        self.assertEqual(ca.role_name(Role.PRINCIPAL), 'principal')
        self.assertEqual(ca.mail_kind_name(MailKind.ACTIVATION),
                         'activation')
        self.assertEqual(ca.message_status_name(MessageStatus.DEAD), 'dead')
        self.assertNotEqual(ca.state_label(State.ACTIVE, Lang.FR),
                            ca.state_label(State.ACTIVE, Lang.EN))

    def test_state_machine(self):
        rows = ca.transitions()
        self.assertIn((State.PENDING_APPROVAL, State.AWAITING_ACTIVATION,
                       EventType.APPROVE), rows)
        self.assertIn((State.AWAITING_ACTIVATION, State.ACTIVE,
                       EventType.ACTIVATE), rows)
        self.assertNotIn((State.ACTIVE, State.PENDING_APPROVAL,
                          EventType.APPROVE), rows)
        dot = ca.state_diagram(Lang.EN)  # > 256 bytes: the buffer grows
        self.assertTrue(dot.startswith('digraph'))
        self.assertIn('pending_approval', dot)
        subject, body = ca.template_default(MailKind.ACTIVATION, Lang.FR)
        self.assertIn('{link}', body)


# -------------------------------------------------------------- the flow

class FlowTest(unittest.TestCase):
    def setUp(self):
        self.b = Bench()
        self.ctx, self.mail = self.b.ctx, self.b.mail
        self.siret_a, self.siret_b = siret_of(1234567), siret_of(7654321)

    def tearDown(self):
        self.b.close()

    def test_whole_flow(self):
        ctx, mail, b = self.ctx, self.mail, self.b
        # 1. Lookup: the structure is not declared yet.
        self.assertIsNone(ctx.lookup(IdType.SIRET, self.siret_a))
        with self.assertRaises(ca.Rejected) as cm:
            ctx.lookup(IdType.SIRET, '73282932000075')
        self.assertEqual(cm.exception.name, 'CHECKSUM')

        # 2. Sign-up of the first declarer: a new structure.
        boss, state = b.signup('Marie.Curie@Example.FR', self.siret_a)
        self.assertEqual(state, State.AWAITING_ACTIVATION)
        acc = ctx.account(boss)
        self.assertEqual(acc.login_email, 'Marie.Curie@example.fr')
        self.assertEqual(acc.email_key, 'marie.curie@example.fr')
        self.assertEqual(acc.phone, '+33612345678')
        self.assertIs(acc.role, Role.PRINCIPAL)
        self.assertEqual(acc.expires_at, T0 + 3600)
        s = ctx.lookup(IdType.SIRET, self.siret_a.replace('0001', '0 001'))
        self.assertEqual((s.principal_id, s.id, s.identifier),
                         (boss, acc.structure_id, self.siret_a))
        self.assertEqual(ctx.structure(s.id), s)

        # 3. A form with wrong fields: all reported, nothing stored.
        before = b.store.digest()
        with self.assertRaises(ca.Rejected) as cm:
            ctx.signup(login_email='marié@example.fr', first_name='Jean2',
                       last_name='', phone='06 12 34 56',
                       contact_email='not-an-address', accept_terms=False,
                       id_type=IdType.SIRET, identifier='73282932000075')
        e = cm.exception
        self.assertEqual(
            [(fe.field, fe.name) for fe in e.field_errors],
            [(Field.LOGIN_EMAIL, 'EMAIL_NONASCII'),
             (Field.FIRST_NAME, 'NAME_CHARACTER'),
             (Field.LAST_NAME, 'EMPTY'),
             (Field.PHONE, 'PHONE_LENGTH'),
             (Field.CONTACT_EMAIL, 'EMAIL_AT'),
             (Field.TERMS, 'CONSENT'),
             (Field.IDENTIFIER, 'CHECKSUM')])
        self.assertEqual(e.code, Status.EMAIL_NONASCII)  # the first
        self.assertEqual(e.errors_by_field()[Field.TERMS].field_name,
                         'terms')
        self.assertTrue(e.field_errors[5].message_fr.endswith('.'))
        self.assertEqual(b.store.digest(), before)
        with self.assertRaises(ca.Rejected) as cm:
            b.signup('MARIE.curie@example.fr', self.siret_b)
        self.assertEqual(cm.exception.name, 'EMAIL_TAKEN')
        with self.assertRaises(TypeError):
            ctx.signup(login_mail='typo@example.fr')

        # 4. Delivery to the capturing mailer: the summary and the link.
        self.assertEqual(len(mail), 0)
        self.assertEqual(len(ctx.outbox(MessageStatus.PENDING)), 2)
        self.assertEqual(ctx.deliver(), ca.Delivery(2, 0, 0, 0))
        self.assertEqual(ctx.deliver().sent, 0)  # nothing twice
        kinds = [m.kind for m in mail.mails]
        self.assertEqual(sorted(kinds), [MailKind.SUMMARY,
                                         MailKind.ACTIVATION])
        link = mail.last_link('marie.curie@EXAMPLE.fr')
        self.assertTrue(link.startswith('https://portal.test/activate?'))
        token = mail.last_token('Marie.Curie@example.fr')
        self.assertEqual(len(token), 43)
        act = mail.to('marie.curie@example.fr', MailKind.ACTIVATION)[0]
        self.assertEqual((act.link, act.account_id, act.lang),
                         (link, boss, Lang.FR))
        self.assertIn(token, act.body)
        for m in ctx.outbox():  # the token is nowhere in storage
            self.assertNotIn(token, m.body)
            self.assertIs(m.status, MessageStatus.SENT)
        self.assertIsNone(mail.last_link('nobody@example.fr'))

        # 5. Token check (read-only, repeatable), activation.
        for _ in range(2):
            info = ctx.activation_lookup(token)
            self.assertEqual((info.account_id, info.first_name, info.state),
                             (boss, 'Marie', State.AWAITING_ACTIVATION))
        with self.assertRaises(ca.Rejected) as cm:
            ctx.activation_lookup('A' * 43)
        self.assertEqual(cm.exception.name, 'TOKEN_INVALID')
        with self.assertRaises(ca.Rejected) as cm:
            ctx.activate(token, 'short')
        self.assertEqual(cm.exception.name, 'PASSWORD_SHORT')
        self.assertEqual(cm.exception.failed_rules,
                         PwRule.SHORT | PwRule.CLASSES)
        with self.assertRaises(ca.Rejected) as cm:
            ctx.activate(token, GOOD_PW, GOOD_PW + 'x')
        self.assertEqual(cm.exception.name, 'PASSWORD_MISMATCH')
        with self.assertRaises(ca.Rejected) as cm:
            ctx.activate(token, 'Marie.Curie-2026')
        self.assertEqual(cm.exception.name, 'PASSWORD_PERSONAL')
        self.assertEqual(ctx.activate(token, GOOD_PW), boss)
        self.assertIs(ctx.account(boss).state, State.ACTIVE)
        with self.assertRaises(ca.Rejected) as cm:
            ctx.activate(token, GOOD_PW)
        self.assertEqual(cm.exception.name, 'ALREADY_ACTIVE')
        self.assertIn('ALREADY_ACTIVE', str(cm.exception))
        self.assertEqual([ev.type for ev in ctx.events(boss)],
                         [EventType.SIGNUP, EventType.ACTIVATE])

        # 6. A second applicant for the same structure waits for approval.
        mail.clear()
        jean, state = b.signup('jean@acme.fr', self.siret_a, 'Jean', 'Dupont')
        self.assertIs(state, State.PENDING_APPROVAL)
        self.assertIs(ctx.account(jean).role, Role.USER)
        ctx.deliver()
        self.assertEqual(len(mail.to('Marie.Curie@example.fr',
                                     MailKind.APPROVAL_REQUEST)), 1)
        self.assertEqual(len(mail.to('jean@acme.fr', MailKind.SUMMARY)), 1)
        self.assertIsNone(mail.last_link('jean@acme.fr'))
        with self.assertRaises(ca.Rejected) as cm:
            ctx.approve(jean, jean)
        self.assertEqual(cm.exception.name, 'NOT_MANAGER')

        # 7. Approval: the applicant gets the news and the link.
        ctx.approve(boss, jean)
        self.assertIs(ctx.account(jean).state, State.AWAITING_ACTIVATION)
        self.assertEqual(ctx.account(jean).decided_by, boss)
        ctx.deliver()
        self.assertEqual(len(mail.to('jean@acme.fr', MailKind.APPROVED)), 1)
        ctx.activate(mail.last_token('jean@acme.fr'), GOOD_PW)
        with self.assertRaises(ca.Rejected) as cm:
            ctx.approve(boss, jean)
        self.assertEqual(cm.exception.name, 'ALREADY_DECIDED')

        # 8. Rejection, with a reason the applicant receives.
        paul, _ = b.signup('paul@acme.fr', self.siret_a, 'Paul', 'Martin')
        for why in ('', '   ', None):
            with self.assertRaises(ca.Rejected) as cm:
                ctx.reject(boss, paul, why)
            self.assertEqual(cm.exception.name, 'REASON_REQUIRED')
        why = 'Vous ne faites pas partie du service comptable.'
        ctx.reject(boss, paul, why)
        self.assertIs(ctx.account(paul).state, State.REJECTED)
        ctx.deliver()
        rejected = mail.to('paul@acme.fr', MailKind.REJECTED)
        self.assertEqual(len(rejected), 1)
        self.assertIn('service comptable', rejected[0].body)
        events = ctx.events(paul)
        self.assertEqual([(ev.type, ev.from_state, ev.to_state, ev.actor_id)
                          for ev in events],
                         [(EventType.SIGNUP, 0, State.PENDING_APPROVAL, 0),
                          (EventType.REJECT, State.PENDING_APPROVAL,
                           State.REJECTED, boss)])
        self.assertEqual(events[1].reason, why)

        # 9. Login.
        self.assertEqual(ctx.login('MARIE.CURIE@example.fr', GOOD_PW), boss)
        self.assertEqual(ctx.login('jean@acme.fr', GOOD_PW), jean)
        for who, pw in (('jean@acme.fr', GOOD_PW + '!'),
                        ('nobody@acme.fr', GOOD_PW)):
            with self.assertRaises(ca.Rejected) as cm:
                ctx.login(who, pw)
            self.assertEqual(cm.exception.name, 'CREDENTIALS')
        self.assertEqual(ctx.find_account('JEAN@acme.fr').id, jean)
        self.assertIsNone(ctx.find_account('nobody@acme.fr'))
        self.assertEqual([a.id for a in ctx.accounts(state=State.ACTIVE)],
                         [boss, jean])
        self.assertEqual(len(ctx.accounts()), 3)
        with self.assertRaises(ca.ChorusacctError) as cm:
            ctx.account(9999)
        self.assertEqual(cm.exception.code, Status.NOTFOUND)
        self.assertNotIsInstance(cm.exception, ca.Rejected)

    def test_approve_many_and_roles(self):
        ctx, b = self.ctx, self.b
        boss = b.make_manager('boss@acme.fr', self.siret_a)
        ids = [b.signup('u%d@acme.fr' % i, self.siret_a)[0]
               for i in range(3)]
        ctx.reject(boss, ids[1], 'Non.')
        self.assertEqual(ctx.approve_many(boss, ids),
                         [Status.OK, Status.ALREADY_DECIDED, Status.OK])
        b.ctx.deliver()
        ctx.activate(b.mail.last_token('u0@acme.fr'), GOOD_PW)
        ctx.set_role(boss, ids[0], Role.MANAGER)
        self.assertIs(ctx.account(ids[0]).role, Role.MANAGER)
        with self.assertRaises(ca.Rejected) as cm:
            ctx.set_role(boss, boss, Role.USER)
        self.assertEqual(cm.exception.name, 'SELF')
        ctx.disable(boss, ids[0], 'parti')
        self.assertIs(ctx.account(ids[0]).state, State.DISABLED)
        ctx.enable(boss, ids[0])
        self.assertIs(ctx.account(ids[0]).state, State.ACTIVE)

    def test_captcha_required(self):
        ctx = self.b.context(flags=0)  # captcha asked
        try:
            fields = dict(login_email='n@acme.fr', first_name='Nina',
                          last_name='Bernard', accept_terms=True,
                          id_type=IdType.SIRET, identifier=self.siret_b,
                          captcha_answer='ABC234')
            for cid in (None, ''):
                with self.assertRaises(ca.Rejected) as cm:
                    ctx.signup(captcha_id=cid, **fields)
                self.assertEqual([(e.field, e.code) for e in
                                  cm.exception.field_errors],
                                 [(Field.CAPTCHA, Status.CAPTCHA_REQUIRED)])
        finally:
            ctx.close()

    def test_captcha(self):
        ctx = self.b.context(flags=0)  # captcha asked
        try:
            cid, text = ctx.captcha_issue('198.51.100.7')
            self.assertEqual(len(text), 6)
            fields = dict(login_email='c@acme.fr', first_name='Claire',
                          last_name='Bernard', accept_terms=True,
                          id_type=IdType.SIRET, identifier=self.siret_b,
                          captcha_id=cid, client_key='198.51.100.7')
            wrong = '2' * 6 if text != '2' * 6 else '3' * 6
            with self.assertRaises(ca.Rejected) as cm:
                ctx.signup(captcha_answer=wrong, **fields)
            self.assertEqual([(e.field, e.name) for e in
                              cm.exception.field_errors],
                             [(Field.CAPTCHA, 'CAPTCHA')])
            _, state = ctx.signup(captcha_answer=text.lower(), **fields)
            self.assertIs(state, State.AWAITING_ACTIVATION)
        finally:
            ctx.close()

    def test_settings(self):
        ctx = self.ctx
        self.assertEqual(ctx.get_int(ca.Option.ACTIVATION_TTL), 3600)
        ctx.set_int(ca.Option.ACTIVATION_TTL, 600)
        self.assertEqual(ctx.get_int(ca.Option.ACTIVATION_TTL), 600)
        with self.assertRaises(ca.ChorusacctError) as cm:
            ctx.set_int(ca.Option.ACTIVATION_TTL, 0)
        self.assertEqual(cm.exception.code, Status.ARG)
        # Negative values are refused, the range is published, and the
        # argon2id limits are capped (issue 12).
        self.assertEqual(ca.option_range(ca.Option.ACTIVATION_TTL),
                         (1, 10 * 366 * 86400))
        with self.assertRaises(ca.ChorusacctError) as cm:
            ctx.set_int(ca.Option.ACTIVATION_TTL, -5)
        self.assertIn('activation_ttl', ctx.last_error)
        self.assertEqual(ca.option_range(ca.Option.PWHASH_OPSLIMIT)[1], 4)
        with self.assertRaises(ca.ChorusacctError):
            ctx.set_int(ca.Option.PWHASH_OPSLIMIT, 5)
        with self.assertRaises(ca.ChorusacctError):
            ca.option_range(ca.Option.PORTAL_NAME)
        self.assertEqual(ctx.get_str(ca.Option.ACTIVATION_URL),
                         'https://portal.test/activate?token={token}')
        with self.assertRaises(ca.ChorusacctError):
            ctx.set_str(ca.Option.ACTIVATION_URL, 'https://no-token/')
        ctx.set_str(ca.Option.PORTAL_NAME, 'Portail Test')
        self.assertEqual(ctx.get_str(ca.Option.PORTAL_NAME), 'Portail Test')
        self.assertEqual(ctx.now(), T0)
        with self.assertRaises(ca.Rejected) as cm:
            ctx.set_template(MailKind.SUMMARY, Lang.EN, 'Hi', '{nope}')
        self.assertEqual(cm.exception.name, 'TEMPLATE')
        ctx.set_template(MailKind.SUMMARY, Lang.FR, 'Bonjour {first_name}',
                         'Compte {login_email}.\n')
        self.b.signup('t@acme.fr', self.siret_b, 'Théo')
        ctx.deliver()
        summary = self.mail.to('t@acme.fr', MailKind.SUMMARY)[0]
        self.assertEqual(summary.subject, 'Bonjour Théo')
        with self.assertRaises(TypeError):
            ca.Context(no_such_setting=1)
        with ca.Context(lang=Lang.FR, secret=bytes(range(32)),
                        activation_ttl=120) as other:
            self.assertEqual(other.get_int(ca.Option.LANG), Lang.FR)
            self.assertEqual(other.get_int(ca.Option.ACTIVATION_TTL), 120)
        with self.assertRaises(ca.ChorusacctError) as cm:
            ca.Context(captcha_length=99)
        self.assertEqual(cm.exception.code, Status.ARG)


# --------------------------------------------------- a mailer in Python

class FlakyMailer(ca.Mailer):
    """Fails the first sends (one way or another), then accepts."""

    def __init__(self, failures):
        super().__init__()
        self.failures = list(failures)
        self.sent = []
        self.calls = 0

    def send(self, mail):
        self.calls += 1
        if self.failures:
            how = self.failures.pop(0)
            if how == 'tempfail':
                return MailResult.TEMPFAIL
            if how == 'raise':
                raise ca.MailFailure('421 try again later')
            if how == 'permfail':
                raise ca.MailFailure('550 no such user', permanent=True)
            if how == 'bug':
                raise KeyError('oops')
        self.sent.append(mail)
        return None


class PythonMailerTest(unittest.TestCase):
    def test_retries_then_success(self):
        mailer = FlakyMailer(['tempfail', 'raise'])
        with Bench(mailer=mailer) as b:
            boss, _ = b.signup('py@acme.fr', siret_of(42))
            self.assertEqual(b.ctx.deliver(), ca.Delivery(0, 2, 0, 0))
            self.assertEqual(mailer.sent, [])
            pending = b.ctx.outbox(MessageStatus.PENDING)
            self.assertEqual([m.attempts for m in pending], [1, 1])
            self.assertEqual(pending[1].last_error, '421 try again later')
            self.assertEqual(pending[0].next_attempt_at, T0 + 60)
            self.assertEqual(b.ctx.deliver().sent, 0)  # not due yet
            b.clock.advance(60)
            self.assertEqual(b.ctx.deliver(), ca.Delivery(2, 0, 0, 0))
            self.assertEqual(mailer.calls, 4)
            act = [m for m in mailer.sent if m.kind == MailKind.ACTIVATION]
            self.assertEqual(len(act), 1)
            self.assertEqual((act[0].to, act[0].attempt), ('py@acme.fr', 2))
            token = act[0].link.split('token=')[1]
            self.assertIn(token, act[0].body)
            self.assertEqual(b.ctx.activate(token, GOOD_PW), boss)

    def test_dead_letter_and_exceptions(self):
        mailer = FlakyMailer(['permfail', 'bug'])
        with Bench(mailer=mailer) as b:
            b.signup('dead@acme.fr', siret_of(43))
            d = b.ctx.deliver()
            self.assertEqual((d.dead, d.retried), (1, 1))
            dead = b.ctx.outbox(MessageStatus.DEAD)
            self.assertEqual(dead[0].last_error, '550 no such user')
            pending = b.ctx.outbox(MessageStatus.PENDING)
            self.assertEqual(pending[0].last_error, "KeyError: 'oops'")
            self.assertEqual(len(mailer.exceptions), 1)
            self.assertIsInstance(mailer.exceptions[0], KeyError)

    def test_user_data_registry(self):
        # Each table handed to a context has its own user_data key; the
        # table's destroy callback, run by chorusacct_ctx_free() or when
        # the mailer is replaced, drops it.
        base = len(ca._registry)
        mailer = ca.ListMailer()
        ctx1 = ca.Context(mailer=mailer)
        ctx2 = ca.Context(mailer=mailer)
        self.assertEqual(len(ca._registry), base + 2)
        ctx2.set_mailer(ca.TestMailer())
        self.assertEqual(len(ca._registry), base + 1)
        ctx1.close()
        ctx2.close()
        self.assertEqual(len(ca._registry), base)


# --------------------------------------------- time: expiry and the sweep

class ClockTest(unittest.TestCase):
    def test_expiry_resend_sweep(self):
        with Bench() as b:
            ctx, mail, clock = b.ctx, b.mail, b.clock
            late, _ = b.signup('late@acme.fr', siret_of(7))
            ctx.deliver()
            first = mail.last_token('late@acme.fr')
            clock.set(T0 + 3599)
            ctx.activation_lookup(first)
            clock.set(T0 + 3600)
            self.assertEqual(ctx.now(), T0 + 3600)
            with self.assertRaises(ca.Rejected) as cm:
                ctx.activation_lookup(first)
            self.assertEqual(cm.exception.name, 'TOKEN_EXPIRED')
            with self.assertRaises(ca.Rejected) as cm:
                ctx.activate(first, GOOD_PW)
            self.assertEqual(cm.exception.name, 'TOKEN_EXPIRED')

            self.assertEqual(ctx.sweep(), ca.SweepResult(1, 0, 0))
            self.assertIs(ctx.account(late).state, State.EXPIRED)
            self.assertEqual(ctx.sweep().expired, 0)

            # A resend revives the account with a new link.
            mail.clear()
            ctx.resend('LATE@acme.fr')
            self.assertIs(ctx.account(late).state,
                          State.AWAITING_ACTIVATION)
            ctx.deliver()
            second = mail.last_token('late@acme.fr')
            self.assertNotEqual(first, second)
            self.assertEqual(len(mail.to('late@acme.fr',
                                         MailKind.REMINDER)), 1)
            with self.assertRaises(ca.Rejected) as cm:
                ctx.activate(first, GOOD_PW)
            self.assertEqual(cm.exception.name, 'TOKEN_INVALID')
            with self.assertRaises(ca.Rejected) as cm:
                ctx.resend('late@acme.fr')
            self.assertEqual(cm.exception.name, 'RESEND_COOLDOWN')
            clock.advance(61)
            ctx.resend('late@acme.fr')

            # Never activated: expired again, then purged after 30 days.
            clock.advance(3600)
            self.assertEqual(ctx.sweep().expired, 1)
            clock.advance(30 * 86400 + 1)
            self.assertGreaterEqual(ctx.sweep().purged, 1)
            with self.assertRaises(ca.ChorusacctError) as cm:
                ctx.account(late)
            self.assertEqual(cm.exception.code, Status.NOTFOUND)
            self.assertEqual(ctx.events(late)[-1].type, EventType.PURGE)

    def test_lockout(self):
        with Bench() as b:
            who = b.make_manager('lock@acme.fr', siret_of(8))
            for _ in range(5):
                with self.assertRaises(ca.Rejected):
                    b.ctx.login('lock@acme.fr', 'Wrong-Password-1')
            with self.assertRaises(ca.Rejected) as cm:
                b.ctx.login('lock@acme.fr', GOOD_PW)
            self.assertEqual(cm.exception.name, 'LOCKED')
            b.clock.advance(3601)
            self.assertEqual(b.ctx.login('lock@acme.fr', GOOD_PW), who)
            for _ in range(5):
                with self.assertRaises(ca.Rejected):
                    b.ctx.login('lock@acme.fr', 'Wrong-Password-1')
            b.ctx.login_unlock(who)
            self.assertEqual(b.ctx.login('lock@acme.fr', GOOD_PW), who)
            self.assertEqual(b.ctx.events(who)[-1].type, EventType.UNLOCK)


# ------------------------------------------------------------- handles

class HandleTest(unittest.TestCase):
    def test_parts_outlive_their_context(self):
        store, mail = ca.MemStore(), ca.TestMailer()
        ctx = ca.Context(storage=store, mailer=mail,
                         flags=ConfigFlag.NO_CAPTCHA,
                         pwhash_opslimit=1, pwhash_memlimit=8192)
        store.close()  # the context still uses it: freed later
        mail.close()
        self.assertTrue(store.closed)
        self.assertTrue(store._ptr)
        ctx.signup(login_email='x@acme.fr', first_name='X', last_name='Y',
                   accept_terms=True, id_type=IdType.SIRET,
                   identifier=siret_of(9))
        self.assertEqual(ctx.deliver().sent, 2)
        ctx.close()
        self.assertFalse(store._ptr)
        self.assertFalse(mail._ptr)
        with self.assertRaises(ValueError):
            store.digest()
        with self.assertRaises(ValueError):
            ca.Context(storage=store)
        with self.assertRaises(ValueError):
            ctx.now()
        ctx.close()  # twice: harmless

    def test_conformance(self):
        with ca.MemStore() as store:
            ca.storage_conformance(store)


# --------------------------------------------------------------- SQLite

class SqliteTest(unittest.TestCase):
    def test_flow_on_sqlite(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'accounts.db')
            with self.assertRaises(ca.ChorusacctError) as cm:
                ca.SqliteStorage(path, create=False)
            self.assertEqual(cm.exception.code, Status.NOTFOUND)
            self.assertGreaterEqual(ca.SqliteStorage.schema_version(), 1)

            with ca.SqliteStorage(path) as db, \
                    Bench(storage=db) as b:
                who, _ = b.signup('lite@acme.fr', siret_of(5))
                # A second context: its own connection to the same file.
                with b.context() as other:
                    self.assertEqual(other.account(who).login_email,
                                     'lite@acme.fr')
                    other.deliver()
                b.ctx.activate(b.mail.last_token('lite@acme.fr'), GOOD_PW)
                secret_free = b.ctx.events(who)
                self.assertEqual([e.type for e in secret_free],
                                 [EventType.SIGNUP, EventType.ACTIVATE])
            self.assertTrue(os.path.exists(path))

            # Reopened: everything is still there.
            with ca.SqliteStorage(path, create=False) as db, \
                    ca.Context(storage=db, pwhash_opslimit=1,
                               pwhash_memlimit=8192) as ctx:
                acc = ctx.find_account('LITE@acme.fr')
                self.assertIs(acc.state, State.ACTIVE)
                self.assertEqual(ctx.login('lite@acme.fr', GOOD_PW), acc.id)
                self.assertEqual(len(ctx.outbox(MessageStatus.SENT)), 2)

    def test_bad_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'not.db')
            with open(path, 'wb') as f:
                f.write(b'this is not an SQLite database' * 100)
            with self.assertRaises(ca.ChorusacctError) as cm:
                ca.SqliteStorage(path)
            self.assertEqual(cm.exception.code, Status.CORRUPT)


if __name__ == '__main__':
    unittest.main(verbosity=2)
