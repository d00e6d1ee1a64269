/*
 * err.h - an error a pure helper hands back to its caller.
 *
 * Pure helpers (config, proto, planner) log nothing: they fill an err_t, which the caller
 * logs once or turns into the CLI's JSON error envelope {"code","message","hint"}.
 */
#ifndef CONFITURE_ERR_H
#define CONFITURE_ERR_H

#include <stdbool.h>

#define ERR_TEXT_LEN 1024

typedef struct err {
    char code[32];              /* stable machine-readable code: "config", "connect", ... */
    char message[ERR_TEXT_LEN]; /* the primary line: what went wrong */
    char detail[ERR_TEXT_LEN];  /* optional: more facts (file and line, server message) */
    char hint[ERR_TEXT_LEN];    /* optional: what the user should do about it */
    int exit_code;              /* the exit code main() should use (exitcodes.h) */
} err_t;

/* Clears e (no error). */
void err_clear(err_t *e);

/* Sets code, exit code and message; clears detail and hint. Always returns -1. The arguments
 * may be e's own texts (err_set, err_detail and err_hint format aside, then copy). */
int err_set(err_t *e, const char *code, int exit_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Replaces the message, keeping code, exit code, detail and hint (e.g. to say where an
 * error from a lower layer happened: "table, row 3: " and the old message). */
void err_message(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets the detail line. */
void err_detail(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sets the hint line. */
void err_hint(err_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when e holds an error. */
bool err_isset(const err_t *e);

/*
 * A list of problems found together, so that a check (a preflight, a selection) reports them
 * all at once rather than one per run. Start from {NULL, 0}.
 */
typedef struct err_list {
    char *text; /* "  - problem" lines joined by newlines, for err_detail; NULL when empty */
    int count;  /* number of problems */
} err_list_t;

/* Appends one problem. */
void err_list_add(err_list_t *list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The only problem's text (without its bullet), when count is 1. */
const char *err_list_single(const err_list_t *list);

/* Frees the list's text and empties it. */
void err_list_free(err_list_t *list);

#endif
