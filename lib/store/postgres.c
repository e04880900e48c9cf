/*
 * The PostgreSQL storage backend, for several application servers that
 * share one database.
 *
 * One table is one connection, used by one thread at a time. Transactions
 * run at READ COMMITTED; inside one, every read of a record by its key
 * locks the record (SELECT ... FOR UPDATE), so that two requests that
 * decide on the same account, structure, token or captcha take turns, the
 * second seeing what the first committed, as with the serializing
 * backends. Inserts of a taken key answer CHORUSACCT_E_EXISTS without
 * ending the transaction (ON CONFLICT DO NOTHING); compare-and-set is a
 * keyed UPDATE. Counters, which are never rolled back, go through a
 * second connection while a transaction is open. docs/postgres.md
 * describes the tables and the rules.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Schema                                                               */

/*
 * Each step takes the schema from version i to i + 1, in one transaction
 * with the row that records it, under an advisory lock. Steps are never
 * edited once released: a change is a new step.
 *
 * Names carry the library's prefix, since the database is usually shared
 * with the application's own tables. As in the SQLite backend, no foreign
 * key is declared (events and messages outlive a purged account); an
 * account's tokens are deleted with it by account_delete itself. Ids come
 * from identity columns: they increase and are never handed out twice,
 * though transactions may commit them out of order.
 *
 * The throttle counters are an UNLOGGED table: a count, written at
 * nearly every call, then costs no write-ahead log and its commit never
 * waits for the disk. The price: a server crash (not a clean restart)
 * empties the table, and standbys do not have it; the windows start
 * again from zero (docs/postgres.md).
 */
static const char *const ca_migrations[] = {
    /* 1 */
    "CREATE TABLE chorusacct_schema("
    " version INTEGER PRIMARY KEY,"
    " applied_at BIGINT NOT NULL);"
    "CREATE TABLE chorusacct_structure("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " id_type INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " principal_id BIGINT NOT NULL,"
    " identifier TEXT NOT NULL,"
    " company_name TEXT NOT NULL);"
    "CREATE UNIQUE INDEX chorusacct_structure_key"
    " ON chorusacct_structure(id_type, identifier) WHERE identifier <> '';"
    "CREATE TABLE chorusacct_account("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " version BIGINT NOT NULL,"
    " state INTEGER NOT NULL,"
    " structure_id BIGINT NOT NULL,"
    " role INTEGER NOT NULL,"
    " lang INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " updated_at BIGINT NOT NULL,"
    " consent_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " activated_at BIGINT NOT NULL,"
    " decided_by BIGINT NOT NULL,"
    " locked_until BIGINT NOT NULL,"
    " resent_at BIGINT NOT NULL,"
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
    "CREATE INDEX chorusacct_account_structure"
    " ON chorusacct_account(structure_id) WHERE structure_id <> 0;"
    "CREATE INDEX chorusacct_account_expiry"
    " ON chorusacct_account(expires_at) WHERE expires_at > 0;"
    "CREATE TABLE chorusacct_token("
    " hash BYTEA PRIMARY KEY,"
    " account_id BIGINT NOT NULL,"
    " purpose INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " used_at BIGINT NOT NULL);"
    "CREATE INDEX chorusacct_token_account ON chorusacct_token(account_id);"
    "CREATE TABLE chorusacct_captcha("
    " id_hash BYTEA PRIMARY KEY,"
    " answer_hash BYTEA NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " expires_at BIGINT NOT NULL,"
    " used_at BIGINT NOT NULL);"
    "CREATE TABLE chorusacct_outbox("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " account_id BIGINT NOT NULL,"
    " kind INTEGER NOT NULL,"
    " lang INTEGER NOT NULL,"
    " status INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " created_at BIGINT NOT NULL,"
    " next_attempt_at BIGINT NOT NULL,"
    " lease_until BIGINT NOT NULL,"
    " sent_at BIGINT NOT NULL,"
    " recipient TEXT NOT NULL,"
    " subject TEXT NOT NULL,"
    " body TEXT NOT NULL,"
    " last_error TEXT NOT NULL);"
    "CREATE INDEX chorusacct_outbox_pending"
    " ON chorusacct_outbox(id) WHERE status = 1;"
    "CREATE TABLE chorusacct_event("
    " id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " account_id BIGINT NOT NULL,"
    " type INTEGER NOT NULL,"
    " time BIGINT NOT NULL,"
    " from_state INTEGER NOT NULL,"
    " to_state INTEGER NOT NULL,"
    " actor_id BIGINT NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX chorusacct_event_account"
    " ON chorusacct_event(account_id, id);"
    "CREATE UNLOGGED TABLE chorusacct_counter("
    " name TEXT PRIMARY KEY,"
    " win BIGINT NOT NULL,"
    " n BIGINT NOT NULL);"
    "CREATE TABLE chorusacct_meta("
    " name TEXT PRIMARY KEY,"
    " value BYTEA NOT NULL);",
};

#define CA_SCHEMA_VERSION ((int)CA_ARRAY_LEN(ca_migrations))

int chorusacct_postgres_schema_version(void)
{
    return CA_SCHEMA_VERSION;
}

#ifndef CHORUSACCT_HAVE_POSTGRES

int chorusacct_postgres_ops(chorusacct_storage_ops *out, const char *conninfo,
                            uint32_t flags)
{
    (void)flags;
    if (chorusacct__table_start(out, sizeof *out, CA_V1_STORAGE_OPS) == 0 ||
        conninfo == NULL)
        return CHORUSACCT_E_ARG;
    return CHORUSACCT_E_UNSUPPORTED;
}

#else /* CHORUSACCT_HAVE_POSTGRES */

#include <libpq-fe.h>

#include "sqlrow.h"

/* Lock waits (a row another transaction holds) end after this long with
 * CHORUSACCT_E_CONFLICT. A flow transaction holds its rows for well under
 * a millisecond, so only a stuck client makes anyone wait that long. */
#define CA_LOCK_TIMEOUT "5s"

/* Advisory lock keys: the migrations' (one for the whole database,
 * "chorusac" in ASCII), and the settings' ("cho" then 40 bits of a hash
 * of the setting's key). */
#define CA_MIGRATION_LOCK "7163097744720224611"
#define CA_META_LOCK_BASE UINT64_C(0x63686f7275736d00)

/* Parameter types, as the server's type OIDs: int8, text, bytea. */
enum { CA_OID_INT8 = 20, CA_OID_TEXT = 25, CA_OID_BYTEA = 17 };

/* ------------------------------------------------------------------ */
/* Statements                                                           */

/* What chorusacct__row_bind_account sends: 13 integers, 9 texts. */
#define ACCOUNT_TYPES                                                          \
    "iiiiiiiiiiiii"                                                            \
    "ttttttttt"
enum {
    ST_ACCOUNT_INSERT,
    ST_ACCOUNT_GET,
    ST_ACCOUNT_GET_LOCK,
    ST_ACCOUNT_FIND,
    ST_ACCOUNT_FIND_LOCK,
    ST_ACCOUNT_UPDATE,
    ST_ACCOUNT_EXISTS,
    ST_ACCOUNT_DELETE,
    ST_STRUCTURE_INSERT,
    ST_STRUCTURE_GET,
    ST_STRUCTURE_GET_LOCK,
    ST_STRUCTURE_FIND,
    ST_STRUCTURE_FIND_LOCK,
    ST_STRUCTURE_UPDATE,
    ST_STRUCTURE_DELETE,
    ST_TOKEN_INSERT,
    ST_TOKEN_GET,
    ST_TOKEN_GET_LOCK,
    ST_TOKEN_CONSUME,
    ST_TOKEN_EXISTS,
    ST_TOKEN_REVOKE,
    ST_CAPTCHA_INSERT,
    ST_CAPTCHA_GET,
    ST_CAPTCHA_GET_LOCK,
    ST_CAPTCHA_UPDATE,
    ST_OUTBOX_INSERT,
    ST_OUTBOX_CLAIM,
    ST_OUTBOX_UPDATE,
    ST_OUTBOX_EXISTS,
    ST_OUTBOX_LIST,
    ST_OUTBOX_LIST_STATUS,
    ST_EVENT_INSERT,
    ST_EVENT_LIST,
    ST_EVENT_LIST_ACCOUNT,
    ST_COUNTER_ADD,
    ST_META_LOCK,
    ST_META_GET,
    ST_META_SET,
    ST_GC_TOKEN,
    ST_GC_CAPTCHA,
    ST_GC_OUTBOX,
    ST_GC_COUNTER,
    ST_COUNT
};

typedef struct {
    const char *sql;
    const char *types; /* one letter per parameter: i int8, t text, b bytea */
} ca_stmt_def;

static const ca_stmt_def ca_sql[ST_COUNT] = {
    [ST_ACCOUNT_INSERT] =
        {"INSERT INTO chorusacct_account(version, state, structure_id, role,"
         " lang, created_at, updated_at, consent_at, expires_at,"
         " activated_at, decided_by, locked_until, resent_at, failed_logins,"
         " login_email, email_key, contact_email, first_name, last_name,"
         " phone, terms_version, password_hash, reason) VALUES(1, $1, $2, $3,"
         " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,"
         " $18, $19, $20, $21, $22) ON CONFLICT DO NOTHING RETURNING id",
         ACCOUNT_TYPES},
    [ST_ACCOUNT_GET] = {"SELECT " CA_ACCOUNT_COLS
                        " FROM chorusacct_account WHERE id = $1",
                        "i"},
    [ST_ACCOUNT_GET_LOCK] = {"SELECT " CA_ACCOUNT_COLS
                             " FROM chorusacct_account WHERE id = $1"
                             " FOR UPDATE",
                             "i"},
    [ST_ACCOUNT_FIND] = {"SELECT " CA_ACCOUNT_COLS
                         " FROM chorusacct_account WHERE email_key = $1",
                         "t"},
    [ST_ACCOUNT_FIND_LOCK] = {"SELECT " CA_ACCOUNT_COLS
                              " FROM chorusacct_account WHERE email_key = $1"
                              " FOR UPDATE",
                              "t"},
    [ST_ACCOUNT_UPDATE] =
        {"UPDATE chorusacct_account SET version = version + 1, state = $1,"
         " structure_id = $2, role = $3, lang = $4, created_at = $5,"
         " updated_at = $6, consent_at = $7, expires_at = $8,"
         " activated_at = $9, decided_by = $10, locked_until = $11,"
         " resent_at = $12, failed_logins = $13, login_email = $14,"
         " email_key = $15, contact_email = $16, first_name = $17,"
         " last_name = $18, phone = $19, terms_version = $20,"
         " password_hash = $21, reason = $22 WHERE id = $23 AND version = $24",
         ACCOUNT_TYPES "ii"},
    [ST_ACCOUNT_EXISTS] = {"SELECT 1 FROM chorusacct_account WHERE id = $1",
                           "i"},
    /* The account and its tokens, in one statement; counts the accounts
     * deleted. */
    [ST_ACCOUNT_DELETE] =
        {"WITH a AS (DELETE FROM chorusacct_account WHERE id = $1"
         " RETURNING id), t AS (DELETE FROM chorusacct_token"
         " WHERE account_id IN (SELECT id FROM a))"
         " SELECT count(*) FROM a",
         "i"},
    [ST_STRUCTURE_INSERT] =
        {"INSERT INTO chorusacct_structure(id_type, created_at, principal_id,"
         " identifier, company_name) VALUES($1, $2, $3, $4, $5)"
         " ON CONFLICT DO NOTHING RETURNING id",
         "iiitt"},
    [ST_STRUCTURE_GET] = {"SELECT " CA_STRUCTURE_COLS
                          " FROM chorusacct_structure WHERE id = $1",
                          "i"},
    [ST_STRUCTURE_GET_LOCK] = {"SELECT " CA_STRUCTURE_COLS
                               " FROM chorusacct_structure WHERE id = $1"
                               " FOR UPDATE",
                               "i"},
    [ST_STRUCTURE_FIND] = {"SELECT " CA_STRUCTURE_COLS
                           " FROM chorusacct_structure WHERE id_type = $1"
                           " AND identifier = $2 AND identifier <> ''",
                           "it"},
    [ST_STRUCTURE_FIND_LOCK] = {"SELECT " CA_STRUCTURE_COLS
                                " FROM chorusacct_structure"
                                " WHERE id_type = $1 AND identifier = $2"
                                " AND identifier <> '' FOR UPDATE",
                                "it"},
    [ST_STRUCTURE_UPDATE] =
        {"UPDATE chorusacct_structure SET id_type = $1, created_at = $2,"
         " principal_id = $3, identifier = $4, company_name = $5"
         " WHERE id = $6",
         "iiitti"},
    [ST_STRUCTURE_DELETE] = {"DELETE FROM chorusacct_structure WHERE id = $1",
                             "i"},
    [ST_TOKEN_INSERT] = {"INSERT INTO chorusacct_token(" CA_TOKEN_COLS ")"
                         " VALUES($1, $2, $3, $4, $5, $6)"
                         " ON CONFLICT DO NOTHING RETURNING 1",
                         "biiiii"},
    [ST_TOKEN_GET] = {"SELECT " CA_TOKEN_COLS
                      " FROM chorusacct_token WHERE hash = $1",
                      "b"},
    [ST_TOKEN_GET_LOCK] = {"SELECT " CA_TOKEN_COLS
                           " FROM chorusacct_token WHERE hash = $1"
                           " FOR UPDATE",
                           "b"},
    [ST_TOKEN_CONSUME] = {"UPDATE chorusacct_token SET used_at = $2"
                          " WHERE hash = $1 AND used_at = 0",
                          "bi"},
    [ST_TOKEN_EXISTS] = {"SELECT 1 FROM chorusacct_token WHERE hash = $1", "b"},
    [ST_TOKEN_REVOKE] = {"UPDATE chorusacct_token SET used_at = $3"
                         " WHERE account_id = $1 AND purpose = $2"
                         " AND used_at = 0",
                         "iii"},
    [ST_CAPTCHA_INSERT] = {"INSERT INTO chorusacct_captcha(" CA_CAPTCHA_COLS ")"
                           " VALUES($1, $2, $3, $4, $5)"
                           " ON CONFLICT DO NOTHING RETURNING 1",
                           "bbiii"},
    [ST_CAPTCHA_GET] = {"SELECT " CA_CAPTCHA_COLS
                        " FROM chorusacct_captcha WHERE id_hash = $1",
                        "b"},
    [ST_CAPTCHA_GET_LOCK] = {"SELECT " CA_CAPTCHA_COLS
                             " FROM chorusacct_captcha WHERE id_hash = $1"
                             " FOR UPDATE",
                             "b"},
    [ST_CAPTCHA_UPDATE] = {"UPDATE chorusacct_captcha SET used_at = $2"
                           " WHERE id_hash = $1",
                           "bi"},
    [ST_OUTBOX_INSERT] =
        {"INSERT INTO chorusacct_outbox(account_id, kind, lang, status,"
         " attempts, created_at, next_attempt_at, lease_until, sent_at,"
         " recipient, subject, body, last_error) VALUES($1, $2, $3, $4, $5,"
         " $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
         "iiiiiiiiitttt"},
    /* The choice and the leases in one statement. SKIP LOCKED passes over
     * the messages another worker is leasing at this very moment, instead
     * of waiting for it; the lease then keeps them out of every later
     * claim until it ends, which is what lets a dead worker's messages go
     * back to the others. */
    [ST_OUTBOX_CLAIM] =
        {"WITH c(cid) AS (SELECT id FROM chorusacct_outbox"
         " WHERE status = 1 AND next_attempt_at <= $1 AND lease_until <= $1"
         " ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),"
         " u AS (UPDATE chorusacct_outbox SET lease_until = $2 FROM c"
         " WHERE id = c.cid RETURNING " CA_OUTBOX_COLS ")"
         " SELECT " CA_OUTBOX_COLS " FROM u ORDER BY next_attempt_at, id",
         "iii"},
    /* A message marked sent stays sent: a worker whose lease ran out
     * while its mailer was slow may report a failure after another
     * worker sent the message, and must not queue it again. */
    [ST_OUTBOX_UPDATE] =
        {"UPDATE chorusacct_outbox SET status = $1, attempts = $2,"
         " next_attempt_at = $3, lease_until = $4, sent_at = $5,"
         " last_error = $6 WHERE id = $7 AND (status <> 2 OR $1 = 2)",
         "iiiiiti"},
    [ST_OUTBOX_EXISTS] = {"SELECT 1 FROM chorusacct_outbox WHERE id = $1", "i"},
    [ST_OUTBOX_LIST] = {"SELECT " CA_OUTBOX_COLS " FROM chorusacct_outbox"
                        " WHERE id > $1 ORDER BY id LIMIT $2",
                        "ii"},
    [ST_OUTBOX_LIST_STATUS] = {"SELECT " CA_OUTBOX_COLS
                               " FROM chorusacct_outbox WHERE id > $1"
                               " AND status = $3 ORDER BY id LIMIT $2",
                               "iii"},
    [ST_EVENT_INSERT] =
        {"INSERT INTO chorusacct_event(account_id, type, time, from_state,"
         " to_state, actor_id, reason) VALUES($1, $2, $3, $4, $5, $6, $7)"
         " RETURNING id",
         "iiiiiit"},
    [ST_EVENT_LIST] = {"SELECT " CA_EVENT_COLS " FROM chorusacct_event"
                       " WHERE id > $1 ORDER BY id LIMIT $2",
                       "ii"},
    [ST_EVENT_LIST_ACCOUNT] = {"SELECT " CA_EVENT_COLS " FROM chorusacct_event"
                               " WHERE account_id = $3 AND id > $1"
                               " ORDER BY id LIMIT $2",
                               "iii"},
    /* A counter keeps only its latest window: a newer window starts again
     * from the delta; a delta for the stored window or an older one (a
     * server whose clock is behind) adds to the stored window. */
    [ST_COUNTER_ADD] =
        {"INSERT INTO chorusacct_counter AS k(name, win, n) VALUES($1, $2, $3)"
         " ON CONFLICT(name) DO UPDATE SET"
         " n = CASE WHEN k.win < excluded.win THEN excluded.n"
         " ELSE k.n + excluded.n END,"
         " win = greatest(k.win, excluded.win)"
         " RETURNING n",
         "tii"},
    [ST_META_LOCK] = {"SELECT pg_advisory_xact_lock($1)", "i"},
    [ST_META_GET] = {"SELECT value FROM chorusacct_meta WHERE name = $1", "t"},
    [ST_META_SET] = {"INSERT INTO chorusacct_meta(name, value) VALUES($1, $2)"
                     " ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                     "tb"},
    /* Times of 0 are unset: never "before" anything. */
    [ST_GC_TOKEN] = {"DELETE FROM chorusacct_token"
                     " WHERE (used_at <> 0 AND used_at < $1)"
                     " OR (expires_at <> 0 AND expires_at < $1)",
                     "i"},
    [ST_GC_CAPTCHA] = {"DELETE FROM chorusacct_captcha"
                       " WHERE (used_at <> 0 AND used_at < $1)"
                       " OR (expires_at <> 0 AND expires_at < $1)",
                       "i"},
    [ST_GC_OUTBOX] = {"DELETE FROM chorusacct_outbox WHERE status <> 1"
                      " AND created_at < $1"
                      " AND (sent_at = 0 OR sent_at < $1)",
                      "i"},
    [ST_GC_COUNTER] = {"DELETE FROM chorusacct_counter WHERE win < $1", "i"},
};

/* account_list: one statement per combination of filters (LQ_*),
 * prepared after the fixed ones. */
#define CA_PREPARED (ST_COUNT + LQ_COUNT)

/* ------------------------------------------------------------------ */
/* Connections                                                          */

/* One server connection and the statements prepared on it. */
typedef struct {
    PGconn *conn;
    bool prepared[CA_PREPARED];
} ca_link;

typedef struct {
    ca_link main;
    /* Counters while a transaction is open on `main`: opened on first
     * use, always in autocommit, so that a count never waits for, nor
     * goes with, the caller's transaction. */
    ca_link aux;
    char *conninfo;
    pid_t pid;   /* the process that opened it */
    bool in_txn; /* between a successful begin and commit or rollback */
    int txn_rc;  /* the error that ended the transaction on the server */
} ca_conn;

/* A connection is a socket with a protocol state: a child process that
 * used its parent's would garble both. It answers STORAGE there. */
static bool foreign(const ca_conn *c)
{
    return getpid() != c->pid;
}

/* SQLSTATEs as the storage contract names them: a transaction chosen as
 * a deadlock victim, one that could not be serialized, or a lock wait
 * past lock_timeout may be run again; a unique key taken is EXISTS. */
static int ca_code(const PGresult *r)
{
    const char *st = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (st == NULL)
        return CHORUSACCT_E_STORAGE;
    if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
        strcmp(st, "55P03") == 0)
        return CHORUSACCT_E_CONFLICT;
    if (strcmp(st, "23505") == 0)
        return CHORUSACCT_E_EXISTS;
    if (strcmp(st, "53200") == 0)
        return CHORUSACCT_E_NOMEM;
    /* Causes an operator must be told: disk full, a read-only server
     * (a standby, or default_transaction_read_only), damaged data. */
    if (strcmp(st, "53100") == 0)
        return CHORUSACCT_E_FULL;
    if (strcmp(st, "25006") == 0)
        return CHORUSACCT_E_READONLY;
    if (strcmp(st, "XX001") == 0 || strcmp(st, "XX002") == 0)
        return CHORUSACCT_E_CORRUPT;
    return CHORUSACCT_E_STORAGE;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Runs SQL text without parameters; the first column of the first row,
 * if any, goes to `out` (`cap` bytes) when it is given. */
static int simple(PGconn *conn, const char *sql, char *out, size_t cap)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType s = PQresultStatus(r);
    int rc = CHORUSACCT_OK;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
        rc = r == NULL ? CHORUSACCT_E_NOMEM : ca_code(r);
    else if (out != NULL && cap > 0)
        snprintf(out, cap, "%s",
                 PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0)
                                                      : "");
    PQclear(r);
    return rc;
}

/* Settings of every session: UTF-8 on the wire, no notices on stderr,
 * and a bound on lock waits. */
static int session_setup(PGconn *conn)
{
    PQsetNoticeProcessor(conn, quiet, NULL);
    if (PQsetClientEncoding(conn, "UTF8") != 0)
        return CHORUSACCT_E_STORAGE;
    return simple(conn, "SET lock_timeout = '" CA_LOCK_TIMEOUT "'", NULL, 0);
}

/* A new connection: CHORUSACCT_E_IO when the server cannot be reached or
 * refuses it. `conninfo` may be a whole connection string or URI. */
static int link_open(ca_link *l, const char *conninfo)
{
    const char *const keys[] = {"dbname", "fallback_application_name", NULL};
    const char *const vals[] = {conninfo, "libchorusacct", NULL};
    memset(l, 0, sizeof *l);
    l->conn = PQconnectdbParams(keys, vals, 1);
    if (l->conn == NULL)
        return CHORUSACCT_E_NOMEM;
    if (PQstatus(l->conn) != CONNECTION_OK)
        return CHORUSACCT_E_IO;
    return session_setup(l->conn);
}

static void link_close(ca_link *l)
{
    if (l->conn != NULL)
        PQfinish(l->conn);
    memset(l, 0, sizeof *l);
}

/* Before a statement outside a transaction: a connection the server or
 * the network dropped is opened again (its prepared statements with it),
 * so that a server restart costs the calls made while it was down, not
 * the table. Inside a transaction a lost connection is that transaction's
 * failure. */
static int link_ready(ca_conn *c, ca_link *l)
{
    if (PQstatus(l->conn) == CONNECTION_OK)
        return CHORUSACCT_OK;
    if (l == &c->main && c->in_txn)
        return CHORUSACCT_E_STORAGE;
    PQreset(l->conn);
    memset(l->prepared, 0, sizeof l->prepared);
    if (PQstatus(l->conn) != CONNECTION_OK)
        return CHORUSACCT_E_STORAGE;
    return session_setup(l->conn);
}

/* ------------------------------------------------------------------ */
/* Parameters and results                                               */

enum { CA_MAX_PARAMS = 32 };

/* Parameters in order, all in binary format; the first failure sticks. */
typedef struct {
    int n;
    int rc;
    const char *val[CA_MAX_PARAMS];
    int len[CA_MAX_PARAMS];
    int fmt[CA_MAX_PARAMS];
    unsigned char ints[CA_MAX_PARAMS][8];
} ca_params;

static void p_init(ca_params *p)
{
    p->n = 0;
    p->rc = CHORUSACCT_OK;
}

static void p_raw(ca_params *p, const void *v, size_t len)
{
    if (p->rc != CHORUSACCT_OK)
        return;
    if (p->n == CA_MAX_PARAMS || len > INT32_MAX) {
        p->rc = CHORUSACCT_E_INTERNAL;
        return;
    }
    p->val[p->n] = v;
    p->len[p->n] = (int)len;
    p->fmt[p->n] = 1;
    p->n++;
}

/* int8 in network byte order. The p_ functions take the parameters as
 * ca_row_io's binding state. */
static void p_i64(void *pp, int64_t v)
{
    ca_params *p = pp;
    if (p->rc != CHORUSACCT_OK || p->n == CA_MAX_PARAMS) {
        p_raw(p, NULL, 0);
        return;
    }
    uint64_t u = (uint64_t)v;
    unsigned char *b = p->ints[p->n];
    for (int i = 7; i >= 0; i--, u >>= 8)
        b[i] = (unsigned char)(u & 0xff);
    p_raw(p, b, 8);
}

/* A text field of `size` bytes; it must be NUL-terminated within them.
 * In binary format a text is its bytes, without the NUL. */
static void p_text(void *pp, const char *f, size_t size)
{
    ca_params *p = pp;
    size_t n = strnlen(f, size);
    if (p->rc == CHORUSACCT_OK && n == size)
        p->rc = CHORUSACCT_E_ARG;
    p_raw(p, f, n);
}

static void p_blob(void *pp, const void *v, size_t n)
{
    /* libpq reads a parameter's value even when its length is 0. */
    p_raw(pp, n > 0 ? v : "", n);
}

/* Prepares statement `id` (a fixed one, or ST_COUNT + a list mask) on
 * the link, once per connection. */
static int prepare(ca_link *l, int id)
{
    if (l->prepared[id])
        return CHORUSACCT_OK;
    char name[16], buf[1024];
    const char *sql, *types;
    if (id < ST_COUNT) {
        sql = ca_sql[id].sql;
        types = ca_sql[id].types;
    } else {
        chorusacct__row_list_sql((unsigned)(id - ST_COUNT),
                                 "chorusacct_account", '$', buf, sizeof buf);
        sql = buf;
        types = (id - ST_COUNT) & LQ_BY_EXPIRY ? "iiiiiii" : "iiiiii";
    }
    Oid oids[CA_MAX_PARAMS];
    int n = 0;
    for (; types[n] != '\0'; n++)
        oids[n] = types[n] == 'i'   ? CA_OID_INT8
                  : types[n] == 't' ? CA_OID_TEXT
                                    : CA_OID_BYTEA;
    snprintf(name, sizeof name, "chorusacct%d", id);
    PGresult *r = PQprepare(l->conn, name, sql, n, oids);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK
                 ? CHORUSACCT_OK
                 : (r == NULL ? CHORUSACCT_E_NOMEM : ca_code(r));
    PQclear(r);
    l->prepared[id] = rc == CHORUSACCT_OK;
    return rc;
}

/* Runs statement `id` with `p` on a link; on success `*out` holds the
 * result, which the caller clears. An error inside the caller's
 * transaction ends that transaction on the server: it is remembered for
 * commit. */
static int exec_on(ca_conn *c, ca_link *l, int id, const ca_params *p,
                   PGresult **out)
{
    *out = NULL;
    if (p->rc != CHORUSACCT_OK)
        return p->rc;
    int rc = foreign(c) ? CHORUSACCT_E_STORAGE : link_ready(c, l);
    if (rc == CHORUSACCT_OK)
        rc = prepare(l, id);
    if (rc == CHORUSACCT_OK) {
        char name[16];
        snprintf(name, sizeof name, "chorusacct%d", id);
        PGresult *r =
            PQexecPrepared(l->conn, name, p->n, p->val, p->len, p->fmt, 1);
        ExecStatusType s = PQresultStatus(r);
        if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK) {
            *out = r;
            return CHORUSACCT_OK;
        }
        rc = r == NULL ? CHORUSACCT_E_NOMEM : ca_code(r);
        PQclear(r);
    }
    if (l == &c->main && c->in_txn && c->txn_rc == CHORUSACCT_OK)
        c->txn_rc = rc;
    return rc;
}

static int exec_main(ca_conn *c, int id, const ca_params *p, PGresult **out)
{
    return exec_on(c, &c->main, id, p, out);
}

/* Runs a statement that returns no row of interest; `*changed` (may be
 * NULL) receives the number of rows it changed. */
static int exec_count(ca_conn *c, int id, const ca_params *p, uint64_t *changed)
{
    PGresult *r = NULL;
    int rc = exec_main(c, id, p, &r);
    if (rc == CHORUSACCT_OK && changed != NULL)
        *changed = strtoull(PQcmdTuples(r), NULL, 10);
    PQclear(r);
    return rc;
}

/* Reading the columns of a row in order; a NULL value never fits. */
typedef struct {
    const PGresult *r;
    int row;
    int col;
} ca_cols;

/* An integer column in binary format: int2, int4 or int8. */
static bool c_i64(void *cp, int64_t *out)
{
    ca_cols *c = cp;
    const unsigned char *v =
        (const unsigned char *)PQgetvalue(c->r, c->row, c->col);
    int n = PQgetlength(c->r, c->row, c->col);
    bool null = PQgetisnull(c->r, c->row, c->col);
    c->col++;
    *out = 0;
    if (null || (n != 2 && n != 4 && n != 8))
        return false;
    uint64_t u = 0;
    for (int i = 0; i < n; i++)
        u = u << 8 | v[i];
    /* Sign-extend the narrower types. */
    if (n < 8 && (v[0] & 0x80))
        u |= ~UINT64_C(0) << (8 * n);
    *out = (int64_t)u;
    return true;
}

static bool c_text(void *cp, char *buf, size_t cap)
{
    ca_cols *c = cp;
    const char *v = PQgetvalue(c->r, c->row, c->col);
    size_t n = (size_t)PQgetlength(c->r, c->row, c->col);
    bool null = PQgetisnull(c->r, c->row, c->col);
    c->col++;
    if (null || n >= cap || memchr(v, '\0', n) != NULL) {
        buf[0] = '\0';
        return false;
    }
    memcpy(buf, v, n);
    buf[n] = '\0';
    return true;
}

static bool c_blob(void *cp, uint8_t *out, size_t n)
{
    ca_cols *c = cp;
    const char *v = PQgetvalue(c->r, c->row, c->col);
    bool ok = !PQgetisnull(c->r, c->row, c->col) &&
              (size_t)PQgetlength(c->r, c->row, c->col) == n;
    if (ok)
        memcpy(out, v, n);
    c->col++;
    return ok;
}

/* Every value as it is: a reference to no record is 0. */
static const ca_row_io ca_io = {
    .i64 = p_i64,
    .ref = p_i64,
    .text = p_text,
    .blob = p_blob,
    .col_i64 = c_i64,
    .col_text = c_text,
    .col_blob = c_blob,
};

/* Reads up to `max` rows of `r` with `read` into `out`, an array of
 * records of `size` bytes. */
static int fetch_rows(const PGresult *r, ca_row_read *read, void *out,
                      size_t size, size_t max, size_t *count)
{
    size_t rows = (size_t)PQntuples(r), n = 0;
    for (; n < rows && n < max; n++) {
        ca_cols c = {r, (int)n, 0};
        if (!read(&ca_io, &c, (char *)out + n * size))
            return CHORUSACCT_E_STORAGE;
    }
    *count = n;
    return CHORUSACCT_OK;
}

/* One row expected at most: CHORUSACCT_E_NOTFOUND when there is none. */
static int fetch_one(const PGresult *r, ca_row_read *read, void *tmp, void *out,
                     size_t size)
{
    if (PQntuples(r) == 0)
        return CHORUSACCT_E_NOTFOUND;
    ca_cols c = {r, 0, 0};
    if (!read(&ca_io, &c, tmp))
        return CHORUSACCT_E_STORAGE;
    memcpy(out, tmp, size);
    return CHORUSACCT_OK;
}

/* The integer of the first column of the first row, as RETURNING gives. */
static bool first_int(const PGresult *r, int64_t *v)
{
    if (PQntuples(r) < 1 || PQnfields(r) < 1)
        return false;
    ca_cols c = {r, 0, 0};
    return c_i64(&c, v);
}

/* ------------------------------------------------------------------ */
/* Transactions                                                         */

static int ca_begin(void *ud)
{
    ca_conn *c = ud;
    if (foreign(c) || c->in_txn ||
        PQtransactionStatus(c->main.conn) == PQTRANS_INTRANS ||
        PQtransactionStatus(c->main.conn) == PQTRANS_INERROR)
        return CHORUSACCT_E_STORAGE; /* transactions do not nest */
    int rc = link_ready(c, &c->main);
    if (rc == CHORUSACCT_OK)
        rc = simple(c->main.conn, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL,
                    0);
    c->in_txn = rc == CHORUSACCT_OK;
    c->txn_rc = CHORUSACCT_OK;
    return rc;
}

static int ca_rollback(void *ud)
{
    ca_conn *c = ud;
    if (!c->in_txn || foreign(c))
        return CHORUSACCT_E_STORAGE;
    c->in_txn = false;
    /* A server that dropped the connection dropped the transaction. */
    if (PQstatus(c->main.conn) != CONNECTION_OK)
        return CHORUSACCT_OK;
    return simple(c->main.conn, "ROLLBACK", NULL, 0);
}

static int ca_commit(void *ud)
{
    ca_conn *c = ud;
    if (!c->in_txn || foreign(c))
        return CHORUSACCT_E_STORAGE;
    if (PQstatus(c->main.conn) != CONNECTION_OK) {
        c->in_txn = false;
        return CHORUSACCT_E_STORAGE;
    }
    /* A statement failed in this transaction: the server has already
     * given it up, and COMMIT would only say ROLLBACK. */
    if (PQtransactionStatus(c->main.conn) == PQTRANS_INERROR) {
        int why = c->txn_rc != CHORUSACCT_OK ? c->txn_rc : CHORUSACCT_E_STORAGE;
        (void)ca_rollback(c);
        return why;
    }
    c->in_txn = false;
    PGresult *r = PQexec(c->main.conn, "COMMIT");
    int rc;
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        rc = r == NULL ? CHORUSACCT_E_NOMEM : ca_code(r);
    else
        rc = strcmp(PQcmdStatus(r), "COMMIT") == 0 ? CHORUSACCT_OK
                                                   : CHORUSACCT_E_STORAGE;
    PQclear(r);
    /* A failed COMMIT ends the transaction all the same. */
    if (rc != CHORUSACCT_OK &&
        PQtransactionStatus(c->main.conn) != PQTRANS_IDLE &&
        PQstatus(c->main.conn) == CONNECTION_OK)
        (void)simple(c->main.conn, "ROLLBACK", NULL, 0);
    return rc;
}

/* For the operations made of several statements: a transaction of their
 * own unless the caller has one open. */
static int own_begin(ca_conn *c, bool *own)
{
    *own = !c->in_txn;
    return *own ? ca_begin(c) : CHORUSACCT_OK;
}

static int own_end(ca_conn *c, bool own, int rc)
{
    if (!own)
        return rc;
    if (rc == CHORUSACCT_OK)
        return ca_commit(c);
    (void)ca_rollback(c);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Counters                                                             */

/* The connection counters use now: the table's own outside a
 * transaction, the second one inside. */
static int counter_link(ca_conn *c, ca_link **out)
{
    if (!c->in_txn) {
        *out = &c->main;
        return CHORUSACCT_OK;
    }
    if (c->aux.conn == NULL) {
        int rc = link_open(&c->aux, c->conninfo);
        if (rc != CHORUSACCT_OK) {
            link_close(&c->aux);
            return rc == CHORUSACCT_E_NOMEM ? rc : CHORUSACCT_E_STORAGE;
        }
    }
    *out = &c->aux;
    return CHORUSACCT_OK;
}

static int ca_counter_add(void *ud, const char *key, int64_t window,
                          uint32_t delta, uint32_t *count)
{
    ca_conn *c = ud;
    ca_link *l = NULL;
    ca_params p;
    if (key == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_text(&p, key, CHORUSACCT_KEY_SIZE);
    p_i64(&p, window);
    p_i64(&p, delta);
    if (p.rc != CHORUSACCT_OK)
        return p.rc;
    int rc = counter_link(c, &l);
    if (rc != CHORUSACCT_OK)
        return rc;
    PGresult *r = NULL;
    rc = exec_on(c, l, ST_COUNTER_ADD, &p, &r);
    int64_t v = 0;
    if (rc == CHORUSACCT_OK && !first_int(r, &v))
        rc = CHORUSACCT_E_STORAGE;
    PQclear(r);
    if (rc == CHORUSACCT_OK && count != NULL)
        *count = v < 0 ? 0 : v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Accounts                                                             */

/* Runs a keyed SELECT (`plain`, or `locking` inside a transaction) and
 * reads its one row, if any, with `read`. */
static int get_one(ca_conn *c, int plain, int locking, const ca_params *p,
                   ca_row_read *read, void *tmp, void *out, size_t size)
{
    PGresult *r = NULL;
    int rc = exec_main(c, c->in_txn ? locking : plain, p, &r);
    if (rc == CHORUSACCT_OK)
        rc = fetch_one(r, read, tmp, out, size);
    PQclear(r);
    return rc;
}

/* An INSERT ... ON CONFLICT DO NOTHING RETURNING: no row means a taken
 * key. `*id` (may be NULL) receives what it returned. */
static int insert_row(ca_conn *c, int id_stmt, const ca_params *p, int64_t *id)
{
    PGresult *r = NULL;
    int rc = exec_main(c, id_stmt, p, &r);
    int64_t v = 0;
    if (rc == CHORUSACCT_OK && PQntuples(r) == 0)
        rc = CHORUSACCT_E_EXISTS;
    else if (rc == CHORUSACCT_OK && !first_int(r, &v))
        rc = CHORUSACCT_E_STORAGE;
    PQclear(r);
    if (rc == CHORUSACCT_OK && id != NULL)
        *id = v;
    return rc;
}

static int ca_account_insert(void *ud, chorusacct_account *a)
{
    ca_params p;
    int64_t id = 0;
    if (a == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_account(&ca_io, &p, a);
    int rc = insert_row(ud, ST_ACCOUNT_INSERT, &p, &id);
    if (rc == CHORUSACCT_OK) {
        a->id = id;
        a->version = 1;
    }
    return rc;
}

static int ca_account_get(void *ud, int64_t id, chorusacct_account *out)
{
    chorusacct_account tmp;
    ca_params p;
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_i64(&p, id);
    return get_one(ud, ST_ACCOUNT_GET, ST_ACCOUNT_GET_LOCK, &p,
                   chorusacct__row_read_account, &tmp, out, sizeof tmp);
}

static int ca_account_find(void *ud, const char *email_key,
                           chorusacct_account *out)
{
    chorusacct_account tmp;
    ca_params p;
    if (email_key == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_text(&p, email_key, CHORUSACCT_EMAIL_SIZE);
    return get_one(ud, ST_ACCOUNT_FIND, ST_ACCOUNT_FIND_LOCK, &p,
                   chorusacct__row_read_account, &tmp, out, sizeof tmp);
}

/* After a keyed UPDATE changed no row: whether the row is missing
 * (NOTFOUND) or was there but did not match (CONFLICT). */
static int missing_or(ca_conn *c, int exists_stmt, const ca_params *key)
{
    PGresult *r = NULL;
    int rc = exec_main(c, exists_stmt, key, &r);
    if (rc == CHORUSACCT_OK)
        rc = PQntuples(r) > 0 ? CHORUSACCT_E_CONFLICT : CHORUSACCT_E_NOTFOUND;
    PQclear(r);
    return rc;
}

static int ca_account_update(void *ud, chorusacct_account *a)
{
    ca_conn *c = ud;
    ca_params p;
    uint64_t n = 0;
    if (a == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_account(&ca_io, &p, a);
    p_i64(&p, a->id);
    p_i64(&p, a->version);
    int rc = exec_count(c, ST_ACCOUNT_UPDATE, &p, &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (n == 0) {
        p_init(&p);
        p_i64(&p, a->id);
        return missing_or(c, ST_ACCOUNT_EXISTS, &p);
    }
    a->version++;
    return CHORUSACCT_OK;
}

static int ca_account_delete(void *ud, int64_t id)
{
    ca_params p;
    PGresult *r = NULL;
    int64_t n = 0;
    p_init(&p);
    p_i64(&p, id);
    int rc = exec_main(ud, ST_ACCOUNT_DELETE, &p, &r);
    if (rc == CHORUSACCT_OK && !first_int(r, &n))
        rc = CHORUSACCT_E_STORAGE;
    PQclear(r);
    if (rc == CHORUSACCT_OK && n == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

static int ca_account_list(void *ud, const chorusacct_account_query *q,
                           chorusacct_account *out, size_t max, size_t *count)
{
    ca_conn *c = ud;
    ca_params p;
    PGresult *r = NULL;
    if (q == NULL || count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    unsigned mask = chorusacct__row_list_mask(q);
    p_init(&p);
    chorusacct__row_bind_query(&ca_io, &p, q, max);
    int rc = exec_main(c, ST_COUNT + (int)mask, &p, &r);
    if (rc == CHORUSACCT_OK)
        rc = fetch_rows(r, chorusacct__row_read_account, out, sizeof *out, max,
                        count);
    PQclear(r);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Structures                                                           */

static int ca_structure_insert(void *ud, chorusacct_structure *st)
{
    ca_params p;
    int64_t id = 0;
    if (st == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_structure(&ca_io, &p, st);
    int rc = insert_row(ud, ST_STRUCTURE_INSERT, &p, &id);
    if (rc == CHORUSACCT_OK)
        st->id = id;
    return rc;
}

static int ca_structure_get(void *ud, int64_t id, chorusacct_structure *out)
{
    chorusacct_structure tmp;
    ca_params p;
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_i64(&p, id);
    return get_one(ud, ST_STRUCTURE_GET, ST_STRUCTURE_GET_LOCK, &p,
                   chorusacct__row_read_structure, &tmp, out, sizeof tmp);
}

static int ca_structure_find(void *ud, int32_t id_type, const char *identifier,
                             chorusacct_structure *out)
{
    chorusacct_structure tmp;
    ca_params p;
    if (identifier == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_i64(&p, id_type);
    p_text(&p, identifier, CHORUSACCT_IDENTIFIER_SIZE);
    return get_one(ud, ST_STRUCTURE_FIND, ST_STRUCTURE_FIND_LOCK, &p,
                   chorusacct__row_read_structure, &tmp, out, sizeof tmp);
}

static int ca_structure_update(void *ud, const chorusacct_structure *st)
{
    ca_params p;
    uint64_t n = 0;
    if (st == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_structure(&ca_io, &p, st);
    p_i64(&p, st->id);
    int rc = exec_count(ud, ST_STRUCTURE_UPDATE, &p, &n);
    if (rc == CHORUSACCT_OK && n == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

static int ca_structure_delete(void *ud, int64_t id)
{
    ca_params p;
    uint64_t n = 0;
    p_init(&p);
    p_i64(&p, id);
    int rc = exec_count(ud, ST_STRUCTURE_DELETE, &p, &n);
    if (rc == CHORUSACCT_OK && n == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Tokens and captcha challenges                                        */

static int ca_token_insert(void *ud, const chorusacct_token *t)
{
    ca_params p;
    if (t == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_token(&ca_io, &p, t);
    return insert_row(ud, ST_TOKEN_INSERT, &p, NULL);
}

static int ca_token_get(void *ud, const uint8_t *hash32, chorusacct_token *out)
{
    chorusacct_token tmp;
    ca_params p;
    if (hash32 == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_blob(&p, hash32, 32);
    return get_one(ud, ST_TOKEN_GET, ST_TOKEN_GET_LOCK, &p,
                   chorusacct__row_read_token, &tmp, out, sizeof tmp);
}

static int ca_token_consume(void *ud, const uint8_t *hash32, int64_t now)
{
    ca_params p;
    uint64_t n = 0;
    if (hash32 == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_blob(&p, hash32, 32);
    p_i64(&p, now);
    int rc = exec_count(ud, ST_TOKEN_CONSUME, &p, &n);
    if (rc == CHORUSACCT_OK && n == 0) {
        p_init(&p);
        p_blob(&p, hash32, 32);
        rc = missing_or(ud, ST_TOKEN_EXISTS, &p);
    }
    return rc;
}

static int ca_token_revoke(void *ud, int64_t account_id, int32_t purpose,
                           int64_t now)
{
    ca_params p;
    p_init(&p);
    p_i64(&p, account_id);
    p_i64(&p, purpose);
    p_i64(&p, now);
    return exec_count(ud, ST_TOKEN_REVOKE, &p, NULL);
}

static int ca_captcha_insert(void *ud, const chorusacct_captcha *cp)
{
    ca_params p;
    if (cp == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_captcha(&ca_io, &p, cp);
    return insert_row(ud, ST_CAPTCHA_INSERT, &p, NULL);
}

static int ca_captcha_get(void *ud, const uint8_t *id_hash32,
                          chorusacct_captcha *out)
{
    chorusacct_captcha tmp;
    ca_params p;
    if (id_hash32 == NULL || out == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_blob(&p, id_hash32, 32);
    return get_one(ud, ST_CAPTCHA_GET, ST_CAPTCHA_GET_LOCK, &p,
                   chorusacct__row_read_captcha, &tmp, out, sizeof tmp);
}

static int ca_captcha_update(void *ud, const chorusacct_captcha *cp)
{
    ca_params p;
    uint64_t n = 0;
    if (cp == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_blob(&p, cp->id_hash, 32);
    p_i64(&p, cp->used_at);
    int rc = exec_count(ud, ST_CAPTCHA_UPDATE, &p, &n);
    if (rc == CHORUSACCT_OK && n == 0)
        rc = CHORUSACCT_E_NOTFOUND;
    return rc;
}

/* ------------------------------------------------------------------ */
/* Outbox and events                                                    */

static int ca_outbox_insert(void *ud, chorusacct_message *m)
{
    ca_params p;
    int64_t id = 0;
    if (m == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_message(&ca_io, &p, m);
    int rc = insert_row(ud, ST_OUTBOX_INSERT, &p, &id);
    /* No unique key but the id: "no row" cannot be a taken key. */
    if (rc == CHORUSACCT_E_EXISTS)
        rc = CHORUSACCT_E_STORAGE;
    if (rc == CHORUSACCT_OK)
        m->id = id;
    return rc;
}

/* Runs a listing statement into `out`. */
static int list_rows(ca_conn *c, int id, const ca_params *p, ca_row_read *read,
                     void *out, size_t size, size_t max, size_t *count)
{
    PGresult *r = NULL;
    int rc = exec_main(c, id, p, &r);
    if (rc == CHORUSACCT_OK)
        rc = fetch_rows(r, read, out, size, max, count);
    PQclear(r);
    return rc;
}

static int ca_outbox_claim(void *ud, int64_t now, int64_t lease_until,
                           chorusacct_message *out, size_t max, size_t *count)
{
    ca_params p;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_i64(&p, now);
    p_i64(&p, lease_until);
    p_i64(&p, chorusacct__row_limit(max));
    return list_rows(ud, ST_OUTBOX_CLAIM, &p, chorusacct__row_read_message, out,
                     sizeof *out, max, count);
}

static int ca_outbox_update(void *ud, const chorusacct_message *m)
{
    ca_params p;
    uint64_t n = 0;
    if (m == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_delivery(&ca_io, &p, m);
    int rc = exec_count(ud, ST_OUTBOX_UPDATE, &p, &n);
    if (rc == CHORUSACCT_OK && n == 0) {
        /* Missing, or sent already (then the update is moot). */
        p_init(&p);
        p_i64(&p, m->id);
        rc = missing_or(ud, ST_OUTBOX_EXISTS, &p);
        if (rc == CHORUSACCT_E_CONFLICT)
            rc = CHORUSACCT_OK;
    }
    return rc;
}

static int ca_outbox_list(void *ud, int32_t status, int64_t after_id,
                          chorusacct_message *out, size_t max, size_t *count)
{
    ca_params p;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_i64(&p, after_id);
    p_i64(&p, chorusacct__row_limit(max));
    if (status != 0)
        p_i64(&p, status);
    return list_rows(ud, status != 0 ? ST_OUTBOX_LIST_STATUS : ST_OUTBOX_LIST,
                     &p, chorusacct__row_read_message, out, sizeof *out, max,
                     count);
}

static int ca_event_append(void *ud, chorusacct_event *e)
{
    ca_params p;
    int64_t id = 0;
    if (e == NULL)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    chorusacct__row_bind_event(&ca_io, &p, e);
    int rc = insert_row(ud, ST_EVENT_INSERT, &p, &id);
    if (rc == CHORUSACCT_E_EXISTS)
        rc = CHORUSACCT_E_STORAGE;
    if (rc == CHORUSACCT_OK)
        e->id = id;
    return rc;
}

static int ca_event_list(void *ud, int64_t account_id, int64_t after_id,
                         chorusacct_event *out, size_t max, size_t *count)
{
    ca_params p;
    if (count == NULL || (out == NULL && max > 0))
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_i64(&p, after_id);
    p_i64(&p, chorusacct__row_limit(max));
    if (account_id != 0)
        p_i64(&p, account_id);
    return list_rows(
        ud, account_id != 0 ? ST_EVENT_LIST_ACCOUNT : ST_EVENT_LIST, &p,
        chorusacct__row_read_event, out, sizeof *out, max, count);
}

/* ------------------------------------------------------------------ */
/* Settings and collection                                              */

/*
 * Inside a transaction, a setting is read and written under an advisory
 * lock of its key, held until the transaction ends: the row lock of a
 * setting that does not exist yet. Two processes that find no secret
 * and make one (context.c) then take turns, and the second reads the
 * first's instead of writing its own over it.
 */
static int meta_lock(ca_conn *c, const char *key)
{
    if (!c->in_txn)
        return CHORUSACCT_OK;
    /* FNV-1a, 64 bits, of the key: equal keys get equal locks; another
     * key with the same hash only waits a little. */
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (const unsigned char *s = (const unsigned char *)key; *s; s++)
        h = (h ^ *s) * UINT64_C(0x100000001b3);
    ca_params p;
    p_init(&p);
    p_i64(&p, (int64_t)(CA_META_LOCK_BASE ^ (h & UINT64_C(0xffffffffff))));
    return exec_count(c, ST_META_LOCK, &p, NULL);
}

static int ca_meta_get(void *ud, const char *key, uint8_t *buf, size_t cap,
                       size_t *len)
{
    ca_conn *c = ud;
    ca_params p;
    if (key == NULL || len == NULL || (buf == NULL && cap > 0))
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_text(&p, key, CHORUSACCT_KEY_SIZE);
    if (p.rc != CHORUSACCT_OK)
        return p.rc;
    int rc = meta_lock(c, key);
    PGresult *r = NULL;
    if (rc == CHORUSACCT_OK)
        rc = exec_main(c, ST_META_GET, &p, &r);
    if (rc == CHORUSACCT_OK && PQntuples(r) == 0) {
        rc = CHORUSACCT_E_NOTFOUND;
    } else if (rc == CHORUSACCT_OK) {
        size_t n = (size_t)PQgetlength(r, 0, 0);
        *len = n;
        rc = n > cap ? CHORUSACCT_E_TOOSMALL : CHORUSACCT_OK;
        if (rc == CHORUSACCT_OK && n > 0)
            memcpy(buf, PQgetvalue(r, 0, 0), n);
    }
    PQclear(r);
    return rc;
}

static int ca_meta_set(void *ud, const char *key, const uint8_t *value,
                       size_t len)
{
    ca_conn *c = ud;
    ca_params p;
    if (key == NULL || (value == NULL && len > 0) || len > INT32_MAX)
        return CHORUSACCT_E_ARG;
    p_init(&p);
    p_text(&p, key, CHORUSACCT_KEY_SIZE);
    p_blob(&p, value, len);
    if (p.rc != CHORUSACCT_OK)
        return p.rc;
    int rc = meta_lock(c, key);
    return rc == CHORUSACCT_OK ? exec_count(c, ST_META_SET, &p, NULL) : rc;
}

static int ca_gc(void *ud, int64_t before)
{
    static const int order[] = {ST_GC_TOKEN, ST_GC_CAPTCHA, ST_GC_OUTBOX};
    ca_conn *c = ud;
    ca_params p;
    ca_link *l = NULL;
    PGresult *r = NULL;
    p_init(&p);
    p_i64(&p, before);
    /* Counters on their own connection, as they are written: a counter
     * of a window before `before` counts as 0 anyway, so deleting it
     * outside the caller's transaction changes no count. */
    int rc = counter_link(c, &l);
    if (rc == CHORUSACCT_OK)
        rc = exec_on(c, l, ST_GC_COUNTER, &p, &r);
    PQclear(r);
    bool own = false;
    if (rc == CHORUSACCT_OK)
        rc = own_begin(c, &own);
    else
        return rc;
    for (size_t i = 0; i < CA_ARRAY_LEN(order) && rc == CHORUSACCT_OK; i++)
        rc = exec_count(c, order[i], &p, NULL);
    return own_end(c, own, rc);
}

/* ------------------------------------------------------------------ */
/* Opening                                                              */

static void conn_free(ca_conn *c)
{
    if (c == NULL)
        return;
    link_close(&c->main);
    link_close(&c->aux);
    free(c->conninfo);
    free(c);
}

static void ca_destroy(void *ud)
{
    ca_conn *c = ud;
    if (c == NULL)
        return;
    /* In a child process, closing would tell the server that the
     * parent's session is over: the memory is left as it is. */
    if (foreign(c))
        return;
    if (c->in_txn)
        (void)ca_rollback(c);
    conn_free(c);
}

/* The schema version of the database: -1 when it has no schema table.
 * The table is looked for in pg_class itself, with the statement's
 * snapshot: a name lookup (to_regclass) may answer from the session's
 * catalog cache, which a migration just committed by another server has
 * not reached yet, since an advisory lock does not refresh it. */
static int schema_version_of(PGconn *conn, int *out)
{
    char buf[32];
    int rc = simple(conn,
                    "SELECT count(*) FROM pg_catalog.pg_class c"
                    " JOIN pg_catalog.pg_namespace n"
                    " ON n.oid = c.relnamespace"
                    " WHERE c.relname = 'chorusacct_schema'"
                    " AND n.nspname = current_schema()",
                    buf, sizeof buf);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (strcmp(buf, "0") == 0) {
        *out = -1;
        return CHORUSACCT_OK;
    }
    rc = simple(conn, "SELECT coalesce(max(version), 0) FROM chorusacct_schema",
                buf, sizeof buf);
    if (rc != CHORUSACCT_OK)
        return rc;
    long v = strtol(buf, NULL, 10);
    *out = v < 0 ? 0 : v > INT32_MAX ? INT32_MAX : (int)v;
    return CHORUSACCT_OK;
}

/* One step, if it is still missing once the migration lock is held. */
static int migrate_step(PGconn *conn, int *v)
{
    int rc = simple(conn, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL, 0);
    if (rc != CHORUSACCT_OK)
        return rc;
    /* A migration waits for another server's, and for the tables it
     * changes, as long as that takes: not the flow's lock timeout. */
    rc = simple(conn, "SET LOCAL lock_timeout = 0", NULL, 0);
    if (rc == CHORUSACCT_OK)
        rc = simple(conn, "SELECT pg_advisory_xact_lock(" CA_MIGRATION_LOCK ")",
                    NULL, 0);
    if (rc == CHORUSACCT_OK)
        rc = schema_version_of(conn, v);
    if (rc == CHORUSACCT_OK && *v > CA_SCHEMA_VERSION)
        rc = CHORUSACCT_E_SCHEMA;
    if (rc == CHORUSACCT_OK && *v < CA_SCHEMA_VERSION) {
        int step = *v < 0 ? 0 : *v;
        rc = simple(conn, ca_migrations[step], NULL, 0);
        if (rc == CHORUSACCT_OK) {
            char sql[128];
            snprintf(sql, sizeof sql,
                     "INSERT INTO chorusacct_schema(version, applied_at)"
                     " VALUES(%d, %lld)",
                     step + 1, (long long)time(NULL));
            rc = simple(conn, sql, NULL, 0);
        }
        if (rc == CHORUSACCT_OK)
            *v = step + 1;
    }
    if (rc == CHORUSACCT_OK)
        return simple(conn, "COMMIT", NULL, 0);
    (void)simple(conn, "ROLLBACK", NULL, 0);
    return rc;
}

/* Brings the schema to CA_SCHEMA_VERSION, one step per transaction. The
 * version is read first without the lock, so that opening an up-to-date
 * database never waits for another server's migration lock. */
static int migrate(PGconn *conn, uint32_t flags)
{
    char enc[32];
    int v, rc = simple(conn, "SHOW server_encoding", enc, sizeof enc);
    if (rc == CHORUSACCT_OK && strcmp(enc, "UTF8") != 0)
        return CHORUSACCT_E_STORAGE;
    if (rc == CHORUSACCT_OK)
        rc = schema_version_of(conn, &v);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (v > CA_SCHEMA_VERSION)
        return CHORUSACCT_E_SCHEMA;
    if (v < CA_SCHEMA_VERSION && (flags & CHORUSACCT_POSTGRES_NO_MIGRATE))
        return v < 0 ? CHORUSACCT_E_NOTFOUND : CHORUSACCT_E_SCHEMA;
    while (rc == CHORUSACCT_OK && v < CA_SCHEMA_VERSION)
        rc = migrate_step(conn, &v);
    return rc;
}

/* Whether libpq can parse the connection string (a bare word is a
 * database name, which it always takes). */
static bool conninfo_ok(const char *conninfo)
{
    if (strchr(conninfo, '=') == NULL &&
        strncmp(conninfo, "postgresql://", 13) != 0 &&
        strncmp(conninfo, "postgres://", 11) != 0)
        return true;
    char *err = NULL;
    PQconninfoOption *o = PQconninfoParse(conninfo, &err);
    PQfreemem(err);
    if (o == NULL)
        return false;
    PQconninfoFree(o);
    return true;
}

int chorusacct_postgres_ops(chorusacct_storage_ops *out, const char *conninfo,
                            uint32_t flags)
{
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_STORAGE_OPS);
    if (n == 0 || conninfo == NULL ||
        (flags & ~(uint32_t)CHORUSACCT_POSTGRES_NO_MIGRATE) != 0)
        return CHORUSACCT_E_ARG;
    if (!conninfo_ok(conninfo))
        return CHORUSACCT_E_ARG;
    ca_conn *c = calloc(1, sizeof *c);
    if (c == NULL)
        return CHORUSACCT_E_NOMEM;
    c->pid = getpid();
    c->conninfo = strdup(conninfo);
    int rc = c->conninfo != NULL ? link_open(&c->main, conninfo)
                                 : CHORUSACCT_E_NOMEM;
    if (rc == CHORUSACCT_OK)
        rc = migrate(c->main.conn, flags);
    if (rc != CHORUSACCT_OK) {
        conn_free(c);
        return rc;
    }

    chorusacct_storage_ops ops;
    CA_ROW_FILL_OPS(ops, c);
    chorusacct__out_write(out, &ops, n);
    return CHORUSACCT_OK;
}

#endif /* CHORUSACCT_HAVE_POSTGRES */
