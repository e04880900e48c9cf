#include "flowutil.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int luhn_sum(const char *d, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i & 1)
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    return sum;
}

void siret_of(unsigned n, char *out)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%08u00000", n % 100000000u);
    memcpy(out, tmp, 13);
    for (char c = '0'; c <= '9'; c++) {
        out[8] = c;
        if (luhn_sum(out, 9) % 10 == 0)
            break;
    }
    memcpy(out + 9, "0001", 4);
    for (char c = '0'; c <= '9'; c++) {
        out[13] = c;
        if (luhn_sum(out, 14) % 10 == 0)
            break;
    }
    out[14] = '\0';
}

static chorusacct_ctx *make_ctx(bench *b, uint32_t flags)
{
    chorusacct_config cfg;
    assert_int_equal(chorusacct_config_init(&cfg, sizeof cfg), CHORUSACCT_OK);
    cfg.flags = flags;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.activation_url = "https://portal.test/activate?token={token}";
    chorusacct_ctx *ctx = NULL;
    assert_int_equal(chorusacct_ctx_new(&ctx, &cfg), CHORUSACCT_OK);

    chorusacct_storage_ops st;
    chorusacct_mailer_ops ml;
    chorusacct_clock_ops ck;
    chorusacct_random_ops rd;
    bench_storage(b, &st);
    assert_int_equal(chorusacct_capmailer_ops(b->mail, &ml), CHORUSACCT_OK);
    assert_int_equal(chorusacct_testclock_ops(b->clock, &ck), CHORUSACCT_OK);
    assert_int_equal(chorusacct_testrandom_ops(b->rnd, &rd), CHORUSACCT_OK);
    assert_int_equal(chorusacct_ctx_set_storage(ctx, &st), CHORUSACCT_OK);
    assert_int_equal(chorusacct_ctx_set_mailer(ctx, &ml), CHORUSACCT_OK);
    assert_int_equal(chorusacct_ctx_set_clock(ctx, &ck), CHORUSACCT_OK);
    assert_int_equal(chorusacct_ctx_set_random(ctx, &rd), CHORUSACCT_OK);
    return ctx;
}

bool bench_sqlite(const bench *b)
{
    return b->path[0] != '\0';
}

void bench_open(bench *b, uint32_t flags)
{
    static const uint8_t seed[32] = {42};
    memset(b, 0, sizeof *b);
    const char *backend = getenv("CHORUSACCT_TEST_BACKEND");
    if (backend != NULL && strcmp(backend, "sqlite") == 0) {
        snprintf(b->dir, sizeof b->dir, "/tmp/chorusacct-test-XXXXXX");
        assert_non_null(mkdtemp(b->dir));
        snprintf(b->path, sizeof b->path, "%s/flow.db", b->dir);
    } else {
        assert_int_equal(chorusacct_memstore_new(&b->store), CHORUSACCT_OK);
    }
    assert_int_equal(chorusacct_capmailer_new(&b->mail), CHORUSACCT_OK);
    assert_int_equal(chorusacct_testclock_new(&b->clock, T0), CHORUSACCT_OK);
    assert_int_equal(chorusacct_testrandom_new(&b->rnd, seed), CHORUSACCT_OK);
    b->ctx = make_ctx(b, flags);
}

chorusacct_ctx *bench_ctx(bench *b, uint32_t flags)
{
    return make_ctx(b, flags);
}

void bench_storage(bench *b, chorusacct_storage_ops *ops)
{
    if (bench_sqlite(b))
        assert_int_equal(chorusacct_sqlite_storage(ops, b->path, 0),
                         CHORUSACCT_OK);
    else
        assert_int_equal(chorusacct_memstore_ops(b->store, ops),
                         CHORUSACCT_OK);
}

/* SQLite: every table but the counters and the schema's history (which
 * records the wall-clock time of each migration: two benches opened a
 * second apart would differ), row by row, in key order. */
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
                                        "LIKE 'sqlite_%' AND name <> "
                                        "'counter' AND name <> "
                                        "'chorusacct_schema' ORDER BY name",
                                        -1, &tables, NULL),
                     SQLITE_OK);
    while (sqlite3_step(tables) == SQLITE_ROW) {
        char sql[128];
        const char *name = (const char *)sqlite3_column_text(tables, 0);
        snprintf(sql, sizeof sql, "SELECT * FROM \"%s\" ORDER BY 1, 2",
                 name);
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

void bench_digest(bench *b, uint8_t *out32)
{
    if (bench_sqlite(b))
        sqlite_digest(b->path, out32);
    else
        assert_int_equal(chorusacct_memstore_digest(b->store, out32),
                         CHORUSACCT_OK);
}

void bench_close(bench *b)
{
    chorusacct_ctx_free(b->ctx);
    chorusacct_memstore_free(b->store);
    if (bench_sqlite(b)) {
        /* The database, its WAL and shared-memory files, the folder. */
        static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
        char f[128];
        for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
            snprintf(f, sizeof f, "%s%s", b->path, ext[i]);
            unlink(f);
        }
        rmdir(b->dir);
    }
    chorusacct_capmailer_free(b->mail);
    chorusacct_testclock_free(b->clock);
    chorusacct_testrandom_free(b->rnd);
    memset(b, 0, sizeof *b);
}

void form_fill(chorusacct_signup *f, const char *email, const char *first,
               const char *last, const char *siret)
{
    assert_int_equal(chorusacct_signup_init(f, sizeof *f), CHORUSACCT_OK);
    f->login_email = email;
    f->first_name = first;
    f->last_name = last;
    f->phone = "06 12 34 56 78";
    f->accept_terms = 1;
    f->id_type = CHORUSACCT_ID_SIRET;
    f->identifier = siret;
    f->lang = CHORUSACCT_LANG_FR;
}

int64_t do_signup(bench *b, const char *email, const char *siret,
                  int want_state)
{
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, email, "Marie", "Curie", siret);
    int rc = chorusacct_signup_submit(b->ctx, &f, &r);
    if (rc != CHORUSACCT_OK)
        fail_msg("sign-up of %s: %s (%s, %u field errors, first %s)", email,
                 chorusacct_code_name(rc), chorusacct_ctx_last_error(b->ctx),
                 r.nerrors,
                 r.nerrors ? chorusacct_code_name(r.errors[0].code) : "-");
    assert_int_equal(r.state, want_state);
    assert_true(r.account_id > 0);
    return r.account_id;
}

unsigned do_deliver(bench *b)
{
    chorusacct_delivery d = {.struct_size = sizeof d};
    int rc = chorusacct_deliver_pending(b->ctx, 1000, &d);
    if (rc != CHORUSACCT_OK)
        fail_msg("deliver: %s", chorusacct_ctx_last_error(b->ctx));
    return d.sent;
}

void last_token(bench *b, const char *email, char *token, size_t cap)
{
    char link[512];
    size_t n;
    assert_int_equal(chorusacct_capmailer_last_link(b->mail, email, link,
                                                    sizeof link, &n),
                     CHORUSACCT_OK);
    const char *t = strstr(link, "token=");
    assert_non_null(t);
    snprintf(token, cap, "%s", t + 6);
}

int do_activate(bench *b, const char *token, int *reason)
{
    return chorusacct_account_activate(b->ctx, token, GOOD_PW,
                                       strlen(GOOD_PW), GOOD_PW,
                                       strlen(GOOD_PW), NULL, NULL, NULL,
                                       reason);
}

int64_t make_manager(bench *b, const char *email, const char *siret)
{
    int64_t id =
        do_signup(b, email, siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_deliver(b);
    char token[64];
    int reason = 0;
    last_token(b, email, token, sizeof token);
    assert_int_equal(do_activate(b, token, &reason), CHORUSACCT_OK);
    assert_int_equal(state_of(b, id), CHORUSACCT_STATE_ACTIVE);
    return id;
}

size_t mails_of(bench *b, int kind, const char *to)
{
    size_t n = 0, count = chorusacct_capmailer_count(b->mail);
    for (size_t i = 0; i < count; i++) {
        const chorusacct_mail *m = chorusacct_capmailer_at(b->mail, i);
        if (m->kind == kind && (to == NULL || strcasecmp(m->to, to) == 0))
            n++;
    }
    return n;
}

size_t outbox_count(bench *b, int status)
{
    chorusacct_message page[16];
    size_t total = 0, n;
    int64_t after = 0;
    do {
        assert_int_equal(chorusacct_outbox_list(b->ctx, status, after, page,
                                                16, &n),
                         CHORUSACCT_OK);
        total += n;
        if (n > 0)
            after = page[n - 1].id;
    } while (n == 16);
    return total;
}

int state_of(bench *b, int64_t id)
{
    chorusacct_account a;
    assert_int_equal(chorusacct_account_get(b->ctx, id, &a), CHORUSACCT_OK);
    return a.state;
}

size_t event_types(bench *b, int64_t id, int *types, size_t max)
{
    chorusacct_event e[32];
    size_t n;
    assert_int_equal(chorusacct_events_list(b->ctx, id, 0, e, 32, &n),
                     CHORUSACCT_OK);
    for (size_t i = 0; i < n && i < max; i++)
        types[i] = e[i].type;
    return n;
}
