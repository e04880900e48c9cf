/**
 * @file chorusacct/clock.h
 * @brief The clock callback (a settable clock for tests is in
 *        chorusacct/testkit.h).
 *
 * The library reads the time only through a clock table, so that tests and
 * users' test harnesses control it. The default is the system clock.
 * Times are Unix times in seconds (UTC), from 0 (1970-01-01T00:00:00Z)
 * to 253402300799 (9999-12-31T23:59:59Z): every flow call reads
 * the clock first and fails with ::CHORUSACCT_E_CLOCK, changing nothing,
 * when the callback answers a time outside that range.
 */
#ifndef CHORUSACCT_CLOCK_H
#define CHORUSACCT_CLOCK_H

#include <chorusacct/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Clock callback table.
 *
 * Set `struct_size` to `sizeof(chorusacct_clock_ops)`
 * (chorusacct_clock_ops_init() does it); new members are only ever appended,
 * and the library ignores members past `struct_size`.
 * @since 0.1
 */
typedef struct chorusacct_clock_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_clock_ops) */
    void *user_data;      /**< passed to every callback */
    /** Current Unix time in seconds, 0 to 253402300799
     *  (9999-12-31T23:59:59Z). Called
     *  on the calling thread. */
    int64_t (*now)(void *user_data);
    /** Optional: called when the context that holds the table is freed. */
    void (*destroy)(void *user_data);
} chorusacct_clock_ops;

/**
 * @brief Zero a clock table and set its `struct_size`.
 * @param[out] ops         the table
 * @param[in]  struct_size `sizeof(chorusacct_clock_ops)`
 * @return ::CHORUSACCT_OK, or ::CHORUSACCT_E_ARG if `ops` is NULL or
 *         `struct_size` is smaller than the first version of the table.
 * @par Ownership:
 * The caller owns the table; `struct_size` bytes of it are zeroed.
 * @par Threads:
 * Pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int
chorusacct_clock_ops_init(chorusacct_clock_ops *ops, size_t struct_size);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_CLOCK_H */
