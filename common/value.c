/*
 * value.c - a small dynamic value tree: nil, bool, integer, double, string, array, map.
 *
 * Strings are stored with their length and a terminating NUL, so they may hold any bytes
 * and still read as C strings. Arrays and maps grow geometrically.
 *
 * Maps keep their entries in an array in insertion order. Small maps are searched linearly;
 * once a map holds more than S_MAP_INDEX_MIN entries it also keeps an open-addressing hash
 * index (entry position + 1 per slot, 0 for empty, load factor at most 1/2), so that
 * decoding a large hostile map stays linear rather than quadratic. There is no removal, so
 * the index never needs tombstones.
 */
#include "common/value.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Maps with more entries than this get a hash index. */
#define S_MAP_INDEX_MIN 8

/* One map entry. */
typedef struct s_entry {
    char *key;      /* owned, NUL-terminated */
    uint64_t hash;  /* s_hash(key), kept to rebuild the index cheaply */
    value_t *value; /* owned, never NULL */
} s_entry_t;

struct value {
    value_type_t type; /* which member of u is in use */
    union {
        bool b;    /* VALUE_BOOL */
        int64_t i; /* VALUE_INT */
        double d;  /* VALUE_DOUBLE */
        struct {
            char *ptr;  /* owned, len bytes then a NUL */
            size_t len; /* bytes, not counting the terminating NUL */
        } s;            /* VALUE_STRING */
        struct {
            value_t **items; /* owned items */
            size_t len;      /* items in use */
            size_t cap;      /* items allocated */
        } a;                 /* VALUE_ARRAY */
        struct {
            s_entry_t *entries; /* entries in insertion order */
            size_t len;         /* entries in use */
            size_t cap;         /* entries allocated */
            size_t *index;      /* hash slots (entry position + 1, 0 = empty), or NULL */
            size_t index_cap;   /* slots in index, a power of two (0 without an index) */
        } m;                    /* VALUE_MAP */
    } u;
};

/* malloc that aborts on out-of-memory. */
static void *
s_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (p == NULL)
        abort();
    return p;
}

/* calloc that aborts on out-of-memory or overflow. */
static void *
s_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);

    if (p == NULL)
        abort();
    return p;
}

/* realloc of n items of size bytes that aborts on out-of-memory or overflow. */
static void *
s_xrealloc_array(void *ptr, size_t n, size_t size)
{
    void *p;

    if (size != 0 && n > SIZE_MAX / size)
        abort();
    p = realloc(ptr, n * size > 0 ? n * size : 1);
    if (p == NULL)
        abort();
    return p;
}

/* Copies n bytes of s into a new NUL-terminated buffer. */
static char *
s_xmemdup(const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        abort();
    p = s_xmalloc(n + 1);
    if (n > 0)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* New value of the given type, all members zero. */
static value_t *
s_new(value_type_t type)
{
    value_t *v = s_xcalloc(1, sizeof(*v));

    v->type = type;
    return v;
}

/* FNV-1a, 64 bits, with a final mix so the low bits used for slots are well spread. */
static uint64_t
s_hash(const char *key)
{
    uint64_t h = 14695981039346656037ULL;

    for (const unsigned char *p = (const unsigned char *) key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Puts entry position pos into the index (which has a free slot). */
static void
s_index_insert(value_t *map, size_t pos)
{
    size_t mask = map->u.m.index_cap - 1;
    size_t slot = (size_t) map->u.m.entries[pos].hash & mask;

    while (map->u.m.index[slot] != 0)
        slot = (slot + 1) & mask;
    map->u.m.index[slot] = pos + 1;
}

/* Makes sure the index has room for the current entries, rebuilding it when it grows. */
static void
s_index_fit(value_t *map)
{
    size_t need = map->u.m.len * 2;
    size_t cap = map->u.m.index_cap ? map->u.m.index_cap : 32;

    if (map->u.m.len <= S_MAP_INDEX_MIN)
        return;
    if (map->u.m.index != NULL && need <= map->u.m.index_cap)
        return;
    while (cap < need) {
        if (cap > SIZE_MAX / 2)
            abort();
        cap *= 2;
    }
    free(map->u.m.index);
    map->u.m.index = s_xcalloc(cap, sizeof(size_t));
    map->u.m.index_cap = cap;
    for (size_t i = 0; i < map->u.m.len; i++)
        s_index_insert(map, i);
}

/* Position of key in map, or SIZE_MAX when absent. */
static size_t
s_map_find(const value_t *map, const char *key, uint64_t hash)
{
    if (map->u.m.index == NULL) {
        for (size_t i = 0; i < map->u.m.len; i++)
            if (strcmp(map->u.m.entries[i].key, key) == 0)
                return i;
        return SIZE_MAX;
    }

    size_t mask = map->u.m.index_cap - 1;
    size_t slot = (size_t) hash & mask;

    while (map->u.m.index[slot] != 0) {
        const s_entry_t *e = &map->u.m.entries[map->u.m.index[slot] - 1];

        if (e->hash == hash && strcmp(e->key, key) == 0)
            return map->u.m.index[slot] - 1;
        slot = (slot + 1) & mask;
    }
    return SIZE_MAX;
}

/* Appends a new entry (key not present; takes ownership of key and value). */
static void
s_map_append(value_t *map, char *key, uint64_t hash, value_t *value)
{
    if (map->u.m.len == map->u.m.cap) {
        size_t cap = map->u.m.cap ? map->u.m.cap * 2 : 4;

        map->u.m.entries = s_xrealloc_array(map->u.m.entries, cap, sizeof(s_entry_t));
        map->u.m.cap = cap;
    }
    map->u.m.entries[map->u.m.len].key = key;
    map->u.m.entries[map->u.m.len].hash = hash;
    map->u.m.entries[map->u.m.len].value = value;
    map->u.m.len++;

    if (map->u.m.index != NULL && map->u.m.len * 2 <= map->u.m.index_cap)
        s_index_insert(map, map->u.m.len - 1);
    else
        s_index_fit(map);
}

value_t *
value_new_nil(void)
{
    return s_new(VALUE_NIL);
}

value_t *
value_new_bool(bool b)
{
    value_t *v = s_new(VALUE_BOOL);

    v->u.b = b;
    return v;
}

value_t *
value_new_int(int64_t i)
{
    value_t *v = s_new(VALUE_INT);

    v->u.i = i;
    return v;
}

value_t *
value_new_double(double d)
{
    value_t *v = s_new(VALUE_DOUBLE);

    v->u.d = d;
    return v;
}

value_t *
value_new_string(const char *s)
{
    if (s == NULL)
        return value_new_nil();
    return value_new_stringn(s, strlen(s));
}

value_t *
value_new_stringn(const char *s, size_t n)
{
    value_t *v = s_new(VALUE_STRING);

    assert(s != NULL || n == 0);
    v->u.s.ptr = s_xmemdup(s, n);
    v->u.s.len = n;
    return v;
}

value_t *
value_new_array(void)
{
    return s_new(VALUE_ARRAY);
}

value_t *
value_new_map(void)
{
    return s_new(VALUE_MAP);
}

value_t *
value_dup(const value_t *v)
{
    value_t *copy;

    if (v == NULL)
        return value_new_nil();

    switch (v->type) {
    case VALUE_STRING:
        return value_new_stringn(v->u.s.ptr, v->u.s.len);
    case VALUE_ARRAY:
        copy = s_new(VALUE_ARRAY);
        if (v->u.a.len > 0) {
            copy->u.a.items = s_xrealloc_array(NULL, v->u.a.len, sizeof(value_t *));
            copy->u.a.cap = v->u.a.len;
            for (size_t i = 0; i < v->u.a.len; i++)
                copy->u.a.items[i] = value_dup(v->u.a.items[i]);
            copy->u.a.len = v->u.a.len;
        }
        return copy;
    case VALUE_MAP:
        copy = s_new(VALUE_MAP);
        if (v->u.m.len > 0) {
            copy->u.m.entries = s_xrealloc_array(NULL, v->u.m.len, sizeof(s_entry_t));
            copy->u.m.cap = v->u.m.len;
            for (size_t i = 0; i < v->u.m.len; i++) {
                const s_entry_t *e = &v->u.m.entries[i];

                copy->u.m.entries[i].key = s_xmemdup(e->key, strlen(e->key));
                copy->u.m.entries[i].hash = e->hash;
                copy->u.m.entries[i].value = value_dup(e->value);
            }
            copy->u.m.len = v->u.m.len;
            s_index_fit(copy);
        }
        return copy;
    default:
        copy = s_new(v->type);
        copy->u = v->u;
        return copy;
    }
}

void
value_destroy(value_t **self_p)
{
    value_t *v;

    if (self_p == NULL || *self_p == NULL)
        return;
    v = *self_p;
    switch (v->type) {
    case VALUE_STRING:
        free(v->u.s.ptr);
        break;
    case VALUE_ARRAY:
        for (size_t i = 0; i < v->u.a.len; i++)
            value_destroy(&v->u.a.items[i]);
        free(v->u.a.items);
        break;
    case VALUE_MAP:
        for (size_t i = 0; i < v->u.m.len; i++) {
            free(v->u.m.entries[i].key);
            value_destroy(&v->u.m.entries[i].value);
        }
        free(v->u.m.entries);
        free(v->u.m.index);
        break;
    default:
        break;
    }
    free(v);
    *self_p = NULL;
}

value_type_t
value_type(const value_t *v)
{
    return v ? v->type : VALUE_NIL;
}

bool
value_bool(const value_t *v, bool dflt)
{
    return v && v->type == VALUE_BOOL ? v->u.b : dflt;
}

int64_t
value_int(const value_t *v, int64_t dflt)
{
    return v && v->type == VALUE_INT ? v->u.i : dflt;
}

double
value_double(const value_t *v, double dflt)
{
    if (v && v->type == VALUE_DOUBLE)
        return v->u.d;
    if (v && v->type == VALUE_INT)
        return (double) v->u.i;
    return dflt;
}

const char *
value_string(const value_t *v, const char *dflt)
{
    return v && v->type == VALUE_STRING ? v->u.s.ptr : dflt;
}

size_t
value_string_len(const value_t *v)
{
    return v && v->type == VALUE_STRING ? v->u.s.len : 0;
}

size_t
value_size(const value_t *v)
{
    if (v && v->type == VALUE_ARRAY)
        return v->u.a.len;
    if (v && v->type == VALUE_MAP)
        return v->u.m.len;
    return 0;
}

const value_t *
value_at(const value_t *array, size_t i)
{
    if (array == NULL || array->type != VALUE_ARRAY || i >= array->u.a.len)
        return NULL;
    return array->u.a.items[i];
}

void
value_array_push(value_t *array, value_t *item)
{
    assert(array != NULL && array->type == VALUE_ARRAY);
    assert(item != array);
    if (array == NULL || array->type != VALUE_ARRAY) {
        value_destroy(&item);
        return;
    }
    if (item == NULL)
        item = value_new_nil();
    if (array->u.a.len == array->u.a.cap) {
        size_t cap = array->u.a.cap ? array->u.a.cap * 2 : 4;

        array->u.a.items = s_xrealloc_array(array->u.a.items, cap, sizeof(value_t *));
        array->u.a.cap = cap;
    }
    array->u.a.items[array->u.a.len++] = item;
}

const char *
value_map_key_at(const value_t *map, size_t i)
{
    if (map == NULL || map->type != VALUE_MAP || i >= map->u.m.len)
        return NULL;
    return map->u.m.entries[i].key;
}

const value_t *
value_map_value_at(const value_t *map, size_t i)
{
    if (map == NULL || map->type != VALUE_MAP || i >= map->u.m.len)
        return NULL;
    return map->u.m.entries[i].value;
}

const value_t *
value_map_get(const value_t *map, const char *key)
{
    size_t pos;

    if (map == NULL || map->type != VALUE_MAP || key == NULL || map->u.m.len == 0)
        return NULL;
    pos = s_map_find(map, key, map->u.m.index ? s_hash(key) : 0);
    return pos == SIZE_MAX ? NULL : map->u.m.entries[pos].value;
}

void
value_map_put(value_t *map, const char *key, value_t *value)
{
    uint64_t hash;
    size_t pos;

    assert(map != NULL && map->type == VALUE_MAP && key != NULL);
    assert(value != map);
    if (map == NULL || map->type != VALUE_MAP || key == NULL) {
        value_destroy(&value);
        return;
    }
    if (value == NULL)
        value = value_new_nil();

    hash = s_hash(key);
    pos = s_map_find(map, key, hash);
    if (pos != SIZE_MAX) {
        s_entry_t *e = &map->u.m.entries[pos];

        if (e->value != value)
            value_destroy(&e->value);
        e->value = value;
        return;
    }
    s_map_append(map, s_xmemdup(key, strlen(key)), hash, value);
}

void
value_map_put_string(value_t *map, const char *key, const char *s)
{
    value_map_put(map, key, value_new_string(s));
}

void
value_map_put_int(value_t *map, const char *key, int64_t i)
{
    value_map_put(map, key, value_new_int(i));
}

void
value_map_put_double(value_t *map, const char *key, double d)
{
    value_map_put(map, key, value_new_double(d));
}

void
value_map_put_bool(value_t *map, const char *key, bool b)
{
    value_map_put(map, key, value_new_bool(b));
}

const char *
value_map_string(const value_t *map, const char *key, const char *dflt)
{
    return value_string(value_map_get(map, key), dflt);
}

int64_t
value_map_int(const value_t *map, const char *key, int64_t dflt)
{
    return value_int(value_map_get(map, key), dflt);
}

double
value_map_double(const value_t *map, const char *key, double dflt)
{
    return value_double(value_map_get(map, key), dflt);
}

bool
value_map_bool(const value_t *map, const char *key, bool dflt)
{
    return value_bool(value_map_get(map, key), dflt);
}

/*
 * JSON output.
 */

/* A growable output buffer, always NUL-terminated. */
typedef struct s_buf {
    char *data; /* owned */
    size_t len; /* bytes in use, not counting the NUL */
    size_t cap; /* bytes allocated */
} s_buf_t;

/* Makes room for n more bytes and the NUL. */
static void
s_buf_reserve(s_buf_t *b, size_t n)
{
    size_t cap = b->cap ? b->cap : 64;

    if (n > SIZE_MAX - b->len - 1)
        abort();
    if (b->len + n + 1 <= b->cap)
        return;
    while (cap < b->len + n + 1) {
        if (cap > SIZE_MAX / 2)
            abort();
        cap *= 2;
    }
    b->data = s_xrealloc_array(b->data, cap, 1);
    b->cap = cap;
}

/* Appends n bytes. */
static void
s_buf_add(s_buf_t *b, const char *s, size_t n)
{
    s_buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Appends a C string. */
static void
s_buf_adds(s_buf_t *b, const char *s)
{
    s_buf_add(b, s, strlen(s));
}

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes available), or 0 when the bytes
 * there are not valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF
 * included, per RFC 3629).
 */
static size_t
s_utf8_len(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
        unsigned char hi = c == 0xED ? 0x9F : 0xBF;

        if (n < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;

        if (n < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

/* Appends s (n bytes) as a JSON string. */
static void
s_json_string(s_buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;

    s_buf_reserve(b, n + 2);
    s_buf_add(b, "\"", 1);
    while (i < n) {
        size_t run = i;
        size_t seq;

        /* copy the longest run of bytes that need no escaping in one go */
        while (run < n && p[run] >= 0x20 && p[run] != '"' && p[run] != '\\' && p[run] < 0x80)
            run++;
        if (run > i) {
            s_buf_add(b, s + i, run - i);
            i = run;
            continue;
        }

        if (p[i] == '"') {
            s_buf_add(b, "\\\"", 2);
            i++;
        } else if (p[i] == '\\') {
            s_buf_add(b, "\\\\", 2);
            i++;
        } else if (p[i] < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 0xF]};

            s_buf_add(b, esc, sizeof(esc));
            i++;
        } else if ((seq = s_utf8_len(p + i, n - i)) > 0) {
            s_buf_add(b, s + i, seq);
            i += seq;
        } else {
            s_buf_add(b, "\\ufffd", 6);
            i++;
        }
    }
    s_buf_add(b, "\"", 1);
}

/*
 * Appends a double: the shortest of %.15g, %.16g and %.17g that reads back to the same
 * value, with ".0" added when the result would otherwise look like an integer.
 */
static void
s_json_double(s_buf_t *b, double d)
{
    char text[64];

    if (isnan(d) || isinf(d)) {
        s_buf_adds(b, "null");
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(text, sizeof(text), "%.*g", precision, d);
        if (strtod(text, NULL) == d)
            break;
    }
    /* a locale with a decimal comma would break JSON: force the point */
    for (char *c = text; *c; c++)
        if (*c == ',')
            *c = '.';
    s_buf_adds(b, text);
    if (strpbrk(text, ".eE") == NULL)
        s_buf_add(b, ".0", 2);
}

/* Appends v as JSON. */
static void
s_json_value(s_buf_t *b, const value_t *v)
{
    char text[32];

    switch (value_type(v)) {
    case VALUE_NIL:
        s_buf_adds(b, "null");
        break;
    case VALUE_BOOL:
        s_buf_adds(b, v->u.b ? "true" : "false");
        break;
    case VALUE_INT:
        snprintf(text, sizeof(text), "%" PRId64, v->u.i);
        s_buf_adds(b, text);
        break;
    case VALUE_DOUBLE:
        s_json_double(b, v->u.d);
        break;
    case VALUE_STRING:
        s_json_string(b, v->u.s.ptr, v->u.s.len);
        break;
    case VALUE_ARRAY:
        s_buf_add(b, "[", 1);
        for (size_t i = 0; i < v->u.a.len; i++) {
            if (i > 0)
                s_buf_add(b, ",", 1);
            s_json_value(b, v->u.a.items[i]);
        }
        s_buf_add(b, "]", 1);
        break;
    case VALUE_MAP:
        s_buf_add(b, "{", 1);
        for (size_t i = 0; i < v->u.m.len; i++) {
            if (i > 0)
                s_buf_add(b, ",", 1);
            s_json_string(b, v->u.m.entries[i].key, strlen(v->u.m.entries[i].key));
            s_buf_add(b, ":", 1);
            s_json_value(b, v->u.m.entries[i].value);
        }
        s_buf_add(b, "}", 1);
        break;
    }
}

char *
value_to_json(const value_t *v)
{
    s_buf_t b = {NULL, 0, 0};

    s_buf_reserve(&b, 0);
    b.data[0] = '\0';
    s_json_value(&b, v);
    return b.data;
}

bool
value_equal(const value_t *a, const value_t *b)
{
    value_type_t t = value_type(a);

    if (t != value_type(b))
        return false;
    switch (t) {
    case VALUE_NIL:
        return true;
    case VALUE_BOOL:
        return value_bool(a, false) == value_bool(b, false);
    case VALUE_INT:
        return value_int(a, 0) == value_int(b, 0);
    case VALUE_DOUBLE: {
        double x = value_double(a, 0), y = value_double(b, 0);

        return x == y || (isnan(x) && isnan(y));
    }
    case VALUE_STRING:
        return value_string_len(a) == value_string_len(b) &&
               memcmp(value_string(a, ""), value_string(b, ""), value_string_len(a)) == 0;
    case VALUE_ARRAY:
        if (value_size(a) != value_size(b))
            return false;
        for (size_t i = 0; i < value_size(a); i++) {
            if (!value_equal(value_at(a, i), value_at(b, i)))
                return false;
        }
        return true;
    case VALUE_MAP:
        if (value_size(a) != value_size(b))
            return false;
        for (size_t i = 0; i < value_size(a); i++) {
            const value_t *other = value_map_get(b, value_map_key_at(a, i));

            if (other == NULL || !value_equal(value_map_value_at(a, i), other))
                return false;
        }
        return true;
    }
    return false;
}
