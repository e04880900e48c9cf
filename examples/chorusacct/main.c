/*
 * chorusacct: command-line tool over the public API of libchorusacct.
 *
 * `chorusacct --help` lists the commands. The flow's commands work on an
 * SQLite database (--db, default chorusacct.db); their output is made for
 * people and scripts alike: records as `key: value` lines, lists as
 * tab-separated columns, states by their machine names.
 *
 * This file holds the command table, finds the command in argv and runs
 * it; each command parses only the options it takes (tool.h).
 */
#include "tool.h"

#include <string.h>

/* In the order of the help. */
static const tool_command *const commands[] = {
    &tool_cmd_validate, &tool_cmd_version,     &tool_cmd_signup,
    &tool_cmd_captcha,  &tool_cmd_lookup,      &tool_cmd_approve,
    &tool_cmd_reject,   &tool_cmd_check_token, &tool_cmd_confirm,
    &tool_cmd_activate, &tool_cmd_resend,      &tool_cmd_disable,
    &tool_cmd_enable,   &tool_cmd_unlock,      &tool_cmd_show,
    &tool_cmd_list,     &tool_cmd_audit,       &tool_cmd_deliver,
    &tool_cmd_outbox,   &tool_cmd_sweep,       &tool_cmd_states,
    &tool_cmd_config,   &tool_cmd_demo,
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

void tool_usage(FILE *f)
{
    fputs(
        "usage: chorusacct [OPTIONS] COMMAND [ARGS]\n"
        "\n"
        "Checks:\n"
        "  validate KIND < values     one OK<TAB>normalized or ERR<TAB>CODE"
        " per line\n"
        "  version\n"
        "\n"
        "The flow, over an SQLite or PostgreSQL database:\n"
        "  signup --login-email E --first-name F --last-name L\n"
        "         [--phone P] [--contact-email E] --id-type T [--id V]\n"
        "         [--company-name N] --accept-terms [--captcha ID:ANSWER]\n"
        "  captcha                    issue a challenge: its id and text\n"
        "  lookup --id-type T --id V  is the structure declared, by whom\n"
        "  approve --by MANAGER ACCOUNT...\n"
        "  reject --by MANAGER --reason TEXT ACCOUNT\n"
        "  check-token < token        the token on stdin\n"
        "  confirm < token            a request to join (enumeration-safe\n"
        "                             mode): the mailed link's token\n"
        "  activate < lines           on stdin: the token, the password,\n"
        "                             its confirmation, one line each\n"
        "  resend --login-email E | resend --by MANAGER ACCOUNT\n"
        "  disable --by ACTOR [--reason TEXT] ACCOUNT\n"
        "  enable --by ACTOR ACCOUNT\n"
        "  unlock [--by MANAGER] ACCOUNT  lift its login lockouts\n"
        "  show ACCOUNT | list [--state S] | audit [ACCOUNT]\n"
        "  deliver [--maildir DIR | --smtp URL] [--from ADDRESS] [--max N]\n"
        "          URL: smtp://HOST[:PORT] (STARTTLS) or smtps://HOST[:PORT]\n"
        "          [--smtp-tls none|starttls|implicit] [--smtp-user NAME]\n"
        "          [--smtp-password-file FILE] [--smtp-ca FILE]; without\n"
        "          a file, the password is $CHORUSACCT_SMTP_PASSWORD\n"
        "  outbox | sweep | states [--dot]\n"
        "  config [set NAME VALUE]    settings kept in the database\n"
        "  demo                       the five steps on a fresh database\n"
        "\n"
        "Options:\n"
        "  --db FILE|URI              an SQLite file (chorusacct.db), or a\n"
        "                             postgresql:// URI (no password in it:\n"
        "                             ~/.pgpass or PGPASSFILE)\n"
        "  --secret-file FILE         key secret (32 bytes or 64 hex digits)\n"
        "                             outside the database; default\n"
        "                             $CHORUSACCT_SECRET_FILE\n"
        "  --lang fr|en               language of messages (en)\n"
        "  --now 2026-11-26T10:00:00Z replaces the clock (1970 to 9999)\n"
        "  --activation-url URL       with {token}\n"
        "  --client KEY               throttle key (a client address)\n"
        "  --enumeration-safe, --no-captcha, --strict (validate)\n"
        "  --SETTING VALUE            one of:",
        f);
    for (size_t i = 0; i < TOOL_NSETTINGS; i++)
        fprintf(f, "%s%s", i % 5 == 0 ? "\n      " : " ",
                tool_settings[i].name);
    fputs("\n\nValidate KIND:\n", f);
    tool_validate_usage(f);
}

/* The commands that only read the database (check-token writes only its
 * throttle counter, which a read-only file keeps in memory). */
static bool reads_only(const tool_command *cmd, int nargs)
{
    static const char *const readers[] = {"show",   "list",   "audit",
                                          "outbox", "lookup", "check-token"};
    for (size_t i = 0; i < sizeof readers / sizeof readers[0]; i++)
        if (strcmp(cmd->name, readers[i]) == 0)
            return true;
    return strcmp(cmd->name, "config") == 0 && nargs == 0;
}

static const tool_command *command_named(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

/* How --NAME is taken by the commands that take it (they agree). */
static int option_takes(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++) {
        int takes = tool_option_takes(commands[i], name);
        if (takes != TOOL_NOT_TAKEN)
            return takes;
    }
    return TOOL_NOT_TAKEN;
}

/* Options may stand before or after the command: the first word that is
 * not an option, nor the value of one, is the command. Returns 0 with
 * argv[*at] the command, 1 for --help, -1 for a usage error (an option no
 * command takes, a missing value, no command). */
static int find_command(int argc, char **argv, int *at)
{
    *at = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] != '-') {
            if (*at == 0)
                *at = i;
            continue;
        }
        if (strcmp(a, "--help") == 0)
            return 1;
        int takes = option_takes(a + 2);
        if (takes == TOOL_NOT_TAKEN ||
            (takes == TOOL_TAKES_VALUE && i + 1 >= argc)) {
            fprintf(stderr, "chorusacct: unknown or incomplete option %s\n", a);
            return -1;
        }
        if (takes == TOOL_TAKES_VALUE)
            i++;
    }
    return *at > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (chorusacct_init() != CHORUSACCT_OK) {
        fputs("chorusacct: cannot initialise the library\n", stderr);
        return EXIT_USAGE;
    }
    int at;
    int p = find_command(argc, argv, &at);
    if (p != 0) {
        tool_usage(p > 0 ? stdout : stderr);
        return p > 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }
    const tool_command *cmd = command_named(argv[at]);
    if (cmd == NULL) {
        fprintf(stderr, "chorusacct: unknown command %s\n", argv[at]);
        tool_usage(stderr);
        return EXIT_USAGE;
    }
    tool t;
    tool_init(&t);
    char **args;
    int nargs;
    if (!tool_parse_options(cmd, argc, argv, at, &t, &args, &nargs)) {
        tool_usage(stderr);
        return EXIT_USAGE;
    }
    if (!(cmd->shared & TOOL_DB))
        return cmd->run(&t, nargs, args);
    t.o.reads_only = reads_only(cmd, nargs);
    int st = tool_open(&t);
    if (st == EXIT_SUCCESS)
        st = cmd->run(&t, nargs, args);
    tool_close(&t);
    return st;
}
