/*
 * The shared part of the chorusacct tool: what every command group uses.
 *
 * The tool uses nothing that is not public, so it doubles as an example of
 * the API. main.c holds the command table and the help; common.c the
 * option parser, opening the database, printing and error reporting; each
 * other file one group of commands, each command with its own options.
 *
 * Exit status: 0 success, 1 refused input or refused transition, 2 usage
 * or system error. Errors go to standard error with their code and their
 * message in the chosen language (--lang fr|en).
 */
#ifndef CHORUSACCT_TOOL_H
#define CHORUSACCT_TOOL_H

/* getline() and mkdtemp(): every file of the tool includes this header
 * before any other. */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>
#include <chorusacct/testkit.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* ------------------------------------------------------------------ */
/* Options                                                              */

/* A flow setting, as --NAME VALUE or kept with `config set NAME VALUE`. */
typedef struct {
    const char *name;
    int opt; /* CHORUSACCT_OPT_... */
} tool_setting;

#define TOOL_NSETTINGS 20
extern const tool_setting tool_settings[TOOL_NSETTINGS];
/* The index of --NAME in tool_settings, or -1. */
int tool_setting_find(const char *name);

/* The options of the context, shared by the commands that open one;
 * strings point into argv. */
typedef struct {
    const char *db;
    int lang;
    int64_t now; /* when now_set; else the system's */
    bool now_set;
    const char *url;                  /* NULL: the library's default */
    int64_t settings[TOOL_NSETTINGS]; /* when its bit of settings_given */
    uint32_t settings_given;
    uint32_t config_flags, config_flags_set;
    /* --secret-file, else $CHORUSACCT_SECRET_FILE; NULL: the database's */
    const char *secret_file;
    /* A command that only reads: the database must exist already. */
    bool reads_only;
} tool_options;

/* One option of a command's own: --NAME and where its value goes. Exactly
 * one of value, flag and count is set. */
typedef struct {
    const char *name;   /* without the leading "--" */
    const char **value; /* --NAME VALUE: VALUE, as given */
    int *flag;          /* --NAME alone: 1 */
    long *count;        /* --NAME N, N a positive number */
} tool_option;

/* The shared options a command takes besides its own. */
enum {
    TOOL_LANG = 1 << 0,    /* --lang */
    TOOL_CONTEXT = 1 << 1, /* --lang, --now, --activation-url,
                            * --enumeration-safe, --no-captcha, --SETTING */
    TOOL_DB = 1 << 2,      /* --db: main opens the database for run() */
    TOOL_FLOW = TOOL_DB | TOOL_CONTEXT, /* a command of the flow */
};

typedef struct tool tool;

typedef struct {
    const char *name;
    unsigned shared;            /* TOOL_LANG, TOOL_CONTEXT, TOOL_FLOW */
    const tool_option *options; /* its own, up to {0}; or NULL */
    /* argc, argv: the positional arguments after the command's name. */
    int (*run)(tool *t, int argc, char **argv);
} tool_command;

/* How a command takes --NAME (name without "--"). */
enum { TOOL_NOT_TAKEN, TOOL_TAKES_FLAG, TOOL_TAKES_VALUE };
int tool_option_takes(const tool_command *cmd, const char *name);

/* Parses the options of argv[1..argc) for cmd into t->o and cmd's own
 * option slots; every other word but argv[cmd_at] goes to args, *nargs of
 * them. Returns false on a usage error, said on standard error. */
bool tool_parse_options(const tool_command *cmd, int argc, char **argv,
                        int cmd_at, tool *t, char ***args, int *nargs);

/* main.c: the help, to stdout for --help, to stderr on a usage error. */
void tool_usage(FILE *f);

/* ------------------------------------------------------------------ */
/* The context                                                          */

struct tool {
    tool_options o;
    chorusacct_ctx *ctx;
    chorusacct_testclock *clock;
    chorusacct_testmailer *capture; /* demo only */
    chorusacct_storage_ops storage;
};

/* The defaults: chorusacct.db, English, no setting given. */
void tool_init(tool *t);
/* Opens t->o.db and the context over it, with the settings kept in the
 * database, then the command line's. Returns an exit status. */
int tool_open(tool *t);
void tool_close(tool *t);

/* Settings kept in the database, under "config.NAME". */
int tool_config_get(const tool *t, const char *name, int64_t *v);
int tool_config_set(const tool *t, const char *name, int64_t v);

/* ------------------------------------------------------------------ */
/* Errors, arguments, printing                                          */

const char *tool_msg(const tool *t, int code);
/* A refusal or a failure, on standard error; returns the exit status. */
int tool_report(const tool *t, int rc, int reason);
/* The same about account `id`, named first (a command that decides on
 * several accounts). */
int tool_report_account(const tool *t, int64_t id, int rc, int reason);

/* parse.c: a whole number, digits with an optional minus and nothing
 * else (no space, no plus). */
bool tool_parse_i64(const char *s, int64_t *out);
/* The value of tool_settings[k]: a whole number in the library's range
 * (chorusacct_option_range()); says so on standard error when it is
 * not. */
bool tool_parse_setting(size_t k, const char *s, int64_t *out);
/* The latest time the library takes from a clock: 9999-12-31T23:59:59Z. */
#define TOOL_TIME_MAX INT64_C(253402300799)
/* parse.c: a real time, YYYY-MM-DDTHH:MM:SS then Z or +HH:MM or -HH:MM
 * (offsets up to 23:59), from 1970 to 9999 (0 to TOOL_TIME_MAX once at
 * UTC); false for anything else (2026-02-31, hour 24, second 60). */
bool tool_parse_time(const char *s, int64_t *out);
/* An account id (> 0); says so on standard error when it is not. */
bool tool_parse_id(const char *s, int64_t *id);
/* A required option: says so on standard error when it is missing. */
bool tool_need(const char *value, const char *option);
/* A required option that is an account id (--by). */
bool tool_need_id(const char *value, const char *option, int64_t *id);

/* ISO 8601 UTC, or "-" for 0. */
void tool_format_time(int64_t t, char *buf, size_t cap);
/* account<TAB>ID<TAB>STATE */
void tool_print_account_state(int64_t id, int state);

/*
 * Text read from storage, as it is printed: escaped, so that whatever a
 * field holds (a line break, a tab, a terminal escape, bytes that are not
 * UTF-8) it stays one field of one line (docs/tool.md, "Output"): `\\`
 * for a backslash, `\t`, `\n`, `\r`, `\xHH` for another C0 control, DEL
 * or a byte that is not UTF-8, `\uHHHH` for a C1 control, U+2028 and
 * U+2029; everything else as it is.
 */
void tool_put_text(FILE *f, const char *s);
/* One field of a tab-separated line, escaped ("-" when empty), then
 * `end` ('\t' or '\n'). */
void tool_put_field(const char *s, char end);
/* A "key: value" line, the value escaped. */
void tool_put_kv(const char *key, const char *value);

/* The name a getter gave for `value`, or "unknown(VALUE)" when the getter
 * does not know it (a tampered or newer database); `buf` holds
 * TOOL_NAME_SIZE bytes. Never NULL. */
enum { TOOL_NAME_SIZE = 24 };
const char *tool_name(char *buf, const char *name, int value);

/* parse.c: what reading a secret gave. */
enum {
    TOOL_LINE_OK = 0,
    TOOL_LINE_END,  /* end of input before any byte; no such variable */
    TOOL_LINE_LONG, /* does not fit in cap - 1 bytes */
    TOOL_LINE_ERROR /* read(2) failed */
};
/* Reads one line of `fd` with read(2), no stdio buffer, into buf (cap
 * bytes): every byte up to the line end, NUL bytes included, without the
 * line end (\n, or \r\n), then a NUL; *len the bytes read. buf is wiped
 * unless TOOL_LINE_OK. */
int tool_read_secret_line(int fd, char *buf, size_t cap, size_t *len);
/* Copies the environment variable `name` into buf, then wipes the
 * environment's own string in place and unsets it: TOOL_LINE_OK,
 * TOOL_LINE_END (not set) or TOOL_LINE_LONG (wiped all the same). */
int tool_take_env_secret(const char *name, char *buf, size_t cap, size_t *len);
/* Zeroes a buffer that held a secret (sodium_memzero). */
void tool_wipe(void *buf, size_t cap);

/* common.c: --db names a PostgreSQL database (a postgresql:// or
 * postgres:// URI), else an SQLite file; whether a URI holds a password. */
bool tool_db_is_postgres(const char *db);
bool tool_uri_has_password(const char *uri);

/* activation.c: fills the activation form of `token` and submits it. */
int tool_activate(tool *t, const char *token, const char *pw, size_t pw_len,
                  const char *confirm, size_t confirm_len,
                  const char *client_key, int64_t *id, uint32_t *failed,
                  int *reason);

/* account.c: the accounts, one line each (list, and demo's last step). */
int tool_list_accounts(tool *t, const char *state);

/* validate.c: the KIND lines of the help. */
void tool_validate_usage(FILE *f);

/* ------------------------------------------------------------------ */
/* The commands, by group                                               */

extern const tool_command tool_cmd_validate;                 /* validate.c */
extern const tool_command tool_cmd_captcha, tool_cmd_signup, /* signup.c */
    tool_cmd_lookup;
extern const tool_command tool_cmd_approve, tool_cmd_reject; /* decide.c */
extern const tool_command tool_cmd_check_token,
    tool_cmd_confirm, /* activation.c */
    tool_cmd_activate, tool_cmd_resend;
extern const tool_command tool_cmd_disable, tool_cmd_enable, /* account.c */
    tool_cmd_unlock, tool_cmd_show, tool_cmd_list, tool_cmd_audit;
extern const tool_command tool_cmd_deliver, tool_cmd_outbox; /* outbox.c */
extern const tool_command tool_cmd_sweep, tool_cmd_states,   /* admin.c */
    tool_cmd_config, tool_cmd_version;
extern const tool_command tool_cmd_demo; /* demo.c */

#endif
