/*
 * main.c - confiture-worker: runs copy and index tasks handed out by a coordinator.
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
#include "worker/worker.h"

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
    fprintf(out, "Usage: confiture-worker --connect ENDPOINT [options]\n"
                 "\n"
                 "Runs tasks (COPY chunks, index builds) for a confiture coordinator.\n"
                 "\n"
                 "  -c, --connect ENDPOINT     the coordinator's work socket (tcp://host:7401)\n"
                 "  -d, --config-dir DIR       environments directory (default db/environments)\n"
                 "  -n, --name NAME            worker id (default host:pid)\n"
                 "  -k, --mask-key-file FILE   the masking key (else CONFITURE_MASK_KEY)\n"
                 "      --heartbeat-ms N       heartbeat interval (default 1000)\n"
                 "      --exit-with-parent     exit when the parent process exits\n"
                 "  -l, --log-level LEVEL      debug, info, warn, error (default info)\n"
                 "  -h, --help                 this help\n");
}

int
main(int argc, char **argv)
{
    static const struct option long_options[] = {{"connect", required_argument, NULL, 'c'},
                                                 {"config-dir", required_argument, NULL, 'd'},
                                                 {"name", required_argument, NULL, 'n'},
                                                 {"mask-key-file", required_argument, NULL, 'k'},
                                                 {"heartbeat-ms", required_argument, NULL, 'H'},
                                                 {"exit-with-parent", no_argument, NULL, 'P'},
                                                 {"log-level", required_argument, NULL, 'l'},
                                                 {"help", no_argument, NULL, 'h'},
                                                 {NULL, 0, NULL, 0}};
    worker_options_t options = {NULL, CONFIG_DEFAULT_DIR, NULL, NULL, 1000, 15000};
    struct sigaction sa;
    log_level_t level;
    int c;

    log_set_program("confiture-worker");
    while ((c = getopt_long(argc, argv, "c:d:n:k:l:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'c':
            options.endpoint = optarg;
            break;
        case 'd':
            options.config_dir = optarg;
            break;
        case 'n':
            options.name = optarg;
            break;
        case 'k':
            options.mask_key_file = optarg;
            break;
        case 'H':
            options.heartbeat_ms = atoi(optarg);
            if (options.heartbeat_ms < 10) {
                fprintf(stderr, "confiture-worker: --heartbeat-ms must be at least 10\n");
                return EXIT_CODE_USAGE;
            }
            break;
        case 'P':
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            break;
        case 'l':
            if (log_level_parse(optarg, &level) != 0) {
                fprintf(stderr, "confiture-worker: unknown log level \"%s\"\n", optarg);
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
    if (options.endpoint == NULL) {
        fprintf(stderr, "confiture-worker: --connect ENDPOINT is required\n");
        s_usage(stderr);
        return EXIT_CODE_USAGE;
    }
    options.coordinator_timeout_ms = options.heartbeat_ms * 15;

    zsys_handler_set(NULL);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = s_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    return worker_run(&options, &s_stop);
}
