/*
 * E-mail addresses: valid forms, every reason, every length boundary,
 * the output rule, the comparison helper, and concurrent first use.
 *
 * meson runs it twice: as is (PCRE2 JIT) and with CHORUSACCT_PCRE2_NO_JIT
 * set (PCRE2's interpreter).
 */
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Runs the validator on in[0..len) and checks the outcome. */
static void check_email(const char *in, size_t len, int want_reason,
                        const char *want)
{
    check_validator(chorusacct_email_check, in, len, 0, 300, want_reason, want);
}

static void run_cases(const check_case *c, size_t count)
{
    check_cases(chorusacct_email_check, 300, c, count);
}

static void test_valid_addresses_keep_local_part_lower_domain(void **state)
{
    (void)state;
    static const check_case cases[] = {
        OKV("jean.dupont@example.fr", "jean.dupont@example.fr"),
        OKV("a@b.co", "a@b.co"),
        OKV("a@b.c", "a@b.c"),
        OKV("x@mail.sub.example.com", "x@mail.sub.example.com"),
        OKV("user+tag@example.fr", "user+tag@example.fr"),
        OKV("!#$%&'*+/?=^_`{|}~-@example.fr", "!#$%&'*+/?=^_`{|}~-@example.fr"),
        OKV("a.b.c.d@example.fr", "a.b.c.d@example.fr"),
        OKV("0123@123.example.fr", "0123@123.example.fr"),
        OKV("a@1example.fr", "a@1example.fr"),
        OKV("a@ex-am--ple.fr", "a@ex-am--ple.fr"),
        OKV("a@example.x1", "a@example.x1"),
        OKV("a@example.1x", "a@example.1x"),
        OKV("a@xn--bcher-kva.example", "a@xn--bcher-kva.example"),
        OKV("a@1.2.3.fr", "a@1.2.3.fr"),
        /* Local part kept as typed, domain lower-cased. */
        OKV("Jean.DUPONT@Example.FR", "Jean.DUPONT@example.fr"),
        OKV("ABC@ABC.ABC", "ABC@abc.abc"),
    };
    run_cases(cases, ARRAY_LEN(cases));
}

static void test_each_fault_has_its_reason(void **state)
{
    (void)state;
    static const check_case cases[] = {
        BAD("", EMPTY),
        /* Non-ASCII: its own reason, before any other. */
        BAD("j\xc3\xa9rome@example.fr", EMAIL_NONASCII),
        BAD("jerome@ex\xc3\xa4mple.fr", EMAIL_NONASCII),
        BAD("jerome@example.fr\xc2\xa0", EMAIL_NONASCII), /* NBSP */
        BAD("\xff@example.fr", EMAIL_NONASCII), BAD("\xc3\xa9", EMAIL_NONASCII),
        BAD("\xc3\xa9@@", EMAIL_NONASCII),
        /* The @. */
        BAD("jean.dupont", EMAIL_AT), BAD("jean@dupont@example.fr", EMAIL_AT),
        BAD("jean@@example.fr", EMAIL_AT), BAD("\"a@b\"@example.fr", EMAIL_AT),
        /* Local part. */
        BAD("@example.fr", EMAIL_LOCAL_LENGTH),
        BAD(".jean@example.fr", EMAIL_LOCAL),
        BAD("jean.@example.fr", EMAIL_LOCAL),
        BAD("jean..dupont@example.fr", EMAIL_LOCAL),
        BAD(".@example.fr", EMAIL_LOCAL),
        BAD("jean dupont@example.fr", EMAIL_LOCAL),
        BAD(" jean@example.fr", EMAIL_LOCAL),
        BAD("\"jean\"@example.fr", EMAIL_LOCAL),
        BAD("jean(comment)@example.fr", EMAIL_LOCAL),
        BAD("jean,dupont@example.fr", EMAIL_LOCAL),
        BAD("jean;dupont@example.fr", EMAIL_LOCAL),
        BAD("jean\\@example.fr", EMAIL_LOCAL),
        BAD("<jean@example.fr>", EMAIL_LOCAL),
        BAD("jean\x01@example.fr", EMAIL_LOCAL),
        /* An RFC 2047 encoded word in the local part, which mail readers
         * would show as another address; after the syntax, before the
         * domain. */
        BAD("=?utf-8?q?evil=40evil.com=2C?=@example.fr", EMAIL_ENCODED),
        BAD("a=?b@example.fr", EMAIL_ENCODED),
        BAD("=?@example.fr", EMAIL_ENCODED),
        BAD("jean.=?x@example.fr", EMAIL_ENCODED),
        BAD("=?utf-8?b?ZXZpbA==?=@localhost", EMAIL_ENCODED),
        BAD("=?a..b@example.fr", EMAIL_LOCAL),
        /* Domain: characters, empty labels, one label. */
        BAD("jean@", EMAIL_DOMAIN), BAD("jean@localhost", EMAIL_DOMAIN),
        BAD("jean@.example.fr", EMAIL_DOMAIN),
        BAD("jean@example.fr.", EMAIL_DOMAIN),
        BAD("jean@example..fr", EMAIL_DOMAIN), BAD("jean@.", EMAIL_DOMAIN),
        BAD("jean@exa_mple.fr", EMAIL_DOMAIN),
        BAD("jean@[192.168.0.1]", EMAIL_DOMAIN),
        BAD("jean@example.fr ", EMAIL_DOMAIN),
        BAD("jean@example.fr\n", EMAIL_DOMAIN),
        BAD("jean@example.fr>", EMAIL_DOMAIN),
        BAD("jean@-", EMAIL_DOMAIN), /* one label: DOMAIN before LABEL */
        /* Labels: hyphens. */
        BAD("jean@-example.fr", EMAIL_LABEL),
        BAD("jean@example-.fr", EMAIL_LABEL),
        BAD("jean@example.-fr", EMAIL_LABEL),
        BAD("jean@example.fr-", EMAIL_LABEL), BAD("jean@a.-.fr", EMAIL_LABEL),
        /* Last label all digits. */
        BAD("jean@example.123", EMAIL_TLD), BAD("jean@192.168.0.1", EMAIL_TLD),
        BAD("jean@example.1", EMAIL_TLD),
        BAD("jean@-a.1", EMAIL_LABEL), /* LABEL before TLD */
    };
    run_cases(cases, ARRAY_LEN(cases));
}

/* Fills `out` with `n` copies of `c`; returns the end. */
static char *fill(char *out, char c, size_t n)
{
    memset(out, c, n);
    return out + n;
}

/* `local` octets, @, then `dlen` domain octets: labels of at most
 * `label` characters joined by dots, ending with ".fr" (dlen >= 4). */
static size_t make_address(char *out, size_t local, size_t dlen, size_t label)
{
    char *p = fill(out, 'l', local);
    *p++ = '@';
    size_t body = dlen - 3;
    while (body > 0) {
        size_t n = body < label ? body : label;
        /* A dot must be followed by a label: never leave just one. */
        if (body - n == 1)
            n--;
        p = fill(p, 'D', n);
        body -= n;
        if (body > 0) {
            *p++ = '.';
            body--;
        }
    }
    memcpy(p, ".fr", 4);
    return (size_t)(p + 3 - out);
}

static char *lower_copy(const char *s, char *out)
{
    size_t i = 0;
    for (; s[i] != '\0'; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[i] = '\0';
    return out;
}

static void test_length_limits_of_parts_and_total(void **state)
{
    (void)state;
    char a[400], norm[400];
    size_t n;

    /* Local part: 64 octets, then 65. */
    n = make_address(a, 64, 10, 63);
    check_email(a, n, CHORUSACCT_OK, lower_copy(a, norm) /* l is lower */);
    n = make_address(a, 65, 10, 63);
    check_email(a, n, CHORUSACCT_E_EMAIL_LOCAL_LENGTH, NULL);
    /* A 65-octet local part that is also malformed: the length first. */
    a[3] = '.';
    a[4] = '.';
    check_email(a, n, CHORUSACCT_E_EMAIL_LOCAL_LENGTH, NULL);

    /* Labels: 63 octets, then 64, first and last. */
    n = make_address(a, 4, 66, 63); /* 63 + "." + 2 */
    check_email(a, n, CHORUSACCT_OK, lower_copy(a, norm));
    n = make_address(a, 4, 67, 64);
    check_email(a, n, CHORUSACCT_E_EMAIL_LABEL, NULL);
    strcpy(a, "jean@fr.");
    memset(a + 8, 'x', 63);
    strcpy(a + 71, "");
    check_email(a, 71, CHORUSACCT_OK, a);
    a[71] = 'x';
    a[72] = '\0';
    check_email(a, 72, CHORUSACCT_E_EMAIL_LABEL, NULL);

    /* Totals: 254 octets valid (1 + @ + 252), 255 refused, with every
     * part within its own limit. */
    n = make_address(a, 1, 252, 63);
    assert_int_equal(n, 254);
    check_email(a, n, CHORUSACCT_OK, lower_copy(a, norm));
    n = make_address(a, 2, 252, 63);
    assert_int_equal(n, 255);
    check_email(a, n, CHORUSACCT_E_EMAIL_LENGTH, NULL);
    n = make_address(a, 64, 189, 63);
    assert_int_equal(n, 254);
    check_email(a, n, CHORUSACCT_OK, lower_copy(a, norm));
    n = make_address(a, 64, 190, 63);
    check_email(a, n, CHORUSACCT_E_EMAIL_LENGTH, NULL);

    /* Domain: 253 octets is within the domain limit but makes the total
     * 255 (LENGTH); 254 octets is over the domain limit. */
    n = make_address(a, 1, 253, 63);
    check_email(a, n, CHORUSACCT_E_EMAIL_LENGTH, NULL);
    n = make_address(a, 1, 254, 63);
    check_email(a, n, CHORUSACCT_E_EMAIL_DOMAIN_LENGTH, NULL);
    /* And the length comes before the syntax. */
    a[10] = '_';
    check_email(a, n, CHORUSACCT_E_EMAIL_DOMAIN_LENGTH, NULL);

    /* Far over every limit, but no @: AT. */
    memset(a, 'a', 399);
    check_email(a, 399, CHORUSACCT_E_EMAIL_AT, NULL);

    assert_int_equal(chorusacct_email_max_len(), 254);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    check_email("jean\0x@example.fr", 17, CHORUSACCT_E_EMAIL_LOCAL, NULL);
    check_email("jean@exa\0mple.fr", 16, CHORUSACCT_E_EMAIL_DOMAIN, NULL);
    /* The length given, not the NUL, ends the value. */
    check_email("jean@example.fr--", 15, CHORUSACCT_OK, "jean@example.fr");
}

static void test_output_rule(void **state)
{
    (void)state;
    const char *in = "Jean@Example.FR";
    char buf[32];
    size_t n = 0;
    int reason = 0;

    /* Check only. */
    assert_code(chorusacct_email_check(in, 15, 0, NULL, 0, &n, &reason),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 15);
    /* Exactly enough, one byte short, NULLs. */
    assert_code(chorusacct_email_check(in, 15, 0, buf, 16, &n, NULL),
                CHORUSACCT_OK, NULL);
    assert_string_equal(buf, "Jean@example.fr");
    memset(buf, 'z', sizeof buf);
    n = 0;
    assert_code(chorusacct_email_check(in, 15, 0, buf, 15, &n, NULL),
                CHORUSACCT_E_TOOSMALL, NULL);
    assert_int_equal(n, 15);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[15], 'z');
    assert_code(chorusacct_email_check(in, 15, 0, buf, sizeof buf, NULL, NULL),
                CHORUSACCT_OK, NULL);
    assert_code(chorusacct_email_check("x", 1, 0, buf, sizeof buf, NULL, NULL),
                CHORUSACCT_E_REJECTED, NULL);
    /* Arguments. */
    n = 7;
    assert_code(
        chorusacct_email_check(NULL, 3, 0, buf, sizeof buf, &n, &reason),
        CHORUSACCT_E_ARG, NULL);
    assert_int_equal(n, 0);
    assert_code(chorusacct_email_check(in, 15, 0, NULL, 4, &n, &reason),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_email_check(NULL, 0, 0, NULL, 0, &n, &reason),
                CHORUSACCT_E_REJECTED, NULL);
    assert_code(reason, CHORUSACCT_E_EMPTY, NULL);
}

static void test_same_login_folds_ascii_case_only(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int same;
    } cases[] = {
        {"jean@example.fr", "jean@example.fr", 1},
        {"Jean.Dupont@Example.FR", "jean.dupont@example.fr", 1},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZ@x.fr", "abcdefghijklmnopqrstuvwxyz@X.FR",
         1},
        {"jean@example.fr", "jeanne@example.fr", 0},
        {"jean@example.fr", "jean@example.fi", 0},
        {"jean@example.fr", "jean@example.fr ", 0},
        {"jean@example.fr", "jeaN@examplE.Fr", 1},
        /* Only A-Z fold: neighbours of the ranges do not. */
        {"@", "`", 0},
        {"[", "{", 0},
        {"Z", "z", 1},
        {"A", "a", 1},
        {"\xc3\x89", "\xc3\xa9", 0}, /* É and é: not ASCII letters */
        {"\xc3\xa9", "\xc3\xa9", 1},
        {"", "", 1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int got = chorusacct_email_same(cases[i].a, strlen(cases[i].a),
                                        cases[i].b, strlen(cases[i].b));
        if (got != cases[i].same)
            fail_msg("'%s' vs '%s': %d", cases[i].a, cases[i].b, got);
        got = chorusacct_email_same(cases[i].b, strlen(cases[i].b), cases[i].a,
                                    strlen(cases[i].a));
        assert_int_equal(got, cases[i].same);
    }
    assert_int_equal(chorusacct_email_same(NULL, 0, "", 0), 1);
    /* A predicate: 1 or 0, never an error code that `if` takes as true. */
    assert_int_equal(chorusacct_email_same(NULL, 1, "a", 1), 0);
    assert_int_equal(chorusacct_email_same("a", 1, NULL, 1), 0);
    assert_int_equal(chorusacct_email_same(NULL, 1, NULL, 1), 0);
    /* The normalized form is the same login as the input. */
    char buf[64];
    const char *in = "Jean.Dupont@Example.FR";
    assert_code(
        chorusacct_email_check(in, strlen(in), 0, buf, sizeof buf, NULL, NULL),
        CHORUSACCT_OK, NULL);
    assert_int_equal(chorusacct_email_same(in, strlen(in), buf, strlen(buf)),
                     1);
}

static void test_nonascii_message_mentions_accents(void **state)
{
    (void)state;
    /* The non-ASCII message talks about accents, in both languages. */
    const char *en =
        chorusacct_strerror(CHORUSACCT_E_EMAIL_NONASCII, CHORUSACCT_LANG_EN);
    const char *fr =
        chorusacct_strerror(CHORUSACCT_E_EMAIL_NONASCII, CHORUSACCT_LANG_FR);
    assert_non_null(strstr(en, "ccents"));
    assert_non_null(strstr(fr, "accents"));
}

/* Many threads make their first call at once: the library initialises
 * itself once, and every answer is right. */
static void *worker(void *arg)
{
    long bad = 0;
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        char buf[64];
        int reason = 0;
        if (chorusacct_email_check("Jean@Example.fr", 15, 0, buf, sizeof buf,
                                   NULL, &reason) != CHORUSACCT_OK ||
            strcmp(buf, "Jean@example.fr") != 0)
            bad++;
        if (chorusacct_email_check("jean@example..fr", 16, 0, buf, sizeof buf,
                                   NULL, &reason) != CHORUSACCT_E_REJECTED ||
            reason != CHORUSACCT_E_EMAIL_DOMAIN)
            bad++;
    }
    return (void *)bad;
}

static void test_check_from_threads_gives_same_results(void **state)
{
    (void)state;
    pthread_t t[8];
    for (size_t i = 0; i < ARRAY_LEN(t); i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (size_t i = 0; i < ARRAY_LEN(t); i++) {
        void *bad;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_null(bad);
    }
}

int main(void)
{
    /* No chorusacct_init(): the threads test relies on first use. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_from_threads_gives_same_results),
        cmocka_unit_test(test_valid_addresses_keep_local_part_lower_domain),
        cmocka_unit_test(test_each_fault_has_its_reason),
        cmocka_unit_test(test_length_limits_of_parts_and_total),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_output_rule),
        cmocka_unit_test(test_same_login_folds_ascii_case_only),
        cmocka_unit_test(test_nonascii_message_mentions_accents),
    };
    return cmocka_run_group_tests_name("email", tests, NULL, NULL);
}
