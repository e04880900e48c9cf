/*
 * The flow fixture (`flowfix`, not to be confused with the benchmarks of
 * tests/bench_*.c) for the account flow, over the public API only: an
 * in-memory store, a capturing mailer, a settable clock and a seeded
 * random source, with a context whose argon2 limits are libsodium's
 * minimum so that tests run fast.
 */
#ifndef CHORUSACCT_FLOWUTIL_H
#define CHORUSACCT_FLOWUTIL_H

#include "testutil.h"

#include "sirets.h" /* siret_of() */
#include "activateutil.h"
#include <chorusacct/testkit.h>

/* 2026-11-26T10:00:00Z */
#define T0 INT64_C(1795687200)

/* A password that passes the policy. */
#define GOOD_PW "Correct-Horse-42"

typedef struct {
    /* The in-memory store, or (CHORUSACCT_TEST_BACKEND=sqlite) an SQLite
     * file in a temporary folder, or (CHORUSACCT_TEST_BACKEND=postgres) a
     * new schema on the server of CHORUSACCT_TEST_PG; with either, one
     * connection per context. */
    chorusacct_memstore *store;
    char dir[64];
    char path[96];
    char pg_schema[32];
    char pg_info[1024];
    chorusacct_testmailer *mail;
    chorusacct_testclock *clock;
    chorusacct_testrandom *rnd;
    chorusacct_ctx *ctx;
} flowfix;

/* Opens a fixture; `flags` are chorusacct_config_flags. */
void flowfix_open(flowfix *b, uint32_t flags);
void flowfix_close(flowfix *b);

/* Another context on the same store, mailer, clock and random. */
chorusacct_ctx *flowfix_ctx(flowfix *b, uint32_t flags);

/* A new storage table on the fixture's storage (for wrapping); with SQLite
 * a new connection, which the context that takes it will close. */
void flowfix_storage(flowfix *b, chorusacct_storage_ops *ops);

/* Digest of everything stored but the attempt counters. */
void flowfix_digest(flowfix *b, uint8_t *out32);

/* Damages the stored row of the outbox message `id` as only a file or a
 * server can be damaged (SQLite: a BLOB body; PostgreSQL: a body longer
 * than the record's); false on the in-memory store, which has no rows. */
bool flowfix_damage_message(flowfix *b, int64_t id);

/* Whether the fixture runs on SQLite. */
bool flowfix_sqlite(const flowfix *b);

/* A valid form for `email` and the SIRET `siret` (14 digits). */
void form_fill(chorusacct_signup *f, const char *email, const char *first,
               const char *last, const char *siret);

/* Signs up; asserts success; returns the account id. */
int64_t do_signup(flowfix *b, const char *email, const char *siret,
                  int want_state);

/* Delivers everything due; returns how many were sent. */
unsigned do_deliver(flowfix *b);

/* The token of the last activation link sent to `email`; asserts one. */
void last_token(flowfix *b, const char *email, char *token, size_t cap);

/* Activates with GOOD_PW; returns the status and *reason. */
int do_activate(flowfix *b, const char *token, int *reason);

/* Activates with `pw` typed twice; returns the status, *failed (the
 * password rules failed, may be NULL) and *reason. */
int do_activate_pw(flowfix *b, const char *token, const char *pw,
                   uint32_t *failed, int *reason);

/* Delivers everything due, then activates `email` with GOOD_PW through the
 * last link sent to it; asserts success. The token is copied to `token`
 * (`cap` bytes) unless NULL. */
void activate_last(flowfix *b, const char *email, char *token, size_t cap);

/* `manager` approves the request `id` of `email`, which is then delivered
 * and activated; asserts success. */
void approve_and_activate(flowfix *b, int64_t manager, int64_t id,
                          const char *email);

/* Signs up, delivers and activates a principal manager of a new
 * structure; returns its id. */
int64_t make_manager(flowfix *b, const char *email, const char *siret);

/* Number of captured messages of `kind` to `to` (NULL: any). */
size_t mails_of(flowfix *b, int kind, const char *to);

/* Number of outbox messages with `status` (0: all). */
size_t outbox_count(flowfix *b, int status);

/* The account's state. */
int state_of(flowfix *b, int64_t id);

/* Events of an account, in order, as their types. */
size_t event_types(flowfix *b, int64_t id, int *types, size_t max);

#endif
