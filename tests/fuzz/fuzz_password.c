/*
 * libFuzzer target: the password policy and the personal check.
 *
 * The input is split at 0x00 bytes into password, e-mail, first name and
 * last name. For the policy it checks, against a reference decoder, that
 * invalid UTF-8 is reported alone, that SHORT and LONG follow the count
 * of code points, and that the reason is the most important failed rule.
 * For the personal check it compares, when everything is ASCII, with a
 * plain case-insensitive search.
 */
#include <chorusacct.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utf8_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_policy(const char *pw, size_t len)
{
    uint32_t failed = 0xdead, classes = 0xdead;
    int reason = 0;
    long cps = ref_utf8_count((const uint8_t *)pw, len);
    int rc = chorusacct_password_check(pw, len, &failed, &classes, &reason);
    if ((rc == CHORUSACCT_OK) != (failed == 0) ||
        (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_REJECTED) || classes > 15)
        abort();
    if (cps < 0) {
        if (failed != CHORUSACCT_PW_RULE_UTF8 || classes != 0 ||
            reason != CHORUSACCT_E_UTF8)
            abort();
        return;
    }
    if (((failed & CHORUSACCT_PW_RULE_SHORT) != 0) != (cps < 12) ||
        ((failed & CHORUSACCT_PW_RULE_LONG) != 0) != (cps > 1024))
        abort();
    unsigned nclasses = 0;
    for (uint32_t c = classes; c; c &= c - 1)
        nclasses++;
    if (((failed & CHORUSACCT_PW_RULE_CLASSES) != 0) != (nclasses < 3))
        abort();
    /* An ASCII control character is refused; ASCII otherwise is not. */
    bool ctl = false, ascii = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)pw[i];
        ctl |= c < 0x20 || c == 0x7f;
        ascii &= c < 0x80;
    }
    if (ascii && ((failed & CHORUSACCT_PW_RULE_CHARACTER) != 0) != ctl)
        abort();
    static const struct {
        uint32_t rule;
        int code;
    } order[] = {
        {CHORUSACCT_PW_RULE_CHARACTER, CHORUSACCT_E_PASSWORD_CHARACTER},
        {CHORUSACCT_PW_RULE_SHORT, CHORUSACCT_E_PASSWORD_SHORT},
        {CHORUSACCT_PW_RULE_LONG, CHORUSACCT_E_PASSWORD_LONG},
        {CHORUSACCT_PW_RULE_CLASSES, CHORUSACCT_E_PASSWORD_CLASSES},
    };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (failed & order[i].rule) {
            if (reason != order[i].code)
                abort();
            break;
        }
    if (failed &
        ~(uint32_t)(CHORUSACCT_PW_RULE_CHARACTER | CHORUSACCT_PW_RULE_SHORT |
                    CHORUSACCT_PW_RULE_LONG | CHORUSACCT_PW_RULE_CLASSES))
        abort();
}

static bool ascii_only(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool ascii_contains(const char *h, size_t hn, const char *nd, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t k = 0;
        while (k < nn && lower(h[i + k]) == lower(nd[k]))
            k++;
        if (k == nn)
            return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* pw \0 email \0 first \0 last */
    char buf[4][4096];
    size_t lens[4] = {0, 0, 0, 0}, part = 0;
    for (size_t i = 0; i < size && part < 4; i++) {
        if (data[i] == 0) {
            part++;
        } else if (lens[part] < sizeof buf[0] - 1) {
            buf[part][lens[part]++] = (char)data[i];
        }
    }
    for (size_t k = 0; k < 4; k++)
        buf[k][lens[k]] = '\0';

    check_policy((const char *)data, size);
    check_policy(buf[0], lens[0]);

    int reason = 0;
    const char *email = part >= 1 ? buf[1] : NULL;
    const char *first = part >= 2 ? buf[2] : NULL;
    const char *last = part >= 3 ? buf[3] : NULL;
    int rc = chorusacct_password_check_personal(buf[0], lens[0], email, first,
                                                last, &reason);
    bool ctx_ok = true;
    for (size_t k = 1; k < 4; k++)
        ctx_ok &= ref_utf8_count((const uint8_t *)buf[k], lens[k]) >= 0;
    long cps = ref_utf8_count((const uint8_t *)buf[0], lens[0]);
    if (!ctx_ok) {
        if (rc != CHORUSACCT_E_ARG)
            abort();
        return 0;
    }
    if (cps < 0) {
        if (rc != CHORUSACCT_E_REJECTED || reason != CHORUSACCT_E_UTF8)
            abort();
        return 0;
    }
    if (cps > 1024) {
        if (rc != CHORUSACCT_E_REJECTED || reason != CHORUSACCT_E_PASSWORD_LONG)
            abort();
        return 0;
    }
    if (rc != CHORUSACCT_OK && !(rc == CHORUSACCT_E_REJECTED &&
                                 reason == CHORUSACCT_E_PASSWORD_PERSONAL))
        abort();
    bool all_ascii = true;
    for (size_t k = 0; k < 4; k++)
        all_ascii &= ascii_only(buf[k], lens[k]);
    if (!all_ascii)
        return 0;
    bool want = false;
    for (size_t k = 1; k <= part && k < 4; k++) {
        const char *s = buf[k];
        size_t n = lens[k];
        if (k == 1) {
            const char *at = strrchr(s, '@');
            if (at != NULL)
                n = (size_t)(at - s);
        } else {
            while (n > 0 && *s == ' ')
                s++, n--;
            while (n > 0 && s[n - 1] == ' ')
                n--;
        }
        if (n >= 3 && ascii_contains(buf[0], lens[0], s, n))
            want = true;
    }
    if (want != (rc == CHORUSACCT_E_REJECTED))
        abort();
    return 0;
}
