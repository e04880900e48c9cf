/**
 * @file chorusacct/storage.h
 * @brief The storage callback table and the built-in in-memory backend
 *        (its test doubles and the conformance suite that checks a
 *        backend are in chorusacct/testkit.h).
 *
 * A backend implements the operations the flow needs on six kinds of
 * records (accounts, structures, tokens, captcha challenges, outbox
 * messages, audit events), plus throttle counters and a small key-value
 * table of settings. The library calls them on the thread that called the
 * flow function. The contract, which chorusacct_storage_conformance()
 * (testkit.h) checks:
 *
 * - **Transactions.** `begin`, then operations, then `commit` or
 *   `rollback`. Either every write between `begin` and `commit` is kept, or
 *   none is: after `rollback`, or after a `commit` that failed, storage is
 *   as it was at `begin`. Transactions do not nest. Reads inside a
 *   transaction see its own writes. Operations called outside a
 *   transaction (reads, and the counters) take effect at once.
 * - **Counters are never rolled back**: `counter_add` may be called inside
 *   or outside a transaction and its effect stays, because attempt counters
 *   are written before the check they guard.
 * - **Uniqueness**: `account_insert` returns ::CHORUSACCT_E_EXISTS when
 *   another account has the same `email_key`; `structure_insert` when
 *   another structure has the same type and non-empty identifier.
 * - **Optimistic concurrency**: `account_update` writes only if the stored
 *   version equals `a->version`, then stores and returns `version + 1`;
 *   otherwise ::CHORUSACCT_E_CONFLICT and nothing is written.
 * - **Single use**: `token_consume` marks a token used only if it was not
 *   used yet (compare-and-set); otherwise ::CHORUSACCT_E_CONFLICT. The
 *   library never passes a `now` of 0 to `token_consume` nor
 *   `token_revoke` (`used_at` 0 means unused): store it as given.
 * - **Leases**: `outbox_claim` hands out pending messages that are due
 *   and not leased, and sets their lease, atomically: two workers never
 *   get the same message while its lease runs.
 * - **Sent stays sent**: `outbox_update` leaves a message marked sent as
 *   it is when asked to give it another status (a late report of a worker
 *   whose lease ran out), and answers ::CHORUSACCT_OK.
 * - **Damaged rows**: a stored message the backend cannot read back into
 *   its record is handed out by `outbox_claim` and `outbox_list` all the
 *   same, never failed: its `id`, the fields that read, the others zero
 *   or empty, `status` ::CHORUSACCT_MSG_DEAD and `last_error` "stored row
 *   does not decode (FIELD)". The library records a claimed one dead and
 *   delivers the others (docs/storage.md, "Damaged rows").
 * - Missing records: ::CHORUSACCT_E_NOTFOUND. A failure with a known
 *   cause: ::CHORUSACCT_E_FULL, ::CHORUSACCT_E_CORRUPT,
 *   ::CHORUSACCT_E_READONLY, ::CHORUSACCT_E_BUSY (locked past the
 *   backend's wait), ::CHORUSACCT_E_IO. Any other failure:
 *   ::CHORUSACCT_E_STORAGE (the library passes it on and rolls back).
 * - **Cost**: no operation the flow calls may cost more as the store
 *   grows. Keyed lookups, inserts and updates are O(1) or O(log n); a
 *   listing by structure, an account's events, a listing in
 *   ::CHORUSACCT_ORDER_EXPIRY and a claim cost what they return (plus,
 *   for a claim, the messages leased to workers); `gc` costs what it
 *   deletes. Only listings the flow never makes (by state alone, every
 *   event, every message) may scan. docs/storage.md, "Cost of each
 *   operation", says which index gives each.
 * - Records passed in and out start with `struct_size`; the library
 *   always passes its own current sizes. Ids are positive and increase.
 * - **Texts as given**: every text field comes back byte for byte. An
 *   outbox message's `subject` and `body` are what the library queued
 *   (an empty subject, and a snapshot of the message's values with
 *   control bytes in the body: docs/outbox.md); the backend keeps them,
 *   and never renders, trims or drops bytes of them.
 *
 * Every member of the table is required, except `destroy`.
 */
#ifndef CHORUSACCT_STORAGE_H
#define CHORUSACCT_STORAGE_H

#include <chorusacct/account.h>
#include <chorusacct/common.h>
#include <chorusacct/mailer.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief An activation token, as stored: only its keyed hash.
 * @since 0.1
 */
typedef struct chorusacct_token {
    uint32_t struct_size; /**< sizeof(chorusacct_token) */
    int32_t purpose;      /**< 1: activation */
    int64_t account_id;   /**< the account it activates */
    int64_t created_at;   /**< Unix seconds */
    int64_t expires_at;   /**< end of validity, Unix seconds */
    int64_t used_at;      /**< 0 while unused (also set on revocation) */
    uint8_t hash[32];     /**< keyed BLAKE2b-256 of the token */
} chorusacct_token;

/**
 * @brief A captcha challenge, as stored: hashes only.
 * @since 0.1
 */
typedef struct chorusacct_captcha {
    uint32_t struct_size;    /**< sizeof(chorusacct_captcha) */
    int32_t reserved0;       /**< zero (answers are counted in a counter) */
    int64_t created_at;      /**< Unix seconds */
    int64_t expires_at;      /**< end of validity, Unix seconds */
    int64_t used_at;         /**< 0 until a sign-up used it */
    uint8_t id_hash[32];     /**< keyed hash of the public id */
    uint8_t answer_hash[32]; /**< keyed hash of id and answer */
} chorusacct_captcha;

/**
 * @brief Storage callback table. `ud` is `user_data`.
 *
 * Every function returns ::CHORUSACCT_OK or an error code as described in
 * the file documentation. Output records are written only on success.
 * @since 0.1
 */
typedef struct chorusacct_storage_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_storage_ops) */
    void *user_data;      /**< passed to every callback */

    /** Start a transaction. */
    int (*begin)(void *ud);
    /** Keep every write since `begin`, or none (then fail). */
    int (*commit)(void *ud);
    /** Undo every write since `begin`. */
    int (*rollback)(void *ud);

    /** Insert; sets `a->id` and `a->version` (1). */
    int (*account_insert)(void *ud, chorusacct_account *a);
    /** By id. */
    int (*account_get)(void *ud, int64_t id, chorusacct_account *out);
    /** By `email_key`. */
    int (*account_find)(void *ud, const char *email_key,
                        chorusacct_account *out);
    /** Compare-and-set on `a->version`; increments it on success. */
    int (*account_update)(void *ud, chorusacct_account *a);
    /** Deletes the account and its tokens. */
    int (*account_delete)(void *ud, int64_t id);
    /** Up to `max` matching accounts in the query's order (increasing
     *  id, or increasing (`expires_at`, id)), after its paging key. */
    int (*account_list)(void *ud, const chorusacct_account_query *q,
                        chorusacct_account *out, size_t max, size_t *count);

    /** Insert; sets `s->id`. */
    int (*structure_insert)(void *ud, chorusacct_structure *s);
    /** By id. */
    int (*structure_get)(void *ud, int64_t id, chorusacct_structure *out);
    /** By type and non-empty identifier. */
    int (*structure_find)(void *ud, int32_t id_type, const char *identifier,
                          chorusacct_structure *out);
    /** Replaces the structure `s->id` (principal manager). */
    int (*structure_update)(void *ud, const chorusacct_structure *s);
    /** Deletes a structure. */
    int (*structure_delete)(void *ud, int64_t id);

    /** Insert a token (its hash is unique). */
    int (*token_insert)(void *ud, const chorusacct_token *t);
    /** By the 32-byte keyed hash. */
    int (*token_get)(void *ud, const uint8_t *hash32, chorusacct_token *out);
    /** Sets `used_at` to `now` if it is 0; else ::CHORUSACCT_E_CONFLICT. */
    int (*token_consume)(void *ud, const uint8_t *hash32, int64_t now);
    /** Sets `used_at` of every unused token of the account and purpose. */
    int (*token_revoke)(void *ud, int64_t account_id, int32_t purpose,
                        int64_t now);

    /** Insert a challenge (its id hash is unique). */
    int (*captcha_insert)(void *ud, const chorusacct_captcha *c);
    /** By the 32-byte keyed hash of its id. */
    int (*captcha_get)(void *ud, const uint8_t *id_hash32,
                       chorusacct_captcha *out);
    /** Updates `used_at` of the challenge `c->id_hash`. */
    int (*captcha_update)(void *ud, const chorusacct_captcha *c);

    /** Insert; sets `m->id`. */
    int (*outbox_insert)(void *ud, chorusacct_message *m);
    /** Pending messages with `next_attempt_at <= now` and
     *  `lease_until <= now`, in increasing (`next_attempt_at`, id): due
     *  longest first; sets their `lease_until`. */
    int (*outbox_claim)(void *ud, int64_t now, int64_t lease_until,
                        chorusacct_message *out, size_t max, size_t *count);
    /** Updates status, attempts, times and last_error of `m->id`. */
    int (*outbox_update)(void *ud, const chorusacct_message *m);
    /** `status` 0: all. Increasing id order, ids above `after_id`. */
    int (*outbox_list)(void *ud, int32_t status, int64_t after_id,
                       chorusacct_message *out, size_t max, size_t *count);

    /** Append; sets `e->id`. */
    int (*event_append)(void *ud, chorusacct_event *e);
    /** `account_id` 0: all. Increasing id order, ids above `after_id`. */
    int (*event_list)(void *ud, int64_t account_id, int64_t after_id,
                      chorusacct_event *out, size_t max, size_t *count);

    /**
     * Adds `delta` (possibly 0) to the counter `key` and returns the new
     * count. A counter keeps one window, the latest it was given: a
     * `window` newer than the stored one starts it again at `delta`; the
     * stored window or an older one (a server whose clock is behind)
     * adds to the stored window. Never rolled back.
     */
    int (*counter_add)(void *ud, const char *key, int64_t window,
                       uint32_t delta, uint32_t *count);

    /** A setting; ::CHORUSACCT_E_NOTFOUND if unset. Binary-safe. */
    int (*meta_get)(void *ud, const char *key, uint8_t *buf, size_t cap,
                    size_t *len);
    /** Set a setting (`len` bytes, binary-safe), replacing any value. */
    int (*meta_set)(void *ud, const char *key, const uint8_t *value,
                    size_t len);

    /** Deletes used or expired tokens and captcha challenges, sent, dead
     *  and cancelled messages, and counters, older than `before`. */
    int (*gc)(void *ud, int64_t before);

    /** Optional: called when the context that holds the table is freed. */
    void (*destroy)(void *ud);
} chorusacct_storage_ops;

/**
 * @brief Zero a storage table and set its `struct_size`.
 * @param[out] ops         the table
 * @param[in]  struct_size `sizeof(chorusacct_storage_ops)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `ops` is NULL or
 *         `struct_size` is smaller than the first version of the table.
 * @par Ownership:
 * The caller owns the table; `struct_size` bytes of it are zeroed.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_storage_ops_init(chorusacct_storage_ops *ops, size_t struct_size);

/* ------------------------------------------------------------------ */
/* In-memory backend                                                    */

/**
 * @brief The built-in in-memory backend (opaque).
 * @since 0.1
 */
typedef struct chorusacct_memstore chorusacct_memstore;

/**
 * @brief Create an empty in-memory store.
 *
 * Transactions are serialized (one at a time, others wait), which makes
 * every flow function atomic and isolated.
 *
 * @param[out] out receives the store
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG,
 *         ::CHORUSACCT_E_INIT.
 * @par Ownership:
 * The caller owns the store and frees it with chorusacct_memstore_free(),
 * after every context whose storage table uses it.
 * @par Threads:
 * Thread-safe: several contexts in several threads may share the store.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_memstore_new(chorusacct_memstore **out);

/**
 * @brief Free a store and every record in it.
 * @param[in] store the store, or NULL (no-op)
 * @par Ownership:
 * Tables filled by chorusacct_memstore_ops() must no longer be used.
 * @par Threads:
 * No other thread may be using the store.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_memstore_free(chorusacct_memstore *store);

/**
 * @brief Fill a storage table over this store.
 * @param[out] ops   the table to fill (its `struct_size` set by
 *                   `chorusacct_storage_ops_init()`: filled that far)
 * @param[in]  store the store
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: the store stays owned by the caller.
 * @par Threads:
 * Safe from any thread; the table may be used from several threads.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_memstore_ops(chorusacct_storage_ops *ops,
                        chorusacct_memstore *store);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_STORAGE_H */
