/*
 * The mailer area through the public API: names, the table initialiser,
 * the built-in templates and the capturing mailer. (Rendering and the
 * template check are internal: tests/test_internal_templates.c.)
 */
#include "testutil.h"

#include "mailtext.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <chorusacct/testkit.h>

/* ------------------------------------------------------------------ */
/* Names and table                                                      */

static void test_kind_and_status_names(void **state)
{
    (void)state;
    static const struct {
        int kind;
        const char *name;
    } kinds[] = {
        {CHORUSACCT_MAIL_SUMMARY, "summary"},
        {CHORUSACCT_MAIL_ACTIVATION, "activation"},
        {CHORUSACCT_MAIL_APPROVAL_REQUEST, "approval_request"},
        {CHORUSACCT_MAIL_APPROVED, "approved"},
        {CHORUSACCT_MAIL_REJECTED, "rejected"},
        {CHORUSACCT_MAIL_REMINDER, "reminder"},
        {CHORUSACCT_MAIL_ALREADY_EXISTS, "already_exists"},
        {CHORUSACCT_MAIL_CLAIM_NOTICE, "claim_notice"},
        {CHORUSACCT_MAIL_CONFIRM_REQUEST, "confirm_request"},
    };
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++)
        assert_string_equal(chorusacct_mail_kind_name(kinds[i].kind),
                            kinds[i].name);
    assert_string_equal(chorusacct_mail_kind_name(0), "unknown");
    assert_string_equal(chorusacct_mail_kind_name(10), "unknown");
    assert_string_equal(chorusacct_mail_kind_name(-1), "unknown");
    assert_string_equal(chorusacct_mail_kind_name(INT32_MIN), "unknown");
    assert_string_equal(chorusacct_mail_kind_name(INT32_MAX), "unknown");

    assert_string_equal(chorusacct_message_status_name(CHORUSACCT_MSG_PENDING),
                        "pending");
    assert_string_equal(chorusacct_message_status_name(CHORUSACCT_MSG_SENT),
                        "sent");
    assert_string_equal(chorusacct_message_status_name(CHORUSACCT_MSG_DEAD),
                        "dead");
    assert_string_equal(
        chorusacct_message_status_name(CHORUSACCT_MSG_CANCELLED), "cancelled");
    assert_string_equal(chorusacct_message_status_name(0), "unknown");
    assert_string_equal(chorusacct_message_status_name(5), "unknown");
    assert_string_equal(chorusacct_message_status_name(-1), "unknown");
}

static void test_mailer_ops_init(void **state)
{
    (void)state;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    memset(&ops, 0xA5, sizeof ops);
    assert_code(chorusacct_mailer_ops_init(&ops, sizeof ops), CHORUSACCT_OK,
                NULL);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_null(ops.user_data);
    assert_null(ops.send);
    assert_null(ops.destroy);
    assert_code(chorusacct_mailer_ops_init(NULL, sizeof ops), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_mailer_ops_init(&ops, sizeof ops - 1),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_mailer_ops_init(&ops, 0), CHORUSACCT_E_ARG, NULL);
}

/* ------------------------------------------------------------------ */
/* Built-in templates                                                   */

/* Every `{name}` of a template is documented, and braces pair up. The
 * templates use no `{{` or `}}`: one more reason to fail if they do. */
static void check_placeholders(const char *what, const char *t)
{
    for (const char *p = t; *p != '\0'; p++) {
        if (*p == '}')
            fail_msg("%s: stray '}' at %d", what, (int)(p - t));
        if (*p != '{')
            continue;
        const char *end = strchr(p + 1, '}');
        if (end == NULL)
            fail_msg("%s: unclosed '{'", what);
        size_t n = (size_t)(end - p - 1);
        bool known = false;
        for (size_t i = 0; i < ARRAY_LEN(documented); i++)
            if (strlen(documented[i]) == n &&
                memcmp(documented[i], p + 1, n) == 0)
                known = true;
        if (!known)
            fail_msg("%s: unknown placeholder '%.*s'", what, (int)n, p + 1);
        p = end;
    }
}

static bool uses(const char *t, const char *name)
{
    char ph[40];
    snprintf(ph, sizeof ph, "{%s}", name);
    return strstr(t, ph) != NULL;
}

static void test_template_shape(void **state)
{
    (void)state;
    for (size_t k = 0; k < ARRAY_LEN(all_kinds); k++) {
        for (int lang = 0; lang <= 1; lang++) {
            const char *subject = NULL, *body = NULL;
            char what[64];
            snprintf(what, sizeof what, "%s/%s",
                     chorusacct_mail_kind_name(all_kinds[k]),
                     lang == CHORUSACCT_LANG_FR ? "fr" : "en");
            assert_code(chorusacct_template_default(all_kinds[k], lang,
                                                    &subject, &body),
                        CHORUSACCT_OK, NULL);
            assert_non_null(subject);
            assert_non_null(body);

            /* The subject: one line, not empty, fits its record even
             * with a long portal name. */
            size_t sn = strlen(subject);
            assert_true(sn > 10);
            if (strchr(subject, '\n') != NULL || strchr(subject, '\r'))
                fail_msg("%s: subject has a line break", what);
            assert_true(sn + 100 < CHORUSACCT_SUBJECT_SIZE);
            assert_true(ref_utf8_count((const uint8_t *)subject, sn) > 0);
            /* No long field that could overflow the subject. */
            assert_false(uses(subject, "company_name"));
            assert_false(uses(subject, "reason"));
            assert_false(uses(subject, "applicant_name"));
            check_placeholders(what, subject);

            /* The body: lines under 78 characters, each ending "\n". */
            size_t bn = strlen(body);
            assert_true(bn > 100 && bn < CHORUSACCT_BODY_SIZE / 4);
            assert_int_equal(body[bn - 1], '\n');
            assert_null(strchr(body, '\r'));
            assert_null(strchr(body, '\t'));
            for (const char *line = body; *line != '\0';) {
                const char *eol = strchr(line, '\n');
                long cps =
                    ref_utf8_count((const uint8_t *)line, (size_t)(eol - line));
                if (cps < 0 || cps > 77)
                    fail_msg("%s: line of %ld characters: %.*s", what, cps,
                             (int)(eol - line), line);
                /* No trailing blanks, which mail software may eat. */
                if (eol > line && eol[-1] == ' ')
                    fail_msg("%s: trailing space: %.*s", what,
                             (int)(eol - line), line);
                line = eol + 1;
            }
            check_placeholders(what, body);
            /* Everyone is told who writes, and that it is automatic. */
            assert_true(uses(body, "portal"));

            /* Only the link messages carry a link. */
            bool link_kind = all_kinds[k] == CHORUSACCT_MAIL_ACTIVATION ||
                             all_kinds[k] == CHORUSACCT_MAIL_REMINDER ||
                             all_kinds[k] == CHORUSACCT_MAIL_CONFIRM_REQUEST;
            assert_int_equal(uses(body, "link"), link_kind);
            assert_false(uses(subject, "link"));
        }
    }
}

/* French: accents, typographic apostrophes, no-break spaces before the
 * high punctuation; English: none of those. */
static void test_template_typography(void **state)
{
    (void)state;
    for (size_t k = 0; k < ARRAY_LEN(all_kinds); k++) {
        const char *fs, *fb, *es, *eb;
        assert_code(chorusacct_template_default(all_kinds[k],
                                                CHORUSACCT_LANG_FR, &fs, &fb),
                    CHORUSACCT_OK, NULL);
        assert_code(chorusacct_template_default(all_kinds[k],
                                                CHORUSACCT_LANG_EN, &es, &eb),
                    CHORUSACCT_OK, NULL);
        assert_string_not_equal(fb, eb);
        assert_string_not_equal(fs, es);
        const char *fr[] = {fs, fb};
        for (int i = 0; i < 2; i++) {
            assert_null(strchr(fr[i], '\''));
            assert_null(strstr(fr[i], " :"));
            assert_null(strstr(fr[i], " ;"));
            assert_null(strstr(fr[i], " ?"));
            assert_null(strstr(fr[i], " !"));
            assert_null(strstr(fr[i], "\"")); /* guillemets instead */
        }
        assert_non_null(strstr(fs, "\u00a0:"));
        assert_non_null(strstr(fb, "é"));
        assert_non_null(strstr(fb, "Bonjour"));
        assert_non_null(strstr(fb, "Cordialement"));
        assert_non_null(strstr(eb, "Hello"));
        assert_non_null(strstr(eb, "Kind regards"));
        assert_null(strstr(eb, "\u00a0"));
        assert_null(strstr(es, "\u00a0"));
    }
}

/* What each message must tell, per the flow. */
static void test_template_content(void **state)
{
    (void)state;
    static const struct {
        int kind;
        const char *names;  /* space-separated placeholders required */
        const char *absent; /* and those it must not use */
    } want[] = {
        {CHORUSACCT_MAIL_SUMMARY,
         "first_name last_name login_email contact_email phone company_name "
         "id_type identifier state expires_minutes account_id",
         "link reason"},
        {CHORUSACCT_MAIL_ACTIVATION, "first_name link expires_minutes",
         "reason"},
        {CHORUSACCT_MAIL_APPROVAL_REQUEST,
         "applicant_name applicant_email company_name identifier "
         "account_id",
         "link reason"},
        {CHORUSACCT_MAIL_APPROVED, "first_name company_name", "link reason"},
        {CHORUSACCT_MAIL_REJECTED, "first_name company_name reason", "link"},
        {CHORUSACCT_MAIL_REMINDER, "first_name link expires_minutes", "reason"},
        /* Whoever signed up may not be the owner: nothing they typed but
         * the address goes to the owner's mailbox. */
        {CHORUSACCT_MAIL_ALREADY_EXISTS, "login_email",
         "first_name last_name phone company_name link reason"},
        /* What to do to keep the structure, without a link. */
        {CHORUSACCT_MAIL_CLAIM_NOTICE,
         "first_name company_name identifier login_email", "link reason"},
        /* The mailbox proof of a request to join, before any manager. */
        {CHORUSACCT_MAIL_CONFIRM_REQUEST,
         "first_name company_name link expires_minutes", "reason"},
    };
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        for (int lang = 0; lang <= 1; lang++) {
            const char *s, *b;
            assert_code(chorusacct_template_default(want[i].kind, lang, &s, &b),
                        CHORUSACCT_OK, NULL);
            char list[256];
            snprintf(list, sizeof list, "%s", want[i].names);
            for (char *tok = strtok(list, " "); tok; tok = strtok(NULL, " "))
                if (!uses(b, tok))
                    fail_msg("%s/%d lacks {%s}",
                             chorusacct_mail_kind_name(want[i].kind), lang,
                             tok);
            snprintf(list, sizeof list, "%s", want[i].absent);
            for (char *tok = strtok(list, " "); tok; tok = strtok(NULL, " "))
                if (uses(b, tok) || uses(s, tok))
                    fail_msg("%s/%d uses {%s}",
                             chorusacct_mail_kind_name(want[i].kind), lang,
                             tok);
        }
    }
    /* The password rule is stated where the password is chosen. */
    const char *s, *b;
    assert_code(chorusacct_template_default(CHORUSACCT_MAIL_ACTIVATION,
                                            CHORUSACCT_LANG_FR, &s, &b),
                CHORUSACCT_OK, NULL);
    assert_non_null(strstr(b, "12 caractères"));
    assert_code(chorusacct_template_default(CHORUSACCT_MAIL_ACTIVATION,
                                            CHORUSACCT_LANG_EN, &s, &b),
                CHORUSACCT_OK, NULL);
    assert_non_null(strstr(b, "12 characters"));
    assert_non_null(strstr(b, "3 of"));
}

static void test_template_args(void **state)
{
    (void)state;
    const char *s = "x", *b = "x";
    assert_code(chorusacct_template_default(0, 0, &s, &b), CHORUSACCT_E_ARG,
                NULL);
    assert_null(s);
    assert_null(b);
    assert_code(chorusacct_template_default(10, 0, &s, &b), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_template_default(-1, 0, &s, &b), CHORUSACCT_E_ARG,
                NULL);
    assert_code(
        chorusacct_template_default(CHORUSACCT_MAIL_SUMMARY, 0, NULL, &b),
        CHORUSACCT_E_ARG, NULL);
    assert_code(
        chorusacct_template_default(CHORUSACCT_MAIL_SUMMARY, 0, &s, NULL),
        CHORUSACCT_E_ARG, NULL);

    /* Any language but French is English, as everywhere. */
    const char *es, *eb;
    assert_code(chorusacct_template_default(CHORUSACCT_MAIL_SUMMARY,
                                            CHORUSACCT_LANG_EN, &es, &eb),
                CHORUSACCT_OK, NULL);
    assert_code(chorusacct_template_default(CHORUSACCT_MAIL_SUMMARY, 7, &s, &b),
                CHORUSACCT_OK, NULL);
    assert_ptr_equal(s, es);
    assert_ptr_equal(b, eb);
    assert_code(
        chorusacct_template_default(CHORUSACCT_MAIL_SUMMARY, -1, &s, &b),
        CHORUSACCT_OK, NULL);
    assert_ptr_equal(b, eb);
}

/* ------------------------------------------------------------------ */
/* Capturing mailer                                                     */

static chorusacct_testmailer *new_cm(chorusacct_mailer_ops *ops)
{
    chorusacct_testmailer *cm = NULL;
    assert_code(chorusacct_testmailer_new(&cm), CHORUSACCT_OK, NULL);
    assert_non_null(cm);
    ops->struct_size = (uint32_t)sizeof *ops;
    assert_code(chorusacct_testmailer_ops(ops, cm), CHORUSACCT_OK, NULL);
    return cm;
}

/* Sends one message through the table; `link` may be NULL. */
static int send1(const chorusacct_mailer_ops *ops, int64_t id, const char *to,
                 const char *link, char *err, size_t cap)
{
    chorusacct_mail m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    m.kind =
        link != NULL ? CHORUSACCT_MAIL_ACTIVATION : CHORUSACCT_MAIL_SUMMARY;
    m.message_id = id;
    m.account_id = 100 + id;
    m.created_at = 1700000000 + id;
    m.lang = CHORUSACCT_LANG_FR;
    m.attempt = 1;
    m.to = to;
    m.subject = "Sujet";
    m.body = "Corps\n";
    m.link = link;
    return ops->send(ops->user_data, &m, err, cap);
}

static void test_testmailer_args(void **state)
{
    (void)state;
    chorusacct_testmailer *cm = NULL;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_testmailer_new(NULL), CHORUSACCT_E_ARG, NULL);
    memset(&ops, 0xA5, sizeof ops);
    cm = new_cm(&ops);
    assert_int_equal(ops.struct_size, sizeof ops);
    assert_ptr_equal(ops.user_data, cm);
    assert_non_null(ops.send);
    assert_null(ops.destroy); /* the mailer stays the caller's */
    assert_code(chorusacct_testmailer_ops(&ops, NULL), CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_testmailer_ops(NULL, cm), CHORUSACCT_E_ARG, NULL);

    assert_int_equal(chorusacct_testmailer_count(cm), 0);
    assert_null(chorusacct_testmailer_at(cm, 0));
    assert_int_equal(chorusacct_testmailer_count(NULL), 0);
    assert_null(chorusacct_testmailer_at(NULL, 0));
    chorusacct_testmailer_clear(NULL);
    chorusacct_testmailer_free(NULL);

    /* A send without a message is refused for good, not captured. */
    char err[64] = "";
    assert_int_equal(ops.send(ops.user_data, NULL, err, sizeof err),
                     CHORUSACCT_MAIL_PERMFAIL);
    assert_true(err[0] != '\0');
    assert_int_equal(chorusacct_testmailer_count(cm), 0);
    chorusacct_testmailer_free(cm);
}

static void test_testmailer_capture(void **state)
{
    (void)state;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    chorusacct_testmailer *cm = new_cm(&ops);

    /* The caller's buffers, overwritten after the call. */
    char to[64], subject[64], body[128], link[96];
    strcpy(to, "marie.curie@example.fr");
    strcpy(subject, "Activez votre compte");
    strcpy(body, "Bonjour Marie,\nhttps://x.example/a?t=TOKEN1\n");
    strcpy(link, "https://x.example/a?t=TOKEN1");
    chorusacct_mail m;
    memset(&m, 0, sizeof m);
    m.struct_size = sizeof m;
    m.kind = CHORUSACCT_MAIL_ACTIVATION;
    m.message_id = 7;
    m.account_id = 42;
    m.created_at = 1700000123;
    m.lang = CHORUSACCT_LANG_FR;
    m.attempt = 3;
    m.to = to;
    m.subject = subject;
    m.body = body;
    m.link = link;
    char err[64] = "untouched";
    assert_int_equal(ops.send(ops.user_data, &m, err, sizeof err),
                     CHORUSACCT_MAIL_SENT);
    assert_string_equal(err, "untouched");
    memset(to, 'X', sizeof to - 1);
    memset(subject, 'X', sizeof subject - 1);
    memset(body, 'X', sizeof body - 1);
    memset(link, 'X', sizeof link - 1);

    assert_int_equal(chorusacct_testmailer_count(cm), 1);
    const chorusacct_mail *c = chorusacct_testmailer_at(cm, 0);
    assert_non_null(c);
    assert_int_equal(c->struct_size, sizeof *c);
    assert_int_equal(c->kind, CHORUSACCT_MAIL_ACTIVATION);
    assert_int_equal(c->message_id, 7);
    assert_int_equal(c->account_id, 42);
    assert_int_equal(c->created_at, 1700000123);
    assert_int_equal(c->lang, CHORUSACCT_LANG_FR);
    assert_int_equal(c->attempt, 3);
    assert_string_equal(c->to, "marie.curie@example.fr");
    assert_string_equal(c->subject, "Activez votre compte");
    assert_string_equal(c->body,
                        "Bonjour Marie,\nhttps://x.example/a?t=TOKEN1\n");
    assert_string_equal(c->link, "https://x.example/a?t=TOKEN1");
    assert_ptr_not_equal(c->to, to);
    assert_ptr_not_equal(c->link, link);
    assert_null(chorusacct_testmailer_at(cm, 1));

    /* A message without a link keeps a NULL link, and the earlier
     * entry's pointer stays valid as more arrive. */
    for (int i = 0; i < 100; i++)
        assert_int_equal(send1(&ops, 1000 + i, "x@example.fr", NULL, NULL, 0),
                         CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 101);
    assert_ptr_equal(chorusacct_testmailer_at(cm, 0), c);
    assert_string_equal(c->link, "https://x.example/a?t=TOKEN1");
    const chorusacct_mail *last = chorusacct_testmailer_at(cm, 100);
    assert_null(last->link);
    assert_int_equal(last->message_id, 1099);
    assert_int_equal(last->kind, CHORUSACCT_MAIL_SUMMARY);
    assert_string_equal(last->body, "Corps\n");

    /* Clear forgets everything; capturing goes on afterwards. */
    chorusacct_testmailer_clear(cm);
    assert_int_equal(chorusacct_testmailer_count(cm), 0);
    assert_null(chorusacct_testmailer_at(cm, 0));
    char buf[64];
    assert_code(
        chorusacct_testmailer_last_link(cm, NULL, buf, sizeof buf, NULL),
        CHORUSACCT_E_NOTFOUND, NULL);
    assert_int_equal(send1(&ops, 5, "y@example.fr", "L5", NULL, 0),
                     CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 1);
    assert_int_equal(chorusacct_testmailer_at(cm, 0)->message_id, 5);
    chorusacct_testmailer_free(cm);
}

static void expect_link(const chorusacct_testmailer *cm, const char *to,
                        const char *want)
{
    char buf[64];
    size_t n = 999;
    int rc = chorusacct_testmailer_last_link(cm, to, buf, sizeof buf, &n);
    if (want == NULL) {
        assert_code(rc, CHORUSACCT_E_NOTFOUND, NULL);
        assert_string_equal(buf, "");
        assert_int_equal(n, 0);
        return;
    }
    if (rc != CHORUSACCT_OK)
        fail_msg("last_link(%s): %s", to ? to : "NULL",
                 chorusacct_status_name(rc));
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_testmailer_last_link(void **state)
{
    (void)state;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    chorusacct_testmailer *cm = new_cm(&ops);
    expect_link(cm, NULL, NULL);
    expect_link(cm, "a@x.fr", NULL);

    assert_int_equal(send1(&ops, 1, "a@x.fr", "LINK-A1", NULL, 0), 0);
    assert_int_equal(send1(&ops, 2, "b@x.fr", "LINK-B1", NULL, 0), 0);
    assert_int_equal(send1(&ops, 3, "A@X.FR", "LINK-A2", NULL, 0), 0);
    assert_int_equal(send1(&ops, 4, "b@x.fr", NULL, NULL, 0), 0);
    assert_int_equal(send1(&ops, 5, "a@x.fr.example", "LINK-EVIL", NULL, 0), 0);
    assert_int_equal(send1(&ops, 6, "a@x.fr", NULL, NULL, 0), 0);

    expect_link(cm, "a@x.fr", "LINK-A2"); /* newest, whatever its case */
    expect_link(cm, "a@X.fr", "LINK-A2");
    expect_link(cm, "B@X.FR", "LINK-B1"); /* a later mail had no link */
    expect_link(cm, "a@x.fr.example", "LINK-EVIL");
    expect_link(cm, "a@x.f", NULL); /* no prefix matching */
    expect_link(cm, "c@x.fr", NULL);
    expect_link(cm, "", NULL);
    expect_link(cm, NULL, "LINK-EVIL"); /* the newest link of all */

    /* The caller-buffer rule of the validators. */
    size_t n = 0;
    assert_code(chorusacct_testmailer_last_link(cm, "a@x.fr", NULL, 0, &n),
                CHORUSACCT_OK, NULL);
    assert_int_equal(n, 7);
    char small[7];
    memset(small, 'Z', sizeof small);
    assert_code(
        chorusacct_testmailer_last_link(cm, "a@x.fr", small, sizeof small, &n),
        CHORUSACCT_E_TOOSMALL, NULL);
    assert_int_equal(n, 7);
    assert_int_equal(small[0], '\0');
    char exact[8];
    assert_code(chorusacct_testmailer_last_link(cm, "a@x.fr", exact,
                                                sizeof exact, NULL),
                CHORUSACCT_OK, NULL);
    assert_string_equal(exact, "LINK-A2");
    assert_code(
        chorusacct_testmailer_last_link(NULL, NULL, exact, sizeof exact, &n),
        CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_testmailer_last_link(cm, NULL, NULL, 5, &n),
                CHORUSACCT_E_ARG, NULL);
    chorusacct_testmailer_free(cm);
}

static void test_testmailer_fail_next(void **state)
{
    (void)state;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    chorusacct_testmailer *cm = new_cm(&ops);
    char err[CHORUSACCT_MAIL_ERROR_SIZE];

    assert_code(
        chorusacct_testmailer_fail_next(cm, 2, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_OK, NULL);
    for (int i = 0; i < 2; i++) {
        memset(err, 'Z', sizeof err);
        assert_int_equal(send1(&ops, 1, "a@x.fr", "L1", err, sizeof err),
                         CHORUSACCT_MAIL_TEMPFAIL);
        assert_non_null(memchr(err, '\0', sizeof err));
        assert_true(strlen(err) > 0);
        assert_non_null(strstr(err, "temporary"));
    }
    assert_int_equal(chorusacct_testmailer_count(cm), 0);
    expect_link(cm, NULL, NULL); /* a failed send delivers no link */
    assert_int_equal(send1(&ops, 1, "a@x.fr", "L1", err, sizeof err),
                     CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 1);

    assert_code(
        chorusacct_testmailer_fail_next(cm, 1, CHORUSACCT_MAIL_PERMFAIL),
        CHORUSACCT_OK, NULL);
    /* A tiny or missing error buffer is fine. */
    char tiny[4] = "ZZZ";
    assert_int_equal(send1(&ops, 2, "a@x.fr", "L2", tiny, sizeof tiny),
                     CHORUSACCT_MAIL_PERMFAIL);
    assert_int_equal(strlen(tiny), 3);
    assert_int_equal(send1(&ops, 3, "a@x.fr", "L3", NULL, 0),
                     CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 2);
    expect_link(cm, "a@x.fr", "L3");

    /* A new call replaces the pending failures; 0 cancels them. */
    assert_code(
        chorusacct_testmailer_fail_next(cm, 5, CHORUSACCT_MAIL_PERMFAIL),
        CHORUSACCT_OK, NULL);
    assert_code(
        chorusacct_testmailer_fail_next(cm, 1, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_OK, NULL);
    assert_int_equal(send1(&ops, 4, "a@x.fr", NULL, NULL, 0),
                     CHORUSACCT_MAIL_TEMPFAIL);
    assert_int_equal(send1(&ops, 5, "a@x.fr", NULL, NULL, 0),
                     CHORUSACCT_MAIL_SENT);
    assert_code(
        chorusacct_testmailer_fail_next(cm, 3, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_OK, NULL);
    assert_code(
        chorusacct_testmailer_fail_next(cm, 0, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_OK, NULL);
    assert_int_equal(send1(&ops, 6, "a@x.fr", NULL, NULL, 0),
                     CHORUSACCT_MAIL_SENT);

    assert_code(chorusacct_testmailer_fail_next(cm, 1, CHORUSACCT_MAIL_SENT),
                CHORUSACCT_E_ARG, NULL);
    assert_code(chorusacct_testmailer_fail_next(cm, 1, 3), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_testmailer_fail_next(cm, 1, -1), CHORUSACCT_E_ARG,
                NULL);
    assert_code(
        chorusacct_testmailer_fail_next(NULL, 1, CHORUSACCT_MAIL_TEMPFAIL),
        CHORUSACCT_E_ARG, NULL);
    /* The refused calls changed nothing. */
    assert_int_equal(send1(&ops, 7, "a@x.fr", NULL, NULL, 0),
                     CHORUSACCT_MAIL_SENT);
    assert_int_equal(chorusacct_testmailer_count(cm), 5);
    chorusacct_testmailer_free(cm);
}

enum { CM_THREADS = 4, CM_SENDS = 250 };

typedef struct {
    chorusacct_mailer_ops *ops;
    chorusacct_testmailer *cm;
    int index;
} cm_job;

static void *send_many(void *arg)
{
    cm_job *j = arg;
    char to[32], link[32], buf[32];
    snprintf(to, sizeof to, "t%d@x.fr", j->index);
    for (int i = 0; i < CM_SENDS; i++) {
        int64_t id = (int64_t)j->index * CM_SENDS + i;
        snprintf(link, sizeof link, "L-%d-%d", j->index, i);
        if (send1(j->ops, id, to, link, NULL, 0) != CHORUSACCT_MAIL_SENT)
            return (void *)"send";
        /* Readers in the middle of the writers. */
        if (chorusacct_testmailer_last_link(j->cm, to, buf, sizeof buf, NULL) !=
                CHORUSACCT_OK ||
            strcmp(buf, link) != 0)
            return (void *)"last_link";
        size_t n = chorusacct_testmailer_count(j->cm);
        const chorusacct_mail *m = chorusacct_testmailer_at(j->cm, n - 1);
        if (m == NULL || m->body == NULL)
            return (void *)"at";
    }
    return NULL;
}

static void test_testmailer_threads(void **state)
{
    (void)state;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    chorusacct_testmailer *cm = new_cm(&ops);
    pthread_t t[CM_THREADS];
    cm_job jobs[CM_THREADS];
    for (int i = 0; i < CM_THREADS; i++) {
        jobs[i] = (cm_job){&ops, cm, i};
        assert_int_equal(pthread_create(&t[i], NULL, send_many, &jobs[i]), 0);
    }
    for (int i = 0; i < CM_THREADS; i++) {
        void *res = NULL;
        assert_int_equal(pthread_join(t[i], &res), 0);
        if (res != NULL)
            fail_msg("thread %d: %s failed", i, (const char *)res);
    }
    assert_int_equal(chorusacct_testmailer_count(cm), CM_THREADS * CM_SENDS);
    /* Every message once, intact, and each thread's in its own order. */
    static bool seen[CM_THREADS * CM_SENDS];
    int next[CM_THREADS] = {0};
    for (size_t i = 0; i < chorusacct_testmailer_count(cm); i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(cm, i);
        int64_t id = m->message_id;
        assert_true(id >= 0 && id < CM_THREADS * CM_SENDS);
        assert_false(seen[id]);
        seen[id] = true;
        int th = (int)(id / CM_SENDS), k = (int)(id % CM_SENDS);
        assert_int_equal(k, next[th]++);
        char want[32];
        snprintf(want, sizeof want, "L-%d-%d", th, k);
        assert_string_equal(m->link, want);
        snprintf(want, sizeof want, "t%d@x.fr", th);
        assert_string_equal(m->to, want);
        assert_int_equal(m->account_id, 100 + id);
    }
    chorusacct_testmailer_free(cm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_and_status_names),
        cmocka_unit_test(test_mailer_ops_init),
        cmocka_unit_test(test_template_shape),
        cmocka_unit_test(test_template_typography),
        cmocka_unit_test(test_template_content),
        cmocka_unit_test(test_template_args),
        cmocka_unit_test(test_testmailer_args),
        cmocka_unit_test(test_testmailer_capture),
        cmocka_unit_test(test_testmailer_last_link),
        cmocka_unit_test(test_testmailer_fail_next),
        cmocka_unit_test(test_testmailer_threads),
    };
    return cmocka_run_group_tests_name("mailer", tests, NULL, NULL);
}
