/*
 * cli.h - the confiture command: shared options and output of its subcommands.
 */
#ifndef CONFITURE_CLI_H
#define CONFITURE_CLI_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/rules.h"
#include "common/value.h"
#include "worker/mask.h"

typedef enum output_format { FORMAT_TEXT, FORMAT_JSON } output_format_t;

typedef struct cli_options {
    const char *command;     /* "sync", "verify", "anonymize" */
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
    /* masking (sync --anonymize, verify --pii, anonymize check|preview) */
    bool anonymize;            /* --anonymize (or --anonymization-config given) */
    const char *rules_path;    /* --anonymization-config, default RULES_DEFAULT_PATH */
    const char *mask_key_file; /* --mask-key-file */
    bool mask_key_random;      /* --mask-key-random: a throwaway key */
    bool strict;               /* --strict: unruled PII-looking columns are errors */
    bool pii;                  /* verify --pii: the leak scan of the masked columns */
    const char *subcommand;    /* anonymize: "check" or "preview" */
    const char *table;         /* anonymize preview --table */
    int limit;                 /* anonymize preview --limit */
    /* crash safety */
    const char *checkpoint; /* --checkpoint FILE */
    bool resume;            /* --resume: carry on the job the checkpoint names */
    int retry_s;            /* --retry-time: seconds to retry a dropped connection */
    int snapshot_keep_s;    /* --snapshot-keep: the private coordinator's snapshot keep time */
} cli_options_t;

/* Set by SIGINT/SIGTERM: 1 after the first, 2 after the second. */
extern volatile sig_atomic_t cli_interrupted;

/*
 * Connects to arg (an environment name or a connection string) for this command (its
 * application_name is "confiture COMMAND"), with client_encoding set when encoding is not
 * NULL, and with snapshot inside a REPEATABLE READ READ ONLY transaction (one consistent view
 * for everything the command reads). Returns the connection, or NULL with err set.
 */
PGconn *cli_connect(const cli_options_t *o, const char *arg, const char *what, const char *encoding,
                    bool snapshot, err_t *err);

/* Runs `confiture sync`. Returns an exit code. */
int cli_sync(const cli_options_t *options);

/* Runs `confiture verify`. Returns an exit code. */
int cli_verify(const cli_options_t *options);

/* Runs `confiture status --checkpoint FILE`. Returns an exit code. */
int cli_status(const cli_options_t *options);

/* Runs `confiture anonymize check|preview`. Returns an exit code. */
int cli_anonymize(const cli_options_t *options);

/*
 * The masking key of this command: a random one with --mask-key-random (also put in this
 * process's environment as CONFITURE_MASK_KEY, for the private workers it starts), else
 * --mask-key-file, else CONFITURE_MASK_KEY. Sets key and its fingerprint and returns 0, or
 * returns -1 with err set (no key at all: code "mask_key", exit code 3, with a hint).
 */
int cli_mask_key(const cli_options_t *o, mask_key_t *key,
                 char fingerprint[MASK_FINGERPRINT_LEN + 1], err_t *err);

/* Reads and parses the rules file o->rules_path: fills rules and *text (the file's bytes, a
 * string the caller frees) and returns 0, or returns -1 with err set. */
int cli_read_rules(const cli_options_t *o, rules_t *rules, char **text, err_t *err);

/* Prints masking warnings ({table, column, reason} maps) on stderr in text mode. */
void cli_print_mask_warnings(const cli_options_t *o, const value_t *warnings);

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
