/*
 * The clock area: the system clock the library uses by default.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int chorusacct_clock_ops_init(chorusacct_clock_ops *ops, size_t struct_size)
{
    return chorusacct__struct_init(ops, struct_size, CA_V1_CLOCK_OPS);
}

static int64_t system_now(void *user_data)
{
    struct timespec ts;
    (void)user_data;
    /* CLOCK_REALTIME cannot fail with a valid pointer; 0 would only be
     * seen on a system without it. */
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec;
}

void chorusacct__clock_default(chorusacct_clock_ops *ops)
{
    memset(ops, 0, sizeof *ops);
    ops->struct_size = (uint32_t)sizeof *ops;
    ops->now = system_now;
}
