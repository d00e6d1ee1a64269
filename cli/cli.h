/*
 * cli.h - the confiture command: shared options and output of its subcommands.
 */
#ifndef CONFITURE_CLI_H
#define CONFITURE_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/value.h"

typedef enum output_format { FORMAT_TEXT, FORMAT_JSON } output_format_t;

typedef struct cli_options {
    const char *command;     /* "sync", "verify" */
    const char *from;        /* --from: environment name or connection string */
    const char *to;          /* --to */
    const char *config_dir;  /* --config-dir */
    const char *coordinator; /* --coordinator ENDPOINT, or NULL: private one */
    value_t *tables;         /* --tables, array of pattern lists */
    value_t *exclude;        /* --exclude, array of pattern lists */
    int workers;             /* --workers */
    int64_t chunk_size;      /* --chunk-size in bytes */
    bool dry_run;            /* --dry-run */
    const char *copy_format; /* --copy-format: "auto" (binary where types match) or "text" */
    output_format_t format;  /* --format */
    const char *log_level;   /* --log-level, passed to the private processes */
    const char *bin_dir;     /* where confiture-coordinator and -worker are */
} cli_options_t;

/* Set by SIGINT/SIGTERM: 1 after the first, 2 after the second. */
extern volatile sig_atomic_t cli_interrupted;

/* Runs `confiture sync`. Returns an exit code. */
int cli_sync(const cli_options_t *options);

/* Runs `confiture verify`. Returns an exit code. */
int cli_verify(const cli_options_t *options);

/*
 * Reports a failure the way the format wants: text on stderr (message, detail, hint), or the
 * JSON envelope {"ok":false,"command":...,"error":{code,message,detail,hint}} on stdout.
 * Returns err's exit code (EXIT_CODE_INTERNAL when unset).
 */
int cli_fail(const cli_options_t *options, const err_t *err);

/* Prints a JSON document as one line on stdout and flushes. */
void cli_print_json(const value_t *doc);

/* Formats a byte count for people: "512 B", "3.4 MB", "1.2 GB". */
const char *cli_bytes(int64_t bytes, char *buf, int len);

#endif
