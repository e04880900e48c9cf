/*
 * Benchmark of the account flow through the public API: sign-ups,
 * deliveries, approvals, activations and logins per second, on the
 * in-memory store and on SQLite, with argon2 at libsodium's minimum
 * ("argon2 excluded": the hash then costs microseconds) and at the
 * interactive limits the library uses by default ("included"); and the
 * SQLite database size per 10,000 accounts.
 *
 * usage: bench_flow [N]   (N sign-ups per run, 10000 by default)
 * Prints figures; asserts nothing but that the flow succeeds.
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include "sirets.h"
#include "benchutil.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "activateutil.h"

#define PW "Correct-Horse-42"

static void die(const char *what, int rc, chorusacct_ctx *ctx)
{
    fprintf(stderr, "bench_flow: %s: %s (%s)\n", what,
            chorusacct_status_name(rc),
            ctx ? chorusacct_ctx_last_error(ctx) : "");
    exit(1);
}

typedef struct {
    chorusacct_ctx *ctx;
    chorusacct_memstore *mem;
    chorusacct_testmailer *mail;
} run;

static void open_run(run *r, const char *sqlite_path, int argon2)
{
    memset(r, 0, sizeof *r);
    chorusacct_config cfg;
    if (chorusacct_config_init(&cfg, sizeof cfg) != CHORUSACCT_OK)
        die("config", CHORUSACCT_E_INTERNAL, NULL);
    cfg.flags = CHORUSACCT_CFG_NO_CAPTCHA;
    if (!argon2) {
        cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
        cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    }
    int rc = chorusacct_ctx_new(&r->ctx, &cfg);
    if (rc != CHORUSACCT_OK)
        die("context", rc, NULL);
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    if (sqlite_path != NULL) {
        rc = chorusacct_sqlite_ops(&st, sqlite_path, 0);
    } else {
        rc = chorusacct_memstore_new(&r->mem);
        if (rc == CHORUSACCT_OK)
            rc = chorusacct_memstore_ops(&st, r->mem);
    }
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_ctx_set_storage(r->ctx, &st);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_testmailer_new(&r->mail);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_testmailer_ops(&ml, r->mail);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_ctx_set_mailer(r->ctx, &ml);
    if (rc != CHORUSACCT_OK)
        die("storage", rc, r->ctx);
}

static void close_run(run *r)
{
    chorusacct_ctx_free(r->ctx);
    chorusacct_memstore_free(r->mem);
    chorusacct_testmailer_free(r->mail);
}

static int64_t signup(run *r, unsigned i, const char *siret, int *state)
{
    char email[64];
    snprintf(email, sizeof email, "user%u@bench.example", i);
    chorusacct_signup f;
    chorusacct_signup_result res = {.struct_size = sizeof res};
    if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK)
        die("form", CHORUSACCT_E_INTERNAL, r->ctx);
    f.login_email = email;
    f.first_name = "Marie";
    f.last_name = "Curie";
    f.phone = "06 12 34 56 78";
    f.accept_terms = 1;
    f.id_type = CHORUSACCT_ID_SIRET;
    f.identifier = siret;
    int rc = chorusacct_signup_submit(r->ctx, &f, &res);
    if (rc != CHORUSACCT_OK)
        die("sign-up", rc, r->ctx);
    *state = res.state;
    return res.account_id;
}

/* The token of the i-th captured activation link. */
static void token_at(run *r, size_t i, char *token, size_t cap)
{
    const chorusacct_mail *m = chorusacct_testmailer_at(r->mail, i);
    const char *t = m != NULL && m->link ? strstr(m->link, "token=") : NULL;
    if (t == NULL)
        die("link", CHORUSACCT_E_NOTFOUND, r->ctx);
    snprintf(token, cap, "%s", t + 6);
}

static void bench(const char *label, const char *sqlite_path, unsigned n,
                  int argon2)
{
    run r;
    open_run(&r, sqlite_path, argon2);
    /* Half the accounts declare a structure, the other half join one:
     * sign-ups of both kinds, then approvals. */
    int64_t *ids = calloc(n, sizeof *ids);
    int *states = calloc(n, sizeof *states);
    char siret[15];
    double t0 = bench_now_s();
    for (unsigned i = 0; i < n; i++) {
        siret_of(10000000u + i / 2, siret);
        ids[i] = signup(&r, i, siret, &states[i]);
    }
    double t_signup = bench_now_s() - t0;

    t0 = bench_now_s();
    chorusacct_delivery d = {.struct_size = sizeof d};
    int rc = chorusacct_outbox_deliver(r.ctx, (size_t)n * 4, &d);
    if (rc != CHORUSACCT_OK)
        die("deliver", rc, r.ctx);
    double t_deliver = bench_now_s() - t0;
    unsigned delivered = d.sent;

    /* Activate every principal from its link. */
    size_t nmail = chorusacct_testmailer_count(r.mail);
    unsigned activations = 0;
    size_t limit = argon2 ? 20 : nmail; /* argon2: a sample suffices */
    t0 = bench_now_s();
    for (size_t m = 0; m < nmail && activations < limit; m++) {
        const chorusacct_mail *mail = chorusacct_testmailer_at(r.mail, m);
        if (mail->kind != CHORUSACCT_MAIL_ACTIVATION)
            continue;
        char token[64];
        token_at(&r, m, token, sizeof token);
        int reason;
        rc = activation_submit(r.ctx, token, PW, strlen(PW), PW, strlen(PW),
                               NULL, NULL, NULL, &reason);
        if (rc != CHORUSACCT_OK)
            die("activate", rc == CHORUSACCT_E_REJECTED ? reason : rc, r.ctx);
        activations++;
    }
    double t_activate = bench_now_s() - t0;

    /* Approvals need an active manager: each odd account joins the
     * structure of the even one before it, activated above. */
    unsigned approved = 0;
    t0 = bench_now_s();
    for (unsigned i = 1; i < n && approved < activations; i += 2) {
        int reason;
        rc = chorusacct_account_approve(r.ctx, ids[i - 1], ids[i], &reason);
        if (rc != CHORUSACCT_OK)
            die("approve", rc == CHORUSACCT_E_REJECTED ? reason : rc, r.ctx);
        approved++;
    }
    double t_approve = bench_now_s() - t0;

    unsigned logins = activations < 200 ? activations : 200;
    t0 = bench_now_s();
    for (unsigned i = 0; i < logins; i++) {
        char email[64];
        int64_t who;
        int reason;
        snprintf(email, sizeof email, "user%u@bench.example", 2 * i);
        rc =
            chorusacct_login(r.ctx, email, PW, strlen(PW), NULL, &who, &reason);
        if (rc != CHORUSACCT_OK)
            die("login", rc == CHORUSACCT_E_REJECTED ? reason : rc, r.ctx);
    }
    double t_login = bench_now_s() - t0;

    printf("%-26s %9.0f %9.0f %9.0f %9.0f %9.0f\n", label, n / t_signup,
           delivered / t_deliver, activations / t_activate,
           approved / t_approve, logins / t_login);
    close_run(&r);
    free(ids);
    free(states);
}

/* Size of the database once 10,000 accounts went through the flow. */
static void sqlite_size(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/size.db", dir);
    run r;
    open_run(&r, path, 0);
    char siret[15];
    unsigned n = 10000;
    for (unsigned i = 0; i < n; i++) {
        int state;
        siret_of(20000000u + i, siret);
        signup(&r, i, siret, &state);
    }
    chorusacct_delivery d = {.struct_size = sizeof d};
    if (chorusacct_outbox_deliver(r.ctx, (size_t)n * 4, &d) != CHORUSACCT_OK)
        die("deliver", CHORUSACCT_E_STORAGE, r.ctx);
    for (size_t m = 0; m < chorusacct_testmailer_count(r.mail); m++) {
        const chorusacct_mail *mail = chorusacct_testmailer_at(r.mail, m);
        if (mail->kind != CHORUSACCT_MAIL_ACTIVATION)
            continue;
        char token[64];
        int reason;
        token_at(&r, m, token, sizeof token);
        if (activation_submit(r.ctx, token, PW, strlen(PW), PW, strlen(PW),
                              NULL, NULL, NULL, &reason) != CHORUSACCT_OK)
            die("activate", reason, r.ctx);
    }
    close_run(&r); /* checkpoints the WAL into the file */
    struct stat sb;
    if (stat(path, &sb) != 0)
        die("stat", CHORUSACCT_E_IO, NULL);
    printf("\nSQLite file after 10,000 sign-ups, deliveries and activations:"
           " %.1f MB, %.0f bytes per account (target <= 2048)\n",
           (double)sb.st_size / 1e6, (double)sb.st_size / n);
    unlink(path);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 10000;
    if (n < 2 || chorusacct_init() != CHORUSACCT_OK)
        return 2;
    char dir[] = "/tmp/chorusacct-bench-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 2;
    char path[512];
    printf("account flow, %u sign-ups per run (operations per second)\n", n);
    printf("%-26s %9s %9s %9s %9s %9s\n", "", "sign-up", "deliver", "activate",
           "approve", "login");
    bench("memory, argon2 excluded", NULL, n, 0);
    bench("memory, argon2 included", NULL, 200, 1);
    snprintf(path, sizeof path, "%s/a.db", dir);
    bench("SQLite, argon2 excluded", path, n, 0);
    snprintf(path, sizeof path, "%s/b.db", dir);
    bench("SQLite, argon2 included", path, 200, 1);
    sqlite_size(dir);
    printf("(argon2 included: libsodium's interactive limits, %llu ops and "
           "%zu MiB per hash; excluded: its minimum)\n",
           (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE,
           (size_t)(crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
