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
#include "storage_list.h"

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
CA_STORAGE_DATA_OPS(PASS)
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
#define SET(name, params, args) ops->name = fs_##name;
    CA_STORAGE_DATA_OPS(SET)
#undef SET
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
