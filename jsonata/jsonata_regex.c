/*
 * jsonata_regex.c: the regular expression engine behind JSONata's regex
 * literals ($match, $contains, $replace, $split): compiles JavaScript-style
 * patterns and searches UTF-8 text with them. The compiler also calls it
 * (jsonata_regex_check) to reject bad patterns ahead of time.
 */
#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "jsonata.h"
#include "jsonata_internal.h"

/* ------------------------------------------------------------- regex */

/* A backtracking matcher for the JavaScript regular expressions JSONata
 * takes: alternation, groups ((...), (?:...), (?=...), (?!...), (?<n>...)),
 * greedy and lazy quantifiers, classes, \d \w \s \b, backreferences, the i
 * and m flags. It works on UTF-8, a code point at a time. Patterns are
 * compiled by recursive descent into nodes from an allocator the caller
 * supplies (the compiler checks syntax at compile time, the
 * evaluator compiles into its arena). */

#define RX_GROUPS 99

typedef enum rop {
    RX_CHAR, RX_ANY, RX_CLASS, RX_BOL, RX_EOL, RX_WORDB, RX_NWORDB, RX_GROUP, RX_LOOK, RX_NLOOK, RX_BACKREF,
} rop;

typedef struct rrange {
    uint32_t lo, hi;
} rrange;

typedef struct ritem ritem;

struct ritem {
    rop op;
    uint32_t ch;          /* RX_CHAR; RX_BACKREF: group number */
    rrange *ranges;       /* RX_CLASS */
    int nranges, negate;
    rseq *alts;           /* RX_GROUP, RX_LOOK, RX_NLOOK: alternatives */
    int nalts;
    int group;            /* capture number, 0 for none */
    int min, max, greedy; /* quantifier; max -1 = unbounded */
};

struct rseq {
    ritem *items;
    int n;
    /* the character every match starts with (has_first), as written and
     * lower-cased: alternatives that cannot start at a position are
     * skipped without trying them */
    int has_first;
    uint32_t first, first_fold;
};

typedef struct rxc {
    const char *p, *end;
    const char *err;
    int ngroups;
    void *(*alloc)(void *ctx, size_t n);
    void *ctx;
    int depth;
} rxc;

static void *rx_alloc(rxc *c, size_t n)
{
    return c->alloc(c->ctx, n);
}

static int rx_alts(rxc *c, rseq **alts, int *nalts);

int jn_hexval(char ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Reads \d-style classes into ranges; returns the count (0 if not one). */
static int class_escape(char ch, rrange *out, int *negate)
{
    static const rrange digit[] = {{'0', '9'}};
    static const rrange word[] = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    static const rrange space[] = {{9, 13}, {32, 32}, {0xA0, 0xA0}, {0x1680, 0x1680}, {0x2000, 0x200A},
                                   {0x2028, 0x2029}, {0x202F, 0x202F}, {0x205F, 0x205F}, {0x3000, 0x3000}, {0xFEFF, 0xFEFF}};
    const rrange *src = NULL;
    int n = 0;
    switch (ch) {
    case 'd': case 'D': src = digit; n = 1; break;
    case 'w': case 'W': src = word; n = 4; break;
    case 's': case 'S': src = space; n = 10; break;
    default: return 0;
    }
    memcpy(out, src, sizeof *out * (size_t)n);
    *negate = ch >= 'A' && ch <= 'Z';
    return n;
}

/* An escaped character (after the backslash), as a code point. */
static uint32_t escaped_char(rxc *c)
{
    char ch = *c->p++;
    switch (ch) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'f': return '\f';
    case 'v': return '\v';
    case '0': return 0;
    case 'c':
        if (c->p < c->end && isalpha((unsigned char)*c->p))
            return (uint32_t)(*c->p++ % 32);
        return 'c';
    case 'x':
        if (c->end - c->p >= 2 && jn_hexval(c->p[0]) >= 0 && jn_hexval(c->p[1]) >= 0) {
            uint32_t v = (uint32_t)(jn_hexval(c->p[0]) * 16 + jn_hexval(c->p[1]));
            c->p += 2;
            return v;
        }
        return 'x';
    case 'u':
        if (c->end - c->p >= 4 && jn_hexval(c->p[0]) >= 0 && jn_hexval(c->p[1]) >= 0 && jn_hexval(c->p[2]) >= 0 &&
            jn_hexval(c->p[3]) >= 0) {
            uint32_t v = 0;
            for (int i = 0; i < 4; i++)
                v = v * 16 + (uint32_t)jn_hexval(c->p[i]);
            c->p += 4;
            return v;
        }
        return 'u';
    default: {
        size_t adv;
        c->p--;
        uint32_t cp = jn_u8_next(c->p, (size_t)(c->end - c->p), &adv);
        c->p += adv;
        return cp;
    }
    }
}

static int rx_class(rxc *c, ritem *it)
{
    rrange tmp[256];
    int n = 0;
    it->op = RX_CLASS;
    if (c->p < c->end && *c->p == '^') {
        it->negate = 1;
        c->p++;
    }
    while (c->p < c->end && *c->p != ']') {
        if (n > 240) {
            c->err = "character class too large";
            return 0;
        }
        uint32_t lo;
        if (*c->p == '\\' && c->p + 1 < c->end) {
            c->p++;
            int neg = 0, k = class_escape(*c->p, tmp + n, &neg);
            if (k) {
                c->p++;
                if (neg) { /* complement of the ranges, in place */
                    rrange comp[12];
                    int m = 0;
                    uint32_t from = 0;
                    for (int i = 0; i < k; i++) {
                        if (tmp[n + i].lo > from)
                            comp[m++] = (rrange){from, tmp[n + i].lo - 1};
                        from = tmp[n + i].hi + 1;
                    }
                    comp[m++] = (rrange){from, 0x10FFFF};
                    memcpy(tmp + n, comp, sizeof *comp * (size_t)m);
                    k = m;
                }
                n += k;
                continue;
            }
            lo = *c->p == 'b' ? (c->p++, 8u) : escaped_char(c);
        } else {
            size_t adv;
            lo = jn_u8_next(c->p, (size_t)(c->end - c->p), &adv);
            c->p += adv;
        }
        uint32_t hi = lo;
        if (c->p + 1 < c->end && *c->p == '-' && c->p[1] != ']') {
            c->p++;
            if (*c->p == '\\' && c->p + 1 < c->end) {
                c->p++;
                hi = escaped_char(c);
            } else {
                size_t adv;
                hi = jn_u8_next(c->p, (size_t)(c->end - c->p), &adv);
                c->p += adv;
            }
            if (hi < lo) {
                c->err = "range out of order in character class";
                return 0;
            }
        }
        tmp[n++] = (rrange){lo, hi};
    }
    if (c->p >= c->end) {
        c->err = "missing terminating ] for character class";
        return 0;
    }
    c->p++;
    it->ranges = rx_alloc(c, sizeof *it->ranges * (size_t)(n ? n : 1));
    memcpy(it->ranges, tmp, sizeof *tmp * (size_t)n);
    it->nranges = n;
    return 1;
}

/* {n}, {n,}, {n,m}; anything else is a literal brace, as in JavaScript. */
static int rx_braces(rxc *c, ritem *it)
{
    const char *p = c->p + 1;
    int min = 0, max, digits = 0;
    while (p < c->end && *p >= '0' && *p <= '9' && min < 100000)
        min = min * 10 + (*p++ - '0'), digits++;
    if (!digits)
        return 0;
    max = min;
    if (p < c->end && *p == ',') {
        p++;
        max = -1;
        if (p < c->end && *p >= '0' && *p <= '9') {
            max = 0;
            while (p < c->end && *p >= '0' && *p <= '9' && max < 100000)
                max = max * 10 + (*p++ - '0');
        }
    }
    if (p >= c->end || *p != '}')
        return 0;
    if (max >= 0 && max < min) {
        c->err = "numbers out of order in {} quantifier";
        return 0;
    }
    it->min = min;
    it->max = max;
    c->p = p + 1;
    return 1;
}

static int rx_atom(rxc *c, ritem *it)
{
    char ch = *c->p;
    it->min = it->max = 1;
    it->greedy = 1;
    switch (ch) {
    case '.': c->p++; it->op = RX_ANY; return 1;
    case '^': c->p++; it->op = RX_BOL; return 1;
    case '$': c->p++; it->op = RX_EOL; return 1;
    case '[': c->p++; return rx_class(c, it);
    case '(': {
        c->p++;
        it->op = RX_GROUP;
        if (c->p + 1 < c->end && c->p[0] == '?') {
            char k = c->p[1];
            if (k == ':' || k == '=' || k == '!') {
                it->op = k == '=' ? RX_LOOK : k == '!' ? RX_NLOOK : RX_GROUP;
                c->p += 2;
            } else if (k == '<' && c->p + 2 < c->end && c->p[2] != '=' && c->p[2] != '!') {
                const char *gt = memchr(c->p, '>', (size_t)(c->end - c->p));
                if (!gt) {
                    c->err = "invalid group name";
                    return 0;
                }
                c->p = gt + 1;
                it->group = ++c->ngroups;
            } else {
                c->err = "invalid group";
                return 0;
            }
        } else {
            it->group = ++c->ngroups;
        }
        if (c->ngroups > RX_GROUPS) {
            c->err = "too many capturing groups";
            return 0;
        }
        if (++c->depth > 100) {
            c->err = "too many nested groups";
            return 0;
        }
        if (!rx_alts(c, &it->alts, &it->nalts))
            return 0;
        c->depth--;
        if (c->p >= c->end || *c->p != ')') {
            c->err = "missing )";
            return 0;
        }
        c->p++;
        return 1;
    }
    case ')': c->err = "unmatched )"; return 0;
    case '*': case '+': case '?': c->err = "nothing to repeat"; return 0;
    case '{': {
        ritem probe = {0};
        const char *save = c->p;
        if (rx_braces(c, &probe)) {
            c->p = save;
            c->err = "nothing to repeat";
            return 0;
        }
        c->p++;
        it->op = RX_CHAR;
        it->ch = '{';
        return 1;
    }
    case '\\': {
        if (c->p + 1 >= c->end) {
            c->err = "\\ at end of pattern";
            return 0;
        }
        c->p++;
        ch = *c->p;
        if (ch == 'b' || ch == 'B') {
            c->p++;
            it->op = ch == 'b' ? RX_WORDB : RX_NWORDB;
            return 1;
        }
        if (ch >= '1' && ch <= '9') {
            int g = 0;
            while (c->p < c->end && *c->p >= '0' && *c->p <= '9' && g < 1000)
                g = g * 10 + (*c->p++ - '0');
            it->op = RX_BACKREF;
            it->ch = (uint32_t)g;
            return 1;
        }
        rrange tmp[12];
        int neg = 0, k = class_escape(ch, tmp, &neg);
        if (k) {
            c->p++;
            it->op = RX_CLASS;
            it->ranges = rx_alloc(c, sizeof *tmp * (size_t)k);
            memcpy(it->ranges, tmp, sizeof *tmp * (size_t)k);
            it->nranges = k;
            it->negate = neg;
            return 1;
        }
        it->op = RX_CHAR;
        it->ch = escaped_char(c);
        return 1;
    }
    default: {
        size_t adv;
        it->op = RX_CHAR;
        it->ch = jn_u8_next(c->p, (size_t)(c->end - c->p), &adv);
        c->p += adv;
        return 1;
    }
    }
}

static int rx_quant(rxc *c, ritem *it)
{
    if (c->p >= c->end)
        return 1;
    char ch = *c->p;
    if (ch == '*' || ch == '+' || ch == '?') {
        it->min = ch == '+';
        it->max = ch == '?' ? 1 : -1;
        c->p++;
    } else if (ch != '{' || !rx_braces(c, it)) {
        return c->err == NULL;
    }
    if (it->op == RX_BOL || it->op == RX_EOL || it->op == RX_WORDB || it->op == RX_NWORDB) {
        c->err = "nothing to repeat";
        return 0;
    }
    if (c->p < c->end && *c->p == '?') {
        it->greedy = 0;
        c->p++;
    }
    if (c->p < c->end && (*c->p == '*' || *c->p == '+' || *c->p == '?')) {
        c->err = "nothing to repeat";
        return 0;
    }
    return 1;
}

static int rx_seq(rxc *c, rseq *s)
{
    int cap = 0;
    s->n = 0;
    s->items = NULL;
    while (c->p < c->end && *c->p != '|' && *c->p != ')') {
        if (s->n == cap) {
            cap = cap ? 2 * cap : 8;
            ritem *items = rx_alloc(c, sizeof *items * (size_t)cap);
            if (s->n)
                memcpy(items, s->items, sizeof *items * (size_t)s->n);
            s->items = items;
        }
        ritem *it = &s->items[s->n];
        memset(it, 0, sizeof *it);
        if (!rx_atom(c, it) || !rx_quant(c, it))
            return 0;
        s->n++;
    }
    if (s->n && s->items[0].op == RX_CHAR && s->items[0].min >= 1) {
        s->has_first = 1;
        s->first = s->items[0].ch;
        s->first_fold = jn_cp_lower(s->first);
    }
    return 1;
}

static int rx_alts(rxc *c, rseq **alts, int *nalts)
{
    int cap = 2;
    *alts = rx_alloc(c, sizeof **alts * (size_t)cap);
    *nalts = 0;
    for (;;) {
        if (*nalts == cap) {
            rseq *more = rx_alloc(c, sizeof *more * (size_t)cap * 2);
            memcpy(more, *alts, sizeof *more * (size_t)cap);
            *alts = more;
            cap *= 2;
        }
        if (!rx_seq(c, &(*alts)[(*nalts)++]))
            return 0;
        if (c->p >= c->end || *c->p != '|')
            return 1;
        c->p++;
    }
}

rx *jn_rx_compile(const char *pat, size_t len, unsigned flags, void *(*af)(void *, size_t), void *ctx,
                      const char **err)
{
    rxc c = {pat, pat + len, NULL, 0, af, ctx, 0};
    rx *r = af(ctx, sizeof *r);
    memset(r, 0, sizeof *r);
    if (!rx_alts(&c, &r->alts, &r->nalts) || c.p < c.end) {
        *err = c.err ? c.err : "unmatched )";
        return NULL;
    }
    r->ngroups = c.ngroups;
    r->icase = (flags & JN_RX_I) != 0;
    r->multiline = (flags & JN_RX_M) != 0;
    *err = NULL;
    return r;
}

/* Compile-time check: compiled into a scratch heap list, then freed. */
typedef struct scratch {
    void **blocks;
    int n, cap;
} scratch;

static void *scratch_alloc(void *ctx, size_t n)
{
    scratch *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        void **b = realloc(s->blocks, sizeof *b * (size_t)s->cap);
        if (!b)
            abort();
        s->blocks = b;
    }
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return s->blocks[s->n++] = p;
}

const char *jsonata_regex_check(const char *pattern, size_t len)
{
    scratch s = {0};
    const char *err;
    jn_rx_compile(pattern, len, 0, scratch_alloc, &s, &err);
    for (int i = 0; i < s.n; i++)
        free(s.blocks[i]);
    free(s.blocks);
    return err;
}

/* ---- matching */

#define RX_STEPS 5000000L


typedef struct rxm {
    const rx *re;
    const char *s;
    size_t len;
    size_t *caps;          /* 2 per group: start, end; SIZE_MAX = unset */
    long steps;
    int depth;
    int aborted;
    size_t end;            /* where the overall match ended */
    uintptr_t stack0;      /* the C stack where the search began */
} rxm;

typedef struct kont kont;
typedef int (*kfn)(rxm *m, const kont *k, size_t pos);
struct kont {
    kfn fn;
    const rseq *seq;
    int i;                 /* item index in seq */
    int count;             /* repetitions so far */
    size_t start;          /* where this repetition began */
    const kont *next;
};

static int m_seq(rxm *m, const rseq *s, int i, size_t pos, const kont *k);

static uint32_t fold(uint32_t c)
{
    return jn_cp_lower(c);
}

static int in_class(const rxm *m, const ritem *it, uint32_t c)
{
    int hit = 0;
    for (int i = 0; i < it->nranges && !hit; i++) {
        if (c >= it->ranges[i].lo && c <= it->ranges[i].hi)
            hit = 1;
        else if (m->re->icase) {
            uint32_t l = jn_cp_lower(c), u = jn_cp_upper(c);
            hit = (l >= it->ranges[i].lo && l <= it->ranges[i].hi) || (u >= it->ranges[i].lo && u <= it->ranges[i].hi);
        }
    }
    return hit != it->negate;
}

static int is_word(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_eol(uint32_t c)
{
    return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

/* The code point before pos (or -1). */
static long cp_before(const rxm *m, size_t pos)
{
    if (pos == 0)
        return -1;
    size_t p = jn_u8_prev(m->s, 0, pos);
    size_t adv;
    return jn_u8_next(m->s + p, m->len - p, &adv);
}

/* Matches a single-character item at pos: the length consumed, or -1. */
static long m_char(const rxm *m, const ritem *it, size_t pos)
{
    if (pos >= m->len)
        return -1;
    size_t adv;
    uint32_t c = jn_u8_next(m->s + pos, m->len - pos, &adv);
    switch (it->op) {
    case RX_CHAR:
        if (c == it->ch || (m->re->icase && fold(c) == fold(it->ch)))
            return (long)adv;
        return -1;
    case RX_ANY: return is_eol(c) ? -1 : (long)adv;
    case RX_CLASS: return in_class(m, it, c) ? (long)adv : -1;
    default: return -1;
    }
}

/* Zero-width assertions: 1 when they hold at pos. */
static int m_assert(const rxm *m, const ritem *it, size_t pos)
{
    long before = cp_before(m, pos);
    size_t adv;
    long after = pos < m->len ? (long)jn_u8_next(m->s + pos, m->len - pos, &adv) : -1;
    switch (it->op) {
    case RX_BOL: return pos == 0 || (m->re->multiline && is_eol((uint32_t)before));
    case RX_EOL: return pos == m->len || (m->re->multiline && is_eol((uint32_t)after));
    case RX_WORDB:
    case RX_NWORDB: {
        int b = (before >= 0 && is_word((uint32_t)before)) != (after >= 0 && is_word((uint32_t)after));
        return it->op == RX_WORDB ? b : !b;
    }
    default: return 0;
    }
}

/* What alternatives look at before trying themselves: the code point at
 * a position, and it lower-cased under the i flag. */
typedef struct peek {
    int have;
    uint32_t c, fold;
} peek;

static peek peek_at(const rxm *m, size_t pos)
{
    peek p = {0, 0, 0};
    if (pos < m->len) {
        size_t adv;
        p.have = 1;
        p.c = jn_u8_next(m->s + pos, m->len - pos, &adv);
        p.fold = m->re->icase ? fold(p.c) : p.c;
    }
    return p;
}

/* Whether alternative a may match where p was taken. */
static int may_start(const rxm *m, const rseq *a, const peek *p)
{
    return !a->has_first || (p->have && (p->c == a->first || (m->re->icase && p->fold == a->first_fold)));
}

static int k_accept(rxm *m, const kont *k, size_t pos)
{
    (void)k;
    m->end = pos;
    return 1;
}

/* After a group's alternative matched: record the capture, go on. */
static int k_close(rxm *m, const kont *k, size_t pos)
{
    int g = k->count;
    size_t s0 = m->caps[2 * g], e0 = m->caps[2 * g + 1];
    m->caps[2 * g] = k->start;
    m->caps[2 * g + 1] = pos;
    int r = k->next->fn(m, k->next, pos);
    if (r == 0) {
        m->caps[2 * g] = s0;
        m->caps[2 * g + 1] = e0;
    }
    return r;
}

static int m_rep(rxm *m, const rseq *s, int i, int count, size_t pos, const kont *k);

/* After one more repetition of item i: an empty repetition past the
 * minimum would loop for ever, so it fails. */
static int k_rep(rxm *m, const kont *k, size_t pos)
{
    if (pos == k->start && k->count > k->seq->items[k->i].min)
        return 0;
    return m_rep(m, k->seq, k->i, k->count, pos, k->next);
}

/* One occurrence of a group-like item at pos, then continuation k. */
static int m_once(rxm *m, const ritem *it, size_t pos, const kont *k)
{
    if (it->op == RX_LOOK || it->op == RX_NLOOK) {
        size_t save[2 * (RX_GROUPS + 1)];
        memcpy(save, m->caps, sizeof *save * 2 * (size_t)(m->re->ngroups + 1));
        kont acc = {k_accept, NULL, 0, 0, 0, NULL};
        size_t end = m->end;
        int r = 0;
        for (int a = 0; a < it->nalts && !r; a++)
            r = m_seq(m, &it->alts[a], 0, pos, &acc);
        m->end = end;
        if (r < 0)
            return r;
        if (it->op == RX_NLOOK) {
            memcpy(m->caps, save, sizeof *save * 2 * (size_t)(m->re->ngroups + 1));
            return r ? 0 : k->fn(m, k, pos);
        }
        if (!r)
            return 0;
        r = k->fn(m, k, pos);
        if (!r)
            memcpy(m->caps, save, sizeof *save * 2 * (size_t)(m->re->ngroups + 1));
        return r;
    }
    if (it->op == RX_GROUP) {
        kont close = {k_close, NULL, 0, it->group, pos, k};
        peek p = peek_at(m, pos);
        for (int a = 0; a < it->nalts; a++) {
            if (!may_start(m, &it->alts[a], &p))
                continue;
            int r = m_seq(m, &it->alts[a], 0, pos, it->group ? &close : k);
            if (r)
                return r;
        }
        return 0;
    }
    if (it->op == RX_BACKREF) {
        int g = (int)it->ch;
        size_t n = 0;
        if (g <= m->re->ngroups && m->caps[2 * g] != SIZE_MAX) {
            n = m->caps[2 * g + 1] - m->caps[2 * g];
            if (pos + n > m->len)
                return 0;
            const char *a = m->s + m->caps[2 * g], *b = m->s + pos;
            for (size_t q = 0; q < n; q++)
                if (a[q] != b[q] && !(m->re->icase && tolower((unsigned char)a[q]) == tolower((unsigned char)b[q])))
                    return 0;
        }
        return k->fn(m, k, pos + n);
    }
    if (it->op == RX_CHAR || it->op == RX_ANY || it->op == RX_CLASS) {
        long adv = m_char(m, it, pos);
        return adv < 0 ? 0 : k->fn(m, k, pos + (size_t)adv);
    }
    return m_assert(m, it, pos) ? k->fn(m, k, pos) : 0;
}

/* Item i of s has matched count times, ending at pos. */
static int m_rep(rxm *m, const rseq *s, int i, int count, size_t pos, const kont *k)
{
    const ritem *it = &s->items[i];
    if (++m->steps > RX_STEPS || ++m->depth > 100000 || jn_stack_used(m->stack0) > STACK_BUDGET) {
        m->aborted = 1;
        return -1;
    }
    int r = 0;
    kont more = {k_rep, s, i, count + 1, pos, k};
    int can_more = it->max < 0 || count < it->max;
    if (it->greedy) {
        if (can_more)
            r = m_once(m, it, pos, &more);
        if (!r && count >= it->min)
            r = m_seq(m, s, i + 1, pos, k);
    } else {
        if (count >= it->min)
            r = m_seq(m, s, i + 1, pos, k);
        if (!r && can_more)
            r = m_once(m, it, pos, &more);
    }
    m->depth--;
    return r;
}

/* Single characters repeat in a loop, not a recursion per character;
 * backtracking steps back one code point at a time. */
static int m_simple_rep(rxm *m, const rseq *s, int i, size_t pos, const kont *k)
{
    const ritem *it = &s->items[i];
    size_t p = pos;
    int c = 0;
    if (!it->greedy) {
        for (;;) {
            if (c >= it->min) {
                int r = m_seq(m, s, i + 1, p, k);
                if (r)
                    return r;
            }
            long adv = (it->max >= 0 && c >= it->max) ? -1 : m_char(m, it, p);
            if (adv < 0)
                return 0;
            p += (size_t)adv;
            c++;
            if (++m->steps > RX_STEPS) {
                m->aborted = 1;
                return -1;
            }
        }
    }
    while (it->max < 0 || c < it->max) {
        long adv = m_char(m, it, p);
        if (adv < 0)
            break;
        p += (size_t)adv;
        c++;
    }
    for (; c >= it->min; c--) {
        int r = m_seq(m, s, i + 1, p, k);
        if (r)
            return r;
        if (c == it->min || ++m->steps > RX_STEPS)
            break;
        p = jn_u8_prev(m->s, pos, p); /* the way forward cut it: invalid bytes count one each */
    }
    if (m->steps > RX_STEPS) {
        m->aborted = 1;
        return -1;
    }
    return 0;
}

static int m_seq(rxm *m, const rseq *s, int i, size_t pos, const kont *k)
{
    if (i == s->n)
        return k->fn(m, k, pos);
    const ritem *it = &s->items[i];
    if (++m->steps > RX_STEPS || jn_stack_used(m->stack0) > STACK_BUDGET) {
        m->aborted = 1;
        return -1;
    }
    if (it->min == 1 && it->max == 1) {
        if (it->op == RX_CHAR || it->op == RX_ANY || it->op == RX_CLASS) {
            long adv = m_char(m, it, pos);
            return adv < 0 ? 0 : m_seq(m, s, i + 1, pos + (size_t)adv, k);
        }
        if (it->op != RX_GROUP && it->op != RX_LOOK && it->op != RX_NLOOK && it->op != RX_BACKREF)
            return m_assert(m, it, pos) ? m_seq(m, s, i + 1, pos, k) : 0;
    }
    if (it->op == RX_CHAR || it->op == RX_ANY || it->op == RX_CLASS)
        return m_simple_rep(m, s, i, pos, k);
    return m_rep(m, s, i, 0, pos, k);
}

/* Finds the first match at or after byte offset from. Returns 1 and sets
 * caps[0..1] (and the groups), 0 for none, -1 when the search gave up. */
int jn_rx_search(const rx *re, const char *s, size_t len, size_t from, size_t *caps, long *steps)
{
    rxm m = {re, s, len, caps, *steps, 0, 0, 0, (uintptr_t)__builtin_frame_address(0)};
    for (size_t pos = from; pos <= len;) {
        for (int g = 0; g <= re->ngroups; g++)
            caps[2 * g] = caps[2 * g + 1] = SIZE_MAX;
        kont acc = {k_accept, NULL, 0, 0, 0, NULL};
        int r = 0;
        peek p = peek_at(&m, pos);
        for (int a = 0; a < re->nalts && !r; a++)
            if (may_start(&m, &re->alts[a], &p))
                r = m_seq(&m, &re->alts[a], 0, pos, &acc);
        *steps = m.steps;
        if (r < 0 || m.aborted)
            return -1;
        if (r) {
            caps[0] = pos;
            caps[1] = m.end;
            return 1;
        }
        if (pos == len)
            break;
        size_t adv;
        jn_u8_next(s + pos, len - pos, &adv);
        pos += adv;
    }
    return 0;
}

/* ------------------------------------------------------------- cache */

/* Compiled patterns kept for the process: the pictures of $toMillis and
 * the regex literals of an expression are compiled again at every call
 * otherwise, and compiling costs more than matching (a number-words
 * picture is an alternation of some ninety words). The first CACHE_MAX
 * patterns seen stay (what is cached is never freed, so a pattern in use
 * is never taken away from another thread); later ones compile into the
 * caller's arena as before. */
#define CACHE_MAX 64
#define CACHE_PATTERN_MAX 16384

/* Everything one cached pattern's compile allocated, linked, so that it
 * all stays reachable (arrays the compiler outgrew included). */
typedef struct kept {
    struct kept *prev;
    max_align_t data[];
} kept;

typedef struct cached {
    char *pattern;
    size_t len;
    unsigned flags;
    rx *re;
    kept *mem;
} cached;

static cached cache[CACHE_MAX];
static int ncached;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void *forever_alloc(void *ctx, size_t n)
{
    kept **mem = ctx;
    kept *k = calloc(1, sizeof *k + (n ? n : 1));
    if (!k) {
        fputs("jsonata: out of memory\n", stderr);
        abort();
    }
    k->prev = *mem;
    *mem = k;
    return k->data;
}

/* A permanent allocator would leak a failed compile's nodes: patterns are
 * checked first (in scratch memory), and only good ones are kept. */
const rx *jn_rx_cached(const char *pat, size_t len, unsigned flags, void *(*af)(void *, size_t), void *ctx,
                       const char **err)
{
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < ncached; i++)
        if (cache[i].len == len && cache[i].flags == flags && !memcmp(cache[i].pattern, pat, len)) {
            const rx *re = cache[i].re;
            pthread_mutex_unlock(&cache_lock);
            *err = NULL;
            return re;
        }
    const rx *re = NULL;
    if (ncached < CACHE_MAX && len <= CACHE_PATTERN_MAX && !jsonata_regex_check(pat, len)) {
        cached *c = &cache[ncached];
        rx *r = jn_rx_compile(pat, len, flags, forever_alloc, &c->mem, err);
        if (r) {
            cache[ncached].pattern = forever_alloc(&c->mem, len + 1);
            memcpy(cache[ncached].pattern, pat, len);
            cache[ncached].len = len;
            cache[ncached].flags = flags;
            cache[ncached++].re = r;
            re = r;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return re ? re : jn_rx_compile(pat, len, flags, af, ctx, err);
}
