/*
 * The PostgreSQL storage backend, against a real server that
 * tests/pg-server.sh starts: opening, schema creation (twice at once),
 * refusals, what the database holds, lock waits, a lost connection,
 * counters that another connection sees at once, and the storage
 * conformance suite over two connections. Skipped (77) when the program
 * was not started by tests/pg-server.sh.
 */
#include "testutil.h"

#include "damagecheck.h"
#include "pgutil.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chorusacct/postgres.h>
#include <chorusacct/testkit.h>

/* ------------------------------------------------------------------ */
/* Fixture: a new schema per test                                       */

typedef struct {
    char schema[32];
    char info[1024];
    chorusacct_storage_ops ops;
    bool open;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL ||
        !pg_new_schema(f->schema, sizeof f->schema, f->info, sizeof f->info)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->open && f->ops.destroy != NULL)
        f->ops.destroy(f->ops.user_data);
    pg_drop_schema(f->schema);
    free(f);
    return 0;
}

static chorusacct_storage_ops *open_ops(fixture *f)
{
    f->ops.struct_size = (uint32_t)sizeof f->ops;
    int rc = chorusacct_postgres_ops(&f->ops, f->info, 0);
    if (rc != CHORUSACCT_OK)
        fail_msg("chorusacct_postgres_ops: %s", chorusacct_status_name(rc));
    f->open = true;
    return &f->ops;
}

static void close_ops(fixture *f)
{
    if (f->open)
        f->ops.destroy(f->ops.user_data);
    f->open = false;
}

static void small_account(chorusacct_account *a, const char *key)
{
    memset(a, 0, sizeof *a);
    a->struct_size = sizeof *a;
    a->state = CHORUSACCT_STATE_AWAITING_ACTIVATION;
    a->role = CHORUSACCT_ROLE_PRINCIPAL;
    a->created_at = a->updated_at = 1800000000;
    snprintf(a->login_email, sizeof a->login_email, "%s", key);
    snprintf(a->email_key, sizeof a->email_key, "%s", key);
    snprintf(a->contact_email, sizeof a->contact_email, "%s", key);
    snprintf(a->first_name, sizeof a->first_name, "Zoé");
    snprintf(a->last_name, sizeof a->last_name, "Lefèvre");
}

static void insert(chorusacct_storage_ops *o, chorusacct_account *a)
{
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->account_insert(o->user_data, a), CHORUSACCT_OK, NULL);
    assert_code(o->commit(o->user_data), CHORUSACCT_OK, NULL);
}

/* ------------------------------------------------------------------ */
/* Opening and the schema                                               */

static void test_create_and_reopen(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    small_account(&a, "zoe@example.fr");
    insert(o, &a);
    assert_true(a.id > 0);
    close_ops(f);

    PGconn *c = pg_admin(f->schema);
    assert_non_null(c);
    assert_int_equal(pg_value(c, "SELECT max(version) FROM chorusacct_schema"),
                     chorusacct_postgres_schema_version());
    assert_int_equal(pg_value(c, "SELECT count(*) FROM chorusacct_schema"),
                     chorusacct_postgres_schema_version());
    /* The counters cost no write-ahead log. */
    assert_int_equal(pg_value(c, "SELECT count(*) FROM pg_class"
                                 " WHERE relname = 'chorusacct_counter'"
                                 " AND relpersistence = 'u'"),
                     1);
    /* The text is stored as text, in UTF-8, for people to query. */
    assert_int_equal(pg_value(c, "SELECT count(*) FROM chorusacct_account"
                                 " WHERE first_name = 'Zoé'"
                                 " AND last_name = 'Lefèvre'"),
                     1);
    PQfinish(c);

    /* Reopened, without creating, the record is there. */
    f->ops.struct_size = (uint32_t)sizeof f->ops;
    assert_code(chorusacct_postgres_ops(&f->ops, f->info,
                                        CHORUSACCT_POSTGRES_NO_MIGRATE),
                CHORUSACCT_OK, NULL);
    f->open = true;
    assert_code(f->ops.account_get(f->ops.user_data, a.id, &out), CHORUSACCT_OK,
                NULL);
    assert_string_equal(out.first_name, "Zoé");
    assert_int_equal(out.version, 1);
}

/* Several servers starting together on an empty database: every one
 * opens, and the schema is created once. */
typedef struct {
    const char *info;
    pthread_barrier_t *go;
    int rc;
} opener;

static void *open_main(void *arg)
{
    opener *op = arg;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    pthread_barrier_wait(op->go);
    op->rc = chorusacct_postgres_ops(&ops, op->info, 0);
    if (op->rc == CHORUSACCT_OK)
        ops.destroy(ops.user_data);
    return NULL;
}

static void test_created_once_by_servers_starting_together(void **state)
{
    fixture *f = *state;
    enum { N = 6 };
    pthread_t th[N];
    opener op[N];
    pthread_barrier_t go;
    for (int round = 0; round < 3; round++) {
        char name[32], info[1024];
        assert_true(pg_new_schema(name, sizeof name, info, sizeof info));
        assert_int_equal(pthread_barrier_init(&go, NULL, N), 0);
        for (int i = 0; i < N; i++) {
            op[i] = (opener){info, &go, CHORUSACCT_E_INTERNAL};
            assert_int_equal(pthread_create(&th[i], NULL, open_main, &op[i]),
                             0);
        }
        for (int i = 0; i < N; i++)
            pthread_join(th[i], NULL);
        pthread_barrier_destroy(&go);
        for (int i = 0; i < N; i++)
            assert_code(op[i].rc, CHORUSACCT_OK, NULL);
        PGconn *c = pg_admin(name);
        assert_non_null(c);
        assert_int_equal(pg_value(c, "SELECT count(*) FROM chorusacct_schema"),
                         chorusacct_postgres_schema_version());
        PQfinish(c);
        pg_drop_schema(name);
    }
    (void)f;
}

static void test_newer_schema(void **state)
{
    fixture *f = *state;
    /* Nothing there and no right to create: NOTFOUND, nothing made. */
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    assert_code(
        chorusacct_postgres_ops(&ops, f->info, CHORUSACCT_POSTGRES_NO_MIGRATE),
        CHORUSACCT_E_NOTFOUND, NULL);
    PGconn *c = pg_admin(f->schema);
    assert_non_null(c);
    assert_int_equal(pg_value(c, "SELECT count(*) FROM pg_tables"
                                 " WHERE schemaname = current_schema()"),
                     0);

    open_ops(f);
    close_ops(f);
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO chorusacct_schema VALUES(%d, 0)",
             chorusacct_postgres_schema_version() + 1);
    assert_true(pg_exec(c, sql));
    assert_code(chorusacct_postgres_ops(&ops, f->info, 0), CHORUSACCT_E_SCHEMA,
                NULL);
    assert_code(
        chorusacct_postgres_ops(&ops, f->info, CHORUSACCT_POSTGRES_NO_MIGRATE),
        CHORUSACCT_E_SCHEMA, NULL);
    /* Untouched: the newer version is still the newest. */
    assert_int_equal(pg_value(c, "SELECT max(version) FROM chorusacct_schema"),
                     chorusacct_postgres_schema_version() + 1);
    PQfinish(c);
}

static void test_open_refuses_bad_arguments_and_servers(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    char info[1200];
    assert_code(chorusacct_postgres_ops(NULL, f->info, 0), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_postgres_ops(&ops, NULL, 0), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_postgres_ops(&ops, f->info, 2), CHORUSACCT_E_ARG,
                NULL);
    /* Connection strings libpq cannot read. */
    assert_code(chorusacct_postgres_ops(&ops, "host='unclosed", 0),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_postgres_ops(&ops, "nokey=1", 0), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_postgres_ops(&ops, "postgresql://[::1/db", 0),
                CHORUSACCT_E_ARG, NULL);
    /* No server there, a database that does not exist, a role that does
     * not exist: the connection is refused. */
    assert_code(
        chorusacct_postgres_ops(&ops, "host=/nonexistent-dir port=5432", 0),
        CHORUSACCT_E_IO, NULL);
    snprintf(info, sizeof info, "%s dbname=no_such_db", pg_base());
    assert_code(chorusacct_postgres_ops(&ops, info, 0), CHORUSACCT_E_IO, NULL);
    snprintf(info, sizeof info, "%s user=no_such_role", pg_base());
    assert_code(chorusacct_postgres_ops(&ops, info, 0), CHORUSACCT_E_IO, NULL);
    /* A database that is not in UTF-8. */
    PGconn *c = pg_admin(NULL);
    assert_non_null(c);
    (void)pg_exec(c, "DROP DATABASE IF EXISTS chorusacct_latin1");
    assert_true(pg_exec(c, "CREATE DATABASE chorusacct_latin1"
                           " ENCODING 'LATIN1' TEMPLATE template0"));
    snprintf(info, sizeof info, "%s dbname=chorusacct_latin1", pg_base());
    assert_code(chorusacct_postgres_ops(&ops, info, 0), CHORUSACCT_E_STORAGE,
                NULL);
    assert_true(pg_exec(c, "DROP DATABASE chorusacct_latin1"));
    PQfinish(c);
}

/* ------------------------------------------------------------------ */
/* Transactions on the server                                           */

/* A record locked by another transaction past the lock timeout: the
 * call answers CONFLICT, which the library retries, never STORAGE; the
 * transaction is over and commit says so. */
static void test_lock_wait_is_a_conflict(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    small_account(&a, "locked@example.fr");
    insert(o, &a);

    PGconn *c = pg_admin(f->schema);
    assert_non_null(c);
    assert_true(pg_exec(c, "BEGIN"));
    assert_true(pg_exec(c, "SELECT 1 FROM chorusacct_account FOR UPDATE"));
    /* Outside a transaction reads do not lock, and do not wait. */
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_OK, NULL);
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_E_CONFLICT,
                NULL);
    assert_code(o->account_find(o->user_data, a.email_key, &out),
                CHORUSACCT_E_STORAGE, NULL);
    assert_code(o->commit(o->user_data), CHORUSACCT_E_CONFLICT, NULL);
    assert_true(pg_exec(c, "ROLLBACK"));
    PQfinish(c);

    /* The table goes on. */
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_OK, NULL);
    assert_code(o->account_update(o->user_data, &out), CHORUSACCT_OK, NULL);
    assert_code(o->commit(o->user_data), CHORUSACCT_OK, NULL);
}

/* A record read inside a transaction is locked until it ends: a second
 * connection that wants it waits, then sees what the first committed. */
typedef struct {
    chorusacct_storage_ops *o;
    int64_t id;
    int rc;
    int64_t version_seen;
} reader;

static void *read_main(void *arg)
{
    reader *r = arg;
    chorusacct_account a = {.struct_size = sizeof a};
    void *ud = r->o->user_data;
    r->rc = r->o->begin(ud);
    if (r->rc == CHORUSACCT_OK)
        r->rc = r->o->account_get(ud, r->id, &a);
    if (r->rc == CHORUSACCT_OK) {
        r->version_seen = a.version;
        r->rc = r->o->commit(ud);
    } else {
        (void)r->o->rollback(ud);
    }
    return NULL;
}

static void test_reads_in_a_transaction_lock(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f), o2 = {.struct_size = sizeof o2};
    chorusacct_account a = {.struct_size = sizeof a},
                       mine = {.struct_size = sizeof mine};
    small_account(&a, "turns@example.fr");
    insert(o, &a);
    assert_code(chorusacct_postgres_ops(&o2, f->info, 0), CHORUSACCT_OK, NULL);

    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->account_get(o->user_data, a.id, &mine), CHORUSACCT_OK, NULL);
    reader r = {&o2, a.id, CHORUSACCT_E_INTERNAL, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, read_main, &r), 0);
    /* The reader waits for the lock; give it time to be waiting. */
    struct timespec ts = {0, 200 * 1000 * 1000};
    nanosleep(&ts, NULL);
    assert_code(o->account_update(o->user_data, &mine), CHORUSACCT_OK, NULL);
    assert_code(o->commit(o->user_data), CHORUSACCT_OK, NULL);
    pthread_join(th, NULL);
    assert_code(r.rc, CHORUSACCT_OK, NULL);
    /* It saw the committed version, not the one before its wait. */
    assert_int_equal(r.version_seen, 2);
    o2.destroy(o2.user_data);
}

/* A count made inside a transaction is visible to the others at once and
 * stays after a rollback. */
static void test_counters_outside_the_transaction(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f), o2 = {.struct_size = sizeof o2};
    uint32_t n = 0;
    assert_code(chorusacct_postgres_ops(&o2, f->info, 0), CHORUSACCT_OK, NULL);
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->counter_add(o->user_data, "login:x", 3600, 2, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 2);
    assert_code(o2.counter_add(o2.user_data, "login:x", 3600, 1, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_code(o->counter_add(o->user_data, "login:x", 3600, 0, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_code(o->rollback(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o2.counter_add(o2.user_data, "login:x", 3600, 0, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    o2.destroy(o2.user_data);
}

/* The server drops the connection (a restart, a network cut): the call
 * that finds it gone fails, the next one outside a transaction connects
 * again. Inside a transaction the transaction is lost, and says so. */
static void terminate_others(const char *schema)
{
    PGconn *c = pg_admin(schema);
    assert_non_null(c);
    assert_true(pg_exec(c, "SELECT pg_terminate_backend(pid)"
                           " FROM pg_stat_activity"
                           " WHERE pid <> pg_backend_pid()"
                           " AND datname = current_database()"
                           " AND backend_type = 'client backend'"));
    PQfinish(c);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static void test_connection_lost(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    small_account(&a, "lost@example.fr");
    insert(o, &a);

    terminate_others(f->schema);
    int rc = o->account_get(o->user_data, a.id, &out);
    assert_true(rc == CHORUSACCT_E_STORAGE || rc == CHORUSACCT_OK);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_OK, NULL);

    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_OK, NULL);
    terminate_others(f->schema);
    out.reserved2 = 3;
    assert_code(o->account_update(o->user_data, &out), CHORUSACCT_E_STORAGE,
                NULL);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_E_STORAGE,
                NULL);
    assert_int_not_equal(o->commit(o->user_data), CHORUSACCT_OK);
    /* Nothing was written; the table works again. */
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_OK, NULL);
    assert_int_equal(out.reserved2, 0);
    assert_int_equal(out.version, 1);
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    terminate_others(f->schema);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_E_STORAGE,
                NULL);
    assert_code(o->rollback(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->commit(o->user_data), CHORUSACCT_OK, NULL);
}

/* A table does not cross fork(): in the child it refuses to work, and
 * freeing it there leaves the parent's session alone. */
static void test_table_refuses_work_after_fork(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    small_account(&a, "fork@example.fr");
    insert(o, &a);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int ok =
            o->account_get(o->user_data, a.id, &out) == CHORUSACCT_E_STORAGE &&
            o->begin(o->user_data) == CHORUSACCT_E_STORAGE;
        o->destroy(o->user_data);
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_OK, NULL);
}

/* Values the database refuses are refused before they reach it: a text
 * without its NUL within its field is an argument error. */
static void test_overlong_fields_refused(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    small_account(&a, "fields@example.fr");
    memset(a.phone, '1', sizeof a.phone);
    assert_code(o->begin(o->user_data), CHORUSACCT_OK, NULL);
    assert_code(o->account_insert(o->user_data, &a), CHORUSACCT_E_ARG, NULL);
    assert_code(o->rollback(o->user_data), CHORUSACCT_OK, NULL);
    char key[CHORUSACCT_KEY_SIZE];
    memset(key, 'k', sizeof key);
    uint32_t n;
    assert_code(o->counter_add(o->user_data, key, 1, 1, &n), CHORUSACCT_E_ARG,
                NULL);
    /* A value too long for its field, written behind the library's back,
     * is a storage error, not a truncated record. */
    small_account(&a, "long@example.fr");
    insert(o, &a);
    PGconn *c = pg_admin(f->schema);
    assert_non_null(c);
    assert_true(pg_exec(c, "UPDATE chorusacct_account"
                           " SET phone = repeat('9', 40)"));
    PQfinish(c);
    assert_code(o->account_get(o->user_data, a.id, &out), CHORUSACCT_E_STORAGE,
                NULL);
}

/* A worker whose lease ran out while its mailer was slow reports a
 * failure after another worker sent the message: the sent mark stands,
 * and the message is not queued again. */
static void test_sent_stays_sent(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_message m = {.struct_size = sizeof m},
                       got[2] = {{.struct_size = sizeof got[0]}};
    size_t n = 0;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    m.kind = CHORUSACCT_MAIL_SUMMARY;
    m.status = CHORUSACCT_MSG_PENDING;
    m.created_at = m.next_attempt_at = 1000;
    snprintf(m.to, sizeof m.to, "a@example.fr");
    snprintf(m.subject, sizeof m.subject, "Objet");
    snprintf(m.body, sizeof m.body, "Corps");
    assert_code(o->outbox_insert(o->user_data, &m), CHORUSACCT_OK, NULL);
    /* Worker A claims; its lease passes; worker B claims and sends. */
    assert_code(o->outbox_claim(o->user_data, 1000, 1300, got, 2, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    chorusacct_message a = got[0], b;
    assert_code(o->outbox_claim(o->user_data, 1301, 1600, got, 2, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    b = got[0];
    b.status = CHORUSACCT_MSG_SENT;
    b.attempts = 1;
    b.sent_at = 1302;
    b.lease_until = 0;
    assert_code(o->outbox_update(o->user_data, &b), CHORUSACCT_OK, NULL);
    /* A's late failure changes nothing. */
    a.attempts = 1;
    a.next_attempt_at = 1400;
    a.lease_until = 0;
    snprintf(a.last_error, sizeof a.last_error, "timeout");
    assert_code(o->outbox_update(o->user_data, &a), CHORUSACCT_OK, NULL);
    assert_code(o->outbox_list(o->user_data, 0, 0, got, 2, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 1);
    assert_int_equal(got[0].status, CHORUSACCT_MSG_SENT);
    assert_int_equal(got[0].sent_at, 1302);
    assert_string_equal(got[0].last_error, "");
    a.status = CHORUSACCT_MSG_DEAD;
    assert_code(o->outbox_update(o->user_data, &a), CHORUSACCT_OK, NULL);
    assert_code(o->outbox_claim(o->user_data, 99999, 99999 + 300, got, 2, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 0);
    /* A message that does not exist is still NOTFOUND. */
    a.id += 1000;
    assert_code(o->outbox_update(o->user_data, &a), CHORUSACCT_E_NOTFOUND,
                NULL);
}

/* ------------------------------------------------------------------ */
/* The storage conformance suite                                        */

static void test_passes_conformance_suite(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    chorusacct_storage_ops ops2 = {.struct_size = sizeof ops2};
    char report[512] = "";
    assert_code(chorusacct_postgres_ops(&ops2, f->info, 0), CHORUSACCT_OK,
                NULL);
    int rc = chorusacct_storage_conformance(ops, &ops2, report, sizeof report);
    ops2.destroy(ops2.user_data);
    if (rc != CHORUSACCT_OK)
        fail_msg("%s: %s", chorusacct_status_name(rc), report);
}

/* Damages a message's row as only the server's data can be: a body
 * longer than the record's. */
static int damage_row(void *ud, int64_t id)
{
    const fixture *f = ud;
    PGconn *c = pg_admin(f->schema);
    if (c == NULL)
        return CHORUSACCT_E_IO;
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE chorusacct_outbox SET body = repeat('x', 9000)"
             " WHERE id = %lld",
             (long long)id);
    bool ok = pg_exec(c, sql);
    PQfinish(c);
    return ok ? CHORUSACCT_OK : CHORUSACCT_E_STORAGE;
}

/* Issue 12, point 7: the damaged-row part of the storage contract
 * (tests/damagecheck.h). */
static void test_damaged_rows_conformance(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    damaged_rows_check(ops, damage_row, f);
}

/* Issue 12, point 10: a read-only server (a standby, or read-only
 * sessions) answers READONLY, which says why, not STORAGE; reads work. */
static void test_read_only_server_is_readonly(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *o = open_ops(f);
    chorusacct_account a = {.struct_size = sizeof a},
                       out = {.struct_size = sizeof out};
    small_account(&a, "reader@example.fr");
    insert(o, &a);
    close_ops(f);

    char info[1200];
    snprintf(info, sizeof info,
             "%s options='-csearch_path=%s -cdefault_transaction_read_only=on'",
             pg_base(), f->schema);
    chorusacct_storage_ops ro = {.struct_size = sizeof ro};
    assert_code(
        chorusacct_postgres_ops(&ro, info, CHORUSACCT_POSTGRES_NO_MIGRATE),
        CHORUSACCT_OK, NULL);
    assert_code(ro.account_get(ro.user_data, a.id, &out), CHORUSACCT_OK, NULL);
    chorusacct_account b = {.struct_size = sizeof b};
    small_account(&b, "writer@example.fr");
    assert_code(ro.account_insert(ro.user_data, &b), CHORUSACCT_E_READONLY,
                NULL);
    ro.destroy(ro.user_data);
}

int main(void)
{
    if (pg_base() == NULL) {
        fprintf(stderr, "test_postgres: run by tests/pg-server.sh "
                        "(CHORUSACCT_TEST_PG unset); skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_damaged_rows_conformance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_read_only_server_is_readonly,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_created_once_by_servers_starting_together, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_open_refuses_bad_arguments_and_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_wait_is_a_conflict, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reads_in_a_transaction_lock, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_counters_outside_the_transaction,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_connection_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_refuses_work_after_fork,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_fields_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sent_stays_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passes_conformance_suite, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("postgres", tests, NULL, NULL);
}
