/*
 * Status codes: every code declared in the header has a name and both
 * messages; names and values are unique and round-trip. And every text
 * getter of the library answers an unknown value with its documented
 * text, never NULL.
 */
#include "testutil.h"

#include <string.h>

typedef struct {
    int code;
    const char *name;
    int value;
} code_row;

static const code_row all_codes[] = {
#include "codes.inc"
};

/* Well-formed UTF-8, so that a form or a terminal can show it. */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p != 0) {
        int extra = *p < 0x80             ? 0
                    : (*p & 0xE0) == 0xC0 ? 1
                    : (*p & 0xF0) == 0xE0 ? 2
                    : (*p & 0xF8) == 0xF0 ? 3
                                          : -1;
        if (extra < 0)
            return 0;
        p++;
        for (int i = 0; i < extra; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return 0;
    }
    return 1;
}

static void test_every_code_has_both_messages(void **state)
{
    (void)state;
    const char *unknown_en = chorusacct_strerror(1, CHORUSACCT_LANG_EN);
    const char *unknown_fr = chorusacct_strerror(1, CHORUSACCT_LANG_FR);
    for (size_t i = 0; i < ARRAY_LEN(all_codes); i++) {
        const code_row *c = &all_codes[i];
        const char *en = chorusacct_strerror(c->code, CHORUSACCT_LANG_EN);
        const char *fr = chorusacct_strerror(c->code, CHORUSACCT_LANG_FR);
        if (en == unknown_en || fr == unknown_fr || strcmp(en, unknown_en) == 0)
            fail_msg("%s has no message", c->name);
        assert_true(strlen(en) > 5);
        assert_true(strlen(fr) > 5);
        if (strcmp(en, fr) == 0)
            fail_msg("%s: French message is the English one", c->name);
        assert_true(utf8_ok(en) && utf8_ok(fr));
        /* Sentences, so that a form can append a hint after them. */
        assert_int_equal(en[strlen(en) - 1], '.');
        assert_int_equal(fr[strlen(fr) - 1], '.');
        assert_string_equal(chorusacct_status_name(c->code), c->name);
        int back = 1;
        assert_code(chorusacct_status_from_name(&back, c->name), CHORUSACCT_OK,
                    NULL);
        assert_code(back, c->code, NULL);
    }
}

static void test_codes_unique_and_ranged(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(all_codes); i++) {
        assert_int_equal(all_codes[i].code, all_codes[i].value);
        assert_true(all_codes[i].code <= 0);
        for (size_t j = i + 1; j < ARRAY_LEN(all_codes); j++) {
            assert_int_not_equal(all_codes[i].code, all_codes[j].code);
            assert_string_not_equal(all_codes[i].name, all_codes[j].name);
        }
    }
    assert_int_equal(CHORUSACCT_OK, 0);
    assert_int_equal(CHORUSACCT_E_REJECTED, -4);
}

static void test_unknown_codes(void **state)
{
    (void)state;
    static const int unknown[] = {
        1, 42, -99, -98, -1000, -2147483647 - 1, 2147483647};
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
        assert_string_equal(chorusacct_status_name(unknown[i]), "UNKNOWN");
        assert_non_null(chorusacct_strerror(unknown[i], CHORUSACCT_LANG_EN));
        assert_non_null(chorusacct_strerror(unknown[i], CHORUSACCT_LANG_FR));
    }
    /* Any other language value falls back to English, never NULL. */
    assert_string_equal(
        chorusacct_strerror(CHORUSACCT_E_NOMEM, 7),
        chorusacct_strerror(CHORUSACCT_E_NOMEM, CHORUSACCT_LANG_EN));
    int code;
    assert_code(chorusacct_status_from_name(&code, "NOPE"),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(chorusacct_status_from_name(&code, "CHORUSACCT_E_CHECKSUM"),
                CHORUSACCT_OK, NULL);
    assert_code(code, CHORUSACCT_E_CHECKSUM, NULL);
    assert_code(chorusacct_status_from_name(NULL, "OK"), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_status_from_name(&code, NULL), CHORUSACCT_E_ARG,
                NULL);
}

/* Every text getter, called the same way: (value, language). */
typedef const char *(*text_getter)(int value, int lang);

static const char *state_name(int v, int l)
{
    (void)l;
    return chorusacct_state_name(v);
}

static const char *event_name(int v, int l)
{
    (void)l;
    return chorusacct_event_name(v);
}

static const char *field_name(int v, int l)
{
    (void)l;
    return chorusacct_field_name(v);
}

static const char *role_name(int v, int l)
{
    (void)l;
    return chorusacct_role_name(v);
}

static const char *id_name(int v, int l)
{
    (void)l;
    return chorusacct_identifier_name(v);
}

static const char *kind_name(int v, int l)
{
    (void)l;
    return chorusacct_mail_kind_name(v);
}

static const char *msg_name(int v, int l)
{
    (void)l;
    return chorusacct_message_status_name(v);
}

static const char *status_name(int v, int l)
{
    (void)l;
    return chorusacct_status_name(v);
}

static const char *rule_text(int v, int l)
{
    return chorusacct_password_rule_text((uint32_t)v, l);
}

static const char *class_name(int v, int l)
{
    return chorusacct_password_class_name((uint32_t)v, l);
}

/* The unknown values: negative, 0 where 0 is not a value, past the last
 * value, huge. For the bit sets, two bits at once and unused bits. For
 * status codes, -110, removed before 0.1.0 and never to be reused. */
#define NO_ZERO                                                                \
    {                                                                          \
        -1, 0, 99, INT32_MIN, INT32_MAX                                        \
    }
#define ZERO_OK                                                                \
    {                                                                          \
        -1, 99, INT32_MIN, INT32_MAX                                           \
    }
#define BITS                                                                   \
    {                                                                          \
        0, 3, 64, INT32_MIN, -1                                                \
    }

static void test_text_getters_never_null(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        text_getter fn;
        int unknown[5];
        size_t n;
        const char *en, *fr; /* the documented text of an unknown value */
    } getters[] = {
        {"state_name", state_name, NO_ZERO, 5, "unknown", "unknown"},
        {"state_label", chorusacct_state_label, NO_ZERO, 5, "Unknown",
         "Inconnu"},
        {"event_name", event_name, NO_ZERO, 5, "unknown", "unknown"},
        {"field_name", field_name, ZERO_OK, 4, "unknown", "unknown"},
        {"role_name", role_name, NO_ZERO, 5, "unknown", "unknown"},
        {"identifier_name", id_name, NO_ZERO, 5, "unknown", "unknown"},
        {"identifier_label", chorusacct_identifier_label, NO_ZERO, 5, "Unknown",
         "Inconnu"},
        {"identifier_hint", chorusacct_identifier_hint, NO_ZERO, 5, "", ""},
        {"mail_kind_name", kind_name, NO_ZERO, 5, "unknown", "unknown"},
        {"message_status_name", msg_name, NO_ZERO, 5, "unknown", "unknown"},
        {"password_rule_text", rule_text, BITS, 5, "", ""},
        {"password_class_name", class_name, BITS, 5, "Unknown", "Inconnu"},
        {"status_name",
         status_name,
         {1, -99, -110, INT32_MIN, INT32_MAX},
         5,
         "UNKNOWN",
         "UNKNOWN"},
        {"strerror",
         chorusacct_strerror,
         {1, -99, -110, INT32_MIN, INT32_MAX},
         5,
         "Unknown status code.",
         "Code d'état inconnu."},
    };
    for (size_t g = 0; g < ARRAY_LEN(getters); g++)
        for (size_t i = 0; i < getters[g].n; i++)
            for (int lang = 0; lang <= 1; lang++) {
                int v = getters[g].unknown[i];
                const char *got = getters[g].fn(v, lang);
                const char *want = lang ? getters[g].fr : getters[g].en;
                if (got == NULL || strcmp(got, want) != 0)
                    fail_msg("chorusacct_%s(%d, lang %d): \"%s\", expected "
                             "\"%s\"",
                             getters[g].what, v, lang,
                             got != NULL ? got : "(NULL)", want);
            }

    /* chorusacct_vat_hint takes a country prefix: nothing to show for
     * NULL or a prefix that is not a member state's. */
    static const char *const countries[] = {NULL, "",   "D",       "DEU",
                                            "US", "GB", "\xff\xff"};
    for (size_t i = 0; i < ARRAY_LEN(countries); i++)
        for (int lang = 0; lang <= 1; lang++) {
            const char *got = chorusacct_vat_hint(countries[i], lang);
            if (got == NULL || got[0] != '\0')
                fail_msg("chorusacct_vat_hint(%s, lang %d): \"%s\", "
                         "expected \"\"",
                         countries[i] ? countries[i] : "NULL", lang,
                         got != NULL ? got : "(NULL)");
        }
}

static void test_lang_tags(void **state)
{
    (void)state;
    static const struct {
        const char *tag;
        int rc, lang;
    } cases[] = {
        {"fr", CHORUSACCT_OK, CHORUSACCT_LANG_FR},
        {"FR", CHORUSACCT_OK, CHORUSACCT_LANG_FR},
        {"fr-FR", CHORUSACCT_OK, CHORUSACCT_LANG_FR},
        {"fr_CA.UTF-8", CHORUSACCT_OK, CHORUSACCT_LANG_FR},
        {"en", CHORUSACCT_OK, CHORUSACCT_LANG_EN},
        {"en-GB", CHORUSACCT_OK, CHORUSACCT_LANG_EN},
        {"En", CHORUSACCT_OK, CHORUSACCT_LANG_EN},
        {"de", CHORUSACCT_E_NOTFOUND, 0},
        {"fra", CHORUSACCT_E_NOTFOUND, 0},
        {"f", CHORUSACCT_E_NOTFOUND, 0},
        {"", CHORUSACCT_E_NOTFOUND, 0},
        {"e\x8e", CHORUSACCT_E_NOTFOUND, 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int lang = -1;
        int rc = chorusacct_lang_from_tag(&lang, cases[i].tag);
        if (rc != cases[i].rc)
            fail_msg("tag '%s': got %d", cases[i].tag, rc);
        if (rc == CHORUSACCT_OK)
            assert_int_equal(lang, cases[i].lang);
    }
    int lang;
    assert_code(chorusacct_lang_from_tag(&lang, NULL), CHORUSACCT_E_ARG, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_both_messages),
        cmocka_unit_test(test_codes_unique_and_ranged),
        cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_lang_tags),
        cmocka_unit_test(test_text_getters_never_null),
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
