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
 * @par Threads: pure.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_clock_ops_init(
    chorusacct_clock_ops *ops, size_t struct_size);

/** @brief A settable clock, for tests (opaque). */
typedef struct chorusacct_testclock chorusacct_testclock;

/**
 * @brief Create a settable clock that reads `start` until it is moved.
 * @param[out] out   receives the clock; free it with
 *                   chorusacct_testclock_free() after every context that
 *                   uses it
 * @param[in]  start Unix time in seconds
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_NOMEM, ::CHORUSACCT_E_ARG.
 * @par Threads: the clock may be read and moved from several threads.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_testclock_new(
    chorusacct_testclock **out, int64_t start);

/** @brief Free a settable clock (NULL: no-op). @since 0.1 */
CHORUSACCT_API void chorusacct_testclock_free(chorusacct_testclock *clock);

/** @brief Set the time. @par Threads: safe. @since 0.1 */
CHORUSACCT_API void chorusacct_testclock_set(chorusacct_testclock *clock,
                                             int64_t now);

/** @brief Move the time by `seconds` (may be negative). @since 0.1 */
CHORUSACCT_API void chorusacct_testclock_advance(chorusacct_testclock *clock,
                                                 int64_t seconds);

/** @brief Read the time. @par Threads: safe. @since 0.1 */
CHORUSACCT_API int64_t chorusacct_testclock_now(
    const chorusacct_testclock *clock);

/**
 * @brief Fill a clock table that reads this clock (its `destroy` is NULL:
 *        the clock stays owned by the caller).
 * @param[in]  clock the clock
 * @param[out] ops   the table to fill
 * @return ::CHORUSACCT_OK, ::CHORUSACCT_E_ARG.
 * @since 0.1
 */
CHORUSACCT_API CHORUSACCT_NODISCARD int chorusacct_testclock_ops(
    chorusacct_testclock *clock, chorusacct_clock_ops *ops);

#ifdef __cplusplus
}
#endif

#endif /* CHORUSACCT_CLOCK_H */
