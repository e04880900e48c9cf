/*
 * The random area: libsodium's generator by default, and a seeded,
 * reproducible generator for tests.
 */
#include "internal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int chorusacct_random_ops_init(chorusacct_random_ops *ops, size_t struct_size)
{
    return chorusacct__struct_init(ops, struct_size, CA_V1_RANDOM_OPS);
}

static void system_fill(void *user_data, uint8_t *buf, size_t len)
{
    (void)user_data;
    randombytes_buf(buf, len);
}

void chorusacct__random_default(chorusacct_random_ops *ops)
{
    memset(ops, 0, sizeof *ops);
    ops->struct_size = (uint32_t)sizeof *ops;
    ops->fill = system_fill;
}
