/*
 * No operation of the flow costs more as the in-memory store grows: the
 * records the store looks at (chorusacct__memstore_visits(): what its
 * listings, claims and gc test, not its O(1) lookups by key nor its
 * O(log n) tree descents) are counted for each operation, in a store of
 * 1,000 and one of 100,000 accounts filled alike, and must be the same.
 * A listing the flow never makes (by state alone) is the control: it
 * scans, and the counter shows it.
 */
#include "internal.h"

#include "flowutil.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum { SMALL = 1000, BIG = 100000 };

/* Far enough that nothing of the filling expires, is purged or comes due
 * while the operations run. */
#define T_FAR (T0 + 400 * 86400)

/* Each filled structure: a principal manager, two managers and a user,
 * all active; a request waiting for approval, an account awaiting
 * activation (with its link), an expired one. */
enum { PER_STRUCTURE = 7 };

typedef struct {
    chorusacct_storage_ops ops;
    int64_t next_event_account;
} filler;

static void fill_account(chorusacct_account *a, unsigned n, int64_t sid,
                         int state, int role)
{
    memset(a, 0, sizeof *a);
    a->struct_size = sizeof *a;
    snprintf(a->login_email, sizeof a->login_email, "fill%u@fill.example", n);
    memcpy(a->email_key, a->login_email, sizeof a->email_key);
    memcpy(a->contact_email, a->login_email, sizeof a->contact_email);
    snprintf(a->first_name, sizeof a->first_name, "Jeanne");
    snprintf(a->last_name, sizeof a->last_name, "Fill %u", n);
    snprintf(a->phone, sizeof a->phone, "+33612345678");
    snprintf(a->terms_version, sizeof a->terms_version, "1");
    a->structure_id = sid;
    a->state = state;
    a->role = role;
    a->lang = CHORUSACCT_LANG_FR;
    a->created_at = a->updated_at = a->consent_at = T0 - 86400;
    if (state == CHORUSACCT_STATE_PENDING_APPROVAL ||
        state == CHORUSACCT_STATE_AWAITING_ACTIVATION ||
        state == CHORUSACCT_STATE_EXPIRED)
        a->expires_at = T_FAR;
    if (state == CHORUSACCT_STATE_ACTIVE)
        a->activated_at = T0 - 86000;
}

static void fill_message(const chorusacct_storage_ops *o, int64_t account,
                         int status)
{
    chorusacct_message m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    m.account_id = account;
    m.kind = CHORUSACCT_MAIL_SUMMARY;
    m.lang = CHORUSACCT_LANG_FR;
    m.status = status;
    m.created_at = T0 - 3600;
    snprintf(m.to, sizeof m.to, "fill%lld@fill.example", (long long)account);
    snprintf(m.body, sizeof m.body, "filled");
    if (status == CHORUSACCT_MSG_SENT) {
        m.sent_at = T0 - 3500;
        m.attempts = 1;
        m.next_attempt_at = m.created_at;
    } else {
        m.next_attempt_at = T_FAR; /* a retry, later */
        m.attempts = 3;
    }
    assert_code(o->outbox_insert(o->user_data, &m), CHORUSACCT_OK, NULL);
}

static void fill_event(const chorusacct_storage_ops *o, int64_t account,
                       int type, int from, int to)
{
    chorusacct_event e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.account_id = account;
    e.type = type;
    e.from_state = from;
    e.to_state = to;
    e.time = T0 - 86400;
    assert_code(o->event_append(o->user_data, &e), CHORUSACCT_OK, NULL);
}

/* `accounts` accounts in structures of PER_STRUCTURE, with their events
 * (two each), their messages (a summary sent, kept as the outbox keeps
 * them; a retry waiting per structure), the links of those awaiting
 * activation, and attempt counters. */
static void fill(flowfix *b, unsigned accounts)
{
    static const struct {
        int state, role;
    } shape[PER_STRUCTURE] = {
        {CHORUSACCT_STATE_ACTIVE, CHORUSACCT_ROLE_PRINCIPAL},
        {CHORUSACCT_STATE_ACTIVE, CHORUSACCT_ROLE_MANAGER},
        {CHORUSACCT_STATE_ACTIVE, CHORUSACCT_ROLE_MANAGER},
        {CHORUSACCT_STATE_ACTIVE, CHORUSACCT_ROLE_USER},
        {CHORUSACCT_STATE_PENDING_APPROVAL, CHORUSACCT_ROLE_USER},
        {CHORUSACCT_STATE_AWAITING_ACTIVATION, CHORUSACCT_ROLE_USER},
        {CHORUSACCT_STATE_EXPIRED, CHORUSACCT_ROLE_USER},
    };
    chorusacct_storage_ops o;
    flowfix_storage(b, &o);
    chorusacct_account a;
    chorusacct_structure s;
    unsigned n = 0;
    assert_code(o.begin(o.user_data), CHORUSACCT_OK, NULL);
    for (unsigned k = 0; n < accounts; k++) {
        memset(&s, 0, sizeof s);
        s.struct_size = sizeof s;
        s.id_type = CHORUSACCT_ID_SIRET;
        siret_of(900000u + k, s.identifier);
        snprintf(s.company_name, sizeof s.company_name, "Filled %u", k);
        s.created_at = T0 - 86400;
        assert_code(o.structure_insert(o.user_data, &s), CHORUSACCT_OK, NULL);
        for (unsigned i = 0; i < PER_STRUCTURE && n < accounts; i++, n++) {
            fill_account(&a, n, s.id, shape[i].state, shape[i].role);
            assert_code(o.account_insert(o.user_data, &a), CHORUSACCT_OK, NULL);
            if (i == 0) {
                s.principal_id = a.id;
                assert_code(o.structure_update(o.user_data, &s), CHORUSACCT_OK,
                            NULL);
            }
            fill_event(&o, a.id, CHORUSACCT_EV_SIGNUP, 0,
                       CHORUSACCT_STATE_CREATED);
            fill_event(&o, a.id, CHORUSACCT_EV_ACTIVATE,
                       CHORUSACCT_STATE_AWAITING_ACTIVATION, a.state);
            fill_message(&o, a.id, CHORUSACCT_MSG_SENT);
            if (i == 0)
                fill_message(&o, a.id, CHORUSACCT_MSG_PENDING);
            if (shape[i].state == CHORUSACCT_STATE_AWAITING_ACTIVATION) {
                chorusacct_token t;
                memset(&t, 0, sizeof t);
                t.struct_size = sizeof t;
                t.purpose = 1;
                t.account_id = a.id;
                t.created_at = T0 - 3600;
                t.expires_at = T_FAR;
                crypto_generichash(t.hash, sizeof t.hash,
                                   (const unsigned char *)a.login_email,
                                   strlen(a.login_email), NULL, 0);
                assert_code(o.token_insert(o.user_data, &t), CHORUSACCT_OK,
                            NULL);
            }
            char key[64];
            uint32_t c;
            snprintf(key, sizeof key, "fill:%u", n);
            assert_code(o.counter_add(o.user_data, key, T_FAR, 1, &c),
                        CHORUSACCT_OK, NULL);
        }
    }
    assert_code(o.commit(o.user_data), CHORUSACCT_OK, NULL);
    /* The filled records are what the flow finds (the key of a lower
     * case address is the address). */
    chorusacct_account found = {.struct_size = sizeof found};
    assert_code(chorusacct_account_find(b->ctx, "fill0@fill.example", &found),
                CHORUSACCT_OK, b->ctx);
}

enum {
    OP_SIGNUP,
    OP_JOIN,
    OP_APPROVE,
    OP_DELIVER,
    OP_ACTIVATE,
    OP_LOGIN,
    OP_RESEND,
    OP_EVENTS,
    OP_MEMBERS,
    OP_SWEEP,
    OP_SCAN, /* the control: a listing by state alone */
    OP_COUNT
};

static const char *const op_name[OP_COUNT] = {
    "signup", "join",   "approve", "deliver", "activate",     "login",
    "resend", "events", "members", "sweep",   "scan by state"};

static uint64_t visits(flowfix *b)
{
    return chorusacct__memstore_visits(b->store);
}

/* The same operations on a store of `accounts`: v[op] gets the records
 * each looked at. */
static void run_ops(unsigned accounts, uint64_t *v)
{
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    fill(&b, accounts);
    char siret[15], tok[256];
    int reason;
    uint64_t at;

    /* The last filled structure, whole (PER_STRUCTURE accounts). */
    const unsigned last = accounts / PER_STRUCTURE - 1;
    siret_of(900000u + last, siret);
    chorusacct_account principal = {.struct_size = sizeof principal};
    char email[64];
    snprintf(email, sizeof email, "fill%u@fill.example", last * PER_STRUCTURE);
    assert_code(chorusacct_account_find(b.ctx, email, &principal),
                CHORUSACCT_OK, b.ctx);

    char fresh[15];
    siret_of(1, fresh);
    at = visits(&b);
    do_signup(&b, "new@scale.example", fresh,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    v[OP_SIGNUP] = visits(&b) - at;

    at = visits(&b);
    int64_t joiner = do_signup(&b, "joiner@scale.example", siret,
                               CHORUSACCT_STATE_PENDING_APPROVAL);
    v[OP_JOIN] = visits(&b) - at;

    at = visits(&b);
    assert_code(
        chorusacct_account_approve(b.ctx, principal.id, joiner, &reason),
        CHORUSACCT_OK, b.ctx);
    v[OP_APPROVE] = visits(&b) - at;

    at = visits(&b);
    unsigned sent = do_deliver(&b);
    /* at least the summary and link of each, and three approval
     * requests */
    assert_true(sent >= 7);
    v[OP_DELIVER] = (visits(&b) - at) / sent;

    last_token(&b, "new@scale.example", tok, sizeof tok);
    at = visits(&b);
    assert_code(do_activate(&b, tok, &reason), CHORUSACCT_OK, b.ctx);
    v[OP_ACTIVATE] = visits(&b) - at;

    int64_t id = 0;
    at = visits(&b);
    assert_code(chorusacct_login(b.ctx, "new@scale.example", GOOD_PW,
                                 strlen(GOOD_PW), "client", &id, &reason),
                CHORUSACCT_OK, b.ctx);
    v[OP_LOGIN] = visits(&b) - at;

    at = visits(&b);
    assert_code(chorusacct_activation_resend(b.ctx, "joiner@scale.example",
                                             "client", &reason),
                CHORUSACCT_OK, b.ctx);
    v[OP_RESEND] = visits(&b) - at;

    chorusacct_event ev[16] = {{.struct_size = sizeof ev[0]}};
    size_t n = 0;
    at = visits(&b);
    assert_code(chorusacct_event_list(b.ctx, principal.id, 0, ev, 16, &n),
                CHORUSACCT_OK, b.ctx);
    v[OP_EVENTS] = visits(&b) - at;
    assert_int_equal(n, 2);

    chorusacct_account acc[16] = {{.struct_size = sizeof acc[0]}};
    chorusacct_account_query q = {.struct_size = sizeof q};
    q.structure_id = principal.structure_id;
    at = visits(&b);
    assert_code(chorusacct_account_list(b.ctx, &q, acc, 16, &n), CHORUSACCT_OK,
                b.ctx);
    v[OP_MEMBERS] = visits(&b) - at;
    assert_int_equal(n, PER_STRUCTURE + 1); /* and the joiner */

    /* Eight sign-ups whose links run out, with the joiner's. */
    for (unsigned i = 0; i < 8; i++) {
        char e[64], st[15];
        snprintf(e, sizeof e, "late%u@scale.example", i);
        siret_of(10 + i, st);
        do_signup(&b, e, st, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    }
    chorusacct_testclock_advance(b.clock, 2 * 86400);
    chorusacct_sweep_result r = {.struct_size = sizeof r};
    at = visits(&b);
    assert_code(chorusacct_sweep(b.ctx, &r), CHORUSACCT_OK, b.ctx);
    assert_int_equal(r.expired, 9);
    v[OP_SWEEP] = (visits(&b) - at) / r.expired;

    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.state = CHORUSACCT_STATE_DISABLED;
    at = visits(&b);
    assert_code(chorusacct_account_list(b.ctx, &q, acc, 16, &n), CHORUSACCT_OK,
                b.ctx);
    v[OP_SCAN] = visits(&b) - at;
    assert_int_equal(n, 0);
    flowfix_close(&b);
}

static void test_memstore_costs_do_not_grow(void **state)
{
    (void)state;
    uint64_t small[OP_COUNT] = {0}, big[OP_COUNT] = {0};
    run_ops(SMALL, small);
    run_ops(BIG, big);
    for (int i = 0; i < OP_COUNT; i++)
        printf("# %-14s records looked at: %llu at %u accounts, %llu at %u\n",
               op_name[i], (unsigned long long)small[i], SMALL,
               (unsigned long long)big[i], BIG);
    for (int i = 0; i < OP_SCAN; i++)
        if (big[i] != small[i])
            fail_msg("%s looks at %llu records at %u accounts, %llu at %u",
                     op_name[i], (unsigned long long)small[i], SMALL,
                     (unsigned long long)big[i], BIG);
    /* The control: the counter does see a scan. */
    assert_true(small[OP_SCAN] >= SMALL);
    assert_true(big[OP_SCAN] >= BIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memstore_costs_do_not_grow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
