/*
 * progress.h - the sync's live display, fed by the coordinator's events.
 *
 * On a terminal it redraws a block of lines (overall, then the busiest tables); in a pipe
 * it prints a plain line per finished table and an overall line every ten seconds; in JSON
 * mode it prints every event as one JSON line. It never draws to anything but stderr
 * (text) or stdout (JSON), so a pipe of stdout stays clean in text mode.
 */
#ifndef CONFITURE_PROGRESS_H
#define CONFITURE_PROGRESS_H

#include <stdbool.h>

#include "cli/cli.h"
#include "common/value.h"

typedef struct progress progress_t;

/* Creates the display. tty: draw live on stderr. */
progress_t *progress_new(output_format_t format, bool tty);

/* Frees it; *self_p = NULL. */
void progress_destroy(progress_t **self_p);

/* Feeds one EVENT body. */
void progress_event(progress_t *self, const value_t *event);

/* Redraws when due (call often). */
void progress_tick(progress_t *self);

/* Clears the live block before the final report. */
void progress_end(progress_t *self);

/* Indexes, constraints and foreign keys restored so far. */
int progress_restored(const progress_t *self);

#endif
