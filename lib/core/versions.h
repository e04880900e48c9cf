/*
 * The first version of every versioned structure of the public headers:
 * the end of its last 0.1 member, the smallest `struct_size` the library
 * accepts from a caller and the most it writes for one built against 0.1.
 * These numbers are frozen: a structure grows only past its first version
 * (docs/abi.md, "Growing a structure or a table"), and the assertions
 * below fail the build if a 0.1 member moves. Included by internal.h.
 */
#ifndef CHORUSACCT_VERSIONS_H
#define CHORUSACCT_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

/* The end of `member` in `type`: the size of a version whose last member
   it is. */
#define CA_SIZE_TO(type, member)                                               \
    (offsetof(type, member) + sizeof(((type *)0)->member))

#define CA_V1_ACCOUNT CA_SIZE_TO(chorusacct_account, reason)
#define CA_V1_STRUCTURE CA_SIZE_TO(chorusacct_structure, company_name)
#define CA_V1_EVENT CA_SIZE_TO(chorusacct_event, reason)
#define CA_V1_ACCOUNT_QUERY                                                    \
    CA_SIZE_TO(chorusacct_account_query, after_expires_at)
#define CA_V1_SIGNUP CA_SIZE_TO(chorusacct_signup, lang)
#define CA_V1_SIGNUP_RESULT CA_SIZE_TO(chorusacct_signup_result, errors)
#define CA_V1_TOKEN_INFO CA_SIZE_TO(chorusacct_token_info, last_name)
#define CA_V1_SWEEP_RESULT CA_SIZE_TO(chorusacct_sweep_result, promoted)
#define CA_V1_CAPTCHA_OPS CA_SIZE_TO(chorusacct_captcha_ops, destroy)
#define CA_V1_ACTIVATION CA_SIZE_TO(chorusacct_activation, client_key)
#define CA_V1_CLOCK_OPS CA_SIZE_TO(chorusacct_clock_ops, destroy)
#define CA_V1_CONFIG CA_SIZE_TO(chorusacct_config, secret_len)
#define CA_V1_MAIL CA_SIZE_TO(chorusacct_mail, link)
#define CA_V1_MAILER_OPS CA_SIZE_TO(chorusacct_mailer_ops, destroy)
#define CA_V1_MESSAGE CA_SIZE_TO(chorusacct_message, last_error)
#define CA_V1_DELIVERY CA_SIZE_TO(chorusacct_delivery, cancelled)
#define CA_V1_SMTP_CONFIG CA_SIZE_TO(chorusacct_smtp_config, ca_file)
#define CA_V1_RANDOM_OPS CA_SIZE_TO(chorusacct_random_ops, destroy)
#define CA_V1_TOKEN CA_SIZE_TO(chorusacct_token, hash)
#define CA_V1_CAPTCHA CA_SIZE_TO(chorusacct_captcha, answer_hash)
#define CA_V1_STORAGE_OPS CA_SIZE_TO(chorusacct_storage_ops, destroy)
#define CA_V1_LOG_EVENT CA_SIZE_TO(chorusacct_log_event, duration_ns)
#define CA_V1_LOG_OPS CA_SIZE_TO(chorusacct_log_ops, destroy)

/* The sizes as 0.1 froze them, on the 64-bit targets it is built and
   tested on (a 32-bit target has smaller pointers: other numbers, as
   frozen by its first build). */
#if SIZE_MAX == UINT64_MAX
_Static_assert(CA_V1_ACCOUNT == 2896, "chorusacct_account: a 0.1 member moved");
_Static_assert(CA_V1_STRUCTURE == 564,
               "chorusacct_structure: a 0.1 member moved");
_Static_assert(CA_V1_EVENT == 1072, "chorusacct_event: a 0.1 member moved");
_Static_assert(CA_V1_ACCOUNT_QUERY == 48,
               "chorusacct_account_query: a 0.1 member moved");
_Static_assert(CA_V1_SIGNUP == 104, "chorusacct_signup: a 0.1 member moved");
_Static_assert(CA_V1_SIGNUP_RESULT == 160,
               "chorusacct_signup_result: a 0.1 member moved");
_Static_assert(CA_V1_TOKEN_INFO == 1088,
               "chorusacct_token_info: a 0.1 member moved");
_Static_assert(CA_V1_SWEEP_RESULT == 16,
               "chorusacct_sweep_result: a 0.1 member moved");
_Static_assert(CA_V1_CAPTCHA_OPS == 32,
               "chorusacct_captcha_ops: a 0.1 member moved");
_Static_assert(CA_V1_ACTIVATION == 56,
               "chorusacct_activation: a 0.1 member moved");
_Static_assert(CA_V1_CLOCK_OPS == 32,
               "chorusacct_clock_ops: a 0.1 member moved");
_Static_assert(CA_V1_CONFIG == 176, "chorusacct_config: a 0.1 member moved");
_Static_assert(CA_V1_MAIL == 72, "chorusacct_mail: a 0.1 member moved");
_Static_assert(CA_V1_MAILER_OPS == 32,
               "chorusacct_mailer_ops: a 0.1 member moved");
_Static_assert(CA_V1_MESSAGE == 9032, "chorusacct_message: a 0.1 member moved");
_Static_assert(CA_V1_DELIVERY == 20, "chorusacct_delivery: a 0.1 member moved");
_Static_assert(CA_V1_SMTP_CONFIG == 72,
               "chorusacct_smtp_config: a 0.1 member moved");
_Static_assert(CA_V1_RANDOM_OPS == 32,
               "chorusacct_random_ops: a 0.1 member moved");
_Static_assert(CA_V1_TOKEN == 72, "chorusacct_token: a 0.1 member moved");
_Static_assert(CA_V1_CAPTCHA == 96, "chorusacct_captcha: a 0.1 member moved");
_Static_assert(CA_V1_STORAGE_OPS == 272,
               "chorusacct_storage_ops: a 0.1 member moved");
_Static_assert(CA_V1_LOG_EVENT == 40,
               "chorusacct_log_event: a 0.1 member moved");
_Static_assert(CA_V1_LOG_OPS == 32, "chorusacct_log_ops: a 0.1 member moved");
#endif

#endif /* CHORUSACCT_VERSIONS_H */
