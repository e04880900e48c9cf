/*
 * chorusacct: command-line tool over the public API of libchorusacct.
 *
 * It uses nothing that is not public, so it doubles as an example of the
 * API. `chorusacct --help` lists the commands. The flow's commands work on
 * an SQLite database (--db, default chorusacct.db); their output is made
 * for people and scripts alike: records as `key: value` lines, lists as
 * tab-separated columns, states by their machine names.
 *
 * Exit status: 0 success, 1 refused input or refused transition, 2 usage
 * or system error. Errors go to standard error with their code and their
 * message in the chosen language (--lang fr|en).
 */
#define _POSIX_C_SOURCE 200809L

#include <chorusacct.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* ------------------------------------------------------------------ */
/* validate                                                             */

typedef int (*check_fn)(const char *in, size_t len, uint32_t flags,
                        char *buf, size_t cap, size_t *len_out,
                        int *reason);

typedef struct {
    const char *name;
    check_fn check;
    const char *what;
} validate_kind;

/* The password policy in the validators' shape, for the table. Its
 * results print as OK alone: the tool never echoes a password. */
static int check_password(const char *in, size_t len, uint32_t flags,
                          char *buf, size_t cap, size_t *len_out,
                          int *reason)
{
    (void)flags;
    if (cap > 0)
        buf[0] = '\0';
    *len_out = 0;
    return chorusacct_password_check(in, len, NULL, NULL, reason);
}

static const validate_kind kinds[] = {
    {"siren", chorusacct_siren_check, "SIREN (9 digits)"},
    {"siret", chorusacct_siret_check, "SIRET (14 digits)"},
    {"tva", chorusacct_vat_fr_check, "French VAT number"},
    {"vat", chorusacct_vat_check, "EU VAT number, any member state"},
    {"ridet", chorusacct_ridet_check, "RIDET (New Caledonia)"},
    {"tahiti", chorusacct_tahiti_check, "TAHITI number (French Polynesia)"},
    {"hors-ue", chorusacct_hors_ue_check, "identifier outside the EU"},
    {"phone", chorusacct_phone_check, "phone number (France by default)"},
    {"email", chorusacct_email_check, "e-mail address"},
    {"name", chorusacct_name_check, "first or last name (UTF-8)"},
    {"password", check_password, "password policy (prints OK, never the "
                                 "password)"},
};

/* Reads values one per line and writes one line per value, in order:
 * OK<TAB>normalized (OK alone for passwords) or ERR<TAB>CODE. */
static int cmd_validate(const validate_kind *kind, uint32_t flags)
{
    static char out_buf[1 << 16];
    char norm[1024];
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    int status = EXIT_SUCCESS;

    setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
    while ((got = getline(&line, &line_cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if (len > 0 && line[len - 1] == '\r')
            len--;
        size_t n = 0;
        int reason = CHORUSACCT_OK;
        int rc = kind->check(line, len, flags, norm, sizeof norm, &n,
                             &reason);
        if (rc == CHORUSACCT_OK) {
            fputs("OK", stdout);
            if (kind->check != check_password) {
                putchar('\t');
                fwrite(norm, 1, n, stdout);
            }
            putchar('\n');
        } else {
            fputs("ERR\t", stdout);
            fputs(chorusacct_status_name(rc == CHORUSACCT_E_REJECTED ? reason
                                                                   : rc),
                  stdout);
            putchar('\n');
            status = EXIT_REFUSED;
        }
    }
    free(line);
    if (ferror(stdin)) {
        fprintf(stderr, "chorusacct: reading standard input: %s\n",
                strerror(errno));
        return EXIT_USAGE;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "chorusacct: writing: %s\n", strerror(errno));
        return EXIT_USAGE;
    }
    return status;
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

typedef struct {
    const char *name;
    int opt;
} setting_name;

/* The flow's settings, as --name VALUE or stored with `config set`. */
static const setting_name settings[] = {
    {"draft-ttl", CHORUSACCT_OPT_DRAFT_TTL},
    {"activation-ttl", CHORUSACCT_OPT_ACTIVATION_TTL},
    {"approval-ttl", CHORUSACCT_OPT_APPROVAL_TTL},
    {"purge-after", CHORUSACCT_OPT_PURGE_AFTER},
    {"resend-cooldown", CHORUSACCT_OPT_RESEND_COOLDOWN},
    {"resend-quota", CHORUSACCT_OPT_RESEND_DAILY_QUOTA},
    {"captcha-ttl", CHORUSACCT_OPT_CAPTCHA_TTL},
    {"captcha-length", CHORUSACCT_OPT_CAPTCHA_LENGTH},
    {"captcha-attempts", CHORUSACCT_OPT_CAPTCHA_MAX_ATTEMPTS},
    {"key-attempts", CHORUSACCT_OPT_KEY_ATTEMPTS_PER_HOUR},
    {"address-attempts", CHORUSACCT_OPT_ADDRESS_ATTEMPTS_PER_HOUR},
    {"login-failures", CHORUSACCT_OPT_LOGIN_MAX_FAILURES},
    {"lockout", CHORUSACCT_OPT_LOCKOUT_DURATION},
    {"mail-attempts", CHORUSACCT_OPT_MAIL_MAX_ATTEMPTS},
    {"mail-retry", CHORUSACCT_OPT_MAIL_RETRY_BASE},
    {"mail-retry-max", CHORUSACCT_OPT_MAIL_RETRY_MAX},
    {"mail-lease", CHORUSACCT_OPT_MAIL_LEASE},
    {"pwhash-ops", CHORUSACCT_OPT_PWHASH_OPSLIMIT},
    {"pwhash-mem", CHORUSACCT_OPT_PWHASH_MEMLIMIT},
};
#define NSETTINGS (sizeof settings / sizeof settings[0])

/* Everything the command line can say; strings point into argv. */
typedef struct {
    const char *db;
    int lang;
    int64_t now; /* 0: the system clock */
    const char *url;
    uint32_t flags; /* validate --strict */
    int64_t settings[NSETTINGS]; /* -1: not given */
    uint32_t config_flags, config_flags_set;
    const char *login_email, *first_name, *last_name, *phone,
        *contact_email, *id_type, *id, *company_name, *captcha, *client;
    const char *by, *reason, *token, *state, *maildir, *from, *smtp;
    const char *smtp_tls, *smtp_user, *smtp_password_file, *smtp_ca;
    int accept_terms;
    int dot;
    long max;
    char **args; /* positional arguments after the command */
    int nargs;
} options;

static void usage(FILE *f)
{
    fputs(
        "usage: chorusacct [OPTIONS] COMMAND [ARGS]\n"
        "\n"
        "Checks:\n"
        "  validate KIND < values     one OK<TAB>normalized or ERR<TAB>CODE"
        " per line\n"
        "  version\n"
        "\n"
        "The flow, over an SQLite database:\n"
        "  signup --login-email E --first-name F --last-name L\n"
        "         [--phone P] [--contact-email E] --id-type T [--id V]\n"
        "         [--company-name N] --accept-terms [--captcha ID:ANSWER]\n"
        "  captcha                    issue a challenge: its id and text\n"
        "  lookup --id-type T --id V  is the structure declared, by whom\n"
        "  approve --by MANAGER ACCOUNT...\n"
        "  reject --by MANAGER --reason TEXT ACCOUNT\n"
        "  check-token TOKEN\n"
        "  activate --token TOKEN     password and confirmation on stdin\n"
        "  resend --login-email E | resend --by MANAGER ACCOUNT\n"
        "  disable --by ACTOR [--reason TEXT] ACCOUNT\n"
        "  enable --by ACTOR ACCOUNT\n"
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
        "  --db FILE                  database (chorusacct.db)\n"
        "  --lang fr|en               language of messages (en)\n"
        "  --now 2026-11-26T10:00:00Z replaces the clock\n"
        "  --activation-url URL       with {token}\n"
        "  --client KEY               throttle key (a client address)\n"
        "  --enumeration-safe, --no-captcha, --strict (validate)\n"
        "  --SETTING VALUE            one of:",
        f);
    for (size_t i = 0; i < NSETTINGS; i++)
        fprintf(f, "%s%s", i % 5 == 0 ? "\n      " : " ", settings[i].name);
    fputs("\n\nValidate KIND:\n", f);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        fprintf(f, "  %-8s %s\n", kinds[i].name, kinds[i].what);
}

static bool parse_i64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return false;
    *out = v;
    return true;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Unix time of an ISO 8601 time: YYYY-MM-DDTHH:MM:SS then Z or +HH:MM or
 * -HH:MM; -1 when malformed. */
static int64_t parse_time(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
               &n) != 6 ||
        mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60 || y < 1970)
        return -1;
    int64_t offset = 0;
    const char *z = s + n;
    if (strcmp(z, "Z") != 0) {
        int oh, om;
        if ((z[0] != '+' && z[0] != '-') || strlen(z) != 6 || z[3] != ':' ||
            sscanf(z + 1, "%2d:%2d", &oh, &om) != 2)
            return -1;
        offset = (z[0] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    }
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
           offset;
}

static void format_time(int64_t t, char *buf, size_t cap)
{
    if (t == 0) {
        snprintf(buf, cap, "-");
        return;
    }
    int64_t days = t / 86400, rem = t % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    /* The civil date of a day number (inverse of days_from_civil). */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    /* Every field is in range here; the narrow types tell the compiler
     * so, and keep the text within 20 characters. */
    snprintf(buf, cap, "%04u-%02u-%02uT%02u:%02u:%02uZ",
             (unsigned)(uint16_t)(y % 10000), (unsigned)(uint8_t)m,
             (unsigned)(uint8_t)d, (unsigned)(uint8_t)(rem / 3600),
             (unsigned)(uint8_t)(rem / 60 % 60), (unsigned)(uint8_t)(rem % 60));
}

/* ------------------------------------------------------------------ */
/* Running the flow                                                     */

typedef struct {
    options *o;
    chorusacct_ctx *ctx;
    chorusacct_testclock *clock;
    chorusacct_testmailer *capture; /* demo only */
    chorusacct_storage_ops storage;
} tool;

static const char *msg(const tool *t, int code)
{
    return chorusacct_strerror(code, t->o->lang);
}

/* A refusal or a failure, on standard error; returns the exit status. */
static int report(const tool *t, int rc, int reason)
{
    int code = rc == CHORUSACCT_E_REJECTED ? reason : rc;
    fprintf(stderr, "chorusacct: %s: %s\n", chorusacct_status_name(code),
            msg(t, code));
    if (rc != CHORUSACCT_E_REJECTED && chorusacct_ctx_last_error(t->ctx)[0])
        fprintf(stderr, "chorusacct: %s\n",
                chorusacct_ctx_last_error(t->ctx));
    return rc == CHORUSACCT_E_REJECTED ? EXIT_REFUSED : EXIT_USAGE;
}

/* Settings kept in the database, under "config.NAME". */
static int config_get(const tool *t, const char *name, int64_t *v)
{
    char key[64], buf[32];
    size_t len = 0;
    snprintf(key, sizeof key, "config.%s", name);
    int rc = t->storage.meta_get(t->storage.user_data, key, (uint8_t *)buf,
                                 sizeof buf - 1, &len);
    if (rc != CHORUSACCT_OK)
        return rc;
    buf[len] = '\0';
    return parse_i64(buf, v) ? CHORUSACCT_OK : CHORUSACCT_E_STORAGE;
}

static int tool_open(tool *t, options *o)
{
    memset(t, 0, sizeof *t);
    t->o = o;
    chorusacct_config cfg;
    int rc = chorusacct_config_init(&cfg, sizeof cfg);
    if (rc == CHORUSACCT_OK) {
        cfg.lang = o->lang;
        cfg.flags = o->config_flags;
        if (o->url != NULL)
            cfg.activation_url = o->url;
        rc = chorusacct_ctx_new(&t->ctx, &cfg);
    }
    if (rc != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: %s\n", msg(t, rc));
        return EXIT_USAGE;
    }
    t->storage.struct_size = (uint32_t)sizeof t->storage;
    rc = chorusacct_sqlite_ops(&t->storage, o->db, 0);
    if (rc == CHORUSACCT_OK) {
        rc = chorusacct_ctx_set_storage(t->ctx, &t->storage);
        if (rc != CHORUSACCT_OK)
            t->storage.destroy(t->storage.user_data);
    }
    if (rc != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: %s: %s: %s\n", o->db,
                chorusacct_status_name(rc), msg(t, rc));
        return EXIT_USAGE;
    }
    /* Stored settings first, then the command line's. */
    for (size_t i = 0; i < NSETTINGS; i++) {
        int64_t v;
        if (config_get(t, settings[i].name, &v) == CHORUSACCT_OK &&
            chorusacct_ctx_set_int(t->ctx, settings[i].opt, v) !=
                CHORUSACCT_OK)
            fprintf(stderr, "chorusacct: stored setting %s ignored\n",
                    settings[i].name);
        if (o->settings[i] >= 0 &&
            chorusacct_ctx_set_int(t->ctx, settings[i].opt,
                                   o->settings[i]) != CHORUSACCT_OK) {
            fprintf(stderr, "chorusacct: --%s: %s\n", settings[i].name,
                    msg(t, CHORUSACCT_E_ARG));
            return EXIT_USAGE;
        }
    }
    int64_t stored;
    if (config_get(t, "flags", &stored) == CHORUSACCT_OK) {
        int64_t flags = (stored & ~(int64_t)o->config_flags_set) |
                        (int64_t)o->config_flags;
        if (chorusacct_ctx_set_int(t->ctx, CHORUSACCT_OPT_FLAGS, flags) !=
            CHORUSACCT_OK)
            fprintf(stderr, "chorusacct: stored flags ignored\n");
    }
    if (o->now > 0) {
        chorusacct_clock_ops ck = {.struct_size = sizeof ck};
        if (chorusacct_testclock_new(&t->clock, o->now) != CHORUSACCT_OK ||
            chorusacct_testclock_ops(&ck, t->clock) != CHORUSACCT_OK ||
            chorusacct_ctx_set_clock(t->ctx, &ck) != CHORUSACCT_OK)
            return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

static void tool_close(tool *t)
{
    chorusacct_ctx_free(t->ctx); /* closes the database */
    chorusacct_testclock_free(t->clock);
    chorusacct_testmailer_free(t->capture);
}

static bool need(const char *value, const char *option)
{
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "chorusacct: %s is required\n", option);
        return false;
    }
    return true;
}

static bool parse_id(const char *s, int64_t *id)
{
    if (!parse_i64(s, id) || *id <= 0) {
        fprintf(stderr, "chorusacct: not an account id: %s\n", s);
        return false;
    }
    return true;
}

/* An identifier type by its API code (SIRET...) or its number (1-7). */
static bool id_type_of(const char *s, int *type)
{
    int64_t n;
    if (chorusacct_identifier_from_name(type, s) == CHORUSACCT_OK ||
        (parse_i64(s, &n) && n > 0 && n < 100 &&
         chorusacct_identifier_from_number(type, (int)n) == CHORUSACCT_OK))
        return true;
    fprintf(stderr, "chorusacct: unknown identifier type %s (SIRET, "
                    "UE_HORS_FRANCE, HORS_UE, RIDET, TAHITI, AUTRE, "
                    "PARTICULIER, or 1 to 7)\n",
            s);
    return false;
}

static void print_account(const tool *t, const chorusacct_account *a)
{
    char c[32], u[32], e[32], act[32];
    format_time(a->created_at, c, sizeof c);
    format_time(a->updated_at, u, sizeof u);
    format_time(a->expires_at, e, sizeof e);
    format_time(a->activated_at, act, sizeof act);
    printf("id: %lld\nstate: %s\nstate_label: %s\nlogin_email: %s\n"
           "contact_email: %s\nfirst_name: %s\nlast_name: %s\nphone: %s\n"
           "structure: %lld\nrole: %s\nlang: %s\nterms_version: %s\n"
           "created_at: %s\nupdated_at: %s\nexpires_at: %s\n"
           "activated_at: %s\nversion: %lld\n",
           (long long)a->id, chorusacct_state_name(a->state),
           chorusacct_state_label(a->state, t->o->lang), a->login_email,
           a->contact_email, a->first_name, a->last_name,
           a->phone[0] ? a->phone : "-", (long long)a->structure_id,
           a->role ? chorusacct_role_name(a->role) : "-",
           a->lang == CHORUSACCT_LANG_FR ? "fr" : "en", a->terms_version, c,
           u, e, act, (long long)a->version);
    if (a->decided_by)
        printf("decided_by: %lld\n", (long long)a->decided_by);
    if (a->reason[0])
        printf("reason: %s\n", a->reason);
}

static int cmd_signup(tool *t)
{
    options *o = t->o;
    chorusacct_signup f;
    chorusacct_signup_result r = {.struct_size = sizeof r};
    int type = 0;
    if (chorusacct_signup_init(&f, sizeof f) != CHORUSACCT_OK ||
        !need(o->id_type, "--id-type") || !id_type_of(o->id_type, &type))
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
    f.lang = o->lang;
    int rc = chorusacct_signup_submit(t->ctx, &f, &r);
    if (rc == CHORUSACCT_E_REJECTED) {
        for (uint32_t i = 0; i < r.nerrors; i++)
            printf("%s\t%s\t%s\n", chorusacct_field_name(r.errors[i].field),
                   chorusacct_status_name(r.errors[i].code),
                   msg(t, r.errors[i].code));
        return EXIT_REFUSED;
    }
    if (rc != CHORUSACCT_OK)
        return report(t, rc, 0);
    printf("account\t%lld\t%s\n", (long long)r.account_id,
           chorusacct_state_name(r.state));
    return EXIT_SUCCESS;
}

static int cmd_captcha(tool *t)
{
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason = 0;
    int rc = chorusacct_captcha_issue(t->ctx, t->o->client, id, sizeof id,
                                      text, sizeof text, &reason);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, reason);
    printf("id: %s\ntext: %s\n", id, text);
    return EXIT_SUCCESS;
}

static int cmd_lookup(tool *t)
{
    int type, declared = 0, reason = 0;
    chorusacct_structure s = {.struct_size = sizeof s};
    if (!need(t->o->id_type, "--id-type") || !need(t->o->id, "--id") ||
        !id_type_of(t->o->id_type, &type))
        return EXIT_USAGE;
    int rc = chorusacct_structure_lookup(t->ctx, type, t->o->id, &declared,
                                         &s, &reason);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, reason);
    printf("declared: %s\n", declared ? "yes" : "no");
    if (!declared)
        return EXIT_SUCCESS;
    printf("structure: %lld\nid_type: %s\nidentifier: %s\n"
           "company_name: %s\nprincipal: %lld\n",
           (long long)s.id, chorusacct_identifier_name(s.id_type),
           s.identifier, s.company_name[0] ? s.company_name : "-",
           (long long)s.principal_id);
    chorusacct_account p = {.struct_size = sizeof p};
    if (chorusacct_account_get(t->ctx, s.principal_id, &p) == CHORUSACCT_OK)
        printf("principal_state: %s\n", chorusacct_state_name(p.state));
    printf("hint: %s\n",
           t->o->lang == CHORUSACCT_LANG_FR
               ? "Cette structure existe : votre demande devra être "
                 "approuvée par son gestionnaire principal."
               : "This structure exists: your request will need the "
                 "approval of its principal manager.");
    return EXIT_SUCCESS;
}

static int cmd_decide(tool *t, bool approve)
{
    int64_t by, id;
    if (!need(t->o->by, "--by") || !parse_id(t->o->by, &by) ||
        t->o->nargs < 1 ||
        (!approve && (t->o->nargs != 1 || !need(t->o->reason, "--reason"))))
        return EXIT_USAGE;
    int status = EXIT_SUCCESS;
    for (int i = 0; i < t->o->nargs; i++) {
        if (!parse_id(t->o->args[i], &id))
            return EXIT_USAGE;
        int reason = 0;
        int rc = approve ? chorusacct_account_approve(t->ctx, by, id, &reason)
                         : chorusacct_account_reject(t->ctx, by, id,
                                                     t->o->reason, &reason);
        chorusacct_account a = {.struct_size = sizeof a};
        if (rc == CHORUSACCT_OK &&
            chorusacct_account_get(t->ctx, id, &a) == CHORUSACCT_OK) {
            printf("account\t%lld\t%s\n", (long long)id,
                   chorusacct_state_name(a.state));
        } else if (rc != CHORUSACCT_OK) {
            int st = report(t, rc, reason);
            status = st > status ? st : status;
        }
    }
    return status;
}

static int cmd_approve(tool *t)
{
    return cmd_decide(t, true);
}

static int cmd_reject(tool *t)
{
    return cmd_decide(t, false);
}

static int cmd_check_token(tool *t)
{
    if (t->o->nargs != 1)
        return EXIT_USAGE;
    chorusacct_token_info info = {.struct_size = sizeof info};
    int reason = 0;
    int rc = chorusacct_activation_lookup(t->ctx, t->o->args[0], t->o->client,
                                    &info, &reason);
    if (rc == CHORUSACCT_OK || (rc == CHORUSACCT_E_REJECTED &&
                                (reason == CHORUSACCT_E_ALREADY_ACTIVE ||
                                 reason == CHORUSACCT_E_TOKEN_EXPIRED))) {
        char e[32];
        format_time(info.expires_at, e, sizeof e);
        printf("account: %lld\nstate: %s\nlogin_email: %s\nname: %s %s\n"
               "expires_at: %s\nvalid: %s\n",
               (long long)info.account_id, chorusacct_state_name(info.state),
               info.login_email, info.first_name, info.last_name, e,
               rc == CHORUSACCT_OK ? "yes" : "no");
    }
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : report(t, rc, reason);
}

/* Reads one line of standard input without its line end. */
static bool read_secret_line(char *buf, size_t cap, size_t *len)
{
    if (fgets(buf, (int)cap, stdin) == NULL)
        return false;
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (n == cap - 1)
        return false; /* longer than any allowed password */
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    *len = n;
    return true;
}

/* The activation form of `token` with the password and its confirmation,
 * submitted. */
static int activate(chorusacct_ctx *ctx, const char *token, const char *pw,
                    size_t pw_len, const char *confirm, size_t confirm_len,
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
    return chorusacct_activation_submit(ctx, &f, id, failed, reason);
}

static int cmd_activate(tool *t)
{
    if (!need(t->o->token, "--token"))
        return EXIT_USAGE;
    /* Never from the command line, where other users see it. */
    static char pw[4200], confirm[4200];
    size_t pw_len = 0, confirm_len = 0;
    if (!read_secret_line(pw, sizeof pw, &pw_len) ||
        !read_secret_line(confirm, sizeof confirm, &confirm_len)) {
        fputs("chorusacct: activate reads the password and its "
              "confirmation from standard input, one line each\n",
              stderr);
        return EXIT_USAGE;
    }
    int64_t id = 0;
    uint32_t failed = 0;
    int reason = 0;
    int rc = activate(t->ctx, t->o->token, pw, pw_len,
                                         confirm, confirm_len, t->o->client,
                                         &id, &failed, &reason);
    /* volatile: the wipe must not be optimised away. */
    volatile char *wipe = pw;
    for (size_t i = 0; i < sizeof pw; i++)
        wipe[i] = 0;
    wipe = confirm;
    for (size_t i = 0; i < sizeof confirm; i++)
        wipe[i] = 0;
    if (rc != CHORUSACCT_OK) {
        for (uint32_t bit = 1; bit != 0 && bit <= failed; bit <<= 1) {
            const char *text = chorusacct_password_rule_text(bit, t->o->lang);
            if ((failed & bit) && text != NULL)
                printf("password\t%s\n", text);
        }
        return report(t, rc, reason);
    }
    printf("account\t%lld\t%s\n", (long long)id,
           chorusacct_state_name(CHORUSACCT_STATE_ACTIVE));
    return EXIT_SUCCESS;
}

static int cmd_resend(tool *t)
{
    int reason = 0, rc;
    if (t->o->by != NULL) {
        int64_t by, id;
        if (!parse_id(t->o->by, &by) || t->o->nargs != 1 ||
            !parse_id(t->o->args[0], &id))
            return EXIT_USAGE;
        rc = chorusacct_activation_resend_by(t->ctx, by, id, &reason);
    } else {
        if (!need(t->o->login_email, "--login-email"))
            return EXIT_USAGE;
        rc = chorusacct_activation_resend(t->ctx, t->o->login_email,
                                          t->o->client, &reason);
    }
    if (rc != CHORUSACCT_OK)
        return report(t, rc, reason);
    puts(t->o->lang == CHORUSACCT_LANG_FR
             ? "resent: si un compte attend cette adresse, un nouveau lien "
               "part."
             : "resent: if an account waits for this address, a new link "
               "is on its way.");
    return EXIT_SUCCESS;
}

static int cmd_switch(tool *t, bool enable)
{
    int64_t by, id;
    if (!need(t->o->by, "--by") || !parse_id(t->o->by, &by) ||
        t->o->nargs != 1 || !parse_id(t->o->args[0], &id))
        return EXIT_USAGE;
    int reason = 0;
    int rc = enable ? chorusacct_account_enable(t->ctx, by, id, &reason)
                    : chorusacct_account_disable(t->ctx, by, id,
                                                 t->o->reason, &reason);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, reason);
    printf("account\t%lld\t%s\n", (long long)id,
           chorusacct_state_name(enable ? CHORUSACCT_STATE_ACTIVE
                                        : CHORUSACCT_STATE_DISABLED));
    return EXIT_SUCCESS;
}

static int cmd_disable(tool *t)
{
    return cmd_switch(t, false);
}

static int cmd_enable(tool *t)
{
    return cmd_switch(t, true);
}

static int cmd_show(tool *t)
{
    int64_t id;
    if (t->o->nargs != 1 || !parse_id(t->o->args[0], &id))
        return EXIT_USAGE;
    chorusacct_account a = {.struct_size = sizeof a};
    int rc = chorusacct_account_get(t->ctx, id, &a);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, 0);
    print_account(t, &a);
    chorusacct_structure s = {.struct_size = sizeof s};
    if (a.structure_id != 0 &&
        chorusacct_structure_get(t->ctx, a.structure_id, &s) ==
            CHORUSACCT_OK)
        printf("id_type: %s\nidentifier: %s\ncompany_name: %s\n",
               chorusacct_identifier_name(s.id_type),
               s.identifier[0] ? s.identifier : "-",
               s.company_name[0] ? s.company_name : "-");
    return EXIT_SUCCESS;
}

static int cmd_list(tool *t)
{
    chorusacct_account_query q;
    memset(&q, 0, sizeof q);
    q.struct_size = sizeof q;
    if (t->o->state != NULL &&
        chorusacct_state_from_name(&q.state, t->o->state) != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: unknown state %s\n", t->o->state);
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
            printf("%lld\t%s\t%s\t%s\t%lld\n", (long long)page[i].id,
                   chorusacct_state_name(page[i].state), page[i].login_email,
                   page[i].role ? chorusacct_role_name(page[i].role) : "-",
                   (long long)page[i].structure_id);
            q.after_id = page[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == 64);
    free(page);
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : report(t, rc, 0);
}

static int cmd_audit(tool *t)
{
    int64_t id = 0, after = 0;
    if (t->o->nargs > 1 ||
        (t->o->nargs == 1 && !parse_id(t->o->args[0], &id)))
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
            format_time(ev[i].time, when, sizeof when);
            const char *from = chorusacct_state_name(ev[i].from_state);
            const char *to = chorusacct_state_name(ev[i].to_state);
            printf("%s\t%lld\t%s\t%s\t%s\t%lld\t%s\n", when,
                   (long long)ev[i].account_id,
                   chorusacct_event_name(ev[i].type), from ? from : "-",
                   to ? to : "-", (long long)ev[i].actor_id,
                   ev[i].reason[0] ? ev[i].reason : "-");
            after = ev[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == 64);
    free(ev);
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : report(t, rc, 0);
}

/* smtp://HOST[:PORT][/] or smtps://...; HOST may be an [IPv6] address.
 * The host goes to `host` (brackets kept), the port to *port (0 when
 * absent). */
static bool parse_smtp_url(const char *url, char *host, size_t cap,
                           int *port, bool *smtps)
{
    const char *p;
    if (strncmp(url, "smtp://", 7) == 0) {
        p = url + 7;
        *smtps = false;
    } else if (strncmp(url, "smtps://", 8) == 0) {
        p = url + 8;
        *smtps = true;
    } else {
        return false;
    }
    size_t n = p[0] == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/");
    if (n == 0 || n >= cap || (p[0] == '[' && p[n - 1] != ']'))
        return false;
    memcpy(host, p, n);
    host[n] = '\0';
    p += n;
    *port = 0;
    if (*p == ':') {
        char *end;
        errno = 0;
        long v = strtol(p + 1, &end, 10);
        if (errno != 0 || end == p + 1 || v < 1 || v > 65535)
            return false;
        *port = (int)v;
        p = end;
    }
    return *p == '\0' || strcmp(p, "/") == 0;
}

/* The SMTP mailer the options describe. The password comes from a file
 * or the environment, never from the command line. */
static int smtp_mailer_of(const options *o, const char *from,
                          chorusacct_mailer_ops *ml)
{
    static const char *const tls_names[] = {"none", "starttls", "implicit"};
    chorusacct_smtp_config c;
    char host[300], password[1100] = "";
    bool smtps = false;
    int rc = chorusacct_smtp_config_init(&c, sizeof c);
    if (rc != CHORUSACCT_OK)
        return rc;
    if (!parse_smtp_url(o->smtp, host, sizeof host, &c.port, &smtps)) {
        fprintf(stderr, "chorusacct: --smtp: not smtp://HOST[:PORT] or "
                        "smtps://HOST[:PORT]: %s\n",
                o->smtp);
        return CHORUSACCT_E_ARG;
    }
    c.host = host;
    c.from = from;
    c.ca_file = o->smtp_ca;
    c.tls = smtps ? CHORUSACCT_SMTP_TLS_IMPLICIT : CHORUSACCT_SMTP_TLS_STARTTLS;
    if (o->smtp_tls != NULL) {
        c.tls = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(o->smtp_tls, tls_names[i]) == 0)
                c.tls = i;
        if (c.tls < 0 || (smtps && c.tls != CHORUSACCT_SMTP_TLS_IMPLICIT)) {
            fprintf(stderr, "chorusacct: --smtp-tls: none, starttls or "
                            "implicit (smtps:// is implicit)\n");
            return CHORUSACCT_E_ARG;
        }
    }
    if (o->smtp_user != NULL) {
        const char *env = getenv("CHORUSACCT_SMTP_PASSWORD");
        if (o->smtp_password_file != NULL) {
            FILE *f = fopen(o->smtp_password_file, "r");
            bool ok = f != NULL && fgets(password, sizeof password, f);
            if (f != NULL)
                fclose(f);
            if (!ok) {
                fprintf(stderr, "chorusacct: cannot read %s\n",
                        o->smtp_password_file);
                return CHORUSACCT_E_IO;
            }
            password[strcspn(password, "\r\n")] = '\0';
        } else if (env != NULL) {
            snprintf(password, sizeof password, "%s", env);
        } else {
            fputs("chorusacct: --smtp-user needs --smtp-password-file or "
                  "CHORUSACCT_SMTP_PASSWORD\n",
                  stderr);
            return CHORUSACCT_E_ARG;
        }
        c.username = o->smtp_user;
        c.password = password;
    }
    ml->struct_size = (uint32_t)sizeof *ml;
    rc = chorusacct_smtp_ops(ml, &c); /* copies the password */
    volatile char *wipe = password;
    for (size_t i = 0; i < sizeof password; i++)
        wipe[i] = 0;
    return rc;
}

static int cmd_deliver(tool *t)
{
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    const char *dir = t->o->maildir != NULL ? t->o->maildir : "Maildir";
    const char *from = t->o->from != NULL ? t->o->from
                                          : "no-reply@chorusacct.localhost";
    if (t->o->smtp != NULL && t->o->maildir != NULL) {
        fputs("chorusacct: --smtp or --maildir, not both\n", stderr);
        return EXIT_USAGE;
    }
    int rc = t->o->smtp != NULL ? smtp_mailer_of(t->o, from, &ml)
                                : chorusacct_maildir_ops(&ml, dir, from);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_ctx_set_mailer(t->ctx, &ml);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, 0);
    chorusacct_delivery d = {.struct_size = sizeof d};
    rc = chorusacct_outbox_deliver(t->ctx,
                                    t->o->max > 0 ? (size_t)t->o->max : 1000,
                                    &d);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, 0);
    printf("sent: %u\nretried: %u\ndead: %u\ncancelled: %u\n", d.sent,
           d.retried, d.dead, d.cancelled);
    return EXIT_SUCCESS;
}

static int cmd_outbox(tool *t)
{
    chorusacct_message *m = calloc(16, sizeof *m);
    if (m == NULL)
        return EXIT_USAGE;
    m[0].struct_size = (uint32_t)sizeof *m; /* the stride */
    int64_t after = 0;
    size_t n;
    int rc;
    do {
        rc = chorusacct_outbox_list(t->ctx, 0, after, m, 16, &n);
        for (size_t i = 0; rc == CHORUSACCT_OK && i < n; i++) {
            char when[32];
            format_time(m[i].status == CHORUSACCT_MSG_PENDING
                            ? m[i].next_attempt_at
                            : m[i].sent_at,
                        when, sizeof when);
            printf("%lld\t%s\t%s\t%s\t%d\t%s\t%s\n", (long long)m[i].id,
                   chorusacct_message_status_name(m[i].status),
                   chorusacct_mail_kind_name(m[i].kind), m[i].to,
                   m[i].attempts, when,
                   m[i].last_error[0] ? m[i].last_error : "-");
            after = m[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == 16);
    free(m);
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : report(t, rc, 0);
}

static int cmd_sweep(tool *t)
{
    chorusacct_sweep_result r = {.struct_size = sizeof r};
    int rc = chorusacct_sweep(t->ctx, &r);
    if (rc != CHORUSACCT_OK)
        return report(t, rc, 0);
    printf("expired: %u\npurged: %u\npromoted: %u\n", r.expired, r.purged,
           r.promoted);
    return EXIT_SUCCESS;
}

static int cmd_states(const options *o)
{
    if (o->dot) {
        size_t len = 0;
        if (chorusacct_state_diagram(o->lang, NULL, 0, &len) != CHORUSACCT_OK)
            return EXIT_USAGE;
        char *buf = malloc(len + 1);
        int rc = buf != NULL ? chorusacct_state_diagram(o->lang, buf, len + 1,
                                                     NULL)
                             : CHORUSACCT_E_NOMEM;
        if (rc == CHORUSACCT_OK)
            fputs(buf, stdout);
        free(buf);
        return rc == CHORUSACCT_OK ? EXIT_SUCCESS : EXIT_USAGE;
    }
    for (int s = CHORUSACCT_STATE_CREATED; s <= CHORUSACCT_STATE_DISABLED;
         s++)
        printf("%d\t%s\t%s\n", s, chorusacct_state_name(s),
               chorusacct_state_label(s, o->lang));
    for (size_t i = 0; i < chorusacct_transition_count(); i++) {
        int from, to, ev;
        if (chorusacct_transition_at(i, &from, &to, &ev) == CHORUSACCT_OK)
            printf("%s -> %s\t%s\n",
                   from ? chorusacct_state_name(from) : "(new)",
                   to ? chorusacct_state_name(to) : "(purged)",
                   chorusacct_event_name(ev));
    }
    return EXIT_SUCCESS;
}

static int cmd_config(tool *t)
{
    if (t->o->nargs == 0) {
        for (size_t i = 0; i < NSETTINGS; i++) {
            int64_t v;
            if (chorusacct_ctx_get_int(t->ctx, settings[i].opt, &v) ==
                CHORUSACCT_OK)
                printf("%s: %lld\n", settings[i].name, (long long)v);
        }
        int64_t flags = 0;
        if (chorusacct_ctx_get_int(t->ctx, CHORUSACCT_OPT_FLAGS, &flags) ==
            CHORUSACCT_OK)
            printf("flags: %lld\n", (long long)flags);
        return EXIT_SUCCESS;
    }
    int64_t v;
    if (t->o->nargs != 3 || strcmp(t->o->args[0], "set") != 0 ||
        !parse_i64(t->o->args[2], &v))
        return EXIT_USAGE;
    const char *name = t->o->args[1];
    int opt = strcmp(name, "flags") == 0 ? CHORUSACCT_OPT_FLAGS : 0;
    for (size_t i = 0; i < NSETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            opt = settings[i].opt;
    if (opt == 0 || chorusacct_ctx_set_int(t->ctx, opt, v) != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: cannot set %s to %s\n", name,
                t->o->args[2]);
        return EXIT_USAGE;
    }
    char key[64], value[32];
    snprintf(key, sizeof key, "config.%s", name);
    snprintf(value, sizeof value, "%lld", (long long)v);
    int rc = t->storage.meta_set(t->storage.user_data, key,
                                 (const uint8_t *)value, strlen(value));
    if (rc != CHORUSACCT_OK)
        return report(t, rc, 0);
    printf("%s: %lld\n", name, (long long)v);
    return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* demo                                                                 */

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
    int st = report(t, rc, reason);
    tool_close(t);
    return st;
}

static int demo_signup(tool *t, const char *email, const char *first,
                       const char *last, const char *siret,
                       chorusacct_signup_result *r)
{
    char id[CHORUSACCT_CAPTCHA_ID_SIZE], text[CHORUSACCT_CAPTCHA_TEXT_SIZE];
    int reason = 0;
    int rc = chorusacct_captcha_issue(t->ctx, "127.0.0.1", id, sizeof id,
                                      text, sizeof text, &reason);
    if (rc != CHORUSACCT_OK) {
        report(t, rc, reason);
        return rc;
    }
    printf("  captcha shown: %s; typed back in lower case (accepted)\n",
           text);
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
    f.lang = t->o->lang;
    r->struct_size = sizeof *r;
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_signup_submit(t->ctx, &f, r);
    if (rc != CHORUSACCT_OK) {
        report(t, rc, r->nerrors ? r->errors[0].code : 0);
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

static int cmd_demo(options *o)
{
    char dir[] = "/tmp/chorusacct-demo-XXXXXX";
    if (mkdtemp(dir) == NULL) {
        perror("chorusacct: demo");
        return EXIT_USAGE;
    }
    char db[sizeof dir + 16];
    snprintf(db, sizeof db, "%s/demo.db", dir);
    o->db = db;
    tool t;
    int st = tool_open(&t, o);
    if (st != EXIT_SUCCESS)
        return st;
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    if (chorusacct_testmailer_new(&t.capture) != CHORUSACCT_OK ||
        chorusacct_testmailer_ops(&ml, t.capture) != CHORUSACCT_OK ||
        chorusacct_ctx_set_mailer(t.ctx, &ml) != CHORUSACCT_OK)
        return demo_fail(&t, "mailer", CHORUSACCT_E_NOMEM, 0);
    size_t seen = 0;
    const char *siret = "732 829 320 00074";
    printf("libchorusacct %s: the account-creation flow of Chorus Pro, on "
           "%s\n",
           chorusacct_version(), db);

    demo_step("1. \"Create an account\": is the structure known?");
    int declared = 0, reason = 0;
    int rc = chorusacct_structure_lookup(t.ctx, CHORUSACCT_ID_SIRET, siret,
                                         &declared, NULL, &reason);
    if (rc != CHORUSACCT_OK)
        return demo_fail(&t, "lookup", rc, reason);
    printf("  SIRET %s declared: %s\n  hint under the field: %s\n", siret,
           declared ? "yes" : "no",
           chorusacct_identifier_hint(CHORUSACCT_ID_SIRET, o->lang));

    demo_step("2-4. Personal information, structure, captcha, \"Create my "
              "account\"");
    chorusacct_signup_result r = {.struct_size = sizeof r};
    if (demo_signup(&t, "marie.curie@example.fr", "Marie", "Curie", siret,
                    &r) != CHORUSACCT_OK) {
        tool_close(&t);
        return EXIT_USAGE;
    }
    int64_t marie = r.account_id;
    if ((rc = demo_deliver(&t, &seen)) != CHORUSACCT_OK)
        return demo_fail(&t, "delivery", rc, 0);

    demo_step("5. The link leads to setting a password");
    char link[512], *token;
    if (chorusacct_testmailer_last_link(t.capture, "marie.curie@example.fr",
                                       link, sizeof link, NULL) !=
            CHORUSACCT_OK ||
        (token = strstr(link, "token=")) == NULL)
        return demo_fail(&t, "finding the link", CHORUSACCT_E_NOTFOUND, 0);
    token += 6;
    chorusacct_token_info info = {.struct_size = sizeof info};
    rc = chorusacct_activation_lookup(t.ctx, token, NULL, &info, &reason);
    if (rc != CHORUSACCT_OK)
        return demo_fail(&t, "token check", rc, reason);
    printf("  link opened (it consumes nothing): the account of %s %s\n",
           info.first_name, info.last_name);
    const char *weak = "marie1234567";
    uint32_t failed = 0;
    rc = activate(t.ctx, token, weak, strlen(weak), weak,
                                     strlen(weak), NULL, NULL, &failed,
                                     &reason);
    printf("  password \"%s\": %s\n", weak,
           rc == CHORUSACCT_OK ? "accepted" : msg(&t, reason));
    const char *pw = "Radium-et-Polonium-1898";
    rc = activate(t.ctx, token, pw, strlen(pw), pw,
                                     strlen(pw), NULL, NULL, &failed,
                                     &reason);
    if (rc != CHORUSACCT_OK)
        return demo_fail(&t, "activation", rc, reason);
    printf("  password \"%s\": accepted; account %lld is %s\n", pw,
           (long long)marie, chorusacct_state_name(CHORUSACCT_STATE_ACTIVE));
    rc = activate(t.ctx, token, pw, strlen(pw), pw,
                                     strlen(pw), NULL, NULL, &failed,
                                     &reason);
    printf("  the same link again: %s\n", msg(&t, reason));

    demo_step("A second applicant for the same structure");
    rc = chorusacct_structure_lookup(t.ctx, CHORUSACCT_ID_SIRET, siret,
                                     &declared, NULL, &reason);
    printf("  SIRET %s declared: %s: the request will need the approval of "
           "its principal manager\n",
           siret, declared ? "yes" : "no");
    if (demo_signup(&t, "pierre.curie@example.fr", "Pierre", "Curie", siret,
                    &r) != CHORUSACCT_OK) {
        tool_close(&t);
        return EXIT_USAGE;
    }
    if ((rc = demo_deliver(&t, &seen)) != CHORUSACCT_OK)
        return demo_fail(&t, "delivery", rc, 0);

    demo_step("Final state (id, state, login, role, structure)");
    o->state = NULL;
    st = cmd_list(&t);
    printf("\n(database in %s; try: chorusacct --db %s approve --by %lld "
           "%lld)\n",
           dir, db, (long long)marie, (long long)r.account_id);
    tool_close(&t);
    return st;
}

/* ------------------------------------------------------------------ */
/* main                                                                 */

typedef struct {
    const char *name;
    const char **slot;
} str_option;

/* Options may stand before or after the command: the first word that is
 * not an option is the command, the others its arguments. Returns 0, 1
 * for --help, -1 for a usage error. */
static int parse_options(int argc, char **argv, options *o,
                         const char **cmd)
{
    const str_option strs[] = {
        {"--db", &o->db},
        {"--activation-url", &o->url},
        {"--login-email", &o->login_email},
        {"--first-name", &o->first_name},
        {"--last-name", &o->last_name},
        {"--phone", &o->phone},
        {"--contact-email", &o->contact_email},
        {"--id-type", &o->id_type},
        {"--id", &o->id},
        {"--company-name", &o->company_name},
        {"--captcha", &o->captcha},
        {"--client", &o->client},
        {"--by", &o->by},
        {"--reason", &o->reason},
        {"--token", &o->token},
        {"--state", &o->state},
        {"--maildir", &o->maildir},
        {"--from", &o->from},
        {"--smtp", &o->smtp},
        {"--smtp-tls", &o->smtp_tls},
        {"--smtp-user", &o->smtp_user},
        {"--smtp-password-file", &o->smtp_password_file},
        {"--smtp-ca", &o->smtp_ca},
    };
    static char *positional[256];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] != '-') {
            if (npos == (int)(sizeof positional / sizeof positional[0]))
                return -1;
            positional[npos++] = argv[i];
            continue;
        }
        bool done = false;
        for (size_t k = 0; !done && k < sizeof strs / sizeof strs[0]; k++) {
            if (strcmp(a, strs[k].name) == 0) {
                if (i + 1 >= argc)
                    return -1;
                *strs[k].slot = argv[++i];
                done = true;
            }
        }
        for (size_t k = 0; !done && k < NSETTINGS; k++) {
            if (strcmp(a + 2, settings[k].name) == 0) {
                if (i + 1 >= argc || !parse_i64(argv[i + 1], &o->settings[k]))
                    return -1;
                i++;
                done = true;
            }
        }
        if (done)
            continue;
        if (strcmp(a, "--lang") == 0 && i + 1 < argc) {
            if (chorusacct_lang_from_tag(&o->lang, argv[++i]) !=
                CHORUSACCT_OK)
                return -1;
        } else if (strcmp(a, "--now") == 0 && i + 1 < argc) {
            o->now = parse_time(argv[++i]);
            if (o->now <= 0)
                return -1;
        } else if (strcmp(a, "--max") == 0 && i + 1 < argc) {
            int64_t v;
            if (!parse_i64(argv[++i], &v) || v <= 0)
                return -1;
            o->max = (long)v;
        } else if (strcmp(a, "--accept-terms") == 0) {
            o->accept_terms = 1;
        } else if (strcmp(a, "--strict") == 0) {
            o->flags |= CHORUSACCT_VALIDATE_STRICT;
        } else if (strcmp(a, "--dot") == 0) {
            o->dot = 1;
        } else if (strcmp(a, "--enumeration-safe") == 0) {
            o->config_flags |= CHORUSACCT_CFG_ENUMERATION_SAFE;
            o->config_flags_set |= CHORUSACCT_CFG_ENUMERATION_SAFE;
        } else if (strcmp(a, "--no-captcha") == 0) {
            o->config_flags |= CHORUSACCT_CFG_NO_CAPTCHA;
            o->config_flags_set |= CHORUSACCT_CFG_NO_CAPTCHA;
        } else if (strcmp(a, "--help") == 0) {
            return 1;
        } else {
            fprintf(stderr, "chorusacct: unknown or incomplete option %s\n",
                    a);
            return -1;
        }
    }
    if (npos == 0)
        return -1;
    *cmd = positional[0];
    o->args = positional + 1;
    o->nargs = npos - 1;
    return 0;
}

typedef struct {
    const char *name;
    int (*run)(tool *);
} flow_command;

static const flow_command flow_commands[] = {
    {"signup", cmd_signup},     {"captcha", cmd_captcha},
    {"lookup", cmd_lookup},     {"approve", cmd_approve},
    {"reject", cmd_reject},     {"check-token", cmd_check_token},
    {"activate", cmd_activate}, {"resend", cmd_resend},
    {"disable", cmd_disable},   {"enable", cmd_enable},
    {"show", cmd_show},         {"list", cmd_list},
    {"audit", cmd_audit},       {"deliver", cmd_deliver},
    {"outbox", cmd_outbox},     {"sweep", cmd_sweep},
    {"config", cmd_config},
};

int main(int argc, char **argv)
{
    options o;
    memset(&o, 0, sizeof o);
    o.db = "chorusacct.db";
    o.lang = CHORUSACCT_LANG_EN;
    for (size_t i = 0; i < NSETTINGS; i++)
        o.settings[i] = -1;

    if (chorusacct_init() != CHORUSACCT_OK) {
        fputs("chorusacct: cannot initialise the library\n", stderr);
        return EXIT_USAGE;
    }
    const char *cmd = NULL;
    int p = parse_options(argc, argv, &o, &cmd);
    if (p != 0) {
        usage(p > 0 ? stdout : stderr);
        return p > 0 ? EXIT_SUCCESS : EXIT_USAGE;
    }

    if (strcmp(cmd, "version") == 0) {
        printf("chorusacct %s (headers %s)\n", chorusacct_version(),
               CHORUSACCT_VERSION_STRING);
        return EXIT_SUCCESS;
    }
    if (strcmp(cmd, "validate") == 0) {
        for (size_t k = 0; o.nargs == 1 && k < sizeof kinds / sizeof kinds[0];
             k++)
            if (strcmp(o.args[0], kinds[k].name) == 0)
                return cmd_validate(&kinds[k], o.flags);
        fprintf(stderr, "chorusacct: validate takes one KIND\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "states") == 0)
        return cmd_states(&o);
    if (strcmp(cmd, "demo") == 0)
        return cmd_demo(&o);

    const flow_command *fc = NULL;
    for (size_t i = 0; i < sizeof flow_commands / sizeof flow_commands[0];
         i++)
        if (strcmp(cmd, flow_commands[i].name) == 0)
            fc = &flow_commands[i];
    if (fc == NULL) {
        fprintf(stderr, "chorusacct: unknown command %s\n", cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    tool t;
    int st = tool_open(&t, &o);
    if (st == EXIT_SUCCESS)
        st = fc->run(&t);
    tool_close(&t);
    return st;
}
