/*
 * Several processes on one PostgreSQL database, as several application
 * servers would be: each child process opens its own connection and
 * context, all wait at a gate, then race on the same records. Exactly one
 * wins each race; the others get the flow's clear answer (already
 * active, already decided, e-mail taken, pending approval), never a
 * storage error. Then the outbox: four delivery workers send every
 * message exactly once; a worker killed in the middle of a send loses
 * nothing, its messages going to the others once its lease ends.
 *
 * Run by tests/pg-server.sh (skipped otherwise). Children report through
 * shared memory and their exit status; only the parent asserts.
 */
/* MAP_ANONYMOUS, beside POSIX. */
#define _DEFAULT_SOURCE 1

#include "flowutil.h"
#include "pgutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include <chorusacct/postgres.h>
#include <chorusacct/testkit.h>

enum {
    MAX_KIDS = 8,
    MAX_MSG = 4096, /* message ids of one test stay below this */
    LEASE = 300
};

/* What the children tell the parent. */
typedef struct {
    int rc[MAX_KIDS];
    int reason[MAX_KIDS];
    int state[MAX_KIDS];
    int64_t id[MAX_KIDS];
    unsigned sent[MAX_KIDS];
    /* The counting mailer: calls begun and calls finished, per message. */
    unsigned entered[MAX_MSG];
    unsigned finished[MAX_MSG];
    int bad_id;
} board;

static board *shared;

/* ------------------------------------------------------------------ */
/* Children                                                             */

/* The gate: each child says it is ready on `ready`, then waits for the
 * parent to close `go`, which releases them all at once. */
typedef struct {
    int ready[2];
    int go[2];
} gate;

static void gate_open(gate *g)
{
    assert_int_equal(pipe(g->ready), 0);
    assert_int_equal(pipe(g->go), 0);
}

static void gate_child_wait(gate *g)
{
    char c = 'r';
    close(g->ready[0]);
    close(g->go[1]);
    if (write(g->ready[1], &c, 1) != 1)
        _exit(90);
    while (read(g->go[0], &c, 1) < 0 && errno == EINTR)
        ;
}

/* Waits until `n` children are ready, then lets them go. */
static void gate_release(gate *g, int n)
{
    close(g->ready[1]);
    close(g->go[0]);
    for (int i = 0; i < n; i++) {
        char c;
        assert_int_equal(read(g->ready[0], &c, 1), 1);
    }
    close(g->go[1]);
    close(g->ready[0]);
}

typedef struct {
    volatile int die_at; /* 0: never; else block in this send */
    int calls;
    int signal_fd;
} counting;

static int counting_send(void *ud, const chorusacct_mail *mail, char *error,
                         size_t cap)
{
    counting *c = ud;
    (void)error;
    (void)cap;
    if (mail->message_id <= 0 || mail->message_id >= MAX_MSG) {
        shared->bad_id = 1;
        return CHORUSACCT_MAIL_PERMFAIL;
    }
    __atomic_fetch_add(&shared->entered[mail->message_id], 1, __ATOMIC_SEQ_CST);
    if (++c->calls == c->die_at) {
        /* Killed here, in the middle of a send: the parent is told. */
        char x = 'k';
        if (write(c->signal_fd, &x, 1) != 1)
            _exit(91);
        for (;;)
            pause();
    }
    __atomic_fetch_add(&shared->finished[mail->message_id], 1,
                       __ATOMIC_SEQ_CST);
    return CHORUSACCT_MAIL_SENT;
}

/* A context of the child's own: its connection, a clock at `now`, the
 * system's random source, a capturing or a counting mailer. */
static chorusacct_ctx *child_ctx(const flowfix *b, uint32_t flags, int64_t now,
                                 counting *cm, bool warm)
{
    chorusacct_config cfg;
    if (chorusacct_config_init(&cfg, sizeof cfg) != CHORUSACCT_OK)
        _exit(80);
    cfg.flags = flags;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.mail_lease = LEASE;
    cfg.activation_url = "https://portal.test/activate?token={token}";
    chorusacct_ctx *ctx = NULL;
    chorusacct_storage_ops st = {.struct_size = sizeof st};
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    chorusacct_clock_ops ck = {.struct_size = sizeof ck};
    chorusacct_testclock *clock = NULL;
    chorusacct_testmailer *cap = NULL;
    if (chorusacct_ctx_new(&ctx, &cfg) != CHORUSACCT_OK ||
        chorusacct_postgres_ops(&st, b->pg_info, 0) != CHORUSACCT_OK ||
        chorusacct_ctx_set_storage(ctx, &st) != CHORUSACCT_OK ||
        chorusacct_testclock_new(&clock, now) != CHORUSACCT_OK ||
        chorusacct_testclock_ops(&ck, clock) != CHORUSACCT_OK ||
        chorusacct_ctx_set_clock(ctx, &ck) != CHORUSACCT_OK)
        _exit(81);
    if (cm != NULL) {
        if (chorusacct_mailer_ops_init(&ml, sizeof ml) != CHORUSACCT_OK)
            _exit(82);
        ml.user_data = cm;
        ml.send = counting_send;
    } else if (chorusacct_testmailer_new(&cap) != CHORUSACCT_OK ||
               chorusacct_testmailer_ops(&ml, cap) != CHORUSACCT_OK) {
        _exit(82);
    }
    if (chorusacct_ctx_set_mailer(ctx, &ml) != CHORUSACCT_OK)
        _exit(83);
    /* Read the secret before the gate, so that the race is on the flow,
     * not on opening. */
    int reason;
    if (warm && chorusacct_activation_lookup(ctx, "warm-up", NULL, NULL,
                                             &reason) != CHORUSACCT_E_REJECTED)
        _exit(84);
    return ctx;
}

/* A child's part in a race: index `i`, its context ready. */
typedef void (*race_fn)(chorusacct_ctx *ctx, int i, void *arg);

/* Forks `n` children that each make a context, wait at the gate, run
 * `fn` and exit; waits for them all, and fails if one did not end
 * normally. With `cold`, the contexts have not read the secret yet. */
static void race_ex(flowfix *b, int n, uint32_t flags, race_fn fn, void *arg,
                    bool cold)
{
    gate g;
    pid_t pid[MAX_KIDS];
    gate_open(&g);
    for (int i = 0; i < n; i++) {
        shared->rc[i] = shared->reason[i] = shared->state[i] = 0;
        shared->id[i] = 0;
    }
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            chorusacct_ctx *ctx = child_ctx(
                b, flags, chorusacct_testclock_now(b->clock), NULL, !cold);
            gate_child_wait(&g);
            fn(ctx, i, arg);
            _exit(0);
        }
    }
    gate_release(&g, n);
    for (int i = 0; i < n; i++) {
        int status;
        assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("child %d ended with status %d", i, status);
    }
}

static void race(flowfix *b, int n, uint32_t flags, race_fn fn, void *arg)
{
    race_ex(b, n, flags, fn, arg, false);
}

/* Exactly one child got OK; every other one the refusal `why`. */
static int one_winner(int n, int why, const char *what)
{
    int winner = -1;
    for (int i = 0; i < n; i++) {
        if (shared->rc[i] == CHORUSACCT_OK) {
            if (winner >= 0)
                fail_msg("%s: two winners", what);
            winner = i;
        } else if (shared->rc[i] != CHORUSACCT_E_REJECTED ||
                   shared->reason[i] != why) {
            fail_msg("%s: child %d got %s (%s), not %s", what, i,
                     chorusacct_status_name(shared->rc[i]),
                     chorusacct_status_name(shared->reason[i]),
                     chorusacct_status_name(why));
        }
    }
    if (winner < 0)
        fail_msg("%s: nobody won", what);
    return winner;
}

/* ------------------------------------------------------------------ */
/* Races on the flow                                                    */

static void kid_activate(chorusacct_ctx *ctx, int i, void *arg)
{
    int64_t id = 0;
    shared->rc[i] =
        activation_submit(ctx, arg, GOOD_PW, strlen(GOOD_PW), GOOD_PW,
                          strlen(GOOD_PW), NULL, &id, NULL, &shared->reason[i]);
    shared->id[i] = id;
}

/* Double activation with one link, from four servers at once. */
static void test_one_token_four_activations(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    for (unsigned round = 0; round < 5; round++) {
        char email[64], siret[15], token[64];
        snprintf(email, sizeof email, "first%u@acme.fr", round);
        siret_of(100 + round, siret);
        int64_t id =
            do_signup(&b, email, siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);
        do_deliver(&b);
        last_token(&b, email, token, sizeof token);
        race(&b, 4, CHORUSACCT_CFG_NO_CAPTCHA, kid_activate, token);
        int w = one_winner(4, CHORUSACCT_E_ALREADY_ACTIVE, "activation");
        assert_int_equal(shared->id[w], id);
        assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_ACTIVE);
        int types[16];
        size_t n = event_types(&b, id, types, 16);
        size_t activations = 0;
        for (size_t k = 0; k < n; k++)
            activations += types[k] == CHORUSACCT_EV_ACTIVATE;
        assert_int_equal(activations, 1);
    }
    flowfix_close(&b);
}

typedef struct {
    int64_t managers[2];
    int64_t request;
} decision;

static void kid_decide(chorusacct_ctx *ctx, int i, void *arg)
{
    decision *d = arg;
    int64_t who = d->managers[i % 2];
    if (i < 2)
        shared->rc[i] = chorusacct_account_approve(ctx, who, d->request,
                                                   &shared->reason[i]);
    else
        shared->rc[i] = chorusacct_account_reject(
            ctx, who, d->request, "Inconnu", &shared->reason[i]);
}

/* Two managers, each approving and rejecting the same request from two
 * servers: one decision stands. */
static void test_two_managers_decide_at_once(void **state)
{
    (void)state;
    flowfix b;
    char siret[15], token[64];
    int reason;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    siret_of(4242, siret);
    decision d;
    d.managers[0] = make_manager(&b, "boss@acme.fr", siret);
    d.managers[1] = do_signup(&b, "second@acme.fr", siret,
                              CHORUSACCT_STATE_PENDING_APPROVAL);
    assert_code(chorusacct_account_approve(b.ctx, d.managers[0], d.managers[1],
                                           &reason),
                CHORUSACCT_OK, b.ctx);
    do_deliver(&b);
    last_token(&b, "second@acme.fr", token, sizeof token);
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    assert_code(chorusacct_account_set_role(b.ctx, d.managers[0], d.managers[1],
                                            CHORUSACCT_ROLE_MANAGER, &reason),
                CHORUSACCT_OK, b.ctx);
    for (unsigned round = 0; round < 5; round++) {
        char email[64];
        snprintf(email, sizeof email, "applicant%u@acme.fr", round);
        d.request =
            do_signup(&b, email, siret, CHORUSACCT_STATE_PENDING_APPROVAL);
        race(&b, 4, CHORUSACCT_CFG_NO_CAPTCHA, kid_decide, &d);
        int w = one_winner(4, CHORUSACCT_E_ALREADY_DECIDED, "decision");
        chorusacct_account a = {.struct_size = sizeof a};
        assert_code(chorusacct_account_get(b.ctx, d.request, &a), CHORUSACCT_OK,
                    b.ctx);
        assert_int_equal(a.state, w < 2 ? CHORUSACCT_STATE_AWAITING_ACTIVATION
                                        : CHORUSACCT_STATE_REJECTED);
        assert_int_equal(a.decided_by, d.managers[w % 2]);
        int types[16];
        size_t n = event_types(&b, d.request, types, 16);
        size_t decisions = 0;
        for (size_t k = 0; k < n; k++)
            decisions += types[k] == CHORUSACCT_EV_APPROVE ||
                         types[k] == CHORUSACCT_EV_REJECT;
        assert_int_equal(decisions, 1);
    }
    flowfix_close(&b);
}

typedef struct {
    const char *email; /* the same for all, or NULL: one each */
    const char *siret; /* the same for all, or NULL: one each */
    unsigned round;
} signup_race;

static void kid_signup(chorusacct_ctx *ctx, int i, void *arg)
{
    const signup_race *s = arg;
    char email[64], siret[15];
    if (s->email != NULL)
        snprintf(email, sizeof email, "%s", s->email);
    else
        snprintf(email, sizeof email, "kid%d.%u@beta.fr", i, s->round);
    if (s->siret != NULL)
        snprintf(siret, sizeof siret, "%s", s->siret);
    else
        siret_of(50000 + s->round * 16 + (unsigned)i, siret);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, email, "Jeanne", "Martin", siret);
    shared->rc[i] = chorusacct_signup_submit(ctx, &f, &r);
    shared->reason[i] = r.nerrors > 0 ? r.errors[0].code : 0;
    shared->state[i] = r.state;
    shared->id[i] = r.account_id;
}

/* Four sign-ups with one login e-mail, each for its own new structure:
 * one account, the others told the address is taken, and their
 * structures not created. */
static void test_same_email_four_signups(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    for (unsigned round = 0; round < 5; round++) {
        char email[64];
        snprintf(email, sizeof email, "same%u@beta.fr", round);
        signup_race s = {email, NULL, round};
        race(&b, 4, CHORUSACCT_CFG_NO_CAPTCHA, kid_signup, &s);
        int w = one_winner(4, CHORUSACCT_E_EMAIL_TAKEN, "same e-mail");
        assert_int_equal(shared->state[w],
                         CHORUSACCT_STATE_AWAITING_ACTIVATION);
        chorusacct_account a = {.struct_size = sizeof a};
        assert_code(chorusacct_account_find(b.ctx, email, &a), CHORUSACCT_OK,
                    b.ctx);
        assert_int_equal(a.id, shared->id[w]);
        for (int i = 0; i < 4; i++) {
            char siret[15];
            int declared = -1;
            siret_of(50000 + round * 16 + (unsigned)i, siret);
            assert_code(chorusacct_structure_lookup(b.ctx, CHORUSACCT_ID_SIRET,
                                                    siret, &declared, NULL,
                                                    NULL),
                        CHORUSACCT_OK, b.ctx);
            assert_int_equal(declared, i == w);
        }
    }
    flowfix_close(&b);
}

/* Four sign-ups for one structure nobody declared yet, with four
 * e-mails: one declares it and becomes its principal manager, the other
 * three wait for that manager's approval. */
static void test_same_structure_four_signups(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    for (unsigned round = 0; round < 5; round++) {
        char siret[15];
        siret_of(90000 + round, siret);
        signup_race s = {NULL, siret, round};
        race(&b, 4, CHORUSACCT_CFG_NO_CAPTCHA, kid_signup, &s);
        int principal = -1;
        for (int i = 0; i < 4; i++) {
            if (shared->rc[i] != CHORUSACCT_OK)
                fail_msg("sign-up %d: %s (%s)", i,
                         chorusacct_status_name(shared->rc[i]),
                         chorusacct_status_name(shared->reason[i]));
            if (shared->state[i] == CHORUSACCT_STATE_AWAITING_ACTIVATION) {
                assert_int_equal(principal, -1);
                principal = i;
            } else {
                assert_int_equal(shared->state[i],
                                 CHORUSACCT_STATE_PENDING_APPROVAL);
            }
        }
        assert_int_not_equal(principal, -1);
        chorusacct_structure st = {.struct_size = sizeof st};
        int declared = 0;
        assert_code(chorusacct_structure_lookup(b.ctx, CHORUSACCT_ID_SIRET,
                                                siret, &declared, &st, NULL),
                    CHORUSACCT_OK, b.ctx);
        assert_int_equal(declared, 1);
        assert_int_equal(st.principal_id, shared->id[principal]);
        for (int i = 0; i < 4; i++) {
            chorusacct_account a = {.struct_size = sizeof a};
            assert_code(chorusacct_account_get(b.ctx, shared->id[i], &a),
                        CHORUSACCT_OK, b.ctx);
            assert_int_equal(a.structure_id, st.id);
            assert_int_equal(a.role, i == principal ? CHORUSACCT_ROLE_PRINCIPAL
                                                    : CHORUSACCT_ROLE_USER);
        }
    }
    flowfix_close(&b);
}

/* Servers started on a new database make the secret at the same time:
 * they must agree on one, or a link minted by one would not open on
 * another. Each issues a captcha, whose id is hashed with the secret;
 * the parent, with its own context, answers them all. */
typedef struct {
    char id[MAX_KIDS][CHORUSACCT_CAPTCHA_ID_SIZE];
    char text[MAX_KIDS][CHORUSACCT_CAPTCHA_TEXT_SIZE];
} captchas;

static captchas *issued;

static void kid_issue(chorusacct_ctx *ctx, int i, void *arg)
{
    (void)arg;
    shared->rc[i] = chorusacct_captcha_issue(
        ctx, NULL, issued->id[i], sizeof issued->id[i], issued->text[i],
        sizeof issued->text[i], &shared->reason[i]);
}

static void test_new_database_one_secret(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, 0);
    race_ex(&b, 4, 0, kid_issue, NULL, true);
    for (int i = 0; i < 4; i++) {
        assert_code(shared->rc[i], CHORUSACCT_OK, NULL);
        char email[64], siret[15];
        snprintf(email, sizeof email, "secret%d@delta.fr", i);
        siret_of(300 + (unsigned)i, siret);
        chorusacct_signup f;
        chorusacct_signup_result r = {.struct_size = sizeof r};
        form_fill(&f, email, "Paul", "Durand", siret);
        f.captcha_id = issued->id[i];
        f.captcha_answer = issued->text[i];
        int rc = chorusacct_signup_submit(b.ctx, &f, &r);
        if (rc != CHORUSACCT_OK)
            fail_msg(
                "captcha of child %d: %s (%s)", i, chorusacct_status_name(rc),
                r.nerrors > 0 ? chorusacct_status_name(r.errors[0].code) : "-");
    }
    flowfix_close(&b);
}

static void kid_signup_captcha(chorusacct_ctx *ctx, int i, void *arg)
{
    (void)arg;
    char email[64], siret[15];
    snprintf(email, sizeof email, "captcha%d@delta.fr", i);
    siret_of(400 + (unsigned)i, siret);
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    form_fill(&f, email, "Lucie", "Bernard", siret);
    f.captcha_id = issued->id[0];
    f.captcha_answer = issued->text[0];
    shared->rc[i] = chorusacct_signup_submit(ctx, &f, &r);
    shared->reason[i] = r.nerrors > 0 ? r.errors[0].code : 0;
}

/* One captcha answered right by four servers at once: it lets one
 * sign-up through. */
static void test_one_captcha_four_signups(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, 0);
    int reason;
    assert_code(chorusacct_captcha_issue(b.ctx, NULL, issued->id[0],
                                         sizeof issued->id[0], issued->text[0],
                                         sizeof issued->text[0], &reason),
                CHORUSACCT_OK, b.ctx);
    race(&b, 4, 0, kid_signup_captcha, NULL);
    (void)one_winner(4, CHORUSACCT_E_CAPTCHA_EXPIRED, "one captcha");
    flowfix_close(&b);
}

/* ------------------------------------------------------------------ */
/* Delivery workers                                                     */

/* Queues two messages per sign-up for `n` new accounts; returns how many
 * messages are pending. */
static size_t queue_messages(flowfix *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        char email[64], siret[15];
        snprintf(email, sizeof email, "mail%u@gamma.fr", i);
        siret_of(200000 + i, siret);
        do_signup(b, email, siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);
    }
    return outbox_count(b, CHORUSACCT_MSG_PENDING);
}

/* Starts a delivery worker at time `now` that sends until nothing is
 * due; with `die_at`, it blocks in that send and writes to `signal_fd`
 * first. */
static pid_t start_worker(flowfix *b, int i, int64_t now, int die_at,
                          int signal_fd, gate *g)
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid != 0)
        return pid;
    counting cm = {die_at, 0, signal_fd};
    chorusacct_ctx *ctx =
        child_ctx(b, CHORUSACCT_CFG_NO_CAPTCHA, now, &cm, true);
    if (g != NULL)
        gate_child_wait(g);
    unsigned total = 0;
    for (;;) {
        chorusacct_delivery d = {.struct_size = sizeof d};
        /* A few at a time, so that the workers take turns. */
        int rc = chorusacct_outbox_deliver(ctx, 4, &d);
        if (rc != CHORUSACCT_OK) {
            shared->rc[i] = rc;
            _exit(1);
        }
        total += d.sent;
        if (d.sent + d.retried + d.dead + d.cancelled == 0)
            break;
    }
    shared->sent[i] = total;
    _exit(0);
}

static void wait_ok(pid_t pid)
{
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("worker ended with status %d", status);
}

static void clear_counts(void)
{
    memset(shared->entered, 0, sizeof shared->entered);
    memset(shared->finished, 0, sizeof shared->finished);
    memset(shared->sent, 0, sizeof shared->sent);
    shared->bad_id = 0;
}

/* Every message of the outbox sent: `finished` once each; `entered`
 * once each, but `twice` messages (sends cut short) twice. */
static void check_sent_once(flowfix *b, size_t queued, size_t twice)
{
    chorusacct_message page[16] = {{.struct_size = sizeof page[0]}};
    size_t n, seen = 0, again = 0;
    int64_t after = 0;
    assert_int_equal(shared->bad_id, 0);
    do {
        assert_code(chorusacct_outbox_list(b->ctx, 0, after, page, 16, &n),
                    CHORUSACCT_OK, b->ctx);
        for (size_t i = 0; i < n; i++) {
            int64_t id = page[i].id;
            assert_true(id > 0 && id < MAX_MSG);
            assert_int_equal(page[i].status, CHORUSACCT_MSG_SENT);
            if (shared->finished[id] != 1)
                fail_msg("message %lld sent %u times", (long long)id,
                         shared->finished[id]);
            assert_true(shared->entered[id] == 1 || shared->entered[id] == 2);
            again += shared->entered[id] == 2;
            after = id;
            seen++;
        }
    } while (n == 16);
    assert_int_equal(seen, queued);
    assert_int_equal(again, twice);
}

/* Four workers at once on one queue: every message to one worker only,
 * sent once. */
static void test_four_delivery_workers(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    size_t queued = queue_messages(&b, 60);
    assert_int_equal(queued, 120);
    clear_counts();
    gate g;
    gate_open(&g);
    pid_t pid[4];
    for (int i = 0; i < 4; i++)
        pid[i] =
            start_worker(&b, i, chorusacct_testclock_now(b.clock), 0, -1, &g);
    gate_release(&g, 4);
    for (int i = 0; i < 4; i++)
        wait_ok(pid[i]);
    unsigned total = 0;
    for (int i = 0; i < 4; i++)
        total += shared->sent[i];
    assert_int_equal(total, queued);
    check_sent_once(&b, queued, 0);
    flowfix_close(&b);
}

/* A worker killed in the middle of a send: the others deliver the rest,
 * not its leased messages; once its lease has ended, those too. Nothing
 * is lost, and what was marked sent is not sent again. */
static void test_worker_killed_mid_delivery(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    size_t queued = queue_messages(&b, 30);
    clear_counts();
    const int64_t t0 = chorusacct_testclock_now(b.clock);

    int sig[2];
    assert_int_equal(pipe(sig), 0);
    pid_t doomed = start_worker(&b, 0, t0, 3, sig[1], NULL);
    char x;
    assert_int_equal(read(sig[0], &x, 1), 1);
    assert_int_equal(kill(doomed, SIGKILL), 0);
    int status;
    assert_int_equal(waitpid(doomed, &status, 0), doomed);
    assert_true(WIFSIGNALED(status));
    close(sig[0]);
    close(sig[1]);
    /* Two sent and marked; the third in flight, and the rest of its
     * claim, leased. */
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_SENT), 2);

    /* While the lease runs, the others leave those messages alone. */
    pid_t pid[3];
    for (int i = 0; i < 3; i++)
        pid[i] = start_worker(&b, 1 + i, t0 + 1, 0, -1, NULL);
    for (int i = 0; i < 3; i++)
        wait_ok(pid[i]);
    size_t left = outbox_count(&b, CHORUSACCT_MSG_PENDING);
    assert_true(left >= 1 && left <= 4 + 1);
    chorusacct_message page[16] = {{.struct_size = sizeof page[0]}};
    size_t n;
    assert_code(
        chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_PENDING, 0, page, 16, &n),
        CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, left);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(page[i].lease_until, t0 + LEASE);
        assert_int_equal(shared->finished[page[i].id], 0);
    }

    /* Past the lease, they go. */
    for (int i = 0; i < 3; i++)
        pid[i] = start_worker(&b, 1 + i, t0 + LEASE + 1, 0, -1, NULL);
    for (int i = 0; i < 3; i++)
        wait_ok(pid[i]);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_PENDING), 0);
    check_sent_once(&b, queued, 1);
    flowfix_close(&b);
}

static int setup(void **state)
{
    (void)state;
    void *p = mmap(NULL, sizeof(board) + sizeof(captchas),
                   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    shared = p;
    issued = (captchas *)(shared + 1);
    return chorusacct_init();
}

int main(void)
{
    if (pg_base() == NULL) {
        fprintf(stderr, "race_postgres: run by tests/pg-server.sh "
                        "(CHORUSACCT_TEST_PG unset); skipped\n");
        return 77;
    }
    setenv("CHORUSACCT_TEST_BACKEND", "postgres", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_token_four_activations),
        cmocka_unit_test(test_two_managers_decide_at_once),
        cmocka_unit_test(test_same_email_four_signups),
        cmocka_unit_test(test_same_structure_four_signups),
        cmocka_unit_test(test_new_database_one_secret),
        cmocka_unit_test(test_one_captcha_four_signups),
        cmocka_unit_test(test_four_delivery_workers),
        cmocka_unit_test(test_worker_killed_mid_delivery),
    };
    return cmocka_run_group_tests_name("race_postgres", tests, setup, NULL);
}
