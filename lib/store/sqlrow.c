/*
 * The SQL row layer of the SQLite and PostgreSQL backends (sqlrow.h):
 * each record's fields, once, in the order of its column list.
 */
#include "sqlrow.h"

#include <stdio.h>
#include <string.h>

/* Column readers; `ok` turns false at the first value that does not fit
 * and stays so. */
typedef struct {
    const ca_row_io *io;
    void *c;
    bool ok;
} rd;

static int64_t r_i64(rd *r)
{
    int64_t v = 0;
    r->ok = r->io->col_i64(r->c, &v) && r->ok;
    return v;
}

static int32_t r_i32(rd *r)
{
    int64_t v = r_i64(r);
    if (v < INT32_MIN || v > INT32_MAX) {
        r->ok = false;
        return 0;
    }
    return (int32_t)v;
}

static void r_text(rd *r, char *buf, size_t cap)
{
    r->ok = r->io->col_text(r->c, buf, cap) && r->ok;
}

static void r_hash(rd *r, uint8_t *out32)
{
    r->ok = r->io->col_blob(r->c, out32, 32) && r->ok;
}

bool chorusacct__row_read_account(const ca_row_io *io, void *c, void *rec)
{
    chorusacct_account *a = rec;
    rd r = {io, c, true};
    memset(a, 0, sizeof *a);
    a->struct_size = (uint32_t)sizeof *a;
    a->id = r_i64(&r);
    a->version = r_i64(&r);
    a->state = r_i32(&r);
    a->structure_id = r_i64(&r);
    a->role = r_i32(&r);
    a->lang = r_i32(&r);
    a->created_at = r_i64(&r);
    a->updated_at = r_i64(&r);
    a->consent_at = r_i64(&r);
    a->expires_at = r_i64(&r);
    a->activated_at = r_i64(&r);
    a->decided_by = r_i64(&r);
    a->reserved1 = r_i64(&r); /* column locked_until, no longer used */
    a->resent_at = r_i64(&r);
    a->reserved2 = r_i32(&r);
    r_text(&r, a->login_email, sizeof a->login_email);
    r_text(&r, a->email_key, sizeof a->email_key);
    r_text(&r, a->contact_email, sizeof a->contact_email);
    r_text(&r, a->first_name, sizeof a->first_name);
    r_text(&r, a->last_name, sizeof a->last_name);
    r_text(&r, a->phone, sizeof a->phone);
    r_text(&r, a->terms_version, sizeof a->terms_version);
    r_text(&r, a->password_hash, sizeof a->password_hash);
    r_text(&r, a->reason, sizeof a->reason);
    return r.ok;
}

bool chorusacct__row_read_structure(const ca_row_io *io, void *c, void *rec)
{
    chorusacct_structure *s = rec;
    rd r = {io, c, true};
    memset(s, 0, sizeof *s);
    s->struct_size = (uint32_t)sizeof *s;
    s->id = r_i64(&r);
    s->id_type = r_i32(&r);
    s->created_at = r_i64(&r);
    s->principal_id = r_i64(&r);
    r_text(&r, s->identifier, sizeof s->identifier);
    r_text(&r, s->company_name, sizeof s->company_name);
    return r.ok;
}

bool chorusacct__row_read_token(const ca_row_io *io, void *c, void *rec)
{
    chorusacct_token *t = rec;
    rd r = {io, c, true};
    memset(t, 0, sizeof *t);
    t->struct_size = (uint32_t)sizeof *t;
    r_hash(&r, t->hash);
    t->account_id = r_i64(&r);
    t->purpose = r_i32(&r);
    t->created_at = r_i64(&r);
    t->expires_at = r_i64(&r);
    t->used_at = r_i64(&r);
    return r.ok;
}

bool chorusacct__row_read_captcha(const ca_row_io *io, void *c, void *rec)
{
    chorusacct_captcha *cp = rec;
    rd r = {io, c, true};
    memset(cp, 0, sizeof *cp);
    cp->struct_size = (uint32_t)sizeof *cp;
    r_hash(&r, cp->id_hash);
    r_hash(&r, cp->answer_hash);
    cp->created_at = r_i64(&r);
    cp->expires_at = r_i64(&r);
    cp->used_at = r_i64(&r);
    return r.ok;
}

/* The first field of a message row that did not read, by name. */
static void r_note(rd *r, bool *was_ok, const char **bad, const char *name)
{
    if (*was_ok && !r->ok && *bad == NULL)
        *bad = name;
    *was_ok = r->ok;
}

bool chorusacct__row_read_message(const ca_row_io *io, void *c, void *rec)
{
    chorusacct_message *m = rec;
    rd r = {io, c, true};
    bool ok = true;
    const char *bad = NULL;
    memset(m, 0, sizeof *m);
    m->struct_size = (uint32_t)sizeof *m;
    m->id = r_i64(&r);
    if (!r.ok || m->id <= 0)
        return false; /* nothing to name it by */
#define FIELD(stmt, name)                                                      \
    do {                                                                       \
        stmt;                                                                  \
        r_note(&r, &ok, &bad, name);                                           \
        r.ok = true;                                                           \
        ok = true;                                                             \
    } while (0)
    FIELD(m->account_id = r_i64(&r), "account_id");
    FIELD(m->kind = r_i32(&r), "kind");
    FIELD(m->lang = r_i32(&r), "lang");
    FIELD(m->status = r_i32(&r), "status");
    FIELD(m->attempts = r_i32(&r), "attempts");
    FIELD(m->created_at = r_i64(&r), "created_at");
    FIELD(m->next_attempt_at = r_i64(&r), "next_attempt_at");
    FIELD(m->lease_until = r_i64(&r), "lease_until");
    FIELD(m->sent_at = r_i64(&r), "sent_at");
    FIELD(r_text(&r, m->to, sizeof m->to), "recipient");
    FIELD(r_text(&r, m->subject, sizeof m->subject), "subject");
    FIELD(r_text(&r, m->body, sizeof m->body), "body");
    FIELD(r_text(&r, m->last_error, sizeof m->last_error), "last_error");
#undef FIELD
    if (bad != NULL) {
        /* A damaged row is handed out all the same, dead with the reason,
         * so that one bad row stops neither delivery nor listing (the
         * storage contract, storage.h). What did not read is zero or
         * empty. */
        m->status = CHORUSACCT_MSG_DEAD;
        m->lease_until = 0;
        snprintf(m->last_error, sizeof m->last_error,
                 "stored row does not decode (%s)", bad);
    }
    return true;
}

bool chorusacct__row_read_event(const ca_row_io *io, void *c, void *rec)
{
    chorusacct_event *e = rec;
    rd r = {io, c, true};
    memset(e, 0, sizeof *e);
    e->struct_size = (uint32_t)sizeof *e;
    e->id = r_i64(&r);
    e->account_id = r_i64(&r);
    e->type = r_i32(&r);
    e->time = r_i64(&r);
    e->from_state = r_i32(&r);
    e->to_state = r_i32(&r);
    e->actor_id = r_i64(&r);
    r_text(&r, e->reason, sizeof e->reason);
    return r.ok;
}

void chorusacct__row_bind_account(const ca_row_io *io, void *b,
                                  const chorusacct_account *a)
{
    io->i64(b, a->state);
    io->ref(b, a->structure_id);
    io->i64(b, a->role);
    io->i64(b, a->lang);
    io->i64(b, a->created_at);
    io->i64(b, a->updated_at);
    io->i64(b, a->consent_at);
    io->i64(b, a->expires_at);
    io->i64(b, a->activated_at);
    io->i64(b, a->decided_by);
    io->i64(b, a->reserved1);
    io->i64(b, a->resent_at);
    io->i64(b, a->reserved2);
    io->text(b, a->login_email, sizeof a->login_email);
    io->text(b, a->email_key, sizeof a->email_key);
    io->text(b, a->contact_email, sizeof a->contact_email);
    io->text(b, a->first_name, sizeof a->first_name);
    io->text(b, a->last_name, sizeof a->last_name);
    io->text(b, a->phone, sizeof a->phone);
    io->text(b, a->terms_version, sizeof a->terms_version);
    io->text(b, a->password_hash, sizeof a->password_hash);
    io->text(b, a->reason, sizeof a->reason);
}

void chorusacct__row_bind_structure(const ca_row_io *io, void *b,
                                    const chorusacct_structure *s)
{
    io->i64(b, s->id_type);
    io->i64(b, s->created_at);
    io->i64(b, s->principal_id);
    io->text(b, s->identifier, sizeof s->identifier);
    io->text(b, s->company_name, sizeof s->company_name);
}

void chorusacct__row_bind_token(const ca_row_io *io, void *b,
                                const chorusacct_token *t)
{
    io->blob(b, t->hash, 32);
    io->i64(b, t->account_id);
    io->i64(b, t->purpose);
    io->i64(b, t->created_at);
    io->i64(b, t->expires_at);
    io->i64(b, t->used_at);
}

void chorusacct__row_bind_captcha(const ca_row_io *io, void *b,
                                  const chorusacct_captcha *cp)
{
    io->blob(b, cp->id_hash, 32);
    io->blob(b, cp->answer_hash, 32);
    io->i64(b, cp->created_at);
    io->i64(b, cp->expires_at);
    io->i64(b, cp->used_at);
}

void chorusacct__row_bind_message(const ca_row_io *io, void *b,
                                  const chorusacct_message *m)
{
    io->i64(b, m->account_id);
    io->i64(b, m->kind);
    io->i64(b, m->lang);
    io->i64(b, m->status);
    io->i64(b, m->attempts);
    io->i64(b, m->created_at);
    io->i64(b, m->next_attempt_at);
    io->i64(b, m->lease_until);
    io->i64(b, m->sent_at);
    io->text(b, m->to, sizeof m->to);
    io->text(b, m->subject, sizeof m->subject);
    io->text(b, m->body, sizeof m->body);
    io->text(b, m->last_error, sizeof m->last_error);
}

void chorusacct__row_bind_event(const ca_row_io *io, void *b,
                                const chorusacct_event *e)
{
    io->i64(b, e->account_id);
    io->i64(b, e->type);
    io->i64(b, e->time);
    io->i64(b, e->from_state);
    io->i64(b, e->to_state);
    io->i64(b, e->actor_id);
    io->text(b, e->reason, sizeof e->reason);
}

void chorusacct__row_bind_delivery(const ca_row_io *io, void *b,
                                   const chorusacct_message *m)
{
    io->i64(b, m->status);
    io->i64(b, m->attempts);
    io->i64(b, m->next_attempt_at);
    io->i64(b, m->lease_until);
    io->i64(b, m->sent_at);
    io->text(b, m->last_error, sizeof m->last_error);
    io->i64(b, m->id);
}

unsigned chorusacct__row_list_mask(const chorusacct_account_query *q)
{
    return (q->state != 0 ? LQ_STATE : 0) |
           (q->structure_id != 0 ? LQ_STRUCTURE : 0) |
           (q->min_role != 0 ? LQ_ROLE : 0) |
           (q->expires_before != 0 ? LQ_EXPIRES : 0) |
           (q->order == CHORUSACCT_ORDER_EXPIRY ? LQ_BY_EXPIRY : 0);
}

int64_t chorusacct__row_limit(size_t max)
{
    return max > (size_t)INT64_MAX ? INT64_MAX : (int64_t)max;
}

void chorusacct__row_bind_query(const ca_row_io *io, void *b,
                                const chorusacct_account_query *q, size_t max)
{
    io->i64(b, q->after_id);
    io->i64(b, q->state);
    io->i64(b, q->structure_id);
    io->i64(b, q->min_role);
    io->i64(b, q->expires_before);
    io->i64(b, chorusacct__row_limit(max));
    if (q->order == CHORUSACCT_ORDER_EXPIRY)
        io->i64(b, q->after_expires_at);
}

void chorusacct__row_list_sql(unsigned mask, const char *table, char mark,
                              char *sql, size_t cap)
{
    char state[24] = "", structure[32] = "", role[24] = "", expires[48] = "";
    if (mask & LQ_STATE)
        snprintf(state, sizeof state, " AND state = %c2", mark);
    if (mask & LQ_STRUCTURE)
        snprintf(structure, sizeof structure, " AND structure_id = %c3", mark);
    if (mask & LQ_ROLE)
        snprintf(role, sizeof role, " AND role >= %c4", mark);
    if (mask & LQ_EXPIRES)
        snprintf(expires, sizeof expires,
                 " AND expires_at > 0 AND expires_at < %c5", mark);
    /* In expiry order a page goes on after (expires_at, id): a row value
     * that an index on (expires_at, id) seeks to. */
    if (mask & LQ_BY_EXPIRY)
        snprintf(sql, cap,
                 "SELECT " CA_ACCOUNT_COLS " FROM %s WHERE expires_at > 0"
                 " AND (expires_at, id) > (%c7, %c1)%s%s%s%s"
                 " ORDER BY expires_at, id LIMIT %c6",
                 table, mark, mark, state, structure, role, expires, mark);
    else
        snprintf(sql, cap,
                 "SELECT " CA_ACCOUNT_COLS " FROM %s WHERE id > %c1%s%s%s%s"
                 " ORDER BY id LIMIT %c6",
                 table, mark, state, structure, role, expires, mark);
}
