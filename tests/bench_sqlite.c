/*
 * Throughput and size of the SQLite backend, through its storage table:
 * the storage work of a sign-up, of the delivery of its two messages and
 * of an activation, one transaction each, on one thread; then the size of
 * the database file per account.
 *
 * Usage: bench_sqlite [DIR [ACCOUNTS]]   (default: the current folder,
 * 10000 accounts). The database file is created in DIR and removed.
 * The flow itself (validation, password hashing) is not measured here.
 */
#define _POSIX_C_SOURCE 200809L

#include "sqlutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

static double now_s(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(int rc, const char *what)
{
    if (rc != CHORUSACCT_OK) {
        fprintf(stderr, "bench_sqlite: %s: %s\n", what,
                chorusacct_status_name(rc));
        exit(1);
    }
}

static void token_hash(uint8_t *h, long i)
{
    for (int k = 0; k < 32; k++)
        h[k] = (uint8_t)((uint64_t)(i + 1) * 0x9e3779b97f4a7c15u >>
                         (8 * (k % 8))) ^
               (uint8_t)(k * 37);
}

/* The storage side of a sign-up: throttle counter, then one transaction
 * that checks the e-mail and the structure, creates both, makes the
 * account principal, stores its activation token, queues the summary and
 * the activation message and records the event. */
static void signup(chorusacct_storage_ops *ops, long i)
{
    void *ud = ops->user_data;
    chorusacct_account a = {.struct_size = sizeof a},
                       found = {.struct_size = sizeof found};
    chorusacct_structure s = {.struct_size = sizeof s},
                         sf = {.struct_size = sizeof sf};
    chorusacct_message m = {.struct_size = sizeof m};
    chorusacct_event e = {.struct_size = sizeof e};
    chorusacct_token t;
    uint32_t count;
    char key[64];
    sample_account(&a, i);
    sample_structure(&s, i);
    snprintf(key, sizeof key, "signup:key:%032lx", (unsigned long)(i % 50));
    check(ops->counter_add(ud, key, 1700000000 - 1700000000 % 3600, 1, &count),
          "counter_add");
    check(ops->begin(ud), "begin");
    if (ops->account_find(ud, a.email_key, &found) != CHORUSACCT_E_NOTFOUND ||
        ops->structure_find(ud, s.id_type, s.identifier, &sf) !=
            CHORUSACCT_E_NOTFOUND)
        check(CHORUSACCT_E_INTERNAL, "find");
    check(ops->structure_insert(ud, &s), "structure_insert");
    a.structure_id = s.id;
    check(ops->account_insert(ud, &a), "account_insert");
    s.principal_id = a.id;
    check(ops->structure_update(ud, &s), "structure_update");
    memset(&t, 0, sizeof t);
    t.struct_size = (uint32_t)sizeof t;
    t.purpose = 1;
    t.account_id = a.id;
    t.created_at = a.created_at;
    t.expires_at = a.expires_at;
    token_hash(t.hash, i);
    check(ops->token_insert(ud, &t), "token_insert");
    /* What the flow queues: the values of the message, not its text. */
    for (int kind = 1; kind <= 2; kind++) {
        sample_snapshot(&m, kind, &a, &s);
        check(ops->outbox_insert(ud, &m), "outbox_insert");
    }
    sample_event(&e, CHORUSACCT_EV_SIGNUP, &a);
    check(ops->event_append(ud, &e), "event_append");
    check(ops->commit(ud), "commit");
}

/* Delivery: claims a batch, then marks each message sent, one update
 * each (outside a transaction, as the library does). */
static size_t deliver(chorusacct_storage_ops *ops, chorusacct_message *batch,
                      size_t max)
{
    void *ud = ops->user_data;
    size_t n = 0;
    check(ops->outbox_claim(ud, 1800000000, 1800000060, batch, max, &n),
          "outbox_claim");
    for (size_t k = 0; k < n; k++) {
        batch[k].status = CHORUSACCT_MSG_SENT;
        batch[k].attempts = 1;
        batch[k].sent_at = 1800000001;
        batch[k].lease_until = 0;
        check(ops->outbox_update(ud, &batch[k]), "outbox_update");
    }
    return n;
}

/* The storage side of an activation: the token, its account, consume the
 * token, store the password hash and the new state, record the event. */
static void activate(chorusacct_storage_ops *ops, long i)
{
    void *ud = ops->user_data;
    chorusacct_token t;
    chorusacct_account a = {.struct_size = sizeof a};
    chorusacct_event e = {.struct_size = sizeof e};
    uint8_t h[32];
    token_hash(h, i);
    check(ops->begin(ud), "begin");
    check(ops->token_get(ud, h, &t), "token_get");
    check(ops->account_get(ud, t.account_id, &a), "account_get");
    check(ops->token_consume(ud, h, a.created_at + 600), "token_consume");
    a.state = CHORUSACCT_STATE_ACTIVE;
    a.activated_at = a.updated_at = a.created_at + 600;
    a.expires_at = 0;
    /* An argon2id string as libsodium writes it (97 characters). */
    snprintf(a.password_hash, sizeof a.password_hash,
             "$argon2id$v=19$m=65536,t=2,p=1$%022lx$%043lx", i * 7919,
             i * 104729);
    check(ops->account_update(ud, &a), "account_update");
    int from = CHORUSACCT_STATE_AWAITING_ACTIVATION;
    sample_event(&e, CHORUSACCT_EV_ACTIVATE, &a);
    e.from_state = from;
    check(ops->event_append(ud, &e), "event_append");
    check(ops->commit(ud), "commit");
}

/* Bytes of the database once its WAL is folded in, and the part of each
 * table and index (dbstat, when SQLite has it). */
static long long db_size(const char *path, FILE *detail)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    long long size = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return -1;
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (sqlite3_prepare_v2(db,
                           "SELECT page_count * page_size FROM"
                           " pragma_page_count, pragma_page_size",
                           -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
        size = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (detail != NULL &&
        sqlite3_prepare_v2(db,
                           "SELECT name, sum(pgsize), sum(payload)"
                           " FROM dbstat GROUP BY name"
                           " ORDER BY sum(pgsize) DESC",
                           -1, &s, NULL) == SQLITE_OK) {
        while (sqlite3_step(s) == SQLITE_ROW)
            fprintf(detail, "    %-22s %9lld bytes in pages, %9lld of data\n",
                    (const char *)sqlite3_column_text(s, 0),
                    (long long)sqlite3_column_int64(s, 1),
                    (long long)sqlite3_column_int64(s, 2));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return size;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".";
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 10000;
    if (n < 1)
        n = 10000;
    char path[1024];
    snprintf(path, sizeof path, "%s/bench-sqlite-%ld.db", dir, (long)getpid());

    chorusacct_storage_ops ops = {.struct_size = sizeof ops};
    check(chorusacct_sqlite_ops(&ops, path, 0), "open");
    printf("SQLite %s, %ld accounts, file %s\n", sqlite3_libversion(), n, path);

    /* The text the messages render to, for comparison with what is
     * stored (the outbox row of dbstat). */
    double text = 0;
    for (long i = 0; i < n; i++) {
        chorusacct_account a = {.struct_size = sizeof a};
        chorusacct_structure s = {.struct_size = sizeof s};
        chorusacct_message m = {.struct_size = sizeof m};
        sample_account(&a, i);
        sample_structure(&s, i);
        a.id = i + 1;
        for (int kind = 1; kind <= 2; kind++) {
            sample_message(&m, kind, &a, &s);
            text += (double)(strlen(m.subject) + strlen(m.body));
        }
    }

    double w0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++)
        signup(&ops, i);
    double w1 = now_s(CLOCK_MONOTONIC), c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    printf("sign-ups:     %8.0f per second (%.1f us each, %.1f us CPU)\n",
           (double)n / (w1 - w0), (w1 - w0) / (double)n * 1e6,
           (c1 - c0) / (double)n * 1e6);
    long long size_signup = db_size(path, NULL);

    static chorusacct_message batch[32];
    size_t sent = 0, got;
    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    while ((got = deliver(&ops, batch, 32)) > 0)
        sent += got;
    w1 = now_s(CLOCK_MONOTONIC);
    c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    printf("deliveries:   %8.0f messages per second (%zu messages, claim by"
           " 32, %.1f us CPU each)\n",
           (double)sent / (w1 - w0), sent, (c1 - c0) / (double)sent * 1e6);

    w0 = now_s(CLOCK_MONOTONIC);
    c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    for (long i = 0; i < n; i++)
        activate(&ops, i);
    w1 = now_s(CLOCK_MONOTONIC);
    c1 = now_s(CLOCK_PROCESS_CPUTIME_ID);
    printf("activations:  %8.0f per second (%.1f us each, %.1f us CPU)\n",
           (double)n / (w1 - w0), (w1 - w0) / (double)n * 1e6,
           (c1 - c0) / (double)n * 1e6);

    ops.destroy(ops.user_data);
    long long size_active = db_size(path, stdout);
    printf("message text: %8.0f bytes per account once rendered\n",
           text / (double)n);
    printf("size after sign-up:             %8.0f bytes per account"
           " (%.1f MB per 10,000)\n",
           (double)size_signup / (double)n,
           (double)size_signup / (double)n * 10000 / 1e6);
    printf("size after delivery, activation: %7.0f bytes per account"
           " (%.1f MB per 10,000)\n",
           (double)size_active / (double)n,
           (double)size_active / (double)n * 10000 / 1e6);

    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", path, ext[i]);
        unlink(p);
    }
    return 0;
}
