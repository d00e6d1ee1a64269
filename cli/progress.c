/*
 * progress.c - the sync's live display, fed by the coordinator's events.
 */
#include "cli/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_INFLIGHT 1024
#define TABLE_LINES  8

typedef struct ptable {
    char *name;      /* schema.table */
    int64_t bytes;   /* planned (heap + TOAST) */
    int chunks;      /* planned chunks */
    int chunks_done; /* finished chunks */
    int64_t rows;    /* rows of finished chunks */
    int64_t copied;  /* stream bytes of finished chunks */
    bool finished;   /* its finish task (indexes, ANALYZE) is done */
} ptable_t;

typedef struct inflight {
    int task;      /* task id, -1 for a free slot */
    int table;     /* index into tables */
    int64_t rows;  /* rows so far */
    int64_t bytes; /* bytes so far */
} inflight_t;

struct progress {
    output_format_t format;            /* text or json */
    bool tty;                          /* live display */
    ptable_t *tables;                  /* from the plan */
    int ntables;                       /* number of tables */
    int64_t total_bytes;               /* planned bytes */
    int workers;                       /* workers known to the coordinator */
    int busy;                          /* of which busy */
    int restored;                      /* indexes, constraints, FKs restored */
    const char *phase;                 /* "plan", "copy", "finish" */
    inflight_t inflight[MAX_INFLIGHT]; /* chunks in flight */
    double started;                    /* seconds, monotonic */
    double last_draw;                  /* when the block was last drawn */
    double last_line;                  /* when the last plain overall line was printed */
    int drawn;                         /* lines of the live block on screen */
};

static double
s_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ts.tv_nsec / 1e9;
}

progress_t *
progress_new(output_format_t format, bool tty)
{
    progress_t *self = calloc(1, sizeof(progress_t));

    if (self == NULL)
        abort();
    self->format = format;
    self->tty = tty && format == FORMAT_TEXT;
    self->phase = "plan";
    self->started = self->last_line = s_now();
    for (int i = 0; i < MAX_INFLIGHT; i++)
        self->inflight[i].task = -1;
    return self;
}

void
progress_destroy(progress_t **self_p)
{
    progress_t *self = *self_p;

    if (self == NULL)
        return;
    for (int i = 0; i < self->ntables; i++)
        free(self->tables[i].name);
    free(self->tables);
    free(self);
    *self_p = NULL;
}

static int
s_table(const progress_t *self, const char *name)
{
    for (int i = 0; i < self->ntables; i++)
        if (strcmp(self->tables[i].name, name) == 0)
            return i;
    return -1;
}

static inflight_t *
s_inflight(progress_t *self, int task, bool create)
{
    inflight_t *free_slot = NULL;

    for (int i = 0; i < MAX_INFLIGHT; i++) {
        if (self->inflight[i].task == task)
            return &self->inflight[i];
        if (free_slot == NULL && self->inflight[i].task == -1)
            free_slot = &self->inflight[i];
    }
    if (!create || free_slot == NULL)
        return NULL;
    free_slot->task = task;
    return free_slot;
}

static void
s_plan(progress_t *self, const value_t *event)
{
    const value_t *tables = value_map_get(event, "tables");

    self->ntables = (int) value_size(tables);
    self->tables = calloc((size_t) self->ntables + 1, sizeof(ptable_t));
    for (int i = 0; i < self->ntables; i++) {
        const value_t *t = value_at(tables, (size_t) i);

        self->tables[i].name = strdup(value_map_string(t, "table", "?"));
        self->tables[i].bytes = value_map_int(t, "bytes", 0);
        self->tables[i].chunks = (int) value_map_int(t, "chunks", 1);
    }
    self->total_bytes = value_map_int(event, "bytes", 0);
}

/* Fraction of the planned bytes done, counting chunks weighted by their table's size. */
static double
s_fraction(const progress_t *self)
{
    double done = 0;

    if (self->total_bytes <= 0)
        return 0;
    for (int i = 0; i < self->ntables; i++) {
        const ptable_t *t = &self->tables[i];

        done += (double) t->bytes * t->chunks_done / (t->chunks ? t->chunks : 1);
    }
    return done / (double) self->total_bytes;
}

static void
s_totals(const progress_t *self, int64_t *rows, int64_t *bytes, int *chunks, int *done)
{
    *rows = *bytes = 0;
    *chunks = *done = 0;
    for (int i = 0; i < self->ntables; i++) {
        *rows += self->tables[i].rows;
        *bytes += self->tables[i].copied;
        *chunks += self->tables[i].chunks;
        *done += self->tables[i].chunks_done;
    }
    for (int i = 0; i < MAX_INFLIGHT; i++) {
        if (self->inflight[i].task >= 0) {
            *rows += self->inflight[i].rows;
            *bytes += self->inflight[i].bytes;
        }
    }
}

static void
s_overall(const progress_t *self, char *line, size_t len)
{
    int64_t rows, bytes;
    int chunks, done;
    double elapsed = s_now() - self->started, f = s_fraction(self);
    char b[32], rate[32], eta[32] = "--";

    s_totals(self, &rows, &bytes, &chunks, &done);
    if (f > 0.01 && f < 1)
        snprintf(eta, sizeof(eta), "%.0fs", elapsed * (1 - f) / f);
    cli_bytes(elapsed > 0 ? (int64_t) ((double) bytes / elapsed) : 0, rate, sizeof(rate));
    snprintf(line, len, "%-7s %5.1f%%  chunks %d/%d  rows %lld  %s  %s/s  ETA %s  workers %d/%d",
             self->phase, f * 100, done, chunks, (long long) rows, cli_bytes(bytes, b, sizeof(b)),
             rate, eta, self->busy, self->workers);
}

static void
s_draw(progress_t *self)
{
    char line[256];
    int shown = 0;

    for (int i = 0; i < self->drawn; i++)
        fputs("\033[F\033[K", stderr);
    s_overall(self, line, sizeof(line));
    fprintf(stderr, "%s\n", line);
    self->drawn = 1;
    /* Tables in progress first, then the next ones to start. */
    for (int pass = 0; pass < 2 && shown < TABLE_LINES; pass++) {
        for (int i = 0; i < self->ntables && shown < TABLE_LINES; i++) {
            ptable_t *t = &self->tables[i];
            int64_t rows = t->rows;
            bool active = false;

            for (int k = 0; k < MAX_INFLIGHT; k++)
                if (self->inflight[k].task >= 0 && self->inflight[k].table == i) {
                    rows += self->inflight[k].rows;
                    active = true;
                }
            if ((pass == 0) != active || (pass == 1 && t->chunks_done == t->chunks))
                continue;
            fprintf(stderr, "  %-40.40s %4d/%-4d chunks  %12lld rows\n", t->name, t->chunks_done,
                    t->chunks, (long long) rows);
            shown++;
            self->drawn++;
        }
    }
    fflush(stderr);
    self->last_draw = s_now();
}

void
progress_event(progress_t *self, const value_t *event)
{
    const char *kind = value_map_string(event, "event", "");
    int t;

    if (self->format == FORMAT_JSON && strcmp(kind, "progress") != 0 &&
        strcmp(kind, "workers") != 0)
        cli_print_json(event);
    if (strcmp(kind, "plan") == 0) {
        s_plan(self, event);
    } else if (strcmp(kind, "phase") == 0) {
        self->phase =
            strcmp(value_map_string(event, "phase", ""), "finish") == 0 ? "finish" : "copy";
        if (!self->tty && self->format == FORMAT_TEXT)
            fprintf(stderr, "confiture: %s\n",
                    strcmp(self->phase, "copy") == 0 ? "copying" : "finishing the target");
    } else if (strcmp(kind, "workers") == 0) {
        self->workers = (int) value_map_int(event, "workers", 0);
        self->busy = (int) value_map_int(event, "busy", 0);
    } else if (strcmp(kind, "progress") == 0) {
        t = s_table(self, value_map_string(event, "table", ""));
        inflight_t *f = s_inflight(self, (int) value_map_int(event, "task", -1), true);

        if (f != NULL && t >= 0) {
            f->table = t;
            f->rows = value_map_int(event, "rows", 0);
            f->bytes = value_map_int(event, "bytes", 0);
        }
    } else if (strcmp(kind, "task_done") == 0) {
        const char *what = value_map_string(event, "kind", "");
        inflight_t *f = s_inflight(self, (int) value_map_int(event, "task", -1), false);

        if (f != NULL)
            f->task = -1;
        t = s_table(self, value_map_string(event, "table", ""));
        if (strcmp(what, "copy") == 0 && t >= 0) {
            ptable_t *pt = &self->tables[t];

            pt->chunks_done++;
            pt->rows += value_map_int(event, "rows", 0);
            pt->copied += value_map_int(event, "bytes", 0);
            if (!self->tty && self->format == FORMAT_TEXT && pt->chunks_done == pt->chunks) {
                char b[32];

                fprintf(stderr, "confiture: copied %s: %lld rows, %s in %d chunk%s\n", pt->name,
                        (long long) pt->rows, cli_bytes(pt->copied, b, sizeof(b)), pt->chunks,
                        pt->chunks == 1 ? "" : "s");
            }
        } else if (strcmp(what, "finish") == 0 && t >= 0) {
            self->tables[t].finished = true;
        } else if (strcmp(what, "index") == 0 || strcmp(what, "constraint") == 0 ||
                   strcmp(what, "fk") == 0) {
            self->restored++;
        }
    }
}

void
progress_tick(progress_t *self)
{
    double now = s_now();

    if (self->format != FORMAT_TEXT || self->ntables == 0)
        return;
    if (self->tty) {
        if (now - self->last_draw >= 0.2)
            s_draw(self);
    } else if (now - self->last_line >= 10) {
        char line[256];

        s_overall(self, line, sizeof(line));
        fprintf(stderr, "confiture: %s\n", line);
        self->last_line = now;
    }
}

void
progress_end(progress_t *self)
{
    if (self->tty && self->drawn > 0) {
        for (int i = 0; i < self->drawn; i++)
            fputs("\033[F\033[K", stderr);
        fflush(stderr);
        self->drawn = 0;
    }
}

int
progress_restored(const progress_t *self)
{
    return self->restored;
}
