/*
 * Phone numbers: the accepted forms, the French plan at every range
 * boundary, every overseas block, the overseas plans, foreign lengths,
 * and every refusal.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void check_one(const char *in, uint32_t flags, int want_reason,
                      const char *want)
{
    check_validator(chorusacct_phone_check, in, strlen(in), flags, 64,
                    want_reason, want);
}

static void run_cases(const check_case *c, size_t count)
{
    check_cases(chorusacct_phone_check, 64, c, count);
}

#define BADP(in, why)                                                          \
    {                                                                          \
        in, CHORUSACCT_E_PHONE_##why, NULL                                     \
    }

static void test_written_forms_give_one_number(void **state)
{
    (void)state;
    /* The forms of the issue, all one number. */
    static const check_case cases[] = {
        OKV("06 12 34 56 78", "+33612345678"),
        OKV("06.12.34.56.78", "+33612345678"),
        OKV("06-12-34-56-78", "+33612345678"),
        OKV("0612345678", "+33612345678"),
        OKV("+33 6 12 34 56 78", "+33612345678"),
        OKV("+33612345678", "+33612345678"),
        OKV("0033 6 12 34 56 78", "+33612345678"),
        OKV("0033612345678", "+33612345678"),
        OKV("+33 (0)6 12 34 56 78", "+33612345678"),
        OKV("+33(0)612345678", "+33612345678"),
        OKV("+33 06 12 34 56 78", "+33612345678"),
        OKV("0033 (0)6 12 34 56 78", "+33612345678"),
        OKV("0033 06 12 34 56 78", "+33612345678"),
        OKV(" +33 6-12.34 56 78 ", "+33612345678"),
        OKV("+ 33 6 12 34 56 78", "+33612345678"),
        OKV("0 6 1 2 3 4 5 6 7 8", "+33612345678"),
        OKV("01 23 45 67 89", "+33123456789"),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_metropolitan_range_boundaries(void **state)
{
    (void)state;
    /* Every range boundary of the metropolitan plan (docs/phone.md). */
    static const check_case cases[] = {
        /* 01-05, geographic: all of them but 040 and the overseas
         * blocks 0262, 0263, 0269, 0590, 0594, 0596. */
        OKV("01 00 00 00 00", "+33100000000"),
        OKV("01 99 99 99 99", "+33199999999"),
        OKV("02 00 00 00 00", "+33200000000"),
        OKV("02 61 99 99 99", "+33261999999"),
        OKV("02 64 00 00 00", "+33264000000"),
        OKV("02 68 99 99 99", "+33268999999"),
        OKV("02 70 00 00 00", "+33270000000"),
        OKV("03 00 00 00 00", "+33300000000"),
        BADP("04 00 00 00 00", RANGE),
        BADP("04 09 99 99 99", RANGE),
        OKV("04 10 00 00 00", "+33410000000"),
        OKV("04 99 99 99 99", "+33499999999"),
        OKV("05 00 00 00 00", "+33500000000"),
        OKV("05 89 99 99 99", "+33589999999"),
        OKV("05 91 00 00 00", "+33591000000"),
        OKV("05 95 00 00 00", "+33595000000"),
        OKV("05 97 00 00 00", "+33597000000"),
        OKV("05 99 99 99 99", "+33599999999"),
        /* 06, mobile: all but 0639, 0690-0694, 0696, 0697 (overseas). */
        OKV("06 00 00 00 00", "+33600000000"),
        OKV("06 29 99 99 99", "+33629999999"),
        OKV("06 30 00 00 00", "+33630000000"),
        OKV("06 38 99 99 99", "+33638999999"),
        OKV("06 40 00 00 00", "+33640000000"),
        OKV("06 89 99 99 99", "+33689999999"),
        OKV("06 95 00 00 00", "+33695000000"),
        OKV("06 98 00 00 00", "+33698000000"),
        OKV("06 99 99 99 99", "+33699999999"),
        /* 07, mobile: 0700 and 073-079. */
        OKV("07 00 00 00 00", "+33700000000"),
        OKV("07 00 99 99 99", "+33700999999"),
        BADP("07 01 00 00 00", RANGE),
        BADP("07 10 00 00 00", RANGE),
        BADP("07 29 99 99 99", RANGE),
        OKV("07 30 00 00 00", "+33730000000"),
        OKV("07 99 99 99 99", "+33799999999"),
        /* 08, special: all but 083 6 04/05, 0841, 0843-0849, 087. */
        OKV("08 00 00 00 00", "+33800000000"),
        OKV("08 05 99 99 99", "+33805999999"),
        OKV("08 06 00 00 00", "+33806000000"),
        OKV("08 29 99 99 99", "+33829999999"),
        OKV("08 35 99 99 99", "+33835999999"),
        OKV("08 36 03 99 99", "+33836039999"),
        BADP("08 36 04 00 00", RANGE),
        BADP("08 36 05 99 99", RANGE),
        OKV("08 36 06 00 00", "+33836060000"),
        OKV("08 36 10 00 00", "+33836100000"),
        OKV("08 37 00 00 00", "+33837000000"),
        OKV("08 40 00 00 00", "+33840000000"),
        BADP("08 41 00 00 00", RANGE),
        OKV("08 42 99 99 99", "+33842999999"),
        BADP("08 43 00 00 00", RANGE),
        BADP("08 49 99 99 99", RANGE),
        OKV("08 50 00 00 00", "+33850000000"),
        OKV("08 69 99 99 99", "+33869999999"),
        BADP("08 70 00 00 00", RANGE),
        BADP("08 79 99 99 99", RANGE),
        OKV("08 80 00 00 00", "+33880000000"),
        OKV("08 99 99 99 99", "+33899999999"),
        /* 09, non-geographic: all of it. */
        OKV("09 00 00 00 00", "+33900000000"),
        OKV("09 76 22 12 34", "+33976221234"),
        OKV("09 99 99 99 99", "+33999999999"),
        /* The same boundaries written internationally. */
        BADP("+33 4 00 00 00 00", RANGE),
        OKV("+33 4 10 00 00 00", "+33410000000"),
        BADP("+33 7 01 00 00 00", RANGE),
        /* Length: a French number is 0 and 9 digits. */
        BADP("06 12 34 56 7", LENGTH),
        BADP("06 12 34 56 78 9", LENGTH),
        BADP("612345678", LENGTH),
        BADP("33612345678", LENGTH),
        BADP("0", LENGTH),
        BADP("+33 6 12 34 56 7", LENGTH),
        BADP("+33 6 12 34 56 78 9", LENGTH),
        BADP("+33", LENGTH),
        BADP("+33 (0)", LENGTH),
        BADP("+33 (0)06 12 34 56 78", LENGTH),
        BADP("+33 006 12 34 56 78", LENGTH),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

/* Every overseas block of the French plan. */
static const struct {
    const char *block;
    const char *cc;
    const char *valid;   /* six digits after the block, allocated */
    const char *invalid; /* six digits after the block, not allocated */
} blocks[] = {
    {"262", "262", "123456", NULL}, /* 0262: all of it */
    {"263", "262", "012345", "212345"},
    {"269", "262", "601234", "041234"},
    {"639", "262", "012345", "081234"},
    {"692", "262", "123456", NULL}, /* 0692: all of it */
    {"693", "262", "401234", "051234"},
    {"590", "590", "123456", "341234"},
    {"690", "590", "123456", NULL}, /* 0690: all of it */
    {"691", "590", "221234", "211234"},
    {"594", "594", "012345", "131234"},
    {"694", "594", "201234", "391234"},
    {"596", "596", "301234", "111234"},
    {"696", "596", "201234", "571234"},
    {"697", "596", "271234", "001234"},
};

static void test_overseas_blocks(void **state)
{
    (void)state;
    char in[64], want[32];
    for (size_t i = 0; i < ARRAY_LEN(blocks); i++) {
        /* National: the block's own country code. */
        snprintf(in, sizeof in, "0%s %s", blocks[i].block, blocks[i].valid);
        snprintf(want, sizeof want, "+%s%s%s", blocks[i].cc, blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_OK, want);
        /* Internationally, with its code, with or without a trunk 0. */
        snprintf(in, sizeof in, "+%s %s%s", blocks[i].cc, blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_OK, want);
        snprintf(in, sizeof in, "+%s (0)%s %s", blocks[i].cc, blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_OK, want);
        snprintf(in, sizeof in, "00%s 0%s%s", blocks[i].cc, blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_OK, want);
        /* After +33: not a French number, valid or not in its plan. */
        snprintf(in, sizeof in, "+33 %s %s", blocks[i].block, blocks[i].valid);
        check_one(in, 0, CHORUSACCT_E_PHONE_OVERSEAS, NULL);
        snprintf(in, sizeof in, "+33 (0)%s %s", blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_E_PHONE_OVERSEAS, NULL);
        snprintf(in, sizeof in, "0033 %s %s", blocks[i].block, blocks[i].valid);
        check_one(in, 0, CHORUSACCT_E_PHONE_OVERSEAS, NULL);
        /* A range of the block that its plan has not allocated. */
        if (blocks[i].invalid != NULL) {
            snprintf(in, sizeof in, "0%s%s", blocks[i].block,
                     blocks[i].invalid);
            check_one(in, 0, CHORUSACCT_E_PHONE_RANGE, NULL);
            snprintf(in, sizeof in, "+%s %s%s", blocks[i].cc, blocks[i].block,
                     blocks[i].invalid);
            check_one(in, 0, CHORUSACCT_E_PHONE_RANGE, NULL);
        }
        /* Wrong lengths. */
        snprintf(in, sizeof in, "0%s %.5s", blocks[i].block, blocks[i].valid);
        check_one(in, 0, CHORUSACCT_E_PHONE_LENGTH, NULL);
        snprintf(in, sizeof in, "+%s %s%s0", blocks[i].cc, blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_E_PHONE_LENGTH, NULL);
        /* +33 wins nothing by a wrong length: LENGTH comes first. */
        snprintf(in, sizeof in, "+33 %s %.5s", blocks[i].block,
                 blocks[i].valid);
        check_one(in, 0, CHORUSACCT_E_PHONE_LENGTH, NULL);
    }
}

static void test_overseas_plans(void **state)
{
    (void)state;
    static const check_case cases[] = {
        /* +262: Réunion and Mayotte share the code. */
        OKV("+262 263 10 12 34", "+262263101234"),
        BADP("+262 263 12 12 34", RANGE),
        OKV("+262 269 53 12 34", "+262269531234"),
        BADP("+262 269 54 12 34", RANGE),
        OKV("+262 976 22 12 34", "+262976221234"),
        BADP("+262 976 21 12 34", RANGE),
        OKV("+262 800 12 34 56", "+262800123456"),
        BADP("+262 590 12 34 56", RANGE),
        BADP("+262 612 34 56 78", RANGE),
        BADP("+262 1 23 45 67 89", RANGE),
        /* +590: Guadeloupe, Saint-Barthélemy, Saint-Martin. */
        OKV("+590 590 27 12 34", "+590590271234"),
        OKV("+590 976 01 23 45", "+590976012345"),
        BADP("+590 976 21 23 45", RANGE),
        BADP("+590 262 12 34 56", RANGE),
        /* +594: French Guiana. */
        OKV("+594 594 80 12 34", "+594594801234"),
        BADP("+594 594 81 12 34", RANGE),
        OKV("+594 976 12 34 56", "+594976123456"),
        /* +596: Martinique. */
        OKV("+596 596 10 12 34", "+596596101234"),
        BADP("+596 596 11 12 34", RANGE),
        OKV("+596 976 70 12 34", "+596976701234"),
        BADP("+596 976 74 12 34", RANGE),
        /* +508: Saint-Pierre-and-Miquelon, 6 digits (9 for 80x). */
        OKV("+508 41 12 34", "+508411234"),
        OKV("+508 46 12 34", "+508461234"),
        BADP("+508 47 12 34", RANGE),
        OKV("+508 55 12 34", "+508551234"),
        BADP("+508 51 12 34", RANGE),
        OKV("+508 (0)41 12 34", "+508411234"),
        OKV("+508 041 12 34", "+508411234"),
        OKV("+508 805 12 34 56", "+508805123456"),
        BADP("+508 806 12 34 56", RANGE),
        BADP("+508 41 12 345", LENGTH),
        /* +681: Wallis-and-Futuna, no trunk prefix. */
        OKV("+681 72 12 34", "+681721234"),
        OKV("+681 40 12 34", "+681401234"),
        OKV("+681 83 12 34", "+681831234"),
        BADP("+681 81 12 34", RANGE),
        BADP("+681 (0)72 12 34", TRUNK),
        BADP("+681 72 12 3", LENGTH),
        /* +687: New Caledonia; 05 0 is a valid start. */
        OKV("+687 05 01 23", "+687050123"),
        BADP("+687 05 11 23", RANGE),
        OKV("+687 20 12 34", "+687201234"),
        BADP("+687 21 12 34", RANGE),
        OKV("+687 36 12 34", "+687361234"),
        BADP("+687 37 12 34", RANGE),
        BADP("+687 60 12 34", RANGE),
        OKV("+687 75 12 34", "+687751234"),
        BADP("+687 0 20 12 34", LENGTH),
        BADP("+687 (0)20 12 34", TRUNK),
        /* +689: French Polynesia, 8 digits (6 and 9 for some). */
        OKV("+689 40 41 23 45", "+68940412345"),
        BADP("+689 40 71 23 45", RANGE),
        OKV("+689 87 12 34 56", "+68987123456"),
        BADP("+689 86 12 34 56", RANGE),
        OKV("+689 44 12 34", "+689441234"),
        BADP("+689 45 12 34", RANGE),
        OKV("+689 800 12 34 56", "+689800123456"),
        BADP("+689 87 12 34 5", LENGTH),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_foreign_numbers_by_country(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("+44 20 7946 0000", "+442079460000"),
        OKV("+44 (0)20 7946 0000", "+442079460000"),
        OKV("+44 020 7946 0000", "+442079460000"),
        OKV("0044 20 7946 0000", "+442079460000"),
        BADP("+44 20 7946 00000", LENGTH),
        BADP("+44 20 79", LENGTH),
        OKV("+49 30 123456", "+4930123456"),
        OKV("+49 (0)30 123456", "+4930123456"),
        BADP("+49 301", LENGTH),
        OKV("+49 3012 3456 7890 1", "+493012345678901"),
        /* 14 digits after 49: a length of libphonenumber's for Germany,
         * but over the 15 digits of E.164. */
        BADP("+49 3012 3456 7890 12", LENGTH),
        OKV("+1 202 555 0143", "+12025550143"),
        BADP("+1 202 555 014", LENGTH),
        BADP("+1 202 555 01430", LENGTH),
        BADP("+1 102 555 0143", RANGE),
        BADP("+1 (0)202 555 0143", TRUNK),
        /* Italy keeps the 0 of its numbers. */
        OKV("+39 06 1234 5678", "+390612345678"),
        BADP("+39 (0)6 1234 5678", TRUNK),
        OKV("+32 2 123 45 67", "+3221234567"),
        OKV("+41 44 668 18 00", "+41446681800"),
        OKV("+7 495 123 45 67", "+74951234567"),
        OKV("+800 1234 5678", "+80012345678"),
        OKV("+352 27 12 34 56", "+35227123456"),
        BADP("+352 17 12 34 56", RANGE),
        /* Unknown codes. */
        BADP("+999 123 456", COUNTRY),
        BADP("+801 123 456", COUNTRY),
        BADP("+0 6 12 34 56 78", COUNTRY),
        BADP("000 33 6 12 34 56 78", COUNTRY),
        BADP("+", LENGTH),
        BADP("+3", LENGTH),
        BADP("00", LENGTH),
        BADP("+1 23456789012345", LENGTH),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_each_fault_has_its_reason(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("", EMPTY),
        BAD("   ", EMPTY),
        BAD(" .-", EMPTY),
        /* Extensions. */
        BADP("06 12 34 56 78 ext 12", EXTENSION),
        BADP("06 12 34 56 78 EXT. 12", EXTENSION),
        BADP("06 12 34 56 78 extension 12", EXTENSION),
        BADP("06 12 34 56 78 extn: 12", EXTENSION),
        BADP("06 12 34 56 78 x12", EXTENSION),
        BADP("06 12 34 56 78 X 12", EXTENSION),
        BADP("+33 1 23 45 67 89 poste 4567", EXTENSION),
        BADP("+33 1 23 45 67 89;ext=45", EXTENSION),
        BADP("01 23 45 67 89 #12", EXTENSION),
        /* Letters and other signs. */
        BADP("06 12 34 56 78 x", CHARACTER),
        BADP("06 12 34 56 78 ext", CHARACTER),
        BADP("06 12 34 56 78 x12a", CHARACTER),
        BADP("x12", CHARACTER),
        BADP("06 12 34 56 7A", CHARACTER),
        BADP("tel 06 12 34 56 78", CHARACTER),
        BADP("0800-FLOWERS", CHARACTER),
        BADP("06/12/34/56/78", CHARACTER),
        BADP("06_12_34_56_78", CHARACTER),
        BADP("(06) 12 34 56 78", CHARACTER),
        BADP("+33 (0 6 12 34 56 78", CHARACTER),
        BADP("+33 0) 6 12 34 56 78", CHARACTER),
        BADP("06\t12 34 56 78", CHARACTER),
        BADP("*31#0612345678", CHARACTER),
        /* The +. */
        BADP("+33 6 12 34 56 78+", PLUS),
        BADP("++33 6 12 34 56 78", PLUS),
        BADP("06 +12 34 56 78", PLUS),
        BADP("00+33 6 12 34 56 78", PLUS),
        BADP("(0)+33 6 12 34 56 78", PLUS),
        /* The (0). */
        BADP("(0)6 12 34 56 78", TRUNK),
        BADP("0(0)6 12 34 56 78", TRUNK),
        BADP("+33 6 (0)12 34 56 78", TRUNK),
        BADP("+3(0)3 6 12 34 56 78", TRUNK),
        BADP("+33 (0)(0)6 12 34 56 78", TRUNK),
        BADP("(0)", TRUNK),
        /* Not ASCII: no-break spaces, full-width digits. */
        BAD("06\xc2\xa0"
            "12\xc2\xa0"
            "34\xc2\xa0"
            "56\xc2\xa0"
            "78",
            NONASCII),
        BAD("\xef\xbc\x90\xef\xbc\x96 12 34 56 78", NONASCII),
        /* The reason does not depend on where the faults stand. */
        BAD("A06 12 34 56 78\xc3\xa9", NONASCII),
        BADP("+06 12 34 56 78 A+", CHARACTER),
        BADP("06 12 34 56 78 ext 12+", CHARACTER),
        BADP("+33 + (0)6 A", CHARACTER),
        BADP("+33 6 12 34 56 78 9+", PLUS),
        BADP("+3 (0)3 6 12 34 + 56 78", PLUS),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_strict_refuses_separators(void **state)
{
    (void)state;
    uint32_t s = CHORUSACCT_VALIDATE_STRICT;
    check_one("+33612345678", s, CHORUSACCT_OK, "+33612345678");
    check_one("0612345678", s, CHORUSACCT_OK, "+33612345678");
    check_one("+33(0)612345678", s, CHORUSACCT_OK, "+33612345678");
    check_one("06 12 34 56 78", s, CHORUSACCT_E_SEPARATOR, NULL);
    check_one("06.12.34.56.78", s, CHORUSACCT_E_SEPARATOR, NULL);
    check_one("+33-612345678", s, CHORUSACCT_E_SEPARATOR, NULL);
    /* Worse faults first. */
    check_one("06 12 34 56 7A", s, CHORUSACCT_E_PHONE_CHARACTER, NULL);
    check_one("+33 +612345678", s, CHORUSACCT_E_PHONE_PLUS, NULL);
    /* Flags the validator does not know are ignored. */
    check_one("06 12 34 56 78", 0x100, CHORUSACCT_OK, "+33612345678");
}

static void test_normalized_again(void **state)
{
    (void)state;
    /* An E.164 output validates, strictly, to itself. */
    static const char *const inputs[] = {
        "06 12 34 56 78",   "0262 12 34 56",      "+590 (0)690 12 34 56",
        "+687 05 01 23",    "+689 40 41 23 45",   "+44 (0)20 7946 0000",
        "+39 06 1234 5678", "0033 9 76 22 12 34", "+800 1234 5678",
    };
    for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
        char a[32], b[32];
        size_t na, nb;
        int reason;
        assert_code(chorusacct_phone_check(inputs[i], strlen(inputs[i]), 0, a,
                                           sizeof a, &na, &reason),
                    CHORUSACCT_OK, NULL);
        assert_code(chorusacct_phone_check(a, na, CHORUSACCT_VALIDATE_STRICT, b,
                                           sizeof b, &nb, &reason),
                    CHORUSACCT_OK, NULL);
        assert_string_equal(a, b);
        assert_true(na <= chorusacct_phone_max_len());
    }
}

static void test_output_buffer_rule(void **state)
{
    (void)state;
    char buf[20];
    size_t n = 0;
    int reason = 0;
    const char *num = "+44 20 7946 0000"; /* +442079460000: 13 */

    assert_int_equal(chorusacct_phone_max_len(), 16);
    /* Check only. */
    assert_code(chorusacct_phone_check(num, strlen(num), 0, NULL, 0, &n, NULL),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 13);
    /* Exactly enough: 13 + NUL. */
    assert_code(
        chorusacct_phone_check(num, strlen(num), 0, buf, 14, &n, &reason),
        CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "+442079460000");
    /* One short: the needed length is still reported. */
    memset(buf, 'x', sizeof buf);
    assert_code(
        chorusacct_phone_check(num, strlen(num), 0, buf, 13, &n, &reason),
        CHORUSACCT_E_TOOSMALL, NULL);
    assert_int_equal(n, 13);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[13], 'x'); /* nothing written past cap */
    /* The longest output fits in max_len + 1. */
    const char *longest = "+49 3012 3456 7890 1";
    char exact[17];
    assert_code(chorusacct_phone_check(longest, strlen(longest), 0, exact,
                                       sizeof exact, &n, &reason),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 16);
    /* Bad arguments, and the output cleared. */
    strcpy(buf, "junk");
    n = 7;
    assert_code(
        chorusacct_phone_check(NULL, 3, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_ARG, NULL);
    assert_string_equal(buf, "");
    assert_int_equal(n, 0);
    assert_code(chorusacct_phone_check("1", 1, 0, NULL, 5, &n, &reason),
                CHORUSACCT_E_ARG, NULL);
    /* NULL with length 0 is the empty value. */
    assert_code(
        chorusacct_phone_check(NULL, 0, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_EMPTY, NULL);
    /* Length is honoured: no NUL needed, nothing read beyond. */
    assert_code(chorusacct_phone_check("0612345678999", 10, 0, buf, sizeof buf,
                                       &n, &reason),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "+33612345678");
    /* The (0) cut by the length is not a (0). */
    assert_code(
        chorusacct_phone_check("+33 (0)6", 5, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_PHONE_CHARACTER, NULL);
    /* An embedded NUL is a character like any other. */
    assert_code(chorusacct_phone_check("06123\0"
                                       "45678",
                                       11, 0, buf, sizeof buf, &n, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_PHONE_CHARACTER, NULL);
    /* Success leaves the reason alone; refusal names one. */
    reason = 42;
    assert_code(
        chorusacct_phone_check("0612345678", 10, 0, NULL, 0, NULL, &reason),
        CHORUSACCT_OK, NULL);
    assert_int_equal(reason, 42);
    assert_code(
        chorusacct_phone_check("04 00 00 00 00", 14, 0, NULL, 0, NULL, NULL),
        CHORUSACCT_E_REJECTED, NULL);
}

static void test_long_input(void **state)
{
    (void)state;
    static char big[1 << 20];
    int reason;
    char buf[32];
    /* A number drowned in separators is still read. */
    memset(big, ' ', sizeof big);
    memcpy(big + 1000, "+33612345678", 12);
    assert_code(chorusacct_phone_check(big, sizeof big, 0, buf, sizeof buf,
                                       NULL, &reason),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "+33612345678");
    /* A million digits: too long, no overflow. */
    memset(big, '7', sizeof big);
    assert_code(chorusacct_phone_check(big, sizeof big, 0, buf, sizeof buf,
                                       NULL, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_PHONE_LENGTH, NULL);
    /* Just past what the scan keeps. */
    const char *d22 = "+1234567890123456789012";
    assert_code(chorusacct_phone_check(d22, strlen(d22), 0, buf, sizeof buf,
                                       NULL, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_PHONE_LENGTH, NULL);
}

static void test_messages_in_both_languages(void **state)
{
    (void)state;
    static const int codes[] = {
        CHORUSACCT_E_PHONE_CHARACTER, CHORUSACCT_E_PHONE_PLUS,
        CHORUSACCT_E_PHONE_COUNTRY,   CHORUSACCT_E_PHONE_LENGTH,
        CHORUSACCT_E_PHONE_RANGE,     CHORUSACCT_E_PHONE_OVERSEAS,
        CHORUSACCT_E_PHONE_TRUNK,     CHORUSACCT_E_PHONE_EXTENSION,
    };
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        assert_true(strncmp(chorusacct_status_name(codes[i]), "PHONE_", 6) ==
                    0);
        assert_true(strlen(chorusacct_strerror(codes[i], CHORUSACCT_LANG_FR)) >
                    20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_written_forms_give_one_number),
        cmocka_unit_test(test_metropolitan_range_boundaries),
        cmocka_unit_test(test_overseas_blocks),
        cmocka_unit_test(test_overseas_plans),
        cmocka_unit_test(test_foreign_numbers_by_country),
        cmocka_unit_test(test_each_fault_has_its_reason),
        cmocka_unit_test(test_strict_refuses_separators),
        cmocka_unit_test(test_normalized_again),
        cmocka_unit_test(test_output_buffer_rule),
        cmocka_unit_test(test_long_input),
        cmocka_unit_test(test_messages_in_both_languages),
    };
    return cmocka_run_group_tests_name("phone", tests, NULL, NULL);
}
