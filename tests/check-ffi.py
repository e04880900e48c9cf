#!/usr/bin/env python3
"""Every public function must be callable through a plain FFI (Python's
ctypes, Java's Panama, a Rust extern block...) without C glue.

Walks the public headers and fails on:

- `...` or `va_list` in a declaration;
- a struct or union passed or returned by value;
- an enum, `long` or `bool` passed, returned or stored in a record by value
  (their size depends on the compiler: the API uses `int`, `int32_t`...);
- a function pointer (member, parameter or typedef) whose first parameter
  is not a `void *` (the user data every callback receives);
- an enum member without an explicit value (an FFI user copies the values);
- a `#define` a user could need: anything but include guards, the
  declaration machinery (a macro used inside declarations and expanding to
  nothing or to attributes, such as CHORUSACCT_API), and the version macros,
  which have functions of their own (checked to be declared);
- a declaration it does not understand, or a type it does not know, so
  that nothing slips through unread.

    check-ffi.py [--self-test] --headers include/
        check the headers (after feeding the checker small bad headers and
        making sure it refuses each, with --self-test)
    check-ffi.py --headers include/ --layout-c OUT.c
        write a C program that prints the size and alignment of every
        public record, the offset and size of each member, and the value of
        every enum member, for bindings to compare their mirrors with
    check-ffi.py --headers include/ --dump
        print the model (functions, records, enums) as the checker reads it

Standard library only; importable (tests/check-ffi.py is also loaded by
examples/python/test_chorusacct.py to compare the ctypes prototypes with
the headers).
"""
import argparse
import os
import re
import sys

# Macros that stand for a function: the value an FFI user gets by calling
# it. The function must be declared (else the macro is reported).
MACRO_EQUIVALENTS = {
    'CHORUSACCT_VERSION_MAJOR': 'chorusacct_version_number',
    'CHORUSACCT_VERSION_MINOR': 'chorusacct_version_number',
    'CHORUSACCT_VERSION_PATCH': 'chorusacct_version_number',
    'CHORUSACCT_VERSION_NUMBER': 'chorusacct_version_number',
    'CHORUSACCT_VERSION_STRING': 'chorusacct_version',
    'CHORUSACCT_HAS_SMTP': 'chorusacct_feature_available',
    'CHORUSACCT_HAS_POSTGRES': 'chorusacct_feature_available',
}

# The export marker: kept in declarations, which it tells apart; it and
# the NODISCARD marker are skipped in types (also where a test header
# uses them without defining them).
EXPORT = 'CHORUSACCT_API'
MARKERS = {EXPORT, 'CHORUSACCT_NODISCARD'}

# Types an FFI knows without the headers. `long` and `bool` are refused
# elsewhere; they are listed so that the message says why.
BUILTIN_TYPES = {
    'void', 'char', 'signed', 'unsigned', 'short', 'int', 'long', 'float',
    'double', 'bool', '_Bool', 'size_t', 'ptrdiff_t', 'intptr_t',
    'uintptr_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t',
    'uint16_t', 'uint32_t', 'uint64_t', 'va_list',
}
QUALIFIERS = {'const', 'volatile', 'restrict', '__restrict'}
# Words that are never a declarator's name.
BUILTIN_KEYWORDS = {'void', 'char', 'signed', 'unsigned', 'short', 'int',
                    'long', 'float', 'double', '_Bool'}
VARIABLE_SIZE = {'long': 'long (4 or 8 bytes by platform)',
                 'bool': 'bool', '_Bool': '_Bool'}

TOKEN = re.compile(r'''
    (?P<ws>\s+)
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<chr>'(?:\\.|[^'\\\n])*')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<num>\.?\d[\w.]*)
  | (?P<ell>\.\.\.)
  | (?P<punct>->|<<|>>|::|\[\[|\]\]|[{}()\[\];,*=<>+\-/%&|^!~?:.#])
''', re.X)


class Decl:
    """A parsed entity. kind: function, struct, union, enum, opaque,
    fnptr (a function pointer typedef), typedef (another typedef)."""

    def __init__(self, kind, name, file, line, **kw):
        self.kind, self.name, self.file, self.line = kind, name, file, line
        self.__dict__.update(kw)

    def where(self):
        return '%s:%d' % (self.file, self.line)


class Model:
    def __init__(self):
        self.functions = {}   # name -> Decl(ret, params)
        self.records = {}     # struct/union name -> Decl(members, union)
        self.opaque = {}      # name -> Decl
        self.enums = {}       # name -> Decl(members: [(name, expr, value)])
        self.fnptrs = {}      # typedef'd function pointers
        self.typedefs = {}    # other typedefs: name -> type tokens
        self.macros = []      # (name, value, file, line, is_guard)
        self.used_ids = set()  # identifiers used in declarations
        # Macros that expand to nothing or to attributes (CHORUSACCT_API):
        # skipped when they stand in a declaration.
        self.machinery = set()
        self.machinery_args = set()  # those that take arguments
        self.violations = []  # (where, message)

    def fail(self, where, msg):
        self.violations.append((where, msg))

    def enum_value(self, name):
        for e in self.enums.values():
            for m in e.members:
                if m[0] == name:
                    return m[2]
        return None


# ---------------------------------------------------------------- lexing

def strip_comments(text):
    """Comments become spaces (newlines kept, so lines still count)."""
    def repl(m):
        s = m.group(0)
        if s.startswith('"') or s.startswith("'"):
            return s
        return re.sub(r'[^\n]', ' ', s)
    return re.sub(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
                  r'|/\*.*?\*/|//[^\n]*', repl, text, flags=re.S)


def split_preprocessor(text):
    """Returns (code with directive lines blanked, [(line, directive)])."""
    lines = text.split('\n')
    out, directives, i = [], [], 0
    while i < len(lines):
        if lines[i].lstrip().startswith('#'):
            start, d = i, lines[i]
            out.append('')
            while d.endswith('\\') and i + 1 < len(lines):
                i += 1
                d = d[:-1] + ' ' + lines[i]
                out.append('')
            directives.append((start + 1, d.strip()))
        else:
            out.append(lines[i])
        i += 1
    return '\n'.join(out), directives


def tokenize(text, file):
    toks, line, pos = [], 1, 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SyntaxError('%s:%d: cannot read %r' %
                              (file, line, text[pos:pos + 20]))
        s = m.group(0)
        if m.lastgroup != 'ws':
            toks.append((s, line))
        line += s.count('\n')
        pos = m.end()
    return toks


def split_top(toks, sep, open_='([{', close=')]}'):
    """Splits tokens at `sep` outside brackets."""
    parts, cur, depth = [], [], 0
    for t in toks:
        if t[0] in open_:
            depth += 1
        elif t[0] in close:
            depth -= 1
        if t[0] == sep and depth == 0:
            parts.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        parts.append(cur)
    return parts


def matching(toks, i):
    """Index of the bracket closing the one at toks[i]."""
    pairs = {'(': ')', '[': ']', '{': '}'}
    o, c, depth = toks[i][0], pairs[toks[i][0]], 0
    for j in range(i, len(toks)):
        if toks[j][0] == o:
            depth += 1
        elif toks[j][0] == c:
            depth -= 1
            if depth == 0:
                return j
    raise SyntaxError('unbalanced %r at line %d' % (o, toks[i][1]))


# ---------------------------------------------------------- declarators

class Type:
    """A parsed C type: base identifiers, pointer depth, array, or a
    function pointer (params)."""

    def __init__(self, base, pointers, const=False, array=None,
                 fnptr=None, ret=None, tagged=None):
        self.base = base          # ['unsigned', 'int'], ['chorusacct_x']
        self.pointers = pointers  # '*' count (arrays in params count too)
        self.const = const        # const on the pointee (or the value)
        self.array = array        # member array dimension tokens
        self.fnptr = fnptr        # list of (name, Type) for a function pointer
        self.ret = ret            # its return Type
        self.tagged = tagged      # 'struct', 'union' or 'enum' keyword used

    def c(self):
        if self.fnptr is not None:
            return '%s (*)(%s)' % (self.ret.c(), ', '.join(
                p.c() if p is not None else '...' for _, p in self.fnptr))
        s = ('const ' if self.const else '') + ' '.join(self.base)
        return s + (' ' + '*' * self.pointers if self.pointers else '')


def parse_declarator(toks, where, model, allow_abstract=True):
    """Parses `type declarator` (a parameter or a member). Returns
    (name or None, Type)."""
    words = [t[0] for t in toks]
    if '...' in words:
        return '...', None
    # Function pointer: type ( * name ) ( params )
    if '(' in words:
        i = words.index('(')
        j = matching(toks, i)
        inner = words[i + 1:j]
        if not inner or inner[0] != '*' or j + 1 >= len(words) or \
                words[j + 1] != '(':
            model.fail(where, 'declarator not understood: %s' %
                       ' '.join(words))
            return None, Type(['?'], 0)
        name = inner[-1] if len(inner) > 1 and re.match(r'\w', inner[-1]) \
            else None
        k = matching(toks, j + 1)
        ret = parse_type(toks[:i], where, model)
        params = parse_params(toks[j + 2:k], where, model)
        return name, Type([], 1, fnptr=params, ret=ret)
    array = None
    if '[' in words:
        i = words.index('[')
        array = words[i + 1:words.index(']', i)]
        toks = toks[:i]
        words = words[:i]
    name = None
    typewords = [w for w in words if w not in QUALIFIERS and w != '*' and
                 w not in model.machinery]
    if len(typewords) >= 2 and re.match(r'[A-Za-z_]\w*$', typewords[-1]) \
            and typewords[-1] not in BUILTIN_KEYWORDS and \
            typewords[-2] not in ('struct', 'union', 'enum'):
        name = typewords[-1]
        toks = toks[:len(words) - 1 - words[::-1].index(name)] + \
            toks[len(words) - words[::-1].index(name):]
    t = parse_type(toks, where, model)
    if array is not None:
        t.array = array
    return name, t


def parse_type(toks, where, model):
    words = [t[0] for t in toks]
    base, ptr, const, tagged = [], 0, False, None
    for w in words:
        if w == '*':
            ptr += 1
        elif w == 'const':
            if ptr == 0:
                const = True
        elif w in QUALIFIERS or w in MARKERS:
            model.used_ids.add(w)
        elif w in ('struct', 'union', 'enum'):
            tagged = w
        elif re.match(r'[A-Za-z_]\w*$', w):
            base.append(w)
            model.used_ids.add(w)
        else:
            model.fail(where, 'type not understood: %s' % ' '.join(words))
    if not base:
        model.fail(where, 'type not understood: %s' % ' '.join(words))
        base = ['?']
    return Type(base, ptr, const=const, tagged=tagged)


def parse_params(toks, where, model):
    if [t[0] for t in toks] in ([], ['void']):
        return []
    out = []
    for p in split_top(toks, ','):
        name, t = parse_declarator(p, where, model)
        if name == '...':
            out.append(('...', None))
        else:
            out.append((name, t))
    return out


# ---------------------------------------------------------------- parsing

def parse_enum_body(toks, where, model, name):
    members, known = [], {}
    for part in split_top(toks, ','):
        words = [t[0] for t in part]
        if not words:
            continue
        mname = words[0]
        mwhere = '%s:%d' % (where.split(':')[0], part[0][1])
        if '=' not in words:
            model.fail(mwhere, 'enum member %s (%s) has no explicit value'
                       % (mname, name))
            value = None
            expr = ''
        else:
            expr = ' '.join(words[words.index('=') + 1:])
            value = eval_int(expr, known, model)
            if value is None:
                model.fail(mwhere, 'value of %s not understood: %s' %
                           (mname, expr))
        known[mname] = value
        members.append((mname, expr, value))
    return members


def eval_int(expr, known, model):
    e = re.sub(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b', r'\1', expr)

    def ident(m):
        v = known.get(m.group(0))
        if v is None:
            v = model.enum_value(m.group(0))
        if v is None:
            raise ValueError(m.group(0))
        return '(%d)' % v
    try:
        e = re.sub(r'[A-Za-z_]\w*', ident, e)
        if not re.match(r'^[\s\d()+\-*/|&^~<>x a-fA-F]*$', e):
            return None
        return int(eval(e, {'__builtins__': {}}))
    except (ValueError, SyntaxError, ZeroDivisionError):
        return None


def parse_members(toks, where, model, owner):
    members = []
    for part in split_top(toks, ';'):
        if not part:
            continue
        mwhere = '%s:%d' % (where.split(':')[0], part[0][1])
        words = [t[0] for t in part]
        if '{' in words:
            model.fail(mwhere, 'nested definition in %s not understood'
                       % owner)
            continue
        if ':' in words:
            model.fail(mwhere, 'bit-field in %s: its layout is up to the '
                       'compiler' % owner)
            continue
        decls = split_top(part, ',')
        first_name, first = parse_declarator(decls[0], mwhere, model)
        members.append((first_name, first, mwhere))
        first_words = [t[0] for t in decls[0]]
        cut = min([first_words.index(w) for w in ('*', '(', first_name)
                   if w in first_words] or [len(first_words)])
        for extra in decls[1:]:
            # `char a[4], *b;`: the base type of the first declarator.
            n, t = parse_declarator(decls[0][:cut] + extra, mwhere, model)
            members.append((n, t, mwhere))
    return members


def parse_declaration(toks, file, model):
    words = [t[0] for t in toks]
    where = '%s:%d' % (file, toks[0][1])
    if words[0] == 'typedef':
        parse_typedef(toks[1:], where, file, model)
        return None
    if EXPORT in words:
        parse_function(toks, where, file, model)
        return None
    if words in (['}'],):
        return None
    if '(' in words:
        model.fail(where, 'function declared without CHORUSACCT_API: %s'
                   % ' '.join(words[:12]))
    else:
        model.fail(where, 'declaration not understood: %s' %
                   ' '.join(words[:12]))
    return None


def parse_typedef(toks, where, file, model):
    words = [t[0] for t in toks]
    line = toks[0][1]
    if words[0] in ('struct', 'union', 'enum') and '{' in words:
        i = words.index('{')
        j = matching(toks, i)
        rest = [w for w in words[j + 1:]]
        name = rest[0] if rest else (words[1] if i > 1 else None)
        if len(rest) != 1:
            model.fail(where, 'typedef not understood: %s' %
                       ' '.join(words[:6]))
            return
        body = toks[i + 1:j]
        if words[0] == 'enum':
            members = parse_enum_body(body, where, model, name)
            model.enums[name] = Decl('enum', name, file, line,
                                     members=members)
        else:
            members = parse_members(body, where, model, name)
            model.records[name] = Decl(words[0], name, file, line,
                                       members=members,
                                       union=words[0] == 'union')
        return
    if words[0] in ('struct', 'union') and len(words) == 3:
        model.opaque[words[2]] = Decl('opaque', words[2], file, line,
                                      union=words[0] == 'union')
        return
    if words[0] == 'enum' and len(words) == 3:
        model.fail(where, 'typedef of an enum declared elsewhere: %s' %
                   words[2])
        return
    name, t = parse_declarator(toks, where, model)
    if name is None or t is None:
        model.fail(where, 'typedef not understood: %s' % ' '.join(words))
        return
    if t.fnptr is not None:
        model.fnptrs[name] = Decl('fnptr', name, file, line, type=t)
    else:
        model.typedefs[name] = Decl('typedef', name, file, line, type=t)


def parse_function(toks, where, file, model):
    words = [t[0] for t in toks]
    if '(' not in words:
        model.fail(where, 'exported object that is not a function: %s' %
                   ' '.join(words))
        return
    i = words.index('(')
    j = matching(toks, i)
    if j != len(words) - 1 or i == 0:
        model.fail(where, 'function declaration not understood: %s' %
                   ' '.join(words))
        return
    name = words[i - 1]
    ret = parse_type(toks[:i - 1], where, model)
    params = parse_params(toks[i + 1:j], where, model)
    model.functions[name] = Decl('function', name, file, toks[0][1],
                                 ret=ret, params=params)


def parse_directives(directives, file, model):
    guard_candidate = None
    for line, d in directives:
        m = re.match(r'#\s*(\w+)\s*(.*)$', d)
        if not m:
            continue
        verb, rest = m.group(1), m.group(2).strip()
        if verb == 'ifndef':
            guard_candidate = rest
            continue
        if verb == 'define':
            dm = re.match(r'([A-Za-z_]\w*)(\([^)]*\))?\s*(.*)$', rest)
            name, args, value = dm.group(1), dm.group(2), dm.group(3)
            is_guard = (name == guard_candidate and not value and not args)
            model.macros.append((name, value, file, line, is_guard, args))
        guard_candidate = None


def strip_machinery(toks, model):
    """Drops the attribute macros (CHORUSACCT_API, and a function-like one
    with its arguments) from a declaration's tokens."""
    out, i = [], 0
    while i < len(toks):
        name = toks[i][0]
        if name in model.machinery and name != EXPORT:
            model.used_ids.add(name)
            if name in model.machinery_args and i + 1 < len(toks) and \
                    toks[i + 1][0] == '(':
                i = matching(toks, i + 1) + 1
            else:
                i += 1
            continue
        out.append(toks[i])
        i += 1
    return out


def parse_file(code, file, model):
    toks = strip_machinery(tokenize(code, file), model)
    # Top-level declarations end with ';' outside braces.
    decl, depth, pending = [], 0, list(toks)
    while pending:
        t = pending.pop(0)
        if t[0] == '{':
            depth += 1
        elif t[0] == '}':
            depth -= 1
            if depth < 0:  # the brace closing `extern "C" {`
                depth = 0
                continue
        decl.append(t)
        if depth == 0 and t[0] == ';':
            if len(decl) > 1:
                rest = parse_declaration(decl[:-1], file, model)
                if rest:
                    pending = rest + [decl[-1]] + pending
            decl = []
        elif depth == 1 and [x[0] for x in decl] == ['extern', '"C"', '{']:
            depth = 0
            decl = []
    if decl:
        model.fail('%s:%d' % (file, decl[0][1]),
                   'unterminated declaration: %s' %
                   ' '.join(x[0] for x in decl[:8]))


# ---------------------------------------------------------------- checks

def check_type(t, where, what, model, member=False):
    """Rules for a parameter, return value or member type."""
    if t is None:
        model.fail(where, '%s: varargs (...)' % what)
        return
    if t.fnptr is not None:
        check_fnptr(t, where, what, model)
        return
    for b in t.base:
        if b == 'va_list':
            model.fail(where, '%s: va_list' % what)
        elif b in VARIABLE_SIZE:
            model.fail(where, '%s: %s has no fixed size; use a fixed-width '
                       'integer' % (what, VARIABLE_SIZE[b]))
        elif b not in BUILTIN_TYPES and b not in model.records and \
                b not in model.opaque and b not in model.enums and \
                b not in model.fnptrs and b not in model.typedefs:
            model.fail(where, '%s: unknown type %s' % (what, b))
    if t.pointers > 0 or (t.array is not None and not member):
        return  # a pointer (an array parameter is one)
    names = set(t.base)
    if t.tagged in ('struct', 'union') or names & set(model.records) or \
            names & set(model.opaque):
        if not member:
            model.fail(where, '%s: %s passed or returned by value' %
                       (what, ' '.join(t.base)))
    if t.tagged == 'enum' or names & set(model.enums):
        model.fail(where, '%s: enum %s by value (its size is up to the '
                   'compiler; use int or a fixed-width integer)' %
                   (what, ' '.join(t.base)))


def check_fnptr(t, where, what, model):
    params = t.fnptr
    first = params[0][1] if params else None
    if first is None or first.fnptr is not None or \
            first.base != ['void'] or first.pointers != 1:
        model.fail(where, '%s: callback whose first parameter is not a '
                   'void * user data' % what)
    check_type(t.ret, where, '%s (return)' % what, model)
    for i, (pname, pt) in enumerate(params):
        check_type(pt, where, '%s, parameter %s' %
                   (what, pname or i + 1), model)


def check_model(model):
    for f in model.functions.values():
        check_type(f.ret, f.where(), '%s (return)' % f.name, model)
        for i, (pname, pt) in enumerate(f.params):
            check_type(pt, f.where(), '%s, parameter %s' %
                       (f.name, pname or i + 1), model)
    for r in model.records.values():
        for mname, mt, where in r.members:
            check_type(mt, where, '%s.%s' % (r.name, mname), model,
                       member=True)
    for p in model.fnptrs.values():
        check_fnptr(p.type, p.where(), 'typedef ' + p.name, model)
    for t in model.typedefs.values():
        check_type(t.type, t.where(), 'typedef ' + t.name, model,
                   member=True)
    check_macros(model)
    check_type_enum(model)


def versioned_records(model):
    """The records whose first member is `uint32_t struct_size`."""
    return [n for n, r in model.records.items()
            if r.members and r.members[0][0] == 'struct_size']


def check_type_enum(model):
    """Every versioned record of the library's headers has its
    CHORUSACCT_TYPE_<NAME> in enum chorusacct_type (for
    chorusacct_type_size()), and every member names such a record."""
    enum = model.enums.get('chorusacct_type')
    if enum is None:
        return  # the self-test's small headers
    members = {m[0] for m in enum.members}
    for name in versioned_records(model):
        r = model.records[name]
        if r.file.startswith('chorusacct/testkit'):
            continue  # the test kit's records are not the library's
        want = 'CHORUSACCT_TYPE_' + name[len('chorusacct_'):].upper()
        if want not in members:
            model.fail('%s:%d' % (r.file, r.line), 'versioned record %s '
                       'has no %s in enum chorusacct_type' % (name, want))
    names = {'CHORUSACCT_TYPE_' + n[len('chorusacct_'):].upper()
             for n in versioned_records(model)}
    for m in sorted(members - names):
        model.fail('%s:%d' % (enum.file, enum.line),
                   '%s names no versioned record' % m)


# The naming rule of docs/api.md, "Names and argument order".
AREALESS = {'chorusacct_init', 'chorusacct_strerror', 'chorusacct_version',
            'chorusacct_version_number', 'chorusacct_login',
            'chorusacct_sweep'}


def check_names(model):
    """The parts of the naming rule a machine can check."""
    out = []
    for f in sorted(model.functions.values(), key=lambda d: d.name):
        name, params = f.name, f.params
        parts = name.split('_')[1:]
        names = [p for p, _ in params]
        types = [t.base[-1] if t is not None and t.base else '' for _, t in
                 params]
        bad = lambda msg: out.append((f.where(), '%s: %s' % (name, msg)))
        if len(parts) < 2 and name not in AREALESS:
            bad('no area: chorusacct_<area>_<verb>')
        if any(p == 'cap' or p.startswith('capmail') for p in parts):
            bad("'cap' means a buffer's capacity; spell the word out")
        if 'chorusacct_ctx' in types[1:]:
            bad('the context is not the first parameter')
        if ('check' in parts and 'chorusacct_ctx' in types):
            bad('_check is for pure validators; a flow call takes another '
                'verb')
        if 'reason' in names and names[-1] != 'reason':
            bad('reason is not the last parameter')
        if parts[-1] == 'new' and (not names or names[0] != 'out'):
            bad('a constructor takes out first')
        if parts[-1] == 'ops' and (not types or
                                   not types[0].endswith('_ops') or
                                   names[0] not in ('out', 'ops')):
            bad('a table filler takes the table first')
        if parts[-1] == 'list' and names[-3:] != ['out', 'max', 'count']:
            bad('a list ends with out, max, count')
    return out


def is_attribute_only(value):
    v = value.strip()
    if not v:
        return True
    return re.match(r'^(__attribute__\s*\(\(.*\)\)|__declspec\s*\(.*\)|'
                    r'\[\[.*\]\])(\s+(__attribute__\s*\(\(.*\)\)|'
                    r'__declspec\s*\(.*\)|\[\[.*\]\]))*$', v) is not None


def check_macros(model):
    by_name = {}
    for name, value, file, line, is_guard, args in model.macros:
        by_name.setdefault(name, []).append((value, file, line, is_guard,
                                             args))
    for name, defs in by_name.items():
        if all(d[3] for d in defs):
            continue  # include guard
        if name in model.used_ids and all(
                is_attribute_only(d[0]) for d in defs):
            continue  # declaration machinery such as CHORUSACCT_API
        value, file, line = defs[0][0], defs[0][1], defs[0][2]
        where = '%s:%d' % (file, line)
        equiv = MACRO_EQUIVALENTS.get(name)
        if equiv is None and name.lower() in model.functions:
            equiv = name.lower()
        if equiv is not None:
            if equiv not in model.functions:
                model.fail(where, 'macro %s: its function %s is not '
                           'declared' % (name, equiv))
            continue
        model.fail(where, 'macro %s (%s) has no enum or function '
                   'equivalent: an FFI user cannot use it' %
                   (name, value or 'no value'))


# ----------------------------------------------------------------- driver

def header_files(include_dir):
    files = []
    for root, _, names in os.walk(include_dir):
        for n in sorted(names):
            if n.endswith('.h') or n.endswith('.h.in'):
                files.append(os.path.join(root, n))
    return sorted(files)


def load_texts(texts):
    """texts: {file name: content}. Returns the checked model."""
    model = Model()
    # The macros of every file first: the declarations of one header use
    # the machinery another defines.
    codes = {}
    for file, text in sorted(texts.items()):
        codes[file], directives = split_preprocessor(strip_comments(text))
        parse_directives(directives, file, model)
    defs = {}
    for name, value, _, _, is_guard, args in model.macros:
        defs.setdefault(name, []).append(is_attribute_only(value) and
                                         not is_guard)
        if args:
            model.machinery_args.add(name)
    model.machinery = {n for n, ok in defs.items() if all(ok)}
    for file, code in sorted(codes.items()):
        try:
            parse_file(code, file, model)
        except SyntaxError as e:
            model.fail(file, 'cannot parse: %s' % e)
    check_model(model)
    return model


def load_dir(include_dir):
    texts = {}
    for path in header_files(include_dir):
        with open(path, encoding='utf-8') as f:
            texts[os.path.relpath(path, include_dir)] = f.read()
    return load_texts(texts)


# -------------------------------------------------------------- self-test

GOOD = '''
#ifndef X_GOOD_H
#define X_GOOD_H
#include <stdint.h>
#if defined(__GNUC__)
#  define CHORUSACCT_API __attribute__((visibility("default")))
#  define CHORUSACCT_NODISCARD __attribute__((warn_unused_result))
#  define CHORUSACCT_DEPRECATED(why) __attribute__((deprecated(why)))
#else
#  define CHORUSACCT_API
#  define CHORUSACCT_NODISCARD
#  define CHORUSACCT_DEPRECATED(why)
#endif
#define CHORUSACCT_VERSION_NUMBER 100 /* has chorusacct_version_number */
#ifdef __cplusplus
extern "C" {
#endif
/** doc */
typedef enum chorusacct_kind { CHORUSACCT_K_A = 1, CHORUSACCT_K_B = -2,
    CHORUSACCT_K_C = 1 << 4 } chorusacct_kind;
typedef struct chorusacct_obj chorusacct_obj;
typedef struct chorusacct_rec {
    uint32_t struct_size;
    int32_t kind;
    char text[16], *other;
    const char *name;
} chorusacct_rec;
typedef struct chorusacct_tbl {
    uint32_t struct_size;
    void *user_data;
    int (*send)(void *user_data, const chorusacct_rec *r, char *err,
                size_t cap);
    void (*destroy)(void *ud);
} chorusacct_tbl;
typedef int (*chorusacct_visit)(void *user_data, int64_t id);
CHORUSACCT_API uint32_t chorusacct_version_number(void);
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_obj_new(
    chorusacct_obj **out, const chorusacct_tbl *ops);
CHORUSACCT_API void chorusacct_obj_free(chorusacct_obj *obj);
CHORUSACCT_API int chorusacct_obj_each(chorusacct_obj *o,
    chorusacct_visit fn, int (*cb)(void *ud, const char *s), void *ud);
CHORUSACCT_API const char *chorusacct_name(int kind, const uint8_t *k);
CHORUSACCT_API CHORUSACCT_DEPRECATED("use chorusacct_name")
const char *chorusacct_old_name(int kind);
#ifdef __cplusplus
}
#endif
#endif
'''

# (header text, substring the report must contain)
BAD = [
    ('CHORUSACCT_API int chorusacct_log(const char *fmt, ...);',
     'varargs'),
    ('#include <stdarg.h>\n'
     'CHORUSACCT_API int chorusacct_vlog(const char *fmt, va_list ap);',
     'va_list'),
    ('typedef struct chorusacct_pt { int32_t x, y; } chorusacct_pt;\n'
     'CHORUSACCT_API int chorusacct_draw(chorusacct_pt p);',
     'by value'),
    ('typedef struct chorusacct_pt { int32_t x, y; } chorusacct_pt;\n'
     'CHORUSACCT_API chorusacct_pt chorusacct_origin(void);',
     'by value'),
    ('CHORUSACCT_API int chorusacct_draw2(struct chorusacct_q q);',
     'by value'),
    ('typedef struct chorusacct_ops { uint32_t struct_size;\n'
     '    int (*send)(const char *to); } chorusacct_ops;',
     'void * user data'),
    ('typedef struct chorusacct_ops { uint32_t struct_size;\n'
     '    int (*send)(int ud, const char *to); } chorusacct_ops;',
     'void * user data'),
    ('CHORUSACCT_API int chorusacct_each(int (*fn)(int64_t id));',
     'void * user data'),
    ('typedef void (*chorusacct_cb)(const char *msg);', 'void * user data'),
    ('#define CHORUSACCT_MAX_LEN 254', 'macro CHORUSACCT_MAX_LEN'),
    ('#define CHORUSACCT_FLAG_X (1u << 3)', 'macro CHORUSACCT_FLAG_X'),
    ('#define CHORUSACCT_OPS_INIT { sizeof(int) }',
     'macro CHORUSACCT_OPS_INIT'),
    ('#define CHORUSACCT_MIN(a, b) ((a) < (b) ? (a) : (b))',
     'macro CHORUSACCT_MIN'),
    ('#define CHORUSACCT_HAVE_SQLITE', 'macro CHORUSACCT_HAVE_SQLITE'),
    ('#define CHORUSACCT_VERSION_STRING "9.9.9"',
     'chorusacct_version is not declared'),
    ('typedef enum chorusacct_color { CHORUSACCT_RED = 1,\n'
     '    CHORUSACCT_GREEN } chorusacct_color;', 'no explicit value'),
    ('typedef enum chorusacct_color { CHORUSACCT_RED = 1 } '
     'chorusacct_color;\n'
     'CHORUSACCT_API int chorusacct_paint(chorusacct_color c);',
     'enum chorusacct_color by value'),
    ('CHORUSACCT_API long chorusacct_count(void);', 'no fixed size'),
    ('typedef struct chorusacct_r { bool ok; } chorusacct_r;',
     'no fixed size'),
    ('typedef struct chorusacct_r { unsigned ok : 1; } chorusacct_r;',
     'bit-field'),
    ('int chorusacct_hidden(int x);', 'without CHORUSACCT_API'),
    ('CHORUSACCT_API int chorusacct_odd(FILE *f);', 'unknown type FILE'),
    ('CHORUSACCT_API extern int chorusacct_global;', 'not a function'),
    ('CHORUSACCT_API int chorusacct_frob(int x);', 'no area'),
    ('CHORUSACCT_API int chorusacct_capmailer_count(void *m);', "'cap'"),
    ('typedef struct chorusacct_ctx chorusacct_ctx;\n'
     'CHORUSACCT_API int chorusacct_x_get(int id, chorusacct_ctx *ctx);',
     'not the first parameter'),
    ('typedef struct chorusacct_ctx chorusacct_ctx;\n'
     'CHORUSACCT_API int chorusacct_token_check(chorusacct_ctx *ctx);',
     'pure validators'),
    ('CHORUSACCT_API int chorusacct_x_check(int *reason, int in);',
     'reason is not the last'),
    ('CHORUSACCT_API int chorusacct_x_new(int v, void **out);',
     'constructor takes out first'),
    ('typedef struct chorusacct_x_ops { uint32_t struct_size; } '
     'chorusacct_x_ops;\n'
     'CHORUSACCT_API int chorusacct_y_ops(void *y, chorusacct_x_ops *ops);',
     'filler takes the table first'),
    ('CHORUSACCT_API int chorusacct_x_list(int *out, size_t *count, '
     'size_t max);', 'out, max, count'),
]


def self_test():
    failures = 0
    good = load_texts({'good.h': GOOD})
    if good.violations:
        failures += 1
        print('FAIL self-test: a good header is refused:')
        for w, m in good.violations:
            print('    %s: %s' % (w, m))
    if sorted(good.functions) != ['chorusacct_name', 'chorusacct_obj_each',
                                  'chorusacct_obj_free', 'chorusacct_obj_new',
                                  'chorusacct_old_name',
                                  'chorusacct_version_number'] or \
            [m[2] for m in good.enums['chorusacct_kind'].members] != \
            [1, -2, 16] or \
            [m[0] for m in good.records['chorusacct_rec'].members] != \
            ['struct_size', 'kind', 'text', 'other', 'name']:
        failures += 1
        print('FAIL self-test: the good header is misread')
    refused = 0
    for i, (text, want) in enumerate(BAD, 1):
        body = '#include <stdint.h>\n' + text + '\n'
        m = load_texts({'bad%d.h' % i: body})
        msgs = ['%s: %s' % v for v in m.violations + check_names(m)]
        if any(want in s for s in msgs):
            refused += 1
        else:
            failures += 1
            print('FAIL self-test %d: expected a report with %r for:\n'
                  '    %s\n  got: %s' % (i, want, text.replace('\n', '\n    '),
                                         msgs or 'nothing'))
    print('self-test: %d bad headers, %d refused as expected; good header %s'
          % (len(BAD), refused,
             'refused' if good.violations else 'accepted'))
    return failures


# ---------------------------------------------------------------- layout

def layout_c(model):
    lines = [
        '/* Generated by tests/check-ffi.py --layout-c: the layout of every',
        ' * public record and the value of every enum member, as the',
        ' * compiler sees them, for bindings to compare with. */',
        '#include <chorusacct.h>',
    ]
    # Headers that <chorusacct.h> does not include (the test kit's).
    files = sorted({d.file for group in (model.records, model.enums,
                                         model.functions)
                    for d in group.values()})
    lines += ['#include <%s>' % f for f in files if f != 'chorusacct.h']
    lines += [
        '#include <stddef.h>',
        '#include <stdio.h>',
        '',
        'int main(void)',
        '{',
    ]
    for name in sorted(model.records):
        lines.append('    printf("record %s %%zu %%zu\\n", sizeof(%s), '
                     '_Alignof(%s));' % (name, name, name))
        for mname, _, _ in model.records[name].members:
            lines.append('    printf("member %s.%s %%zu %%zu\\n", '
                         'offsetof(%s, %s), sizeof(((%s *)0)->%s));' %
                         (name, mname, name, mname, name, mname))
    for name in sorted(model.enums):
        for mname, _, _ in model.enums[name].members:
            lines.append('    printf("enum %s.%s %%lld\\n", '
                         '(long long)%s);' % (name, mname, mname))
    # The sizes the running library reports (chorusacct_type_size()) are
    # those the compiler gives: a wrong row of its table fails here.
    lines.append('    int bad = 0;')
    if 'chorusacct_type' in model.enums:
        for mname, _, _ in model.enums['chorusacct_type'].members:
            rec = 'chorusacct_' + mname[len('CHORUSACCT_TYPE_'):].lower()
            if rec not in model.records:
                continue
            lines.append('    if (chorusacct_type_size(%s) != sizeof(%s)) {'
                         % (mname, rec))
            lines.append('        printf("FAIL chorusacct_type_size(%s) is '
                         '%%zu, sizeof %%zu\\n", chorusacct_type_size(%s), '
                         'sizeof(%s));' % (mname, mname, rec))
            lines.append('        bad = 1;')
            lines.append('    }')
    lines += ['    return bad;', '}', '']
    return '\n'.join(lines)


def dump(model):
    for name, f in sorted(model.functions.items()):
        print('function %s %s(%s)' % (f.ret.c(), name, ', '.join(
            (p.c() if p is not None else '...') + (' ' + n if n else '')
            for n, p in f.params)))
    for name, r in sorted(model.records.items()):
        print('record %s: %s' % (name, ', '.join(
            '%s %s%s' % (t.c(), n, '[%s]' % ' '.join(t.array)
                         if t.array else '') for n, t, _ in r.members)))
    for name, e in sorted(model.enums.items()):
        print('enum %s: %s' % (name, ', '.join(
            '%s=%s' % (m[0], m[2]) for m in e.members)))
    for name in sorted(model.opaque):
        print('opaque', name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--headers', help='include folder to walk')
    ap.add_argument('--self-test', action='store_true',
                    help='first check that bad headers are refused')
    ap.add_argument('--layout-c', metavar='OUT',
                    help='write the layout program instead of checking')
    ap.add_argument('--dump', action='store_true')
    ap.add_argument('--names', action='store_true',
                    help='also check the naming rule of docs/api.md')
    a = ap.parse_args()
    failures = 0
    if a.self_test:
        failures += self_test()
    if a.headers:
        model = load_dir(a.headers)
        if a.layout_c:
            with open(a.layout_c, 'w', encoding='utf-8') as f:
                f.write(layout_c(model))
            return 1 if model.violations else 0
        if a.dump:
            dump(model)
        if a.names:
            model.violations += check_names(model)
        for where, msg in model.violations:
            print('FAIL %s: %s' % (where, msg))
        if not model.functions:
            print('FAIL no function found: is --headers right?')
            failures += 1
        failures += len(model.violations)
        print('%d functions, %d records, %d opaque types, %d enums, '
              '%d callback types checked; %d macros' %
              (len(model.functions), len(model.records), len(model.opaque),
               len(model.enums), sum(
                   1 for r in model.records.values() for _, t, _ in r.members
                   if t is not None and t.fnptr is not None) +
               len(model.fnptrs), len(model.macros)))
    elif not a.self_test:
        ap.error('--headers or --self-test')
    print('%s' % ('OK' if failures == 0 else '%d failures' % failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
