/*
 * log.h - leveled logging to stderr in PostgreSQL's shape.
 *
 * A primary line, then optional "detail:" and "hint:" lines. Each line carries the program
 * name, and at debug level the source file and line. Never log a secret: DSNs go through
 * pgutil_redact_dsn() first.
 */
#ifndef CONFITURE_LOG_H
#define CONFITURE_LOG_H

#include <stdbool.h>

#include "common/err.h"

typedef enum log_level {
    LOG_LEVEL_DEBUG = 0,
    LOG_LEVEL_INFO = 1,
    LOG_LEVEL_WARN = 2,
    LOG_LEVEL_ERROR = 3,
    LOG_LEVEL_QUIET = 4
} log_level_t;

/* Sets the program name shown on every line (not copied: pass a string literal or argv[0]). */
void log_set_program(const char *name);

/* Sets the lowest level printed (default: info). */
void log_set_level(log_level_t level);

/* Returns the current level. */
log_level_t log_get_level(void);

/* The name of a level, as log_level_parse reads it. */
const char *log_level_name(log_level_t level);

/* Parses "debug", "info", "warn", "error", "quiet"; returns -1 on anything else. */
int log_level_parse(const char *text, log_level_t *level);

/* Prints one message; use the macros below. */
void log_message(log_level_t level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints an err_t: its message at error level, then its detail and hint lines. */
void log_err(const err_t *e);

#define log_debug(...) log_message(LOG_LEVEL_DEBUG, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...)  log_message(LOG_LEVEL_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...)  log_message(LOG_LEVEL_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_error(...) log_message(LOG_LEVEL_ERROR, __FILE__, __LINE__, __VA_ARGS__)

#endif
