/*
 * Rendering and checking of templates. These are internal functions
 * (lib/core/internal.h), reachable from the public API only through the
 * context, so this test links the static library and includes the
 * private header: the one exception to "tests use the public API", kept
 * to internals that the public tests cannot reach with enough precision
 * (truncation, every malformed brace).
 */
#include "testutil.h"

#include "internal.h"
#include "mailtext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether `str` is valid UTF-8 (strict). */
static bool utf8_valid(const char *str)
{
    return ref_utf8_count((const uint8_t *)str, strlen(str)) >= 0;
}

static int render(const char *tpl, const ca_var *vars, size_t n, char *out,
                  size_t cap, size_t *len)
{
    return chorusacct__render(tpl, vars, n, out, cap, len);
}

/* Renders and expects success with `want`. */
static void expect(const char *tpl, const ca_var *vars, size_t n,
                   const char *want)
{
    char out[256];
    size_t len = 999;
    int rc = render(tpl, vars, n, out, sizeof out, &len);
    if (rc != CHORUSACCT_OK)
        fail_msg("'%s': %s", tpl, chorusacct_status_name(rc));
    assert_string_equal(out, want);
    assert_int_equal(len, strlen(want));
}

static void expect_template_error(const char *tpl, const ca_var *vars, size_t n)
{
    char out[64];
    memset(out, 'Z', sizeof out);
    size_t len = 999;
    int rc = render(tpl, vars, n, out, sizeof out, &len);
    if (rc != CHORUSACCT_E_TEMPLATE)
        fail_msg("render '%s': %s, expected TEMPLATE", tpl,
                 chorusacct_status_name(rc));
    assert_string_equal(out, "");
    assert_int_equal(len, 0);
}

static const ca_var person[] = {
    {"first_name", "Marie"},
    {"last_name", "Curie"},
    {"portal", "Chorus Pro"},
};

static void test_render_basic(void **state)
{
    (void)state;
    expect("", person, 3, "");
    expect("no placeholder", NULL, 0, "no placeholder");
    expect("Bonjour {first_name} {last_name},\n", person, 3,
           "Bonjour Marie Curie,\n");
    expect("{first_name}{last_name}", person, 3, "MarieCurie");
    expect("{first_name}{first_name}", person, 3, "MarieMarie");
    expect("{portal}", person, 3, "Chorus Pro");
    /* Escaped braces. */
    expect("{{", NULL, 0, "{");
    expect("}}", NULL, 0, "}");
    expect("a {{b}} c", NULL, 0, "a {b} c");
    expect("{{first_name}}", person, 3, "{first_name}");
    expect("{{{first_name}}}", person, 3, "{Marie}");
    expect("{{}}{{}}", NULL, 0, "{}{}");
    /* Values are copied as they are, never scanned again. */
    static const ca_var tricky[] = {
        {"first_name", "{last_name}"},
        {"last_name", "}}{{"},
        {"reason", NULL},
    };
    expect("{first_name}|{last_name}|{reason}|", tricky, 3,
           "{last_name}|}}{{||");
    /* Names need not be documented to render: that is the check's job. */
    static const ca_var custom[] = {{"x_1", "ok"}};
    expect("{x_1}", custom, 1, "ok");
}

static void test_render_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{",
        "}",
        "a } b",
        "{first_name",
        "first_name}",
        "{}",
        "{ first_name}",
        "{first_name }",
        "{First_Name}",
        "{first-name}",
        "{first_name{last_name}}",
        "}{",
        "{{}",
        "{}}",
        "{{first_name}",
        "{é}",
        "{first_name}}",
        "{aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        expect_template_error(bad[i], person, 3);
    /* A placeholder without a variable. */
    expect_template_error("Hello {phone}", person, 3);
    expect_template_error("Hello {first_name}", NULL, 0);
    expect_template_error("{first}", person, 3); /* no prefix matching */
    expect_template_error("{first_names}", person, 3);

    /* A template error wins over a full buffer, wherever it stands. */
    char out[4];
    size_t len = 9;
    assert_code(render("abcdefgh {nope}", person, 3, out, sizeof out, &len),
                CHORUSACCT_E_TEMPLATE, NULL);
    assert_string_equal(out, "");
    assert_int_equal(len, 0);

    assert_code(render(NULL, person, 3, out, sizeof out, &len),
                CHORUSACCT_E_ARG, NULL);
    assert_code(render("x", NULL, 2, out, sizeof out, &len), CHORUSACCT_E_ARG,
                NULL);
    assert_code(render("x", person, 3, NULL, 5, &len), CHORUSACCT_E_ARG, NULL);
}

/* Every cut of a text with 1- to 4-byte characters: a full buffer gives
 * CAPACITY and the longest prefix that fits and ends on a character
 * boundary. */
static void test_render_truncation(void **state)
{
    (void)state;
    /* a é € 😀 b, then the same through a value. */
    static const char *const full_text = "a\xc3\xa9\xe2\x82\xac"
                                         "\xf0\x9f\x98\x80"
                                         "b";
    static const ca_var v[] = {{"reason", full_text}};
    static const char *const tpls[] = {full_text, "{reason}",
                                       "a\xc3\xa9{reason}"};
    for (size_t t = 0; t < ARRAY_LEN(tpls); t++) {
        char whole[64];
        size_t whole_len = 0;
        assert_code(render(tpls[t], v, 1, whole, sizeof whole, &whole_len),
                    CHORUSACCT_OK, NULL);
        /* Character boundaries of the whole text. */
        for (size_t cap = 0; cap <= whole_len + 2; cap++) {
            char out[64];
            memset(out, 'Z', sizeof out);
            size_t len = 999;
            int rc = render(tpls[t], v, 1, cap ? out : NULL, cap, &len);
            if (cap > whole_len) {
                assert_code(rc, CHORUSACCT_OK, NULL);
                assert_string_equal(out, whole);
                continue;
            }
            assert_code(rc, CHORUSACCT_E_CAPACITY, NULL);
            if (cap == 0) {
                assert_int_equal(len, 0);
                continue;
            }
            assert_int_equal(strlen(out), len);
            assert_true(len <= cap - 1);
            assert_memory_equal(out, whole, len);
            assert_true(utf8_valid(out));
            /* As long as possible: the next character would not fit. */
            size_t next = len + 1;
            while (next < whole_len &&
                   ((unsigned char)whole[next] & 0xC0) == 0x80)
                next++;
            assert_true(next > cap - 1);
        }
    }
}

/* A long value meets a small buffer, as a company name could meet the
 * body buffer. */
static void test_render_capacity_body(void **state)
{
    (void)state;
    char big[CHORUSACCT_BODY_SIZE + 100];
    /* "é" repeated: every odd cut would split a character. */
    for (size_t i = 0; i + 2 < sizeof big; i += 2)
        memcpy(big + i, "\xc3\xa9", 2);
    big[sizeof big - 2] = '\0';
    ca_var v[] = {{"company_name", big}};
    static char out[CHORUSACCT_BODY_SIZE];
    size_t len = 0;
    assert_code(render("xy{company_name}", v, 1, out, sizeof out, &len),
                CHORUSACCT_E_CAPACITY, NULL);
    assert_int_equal(len, strlen(out));
    assert_true(utf8_valid(out));
    /* 8191 bytes fit: "xy" and 4094 whole "é"; half of the next one
     * would fit too, and is dropped. */
    assert_int_equal(len, 2 + 2 * 4094);
}

/* Replaces every `{name}` of `tpl` by "<name>", the simple way, to
 * compare with the renderer. */
static void naive_render(const char *tpl, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *p = tpl; *p != '\0';) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            int n =
                snprintf(out + o, cap - o, "<%.*s>", (int)(end - p - 1), p + 1);
            o += (size_t)n;
            p = end + 1;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
}

static void test_render_builtins(void **state)
{
    (void)state;
    ca_var vars[ARRAY_LEN(documented)];
    char values[ARRAY_LEN(documented)][32];
    for (size_t i = 0; i < ARRAY_LEN(documented); i++) {
        snprintf(values[i], sizeof values[i], "<%s>", documented[i]);
        vars[i].name = documented[i];
        vars[i].value = values[i];
    }
    static char out[CHORUSACCT_BODY_SIZE], want[CHORUSACCT_BODY_SIZE];
    for (size_t k = 0; k < ARRAY_LEN(all_kinds); k++) {
        for (int lang = 0; lang <= 1; lang++) {
            const char *s, *b;
            assert_code(chorusacct_template_default(all_kinds[k], lang, &s, &b),
                        CHORUSACCT_OK, NULL);
            const char *parts[] = {s, b};
            for (int i = 0; i < 2; i++) {
                size_t len = 0;
                assert_code(chorusacct__template_check(parts[i]), CHORUSACCT_OK,
                            NULL);
                assert_code(render(parts[i], vars, ARRAY_LEN(vars), out,
                                   sizeof out, &len),
                            CHORUSACCT_OK, NULL);
                naive_render(parts[i], want, sizeof want);
                assert_string_equal(out, want);
                assert_null(strchr(out, '{'));
                assert_null(strchr(out, '}'));
            }
            /* The subject stays one line once rendered. */
            assert_code(render(s, vars, ARRAY_LEN(vars), out,
                               CHORUSACCT_SUBJECT_SIZE, NULL),
                        CHORUSACCT_OK, NULL);
            assert_null(strchr(out, '\n'));
        }
    }
}

/* The activation message is queued with the link marker in place of the
 * link; delivery finds it there. */
static void test_render_link_mark(void **state)
{
    (void)state;
    static const ca_var vars[] = {
        {"first_name", "Marie"},  {"last_name", "Curie"},
        {"portal", "Chorus Pro"}, {"expires_minutes", "60"},
        {"link", CA_LINK_MARK},   {"login_email", "m@x.fr"},
    };
    static char out[CHORUSACCT_BODY_SIZE];
    for (int lang = 0; lang <= 1; lang++) {
        const int kinds[] = {CHORUSACCT_MAIL_ACTIVATION,
                             CHORUSACCT_MAIL_REMINDER};
        for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
            const char *s, *b;
            assert_code(chorusacct_template_default(kinds[k], lang, &s, &b),
                        CHORUSACCT_OK, NULL);
            assert_code(render(b, vars, ARRAY_LEN(vars), out, sizeof out, NULL),
                        CHORUSACCT_OK, NULL);
            const char *at = strstr(out, CA_LINK_MARK);
            assert_non_null(at);
            /* Once, on a line of its own. */
            assert_null(strstr(at + 1, CA_LINK_MARK));
            assert_int_equal(at[-1], '\n');
            assert_int_equal(at[strlen(CA_LINK_MARK)], '\n');
            assert_null(strstr(s, CA_LINK_MARK));
        }
    }
    /* A marker split by truncation is not a marker. */
    char small[8];
    assert_code(
        render("abc{link}", vars, ARRAY_LEN(vars), small, sizeof small, NULL),
        CHORUSACCT_E_CAPACITY, NULL);
    assert_null(strstr(small, CA_LINK_MARK));
}

static void test_template_check_accepts_documented_only(void **state)
{
    (void)state;
    char tpl[64];
    for (size_t i = 0; i < ARRAY_LEN(documented); i++) {
        snprintf(tpl, sizeof tpl, "x {%s} y", documented[i]);
        assert_code(chorusacct__template_check(tpl), CHORUSACCT_OK, NULL);
    }
    static const char *const good[] = {
        "",
        "plain text\n",
        "{{}}",
        "{{first_name}}",
        "{{{first_name}}}",
        "Tab\tand line\nfeed\n",
        "Accents : é à ç œ € 😀",
        "{first_name}{last_name}{portal}",
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++)
        if (chorusacct__template_check(good[i]) != CHORUSACCT_OK)
            fail_msg("check refused '%s'", good[i]);

    static const char *const bad[] = {
        "{firstname}", /* typo */
        "{token}",     /* not documented */
        "{First_Name}",
        "{link }",
        "{x_1}",
        "{",
        "}",
        "{{}",
        "{}}",
        "{}",
        "{first_name",
        "first_name}",
        "{{first_name}",
        "{first_name}}",
        "\xc3",             /* truncated sequence */
        "\xc0\xaf",         /* overlong */
        "\xed\xa0\x80",     /* surrogate */
        "\xf4\x90\x80\x80", /* past U+10FFFF */
        "\xff",
        CA_LINK_MARK, /* only delivery may place the marker */
        "a\rb",
        "bell\a",
        "del\x7f",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (chorusacct__template_check(bad[i]) != CHORUSACCT_E_TEMPLATE)
            fail_msg("check accepted bad template #%d", (int)i);
    assert_code(chorusacct__template_check(NULL), CHORUSACCT_E_ARG, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_basic),
        cmocka_unit_test(test_render_errors),
        cmocka_unit_test(test_render_truncation),
        cmocka_unit_test(test_render_capacity_body),
        cmocka_unit_test(test_render_builtins),
        cmocka_unit_test(test_render_link_mark),
        cmocka_unit_test(test_template_check_accepts_documented_only),
    };
    return cmocka_run_group_tests_name("internal_templates", tests, NULL, NULL);
}
