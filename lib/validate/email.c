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

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define EMAIL_MAX 254  /* RFC 5321 path limit, less the angle brackets */
#define LOCAL_MAX 64   /* RFC 5321 4.5.3.1.1 */
#define DOMAIN_MAX 253 /* RFC 1035 name, written without the final dot */
#define LABEL_MAX 63   /* RFC 1035 2.3.4 */

/* RFC 5322 atext; an LDH label (RFC 1035, RFC 1123 2.1): runs of letters
 * and digits joined by hyphens, so that it neither starts nor ends with
 * one. Its length is counted by hand (labels_short): a bounded repeat
 * in the pattern costs more than the count. */
#define ATEXT "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
#define LABEL "[A-Za-z0-9]++(?:-++[A-Za-z0-9]++)*+"

/*
 * Dot-atom @ two or more labels, the last not all digits. Possessive
 * quantifiers everywhere: nothing in an address is worth retrying, which
 * keeps both the JIT and the interpreter linear. \z rather than $, which
 * would accept a final newline.
 */
static const char email_pattern[] =
    "\\A" ATEXT "++(?:\\." ATEXT "++)*+"
    "@(?:" LABEL "\\.)++(?![0-9]++\\z)" LABEL "\\z";

/*
 * Matching with PCRE2's documented API only, and without the heap in the
 * usual case. A match needs a match data block, which cannot be shared
 * between threads, so each call makes its own: a general context whose
 * allocator hands out a buffer on the caller's stack (PCRE2 takes the
 * context itself from that allocator too), then pcre2_match_data_create()
 * with that context. A JIT match needs nothing more: it writes into the
 * block, and its own stack is PCRE2's default one, on the machine stack.
 * The interpreter also takes its backtracking frames from the block's
 * allocator (20 KiB to start with in PCRE2 10.41 and later), so its
 * buffer is larger; what does not fit comes from malloc(). PCRE2 takes
 * all the memory of a context and a block from their allocator, and
 * freeing them only gives it back: when all of it lies in the buffer,
 * which dies with the call, the two frees are skipped (10 ns of about 90
 * a call); after a malloc() they are made. Measured against the stack
 * copy of a template block that this replaces: docs/validators.md.
 */

/* Written once under chorusacct_init()'s pthread_once, read-only after;
 * email_ready is set last, so that a validator that sees it can skip the
 * call to chorusacct_init(). */
static pcre2_code *email_re;
static bool email_jit;
static atomic_bool email_ready;

int chorusacct__email_init(void)
{
    int err;
    PCRE2_SIZE erroff;

    email_re = pcre2_compile((PCRE2_SPTR)email_pattern,
                             sizeof email_pattern - 1, 0, &err, &erroff, NULL);
    if (email_re == NULL)
        return CHORUSACCT_E_INIT;
    /* The JIT may be missing (not built, or no executable memory): the
     * interpreter gives the same answers, more slowly. The environment
     * switch exists to test that path. */
    const char *no_jit = getenv("CHORUSACCT_PCRE2_NO_JIT");
    email_jit = (no_jit == NULL || no_jit[0] == '\0') &&
                pcre2_jit_compile(email_re, PCRE2_JIT_COMPLETE) == 0;
    atomic_store_explicit(&email_ready, true, memory_order_release);
    return CHORUSACCT_OK;
}

/* A bump allocator over a caller's stack buffer; the heap takes over
 * when it runs out. */
typedef struct {
    unsigned char *base;
    size_t cap, used;
    bool spilled; /* something came from malloc() */
} arena;

static void *arena_alloc(size_t n, void *data)
{
    arena *a = data;
    size_t off = (a->used + 15) & ~(size_t)15;
    if (off <= a->cap && n <= a->cap - off) {
        a->used = off + n;
        return a->base + off;
    }
    a->spilled = true;
    return malloc(n);
}

static void arena_free(void *p, void *data)
{
    arena *a = data;
    unsigned char *q = p;
    if (q != NULL && (q < a->base || q >= a->base + a->cap))
        free(p);
}

static int match_result(int rc)
{
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

/* Matches with a match data block made in `a`: PCRE2's return code. */
static int match_in(arena *a, const char *s, size_t len)
{
    pcre2_general_context *gc =
        pcre2_general_context_create(arena_alloc, arena_free, a);
    pcre2_match_data *md = gc != NULL ? pcre2_match_data_create(1, gc) : NULL;
    int rc = PCRE2_ERROR_NOMEMORY;
    if (md != NULL)
        rc = email_jit
                 ? pcre2_jit_match(email_re, (PCRE2_SPTR)s, len, 0, 0, md, NULL)
                 : pcre2_match(email_re, (PCRE2_SPTR)s, len, 0, 0, md, NULL);
    if (a->spilled) { /* see above */
        pcre2_match_data_free(md);
        pcre2_general_context_free(gc);
    }
    return rc;
}

/* The JIT's buffer: the context and the block (about 150 bytes with
 * PCRE2 10.42), with room to spare. */
static int match_jit(const char *s, size_t len)
{
    _Alignas(16) unsigned char mem[512];
    arena a = {mem, sizeof mem, 0, false};
    return match_in(&a, s, len);
}

/* The interpreter's buffer: the same, and its first 20 KiB of frames. */
static int match_interpreter(const char *s, size_t len)
{
    _Alignas(16) unsigned char mem[24 * 1024];
    arena a = {mem, sizeof mem, 0, false};
    return match_in(&a, s, len);
}

/* Runs the pattern: 1 if it matches, 0 if not, -1 if PCRE2 failed. */
static int email_match(const char *s, size_t len)
{
    return match_result(email_jit ? match_jit(s, len)
                                  : match_interpreter(s, len));
}

/* ------------------------------------------------------------------ */
/* Why the pattern refused an address                                   */

/* Byte classes of the diagnosis. */
enum { E_BAD = 0, E_ALNUM, E_DIGIT, E_ATEXT, E_HYPHEN, E_DOT, E_AT };

static const uint8_t email_class[256] = {
    ['A'] = E_ALNUM,  ['B'] = E_ALNUM, ['C'] = E_ALNUM, ['D'] = E_ALNUM,
    ['E'] = E_ALNUM,  ['F'] = E_ALNUM, ['G'] = E_ALNUM, ['H'] = E_ALNUM,
    ['I'] = E_ALNUM,  ['J'] = E_ALNUM, ['K'] = E_ALNUM, ['L'] = E_ALNUM,
    ['M'] = E_ALNUM,  ['N'] = E_ALNUM, ['O'] = E_ALNUM, ['P'] = E_ALNUM,
    ['Q'] = E_ALNUM,  ['R'] = E_ALNUM, ['S'] = E_ALNUM, ['T'] = E_ALNUM,
    ['U'] = E_ALNUM,  ['V'] = E_ALNUM, ['W'] = E_ALNUM, ['X'] = E_ALNUM,
    ['Y'] = E_ALNUM,  ['Z'] = E_ALNUM, ['a'] = E_ALNUM, ['b'] = E_ALNUM,
    ['c'] = E_ALNUM,  ['d'] = E_ALNUM, ['e'] = E_ALNUM, ['f'] = E_ALNUM,
    ['g'] = E_ALNUM,  ['h'] = E_ALNUM, ['i'] = E_ALNUM, ['j'] = E_ALNUM,
    ['k'] = E_ALNUM,  ['l'] = E_ALNUM, ['m'] = E_ALNUM, ['n'] = E_ALNUM,
    ['o'] = E_ALNUM,  ['p'] = E_ALNUM, ['q'] = E_ALNUM, ['r'] = E_ALNUM,
    ['s'] = E_ALNUM,  ['t'] = E_ALNUM, ['u'] = E_ALNUM, ['v'] = E_ALNUM,
    ['w'] = E_ALNUM,  ['x'] = E_ALNUM, ['y'] = E_ALNUM, ['z'] = E_ALNUM,
    ['0'] = E_DIGIT,  ['1'] = E_DIGIT, ['2'] = E_DIGIT, ['3'] = E_DIGIT,
    ['4'] = E_DIGIT,  ['5'] = E_DIGIT, ['6'] = E_DIGIT, ['7'] = E_DIGIT,
    ['8'] = E_DIGIT,  ['9'] = E_DIGIT, ['!'] = E_ATEXT, ['#'] = E_ATEXT,
    ['$'] = E_ATEXT,  ['%'] = E_ATEXT, ['&'] = E_ATEXT, ['\''] = E_ATEXT,
    ['*'] = E_ATEXT,  ['+'] = E_ATEXT, ['/'] = E_ATEXT, ['='] = E_ATEXT,
    ['?'] = E_ATEXT,  ['^'] = E_ATEXT, ['_'] = E_ATEXT, ['`'] = E_ATEXT,
    ['{'] = E_ATEXT,  ['|'] = E_ATEXT, ['}'] = E_ATEXT, ['~'] = E_ATEXT,
    ['-'] = E_HYPHEN, ['.'] = E_DOT,   ['@'] = E_AT,
};

static bool has_high_byte(const unsigned char *s, size_t n)
{
    const uint64_t high = UINT64_C(0x8080808080808080);
    uint64_t acc = 0, x;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x, s + i, 8);
        acc |= x;
    }
    for (; i < n; i++)
        acc |= s[i];
    return (acc & high) != 0;
}

/* The local part, 1 to LOCAL_MAX bytes: atext with single dots between
 * atoms. */
static bool local_ok(const unsigned char *s, size_t n)
{
    if (s[0] == '.' || s[n - 1] == '.')
        return false;
    unsigned prev = E_BAD;
    for (size_t i = 0; i < n; i++) {
        unsigned c = email_class[s[i]];
        if (c == E_BAD || c == E_AT || (c == E_DOT && prev == E_DOT))
            return false;
        prev = c;
    }
    return true;
}

/* Whether a local part holds `=?`, the start of an RFC 2047 encoded word:
 * `=?utf-8?q?evil=40evil.com=2C?=@example.fr` is a valid dot-atom, but
 * mail readers decode it and show `"evil@evil.com,"@example.fr`. */
static bool local_encoded(const char *s, size_t n)
{
    const char *p = s, *end = s + n;
    while ((p = memchr(p, '=', (size_t)(end - p))) != NULL && ++p < end)
        if (*p == '?')
            return true;
    return false;
}

/* The domain; the reasons in their documented order. */
static int domain_reason(const unsigned char *d, size_t n)
{
    const unsigned ldh = 1u << E_ALNUM | 1u << E_DIGIT | 1u << E_HYPHEN;
    size_t start = 0, last = 0, dots = 0;
    bool bad_label = false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && d[i] != '.') {
            if (!((1u << email_class[d[i]]) & ldh))
                return CHORUSACCT_E_EMAIL_DOMAIN;
            continue;
        }
        if (i == start) /* empty: leading, doubled or final dot */
            return CHORUSACCT_E_EMAIL_DOMAIN;
        bad_label |=
            i - start > LABEL_MAX || d[start] == '-' || d[i - 1] == '-';
        last = start;
        start = i + 1;
        dots += i < n;
    }
    if (dots == 0)
        return CHORUSACCT_E_EMAIL_DOMAIN;
    if (bad_label)
        return CHORUSACCT_E_EMAIL_LABEL;
    for (size_t i = last; i < n; i++)
        if (email_class[d[i]] != E_DIGIT)
            /* The checks above refuse everything the pattern refuses;
             * the fuzz target holds them to it. */
            return CHORUSACCT_E_EMAIL_DOMAIN;
    return CHORUSACCT_E_EMAIL_TLD;
}

/* The reasons in a fixed order, whatever their positions; the docs list
 * it. `at` is the first @, or NULL. */
static int email_diagnose(const unsigned char *s, size_t len,
                          const unsigned char *at)
{
    if (has_high_byte(s, len))
        return CHORUSACCT_E_EMAIL_NONASCII;
    if (at == NULL || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
        return CHORUSACCT_E_EMAIL_AT;
    const size_t local = (size_t)(at - s), dlen = len - local - 1;
    if (local == 0 || local > LOCAL_MAX)
        return CHORUSACCT_E_EMAIL_LOCAL_LENGTH;
    if (dlen > DOMAIN_MAX)
        return CHORUSACCT_E_EMAIL_DOMAIN_LENGTH;
    if (len > EMAIL_MAX)
        return CHORUSACCT_E_EMAIL_LENGTH;
    if (!local_ok(s, local))
        return CHORUSACCT_E_EMAIL_LOCAL;
    if (local_encoded((const char *)s, local))
        return CHORUSACCT_E_EMAIL_ENCODED;
    return domain_reason(at + 1, dlen);
}

/* ------------------------------------------------------------------ */
/* Public functions                                                     */

/* memcpy() for a few dozen bytes: GCC expands a memcpy whose size it
 * knows to be small into `rep movs`, whose start-up cost is most of an
 * address's validation. */
static void copy_short(char *dst, const char *src, size_t n)
{
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            dst[i] = src[i];
        return;
    }
    uint64_t x;
    for (size_t i = 0; i + 8 < n; i += 8) {
        memcpy(&x, src + i, 8);
        memcpy(dst + i, &x, 8);
    }
    memcpy(&x, src + n - 8, 8); /* the last 8, overlapping */
    memcpy(dst + n - 8, &x, 8);
}

/*
 * Copies n bytes, lower-casing ASCII letters eight at a time: every byte
 * is below 0x80 (the pattern matched), so adding to a byte never carries
 * into the next, and bit 7 of x + 0x3F (x >= 'A') and of x + 0x25
 * (x > 'Z') single out the upper-case letters. The last eight bytes
 * overlap the previous ones, which is harmless: it reads the source.
 */
static void copy_lower(char *dst, const char *src, size_t n)
{
    const uint64_t ones = UINT64_C(0x0101010101010101);
    if (n < 8) {
        for (size_t i = 0; i < n; i++) {
            unsigned c = (unsigned char)src[i];
            dst[i] = (char)(c - 'A' < 26u ? c + 32 : c);
        }
        return;
    }
    for (size_t i = 0;; i += 8) {
        if (i + 8 > n)
            i = n - 8;
        uint64_t x;
        memcpy(&x, src + i, 8);
        x |= ((x + 0x3F * ones) & ~(x + 0x25 * ones) & 0x80 * ones) >> 2;
        memcpy(dst + i, &x, 8);
        if (i + 8 == n)
            return;
    }
}

/* Whether no label of a matched domain is over LABEL_MAX; only a domain
 * longer than that can have one. */
static bool labels_short(const char *d, size_t n)
{
    if (n <= LABEL_MAX)
        return true;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        run = d[i] == '.' ? 0 : run + 1;
        if (run > LABEL_MAX)
            return false;
    }
    return true;
}

size_t chorusacct_email_max_len(void)
{
    return EMAIL_MAX;
}

int chorusacct_email_check(const char *in, size_t len, uint32_t flags,
                           char *buf, size_t cap, size_t *len_out, int *reason)
{
    (void)flags;
    if ((in == NULL && len > 0) || (buf == NULL && cap > 0)) {
        chorusacct__clear(buf, cap, len_out);
        return CHORUSACCT_E_ARG;
    }
    if (!atomic_load_explicit(&email_ready, memory_order_acquire)) {
        int rc = chorusacct_init();
        if (rc != CHORUSACCT_OK) {
            chorusacct__clear(buf, cap, len_out);
            return rc;
        }
    }
    if (len == 0) {
        chorusacct__clear(buf, cap, len_out);
        return ca_reject(reason, CHORUSACCT_E_EMPTY);
    }

    /* Cheap checks first, so that the common mistakes (no @, a local
     * part too long) skip the pattern; the @ found here is the pattern's
     * only @ when it matches. */
    const char *at = memchr(in, '@', len);
    size_t local = at != NULL ? (size_t)(at - in) : 0;
    int m = 0;
    if (at != NULL && local >= 1 && local <= LOCAL_MAX && len <= EMAIL_MAX)
        m = email_match(in, len);
    const size_t dlen = len - local - 1;
    if (m == 1 && (!labels_short(at + 1, dlen) || local_encoded(in, local)))
        m = 0;
    if (m != 1) {
        chorusacct__clear(buf, cap, len_out);
        if (m < 0)
            return CHORUSACCT_E_NOMEM;
        return ca_reject(reason, email_diagnose((const unsigned char *)in, len,
                                                (const unsigned char *)at));
    }

    if (len_out != NULL)
        *len_out = len;
    if (buf == NULL)
        return CHORUSACCT_OK;
    if (cap < len + 1) {
        buf[0] = '\0';
        return CHORUSACCT_E_TOOSMALL;
    }
    copy_short(buf, in, local + 1);
    copy_lower(buf + local + 1, at + 1, dlen);
    buf[len] = '\0';
    return CHORUSACCT_OK;
}

int chorusacct_email_same(const char *a, size_t alen, const char *b,
                          size_t blen)
{
    /* A predicate answers 1 or 0, never an error code, which an `if`
     * would take for true: no address is the same as nothing. */
    if ((a == NULL && alen > 0) || (b == NULL && blen > 0))
        return 0;
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
