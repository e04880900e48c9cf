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

/* ------------------------------------------------------------------ */
/* Person names                                                         */

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_VALIDATE_H */
