/**
 * @file chorusacct/validate.h
 * @brief Validators of the personal-information form: e-mail addresses,
 *        phone numbers and person names.
 *
 * They follow the calling convention of the identifier validators
 * (chorusacct/identifier.h):
 *
 * @code
 * int chorusacct_X_check(const char *in, size_t len, uint32_t flags,
 *                        char *buf, size_t cap, size_t *len_out,
 *                        int *reason);
 * @endcode
 *
 * `in`/`len` is the value as typed (no NUL needed); `buf`/`cap` receives
 * the normalized form, NUL-terminated (`buf` may be NULL when `cap` is 0
 * to check only); `*len_out` its length without the NUL, also on
 * ::CHORUSACCT_E_TOOSMALL; `*reason` why the value was refused when the
 * function returns ::CHORUSACCT_E_REJECTED. `len_out` and `reason` may be
 * NULL. No flag is defined yet: pass 0.
 *
 * The rules, one by one, are in docs/validators.md.
 */
#ifndef CHORUSACCT_VALIDATE_H
#define CHORUSACCT_VALIDATE_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* E-mail addresses                                                     */

/* ------------------------------------------------------------------ */
/* Phone numbers                                                        */

/**
 * @brief Longest normalized phone number, without the NUL (16: a `+` and
 *        the 15 digits E.164 allows).
 * @par Threads: pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_phone_max_len(void);

/**
 * @brief Validates a phone number, France being the default region, and
 *        writes it in E.164 form (`+33612345678`).
 *
 * Accepted forms, with spaces, dots and hyphens anywhere as separators:
 * - a French national number, 10 digits starting with 0
 *   (`06 12 34 56 78`); a number of an overseas block of the French plan
 *   takes its own country code (`0262 12 34 56` gives `+262262123456`);
 * - an international number, `+` or `00` then the country calling code
 *   (`+33 6 12 34 56 78`, `0033 6 12 34 56 78`), where the trunk 0 may
 *   follow the code as `(0)` or, for codes whose numbers never start with
 *   0, as a plain 0 (`+33 (0)6 12 34 56 78`, `+33 06 12 34 56 78`).
 *
 * Numbers of France and of the French overseas plans (+262, +508, +590,
 * +594, +596, +681, +687, +689) must fall in an allocated range; for the
 * other country codes, the number of digits and the first digit are
 * checked. The rules and ranges are in docs/phone.md.
 *
 * `flags`: 0, or ::CHORUSACCT_VALIDATE_STRICT to refuse separators.
 *
 * @param[in]  in,len   the number as typed (ASCII)
 * @param[in]  flags    0 or ::CHORUSACCT_VALIDATE_STRICT
 * @param[out] buf,cap  receives the E.164 form, NUL-terminated (`buf` may
 *                      be NULL when `cap` is 0); chorusacct_phone_max_len()
 *                      + 1 bytes are always enough
 * @param[out] len_out  length of the E.164 form (may be NULL)
 * @param[out] reason   on ::CHORUSACCT_E_REJECTED, one of
 *                      ::CHORUSACCT_E_EMPTY, ::CHORUSACCT_E_NONASCII,
 *                      ::CHORUSACCT_E_SEPARATOR (strict mode),
 *                      ::CHORUSACCT_E_PHONE_EXTENSION,
 *                      ::CHORUSACCT_E_PHONE_CHARACTER,
 *                      ::CHORUSACCT_E_PHONE_PLUS,
 *                      ::CHORUSACCT_E_PHONE_TRUNK,
 *                      ::CHORUSACCT_E_PHONE_COUNTRY,
 *                      ::CHORUSACCT_E_PHONE_LENGTH,
 *                      ::CHORUSACCT_E_PHONE_OVERSEAS or
 *                      ::CHORUSACCT_E_PHONE_RANGE (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, ::CHORUSACCT_E_TOOSMALL
 *         (`*len_out` has the length needed), or ::CHORUSACCT_E_ARG (`in`
 *         NULL with `len` > 0, or `buf` NULL with `cap` > 0).
 *         The caller owns `buf`; nothing is allocated.
 * @par Threads: pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_phone_check(
    const char *in, size_t len, uint32_t flags, char *buf, size_t cap,
    size_t *len_out, int *reason);

/* ------------------------------------------------------------------ */
/* Person names                                                         */

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_VALIDATE_H */
