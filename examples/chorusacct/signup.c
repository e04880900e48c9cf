/*
 * Before an account exists: chorusacct captcha, signup and lookup.
 */
#include "tool.h"

#include <string.h>

/* An identifier type by its API code (SIRET...) or its number (1-7). */
static bool id_type_of(const char *s, int *type)
{
    int64_t n;
    if (chorusacct_identifier_from_name(type, s) == CHORUSACCT_OK ||
        (tool_parse_i64(s, &n) && n > 0 && n < 100 &&
         chorusacct_identifier_from_number(type, (int)n) == CHORUSACCT_OK))
        return true;
    fprintf(stderr,
            "chorusacct: unknown identifier type %s (SIRET, "
            "UE_HORS_FRANCE, HORS_UE, RIDET, TAHITI, AUTRE, "
            "PARTICULIER, or 1 to 7)\n",
            s);
    return false;
}

/* ------------------------------------------------------------------ */
/* captcha                                                              */

static struct {
    const char *client;
} captcha_opt;

static const tool_option captcha_options[] = {
    {"client", .value = &captcha_opt.client},
    {0},
};

static int run_captcha(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason = 0;
    int rc = chorusacct_captcha_issue(t->ctx, captcha_opt.client, id, sizeof id,
                                      text, sizeof text, &reason);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, reason);
    printf("id: %s\ntext: %s\n", id, text);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_captcha = {"captcha", TOOL_FLOW, captcha_options,
                                       run_captcha};

/* ------------------------------------------------------------------ */
/* signup                                                               */

static struct signup_opts {
    const char *login_email, *first_name, *last_name, *phone, *contact_email,
        *id_type, *id, *company_name, *captcha, *client;
    int accept_terms;
} signup_opt;

static const tool_option signup_options[] = {
    {"login-email", .value = &signup_opt.login_email},
    {"first-name", .value = &signup_opt.first_name},
    {"last-name", .value = &signup_opt.last_name},
    {"phone", .value = &signup_opt.phone},
    {"contact-email", .value = &signup_opt.contact_email},
    {"id-type", .value = &signup_opt.id_type},
    {"id", .value = &signup_opt.id},
    {"company-name", .value = &signup_opt.company_name},
    {"accept-terms", .flag = &signup_opt.accept_terms},
    {"captcha", .value = &signup_opt.captcha},
    {"client", .value = &signup_opt.client},
    {0},
};

static int run_signup(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    const struct signup_opts *o = &signup_opt;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    int type = 0;
    if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK ||
        !tool_need(o->id_type, "--id-type") || !id_type_of(o->id_type, &type))
        return EXIT_USAGE;
    char captcha_id[CHORUSACCT_CAPTCHA_ID_SIZE] = "";
    const char *answer = NULL;
    if (o->captcha != NULL) {
        const char *colon = strchr(o->captcha, ':');
        size_t n = colon != NULL ? (size_t)(colon - o->captcha) : 0;
        if (colon == NULL || n >= sizeof captcha_id) {
            fprintf(stderr, "chorusacct: --captcha takes ID:ANSWER\n");
            return EXIT_USAGE;
        }
        memcpy(captcha_id, o->captcha, n);
        captcha_id[n] = '\0';
        answer = colon + 1;
    }
    f.login_email = o->login_email;
    f.first_name = o->first_name;
    f.last_name = o->last_name;
    f.phone = o->phone;
    f.contact_email = o->contact_email;
    f.id_type = type;
    f.identifier = o->id;
    f.company_name = o->company_name;
    f.accept_terms = o->accept_terms;
    f.captcha_id = captcha_id;
    f.captcha_answer = answer;
    f.client_key = o->client;
    f.lang = t->o.lang;
    int rc = chorusacct_signup_submit(t->ctx, &f, &r);
    if (rc == CHORUSACCT_E_REJECTED) {
        for (uint32_t i = 0; i < r.nerrors; i++)
            printf("%s\t%s\t%s\n", chorusacct_field_name(r.errors[i].field),
                   chorusacct_status_name(r.errors[i].code),
                   tool_msg(t, r.errors[i].code));
        return EXIT_REFUSED;
    }
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, 0);
    tool_print_account_state(r.account_id, r.state);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_signup = {"signup", TOOL_FLOW, signup_options,
                                      run_signup};

/* ------------------------------------------------------------------ */
/* lookup                                                               */

static struct {
    const char *id_type, *id;
} lookup_opt;

static const tool_option lookup_options[] = {
    {"id-type", .value = &lookup_opt.id_type},
    {"id", .value = &lookup_opt.id},
    {0},
};

static int run_lookup(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    int type, declared = 0, reason = 0;
    chorusacct_structure s = {.struct_size = sizeof s};
    if (!tool_need(lookup_opt.id_type, "--id-type") ||
        !tool_need(lookup_opt.id, "--id") ||
        !id_type_of(lookup_opt.id_type, &type))
        return EXIT_USAGE;
    int rc = chorusacct_structure_lookup(t->ctx, type, lookup_opt.id, &declared,
                                         &s, &reason);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, reason);
    printf("declared: %s\n", declared ? "yes" : "no");
    if (!declared)
        return EXIT_SUCCESS;
    /* Nothing of the principal manager's account but its id: its state
     * would tell
     * when a structure's first declarer is late to activate (docs/flow.md,
     * "A structure's first declarer"). Texts escaped (tool_put_kv). */
    char name[TOOL_NAME_SIZE];
    printf("structure: %lld\n", (long long)s.id);
    tool_put_kv(
        "id_type",
        tool_name(name, chorusacct_identifier_name(s.id_type), s.id_type));
    tool_put_kv("identifier", s.identifier);
    tool_put_kv("company_name", s.company_name[0] ? s.company_name : "-");
    printf("principal: %lld\n", (long long)s.principal_id);
    printf("hint: %s\n",
           t->o.lang == CHORUSACCT_LANG_FR
               ? "Cette structure existe : votre demande devra être "
                 "approuvée par son gestionnaire principal."
               : "This structure exists: your request will need the "
                 "approval of its principal manager.");
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_lookup = {"lookup", TOOL_FLOW, lookup_options,
                                      run_lookup};
