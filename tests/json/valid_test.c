/*
 * valid_test.c: asl_json_text_valid (json_valid.c) takes exactly the texts
 * asl_json_parse_checked takes: hand-picked corners of cJSON's grammar,
 * then a few hundred thousand random texts and mutations of valid ones,
 * each judged by both. Then the value form, asl_json_value_check
 * (json_check.c, which reads strings sixteen bytes a step), takes exactly
 * the strings and keys of 0 to 40 bytes whose bytes asl_json_text_check
 * takes, the bytes mostly ASCII with a few high ones anywhere.
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

/* s (n bytes, no NUL) as a string value and as a key: UTF-8 by both
 * checks, or by neither. */
static void check_utf8(const char *s, size_t n)
{
    asl_buf why = {0};
    bool text = asl_json_text_check(s, n, &why);
    asl_buf_free(&why);
    cJSON *str = cJSON_CreateString(s), *obj = cJSON_CreateObject();
    cJSON_AddNullToObject(obj, s);
    bool value = asl_json_value_check(str, NULL, NULL), key = asl_json_value_check(obj, NULL, NULL);
    cJSON_Delete(str);
    cJSON_Delete(obj);
    if ((value != text || key != text) && failures++ < 20)
        fprintf(stderr, "valid_test: %zu bytes: text says %d, value %d, key %d\n", n, text, value, key);
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
    static const unsigned char high[] = {0x80, 0xbf, 0xc2, 0xc3, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
    for (int round = 0; round < 200000; round++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        size_t n = (size_t)(rng >> 33) % 41;
        for (size_t i = 0; i < n; i++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned r = (unsigned)(rng >> 40);
            buf[i] = (char)(r % 8 == 0 ? high[(r >> 3) % sizeof high] : 0x20 + (r >> 3) % 95);
        }
        buf[n] = '\0';
        check_utf8(buf, n);
    }
    if (failures) {
        fprintf(stderr, "valid_test: %d disagreements\n", failures);
        return 1;
    }
    puts("valid_test: asl_json_text_valid agrees with asl_json_parse_checked, asl_json_value_check with "
         "asl_json_text_check");
    return 0;
}
