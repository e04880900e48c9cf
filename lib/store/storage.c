/*
 * The storage callback table's initialiser. The check that a table the
 * application gives is complete is in lib/core/plumbing.c (the test kit
 * uses it too); the contract is documented in storage.h and
 * docs/storage.md, and lib/testkit/conformance.c tests it.
 */
#include "internal.h"

int chorusacct_storage_ops_init(chorusacct_storage_ops *ops, size_t struct_size)
{
    return chorusacct__struct_init(ops, struct_size, CA_V1_STORAGE_OPS);
}
