/*
 * Internet messages (chorusacct_mail_format) and the Maildir mailer: exact
 * header bytes, RFC 2047 subjects and quoted-printable bodies decoded back
 * with the test's own decoders, refusals, and deliveries into a Maildir
 * (from several threads, and into folders that cannot be written).
 */
#include "testutil.h"

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define FROM "noreply@chorus.example"

static chorusacct_mail make_mail(const char *to, const char *subject,
                                 const char *body)
{
    chorusacct_mail m;
    memset(&m, 0, sizeof m);
    m.struct_size = (uint32_t)sizeof m;
    m.kind = CHORUSACCT_MAIL_SUMMARY;
    m.message_id = 42;
    m.account_id = 7;
    m.created_at = 1795687200; /* Thu, 26 Nov 2026 10:00:00 +0000 */
    m.lang = CHORUSACCT_LANG_FR;
    m.attempt = 1;
    m.to = to;
    m.subject = subject;
    m.body = body;
    return m;
}

/* The formatted message in a new buffer (free it), or fails the test. */
static char *format(const chorusacct_mail *m, const char *from, int64_t date)
{
    size_t n = 0;
    assert_code(chorusacct_mail_format(m, from, date, NULL, 0, &n),
                CHORUSACCT_OK, NULL);
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    size_t n2 = 0;
    assert_code(chorusacct_mail_format(m, from, date, buf, n + 1, &n2),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n2, n);
    assert_int_equal(strlen(buf), n);
    return buf;
}

/* Every line ends with CRLF: no bare CR or LF anywhere. */
static void assert_crlf_only(const char *s)
{
    for (size_t i = 0; s[i] != '\0'; i++) {
        if (s[i] == '\r' && s[i + 1] != '\n')
            fail_msg("bare CR at %zu", i);
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            fail_msg("bare LF at %zu", i);
    }
}

static const char *body_of(const char *msg)
{
    const char *p = strstr(msg, "\r\n\r\n");
    assert_non_null(p);
    return p + 4;
}

/* ------------------------------------------------------------------ */
/* The test's own decoders                                              */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1; /* lower case is not what an encoder should write */
}

/* Whether s[0..n) is complete, valid UTF-8 (no split character). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xE0) == 0xC0 ? 2
                   : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4
                                        : 0;
        if (k == 0 || i + k > n)
            return false;
        for (size_t j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return false;
        i += k;
    }
    return true;
}

/*
 * Finds the Subject header of `msg`, checks its physical lines (at most 78
 * characters, continuation lines start with a space), unfolds it and
 * decodes RFC 2047 Q encoded-words, each of which must be at most 75
 * characters and hold whole UTF-8 characters. White space between two
 * encoded-words is dropped, as RFC 2047 6.2 says. Returns the text.
 */
static char *decode_subject(const char *msg, size_t *n_words)
{
    const char *h = strstr(msg, "\r\nSubject:");
    assert_non_null(h);
    h += 2;
    /* The header's extent: up to a CRLF not followed by white space. */
    const char *end = h;
    for (;;) {
        const char *eol = strstr(end, "\r\n");
        assert_non_null(eol);
        assert_true(eol - end <= 78);
        end = eol + 2;
        if (*end != ' ' && *end != '\t')
            break;
    }
    /* Unfold: drop each CRLF, keep the white space after it. */
    char unfolded[4096];
    size_t u = 0;
    for (const char *p = h + strlen("Subject:"); p < end - 2; p++) {
        if (p[0] == '\r' && p[1] == '\n') {
            p++;
            continue;
        }
        assert_true(u < sizeof unfolded - 1);
        unfolded[u++] = *p;
    }
    unfolded[u] = '\0';
    const char *p = unfolded;
    if (*p == ' ')
        p++;
    char *out = malloc(4096);
    assert_non_null(out);
    size_t o = 0, words = 0;
    bool after_word = false;
    while (*p != '\0') {
        if (strncmp(p, "=?", 2) == 0) {
            const char *w = p;
            assert_true(strncmp(p, "=?UTF-8?Q?", 10) == 0);
            p += 10;
            size_t start = o;
            while (strncmp(p, "?=", 2) != 0) {
                assert_true(*p != '\0' && *p != ' ');
                if (*p == '_') {
                    out[o++] = ' ';
                    p++;
                } else if (*p == '=') {
                    int hi = hexval(p[1]), lo = hexval(p[2]);
                    assert_true(hi >= 0 && lo >= 0);
                    out[o++] = (char)(hi * 16 + lo);
                    p += 3;
                } else {
                    out[o++] = *p++;
                }
            }
            p += 2;
            assert_true(p - w <= 75);
            assert_true(utf8_ok((const unsigned char *)out + start, o - start));
            words++;
            after_word = true;
            continue;
        }
        if (after_word && *p == ' ') {
            const char *q = p;
            while (*q == ' ')
                q++;
            if (strncmp(q, "=?", 2) == 0) {
                p = q;
                continue;
            }
        }
        after_word = false;
        out[o++] = *p++;
    }
    out[o] = '\0';
    if (n_words != NULL)
        *n_words = words;
    return out;
}

/*
 * Decodes a quoted-printable body, checking what RFC 2045 6.7 asks of
 * the encoder: CRLF line ends, lines of at most 76 characters, printable
 * ASCII only, no white space at the end of a line, upper-case =XX.
 * A hard line break becomes "\n".
 */
static char *decode_qp(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    assert_non_null(out);
    size_t o = 0;
    const char *line = s;
    while (*line != '\0') {
        const char *eol = strstr(line, "\r\n");
        if (eol == NULL)
            fail_msg("body does not end with CRLF: '%s'", line);
        size_t n = (size_t)(eol - line);
        if (n > 76)
            fail_msg("line of %zu characters: '%.*s'", n, (int)n, line);
        if (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            fail_msg("white space at the end of '%.*s'", (int)n, line);
        bool soft = false;
        for (size_t i = 0; i < n; i++) {
            char c = line[i];
            assert_true((c >= 0x20 && c <= 0x7E) || c == '\t');
            if (c != '=') {
                out[o++] = c;
                continue;
            }
            if (i + 1 == n) {
                soft = true;
                break;
            }
            assert_true(i + 2 < n);
            int hi = hexval(line[i + 1]), lo = hexval(line[i + 2]);
            if (hi < 0 || lo < 0)
                fail_msg("bad escape in '%.*s'", (int)n, line);
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        }
        if (!soft)
            out[o++] = '\n';
        line = eol + 2;
    }
    out[o] = '\0';
    return out;
}

/* ------------------------------------------------------------------ */
/* Formatting                                                           */

static void test_format_matches_golden_messages(void **state)
{
    (void)state;
    chorusacct_mail m =
        make_mail("jean.dupont@example.fr", "Your Chorus Pro account",
                  "Hello Jean,\n\nYour request 42 = registered.\n");
    char *msg = format(&m, FROM, m.created_at);
    assert_string_equal(msg, "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
                             "From: noreply@chorus.example\r\n"
                             "To: jean.dupont@example.fr\r\n"
                             "Subject: Your Chorus Pro account\r\n"
                             "Message-ID: <chorusacct.42.7@chorus.example>\r\n"
                             "MIME-Version: 1.0\r\n"
                             "Content-Type: text/plain; charset=UTF-8\r\n"
                             "Content-Transfer-Encoding: quoted-printable\r\n"
                             "Auto-Submitted: auto-generated\r\n"
                             "X-Chorusacct-Kind: 1\r\n"
                             "\r\n"
                             "Hello Jean,\r\n"
                             "\r\n"
                             "Your request 42 =3D registered.\r\n");
    free(msg);

    /* French accents; a display name in From; the domain for the
     * Message-ID stops at '>'; negative and large ids stay numbers. */
    m = make_mail("marie@example.org", "Votre compte a été créé",
                  "Élodie, ça marche.\n");
    m.kind = CHORUSACCT_MAIL_ACTIVATION;
    m.message_id = INT64_C(9223372036854775807);
    m.account_id = -3;
    msg = format(&m, "Chorus Pro <noreply@chorus.example>", 0);
    assert_string_equal(
        msg,
        "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
        "From: Chorus Pro <noreply@chorus.example>\r\n"
        "To: marie@example.org\r\n"
        "Subject: =?UTF-8?Q?Votre_compte_a_=C3=A9t=C3=A9_cr=C3=A9=C3=A9?=\r\n"
        "Message-ID: <chorusacct.9223372036854775807.-3@chorus.example>\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=UTF-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "X-Chorusacct-Kind: 2\r\n"
        "\r\n"
        "=C3=89lodie, =C3=A7a marche.\r\n");
    free(msg);
}

static void test_date_header_across_calendar(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *want;
    } cases[] = {
        {0, "Thu, 01 Jan 1970 00:00:00 +0000"},
        {86399, "Thu, 01 Jan 1970 23:59:59 +0000"},
        {951782400, "Tue, 29 Feb 2000 00:00:00 +0000"},
        {951868800, "Wed, 01 Mar 2000 00:00:00 +0000"},
        {1000000000, "Sun, 09 Sep 2001 01:46:40 +0000"},
        {1709208000, "Thu, 29 Feb 2024 12:00:00 +0000"},
        {1795687200, "Thu, 26 Nov 2026 10:00:00 +0000"},
        {4107456000, "Sun, 28 Feb 2100 00:00:00 +0000"}, /* not leap */
        {4107542400, "Mon, 01 Mar 2100 00:00:00 +0000"},
        {INT64_C(253402300799), "Fri, 31 Dec 9999 23:59:59 +0000"},
    };
    chorusacct_mail m = make_mail("a@example.fr", "s", "b\n");
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *msg = format(&m, FROM, cases[i].t);
        char want[64];
        snprintf(want, sizeof want, "Date: %s\r\n", cases[i].want);
        assert_true(strncmp(msg, want, strlen(want)) == 0);
        free(msg);
    }
    char buf[2048] = "x";
    size_t n = 99;
    assert_code(chorusacct_mail_format(&m, FROM, -1, buf, sizeof buf, &n),
                CHORUSACCT_E_ARG, NULL);
    assert_string_equal(buf, "");
    assert_int_equal(n, 0);
    assert_code(chorusacct_mail_format(&m, FROM, INT64_C(253402300800), buf,
                                       sizeof buf, &n),
                CHORUSACCT_E_ARG, NULL);
}

/* Formats `subject`, checks the header's form and decodes it back. */
static size_t subject_round_trip(const char *subject)
{
    chorusacct_mail m = make_mail("a@example.fr", subject, "b\n");
    char *msg = format(&m, FROM, 0);
    assert_crlf_only(msg);
    size_t words = 0;
    char *back = decode_subject(msg, &words);
    if (strcmp(back, subject) != 0)
        fail_msg("subject '%s' came back as '%s'", subject, back);
    free(back);
    free(msg);
    return words;
}

static void test_subject_encoded(void **state)
{
    (void)state;
    /* Plain ASCII stays plain. */
    assert_int_equal(subject_round_trip("Your account"), 0);
    assert_int_equal(subject_round_trip("x"), 0);
    assert_int_equal(subject_round_trip("a  b, (c) \"d\"; e=f ?"), 0);
    /* French accents: one short word. */
    assert_int_equal(subject_round_trip("Votre compte a été créé"), 1);
    assert_int_equal(subject_round_trip("Demande refusée : SIRET invalide"), 1);
    /* Long: several words, never a character cut in two. */
    const char *fr = "Activez votre compte Chorus Pro : votre demande a été "
                     "enregistrée et sera examinée très bientôt par un "
                     "gestionnaire de la structure";
    assert_true(subject_round_trip(fr) >= 3);
    /* Only two-byte characters: the split falls between them. */
    char accents[256] = "";
    for (int i = 0; i < 100; i++)
        strcat(accents, "é");
    assert_true(subject_round_trip(accents) >= 5);
    /* Four-byte characters and symbols that Q must escape. */
    assert_true(subject_round_trip("Bienvenue \xf0\x9f\x8e\x89 _?=\"()<>@,;:"
                                   " \xe2\x82\xac 100 \xe2\x80\x94 ok") >= 1);
    /* What a reader would take for an encoded-word, and white space at
     * either end, are encoded so that they come back as they were. */
    assert_int_equal(subject_round_trip("=?UTF-8?Q?abc?="), 1);
    assert_int_equal(subject_round_trip(" leading"), 1);
    assert_int_equal(subject_round_trip("trailing "), 1);
    /* A word too long for any line. */
    char word[120];
    memset(word, 'w', sizeof word - 1);
    word[sizeof word - 1] = '\0';
    assert_true(subject_round_trip(word) >= 2);
}

static void test_subject_folded(void **state)
{
    (void)state;
    const char *s = "Your Chorus Pro account request has been registered "
                    "and is waiting for the approval of a manager of the "
                    "structure 732 829 320";
    assert_int_equal(subject_round_trip(s), 0);
    chorusacct_mail m = make_mail("a@example.fr", s, "");
    char *msg = format(&m, FROM, 0);
    /* Folded before a space, each line under 78. */
    assert_non_null(strstr(msg, "\r\nSubject: Your Chorus Pro account "
                                "request has been registered and is "
                                "waiting\r\n for the approval"));
    free(msg);
    /* A word of 69 characters still fits the first line, 70 do not. */
    char w[80];
    memset(w, 'a', 69);
    w[69] = '\0';
    assert_int_equal(subject_round_trip(w), 0);
    memset(w, 'a', 70);
    w[70] = '\0';
    assert_true(subject_round_trip(w) >= 1);
    /* Empty. */
    m = make_mail("a@example.fr", "", "");
    msg = format(&m, FROM, 0);
    assert_non_null(strstr(msg, "\r\nSubject:\r\nMessage-ID:"));
    free(msg);
}

/* Formats `body`, checks the encoding and decodes it back. `want` is the
 * body with "\r\n" as "\n" (NULL: the body itself). */
static void body_round_trip(const char *body, const char *want)
{
    chorusacct_mail m = make_mail("a@example.fr", "s", body);
    char *msg = format(&m, FROM, 0);
    assert_crlf_only(msg);
    char *back = decode_qp(body_of(msg));
    if (strcmp(back, want != NULL ? want : body) != 0)
        fail_msg("body came back as '%s'", back);
    free(back);
    free(msg);
}

static void test_body_qp(void **state)
{
    (void)state;
    body_round_trip("", NULL);
    body_round_trip("\n", NULL);
    body_round_trip("\n\n\n", NULL);
    body_round_trip("Bonjour Jérôme,\nVotre société « Dupont & fils » est "
                    "enregistrée.\n",
                    NULL);
    body_round_trip("a=b, x==y, =3D and =\n=\n", NULL);
    body_round_trip("trailing spaces   \ntrailing tab\t\nboth \t \n", NULL);
    body_round_trip("end without a line break", NULL);
    body_round_trip("end with a space ", NULL);
    body_round_trip("tab\tinside, \x01 control, lone \r CR\n", NULL);
    body_round_trip(".\n..\n.dot\nFrom me\nFrom\nFromage\n", NULL);
    body_round_trip("line\r\nbreaks\r\nmixed\n", "line\nbreaks\nmixed\n");
    body_round_trip("\xf0\x9f\x8e\x89 \xe2\x82\xac\n", NULL);

    /* Long lines, with the awkward bytes at every position around the
     * soft break. */
    const char *fill[] = {"a", "é", "=", " ", "\t", ".", "From "};
    for (size_t f = 0; f < ARRAY_LEN(fill); f++) {
        for (size_t len = 60; len <= 170; len++) {
            char body[1024] = "";
            size_t n = 0;
            while (n + strlen(fill[f]) + 1 <= len) {
                strcat(body, (n % 7 == 3) ? "x" : fill[f]);
                n = strlen(body);
            }
            body_round_trip(body, NULL);
            strcat(body, "\n");
            body_round_trip(body, NULL);
            strcat(body, "tail ");
            body_round_trip(body, NULL);
        }
    }

    /* What the encoded text looks like. */
    chorusacct_mail m = make_mail("a@example.fr", "s", "x = 1 \n.\nFrom a\nab");
    char *msg = format(&m, FROM, 0);
    assert_string_equal(body_of(msg),
                        "x =3D 1=20\r\n=2E\r\n=46rom a\r\nab=\r\n");
    free(msg);

    /* A soft break at 75 characters plus '='. */
    char longline[200];
    memset(longline, 'z', 150);
    strcpy(longline + 150, "\n");
    m = make_mail("a@example.fr", "s", longline);
    msg = format(&m, FROM, 0);
    char want[200];
    memset(want, 'z', 75);
    strcpy(want + 75, "=\r\n");
    memset(want + 78, 'z', 75);
    strcpy(want + 153, "\r\n");
    assert_string_equal(body_of(msg), want);
    free(msg);

    /* A line of exactly 76 before a hard break needs no soft break. */
    memset(longline, 'y', 76);
    strcpy(longline + 76, "\n");
    m = make_mail("a@example.fr", "s", longline);
    msg = format(&m, FROM, 0);
    assert_int_equal(strlen(body_of(msg)), 78);
    free(msg);
}

static void test_format_refuses_unsafe_headers(void **state)
{
    (void)state;
    static const char *const bad_addresses[] = {
        "a@example.fr\r\nBcc: victim@example.org",
        "a@example.fr\n",
        "a@example.fr\r",
        "a@exa\tmple.fr",
        "a@exa\x7fmple.fr",
        "jérôme@example.fr",
        "",
    };
    char buf[4096];
    size_t n;
    for (size_t i = 0; i < ARRAY_LEN(bad_addresses); i++) {
        chorusacct_mail m = make_mail(bad_addresses[i], "s", "b\n");
        strcpy(buf, "x");
        n = 99;
        assert_code(chorusacct_mail_format(&m, FROM, 0, buf, sizeof buf, &n),
                    CHORUSACCT_E_ARG, NULL);
        assert_string_equal(buf, "");
        assert_int_equal(n, 0);
        m = make_mail("a@example.fr", "s", "b\n");
        assert_code(chorusacct_mail_format(&m, bad_addresses[i], 0, buf,
                                           sizeof buf, &n),
                    CHORUSACCT_E_ARG, NULL);
    }
    /* The sender must have a domain for the Message-ID. */
    static const char *const bad_senders[] = {
        "noreply",
        "noreply@",
        "Name <noreply@>",
        "noreply@exa_mple.fr",
        "noreply@.example.fr",
        "noreply@example..fr",
        "noreply@example.fr.",
        "noreply@[192.0.2.1]",
    };
    chorusacct_mail m = make_mail("a@example.fr", "s", "b\n");
    for (size_t i = 0; i < ARRAY_LEN(bad_senders); i++)
        assert_code(
            chorusacct_mail_format(&m, bad_senders[i], 0, buf, sizeof buf, &n),
            CHORUSACCT_E_ARG, NULL);
    /* A subject is one line of UTF-8. */
    static const char *const bad_subjects[] = {
        "two\r\nlines",
        "two\nlines",
        "cr\r",
        "tab\there",
        "bell\a",
        "bad \xc3 utf-8",
        "overlong \xc0\xaf",
        "C1 \xc2\x85 control",
        "surrogate \xed\xa0\x80",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad_subjects); i++) {
        m = make_mail("a@example.fr", bad_subjects[i], "b\n");
        assert_code(chorusacct_mail_format(&m, FROM, 0, buf, sizeof buf, &n),
                    CHORUSACCT_E_ARG, NULL);
    }
    /* Arguments. */
    m = make_mail("a@example.fr", "s", "b\n");
    assert_code(chorusacct_mail_format(NULL, FROM, 0, buf, sizeof buf, &n),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_mail_format(&m, NULL, 0, buf, sizeof buf, &n),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_mail_format(&m, FROM, 0, NULL, 10, &n),
                CHORUSACCT_E_ARG, NULL);
    m.to = NULL;
    assert_code(chorusacct_mail_format(&m, FROM, 0, buf, sizeof buf, &n),
                CHORUSACCT_E_ARG, NULL);
    m = make_mail("a@example.fr", "s", "b\n");
    m.struct_size = 8;
    assert_code(chorusacct_mail_format(&m, FROM, 0, buf, sizeof buf, &n),
                CHORUSACCT_E_ARG, NULL);
    /* NULL subject and body are empty; len_out may be NULL. */
    m = make_mail("a@example.fr", NULL, NULL);
    assert_code(chorusacct_mail_format(&m, FROM, 0, buf, sizeof buf, NULL),
                CHORUSACCT_OK, NULL);
    assert_non_null(strstr(buf, "\r\nSubject:\r\n"));
    assert_int_equal(strcmp(body_of(buf), ""), 0);
    /* A 998-character line is the most a header may have. */
    char addr[1100];
    memset(addr, 'a', sizeof addr);
    memcpy(addr + 994 - 11, "@example.fr", 12); /* "To: " + 994 = 998 */
    m = make_mail(addr, "s", "b\n");
    char *big = format(&m, FROM, 0);
    free(big);
    memset(addr, 'a', sizeof addr);
    memcpy(addr + 995 - 11, "@example.fr", 12);
    m = make_mail(addr, "s", "b\n");
    assert_code(chorusacct_mail_format(&m, FROM, 0, NULL, 0, &n),
                CHORUSACCT_E_ARG, NULL);
}

static void test_format_buffer_rule_at_every_capacity(void **state)
{
    (void)state;
    chorusacct_mail m = make_mail("a@example.fr", "Élodie", "é = é\n");
    size_t n = 0;
    assert_code(chorusacct_mail_format(&m, FROM, 0, NULL, 0, &n), CHORUSACCT_OK,
                NULL);
    assert_true(n > 300);
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    for (size_t cap = 1; cap <= n; cap += (cap < 8 || cap > n - 8) ? 1 : 37) {
        size_t got = 0;
        memset(buf, 'x', n + 1);
        assert_code(chorusacct_mail_format(&m, FROM, 0, buf, cap, &got),
                    CHORUSACCT_E_TOOSMALL, NULL);
        assert_int_equal(got, n);
        assert_int_equal(buf[0], '\0');
        assert_int_equal(buf[cap], 'x'); /* nothing written past cap */
    }
    size_t got = 0;
    assert_code(chorusacct_mail_format(&m, FROM, 0, buf, n + 1, &got),
                CHORUSACCT_OK, NULL);
    assert_int_equal(got, n);
    assert_int_equal(strlen(buf), n);
    free(buf);
}

/* ------------------------------------------------------------------ */
/* The Maildir mailer                                                   */

static char *temp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/chorusacct-maildir-XXXXXX",
             base != NULL && base[0] != '\0' ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    char *copy = strdup(d);
    assert_non_null(copy);
    return copy;
}

static char *path2(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", a, b);
    return p;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        chmod(path, 0700);
        DIR *d = opendir(path);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char *p = path2(path, e->d_name);
                remove_tree(p);
                free(p);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Names of the files in dir/sub; returns how many. */
static size_t list(const char *dir, const char *sub, char ***names)
{
    char *p = path2(dir, sub);
    DIR *d = opendir(p);
    assert_non_null(d);
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    assert_non_null(v);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap *= 2;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        v[n] = strdup(e->d_name);
        assert_non_null(v[n]);
        n++;
    }
    closedir(d);
    free(p);
    if (names != NULL) {
        *names = v;
    } else {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
    }
    return n;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL)
        *len = n;
    return buf;
}

static void assert_mode(const char *path, unsigned mode)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, mode);
}

static void test_maildir_folders(void **state)
{
    (void)state;
    char *top = temp_dir();
    char *dir = path2(top, "Maildir");
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_maildir_ops(&ops, dir, FROM), CHORUSACCT_OK, NULL);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_non_null(ops.send);
    assert_non_null(ops.destroy);
    mode_t mask = umask(0);
    umask(mask);
    assert_mode(dir, 0700 & ~mask);
    static const char *const subs[] = {"tmp", "new", "cur"};
    for (size_t i = 0; i < ARRAY_LEN(subs); i++) {
        char *p = path2(dir, subs[i]);
        assert_mode(p, 0700 & ~mask);
        free(p);
    }
    ops.destroy(ops.user_data);
    /* An existing Maildir is fine. */
    assert_code(chorusacct_maildir_ops(&ops, dir, FROM), CHORUSACCT_OK, NULL);
    ops.destroy(ops.user_data);

    /* Folders that cannot be made. */
    char *deep = path2(top, "missing/parent/Maildir");
    assert_code(chorusacct_maildir_ops(&ops, deep, FROM), CHORUSACCT_E_IO,
                NULL);
    assert_null(ops.send);
    assert_null(ops.user_data);
    char *file = path2(top, "file");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    assert_code(chorusacct_maildir_ops(&ops, file, FROM), CHORUSACCT_E_IO,
                NULL);

    /* Arguments: the sender is checked once, here. */
    assert_code(chorusacct_maildir_ops(NULL, dir, FROM), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_maildir_ops(&ops, NULL, FROM), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_maildir_ops(&ops, "", FROM), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_maildir_ops(&ops, dir, NULL), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_maildir_ops(&ops, dir, "noreply"), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_maildir_ops(&ops, dir, "a@b.fr\r\nX: y"),
                CHORUSACCT_E_ARG, NULL);
    assert_null(ops.send);

    free(file);
    free(deep);
    free(dir);
    remove_tree(top);
    free(top);
}

static void test_maildir_send(void **state)
{
    (void)state;
    char *dir = temp_dir();
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_maildir_ops(&ops, dir, FROM), CHORUSACCT_OK, NULL);
    chorusacct_mail m = make_mail("jean@example.fr", "Votre lien d'activation",
                                  "Cliquez : https://x.example/a?t=ABC\n");
    m.kind = CHORUSACCT_MAIL_ACTIVATION;
    m.link = "https://x.example/a?t=ABC";
    char error[CHORUSACCT_MAIL_ERROR_SIZE] = "";
    assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                     CHORUSACCT_MAIL_SENT);
    assert_string_equal(error, "");

    char **names;
    assert_int_equal(list(dir, "tmp", NULL), 0);
    assert_int_equal(list(dir, "cur", NULL), 0);
    assert_int_equal(list(dir, "new", &names), 1);
    /* No ':' (flags) and no '/' in the name. */
    assert_null(strchr(names[0], ':'));
    char *newdir = path2(dir, "new");
    char *p = path2(newdir, names[0]);
    assert_mode(p, 0600);
    size_t len;
    char *got = read_file(p, &len);
    /* The Date is the time the message was queued. */
    char *want = format(&m, FROM, m.created_at);
    assert_int_equal(len, strlen(want));
    assert_string_equal(got, want);
    free(want);
    free(got);
    free(p);
    free_list(names, 1);

    /* The same message again: a second file, the same Message-ID. */
    m.attempt = 2;
    assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                     CHORUSACCT_MAIL_SENT);
    size_t n = list(dir, "new", &names);
    assert_int_equal(n, 2);
    assert_string_not_equal(names[0], names[1]);
    free_list(names, n);

    /* Someone removed tmp/: it is made again. */
    char *tmp = path2(dir, "tmp");
    assert_int_equal(rmdir(tmp), 0);
    assert_int_equal(ops.send(ops.user_data, &m, NULL, 0),
                     CHORUSACCT_MAIL_SENT);
    assert_int_equal(list(dir, "new", NULL), 3);

    /* A message that cannot be written is a permanent failure. */
    m.to = "a@example.fr\r\nBcc: b@example.org";
    assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                     CHORUSACCT_MAIL_PERMFAIL);
    assert_non_null(strstr(error, "ARG"));
    assert_int_equal(ops.send(ops.user_data, NULL, error, sizeof error),
                     CHORUSACCT_MAIL_PERMFAIL);
    assert_int_equal(list(dir, "new", NULL), 3);
    assert_int_equal(list(dir, "tmp", NULL), 0);

    ops.destroy(ops.user_data);
    free(tmp);
    free(newdir);
    remove_tree(dir);
    free(dir);
}

static void test_maildir_unwritable(void **state)
{
    (void)state;
    char *dir = temp_dir();
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_maildir_ops(&ops, dir, FROM), CHORUSACCT_OK, NULL);
    chorusacct_mail m = make_mail("a@example.fr", "s", "b\n");
    char error[CHORUSACCT_MAIL_ERROR_SIZE] = "";
    char *tmp = path2(dir, "tmp");
    char *newdir = path2(dir, "new");

    /* Permissions do not stop root: there, only the cases below run. */
    if (geteuid() != 0) {
        assert_int_equal(chmod(tmp, 0500), 0);
        assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                         CHORUSACCT_MAIL_TEMPFAIL);
        assert_non_null(strstr(error, "tmp/"));
        assert_int_equal(chmod(tmp, 0700), 0);
    }

    /* tmp/ is a file: the message cannot be created. */
    assert_int_equal(rmdir(tmp), 0);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fclose(f);
    error[0] = '\0';
    assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_non_null(strstr(error, "tmp/"));
    assert_int_equal(list(dir, "new", NULL), 0);
    /* A tiny error buffer is cut, and none at all is fine. */
    char small[8] = "zzzzzzz";
    assert_int_equal(ops.send(ops.user_data, &m, small, sizeof small),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(ops.send(ops.user_data, &m, NULL, 0),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_int_equal(unlink(tmp), 0);
    assert_int_equal(mkdir(tmp, 0700), 0);

    /* new/ is a file: the rename fails and tmp/ is left clean. */
    assert_int_equal(rmdir(newdir), 0);
    f = fopen(newdir, "w");
    assert_non_null(f);
    fclose(f);
    error[0] = '\0';
    assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_non_null(strstr(error, "new/"));
    assert_int_equal(list(dir, "tmp", NULL), 0);
    assert_int_equal(unlink(newdir), 0);
    assert_int_equal(mkdir(newdir, 0700), 0);

    /* A write that fails half-way (the file size limit stands in for a
     * full disk): nothing is left behind. */
    struct rlimit old, tiny;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    tiny = old;
    tiny.rlim_cur = 100;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &tiny), 0);
    error[0] = '\0';
    int result = ops.send(ops.user_data, &m, error, sizeof error);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(result, CHORUSACCT_MAIL_TEMPFAIL);
    assert_non_null(strstr(error, "cannot write tmp/"));
    assert_non_null(strstr(error, "File too large"));
    assert_int_equal(list(dir, "tmp", NULL), 0);
    assert_int_equal(list(dir, "new", NULL), 0);

    /* Repaired, it delivers again. */
    assert_int_equal(ops.send(ops.user_data, &m, error, sizeof error),
                     CHORUSACCT_MAIL_SENT);
    assert_int_equal(list(dir, "new", NULL), 1);

    ops.destroy(ops.user_data);
    free(tmp);
    free(newdir);
    remove_tree(dir);
    free(dir);
}

enum { THREADS = 4, PER_THREAD = 50 };

typedef struct {
    const chorusacct_mailer_ops *ops;
    int first;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        chorusacct_mail m =
            make_mail("a@example.fr", "Même sujet", "Même texte\n");
        m.message_id = w->first + i;
        char error[CHORUSACCT_MAIL_ERROR_SIZE];
        if (w->ops->send(w->ops->user_data, &m, error, sizeof error) !=
            CHORUSACCT_MAIL_SENT)
            w->failures++;
    }
    return NULL;
}

static void test_maildir_threads(void **state)
{
    (void)state;
    char *dir = temp_dir();
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_maildir_ops(&ops, dir, FROM), CHORUSACCT_OK, NULL);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (worker){&ops, t * PER_THREAD, 0};
        assert_int_equal(pthread_create(&th[t], NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(w[t].failures, 0);
    }
    /* One file per message: none overwrote another. */
    char **names;
    size_t n = list(dir, "new", &names);
    assert_int_equal(n, THREADS * PER_THREAD);
    assert_int_equal(list(dir, "tmp", NULL), 0);
    bool seen[THREADS * PER_THREAD] = {false};
    char *newdir = path2(dir, "new");
    for (size_t i = 0; i < n; i++) {
        char *p = path2(newdir, names[i]);
        char *text = read_file(p, NULL);
        const char *id = strstr(text, "\r\nMessage-ID: <chorusacct.");
        assert_non_null(id);
        long k = strtol(id + strlen("\r\nMessage-ID: <chorusacct."), NULL, 10);
        assert_true(k >= 0 && k < THREADS * PER_THREAD);
        assert_false(seen[k]);
        seen[k] = true;
        free(text);
        free(p);
    }
    free(newdir);
    free_list(names, n);
    ops.destroy(ops.user_data);
    remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_matches_golden_messages),
        cmocka_unit_test(test_date_header_across_calendar),
        cmocka_unit_test(test_subject_encoded),
        cmocka_unit_test(test_subject_folded),
        cmocka_unit_test(test_body_qp),
        cmocka_unit_test(test_format_refuses_unsafe_headers),
        cmocka_unit_test(test_format_buffer_rule_at_every_capacity),
        cmocka_unit_test(test_maildir_folders),
        cmocka_unit_test(test_maildir_send),
        cmocka_unit_test(test_maildir_unwritable),
        cmocka_unit_test(test_maildir_threads),
    };
    return cmocka_run_group_tests_name("maildir", tests, NULL, NULL);
}
