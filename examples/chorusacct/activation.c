/*
 * The activation link: chorusacct check-token, confirm, activate and
 * resend.
 */
#include "tool.h"

#include <errno.h>
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

/* The token, from the first line of standard input: never from the
 * command line, where any local user sees it in ps. A line that cannot be
 * a token (too long, a NUL byte in it) is an invalid token; the end of
 * input, a usage error. Returns EXIT_SUCCESS with the token in buf, or
 * the exit status. */
static int read_token(tool *t, const char *cmd, char *buf, size_t cap)
{
    size_t len = 0;
    int st = tool_read_secret_line(0, buf, cap, &len);
    if (st == TOOL_LINE_OK && memchr(buf, '\0', len) != NULL) {
        tool_wipe(buf, cap);
        st = TOOL_LINE_LONG;
    }
    if (st == TOOL_LINE_LONG)
        return tool_report(t, CHORUSACCT_E_REJECTED,
                           CHORUSACCT_E_TOKEN_INVALID);
    if (st == TOOL_LINE_ERROR) {
        fprintf(stderr, "chorusacct: reading standard input: %s\n",
                strerror(errno));
        return EXIT_USAGE;
    }
    if (st == TOOL_LINE_END) {
        fprintf(stderr,
                "chorusacct: %s reads the token from standard input, on "
                "the first line\n",
                cmd);
        return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

/* A token on the command line: refused, before anything is read. */
static bool no_token_argument(const char *cmd, int argc, const char *opt)
{
    if (argc == 0 && opt == NULL)
        return true;
    fprintf(stderr,
            "chorusacct: %s takes the token on standard input, not on the "
            "command line (where other users see it in ps)\n",
            cmd);
    return false;
}

static int run_check_token(tool *t, int argc, char **argv)
{
    (void)argv;
    if (!no_token_argument("check-token", argc, NULL))
        return EXIT_USAGE;
    char token[128];
    int st = read_token(t, "check-token", token, sizeof token);
    if (st != EXIT_SUCCESS)
        return st;
    chorusacct_token_info info = {.struct_size = sizeof info};
    int reason = 0;
    int rc = chorusacct_activation_lookup(t->ctx, token, check_token_opt.client,
                                          &info, &reason);
    tool_wipe(token, sizeof token);
    if (rc == CHORUSACCT_OK || (rc == CHORUSACCT_E_REJECTED &&
                                (reason == CHORUSACCT_E_ALREADY_ACTIVE ||
                                 reason == CHORUSACCT_E_TOKEN_EXPIRED))) {
        char e[32];
        tool_format_time(info.expires_at, e, sizeof e);
        char nb[TOOL_NAME_SIZE];
        printf("account: %lld\n", (long long)info.account_id);
        tool_put_kv("state", tool_name(nb, chorusacct_state_name(info.state),
                                       info.state));
        tool_put_kv("login_email", info.login_email);
        /* The name, escaped as one field: "first last". */
        fputs("name: ", stdout);
        tool_put_text(stdout, info.first_name);
        fputc(' ', stdout);
        tool_put_text(stdout, info.last_name);
        printf("\nexpires_at: %s\nvalid: %s\n", e,
               rc == CHORUSACCT_OK ? "yes" : "no");
    }
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : tool_report(t, rc, reason);
}

const tool_command tool_cmd_check_token = {
    "check-token", TOOL_FLOW, check_token_options, run_check_token};

/* ------------------------------------------------------------------ */
/* confirm                                                              */

static struct {
    const char *client;
} confirm_opt;

static const tool_option confirm_options[] = {
    {"client", .value = &confirm_opt.client},
    {0},
};

/* A request to join (enumeration-safe mode) confirmed with the link
 * mailed to its login address: the token on standard input. */
static int run_confirm(tool *t, int argc, char **argv)
{
    (void)argv;
    if (!no_token_argument("confirm", argc, NULL))
        return EXIT_USAGE;
    char token[128];
    int st = read_token(t, "confirm", token, sizeof token);
    if (st != EXIT_SUCCESS)
        return st;
    int64_t id = 0;
    int reason = 0;
    int rc = chorusacct_request_confirm(t->ctx, token, confirm_opt.client, &id,
                                        &reason);
    tool_wipe(token, sizeof token);
    if (rc == CHORUSACCT_OK) {
        printf("account\t%lld\tpending_approval\n", (long long)id);
        return EXIT_SUCCESS;
    }
    return tool_report(t, rc, reason);
}

const tool_command tool_cmd_confirm = {"confirm", TOOL_FLOW, confirm_options,
                                       run_confirm};

/* ------------------------------------------------------------------ */
/* activate                                                             */

static struct {
    const char *token, *client;
} activate_opt;

/* --token is taken only to be refused with a clear message. */
static const tool_option activate_options[] = {
    {"token", .value = &activate_opt.token},
    {"client", .value = &activate_opt.client},
    {0},
};

/* The password lines: up to 1024 code points of 4 bytes, and a \r. */
#define PW_LINE 4200

static int run_activate(tool *t, int argc, char **argv)
{
    (void)argv;
    if (!no_token_argument("activate", argc, activate_opt.token))
        return EXIT_USAGE;
    /* The token, the password and its confirmation: three lines of
     * standard input, read without stdio and wiped after use. */
    static char token[128], pw[PW_LINE], confirm[PW_LINE];
    int st = read_token(t, "activate", token, sizeof token);
    if (st != EXIT_SUCCESS)
        return st;
    size_t pw_len = 0, confirm_len = 0;
    int line = 2;
    st = tool_read_secret_line(0, pw, sizeof pw, &pw_len);
    if (st == TOOL_LINE_OK) {
        line = 3;
        st = tool_read_secret_line(0, confirm, sizeof confirm, &confirm_len);
    }
    if (st != TOOL_LINE_OK) {
        tool_wipe(token, sizeof token);
        tool_wipe(pw, sizeof pw);
        if (st == TOOL_LINE_LONG)
            fprintf(stderr,
                    "chorusacct: line %d of standard input is longer than "
                    "any password (%d bytes)\n",
                    line, PW_LINE - 2);
        else if (st == TOOL_LINE_ERROR)
            fprintf(stderr, "chorusacct: reading standard input: %s\n",
                    strerror(errno));
        else
            fputs("chorusacct: activate reads three lines from standard "
                  "input: the token, the password, its confirmation\n",
                  stderr);
        return EXIT_USAGE;
    }
    int64_t id = 0;
    uint32_t failed = 0;
    int reason = 0;
    /* The bytes read, NUL bytes included: the library's policy refuses
     * them, and compares the confirmation over its whole length. */
    int rc = tool_activate(t, token, pw, pw_len, confirm, confirm_len,
                           activate_opt.client, &id, &failed, &reason);
    tool_wipe(token, sizeof token);
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
