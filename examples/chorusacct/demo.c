/*
 * chorusacct demo: the five steps of the flow on a fresh database in a
 * temporary folder, with the e-mails captured and printed.
 */
#include "tool.h"

#include <string.h>
#include <chorusacct/testkit.h>

static void demo_step(const char *title)
{
    printf("\n== %s\n", title);
}

static void demo_print_mails(tool *t, size_t *seen)
{
    size_t n = chorusacct_testmailer_count(t->capture);
    for (; *seen < n; (*seen)++) {
        const chorusacct_mail *m = chorusacct_testmailer_at(t->capture, *seen);
        printf("\n  --- e-mail (%s) to %s\n  Subject: %s\n\n",
               chorusacct_mail_kind_name(m->kind), m->to, m->subject);
        const char *p = m->body;
        while (*p != '\0') {
            const char *eol = strchr(p, '\n');
            size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
            printf("  | %.*s\n", (int)len, p);
            p += len + (eol != NULL);
        }
    }
}

static int demo_fail(tool *t, const char *what, int rc, int reason)
{
    fprintf(stderr, "demo: %s failed\n", what);
    int st = tool_report(t, rc, reason);
    tool_close(t);
    return st;
}

static int demo_signup(tool *t, const char *email, const char *first,
                       const char *last, const char *siret,
                       chorusacct_signup_result *r)
{
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason = 0;
    int rc = chorusacct_captcha_issue(t->ctx, "127.0.0.1", id, sizeof id, text,
                                      sizeof text, &reason);
    if (rc != CHORUSACCT_OK) {
        tool_report(t, rc, reason);
        return rc;
    }
    printf("  captcha shown: %s; typed back in lower case (accepted)\n", text);
    for (char *c = text; *c != '\0'; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    chorusacct_signup f;
    rc = chorusacct_signup_init(&f, sizeof f);
    f.login_email = email;
    f.first_name = first;
    f.last_name = last;
    f.phone = "06 12 34 56 78";
    f.accept_terms = 1;
    f.id_type = CHORUSACCT_ID_SIRET;
    f.identifier = siret;
    f.captcha_id = id;
    f.captcha_answer = text;
    f.client_key = "127.0.0.1";
    f.lang = t->o.lang;
    r->struct_size = sizeof *r;
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_signup_submit(t->ctx, &f, r);
    if (rc != CHORUSACCT_OK) {
        tool_report(t, rc, r->nerrors ? r->errors[0].code : 0);
        return rc;
    }
    printf("  account %lld: %s\n", (long long)r->account_id,
           chorusacct_state_name(r->state));
    return CHORUSACCT_OK;
}

static int demo_deliver(tool *t, size_t *seen)
{
    chorusacct_delivery d = {.struct_size = sizeof d};
    int rc = chorusacct_outbox_deliver(t->ctx, 100, &d);
    if (rc == CHORUSACCT_OK) {
        printf("  %u e-mails sent:\n", d.sent);
        demo_print_mails(t, seen);
    }
    return rc;
}

static int run_demo(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    char dir[] = "/tmp/chorusacct-demo-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("chorusacct: demo");
        return EXIT_USAGE;
    }
    char db[sizeof dir + 16];
    snprintf(db, sizeof db, "%s/demo.db", dir);
    t->o.db = db;
    int st = tool_open(t);
    if (st != EXIT_SUCCESS)
        return st;
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    if (chorusacct_testmailer_new(&t->capture) != CHORUSACCT_OK ||
        chorusacct_testmailer_ops(&ml, t->capture) != CHORUSACCT_OK ||
        chorusacct_ctx_set_mailer(t->ctx, &ml) != CHORUSACCT_OK)
        return demo_fail(t, "mailer", CHORUSACCT_E_NOMEM, 0);
    size_t seen = 0;
    const char *siret = "732 829 320 00074";
    printf("libchorusacct %s: the account-creation flow of Chorus Pro, on "
           "%s\n",
           chorusacct_version(), db);

    demo_step("1. \"Create an account\": is the structure known?");
    int declared = 0, reason = 0;
    int rc = chorusacct_structure_lookup(t->ctx, CHORUSACCT_ID_SIRET, siret,
                                         &declared, NULL, &reason);
    if (rc != CHORUSACCT_OK)
        return demo_fail(t, "lookup", rc, reason);
    printf("  SIRET %s declared: %s\n  hint under the field: %s\n", siret,
           declared ? "yes" : "no",
           chorusacct_identifier_hint(CHORUSACCT_ID_SIRET, t->o.lang));

    demo_step("2-4. Personal information, structure, captcha, \"Create my "
              "account\"");
    chorusacct_signup_result r = {.struct_size = sizeof r};
    if (demo_signup(t, "marie.curie@example.fr", "Marie", "Curie", siret, &r) !=
        CHORUSACCT_OK) {
        tool_close(t);
        return EXIT_USAGE;
    }
    int64_t marie = r.account_id;
    if ((rc = demo_deliver(t, &seen)) != CHORUSACCT_OK)
        return demo_fail(t, "delivery", rc, 0);

    demo_step("5. The link leads to setting a password");
    char link[512], *token;
    if (chorusacct_testmailer_last_link(t->capture, "marie.curie@example.fr",
                                        link, sizeof link,
                                        NULL) != CHORUSACCT_OK ||
        (token = strstr(link, "token=")) == NULL)
        return demo_fail(t, "finding the link", CHORUSACCT_E_NOTFOUND, 0);
    token += 6;
    chorusacct_token_info info = {.struct_size = sizeof info};
    rc = chorusacct_activation_lookup(t->ctx, token, NULL, &info, &reason);
    if (rc != CHORUSACCT_OK)
        return demo_fail(t, "token check", rc, reason);
    printf("  link opened (it consumes nothing): the account of %s %s\n",
           info.first_name, info.last_name);
    const char *weak = "marie1234567";
    uint32_t failed = 0;
    rc = tool_activate(t, token, weak, strlen(weak), weak, strlen(weak), NULL,
                       NULL, &failed, &reason);
    printf("  password \"%s\": %s\n", weak,
           rc == CHORUSACCT_OK ? "accepted" : tool_msg(t, reason));
    const char *pw = "Radium-et-Polonium-1898";
    rc = tool_activate(t, token, pw, strlen(pw), pw, strlen(pw), NULL, NULL,
                       &failed, &reason);
    if (rc != CHORUSACCT_OK)
        return demo_fail(t, "activation", rc, reason);
    printf("  password \"%s\": accepted; account %lld is %s\n", pw,
           (long long)marie, chorusacct_state_name(CHORUSACCT_STATE_ACTIVE));
    rc = tool_activate(t, token, pw, strlen(pw), pw, strlen(pw), NULL, NULL,
                       &failed, &reason);
    printf("  the same link again: %s\n", tool_msg(t, reason));

    demo_step("A second applicant for the same structure");
    rc = chorusacct_structure_lookup(t->ctx, CHORUSACCT_ID_SIRET, siret,
                                     &declared, NULL, &reason);
    printf("  SIRET %s declared: %s: the request will need the approval of "
           "its principal manager\n",
           siret, declared ? "yes" : "no");
    if (demo_signup(t, "pierre.curie@example.fr", "Pierre", "Curie", siret,
                    &r) != CHORUSACCT_OK) {
        tool_close(t);
        return EXIT_USAGE;
    }
    if ((rc = demo_deliver(t, &seen)) != CHORUSACCT_OK)
        return demo_fail(t, "delivery", rc, 0);

    demo_step("Final state (id, state, login, role, structure)");
    st = tool_list_accounts(t, NULL);
    printf("\n(database in %s; try: chorusacct --db %s approve --by %lld "
           "%lld)\n",
           dir, db, (long long)marie, (long long)r.account_id);
    tool_close(t);
    return st;
}

const tool_command tool_cmd_demo = {"demo", TOOL_CONTEXT, NULL, run_demo};
