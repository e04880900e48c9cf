/*
 * Sign-ups and activations per second through the whole flow, with 1, 2
 * and 4 processes at once (as 1, 2 and 4 application servers), on
 * PostgreSQL and, side by side on the same machine, on SQLite. Each
 * process has its own context and connection; argon2id runs at
 * libsodium's minimum, so that the figures are those of the flow and its
 * storage, not of password hashing (budget one core for each real hash on
 * top: docs/performance.md).
 *
 * Usage: bench_postgres [SIGNUPS]   (default 600 per run)
 * PostgreSQL is measured when CHORUSACCT_TEST_PG is set
 * (tests/pg-server.sh --durable starts a server with the settings of a
 * real one: every commit waits for the disk); twice, with
 * synchronous_commit on (the default) and off.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include "sirets.h"
#include "benchutil.h"

#ifdef CHORUSACCT_TEST_HAVE_PG
#include "pgutil.h"
#include "activateutil.h"
#endif

enum { MAX_PROCS = 4, TOKEN_CAP = 64 };

typedef struct {
    const char *name;
    bool pg;
    const char *pg_options; /* server settings for the session */
    char info[1100];        /* connection string, or the SQLite file */
} backend;

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_postgres: %s: %s\n", what,
            rc != 0 ? chorusacct_status_name(rc) : "failed");
    exit(1);
}

static chorusacct_ctx *make_ctx(const backend *be, chorusacct_testmailer *cm)
{
    chorusacct_config cfg;
    chorusacct_ctx *ctx = NULL;
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    int rc = chorusacct_config_init(&cfg, sizeof cfg);
    cfg.flags = CHORUSACCT_CFG_NO_CAPTCHA;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.key_attempts_per_hour = 1000000;
    cfg.activation_url = "https://portal.test/activate?token={token}";
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_ctx_new(&ctx, &cfg);
    if (rc == CHORUSACCT_OK) {
#ifdef CHORUSACCT_TEST_HAVE_PG
        if (be->pg)
            rc = chorusacct_postgres_ops(&st, be->info, 0);
        else
#endif
            rc = chorusacct_sqlite_ops(&st, be->info, 0);
    }
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_ctx_set_storage(ctx, &st);
    if (rc == CHORUSACCT_OK && cm != NULL)
        rc = chorusacct_testmailer_ops(&ml, cm);
    if (rc == CHORUSACCT_OK && cm != NULL)
        rc = chorusacct_ctx_set_mailer(ctx, &ml);
    if (rc != CHORUSACCT_OK)
        die("context", rc);
    return ctx;
}

/* The work of one process: sign-ups `k` = w, w + procs... < n, or the
 * activations of the tokens at those indexes. */
typedef struct {
    const backend *be;
    int procs;
    int n;
    unsigned run;
    char (*tokens)[TOKEN_CAP];
} job;

static int do_signups(chorusacct_ctx *ctx, const job *j, int w)
{
    char key[32];
    snprintf(key, sizeof key, "198.51.100.%d", w + 1);
    for (int k = w; k < j->n; k += j->procs) {
        char email[64], siret[15];
        snprintf(email, sizeof email, "r%u.%d@bench.fr", j->run, k);
        siret_of(j->run * 100000u + (unsigned)k, siret);
        chorusacct_signup f;
        chorusacct_signup_result r = {.struct_size = sizeof r};
        if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK)
            return 1;
        f.login_email = email;
        f.first_name = "Camille";
        f.last_name = "Dupont";
        f.phone = "06 12 34 56 78";
        f.accept_terms = 1;
        f.id_type = CHORUSACCT_ID_SIRET;
        f.identifier = siret;
        f.client_key = key;
        int rc = chorusacct_signup_submit(ctx, &f, &r);
        if (rc != CHORUSACCT_OK) {
            fprintf(stderr, "sign-up %s: %s\n", email,
                    chorusacct_ctx_last_error(ctx));
            return 1;
        }
    }
    return 0;
}

static int do_activations(chorusacct_ctx *ctx, const job *j, int w)
{
    static const char pw[] = "Correct-Horse-42";
    for (int k = w; k < j->n; k += j->procs) {
        int reason = 0;
        int rc = activation_submit(ctx, j->tokens[k], pw, strlen(pw), pw,
                                   strlen(pw), NULL, NULL, NULL, &reason);
        if (rc != CHORUSACCT_OK) {
            fprintf(stderr, "activation: %s\n", chorusacct_ctx_last_error(ctx));
            return 1;
        }
    }
    return 0;
}

/* Forks the processes; each opens its context, waits at the gate, does
 * its part. Returns the seconds from the gate to the last one done. */
static double timed(const job *j, bool activate)
{
    int ready[2], go[2];
    pid_t pid[MAX_PROCS];
    if (pipe(ready) != 0 || pipe(go) != 0)
        die("pipe", 0);
    fflush(NULL);
    for (int w = 0; w < j->procs; w++) {
        pid[w] = fork();
        if (pid[w] < 0)
            die("fork", 0);
        if (pid[w] == 0) {
            char c = 'r';
            chorusacct_ctx *ctx = make_ctx(j->be, NULL);
            /* Connected and the secret read: the clock starts after. */
            int reason;
            if (chorusacct_activation_lookup(ctx, "warm-up", NULL, NULL,
                                             &reason) != CHORUSACCT_E_REJECTED)
                _exit(3);
            close(ready[0]);
            close(go[1]);
            if (write(ready[1], &c, 1) != 1)
                _exit(2);
            while (read(go[0], &c, 1) < 0 && errno == EINTR)
                ;
            int rc =
                activate ? do_activations(ctx, j, w) : do_signups(ctx, j, w);
            chorusacct_ctx_free(ctx);
            _exit(rc);
        }
    }
    close(ready[1]);
    close(go[0]);
    for (int w = 0; w < j->procs; w++) {
        char c;
        if (read(ready[0], &c, 1) != 1)
            die("a process did not start", 0);
    }
    double t = bench_now_s();
    close(go[1]);
    bool ok = true;
    for (int w = 0; w < j->procs; w++) {
        int status;
        if (waitpid(pid[w], &status, 0) != pid[w] || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0)
            ok = false;
    }
    t = bench_now_s() - t;
    close(ready[0]);
    if (!ok)
        die(activate ? "activations" : "sign-ups", 0);
    return t;
}

/* Delivers every message and keeps the activation links' tokens, in
 * sign-up order. */
static void collect_tokens(const job *j)
{
    chorusacct_testmailer *cm = NULL;
    if (chorusacct_testmailer_new(&cm) != CHORUSACCT_OK)
        die("testmailer", 0);
    chorusacct_ctx *ctx = make_ctx(j->be, cm);
    chorusacct_delivery d = {.struct_size = sizeof d};
    int rc = chorusacct_outbox_deliver(ctx, (size_t)j->n * 2 + 10, &d);
    if (rc != CHORUSACCT_OK || d.sent != (uint32_t)j->n * 2)
        die("delivery", rc);
    int found = 0;
    for (size_t i = 0; i < chorusacct_testmailer_count(cm); i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(cm, i);
        unsigned run;
        int k;
        const char *t = m->link != NULL ? strstr(m->link, "token=") : NULL;
        if (m->kind != CHORUSACCT_MAIL_ACTIVATION || t == NULL ||
            sscanf(m->to, "r%u.%d@", &run, &k) != 2 || k < 0 || k >= j->n)
            continue;
        snprintf(j->tokens[k], TOKEN_CAP, "%s", t + 6);
        found++;
    }
    if (found != j->n)
        die("activation links", 0);
    chorusacct_ctx_free(ctx);
    chorusacct_testmailer_free(cm);
}

/* A new, empty store for one run; `scratch` is the SQLite folder. */
static void fresh(backend *be, const char *scratch, unsigned run,
                  const backend *base)
{
    *be = *base;
#ifdef CHORUSACCT_TEST_HAVE_PG
    if (be->pg) {
        char name[32], info[1024];
        if (!pg_new_schema(name, sizeof name, info, sizeof info))
            die("schema", 0);
        snprintf(be->info, sizeof be->info, "%s options='-csearch_path=%s %s'",
                 pg_base(), name, be->pg_options);
        return;
    }
#endif
    snprintf(be->info, sizeof be->info, "%s/run%u.db", scratch, run);
}

static void drop(const backend *be)
{
#ifdef CHORUSACCT_TEST_HAVE_PG
    if (be->pg)
        return; /* the server goes with its folder */
#endif
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        char f[1200];
        snprintf(f, sizeof f, "%s%s", be->info, ext[i]);
        unlink(f);
    }
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 600;
    if (n < 8 || chorusacct_init() != CHORUSACCT_OK) {
        fprintf(stderr, "usage: bench_postgres [SIGNUPS >= 8]\n");
        return 2;
    }
    char scratch[64];
    snprintf(scratch, sizeof scratch, "/tmp/chorusacct-bench-XXXXXX");
    if (mkdtemp(scratch) == NULL)
        die("mkdtemp", 0);
    char(*tokens)[TOKEN_CAP] = calloc((size_t)n, TOKEN_CAP);
    if (tokens == NULL)
        die("memory", CHORUSACCT_E_NOMEM);

    backend variants[3];
    size_t nv = 0;
    variants[nv++] =
        (backend){"SQLite (WAL, synchronous=NORMAL)", false, "", ""};
#ifdef CHORUSACCT_TEST_HAVE_PG
    if (pg_base() != NULL) {
        variants[nv++] =
            (backend){"PostgreSQL (synchronous_commit=on)", true, "", ""};
        variants[nv++] = (backend){"PostgreSQL (synchronous_commit=off)", true,
                                   "-csynchronous_commit=off", ""};
    }
#endif
    printf("Sign-ups and activations per second, whole flow, argon2id at "
           "libsodium's minimum, %d per run, one context and connection "
           "per process:\n\n",
           n);
    printf("| backend | processes | sign-ups/s | activations/s |\n");
    printf("|---|---:|---:|---:|\n");
    unsigned run = 0;
    for (size_t v = 0; v < nv; v++) {
        static const int procs[] = {1, 2, 4};
        for (size_t p = 0; p < sizeof procs / sizeof procs[0]; p++) {
            backend be;
            fresh(&be, scratch, ++run, &variants[v]);
            /* The secret, made once before the processes start. */
            chorusacct_ctx *first = make_ctx(&be, NULL);
            int reason;
            if (chorusacct_activation_lookup(first, "warm-up", NULL, NULL,
                                             &reason) != CHORUSACCT_E_REJECTED)
                die("first context", 0);
            chorusacct_ctx_free(first);
            job j = {&be, procs[p], n, run, tokens};
            double ts = timed(&j, false);
            collect_tokens(&j);
            double ta = timed(&j, true);
            printf("| %s | %d | %.0f | %.0f |\n", be.name, procs[p], n / ts,
                   n / ta);
            fflush(stdout);
            drop(&be);
        }
    }
    printf("\n(%ld online cores)\n", sysconf(_SC_NPROCESSORS_ONLN));
    rmdir(scratch);
    free(tokens);
    return 0;
}
