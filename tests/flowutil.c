#include "flowutil.h"

#include <sodium.h>
#include <sqlite3.h>
#ifdef CHORUSACCT_TEST_HAVE_PG
#include "pgutil.h"
#include <chorusacct/postgres.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <chorusacct/testkit.h>

static chorusacct_ctx *make_ctx(flowfix *b, uint32_t flags)
{
    chorusacct_config cfg;
    assert_code(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK, NULL);
    cfg.flags = flags;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.activation_url = "https://portal.test/activate?token={token}";
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_OK, NULL);

    chorusacct_storage_ops st = {.struct_size = sizeof st};
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    chorusacct_clock_ops ck = {.struct_size = sizeof ck};
    chorusacct_random_ops rd = {.struct_size = sizeof rd};
    flowfix_storage(b, &st);
    assert_code(chorusacct_testmailer_ops(&ml, b->mail), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_testclock_ops(&ck, b->clock), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_testrandom_ops(&rd, b->rnd), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_ctx_set_storage(ctx, &st), CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_mailer(ctx, &ml), CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_clock(ctx, &ck), CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_random(ctx, &rd), CHORUSACCT_OK, ctx);
    return ctx;
}

bool flowfix_sqlite(const flowfix *b)
{
    return b->path[0] != '\0';
}

#ifdef CHORUSACCT_TEST_HAVE_PG
static bool flowfix_pg(const flowfix *b)
{
    return b->pg_schema[0] != '\0';
}
#endif

void flowfix_open(flowfix *b, uint32_t flags)
{
    static const uint8_t seed[32] = {42};
    memset(b, 0, sizeof *b);
    const char *backend = getenv("CHORUSACCT_TEST_BACKEND");
    if (backend != NULL && strcmp(backend, "sqlite") == 0) {
        snprintf(b->dir, sizeof b->dir, "/tmp/chorusacct-test-XXXXXX");
        assert_non_null(mkdtemp(b->dir));
        snprintf(b->path, sizeof b->path, "%s/flow.db", b->dir);
    } else if (backend != NULL && strcmp(backend, "postgres") == 0) {
#ifdef CHORUSACCT_TEST_HAVE_PG
        if (pg_base() == NULL)
            fail_msg("CHORUSACCT_TEST_PG unset: run by tests/pg-server.sh");
        assert_true(pg_new_schema(b->pg_schema, sizeof b->pg_schema, b->pg_info,
                                  sizeof b->pg_info));
#else
        fail_msg("built without libpq");
#endif
    } else {
        assert_code(chorusacct_memstore_new(&b->store), CHORUSACCT_OK, NULL);
    }
    assert_code(chorusacct_testmailer_new(&b->mail), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_testclock_new(&b->clock, T0), CHORUSACCT_OK, NULL);
    assert_code(chorusacct_testrandom_new(&b->rnd, seed), CHORUSACCT_OK, NULL);
    b->ctx = make_ctx(b, flags);
}

chorusacct_ctx *flowfix_ctx(flowfix *b, uint32_t flags)
{
    return make_ctx(b, flags);
}

void flowfix_storage(flowfix *b, chorusacct_storage_ops *ops)
{
    ops->struct_size = (uint32_t)sizeof *ops;
    if (flowfix_sqlite(b))
        assert_code(chorusacct_sqlite_ops(ops, b->path, 0), CHORUSACCT_OK,
                    NULL);
#ifdef CHORUSACCT_TEST_HAVE_PG
    else if (flowfix_pg(b))
        assert_code(chorusacct_postgres_ops(ops, b->pg_info, 0), CHORUSACCT_OK,
                    NULL);
#endif
    else
        assert_code(chorusacct_memstore_ops(ops, b->store), CHORUSACCT_OK,
                    NULL);
}

/* SQLite: every table but the counters and the schema's bookkeeping
 * (which records when each migration ran), row by row, in key order. */
static void sqlite_digest(const char *path, uint8_t *out32)
{
    sqlite3 *db;
    sqlite3_stmt *tables, *rows;
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT name FROM sqlite_schema "
                                        "WHERE type = 'table' AND name NOT "
                                        "LIKE 'sqlite_%' AND name NOT IN "
                                        "('counter', 'chorusacct_schema') "
                                        "ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[128];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1, 2", name);
        crypto_generichash_update(&h, (const uint8_t *)name, strlen(name));
        assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &rows, NULL),
                         SQLITE_OK);
        while (sqlite3_step(rows) == SQLITE_ROW) {
            for (int c = 0; c < sqlite3_column_count(rows); c++) {
                const void *v = sqlite3_column_blob(rows, c);
                int n = sqlite3_column_bytes(rows, c);
                uint8_t tag[2] = {(uint8_t)sqlite3_column_type(rows, c),
                                  (uint8_t)n};
                crypto_generichash_update(&h, tag, sizeof tag);
                if (v != NULL)
                    crypto_generichash_update(&h, v, (size_t)n);
            }
        }
        sqlite3_finalize(rows);
    }
    sqlite3_finalize(tables);
    sqlite3_close(db);
    crypto_generichash_final(&h, out32, 32);
}

#ifdef CHORUSACCT_TEST_HAVE_PG
/*
 * PostgreSQL: the same, every table but the counters (and the schema
 * versions, with the time they were applied), row by row in key order,
 * each value as text. Events and messages are hashed without their
 * ids, in id order: a sequence does not go back when a transaction rolls
 * back, so a store where a transaction failed and was run again has gaps
 * in those ids that a clean store has not, and the records are the same.
 */
static void pg_digest(const char *schema, uint8_t *out32)
{
    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, 32);
    PGconn *c = pg_admin(schema);
    assert_non_null(c);
    PGresult *tables = PQexec(c, "SELECT tablename FROM pg_tables"
                                 " WHERE schemaname = current_schema()"
                                 " AND tablename NOT IN ('chorusacct_counter',"
                                 " 'chorusacct_schema')"
                                 " ORDER BY tablename");
    assert_int_equal(PQresultStatus(tables), PGRES_TUPLES_OK);
    for (int t = 0; t < PQntuples(tables); t++) {
        const char *name = PQgetvalue(tables, t, 0);
        if (name == NULL)
            continue;
        bool skip_id = strcmp(name, "chorusacct_event") == 0 ||
                       strcmp(name, "chorusacct_outbox") == 0;
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY 1, 2", name);
        crypto_generichash_update(&h, (const uint8_t *)name, strlen(name));
        PGresult *rows = PQexec(c, sql);
        assert_int_equal(PQresultStatus(rows), PGRES_TUPLES_OK);
        for (int r = 0; r < PQntuples(rows); r++) {
            for (int k = skip_id ? 1 : 0; k < PQnfields(rows); k++) {
                uint32_t n = (uint32_t)PQgetlength(rows, r, k);
                uint8_t tag[5] = {(uint8_t)PQgetisnull(rows, r, k), (uint8_t)n,
                                  (uint8_t)(n >> 8), (uint8_t)(n >> 16),
                                  (uint8_t)(n >> 24)};
                crypto_generichash_update(&h, tag, sizeof tag);
                crypto_generichash_update(
                    &h, (const uint8_t *)PQgetvalue(rows, r, k), n);
            }
        }
        PQclear(rows);
    }
    PQclear(tables);
    PQfinish(c);
    crypto_generichash_final(&h, out32, 32);
}
#endif

void flowfix_digest(flowfix *b, uint8_t *out32)
{
#ifdef CHORUSACCT_TEST_HAVE_PG
    if (flowfix_pg(b)) {
        pg_digest(b->pg_schema, out32);
        return;
    }
#endif
    if (flowfix_sqlite(b))
        sqlite_digest(b->path, out32);
    else
        assert_code(
            chorusacct_memstore_digest(b->store, out32, CHORUSACCT_DIGEST_SIZE),
            CHORUSACCT_OK, NULL);
}

bool flowfix_damage_message(flowfix *b, int64_t id)
{
    char sql[160];
    if (flowfix_sqlite(b)) {
        /* A BLOB where the text belongs: the row no longer reads. */
        sqlite3 *db = NULL;
        assert_int_equal(
            sqlite3_open_v2(b->path, &db, SQLITE_OPEN_READWRITE, NULL),
            SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        snprintf(sql, sizeof sql,
                 "UPDATE outbox SET body = randomblob(300) WHERE id = %lld",
                 (long long)id);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_changes(db), 1);
        sqlite3_close(db);
        return true;
    }
#ifdef CHORUSACCT_TEST_HAVE_PG
    if (flowfix_pg(b)) {
        /* A text longer than the record's field. */
        PGconn *c = pg_admin(b->pg_schema);
        assert_non_null(c);
        snprintf(sql, sizeof sql,
                 "UPDATE chorusacct_outbox SET body = repeat('x', 9000)"
                 " WHERE id = %lld",
                 (long long)id);
        assert_true(pg_exec(c, sql));
        PQfinish(c);
        return true;
    }
#endif
    return false; /* the in-memory store keeps structures, not rows */
}

void flowfix_close(flowfix *b)
{
    chorusacct_ctx_free(b->ctx);
    chorusacct_memstore_free(b->store);
    if (flowfix_sqlite(b)) {
        /* The database, its WAL and shared-memory files, the folder. */
        static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
        char f[128];
        for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
            snprintf(f, sizeof f, "%s%s", b->path, ext[i]);
            unlink(f);
        }
        rmdir(b->dir);
    }
#ifdef CHORUSACCT_TEST_HAVE_PG
    if (flowfix_pg(b))
        pg_drop_schema(b->pg_schema);
#endif
    chorusacct_testmailer_free(b->mail);
    chorusacct_testclock_free(b->clock);
    chorusacct_testrandom_free(b->rnd);
    memset(b, 0, sizeof *b);
}

void form_fill(chorusacct_signup *f, const char *email, const char *first,
               const char *last, const char *siret)
{
    assert_code(chorusacct_signup_init(f, sizeof *f), CHORUSACCT_OK, NULL);
    f->login_email = email;
    f->first_name = first;
    f->last_name = last;
    f->phone = "06 12 34 56 78";
    f->accept_terms = 1;
    f->id_type = CHORUSACCT_ID_SIRET;
    f->identifier = siret;
    f->lang = CHORUSACCT_LANG_FR;
}

int64_t do_signup(flowfix *b, const char *email, const char *siret,
                  int want_state)
{
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, email, "Marie", "Curie", siret);
    int rc = chorusacct_signup_submit(b->ctx, &f, &r);
    if (rc != CHORUSACCT_OK)
        fail_msg("sign-up of %s: %s (%s, %u field errors, first %s)", email,
                 chorusacct_status_name(rc), chorusacct_ctx_last_error(b->ctx),
                 r.nerrors,
                 r.nerrors ? chorusacct_status_name(r.errors[0].code) : "-");
    assert_int_equal(r.state, want_state);
    assert_true(r.account_id > 0);
    return r.account_id;
}

unsigned do_deliver(flowfix *b)
{
    chorusacct_delivery d = {.struct_size = sizeof d};
    int rc = chorusacct_outbox_deliver(b->ctx, 1000, &d);
    if (rc != CHORUSACCT_OK)
        fail_msg("deliver: %s", chorusacct_ctx_last_error(b->ctx));
    return d.sent;
}

void last_token(flowfix *b, const char *email, char *token, size_t cap)
{
    char link[512];
    size_t n;
    assert_code(
        chorusacct_testmailer_last_link(b->mail, email, link, sizeof link, &n),
        CHORUSACCT_OK, NULL);
    const char *t = strstr(link, "token=");
    assert_non_null(t);
    snprintf(token, cap, "%s", t + 6);
}

int do_activate_pw(flowfix *b, const char *token, const char *pw,
                   uint32_t *failed, int *reason)
{
    return activation_submit(b->ctx, token, pw, strlen(pw), pw, strlen(pw),
                             NULL, NULL, failed, reason);
}

int do_activate(flowfix *b, const char *token, int *reason)
{
    return do_activate_pw(b, token, GOOD_PW, NULL, reason);
}

void activate_last(flowfix *b, const char *email, char *token, size_t cap)
{
    char own[64];
    if (token == NULL) {
        token = own;
        cap = sizeof own;
    }
    do_deliver(b);
    last_token(b, email, token, cap);
    int reason = 0;
    assert_code(do_activate(b, token, &reason), CHORUSACCT_OK, b->ctx);
}

void approve_and_activate(flowfix *b, int64_t manager, int64_t id,
                          const char *email)
{
    int reason;
    assert_code(chorusacct_account_approve(b->ctx, manager, id, &reason),
                CHORUSACCT_OK, b->ctx);
    activate_last(b, email, NULL, 0);
}

int64_t make_manager(flowfix *b, const char *email, const char *siret)
{
    int64_t id =
        do_signup(b, email, siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    activate_last(b, email, NULL, 0);
    assert_int_equal(state_of(b, id), CHORUSACCT_STATE_ACTIVE);
    return id;
}

size_t mails_of(flowfix *b, int kind, const char *to)
{
    size_t n = 0, count = chorusacct_testmailer_count(b->mail);
    for (size_t i = 0; i < count; i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(b->mail, i);
        if (m->kind == kind && (to == NULL || strcasecmp(m->to, to) == 0))
            n++;
    }
    return n;
}

size_t outbox_count(flowfix *b, int status)
{
    chorusacct_message page[16] = {{.struct_size = sizeof page[0]}};
    size_t total = 0, n;
    int64_t after = 0;
    do {
        assert_code(chorusacct_outbox_list(b->ctx, status, after, page, 16, &n),
                    CHORUSACCT_OK, b->ctx);
        total += n;
        if (n > 0)
            after = page[n - 1].id;
    } while (n == 16);
    return total;
}

int state_of(flowfix *b, int64_t id)
{
    chorusacct_account a = {.struct_size = sizeof a};
    assert_code(chorusacct_account_get(b->ctx, id, &a), CHORUSACCT_OK, b->ctx);
    return a.state;
}

size_t event_types(flowfix *b, int64_t id, int *types, size_t max)
{
    chorusacct_event e[32] = {{.struct_size = sizeof e[0]}};
    size_t n;
    assert_code(chorusacct_event_list(b->ctx, id, 0, e, 32, &n), CHORUSACCT_OK,
                b->ctx);
    for (size_t i = 0; i < n && i < max; i++)
        types[i] = e[i].type;
    return n;
}
