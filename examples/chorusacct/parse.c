/*
 * What the tool reads from its user: numbers and times of the command
 * line, parsed strictly, and secrets from standard input and the
 * environment, read without stdio so that no buffer outside ours keeps
 * them, and wiped with sodium_memzero().
 *
 * Kept apart from common.c so that the tests and the fuzz targets link it
 * alone (tests/test_tool_parse.c, tests/fuzz/fuzz_tool_options.c).
 */
#include "tool.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Numbers                                                              */

bool tool_parse_i64(const char *s, int64_t *out)
{
    /* Digits only, with an optional minus: no space, no plus, no 0x, so
     * that what is stored or printed is what was typed. */
    const char *p = s + (s[0] == '-');
    if (*p == '\0')
        return false;
    for (const char *q = p; *q != '\0'; q++)
        if (*q < '0' || *q > '9')
            return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

bool tool_parse_setting(size_t k, const char *s, int64_t *out)
{
    int64_t v, min = 0, max = 0;
    bool ok = tool_parse_i64(s, &v);
    if (chorusacct_option_range(tool_settings[k].opt, &min, &max) !=
        CHORUSACCT_OK)
        return false;
    if (!ok || v < min || v > max) {
        fprintf(stderr,
                "chorusacct: %s: not a valid value: %s (a whole number "
                "from %lld to %lld)\n",
                tool_settings[k].name, s, (long long)min, (long long)max);
        return false;
    }
    *out = v;
    return true;
}

/* ------------------------------------------------------------------ */
/* Times                                                                */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* n decimal digits at s, into *v; false if one is not a digit. */
static bool digits(const char *s, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        *v = *v * 10 + (s[i] - '0');
    }
    return true;
}

bool tool_parse_time(const char *s, int64_t *out)
{
    /* YYYY-MM-DDTHH:MM:SS, then Z or +HH:MM or -HH:MM: 20 or 25 bytes. */
    size_t n = strlen(s);
    int y, mo, d, h, mi, sec;
    if ((n != 20 && n != 25) || !digits(s, 4, &y) || s[4] != '-' ||
        !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
        s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return false;
    /* A real time: the month's days (leap years), no hour 24, and no
     * leap second, which Unix time cannot tell from the next one. */
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
        d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59)
        return false;
    int64_t offset = 0;
    if (n == 20) {
        if (s[19] != 'Z')
            return false;
    } else {
        int oh, om;
        if ((s[19] != '+' && s[19] != '-') || !digits(s + 20, 2, &oh) ||
            s[22] != ':' || !digits(s + 23, 2, &om) || oh > 23 || om > 59)
            return false;
        offset = (s[19] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    }
    int64_t t =
        days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    /* The range the library takes from a clock. */
    if (t < 0 || t > TOOL_TIME_MAX)
        return false;
    *out = t;
    return true;
}

/* ------------------------------------------------------------------ */
/* Secrets                                                              */

int tool_read_secret_line(int fd, char *buf, size_t cap, size_t *len)
{
    /* One byte at a time: a larger read would take the next line (the
     * confirmation) into a buffer that is not ours to wipe, and the
     * lines are short. */
    size_t n = 0;
    int st = TOOL_LINE_OK;
    *len = 0;
    for (;;) {
        char c;
        ssize_t got = read(fd, &c, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            st = TOOL_LINE_ERROR;
            break;
        }
        if (got == 0) {
            if (n == 0)
                st = TOOL_LINE_END;
            break;
        }
        if (c == '\n')
            break;
        if (n + 1 >= cap) {
            /* Longer than any allowed value, whatever it holds: a NUL
             * byte early in it changes nothing. */
            st = TOOL_LINE_LONG;
            c = 0;
            break;
        }
        buf[n++] = c;
        c = 0;
    }
    if (st != TOOL_LINE_OK) {
        sodium_memzero(buf, cap);
        return st;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    *len = n;
    return TOOL_LINE_OK;
}

int tool_take_env_secret(const char *name, char *buf, size_t cap, size_t *len)
{
    *len = 0;
    char *env = getenv(name);
    if (env == NULL)
        return TOOL_LINE_END;
    size_t n = strlen(env);
    int st = TOOL_LINE_OK;
    if (n + 1 > cap) {
        st = TOOL_LINE_LONG;
    } else {
        memcpy(buf, env, n + 1);
        *len = n;
    }
    /* The string lives in the process's environment block, which
     * /proc/PID/environ shows and which outlives unsetenv(): wipe it in
     * place first. */
    sodium_memzero(env, n);
    unsetenv(name);
    return st;
}

void tool_wipe(void *buf, size_t cap)
{
    sodium_memzero(buf, cap);
}
