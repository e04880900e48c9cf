/*
 * What the mail tests (test_mailer, test_internal_templates) know of the
 * mails independently of the library: the kinds of mail, the placeholders
 * docs/ documents, and a strict UTF-8 decoder of their own.
 *
 * Header only: the arrays are static, the decoder static inline.
 */
#ifndef CHORUSACCT_MAILTEXT_H
#define CHORUSACCT_MAILTEXT_H

#include <stddef.h>

#include <chorusacct.h>

static const int all_kinds[] = {
    CHORUSACCT_MAIL_SUMMARY,  CHORUSACCT_MAIL_ACTIVATION,
    CHORUSACCT_MAIL_APPROVAL_REQUEST, CHORUSACCT_MAIL_APPROVED,
    CHORUSACCT_MAIL_REJECTED, CHORUSACCT_MAIL_REMINDER,
    CHORUSACCT_MAIL_ALREADY_EXISTS,
};

static const char *const documented[] = {
    "first_name",      "last_name",  "login_email",    "contact_email",
    "phone",           "company_name", "identifier",   "id_type",
    "account_id",      "state",      "reason",         "applicant_name",
    "applicant_email", "expires_minutes", "portal",    "link",
};

/* Code points of a valid UTF-8 line, or -1 if it is not valid (a strict
 * decoder: no overlong forms, surrogates or values past U+10FFFF). */
static inline long utf8_count(const unsigned char *s, size_t n)
{
    long count = 0;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t len;
        unsigned long cp;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return -1;
        }
        if (i + len > n)
            return -1;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return -1;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return -1;
        count++;
        i += len;
    }
    return count;
}

#endif
