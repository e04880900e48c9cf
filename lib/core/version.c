/* Run-time version, optional parts and structure sizes, so that a program
 * or a binding can compare the library it loaded with the headers it was
 * written for. */
#include "internal.h"

const char *chorusacct_version(void)
{
    return CHORUSACCT_VERSION_STRING;
}

uint32_t chorusacct_version_number(void)
{
    return (uint32_t)CHORUSACCT_VERSION_NUMBER;
}

int chorusacct_feature_available(int feature)
{
    switch (feature) {
    case CHORUSACCT_FEATURE_SMTP:
        return CHORUSACCT_HAS_SMTP;
    case CHORUSACCT_FEATURE_POSTGRES:
        return CHORUSACCT_HAS_POSTGRES;
    default:
        return 0;
    }
}

static const struct {
    int type;
    size_t size;
    const char *name;
} types[] = {
    {CHORUSACCT_TYPE_ACCOUNT, sizeof(chorusacct_account), "account"},
    {CHORUSACCT_TYPE_STRUCTURE, sizeof(chorusacct_structure), "structure"},
    {CHORUSACCT_TYPE_EVENT, sizeof(chorusacct_event), "event"},
    {CHORUSACCT_TYPE_ACCOUNT_QUERY, sizeof(chorusacct_account_query),
     "account_query"},
    {CHORUSACCT_TYPE_SIGNUP, sizeof(chorusacct_signup), "signup"},
    {CHORUSACCT_TYPE_SIGNUP_RESULT, sizeof(chorusacct_signup_result),
     "signup_result"},
    {CHORUSACCT_TYPE_TOKEN_INFO, sizeof(chorusacct_token_info), "token_info"},
    {CHORUSACCT_TYPE_SWEEP_RESULT, sizeof(chorusacct_sweep_result),
     "sweep_result"},
    {CHORUSACCT_TYPE_CAPTCHA_OPS, sizeof(chorusacct_captcha_ops),
     "captcha_ops"},
    {CHORUSACCT_TYPE_ACTIVATION, sizeof(chorusacct_activation), "activation"},
    {CHORUSACCT_TYPE_CLOCK_OPS, sizeof(chorusacct_clock_ops), "clock_ops"},
    {CHORUSACCT_TYPE_CONFIG, sizeof(chorusacct_config), "config"},
    {CHORUSACCT_TYPE_MAIL, sizeof(chorusacct_mail), "mail"},
    {CHORUSACCT_TYPE_MAILER_OPS, sizeof(chorusacct_mailer_ops), "mailer_ops"},
    {CHORUSACCT_TYPE_MESSAGE, sizeof(chorusacct_message), "message"},
    {CHORUSACCT_TYPE_DELIVERY, sizeof(chorusacct_delivery), "delivery"},
    {CHORUSACCT_TYPE_SMTP_CONFIG, sizeof(chorusacct_smtp_config),
     "smtp_config"},
    {CHORUSACCT_TYPE_RANDOM_OPS, sizeof(chorusacct_random_ops), "random_ops"},
    {CHORUSACCT_TYPE_TOKEN, sizeof(chorusacct_token), "token"},
    {CHORUSACCT_TYPE_CAPTCHA, sizeof(chorusacct_captcha), "captcha"},
    {CHORUSACCT_TYPE_STORAGE_OPS, sizeof(chorusacct_storage_ops),
     "storage_ops"},
    {CHORUSACCT_TYPE_LOG_EVENT, sizeof(chorusacct_log_event), "log_event"},
    {CHORUSACCT_TYPE_LOG_OPS, sizeof(chorusacct_log_ops), "log_ops"},
};

/* The table is in type order, from 1: the type is its index plus one. */
_Static_assert(sizeof types / sizeof types[0] == CHORUSACCT_TYPE_LOG_OPS,
               "one row per chorusacct_type");

size_t chorusacct_type_size(int type)
{
    if (type < 1 || (size_t)type > sizeof types / sizeof types[0])
        return 0;
    return types[type - 1].size;
}

const char *chorusacct_type_name(int type)
{
    if (type < 1 || (size_t)type > sizeof types / sizeof types[0])
        return "unknown";
    return types[type - 1].name;
}
