/*
 * Enumeration safety: every call whose answer could tell whether an
 * address has an account is run for a known and an unknown address, each
 * from an identical fresh fixture, and everything a caller can observe is
 * compared: the status, the reason, the ids and states returned, the last
 * error's text, the mails sent to anyone but the owner of the address
 * (with that address written out of them), and the number of argon2
 * computations (the timing class).
 */
#include "flowutil.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <chorusacct/testkit.h>

static char siret_a[15], siret_b[15], siret_c[15], siret_d[15];

static int setup(void **state)
{
    (void)state;
    siret_of(1234567, siret_a);
    siret_of(7654321, siret_b);
    siret_of(1111111, siret_c);
    siret_of(2222222, siret_d);
    return chorusacct_init();
}

/* What a caller observes of one call. */
typedef struct {
    int rc, reason;
    int64_t id1, id2; /* ids returned (account, structure) */
    int state;
    char last_error[512];
    uint64_t argon2;   /* argon2 computations of the call */
    uint64_t calls;    /* storage operations of the call */
    char others[4096]; /* mails to others than the address, in order */
} observed;

/* The mails delivered to recipients other than `address` since `from`,
 * each as kind, recipient, subject and body with `address` replaced. */
static void others_of(flowfix *b, const char *address, size_t from, char *out,
                      size_t cap)
{
    (void)do_deliver(b);
    size_t used = 0;
    out[0] = '\0';
    size_t n = chorusacct_testmailer_count(b->mail);
    for (size_t i = from; i < n; i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(b->mail, i);
        if (strcmp(m->to, address) == 0)
            continue;
        char line[2048];
        snprintf(line, sizeof line, "%d|%s|%s|%s\n", m->kind, m->to, m->subject,
                 m->body);
        /* The address itself is expected to differ: write it out. */
        for (char *p = strstr(line, address); p != NULL;
             p = strstr(p, address)) {
            size_t al = strlen(address);
            memset(p, '*', al);
        }
        int w = snprintf(out + used, cap - used, "%s", line);
        used += (size_t)w < cap - used ? (size_t)w : cap - used - 1;
    }
}

/* The fixtures' contexts reach storage through a counting wrapper (a
 * fault store that never fails), so that the storage operations of a call
 * can be compared too: beside argon2, the rest of its time. */
typedef struct {
    flowfix *b;
    chorusacct_faultstore *fs;
    chorusacct_storage_ops inner;
} counted;
static counted counted_of[4];

static chorusacct_faultstore *fs_of(const flowfix *b)
{
    for (size_t i = 0; i < 4; i++)
        if (counted_of[i].b == b)
            return counted_of[i].fs;
    return NULL;
}

static uint64_t calls_of(const flowfix *b)
{
    chorusacct_faultstore *fs = fs_of(b);
    return fs != NULL ? chorusacct_faultstore_calls(fs) : 0;
}

static void count_storage(flowfix *b)
{
    for (size_t i = 0; i < 4; i++) {
        counted *c = &counted_of[i];
        if (c->b != NULL)
            continue;
        c->b = b;
        c->inner.struct_size = sizeof c->inner;
        flowfix_storage(b, &c->inner);
        assert_code(chorusacct_faultstore_new(&c->fs, &c->inner, 0),
                    CHORUSACCT_OK, NULL);
        chorusacct_storage_ops fo = {.struct_size = sizeof fo};
        assert_code(chorusacct_faultstore_ops(&fo, c->fs), CHORUSACCT_OK, NULL);
        assert_code(chorusacct_ctx_set_storage(b->ctx, &fo), CHORUSACCT_OK,
                    b->ctx);
        return;
    }
    fail_msg("more than 4 counted fixtures");
}

static void fixture_close(flowfix *b)
{
    chorusacct_ctx_free(b->ctx);
    b->ctx = NULL;
    for (size_t i = 0; i < 4; i++) {
        counted *c = &counted_of[i];
        if (c->b != b)
            continue;
        if (c->inner.destroy != NULL)
            c->inner.destroy(c->inner.user_data);
        chorusacct_faultstore_free(c->fs);
        memset(c, 0, sizeof *c);
    }
    flowfix_close(b);
}

static void observed_begin(flowfix *b, observed *o, size_t *mails)
{
    memset(o, 0, sizeof *o);
    o->reason = -1;
    (void)do_deliver(b);
    *mails = chorusacct_testmailer_count(b->mail);
    o->argon2 = chorusacct_testkit_pwhash_count(b->ctx);
    o->calls = calls_of(b);
}

static void observed_end(flowfix *b, observed *o, const char *address,
                         size_t mails)
{
    o->argon2 = chorusacct_testkit_pwhash_count(b->ctx) - o->argon2;
    o->calls = calls_of(b) - o->calls;
    snprintf(o->last_error, sizeof o->last_error, "%s",
             chorusacct_ctx_last_error(b->ctx));
    others_of(b, address, mails, o->others, sizeof o->others);
}

static void assert_same(const observed *k, const observed *u)
{
    assert_int_equal(k->rc, u->rc);
    assert_int_equal(k->reason, u->reason);
    assert_int_equal(k->id1, u->id1);
    assert_int_equal(k->id2, u->id2);
    assert_int_equal(k->state, u->state);
    assert_string_equal(k->last_error, u->last_error);
    assert_int_equal(k->argon2, u->argon2);
    /* Storage operations (calls) are compared where the flow makes them
     * alike (logins), not here: docs/flow.md says where they differ. */
    assert_string_equal(k->others, u->others);
}

/* ------------------------------------------------------------------ */
/* Login                                                                */

static void login_observe(flowfix *b, const char *address, const char *pw,
                          const char *client, observed *o)
{
    size_t mails;
    observed_begin(b, o, &mails);
    o->rc = chorusacct_login(b->ctx, address, pw, strlen(pw), client, &o->id1,
                             &o->reason);
    observed_end(b, o, address, mails);
}

/* A login whose answer does not matter here. */
static void login_any(chorusacct_ctx *ctx, const char *address, const char *pw,
                      size_t len, const char *client, int64_t *who, int *reason)
{
    int rc = chorusacct_login(ctx, address, pw, len, client, who, reason);
    assert_true(rc == CHORUSACCT_OK || rc == CHORUSACCT_E_REJECTED);
}

/* The known address's account in a given state, or none. */
enum { K_ACTIVE, K_AWAITING, K_PENDING, K_DISABLED, K_NONE };

#define SAFE (CHORUSACCT_CFG_NO_CAPTCHA | CHORUSACCT_CFG_ENUMERATION_SAFE)

/* A manager of siret_a (boss@acme.fr) and the known address's account,
 * made in the ordinary mode (whose answers give the ids); the context is
 * then switched to the enumeration-safe mode. */
static void fixture(flowfix *b, int kind)
{
    flowfix_open(b, CHORUSACCT_CFG_NO_CAPTCHA);
    int64_t boss = make_manager(b, "boss@acme.fr", siret_a);
    int reason;
    switch (kind) {
    case K_ACTIVE:
        (void)make_manager(b, "known@other.fr", siret_b);
        break;
    case K_AWAITING:
        (void)do_signup(b, "known@other.fr", siret_b,
                        CHORUSACCT_STATE_AWAITING_ACTIVATION);
        break;
    case K_PENDING:
        (void)do_signup(b, "known@other.fr", siret_a,
                        CHORUSACCT_STATE_PENDING_APPROVAL);
        break;
    case K_DISABLED: {
        int64_t id = do_signup(b, "known@other.fr", siret_a,
                               CHORUSACCT_STATE_PENDING_APPROVAL);
        approve_and_activate(b, boss, id, "known@other.fr");
        assert_code(chorusacct_account_disable(b->ctx, id, id, "gone", &reason),
                    CHORUSACCT_OK, b->ctx);
        break;
    }
    default:
        break;
    }
    (void)boss;
    (void)do_deliver(b);
    assert_code(chorusacct_ctx_set_int(b->ctx, CHORUSACCT_OPT_FLAGS, SAFE),
                CHORUSACCT_OK, b->ctx);
    count_storage(b);
}

static const int known_kinds[] = {K_ACTIVE, K_AWAITING, K_PENDING, K_DISABLED};
#define NKINDS (sizeof known_kinds / sizeof known_kinds[0])

/* The dummy hash is an encoded string libsodium reads with the configured
 * limits: making it computes nothing (else the context falls back to
 * hashing a random password, which the count would show), with the
 * defaults and after the limits change. */
static void test_dummy_hash_needs_no_argon2(void **state)
{
    (void)state;
    chorusacct_ctx *ctx = NULL;
    assert_code(chorusacct_ctx_new(&ctx, NULL), CHORUSACCT_OK, NULL);
    assert_int_equal(chorusacct_testkit_pwhash_count(ctx), 0);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_OPSLIMIT, 3),
                CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_MEMLIMIT,
                                       32 * 1024 * 1024 + 512),
                CHORUSACCT_OK, ctx);
    assert_code(chorusacct_ctx_set_int(ctx, CHORUSACCT_OPT_PWHASH_MEMLIMIT,
                                       crypto_pwhash_MEMLIMIT_MIN),
                CHORUSACCT_OK, ctx);
    assert_int_equal(chorusacct_testkit_pwhash_count(ctx), 0);
    chorusacct_ctx_free(ctx);
}

/* A login with a wrong password on a fresh context (as a CLI, a CGI or a
 * restarted worker has) costs one argon2 computation, known address or
 * not: the hash to verify against for an unknown one is made with the
 * context, not inside the first login that needs it. */
static void test_login_one_argon2_on_fresh_context(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        flowfix b;
        fixture(&b, known_kinds[i]);
        chorusacct_ctx_free(b.ctx);
        b.ctx = flowfix_ctx(&b, SAFE);
        observed k, u;
        login_observe(&b, "known@other.fr", "Wrong-password-1", "c1", &k);
        assert_int_equal(k.argon2, 1);
        chorusacct_ctx_free(b.ctx);
        b.ctx = flowfix_ctx(&b, SAFE);
        login_observe(&b, "unknown@other.fr", "Wrong-password-1", "c1", &u);
        assert_same(&k, &u);
        /* Changing the limits makes a new hash to verify against, at
         * once: the next login still costs one. */
        assert_code(
            chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_PWHASH_OPSLIMIT, 2),
            CHORUSACCT_OK, b.ctx);
        login_observe(&b, "unknown2@other.fr", "Wrong-password-1", "c1", &u);
        assert_int_equal(u.argon2, 1);
        fixture_close(&b);
    }
}

/* ------------------------------------------------------------------ */
/* Sign-up                                                              */

static void signup_observe(flowfix *b, const char *address, const char *siret,
                           observed *o)
{
    size_t mails;
    observed_begin(b, o, &mails);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, address, "Eve", "Martin", siret);
    f.client_key = "c1";
    o->rc = chorusacct_signup_submit(b->ctx, &f, &r);
    o->id1 = r.account_id;
    o->id2 = r.structure_id;
    o->state = r.state;
    o->reason = (int)r.nerrors;
    observed_end(b, o, address, mails);
}

/* What public calls tell after a sign-up: the structure's lookup, and
 * the id of the next account, as its owner sees it in the link's lookup. */
typedef struct {
    int declared;
    chorusacct_structure s;
    int64_t next_id;
} traces;

static void traces_of(flowfix *b, const char *siret, traces *t)
{
    memset(t, 0, sizeof *t);
    t->s.struct_size = sizeof t->s;
    int reason = 0;
    assert_code(chorusacct_structure_lookup(b->ctx, CHORUSACCT_ID_SIRET, siret,
                                            &t->declared, &t->s, &reason),
                CHORUSACCT_OK, b->ctx);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "probe@probe.fr", "Pro", "Be", siret_d);
    assert_code(chorusacct_signup_submit(b->ctx, &f, &r), CHORUSACCT_OK,
                b->ctx);
    (void)do_deliver(b);
    char token[64];
    last_token(b, "probe@probe.fr", token, sizeof token);
    chorusacct_token_info ti = {.struct_size = sizeof ti};
    assert_code(chorusacct_activation_lookup(b->ctx, token, NULL, &ti, &reason),
                CHORUSACCT_OK, b->ctx);
    t->next_id = ti.account_id;
}

static void assert_same_traces(const traces *k, const traces *u)
{
    assert_int_equal(k->declared, u->declared);
    assert_int_equal(k->s.id, u->s.id);
    assert_int_equal(k->s.principal_id, u->s.principal_id);
    assert_int_equal(k->s.created_at, u->s.created_at);
    assert_string_equal(k->s.identifier, u->s.identifier);
    assert_string_equal(k->s.company_name, u->s.company_name);
    assert_int_equal(k->next_id, u->next_id);
    assert_true(k->next_id > 0);
}

/* A sign-up with a taken address (in any state) and with a new one, for
 * a new structure: the same status, state, ids (0), last error, mails to
 * others (none) and argon2 computations (none). The owner of the taken
 * address gets "an account already exists", the new address its link. */
static void test_signup_taken_and_new_look_alike(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        flowfix k, u;
        fixture(&k, known_kinds[i]);
        fixture(&u, known_kinds[i]);
        observed ok, ou;
        signup_observe(&k, "known@other.fr", siret_c, &ok);
        signup_observe(&u, "unknown@other.fr", siret_c, &ou);
        assert_code(ok.rc, CHORUSACCT_OK, k.ctx);
        assert_int_equal(ok.id1, 0);
        assert_int_equal(ok.state, CHORUSACCT_STATE_AWAITING_ACTIVATION);
        assert_same(&ok, &ou);
        assert_int_equal(
            mails_of(&k, CHORUSACCT_MAIL_ALREADY_EXISTS, "known@other.fr"), 1);
        assert_int_equal(
            mails_of(&u, CHORUSACCT_MAIL_ACTIVATION, "unknown@other.fr"), 1);
        /* Then what public calls tell: the structure is declared alike,
         * and the next account gets the same id. */
        traces tk, tu;
        traces_of(&k, siret_c, &tk);
        traces_of(&u, siret_c, &tu);
        assert_int_equal(tk.declared, 1);
        assert_same_traces(&tk, &tu);
        fixture_close(&k);
        fixture_close(&u);
    }
}

/* The requests that managers see in their list: the accounts pending
 * approval, of every structure. */
static size_t pending_count(flowfix *b)
{
    chorusacct_account_query q = {.struct_size = sizeof q};
    q.state = CHORUSACCT_STATE_PENDING_APPROVAL;
    chorusacct_account a[16];
    for (size_t i = 0; i < 16; i++)
        a[i].struct_size = sizeof a[i];
    size_t n = 0;
    assert_code(chorusacct_account_list(b->ctx, &q, a, 16, &n), CHORUSACCT_OK,
                b->ctx);
    return n;
}

/* The same for a structure already declared (a request to join): both
 * answer created with ids 0, and the structure's managers get nothing
 * and see nothing new in their list, taken address or not: a new
 * applicant's request reaches them only once the applicant has followed
 * the link sent to the login address (point 1 of issue 12). */
static void
test_signup_taken_and_new_same_answer_existing_structure(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        flowfix k, u;
        fixture(&k, known_kinds[i]);
        fixture(&u, known_kinds[i]);
        observed ok, ou;
        size_t pk = pending_count(&k), pu = pending_count(&u);
        signup_observe(&k, "known@other.fr", siret_a, &ok);
        signup_observe(&u, "unknown@other.fr", siret_a, &ou);
        assert_code(ok.rc, CHORUSACCT_OK, k.ctx);
        assert_int_equal(ok.state, CHORUSACCT_STATE_CREATED);
        assert_same(&ok, &ou);
        assert_string_equal(ok.others, "");
        assert_int_equal(pending_count(&k) - pk, pending_count(&u) - pu);
        assert_int_equal(
            mails_of(&u, CHORUSACCT_MAIL_CONFIRM_REQUEST, "unknown@other.fr"),
            1);
        traces tk, tu;
        traces_of(&k, siret_a, &tk);
        traces_of(&u, siret_a, &tu);
        assert_same_traces(&tk, &tu);
        fixture_close(&k);
        fixture_close(&u);
    }
}

/* A request to join in enumeration-safe mode: the link mailed to the
 * login address, followed once, moves it to pending approval and only
 * then asks the managers; a second use is refused; an activation with it
 * is refused; the lookup tells the state created. */
static void test_join_confirm_link_works_once(void **state)
{
    (void)state;
    flowfix b;
    fixture(&b, K_NONE); /* boss@acme.fr manages siret_a */
    observed o;
    signup_observe(&b, "new@other.fr", siret_a, &o);
    assert_code(o.rc, CHORUSACCT_OK, b.ctx);
    assert_int_equal(o.state, CHORUSACCT_STATE_CREATED);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, NULL), 0);
    assert_int_equal(pending_count(&b), 0);
    char token[64];
    last_token(&b, "new@other.fr", token, sizeof token);
    int reason = 0;
    chorusacct_token_info ti = {.struct_size = sizeof ti};
    assert_code(chorusacct_activation_lookup(b.ctx, token, NULL, &ti, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(ti.state, CHORUSACCT_STATE_CREATED);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    /* Before the confirmation the structure's managers cannot act on the
     * request, nor tell its id from one that names no account. */
    int64_t boss = 0;
    assert_code(chorusacct_login(b.ctx, "boss@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "pc", &boss, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_approve(b.ctx, boss, ti.account_id, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(
        chorusacct_account_reject(b.ctx, boss, ti.account_id, "Non", &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(
        chorusacct_activation_resend_by(b.ctx, boss, ti.account_id, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    /* A resend before the confirmation sends a new link, and nothing to
     * the managers; the old link is void. */
    assert_code(
        chorusacct_activation_resend(b.ctx, "new@other.fr", "c1", &reason),
        CHORUSACCT_OK, b.ctx);
    (void)do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, NULL), 0);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_CONFIRM_REQUEST, "new@other.fr"), 2);
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_INVALID, b.ctx);
    last_token(&b, "new@other.fr", token, sizeof token);
    int64_t id = 0;
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, &id, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_true(id > 0);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_PENDING_APPROVAL);
    (void)do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_SUMMARY, "new@other.fr"), 1);
    assert_int_equal(pending_count(&b), 1);
    /* Once only. */
    int64_t again = -1;
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, &again, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_USED, b.ctx);
    assert_int_equal(again, 0);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);
    /* The request then follows the ordinary flow. */
    approve_and_activate(&b, boss, id, "new@other.fr");
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_ACTIVE);
    /* An activation link is not a confirmation link. */
    signup_observe(&b, "decl@other.fr", siret_b, &o);
    last_token(&b, "decl@other.fr", token, sizeof token);
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_STATE, b.ctx);
    fixture_close(&b);
}

/* An unconfirmed request expires with its link: refused after it, the
 * sweep expires it as a draft (no structure: a resend cannot make it a
 * request), the managers never hear of it, and a new sign-up with the
 * address starts again. */
static void test_join_confirm_link_expires(void **state)
{
    (void)state;
    flowfix b;
    fixture(&b, K_NONE);
    observed o;
    signup_observe(&b, "late@other.fr", siret_a, &o);
    char token[64];
    last_token(&b, "late@other.fr", token, sizeof token);
    chorusacct_testclock_advance(b.clock, 3600);
    int reason = 0;
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_EXPIRED, b.ctx);
    chorusacct_sweep_result c = {.struct_size = sizeof c};
    assert_code(chorusacct_sweep(b.ctx, &c), CHORUSACCT_OK, b.ctx);
    assert_int_equal(c.expired, 1);
    chorusacct_account_query q = {.struct_size = sizeof q};
    q.state = CHORUSACCT_STATE_EXPIRED;
    chorusacct_account a = {.struct_size = sizeof a};
    size_t n = 0;
    assert_code(chorusacct_account_list(b.ctx, &q, &a, 1, &n), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(n, 1);
    assert_int_equal(a.structure_id, 0);
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, NULL, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_TOKEN_EXPIRED, b.ctx);
    chorusacct_testclock_advance(b.clock, 61);
    assert_code(
        chorusacct_activation_resend(b.ctx, "late@other.fr", "c1", &reason),
        CHORUSACCT_OK, b.ctx);
    (void)do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, NULL), 0);
    assert_int_equal(pending_count(&b), 0);
    signup_observe(&b, "late@other.fr", siret_a, &o);
    assert_code(o.rc, CHORUSACCT_OK, b.ctx);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_CONFIRM_REQUEST, "late@other.fr"), 2);
    fixture_close(&b);
}

/* The wizard's way (draft, then finalize) to a declared structure proves
 * the mailbox the same way; a draft waiting for it is not finalized
 * twice. */
static void test_join_confirm_after_draft_finalize(void **state)
{
    (void)state;
    flowfix b;
    fixture(&b, K_NONE);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, "wiz@other.fr", "Eve", "Martin", NULL);
    assert_code(chorusacct_draft_create(b.ctx, &f, &r), CHORUSACCT_OK, b.ctx);
    const int64_t id = r.account_id;
    assert_true(id > 0);
    form_fill(&f, NULL, NULL, NULL, siret_a);
    assert_code(chorusacct_draft_finalize(b.ctx, id, &f, &r), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(r.state, CHORUSACCT_STATE_CREATED);
    assert_code(chorusacct_draft_finalize(b.ctx, id, &f, &r),
                CHORUSACCT_E_REJECTED, b.ctx);
    (void)do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, NULL), 0);
    char token[64];
    last_token(&b, "wiz@other.fr", token, sizeof token);
    int64_t got = 0;
    int reason = 0;
    assert_code(chorusacct_request_confirm(b.ctx, token, NULL, &got, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(got, id);
    (void)do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);
    fixture_close(&b);
}

/* The default mode keeps its flow: a request to join is pending approval
 * at once, and its managers are asked at once. */
static void test_join_default_mode_asks_managers_at_once(void **state)
{
    (void)state;
    flowfix b;
    fixture(&b, K_NONE);
    assert_code(chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_FLAGS,
                                       CHORUSACCT_CFG_NO_CAPTCHA),
                CHORUSACCT_OK, b.ctx);
    int64_t id = do_signup(&b, "plain@other.fr", siret_a,
                           CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_true(id > 0);
    (void)do_deliver(&b);
    assert_int_equal(
        mails_of(&b, CHORUSACCT_MAIL_APPROVAL_REQUEST, "boss@acme.fr"), 1);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_CONFIRM_REQUEST, NULL), 0);
    assert_int_equal(pending_count(&b), 1);
    fixture_close(&b);
}

/* Five failures lock the client out of the address, whether the address
 * has an account (with a password or not) or none: the same answers,
 * LOCKED included, and the same cost, step by step. */
static void test_login_lockout_same_for_unknown_address(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        flowfix k, u;
        fixture(&k, known_kinds[i]);
        fixture(&u, known_kinds[i]);
        for (int step = 0; step < 7; step++) {
            observed ok, ou;
            login_observe(&k, "known@other.fr", "Wrong-password-1", "evil",
                          &ok);
            login_observe(&u, "unknown@other.fr", "Wrong-password-1", "evil",
                          &ou);
            assert_same(&ok, &ou);
            /* The same storage work too, but for the failure that locks
             * (its audit event, for an address with an account). */
            if (step != 4)
                assert_int_equal(ok.calls, ou.calls);
            assert_int_equal(ok.reason, step < 5 ? CHORUSACCT_E_CREDENTIALS
                                                 : CHORUSACCT_E_LOCKED);
            /* A lock costs no argon2 computation, for both alike. */
            assert_int_equal(ok.argon2, step < 5 ? 1 : 0);
        }
        /* The lock lasts an hour (the portal's rule), for both. */
        chorusacct_testclock_advance(k.clock, 3599);
        chorusacct_testclock_advance(u.clock, 3599);
        observed ok, ou;
        login_observe(&k, "known@other.fr", "Wrong-password-1", "evil", &ok);
        login_observe(&u, "unknown@other.fr", "Wrong-password-1", "evil", &ou);
        assert_same(&ok, &ou);
        assert_int_equal(ok.reason, CHORUSACCT_E_LOCKED);
        chorusacct_testclock_advance(k.clock, 1);
        chorusacct_testclock_advance(u.clock, 1);
        login_observe(&k, "known@other.fr", "Wrong-password-1", "evil", &ok);
        login_observe(&u, "unknown@other.fr", "Wrong-password-1", "evil", &ou);
        assert_same(&ok, &ou);
        assert_int_equal(ok.reason, CHORUSACCT_E_CREDENTIALS);
        fixture_close(&k);
        fixture_close(&u);
    }
}

/* Many clients failing on one address (more than the free failures)
 * delay the clients that never logged in to it, known address or not,
 * by the same growing delay; a delayed attempt costs no argon2. */
static void test_login_address_delay_same_for_unknown_address(void **state)
{
    (void)state;
    flowfix k, u;
    fixture(&k, K_ACTIVE);
    fixture(&u, K_ACTIVE);
    char client[16];
    for (int c = 0; c < 12; c++) {
        snprintf(client, sizeof client, "bot%d", c);
        observed ok, ou;
        login_observe(&k, "known@other.fr", "Wrong-password-1", client, &ok);
        login_observe(&u, "unknown@other.fr", "Wrong-password-1", client, &ou);
        assert_same(&ok, &ou);
        assert_int_equal(ok.calls, ou.calls);
        /* Ten free failures (twice login_max_failures), then a delay of
         * 1 s after the eleventh: the twelfth comes too soon. */
        assert_int_equal(ok.reason, c < 11 ? CHORUSACCT_E_CREDENTIALS
                                           : CHORUSACCT_E_THROTTLED);
    }
    chorusacct_testclock_advance(k.clock, 1);
    chorusacct_testclock_advance(u.clock, 1);
    observed ok, ou;
    login_observe(&k, "known@other.fr", "Wrong-password-1", "bot99", &ok);
    login_observe(&u, "unknown@other.fr", "Wrong-password-1", "bot99", &ou);
    assert_same(&ok, &ou);
    assert_int_equal(ok.reason, CHORUSACCT_E_CREDENTIALS);
    fixture_close(&k);
    fixture_close(&u);
}

/* Point 6: an attacker who knows the address cannot keep its owner out.
 * The owner's client, which logged in before, is neither locked by the
 * attacker's failures nor delayed; a new client of the owner waits at most
 * the longest delay (60 s); the attacker's own client is locked for an
 * hour. */
static void test_login_attacker_cannot_lock_owner_out(void **state)
{
    (void)state;
    flowfix b;
    fixture(&b, K_ACTIVE);
    int64_t who = 0;
    int reason = 0;
    const char *owner = "known@other.fr", *bad = "Wrong-password-1";
    assert_code(chorusacct_login(b.ctx, owner, GOOD_PW, strlen(GOOD_PW),
                                 "owner-laptop", &who, &reason),
                CHORUSACCT_OK, b.ctx);
    /* An hour of attack from 50 clients, 5 failures each. */
    char client[16];
    for (int c = 0; c < 50; c++) {
        snprintf(client, sizeof client, "bot%d", c);
        for (int i = 0; i < 5; i++) {
            login_any(b.ctx, owner, bad, strlen(bad), client, &who, &reason);
            chorusacct_testclock_advance(b.clock, 10);
        }
    }
    assert_code(
        chorusacct_login(b.ctx, owner, bad, strlen(bad), "bot0", &who, &reason),
        CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_LOCKED, b.ctx);
    /* The owner's laptop: in at once. */
    assert_code(chorusacct_login(b.ctx, owner, GOOD_PW, strlen(GOOD_PW),
                                 "owner-laptop", &who, &reason),
                CHORUSACCT_OK, b.ctx);
    /* A typo there does not lock it either (its own five would). */
    assert_code(chorusacct_login(b.ctx, owner, bad, strlen(bad), "owner-laptop",
                                 &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_CREDENTIALS, b.ctx);
    assert_code(chorusacct_login(b.ctx, owner, GOOD_PW, strlen(GOOD_PW),
                                 "owner-laptop", &who, &reason),
                CHORUSACCT_OK, b.ctx);
    /* The owner's new phone: delayed, never walled. One more failure
     * sets the longest delay; after it the right password is let in. */
    login_any(b.ctx, owner, bad, strlen(bad), "bot77", &who, &reason);
    assert_code(chorusacct_login(b.ctx, owner, GOOD_PW, strlen(GOOD_PW),
                                 "owner-phone", &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_THROTTLED, b.ctx);
    chorusacct_testclock_advance(b.clock, 60);
    assert_code(chorusacct_login(b.ctx, owner, GOOD_PW, strlen(GOOD_PW),
                                 "owner-phone", &who, &reason),
                CHORUSACCT_OK, b.ctx);
    fixture_close(&b);
}

/* A manager of the structure, or the operator, lifts a lockout, audited;
 * anyone else gets NOT_MANAGER for every id. */
static void test_login_unlock_by_manager_or_operator(void **state)
{
    (void)state;
    flowfix b;
    fixture(&b, K_NONE); /* boss manages siret_a */
    assert_code(chorusacct_ctx_set_int(b.ctx, CHORUSACCT_OPT_FLAGS,
                                       CHORUSACCT_CFG_NO_CAPTCHA),
                CHORUSACCT_OK, b.ctx);
    int64_t boss = 0, who = 0;
    int reason = 0;
    const char *bad = "Wrong-password-1";
    assert_code(chorusacct_login(b.ctx, "boss@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "boss-pc", &boss, &reason),
                CHORUSACCT_OK, b.ctx);
    int64_t user = do_signup(&b, "user@acme.fr", siret_a,
                             CHORUSACCT_STATE_PENDING_APPROVAL);
    approve_and_activate(&b, boss, user, "user@acme.fr");
    for (int i = 0; i < 5; i++)
        login_any(b.ctx, "user@acme.fr", bad, strlen(bad), "pc", &who, &reason);
    assert_code(chorusacct_login(b.ctx, "user@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "pc", &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_LOCKED, b.ctx);
    int types[16];
    size_t n = event_types(&b, user, types, 16);
    assert_int_equal(types[n - 1], CHORUSACCT_EV_LOCKOUT);

    /* Not a manager: the same answer for an account and for no account. */
    assert_code(chorusacct_login_unlock_by(b.ctx, user, user, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_login_unlock_by(b.ctx, user, 99999, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_NOT_MANAGER, b.ctx);
    assert_code(chorusacct_login(b.ctx, "user@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "pc", &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);

    assert_code(chorusacct_login_unlock_by(b.ctx, boss, user, &reason),
                CHORUSACCT_OK, b.ctx);
    n = event_types(&b, user, types, 16);
    assert_int_equal(types[n - 1], CHORUSACCT_EV_UNLOCK);
    assert_code(chorusacct_login(b.ctx, "user@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "pc", &who, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(who, user);

    /* The operator, the same way. */
    for (int i = 0; i < 5; i++)
        login_any(b.ctx, "user@acme.fr", bad, strlen(bad), "pc", &who, &reason);
    assert_code(chorusacct_login(b.ctx, "user@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "pc", &who, &reason),
                CHORUSACCT_E_REJECTED, b.ctx);
    assert_code(reason, CHORUSACCT_E_LOCKED, b.ctx);
    assert_code(chorusacct_login_unlock(b.ctx, user, &reason), CHORUSACCT_OK,
                b.ctx);
    assert_code(chorusacct_login(b.ctx, "user@acme.fr", GOOD_PW,
                                 strlen(GOOD_PW), "pc", &who, &reason),
                CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_login_unlock(b.ctx, 99999, &reason),
                CHORUSACCT_E_NOTFOUND, b.ctx);
    chorusacct_event ev[16] = {{.struct_size = sizeof ev[0]}};
    size_t m = 0;
    assert_code(chorusacct_event_list(b.ctx, user, 0, ev, 16, &m),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(ev[m - 1].type, CHORUSACCT_EV_UNLOCK);
    assert_int_equal(ev[m - 1].actor_id, 0);
    fixture_close(&b);
}

/* A draft (the wizard's first step) for a taken address answers as for
 * a new one: OK and the state created. Its id differs (0, and a real id
 * the wizard needs for a new address): docs/flow.md says so. */
static void test_draft_taken_and_new_same_state(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        flowfix k, u;
        fixture(&k, known_kinds[i]);
        fixture(&u, known_kinds[i]);
        observed o[2];
        flowfix *fx[2] = {&k, &u};
        const char *addr[2] = {"known@other.fr", "unknown@other.fr"};
        for (int j = 0; j < 2; j++) {
            size_t mails;
            observed_begin(fx[j], &o[j], &mails);
            chorusacct_signup f;
            chorusacct_signup_result r = {.struct_size = sizeof r};
            form_fill(&f, addr[j], "Eve", "Martin", siret_c);
            o[j].rc = chorusacct_draft_create(fx[j]->ctx, &f, &r);
            o[j].state = r.state;
            observed_end(fx[j], &o[j], addr[j], mails);
        }
        assert_code(o[0].rc, CHORUSACCT_OK, k.ctx);
        assert_int_equal(o[0].state, CHORUSACCT_STATE_CREATED);
        assert_same(&o[0], &o[1]);
        fixture_close(&k);
        fixture_close(&u);
    }
}

/* ------------------------------------------------------------------ */
/* Resend                                                               */

static void resend_observe(flowfix *b, const char *address, observed *o)
{
    size_t mails;
    observed_begin(b, o, &mails);
    o->rc = chorusacct_activation_resend(b->ctx, address, "c1", &o->reason);
    observed_end(b, o, address, mails);
}

/* A resend for a known address (in every state) and for an unknown one:
 * OK, the same last error, no argon2, the same mails to others, again and
 * again (cooldown, quota, throttle all answer OK alike). A request
 * pending approval is asked again of its structure's managers, who see it
 * in their list already: that one mail is the only difference, to people
 * who know the address has an account. */
static void test_resend_known_and_unknown_look_alike(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        flowfix k, u;
        fixture(&k, known_kinds[i]);
        fixture(&u, known_kinds[i]);
        for (int step = 0; step < 25; step++) {
            observed ok, ou;
            resend_observe(&k, "known@other.fr", &ok);
            resend_observe(&u, "unknown@other.fr", &ou);
            assert_code(ok.rc, CHORUSACCT_OK, k.ctx);
            assert_int_equal(ok.argon2, 0);
            if (known_kinds[i] == K_PENDING)
                ok.others[0] = ou.others[0] = '\0';
            assert_same(&ok, &ou);
            chorusacct_testclock_advance(k.clock, 61);
            chorusacct_testclock_advance(u.clock, 61);
        }
        fixture_close(&k);
        fixture_close(&u);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dummy_hash_needs_no_argon2),
        cmocka_unit_test(test_login_one_argon2_on_fresh_context),
        cmocka_unit_test(test_signup_taken_and_new_look_alike),
        cmocka_unit_test(
            test_signup_taken_and_new_same_answer_existing_structure),
        cmocka_unit_test(test_join_confirm_link_works_once),
        cmocka_unit_test(test_join_confirm_link_expires),
        cmocka_unit_test(test_join_confirm_after_draft_finalize),
        cmocka_unit_test(test_join_default_mode_asks_managers_at_once),
        cmocka_unit_test(test_login_lockout_same_for_unknown_address),
        cmocka_unit_test(test_login_address_delay_same_for_unknown_address),
        cmocka_unit_test(test_login_attacker_cannot_lock_owner_out),
        cmocka_unit_test(test_login_unlock_by_manager_or_operator),
        cmocka_unit_test(test_resend_known_and_unknown_look_alike),
        cmocka_unit_test(test_draft_taken_and_new_same_state),
    };
    return cmocka_run_group_tests_name("enumeration", tests, setup, NULL);
}
