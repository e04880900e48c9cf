/**
 * @file chorusacct/context.h
 * @brief The library context: configuration, callbacks, last error.
 *
 * A context holds the flow's settings (expiries, throttles, argon2
 * limits, activation URL...), the storage, mailer, clock, random and
 * captcha callbacks, the message templates, and the detail of the last
 * error. It is opened from a versioned configuration structure:
 *
 * @code
 * chorusacct_config cfg;
 * chorusacct_config_init(&cfg, sizeof cfg);   // defaults
 * cfg.activation_url = "https://portal.example/activate?token={token}";
 * chorusacct_ctx *ctx;
 * if (chorusacct_ctx_new(&ctx, &cfg) != CHORUSACCT_OK) ...
 * chorusacct_ctx_set_storage(ctx, &storage_ops);
 * chorusacct_ctx_set_mailer(ctx, &mailer_ops);
 * ...
 * chorusacct_ctx_free(ctx);
 * @endcode
 *
 * Settings can also be read and changed one by one with typed setters
 * (chorusacct_ctx_set_int(), chorusacct_ctx_set_str()), which is easier
 * from other languages than filling the structure.
 *
 * @par Threads: a context is used by one thread at a time (it keeps the
 * last error). Open one context per thread; contexts may share storage.
 * Callbacks run on the calling thread.
 */
#ifndef CHORUSACCT_CONTEXT_H
#define CHORUSACCT_CONTEXT_H

#include <chorusacct/account.h>
#include <chorusacct/clock.h>
#include <chorusacct/common.h>
#include <chorusacct/mailer.h>
#include <chorusacct/random.h>
#include <chorusacct/storage.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Flags of the configuration.
 * @since 0.1
 */
typedef enum chorusacct_config_flags {
    /**
     * Sign-up with an address that already has an account answers as for
     * a new one (and e-mails the owner "an account already exists");
     * resends answer the same whether or not the address is known.
     */
    CHORUSACCT_CFG_ENUMERATION_SAFE = 1,
    /** No captcha is asked (tools, tests, or a captcha checked before). */
    CHORUSACCT_CFG_NO_CAPTCHA = 2
} chorusacct_config_flags;

/**
 * @brief Configuration of a context. Fill it with chorusacct_config_init()
 *        and change what you need; strings are copied by
 *        chorusacct_ctx_new(). Times are in seconds.
 *
 * New members are only ever appended; the library reads `struct_size`
 * bytes and uses defaults for the rest.
 * @since 0.1
 */
typedef struct chorusacct_config {
    uint32_t struct_size;         /**< sizeof(chorusacct_config) */
    int32_t lang;                 /**< default language (EN) */
    uint32_t flags;               /**< ::chorusacct_config_flags (0) */
    uint32_t resend_daily_quota;  /**< resends per account per day (5) */
    int64_t draft_ttl;            /**< wizard draft lifetime (86400) */
    int64_t activation_ttl;       /**< activation link lifetime (3600) */
    int64_t approval_ttl;         /**< pending approval (30 days) */
    int64_t purge_after;          /**< expired/rejected kept (30 days) */
    int64_t resend_cooldown;      /**< between two resends (60) */
    int64_t captcha_ttl;          /**< challenge lifetime (600) */
    uint32_t captcha_length;      /**< characters, 4 to 12 (6) */
    uint32_t captcha_max_attempts; /**< answers per challenge (3) */
    /** Attempts (sign-ups, captchas, token checks, logins, resends) per
     *  hour per application key, such as a client address (60). */
    uint32_t key_attempts_per_hour;
    /** The same per e-mail address (20). */
    uint32_t address_attempts_per_hour;
    uint32_t login_max_failures;  /**< failures before lockout (5) */
    uint32_t mail_max_attempts;   /**< tries before a dead letter (8) */
    int64_t lockout_duration;     /**< (900) */
    int64_t mail_retry_base;      /**< first backoff (60) */
    int64_t mail_retry_max;       /**< longest backoff (86400) */
    int64_t mail_lease;           /**< delivery lease (300) */
    /** argon2id operations (libsodium's interactive limit). */
    uint64_t pwhash_opslimit;
    /** argon2id memory in bytes (libsodium's interactive: 64 MiB). */
    uint64_t pwhash_memlimit;
    /** Activation link with a `{token}` placeholder
     *  ("http://localhost:8080/activate?token={token}"). */
    const char *activation_url;
    /** Version of the terms recorded with the consent ("1"). */
    const char *terms_version;
    /** Portal name in e-mails ("Chorus Pro"). */
    const char *portal_name;
    /**
     * Secret key (32 bytes) from which the per-purpose token-hashing keys
     * are derived. NULL: the library makes one and keeps it in storage
     * (setting `secret`), which is fine for one machine; a deployment
     * should pass its own, from its secret store.
     */
    const uint8_t *secret;
    size_t secret_len;            /**< 32 when `secret` is set */
} chorusacct_config;

/**
 * @brief Settings for chorusacct_ctx_set_int() and chorusacct_ctx_set_str()
 *        (the members of ::chorusacct_config of the same names).
 * @since 0.1
 */
typedef enum chorusacct_option {
    CHORUSACCT_OPT_LANG = 1,
    CHORUSACCT_OPT_FLAGS = 2,
    CHORUSACCT_OPT_RESEND_DAILY_QUOTA = 3,
    CHORUSACCT_OPT_DRAFT_TTL = 4,
    CHORUSACCT_OPT_ACTIVATION_TTL = 5,
    CHORUSACCT_OPT_APPROVAL_TTL = 6,
    CHORUSACCT_OPT_PURGE_AFTER = 7,
    CHORUSACCT_OPT_RESEND_COOLDOWN = 8,
    CHORUSACCT_OPT_CAPTCHA_TTL = 9,
    CHORUSACCT_OPT_CAPTCHA_LENGTH = 10,
    CHORUSACCT_OPT_CAPTCHA_MAX_ATTEMPTS = 11,
    CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR = 12,
    CHORUSACCT_OPT_ADDRESS_ATTEMPTS_PER_HOUR = 13,
    CHORUSACCT_OPT_LOGIN_MAX_FAILURES = 14,
    CHORUSACCT_OPT_MAIL_MAX_ATTEMPTS = 15,
    CHORUSACCT_OPT_LOCKOUT_DURATION = 16,
    CHORUSACCT_OPT_MAIL_RETRY_BASE = 17,
    CHORUSACCT_OPT_MAIL_RETRY_MAX = 18,
    CHORUSACCT_OPT_MAIL_LEASE = 19,
    CHORUSACCT_OPT_PWHASH_OPSLIMIT = 20,
    CHORUSACCT_OPT_PWHASH_MEMLIMIT = 21,
    CHORUSACCT_OPT_ACTIVATION_URL = 22, /**< string */
    CHORUSACCT_OPT_TERMS_VERSION = 23,  /**< string */
    CHORUSACCT_OPT_PORTAL_NAME = 24     /**< string */
} chorusacct_option;

/**
 * @brief Fill a configuration with the defaults.
 * @param[out] cfg         the configuration
 * @param[in]  struct_size `sizeof(chorusacct_config)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `cfg` is NULL or
 *         `struct_size` is smaller than the first version of the structure.
 * @par Threads: pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_config_init(
    chorusacct_config *cfg, size_t struct_size);

/**
 * @brief Open a context.
 *
 * Calls chorusacct_init(). The context starts with the in-process
 * defaults for the clock (system) and random (libsodium), and no storage
 * or mailer: set them before using the flow.
 *
 * @param[out] out receives the context, to free with chorusacct_ctx_free()
 * @param[in]  cfg configuration, or NULL for the defaults (copied)
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG for a NULL `out` or a value
 *         out of range (chorusacct_ctx_set_int() and
 *         chorusacct_ctx_set_str() give the rules);
 *         ::CHORUSACCT_E_NOMEM; ::CHORUSACCT_E_INIT.
 * @par Threads: safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_new(
    chorusacct_ctx **out, const chorusacct_config *cfg);

/**
 * @brief Close a context: calls the `destroy` member of each callback
 *        table it holds, and wipes its secrets (NULL: no-op).
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_ctx_free(chorusacct_ctx *ctx);

/**
 * @brief Change an integer setting.
 * @param[in] ctx   the context
 * @param[in] opt   a ::chorusacct_option that is not a string
 * @param[in] value the new value: times 1 s to 10 years, counts 1 to
 *                  1,000,000 (captcha length 4 to 12), argon2 limits
 *                  within libsodium's, flags among the defined ones
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (unknown option or value out
 *         of range; nothing changed).
 * @par Threads: one thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_int(
    chorusacct_ctx *ctx, int opt, int64_t value);

/**
 * @brief Read an integer setting.
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_get_int(
    const chorusacct_ctx *ctx, int opt, int64_t *out);

/**
 * @brief Change a string setting (copied). Each is UTF-8 text without
 *        control characters: the activation URL, at most 1023 bytes,
 *        contains `{token}` exactly once; the terms version has at most
 *        35 bytes, the portal name at most 200. chorusacct_ctx_new()
 *        applies the same rules to the configuration.
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (unknown option or value
 *         refused; nothing changed), ::CHORUSACCT_E_NOMEM.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_str(
    chorusacct_ctx *ctx, int opt, const char *value);

/**
 * @brief Read a string setting.
 * @return borrowed text, valid until the setting changes or the context
 *         is freed; NULL for an unknown option.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_ctx_get_str(const chorusacct_ctx *ctx,
                                                  int opt);

/**
 * @brief Set the secret key from which token-hashing keys are derived
 *        (copied, wiped on free).
 * @param[in] key 32 bytes
 * @param[in] len 32
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_secret(
    chorusacct_ctx *ctx, const uint8_t *key, size_t len);

/**
 * @brief Set the storage (the table is copied; members past its
 *        `struct_size` are ignored). The previous table's `destroy` is
 *        called.
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG if a required member is NULL
 *         or `struct_size` is too small.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_storage(
    chorusacct_ctx *ctx, const chorusacct_storage_ops *ops);

/** @brief Set the mailer (copied; as chorusacct_ctx_set_storage()). */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_mailer(
    chorusacct_ctx *ctx, const chorusacct_mailer_ops *ops);

/** @brief Set the clock (copied); NULL restores the system clock. */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_clock(
    chorusacct_ctx *ctx, const chorusacct_clock_ops *ops);

/** @brief Set the random source (copied); NULL restores libsodium's. */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_random(
    chorusacct_ctx *ctx, const chorusacct_random_ops *ops);

/**
 * @brief Use the application's captcha verifier (copied) instead of the
 *        built-in challenges; NULL restores the built-in ones.
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_ctx_set_captcha(
    chorusacct_ctx *ctx, const chorusacct_captcha_ops *ops);

/**
 * @brief Detail of the last error on this context: which operation,
 *        record or setting failed, in the context's language.
 * @return borrowed text owned by the context, valid until the next call
 *         on it; "" when the last call succeeded. Never NULL.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_ctx_last_error(
    const chorusacct_ctx *ctx);

/**
 * @brief The context's current time (through its clock).
 * @since 0.1
 */
CHORUSACCT_API int64_t chorusacct_ctx_now(const chorusacct_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_CONTEXT_H */
