/*
 * Status codes: every code declared in the header has a name and both
 * messages; names and values are unique and round-trip.
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
        int extra = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1
                  : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
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
        if (en == unknown_en || fr == unknown_fr ||
            strcmp(en, unknown_en) == 0)
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
    static const int unknown[] = {1, 42, -99, -98, -1000, -2147483647 - 1,
                                  2147483647};
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++) {
        assert_string_equal(chorusacct_status_name(unknown[i]), "UNKNOWN");
        assert_non_null(chorusacct_strerror(unknown[i], CHORUSACCT_LANG_EN));
        assert_non_null(chorusacct_strerror(unknown[i], CHORUSACCT_LANG_FR));
    }
    /* Any other language value falls back to English, never NULL. */
    assert_string_equal(chorusacct_strerror(CHORUSACCT_E_NOMEM, 7),
                        chorusacct_strerror(CHORUSACCT_E_NOMEM,
                                            CHORUSACCT_LANG_EN));
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
    };
    return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
