/**
 * @file chorusacct/testkit.h
 * @brief The test kit: test doubles for the callback tables (a capturing
 *        mailer, a settable clock, a seeded generator, a fault-injecting
 *        storage wrapper), a digest of the in-memory store, and the
 *        storage conformance suite.
 *
 * For tests of the library and of applications built on it, never for
 * production. They come in their own library, `libchorusacct-testkit`
 * (`pkg-config --cflags --libs libchorusacct-testkit`), with a weaker
 * promise than the production API (docs/abi.md, "The test kit"): it is
 * released with libchorusacct and used with the same release, and its
 * functions may change in a minor release, as NEWS says. This header is
 * not included by `<chorusacct.h>`.
 */
#ifndef CHORUSACCT_TESTKIT_H
#define CHORUSACCT_TESTKIT_H

#include <chorusacct.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Sizes of the test kit's byte strings.
 * @since 0.1
 */
typedef enum chorusacct_testkit_sizes {
    CHORUSACCT_SEED_SIZE = 32,  /**< seed of chorusacct_testrandom_new() */
    CHORUSACCT_DIGEST_SIZE = 32 /**< chorusacct_memstore_digest() */
} chorusacct_testkit_sizes;

/* ------------------------------------------------------------------ */
/* Settable clock                                                       */

/**
 * @brief A settable clock, for tests (opaque).
 * @since 0.1
 */
typedef struct chorusacct_testclock chorusacct_testclock;

/**
 * @brief Create a settable clock that reads `start` until it is moved.
 * @param[out] out   receives the clock
 * @param[in]  start Unix time in seconds
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG.
 * @par Ownership:
 * The caller owns the clock and frees it with chorusacct_testclock_free(),
 * after every context whose clock table reads it.
 * @par Threads:
 * The clock may be read and moved from several threads at once.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testclock_new(chorusacct_testclock **out, int64_t start);

/**
 * @brief Free a settable clock.
 * @param[in] clock the clock, or NULL (no-op)
 * @par Ownership:
 * Frees the clock; tables filled by chorusacct_testclock_ops() must no
 * longer be used.
 * @par Threads:
 * No other thread may be using the clock.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_testclock_free(chorusacct_testclock *clock);

/**
 * @brief Set the time.
 * @param[in] clock the clock (NULL: no-op)
 * @param[in] now   Unix time in seconds
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Safe from any thread (an atomic store).
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_testclock_set(chorusacct_testclock *clock,
                                             int64_t now);

/**
 * @brief Move the time by `seconds`, saturating at the limits of int64_t.
 * @param[in] clock   the clock (NULL: no-op)
 * @param[in] seconds how far to move it (may be negative)
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Safe from any thread (an atomic update).
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_testclock_advance(chorusacct_testclock *clock,
                                                 int64_t seconds);

/**
 * @brief Read the time.
 * @param[in] clock the clock
 * @return Unix time in seconds, or 0 for a NULL `clock`.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Safe from any thread (an atomic load).
 * @since 0.1
 */
CHORUSACCT_API int64_t
chorusacct_testclock_now(const chorusacct_testclock *clock);

/**
 * @brief Fill a clock table that reads this clock.
 * @param[out] ops   the table to fill (its `struct_size` set by
 *                   `chorusacct_clock_ops_init()`: filled that far)
 * @param[in]  clock the clock
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: the clock stays owned by the caller, who
 * frees it after the contexts that use the table.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testclock_ops(chorusacct_clock_ops *ops,
                         chorusacct_testclock *clock);

/* ------------------------------------------------------------------ */
/* Seeded generator                                                     */

/**
 * @brief A seeded, deterministic generator, for tests (opaque).
 * @since 0.1
 */
typedef struct chorusacct_testrandom chorusacct_testrandom;

/**
 * @brief Create a deterministic generator: the same seed gives the same
 *        bytes (ChaCha20 keyed by the seed, through libsodium).
 * @param[out] out  receives the generator
 * @param[in]  seed ::CHORUSACCT_SEED_SIZE bytes
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG,
 *         ::CHORUSACCT_E_INIT.
 * @par Ownership:
 * The caller owns the generator and frees it with
 * chorusacct_testrandom_free(), after every context whose random table
 * draws from it. The seed is copied.
 * @par Threads:
 * The generator may be used from several threads (it locks).
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testrandom_new(chorusacct_testrandom **out, const uint8_t *seed);

/**
 * @brief Free a generator, wiping its key.
 * @param[in] rnd the generator, or NULL (no-op)
 * @par Ownership:
 * Frees the generator; tables filled by chorusacct_testrandom_ops() must
 * no longer be used.
 * @par Threads:
 * No other thread may be using the generator.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_testrandom_free(chorusacct_testrandom *rnd);

/**
 * @brief Fill a random table that draws from this generator.
 * @param[out] ops the table to fill (its `struct_size` set by
 *                 `chorusacct_random_ops_init()`: filled that far)
 * @param[in]  rnd the generator
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: the generator stays owned by the caller,
 * who frees it after the contexts that use the table.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testrandom_ops(chorusacct_random_ops *ops,
                          chorusacct_testrandom *rnd);

/* ------------------------------------------------------------------ */
/* Capturing mailer                                                     */

/**
 * @brief A mailer that keeps every message in memory, for tests (opaque).
 * @since 0.1
 */
typedef struct chorusacct_testmailer chorusacct_testmailer;

/**
 * @brief Create a capturing mailer.
 * @param[out] out receives it
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG.
 * @par Ownership:
 * The caller owns the mailer and frees it with
 * chorusacct_testmailer_free(), after every context whose mailer table
 * captures into it.
 * @par Threads:
 * All its functions may be called from several threads (it locks).
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testmailer_new(chorusacct_testmailer **out);

/**
 * @brief Free a capturing mailer and the messages it holds.
 * @param[in] cm the mailer, or NULL (no-op)
 * @par Ownership:
 * Pointers from chorusacct_testmailer_at() become invalid.
 * @par Threads:
 * No other thread may be using the mailer.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_testmailer_free(chorusacct_testmailer *cm);

/**
 * @brief Fill a mailer table that captures into `cm`.
 * @param[out] ops the table to fill (its `struct_size` set by
 *                 `chorusacct_mailer_ops_init()`: filled that far)
 * @param[in]  cm  the mailer
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: `cm` stays owned by the caller.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testmailer_ops(chorusacct_mailer_ops *ops,
                          chorusacct_testmailer *cm);

/**
 * @brief Number of messages captured.
 * @param[in] cm the mailer
 * @return the count, 0 for a NULL `cm`.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API size_t
chorusacct_testmailer_count(const chorusacct_testmailer *cm);

/**
 * @brief A captured message (copies of every field).
 * @param[in] cm    the mailer
 * @param[in] index 0 to chorusacct_testmailer_count() - 1
 * @return the message, or NULL if `cm` is NULL or `index` is out of
 *         range.
 * @par Ownership:
 * Borrowed pointer owned by the mailer, valid until
 * chorusacct_testmailer_clear() or chorusacct_testmailer_free(), also while
 * other threads capture more.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API const chorusacct_mail *
chorusacct_testmailer_at(const chorusacct_testmailer *cm, size_t index);

/**
 * @brief Forget every captured message.
 * @param[in] cm the mailer (NULL: no-op)
 * @par Ownership:
 * Frees the captured copies: pointers from chorusacct_testmailer_at()
 * become invalid.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_testmailer_clear(chorusacct_testmailer *cm);

/**
 * @brief The last activation link sent to an address.
 * @param[in]  cm      the mailer
 * @param[in]  to      recipient (ASCII case-insensitive), or NULL for any
 * @param[out] buf     receives the link, NUL-terminated (may be NULL when
 *                     `cap` is 0)
 * @param[in]  cap     size of `buf` in bytes
 * @param[out] len_out length of the link (may be NULL)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOTFOUND,
 *         ::CHORUSACCT_E_TOOSMALL, ::CHORUSACCT_E_ARG.
 * @par Ownership:
 * The caller owns `buf`.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testmailer_last_link(const chorusacct_testmailer *cm, const char *to,
                                char *buf, size_t cap, size_t *len_out);

/**
 * @brief Make the next `count` sends answer `result` without capturing, to
 *        test retries and dead letters.
 * @param[in] cm     the mailer
 * @param[in] count  how many sends fail (0: none from now on)
 * @param[in] result ::CHORUSACCT_MAIL_TEMPFAIL or
 *                   ::CHORUSACCT_MAIL_PERMFAIL
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG (NULL `cm` or another
 *         result).
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_testmailer_fail_next(chorusacct_testmailer *cm, uint32_t count,
                                int result);

/* ------------------------------------------------------------------ */
/* In-memory store digest                                               */

/**
 * @brief A digest of everything the store holds except the throttle
 *        counters, so that a test can prove that a failed call left
 *        storage as it was.
 * @param[in]  store the store
 * @param[out] out   receives ::CHORUSACCT_DIGEST_SIZE bytes
 * @param[in]  cap   size of `out`
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG,
 *         ::CHORUSACCT_E_TOOSMALL (`cap` under ::CHORUSACCT_DIGEST_SIZE).
 * @par Ownership:
 * The caller owns `out`.
 * @par Threads:
 * Safe from any thread (it locks the store).
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_memstore_digest(chorusacct_memstore *store, uint8_t *out,
                           size_t cap);

/* ------------------------------------------------------------------ */
/* argon2 computations                                                  */

/**
 * @brief The number of argon2 computations (hashing a password, or
 *        verifying one) a context has made since it was opened, so that a
 *        test can check that two calls fall in the same timing class
 *        (a login for a known address and for an unknown one).
 * @param[in] ctx the context (NULL gives 0)
 * @return the count.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread per context, as the context's calls.
 * @since 0.1
 */
CHORUSACCT_API uint64_t
chorusacct_testkit_pwhash_count(const chorusacct_ctx *ctx);

/* ------------------------------------------------------------------ */
/* Fault injection                                                      */

/**
 * @brief A wrapper that makes one storage operation fail (opaque).
 * @since 0.1
 */
typedef struct chorusacct_faultstore chorusacct_faultstore;

/**
 * @brief Wrap a storage table so that its `fail_at`-th operation (counting
 *        every call from 1, `begin` and `commit` included) fails with
 *        ::CHORUSACCT_E_STORAGE without reaching the inner backend; a
 *        failed `commit` rolls the inner transaction back. 0 never fails.
 * @param[out] out     receives the wrapper
 * @param[in]  inner   the wrapped table
 * @param[in]  fail_at operation number to fail
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG (a
 *         NULL pointer or an incomplete `inner`).
 * @par Ownership:
 * The caller owns the wrapper and frees it with
 * chorusacct_faultstore_free(). `inner` is copied; the inner backend stays
 * owned by the caller (the wrapper never calls its `destroy`).
 * @par Threads:
 * One thread at a time.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_faultstore_new(chorusacct_faultstore **out,
                          const chorusacct_storage_ops *inner,
                          uint64_t fail_at);

/**
 * @brief Free a wrapper.
 * @param[in] fs the wrapper, or NULL (no-op)
 * @par Ownership:
 * The inner backend is left alone; tables filled by
 * chorusacct_faultstore_ops() must no longer be used.
 * @par Threads:
 * No other thread may be using the wrapper.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_faultstore_free(chorusacct_faultstore *fs);

/**
 * @brief Fill a storage table over the wrapper.
 * @param[out] ops the table to fill (its `struct_size` set by
 *                 `chorusacct_storage_ops_init()`: filled that far)
 * @param[in]  fs  the wrapper
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: the wrapper stays owned by the caller.
 * @par Threads:
 * One thread at a time.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_faultstore_ops(chorusacct_storage_ops *ops,
                          chorusacct_faultstore *fs);

/**
 * @brief Operations called so far.
 * @param[in] fs the wrapper
 * @return the count since creation or the last reset, 0 for a NULL `fs`.
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread at a time.
 * @since 0.1
 */
CHORUSACCT_API uint64_t
chorusacct_faultstore_calls(const chorusacct_faultstore *fs);

/**
 * @brief Whether the planned failure has happened.
 * @param[in] fs the wrapper
 * @return 1 or 0 (0 for a NULL `fs`).
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread at a time.
 * @since 0.1
 */
CHORUSACCT_API int chorusacct_faultstore_fired(const chorusacct_faultstore *fs);

/**
 * @brief Restart counting and plan a failure at `fail_at`.
 * @param[in] fs      the wrapper (NULL: no-op)
 * @param[in] fail_at operation number to fail (0: none)
 * @par Ownership:
 * Nothing is allocated.
 * @par Threads:
 * One thread at a time.
 * @since 0.1
 */
CHORUSACCT_API void chorusacct_faultstore_reset(chorusacct_faultstore *fs,
                                                uint64_t fail_at);

/* ------------------------------------------------------------------ */
/* Conformance suite                                                    */

/**
 * @brief Check that a backend meets the storage contract.
 *
 * Runs every operation of the table against the backend, which must be
 * empty, and checks the results: transactions and rollback, uniqueness,
 * compare-and-set of accounts and tokens, leases, ordering and paging,
 * counters surviving a rollback, settings, gc. The backend is left with
 * test records in it.
 *
 * With a second table `ops2` over the same storage (another connection,
 * or the same thread-safe backend), it also races two threads, one on each
 * table, on compare-and-set, token consumption, unique inserts and leases,
 * and checks that exactly one wins each race.
 *
 * @param[in]  ops    the backend's table
 * @param[in]  ops2   a second table on the same storage, or NULL to skip
 *                    the concurrency checks
 * @param[out] report receives, on failure, which check failed, as
 *                    NUL-terminated text (may be NULL)
 * @param[in]  cap    size of `report` in bytes
 * @return ::CHORUSACCT_OK when every check passed; ::CHORUSACCT_E_INTERNAL
 *         when one failed (the first is described in `report`); the
 *         backend's error when an operation failed unexpectedly.
 * @par Ownership:
 * The caller owns `report` and both tables; the suite never calls their
 * `destroy`.
 * @par Threads:
 * Runs on the calling thread, plus two threads of its own when `ops2` is
 * given.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_storage_conformance(const chorusacct_storage_ops *ops,
                               const chorusacct_storage_ops *ops2, char *report,
                               size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_TESTKIT_H */
