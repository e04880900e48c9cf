/*
 * Login of an active account: constant-time password verification,
 * rehash when the configured limits changed, and the lockout rules of
 * docs/flow.md ("Login lockout"): per (address, client) a lock after repeated
 * failures, per address a progressive delay for clients not known to
 * have logged in, all in attempt counters keyed by the address, so that
 * an address with an account and one without are counted and answered
 * alike, and cost one argon2 computation each.
 */
#include "flow_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Per address, failures of the last hour from every client that are let
 * through without delay: CA_LOGIN_FREE times login_max_failures. */
#define CA_LOGIN_FREE 2
/* The longest delay between two attempts on one address, in seconds. */
#define CA_LOGIN_DELAY_MAX 60
/* How long a client that logged in stays known to the address. */
#define CA_LOGIN_KNOWN_TTL (90 * CA_DAY)

/* The counters of one login: keyed hashes of the address and of the
 * (address, client) pair, and the address's generation (raised by an
 * unlock, which so retires every pair's lock and failures at once). */
typedef struct {
    char addr[33]; /* hex of the address's keyed hash */
    char pair[33]; /* hex of the pair's */
    uint32_t gen;
} login_keys;

static void hex_of(const chorusacct_ctx *ctx, const void *data, size_t len,
                   char *hex33)
{
    uint8_t h[32];
    chorusacct__keyed_hash(ctx, CA_KEY_THROTTLE, data, len, h);
    sodium_bin2hex(hex33, 33, h, 16);
}

static int gen_key(char *key, size_t cap, const char *addr_hex)
{
    return snprintf(key, cap, "login:gen:%s", addr_hex);
}

/* Reads the address's generation (a read, whatever window is stored). */
static int gen_read(chorusacct_ctx *ctx, const char *addr_hex, uint32_t *gen)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    char key[CHORUSACCT_KEY_SIZE];
    gen_key(key, sizeof key, addr_hex);
    return st->counter_add(st->user_data, key, INT64_MIN, 0, gen);
}

static int keys_make(chorusacct_ctx *ctx, const char *address,
                     const char *client_key, login_keys *k)
{
    char lower[CHORUSACCT_EMAIL_SIZE];
    chorusacct__address_lower(lower, address);
    hex_of(ctx, lower, strlen(lower), k->addr);
    /* The pair: the address's hash and the client's, side by side. */
    char both[66];
    const char *client = client_key != NULL ? client_key : "";
    memcpy(both, k->addr, 32);
    both[32] = '/';
    hex_of(ctx, client, strlen(client), both + 33);
    hex_of(ctx, both, 65, k->pair);
    sodium_memzero(lower, sizeof lower);
    return gen_read(ctx, k->addr, &k->gen);
}

/* A counter of the pair or of the address, in the address's generation
 * (the "known client" mark is kept across generations). */
static void key_of(char *key, size_t cap, const char *what, const char *hex,
                   const login_keys *k)
{
    snprintf(key, cap, "login:%s:%s:%lu", what, hex, (unsigned long)k->gen);
}

/* Whether the deadline counter `key` holds a time after now (docs/
 * storage.md: a read at now + 1 sees a later deadline only). */
static int deadline_after_now(chorusacct_ctx *ctx, const char *key, bool *yes)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    uint32_t n = 0;
    int rc =
        st->counter_add(st->user_data, key, chorusacct__now(ctx) + 1, 0, &n);
    *yes = rc == CHORUSACCT_OK && n > 0;
    return rc;
}

static int deadline_set(chorusacct_ctx *ctx, const char *key, int64_t at)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    uint32_t n;
    return st->counter_add(st->user_data, key, at, 1, &n);
}

/* A failure: counted for the pair (a lock at login_max_failures) and for
 * the address (a delay past the free failures). `*locked` tells that this
 * failure locked the pair. */
static int count_failure(chorusacct_ctx *ctx, const login_keys *k, bool *locked)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    char key[CHORUSACCT_KEY_SIZE];
    uint32_t n = 0;
    *locked = false;
    /* Failures in a row: added to whatever window the pair has (the time
     * of its last lock or success), never starting one. */
    key_of(key, sizeof key, "fail", k->pair, k);
    int rc = st->counter_add(st->user_data, key, INT64_MIN, 1, &n);
    if (rc == CHORUSACCT_OK && n == 1) {
        /* The first of a streak: its window becomes now, so that the
         * sweep (which forgets counters of old windows) keeps it. A newer
         * window starts again at 0, which then counts the failure anew;
         * a window of now already (a success this second) keeps it. */
        uint32_t c = 0;
        rc = st->counter_add(st->user_data, key, now, 0, &c);
        if (rc == CHORUSACCT_OK && c == 0)
            rc = st->counter_add(st->user_data, key, INT64_MIN, 1, &n);
    }
    if (rc != CHORUSACCT_OK)
        return rc;
    if (n >= ctx->cfg.login_max_failures) {
        const int64_t until = ca_time_add(now, ctx->cfg.lockout_duration);
        /* A window newer than any before starts the count again. */
        rc = st->counter_add(st->user_data, key, until, 0, &n);
        key_of(key, sizeof key, "lock", k->pair, k);
        if (rc == CHORUSACCT_OK)
            rc = deadline_set(ctx, key, until);
        if (rc != CHORUSACCT_OK)
            return rc;
        *locked = true;
        /* No account id: the lock is the address's, with or without one. */
        chorusacct__log(ctx, CHORUSACCT_LOG_LOCKOUT, "login",
                        CHORUSACCT_E_LOCKED, 0, 0, 0);
    }
    /* The address, from every client, over the last hour. */
    key_of(key, sizeof key, "afail", k->addr, k);
    rc = chorusacct__sliding_add(ctx, key, CA_HOUR, 1, &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    const uint64_t free = (uint64_t)CA_LOGIN_FREE * ctx->cfg.login_max_failures;
    if (n > free) {
        /* 1 s after the first failure past the free ones, then doubling,
         * up to CA_LOGIN_DELAY_MAX. */
        uint64_t extra = n - free - 1;
        int64_t delay = extra >= 6 ? CA_LOGIN_DELAY_MAX : (int64_t)1 << extra;
        if (delay > CA_LOGIN_DELAY_MAX)
            delay = CA_LOGIN_DELAY_MAX;
        key_of(key, sizeof key, "delay", k->addr, k);
        rc = deadline_set(ctx, key, ca_time_add(now, delay));
    }
    return rc;
}

/* A success: the pair's failures start again, and the client is known to
 * the address (it then waits for no delay). */
static int count_success(chorusacct_ctx *ctx, const login_keys *k)
{
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    const int64_t now = chorusacct__now(ctx);
    char key[CHORUSACCT_KEY_SIZE];
    uint32_t n;
    key_of(key, sizeof key, "fail", k->pair, k);
    int rc = st->counter_add(st->user_data, key, now, 0, &n);
    if (rc != CHORUSACCT_OK)
        return rc;
    snprintf(key, sizeof key, "login:known:%s", k->pair);
    return deadline_set(ctx, key, ca_time_add(now, CA_LOGIN_KNOWN_TTL));
}

/* Before the password is checked: LOCKED for a locked pair, THROTTLED
 * while the address's delay runs for a client that has not logged in. */
static int gate(chorusacct_ctx *ctx, const login_keys *k, int *why)
{
    char key[CHORUSACCT_KEY_SIZE];
    bool yes = false;
    *why = 0;
    key_of(key, sizeof key, "lock", k->pair, k);
    int rc = deadline_after_now(ctx, key, &yes);
    if (rc != CHORUSACCT_OK || yes) {
        *why = CHORUSACCT_E_LOCKED;
        return rc;
    }
    snprintf(key, sizeof key, "login:known:%s", k->pair);
    rc = deadline_after_now(ctx, key, &yes);
    if (rc != CHORUSACCT_OK || yes)
        return rc;
    key_of(key, sizeof key, "delay", k->addr, k);
    rc = deadline_after_now(ctx, key, &yes);
    if (yes)
        *why = CHORUSACCT_E_THROTTLED;
    return rc;
}

typedef struct {
    int64_t id;
    char hash[CHORUSACCT_PWHASH_SIZE];
} rehash_job;

/* Stores a stronger hash after a right password. */
static int rehash_body(chorusacct_ctx *ctx, void *arg)
{
    rehash_job *job = arg;
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    chorusacct_account a;
    int rc = chorusacct__account_load(ctx, job->id, &a);
    if (rc != CHORUSACCT_OK)
        return rc;
    memcpy(a.password_hash, job->hash, sizeof a.password_hash);
    a.updated_at = chorusacct__now(ctx);
    rc = st->account_update(st->user_data, &a);
    sodium_memzero(a.password_hash, sizeof a.password_hash);
    return rc;
}

typedef struct {
    int64_t id;
} lockout_job;

/* The audit event of a lockout, for an address that has an account. */
static int lockout_body(chorusacct_ctx *ctx, void *arg)
{
    lockout_job *job = arg;
    chorusacct_account a;
    int rc = chorusacct__account_load(ctx, job->id, &a);
    sodium_memzero(a.password_hash, sizeof a.password_hash);
    if (rc != CHORUSACCT_OK)
        return rc;
    return chorusacct__audit(ctx, CHORUSACCT_EV_LOCKOUT, a.id, a.state, a.state,
                             0, NULL);
}

static int login_step(chorusacct_ctx *ctx, const char *login_email,
                      const char *password, size_t password_len,
                      const char *client_key, int64_t *account_id, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (account_id != NULL)
        *account_id = 0;
    if (login_email == NULL || (password == NULL && password_len > 0))
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "login");
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    /* Per client key only: the address has its own rules below, which an
     * attacker cannot use up for the address's owner. */
    rc = chorusacct__throttle(ctx, "login", client_key, NULL);
    if (rc == CHORUSACCT_E_THROTTLED)
        return chorusacct__refuse(ctx, reason, rc);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "throttle");
    login_keys k;
    int why = 0;
    rc = keys_make(ctx, login_email, client_key, &k);
    if (rc == CHORUSACCT_OK)
        rc = gate(ctx, &k, &why);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "throttle");
    if (why != 0)
        return chorusacct__refuse(ctx, reason, why);

    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    char key[CHORUSACCT_EMAIL_SIZE];
    chorusacct_account a;
    chorusacct__account_blank(&a);
    rc = CHORUSACCT_E_NOTFOUND;
    if (chorusacct__email_key(key, login_email))
        rc = st->account_find(st->user_data, key, &a);
    if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_NOTFOUND)
        return chorusacct__fail(ctx, rc, "login");

    /* One argon2 computation, whether the address has a password or not. */
    const bool known = rc == CHORUSACCT_OK && a.password_hash[0] != '\0';
    const char *hash = known ? a.password_hash : ctx->dummy_hash;
    const bool match =
        chorusacct__pwhash_verify(ctx, hash, password != NULL ? password : "",
                                  password_len) &&
        known;
    rehash_job job = {.id = a.id};
    bool rehash = false;
    if (match && a.state == CHORUSACCT_STATE_ACTIVE &&
        crypto_pwhash_str_needs_rehash(a.password_hash,
                                       ctx->cfg.pwhash_opslimit,
                                       (size_t)ctx->cfg.pwhash_memlimit) != 0)
        rehash =
            chorusacct__pwhash_str(ctx, job.hash, password, password_len) == 0;
    sodium_memzero(a.password_hash, sizeof a.password_hash);
    if (!match) {
        bool locked = false;
        rc = count_failure(ctx, &k, &locked);
        if (rc == CHORUSACCT_OK && locked && a.id != 0) {
            lockout_job lj = {.id = a.id};
            rc = chorusacct__txn(ctx, lockout_body, &lj, "login");
        }
        if (rc != CHORUSACCT_OK)
            return chorusacct__fail(ctx, rc, "login");
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_CREDENTIALS);
    }
    rc = count_success(ctx, &k);
    if (rc == CHORUSACCT_OK && rehash)
        rc = chorusacct__txn(ctx, rehash_body, &job, "login");
    sodium_memzero(job.hash, sizeof job.hash);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "login");
    if (a.state != CHORUSACCT_STATE_ACTIVE)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_NOT_ACTIVE);
    if (account_id != NULL)
        *account_id = a.id;
    return CHORUSACCT_OK;
}

int chorusacct_login(chorusacct_ctx *ctx, const char *login_email,
                     const char *password, size_t password_len,
                     const char *client_key, int64_t *account_id, int *reason)
{
    CA_STEP(ctx, "login",
            login_step(ctx, login_email, password, password_len, client_key,
                       account_id, reason));
}

/* ------------------------------------------------------------------ */
/* Lifting a lockout                                                    */

typedef struct {
    int64_t account_id;
    int64_t manager_id; /* 0: the operator */
    char email_key[CHORUSACCT_EMAIL_SIZE];
    int why;
} unlock_job;

static int unlock_body(chorusacct_ctx *ctx, void *arg)
{
    unlock_job *job = arg;
    chorusacct_account a;
    /* A manager gets the same answer for every id it may not act on. */
    int rc =
        job->manager_id != 0
            ? chorusacct__load_managed(ctx, job->manager_id, job->account_id,
                                       &a, NULL, &job->why)
            : chorusacct__account_load(ctx, job->account_id, &a);
    sodium_memzero(a.password_hash, sizeof a.password_hash);
    if (rc != CHORUSACCT_OK)
        return rc;
    memcpy(job->email_key, a.email_key, sizeof job->email_key);
    return chorusacct__audit(ctx, CHORUSACCT_EV_UNLOCK, a.id, a.state, a.state,
                             job->manager_id, NULL);
}

static int unlock(chorusacct_ctx *ctx, int64_t manager_id, int64_t account_id,
                  int *reason)
{
    int rc = chorusacct__ready(ctx);
    if (rc != CHORUSACCT_OK)
        return rc;
    unlock_job job = {.account_id = account_id, .manager_id = manager_id};
    rc = chorusacct__txn(ctx, unlock_body, &job, "unlock");
    if (rc == CHORUSACCT_E_REJECTED)
        return chorusacct__refuse(ctx, reason, job.why);
    if (rc != CHORUSACCT_OK)
        return rc;
    /* A new generation for the address: every client's lock and failures,
     * and the address's delay, are behind it. The stored window is made
     * to outlast any lock set before (gc keeps it so long). */
    const chorusacct_storage_ops *st = chorusacct__st(ctx);
    char lower[CHORUSACCT_EMAIL_SIZE], addr[33], key[CHORUSACCT_KEY_SIZE];
    chorusacct__address_lower(lower, job.email_key);
    hex_of(ctx, lower, strlen(lower), addr);
    uint32_t gen = 0, n = 0;
    rc = gen_read(ctx, addr, &gen);
    gen_key(key, sizeof key, addr);
    if (rc == CHORUSACCT_OK)
        rc = st->counter_add(st->user_data, key,
                             chorusacct__now(ctx) + ctx->cfg.lockout_duration +
                                 CA_HOUR,
                             gen + 1, &n);
    if (rc != CHORUSACCT_OK)
        return chorusacct__fail(ctx, rc, "unlock");
    return CHORUSACCT_OK;
}

static int login_unlock_step(chorusacct_ctx *ctx, int64_t account_id,
                             int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (account_id <= 0)
        return chorusacct__fail(ctx, CHORUSACCT_E_ARG, "account id");
    return unlock(ctx, 0, account_id, reason);
}

int chorusacct_login_unlock(chorusacct_ctx *ctx, int64_t account_id,
                            int *reason)
{
    CA_STEP(ctx, "login_unlock", login_unlock_step(ctx, account_id, reason));
}

static int login_unlock_by_step(chorusacct_ctx *ctx, int64_t manager_id,
                                int64_t account_id, int *reason)
{
    if (ctx == NULL)
        return CHORUSACCT_E_ARG;
    chorusacct__ok(ctx);
    if (manager_id <= 0)
        return chorusacct__refuse(ctx, reason, CHORUSACCT_E_NOT_MANAGER);
    return unlock(ctx, manager_id, account_id, reason);
}

int chorusacct_login_unlock_by(chorusacct_ctx *ctx, int64_t manager_id,
                               int64_t account_id, int *reason)
{
    CA_STEP(ctx, "login_unlock_by",
            login_unlock_by_step(ctx, manager_id, account_id, reason));
}
