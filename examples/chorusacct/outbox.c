/*
 * The outbox: chorusacct deliver (into a Maildir or over SMTP) and outbox.
 */
#include "tool.h"

#include <errno.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* deliver                                                              */

static struct deliver_opts {
    const char *maildir, *from, *smtp;
    const char *smtp_tls, *smtp_user, *smtp_password_file, *smtp_ca;
    long max;
} deliver_opt;

static const tool_option deliver_options[] = {
    {"maildir", .value = &deliver_opt.maildir},
    {"smtp", .value = &deliver_opt.smtp},
    {"from", .value = &deliver_opt.from},
    {"max", .count = &deliver_opt.max},
    {"smtp-tls", .value = &deliver_opt.smtp_tls},
    {"smtp-user", .value = &deliver_opt.smtp_user},
    {"smtp-password-file", .value = &deliver_opt.smtp_password_file},
    {"smtp-ca", .value = &deliver_opt.smtp_ca},
    {0},
};

/* smtp://HOST[:PORT][/] or smtps://...; HOST may be an [IPv6] address.
 * The host goes to `host` (brackets kept), the port to *port (0 when
 * absent). */
static bool parse_smtp_url(const char *url, char *host, size_t cap, int *port,
                           bool *smtps)
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
static int smtp_mailer_of(const struct deliver_opts *o, const char *from,
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
        fprintf(stderr,
                "chorusacct: --smtp: not smtp://HOST[:PORT] or "
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
    /* Taken out of the environment whatever the options, so that no
     * copy of it outlives this call (the environment's own is wiped). */
    size_t env_len = 0;
    int env = tool_take_env_secret("CHORUSACCT_SMTP_PASSWORD", password,
                                   sizeof password, &env_len);
    if (o->smtp_user != NULL) {
        if (o->smtp_password_file != NULL) {
            FILE *f = fopen(o->smtp_password_file, "r");
            /* Unbuffered: no stdio buffer keeps a copy of the password. */
            if (f != NULL)
                setvbuf(f, NULL, _IONBF, 0);
            bool ok = f != NULL && fgets(password, sizeof password, f);
            if (f != NULL)
                fclose(f);
            if (!ok) {
                tool_wipe(password, sizeof password);
                fprintf(stderr, "chorusacct: cannot read %s\n",
                        o->smtp_password_file);
                return CHORUSACCT_E_IO;
            }
            password[strcspn(password, "\r\n")] = '\0';
        } else if (env == TOOL_LINE_LONG) {
            fputs("chorusacct: CHORUSACCT_SMTP_PASSWORD is too long\n", stderr);
            return CHORUSACCT_E_ARG;
        } else if (env == TOOL_LINE_OK) {
            /* Already in password. */
        } else {
            tool_wipe(password, sizeof password);
            fputs("chorusacct: --smtp-user needs --smtp-password-file or "
                  "CHORUSACCT_SMTP_PASSWORD\n",
                  stderr);
            return CHORUSACCT_E_ARG;
        }
        c.username = o->smtp_user;
        c.password = password;
    }
    rc = chorusacct_smtp_ops(ml, &c); /* copies the password */
    tool_wipe(password, sizeof password);
    return rc;
}

static int run_deliver(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
    const struct deliver_opts *o = &deliver_opt;
    chorusacct_mailer_ops ml = {.struct_size = sizeof ml};
    const char *dir = o->maildir != NULL ? o->maildir : "Maildir";
    const char *from =
        o->from != NULL ? o->from : "no-reply@chorusacct.localhost";
    if (o->smtp != NULL && o->maildir != NULL) {
        fputs("chorusacct: --smtp or --maildir, not both\n", stderr);
        return EXIT_USAGE;
    }
    int rc = o->smtp != NULL ? smtp_mailer_of(o, from, &ml)
                             : chorusacct_maildir_ops(&ml, dir, from);
    if (rc == CHORUSACCT_OK)
        rc = chorusacct_ctx_set_mailer(t->ctx, &ml);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, 0);
    chorusacct_delivery d = {.struct_size = sizeof d};
    rc = chorusacct_outbox_deliver(t->ctx, o->max > 0 ? (size_t)o->max : 1000,
                                   &d);
    if (rc != CHORUSACCT_OK)
        return tool_report(t, rc, 0);
    printf("sent: %u\nretried: %u\ndead: %u\ncancelled: %u\n", d.sent,
           d.retried, d.dead, d.cancelled);
    return EXIT_SUCCESS;
}

const tool_command tool_cmd_deliver = {"deliver", TOOL_FLOW, deliver_options,
                                       run_deliver};

/* ------------------------------------------------------------------ */
/* outbox                                                               */

static int run_outbox(tool *t, int argc, char **argv)
{
    (void)argc, (void)argv;
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
            tool_format_time(m[i].status == CHORUSACCT_MSG_PENDING
                                 ? m[i].next_attempt_at
                                 : m[i].sent_at,
                             when, sizeof when);
            char name[TOOL_NAME_SIZE];
            printf("%lld\t", (long long)m[i].id);
            tool_put_field(
                tool_name(name, chorusacct_message_status_name(m[i].status),
                          m[i].status),
                '\t');
            tool_put_field(tool_name(name, chorusacct_mail_kind_name(m[i].kind),
                                     m[i].kind),
                           '\t');
            tool_put_field(m[i].to, '\t');
            printf("%d\t%s\t", m[i].attempts, when);
            tool_put_field(m[i].last_error, '\n');
            after = m[i].id;
        }
    } while (rc == CHORUSACCT_OK && n == 16);
    free(m);
    return rc == CHORUSACCT_OK ? EXIT_SUCCESS : tool_report(t, rc, 0);
}

const tool_command tool_cmd_outbox = {"outbox", TOOL_FLOW, NULL, run_outbox};
