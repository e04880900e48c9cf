/*
 * Internet messages: chorusacct_mail_format() writes one message as
 * RFC 5322 headers (the subject as RFC 2047 encoded-words when needed) and
 * a MIME text body in quoted-printable (RFC 2045), with CRLF line ends, in
 * one pass that also counts the bytes needed. The Maildir and SMTP
 * mailers send that text. Rules and sources: docs/maildir.md.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

/* RFC 5322 2.1.1: lines SHOULD stay within 78 characters and MUST stay
 * within 998, CRLF excluded. RFC 2047 2: an encoded-word is at most 75
 * characters. RFC 2045 6.7: an encoded line is at most 76 characters. */
enum {
    LINE_SHOULD = 78,
    LINE_MUST = 998,
    EW_MAX = 75,
    QP_LINE = 76,
    DOMAIN_MAX = 253
};

/* 9999-12-31T23:59:59Z: the Date header has a four-digit year. */
#define DATE_MAX INT64_C(253402300799)

/* ------------------------------------------------------------------ */
/* Output: writes what fits, counts everything                          */

typedef struct {
    char *buf;
    size_t cap;
    size_t n;   /* bytes the whole message needs so far */
    size_t col; /* characters on the current line */
} ca_out;

static void put(ca_out *o, const char *s, size_t len)
{
    if (o->n < o->cap) {
        size_t room = o->cap - o->n;
        memcpy(o->buf + o->n, s, len < room ? len : room);
    }
    o->n += len;
    o->col += len;
}

static void put_str(ca_out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_crlf(ca_out *o)
{
    put(o, "\r\n", 2);
    o->col = 0;
}

static void put_hex(ca_out *o, unsigned char c)
{
    static const char digits[] = "0123456789ABCDEF";
    char t[3] = {'=', digits[c >> 4], digits[c & 15]};
    put(o, t, 3);
}

static void put_uint(ca_out *o, uint64_t v, int width)
{
    char t[24];
    size_t i = sizeof t;
    do {
        t[--i] = (char)('0' + v % 10);
        v /= 10;
        width--;
    } while (v != 0 || width > 0);
    put(o, t + i, sizeof t - i);
}

static void put_int(ca_out *o, int64_t v)
{
    if (v < 0) {
        put(o, "-", 1);
        put_uint(o, (uint64_t)0 - (uint64_t)v, 1);
    } else {
        put_uint(o, (uint64_t)v, 1);
    }
}

/* ------------------------------------------------------------------ */
/* Checks                                                               */

/* A header value must not break the header: printable ASCII and space
 * only, and short enough for the line limit that nothing can fold. */
static bool printable_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E)
            return false;
    }
    return true;
}

static bool address_ok(const char *s, const char *name)
{
    size_t len = strlen(s);
    return len > 0 && strlen(name) + 2 + len <= LINE_MUST &&
           printable_ascii(s, len);
}

/* The domain of the sender, for the Message-ID: what follows its last '@'
 * up to a closing '>' (so that `Name <user@host>` works too). Letters,
 * digits, dots and hyphens only: it becomes a dot-atom. */
static bool sender_domain(const char *from, const char **dom, size_t *len)
{
    const char *at = strrchr(from, '@');
    if (at == NULL)
        return false;
    const char *d = at + 1;
    size_t n = strcspn(d, ">");
    if (n == 0 || n > DOMAIN_MAX || d[0] == '.' || d[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned cls = chorusacct__byte_class[(unsigned char)d[i]];
        if (cls != CA_C_DIGIT && cls != CA_C_UPPER && cls != CA_C_LOWER &&
            d[i] != '.' && d[i] != '-')
            return false;
        if (d[i] == '.' && d[i + 1] == '.')
            return false;
    }
    *dom = d;
    *len = n;
    return true;
}

bool chorusacct__mail_sender_ok(const char *from)
{
    const char *dom;
    size_t dom_len;
    return address_ok(from, "From") && sender_domain(from, &dom, &dom_len);
}

/* ------------------------------------------------------------------ */
/* Date (RFC 5322 3.3)                                                  */

/* Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras
 * counted from 0000-03-01 so that the leap day ends each year (the
 * "civil from days" method published by Howard Hinnant). */
static void civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t z = days + 719468; /* days from 0000-03-01; >= 0 here */
    int64_t era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put_date(ca_out *o, int64_t t)
{
    /* English names whatever the locale: the header grammar fixes them. */
    static const char wday[7][4] = {"Thu", "Fri", "Sat", "Sun",
                                    "Mon", "Tue", "Wed"};
    static const char mon[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t days = t / 86400, sec = t % 86400, y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    put(o, wday[days % 7], 3); /* 1970-01-01 was a Thursday */
    put(o, ", ", 2);
    put_uint(o, d, 2);
    put(o, " ", 1);
    put(o, mon[m - 1], 3);
    put(o, " ", 1);
    put_uint(o, (uint64_t)y, 4);
    put(o, " ", 1);
    put_uint(o, (uint64_t)(sec / 3600), 2);
    put(o, ":", 1);
    put_uint(o, (uint64_t)(sec / 60 % 60), 2);
    put(o, ":", 1);
    put_uint(o, (uint64_t)(sec % 60), 2);
    put(o, " +0000", 6);
}

/* ------------------------------------------------------------------ */
/* Subject (RFC 5322 2.2.3 folding, RFC 2047 encoded-words)             */

#define SUBJECT_PREFIX "Subject: "
#define EW_OPEN "=?UTF-8?Q?"
#define EW_CLOSE "?="

/* Length of the chunk at s[i]: its leading spaces and the word after
 * them. A fold goes before a chunk, so no line is only white space. */
static size_t chunk_len(const char *s, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && s[j] == ' ')
        j++;
    while (j < len && s[j] != ' ')
        j++;
    return j - i;
}

/* Plain text is kept only when a reader gets it back unchanged: ASCII,
 * nothing that looks like an encoded-word, no white space at either end
 * (parsers strip it), and every word fits a line once folded. */
static bool subject_plain(const char *s, size_t len)
{
    if (len == 0)
        return true;
    if (s[0] == ' ' || s[len - 1] == ' ')
        return false;
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return false;
        if (s[i] == '=' && i + 1 < len && s[i + 1] == '?')
            return false;
    }
    size_t first = chunk_len(s, len, 0);
    if (strlen(SUBJECT_PREFIX) + first > LINE_SHOULD)
        return false;
    for (size_t i = first; i < len;) {
        size_t c = chunk_len(s, len, i);
        if (c > LINE_SHOULD)
            return false;
        i += c;
    }
    return true;
}

static void put_subject_plain(ca_out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t c = chunk_len(s, len, i);
        if (i > 0 && o->col + c > LINE_SHOULD)
            put_crlf(o);
        put(o, s + i, c);
        i += c;
    }
}

/* RFC 2047 5 (3) lets these stand for themselves in any header; the rest
 * is =XX, and a space is '_'. */
static bool q_literal(unsigned char c)
{
    unsigned cls = chorusacct__byte_class[c];
    return cls == CA_C_DIGIT || cls == CA_C_UPPER || cls == CA_C_LOWER ||
           c == '!' || c == '*' || c == '+' || c == '-' || c == '/';
}

static size_t q_len(unsigned char c)
{
    return q_literal(c) || c == ' ' ? 1 : 3;
}

/* The whole subject as Q encoded-words, one per line, each at most 75
 * characters and holding whole characters only (RFC 2047 5): the white
 * space between adjacent encoded-words is not part of the text, so every
 * space of the subject travels inside a word. */
static void put_subject_encoded(ca_out *o, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    const size_t overhead = strlen(EW_OPEN) + strlen(EW_CLOSE);
    size_t used = 0;
    size_t room = LINE_SHOULD - strlen(SUBJECT_PREFIX) - overhead;
    put_str(o, EW_OPEN);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = ca_utf8_decode(p + i, len - i, &cp);
        size_t enc = 0;
        for (size_t j = 0; j < k; j++)
            enc += q_len(p[i + j]);
        if (used > 0 && used + enc > room) {
            put_str(o, EW_CLOSE);
            put_crlf(o);
            put(o, " ", 1);
            put_str(o, EW_OPEN);
            used = 0;
            room = EW_MAX - overhead;
        }
        for (size_t j = 0; j < k; j++) {
            unsigned char c = p[i + j];
            if (c == ' ')
                put(o, "_", 1);
            else if (q_literal(c))
                put(o, (const char *)&p[i + j], 1);
            else
                put_hex(o, c);
        }
        used += enc;
        i += k;
    }
    put_str(o, EW_CLOSE);
}

/* ------------------------------------------------------------------ */
/* Body: quoted-printable (RFC 2045 6.7)                                */

static bool is_break(const char *s, size_t len, size_t i)
{
    return s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
}

/* Lines end with "\n" or "\r\n", both written as CRLF; a lone CR is
 * data. A '.' or "From " at the start of a line is encoded too, so that
 * neither SMTP dot-stuffing nor an mbox file can alter the text. */
static void put_body(ca_out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        if (is_break(s, len, i)) {
            i += s[i] == '\r' ? 2 : 1;
            put_crlf(o);
            continue;
        }
        unsigned char c = (unsigned char)s[i];
        const bool hard_end = i + 1 < len && is_break(s, len, i + 1);
        const bool line_end = hard_end || i + 1 == len;
        /* A line followed by a hard break may use all 76 characters;
         * any other needs one left for the soft break '='. */
        const size_t limit = hard_end ? QP_LINE : QP_LINE - 1;
        bool encode = c == '=' || c > 0x7E || (c < 0x20 && c != '\t') ||
                      ((c == ' ' || c == '\t') && line_end);
        for (int pass = 0; pass < 2; pass++) {
            const bool at_start = o->col == 0;
            bool enc = encode || (at_start && c == '.') ||
                       (at_start && c == 'F' && len - i >= 5 &&
                        memcmp(s + i, "From ", 5) == 0);
            size_t w = enc ? 3 : 1;
            if (o->col + w > limit && pass == 0) {
                put(o, "=", 1);
                put_crlf(o);
                continue;
            }
            if (enc)
                put_hex(o, c);
            else
                put(o, (const char *)&c, 1);
            break;
        }
        i++;
    }
    /* A soft break lets the file end with CRLF without adding a line
     * break to the text. */
    if (len > 0 && s[len - 1] != '\n') {
        put(o, "=", 1);
        put_crlf(o);
    }
}

/* ------------------------------------------------------------------ */
/* The message                                                          */

int chorusacct_mail_format(const chorusacct_mail *mail, const char *from,
                           int64_t date, char *buf, size_t cap, size_t *len_out)
{
    const size_t need = offsetof(chorusacct_mail, body) + sizeof(char *);
    if (mail == NULL || mail->struct_size < need || from == NULL ||
        mail->to == NULL || (buf == NULL && cap > 0) || date < 0 ||
        date > DATE_MAX)
        goto bad;
    const char *subject = mail->subject != NULL ? mail->subject : "";
    const char *body = mail->body != NULL ? mail->body : "";
    const size_t subject_len = strlen(subject);
    const size_t body_len = strlen(body);
    const char *dom;
    size_t dom_len;
    /* The subject is one line, without even a tab: every control
     * character would have to survive folding. Quoted-printable at most
     * triples the body; keep the count exact. */
    if (!address_ok(mail->to, "To") || !address_ok(from, "From") ||
        !sender_domain(from, &dom, &dom_len) ||
        !chorusacct__utf8_line(subject, subject_len) ||
        body_len > SIZE_MAX / 4 || subject_len > SIZE_MAX / 4)
        goto bad;
    /* The library's opaque name, when the mail has the member and it is
     * set: lowercase hex only (it goes into a header as it is). */
    const char *key = NULL;
    if (mail->struct_size >=
        offsetof(chorusacct_mail, message_key) + sizeof(char *))
        key = mail->message_key;
    if (key != NULL) {
        size_t n = strspn(key, "0123456789abcdef");
        if (n == 0 || n > 64 || key[n] != '\0')
            goto bad;
    }

    ca_out o = {buf, cap, 0, 0};
    put_str(&o, "Date: ");
    put_date(&o, date);
    put_crlf(&o);
    put_str(&o, "From: ");
    put_str(&o, from);
    put_crlf(&o);
    put_str(&o, "To: ");
    put_str(&o, mail->to);
    put_crlf(&o);
    if (subject_len == 0) {
        put_str(&o, "Subject:");
    } else {
        put_str(&o, SUBJECT_PREFIX);
        if (subject_plain(subject, subject_len))
            put_subject_plain(&o, subject, subject_len);
        else
            put_subject_encoded(&o, subject, subject_len);
    }
    put_crlf(&o);
    put_str(&o, "Message-ID: <chorusacct.");
    if (key != NULL) {
        /* The library's opaque name of the message (mailer.h). */
        put_str(&o, key);
    } else {
        put_int(&o, mail->message_id);
        put(&o, ".", 1);
        put_int(&o, mail->account_id);
    }
    if (key == NULL && mail->link != NULL && mail->link[0] != '\0') {
        /* A message with a link carries a new token on every attempt (the
         * raw token is never stored): its Message-ID follows the attempt
         * and the link, so that a receiver that drops duplicates by
         * Message-ID does not keep an earlier copy whose link no longer
         * works. A hash of the link, which does not reveal the token. */
        uint8_t h[crypto_generichash_BYTES_MIN];
        char hex[2 * 8 + 1];
        crypto_generichash(h, sizeof h, (const unsigned char *)mail->link,
                           strlen(mail->link), NULL, 0);
        sodium_bin2hex(hex, sizeof hex, h, 8);
        put(&o, ".", 1);
        put_int(&o, mail->attempt);
        put(&o, ".", 1);
        put(&o, hex, 16);
    }
    put(&o, "@", 1);
    put(&o, dom, dom_len);
    put(&o, ">", 1);
    put_crlf(&o);
    put_str(&o, "MIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n"
                "Auto-Submitted: auto-generated\r\n"
                "X-Chorusacct-Kind: ");
    put_int(&o, mail->kind);
    put_crlf(&o);
    put_crlf(&o);
    put_body(&o, body, body_len);

    if (len_out != NULL)
        *len_out = o.n;
    if (buf == NULL)
        return CHORUSACCT_OK;
    if (cap < o.n + 1) {
        buf[0] = '\0';
        return CHORUSACCT_E_TOOSMALL;
    }
    buf[o.n] = '\0';
    return CHORUSACCT_OK;

bad:
    chorusacct__clear(buf, cap, len_out);
    return CHORUSACCT_E_ARG;
}

int chorusacct__mail_text(const chorusacct_mail *mail, const char *from,
                          char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (mail == NULL)
        return CHORUSACCT_E_ARG;
    int rc = chorusacct_mail_format(mail, from, mail->created_at, NULL, 0, len);
    if (rc != CHORUSACCT_OK)
        return rc;
    char *text = malloc(*len + 1);
    if (text == NULL)
        return CHORUSACCT_E_NOMEM;
    rc = chorusacct_mail_format(mail, from, mail->created_at, text, *len + 1,
                                len);
    if (rc != CHORUSACCT_OK) {
        chorusacct__mail_text_free(text, *len);
        return rc;
    }
    *out = text;
    return CHORUSACCT_OK;
}

void chorusacct__mail_text_free(char *text, size_t len)
{
    if (text == NULL)
        return;
    sodium_memzero(text, len + 1);
    free(text);
}
