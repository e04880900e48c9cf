/*
 * Structure identifiers: type table, and every validator with published
 * valid numbers and near misses.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* Outputs fit in 64 bytes, as in a form's buffer. */
static void check_one(check_fn fn, const char *in, uint32_t flags,
                      int want_reason, const char *want)
{
    check_validator(fn, in, strlen(in), flags, 64, want_reason, want);
}

static void run_cases(check_fn fn, const check_case *c, size_t count)
{
    check_cases(fn, 64, c, count);
}

static void test_siren_forms_and_reasons(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("732829320", "732829320"),
        OKV("404833048", "404833048"),
        OKV("552 008 443", "552008443"),
        OKV("732.829.320", "732829320"),
        OKV("732-829-320", "732829320"),
        OKV(" 7 3 2 8 2 9 3 2 0 ", "732829320"),
        OKV("356000000", "356000000"),
        BAD("404833047", CHECKSUM), /* one digit changed */
        BAD("732829230", CHECKSUM), /* two digits swapped */
        BAD("73282932", LENGTH),
        BAD("7328293200", LENGTH),
        BAD("", EMPTY),
        BAD(" . - ", EMPTY),
        BAD("73282932A", CHARACTER),
        BAD("732829320/", CHARACTER),
        BAD("732_829_320", CHARACTER),
        BAD("732\t829\t320", CHARACTER),
        BAD("73282932\xd9\xa0", NONASCII), /* ARABIC-INDIC DIGIT ZERO */
        BAD("\xef\xbc\x97"
            "32829320",
            NONASCII),              /* FULLWIDTH SEVEN */
        BAD("A\xc3\xa9", NONASCII), /* before CHARACTER */
    };
    run_cases(chorusacct_siren_check, cases, ARRAY_LEN(cases));
}

static void test_siret_luhn_and_la_poste(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("73282932000074", "73282932000074"),
        OKV("732 829 320 00074", "73282932000074"),
        OKV("732.829.320.00074", "73282932000074"),
        /* La Poste: head office passes Luhn, others sum to 5k. */
        OKV("35600000000048", "35600000000048"),
        OKV("35600000049837", "35600000049837"),
        OKV("356 000 000 12346", "35600000012346"),
        BAD("35600000049838", CHECKSUM),
        BAD("73282932000079", CHECKSUM),
        BAD("73282932000047", CHECKSUM),
        /* Luhn over 14 passes but the SIREN part fails. */
        BAD("73282932100007", CHECKSUM),
        BAD("7328293200007", LENGTH),
        BAD("732829320000740", LENGTH),
        BAD("7328293200007O", CHARACTER),
        BAD("", EMPTY),
    };
    run_cases(chorusacct_siret_check, cases, ARRAY_LEN(cases));
}

static void test_siret_luhn_both_parts(void **state)
{
    (void)state;
    /* The case above relies on this: a SIRET passing Luhn over 14 with a
     * SIREN failing its own key. */
    char buf[16];
    int reason;
    assert_code(
        chorusacct_siren_check("732829321", 9, 0, NULL, 0, NULL, &reason),
        CHORUSACCT_E_REJECTED, NULL);
    /* Luhn-valid as 14 digits: recompute rather than trust the literal. */
    static const uint8_t dbl[10] = {0, 2, 4, 6, 8, 1, 3, 5, 7, 9};
    const char *s = "73282932100007";
    unsigned sum = 0;
    for (int i = 0; i < 14; i++) {
        unsigned d = (unsigned)(s[13 - i] - '0');
        sum += (i & 1) ? dbl[d] : d;
    }
    assert_int_equal(sum % 10, 0);
    assert_code(
        chorusacct_siret_check(s, 14, 0, buf, sizeof buf, NULL, &reason),
        CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_CHECKSUM, NULL);
}

/* Luhn catches every single-digit error and every swap of two adjacent
 * different digits except 0 and 9: check that the validators do. */
static void test_luhn_near_misses(void **state)
{
    (void)state;
    static const char *const valid[] = {"732829320", "404833048", "552008443",
                                        "73282932000074"};
    for (size_t v = 0; v < ARRAY_LEN(valid); v++) {
        const char *orig = valid[v];
        size_t len = strlen(orig);
        check_fn fn =
            len == 9 ? chorusacct_siren_check : chorusacct_siret_check;
        char s[16];
        int reason;
        for (size_t i = 0; i < len; i++) {
            for (char d = '0'; d <= '9'; d++) {
                if (d == orig[i])
                    continue;
                memcpy(s, orig, len + 1);
                s[i] = d;
                assert_code(fn(s, len, 0, NULL, 0, NULL, &reason),
                            CHORUSACCT_E_REJECTED, NULL);
                assert_code(reason, CHORUSACCT_E_CHECKSUM, NULL);
            }
        }
        for (size_t i = 0; i + 1 < len; i++) {
            memcpy(s, orig, len + 1);
            char a = s[i], b = s[i + 1];
            if (a == b || (a == '0' && b == '9') || (a == '9' && b == '0'))
                continue;
            s[i] = b;
            s[i + 1] = a;
            assert_code(fn(s, len, 0, NULL, 0, NULL, &reason),
                        CHORUSACCT_E_REJECTED, NULL);
            assert_code(reason, CHORUSACCT_E_CHECKSUM, NULL);
        }
    }
}

static void test_vat_fr_key_and_siren(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("FR44732829320", "FR44732829320"),
        OKV("44732829320", "FR44732829320"),
        OKV("fr 44 732 829 320", "FR44732829320"),
        OKV("Fr40303265045", "FR40303265045"),
        OKV("23334175221", "FR23334175221"),
        OKV("K7399859412", "FRK7399859412"),
        OKV("fr4z123456782", "FR4Z123456782"),
        OKV("FR00000000190", "FR00000000190"), /* Monaco: no SIREN key */
        BAD("84323140391", CHECKSUM),
        BAD("FR45732829320", CHECKSUM),
        BAD("FR44732829321", CHECKSUM), /* key fine, SIREN Luhn fails */
        BAD("IO334175221", CHARACTER),  /* I and O are not key letters */
        BAD("FR4473282932", LENGTH),
        BAD("FR447328293200", LENGTH),
        BAD("FR", EMPTY),
        BAD("FR44A32829320", FORMAT),
        BAD("FR44732829320\xc2\xa0", NONASCII),
        BAD("FR44_732829320", CHARACTER),
    };
    run_cases(chorusacct_vat_fr_check, cases, ARRAY_LEN(cases));
}

static void test_tva_from_siren(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("732829320", "FR44732829320"),
        OKV("443 121 975", "FR46443121975"),
        BAD("732829321", CHECKSUM),
        BAD("73282932", LENGTH),
    };
    run_cases(chorusacct_vat_fr_from_siren, cases, ARRAY_LEN(cases));
    /* Every key it computes is accepted by the checker. */
    char tva[16];
    int reason;
    static const char *const sirens[] = {"732829320", "404833048", "552008443",
                                         "356000000"};
    for (size_t i = 0; i < ARRAY_LEN(sirens); i++) {
        assert_code(chorusacct_vat_fr_from_siren(sirens[i], 9, 0, tva,
                                                 sizeof tva, NULL, &reason),
                    CHORUSACCT_OK, NULL);
        assert_code(chorusacct_vat_fr_check(tva, strlen(tva), 0, NULL, 0, NULL,
                                            &reason),
                    CHORUSACCT_OK, NULL);
    }
}

static void test_ridet_forms_and_reasons(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("1234567.001", "1234567001"),
        OKV("1234567001", "1234567001"),
        OKV("123456.001", "123456001"),
        OKV("123 456 001", "123456001"),
        BAD("12345.001", LENGTH),
        BAD("12345678.001", LENGTH),
        BAD("1234567.00A", CHARACTER),
        BAD("1234567/001", CHARACTER),
        BAD("", EMPTY),
    };
    run_cases(chorusacct_ridet_check, cases, ARRAY_LEN(cases));
}

static void test_tahiti_forms_and_reasons(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("123456001", "123456001"),  OKV("A12345001", "A12345001"),
        OKV("a12345 001", "A12345001"), OKV("B98765.002", "B98765002"),
        BAD("1A2345001", FORMAT),       BAD("A1234500B", FORMAT),
        BAD("A1234501", LENGTH),        BAD("A123450012", LENGTH),
        BAD("A12345_001", CHARACTER),
    };
    run_cases(chorusacct_tahiti_check, cases, ARRAY_LEN(cases));
}

static void test_hors_ue(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("USACMEWIDGETSINC", "USACMEWIDGETSINC"),
        OKV("us acme widgets inc", "USACMEWIDGETSINC"),
        OKV("CH1", "CH1"),
        OKV("GBABCDEFGHIJKLMNOP", "GBABCDEFGHIJKLMNOP"), /* 2 + 16 */
        OKV("MCSOCIETEDESBAINS", "MCSOCIETEDESBAINS"),   /* Monaco */
        OKV("FRWFABCDEFGHIJKLMN", "FRWFABCDEFGHIJKLMN"), /* 4 + 14 */
        BAD("GBABCDEFGHIJKLMNOPQ", LENGTH),
        BAD("FRWFABCDEFGHIJKLMNO", LENGTH),
        BAD("US", LENGTH),
        BAD("FRWF", LENGTH),
        BAD("ZZACME", COUNTRY), /* not ISO 3166 */
        BAD("DEACME", COUNTRY), /* EU: VAT number instead */
        BAD("GRACME", COUNTRY),
        BAD("FRACME", COUNTRY),
        BAD("NCACME", COUNTRY), /* RIDET instead */
        BAD("PFACME", COUNTRY), /* TAHITI instead */
        BAD("WFACME", COUNTRY), /* FRWF instead */
        BAD("REACME", COUNTRY), /* Réunion: SIRET */
        BAD("1SACME", COUNTRY),
        BAD("US/ACME", CHARACTER),
        BAD("USACM\xc3\x89", NONASCII),
    };
    run_cases(chorusacct_hors_ue_check, cases, ARRAY_LEN(cases));
}

static void build_one(const char *country, const char *name, int want_reason,
                      const char *want)
{
    char buf[32];
    size_t n;
    int reason = 0;
    int rc = chorusacct_hors_ue_build(country, name, strlen(name), buf,
                                      sizeof buf, &n, &reason);
    if (want_reason == CHORUSACCT_OK) {
        if (rc != CHORUSACCT_OK)
            fail_msg("%s/%s: got %s", country, name,
                     chorusacct_status_name(reason));
        assert_string_equal(buf, want);
        /* What the builder makes, the checker accepts. */
        assert_code(chorusacct_hors_ue_check(buf, n, 0, NULL, 0, NULL, &reason),
                    CHORUSACCT_OK, NULL);
    } else {
        assert_code(rc, CHORUSACCT_E_REJECTED, NULL);
        assert_code(reason, want_reason, NULL);
    }
}

static void test_hors_ue_build(void **state)
{
    (void)state;
    build_one("US", "Acme Widgets, Inc.", CHORUSACCT_OK, "USACMEWIDGETSINC");
    build_one("us", "Acme Widgets International Holdings", CHORUSACCT_OK,
              "USACMEWIDGETSINTER");
    build_one("CH", "Nestlé S.A.", CHORUSACCT_OK, "CHNESTLESA");
    build_one("CH", "Zu\xcc\x88rich Versicherung", CHORUSACCT_OK,
              "CHZURICHVERSICHERU"); /* decomposed u + combining diaeresis */
    build_one("NO", "Bjørn Ærø Strøm", CHORUSACCT_OK, "NOBJORNAEROSTROM");
    build_one("GB", "Œuvre Straße", CHORUSACCT_OK, "GBOEUVRESTRASSE");
    build_one("WF", "Société du Pacifique Sud", CHORUSACCT_OK,
              "FRWFSOCIETEDUPACIF");
    build_one("JP", "株式会社 Sony 123", CHORUSACCT_OK, "JPSONY123");
    build_one("JP", "株式会社", CHORUSACCT_E_EMPTY, NULL);
    build_one("FR", "Acme", CHORUSACCT_E_COUNTRY, NULL);
    build_one("DE", "Acme", CHORUSACCT_E_COUNTRY, NULL);
    build_one("USA", "Acme", CHORUSACCT_E_COUNTRY, NULL);
    build_one("U", "Acme", CHORUSACCT_E_COUNTRY, NULL);
    build_one("QQ", "Acme", CHORUSACCT_E_COUNTRY, NULL);
    build_one("US", "Bad \xc3", CHORUSACCT_E_UTF8, NULL);
    build_one("US", "Bad \xc0\xaf", CHORUSACCT_E_UTF8, NULL);
    build_one("US", "Bad \xed\xa0\x80", CHORUSACCT_E_UTF8, NULL);
}

static void test_types_by_number_name_label_and_hint(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "SIRET",  "UE_HORS_FRANCE", "HORS_UE",    "RIDET",
        "TAHITI", "AUTRE",          "PARTICULIER"};
    for (int n = 1; n <= 7; n++) {
        int t = 0;
        assert_code(chorusacct_identifier_from_number(&t, n), CHORUSACCT_OK,
                    NULL);
        assert_int_equal(chorusacct_identifier_number(t), n);
        assert_string_equal(chorusacct_identifier_name(t), codes[n - 1]);
        int back = 0;
        assert_code(chorusacct_identifier_from_name(&back, codes[n - 1]),
                    CHORUSACCT_OK, NULL);
        assert_int_equal(back, t);
        for (int lang = 0; lang <= 1; lang++) {
            assert_non_null(chorusacct_identifier_label(t, lang));
            assert_true(strlen(chorusacct_identifier_hint(t, lang)) > 20);
        }
        assert_string_not_equal(
            chorusacct_identifier_hint(t, CHORUSACCT_LANG_EN),
            chorusacct_identifier_hint(t, CHORUSACCT_LANG_FR));
        assert_int_equal(chorusacct_identifier_has_value(t), n <= 5);
    }
    int t;
    assert_code(chorusacct_identifier_from_name(&t, "hors_ue"), CHORUSACCT_OK,
                NULL);
    assert_int_equal(t, CHORUSACCT_ID_HORS_UE);
    assert_code(chorusacct_identifier_from_name(&t, "SIREN"),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(chorusacct_identifier_from_name(&t, "SIRETX"),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(chorusacct_identifier_from_name(&t, "UE\x7fHORS_FRANCE"),
                CHORUSACCT_E_NOTFOUND, NULL);
    assert_code(chorusacct_identifier_from_name(NULL, "SIRET"),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_identifier_from_number(&t, 0), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_code(chorusacct_identifier_from_number(&t, 8), CHORUSACCT_E_NOTFOUND,
                NULL);
    assert_string_equal(chorusacct_identifier_name(0), "unknown");
    assert_string_equal(chorusacct_identifier_hint(8, CHORUSACCT_LANG_FR), "");
    assert_code(chorusacct_identifier_number(99), CHORUSACCT_E_ARG, NULL);
    assert_int_equal(chorusacct_identifier_has_value(-1), 0);
    assert_int_equal(chorusacct_identifier_has_value(0), 0);
    assert_int_equal(chorusacct_identifier_has_value(99), 0);
    assert_string_equal(
        chorusacct_identifier_label(CHORUSACCT_ID_HORS_UE, CHORUSACCT_LANG_FR),
        "Structure hors Union européenne");
}

static void test_validate_identifier(void **state)
{
    (void)state;
    char buf[32];
    size_t n;
    int reason;
#define VID(type, in, rc_want)                                                 \
    chorusacct_identifier_check(type, in, strlen(in), 0, buf, sizeof buf, &n,  \
                                &reason) == rc_want
    assert_true(VID(CHORUSACCT_ID_SIRET, "732 829 320 00074", CHORUSACCT_OK));
    assert_string_equal(buf, "73282932000074");
    assert_true(
        VID(CHORUSACCT_ID_UE_HORS_FRANCE, "de 136 695 976", CHORUSACCT_OK));
    assert_string_equal(buf, "DE136695976");
    /* France is not "outside France". */
    assert_true(VID(CHORUSACCT_ID_UE_HORS_FRANCE, "FR44732829320",
                    CHORUSACCT_E_REJECTED));
    assert_code(reason, CHORUSACCT_E_COUNTRY, NULL);
    assert_true(
        VID(CHORUSACCT_ID_UE_HORS_FRANCE, "136695976", CHORUSACCT_E_REJECTED));
    assert_code(reason, CHORUSACCT_E_COUNTRY, NULL);
    assert_true(VID(CHORUSACCT_ID_HORS_UE, "CH NESTLE", CHORUSACCT_OK));
    assert_string_equal(buf, "CHNESTLE");
    assert_true(VID(CHORUSACCT_ID_RIDET, "1234567.001", CHORUSACCT_OK));
    assert_true(VID(CHORUSACCT_ID_TAHITI, "A12345001", CHORUSACCT_OK));
    for (int t = CHORUSACCT_ID_AUTRE; t <= CHORUSACCT_ID_PARTICULIER; t++) {
        assert_true(VID(t, "", CHORUSACCT_OK));
        assert_int_equal(n, 0);
        assert_true(VID(t, "  ", CHORUSACCT_OK));
        assert_true(VID(t, "123", CHORUSACCT_E_REJECTED));
        assert_code(reason, CHORUSACCT_E_NOVALUE, NULL);
    }
    assert_true(VID(0, "123", CHORUSACCT_E_REJECTED));
    assert_code(reason, CHORUSACCT_E_TYPE, NULL);
    assert_true(VID(42, "123", CHORUSACCT_E_REJECTED));
    assert_code(reason, CHORUSACCT_E_TYPE, NULL);
#undef VID
}

static void test_strict_refuses_separators(void **state)
{
    (void)state;
    check_one(chorusacct_siret_check, "73282932000074",
              CHORUSACCT_VALIDATE_STRICT, CHORUSACCT_OK, "73282932000074");
    check_one(chorusacct_siret_check, "732 829 320 00074",
              CHORUSACCT_VALIDATE_STRICT, CHORUSACCT_E_SEPARATOR, NULL);
    check_one(chorusacct_ridet_check, "1234567.001", CHORUSACCT_VALIDATE_STRICT,
              CHORUSACCT_E_SEPARATOR, NULL);
    check_one(chorusacct_vat_fr_check, "FR-44732829320",
              CHORUSACCT_VALIDATE_STRICT, CHORUSACCT_E_SEPARATOR, NULL);
    /* A worse fault still wins. */
    check_one(chorusacct_siren_check, "732 829 32\xc3\xa9",
              CHORUSACCT_VALIDATE_STRICT, CHORUSACCT_E_NONASCII, NULL);
}

static void test_split_point_of_each_type(void **state)
{
    (void)state;
    size_t e = 0;
    assert_code(chorusacct_identifier_split(CHORUSACCT_ID_SIRET,
                                            "73282932000074", 14, &e),
                CHORUSACCT_OK, NULL);
    assert_int_equal(e, 9);
    assert_code(
        chorusacct_identifier_split(CHORUSACCT_ID_RIDET, "1234567001", 10, &e),
        CHORUSACCT_OK, NULL);
    assert_int_equal(e, 7);
    assert_code(
        chorusacct_identifier_split(CHORUSACCT_ID_RIDET, "123456001", 9, &e),
        CHORUSACCT_OK, NULL);
    assert_int_equal(e, 6);
    assert_code(
        chorusacct_identifier_split(CHORUSACCT_ID_TAHITI, "A12345001", 9, &e),
        CHORUSACCT_OK, NULL);
    assert_int_equal(e, 6);
    assert_code(
        chorusacct_identifier_split(CHORUSACCT_ID_HORS_UE, "USACME", 6, &e),
        CHORUSACCT_E_UNSUPPORTED, NULL);
    assert_code(
        chorusacct_identifier_split(CHORUSACCT_ID_TAHITI, "A1234500", 8, &e),
        CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_identifier_split(9, "A", 1, &e), CHORUSACCT_E_ARG,
                NULL);
}

static void test_output_buffer_rule(void **state)
{
    (void)state;
    char buf[16];
    size_t n = 0;
    int reason = 0;
    /* Check only. */
    assert_code(
        chorusacct_siret_check("73282932000074", 14, 0, NULL, 0, &n, NULL),
        CHORUSACCT_OK, NULL);
    assert_int_equal(n, 14);
    /* Exactly enough: 14 + NUL. */
    assert_code(
        chorusacct_siret_check("73282932000074", 14, 0, buf, 15, &n, &reason),
        CHORUSACCT_OK, NULL);
    /* One short: the needed length is still reported. */
    memset(buf, 'x', sizeof buf);
    assert_code(
        chorusacct_siret_check("73282932000074", 14, 0, buf, 14, &n, &reason),
        CHORUSACCT_E_TOOSMALL, NULL);
    assert_int_equal(n, 14);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[14], 'x'); /* nothing written past cap */
    /* Bad arguments. */
    assert_code(
        chorusacct_siret_check(NULL, 3, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_siret_check("1", 1, 0, NULL, 5, &n, &reason),
                CHORUSACCT_E_ARG, NULL);
    /* NULL with length 0 is the empty value. */
    assert_code(
        chorusacct_siret_check(NULL, 0, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_EMPTY, NULL);
    /* Length is honoured: no NUL needed, nothing read beyond. */
    assert_code(chorusacct_siren_check("732829320999", 9, 0, buf, sizeof buf,
                                       &n, &reason),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "732829320");
    /* An embedded NUL is a character like any other. */
    assert_code(chorusacct_siren_check("7328\0"
                                       "29320",
                                       10, 0, buf, sizeof buf, &n, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_CHARACTER, NULL);
    assert_int_equal(chorusacct_identifier_max_len(), 18);
}

static void test_long_input(void **state)
{
    (void)state;
    /* A value drowned in separators is still read without overflow. */
    static char big[1 << 20];
    memset(big, ' ', sizeof big);
    memcpy(big + 1000, "732829320", 9);
    int reason;
    char buf[16];
    assert_code(chorusacct_siren_check(big, sizeof big, 0, buf, sizeof buf,
                                       NULL, &reason),
                CHORUSACCT_OK, NULL);
    memset(big, '7', sizeof big);
    assert_code(chorusacct_siren_check(big, sizeof big, 0, buf, sizeof buf,
                                       NULL, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_LENGTH, NULL);
    assert_code(chorusacct_hors_ue_build("US", big, sizeof big, buf, sizeof buf,
                                         NULL, &reason),
                CHORUSACCT_E_TOOSMALL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_siren_forms_and_reasons),
        cmocka_unit_test(test_siret_luhn_and_la_poste),
        cmocka_unit_test(test_siret_luhn_both_parts),
        cmocka_unit_test(test_luhn_near_misses),
        cmocka_unit_test(test_vat_fr_key_and_siren),
        cmocka_unit_test(test_tva_from_siren),
        cmocka_unit_test(test_ridet_forms_and_reasons),
        cmocka_unit_test(test_tahiti_forms_and_reasons),
        cmocka_unit_test(test_hors_ue),
        cmocka_unit_test(test_hors_ue_build),
        cmocka_unit_test(test_types_by_number_name_label_and_hint),
        cmocka_unit_test(test_validate_identifier),
        cmocka_unit_test(test_strict_refuses_separators),
        cmocka_unit_test(test_split_point_of_each_type),
        cmocka_unit_test(test_output_buffer_rule),
        cmocka_unit_test(test_long_input),
    };
    return cmocka_run_group_tests_name("identifier", tests, NULL, NULL);
}
