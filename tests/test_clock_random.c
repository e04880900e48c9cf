/*
 * The clock and random areas: table initialisers, the settable clock and
 * the seeded generator.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <chorusacct/testkit.h>

/* ------------------------------------------------------------------ */
/* Table initialisers                                                   */

/* A table from a newer header: ours plus members we do not know. */
typedef struct {
    chorusacct_clock_ops v1;
    void *later[3];
} clock_ops_v2;

static void test_clock_ops_init(void **state)
{
    (void)state;
    chorusacct_clock_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    assert_code(chorusacct_clock_ops_init(&ops, sizeof ops), CHORUSACCT_OK,
                NULL);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.user_data);
    assert_null(ops.now);
    assert_null(ops.destroy);

    assert_code(chorusacct_clock_ops_init(NULL, sizeof ops), CHORUSACCT_E_ARG,
                NULL);
    memset(&ops, 0xA5, sizeof ops);
    assert_code(chorusacct_clock_ops_init(&ops, sizeof ops - 1),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_clock_ops_init(&ops, 0), CHORUSACCT_E_ARG, NULL);
    /* Refused calls leave the table alone. */
    assert_int_equal(ops.struct_size, 0xA5A5A5A5u);

    clock_ops_v2 big;
    memset(&big, 0xA5, sizeof big);
    assert_code(chorusacct_clock_ops_init(&big.v1, sizeof big), CHORUSACCT_OK,
                NULL);
    assert_int_equal(big.v1.struct_size, sizeof big);
    assert_null(big.v1.now);
    for (size_t i = 0; i < ARRAY_LEN(big.later); i++)
        assert_null(big.later[i]);
}

static void test_random_ops_init(void **state)
{
    (void)state;
    chorusacct_random_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    assert_code(chorusacct_random_ops_init(&ops, sizeof ops), CHORUSACCT_OK,
                NULL);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.user_data);
    assert_null(ops.fill);
    assert_null(ops.destroy);
    assert_code(chorusacct_random_ops_init(NULL, sizeof ops), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_random_ops_init(&ops, sizeof ops - 1),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_random_ops_init(&ops, (size_t)UINT32_MAX + 1),
                CHORUSACCT_E_ARG, NULL);
}

/* ------------------------------------------------------------------ */
/* Settable clock                                                       */

static void test_testclock_stands_still_moves_and_saturates(void **state)
{
    (void)state;
    chorusacct_testclock *c = NULL;
    assert_code(chorusacct_testclock_new(NULL, 0), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_testclock_new(&c, 1700000000), CHORUSACCT_OK, NULL);
    assert_non_null(c);
    assert_int_equal(chorusacct_testclock_now(c), 1700000000);
    /* It stands still until moved. */
    assert_int_equal(chorusacct_testclock_now(c), 1700000000);

    chorusacct_testclock_advance(c, 3600);
    assert_int_equal(chorusacct_testclock_now(c), 1700003600);
    chorusacct_testclock_advance(c, -7200);
    assert_int_equal(chorusacct_testclock_now(c), 1699996400);
    chorusacct_testclock_advance(c, 0);
    assert_int_equal(chorusacct_testclock_now(c), 1699996400);
    chorusacct_testclock_set(c, 42);
    assert_int_equal(chorusacct_testclock_now(c), 42);
    chorusacct_testclock_set(c, -5);
    assert_int_equal(chorusacct_testclock_now(c), -5);

    /* The ends of the range saturate instead of wrapping around. */
    chorusacct_testclock_set(c, INT64_MAX - 10);
    chorusacct_testclock_advance(c, 100);
    assert_true(chorusacct_testclock_now(c) == INT64_MAX);
    chorusacct_testclock_advance(c, -1);
    assert_true(chorusacct_testclock_now(c) == INT64_MAX - 1);
    chorusacct_testclock_set(c, INT64_MIN + 10);
    chorusacct_testclock_advance(c, -100);
    assert_true(chorusacct_testclock_now(c) == INT64_MIN);
    chorusacct_testclock_advance(c, INT64_MAX);
    assert_int_equal(chorusacct_testclock_now(c), -1);

    /* NULL is harmless everywhere. */
    chorusacct_testclock_set(NULL, 1);
    chorusacct_testclock_advance(NULL, 1);
    assert_int_equal(chorusacct_testclock_now(NULL), 0);
    chorusacct_testclock_free(NULL);
    chorusacct_testclock_free(c);
}

static void test_testclock_ops(void **state)
{
    (void)state;
    chorusacct_testclock *c = NULL;
    assert_code(chorusacct_testclock_new(&c, 1000), CHORUSACCT_OK, NULL);
    chorusacct_clock_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    assert_code(chorusacct_testclock_ops(&ops, c), CHORUSACCT_OK, NULL);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_ptr_equal(ops.user_data, c);
    assert_non_null(ops.now);
    assert_null(ops.destroy); /* the clock stays the caller's */
    assert_int_equal(ops.now(ops.user_data), 1000);
    /* The table reads the clock, not a copy of its time. */
    chorusacct_testclock_advance(c, 25);
    assert_int_equal(ops.now(ops.user_data), 1025);

    assert_code(chorusacct_testclock_ops(&ops, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_testclock_ops(NULL, c), CHORUSACCT_E_ARG, NULL);
    chorusacct_testclock_free(c);
}

enum { CLOCK_THREADS = 4, CLOCK_STEPS = 10000 };

static void *advance_many(void *arg)
{
    for (int i = 0; i < CLOCK_STEPS; i++)
        chorusacct_testclock_advance(arg, 1);
    return NULL;
}

/* Concurrent moves are not lost (and ThreadSanitizer or Helgrind would
 * flag a racy read). */
static void test_testclock_threads(void **state)
{
    (void)state;
    chorusacct_testclock *c = NULL;
    assert_code(chorusacct_testclock_new(&c, 0), CHORUSACCT_OK, NULL);
    pthread_t t[CLOCK_THREADS];
    for (int i = 0; i < CLOCK_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, advance_many, c), 0);
    for (int i = 0; i < CLOCK_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(chorusacct_testclock_now(c), CLOCK_THREADS * CLOCK_STEPS);
    chorusacct_testclock_free(c);
}

/* ------------------------------------------------------------------ */
/* Seeded generator                                                     */

static const uint8_t seed_a[32] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t seed_b[32] = {1, 2, 3, 4, 5, 6, 7, 9};

static chorusacct_testrandom *new_rnd(const uint8_t *seed,
                                      chorusacct_random_ops *ops)
{
    chorusacct_testrandom *r = NULL;
    assert_code(chorusacct_testrandom_new(&r, seed), CHORUSACCT_OK, NULL);
    assert_non_null(r);
    ops->struct_size = (uint32_t)sizeof *ops;
    assert_code(chorusacct_testrandom_ops(ops, r), CHORUSACCT_OK, NULL);
    return r;
}

static void test_testrandom_args(void **state)
{
    (void)state;
    chorusacct_testrandom *r = (chorusacct_testrandom *)&r;
    assert_code(chorusacct_testrandom_new(NULL, seed_a), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_testrandom_new(&r, NULL), CHORUSACCT_E_ARG, NULL);
    assert_null(r);

    chorusacct_random_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    r = new_rnd(seed_a, &ops);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_ptr_equal(ops.user_data, r);
    assert_non_null(ops.fill);
    assert_null(ops.destroy);
    assert_code(chorusacct_testrandom_ops(&ops, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_testrandom_ops(NULL, r), CHORUSACCT_E_ARG, NULL);
    /* An empty draw touches nothing. */
    ops.fill(ops.user_data, NULL, 0);
    chorusacct_testrandom_free(r);
    chorusacct_testrandom_free(NULL);
}

/* The first bytes of the ChaCha20 keystream for the all-zero key, nonce
 * and counter (RFC 7539, appendix A.1, test vector 1; with all zeros the
 * original and the IETF variants agree): the documented algorithm is
 * pinned, so that a change of generator does not go unnoticed. */
static const uint8_t zero_key_stream[16] = {
    0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
    0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28,
};

static void test_testrandom_known(void **state)
{
    (void)state;
    static const uint8_t zero_seed[32];
    chorusacct_random_ops ops = {.struct_size = sizeof ops};
    chorusacct_testrandom *r = new_rnd(zero_seed, &ops);
    uint8_t out[16];
    ops.fill(ops.user_data, out, sizeof out);
    assert_memory_equal(out, zero_key_stream, sizeof out);
    chorusacct_testrandom_free(r);
}

static void test_testrandom_reproducible(void **state)
{
    (void)state;
    chorusacct_random_ops o1 = {.struct_size = sizeof o1},
                          o2 = {.struct_size = sizeof o2},
                          o3 = {.struct_size = sizeof o3};
    chorusacct_testrandom *r1 = new_rnd(seed_a, &o1);
    chorusacct_testrandom *r2 = new_rnd(seed_a, &o2);
    chorusacct_testrandom *r3 = new_rnd(seed_b, &o3);

    uint8_t a[200], b[200], c[200];
    o1.fill(o1.user_data, a, sizeof a);
    o2.fill(o2.user_data, b, sizeof b);
    o3.fill(o3.user_data, c, sizeof c);
    /* Same seed, same bytes; one bit of seed apart, other bytes. */
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);

    /* Successive draws continue the stream rather than repeat it. */
    uint8_t a2[200];
    o1.fill(o1.user_data, a2, sizeof a2);
    assert_memory_not_equal(a, a2, sizeof a);

    /* The sequence does not depend on how it is cut into draws: 400 bytes
     * in pieces of 1, 7, 63, 64, 65 and the rest give the same bytes. */
    chorusacct_random_ops o4 = {.struct_size = sizeof o4};
    chorusacct_testrandom *r4 = new_rnd(seed_a, &o4);
    uint8_t pieces[400];
    static const size_t cuts[] = {1, 7, 63, 64, 65, 0, 200};
    size_t at = 0;
    for (size_t i = 0; i < ARRAY_LEN(cuts); i++) {
        o4.fill(o4.user_data, pieces + at, cuts[i]);
        at += cuts[i];
    }
    assert_int_equal(at, sizeof pieces);
    assert_memory_equal(pieces, a, sizeof a);
    assert_memory_equal(pieces + 200, a2, sizeof a2);

    chorusacct_testrandom_free(r1);
    chorusacct_testrandom_free(r2);
    chorusacct_testrandom_free(r3);
    chorusacct_testrandom_free(r4);
}

/* A byte-value histogram over 64 KiB: every value turns up, which a
 * generator stuck on zeros or on a short cycle would not do. */
static void test_testrandom_spread(void **state)
{
    (void)state;
    chorusacct_random_ops ops = {.struct_size = sizeof ops};
    chorusacct_testrandom *r = new_rnd(seed_b, &ops);
    static uint8_t buf[65536];
    size_t seen[256] = {0};
    ops.fill(ops.user_data, buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        seen[buf[i]]++;
    for (size_t v = 0; v < 256; v++)
        assert_true(seen[v] > 0);
    chorusacct_testrandom_free(r);
}

enum { RND_THREADS = 4, RND_DRAWS = 500, RND_LEN = 32 };

typedef struct {
    chorusacct_random_ops *ops;
    uint8_t out[RND_DRAWS][RND_LEN];
} rnd_job;

static void *draw_many(void *arg)
{
    rnd_job *j = arg;
    for (int i = 0; i < RND_DRAWS; i++)
        j->ops->fill(j->ops->user_data, j->out[i], RND_LEN);
    return NULL;
}

static int cmp_draw(const void *a, const void *b)
{
    return memcmp(a, b, RND_LEN);
}

/* Draws from several threads split one stream between them: together
 * they hold exactly the draws a single thread would have made. */
static void test_testrandom_threads(void **state)
{
    (void)state;
    chorusacct_random_ops ops = {.struct_size = sizeof ops},
                          ref = {.struct_size = sizeof ref};
    chorusacct_testrandom *r = new_rnd(seed_a, &ops);
    chorusacct_testrandom *rr = new_rnd(seed_a, &ref);
    static rnd_job jobs[RND_THREADS];
    pthread_t t[RND_THREADS];
    for (int i = 0; i < RND_THREADS; i++) {
        jobs[i].ops = &ops;
        assert_int_equal(pthread_create(&t[i], NULL, draw_many, &jobs[i]), 0);
    }
    for (int i = 0; i < RND_THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);

    static uint8_t got[RND_THREADS * RND_DRAWS][RND_LEN];
    static uint8_t want[RND_THREADS * RND_DRAWS][RND_LEN];
    for (int i = 0; i < RND_THREADS; i++)
        memcpy(got[i * RND_DRAWS], jobs[i].out, sizeof jobs[i].out);
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        ref.fill(ref.user_data, want[i], RND_LEN);
    qsort(got, ARRAY_LEN(got), RND_LEN, cmp_draw);
    qsort(want, ARRAY_LEN(want), RND_LEN, cmp_draw);
    assert_memory_equal(got, want, sizeof got);

    chorusacct_testrandom_free(r);
    chorusacct_testrandom_free(rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_ops_init),
        cmocka_unit_test(test_random_ops_init),
        cmocka_unit_test(test_testclock_stands_still_moves_and_saturates),
        cmocka_unit_test(test_testclock_ops),
        cmocka_unit_test(test_testclock_threads),
        cmocka_unit_test(test_testrandom_args),
        cmocka_unit_test(test_testrandom_known),
        cmocka_unit_test(test_testrandom_reproducible),
        cmocka_unit_test(test_testrandom_spread),
        cmocka_unit_test(test_testrandom_threads),
    };
    return cmocka_run_group_tests_name("clock_random", tests, NULL, NULL);
}
