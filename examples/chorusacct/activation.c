/*
 * The activation link: chorusacct check-token, activate and resend.
 */
#include "tool.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* check-token                                                          */

static struct {
    const char *client;
} check_token_opt;

static const tool_option check_token_options[] = {
    {"client", .value = &check_token_opt.client},
    {0},
};

int tool_activate(tool *t, const char *token, const char *pw, size_t pw_len,
                  const char *confirm, size_t confirm_len,
                  const char *client_key, int64_t *id, uint32_t *failed,
                  int *reason)
{
    chorusacct_activation f;
    int rc = chorusacct_activation_init(&f, sizeof f);
    if (rc != CHORUSACCT_OK)
        return rc;
    f.token = token;
    f.password = pw;
    f.password_len = pw_len;
    f.confirm = confirm;
    f.confirm_len = confirm_len;
    f.client_key = client_key;
    return chorusacct_activation_submit(t->ctx, &f, id, failed, reason);
}

static int run_check_token(tool *t, int argc, char **argv)
{
    if (argc != 1)
        return EXIT_USAGE;
    chorusacct_token_info info = {.struct_size = sizeof info};
    int reason = 0;
    int rc = chorusacct_activation_lookup(
        t->ctx, argv[0], check_token_opt.client, &info, &reason);
    if (rc == CHORUSACCT_OK || (rc == CHORUSACCT_E_REJECTED &&
                                (reason == CHORUSACCT_E_ALREADY_ACTIVE ||
                                 reason == CHORUSACCT_E_TOKEN_EXPIRED))) {
        char e[32];
        tool_format_time(info.expires_at, e, sizeof e);
        printf("account: %lld\nstate: %s\nlogin_email: %s\nname: %s %s\n"
               "expires_at: %s\nvalid: %s\n",
               (long long)info.account_id, chorusacct_state_name(info.state),
               info.login_email, info.first_name, info.last_name, e,
               rc == CHORUSACCT_OK ? "yes" : "no");
    }
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : tool_report(t, rc, reason);
}

const tool_command tool_cmd_check_token = {
    "check-token", TOOL_FLOW, check_token_options, run_check_token};

/* ------------------------------------------------------------------ */
/* activate                                                             */

static struct {
    const char *token, *client;
} activate_opt;

static const tool_option activate_options[] = {
    {"token", .value = &activate_opt.token},
    {"client", .value = &activate_opt.client},
    {0},
};

static int run_activate(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!tool_need(activate_opt.token, "--token"))
        return EXIT_USAGE;
    /* Never from the command line, where other users see it. */
    static char pw[4200], confirm[4200];
    size_t pw_len = 0, confirm_len = 0;
    if (!tool_read_secret_line(pw, sizeof pw, &pw_len) ||
        !tool_read_secret_line(confirm, sizeof confirm, &confirm_len)) {
        fputs("chorusacct: activate reads the password and its "
              "confirmation from standard input, one line each\n",
              stderr);
        return EXIT_USAGE;
    }
    int64_t id = 0;
    uint32_t failed = 0;
    int reason = 0;
    int rc =
        tool_activate(t, activate_opt.token, pw, pw_len, confirm, confirm_len,
                      activate_opt.client, &id, &failed, &reason);
    tool_wipe(pw, sizeof pw);
    tool_wipe(confirm, sizeof confirm);
    if (rc != CHORUSACCT_OK) {
        for (uint32_t bit = 1; bit != 0 && bit <= failed; bit <<= 1) {
            const char *text = chorusacct_password_rule_text(bit, t->o.lang);
            if ((failed & bit) && text[0] != '\0')
                printf("password\t%s\n", text);
        }
        return tool_report(t, rc, reason);
    }
    tool_print_account_state(id, CHORUSACCT_STATE_ACTIVE);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_activate = {"activate", TOOL_FLOW, activate_options,
                                        run_activate};

/* ------------------------------------------------------------------ */
/* resend                                                               */

static struct {
    const char *login_email, *by, *client;
} resend_opt;

static const tool_option resend_options[] = {
    {"login-email", .value = &resend_opt.login_email},
    {"by", .value = &resend_opt.by},
    {"client", .value = &resend_opt.client},
    {0},
};

static int run_resend(tool *t, int argc, char **argv)
{
    int reason = 0, rc;
    if (resend_opt.by != NULL) {
        int64_t by, id;
        if (!tool_parse_id(resend_opt.by, &by) || argc != 1 ||
            !tool_parse_id(argv[0], &id))
            return EXIT_USAGE;
        rc = chorusacct_activation_resend_by(t->ctx, by, id, &reason);
    } else {
        if (!tool_need(resend_opt.login_email, "--login-email"))
            return EXIT_USAGE;
        rc = chorusacct_activation_resend(t->ctx, resend_opt.login_email,
                                          resend_opt.client, &reason);
    }
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, reason);
    puts(t->o.lang == CHORUSACCT_LANG_FR
             ? "resent: si un compte attend cette adresse, un nouveau lien "
               "part."
             : "resent: if an account waits for this address, a new link "
               "is on its way.");
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_resend = {"resend", TOOL_FLOW, resend_options,
                                      run_resend};
