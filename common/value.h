/*
 * value.h - a small dynamic value tree: nil, bool, integer, double, string, array, map.
 *
 * The one in-memory shape of every message body (proto/ encodes it as msgpack) and of every
 * JSON document the CLI prints (value_to_json). Maps keep insertion order; keys are unique
 * (putting an existing key replaces its value). Strings may hold any bytes, NUL included.
 *
 * Ownership: a value owns its children. value_array_push and value_map_put take ownership of
 * the child and null nothing (the caller simply stops using it). Getters return borrowed
 * pointers valid until the parent is changed or destroyed.
 */
#ifndef CONFITURE_VALUE_H
#define CONFITURE_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum value_type {
    VALUE_NIL,
    VALUE_BOOL,
    VALUE_INT,
    VALUE_DOUBLE,
    VALUE_STRING,
    VALUE_ARRAY,
    VALUE_MAP
} value_type_t;

typedef struct value value_t;

/* Constructors: each returns a new value the caller owns (never NULL; aborts on OOM). */
value_t *value_new_nil(void);
value_t *value_new_bool(bool b);
value_t *value_new_int(int64_t i);
value_t *value_new_double(double d);
value_t *value_new_string(const char *s);            /* copies s (NULL gives nil) */
value_t *value_new_stringn(const char *s, size_t n); /* copies n bytes */
value_t *value_new_array(void);
value_t *value_new_map(void);

/* Deep copy; caller owns the result. */
value_t *value_dup(const value_t *v);

/* Frees v and its children, sets *self_p to NULL; safe on NULL and twice. */
void value_destroy(value_t **self_p);

/* Type of v (VALUE_NIL for a NULL pointer). */
value_type_t value_type(const value_t *v);

/* Scalars: the value, or dflt when v is NULL or of another type. An int reads as a double too. */
bool value_bool(const value_t *v, bool dflt);
int64_t value_int(const value_t *v, int64_t dflt);
double value_double(const value_t *v, double dflt);
const char *value_string(const value_t *v, const char *dflt); /* NUL-terminated */
size_t value_string_len(const value_t *v);                    /* bytes, for binary strings */

/* Arrays and maps: number of items (0 for other types). */
size_t value_size(const value_t *v);

/* Arrays: item i, or NULL when out of range or not an array. */
const value_t *value_at(const value_t *array, size_t i);

/* Appends item (takes ownership). */
void value_array_push(value_t *array, value_t *item);

/* Maps: key and value of entry i in insertion order, or NULL. */
const char *value_map_key_at(const value_t *map, size_t i);
const value_t *value_map_value_at(const value_t *map, size_t i);

/* Maps: the value under key, or NULL when absent or map is not a map. */
const value_t *value_map_get(const value_t *map, const char *key);

/* Maps: puts value under key (takes ownership of value; replaces an existing entry). */
void value_map_put(value_t *map, const char *key, value_t *value);

/* Shortcuts for value_map_put of a scalar. */
void value_map_put_string(value_t *map, const char *key, const char *s);
void value_map_put_int(value_t *map, const char *key, int64_t i);
void value_map_put_double(value_t *map, const char *key, double d);
void value_map_put_bool(value_t *map, const char *key, bool b);

/* Shortcuts for reading a map entry: value_map_get then value_string/int/... with dflt. */
const char *value_map_string(const value_t *map, const char *key, const char *dflt);
int64_t value_map_int(const value_t *map, const char *key, int64_t dflt);
double value_map_double(const value_t *map, const char *key, double dflt);
bool value_map_bool(const value_t *map, const char *key, bool dflt);

/*
 * True when a and b hold the same value: same types, equal scalars (doubles by value, NaN
 * equal to NaN), strings byte for byte, arrays item by item, maps with the same keys and
 * equal values in any order. A NULL pointer is nil.
 */
bool value_equal(const value_t *a, const value_t *b);

/*
 * Serializes v as compact JSON (one line, no trailing newline). Strings are escaped per
 * RFC 8259 (control characters as \u00XX; invalid UTF-8 bytes as \ufffd); doubles that are
 * NaN or infinite become null; doubles print with up to 17 significant digits.
 * Caller owns the result (free()).
 */
char *value_to_json(const value_t *v);

#endif
