/*
 * planner.h - the pure arithmetic of planning: which tables, how many chunks, where to cut.
 *
 * No database access and no logging here; the coordinator's catalog code feeds these
 * functions what it read from the source (histogram bounds, min/max, relpages) and turns the
 * results into chunk predicates. Every split is a list of boundaries b1 < b2 < ... < bk that
 * cuts the key space into k+1 ranges:
 *
 *     key < b1,   b1 <= key < b2,   ...,   key >= bk
 *
 * The first and last ranges are open, so every row falls in exactly one chunk whatever the
 * statistics say and however the table grew since they were taken.
 */
#ifndef CONFITURE_PLANNER_H
#define CONFITURE_PLANNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Number of chunks for a table of `bytes` (heap + TOAST) at chunk_size bytes each: at least
 * 1, ceil(bytes / chunk_size) otherwise, and never more than max_chunks. */
size_t planner_chunk_count(uint64_t bytes, uint64_t chunk_size, size_t max_chunks);

/*
 * Picks boundaries among sorted, distinct histogram bounds so that the ranges hold about the
 * same number of rows (each histogram bucket holds the same number of rows). bounds has
 * nbounds entries (the histogram's edges, nbounds >= 2, so nbounds-1 buckets); nchunks is the
 * wanted number of ranges. Writes the indexes of the chosen bounds, strictly increasing, into
 * picked (room for nchunks-1) and returns how many it chose: min(nchunks, nbounds-1) - 1 at
 * most, 0 when nchunks <= 1. The first and last bounds (the observed min and max) are never
 * picked, as a cut there would make an almost empty chunk.
 */
size_t planner_split_histogram(size_t nbounds, size_t nchunks, size_t *picked);

/*
 * Integer keys: boundaries for nchunks ranges of about equal row counts. bounds are the
 * sorted histogram bounds (nbounds >= 2) or, with no statistics, just {min, max}. When more
 * chunks are wanted than there are buckets, each bucket is cut linearly. Writes strictly
 * increasing boundaries into splits (room for nchunks-1) and returns their number (fewer
 * when the key range is too narrow; 0 when nchunks <= 1).
 */
size_t planner_split_int(const int64_t *bounds, size_t nbounds, size_t nchunks, int64_t *splits);

/*
 * Tables with no usable key: block boundaries for ctid ranges. relpages is the heap size in
 * blocks; writes up to nchunks-1 strictly increasing block numbers into splits (each > 0)
 * and returns their number.
 */
size_t planner_split_blocks(uint64_t relpages, size_t nchunks, uint64_t *splits);

/*
 * Builds the WHERE condition of range i of a split: "<key> >= <lo> AND <key> < <hi>", with
 * lo NULL for the first range and hi NULL for the last ("<key> < <hi>", "<key> >= <lo>"),
 * and "true" when both are NULL. key and the literals are pasted as given: the caller quotes
 * them. Caller frees the result.
 */
char *planner_range_predicate(const char *key, const char *lo, const char *hi);

/*
 * Table selection. A pattern is "schema.table" or "table" (any schema), where each part may
 * use the shell wildcards * ? and [...] (fnmatch), and a part in double quotes is matched
 * literally and case-sensitively ("My Schema"."Order*" matches only that name); unquoted
 * parts also match literally, with case preserved. Returns true when the table matches.
 */
bool planner_table_matches(const char *pattern, const char *schema, const char *table);

/*
 * Splits a comma-separated pattern list ("public.users, public.order*") into trimmed, non-
 * empty patterns (commas inside double quotes do not split). Returns the count and sets
 * *patterns to a NULL-terminated malloc'd array (free with planner_free_strings), or -1 when
 * a quote is not closed.
 */
int planner_split_patterns(const char *list, char ***patterns);

/* Frees a NULL-terminated string array and its strings; safe on NULL. */
void planner_free_strings(char **strings);

#endif
