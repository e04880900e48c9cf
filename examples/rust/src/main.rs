//! Calling libchorusacct from Rust with a hand-written `extern "C"` block
//! (docs/bindings.md): the version check, a validator, the layouts of two
//! records checked with chorusacct_type_size(), a context over the
//! in-memory store, a sign-up with the captcha that the default
//! configuration asks for, and the status codes' names and texts. Each
//! result is asserted: the test 'rust' (suite ffi) runs it.
//!
//!     CHORUSACCT_LIBDIR=/path/to/lib cargo run --offline
//!
//! (or PKG_CONFIG_PATH set so that pkg-config finds libchorusacct: see
//! build.rs).

use std::ffi::{c_char, c_int, CStr, CString};
use std::mem::size_of;
use std::ptr;

// The values of the headers (enums have explicit values: copy them).
const OK: c_int = 0;
const E_REJECTED: c_int = -4;
const E_CHECKSUM: c_int = -105;
const E_CAPTCHA_REQUIRED: i32 = -424;
const LANG_EN: c_int = 0;
const LANG_FR: c_int = 1;
const ID_SIRET: i32 = 1;
const FIELD_IDENTIFIER: i32 = 8;
const FIELD_CAPTCHA: i32 = 10;
const STATE_AWAITING_ACTIVATION: i32 = 3;
const TYPE_SIGNUP: c_int = 5;
const TYPE_SIGNUP_RESULT: c_int = 6;
const TYPE_STORAGE_OPS: c_int = 21;
const MAX_FIELD_ERRORS: usize = 16;
const CAPTCHA_ID_SIZE: usize = 32;
const CAPTCHA_TEXT_SIZE: usize = 16;

/// `chorusacct_ctx`: opaque, only ever behind a pointer.
#[repr(C)]
struct Ctx {
    _opaque: [u8; 0],
}

/// `chorusacct_memstore`: opaque.
#[repr(C)]
struct MemStore {
    _opaque: [u8; 0],
}

/// `chorusacct_signup`, member for member as in chorusacct/account.h.
#[repr(C)]
struct Signup {
    struct_size: u32,
    id_type: i32,
    login_email: *const c_char,
    first_name: *const c_char,
    last_name: *const c_char,
    phone: *const c_char,
    contact_email: *const c_char,
    terms_version: *const c_char,
    identifier: *const c_char,
    company_name: *const c_char,
    captcha_id: *const c_char,
    captcha_answer: *const c_char,
    client_key: *const c_char,
    accept_terms: i32,
    lang: i32,
}

/// `chorusacct_field_error`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq)]
struct FieldError {
    field: i32,
    code: i32,
}

/// `chorusacct_signup_result`.
#[repr(C)]
struct SignupResult {
    struct_size: u32,
    state: i32,
    account_id: i64,
    structure_id: i64,
    nerrors: u32,
    reserved0: u32,
    errors: [FieldError; MAX_FIELD_ERRORS],
}

impl SignupResult {
    fn new() -> Self {
        SignupResult {
            struct_size: size_of::<SignupResult>() as u32,
            state: 0,
            account_id: 0,
            structure_id: 0,
            nerrors: 0,
            reserved0: 0,
            errors: [FieldError { field: 0, code: 0 }; MAX_FIELD_ERRORS],
        }
    }

    fn errors(&self) -> &[FieldError] {
        &self.errors[..self.nerrors as usize]
    }
}

#[link(name = "chorusacct")]
extern "C" {
    fn chorusacct_version() -> *const c_char;
    fn chorusacct_version_number() -> u32;
    fn chorusacct_init() -> c_int;
    fn chorusacct_strerror(code: c_int, lang: c_int) -> *const c_char;
    fn chorusacct_status_name(code: c_int) -> *const c_char;
    fn chorusacct_type_size(type_: c_int) -> usize;
    fn chorusacct_type_name(type_: c_int) -> *const c_char;
    fn chorusacct_siret_check(
        input: *const c_char,
        len: usize,
        flags: u32,
        buf: *mut c_char,
        cap: usize,
        len_out: *mut usize,
        reason: *mut c_int,
    ) -> c_int;
    fn chorusacct_ctx_new(out: *mut *mut Ctx, cfg: *const u8) -> c_int;
    fn chorusacct_ctx_free(ctx: *mut Ctx);
    fn chorusacct_ctx_last_error(ctx: *const Ctx) -> *const c_char;
    fn chorusacct_ctx_set_storage(ctx: *mut Ctx, ops: *const u8) -> c_int;
    fn chorusacct_memstore_new(out: *mut *mut MemStore) -> c_int;
    fn chorusacct_memstore_free(store: *mut MemStore);
    fn chorusacct_storage_ops_init(ops: *mut u8, struct_size: usize) -> c_int;
    fn chorusacct_memstore_ops(ops: *mut u8, store: *mut MemStore) -> c_int;
    fn chorusacct_signup_init(form: *mut Signup, struct_size: usize) -> c_int;
    fn chorusacct_captcha_issue(
        ctx: *mut Ctx,
        client_key: *const c_char,
        id: *mut c_char,
        id_cap: usize,
        text: *mut c_char,
        text_cap: usize,
        reason: *mut c_int,
    ) -> c_int;
    fn chorusacct_signup_submit(
        ctx: *mut Ctx,
        form: *const Signup,
        out: *mut SignupResult,
    ) -> c_int;
    fn chorusacct_structure_lookup(
        ctx: *mut Ctx,
        id_type: c_int,
        identifier: *const c_char,
        declared: *mut c_int,
        out: *mut u8,
        reason: *mut c_int,
    ) -> c_int;
}

/// A static or borrowed C string as a Rust one.
fn text(p: *const c_char) -> String {
    assert!(!p.is_null());
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

fn name(code: c_int) -> String {
    text(unsafe { chorusacct_status_name(code) })
}

fn check(rc: c_int, what: &str) {
    assert_eq!(rc, OK, "{what}: {}", name(rc));
}

fn main() {
    // 1. The version: same major, minor at least the one written for.
    let version = text(unsafe { chorusacct_version() });
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(parts[0] == 0 && parts[1] >= 1, "libchorusacct {version}");
    assert_eq!(
        unsafe { chorusacct_version_number() },
        parts[0] * 10000 + parts[1] * 100 + parts[2]
    );
    check(unsafe { chorusacct_init() }, "chorusacct_init");

    // 2. The layouts: each mirror has the size the library was built with.
    for (type_, want, size) in [
        (TYPE_SIGNUP, "signup", size_of::<Signup>()),
        (
            TYPE_SIGNUP_RESULT,
            "signup_result",
            size_of::<SignupResult>(),
        ),
    ] {
        assert_eq!(text(unsafe { chorusacct_type_name(type_) }), want);
        assert_eq!(unsafe { chorusacct_type_size(type_) }, size, "{want}");
    }

    // 3. A validator: the normalized value, or the reason and its texts.
    let mut buf = [0 as c_char; 16];
    let mut len = 0usize;
    let mut reason: c_int = 0;
    let typed = "732 829 320 00074";
    check(
        unsafe {
            chorusacct_siret_check(
                typed.as_ptr().cast(),
                typed.len(),
                0,
                buf.as_mut_ptr(),
                buf.len(),
                &mut len,
                &mut reason,
            )
        },
        "siret_check",
    );
    assert_eq!(text(buf.as_ptr()), "73282932000074");
    assert_eq!(len, 14);
    let bad = "73282932000075";
    let rc = unsafe {
        chorusacct_siret_check(
            bad.as_ptr().cast(),
            bad.len(),
            0,
            buf.as_mut_ptr(),
            buf.len(),
            &mut len,
            &mut reason,
        )
    };
    assert_eq!(rc, E_REJECTED);
    assert_eq!(reason, E_CHECKSUM);
    assert_eq!(name(reason), "CHECKSUM");
    assert!(text(unsafe { chorusacct_strerror(reason, LANG_EN) }).contains("check digits"));
    assert!(text(unsafe { chorusacct_strerror(reason, LANG_FR) }).contains("contrôle"));

    // 4. A context over the in-memory store. The storage table is a buffer
    // of the size the library reports, filled by the library: its members
    // need no mirror here.
    let mut store: *mut MemStore = ptr::null_mut();
    check(
        unsafe { chorusacct_memstore_new(&mut store) },
        "memstore_new",
    );
    let mut ctx: *mut Ctx = ptr::null_mut();
    check(
        unsafe { chorusacct_ctx_new(&mut ctx, ptr::null()) },
        "ctx_new",
    );
    let mut ops = vec![0u8; unsafe { chorusacct_type_size(TYPE_STORAGE_OPS) }];
    check(
        unsafe { chorusacct_storage_ops_init(ops.as_mut_ptr(), ops.len()) },
        "storage_ops_init",
    );
    check(
        unsafe { chorusacct_memstore_ops(ops.as_mut_ptr(), store) },
        "memstore_ops",
    );
    check(
        unsafe { chorusacct_ctx_set_storage(ctx, ops.as_ptr()) },
        "ctx_set_storage",
    );

    // The form's strings are borrowed for each call: they live here.
    let email = CString::new("marie@acme.fr").unwrap();
    let first = CString::new("Marie").unwrap();
    let last = CString::new("Curie").unwrap();
    let siret = CString::new("732 829 320 00074").unwrap();
    let bad_siret = CString::new(bad).unwrap();
    let mut form: Signup = unsafe { std::mem::zeroed() };
    check(
        unsafe { chorusacct_signup_init(&mut form, size_of::<Signup>()) },
        "signup_init",
    );
    assert_eq!(form.lang, -1);
    form.login_email = email.as_ptr();
    form.first_name = first.as_ptr();
    form.last_name = last.as_ptr();
    form.id_type = ID_SIRET;
    form.identifier = siret.as_ptr();
    form.accept_terms = 1;

    // The default configuration asks for a captcha.
    let mut result = SignupResult::new();
    assert_eq!(
        unsafe { chorusacct_signup_submit(ctx, &form, &mut result) },
        E_REJECTED
    );
    assert_eq!(
        result.errors(),
        [FieldError {
            field: FIELD_CAPTCHA,
            code: E_CAPTCHA_REQUIRED
        }]
    );

    // A wrong identifier is reported on its field, with the captcha's.
    form.identifier = bad_siret.as_ptr();
    let mut result = SignupResult::new();
    assert_eq!(
        unsafe { chorusacct_signup_submit(ctx, &form, &mut result) },
        E_REJECTED
    );
    assert!(result.errors().contains(&FieldError {
        field: FIELD_IDENTIFIER,
        code: E_CHECKSUM
    }));
    form.identifier = siret.as_ptr();

    // The captcha: a challenge, and the text the person would read and
    // type back.
    let mut id = [0 as c_char; CAPTCHA_ID_SIZE];
    let mut answer = [0 as c_char; CAPTCHA_TEXT_SIZE];
    check(
        unsafe {
            chorusacct_captcha_issue(
                ctx,
                ptr::null(),
                id.as_mut_ptr(),
                id.len(),
                answer.as_mut_ptr(),
                answer.len(),
                &mut reason,
            )
        },
        "captcha_issue",
    );
    form.captcha_id = id.as_ptr();
    form.captcha_answer = answer.as_ptr();
    let mut result = SignupResult::new();
    let rc = unsafe { chorusacct_signup_submit(ctx, &form, &mut result) };
    check(
        rc,
        &format!(
            "signup_submit ({})",
            text(unsafe { chorusacct_ctx_last_error(ctx) })
        ),
    );
    assert_eq!(result.state, STATE_AWAITING_ACTIVATION);
    assert!(result.account_id > 0 && result.structure_id > 0);

    // The structure is now declared.
    let normalized = CString::new("73282932000074").unwrap();
    let mut declared: c_int = 0;
    check(
        unsafe {
            chorusacct_structure_lookup(
                ctx,
                ID_SIRET,
                normalized.as_ptr(),
                &mut declared,
                ptr::null_mut(),
                &mut reason,
            )
        },
        "structure_lookup",
    );
    assert_eq!(declared, 1);

    println!(
        "libchorusacct {version} from Rust: account {} awaits activation",
        result.account_id
    );
    // First the context, then the store it uses.
    unsafe {
        chorusacct_ctx_free(ctx);
        chorusacct_memstore_free(store);
    }
}
