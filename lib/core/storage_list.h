/*
 * The data operations of chorusacct_storage_ops (every member but
 * begin, commit, rollback and destroy), as one list, for the wrappers
 * that forward every operation to another table: the test kit's fault
 * store (lib/testkit/faultstore.c) and the context's timing of storage
 * for its log (lib/flow/log.c). X(name, params, args): `params` names the
 * first parameter `ud`; `args` passes UD, which the user defines, first.
 * A new member of the table goes here too, at its place.
 */
#ifndef CHORUSACCT_STORAGE_LIST_H
#define CHORUSACCT_STORAGE_LIST_H

#define CA_STORAGE_DATA_OPS(X)                                                 \
    X(account_insert, (void *ud, chorusacct_account *a), (UD, a))              \
    X(account_get, (void *ud, int64_t id, chorusacct_account *out),            \
      (UD, id, out))                                                           \
    X(account_find,                                                            \
      (void *ud, const char *email_key, chorusacct_account *out),              \
      (UD, email_key, out))                                                    \
    X(account_update, (void *ud, chorusacct_account *a), (UD, a))              \
    X(account_delete, (void *ud, int64_t id), (UD, id))                        \
    X(account_list,                                                            \
      (void *ud, const chorusacct_account_query *q, chorusacct_account *out,   \
       size_t max, size_t *count),                                             \
      (UD, q, out, max, count))                                                \
    X(structure_insert, (void *ud, chorusacct_structure *s), (UD, s))          \
    X(structure_get, (void *ud, int64_t id, chorusacct_structure *out),        \
      (UD, id, out))                                                           \
    X(structure_find,                                                          \
      (void *ud, int32_t id_type, const char *identifier,                      \
       chorusacct_structure *out),                                             \
      (UD, id_type, identifier, out))                                          \
    X(structure_update, (void *ud, const chorusacct_structure *s), (UD, s))    \
    X(structure_delete, (void *ud, int64_t id), (UD, id))                      \
    X(token_insert, (void *ud, const chorusacct_token *t), (UD, t))            \
    X(token_get, (void *ud, const uint8_t *hash32, chorusacct_token *out),     \
      (UD, hash32, out))                                                       \
    X(token_consume, (void *ud, const uint8_t *hash32, int64_t now),           \
      (UD, hash32, now))                                                       \
    X(token_revoke,                                                            \
      (void *ud, int64_t account_id, int32_t purpose, int64_t now),            \
      (UD, account_id, purpose, now))                                          \
    X(captcha_insert, (void *ud, const chorusacct_captcha *c), (UD, c))        \
    X(captcha_get,                                                             \
      (void *ud, const uint8_t *id_hash32, chorusacct_captcha *out),           \
      (UD, id_hash32, out))                                                    \
    X(captcha_update, (void *ud, const chorusacct_captcha *c), (UD, c))        \
    X(outbox_insert, (void *ud, chorusacct_message *m), (UD, m))               \
    X(outbox_claim,                                                            \
      (void *ud, int64_t now, int64_t lease_until, chorusacct_message *out,    \
       size_t max, size_t *count),                                             \
      (UD, now, lease_until, out, max, count))                                 \
    X(outbox_update, (void *ud, const chorusacct_message *m), (UD, m))         \
    X(outbox_list,                                                             \
      (void *ud, int32_t status, int64_t after_id, chorusacct_message *out,    \
       size_t max, size_t *count),                                             \
      (UD, status, after_id, out, max, count))                                 \
    X(event_append, (void *ud, chorusacct_event *e), (UD, e))                  \
    X(event_list,                                                              \
      (void *ud, int64_t account_id, int64_t after_id, chorusacct_event *out,  \
       size_t max, size_t *count),                                             \
      (UD, account_id, after_id, out, max, count))                             \
    X(counter_add,                                                             \
      (void *ud, const char *key, int64_t window, uint32_t delta,              \
       uint32_t *count),                                                       \
      (UD, key, window, delta, count))                                         \
    X(meta_get,                                                                \
      (void *ud, const char *key, uint8_t *buf, size_t cap, size_t *len),      \
      (UD, key, buf, cap, len))                                                \
    X(meta_set, (void *ud, const char *key, const uint8_t *value, size_t len), \
      (UD, key, value, len))                                                   \
    X(gc, (void *ud, int64_t before), (UD, before))

#endif
