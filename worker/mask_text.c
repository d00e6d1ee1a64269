/*
 * mask_text.c - UTF-8 helpers and the text strategy: same length in characters, letters
 * replaced by letters of the same case, digits by digits, everything else kept.
 *
 * Letters are recognized without locale tables, by code point range, so the output is the
 * same on every host:
 *   ASCII a-z, A-Z                          a random ASCII letter of the same case
 *   Latin-1 and Latin Extended-A letters    a random ASCII letter of the same case
 *     (U+00C0-U+017F), Latin Extended Additional (U+1E00-U+1EFF, Vietnamese)
 *   Latin Extended-B (U+0180-U+024F)        a random lower-case ASCII letter
 *   Greek, Cyrillic                         a random letter of that script and case
 *   Hebrew, Arabic, Devanagari, Thai, Hiragana, Katakana, CJK ideographs, Hangul syllables
 *                                           a random letter (or ideograph, syllable) of the
 *                                           same script
 *   ASCII digits 0-9                        a random digit
 * Other characters (spaces, punctuation, symbols, emoji, combining marks, and the letters of
 * scripts not listed) are kept. An invalid UTF-8 byte becomes a random lower-case ASCII
 * letter, so the output is always valid UTF-8 with as many characters as the input had
 * (counting an invalid byte as one character, as PostgreSQL's SQL_ASCII does).
 */
#include "worker/mask_internal.h"

#include <string.h>

size_t
mask_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned c = s[0];
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4)
        return 0;
    if (c < 0xE0) {
        if (len < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t) (c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c < 0xF0) {
        if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        v = ((uint32_t) (c & 0x0F) << 12) | ((uint32_t) (s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
            return 0;
        *cp = v;
        return 3;
    }
    if (len < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
        return 0;
    v = ((uint32_t) (c & 0x07) << 18) | ((uint32_t) (s[1] & 0x3F) << 12) |
        ((uint32_t) (s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    if (v < 0x10000 || v > 0x10FFFF)
        return 0;
    *cp = v;
    return 4;
}

void
mask_utf8_append(buf_t *out, uint32_t cp)
{
    char b[4];
    size_t n;

    if (cp < 0x80) {
        b[0] = (char) cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char) (0xC0 | (cp >> 6));
        b[1] = (char) (0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char) (0xE0 | (cp >> 12));
        b[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char) (0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (char) (0xF0 | (cp >> 18));
        b[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char) (0x80 | (cp & 0x3F));
        n = 4;
    }
    buf_append(out, b, n);
}

size_t
mask_utf8_chars(const char *s, size_t len)
{
    size_t n = 0, i = 0;

    while (i < len) {
        uint32_t cp;
        size_t k = mask_utf8_decode((const unsigned char *) s + i, len - i, &cp);

        i += k ? k : 1;
        n++;
    }
    return n;
}

size_t
mask_utf8_prefix(const char *s, size_t len, size_t n)
{
    size_t i = 0;

    while (i < len && n > 0) {
        uint32_t cp;
        size_t k = mask_utf8_decode((const unsigned char *) s + i, len - i, &cp);

        i += k ? k : 1;
        n--;
    }
    return i;
}

/* What a letter becomes. */
typedef enum s_target {
    S_ASCII_UPPER, /* a random A-Z */
    S_ASCII_LOWER, /* a random a-z */
    S_RANGE        /* a random code point of [lo, hi] */
} s_target_t;

/* A range of letters and what each becomes. */
typedef struct s_script {
    uint32_t first;    /* first code point of the range */
    uint32_t last;     /* last code point of the range */
    s_target_t target; /* what a letter of the range becomes */
    uint32_t lo;       /* S_RANGE: first replacement */
    uint32_t hi;       /* S_RANGE: last replacement (every one in between is a letter) */
} s_script_t;

/* The non-Latin scripts, sorted by first code point. */
static const s_script_t s_scripts[] = {
    {0x0386, 0x0386, S_RANGE, 0x0391, 0x03A1}, /* Greek capitals: Α-Ρ */
    {0x0388, 0x038F, S_RANGE, 0x0391, 0x03A1},
    {0x0391, 0x03AB, S_RANGE, 0x0391, 0x03A1},
    {0x03AC, 0x03CE, S_RANGE, 0x03B1, 0x03C9}, /* Greek small letters: α-ω */
    {0x0400, 0x042F, S_RANGE, 0x0410, 0x042F}, /* Cyrillic capitals: А-Я */
    {0x0430, 0x045F, S_RANGE, 0x0430, 0x044F}, /* Cyrillic small letters: а-я */
    {0x05D0, 0x05EA, S_RANGE, 0x05D0, 0x05EA}, /* Hebrew */
    {0x0620, 0x063A, S_RANGE, 0x0628, 0x063A}, /* Arabic */
    {0x0641, 0x064A, S_RANGE, 0x0628, 0x063A},
    {0x0904, 0x0939, S_RANGE, 0x0915, 0x0939}, /* Devanagari consonants */
    {0x0E01, 0x0E2E, S_RANGE, 0x0E01, 0x0E2E}, /* Thai consonants */
    {0x3041, 0x3096, S_RANGE, 0x3042, 0x3093}, /* Hiragana */
    {0x30A1, 0x30FA, S_RANGE, 0x30A2, 0x30F3}, /* Katakana */
    {0x3400, 0x4DBF, S_RANGE, 0x4E00, 0x9FA5}, /* CJK ideographs (replacements: Unicode 1.1) */
    {0x4E00, 0x9FFF, S_RANGE, 0x4E00, 0x9FA5},
    {0xAC00, 0xD7A3, S_RANGE, 0xAC00, 0xD7A3}, /* Hangul syllables */
};

/*
 * The case of a Latin letter beyond ASCII: 1 upper, 2 lower, 0 not such a letter. Latin
 * Extended-A and Additional pair a capital (even) with its small letter (odd), except where
 * the Unicode chart shifts the pairing by one.
 */
static int
s_latin_case(uint32_t cp)
{
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return 1;
    if (cp >= 0xDF && cp <= 0xFF && cp != 0xF7)
        return 2;
    if (cp >= 0x100 && cp <= 0x17F) {
        if (cp == 0x138 || cp == 0x149 || cp == 0x17F)
            return 2;
        if (cp == 0x178)
            return 1;
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return (cp & 1) ? 1 : 2;
        return (cp & 1) ? 2 : 1;
    }
    if (cp >= 0x180 && cp <= 0x24F)
        return 2;
    if (cp >= 0x1E00 && cp <= 0x1EFF)
        return ((cp >= 0x1E96 && cp <= 0x1E9F) || (cp & 1)) ? 2 : 1;
    return 0;
}

/* What code point cp (>= 0x80) becomes. */
static uint32_t
s_mask_wide(uint32_t cp, mask_prf_t *prf)
{
    int c = s_latin_case(cp);
    size_t lo = 0, hi = sizeof(s_scripts) / sizeof(s_scripts[0]);

    if (c == 1)
        return 'A' + mask_prf_below(prf, 26);
    if (c == 2)
        return 'a' + mask_prf_below(prf, 26);
    while (lo < hi) { /* binary search of the range holding cp */
        size_t mid = (lo + hi) / 2;

        if (cp < s_scripts[mid].first)
            hi = mid;
        else if (cp > s_scripts[mid].last)
            lo = mid + 1;
        else
            return s_scripts[mid].lo +
                   mask_prf_below(prf, s_scripts[mid].hi - s_scripts[mid].lo + 1);
    }
    return cp;
}

void
mask_text_chars(mask_prf_t *prf, const char *in, size_t len, buf_t *out)
{
    const unsigned char *s = (const unsigned char *) in;
    size_t i = 0;

    buf_reserve(out, len);
    while (i < len) {
        unsigned c = s[i];
        uint32_t cp;
        size_t k;

        if (c < 0x80) {
            if (c >= 'a' && c <= 'z')
                c = 'a' + mask_prf_below(prf, 26);
            else if (c >= 'A' && c <= 'Z')
                c = 'A' + mask_prf_below(prf, 26);
            else if (c >= '0' && c <= '9')
                c = '0' + mask_prf_below(prf, 10);
            buf_append_byte(out, (char) c);
            i++;
            continue;
        }
        k = mask_utf8_decode(s + i, len - i, &cp);
        if (k == 0) {
            buf_append_byte(out, (char) ('a' + mask_prf_below(prf, 26)));
            i++;
            continue;
        }
        mask_utf8_append(out, s_mask_wide(cp, prf));
        i += k;
    }
}
