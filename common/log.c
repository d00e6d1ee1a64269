/*
 * log.c - leveled logging to stderr in PostgreSQL's shape.
 */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char *s_program = "confiture";
static log_level_t s_level = LOG_LEVEL_INFO;

static const char *s_level_names[] = {"debug", "info", "warning", "error", "quiet"};

void
log_set_program(const char *name)
{
    const char *slash = strrchr(name, '/');

    s_program = slash ? slash + 1 : name;
}

void
log_set_level(log_level_t level)
{
    s_level = level;
}

log_level_t
log_get_level(void)
{
    return s_level;
}

static const char *const s_level_keys[] = {"debug", "info", "warn", "error", "quiet"};

const char *
log_level_name(log_level_t level)
{
    return level >= LOG_LEVEL_DEBUG && level <= LOG_LEVEL_QUIET ? s_level_keys[level] : "info";
}

int
log_level_parse(const char *text, log_level_t *level)
{
    for (int i = 0; i < 5; i++) {
        if (strcasecmp(text, s_level_keys[i]) == 0) {
            *level = (log_level_t) i;
            return 0;
        }
    }
    return -1;
}

void
log_message(log_level_t level, const char *file, int line, const char *fmt, ...)
{
    char text[4096];
    va_list ap;

    if (level < s_level)
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);

    if (s_level == LOG_LEVEL_DEBUG) {
        struct timespec ts;
        struct tm tm;
        char stamp[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
        fprintf(stderr, "%s.%03ld %s[%d] %s: %s (%s:%d)\n", stamp, ts.tv_nsec / 1000000, s_program,
                (int) getpid(), s_level_names[level], text, file, line);
    } else {
        fprintf(stderr, "%s: %s: %s\n", s_program, s_level_names[level], text);
    }
}

void
log_err(const err_t *e)
{
    if (s_level > LOG_LEVEL_ERROR || !err_isset(e))
        return;
    fprintf(stderr, "%s: error: %s\n", s_program, e->message);
    if (e->detail[0])
        fprintf(stderr, "%s: detail: %s\n", s_program, e->detail);
    if (e->hint[0])
        fprintf(stderr, "%s: hint: %s\n", s_program, e->hint);
}
