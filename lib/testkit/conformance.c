/*
 * The storage conformance suite: a routine any backend can run to show
 * that it keeps the contract of storage.h (docs/storage.md explains each
 * rule). It is library code, not a test of the library: it depends on no
 * test framework, allocates its scratch records on the heap, and reports
 * the first violation as "file:line: what".
 *
 * Each part works on records of its own (distinct keys, hashes and time
 * bases), so that the parts do not depend on one another's leftovers
 * beyond the ids, which only grow. Writes always go through a transaction,
 * as the library's do; reads happen both inside and outside.
 */
#include "internal.h"

#include <chorusacct/testkit.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A time base far from 0, so that "0: unset" never collides. */
#define T0 INT64_C(1700000000)

enum {
    LIST_MAX = 16,   /* records of a listing */
    RACE_REPS = 200, /* repetitions of each race */
    RACE_MSGS = 6    /* messages per claim race */
};

typedef struct {
    const chorusacct_storage_ops *o;
    const chorusacct_storage_ops *o2;
    char *report;
    size_t cap;
    bool in_tx;

    /* Scratch records: too large for a thread's stack in numbers. */
    chorusacct_account a[LIST_MAX], b[LIST_MAX];
    chorusacct_structure s[4], s2[4];
    chorusacct_message m[LIST_MAX], m2[LIST_MAX];
    chorusacct_event e[LIST_MAX], e2[LIST_MAX];
} ct;

/* ------------------------------------------------------------------ */
/* Reporting                                                            */

static int fail(ct *t, int line, const char *what, const char *detail, int code)
{
    if (t->report != NULL && t->cap > 0)
        snprintf(t->report, t->cap, "conformance.c:%d: %s%s%s", line, what,
                 detail != NULL ? ": " : "", detail != NULL ? detail : "");
    /* Leave no transaction open: a serializing backend would stay
     * locked. */
    if (t->in_tx) {
        (void)t->o->rollback(t->o->user_data);
        t->in_tx = false;
    }
    return code;
}

/* Codes through which the contract speaks; any other failure is the
 * backend's own and is passed on. */
static bool contract_code(int rc)
{
    return rc == CHORUSACCT_OK || rc == CHORUSACCT_E_NOTFOUND ||
           rc == CHORUSACCT_E_EXISTS || rc == CHORUSACCT_E_CONFLICT ||
           rc == CHORUSACCT_E_TOOSMALL;
}

static int bad_rc(ct *t, int line, const char *what, int want, int got)
{
    char detail[96];
    snprintf(detail, sizeof detail, "expected %s, got %s",
             chorusacct_status_name(want), chorusacct_status_name(got));
    int code = want == CHORUSACCT_OK && !contract_code(got)
                   ? got
                   : CHORUSACCT_E_INTERNAL;
    return fail(t, line, what, detail, code);
}

#define FAIL(what) return fail(t, __LINE__, (what), NULL, CHORUSACCT_E_INTERNAL)
#define CHECK(cond, what)                                                      \
    do {                                                                       \
        if (!(cond))                                                           \
            FAIL(what);                                                        \
    } while (0)
#define EXPECT(want, call, what)                                               \
    do {                                                                       \
        int r_ = (call);                                                       \
        if (r_ != (want))                                                      \
            return bad_rc(t, __LINE__, (what), (want), r_);                    \
    } while (0)
#define OKAY(call, what) EXPECT(CHORUSACCT_OK, call, what)
#define SAME(kind, want, got, what)                                            \
    do {                                                                       \
        const char *d_ = kind##_diff((want), (got));                           \
        if (d_ != NULL)                                                        \
            return fail(t, __LINE__, (what), d_, CHORUSACCT_E_INTERNAL);       \
    } while (0)
#define RUN(part)                                                              \
    do {                                                                       \
        int r_ = (part);                                                       \
        if (r_ != CHORUSACCT_OK)                                               \
            return r_;                                                         \
    } while (0)

/* A call of the table under test. */
#define OP(name, ...) t->o->name(t->o->user_data, __VA_ARGS__)

#define BEGIN()                                                                \
    do {                                                                       \
        OKAY(t->o->begin(t->o->user_data), "begin");                           \
        t->in_tx = true;                                                       \
    } while (0)
#define COMMIT()                                                               \
    do {                                                                       \
        t->in_tx = false;                                                      \
        OKAY(t->o->commit(t->o->user_data), "commit");                         \
    } while (0)
#define ROLLBACK()                                                             \
    do {                                                                       \
        t->in_tx = false;                                                      \
        OKAY(t->o->rollback(t->o->user_data), "rollback");                     \
    } while (0)

/* ------------------------------------------------------------------ */
/* Records                                                              */

/*
 * Fills a text field to its last byte with valid UTF-8 of one to four
 * bytes per character, SQL quoting and pattern characters included,
 * after a tag that makes the value unique.
 */
static void fill(char *dst, size_t size, const char *tag, unsigned seed)
{
    static const char *const piece[] = {
        "\xc3\xa9",         /* é */
        "\xe2\x82\xac",     /* € */
        "\xf0\x9d\x84\x9e", /* musical G clef, 4 bytes */
        "'",
        "\"",
        "\\",
        "%",
        "_",
        "\xc3\x9f", /* ß */
        "Z",
        "0",
        " ",
        "\xce\xa9",     /* Ω */
        "\xe4\xb8\xad", /* 中 */
    };
    size_t pos = (size_t)snprintf(dst, size, "%s|", tag);
    if (pos >= size)
        pos = size - 1;
    for (unsigned k = seed; pos < size - 1; k++) {
        const char *p = piece[k % CA_ARRAY_LEN(piece)];
        size_t n = strlen(p);
        if (pos + n > size - 1) {
            p = "x";
            n = 1;
        }
        memcpy(dst + pos, p, n);
        pos += n;
    }
    dst[size - 1] = '\0';
}

#define FILL(rec, field, tag, seed)                                            \
    fill((rec)->field, sizeof(rec)->field, (tag), (seed))
#define SHORT(rec, field, text)                                                \
    snprintf((rec)->field, sizeof(rec)->field, "%s", (text))

/* An output record: poisoned, so that a field the backend does not write
 * shows. */
static void prep(void *rec, size_t size)
{
    uint32_t s32 = (uint32_t)size;
    memset(rec, 0x5A, size);
    memcpy(rec, &s32, sizeof s32);
}

#define PREP(rec) prep((rec), sizeof *(rec))

static bool text_ok(const char *f, size_t size)
{
    return memchr(f, '\0', size) != NULL;
}

#define DIFF_NUM(f)                                                            \
    if (x->f != y->f)                                                          \
    return #f
#define DIFF_TXT(f)                                                            \
    if (!text_ok(y->f, sizeof y->f) || strcmp(x->f, y->f) != 0)                \
    return #f
#define DIFF_MEM(f)                                                            \
    if (memcmp(x->f, y->f, sizeof x->f) != 0)                                  \
    return #f

/* NULL when every field is equal, else the name of the first that is not
 * (`y` is the backend's output). */
static const char *account_diff(const chorusacct_account *x,
                                const chorusacct_account *y)
{
    DIFF_NUM(id);
    DIFF_NUM(version);
    DIFF_NUM(state);
    DIFF_NUM(structure_id);
    DIFF_NUM(role);
    DIFF_NUM(lang);
    DIFF_NUM(created_at);
    DIFF_NUM(updated_at);
    DIFF_NUM(consent_at);
    DIFF_NUM(expires_at);
    DIFF_NUM(activated_at);
    DIFF_NUM(decided_by);
    DIFF_NUM(reserved1);
    DIFF_NUM(resent_at);
    DIFF_NUM(reserved2);
    DIFF_TXT(login_email);
    DIFF_TXT(email_key);
    DIFF_TXT(contact_email);
    DIFF_TXT(first_name);
    DIFF_TXT(last_name);
    DIFF_TXT(phone);
    DIFF_TXT(terms_version);
    DIFF_TXT(password_hash);
    DIFF_TXT(reason);
    return NULL;
}

static const char *structure_diff(const chorusacct_structure *x,
                                  const chorusacct_structure *y)
{
    DIFF_NUM(id);
    DIFF_NUM(id_type);
    DIFF_NUM(created_at);
    DIFF_NUM(principal_id);
    DIFF_TXT(identifier);
    DIFF_TXT(company_name);
    return NULL;
}

static const char *token_diff(const chorusacct_token *x,
                              const chorusacct_token *y)
{
    DIFF_NUM(purpose);
    DIFF_NUM(account_id);
    DIFF_NUM(created_at);
    DIFF_NUM(expires_at);
    DIFF_NUM(used_at);
    DIFF_MEM(hash);
    return NULL;
}

static const char *captcha_diff(const chorusacct_captcha *x,
                                const chorusacct_captcha *y)
{
    DIFF_NUM(created_at);
    DIFF_NUM(expires_at);
    DIFF_NUM(used_at);
    DIFF_MEM(id_hash);
    DIFF_MEM(answer_hash);
    return NULL;
}

static const char *message_diff(const chorusacct_message *x,
                                const chorusacct_message *y)
{
    DIFF_NUM(id);
    DIFF_NUM(kind);
    DIFF_NUM(account_id);
    DIFF_NUM(lang);
    DIFF_NUM(status);
    DIFF_NUM(attempts);
    DIFF_NUM(created_at);
    DIFF_NUM(next_attempt_at);
    DIFF_NUM(lease_until);
    DIFF_NUM(sent_at);
    DIFF_TXT(to);
    DIFF_TXT(subject);
    DIFF_TXT(body);
    DIFF_TXT(last_error);
    return NULL;
}

static const char *event_diff(const chorusacct_event *x,
                              const chorusacct_event *y)
{
    DIFF_NUM(id);
    DIFF_NUM(type);
    DIFF_NUM(time);
    DIFF_NUM(account_id);
    DIFF_NUM(from_state);
    DIFF_NUM(to_state);
    DIFF_NUM(actor_id);
    DIFF_TXT(reason);
    return NULL;
}

/* An account whose every text is filled to its maximum length. */
static void make_account(chorusacct_account *a, const char *tag, unsigned seed)
{
    memset(a, 0, sizeof *a);
    a->struct_size = sizeof *a;
    a->state = CHORUSACCT_STATE_CREATED;
    a->role = CHORUSACCT_ROLE_USER;
    a->lang = CHORUSACCT_LANG_FR;
    a->created_at = T0 + seed;
    a->updated_at = T0 + seed + 1;
    a->consent_at = T0 + seed + 2;
    a->expires_at = T0 + 86400 + seed;
    a->reserved2 = (int32_t)(seed % 5);
    a->resent_at = T0 + (int64_t)seed + 7;
    FILL(a, login_email, tag, seed);
    FILL(a, email_key, tag, seed + 1);
    FILL(a, contact_email, tag, seed + 2);
    FILL(a, first_name, tag, seed + 3);
    FILL(a, last_name, tag, seed + 4);
    FILL(a, phone, tag, seed + 5);
    FILL(a, terms_version, tag, seed + 6);
    FILL(a, password_hash, tag, seed + 7);
    FILL(a, reason, tag, seed + 8);
}

/* An account with short texts, for the listings and the races. */
static void make_small_account(chorusacct_account *a, const char *key)
{
    memset(a, 0, sizeof *a);
    a->struct_size = sizeof *a;
    a->state = CHORUSACCT_STATE_CREATED;
    a->role = CHORUSACCT_ROLE_USER;
    a->created_at = T0;
    a->updated_at = T0;
    SHORT(a, login_email, key);
    SHORT(a, email_key, key);
    SHORT(a, contact_email, key);
    SHORT(a, first_name, "Ana");
    SHORT(a, last_name, "Lima");
}

static void make_structure(chorusacct_structure *s, int32_t type,
                           const char *tag, unsigned seed)
{
    memset(s, 0, sizeof *s);
    s->struct_size = sizeof *s;
    s->id_type = type;
    s->created_at = T0 + seed;
    s->principal_id = 1000 + seed;
    if (tag != NULL)
        FILL(s, identifier, tag, seed);
    FILL(s, company_name, tag != NULL ? tag : "none", seed + 1);
}

/* A token hash unique to `tag`. */
static void make_hash(uint8_t *h, unsigned tag)
{
    for (unsigned i = 0; i < 32; i++)
        h[i] = (uint8_t)(tag * 131u + i * 29u + (tag >> 8) * 7u + 1u);
    h[0] = (uint8_t)tag;
    h[1] = (uint8_t)(tag >> 8);
    h[2] = 0xC0;
}

static void make_token(chorusacct_token *tk, unsigned tag, int64_t account,
                       int32_t purpose, int64_t expires, int64_t used)
{
    memset(tk, 0, sizeof *tk);
    tk->struct_size = sizeof *tk;
    tk->purpose = purpose;
    tk->account_id = account;
    tk->created_at = T0 + tag;
    tk->expires_at = expires;
    tk->used_at = used;
    make_hash(tk->hash, tag);
}

static void make_captcha(chorusacct_captcha *c, unsigned tag, int64_t expires,
                         int64_t used)
{
    memset(c, 0, sizeof *c);
    c->struct_size = sizeof *c;
    c->created_at = T0 + tag;
    c->expires_at = expires;
    c->used_at = used;
    make_hash(c->id_hash, tag);
    make_hash(c->answer_hash, tag + 0x5000);
}

static void make_message(chorusacct_message *m, const char *tag, unsigned seed,
                         int32_t status, int64_t next)
{
    memset(m, 0, sizeof *m);
    m->struct_size = sizeof *m;
    m->kind = CHORUSACCT_MAIL_ACTIVATION;
    m->account_id = 500 + seed;
    m->lang = CHORUSACCT_LANG_FR;
    m->status = status;
    m->attempts = (int32_t)(seed % 4);
    m->created_at = T0 + seed;
    m->next_attempt_at = next;
    FILL(m, to, tag, seed);
    FILL(m, subject, tag, seed + 1);
    FILL(m, body, tag, seed + 2);
    FILL(m, last_error, tag, seed + 3);
}

static void make_event(chorusacct_event *e, int64_t account, unsigned seed)
{
    memset(e, 0, sizeof *e);
    e->struct_size = sizeof *e;
    e->type = CHORUSACCT_EV_SIGNUP;
    e->time = T0 + seed;
    e->account_id = account;
    e->from_state = CHORUSACCT_STATE_CREATED;
    e->to_state = CHORUSACCT_STATE_AWAITING_ACTIVATION;
    e->actor_id = 77 + seed;
    FILL(e, reason, "event", seed);
}

/* ------------------------------------------------------------------ */
/* Helpers over the table                                               */

static int insert_account(ct *t, chorusacct_account *a)
{
    BEGIN();
    OKAY(OP(account_insert, a), "account_insert");
    COMMIT();
    CHECK(a->id > 0, "account_insert: id not positive");
    CHECK(a->version == 1, "account_insert: version not 1");
    return CHORUSACCT_OK;
}

static int get_message(ct *t, int64_t id, chorusacct_message *out)
{
    size_t n = 0;
    PREP(out);
    OKAY(OP(outbox_list, 0, id - 1, out, 1, &n), "outbox_list");
    CHECK(n == 1 && out->id == id, "outbox_list: message missing");
    return CHORUSACCT_OK;
}

/* Marks every message that is pending, whatever its due time and lease,
 * as dead, so that a part starts with an empty queue. */
static int drain(ct *t)
{
    chorusacct_message *m = t->m2;
    for (;;) {
        size_t n = 0;
        BEGIN();
        OKAY(
            OP(outbox_claim, INT64_MAX / 2, INT64_MAX / 2 + 1, m, LIST_MAX, &n),
            "outbox_claim (drain)");
        for (size_t i = 0; i < n; i++) {
            m[i].status = CHORUSACCT_MSG_DEAD;
            m[i].lease_until = 0;
            OKAY(OP(outbox_update, &m[i]), "outbox_update (drain)");
        }
        COMMIT();
        if (n == 0)
            return CHORUSACCT_OK;
    }
}

/* ------------------------------------------------------------------ */
/* The parts                                                            */

static int part_empty(ct *t)
{
    chorusacct_account *a = &t->a[0];
    chorusacct_structure *s = &t->s[0];
    chorusacct_token tk;
    chorusacct_captcha c;
    uint8_t h[32], buf[8];
    size_t n = 99;

    make_hash(h, 0xFFF0);
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, 1, a),
           "account_get on an empty backend (the backend must be empty)");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_find, "nobody@example.org", a),
           "account_find of an unknown key");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(structure_get, 1, s),
           "structure_get on an empty backend");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(structure_find, CHORUSACCT_ID_SIRET, "73282932000074", s),
           "structure_find of an unknown identifier");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, h, &tk),
           "token_get of an unknown hash");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(captcha_get, h, &c),
           "captcha_get of an unknown hash");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(meta_get, "conformance.none", buf, sizeof buf, &n),
           "meta_get of an unset key");
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    OKAY(OP(account_list, &q, t->a, LIST_MAX, &n), "account_list");
    CHECK(n == 0, "account_list on an empty backend is not empty");
    OKAY(OP(outbox_list, 0, 0, t->m, LIST_MAX, &n), "outbox_list");
    CHECK(n == 0, "outbox_list on an empty backend is not empty");
    OKAY(OP(event_list, 0, 0, t->e, LIST_MAX, &n), "event_list");
    CHECK(n == 0, "event_list on an empty backend is not empty");
    return CHORUSACCT_OK;
}

static int part_accounts(ct *t)
{
    chorusacct_account *a = &t->a[0], *b = &t->a[1], *c = &t->a[2];
    chorusacct_account *u = &t->a[3], *out = &t->b[0];
    chorusacct_token tk, tk2;

    make_account(a, "acct-1", 1);
    BEGIN();
    OKAY(OP(account_insert, a), "account_insert");
    CHECK(a->id > 0, "account_insert: id not positive");
    CHECK(a->version == 1, "account_insert: version not 1");
    PREP(out);
    OKAY(OP(account_get, a->id, out),
         "account_get inside the transaction that inserted it");
    SAME(account, a, out, "account read back inside its transaction");
    COMMIT();

    PREP(out);
    OKAY(OP(account_get, a->id, out), "account_get");
    SAME(account, a, out, "account round trip (account_get)");
    PREP(out);
    OKAY(OP(account_find, a->email_key, out), "account_find");
    SAME(account, a, out, "account round trip (account_find)");

    make_account(b, "acct-2", 20);
    RUN(insert_account(t, b));
    CHECK(b->id > a->id, "account ids do not increase");

    /* The same e-mail key, everything else different. */
    make_account(c, "acct-3", 40);
    memcpy(c->email_key, b->email_key, sizeof c->email_key);
    BEGIN();
    EXPECT(CHORUSACCT_E_EXISTS, OP(account_insert, c),
           "account_insert of a taken email_key");
    COMMIT();
    PREP(out);
    OKAY(OP(account_find, b->email_key, out), "account_find");
    SAME(account, b, out, "account after a refused duplicate");

    /* Compare-and-set: every field but the id and the key may change. */
    make_account(u, "acct-1u", 60);
    u->id = a->id;
    u->version = 1;
    memcpy(u->email_key, a->email_key, sizeof u->email_key);
    u->state = CHORUSACCT_STATE_ACTIVE;
    u->role = CHORUSACCT_ROLE_PRINCIPAL;
    u->lang = CHORUSACCT_LANG_EN;
    u->structure_id = 4242;
    u->activated_at = T0 + 500;
    u->decided_by = 31;
    u->reserved1 = T0 + 900;
    u->resent_at = T0 + 901;
    BEGIN();
    OKAY(OP(account_update, u), "account_update at the stored version");
    CHECK(u->version == 2, "account_update: version not incremented");
    COMMIT();
    PREP(out);
    OKAY(OP(account_get, a->id, out), "account_get");
    SAME(account, u, out, "account after account_update");

    *c = *u;
    c->version = 1;
    SHORT(c, first_name, "Stale");
    BEGIN();
    EXPECT(CHORUSACCT_E_CONFLICT, OP(account_update, c),
           "account_update at an old version");
    c->version = 3;
    EXPECT(CHORUSACCT_E_CONFLICT, OP(account_update, c),
           "account_update at a future version");
    COMMIT();
    PREP(out);
    OKAY(OP(account_get, a->id, out), "account_get");
    SAME(account, u, out, "account after a refused account_update");
    c->id = b->id + 1000;
    c->version = 1;
    BEGIN();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_update, c),
           "account_update of a missing account");
    ROLLBACK();

    /* Delete, with its tokens, and the key free again. */
    make_token(&tk, 0x100, b->id, 1, T0 + 3600, 0);
    make_token(&tk2, 0x101, a->id, 1, T0 + 3600, 0);
    BEGIN();
    OKAY(OP(token_insert, &tk), "token_insert");
    OKAY(OP(token_insert, &tk2), "token_insert");
    OKAY(OP(account_delete, b->id), "account_delete");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, b->id, out),
           "account_get of an account deleted in this transaction");
    COMMIT();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, b->id, out),
           "account_get of a deleted account");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_find, b->email_key, out),
           "account_find of a deleted account");
    chorusacct_token got;
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, tk.hash, &got),
           "token of a deleted account (account_delete keeps its tokens)");
    OKAY(OP(token_get, tk2.hash, &got),
         "token of another account (account_delete took it)");
    BEGIN();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_delete, b->id),
           "account_delete of a deleted account");
    ROLLBACK();
    make_account(c, "acct-4", 80);
    memcpy(c->email_key, b->email_key, sizeof c->email_key);
    RUN(insert_account(t, c));
    CHECK(c->id > b->id, "an account id was handed out twice");

    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, 0, out),
           "account_get of id 0");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, -1, out),
           "account_get of id -1");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, c->id + 1000, out),
           "account_get of an id never handed out");
    return CHORUSACCT_OK;
}

/* Checks that a listing returned the accounts `want` (indexes into
 * `base`, -1 ended) in this order. */
static int same_ids(ct *t, int line, const char *what,
                    const chorusacct_account *got, size_t n,
                    const chorusacct_account *base, const int *want)
{
    size_t k = 0;
    while (want[k] >= 0)
        k++;
    if (n != k)
        return fail(t, line, what, "wrong number of accounts",
                    CHORUSACCT_E_INTERNAL);
    for (size_t i = 0; i < n; i++)
        if (got[i].id != base[want[i]].id)
            return fail(t, line, what, "wrong account or order",
                        CHORUSACCT_E_INTERNAL);
    return CHORUSACCT_OK;
}

#define LIST(q, max, what, ...)                                                \
    do {                                                                       \
        static const int want_[] = {__VA_ARGS__, -1};                          \
        size_t n_ = 0;                                                         \
        OKAY(OP(account_list, (q), t->b, (max), &n_), what);                   \
        RUN(same_ids(t, __LINE__, what, t->b, n_, t->a, want_));               \
    } while (0)

static int part_account_list(ct *t)
{
    static const struct {
        int32_t state;
        int64_t structure;
        int32_t role;
        int64_t expires;
    } spec[8] = {
        {CHORUSACCT_STATE_CREATED, 0, CHORUSACCT_ROLE_USER, 0},
        {CHORUSACCT_STATE_PENDING_APPROVAL, 7001, CHORUSACCT_ROLE_USER,
         T0 + 100},
        {CHORUSACCT_STATE_AWAITING_ACTIVATION, 7001, CHORUSACCT_ROLE_MANAGER,
         T0 + 200},
        {CHORUSACCT_STATE_ACTIVE, 7001, CHORUSACCT_ROLE_PRINCIPAL, 0},
        {CHORUSACCT_STATE_ACTIVE, 7002, CHORUSACCT_ROLE_MANAGER, T0 + 50},
        {CHORUSACCT_STATE_PENDING_APPROVAL, 7002, CHORUSACCT_ROLE_USER,
         T0 + 300},
        {CHORUSACCT_STATE_EXPIRED, 7001, CHORUSACCT_ROLE_USER, T0 + 100},
        {CHORUSACCT_STATE_ACTIVE, 7001, CHORUSACCT_ROLE_MANAGER, 0},
    };
    chorusacct_account_query q;
    char key[64];

    BEGIN();
    for (size_t i = 0; i < CA_ARRAY_LEN(spec); i++) {
        chorusacct_account *a = &t->a[i];
        snprintf(key, sizeof key, "list-%zu@example.org", i);
        make_small_account(a, key);
        a->state = spec[i].state;
        a->structure_id = spec[i].structure;
        a->role = spec[i].role;
        a->expires_at = spec[i].expires;
        OKAY(OP(account_insert, a), "account_insert");
        CHECK(i == 0 || a->id > t->a[i - 1].id, "account ids do not grow");
    }
    COMMIT();

    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.after_id = t->a[0].id - 1;
    LIST(&q, LIST_MAX, "account_list, no filter", 0, 1, 2, 3, 4, 5, 6, 7);
    size_t n = 0;
    OKAY(OP(account_list, &q, t->b, LIST_MAX, &n), "account_list");
    SAME(account, &t->a[2], &t->b[2], "account returned by account_list");

    q.state = CHORUSACCT_STATE_ACTIVE;
    LIST(&q, LIST_MAX, "account_list by state", 3, 4, 7);
    q.state = 0;
    q.structure_id = 7001;
    LIST(&q, LIST_MAX, "account_list by structure", 1, 2, 3, 6, 7);
    q.min_role = CHORUSACCT_ROLE_MANAGER;
    LIST(&q, LIST_MAX, "account_list by structure and role", 2, 3, 7);
    q.structure_id = 0;
    LIST(&q, LIST_MAX, "account_list by min_role", 2, 3, 4, 7);
    q.min_role = 0;
    q.expires_before = T0 + 200;
    LIST(&q, LIST_MAX, "account_list by expires_before (0 never expires)", 1, 4,
         6);
    q.state = CHORUSACCT_STATE_PENDING_APPROVAL;
    q.expires_before = T0 + 301;
    LIST(&q, LIST_MAX, "account_list by state and expires_before", 1, 5);

    /* Expiry order: (expires_at, id), accounts that expire only, paged
     * after (after_expires_at, after_id). */
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.order = CHORUSACCT_ORDER_EXPIRY;
    q.structure_id = 7001;
    LIST(&q, LIST_MAX,
         "account_list in expiry order ((expires_at, id); 0 never expires)", 1,
         6, 2);
    LIST(&q, 2, "account_list in expiry order, page 1", 1, 6);
    q.after_expires_at = t->a[6].expires_at;
    q.after_id = t->a[6].id;
    LIST(&q, 2, "account_list in expiry order, page 2 (after expires_at, id)",
         2);
    q.after_expires_at = t->a[1].expires_at;
    q.after_id = t->a[1].id;
    LIST(&q, LIST_MAX,
         "account_list in expiry order after a tie (same expires_at, next id)",
         6, 2);
    q.after_expires_at = 0;
    q.after_id = 0;
    q.expires_before = T0 + 200;
    LIST(&q, LIST_MAX, "account_list in expiry order with expires_before", 1,
         6);
    q.structure_id = 7002;
    q.expires_before = 0;
    LIST(&q, LIST_MAX, "account_list in expiry order, another structure", 4, 5);

    /* Paging. */
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    q.after_id = t->a[0].id - 1;
    LIST(&q, 3, "account_list, page 1", 0, 1, 2);
    q.after_id = t->a[2].id;
    LIST(&q, 3, "account_list, page 2", 3, 4, 5);
    q.after_id = t->a[5].id;
    LIST(&q, 3, "account_list, page 3", 6, 7);
    q.after_id = t->a[7].id;
    OKAY(OP(account_list, &q, t->b, 3, &n), "account_list");
    CHECK(n == 0, "account_list past the last id is not empty");
    q.after_id = 0;
    OKAY(OP(account_list, &q, t->b, 0, &n), "account_list");
    CHECK(n == 0, "account_list with max 0 returned accounts");
    return CHORUSACCT_OK;
}

static int part_structures(ct *t)
{
    chorusacct_structure *s = &t->s[0], *d = &t->s[1], *e = &t->s[2];
    chorusacct_structure *out = &t->s2[0];

    make_structure(s, CHORUSACCT_ID_SIRET, "st-1", 1);
    BEGIN();
    OKAY(OP(structure_insert, s), "structure_insert");
    CHECK(s->id > 0, "structure_insert: id not positive");
    PREP(out);
    OKAY(OP(structure_find, s->id_type, s->identifier, out),
         "structure_find inside the transaction that inserted it");
    COMMIT();
    PREP(out);
    OKAY(OP(structure_get, s->id, out), "structure_get");
    SAME(structure, s, out, "structure round trip (structure_get)");
    PREP(out);
    OKAY(OP(structure_find, s->id_type, s->identifier, out), "structure_find");
    SAME(structure, s, out, "structure round trip (structure_find)");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(structure_find, CHORUSACCT_ID_UE_HORS_FRANCE, s->identifier, out),
           "structure_find with another type");

    /* Type and identifier are unique together. */
    make_structure(d, CHORUSACCT_ID_SIRET, "st-1", 9);
    memcpy(d->identifier, s->identifier, sizeof d->identifier);
    BEGIN();
    EXPECT(CHORUSACCT_E_EXISTS, OP(structure_insert, d),
           "structure_insert of a taken type and identifier");
    COMMIT();
    d->id_type = CHORUSACCT_ID_UE_HORS_FRANCE;
    BEGIN();
    OKAY(OP(structure_insert, d),
         "structure_insert of the same identifier with another type");
    COMMIT();
    CHECK(d->id > s->id, "structure ids do not increase");

    /* Empty identifiers are never unique. */
    make_structure(e, CHORUSACCT_ID_PARTICULIER, NULL, 3);
    make_structure(&t->s[3], CHORUSACCT_ID_PARTICULIER, NULL, 4);
    BEGIN();
    OKAY(OP(structure_insert, e), "structure_insert, empty identifier");
    OKAY(OP(structure_insert, &t->s[3]),
         "second structure_insert of the same type, empty identifier");
    COMMIT();
    CHECK(e->id != t->s[3].id, "two structures got one id");
    PREP(out);
    OKAY(OP(structure_get, e->id, out), "structure_get");
    SAME(structure, e, out, "structure with an empty identifier");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(structure_find, CHORUSACCT_ID_PARTICULIER, "", out),
           "structure_find of an empty identifier");

    /* Update. */
    make_structure(e, CHORUSACCT_ID_SIRET, "st-1", 50);
    memcpy(e->identifier, s->identifier, sizeof e->identifier);
    e->id = s->id;
    e->created_at = s->created_at;
    e->principal_id = 99999;
    BEGIN();
    OKAY(OP(structure_update, e), "structure_update");
    COMMIT();
    PREP(out);
    OKAY(OP(structure_get, s->id, out), "structure_get");
    SAME(structure, e, out, "structure after structure_update");
    e->id = d->id + 1000;
    BEGIN();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(structure_update, e),
           "structure_update of a missing structure");
    ROLLBACK();

    /* Delete, and the key free again. */
    BEGIN();
    OKAY(OP(structure_delete, d->id), "structure_delete");
    COMMIT();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(structure_get, d->id, out),
           "structure_get of a deleted structure");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(structure_find, d->id_type, d->identifier, out),
           "structure_find of a deleted structure");
    BEGIN();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(structure_delete, d->id),
           "structure_delete of a deleted structure");
    ROLLBACK();
    int64_t old = d->id;
    BEGIN();
    OKAY(OP(structure_insert, d),
         "structure_insert of the key of a deleted structure");
    COMMIT();
    CHECK(d->id > old, "a structure id was handed out twice");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(structure_get, 0, out),
           "structure_get of id 0");
    return CHORUSACCT_OK;
}

static int part_tokens(ct *t)
{
    chorusacct_token tk[5], out;
    const int64_t x = 880001, y = 880002;
    uint8_t missing[32];

    make_token(&tk[0], 0x200, x, 1, T0 + 3600, 0);
    make_token(&tk[1], 0x201, x, 1, T0 + 3600, 0);
    make_token(&tk[2], 0x202, x, 1, T0 + 7200, 0);
    make_token(&tk[3], 0x203, x, 2, T0 + 3600, 0);
    make_token(&tk[4], 0x204, y, 1, T0 + 3600, 0);
    make_hash(missing, 0x2FF);

    BEGIN();
    for (size_t i = 0; i < 5; i++)
        OKAY(OP(token_insert, &tk[i]), "token_insert");
    COMMIT();
    PREP(&out);
    OKAY(OP(token_get, tk[0].hash, &out), "token_get");
    SAME(token, &tk[0], &out, "token round trip");

    BEGIN();
    OKAY(OP(token_consume, tk[0].hash, T0 + 10), "token_consume");
    EXPECT(CHORUSACCT_E_CONFLICT, OP(token_consume, tk[0].hash, T0 + 11),
           "second token_consume in the same transaction");
    COMMIT();
    tk[0].used_at = T0 + 10;
    PREP(&out);
    OKAY(OP(token_get, tk[0].hash, &out), "token_get");
    SAME(token, &tk[0], &out, "token after token_consume");
    BEGIN();
    EXPECT(CHORUSACCT_E_CONFLICT, OP(token_consume, tk[0].hash, T0 + 12),
           "token_consume of a used token");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_consume, missing, T0 + 12),
           "token_consume of an unknown token");
    COMMIT();
    PREP(&out);
    OKAY(OP(token_get, tk[0].hash, &out), "token_get");
    SAME(token, &tk[0], &out, "token after a refused token_consume");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, missing, &out),
           "token_get of an unknown token");

    /* Revoke: the unused tokens of one account and purpose only. */
    BEGIN();
    OKAY(OP(token_revoke, x, 1, T0 + 20), "token_revoke");
    COMMIT();
    tk[1].used_at = T0 + 20;
    tk[2].used_at = T0 + 20;
    for (size_t i = 0; i < 5; i++) {
        PREP(&out);
        OKAY(OP(token_get, tk[i].hash, &out), "token_get");
        SAME(token, &tk[i], &out,
             "token after token_revoke (only the unused tokens of that "
             "account and purpose change)");
    }
    BEGIN();
    EXPECT(CHORUSACCT_E_CONFLICT, OP(token_consume, tk[1].hash, T0 + 30),
           "token_consume of a revoked token");
    OKAY(OP(token_revoke, 880999, 1, T0 + 30),
         "token_revoke of an account without tokens");
    COMMIT();

    return CHORUSACCT_OK;
}

static int part_captchas(ct *t)
{
    chorusacct_captcha c, u, out;
    uint8_t missing[32];

    make_captcha(&c, 0x300, T0 + 600, 0);
    make_hash(missing, 0x3FF);
    BEGIN();
    OKAY(OP(captcha_insert, &c), "captcha_insert");
    COMMIT();
    PREP(&out);
    OKAY(OP(captcha_get, c.id_hash, &out), "captcha_get");
    SAME(captcha, &c, &out, "captcha round trip");

    /* Only the use changes. */
    make_captcha(&u, 0x300, T0 + 9999, T0 + 5);
    u.created_at = T0 + 4444;
    make_hash(u.answer_hash, 0x301);
    BEGIN();
    OKAY(OP(captcha_update, &u), "captcha_update");
    COMMIT();
    c.used_at = T0 + 5;
    PREP(&out);
    OKAY(OP(captcha_get, c.id_hash, &out), "captcha_get");
    SAME(captcha, &c, &out,
         "captcha after captcha_update (only used_at changes)");

    memcpy(u.id_hash, missing, 32);
    BEGIN();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(captcha_update, &u),
           "captcha_update of an unknown challenge");
    ROLLBACK();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(captcha_get, missing, &out),
           "captcha_get of an unknown challenge");
    return CHORUSACCT_OK;
}

/* Checks that a claim or listing returned the messages `want` (indexes
 * into t->m, -1 ended) in this order. */
static int same_msgs(ct *t, int line, const char *what,
                     const chorusacct_message *got, size_t n, const int *want)
{
    size_t k = 0;
    while (want[k] >= 0)
        k++;
    if (n != k)
        return fail(t, line, what, "wrong number of messages",
                    CHORUSACCT_E_INTERNAL);
    for (size_t i = 0; i < n; i++)
        if (got[i].id != t->m[want[i]].id)
            return fail(t, line, what, "wrong message or order",
                        CHORUSACCT_E_INTERNAL);
    return CHORUSACCT_OK;
}

#define CLAIM(now, lease, max, what, ...)                                      \
    do {                                                                       \
        static const int want_[] = {__VA_ARGS__};                              \
        size_t n_ = 0;                                                         \
        BEGIN();                                                               \
        OKAY(OP(outbox_claim, (now), (lease), t->m2, (max), &n_), what);       \
        COMMIT();                                                              \
        RUN(same_msgs(t, __LINE__, what, t->m2, n_, want_));                   \
        for (size_t i_ = 0; i_ < n_; i_++)                                     \
            CHECK(t->m2[i_].lease_until == (lease),                            \
                  "outbox_claim: lease_until not set in what it returns");     \
    } while (0)

#define OUTBOX(status, after, max, what, ...)                                  \
    do {                                                                       \
        static const int want_[] = {__VA_ARGS__};                              \
        size_t n_ = 0;                                                         \
        OKAY(OP(outbox_list, (status), (after), t->m2, (max), &n_), what);     \
        RUN(same_msgs(t, __LINE__, what, t->m2, n_, want_));                   \
    } while (0)

static int part_outbox(ct *t)
{
    chorusacct_message *m = t->m, *out = &t->m2[LIST_MAX - 1];
    const int32_t P = CHORUSACCT_MSG_PENDING;

    RUN(drain(t));
    make_message(&m[0], "msg-0", 0, P, T0);
    make_message(&m[1], "msg-1", 1, P, T0 + 100);
    make_message(&m[2], "msg-2", 2, CHORUSACCT_MSG_SENT, T0);
    m[2].sent_at = T0 + 2;
    make_message(&m[3], "msg-3", 3, P, T0);
    m[3].lease_until = T0 + 150;
    make_message(&m[4], "msg-4", 4, P, T0 - 5);
    make_message(&m[5], "msg-5", 5, CHORUSACCT_MSG_DEAD, T0);
    make_message(&m[6], "msg-6", 6, CHORUSACCT_MSG_CANCELLED, T0);
    BEGIN();
    for (size_t i = 0; i < 7; i++) {
        OKAY(OP(outbox_insert, &m[i]), "outbox_insert");
        CHECK(i == 0 || m[i].id > m[i - 1].id, "message ids do not grow");
    }
    COMMIT();
    RUN(get_message(t, m[0].id, out));
    SAME(message, &m[0], out, "message round trip");
    RUN(get_message(t, m[3].id, out));
    SAME(message, &m[3], out, "message round trip");

    const int64_t base = m[0].id - 1;
    OUTBOX(0, base, LIST_MAX, "outbox_list, all", 0, 1, 2, 3, 4, 5, 6, -1);
    OUTBOX(P, base, LIST_MAX, "outbox_list, pending", 0, 1, 3, 4, -1);
    OUTBOX(CHORUSACCT_MSG_SENT, base, LIST_MAX, "outbox_list, sent", 2, -1);
    OUTBOX(CHORUSACCT_MSG_DEAD, base, LIST_MAX, "outbox_list, dead", 5, -1);
    OUTBOX(CHORUSACCT_MSG_CANCELLED, base, LIST_MAX, "outbox_list, cancelled",
           6, -1);
    OUTBOX(0, base, 3, "outbox_list, page 1", 0, 1, 2, -1);
    OUTBOX(0, m[2].id, 3, "outbox_list, page 2", 3, 4, 5, -1);
    OUTBOX(0, m[5].id, 3, "outbox_list, page 3", 6, -1);
    OUTBOX(0, m[6].id, 3, "outbox_list past the last id", -1);

    /* Due, not leased, pending, due longest first: (next_attempt_at,
     * id) order. */
    CLAIM(T0 + 50, T0 + 110, LIST_MAX,
          "outbox_claim (due, not leased, pending only)", 4, 0, -1);
    RUN(get_message(t, m[4].id, out));
    m[4].lease_until = T0 + 110;
    SAME(message, &m[4], out, "message after outbox_claim");
    CLAIM(T0 + 60, T0 + 120, LIST_MAX, "outbox_claim while the leases run", -1);
    CLAIM(T0 + 110, T0 + 170, 2, "outbox_claim after a lease passed", 4, 0, -1);
    CLAIM(T0 + 110, T0 + 170, LIST_MAX, "outbox_claim, the rest", 1, -1);
    CLAIM(T0 + 150, T0 + 200, LIST_MAX,
          "outbox_claim when a stored lease passes", 3, -1);
    CLAIM(T0 + 150, T0 + 200, 0, "outbox_claim with max 0", -1);

    /* Update: the state of the delivery, never the text. */
    chorusacct_message *u = &t->m[8];
    make_message(u, "msg-x", 77, CHORUSACCT_MSG_SENT, T0 + 4000);
    u->id = m[0].id;
    u->kind = CHORUSACCT_MAIL_SUMMARY;
    u->attempts = 1;
    u->lease_until = 0;
    u->sent_at = T0 + 111;
    BEGIN();
    OKAY(OP(outbox_update, u), "outbox_update");
    COMMIT();
    chorusacct_message want = m[0];
    want.status = CHORUSACCT_MSG_SENT;
    want.attempts = 1;
    want.next_attempt_at = T0 + 4000;
    want.lease_until = 0;
    want.sent_at = T0 + 111;
    memcpy(want.last_error, u->last_error, sizeof want.last_error);
    RUN(get_message(t, m[0].id, out));
    SAME(message, &want, out,
         "message after outbox_update (status, attempts, times and "
         "last_error change; kind, recipient, subject and body stay)");
    /* Sent stays sent: a late failure report of a worker whose lease ran
     * out answers OK and changes nothing. */
    u->status = CHORUSACCT_MSG_PENDING;
    u->attempts = 2;
    u->next_attempt_at = T0 + 9000;
    u->sent_at = 0;
    BEGIN();
    OKAY(OP(outbox_update, u), "outbox_update of a sent message");
    COMMIT();
    RUN(get_message(t, m[0].id, out));
    SAME(message, &want, out,
         "message after a late outbox_update of a sent message (stays "
         "sent, unchanged)");
    u->id = m[6].id + 1000;
    BEGIN();
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(outbox_update, u),
           "outbox_update of a missing message");
    ROLLBACK();

    CLAIM(T0 + 100000, T0 + 100060, LIST_MAX,
          "outbox_claim (a sent message is not pending)", 4, 3, 1, -1);
    OUTBOX(CHORUSACCT_MSG_SENT, base, LIST_MAX, "outbox_list, sent", 0, 2, -1);
    RUN(drain(t));

    /* What the flow queues (docs/outbox.md, "What a message stores"):
     * an empty subject, and a body shaped like its snapshot of values:
     * lengths, colons and the values, after control bytes (0x02, 0x01,
     * tabs, line feeds). The backend keeps the bytes as given. */
    static const char snapshot[] =
        "\0021\n6:Agnès5:Dupré17:agnes@exemple.fr0:12:+33612345678"
        "14:ÉTS \"L'Été\" %_14:7328293200007413:2:\001link\0011:\t"
        "6:Line 1\n6:Line 2";
    make_message(&m[0], "msg-s", 7, P, T0);
    m[0].subject[0] = '\0';
    memcpy(m[0].body, snapshot, sizeof snapshot);
    BEGIN();
    OKAY(OP(outbox_insert, &m[0]), "outbox_insert (snapshot)");
    COMMIT();
    RUN(get_message(t, m[0].id, out));
    SAME(message, &m[0], out,
         "message round trip (empty subject, body with control bytes)");
    return drain(t);
}

static int part_events(ct *t)
{
    chorusacct_event *e = t->e;
    const int64_t p = 660001, q = 660002;
    size_t n = 0;

    make_event(&e[0], p, 0);
    make_event(&e[1], q, 1);
    make_event(&e[2], p, 2);
    make_event(&e[3], p, 3);
    e[3].type = CHORUSACCT_EV_PURGE;
    e[3].to_state = 0;
    BEGIN();
    for (size_t i = 0; i < 4; i++) {
        OKAY(OP(event_append, &e[i]), "event_append");
        CHECK(e[i].id > 0, "event_append: id not positive");
        CHECK(i == 0 || e[i].id > e[i - 1].id, "event ids do not grow");
    }
    COMMIT();
    const int64_t base = e[0].id - 1;
    for (size_t i = 0; i < LIST_MAX; i++)
        PREP(&t->e2[i]);
    OKAY(OP(event_list, 0, base, t->e2, LIST_MAX, &n), "event_list");
    CHECK(n == 4, "event_list, all: wrong number of events");
    for (size_t i = 0; i < 4; i++)
        SAME(event, &e[i], &t->e2[i], "event round trip (event_list, all)");
    OKAY(OP(event_list, p, base, t->e2, LIST_MAX, &n), "event_list");
    CHECK(n == 3 && t->e2[0].id == e[0].id && t->e2[1].id == e[2].id &&
              t->e2[2].id == e[3].id,
          "event_list of one account");
    SAME(event, &e[3], &t->e2[2], "event round trip (event_list)");
    OKAY(OP(event_list, p, e[0].id, t->e2, LIST_MAX, &n), "event_list");
    CHECK(n == 2 && t->e2[0].id == e[2].id && t->e2[1].id == e[3].id,
          "event_list of one account after an id");
    OKAY(OP(event_list, p, base, t->e2, 1, &n), "event_list");
    CHECK(n == 1 && t->e2[0].id == e[0].id, "event_list with max 1");
    OKAY(OP(event_list, q, base, t->e2, LIST_MAX, &n), "event_list");
    CHECK(n == 1 && t->e2[0].id == e[1].id, "event_list of another account");
    OKAY(OP(event_list, 660999, 0, t->e2, LIST_MAX, &n), "event_list");
    CHECK(n == 0, "event_list of an account without events");
    OKAY(OP(event_list, 0, e[3].id, t->e2, LIST_MAX, &n), "event_list");
    CHECK(n == 0, "event_list past the last id");
    return CHORUSACCT_OK;
}

static int part_counters(ct *t)
{
    const int64_t w = T0 - T0 % 3600;
    uint32_t c = 0;
    char long1[CHORUSACCT_KEY_SIZE], long2[CHORUSACCT_KEY_SIZE];

#define COUNT(key, window, delta, want, what)                                  \
    do {                                                                       \
        c = 12345;                                                             \
        OKAY(OP(counter_add, (key), (window), (delta), &c), what);             \
        CHECK(c == (want), what ": wrong count");                              \
    } while (0)

    COUNT("conformance:k1", w, 1, 1, "counter_add to a new counter");
    COUNT("conformance:k1", w, 2, 3, "counter_add");
    COUNT("conformance:k1", w, 0, 3, "counter_add of 0 (a read)");
    COUNT("conformance:k2", w, 5, 5, "counter_add to another key");
    COUNT("conformance:k1", w, 0, 3, "counter_add, other keys apart");
    COUNT("conformance:k1", w + 3600, 0, 0,
          "counter_add in a new window (the old one counts as 0)");
    COUNT("conformance:k1", w + 3600, 4, 4, "counter_add in a new window");
    /* An older window (a server whose clock is behind) counts against
     * the stored, newer one, never as a fresh window of its own. */
    COUNT("conformance:k1", w, 1, 5,
          "counter_add for an older window than the stored one (it must add "
          "to the stored window)");
    COUNT("conformance:k1", w + 3600, 0, 5,
          "counter_add after an older window's delta");
    COUNT("conformance:k1", w - 7 * 3600, 0, 5,
          "counter_add of 0 for a much older window (a read of the stored "
          "one)");
    /* A window used as a deadline: a read at "now" sees a later one. */
    COUNT("conformance:dl", w + 900, 1, 1, "counter_add of a deadline");
    COUNT("conformance:dl", w + 899, 0, 1,
          "counter_add of 0 before the deadline (it is still stored)");
    COUNT("conformance:dl", w + 901, 0, 0,
          "counter_add of 0 after the deadline (a newer window, empty)");

    /* Never rolled back, inside a transaction or out of one. */
    BEGIN();
    COUNT("conformance:k3", w, 4, 4, "counter_add inside a transaction");
    ROLLBACK();
    COUNT("conformance:k3", w, 0, 4,
          "counter_add after a rollback (counters are never rolled back)");
    BEGIN();
    COUNT("conformance:k3", w, 1, 5, "counter_add inside a transaction");
    COMMIT();
    COUNT("conformance:k3", w, 0, 5, "counter_add after a commit");

    /* Keys of the maximum length, differing in the last byte only. */
    fill(long1, sizeof long1, "conformance:long", 0);
    memcpy(long2, long1, sizeof long2);
    long2[sizeof long2 - 2] = 'y';
    COUNT(long1, w, 7, 7, "counter_add, key of the maximum length");
    COUNT(long2, w, 1, 1, "counter_add, long keys that differ at the end");
    COUNT(long1, w, 0, 7, "counter_add, long key read back");
#undef COUNT
    return CHORUSACCT_OK;
}

static int part_meta(ct *t)
{
    uint8_t v[300], buf[320];
    size_t n = 0;

    for (size_t i = 0; i < sizeof v; i++)
        v[i] = (uint8_t)(i * 7 % 256); /* NUL bytes included */
    BEGIN();
    OKAY(OP(meta_set, "conformance.m1", v, sizeof v), "meta_set");
    n = 0;
    OKAY(OP(meta_get, "conformance.m1", buf, sizeof buf, &n),
         "meta_get inside the transaction that set it");
    COMMIT();
    memset(buf, 0xEE, sizeof buf);
    OKAY(OP(meta_get, "conformance.m1", buf, sizeof v, &n),
         "meta_get into a buffer of the exact size");
    CHECK(n == sizeof v && memcmp(buf, v, sizeof v) == 0,
          "meta_get: binary value not returned as stored");
    n = 0;
    EXPECT(CHORUSACCT_E_TOOSMALL,
           OP(meta_get, "conformance.m1", buf, sizeof v - 1, &n),
           "meta_get into a buffer one byte short");
    CHECK(n == sizeof v, "meta_get: E_TOOSMALL without the size needed");
    n = 0;
    EXPECT(CHORUSACCT_E_TOOSMALL, OP(meta_get, "conformance.m1", NULL, 0, &n),
           "meta_get of the size only");
    CHECK(n == sizeof v, "meta_get: E_TOOSMALL without the size needed");

    BEGIN();
    OKAY(OP(meta_set, "conformance.m1", (const uint8_t *)"\0abc\0", 5),
         "meta_set over a value");
    OKAY(OP(meta_set, "conformance.m2", (const uint8_t *)"x", 0),
         "meta_set of an empty value");
    COMMIT();
    OKAY(OP(meta_get, "conformance.m1", buf, sizeof buf, &n), "meta_get");
    CHECK(n == 5 && memcmp(buf, "\0abc\0", 5) == 0,
          "meta_get after an overwrite");
    n = 99;
    OKAY(OP(meta_get, "conformance.m2", buf, sizeof buf, &n),
         "meta_get of an empty value (set, so found)");
    CHECK(n == 0, "meta_get of an empty value: length not 0");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(meta_get, "conformance.m3", buf, sizeof buf, &n),
           "meta_get of an unset key");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(meta_get, "conformance.m", buf, sizeof buf, &n),
           "meta_get of a prefix of a key");
    return CHORUSACCT_OK;
}

/* Every kind of write inside one transaction, then rollback: storage must
 * be exactly as before; then the same keys must still be free. */
static int part_rollback(ct *t)
{
    chorusacct_account *ra = &t->a[0], *ra2 = &t->a[1], *na = &t->a[2];
    chorusacct_account *ua = &t->a[3], *out = &t->b[0];
    chorusacct_structure *rs = &t->s[0], *rs2 = &t->s[1], *ns = &t->s[2];
    chorusacct_structure *us = &t->s[3], *sout = &t->s2[0];
    chorusacct_token rt, rt2, rt3, nt, tout;
    chorusacct_captcha rc, nc, uc, cout;
    chorusacct_message *rm = &t->m[0], *rm2 = &t->m[1], *rm3 = &t->m[2];
    chorusacct_message *nm = &t->m[3], *mout = &t->m[4];
    chorusacct_event ne = {.struct_size = sizeof ne};
    const int64_t tr = T0 + 500000;
    uint8_t buf[16];
    size_t n = 0;
    uint32_t cnt = 0;

    RUN(drain(t));
    make_account(ra, "rb-a", 1);
    make_account(ra2, "rb-a2", 2);
    make_structure(rs, CHORUSACCT_ID_SIRET, "rb-s", 1);
    make_structure(rs2, CHORUSACCT_ID_SIRET, "rb-s2", 2);
    make_captcha(&rc, 0x400, tr + 600, 0);
    make_message(rm, "rb-m", 1, CHORUSACCT_MSG_PENDING, tr);
    make_message(rm2, "rb-m2", 2, CHORUSACCT_MSG_PENDING, tr + 5000);
    make_message(rm3, "rb-m3", 3, CHORUSACCT_MSG_SENT, T0 - 100000);
    rm3->created_at = T0 - 100000;
    rm3->sent_at = T0 - 99000;
    BEGIN();
    OKAY(OP(account_insert, ra), "account_insert");
    OKAY(OP(account_insert, ra2), "account_insert");
    OKAY(OP(structure_insert, rs), "structure_insert");
    OKAY(OP(structure_insert, rs2), "structure_insert");
    make_token(&rt, 0x400, ra->id, 1, tr + 3600, 0);
    make_token(&rt2, 0x401, ra2->id, 1, tr + 3600, 0);
    make_token(&rt3, 0x402, ra->id, 2, tr + 3600, T0 - 100000);
    OKAY(OP(token_insert, &rt), "token_insert");
    OKAY(OP(token_insert, &rt2), "token_insert");
    OKAY(OP(token_insert, &rt3), "token_insert");
    OKAY(OP(captcha_insert, &rc), "captcha_insert");
    OKAY(OP(outbox_insert, rm), "outbox_insert");
    OKAY(OP(outbox_insert, rm2), "outbox_insert");
    OKAY(OP(outbox_insert, rm3), "outbox_insert");
    OKAY(OP(meta_set, "conformance.rb", (const uint8_t *)"v1", 2), "meta_set");
    COMMIT();
    int64_t last_event = 0;
    OKAY(OP(event_list, 0, 0, t->e, LIST_MAX, &n), "event_list");
    while (n > 0) {
        last_event = t->e[n - 1].id;
        OKAY(OP(event_list, 0, last_event, t->e, LIST_MAX, &n), "event_list");
    }

    /* The transaction to roll back. */
    make_account(na, "rb-new", 3);
    *ua = *ra;
    SHORT(ua, first_name, "Changed");
    ua->state = CHORUSACCT_STATE_ACTIVE;
    make_structure(ns, CHORUSACCT_ID_SIRET, "rb-s-new", 3);
    *us = *rs;
    SHORT(us, company_name, "Changed");
    make_token(&nt, 0x403, ra->id, 1, tr + 3600, 0);
    make_captcha(&nc, 0x401, tr + 600, 0);
    uc = rc;
    uc.used_at = tr + 1;
    make_message(nm, "rb-new", 4, CHORUSACCT_MSG_PENDING, tr);
    make_event(&ne, ra->id, 5);

    BEGIN();
    OKAY(OP(account_insert, na), "account_insert");
    OKAY(OP(account_update, ua), "account_update");
    OKAY(OP(account_delete, ra2->id), "account_delete");
    OKAY(OP(structure_insert, ns), "structure_insert");
    OKAY(OP(structure_update, us), "structure_update");
    OKAY(OP(structure_delete, rs2->id), "structure_delete");
    OKAY(OP(token_insert, &nt), "token_insert");
    OKAY(OP(token_consume, rt.hash, tr + 1), "token_consume");
    OKAY(OP(captcha_insert, &nc), "captcha_insert");
    OKAY(OP(captcha_update, &uc), "captcha_update");
    OKAY(OP(outbox_insert, nm), "outbox_insert");
    OKAY(OP(outbox_claim, tr, tr + 60, t->m2, LIST_MAX, &n), "outbox_claim");
    CHECK(n == 2 && t->m2[0].id == rm->id && t->m2[1].id == nm->id,
          "outbox_claim inside a transaction: wrong messages");
    chorusacct_message *um = &t->m[5];
    *um = *rm2;
    um->status = CHORUSACCT_MSG_DEAD;
    um->attempts = 9;
    OKAY(OP(outbox_update, um), "outbox_update");
    OKAY(OP(event_append, &ne), "event_append");
    OKAY(OP(meta_set, "conformance.rb", (const uint8_t *)"v2", 2), "meta_set");
    OKAY(OP(meta_set, "conformance.rb-new", (const uint8_t *)"v", 1),
         "meta_set");
    OKAY(OP(counter_add, "conformance:rb", tr, 2, &cnt), "counter_add");
    OKAY(OP(gc, T0), "gc");
    /* Reads see the transaction's own writes. */
    PREP(out);
    OKAY(OP(account_get, na->id, out),
         "account_get of an account inserted in this transaction");
    PREP(out);
    OKAY(OP(account_find, ua->email_key, out), "account_find");
    SAME(account, ua, out, "account read back inside its transaction");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, rt3.hash, &tout),
           "token_get of a token gc deleted in this transaction");
    OKAY(OP(meta_get, "conformance.rb", buf, sizeof buf, &n), "meta_get");
    CHECK(n == 2 && memcmp(buf, "v2", 2) == 0,
          "meta_get inside a transaction does not see its meta_set");
    ROLLBACK();

    /* Nothing of it is left. */
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_get, na->id, out),
           "account_insert survived a rollback");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(account_find, na->email_key, out),
           "account_insert survived a rollback (account_find)");
    PREP(out);
    OKAY(OP(account_get, ra->id, out), "account_get");
    SAME(account, ra, out, "account_update survived a rollback");
    PREP(out);
    OKAY(OP(account_get, ra2->id, out), "account_delete survived a rollback");
    SAME(account, ra2, out, "account after a rolled back delete");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(structure_find, ns->id_type, ns->identifier, sout),
           "structure_insert survived a rollback");
    PREP(sout);
    OKAY(OP(structure_get, rs->id, sout), "structure_get");
    SAME(structure, rs, sout, "structure_update survived a rollback");
    PREP(sout);
    OKAY(OP(structure_find, rs2->id_type, rs2->identifier, sout),
         "structure_delete survived a rollback");
    SAME(structure, rs2, sout, "structure after a rolled back delete");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, nt.hash, &tout),
           "token_insert survived a rollback");
    PREP(&tout);
    OKAY(OP(token_get, rt.hash, &tout), "token_get");
    SAME(token, &rt, &tout, "token_consume survived a rollback");
    PREP(&tout);
    OKAY(OP(token_get, rt2.hash, &tout),
         "a token deleted with its account survived a rollback");
    SAME(token, &rt2, &tout, "token after a rolled back account_delete");
    PREP(&tout);
    OKAY(OP(token_get, rt3.hash, &tout), "gc survived a rollback");
    SAME(token, &rt3, &tout, "token after a rolled back gc");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(captcha_get, nc.id_hash, &cout),
           "captcha_insert survived a rollback");
    PREP(&cout);
    OKAY(OP(captcha_get, rc.id_hash, &cout), "captcha_get");
    SAME(captcha, &rc, &cout, "captcha_update survived a rollback");
    OKAY(OP(outbox_list, 0, rm3->id, t->m2, LIST_MAX, &n), "outbox_list");
    CHECK(n == 0, "outbox_insert survived a rollback");
    RUN(get_message(t, rm->id, mout));
    SAME(message, rm, mout, "outbox_claim survived a rollback");
    RUN(get_message(t, rm2->id, mout));
    SAME(message, rm2, mout, "outbox_update survived a rollback");
    RUN(get_message(t, rm3->id, mout));
    SAME(message, rm3, mout, "gc of a message survived a rollback");
    OKAY(OP(event_list, 0, last_event, t->e, LIST_MAX, &n), "event_list");
    CHECK(n == 0, "event_append survived a rollback");
    OKAY(OP(meta_get, "conformance.rb", buf, sizeof buf, &n), "meta_get");
    CHECK(n == 2 && memcmp(buf, "v1", 2) == 0,
          "meta_set over a value survived a rollback");
    EXPECT(CHORUSACCT_E_NOTFOUND,
           OP(meta_get, "conformance.rb-new", buf, sizeof buf, &n),
           "meta_set of a new key survived a rollback");
    OKAY(OP(counter_add, "conformance:rb", tr, 0, &cnt), "counter_add");
    CHECK(cnt == 2, "a counter lost its count in a rolled back "
                    "transaction (counters are never rolled back, and gc "
                    "keeps current windows)");

    /* The unique keys written and rolled back are free. */
    BEGIN();
    OKAY(OP(account_insert, na),
         "account_insert of a key whose insert was rolled back");
    OKAY(OP(structure_insert, ns),
         "structure_insert of a key whose insert was rolled back");
    COMMIT();

    /* And a transaction with nothing in it. */
    BEGIN();
    ROLLBACK();
    BEGIN();
    COMMIT();
    return drain(t);
}

static int part_gc(ct *t)
{
    const int64_t g = T0 + 1000000;
    chorusacct_token tk[5], tout;
    chorusacct_captcha c[4], cout;
    chorusacct_message *m = t->m, *mout = &t->m2[0];
    chorusacct_account *a = &t->a[0], *out = &t->b[0];
    chorusacct_event ev = {.struct_size = sizeof ev};
    uint32_t cnt = 0;
    size_t n = 0;

    RUN(drain(t));
    make_token(&tk[0], 0x500, 1, 1, g + 100, g - 100); /* used before */
    make_token(&tk[1], 0x501, 1, 1, g - 1, 0);         /* expired */
    make_token(&tk[2], 0x502, 1, 1, g + 100, 0);       /* live */
    make_token(&tk[3], 0x503, 1, 1, g + 100, g);       /* used at */
    make_token(&tk[4], 0x504, 1, 1, g + 100, g + 5);   /* used after */
    make_captcha(&c[0], 0x500, g + 100, g - 100);
    make_captcha(&c[1], 0x501, g - 1, 0);
    make_captcha(&c[2], 0x502, g + 100, 0);
    make_captcha(&c[3], 0x503, g + 100, g + 1);
    make_message(&m[0], "gc-sent", 0, CHORUSACCT_MSG_SENT, g - 1000);
    make_message(&m[1], "gc-dead", 1, CHORUSACCT_MSG_DEAD, g - 1000);
    make_message(&m[2], "gc-cancelled", 2, CHORUSACCT_MSG_CANCELLED, g - 1000);
    make_message(&m[3], "gc-pending", 3, CHORUSACCT_MSG_PENDING, g + 10000);
    make_message(&m[4], "gc-recent", 4, CHORUSACCT_MSG_SENT, g + 10);
    for (size_t i = 0; i < 4; i++)
        m[i].created_at = g - 1000;
    m[0].sent_at = g - 900;
    m[4].created_at = g + 10;
    m[4].sent_at = g + 20;
    make_small_account(a, "gc@example.org");
    a->expires_at = g - 5000;
    make_event(&ev, 0, 1);
    ev.time = g - 5000;

    BEGIN();
    for (size_t i = 0; i < 5; i++)
        OKAY(OP(token_insert, &tk[i]), "token_insert");
    for (size_t i = 0; i < 4; i++)
        OKAY(OP(captcha_insert, &c[i]), "captcha_insert");
    for (size_t i = 0; i < 5; i++)
        OKAY(OP(outbox_insert, &m[i]), "outbox_insert");
    OKAY(OP(account_insert, a), "account_insert");
    ev.account_id = a->id;
    OKAY(OP(event_append, &ev), "event_append");
    COMMIT();
    OKAY(OP(counter_add, "conformance:gc-old", g - 7200, 2, &cnt),
         "counter_add");
    OKAY(OP(counter_add, "conformance:gc-new", g, 3, &cnt), "counter_add");

    BEGIN();
    OKAY(OP(gc, g), "gc");
    COMMIT();

    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, tk[0].hash, &tout),
           "gc kept a token used before the limit");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(token_get, tk[1].hash, &tout),
           "gc kept a token expired before the limit");
    for (size_t i = 2; i < 5; i++) {
        PREP(&tout);
        OKAY(OP(token_get, tk[i].hash, &tout),
             "gc deleted a token neither used nor expired before the "
             "limit");
        SAME(token, &tk[i], &tout, "token after gc");
    }
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(captcha_get, c[0].id_hash, &cout),
           "gc kept a captcha used before the limit");
    EXPECT(CHORUSACCT_E_NOTFOUND, OP(captcha_get, c[1].id_hash, &cout),
           "gc kept a captcha expired before the limit");
    for (size_t i = 2; i < 4; i++) {
        PREP(&cout);
        OKAY(OP(captcha_get, c[i].id_hash, &cout),
             "gc deleted a captcha neither used nor expired before the "
             "limit");
        SAME(captcha, &c[i], &cout, "captcha after gc");
    }
    OKAY(OP(outbox_list, 0, m[0].id - 1, t->m2, LIST_MAX, &n), "outbox_list");
    CHECK(n == 2 && t->m2[0].id == m[3].id && t->m2[1].id == m[4].id,
          "gc: old sent, dead and cancelled messages go, pending and "
          "recent ones stay");
    RUN(get_message(t, m[3].id, mout));
    SAME(message, &m[3], mout, "message after gc");
    OKAY(OP(counter_add, "conformance:gc-old", g - 7200, 0, &cnt),
         "counter_add");
    CHECK(cnt == 0, "gc kept a counter of an old window");
    OKAY(OP(counter_add, "conformance:gc-new", g, 0, &cnt), "counter_add");
    CHECK(cnt == 3, "gc deleted a counter of the current window");
    PREP(out);
    OKAY(OP(account_get, a->id, out), "gc deleted an account");
    SAME(account, a, out, "account after gc");
    OKAY(OP(event_list, a->id, 0, t->e, LIST_MAX, &n), "event_list");
    CHECK(n == 1, "gc deleted an event");
    return CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Races                                                                */

/* Two threads released together, to make their calls overlap. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int waiting;
    unsigned round;
} gate;

static void gate_wait(gate *g)
{
    pthread_mutex_lock(&g->mu);
    unsigned round = g->round;
    if (++g->waiting == 2) {
        g->waiting = 0;
        g->round++;
        pthread_cond_broadcast(&g->cv);
    } else {
        while (round == g->round)
            pthread_cond_wait(&g->cv, &g->mu);
    }
    pthread_mutex_unlock(&g->mu);
}

enum { RACE_UPDATE, RACE_CONSUME, RACE_INSERT, RACE_CLAIM };

typedef struct {
    const chorusacct_storage_ops *o;
    gate *g;
    int race;
    int who;
    chorusacct_account a; /* update, insert */
    uint8_t hash[32];     /* consume */
    int64_t now;
    int rc;  /* the operation's */
    int sys; /* a begin, commit or rollback failure */
    int64_t claimed[RACE_MSGS * 2];
    size_t nclaimed;
    chorusacct_message out[RACE_MSGS];
} racer;

/* One transaction around one operation; the transaction's own failures
 * go to `sys`. */
static int race_op(racer *r)
{
    void *ud = r->o->user_data;
    switch (r->race) {
    case RACE_UPDATE:
        return r->o->account_update(ud, &r->a);
    case RACE_CONSUME:
        return r->o->token_consume(ud, r->hash, r->now);
    case RACE_INSERT:
        return r->o->account_insert(ud, &r->a);
    default: {
        size_t n = 0;
        int rc = r->o->outbox_claim(ud, r->now, r->now + 1000, r->out, 2, &n);
        for (size_t i = 0; rc == CHORUSACCT_OK && i < n; i++)
            if (r->nclaimed < CA_ARRAY_LEN(r->claimed))
                r->claimed[r->nclaimed++] = r->out[i].id;
        /* 1: claimed something, go on; OK: the queue is empty. */
        return rc == CHORUSACCT_OK && n > 0 ? 1 : rc;
    }
    }
}

static void *race_main(void *arg)
{
    racer *r = arg;
    void *ud = r->o->user_data;
    gate_wait(r->g);
    for (;;) {
        int rc = r->o->begin(ud);
        if (rc != CHORUSACCT_OK) {
            r->sys = rc;
            return NULL;
        }
        int op = race_op(r);
        rc = op == CHORUSACCT_OK || op == 1 ? r->o->commit(ud)
                                            : r->o->rollback(ud);
        if (rc != CHORUSACCT_OK) {
            r->sys = rc;
            return NULL;
        }
        if (op != 1) {
            r->rc = op;
            return NULL;
        }
    }
}

/* Runs both racers; CHORUSACCT_OK, or a failure already reported. */
static int race_run(ct *t, racer *r, gate *g)
{
    pthread_t th[2];
    int started = 0;
    for (int i = 0; i < 2; i++) {
        r[i].g = g;
        r[i].who = i;
        r[i].rc = CHORUSACCT_E_INTERNAL;
        r[i].sys = CHORUSACCT_OK;
        r[i].nclaimed = 0;
        if (pthread_create(&th[i], NULL, race_main, &r[i]) != 0)
            break;
        started++;
    }
    if (started < 2) {
        /* Release the one waiting at the gate. */
        if (started == 1) {
            gate_wait(g);
            pthread_join(th[0], NULL);
        }
        return fail(t, __LINE__, "pthread_create", NULL, CHORUSACCT_E_NOMEM);
    }
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    for (int i = 0; i < 2; i++)
        if (r[i].sys != CHORUSACCT_OK)
            return bad_rc(t, __LINE__,
                          "begin, commit or rollback in a racing thread",
                          CHORUSACCT_OK, r[i].sys);
    return CHORUSACCT_OK;
}

/* Exactly one racer got OK and the other `loser`; returns the winner's
 * index, or -1 after reporting. */
static int one_winner(ct *t, const racer *r, int loser, const char *what,
                      int *rc)
{
    int w = r[0].rc == CHORUSACCT_OK ? 0 : 1;
    if (r[w].rc == CHORUSACCT_OK && r[1 - w].rc == loser)
        return w;
    if (r[0].rc == CHORUSACCT_OK && r[1].rc == CHORUSACCT_OK)
        *rc =
            fail(t, __LINE__, what, "both threads won", CHORUSACCT_E_INTERNAL);
    else
        *rc = bad_rc(t, __LINE__, what, loser,
                     r[0].rc == CHORUSACCT_OK ? r[1].rc : r[0].rc);
    return -1;
}

static int race_updates(ct *t, racer *r, gate *g)
{
    chorusacct_account *a = &t->a[0], *out = &t->b[0];
    char key[64];
    int rc = CHORUSACCT_OK;

    for (int rep = 0; rep < RACE_REPS; rep++) {
        snprintf(key, sizeof key, "race-update-%d@example.org", rep);
        make_small_account(a, key);
        RUN(insert_account(t, a));
        for (int i = 0; i < 2; i++) {
            r[i].race = RACE_UPDATE;
            r[i].a = *a;
            snprintf(r[i].a.first_name, sizeof r[i].a.first_name, "Thread%d",
                     i);
        }
        RUN(race_run(t, r, g));
        int w = one_winner(t, r, CHORUSACCT_E_CONFLICT,
                           "racing account_update of one version", &rc);
        if (w < 0)
            return rc;
        PREP(out);
        OKAY(OP(account_get, a->id, out), "account_get");
        CHECK(out->version == 2 &&
                  strcmp(out->first_name, r[w].a.first_name) == 0,
              "racing account_update: the stored account is not the "
              "winner's");
    }
    return CHORUSACCT_OK;
}

static int race_consumes(ct *t, racer *r, gate *g)
{
    chorusacct_token tk, out;
    int rc = CHORUSACCT_OK;

    for (int rep = 0; rep < RACE_REPS; rep++) {
        make_token(&tk, 0x1000 + (unsigned)rep, 42, 1, T0 + 3600, 0);
        BEGIN();
        OKAY(OP(token_insert, &tk), "token_insert");
        COMMIT();
        for (int i = 0; i < 2; i++) {
            r[i].race = RACE_CONSUME;
            memcpy(r[i].hash, tk.hash, 32);
            r[i].now = T0 + 1 + i;
        }
        RUN(race_run(t, r, g));
        int w = one_winner(t, r, CHORUSACCT_E_CONFLICT,
                           "racing token_consume of one token", &rc);
        if (w < 0)
            return rc;
        OKAY(OP(token_get, tk.hash, &out), "token_get");
        CHECK(out.used_at == r[w].now,
              "racing token_consume: used_at is not the winner's");
    }
    return CHORUSACCT_OK;
}

static int race_inserts(ct *t, racer *r, gate *g)
{
    chorusacct_account *out = &t->b[0];
    char key[64];
    int rc = CHORUSACCT_OK;

    for (int rep = 0; rep < RACE_REPS; rep++) {
        snprintf(key, sizeof key, "race-insert-%d@example.org", rep);
        for (int i = 0; i < 2; i++) {
            r[i].race = RACE_INSERT;
            make_small_account(&r[i].a, key);
            snprintf(r[i].a.first_name, sizeof r[i].a.first_name, "Thread%d",
                     i);
        }
        RUN(race_run(t, r, g));
        int w = one_winner(t, r, CHORUSACCT_E_EXISTS,
                           "racing account_insert of one email_key", &rc);
        if (w < 0)
            return rc;
        PREP(out);
        OKAY(OP(account_find, key, out), "account_find");
        CHECK(out->id == r[w].a.id &&
                  strcmp(out->first_name, r[w].a.first_name) == 0,
              "racing account_insert: the stored account is not the "
              "winner's");
    }
    return CHORUSACCT_OK;
}

static int race_claims(ct *t, racer *r, gate *g)
{
    chorusacct_message *m = t->m;
    const int64_t now = T0 + 2000000;

    RUN(drain(t));
    for (int rep = 0; rep < RACE_REPS; rep++) {
        BEGIN();
        for (int i = 0; i < RACE_MSGS; i++) {
            make_message(&m[i], "race", (unsigned)i, CHORUSACCT_MSG_PENDING,
                         now);
            SHORT(&m[i], body, "race");
            OKAY(OP(outbox_insert, &m[i]), "outbox_insert");
        }
        COMMIT();
        for (int i = 0; i < 2; i++) {
            r[i].race = RACE_CLAIM;
            r[i].now = now;
        }
        RUN(race_run(t, r, g));
        for (int i = 0; i < 2; i++)
            if (r[i].rc != CHORUSACCT_OK)
                return bad_rc(t, __LINE__, "racing outbox_claim", CHORUSACCT_OK,
                              r[i].rc);
        /* Each message to exactly one thread, once. */
        for (int i = 0; i < RACE_MSGS; i++) {
            int seen = 0;
            for (int k = 0; k < 2; k++)
                for (size_t j = 0; j < r[k].nclaimed; j++)
                    seen += r[k].claimed[j] == m[i].id;
            CHECK(seen == 1, "racing outbox_claim: a message was handed "
                             "out twice, or not at all, while leased");
        }
        CHECK(r[0].nclaimed + r[1].nclaimed == RACE_MSGS,
              "racing outbox_claim: a message was handed out twice");
        RUN(drain(t));
    }
    return CHORUSACCT_OK;
}

static int part_races(ct *t)
{
    racer *r = calloc(2, sizeof *r);
    gate g;
    int rc;

    if (r == NULL)
        return fail(t, __LINE__, "out of memory", NULL, CHORUSACCT_E_NOMEM);
    memset(&g, 0, sizeof g);
    if (pthread_mutex_init(&g.mu, NULL) != 0) {
        free(r);
        return fail(t, __LINE__, "pthread_mutex_init", NULL,
                    CHORUSACCT_E_NOMEM);
    }
    if (pthread_cond_init(&g.cv, NULL) != 0) {
        pthread_mutex_destroy(&g.mu);
        free(r);
        return fail(t, __LINE__, "pthread_cond_init", NULL, CHORUSACCT_E_NOMEM);
    }
    r[0].o = t->o;
    r[1].o = t->o2;
    rc = race_updates(t, r, &g);
    if (rc == CHORUSACCT_OK)
        rc = race_consumes(t, r, &g);
    if (rc == CHORUSACCT_OK)
        rc = race_inserts(t, r, &g);
    if (rc == CHORUSACCT_OK)
        rc = race_claims(t, r, &g);
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mu);
    free(r);
    return rc;
}

/* ------------------------------------------------------------------ */

static int run_all(ct *t)
{
    RUN(part_empty(t));
    RUN(part_accounts(t));
    RUN(part_account_list(t));
    RUN(part_structures(t));
    RUN(part_tokens(t));
    RUN(part_captchas(t));
    RUN(part_outbox(t));
    RUN(part_events(t));
    RUN(part_counters(t));
    RUN(part_meta(t));
    RUN(part_rollback(t));
    RUN(part_gc(t));
    if (t->o2 != NULL)
        RUN(part_races(t));
    return CHORUSACCT_OK;
}

int chorusacct_storage_conformance(const chorusacct_storage_ops *ops,
                                   const chorusacct_storage_ops *ops2,
                                   char *report, size_t cap)
{
    chorusacct_storage_ops o = {.struct_size = sizeof o},
                           o2 = {.struct_size = sizeof o2};
    if (report != NULL && cap > 0)
        report[0] = '\0';
    if (ops == NULL || (report == NULL && cap > 0))
        return CHORUSACCT_E_ARG;
    if (chorusacct__storage_ops_copy(&o, ops) != 0 ||
        (ops2 != NULL && chorusacct__storage_ops_copy(&o2, ops2) != 0)) {
        if (report != NULL && cap > 0)
            snprintf(report, cap, "the storage table is incomplete");
        return CHORUSACCT_E_ARG;
    }
    ct *t = calloc(1, sizeof *t);
    if (t == NULL)
        return CHORUSACCT_E_NOMEM;
    t->o = &o;
    t->o2 = ops2 != NULL ? &o2 : NULL;
    t->report = report;
    t->cap = cap;
    int rc = run_all(t);
    free(t);
    return rc;
}
