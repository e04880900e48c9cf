/*
 * E-mail addresses: the syntax is one PCRE2 pattern, compiled and
 * JIT-compiled once by chorusacct_init(); lengths are counted around it.
 * When the pattern refuses an address, simple checks find which part is
 * wrong, so that the reason names it.
 *
 * Rules and sources: docs/validators.md.
 */
#include "internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdlib.h>
#include <string.h>

#define EMAIL_MAX 254  /* RFC 5321 path limit, less the angle brackets */
#define LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define DOMAIN_MAX 253 /* RFC 1035 name, written without the final dot */
#define LABEL_MAX 63   /* RFC 1035 2.3.4 */

/* RFC 5322 atext, and an LDH label of 1 to 63 characters (RFC 1035,
 * RFC 1123 2.1) not starting or ending with a hyphen. */
#define ATEXT "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
#define LABEL "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"

/*
 * Dot-atom @ two or more labels, the last not all digits. Possessive
 * quantifiers: nothing inside the address is worth retrying, which keeps
 * both the JIT and the interpreter linear. \z rather than $, which would
 * accept a final newline.
 */
static const char email_pattern[] =
    "\\A" ATEXT "++(?:\\." ATEXT "++)*+"
    "@(?:" LABEL "\\.)++(?![0-9]++\\z)" LABEL "\\z";

/* Written once under chorusacct_init()'s pthread_once, read-only after. */
static pcre2_code *email_re;
static bool email_jit;

int chorusacct__email_init(void)
{
    int err;
    PCRE2_SIZE erroff;

    email_re = pcre2_compile((PCRE2_SPTR)email_pattern, sizeof email_pattern - 1,
                             0, &err, &erroff, NULL);
    if (email_re == NULL)
        return CHORUSACCT_E_INIT;
    /* The JIT may be missing (not built, or no executable memory): the
     * interpreter gives the same answers, more slowly. The environment
     * switch exists to test that path. */
    const char *no_jit = getenv("CHORUSACCT_PCRE2_NO_JIT");
    email_jit = (no_jit == NULL || no_jit[0] == '\0') &&
                pcre2_jit_compile(email_re, PCRE2_JIT_COMPLETE) == 0;
    return CHORUSACCT_OK;
}

/*
 * A bump allocator over a caller's stack buffer, so that a match needs
 * no heap allocation: PCRE2 takes its match data (and, without the JIT,
 * its backtracking frames) from the general context's allocator. Should
 * the buffer run out, the heap takes over.
 */
typedef struct {
    unsigned char *base;
    size_t cap, used;
} arena;

static void *arena_alloc(size_t n, void *data)
{
    arena *a = data;
    size_t off = (a->used + 15) & ~(size_t)15;
    if (off <= a->cap && n <= a->cap - off) {
        a->used = off + n;
        return a->base + off;
    }
    return malloc(n);
}

static void arena_free(void *p, void *data)
{
    arena *a = data;
    unsigned char *q = p;
    if (q != NULL && (q < a->base || q >= a->base + a->cap))
        free(p);
}

/* Runs the pattern with match data carved from `mem`: 1 if it matches, 0
 * if not, -1 if PCRE2 failed (out of memory). */
static int email_match_in(const char *s, size_t len, unsigned char *mem,
                          size_t cap, uint32_t opts)
{
    arena a = {mem, cap, 0};
    pcre2_general_context *gc =
        pcre2_general_context_create(arena_alloc, arena_free, &a);
    pcre2_match_data *md = gc != NULL ? pcre2_match_data_create(1, gc) : NULL;
    int rc = -1;
    if (md != NULL) {
        rc = email_jit ? pcre2_jit_match(email_re, (PCRE2_SPTR)s, len, 0,
                                         opts, md, NULL)
                       : pcre2_match(email_re, (PCRE2_SPTR)s, len, 0, opts,
                                     md, NULL);
    }
    pcre2_match_data_free(md);
    pcre2_general_context_free(gc);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* The interpreter starts with 20 KiB of backtracking frames (PCRE2 10.41
 * and later); keep it off the JIT path's stack frame. */
static int email_match_interp(const char *s, size_t len)
{
    _Alignas(16) unsigned char mem[24 * 1024];
    return email_match_in(s, len, mem, sizeof mem, 0);
}

static int email_match(const char *s, size_t len)
{
    if (!email_jit)
        return email_match_interp(s, len);
    /* Room for the general context and a one-pair match data. */
    _Alignas(16) unsigned char mem[256];
    return email_match_in(s, len, mem, sizeof mem, 0);
}

/* ------------------------------------------------------------------ */
/* Why the pattern refused an address                                   */

static bool is_alnum(unsigned c)
{
    unsigned cls = chorusacct__byte_class[c];
    return cls == CA_C_DIGIT || cls == CA_C_UPPER || cls == CA_C_LOWER;
}

static bool is_atext(unsigned c)
{
    return is_alnum(c) || (c != 0 && strchr("!#$%&'*+/=?^_`{|}~-", (int)c));
}

/* The reasons in a fixed order, whatever their positions; docs say so. */
static int email_diagnose(const unsigned char *s, size_t len)
{
    size_t at = 0, ats = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= 0x80)
            return CHORUSACCT_E_EMAIL_NONASCII;
        if (s[i] == '@') {
            ats++;
            at = i;
        }
    }
    if (ats != 1)
        return CHORUSACCT_E_EMAIL_AT;
    const unsigned char *dom = s + at + 1;
    const size_t dlen = len - at - 1;
    if (at == 0 || at > LOCAL_MAX)
        return CHORUSACCT_E_EMAIL_LOCAL_LENGTH;
    if (dlen > DOMAIN_MAX)
        return CHORUSACCT_E_EMAIL_DOMAIN_LENGTH;
    if (len > EMAIL_MAX)
        return CHORUSACCT_E_EMAIL_LENGTH;

    /* Local part: atext with single dots between atoms. */
    for (size_t i = 0; i < at; i++) {
        if (s[i] == '.') {
            if (i == 0 || i + 1 == at || s[i + 1] == '.')
                return CHORUSACCT_E_EMAIL_LOCAL;
        } else if (!is_atext(s[i])) {
            return CHORUSACCT_E_EMAIL_LOCAL;
        }
    }

    /* Domain: characters, empty labels and the label count first... */
    size_t labels = 1;
    if (dlen == 0)
        return CHORUSACCT_E_EMAIL_DOMAIN;
    for (size_t i = 0; i < dlen; i++) {
        if (dom[i] == '.') {
            if (i == 0 || i + 1 == dlen || dom[i + 1] == '.')
                return CHORUSACCT_E_EMAIL_DOMAIN;
            labels++;
        } else if (!is_alnum(dom[i]) && dom[i] != '-') {
            return CHORUSACCT_E_EMAIL_DOMAIN;
        }
    }
    if (labels < 2)
        return CHORUSACCT_E_EMAIL_DOMAIN;
    /* ...then each label's length and hyphens, then the last label. */
    size_t start = 0;
    bool all_digits = true;
    for (size_t i = 0; i <= dlen; i++) {
        if (i < dlen && dom[i] != '.')
            continue;
        size_t n = i - start;
        if (n > LABEL_MAX || dom[start] == '-' || dom[i - 1] == '-')
            return CHORUSACCT_E_EMAIL_LABEL;
        all_digits = true;
        for (size_t k = start; k < i; k++)
            if (chorusacct__byte_class[dom[k]] != CA_C_DIGIT)
                all_digits = false;
        start = i + 1;
    }
    if (all_digits)
        return CHORUSACCT_E_EMAIL_TLD;
    /* The checks above refuse everything the pattern refuses; the fuzz
     * target holds them to it. */
    return CHORUSACCT_E_EMAIL_DOMAIN;
}

/* ------------------------------------------------------------------ */
/* Public functions                                                     */

size_t chorusacct_email_max_len(void)
{
    return EMAIL_MAX;
}

int chorusacct_email_check(const char *in, size_t len, uint32_t flags,
                           char *buf, size_t cap, size_t *len_out,
                           int *reason)
{
    (void)flags;
    if ((in == NULL && len > 0) || (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    int rc = chorusacct_init();
    if (rc != CHORUSACCT_OK) {
        chorusacct__clear(buf, cap, len_out);
        return rc;
    }
    if (len == 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, CHORUSACCT_E_EMPTY);
    }

    int m = len <= EMAIL_MAX ? email_match(in, len) : 0;
    /* The pattern has exactly one @ and no byte above 0x7F: find the @
     * from the end, as the domain is the shorter part to walk. */
    size_t at = len;
    if (m == 1)
        while (in[at - 1] != '@')
            at--;
    if (m != 1 || at - 1 > LOCAL_MAX) {
        chorusacct__clear(buf, cap, len_out);
        if (m < 0)
            return CHORUSACCT_E_NOMEM;
        return ca_reject(reason,
                         email_diagnose((const unsigned char *)in, len));
    }

    if (len_out != NULL)
        *len_out = len;
    if (buf == NULL)
        return CHORUSACCT_OK;
    if (cap < len + 1) {
        buf[0] = '\0';
        return CHORUSACCT_E_TOOSMALL;
    }
    memcpy(buf, in, at);
    for (size_t i = at; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        buf[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    buf[len] = '\0';
    return CHORUSACCT_OK;
}

int chorusacct_email_same(const char *a, size_t alen, const char *b,
                          size_t blen)
{
    if ((a == NULL && alen > 0) || (b == NULL && blen > 0))
        return CHORUSACCT_E_ARG;
    if (alen != blen)
        return 0;
    /* Every byte is compared whatever the first difference: the time
     * depends on the length only. */
    unsigned diff = 0;
    for (size_t i = 0; i < alen; i++) {
        unsigned x = (unsigned char)a[i], y = (unsigned char)b[i];
        x += ((x - 'A') < 26u) << 5;
        y += ((y - 'A') < 26u) << 5;
        diff |= x ^ y;
    }
    return diff == 0;
}
