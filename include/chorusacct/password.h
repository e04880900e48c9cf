/**
 * @file chorusacct/password.h
 * @brief The password policy.
 *
 * The rules, one by one, are in docs/validators.md.
 */
#ifndef CHORUSACCT_PASSWORD_H
#define CHORUSACCT_PASSWORD_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Policy                                                               */

/**
 * @brief Rules of the password policy, as bits of the `failed` mask of
 *        chorusacct_password_check().
 *
 * Each rule has a status code of the same meaning (given below) and a
 * message, chorusacct_password_rule_text().
 * @since 0.1
 */
typedef enum chorusacct_pw_rule {
    /** 1: not valid UTF-8 (::CHORUSACCT_E_UTF8) */
    CHORUSACCT_PW_RULE_UTF8 = 1,
    /** 2: a code point of category Cc, Cf, Cs, Co or Cn
     *  (::CHORUSACCT_E_PASSWORD_CHARACTER) */
    CHORUSACCT_PW_RULE_CHARACTER = 2,
    /** 4: under 12 code points (::CHORUSACCT_E_PASSWORD_SHORT) */
    CHORUSACCT_PW_RULE_SHORT = 4,
    /** 8: over 1024 code points (::CHORUSACCT_E_PASSWORD_LONG) */
    CHORUSACCT_PW_RULE_LONG = 8,
    /** 16: under 3 classes (::CHORUSACCT_E_PASSWORD_CLASSES) */
    CHORUSACCT_PW_RULE_CLASSES = 16,
    /** 32: contains the e-mail or a name
     *  (::CHORUSACCT_E_PASSWORD_PERSONAL); checked by
     *  chorusacct_password_check_personal() only */
    CHORUSACCT_PW_RULE_PERSONAL = 32
} chorusacct_pw_rule;

/**
 * @brief Character classes, as bits of the `classes` mask of
 *        chorusacct_password_check().
 *
 * By Unicode general category, as PCRE2 sees it (Unicode 14 with PCRE2
 * 10.42).
 * @since 0.1
 */
typedef enum chorusacct_pw_class {
    CHORUSACCT_PW_CLASS_UPPER = 1, /**< 1: upper case, Lu or Lt */
    CHORUSACCT_PW_CLASS_LOWER = 2, /**< 2: lower case, Ll */
    CHORUSACCT_PW_CLASS_DIGIT = 4, /**< 4: decimal digit, Nd */
    /** 8: any other allowed code point: punctuation, symbols, spaces,
     *  letters without case (Lm, Lo), marks, other numbers */
    CHORUSACCT_PW_CLASS_SPECIAL = 8
} chorusacct_pw_class;

/**
 * @brief Fewest code points of a password (12).
 * @return the number of code points.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_password_min_len(void);

/**
 * @brief Most code points of a password (1024).
 * @return the number of code points.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_password_max_len(void);

/**
 * @brief Check a password against the policy.
 *
 * The password is UTF-8; its length is counted in code points
 * (`éééééééé1A` has 10, not 18). It must have 12 to 1024 of them, none
 * of category Cc, Cf, Cs, Co or Cn, and mix at least 3 of the 4
 * ::chorusacct_pw_class classes. Every rule is evaluated so that a form
 * can list all that fail, except after invalid UTF-8, which stops the
 * check (`*failed` is then ::CHORUSACCT_PW_RULE_UTF8 alone and `*classes`
 * 0). The personal-information rule is separate:
 * chorusacct_password_check_personal().
 *
 * The password is read in place, never copied.
 *
 * @param[in]  pw      the password, `len` bytes (may be NULL when `len`
 *                     is 0)
 * @param[in]  len     length of `pw` in bytes
 * @param[out] failed  (may be NULL) receives the ::chorusacct_pw_rule
 *                     bits of every failed rule, 0 when valid
 * @param[out] classes (may be NULL) receives the ::chorusacct_pw_class
 *                     bits of the classes present; the missing ones are
 *                     the others
 * @param[out] reason  (may be NULL) on ::CHORUSACCT_E_REJECTED, the code
 *                     of the most important failed rule, in this order:
 *                     ::CHORUSACCT_E_UTF8,
 *                     ::CHORUSACCT_E_PASSWORD_CHARACTER,
 *                     ::CHORUSACCT_E_PASSWORD_SHORT,
 *                     ::CHORUSACCT_E_PASSWORD_LONG,
 *                     ::CHORUSACCT_E_PASSWORD_CLASSES
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or ::CHORUSACCT_E_ARG
 *         if `pw` is NULL with a non-zero length (`*failed` and `*classes`
 *         are then 0).
 * @par Ownership:
 * The password is read in place during the call; nothing is copied,
 * allocated or kept.
 * @par Threads:
 * Pure; no chorusacct_init() needed.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_password_check(const char *pw, size_t len, uint32_t *failed,
                          uint32_t *classes, int *reason);

/**
 * @brief Refuse a password that contains the person's login or names.
 *
 * Refused when the password contains, ignoring case, one of: the local
 * part of `login_email` (what precedes its last `@`, or the whole string
 * if it has none), `first_name`, `last_name` (both without the spaces at
 * their ends), each counted only when it has 3 code points or more.
 * Each is matched whole: `Jean-Pierre` refuses `xjean-pierre1` but not
 * `pierre`. Case is ignored by Unicode simple case folding (Unicode 14,
 * every script: `ÉLODIE` contains `élodie`, `ΣΟΦΙΑ` contains `σοφια`);
 * there is no other normalization (a precomposed `é` does not match `e`
 * followed by a combining accent).
 *
 * The library folds the password into a buffer on its stack and wipes it
 * with sodium_memzero() before returning.
 *
 * @param[in]  pw          the password, UTF-8, `len` bytes (may be NULL
 *                         when `len` is 0)
 * @param[in]  len         length of `pw` in bytes
 * @param[in]  login_email NUL-terminated login e-mail, or NULL
 * @param[in]  first_name  NUL-terminated first name (UTF-8), or NULL
 * @param[in]  last_name   NUL-terminated last name (UTF-8), or NULL
 * @param[out] reason      (may be NULL) on ::CHORUSACCT_E_REJECTED:
 *                         ::CHORUSACCT_E_PASSWORD_PERSONAL; or, for a
 *                         password the policy refuses anyway,
 *                         ::CHORUSACCT_E_UTF8 (invalid UTF-8) or
 *                         ::CHORUSACCT_E_PASSWORD_LONG (over 1024 code
 *                         points)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_REJECTED, or ::CHORUSACCT_E_ARG
 *         if `pw` is NULL with a non-zero length or if a context string
 *         is not valid UTF-8.
 * @par Ownership:
 * Every string is read during the call only; the folded copy of the
 * password lives on the stack and is wiped before the call returns.
 * @par Threads:
 * Pure; no chorusacct_init() needed.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_password_check_personal(
    const char *pw, size_t len, const char *login_email, const char *first_name,
    const char *last_name, int *reason);

/**
 * @brief Message for one rule, to show under the password field.
 * @param[in] rule one ::chorusacct_pw_rule bit
 * @param[in] lang ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text (the message of the rule's status code), never
 *         NULL: `""` (nothing to show) if `rule` is not exactly one known
 *         bit.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_password_rule_text(uint32_t rule,
                                                         int lang);

/**
 * @brief Name of one class, to list the missing ones ("upper-case
 *        letters", "lettres majuscules"...).
 * @param[in] cls  one ::chorusacct_pw_class bit
 * @param[in] lang ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text, never NULL: `"Unknown"` (EN) or `"Inconnu"`
 *         (FR) if `cls` is not exactly one known bit.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_password_class_name(uint32_t cls,
                                                          int lang);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_PASSWORD_H */
