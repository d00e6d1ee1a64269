/*
 * buf.c - a growable byte buffer: the out-of-line parts.
 */
#include "common/buf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The first allocation; later ones double. */
#define BUF_MIN_CAP 64

void
buf_init(buf_t *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void
buf_free(buf_t *b)
{
    free(b->data);
    buf_init(b);
}

void
buf_grow(buf_t *b, size_t extra)
{
    size_t want, cap;
    char *data;

    if (extra > SIZE_MAX - b->len)
        abort();
    want = b->len + extra;
    if (want <= b->cap)
        return;
    cap = b->cap < BUF_MIN_CAP ? BUF_MIN_CAP : b->cap;
    while (cap < want)
        cap = cap > SIZE_MAX / 2 ? want : cap * 2;
    data = realloc(b->data, cap);
    if (data == NULL)
        abort();
    b->data = data;
    b->cap = cap;
}

void
buf_appendf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    buf_reserve(b, (size_t) n + 1);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t) n;
}

char *
buf_detach_string(buf_t *b)
{
    char *text;

    buf_append_byte(b, '\0');
    text = b->data;
    buf_init(b);
    return text;
}
