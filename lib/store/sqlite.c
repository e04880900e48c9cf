/*
 * The embedded storage backend: an SQLite database file.
 *
 * One table is one connection, used by one thread at a time. The file runs
 * in WAL mode, so readers never wait; every transaction starts with BEGIN
 * IMMEDIATE, so writers queue on the file's write lock (for up to the busy
 * timeout) instead of failing when a read would have to become a write.
 * docs/sqlite.md describes the schema and the rules.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "sqlrow.h"

/* Writers wait this long for the write lock before giving up with
 * CHORUSACCT_E_BUSY. A flow transaction holds it for well under a
 * millisecond, so only a stuck process makes anyone wait this long. */
#define CA_BUSY_MS 5000

/* A counter change outside a transaction waits this long at most: a
 * reader's throttle (check-token) must not queue behind a writer. */
#define CA_COUNTER_BUSY_MS 20

/* At most this many counter changes wait in a connection's memory. */
#define CA_LATER_MAX 4096

/* ------------------------------------------------------------------ */
/* Schema                                                               */

/*
 * Each step takes the schema from version i to i + 1, in one transaction
 * with the row that records it. Steps are never edited once released: a
 * change is a new step. Version 1 is the tables with their keys; version 2
 * the lookup indexes. A new file runs every step, so the code that
 * migrates an old file is the code that creates every file.
 *
 * No foreign key is declared: the contract lets records name ids that
 * do not exist (events and messages outlive a purged account), so the one
 * rule that ties two tables, an account's tokens go with it, is a
 * trigger. foreign_keys is on all the same, for later steps.
 *
 * Texts are stored unpadded; times are Unix seconds, so most integers take
 * 4 bytes or less, and zeros none. Ids use AUTOINCREMENT because the
 * contract says they increase: a purged account's id, or a collected
 * message's, must never come back for another one.
 */
static const char *const ca_migrations[] = {
    /* 1 */
    "CREATE TABLE chorusacct_schema("
    " version INTEGER PRIMARY KEY,"
    " applied_at INTEGER NOT NULL);"
    "CREATE TABLE structure("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id_type INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " principal_id INTEGER NOT NULL,"
    " identifier TEXT NOT NULL,"
    " company_name TEXT NOT NULL);"
    "CREATE UNIQUE INDEX structure_key ON structure(id_type, identifier)"
    " WHERE identifier <> '';"
    "CREATE TABLE account("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " version INTEGER NOT NULL,"
    " state INTEGER NOT NULL,"
    " structure_id INTEGER,"
    " role INTEGER NOT NULL,"
    " lang INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL,"
    " consent_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " activated_at INTEGER NOT NULL,"
    " decided_by INTEGER NOT NULL,"
    " locked_until INTEGER NOT NULL,"
    " resent_at INTEGER NOT NULL,"
    " failed_logins INTEGER NOT NULL,"
    " login_email TEXT NOT NULL,"
    " email_key TEXT NOT NULL UNIQUE,"
    " contact_email TEXT NOT NULL,"
    " first_name TEXT NOT NULL,"
    " last_name TEXT NOT NULL,"
    " phone TEXT NOT NULL,"
    " terms_version TEXT NOT NULL,"
    " password_hash TEXT NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE TABLE token("
    " hash BLOB PRIMARY KEY,"
    " account_id INTEGER NOT NULL,"
    " purpose INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " used_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TRIGGER account_tokens AFTER DELETE ON account BEGIN"
    " DELETE FROM token WHERE account_id = old.id; END;"
    "CREATE TABLE captcha("
    " id_hash BLOB PRIMARY KEY,"
    " answer_hash BLOB NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " used_at INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE outbox("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " account_id INTEGER NOT NULL,"
    " kind INTEGER NOT NULL,"
    " lang INTEGER NOT NULL,"
    " status INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " next_attempt_at INTEGER NOT NULL,"
    " lease_until INTEGER NOT NULL,"
    " sent_at INTEGER NOT NULL,"
    " recipient TEXT NOT NULL,"
    " subject NOT NULL," /* TEXT (a BLOB before 0.1.0: see below) */
    " body NOT NULL,"
    " last_error TEXT NOT NULL);"
    "CREATE TABLE event("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " account_id INTEGER NOT NULL,"
    " type INTEGER NOT NULL,"
    " time INTEGER NOT NULL,"
    " from_state INTEGER NOT NULL,"
    " to_state INTEGER NOT NULL,"
    " actor_id INTEGER NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE TABLE counter("
    " name TEXT PRIMARY KEY,"
    " win INTEGER NOT NULL,"
    " n INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE meta("
    " name TEXT PRIMARY KEY,"
    " value BLOB NOT NULL) WITHOUT ROWID;",
    /* 2 */
    "CREATE INDEX account_structure ON account(structure_id)"
    " WHERE structure_id IS NOT NULL;"
    "CREATE INDEX account_expiry ON account(expires_at)"
    " WHERE expires_at > 0;"
    "CREATE INDEX token_account ON token(account_id);"
    "CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE status = 1;"
    "CREATE INDEX event_account ON event(account_id);",
};

#define CA_SCHEMA_VERSION ((int)CA_ARRAY_LEN(ca_migrations))

/* ------------------------------------------------------------------ */
/* Statements                                                           */

enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_ACCOUNT_INSERT,
    ST_ACCOUNT_GET,
    ST_ACCOUNT_FIND,
    ST_ACCOUNT_UPDATE,
    ST_ACCOUNT_EXISTS,
    ST_ACCOUNT_DELETE,
    ST_STRUCTURE_INSERT,
    ST_STRUCTURE_GET,
    ST_STRUCTURE_FIND,
    ST_STRUCTURE_UPDATE,
    ST_STRUCTURE_DELETE,
    ST_TOKEN_INSERT,
    ST_TOKEN_GET,
    ST_TOKEN_CONSUME,
    ST_TOKEN_EXISTS,
    ST_TOKEN_REVOKE,
    ST_CAPTCHA_INSERT,
    ST_CAPTCHA_GET,
    ST_CAPTCHA_UPDATE,
    ST_OUTBOX_INSERT,
    ST_OUTBOX_DUE,
    ST_OUTBOX_LEASE,
    ST_OUTBOX_UPDATE,
    ST_OUTBOX_EXISTS,
    ST_OUTBOX_LIST,
    ST_OUTBOX_LIST_STATUS,
    ST_EVENT_INSERT,
    ST_EVENT_LIST,
    ST_EVENT_LIST_ACCOUNT,
    ST_COUNTER_ADD,
    ST_COUNTER_GET,
    ST_META_GET,
    ST_META_SET,
    ST_GC_TOKEN,
    ST_GC_CAPTCHA,
    ST_GC_OUTBOX,
    ST_GC_COUNTER,
    ST_COUNT
};

static const char *const ca_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_ACCOUNT_INSERT] =
        "INSERT INTO account(version, state, structure_id, role, lang,"
        " created_at, updated_at, consent_at, expires_at, activated_at,"
        " decided_by, locked_until, resent_at, failed_logins, login_email,"
        " email_key, contact_email, first_name, last_name, phone,"
        " terms_version, password_hash, reason) VALUES(1, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_ACCOUNT_GET] = "SELECT " CA_ACCOUNT_COLS " FROM account WHERE id = ?",
    [ST_ACCOUNT_FIND] =
        "SELECT " CA_ACCOUNT_COLS " FROM account WHERE email_key = ?",
    [ST_ACCOUNT_UPDATE] =
        "UPDATE account SET version = version + 1, state = ?,"
        " structure_id = ?, role = ?, lang = ?, created_at = ?,"
        " updated_at = ?, consent_at = ?, expires_at = ?, activated_at = ?,"
        " decided_by = ?, locked_until = ?, resent_at = ?,"
        " failed_logins = ?, login_email = ?, email_key = ?,"
        " contact_email = ?, first_name = ?, last_name = ?, phone = ?,"
        " terms_version = ?, password_hash = ?, reason = ?"
        " WHERE id = ? AND version = ?",
    [ST_ACCOUNT_EXISTS] = "SELECT 1 FROM account WHERE id = ?",
    [ST_ACCOUNT_DELETE] = "DELETE FROM account WHERE id = ?",
    [ST_STRUCTURE_INSERT] =
        "INSERT INTO structure(id_type, created_at, principal_id,"
        " identifier, company_name) VALUES(?, ?, ?, ?, ?)",
    [ST_STRUCTURE_GET] =
        "SELECT " CA_STRUCTURE_COLS " FROM structure WHERE id = ?",
    [ST_STRUCTURE_FIND] = "SELECT " CA_STRUCTURE_COLS " FROM structure"
                          " WHERE id_type = ? AND identifier = ?"
                          " AND identifier <> ''",
    [ST_STRUCTURE_UPDATE] =
        "UPDATE structure SET id_type = ?, created_at = ?, principal_id = ?,"
        " identifier = ?, company_name = ? WHERE id = ?",
    [ST_STRUCTURE_DELETE] = "DELETE FROM structure WHERE id = ?",
    [ST_TOKEN_INSERT] =
        "INSERT INTO token(" CA_TOKEN_COLS ") VALUES(?, ?, ?, ?, ?, ?)",
    [ST_TOKEN_GET] = "SELECT " CA_TOKEN_COLS " FROM token WHERE hash = ?",
    [ST_TOKEN_CONSUME] =
        "UPDATE token SET used_at = ?2 WHERE hash = ?1 AND used_at = 0",
    [ST_TOKEN_EXISTS] = "SELECT 1 FROM token WHERE hash = ?",
    [ST_TOKEN_REVOKE] = "UPDATE token SET used_at = ?3"
                        " WHERE account_id = ?1 AND purpose = ?2"
                        " AND used_at = 0",
    [ST_CAPTCHA_INSERT] =
        "INSERT INTO captcha(" CA_CAPTCHA_COLS ") VALUES(?, ?, ?, ?, ?)",
    [ST_CAPTCHA_GET] =
        "SELECT " CA_CAPTCHA_COLS " FROM captcha WHERE id_hash = ?",
    [ST_CAPTCHA_UPDATE] = "UPDATE captcha SET used_at = ?2 WHERE id_hash = ?1",
    [ST_OUTBOX_INSERT] =
        "INSERT INTO outbox(account_id, kind, lang, status, attempts,"
        " created_at, next_attempt_at, lease_until, sent_at, recipient,"
        " subject, body, last_error)"
        " VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [ST_OUTBOX_DUE] = "SELECT " CA_OUTBOX_COLS " FROM outbox"
                      " WHERE status = 1 AND next_attempt_at <= ?1"
                      " AND lease_until <= ?1"
                      " ORDER BY next_attempt_at, id LIMIT ?2",
    [ST_OUTBOX_LEASE] = "UPDATE outbox SET lease_until = ?2 WHERE id = ?1",
    /* A message marked sent stays sent: a worker whose lease ran out
     * while its mailer was slow may report a failure after another worker
     * sent the message, and must not queue it again. */
    [ST_OUTBOX_UPDATE] =
        "UPDATE outbox SET status = ?1, attempts = ?2, next_attempt_at = ?3,"
        " lease_until = ?4, sent_at = ?5, last_error = ?6 WHERE id = ?7"
        " AND (status <> 2 OR ?1 = 2)",
    [ST_OUTBOX_EXISTS] = "SELECT 1 FROM outbox WHERE id = ?",
    [ST_OUTBOX_LIST] = "SELECT " CA_OUTBOX_COLS " FROM outbox"
                       " WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_OUTBOX_LIST_STATUS] = "SELECT " CA_OUTBOX_COLS " FROM outbox"
                              " WHERE id > ?1 AND status = ?3"
                              " ORDER BY id LIMIT ?2",
    [ST_EVENT_INSERT] =
        "INSERT INTO event(account_id, type, time, from_state, to_state,"
        " actor_id, reason) VALUES(?, ?, ?, ?, ?, ?, ?)",
    [ST_EVENT_LIST] = "SELECT " CA_EVENT_COLS " FROM event"
                      " WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_EVENT_LIST_ACCOUNT] = "SELECT " CA_EVENT_COLS " FROM event"
                              " WHERE id > ?1 AND account_id = ?3"
                              " ORDER BY id LIMIT ?2",
    /* A counter keeps only its latest window: a newer window starts again
     * from the delta; a delta for the stored window or an older one (a
     * server whose clock is behind) adds to the stored window. */
    [ST_COUNTER_ADD] = "INSERT INTO counter(name, win, n) VALUES(?1, ?2, ?3)"
                       " ON CONFLICT(name) DO UPDATE SET"
                       " n = CASE WHEN win < excluded.win THEN excluded.n"
                       " ELSE n + excluded.n END,"
                       " win = max(win, excluded.win)"
                       " RETURNING n",
    [ST_COUNTER_GET] = "SELECT n, win FROM counter WHERE name = ?",
    [ST_META_GET] = "SELECT value FROM meta WHERE name = ?",
    [ST_META_SET] = "INSERT INTO meta(name, value) VALUES(?, ?)"
                    " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
    /* Times of 0 are unset: never "before" anything. */
    [ST_GC_TOKEN] = "DELETE FROM token WHERE (used_at <> 0 AND used_at < ?1)"
                    " OR (expires_at <> 0 AND expires_at < ?1)",
    [ST_GC_CAPTCHA] = "DELETE FROM captcha"
                      " WHERE (used_at <> 0 AND used_at < ?1)"
                      " OR (expires_at <> 0 AND expires_at < ?1)",
    [ST_GC_OUTBOX] = "DELETE FROM outbox WHERE status <> 1"
                     " AND created_at < ?1 AND (sent_at = 0 OR sent_at < ?1)",
    [ST_GC_COUNTER] = "DELETE FROM counter WHERE win < ?1",
};

/* ------------------------------------------------------------------ */
/* The connection                                                       */

/* A counter change made inside the open transaction, to be made again
 * if the transaction does not commit: counters are never rolled back. */
typedef struct {
    char key[CHORUSACCT_KEY_SIZE];
    int64_t window;
    uint32_t delta;
} ca_delta;

typedef struct {
    ca_delta *d;
    size_t n, cap;
} ca_deltas;

typedef struct {
    sqlite3 *db;
    bool in_txn;    /* between a successful begin and commit or rollback */
    bool read_only; /* opened so, or a file this process cannot write */
    sqlite3_stmt *st[ST_COUNT];
    sqlite3_stmt *list[LQ_COUNT];
    ca_delta *deltas;
    size_t ndeltas, cap_deltas;
    /* Counter changes not written yet: the write lock was taken by
     * another connection, or the file is read-only (docs/sqlite.md). */
    ca_deltas later;
} ca_conn;

/* SQLite result codes, as the storage contract names them. A busy or
 * locked file means that another connection held the write lock for the
 * whole busy timeout: the caller may retry later. A full disk (or
 * max_page_count reached), a damaged file and a read-only one each have
 * their code, so that an operator is told the cause. */
static int ca_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE:
        return CHORUSACCT_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return CHORUSACCT_E_BUSY;
    case SQLITE_NOMEM:
        return CHORUSACCT_E_NOMEM;
    case SQLITE_FULL:
        return CHORUSACCT_E_FULL;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return CHORUSACCT_E_CORRUPT;
    case SQLITE_READONLY:
        return CHORUSACCT_E_READONLY;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        return CHORUSACCT_E_IO;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE ||
            rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return CHORUSACCT_E_EXISTS;
        return CHORUSACCT_E_STORAGE;
    default:
        return CHORUSACCT_E_STORAGE;
    }
}

/* The cached statement `id`, prepared on first use. */
static int stmt(ca_conn *c, int id, sqlite3_stmt **out)
{
    if (c->st[id] == NULL) {
        int rc = sqlite3_prepare_v3(
            c->db, ca_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id], NULL);
        if (rc != SQLITE_OK)
            return ca_code(rc);
    }
    *out = c->st[id];
    return CHORUSACCT_OK;
}

static void done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

/* Steps a statement that returns no row. */
static int finish(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    done(s);
    return rc == SQLITE_DONE ? CHORUSACCT_OK : ca_code(rc);
}

static int run(ca_conn *c, int id)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(c, id, &s);
    return rc == CHORUSACCT_OK ? finish(s) : rc;
}

/* Binding parameters in order; the first failure sticks. Bound values
 * must stay where they are until the statement has run (SQLITE_STATIC). */
typedef struct {
    sqlite3_stmt *s;
    int i;
    int rc;
} ca_bind;

static ca_bind bind_start(sqlite3_stmt *s)
{
    return (ca_bind){s, 0, CHORUSACCT_OK};
}

static void b_i64(void *bp, int64_t v)
{
    ca_bind *b = bp;
    if (b->rc == CHORUSACCT_OK)
        b->rc = ca_code(sqlite3_bind_int64(b->s, ++b->i, v));
}

/* References to a record that may be absent (0) are stored as NULL. */
static void b_ref(void *bp, int64_t v)
{
    ca_bind *b = bp;
    if (b->rc == CHORUSACCT_OK)
        b->rc = ca_code(v != 0 ? sqlite3_bind_int64(b->s, ++b->i, v)
                               : sqlite3_bind_null(b->s, ++b->i));
}

/* A text field of `size` bytes; it must be NUL-terminated within them. */
static void b_text(void *bp, const char *f, size_t size)
{
    ca_bind *b = bp;
    size_t n = strnlen(f, size);
    if (b->rc != CHORUSACCT_OK)
        return;
    if (n == size)
        b->rc = CHORUSACCT_E_ARG;
    else
        b->rc =
            ca_code(sqlite3_bind_text(b->s, ++b->i, f, (int)n, SQLITE_STATIC));
}

static void b_blob(void *bp, const void *p, size_t n)
{
    ca_bind *b = bp;
    if (b->rc == CHORUSACCT_OK)
        b->rc =
            ca_code(sqlite3_bind_blob(b->s, ++b->i, p, (int)n, SQLITE_STATIC));
}

/* Reading the columns of a row in order. */
typedef struct {
    sqlite3_stmt *s;
    int i;
} ca_cols;

/* An integer, or NULL (a reference to no record, 0): a text, a BLOB or a
 * real where the library wrote an integer is a damaged value, not one to
 * convert. */
static bool c_i64(void *cp, int64_t *v)
{
    ca_cols *c = cp;
    int type = sqlite3_column_type(c->s, c->i);
    *v = type == SQLITE_INTEGER ? sqlite3_column_int64(c->s, c->i) : 0;
    c->i++;
    return type == SQLITE_INTEGER || type == SQLITE_NULL;
}

/* A BLOB is not a text: development builds before 0.1.0 stored packed
 * outbox texts so, and reading them as text would give their bytes. */
static bool c_text(void *cp, char *buf, size_t cap)
{
    ca_cols *c = cp;
    if (sqlite3_column_type(c->s, c->i) == SQLITE_BLOB) {
        c->i++;
        buf[0] = '\0';
        return false;
    }
    const unsigned char *t = sqlite3_column_text(c->s, c->i);
    size_t n = (size_t)sqlite3_column_bytes(c->s, c->i);
    c->i++;
    if (t == NULL || n >= cap) {
        buf[0] = '\0';
        return t == NULL && n == 0 &&
               sqlite3_errcode(sqlite3_db_handle(c->s)) != SQLITE_NOMEM;
    }
    memcpy(buf, t, n);
    buf[n] = '\0';
    return true;
}

static bool c_blob(void *cp, uint8_t *out, size_t n)
{
    ca_cols *c = cp;
    const void *p = sqlite3_column_blob(c->s, c->i);
    bool ok = p != NULL && (size_t)sqlite3_column_bytes(c->s, c->i) == n;
    if (ok)
        memcpy(out, p, n);
    c->i++;
    return ok;
}

static const ca_row_io ca_io = {
    .i64 = b_i64,
    .ref = b_ref,
    .text = b_text,
    .blob = b_blob,
    .col_i64 = c_i64,
    .col_text = c_text,
    .col_blob = c_blob,
};

/* ------------------------------------------------------------------ */
/* Transactions and counters                                            */

/* Whether a transaction is open on the connection now (SQLite ends one
 * by itself after some errors, such as a full disk). */
static bool txn_open(const ca_conn *c)
{
    return !sqlite3_get_autocommit(c->db);
}

static int counter_apply(ca_conn *c, const char *key, int64_t window,
                         uint32_t delta, uint32_t *count)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(c, ST_COUNTER_ADD, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    b_text(&b, key, CHORUSACCT_KEY_SIZE);
    b_i64(&b, window);
    b_i64(&b, delta);
    if (b.rc != CHORUSACCT_OK) {
        done(s);
        return b.rc;
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        int64_t v = sqlite3_column_int64(s, 0);
        if (count != NULL)
            *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
        rc = sqlite3_step(s);
    }
    done(s);
    return rc == SQLITE_DONE ? CHORUSACCT_OK : ca_code(rc);
}

/* After a transaction ended without committing: makes its counter
 * changes again, in a transaction of their own. */
static int counters_replay(ca_conn *c)
{
    size_t n = c->ndeltas;
    c->ndeltas = 0;
    if (n == 0)
        return CHORUSACCT_OK;
    int rc = run(c, ST_BEGIN);
    for (size_t i = 0; i < n && rc == CHORUSACCT_OK; i++)
        rc = counter_apply(c, c->deltas[i].key, c->deltas[i].window,
                           c->deltas[i].delta, NULL);
    if (rc == CHORUSACCT_OK)
        rc = run(c, ST_COMMIT);
    if (rc != CHORUSACCT_OK && txn_open(c))
        (void)run(c, ST_ROLLBACK);
    return rc;
}

/* Notes a counter change to be written later, merged with one of the same
 * counter and window. */
static int later_note(ca_deltas *l, const char *key, int64_t window,
                      uint32_t delta)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->d[i].window == window && strcmp(l->d[i].key, key) == 0) {
            uint64_t sum = (uint64_t)l->d[i].delta + delta;
            l->d[i].delta = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
            return CHORUSACCT_OK;
        }
    /* Bounded: past it, a change counts in the answer but is not kept
     * (a read-only table serving many clients for ever). */
    if (l->n == CA_LATER_MAX)
        return CHORUSACCT_OK;
    if (l->n == l->cap) {
        size_t cap = l->cap > 0 ? 2 * l->cap : 4;
        ca_delta *d = realloc(l->d, cap * sizeof *d);
        if (d == NULL)
            return CHORUSACCT_E_NOMEM;
        l->d = d;
        l->cap = cap;
    }
    ca_delta *d = &l->d[l->n++];
    snprintf(d->key, sizeof d->key, "%s", key);
    d->window = window;
    d->delta = delta;
    return CHORUSACCT_OK;
}

/* The count as stored for `key` in `window`: the stored window's when it
 * is that window or a newer one (an older window adds to the stored one,
 * storage.h), 0 when the stored one is older; read without any lock: a
 * WAL reader does not wait. */
static int counter_read(ca_conn *c, const char *key, int64_t window,
                        uint64_t *out)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(c, ST_COUNTER_GET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    *out = 0;
    if (rc == SQLITE_ROW) {
        int64_t n = sqlite3_column_int64(s, 0);
        if (sqlite3_column_int64(s, 1) >= window && n > 0)
            *out = (uint64_t)n;
        rc = SQLITE_DONE;
    }
    done(s);
    return rc == SQLITE_DONE ? CHORUSACCT_OK : ca_code(rc);
}

/* Writes the changes noted for later, each in a statement of its own
 * that waits CA_COUNTER_BUSY_MS at most; those that could not be written
 * stay noted. False when the lock did not come. */
static bool later_flush(ca_conn *c)
{
    if (c->read_only || c->later.n == 0 || txn_open(c))
        return true;
    sqlite3_busy_timeout(c->db, CA_COUNTER_BUSY_MS);
    size_t keep = 0;
    bool busy = false;
    for (size_t i = 0; i < c->later.n; i++) {
        ca_delta *d = &c->later.d[i];
        /* Once the lock did not come, the others stay noted at once. */
        if (busy || counter_apply(c, d->key, d->window, d->delta, NULL) !=
                        CHORUSACCT_OK) {
            busy = true;
            c->later.d[keep++] = *d;
        }
    }
    c->later.n = keep;
    sqlite3_busy_timeout(c->db, CA_BUSY_MS);
    return !busy;
}

/* A counter change outside a transaction, which never waits for another
 * writer: when the write lock does not come within CA_COUNTER_BUSY_MS, or
 * the file is read-only, the change is noted for later and the count is
 * the stored one plus this connection's noted changes. */
static int counter_nowait(ca_conn *c, const char *key, int64_t window,
                          uint32_t delta, uint32_t *count)
{
    int rc = CHORUSACCT_E_READONLY;
    if (!c->read_only && later_flush(c)) {
        sqlite3_busy_timeout(c->db, CA_COUNTER_BUSY_MS);
        rc = counter_apply(c, key, window, delta, count);
        sqlite3_busy_timeout(c->db, CA_BUSY_MS);
    }
    if (rc != CHORUSACCT_E_BUSY && rc != CHORUSACCT_E_READONLY)
        return rc;
    uint64_t v = 0;
    rc = counter_read(c, key, window, &v);
    if (rc == CHORUSACCT_OK && delta > 0)
        rc = later_note(&c->later, key, window, delta);
    if (rc != CHORUSACCT_OK)
        return rc;
    bool kept = false;
    for (size_t i = 0; i < c->later.n; i++)
        if (c->later.d[i].window >= window &&
            strcmp(c->later.d[i].key, key) == 0) {
            v += c->later.d[i].delta;
            kept = true;
        }
    if (!kept)
        v += delta;
    *count = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    return CHORUSACCT_OK;
}

static int ca_begin(void *ud)
{
    ca_conn *c = ud;
    if (c->in_txn || txn_open(c))
        return CHORUSACCT_E_STORAGE; /* transactions do not nest */
    if (c->read_only)
        return CHORUSACCT_E_READONLY; /* a transaction is for writing */
    c->ndeltas = 0;
    int rc = run(c, ST_BEGIN);
    c->in_txn = rc == CHORUSACCT_OK;
    return rc;
}

static int ca_commit(void *ud)
{
    ca_conn *c = ud;
    if (!c->in_txn)
        return CHORUSACCT_E_STORAGE;
    c->in_txn = false;
    int rc = txn_open(c) ? run(c, ST_COMMIT) : CHORUSACCT_E_STORAGE;
    if (rc == CHORUSACCT_OK) {
        c->ndeltas = 0;
        later_flush(c);
        return rc;
    }
    /* A failed commit leaves storage as it was at begin. */
    if (txn_open(c))
        (void)run(c, ST_ROLLBACK);
    (void)counters_replay(c);
    return rc;
}

static int ca_rollback(void *ud)
{
    ca_conn *c = ud;
    if (!c->in_txn)
        return CHORUSACCT_E_STORAGE;
    c->in_txn = false;
    int rc = txn_open(c) ? run(c, ST_ROLLBACK) : CHORUSACCT_OK;
    int rr = counters_replay(c);
    later_flush(c);
    return rc != CHORUSACCT_OK ? rc : rr;
}

static int ca_counter_add(void *ud, const char *key, int64_t window,
                          uint32_t delta, uint32_t *count)
{
    ca_conn *c = ud;
    if (key == NULL)
        return CHORUSACCT_E_ARG;
    size_t n = strnlen(key, CHORUSACCT_KEY_SIZE);
    if (n == CHORUSACCT_KEY_SIZE)
        return CHORUSACCT_E_ARG;
    /* Outside a transaction the statement commits by itself. Inside one,
     * the change is also noted, to be made again if the transaction
     * rolls back. */
    bool note = delta > 0 && txn_open(c);
    if (note) {
        if (c->ndeltas == c->cap_deltas) {
            size_t cap = c->cap_deltas > 0 ? 2 * c->cap_deltas : 4;
            ca_delta *d = realloc(c->deltas, cap * sizeof *d);
            if (d == NULL)
                return CHORUSACCT_E_NOMEM;
            c->deltas = d;
            c->cap_deltas = cap;
        }
        ca_delta *d = &c->deltas[c->ndeltas];
        memcpy(d->key, key, n + 1);
        d->window = window;
        d->delta = delta;
    }
    uint32_t v = 0;
    int rc = note ? counter_apply(c, key, window, delta, &v)
                  : counter_nowait(c, key, window, delta, &v);
    if (rc != CHORUSACCT_OK)
        return rc;
    c->ndeltas += note;
    if (count != NULL)
        *count = v;
    return CHORUSACCT_OK;
}

/* Runs `body` in a transaction of its own unless the caller has one
 * open: for the operations that take several statements. */
static int own_begin(ca_conn *c, bool *own)
{
    *own = !txn_open(c);
    return *own ? run(c, ST_BEGIN) : CHORUSACCT_OK;
}

static int own_end(ca_conn *c, bool own, int rc)
{
    if (!own)
        return rc;
    if (rc == CHORUSACCT_OK)
        rc = run(c, ST_COMMIT);
    if (rc != CHORUSACCT_OK && txn_open(c))
        (void)run(c, ST_ROLLBACK);
    return rc;
}

/* Steps `s` and reads up to `max` rows with `read` into `out`, an array
 * of records of `size` bytes. */
static int fetch_rows(sqlite3_stmt *s, ca_row_read *read, void *out,
                      size_t size, size_t max, size_t *count)
{
    size_t n = 0;
    int rc = SQLITE_DONE;
    while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ca_cols c = {s, 0};
        if (!read(&ca_io, &c, (char *)out + n * size)) {
            rc = SQLITE_CORRUPT;
            break;
        }
        n++;
    }
    if (n == max)
        rc = SQLITE_DONE;
    done(s);
    if (rc != SQLITE_DONE)
        return ca_code(rc);
    *count = n;
    return CHORUSACCT_OK;
}

/* Steps a statement expected to return at most one row and reads it with
 * `read` into `tmp`, copied to `out` (`size` bytes) only on success:
 * CHORUSACCT_E_NOTFOUND when there is no row. */
static int fetch_one(sqlite3_stmt *s, ca_row_read *read, void *tmp, void *out,
                     size_t size)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        ca_cols c = {s, 0};
        rc = read(&ca_io, &c, tmp) ? CHORUSACCT_OK : CHORUSACCT_E_STORAGE;
    } else {
        rc = rc == SQLITE_DONE ? CHORUSACCT_E_NOTFOUND : ca_code(rc);
    }
    done(s);
    if (rc == CHORUSACCT_OK)
        memcpy(out, tmp, size);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Accounts                                                             */

static int ca_account_insert(void *ud, chorusacct_account *a)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (a == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_ACCOUNT_INSERT, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_account(&ca_io, &b, a);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc == CHORUSACCT_OK) {
        a->id = sqlite3_last_insert_rowid(c->db);
        a->version = 1;
    }
    return rc;
}

static int ca_account_get(void *ud, int64_t id, chorusacct_account *out)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    chorusacct_account tmp;
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_ACCOUNT_GET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return fetch_one(s, chorusacct__row_read_account, &tmp, out, sizeof tmp);
}

static int ca_account_find(void *ud, const char *email_key,
                           chorusacct_account *out)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    chorusacct_account tmp;
    if (email_key == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_ACCOUNT_FIND, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    b_text(&b, email_key, CHORUSACCT_EMAIL_SIZE);
    if (b.rc != CHORUSACCT_OK) {
        done(s);
        return b.rc;
    }
    return fetch_one(s, chorusacct__row_read_account, &tmp, out, sizeof tmp);
}

/* After an UPDATE or DELETE by key changed no row: whether the row is
 * missing (NOTFOUND) or was there but did not match (CONFLICT). */
static int missing_or(ca_conn *c, int id_stmt, const void *key, int64_t id)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(c, id_stmt, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (key != NULL)
        sqlite3_bind_blob(s, 1, key, 32, SQLITE_STATIC);
    else
        sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    done(s);
    if (rc == SQLITE_ROW)
        return CHORUSACCT_E_CONFLICT;
    return rc == SQLITE_DONE ? CHORUSACCT_E_NOTFOUND : ca_code(rc);
}

static int ca_account_update(void *ud, chorusacct_account *a)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (a == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_ACCOUNT_UPDATE, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_account(&ca_io, &b, a);
    b_i64(&b, a->id);
    b_i64(&b, a->version);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (sqlite3_changes(c->db) == 0)
        return missing_or(c, ST_ACCOUNT_EXISTS, NULL, a->id);
    a->version++;
    return CHORUSACCT_OK;
}

/* Deletes the row `id` with statement `del`: NOTFOUND if there was none.
 * An account's tokens go with it (trigger account_tokens). */
static int delete_by_id(ca_conn *c, int del, int64_t id)
{
    sqlite3_stmt *s = NULL;
    int rc = stmt(c, del, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    rc = finish(s);
    if (rc == CHORUSACCT_OK && sqlite3_changes(c->db) == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

static int ca_account_delete(void *ud, int64_t id)
{
    return delete_by_id(ud, ST_ACCOUNT_DELETE, id);
}

static int list_stmt(ca_conn *c, unsigned mask, sqlite3_stmt **out)
{
    if (c->list[mask] == NULL) {
        char sql[1024];
        chorusacct__row_list_sql(mask, "account", '?', sql, sizeof sql);
        int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                    &c->list[mask], NULL);
        if (rc != SQLITE_OK)
            return ca_code(rc);
    }
    *out = c->list[mask];
    return CHORUSACCT_OK;
}

static int ca_account_list(void *ud, const chorusacct_account_query *q,
                           chorusacct_account *out, size_t max, size_t *count)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (q == NULL || count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    int rc = list_stmt(c, chorusacct__row_list_mask(q), &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_query(&ca_io, &b, q, max);
    if (b.rc != CHORUSACCT_OK) {
        done(s);
        return b.rc;
    }
    return fetch_rows(s, chorusacct__row_read_account, out, sizeof *out, max,
                      count);
}

/* ------------------------------------------------------------------ */
/* Structures                                                           */

static int ca_structure_insert(void *ud, chorusacct_structure *st)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (st == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_STRUCTURE_INSERT, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_structure(&ca_io, &b, st);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc == CHORUSACCT_OK)
        st->id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

static int ca_structure_get(void *ud, int64_t id, chorusacct_structure *out)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    chorusacct_structure tmp;
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_STRUCTURE_GET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return fetch_one(s, chorusacct__row_read_structure, &tmp, out, sizeof tmp);
}

static int ca_structure_find(void *ud, int32_t id_type, const char *identifier,
                             chorusacct_structure *out)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    chorusacct_structure tmp;
    if (identifier == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_STRUCTURE_FIND, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    b_i64(&b, id_type);
    b_text(&b, identifier, CHORUSACCT_IDENTIFIER_SIZE);
    if (b.rc != CHORUSACCT_OK) {
        done(s);
        return b.rc;
    }
    return fetch_one(s, chorusacct__row_read_structure, &tmp, out, sizeof tmp);
}

static int ca_structure_update(void *ud, const chorusacct_structure *st)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (st == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_STRUCTURE_UPDATE, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_structure(&ca_io, &b, st);
    b_i64(&b, st->id);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc == CHORUSACCT_OK && sqlite3_changes(c->db) == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

static int ca_structure_delete(void *ud, int64_t id)
{
    return delete_by_id(ud, ST_STRUCTURE_DELETE, id);
}

/* ------------------------------------------------------------------ */
/* Tokens and captcha challenges                                        */

static int ca_token_insert(void *ud, const chorusacct_token *t)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (t == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_TOKEN_INSERT, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_token(&ca_io, &b, t);
    return b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
}

static int ca_token_get(void *ud, const uint8_t *hash32, chorusacct_token *out)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    chorusacct_token tmp;
    if (hash32 == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_TOKEN_GET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC);
    return fetch_one(s, chorusacct__row_read_token, &tmp, out, sizeof tmp);
}

static int ca_token_consume(void *ud, const uint8_t *hash32, int64_t now)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (hash32 == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_TOKEN_CONSUME, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_blob(s, 1, hash32, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now);
    rc = finish(s);
    if (rc == CHORUSACCT_OK && sqlite3_changes(c->db) == 0)
        rc = missing_or(c, ST_TOKEN_EXISTS, hash32, 0);
    return rc;
}

static int ca_token_revoke(void *ud, int64_t account_id, int32_t purpose,
                           int64_t now)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    int rc = stmt(c, ST_TOKEN_REVOKE, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, account_id);
    sqlite3_bind_int64(s, 2, purpose);
    sqlite3_bind_int64(s, 3, now);
    return finish(s);
}

static int ca_captcha_insert(void *ud, const chorusacct_captcha *cp)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (cp == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_CAPTCHA_INSERT, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_captcha(&ca_io, &b, cp);
    return b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
}

static int ca_captcha_get(void *ud, const uint8_t *id_hash32,
                          chorusacct_captcha *out)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    chorusacct_captcha tmp;
    if (id_hash32 == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_CAPTCHA_GET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_blob(s, 1, id_hash32, 32, SQLITE_STATIC);
    return fetch_one(s, chorusacct__row_read_captcha, &tmp, out, sizeof tmp);
}

static int ca_captcha_update(void *ud, const chorusacct_captcha *cp)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (cp == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_CAPTCHA_UPDATE, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_blob(s, 1, cp->id_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, cp->used_at);
    rc = finish(s);
    if (rc == CHORUSACCT_OK && sqlite3_changes(c->db) == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Outbox and events                                                    */

static int ca_outbox_insert(void *ud, chorusacct_message *m)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (m == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_OUTBOX_INSERT, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_message(&ca_io, &b, m);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc == CHORUSACCT_OK)
        m->id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

static int ca_outbox_claim(void *ud, int64_t now, int64_t lease_until,
                           chorusacct_message *out, size_t max, size_t *count)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL, *lease = NULL;
    size_t n = 0;
    bool own;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    /* The choice and the leases in one write transaction: another worker
     * waits for the lock, then sees the leases. */
    int rc = stmt(c, ST_OUTBOX_DUE, &s);
    if (rc == CHORUSACCT_OK)
        rc = stmt(c, ST_OUTBOX_LEASE, &lease);
    if (rc == CHORUSACCT_OK)
        rc = own_begin(c, &own);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, chorusacct__row_limit(max));
    rc = fetch_rows(s, chorusacct__row_read_message, out, sizeof *out, max, &n);
    for (size_t i = 0; i < n && rc == CHORUSACCT_OK; i++) {
        sqlite3_bind_int64(lease, 1, out[i].id);
        sqlite3_bind_int64(lease, 2, lease_until);
        rc = finish(lease);
    }
    rc = own_end(c, own, rc);
    if (rc != CHORUSACCT_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        out[i].lease_until = lease_until;
    *count = n;
    return CHORUSACCT_OK;
}

static int ca_outbox_update(void *ud, const chorusacct_message *m)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (m == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_OUTBOX_UPDATE, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_delivery(&ca_io, &b, m);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc == CHORUSACCT_OK && sqlite3_changes(c->db) == 0) {
        /* Missing, or sent already (the late report is dropped). */
        rc = missing_or(c, ST_OUTBOX_EXISTS, NULL, m->id);
        if (rc == CHORUSACCT_E_CONFLICT)
            rc = CHORUSACCT_OK;
    }
    return rc;
}

static int ca_outbox_list(void *ud, int32_t status, int64_t after_id,
                          chorusacct_message *out, size_t max, size_t *count)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, status != 0 ? ST_OUTBOX_LIST_STATUS : ST_OUTBOX_LIST, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int64(s, 2, chorusacct__row_limit(max));
    if (status != 0)
        sqlite3_bind_int64(s, 3, status);
    return fetch_rows(s, chorusacct__row_read_message, out, sizeof *out, max,
                      count);
}

static int ca_event_append(void *ud, chorusacct_event *e)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (e == NULL)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_EVENT_INSERT, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    chorusacct__row_bind_event(&ca_io, &b, e);
    rc = b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
    if (rc == CHORUSACCT_OK)
        e->id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

static int ca_event_list(void *ud, int64_t account_id, int64_t after_id,
                         chorusacct_event *out, size_t max, size_t *count)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    int rc =
        stmt(c, account_id != 0 ? ST_EVENT_LIST_ACCOUNT : ST_EVENT_LIST, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    sqlite3_bind_int64(s, 1, after_id);
    sqlite3_bind_int64(s, 2, chorusacct__row_limit(max));
    if (account_id != 0)
        sqlite3_bind_int64(s, 3, account_id);
    return fetch_rows(s, chorusacct__row_read_event, out, sizeof *out, max,
                      count);
}

/* ------------------------------------------------------------------ */
/* Settings and collection                                              */

static int ca_meta_get(void *ud, const char *key, uint8_t *buf, size_t cap,
                       size_t *len)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    if (key == NULL || len == NULL || (buf == NULL && cap > 0))
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_META_GET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    b_text(&b, key, CHORUSACCT_KEY_SIZE);
    if (b.rc != CHORUSACCT_OK) {
        done(s);
        return b.rc;
    }
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(s, 0);
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        if (p == NULL && n > 0) {
            rc = CHORUSACCT_E_NOMEM;
        } else {
            *len = n;
            rc = n > cap ? CHORUSACCT_E_TOOSMALL : CHORUSACCT_OK;
            if (rc == CHORUSACCT_OK && n > 0)
                memcpy(buf, p, n);
        }
    } else {
        rc = rc == SQLITE_DONE ? CHORUSACCT_E_NOTFOUND : ca_code(rc);
    }
    done(s);
    return rc;
}

static int ca_meta_set(void *ud, const char *key, const uint8_t *value,
                       size_t len)
{
    ca_conn *c = ud;
    sqlite3_stmt *s = NULL;
    static const uint8_t empty[1];
    if (key == NULL || (value == NULL && len > 0) || len > INT32_MAX)
        return CHORUSACCT_E_ARG;
    int rc = stmt(c, ST_META_SET, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    ca_bind b = bind_start(s);
    b_text(&b, key, CHORUSACCT_KEY_SIZE);
    /* A NULL pointer would store NULL, which the column refuses. */
    b_blob(&b, len > 0 ? value : empty, len);
    return b.rc == CHORUSACCT_OK ? finish(s) : (done(s), b.rc);
}

static int ca_gc(void *ud, int64_t before)
{
    static const int order[] = {ST_GC_TOKEN, ST_GC_CAPTCHA, ST_GC_OUTBOX,
                                ST_GC_COUNTER};
    ca_conn *c = ud;
    bool own;
    int rc = own_begin(c, &own);
    for (size_t i = 0; i < CA_ARRAY_LEN(order) && rc == CHORUSACCT_OK; i++) {
        sqlite3_stmt *s = NULL;
        rc = stmt(c, order[i], &s);
        if (rc == CHORUSACCT_OK) {
            sqlite3_bind_int64(s, 1, before);
            rc = finish(s);
        }
    }
    return own_end(c, own, rc);
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */

static void conn_free(ca_conn *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < CA_ARRAY_LEN(c->st); i++)
        sqlite3_finalize(c->st[i]);
    for (size_t i = 0; i < CA_ARRAY_LEN(c->list); i++)
        sqlite3_finalize(c->list[i]);
    sqlite3_close_v2(c->db);
    free(c->deltas);
    free(c->later.d);
    free(c);
}

static void ca_destroy(void *ud)
{
    ca_conn *c = ud;
    if (c != NULL && c->in_txn)
        (void)ca_rollback(c);
    if (c != NULL)
        later_flush(c);
    conn_free(c);
}

/* Codes of the opening steps: those of ca_code (a file that is not a
 * database is CORRUPT, a read-only one READONLY, one that cannot be opened
 * at all IO). */
static int open_code(int rc)
{
    return ca_code(rc);
}

/* Runs one SQL text that returns at most one row, whose first column is
 * copied into `out` (`cap` bytes) when it is given. */
static int exec1(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(s);
    if (out != NULL && cap > 0) {
        const unsigned char *t =
            rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
        snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
    }
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    sqlite3_finalize(s);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The schema version of the file: 0 when it has no schema table yet. */
static int schema_version_of(sqlite3 *db, int *out)
{
    char buf[32];
    int rc = exec1(db,
                   "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                   " AND name = 'chorusacct_schema'",
                   buf, sizeof buf);
    if (rc == SQLITE_OK && strcmp(buf, "0") != 0)
        rc = exec1(db,
                   "SELECT coalesce(max(version), 0) FROM"
                   " chorusacct_schema",
                   buf, sizeof buf);
    if (rc != SQLITE_OK)
        return rc;
    long v = strtol(buf, NULL, 10);
    *out = v < 0 ? 0 : v > INT32_MAX ? INT32_MAX : (int)v;
    return SQLITE_OK;
}

/* Brings the schema to CA_SCHEMA_VERSION, one step per transaction. The
 * version is read again under the write lock, so that two processes
 * opening a new file at once do not both create it. */
static int migrate(sqlite3 *db, bool read_only)
{
    int v, rc = schema_version_of(db, &v);
    if (rc != SQLITE_OK)
        return open_code(rc);
    if (v > CA_SCHEMA_VERSION)
        return CHORUSACCT_E_SCHEMA;
    /* A read-only file is used as it is, or not at all. */
    if (read_only && v < CA_SCHEMA_VERSION)
        return CHORUSACCT_E_READONLY;
    while (v < CA_SCHEMA_VERSION) {
        rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc != SQLITE_OK)
            return open_code(rc);
        rc = schema_version_of(db, &v);
        if (rc == SQLITE_OK && v < CA_SCHEMA_VERSION)
            rc = sqlite3_exec(db, ca_migrations[v], NULL, NULL, NULL);
        if (rc == SQLITE_OK && v < CA_SCHEMA_VERSION) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO chorusacct_schema(version, applied_at)"
                     " VALUES(%d, %lld)",
                     v + 1, (long long)time(NULL));
            rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        }
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            if (!sqlite3_get_autocommit(db))
                (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return open_code(rc);
        }
        if (v > CA_SCHEMA_VERSION)
            return CHORUSACCT_E_SCHEMA;
        if (v < CA_SCHEMA_VERSION)
            v++;
    }
    return CHORUSACCT_OK;
}

/* Connection settings; journal_mode needs no transaction open, and is
 * checked: a file that cannot be put in WAL mode (a file system without
 * shared memory) is refused rather than silently slower and less
 * concurrent. A read-only connection (asked for, or a file this process
 * may only read) keeps the file's mode and only reads. */
static int configure(sqlite3 *db, bool *read_only)
{
    char mode[16];
    sqlite3_extended_result_codes(db, 1);
    int rc = sqlite3_busy_timeout(db, CA_BUSY_MS);
    if (sqlite3_db_readonly(db, "main") == 1)
        *read_only = true;
    if (rc == SQLITE_OK)
        rc = exec1(db,
                   *read_only ? "PRAGMA journal_mode"
                              : "PRAGMA journal_mode = WAL",
                   mode, sizeof mode);
    if (rc != SQLITE_OK)
        return open_code(rc);
    const char *file = sqlite3_db_filename(db, "main");
    bool in_memory = file == NULL || file[0] == '\0';
    if (strcmp(mode, "wal") != 0 && !in_memory && !*read_only)
        return CHORUSACCT_E_IO;
    /* NORMAL in WAL mode: a commit survives the process dying at any
     * point; only an operating-system crash or a power cut may undo the
     * last commits (docs/sqlite.md). */
    rc = exec1(db, "PRAGMA synchronous = NORMAL", NULL, 0);
    if (rc == SQLITE_OK)
        rc = exec1(db, "PRAGMA foreign_keys = ON", NULL, 0);
    return rc == SQLITE_OK ? CHORUSACCT_OK : open_code(rc);
}

/* A new database file is made here, empty and readable by its owner only
 * (0600, whatever the umask), before SQLite opens it: it holds the key
 * secret, password hashes and personal data. SQLite gives its -wal and
 * -shm files the mode of the database file. An existing file is left as
 * it is; ":memory:" and "" (a temporary database) are no file. */
static int create_private(const char *path)
{
    if (path[0] == '\0' || strcmp(path, ":memory:") == 0)
        return CHORUSACCT_OK;
    int fd =
        open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return errno == EEXIST ? CHORUSACCT_OK : CHORUSACCT_E_IO;
    /* The umask may only take bits away; 0600 is what is meant. */
    int rc = fchmod(fd, 0600) == 0 ? CHORUSACCT_OK : CHORUSACCT_E_IO;
    close(fd);
    return rc;
}

/* A WAL-mode file that may only be read, in a folder where its -shm file
 * cannot be made (a read-only mount, another user's folder): SQLite can
 * read it only as immutable. That is exact when no -wal file holds
 * commits not yet in the file, which is checked, and when no one writes
 * it meanwhile, which holds where this process cannot write (a writer
 * would have made the -shm file). Otherwise `rc` stays the answer. */
static int open_immutable(ca_conn *c, const char *path, int rc)
{
    char wal[4096], uri[3 * 4096 + 32];
    if (snprintf(wal, sizeof wal, "%s-wal", path) >= (int)sizeof wal ||
        access(wal, F_OK) == 0 || errno != ENOENT)
        return rc;
    size_t n = 0;
    n += (size_t)snprintf(uri, sizeof uri, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0';
         p++) {
        if (n + 4 >= sizeof uri)
            return rc;
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7f)
            n += (size_t)snprintf(uri + n, sizeof uri - n, "%%%02X", *p);
        else
            uri[n++] = (char)*p;
    }
    if (n + 16 >= sizeof uri)
        return rc;
    snprintf(uri + n, sizeof uri - n, "?immutable=1");
    sqlite3_close_v2(c->db);
    c->db = NULL;
    int orc = sqlite3_open_v2(
        uri, &c->db,
        SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    if (orc != SQLITE_OK)
        return c->db == NULL ? CHORUSACCT_E_NOMEM : open_code(orc);
    int crc = configure(c->db, &c->read_only);
    return crc == CHORUSACCT_OK ? migrate(c->db, true) : crc;
}

int chorusacct_sqlite_schema_version(void)
{
    return CA_SCHEMA_VERSION;
}

int chorusacct_sqlite_ops(chorusacct_storage_ops *out, const char *path,
                          uint32_t flags)
{
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_STORAGE_OPS);
    if (n == 0 || path == NULL || (flags & ~UINT32_C(3)) != 0)
        return CHORUSACCT_E_ARG;
    if ((flags & CHORUSACCT_SQLITE_READ_ONLY) != 0)
        flags |= CHORUSACCT_SQLITE_NO_CREATE;
    /* Several connections in several threads need a thread-safe build. */
    if (sqlite3_threadsafe() == 0)
        return CHORUSACCT_E_STORAGE;
    ca_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return CHORUSACCT_E_NOMEM;
    int rc;
    c->read_only = (flags & CHORUSACCT_SQLITE_READ_ONLY) != 0;
    int oflags = (c->read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                 SQLITE_OPEN_NOMUTEX;
    if ((flags & CHORUSACCT_SQLITE_NO_CREATE) == 0) {
        oflags |= SQLITE_OPEN_CREATE;
        rc = create_private(path);
        if (rc != CHORUSACCT_OK) {
            free(c);
            return rc;
        }
    }
    rc = sqlite3_open_v2(path, &c->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        if (c->db == NULL)
            rc = CHORUSACCT_E_NOMEM;
        else if ((flags & CHORUSACCT_SQLITE_NO_CREATE) != 0 &&
                 sqlite3_system_errno(c->db) == ENOENT)
            rc = CHORUSACCT_E_NOTFOUND;
        else
            rc = open_code(rc);
        conn_free(c);
        return rc;
    }
    rc = configure(c->db, &c->read_only);
    if (rc == CHORUSACCT_OK)
        rc = migrate(c->db, c->read_only);
    if ((rc == CHORUSACCT_E_READONLY || rc == CHORUSACCT_E_IO) &&
        c->read_only && (flags & CHORUSACCT_SQLITE_NO_CREATE) != 0)
        rc = open_immutable(c, path, rc);
    if (rc != CHORUSACCT_OK) {
        conn_free(c);
        return rc;
    }

    chorusacct_storage_ops ops;
    CA_ROW_FILL_OPS(ops, c);
    chorusacct__out_write(out, &ops, n);
    return CHORUSACCT_OK;
}
