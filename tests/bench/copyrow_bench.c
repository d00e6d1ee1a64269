/*
 * copyrow_bench.c - how fast one core splits and rewrites COPY rows (common/copyrow.c).
 *
 * Builds ~200 MB of users-like rows in memory, as the server writes them in text format
 * (id, email, name, phone, address, created_at, a 200-byte note; some UTF-8, some escaped
 * newlines, tabs and backslashes, some NULLs), one row per "message", and times:
 *
 *   memcpy        copying each row into the output buffer (the floor of any pass-through)
 *   split         copyrow_text_split alone
 *   rewrite/0     split + copyrow_text_rewrite with no masked field (byte-identical output)
 *   rewrite/4     split + rewrite of email, name, phone, address by a callback that copies
 *                 the decoded value back (the cost of the parsing layer, not of masking)
 *   binary/0      the same rows in binary format, parsed by copyrow_bin_t from 64 KB messages
 *                 (items straddle messages) + copyrow_bin_rewrite with nothing masked
 *   binary/4      the same with the 4 fields rewritten by the copying callback
 *
 * Each is the best of 3 runs; MB/s counts input bytes. Build and run:
 *
 *   cc -O2 -g -std=gnu11 -I. -D_GNU_SOURCE -o build/copyrow_bench tests/bench/copyrow_bench.c \
 *      common/copyrow.c common/buf.c common/err.c && build/copyrow_bench [MB]
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/copyrow.h"

#define NCOLS 7

/* The rows, back to back, and where each starts. */
typedef struct rows {
    buf_t data;     /* all rows */
    size_t *start;  /* start of row i; start[n] is data.len */
    size_t n;       /* number of rows */
    size_t n_alloc; /* size of start */
} rows_t;

/* Seconds on the monotonic clock. */
static double
s_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* A small xorshift generator, for repeatable data. */
static uint64_t
s_rand(uint64_t *state)
{
    uint64_t x = *state;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

static const char *const s_first[] = {"alice",
                                      "bob",
                                      "chloé",
                                      "david",
                                      "émilie",
                                      "françois",
                                      "giulia",
                                      "hiro",
                                      "ines",
                                      "jürgen",
                                      "karim",
                                      "léa",
                                      "\xe7\x8e\x8b\xe4\xbc\x9f",
                                      "maría",
                                      "noah",
                                      "olga"};
static const char *const s_last[] = {"martin",
                                     "bernard",
                                     "dubois",
                                     "thomas",
                                     "robert",
                                     "richard",
                                     "petit",
                                     "durand",
                                     "leroy",
                                     "moreau",
                                     "o'brien",
                                     "müller",
                                     "\xe5\xb1\xb1\xe7\x94\xb0",
                                     "garcía",
                                     "rossi",
                                     "novák"};
static const char *const s_street[] = {"rue de la paix", "avenue des champs-élysées", "main street",
                                       "königstraße",    "boulevard voltaire",        "via roma"};
static const char *const s_city[] = {"paris", "lyon", "berlin", "london", "roma", "東京"};

/* Raw values of one user row (unescaped); NULL pointers for NULLs. */
static void
s_make_user(uint64_t *rng, uint64_t id, char vals[NCOLS][512], const char *ptrs[NCOLS])
{
    const char *first = s_first[s_rand(rng) % 16], *last = s_last[s_rand(rng) % 16];
    uint64_t r = s_rand(rng);
    int len;

    snprintf(vals[0], 512, "%llu", (unsigned long long) id);
    snprintf(vals[1], 512, "%s.%s%llu@example.com", first, last, (unsigned long long) (r % 1000));
    snprintf(vals[2], 512, "%s %s", first, last);
    snprintf(vals[3], 512, "+33 6 %02d %02d %02d %02d", (int) (r % 100), (int) (r / 100 % 100),
             (int) (r / 10000 % 100), (int) (r / 1000000 % 100));
    /* one address in 8 spans two lines */
    snprintf(vals[4], 512, "%d %s%s%05d %s", (int) (r % 200) + 1, s_street[s_rand(rng) % 6],
             r % 8 == 0 ? "\napt 4\n" : ", ", (int) (s_rand(rng) % 100000),
             s_city[s_rand(rng) % 6]);
    snprintf(vals[5], 512, "2023-%02d-%02d %02d:%02d:%02d.%06d+00", (int) (r % 12) + 1,
             (int) (r / 12 % 28) + 1, (int) (r / 7 % 24), (int) (r / 11 % 60), (int) (r / 13 % 60),
             (int) (r % 1000000));
    /* a 200-byte note: words, now and then a tab or a backslash */
    for (len = 0; len < 200; len++) {
        uint64_t c = s_rand(rng) % 64;

        vals[6][len] = c < 52    ? (char) ('a' + c % 26)
                       : c < 62  ? ' '
                       : c == 62 ? (s_rand(rng) % 4 == 0 ? '\t' : '.')
                                 : (s_rand(rng) % 8 == 0 ? '\\' : ',');
    }
    vals[6][200] = '\0';
    for (int i = 0; i < NCOLS; i++)
        ptrs[i] = vals[i];
    if (r % 10 == 0)
        ptrs[3] = NULL; /* no phone */
}

/* Appends a text row of vals to rows. */
static void
s_add_text_row(rows_t *rows, const char *const ptrs[NCOLS])
{
    if (rows->n + 1 >= rows->n_alloc) {
        rows->n_alloc = rows->n_alloc ? rows->n_alloc * 2 : 1024;
        rows->start = realloc(rows->start, rows->n_alloc * sizeof(*rows->start));
        if (rows->start == NULL)
            abort();
    }
    rows->start[rows->n++] = rows->data.len;
    for (int i = 0; i < NCOLS; i++) {
        if (i > 0)
            buf_append_byte(&rows->data, '\t');
        if (ptrs[i] == NULL)
            buf_append(&rows->data, "\\N", 2);
        else
            copyrow_text_encode(ptrs[i], strlen(ptrs[i]), &rows->data);
    }
    buf_append_byte(&rows->data, '\n');
    rows->start[rows->n] = rows->data.len;
}

/* Appends a binary tuple of vals to b. */
static void
s_add_bin_tuple(buf_t *b, const char *const ptrs[NCOLS])
{
    uint16_t n = htons(NCOLS);

    buf_append(b, &n, 2);
    for (int i = 0; i < NCOLS; i++) {
        uint32_t len = ptrs[i] == NULL ? UINT32_MAX : htonl((uint32_t) strlen(ptrs[i]));

        buf_append(b, &len, 4);
        if (ptrs[i] != NULL)
            buf_append(b, ptrs[i], strlen(ptrs[i]));
    }
}

/* Copies the value back (NULL stays NULL). */
static int
s_cb_copy(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
          err_t *err)
{
    if (is_null)
        return COPYROW_NULL;
    buf_append(out, raw, rawlen);
    return COPYROW_VALUE;
}

/* What to run over the text rows. */
typedef enum mode { MODE_MEMCPY, MODE_SPLIT, MODE_REWRITE } bench_mode_t;

/* Runs one pass over the text rows; returns seconds, and a checksum into *sum. */
static double
s_text_pass(const rows_t *rows, bench_mode_t mode, const bool *masked, uint64_t *sum)
{
    copyrow_field_t fields[NCOLS + 1];
    buf_t out, scratch;
    err_t err;
    double t0;

    buf_init(&out);
    buf_init(&scratch);
    *sum = 0;
    t0 = s_now();
    for (size_t i = 0; i < rows->n; i++) {
        const char *row = rows->data.data + rows->start[i];
        size_t len = rows->start[i + 1] - rows->start[i];
        int n;

        buf_reset(&out);
        if (mode == MODE_MEMCPY) {
            buf_append(&out, row, len);
            *sum += out.len;
            continue;
        }
        n = copyrow_text_split(row, len, fields, NCOLS + 1, &err);
        if (n != NCOLS) {
            fprintf(stderr, "row %zu: %d fields: %s\n", i, n, err.message);
            exit(1);
        }
        if (mode == MODE_SPLIT) {
            *sum += fields[NCOLS - 1].off;
            continue;
        }
        if (copyrow_text_rewrite(row, len, fields, n, s_cb_copy, masked, NULL, &scratch, &out,
                                 &err) != 0) {
            fprintf(stderr, "row %zu: %s\n", i, err.message);
            exit(1);
        }
        if (out.len != len || memcmp(out.data, row, len) != 0) {
            fprintf(stderr, "row %zu changed\n", i);
            exit(1);
        }
        *sum += out.len;
    }
    t0 = s_now() - t0;
    buf_free(&out);
    buf_free(&scratch);
    return t0;
}

/* Runs one pass over the binary stream cut into msg-byte messages; returns seconds. */
static double
s_bin_pass(const buf_t *stream, size_t msg, const bool *masked, uint64_t *sum)
{
    copyrow_bin_t *bin = copyrow_bin_new(NCOLS);
    copyrow_bin_item_t item;
    buf_t out;
    err_t err;
    double t0;
    int rc;

    buf_init(&out);
    *sum = 0;
    t0 = s_now();
    for (size_t pos = 0; pos < stream->len; pos += msg) {
        size_t n = stream->len - pos < msg ? stream->len - pos : msg;

        copyrow_bin_feed(bin, stream->data + pos, n);
        buf_reset(&out);
        while ((rc = copyrow_bin_next(bin, &item, &err)) == 1) {
            if (copyrow_bin_rewrite(&item, s_cb_copy, masked, NULL, &out, &err) != 0) {
                fprintf(stderr, "%s\n", err.message);
                exit(1);
            }
        }
        if (rc < 0) {
            fprintf(stderr, "%s\n", err.message);
            exit(1);
        }
        *sum += out.len;
    }
    if (copyrow_bin_finish(bin, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
    t0 = s_now() - t0;
    if (*sum != stream->len) {
        fprintf(stderr, "binary output differs in length\n");
        exit(1);
    }
    buf_free(&out);
    copyrow_bin_destroy(&bin);
    return t0;
}

/* Prints one result line: the best of the times. */
static void
s_report(const char *what, double best, size_t bytes, size_t nrows)
{
    printf("%-12s %8.0f MB/s  %6.2f M rows/s  (%.3f s)\n", what, (double) bytes / 1e6 / best,
           (double) nrows / 1e6 / best, best);
}

int
main(int argc, char **argv)
{
    size_t target = (size_t) (argc > 1 ? atol(argv[1]) : 200) * 1000 * 1000;
    bool none[NCOLS] = {false}, four[NCOLS] = {false, true, true, true, true, false, false};
    char vals[NCOLS][512];
    const char *ptrs[NCOLS];
    rows_t rows = {{NULL, 0, 0}, NULL, 0, 0};
    buf_t stream;
    uint64_t rng = 0x9E3779B97F4A7C15ull, sum = 0;
    const struct {
        const char *name;  /* label */
        bench_mode_t mode; /* what to do */
        const bool *mask;  /* masked fields */
    } runs[] = {{"memcpy", MODE_MEMCPY, NULL},
                {"split", MODE_SPLIT, NULL},
                {"rewrite/0", MODE_REWRITE, none},
                {"rewrite/4", MODE_REWRITE, four}};

    buf_init(&stream);
    buf_append(&stream, "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
    while (rows.data.len < target) {
        s_make_user(&rng, rows.n + 1, vals, ptrs);
        s_add_text_row(&rows, ptrs);
        s_add_bin_tuple(&stream, ptrs);
    }
    buf_append(&stream, "\377\377", 2);
    printf("text: %zu rows, %.1f MB, %.0f bytes a row; binary: %.1f MB\n", rows.n,
           (double) rows.data.len / 1e6, (double) rows.data.len / (double) rows.n,
           (double) stream.len / 1e6);

    for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
        double best = 1e9;

        for (int k = 0; k < 3; k++) {
            double t = s_text_pass(&rows, runs[r].mode, runs[r].mask, &sum);

            best = t < best ? t : best;
        }
        s_report(runs[r].name, best, rows.data.len, rows.n);
    }
    for (int m = 0; m < 2; m++) {
        double best = 1e9;

        for (int k = 0; k < 3; k++) {
            double t = s_bin_pass(&stream, 65536, m ? four : none, &sum);

            best = t < best ? t : best;
        }
        s_report(m ? "binary/4" : "binary/0", best, stream.len, rows.n);
    }
    buf_free(&rows.data);
    free(rows.start);
    buf_free(&stream);
    printf("(checksum %llu)\n", (unsigned long long) sum);
    return 0;
}
