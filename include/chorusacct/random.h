/**
 * @file chorusacct/random.h
 * @brief The random-bytes callback (a seeded generator for tests is in
 *        chorusacct/testkit.h).
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
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_random_ops_init(chorusacct_random_ops *ops, size_t struct_size);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_RANDOM_H */
