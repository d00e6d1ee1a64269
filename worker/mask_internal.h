/*
 * mask_internal.h - what the files of the masking module share (mask.c, mask_text.c,
 * mask_typed.c, mask_json.c, mask_names.c). Not for use outside them, except by the unit
 * tests, which check the helpers directly.
 */
#ifndef CONFITURE_MASK_INTERNAL_H
#define CONFITURE_MASK_INTERNAL_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "worker/mask.h"

/* Every strategy. */
typedef enum mask_strategy {
    MASK_S_EMAIL,
    MASK_S_PHONE,
    MASK_S_NAME,
    MASK_S_FIRST_NAME,
    MASK_S_LAST_NAME,
    MASK_S_ADDRESS,
    MASK_S_REDACT,
    MASK_S_HASH,
    MASK_S_NULL,
    MASK_S_VALUE,
    MASK_S_PRESERVE,
    MASK_S_UUID,
    MASK_S_DATE,
    MASK_S_TIMESTAMP,
    MASK_S_NUMBER,
    MASK_S_CREDIT_CARD,
    MASK_S_IP,
    MASK_S_TEXT,
    MASK_S_JSON,
    MASK_S_COUNT
} mask_strategy_t;

/* The classes of column types the strategies tell apart. */
typedef enum mask_col {
    MASK_COL_UNKNOWN,     /* no type given: checks skipped, values read by their shape */
    MASK_COL_TEXT,        /* text, varchar(n), char(n), name, citext */
    MASK_COL_INT2,        /* smallint */
    MASK_COL_INT4,        /* integer */
    MASK_COL_INT8,        /* bigint */
    MASK_COL_NUMERIC,     /* numeric, numeric(p), numeric(p,s) */
    MASK_COL_FLOAT4,      /* real */
    MASK_COL_FLOAT8,      /* double precision */
    MASK_COL_UUID,        /* uuid */
    MASK_COL_INET,        /* inet */
    MASK_COL_CIDR,        /* cidr */
    MASK_COL_DATE,        /* date */
    MASK_COL_TIMESTAMP,   /* timestamp [(p)] without time zone */
    MASK_COL_TIMESTAMPTZ, /* timestamp [(p)] with time zone */
    MASK_COL_JSON,        /* json */
    MASK_COL_JSONB,       /* jsonb */
    MASK_COL_BOOL,        /* boolean */
    MASK_COL_OTHER        /* any other type (arrays, enums, bytea, time, ...) */
} mask_col_t;

/* A column's type, as far as masking cares. */
typedef struct mask_coltype {
    mask_col_t kind; /* its class */
    int limit;       /* MASK_COL_TEXT: most characters it holds; -1 for no limit */
    int precision;   /* MASK_COL_NUMERIC: p, or -1 when unconstrained */
    int scale;       /* MASK_COL_NUMERIC: s, or -1 when unconstrained */
    bool padded;     /* MASK_COL_TEXT: char(n), whose trailing blanks are not part of the value */
} mask_coltype_t;

/* Most paths one json rule may name. */
#define MASK_JSON_MAX_PATHS 32

/* Compiled json paths (mask_json.c). */
typedef struct mask_json_paths mask_json_paths_t;

/* Subkeys derived from one key for one rule: the mutable cache of a rule. */
typedef struct mask_keyed {
    bool ready;                           /* the fields below are filled */
    unsigned char master[MASK_KEY_BYTES]; /* the key they were derived from */
    unsigned char seed_key[16];           /* SipHash-128 key: value -> 16-byte seed */
    unsigned char expand_key[16];         /* SipHash-128 key: seed, counter -> bytes */
    unsigned char wide_key[32];           /* BLAKE2b key: value -> up to 64 bytes */
} mask_keyed_t;

struct mask_rule {
    mask_strategy_t strategy; /* which strategy */
    mask_coltype_t col;       /* the column's type */
    char *type_text;          /* the column's type as given, for messages; NULL unknown */
    unsigned char *salt;      /* the value space: domain or strategy, and seed */
    size_t salt_len;          /* bytes of salt */
    char *text;               /* redact/value: the output; email: the domain */
    size_t text_len;          /* bytes of text */
    int length;               /* hash: hex characters */
    int keep_prefix;          /* phone: leading digits kept; -1: the country code */
    bool keep_last4;          /* credit_card: keep the last four digits */
    int days;                 /* date/timestamp: largest shift in days */
    bool keep_year;           /* date/timestamp: stay inside the value's year */
    double percent;           /* number: largest change, in percent */
    int prefix4;              /* ip: leading bits of an IPv4 address kept */
    int prefix6;              /* ip: leading bits of an IPv6 address kept */
    mask_json_paths_t *paths; /* json: what to mask; NULL masks every leaf */
    mask_keyed_t *keyed;      /* subkeys of the last key applied (changes under const) */
};

/* Characters of the local part of a masked email: 128 bits in base32. */
#define MASK_EMAIL_LOCAL 26

/* Initializes libsodium (idempotent, thread-safe). Returns 0, or -1 with err set. */
int mask_sodium_init(err_t *err);

/* Writes n bytes as 2n lower-case hex characters to out (no NUL). */
void mask_hex_encode(const unsigned char *in, size_t n, char *out);

/* Stores v little-endian at p (8 bytes). */
void mask_store_le64(unsigned char *p, uint64_t v);

/* A stream of pseudorandom bytes derived from one value under a rule's subkeys. */
typedef struct mask_prf {
    const unsigned char *expand_key; /* the rule's expansion key */
    unsigned char seed[16];          /* SipHash-128(seed_key, value): 128 bits of the PRF */
    unsigned char block[16];         /* the bytes being handed out (first: the seed) */
    unsigned pos;                    /* next unread byte of block */
    uint64_t counter;                /* expansion blocks made so far */
} mask_prf_t;

/* Starts the byte stream of the value in/len under the rule's current subkeys. */
void mask_prf_init(mask_prf_t *prf, const mask_rule_t *rule, const void *in, size_t len);

/*
 * Moves the stream to a fresh one for redraw number round (1 to 65535): the seed becomes
 * SipHash-128 of (seed || le64(round << 48)) under the expansion key, and the bytes start
 * over from it (the new seed first, then its expansion blocks). Deterministic; a message no
 * expansion of any seed uses (their counters stay below 2^48), so the new stream is
 * independent of the old one. mask_apply redraws with it an output equal to its input.
 */
void mask_prf_restart(mask_prf_t *prf, unsigned round);

/* The next pseudorandom byte. */
unsigned mask_prf_byte(mask_prf_t *prf);

/* A uniform integer in [0, n) (n >= 1), by rejection sampling: no bias. */
uint32_t mask_prf_below(mask_prf_t *prf, uint32_t n);

/* A uniform 32-bit integer. */
uint32_t mask_prf_u32(mask_prf_t *prf);

/* Decodes one UTF-8 character at s (len > 0): its length 1..4, or 0 for an invalid byte. */
size_t mask_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* Appends the UTF-8 encoding of code point cp (< 0x110000, not a surrogate) to out. */
void mask_utf8_append(buf_t *out, uint32_t cp);

/* Characters in s/len (an invalid byte counts as one). */
size_t mask_utf8_chars(const char *s, size_t len);

/* Bytes of the first n characters of s/len (all of it when shorter). */
size_t mask_utf8_prefix(const char *s, size_t len, size_t n);

/*
 * The text strategy: appends a copy of in/len whose letters are replaced by letters of the
 * same case (and script, for the scripts mask_text.c lists), digits by digits, and whose other
 * characters are kept; an invalid UTF-8 byte becomes a lower-case letter. Same character count.
 */
void mask_text_chars(mask_prf_t *prf, const char *in, size_t len, buf_t *out);

/* The "C" locale, for reading and writing numbers whatever the process's locale is. */
locale_t mask_c_locale(void);

/* Writes d to out (size bytes) with the fewest digits that read back as d ("%.*g"). */
void mask_format_double(double d, bool single, char *out, size_t size);

/* The date and timestamp strategies (mask_typed.c). */
int mask_date_apply(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len,
                    buf_t *out, err_t *err);

/* The number strategy (mask_typed.c). */
int mask_number_apply(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len,
                      buf_t *out, err_t *err);

/* The ip strategy (mask_typed.c). */
int mask_ip_apply(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out,
                  err_t *err);

/*
 * Checks that text/len is a valid value of the column type (for strategy "value"), as far as
 * this module can tell: types it does not know are accepted. Returns 0, or -1 with err set.
 */
int mask_constant_check(const mask_coltype_t *col, const char *type_text, const char *text,
                        size_t len, err_t *err);

/* Compiles the json paths option (a string or a list of strings). Returns 0 or -1 with err. */
int mask_json_paths_compile(const value_t *option, mask_json_paths_t **paths, err_t *err);

/* Frees compiled paths and sets *self_p to NULL; safe on NULL. */
void mask_json_paths_destroy(mask_json_paths_t **self_p);

/* The json strategy. */
int mask_json_apply(const mask_rule_t *rule, const char *in, size_t len, buf_t *out, err_t *err);

/* True when in/len is one valid JSON text (RFC 8259). */
bool mask_json_valid(const char *in, size_t len);

/* A built-in list of words (mask_names.c). */
typedef struct mask_list {
    const char *const *items; /* the words, ASCII, capitalized */
    size_t count;             /* how many */
} mask_list_t;

/* The built-in lists. */
extern const mask_list_t mask_first_names;
extern const mask_list_t mask_last_names;
extern const mask_list_t mask_street_names;
extern const mask_list_t mask_street_types;

/* Length of the shortest and of the longest word of a list. */
void mask_list_lengths(const mask_list_t *list, size_t *shortest, size_t *longest);

#endif
