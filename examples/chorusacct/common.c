/*
 * The shared part of the chorusacct tool: option parsing, the context over
 * the SQLite database, the settings kept in it, error reporting, times,
 * and secrets read from standard input.
 */
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <chorusacct/testkit.h>

/* ------------------------------------------------------------------ */
/* The database                                                         */

bool tool_db_is_postgres(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 ||
           strncmp(db, "postgres://", 11) == 0;
}

bool tool_uri_has_password(const char *uri)
{
    /* scheme://[user[:password]@]host...: a colon in the part before the
     * '@' of the authority, or a password parameter. */
    const char *a = strstr(uri, "://");
    if (a == NULL)
        return false;
    a += 3;
    size_t auth = strcspn(a, "/?#");
    const char *at = memchr(a, '@', auth);
    if (at != NULL && memchr(a, ':', (size_t)(at - a)) != NULL)
        return true;
    const char *q = strchr(a, '?');
    for (; q != NULL; q = strchr(q + 1, '&'))
        if (strncmp(q + 1, "password=", 9) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

const tool_setting tool_settings[] = {
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
    {"promotion-grace", CHORUSACCT_OPT_PROMOTION_GRACE},
};
_Static_assert(sizeof tool_settings / sizeof tool_settings[0] == TOOL_NSETTINGS,
               "TOOL_NSETTINGS counts tool_settings");
_Static_assert(TOOL_NSETTINGS <= 32, "settings_given has a bit per setting");

/* The shared options besides the settings, and the sets they are in. */
static const struct {
    const char *name;
    unsigned in;
    bool value;
} shared_options[] = {
    {"db", TOOL_DB, true},
    {"secret-file", TOOL_DB, true},
    {"lang", TOOL_LANG | TOOL_CONTEXT, true},
    {"now", TOOL_CONTEXT, true},
    {"activation-url", TOOL_CONTEXT, true},
    {"enumeration-safe", TOOL_CONTEXT, false},
    {"no-captcha", TOOL_CONTEXT, false},
};

static const tool_option *own_option(const tool_command *cmd, const char *name)
{
    for (const tool_option *p = cmd->options; p != NULL && p->name != NULL; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

int tool_setting_find(const char *name)
{
    for (int k = 0; k < TOOL_NSETTINGS; k++)
        if (strcmp(tool_settings[k].name, name) == 0)
            return k;
    return -1;
}

int tool_option_takes(const tool_command *cmd, const char *name)
{
    const tool_option *own = own_option(cmd, name);
    if (own != NULL)
        return own->flag != NULL ? TOOL_TAKES_FLAG : TOOL_TAKES_VALUE;
    for (size_t k = 0; k < sizeof shared_options / sizeof shared_options[0];
         k++)
        if ((cmd->shared & shared_options[k].in) &&
            strcmp(shared_options[k].name, name) == 0)
            return shared_options[k].value ? TOOL_TAKES_VALUE : TOOL_TAKES_FLAG;
    if ((cmd->shared & TOOL_CONTEXT) && tool_setting_find(name) >= 0)
        return TOOL_TAKES_VALUE;
    return TOOL_NOT_TAKEN;
}

/* A shared option the command takes; value is NULL for a flag. */
static bool set_shared(tool_options *o, const char *name, const char *value)
{
    int k = tool_setting_find(name);
    if (k >= 0) {
        if (!tool_parse_setting((size_t)k, value, &o->settings[k]))
            return false;
        o->settings_given |= UINT32_C(1) << k;
        return true;
    }
    if (strcmp(name, "db") == 0) {
        o->db = value;
    } else if (strcmp(name, "secret-file") == 0) {
        o->secret_file = value;
    } else if (strcmp(name, "activation-url") == 0) {
        o->url = value;
    } else if (strcmp(name, "lang") == 0) {
        return chorusacct_lang_from_tag(&o->lang, value) == CHORUSACCT_OK;
    } else if (strcmp(name, "now") == 0) {
        o->now_set = tool_parse_time(value, &o->now);
        if (!o->now_set)
            fprintf(stderr,
                    "chorusacct: --now: not a real time: %s "
                    "(YYYY-MM-DDTHH:MM:SS then Z or +HH:MM or -HH:MM, "
                    "from 1970 to 9999)\n",
                    value);
        return o->now_set;
    } else {
        uint32_t bit = strcmp(name, "no-captcha") == 0
                           ? CHORUSACCT_CFG_NO_CAPTCHA
                           : CHORUSACCT_CFG_ENUMERATION_SAFE;
        o->config_flags |= bit;
        o->config_flags_set |= bit;
    }
    return true;
}

static bool set_own(const tool_option *p, const char *value)
{
    if (p->flag != NULL) {
        *p->flag = 1;
    } else if (p->value != NULL) {
        *p->value = value;
    } else {
        int64_t v;
        if (!tool_parse_i64(value, &v) || v <= 0 || v > 1000000000) {
            fprintf(stderr,
                    "chorusacct: --%s: not a valid count: %s (a whole "
                    "number from 1 to 1000000000)\n",
                    p->name, value);
            return false;
        }
        *p->count = (long)v;
    }
    return true;
}

bool tool_parse_options(const tool_command *cmd, int argc, char **argv,
                        int cmd_at, tool *t, char ***args, int *nargs)
{
    static char *positional[255];
    int npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || a[1] != '-') {
            if (i == cmd_at)
                continue;
            if (npos == (int)(sizeof positional / sizeof positional[0]))
                return false;
            positional[npos++] = argv[i];
            continue;
        }
        int takes = tool_option_takes(cmd, a + 2);
        if (takes == TOOL_NOT_TAKEN) {
            fprintf(stderr, "chorusacct: %s does not take %s\n", cmd->name, a);
            return false;
        }
        const char *value = NULL;
        if (takes == TOOL_TAKES_VALUE) {
            if (i + 1 >= argc) {
                fprintf(stderr, "chorusacct: unknown or incomplete option %s\n",
                        a);
                return false;
            }
            value = argv[++i];
        }
        const tool_option *own = own_option(cmd, a + 2);
        if (!(own != NULL ? set_own(own, value)
                          : set_shared(&t->o, a + 2, value)))
            return false;
    }
    *args = positional;
    *nargs = npos;
    return true;
}

/* ------------------------------------------------------------------ */
/* The context                                                          */

void tool_init(tool *t)
{
    memset(t, 0, sizeof *t);
    t->o.db = "chorusacct.db";
    t->o.lang = CHORUSACCT_LANG_EN;
}

const char *tool_msg(const tool *t, int code)
{
    return chorusacct_strerror(code, t->o.lang);
}

/* A refusal or a failure, after `what` (may be empty). */
static int report(const tool *t, const char *what, int rc, int reason)
{
    int code = rc == CHORUSACCT_E_REJECTED ? reason : rc;
    fprintf(stderr, "chorusacct: %s%s: %s\n", what,
            chorusacct_status_name(code), tool_msg(t, code));
    if (rc != CHORUSACCT_E_REJECTED && chorusacct_ctx_last_error(t->ctx)[0])
        fprintf(stderr, "chorusacct: %s\n", chorusacct_ctx_last_error(t->ctx));
    return rc == CHORUSACCT_E_REJECTED ? EXIT_REFUSED : EXIT_USAGE;
}

int tool_report(const tool *t, int rc, int reason)
{
    return report(t, "", rc, reason);
}

int tool_report_account(const tool *t, int64_t id, int rc, int reason)
{
    char what[40];
    snprintf(what, sizeof what, "account %lld: ", (long long)id);
    return report(t, what, rc, reason);
}

static void config_key(char *key, size_t cap, const char *name)
{
    snprintf(key, cap, "config.%s", name);
}

int tool_config_get(const tool *t, const char *name, int64_t *v)
{
    char key[64], buf[32];
    size_t len = 0;
    config_key(key, sizeof key, name);
    int rc = t->storage.meta_get(t->storage.user_data, key, (uint8_t *)buf,
                                 sizeof buf - 1, &len);
    if (rc != CHORUSACCT_OK)
        return rc;
    buf[len] = '\0';
    return tool_parse_i64(buf, v) ? CHORUSACCT_OK : CHORUSACCT_E_STORAGE;
}

int tool_config_set(const tool *t, const char *name, int64_t v)
{
    char key[64], value[32];
    config_key(key, sizeof key, name);
    snprintf(value, sizeof value, "%lld", (long long)v);
    return t->storage.meta_set(t->storage.user_data, key,
                               (const uint8_t *)value, strlen(value));
}

/* The key secret from a file kept outside the database: exactly 32 bytes,
 * or 64 hexadecimal digits and an optional line end; only its owner may
 * read it. Read without stdio (no buffer keeps a copy), and every copy
 * wiped. Returns an exit status. */
static int load_secret(tool *t, const char *path)
{
    char raw[160];
    uint8_t key[CHORUSACCT_SECRET_SIZE];
    const char *why = NULL;
    struct stat st;
    ssize_t n = 0, got;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "chorusacct: secret file %s: %s\n", path,
                strerror(errno));
        return EXIT_USAGE;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        why = "not a regular file";
    else if ((st.st_mode & 077) != 0)
        why = "readable by others than its owner (chmod 600)";
    while (why == NULL && (size_t)n < sizeof raw &&
           (got = read(fd, raw + n, sizeof raw - (size_t)n)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            why = strerror(errno);
        else
            n += got;
    }
    close(fd);
    size_t len = (size_t)n;
    if (why == NULL && len == sizeof key) {
        memcpy(key, raw, sizeof key);
    } else if (why == NULL) {
        if (len > 0 && raw[len - 1] == '\n')
            len--;
        if (len > 0 && raw[len - 1] == '\r')
            len--;
        if (len != 2 * sizeof key)
            why = "not 32 bytes nor 64 hexadecimal digits";
        for (size_t i = 0; why == NULL && i < sizeof key; i++) {
            unsigned v = 0;
            for (size_t j = 0; why == NULL && j < 2; j++) {
                char c = raw[2 * i + j];
                int d = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (d < 0)
                    why = "not 32 bytes nor 64 hexadecimal digits";
                v = v * 16 + (unsigned)(d < 0 ? 0 : d);
            }
            key[i] = (uint8_t)v;
        }
    }
    tool_wipe(raw, sizeof raw);
    int rc = why == NULL ? chorusacct_ctx_set_secret(t->ctx, key, sizeof key)
                         : CHORUSACCT_OK;
    tool_wipe(key, sizeof key);
    if (why != NULL || rc != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: secret file %s: %s\n", path,
                why != NULL ? why : tool_msg(t, rc));
        return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

int tool_open(tool *t)
{
    const tool_options *o = &t->o;
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
        fprintf(stderr, "chorusacct: %s\n", tool_msg(t, rc));
        return EXIT_USAGE;
    }
    const char *secret_file = o->secret_file;
    if (secret_file == NULL)
        secret_file = getenv("CHORUSACCT_SECRET_FILE");
    if (secret_file != NULL && secret_file[0] != '\0') {
        int st = load_secret(t, secret_file);
        if (st != EXIT_SUCCESS)
            return st;
    }
    t->storage.struct_size = (uint32_t)sizeof t->storage;
    /* A command that only reads never creates the file: a mistyped --db
     * says so. The library opens a file this process may only read
     * read-only. */
    if (tool_db_is_postgres(o->db)) {
        /* A libpq connection URI: the PostgreSQL backend. Its password
         * never on the command line (ps shows it): ~/.pgpass or
         * PGPASSFILE, as libpq reads them. A command that only reads
         * never creates nor migrates the tables. */
        if (tool_uri_has_password(o->db)) {
            fprintf(stderr, "chorusacct: --db: %s\n",
                    o->lang == CHORUSACCT_LANG_FR
                        ? "pas de mot de passe dans l'URI (il serait visible "
                          "dans ps) : utilisez ~/.pgpass ou PGPASSFILE."
                        : "no password in the URI (ps would show it): use "
                          "~/.pgpass or PGPASSFILE.");
            return EXIT_USAGE;
        }
        rc = chorusacct_postgres_ops(
            &t->storage, o->db,
            o->reads_only ? CHORUSACCT_POSTGRES_NO_MIGRATE : 0);
    } else {
        rc = chorusacct_sqlite_ops(&t->storage, o->db,
                                   o->reads_only ? CHORUSACCT_SQLITE_NO_CREATE
                                                 : 0);
    }
    if (rc == CHORUSACCT_OK) {
        rc = chorusacct_ctx_set_storage(t->ctx, &t->storage);
        if (rc != CHORUSACCT_OK)
            t->storage.destroy(t->storage.user_data);
    }
    if (rc == CHORUSACCT_E_NOTFOUND && o->reads_only) {
        fprintf(stderr, "chorusacct: %s: NOTFOUND: %s\n", o->db,
                o->lang == CHORUSACCT_LANG_FR
                    ? "ce fichier de base de données n'existe pas."
                    : "no such database file.");
        return EXIT_USAGE;
    }
    if (rc != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct: %s: %s: %s\n", o->db,
                chorusacct_status_name(rc), tool_msg(t, rc));
        return EXIT_USAGE;
    }
    /* Stored settings first, then the command line's. */
    for (size_t i = 0; i < TOOL_NSETTINGS; i++) {
        int64_t v;
        if (tool_config_get(t, tool_settings[i].name, &v) == CHORUSACCT_OK &&
            chorusacct_ctx_set_int(t->ctx, tool_settings[i].opt, v) !=
                CHORUSACCT_OK)
            fprintf(stderr, "chorusacct: stored setting %s ignored\n",
                    tool_settings[i].name);
        if ((o->settings_given & (UINT32_C(1) << i)) &&
            chorusacct_ctx_set_int(t->ctx, tool_settings[i].opt,
                                   o->settings[i]) != CHORUSACCT_OK) {
            fprintf(stderr, "chorusacct: --%s: %s\n", tool_settings[i].name,
                    chorusacct_ctx_last_error(t->ctx));
            return EXIT_USAGE;
        }
    }
    int64_t stored;
    if (tool_config_get(t, "flags", &stored) == CHORUSACCT_OK) {
        int64_t flags =
            (stored & ~(int64_t)o->config_flags_set) | (int64_t)o->config_flags;
        if (chorusacct_ctx_set_int(t->ctx, CHORUSACCT_OPT_FLAGS, flags) !=
            CHORUSACCT_OK)
            fprintf(stderr, "chorusacct: stored flags ignored\n");
    }
    if (o->now_set) {
        chorusacct_clock_ops ck = {.struct_size = sizeof ck};
        if (chorusacct_testclock_new(&t->clock, o->now) != CHORUSACCT_OK ||
            chorusacct_testclock_ops(&ck, t->clock) != CHORUSACCT_OK ||
            chorusacct_ctx_set_clock(t->ctx, &ck) != CHORUSACCT_OK)
            return EXIT_USAGE;
    }
    return EXIT_SUCCESS;
}

void tool_close(tool *t)
{
    chorusacct_ctx_free(t->ctx); /* closes the database */
    chorusacct_testclock_free(t->clock);
    chorusacct_testmailer_free(t->capture);
    t->ctx = NULL;
    t->clock = NULL;
    t->capture = NULL;
}

/* ------------------------------------------------------------------ */
/* Arguments and printing                                               */

bool tool_parse_id(const char *s, int64_t *id)
{
    if (!tool_parse_i64(s, id) || *id <= 0) {
        fprintf(stderr, "chorusacct: not an account id: %s\n", s);
        return false;
    }
    return true;
}

bool tool_need(const char *value, const char *option)
{
    if (value == NULL || value[0] == '\0') {
        fprintf(stderr, "chorusacct: %s is required\n", option);
        return false;
    }
    return true;
}

bool tool_need_id(const char *value, const char *option, int64_t *id)
{
    return tool_need(value, option) && tool_parse_id(value, id);
}

void tool_format_time(int64_t t, char *buf, size_t cap)
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
    /* A deadline may pass 9999 (the clock stops there, not what is added
     * to it): ISO 8601's expanded years, signed, rather than a year cut
     * to four digits. */
    if (y < 0 || y > 9999) {
        snprintf(buf, cap, "%+lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y,
                 (unsigned)(uint8_t)m, (unsigned)(uint8_t)d,
                 (unsigned)(uint8_t)(rem / 3600),
                 (unsigned)(uint8_t)(rem / 60 % 60),
                 (unsigned)(uint8_t)(rem % 60));
        return;
    }
    /* Every field is in range here; the narrow types tell the compiler
     * so, and keep the text within 20 characters. */
    snprintf(buf, cap, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(uint16_t)y,
             (unsigned)(uint8_t)m, (unsigned)(uint8_t)d,
             (unsigned)(uint8_t)(rem / 3600),
             (unsigned)(uint8_t)(rem / 60 % 60), (unsigned)(uint8_t)(rem % 60));
}

void tool_print_account_state(int64_t id, int state)
{
    char name[TOOL_NAME_SIZE];
    printf("account\t%lld\t%s\n", (long long)id,
           tool_name(name, chorusacct_state_name(state), state));
}

/* ------------------------------------------------------------------ */
/* Text in the output: escaped, one field of one line                  */

/* The length of the UTF-8 sequence at p[0..n) and its code point, or 0
 * when it is not well-formed (overlong forms, surrogates and code points
 * past U+10FFFF included). */
static size_t utf8_at(const unsigned char *p, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, v = p[0] & 0x1Fu, min = 0x80;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, v = p[0] & 0x0Fu, min = 0x800;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, v = p[0] & 0x07u, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0u) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

void tool_put_text(FILE *f, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    const size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp = 0;
        size_t len = utf8_at(p + i, n - i, &cp);
        if (len == 0) {
            fprintf(f, "\\x%02X", p[i]); /* not UTF-8: the byte */
            i++;
            continue;
        }
        if (cp == '\\')
            fputs("\\\\", f);
        else if (cp == '\t')
            fputs("\\t", f);
        else if (cp == '\n')
            fputs("\\n", f);
        else if (cp == '\r')
            fputs("\\r", f);
        else if (cp < 0x20 || cp == 0x7F)
            fprintf(f, "\\x%02X", (unsigned)cp);
        else if ((cp >= 0x80 && cp < 0xA0) || cp == 0x2028 || cp == 0x2029)
            fprintf(f, "\\u%04X", (unsigned)cp);
        else
            fwrite(p + i, 1, len, f);
        i += len;
    }
}

void tool_put_field(const char *s, char end)
{
    tool_put_text(stdout, s[0] != '\0' ? s : "-");
    putchar(end);
}

void tool_put_kv(const char *key, const char *value)
{
    printf("%s: ", key);
    tool_put_text(stdout, value);
    putchar('\n');
}

const char *tool_name(char *buf, const char *name, int value)
{
    if (strcmp(name, "unknown") != 0 && strcmp(name, "UNKNOWN") != 0)
        return name;
    snprintf(buf, TOOL_NAME_SIZE, "unknown(%d)", value);
    return buf;
}
