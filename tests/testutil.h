/* Shared by the cmocka tests; they use the public API only. */
#ifndef CHORUSACCT_TESTUTIL_H
#define CHORUSACCT_TESTUTIL_H

#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <chorusacct.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Checks that the status or reason code `rc` is `want`. On a mismatch the
 * test fails (fail_msg) with both codes by name and number, the expression
 * tested, and the last error of `ctx` (the context that made `rc`, or
 * NULL when there is none), instead of two bare integers:
 *
 *   ERROR: chorusacct_account_get(ctx, 1, &a): got ARG (-1), want OK (0);
 *   last error: no storage set: Invalid argument (...)
 *
 * `rc` is evaluated once, before `ctx`; `want` once. */
#define assert_code(rc, want, ctx)                                             \
    do {                                                                       \
        const int assert_code_rc_ = (rc);                                      \
        const int assert_code_want_ = (want);                                  \
        if (assert_code_rc_ != assert_code_want_) {                            \
            const chorusacct_ctx *assert_code_ctx_ = (ctx);                    \
            const char *assert_code_err_ =                                     \
                assert_code_ctx_ ? chorusacct_ctx_last_error(assert_code_ctx_) \
                                 : "(no context)";                             \
            fail_msg("%s: got %s (%d), want %s (%d); last error: %s", #rc,     \
                     chorusacct_status_name(assert_code_rc_), assert_code_rc_, \
                     chorusacct_status_name(assert_code_want_),                \
                     assert_code_want_,                                        \
                     assert_code_err_[0] ? assert_code_err_ : "(none)");       \
        }                                                                      \
    } while (0)

/* The validators' common signature. */
typedef int (*check_fn)(const char *in, size_t len, uint32_t flags, char *buf,
                        size_t cap, size_t *len_out, int *reason);

/* One validator case: the input, and CHORUSACCT_OK with the normalized
 * form wanted, or the reason wanted for a refusal (and no form). */
typedef struct {
    const char *in;
    int reason;
    const char *want;
} check_case;

#define OKV(in, out)                                                           \
    {                                                                          \
        in, CHORUSACCT_OK, out                                                 \
    }
#define BAD(in, why)                                                           \
    {                                                                          \
        in, CHORUSACCT_E_##why, NULL                                           \
    }

/* Runs the validator `fn` on in[0..len) with `flags` and an output buffer
 * of `cap` bytes (at most 512), and checks the outcome against the calling
 * convention (include/chorusacct/identifier.h). With `want_reason`
 * CHORUSACCT_OK: success, the normalized form `want` and its length, and
 * *reason left untouched. Otherwise: CHORUSACCT_E_REJECTED with that
 * reason, an empty buffer and a length of 0. */
static inline void check_validator(check_fn fn, const char *in, size_t len,
                                   uint32_t flags, size_t cap, int want_reason,
                                   const char *want)
{
    char buf[512];
    assert_true(cap <= sizeof buf);
    size_t n = 999;
    int reason = 12345;
    int rc = fn(in, len, flags, buf, cap, &n, &reason);
    /* Inputs may be long, or not NUL-terminated: show their start. */
    int shown = len < 80 ? (int)len : 80;
    if (want_reason == CHORUSACCT_OK) {
        if (rc != CHORUSACCT_OK)
            fail_msg("'%.*s' (%zu bytes): expected OK (%s), got %s/%s", shown,
                     in, len, want, chorusacct_status_name(rc),
                     chorusacct_status_name(reason));
        if (strcmp(buf, want) != 0)
            fail_msg("'%.*s': expected %s, got %s", shown, in, want, buf);
        assert_int_equal(n, strlen(want));
        assert_int_equal(reason, 12345); /* untouched on success */
    } else {
        if (rc != CHORUSACCT_E_REJECTED || reason != want_reason)
            fail_msg("'%.*s' (%zu bytes): expected %s, got %s/%s (%s)", shown,
                     in, len, chorusacct_status_name(want_reason),
                     chorusacct_status_name(rc), chorusacct_status_name(reason),
                     rc == CHORUSACCT_OK ? buf : "");
        assert_string_equal(buf, "");
        assert_int_equal(n, 0);
    }
}

/* check_validator() on each case, with no flags. */
static inline void check_cases(check_fn fn, size_t cap, const check_case *c,
                               size_t count)
{
    for (size_t i = 0; i < count; i++)
        check_validator(fn, c[i].in, strlen(c[i].in), 0, cap, c[i].reason,
                        c[i].want);
}

#endif
