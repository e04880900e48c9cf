/*
 * The SMTP mailer against a real SMTP server on loopback: tests/
 * smtp_server.py (aiosmtpd), whose replies the tests script and which
 * keeps each message it accepts, with what Python's email package reads
 * in it. Checked: the bytes that arrive are chorusacct_mail_format()'s,
 * the envelope, the decoded headers and body, plain text, STARTTLS and
 * implicit TLS with authentication, certificate checks, and the results:
 * 4xx and connection failures and timeouts are temporary, 5xx refusals of
 * the message permanent; then the whole flow, with the activation link
 * that arrives used to activate, retries with backoff, dead letters.
 *
 * usage: test_smtp PYTHON SERVER_SCRIPT (exits 77 when SMTP is not built
 * in or aiosmtpd is missing)
 */
#include "flowutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <chorusacct/testkit.h>

#define FROM "Chorus Pro <noreply@chorus.example>"
#define USER "robot"
#define PASSWORD "s3cret-Pa55"

static struct {
    pid_t pid;
    FILE *to, *from; /* the control pipes */
    char dir[64];
    int plain, starttls, implicit;
    char cert[128];
} srv;

/* ------------------------------------------------------------------ */
/* The server                                                           */

/* Returns 0 when it runs, 77 when it cannot (aiosmtpd missing), 1 on a
 * failure. */
static int server_start(const char *python, const char *script)
{
    int in[2], out[2];
    snprintf(srv.dir, sizeof srv.dir, "/tmp/chorusacct-smtp-XXXXXX");
    if (mkdtemp(srv.dir) == NULL || pipe(in) != 0 || pipe(out) != 0)
        return 1;
    srv.pid = fork();
    if (srv.pid < 0)
        return 1;
    if (srv.pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
        execl(python, python, script, srv.dir, USER, PASSWORD, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    srv.to = fdopen(in[1], "w");
    srv.from = fdopen(out[0], "r");
    char line[512] = "", plain[16], st[16], im[16];
    if (srv.to == NULL || srv.from == NULL ||
        fgets(line, sizeof line, srv.from) == NULL ||
        sscanf(line, "ready %15s %15s %15s %127s", plain, st, im, srv.cert) !=
            4) {
        int status = 0;
        fprintf(stderr, "server: %s", line);
        waitpid(srv.pid, &status, 0);
        srv.pid = 0;
        return WIFEXITED(status) && WEXITSTATUS(status) == 77 ? 77 : 1;
    }
    srv.plain = atoi(plain);
    srv.starttls = atoi(st);
    srv.implicit = atoi(im);
    return 0;
}

static void server_stop(void)
{
    if (srv.pid > 0) {
        fclose(srv.to); /* the end of its input stops it */
        fclose(srv.from);
        waitpid(srv.pid, NULL, 0);
    }
    /* Its folder: the messages, the certificate and its key. */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", srv.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", srv.dir);
}

static void ctl(const char *cmd, char *answer, size_t cap)
{
    fprintf(srv.to, "%s\n", cmd);
    fflush(srv.to);
    if (fgets(answer, (int)cap, srv.from) == NULL)
        fail_msg("the server is gone (after %s)", cmd);
    answer[strcspn(answer, "\n")] = '\0';
}

static void ctl_ok(const char *cmd)
{
    char answer[128];
    ctl(cmd, answer, sizeof answer);
    assert_string_equal(answer, "ok");
}

static int received(void)
{
    char answer[32];
    ctl("count", answer, sizeof answer);
    return atoi(answer);
}

static bool have_tls(void)
{
    return srv.starttls > 0 && srv.implicit > 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = 2 * cap + 4096 + 1;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t r = fread(buf + n, 1, 4096, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL)
        *len = n;
    return buf;
}

/* Message n as received (raw) and as the server's reader saw it. */
static char *raw_of(int n, size_t *len)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%d.eml", srv.dir, n);
    return slurp(path, len);
}

static char *desc_of(int n)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%d.txt", srv.dir, n);
    return slurp(path, NULL);
}

/* The value of the first "key: value" line of a description. */
static const char *field(const char *desc, const char *key, char *out,
                         size_t cap)
{
    size_t k = strlen(key);
    const char *end = strstr(desc, "\n\n");
    for (const char *p = desc; p != NULL && p < end;) {
        if (strncmp(p, key, k) == 0 && p[k] == ':' && p[k + 1] == ' ') {
            const char *v = p + k + 2;
            size_t n = strcspn(v, "\n");
            snprintf(out, cap, "%.*s", (int)n, v);
            return out;
        }
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    fail_msg("no %s in:\n%s", key, desc);
    return NULL;
}

static const char *body_text(const char *desc)
{
    const char *p = strstr(desc, "\n\n");
    assert_non_null(p);
    return p + 2;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

static void config(chorusacct_smtp_config *c, int tls, int port)
{
    assert_code(chorusacct_smtp_config_init(c, sizeof *c), CHORUSACCT_OK, NULL);
    c->tls = tls;
    c->host = "127.0.0.1";
    c->port = port;
    c->from = FROM;
    c->helo = "client.test";
    c->timeout_ms = 20000;
    if (tls != CHORUSACCT_SMTP_TLS_NONE) {
        c->username = USER;
        c->password = PASSWORD;
        c->ca_file = srv.cert;
    }
}

static void mailer(chorusacct_mailer_ops *ops, const chorusacct_smtp_config *c)
{
    ops->struct_size = (uint32_t)sizeof *ops;
    int rc = chorusacct_smtp_ops(ops, c);
    if (rc != CHORUSACCT_OK)
        fail_msg("chorusacct_smtp_ops: %s", chorusacct_status_name(rc));
}

static chorusacct_mail make_mail(const char *to)
{
    chorusacct_mail m;
    memset(&m, 0, sizeof m);
    m.struct_size = (uint32_t)sizeof m;
    m.kind = CHORUSACCT_MAIL_SUMMARY;
    m.message_id = 42;
    m.account_id = 7;
    m.created_at = T0;
    m.lang = CHORUSACCT_LANG_FR;
    m.attempt = 1;
    m.to = to;
    m.subject = "Votre compte a été créé — « Chorus Pro »";
    m.body = "Bonjour Jérôme,\n"
             "\n"
             ".une ligne qui commence par un point\n"
             "From here, a line an mbox would alter.\n"
             "Une ligne très longue qui dépasse soixante-seize caractères "
             "et doit être coupée par des sauts de ligne doux.\n"
             "Fin.\n";
    return m;
}

/* Sends one message through the table; returns the result, the error in
 * `error`. */
static int send_one(const chorusacct_mailer_ops *ops, const chorusacct_mail *m,
                    char *error, size_t cap)
{
    error[0] = '\0';
    return ops->send(ops->user_data, m, error, cap);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A loopback socket with a port of its own; listening or not. */
static int socket_on_port(bool listening, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    if (listening)
        assert_int_equal(listen(fd, 4), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static int setup(void **state)
{
    (void)state;
    ctl_ok("reset");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Settings                                                             */

/* Settings the mailer refuses, one change each to good ones. */
static const struct {
    const char *field, *value;
} bad[] = {
    {"host", NULL},
    {"host", ""},
    {"host", "smtp example.fr"},
    {"host", "smtp.example.fr/x"},
    {"host", "[192.0.2.1]"}, /* brackets are for IPv6 */
    {"host", "user@smtp.example.fr"},
    {"host", "-smtp"},
    {"port", "65536"},
    {"port", "-1"},
    {"tls", "3"},
    {"tls", "-1"},
    {"tls", "0"}, /* a login in clear text */
    {"reserved0", "1"},
    {"timeout_ms", "-1"},
    {"timeout_ms", "3600001"},
    {"from", NULL},
    {"from", "noreply"},
    {"from", "noréply@chorus.example"},
    {"from", "Chorus <noreply@chorus.example"},
    {"from", "no reply@chorus.example"},
    {"username", NULL}, /* a password alone */
    {"password", NULL}, /* a login alone */
    {"username", "robot\r\nRSET"},
    {"password", ""},
    {"helo", "client/test"},
    {"helo", ""},
    {"ca_file", ""},
};

static void set_field(chorusacct_smtp_config *c, const char *field,
                      const char *value)
{
    if (strcmp(field, "host") == 0)
        c->host = value;
    else if (strcmp(field, "port") == 0)
        c->port = atoi(value);
    else if (strcmp(field, "tls") == 0)
        c->tls = atoi(value);
    else if (strcmp(field, "reserved0") == 0)
        c->reserved0 = atoi(value);
    else if (strcmp(field, "timeout_ms") == 0)
        c->timeout_ms = atoll(value);
    else if (strcmp(field, "from") == 0)
        c->from = value;
    else if (strcmp(field, "username") == 0)
        c->username = value;
    else if (strcmp(field, "password") == 0)
        c->password = value;
    else if (strcmp(field, "helo") == 0)
        c->helo = value;
    else if (strcmp(field, "ca_file") == 0)
        c->ca_file = value;
    else
        fail_msg("no field %s", field);
}

static void test_config_defaults_and_refusals(void **state)
{
    (void)state;
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    assert_code(chorusacct_smtp_config_init(&c, sizeof c), CHORUSACCT_OK, NULL);
    assert_int_equal(c.struct_size, sizeof c);
    assert_int_equal(c.tls, CHORUSACCT_SMTP_TLS_STARTTLS);
    assert_int_equal(c.port, 0);
    assert_int_equal(c.timeout_ms, 60000);
    assert_null(c.host);
    assert_null(c.username);
    assert_code(chorusacct_smtp_config_init(&c, sizeof c - 1), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_smtp_config_init(NULL, sizeof c), CHORUSACCT_E_ARG,
                NULL);
    assert_code(chorusacct_smtp_ops(NULL, &c), CHORUSACCT_E_ARG, NULL);
    memset(&ops, 0xA5, sizeof ops);
    assert_code(chorusacct_smtp_ops(&ops, NULL), CHORUSACCT_E_ARG, NULL);
    assert_null(ops.send); /* cleared on failure */

    /* Good settings build a table (no connection is made). */
    static const struct {
        int tls;
        const char *host, *helo;
        int port;
        bool login;
    } good[] = {
        {CHORUSACCT_SMTP_TLS_NONE, "localhost", NULL, 0, false},
        {CHORUSACCT_SMTP_TLS_NONE, "::1", "[127.0.0.1]", 25, false},
        {CHORUSACCT_SMTP_TLS_STARTTLS, "[::1]", "[IPv6:::1]", 587, true},
        {CHORUSACCT_SMTP_TLS_IMPLICIT, "smtp.example.fr", "host.example.fr",
         65535, true},
    };
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        config(&c, good[i].tls, good[i].port);
        c.host = good[i].host;
        c.helo = good[i].helo;
        if (!good[i].login)
            c.username = c.password = NULL;
        c.ca_file = NULL;
        mailer(&ops, &c);
        assert_int_equal(ops.struct_size, sizeof ops);
        assert_non_null(ops.send);
        assert_non_null(ops.destroy);
        ops.destroy(ops.user_data);
    }

    /* Each of these is refused. */
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        config(&c, CHORUSACCT_SMTP_TLS_STARTTLS, 587);
        set_field(&c, bad[i].field, bad[i].value);
        memset(&ops, 0xA5, sizeof ops);
        int rc = chorusacct_smtp_ops(&ops, &c);
        if (rc != CHORUSACCT_E_ARG)
            fail_msg("%s = %s: %s", bad[i].field,
                     bad[i].value ? bad[i].value : "NULL",
                     chorusacct_status_name(rc));
        assert_null(ops.send);
    }
    config(&c, CHORUSACCT_SMTP_TLS_STARTTLS, 587);
    c.ca_file = "/nonexistent/ca.pem";
    assert_code(chorusacct_smtp_ops(&ops, &c), CHORUSACCT_E_IO, NULL);
    /* A newer caller's bigger struct: members past ours are ignored. */
    struct {
        chorusacct_smtp_config c;
        uint64_t future;
    } big;
    assert_code(chorusacct_smtp_config_init(&big.c, sizeof big), CHORUSACCT_OK,
                NULL);
    assert_int_equal(big.c.struct_size, sizeof big);
    assert_int_equal(big.future, 0);
    big.c.host = "localhost";
    big.c.from = FROM;
    big.c.tls = CHORUSACCT_SMTP_TLS_NONE;
    big.future = UINT64_MAX;
    mailer(&ops, &big.c);
    ops.destroy(ops.user_data);
}

/* ------------------------------------------------------------------ */
/* What arrives                                                         */

/* Sends make_mail() over `tls` to `port` and checks everything the
 * server got: the exact bytes, the envelope, the session, the headers and
 * body as an independent reader decodes them. */
static void check_delivery(int tls, int port, const char *want_auth,
                           const char *want_mechanism)
{
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    config(&c, tls, port);
    mailer(&ops, &c);
    chorusacct_mail m = make_mail("jean.dupont@example.fr");
    char error[CHORUSACCT_MAIL_ERROR_SIZE];
    int before = received();
    int result = send_one(&ops, &m, error, sizeof error);
    if (result != CHORUSACCT_MAIL_SENT)
        fail_msg("send: %d %s", result, error);
    ops.destroy(ops.user_data);
    assert_int_equal(received(), before + 1);

    size_t want_len = 0, got_len = 0;
    assert_code(
        chorusacct_mail_format(&m, FROM, m.created_at, NULL, 0, &want_len),
        CHORUSACCT_OK, NULL);
    char *want = malloc(want_len + 1);
    assert_non_null(want);
    assert_code(chorusacct_mail_format(&m, FROM, m.created_at, want,
                                       want_len + 1, &want_len),
                CHORUSACCT_OK, NULL);
    char *raw = raw_of(before + 1, &got_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(raw, want, want_len);
    free(raw);
    free(want);

    char *d = desc_of(before + 1), v[512];
    assert_string_equal(field(d, "mail-from", v, sizeof v),
                        "noreply@chorus.example");
    assert_string_equal(field(d, "rcpt", v, sizeof v),
                        "jean.dupont@example.fr");
    assert_string_equal(field(d, "tls", v, sizeof v),
                        tls == CHORUSACCT_SMTP_TLS_NONE ? "no" : "yes");
    assert_string_equal(field(d, "auth", v, sizeof v), want_auth);
    if (want_mechanism != NULL)
        assert_string_equal(field(d, "auth-mechanism", v, sizeof v),
                            want_mechanism);
    assert_string_equal(field(d, "helo", v, sizeof v), "client.test");
    assert_string_equal(field(d, "defects", v, sizeof v), "0");
    assert_string_equal(field(d, "h-from", v, sizeof v), FROM);
    assert_string_equal(field(d, "h-to", v, sizeof v),
                        "jean.dupont@example.fr");
    assert_string_equal(field(d, "h-subject", v, sizeof v), m.subject);
    assert_string_equal(field(d, "h-message-id", v, sizeof v),
                        "<chorusacct.42.7@chorus.example>");
    assert_string_equal(field(d, "h-date", v, sizeof v),
                        "Thu, 26 Nov 2026 10:00:00 +0000");
    assert_int_equal(atoll(field(d, "date-epoch", v, sizeof v)), T0);
    assert_string_equal(field(d, "h-mime-version", v, sizeof v), "1.0");
    assert_string_equal(field(d, "content-type", v, sizeof v), "text/plain");
    assert_string_equal(field(d, "charset", v, sizeof v), "utf-8");
    assert_string_equal(field(d, "h-auto-submitted", v, sizeof v),
                        "auto-generated");
    assert_string_equal(body_text(d), m.body);
    free(d);
}

static void test_delivery_without_tls(void **state)
{
    (void)state;
    check_delivery(CHORUSACCT_SMTP_TLS_NONE, srv.plain, "-", "-");
}

static void test_delivery_with_starttls(void **state)
{
    (void)state;
    if (!have_tls())
        skip();
    /* The server offers PLAIN and LOGIN: libcurl's choice. */
    check_delivery(CHORUSACCT_SMTP_TLS_STARTTLS, srv.starttls, USER, NULL);
}

static void test_implicit_tls(void **state)
{
    (void)state;
    if (!have_tls())
        skip();
    /* LOGIN only here: its two-step exchange. */
    check_delivery(CHORUSACCT_SMTP_TLS_IMPLICIT, srv.implicit, USER, "LOGIN");
}

/* Several threads share one table. */
enum { THREADS = 4, PER_THREAD = 5 };

typedef struct {
    const chorusacct_mailer_ops *ops;
    int index;
    int sent;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        chorusacct_mail m = make_mail("jean.dupont@example.fr");
        m.message_id = 1000 * (w->index + 1) + i;
        char error[CHORUSACCT_MAIL_ERROR_SIZE] = "";
        if (w->ops->send(w->ops->user_data, &m, error, sizeof error) ==
            CHORUSACCT_MAIL_SENT)
            w->sent++;
        else
            fprintf(stderr, "thread %d: %s\n", w->index, error);
    }
    return NULL;
}

static void test_threads_deliver_each_message_once(void **state)
{
    (void)state;
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    config(&c, CHORUSACCT_SMTP_TLS_NONE, srv.plain);
    mailer(&ops, &c);
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){&ops, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    int sent = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        sent += w[i].sent;
    }
    ops.destroy(ops.user_data);
    assert_int_equal(sent, THREADS * PER_THREAD);
    assert_int_equal(received(), THREADS * PER_THREAD);
    /* Every Message-ID arrived once. */
    bool seen[THREADS][PER_THREAD] = {{false}};
    for (int n = 1; n <= THREADS * PER_THREAD; n++) {
        char *d = desc_of(n), v[128];
        int id = 0, acct = 0;
        assert_int_equal(sscanf(field(d, "h-message-id", v, sizeof v),
                                "<chorusacct.%d.%d@", &id, &acct),
                         2);
        int th = id / 1000 - 1, i = id % 1000;
        assert_true(th >= 0 && th < THREADS && i >= 0 && i < PER_THREAD);
        assert_false(seen[th][i]);
        seen[th][i] = true;
        free(d);
    }
}

/* ------------------------------------------------------------------ */
/* Results                                                              */

/* Sends make_mail() to `to` over plain text; checks the result, that the
 * error holds `want_error`, and that the server kept nothing. */
static void expect_result(const char *to, int want, const char *want_error)
{
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    config(&c, CHORUSACCT_SMTP_TLS_NONE, srv.plain);
    mailer(&ops, &c);
    chorusacct_mail m = make_mail(to);
    char error[CHORUSACCT_MAIL_ERROR_SIZE];
    int before = received();
    int result = send_one(&ops, &m, error, sizeof error);
    ops.destroy(ops.user_data);
    if (result != want)
        fail_msg("to %s: %d (%s), not %d", to, result, error, want);
    assert_contains(error, want_error);
    assert_int_equal(received(), before);
}

static void test_server_replies_map_to_results(void **state)
{
    (void)state;
    /* After the message: 4xx temporary, 5xx permanent, the server's own
     * words kept. */
    ctl_ok("data 1 451 4.3.0 try later");
    expect_result("a@example.fr", CHORUSACCT_MAIL_TEMPFAIL,
                  "smtp: 451 4.3.0 try later (after the message)");
    ctl_ok("data 1 554 5.6.0 content refused");
    expect_result("a@example.fr", CHORUSACCT_MAIL_PERMFAIL,
                  "smtp: 554 5.6.0 content refused (after the message)");
    /* A multi-line reply: every line's text. */
    ctl_ok("data 1 452-4.3.1 queue full|452 4.3.1 come back later");
    expect_result("a@example.fr", CHORUSACCT_MAIL_TEMPFAIL,
                  "smtp: 452 4.3.1 queue full 4.3.1 come back later");
    /* To the recipient. */
    ctl_ok("rcpt nobody@example.fr 550 5.1.1 no such user");
    expect_result("nobody@example.fr", CHORUSACCT_MAIL_PERMFAIL,
                  "smtp: 550 5.1.1 no such user (after RCPT TO)");
    ctl_ok("rcpt full@example.fr 452 4.2.2 mailbox full");
    expect_result("full@example.fr", CHORUSACCT_MAIL_TEMPFAIL,
                  "smtp: 452 4.2.2 mailbox full (after RCPT TO)");
    /* The rules are spent or apply to others: this one goes through. */
    int before = received();
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    config(&c, CHORUSACCT_SMTP_TLS_NONE, srv.plain);
    mailer(&ops, &c);
    chorusacct_mail m = make_mail("a@example.fr");
    char error[CHORUSACCT_MAIL_ERROR_SIZE];
    assert_int_equal(send_one(&ops, &m, error, sizeof error),
                     CHORUSACCT_MAIL_SENT);
    /* A recipient that cannot go on a command line is never sent. */
    m = make_mail("a b@example.fr");
    assert_int_equal(send_one(&ops, &m, error, sizeof error),
                     CHORUSACCT_MAIL_PERMFAIL);
    m = make_mail("<a@example.fr>");
    assert_int_equal(send_one(&ops, &m, error, sizeof error),
                     CHORUSACCT_MAIL_PERMFAIL);
    m = make_mail("jérôme@example.fr");
    assert_int_equal(send_one(&ops, &m, error, sizeof error),
                     CHORUSACCT_MAIL_PERMFAIL);
    ops.destroy(ops.user_data);
    assert_int_equal(received(), before + 1);
}

/* Sends make_mail() with `c`; expects a temporary failure whose error
 * holds `want`, and nothing kept. */
static void expect_tempfail(const chorusacct_smtp_config *c, const char *want)
{
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    mailer(&ops, c);
    chorusacct_mail m = make_mail("jean.dupont@example.fr");
    char error[CHORUSACCT_MAIL_ERROR_SIZE];
    int before = received();
    int result = send_one(&ops, &m, error, sizeof error);
    ops.destroy(ops.user_data);
    if (result != CHORUSACCT_MAIL_TEMPFAIL)
        fail_msg("%d (%s), not a temporary failure", result, error);
    assert_contains(error, want);
    /* Never a secret in the error. */
    assert_null(strstr(error, PASSWORD));
    assert_null(strstr(error, "wrong-password"));
    assert_int_equal(received(), before);
}

static void test_tls_failures(void **state)
{
    (void)state;
    if (!have_tls())
        skip();
    chorusacct_smtp_config c;
    /* STARTTLS asked of a server that does not offer it: no clear text
     * (CURLE_USE_SSL_FAILED). */
    config(&c, CHORUSACCT_SMTP_TLS_STARTTLS, srv.plain);
    expect_tempfail(&c, "(curl error 64)");
    /* A certificate that no trusted authority signed
     * (CURLE_PEER_FAILED_VERIFICATION). */
    config(&c, CHORUSACCT_SMTP_TLS_STARTTLS, srv.starttls);
    c.ca_file = NULL;
    expect_tempfail(&c, "(curl error 60)");
    config(&c, CHORUSACCT_SMTP_TLS_IMPLICIT, srv.implicit);
    c.ca_file = NULL;
    expect_tempfail(&c, "(curl error 60)");
    /* The right authority, the wrong name: the certificate is for the
     * address 127.0.0.1, not for the name localhost. */
    config(&c, CHORUSACCT_SMTP_TLS_IMPLICIT, srv.implicit);
    c.host = "localhost";
    expect_tempfail(&c, "(curl error 60)");
    /* TLS to a clear-text server (CURLE_SSL_CONNECT_ERROR). */
    config(&c, CHORUSACCT_SMTP_TLS_IMPLICIT, srv.plain);
    expect_tempfail(&c, "(curl error 35)");
    /* A wrong password: 535, a fault of the settings, not the message. */
    config(&c, CHORUSACCT_SMTP_TLS_STARTTLS, srv.starttls);
    c.password = "wrong-password";
    expect_tempfail(&c, "535 5.7.8 Authentication credentials invalid "
                        "(after AUTH)");
    config(&c, CHORUSACCT_SMTP_TLS_IMPLICIT, srv.implicit); /* LOGIN */
    c.username = "someone";
    expect_tempfail(&c, "535 5.7.8 Authentication credentials invalid "
                        "(after AUTH)");
    /* Clear text to a server that wants STARTTLS first: 530 to MAIL,
     * still the session's fault. */
    config(&c, CHORUSACCT_SMTP_TLS_NONE, srv.starttls);
    c.username = c.password = NULL;
    expect_tempfail(&c, "530 ");
}

static void test_connection_refused(void **state)
{
    (void)state;
    int port;
    close(socket_on_port(false, &port)); /* nothing listens there now */
    chorusacct_smtp_config c;
    config(&c, CHORUSACCT_SMTP_TLS_NONE, port);
    expect_tempfail(&c, "(curl error 7)");
}

static void test_silent_server_times_out(void **state)
{
    (void)state;
    /* The kernel accepts the connection; nobody ever answers. */
    int port;
    int fd = socket_on_port(true, &port);
    chorusacct_smtp_config c;
    config(&c, CHORUSACCT_SMTP_TLS_NONE, port);
    c.timeout_ms = 700;
    double t0 = now_s();
    expect_tempfail(&c, "(curl error 28)");
    double elapsed = now_s() - t0;
    close(fd);
    /* Not before the timeout; long before anything else would end it. */
    assert_true(elapsed >= 0.6);
    assert_true(elapsed < 30.0);
}

/* ------------------------------------------------------------------ */
/* The flow, delivered over SMTP                                        */

static void use_smtp(flowfix *b)
{
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    config(&c, CHORUSACCT_SMTP_TLS_NONE, srv.plain);
    mailer(&ops, &c);
    assert_code(chorusacct_ctx_set_mailer(b->ctx, &ops), CHORUSACCT_OK, b->ctx);
}

/* The activation message among those received: its token. */
static void received_token(int first, const char *to, char *token, size_t cap)
{
    token[0] = '\0';
    for (int n = first; n <= received(); n++) {
        char *d = desc_of(n), v[256];
        if (strcmp(field(d, "rcpt", v, sizeof v), to) == 0 &&
            atoi(field(d, "h-x-chorusacct-kind", v, sizeof v)) ==
                CHORUSACCT_MAIL_ACTIVATION) {
            const char *link =
                strstr(body_text(d), "https://portal.test/activate?token=");
            assert_non_null(link);
            link += strlen("https://portal.test/activate?token=");
            snprintf(token, cap, "%.*s", (int)strcspn(link, " \n>"), link);
        }
        free(d);
    }
    assert_true(token[0] != '\0');
}

static void test_flow_delivers_through_smtp(void **state)
{
    (void)state;
    flowfix b;
    char siret[15], token[128];
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    use_smtp(&b);
    siret_of(4242, siret);
    int64_t id = do_signup(&b, "marie.curie@example.fr", siret,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    size_t queued = outbox_count(&b, CHORUSACCT_MSG_PENDING);
    assert_true(queued >= 1);
    assert_int_equal(do_deliver(&b), queued);
    assert_int_equal(received(), (int)queued);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_SENT), queued);
    received_token(1, "marie.curie@example.fr", token, sizeof token);
    int reason = 0;
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_ACTIVE);
    flowfix_close(&b);
}

static void test_flow_retry(void **state)
{
    (void)state;
    flowfix b;
    char siret[15], token[128];
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    use_smtp(&b);
    siret_of(4343, siret);
    int64_t id = do_signup(&b, "pierre.curie@example.fr", siret,
                           CHORUSACCT_STATE_AWAITING_ACTIVATION);
    size_t queued = outbox_count(&b, CHORUSACCT_MSG_PENDING);
    ctl_ok("data 1000 451 4.3.0 try later");
    chorusacct_delivery d = {.struct_size = sizeof d};
    assert_code(chorusacct_outbox_deliver(b.ctx, 100, &d), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(d.sent, 0);
    assert_int_equal(d.retried, queued);
    assert_int_equal(received(), 0);
    chorusacct_message m[8] = {{.struct_size = sizeof m[0]}};
    size_t n = 0;
    assert_code(chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_PENDING, 0, m,
                                       ARRAY_LEN(m), &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, queued);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(m[i].attempts, 1);
        assert_int_equal(m[i].next_attempt_at, T0 + 60); /* base backoff */
        assert_string_equal(m[i].last_error,
                            "smtp: 451 4.3.0 try later (after the message)");
    }
    /* Not due yet: nothing is tried. */
    assert_code(chorusacct_outbox_deliver(b.ctx, 100, &d), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(d.sent + d.retried + d.dead, 0);
    /* The server recovers; the backoff passes. */
    ctl_ok("reset");
    chorusacct_testclock_advance(b.clock, 60);
    assert_int_equal(do_deliver(&b), queued);
    assert_int_equal(received(), (int)queued);
    assert_int_equal(outbox_count(&b, CHORUSACCT_MSG_SENT), queued);
    /* The link minted for the second try works. */
    received_token(1, "pierre.curie@example.fr", token, sizeof token);
    int reason = 0;
    assert_code(do_activate(&b, token, &reason), CHORUSACCT_OK, b.ctx);
    assert_int_equal(state_of(&b, id), CHORUSACCT_STATE_ACTIVE);
    flowfix_close(&b);
}

static void test_flow_dead_letter(void **state)
{
    (void)state;
    flowfix b;
    char siret[15];
    flowfix_open(&b, CHORUSACCT_CFG_NO_CAPTCHA);
    use_smtp(&b);
    siret_of(4444, siret);
    do_signup(&b, "nobody@example.fr", siret,
              CHORUSACCT_STATE_AWAITING_ACTIVATION);
    size_t queued = outbox_count(&b, CHORUSACCT_MSG_PENDING);
    ctl_ok("rcpt nobody@example.fr 550 5.1.1 no such user");
    chorusacct_delivery d = {.struct_size = sizeof d};
    assert_code(chorusacct_outbox_deliver(b.ctx, 100, &d), CHORUSACCT_OK,
                b.ctx);
    assert_int_equal(d.sent, 0);
    assert_int_equal(d.retried, 0);
    assert_int_equal(d.dead, queued);
    chorusacct_message m[8] = {{.struct_size = sizeof m[0]}};
    size_t n = 0;
    assert_code(chorusacct_outbox_list(b.ctx, CHORUSACCT_MSG_DEAD, 0, m,
                                       ARRAY_LEN(m), &n),
                CHORUSACCT_OK, b.ctx);
    assert_int_equal(n, queued);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(m[i].attempts, 1);
        assert_string_equal(m[i].last_error,
                            "smtp: 550 5.1.1 no such user (after RCPT TO)");
    }
    assert_int_equal(received(), 0);
    flowfix_close(&b);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_smtp PYTHON SERVER_SCRIPT\n");
        return 2;
    }
    chorusacct_smtp_config c;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops};
    if (chorusacct_smtp_config_init(&c, sizeof c) != CHORUSACCT_OK)
        return 1;
    c.host = "localhost";
    c.from = FROM;
    c.tls = CHORUSACCT_SMTP_TLS_NONE;
    int rc = chorusacct_smtp_ops(&ops, &c);
    if (rc == CHORUSACCT_E_UNSUPPORTED) {
        printf("skip: the library is built without SMTP\n");
        return 77;
    }
    if (rc != CHORUSACCT_OK) {
        fprintf(stderr, "chorusacct_smtp_ops: %s\n",
                chorusacct_status_name(rc));
        return 1;
    }
    ops.destroy(ops.user_data);
    signal(SIGPIPE, SIG_IGN); /* a dead server fails a test, not the run */
    rc = server_start(argv[1], argv[2]);
    if (rc != 0) {
        server_stop();
        return rc;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults_and_refusals),
        cmocka_unit_test_setup(test_delivery_without_tls, setup),
        cmocka_unit_test_setup(test_delivery_with_starttls, setup),
        cmocka_unit_test_setup(test_implicit_tls, setup),
        cmocka_unit_test_setup(test_threads_deliver_each_message_once, setup),
        cmocka_unit_test_setup(test_server_replies_map_to_results, setup),
        cmocka_unit_test_setup(test_tls_failures, setup),
        cmocka_unit_test_setup(test_connection_refused, setup),
        cmocka_unit_test_setup(test_silent_server_times_out, setup),
        cmocka_unit_test_setup(test_flow_delivers_through_smtp, setup),
        cmocka_unit_test_setup(test_flow_retry, setup),
        cmocka_unit_test_setup(test_flow_dead_letter, setup),
    };
    rc = cmocka_run_group_tests_name("smtp", tests, NULL, NULL);
    server_stop();
    return rc;
}
