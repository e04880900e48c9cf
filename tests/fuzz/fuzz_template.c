/*
 * libFuzzer target: message templates, and the messages rendered from
 * them.
 *
 * The input is one option byte (bit 0: the language), then the subject,
 * the body and a rejection reason, separated by 0x00 bytes. The subject
 * and body are set as the template of every kind of message; then, over
 * the in-memory store and the capturing mailer, a principal signs up and
 * activates, an applicant joins and is rejected with the reason, another
 * is approved, a third principal asks for a new link, and someone signs up
 * again with a known address, so that every kind of message is rendered
 * and delivered. It checks that:
 * - a template is accepted only if it is UTF-8 without control characters
 *   but tab and line feed, with a one-line subject, and that
 *   plain text of that kind is always accepted; every kind answers alike;
 * - every step succeeds, or fails with ::CHORUSACCT_E_CAPACITY (a reason
 *   too long for its record), or refuses the reason as such;
 * - a message whose text does not fit its record once rendered (rendering
 *   happens at delivery, docs/outbox.md) is a dead letter, never sent;
 * - every delivered message has a one-line UTF-8 subject, a UTF-8 body
 *   without the internal link marker, and a link when it is an activation
 *   or a reminder.
 */
#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "utf8_ref.h"
#include "../activateutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1795687200)
#define PW "Correct-Horse-42"

typedef struct {
    chorusacct_memstore *ms;
    chorusacct_testmailer *cm;
    chorusacct_testclock *ck;
    chorusacct_testrandom *rd;
    chorusacct_ctx *ctx;
} world;

static void must(int rc)
{
    if (rc != CHORUSACCT_OK)
        abort();
}

static void world_open(world *w)
{
    static const uint8_t seed[32] = {3};
    chorusacct_config cfg;
    must(chorusacct_config_init(&cfg, sizeof cfg));
    cfg.flags = CHORUSACCT_CFG_NO_CAPTCHA | CHORUSACCT_CFG_ENUMERATION_SAFE;
    cfg.pwhash_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    cfg.pwhash_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    cfg.activation_url = "https://portal.test/activate?token={token}";
    must(chorusacct_ctx_new(&w->ctx, &cfg));
    chorusacct_storage_ops so = {.struct_size = sizeof so};
    chorusacct_mailer_ops mo = {.struct_size = sizeof mo};
    chorusacct_clock_ops co = {.struct_size = sizeof co};
    chorusacct_random_ops ro = {.struct_size = sizeof ro};
    must(chorusacct_memstore_new(&w->ms));
    must(chorusacct_testmailer_new(&w->cm));
    must(chorusacct_testclock_new(&w->ck, T0));
    must(chorusacct_testrandom_new(&w->rd, seed));
    must(chorusacct_memstore_ops(&so, w->ms));
    must(chorusacct_testmailer_ops(&mo, w->cm));
    must(chorusacct_testclock_ops(&co, w->ck));
    must(chorusacct_testrandom_ops(&ro, w->rd));
    must(chorusacct_ctx_set_storage(w->ctx, &so));
    must(chorusacct_ctx_set_mailer(w->ctx, &mo));
    must(chorusacct_ctx_set_clock(w->ctx, &co));
    must(chorusacct_ctx_set_random(w->ctx, &ro));
}

static void world_close(world *w)
{
    chorusacct_ctx_free(w->ctx);
    chorusacct_testmailer_free(w->cm);
    chorusacct_memstore_free(w->ms);
    chorusacct_testclock_free(w->ck);
    chorusacct_testrandom_free(w->rd);
}

/* Signs up; returns the account id, or 0 when the rendered text did not
 * fit (nothing is stored then). Enumeration-safe mode answers no id: the
 * account is looked up. */
static int64_t signup(world *w, const char *email, const char *siret, int lang)
{
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    must(chorusacct_signup_init(&f, sizeof f));
    f.login_email = email;
    f.first_name = "Zoé";
    f.last_name = "Lefèvre-Øster";
    f.phone = "06 12 34 56 78";
    f.accept_terms = 1;
    f.id_type = CHORUSACCT_ID_SIRET;
    f.identifier = siret;
    f.company_name = "Acmé « Société »";
    f.lang = lang;
    int rc = chorusacct_signup_submit(w->ctx, &f, &r);
    if (rc == CHORUSACCT_E_CAPACITY)
        return 0;
    must(rc);
    chorusacct_account a = {.struct_size = sizeof a};
    a.struct_size = sizeof a;
    must(chorusacct_account_find(w->ctx, email, &a));
    return a.id;
}

/* Whether the outbox holds a dead letter (a text too long once
 * rendered). */
static bool any_dead(const world *w)
{
    chorusacct_message m = {.struct_size = sizeof m};
    size_t n = 0;
    must(chorusacct_outbox_list(w->ctx, CHORUSACCT_MSG_DEAD, 0, &m, 1, &n));
    return n > 0;
}

static void deliver(world *w)
{
    chorusacct_delivery d = {.struct_size = sizeof d};
    must(chorusacct_outbox_deliver(w->ctx, 1000, &d));
}

/* In enumeration-safe mode a request to join a declared structure waits
 * for the applicant to follow the link mailed to the login address
 * (docs/flow.md): follows it. False when that mail's text did not fit its
 * template (a dead letter, which the caller checks). */
static bool confirm_request(world *w, const char *email)
{
    char link[1200];
    size_t n;
    int lr =
        chorusacct_testmailer_last_link(w->cm, email, link, sizeof link, &n);
    if (lr == CHORUSACCT_E_NOTFOUND)
        return false;
    must(lr);
    const char *token = strstr(link, "token=");
    if (token == NULL)
        abort();
    int64_t id = 0;
    int reason = 0;
    must(chorusacct_request_confirm(w->ctx, token + 6, NULL, &id, &reason));
    return true;
}

static void check_mails(const world *w)
{
    for (size_t i = 0; i < chorusacct_testmailer_count(w->cm); i++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(w->cm, i);
        size_t sn = strlen(m->subject), bn = strlen(m->body);
        if (ref_utf8_count((const uint8_t *)m->subject, sn) < 0 ||
            memchr(m->subject, '\n', sn) != NULL ||
            memchr(m->subject, '\r', sn) != NULL ||
            ref_utf8_count((const uint8_t *)m->body, bn) < 0 ||
            memchr(m->body, '\001', bn) != NULL)
            abort();
        bool wants_link = m->kind == CHORUSACCT_MAIL_ACTIVATION ||
                          m->kind == CHORUSACCT_MAIL_REMINDER ||
                          m->kind == CHORUSACCT_MAIL_CONFIRM_REQUEST;
        if (wants_link != (m->link != NULL) ||
            (wants_link && strncmp(m->link, "https://portal.test/", 20) != 0))
            abort();
    }
}

/* Plain text: no brace, UTF-8, no control but tab and line feed (no line
 * feed in a subject). */
static bool plain(const char *s, bool subject)
{
    size_t n = strlen(s);
    if (ref_utf8_count((const uint8_t *)s, n) < 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '{' || c == '}' || c == 0x7F ||
            (c < 0x20 && c != '\t' && (subject || c != '\n')))
            return false;
    }
    return true;
}

/* What an accepted template must be. */
static void check_accepted(const char *s, bool subject)
{
    size_t n = strlen(s);
    if (ref_utf8_count((const uint8_t *)s, n) < 0)
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x7F || (c < 0x20 && c != '\t' && (subject || c != '\n')))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const int lang = data[0] & 1 ? CHORUSACCT_LANG_FR : CHORUSACCT_LANG_EN;
    /* subject \0 body \0 reason */
    static char part[3][8192];
    size_t len[3] = {0, 0, 0}, k = 0;
    for (size_t i = 1; i < size && k < 3; i++) {
        if (data[i] == 0)
            k++;
        else if (len[k] < sizeof part[k] - 1)
            part[k][len[k]++] = (char)data[i];
    }
    for (size_t j = 0; j < 3; j++)
        part[j][len[j]] = '\0';
    const char *subject = part[0], *body = part[1], *why = part[2];

    world w;
    world_open(&w);
    int first = 1;
    for (int kind = CHORUSACCT_MAIL_SUMMARY;
         kind <= CHORUSACCT_MAIL_CONFIRM_REQUEST; kind++) {
        int reason = 0;
        int rc = chorusacct_ctx_set_template(w.ctx, kind, lang, subject, body,
                                             &reason);
        if (rc != CHORUSACCT_OK &&
            (rc != CHORUSACCT_E_REJECTED || reason != CHORUSACCT_E_TEMPLATE))
            abort();
        if (kind != CHORUSACCT_MAIL_SUMMARY && (rc == CHORUSACCT_OK) != first)
            abort();
        first = rc == CHORUSACCT_OK;
    }
    if (!first) {
        if (plain(subject, true) && plain(body, false))
            abort();
        world_close(&w);
        return 0;
    }
    check_accepted(subject, true);
    check_accepted(body, false);

    /* A principal: summary, activation. */
    int64_t boss = signup(&w, "boss@acme.fr", "73282932000074", lang);
    deliver(&w);
    if (boss != 0) {
        char link[1200];
        size_t n;
        int lr = chorusacct_testmailer_last_link(w.cm, "boss@acme.fr", link,
                                                 sizeof link, &n);
        if (lr == CHORUSACCT_E_NOTFOUND) {
            /* The activation text did not fit: it must be a dead letter. */
            if (!any_dead(&w))
                abort();
            check_mails(&w);
            world_close(&w);
            return 0;
        }
        must(lr);
        const char *token = strstr(link, "token=");
        if (token == NULL)
            abort();
        int reason = 0;
        must(activation_submit(w.ctx, token + 6, PW, strlen(PW), PW, strlen(PW),
                               NULL, NULL, NULL, &reason));
        /* Applicants: approval requests, a rejection, an approval. */
        int64_t no = signup(&w, "no@acme.fr", "73282932000074", lang);
        int64_t yes = signup(&w, "yes@acme.fr", "73282932000074", lang);
        deliver(&w);
        if ((no != 0 && !confirm_request(&w, "no@acme.fr")) ||
            (yes != 0 && !confirm_request(&w, "yes@acme.fr"))) {
            if (!any_dead(&w))
                abort();
            check_mails(&w);
            world_close(&w);
            return 0;
        }
        if (no != 0) {
            int rc = chorusacct_account_reject(w.ctx, boss, no, why, &reason);
            if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_CAPACITY &&
                rc != CHORUSACCT_E_REJECTED)
                abort();
        }
        if (yes != 0) {
            int rc = chorusacct_account_approve(w.ctx, boss, yes, &reason);
            if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_CAPACITY)
                abort();
        }
        /* A known address, in enumeration-safe mode. */
        (void)signup(&w, "boss@acme.fr", "40483304800022", lang);
    }
    /* Another principal, who asks for a new link. */
    if (signup(&w, "late@beta.fr", "40483304800022", lang) != 0) {
        deliver(&w);
        chorusacct_testclock_advance(w.ck, 120);
        int reason = 0;
        int rc =
            chorusacct_activation_resend(w.ctx, "late@beta.fr", NULL, &reason);
        if (rc != CHORUSACCT_OK && rc != CHORUSACCT_E_CAPACITY)
            abort();
    }
    deliver(&w);
    check_mails(&w);
    world_close(&w);
    return 0;
}
