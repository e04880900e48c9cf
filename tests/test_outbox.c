/*
 * What the outbox stores of a message, and its rendering when it is
 * delivered and listed (docs/outbox.md, "What a message stores"): a
 * snapshot of the values, not the text; the delivering context's
 * templates; texts stored rendered are sent as stored; a snapshot that
 * does not parse is a dead letter and the queue goes on.
 */
#include "flowutil.h"

#include <string.h>

static chorusacct_message stored[8], listed[8];

static int group_setup(void **state)
{
    (void)state;
    return chorusacct_init();
}

/* The messages as storage holds them, through a table of its own. */
static size_t storage_messages(flowfix *b, chorusacct_message *out)
{
    chorusacct_storage_ops ops;
    size_t n = 0;
    flowfix_storage(b, &ops);
    for (size_t i = 0; i < 8; i++)
        out[i].struct_size = (uint32_t)sizeof out[i];
    assert_code(ops.outbox_list(ops.user_data, 0, 0, out, 8, &n), CHORUSACCT_OK,
                NULL);
    if (ops.destroy != NULL)
        ops.destroy(ops.user_data);
    return n;
}

static void insert_message(flowfix *b, chorusacct_message *m)
{
    chorusacct_storage_ops ops;
    flowfix_storage(b, &ops);
    assert_code(ops.outbox_insert(ops.user_data, m), CHORUSACCT_OK, NULL);
    if (ops.destroy != NULL)
        ops.destroy(ops.user_data);
}

static size_t public_list(flowfix *b, chorusacct_ctx *ctx)
{
    size_t n = 0;
    listed[0].struct_size = (uint32_t)sizeof listed[0];
    assert_code(chorusacct_outbox_list(ctx, 0, 0, listed, 8, &n), CHORUSACCT_OK,
                NULL);
    (void)b;
    return n;
}

/* Storage keeps the values, not the text; the public listing shows the
 * text as it would be sent, {link} where the link goes. */
static void test_storage_keeps_values(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    siret_of(1234567, siret);
    do_signup(&b, "Marie.Curie@example.fr", siret,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(storage_messages(&b, stored), 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(stored[i].subject, "");
        assert_int_equal(stored[i].body[0], 0x02);
        assert_int_equal(stored[i].body[1], '1');
        /* The recipient's address, already in the message, is "=". */
        assert_null(strstr(stored[i].body, "Marie.Curie@example.fr"));
        assert_non_null(strstr(stored[i].body, "5:Marie5:Curie="));
        assert_null(strstr(stored[i].body, "Chorus"));
        assert_true(strlen(stored[i].body) < 120);
    }
    assert_int_equal(public_list(&b, b.ctx), 2);
    assert_int_equal(listed[1].kind, CHORUSACCT_MAIL_ACTIVATION);
    assert_non_null(strstr(listed[1].subject, "activ"));
    assert_non_null(strstr(listed[1].body, "{link}"));
    assert_non_null(strstr(listed[0].body, "Marie"));
    flowfix_close(&b);
}

/* A template replaced after a message was queued applies to it: the
 * context that delivers renders it. */
static void test_replaced_template_applies(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    siret_of(1234567, siret);
    do_signup(&b, "Marie.Curie@example.fr", siret,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    int reason = 0;
    for (int lang = 0; lang < 2; lang++)
        assert_code(
            chorusacct_ctx_set_template(
                b.ctx, CHORUSACCT_MAIL_ACTIVATION, lang,
                "{portal}: link for {first_name} ({account_id})",
                "Hi {first_name} {last_name} of {company_name}:\n{link}\n",
                &reason),
            CHORUSACCT_OK, b.ctx);
    assert_int_equal(public_list(&b, b.ctx), 2);
    assert_non_null(strstr(listed[1].subject, ": link for Marie ("));
    assert_non_null(strstr(listed[1].body, "Hi Marie Curie of "));
    assert_non_null(strstr(listed[1].body, "\n{link}\n"));

    assert_int_equal(do_deliver(&b), 2);
    const chorusacct_mail *m = chorusacct_testmailer_at(b.mail, 1);
    assert_int_equal(m->kind, CHORUSACCT_MAIL_ACTIVATION);
    assert_non_null(strstr(m->subject, ": link for Marie ("));
    assert_non_null(strstr(m->body, "Hi Marie Curie of "));
    assert_non_null(m->link);
    assert_non_null(strstr(m->body, m->link));
    flowfix_close(&b);
}

/* A text stored rendered (by a custom flow of messages, or a build that
 * stored texts) is sent as stored, with its link marker replaced. */
static void test_rendered_text_sent_as_stored(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    siret_of(1234567, siret);
    int64_t id = do_signup(&b, "Marie.Curie@example.fr", siret,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(do_deliver(&b), 2);
    static chorusacct_message m;
    memset(&m, 0, sizeof m);
    m.struct_size = (uint32_t)sizeof m;
    m.kind = CHORUSACCT_MAIL_REMINDER;
    m.account_id = id;
    m.status = CHORUSACCT_MSG_PENDING;
    m.created_at = m.next_attempt_at = T0;
    snprintf(m.to, sizeof m.to, "Marie.Curie@example.fr");
    snprintf(m.subject, sizeof m.subject, "Objet tel quel");
    snprintf(m.body, sizeof m.body, "Corps\n\001link\001\nfin\n");
    insert_message(&b, &m);
    assert_int_equal(public_list(&b, b.ctx), 3);
    assert_string_equal(listed[2].subject, "Objet tel quel");
    assert_string_equal(listed[2].body, "Corps\n{link}\nfin\n");
    assert_int_equal(do_deliver(&b), 1);
    const chorusacct_mail *got = chorusacct_testmailer_at(b.mail, 2);
    assert_string_equal(got->subject, "Objet tel quel");
    assert_non_null(got->link);
    char want[512];
    snprintf(want, sizeof want, "Corps\n%s\nfin\n", got->link);
    assert_string_equal(got->body, want);
    flowfix_close(&b);
}

/* Found by fuzz_outbox_row: a subject stored rendered with line breaks
 * (a tampered row) reached the mailer as it was; the mailer's contract is
 * one line. Listing and delivery give it as one line. */
static void test_stored_subject_stays_one_line(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    static chorusacct_message m;
    memset(&m, 0, sizeof m);
    m.struct_size = (uint32_t)sizeof m;
    m.kind = CHORUSACCT_MAIL_SUMMARY;
    m.account_id = 1;
    m.status = CHORUSACCT_MSG_PENDING;
    m.created_at = m.next_attempt_at = T0;
    snprintf(m.to, sizeof m.to, "marie.curie@example.fr");
    snprintf(m.subject, sizeof m.subject, "Objet\r\nBcc: x@example.com\n");
    snprintf(m.body, sizeof m.body, "Corps\n");
    insert_message(&b, &m);
    assert_int_equal(public_list(&b, b.ctx), 1);
    assert_string_equal(listed[0].subject, "Objet  Bcc: x@example.com ");
    assert_int_equal(do_deliver(&b), 1);
    const chorusacct_mail *got = chorusacct_testmailer_at(b.mail, 0);
    assert_string_equal(got->subject, "Objet  Bcc: x@example.com ");
    flowfix_close(&b);
}

/* A stored snapshot that does not parse is a dead letter that says so;
 * the messages after it are sent, and the listing still works. */
static void test_unreadable_snapshot_dead(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    static const char *const bad[] = {
        "\002",                        /* no version */
        "\0029\n0:",                   /* unknown version */
        "\0021\n5:abc",                /* a length past the end */
        "\0021\n1:a1:b",               /* too few fields */
        "\0021\nx:",                   /* no length */
        "\0021\n0:0:0:0:0:0:0:0:x:0:", /* a state that is not a number */
    };
    static chorusacct_message m;
    for (size_t k = 0; k < ARRAY_LEN(bad); k++) {
        memset(&m, 0, sizeof m);
        m.struct_size = (uint32_t)sizeof m;
        m.kind = CHORUSACCT_MAIL_SUMMARY;
        m.account_id = 1;
        m.status = CHORUSACCT_MSG_PENDING;
        m.created_at = m.next_attempt_at = T0;
        snprintf(m.to, sizeof m.to, "x@example.fr");
        snprintf(m.body, sizeof m.body, "%s", bad[k]);
        insert_message(&b, &m);
    }
    char siret[15];
    siret_of(1234567, siret);
    do_signup(&b, "Marie.Curie@example.fr", siret,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    size_t n = 0;
    listed[0].struct_size = (uint32_t)sizeof listed[0];
    assert_code(chorusacct_outbox_list(b.ctx, 0, 0, listed, 8, &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, 8);
    assert_string_equal(listed[0].body, "");
    assert_int_equal(do_deliver(&b), 2);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_DEAD), ARRAY_LEN(bad));
    assert_code(
        chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_DEAD, 0, listed, 8, &n),
        CHORUSACCT_OK, b.ctx);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(listed[i].last_error,
                            "stored message does not parse");
    flowfix_close(&b);
}

/* Whatever a damaged row holds where a snapshot was (truncated, bytes
 * changed, noise after the mark), listing and delivering it read and
 * write within bounds (the sanitizer build checks that): each message is
 * rendered or, at delivery, dead. */
static void test_damaged_snapshots(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    siret_of(1234567, siret);
    do_signup(&b, "Marie.Curie@example.fr", siret,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    assert_int_equal(storage_messages(&b, stored), 2);
    static chorusacct_message good, m;
    good = stored[0];
    const size_t glen = strlen(good.body);
    uint32_t seed = 77;
    size_t inserted = 0;
    for (int k = 0; k < 300; k++) {
        m = good;
        m.id = 0;
        seed = seed * 1103515245u + 12345u;
        size_t len = glen;
        if (k % 3 == 0) { /* truncated */
            len = 1 + (seed >> 8) % glen;
        } else if (k % 3 == 1) { /* bytes changed, never to NUL */
            for (int j = 0; j < 1 + k % 4; j++) {
                seed = seed * 1103515245u + 12345u;
                m.body[(seed >> 8) % glen] = (char)(1 + (seed >> 24) % 255);
            }
        } else { /* noise after the mark and version */
            len = 3 + (seed >> 8) % 200;
            for (size_t j = 3; j < len; j++) {
                seed = seed * 1103515245u + 12345u;
                m.body[j] = (char)(1 + (seed >> 24) % 255);
            }
        }
        m.body[len] = '\0';
        insert_message(&b, &m);
        inserted++;
    }
    size_t n = 0, seen = 0;
    int64_t after = 0;
    do {
        listed[0].struct_size = (uint32_t)sizeof listed[0];
        assert_code(chorusacct_outbox_list(b.ctx, 0, after, listed, 8, &n),
                    CHORUSACCT_OK, b.ctx);
        for (size_t i = 0; i < n; i++)
            assert_true(strlen(listed[i].body) < sizeof listed[i].body);
        seen += n;
        if (n > 0)
            after = listed[n - 1].id;
    } while (n == 8);
    assert_int_equal(seen, inserted + 2);
    while (do_deliver(&b) > 0)
        ;
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_PENDING), 0);
    flowfix_close(&b);
}

/* A storage table whose outbox_update fails once for a sent activation
 * message: the process died between the mailer's acceptance and the mark
 * (the message stays leased, and is claimed again when its lease ends). */
static chorusacct_storage_ops crash_inner;
static int crash_armed;

static int crash_update(void *ud, const chorusacct_message *m)
{
    if (crash_armed && m->kind == CHORUSACCT_MAIL_ACTIVATION &&
        m->status == CHORUSACCT_MSG_SENT) {
        crash_armed = 0;
        return CHORUSACCT_E_STORAGE;
    }
    return crash_inner.outbox_update(ud, m);
}

/* The Message-ID header of a captured mail as the Maildir and SMTP
 * mailers write it. */
static void message_id_of(const chorusacct_mail *m, char *out, size_t cap)
{
    static char buf[32768];
    size_t len = 0;
    assert_code(chorusacct_mail_format(m, "noreply@portal.test", T0, buf,
                                       sizeof buf, &len),
                CHORUSACCT_OK, NULL);
    const char *h = strstr(buf, "\r\nMessage-ID: ");
    assert_non_null(h);
    h += 2;
    size_t n = strcspn(h, "\r");
    assert_true(n < cap);
    memcpy(out, h, n);
    out[n] = '\0';
}

/* Issue 12, point 8: after a crash between sending and marking sent, the
 * activation mail goes again with a new token; its Message-ID is not the
 * first copy's (a receiver that drops duplicates by Message-ID keeps it),
 * and its link works. */
static void test_resent_link_has_a_new_message_id(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    siret_of(1234567, siret);
    const char *who = "Marie.Curie@example.fr";
    do_signup(&b, who, siret, CHORUSACCT_STATE_AWAITING_ACTIVATION);

    chorusacct_ctx *crashing = flowfix_ctx(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    flowfix_storage(&b, &crash_inner);
    chorusacct_storage_ops wrapped = crash_inner;
    wrapped.outbox_update = crash_update;
    assert_code(chorusacct_ctx_set_storage(crashing, &wrapped), CHORUSACCT_OK,
                crashing);
    crash_armed = 1;
    chorusacct_delivery d = {.struct_size = sizeof d};
    assert_code(chorusacct_outbox_deliver(crashing, 100, &d),
                CHORUSACCT_E_STORAGE, crashing);
    assert_int_equal(crash_armed, 0);
    chorusacct_ctx_free(crashing);
    char first_token[128];
    last_token(&b, who, first_token, sizeof first_token);
    size_t n1 = mails_of(&b, CHORUSACCT_MAIL_ACTIVATION, who);
    assert_int_equal(n1, 1);

    /* The lease runs out; another worker sends it again. */
    chorusacct_testclock_advance(b.clock, 301);
    do_deliver(&b);
    assert_int_equal(mails_of(&b, CHORUSACCT_MAIL_ACTIVATION, who), 2);
    char token[128];
    last_token(&b, who, token, sizeof token);
    assert_string_not_equal(token, first_token);

    const chorusacct_mail *copy[2];
    size_t k = 0;
    for (size_t i = 0; i < chorusacct_testmailer_count(b.mail); i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(b.mail, i);
        if (m->kind == CHORUSACCT_MAIL_ACTIVATION && k < 2)
            copy[k++] = m;
    }
    assert_int_equal(k, 2);
    assert_int_equal(copy[0]->message_id, copy[1]->message_id);
    char id0[256], id1[256];
    message_id_of(copy[0], id0, sizeof id0);
    message_id_of(copy[1], id1, sizeof id1);
    print_message("%s\n%s\n", id0, id1);
    assert_string_not_equal(id0, id1);
    /* The same attempt formatted again gives the same header: a retry of
     * that very copy (a Maildir sync that failed) is still a duplicate. */
    char again[256];
    message_id_of(copy[1], again, sizeof again);
    assert_string_equal(again, id1);

    int reason = 0;
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    flowfix_close(&b);
}

/* The Message-ID tells nothing of how many messages or accounts there
 * are: it is the library's opaque key, not the sequential outbox and
 * account ids (in enumeration-safe mode, a person who receives two of
 * their own mails could otherwise count the sign-ups in between, taken
 * addresses queueing fewer messages). A mail without a link keeps its
 * Message-ID on a retry; a key that is not hex is refused by the
 * formatter. */
static void test_message_id_is_opaque(void **state)
{
    (void)state;
    flowfix b;
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    char siret[15];
    siret_of(7654321, siret);
    do_signup(&b, "marie@example.fr", siret,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    do_signup(&b, "pierre@example.fr", siret,
              CHORUSACCT_STATE_PENDING_APPROVAL);
    do_deliver(&b);
    size_t n = chorusacct_testmailer_count(b.mail);
    assert_true(n >= 3);
    char ids[8][256];
    for (size_t i = 0; i < n && i < 8; i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(b.mail, i);
        assert_non_null(m->message_key);
        assert_int_equal(strlen(m->message_key), 32);
        assert_int_equal(strspn(m->message_key, "0123456789abcdef"), 32);
        message_id_of(m, ids[i], sizeof ids[i]);
        char want[256];
        snprintf(want, sizeof want, "Message-ID: <chorusacct.%s@portal.test>",
                 m->message_key);
        assert_string_equal(ids[i], want);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(ids[i], ids[j]);
    }
    /* A summary (no link) formatted for a retry keeps its Message-ID. */
    const chorusacct_mail *first = chorusacct_testmailer_at(b.mail, 0);
    chorusacct_mail retry = *first;
    retry.attempt = first->attempt + 1;
    if (first->link == NULL) {
        char again[256];
        message_id_of(&retry, again, sizeof again);
        assert_string_equal(again, ids[0]);
    }
    /* A key that could carry a header is refused. */
    retry.message_key = "abc\r\nBcc: x@evil.test";
    static char buf[32768];
    assert_code(chorusacct_mail_format(&retry, "noreply@portal.test", T0, buf,
                                       sizeof buf, NULL),
                CHORUSACCT_E_ARG, NULL);
    retry.message_key = NULL; /* an application's own mail: the ids */
    char own[256];
    message_id_of(&retry, own, sizeof own);
    assert_non_null(strstr(own, "<chorusacct."));
    flowfix_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage_keeps_values),
        cmocka_unit_test(test_replaced_template_applies),
        cmocka_unit_test(test_rendered_text_sent_as_stored),
        cmocka_unit_test(test_unreadable_snapshot_dead),
        cmocka_unit_test(test_damaged_snapshots),
        cmocka_unit_test(test_resent_link_has_a_new_message_id),
        cmocka_unit_test(test_stored_subject_stays_one_line),
        cmocka_unit_test(test_message_id_is_opaque),
    };
    return cmocka_run_group_tests_name("outbox", tests, group_setup, NULL);
}
