/*
 * Storage: the conformance suite on the in-memory backend, proof that the
 * suite catches broken backends, the fault-injecting wrapper, the
 * memstore's digest, and the memstore under several threads.
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <chorusacct/testkit.h>

#define T0 INT64_C(1700000000)

static chorusacct_memstore *new_store(chorusacct_storage_ops *ops)
{
    chorusacct_memstore *ms = NULL;
    assert_code(chorusacct_memstore_new(&ms), CHORUSACCT_OK, NULL);
    assert_non_null(ms);
    ops->struct_size = (uint32_t)sizeof *ops;
    assert_code(chorusacct_memstore_ops(ops, ms), CHORUSACCT_OK, NULL);
    return ms;
}

static void digest(chorusacct_memstore *ms, uint8_t *out)
{
    assert_code(chorusacct_memstore_digest(ms, out, CHORUSACCT_DIGEST_SIZE),
                CHORUSACCT_OK, NULL);
}

static void account(chorusacct_account *a, const char *key)
{
    memset(a, 0, sizeof *a);
    a->struct_size = sizeof *a;
    a->state = CHORUSACCT_STATE_CREATED;
    a->role = CHORUSACCT_ROLE_USER;
    a->created_at = T0;
    snprintf(a->login_email, sizeof a->login_email, "%s", key);
    snprintf(a->email_key, sizeof a->email_key, "%s", key);
    snprintf(a->first_name, sizeof a->first_name, "Zoé");
    snprintf(a->last_name, sizeof a->last_name, "Nguyễn");
}

static void token(chorusacct_token *t, uint8_t tag, int64_t account_id)
{
    memset(t, 0, sizeof *t);
    t->struct_size = sizeof *t;
    t->purpose = 1;
    t->account_id = account_id;
    t->created_at = T0;
    t->expires_at = T0 + 3600;
    memset(t->hash, tag, sizeof t->hash);
}

static void captcha(chorusacct_captcha *c, uint8_t tag)
{
    memset(c, 0, sizeof *c);
    c->struct_size = sizeof *c;
    c->created_at = T0;
    c->expires_at = T0 + 600;
    memset(c->id_hash, tag, sizeof c->id_hash);
    memset(c->answer_hash, tag ^ 0xFF, sizeof c->answer_hash);
}

static void message(chorusacct_message *m, int64_t account_id)
{
    memset(m, 0, sizeof *m);
    m->struct_size = sizeof *m;
    m->kind = CHORUSACCT_MAIL_SUMMARY;
    m->account_id = account_id;
    m->status = CHORUSACCT_MSG_PENDING;
    m->created_at = T0;
    m->next_attempt_at = T0;
    snprintf(m->to, sizeof m->to, "a@example.org");
    snprintf(m->subject, sizeof m->subject, "Votre compte");
    snprintf(m->body, sizeof m->body, "Bonjour,\n");
}

static void structure(chorusacct_structure *s, const char *ident)
{
    memset(s, 0, sizeof *s);
    s->struct_size = sizeof *s;
    s->id_type = CHORUSACCT_ID_SIRET;
    s->created_at = T0;
    snprintf(s->identifier, sizeof s->identifier, "%s", ident);
    snprintf(s->company_name, sizeof s->company_name, "Société Générale");
}

/* ------------------------------------------------------------------ */
/* The table                                                            */

static void test_ops_init(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xAB, sizeof ops);
    assert_code(chorusacct_storage_ops_init(&ops, sizeof ops), CHORUSACCT_OK,
                NULL);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.user_data);
    assert_null(ops.begin);
    assert_null(ops.gc);
    assert_null(ops.destroy);
    assert_code(chorusacct_storage_ops_init(NULL, sizeof ops), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_storage_ops_init(&ops, sizeof ops - 1),
                CHORUSACCT_E_ARG, NULL);

    /* An empty table is refused where a complete one is needed. */
    char report[128], dummy;
    /* Not NULL, to see that a refused call clears it. */
    chorusacct_faultstore *fs = (chorusacct_faultstore *)(void *)&dummy;
    assert_code(chorusacct_faultstore_new(&fs, &ops, 0), CHORUSACCT_E_ARG,
                NULL);
    assert_null(fs);
    assert_code(
        chorusacct_storage_conformance(&ops, NULL, report, sizeof report),
        CHORUSACCT_E_ARG, NULL);
    assert_true(strlen(report) > 0);

    /* One missing member is enough. */
    chorusacct_memstore *ms = new_store(&ops);
    chorusacct_storage_ops holed = ops;
    holed.gc = NULL;
    assert_code(
        chorusacct_storage_conformance(&holed, NULL, report, sizeof report),
        CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_faultstore_new(&fs, &holed, 0), CHORUSACCT_E_ARG,
                NULL);
    holed = ops;
    holed.destroy = NULL; /* optional */
    assert_code(chorusacct_faultstore_new(&fs, &holed, 0), CHORUSACCT_OK, NULL);
    chorusacct_faultstore_free(fs);
    chorusacct_memstore_free(ms);
}

static void test_memstore_args(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    uint8_t d[32];
    assert_code(chorusacct_memstore_new(NULL), CHORUSACCT_E_ARG, NULL);
    chorusacct_memstore *ms = new_store(&ops);
    assert_ptr_equal(ops.user_data, ms);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.destroy);
    assert_code(chorusacct_memstore_ops(&ops, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_memstore_ops(NULL, ms), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_memstore_digest(NULL, d, sizeof d), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_memstore_digest(ms, NULL, sizeof d),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_memstore_digest(ms, d, sizeof d - 1),
                CHORUSACCT_E_TOOSMALL, NULL);
    chorusacct_memstore_free(ms);
    chorusacct_memstore_free(NULL);
}

/* ------------------------------------------------------------------ */
/* The conformance suite                                                */

static void test_conformance_memstore(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops},
                           ops2 = {.struct_size = sizeof ops2};
    char report[512] = "untouched";
    chorusacct_memstore *ms = new_store(&ops);
    assert_code(chorusacct_memstore_ops(&ops2, ms), CHORUSACCT_OK, NULL);
    int rc = chorusacct_storage_conformance(&ops, &ops2, report, sizeof report);
    if (rc != CHORUSACCT_OK)
        fail_msg("%s: %s", chorusacct_status_name(rc), report);
    assert_string_equal(report, "");
    chorusacct_memstore_free(ms);

    /* Without the races, and without a report buffer. */
    ms = new_store(&ops);
    assert_code(chorusacct_storage_conformance(&ops, NULL, NULL, 0),
                CHORUSACCT_OK, NULL);
    chorusacct_memstore_free(ms);

    assert_code(
        chorusacct_storage_conformance(NULL, NULL, report, sizeof report),
        CHORUSACCT_E_ARG, NULL);
}

static void test_conformance_needs_empty(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    chorusacct_account a = {.struct_size = sizeof a};
    char report[512];
    chorusacct_memstore *ms = new_store(&ops);
    account(&a, "left@example.org");
    assert_code(ops.begin(ops.user_data), CHORUSACCT_OK, NULL);
    assert_code(ops.account_insert(ops.user_data, &a), CHORUSACCT_OK, NULL);
    assert_code(ops.commit(ops.user_data), CHORUSACCT_OK, NULL);
    assert_code(
        chorusacct_storage_conformance(&ops, NULL, report, sizeof report),
        CHORUSACCT_E_INTERNAL, NULL);
    assert_non_null(strstr(report, "empty"));
    chorusacct_memstore_free(ms);
}

/* Broken backends: the memstore with one member replaced. */
static chorusacct_storage_ops g_inner;

static int bad_update_ignores_version(void *ud, chorusacct_account *a)
{
    chorusacct_account cur = {.struct_size = sizeof cur};
    cur.struct_size = sizeof cur;
    int rc = g_inner.account_get(ud, a->id, &cur);
    if (rc != CHORUSACCT_OK)
        return rc;
    a->version = cur.version;
    return g_inner.account_update(ud, a);
}

static int bad_rollback_commits(void *ud)
{
    return g_inner.commit(ud);
}

static int bad_consume_twice(void *ud, const uint8_t *hash, int64_t now)
{
    int rc = g_inner.token_consume(ud, hash, now);
    return rc == CHORUSACCT_E_CONFLICT ? CHORUSACCT_OK : rc;
}

static int bad_insert_not_unique(void *ud, chorusacct_account *a)
{
    int rc = g_inner.account_insert(ud, a);
    if (rc != CHORUSACCT_E_EXISTS)
        return rc;
    chorusacct_account copy = *a;
    size_t n = strlen(copy.email_key);
    if (n + 1 < sizeof copy.email_key) {
        copy.email_key[n] = '~';
        copy.email_key[n + 1] = '\0';
    } else {
        copy.email_key[n - 1] = '~';
    }
    rc = g_inner.account_insert(ud, &copy);
    a->id = copy.id;
    a->version = copy.version;
    return rc;
}

static int bad_claim_no_lease(void *ud, int64_t now, int64_t lease,
                              chorusacct_message *out, size_t max,
                              size_t *count)
{
    int rc = g_inner.outbox_claim(ud, now, lease, out, max, count);
    for (size_t i = 0; rc == CHORUSACCT_OK && i < *count; i++) {
        chorusacct_message m = out[i];
        m.lease_until = 0;
        rc = g_inner.outbox_update(ud, &m);
    }
    return rc;
}

static int bad_insert_truncates(void *ud, chorusacct_account *a)
{
    chorusacct_account copy = *a;
    copy.last_name[100] = '\0';
    int rc = g_inner.account_insert(ud, &copy);
    a->id = copy.id;
    a->version = copy.version;
    return rc;
}

static int bad_gc_too_much(void *ud, int64_t before)
{
    return g_inner.gc(ud, before + 86400 * 365);
}

/* The caller's query, or (NULL) the one that lists everything. */
static chorusacct_account_query query_or_all(const chorusacct_account_query *q)
{
    chorusacct_account_query all;
    memset(&all, 0, sizeof all);
    if (q != NULL)
        all = *q;
    return all;
}

static int bad_list_from_start(void *ud, const chorusacct_account_query *q,
                               chorusacct_account *out, size_t max,
                               size_t *count)
{
    chorusacct_account_query all = query_or_all(q);
    all.after_id = 0;
    return g_inner.account_list(ud, &all, out, max, count);
}

static int bad_list_ignores_role(void *ud, const chorusacct_account_query *q,
                                 chorusacct_account *out, size_t max,
                                 size_t *count)
{
    chorusacct_account_query all = query_or_all(q);
    all.min_role = 0;
    return g_inner.account_list(ud, &all, out, max, count);
}

static int bad_meta_truncates(void *ud, const char *key, uint8_t *buf,
                              size_t cap, size_t *len)
{
    int rc = g_inner.meta_get(ud, key, buf, cap, len);
    if (rc == CHORUSACCT_E_TOOSMALL && cap > 0)
        rc = g_inner.meta_get(ud, key, buf, cap + 1, len);
    return rc;
}

/* A fresh memstore; the broken members above wrap its table. */
static chorusacct_memstore *inner_store(chorusacct_storage_ops *ops)
{
    chorusacct_memstore *ms = new_store(ops);
    g_inner = *ops;
    return ms;
}

/* Runs the suite on `ops`, the table of the memstore `ms` with a member
 * replaced, expects it to fail, and frees the store. */
static void expect_caught(chorusacct_memstore *ms,
                          const chorusacct_storage_ops *ops, const char *name)
{
    char report[512];
    int rc = chorusacct_storage_conformance(ops, NULL, report, sizeof report);
    if (rc != CHORUSACCT_E_INTERNAL)
        fail_msg("%s: the suite answered %s", name, chorusacct_status_name(rc));
    assert_true(strncmp(report, "conformance.c:", 14) == 0);
    print_message("%-28s %s\n", name, report);
    chorusacct_memstore_free(ms);
}

static void test_conformance_catches_broken(void **state)
{
    (void)state;
#define CAUGHT(member, bad, name)                                              \
    do {                                                                       \
        chorusacct_storage_ops ops = {.struct_size = sizeof ops};              \
        chorusacct_memstore *ms = inner_store(&ops);                           \
        ops.member = bad;                                                      \
        expect_caught(ms, &ops, name);                                         \
    } while (0)
    CAUGHT(account_update, bad_update_ignores_version,
           "update ignores version");
    CAUGHT(rollback, bad_rollback_commits, "rollback commits");
    CAUGHT(token_consume, bad_consume_twice, "consume twice");
    CAUGHT(account_insert, bad_insert_not_unique, "insert not unique");
    CAUGHT(outbox_claim, bad_claim_no_lease, "claim sets no lease");
    CAUGHT(account_insert, bad_insert_truncates, "insert truncates a text");
    CAUGHT(gc, bad_gc_too_much, "gc deletes too much");
    CAUGHT(account_list, bad_list_from_start, "list ignores after_id");
    CAUGHT(account_list, bad_list_ignores_role, "list ignores min_role");
    CAUGHT(meta_get, bad_meta_truncates, "meta_get truncates");
#undef CAUGHT
}

/* A second table without transactions, whose update checks the version
 * and writes in two steps: the race the suite must catch. The pause
 * between the two steps lets the other thread commit in between; over the
 * suite's 200 rounds that happens (in practice in the first rounds). */
static int no_tx(void *ud)
{
    (void)ud;
    return CHORUSACCT_OK;
}

static int racy_update(void *ud, chorusacct_account *a)
{
    chorusacct_account cur = {.struct_size = sizeof cur};
    cur.struct_size = sizeof cur;
    int rc = g_inner.account_get(ud, a->id, &cur);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (cur.version != a->version)
        return CHORUSACCT_E_CONFLICT;
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
    rc = g_inner.account_get(ud, a->id, &cur);
    if (rc != CHORUSACCT_OK)
        return rc;
    a->version = cur.version;
    return g_inner.account_update(ud, a);
}

static void test_conformance_catches_race(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops},
                           ops2 = {.struct_size = sizeof ops2};
    char report[512];
    chorusacct_memstore *ms = inner_store(&ops);
    ops2 = ops;
    ops2.begin = no_tx;
    ops2.commit = no_tx;
    ops2.rollback = no_tx;
    ops2.account_update = racy_update;
    assert_code(
        chorusacct_storage_conformance(&ops, &ops2, report, sizeof report),
        CHORUSACCT_E_INTERNAL, NULL);
    assert_non_null(strstr(report, "racing account_update"));
    print_message("%-28s %s\n", "check-then-act update", report);
    chorusacct_memstore_free(ms);
}

/* A backend failure is passed on, not taken for a violation. */
static int failing_event_append(void *ud, chorusacct_event *e)
{
    (void)ud;
    (void)e;
    return CHORUSACCT_E_STORAGE;
}

static void test_conformance_passes_failures_on(void **state)
{
    (void)state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    char report[512];
    chorusacct_memstore *ms = new_store(&ops);
    ops.event_append = failing_event_append;
    assert_code(
        chorusacct_storage_conformance(&ops, NULL, report, sizeof report),
        CHORUSACCT_E_STORAGE, NULL);
    assert_non_null(strstr(report, "event_append"));
    /* The suite left no transaction open. */
    assert_code(ops.begin(ops.user_data), CHORUSACCT_OK, NULL);
    assert_code(ops.rollback(ops.user_data), CHORUSACCT_OK, NULL);
    chorusacct_memstore_free(ms);
}

/* ------------------------------------------------------------------ */
/* Fault injection                                                      */

/* Fills a store with records the script below works on. */
static void seed(const chorusacct_storage_ops *o)
{
    void *ud = o->user_data;
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_structure s = {.struct_size = sizeof s};
    chorusacct_token t;
    chorusacct_captcha c;
    chorusacct_message m = {.struct_size = sizeof m};
    assert_code(o->begin(ud), CHORUSACCT_OK, NULL);
    account(&a, "seed-1@example.org");
    assert_code(o->account_insert(ud, &a), CHORUSACCT_OK, NULL);
    account(&a, "seed-2@example.org");
    assert_code(o->account_insert(ud, &a), CHORUSACCT_OK, NULL);
    structure(&s, "73282932000074");
    assert_code(o->structure_insert(ud, &s), CHORUSACCT_OK, NULL);
    token(&t, 1, 1);
    assert_code(o->token_insert(ud, &t), CHORUSACCT_OK, NULL);
    captcha(&c, 1);
    assert_code(o->captcha_insert(ud, &c), CHORUSACCT_OK, NULL);
    message(&m, 1);
    assert_code(o->outbox_insert(ud, &m), CHORUSACCT_OK, NULL);
    assert_code(o->commit(ud), CHORUSACCT_OK, NULL);
}

enum { SCRIPT_CALLS = 16 };

/* One transaction with every kind of write: SCRIPT_CALLS calls. Stops at
 * the first failure and rolls back, as the library does. */
static int script(const chorusacct_storage_ops *o)
{
    void *ud = o->user_data;
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_structure s = {.struct_size = sizeof s};
    chorusacct_token t;
    chorusacct_captcha c;
    chorusacct_message m[2] = {{.struct_size = sizeof m[0]}};
    chorusacct_event e = {.struct_size = sizeof e};
    size_t n = 0;
    int rc = o->begin(ud);
    if (rc != CHORUSACCT_OK)
        return rc;
#define STEP(call)                                                             \
    do {                                                                       \
        rc = (call);                                                           \
        if (rc != CHORUSACCT_OK)                                               \
            goto fail;                                                         \
    } while (0)
    account(&a, "new@example.org");
    STEP(o->account_insert(ud, &a));
    STEP(o->account_get(ud, 1, &a));
    snprintf(a.first_name, sizeof a.first_name, "Renée");
    STEP(o->account_update(ud, &a));
    structure(&s, "40483304800022");
    STEP(o->structure_insert(ud, &s));
    structure(&s, "73282932000074");
    snprintf(s.company_name, sizeof s.company_name, "Autre");
    s.id = 1;
    STEP(o->structure_update(ud, &s));
    token(&t, 2, 1);
    STEP(o->token_insert(ud, &t));
    memset(t.hash, 1, sizeof t.hash);
    STEP(o->token_consume(ud, t.hash, T0 + 1));
    captcha(&c, 2);
    STEP(o->captcha_insert(ud, &c));
    captcha(&c, 1);
    c.used_at = T0 + 1;
    STEP(o->captcha_update(ud, &c));
    message(&m[0], 2);
    STEP(o->outbox_insert(ud, &m[0]));
    STEP(o->outbox_claim(ud, T0, T0 + 60, m, 2, &n));
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.type = CHORUSACCT_EV_DRAFT;
    e.account_id = 1;
    STEP(o->event_append(ud, &e));
    STEP(o->meta_set(ud, "k", (const uint8_t *)"v", 1));
    STEP(o->account_delete(ud, 2));
#undef STEP
    return o->commit(ud);
fail:
    (void)o->rollback(ud);
    return rc;
}

static void test_faultstore_every_call(void **state)
{
    (void)state;
    chorusacct_storage_ops inner = {.struct_size = sizeof inner},
                           ops = {.struct_size = sizeof ops};
    chorusacct_faultstore *fs = NULL;
    uint8_t before[32], after[32];
    chorusacct_memstore *ms = new_store(&inner);
    seed(&inner);
    digest(ms, before);
    assert_code(chorusacct_faultstore_new(&fs, &inner, 0), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_faultstore_ops(&ops, fs), CHORUSACCT_OK, NULL);
    assert_ptr_equal(ops.user_data, fs);
    assert_null(ops.destroy);

    /* Whichever call fails, begin and commit included, nothing stays. */
    for (uint64_t n = 1; n <= SCRIPT_CALLS; n++) {
        chorusacct_faultstore_reset(fs, n);
        int rc = script(&ops);
        if (rc != CHORUSACCT_E_STORAGE)
            fail_msg("failure at call %u: the script answered %s", (unsigned)n,
                     chorusacct_status_name(rc));
        assert_true(chorusacct_faultstore_fired(fs));
        digest(ms, after);
        if (memcmp(before, after, 32) != 0)
            fail_msg("a failure at call %u left storage changed", (unsigned)n);
        /* And no transaction is left open on the inner store. */
        assert_code(inner.begin(inner.user_data), CHORUSACCT_OK, NULL);
        assert_code(inner.commit(inner.user_data), CHORUSACCT_OK, NULL);
    }

    /* Past the last call: nothing fails. */
    chorusacct_faultstore_reset(fs, SCRIPT_CALLS + 1);
    assert_code(script(&ops), CHORUSACCT_OK, NULL);
    assert_false(chorusacct_faultstore_fired(fs));
    assert_int_equal(chorusacct_faultstore_calls(fs), SCRIPT_CALLS);
    digest(ms, after);
    assert_memory_not_equal(before, after, 32);
    chorusacct_faultstore_free(fs);
    chorusacct_memstore_free(ms);
}

static void test_faultstore_counts(void **state)
{
    (void)state;
    chorusacct_storage_ops inner = {.struct_size = sizeof inner},
                           ops = {.struct_size = sizeof ops};
    chorusacct_faultstore *fs = NULL;
    chorusacct_account a = {.struct_size = sizeof a},
                       b = {.struct_size = sizeof b},
                       out = {.struct_size = sizeof out};
    uint32_t count = 0;
    chorusacct_memstore *ms = new_store(&inner);

    assert_code(chorusacct_faultstore_new(NULL, &inner, 1), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_faultstore_new(&fs, NULL, 1), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_faultstore_new(&fs, &inner, 3), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_faultstore_ops(&ops, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_faultstore_ops(NULL, fs), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_faultstore_ops(&ops, fs), CHORUSACCT_OK, NULL);
    void *ud = ops.user_data;

    /* The third call fails without reaching the store; the others pass. */
    account(&a, "a@example.org");
    account(&b, "b@example.org");
    assert_int_equal(chorusacct_faultstore_calls(fs), 0);
    assert_code(ops.begin(ud), CHORUSACCT_OK, NULL);
    assert_code(ops.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_false(chorusacct_faultstore_fired(fs));
    b.id = 777;
    assert_code(ops.account_insert(ud, &b), CHORUSACCT_E_STORAGE, NULL);
    assert_int_equal(b.id, 777); /* not reached */
    assert_true(chorusacct_faultstore_fired(fs));
    assert_code(ops.commit(ud), CHORUSACCT_OK, NULL);
    assert_int_equal(chorusacct_faultstore_calls(fs), 4);
    assert_code(inner.account_find(inner.user_data, "a@example.org", &out),
                CHORUSACCT_OK, NULL);
    assert_code(inner.account_find(inner.user_data, "b@example.org", &out),
                CHORUSACCT_E_NOTFOUND, NULL);
    /* Only once. */
    assert_code(ops.account_insert(ud, &b), CHORUSACCT_OK, NULL);
    assert_int_equal(chorusacct_faultstore_calls(fs), 5);

    /* A failed commit rolls the inner transaction back. */
    uint8_t d1[32], d2[32];
    digest(ms, d1);
    chorusacct_faultstore_reset(fs, 3);
    assert_int_equal(chorusacct_faultstore_calls(fs), 0);
    assert_false(chorusacct_faultstore_fired(fs));
    account(&a, "c@example.org");
    assert_code(ops.begin(ud), CHORUSACCT_OK, NULL);
    assert_code(ops.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_code(ops.commit(ud), CHORUSACCT_E_STORAGE, NULL);
    digest(ms, d2);
    assert_memory_equal(d1, d2, 32);
    assert_code(inner.account_find(inner.user_data, "c@example.org", &out),
                CHORUSACCT_E_NOTFOUND, NULL);

    /* A failed rollback rolls back too: no transaction stays open. */
    chorusacct_faultstore_reset(fs, 3);
    assert_code(ops.begin(ud), CHORUSACCT_OK, NULL);
    assert_code(ops.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_code(ops.rollback(ud), CHORUSACCT_E_STORAGE, NULL);
    digest(ms, d2);
    assert_memory_equal(d1, d2, 32);
    assert_code(inner.begin(inner.user_data), CHORUSACCT_OK, NULL);
    assert_code(inner.rollback(inner.user_data), CHORUSACCT_OK, NULL);

    /* A failed begin opens nothing. */
    chorusacct_faultstore_reset(fs, 1);
    assert_code(ops.begin(ud), CHORUSACCT_E_STORAGE, NULL);
    assert_code(inner.begin(inner.user_data), CHORUSACCT_OK, NULL);
    assert_code(inner.rollback(inner.user_data), CHORUSACCT_OK, NULL);

    /* Counters and reads count as calls too. */
    chorusacct_faultstore_reset(fs, 2);
    assert_code(ops.counter_add(ud, "k", T0, 1, &count), CHORUSACCT_OK, NULL);
    assert_code(ops.counter_add(ud, "k", T0, 1, &count), CHORUSACCT_E_STORAGE,
                NULL);
    assert_code(ops.counter_add(ud, "k", T0, 0, &count), CHORUSACCT_OK, NULL);
    assert_int_equal(count, 1);

    /* 0: never. */
    chorusacct_faultstore_reset(fs, 0);
    for (int i = 0; i < 1000; i++)
        assert_code(ops.account_get(ud, 1, &out), CHORUSACCT_OK, NULL);
    assert_int_equal(chorusacct_faultstore_calls(fs), 1000);
    assert_false(chorusacct_faultstore_fired(fs));

    assert_int_equal(chorusacct_faultstore_calls(NULL), 0);
    assert_int_equal(chorusacct_faultstore_fired(NULL), 0);
    chorusacct_faultstore_reset(NULL, 1);
    chorusacct_faultstore_free(fs);
    chorusacct_faultstore_free(NULL);
    chorusacct_memstore_free(ms);
}

/* The wrapper passes the conformance suite when it never fails. */
static void test_faultstore_conforms(void **state)
{
    (void)state;
    chorusacct_storage_ops inner = {.struct_size = sizeof inner},
                           ops = {.struct_size = sizeof ops};
    chorusacct_faultstore *fs = NULL;
    char report[512];
    chorusacct_memstore *ms = new_store(&inner);
    assert_code(chorusacct_faultstore_new(&fs, &inner, 0), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_faultstore_ops(&ops, fs), CHORUSACCT_OK, NULL);
    int rc = chorusacct_storage_conformance(&ops, NULL, report, sizeof report);
    if (rc != CHORUSACCT_OK)
        fail_msg("%s: %s", chorusacct_status_name(rc), report);
    assert_true(chorusacct_faultstore_calls(fs) > 100);
    chorusacct_faultstore_free(fs);
    chorusacct_memstore_free(ms);
}

/* ------------------------------------------------------------------ */
/* Digest                                                               */

static void test_digest_equal_content(void **state)
{
    (void)state;
    chorusacct_storage_ops o1 = {.struct_size = sizeof o1},
                           o2 = {.struct_size = sizeof o2};
    chorusacct_token t1, t2;
    uint8_t d1[32], d2[32], empty[32];
    chorusacct_memstore *m1 = new_store(&o1);
    chorusacct_memstore *m2 = new_store(&o2);
    digest(m1, d1);
    digest(m2, d2);
    assert_memory_equal(d1, d2, 32);
    memcpy(empty, d1, 32);

    /* Keyed records in another order: the same content. */
    seed(&o1);
    seed(&o2);
    token(&t1, 7, 1);
    token(&t2, 8, 1);
    assert_code(o1.token_insert(o1.user_data, &t1), CHORUSACCT_OK, NULL);
    assert_code(o1.token_insert(o1.user_data, &t2), CHORUSACCT_OK, NULL);
    assert_code(o2.token_insert(o2.user_data, &t2), CHORUSACCT_OK, NULL);
    assert_code(o2.token_insert(o2.user_data, &t1), CHORUSACCT_OK, NULL);
    assert_code(o1.meta_set(o1.user_data, "a", (const uint8_t *)"1", 1),
                CHORUSACCT_OK, NULL);
    assert_code(o1.meta_set(o1.user_data, "b", (const uint8_t *)"2", 1),
                CHORUSACCT_OK, NULL);
    assert_code(o2.meta_set(o2.user_data, "b", (const uint8_t *)"2", 1),
                CHORUSACCT_OK, NULL);
    assert_code(o2.meta_set(o2.user_data, "a", (const uint8_t *)"1", 1),
                CHORUSACCT_OK, NULL);
    digest(m1, d1);
    digest(m2, d2);
    assert_memory_equal(d1, d2, 32);
    assert_memory_not_equal(d1, empty, 32);

    /* One byte of one record apart. */
    assert_code(o2.meta_set(o2.user_data, "a", (const uint8_t *)"2", 1),
                CHORUSACCT_OK, NULL);
    digest(m2, d2);
    assert_memory_not_equal(d1, d2, 32);
    chorusacct_memstore_free(m1);
    chorusacct_memstore_free(m2);
}

enum { WRITES = 20 };

/* The i-th write of a sequence of every kind of write; each changes the
 * store. */
static void write_n(const chorusacct_storage_ops *o, int i)
{
    void *ud = o->user_data;
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_structure s = {.struct_size = sizeof s};
    chorusacct_token t;
    chorusacct_captcha c;
    chorusacct_message m = {.struct_size = sizeof m};
    chorusacct_event e = {.struct_size = sizeof e};
    size_t n = 0;
    int rc = CHORUSACCT_OK;
    switch (i) {
    case 0:
        account(&a, "w@example.org");
        rc = o->account_insert(ud, &a);
        break;
    case 1:
        rc = o->account_get(ud, 1, &a);
        assert_code(rc, CHORUSACCT_OK, NULL);
        a.reserved2 = 1;
        rc = o->account_update(ud, &a);
        break;
    case 2:
        structure(&s, "73282932000074");
        rc = o->structure_insert(ud, &s);
        break;
    case 3:
        structure(&s, "73282932000074");
        s.id = 1;
        s.principal_id = 1;
        rc = o->structure_update(ud, &s);
        break;
    case 4:
        token(&t, 1, 1);
        rc = o->token_insert(ud, &t);
        break;
    case 5:
        memset(t.hash, 1, sizeof t.hash);
        rc = o->token_consume(ud, t.hash, T0 + 5);
        break;
    case 6:
        token(&t, 2, 1);
        rc = o->token_insert(ud, &t);
        break;
    case 7:
        rc = o->token_revoke(ud, 1, 1, T0 + 7);
        break;
    case 8:
        captcha(&c, 1);
        rc = o->captcha_insert(ud, &c);
        break;
    case 9:
        captcha(&c, 1);
        c.used_at = T0 + 1;
        rc = o->captcha_update(ud, &c);
        break;
    case 10:
        message(&m, 1);
        rc = o->outbox_insert(ud, &m);
        break;
    case 11:
        rc = o->outbox_claim(ud, T0, T0 + 60, &m, 1, &n);
        assert_int_equal(n, 1);
        break;
    case 12:
        message(&m, 1);
        m.id = 1;
        m.status = CHORUSACCT_MSG_SENT;
        m.sent_at = T0 + 1;
        rc = o->outbox_update(ud, &m);
        break;
    case 13:
        memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        e.account_id = 1;
        rc = o->event_append(ud, &e);
        break;
    case 14:
        rc = o->meta_set(ud, "k", (const uint8_t *)"v1", 2);
        break;
    case 15:
        rc = o->meta_set(ud, "k", (const uint8_t *)"v2", 2);
        break;
    case 16:
        rc = o->gc(ud, T0 + 1000000); /* tokens, captcha, message */
        break;
    case 17:
        rc = o->structure_delete(ud, 1);
        break;
    case 18:
        rc = o->account_delete(ud, 1);
        break;
    default:
        rc = o->meta_set(ud, "k", (const uint8_t *)"", 0);
        break;
    }
    assert_code(rc, CHORUSACCT_OK, NULL);
}

static void test_digest_each_write(void **state)
{
    (void)state;
    chorusacct_storage_ops o = {.struct_size = sizeof o};
    uint8_t seen[WRITES + 1][32], d[32];
    uint32_t count = 0;
    chorusacct_memstore *ms = new_store(&o);
    void *ud = o.user_data;
    digest(ms, seen[0]);
    for (int i = 0; i < WRITES; i++) {
        /* Rolled back: no change. */
        assert_code(o.begin(ud), CHORUSACCT_OK, NULL);
        write_n(&o, i);
        assert_code(o.rollback(ud), CHORUSACCT_OK, NULL);
        digest(ms, d);
        assert_memory_equal(d, seen[i], 32);
        /* Counters: no change either. */
        assert_code(o.counter_add(ud, "c", T0 + 2000000, 1, &count),
                    CHORUSACCT_OK, NULL);
        digest(ms, d);
        assert_memory_equal(d, seen[i], 32);
        /* Committed: a state never seen before. */
        assert_code(o.begin(ud), CHORUSACCT_OK, NULL);
        write_n(&o, i);
        assert_code(o.commit(ud), CHORUSACCT_OK, NULL);
        digest(ms, seen[i + 1]);
        for (int k = 0; k <= i; k++)
            if (memcmp(seen[i + 1], seen[k], 32) == 0)
                fail_msg("write %d left the digest of state %d", i, k);
    }

    /* Refused writes change nothing. */
    chorusacct_account a = {.struct_size = sizeof a};
    account(&a, "x@example.org");
    assert_code(o.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    digest(ms, seen[0]);
    assert_code(o.account_insert(ud, &a), CHORUSACCT_E_EXISTS, NULL);
    a.version = 7;
    assert_code(o.account_update(ud, &a), CHORUSACCT_E_CONFLICT, NULL);
    assert_code(o.account_delete(ud, 999), CHORUSACCT_E_NOTFOUND, NULL);
    /* gc of counters only. */
    assert_code(o.counter_add(ud, "old", T0 - 10, 1, &count), CHORUSACCT_OK,
                NULL);
    digest(ms, d);
    assert_memory_equal(d, seen[0], 32);
    assert_code(o.gc(ud, T0 + 1), CHORUSACCT_OK, NULL);
    digest(ms, d);
    assert_memory_equal(d, seen[0], 32);
    assert_code(o.counter_add(ud, "old", T0 - 10, 0, &count), CHORUSACCT_OK,
                NULL);
    assert_int_equal(count, 0);
    assert_code(o.counter_add(ud, "c", T0 + 2000000, 0, &count), CHORUSACCT_OK,
                NULL);
    assert_int_equal(count, WRITES);
    chorusacct_memstore_free(ms);
}

/* ------------------------------------------------------------------ */
/* The memstore itself                                                  */

static void test_memstore_transactions(void **state)
{
    (void)state;
    chorusacct_storage_ops o = {.struct_size = sizeof o};
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    chorusacct_memstore *ms = new_store(&o);
    void *ud = o.user_data;

    assert_code(o.commit(ud), CHORUSACCT_E_STORAGE, NULL);
    assert_code(o.rollback(ud), CHORUSACCT_E_STORAGE, NULL);
    assert_code(o.begin(ud), CHORUSACCT_OK, NULL);
    assert_code(o.begin(ud), CHORUSACCT_E_STORAGE, NULL); /* no nesting */
    account(&a, "t@example.org");
    assert_code(o.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_int_equal(a.id, 1);
    assert_code(o.rollback(ud), CHORUSACCT_OK, NULL);
    assert_code(o.commit(ud), CHORUSACCT_E_STORAGE, NULL);

    /* The id of a rolled back insert is handed out again; a deleted one
     * never is. */
    assert_code(o.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_int_equal(a.id, 1);
    assert_code(o.account_delete(ud, 1), CHORUSACCT_OK, NULL);
    assert_code(o.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_int_equal(a.id, 2);

    /* Keys are compared as bytes: the library lower-cases them. */
    account(&a, "T@example.org");
    assert_code(o.account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_code(o.account_find(ud, "T@example.org", &out), CHORUSACCT_OK, NULL);
    assert_int_equal(out.id, a.id);
    assert_code(o.account_find(ud, "t@example.org", &out), CHORUSACCT_OK, NULL);
    assert_int_equal(out.id, 2);

    /* A text that does not end in its field is refused. */
    account(&a, "u@example.org");
    memset(a.phone, '1', sizeof a.phone);
    assert_code(o.account_insert(ud, &a), CHORUSACCT_E_ARG, NULL);
    assert_code(o.account_find(ud, "u@example.org", &out),
                CHORUSACCT_E_NOTFOUND, NULL);

    /* Keys of settings and counters fit CHORUSACCT_KEY_SIZE. */
    char key[CHORUSACCT_KEY_SIZE + 1];
    uint32_t count;
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_code(o.meta_set(ud, key, (const uint8_t *)"v", 1), CHORUSACCT_E_ARG,
                NULL);
    assert_code(o.counter_add(ud, key, T0, 1, &count), CHORUSACCT_E_ARG, NULL);
    key[CHORUSACCT_KEY_SIZE - 1] = '\0';
    assert_code(o.meta_set(ud, key, (const uint8_t *)"v", 1), CHORUSACCT_OK,
                NULL);
    assert_code(o.counter_add(ud, key, T0, 1, &count), CHORUSACCT_OK, NULL);

    /* Freed with a transaction open: nothing leaks (ASan build). */
    assert_code(o.begin(ud), CHORUSACCT_OK, NULL);
    assert_code(o.account_get(ud, 2, &a), CHORUSACCT_OK, NULL);
    snprintf(a.first_name, sizeof a.first_name, "Léa");
    assert_code(o.account_update(ud, &a), CHORUSACCT_OK, NULL);
    assert_code(o.account_delete(ud, a.id), CHORUSACCT_OK, NULL);
    chorusacct_memstore_free(ms);
}

/* Many records: the indexes grow and stay right, and a big rollback
 * restores everything. */
static void test_memstore_many(void **state)
{
    (void)state;
    enum { N = 20000 };
    chorusacct_storage_ops o = {.struct_size = sizeof o};
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_token t;
    chorusacct_message m[8] = {{.struct_size = sizeof m[0]}};
    char key[64];
    uint8_t d1[32], d2[32];
    size_t n = 0;
    chorusacct_memstore *ms = new_store(&o);
    void *ud = o.user_data;

    assert_code(o.begin(ud), CHORUSACCT_OK, NULL);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof key, "user%d@example.org", i);
        account(&a, key);
        assert_code(o.account_insert(ud, &a), CHORUSACCT_OK, NULL);
        token(&t, 0, a.id);
        memcpy(t.hash, &i, sizeof i);
        assert_code(o.token_insert(ud, &t), CHORUSACCT_OK, NULL);
        message(&m[0], a.id);
        m[0].status = i % 3 == 0 ? CHORUSACCT_MSG_PENDING : CHORUSACCT_MSG_SENT;
        assert_code(o.outbox_insert(ud, &m[0]), CHORUSACCT_OK, NULL);
    }
    assert_code(o.commit(ud), CHORUSACCT_OK, NULL);
    digest(ms, d1);
    for (int i = 0; i < N; i += 997) {
        snprintf(key, sizeof key, "user%d@example.org", i);
        assert_code(o.account_find(ud, key, &a), CHORUSACCT_OK, NULL);
        assert_int_equal(a.id, i + 1);
        memset(t.hash, 0, sizeof t.hash);
        memcpy(t.hash, &i, sizeof i);
        assert_code(o.token_get(ud, t.hash, &t), CHORUSACCT_OK, NULL);
        assert_int_equal(t.account_id, i + 1);
    }
    /* Pending messages are every third, oldest first. */
    assert_code(o.outbox_claim(ud, T0, T0 + 60, m, 8, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 8);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(m[i].id, (int64_t)(3 * i + 1));

    /* Everything deleted, then rolled back. */
    digest(ms, d1);
    assert_code(o.begin(ud), CHORUSACCT_OK, NULL);
    for (int i = 1; i <= N; i++)
        assert_code(o.account_delete(ud, i), CHORUSACCT_OK, NULL);
    assert_code(o.gc(ud, INT64_MAX), CHORUSACCT_OK, NULL);
    assert_code(o.outbox_list(ud, 0, 0, m, 8, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 8); /* pending ones stay */
    assert_code(o.rollback(ud), CHORUSACCT_OK, NULL);
    digest(ms, d2);
    assert_memory_equal(d1, d2, 32);
    assert_code(o.account_find(ud, "user19999@example.org", &a), CHORUSACCT_OK,
                NULL);
    chorusacct_memstore_free(ms);
}

/* Several threads, each with its own table on one store, running
 * transactions of several writes, some rolled back. */
enum { THREADS = 4, TXNS = 300 };

typedef struct {
    chorusacct_memstore *ms;
    int id;
    int failures;
    int committed;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    chorusacct_storage_ops o = {.struct_size = sizeof o};
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_event e = {.struct_size = sizeof e};
    char key[64];
    uint32_t count;
    if (chorusacct_memstore_ops(&o, w->ms) != CHORUSACCT_OK) {
        w->failures++;
        return NULL;
    }
    void *ud = o.user_data;
    for (int i = 0; i < TXNS; i++) {
        snprintf(key, sizeof key, "w%d-%d@example.org", w->id, i);
        account(&a, key);
        memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        if (o.begin(ud) != CHORUSACCT_OK) {
            w->failures++;
            continue;
        }
        int rc = o.account_insert(ud, &a);
        if (rc == CHORUSACCT_OK)
            rc = o.counter_add(ud, "shared", T0, 1, &count);
        e.account_id = a.id;
        if (rc == CHORUSACCT_OK)
            rc = o.event_append(ud, &e);
        if (rc == CHORUSACCT_OK)
            rc = o.account_update(ud, &a);
        if (rc != CHORUSACCT_OK || a.version != 2) {
            w->failures++;
            (void)o.rollback(ud);
            continue;
        }
        if (i % 3 == 2) {
            if (o.rollback(ud) != CHORUSACCT_OK)
                w->failures++;
        } else {
            if (o.commit(ud) != CHORUSACCT_OK)
                w->failures++;
            w->committed++;
        }
    }
    return NULL;
}

static void test_memstore_threads(void **state)
{
    (void)state;
    chorusacct_storage_ops o = {.struct_size = sizeof o};
    chorusacct_memstore *ms = new_store(&o);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){ms, i, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    int committed = 0;
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
        committed += w[i].committed;
    }
    assert_int_equal(committed, THREADS * TXNS * 2 / 3);

    /* Every committed account, at version 2, with its event; nothing of
     * the rolled back ones. */
    static chorusacct_account page[64];
    chorusacct_event ev[64] = {{.struct_size = sizeof ev[0]}};
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    size_t n = 0, total = 0, events = 0;
    do {
        assert_code(o.account_list(o.user_data, &q, page, 64, &n),
                    CHORUSACCT_OK, NULL);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(page[i].version, 2);
            assert_true(page[i].id > q.after_id);
            q.after_id = page[i].id;
        }
        total += n;
    } while (n > 0);
    assert_int_equal(total, (size_t)committed);
    int64_t after = 0;
    do {
        assert_code(o.event_list(o.user_data, 0, after, ev, 64, &n),
                    CHORUSACCT_OK, NULL);
        for (size_t i = 0; i < n; i++) {
            chorusacct_account a = {.struct_size = sizeof a};
            assert_code(o.account_get(o.user_data, ev[i].account_id, &a),
                        CHORUSACCT_OK, NULL);
            after = ev[i].id;
        }
        events += n;
    } while (n > 0);
    assert_int_equal(events, (size_t)committed);
    /* Counters count every attempt, rolled back or not. */
    uint32_t count = 0;
    assert_code(o.counter_add(o.user_data, "shared", T0, 0, &count),
                CHORUSACCT_OK, NULL);
    assert_int_equal(count, THREADS * TXNS);
    chorusacct_memstore_free(ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ops_init),
        cmocka_unit_test(test_memstore_args),
        cmocka_unit_test(test_conformance_memstore),
        cmocka_unit_test(test_conformance_needs_empty),
        cmocka_unit_test(test_conformance_catches_broken),
        cmocka_unit_test(test_conformance_catches_race),
        cmocka_unit_test(test_conformance_passes_failures_on),
        cmocka_unit_test(test_faultstore_every_call),
        cmocka_unit_test(test_faultstore_counts),
        cmocka_unit_test(test_faultstore_conforms),
        cmocka_unit_test(test_digest_equal_content),
        cmocka_unit_test(test_digest_each_write),
        cmocka_unit_test(test_memstore_transactions),
        cmocka_unit_test(test_memstore_many),
        cmocka_unit_test(test_memstore_threads),
    };
    return cmocka_run_group_tests_name("storage", tests, NULL, NULL);
}
