/*
 * config.h - environments: where a database is, from db/environments/NAME.yaml or a DSN.
 *
 * An environment file is YAML, compatible with the Python Confiture:
 *
 *     name: production                      # optional, informative
 *     database_url: postgresql://app@prod-db:5432/app?sslmode=require
 *
 * or, instead of database_url, a mapping (each key optional):
 *
 *     database:
 *       host: prod-db
 *       port: 5432
 *       name: app            # also accepted: database, dbname
 *       user: app
 *       password: ${APP_DB_PASSWORD}
 *       sslmode: require
 *
 * Other top-level keys (include_dirs, exclude_dirs, ...) are accepted and ignored.
 * In every scalar value, ${VAR} and ${VAR:-default} are expanded from the process
 * environment; an unset ${VAR} with no default is an error that names VAR, file and line.
 * "$$" stands for a literal "$".
 *
 * Pure helpers: nothing here logs; errors go to the caller's err_t with code "config" and
 * exit code EXIT_CODE_CONFIG, the message naming the file and the line where it helps.
 */
#ifndef CONFITURE_CONFIG_H
#define CONFITURE_CONFIG_H

#include <stdbool.h>

#include "common/err.h"

#define CONFIG_DEFAULT_DIR "db/environments"

/* True when arg is a libpq connection string rather than an environment name: it starts
 * with "postgresql://" or "postgres://", or contains '='. */
bool config_is_conninfo(const char *arg);

/*
 * Resolves --from/--to: a conninfo is returned unchanged (a malloc'd copy); a name is loaded
 * from config_dir/NAME.yaml (or NAME.yml) and its database_url (or database: mapping, turned
 * into a key=value conninfo with values quoted as libpq wants) is returned. The result is
 * checked with PQconninfoParse; a bad one is an error quoting libpq's message (without any
 * password). Returns 0 and sets *conninfo (caller frees), or -1 with err set. When the file
 * is missing, the hint lists the environments that exist in config_dir.
 */
int config_resolve(const char *arg, const char *config_dir, char **conninfo, err_t *err);

/*
 * Expands ${VAR} and ${VAR:-default} in text. Returns a malloc'd string, or NULL with err
 * set (an unset variable without default, an unterminated "${").
 */
char *config_expand(const char *text, err_t *err);

/* Returns a malloc'd copy of conninfo safe to print: any password replaced by "********",
 * in the same form (URI or key=value). Never fails: an unparsable input gives "(invalid
 * connection string)". */
char *config_redact(const char *conninfo);

/* True when conninfo carries a password (password=..., or user:password@ in a URI). */
bool config_has_password(const char *conninfo);

#endif
