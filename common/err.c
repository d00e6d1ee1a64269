/*
 * err.c - an error a pure helper hands back to its caller.
 */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
err_clear(err_t *e)
{
    memset(e, 0, sizeof(*e));
}

int
err_set(err_t *e, const char *code, int exit_code, const char *fmt, ...)
{
    va_list ap;

    char message[ERR_TEXT_LEN];

    if (e == NULL)
        return -1;
    /* formatted aside first: an argument may be e's own text */
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    err_clear(e);
    snprintf(e->code, sizeof(e->code), "%s", code);
    e->exit_code = exit_code;
    memcpy(e->message, message, sizeof(message));
    return -1;
}

void
err_message(err_t *e, const char *fmt, ...)
{
    va_list ap;
    char message[ERR_TEXT_LEN];

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap); /* aside: an argument may be e->message */
    va_end(ap);
    memcpy(e->message, message, sizeof(message));
}

void
err_detail(err_t *e, const char *fmt, ...)
{
    va_list ap;

    char detail[ERR_TEXT_LEN];

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap); /* aside: an argument may be e->detail */
    va_end(ap);
    memcpy(e->detail, detail, sizeof(detail));
}

void
err_hint(err_t *e, const char *fmt, ...)
{
    va_list ap;

    char hint[ERR_TEXT_LEN];

    if (e == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(hint, sizeof(hint), fmt, ap); /* aside: an argument may be e->hint */
    va_end(ap);
    memcpy(e->hint, hint, sizeof(hint));
}

bool
err_isset(const err_t *e)
{
    return e != NULL && e->message[0] != '\0';
}

void
err_list_add(err_list_t *list, const char *fmt, ...)
{
    char *line = NULL, *joined = NULL;
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(&line, fmt, ap) < 0)
        abort();
    va_end(ap);
    if (asprintf(&joined, "%s%s  - %s", list->text ? list->text : "", list->text ? "\n" : "",
                 line) < 0)
        abort();
    free(line);
    free(list->text);
    list->text = joined;
    list->count++;
}

const char *
err_list_single(const err_list_t *list)
{
    return list->text ? list->text + 4 : "";
}

void
err_list_free(err_list_t *list)
{
    free(list->text);
    list->text = NULL;
    list->count = 0;
}
