/*
 * valid_test.c: asl_json_text_valid (json_valid.c) takes exactly the texts
 * asl_json_parse_checked takes: hand-picked corners of cJSON's grammar,
 * then a few hundred thousand random texts and mutations of valid ones,
 * each judged by both.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "texts.h"

static int failures;

static void check(const char *text, size_t len)
{
    asl_buf why = {0};
    cJSON *v = asl_json_parse_checked(text, len, &why);
    asl_buf_free(&why);
    bool parsed = v != NULL;
    cJSON_Delete(v);
    if (asl_json_text_valid(text, len) != parsed && failures++ < 20) {
        fprintf(stderr, "valid_test: parse says %s, valid says %s: '", parsed ? "yes" : "no", parsed ? "no" : "yes");
        fwrite(text, 1, len, stderr);
        fputs("'\n", stderr);
    }
}

static void check_str(const char *text)
{
    check(text, strlen(text));
}

int main(void)
{
    static const char *const corners[] = {
        "", " ", "null", "nul", "nullx", "true", "false", "fals", "[]", "{}", "[", "]", "{", "[1,]", "[,1]",
        "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":}", "\"\"", "\"abc", "\"\\\"", "\"\\\\\"", "\"\\q\"",
        "\"\\u12\"", "\"\\u00zz\"", "\"\\uzzzz\"", "\"\\uD800\"", "\"\\uD800\\u0041\"", "\"\\uD800\\uDC00\"",
        "\"\\uDC00\"", "\"\\uDBFF\\uDFFF\"", "\"\\ud83d\\ude00\"", "\"\\u0000\"", "\"\\/\\b\\f\\n\\r\\t\"",
        "0", "-0", "-", "+1", "01", "1.", ".5", "-.5", "1e", "1e+", "1e5", "1E-5", "1.e5", "1..2", "1e99999",
        "-1e99999", "1e-99999", "0x10", "Infinity", "NaN", "1 2", "[1 2]", "1+2", "--1", "1-", "1e5e5",
        "123456789012345678901234567890123456789012345678901234567890123",
        "1234567890123456789012345678901234567890123456789012345678901234",
        "[1234567890123456789012345678901234567890123456789012345678901234]",
        "\xef\xbb\xbf", "\xef\xbb\xbf" "1", "\xef\xbb\xbf" "[]", " \xef\xbb\xbf" "1", "\x01" "1", "1\x1f",
        "\"\xc3\xa9\"", "\"\xc3\"", "\"\xff\"", "\"\x01\"", "{\"k\":[{\"x\":[null,true,false,-1.5e3]}]}",
        "[\"a\",{\"b\":\"c\\\"d\"}]", "{\"\":0}", "[[[]]]", "{\"a\":1}{", "  {\"a\" : [ 1 , 2 ] }  ",
    };
    for (size_t i = 0; i < sizeof corners / sizeof *corners; i++)
        check_str(corners[i]);
    check("[1]\0", 4);                    /* a NUL inside */
    static char deep[2100];
    for (int n = 998; n <= 1002; n++) {   /* cJSON's nesting limit, 1000 */
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        check(deep, 2 * (size_t)n);
    }
    /* Random texts, and valid ones with a few characters changed. */
    static const char *const seeds[] = {
        "{\"Message\":\"Callback right after the first job\",\"n\":[1,2.5,-3e2,true,false,null]}",
        "[{\"a\":\"\\u00e9\\n\"},{\"b\":{\"c\":[]}},\"\\ud83d\\ude00\",0.1]",
        "{\"TaskToken\":\"AAAAAAAAAAE-abc_123\",\"x\":{\"y\":{\"z\":[[1],[2,[3]]]}}}",
    };
    char buf[256];
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 300000; round++) {
        size_t len = texts_make(&rng, round, seeds, sizeof seeds / sizeof *seeds, buf);
        check(buf, len);
    }
    if (failures) {
        fprintf(stderr, "valid_test: %d disagreements\n", failures);
        return 1;
    }
    puts("valid_test: asl_json_text_valid agrees with asl_json_parse_checked");
    return 0;
}
