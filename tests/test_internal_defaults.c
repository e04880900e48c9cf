/*
 * The default clock and random tables, which the context installs when
 * the application sets none. They are internal (lib/core/internal.h), so this
 * test links the static library and includes the private header, as
 * tests/test_internal_templates.c does.
 */
#include "testutil.h"

#include "internal.h"

#include <string.h>
#include <time.h>

static int64_t wall(void)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_REALTIME, &ts), 0);
    return (int64_t)ts.tv_sec;
}

static void test_default_clock(void **state)
{
    (void)state;
    chorusacct_clock_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    chorusacct__clock_default(&ops);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.user_data);
    assert_non_null(ops.now);
    assert_null(ops.destroy);
    /* Seconds since 1970, not milliseconds or a monotonic count. */
    int64_t before = wall();
    int64_t now = ops.now(ops.user_data);
    int64_t after = wall();
    assert_true(before <= now && now <= after);
    assert_true(now > 1600000000 && now < 100000000000);
}

static void test_default_random(void **state)
{
    (void)state;
    assert_code(chorusacct_init(), CHORUSACCT_OK, NULL);
    chorusacct_random_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    chorusacct__random_default(&ops);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.user_data);
    assert_non_null(ops.fill);
    assert_null(ops.destroy);

    uint8_t a[1024], b[1024];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    ops.fill(ops.user_data, a, sizeof a);
    ops.fill(ops.user_data, b, sizeof b);
    /* Every 16-byte stretch was written (all zeros: odds of 2^-128)... */
    static const uint8_t zero[16];
    for (size_t i = 0; i < sizeof a; i += 16) {
        assert_memory_not_equal(a + i, zero, 16);
        assert_memory_not_equal(b + i, zero, 16);
    }
    /* ...and two draws differ. */
    assert_memory_not_equal(a, b, sizeof a);
    /* An empty draw is allowed. */
    ops.fill(ops.user_data, a, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_clock),
        cmocka_unit_test(test_default_random),
    };
    return cmocka_run_group_tests_name("internal_defaults", tests, NULL, NULL);
}
