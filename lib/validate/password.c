/*
 * The password policy: length in code points, forbidden categories and
 * character classes, all from one pass of a strict UTF-8 decoder over
 * the classes that PCRE2's Unicode properties give (lib/validate/unicode.h);
 * and the personal-information check, with simple case folding.
 *
 * Rules: docs/validators.md.
 */
#include "internal.h"
#include "unicode.h"

#include <sodium.h>
#include <string.h>

#define PW_MIN_CP 12
#define PW_MAX_CP 1024
#define PW_MIN_CLASSES 3
#define PERSONAL_MIN_CP 3

size_t chorusacct_password_min_len(void)
{
    return PW_MIN_CP;
}

size_t chorusacct_password_max_len(void)
{
    return PW_MAX_CP;
}

/* Password class bit of each CA_UC_* class; forbidden code points count
 * in none. */
static const uint8_t class_bit[] = {
    [CA_UC_FORBIDDEN] = 0,
    [CA_UC_UPPER] = CHORUSACCT_PW_CLASS_UPPER,
    [CA_UC_LOWER] = CHORUSACCT_PW_CLASS_LOWER,
    [CA_UC_DIGIT] = CHORUSACCT_PW_CLASS_DIGIT,
    [CA_UC_LETTER] = CHORUSACCT_PW_CLASS_SPECIAL,
    [CA_UC_MARK] = CHORUSACCT_PW_CLASS_SPECIAL,
    [CA_UC_OTHER] = CHORUSACCT_PW_CLASS_SPECIAL,
};

static void put_u32(uint32_t *p, uint32_t v)
{
    if (p != NULL)
        *p = v;
}

int chorusacct_password_check(const char *pw, size_t len, uint32_t *failed,
                              uint32_t *classes, int *reason)
{
    if (pw == NULL && len > 0) {
        put_u32(failed, 0);
        put_u32(classes, 0);
        return CHORUSACCT_E_ARG;
    }
    const unsigned char *s = (const unsigned char *)pw;
    size_t n = 0;
    unsigned seen = 0; /* bit per CA_UC_* class met */
    for (size_t i = 0; i < len; n++) {
        uint32_t c = s[i];
        if (c < 0x80) {
            i++;
        } else {
            size_t k = ca_utf8_decode(s + i, len - i, &c);
            if (k == 0) {
                put_u32(failed, CHORUSACCT_PW_RULE_UTF8);
                put_u32(classes, 0);
                return ca_reject(reason, CHORUSACCT_E_UTF8);
            }
            i += k;
        }
        seen |= 1u << ca_uclass(c);
    }

    uint32_t cls = 0;
    for (unsigned u = 0; u < CA_ARRAY_LEN(class_bit); u++)
        if (seen & (1u << u))
            cls |= class_bit[u];
    unsigned nclasses = 0;
    for (uint32_t b = cls; b != 0; b &= b - 1)
        nclasses++;

    uint32_t bad = 0;
    int why = 0;
    /* Set from the least important rule up, so that `why` ends as the
     * most important one. */
    if (nclasses < PW_MIN_CLASSES) {
        bad |= CHORUSACCT_PW_RULE_CLASSES;
        why = CHORUSACCT_E_PASSWORD_CLASSES;
    }
    if (n > PW_MAX_CP) {
        bad |= CHORUSACCT_PW_RULE_LONG;
        why = CHORUSACCT_E_PASSWORD_LONG;
    }
    if (n < PW_MIN_CP) {
        bad |= CHORUSACCT_PW_RULE_SHORT;
        why = CHORUSACCT_E_PASSWORD_SHORT;
    }
    if (seen & (1u << CA_UC_FORBIDDEN)) {
        bad |= CHORUSACCT_PW_RULE_CHARACTER;
        why = CHORUSACCT_E_PASSWORD_CHARACTER;
    }
    put_u32(failed, bad);
    put_u32(classes, cls);
    return bad != 0 ? ca_reject(reason, why) : CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Personal information                                                 */

/* A context string to look for: bytes [0, len), valid UTF-8. */
typedef struct {
    const unsigned char *s;
    size_t len;
} needle;

/* Counts the code points of a context string; -1 if not valid UTF-8. */
static long count_cp(const unsigned char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; n++) {
        uint32_t c;
        size_t k = ca_utf8_decode(s + i, len - i, &c);
        if (k == 0)
            return -1;
        i += k;
    }
    return n;
}

/* Whether the folded password hay[0..n) contains the needle, folded on
 * the fly (it is not secret, and may be of any length). */
static bool contains(const uint32_t *hay, size_t n, needle nd, size_t ncp)
{
    uint32_t first = 0;
    size_t k0 = ca_utf8_decode(nd.s, nd.len, &first);
    first = chorusacct__fold(first);
    for (size_t i = 0; i + ncp <= n; i++) {
        if (hay[i] != first)
            continue;
        size_t j = i + 1, p = k0;
        while (p < nd.len) {
            uint32_t c = 0;
            p += ca_utf8_decode(nd.s + p, nd.len - p, &c);
            if (chorusacct__fold(c) != hay[j])
                break;
            j++;
        }
        if (p >= nd.len && j == i + ncp)
            return true;
    }
    return false;
}

static needle name_needle(const char *name)
{
    needle nd = {(const unsigned char *)name, 0};
    if (name == NULL)
        return nd;
    while (*nd.s == ' ')
        nd.s++;
    nd.len = strlen((const char *)nd.s);
    while (nd.len > 0 && nd.s[nd.len - 1] == ' ')
        nd.len--;
    return nd;
}

static needle email_needle(const char *email)
{
    needle nd = {(const unsigned char *)email, 0};
    if (email == NULL)
        return nd;
    const char *at = strrchr(email, '@');
    nd.len = at != NULL ? (size_t)(at - email) : strlen(email);
    return nd;
}

int chorusacct_password_check_personal(const char *pw, size_t len,
                                       const char *login_email,
                                       const char *first_name,
                                       const char *last_name, int *reason)
{
    if (pw == NULL && len > 0)
        return CHORUSACCT_E_ARG;
    const needle needles[3] = {email_needle(login_email),
                               name_needle(first_name), name_needle(last_name)};
    long ncp[3];
    for (size_t k = 0; k < 3; k++) {
        ncp[k] = count_cp(needles[k].s, needles[k].len);
        if (ncp[k] < 0)
            return CHORUSACCT_E_ARG;
    }
    /* The domain is not looked for, but the whole address must be text. */
    if (login_email != NULL) {
        const char *dom = login_email + needles[0].len;
        if (count_cp((const unsigned char *)dom, strlen(dom)) < 0)
            return CHORUSACCT_E_ARG;
    }

    /* The folded copy of the password: wiped on every way out. */
    uint32_t folded[PW_MAX_CP];
    const unsigned char *s = (const unsigned char *)pw;
    size_t n = 0;
    int why = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c;
        size_t k = ca_utf8_decode(s + i, len - i, &c);
        if (k == 0) {
            /* Malformed text wins over length, wherever it stands, as in
             * chorusacct_password_check(). */
            why = CHORUSACCT_E_UTF8;
            break;
        }
        if (n == PW_MAX_CP)
            why = CHORUSACCT_E_PASSWORD_LONG; /* decode on, for UTF-8 */
        else
            folded[n++] = chorusacct__fold(c);
        i += k;
    }
    for (size_t k = 0; k < 3 && why == 0; k++)
        if (ncp[k] >= PERSONAL_MIN_CP &&
            contains(folded, n, needles[k], (size_t)ncp[k]))
            why = CHORUSACCT_E_PASSWORD_PERSONAL;
    sodium_memzero(folded, n * sizeof folded[0]);
    return why != 0 ? ca_reject(reason, why) : CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Texts                                                                */

const char *chorusacct_password_rule_text(uint32_t rule, int lang)
{
    int code;
    switch (rule) {
    case CHORUSACCT_PW_RULE_UTF8:
        code = CHORUSACCT_E_UTF8;
        break;
    case CHORUSACCT_PW_RULE_CHARACTER:
        code = CHORUSACCT_E_PASSWORD_CHARACTER;
        break;
    case CHORUSACCT_PW_RULE_SHORT:
        code = CHORUSACCT_E_PASSWORD_SHORT;
        break;
    case CHORUSACCT_PW_RULE_LONG:
        code = CHORUSACCT_E_PASSWORD_LONG;
        break;
    case CHORUSACCT_PW_RULE_CLASSES:
        code = CHORUSACCT_E_PASSWORD_CLASSES;
        break;
    case CHORUSACCT_PW_RULE_PERSONAL:
        code = CHORUSACCT_E_PASSWORD_PERSONAL;
        break;
    default:
        return "";
    }
    return chorusacct_strerror(code, lang);
}

const char *chorusacct_password_class_name(uint32_t cls, int lang)
{
    switch (cls) {
    case CHORUSACCT_PW_CLASS_UPPER:
        return ca_lang_pick(lang, "upper-case letters", "lettres majuscules");
    case CHORUSACCT_PW_CLASS_LOWER:
        return ca_lang_pick(lang, "lower-case letters", "lettres minuscules");
    case CHORUSACCT_PW_CLASS_DIGIT:
        return ca_lang_pick(lang, "digits", "chiffres");
    case CHORUSACCT_PW_CLASS_SPECIAL:
        return ca_lang_pick(lang, "special characters", "caractères spéciaux");
    default:
        return ca_unknown_label(lang);
    }
}
