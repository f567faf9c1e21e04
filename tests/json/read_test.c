/*
 * read_test.c: asl_json_parse (its fast path, json_read.c, then cJSON's
 * reader) takes exactly the texts cJSON_ParseWithOpts takes and makes the
 * same tree: node types, strings, numbers, keys and links (a head's prev is
 * its tail), on hand-picked texts, then random texts and mutations.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "texts.h"

static int failures;

/* Same tree, link for link. */
static bool same(const cJSON *a, const cJSON *b)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type || a->valueint != b->valueint ||
        memcmp(&a->valuedouble, &b->valuedouble, sizeof a->valuedouble))
        return false;
    if (!a->valuestring != !b->valuestring || (a->valuestring && strcmp(a->valuestring, b->valuestring)))
        return false;
    if (!a->string != !b->string || (a->string && strcmp(a->string, b->string)))
        return false;
    const cJSON *x = a->child, *y = b->child;
    for (; x && y; x = x->next, y = y->next) {
        if (!same(x, y))
            return false;
        if (x != a->child && (x->prev->next != x || y->prev->next != y))
            return false;
        if (!x->next && (a->child->prev != x || b->child->prev != y))
            return false; /* the head's prev is the tail */
    }
    return !x && !y;
}

static void check(const char *text)
{
    cJSON *a = asl_json_parse(text), *b = cJSON_ParseWithOpts(text, NULL, 1);
    if (!same(a, b) && failures++ < 20)
        fprintf(stderr, "read_test: asl_json_parse and cJSON differ on '%s'\n", text);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

int main(void)
{
    static const char *const corners[] = {
        "", " ", "null", "nul", "nullx", "true", "tru", "false", "fals", "[]", "{}", "[", "]", "{", "[1,]",
        "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":}", "\"\"", "\"abc", "\"\\\"\"", "\"a\\nb\"",
        "0", "-0", "-", "+1", "01", "-01", "1.", ".5", "1e5", "1E-5", "1-", "1+", "--1", "123456789012345",
        "-123456789012345", "1234567890123456", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "\xef\xbb\xbf" "1", "\x01" "1", "1\x1f", "\"\x01\"", "\"\xc3\xa9\"", "[1 2]", "1 2", "{\"a\":1}{",
        "{\"k\":[{\"x\":[null,true,false,-15,0]}]}", "{\"\":0}", "[[[]]]", "  {\"a\" : [ 1 , 2 ] }  ",
        "{\"a\":1,\"a\":2}", "[true,false,null,\"x\",{}]", "{\"Message\":\"Callback right after\"}",
    };
    for (size_t i = 0; i < sizeof corners / sizeof *corners; i++)
        check(corners[i]);
    static char deep[2100];
    for (int n = 60; n <= 1002; n += n < 70 ? 1 : 311) { /* the fast path's depth, then cJSON's limit */
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        deep[2 * n] = '\0';
        check(deep);
    }
    /* Random texts, and valid ones with a few characters changed. */
    static const char *const seeds[] = {
        "{\"Message\":\"Callback right after the first job\",\"n\":[1,25,-3,true,false,null]}",
        "[{\"a\":\"x\"},{\"b\":{\"c\":[]}},\"\\ud83d\\ude00\",0.1, 42]",
        "{\"TaskToken\":\"AAAAAAAAAAE-abc_123\",\"x\":{\"y\":{\"z\":[[1],[2,[3]]]}}}",
    };
    char buf[256];
    uint64_t rng = 0x2545f4914f6cdd1dULL;
    for (int round = 0; round < 200000; round++) {
        texts_make(&rng, round, seeds, sizeof seeds / sizeof *seeds, buf);
        check(buf);
    }
    if (failures) {
        fprintf(stderr, "read_test: %d disagreements\n", failures);
        return 1;
    }
    puts("read_test: asl_json_parse agrees with cJSON_ParseWithOpts");
    return 0;
}
