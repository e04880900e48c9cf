"""Python binding of libchorusacct, over ctypes (standard library only).

libchorusacct implements the account-creation flow of Chorus Pro: field
validators with messages in English and French, sign-up, approval,
activation by e-mailed link, login, the outbox, the sweep. This module
loads the C library and gives it a Python face:

- validators are functions that return the normalized value or raise
  :class:`Rejected` (``validate_siret("732 829 320 00074")`` gives
  ``"73282932000074"``);
- failures raise :class:`ChorusacctError`, whose ``code``, ``name``,
  ``message_en`` and ``message_fr`` come from the library;
- :class:`Context` runs the flow; :class:`MemStore`, :class:`SqliteStorage`,
  :class:`TestMailer`, :class:`TestClock` and :class:`TestRandom` are the
  library's own storage and test doubles, and :class:`Mailer` lets Python
  code send the e-mails (through a C callback);
- every handle is a context manager; the C constants are ``IntEnum`` and
  ``IntFlag`` classes with the values of the headers;
- the low level stays reachable: ``lib`` is the ``ctypes.CDLL`` with the
  prototype of every public function declared, and the ``chorusacct_*``
  classes are ``ctypes.Structure`` mirrors of the public records.

The library is found through the ``CHORUSACCT_LIBRARY`` environment variable
(a path), else in the libdir recorded when pip installed this module
(``_INSTALL_LIBDIR``, where pkg-config found libchorusacct), else
``ctypes.util.find_library("chorusacct")``, else ``libchorusacct.so.0``
through the dynamic loader's search path; the test kit (the test doubles and
the conformance suite, chorusacct/testkit.h) through
``CHORUSACCT_TESTKIT_LIBRARY``, else ``libchorusacct-testkit.so`` next to
the library, else ``find_library("chorusacct-testkit")``: without it the
test doubles raise RuntimeError when used. Importing fails with ImportError
when it cannot be loaded or when its version is not compatible with the one
this module was written for (same major version, minor version at least as
high).

A context, and what it holds, is used by one thread at a time; open one
per thread. docs/python.md has examples.
"""
import ctypes
import ctypes.util
import dataclasses
import enum
import itertools
import os
import threading
from ctypes import (CFUNCTYPE, POINTER, byref, c_char, c_char_p, c_int,
                    c_int32, c_int64, c_size_t, c_uint8, c_uint32, c_uint64,
                    c_void_p, sizeof)

__version__ = '0.1.0'

#: (major, minor) of the C API this module was written for.
WRITTEN_FOR = (0, 1)


#: The folder of the C library that pkg-config found when this module was
#: installed with pip (setup.py rewrites this line); None in the source tree.
_INSTALL_LIBDIR = None


def _candidates():
    """Where the C library is looked for, in order."""
    env = os.environ.get('CHORUSACCT_LIBRARY')
    if env:
        return [env]  # an explicit choice: nothing else is tried
    paths = []
    if _INSTALL_LIBDIR:
        recorded = os.path.join(_INSTALL_LIBDIR, 'libchorusacct.so.0')
        if os.path.exists(recorded):
            paths.append(recorded)
    paths.append(ctypes.util.find_library('chorusacct'))
    paths.append('libchorusacct.so.0')
    return [p for p in paths if p]


def _load():
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append('%r (%s)' % (path, e))
    raise ImportError(
        'chorusacct: cannot load the C library: tried %s; build or '
        'install libchorusacct, or set CHORUSACCT_LIBRARY to the path '
        'of libchorusacct.so' % ', '.join(tried)) from None


#: The loaded library; every public function has its argtypes and restype.
lib = _load()


def _load_testkit():
    here = os.path.dirname(getattr(lib, '_name', '') or '')
    for path in (os.environ.get('CHORUSACCT_TESTKIT_LIBRARY'),
                 os.path.join(here, 'libchorusacct-testkit.so') if here
                 else None,
                 ctypes.util.find_library('chorusacct-testkit')):
        if path:
            try:
                return ctypes.CDLL(path)
            except OSError:
                pass
    return None


#: The test kit's library (chorusacct/testkit.h), or None when it is not
#: installed.
testkit = _load_testkit()

#: The functions of the test kit's library.
_TESTKIT = frozenset((
    'chorusacct_faultstore_calls',
    'chorusacct_faultstore_fired',
    'chorusacct_faultstore_free',
    'chorusacct_faultstore_new',
    'chorusacct_faultstore_ops',
    'chorusacct_faultstore_reset',
    'chorusacct_memstore_digest',
    'chorusacct_storage_conformance',
    'chorusacct_testkit_pwhash_count',
    'chorusacct_testclock_advance',
    'chorusacct_testclock_free',
    'chorusacct_testclock_new',
    'chorusacct_testclock_now',
    'chorusacct_testclock_ops',
    'chorusacct_testclock_set',
    'chorusacct_testmailer_at',
    'chorusacct_testmailer_clear',
    'chorusacct_testmailer_count',
    'chorusacct_testmailer_fail_next',
    'chorusacct_testmailer_free',
    'chorusacct_testmailer_last_link',
    'chorusacct_testmailer_new',
    'chorusacct_testmailer_ops',
    'chorusacct_testrandom_free',
    'chorusacct_testrandom_new',
    'chorusacct_testrandom_ops',
))


def _fn(name):
    """The C function `name`, from the library that exports it."""
    if name in _TESTKIT:
        if testkit is None:
            raise RuntimeError('chorusacct: %s needs libchorusacct-testkit, '
                               'which is not installed (or set '
                               'CHORUSACCT_TESTKIT_LIBRARY)' % name)
        return getattr(testkit, name)
    return getattr(lib, name)


def _compatible(text):
    """Whether a library version ("MAJOR.MINOR.PATCH") offers the API this
    module was written for: the same major version (it changes on an
    incompatible change), a minor version at least as high (minor versions
    add functions)."""
    try:
        major, minor = (int(x) for x in text.split('.')[:2])
    except ValueError:
        return False
    return major == WRITTEN_FOR[0] and minor >= WRITTEN_FOR[1]


def _check_version():
    try:
        fn = lib.chorusacct_version
    except AttributeError:
        raise ImportError('chorusacct: %r is not libchorusacct (no '
                          'chorusacct_version)' % lib._name) from None
    fn.argtypes = []
    fn.restype = c_char_p
    text = fn().decode('ascii', errors='replace')
    if not _compatible(text):
        raise ImportError(
            'chorusacct: the library %s is version %s; this module was '
            'written for %d.%d (it needs %d.x with x >= %d)' %
            (lib._name, text, WRITTEN_FOR[0], WRITTEN_FOR[1],
             WRITTEN_FOR[0], WRITTEN_FOR[1]))
    return text


_LIB_VERSION = _check_version()


# ------------------------------------------------------------------ enums
# The values of the headers' enums; test_chorusacct.py compares every
# member with what the C compiler sees.

class Status(enum.IntEnum):
    """``chorusacct_status`` (chorusacct/common.h)."""

    OK = 0
    ARG = -1
    NOMEM = -2
    TOOSMALL = -3
    REJECTED = -4
    CALLBACK = -5
    STORAGE = -6
    CONFLICT = -7
    NOTFOUND = -8
    UNSUPPORTED = -9
    INIT = -10
    IO = -11
    SCHEMA = -12
    INTERNAL = -13
    EXISTS = -14
    CAPACITY = -15
    FULL = -16
    CORRUPT = -17
    READONLY = -18
    BUSY = -19
    CLOCK = -20
    EMPTY = -100
    LENGTH = -101
    CHARACTER = -102
    NONASCII = -103
    SEPARATOR = -104
    CHECKSUM = -105
    TYPE = -106
    NOVALUE = -107
    COUNTRY = -108
    FORMAT = -109
    TOOLONG = -111
    UTF8 = -112
    EMAIL_NONASCII = -200
    EMAIL_AT = -201
    EMAIL_LENGTH = -202
    EMAIL_LOCAL = -203
    EMAIL_LOCAL_LENGTH = -204
    EMAIL_DOMAIN = -205
    EMAIL_DOMAIN_LENGTH = -206
    EMAIL_LABEL = -207
    EMAIL_TLD = -208
    EMAIL_ENCODED = -209
    PHONE_CHARACTER = -250
    PHONE_PLUS = -251
    PHONE_COUNTRY = -252
    PHONE_LENGTH = -253
    PHONE_RANGE = -254
    PHONE_OVERSEAS = -255
    PHONE_TRUNK = -256
    PHONE_EXTENSION = -257
    NAME_CHARACTER = -300
    NAME_LENGTH = -301
    NAME_LETTER = -302
    PASSWORD_CHARACTER = -350
    PASSWORD_SHORT = -351
    PASSWORD_LONG = -352
    PASSWORD_CLASSES = -353
    PASSWORD_PERSONAL = -354
    PASSWORD_MISMATCH = -355
    CONSENT = -400
    CAPTCHA = -401
    CAPTCHA_EXPIRED = -402
    EMAIL_TAKEN = -403
    COMPANY_NAME = -404
    ALREADY_DECIDED = -405
    NOT_MANAGER = -406
    REASON_REQUIRED = -407
    TOKEN_INVALID = -408
    TOKEN_EXPIRED = -409
    ALREADY_ACTIVE = -410
    THROTTLED = -411
    LOCKED = -412
    CREDENTIALS = -413
    STATE = -414
    DRAFT_EXPIRED = -415
    NOT_ACTIVE = -416
    PRINCIPAL = -417
    RESEND_COOLDOWN = -418
    RESEND_QUOTA = -419
    TOKEN_USED = -420
    TEMPLATE = -421
    ROLE = -422
    SELF = -423
    CAPTCHA_REQUIRED = -424
    REASON_CHARACTER = -430


class Lang(enum.IntEnum):
    """``chorusacct_lang`` (chorusacct/common.h)."""

    EN = 0
    FR = 1


class IdType(enum.IntEnum):
    """``chorusacct_id_type`` (chorusacct/identifier.h)."""

    SIRET = 1
    UE_HORS_FRANCE = 2
    HORS_UE = 3
    RIDET = 4
    TAHITI = 5
    AUTRE = 6
    PARTICULIER = 7


class ValidateFlag(enum.IntFlag):
    """``chorusacct_validate_flags`` (chorusacct/identifier.h)."""

    STRICT = 1


class PwRule(enum.IntFlag):
    """``chorusacct_pw_rule`` (chorusacct/password.h)."""

    UTF8 = 1
    CHARACTER = 2
    SHORT = 4
    LONG = 8
    CLASSES = 16
    PERSONAL = 32


class PwClass(enum.IntFlag):
    """``chorusacct_pw_class`` (chorusacct/password.h)."""

    UPPER = 1
    LOWER = 2
    DIGIT = 4
    SPECIAL = 8


class ConfigFlag(enum.IntFlag):
    """``chorusacct_config_flags`` (chorusacct/context.h)."""

    ENUMERATION_SAFE = 1
    NO_CAPTCHA = 2


class Option(enum.IntEnum):
    """``chorusacct_option`` (chorusacct/context.h)."""

    LANG = 1
    FLAGS = 2
    RESEND_DAILY_QUOTA = 3
    DRAFT_TTL = 4
    ACTIVATION_TTL = 5
    APPROVAL_TTL = 6
    PURGE_AFTER = 7
    RESEND_COOLDOWN = 8
    CAPTCHA_TTL = 9
    CAPTCHA_LENGTH = 10
    CAPTCHA_MAX_ATTEMPTS = 11
    KEY_ATTEMPTS_PER_HOUR = 12
    ADDRESS_ATTEMPTS_PER_HOUR = 13
    LOGIN_MAX_FAILURES = 14
    MAIL_MAX_ATTEMPTS = 15
    LOCKOUT_DURATION = 16
    MAIL_RETRY_BASE = 17
    MAIL_RETRY_MAX = 18
    MAIL_LEASE = 19
    PWHASH_OPSLIMIT = 20
    PWHASH_MEMLIMIT = 21
    ACTIVATION_URL = 22
    TERMS_VERSION = 23
    PORTAL_NAME = 24
    PROMOTION_GRACE = 25


class Size(enum.IntEnum):
    """``chorusacct_sizes`` (chorusacct/account.h)."""

    EMAIL_SIZE = 256
    NAME_SIZE = 404
    PHONE_SIZE = 20
    IDENTIFIER_SIZE = 20
    COMPANY_SIZE = 512
    TERMS_SIZE = 36
    PWHASH_SIZE = 128
    REASON_SIZE = 1024
    KEY_SIZE = 256
    TOKEN_SIZE = 48
    CAPTCHA_ID_SIZE = 32
    CAPTCHA_TEXT_SIZE = 16


class State(enum.IntEnum):
    """``chorusacct_state`` (chorusacct/account.h)."""

    CREATED = 1
    PENDING_APPROVAL = 2
    AWAITING_ACTIVATION = 3
    ACTIVE = 4
    REJECTED = 5
    EXPIRED = 6
    DISABLED = 7


class EventType(enum.IntEnum):
    """``chorusacct_event_type`` (chorusacct/account.h)."""

    DRAFT = 1
    SIGNUP = 2
    APPROVE = 3
    REJECT = 4
    ACTIVATE = 5
    EXPIRE = 6
    REVIVE = 7
    DISABLE = 8
    ENABLE = 9
    PROMOTE = 10
    PURGE = 11
    RESEND = 12
    ROLE = 13
    LOCKOUT = 14
    UNLOCK = 15


class Order(enum.IntEnum):
    """``chorusacct_order`` (chorusacct/account.h)."""

    ID = 0
    EXPIRY = 1


class Role(enum.IntEnum):
    """``chorusacct_role`` (chorusacct/account.h)."""

    USER = 1
    MANAGER = 2
    PRINCIPAL = 3


class Field(enum.IntEnum):
    """``chorusacct_field`` (chorusacct/account.h)."""

    FORM = 0
    LOGIN_EMAIL = 1
    FIRST_NAME = 2
    LAST_NAME = 3
    PHONE = 4
    CONTACT_EMAIL = 5
    TERMS = 6
    ID_TYPE = 7
    IDENTIFIER = 8
    COMPANY_NAME = 9
    CAPTCHA = 10
    PASSWORD = 11
    PASSWORD_CONFIRM = 12


class SignupLimit(enum.IntEnum):
    """``chorusacct_signup_limits`` (chorusacct/account.h)."""

    MAX_FIELD_ERRORS = 16


class MailSize(enum.IntEnum):
    """``chorusacct_mail_sizes`` (chorusacct/mailer.h)."""

    ADDRESS_SIZE = 256
    SUBJECT_SIZE = 256
    BODY_SIZE = 8192
    MAIL_ERROR_SIZE = 256


class MailKind(enum.IntEnum):
    """``chorusacct_mail_kind`` (chorusacct/mailer.h)."""

    SUMMARY = 1
    ACTIVATION = 2
    APPROVAL_REQUEST = 3
    APPROVED = 4
    REJECTED = 5
    REMINDER = 6
    ALREADY_EXISTS = 7
    CLAIM_NOTICE = 8
    CONFIRM_REQUEST = 9


class MailResult(enum.IntEnum):
    """``chorusacct_mail_result`` (chorusacct/mailer.h)."""

    SENT = 0
    TEMPFAIL = 1
    PERMFAIL = 2


class LogKind(enum.IntEnum):
    """``chorusacct_log_kind`` (chorusacct/context.h)."""

    CALL = 1
    STORAGE = 2
    MAILER = 3
    THROTTLE = 4
    LOCKOUT = 5


class MessageStatus(enum.IntEnum):
    """``chorusacct_message_status`` (chorusacct/mailer.h)."""

    PENDING = 1
    SENT = 2
    DEAD = 3
    CANCELLED = 4


class Feature(enum.IntEnum):
    """``chorusacct_feature`` (chorusacct/common.h)."""

    SMTP = 1
    POSTGRES = 2


class Type(enum.IntEnum):
    """``chorusacct_type`` (chorusacct/common.h): the versioned records
    and tables whose size :func:`type_size` reports."""

    ACCOUNT = 1
    STRUCTURE = 2
    EVENT = 3
    ACCOUNT_QUERY = 4
    SIGNUP = 5
    SIGNUP_RESULT = 6
    TOKEN_INFO = 7
    SWEEP_RESULT = 8
    CAPTCHA_OPS = 9
    ACTIVATION = 10
    CLOCK_OPS = 11
    CONFIG = 12
    MAIL = 13
    MAILER_OPS = 14
    MESSAGE = 15
    DELIVERY = 16
    SMTP_CONFIG = 17
    RANDOM_OPS = 18
    TOKEN = 19
    CAPTCHA = 20
    STORAGE_OPS = 21
    LOG_EVENT = 22
    LOG_OPS = 23


class PostgresFlag(enum.IntFlag):
    """``chorusacct_postgres_flags`` (chorusacct/postgres.h)."""

    NO_MIGRATE = 1


class SmtpTls(enum.IntEnum):
    """``chorusacct_smtp_tls`` (chorusacct/mailer.h)."""

    NONE = 0
    STARTTLS = 1
    IMPLICIT = 2


class SqliteFlag(enum.IntFlag):
    """``chorusacct_sqlite_flags`` (chorusacct/sqlite.h)."""

    NO_CREATE = 1
    READ_ONLY = 2


class CtxSize(enum.IntEnum):
    """``chorusacct_ctx_sizes`` (chorusacct/context.h)."""

    SECRET_SIZE = 32


class TestkitSize(enum.IntEnum):
    """``chorusacct_testkit_sizes`` (chorusacct/testkit.h)."""

    SEED_SIZE = 32
    DIGEST_SIZE = 32


# C enum -> (Python class, prefix of its members in C).
C_ENUMS = {
    'chorusacct_status': (Status, 'CHORUSACCT_E_'),
    'chorusacct_lang': (Lang, 'CHORUSACCT_LANG_'),
    'chorusacct_id_type': (IdType, 'CHORUSACCT_ID_'),
    'chorusacct_validate_flags': (ValidateFlag, 'CHORUSACCT_VALIDATE_'),
    'chorusacct_pw_rule': (PwRule, 'CHORUSACCT_PW_RULE_'),
    'chorusacct_pw_class': (PwClass, 'CHORUSACCT_PW_CLASS_'),
    'chorusacct_config_flags': (ConfigFlag, 'CHORUSACCT_CFG_'),
    'chorusacct_option': (Option, 'CHORUSACCT_OPT_'),
    'chorusacct_ctx_sizes': (CtxSize, 'CHORUSACCT_'),
    'chorusacct_sizes': (Size, 'CHORUSACCT_'),
    'chorusacct_state': (State, 'CHORUSACCT_STATE_'),
    'chorusacct_event_type': (EventType, 'CHORUSACCT_EV_'),
    'chorusacct_order': (Order, 'CHORUSACCT_ORDER_'),
    'chorusacct_role': (Role, 'CHORUSACCT_ROLE_'),
    'chorusacct_field': (Field, 'CHORUSACCT_FIELD_'),
    'chorusacct_signup_limits': (SignupLimit, 'CHORUSACCT_'),
    'chorusacct_mail_sizes': (MailSize, 'CHORUSACCT_'),
    'chorusacct_mail_kind': (MailKind, 'CHORUSACCT_MAIL_'),
    'chorusacct_mail_result': (MailResult, 'CHORUSACCT_MAIL_'),
    'chorusacct_message_status': (MessageStatus, 'CHORUSACCT_MSG_'),
    'chorusacct_feature': (Feature, 'CHORUSACCT_FEATURE_'),
    'chorusacct_log_kind': (LogKind, 'CHORUSACCT_LOG_'),
    'chorusacct_type': (Type, 'CHORUSACCT_TYPE_'),
    'chorusacct_postgres_flags': (PostgresFlag, 'CHORUSACCT_POSTGRES_'),
    'chorusacct_smtp_tls': (SmtpTls, 'CHORUSACCT_SMTP_TLS_'),
    'chorusacct_sqlite_flags': (SqliteFlag, 'CHORUSACCT_SQLITE_'),
    'chorusacct_testkit_sizes': (TestkitSize, 'CHORUSACCT_'),
}
# ---------------------------------------------------------------- records
# ctypes mirrors of the public records, named as in C. Members are in the
# headers' order with the headers' types; test_chorusacct.py compares the
# offset and size of each with what the C compiler sees.

class chorusacct_config(ctypes.Structure):
    """``chorusacct_config`` (context.h). The ``const char *`` members
    point into Python bytes: keep them alive until chorusacct_ctx_new()
    has copied them."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('lang', c_int32),
        ('flags', c_uint32),
        ('resend_daily_quota', c_uint32),
        ('draft_ttl', c_int64),
        ('activation_ttl', c_int64),
        ('approval_ttl', c_int64),
        ('purge_after', c_int64),
        ('resend_cooldown', c_int64),
        ('captcha_ttl', c_int64),
        ('captcha_length', c_uint32),
        ('captcha_max_attempts', c_uint32),
        ('key_attempts_per_hour', c_uint32),
        ('address_attempts_per_hour', c_uint32),
        ('login_max_failures', c_uint32),
        ('mail_max_attempts', c_uint32),
        ('lockout_duration', c_int64),
        ('mail_retry_base', c_int64),
        ('mail_retry_max', c_int64),
        ('mail_lease', c_int64),
        ('pwhash_opslimit', c_uint64),
        ('pwhash_memlimit', c_uint64),
        ('activation_url', c_char_p),
        ('terms_version', c_char_p),
        ('portal_name', c_char_p),
        ('secret', POINTER(c_uint8)),
        ('secret_len', c_size_t),
        ('promotion_grace', c_int64),
    ]


class chorusacct_account(ctypes.Structure):
    """``chorusacct_account`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('state', c_int32),
        ('id', c_int64),
        ('version', c_int64),
        ('structure_id', c_int64),
        ('role', c_int32),
        ('lang', c_int32),
        ('created_at', c_int64),
        ('updated_at', c_int64),
        ('consent_at', c_int64),
        ('expires_at', c_int64),
        ('activated_at', c_int64),
        ('decided_by', c_int64),
        ('reserved1', c_int64),
        ('resent_at', c_int64),
        ('reserved2', c_int32),
        ('reserved0', c_int32),
        ('login_email', c_char * Size.EMAIL_SIZE),
        ('email_key', c_char * Size.EMAIL_SIZE),
        ('contact_email', c_char * Size.EMAIL_SIZE),
        ('first_name', c_char * Size.NAME_SIZE),
        ('last_name', c_char * Size.NAME_SIZE),
        ('phone', c_char * Size.PHONE_SIZE),
        ('terms_version', c_char * Size.TERMS_SIZE),
        ('password_hash', c_char * Size.PWHASH_SIZE),
        ('reason', c_char * Size.REASON_SIZE),
    ]


class chorusacct_structure(ctypes.Structure):
    """``chorusacct_structure`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('id_type', c_int32),
        ('id', c_int64),
        ('created_at', c_int64),
        ('principal_id', c_int64),
        ('identifier', c_char * Size.IDENTIFIER_SIZE),
        ('company_name', c_char * Size.COMPANY_SIZE),
    ]


class chorusacct_event(ctypes.Structure):
    """``chorusacct_event`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('type', c_int32),
        ('id', c_int64),
        ('time', c_int64),
        ('account_id', c_int64),
        ('from_state', c_int32),
        ('to_state', c_int32),
        ('actor_id', c_int64),
        ('reason', c_char * Size.REASON_SIZE),
    ]


class chorusacct_account_query(ctypes.Structure):
    """``chorusacct_account_query`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('state', c_int32),
        ('structure_id', c_int64),
        ('min_role', c_int32),
        ('order', c_int32),
        ('expires_before', c_int64),
        ('after_id', c_int64),
        ('after_expires_at', c_int64),
    ]


class chorusacct_signup(ctypes.Structure):
    """``chorusacct_signup`` (account.h): strings borrowed for the call."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('id_type', c_int32),
        ('login_email', c_char_p),
        ('first_name', c_char_p),
        ('last_name', c_char_p),
        ('phone', c_char_p),
        ('contact_email', c_char_p),
        ('terms_version', c_char_p),
        ('identifier', c_char_p),
        ('company_name', c_char_p),
        ('captcha_id', c_char_p),
        ('captcha_answer', c_char_p),
        ('client_key', c_char_p),
        ('accept_terms', c_int32),
        ('lang', c_int32),
    ]


class chorusacct_activation(ctypes.Structure):
    """``chorusacct_activation`` (account.h): strings borrowed for the
    call."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('reserved0', c_uint32),
        ('token', c_char_p),
        ('password', c_char_p),
        ('password_len', c_size_t),
        ('confirm', c_char_p),
        ('confirm_len', c_size_t),
        ('client_key', c_char_p),
    ]


class chorusacct_field_error(ctypes.Structure):
    """``chorusacct_field_error`` (account.h)."""
    _fields_ = [
        ('field', c_int32),
        ('code', c_int32),
    ]


class chorusacct_signup_result(ctypes.Structure):
    """``chorusacct_signup_result`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('state', c_int32),
        ('account_id', c_int64),
        ('structure_id', c_int64),
        ('nerrors', c_uint32),
        ('reserved0', c_uint32),
        ('errors', chorusacct_field_error * SignupLimit.MAX_FIELD_ERRORS),
    ]


class chorusacct_token_info(ctypes.Structure):
    """``chorusacct_token_info`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('state', c_int32),
        ('account_id', c_int64),
        ('expires_at', c_int64),
        ('login_email', c_char * Size.EMAIL_SIZE),
        ('first_name', c_char * Size.NAME_SIZE),
        ('last_name', c_char * Size.NAME_SIZE),
    ]


class chorusacct_sweep_result(ctypes.Structure):
    """``chorusacct_sweep_result`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('expired', c_uint32),
        ('purged', c_uint32),
        ('promoted', c_uint32),
    ]


class chorusacct_mail(ctypes.Structure):
    """``chorusacct_mail`` (mailer.h): pointers valid during the call."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('kind', c_int32),
        ('message_id', c_int64),
        ('account_id', c_int64),
        ('created_at', c_int64),
        ('lang', c_int32),
        ('attempt', c_int32),
        ('to', c_char_p),
        ('subject', c_char_p),
        ('body', c_char_p),
        ('link', c_char_p),
        ('message_key', c_char_p),
    ]


class chorusacct_message(ctypes.Structure):
    """``chorusacct_message`` (mailer.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('kind', c_int32),
        ('id', c_int64),
        ('account_id', c_int64),
        ('lang', c_int32),
        ('status', c_int32),
        ('attempts', c_int32),
        ('reserved0', c_int32),
        ('created_at', c_int64),
        ('next_attempt_at', c_int64),
        ('lease_until', c_int64),
        ('sent_at', c_int64),
        ('to', c_char * MailSize.ADDRESS_SIZE),
        ('subject', c_char * MailSize.SUBJECT_SIZE),
        ('body', c_char * MailSize.BODY_SIZE),
        ('last_error', c_char * MailSize.MAIL_ERROR_SIZE),
    ]


class chorusacct_delivery(ctypes.Structure):
    """``chorusacct_delivery`` (mailer.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('sent', c_uint32),
        ('retried', c_uint32),
        ('dead', c_uint32),
        ('cancelled', c_uint32),
    ]


class chorusacct_token(ctypes.Structure):
    """``chorusacct_token`` (storage.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('purpose', c_int32),
        ('account_id', c_int64),
        ('created_at', c_int64),
        ('expires_at', c_int64),
        ('used_at', c_int64),
        ('hash', c_uint8 * 32),
    ]


class chorusacct_captcha(ctypes.Structure):
    """``chorusacct_captcha`` (storage.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('reserved0', c_int32),
        ('created_at', c_int64),
        ('expires_at', c_int64),
        ('used_at', c_int64),
        ('id_hash', c_uint8 * 32),
        ('answer_hash', c_uint8 * 32),
    ]


# Callback types: the first parameter of each is the table's user_data.
DESTROY_FN = CFUNCTYPE(None, c_void_p)
CLOCK_NOW_FN = CFUNCTYPE(c_int64, c_void_p)
RANDOM_FILL_FN = CFUNCTYPE(None, c_void_p, POINTER(c_uint8), c_size_t)
MAIL_SEND_FN = CFUNCTYPE(c_int, c_void_p, POINTER(chorusacct_mail),
                         POINTER(c_char), c_size_t)
CAPTCHA_VERIFY_FN = CFUNCTYPE(c_int, c_void_p, c_char_p, c_char_p,
                              c_char_p)


def _storage_fn(*args):
    return CFUNCTYPE(c_int, c_void_p, *args)


class chorusacct_clock_ops(ctypes.Structure):
    """``chorusacct_clock_ops`` (clock.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('user_data', c_void_p),
        ('now', CLOCK_NOW_FN),
        ('destroy', DESTROY_FN),
    ]


class chorusacct_random_ops(ctypes.Structure):
    """``chorusacct_random_ops`` (random.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('user_data', c_void_p),
        ('fill', RANDOM_FILL_FN),
        ('destroy', DESTROY_FN),
    ]


class chorusacct_mailer_ops(ctypes.Structure):
    """``chorusacct_mailer_ops`` (mailer.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('user_data', c_void_p),
        ('send', MAIL_SEND_FN),
        ('destroy', DESTROY_FN),
    ]


class chorusacct_smtp_config(ctypes.Structure):
    """``chorusacct_smtp_config`` (mailer.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('tls', c_int32),
        ('host', c_char_p),
        ('port', c_int32),
        ('reserved0', c_int32),
        ('timeout_ms', c_int64),
        ('from', c_char_p),
        ('username', c_char_p),
        ('password', c_char_p),
        ('helo', c_char_p),
        ('ca_file', c_char_p),
    ]


class chorusacct_captcha_ops(ctypes.Structure):
    """``chorusacct_captcha_ops`` (account.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('user_data', c_void_p),
        ('verify', CAPTCHA_VERIFY_FN),
        ('destroy', DESTROY_FN),
    ]


_A = POINTER(chorusacct_account)
_S = POINTER(chorusacct_structure)
_M = POINTER(chorusacct_message)
_E = POINTER(chorusacct_event)
_T = POINTER(chorusacct_token)
_C = POINTER(chorusacct_captcha)
_H = POINTER(c_uint8)
_N = POINTER(c_size_t)


class chorusacct_log_event(ctypes.Structure):
    """``chorusacct_log_event`` (context.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('kind', c_int32),
        ('what', c_char_p),
        ('status', c_int32),
        ('reason', c_int32),
        ('account_id', c_int64),
        ('duration_ns', c_int64),
    ]


LOG_EVENT_FN = ctypes.CFUNCTYPE(None, c_void_p,
                                POINTER(chorusacct_log_event))


class chorusacct_log_ops(ctypes.Structure):
    """``chorusacct_log_ops`` (context.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('user_data', c_void_p),
        ('event', LOG_EVENT_FN),
        ('destroy', DESTROY_FN),
    ]


class chorusacct_storage_ops(ctypes.Structure):
    """``chorusacct_storage_ops`` (storage.h)."""
    _fields_ = [
        ('struct_size', c_uint32),
        ('user_data', c_void_p),
        ('begin', _storage_fn()),
        ('commit', _storage_fn()),
        ('rollback', _storage_fn()),
        ('account_insert', _storage_fn(_A)),
        ('account_get', _storage_fn(c_int64, _A)),
        ('account_find', _storage_fn(c_char_p, _A)),
        ('account_update', _storage_fn(_A)),
        ('account_delete', _storage_fn(c_int64)),
        ('account_list', _storage_fn(POINTER(chorusacct_account_query), _A,
                                     c_size_t, _N)),
        ('structure_insert', _storage_fn(_S)),
        ('structure_get', _storage_fn(c_int64, _S)),
        ('structure_find', _storage_fn(c_int32, c_char_p, _S)),
        ('structure_update', _storage_fn(_S)),
        ('structure_delete', _storage_fn(c_int64)),
        ('token_insert', _storage_fn(_T)),
        ('token_get', _storage_fn(_H, _T)),
        ('token_consume', _storage_fn(_H, c_int64)),
        ('token_revoke', _storage_fn(c_int64, c_int32, c_int64)),
        ('captcha_insert', _storage_fn(_C)),
        ('captcha_get', _storage_fn(_H, _C)),
        ('captcha_update', _storage_fn(_C)),
        ('outbox_insert', _storage_fn(_M)),
        ('outbox_claim', _storage_fn(c_int64, c_int64, _M, c_size_t, _N)),
        ('outbox_update', _storage_fn(_M)),
        ('outbox_list', _storage_fn(c_int32, c_int64, _M, c_size_t, _N)),
        ('event_append', _storage_fn(_E)),
        ('event_list', _storage_fn(c_int64, c_int64, _E, c_size_t, _N)),
        ('counter_add', _storage_fn(c_char_p, c_int64, c_uint32,
                                    POINTER(c_uint32))),
        ('meta_get', _storage_fn(c_char_p, _H, c_size_t, _N)),
        ('meta_set', _storage_fn(c_char_p, _H, c_size_t)),
        ('gc', _storage_fn(c_int64)),
        ('destroy', DESTROY_FN),
    ]


# identifier.h's validator convention: (in, len, flags, buf, cap, len_out,
# reason) -> status.
_VALIDATOR = (c_int, [c_char_p, c_size_t, c_uint32, POINTER(c_char),
                      c_size_t, POINTER(c_size_t), POINTER(c_int)])

_PROTOTYPES = {
    # chorusacct/account.h
    'chorusacct_state_name': (c_char_p, [c_int]),
    'chorusacct_state_from_name': (c_int, [POINTER(c_int), c_char_p]),
    'chorusacct_state_label': (c_char_p, [c_int, c_int]),
    'chorusacct_event_name': (c_char_p, [c_int]),
    'chorusacct_transition_allowed': (c_int, [c_int, c_int]),
    'chorusacct_transition_count': (c_size_t, []),
    'chorusacct_transition_at': (
        c_int, [c_size_t, POINTER(c_int), POINTER(c_int), POINTER(c_int)]),
    'chorusacct_state_diagram': (
        c_int, [c_int, POINTER(c_char), c_size_t, POINTER(c_size_t)]),
    'chorusacct_field_name': (c_char_p, [c_int]),
    'chorusacct_role_name': (c_char_p, [c_int]),
    'chorusacct_signup_init': (c_int, [POINTER(chorusacct_signup), c_size_t]),
    'chorusacct_structure_lookup': (c_int, [
        c_void_p, c_int, c_char_p, POINTER(c_int),
        POINTER(chorusacct_structure), POINTER(c_int)]),
    'chorusacct_signup_submit': (c_int, [
        c_void_p, POINTER(chorusacct_signup),
        POINTER(chorusacct_signup_result)]),
    'chorusacct_draft_create': (c_int, [
        c_void_p, POINTER(chorusacct_signup),
        POINTER(chorusacct_signup_result)]),
    'chorusacct_draft_finalize': (c_int, [
        c_void_p, c_int64, POINTER(chorusacct_signup),
        POINTER(chorusacct_signup_result)]),
    'chorusacct_account_approve': (
        c_int, [c_void_p, c_int64, c_int64, POINTER(c_int)]),
    'chorusacct_account_approve_many': (c_int, [
        c_void_p, c_int64, POINTER(c_int64), c_size_t, POINTER(c_int)]),
    'chorusacct_account_reject': (
        c_int, [c_void_p, c_int64, c_int64, c_char_p, POINTER(c_int)]),
    'chorusacct_account_set_role': (
        c_int, [c_void_p, c_int64, c_int64, c_int, POINTER(c_int)]),
    'chorusacct_activation_lookup': (c_int, [
        c_void_p, c_char_p, c_char_p, POINTER(chorusacct_token_info),
        POINTER(c_int)]),
    'chorusacct_request_confirm': (c_int, [
        c_void_p, c_char_p, c_char_p, POINTER(c_int64), POINTER(c_int)]),
    'chorusacct_activation_init': (
        c_int, [POINTER(chorusacct_activation), c_size_t]),
    'chorusacct_activation_submit': (c_int, [
        c_void_p, POINTER(chorusacct_activation), POINTER(c_int64),
        POINTER(c_uint32), POINTER(c_int)]),
    'chorusacct_activation_resend': (
        c_int, [c_void_p, c_char_p, c_char_p, POINTER(c_int)]),
    'chorusacct_activation_resend_by': (
        c_int, [c_void_p, c_int64, c_int64, POINTER(c_int)]),
    'chorusacct_account_disable': (
        c_int, [c_void_p, c_int64, c_int64, c_char_p, POINTER(c_int)]),
    'chorusacct_account_enable': (
        c_int, [c_void_p, c_int64, c_int64, POINTER(c_int)]),
    'chorusacct_login': (c_int, [
        c_void_p, c_char_p, c_char_p, c_size_t, c_char_p, POINTER(c_int64),
        POINTER(c_int)]),
    'chorusacct_login_unlock': (c_int, [c_void_p, c_int64, POINTER(c_int)]),
    'chorusacct_login_unlock_by': (
        c_int, [c_void_p, c_int64, c_int64, POINTER(c_int)]),
    'chorusacct_captcha_issue': (c_int, [
        c_void_p, c_char_p, POINTER(c_char), c_size_t, POINTER(c_char),
        c_size_t, POINTER(c_int)]),
    'chorusacct_sweep': (c_int, [c_void_p, POINTER(chorusacct_sweep_result)]),
    'chorusacct_account_get': (
        c_int, [c_void_p, c_int64, POINTER(chorusacct_account)]),
    'chorusacct_account_find': (
        c_int, [c_void_p, c_char_p, POINTER(chorusacct_account)]),
    'chorusacct_account_list': (c_int, [
        c_void_p, POINTER(chorusacct_account_query),
        POINTER(chorusacct_account), c_size_t, POINTER(c_size_t)]),
    'chorusacct_structure_get': (
        c_int, [c_void_p, c_int64, POINTER(chorusacct_structure)]),
    'chorusacct_event_list': (c_int, [
        c_void_p, c_int64, c_int64, POINTER(chorusacct_event), c_size_t,
        POINTER(c_size_t)]),
    # chorusacct/clock.h
    'chorusacct_clock_ops_init': (
        c_int, [POINTER(chorusacct_clock_ops), c_size_t]),
    'chorusacct_testclock_new': (c_int, [POINTER(c_void_p), c_int64]),
    'chorusacct_testclock_free': (None, [c_void_p]),
    'chorusacct_testclock_set': (None, [c_void_p, c_int64]),
    'chorusacct_testclock_advance': (None, [c_void_p, c_int64]),
    'chorusacct_testclock_now': (c_int64, [c_void_p]),
    'chorusacct_testclock_ops': (
        c_int, [POINTER(chorusacct_clock_ops), c_void_p]),
    # chorusacct/common.h
    'chorusacct_init': (c_int, []),
    'chorusacct_strerror': (c_char_p, [c_int, c_int]),
    'chorusacct_status_name': (c_char_p, [c_int]),
    'chorusacct_status_from_name': (c_int, [POINTER(c_int), c_char_p]),
    'chorusacct_lang_from_tag': (c_int, [POINTER(c_int), c_char_p]),
    'chorusacct_version': (c_char_p, []),
    'chorusacct_version_number': (c_uint32, []),
    'chorusacct_feature_available': (c_int, [c_int]),
    'chorusacct_type_size': (c_size_t, [c_int]),
    'chorusacct_type_name': (c_char_p, [c_int]),
    # chorusacct/context.h
    'chorusacct_config_init': (c_int, [POINTER(chorusacct_config), c_size_t]),
    'chorusacct_ctx_new': (
        c_int, [POINTER(c_void_p), POINTER(chorusacct_config)]),
    'chorusacct_ctx_free': (None, [c_void_p]),
    'chorusacct_ctx_set_int': (c_int, [c_void_p, c_int, c_int64]),
    'chorusacct_ctx_get_int': (c_int, [c_void_p, c_int, POINTER(c_int64)]),
    'chorusacct_option_range': (
        c_int, [c_int, POINTER(c_int64), POINTER(c_int64)]),
    'chorusacct_ctx_set_str': (c_int, [c_void_p, c_int, c_char_p]),
    'chorusacct_ctx_get_str': (c_char_p, [c_void_p, c_int]),
    'chorusacct_ctx_set_secret': (c_int, [c_void_p, c_char_p, c_size_t]),
    'chorusacct_ctx_set_storage': (
        c_int, [c_void_p, POINTER(chorusacct_storage_ops)]),
    'chorusacct_ctx_set_mailer': (
        c_int, [c_void_p, POINTER(chorusacct_mailer_ops)]),
    'chorusacct_ctx_set_log': (
        c_int, [c_void_p, POINTER(chorusacct_log_ops)]),
    'chorusacct_log_ops_init': (
        c_int, [POINTER(chorusacct_log_ops), c_size_t]),
    'chorusacct_ctx_set_clock': (
        c_int, [c_void_p, POINTER(chorusacct_clock_ops)]),
    'chorusacct_ctx_set_random': (
        c_int, [c_void_p, POINTER(chorusacct_random_ops)]),
    'chorusacct_ctx_set_captcha': (
        c_int, [c_void_p, POINTER(chorusacct_captcha_ops)]),
    'chorusacct_ctx_last_error': (c_char_p, [c_void_p]),
    'chorusacct_ctx_now': (c_int64, [c_void_p]),
    # chorusacct/identifier.h
    'chorusacct_identifier_max_len': (c_size_t, []),
    'chorusacct_identifier_name': (c_char_p, [c_int]),
    'chorusacct_identifier_from_name': (c_int, [POINTER(c_int), c_char_p]),
    'chorusacct_identifier_from_number': (c_int, [POINTER(c_int), c_int]),
    'chorusacct_identifier_number': (c_int, [c_int]),
    'chorusacct_identifier_label': (c_char_p, [c_int, c_int]),
    'chorusacct_identifier_hint': (c_char_p, [c_int, c_int]),
    'chorusacct_identifier_has_value': (c_int, [c_int]),
    'chorusacct_identifier_check': (c_int, [
        c_int, c_char_p, c_size_t, c_uint32, POINTER(c_char), c_size_t,
        POINTER(c_size_t), POINTER(c_int)]),
    'chorusacct_identifier_split': (
        c_int, [c_int, c_char_p, c_size_t, POINTER(c_size_t)]),
    'chorusacct_siren_check': _VALIDATOR,
    'chorusacct_siret_check': _VALIDATOR,
    'chorusacct_vat_fr_check': _VALIDATOR,
    'chorusacct_vat_fr_from_siren': _VALIDATOR,
    'chorusacct_ridet_check': _VALIDATOR,
    'chorusacct_tahiti_check': _VALIDATOR,
    'chorusacct_hors_ue_check': _VALIDATOR,
    'chorusacct_hors_ue_build': (c_int, [
        c_char_p, c_char_p, c_size_t, POINTER(c_char), c_size_t,
        POINTER(c_size_t), POINTER(c_int)]),
    'chorusacct_vat_check': _VALIDATOR,
    'chorusacct_vat_hint': (c_char_p, [c_char_p, c_int]),
    # chorusacct/mailer.h
    'chorusacct_mailer_ops_init': (
        c_int, [POINTER(chorusacct_mailer_ops), c_size_t]),
    'chorusacct_outbox_deliver': (
        c_int, [c_void_p, c_size_t, POINTER(chorusacct_delivery)]),
    'chorusacct_outbox_list': (c_int, [
        c_void_p, c_int, c_int64, POINTER(chorusacct_message), c_size_t,
        POINTER(c_size_t)]),
    'chorusacct_mail_kind_name': (c_char_p, [c_int]),
    'chorusacct_message_status_name': (c_char_p, [c_int]),
    'chorusacct_template_default': (
        c_int, [c_int, c_int, POINTER(c_char_p), POINTER(c_char_p)]),
    'chorusacct_ctx_set_template': (
        c_int, [c_void_p, c_int, c_int, c_char_p, c_char_p, POINTER(c_int)]),
    'chorusacct_mail_format': (c_int, [
        POINTER(chorusacct_mail), c_char_p, c_int64, POINTER(c_char), c_size_t,
        POINTER(c_size_t)]),
    'chorusacct_maildir_ops': (
        c_int, [POINTER(chorusacct_mailer_ops), c_char_p, c_char_p]),
    'chorusacct_postgres_ops': (c_int, [
        POINTER(chorusacct_storage_ops), c_char_p, c_uint32]),
    'chorusacct_postgres_schema_version': (c_int, []),
    'chorusacct_smtp_config_init': (
        c_int, [POINTER(chorusacct_smtp_config), c_size_t]),
    'chorusacct_smtp_ops': (c_int, [
        POINTER(chorusacct_mailer_ops), POINTER(chorusacct_smtp_config)]),
    'chorusacct_testmailer_new': (c_int, [POINTER(c_void_p)]),
    'chorusacct_testmailer_free': (None, [c_void_p]),
    'chorusacct_testmailer_ops': (
        c_int, [POINTER(chorusacct_mailer_ops), c_void_p]),
    'chorusacct_testmailer_count': (c_size_t, [c_void_p]),
    'chorusacct_testmailer_at': (
        POINTER(chorusacct_mail), [c_void_p, c_size_t]),
    'chorusacct_testmailer_clear': (None, [c_void_p]),
    'chorusacct_testmailer_last_link': (c_int, [
        c_void_p, c_char_p, POINTER(c_char), c_size_t, POINTER(c_size_t)]),
    'chorusacct_testmailer_fail_next': (c_int, [c_void_p, c_uint32, c_int]),
    # chorusacct/password.h
    'chorusacct_password_min_len': (c_size_t, []),
    'chorusacct_password_max_len': (c_size_t, []),
    'chorusacct_password_check': (c_int, [
        c_char_p, c_size_t, POINTER(c_uint32), POINTER(c_uint32),
        POINTER(c_int)]),
    'chorusacct_password_check_personal': (c_int, [
        c_char_p, c_size_t, c_char_p, c_char_p, c_char_p, POINTER(c_int)]),
    'chorusacct_password_rule_text': (c_char_p, [c_uint32, c_int]),
    'chorusacct_password_class_name': (c_char_p, [c_uint32, c_int]),
    # chorusacct/random.h
    'chorusacct_random_ops_init': (
        c_int, [POINTER(chorusacct_random_ops), c_size_t]),
    'chorusacct_testrandom_new': (c_int, [POINTER(c_void_p), c_char_p]),
    'chorusacct_testrandom_free': (None, [c_void_p]),
    'chorusacct_testrandom_ops': (
        c_int, [POINTER(chorusacct_random_ops), c_void_p]),
    # chorusacct/sqlite.h
    'chorusacct_sqlite_ops': (
        c_int, [POINTER(chorusacct_storage_ops), c_char_p, c_uint32]),
    'chorusacct_sqlite_schema_version': (c_int, []),
    # chorusacct/storage.h
    'chorusacct_storage_ops_init': (
        c_int, [POINTER(chorusacct_storage_ops), c_size_t]),
    'chorusacct_memstore_new': (c_int, [POINTER(c_void_p)]),
    'chorusacct_memstore_free': (None, [c_void_p]),
    'chorusacct_memstore_ops': (
        c_int, [POINTER(chorusacct_storage_ops), c_void_p]),
    'chorusacct_memstore_digest': (
        c_int, [c_void_p, POINTER(c_char), c_size_t]),
    'chorusacct_testkit_pwhash_count': (c_uint64, [c_void_p]),
    'chorusacct_faultstore_new': (
        c_int, [POINTER(c_void_p), POINTER(chorusacct_storage_ops), c_uint64]),
    'chorusacct_faultstore_free': (None, [c_void_p]),
    'chorusacct_faultstore_ops': (
        c_int, [POINTER(chorusacct_storage_ops), c_void_p]),
    'chorusacct_faultstore_calls': (c_uint64, [c_void_p]),
    'chorusacct_faultstore_fired': (c_int, [c_void_p]),
    'chorusacct_faultstore_reset': (None, [c_void_p, c_uint64]),
    'chorusacct_storage_conformance': (c_int, [
        POINTER(chorusacct_storage_ops), POINTER(chorusacct_storage_ops),
        POINTER(c_char), c_size_t]),
    # chorusacct/validate.h
    'chorusacct_email_max_len': (c_size_t, []),
    'chorusacct_email_check': _VALIDATOR,
    'chorusacct_email_same': (c_int, [c_char_p, c_size_t, c_char_p, c_size_t]),
    'chorusacct_phone_max_len': (c_size_t, []),
    'chorusacct_phone_check': _VALIDATOR,
    'chorusacct_name_max_len': (c_size_t, []),
    'chorusacct_name_check': _VALIDATOR,
}


def _declare():
    for name, (restype, argtypes) in _PROTOTYPES.items():
        where = testkit if name in _TESTKIT else lib
        if where is None:
            continue
        try:
            fn = getattr(where, name)
        except AttributeError:
            raise ImportError('chorusacct: %s %s lacks %s' %
                              (where._name, _LIB_VERSION, name)) from None
        fn.restype = restype
        fn.argtypes = argtypes


_declare()


def _check_layouts():
    """Each ctypes mirror of a versioned record or table has the size the
    loaded library reports (chorusacct_type_size): a library of the same
    version must agree exactly, a newer one may only be larger."""
    same = _LIB_VERSION == __version__
    for t in Type:
        cls = globals().get('chorusacct_' + t.name.lower())
        if cls is None:
            continue
        theirs, ours = lib.chorusacct_type_size(t), ctypes.sizeof(cls)
        if theirs < ours or (same and theirs != ours):
            raise ImportError(
                'chorusacct: %s of %s is %d bytes in the library %s, %d in '
                'this module' % (cls.__name__, lib._name, theirs,
                                 _LIB_VERSION, ours))


_check_layouts()


# ------------------------------------------------------------ text helpers


def _sized(record):
    """A record for the library to write: its struct_size says how much."""
    out = record()
    out.struct_size = sizeof(record)
    return out


def _sized_array(record, n):
    """An array of records for a list call: the first one's struct_size is
    the stride."""
    buf = (record * n)()
    buf[0].struct_size = sizeof(record)
    return buf


def _enc(value):
    """str (encoded as UTF-8) or bytes, as bytes; None stays None."""
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode('utf-8')
    raise TypeError('expected str or bytes, not %s' % type(value).__name__)


def _dec(raw):
    """C text (bytes, a c_char array, or None) as str."""
    if raw is None:
        return None
    if not isinstance(raw, bytes):
        raw = bytes(raw).split(b'\0', 1)[0]
    return raw.decode('utf-8', errors='replace')


def _status(code):
    try:
        return Status(code)
    except ValueError:
        return code


def _enum(cls, value):
    try:
        return cls(value)
    except ValueError:
        return value


def _text_out(call, cap=256):
    """Runs call(buf, cap, len_out) with a buffer that grows on TOOSMALL;
    returns (rc, text)."""
    n = c_size_t(0)
    while True:
        buf = ctypes.create_string_buffer(cap)
        rc = call(buf, cap, byref(n))
        if rc == Status.TOOSMALL and n.value + 1 > cap:
            cap = n.value + 1
            continue
        return rc, _dec(buf.value) if rc == Status.OK else None


# ------------------------------------------------------------ status codes

def init():
    """Initialise the library (and libsodium); harmless when repeated."""
    _raise_if(lib.chorusacct_init())


def version():
    """Version of the loaded library, as ``"MAJOR.MINOR.PATCH"``."""
    return _dec(lib.chorusacct_version())


def feature_available(feature):
    """Whether an optional part (:class:`Feature`) was built in."""
    return lib.chorusacct_feature_available(int(feature)) == 1


def type_size(type_):
    """Size in bytes of a versioned record or table (:class:`Type`) in the
    loaded library; 0 for an unknown type."""
    return lib.chorusacct_type_size(int(type_))


def version_number():
    """Version as ``MAJOR * 10000 + MINOR * 100 + PATCH``."""
    return lib.chorusacct_version_number()


def strerror(code, lang=Lang.EN):
    """Message of a status code in English or French."""
    return _dec(lib.chorusacct_strerror(code, lang))


def status_name(code):
    """Symbolic name of a status code (``"CHECKSUM"``), ``"UNKNOWN"`` for
    an unknown code."""
    return _dec(lib.chorusacct_status_name(code))


def option_range(option):
    """The (min, max) values an integer setting accepts (for
    PWHASH_MEMLIMIT, max depends on the machine's memory)."""
    lo, hi = c_int64(0), c_int64(0)
    _raise_if(lib.chorusacct_option_range(option, byref(lo), byref(hi)))
    return lo.value, hi.value


def status_from_name(name):
    """Status code from its name (the ``CHORUSACCT_E_`` prefix is
    optional); ChorusacctError NOTFOUND for an unknown name."""
    out = c_int(0)
    _raise_if(lib.chorusacct_status_from_name(byref(out), _enc(name)))
    return _status(out.value)


def lang_from_tag(tag):
    """Lang from a tag such as ``fr-FR`` or ``en_GB.UTF-8``."""
    out = c_int(0)
    _raise_if(lib.chorusacct_lang_from_tag(byref(out), _enc(tag)))
    return Lang(out.value)


class ChorusacctError(Exception):
    """A call failed. ``code`` is the status code (a :class:`Status`),
    ``name`` its symbolic name, ``message_en`` and ``message_fr`` the
    library's messages, ``detail`` the context's last-error text (may be
    empty)."""

    def __init__(self, code, detail=''):
        self.code = _status(code)
        self.name = status_name(code)
        self.message_en = strerror(code, Lang.EN)
        self.message_fr = strerror(code, Lang.FR)
        self.detail = detail or ''
        text = '%s: %s' % (self.name, self.message_en)
        if self.detail:
            text += ' (%s)' % self.detail
        super().__init__(text)

    def message(self, lang=Lang.EN):
        """The message in ``lang``."""
        return self.message_fr if lang == Lang.FR else self.message_en


@dataclasses.dataclass(frozen=True)
class FieldError:
    """One refused field of a form: the field and the reason code."""
    field: Field
    code: Status

    @property
    def name(self):
        return status_name(self.code)

    @property
    def field_name(self):
        return _dec(lib.chorusacct_field_name(self.field))

    @property
    def message_en(self):
        return strerror(self.code, Lang.EN)

    @property
    def message_fr(self):
        return strerror(self.code, Lang.FR)


class Rejected(ChorusacctError):
    """The input or the transition was refused (the C function returned
    CHORUSACCT_E_REJECTED). ``code`` (and its alias ``reason``), ``name``
    and the messages are those of the reason, such as CHECKSUM;
    ``status`` is always ``Status.REJECTED``. A refused sign-up lists
    every wrong field in ``field_errors`` (``code`` is the first one's);
    a refused password has the broken rules in ``failed_rules`` and the
    classes it has in ``classes``."""

    status = Status.REJECTED

    def __init__(self, reason, detail='', field_errors=(),
                 failed_rules=PwRule(0), classes=None):
        super().__init__(reason, detail)
        self.reason = self.code
        self.field_errors = list(field_errors)
        self.failed_rules = failed_rules
        self.classes = classes

    def errors_by_field(self):
        """{Field: FieldError} of a refused form."""
        return {e.field: e for e in self.field_errors}


def _raise_if(rc, reason=0, ctx=None, **kw):
    if rc == Status.OK:
        return
    detail = ctx.last_error if ctx is not None else ''
    if rc == Status.REJECTED:
        raise Rejected(reason, detail, **kw)
    raise ChorusacctError(rc, detail)


# -------------------------------------------------------------- validators

def _validator(cname, pyname, has_flags, doc):
    """A Python function over a C validator (identifier.h's convention)."""
    fn = getattr(lib, cname)

    def run(value, flags):
        data = _enc(value)
        reason = c_int(0)
        rc, out = _text_out(lambda buf, cap, n: fn(
            data, len(data), flags, buf, cap, n, byref(reason)), 64)
        _raise_if(rc, reason.value)
        return out

    if has_flags:
        def validate(value, strict=False):
            return run(value, ValidateFlag.STRICT if strict else 0)
        doc += ('\n\n``strict=True`` refuses spaces, dots and hyphens '
                '(SEPARATOR).')
    else:
        def validate(value):
            return run(value, 0)
    validate.__name__ = validate.__qualname__ = pyname
    validate.__doc__ = doc
    return validate


validate_siren = _validator(
    'chorusacct_siren_check', 'validate_siren', True,
    'SIREN (9 digits, Luhn): the normalized value, or Rejected.')
validate_siret = _validator(
    'chorusacct_siret_check', 'validate_siret', True,
    'SIRET (14 digits, Luhn; La Poste\'s rule): the normalized value, or '
    'Rejected.')
validate_tva = _validator(
    'chorusacct_vat_fr_check', 'validate_tva', True,
    'French intra-community VAT number: ``FR`` + key + SIREN, or Rejected.')
tva_from_siren = _validator(
    'chorusacct_vat_fr_from_siren', 'tva_from_siren', True,
    'French VAT number of a SIREN (``732829320`` gives ``FR44732829320``).')
validate_ridet = _validator(
    'chorusacct_ridet_check', 'validate_ridet', True,
    'RIDET (New Caledonia): the normalized value, or Rejected.')
validate_tahiti = _validator(
    'chorusacct_tahiti_check', 'validate_tahiti', True,
    'TAHITI number (French Polynesia): the normalized value, or Rejected.')
validate_hors_ue = _validator(
    'chorusacct_hors_ue_check', 'validate_hors_ue', True,
    'Identifier outside the EU (country code and name start), or Rejected.')
validate_vat = _validator(
    'chorusacct_vat_check', 'validate_vat', True,
    'EU VAT number of any member state (prefix required), or Rejected.')
validate_email = _validator(
    'chorusacct_email_check', 'validate_email', False,
    'E-mail address (domain lower-cased), or Rejected.')
validate_phone = _validator(
    'chorusacct_phone_check', 'validate_phone', True,
    'Phone number, France by default, in E.164 form, or Rejected.')
validate_name = _validator(
    'chorusacct_name_check', 'validate_name', False,
    'First or last name (spaces at both ends trimmed), or Rejected.')


def validate_identifier(id_type, value, strict=False):
    """Identifier of a structure of type ``id_type`` (an :class:`IdType`):
    the normalized value (empty for AUTRE and PARTICULIER), or Rejected."""
    data = _enc(value)
    reason = c_int(0)
    flags = ValidateFlag.STRICT if strict else 0
    rc, out = _text_out(lambda buf, cap, n: lib.chorusacct_identifier_check(
        id_type, data, len(data), flags, buf, cap, n, byref(reason)), 64)
    _raise_if(rc, reason.value)
    return out


def hors_ue_build(country, name):
    """The HORS_UE identifier of a company outside the EU, from its country
    code and name (``hors_ue_build("us", "Acme Inc.")`` gives
    ``"USACMEINC"``), or Rejected."""
    c, data = _enc(country), _enc(name)
    reason = c_int(0)
    rc, out = _text_out(lambda buf, cap, n: lib.chorusacct_hors_ue_build(
        c, data, len(data), buf, cap, n, byref(reason)), 64)
    _raise_if(rc, reason.value)
    return out


def identifier_split(id_type, normalized):
    """(enterprise part, establishment part) of a normalized SIRET, RIDET
    or TAHITI number."""
    data = _enc(normalized)
    n = c_size_t(0)
    _raise_if(lib.chorusacct_identifier_split(id_type, data, len(data),
                                              byref(n)))
    return normalized[:n.value], normalized[n.value:]


def identifier_name(id_type):
    """Chorus Pro API code of a type (``"SIRET"``...), ``"unknown"`` for
    an unknown type."""
    return _dec(lib.chorusacct_identifier_name(id_type))


def identifier_label(id_type, lang=Lang.EN):
    """Label of a type as a drop-down list shows it (``"Unknown"`` or
    ``"Inconnu"`` for an unknown type)."""
    return _dec(lib.chorusacct_identifier_label(id_type, lang))


def identifier_hint(id_type, lang=Lang.EN):
    """Expected format to show under the identifier field (``""`` for an
    unknown type)."""
    return _dec(lib.chorusacct_identifier_hint(id_type, lang))


def identifier_has_value(id_type):
    """Whether a type takes a value (AUTRE and PARTICULIER do not; False
    for an unknown type)."""
    return bool(lib.chorusacct_identifier_has_value(id_type))


def vat_hint(country, lang=Lang.EN):
    """Expected format of one member state's VAT numbers, or ``""`` for a
    prefix that is not a member state's."""
    return _dec(lib.chorusacct_vat_hint(_enc(country), lang))


def email_same(a, b):
    """Whether two addresses are the same login (ASCII case ignored)."""
    x, y = _enc(a), _enc(b)
    return bool(lib.chorusacct_email_same(x, len(x), y, len(y)))


def check_password(password):
    """Checks a password against the policy. Returns the classes it has
    (a :class:`PwClass`); raises Rejected with every broken rule in
    ``failed_rules`` (a :class:`PwRule`)."""
    data = _enc(password)
    failed, classes, reason = c_uint32(0), c_uint32(0), c_int(0)
    rc = lib.chorusacct_password_check(data, len(data), byref(failed),
                                       byref(classes), byref(reason))
    _raise_if(rc, reason.value, failed_rules=PwRule(failed.value),
              classes=PwClass(classes.value))
    return PwClass(classes.value)


def check_password_personal(password, login_email=None, first_name=None,
                            last_name=None):
    """Refuses (Rejected PASSWORD_PERSONAL) a password that contains the
    login's local part or a name, ignoring case."""
    data = _enc(password)
    reason = c_int(0)
    rc = lib.chorusacct_password_check_personal(
        data, len(data), _enc(login_email), _enc(first_name),
        _enc(last_name), byref(reason))
    _raise_if(rc, reason.value,
              failed_rules=PwRule.PERSONAL
              if reason.value == Status.PASSWORD_PERSONAL else PwRule(0))


def password_rule_text(rule, lang=Lang.EN):
    """Message of one :class:`PwRule` (``""`` for anything else)."""
    return _dec(lib.chorusacct_password_rule_text(rule, lang))


def password_class_name(cls, lang=Lang.EN):
    """Name of one :class:`PwClass` ("upper-case letters"; "Unknown" or
    "Inconnu" for anything else)."""
    return _dec(lib.chorusacct_password_class_name(cls, lang))


# ------------------------------------------------------- names and labels
# Never None: an unknown value has the machine name "unknown" and the label
# "Unknown" (English) or "Inconnu" (French).

def state_name(state):
    return _dec(lib.chorusacct_state_name(state))


def state_label(state, lang=Lang.EN):
    return _dec(lib.chorusacct_state_label(state, lang))


def event_name(event_type):
    return _dec(lib.chorusacct_event_name(event_type))


def field_name(field):
    return _dec(lib.chorusacct_field_name(field))


def role_name(role):
    return _dec(lib.chorusacct_role_name(role))


def mail_kind_name(kind):
    return _dec(lib.chorusacct_mail_kind_name(kind))


def message_status_name(status):
    return _dec(lib.chorusacct_message_status_name(status))


def transitions():
    """The state machine: a list of (from State, to State, EventType),
    where 0 stands for no state (before creation, after the purge)."""
    rows = []
    f, t, e = c_int(), c_int(), c_int()
    for i in range(lib.chorusacct_transition_count()):
        _raise_if(lib.chorusacct_transition_at(i, byref(f), byref(t),
                                               byref(e)))
        rows.append((_enum(State, f.value), _enum(State, t.value),
                     EventType(e.value)))
    return rows


def state_diagram(lang=Lang.EN):
    """The state diagram in Graphviz dot."""
    rc, text = _text_out(lambda b, c, n: lib.chorusacct_state_diagram(
        lang, b, c, n), 4096)
    _raise_if(rc)
    return text


def template_default(kind, lang=Lang.EN):
    """(subject, body) of the built-in template of a :class:`MailKind`."""
    s, b = c_char_p(), c_char_p()
    _raise_if(lib.chorusacct_template_default(kind, lang, byref(s),
                                              byref(b)))
    return _dec(s.value), _dec(b.value)


def storage_conformance(storage, concurrent=True):
    """Runs the library's storage conformance suite on an empty storage
    (a :class:`MemStore` or :class:`SqliteStorage`); raises
    ChorusacctError (``detail``: the failed check) when it fails."""
    ops = storage._ops()
    ops2 = storage._ops() if concurrent else None
    report = ctypes.create_string_buffer(1024)
    try:
        rc = _fn('chorusacct_storage_conformance')(
            byref(ops), byref(ops2) if ops2 is not None else None, report,
            len(report))
    finally:
        for o in (ops, ops2):
            if o is not None and isinstance(storage, SqliteStorage):
                o.destroy(o.user_data)
    if rc != Status.OK:
        raise ChorusacctError(rc, _dec(report.value))


# ------------------------------------------------------------------ records

def _record(cls, c, enums=None):
    """A dataclass from a ctypes record: the members of the same names,
    texts decoded, enums typed."""
    enums = enums or {}
    values = {}
    for f in dataclasses.fields(cls):
        v = getattr(c, f.name)
        if isinstance(v, bytes):  # char arrays and const char *
            v = _dec(v)
        if f.name in enums:
            v = _enum(enums[f.name], v)
        values[f.name] = v
    return cls(**values)


@dataclasses.dataclass(frozen=True)
class Account:
    """An account (its password hash is never returned)."""
    id: int
    state: State
    version: int
    structure_id: int
    role: Role
    lang: Lang
    created_at: int
    updated_at: int
    consent_at: int
    expires_at: int
    activated_at: int
    decided_by: int
    resent_at: int
    login_email: str
    email_key: str
    contact_email: str
    first_name: str
    last_name: str
    phone: str
    terms_version: str
    reason: str


_ACCOUNT_ENUMS = {'state': State, 'role': Role, 'lang': Lang}


@dataclasses.dataclass(frozen=True)
class Structure:
    """A structure (company, public body...) and its principal manager."""
    id: int
    id_type: IdType
    created_at: int
    principal_id: int
    identifier: str
    company_name: str


@dataclasses.dataclass(frozen=True)
class Event:
    """An audit event."""
    id: int
    type: EventType
    time: int
    account_id: int
    from_state: State
    to_state: State
    actor_id: int
    reason: str


_EVENT_ENUMS = {'type': EventType, 'from_state': State, 'to_state': State}


@dataclasses.dataclass(frozen=True)
class Message:
    """An outbox message (activation messages keep ``{link}``)."""
    id: int
    kind: MailKind
    account_id: int
    lang: Lang
    status: MessageStatus
    attempts: int
    created_at: int
    next_attempt_at: int
    lease_until: int
    sent_at: int
    to: str
    subject: str
    body: str
    last_error: str


_MESSAGE_ENUMS = {'kind': MailKind, 'lang': Lang, 'status': MessageStatus}


@dataclasses.dataclass(frozen=True)
class Mail:
    """A message as a mailer receives it."""
    kind: MailKind
    message_id: int
    account_id: int
    created_at: int
    lang: Lang
    attempt: int
    to: str
    subject: str
    body: str
    link: str  # the activation link, or None


_MAIL_ENUMS = {'kind': MailKind, 'lang': Lang}


@dataclasses.dataclass(frozen=True)
class TokenInfo:
    """What an activation link is about."""
    state: State
    account_id: int
    expires_at: int
    login_email: str
    first_name: str
    last_name: str


@dataclasses.dataclass(frozen=True)
class SweepResult:
    expired: int
    purged: int
    promoted: int


@dataclasses.dataclass(frozen=True)
class Delivery:
    sent: int
    retried: int
    dead: int
    cancelled: int


# ------------------------------------------------------------------ handles

class _Handle:
    """A C object freed by close() (or on leaving a ``with`` block). A
    context that uses it holds it: the C object is freed only once every
    such context is closed too, so it never outlives its users."""

    _free = None
    # The table of the C object, and the C function that fills it.
    _ops_record = None
    _ops_fn = None

    def __init__(self):
        self._ptr = c_void_p()
        self._users = 0
        self._closing = False

    def _retain(self):
        if self._closing:
            raise ValueError('%s is closed' % type(self).__name__)
        self._users += 1

    def _release(self):
        self._users -= 1
        if self._closing and self._users == 0:
            self._destroy()

    def _destroy(self):
        if self._ptr and self._free is not None:
            _fn(self._free)(self._ptr)
        self._ptr = c_void_p()

    def close(self):
        """Free the C object (when no open context uses it any more)."""
        if not self._closing:
            self._closing = True
            if self._users == 0:
                self._destroy()

    @property
    def closed(self):
        return self._closing

    def _live(self):
        if self._closing:
            raise ValueError('%s is closed' % type(self).__name__)
        return self._ptr

    def _ops(self):
        ops = _sized(self._ops_record)
        _raise_if(_fn(self._ops_fn)(byref(ops), self._live()))
        return ops

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # interpreter shutdown: lib may be gone
            pass


class MemStore(_Handle):
    """The library's in-memory storage (thread-safe; several contexts may
    share it)."""

    _free = 'chorusacct_memstore_free'
    _ops_record = chorusacct_storage_ops
    _ops_fn = 'chorusacct_memstore_ops'

    def __init__(self):
        super().__init__()
        _raise_if(lib.chorusacct_memstore_new(byref(self._ptr)))

    def digest(self):
        """32 bytes summing up everything stored but the throttle counters:
        equal digests before and after a failed call prove it changed
        nothing."""
        out = ctypes.create_string_buffer(32)
        _raise_if(_fn('chorusacct_memstore_digest')(self._live(), out,
                                                     len(out)))
        return out.raw


class SqliteStorage(_Handle):
    """An SQLite database file (created with its schema when missing,
    unless create=False). Each context that uses it gets its own
    connection, which closes with the context."""

    def __init__(self, path, create=True):
        super().__init__()
        self.path = os.fspath(path)
        self._flags = 0 if create else SqliteFlag.NO_CREATE
        # Open one connection now, so that a bad path fails here; the
        # first context takes it.
        self._spare = self._open()

    def _open(self):
        ops = _sized(chorusacct_storage_ops)
        _raise_if(lib.chorusacct_sqlite_ops(
            byref(ops), _enc(self.path), self._flags))
        return ops

    def _ops(self):
        self._live()
        if self._spare is not None:
            ops, self._spare = self._spare, None
            return ops
        return self._open()

    def _destroy(self):
        if self._spare is not None:
            self._spare.destroy(self._spare.user_data)
            self._spare = None

    @staticmethod
    def schema_version():
        """Schema version this library writes."""
        return lib.chorusacct_sqlite_schema_version()


class TestClock(_Handle):
    """A settable clock (Unix seconds) for tests."""

    __test__ = False  # not a unittest/pytest test class
    _free = 'chorusacct_testclock_free'
    _ops_record = chorusacct_clock_ops
    _ops_fn = 'chorusacct_testclock_ops'

    def __init__(self, start=0):
        super().__init__()
        _raise_if(_fn('chorusacct_testclock_new')(byref(self._ptr), start))

    def set(self, now):
        _fn('chorusacct_testclock_set')(self._live(), now)

    def advance(self, seconds):
        _fn('chorusacct_testclock_advance')(self._live(), seconds)

    def now(self):
        return _fn('chorusacct_testclock_now')(self._live())


class TestRandom(_Handle):
    """A seeded, deterministic random source for tests (never in
    production). ``seed``: 32 bytes, or an int stored little-endian in 32
    bytes (42 is the C tests' ``{42}``)."""

    __test__ = False
    _free = 'chorusacct_testrandom_free'
    _ops_record = chorusacct_random_ops
    _ops_fn = 'chorusacct_testrandom_ops'

    def __init__(self, seed=0):
        super().__init__()
        if isinstance(seed, int):
            seed = seed.to_bytes(32, 'little')
        if len(seed) != 32:
            raise ValueError('the seed has 32 bytes')
        _raise_if(_fn('chorusacct_testrandom_new')(byref(self._ptr), seed))


def _mail_of(c):
    return _record(Mail, c, _MAIL_ENUMS)


class TestMailer(_Handle):
    """The library's capturing mailer: keeps every message in memory."""

    _free = 'chorusacct_testmailer_free'
    _ops_record = chorusacct_mailer_ops
    _ops_fn = 'chorusacct_testmailer_ops'

    def __init__(self):
        super().__init__()
        _raise_if(_fn('chorusacct_testmailer_new')(byref(self._ptr)))

    def __len__(self):
        return _fn('chorusacct_testmailer_count')(self._live())

    @property
    def mails(self):
        """The captured messages, oldest first (copies)."""
        ptr = self._live()
        return [_mail_of(_fn('chorusacct_testmailer_at')(ptr, i).contents)
                for i in range(_fn('chorusacct_testmailer_count')(ptr))]

    def to(self, address, kind=None):
        """Messages to ``address`` (ASCII case ignored), of ``kind``."""
        return [m for m in self.mails if m.to.lower() == address.lower()
                and (kind is None or m.kind == kind)]

    def clear(self):
        _fn('chorusacct_testmailer_clear')(self._live())

    def last_link(self, to=None):
        """The last activation link sent to ``to`` (any address: None), or
        None when there is none."""
        addr = _enc(to)
        ptr = self._live()
        rc, text = _text_out(
            lambda b, c, n: _fn('chorusacct_testmailer_last_link')(
                ptr, addr, b, c, n), 256)
        if rc == Status.NOTFOUND:
            return None
        _raise_if(rc)
        return text

    def last_token(self, to=None):
        """The token of last_link(to) (what follows ``token=``), or None."""
        link = self.last_link(to)
        if link is None or 'token=' not in link:
            return None
        return link.split('token=', 1)[1].split('&', 1)[0]

    def fail_next(self, count, result=MailResult.TEMPFAIL):
        """Make the next ``count`` sends answer ``result`` without
        capturing."""
        _raise_if(_fn('chorusacct_testmailer_fail_next')(self._live(), count,
                                                     result))


# -------------------------------------------------------- Python mailers

class MailFailure(Exception):
    """Raised by :meth:`Mailer.send` to report a failure with a text kept
    in the outbox; ``permanent`` makes it a dead letter at once."""

    def __init__(self, text, permanent=False):
        super().__init__(text)
        self.permanent = permanent


# The C side holds an integer key as user_data; the registry maps it to
# the Python mailer. The trampolines are module-level, so they live as long
# as the library may call them; a table's destroy (called when its context
# is freed, or when the context's mailer is replaced) drops its key.
_registry = {}
_registry_lock = threading.Lock()
_keys = itertools.count(1)


def _error_out(buf, cap, text):
    if cap == 0 or not buf:
        return
    data = text.encode('utf-8', errors='replace')[:cap - 1]
    ctypes.memmove(buf, data + b'\0', len(data) + 1)


@MAIL_SEND_FN
def _send_trampoline(user_data, mail, error, error_cap):
    with _registry_lock:
        mailer = _registry.get(user_data)
    if mailer is None:
        _error_out(error, error_cap, 'no Python mailer for this table')
        return MailResult.TEMPFAIL
    try:
        result = mailer.send(_mail_of(mail.contents))
    except MailFailure as e:
        _error_out(error, error_cap, str(e))
        return MailResult.PERMFAIL if e.permanent else MailResult.TEMPFAIL
    except BaseException as e:  # never unwind through C
        mailer.exceptions.append(e)
        _error_out(error, error_cap, '%s: %s' % (type(e).__name__, e))
        return MailResult.TEMPFAIL
    if result is None:
        return MailResult.SENT
    return int(result)


@DESTROY_FN
def _destroy_trampoline(user_data):
    try:
        with _registry_lock:
            _registry.pop(user_data, None)
    except Exception:  # interpreter shutdown
        pass


class Mailer:
    """Base class of a mailer written in Python. Override
    ``send(mail)``: return None or ``MailResult.SENT`` when the message was
    accepted, ``MailResult.TEMPFAIL`` to have it retried later,
    ``MailResult.PERMFAIL`` for a dead letter, or raise
    :class:`MailFailure` to say why. Any other exception counts as a
    temporary failure and is kept in ``exceptions``.

    The library calls ``send`` through a C function pointer of the mailer
    table, with the table's ``user_data``; nothing but ctypes is involved.
    """

    def __init__(self):
        self.exceptions = []

    def send(self, mail):
        raise NotImplementedError

    def _ops(self):
        ops = chorusacct_mailer_ops()
        _raise_if(lib.chorusacct_mailer_ops_init(byref(ops), sizeof(ops)))
        with _registry_lock:
            key = next(_keys)
            _registry[key] = self
        ops.user_data = key
        ops.send = _send_trampoline
        ops.destroy = _destroy_trampoline
        return ops

    def _retain(self):
        pass

    def _release(self):
        pass


class ListMailer(Mailer):
    """A Python mailer that keeps what it is given in ``sent``."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def send(self, mail):
        self.sent.append(mail)


# ----------------------------------------------------------------- context

_CONFIG_TEXTS = ('activation_url', 'terms_version', 'portal_name')


def _signup_form(fields, keep):
    form = chorusacct_signup()
    _raise_if(lib.chorusacct_signup_init(byref(form), sizeof(form)))
    for name, value in fields.items():
        if name == 'lang':
            form.lang = -1 if value is None else int(value)
        elif name == 'id_type':
            form.id_type = 0 if value is None else int(value)
        elif name == 'accept_terms':
            form.accept_terms = 1 if value else 0
        elif name in dict(chorusacct_signup._fields_) and \
                name != 'struct_size':
            data = _enc(value)
            keep.append(data)
            setattr(form, name, data)
        else:
            raise TypeError('unknown sign-up field %r' % name)
    return form


class Context(_Handle):
    """A libchorusacct context: settings, storage, mailer, clock, random,
    and the flow. ``Context(storage=MemStore(), mailer=..., clock=...,
    random=..., **settings)`` where settings are members of
    ``chorusacct_config`` (``flags``, ``lang``, ``activation_ttl``,
    ``activation_url``, ``pwhash_opslimit``...) and ``secret``,
    ``CtxSize.SECRET_SIZE`` (32) bytes.

    Flow methods raise :class:`Rejected` when the input or the transition
    is refused, :class:`ChorusacctError` when the call fails; ``detail``
    holds the context's last-error text. One thread at a time.
    """

    _free = 'chorusacct_ctx_free'

    def __init__(self, storage=None, mailer=None, clock=None, random=None,
                 secret=None, **settings):
        super().__init__()
        self._parts = {}
        cfg = chorusacct_config()
        _raise_if(lib.chorusacct_config_init(byref(cfg), sizeof(cfg)))
        keep = []
        names = dict(chorusacct_config._fields_)
        for name, value in settings.items():
            if name not in names or name in ('struct_size', 'secret',
                                             'secret_len'):
                raise TypeError('unknown setting %r' % name)
            if name in _CONFIG_TEXTS:
                value = _enc(value)
                keep.append(value)
            setattr(cfg, name, value)
        if secret is not None:
            key = (c_uint8 * len(secret)).from_buffer_copy(secret)
            keep.append(key)
            cfg.secret = ctypes.cast(key, POINTER(c_uint8))
            cfg.secret_len = len(secret)
        _raise_if(lib.chorusacct_ctx_new(byref(self._ptr), byref(cfg)))
        try:
            if storage is not None:
                self.set_storage(storage)
            if mailer is not None:
                self.set_mailer(mailer)
            if clock is not None:
                self.set_clock(clock)
            if random is not None:
                self.set_random(random)
        except BaseException:
            self.close()
            raise

    # The C context copies each table; the Python object that owns what
    # the table points to is held until the context is freed.
    def _set(self, slot, part, setter):
        if part is None:
            ops_ref = None
        else:
            part._retain()
            try:
                ops = part._ops()
            except BaseException:
                part._release()
                raise
            ops_ref = byref(ops)
        rc = setter(self._live(), ops_ref)
        if rc != Status.OK:
            if part is not None:
                if ops.destroy:
                    ops.destroy(ops.user_data)
                part._release()
            _raise_if(rc, ctx=self)
        old = self._parts.pop(slot, None)
        if part is not None:
            self._parts[slot] = part
        if old is not None:
            old._release()

    def set_storage(self, storage):
        """Use a :class:`MemStore` or :class:`SqliteStorage`."""
        self._set('storage', storage, lib.chorusacct_ctx_set_storage)

    def set_mailer(self, mailer):
        """Use a :class:`TestMailer` or a :class:`Mailer` subclass."""
        self._set('mailer', mailer, lib.chorusacct_ctx_set_mailer)

    def set_clock(self, clock):
        """Use a :class:`TestClock`; None: the system clock."""
        self._set('clock', clock, lib.chorusacct_ctx_set_clock)

    def set_random(self, random):
        """Use a :class:`TestRandom`; None: libsodium's."""
        self._set('random', random, lib.chorusacct_ctx_set_random)

    def _destroy(self):
        if self._ptr:
            lib.chorusacct_ctx_free(self._ptr)
            self._ptr = c_void_p()
        parts, self._parts = self._parts, {}
        for part in parts.values():
            part._release()

    # -- settings
    @property
    def last_error(self):
        """Detail of the last error ("" after a success)."""
        if not self._ptr:
            return ''
        return _dec(lib.chorusacct_ctx_last_error(self._ptr))

    def now(self):
        """The context's time (through its clock)."""
        return lib.chorusacct_ctx_now(self._live())

    def set_int(self, option, value):
        _raise_if(lib.chorusacct_ctx_set_int(self._live(), option, value),
                  ctx=self)

    def get_int(self, option):
        out = c_int64(0)
        _raise_if(lib.chorusacct_ctx_get_int(self._live(), option,
                                             byref(out)), ctx=self)
        return out.value

    def set_str(self, option, value):
        _raise_if(lib.chorusacct_ctx_set_str(self._live(), option,
                                             _enc(value)), ctx=self)

    def get_str(self, option):
        return _dec(lib.chorusacct_ctx_get_str(self._live(), option))

    def set_secret(self, key):
        _raise_if(lib.chorusacct_ctx_set_secret(self._live(), key,
                                                len(key)), ctx=self)

    def set_template(self, kind, lang, subject, body):
        """Replace a message template (None, None: the built-in one)."""
        reason = c_int(0)
        _raise_if(lib.chorusacct_ctx_set_template(
            self._live(), kind, lang, _enc(subject), _enc(body),
            byref(reason)), reason.value, ctx=self)

    # -- the flow
    def lookup(self, id_type, identifier):
        """The :class:`Structure` that has this identifier, or None."""
        declared, reason = c_int(0), c_int(0)
        out = _sized(chorusacct_structure)
        _raise_if(lib.chorusacct_structure_lookup(
            self._live(), id_type, _enc(identifier), byref(declared),
            byref(out), byref(reason)), reason.value, ctx=self)
        if not declared.value:
            return None
        return _record(Structure, out, {'id_type': IdType})

    def _form_call(self, fn, *pre, **fields):
        keep = []
        form = _signup_form(fields, keep)
        res = _sized(chorusacct_signup_result)
        res.struct_size = sizeof(res)
        rc = fn(self._live(), *pre, byref(form), byref(res))
        if rc == Status.REJECTED:
            errors = [FieldError(_enum(Field, e.field), _status(e.code))
                      for e in res.errors[:res.nerrors]]
            _raise_if(rc, errors[0].code if errors else 0, ctx=self,
                      field_errors=errors)
        _raise_if(rc, ctx=self)
        return res.account_id, _enum(State, res.state)

    def signup(self, **fields):
        """Sign up with the whole form: the members of ``chorusacct_signup``
        as keywords (login_email, first_name, last_name, phone,
        contact_email, terms_version, id_type, identifier, company_name,
        captcha_id, captcha_answer, client_key, accept_terms, lang).
        Returns (account_id, state); raises Rejected with every wrong field
        in ``field_errors``."""
        return self._form_call(lib.chorusacct_signup_submit, **fields)

    def draft_create(self, **fields):
        """First wizard step (personal information): (draft id, state)."""
        return self._form_call(lib.chorusacct_draft_create, **fields)

    def draft_finalize(self, account_id, **fields):
        """Last wizard step (structure and captcha): (account_id, state)."""
        return self._form_call(lib.chorusacct_draft_finalize, account_id,
                               **fields)

    def _reason_call(self, fn, *args):
        reason = c_int(0)
        _raise_if(fn(self._live(), *args, byref(reason)), reason.value,
                  ctx=self)

    def approve(self, manager_id, account_id):
        self._reason_call(lib.chorusacct_account_approve, manager_id,
                          account_id)

    def approve_many(self, manager_id, account_ids):
        """Approves each request on its own: the list of codes, one per id
        (Status.OK or a reason)."""
        n = len(account_ids)
        ids = (c_int64 * n)(*account_ids)
        codes = (c_int * n)()
        rc = lib.chorusacct_account_approve_many(self._live(), manager_id,
                                                 ids, n, codes)
        if rc not in (Status.OK, Status.REJECTED):
            _raise_if(rc, ctx=self)
        return [_status(c) for c in codes]

    def reject(self, manager_id, account_id, why):
        self._reason_call(lib.chorusacct_account_reject, manager_id,
                          account_id, _enc(why))

    def set_role(self, principal_id, account_id, role):
        self._reason_call(lib.chorusacct_account_set_role, principal_id,
                          account_id, role)

    def activation_lookup(self, token, client_key=None):
        """What an activation link is about (:class:`TokenInfo`), without
        consuming it; Rejected TOKEN_INVALID, TOKEN_EXPIRED,
        ALREADY_ACTIVE..."""
        out = _sized(chorusacct_token_info)
        reason = c_int(0)
        _raise_if(lib.chorusacct_activation_lookup(
            self._live(), _enc(token), _enc(client_key), byref(out),
            byref(reason)), reason.value, ctx=self)
        return _record(TokenInfo, out, {'state': State})

    def request_confirm(self, token, client_key=None):
        """Confirms a request to join made in enumeration-safe mode with
        the link mailed to its login address; returns the account id.
        Rejected TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_USED, STATE..."""
        account, reason = c_int64(0), c_int(0)
        _raise_if(lib.chorusacct_request_confirm(
            self._live(), _enc(token), _enc(client_key), byref(account),
            byref(reason)), reason.value, ctx=self)
        return account.value

    def activate(self, token, password, confirm=None, client_key=None):
        """Sets the password (``confirm`` defaults to ``password``);
        returns the account id. Rejected carries the broken password rules
        in ``failed_rules``."""
        pw = _enc(password)
        cf = pw if confirm is None else _enc(confirm)
        form = chorusacct_activation()
        _raise_if(lib.chorusacct_activation_init(byref(form), sizeof(form)))
        form.token, form.client_key = _enc(token), _enc(client_key)
        form.password, form.password_len = pw, len(pw)
        form.confirm, form.confirm_len = cf, len(cf)
        account, failed, reason = c_int64(0), c_uint32(0), c_int(0)
        rc = lib.chorusacct_activation_submit(
            self._live(), byref(form), byref(account), byref(failed),
            byref(reason))
        _raise_if(rc, reason.value, ctx=self,
                  failed_rules=PwRule(failed.value))
        return account.value

    def resend(self, login_email, client_key=None):
        """The person asks for a new activation link."""
        self._reason_call(lib.chorusacct_activation_resend,
                          _enc(login_email), _enc(client_key))

    def resend_by(self, manager_id, account_id):
        self._reason_call(lib.chorusacct_activation_resend_by, manager_id,
                          account_id)

    def disable(self, actor_id, account_id, why=None):
        self._reason_call(lib.chorusacct_account_disable, actor_id,
                          account_id, _enc(why))

    def enable(self, actor_id, account_id):
        self._reason_call(lib.chorusacct_account_enable, actor_id,
                          account_id)

    def login(self, login_email, password, client_key=None):
        """Checks the password of an active account; returns its id.
        Rejected CREDENTIALS, LOCKED, NOT_ACTIVE, THROTTLED."""
        pw = _enc(password)
        account, reason = c_int64(0), c_int(0)
        rc = lib.chorusacct_login(self._live(), _enc(login_email), pw,
                                  len(pw), _enc(client_key), byref(account),
                                  byref(reason))
        _raise_if(rc, reason.value, ctx=self)
        return account.value

    def login_unlock(self, account_id, manager_id=None):
        """Lifts the login lockouts of the account's address: as the
        operator, or as `manager_id`, a manager of its structure
        (Rejected NOT_MANAGER)."""
        if manager_id is None:
            self._reason_call(lib.chorusacct_login_unlock, account_id)
        else:
            self._reason_call(lib.chorusacct_login_unlock_by, manager_id,
                              account_id)

    def captcha_issue(self, client_key=None):
        """A captcha challenge: (id, text to show)."""
        cid = ctypes.create_string_buffer(Size.CAPTCHA_ID_SIZE)
        text = ctypes.create_string_buffer(Size.CAPTCHA_TEXT_SIZE)
        reason = c_int(0)
        _raise_if(lib.chorusacct_captcha_issue(
            self._live(), _enc(client_key), cid, len(cid), text, len(text),
            byref(reason)), reason.value, ctx=self)
        return _dec(cid.value), _dec(text.value)

    def sweep(self):
        """Expire what is due, purge what is old: a :class:`SweepResult`."""
        out = _sized(chorusacct_sweep_result)
        out.struct_size = sizeof(out)
        _raise_if(lib.chorusacct_sweep(self._live(), byref(out)), ctx=self)
        return SweepResult(out.expired, out.purged, out.promoted)

    def deliver(self, max=100):
        """Hand due outbox messages to the mailer: a :class:`Delivery`."""
        out = _sized(chorusacct_delivery)
        out.struct_size = sizeof(out)
        _raise_if(lib.chorusacct_outbox_deliver(self._live(), max,
                                                 byref(out)), ctx=self)
        return Delivery(out.sent, out.retried, out.dead, out.cancelled)

    def _pages(self, fn, record, *args, page=16):
        out = []
        after = 0
        buf = _sized_array(record, page)
        n = c_size_t(0)
        while True:
            _raise_if(fn(self._live(), *args, after, buf, page, byref(n)),
                      ctx=self)
            out.extend(buf[:n.value])
            if n.value < page:
                return out
            after = buf[n.value - 1].id

    def outbox(self, status=0):
        """Outbox messages (all, or of a :class:`MessageStatus`)."""
        return [_record(Message, m, _MESSAGE_ENUMS) for m in self._pages(
            lib.chorusacct_outbox_list, chorusacct_message, status)]

    def events(self, account_id=0):
        """The audit log of an account (0: of all), oldest first."""
        return [_record(Event, e, _EVENT_ENUMS) for e in self._pages(
            lib.chorusacct_event_list, chorusacct_event, account_id)]

    def account(self, account_id):
        """An :class:`Account`; ChorusacctError NOTFOUND if none."""
        out = _sized(chorusacct_account)
        _raise_if(lib.chorusacct_account_get(self._live(), account_id,
                                             byref(out)), ctx=self)
        return _record(Account, out, _ACCOUNT_ENUMS)

    def find_account(self, login_email):
        """The :class:`Account` of a login e-mail (any case), or None."""
        out = _sized(chorusacct_account)
        rc = lib.chorusacct_account_find(self._live(), _enc(login_email),
                                         byref(out))
        if rc == Status.NOTFOUND:
            return None
        _raise_if(rc, ctx=self)
        return _record(Account, out, _ACCOUNT_ENUMS)

    def accounts(self, state=0, structure_id=0, min_role=0,
                 expires_before=0, order=Order.ID):
        """Accounts matching the filter, in id order (or, with
        ``order=Order.EXPIRY``, soonest expiry first)."""
        q = chorusacct_account_query()
        q.struct_size = sizeof(q)
        q.state, q.structure_id = state, structure_id
        q.min_role, q.expires_before = min_role, expires_before
        q.order = order
        out, page = [], 16
        buf = _sized_array(chorusacct_account, page)
        n = c_size_t(0)
        while True:
            _raise_if(lib.chorusacct_account_list(
                self._live(), byref(q), buf, page, byref(n)), ctx=self)
            out.extend(_record(Account, a, _ACCOUNT_ENUMS)
                       for a in buf[:n.value])
            if n.value < page:
                return out
            q.after_id = buf[n.value - 1].id
            q.after_expires_at = buf[n.value - 1].expires_at

    def structure(self, structure_id):
        """A :class:`Structure`; ChorusacctError NOTFOUND if none."""
        out = _sized(chorusacct_structure)
        _raise_if(lib.chorusacct_structure_get(self._live(), structure_id,
                                               byref(out)), ctx=self)
        return _record(Structure, out, {'id_type': IdType})
