/*
 * output.c - how the confiture command reports: errors, JSON documents, sizes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "common/exitcodes.h"
#include "common/log.h"

int
cli_fail(const cli_options_t *options, const err_t *err)
{
    if (options->format == FORMAT_JSON) {
        value_t *doc = value_new_map();
        value_t *error = value_new_map();

        value_map_put_bool(doc, "ok", false);
        value_map_put_string(doc, "command", options->command);
        value_map_put_string(error, "code", err->code[0] ? err->code : "internal");
        value_map_put_string(error, "message", err->message);
        value_map_put_string(error, "detail", err->detail);
        value_map_put_string(error, "hint", err->hint);
        value_map_put(doc, "error", error);
        cli_print_json(doc);
        value_destroy(&doc);
    } else {
        log_err(err);
    }
    return err->exit_code ? err->exit_code : EXIT_CODE_INTERNAL;
}

void
cli_print_json(const value_t *doc)
{
    char *text = value_to_json(doc);

    fputs(text, stdout);
    fputc('\n', stdout);
    fflush(stdout);
    free(text);
}

const char *
cli_bytes(int64_t bytes, char *buf, int len)
{
    static const char *units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = (double) bytes;
    int u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, (size_t) len, "%lld B", (long long) bytes);
    else
        snprintf(buf, (size_t) len, "%.1f %s", v, units[u]);
    return buf;
}
