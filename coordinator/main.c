/*
 * main.c - confiture-coordinator: plans jobs and hands their tasks to workers.
 */
#include <czmq.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "common/config.h"
#include "common/exitcodes.h"
#include "common/log.h"
#include "coordinator/coordinator.h"
#include "coordinator/holder.h"

static volatile sig_atomic_t s_stop = 0;

static void
s_on_signal(int signo)
{
    (void) signo;
    s_stop = 1;
}

static void
s_usage(FILE *out)
{
    fprintf(out,
            "Usage: confiture-coordinator [options]\n"
            "\n"
            "Plans sync jobs submitted by `confiture --coordinator` and dispatches their\n"
            "tasks to confiture-worker processes.\n"
            "\n"
            "      --ctl ENDPOINT          where CLIs connect (default tcp://127.0.0.1:7400)\n"
            "      --work ENDPOINT         where workers connect (default tcp://127.0.0.1:7401)\n"
            "  -d, --config-dir DIR        environments directory (default db/environments)\n"
            "      --heartbeat-ms N        heartbeat interval (default 1000)\n"
            "      --worker-timeout-ms N   a silent worker is dead after N ms (default 5000)\n"
            "      --lease-ms N            a task with no progress for N ms is requeued\n"
            "                              (default 60000)\n"
            "      --max-attempts N        attempts per task before the job fails (default 3)\n"
            "      --snapshot-keep S       keep a job's snapshot S seconds after its coordinator\n"
            "                              is gone, for a resume (default 900)\n"
            "      --once                  exit after the first job\n"
            "      --exit-with-parent      exit when the parent process exits\n"
            "  -l, --log-level LEVEL       debug, info, warn, error (default info)\n"
            "  -h, --help                  this help\n");
}

static int
s_positive(const char *name, const char *text, int *out)
{
    char *end;
    long v = strtol(text, &end, 10);

    if (*end != '\0' || v < 1 || v > 86400000) {
        fprintf(stderr, "confiture-coordinator: %s must be a positive integer, not \"%s\"\n", name,
                text);
        return -1;
    }
    *out = (int) v;
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"ctl", required_argument, NULL, 'C'},
        {"work", required_argument, NULL, 'W'},
        {"config-dir", required_argument, NULL, 'd'},
        {"heartbeat-ms", required_argument, NULL, 'H'},
        {"worker-timeout-ms", required_argument, NULL, 'T'},
        {"lease-ms", required_argument, NULL, 'L'},
        {"max-attempts", required_argument, NULL, 'A'},
        {"once", no_argument, NULL, 'O'},
        {"snapshot-keep", required_argument, NULL, 'K'},
        {"hold-snapshot", no_argument, NULL, 'S'},
        {"source", required_argument, NULL, 's'},
        {"target", required_argument, NULL, 't'},
        {"job", required_argument, NULL, 'j'},
        {"exit-with-parent", no_argument, NULL, 'P'},
        {"log-level", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    coordinator_options_t options = {"tcp://127.0.0.1:7400",
                                     "tcp://127.0.0.1:7401",
                                     CONFIG_DEFAULT_DIR,
                                     1000,
                                     5000,
                                     60000,
                                     3,
                                     false,
                                     900};
    struct sigaction sa;
    log_level_t level;
    holder_options_t holder = {NULL, NULL, CONFIG_DEFAULT_DIR, NULL, 900};
    bool hold = false;
    int c;

    log_set_program("confiture-coordinator");
    while ((c = getopt_long(argc, argv, "d:l:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'C':
            options.ctl_endpoint = optarg;
            break;
        case 'W':
            options.work_endpoint = optarg;
            break;
        case 'd':
            options.config_dir = optarg;
            break;
        case 'H':
            if (s_positive("--heartbeat-ms", optarg, &options.heartbeat_ms) != 0)
                return EXIT_CODE_USAGE;
            break;
        case 'T':
            if (s_positive("--worker-timeout-ms", optarg, &options.worker_timeout_ms) != 0)
                return EXIT_CODE_USAGE;
            break;
        case 'L':
            if (s_positive("--lease-ms", optarg, &options.lease_ms) != 0)
                return EXIT_CODE_USAGE;
            break;
        case 'A':
            if (s_positive("--max-attempts", optarg, &options.max_attempts) != 0)
                return EXIT_CODE_USAGE;
            break;
        case 'O':
            options.once = true;
            break;
        case 'K':
            if (s_positive("--snapshot-keep", optarg, &options.snapshot_keep_s) != 0)
                return EXIT_CODE_USAGE;
            holder.keep_s = options.snapshot_keep_s;
            break;
        case 'S':
            hold = true;
            break;
        case 's':
            holder.source_ref = optarg;
            break;
        case 't':
            holder.target_ref = optarg;
            break;
        case 'j':
            holder.job_id = optarg;
            break;
        case 'P':
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            break;
        case 'l':
            if (log_level_parse(optarg, &level) != 0) {
                fprintf(stderr, "confiture-coordinator: unknown log level \"%s\"\n", optarg);
                return EXIT_CODE_USAGE;
            }
            log_set_level(level);
            break;
        case 'h':
            s_usage(stdout);
            return EXIT_CODE_OK;
        default:
            s_usage(stderr);
            return EXIT_CODE_USAGE;
        }
    }
    zsys_handler_set(NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = s_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (hold) {
        /* the snapshot holder (coordinator/holder.h), started by a coordinator */
        holder.config_dir = options.config_dir;
        if (holder.source_ref == NULL || holder.target_ref == NULL || holder.job_id == NULL) {
            fprintf(stderr, "confiture-coordinator: --hold-snapshot needs --source, --target "
                            "and --job\n");
            return EXIT_CODE_USAGE;
        }
        log_set_program("confiture-snapshot");
        return holder_run(&holder, &s_stop);
    }
    return coordinator_run(&options, &s_stop);
}
