/*
 * mask_bench.c - how many values per second each masking strategy masks, on one core.
 *
 * Masks 1,000,000 distinct inputs per strategy (email, phone, name, hash, uuid, text) into
 * one reused buffer, as the worker does, and prints values/s. Not part of make check:
 *
 *   make build/libconfiture.a && cc -O2 -std=gnu11 -I. -D_GNU_SOURCE \
 *       tests/bench/mask_bench.c build/libconfiture.a \
 *       $(pkg-config --cflags --libs libsodium) -lm -o build/mask_bench && build/mask_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "worker/mask.h"

/* Inputs per strategy. */
#define N 1000000

/* One strategy to measure: its name, column type and how to make input i. */
typedef struct bench {
    const char *strategy; /* strategy name */
    const char *type;     /* column type */
    const char *format;   /* printf format of input i */
} bench_t;

/* Seconds since an arbitrary point. */
static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int
main(void)
{
    static const bench_t benches[] = {
        {"email", "character varying(255)", "user%d@company.example.org"},
        {"phone", "text", "+33 6 12 %02d %04d"},
        {"name", "text", "Firstname%d Lastname"},
        {"hash", "text", "customer-%d"},
        {"uuid", "uuid", "a0eebc99-9c0b-4ef8-bb6d-%012d"},
        {"text", "text", "Some free text, ticket %d: call back tomorrow."},
    };
    mask_key_t key;
    err_t err;
    buf_t out;
    char *inputs = malloc((size_t) N * 64);
    size_t *lens = malloc(sizeof(size_t) * N);

    if (inputs == NULL || lens == NULL)
        return 1;
    mask_key_random(&key);
    buf_init(&out);
    for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
        mask_rule_t *rule =
            mask_rule_new(benches[b].strategy, NULL, NULL, 0, false, benches[b].type, false, &err);
        size_t bytes = 0;
        double start, secs;

        if (rule == NULL) {
            fprintf(stderr, "%s: %s\n", benches[b].strategy, err.message);
            return 1;
        }
        for (int i = 0; i < N; i++) {
            int n =
                strcmp(benches[b].strategy, "phone") == 0
                    ? snprintf(inputs + (size_t) i * 64, 64, benches[b].format, i % 100, i / 100)
                    : snprintf(inputs + (size_t) i * 64, 64, benches[b].format, i);

            lens[i] = (size_t) n;
        }
        start = now();
        for (int i = 0; i < N; i++) {
            buf_reset(&out);
            if (mask_apply(rule, &key, inputs + (size_t) i * 64, lens[i], &out, &err) < 0) {
                fprintf(stderr, "%s: %s\n", benches[b].strategy, err.message);
                return 1;
            }
            bytes += out.len;
        }
        secs = now() - start;
        printf("%-6s %10.0f values/s  (%.0f ns/value, %zu output bytes)\n", benches[b].strategy,
               N / secs, secs * 1e9 / N, bytes);
        mask_rule_destroy(&rule);
    }
    buf_free(&out);
    free(inputs);
    free(lens);
    mask_key_wipe(&key);
    return 0;
}
