/**
 * @file chorusacct/common.h
 * @brief Export macros, status codes, languages, version and library init.
 *
 * Every fallible function of libchorusacct returns an `int`:
 * ::CHORUSACCT_OK (0) or a negative `CHORUSACCT_E_*` code, a primary code
 * (-1 to -99). Two kinds of failure are kept apart, as in SQLite's
 * primary/extended split:
 *
 * - the input was refused: the function returns ::CHORUSACCT_E_REJECTED,
 *   the one primary code that says so, and writes the precise reason (a
 *   "reason code", -100 and below, such as ::CHORUSACCT_E_CHECKSUM) into
 *   an `int *reason` out-parameter;
 * - the call failed: every other primary code (::CHORUSACCT_E_ARG,
 *   ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_STORAGE...); nothing was decided
 *   about the input.
 *
 * Codes are never renumbered or reused. Every code has a symbolic name
 * (chorusacct_status_name()) and a message in English and French
 * (chorusacct_strerror()).
 */
#ifndef CHORUSACCT_COMMON_H
#define CHORUSACCT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <chorusacct/version.h>

#if defined(_WIN32) || defined(__CYGWIN__)
#if defined(CHORUSACCT_STATIC)
#define CHORUSACCT_API
#elif defined(CHORUSACCT_BUILDING)
#define CHORUSACCT_API __declspec(dllexport)
#else
#define CHORUSACCT_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#define CHORUSACCT_API __attribute__((visibility("default")))
#else
#define CHORUSACCT_API
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define CHORUSACCT_NODISCARD __attribute__((warn_unused_result))
#else
#define CHORUSACCT_NODISCARD
#endif

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Status codes of the whole library.
 *
 * `CHORUSACCT_OK` is 0; failures are negative. Values from -1 to -99 are
 * the primary codes, which functions return: ::CHORUSACCT_E_REJECTED says
 * the input was refused (the reason tells why), every other one says the
 * call failed. Values from -100 down are reasons why an input or a
 * transition was refused (returned through `int *reason` alongside
 * ::CHORUSACCT_E_REJECTED), in one block per area. The symbolic name
 * printed by tools is the constant without its `CHORUSACCT_E_` prefix (for
 * example `CHECKSUM`).
 *
 * The values are part of the ABI: they never change, and a value removed
 * before a release is never given to another code.
 * @since 0.1
 */
typedef enum chorusacct_status {
    CHORUSACCT_OK = 0, /**< success */

    /* Primary codes: -1 .. -99. CHORUSACCT_E_REJECTED says the input was
     * refused (the reason tells why); every other one says the call
     * failed. */
    CHORUSACCT_E_ARG = -1,         /**< invalid argument (NULL, bad enum) */
    CHORUSACCT_E_NOMEM = -2,       /**< out of memory */
    CHORUSACCT_E_TOOSMALL = -3,    /**< output buffer too small */
    CHORUSACCT_E_REJECTED = -4,    /**< input refused; see the reason */
    CHORUSACCT_E_CALLBACK = -5,    /**< a user callback failed */
    CHORUSACCT_E_STORAGE = -6,     /**< the storage backend failed */
    CHORUSACCT_E_CONFLICT = -7,    /**< concurrent change; retry */
    CHORUSACCT_E_NOTFOUND = -8,    /**< no such record */
    CHORUSACCT_E_UNSUPPORTED = -9, /**< not built in or not supported */
    CHORUSACCT_E_INIT = -10,       /**< library initialisation failed */
    CHORUSACCT_E_IO = -11,         /**< input/output error */
    CHORUSACCT_E_SCHEMA = -12,     /**< stored schema newer than library */
    CHORUSACCT_E_INTERNAL = -13,   /**< internal error (a bug) */
    CHORUSACCT_E_EXISTS = -14,     /**< a unique key is already taken */
    CHORUSACCT_E_CAPACITY = -15,   /**< a text does not fit its record */
    /* Storage failures with their cause (a backend that cannot tell
     * answers CHORUSACCT_E_STORAGE). */
    CHORUSACCT_E_FULL = -16,     /**< storage full (disk, size limit) */
    CHORUSACCT_E_CORRUPT = -17,  /**< stored data damaged, not a database */
    CHORUSACCT_E_READONLY = -18, /**< storage opened or mounted read-only */
    CHORUSACCT_E_BUSY = -19,     /**< locked by another writer; retry later */
    /** the clock callback gave a time outside 1970 to 9999 (0 to
     *  253402300799) */
    CHORUSACCT_E_CLOCK = -20,

    /* Reasons, shared by the validators, VAT numbers included:
     * -100 .. -149. */
    CHORUSACCT_E_EMPTY = -100,     /**< the value is empty */
    CHORUSACCT_E_LENGTH = -101,    /**< wrong number of characters */
    CHORUSACCT_E_CHARACTER = -102, /**< a character is not allowed */
    CHORUSACCT_E_NONASCII = -103,  /**< a byte is not ASCII */
    CHORUSACCT_E_SEPARATOR = -104, /**< separator refused (strict mode) */
    CHORUSACCT_E_CHECKSUM = -105,  /**< check digits do not match */
    CHORUSACCT_E_TYPE = -106,      /**< unknown identifier type */
    CHORUSACCT_E_NOVALUE = -107,   /**< this type takes no value */
    CHORUSACCT_E_COUNTRY = -108,   /**< country code unknown or refused */
    CHORUSACCT_E_FORMAT = -109,    /**< characters in the wrong places */
    /* -110 was "too short", returned by no function and removed before
     * 0.1.0: never to be reused. */
    CHORUSACCT_E_TOOLONG = -111, /**< too long */
    CHORUSACCT_E_UTF8 = -112,    /**< invalid UTF-8 */

    /* -150 .. -199: free (EU VAT numbers use the shared reasons). */

    /* E-mail addresses: -200 .. -249. */
    CHORUSACCT_E_EMAIL_NONASCII = -200,      /**< accent or other non-ASCII */
    CHORUSACCT_E_EMAIL_AT = -201,            /**< not exactly one `@` */
    CHORUSACCT_E_EMAIL_LENGTH = -202,        /**< over 254 octets */
    CHORUSACCT_E_EMAIL_LOCAL = -203,         /**< bad part before `@` */
    CHORUSACCT_E_EMAIL_LOCAL_LENGTH = -204,  /**< local part not 1-64 */
    CHORUSACCT_E_EMAIL_DOMAIN = -205,        /**< bad domain */
    CHORUSACCT_E_EMAIL_DOMAIN_LENGTH = -206, /**< domain over 253 octets */
    CHORUSACCT_E_EMAIL_LABEL = -207,         /**< bad domain label */
    CHORUSACCT_E_EMAIL_TLD = -208,           /**< last label all digits */
    CHORUSACCT_E_EMAIL_ENCODED = -209, /**< `=?` (encoded word) before `@` */

    /* Phone numbers: -250 .. -299. */
    CHORUSACCT_E_PHONE_CHARACTER = -250, /**< letter or other character */
    CHORUSACCT_E_PHONE_PLUS = -251,      /**< misplaced or second `+` */
    CHORUSACCT_E_PHONE_COUNTRY = -252,   /**< unknown country calling code */
    CHORUSACCT_E_PHONE_LENGTH = -253,    /**< impossible length */
    CHORUSACCT_E_PHONE_RANGE = -254,     /**< range not allocated */
    CHORUSACCT_E_PHONE_OVERSEAS = -255,  /**< overseas block after +33 */
    CHORUSACCT_E_PHONE_TRUNK = -256,     /**< `(0)` not after the code */
    CHORUSACCT_E_PHONE_EXTENSION = -257, /**< extension (`x`, `poste`) */

    /* Person names: -300 .. -349. */
    CHORUSACCT_E_NAME_CHARACTER = -300, /**< digit, symbol or control */
    CHORUSACCT_E_NAME_LENGTH = -301,    /**< over 100 characters */
    CHORUSACCT_E_NAME_LETTER = -302,    /**< no letter at all */

    /* Passwords: -350 .. -399. */
    CHORUSACCT_E_PASSWORD_CHARACTER = -350, /**< forbidden code point */
    CHORUSACCT_E_PASSWORD_SHORT = -351,     /**< under 12 code points */
    CHORUSACCT_E_PASSWORD_LONG = -352,      /**< over 1024 code points */
    CHORUSACCT_E_PASSWORD_CLASSES = -353,   /**< under 3 classes */
    CHORUSACCT_E_PASSWORD_PERSONAL = -354,  /**< contains e-mail or name */
    CHORUSACCT_E_PASSWORD_MISMATCH = -355,  /**< confirmation differs */

    /* Account flow: -400 .. -499. */
    CHORUSACCT_E_CONSENT = -400,          /**< terms not accepted */
    CHORUSACCT_E_CAPTCHA = -401,          /**< wrong captcha answer */
    CHORUSACCT_E_CAPTCHA_EXPIRED = -402,  /**< unknown, used or expired */
    CHORUSACCT_E_EMAIL_TAKEN = -403,      /**< login e-mail already used */
    CHORUSACCT_E_COMPANY_NAME = -404,     /**< company name missing or bad */
    CHORUSACCT_E_ALREADY_DECIDED = -405,  /**< approved or rejected before */
    CHORUSACCT_E_NOT_MANAGER = -406,      /**< not an active manager */
    CHORUSACCT_E_REASON_REQUIRED = -407,  /**< rejection reason missing */
    CHORUSACCT_E_TOKEN_INVALID = -408,    /**< unknown or revoked link */
    CHORUSACCT_E_TOKEN_EXPIRED = -409,    /**< link too old */
    CHORUSACCT_E_ALREADY_ACTIVE = -410,   /**< account already active */
    CHORUSACCT_E_THROTTLED = -411,        /**< too many attempts */
    CHORUSACCT_E_LOCKED = -412,           /**< locked after failures */
    CHORUSACCT_E_CREDENTIALS = -413,      /**< wrong e-mail or password */
    CHORUSACCT_E_STATE = -414,            /**< not allowed in this state */
    CHORUSACCT_E_DRAFT_EXPIRED = -415,    /**< wizard draft too old */
    CHORUSACCT_E_NOT_ACTIVE = -416,       /**< account not active */
    CHORUSACCT_E_PRINCIPAL = -417,        /**< principal manager case */
    CHORUSACCT_E_RESEND_COOLDOWN = -418,  /**< resent too recently */
    CHORUSACCT_E_RESEND_QUOTA = -419,     /**< daily resend quota used */
    CHORUSACCT_E_TOKEN_USED = -420,       /**< link already used */
    CHORUSACCT_E_TEMPLATE = -421,         /**< bad template placeholder */
    CHORUSACCT_E_ROLE = -422,             /**< unknown or refused role */
    CHORUSACCT_E_SELF = -423,             /**< cannot act on oneself */
    CHORUSACCT_E_CAPTCHA_REQUIRED = -424, /**< no captcha given */
    CHORUSACCT_E_REASON_CHARACTER = -430  /**< control character in reason */
} chorusacct_status;

/**
 * @brief The library context (opaque): configuration, callbacks and the
 *        last error detail. See chorusacct/context.h.
 * @since 0.1
 */
typedef struct chorusacct_ctx chorusacct_ctx;

/**
 * @brief Languages of messages.
 *
 * Any value other than ::CHORUSACCT_LANG_FR is treated as English.
 * @since 0.1
 */
typedef enum chorusacct_lang {
    CHORUSACCT_LANG_EN = 0, /**< English */
    CHORUSACCT_LANG_FR = 1  /**< French */
} chorusacct_lang;

/**
 * @brief Initialise the library (and libsodium).
 *
 * Call once before anything else; calling it again, from any thread, is
 * harmless. chorusacct_ctx_new() calls it too.
 *
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_INIT if libsodium or the
 *         compiled patterns could not be set up.
 * @par Ownership:
 * What it sets up lives until the process ends; there is nothing to free.
 * @par Threads:
 * Safe from any thread, at any time (the work is done once, under
 * `pthread_once`).
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_init(void);

/**
 * @brief Message for a status code.
 *
 * @param[in] code any status code (unknown codes get a generic message)
 * @param[in] lang ::CHORUSACCT_LANG_EN or ::CHORUSACCT_LANG_FR
 * @return static UTF-8 text, never NULL.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure; safe from any thread without chorusacct_init().
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_strerror(int code, int lang);

/**
 * @brief Symbolic name of a status code, without the `CHORUSACCT_E_`
 *        prefix (`"OK"`, `"CHECKSUM"`...).
 *
 * @param[in] code any status code
 * @return static ASCII text, never NULL (`"UNKNOWN"` for an unknown code).
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_status_name(int code);

/**
 * @brief Status code from its symbolic name (the reverse of
 *        chorusacct_status_name(); the `CHORUSACCT_E_` prefix is optional).
 *
 * @param[out] out  receives the code
 * @param[in]  name NUL-terminated name, case-sensitive
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_NOTFOUND for an unknown name,
 *         ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * `name` is read during the call only.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_status_from_name(int *out, const char *name);

/**
 * @brief Language from a tag: `fr`, `en`, or a longer tag that starts with
 *        one of them (`fr-FR`, `fr_CA.UTF-8`, `en-GB`), in any case.
 *
 * @param[out] out receives ::CHORUSACCT_LANG_FR or ::CHORUSACCT_LANG_EN
 * @param[in]  tag NUL-terminated tag
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND for another language,
 *         ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * `tag` is read during the call only.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_lang_from_tag(int *out, const char *tag);

/**
 * @brief Version of the library that is running, as `"MAJOR.MINOR.PATCH"`.
 *
 * Compare with ::CHORUSACCT_VERSION_STRING to check that the headers a
 * program was built with match the library it loaded.
 * @return static text, never NULL.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_version(void);

/**
 * @brief Version of the running library as a number,
 *        `MAJOR * 10000 + MINOR * 100 + PATCH` (0.1.0 is 100), as
 *        ::CHORUSACCT_VERSION_NUMBER.
 * @return the version number.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API uint32_t chorusacct_version_number(void);

/**
 * @brief Optional parts of the library, for chorusacct_feature_available().
 * @since 0.1
 */
typedef enum chorusacct_feature {
    CHORUSACCT_FEATURE_SMTP = 1,    /**< the SMTP mailer (libcurl) */
    CHORUSACCT_FEATURE_POSTGRES = 2 /**< the PostgreSQL storage (libpq) */
} chorusacct_feature;

/**
 * @brief Whether an optional part was built into the running library.
 *
 * The macros ::CHORUSACCT_HAS_SMTP and ::CHORUSACCT_HAS_POSTGRES say it for
 * the headers a program was compiled with; this says it for the library
 * it loaded, before a call answers ::CHORUSACCT_E_UNSUPPORTED.
 * @param[in] feature a ::chorusacct_feature
 * @return 1 if it was built in, 0 if not or if `feature` is unknown.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_feature_available(int feature);

/**
 * @brief The versioned records and callback tables, for
 *        chorusacct_type_size() and chorusacct_type_name(). New types are
 *        added at the end; a number is never reused.
 * @since 0.1
 */
typedef enum chorusacct_type {
    CHORUSACCT_TYPE_ACCOUNT = 1,       /**< ::chorusacct_account */
    CHORUSACCT_TYPE_STRUCTURE = 2,     /**< ::chorusacct_structure */
    CHORUSACCT_TYPE_EVENT = 3,         /**< ::chorusacct_event */
    CHORUSACCT_TYPE_ACCOUNT_QUERY = 4, /**< ::chorusacct_account_query */
    CHORUSACCT_TYPE_SIGNUP = 5,        /**< ::chorusacct_signup */
    CHORUSACCT_TYPE_SIGNUP_RESULT = 6, /**< ::chorusacct_signup_result */
    CHORUSACCT_TYPE_TOKEN_INFO = 7,    /**< ::chorusacct_token_info */
    CHORUSACCT_TYPE_SWEEP_RESULT = 8,  /**< ::chorusacct_sweep_result */
    CHORUSACCT_TYPE_CAPTCHA_OPS = 9,   /**< ::chorusacct_captcha_ops */
    CHORUSACCT_TYPE_ACTIVATION = 10,   /**< ::chorusacct_activation */
    CHORUSACCT_TYPE_CLOCK_OPS = 11,    /**< ::chorusacct_clock_ops */
    CHORUSACCT_TYPE_CONFIG = 12,       /**< ::chorusacct_config */
    CHORUSACCT_TYPE_MAIL = 13,         /**< ::chorusacct_mail */
    CHORUSACCT_TYPE_MAILER_OPS = 14,   /**< ::chorusacct_mailer_ops */
    CHORUSACCT_TYPE_MESSAGE = 15,      /**< ::chorusacct_message */
    CHORUSACCT_TYPE_DELIVERY = 16,     /**< ::chorusacct_delivery */
    CHORUSACCT_TYPE_SMTP_CONFIG = 17,  /**< ::chorusacct_smtp_config */
    CHORUSACCT_TYPE_RANDOM_OPS = 18,   /**< ::chorusacct_random_ops */
    CHORUSACCT_TYPE_TOKEN = 19,        /**< ::chorusacct_token */
    CHORUSACCT_TYPE_CAPTCHA = 20,      /**< ::chorusacct_captcha */
    CHORUSACCT_TYPE_STORAGE_OPS = 21,  /**< ::chorusacct_storage_ops */
    CHORUSACCT_TYPE_LOG_EVENT = 22,    /**< ::chorusacct_log_event */
    CHORUSACCT_TYPE_LOG_OPS = 23,      /**< ::chorusacct_log_ops */
} chorusacct_type;

/**
 * @brief Size of a versioned record or callback table in the running
 *        library: the `sizeof` a caller built against the same headers
 *        has, and the most the library reads or writes of it.
 *
 * A binding (Python's ctypes, Node's koffi, Rust, Go) compares its own
 * layout with this at load time (docs/bindings.md): its size may be
 * smaller (an older layout, which the library still accepts down to the
 * type's first version) but never larger.
 * @param[in] type a ::chorusacct_type
 * @return the size in bytes, or 0 if `type` is unknown.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API size_t chorusacct_type_size(int type);

/**
 * @brief Name of a ::chorusacct_type, as in its C name without the
 *        `chorusacct_` prefix (`"account"`, `"storage_ops"`).
 * @param[in] type a ::chorusacct_type
 * @return static text, never NULL: `"unknown"` for an unknown type.
 * @par Ownership:
 * Static text owned by the library: do not free it.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_type_name(int type);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_COMMON_H */
