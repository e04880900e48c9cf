/*
 * EU VAT numbers: published valid numbers of every member state, near
 * misses, every kind of number and the boundaries between them, reasons,
 * output buffers, and the per-country hints.
 *
 * The valid numbers are the examples of python-stdnum's documentation
 * and the numbers its tests list as found online; the near misses are
 * those numbers mangled.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void check_one(const char *in, size_t len, uint32_t flags,
                      int want_reason, const char *want)
{
    check_validator(chorusacct_vat_check, in, len, flags, 64, want_reason,
                    want);
    if (want_reason == CHORUSACCT_OK) {
        /* The normalized form is valid and its own normalized form. */
        char again[64];
        assert_code(chorusacct_vat_check(want, strlen(want),
                                         CHORUSACCT_VALIDATE_STRICT, again,
                                         sizeof again, NULL, NULL),
                    CHORUSACCT_OK, NULL);
        assert_string_equal(again, want);
    }
}

static void run_cases(const check_case *c, size_t count)
{
    for (size_t i = 0; i < count; i++)
        check_one(c[i].in, strlen(c[i].in), 0, c[i].reason, c[i].want);
}

/* Valid numbers of each country, as published, with separators and case
 * as they were found. */
static void test_valid_numbers_of_each_country(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("ATU 142 43 102", "ATU14243102"),
        OKV("ATU13585627", "ATU13585627"),
        OKV("ATU 57194903", "ATU57194903"),
        OKV("BE 0428759497", "BE0428759497"),
        OKV("BE 0795 013 186", "BE0795013186"),
        OKV("BE 0202.239.951", "BE0202239951"),
        OKV("BG 175 074 752", "BG175074752"),
        OKV("Bg 200442771", "BG200442771"),
        OKV("BG7111042925", "BG7111042925"), /* personal number (EGN) */
        OKV("BG7523169263", "BG7523169263"),
        OKV("BG8032056031", "BG8032056031"),
        OKV("CY-10259033P", "CY10259033P"),
        OKV("CY 10246672X", "CY10246672X"),
        OKV("CY00632993 F", "CY00632993F"),
        OKV("CZ 25123891", "CZ25123891"),     /* company */
        OKV("CZ 640903926", "CZ640903926"),   /* individual, no RČ */
        OKV("CZ 7103192745", "CZ7103192745"), /* birth number */
        OKV("CZ 6306150004", "CZ6306150004"),
        OKV("CZ450 33 145", "CZ45033145"),
        OKV("DE136695976", "DE136695976"),
        OKV("DE 813 11 38 75", "DE813113875"),
        OKV("DE - 113866163", "DE113866163"),
        OKV("DE 221.304.969", "DE221304969"),
        OKV("DK 13585628", "DK13585628"),
        OKV("DK-27630308", "DK27630308"),
        OKV("DK 10 50 32 80", "DK10503280"),
        OKV("EE 100 931 558", "EE100931558"),
        OKV("EE101256753", "EE101256753"),
        OKV("EL 094259216", "EL094259216"),
        OKV("EL-082857563", "EL082857563"),
        OKV("El 800 179 925", "EL800179925"),
        OKV("ES B-58378431", "ESB58378431"),  /* CIF, digit */
        OKV("ES - Q0818001J", "ESQ0818001J"), /* CIF, letter */
        OKV("ES 54362315K", "ES54362315K"),   /* DNI */
        OKV("ES X-5253868-R", "ESX5253868R"), /* NIE */
        OKV("ES Y5277343F", "ESY5277343F"),
        OKV("ES Z5277343K", "ESZ5277343K"),
        OKV("ES M-1234567-L", "ESM1234567L"), /* without NIE */
        OKV("ES-x-2482300w", "ESX2482300W"),
        OKV("FI 20774740", "FI20774740"),
        OKV("FI 0982651-1", "FI09826511"),
        OKV("FR 61 954 506 077", "FR61954506077"),
        OKV("FR K 7399859412", "FRK7399859412"),
        OKV("FR44732829320", "FR44732829320"),
        OKV("FR16000063601", "FR16000063601"), /* Monaco */
        OKV("HR 33392005961", "HR33392005961"),
        OKV("HU-12892312", "HU12892312"),
        OKV("HU 10672101", "HU10672101"),
        OKV("IE 6433435F", "IE6433435F"),   /* before 2013 */
        OKV("IE 6433435OA", "IE6433435OA"), /* since 2013 */
        OKV("IE6433435IH", "IE6433435IH"),
        OKV("IE6599001W", "IE6599001W"),
        OKV("IE8D79739I", "IE8D79739I"), /* old style */
        OKV("IE9Y71814N", "IE9Y71814N"),
        OKV("IE 8223200u", "IE8223200U"),
        OKV("IE 632 3420 C", "IE6323420C"),
        OKV("IT 00743110157", "IT00743110157"),
        OKV("IT 0 0 6 1 8 2 8 0 4 9 9", "IT00618280499"),
        OKV("IT-09159800011", "IT09159800011"),
        OKV("LT 119511515", "LT119511515"),       /* company */
        OKV("LT 100001919017", "LT100001919017"), /* temporary */
        OKV("LT100004801610", "LT100004801610"),  /* second pass */
        OKV("LU 150 274 42", "LU15027442"),
        OKV("LU.248.70.640", "LU24870640"),
        OKV("LV 4000 3521 600", "LV40003521600"),
        OKV("LV 16117519997", "LV16117519997"), /* personal code */
        OKV("MT 1167-9112", "MT11679112"),
        OKV("MT 1039-6417", "MT10396417"),
        OKV("NL004495445B01", "NL004495445B01"),
        OKV("NL4495445B01", "NL004495445B01"),
        OKV("NL 002455799B11", "NL002455799B11"), /* since 2020 */
        OKV("NL 8225.69.759 b01", "NL822569759B01"),
        OKV("NL.0094.10.806.B.01", "NL009410806B01"),
        OKV("PL 8567346215", "PL8567346215"),
        OKV("PL 584-030-44-72", "PL5840304472"),
        OKV("PT 501 964 843", "PT501964843"),
        OKV("PT 500135.495", "PT500135495"),
        OKV("RO 185 472 90", "RO18547290"),
        OKV("RO 573768", "RO573768"),
        OKV("RO 1630615123457", "RO1630615123457"), /* personal code */
        OKV("Ro 15071875", "RO15071875"),
        OKV("SE 123456789701", "SE123456789701"),
        OKV("SE 556 644 662 001", "SE556644662001"),
        OKV("SE-5562245190-01", "SE556224519001"),
        OKV("SI 5022 3054", "SI50223054"),
        OKV("SI-89036999", "SI89036999"),
        OKV("SK 202 274 96 19", "SK2022749619"),
        OKV("SK 1078449064", "SK1078449064"),
        OKV("XI 980 7806 84", "XI980780684"),
        OKV("XI980780684123", "XI980780684123"), /* branch */
    };
    run_cases(cases, ARRAY_LEN(cases));
}

/* The same numbers, mistyped. */
static void test_near_misses(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("ATU 143 43 102", CHECKSUM),   BAD("ATU46080904", CHECKSUM),
        BAD("BE 0406.139.583", CHECKSUM),  BAD("BE697449982", CHECKSUM),
        BAD("BG 1037735942", CHECKSUM),    BAD("BG 131 172 009", CHECKSUM),
        BAD("CY 10246672F", CHECKSUM),     BAD("CY-10009489 A", CHECKSUM),
        BAD("CZ 25557481", CHECKSUM),      BAD("CZ 640913926", CHECKSUM),
        BAD("CZ 8058018314", CHECKSUM),    BAD("DE136695978", CHECKSUM),
        BAD("DE 246 495 415", CHECKSUM),   BAD("DK 11 96 56 58", CHECKSUM),
        BAD("EE 100 941 558", CHECKSUM),   BAD("EL 094013834", CHECKSUM),
        BAD("EL: 094269805", CHARACTER), /* the colon, before anything */
        BAD("ES 54362415K", CHECKSUM),     BAD("ES K-2814015-F", CHECKSUM),
        BAD("Es-a48951310", CHECKSUM),     BAD("FI 20774741", CHECKSUM),
        BAD("FR 04409414264", CHECKSUM),   BAD("FR L 7399859412", CHECKSUM),
        BAD("HR 33392005962", CHECKSUM),   BAD("HU-12892313", CHECKSUM),
        BAD("IE 4731823H", CHECKSUM),      BAD("IE8D79729I", CHECKSUM),
        BAD("IT 00743110158", CHECKSUM),   BAD("LT 100001919018", CHECKSUM),
        BAD("LU 150 274 43", CHECKSUM),    BAD("LV 40003521601", CHECKSUM),
        BAD("LV-10103241337", CHECKSUM),   BAD("MT 1167-9113", CHECKSUM),
        BAD("NL 123456789B90", CHECKSUM),  BAD("PL 8567346216", CHECKSUM),
        BAD("PT 501 964 842", CHECKSUM),   BAD("RO 18547291", CHECKSUM),
        BAD("SE 123456789101", CHECKSUM),  BAD("SI 50223055", CHECKSUM),
        BAD("SK 202 274 96 18", CHECKSUM), BAD("SK 2030 237 945", CHECKSUM),
        BAD("XI 802311781", CHECKSUM),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

/* Wrong length, characters or places, for each country's rule. */
static void test_format_rules_of_each_country(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("AT1 142 43 102", FORMAT), /* no U */
        BAD("ATU 1515B209", FORMAT),   /* a letter among the digits */
        BAD("ATU 151592092", LENGTH),
        BAD("BE 02A2.239.951", CHARACTER),
        BAD("BE 2428759497", FORMAT), /* not 0 or 1 first */
        BAD("BE0000000000", FORMAT),
        BAD("BE 04287594", LENGTH),
        BAD("BG 10X8735941", CHARACTER),
        BAD("BG 17507475", LENGTH),
        BAD("CY-12259033P", FORMAT), /* 12 is not issued */
        BAD("CY-102590Z3P", FORMAT),
        BAD("CY 102466728", FORMAT), /* check letter missing */
        BAD("CY-1225903322", LENGTH),
        BAD("CZ 95123891", FORMAT), /* 9 does not start a company's */
        BAD("CZ 2512389", LENGTH),
        BAD("CZ 71031927451", LENGTH),
        BAD("DE 011125440", FORMAT), /* no leading 0 */
        BAD("DE 246X595 415", CHARACTER),
        BAD("DE13669597", LENGTH),
        BAD("DK 03585628", FORMAT),
        BAD("EE 10093155", LENGTH),
        BAD("EL 0942592", LENGTH),
        BAD("ES B-583784312", LENGTH),
        BAD("ES B58378A31", FORMAT), /* letter inside */
        BAD("ES I1234567J", FORMAT), /* no such kind of entity */
        BAD("ES T1234567J", FORMAT),
        BAD("ESB5837843+", CHARACTER),
        BAD("FI 2077474", LENGTH),
        BAD("FR000076090", LENGTH),
        BAD("FRIO334175221", CHARACTER), /* I and O are not keys */
        BAD("HR 3339200596", LENGTH),
        BAD("HU 1289231", LENGTH),
        BAD("IE 4550C59S", FORMAT),
        BAD("IE 069385V8", FORMAT),
        BAD("IE 6433435X", FORMAT), /* X is no check letter */
        BAD("IE+879739I", FORMAT),  /* + only second */
        BAD("IE 643343", LENGTH),
        BAD("IT 00687129980", FORMAT), /* no office 912 */
        BAD("IT 00000000000", FORMAT),
        BAD("IT 0074311015", LENGTH),
        BAD("LT 100001354", FORMAT), /* 8th digit must be 1 */
        BAD("LT 100001509922", FORMAT),
        BAD("LT 1195115150", LENGTH),
        BAD("LT 11951151501", LENGTH),
        BAD("LU 1502744", LENGTH),
        BAD("LV 16137519997", FORMAT), /* no 13th month */
        BAD("LV 4000352160", LENGTH),
        BAD("MT 01679112", FORMAT),
        BAD("NL 001241643801", FORMAT), /* 8 where B stands */
        BAD("NL 009122746B00", FORMAT),
        BAD("NL B06753742B01", FORMAT),
        BAD("NL 82X569759b01", FORMAT),
        BAD("NL000000000B01", FORMAT),
        BAD("NL006866304B021", LENGTH),
        BAD("NLB01", LENGTH),
        BAD("PL 856734621", LENGTH),
        BAD("PT 001 964 843", FORMAT),
        BAD("RO 0185472", FORMAT),
        BAD("RO 1", LENGTH),
        BAD("RO 12345678901", LENGTH), /* 11: neither CUI nor CNP */
        BAD("RO 123456789012", LENGTH),
        BAD("RO 12345678901234", LENGTH),
        BAD("RO 0630615123457", FORMAT),
        BAD("SE 55643359201", LENGTH),
        BAD("SE 123456789702", FORMAT), /* must end with 01 */
        BAD("SI 05022305", FORMAT),
        BAD("SK A078449064", CHARACTER),
        BAD("SK 012 274 96 19", FORMAT),
        BAD("SK 2010 237 945", FORMAT),
        BAD("XIGD500", FORMAT),
        BAD("XIHA499", FORMAT),
        BAD("XIGA123", FORMAT),
        BAD("XI12345", LENGTH),
        BAD("XI12345678901", LENGTH),
        BAD("XI98078068", LENGTH),
        BAD("XI98078068A", FORMAT),   /* 9 characters, not digits */
        BAD("XI980780684A1", LENGTH), /* 11, not GD or HA */
        BAD("XIGD7777499", FORMAT),
        BAD("XI9807806X4", FORMAT),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

/* Where one kind of number ends and another begins. */
static void test_boundaries_between_kinds_of_number(void **state)
{
    (void)state;
    static const check_case cases[] = {
        /* Old 9-digit Belgian numbers; numbers starting with 1; the
         * check is 97 minus the remainder, never 00 nor 99. */
        OKV("BE 428759497", "BE0428759497"),
        OKV("BE1000000021", "BE1000000021"),
        OKV("BE0000009797", "BE0000009797"),
        BAD("BE0000009700", CHECKSUM),
        OKV("BE0000067702", "BE0000067702"),
        BAD("BE0000067799", CHECKSUM),
        /* Bulgarian personal number born in January 2005 (month 41). */
        OKV("BG0541150002", "BG0541150002"),
        /* Czech birth numbers: 29 February 2000 exists, 1900 did not
         * (9 digits: before 1954); a remainder of 10 was written 0
         * until 1984 only. */
        OKV("CZ0002290002", "CZ0002290002"),
        BAD("CZ000229123", FORMAT),
        BAD("CZ540101123", FORMAT), /* 9 digits after 1953 */
        OKV("CZ8403150020", "CZ8403150020"),
        BAD("CZ8503150030", CHECKSUM),
        /* Old 8-digit Greek numbers; GR is read as EL. */
        OKV("EL 94051189", "EL094051189"),
        OKV("GR 094259216", "EL094259216"),
        OKV("gr094259216", "EL094259216"),
        /* Spanish CIF: the check may be a digit or the letter of the same
         * rank. */
        OKV("ESQ2818015F", "ESQ2818015F"),
        OKV("ESQ28180156", "ESQ28180156"),
        /* Irish: + and * stand second in old numbers; a second letter
         * counts since 2013. */
        OKV("IE8+79739I", "IE8+79739I"),
        OKV("IE8*79739I", "IE8*79739I"),
        OKV("IE6433435FW", "IE6433435FW"),
        BAD("IE6433435FX", FORMAT),
        /* Latvian personal codes: 29 February 2000 (century 2) exists,
         * 1900 (century 1) did not. */
        OKV("LV29020021239", "LV29020021239"),
        BAD("LV29020011233", FORMAT),
        /* Dutch numbers lose their leading zeros. */
        OKV("NL12B01", "NL000000012B01"),
        BAD("NL1B01", CHECKSUM),
        /* Romanian: 2 to 10 digits, or a 13-digit personal code. */
        OKV("RO19", "RO19"),
        OKV("RO1234567030", "RO1234567030"),
        OKV("RO5000229123453", "RO5000229123453"),
        BAD("RO1900229123453", FORMAT),
        /* Northern Ireland: government departments and health
         * authorities; the 42 and 55 remainders from 100 on. */
        OKV("XIGD499", "XIGD499"),
        OKV("XIHA500", "XIHA500"),
        OKV("XIGD001", "XIGD001"),
        OKV("XIGD888849914", "XIGD888849914"),
        OKV("XIHA888850015", "XIHA888850015"),
        BAD("XIGD888849915", CHECKSUM),
        OKV("XI100151593", "XI100151593"),
        OKV("XI100967250", "XI100967250"),
        BAD("XI001211607", CHECKSUM),
        BAD("XI000253408", CHECKSUM),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

/* The country prefix and the shared reasons. */
static void test_country_prefix_and_shared_reasons(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("", EMPTY),
        BAD(" . - ", EMPTY),
        BAD("136695976", COUNTRY), /* prefix required */
        BAD("QQ 124567", COUNTRY),
        BAD("GB980780684", COUNTRY), /* Great Britain left */
        BAD("US123456789", COUNTRY),
        BAD("D", COUNTRY),
        BAD("1E136695976", COUNTRY),
        BAD("+E136695976", COUNTRY),
        BAD("DE", LENGTH),
        BAD("DE+136695976", CHARACTER), /* + is Irish only */
        BAD("DE136695976/", CHARACTER),
        BAD("DE_136695976", CHARACTER),
        BAD("DE\t136695976", CHARACTER),
        BAD("DE,136695976", CHARACTER),
        BAD("DE\xc2\xa0"
            "136695976",
            NONASCII), /* no-break space */
        BAD("DE 136\xe2\x80\x93"
            "695976",
            NONASCII), /* en dash */
        BAD("DE\xef\xbc\x91"
            "36695976",
            NONASCII), /* fullwidth 1 */
        BAD("\xc3\x89S B64717838", NONASCII),
        BAD("DE/\xc3\xa9", NONASCII), /* before CHARACTER */
        /* Separators anywhere, the prefix included; any case. */
        OKV("D E 136 695 976", "DE136695976"),
        OKV("-d.e-136695976.", "DE136695976"),
        OKV("  de136695976  ", "DE136695976"),
        OKV("eS-b58378431", "ESB58378431"),
        OKV("nl 4495445 b 01", "NL004495445B01"),
    };
    run_cases(cases, ARRAY_LEN(cases));
    check_one("DE 136695976", 12, CHORUSACCT_VALIDATE_STRICT,
              CHORUSACCT_E_SEPARATOR, NULL);
    check_one("DE136695976", 11, CHORUSACCT_VALIDATE_STRICT, CHORUSACCT_OK,
              "DE136695976");
    check_one("de136695976", 11, CHORUSACCT_VALIDATE_STRICT, CHORUSACCT_OK,
              "DE136695976");
    /* The length is what counts, not a NUL. */
    check_one("DE136695976\0"
              "1",
              11, 0, CHORUSACCT_OK, "DE136695976");
    check_one("DE136695976\0"
              "1",
              13, 0, CHORUSACCT_E_CHARACTER, NULL);
    check_one("DE1366959761", 11, 0, CHORUSACCT_OK, "DE136695976");
}

/* Inputs far longer than any number. */
static void test_long_inputs_refused(void **state)
{
    (void)state;
    static char big[4096];
    memset(big, '1', sizeof big);
    static const char *const prefixes[] = {"DE", "FR", "NL", "RO",
                                           "IE", "XI", "QQ"};
    for (size_t i = 0; i < ARRAY_LEN(prefixes); i++) {
        memcpy(big, prefixes[i], 2);
        check_one(big, sizeof big, 0,
                  i + 1 < ARRAY_LEN(prefixes) ? CHORUSACCT_E_LENGTH
                                              : CHORUSACCT_E_COUNTRY,
                  NULL);
    }
    /* A refused character far away is still seen. */
    memcpy(big, "DE", 2);
    big[sizeof big - 1] = '/';
    check_one(big, sizeof big, 0, CHORUSACCT_E_CHARACTER, NULL);
    big[sizeof big - 1] = 'A';
    check_one(big, sizeof big, 0, CHORUSACCT_E_CHARACTER, NULL);
    big[sizeof big - 1] = '+';
    check_one(big, sizeof big, 0, CHORUSACCT_E_CHARACTER, NULL);
    memcpy(big, "FR", 2);
    check_one(big, sizeof big, 0, CHORUSACCT_E_CHARACTER, NULL);
    big[sizeof big - 1] = ' ';
    check_one(big, sizeof big, CHORUSACCT_VALIDATE_STRICT,
              CHORUSACCT_E_SEPARATOR, NULL);
}

/* The caller's buffer rule. */
static void test_output_buffer_rule(void **state)
{
    (void)state;
    /* Each path that writes: plain, padded (BE, EL, NL), GR, France. */
    static const char *const ins[] = {"DE136695976", "BE 428759497",
                                      "GR 94051189", "NL4495445B01",
                                      "FR44732829320"};
    for (size_t i = 0; i < ARRAY_LEN(ins); i++) {
        char full[32], buf[32];
        size_t n, m;
        int reason = 0;
        const char *in = ins[i];
        assert_code(chorusacct_vat_check(in, strlen(in), 0, full, sizeof full,
                                         &n, &reason),
                    CHORUSACCT_OK, NULL);
        /* Check only. */
        m = 0;
        assert_code(
            chorusacct_vat_check(in, strlen(in), 0, NULL, 0, &m, &reason),
            CHORUSACCT_OK, NULL);
        assert_int_equal(m, n);
        assert_code(
            chorusacct_vat_check(in, strlen(in), 0, NULL, 0, NULL, NULL),
            CHORUSACCT_OK, NULL);
        /* One byte short, then just enough. */
        memset(buf, 'x', sizeof buf);
        m = 0;
        assert_code(
            chorusacct_vat_check(in, strlen(in), 0, buf, n, &m, &reason),
            CHORUSACCT_E_TOOSMALL, NULL);
        assert_int_equal(m, n);
        assert_int_equal(buf[0], '\0');
        assert_int_equal(buf[n], 'x');
        assert_code(
            chorusacct_vat_check(in, strlen(in), 0, buf, n + 1, &m, &reason),
            CHORUSACCT_OK, NULL);
        assert_string_equal(buf, full);
        assert_true(n <= chorusacct_identifier_max_len());
    }
    /* Arguments. */
    char buf[8] = "zzz";
    size_t n = 5;
    int reason = 0;
    assert_code(chorusacct_vat_check(NULL, 3, 0, buf, sizeof buf, &n, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_string_equal(buf, "");
    assert_int_equal(n, 0);
    assert_code(
        chorusacct_vat_check("DE136695976", 11, 0, NULL, 4, &n, &reason),
        CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_vat_check(NULL, 0, 0, buf, sizeof buf, &n, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_EMPTY, NULL);
}

/* Through the identifier type UE_HORS_FRANCE. */
static void test_identifier_type(void **state)
{
    (void)state;
    char buf[32];
    size_t n;
    int reason = 0;
    assert_code(chorusacct_identifier_check(CHORUSACCT_ID_UE_HORS_FRANCE,
                                            "it 00743110157", 14, 0, buf,
                                            sizeof buf, &n, &reason),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "IT00743110157");
    assert_code(chorusacct_identifier_check(CHORUSACCT_ID_UE_HORS_FRANCE,
                                            "GR 94051189", 11, 0, buf,
                                            sizeof buf, &n, &reason),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "EL094051189");
    assert_code(chorusacct_identifier_check(CHORUSACCT_ID_UE_HORS_FRANCE,
                                            "DE136695978", 11, 0, buf,
                                            sizeof buf, &n, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_CHECKSUM, NULL);
    /* French structures use their SIRET. */
    assert_code(chorusacct_identifier_check(CHORUSACCT_ID_UE_HORS_FRANCE,
                                            "FR44732829320", 13, 0, buf,
                                            sizeof buf, &n, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_COUNTRY, NULL);
}

static const char *const member_states[] = {
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES",
    "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
    "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI"};

/* Every example a hint gives (a word starting with the prefix and
 * holding a digit) is a valid number of that country. Returns how many
 * there were. */
static int check_hint_examples(const char *cc, const char *hint)
{
    int seen = 0;
    for (const char *p = hint; (p = strstr(p, cc)) != NULL; p += 2) {
        if (p > hint && p[-1] != ' ')
            continue;
        size_t len = strcspn(p, " ,;)");
        while (len > 0 && p[len - 1] == '.')
            len--;
        if (strcspn(p, "0123456789") >= len)
            continue;
        char buf[32];
        int reason = 0;
        if (chorusacct_vat_check(p, len, 0, buf, sizeof buf, NULL, &reason) !=
            CHORUSACCT_OK)
            fail_msg("hint of %s: example %.*s is refused (%s)", cc, (int)len,
                     p, chorusacct_status_name(reason));
        assert_memory_equal(buf, cc, 2);
        seen++;
    }
    return seen;
}

static void test_hint_per_country_and_language(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(member_states); i++) {
        const char *cc = member_states[i];
        const char *en = chorusacct_vat_hint(cc, CHORUSACCT_LANG_EN);
        const char *fr = chorusacct_vat_hint(cc, CHORUSACCT_LANG_FR);
        assert_non_null(en);
        assert_non_null(fr);
        assert_string_not_equal(en, fr);
        assert_non_null(strstr(en, "VAT number"));
        assert_non_null(strstr(fr, "Numéro de TVA"));
        assert_int_equal(en[strlen(en) - 1], '.');
        assert_int_equal(fr[strlen(fr) - 1], '.');
        assert_true(check_hint_examples(cc, en) >= 1);
        assert_int_equal(check_hint_examples(cc, fr),
                         check_hint_examples(cc, en));
        /* Each country has its own. */
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(en,
                                    chorusacct_vat_hint(member_states[j], 0));
        /* Any case; unknown languages are English. */
        char lower[3] = {(char)(cc[0] | 0x20), (char)(cc[1] | 0x20), 0};
        assert_ptr_equal(chorusacct_vat_hint(lower, CHORUSACCT_LANG_FR), fr);
        assert_ptr_equal(chorusacct_vat_hint(cc, 42), en);
    }
    assert_ptr_equal(chorusacct_vat_hint("GR", CHORUSACCT_LANG_FR),
                     chorusacct_vat_hint("EL", CHORUSACCT_LANG_FR));
    assert_ptr_equal(chorusacct_vat_hint("gR", CHORUSACCT_LANG_EN),
                     chorusacct_vat_hint("EL", CHORUSACCT_LANG_EN));
    static const char *const unknown[] = {
        "GB", "QQ", "US", "", "D", "DEU", "D1", "1D", "d\xc3", "[E", "de "};
    for (size_t i = 0; i < ARRAY_LEN(unknown); i++)
        assert_string_equal(chorusacct_vat_hint(unknown[i], CHORUSACCT_LANG_EN),
                            "");
    assert_string_equal(chorusacct_vat_hint(NULL, CHORUSACCT_LANG_EN), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_numbers_of_each_country),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_format_rules_of_each_country),
        cmocka_unit_test(test_boundaries_between_kinds_of_number),
        cmocka_unit_test(test_country_prefix_and_shared_reasons),
        cmocka_unit_test(test_long_inputs_refused),
        cmocka_unit_test(test_output_buffer_rule),
        cmocka_unit_test(test_identifier_type),
        cmocka_unit_test(test_hint_per_country_and_language),
    };
    return cmocka_run_group_tests_name("vat", tests, NULL, NULL);
}
