'use strict';
// Calling libchorusacct from Node.js with koffi (docs/bindings.md): the
// version check, a validator, the layouts of two records checked with
// chorusacct_type_size(), a context over the in-memory store, a sign-up
// with the captcha that the default configuration asks for, and the
// status codes' names and texts. Each result is asserted: the test
// 'node' (suite ffi) runs this file.
//
//   npm ci                      # once, in examples/node: koffi, pinned
//   CHORUSACCT_LIBRARY=/path/to/libchorusacct.so.0 node example.js
//
// Without CHORUSACCT_LIBRARY the dynamic loader looks for
// libchorusacct.so.0 (LD_LIBRARY_PATH, the system's folders).
const assert = require('node:assert/strict');
const koffi = require('koffi');

const lib = koffi.load(process.env.CHORUSACCT_LIBRARY || 'libchorusacct.so.0');

// The values of the headers (enums have explicit values: copy them).
const OK = 0;
const E_REJECTED = -4;
const E_CHECKSUM = -105;
const E_CAPTCHA_REQUIRED = -424;
const LANG_EN = 0;
const LANG_FR = 1;
const ID_SIRET = 1;
const FIELD_IDENTIFIER = 8;
const FIELD_CAPTCHA = 10;
const STATE_AWAITING_ACTIVATION = 3;
const TYPE_SIGNUP = 5;
const TYPE_SIGNUP_RESULT = 6;
const TYPE_STORAGE_OPS = 21;
const MAX_FIELD_ERRORS = 16;
const CAPTCHA_ID_SIZE = 32;
const CAPTCHA_TEXT_SIZE = 16;

// Opaque handles: only ever pointers.
koffi.opaque('chorusacct_ctx');
koffi.opaque('chorusacct_memstore');

// The records this program fills or reads, member for member as in
// chorusacct/account.h.
koffi.struct('chorusacct_signup', {
  struct_size: 'uint32_t',
  id_type: 'int32_t',
  login_email: 'const char *',
  first_name: 'const char *',
  last_name: 'const char *',
  phone: 'const char *',
  contact_email: 'const char *',
  terms_version: 'const char *',
  identifier: 'const char *',
  company_name: 'const char *',
  captcha_id: 'const char *',
  captcha_answer: 'const char *',
  client_key: 'const char *',
  accept_terms: 'int32_t',
  lang: 'int32_t',
});
const fieldError = koffi.struct('chorusacct_field_error', {
  field: 'int32_t',
  code: 'int32_t',
});
koffi.struct('chorusacct_signup_result', {
  struct_size: 'uint32_t',
  state: 'int32_t',
  account_id: 'int64_t',
  structure_id: 'int64_t',
  nerrors: 'uint32_t',
  reserved0: 'uint32_t',
  errors: koffi.array(fieldError, MAX_FIELD_ERRORS),
});

const c = {
  version: lib.func('const char *chorusacct_version(void)'),
  version_number: lib.func('uint32_t chorusacct_version_number(void)'),
  init: lib.func('int chorusacct_init(void)'),
  strerror: lib.func('const char *chorusacct_strerror(int code, int lang)'),
  status_name: lib.func('const char *chorusacct_status_name(int code)'),
  type_size: lib.func('size_t chorusacct_type_size(int type)'),
  type_name: lib.func('const char *chorusacct_type_name(int type)'),
  siret_check: lib.func('int chorusacct_siret_check(const char *in, ' +
    'size_t len, uint32_t flags, _Out_ uint8_t *buf, size_t cap, ' +
    '_Out_ size_t *len_out, _Out_ int *reason)'),
  ctx_new: lib.func('int chorusacct_ctx_new(_Out_ chorusacct_ctx **out, ' +
    'const void *cfg)'),
  ctx_free: lib.func('void chorusacct_ctx_free(chorusacct_ctx *ctx)'),
  ctx_last_error: lib.func(
    'const char *chorusacct_ctx_last_error(const chorusacct_ctx *ctx)'),
  ctx_set_storage: lib.func('int chorusacct_ctx_set_storage(' +
    'chorusacct_ctx *ctx, const void *ops)'),
  memstore_new: lib.func(
    'int chorusacct_memstore_new(_Out_ chorusacct_memstore **out)'),
  memstore_free: lib.func(
    'void chorusacct_memstore_free(chorusacct_memstore *store)'),
  storage_ops_init: lib.func(
    'int chorusacct_storage_ops_init(void *ops, size_t struct_size)'),
  memstore_ops: lib.func('int chorusacct_memstore_ops(void *ops, ' +
    'chorusacct_memstore *store)'),
  signup_init: lib.func('int chorusacct_signup_init(' +
    '_Inout_ chorusacct_signup *form, size_t struct_size)'),
  captcha_issue: lib.func('int chorusacct_captcha_issue(' +
    'chorusacct_ctx *ctx, const char *client_key, _Out_ uint8_t *id, ' +
    'size_t id_cap, _Out_ uint8_t *text, size_t text_cap, ' +
    '_Out_ int *reason)'),
  signup_submit: lib.func('int chorusacct_signup_submit(' +
    'chorusacct_ctx *ctx, const chorusacct_signup *form, ' +
    '_Inout_ chorusacct_signup_result *out)'),
  structure_lookup: lib.func('int chorusacct_structure_lookup(' +
    'chorusacct_ctx *ctx, int id_type, const char *identifier, ' +
    '_Out_ int *declared, void *out, _Out_ int *reason)'),
};

// A C string written into a caller's buffer.
function cstr(buf) {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

function check(rc, what) {
  assert.equal(rc, OK, `${what}: ${c.status_name(rc)}`);
}

// 1. The version: same major, minor at least the one written for.
const [major, minor] = c.version().split('.').map(Number);
assert.ok(major === 0 && minor >= 1, `libchorusacct ${c.version()}`);
assert.equal(c.version_number(), major * 10000 + minor * 100 +
  Number(c.version().split('.')[2]));
check(c.init(), 'chorusacct_init');

// 2. The layouts: each mirror has the size the library was built with.
for (const [type, name] of [[TYPE_SIGNUP, 'chorusacct_signup'],
  [TYPE_SIGNUP_RESULT, 'chorusacct_signup_result']]) {
  assert.equal('chorusacct_' + c.type_name(type), name);
  assert.equal(Number(c.type_size(type)), koffi.sizeof(name), name);
}

// 3. A validator: the normalized value, or the reason and its texts.
{
  const typed = '732 829 320 00074';
  const buf = Buffer.alloc(16);
  const len = [0];
  const reason = [0];
  check(c.siret_check(typed, Buffer.byteLength(typed), 0, buf, buf.length,
    len, reason), 'siret_check');
  assert.equal(cstr(buf), '73282932000074');
  assert.equal(Number(len[0]), 14);

  const bad = '73282932000075';
  assert.equal(c.siret_check(bad, bad.length, 0, buf, buf.length, len,
    reason), E_REJECTED);
  assert.equal(reason[0], E_CHECKSUM);
  assert.equal(c.status_name(reason[0]), 'CHECKSUM');
  assert.match(c.strerror(reason[0], LANG_EN), /check digits/);
  assert.match(c.strerror(reason[0], LANG_FR), /contrôle/);
}

// 4. A context over the in-memory store. The storage table is a buffer of
// the size the library reports, filled by the library: its members need
// no mirror here.
const store = [null];
check(c.memstore_new(store), 'memstore_new');
const ctx = [null];
check(c.ctx_new(ctx, null), 'ctx_new');
const ops = Buffer.alloc(Number(c.type_size(TYPE_STORAGE_OPS)));
check(c.storage_ops_init(ops, ops.length), 'storage_ops_init');
check(c.memstore_ops(ops, store[0]), 'memstore_ops');
check(c.ctx_set_storage(ctx[0], ops), 'ctx_set_storage');

try {
  const form = {};
  check(c.signup_init(form, koffi.sizeof('chorusacct_signup')),
    'signup_init');
  assert.equal(form.lang, -1);
  Object.assign(form, {
    login_email: 'marie@acme.fr', first_name: 'Marie', last_name: 'Curie',
    id_type: ID_SIRET, identifier: '732 829 320 00074', accept_terms: 1,
  });
  const newResult = () =>
    ({ struct_size: koffi.sizeof('chorusacct_signup_result') });

  // The default configuration asks for a captcha.
  let result = newResult();
  assert.equal(c.signup_submit(ctx[0], form, result), E_REJECTED);
  assert.equal(result.nerrors, 1);
  assert.deepEqual(result.errors[0],
    { field: FIELD_CAPTCHA, code: E_CAPTCHA_REQUIRED });

  // A wrong identifier is reported on its field, with the captcha's error.
  result = newResult();
  assert.equal(c.signup_submit(ctx[0],
    { ...form, identifier: '73282932000075' }, result), E_REJECTED);
  assert.ok(result.errors.slice(0, result.nerrors).some((e) =>
    e.field === FIELD_IDENTIFIER && e.code === E_CHECKSUM));

  // The captcha: a challenge, and the text the person would read and
  // type back.
  const id = Buffer.alloc(CAPTCHA_ID_SIZE);
  const text = Buffer.alloc(CAPTCHA_TEXT_SIZE);
  const reason = [0];
  check(c.captcha_issue(ctx[0], null, id, id.length, text, text.length,
    reason), 'captcha_issue');
  result = newResult();
  check(c.signup_submit(ctx[0],
    { ...form, captcha_id: cstr(id), captcha_answer: cstr(text) }, result),
  `signup_submit (${c.ctx_last_error(ctx[0])})`);
  assert.equal(result.state, STATE_AWAITING_ACTIVATION);
  assert.ok(result.account_id > 0 && result.structure_id > 0);

  // The structure is now declared.
  const declared = [0];
  check(c.structure_lookup(ctx[0], ID_SIRET, '73282932000074', declared,
    null, reason), 'structure_lookup');
  assert.equal(declared[0], 1);

  console.log(`libchorusacct ${c.version()} from Node.js ${process.version}` +
    ` (koffi ${koffi.version}): account ${result.account_id} awaits` +
    ' activation');
} finally {
  c.ctx_free(ctx[0]);   // first the context, then the store it uses
  c.memstore_free(store[0]);
}
