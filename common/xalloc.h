/*
 * xalloc.h - allocation that cannot fail: out of memory aborts.
 *
 * A copy of a database cannot go on sensibly without the memory for its plan or its rows, so
 * the code does not thread an error through every allocation: these abort instead. A count of
 * zero still returns a valid pointer (one element's worth), so callers never meet NULL.
 */
#ifndef CONFITURE_XALLOC_H
#define CONFITURE_XALLOC_H

#include <stdlib.h>
#include <string.h>

/* calloc(n ? n : 1, size), never NULL. */
static inline void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);

    if (p == NULL)
        abort();
    return p;
}

/* strdup(s), never NULL. */
static inline char *
xstrdup(const char *s)
{
    char *copy = strdup(s);

    if (copy == NULL)
        abort();
    return copy;
}

#endif
