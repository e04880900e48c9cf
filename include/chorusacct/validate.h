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
 * NULL. `flags` is 0, or ::CHORUSACCT_VALIDATE_STRICT for the phone
 * validator (separators refused); the others define none yet: pass 0.
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

/**
 * @brief Longest valid e-mail address, without the NUL (254).
 * @return the length in bytes.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_email_max_len(void);

/**
 * @brief Validate and normalize an e-mail address (login or contact).
 *
 * Accepted: at most 254 octets, exactly one `@`; before it a local part
 * of 1 to 64 octets in RFC 5322 dot-atom form (letters, digits and
 * ``!#$%&'*+/=?^_`{|}~-``, single dots between them); after it a domain
 * of at most 253 octets made of two or more labels of 1 to 63 letters,
 * digits and hyphens, no label starting or ending with a hyphen, the last
 * one not all digits, no final dot. Quoted local parts, comments, IP
 * literals and internationalized addresses are refused; surrounding
 * spaces are not trimmed (they are refused too).
 *
 * The normalized form keeps the local part as typed and lower-cases the
 * domain; it is as long as the input. A buffer of
 * chorusacct_email_max_len() + 1 bytes is always enough.
 *
 * Reasons, the first that applies in this order: ::CHORUSACCT_E_EMPTY;
 * ::CHORUSACCT_E_EMAIL_NONASCII (any byte above 0x7F: an accent typed by
 * mistake, usually); ::CHORUSACCT_E_EMAIL_AT (no `@` or several);
 * ::CHORUSACCT_E_EMAIL_LOCAL_LENGTH; ::CHORUSACCT_E_EMAIL_DOMAIN_LENGTH;
 * ::CHORUSACCT_E_EMAIL_LENGTH; ::CHORUSACCT_E_EMAIL_LOCAL (character or
 * dot placement before the `@`); ::CHORUSACCT_E_EMAIL_DOMAIN (character,
 * empty label or a single label after the `@`);
 * ::CHORUSACCT_E_EMAIL_LABEL (label length or hyphen);
 * ::CHORUSACCT_E_EMAIL_TLD (last label all digits).
 *
 * The syntax is checked by a PCRE2 pattern that chorusacct_init()
 * compiles (with the JIT where available); this function calls
 * chorusacct_init() itself. Each call makes the match data PCRE2 needs in
 * a buffer on its stack: with the JIT it takes nothing from the heap.
 * Without the JIT (where PCRE2 has none, or with the environment
 * variable `CHORUSACCT_PCRE2_NO_JIT` set), PCRE2's interpreter may need
 * more than that buffer (24 KiB) for its backtracking: it then takes the
 * rest with malloc(), freed before the call returns.
 *
 * @param[in]  in      the address as typed, `len` bytes (may be NULL
 *                     when `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   none defined: pass 0
 * @param[out] buf     receives the normalized address, NUL-terminated (may
 *                     be NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized address (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation); also ::CHORUSACCT_E_INIT if the library could
 *         not be initialised, and ::CHORUSACCT_E_NOMEM if PCRE2's
 *         interpreter (used only where the JIT is not) ran out of memory.
 * @par Ownership:
 * The caller owns `buf`; nothing is kept after the call (memory the
 * interpreter may take is freed before it returns).
 * @par Threads:
 * Safe from any thread, without a prior chorusacct_init().
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_email_check(const char *in, size_t len, uint32_t flags, char *buf,
                       size_t cap, size_t *len_out, int *reason);

/**
 * @brief Whether two e-mail addresses are the same login.
 *
 * Compares the whole addresses, ignoring the case of ASCII letters in
 * both the local part and the domain (`Jean.Dupont@Example.FR` and
 * `jean.dupont@example.fr` are the same login). It does not validate:
 * other bytes must be equal. The time taken depends only on the lengths,
 * not on where the addresses differ.
 *
 * @param[in] a    first address, `alen` bytes (may be NULL when `alen`
 *                  is 0)
 * @param[in] alen length of `a`
 * @param[in] b    second address, `blen` bytes (may be NULL when `blen`
 *                  is 0)
 * @param[in] blen length of `b`
 * @return 1 if they are the same login, 0 if not; 0 also when a pointer
 *         is NULL with a non-zero length (a predicate never returns an
 *         error code).
 * @par Ownership:
 * Both addresses are read during the call only.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_email_same(const char *a, size_t alen, const char *b, size_t blen);

/* ------------------------------------------------------------------ */
/* Phone numbers                                                        */

/**
 * @brief Longest normalized phone number, without the NUL (16: a `+` and
 *        the 15 digits E.164 allows).
 * @return the length in bytes.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
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
 * @param[in]  in       the number as typed (ASCII), `len` bytes (may be
 *                      NULL when `len` is 0)
 * @param[in]  len      length of `in`
 * @param[in]  flags    0 or ::CHORUSACCT_VALIDATE_STRICT
 * @param[out] buf      receives the E.164 form, NUL-terminated (may be
 *                      NULL when `cap` is 0); chorusacct_phone_max_len()
 *                      + 1 bytes are always enough
 * @param[in]  cap      size of `buf` in bytes
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
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_phone_check(const char *in, size_t len, uint32_t flags, char *buf,
                       size_t cap, size_t *len_out, int *reason);

/* ------------------------------------------------------------------ */
/* Person names                                                         */

/**
 * @brief Longest normalized name in bytes, without the NUL (400: 100
 *        code points of up to 4 bytes).
 * @return the length in bytes.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_name_max_len(void);

/**
 * @brief Validate and normalize a first or last name.
 *
 * Accepted: valid UTF-8 of 1 to 100 code points once the spaces (U+0020)
 * at both ends are trimmed, made of letters of any script (Unicode
 * categories Lu, Ll, Lt, Lm, Lo), combining marks (Mn, Mc, Me) following
 * a letter or another mark (accents typed decomposed), spaces, hyphens
 * (U+002D, U+2010), apostrophes (U+0027, U+2019) and dots, with at least
 * one letter. Digits, other punctuation, symbols and control characters
 * are refused. Categories are PCRE2's (Unicode 14 with PCRE2 10.42).
 *
 * The normalized form is the input without the spaces at both ends; no
 * other change (no Unicode normalization, inner spaces kept). A buffer of
 * chorusacct_name_max_len() + 1 bytes is always enough.
 *
 * Reasons, the first that applies in this order: ::CHORUSACCT_E_UTF8;
 * ::CHORUSACCT_E_EMPTY (nothing but spaces); ::CHORUSACCT_E_NAME_CHARACTER;
 * ::CHORUSACCT_E_NAME_LENGTH (over 100 code points);
 * ::CHORUSACCT_E_NAME_LETTER (no letter at all, such as `-` or `.`).
 *
 * @param[in]  in      the name as typed, UTF-8, `len` bytes (may be NULL
 *                     when `len` is 0)
 * @param[in]  len     length of `in`
 * @param[in]  flags   none defined: pass 0
 * @param[out] buf     receives the normalized name, NUL-terminated (may be
 *                     NULL when `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the normalized name (may be NULL)
 * @param[out] reason  on ::CHORUSACCT_E_REJECTED, why (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG (see the file
 *         documentation).
 * @par Ownership:
 * The caller owns `buf`; nothing is allocated or kept.
 * @par Threads:
 * Pure; no chorusacct_init() needed.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_name_check(const char *in, size_t len, uint32_t flags, char *buf,
                      size_t cap, size_t *len_out, int *reason);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_VALIDATE_H */
