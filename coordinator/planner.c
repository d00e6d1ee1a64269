/*
 * planner.c - the pure arithmetic of planning: which tables, how many chunks, where to cut.
 *
 * Every split returns boundaries b1 < b2 < ... < bk; the ranges key < b1, b1 <= key < b2, ...,
 * key >= bk are disjoint and cover the whole key space, so whatever the statistics say, no row
 * is lost or doubled. The arithmetic is done in 128 bits where a product or a difference of
 * 64-bit values could overflow (INT64_MIN..INT64_MAX is a valid key range).
 *
 * Histograms. pg_stats.histogram_bounds cuts the column into buckets of equal row counts, so
 * the i-th of n equal-row boundaries sits at the fractional bucket position q = i*B/n (B the
 * number of buckets). When there are at least as many buckets as chunks we cut at the nearest
 * bound (round(q)); with more chunks than buckets an integer key is cut inside its bucket by
 * linear interpolation, assuming rows are spread evenly within one bucket. For integer keys,
 * key < x is the same as key < ceil(x), so interpolated cuts are rounded up: that is exact,
 * and it keeps every cut above the range's minimum.
 */
#include "coordinator/planner.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned __int128 u128_t;

size_t
planner_chunk_count(uint64_t bytes, uint64_t chunk_size, size_t max_chunks)
{
    uint64_t n;

    if (chunk_size == 0)
        return 1;
    n = bytes / chunk_size + (bytes % chunk_size != 0 ? 1 : 0);
    if (n < 1)
        n = 1;
    if (max_chunks > 0 && n > max_chunks)
        n = max_chunks;
    if (n > SIZE_MAX)
        n = SIZE_MAX;
    return (size_t) n;
}

/* The bound nearest to boundary i of n over B buckets: round(i * B / n), in 128 bits. */
static size_t
s_nearest_bound(size_t i, size_t buckets, size_t nchunks)
{
    u128_t num = (u128_t) 2 * i * buckets + nchunks;

    return (size_t) (num / ((u128_t) 2 * nchunks));
}

size_t
planner_split_histogram(size_t nbounds, size_t nchunks, size_t *picked)
{
    size_t buckets;
    size_t count = 0;

    if (nchunks <= 1 || nbounds < 3)
        return 0;
    buckets = nbounds - 1;
    for (size_t i = 1; i < nchunks; i++) {
        size_t idx = s_nearest_bound(i, buckets, nchunks);

        if (idx == 0 || idx >= buckets)
            continue;
        if (count > 0 && idx <= picked[count - 1])
            continue;
        picked[count++] = idx;
    }
    return count;
}

/* Appends value to splits when it keeps them strictly increasing and inside (lo, hi]. */
static void
s_push_split(int64_t *splits, size_t *count, int64_t value, int64_t lo, int64_t hi)
{
    if (value <= lo || value > hi)
        return;
    if (*count > 0 && value <= splits[*count - 1])
        return;
    splits[(*count)++] = value;
}

size_t
planner_split_int(const int64_t *bounds, size_t nbounds, size_t nchunks, int64_t *splits)
{
    size_t buckets;
    size_t count = 0;
    int64_t lo, hi;

    if (nchunks <= 1 || nbounds < 2 || bounds == NULL)
        return 0;
    buckets = nbounds - 1;
    lo = bounds[0];
    hi = bounds[nbounds - 1];
    if (hi <= lo)
        return 0;

    if (nchunks <= buckets) {
        /* enough buckets: cut at the nearest histogram bounds (planner_split_histogram's
         * picks); s_push_split drops the first and last bounds and any repeat */
        for (size_t i = 1; i < nchunks; i++) {
            size_t idx = s_nearest_bound(i, buckets, nchunks);

            if (idx > 0 && idx < buckets)
                s_push_split(splits, &count, bounds[idx], lo, hi);
        }
        return count;
    }

    /* more chunks than buckets: boundary i sits at bucket position q = i*B/n, cut linearly */
    for (size_t i = 1; i < nchunks; i++) {
        u128_t num = (u128_t) i * buckets;
        size_t k = (size_t) (num / nchunks);
        u128_t rem = num % nchunks;
        __int128 base = bounds[k];
        __int128 width = (__int128) bounds[k + 1] - base;
        u128_t offset = 0;

        if (width > 0 && rem > 0) {
            /* ceil(rem * width / n): rem < n and width < 2^64, so no overflow */
            offset = (rem * (u128_t) width + nchunks - 1) / nchunks;
        }
        s_push_split(splits, &count, (int64_t) (base + (__int128) offset), lo, hi);
    }
    return count;
}

size_t
planner_split_blocks(uint64_t relpages, size_t nchunks, uint64_t *splits)
{
    size_t count = 0;

    if (nchunks <= 1 || relpages < 2)
        return 0;
    for (size_t i = 1; i < nchunks; i++) {
        uint64_t block = (uint64_t) (((u128_t) i * relpages) / nchunks);

        /* a cut at 0 or at relpages would leave an empty chunk */
        if (block == 0 || block >= relpages)
            continue;
        if (count > 0 && block <= splits[count - 1])
            continue;
        splits[count++] = block;
    }
    return count;
}

char *
planner_range_predicate(const char *key, const char *lo, const char *hi)
{
    char *text = NULL;
    int rc;

    if (lo != NULL && hi != NULL)
        rc = asprintf(&text, "%s >= %s AND %s < %s", key, lo, key, hi);
    else if (lo != NULL)
        rc = asprintf(&text, "%s >= %s", key, lo);
    else if (hi != NULL)
        rc = asprintf(&text, "%s < %s", key, hi);
    else
        rc = asprintf(&text, "true");
    return rc < 0 ? NULL : text;
}

/*
 * Turns one pattern part (text[0..len)) into an fnmatch pattern in out (room for 2*len+1):
 * unquoted characters are copied as they are (wildcards stay active), quoted ones are escaped
 * with a backslash so they match literally; "" inside quotes is one literal quote. Returns -1
 * when a quote is not closed.
 */
static int
s_part_to_glob(const char *text, size_t len, char *out)
{
    bool quoted = false;
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = text[i];

        if (c == '"') {
            if (quoted && i + 1 < len && text[i + 1] == '"') {
                out[o++] = '"';
                i++;
            } else {
                quoted = !quoted;
            }
            continue;
        }
        if (quoted && strchr("*?[]\\", c) != NULL)
            out[o++] = '\\';
        out[o++] = c;
    }
    out[o] = '\0';
    return quoted ? -1 : 0;
}

/* True when the pattern part text[0..len) matches name. */
static bool
s_part_matches(const char *text, size_t len, const char *name)
{
    char *glob = malloc(2 * len + 1);
    bool match;

    if (glob == NULL)
        return false;
    match = s_part_to_glob(text, len, glob) == 0 && fnmatch(glob, name, 0) == 0;
    free(glob);
    return match;
}

bool
planner_table_matches(const char *pattern, const char *schema, const char *table)
{
    bool quoted = false;
    const char *dot = NULL;

    if (pattern == NULL || table == NULL)
        return false;
    /* the first dot outside double quotes separates schema from table */
    for (const char *p = pattern; *p != '\0'; p++) {
        if (*p == '"')
            quoted = !quoted; /* "" toggles twice: still inside */
        else if (*p == '.' && !quoted) {
            dot = p;
            break;
        }
    }
    if (dot == NULL)
        return s_part_matches(pattern, strlen(pattern), table);
    if (schema == NULL)
        return false;
    return s_part_matches(pattern, (size_t) (dot - pattern), schema) &&
           s_part_matches(dot + 1, strlen(dot + 1), table);
}

/* Copies text[0..len) without its leading and trailing whitespace; NULL when nothing is left
 * (*failed is set when the copy could not be allocated). */
static char *
s_trimmed_copy(const char *text, size_t len, bool *failed)
{
    char *copy;

    while (len > 0 && isspace((unsigned char) text[0])) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char) text[len - 1]))
        len--;
    if (len == 0)
        return NULL;
    copy = strndup(text, len);
    if (copy == NULL)
        *failed = true;
    return copy;
}

int
planner_split_patterns(const char *list, char ***patterns)
{
    char **out;
    size_t cap = 1; /* the terminating NULL */
    size_t count = 0;
    bool quoted = false;
    bool failed = false;
    const char *start;

    *patterns = NULL;
    if (list == NULL)
        list = "";
    for (const char *p = list; *p != '\0'; p++) {
        if (*p == '"')
            quoted = !quoted;
        else if (*p == ',' && !quoted)
            cap++;
    }
    if (quoted)
        return -1;
    cap++;
    out = calloc(cap, sizeof(*out));
    if (out == NULL)
        return -1;

    start = list;
    for (const char *p = list;; p++) {
        if (*p == '"')
            quoted = !quoted;
        if (*p == '\0' || (*p == ',' && !quoted)) {
            char *item = s_trimmed_copy(start, (size_t) (p - start), &failed);

            if (failed) {
                planner_free_strings(out);
                return -1;
            }
            if (item != NULL)
                out[count++] = item;
            if (*p == '\0')
                break;
            start = p + 1;
        }
    }
    out[count] = NULL;
    *patterns = out;
    return (int) count;
}

void
planner_free_strings(char **strings)
{
    if (strings == NULL)
        return;
    for (char **s = strings; *s != NULL; s++)
        free(*s);
    free(strings);
}
