/*
 * The damaged-row part of the storage contract (storage.h, "Damaged
 * rows"; issue 12, point 7), for the SQL backends' tests: a generic
 * check cannot damage a row, so each backend's test gives a function of
 * its own that does (an UPDATE around the backend). Three pending
 * messages, the middle one damaged: listing and claiming hand out all
 * three, the damaged one dead with the reason, the others as stored, and
 * the library's outbox_update records it dead. Public API only; cmocka
 * assertions.
 */
#ifndef CHORUSACCT_DAMAGECHECK_H
#define CHORUSACCT_DAMAGECHECK_H

#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include <chorusacct.h>

static inline void damage_msg(chorusacct_message *m, unsigned seed)
{
    memset(m, 0, sizeof *m);
    m->struct_size = (uint32_t)sizeof *m;
    m->kind = CHORUSACCT_MAIL_SUMMARY;
    m->account_id = 900 + seed;
    m->lang = CHORUSACCT_LANG_FR;
    m->status = CHORUSACCT_MSG_PENDING;
    m->created_at = m->next_attempt_at = 1700000000 + seed;
    snprintf(m->to, sizeof m->to, "damaged%u@example.fr", seed);
    snprintf(m->subject, sizeof m->subject, "Objet %u", seed);
    snprintf(m->body, sizeof m->body, "Corps %u\n", seed);
}

/* `damage(ud, id)` spoils the stored row of message `id`; `ops` must hold
 * no pending message. */
static inline void damaged_rows_check(const chorusacct_storage_ops *ops,
                                      int (*damage)(void *, int64_t), void *ud)
{
    static const char reason[] = "stored row does not decode (";
    static chorusacct_message m[3], out[8];
    void *st = ops->user_data;
    for (unsigned i = 0; i < 3; i++) {
        damage_msg(&m[i], i);
        assert_code(ops->outbox_insert(st, &m[i]), CHORUSACCT_OK, NULL);
    }
    assert_code(damage(ud, m[1].id), CHORUSACCT_OK, NULL);

    size_t n = 0;
    out[0].struct_size = (uint32_t)sizeof out[0];
    assert_code(ops->outbox_list(st, 0, m[0].id - 1, out, 8, &n), CHORUSACCT_OK,
                NULL);
    assert_int_equal(n, 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(out[i].id, m[i].id);
    assert_int_equal(out[0].status, CHORUSACCT_MSG_PENDING);
    assert_string_equal(out[0].body, m[0].body);
    assert_string_equal(out[2].subject, m[2].subject);
    assert_int_equal(out[1].status, CHORUSACCT_MSG_DEAD);
    assert_int_equal(strncmp(out[1].last_error, reason, sizeof reason - 1), 0);
    assert_string_equal(out[1].to, m[1].to);

    /* Claimed with the others, and recorded dead as the library does. */
    assert_code(ops->begin(st), CHORUSACCT_OK, NULL);
    out[0].struct_size = (uint32_t)sizeof out[0];
    assert_code(ops->outbox_claim(st, INT64_C(1800000000), INT64_C(1800000060),
                                  out, 8, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 3);
    assert_int_equal(out[1].id, m[1].id);
    assert_int_equal(out[1].status, CHORUSACCT_MSG_DEAD);
    assert_int_equal(strncmp(out[1].last_error, reason, sizeof reason - 1), 0);
    assert_int_equal(out[0].status, CHORUSACCT_MSG_PENDING);
    assert_int_equal(out[2].status, CHORUSACCT_MSG_PENDING);
    out[1].lease_until = 0;
    assert_code(ops->outbox_update(st, &out[1]), CHORUSACCT_OK, NULL);
    assert_code(ops->commit(st), CHORUSACCT_OK, NULL);
    out[0].struct_size = (uint32_t)sizeof out[0];
    assert_code(
        ops->outbox_list(st, CHORUSACCT_MSG_DEAD, m[0].id - 1, out, 8, &n),
        CHORUSACCT_OK, NULL);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, m[1].id);
}

#endif
