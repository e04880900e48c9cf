/*
 * The SQLite storage backend: opening, schema creation and migration,
 * refusals, every storage operation, constraints the database enforces by
 * itself, outbox texts kept as given, two connections in two threads, and
 * the storage conformance suite.
 */
#include "testutil.h"

#include "damagecheck.h"
#include "sqlutil.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include <chorusacct/sqlite.h>
#include <chorusacct/testkit.h>

/* ------------------------------------------------------------------ */
/* Fixture: a fresh directory per test                                  */

typedef struct {
    char dir[64];
    char path[96];
    chorusacct_storage_ops ops;
    bool open;
} fixture;

static void remove_db(const char *path)
{
    char p[128];
    static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < ARRAY_LEN(ext); i++) {
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/ca-sqlite-XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/accounts.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->open && f->ops.destroy != NULL)
        f->ops.destroy(f->ops.user_data);
    remove_db(f->path);
    char p[128];
    snprintf(p, sizeof p, "%s/other", f->dir);
    remove_db(p);
    snprintf(p, sizeof p, "%s/dir", f->dir);
    rmdir(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Opens the fixture's database (created). */
static chorusacct_storage_ops *open_ops(fixture *f)
{
    f->ops.struct_size = (uint32_t)sizeof f->ops;
    assert_code(chorusacct_sqlite_ops(&f->ops, f->path, 0), CHORUSACCT_OK,
                NULL);
    f->open = true;
    return &f->ops;
}

static void close_ops(fixture *f)
{
    f->ops.destroy(f->ops.user_data);
    f->open = false;
}

/* A raw connection to the same file, to look at what the backend wrote
 * and to write around it. */
static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

static int raw_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static chorusacct_account insert_account(chorusacct_storage_ops *ops, long i)
{
    chorusacct_account a = {.struct_size = sizeof a};
    sample_account(&a, i);
    assert_code(ops->account_insert(ops->user_data, &a), CHORUSACCT_OK, NULL);
    return a;
}

/* ------------------------------------------------------------------ */
/* Opening and the schema                                               */

static void test_create_and_reopen(void **state)
{
    fixture *f = *state;
    assert_int_equal(chorusacct_sqlite_schema_version(), 2);
    chorusacct_storage_ops *ops = open_ops(f);
    assert_int_equal(ops->struct_size, sizeof *ops);
    assert_non_null(ops->destroy);
    chorusacct_account a = insert_account(ops, 1);
    close_ops(f);

    sqlite3 *db = raw_open(f->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM chorusacct_schema"), 2);
    assert_int_equal(raw_int(db, "SELECT max(version) FROM chorusacct_schema"),
                     chorusacct_sqlite_schema_version());
    sqlite3_stmt *s = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    sqlite3_close(db);

    /* Reopened, with and without NO_CREATE: the data is there and the
     * schema is not run again. */
    f->ops.struct_size = (uint32_t)sizeof f->ops;
    assert_code(
        chorusacct_sqlite_ops(&f->ops, f->path, CHORUSACCT_SQLITE_NO_CREATE),
        CHORUSACCT_OK, NULL);
    f->open = true;
    chorusacct_account b = {.struct_size = sizeof b};
    assert_code(f->ops.account_get(f->ops.user_data, a.id, &b), CHORUSACCT_OK,
                NULL);
    assert_string_equal(b.login_email, a.login_email);
    close_ops(f);
    open_ops(f);
    db = raw_open(f->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM chorusacct_schema"), 2);
    sqlite3_close(db);
}

static void test_open_refuses_bad_arguments_and_files(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_sqlite_ops(NULL, f->path, 0), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_sqlite_ops(&ops, NULL, 0), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_sqlite_ops(&ops, f->path, 4), CHORUSACCT_E_ARG,
                NULL);

    /* NO_CREATE: a missing file is not created. */
    assert_code(
        chorusacct_sqlite_ops(&ops, f->path, CHORUSACCT_SQLITE_NO_CREATE),
        CHORUSACCT_E_NOTFOUND, NULL);
    struct stat st;
    assert_int_not_equal(stat(f->path, &st), 0);
    assert_int_equal(errno, ENOENT);
    /* READ_ONLY implies NO_CREATE. */
    assert_code(
        chorusacct_sqlite_ops(&ops, f->path, CHORUSACCT_SQLITE_READ_ONLY),
        CHORUSACCT_E_NOTFOUND, NULL);
    assert_int_not_equal(stat(f->path, &st), 0);

    /* Missing folder, a folder, a text file. */
    char p[128];
    snprintf(p, sizeof p, "%s/no/such/dir.db", f->dir);
    assert_code(chorusacct_sqlite_ops(&ops, p, 0), CHORUSACCT_E_IO, NULL);
    snprintf(p, sizeof p, "%s/dir", f->dir);
    assert_int_equal(mkdir(p, 0700), 0);
    assert_code(chorusacct_sqlite_ops(&ops, p, 0), CHORUSACCT_E_IO, NULL);
    static const char text[] =
        "This is a text file, not a database: SQLite reads its first 100 "
        "bytes as a header and refuses it.\n";
    write_file(f->path, text, sizeof text - 1);
    /* Not a database: CORRUPT, which says so (issue 12, point 10). */
    assert_code(chorusacct_sqlite_ops(&ops, f->path, 0), CHORUSACCT_E_CORRUPT,
                NULL);
    assert_code(
        chorusacct_sqlite_ops(&ops, f->path, CHORUSACCT_SQLITE_NO_CREATE),
        CHORUSACCT_E_CORRUPT, NULL);
    assert_code(
        chorusacct_sqlite_ops(&ops, f->path, CHORUSACCT_SQLITE_READ_ONLY),
        CHORUSACCT_E_CORRUPT, NULL);
    remove_db(f->path);

    /* A database of another program with a table of the same name. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_exec(db, "CREATE TABLE account(x)"), SQLITE_OK);
    sqlite3_close(db);
    assert_code(chorusacct_sqlite_ops(&ops, f->path, 0), CHORUSACCT_E_STORAGE,
                NULL);
}

static void test_newer_schema(void **state)
{
    fixture *f = *state;
    open_ops(f);
    close_ops(f);
    sqlite3 *db = raw_open(f->path);
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO chorusacct_schema VALUES(%d, 0)",
             chorusacct_sqlite_schema_version() + 1);
    assert_int_equal(raw_exec(db, sql), SQLITE_OK);
    sqlite3_close(db);
    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_sqlite_ops(&ops, f->path, 0), CHORUSACCT_E_SCHEMA,
                NULL);
    /* Refused without touching it. */
    db = raw_open(f->path);
    assert_int_equal(raw_int(db, "SELECT max(version) FROM chorusacct_schema"),
                     chorusacct_sqlite_schema_version() + 1);
    sqlite3_close(db);
}

/* Version 1 of the schema, as release 0.1's first step writes it, with
 * data in it: opening it must add version 2 and keep everything. */
static const char schema_v1[] =
    "CREATE TABLE chorusacct_schema(version INTEGER PRIMARY KEY,"
    " applied_at INTEGER NOT NULL);"
    "CREATE TABLE structure(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id_type INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " principal_id INTEGER NOT NULL, identifier TEXT NOT NULL,"
    " company_name TEXT NOT NULL);"
    "CREATE UNIQUE INDEX structure_key ON structure(id_type, identifier)"
    " WHERE identifier <> '';"
    "CREATE TABLE account(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " version INTEGER NOT NULL, state INTEGER NOT NULL,"
    " structure_id INTEGER, role INTEGER NOT NULL, lang INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " consent_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
    " activated_at INTEGER NOT NULL, decided_by INTEGER NOT NULL,"
    " locked_until INTEGER NOT NULL, resent_at INTEGER NOT NULL,"
    " failed_logins INTEGER NOT NULL, login_email TEXT NOT NULL,"
    " email_key TEXT NOT NULL UNIQUE, contact_email TEXT NOT NULL,"
    " first_name TEXT NOT NULL, last_name TEXT NOT NULL,"
    " phone TEXT NOT NULL, terms_version TEXT NOT NULL,"
    " password_hash TEXT NOT NULL, reason TEXT NOT NULL);"
    "CREATE TABLE token(hash BLOB PRIMARY KEY, account_id INTEGER NOT NULL,"
    " purpose INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TRIGGER account_tokens AFTER DELETE ON account BEGIN"
    " DELETE FROM token WHERE account_id = old.id; END;"
    "CREATE TABLE captcha(id_hash BLOB PRIMARY KEY,"
    " answer_hash BLOB NOT NULL, created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL, used_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " account_id INTEGER NOT NULL, kind INTEGER NOT NULL,"
    " lang INTEGER NOT NULL, status INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL, created_at INTEGER NOT NULL,"
    " next_attempt_at INTEGER NOT NULL, lease_until INTEGER NOT NULL,"
    " sent_at INTEGER NOT NULL, recipient TEXT NOT NULL, subject NOT NULL,"
    " body NOT NULL, last_error TEXT NOT NULL);"
    "CREATE TABLE event(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " account_id INTEGER NOT NULL, type INTEGER NOT NULL,"
    " time INTEGER NOT NULL, from_state INTEGER NOT NULL,"
    " to_state INTEGER NOT NULL, actor_id INTEGER NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE TABLE counter(name TEXT PRIMARY KEY, win INTEGER NOT NULL,"
    " n INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value BLOB NOT NULL)"
    " WITHOUT ROWID;"
    "INSERT INTO chorusacct_schema VALUES(1, 1700000000);"
    "INSERT INTO structure VALUES(7, 1, 1700000000, 3, '73282932000074',"
    " 'IBM France');"
    "INSERT INTO account VALUES(3, 4, 4, 7, 3, 1, 1700000000, 1700000100,"
    " 1700000000, 0, 1700000100, 0, 0, 0, 0, 'Jeanne@exemple.fr',"
    " 'jeanne@exemple.fr', 'jeanne@exemple.fr', 'Jeanne', 'Dupré', '',"
    " '2024-01', '$argon2id$x', '');"
    "INSERT INTO outbox VALUES(5, 3, 1, 1, 2, 1, 1700000000, 1700000000, 0,"
    " 1700000001, 'Jeanne@exemple.fr', 'Objet', 'Corps', '');"
    "INSERT INTO event VALUES(9, 3, 5, 1700000100, 3, 4, 0, '');"
    "INSERT INTO meta VALUES('secret', x'00ff');";

static void test_migrate_from_v1(void **state)
{
    fixture *f = *state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(raw_exec(db, schema_v1), SQLITE_OK);
    sqlite3_close(db);

    chorusacct_storage_ops *ops = open_ops(f);
    db = raw_open(f->path);
    assert_int_equal(raw_int(db, "SELECT max(version) FROM chorusacct_schema"),
                     2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE"
                                 " type = 'index' AND name IN"
                                 " ('account_structure', 'account_expiry',"
                                 " 'token_account', 'outbox_due',"
                                 " 'event_account')"),
                     5);
    sqlite3_stmt *chk = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &chk, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(chk), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(chk, 0), "ok");
    sqlite3_finalize(chk);
    sqlite3_close(db);

    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(ops->account_find(ops->user_data, "jeanne@exemple.fr", &a),
                CHORUSACCT_OK, NULL);
    assert_int_equal(a.id, 3);
    assert_int_equal(a.version, 4);
    assert_int_equal(a.structure_id, 7);
    assert_string_equal(a.last_name, "Dupré");
    assert_string_equal(a.password_hash, "$argon2id$x");
    chorusacct_structure s = {.struct_size = sizeof s};
    assert_code(ops->structure_find(ops->user_data, 1, "73282932000074", &s),
                CHORUSACCT_OK, NULL);
    assert_int_equal(s.principal_id, 3);
    chorusacct_message m = {.struct_size = sizeof m};
    size_t n = 0;
    assert_code(ops->outbox_list(ops->user_data, 0, 0, &m, 1, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    assert_string_equal(m.subject, "Objet");
    assert_string_equal(m.body, "Corps");
    uint8_t v[4];
    size_t len = 0;
    assert_code(ops->meta_get(ops->user_data, "secret", v, sizeof v, &len),
                CHORUSACCT_OK, NULL);
    assert_int_equal(len, 2);
    assert_int_equal(v[1], 0xff);
    /* New ids continue after the migrated ones. */
    chorusacct_account b = insert_account(ops, 1);
    assert_true(b.id > 3);
}

/* ------------------------------------------------------------------ */
/* Accounts and structures                                              */

static void test_accounts_crud_and_unique_key(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_account a = {.struct_size = sizeof a},
                       b = {.struct_size = sizeof b},
                       got = {.struct_size = sizeof got};
    sample_account(&a, 1);
    a.decided_by = 42;
    a.reserved1 = INT64_MAX;
    a.reserved2 = INT32_MAX;
    a.resent_at = -5;
    snprintf(a.password_hash, sizeof a.password_hash,
             "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA");
    memset(a.reason, 'r', sizeof a.reason - 1); /* a full field */
    a.reason[sizeof a.reason - 1] = '\0';
    a.version = 77; /* ignored: an insert starts at 1 */
    assert_code(ops->account_insert(ud, &a), CHORUSACCT_OK, NULL);
    assert_true(a.id > 0);
    assert_int_equal(a.version, 1);

    memset(&got, 0xaa, sizeof got);
    assert_code(ops->account_get(ud, a.id, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &a, sizeof a);
    memset(&got, 0xaa, sizeof got);
    assert_code(ops->account_find(ud, a.email_key, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &a, sizeof a);

    /* Missing records, and outputs untouched on failure. */
    memset(&got, 0xaa, sizeof got);
    assert_code(ops->account_get(ud, a.id + 1000, &got), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(ops->account_find(ud, "nobody@exemple.fr", &got),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_int_equal(got.struct_size, 0xaaaaaaaa);
    /* The key is compared exactly: case-folding is the library's. */
    char upper[CHORUSACCT_EMAIL_SIZE];
    snprintf(upper, sizeof upper, "%s", a.email_key);
    upper[0] = 'C';
    assert_code(ops->account_find(ud, upper, &got), CHORUSACCT_E_NOTFOUND,
                NULL);

    /* Unique e-mail key. */
    sample_account(&b, 1);
    assert_code(ops->account_insert(ud, &b), CHORUSACCT_E_EXISTS, NULL);
    assert_int_equal(b.id, 0);
    sample_account(&b, 2);
    assert_code(ops->account_insert(ud, &b), CHORUSACCT_OK, NULL);
    assert_true(b.id > a.id);

    /* Compare-and-set. */
    chorusacct_account stale = a;
    a.state = CHORUSACCT_STATE_ACTIVE;
    a.activated_at = 1700000500;
    assert_code(ops->account_update(ud, &a), CHORUSACCT_OK, NULL);
    assert_int_equal(a.version, 2);
    assert_code(ops->account_get(ud, a.id, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &a, sizeof a);
    stale.state = CHORUSACCT_STATE_REJECTED;
    assert_code(ops->account_update(ud, &stale), CHORUSACCT_E_CONFLICT, NULL);
    assert_int_equal(stale.version, 1);
    assert_code(ops->account_get(ud, a.id, &got), CHORUSACCT_OK, NULL);
    assert_int_equal(got.state, CHORUSACCT_STATE_ACTIVE);
    stale.id = a.id + 1000;
    assert_code(ops->account_update(ud, &stale), CHORUSACCT_E_NOTFOUND, NULL);
    /* An update that takes another account's key. */
    chorusacct_account clash = b;
    snprintf(clash.email_key, sizeof clash.email_key, "%s", a.email_key);
    assert_code(ops->account_update(ud, &clash), CHORUSACCT_E_EXISTS, NULL);
    assert_int_equal(clash.version, 1);

    /* A text field without its NUL is refused, not truncated. */
    chorusacct_account bad = {.struct_size = sizeof bad};
    sample_account(&bad, 3);
    memset(bad.first_name, 'x', sizeof bad.first_name);
    assert_code(ops->account_insert(ud, &bad), CHORUSACCT_E_ARG, NULL);
    assert_code(ops->account_find(ud, bad.email_key, &got),
                CHORUSACCT_E_NOTFOUND, NULL);

    /* Deletion; ids are never reused, even the highest one's. */
    assert_code(ops->account_delete(ud, b.id), CHORUSACCT_OK, NULL);
    assert_code(ops->account_delete(ud, b.id), CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->account_get(ud, b.id, &got), CHORUSACCT_E_NOTFOUND, NULL);
    chorusacct_account c = insert_account(ops, 2);
    assert_true(c.id > b.id);

    assert_code(ops->account_get(ud, 1, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(ops->account_find(ud, NULL, &got), CHORUSACCT_E_ARG, NULL);
    assert_code(ops->account_insert(ud, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(ops->account_update(ud, NULL), CHORUSACCT_E_ARG, NULL);
}

static void test_account_list(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_structure s1 = {.struct_size = sizeof s1},
                         s2 = {.struct_size = sizeof s2};
    sample_structure(&s1, 1);
    sample_structure(&s2, 2);
    assert_code(ops->structure_insert(ud, &s1), CHORUSACCT_OK, NULL);
    assert_code(ops->structure_insert(ud, &s2), CHORUSACCT_OK, NULL);
    int64_t ids[12];
    for (long i = 0; i < 12; i++) {
        chorusacct_account a = {.struct_size = sizeof a};
        sample_account(&a, i);
        a.state = (int32_t)(1 + i % 4);
        a.structure_id = i % 3 == 0 ? 0 : i % 3 == 1 ? s1.id : s2.id;
        a.role = (int32_t)(1 + i % 3);
        a.expires_at = i % 2 == 0 ? 0 : 1000 + i;
        assert_code(ops->account_insert(ud, &a), CHORUSACCT_OK, NULL);
        ids[i] = a.id;
    }
    chorusacct_account out[16] = {{.struct_size = sizeof out[0]}};
    size_t n = 99;
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = (uint32_t)sizeof q;

    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 12);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i].id, ids[i]);

    /* Paging: max, then after_id. */
    assert_code(ops->account_list(ud, &q, out, 5, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 5);
    q.after_id = out[4].id;
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 7);
    assert_int_equal(out[0].id, ids[5]);
    assert_code(ops->account_list(ud, &q, out, 0, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 0);
    q.after_id = 0;

    /* Each filter, alone and together. */
    q.state = 2;
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3); /* i = 1, 5, 9 */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i].state, 2);
    q.state = 0;
    q.structure_id = s1.id;
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 4); /* i = 1, 4, 7, 10 */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(out[i].structure_id, s1.id);
    q.min_role = 3;
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 0); /* role of i = 1 (mod 3) is 2 */
    q.min_role = 2;
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 4);
    q.structure_id = 0;
    q.min_role = 0;
    q.expires_before = 1006; /* expires_at in (0, 1006): i = 1, 3, 5 */
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_int_equal(out[0].id, ids[1]);
    assert_int_equal(out[2].id, ids[5]);
    q.state = 4; /* i = 3 */
    assert_code(ops->account_list(ud, &q, out, 16, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, ids[3]);

    assert_code(ops->account_list(ud, NULL, out, 16, &n), CHORUSACCT_E_ARG,
                NULL);
    assert_code(ops->account_list(ud, &q, NULL, 16, &n), CHORUSACCT_E_ARG,
                NULL);
}

static void test_structures_unique_identifier(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_structure s = {.struct_size = sizeof s},
                         t = {.struct_size = sizeof t},
                         got = {.struct_size = sizeof got};
    sample_structure(&s, 1);
    assert_code(ops->structure_insert(ud, &s), CHORUSACCT_OK, NULL);
    assert_true(s.id > 0);
    memset(&got, 0xaa, sizeof got);
    assert_code(ops->structure_get(ud, s.id, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &s, sizeof s);
    memset(&got, 0xaa, sizeof got);
    assert_code(ops->structure_find(ud, s.id_type, s.identifier, &got),
                CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &s, sizeof s);
    assert_code(ops->structure_find(ud, 2, s.identifier, &got),
                CHORUSACCT_E_NOTFOUND, NULL);

    /* Same type and identifier: taken; another type: distinct. */
    sample_structure(&t, 1);
    assert_code(ops->structure_insert(ud, &t), CHORUSACCT_E_EXISTS, NULL);
    t.id_type = 2;
    assert_code(ops->structure_insert(ud, &t), CHORUSACCT_OK, NULL);

    /* Types without a value: every structure is distinct, and none is
     * found by its empty identifier. */
    for (int i = 0; i < 3; i++) {
        sample_structure(&t, 10 + i);
        t.id_type = 7;
        t.identifier[0] = '\0';
        assert_code(ops->structure_insert(ud, &t), CHORUSACCT_OK, NULL);
    }
    assert_code(ops->structure_find(ud, 7, "", &got), CHORUSACCT_E_NOTFOUND,
                NULL);

    s.principal_id = 12;
    memset(s.company_name, 0, sizeof s.company_name);
    snprintf(s.company_name, sizeof s.company_name, "Autre raison sociale");
    assert_code(ops->structure_update(ud, &s), CHORUSACCT_OK, NULL);
    assert_code(ops->structure_get(ud, s.id, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &s, sizeof s);
    t = s;
    t.id = s.id + 1000;
    assert_code(ops->structure_update(ud, &t), CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->structure_delete(ud, s.id), CHORUSACCT_OK, NULL);
    assert_code(ops->structure_delete(ud, s.id), CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->structure_get(ud, s.id, &got), CHORUSACCT_E_NOTFOUND,
                NULL);
    /* The identifier is free again. */
    sample_structure(&t, 1);
    assert_code(ops->structure_insert(ud, &t), CHORUSACCT_OK, NULL);
    assert_true(t.id > s.id);
}

static chorusacct_token make_token(int64_t account_id, uint8_t tag)
{
    chorusacct_token t;
    memset(&t, 0, sizeof t);
    t.struct_size = (uint32_t)sizeof t;
    t.purpose = 1;
    t.account_id = account_id;
    t.created_at = 1000;
    t.expires_at = 4600;
    for (int i = 0; i < 32; i++)
        t.hash[i] = (uint8_t)(tag * 31 + i);
    return t;
}

/* The database itself refuses duplicates, whoever writes. */
static void test_constraints_in_database(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    chorusacct_account a = insert_account(ops, 1);
    chorusacct_structure s = {.struct_size = sizeof s};
    sample_structure(&s, 1);
    assert_code(ops->structure_insert(ops->user_data, &s), CHORUSACCT_OK, NULL);

    sqlite3 *db = raw_open(f->path);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO account(version, state, role, lang, created_at,"
             " updated_at, consent_at, expires_at, activated_at, decided_by,"
             " locked_until, resent_at, failed_logins, login_email,"
             " email_key, contact_email, first_name, last_name, phone,"
             " terms_version, password_hash, reason) VALUES(1, 1, 1, 0, 0,"
             " 0, 0, 0, 0, 0, 0, 0, 0, 'x', '%s', '', '', '', '', '', '',"
             " '')",
             a.email_key);
    assert_int_equal(raw_exec(db, sql), SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_UNIQUE);
    snprintf(sql, sizeof sql,
             "INSERT INTO structure(id_type, created_at, principal_id,"
             " identifier, company_name) VALUES(1, 0, 0, '%s', 'x')",
             s.identifier);
    assert_int_equal(raw_exec(db, sql), SQLITE_CONSTRAINT);
    assert_int_equal(sqlite3_extended_errcode(db), SQLITE_CONSTRAINT_UNIQUE);
    /* An account's tokens go with it, whoever deletes it. */
    chorusacct_token t = make_token(a.id, 1), got;
    assert_code(ops->token_insert(ops->user_data, &t), CHORUSACCT_OK, NULL);
    snprintf(sql, sizeof sql, "DELETE FROM account WHERE id = %lld",
             (long long)a.id);
    assert_int_equal(raw_exec(db, sql), SQLITE_OK);
    assert_code(ops->token_get(ops->user_data, t.hash, &got),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_int_equal(raw_exec(db, "INSERT INTO structure(id_type,"
                                  " created_at, principal_id, identifier,"
                                  " company_name) VALUES(7, 0, 0, '', 'a'),"
                                  " (7, 0, 0, '', 'b')"),
                     SQLITE_OK);
    sqlite3_close(db);
}

/* ------------------------------------------------------------------ */
/* Tokens and captcha challenges                                        */

static void test_tokens_single_use_and_revocation(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_account a = insert_account(ops, 1);
    chorusacct_account b = insert_account(ops, 2);
    chorusacct_token t1 = make_token(a.id, 1), t2 = make_token(a.id, 2);
    chorusacct_token t3 = make_token(a.id, 3), t4 = make_token(b.id, 4);
    chorusacct_token got;
    t3.purpose = 2;
    assert_code(ops->token_insert(ud, &t1), CHORUSACCT_OK, NULL);
    assert_code(ops->token_insert(ud, &t2), CHORUSACCT_OK, NULL);
    assert_code(ops->token_insert(ud, &t3), CHORUSACCT_OK, NULL);
    assert_code(ops->token_insert(ud, &t4), CHORUSACCT_OK, NULL);
    assert_code(ops->token_insert(ud, &t1), CHORUSACCT_E_EXISTS, NULL);
    /* The contract does not tie a token to an existing account. */
    chorusacct_token orphan = make_token(a.id + 1000, 5);
    assert_code(ops->token_insert(ud, &orphan), CHORUSACCT_OK, NULL);

    memset(&got, 0xaa, sizeof got);
    assert_code(ops->token_get(ud, t1.hash, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &t1, sizeof t1);
    chorusacct_token missing = make_token(a.id, 9);
    assert_code(ops->token_get(ud, missing.hash, &got), CHORUSACCT_E_NOTFOUND,
                NULL);

    /* Single use. */
    assert_code(ops->token_consume(ud, t1.hash, 2000), CHORUSACCT_OK, NULL);
    assert_code(ops->token_consume(ud, t1.hash, 2001), CHORUSACCT_E_CONFLICT,
                NULL);
    assert_code(ops->token_get(ud, t1.hash, &got), CHORUSACCT_OK, NULL);
    assert_int_equal(got.used_at, 2000);
    assert_code(ops->token_consume(ud, missing.hash, 2000),
                CHORUSACCT_E_NOTFOUND, NULL);

    /* Revocation: the unused ones of that account and purpose only. */
    assert_code(ops->token_revoke(ud, a.id, 1, 3000), CHORUSACCT_OK, NULL);
    assert_code(ops->token_get(ud, t1.hash, &got), CHORUSACCT_OK, NULL);
    assert_int_equal(got.used_at, 2000);
    assert_code(ops->token_get(ud, t2.hash, &got), CHORUSACCT_OK, NULL);
    assert_int_equal(got.used_at, 3000);
    assert_code(ops->token_get(ud, t3.hash, &got), CHORUSACCT_OK, NULL);
    assert_int_equal(got.used_at, 0);
    assert_code(ops->token_get(ud, t4.hash, &got), CHORUSACCT_OK, NULL);
    assert_int_equal(got.used_at, 0);
    assert_code(ops->token_consume(ud, t2.hash, 3001), CHORUSACCT_E_CONFLICT,
                NULL);

    /* Deleting an account deletes its tokens, not the others'. */
    assert_code(ops->account_delete(ud, a.id), CHORUSACCT_OK, NULL);
    assert_code(ops->token_get(ud, t1.hash, &got), CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->token_get(ud, t3.hash, &got), CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->token_get(ud, t4.hash, &got), CHORUSACCT_OK, NULL);
    assert_code(ops->token_get(ud, orphan.hash, &got), CHORUSACCT_OK, NULL);
    assert_code(ops->token_get(ud, NULL, &got), CHORUSACCT_E_ARG, NULL);
    assert_code(ops->token_consume(ud, NULL, 1), CHORUSACCT_E_ARG, NULL);
}

static void test_captcha_round_trip(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_captcha c, got;
    memset(&c, 0, sizeof c);
    c.struct_size = (uint32_t)sizeof c;
    c.created_at = 100;
    c.expires_at = 700;
    for (int i = 0; i < 32; i++) {
        c.id_hash[i] = (uint8_t)i;
        c.answer_hash[i] = (uint8_t)(255 - i);
    }
    assert_code(ops->captcha_insert(ud, &c), CHORUSACCT_OK, NULL);
    assert_code(ops->captcha_insert(ud, &c), CHORUSACCT_E_EXISTS, NULL);
    memset(&got, 0xaa, sizeof got);
    assert_code(ops->captcha_get(ud, c.id_hash, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &c, sizeof c);
    c.used_at = 150;
    assert_code(ops->captcha_update(ud, &c), CHORUSACCT_OK, NULL);
    assert_code(ops->captcha_get(ud, c.id_hash, &got), CHORUSACCT_OK, NULL);
    assert_memory_equal(&got, &c, sizeof c);
    c.id_hash[0] ^= 1;
    assert_code(ops->captcha_get(ud, c.id_hash, &got), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(ops->captcha_update(ud, &c), CHORUSACCT_E_NOTFOUND, NULL);
}

/* ------------------------------------------------------------------ */
/* Outbox and events                                                    */

static void test_outbox_claims_leases_and_lists(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_structure s = {.struct_size = sizeof s};
    sample_structure(&s, 3);
    chorusacct_message m[6] = {{.struct_size = sizeof m[0]}},
                       out[8] = {{.struct_size = sizeof out[0]}};
    int64_t ids[6];
    for (int i = 0; i < 6; i++) {
        chorusacct_account a = {.struct_size = sizeof a};
        sample_account(&a, i);
        a.id = 100 + i;
        sample_message(&m[i], 1 + i % 2, &a, &s);
        m[i].next_attempt_at = 1000 + 10 * i;
        assert_code(ops->outbox_insert(ud, &m[i]), CHORUSACCT_OK, NULL);
        ids[i] = m[i].id;
        assert_true(i == 0 || ids[i] > ids[i - 1]);
    }
    size_t n = 99;
    assert_code(ops->outbox_list(ud, 0, 0, out, 8, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 6);
    for (int i = 0; i < 6; i++)
        assert_memory_equal(&out[i], &m[i], sizeof m[i]);

    /* Due at 1025: messages 0..2, oldest first, leased. */
    assert_code(ops->outbox_claim(ud, 1025, 1085, out, 2, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 2);
    assert_int_equal(out[0].id, ids[0]);
    assert_int_equal(out[1].id, ids[1]);
    assert_int_equal(out[0].lease_until, 1085);
    assert_string_equal(out[1].body, m[1].body);
    assert_code(ops->outbox_claim(ud, 1025, 1085, out, 8, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, ids[2]);
    assert_code(ops->outbox_claim(ud, 1025, 1085, out, 8, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 0);
    /* Once the leases run out, the pending ones come back. */
    m[0].status = CHORUSACCT_MSG_SENT;
    m[0].attempts = 1;
    m[0].sent_at = 1030;
    m[0].lease_until = 0;
    assert_code(ops->outbox_update(ud, &m[0]), CHORUSACCT_OK, NULL);
    m[1].attempts = 1;
    m[1].next_attempt_at = 1200;
    m[1].lease_until = 0;
    snprintf(m[1].last_error, sizeof m[1].last_error, "421 try later");
    assert_code(ops->outbox_update(ud, &m[1]), CHORUSACCT_OK, NULL);
    assert_code(ops->outbox_claim(ud, 1085, 1145, out, 8, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 4); /* 2, 3, 4, 5 */
    assert_int_equal(out[0].id, ids[2]);
    assert_int_equal(out[3].id, ids[5]);

    /* Listing by status and after an id. */
    assert_code(ops->outbox_list(ud, CHORUSACCT_MSG_SENT, 0, out, 8, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    assert_memory_equal(&out[0], &m[0], sizeof m[0]);
    assert_code(
        ops->outbox_list(ud, CHORUSACCT_MSG_PENDING, ids[1], out, 8, &n),
        CHORUSACCT_OK, NULL);
    assert_int_equal(n, 4);
    assert_int_equal(out[0].id, ids[2]);
    assert_code(ops->outbox_list(ud, CHORUSACCT_MSG_PENDING, 0, out, 1, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    assert_memory_equal(&out[0], &m[1], sizeof m[1]);

    m[0].id = ids[5] + 100;
    assert_code(ops->outbox_update(ud, &m[0]), CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->outbox_claim(ud, 0, 1, NULL, 1, &n), CHORUSACCT_E_ARG,
                NULL);
}

/* Outbox texts are kept as given, byte for byte, as TEXT of their own
 * length: what the flow queues (an empty subject, a snapshot of values
 * with control bytes), rendered texts, random bytes, texts at the size
 * limit. */
static void test_outbox_texts(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    static chorusacct_message m, got;
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_structure s = {.struct_size = sizeof s};
    sample_account(&a, 5);
    a.id = 5;
    sample_structure(&s, 5);
    sample_snapshot(&m, 1, &a, &s);
    assert_code(ops->outbox_insert(ud, &m), CHORUSACCT_OK, NULL);
    int64_t queued = m.id;
    size_t queued_len = strlen(m.body), n = 0;
    assert_code(ops->outbox_list(ud, 0, queued - 1, &got, 1, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 1);
    assert_memory_equal(&got, &m, sizeof m);

    const char *subjects[] = {"", "x", "Ünïcødé ✓", "abcdefghij"};
    uint32_t seed = 12345;
    for (int k = 0; k < 8; k++) {
        memset(&m, 0, sizeof m);
        m.struct_size = (uint32_t)sizeof m;
        m.status = CHORUSACCT_MSG_PENDING;
        snprintf(m.subject, sizeof m.subject, "%s", subjects[k % 4]);
        size_t len = k < 4 ? (size_t)k * 3 : sizeof m.body - 1 - (size_t)k;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t r = seed >> 16;
            m.body[i] = k % 2 == 0 ? (char)(1 + r % 255) : "ab"[r % 2];
        }
        m.body[len] = '\0';
        assert_code(ops->outbox_insert(ud, &m), CHORUSACCT_OK, NULL);
        assert_code(ops->outbox_list(ud, 0, m.id - 1, &got, 1, &n),
                    CHORUSACCT_OK, NULL);
        assert_int_equal(n, 1);
        assert_memory_equal(&got, &m, sizeof m);
    }

    sqlite3 *db = raw_open(f->path);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT typeof(body) = 'text' AND length(CAST(body AS BLOB)) = %zu"
             " AND typeof(subject) = 'text' FROM outbox WHERE id = %lld",
             queued_len, (long long)queued);
    assert_int_equal(raw_int(db, sql), 1);
    sqlite3_close(db);
}

/* A BLOB where a text belongs (development builds before 0.1.0 stored
 * packed outbox texts so) is refused, whatever it holds: never read as
 * text. */
/* Point 11 of issue 12: the database holds the key secret, password
 * hashes and personal data; it is created 0600, and so are its -wal and
 * -shm files, whatever the umask. */
static void test_new_file_private_whatever_umask(void **state)
{
    fixture *f = *state;
    mode_t old = umask(022);
    chorusacct_storage_ops *ops = open_ops(f);
    chorusacct_account a = insert_account(ops, 1);
    assert_true(a.id > 0);
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < ARRAY_LEN(ext); i++) {
        char p[128];
        struct stat st;
        snprintf(p, sizeof p, "%s%s", f->path, ext[i]);
        assert_int_equal(stat(p, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s: mode %o, want 600", p, (unsigned)(st.st_mode & 0777));
    }
    close_ops(f);
    /* An existing file keeps the mode its owner gave it. */
    assert_int_equal(chmod(f->path, 0640), 0);
    open_ops(f);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    umask(old);
}

/* Issue 12, point 10: storage errors keep their cause. */

/* A read-only connection (the flag; a file this process may only read is
 * opened so too, which a test run as root cannot show with chmod): reads
 * work, writes answer READONLY, counters count in memory. */
static void test_read_only_database(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    chorusacct_account a = insert_account(ops, 1);
    assert_code(ops->meta_set(ops->user_data, "k", (const uint8_t *)"v", 1),
                CHORUSACCT_OK, NULL);
    uint32_t n = 0;
    assert_code(ops->counter_add(ops->user_data, "c", 100, 2, &n),
                CHORUSACCT_OK, NULL);
    close_ops(f);

    f->ops.struct_size = (uint32_t)sizeof f->ops;
    assert_code(
        chorusacct_sqlite_ops(&f->ops, f->path, CHORUSACCT_SQLITE_READ_ONLY),
        CHORUSACCT_OK, NULL);
    f->open = true;
    void *ud = f->ops.user_data;
    chorusacct_account got = {.struct_size = sizeof got};
    assert_code(f->ops.account_get(ud, a.id, &got), CHORUSACCT_OK, NULL);
    assert_string_equal(got.login_email, a.login_email);
    chorusacct_account b = {.struct_size = sizeof b};
    sample_account(&b, 2);
    assert_code(f->ops.account_insert(ud, &b), CHORUSACCT_E_READONLY, NULL);
    assert_code(f->ops.begin(ud), CHORUSACCT_E_READONLY, NULL);
    assert_code(f->ops.meta_set(ud, "k", (const uint8_t *)"w", 1),
                CHORUSACCT_E_READONLY, NULL);
    /* Counters: the stored count plus this connection's. */
    assert_code(f->ops.counter_add(ud, "c", 100, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_code(f->ops.counter_add(ud, "c", 100, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 4);
    assert_code(f->ops.counter_add(ud, "c", 200, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    close_ops(f);

    /* Nothing was written. */
    sqlite3 *db = raw_open(f->path);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM account"), 1);
    assert_int_equal(raw_int(db, "SELECT n FROM counter WHERE name = 'c'"), 2);
    sqlite3_close(db);
}

/* The write lock held by another connection: BUSY after the busy
 * timeout for a transaction; a counter outside one does not wait. */
static void test_locked_database(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    uint32_t n = 0;
    assert_code(ops->counter_add(ud, "c", 100, 1, &n), CHORUSACCT_OK, NULL);
    sqlite3 *db = raw_open(f->path);
    assert_int_equal(raw_exec(db, "BEGIN IMMEDIATE"), SQLITE_OK);
    assert_code(ops->counter_add(ud, "c", 100, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 2);
    assert_code(ops->counter_add(ud, "c", 100, 0, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 2);
    assert_int_equal(raw_exec(db, "COMMIT"), SQLITE_OK);
    /* Written at the next change once the lock is free. */
    assert_code(ops->counter_add(ud, "c", 100, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_int_equal(raw_int(db, "SELECT n FROM counter WHERE name = 'c'"), 3);
    sqlite3_close(db);
}

/* Every new connection of the process gets a page limit, which makes a
 * full disk happen at will. */
static int max_pages_entry(sqlite3 *db, const char **err,
                           const struct sqlite3_api_routines *api)
{
    (void)err;
    (void)api;
    return sqlite3_exec(db, "PRAGMA max_page_count = 16", NULL, NULL, NULL);
}

static void test_full_database(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    close_ops(f);
    /* void (*)(void) is the generic function pointer type of C. */
    assert_int_equal(sqlite3_auto_extension((void (*)(void))max_pages_entry),
                     SQLITE_OK);
    ops = open_ops(f);
    int rc = CHORUSACCT_OK;
    for (long i = 0; i < 10000 && rc == CHORUSACCT_OK; i++) {
        chorusacct_account a = {.struct_size = sizeof a};
        sample_account(&a, i);
        rc = ops->account_insert(ops->user_data, &a);
    }
    sqlite3_reset_auto_extension();
    assert_code(rc, CHORUSACCT_E_FULL, NULL);
    assert_string_equal(chorusacct_status_name(rc), "FULL");
}

/* A database file damaged inside (a page overwritten): CORRUPT, not
 * STORAGE. */
static void test_corrupt_database(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    for (long i = 0; i < 200; i++)
        insert_account(ops, i);
    close_ops(f);
    FILE *fp = fopen(f->path, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 4096 * 3, SEEK_SET), 0);
    static uint8_t junk[4096 * 8];
    memset(junk, 0xA5, sizeof junk);
    assert_int_equal(fwrite(junk, 1, sizeof junk, fp), sizeof junk);
    assert_int_equal(fclose(fp), 0);
    f->ops.struct_size = (uint32_t)sizeof f->ops;
    int rc = chorusacct_sqlite_ops(&f->ops, f->path, 0);
    if (rc == CHORUSACCT_OK) {
        f->open = true;
        static chorusacct_account out[256];
        chorusacct_account_query q = {.struct_size = sizeof q};
        size_t n = 0;
        out[0].struct_size = (uint32_t)sizeof out[0];
        for (size_t i = 0; i < 256; i++)
            out[i].struct_size = (uint32_t)sizeof out[i];
        rc = f->ops.account_list(f->ops.user_data, &q, out, 256, &n);
    }
    assert_code(rc, CHORUSACCT_E_CORRUPT, NULL);
}

static void test_outbox_blob_refused(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    static chorusacct_message m, got;
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_structure s = {.struct_size = sizeof s};
    sample_account(&a, 9);
    sample_structure(&s, 9);
    sample_message(&m, 2, &a, &s);
    assert_code(ops->outbox_insert(ud, &m), CHORUSACCT_OK, NULL);

    sqlite3 *db = raw_open(f->path);
    sqlite3_stmt *wr = NULL;
    const char *cols[] = {"body", "subject"};
    uint8_t blob[300];
    uint32_t seed = 77;
    for (int k = 0; k < 40; k++) {
        char sql[64];
        snprintf(sql, sizeof sql, "UPDATE outbox SET %s = ?", cols[k % 2]);
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &wr, NULL), SQLITE_OK);
        size_t len = 1 + (size_t)k * 7 % sizeof blob;
        for (size_t j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            blob[j] = (uint8_t)(seed >> 24);
        }
        blob[0] = 1; /* as the packer's dictionary number */
        sqlite3_bind_blob(wr, 1, blob, (int)len, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(wr), SQLITE_DONE);
        sqlite3_finalize(wr);
        /* Handed out all the same, dead with the reason (issue 12,
         * point 7): the damaged text is empty, the rest as stored. */
        size_t n = 0;
        assert_code(ops->outbox_list(ud, 0, 0, &got, 1, &n), CHORUSACCT_OK,
                    NULL);
        assert_int_equal(n, 1);
        assert_int_equal(got.id, m.id);
        assert_int_equal(got.status, CHORUSACCT_MSG_DEAD);
        assert_string_equal(k % 2 == 0 ? got.body : got.subject, "");
        char want[64];
        snprintf(want, sizeof want, "stored row does not decode (%s)",
                 cols[k % 2]);
        assert_string_equal(got.last_error, want);
        assert_string_equal(got.to, m.to);
        /* Put the text back before spoiling the other column. */
        snprintf(sql, sizeof sql, "UPDATE outbox SET %s = 'x'", cols[k % 2]);
        assert_int_equal(raw_exec(db, sql), SQLITE_OK);
    }
    size_t n = 0;
    assert_code(ops->outbox_list(ud, 0, 0, &got, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    sqlite3_close(db);
}

static void test_events_in_order_by_account(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_event e[7] = {{.struct_size = sizeof e[0]}},
                     out[8] = {{.struct_size = sizeof out[0]}};
    for (int i = 0; i < 7; i++) {
        memset(&e[i], 0, sizeof e[i]);
        e[i].struct_size = (uint32_t)sizeof e[i];
        e[i].type = 1 + i;
        e[i].time = 500 + i;
        e[i].account_id = 10 + i % 2;
        e[i].from_state = i;
        e[i].to_state = i + 1;
        e[i].actor_id = i == 3 ? 99 : 0;
        snprintf(e[i].reason, sizeof e[i].reason, "raison n°%d", i);
        assert_code(ops->event_append(ud, &e[i]), CHORUSACCT_OK, NULL);
        assert_true(i == 0 || e[i].id > e[i - 1].id);
    }
    size_t n = 0;
    assert_code(ops->event_list(ud, 0, 0, out, 8, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 7);
    for (int i = 0; i < 7; i++)
        assert_memory_equal(&out[i], &e[i], sizeof e[i]);
    assert_code(ops->event_list(ud, 11, 0, out, 8, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_memory_equal(&out[1], &e[3], sizeof e[3]);
    assert_code(ops->event_list(ud, 10, e[2].id, out, 1, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 1);
    assert_memory_equal(&out[0], &e[4], sizeof e[4]);
    assert_code(ops->event_list(ud, 12, 0, out, 8, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 0);
}

/* ------------------------------------------------------------------ */
/* Transactions, counters, settings, collection                         */

static void test_transactions_isolate_and_roll_back(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_storage_ops other = {.struct_size = sizeof other};
    assert_code(chorusacct_sqlite_ops(&other, f->path, 0), CHORUSACCT_OK, NULL);
    chorusacct_account a = {.struct_size = sizeof a},
                       got = {.struct_size = sizeof got};

    assert_code(ops->commit(ud), CHORUSACCT_E_STORAGE, NULL);
    assert_code(ops->rollback(ud), CHORUSACCT_E_STORAGE, NULL);

    /* Rolled back: nothing stays. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    assert_code(ops->begin(ud), CHORUSACCT_E_STORAGE, NULL);
    a = insert_account(ops, 1);
    assert_code(ops->account_get(ud, a.id, &got), CHORUSACCT_OK, NULL);
    chorusacct_event e = {.struct_size = sizeof e};
    sample_event(&e, CHORUSACCT_EV_SIGNUP, &a);
    assert_code(ops->event_append(ud, &e), CHORUSACCT_OK, NULL);
    /* Another connection sees the state before the transaction. */
    assert_code(other.account_get(other.user_data, a.id, &got),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->rollback(ud), CHORUSACCT_OK, NULL);
    assert_code(ops->account_get(ud, a.id, &got), CHORUSACCT_E_NOTFOUND, NULL);
    size_t n = 9;
    assert_code(ops->event_list(ud, 0, 0, &e, 1, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 0);

    /* Committed: everything stays, for every connection. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    a = insert_account(ops, 1);
    a.state = CHORUSACCT_STATE_ACTIVE;
    assert_code(ops->account_update(ud, &a), CHORUSACCT_OK, NULL);
    assert_code(ops->commit(ud), CHORUSACCT_OK, NULL);
    assert_code(other.account_get(other.user_data, a.id, &got), CHORUSACCT_OK,
                NULL);
    assert_int_equal(got.version, 2);

    /* A failed operation inside a transaction does not end it. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    chorusacct_account dup = {.struct_size = sizeof dup};
    sample_account(&dup, 1);
    assert_code(ops->account_insert(ud, &dup), CHORUSACCT_E_EXISTS, NULL);
    chorusacct_account b = insert_account(ops, 2);
    assert_code(ops->commit(ud), CHORUSACCT_OK, NULL);
    assert_code(other.account_get(other.user_data, b.id, &got), CHORUSACCT_OK,
                NULL);

    /* A write transaction waits for the other's, then gives up with
     * BUSY when it is not released within the busy timeout. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    assert_code(other.begin(other.user_data), CHORUSACCT_E_BUSY, NULL);
    /* Reads go on meanwhile (WAL). */
    assert_code(other.account_get(other.user_data, b.id, &got), CHORUSACCT_OK,
                NULL);
    assert_code(ops->commit(ud), CHORUSACCT_OK, NULL);
    assert_code(other.begin(other.user_data), CHORUSACCT_OK, NULL);
    assert_code(other.commit(other.user_data), CHORUSACCT_OK, NULL);

    /* Freeing a table in the middle of a transaction rolls it back. */
    assert_code(other.begin(other.user_data), CHORUSACCT_OK, NULL);
    sample_account(&dup, 3);
    assert_code(other.account_insert(other.user_data, &dup), CHORUSACCT_OK,
                NULL);
    other.destroy(other.user_data);
    assert_code(ops->account_get(ud, dup.id, &got), CHORUSACCT_E_NOTFOUND,
                NULL);
}

/* counter_add(), asserted to succeed; returns the count. */
static uint32_t count_add(chorusacct_storage_ops *ops, const char *key,
                          int64_t window, uint32_t delta)
{
    uint32_t n = 0;
    assert_code(ops->counter_add(ops->user_data, key, window, delta, &n),
                CHORUSACCT_OK, NULL);
    return n;
}

static void test_counters_windows_and_saturation(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    uint32_t n = 0;
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 1), 1);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 2), 3);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 0), 3);
    assert_int_equal(count_add(ops, "other", 3600, 0), 0);

    /* Inside a transaction that rolls back: the count stays. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 1), 4);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 1), 5);
    count_add(ops, "captcha:x", 100, 1);
    insert_account(ops, 1);
    assert_code(ops->rollback(ud), CHORUSACCT_OK, NULL);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 0), 5);
    assert_int_equal(count_add(ops, "captcha:x", 100, 0), 1);
    chorusacct_account got = {.struct_size = sizeof got};
    chorusacct_account a = {.struct_size = sizeof a};
    sample_account(&a, 1);
    assert_code(ops->account_find(ud, a.email_key, &got), CHORUSACCT_E_NOTFOUND,
                NULL);

    /* Inside a transaction that commits: counted once. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    count_add(ops, "signup:key:ab", 3600, 1);
    assert_code(ops->commit(ud), CHORUSACCT_OK, NULL);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 0), 6);

    /* A new window starts again; an older one (a clock behind) counts
     * against the newer window, not as a fresh one. */
    assert_int_equal(count_add(ops, "signup:key:ab", 7200, 1), 1);
    assert_int_equal(count_add(ops, "signup:key:ab", 3600, 1), 2);
    assert_int_equal(count_add(ops, "signup:key:ab", 7200, 1), 3);

    /* Counts saturate rather than wrap. */
    count_add(ops, "big", 0, UINT32_MAX);
    assert_int_equal(count_add(ops, "big", 0, 5), UINT32_MAX);

    char key[CHORUSACCT_KEY_SIZE + 1];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_code(ops->counter_add(ud, key, 0, 1, &n), CHORUSACCT_E_ARG, NULL);
    key[CHORUSACCT_KEY_SIZE - 1] = '\0';
    assert_code(ops->counter_add(ud, key, 0, 1, &n), CHORUSACCT_OK, NULL);
    assert_code(ops->counter_add(ud, NULL, 0, 1, &n), CHORUSACCT_E_ARG, NULL);
}

static void test_meta_values_and_buffer(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    uint8_t buf[8];
    size_t len = 99;
    static const uint8_t v1[] = {0, 1, 0, 255, 7};
    assert_code(ops->meta_get(ud, "secret", buf, sizeof buf, &len),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(ops->meta_set(ud, "secret", v1, sizeof v1), CHORUSACCT_OK,
                NULL);
    assert_code(ops->meta_get(ud, "secret", buf, sizeof buf, &len),
                CHORUSACCT_OK, NULL);
    assert_int_equal(len, sizeof v1);
    assert_memory_equal(buf, v1, sizeof v1);
    assert_code(ops->meta_get(ud, "secret", buf, 4, &len),
                CHORUSACCT_E_TOOSMALL, NULL);
    assert_int_equal(len, sizeof v1);
    assert_code(ops->meta_get(ud, "secret", NULL, 0, &len),
                CHORUSACCT_E_TOOSMALL, NULL);
    assert_code(ops->meta_set(ud, "secret", (const uint8_t *)"xy", 2),
                CHORUSACCT_OK, NULL);
    assert_code(ops->meta_get(ud, "secret", buf, sizeof buf, &len),
                CHORUSACCT_OK, NULL);
    assert_int_equal(len, 2);
    assert_memory_equal(buf, "xy", 2);
    assert_code(ops->meta_set(ud, "empty", NULL, 0), CHORUSACCT_OK, NULL);
    assert_code(ops->meta_get(ud, "empty", NULL, 0, &len), CHORUSACCT_OK, NULL);
    assert_int_equal(len, 0);
    assert_code(ops->meta_set(ud, "x", NULL, 3), CHORUSACCT_E_ARG, NULL);
}

static void test_gc_removes_expired_and_used(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    void *ud = ops->user_data;
    chorusacct_account a = insert_account(ops, 1);
    chorusacct_token t[4];
    for (int i = 0; i < 4; i++) {
        t[i] = make_token(a.id, (uint8_t)i);
        t[i].expires_at = i == 0 ? 500 : 5000;           /* 0: expired */
        t[i].used_at = i == 1 ? 400 : i == 2 ? 1500 : 0; /* 1: used */
        assert_code(ops->token_insert(ud, &t[i]), CHORUSACCT_OK, NULL);
    }
    chorusacct_captcha c[3];
    for (int i = 0; i < 3; i++) {
        memset(&c[i], 0, sizeof c[i]);
        c[i].struct_size = (uint32_t)sizeof c[i];
        c[i].id_hash[0] = (uint8_t)i;
        c[i].created_at = 100;
        c[i].expires_at = i == 0 ? 700 : 5000;
        c[i].used_at = i == 1 ? 300 : 0;
        assert_code(ops->captcha_insert(ud, &c[i]), CHORUSACCT_OK, NULL);
    }
    chorusacct_message m = {.struct_size = sizeof m};
    chorusacct_structure s = {.struct_size = sizeof s};
    sample_structure(&s, 1);
    int64_t mid[5];
    for (int i = 0; i < 5; i++) {
        sample_message(&m, 1, &a, &s);
        m.created_at = i < 4 ? 100 : 2000;
        m.status = i < 4 ? 1 + i : CHORUSACCT_MSG_SENT;
        assert_code(ops->outbox_insert(ud, &m), CHORUSACCT_OK, NULL);
        mid[i] = m.id;
    }
    uint32_t n;
    assert_code(ops->counter_add(ud, "old", 0, 1, &n), CHORUSACCT_OK, NULL);
    assert_code(ops->counter_add(ud, "new", 1000, 1, &n), CHORUSACCT_OK, NULL);

    assert_code(ops->gc(ud, 1000), CHORUSACCT_OK, NULL);

    chorusacct_token tg;
    assert_code(ops->token_get(ud, t[0].hash, &tg), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(ops->token_get(ud, t[1].hash, &tg), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(ops->token_get(ud, t[2].hash, &tg), CHORUSACCT_OK, NULL);
    assert_code(ops->token_get(ud, t[3].hash, &tg), CHORUSACCT_OK, NULL);
    chorusacct_captcha cg;
    assert_code(ops->captcha_get(ud, c[0].id_hash, &cg), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(ops->captcha_get(ud, c[1].id_hash, &cg), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(ops->captcha_get(ud, c[2].id_hash, &cg), CHORUSACCT_OK, NULL);
    chorusacct_message out[8] = {{.struct_size = sizeof out[0]}};
    size_t k = 0;
    assert_code(ops->outbox_list(ud, 0, 0, out, 8, &k), CHORUSACCT_OK, NULL);
    assert_int_equal(k, 2); /* the pending one, and the recent sent one */
    assert_int_equal(out[0].id, mid[0]);
    assert_int_equal(out[1].id, mid[4]);
    assert_code(ops->counter_add(ud, "old", 0, 0, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 0);
    assert_code(ops->counter_add(ud, "new", 1000, 0, &n), CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    /* Inside the caller's transaction, gc is part of it. */
    assert_code(ops->begin(ud), CHORUSACCT_OK, NULL);
    assert_code(ops->gc(ud, 1 << 30), CHORUSACCT_OK, NULL);
    assert_code(ops->rollback(ud), CHORUSACCT_OK, NULL);
    assert_code(ops->token_get(ud, t[2].hash, &tg), CHORUSACCT_OK, NULL);
}

/* ------------------------------------------------------------------ */
/* Two connections, two threads                                         */

enum { RACE_ROUNDS = 200, RACE_MESSAGES = 120 };

typedef struct {
    chorusacct_storage_ops *ops;
    int64_t shared_id;
    int won_inserts, updates, claimed_n;
    int64_t claimed[RACE_MESSAGES];
    int failures;
} racer;

static void *race(void *arg)
{
    racer *r = arg;
    void *ud = r->ops->user_data;
    for (long i = 0; i < RACE_ROUNDS; i++) {
        /* Both insert the same e-mail: one wins. */
        chorusacct_account a = {.struct_size = sizeof a},
                           cur = {.struct_size = sizeof cur};
        sample_account(&a, 1000 + i);
        int rc = r->ops->account_insert(ud, &a);
        if (rc == CHORUSACCT_OK)
            r->won_inserts++;
        else if (rc != CHORUSACCT_E_EXISTS)
            r->failures++;
        /* Compare-and-set in a transaction, retried on conflict. */
        for (;;) {
            if (r->ops->begin(ud) != CHORUSACCT_OK) {
                r->failures++;
                break;
            }
            uint32_t n;
            rc = r->ops->counter_add(ud, "race", 0, 1, &n);
            if (rc == CHORUSACCT_OK)
                rc = r->ops->account_get(ud, r->shared_id, &cur);
            if (rc == CHORUSACCT_OK) {
                cur.reserved2++;
                rc = r->ops->account_update(ud, &cur);
            }
            if (rc == CHORUSACCT_OK)
                rc = r->ops->commit(ud);
            else
                (void)r->ops->rollback(ud);
            if (rc == CHORUSACCT_OK)
                r->updates++;
            if (rc != CHORUSACCT_E_CONFLICT) {
                r->failures += rc != CHORUSACCT_OK;
                break;
            }
        }
        /* Leases: claim a few, outside any transaction. */
        chorusacct_message m[2] = {{.struct_size = sizeof m[0]}};
        size_t n = 0;
        rc = r->ops->outbox_claim(ud, 10, 1000000, m, 2, &n);
        if (rc != CHORUSACCT_OK)
            r->failures++;
        for (size_t k = 0; k < n && r->claimed_n < RACE_MESSAGES; k++)
            r->claimed[r->claimed_n++] = m[k].id;
    }
    return NULL;
}

static void test_two_threads(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    chorusacct_storage_ops ops2 = {.struct_size = sizeof ops2};
    assert_code(chorusacct_sqlite_ops(&ops2, f->path, 0), CHORUSACCT_OK, NULL);
    chorusacct_account shared = insert_account(ops, 1);
    chorusacct_structure s = {.struct_size = sizeof s};
    sample_structure(&s, 1);
    for (int i = 0; i < RACE_MESSAGES; i++) {
        chorusacct_message m = {.struct_size = sizeof m};
        sample_message(&m, 2, &shared, &s);
        m.next_attempt_at = 0;
        assert_code(ops->outbox_insert(ops->user_data, &m), CHORUSACCT_OK,
                    NULL);
    }
    racer r[2];
    memset(r, 0, sizeof r);
    r[0].ops = ops;
    r[1].ops = &ops2;
    r[0].shared_id = r[1].shared_id = shared.id;
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);

    assert_int_equal(r[0].failures + r[1].failures, 0);
    assert_int_equal(r[0].won_inserts + r[1].won_inserts, RACE_ROUNDS);
    assert_int_equal(r[0].updates + r[1].updates, 2 * RACE_ROUNDS);
    chorusacct_account got = {.struct_size = sizeof got};
    assert_code(ops->account_get(ops->user_data, shared.id, &got),
                CHORUSACCT_OK, NULL);
    assert_int_equal(got.reserved2, 2 * RACE_ROUNDS);
    assert_int_equal(got.version, 1 + 2 * RACE_ROUNDS);
    uint32_t n;
    assert_code(ops->counter_add(ops->user_data, "race", 0, 0, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 2 * RACE_ROUNDS);
    /* Every message was handed out exactly once. */
    assert_int_equal(r[0].claimed_n + r[1].claimed_n, RACE_MESSAGES);
    static int seen[RACE_MESSAGES + 2];
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < r[t].claimed_n; i++) {
            int64_t id = r[t].claimed[i];
            assert_true(id >= 1 && id <= RACE_MESSAGES);
            assert_int_equal(seen[id]++, 0);
        }
    ops2.destroy(ops2.user_data);
}

/* ------------------------------------------------------------------ */
/* The storage conformance suite                                        */

static void test_passes_conformance_suite(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    chorusacct_storage_ops ops2 = {.struct_size = sizeof ops2};
    char report[512] = "";
    assert_code(chorusacct_sqlite_ops(&ops2, f->path, 0), CHORUSACCT_OK, NULL);
    int rc = chorusacct_storage_conformance(ops, &ops2, report, sizeof report);
    ops2.destroy(ops2.user_data);
    if (rc != CHORUSACCT_OK)
        fail_msg("%s: %s", chorusacct_status_name(rc), report);
}

/* Damages a message's row as a damaged file would: a BLOB body, then
 * (every other call) an over-long text in the subject too. */
static int damage_row(void *ud, int64_t id)
{
    const fixture *f = ud;
    static unsigned calls;
    sqlite3 *db = raw_open(f->path);
    char sql[128];
    snprintf(sql, sizeof sql,
             calls++ % 2 == 0
                 ? "UPDATE outbox SET body = randomblob(64) WHERE id = %lld"
                 : "UPDATE outbox SET subject = printf('%%.500c', 'x')"
                   " WHERE id = %lld",
             (long long)id);
    int rc = raw_exec(db, sql) == SQLITE_OK && sqlite3_changes(db) == 1
                 ? CHORUSACCT_OK
                 : CHORUSACCT_E_STORAGE;
    sqlite3_close(db);
    return rc;
}

/* Issue 12, point 7: the damaged-row part of the storage contract
 * (tests/damagecheck.h), once with a BLOB body, once with a subject too
 * long for its field. */
static void test_damaged_rows_conformance(void **state)
{
    fixture *f = *state;
    chorusacct_storage_ops *ops = open_ops(f);
    damaged_rows_check(ops, damage_row, f);
    damaged_rows_check(ops, damage_row, f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_open_refuses_bad_arguments_and_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accounts_crud_and_unique_key,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_account_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_structures_unique_identifier,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_constraints_in_database, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_tokens_single_use_and_revocation,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_captcha_round_trip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outbox_claims_leases_and_lists,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_texts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_file_private_whatever_umask,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_database, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_locked_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_blob_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_in_order_by_account, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transactions_isolate_and_roll_back,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters_windows_and_saturation,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta_values_and_buffer, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_gc_removes_expired_and_used, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_two_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_rows_conformance, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_passes_conformance_suite, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
}
