/*
 * proto.c - the confiture wire protocol: frames, commands and the msgpack codec.
 *
 * Encoding goes through msgpack-c's packer. Decoding is a hand-written reader rather than
 * msgpack-c's unpacker, so that every rule of proto.h is enforced in one place with a
 * precise message (what is wrong, at which byte) and no allocation is sized from a count the
 * peer announced. The reader checks every length against the bytes left before it touches
 * them, recurses at most PROTO_MAX_DEPTH levels, and builds the value_t tree directly.
 *
 * Duplicate keys in a decoded map: the last one wins (value_map_put replaces), at the
 * position of the first. Map keys must be msgpack str without NUL bytes, since value_t keys
 * are C strings.
 */
#include "proto/proto.h"

#include <assert.h>
#include <inttypes.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcodes.h"

/* Longest command, in bytes. */
#define S_COMMAND_MAX 32

/* Keys up to this length are decoded into a stack buffer. */
#define S_KEY_STACK 128

/* A msgpack reader over a caller's buffer. */
typedef struct s_reader {
    const uint8_t *data; /* the buffer (not owned) */
    size_t len;          /* its length */
    size_t pos;          /* next byte to read */
    err_t *err;          /* where errors go */
} s_reader_t;

static int s_read_value(s_reader_t *r, int depth, value_t **out);

/* Sets a "protocol" error; always returns -1. */
#define s_fail(r, ...) err_set((r)->err, "protocol", EXIT_CODE_INTERNAL, __VA_ARGS__)

/* Bytes left to read. */
static size_t
s_left(const s_reader_t *r)
{
    return r->len - r->pos;
}

/* Reads a big-endian unsigned integer of n bytes (n <= 8, already bounds-checked). */
static uint64_t
s_be(const uint8_t *p, size_t n)
{
    uint64_t x = 0;

    for (size_t i = 0; i < n; i++)
        x = (x << 8) | p[i];
    return x;
}

/*
 * Reads the n-byte big-endian length or value that follows the type byte at start. Returns
 * 0 and advances past it, or -1 when the input ends first.
 */
static int
s_read_be(s_reader_t *r, size_t n, size_t start, const char *what, uint64_t *out)
{
    *out = 0;
    if (s_left(r) < n)
        return s_fail(r, "msgpack: truncated %s at byte %zu: %zu bytes needed, %zu present", what,
                      start, n, s_left(r));
    *out = s_be(r->data + r->pos, n);
    r->pos += n;
    return 0;
}

/* Reads a str or bin body of n bytes as a VALUE_STRING. */
static int
s_read_bytes(s_reader_t *r, uint64_t n, size_t start, const char *what, value_t **out)
{
    if (n > s_left(r))
        return s_fail(r,
                      "msgpack: truncated %s at byte %zu: %" PRIu64 " bytes announced, %zu present",
                      what, start, n, s_left(r));
    *out = value_new_stringn((const char *) r->data + r->pos, (size_t) n);
    r->pos += (size_t) n;
    return 0;
}

/* Reads n array items into a new array. */
static int
s_read_array(s_reader_t *r, uint64_t n, size_t start, int depth, value_t **out)
{
    value_t *array;

    if (depth > PROTO_MAX_DEPTH)
        return s_fail(r, "msgpack: nesting deeper than %d levels at byte %zu", PROTO_MAX_DEPTH,
                      start);
    /* every item takes at least one byte: refuse impossible counts before looping */
    if (n > s_left(r))
        return s_fail(
            r, "msgpack: truncated array at byte %zu: %" PRIu64 " items announced, %zu bytes left",
            start, n, s_left(r));
    array = value_new_array();
    for (uint64_t i = 0; i < n; i++) {
        value_t *item = NULL;

        if (s_read_value(r, depth + 1, &item) != 0) {
            value_destroy(&array);
            return -1;
        }
        value_array_push(array, item);
    }
    *out = array;
    return 0;
}

/* Reads the key of a map entry into a NUL-terminated string (*key, or *heap when long). */
static int
s_read_key(s_reader_t *r, char *stack, char **key, char **heap)
{
    size_t start = r->pos;
    uint8_t b;
    uint64_t n = 0;

    *heap = NULL;
    if (s_left(r) < 1)
        return s_fail(r, "msgpack: truncated map at byte %zu: key expected", start);
    b = r->data[r->pos++];
    if (b >= 0xa0 && b <= 0xbf)
        n = b & 0x1f;
    else if (b == 0xd9 || b == 0xda || b == 0xdb) {
        if (s_read_be(r, (size_t) 1 << (b - 0xd9), start, "str", &n) != 0)
            return -1;
    } else
        return s_fail(r, "msgpack: map key at byte %zu is not a string (type byte 0x%02x)", start,
                      b);
    if (n > s_left(r))
        return s_fail(
            r, "msgpack: truncated str at byte %zu: %" PRIu64 " bytes announced, %zu present",
            start, n, s_left(r));
    if (memchr(r->data + r->pos, '\0', (size_t) n) != NULL)
        return s_fail(r, "msgpack: map key at byte %zu contains a NUL byte", start);

    if (n < S_KEY_STACK)
        *key = stack;
    else
        *key = *heap = malloc((size_t) n + 1);
    if (*key == NULL)
        abort();
    memcpy(*key, r->data + r->pos, (size_t) n);
    (*key)[n] = '\0';
    r->pos += (size_t) n;
    return 0;
}

/* Reads n map entries into a new map. */
static int
s_read_map(s_reader_t *r, uint64_t n, size_t start, int depth, value_t **out)
{
    value_t *map;

    if (depth > PROTO_MAX_DEPTH)
        return s_fail(r, "msgpack: nesting deeper than %d levels at byte %zu", PROTO_MAX_DEPTH,
                      start);
    /* every entry takes at least two bytes: refuse impossible counts before looping */
    if (n > s_left(r) / 2)
        return s_fail(
            r, "msgpack: truncated map at byte %zu: %" PRIu64 " entries announced, %zu bytes left",
            start, n, s_left(r));
    map = value_new_map();
    for (uint64_t i = 0; i < n; i++) {
        char stack[S_KEY_STACK];
        char *key = NULL;
        char *heap = NULL;
        value_t *item = NULL;

        if (s_read_key(r, stack, &key, &heap) != 0) {
            value_destroy(&map);
            return -1;
        }
        if (s_left(r) < 1) {
            free(heap);
            value_destroy(&map);
            return s_fail(r,
                          "msgpack: truncated map at byte %zu: value of entry %" PRIu64 " missing",
                          start, i + 1);
        }
        if (s_read_value(r, depth + 1, &item) != 0) {
            free(heap);
            value_destroy(&map);
            return -1;
        }
        value_map_put(map, key, item); /* a duplicate key replaces: last wins */
        free(heap);
    }
    *out = map;
    return 0;
}

/* Reads one value of any type; depth is the nesting level it would have as a container. */
static int
s_read_value(s_reader_t *r, int depth, value_t **out)
{
    size_t start = r->pos;
    uint8_t b;
    uint64_t u = 0;

    if (s_left(r) < 1)
        return s_fail(r, "msgpack: truncated input at byte %zu: value expected", start);
    b = r->data[r->pos++];

    if (b <= 0x7f) {
        *out = value_new_int(b);
        return 0;
    }
    if (b >= 0xe0) {
        *out = value_new_int((int8_t) b);
        return 0;
    }
    if (b >= 0x80 && b <= 0x8f)
        return s_read_map(r, b & 0x0f, start, depth, out);
    if (b >= 0x90 && b <= 0x9f)
        return s_read_array(r, b & 0x0f, start, depth, out);
    if (b >= 0xa0 && b <= 0xbf)
        return s_read_bytes(r, b & 0x1f, start, "str", out);

    switch (b) {
    case 0xc0:
        *out = value_new_nil();
        return 0;
    case 0xc1:
        return s_fail(r, "msgpack: reserved type byte 0xc1 at byte %zu", start);
    case 0xc2:
    case 0xc3:
        *out = value_new_bool(b == 0xc3);
        return 0;
    case 0xc4:
    case 0xc5:
    case 0xc6:
        if (s_read_be(r, (size_t) 1 << (b - 0xc4), start, "bin", &u) != 0)
            return -1;
        return s_read_bytes(r, u, start, "bin", out);
    case 0xc7:
    case 0xc8:
    case 0xc9:
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
        return s_fail(r, "msgpack: ext type at byte %zu is not supported (type byte 0x%02x)", start,
                      b);
    case 0xca: {
        float f;
        uint32_t bits;

        if (s_read_be(r, 4, start, "float32", &u) != 0)
            return -1;
        bits = (uint32_t) u;
        memcpy(&f, &bits, sizeof(f));
        *out = value_new_double(f);
        return 0;
    }
    case 0xcb: {
        double d;

        if (s_read_be(r, 8, start, "float64", &u) != 0)
            return -1;
        memcpy(&d, &u, sizeof(d));
        *out = value_new_double(d);
        return 0;
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        if (s_read_be(r, (size_t) 1 << (b - 0xcc), start, "uint", &u) != 0)
            return -1;
        if (u > INT64_MAX)
            return s_fail(r, "msgpack: uint64 %" PRIu64 " at byte %zu is above INT64_MAX", u,
                          start);
        *out = value_new_int((int64_t) u);
        return 0;
    case 0xd0:
        if (s_read_be(r, 1, start, "int8", &u) != 0)
            return -1;
        *out = value_new_int((int8_t) u);
        return 0;
    case 0xd1:
        if (s_read_be(r, 2, start, "int16", &u) != 0)
            return -1;
        *out = value_new_int((int16_t) u);
        return 0;
    case 0xd2:
        if (s_read_be(r, 4, start, "int32", &u) != 0)
            return -1;
        *out = value_new_int((int32_t) u);
        return 0;
    case 0xd3:
        if (s_read_be(r, 8, start, "int64", &u) != 0)
            return -1;
        *out = value_new_int((int64_t) u);
        return 0;
    case 0xd9:
    case 0xda:
    case 0xdb:
        if (s_read_be(r, (size_t) 1 << (b - 0xd9), start, "str", &u) != 0)
            return -1;
        return s_read_bytes(r, u, start, "str", out);
    case 0xdc:
    case 0xdd:
        if (s_read_be(r, b == 0xdc ? 2 : 4, start, "array", &u) != 0)
            return -1;
        return s_read_array(r, u, start, depth, out);
    case 0xde:
    case 0xdf:
        if (s_read_be(r, b == 0xde ? 2 : 4, start, "map", &u) != 0)
            return -1;
        return s_read_map(r, u, start, depth, out);
    default:
        /* every byte value is covered above */
        return s_fail(r, "msgpack: unknown type byte 0x%02x at byte %zu", b, start);
    }
}

/* Name of the msgpack family of type byte b, for error messages. */
static const char *
s_type_name(uint8_t b)
{
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3))
        return "an integer";
    if ((b >= 0x90 && b <= 0x9f) || b == 0xdc || b == 0xdd)
        return "an array";
    if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb))
        return "a string";
    if (b >= 0xc4 && b <= 0xc6)
        return "a bin";
    if (b == 0xc0)
        return "nil";
    if (b == 0xc2 || b == 0xc3)
        return "a boolean";
    if (b == 0xca || b == 0xcb)
        return "a float";
    if ((b >= 0xc7 && b <= 0xc9) || (b >= 0xd4 && b <= 0xd8))
        return "an ext type";
    return "a reserved type byte";
}

int
proto_body_decode(const uint8_t *data, size_t len, value_t **body, err_t *err)
{
    s_reader_t r = {data, len, 0, err};
    value_t *map = NULL;
    uint8_t b;

    *body = NULL;
    if (len == 0 || data == NULL)
        return s_fail(&r, "msgpack: empty body, expected a map");
    b = data[0];
    if (!((b >= 0x80 && b <= 0x8f) || b == 0xde || b == 0xdf))
        return s_fail(&r, "msgpack: body is %s (type byte 0x%02x), expected a map", s_type_name(b),
                      b);
    if (s_read_value(&r, 1, &map) != 0)
        return -1;
    if (r.pos != len) {
        value_destroy(&map);
        return s_fail(&r, "msgpack: %zu trailing bytes after the map at byte %zu", len - r.pos,
                      r.pos);
    }
    *body = map;
    return 0;
}

/* Aborts when a packer call failed: it writes to a msgpack_sbuffer, so only on out-of-memory. */
static void
s_packed(int rc)
{
    if (rc != 0)
        abort();
}

/* Packs v; depth is the nesting level v would have as a container. Returns 0 or -1. */
static int
s_pack(msgpack_packer *pk, const value_t *v, int depth, err_t *err)
{
    size_t n;

    switch (value_type(v)) {
    case VALUE_NIL:
        s_packed(msgpack_pack_nil(pk));
        return 0;
    case VALUE_BOOL:
        s_packed(value_bool(v, false) ? msgpack_pack_true(pk) : msgpack_pack_false(pk));
        return 0;
    case VALUE_INT:
        s_packed(msgpack_pack_int64(pk, value_int(v, 0)));
        return 0;
    case VALUE_DOUBLE:
        s_packed(msgpack_pack_double(pk, value_double(v, 0)));
        return 0;
    case VALUE_STRING:
        n = value_string_len(v);
        if (n > UINT32_MAX)
            return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                           "msgpack: string of %zu bytes is too long to encode", n);
        s_packed(msgpack_pack_str_with_body(pk, value_string(v, ""), n));
        return 0;
    case VALUE_ARRAY:
    case VALUE_MAP:
        break;
    }

    n = value_size(v);
    if (depth > PROTO_MAX_DEPTH)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "msgpack: nesting deeper than %d levels cannot be encoded", PROTO_MAX_DEPTH);
    if (n > UINT32_MAX)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "msgpack: container of %zu items is too long to encode", n);
    if (value_type(v) == VALUE_ARRAY) {
        s_packed(msgpack_pack_array(pk, n));
        for (size_t i = 0; i < n; i++)
            if (s_pack(pk, value_at(v, i), depth + 1, err) != 0)
                return -1;
        return 0;
    }
    s_packed(msgpack_pack_map(pk, n));
    for (size_t i = 0; i < n; i++) {
        const char *key = value_map_key_at(v, i);

        s_packed(msgpack_pack_str_with_body(pk, key, strlen(key)));
        if (s_pack(pk, value_map_value_at(v, i), depth + 1, err) != 0)
            return -1;
    }
    return 0;
}

/* Encodes body (NULL: an empty map) into sbuf. Returns 0, or -1 with err set. */
static int
s_encode(const value_t *body, msgpack_sbuffer *sbuf, err_t *err)
{
    msgpack_packer pk;

    msgpack_sbuffer_init(sbuf);
    msgpack_packer_init(&pk, sbuf, msgpack_sbuffer_write);
    if (body == NULL) {
        s_packed(msgpack_pack_map(&pk, 0));
        return 0;
    }
    if (value_type(body) != VALUE_MAP)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "msgpack: body must be a map, not type %d", (int) value_type(body));
    if (s_pack(&pk, body, 1, err) != 0) {
        msgpack_sbuffer_destroy(sbuf);
        msgpack_sbuffer_init(sbuf);
        return -1;
    }
    return 0;
}

uint8_t *
proto_body_encode(const value_t *body, size_t *len, err_t *err)
{
    msgpack_sbuffer sbuf;
    uint8_t *data;

    *len = 0;
    if (body == NULL || value_type(body) != VALUE_MAP) {
        err_set(err, "protocol", EXIT_CODE_INTERNAL, "msgpack: body must be a map");
        return NULL;
    }
    if (s_encode(body, &sbuf, err) != 0)
        return NULL;
    /* the sbuffer starts at 8 KB: hand back a buffer of the right size */
    data = realloc(sbuf.data, sbuf.size);
    if (data == NULL)
        data = (uint8_t *) sbuf.data;
    *len = sbuf.size;
    return data;
}

/* True when command is 1-32 characters of [A-Z_]. */
static bool
s_command_valid(const char *command, size_t len)
{
    if (len < 1 || len > S_COMMAND_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((command[i] >= 'A' && command[i] <= 'Z') || command[i] == '_'))
            return false;
    return true;
}

zmsg_t *
proto_encode(const char *command, const value_t *body)
{
    static const uint8_t signature[4] = {'C', 'N', 'F', PROTO_VERSION};
    msgpack_sbuffer sbuf;
    zmsg_t *msg;
    err_t err;

    assert(command != NULL && s_command_valid(command, strlen(command)));
    if (s_encode(body, &sbuf, &err) != 0)
        return NULL;
    msg = zmsg_new();
    if (msg == NULL || zmsg_addmem(msg, signature, sizeof(signature)) != 0 ||
        zmsg_addstr(msg, command) != 0 || zmsg_addmem(msg, sbuf.data, sbuf.size) != 0)
        abort();
    msgpack_sbuffer_destroy(&sbuf);
    return msg;
}

int
proto_decode(zmsg_t *msg, char **command, value_t **body, err_t *err)
{
    zframe_t *frame;
    const uint8_t *data;
    size_t size;
    size_t frames;

    *command = NULL;
    *body = NULL;
    frames = msg ? zmsg_size(msg) : 0;
    if (frames != 3)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "bad message: %zu frames, expected 3 (signature, command, body)", frames);

    frame = zmsg_first(msg);
    data = zframe_data(frame);
    size = zframe_size(frame);
    if (size != 4 || data[0] != 'C' || data[1] != 'N' || data[2] != 'F')
        return err_set(err, "protocol", EXIT_CODE_INTERNAL, "bad frame signature: expected CNF%d",
                       PROTO_VERSION);
    if (data[3] != PROTO_VERSION)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "unsupported protocol version %u: expected %d", (unsigned) data[3],
                       PROTO_VERSION);

    frame = zmsg_next(msg);
    data = zframe_data(frame);
    size = zframe_size(frame);
    if (!s_command_valid((const char *) data, size))
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "bad command frame: %zu bytes, expected 1-%d characters of [A-Z_]", size,
                       S_COMMAND_MAX);

    frame = zmsg_next(msg);
    if (proto_body_decode(zframe_data(frame), zframe_size(frame), body, err) != 0)
        return -1;

    *command = malloc(size + 1);
    if (*command == NULL)
        abort();
    memcpy(*command, data, size);
    (*command)[size] = '\0';
    return 0;
}

int
proto_send(zsock_t *sock, zframe_t *identity, const char *command, const value_t *body)
{
    zmsg_t *msg = proto_encode(command, body);
    int rc;

    if (msg == NULL)
        return -1;
    if (identity != NULL && zmsg_pushmem(msg, zframe_data(identity), zframe_size(identity)) != 0)
        abort();
    rc = zmsg_send(&msg, sock);
    zmsg_destroy(&msg);
    return rc == 0 ? 0 : -1;
}

int
proto_recv(zsock_t *sock, bool router, zframe_t **identity, char **command, value_t **body,
           err_t *err)
{
    zmsg_t *msg;
    int rc;

    if (identity != NULL)
        *identity = NULL;
    *command = NULL;
    *body = NULL;

    msg = zmsg_recv(sock);
    if (msg == NULL)
        return -2;
    if (router) {
        zframe_t *id = zmsg_pop(msg);

        if (identity != NULL)
            *identity = id;
        else
            zframe_destroy(&id);
    }
    rc = proto_decode(msg, command, body, err);
    zmsg_destroy(&msg);
    return rc;
}
