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
 * @par Threads:
 * A context is used by one thread at a time (it keeps the
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
 * @brief Sizes of the context's secrets.
 * @since 0.1
 */
typedef enum chorusacct_ctx_sizes {
    /** The secret key from which token-hashing keys are derived, in bytes
     *  (::chorusacct_config `secret`, chorusacct_ctx_set_secret()). */
    CHORUSACCT_SECRET_SIZE = 32
} chorusacct_ctx_sizes;

/**
 * @brief Flags of the configuration.
 * @since 0.1
 */
typedef enum chorusacct_config_flags {
    /**
     * Sign-up with an address that already has an account answers as for
     * a new one (and e-mails the owner "an account already exists");
     * resends answer the same whether or not the address is known; no
     * sign-up result nor structure lookup gives ids (docs/flow.md,
     * "Enumeration safety" says what is and is not the same).
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
    uint32_t struct_size;          /**< sizeof(chorusacct_config) */
    int32_t lang;                  /**< default language (EN) */
    uint32_t flags;                /**< ::chorusacct_config_flags (0) */
    uint32_t resend_daily_quota;   /**< resends per account per day (5) */
    int64_t draft_ttl;             /**< wizard draft lifetime (86400) */
    int64_t activation_ttl;        /**< activation link lifetime (3600) */
    int64_t approval_ttl;          /**< pending approval (30 days) */
    int64_t purge_after;           /**< expired/rejected kept (30 days) */
    int64_t resend_cooldown;       /**< between two resends (60) */
    int64_t captcha_ttl;           /**< challenge lifetime (600) */
    uint32_t captcha_length;       /**< characters, 4 to 12 (6) */
    uint32_t captcha_max_attempts; /**< answers per challenge (3) */
    /** Attempts (sign-ups, captchas, token checks, logins, resends) per
     *  hour per application key, such as a client address (60). */
    uint32_t key_attempts_per_hour;
    /** The same per e-mail address (20). */
    uint32_t address_attempts_per_hour;
    /** failed logins in a row that lock a client out of an address (5) */
    uint32_t login_max_failures;
    uint32_t mail_max_attempts; /**< tries before a dead letter (8) */
    /** how long such a lock lasts (3600: the portal's rule) */
    int64_t lockout_duration;
    int64_t mail_retry_base; /**< first backoff (60) */
    int64_t mail_retry_max;  /**< longest backoff (86400) */
    int64_t mail_lease;      /**< delivery lease (300) */
    /** argon2id operations (libsodium's interactive limit); at most
     *  libsodium's sensitive one, 4 (chorusacct_ctx_set_int()). */
    uint64_t pwhash_opslimit;
    /** argon2id memory in bytes (libsodium's interactive: 64 MiB); at
     *  most 1 GiB and a quarter of the machine's memory. */
    uint64_t pwhash_memlimit;
    /** Activation link with a `{token}` placeholder
     *  ("http://localhost:8080/activate?token={token}"). */
    const char *activation_url;
    /** Version of the terms recorded with the consent ("1"). */
    const char *terms_version;
    /** Portal name in e-mails ("Chorus Pro"). */
    const char *portal_name;
    /**
     * Secret key (::CHORUSACCT_SECRET_SIZE bytes) from which the
     * per-purpose token-hashing keys are derived. NULL: the library
     * makes one and keeps it in storage (setting `secret`), which is fine
     * for one machine; a deployment should pass its own, from its secret
     * store.
     */
    const uint8_t *secret;
    /** ::CHORUSACCT_SECRET_SIZE when `secret` is set */
    size_t secret_len;
    /** How long a structure's first declarer who let the activation link
     *  expire keeps the claim (can still ask for a new link and activate)
     *  before the oldest applicant waiting becomes principal manager
     *  (7 days; docs/flow.md, "A structure's first declarer"). */
    int64_t promotion_grace;
} chorusacct_config;

/**
 * @brief Settings for chorusacct_ctx_set_int() and chorusacct_ctx_set_str()
 *        (the members of ::chorusacct_config of the same names).
 * @since 0.1
 */
typedef enum chorusacct_option {
    CHORUSACCT_OPT_LANG = 1,  /**< `lang`: default language */
    CHORUSACCT_OPT_FLAGS = 2, /**< `flags`: ::chorusacct_config_flags */
    /** `resend_daily_quota`: resends per account per day */
    CHORUSACCT_OPT_RESEND_DAILY_QUOTA = 3,
    CHORUSACCT_OPT_DRAFT_TTL = 4,       /**< `draft_ttl`, seconds */
    CHORUSACCT_OPT_ACTIVATION_TTL = 5,  /**< `activation_ttl`, seconds */
    CHORUSACCT_OPT_APPROVAL_TTL = 6,    /**< `approval_ttl`, seconds */
    CHORUSACCT_OPT_PURGE_AFTER = 7,     /**< `purge_after`, seconds */
    CHORUSACCT_OPT_RESEND_COOLDOWN = 8, /**< `resend_cooldown`, seconds */
    CHORUSACCT_OPT_CAPTCHA_TTL = 9,     /**< `captcha_ttl`, seconds */
    CHORUSACCT_OPT_CAPTCHA_LENGTH = 10, /**< `captcha_length`, 4 to 12 */
    /** `captcha_max_attempts`: answers per challenge */
    CHORUSACCT_OPT_CAPTCHA_MAX_ATTEMPTS = 11,
    /** `key_attempts_per_hour`: attempts per application key */
    CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR = 12,
    /** `address_attempts_per_hour`: attempts per e-mail address */
    CHORUSACCT_OPT_ADDRESS_ATTEMPTS_PER_HOUR = 13,
    /** `login_max_failures`: failed logins before a lockout */
    CHORUSACCT_OPT_LOGIN_MAX_FAILURES = 14,
    /** `mail_max_attempts`: delivery tries before a dead letter */
    CHORUSACCT_OPT_MAIL_MAX_ATTEMPTS = 15,
    CHORUSACCT_OPT_LOCKOUT_DURATION = 16, /**< `lockout_duration`, seconds */
    CHORUSACCT_OPT_MAIL_RETRY_BASE = 17,  /**< `mail_retry_base`, seconds */
    CHORUSACCT_OPT_MAIL_RETRY_MAX = 18,   /**< `mail_retry_max`, seconds */
    CHORUSACCT_OPT_MAIL_LEASE = 19,       /**< `mail_lease`, seconds */
    /** `pwhash_opslimit`: argon2id operations */
    CHORUSACCT_OPT_PWHASH_OPSLIMIT = 20,
    /** `pwhash_memlimit`: argon2id memory in bytes */
    CHORUSACCT_OPT_PWHASH_MEMLIMIT = 21,
    CHORUSACCT_OPT_ACTIVATION_URL = 22, /**< string */
    CHORUSACCT_OPT_TERMS_VERSION = 23,  /**< string */
    CHORUSACCT_OPT_PORTAL_NAME = 24,    /**< string */
    CHORUSACCT_OPT_PROMOTION_GRACE = 25 /**< `promotion_grace`, seconds */
} chorusacct_option;

/**
 * @brief Fill a configuration with the defaults.
 *
 * Zeroes `struct_size` bytes of `cfg`, then writes the defaults of the
 * members this library knows; members of a newer header stay zero.
 *
 * @param[out] cfg         the configuration
 * @param[in]  struct_size `sizeof(chorusacct_config)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `cfg` is NULL or
 *         `struct_size` is smaller than the first version of the structure.
 * @par Ownership:
 * The caller owns `cfg`; the default strings it points to are static.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_config_init(chorusacct_config *cfg, size_t struct_size);

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
 * @par Ownership:
 * The caller owns the new context and frees it with chorusacct_ctx_free().
 * `cfg`, its strings and its secret are copied: the caller may free them
 * when the call returns.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_new(chorusacct_ctx **out, const chorusacct_config *cfg);

/**
 * @brief Close a context: calls the `destroy` member of each callback
 *        table it holds, and wipes its secrets (NULL: no-op).
 * @param[in] ctx the context, or NULL
 * @par Ownership:
 * Frees the context and everything it copied; pointers it lent
 * (chorusacct_ctx_get_str(), chorusacct_ctx_last_error()) become invalid.
 * Objects the application passed through `user_data` are released only by
 * their table's `destroy`.
 * @par Threads:
 * No other thread may be using the context.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_ctx_free(chorusacct_ctx *ctx);

/**
 * @brief Change an integer setting.
 * @param[in] ctx   the context
 * @param[in] opt   a ::chorusacct_option that is not a string
 * @param[in] value the new value: times 1 s to 10 years, counts 1 to
 *                  1,000,000 (captcha length 4 to 12), argon2 limits
 *                  from libsodium's minimum to the caps below, flags
 *                  among the defined ones; chorusacct_option_range()
 *                  gives the range of each. Negative values are never
 *                  accepted.
 *
 * The argon2id limits are capped so that no setting makes every login
 * hang: the operations at libsodium's `crypto_pwhash_OPSLIMIT_SENSITIVE`
 * (4), the memory at `crypto_pwhash_MEMLIMIT_SENSITIVE` (1 GiB) and at a
 * quarter of the machine's physical memory, but never below the default
 * (64 MiB). The same ranges apply to chorusacct_ctx_new().
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (NULL `ctx`, unknown option
 *         or value out of range; nothing changed, and the last error
 *         names the setting and its range).
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_int(chorusacct_ctx *ctx, int opt, int64_t value);

/**
 * @brief The values an integer setting accepts.
 * @param[in]  opt a ::chorusacct_option that is not a string
 * @param[out] min the smallest accepted value
 * @param[out] max the largest accepted value (for
 *                 ::CHORUSACCT_OPT_PWHASH_MEMLIMIT, it depends on the
 *                 machine's memory; see chorusacct_ctx_set_int())
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG for an unknown or string
 *         option, or a NULL pointer.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_option_range(int opt, int64_t *min, int64_t *max);

/**
 * @brief Read an integer setting.
 * @param[in]  ctx the context
 * @param[in]  opt a ::chorusacct_option that is not a string
 * @param[out] out receives the value
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (a NULL pointer, an unknown
 *         option or a string option).
 * @par Ownership:
 * The caller owns `out`.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_get_int(const chorusacct_ctx *ctx, int opt, int64_t *out);

/**
 * @brief Change a string setting. Each is UTF-8 text without control
 *        characters; chorusacct_ctx_new() applies the same rules to the
 *        configuration.
 * @param[in] ctx   the context
 * @param[in] opt   ::CHORUSACCT_OPT_ACTIVATION_URL (contains `{token}`
 *                  exactly once, at most 1023 bytes),
 *                  ::CHORUSACCT_OPT_TERMS_VERSION (at most 35 bytes) or
 *                  ::CHORUSACCT_OPT_PORTAL_NAME (at most 200 bytes)
 * @param[in] value NUL-terminated UTF-8 text
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (a NULL pointer, another
 *         option, or a value out of bounds; nothing changed),
 *         ::CHORUSACCT_E_NOMEM.
 * @par Ownership:
 * `value` is copied; the previous copy is freed, which ends the validity
 * of a pointer chorusacct_ctx_get_str() returned for it.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_str(chorusacct_ctx *ctx, int opt, const char *value);

/**
 * @brief Read a string setting.
 * @param[in] ctx the context
 * @param[in] opt a string ::chorusacct_option
 * @return the text, or NULL for a NULL `ctx` or another option.
 * @par Ownership:
 * Borrowed text owned by the context, valid until the setting changes or
 * the context is freed.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_ctx_get_str(const chorusacct_ctx *ctx,
                                                  int opt);

/**
 * @brief Set the secret key from which token-hashing keys are derived.
 *
 * Tokens and captchas issued under another key stop matching. A context
 * given a secret (here or in ::chorusacct_config) never reads nor writes
 * the one a storage may keep (setting `secret`): this is how an
 * application keeps the key outside the database (docs/deployment.md,
 * "Files and secrets"). Wipe your copy once it is given.
 *
 * @param[in] ctx the context
 * @param[in] key ::CHORUSACCT_SECRET_SIZE bytes
 * @param[in] len ::CHORUSACCT_SECRET_SIZE
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (a NULL pointer or another
 *         length; the context's last error gives the length).
 * @par Ownership:
 * The key is copied, and wiped when the context is freed.
 * @par Threads:
 * One thread per context.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_secret(chorusacct_ctx *ctx, const uint8_t *key, size_t len);

/**
 * @brief Set the storage.
 *
 * The previous table's `destroy` is called. Without a secret of its own
 * (::chorusacct_config `secret`), the context reads the key kept in the
 * new storage on its next use.
 *
 * @param[in] ctx the context
 * @param[in] ops the table (chorusacct_storage_ops_init(),
 *                chorusacct_memstore_ops(), chorusacct_sqlite_ops()...)
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG if a pointer is NULL, a
 *         required member is NULL or `struct_size` is below the table's
 *         first version (the context then keeps its previous storage,
 *         and its last error says which: the NULL table, its
 *         `struct_size`, or the name of the missing member).
 * @par Ownership:
 * The table is copied (members past its `struct_size` are ignored). On
 * success the context owns `user_data` in the sense that it calls the
 * table's `destroy` when the storage is replaced or the context freed; on
 * failure the caller keeps it.
 * @par Threads:
 * One thread per context; the table's callbacks run on the thread that
 * calls a flow function.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_storage(chorusacct_ctx *ctx,
                           const chorusacct_storage_ops *ops);

/**
 * @brief Set the mailer that chorusacct_outbox_deliver() hands messages
 *        to. The previous table's `destroy` is called.
 * @param[in] ctx the context
 * @param[in] ops the table; `send` is required
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG if a pointer is NULL, `send`
 *         is NULL or `struct_size` is below the table's first version
 *         (the context's last error says which).
 * @par Ownership:
 * As chorusacct_ctx_set_storage(): the table is copied, and its `destroy`
 * is called when the mailer is replaced or the context freed.
 * @par Threads:
 * One thread per context; `send` runs on the thread that calls
 * chorusacct_outbox_deliver().
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_mailer(chorusacct_ctx *ctx,
                          const chorusacct_mailer_ops *ops);

/**
 * @brief Set the clock the context reads the time from. The previous
 *        table's `destroy` is called.
 * @param[in] ctx the context
 * @param[in] ops the table (`now` required), or NULL for the system clock
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG for a NULL `ctx`, a NULL
 *         `now` or a `struct_size` below the table's first version (the
 *         context's last error says which).
 * @par Ownership:
 * As chorusacct_ctx_set_storage(): the table is copied, and its `destroy`
 * is called when the clock is replaced or the context freed.
 * @par Threads:
 * One thread per context; `now` runs on the calling thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_clock(chorusacct_ctx *ctx, const chorusacct_clock_ops *ops);

/**
 * @brief Set the random source of tokens, captchas and secrets. The
 *        previous table's `destroy` is called.
 * @param[in] ctx the context
 * @param[in] ops the table (`fill` required), or NULL for libsodium's
 *                generator
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG for a NULL `ctx`, a NULL
 *         `fill` or a `struct_size` below the table's first version (the
 *         context's last error says which).
 * @par Ownership:
 * As chorusacct_ctx_set_storage(): the table is copied, and its `destroy`
 * is called when the source is replaced or the context freed.
 * @par Threads:
 * One thread per context; `fill` runs on the calling thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_random(chorusacct_ctx *ctx,
                          const chorusacct_random_ops *ops);

/**
 * @brief Use the application's captcha verifier instead of the built-in
 *        challenges; NULL restores the built-in ones. The previous
 *        table's `destroy` is called.
 * @param[in] ctx the context
 * @param[in] ops the table (`verify` required), or NULL
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (NULL `ctx`, NULL `verify` or
 *         a `struct_size` below the table's first version; the context's
 *         last error says which).
 * @par Ownership:
 * As chorusacct_ctx_set_storage(): the table is copied, and its `destroy`
 * is called when the verifier is replaced or the context freed.
 * @par Threads:
 * One thread per context; `verify` runs on the thread that signs up.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_captcha(chorusacct_ctx *ctx,
                           const chorusacct_captcha_ops *ops);

/**
 * @brief Detail of the last error on this context: which operation,
 *        record or setting failed, in the context's language.
 * @param[in] ctx the context (NULL gives "")
 * @return the text; "" when the last call succeeded. Never NULL.
 * @par Ownership:
 * Borrowed text owned by the context, valid until the next call on it.
 * @par Threads:
 * One thread per context (the detail is per context, not per thread).
 * @since 0.1
 */
CHORUSACCT_API const char *chorusacct_ctx_last_error(const chorusacct_ctx *ctx);

/**
 * @brief The context's current time, through its clock.
 * @param[in] ctx the context
 * @return Unix seconds, held within 0 to 253402300799 (the flow
 *         calls refuse a clock outside it), or 0 for a NULL `ctx`.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread per context; the clock's `now` runs on the calling thread.
 * @since 0.1
 */
CHORUSACCT_API int64_t chorusacct_ctx_now(const chorusacct_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Log and metrics                                                      */

/**
 * @brief What a ::chorusacct_log_event reports.
 * @since 0.1
 */
typedef enum chorusacct_log_kind {
    /** A flow step returned: `what` is its name without the prefix
     *  (`"signup_submit"`, `"login"`, `"account_approve"`,
     *  `"outbox_deliver"`, `"sweep"`...), `status` its return, `reason`
     *  a refusal's reason (0 when it has several, as a form's field
     *  errors), `duration_ns` how long it took. Reads (getters, lists)
     *  are not reported. */
    CHORUSACCT_LOG_CALL = 1,
    /** A storage operation returned: `what` is the member of
     *  ::chorusacct_storage_ops (`"account_insert"`, `"commit"`). */
    CHORUSACCT_LOG_STORAGE = 2,
    /** The mailer's `send` returned: `status` is its
     *  ::chorusacct_mail_result. */
    CHORUSACCT_LOG_MAILER = 3,
    /** A throttle refused an attempt: `what` is the action (`"login"`,
     *  `"signup"`, `"resend"`, `"token"`, `"captcha"`, `"answer"`). */
    CHORUSACCT_LOG_THROTTLE = 4,
    /** Failed logins locked a client out of an address: `account_id`
     *  is 0 (the lock is the address's, whether it has an account or
     *  not, which the log must not tell either). */
    CHORUSACCT_LOG_LOCKOUT = 5
} chorusacct_log_kind;

/**
 * @brief One event of the log table (versioned: read only the members
 *        that `struct_size` covers). Valid during the callback only.
 * @since 0.1
 */
typedef struct chorusacct_log_event {
    uint32_t struct_size; /**< sizeof(chorusacct_log_event) */
    int32_t kind;         /**< ::chorusacct_log_kind */
    const char *what;     /**< static text, never NULL (see the kinds) */
    int32_t status;       /**< a status code, or a mail result (MAILER) */
    int32_t reason;       /**< a refusal's reason code, else 0 */
    int64_t account_id;   /**< the account concerned, or 0 */
    /** Time taken (CALL, STORAGE, MAILER) on a monotonic clock, not the
     *  context's clock; 0 for the other kinds. */
    int64_t duration_ns;
} chorusacct_log_event;

/**
 * @brief Where a context reports what happens, for an application's
 *        logging and monitoring (versioned table with `user_data`).
 *
 * The events carry no personal data and no secret: no address, name or
 * token, only names of calls and operations, codes, ids and durations.
 * @since 0.1
 */
typedef struct chorusacct_log_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_log_ops) */
    void *user_data;      /**< passed to every callback */
    /** Required: one event. Runs on the thread of the flow call, inside
     *  it (a storage transaction may be open): return quickly, and call
     *  no function of the same context. */
    void (*event)(void *ud, const chorusacct_log_event *e);
    /** Optional: called when the context that holds the table is freed
     *  or the table replaced. */
    void (*destroy)(void *ud);
} chorusacct_log_ops;

/**
 * @brief Zero a log table and set its `struct_size`.
 * @param[out] ops         the table
 * @param[in]  struct_size `sizeof(chorusacct_log_ops)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `ops` is NULL or
 *         `struct_size` is below the table's first version.
 * @par Ownership:
 * The caller owns `ops`.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_log_ops_init(chorusacct_log_ops *ops, size_t struct_size);

/**
 * @brief Set the table that receives the context's log events, or remove
 *        it (NULL). The previous table's `destroy` is called.
 *
 * With a table set, every flow call reports its outcome and duration,
 * every storage operation and every mailer `send` its duration and
 * result, and throttles and lockouts when they refuse. Without one, the
 * library reports nothing and times nothing.
 * @param[in] ctx the context
 * @param[in] ops the table (`event` is required), or NULL for none
 * @return ::CHORUSACCT_OK; ::CHORUSACCT_E_ARG if `ctx` is NULL, `event`
 *         is NULL or `struct_size` is below the table's first version.
 * @par Ownership:
 * As chorusacct_ctx_set_storage(): the table is copied, and its `destroy`
 * is called when it is replaced or the context freed.
 * @par Threads:
 * One thread per context; `event` runs on the thread that calls a flow
 * function.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_ctx_set_log(chorusacct_ctx *ctx, const chorusacct_log_ops *ops);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_CONTEXT_H */
