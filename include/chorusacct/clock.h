/**
 * @file chorusacct/clock.h
 * @brief The clock callback, and a settable clock for tests.
 *
 * The library reads the time only through a clock table, so that tests and
 * users' test harnesses control it. The default is the system clock.
 * Times are Unix times in seconds (UTC).
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
 * Set `struct_size` to `sizeof(chorusacct_clock_ops)` (chorusacct_clock_ops_init()
 * does it); new members are only ever appended, and the library ignores
 * members past `struct_size`.
 * @since 0.1
 */
typedef struct chorusacct_clock_ops {
    uint32_t struct_size; /**< sizeof(chorusacct_clock_ops) */
    void *user_data;      /**< passed to every callback */
    /** Current Unix time in seconds. Called on the calling thread. */
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
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_clock_ops_init(
    chorusacct_clock_ops *ops, size_t struct_size);

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
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_testclock_new(
    chorusacct_testclock **out, int64_t start);

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
CHORUSACCT_API int64_t chorusacct_testclock_now(
    const chorusacct_testclock *clock);

/**
 * @brief Fill a clock table that reads this clock.
 * @param[in]  clock the clock
 * @param[out] ops   the table to fill (its `struct_size` set by
 *                   `chorusacct_clock_ops_init()`: filled that far)
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG if a pointer is NULL.
 * @par Ownership:
 * The table's `destroy` is NULL: the clock stays owned by the caller, who
 * frees it after the contexts that use the table.
 * @par Threads:
 * Safe from any thread.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_testclock_ops(
    chorusacct_clock_ops *ops, chorusacct_testclock *clock);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_CLOCK_H */
