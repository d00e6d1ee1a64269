/*
 * main.c - confiture: copy PostgreSQL databases in parallel, safely.
 */
#include <getopt.h>
#include <stdarg.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/config.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "common/rules.h"

volatile sig_atomic_t cli_interrupted = 0;

static void
s_on_signal(int signo)
{
    (void) signo;
    if (cli_interrupted >= 1) {
        /* A second Ctrl-C: leave now. */
        _exit(EXIT_CODE_INTERRUPTED);
    }
    cli_interrupted = 1;
}

static void
s_usage(FILE *out)
{
    fprintf(out,
            "Usage: confiture COMMAND [options]\n"
            "\n"
            "Commands:\n"
            "  sync     copy the selected tables from one database into another\n"
            "  verify   compare row counts and checksums of two databases\n"
            "  status   what a job (named by its --checkpoint file) has done and has left\n"
            "  anonymize check    check the masking rules against the source, write nothing\n"
            "  anonymize preview  show rows of a table before and after masking\n"
            "\n"
            "Options (sync and verify):\n"
            "  -f, --from DB            source: environment name or connection string\n"
            "  -t, --to DB              target: environment name or connection string\n"
            "  -d, --config-dir DIR     environments directory (default db/environments)\n"
            "      --tables LIST        only these tables: schema.table patterns, * ? allowed\n"
            "      --exclude LIST       not these tables\n"
            "      --format text|json   output format (default text)\n"
            "  -l, --log-level LEVEL    debug, info, warn, error (default warn)\n"
            "\n"
            "Options (sync):\n"
            "  -w, --workers N          worker processes (default: number of CPUs)\n"
            "      --chunk-size SIZE    bytes of table per chunk: 64MB, 1GB, ... (default 64MB)\n"
            "      --dry-run            print the plan, change nothing\n"
            "      --copy-format F      auto (binary where both sides have the same types, the\n"
            "                           default) or text\n"
            "      --coordinator EP     submit to a running coordinator (tcp://host:7400)\n"
            "      --checkpoint FILE    keep a mirror of the job's progress in FILE (JSON)\n"
            "      --resume             carry on the job FILE names: skip what committed\n"
            "      --retry-time S       retry a dropped database connection for S seconds\n"
            "                           before the chunk counts as failed (default 60)\n"
            "      --snapshot-keep S    an interrupted job keeps its snapshot S seconds for a\n"
            "                           consistent --resume (default 900; private mode)\n"
            "\n"
            "Masking (sync --anonymize, verify --pii, anonymize):\n"
            "      --anonymize          mask the columns the rules name (needs a key)\n"
            "      --anonymization-config FILE   the rules (default db/sync/anonymization.yaml)\n"
            "      --mask-key-file FILE the masking key's file (else CONFITURE_MASK_KEY)\n"
            "      --mask-key-random    a throwaway random key (output not reproducible)\n"
            "      --strict             unruled columns that look like PII are errors\n"
            "      --pii                verify: no masked column holds its source value\n"
            "      --table T            preview: the table (schema.table)\n"
            "      --limit N            preview: rows to show (default 10)\n"
            "\n"
            "Exit codes: 0 ok, 1 difference or PII leak found, 2 usage (or a refused resume),\n"
            "3 configuration (rules, key), 4 connection, 5 schema mismatch, 6 job failed,\n"
            "70 internal error, 130 interrupted (resumable).\n"
            "See docs/cli.md.\n");
}

static int
s_parse_size(const char *text, int64_t *out)
{
    char *end;
    double v = strtod(text, &end);
    double mult = 1;

    if (end == text || v <= 0)
        return -1;
    while (*end == ' ')
        end++;
    if (*end == '\0' || strcasecmp(end, "b") == 0)
        mult = 1;
    else if (strcasecmp(end, "kb") == 0 || strcasecmp(end, "k") == 0)
        mult = 1024;
    else if (strcasecmp(end, "mb") == 0 || strcasecmp(end, "m") == 0)
        mult = 1024 * 1024;
    else if (strcasecmp(end, "gb") == 0 || strcasecmp(end, "g") == 0)
        mult = 1024.0 * 1024 * 1024;
    else
        return -1;
    *out = (int64_t) (v * mult);
    return 0;
}

/* A whole number of seconds, or -1 when text is not one. */
static int
s_seconds(const char *text)
{
    char *end;
    long v = strtol(text, &end, 10);

    return end == text || *end != '\0' || v < 0 || v > 100000000 ? -1 : (int) v;
}

/* A bad command line: text on stderr, or the JSON envelope with --format json. */
static int s_usage_error(const cli_options_t *o, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
s_usage_error(const cli_options_t *o, const char *hint, const char *fmt, ...)
{
    err_t err;
    va_list ap;

    err_set(&err, "usage", EXIT_CODE_USAGE, "%s", "");
    va_start(ap, fmt);
    vsnprintf(err.message, sizeof(err.message), fmt, ap);
    va_end(ap);
    err_hint(&err, "%s", hint ? hint : "see confiture --help");
    return cli_fail(o, &err);
}

/* --format is looked at first, so that every error, even one about an earlier option,
 * comes out in the format asked for. */
static output_format_t
s_prescan_format(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format=json") == 0 ||
            (strcmp(argv[i], "--format") == 0 && i + 1 < argc && strcmp(argv[i + 1], "json") == 0))
            return FORMAT_JSON;
    }
    return FORMAT_TEXT;
}

static void
s_bin_dir(char *buf, size_t len)
{
    ssize_t n = readlink("/proc/self/exe", buf, len - 1);
    char *slash;

    if (n <= 0) {
        snprintf(buf, len, ".");
        return;
    }
    buf[n] = '\0';
    slash = strrchr(buf, '/');
    if (slash != NULL)
        *slash = '\0';
}

int
main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"config-dir", required_argument, NULL, 'd'},
        {"tables", required_argument, NULL, 'T'},
        {"exclude", required_argument, NULL, 'X'},
        {"workers", required_argument, NULL, 'w'},
        {"chunk-size", required_argument, NULL, 'S'},
        {"dry-run", no_argument, NULL, 'n'},
        {"copy-format", required_argument, NULL, 'K'},
        {"format", required_argument, NULL, 'F'},
        {"coordinator", required_argument, NULL, 'C'},
        {"log-level", required_argument, NULL, 'l'},
        {"anonymize", no_argument, NULL, 'A'},
        {"anonymization-config", required_argument, NULL, 'R'},
        {"mask-key-file", required_argument, NULL, 'k'},
        {"mask-key-random", no_argument, NULL, 'r'},
        {"strict", no_argument, NULL, 's'},
        {"pii", no_argument, NULL, 'P'},
        {"table", required_argument, NULL, 'b'},
        {"limit", required_argument, NULL, 'L'},
        {"checkpoint", required_argument, NULL, 'c'},
        {"resume", no_argument, NULL, 'u'},
        {"retry-time", required_argument, NULL, 'y'},
        {"snapshot-keep", required_argument, NULL, 'Z'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static char bin_dir[PATH_MAX];
    cli_options_t o;
    struct sigaction sa;
    log_level_t level;
    int c, rc;

    memset(&o, 0, sizeof(o));
    o.config_dir = CONFIG_DEFAULT_DIR;
    o.chunk_size = 64 * 1024 * 1024;
    o.workers = (int) sysconf(_SC_NPROCESSORS_ONLN);
    o.log_level = "warn";
    o.copy_format = "auto";
    o.rules_path = RULES_DEFAULT_PATH;
    o.limit = 10;
    o.retry_s = 60;
    o.snapshot_keep_s = 900;
    log_set_program("confiture");
    log_set_level(LOG_LEVEL_WARN);
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        s_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_CODE_USAGE : EXIT_CODE_OK;
    }
    o.command = argv[1];
    o.format = s_prescan_format(argc, argv);
    if (strcmp(o.command, "sync") != 0 && strcmp(o.command, "verify") != 0 &&
        strcmp(o.command, "anonymize") != 0 && strcmp(o.command, "status") != 0)
        return s_usage_error(&o,
                             "commands are sync, verify, status and anonymize; see confiture "
                             "--help",
                             "unknown command \"%s\"", o.command);
    optind = 2;
    if (strcmp(o.command, "anonymize") == 0) {
        if (argc < 3 || (strcmp(argv[2], "check") != 0 && strcmp(argv[2], "preview") != 0))
            return s_usage_error(&o, "confiture anonymize check --from production",
                                 "anonymize needs a subcommand: check or preview");
        o.subcommand = argv[2];
        optind = 3;
    }
    o.tables = value_new_array();
    o.exclude = value_new_array();
    opterr = 0;
    while ((c = getopt_long(argc, argv, "f:t:d:w:l:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'f':
            o.from = optarg;
            break;
        case 't':
            o.to = optarg;
            break;
        case 'd':
            o.config_dir = optarg;
            break;
        case 'T':
            value_array_push(o.tables, value_new_string(optarg));
            break;
        case 'X':
            value_array_push(o.exclude, value_new_string(optarg));
            break;
        case 'w':
            o.workers = atoi(optarg);
            if (o.workers < 1 || o.workers > 256)
                return s_usage_error(&o, NULL, "--workers must be between 1 and 256, not \"%s\"",
                                     optarg);
            break;
        case 'S':
            if (s_parse_size(optarg, &o.chunk_size) != 0)
                return s_usage_error(&o, "a size such as 64MB, 512kB or 1GB",
                                     "invalid --chunk-size \"%s\"", optarg);
            break;
        case 'n':
            o.dry_run = true;
            break;
        case 'K':
            if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "text") != 0)
                return s_usage_error(&o, "auto: binary where both sides have the same types",
                                     "--copy-format is auto or text, not \"%s\"", optarg);
            o.copy_format = optarg;
            break;
        case 'F':
            if (strcmp(optarg, "json") == 0) {
                o.format = FORMAT_JSON;
            } else if (strcmp(optarg, "text") == 0) {
                o.format = FORMAT_TEXT;
            } else {
                return s_usage_error(&o, NULL, "--format is text or json, not \"%s\"", optarg);
            }
            break;
        case 'C':
            o.coordinator = optarg;
            break;
        case 'l':
            if (log_level_parse(optarg, &level) != 0)
                return s_usage_error(&o, "levels are debug, info, warn and error",
                                     "unknown log level \"%s\"", optarg);
            log_set_level(level);
            o.log_level = optarg;
            break;
        case 'A':
            o.anonymize = true;
            break;
        case 'c':
            o.checkpoint = optarg;
            break;
        case 'u':
            o.resume = true;
            break;
        case 'Z':
            o.snapshot_keep_s = s_seconds(optarg);
            if (o.snapshot_keep_s < 1 || o.snapshot_keep_s > 604800)
                return s_usage_error(&o, NULL,
                                     "--snapshot-keep must be between 1 and 604800 seconds, not "
                                     "\"%s\"",
                                     optarg);
            break;
        case 'y':
            o.retry_s = s_seconds(optarg);
            if (o.retry_s < 0 || o.retry_s > 86400)
                return s_usage_error(&o, NULL,
                                     "--retry-time must be between 0 and 86400 seconds, not \"%s\"",
                                     optarg);
            break;
        case 'R':
            o.rules_path = optarg;
            o.anonymize = true;
            break;
        case 'k':
            o.mask_key_file = optarg;
            break;
        case 'r':
            o.mask_key_random = true;
            break;
        case 's':
            o.strict = true;
            break;
        case 'P':
            o.pii = true;
            break;
        case 'b':
            o.table = optarg;
            break;
        case 'L':
            o.limit = atoi(optarg);
            if (o.limit < 1 || o.limit > 100000)
                return s_usage_error(&o, NULL, "--limit must be between 1 and 100000, not \"%s\"",
                                     optarg);
            break;
        case 'h':
            s_usage(stdout);
            return EXIT_CODE_OK;
        default:
            return s_usage_error(&o, NULL, "invalid option \"%s\"", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return s_usage_error(&o, NULL, "unexpected argument \"%s\"", argv[optind]);
    if (strcmp(o.command, "status") == 0) {
        if (o.checkpoint == NULL)
            return s_usage_error(&o, "confiture status --checkpoint sync.json",
                                 "status needs --checkpoint FILE");
    } else if (o.from == NULL || (o.to == NULL && o.subcommand == NULL))
        return s_usage_error(&o, "confiture sync --from production --to staging",
                             "%s needs --from and --to", o.command);
    if (o.mask_key_file != NULL && o.mask_key_random)
        return s_usage_error(&o, "a key file gives a reproducible masking, a random key does not",
                             "--mask-key-file and --mask-key-random exclude each other");
    if ((o.mask_key_file != NULL || o.mask_key_random || o.strict) && !o.anonymize &&
        o.subcommand == NULL && !o.pii)
        return s_usage_error(&o, "confiture sync --from production --to staging --anonymize",
                             "--mask-key-file, --mask-key-random and --strict go with --anonymize");
    if (o.resume && o.checkpoint == NULL)
        return s_usage_error(&o, "confiture sync --from A --to B --checkpoint sync.json --resume",
                             "--resume needs the --checkpoint FILE of the job to carry on");
    if ((o.resume || o.checkpoint) && strcmp(o.command, "sync") != 0 &&
        strcmp(o.command, "status") != 0)
        return s_usage_error(&o, NULL, "--checkpoint and --resume are options of sync");
    if ((o.resume || o.checkpoint) && o.dry_run)
        return s_usage_error(&o, "a dry run writes nothing to resume",
                             "--checkpoint and --resume do not go with --dry-run");
    if (o.pii && strcmp(o.command, "verify") != 0)
        return s_usage_error(&o, NULL, "--pii is an option of verify");
    if (o.subcommand != NULL && strcmp(o.subcommand, "preview") == 0 && o.table == NULL)
        return s_usage_error(&o, "confiture anonymize preview --from production --table users",
                             "anonymize preview needs --table");
    if (o.anonymize && o.coordinator != NULL && o.mask_key_random)
        return s_usage_error(&o,
                             "give the coordinator's workers and this command the same "
                             "CONFITURE_MASK_KEY or --mask-key-file",
                             "--mask-key-random works only without --coordinator");
    s_bin_dir(bin_dir, sizeof(bin_dir));
    o.bin_dir = bin_dir;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = s_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (strcmp(o.command, "sync") == 0)
        rc = cli_sync(&o);
    else if (strcmp(o.command, "verify") == 0)
        rc = cli_verify(&o);
    else if (strcmp(o.command, "status") == 0)
        rc = cli_status(&o);
    else
        rc = cli_anonymize(&o);
    value_destroy(&o.tables);
    value_destroy(&o.exclude);
    return rc;
}
