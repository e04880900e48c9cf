/**
 * @file chorusacct/random.h
 * @brief The random-bytes callback, and a seeded generator for tests.
 *
 * Tokens, captcha codes and identifiers come from a random table. The
 * default is libsodium's `randombytes_buf` (the operating system's
 * generator). A seeded generator makes tests reproducible; never use it in
 * production.
 */
#ifndef CHORUSACCT_RANDOM_H
#define CHORUSACCT_RANDOM_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Random-bytes callback table (grows by appending members only).
 * @since 0.1
 */
typedef struct chorusacct_random_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_random_ops) */
    void *user_data;      /**< passed to every callback */
    /** Fill `buf` with `len` random bytes; must not fail. */
    void (*fill)(void *user_data, uint8_t *buf, size_t len);
    /** Optional: called when the context that holds the table is freed. */
    void (*destroy)(void *user_data);
} chorusacct_random_ops;

/**
 * @brief Zero a random table and set its `struct_size`.
 * @param[out] ops         the table
 * @param[in]  struct_size `sizeof(chorusacct_random_ops)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `ops` is NULL or
 *         `struct_size` is smaller than the first version of the table.
 * @par Ownership:
 * The caller owns the table; `struct_size` bytes of it are zeroed.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_random_ops_init(
    chorusacct_random_ops *ops, size_t struct_size);

/**
 * @brief A seeded, deterministic generator, for tests (opaque).
 * @since 0.1
 */
typedef struct chorusacct_testrandom chorusacct_testrandom;

/**
 * @brief Create a deterministic generator: the same seed gives the same
 *        bytes (ChaCha20 keyed by the seed, through libsodium).
 * @param[out] out  receives the generator
 * @param[in]  seed 32 bytes
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
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_testrandom_new(
    chorusacct_testrandom **out, const uint8_t *seed);

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
 * @param[in]  rnd the generator
 * @param[out] ops the table to fill (its `struct_size` set by
 *                 `chorusacct_random_ops_init()`: filled that far)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: the generator stays owned by the caller,
 * who frees it after the contexts that use the table.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_testrandom_ops(
    chorusacct_random_ops *ops, chorusacct_testrandom *rnd);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_RANDOM_H */
