/*
 * mask.h - masking strategies: keyed, deterministic functions from a column value to a masked
 * value of the same column type.
 *
 * A value is masked by a rule (a strategy, its options, a domain or seed, the column's type)
 * under a key (32 secret bytes). Every strategy derives its output from a keyed
 * pseudorandom function of (key, salt, input), the salt being the rule's domain or else its
 * strategy name and seed: the same key, rule and input give the same output on every host
 * and in every run, so masked keys still join across tables; another key gives another
 * output; without the key the output cannot be reversed by hashing a dictionary of inputs.
 * The pseudorandom functions come from libsodium (BLAKE2b and SipHash-2-4); worker/mask.c
 * describes the construction and which strategies keep unique inputs unique.
 *
 * Values travel as their TEXT representation, as COPY's text format carries them, already
 * unescaped (not COPY's binary format); dates and timestamps must be in DateStyle ISO (the
 * worker's session sets it), text in UTF-8 for the character-aware strategies.
 * SQL NULL is the caller's business: mask_apply is never called for a NULL (NULL stays
 * NULL); only the strategy "null" turns a value into NULL, by returning MASK_NULL.
 *
 * Pure code: nothing here logs; errors fill the caller's err_t (code "rules" and exit code
 * EXIT_CODE_CONFIG for a bad rule, "mask_key" for a bad key, "mask" and EXIT_CODE_FAILED for
 * a value that cannot be read as its type). A message never quotes the value being masked:
 * values are the personal data this module exists to hide.
 *
 * Threads: a rule caches the subkeys derived from the last key it was applied with, so one
 * rule must not be applied from two threads at once (a worker process masks in one thread;
 * give each thread its own rules otherwise). Everything else is thread-safe.
 */
#ifndef CONFITURE_MASK_H
#define CONFITURE_MASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/value.h"

/* Bytes of a masking key. */
#define MASK_KEY_BYTES 32

/* Shortest secret mask_key_from_text and mask_key_from_file accept, in bytes. */
#define MASK_SECRET_MIN 16

/* Longest key file mask_key_from_file reads, in bytes. */
#define MASK_KEY_FILE_MAX 4096

/* Characters of a key fingerprint (hex), without its NUL. */
#define MASK_FINGERPRINT_LEN 16

/* What mask_apply returns besides -1. */
enum {
    MASK_VALUE = 0, /* the masked value was appended to out */
    MASK_NULL = 1   /* the masked value is SQL NULL (strategy "null"); nothing was appended */
};

/* A masking key: 32 secret bytes. Never log it, never send it; wipe it with mask_key_wipe. */
typedef struct mask_key {
    unsigned char bytes[MASK_KEY_BYTES]; /* the secret */
} mask_key_t;

/*
 * Derives a key from a secret string (BLAKE2b-256 of its bytes, with a fixed context): any
 * string of at least MASK_SECRET_MIN bytes, e.g. the value of CONFITURE_MASK_KEY. The
 * derivation is fast, not a password hash: give a random secret (openssl rand -base64 32),
 * not a word. Returns 0, or -1 with err set when secret is NULL or too short.
 */
int mask_key_from_text(const char *secret, mask_key_t *key, err_t *err);

/*
 * Derives a key from the content of the file at path, as mask_key_from_text does from a
 * string, after removing trailing newlines (\n and \r\n: editors add them). The content may
 * be any bytes (a binary key works). Refuses a file that other users may read (mode o+r,
 * as ssh refuses a private key: chmod 600, or defaultMode 0400 for a Kubernetes secret),
 * an empty one, one longer than MASK_KEY_FILE_MAX bytes and one shorter than
 * MASK_SECRET_MIN once trimmed. Returns 0, or -1 with err set.
 */
int mask_key_from_file(const char *path, mask_key_t *key, err_t *err);

/* The environment variable holding the masking secret. */
#define MASK_KEY_ENV "CONFITURE_MASK_KEY"

/*
 * Loads the key a process masks with: from the file at file when not NULL (as
 * mask_key_from_file), else from the environment variable CONFITURE_MASK_KEY (as
 * mask_key_from_text). Returns 1 with key set, 0 when neither was given (key untouched), or
 * -1 with err set (a bad file or secret; the message names where the key came from, never
 * the key).
 */
int mask_key_load(const char *file, mask_key_t *key, err_t *err);

/* Fills key with 32 random bytes from the system's generator (tests, one-off masks). */
void mask_key_random(mask_key_t *key);

/*
 * Writes the key's fingerprint to out: 16 hex characters and a NUL, the first 8 bytes of a
 * keyed BLAKE2b-128 of a fixed string. It tells two keys apart (logs, the ledger) without
 * revealing the key.
 */
void mask_key_fingerprint(const mask_key_t *key, char out[MASK_FINGERPRINT_LEN + 1]);

/* Overwrites the key with zeros (the compiler cannot optimize it away). */
void mask_key_wipe(mask_key_t *key);

/* One masking rule, checked against its column's type. Opaque. */
typedef struct mask_rule mask_rule_t;

/*
 * Checks and builds a rule. strategy is one of mask_strategy_names(); options is a
 * VALUE_MAP of the strategy's options, or NULL (or nil) for none (borrowed: read, never
 * kept). domain, when not NULL or empty, names the value space: every rule of one domain
 * maps an input to the same output (give them the same strategy, options and seed);
 * otherwise the space is the strategy's name. A seed, when has_seed, varies the space
 * (no seed is seed 0). column_type is the column's type as format_type() prints it
 * ("character varying(64)", "numeric(10,2)", "timestamp with time zone", ...; for a domain
 * type pass its base type), or NULL when not known yet: the rule is then checked without it
 * and applied as to an unconstrained column. column_not_null refuses strategy "null".
 * Returns a rule the caller owns (mask_rule_destroy), or NULL with err set (code "rules"):
 * an unknown strategy or option, an option of the wrong kind or range, a strategy that
 * cannot produce a value of the column's type, or whose output may not fit its length.
 */
mask_rule_t *mask_rule_new(const char *strategy, const value_t *options, const char *domain,
                           int64_t seed, bool has_seed, const char *column_type,
                           bool column_not_null, err_t *err);

/* Frees the rule (wiping its subkeys) and sets *self_p to NULL; safe on NULL and twice. */
void mask_rule_destroy(mask_rule_t **self_p);

/* The rule's strategy name (borrowed from the rule). */
const char *mask_rule_strategy(const mask_rule_t *rule);

/* True when the rule outputs its input unchanged (strategy "preserve"): a caller may skip it. */
bool mask_rule_is_passthrough(const mask_rule_t *rule);

/*
 * Masks one non-NULL value: in/len is its text representation (unescaped COPY text; any
 * bytes, not NUL-terminated). Appends the masked text to out and returns MASK_VALUE, or
 * returns MASK_NULL (strategy "null"; nothing appended), or returns -1 with err set (code
 * "mask", nothing appended) when the value cannot be read as its type: a date that is not
 * ISO, a number that is not a number, JSON that does not parse, an address that is not an
 * IP address. key is borrowed; the rule keeps the subkeys derived from it (and a copy of it,
 * to notice a change) until it is destroyed, and that cache is all mask_apply changes (see
 * Threads above). A char(n) value's trailing blanks are dropped before masking. The output
 * never equals the input unless the strategy cannot change it (a constant, preserve, or a
 * value such as a text without letters or digits: worker/mask.c lists them).
 */
int mask_apply(const mask_rule_t *rule, const mask_key_t *key, const char *in, size_t len,
               buf_t *out, err_t *err);

/* True when name is a known strategy (exact, lower case). */
bool mask_strategy_known(const char *name);

/* The known strategy names, in documentation order, NULL-terminated (static storage). */
const char *const *mask_strategy_names(void);

#endif
