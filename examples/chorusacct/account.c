/*
 * Accounts that exist: chorusacct disable, enable, show, list and audit.
 */
#include "tool.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* disable, enable                                                      */

static int set_enabled(tool *t, const char *by_text, const char *reason_text,
                       bool enable, int argc, char **argv)
{
    int64_t by, id;
    if (!tool_need_id(by_text, "--by", &by) || argc != 1 ||
        !tool_parse_id(argv[0], &id))
        return EXIT_USAGE;
    int reason = 0;
    int rc = enable ? chorusacct_account_enable(t->ctx, by, id, &reason)
                    : chorusacct_account_disable(t->ctx, by, id, reason_text,
                                                 &reason);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, reason);
    tool_print_account_state(id, enable ? CHORUSACCT_STATE_ACTIVE
                                        : CHORUSACCT_STATE_DISABLED);
    return EXIT_SUCCESS;
}

static struct {
    const char *by, *reason;
} disable_opt;

static const tool_option disable_options[] = {
    {"by", .value = &disable_opt.by},
    {"reason", .value = &disable_opt.reason},
    {0},
};

static int run_disable(tool *t, int argc, char **argv)
{
    return set_enabled(t, disable_opt.by, disable_opt.reason, false, argc,
                       argv);
}

const tool_command tool_cmd_disable = {"disable", TOOL_FLOW, disable_options,
                                       run_disable};

static struct {
    const char *by;
} enable_opt;

static const tool_option enable_options[] = {
    {"by", .value = &enable_opt.by},
    {0},
};

static int run_enable(tool *t, int argc, char **argv)
{
    return set_enabled(t, enable_opt.by, NULL, true, argc, argv);
}

const tool_command tool_cmd_enable = {"enable", TOOL_FLOW, enable_options,
                                      run_enable};

/* ------------------------------------------------------------------ */
/* unlock                                                               */

static struct {
    const char *by;
} unlock_opt;

static const tool_option unlock_options[] = {
    {"by", .value = &unlock_opt.by},
    {0},
};

/* Lifts the login lockouts of an account's address: as a manager of its
 * structure (--by), or as the operator. */
static int run_unlock(tool *t, int argc, char **argv)
{
    int64_t by = 0, id;
    if ((unlock_opt.by != NULL && !tool_need_id(unlock_opt.by, "--by", &by)) ||
        argc != 1 || !tool_parse_id(argv[0], &id))
        return EXIT_USAGE;
    int reason = 0;
    int rc = unlock_opt.by != NULL
                 ? chorusacct_login_unlock_by(t->ctx, by, id, &reason)
                 : chorusacct_login_unlock(t->ctx, id, &reason);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, reason);
    printf("account\t%lld\tunlocked\n", (long long)id);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_unlock = {"unlock", TOOL_FLOW, unlock_options,
                                      run_unlock};

/* ------------------------------------------------------------------ */
/* show                                                                 */

/* Every text from storage is escaped (tool_put_kv): one key a line,
 * whatever a field holds. */
static void print_account(const tool *t, const chorusacct_account *a)
{
    char time[32], name[TOOL_NAME_SIZE];
    printf("id: %lld\n", (long long)a->id);
    tool_put_kv("state",
                tool_name(name, chorusacct_state_name(a->state), a->state));
    tool_put_kv("state_label", chorusacct_state_label(a->state, t->o.lang));
    tool_put_kv("login_email", a->login_email);
    tool_put_kv("contact_email", a->contact_email);
    tool_put_kv("first_name", a->first_name);
    tool_put_kv("last_name", a->last_name);
    tool_put_kv("phone", a->phone[0] ? a->phone : "-");
    printf("structure: %lld\n", (long long)a->structure_id);
    tool_put_kv("role", a->role ? tool_name(name, chorusacct_role_name(a->role),
                                            a->role)
                                : "-");
    if (a->lang == CHORUSACCT_LANG_FR || a->lang == CHORUSACCT_LANG_EN) {
        tool_put_kv("lang", a->lang == CHORUSACCT_LANG_FR ? "fr" : "en");
    } else {
        snprintf(name, sizeof name, "unknown(%d)", (int)a->lang);
        tool_put_kv("lang", name);
    }
    tool_put_kv("terms_version", a->terms_version);
    tool_format_time(a->created_at, time, sizeof time);
    tool_put_kv("created_at", time);
    tool_format_time(a->updated_at, time, sizeof time);
    tool_put_kv("updated_at", time);
    tool_format_time(a->expires_at, time, sizeof time);
    tool_put_kv("expires_at", time);
    tool_format_time(a->activated_at, time, sizeof time);
    tool_put_kv("activated_at", time);
    printf("version: %lld\n", (long long)a->version);
    if (a->decided_by)
        printf("decided_by: %lld\n", (long long)a->decided_by);
    if (a->reason[0])
        tool_put_kv("reason", a->reason);
}

static int run_show(tool *t, int argc, char **argv)
{
    int64_t id;
    if (argc != 1 || !tool_parse_id(argv[0], &id))
        return EXIT_USAGE;
    chorusacct_account a = {.struct_size = sizeof a};
    int rc = chorusacct_account_get(t->ctx, id, &a);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, 0);
    print_account(t, &a);
    chorusacct_structure s = {.struct_size = sizeof s};
    if (a.structure_id != 0 &&
        chorusacct_structure_get(t->ctx, a.structure_id, &s) == CHORUSACCT_OK) {
        char name[TOOL_NAME_SIZE];
        tool_put_kv(
            "id_type",
            tool_name(name, chorusacct_identifier_name(s.id_type), s.id_type));
        tool_put_kv("identifier", s.identifier[0] ? s.identifier : "-");
        tool_put_kv("company_name", s.company_name[0] ? s.company_name : "-");
    }
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_show = {"show", TOOL_FLOW, NULL, run_show};

/* ------------------------------------------------------------------ */
/* list                                                                 */

int tool_list_accounts(tool *t, const char *state)
{
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    if (state != NULL &&
        chorusacct_state_from_name(&q.state, state) != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: unknown state %s\n", state);
        return EXIT_USAGE;
    }
    chorusacct_account *page = calloc(64, sizeof *page);
    if (page == NULL)
        return EXIT_USAGE;
    page[0].struct_size = (uint32_t)sizeof *page; /* the stride */
    size_t n;
    int rc;
    do {
        rc = chorusacct_account_list(t->ctx, &q, page, 64, &n);
        for (size_t i = 0; rc == CHORUSACCT_OK && i < n; i++) {
            const chorusacct_account *a = &page[i];
            char name[TOOL_NAME_SIZE];
            printf("%lld\t", (long long)a->id);
            tool_put_field(
                tool_name(name, chorusacct_state_name(a->state), a->state),
                '\t');
            tool_put_field(a->login_email, '\t');
            tool_put_field(
                a->role
                    ? tool_name(name, chorusacct_role_name(a->role), a->role)
                    : "-",
                '\t');
            printf("%lld\n", (long long)a->structure_id);
            q.after_id = page[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == 64);
    free(page);
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : tool_report(t, rc, 0);
}

static struct {
    const char *state;
} list_opt;

static const tool_option list_options[] = {
    {"state", .value = &list_opt.state},
    {0},
};

static int run_list(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    return tool_list_accounts(t, list_opt.state);
}

const tool_command tool_cmd_list = {"list", TOOL_FLOW, list_options, run_list};

/* ------------------------------------------------------------------ */
/* audit                                                                */

static int run_audit(tool *t, int argc, char **argv)
{
    int64_t id = 0, after = 0;
    if (argc > 1 || (argc == 1 && !tool_parse_id(argv[0], &id)))
        return EXIT_USAGE;
    chorusacct_event *ev = calloc(64, sizeof *ev);
    if (ev == NULL)
        return EXIT_USAGE;
    ev[0].struct_size = (uint32_t)sizeof *ev; /* the stride */
    size_t n;
    int rc;
    do {
        rc = chorusacct_event_list(t->ctx, id, after, ev, 64, &n);
        for (size_t i = 0; rc == CHORUSACCT_OK && i < n; i++) {
            char when[32];
            tool_format_time(ev[i].time, when, sizeof when);
            const chorusacct_event *e = &ev[i];
            char name[TOOL_NAME_SIZE];
            printf("%s\t%lld\t", when, (long long)e->account_id);
            tool_put_field(
                tool_name(name, chorusacct_event_name(e->type), e->type), '\t');
            /* State 0: the account was created or purged. */
            tool_put_field(e->from_state
                               ? tool_name(name,
                                           chorusacct_state_name(e->from_state),
                                           e->from_state)
                               : "-",
                           '\t');
            tool_put_field(e->to_state
                               ? tool_name(name,
                                           chorusacct_state_name(e->to_state),
                                           e->to_state)
                               : "-",
                           '\t');
            printf("%lld\t", (long long)e->actor_id);
            tool_put_field(e->reason, '\n');
            after = ev[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == 64);
    free(ev);
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : tool_report(t, rc, 0);
}

const tool_command tool_cmd_audit = {"audit", TOOL_FLOW, NULL, run_audit};
