/*
 * test_config.c - environments: YAML files, ${VAR} expansion, conninfo checks, redaction.
 *
 * Each test gets a fresh directory from mkdtemp (a checked fixture) and writes real YAML
 * files into it; the teardown removes them.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "common/config.h"
#include "common/exitcodes.h"
#include "testdir.h"

static void
s_setup(void)
{
    testdir_create("config");
}

/* Resolves name in testdir_path(), expecting success; returns the conninfo (caller frees). */
static char *
s_resolve_ok(const char *name)
{
    err_t err;
    char *conninfo = NULL;
    int rc;

    err_clear(&err);
    rc = config_resolve(name, testdir_path(), &conninfo, &err);
    ck_assert_msg(rc == 0, "config_resolve(%s) failed: %s (%s) (%s)", name, err.message, err.detail,
                  err.hint);
    ck_assert_ptr_nonnull(conninfo);
    return conninfo;
}

/* Resolves name in testdir_path(), expecting a config error. */
static void
s_resolve_fail(const char *name, err_t *err)
{
    char *conninfo = (char *) "untouched";

    err_clear(err);
    ck_assert_int_eq(config_resolve(name, testdir_path(), &conninfo, err), -1);
    ck_assert_ptr_null(conninfo);
    ck_assert_str_eq(err->code, "config");
    ck_assert_int_eq(err->exit_code, EXIT_CODE_CONFIG);
    ck_assert(err_isset(err));
}

/* Writes testdir_path()/prod.yaml, resolves "prod" expecting an error whose message is
 * "<testdir_path()>/prod.yaml<suffix>". */
static void
s_expect_file_error(const char *yaml, const char *suffix, err_t *err)
{
    char want[PATH_MAX + 512];

    testdir_write("prod.yaml", yaml);
    s_resolve_fail("prod", err);
    snprintf(want, sizeof(want), "%s/prod.yaml%s", testdir_path(), suffix);
    ck_assert_str_eq(err->message, want);
}

/* The value libpq reads for keyword in conninfo (caller frees), or NULL. */
static char *
s_parsed(const char *conninfo, const char *keyword)
{
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    char *val = NULL;

    ck_assert_msg(opts != NULL, "libpq rejects %s: %s", conninfo, errmsg ? errmsg : "?");
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
        if (strcmp(o->keyword, keyword) == 0 && o->val != NULL)
            val = strdup(o->val);
    }
    PQconninfoFree(opts);
    return val;
}

static void
s_assert_redact(const char *in, const char *want)
{
    char *got = config_redact(in);

    ck_assert_ptr_nonnull(got);
    ck_assert_str_eq(got, want);
    free(got);
}

static void
s_assert_expand(const char *in, const char *want)
{
    err_t err;
    char *got;

    err_clear(&err);
    got = config_expand(in, &err);
    ck_assert_msg(got != NULL, "config_expand(%s): %s", in, err.message);
    ck_assert_str_eq(got, want);
    free(got);
}

/* ------------------------------------------------------------------------------------------ */

START_TEST(test_is_conninfo)
{
    ck_assert(config_is_conninfo("postgresql://app@db/app"));
    ck_assert(config_is_conninfo("postgres://db"));
    ck_assert(config_is_conninfo("host=db dbname=app"));
    ck_assert(config_is_conninfo("dbname=app"));
    ck_assert(!config_is_conninfo("production"));
    ck_assert(!config_is_conninfo("prod-eu.1"));
    ck_assert(!config_is_conninfo("local"));
    ck_assert(!config_is_conninfo("postgresql"));
    ck_assert(!config_is_conninfo(""));
    ck_assert(!config_is_conninfo(NULL));
}
END_TEST

START_TEST(test_url_form)
{
    char *ci;

    testdir_write("production.yaml",
                  "# production\n"
                  "name: production\n"
                  "database_url: postgresql://app@prod-db:5432/app?sslmode=require\n"
                  "include_dirs:\n"
                  "  - db/schema\n"
                  "exclude_dirs: []\n");
    ci = s_resolve_ok("production");
    ck_assert_str_eq(ci, "postgresql://app@prod-db:5432/app?sslmode=require");
    free(ci);

    /* quoted, and key=value form inside a file */
    testdir_write("kv.yaml", "database_url: 'host=db dbname=app'\n");
    ci = s_resolve_ok("kv");
    ck_assert_str_eq(ci, "host=db dbname=app");
    free(ci);
}
END_TEST

START_TEST(test_yml_extension)
{
    char *ci;

    testdir_write("staging.yml", "database_url: postgres://stage-db/app\n");
    ci = s_resolve_ok("staging");
    ck_assert_str_eq(ci, "postgres://stage-db/app");
    free(ci);

    /* .yaml wins when both exist */
    testdir_write("staging.yaml", "database_url: postgres://other-db/app\n");
    ci = s_resolve_ok("staging");
    ck_assert_str_eq(ci, "postgres://other-db/app");
    free(ci);
}
END_TEST

START_TEST(test_mapping_form)
{
    char *ci;
    char *pw;

    testdir_write("prod.yaml", "name: prod\n"
                               "database:\n"
                               "  host: prod-db\n"
                               "  port: 5432\n"
                               "  name: app\n"
                               "  user: app owner\n"
                               "  password: \"it's a \\\\ secret\"\n"
                               "  sslmode: require\n");
    ci = s_resolve_ok("prod");
    ck_assert_str_eq(ci, "host='prod-db' port='5432' dbname='app' user='app owner' "
                         "password='it\\'s a \\\\ secret' sslmode='require'");
    pw = s_parsed(ci, "password");
    ck_assert_str_eq(pw, "it's a \\ secret");
    free(pw);
    pw = s_parsed(ci, "user");
    ck_assert_str_eq(pw, "app owner");
    free(pw);
    free(ci);
}
END_TEST

START_TEST(test_mapping_other_keys)
{
    char *ci;

    /* keys come out in a fixed order; "database" and "dbname" mean name; nulls are skipped */
    testdir_write("a.yaml", "database:\n"
                            "  options: -c search_path=app\n"
                            "  connect_timeout: 10\n"
                            "  application_name: confiture\n"
                            "  database: app\n"
                            "  password:\n"
                            "  host: ~\n");
    ci = s_resolve_ok("a");
    ck_assert_str_eq(ci, "dbname='app' application_name='confiture' connect_timeout='10' "
                         "options='-c search_path=app'");
    free(ci);

    testdir_write("b.yaml",
                  "database: {dbname: app, sslrootcert: /etc/ca.pem, passfile: /x/.pgpass}\n");
    ci = s_resolve_ok("b");
    ck_assert_str_eq(ci, "dbname='app' sslrootcert='/etc/ca.pem' passfile='/x/.pgpass'");
    free(ci);
}
END_TEST

START_TEST(test_mapping_conflicts)
{
    err_t err;

    s_expect_file_error("database:\n  name: a\n  dbname: b\n",
                        ":3: database.dbname and database.name (line 2) both give the dbname; "
                        "keep one",
                        &err);
    s_expect_file_error("database:\n  host: a\n  host: b\n",
                        ":3: database.host is given twice (first at line 2)", &err);
    s_expect_file_error("database_url: postgres://a\ndatabase_url: postgres://b\n",
                        ":2: database_url is given twice (first at line 1)", &err);
}
END_TEST

START_TEST(test_mapping_unknown_key)
{
    err_t err;

    s_expect_file_error("database:\n  host: db\n  hots: db2\n",
                        ":3: unknown key \"hots\" under database:", &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "host, port, name"));
}
END_TEST

START_TEST(test_mapping_bad_values)
{
    err_t err;

    s_expect_file_error("database: postgres://db\n", ":1: database must be a mapping", &err);
    ck_assert_str_eq(err.detail, "found a string");
    s_expect_file_error("database:\n  host:\n    - a\n", ":2: database.host must be a string",
                        &err);
    ck_assert_str_eq(err.detail, "found a list");
    s_expect_file_error("database:\n  port: [5432]\n",
                        ":2: database.port must be a number or a string", &err);
    s_expect_file_error("database:\n  password: !!binary aGVsbG8=\n",
                        ":2: database.password must be a string", &err);
    ck_assert_str_eq(err.detail, "found a tagged value");
    s_expect_file_error("database:\n  password: \"a\\0b\"\n",
                        ":2: database.password must be a string", &err);
    ck_assert_str_eq(err.detail, "found a NUL character");
}
END_TEST

START_TEST(test_var_set)
{
    char *ci;
    char *pw;

    setenv("CONFITURE_T_HOST", "db.example.com", 1);
    setenv("CONFITURE_T_PW", "p@ss w'ord", 1);
    testdir_write("url.yaml",
                  "database_url: postgresql://app@${CONFITURE_T_HOST}:5432/app?sslmode=require\n");
    ci = s_resolve_ok("url");
    ck_assert_str_eq(ci, "postgresql://app@db.example.com:5432/app?sslmode=require");
    free(ci);

    testdir_write("map.yaml", "database:\n"
                              "  host: ${CONFITURE_T_HOST}\n"
                              "  password: ${CONFITURE_T_PW}\n");
    ci = s_resolve_ok("map");
    ck_assert_str_eq(ci, "host='db.example.com' password='p@ss w\\'ord'");
    pw = s_parsed(ci, "password");
    ck_assert_str_eq(pw, "p@ss w'ord");
    free(pw);
    free(ci);
}
END_TEST

START_TEST(test_var_default)
{
    char *ci;

    unsetenv("CONFITURE_T_PORT");
    testdir_write("d.yaml", "database:\n  host: db\n  port: ${CONFITURE_T_PORT:-6543}\n");
    ci = s_resolve_ok("d");
    ck_assert_str_eq(ci, "host='db' port='6543'");
    free(ci);

    setenv("CONFITURE_T_PORT", "5433", 1);
    ci = s_resolve_ok("d");
    ck_assert_str_eq(ci, "host='db' port='5433'");
    free(ci);

    /* set but empty: the default applies, as in the shell */
    setenv("CONFITURE_T_PORT", "", 1);
    ci = s_resolve_ok("d");
    ck_assert_str_eq(ci, "host='db' port='6543'");
    free(ci);
}
END_TEST

START_TEST(test_var_unset_error)
{
    err_t err;

    unsetenv("CONFITURE_T_UNSET");
    s_expect_file_error("name: prod\n"
                        "database:\n"
                        "  host: db\n"
                        "  password: ${CONFITURE_T_UNSET}\n",
                        ":4: ${CONFITURE_T_UNSET} is not set", &err);
    ck_assert_str_eq(err.hint, "export CONFITURE_T_UNSET, or write ${CONFITURE_T_UNSET:-default}");
    ck_assert_str_eq(err.detail, "in the value of database.password");

    s_expect_file_error("\ndatabase_url: postgres://${CONFITURE_T_UNSET}/app\n",
                        ":2: ${CONFITURE_T_UNSET} is not set", &err);

    /* config_expand alone names the variable, no file */
    err_clear(&err);
    ck_assert_ptr_null(config_expand("x ${CONFITURE_T_UNSET} y", &err));
    ck_assert_str_eq(err.message, "${CONFITURE_T_UNSET} is not set");
    ck_assert_int_eq(err.exit_code, EXIT_CODE_CONFIG);
}
END_TEST

START_TEST(test_expand_dollars)
{
    setenv("CONFITURE_T_V", "val", 1);
    s_assert_expand("a$$b", "a$b");
    s_assert_expand("$${CONFITURE_T_V}", "${CONFITURE_T_V}");
    s_assert_expand("$$$$", "$$");
    s_assert_expand("$HOME and $5 and $", "$HOME and $5 and $");
    s_assert_expand("[${CONFITURE_T_V}]${CONFITURE_T_V}", "[val]val");
    s_assert_expand("$${CONFITURE_T_V}${CONFITURE_T_V}", "${CONFITURE_T_V}val");
    s_assert_expand("${CONFITURE_T_NOPE:-a:b-c}", "a:b-c");
    s_assert_expand("${CONFITURE_T_NOPE:-}", "");
    s_assert_expand("", "");
    s_assert_expand("plain", "plain");
}
END_TEST

START_TEST(test_expand_errors)
{
    err_t err;

    err_clear(&err);
    ck_assert_ptr_null(config_expand("abc${CONFITURE_T_V", &err));
    ck_assert_str_eq(err.message, "unterminated \"${\" (no closing \"}\")");
    ck_assert_ptr_nonnull(strstr(err.hint, "$$"));

    err_clear(&err);
    ck_assert_ptr_null(config_expand("${}", &err));
    ck_assert_ptr_nonnull(strstr(err.message, "must be followed by a variable name"));

    err_clear(&err);
    ck_assert_ptr_null(config_expand("${1X}", &err));
    ck_assert_ptr_nonnull(strstr(err.message, "must be followed by a variable name"));

    err_clear(&err);
    ck_assert_ptr_null(config_expand("${VAR-x}", &err));
    ck_assert_str_eq(err.message,
                     "bad variable reference \"${VAR\": expected \"}\" or \":-default}\" after "
                     "the name");

    /* in a file: file and line */
    s_expect_file_error("database:\n  host: db\n  user: \"${CONFITURE_T_USER\"\n",
                        ":3: unterminated \"${\" (no closing \"}\")", &err);
}
END_TEST

START_TEST(test_missing_file)
{
    err_t err;
    char want[PATH_MAX * 2];

    testdir_write("production.yml", "database_url: postgres://p/app\n");
    testdir_write("local.yaml", "database_url: postgres://l/app\n");
    testdir_write("local.yml", "database_url: postgres://l/app\n");
    testdir_write("README.md", "not an environment\n");
    s_resolve_fail("staging", &err);
    snprintf(want, sizeof(want), "environment \"staging\" not found: no file %s/staging.yaml",
             testdir_path());
    ck_assert_str_eq(err.message, want);
    snprintf(want, sizeof(want),
             "environments in %s: local, production (or pass a connection string, or "
             "--config-dir DIR)",
             testdir_path());
    ck_assert_str_eq(err.hint, want);
}
END_TEST

START_TEST(test_missing_file_empty_dir)
{
    err_t err;

    s_resolve_fail("staging", &err);
    ck_assert_ptr_nonnull(strstr(err.message, "no file"));
    ck_assert_ptr_nonnull(strstr(err.hint, "no environments in"));
}
END_TEST

START_TEST(test_missing_dir)
{
    err_t err;
    char dir[PATH_MAX + 16];
    char want[PATH_MAX * 2];
    char *ci = NULL;

    snprintf(dir, sizeof(dir), "%s/nope", testdir_path());
    err_clear(&err);
    ck_assert_int_eq(config_resolve("staging", dir, &ci, &err), -1);
    snprintf(want, sizeof(want), "environment \"staging\" not found: no directory %s", dir);
    ck_assert_str_eq(err.message, want);
    ck_assert_ptr_nonnull(strstr(err.hint, "--config-dir DIR"));
    ck_assert_int_eq(err.exit_code, EXIT_CODE_CONFIG);
}
END_TEST

START_TEST(test_default_dir)
{
    err_t err;
    char *ci = NULL;
    char cwd[PATH_MAX];

    /* NULL config_dir means db/environments under the current directory */
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
    ck_assert_int_eq(chdir(testdir_path()), 0);
    err_clear(&err);
    ck_assert_int_eq(config_resolve("staging", NULL, &ci, &err), -1);
    ck_assert_str_eq(err.message,
                     "environment \"staging\" not found: no directory db/environments");
    ck_assert_int_eq(chdir(cwd), 0);
}
END_TEST

START_TEST(test_bad_name)
{
    err_t err;

    s_resolve_fail("../prod", &err);
    ck_assert_ptr_nonnull(strstr(err.message, "neither an environment name"));
    s_resolve_fail(".hidden", &err);
    s_resolve_fail("", &err);
}
END_TEST

START_TEST(test_yaml_syntax_error)
{
    err_t err;

    s_expect_file_error("name: prod\n"
                        "database_url: [postgres://db/app\n"
                        "other: 1\n",
                        ":3:6: did not find expected ',' or ']'", &err);
    ck_assert_str_eq(err.detail, "while parsing a flow sequence at line 2, column 15");

    s_expect_file_error("name: prod\n"
                        "database:\n"
                        "  host: db\n"
                        "   port: 5432\n",
                        ":4:8: mapping values are not allowed in this context", &err);

    s_expect_file_error("database_url: \"postgres://db\n", ":2:1: found unexpected end of stream",
                        &err);
}
END_TEST

START_TEST(test_top_level)
{
    err_t err;

    s_expect_file_error("- database_url: postgres://db\n",
                        ":1:1: expected a mapping at the top level", &err);
    ck_assert_str_eq(err.detail, "found a list");
    s_expect_file_error("# comment\n\n  just some text\n",
                        ":3:3: expected a mapping at the top level", &err);
    s_expect_file_error("", ": the file is empty", &err);
    s_expect_file_error("# only a comment\n", ": the file is empty", &err);
}
END_TEST

START_TEST(test_url_not_string)
{
    err_t err;

    s_expect_file_error("name: x\ndatabase_url:\n  host: db\n", ":2: database_url must be a string",
                        &err);
    ck_assert_str_eq(err.detail, "found a mapping");
    s_expect_file_error("database_url: 5432\n", ":1: database_url must be a string", &err);
    ck_assert_str_eq(err.detail, "found a number");
    s_expect_file_error("database_url: [a, b]\n", ":1: database_url must be a string", &err);
    s_expect_file_error("database_url: yes\n", ":1: database_url must be a string", &err);
    ck_assert_str_eq(err.detail, "found a boolean");
    s_expect_file_error("database_url: !!binary aGVsbG8=\n", ":1: database_url must be a string",
                        &err);
}
END_TEST

START_TEST(test_url_empty)
{
    err_t err;
    char *ci;

    s_expect_file_error("database_url:\n", ":1: database_url is empty", &err);
    unsetenv("CONFITURE_T_URL");
    s_expect_file_error("database_url: ${CONFITURE_T_URL:-}\n", ":1: database_url is empty", &err);

    /* an empty database_url gives way to a database: mapping */
    testdir_write("m.yaml", "database_url:\ndatabase:\n  host: db\n");
    ci = s_resolve_ok("m");
    ck_assert_str_eq(ci, "host='db'");
    free(ci);
}
END_TEST

START_TEST(test_neither_key)
{
    err_t err;

    s_expect_file_error("name: prod\ninclude_dirs: [db/schema]\n",
                        ": no database_url and no database: mapping", &err);
    ck_assert_ptr_nonnull(strstr(err.hint, "database_url: postgresql://"));
    s_expect_file_error("database:\n", ": no database_url and no database: mapping", &err);
}
END_TEST

START_TEST(test_passthrough)
{
    static const char *cases[] = {
        "postgresql://app:secret@db:5432/app?sslmode=require",
        "postgres://db/app",
        "host=x dbname=y",
        "host=/var/run/postgresql port=5433 dbname='my db'",
    };
    err_t err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *ci = NULL;

        err_clear(&err);
        ck_assert_int_eq(config_resolve(cases[i], testdir_path(), &ci, &err), 0);
        ck_assert_str_eq(ci, cases[i]);
        ck_assert_ptr_ne(ci, cases[i]);
        free(ci);
    }
}
END_TEST

START_TEST(test_invalid_conninfo_hides_password)
{
    static const struct {
        const char *conninfo; /* an invalid connection string */
        const char *secret;   /* what must not appear in the error */
    } cases[] = {
        {"host=db password=abc def", "def"},
        {"host=db password='s3cret dbname=x", "s3cret"},
        {"postgresql://app:pa%zzss@db/app", "zz"},
        {"postgresql://app:s3cret@[::1/app", "s3cret"},
        {"postgresql://app:s3cret@db:5432x/app?sslmode=require&x", "s3cret"},
        {"postgres://db/app?password=s3cret=x", "s3cret"},
        {"postgres://db/app?pass%77ord=s3cret%zz", "s3cret"},
    };
    err_t err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *ci = NULL;

        err_clear(&err);
        ck_assert_int_eq(config_resolve(cases[i].conninfo, testdir_path(), &ci, &err), -1);
        ck_assert_ptr_null(ci);
        ck_assert_msg(strncmp(err.message, "invalid connection string: ", 27) == 0, "%s",
                      err.message);
        ck_assert_msg(strstr(err.message, cases[i].secret) == NULL, "leak in: %s", err.message);
        ck_assert_msg(strstr(err.detail, cases[i].secret) == NULL, "leak in: %s", err.detail);
        ck_assert_msg(strstr(err.hint, cases[i].secret) == NULL, "leak in: %s", err.hint);
        ck_assert_int_eq(err.exit_code, EXIT_CODE_CONFIG);
    }
}
END_TEST

START_TEST(test_invalid_conninfo_message)
{
    err_t err;
    char *ci = NULL;
    char want[PATH_MAX + 256];

    /* libpq's words stay when they carry no secret */
    err_clear(&err);
    ck_assert_int_eq(config_resolve("host=db hots=x password=s3cret", testdir_path(), &ci, &err),
                     -1);
    ck_assert_str_eq(err.message, "invalid connection string: invalid connection option \"hots\"");

    err_clear(&err);
    ck_assert_int_eq(config_resolve("host=db dbname", testdir_path(), &ci, &err), -1);
    ck_assert_str_eq(err.message, "invalid connection string: missing \"=\" after \"dbname\" in "
                                  "connection info string");

    /* from a file: the file is named, the password is not quoted */
    testdir_write("prod.yaml", "database_url: postgresql://app:s3cret@[::1/app\n");
    s_resolve_fail("prod", &err);
    snprintf(want, sizeof(want), "invalid connection string in %s/prod.yaml: ", testdir_path());
    ck_assert_msg(strncmp(err.message, want, strlen(want)) == 0, "%s", err.message);
    ck_assert_ptr_null(strstr(err.message, "s3cret"));
    ck_assert_str_eq(err.detail, "from database_url at line 1");

    testdir_write("prod.yaml", "database_url: localhost\n");
    s_resolve_fail("prod", &err);
    ck_assert_ptr_nonnull(strstr(err.message, "missing \"=\" after \"localhost\""));
}
END_TEST

START_TEST(test_redact_uri)
{
    s_assert_redact("postgresql://app:s3cret@db:5432/app?sslmode=require",
                    "postgresql://app:********@db:5432/app?sslmode=require");
    s_assert_redact("postgres://app:p%40ss%3Aw%2F@db/app", "postgres://app:********@db/app");
    s_assert_redact("postgresql://db/app?password=s3cret&sslmode=require",
                    "postgresql://db/app?password=********&sslmode=require");
    s_assert_redact("postgresql://db/app?sslmode=require&pass%77ord=s3cret",
                    "postgresql://db/app?sslmode=require&pass%77ord=********");
    s_assert_redact("postgresql://u:a@h1,h2:5433/app?password=b",
                    "postgresql://u:********@h1,h2:5433/app?password=********");
    s_assert_redact("postgresql://app@db/app", "postgresql://app@db/app");
    s_assert_redact("postgresql://app:@db/app", "postgresql://app:@db/app");
    s_assert_redact("postgresql://[::1]:5432/app", "postgresql://[::1]:5432/app");
    s_assert_redact("postgresql://", "postgresql://");
    s_assert_redact("postgresql://app:s3cret@[::1/app", "(invalid connection string)");
}
END_TEST

START_TEST(test_redact_kv)
{
    s_assert_redact("host=db password=s3cret dbname=app", "host=db password=******** dbname=app");
    s_assert_redact("host=db password='a b\\'c' dbname=app",
                    "host=db password='********' dbname=app");
    s_assert_redact("password = s3cret", "password = ********");
    s_assert_redact("  host=db\tpassword=a\\ b  ", "  host=db\tpassword=********  ");
    s_assert_redact("host=db password='' dbname=app", "host=db password='' dbname=app");
    s_assert_redact("host='my host' dbname=app", "host='my host' dbname=app");
    s_assert_redact("dbname='password=x' user=u", "dbname='password=x' user=u");
    s_assert_redact("password=a password=b", "password=******** password=********");
    s_assert_redact("host=db password='unterminated", "(invalid connection string)");
    s_assert_redact("", "");
    s_assert_redact(NULL, "(invalid connection string)");
}
END_TEST

START_TEST(test_has_password)
{
    ck_assert(config_has_password("postgresql://app:s3cret@db/app"));
    ck_assert(config_has_password("postgresql://app:p%40ss@db/app"));
    ck_assert(config_has_password("postgresql://db/app?password=x"));
    ck_assert(config_has_password("host=db password=s3cret"));
    ck_assert(config_has_password("host=db password='a b'"));
    ck_assert(!config_has_password("postgresql://app@db/app"));
    ck_assert(!config_has_password("postgresql://app:@db/app"));
    ck_assert(!config_has_password("host=db dbname=app"));
    ck_assert(!config_has_password("host=db password=''"));
    ck_assert(!config_has_password("dbname='password=x'"));
    ck_assert(!config_has_password("host=db password='unterminated"));
    ck_assert(!config_has_password(NULL));
}
END_TEST

START_TEST(test_resolved_password_redacts)
{
    char *ci;
    char *red;

    /* what a file resolves to can be redacted and detected */
    testdir_write("prod.yaml", "database:\n  host: db\n  password: \"a 'b' \\\\c\"\n");
    ci = s_resolve_ok("prod");
    ck_assert(config_has_password(ci));
    red = config_redact(ci);
    ck_assert_str_eq(red, "host='db' password='********'");
    ck_assert(!strstr(red, "'b'"));
    free(red);
    free(ci);
}
END_TEST

Suite *test_config_suite(void);

Suite *
test_config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");

    tcase_add_checked_fixture(tc, s_setup, testdir_remove);
    tcase_add_test(tc, test_is_conninfo);
    tcase_add_test(tc, test_url_form);
    tcase_add_test(tc, test_yml_extension);
    tcase_add_test(tc, test_mapping_form);
    tcase_add_test(tc, test_mapping_other_keys);
    tcase_add_test(tc, test_mapping_conflicts);
    tcase_add_test(tc, test_mapping_unknown_key);
    tcase_add_test(tc, test_mapping_bad_values);
    tcase_add_test(tc, test_var_set);
    tcase_add_test(tc, test_var_default);
    tcase_add_test(tc, test_var_unset_error);
    tcase_add_test(tc, test_expand_dollars);
    tcase_add_test(tc, test_expand_errors);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_missing_file_empty_dir);
    tcase_add_test(tc, test_missing_dir);
    tcase_add_test(tc, test_default_dir);
    tcase_add_test(tc, test_bad_name);
    tcase_add_test(tc, test_yaml_syntax_error);
    tcase_add_test(tc, test_top_level);
    tcase_add_test(tc, test_url_not_string);
    tcase_add_test(tc, test_url_empty);
    tcase_add_test(tc, test_neither_key);
    tcase_add_test(tc, test_passthrough);
    tcase_add_test(tc, test_invalid_conninfo_hides_password);
    tcase_add_test(tc, test_invalid_conninfo_message);
    tcase_add_test(tc, test_redact_uri);
    tcase_add_test(tc, test_redact_kv);
    tcase_add_test(tc, test_has_password);
    tcase_add_test(tc, test_resolved_password_redacts);
    suite_add_tcase(s, tc);
    return s;
}
