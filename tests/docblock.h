/*
 * The names that the C fragments of README.md and of the pages in docs/ take as
 * given, declared for tests/check-code-blocks.py, which compiles each
 * fragment after this header (compiled only: nothing here is defined).
 */
#ifndef CHORUSACCT_DOCBLOCK_H
#define CHORUSACCT_DOCBLOCK_H

#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern chorusacct_ctx *ctx;
extern chorusacct_config cfg;
extern chorusacct_memstore *ms;
extern chorusacct_faultstore *fs;
extern int rc;
extern uint8_t before[CHORUSACCT_DIGEST_SIZE], after[CHORUSACCT_DIGEST_SIZE];
extern int64_t account_id, manager_id;

/* A typed value and the buffer for its normalized form. */
extern const char *in;
extern size_t len, n;
extern char buf[32];
extern const char *password, *my_subject, *my_body;

/* The application's side: showing errors, its own storage backend. */
void show_under(int field, const char *message);
void show_under_field(const char *message);
void report_failure(int rc);
extern void *my_db;
int my_begin(void *ud);
void my_close(void *ud);
void my_backend_open_empty(chorusacct_storage_ops *ops);
void my_backend_second_connection(chorusacct_storage_ops *ops);
int run_the_operation(chorusacct_ctx *ctx);

#endif
