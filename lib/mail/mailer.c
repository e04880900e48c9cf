/*
 * The mailer area's small pieces: the table initialiser and the machine
 * names of kinds and statuses. Delivery lives with the outbox, templates
 * in templates.c, the capturing mailer in testmailer.c.
 */
#include "internal.h"

int chorusacct_mailer_ops_init(chorusacct_mailer_ops *ops, size_t struct_size)
{
    return chorusacct__struct_init(ops, struct_size, CA_V1_MAILER_OPS);
}

/* Indexed by the enum values, which are stable; gaps read as NULL, which
 * the getters answer as unknown. */
static const char *const kind_names[] = {
    [CHORUSACCT_MAIL_SUMMARY] = "summary",
    [CHORUSACCT_MAIL_ACTIVATION] = "activation",
    [CHORUSACCT_MAIL_APPROVAL_REQUEST] = "approval_request",
    [CHORUSACCT_MAIL_APPROVED] = "approved",
    [CHORUSACCT_MAIL_REJECTED] = "rejected",
    [CHORUSACCT_MAIL_REMINDER] = "reminder",
    [CHORUSACCT_MAIL_ALREADY_EXISTS] = "already_exists",
    [CHORUSACCT_MAIL_CLAIM_NOTICE] = "claim_notice",
    [CHORUSACCT_MAIL_CONFIRM_REQUEST] = "confirm_request",
};

static const char *const status_names[] = {
    [CHORUSACCT_MSG_PENDING] = "pending",
    [CHORUSACCT_MSG_SENT] = "sent",
    [CHORUSACCT_MSG_DEAD] = "dead",
    [CHORUSACCT_MSG_CANCELLED] = "cancelled",
};

const char *chorusacct_mail_kind_name(int kind)
{
    if (kind < 0 || (size_t)kind >= CA_ARRAY_LEN(kind_names) ||
        kind_names[kind] == NULL)
        return CA_UNKNOWN_NAME;
    return kind_names[kind];
}

const char *chorusacct_message_status_name(int status)
{
    if (status < 0 || (size_t)status >= CA_ARRAY_LEN(status_names) ||
        status_names[status] == NULL)
        return CA_UNKNOWN_NAME;
    return status_names[status];
}
