/*
 * The SQL row layer that the SQLite and PostgreSQL backends share: the
 * columns of the six records, the binding of a record's fields to a
 * statement's parameters, the reading of a row into a record, and the
 * listing statement of accounts. What a backend gives it is a table of
 * a few functions over its own driver (ca_row_io); what stays in each
 * backend is its own: SQL dialect, connection, transactions, prepared
 * statements, migrations and error codes. Private to lib/store.
 */
#ifndef CHORUSACCT_SQLROW_H
#define CHORUSACCT_SQLROW_H

#include "internal.h"

/* The columns of each record, in the order the readers below take them.
 * Both schemas name them alike; the tables' names differ. */
#define CA_ACCOUNT_COLS                                                        \
    "id, version, state, structure_id, role, lang, created_at,"                \
    " updated_at, consent_at, expires_at, activated_at, decided_by,"           \
    " locked_until, resent_at, failed_logins, login_email, email_key,"         \
    " contact_email, first_name, last_name, phone, terms_version,"             \
    " password_hash, reason"
#define CA_STRUCTURE_COLS                                                      \
    "id, id_type, created_at, principal_id, identifier, company_name"
#define CA_TOKEN_COLS                                                          \
    "hash, account_id, purpose, created_at, expires_at, used_at"
#define CA_CAPTCHA_COLS "id_hash, answer_hash, created_at, expires_at, used_at"
#define CA_OUTBOX_COLS                                                         \
    "id, account_id, kind, lang, status, attempts, created_at,"                \
    " next_attempt_at, lease_until, sent_at, recipient, subject, body,"        \
    " last_error"
#define CA_EVENT_COLS                                                          \
    "id, account_id, type, time, from_state, to_state, actor_id, reason"

/*
 * How a backend puts values into a statement (`b`, its binding state)
 * and takes them out of a row (`c`, its cursor). Both go in order, one
 * parameter or column per call. A bind function keeps the first failure
 * in the backend's own state; a column function answers false on a value
 * that is NULL or does not fit (the reader then fails as a whole).
 * `ref` is a reference to a record that may be absent (0): a backend may
 * store it its own way (SQLite: NULL), or take it as `i64`. Texts are
 * stored as they are, outbox texts included.
 */
typedef struct {
    void (*i64)(void *b, int64_t v);
    void (*ref)(void *b, int64_t v);
    /* A text field of `size` bytes, NUL-terminated within them. */
    void (*text)(void *b, const char *f, size_t size);
    void (*blob)(void *b, const void *p, size_t n);

    bool (*col_i64)(void *c, int64_t *v);
    /* Into `buf` (`cap` bytes, NUL-terminated). */
    bool (*col_text)(void *c, char *buf, size_t cap);
    /* Exactly `n` bytes. */
    bool (*col_blob)(void *c, uint8_t *out, size_t n);
} ca_row_io;

/* Reads one row with `io` from cursor `c` into the record `rec`, every
 * field written (struct_size set, the rest zeroed first). */
typedef bool ca_row_read(const ca_row_io *io, void *c, void *rec);

CA_INTERNAL bool chorusacct__row_read_account(const ca_row_io *io, void *c,
                                              void *rec);
CA_INTERNAL bool chorusacct__row_read_structure(const ca_row_io *io, void *c,
                                                void *rec);
CA_INTERNAL bool chorusacct__row_read_token(const ca_row_io *io, void *c,
                                            void *rec);
CA_INTERNAL bool chorusacct__row_read_captcha(const ca_row_io *io, void *c,
                                              void *rec);
CA_INTERNAL bool chorusacct__row_read_message(const ca_row_io *io, void *c,
                                              void *rec);
CA_INTERNAL bool chorusacct__row_read_event(const ca_row_io *io, void *c,
                                            void *rec);

/* The parameters of each insert: every column but the generated ones
 * (ids, and an account's version), in the order of the lists above. An
 * account's and a structure's are also those of their update, which
 * then takes the id (and the version) after them. */
CA_INTERNAL void chorusacct__row_bind_account(const ca_row_io *io, void *b,
                                              const chorusacct_account *a);
CA_INTERNAL void chorusacct__row_bind_structure(const ca_row_io *io, void *b,
                                                const chorusacct_structure *s);
CA_INTERNAL void chorusacct__row_bind_token(const ca_row_io *io, void *b,
                                            const chorusacct_token *t);
CA_INTERNAL void chorusacct__row_bind_captcha(const ca_row_io *io, void *b,
                                              const chorusacct_captcha *cp);
CA_INTERNAL void chorusacct__row_bind_message(const ca_row_io *io, void *b,
                                              const chorusacct_message *m);
CA_INTERNAL void chorusacct__row_bind_event(const ca_row_io *io, void *b,
                                            const chorusacct_event *e);
/* What outbox_update writes, then the id: status, attempts,
 * next_attempt_at, lease_until, sent_at, last_error, id. */
CA_INTERNAL void chorusacct__row_bind_delivery(const ca_row_io *io, void *b,
                                               const chorusacct_message *m);

/* account_list: one statement per combination of filters, so that each
 * can use its index. */
enum {
    LQ_STATE = 1,
    LQ_STRUCTURE = 2,
    LQ_ROLE = 4,
    LQ_EXPIRES = 8,
    LQ_BY_EXPIRY = 16, /* CHORUSACCT_ORDER_EXPIRY */
    LQ_COUNT = 32
};

/* Which filters of `q` are set, as LQ_* bits. */
CA_INTERNAL unsigned
chorusacct__row_list_mask(const chorusacct_account_query *q);

/* The parameters of every listing statement, whatever its filters:
 * after_id, state, structure_id, min_role, expires_before, limit, and in
 * expiry order (LQ_BY_EXPIRY) after_expires_at. */
CA_INTERNAL void chorusacct__row_bind_query(const ca_row_io *io, void *b,
                                            const chorusacct_account_query *q,
                                            size_t max);

/* The SQL of the listing with filters `mask` over `table`; parameters
 * are numbered after `mark` ('?' for SQLite, '$' for PostgreSQL) in the
 * order of chorusacct__row_bind_query. */
CA_INTERNAL void chorusacct__row_list_sql(unsigned mask, const char *table,
                                          char mark, char *sql, size_t cap);

/* A LIMIT of `max` rows. */
CA_INTERNAL int64_t chorusacct__row_limit(size_t max);

/*
 * Fills `ops` with a backend's callbacks, named ca_<member> in the file
 * that expands it (both SQL backends implement every member, destroy
 * included), over the connection `conn`.
 */
#define CA_ROW_FILL_OPS(ops, conn)                                             \
    do {                                                                       \
        memset(&(ops), 0, sizeof(ops));                                        \
        (ops).struct_size = (uint32_t)sizeof(ops);                             \
        (ops).user_data = (conn);                                              \
        (ops).begin = ca_begin;                                                \
        (ops).commit = ca_commit;                                              \
        (ops).rollback = ca_rollback;                                          \
        (ops).account_insert = ca_account_insert;                              \
        (ops).account_get = ca_account_get;                                    \
        (ops).account_find = ca_account_find;                                  \
        (ops).account_update = ca_account_update;                              \
        (ops).account_delete = ca_account_delete;                              \
        (ops).account_list = ca_account_list;                                  \
        (ops).structure_insert = ca_structure_insert;                          \
        (ops).structure_get = ca_structure_get;                                \
        (ops).structure_find = ca_structure_find;                              \
        (ops).structure_update = ca_structure_update;                          \
        (ops).structure_delete = ca_structure_delete;                          \
        (ops).token_insert = ca_token_insert;                                  \
        (ops).token_get = ca_token_get;                                        \
        (ops).token_consume = ca_token_consume;                                \
        (ops).token_revoke = ca_token_revoke;                                  \
        (ops).captcha_insert = ca_captcha_insert;                              \
        (ops).captcha_get = ca_captcha_get;                                    \
        (ops).captcha_update = ca_captcha_update;                              \
        (ops).outbox_insert = ca_outbox_insert;                                \
        (ops).outbox_claim = ca_outbox_claim;                                  \
        (ops).outbox_update = ca_outbox_update;                                \
        (ops).outbox_list = ca_outbox_list;                                    \
        (ops).event_append = ca_event_append;                                  \
        (ops).event_list = ca_event_list;                                      \
        (ops).counter_add = ca_counter_add;                                    \
        (ops).meta_get = ca_meta_get;                                          \
        (ops).meta_set = ca_meta_set;                                          \
        (ops).gc = ca_gc;                                                      \
        (ops).destroy = ca_destroy;                                            \
    } while (0)

#endif /* CHORUSACCT_SQLROW_H */
