/*
 * Person names: names of many scripts, every reason, malformed UTF-8 of
 * each kind, the 100-code-point boundary and the output rule.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#define SAME(in)                                                               \
    {                                                                          \
        in, CHORUSACCT_OK, in                                                  \
    }

static void check_name(const char *in, size_t len, int want_reason,
                       const char *want)
{
    check_validator(chorusacct_name_check, in, len, 0, 512, want_reason, want);
}

static void run_cases(const check_case *c, size_t count)
{
    check_cases(chorusacct_name_check, 512, c, count);
}

static void test_valid_names_kept_as_typed(void **state)
{
    (void)state;
    static const check_case cases[] = {
        SAME("Jean"),
        SAME("J"),
        SAME("Jean-Pierre"),
        SAME("Jean\xe2\x80\x90Pierre"), /* U+2010 HYPHEN */
        SAME("O'Brien"),
        SAME("O\xe2\x80\x99"
             "Brien"), /* U+2019 */
        SAME("'t Hooft"),
        SAME("St. John"),
        SAME("Jos\xc3\xa9 Mar\xc3\xad"
             "a"),                      /* José María */
        SAME("Zo\xc3\xab"),             /* Zoë precomposed */
        SAME("Zoe\xcc\x88"),            /* e + U+0308 */
        SAME("Nguye\xcc\x82\xcc\x83n"), /* two marks stacked */
        SAME("Nguy\xe1\xbb\x85n"),      /* Nguyễn */
        SAME("M\xc3\xbcller-L\xc3\xbc"
             "denscheidt"),
        SAME("\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1"), /* Σοφία */
        SAME("\xd0\x94\xd0\xbc\xd0\xb8\xd1\x82\xd1\x80\xd0\xb8\xd0\xb9"),
        SAME("\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"), /* 王小明, Lo */
        SAME("\xe3\x81\x95\xe3\x81\x8f\xe3\x82\x89"), /* さくら */
        SAME("\xd9\x85\xd8\xad\xd9\x85\xd8\xaf"),     /* محمد */
        SAME("\xd7\x93\xd7\x95\xd7\x93"),             /* דוד */
        /* देवनागरी: letters with vowel signs (Mc, Mn) and a virama. */
        SAME("\xe0\xa4\xa6\xe0\xa5\x87\xe0\xa4\xb5\xe0\xa4\xa8\xe0\xa4\xbe"
             "\xe0\xa4\x97\xe0\xa4\xb0\xe0\xa5\x80"),
        SAME("\xea\xb9\x80\xeb\xaf\xbc\xec\xa4\x80"), /* 김민준 */
        SAME("Hawai\xca\xbbi"),                       /* U+02BB, Lm */
        SAME("\xc7\x85"
             "emal"),             /* U+01C5, Lt */
        SAME("\xf0\x90\x90\x80"), /* U+10400, Lu */
        SAME("Louis XIV"),
        SAME("Jean  Pierre"), /* inner spaces are kept */
        SAME(".-'J"),
        /* Spaces at the ends are trimmed, and only they. */
        OKV("  Jean  ", "Jean"),
        OKV(" Jean-Pierre", "Jean-Pierre"),
        OKV("Zo\xc3\xab ", "Zo\xc3\xab"),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_each_fault_has_its_reason(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("", EMPTY),
        BAD(" ", EMPTY),
        BAD("     ", EMPTY),
        /* Characters. */
        BAD("J3an", NAME_CHARACTER),
        BAD("Jean2", NAME_CHARACTER),
        BAD("Jean\xd9\xa3", NAME_CHARACTER),       /* ARABIC-INDIC THREE, Nd */
        BAD("Louis \xe2\x85\xa7", NAME_CHARACTER), /* Ⅷ, Nl */
        BAD("Jean\xc2\xb2", NAME_CHARACTER),       /* ², No */
        BAD("Jean\tPierre", NAME_CHARACTER),
        BAD("\tJean", NAME_CHARACTER), /* only spaces are trimmed */
        BAD("Jean\n", NAME_CHARACTER),
        BAD("Jean\x01", NAME_CHARACTER),
        BAD("Jean\x7f", NAME_CHARACTER),
        BAD("Jean_Pierre", NAME_CHARACTER),
        BAD("Jean,", NAME_CHARACTER),
        BAD("Jean!", NAME_CHARACTER),
        BAD("Jean@", NAME_CHARACTER),
        BAD("\"Jean\"", NAME_CHARACTER),
        BAD("Jean\xc2\xa0Pierre", NAME_CHARACTER),   /* NBSP */
        BAD("Jean\xe2\x80\x8b", NAME_CHARACTER),     /* ZWSP, Cf */
        BAD("Jean\xc2\xad", NAME_CHARACTER),         /* soft hyphen */
        BAD("Jean\xf0\x9f\x98\x80", NAME_CHARACTER), /* emoji */
        BAD("Jean\xee\x80\x80", NAME_CHARACTER),     /* U+E000, Co */
        BAD("Jean\xcd\xb8", NAME_CHARACTER),         /* U+0378, Cn */
        BAD("Jean\xe2\x80\x98", NAME_CHARACTER),     /* U+2018 */
        BAD("Jean\xe2\x80\x93", NAME_CHARACTER),     /* en dash */
        /* A combining mark with no letter under it. */
        BAD("\xcc\x81Jean", NAME_CHARACTER),
        BAD(" \xcc\x81Jean", NAME_CHARACTER),
        BAD("Jean \xcc\x81", NAME_CHARACTER),
        BAD("Jean-\xcc\x81", NAME_CHARACTER),
        /* No letter at all. */
        BAD("-", NAME_LETTER),
        BAD(".", NAME_LETTER),
        BAD("' - .", NAME_LETTER),
        BAD("\xe2\x80\x99", NAME_LETTER),
        /* Order: UTF8, then CHARACTER, then LETTER. */
        BAD("1\xff", UTF8),
        BAD("1-", NAME_CHARACTER),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_broken_utf8_refused(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("Jean\x80", UTF8), /* stray continuation */
        BAD("\xbf", UTF8),
        BAD("Jean\xc0\xaf", UTF8), /* overlong, 2 bytes */
        BAD("Jean\xc1\xbf", UTF8),
        BAD("Jean\xe0\x80\xaf", UTF8), /* overlong, 3 bytes */
        BAD("Jean\xe0\x9f\xbf", UTF8),
        BAD("Jean\xf0\x80\x80\xaf", UTF8), /* overlong, 4 bytes */
        BAD("Jean\xf0\x8f\xbf\xbf", UTF8),
        BAD("Jean\xed\xa0\x80", UTF8),     /* U+D800 */
        BAD("Jean\xed\xbf\xbf", UTF8),     /* U+DFFF */
        BAD("Jean\xf4\x90\x80\x80", UTF8), /* U+110000 */
        BAD("Jean\xf5\x80\x80\x80", UTF8),
        BAD("Jean\xf8\x88\x80\x80\x80", UTF8),
        BAD("Jean\xff", UTF8),
        BAD("Jean\xfe", UTF8),
        BAD("Jean\xc3", UTF8),  /* truncated */
        BAD("Jean\xc3 ", UTF8), /* truncated, then a space */
        BAD("Jean\xe2\x82", UTF8),
        BAD("Jean\xf0\x9f\x98", UTF8),
        BAD("Jean\xc3Pierre", UTF8), /* continuation missing */
        BAD("Jean\xe2\x28\xa1", UTF8),
    };
    run_cases(cases, ARRAY_LEN(cases));

    /* Around the limits: U+0080 (Cc), U+07FF, U+0800, U+D7FF, U+E000,
     * U+FFFF, U+10000, U+10FFFF are well-formed: any refusal is for the
     * character, not the encoding. */
    static const char *edges[] = {
        "\xc2\x80",     "\xdf\xbf",     "\xe0\xa0\x80",     "\xed\x9f\xbf",
        "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
    };
    for (size_t i = 0; i < ARRAY_LEN(edges); i++) {
        char in[16];
        int reason = 0;
        snprintf(in, sizeof in, "A%s", edges[i]);
        int rc =
            chorusacct_name_check(in, strlen(in), 0, NULL, 0, NULL, &reason);
        assert_true(rc == CHORUSACCT_OK || reason != CHORUSACCT_E_UTF8);
    }
    /* U+0800, the first three-byte form, is a letter (Lo). */
    check_name("\xe0\xa0\x80", 3, CHORUSACCT_OK, "\xe0\xa0\x80");
}

static void test_length_counts_code_points(void **state)
{
    (void)state;
    char in[1024], want[1024];

    /* 100 code points, then 101; ASCII. */
    memset(in, 'a', 101);
    memset(want, 'a', 100);
    want[100] = '\0';
    check_name(in, 100, CHORUSACCT_OK, want);
    check_name(in, 101, CHORUSACCT_E_NAME_LENGTH, NULL);

    /* 100 four-byte code points: 400 bytes, the longest normalized
     * name. */
    for (int i = 0; i < 101; i++)
        memcpy(in + 4 * i, "\xf0\x90\x90\x80", 4);
    memcpy(want, in, 400);
    want[400] = '\0';
    assert_int_equal(chorusacct_name_max_len(), 400);
    check_name(in, 400, CHORUSACCT_OK, want);
    check_name(in, 404, CHORUSACCT_E_NAME_LENGTH, NULL);

    /* 100 two-byte code points with trimmed spaces around. */
    in[0] = ' ';
    for (int i = 0; i < 100; i++)
        memcpy(in + 1 + 2 * i, "\xc3\xa9", 2);
    memcpy(in + 201, "   ", 3);
    memcpy(want, in + 1, 200);
    want[200] = '\0';
    check_name(in, 204, CHORUSACCT_OK, want);
    /* One more: 101. */
    memcpy(in + 201, "\xc3\xa9 ", 3);
    check_name(in, 204, CHORUSACCT_E_NAME_LENGTH, NULL);

    /* Combining marks count as code points. */
    in[0] = 'e';
    for (int i = 0; i < 99; i++)
        memcpy(in + 1 + 2 * i, "\xcc\x81", 2);
    memcpy(want, in, 199);
    want[199] = '\0';
    check_name(in, 199, CHORUSACCT_OK, want);
    memcpy(in + 199, "\xcc\x81", 2);
    check_name(in, 201, CHORUSACCT_E_NAME_LENGTH, NULL);

    /* CHARACTER comes before LENGTH. */
    memset(in, 'a', 150);
    in[149] = '1';
    check_name(in, 150, CHORUSACCT_E_NAME_CHARACTER, NULL);
}

static void test_output_rule(void **state)
{
    (void)state;
    char buf[16];
    size_t n = 0;
    int reason = 0;

    assert_code(
        chorusacct_name_check("  Zo\xc3\xab ", 7, 0, NULL, 0, &n, &reason),
        CHORUSACCT_OK, NULL);
    assert_int_equal(n, 4);
    memset(buf, 'z', sizeof buf);
    assert_code(
        chorusacct_name_check("  Zo\xc3\xab ", 7, 0, buf, 4, &n, &reason),
        CHORUSACCT_E_TOOSMALL, NULL);
    assert_int_equal(n, 4);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[4], 'z');
    assert_code(chorusacct_name_check("  Zo\xc3\xab ", 7, 0, buf, 5, &n, NULL),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "Zo\xc3\xab");
    assert_code(chorusacct_name_check(NULL, 1, 0, buf, 5, &n, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_int_equal(n, 0);
    assert_code(chorusacct_name_check("a", 1, 0, NULL, 5, &n, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_code(
        chorusacct_name_check("J\0an", 4, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_NAME_CHARACTER, NULL);
}

static void test_messages_differ_by_language(void **state)
{
    (void)state;
    static const int codes[] = {CHORUSACCT_E_NAME_CHARACTER,
                                CHORUSACCT_E_NAME_LENGTH,
                                CHORUSACCT_E_NAME_LETTER};
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        const char *en = chorusacct_strerror(codes[i], CHORUSACCT_LANG_EN);
        const char *fr = chorusacct_strerror(codes[i], CHORUSACCT_LANG_FR);
        assert_string_not_equal(en, fr);
        assert_non_null(strstr(en, "name"));
        assert_non_null(strstr(fr, "nom"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_names_kept_as_typed),
        cmocka_unit_test(test_each_fault_has_its_reason),
        cmocka_unit_test(test_broken_utf8_refused),
        cmocka_unit_test(test_length_counts_code_points),
        cmocka_unit_test(test_output_rule),
        cmocka_unit_test(test_messages_differ_by_language),
    };
    return cmocka_run_group_tests_name("name", tests, NULL, NULL);
}
