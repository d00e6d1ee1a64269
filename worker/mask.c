/*
 * mask.c - masking: the keyed pseudorandom function, mask_apply, and the strategies that
 * need no parser (email, phone, names, address, hash, uuid, credit_card, redact, value,
 * null, preserve). Keys are in mask_key.c, rules and their checks in mask_rule.c, dates,
 * numbers and IP addresses in mask_typed.c, the text strategy in mask_text.c, json in
 * mask_json.c, the built-in word lists in mask_names.c.
 *
 * The construction
 *
 *   A key is 32 secret bytes: BLAKE2b-256 of the secret's bytes (keyed with a fixed context
 *   string, so the same secret gives other bytes to any other use of BLAKE2b).
 *
 *   A rule has a salt: "confiture-mask-v1", then "domain" and the domain name when the rule
 *   has a domain, else "strategy" and the strategy name, then the seed (0 without one), each
 *   part NUL-separated. On first use with a key (and whenever the key changes) the rule
 *   derives its subkeys, one keyed BLAKE2b-512 of the salt under the key, split into:
 *     seed_key   (16 bytes) SipHash-2-4-128 key: value -> the value's 128-bit seed
 *     expand_key (16 bytes) SipHash-2-4-128 key: seed || counter -> 16 more bytes per counter
 *     wide_key   (32 bytes) BLAKE2b key: value -> up to 64 bytes (hash longer than 32)
 *   So masking one value costs one SipHash-128 of the value (about 20 ns for short values),
 *   plus one short SipHash per 16 more bytes a strategy consumes. SipHash is a PRF under a
 *   secret 128-bit key; without the key, an output cannot be tested against a guessed input.
 *   Bytes become integers in [0, n) by rejection sampling (no modulo bias), and multi-byte
 *   integers are read little-endian, so the output is the same on every host.
 *
 * Uniqueness: which strategies keep distinct inputs distinct
 *
 *   Guaranteed (up to the collision odds of a 128-bit PRF, about n^2 / 2^129: less than
 *   2^-88 for a billion rows):
 *     email        the local part is the whole 128-bit seed in base32 (26 characters)
 *     hash         with length >= 32 (128 bits or more); shorter hashes have 4*length bits
 *                  and collide after about 2^(2*length) values (length 16: 2^32)
 *     uuid         122 bits of the seed (version 4 and variant bits fixed)
 *     preserve     (the identity)
 *   Not guaranteed (the output space is small, or the strategy is a random function rather
 *   than a permutation of a space the size of the input's):
 *     credit_card  15 free digits (the first 1-9), 9 * 10^14 numbers: at a million rows,
 *                  about 0.0006 expected collisions; with keep_last4, 11 free digits (the
 *                  12th fixes the check digit): up to about 5 per million rows (when all
 *                  share their last four; none between different last fours)
 *     phone        as many outputs as there are free digits in the input: 10^d; a 10-digit
 *                  number without a kept prefix collides about 50 times per million rows
 *     name, first_name, last_name, address   a few hundred words each: realistic, not unique
 *     text         same shape; unique in practice for long values, not for short ones
 *     date, timestamp, number, ip            shift or noise within a window
 *     json         leaves masked as text and number digits are
 *     redact, value, null                    constants
 *
 *   Inputs are masked as given, byte for byte ("Jane@x.org" and "jane@x.org" differ), except
 *   that the trailing blanks of a char(n) value are dropped first, as PostgreSQL does when
 *   comparing or casting it, so that it masks as the same value in a varchar column does.
 *
 * Never the input itself, unless the strategy cannot change it
 *
 *   A masked value equal to its source would leak it (the leak scan fails a sync on one), and
 *   a random function gives back its input by chance: a name drawn from a list that holds the
 *   real one, a phone or an IP address with few free digits or bits, a one-letter text, a
 *   noise that rounds to nothing. So for the strategies that draw from the PRF (email,
 *   phone, name, first_name, last_name, address, uuid, credit_card, text, date, timestamp,
 *   number, ip), when the output is byte for byte the input (a char(n) value without its
 *   trailing blanks), mask_apply draws it again from a fresh stream, up to S_REDRAWS (8)
 *   times: mask_prf_restart(prf, round), for round 1, 2, ..., replaces the seed with
 *   SipHash-128(expand_key, seed || le64(round << 48)) (each round from the previous
 *   round's seed) and the strategy runs again on the bytes of that seed. Expansion counters
 *   stay far below 2^48, so no expansion block is ever computed from one of these messages:
 *   each round's stream is as independent of the others as two values' streams are.
 *   The first output that differs from the input is the one kept, so an output that
 *   differed on the first draw is the one it always was (the known answers hold), and the
 *   output is still a function of key, rule and input (masked keys still join).
 *
 *   A value that can change stays unchanged only when all 9 draws give it back: 1 in 10^9
 *   for a phone with one free digit, 1 in 26^9 for a one-letter text, about 1 in 10^24 for
 *   one name of the 481 first names, 1 in 2^(9k) for an IP address with k free bits (1 in
 *   512 for one bit), 1 in 512 for a number at its type's limit (the noise that would push it
 *   past is clamped back to it); an integer v (for numeric(p,s), v in units of 10^-s) keeps
 *   its value after one draw with odds 1 / (2 |v| percent / 100): 1 in 512 after 9 draws for
 *   |v| = 10 at the default 10%, about 1 in 10^11 for |v| = 100.
 *
 *   What comes out unchanged because the strategy cannot change it (each such value costs 8
 *   more draws, and nothing else):
 *     text         a value without the letters or digits it replaces ("---", "", emoji,
 *                  letters of scripts mask_text.c does not list)
 *     phone        a value without digits, or whose digits are all kept ("+1", keep_prefix)
 *     number       0, NaN and the infinities; integers too small for the noise to reach one
 *                  unit (|v| * percent / 100 < 0.5: |v| up to 4 at 10%); the smallest
 *                  subnormal floats
 *     date, timestamp   infinity and -infinity (every other value moves by a day or more)
 *     ip           an address whose kept prefix covers every bit (prefix 32, prefix6 128);
 *                  a network with no bits between the kept prefix and its mask (10.0.0.0/8
 *                  at the default prefix 16; in a cidr column, any mask up to the prefix)
 *     name, first_name, last_name   an empty or blank value; a column so short that only
 *                  the input's name fits in it
 *   Not redrawn: hash (an input equal to its own hash is a 2^-(4 * length) chance, and a
 *   hash is meant to be a plain function of the input), json (its leaves are masked as text
 *   and number digits are, without the redraw), redact and value (constants: an input equal
 *   to the constant stays so), null and preserve.
 *
 * The strategies' outputs, and the column types they accept (besides an unknown type):
 *   email        26 base32 characters, @, the domain option (default example.com); text
 *   phone        the input with each digit replaced by a PRF digit; separators, a leading
 *                + and the first keep_prefix digits kept (default: after a leading +, the
 *                E.164 country code, 1 to 3 digits; otherwise none); text
 *   name         as many words as the input (at most 8), first names then a last name, in
 *                the input's case when a word is all upper or all lower case; text
 *   first_name, last_name   one name; text
 *   address      "<1-9999> <street name> <street type>"; text
 *   redact       the text option (default REDACTED), cut to the column's length; text
 *   hash         length (default 32, at most 128) lower-case hex characters; text
 *   null         SQL NULL; any nullable column
 *   value        the value option, checked against the column's type; any column
 *   preserve     the input; any column
 *   uuid         a version-4-shaped UUID; uuid, text
 *   date, timestamp   see mask_typed.c; date, timestamp, timestamptz
 *   number       see mask_typed.c; smallint, integer, bigint, numeric, real, double
 *   credit_card  16 Luhn-valid digits (the first 1-9), the input's spaces or dashes kept
 *                when it had 16 digits, keep_last4 keeps its last four; text, bigint, numeric
 *   ip           see mask_typed.c; inet, cidr, text
 *   text         see mask_text.c; text
 *   json         see mask_json.c; json, jsonb, text
 * A column of type text here means text, varchar(n), char(n), name or citext; outputs are
 * checked (or cut, for redact) to fit n characters when the strategy cannot keep the input's
 * length: a rule that cannot fit is refused when it is built.
 */
#include "worker/mask.h"
#include "worker/mask_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/exitcodes.h"

/* Most words the name strategy writes. */
#define S_NAME_WORDS 8

/* Fewest characters per word the name strategy allots in a short column (many names fit). */
#define S_NAME_SHARE 4

/* Most times mask_apply draws again an output equal to its input (see the top comment). */
#define S_REDRAWS 8

/* Lower-case hex digits. */
static const char s_hex[] = "0123456789abcdef";

/* ---------------------------------------------------------------------------------------- */
/* Shared helpers                                                                           */
/* ---------------------------------------------------------------------------------------- */

int
mask_sodium_init(err_t *err)
{
    if (sodium_init() < 0)
        return err_set(err, "internal", EXIT_CODE_INTERNAL, "libsodium failed to initialize");
    return 0;
}

void
mask_hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = s_hex[in[i] >> 4];
        out[2 * i + 1] = s_hex[in[i] & 15];
    }
}

void
mask_store_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

/* ---------------------------------------------------------------------------------------- */
/* The pseudorandom function                                                                */
/* ---------------------------------------------------------------------------------------- */

/* Makes the rule's subkeys those of key (derived once per rule and key). */
static void
s_keyed_ready(const mask_rule_t *rule, const mask_key_t *key)
{
    mask_keyed_t *k = rule->keyed;
    unsigned char out[64];

    if (k->ready && memcmp(k->master, key->bytes, sizeof(k->master)) == 0)
        return;
    crypto_generichash(out, sizeof(out), rule->salt, rule->salt_len, key->bytes,
                       sizeof(key->bytes));
    memcpy(k->seed_key, out, 16);
    memcpy(k->expand_key, out + 16, 16);
    memcpy(k->wide_key, out + 32, 32);
    memcpy(k->master, key->bytes, sizeof(k->master));
    k->ready = true;
    sodium_memzero(out, sizeof(out));
}

void
mask_prf_init(mask_prf_t *prf, const mask_rule_t *rule, const void *in, size_t len)
{
    crypto_shorthash_siphashx24(prf->seed, in, len, rule->keyed->seed_key);
    memcpy(prf->block, prf->seed, sizeof(prf->block));
    prf->pos = 0;
    prf->counter = 0;
    prf->expand_key = rule->keyed->expand_key;
}

void
mask_prf_restart(mask_prf_t *prf, unsigned round)
{
    unsigned char msg[24];

    memcpy(msg, prf->seed, 16);
    mask_store_le64(msg + 16, (uint64_t) round << 48);
    crypto_shorthash_siphashx24(prf->seed, msg, sizeof(msg), prf->expand_key);
    memcpy(prf->block, prf->seed, sizeof(prf->block));
    prf->pos = 0;
    prf->counter = 0;
}

unsigned
mask_prf_byte(mask_prf_t *prf)
{
    if (prf->pos == sizeof(prf->block)) {
        unsigned char msg[24];

        prf->counter++;
        memcpy(msg, prf->seed, 16);
        mask_store_le64(msg + 16, prf->counter);
        crypto_shorthash_siphashx24(prf->block, msg, sizeof(msg), prf->expand_key);
        prf->pos = 0;
    }
    return prf->block[prf->pos++];
}

uint32_t
mask_prf_u32(mask_prf_t *prf)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++)
        v |= (uint32_t) mask_prf_byte(prf) << (8 * i);
    return v;
}

uint32_t
mask_prf_below(mask_prf_t *prf, uint32_t n)
{
    if (n <= 1)
        return 0;
    if (n <= 256) {
        unsigned limit = 256 - 256 % n;

        for (;;) {
            unsigned b = mask_prf_byte(prf);

            if (b < limit)
                return b % n;
        }
    }
    if (n <= 65536) {
        uint32_t limit = 65536 - 65536 % n;

        for (;;) {
            uint32_t v = mask_prf_byte(prf);

            v |= (uint32_t) mask_prf_byte(prf) << 8;
            if (v < limit)
                return v % n;
        }
    }
    uint64_t limit = ((uint64_t) 1 << 32) - ((uint64_t) 1 << 32) % n;

    for (;;) {
        uint32_t v = mask_prf_u32(prf);

        if (v < limit)
            return v % n;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Strategies                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* email: base32 of the 128-bit seed, @, the domain. */
static void
s_email(const mask_rule_t *rule, const mask_prf_t *prf, buf_t *out)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
    uint32_t acc = 0;
    int bits = 0;
    char *p;
    size_t n = 0;

    buf_reserve(out, MASK_EMAIL_LOCAL + 1 + rule->text_len);
    p = out->data + out->len;
    for (size_t i = 0; i < sizeof(prf->seed); i++) {
        acc = (acc << 8) | prf->seed[i];
        bits += 8;
        while (bits >= 5) {
            p[n++] = alphabet[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    p[n++] = alphabet[(acc << (5 - bits)) & 31]; /* the last 3 bits */
    p[n++] = '@';
    memcpy(p + n, rule->text, rule->text_len);
    out->len += n + rule->text_len;
}

/* Digits of the E.164 country code at the start of the n digits d (1 to 3). */
static size_t
s_country_code_len(const char *d, size_t n)
{
    /* the two-digit codes; 1 and 7 are one digit; all others have three */
    static const unsigned char two[] = {20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46,
                                        47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58, 60, 61, 62, 63,
                                        64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98};
    unsigned cc;

    if (n == 0)
        return 0;
    if (d[0] == '1' || d[0] == '7')
        return 1;
    if (n < 2)
        return n;
    cc = (unsigned) (d[0] - '0') * 10 + (unsigned) (d[1] - '0');
    for (size_t i = 0; i < sizeof(two); i++)
        if (two[i] == cc)
            return 2;
    return n < 3 ? n : 3;
}

/* phone: every digit past the kept prefix replaced; everything else kept. */
static void
s_phone(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out)
{
    size_t keep = rule->keep_prefix >= 0 ? (size_t) rule->keep_prefix : 0;
    size_t seen = 0, i = 0;
    char *p;

    if (rule->keep_prefix < 0) {
        while (i < len && (in[i] == ' ' || in[i] == '\t'))
            i++;
        if (i < len && in[i] == '+') {
            char cc[3];
            size_t n = 0;

            for (i++; i < len && n < 3; i++)
                if (in[i] >= '0' && in[i] <= '9')
                    cc[n++] = in[i];
            keep = s_country_code_len(cc, n);
        }
    }
    buf_reserve(out, len);
    p = out->data + out->len;
    for (i = 0; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9' && seen++ >= keep)
            p[i] = (char) ('0' + mask_prf_below(prf, 10));
        else
            p[i] = in[i];
    }
    out->len += len;
}

/* How a word of the input is written. */
typedef enum s_case { S_CASE_AS_LISTED, S_CASE_UPPER, S_CASE_LOWER } s_case_t;

/* The case of in/len: all upper (two letters or more), all lower, or anything else. */
static s_case_t
s_case_of(const char *in, size_t len)
{
    size_t upper = 0, lower = 0;

    for (size_t i = 0; i < len; i++) {
        if (in[i] >= 'A' && in[i] <= 'Z')
            upper++;
        else if (in[i] >= 'a' && in[i] <= 'z')
            lower++;
    }
    if (upper >= 2 && lower == 0)
        return S_CASE_UPPER;
    if (lower >= 1 && upper == 0)
        return S_CASE_LOWER;
    return S_CASE_AS_LISTED;
}

/* Appends word in the case c. */
static void
s_append_cased(buf_t *out, const char *word, s_case_t c)
{
    size_t n = strlen(word);
    char *p;

    buf_reserve(out, n);
    p = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        char ch = word[i];

        if (c == S_CASE_UPPER && ch >= 'a' && ch <= 'z')
            ch = (char) (ch - 'a' + 'A');
        else if (c == S_CASE_LOWER && ch >= 'A' && ch <= 'Z')
            ch = (char) (ch - 'A' + 'a');
        p[i] = ch;
    }
    out->len += n;
}

/*
 * A word of list picked by the PRF; with a budget, the first word from the picked one on
 * that is at most budget bytes long (NULL when none is).
 */
static const char *
s_pick(const mask_list_t *list, mask_prf_t *prf, size_t budget)
{
    size_t start = mask_prf_below(prf, (uint32_t) list->count);

    if (budget == SIZE_MAX)
        return list->items[start];
    for (size_t k = 0; k < list->count; k++) {
        const char *w = list->items[(start + k) % list->count];

        if (strlen(w) <= budget)
            return w;
    }
    return NULL;
}

/* A word of the input: where it is. */
typedef struct s_word {
    size_t off; /* first byte */
    size_t len; /* bytes */
} s_word_t;

/* Splits in/len at ASCII white space into at most max words; returns how many. */
static size_t
s_split_words(const char *in, size_t len, s_word_t *words, size_t max)
{
    size_t n = 0, i = 0;

    while (i < len) {
        size_t start;

        while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r'))
            i++;
        if (i == len)
            break;
        start = i;
        while (i < len && !(in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r'))
            i++;
        if (n < max) {
            words[n].off = start;
            words[n].len = i - start;
            n++;
        } else {
            words[max - 1].len = i - words[max - 1].off; /* the rest joins the last word */
        }
    }
    return n;
}

/* name, first_name, last_name: names from the built-in lists, in the input's shape. */
static void
s_name(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out)
{
    s_word_t words[S_NAME_WORDS];
    size_t total = s_split_words(in, len, words, S_NAME_WORDS), n = total;
    int limit = rule->col.kind == MASK_COL_TEXT ? rule->col.limit : -1;
    size_t budget = SIZE_MAX;

    if (n == 0)
        return; /* empty or blank: stays empty */
    if (rule->strategy != MASK_S_NAME) {
        const mask_list_t *list =
            rule->strategy == MASK_S_FIRST_NAME ? &mask_first_names : &mask_last_names;
        const char *w = s_pick(list, prf, limit >= 0 ? (size_t) limit : SIZE_MAX);

        s_append_cased(out, w, s_case_of(in, len));
        return;
    }
    if (limit >= 0) {
        /* each word gets an equal share of the column; fewer words (the last name kept)
         * when a share would hold only the shortest names */
        while (n > 1 && ((size_t) limit + 1) / n < S_NAME_SHARE + 1)
            n--;
        budget = ((size_t) limit + 1) / n - 1;
    }
    for (size_t w = 0; w < n; w++) {
        bool last = n > 1 && w == n - 1;
        const s_word_t *src = last ? &words[total - 1] : &words[w];
        const char *name = s_pick(last ? &mask_last_names : &mask_first_names, prf, budget);

        if (w > 0)
            buf_append_byte(out, ' ');
        s_append_cased(out, name, s_case_of(in + src->off, src->len));
    }
}

/*
 * address: "<number> <street name> <street type>". In a short column the type (and then the
 * street) is the first from the picked one on that fits; mask.c made sure a street fits.
 */
static void
s_address(const mask_rule_t *rule, mask_prf_t *prf, buf_t *out)
{
    int limit = rule->col.kind == MASK_COL_TEXT ? rule->col.limit : -1;
    char num[8];
    int numlen = snprintf(num, sizeof(num), "%u", 1 + mask_prf_below(prf, 9999));
    size_t room = SIZE_MAX, type_room = SIZE_MAX, shortest, longest;
    const char *type, *street;

    if (limit >= 0) {
        mask_list_lengths(&mask_street_names, &shortest, &longest);
        room = (size_t) limit - (size_t) numlen - 1;
        type_room = room >= shortest + 2 ? room - shortest - 1 : 0;
    }
    type = s_pick(&mask_street_types, prf, type_room);
    street = s_pick(&mask_street_names, prf,
                    type != NULL && room != SIZE_MAX ? room - strlen(type) - 1 : room);
    buf_append(out, num, (size_t) numlen);
    buf_append_byte(out, ' ');
    buf_append(out, street, strlen(street));
    if (type != NULL) {
        buf_append_byte(out, ' ');
        buf_append(out, type, strlen(type));
    }
}

/* hash: length hex characters of the PRF (SipHash up to 32, BLAKE2b beyond). */
static void
s_hash(const mask_rule_t *rule, const char *in, size_t len, buf_t *out)
{
    unsigned char h[64];
    char hex[128];
    size_t bytes = ((size_t) rule->length + 1) / 2;

    if (rule->length <= 32)
        crypto_shorthash_siphashx24(h, (const unsigned char *) in, len, rule->keyed->seed_key);
    else
        crypto_generichash(h, bytes, (const unsigned char *) in, len, rule->keyed->wide_key,
                           sizeof(rule->keyed->wide_key));
    mask_hex_encode(h, bytes, hex);
    buf_append(out, hex, (size_t) rule->length);
}

/* uuid: the seed with the version (4) and variant (10) bits set. */
static void
s_uuid(const mask_prf_t *prf, buf_t *out)
{
    unsigned char u[16];
    char *p;
    size_t n = 0;

    memcpy(u, prf->seed, sizeof(u));
    u[6] = (unsigned char) ((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char) ((u[8] & 0x3f) | 0x80);
    buf_reserve(out, 36);
    p = out->data + out->len;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            p[n++] = '-';
        p[n++] = s_hex[u[i] >> 4];
        p[n++] = s_hex[u[i] & 15];
    }
    out->len += n;
}

/* Sets digit d[fix] (at an undoubled position of 16) so that d passes the Luhn check. */
static void
s_luhn_fix(int d[16], int fix)
{
    int sum = 0;

    for (int i = 0; i < 16; i++) {
        int v = d[i];

        if (i == fix)
            continue;
        if (i % 2 == 0) /* from the right, every second digit: even indexes of 16 */
            v = v * 2 > 9 ? v * 2 - 9 : v * 2;
        sum += v;
    }
    d[fix] = (10 - sum % 10) % 10;
}

/* credit_card: 16 Luhn-valid digits in the input's shape. */
static void
s_credit_card(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out)
{
    int limit = rule->col.kind == MASK_COL_TEXT ? rule->col.limit : -1;
    int d[16], last4[4] = {0, 0, 0, 0};
    size_t ndigits = 0, k = 0;
    bool only_digits_and_seps = true;
    char sep = 0;
    char *p;

    for (size_t i = 0; i < len; i++) {
        if (in[i] >= '0' && in[i] <= '9') {
            memmove(last4, last4 + 1, 3 * sizeof(int));
            last4[3] = in[i] - '0';
            ndigits++;
        } else if (in[i] == ' ' || in[i] == '-') {
            if (sep == 0)
                sep = in[i];
        } else {
            only_digits_and_seps = false;
        }
    }
    d[0] = 1 + (int) mask_prf_below(prf, 9);
    for (int i = 1; i < 15; i++)
        d[i] = (int) mask_prf_below(prf, 10);
    if (rule->keep_last4 && ndigits >= 4) {
        memcpy(d + 12, last4, sizeof(last4));
        s_luhn_fix(d, 11);
    } else {
        s_luhn_fix(d, 15);
    }
    if (ndigits == 16 && only_digits_and_seps && sep != 0 && (limit < 0 || len <= (size_t) limit)) {
        buf_reserve(out, len);
        p = out->data + out->len;
        for (size_t i = 0; i < len; i++)
            p[i] = in[i] >= '0' && in[i] <= '9' ? (char) ('0' + d[k++]) : in[i];
        out->len += len;
        return;
    }
    bool grouped = sep != 0 && only_digits_and_seps && (limit < 0 || limit >= 19);

    buf_reserve(out, 19);
    p = out->data + out->len;
    for (int i = 0; i < 16; i++) {
        if (grouped && i > 0 && i % 4 == 0)
            p[k++] = sep;
        p[k++] = (char) ('0' + d[i]);
    }
    out->len += k;
}

/* ---------------------------------------------------------------------------------------- */
/* Applying a rule                                                                          */
/* ---------------------------------------------------------------------------------------- */

/* True when the bytes out appended from mark on are in/len: the output is its input. */
static bool
s_same(const buf_t *out, size_t mark, const char *in, size_t len)
{
    return out->len - mark == len && (len == 0 || memcmp(out->data + mark, in, len) == 0);
}

/* Appends the output of a strategy that draws from the PRF (email ... ip, not hash). */
static int
s_apply_prf(const mask_rule_t *rule, mask_prf_t *prf, const char *in, size_t len, buf_t *out,
            err_t *err)
{
    switch (rule->strategy) {
    case MASK_S_EMAIL:
        s_email(rule, prf, out);
        return MASK_VALUE;
    case MASK_S_PHONE:
        s_phone(rule, prf, in, len, out);
        return MASK_VALUE;
    case MASK_S_NAME:
    case MASK_S_FIRST_NAME:
    case MASK_S_LAST_NAME:
        s_name(rule, prf, in, len, out);
        return MASK_VALUE;
    case MASK_S_ADDRESS:
        s_address(rule, prf, out);
        return MASK_VALUE;
    case MASK_S_UUID:
        s_uuid(prf, out);
        return MASK_VALUE;
    case MASK_S_CREDIT_CARD:
        s_credit_card(rule, prf, in, len, out);
        return MASK_VALUE;
    case MASK_S_TEXT:
        mask_text_chars(prf, in, len, out);
        return MASK_VALUE;
    case MASK_S_DATE:
    case MASK_S_TIMESTAMP:
        return mask_date_apply(rule, prf, in, len, out, err);
    case MASK_S_NUMBER:
        return mask_number_apply(rule, prf, in, len, out, err);
    case MASK_S_IP:
        return mask_ip_apply(rule, prf, in, len, out, err);
    default:
        return err_set(err, "internal", EXIT_CODE_INTERNAL, "strategy %d has no implementation",
                       (int) rule->strategy);
    }
}

int
mask_apply(const mask_rule_t *rule, const mask_key_t *key, const char *in, size_t len, buf_t *out,
           err_t *err)
{
    size_t mark = out->len;
    mask_prf_t prf;
    int rc = MASK_VALUE;

    if (in == NULL)
        in = "";
    if (rule->col.padded && rule->strategy != MASK_S_PRESERVE) {
        /* char(n): 'ab' and 'ab  ' are one value (as when cast to text), so mask them alike
         * and join with the same value in a text or varchar column */
        while (len > 0 && in[len - 1] == ' ')
            len--;
    }
    switch (rule->strategy) {
    case MASK_S_NULL:
        return MASK_NULL;
    case MASK_S_PRESERVE:
        buf_append(out, in, len);
        return MASK_VALUE;
    case MASK_S_REDACT:
    case MASK_S_VALUE:
        buf_append(out, rule->text, rule->text_len);
        return MASK_VALUE;
    default:
        break;
    }
    s_keyed_ready(rule, key);
    if (rule->strategy == MASK_S_HASH) {
        s_hash(rule, in, len, out);
        return MASK_VALUE;
    }
    if (rule->strategy == MASK_S_JSON) {
        rc = mask_json_apply(rule, in, len, out, err);
        if (rc < 0)
            out->len = mark;
        return rc;
    }
    mask_prf_init(&prf, rule, in, len);
    rc = s_apply_prf(rule, &prf, in, len, out, err);
    /* an output equal to its input would leak it: draw again from fresh streams, a bounded
     * number of times (a value the strategy cannot change stays as it is) */
    for (unsigned round = 1; rc == MASK_VALUE && round <= S_REDRAWS && s_same(out, mark, in, len);
         round++) {
        out->len = mark;
        mask_prf_restart(&prf, round);
        rc = s_apply_prf(rule, &prf, in, len, out, err);
    }
    if (rc < 0)
        out->len = mark;
    return rc;
}
