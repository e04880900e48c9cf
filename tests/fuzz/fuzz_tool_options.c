/*
 * libFuzzer target: the chorusacct tool's option and time parsing
 * (examples/chorusacct/common.c and parse.c; issue 12, systematic checks).
 *
 * The input is a command line, its words separated by NUL bytes, parsed
 * for a command that takes every shared option and one option of each
 * kind of its own (a value, a flag, a count). Then each word is also
 * given to the time and number parsers alone. It checks that:
 * - the parser never crashes, and a parsed command line holds only what
 *   the library takes: every setting given is accepted by
 *   chorusacct_ctx_set_int(), a --now time is within 1970 to 9999, a
 *   count is positive;
 * - a time that parses prints back (tool_format_time) as the same instant,
 *   and as the very text when it was given in UTC (so that no impossible
 *   date, such as 2026-02-31, is taken: it would print as another day);
 * - every instant from 1970 to 9999 (taken from the input) prints as a
 *   text that parses back to it;
 * - a number that parses is digits with an optional minus, whose value
 *   prints back as the text without its leading zeros.
 */
#include "tool.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
    const char *value;
    int flag;
    long count;
} own;

static const tool_option own_options[] = {
    {"value", .value = &own.value},
    {"flag", .flag = &own.flag},
    {"max", .count = &own.count},
    {0},
};

static int run_nothing(tool *t, int argc, char **argv)
{
    (void)t, (void)argc, (void)argv;
    return 0;
}

static const tool_command cmd = {"fuzz", TOOL_FLOW, own_options, run_nothing};

static void check_time_text(const char *s)
{
    int64_t t = -1;
    if (!tool_parse_time(s, &t))
        return;
    if (t < 0 || t > TOOL_TIME_MAX)
        abort();
    char buf[32];
    tool_format_time(t, buf, sizeof buf);
    int64_t back = -1;
    /* 0 prints as "-" (no time). */
    if (t != 0 && (!tool_parse_time(buf, &back) || back != t))
        abort();
    if (t != 0 && strlen(s) == 20 && strcmp(buf, s) != 0)
        abort();
}

static void check_number_text(const char *s)
{
    int64_t v;
    if (!tool_parse_i64(s, &v))
        return;
    const char *p = s + (s[0] == '-');
    if (*p == '\0')
        abort();
    for (const char *q = p; *q != '\0'; q++)
        if (*q < '0' || *q > '9')
            abort();
    while (p[0] == '0' && p[1] != '\0')
        p++;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    const char *b = buf + (buf[0] == '-');
    if (strcmp(b, p) != 0 || (v < 0) != (buf[0] == '-') ||
        (v < 0 && s[0] != '-'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    if (!quiet) {
        /* The parser says what is wrong on standard error: its messages
         * go to /dev/null, while libFuzzer's and the sanitizers' reports
         * still reach file descriptor 2 (glibc's stderr is a variable). */
        FILE *devnull = fopen("/dev/null", "w");
        if (devnull == NULL)
            abort();
        stderr = devnull;
        quiet = true;
    }
    if (size > 4096)
        return 0;
    /* Words: the bytes between NUL bytes. */
    static char text[4097];
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[66];
    int argc = 0;
    argv[argc++] = (char *)"chorusacct";
    for (size_t i = 0; i <= size && argc < 65;) {
        argv[argc++] = text + i;
        i += strlen(text + i) + 1;
    }
    argv[argc] = NULL;

    for (int i = 1; i < argc; i++) {
        check_time_text(argv[i]);
        check_number_text(argv[i]);
    }
    /* An instant from the input prints and parses back. */
    if (size >= 8) {
        uint64_t raw;
        memcpy(&raw, data, sizeof raw);
        int64_t t = (int64_t)(raw % (uint64_t)TOOL_TIME_MAX) + 1;
        char buf[32];
        int64_t back = -1;
        tool_format_time(t, buf, sizeof buf);
        if (!tool_parse_time(buf, &back) || back != t)
            abort();
    }

    tool t;
    tool_init(&t);
    memset(&own, 0, sizeof own);
    char **args;
    int nargs;
    if (!tool_parse_options(&cmd, argc, argv, 0, &t, &args, &nargs))
        return 0;
    if (nargs < 0 || nargs > argc)
        abort();
    if (own.count < 0 || (own.flag != 0 && own.flag != 1))
        abort();
    if (t.o.now_set && (t.o.now < 0 || t.o.now > TOOL_TIME_MAX))
        abort();
    chorusacct_ctx *ctx = NULL;
    if (chorusacct_ctx_new(&ctx, NULL) != CHORUSACCT_OK)
        abort();
    for (size_t k = 0; k < TOOL_NSETTINGS; k++)
        if ((t.o.settings_given & (UINT32_C(1) << k)) &&
            chorusacct_ctx_set_int(ctx, tool_settings[k].opt,
                                   t.o.settings[k]) != CHORUSACCT_OK)
            abort();
    chorusacct_ctx_free(ctx);
    return 0;
}
