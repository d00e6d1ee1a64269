/*
 * test_planner.c - unit tests for coordinator/planner.c: chunk counts, histogram picks,
 * integer and block splits, range predicates, table patterns.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coordinator/planner.h"

Suite *test_planner_suite(void);

/* ck_assert_msg without Check's per-assertion bookkeeping (a write(2) each time it passes),
 * for the hot loops of the property tests. */
#define FAST_ASSERT(expr, ...)                                                                     \
    do {                                                                                           \
        if (!(expr))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

/* Asserts that splits[0..n) is strictly increasing and inside (lo, hi]. */
static void
s_assert_int_splits(const int64_t *splits, size_t n, int64_t lo, int64_t hi)
{
    for (size_t i = 0; i < n; i++) {
        FAST_ASSERT(splits[i] > lo, "split %zu (%lld) not above min %lld", i, (long long) splits[i],
                    (long long) lo);
        FAST_ASSERT(splits[i] <= hi, "split %zu (%lld) above max %lld", i, (long long) splits[i],
                    (long long) hi);
        if (i > 0)
            FAST_ASSERT(splits[i] > splits[i - 1], "split %zu (%lld) <= previous (%lld)", i,
                        (long long) splits[i], (long long) splits[i - 1]);
    }
}

/* Counts how many of the keys lo..hi-1 fall in each range of a split into counts[0..n]. */
static void
s_count_ranges(const int64_t *splits, size_t n, int64_t lo, int64_t hi, size_t *counts)
{
    memset(counts, 0, (n + 1) * sizeof(*counts));
    for (int64_t key = lo; key < hi; key++) {
        size_t r = 0;

        while (r < n && key >= splits[r])
            r++;
        counts[r]++;
    }
}

/* --- planner_chunk_count -------------------------------------------------------------- */

START_TEST(test_chunk_count)
{
    ck_assert_uint_eq(planner_chunk_count(0, 100, 0), 1);
    ck_assert_uint_eq(planner_chunk_count(1, 100, 0), 1);
    ck_assert_uint_eq(planner_chunk_count(100, 100, 0), 1);
    ck_assert_uint_eq(planner_chunk_count(101, 100, 0), 2);
    ck_assert_uint_eq(planner_chunk_count(1000, 100, 0), 10);
    ck_assert_uint_eq(planner_chunk_count(1001, 100, 0), 11);
    ck_assert_uint_eq(planner_chunk_count(UINT64_MAX, 1, 0), (size_t) UINT64_MAX);
    ck_assert_uint_eq(planner_chunk_count(UINT64_MAX, UINT64_MAX, 0), 1);
}
END_TEST

START_TEST(test_chunk_count_cap)
{
    ck_assert_uint_eq(planner_chunk_count(1000, 100, 4), 4);
    ck_assert_uint_eq(planner_chunk_count(1000, 100, 10), 10);
    ck_assert_uint_eq(planner_chunk_count(1000, 100, 11), 10);
    ck_assert_uint_eq(planner_chunk_count(0, 100, 4), 1);
    ck_assert_uint_eq(planner_chunk_count(1000, 100, 1), 1);
    /* chunk size 0 is not a division by zero */
    ck_assert_uint_eq(planner_chunk_count(1000, 0, 0), 1);
}
END_TEST

/* --- planner_split_histogram ---------------------------------------------------------- */

START_TEST(test_histogram_uniform)
{
    size_t picked[9];
    size_t n;

    /* 101 bounds = 100 buckets, 4 chunks: quartiles */
    n = planner_split_histogram(101, 4, picked);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(picked[0], 25);
    ck_assert_uint_eq(picked[1], 50);
    ck_assert_uint_eq(picked[2], 75);

    /* 101 bounds, 3 chunks: round(33.3) = 33, round(66.7) = 67 */
    n = planner_split_histogram(101, 3, picked);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(picked[0], 33);
    ck_assert_uint_eq(picked[1], 67);

    /* as many chunks as buckets: every inner bound */
    n = planner_split_histogram(11, 10, picked);
    ck_assert_uint_eq(n, 9);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(picked[i], i + 1);
}
END_TEST

START_TEST(test_histogram_tiny)
{
    size_t picked[16];

    /* two bounds (min, max): no inner bound to pick */
    ck_assert_uint_eq(planner_split_histogram(2, 4, picked), 0);
    /* fewer than two bounds: nothing */
    ck_assert_uint_eq(planner_split_histogram(1, 4, picked), 0);
    ck_assert_uint_eq(planner_split_histogram(0, 4, picked), 0);
    /* three bounds: only the middle one */
    ck_assert_uint_eq(planner_split_histogram(3, 2, picked), 1);
    ck_assert_uint_eq(picked[0], 1);
}
END_TEST

START_TEST(test_histogram_more_chunks_than_buckets)
{
    size_t picked[99];
    size_t n;

    /* 5 buckets, 100 chunks: every inner bound once, min(100, 5) - 1 = 4 */
    n = planner_split_histogram(6, 100, picked);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(picked[i], i + 1);

    /* 3 buckets, 4 chunks */
    n = planner_split_histogram(4, 4, picked);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(picked[0], 1);
    ck_assert_uint_eq(picked[1], 2);
}
END_TEST

START_TEST(test_histogram_one_chunk)
{
    size_t picked[1] = {12345};

    ck_assert_uint_eq(planner_split_histogram(101, 1, picked), 0);
    ck_assert_uint_eq(planner_split_histogram(101, 0, picked), 0);
    ck_assert_uint_eq(picked[0], 12345); /* nothing written */
}
END_TEST

START_TEST(test_histogram_property)
{
    srandom(4242);
    for (int round = 0; round < 2000; round++) {
        size_t nbounds = 2 + (size_t) (random() % 300);
        size_t nchunks = 1 + (size_t) (random() % 400);
        size_t buckets = nbounds - 1;
        size_t *picked = malloc(nchunks * sizeof(*picked));
        size_t n = planner_split_histogram(nbounds, nchunks, picked);
        size_t limit = (nchunks < buckets ? nchunks : buckets) - 1;

        FAST_ASSERT(n <= limit, "%zu picks, limit %zu", n, limit);
        for (size_t i = 0; i < n; i++) {
            FAST_ASSERT(picked[i] >= 1 && picked[i] <= buckets - 1, "pick %zu out of range",
                        picked[i]);
            FAST_ASSERT(i == 0 || picked[i] > picked[i - 1], "pick %zu not increasing", i);
        }
        /* with enough buckets, each pick is within half a bucket of its quantile */
        if (nchunks <= buckets && nchunks > 1) {
            FAST_ASSERT(n == nchunks - 1, "%zu picks for %zu chunks", n, nchunks);
            for (size_t i = 0; i < n; i++) {
                double ideal = (double) (i + 1) * (double) buckets / (double) nchunks;
                double diff = (double) picked[i] - ideal;

                FAST_ASSERT(diff <= 0.5 && diff >= -0.5, "pick %zu off by %f", i, diff);
            }
        }
        free(picked);
    }
}
END_TEST

/* --- planner_split_int ---------------------------------------------------------------- */

START_TEST(test_int_uniform_minmax)
{
    int64_t bounds[] = {0, 1000};
    int64_t splits[9];
    size_t counts[10];
    size_t n;

    n = planner_split_int(bounds, 2, 4, splits);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(splits[0], 250);
    ck_assert_int_eq(splits[1], 500);
    ck_assert_int_eq(splits[2], 750);

    /* 1000 keys into 3: each range holds 333 or 334 */
    n = planner_split_int(bounds, 2, 3, splits);
    ck_assert_uint_eq(n, 2);
    s_assert_int_splits(splits, n, 0, 1000);
    s_count_ranges(splits, n, 0, 1000, counts);
    for (size_t i = 0; i <= n; i++)
        ck_assert(counts[i] == 333 || counts[i] == 334);

    /* one chunk: no split */
    ck_assert_uint_eq(planner_split_int(bounds, 2, 1, splits), 0);
    ck_assert_uint_eq(planner_split_int(bounds, 2, 0, splits), 0);
}
END_TEST

START_TEST(test_int_histogram_bounds)
{
    /* 4 buckets of equal rows on a skewed key: cuts at the inner bounds */
    int64_t bounds[] = {-50, 10, 11, 400, 90000};
    int64_t splits[3];
    size_t n;

    n = planner_split_int(bounds, 5, 4, splits);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(splits[0], 10);
    ck_assert_int_eq(splits[1], 11);
    ck_assert_int_eq(splits[2], 400);

    /* two chunks: the median bound */
    n = planner_split_int(bounds, 5, 2, splits);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(splits[0], 11);

    /* a boundary between bounds goes to the nearest bound (round half up), not in between */
    {
        int64_t even[] = {0, 10, 20, 30};

        n = planner_split_int(even, 4, 2, splits);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(splits[0], 20);
    }
}
END_TEST

START_TEST(test_int_skewed)
{
    /* five buckets of equal rows: four in 1..5, one spread over 5..1000000 */
    int64_t bounds[] = {1, 2, 3, 4, 5, 1000000};
    int64_t splits[19];
    size_t n;
    size_t dense = 0;

    n = planner_split_int(bounds, 6, 20, splits);
    s_assert_int_splits(splits, n, 1, 1000000);
    for (size_t i = 0; i < n; i++) {
        if (splits[i] <= 5)
            dense++;
    }
    /* every possible cut in the dense 1..5 range is taken */
    ck_assert_uint_eq(dense, 4);
    /* the sparse bucket gets its share (4 of 20 chunks: 3 inner cuts), cut evenly */
    ck_assert_uint_eq(n, 7);
    ck_assert_int_eq(splits[4], 5 + 249999);
    ck_assert_int_eq(splits[5], 5 + 499998);
    ck_assert_int_eq(splits[6], 5 + 749997);

    /* many more chunks than buckets: still strictly increasing */
    {
        int64_t many[999];

        n = planner_split_int(bounds, 6, 1000, many);
        s_assert_int_splits(many, n, 1, 1000000);
        ck_assert_uint_ge(n, 200);
    }
}
END_TEST

START_TEST(test_int_narrow)
{
    int64_t same[] = {7, 7};
    int64_t pair[] = {7, 8};
    int64_t four[] = {0, 3};
    int64_t splits[16];
    size_t n;

    /* min = max: nothing to cut */
    ck_assert_uint_eq(planner_split_int(same, 2, 4, splits), 0);
    /* max = min + 1: one cut, at max (key < 8 holds 7, key >= 8 holds 8) */
    n = planner_split_int(pair, 2, 4, splits);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(splits[0], 8);
    /* more chunks than values 0..3: one chunk per value */
    n = planner_split_int(four, 2, 10, splits);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(splits[0], 1);
    ck_assert_int_eq(splits[1], 2);
    ck_assert_int_eq(splits[2], 3);
    /* repeated bounds at the bottom never give a cut at the minimum (an empty first chunk) */
    {
        int64_t low[] = {5, 5, 10};
        int64_t low4[] = {5, 5, 10, 20};

        n = planner_split_int(low, 3, 4, splits);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(splits[0], 8);
        n = planner_split_int(low4, 4, 3, splits);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(splits[0], 10);
    }
    /* a degenerate histogram with all bounds equal */
    {
        int64_t flat[] = {5, 5, 5, 5};

        ck_assert_uint_eq(planner_split_int(flat, 4, 3, splits), 0);
        ck_assert_uint_eq(planner_split_int(flat, 4, 10, splits), 0);
    }
}
END_TEST

START_TEST(test_int_extremes)
{
    int64_t bounds[] = {INT64_MIN, INT64_MAX};
    int64_t splits[1023];
    size_t n;

    n = planner_split_int(bounds, 2, 2, splits);
    ck_assert_uint_eq(n, 1);
    /* the midpoint of 2^64 - 1 values, rounded up */
    ck_assert_int_eq(splits[0], 0);

    n = planner_split_int(bounds, 2, 4, splits);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(splits[0], INT64_MIN / 2);
    ck_assert_int_eq(splits[1], 0);
    ck_assert_int_eq(splits[2], INT64_MAX / 2 + 1);

    n = planner_split_int(bounds, 2, 1024, splits);
    ck_assert_uint_eq(n, 1023);
    s_assert_int_splits(splits, n, INT64_MIN, INT64_MAX);

    /* a histogram reaching both ends */
    {
        int64_t hist[] = {INT64_MIN, -1, 0, INT64_MAX};

        n = planner_split_int(hist, 4, 9, splits);
        s_assert_int_splits(splits, n, INT64_MIN, INT64_MAX);
        ck_assert_uint_ge(n, 6);
    }
}
END_TEST

START_TEST(test_int_property)
{
    srandom(1234);
    for (int round = 0; round < 3000; round++) {
        size_t nbounds = 2 + (size_t) (random() % 40);
        size_t nchunks = 1 + (size_t) (random() % 200);
        int64_t *bounds = malloc(nbounds * sizeof(*bounds));
        int64_t *splits = malloc(nchunks * sizeof(*splits));
        int mode = (int) (random() % 3);
        size_t n;

        /* sorted random bounds: narrow, wide, or anywhere in int64 */
        for (size_t i = 0; i < nbounds; i++) {
            uint64_t r =
                ((uint64_t) random() << 33) ^ ((uint64_t) random() << 2) ^ (uint64_t) random();

            if (mode == 0)
                bounds[i] = (int64_t) (r % 50) - 25;
            else if (mode == 1)
                bounds[i] = (int64_t) (r % 1000000);
            else
                bounds[i] = (int64_t) r;
        }
        for (size_t i = 1; i < nbounds; i++) { /* insertion sort, then drop duplicates */
            int64_t v = bounds[i];
            size_t j = i;

            while (j > 0 && bounds[j - 1] > v) {
                bounds[j] = bounds[j - 1];
                j--;
            }
            bounds[j] = v;
        }
        {
            size_t m = 1;

            for (size_t i = 1; i < nbounds; i++) {
                if (bounds[i] != bounds[m - 1])
                    bounds[m++] = bounds[i];
            }
            if (m >= 2)
                nbounds = m;
        }

        n = planner_split_int(bounds, nbounds, nchunks, splits);
        FAST_ASSERT(n <= nchunks - 1, "%zu splits for %zu chunks", n, nchunks);
        s_assert_int_splits(splits, n, bounds[0], bounds[nbounds - 1]);
        /* at least as many cuts as there are inner bounds to use, when chunks allow */
        if (bounds[nbounds - 1] > bounds[0] && nchunks > 1)
            FAST_ASSERT(n >= 1, "no split of a non-empty range into %zu", nchunks);
        free(bounds);
        free(splits);
    }
}
END_TEST

/* --- planner_split_blocks ------------------------------------------------------------- */

START_TEST(test_blocks)
{
    uint64_t splits[16];
    size_t n;

    ck_assert_uint_eq(planner_split_blocks(0, 4, splits), 0);
    ck_assert_uint_eq(planner_split_blocks(1, 4, splits), 0);
    ck_assert_uint_eq(planner_split_blocks(1000, 1, splits), 0);

    n = planner_split_blocks(100, 4, splits);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(splits[0], 25);
    ck_assert_uint_eq(splits[1], 50);
    ck_assert_uint_eq(splits[2], 75);

    /* fewer pages than chunks: one block per chunk */
    n = planner_split_blocks(3, 10, splits);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(splits[0], 1);
    ck_assert_uint_eq(splits[1], 2);

    /* two pages: one cut */
    n = planner_split_blocks(2, 16, splits);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(splits[0], 1);

    /* no overflow near the top */
    n = planner_split_blocks(UINT64_MAX, 4, splits);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(splits[0], UINT64_MAX / 4);
    ck_assert_uint_eq(splits[2], UINT64_MAX / 4 * 3 + 2);
    for (size_t i = 1; i < n; i++)
        ck_assert_uint_gt(splits[i], splits[i - 1]);
}
END_TEST

/* --- planner_range_predicate ---------------------------------------------------------- */

START_TEST(test_predicates)
{
    char *p;

    p = planner_range_predicate("id", NULL, "100");
    ck_assert_str_eq(p, "id < 100");
    free(p);
    p = planner_range_predicate("id", "100", "200");
    ck_assert_str_eq(p, "id >= 100 AND id < 200");
    free(p);
    p = planner_range_predicate("\"Order Id\"", "'b'", NULL);
    ck_assert_str_eq(p, "\"Order Id\" >= 'b'");
    free(p);
    p = planner_range_predicate("id", NULL, NULL);
    ck_assert_str_eq(p, "true");
    free(p);
}
END_TEST

/* --- planner_table_matches ------------------------------------------------------------ */

START_TEST(test_match_wildcards)
{
    ck_assert(planner_table_matches("public.users", "public", "users"));
    ck_assert(!planner_table_matches("public.users", "public", "users2"));
    ck_assert(!planner_table_matches("public.users", "private", "users"));
    ck_assert(planner_table_matches("public.order*", "public", "orders"));
    ck_assert(planner_table_matches("public.order*", "public", "order"));
    ck_assert(!planner_table_matches("public.order*", "public", "customer_orders"));
    ck_assert(planner_table_matches("*.log_202?", "audit", "log_2024"));
    ck_assert(!planner_table_matches("*.log_202?", "audit", "log_20245"));
    ck_assert(planner_table_matches("s[0-9].t", "s7", "t"));
    ck_assert(!planner_table_matches("s[0-9].t", "sx", "t"));
    ck_assert(planner_table_matches("*.*", "any", "thing"));
}
END_TEST

START_TEST(test_match_no_schema)
{
    ck_assert(planner_table_matches("users", "public", "users"));
    ck_assert(planner_table_matches("users", "other", "users"));
    ck_assert(!planner_table_matches("users", "users", "accounts"));
    ck_assert(planner_table_matches("user*", "x", "user_roles"));
    ck_assert(planner_table_matches("*", "x", "anything"));
}
END_TEST

START_TEST(test_match_case)
{
    /* unquoted parts keep their case: no folding */
    ck_assert(!planner_table_matches("public.users", "public", "Users"));
    ck_assert(planner_table_matches("public.Users", "public", "Users"));
    ck_assert(planner_table_matches("\"Public\".\"Users\"", "Public", "Users"));
    ck_assert(!planner_table_matches("\"Public\".\"Users\"", "public", "users"));
}
END_TEST

START_TEST(test_match_quoted)
{
    /* a dot inside quotes does not split */
    ck_assert(planner_table_matches("\"a.b\".c", "a.b", "c"));
    ck_assert(!planner_table_matches("\"a.b\".c", "a", "b.c"));
    ck_assert(planner_table_matches("public.\"x.y\"", "public", "x.y"));
    ck_assert(planner_table_matches("\"x.y\"", "any", "x.y"));
    ck_assert(!planner_table_matches("\"x.y\"", "x", "y"));
    /* spaces */
    ck_assert(planner_table_matches("\"My Schema\".\"My Table\"", "My Schema", "My Table"));
    /* wildcards inside quotes are literal */
    ck_assert(planner_table_matches("\"My Schema\".\"Order*\"", "My Schema", "Order*"));
    ck_assert(!planner_table_matches("\"My Schema\".\"Order*\"", "My Schema", "Orders"));
    ck_assert(planner_table_matches("\"a?\".t", "a?", "t"));
    ck_assert(!planner_table_matches("\"a?\".t", "ab", "t"));
    /* a quoted part next to an unquoted wildcard */
    ck_assert(planner_table_matches("public.\"Order\"*", "public", "Orders"));
    ck_assert(!planner_table_matches("public.\"Order\"*", "public", "orders"));
}
END_TEST

START_TEST(test_match_quote_escape)
{
    /* "" inside quotes is a literal double quote */
    ck_assert(planner_table_matches("public.\"say \"\"hi\"\"\"", "public", "say \"hi\""));
    ck_assert(!planner_table_matches("public.\"say \"\"hi\"\"\"", "public", "say hi"));
    ck_assert(planner_table_matches("\"a\"\".b\".t", "a\".b", "t"));
    /* an unclosed quote matches nothing */
    ck_assert(!planner_table_matches("\"public.users", "public", "users"));
    ck_assert(!planner_table_matches("\"users", "public", "users"));
    ck_assert(!planner_table_matches("public.\"users", "public", "users"));
}
END_TEST

/* --- planner_split_patterns ----------------------------------------------------------- */

START_TEST(test_split_patterns)
{
    char **p = NULL;
    int n;

    n = planner_split_patterns("public.users, public.order*", &p);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(p[0], "public.users");
    ck_assert_str_eq(p[1], "public.order*");
    ck_assert_ptr_null(p[2]);
    planner_free_strings(p);

    n = planner_split_patterns("  a ,, ,\tb\t,  ", &p);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(p[0], "a");
    ck_assert_str_eq(p[1], "b");
    ck_assert_ptr_null(p[2]);
    planner_free_strings(p);

    n = planner_split_patterns("", &p);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(p[0]);
    planner_free_strings(p);

    n = planner_split_patterns(" , ", &p);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_null(p[0]);
    planner_free_strings(p);

    planner_free_strings(NULL);
}
END_TEST

START_TEST(test_split_patterns_quoted)
{
    char **p = NULL;
    int n;

    n = planner_split_patterns("\"a,b\".t , \" spaced , name \", x", &p);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(p[0], "\"a,b\".t");
    ck_assert_str_eq(p[1], "\" spaced , name \"");
    ck_assert_str_eq(p[2], "x");
    ck_assert_ptr_null(p[3]);
    /* the pieces still match as patterns */
    ck_assert(planner_table_matches(p[0], "a,b", "t"));
    ck_assert(planner_table_matches(p[1], "s", " spaced , name "));
    planner_free_strings(p);

    n = planner_split_patterns("\"q\"\"x,y\".t", &p);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(p[0], "\"q\"\"x,y\".t");
    planner_free_strings(p);
}
END_TEST

START_TEST(test_split_patterns_unclosed)
{
    char **p = (char **) 1;

    ck_assert_int_eq(planner_split_patterns("a, \"b,c", &p), -1);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(planner_split_patterns("\"", &p), -1);
    ck_assert_int_eq(planner_split_patterns("a\"\"\"", &p), -1);
}
END_TEST

Suite *
test_planner_suite(void)
{
    Suite *s = suite_create("planner");
    TCase *tc = tcase_create("planner");

    tcase_add_test(tc, test_chunk_count);
    tcase_add_test(tc, test_chunk_count_cap);
    tcase_add_test(tc, test_histogram_uniform);
    tcase_add_test(tc, test_histogram_tiny);
    tcase_add_test(tc, test_histogram_more_chunks_than_buckets);
    tcase_add_test(tc, test_histogram_one_chunk);
    tcase_add_test(tc, test_histogram_property);
    tcase_add_test(tc, test_int_uniform_minmax);
    tcase_add_test(tc, test_int_histogram_bounds);
    tcase_add_test(tc, test_int_skewed);
    tcase_add_test(tc, test_int_narrow);
    tcase_add_test(tc, test_int_extremes);
    tcase_add_test(tc, test_int_property);
    tcase_add_test(tc, test_blocks);
    tcase_add_test(tc, test_predicates);
    tcase_add_test(tc, test_match_wildcards);
    tcase_add_test(tc, test_match_no_schema);
    tcase_add_test(tc, test_match_case);
    tcase_add_test(tc, test_match_quoted);
    tcase_add_test(tc, test_match_quote_escape);
    tcase_add_test(tc, test_split_patterns);
    tcase_add_test(tc, test_split_patterns_quoted);
    tcase_add_test(tc, test_split_patterns_unclosed);
    suite_add_tcase(s, tc);
    return s;
}
