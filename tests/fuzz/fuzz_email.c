/*
 * libFuzzer target: the e-mail validator and comparison helper.
 *
 * The validator's verdict and reason are compared with a reference
 * written here independently of lib/validate/email.c, without PCRE2, from the
 * rules of docs/validators.md; a normalized address must validate to
 * itself and be the same login as the input; a too-small buffer is never
 * written past its capacity.
 */
#include <chorusacct.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* The reason the rules give, or 0 for a valid address. */
static int reference(const uint8_t *s, size_t n)
{
    if (n == 0)
        return CHORUSACCT_E_EMPTY;
    for (size_t i = 0; i < n; i++)
        if (s[i] > 0x7F)
            return CHORUSACCT_E_EMAIL_NONASCII;
    const uint8_t *at = memchr(s, '@', n);
    if (at == NULL || memchr(at + 1, '@', n - (size_t)(at - s) - 1) != NULL)
        return CHORUSACCT_E_EMAIL_AT;
    size_t local = (size_t)(at - s), dom = n - local - 1;
    if (local < 1 || local > 64)
        return CHORUSACCT_E_EMAIL_LOCAL_LENGTH;
    if (dom > 253)
        return CHORUSACCT_E_EMAIL_DOMAIN_LENGTH;
    if (n > 254)
        return CHORUSACCT_E_EMAIL_LENGTH;
    /* Local part: atoms separated by single dots. */
    size_t atom = 0;
    for (size_t i = 0; i <= local; i++) {
        if (i == local || s[i] == '.') {
            if (atom == 0)
                return CHORUSACCT_E_EMAIL_LOCAL;
            atom = 0;
        } else if (alnum(s[i]) ||
                   (s[i] != 0 && strchr("!#$%&'*+/=?^_`{|}~-", s[i]))) {
            atom++;
        } else {
            return CHORUSACCT_E_EMAIL_LOCAL;
        }
    }
    /* No RFC 2047 encoded word in the local part. */
    for (size_t i = 0; i + 1 < local; i++)
        if (s[i] == '=' && s[i + 1] == '?')
            return CHORUSACCT_E_EMAIL_ENCODED;
    /* Domain: split into labels first. */
    const uint8_t *d = at + 1;
    size_t starts[256], lens[256], nl = 0, cur = 0;
    starts[0] = 0;
    for (size_t i = 0; i <= dom; i++) {
        if (i == dom || d[i] == '.') {
            if (cur == 0)
                return CHORUSACCT_E_EMAIL_DOMAIN;
            lens[nl++] = cur;
            cur = 0;
            starts[nl] = i + 1;
        } else if (alnum(d[i]) || d[i] == '-') {
            cur++;
        } else {
            return CHORUSACCT_E_EMAIL_DOMAIN;
        }
    }
    if (nl < 2)
        return CHORUSACCT_E_EMAIL_DOMAIN;
    for (size_t k = 0; k < nl; k++)
        if (lens[k] > 63 || d[starts[k]] == '-' ||
            d[starts[k] + lens[k] - 1] == '-')
            return CHORUSACCT_E_EMAIL_LABEL;
    size_t k = nl - 1, digits = 0;
    for (size_t i = 0; i < lens[k]; i++)
        digits += d[starts[k] + i] >= '0' && d[starts[k] + i] <= '9';
    if (digits == lens[k])
        return CHORUSACCT_E_EMAIL_TLD;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char out[300], again[300];
    size_t n = 0, n2 = 0;
    int reason = 0;

    int want = reference(data, size);
    int rc = chorusacct_email_check(in, size, 0, out, sizeof out, &n, &reason);
    if (want == 0) {
        if (rc != CHORUSACCT_OK || n != size || strlen(out) != n)
            abort();
        /* Local part as is, domain lower-cased. */
        const char *at = memchr(in, '@', size);
        size_t local = (size_t)(at - in);
        if (memcmp(out, in, local + 1) != 0)
            abort();
        for (size_t i = local + 1; i < size; i++)
            if (out[i] != ((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]))
                abort();
        if (chorusacct_email_check(out, n, 0, again, sizeof again, &n2,
                                   &reason) != CHORUSACCT_OK ||
            n2 != n || memcmp(out, again, n) != 0)
            abort();
        if (chorusacct_email_same(in, size, out, n) != 1)
            abort();
        memset(again, 0x5a, sizeof again);
        if (chorusacct_email_check(in, size, 0, again, n, &n2, NULL) !=
                CHORUSACCT_E_TOOSMALL ||
            n2 != n || again[0] != '\0' || again[n] != 0x5a)
            abort();
    } else if (rc != CHORUSACCT_E_REJECTED || reason != want || n != 0 ||
               out[0] != '\0') {
        abort();
    }

    /* The comparison: reflexive, symmetric, case-blind on ASCII only. */
    if (chorusacct_email_same(in, size, in, size) != 1)
        abort();
    if (size > 0) {
        char flip[4096];
        size_t m = size < sizeof flip ? size : sizeof flip;
        memcpy(flip, in, m);
        flip[0] ^= 0x20;
        int same = chorusacct_email_same(in, m, flip, m);
        bool letter = ((unsigned char)in[0] | 0x20) >= 'a' &&
                      ((unsigned char)in[0] | 0x20) <= 'z';
        if (same != (letter ? 1 : 0) ||
            same != chorusacct_email_same(flip, m, in, m))
            abort();
    }
    return 0;
}
