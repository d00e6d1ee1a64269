/*
 * fuzz_proto.c - libFuzzer target for the wire protocol's decoders (proto/proto.h).
 *
 * Every input is used twice:
 *
 *   as a msgpack body      proto_body_decode on the whole input;
 *   as a message           the input cut into frames, each a 2-byte big-endian length and
 *                          that many bytes (fewer when the input ends first), at most
 *                          S_MAX_FRAMES of them, handed to proto_decode.
 *
 * A body that decodes must be what msgpack-c's own unpacker reads from the same bytes (as
 * proto.h maps msgpack to value_t), and must survive a round trip: the body is encoded again
 * (proto_body_encode, or proto_encode for a message), the result decodes to a value_equal
 * body (and the same command), and encoding that gives the same bytes again. A failed decode
 * must leave the outputs NULL and say why in err. The sanitizers catch any read past the
 * input and any leak. msgpack-c only sees inputs proto accepted: on others it may try to
 * allocate what a bogus count announces.
 */
#include <czmq.h>
#include <msgpack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/value.h"
#include "proto/proto.h"
#include "tests/fuzz/fuzz.h"

/* Most frames cut from one input (the protocol wants 3; more and fewer are errors). */
#define S_MAX_FRAMES 7

/* Nesting msgpack-c's unpacker surely handles (its stack holds 32 containers). */
#define S_MSGPACK_C_DEPTH 30

/* Nesting depth of v: 0 for a scalar, 1 for a container of scalars. */
static int
s_depth(const value_t *v)
{
    int deepest = 0;

    for (size_t i = 0; i < value_size(v); i++) {
        const value_t *item =
            value_type(v) == VALUE_ARRAY ? value_at(v, i) : value_map_value_at(v, i);
        int d = s_depth(item);

        if (d > deepest)
            deepest = d;
    }
    return value_type(v) == VALUE_ARRAY || value_type(v) == VALUE_MAP ? deepest + 1 : 0;
}

/*
 * Converts what msgpack-c's unpacker read into a value_t as proto.h's mapping says (str and
 * bin are strings, float32 is a double, a duplicate key's last value wins). Returns NULL
 * when proto.h says the object must be refused (ext, uint64 above INT64_MAX, a key that is
 * not a str or holds a NUL).
 */
static value_t *
s_from_msgpack(const msgpack_object *o)
{
    value_t *v = NULL;

    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return value_new_nil();
    case MSGPACK_OBJECT_BOOLEAN:
        return value_new_bool(o->via.boolean);
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return o->via.u64 > INT64_MAX ? NULL : value_new_int((int64_t) o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return value_new_int(o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return value_new_double(o->via.f64);
    case MSGPACK_OBJECT_STR:
        return value_new_stringn(o->via.str.ptr, o->via.str.size);
    case MSGPACK_OBJECT_BIN:
        return value_new_stringn(o->via.bin.ptr, o->via.bin.size);
    case MSGPACK_OBJECT_ARRAY:
        v = value_new_array();
        for (uint32_t i = 0; i < o->via.array.size; i++) {
            value_t *item = s_from_msgpack(&o->via.array.ptr[i]);

            if (item == NULL) {
                value_destroy(&v);
                return NULL;
            }
            value_array_push(v, item);
        }
        return v;
    case MSGPACK_OBJECT_MAP:
        v = value_new_map();
        for (uint32_t i = 0; i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            value_t *item;
            char *key;

            if (kv->key.type != MSGPACK_OBJECT_STR ||
                (kv->key.via.str.size > 0 &&
                 memchr(kv->key.via.str.ptr, '\0', kv->key.via.str.size) != NULL) ||
                (item = s_from_msgpack(&kv->val)) == NULL) {
                value_destroy(&v);
                return NULL;
            }
            key = calloc(1, (size_t) kv->key.via.str.size + 1);
            FUZZ_CHECK(key != NULL);
            if (kv->key.via.str.size > 0)
                memcpy(key, kv->key.via.str.ptr, kv->key.via.str.size);
            value_map_put(v, key, item);
            free(key);
        }
        return v;
    case MSGPACK_OBJECT_EXT:
        break;
    }
    return NULL;
}

/*
 * Checks a body proto_body_decode accepted against msgpack-c's own unpacker: it must read
 * the same bytes, all of them, as the same value.
 */
static void
s_against_msgpack_c(const uint8_t *data, size_t size, const value_t *body)
{
    msgpack_unpacked result;
    msgpack_unpack_return rc;
    size_t off = 0;
    value_t *theirs;

    msgpack_unpacked_init(&result);
    rc = msgpack_unpack_next(&result, (const char *) data, size, &off);
    if (rc != MSGPACK_UNPACK_SUCCESS) {
        FUZZ_CHECK(s_depth(body) > S_MSGPACK_C_DEPTH);
        msgpack_unpacked_destroy(&result);
        return;
    }
    FUZZ_CHECK(off == size);
    theirs = s_from_msgpack(&result.data);
    FUZZ_CHECK(theirs != NULL);
    FUZZ_CHECK(value_equal(body, theirs));
    value_destroy(&theirs);
    msgpack_unpacked_destroy(&result);
}

/* Checks the round trip of a body that decoded: encode, decode, compare, encode again. */
static void
s_round_trip(const value_t *body)
{
    value_t *again = NULL, *copy;
    uint8_t *bytes, *bytes2;
    size_t len = 0, len2 = 0;
    char *json;
    err_t err;

    err_clear(&err);
    FUZZ_CHECK(value_type(body) == VALUE_MAP);
    bytes = proto_body_encode(body, &len, &err);
    FUZZ_CHECK(bytes != NULL && len > 0);
    FUZZ_CHECK(proto_body_decode(bytes, len, &again, &err) == 0);
    FUZZ_CHECK(value_equal(body, again));
    FUZZ_CHECK(value_equal(again, body));
    bytes2 = proto_body_encode(again, &len2, &err);
    FUZZ_CHECK(bytes2 != NULL && len2 == len && memcmp(bytes, bytes2, len) == 0);

    copy = value_dup(body);
    FUZZ_CHECK(value_equal(copy, body));
    json = value_to_json(body);
    FUZZ_CHECK(json != NULL);

    free(json);
    value_destroy(&copy);
    free(bytes2);
    free(bytes);
    value_destroy(&again);
    value_destroy(&again); /* safe twice */
}

/* proto_body_decode over the whole input. */
static void
s_body(const uint8_t *data, size_t size)
{
    value_t *body = NULL;
    err_t err;

    err_clear(&err);
    if (proto_body_decode(data, size, &body, &err) != 0) {
        FUZZ_CHECK(body == NULL);
        FUZZ_CHECK(err_isset(&err) && strcmp(err.code, "protocol") == 0);
        return;
    }
    FUZZ_CHECK(body != NULL);
    s_against_msgpack_c(data, size, body);
    s_round_trip(body);
    value_destroy(&body);
}

/* Cuts the input into frames (2-byte length, bytes) and returns them as a message. */
static zmsg_t *
s_frames(const uint8_t *data, size_t size)
{
    zmsg_t *msg = zmsg_new();
    size_t pos = 0;

    FUZZ_CHECK(msg != NULL);
    for (int i = 0; i < S_MAX_FRAMES && pos < size; i++) {
        size_t n = data[pos++];

        if (pos < size)
            n = (n << 8) | data[pos++];
        else
            n = 0;
        if (n > size - pos)
            n = size - pos;
        FUZZ_CHECK(zmsg_addmem(msg, data + pos, n) == 0);
        pos += n;
    }
    return msg;
}

/* proto_decode over the input cut into frames, and the round trip through proto_encode. */
static void
s_message(const uint8_t *data, size_t size)
{
    zmsg_t *msg = s_frames(data, size), *again_msg;
    char *command = NULL, *command2 = NULL;
    value_t *body = NULL, *body2 = NULL;
    size_t frames = zmsg_size(msg);
    err_t err;

    err_clear(&err);
    if (proto_decode(msg, &command, &body, &err) != 0) {
        FUZZ_CHECK(command == NULL && body == NULL);
        FUZZ_CHECK(err_isset(&err) && strcmp(err.code, "protocol") == 0);
        FUZZ_CHECK(zmsg_size(msg) == frames); /* not consumed */
        zmsg_destroy(&msg);
        return;
    }
    FUZZ_CHECK(frames == 3);
    FUZZ_CHECK(command != NULL && body != NULL);
    FUZZ_CHECK(strlen(command) >= 1 && strlen(command) <= 32);
    FUZZ_CHECK(strspn(command, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == strlen(command));
    s_round_trip(body);

    again_msg = proto_encode(command, body);
    FUZZ_CHECK(again_msg != NULL && zmsg_size(again_msg) == 3);
    FUZZ_CHECK(proto_decode(again_msg, &command2, &body2, &err) == 0);
    FUZZ_CHECK(strcmp(command, command2) == 0);
    FUZZ_CHECK(value_equal(body, body2));

    zmsg_destroy(&again_msg);
    value_destroy(&body2);
    free(command2);
    value_destroy(&body);
    free(command);
    zmsg_destroy(&msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_body(data, size);
    s_message(data, size);
    return 0;
}
