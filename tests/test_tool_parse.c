/*
 * The chorusacct tool's own parsing (examples/chorusacct/parse.c): secrets
 * read from a file descriptor without stdio, NUL bytes and over-long lines
 * included (issue 12, points 13 and 15); the environment's copy of a
 * secret wiped in place; numbers and --now parsed strictly (point 18).
 */
#include "tool.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A pipe holding `data`, closed for writing: its read end. */
static int pipe_of(const void *data, size_t n)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_true(n <= 60000);
    assert_int_equal(write(fds[1], data, n), (ssize_t)n);
    close(fds[1]);
    return fds[0];
}

static bool all_zero(const char *buf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (buf[i] != 0)
            return false;
    return true;
}

static void test_secret_line_keeps_nul_bytes(void **state)
{
    (void)state;
    static const char data[] = "abc\0def\nsecond\r\n\nlast";
    int fd = pipe_of(data, sizeof data - 1);
    char buf[64];
    size_t len = 99;
    assert_int_equal(tool_read_secret_line(fd, buf, sizeof buf, &len),
                     TOOL_LINE_OK);
    assert_int_equal(len, 7);
    assert_memory_equal(buf, "abc\0def", 8);
    /* One line only: the next is still in the pipe, not in a buffer. */
    assert_int_equal(tool_read_secret_line(fd, buf, sizeof buf, &len),
                     TOOL_LINE_OK);
    assert_int_equal(len, 6);
    assert_string_equal(buf, "second");
    assert_int_equal(tool_read_secret_line(fd, buf, sizeof buf, &len),
                     TOOL_LINE_OK);
    assert_int_equal(len, 0);
    /* A last line without its line end. */
    assert_int_equal(tool_read_secret_line(fd, buf, sizeof buf, &len),
                     TOOL_LINE_OK);
    assert_int_equal(len, 4);
    assert_string_equal(buf, "last");
    assert_int_equal(tool_read_secret_line(fd, buf, sizeof buf, &len),
                     TOOL_LINE_END);
    close(fd);
}

static void test_secret_line_too_long_even_with_early_nul(void **state)
{
    (void)state;
    static char data[5000];
    memset(data, 'x', sizeof data);
    data[1] = '\0';
    data[sizeof data - 1] = '\n';
    int fd = pipe_of(data, sizeof data);
    char buf[4200];
    size_t len = 99;
    assert_int_equal(tool_read_secret_line(fd, buf, sizeof buf, &len),
                     TOOL_LINE_LONG);
    assert_int_equal(len, 0);
    assert_true(all_zero(buf, sizeof buf)); /* wiped */
    close(fd);
    /* Exactly cap - 1 bytes fit; cap bytes do not. */
    char small[8];
    fd = pipe_of("1234567\n12345678\n", 17);
    assert_int_equal(tool_read_secret_line(fd, small, sizeof small, &len),
                     TOOL_LINE_OK);
    assert_int_equal(len, 7);
    assert_int_equal(tool_read_secret_line(fd, small, sizeof small, &len),
                     TOOL_LINE_LONG);
    close(fd);
    /* A closed descriptor: an error, not an end. */
    assert_int_equal(tool_read_secret_line(fd, small, sizeof small, &len),
                     TOOL_LINE_ERROR);
}

static void test_env_secret_wiped_in_place(void **state)
{
    (void)state;
    assert_int_equal(setenv("TOOL_TEST_SECRET", "Tool-s3cret", 1), 0);
    char *env = getenv("TOOL_TEST_SECRET");
    assert_non_null(env);
    char buf[64];
    size_t len = 0;
    assert_int_equal(
        tool_take_env_secret("TOOL_TEST_SECRET", buf, sizeof buf, &len),
        TOOL_LINE_OK);
    assert_int_equal(len, 11);
    assert_string_equal(buf, "Tool-s3cret");
    /* setenv's copy stays allocated (glibc keeps it): it is zeroed. */
    assert_true(all_zero(env, 11));
    assert_null(getenv("TOOL_TEST_SECRET"));
    assert_int_equal(
        tool_take_env_secret("TOOL_TEST_SECRET", buf, sizeof buf, &len),
        TOOL_LINE_END);
    /* Too long for the buffer: refused, and wiped all the same. */
    assert_int_equal(setenv("TOOL_TEST_SECRET", "0123456789", 1), 0);
    env = getenv("TOOL_TEST_SECRET");
    char tiny[4];
    assert_int_equal(
        tool_take_env_secret("TOOL_TEST_SECRET", tiny, sizeof tiny, &len),
        TOOL_LINE_LONG);
    assert_true(all_zero(env, 10));
    assert_null(getenv("TOOL_TEST_SECRET"));
}

static void test_numbers_strict(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool ok;
        int64_t v;
    } cases[] = {
        {"0", true, 0},
        {"42", true, 42},
        {"-5", true, -5},
        {"9223372036854775807", true, INT64_MAX},
        {"-9223372036854775808", true, INT64_MIN},
        {"9223372036854775808", false, 0},
        {"", false, 0},
        {"-", false, 0},
        {" 5", false, 0},
        {"5 ", false, 0},
        {"+5", false, 0},
        {"0x10", false, 0},
        {"1e3", false, 0},
        {"--5", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 0;
        if (tool_parse_i64(cases[i].s, &v) != cases[i].ok ||
            (cases[i].ok && v != cases[i].v))
            fail_msg("\"%s\": expected %s", cases[i].s,
                     cases[i].ok ? "a number" : "a refusal");
    }
    /* Settings: the library's range, negative values refused. */
    int64_t v;
    int k = tool_setting_find("activation-ttl");
    assert_true(k >= 0);
    assert_false(tool_parse_setting((size_t)k, "-5", &v));
    assert_false(tool_parse_setting((size_t)k, "0", &v));
    assert_false(tool_parse_setting((size_t)k, "316224001", &v));
    assert_true(tool_parse_setting((size_t)k, "316224000", &v));
    assert_int_equal(v, 316224000);
    k = tool_setting_find("pwhash-ops");
    assert_false(tool_parse_setting((size_t)k, "5", &v));
    assert_true(tool_parse_setting((size_t)k, "4", &v));
}

static void test_times_strict(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t t; /* -1: refused */
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2026-11-26T10:00:00Z", INT64_C(1795687200)},
        {"2026-11-26T11:00:00+01:00", INT64_C(1795687200)},
        {"2026-11-26T09:30:00-00:30", INT64_C(1795687200)},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800)},
        {"2000-02-29T00:00:00Z", INT64_C(951782400)},
        {"9999-12-31T23:59:59Z", TOOL_TIME_MAX},
        {"9999-12-31T23:59:59+23:59", TOOL_TIME_MAX - 86340},
        {"2026-02-31T00:00:00Z", -1},
        {"2026-02-29T00:00:00Z", -1},
        {"1900-02-29T00:00:00Z", -1},
        {"2100-02-29T00:00:00Z", -1},
        {"2026-04-31T00:00:00Z", -1},
        {"2026-00-10T00:00:00Z", -1},
        {"2026-13-10T00:00:00Z", -1},
        {"2026-11-00T00:00:00Z", -1},
        {"2026-11-26T-5:00:00Z", -1},
        {"2026-11-26T24:00:00Z", -1},
        {"2026-11-26T10:60:00Z", -1},
        {"2026-11-26T23:59:60Z", -1},
        {"2026-11-26T10:00:00+99:99", -1},
        {"2026-11-26T10:00:00+24:00", -1},
        {"2026-11-26T10:00:00+01:60", -1},
        {"2026-11-26T10:00:00+0100", -1},
        {"10000-01-01T00:00:00Z", -1},
        {"9999-12-31T23:59:59-00:01", -1},
        {"1969-12-31T23:59:59Z", -1},
        {"1970-01-01T00:00:00+00:01", -1},
        {"2026-11-26T10:00:00", -1},
        {"2026-11-26t10:00:00Z", -1},
        {"2026-11-26T10:00:00z", -1},
        {" 2026-11-26T10:00:00Z", -1},
        {"2026-11-26T10:00:00Z ", -1},
        {"+026-11-26T10:00:00Z", -1},
        {"2026-11-26T1 :00:00Z", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t t = -1;
        bool ok = tool_parse_time(cases[i].s, &t);
        if (ok != (cases[i].t >= 0) || (ok && t != cases[i].t))
            fail_msg("\"%s\": got %s %lld, expected %lld", cases[i].s,
                     ok ? "ok" : "refused", (long long)t,
                     (long long)cases[i].t);
    }
    /* Printing gives back what was parsed, for every day of four years
     * and the last one. */
    char buf[32];
    for (int64_t t = 0; t <= TOOL_TIME_MAX;
         t += (t < 4 * 366 * 86400 ? 86400 + 3661 : TOOL_TIME_MAX / 997)) {
        int64_t back;
        tool_format_time(t, buf, sizeof buf);
        if (t != 0 && (!tool_parse_time(buf, &back) || back != t))
            fail_msg("%lld printed as %s", (long long)t, buf);
    }
    tool_format_time(TOOL_TIME_MAX, buf, sizeof buf);
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
    /* A deadline past 9999 (the clock at its end, plus ten years): an
     * expanded year, not one cut to 0009 (issue 12, point 18). */
    tool_format_time(TOOL_TIME_MAX + 1, buf, sizeof buf);
    assert_string_equal(buf, "+10000-01-01T00:00:00Z");
    tool_format_time(TOOL_TIME_MAX + INT64_C(316224000), buf, sizeof buf);
    assert_string_equal(buf, "+10010-01-07T23:59:59Z");
    tool_format_time(INT64_MAX, buf, sizeof buf);
    assert_string_equal(buf, "+292277026596-12-04T15:30:07Z");
    tool_format_time(INT64_MIN + 86400, buf, sizeof buf);
    assert_true(buf[0] == '-' && strlen(buf) < sizeof buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_line_keeps_nul_bytes),
        cmocka_unit_test(test_secret_line_too_long_even_with_early_nul),
        cmocka_unit_test(test_env_secret_wiped_in_place),
        cmocka_unit_test(test_numbers_strict),
        cmocka_unit_test(test_times_strict),
    };
    return cmocka_run_group_tests_name("tool_parse", tests, NULL, NULL);
}
