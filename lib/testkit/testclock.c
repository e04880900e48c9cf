/*
 * The settable clock that tests (ours and our users') put in the place
 * of the system clock.
 */
#include "internal.h"

#include <chorusacct/testkit.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Settable clock                                                       */

struct chorusacct_testclock {
    /* Lock-free where int64 atomics are (every 64-bit target): readers in
     * other threads never wait for a test that moves the time. */
    _Atomic int64_t now;
};

int chorusacct_testclock_new(chorusacct_testclock **out, int64_t start)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    *out = NULL;
    chorusacct_testclock *c = malloc(sizeof *c);
    if (c == NULL)
        return CHORUSACCT_E_NOMEM;
    atomic_init(&c->now, start);
    *out = c;
    return CHORUSACCT_OK;
}

void chorusacct_testclock_free(chorusacct_testclock *clock)
{
    free(clock);
}

void chorusacct_testclock_set(chorusacct_testclock *clock, int64_t now)
{
    if (clock != NULL)
        atomic_store(&clock->now, now);
}

void chorusacct_testclock_advance(chorusacct_testclock *clock, int64_t seconds)
{
    if (clock == NULL)
        return;
    int64_t cur = atomic_load(&clock->now);
    int64_t next;
    do {
        /* Saturate rather than wrap: a test that jumps "far into the
         * future" must not land before 1970. */
        if (seconds > 0 && cur > INT64_MAX - seconds)
            next = INT64_MAX;
        else if (seconds < 0 && cur < INT64_MIN - seconds)
            next = INT64_MIN;
        else
            next = cur + seconds;
    } while (!atomic_compare_exchange_weak(&clock->now, &cur, next));
}

int64_t chorusacct_testclock_now(const chorusacct_testclock *clock)
{
    if (clock == NULL)
        return 0;
    /* C11's atomic_load takes a non-const pointer; the clock itself was
     * allocated writable, so dropping const here is sound. */
    return atomic_load(&((chorusacct_testclock *)clock)->now);
}

static int64_t testclock_now_cb(void *user_data)
{
    return chorusacct_testclock_now(user_data);
}

int chorusacct_testclock_ops(chorusacct_clock_ops *out,
                             chorusacct_testclock *clock)
{
    if (clock == NULL)
        return CHORUSACCT_E_ARG;
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_CLOCK_OPS);
    if (n == 0)
        return CHORUSACCT_E_ARG;
    chorusacct_clock_ops table, *ops = &table;
    memset(ops, 0, sizeof *ops);
    ops->struct_size = (uint32_t)sizeof *ops;
    ops->user_data = clock;
    ops->now = testclock_now_cb;
    chorusacct__out_write(out, ops, n);
    return CHORUSACCT_OK;
}
