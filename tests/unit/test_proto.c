/*
 * test_proto.c - the wire protocol: msgpack codec, frames, and a real ROUTER/DEALER exchange.
 */
#include <check.h>
#include <czmq.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/value.h"
#include "proto/proto.h"

/* Identity of two values, stricter than value_equal: map keys in the same order and doubles
 * by bit pattern (-0.0 is not 0.0), since the codec must keep both. */
static bool
s_equal(const value_t *a, const value_t *b)
{
    if (value_type(a) != value_type(b))
        return false;
    switch (value_type(a)) {
    case VALUE_NIL:
        return true;
    case VALUE_BOOL:
        return value_bool(a, false) == value_bool(b, false);
    case VALUE_INT:
        return value_int(a, 0) == value_int(b, 0);
    case VALUE_DOUBLE: {
        double x = value_double(a, 0);
        double y = value_double(b, 0);

        return memcmp(&x, &y, sizeof(x)) == 0;
    }
    case VALUE_STRING:
        return value_string_len(a) == value_string_len(b) &&
               memcmp(value_string(a, ""), value_string(b, ""), value_string_len(a)) == 0;
    case VALUE_ARRAY:
        if (value_size(a) != value_size(b))
            return false;
        for (size_t i = 0; i < value_size(a); i++)
            if (!s_equal(value_at(a, i), value_at(b, i)))
                return false;
        return true;
    case VALUE_MAP:
        if (value_size(a) != value_size(b))
            return false;
        for (size_t i = 0; i < value_size(a); i++)
            if (strcmp(value_map_key_at(a, i), value_map_key_at(b, i)) != 0 ||
                !s_equal(value_map_value_at(a, i), value_map_value_at(b, i)))
                return false;
        return true;
    }
    return false;
}

/*
 * Decodes from a heap copy of exactly len bytes, so that valgrind (or ASan) sees any read
 * past the end.
 */
static int
s_decode_exact(const uint8_t *data, size_t len, value_t **body, err_t *err)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    ck_assert_ptr_nonnull(copy);
    if (len > 0)
        memcpy(copy, data, len);
    rc = proto_body_decode(len ? copy : NULL, len, body, err);
    free(copy);
    return rc;
}

/* Asserts that decoding fails with a message containing expected, and sets no body. */
static void
s_assert_decode_error(const uint8_t *data, size_t len, const char *expected)
{
    value_t *body = (value_t *) 1; /* must be reset to NULL */
    err_t err;

    err_clear(&err);
    ck_assert_int_eq(s_decode_exact(data, len, &body, &err), -1);
    ck_assert_ptr_null(body);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, expected) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  expected);
}

/* Decodes bytes that must succeed; caller owns the result. */
static value_t *
s_decode_ok(const uint8_t *data, size_t len)
{
    value_t *body = NULL;
    err_t err;

    err_clear(&err);
    ck_assert_msg(s_decode_exact(data, len, &body, &err) == 0, "decode failed: %s", err.message);
    ck_assert_ptr_nonnull(body);
    ck_assert_int_eq(value_type(body), VALUE_MAP);
    return body;
}

/* A body with every type, boundary integers, binary strings and nesting. */
static value_t *
s_rich_body(void)
{
    static const int64_t ints[] = {
        0,         1,  127, 128, 255,  256,  65535,  65536,  4294967295LL,  4294967296LL,
        INT64_MAX, -1, -32, -33, -128, -129, -32768, -32769, -2147483648LL, -2147483649LL,
        INT64_MIN};
    value_t *body = value_new_map();
    value_t *list = value_new_array();
    value_t *nested = value_new_map();
    value_t *deeper = value_new_array();
    char *big = malloc(70000);

    ck_assert_ptr_nonnull(big);
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        value_array_push(list, value_new_int(ints[i]));
    value_map_put(body, "ints", list);
    value_map_put(body, "nil", value_new_nil());
    value_map_put_bool(body, "yes", true);
    value_map_put_bool(body, "no", false);
    value_map_put_double(body, "pi", 3.141592653589793);
    value_map_put_double(body, "neg_zero", -0.0);
    value_map_put_double(body, "tiny", 5e-324);
    value_map_put_double(body, "inf", INFINITY);
    value_map_put_double(body, "nan", NAN);
    value_map_put_string(body, "empty", "");
    value_map_put(body, "nul", value_new_stringn("a\0b\0", 4));
    value_map_put_string(body, "utf8", "caf\xc3\xa9 \xf0\x9f\x8d\x93");
    value_map_put(body, "s31", value_new_stringn("0123456789012345678901234567890", 31));
    value_map_put(body, "s32", value_new_stringn("01234567890123456789012345678901", 32));
    memset(big, 'x', 70000);
    big[0] = '\0';
    value_map_put(body, "s300", value_new_stringn(big, 300));     /* str16 */
    value_map_put(body, "s70000", value_new_stringn(big, 70000)); /* str32 */
    free(big);
    value_array_push(deeper, value_new_string("deep"));
    value_array_push(deeper, value_new_array());
    value_array_push(deeper, value_new_map());
    value_map_put(nested, "deeper", deeper);
    value_map_put_int(nested, "n", -7);
    value_map_put(body, "nested", nested);
    value_map_put(body, "", value_new_string("empty key"));
    return body;
}

/* Encodes body and asserts success; caller frees. */
static uint8_t *
s_encode_ok(const value_t *body, size_t *len)
{
    err_t err;
    uint8_t *data;

    err_clear(&err);
    data = proto_body_encode(body, len, &err);
    ck_assert_msg(data != NULL, "encode failed: %s", err.message);
    ck_assert_uint_gt(*len, 0);
    return data;
}

/* A chain of depth containers (map at the top, then alternating array/map). */
static value_t *
s_nest(int depth)
{
    value_t *leaf = value_new_int(1);

    for (int level = depth; level >= 2; level--) {
        value_t *c;

        if (level % 2 == 0) {
            c = value_new_array();
            value_array_push(c, leaf);
        } else {
            c = value_new_map();
            value_map_put(c, "x", leaf);
        }
        leaf = c;
    }
    value_t *top = value_new_map();
    value_map_put(top, "x", leaf);
    return top;
}

START_TEST(test_round_trip_every_type)
{
    value_t *body = s_rich_body();
    size_t len;
    uint8_t *data = s_encode_ok(body, &len);
    value_t *back = s_decode_ok(data, len);

    ck_assert(s_equal(body, back));
    ck_assert_uint_eq(value_string_len(value_map_get(back, "nul")), 4);
    ck_assert_int_eq(memcmp(value_map_string(back, "nul", ""), "a\0b\0", 4), 0);
    ck_assert(value_int(value_at(value_map_get(back, "ints"), 10), 0) == INT64_MAX);
    ck_assert(value_int(value_at(value_map_get(back, "ints"), 20), 0) == INT64_MIN);
    ck_assert(isnan(value_map_double(back, "nan", 0)));
    ck_assert(signbit(value_map_double(back, "neg_zero", 1)));
    ck_assert_str_eq(
        value_string(value_at(value_map_get(value_map_get(back, "nested"), "deeper"), 0), NULL),
        "deep");

    /* the decoded tree encodes to the same bytes */
    {
        size_t len2;
        uint8_t *data2 = s_encode_ok(back, &len2);

        ck_assert_uint_eq(len2, len);
        ck_assert_int_eq(memcmp(data, data2, len), 0);
        free(data2);
    }
    free(data);
    value_destroy(&body);
    value_destroy(&back);
}
END_TEST

START_TEST(test_encode_exact_bytes)
{
    /* {"a":1,"b":[true,nil],"c":-1} per the msgpack spec */
    static const uint8_t expected[] = {0x83, 0xa1, 'a',  0x01, 0xa1, 'b',
                                       0x92, 0xc3, 0xc0, 0xa1, 'c',  0xff};
    value_t *body = value_new_map();
    value_t *list = value_new_array();
    size_t len;
    uint8_t *data;
    err_t err;

    value_map_put_int(body, "a", 1);
    value_array_push(list, value_new_bool(true));
    value_array_push(list, value_new_nil());
    value_map_put(body, "b", list);
    value_map_put_int(body, "c", -1);
    data = s_encode_ok(body, &len);
    ck_assert_uint_eq(len, sizeof(expected));
    ck_assert_int_eq(memcmp(data, expected, len), 0);
    free(data);
    value_destroy(&body);

    /* an empty map is one byte */
    body = value_new_map();
    data = s_encode_ok(body, &len);
    ck_assert_uint_eq(len, 1);
    ck_assert_uint_eq(data[0], 0x80);
    free(data);
    value_destroy(&body);

    /* only maps encode as a body */
    body = value_new_array();
    err_clear(&err);
    ck_assert_ptr_null(proto_body_encode(body, &len, &err));
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_ptr_nonnull(strstr(err.message, "must be a map"));
    value_destroy(&body);
    err_clear(&err);
    ck_assert_ptr_null(proto_body_encode(NULL, &len, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "must be a map"));
}
END_TEST

START_TEST(test_decode_other_encoders)
{
    /* formats our encoder never writes but other msgpack writers do */
    static const uint8_t input[] = {
        0x8a,                                                       /* map of 10 */
        0xa2, 'f',  '3',  0xca, 0x3f, 0xc0, 0x00, 0x00,             /* float32 1.5 */
        0xa2, 'b',  '8',  0xc4, 0x03, 'x',  0x00, 'y',              /* bin8 "x\0y" */
        0xa2, 'i',  '8',  0xd0, 0x05,                               /* int8 5 */
        0xa3, 'i',  '1',  '6',  0xd1, 0xff, 0x00,                   /* int16 -256 */
        0xa3, 'i',  '3',  '2',  0xd2, 0x00, 0x01, 0x00, 0,          /* int32 65536 */
        0xa3, 'u',  '1',  '6',  0xcd, 0x00, 0x07,                   /* uint16 7 */
        0xa2, 's',  '8',  0xd9, 0x02, 'h',  'i',                    /* str8 "hi" */
        0xa3, 'a',  '1',  '6',  0xdc, 0x00, 0x01, 0xc2,             /* array16 [false] */
        0xa3, 'm',  '1',  '6',  0xde, 0x00, 0x01, 0xa1, 'k',  0xe0, /* map16 {"k":-32} */
        0xda, 0x00, 0x03, 'k',  '3',  '2',  0xcf, 0x7f, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, /* str16 key, uint64 INT64_MAX */
    };
    value_t *body = s_decode_ok(input, sizeof(input));

    ck_assert_uint_eq(value_size(body), 10);
    ck_assert(value_map_double(body, "f3", 0) == 1.5);
    ck_assert_int_eq(value_type(value_map_get(body, "b8")), VALUE_STRING);
    ck_assert_uint_eq(value_string_len(value_map_get(body, "b8")), 3);
    ck_assert_int_eq(memcmp(value_map_string(body, "b8", ""), "x\0y", 3), 0);
    ck_assert(value_map_int(body, "i8", 0) == 5);
    ck_assert(value_map_int(body, "i16", 0) == -256);
    ck_assert(value_map_int(body, "i32", 0) == 65536);
    ck_assert(value_map_int(body, "u16", 0) == 7);
    ck_assert_str_eq(value_map_string(body, "s8", ""), "hi");
    ck_assert_uint_eq(value_size(value_map_get(body, "a16")), 1);
    ck_assert_int_eq(value_bool(value_at(value_map_get(body, "a16"), 0), true), false);
    ck_assert(value_map_int(value_map_get(body, "m16"), "k", 0) == -32);
    ck_assert(value_map_int(body, "k32", 0) == INT64_MAX);
    value_destroy(&body);
}
END_TEST

START_TEST(test_decode_truncated_prefixes)
{
    value_t *body = s_rich_body();
    size_t len;
    uint8_t *data;

    /* keep it to a size where every prefix is cheap: drop the 70000-byte string */
    value_map_put(body, "s70000", value_new_nil());
    data = s_encode_ok(body, &len);
    for (size_t k = 0; k < len; k++) {
        value_t *out = (value_t *) 1;
        err_t err;

        err_clear(&err);
        ck_assert_msg(s_decode_exact(data, k, &out, &err) == -1, "prefix of %zu/%zu decoded", k,
                      len);
        ck_assert_ptr_null(out);
        ck_assert_msg(strncmp(err.message, "msgpack: ", 9) == 0, "prefix %zu: \"%s\"", k,
                      err.message);
    }
    free(data);
    value_destroy(&body);

    /* the messages say what is missing and where */
    {
        static const uint8_t map_short[] = {0x82, 0xa1, 'a', 0x01};
        static const uint8_t str_short[] = {0x81, 0xa1, 'a', 0xa5, 'x', 'y'};
        static const uint8_t u32_short[] = {0x81, 0xa1, 'a', 0xce, 0x00};

        s_assert_decode_error(map_short, sizeof(map_short),
                              "truncated map at byte 0: 2 entries announced, 3 bytes left");
        s_assert_decode_error(str_short, sizeof(str_short),
                              "truncated str at byte 3: 5 bytes announced, 2 present");
        s_assert_decode_error(u32_short, sizeof(u32_short), "truncated uint at byte 3");
        s_assert_decode_error(NULL, 0, "empty body");
    }
}
END_TEST

START_TEST(test_decode_huge_counts)
{
    /* announced sizes far beyond the input fail at once, without allocating them */
    static const uint8_t arr32[] = {0x81, 0xa1, 'a', 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t map32[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a', 0x01};
    static const uint8_t str32[] = {0x81, 0xa1, 'a', 0xdb, 0xff, 0xff, 0xff, 0xff, 'x'};
    static const uint8_t bin32[] = {0x81, 0xa1, 'a', 0xc6, 0xff, 0xff, 0xff, 0xff, 'x'};
    static const uint8_t key32[] = {0x81, 0xdb, 0xff, 0xff, 0xff, 0xff, 'x', 0x01};

    s_assert_decode_error(arr32, sizeof(arr32), "4294967295 items announced");
    s_assert_decode_error(map32, sizeof(map32), "4294967295 entries announced");
    s_assert_decode_error(str32, sizeof(str32), "4294967295 bytes announced");
    s_assert_decode_error(bin32, sizeof(bin32), "truncated bin");
    s_assert_decode_error(key32, sizeof(key32), "4294967295 bytes announced");
}
END_TEST

START_TEST(test_decode_trailing_bytes)
{
    static const uint8_t input[] = {0x81, 0xa1, 'a', 0x01, 0xc0, 0xc0};
    static const uint8_t two_maps[] = {0x80, 0x80};

    s_assert_decode_error(input, sizeof(input), "2 trailing bytes after the map at byte 4");
    s_assert_decode_error(two_maps, sizeof(two_maps), "1 trailing bytes after the map at byte 1");
    /* without the extra bytes it decodes */
    value_t *body = s_decode_ok(input, 4);

    ck_assert(value_map_int(body, "a", 0) == 1);
    value_destroy(&body);
}
END_TEST

START_TEST(test_decode_not_a_map)
{
    static const uint8_t array[] = {0x91, 0x01};
    static const uint8_t integer[] = {0x05};
    static const uint8_t string[] = {0xa1, 'x'};
    static const uint8_t nil[] = {0xc0};
    static const uint8_t array16[] = {0xdc, 0x00, 0x00};

    s_assert_decode_error(array, sizeof(array),
                          "body is an array (type byte 0x91), expected a map");
    s_assert_decode_error(integer, sizeof(integer), "body is an integer");
    s_assert_decode_error(string, sizeof(string), "body is a string");
    s_assert_decode_error(nil, sizeof(nil), "body is nil");
    s_assert_decode_error(array16, sizeof(array16), "expected a map");
}
END_TEST

START_TEST(test_decode_bad_keys)
{
    static const uint8_t int_key[] = {0x81, 0x01, 0x02};
    static const uint8_t bin_key[] = {0x81, 0xc4, 0x01, 'a', 0x02};
    static const uint8_t nil_key[] = {0x82, 0xa1, 'a', 0x01, 0xc0, 0x02};
    static const uint8_t map_key[] = {0x81, 0x80, 0x02};
    static const uint8_t nul_key[] = {0x81, 0xa3, 'a', 0x00, 'b', 0x02};
    static const uint8_t nested[] = {0x81, 0xa1, 'a', 0x81, 0x07, 0x02};

    s_assert_decode_error(int_key, sizeof(int_key),
                          "map key at byte 1 is not a string (type byte 0x01)");
    s_assert_decode_error(bin_key, sizeof(bin_key), "map key at byte 1 is not a string");
    s_assert_decode_error(nil_key, sizeof(nil_key), "map key at byte 4 is not a string");
    s_assert_decode_error(map_key, sizeof(map_key), "is not a string");
    s_assert_decode_error(nul_key, sizeof(nul_key), "map key at byte 1 contains a NUL byte");
    s_assert_decode_error(nested, sizeof(nested), "map key at byte 4 is not a string");
}
END_TEST

START_TEST(test_decode_duplicate_keys_last_wins)
{
    static const uint8_t input[] = {0x83, 0xa1, 'a', 0x01, 0xa1, 'b', 0x02, 0xa1, 'a', 0x03};
    value_t *body = s_decode_ok(input, sizeof(input));

    ck_assert_uint_eq(value_size(body), 2);
    ck_assert_str_eq(value_map_key_at(body, 0), "a");
    ck_assert_str_eq(value_map_key_at(body, 1), "b");
    ck_assert(value_map_int(body, "a", 0) == 3);
    value_destroy(&body);
}
END_TEST

START_TEST(test_decode_ext_and_reserved)
{
    static const uint8_t fixext1[] = {0x81, 0xa1, 'a', 0xd4, 0x01, 0x00};
    static const uint8_t fixext16[] = {0x81, 0xa1, 'a', 0xd8, 0x01, 0, 0, 0, 0, 0, 0,
                                       0,    0,    0,   0,    0,    0, 0, 0, 0, 0};
    static const uint8_t ext8[] = {0x81, 0xa1, 'a', 0xc7, 0x01, 0x05, 0x00};
    static const uint8_t ext32[] = {0x81, 0xa1, 'a', 0xc9, 0x00, 0x00, 0x00, 0x01, 0x05, 0x00};
    static const uint8_t in_array[] = {0x81, 0xa1, 'a', 0x92, 0x01, 0xd5, 0x01, 0x00, 0x00};
    static const uint8_t reserved[] = {0x81, 0xa1, 'a', 0xc1};

    s_assert_decode_error(fixext1, sizeof(fixext1),
                          "ext type at byte 3 is not supported (type byte 0xd4)");
    s_assert_decode_error(fixext16, sizeof(fixext16), "ext type at byte 3 is not supported");
    s_assert_decode_error(ext8, sizeof(ext8), "ext type at byte 3 is not supported");
    s_assert_decode_error(ext32, sizeof(ext32), "ext type at byte 3 is not supported");
    s_assert_decode_error(in_array, sizeof(in_array), "ext type at byte 5 is not supported");
    s_assert_decode_error(reserved, sizeof(reserved), "reserved type byte 0xc1 at byte 3");
}
END_TEST

START_TEST(test_decode_uint64_range)
{
    static const uint8_t max_ok[] = {0x81, 0xa1, 'a',  0xcf, 0x7f, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t above[] = {0x81, 0xa1, 'a', 0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t top[] = {0x81, 0xa1, 'a',  0xcf, 0xff, 0xff,
                                  0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t int64_min[] = {0x81, 0xa1, 'a', 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0};
    value_t *body = s_decode_ok(max_ok, sizeof(max_ok));

    ck_assert(value_map_int(body, "a", 0) == INT64_MAX);
    value_destroy(&body);
    body = s_decode_ok(int64_min, sizeof(int64_min));
    ck_assert(value_map_int(body, "a", 0) == INT64_MIN);
    value_destroy(&body);

    s_assert_decode_error(above, sizeof(above),
                          "uint64 9223372036854775808 at byte 3 is above INT64_MAX");
    s_assert_decode_error(top, sizeof(top), "uint64 18446744073709551615 at byte 3");
}
END_TEST

START_TEST(test_depth_limit)
{
    value_t *ok = s_nest(PROTO_MAX_DEPTH);
    value_t *deep = s_nest(PROTO_MAX_DEPTH + 1);
    size_t len;
    uint8_t *data = s_encode_ok(ok, &len);
    value_t *back = s_decode_ok(data, len);
    err_t err;

    ck_assert(s_equal(ok, back));
    value_destroy(&back);
    free(data);

    /* the encoder refuses what the decoder would refuse */
    err_clear(&err);
    ck_assert_ptr_null(proto_body_encode(deep, &len, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "nesting deeper than 32 levels"));
    ck_assert_ptr_null(proto_encode(PROTO_TASK, deep));

    /* hand-made: 33 maps {"x":{"x":...{}}} and 32 maps then an array */
    {
        uint8_t input[33 * 3];
        size_t n = 0;

        for (int i = 0; i < 33; i++) {
            input[n++] = i == 32 ? 0x80 : 0x81;
            if (i < 32) {
                input[n++] = 0xa1;
                input[n++] = 'x';
            }
        }
        s_assert_decode_error(input, n, "nesting deeper than 32 levels at byte 96");
        input[96] = 0x90; /* the innermost becomes an empty array: still 33 deep */
        s_assert_decode_error(input, n, "nesting deeper than 32 levels at byte 96");
        input[96] = 0xc0; /* the 32nd map holds a scalar instead: 32 deep, fine */
        back = s_decode_ok(input, n);
        value_destroy(&back);
    }

    /* depth-first bombs: 10000 nested arrays fail cleanly */
    {
        uint8_t *bomb = malloc(10004);

        ck_assert_ptr_nonnull(bomb);
        bomb[0] = 0x81;
        bomb[1] = 0xa1;
        bomb[2] = 'a';
        memset(bomb + 3, 0x91, 10000);
        bomb[10003] = 0xc0;
        s_assert_decode_error(bomb, 10004, "nesting deeper than 32 levels");
        free(bomb);
    }
    value_destroy(&ok);
    value_destroy(&deep);
}
END_TEST

START_TEST(test_decode_large_map)
{
    /* a map of 20000 distinct keys decodes (and quickly: the value map is indexed) */
    value_t *body = value_new_map();
    char key[32];
    size_t len;
    uint8_t *data;
    value_t *back;

    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        value_map_put_int(body, key, i);
    }
    data = s_encode_ok(body, &len);
    back = s_decode_ok(data, len);
    ck_assert_uint_eq(value_size(back), 20000);
    ck_assert(value_map_int(back, "k19999", 0) == 19999);
    ck_assert(s_equal(body, back));
    free(data);
    value_destroy(&body);
    value_destroy(&back);
}
END_TEST

START_TEST(test_decode_mutations)
{
    /* a small deterministic fuzz: mutated encodings must decode or fail, never crash */
    value_t *body = s_rich_body();
    size_t len;
    uint8_t *data;
    uint8_t *mutant;
    uint32_t seed = 12345;
    int decoded = 0;
    int failed = 0;

    value_map_put(body, "s70000", value_new_nil());
    value_map_put(body, "s300", value_new_nil());
    data = s_encode_ok(body, &len);
    mutant = malloc(len + 8);
    ck_assert_ptr_nonnull(mutant);
    for (int round = 0; round < 20000; round++) {
        size_t mlen = len;
        value_t *out = NULL;
        err_t err;

        memcpy(mutant, data, len);
        for (int m = 0; m < 1 + round % 4; m++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;

            seed = seed * 1103515245u + 12345u;
            mutant[at] = (uint8_t) (seed >> 16);
        }
        seed = seed * 1103515245u + 12345u;
        if (seed % 5 == 0)
            mlen = (seed >> 8) % len;
        err_clear(&err);
        if (s_decode_exact(mutant, mlen, &out, &err) == 0) {
            size_t len2;
            uint8_t *again = s_encode_ok(out, &len2);

            ck_assert_int_eq(value_type(out), VALUE_MAP);
            free(again);
            value_destroy(&out);
            decoded++;
        } else {
            ck_assert_ptr_null(out);
            ck_assert(err_isset(&err));
            failed++;
        }
    }
    ck_assert_int_gt(decoded, 0);
    ck_assert_int_gt(failed, 0);
    free(mutant);
    free(data);
    value_destroy(&body);
}
END_TEST

/* Builds a message from frames given as (data, size) pairs. */
static zmsg_t *
s_msg(int frames, const void *const *data, const size_t *size)
{
    zmsg_t *msg = zmsg_new();

    for (int i = 0; i < frames; i++)
        ck_assert_int_eq(zmsg_addmem(msg, data[i], size[i]), 0);
    return msg;
}

/* Asserts that proto_decode refuses msg with a message containing expected; destroys msg. */
static void
s_assert_frame_error(zmsg_t *msg, const char *expected)
{
    char *command = (char *) 1;
    value_t *body = (value_t *) 1;
    err_t err;
    size_t frames = zmsg_size(msg);

    err_clear(&err);
    ck_assert_int_eq(proto_decode(msg, &command, &body, &err), -1);
    ck_assert_ptr_null(command);
    ck_assert_ptr_null(body);
    ck_assert_str_eq(err.code, "protocol");
    ck_assert_msg(strstr(err.message, expected) != NULL, "message \"%s\" lacks \"%s\"", err.message,
                  expected);
    ck_assert_uint_eq(zmsg_size(msg), frames); /* the message is not consumed */
    zmsg_destroy(&msg);
}

START_TEST(test_frames_round_trip)
{
    value_t *body = value_new_map();
    zmsg_t *msg;
    zframe_t *frame;
    char *command = NULL;
    value_t *back = NULL;
    err_t err;

    value_map_put_string(body, "job", "j1");
    value_map_put_int(body, "attempt", 2);
    msg = proto_encode(PROTO_TASK, body);
    ck_assert_ptr_nonnull(msg);
    ck_assert_uint_eq(zmsg_size(msg), 3);
    frame = zmsg_first(msg);
    ck_assert_uint_eq(zframe_size(frame), 4);
    ck_assert_int_eq(memcmp(zframe_data(frame), "CNF\x01", 4), 0);
    frame = zmsg_next(msg);
    ck_assert(zframe_streq(frame, "TASK"));

    err_clear(&err);
    ck_assert_int_eq(proto_decode(msg, &command, &back, &err), 0);
    ck_assert_str_eq(command, "TASK");
    ck_assert(s_equal(body, back));
    ck_assert_uint_eq(zmsg_size(msg), 3);
    free(command);
    value_destroy(&back);
    zmsg_destroy(&msg);

    /* a NULL body sends an empty map; the longest command is fine */
    msg = proto_encode("ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE", NULL);
    ck_assert_int_eq(proto_decode(msg, &command, &back, &err), 0);
    ck_assert_str_eq(command, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDE");
    ck_assert_int_eq(value_type(back), VALUE_MAP);
    ck_assert_uint_eq(value_size(back), 0);
    free(command);
    value_destroy(&back);
    zmsg_destroy(&msg);
    value_destroy(&body);
}
END_TEST

START_TEST(test_frames_errors)
{
    static const uint8_t body[] = {0x80};
    const void *data[4] = {"CNF\x01", "TASK", body, "x"};
    size_t size[4] = {4, 4, 1, 1};

    /* frame counts */
    s_assert_frame_error(s_msg(2, data, size), "2 frames, expected 3");
    s_assert_frame_error(s_msg(4, data, size), "4 frames, expected 3");
    s_assert_frame_error(s_msg(1, data, size), "1 frames, expected 3");
    s_assert_frame_error(zmsg_new(), "0 frames, expected 3");

    /* signature and version */
    data[0] = "XNF\x01";
    s_assert_frame_error(s_msg(3, data, size), "bad frame signature: expected CNF1");
    data[0] = "CNF";
    size[0] = 3;
    s_assert_frame_error(s_msg(3, data, size), "bad frame signature: expected CNF1");
    data[0] = "CNF\x01\x01";
    size[0] = 5;
    s_assert_frame_error(s_msg(3, data, size), "bad frame signature: expected CNF1");
    size[0] = 0;
    s_assert_frame_error(s_msg(3, data, size), "bad frame signature: expected CNF1");
    data[0] = "CNF\x02";
    size[0] = 4;
    s_assert_frame_error(s_msg(3, data, size), "unsupported protocol version 2: expected 1");
    data[0] = "CNF\x01";

    /* commands */
    static const char *const bad_commands[] = {
        "task", "TA SK", "TASK1", "TASK\n", "T-K", "ABCDEFGHIJKLMNOPQRSTUVWXYZ_ABCDEF", ""};
    for (size_t i = 0; i < sizeof(bad_commands) / sizeof(bad_commands[0]); i++) {
        data[1] = bad_commands[i];
        size[1] = strlen(bad_commands[i]);
        s_assert_frame_error(s_msg(3, data, size), "bad command frame");
    }
    data[1] = "TA\0K"; /* an embedded NUL */
    size[1] = 4;
    s_assert_frame_error(s_msg(3, data, size), "bad command frame");
    data[1] = "TASK";

    /* bodies */
    data[2] = "\x91\x01";
    size[2] = 2;
    s_assert_frame_error(s_msg(3, data, size), "body is an array");
    size[2] = 0;
    s_assert_frame_error(s_msg(3, data, size), "empty body");
    data[2] = "\x81\xa1";
    size[2] = 2;
    s_assert_frame_error(s_msg(3, data, size), "truncated");
}
END_TEST

START_TEST(test_router_dealer)
{
    zsock_t *router = zsock_new_router("inproc://test-proto-router");
    zsock_t *dealer = zsock_new(ZMQ_DEALER);
    zframe_t *identity = NULL;
    char *command = NULL;
    value_t *body = value_new_map();
    value_t *got = NULL;
    err_t err;

    ck_assert_ptr_nonnull(router);
    ck_assert_ptr_nonnull(dealer);
    zsock_set_identity(dealer, "worker-7");
    ck_assert_int_eq(zsock_connect(dealer, "inproc://test-proto-router"), 0);
    zsock_set_rcvtimeo(router, 5000); /* no infinite waits in tests */
    zsock_set_rcvtimeo(dealer, 5000);

    /* worker to coordinator: the router sees the identity */
    value_map_put_string(body, "worker", "w7");
    value_map_put_int(body, "pid", 4242);
    value_map_put(body, "blob", value_new_stringn("\0\1\2", 3));
    ck_assert_int_eq(proto_send(dealer, NULL, PROTO_HELLO, body), 0);
    err_clear(&err);
    ck_assert_int_eq(proto_recv(router, true, &identity, &command, &got, &err), 0);
    ck_assert_ptr_nonnull(identity);
    ck_assert(zframe_streq(identity, "worker-7"));
    ck_assert_str_eq(command, "HELLO");
    ck_assert(s_equal(body, got));
    free(command);
    value_destroy(&got);

    /* coordinator to worker, addressed by that identity; the dealer sees no identity */
    ck_assert_int_eq(proto_send(router, identity, PROTO_TASK, body), 0);
    ck_assert_ptr_nonnull(identity); /* not taken */
    zframe_t *none = (zframe_t *) 1;
    ck_assert_int_eq(proto_recv(dealer, false, &none, &command, &got, &err), 0);
    ck_assert_ptr_null(none);
    ck_assert_str_eq(command, "TASK");
    ck_assert(s_equal(body, got));
    free(command);
    value_destroy(&got);
    zframe_destroy(&identity);

    /* a malformed message is consumed, reported with the sender's identity */
    {
        zmsg_t *bad = zmsg_new();

        zmsg_addmem(bad, "CNF\x09", 4);
        zmsg_addstr(bad, "HELLO");
        zmsg_addmem(bad, "\x80", 1);
        ck_assert_int_eq(zmsg_send(&bad, dealer), 0);
    }
    ck_assert_int_eq(proto_send(dealer, NULL, PROTO_BYE, NULL), 0);
    err_clear(&err);
    ck_assert_int_eq(proto_recv(router, true, &identity, &command, &got, &err), -1);
    ck_assert_ptr_nonnull(identity);
    ck_assert(zframe_streq(identity, "worker-7"));
    ck_assert_ptr_null(command);
    ck_assert_ptr_null(got);
    ck_assert_ptr_nonnull(strstr(err.message, "unsupported protocol version 9"));
    zframe_destroy(&identity);
    ck_assert_int_eq(proto_recv(router, true, &identity, &command, &got, &err), 0);
    ck_assert_str_eq(command, "BYE");
    ck_assert_uint_eq(value_size(got), 0);
    free(command);
    value_destroy(&got);
    zframe_destroy(&identity);

    /* nothing to receive within the timeout: -2, outputs cleared */
    zsock_set_rcvtimeo(router, 10);
    identity = (zframe_t *) 1;
    ck_assert_int_eq(proto_recv(router, true, &identity, &command, &got, &err), -2);
    ck_assert_ptr_null(identity);
    ck_assert_ptr_null(command);
    ck_assert_ptr_null(got);

    value_destroy(&body);
    zsock_destroy(&dealer);
    zsock_destroy(&router);
}
END_TEST

Suite *test_proto_suite(void);

Suite *
test_proto_suite(void)
{
    Suite *suite = suite_create("proto");
    TCase *codec = tcase_create("codec");
    TCase *frames = tcase_create("frames");

    tcase_set_timeout(codec, 60);
    tcase_add_test(codec, test_round_trip_every_type);
    tcase_add_test(codec, test_encode_exact_bytes);
    tcase_add_test(codec, test_decode_other_encoders);
    tcase_add_test(codec, test_decode_truncated_prefixes);
    tcase_add_test(codec, test_decode_huge_counts);
    tcase_add_test(codec, test_decode_trailing_bytes);
    tcase_add_test(codec, test_decode_not_a_map);
    tcase_add_test(codec, test_decode_bad_keys);
    tcase_add_test(codec, test_decode_duplicate_keys_last_wins);
    tcase_add_test(codec, test_decode_ext_and_reserved);
    tcase_add_test(codec, test_decode_uint64_range);
    tcase_add_test(codec, test_depth_limit);
    tcase_add_test(codec, test_decode_large_map);
    tcase_add_test(codec, test_decode_mutations);
    suite_add_tcase(suite, codec);

    tcase_set_timeout(frames, 30);
    tcase_add_test(frames, test_frames_round_trip);
    tcase_add_test(frames, test_frames_errors);
    tcase_add_test(frames, test_router_dealer);
    suite_add_tcase(suite, frames);
    return suite;
}
