/*
 * Benchmark of the in-memory backend (run by `meson test --benchmark` or
 * directly, with an optional count of accounts, 100000 by default). It
 * replays the storage calls of the flow at the scale of the flow
 * benchmark: sign-ups (each a transaction of a lookup, an insert, an
 * audit event, two queued messages and two counters), delivery (claims
 * and updates of every message), activations (token lookup, consumption,
 * account update), a sweep listing, gc and a digest. Prints ns per
 * transaction and the resident memory.
 *
 * Figures, not assertions: a loaded machine changes them.
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

#define T0 INT64_C(1700000000)

static long rss_kib(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = -1;
    fclose(f);
    return resident < 0 ? -1 : resident * 4;
}

#define CHECK(call)                                                            \
    do {                                                                       \
        int rc_ = (call);                                                      \
        if (rc_ != CHORUSACCT_OK) {                                            \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,      \
                    chorusacct_status_name(rc_));                              \
            exit(1);                                                           \
        }                                                                      \
    } while (0)

static void report(const char *what, double t0, double t1, long n)
{
    printf("%-44s %8ld  %9.0f ns/op\n", what, n, (t1 - t0) / (double)n);
}

static void token_hash(uint8_t *h, long i)
{
    memset(h, 0x5C, 32);
    memcpy(h, &i, sizeof i);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100000;
    chorusacct_memstore *ms;
    chorusacct_storage_ops o = {.struct_size = sizeof o};
    static chorusacct_account a;
    static chorusacct_message m[100];
    chorusacct_event e = {.struct_size = sizeof e};
    chorusacct_token tk;
    char key[CHORUSACCT_KEY_SIZE];
    uint32_t count;
    size_t got;
    double t0, t1;

    if (n <= 0)
        n = 100000;
    CHECK(chorusacct_memstore_new(&ms));
    CHECK(chorusacct_memstore_ops(&o, ms));
    void *ud = o.user_data;
    printf("memstore, %ld accounts\n", n);

    /* Sign-ups. */
    t0 = bench_now_ns();
    for (long i = 0; i < n; i++) {
        memset(&a, 0, sizeof a);
        a.struct_size = sizeof a;
        a.state = CHORUSACCT_STATE_AWAITING_ACTIVATION;
        a.role = CHORUSACCT_ROLE_USER;
        a.created_at = T0 + i;
        a.expires_at = T0 + 86400 + i;
        snprintf(a.login_email, sizeof a.login_email,
                 "prenom.nom%ld@entreprise-exemple.fr", i);
        memcpy(a.email_key, a.login_email, sizeof a.email_key);
        memcpy(a.contact_email, a.login_email, sizeof a.contact_email);
        snprintf(a.first_name, sizeof a.first_name, "Marie-Hélène");
        snprintf(a.last_name, sizeof a.last_name, "Dupont");
        snprintf(a.terms_version, sizeof a.terms_version, "2024-01");
        CHECK(o.begin(ud));
        snprintf(key, sizeof key, "signup:addr:%s", a.email_key);
        CHECK(o.counter_add(ud, key, T0 - T0 % 3600, 1, &count));
        CHECK(o.counter_add(ud, "signup:key:203.0.113.7", T0 - T0 % 3600, 1,
                            &count));
        if (o.account_find(ud, a.email_key, &a) != CHORUSACCT_E_NOTFOUND)
            return 1;
        CHECK(o.account_insert(ud, &a));
        memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        e.type = CHORUSACCT_EV_SIGNUP;
        e.account_id = a.id;
        e.to_state = a.state;
        CHECK(o.event_append(ud, &e));
        for (int k = 0; k < 2; k++) {
            chorusacct_message *q = &m[k];
            memset(q, 0, sizeof *q);
            q->struct_size = sizeof *q;
            q->kind = k + 1;
            q->account_id = a.id;
            q->status = CHORUSACCT_MSG_PENDING;
            q->created_at = q->next_attempt_at = T0 + i;
            memcpy(q->to, a.login_email, sizeof q->to);
            snprintf(q->subject, sizeof q->subject, "Votre compte Chorus Pro");
            memset(q->body, 'x', 1200);
            CHECK(o.outbox_insert(ud, q));
        }
        CHECK(o.commit(ud));
    }
    t1 = bench_now_ns();
    report("sign-up transaction (8 calls)", t0, t1, n);

    /* Delivery: claim 100 at a time, mark sent, mint a token. */
    long sent = 0;
    t0 = bench_now_ns();
    for (;;) {
        CHECK(o.begin(ud));
        CHECK(o.outbox_claim(ud, T0 + n, T0 + n + 60, m, 100, &got));
        CHECK(o.commit(ud));
        if (got == 0)
            break;
        for (size_t k = 0; k < got; k++) {
            CHECK(o.begin(ud));
            if (m[k].kind == 2) {
                CHECK(o.token_revoke(ud, m[k].account_id, 1, T0 + n));
                memset(&tk, 0, sizeof tk);
                tk.struct_size = sizeof tk;
                tk.purpose = 1;
                tk.account_id = m[k].account_id;
                tk.created_at = T0 + n;
                tk.expires_at = T0 + n + 86400;
                token_hash(tk.hash, m[k].account_id);
                CHECK(o.token_insert(ud, &tk));
            }
            m[k].status = CHORUSACCT_MSG_SENT;
            m[k].attempts = 1;
            m[k].sent_at = T0 + n;
            m[k].lease_until = 0;
            CHECK(o.outbox_update(ud, &m[k]));
            CHECK(o.commit(ud));
            sent++;
        }
    }
    t1 = bench_now_ns();
    report("delivery per message (claim/100, update)", t0, t1, sent);

    /* Activations. */
    t0 = bench_now_ns();
    for (long i = 1; i <= n; i++) {
        CHECK(o.begin(ud));
        token_hash(tk.hash, i);
        CHECK(o.token_get(ud, tk.hash, &tk));
        CHECK(o.token_consume(ud, tk.hash, T0 + n + 1));
        CHECK(o.account_get(ud, tk.account_id, &a));
        a.state = CHORUSACCT_STATE_ACTIVE;
        CHECK(o.account_update(ud, &a));
        memset(&e, 0, sizeof e);
        e.struct_size = sizeof e;
        e.type = CHORUSACCT_EV_ACTIVATE;
        e.account_id = a.id;
        CHECK(o.event_append(ud, &e));
        CHECK(o.commit(ud));
    }
    t1 = bench_now_ns();
    report("activation transaction (5 calls)", t0, t1, n);

    /* Sweep: page through the accounts that expire. */
    static chorusacct_account page[64];
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.expires_before = T0 + 86400 + n / 2;
    long listed = 0;
    t0 = bench_now_ns();
    do {
        CHECK(o.account_list(ud, &q, page, 64, &got));
        if (got > 0)
            q.after_id = page[got - 1].id;
        listed += (long)got;
    } while (got > 0);
    t1 = bench_now_ns();
    report("sweep listing, per account listed", t0, t1, listed);

    long kib = rss_kib();
    t0 = bench_now_ns();
    uint8_t d[32];
    CHECK(chorusacct_memstore_digest(ms, d, sizeof d));
    t1 = bench_now_ns();
    report("digest of the whole store, per account", t0, t1, n);

    t0 = bench_now_ns();
    CHECK(o.begin(ud));
    CHECK(o.gc(ud, T0 + n + 2));
    CHECK(o.commit(ud));
    t1 = bench_now_ns();
    report("gc (tokens, messages, counters), per account", t0, t1, n);
    printf("resident memory before gc: %ld KiB (%.2f KiB per account)\n", kib,
           (double)kib / (double)n);
    chorusacct_memstore_free(ms);
    return 0;
}
