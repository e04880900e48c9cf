/*
 * A storage table that wraps another and makes one chosen operation fail,
 * so that tests can prove that every failure of storage, at any point of a
 * flow function, leaves storage as it was (SQLite's fault tests work the
 * same way).
 *
 * The failed operation does not reach the inner backend, with one
 * exception on each end of a transaction: a failed `commit` and a failed
 * `rollback` still roll the inner transaction back. A commit that failed
 * must leave storage as at `begin` (the contract), and a rollback that
 * failed must not leave the inner transaction open, which would hold a
 * serializing backend's lock for ever.
 */
#include "internal.h"

#include <chorusacct/testkit.h>

#include <stdlib.h>
#include <string.h>

struct chorusacct_faultstore {
    chorusacct_storage_ops inner;
    uint64_t calls;
    uint64_t fail_at;
    int fired;
};

typedef chorusacct_faultstore fs_t;

/* Counts a call; true when it is the one to fail. */
static bool hit(fs_t *f)
{
    f->calls++;
    if (f->fail_at == 0 || f->calls != f->fail_at)
        return false;
    f->fired = 1;
    return true;
}

static int fs_begin(void *ud)
{
    fs_t *f = ud;
    if (hit(f))
        return CHORUSACCT_E_STORAGE;
    return f->inner.begin(f->inner.user_data);
}

static int fs_commit(void *ud)
{
    fs_t *f = ud;
    if (hit(f)) {
        (void)f->inner.rollback(f->inner.user_data);
        return CHORUSACCT_E_STORAGE;
    }
    return f->inner.commit(f->inner.user_data);
}

static int fs_rollback(void *ud)
{
    fs_t *f = ud;
    int rc = f->inner.rollback(f->inner.user_data);
    return hit(f) ? CHORUSACCT_E_STORAGE : rc;
}

/* The other operations pass through unless they are the chosen one. */
#define PASS(name, params, args)                                               \
    static int fs_##name params                                                \
    {                                                                          \
        fs_t *f = ud;                                                          \
        if (hit(f))                                                            \
            return CHORUSACCT_E_STORAGE;                                       \
        return f->inner.name args;                                             \
    }

#define UD f->inner.user_data

PASS(account_insert, (void *ud, chorusacct_account *a), (UD, a))
PASS(account_get, (void *ud, int64_t id, chorusacct_account *out),
     (UD, id, out))
PASS(account_find, (void *ud, const char *email_key, chorusacct_account *out),
     (UD, email_key, out))
PASS(account_update, (void *ud, chorusacct_account *a), (UD, a))
PASS(account_delete, (void *ud, int64_t id), (UD, id))
PASS(account_list,
     (void *ud, const chorusacct_account_query *q, chorusacct_account *out,
      size_t max, size_t *count),
     (UD, q, out, max, count))
PASS(structure_insert, (void *ud, chorusacct_structure *s), (UD, s))
PASS(structure_get, (void *ud, int64_t id, chorusacct_structure *out),
     (UD, id, out))
PASS(structure_find,
     (void *ud, int32_t id_type, const char *identifier,
      chorusacct_structure *out),
     (UD, id_type, identifier, out))
PASS(structure_update, (void *ud, const chorusacct_structure *s), (UD, s))
PASS(structure_delete, (void *ud, int64_t id), (UD, id))
PASS(token_insert, (void *ud, const chorusacct_token *t), (UD, t))
PASS(token_get, (void *ud, const uint8_t *hash32, chorusacct_token *out),
     (UD, hash32, out))
PASS(token_consume, (void *ud, const uint8_t *hash32, int64_t now),
     (UD, hash32, now))
PASS(token_revoke, (void *ud, int64_t account_id, int32_t purpose, int64_t now),
     (UD, account_id, purpose, now))
PASS(captcha_insert, (void *ud, const chorusacct_captcha *c), (UD, c))
PASS(captcha_get, (void *ud, const uint8_t *id_hash32, chorusacct_captcha *out),
     (UD, id_hash32, out))
PASS(captcha_update, (void *ud, const chorusacct_captcha *c), (UD, c))
PASS(outbox_insert, (void *ud, chorusacct_message *m), (UD, m))
PASS(outbox_claim,
     (void *ud, int64_t now, int64_t lease_until, chorusacct_message *out,
      size_t max, size_t *count),
     (UD, now, lease_until, out, max, count))
PASS(outbox_update, (void *ud, const chorusacct_message *m), (UD, m))
PASS(outbox_list,
     (void *ud, int32_t status, int64_t after_id, chorusacct_message *out,
      size_t max, size_t *count),
     (UD, status, after_id, out, max, count))
PASS(event_append, (void *ud, chorusacct_event *e), (UD, e))
PASS(event_list,
     (void *ud, int64_t account_id, int64_t after_id, chorusacct_event *out,
      size_t max, size_t *count),
     (UD, account_id, after_id, out, max, count))
PASS(counter_add,
     (void *ud, const char *key, int64_t window, uint32_t delta,
      uint32_t *count),
     (UD, key, window, delta, count))
PASS(meta_get,
     (void *ud, const char *key, uint8_t *buf, size_t cap, size_t *len),
     (UD, key, buf, cap, len))
PASS(meta_set, (void *ud, const char *key, const uint8_t *value, size_t len),
     (UD, key, value, len))
PASS(gc, (void *ud, int64_t before), (UD, before))

#undef UD
#undef PASS

int chorusacct_faultstore_new(chorusacct_faultstore **out,
                              const chorusacct_storage_ops *inner,
                              uint64_t fail_at)
{
    if (out == NULL)
        return CHORUSACCT_E_ARG;
    *out = NULL;
    if (inner == NULL)
        return CHORUSACCT_E_ARG;
    fs_t *f = calloc(1, sizeof *f);
    if (f == NULL)
        return CHORUSACCT_E_NOMEM;
    if (chorusacct__storage_ops_copy(&f->inner, inner) != 0) {
        free(f);
        return CHORUSACCT_E_ARG;
    }
    f->fail_at = fail_at;
    *out = f;
    return CHORUSACCT_OK;
}

void chorusacct_faultstore_free(chorusacct_faultstore *fs)
{
    free(fs);
}

int chorusacct_faultstore_ops(chorusacct_storage_ops *out,
                              chorusacct_faultstore *fs)
{
    if (fs == NULL)
        return CHORUSACCT_E_ARG;
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_STORAGE_OPS);
    if (n == 0)
        return CHORUSACCT_E_ARG;
    chorusacct_storage_ops table, *ops = &table;
    memset(ops, 0, sizeof *ops);
    ops->struct_size = sizeof *ops;
    ops->user_data = fs;
    ops->begin = fs_begin;
    ops->commit = fs_commit;
    ops->rollback = fs_rollback;
    ops->account_insert = fs_account_insert;
    ops->account_get = fs_account_get;
    ops->account_find = fs_account_find;
    ops->account_update = fs_account_update;
    ops->account_delete = fs_account_delete;
    ops->account_list = fs_account_list;
    ops->structure_insert = fs_structure_insert;
    ops->structure_get = fs_structure_get;
    ops->structure_find = fs_structure_find;
    ops->structure_update = fs_structure_update;
    ops->structure_delete = fs_structure_delete;
    ops->token_insert = fs_token_insert;
    ops->token_get = fs_token_get;
    ops->token_consume = fs_token_consume;
    ops->token_revoke = fs_token_revoke;
    ops->captcha_insert = fs_captcha_insert;
    ops->captcha_get = fs_captcha_get;
    ops->captcha_update = fs_captcha_update;
    ops->outbox_insert = fs_outbox_insert;
    ops->outbox_claim = fs_outbox_claim;
    ops->outbox_update = fs_outbox_update;
    ops->outbox_list = fs_outbox_list;
    ops->event_append = fs_event_append;
    ops->event_list = fs_event_list;
    ops->counter_add = fs_counter_add;
    ops->meta_get = fs_meta_get;
    ops->meta_set = fs_meta_set;
    ops->gc = fs_gc;
    ops->destroy = NULL; /* the wrapper belongs to the caller */
    chorusacct__out_write(out, ops, n);
    return CHORUSACCT_OK;
}

uint64_t chorusacct_faultstore_calls(const chorusacct_faultstore *fs)
{
    return fs != NULL ? fs->calls : 0;
}

int chorusacct_faultstore_fired(const chorusacct_faultstore *fs)
{
    return fs != NULL ? fs->fired : 0;
}

void chorusacct_faultstore_reset(chorusacct_faultstore *fs, uint64_t fail_at)
{
    if (fs == NULL)
        return;
    fs->calls = 0;
    fs->fired = 0;
    fs->fail_at = fail_at;
}
