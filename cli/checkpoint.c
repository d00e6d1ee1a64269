/*
 * checkpoint.c - the --checkpoint file: a readable mirror of a job's ledger.
 */
#include "cli/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/config.h"
#include "common/exitcodes.h"

/* Largest checkpoint file read back, in bytes. */
#define S_READ_MAX (64 * 1024 * 1024)

struct checkpoint {
    char *path;        /* the file */
    value_t *doc;      /* what is written */
    value_t *tables;   /* doc's per_table array (borrowed) */
    int64_t chunks;    /* copy tasks planned */
    int64_t chunks_ok; /* copy tasks committed */
    int64_t tasks;     /* tasks planned */
    int64_t tasks_ok;  /* tasks committed */
};

/* An environment name as given; a connection string without its password. */
static value_t *
s_where(const char *arg)
{
    char *redacted;
    value_t *v;

    if (!config_is_conninfo(arg))
        return value_new_string(arg);
    redacted = config_redact(arg);
    v = value_new_string(redacted);
    free(redacted);
    return v;
}

checkpoint_t *
checkpoint_new(const char *path, const cli_options_t *o, const value_t *spec)
{
    checkpoint_t *self = calloc(1, sizeof(*self));
    const value_t *masking = value_map_get(spec, "masking");

    if (self == NULL)
        abort();
    self->path = strdup(path);
    self->doc = value_new_map();
    value_map_put_int(self->doc, "confiture_checkpoint", 1);
    value_map_put_string(self->doc, "job", "");
    value_map_put_string(self->doc, "state", "starting");
    value_map_put(self->doc, "source", s_where(o->from));
    value_map_put(self->doc, "target", s_where(o->to));
    value_map_put(self->doc, "tables", value_dup(value_map_get(spec, "tables")));
    value_map_put(self->doc, "exclude", value_dup(value_map_get(spec, "exclude")));
    value_map_put_int(self->doc, "chunk_size", value_map_int(spec, "chunk_size", 0));
    value_map_put_string(self->doc, "copy_format", value_map_string(spec, "copy_format", "auto"));
    if (masking != NULL) {
        value_t *m = value_new_map();

        value_map_put_string(m, "rules", value_map_string(masking, "rules_path", ""));
        value_map_put_string(m, "rules_hash", value_map_string(masking, "rules_hash", ""));
        value_map_put_string(m, "key_fingerprint",
                             value_map_string(masking, "key_fingerprint", ""));
        value_map_put(self->doc, "masking", m);
    } else {
        value_map_put(self->doc, "masking", value_new_nil());
    }
    value_map_put(self->doc, "chunks", value_new_map());
    value_map_put(self->doc, "tasks", value_new_map());
    value_map_put(self->doc, "per_table", value_new_array());
    self->tables = (value_t *) value_map_get(self->doc, "per_table");
    return self;
}

void
checkpoint_destroy(checkpoint_t **self_p)
{
    checkpoint_t *self = *self_p;

    if (self == NULL)
        return;
    value_destroy(&self->doc);
    free(self->path);
    free(self);
    *self_p = NULL;
}

void
checkpoint_plan(checkpoint_t *self, const value_t *plan)
{
    const value_t *tables = value_map_get(plan, "tables");

    value_map_put_string(self->doc, "job", value_map_string(plan, "job", ""));
    value_map_put_string(self->doc, "state", "loading");
    self->chunks = value_map_int(plan, "chunks", 0);
    self->tasks = value_map_int(plan, "tasks", 0);
    self->chunks_ok = value_map_int(plan, "chunks_done", 0);
    self->tasks_ok = value_map_int(plan, "tasks_done", 0); /* a resume: done before */
    value_map_put(self->doc, "per_table", value_new_array());
    self->tables = (value_t *) value_map_get(self->doc, "per_table");
    for (size_t i = 0; i < value_size(tables); i++) {
        const value_t *t = value_at(tables, i);
        value_t *row = value_new_map();

        value_map_put_string(row, "table", value_map_string(t, "table", ""));
        value_map_put_int(row, "chunks", value_map_int(t, "chunks", 0));
        value_map_put_int(row, "done", value_map_int(t, "chunks_done", 0));
        value_array_push(self->tables, row);
    }
}

void
checkpoint_task_done(checkpoint_t *self, const value_t *event)
{
    self->tasks_ok++;
    if (strcmp(value_map_string(event, "kind", ""), "copy") != 0)
        return;
    for (size_t i = 0; i < value_size(self->tables); i++) {
        value_t *row = (value_t *) value_at(self->tables, i);

        if (strcmp(value_map_string(row, "table", ""), value_map_string(event, "table", "")) == 0)
            value_map_put_int(row, "done", value_map_int(event, "chunks_done", 0));
    }
    self->chunks_ok = 0;
    for (size_t i = 0; i < value_size(self->tables); i++)
        self->chunks_ok += value_map_int(value_at(self->tables, i), "done", 0);
}

void
checkpoint_state(checkpoint_t *self, const char *state)
{
    value_map_put_string(self->doc, "state", state);
}

int
checkpoint_write(checkpoint_t *self, err_t *err)
{
    value_t *chunks = value_new_map(), *tasks = value_new_map();
    char tmp[4096], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    char *json;
    size_t len;
    int fd;

    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    value_map_put_int(chunks, "total", self->chunks);
    value_map_put_int(chunks, "done", self->chunks_ok);
    value_map_put(self->doc, "chunks", chunks);
    value_map_put_int(tasks, "total", self->tasks);
    value_map_put_int(tasks, "done", self->tasks_ok);
    value_map_put(self->doc, "tasks", tasks);
    value_map_put_string(self->doc, "updated_at", stamp);
    json = value_to_json(self->doc);
    len = strlen(json);
    snprintf(tmp, sizeof(tmp), "%s.tmp", self->path);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        free(json);
        return err_set(err, "checkpoint", EXIT_CODE_CONFIG, "cannot write the checkpoint %s: %s",
                       tmp, strerror(errno));
    }
    if (write(fd, json, len) != (ssize_t) len || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        err_set(err, "checkpoint", EXIT_CODE_FAILED, "cannot write the checkpoint %s: %s", tmp,
                strerror(errno));
        close(fd);
        free(json);
        return -1;
    }
    close(fd);
    free(json);
    if (rename(tmp, self->path) != 0)
        return err_set(err, "checkpoint", EXIT_CODE_FAILED,
                       "cannot rename the checkpoint %s over %s: %s", tmp, self->path,
                       strerror(errno));
    return 0;
}

/* The string value of top-level key in our own JSON: a malloc'd string, or NULL. */
static char *
s_string(const char *json, const char *key)
{
    char pattern[64];
    const char *p;
    buf_t out;

    /* "key", optional blanks, a colon, optional blanks, then the string (an editor or jq may
     * have reformatted the file) */
    snprintf(pattern, sizeof(pattern), "\"%s\"", key);
    for (p = strstr(json, pattern); p != NULL; p = strstr(p + 1, pattern)) {
        const char *q = p + strlen(pattern);

        q += strspn(q, " \t\r\n");
        if (*q != ':')
            continue;
        q++;
        q += strspn(q, " \t\r\n");
        if (*q == '"') {
            p = q + 1;
            break;
        }
    }
    if (p == NULL)
        return NULL;
    buf_init(&out);
    for (; *p != '\0' && *p != '"'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            switch (*p) {
            case 'n':
                buf_append_byte(&out, '\n');
                break;
            case 't':
                buf_append_byte(&out, '\t');
                break;
            case 'r':
                buf_append_byte(&out, '\r');
                break;
            case 'u':
                /* value_to_json writes \u00XX for control bytes only */
                if (strlen(p) >= 5) {
                    buf_append_byte(&out, (char) strtol((char[3]){p[3], p[4], 0}, NULL, 16));
                    p += 4;
                }
                break;
            default:
                buf_append_byte(&out, *p);
            }
        } else {
            buf_append_byte(&out, *p);
        }
    }
    if (*p != '"') {
        buf_free(&out);
        return NULL;
    }
    return buf_detach_string(&out);
}

int
checkpoint_read(const char *path, char *job, size_t len, char **target, err_t *err)
{
    FILE *f = fopen(path, "rb");
    buf_t data;
    char chunk[65536], *text, *id;
    size_t n;

    if (target != NULL)
        *target = NULL;
    if (f == NULL) {
        err_set(err, "checkpoint", EXIT_CODE_USAGE, "cannot read the checkpoint %s: %s", path,
                strerror(errno));
        err_hint(err, "--resume carries on the job a --checkpoint file names: give the file of "
                      "the first run");
        return -1;
    }
    buf_init(&data);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && data.len < S_READ_MAX)
        buf_append(&data, chunk, n);
    fclose(f);
    text = buf_detach_string(&data);
    id = strstr(text, "\"confiture_checkpoint\"") ? s_string(text, "job") : NULL;
    if (id == NULL || id[0] == '\0' || strlen(id) >= len ||
        strspn(id, "0123456789abcdef-") != strlen(id)) {
        free(id);
        free(text);
        err_set(err, "checkpoint", EXIT_CODE_USAGE, "%s is not a confiture checkpoint file", path);
        err_hint(err, "it is written by confiture sync --checkpoint FILE; a job that never "
                      "started has nothing to resume");
        return -1;
    }
    snprintf(job, len, "%s", id);
    free(id);
    if (target != NULL)
        *target = s_string(text, "target");
    free(text);
    return 0;
}
