/*
 * buf.h - a growable byte buffer.
 *
 * The one scratch and output buffer of the hot paths (COPY rows, masked values): appends are
 * inline, the memory only ever grows, and buf_reset keeps it, so a loop that reuses one buffer
 * allocates nothing once warmed up. The bytes are not NUL-terminated. Allocation failure
 * aborts: there is no sensible recovery in the middle of a row.
 *
 * Start from buf_init (or a zeroed struct); the buffer owns data; buf_free releases it. The
 * fields are public so that a writer may reserve room and then fill data + len directly.
 */
#ifndef CONFITURE_BUF_H
#define CONFITURE_BUF_H

#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *data; /* the bytes (NULL until the first growth); owned by the buffer */
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
} buf_t;

/* Makes b an empty buffer with no memory. */
void buf_init(buf_t *b);

/* Frees b's memory and makes it empty again; safe to call twice. */
void buf_free(buf_t *b);

/* Grows b so that at least extra more bytes fit after len (the slow path of buf_reserve). */
void buf_grow(buf_t *b, size_t extra);

/* Empties b but keeps its memory for reuse. */
static inline void
buf_reset(buf_t *b)
{
    b->len = 0;
}

/* Makes sure at least extra more bytes fit after len without reallocating. */
static inline void
buf_reserve(buf_t *b, size_t extra)
{
    if (b->cap - b->len < extra)
        buf_grow(b, extra);
}

/* Appends n bytes from p (p may be NULL when n is 0). */
static inline void
buf_append(buf_t *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    buf_reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

/* Appends one byte. */
static inline void
buf_append_byte(buf_t *b, char c)
{
    buf_reserve(b, 1);
    b->data[b->len++] = c;
}

/* Appends a NUL-terminated string, without its NUL. */
static inline void
buf_append_str(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

/* Appends printf-style formatted text (without a NUL). */
void buf_appendf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Returns the bytes as a NUL-terminated string the caller owns (never NULL, "" when empty)
 * and leaves b empty, with no memory. */
char *buf_detach_string(buf_t *b);

#endif
