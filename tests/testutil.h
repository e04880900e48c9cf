/* Shared by the cmocka tests; they use the public API only. */
#ifndef CHORUSACCT_TESTUTIL_H
#define CHORUSACCT_TESTUTIL_H

#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <chorusacct.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The validators' common signature. */
typedef int (*check_fn)(const char *in, size_t len, uint32_t flags,
                        char *buf, size_t cap, size_t *len_out,
                        int *reason);

#endif
