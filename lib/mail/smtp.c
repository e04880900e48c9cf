/*
 * The SMTP mailer. Each message, formatted by chorusacct_mail_format(), is
 * submitted with libcurl over a connection of its own. libcurl's protocol
 * trace tells which command the last reply answered, which decides
 * between a temporary and a permanent failure: a 5xx reply condemns the
 * message only when it answers the message's own commands (MAIL, RCPT,
 * DATA, the text). Rules and sources: docs/smtp.md.
 *
 * Built without libcurl, the same symbols exist and the constructor
 * answers CHORUSACCT_E_UNSUPPORTED: the ABI does not depend on the build.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#ifdef CHORUSACCT_HAVE_SMTP
#include <curl/curl.h>
#endif

enum {
    DEFAULT_TIMEOUT_MS = 60000,
    MAX_TIMEOUT_MS = 3600000, /* an hour: beyond, a retry is better */
    HOST_MAX = 253,
    LOGIN_MAX = 1024,
    PATH_MAX_LEN = 4096,
    ADDRESS_MAX = 254 /* RFC 5321 4.5.3.1.3, brackets excluded */
};

int chorusacct_smtp_config_init(chorusacct_smtp_config *cfg, size_t struct_size)
{
    int rc = chorusacct__struct_init(cfg, struct_size, CA_V1_SMTP_CONFIG);
    if (rc != CHORUSACCT_OK)
        return rc;
    cfg->tls = CHORUSACCT_SMTP_TLS_STARTTLS;
    cfg->timeout_ms = DEFAULT_TIMEOUT_MS;
    return CHORUSACCT_OK;
}

#ifndef CHORUSACCT_HAVE_SMTP

void chorusacct__smtp_init(void)
{
}

int chorusacct_smtp_ops(chorusacct_mailer_ops *out,
                        const chorusacct_smtp_config *cfg)
{
    (void)cfg;
    if (chorusacct__table_start(out, sizeof *out, CA_V1_MAILER_OPS) == 0)
        return CHORUSACCT_E_ARG;
    return CHORUSACCT_E_UNSUPPORTED;
}

#else /* CHORUSACCT_HAVE_SMTP */

/* Written once, under chorusacct_init()'s pthread_once, and read only
 * after chorusacct_init() returned. */
static int curl_status = CHORUSACCT_E_INIT;

void chorusacct__smtp_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK)
        curl_status = CHORUSACCT_OK;
}

/* ------------------------------------------------------------------ */
/* Checking the settings                                                */

static bool is_alnum(unsigned char c)
{
    unsigned cls = chorusacct__byte_class[c];
    return cls == CA_C_DIGIT || cls == CA_C_UPPER || cls == CA_C_LOWER;
}

static bool is_hex(unsigned char c)
{
    return chorusacct__byte_class[c] == CA_C_DIGIT || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* The host as the URL needs it: a name or an IPv4 address as given, an
 * IPv6 address in brackets. Only characters that need no escaping pass,
 * so that nothing can change the URL's meaning. */
static bool url_host(const char *h, char *out, size_t cap)
{
    size_t n = strlen(h);
    const bool bracketed = n >= 2 && h[0] == '[' && h[n - 1] == ']';
    const char *p = bracketed ? h + 1 : h;
    const size_t len = bracketed ? n - 2 : n;
    const bool v6 = memchr(p, ':', len) != NULL;
    if (len == 0 || len > HOST_MAX || (bracketed && !v6) || p[0] == '-' ||
        p[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        bool ok = v6 ? is_hex(c) || c == ':' || c == '.'
                     : is_alnum(c) || c == '-' || c == '.';
        if (!ok)
            return false;
    }
    snprintf(out, cap, v6 ? "[%.*s]" : "%.*s", (int)len, p);
    return true;
}

/* The EHLO name travels as the URL's path, which libcurl decodes: a
 * domain, or an address literal whose brackets are percent-encoded. */
static bool url_helo(const char *h, char *out, size_t cap)
{
    size_t n = strlen(h);
    const bool literal = n >= 2 && h[0] == '[' && h[n - 1] == ']';
    const char *p = literal ? h + 1 : h;
    const size_t len = literal ? n - 2 : n;
    if (len == 0 || len > HOST_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!is_alnum(c) && c != '-' && c != '.' && !(literal && c == ':'))
            return false;
    }
    snprintf(out, cap, literal ? "/%%5B%.*s%%5D" : "/%.*s", (int)len, p);
    return true;
}

/* An envelope address goes between angle brackets on a command line:
 * printable ASCII, with neither space nor bracket. */
static bool envelope_ok(const char *s, size_t len)
{
    if (len == 0 || len > ADDRESS_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>')
            return false;
    }
    return true;
}

/* The address part of a From value: between the last '<' and the '>'
 * after it, or the whole value. */
static bool envelope_from(const char *from, char *out, size_t cap)
{
    const char *p = from;
    size_t len = strlen(from);
    const char *lt = strrchr(from, '<');
    if (lt != NULL) {
        p = lt + 1;
        const char *gt = strchr(p, '>');
        if (gt == NULL || gt[1] != '\0')
            return false;
        len = (size_t)(gt - p);
    }
    if (!envelope_ok(p, len) || memchr(p, '@', len) == NULL || len + 3 > cap)
        return false;
    snprintf(out, cap, "<%.*s>", (int)len, p);
    return true;
}

/* A login or password: no control character, which could end a line. */
static bool login_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LOGIN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F)
            return false;
    }
    return true;
}

/* Whether this libcurl can do it (it may be built without SMTP or TLS). */
static bool curl_can(int tls)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    const char *want = tls == CHORUSACCT_SMTP_TLS_IMPLICIT ? "smtps" : "smtp";
    bool proto = false;
    for (const char *const *p = v->protocols; p != NULL && *p != NULL; p++)
        if (strcmp(*p, want) == 0)
            proto = true;
    return proto && (tls == CHORUSACCT_SMTP_TLS_NONE ||
                     (v->features & CURL_VERSION_SSL));
}

/* ------------------------------------------------------------------ */
/* The mailer                                                           */

typedef struct {
    char *url;
    char *from;     /* the From header */
    char *env_from; /* "<address>" */
    char *username;
    char *password;
    char *ca_file;
    int tls;
    long timeout_ms;
} ca_smtp;

static void smtp_destroy(void *user_data)
{
    ca_smtp *s = user_data;
    if (s == NULL)
        return;
    if (s->password != NULL)
        sodium_memzero(s->password, strlen(s->password));
    free(s->url);
    free(s->from);
    free(s->env_from);
    free(s->username);
    free(s->password);
    free(s->ca_file);
    free(s);
}

/* ------------------------------------------------------------------ */
/* Following the dialogue                                               */

/* What a reply answers. */
typedef enum {
    PH_GREETING,
    PH_EHLO,
    PH_HELO,
    PH_STARTTLS,
    PH_AUTH,
    PH_MAIL,
    PH_RCPT,
    PH_DATA,
    PH_MESSAGE, /* the text, after DATA's 354 */
    PH_QUIT,
    PH_OTHER
} ca_phase;

static const char *const phase_names[] = {
    [PH_GREETING] = "greeting",   [PH_EHLO] = "EHLO",
    [PH_HELO] = "HELO",           [PH_STARTTLS] = "STARTTLS",
    [PH_AUTH] = "AUTH",           [PH_MAIL] = "MAIL FROM",
    [PH_RCPT] = "RCPT TO",        [PH_DATA] = "DATA",
    [PH_MESSAGE] = "the message", [PH_QUIT] = "QUIT",
    [PH_OTHER] = "a command",
};

static const struct {
    const char *verb;
    ca_phase phase;
} verbs[] = {
    {"EHLO", PH_EHLO}, {"HELO", PH_HELO}, {"STARTTLS", PH_STARTTLS},
    {"AUTH", PH_AUTH}, {"MAIL", PH_MAIL}, {"RCPT", PH_RCPT},
    {"DATA", PH_DATA}, {"QUIT", PH_QUIT},
};

enum { REPLY_TEXT = 160 };

typedef struct {
    ca_phase phase; /* what the next reply answers */
    bool frozen;    /* QUIT sent, or the transfer over: keep the last */
    bool in_reply;  /* inside a multi-line reply */
    char cur[REPLY_TEXT];
    size_t cur_len;
    /* The last complete reply. */
    int code; /* 0 before any */
    ca_phase answered;
    char text[REPLY_TEXT];
} ca_trace;

static void trace_reply_line(ca_trace *t, const char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n < 3 || chorusacct__byte_class[(unsigned char)s[0]] != CA_C_DIGIT ||
        chorusacct__byte_class[(unsigned char)s[1]] != CA_C_DIGIT ||
        chorusacct__byte_class[(unsigned char)s[2]] != CA_C_DIGIT ||
        (n > 3 && s[3] != ' ' && s[3] != '-'))
        return;
    if (!t->in_reply)
        t->cur_len = 0;
    /* The server's words go into the outbox: printable ASCII only. */
    if (n > 4 && t->cur_len > 0 && t->cur_len + 1 < sizeof t->cur)
        t->cur[t->cur_len++] = ' ';
    for (size_t i = 4; i < n && t->cur_len + 1 < sizeof t->cur; i++) {
        unsigned char c = (unsigned char)s[i];
        t->cur[t->cur_len++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    t->cur[t->cur_len] = '\0';
    if (n > 3 && s[3] == '-') {
        t->in_reply = true;
        return;
    }
    t->in_reply = false;
    t->code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
    t->answered = t->phase;
    memcpy(t->text, t->cur, t->cur_len + 1);
    if (t->phase == PH_DATA && t->code == 354)
        t->phase = PH_MESSAGE;
}

static void trace_command(ca_trace *t, const char *s, size_t n)
{
    /* The lines of a SASL exchange carry credentials: none is read. */
    if (t->phase == PH_AUTH && t->code == 334 && t->answered == PH_AUTH)
        return;
    size_t v = 0;
    while (v < n && v < 8 && is_alnum((unsigned char)s[v]))
        v++;
    t->phase = PH_OTHER;
    for (size_t i = 0; i < CA_ARRAY_LEN(verbs); i++) {
        if (strlen(verbs[i].verb) == v &&
            (v == n || s[v] == ' ' || s[v] == '\r' || s[v] == '\n')) {
            bool same = true;
            for (size_t k = 0; k < v; k++)
                if ((s[k] & ~0x20) != verbs[i].verb[k])
                    same = false;
            if (same)
                t->phase = verbs[i].phase;
        }
    }
    /* libcurl may say goodbye before it returns: that answer is not the
     * message's. */
    if (t->phase == PH_QUIT)
        t->frozen = true;
}

static int trace_cb(CURL *handle, curl_infotype type, char *data, size_t size,
                    void *user_data)
{
    (void)handle;
    ca_trace *t = user_data;
    if (t->frozen)
        return 0;
    if (type == CURLINFO_HEADER_OUT) {
        trace_command(t, data, size);
    } else if (type == CURLINFO_HEADER_IN) {
        while (size > 0) {
            const char *nl = memchr(data, '\n', size);
            size_t line = nl != NULL ? (size_t)(nl - data) + 1 : size;
            trace_reply_line(t, data, line);
            data += line;
            size -= line;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

typedef struct {
    const char *p;
    size_t left;
} ca_upload;

static size_t upload_read(char *dst, size_t size, size_t nitems, void *ud)
{
    ca_upload *u = ud;
    size_t n = size * nitems;
    if (n > u->left)
        n = u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

static int say(char *error, size_t cap, int result, const char *text)
{
    if (error != NULL && cap > 0)
        snprintf(error, cap, "smtp: %s", text);
    return result;
}

/* The result of a failed transfer. A 4xx reply is temporary. A 5xx reply
 * is permanent when it refuses the message (its sender, its recipient,
 * its text); before that, it refuses this side's session (greeting,
 * EHLO, STARTTLS, AUTH), which a change of settings on either side can
 * mend: temporary, as mail transfer agents defer it. So is 530 whatever
 * it answers: the server wants STARTTLS (RFC 3207 4) or authentication
 * (RFC 4954 6) first. Anything without a failing reply (connection, TLS,
 * timeout) is temporary. */
static int classify(CURLcode rc, const ca_trace *t, long response,
                    const char *errbuf, char *error, size_t cap)
{
    int code = t->code;
    ca_phase answered = t->answered;
    const char *text = t->text;
    if (code < 400 && response >= 400 && response < 600) {
        /* No trace of the failing reply: libcurl's own record of it. */
        code = (int)response;
        answered = PH_OTHER;
        text = "";
    }
    if (code >= 400 && code < 600) {
        if (error != NULL && cap > 0)
            snprintf(error, cap, "smtp: %d%s%s (after %s)", code,
                     text[0] != '\0' ? " " : "", text, phase_names[answered]);
        bool refuses_message =
            code != 530 && (answered == PH_MAIL || answered == PH_RCPT ||
                            answered == PH_DATA || answered == PH_MESSAGE ||
                            answered == PH_OTHER);
        return code >= 500 && refuses_message ? CHORUSACCT_MAIL_PERMFAIL
                                              : CHORUSACCT_MAIL_TEMPFAIL;
    }
    if (error != NULL && cap > 0)
        snprintf(error, cap, "smtp: %s (curl error %d)",
                 errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc), (int)rc);
    return CHORUSACCT_MAIL_TEMPFAIL;
}

static int transfer(const ca_smtp *s, const char *to, const char *msg,
                    size_t len, char *error, size_t error_cap)
{
    char rcpt[ADDRESS_MAX + 3];
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    CURL *h = curl_easy_init();
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    if (h == NULL || rcpts == NULL) {
        curl_slist_free_all(rcpts);
        curl_easy_cleanup(h);
        return say(error, error_cap, CHORUSACCT_MAIL_TEMPFAIL,
                   "no memory for a connection");
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    ca_trace trace;
    memset(&trace, 0, sizeof trace);
    ca_upload up = {msg, len};
    /* The response timeout bounds the QUIT that libcurl sends when the
     * handle is cleaned up, outside the transfer's own timeout. */
    const long response_s = (s->timeout_ms + 999) / 1000;
    bool ok =
        curl_easy_setopt(h, CURLOPT_URL, s->url) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, s->timeout_ms) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->timeout_ms) ==
            CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, response_s) ==
            CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_USE_SSL,
                         s->tls == CHORUSACCT_SMTP_TLS_NONE
                             ? (long)CURLUSESSL_NONE
                             : (long)CURLUSESSL_ALL) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_MAIL_FROM, s->env_from) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_READFUNCTION, upload_read) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_READDATA, &up) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len) ==
            CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace_cb) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_DEBUGDATA, &trace) == CURLE_OK &&
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L) == CURLE_OK;
    if (ok && s->username != NULL)
        ok = curl_easy_setopt(h, CURLOPT_USERNAME, s->username) == CURLE_OK &&
             curl_easy_setopt(h, CURLOPT_PASSWORD, s->password) == CURLE_OK;
    if (ok && s->ca_file != NULL)
        ok = curl_easy_setopt(h, CURLOPT_CAINFO, s->ca_file) == CURLE_OK;
    int result;
    if (!ok) {
        result = say(error, error_cap, CHORUSACCT_MAIL_TEMPFAIL,
                     "cannot set up the connection");
    } else {
        CURLcode rc = curl_easy_perform(h);
        trace.frozen = true;
        long response = 0;
        if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response) != CURLE_OK)
            response = 0;
        result = rc == CURLE_OK
                     ? CHORUSACCT_MAIL_SENT
                     : classify(rc, &trace, response, errbuf, error, error_cap);
    }
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(h);
    return result;
}

static int smtp_send(void *user_data, const chorusacct_mail *mail, char *error,
                     size_t error_cap)
{
    const ca_smtp *s = user_data;
    if (mail == NULL || mail->to == NULL ||
        !envelope_ok(mail->to, strlen(mail->to)))
        return say(error, error_cap, CHORUSACCT_MAIL_PERMFAIL,
                   "the recipient cannot be sent to");
    char *msg;
    size_t len;
    int rc = chorusacct__mail_text(mail, s->from, &msg, &len);
    if (rc == CHORUSACCT_E_NOMEM)
        return say(error, error_cap, CHORUSACCT_MAIL_TEMPFAIL,
                   "no memory for the message");
    if (rc != CHORUSACCT_OK) {
        if (error != NULL && error_cap > 0)
            snprintf(error, error_cap, "smtp: cannot format the message (%s)",
                     chorusacct_status_name(rc));
        return CHORUSACCT_MAIL_PERMFAIL;
    }
    int result = transfer(s, mail->to, msg, len, error, error_cap);
    chorusacct__mail_text_free(msg, len);
    return result;
}

static int smtp_new(const chorusacct_smtp_config *c, ca_smtp **out)
{
    char host[HOST_MAX + 3], helo[3 * HOST_MAX + 8] = "", env[ADDRESS_MAX + 3];
    if (c->tls < CHORUSACCT_SMTP_TLS_NONE ||
        c->tls > CHORUSACCT_SMTP_TLS_IMPLICIT || c->port < 0 ||
        c->port > 65535 || c->reserved0 != 0 || c->timeout_ms < 0 ||
        c->timeout_ms > MAX_TIMEOUT_MS || c->host == NULL ||
        !url_host(c->host, host, sizeof host) || c->from == NULL ||
        !chorusacct__mail_sender_ok(c->from) ||
        !envelope_from(c->from, env, sizeof env) ||
        (c->helo != NULL && !url_helo(c->helo, helo, sizeof helo)) ||
        (c->username == NULL) != (c->password == NULL) ||
        (c->username != NULL &&
         (!login_ok(c->username) || !login_ok(c->password) ||
          c->tls == CHORUSACCT_SMTP_TLS_NONE)) ||
        (c->ca_file != NULL &&
         (c->ca_file[0] == '\0' || strlen(c->ca_file) > PATH_MAX_LEN)))
        return CHORUSACCT_E_ARG;
    if (c->ca_file != NULL && access(c->ca_file, R_OK) != 0)
        return CHORUSACCT_E_IO;
    if (!curl_can(c->tls))
        return CHORUSACCT_E_UNSUPPORTED;

    static const int default_port[] = {25, 587, 465};
    const int port = c->port != 0 ? c->port : default_port[c->tls];
    char url[sizeof host + sizeof helo + 32];
    snprintf(url, sizeof url, "%s://%s:%d%s",
             c->tls == CHORUSACCT_SMTP_TLS_IMPLICIT ? "smtps" : "smtp", host,
             port, helo);

    ca_smtp *s = calloc(1, sizeof *s);
    if (s == NULL)
        return CHORUSACCT_E_NOMEM;
    s->tls = c->tls;
    s->timeout_ms =
        c->timeout_ms != 0 ? (long)c->timeout_ms : DEFAULT_TIMEOUT_MS;
    s->url = strdup(url);
    s->from = strdup(c->from);
    s->env_from = strdup(env);
    bool ok = s->url != NULL && s->from != NULL && s->env_from != NULL;
    if (ok && c->username != NULL) {
        s->username = strdup(c->username);
        s->password = strdup(c->password);
        ok = s->username != NULL && s->password != NULL;
    }
    if (ok && c->ca_file != NULL) {
        s->ca_file = strdup(c->ca_file);
        ok = s->ca_file != NULL;
    }
    if (!ok) {
        smtp_destroy(s);
        return CHORUSACCT_E_NOMEM;
    }
    *out = s;
    return CHORUSACCT_OK;
}

int chorusacct_smtp_ops(chorusacct_mailer_ops *out,
                        const chorusacct_smtp_config *cfg)
{
    size_t n = chorusacct__table_start(out, sizeof *out, CA_V1_MAILER_OPS);
    chorusacct_smtp_config c;
    if (n == 0 || chorusacct__ops_copy(&c, sizeof c, cfg, CA_V1_SMTP_CONFIG) !=
                      CHORUSACCT_OK)
        return CHORUSACCT_E_ARG;
    int rc = chorusacct_init();
    if (rc != CHORUSACCT_OK)
        return rc;
    if (curl_status != CHORUSACCT_OK)
        return CHORUSACCT_E_INIT;
    ca_smtp *s = NULL;
    rc = smtp_new(&c, &s);
    if (rc != CHORUSACCT_OK)
        return rc;
    chorusacct_mailer_ops ops = {.struct_size = sizeof ops,
                                 .user_data = s,
                                 .send = smtp_send,
                                 .destroy = smtp_destroy};
    chorusacct__out_write(out, &ops, n);
    return CHORUSACCT_OK;
}

#endif /* CHORUSACCT_HAVE_SMTP */
