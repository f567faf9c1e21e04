/*
 * lower_keys.c: the unit's object keys, each written once. Every place the
 * generated C names a key (a path step, a template's member, a Choice
 * rule's $.key) uses the one struct's member, key.NAME:
 *
 *     static const struct {
 *         char i[2];
 *         char limit[6];
 *     } key = {
 *         .i = "i",
 *         .limit = "limit",
 *     };
 *     ...
 *     {.kind = ASL_N_STEP_NAME, .str = key.limit},
 *     asl_tmpl_path(&t, key.limit, Init_path1);
 *
 * So a member a template adds carries the very pointer the next state's
 * path looks for, and the runtime's look-up (runtime/member.h) finds it
 * with one compare instead of comparing the text. An index of the keys by
 * hash (key_index, open addressing) lets the runtime swap an execution
 * input's keys for the same pointers (runtime/keys.c). The keys are members of
 * one struct so that their names cannot clash with the unit's other
 * names (state names make any identifier); a member's name is the key as
 * an identifier, prefixed "k_" where that could be a keyword or a macro.
 */
#include <string.h>

#include "lower.h"
#include "member.h"

/* Words a member may not be: C11's and GNU C's keywords, and the
 * lower-case macros the headers or the compiler may define. (Words
 * starting with '_' or without a lower-case letter are prefixed anyway.) */
static bool reserved(const char *s)
{
    static const char *const words[] = {
        "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
        "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
        "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
        "volatile", "while", "asm", "typeof", "bool", "true", "false", "linux", "unix", "i386"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (!strcmp(s, words[i]))
            return true;
    return false;
}

/* The key as a member name: identifier characters kept, each run of
 * others one '_'; "k_" before what could be a keyword or a macro; "" is
 * k_empty, a key of no ASCII letter or digit k_N (N its place). */
static const char *member_name(lctx *c, const char *k)
{
    asl_buf t = {0};
    bool lower = false, alnum = false;
    for (const char *s = k; *s; s++) {
        bool ident = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9');
        lower |= *s >= 'a' && *s <= 'z';
        alnum |= ident;
        if (ident || *s == '_' || !t.p || t.p[t.len - 1] != '_')
            asl_buf_putc(&t, ident ? *s : '_');
    }
    const char *m = t.p ? t.p : "";
    bool letter = (m[0] >= 'a' && m[0] <= 'z') || (m[0] >= 'A' && m[0] <= 'Z');
    const char *base = !*k     ? "k_empty"
                       : !alnum ? cc_printf("k_%d", c->nkeys)
                                : cc_printf("%s%s", !letter || !lower || reserved(m) ? "k_" : "", m);
    asl_buf_free(&t);
    /* keys that mangle alike: a numeric suffix */
    bool added;
    const char *out = base;
    cc_strmap_put(&c->key_members, out, 0, &added);
    for (int n = 2; !added; n++) {
        out = cc_printf("%s_%d", base, n);
        cc_strmap_put(&c->key_members, out, 0, &added);
    }
    return out;
}

const char *lower_key(lctx *c, const char *k)
{
    bool added;
    int *slot = cc_strmap_put(&c->keys, k, c->nkeys, &added);
    if (added) {
        int n = c->nkeys;
        cc_push(&c->key_text, &n, k);
        cc_push(&c->key_member, &c->nkeys, member_name(c, k));
    }
    return cc_printf("%s.%s", c->key_struct, c->key_member[*slot]);
}

unsigned lower_key_slots(const lctx *c)
{
    unsigned n = 0;
    if (c->nkeys)
        for (n = 4; n < 2u * (unsigned)c->nkeys; n *= 2)
            ;
    return n;
}

/* The keys by asl_key_hash, each in the first free slot from its hash on,
 * as keys.c looks them up. */
static void key_index(lctx *c, asl_buf *out)
{
    unsigned n = lower_key_slots(c);
    int *slot = cc_alloc(sizeof *slot * n);
    for (unsigned i = 0; i < n; i++)
        slot[i] = -1;
    for (int k = 0; k < c->nkeys; k++) {
        unsigned i = asl_key_hash(c->key_text[k]) & (n - 1);
        while (slot[i] >= 0)
            i = (i + 1) & (n - 1);
        slot[i] = k;
    }
    asl_buf_printf(out, "/* The keys by hash (runtime/member.h), for the runtime to give an\n"
                        " * execution input's keys these pointers (runtime/keys.c). */\n"
                        "static const char *const %s_index[%u] = {\n", c->key_struct, n);
    for (unsigned i = 0; i < n; i++)
        if (slot[i] >= 0)
            asl_buf_printf(out, "    [%u] = %s.%s,\n", i, c->key_struct, c->key_member[slot[i]]);
    asl_buf_puts(out, "};\n\n");
}

void lower_keys(lctx *c, asl_buf *out)
{
    if (!c->nkeys)
        return;
    asl_buf_puts(out, "/* The object keys the unit names, each once: a member a template adds\n"
                      " * and the path that looks it up share one pointer. */\n"
                      "static const struct {\n");
    for (int i = 0; i < c->nkeys; i++)
        asl_buf_printf(out, "    char %s[%zu];\n", c->key_member[i], strlen(c->key_text[i]) + 1);
    asl_buf_printf(out, "} %s = {\n", c->key_struct);
    for (int i = 0; i < c->nkeys; i++) {
        asl_buf_printf(out, "    .%s = ", c->key_member[i]);
        lower_c_string(out, c->key_text[i]);
        bool plain = true;
        for (const char *s = c->key_text[i]; *s; s++)
            plain &= *s >= 0x20 && *s < 0x7f;
        if (!plain) {
            asl_buf_puts(out, ", /* ");
            lower_comment(out, c->key_text[i], 200);
            asl_buf_puts(out, " */\n");
        } else
            asl_buf_puts(out, ",\n");
    }
    asl_buf_puts(out, "};\n\n");
    key_index(c, out);
}
