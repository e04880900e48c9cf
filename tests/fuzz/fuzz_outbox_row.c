/*
 * libFuzzer target: the outbox row decoder, as a damaged or tampered
 * database gives it rows (issue 12, point 7).
 *
 * The input describes the 13 columns of one outbox row after its id (1):
 * for each, one type byte, then its value. Type (byte & 3): 0, a small
 * integer (one signed byte); 1, a text (two bytes of length, then its
 * bytes, as stored: any bytes); 2, a BLOB (the same); 3, an integer of
 * eight bytes, big-endian. Missing bytes are zeros. The row is written
 * with a raw SQLite connection into the file of an SQLite table, then
 * read back through the backend (outbox_list, outbox_claim through the
 * flow) and the library (chorusacct_outbox_list, chorusacct_outbox_deliver,
 * chorusacct_mail_format). It checks that:
 * - listing never fails: the row comes back, with every text
 *   NUL-terminated within its field, and a row that did not read is dead
 *   with "stored row does not decode (FIELD)";
 * - delivery never fails and accounts for the row (sent, dead, retried or
 *   cancelled) when it was due; the snapshot it holds is rendered within
 *   bounds (ASan), and a mail sent has a one-line subject and formats.
 */
#include <chorusacct.h>
#include <chorusacct/sqlite.h>
#include <chorusacct/testkit.h>

#include <sodium.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1795687200)
#define NCOLS 13

static const char *const cols[NCOLS] = {
    "account_id",      "kind",        "lang",
    "status",          "attempts",    "created_at",
    "next_attempt_at", "lease_until", "sent_at",
    "recipient",       "subject",     "body",
    "last_error"};

typedef struct {
    char path[64];
    sqlite3 *raw;
    sqlite3_stmt *clear, *insert;
    chorusacct_testmailer *cm;
    chorusacct_testclock *ck;
    chorusacct_testrandom *rd;
    chorusacct_ctx *ctx;
    chorusacct_storage_ops st;
} world;

static void must_at(bool ok, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_outbox_row.c:%d: check failed\n", line);
        abort();
    }
}
#define must(ok) must_at((ok), __LINE__)

static void world_cleanup(void);
static world *w;

static void world_open(void)
{
    static world the;
    static const uint8_t seed[32] = {5};
    w = &the;
    snprintf(w->path, sizeof w->path, "/tmp/fuzz-outbox-%ld.db",
             (long)getpid());
    unlink(w->path);
    chorusacct_config cfg;
    must(chorusacct_config_init(&cfg, sizeof cfg) == CHORUSACCT_OK);
    cfg.flags = CHORUSACCT_CFG_NO_CAPTCHA;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.activation_url = "https://portal.test/activate?token={token}";
    must(chorusacct_ctx_new(&w->ctx, &cfg) == CHORUSACCT_OK);
    chorusacct_storage_ops so = {.struct_size = sizeof so};
    chorusacct_mailer_ops mo = {.struct_size = sizeof mo};
    chorusacct_clock_ops co = {.struct_size = sizeof co};
    chorusacct_random_ops ro = {.struct_size = sizeof ro};
    must(chorusacct_sqlite_ops(&so, w->path, 0) == CHORUSACCT_OK);
    must(chorusacct_testmailer_new(&w->cm) == CHORUSACCT_OK);
    must(chorusacct_testclock_new(&w->ck, T0) == CHORUSACCT_OK);
    must(chorusacct_testrandom_new(&w->rd, seed) == CHORUSACCT_OK);
    must(chorusacct_testmailer_ops(&mo, w->cm) == CHORUSACCT_OK);
    must(chorusacct_testclock_ops(&co, w->ck) == CHORUSACCT_OK);
    must(chorusacct_testrandom_ops(&ro, w->rd) == CHORUSACCT_OK);
    w->st = so;
    must(chorusacct_ctx_set_storage(w->ctx, &so) == CHORUSACCT_OK);
    must(chorusacct_ctx_set_mailer(w->ctx, &mo) == CHORUSACCT_OK);
    must(chorusacct_ctx_set_clock(w->ctx, &co) == CHORUSACCT_OK);
    must(chorusacct_ctx_set_random(w->ctx, &ro) == CHORUSACCT_OK);
    must(sqlite3_open_v2(w->path, &w->raw, SQLITE_OPEN_READWRITE, NULL) ==
         SQLITE_OK);
    sqlite3_busy_timeout(w->raw, 5000);
    char sql[512];
    int n = snprintf(sql, sizeof sql, "INSERT INTO outbox(id");
    for (int i = 0; i < NCOLS; i++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", %s", cols[i]);
    n += snprintf(sql + n, sizeof sql - (size_t)n, ") VALUES(1");
    for (int i = 0; i < NCOLS; i++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", ?");
    snprintf(sql + n, sizeof sql - (size_t)n, ")");
    must(sqlite3_prepare_v2(w->raw, sql, -1, &w->insert, NULL) == SQLITE_OK);
    must(sqlite3_prepare_v2(w->raw, "DELETE FROM outbox", -1, &w->clear,
                            NULL) == SQLITE_OK);
    atexit(world_cleanup);
}

static void world_cleanup(void)
{
    char p[80];
    sqlite3_finalize(w->insert);
    sqlite3_finalize(w->clear);
    sqlite3_close(w->raw);
    chorusacct_ctx_free(w->ctx);
    chorusacct_testmailer_free(w->cm);
    chorusacct_testclock_free(w->ck);
    chorusacct_testrandom_free(w->rd);
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", w->path, ext[i]);
        unlink(p);
    }
}

/* Reads `n` bytes of the input, zeros past its end. */
static void take(const uint8_t **p, const uint8_t *end, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = *p < end ? *(*p)++ : 0;
}

static void bind_row(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    for (int i = 0; i < NCOLS; i++) {
        uint8_t t, b[8];
        take(&p, end, &t, 1);
        switch (t & 3) {
        case 0:
            take(&p, end, b, 1);
            sqlite3_bind_int64(w->insert, i + 1, (int8_t)b[0]);
            break;
        case 3: {
            take(&p, end, b, 8);
            uint64_t v = 0;
            for (int k = 0; k < 8; k++)
                v = v << 8 | b[k];
            sqlite3_bind_int64(w->insert, i + 1, (sqlite3_int64)v);
            break;
        }
        default: {
            take(&p, end, b, 2);
            size_t len = (size_t)b[0] << 8 | b[1];
            if (len > (size_t)(end - p))
                len = (size_t)(end - p);
            if ((t & 3) == 1)
                sqlite3_bind_text(w->insert, i + 1, (const char *)p, (int)len,
                                  SQLITE_TRANSIENT);
            else
                sqlite3_bind_blob(w->insert, i + 1, len > 0 ? p : b, (int)len,
                                  SQLITE_TRANSIENT);
            p += len;
            break;
        }
        }
    }
}

static bool terminated(const char *f, size_t size)
{
    return memchr(f, '\0', size) != NULL;
}

static void check_record(const chorusacct_message *m)
{
    must(m->id == 1);
    must(terminated(m->to, sizeof m->to));
    must(terminated(m->subject, sizeof m->subject));
    must(terminated(m->body, sizeof m->body));
    must(terminated(m->last_error, sizeof m->last_error));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (w == NULL)
        world_open();
    must(sqlite3_step(w->clear) == SQLITE_DONE);
    sqlite3_reset(w->clear);
    bind_row(data, size);
    int rc = sqlite3_step(w->insert);
    sqlite3_reset(w->insert);
    sqlite3_clear_bindings(w->insert);
    if (rc != SQLITE_DONE)
        return 0; /* a value the table refuses (NOT NULL) */
    chorusacct_testclock_set(w->ck, T0);
    chorusacct_testmailer_clear(w->cm);

    /* The backend: the row comes back, whatever it holds. */
    static chorusacct_message m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    size_t n = 0;
    must(w->st.outbox_list(w->st.user_data, 0, 0, &m, 1, &n) == CHORUSACCT_OK);
    must(n == 1);
    check_record(&m);
    const bool damaged =
        strncmp(m.last_error, "stored row does not decode (", 28) == 0 &&
        m.status == CHORUSACCT_MSG_DEAD;
    const bool due = m.status == CHORUSACCT_MSG_PENDING &&
                     m.next_attempt_at <= T0 && m.lease_until <= T0;

    /* The library's listing, rendered. */
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    must(chorusacct_outbox_list(w->ctx, 0, 0, &m, 1, &n) == CHORUSACCT_OK);
    must(n == 1);
    check_record(&m);

    /* Delivery accounts for a due row and never fails. */
    chorusacct_delivery d = {.struct_size = sizeof d};
    rc = chorusacct_outbox_deliver(w->ctx, 4, &d);
    must(rc == CHORUSACCT_OK);
    size_t handled = d.sent + d.dead + d.retried + d.cancelled;
    must(handled <= 1);
    must(!due || damaged || handled == 1);
    for (size_t i = 0; i < chorusacct_testmailer_count(w->cm); i++) {
        const chorusacct_mail *ml = chorusacct_testmailer_at(w->cm, i);
        must(strchr(ml->subject, '\n') == NULL);
        static char buf[65536];
        size_t len = 0;
        int fr = chorusacct_mail_format(ml, "noreply@portal.test", T0, buf,
                                        sizeof buf, &len);
        must(fr == CHORUSACCT_OK || fr == CHORUSACCT_E_ARG);
    }
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    must(w->st.outbox_list(w->st.user_data, 0, 0, &m, 1, &n) == CHORUSACCT_OK);
    must(n == 1);
    check_record(&m);
    return 0;
}
