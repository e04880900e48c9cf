/*
 * What the mail tests (test_mailer, test_internal_templates) know of the
 * mails independently of the library: the kinds of mail and the
 * placeholders docs/ documents; and, for checking the texts, the strict
 * UTF-8 decoder the fuzz targets use, ref_utf8_count().
 *
 * Header only: the arrays are static.
 */
#ifndef CHORUSACCT_MAILTEXT_H
#define CHORUSACCT_MAILTEXT_H

#include <stddef.h>

#include <chorusacct.h>

#include "fuzz/utf8_ref.h"

static const int all_kinds[] = {
    CHORUSACCT_MAIL_SUMMARY,          CHORUSACCT_MAIL_ACTIVATION,
    CHORUSACCT_MAIL_APPROVAL_REQUEST, CHORUSACCT_MAIL_APPROVED,
    CHORUSACCT_MAIL_REJECTED,         CHORUSACCT_MAIL_REMINDER,
    CHORUSACCT_MAIL_ALREADY_EXISTS,   CHORUSACCT_MAIL_CLAIM_NOTICE,
    CHORUSACCT_MAIL_CONFIRM_REQUEST,
};

static const char *const documented[] = {
    "first_name",      "last_name",       "login_email", "contact_email",
    "phone",           "company_name",    "identifier",  "id_type",
    "account_id",      "state",           "reason",      "applicant_name",
    "applicant_email", "expires_minutes", "portal",      "link",
};

#endif
