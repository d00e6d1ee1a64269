/*
 * fuzz_copyrow.c - libFuzzer target for the COPY row parsers (common/copyrow.h).
 *
 * Every input is used three ways:
 *
 *   escaped text     copyrow_text_decode on the whole input, against a reference decoder
 *                    written from the header's description (same bytes, same errors);
 *   a text row       copyrow_text_split, then each field decoded, encoded and decoded again
 *                    (the round trip must give the same bytes, and the encoded fields joined
 *                    by tabs must split into the same row); then copyrow_text_rewrite with
 *                    nothing masked (the row must come back byte for byte) and with the
 *                    fields picked by the input's first two bytes masked, the replacement
 *                    callback doing by field index one of: the value itself, NULL, KEEP, a
 *                    value full of bytes to escape, an error. The result must split into as
 *                    many fields, each what the callback said, or fail exactly when it should.
 *   a binary stream  all but the last byte, fed to copyrow_bin in one message, then again in
 *                    messages cut at lengths drawn from the last byte (zero-length ones
 *                    included), then once more in one message after copyrow_bin_reset: the
 *                    three runs must hand out the same items and end the same way. Every
 *                    item is checked (offsets inside it, fields back to back) and rewritten as
 *                    above; a rewritten tuple is parsed again behind a header and must hold
 *                    what the callback said.
 *   an encoding name copyrow_encoding_supported on the input as a C string.
 *
 * The sanitizers catch any read past the input (libFuzzer's buffer is exactly its size, and
 * a binary message is copied into one of its own size) and any leak.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "tests/fuzz/fuzz.h"
#include "common/copyrow.h"

/* Most fields a row may have (PostgreSQL's limit on a table's columns). */
#define S_MAX_FIELDS 1600

/* What the replacement callback does with a field, chosen by its index. */
typedef enum s_action {
    S_SAME,  /* COPYROW_VALUE: the field's own raw value (text: refused when it holds a NUL) */
    S_NULL,  /* COPYROW_NULL, after appending bytes that must be dropped */
    S_KEEP,  /* COPYROW_KEEP, after appending bytes that must be dropped */
    S_FIXED, /* COPYROW_VALUE: S_FIXED_VALUE, every byte the text format escapes */
    S_ERROR, /* -1 with err set */
    S_NACTIONS
} s_action_t;

/* A value with every byte the text format writes as an escape (and a NUL-free one). */
static const char S_FIXED_VALUE[] = "a\tb\nc\\d\re\bf\fg\vh\\N";

/* What the callback knows and checks. */
typedef struct s_ctx {
    int salt;             /* shifts the action of every field, taken from the input */
    const char *lo, *hi;  /* where raw may point (besides scratch): the row or the item */
    const buf_t *scratch; /* text: the rewrite's scratch buffer, where raw may point too */
    const buf_t *expect;  /* text: each field's decoded value, to compare raw with */
    const bool *is_null;  /* text: each field's nullness */
    int calls;            /* number of calls so far */
    int last_field;       /* the field of the last call, to check the order */
} s_ctx_t;

/* The action for field (the same in the callback and in the checks). */
static s_action_t
s_action(const s_ctx_t *ctx, int field)
{
    return (s_action_t) ((field + ctx->salt) % S_NACTIONS);
}

/* True when p lies inside b's memory. */
static bool
s_inside(const buf_t *b, const char *p)
{
    return b->data != NULL && p >= b->data && p < b->data + b->cap;
}

/* The replacement callback of both formats. */
static int
s_replace(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
          err_t *err)
{
    s_ctx_t *ctx = arg;

    FUZZ_CHECK(field > ctx->last_field);
    ctx->last_field = field;
    ctx->calls++;
    FUZZ_CHECK(is_null == (raw == NULL));
    FUZZ_CHECK(!is_null || rawlen == 0);
    if (raw != NULL) {
        bool in_source = raw >= ctx->lo && raw + rawlen <= ctx->hi;
        bool in_scratch = ctx->scratch != NULL && s_inside(ctx->scratch, raw) &&
                          raw + rawlen <= ctx->scratch->data + ctx->scratch->len;

        FUZZ_CHECK(in_source || in_scratch);
        FUZZ_CHECK(!s_inside(out, raw));
    }
    if (ctx->expect != NULL) {
        FUZZ_CHECK(is_null == ctx->is_null[field]);
        FUZZ_CHECK(rawlen == ctx->expect[field].len);
        FUZZ_CHECK(rawlen == 0 || memcmp(raw, ctx->expect[field].data, rawlen) == 0);
    }
    switch (s_action(ctx, field)) {
    case S_SAME:
        buf_append(out, raw, rawlen);
        return COPYROW_VALUE;
    case S_NULL:
        buf_append_str(out, "dropped");
        return COPYROW_NULL;
    case S_KEEP:
        buf_append_str(out, "dropped");
        return COPYROW_KEEP;
    case S_FIXED:
        buf_append(out, S_FIXED_VALUE, sizeof(S_FIXED_VALUE) - 1);
        return COPYROW_VALUE;
    case S_ERROR:
    case S_NACTIONS:
        break;
    }
    return err_set(err, "fuzz", 1, "field %d refused", field);
}

/* Readies ctx for one rewrite. */
static void
s_ctx_start(s_ctx_t *ctx)
{
    ctx->calls = 0;
    ctx->last_field = -1;
}

/* The masked flags of n fields from the input's first two bytes (all masked when shorter). */
static void
s_masked(const uint8_t *data, size_t size, bool *masked, int n)
{
    unsigned bits = size >= 2 ? (unsigned) data[0] | (unsigned) data[1] << 8 : 0xFFFFu;

    for (int i = 0; i < n; i++)
        masked[i] = (bits >> (i % 16)) & 1;
}

/* ---------------------------------------------------------------------------------------
 * Text format
 */

/* The value of hex digit c, or -1. */
static int
s_ref_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * A reference decoder written from copyrow.h's description, one byte at a time: \b \f \n
 * \r \t \v, \ooo (1 to 3 octal digits), \xh or \xhh, a backslash before any other byte is
 * that byte; a backslash at the very end is an error (-1).
 */
static int
s_ref_decode(const char *p, size_t len, buf_t *out)
{
    static const char letters[] = "bfnrtv", bytes[] = "\b\f\n\r\t\v";
    size_t i = 0;

    while (i < len) {
        char c = p[i++];
        const char *letter;

        if (c != '\\') {
            buf_append_byte(out, c);
            continue;
        }
        if (i == len)
            return -1;
        c = p[i++];
        if (c >= '0' && c <= '7') {
            int val = c - '0';

            for (int k = 0; k < 2 && i < len && p[i] >= '0' && p[i] <= '7'; k++)
                val = val * 8 + (p[i++] - '0');
            buf_append_byte(out, (char) (val & 0xFF));
        } else if (c == 'x' && i < len && s_ref_hex(p[i]) >= 0) {
            int val = s_ref_hex(p[i++]);

            if (i < len && s_ref_hex(p[i]) >= 0)
                val = val * 16 + s_ref_hex(p[i++]);
            buf_append_byte(out, (char) val);
        } else if (c != '\0' && (letter = strchr(letters, c)) != NULL) {
            buf_append_byte(out, bytes[letter - letters]);
        } else {
            buf_append_byte(out, c);
        }
    }
    return 0;
}

/* copyrow_text_decode on the whole input, against the reference decoder. */
static void
s_text_decode_any(const uint8_t *data, size_t size)
{
    buf_t got, want;
    err_t err;
    int rc;

    buf_init(&got);
    buf_init(&want);
    err_clear(&err);
    buf_append_str(&got, "before");
    buf_append_str(&want, "before");
    rc = copyrow_text_decode((const char *) data, size, &got, &err);
    FUZZ_CHECK(rc == s_ref_decode((const char *) data, size, &want));
    if (rc == 0)
        FUZZ_CHECK(got.len == want.len && memcmp(got.data, want.data, got.len) == 0);
    else
        FUZZ_CHECK(rc == -1 && err_isset(&err));
    buf_free(&want);
    buf_free(&got);
}

/* Splits row with fields sized exactly max_fields (so that a write past them is caught). */
static int
s_split(const char *row, size_t len, int max_fields, copyrow_field_t **fields, err_t *err)
{
    *fields = malloc(sizeof(**fields) * (size_t) max_fields);
    FUZZ_CHECK(*fields != NULL);
    return copyrow_text_split(row, len, *fields, max_fields, err);
}

/* Checks the split of row into n fields against the row itself. */
static void
s_check_fields(const char *row, size_t len, const copyrow_field_t *fields, int n)
{
    size_t at = 0;

    FUZZ_CHECK(n >= 1);
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(fields[i].off == at);
        at = (size_t) fields[i].off + fields[i].len;
        FUZZ_CHECK(at < len);
        FUZZ_CHECK(row[at] == (i == n - 1 ? '\n' : '\t'));
        at++;
    }
    FUZZ_CHECK(at == len);
}

/*
 * Decodes every field of row (expect[i], is_null[i]) and checks the escape round trip.
 * Returns the row rebuilt from the encoded fields, which the caller frees.
 */
static void
s_text_fields(const char *row, const copyrow_field_t *fields, int n, buf_t *expect, bool *is_null,
              buf_t *rebuilt)
{
    buf_t enc, dec, enc2;
    err_t err;

    buf_init(&enc);
    buf_init(&dec);
    buf_init(&enc2);
    err_clear(&err);
    for (int i = 0; i < n; i++) {
        copyrow_field_t f = fields[i];

        if (i > 0)
            buf_append_byte(rebuilt, '\t');
        is_null[i] = copyrow_text_is_null(row, f);
        if (is_null[i]) {
            buf_append(rebuilt, "\\N", 2);
            continue;
        }
        /* a field the split accepted always decodes: its last backslash escapes something */
        FUZZ_CHECK(copyrow_text_decode(row + f.off, f.len, &expect[i], &err) == 0);
        FUZZ_CHECK(expect[i].len <= f.len);

        buf_reset(&enc);
        copyrow_text_encode(expect[i].data, expect[i].len, &enc);
        FUZZ_CHECK(enc.len >= expect[i].len && enc.len <= 2 * expect[i].len);
        FUZZ_CHECK(enc.len == 0 || memchr(enc.data, '\t', enc.len) == NULL);
        FUZZ_CHECK(enc.len == 0 || memchr(enc.data, '\n', enc.len) == NULL);
        FUZZ_CHECK(!(enc.len == 2 && enc.data[0] == '\\' && enc.data[1] == 'N'));

        buf_reset(&dec);
        FUZZ_CHECK(copyrow_text_decode(enc.data, enc.len, &dec, &err) == 0);
        FUZZ_CHECK(dec.len == expect[i].len);
        FUZZ_CHECK(dec.len == 0 || memcmp(dec.data, expect[i].data, dec.len) == 0);

        /* encoding is canonical: what it wrote encodes back to the same bytes */
        buf_reset(&enc2);
        copyrow_text_encode(dec.data, dec.len, &enc2);
        FUZZ_CHECK(enc2.len == enc.len);
        FUZZ_CHECK(enc.len == 0 || memcmp(enc.data, enc2.data, enc.len) == 0);

        buf_append(rebuilt, enc.data, enc.len);
    }
    buf_append_byte(rebuilt, '\n');
    buf_free(&enc2);
    buf_free(&dec);
    buf_free(&enc);
}

/* Checks that the rebuilt row splits into the same fields with the same values. */
static void
s_text_rebuilt(const buf_t *rebuilt, int n, const buf_t *expect, const bool *is_null)
{
    copyrow_field_t *fields;
    buf_t dec;
    err_t err;

    buf_init(&dec);
    err_clear(&err);
    FUZZ_CHECK(s_split(rebuilt->data, rebuilt->len, n, &fields, &err) == n);
    s_check_fields(rebuilt->data, rebuilt->len, fields, n);
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(copyrow_text_is_null(rebuilt->data, fields[i]) == is_null[i]);
        if (is_null[i])
            continue;
        buf_reset(&dec);
        FUZZ_CHECK(copyrow_text_decode(rebuilt->data + fields[i].off, fields[i].len, &dec, &err) ==
                   0);
        FUZZ_CHECK(dec.len == expect[i].len);
        FUZZ_CHECK(dec.len == 0 || memcmp(dec.data, expect[i].data, dec.len) == 0);
    }
    buf_free(&dec);
    free(fields);
}

/* True when the text rewrite of row must fail: the first masked field the callback refuses. */
static bool
s_text_should_fail(const s_ctx_t *ctx, const bool *masked, int n)
{
    for (int i = 0; i < n; i++) {
        if (!masked[i])
            continue;
        if (s_action(ctx, i) == S_ERROR)
            return true;
        if (s_action(ctx, i) == S_SAME && !ctx->is_null[i] && ctx->expect[i].len > 0 &&
            memchr(ctx->expect[i].data, '\0', ctx->expect[i].len) != NULL)
            return true; /* a NUL byte in a new value is refused */
    }
    return false;
}

/* Checks a successful rewrite (the bytes after prefix in out) against what was asked. */
static void
s_text_check_rewrite(const char *row, const copyrow_field_t *fields, int n, const bool *masked,
                     const s_ctx_t *ctx, const char *rewritten, size_t len)
{
    copyrow_field_t *got;
    buf_t dec;
    err_t err;

    buf_init(&dec);
    err_clear(&err);
    FUZZ_CHECK(s_split(rewritten, len, n, &got, &err) == n);
    s_check_fields(rewritten, len, got, n);
    for (int i = 0; i < n; i++) {
        const char *field = rewritten + got[i].off;
        s_action_t action = s_action(ctx, i);

        if (!masked[i] || action == S_KEEP) {
            FUZZ_CHECK(got[i].len == fields[i].len);
            FUZZ_CHECK(memcmp(field, row + fields[i].off, got[i].len) == 0);
            continue;
        }
        if (action == S_NULL) {
            FUZZ_CHECK(copyrow_text_is_null(rewritten, got[i]));
            continue;
        }
        FUZZ_CHECK(!copyrow_text_is_null(rewritten, got[i]));
        buf_reset(&dec);
        FUZZ_CHECK(copyrow_text_decode(field, got[i].len, &dec, &err) == 0);
        if (action == S_FIXED) {
            FUZZ_CHECK(dec.len == sizeof(S_FIXED_VALUE) - 1);
            FUZZ_CHECK(memcmp(dec.data, S_FIXED_VALUE, dec.len) == 0);
        } else {
            FUZZ_CHECK(action == S_SAME);
            FUZZ_CHECK(dec.len == ctx->expect[i].len);
            FUZZ_CHECK(dec.len == 0 || memcmp(dec.data, ctx->expect[i].data, dec.len) == 0);
        }
    }
    buf_free(&dec);
    free(got);
}

/* Rewrites row with masked (NULL: nothing) and checks the result. */
static void
s_text_rewrite(const char *row, size_t len, const copyrow_field_t *fields, int n,
               const bool *masked, s_ctx_t *ctx, buf_t *scratch)
{
    static const char prefix[] = "earlier rows\n";
    buf_t out;
    err_t err;
    int rc;

    buf_init(&out);
    err_clear(&err);
    buf_append(&out, prefix, sizeof(prefix) - 1);
    s_ctx_start(ctx);
    rc = copyrow_text_rewrite(row, len, fields, n, s_replace, masked, ctx, scratch, &out, &err);
    FUZZ_CHECK(out.len >= sizeof(prefix) - 1);
    FUZZ_CHECK(memcmp(out.data, prefix, sizeof(prefix) - 1) == 0);
    if (masked == NULL) {
        FUZZ_CHECK(rc == 0 && ctx->calls == 0);
        FUZZ_CHECK(out.len == sizeof(prefix) - 1 + len);
        FUZZ_CHECK(memcmp(out.data + sizeof(prefix) - 1, row, len) == 0);
    } else if (s_text_should_fail(ctx, masked, n)) {
        FUZZ_CHECK(rc == -1 && err_isset(&err));
        FUZZ_CHECK(out.len == sizeof(prefix) - 1);
    } else {
        FUZZ_CHECK(rc == 0);
        s_text_check_rewrite(row, fields, n, masked, ctx, out.data + sizeof(prefix) - 1,
                             out.len - (sizeof(prefix) - 1));
    }
    buf_free(&out);
}

/* The text format: split, escape round trips, rewrites. */
static void
s_text(const uint8_t *data, size_t size)
{
    const char *row = (const char *) data;
    copyrow_field_t *fields, *fewer;
    buf_t *expect, rebuilt, scratch;
    bool *is_null, *masked;
    s_ctx_t ctx;
    err_t err;
    int n;

    err_clear(&err);
    n = s_split(row, size, S_MAX_FIELDS, &fields, &err);
    if (n < 0) {
        FUZZ_CHECK(n == -1 && err_isset(&err));
        free(fields);
        return;
    }
    s_check_fields(row, size, fields, n);
    /* one field fewer allowed: refused */
    if (n > 1) {
        FUZZ_CHECK(s_split(row, size, n - 1, &fewer, &err) == -1);
        free(fewer);
    }

    expect = calloc((size_t) n, sizeof(*expect));
    is_null = calloc((size_t) n, sizeof(*is_null));
    masked = calloc((size_t) n, sizeof(*masked));
    FUZZ_CHECK(expect != NULL && is_null != NULL && masked != NULL);
    buf_init(&rebuilt);
    s_text_fields(row, fields, n, expect, is_null, &rebuilt);
    s_text_rebuilt(&rebuilt, n, expect, is_null);

    buf_init(&scratch);
    memset(&ctx, 0, sizeof(ctx));
    ctx.salt = (int) (size % S_NACTIONS);
    ctx.lo = row;
    ctx.hi = row + size;
    ctx.scratch = &scratch;
    ctx.expect = expect;
    ctx.is_null = is_null;
    s_masked(data, size, masked, n);
    s_text_rewrite(row, size, fields, n, NULL, &ctx, &scratch);
    s_text_rewrite(row, size, fields, n, masked, &ctx, &scratch);
    for (int i = 0; i < n; i++)
        masked[i] = !masked[i];
    s_text_rewrite(row, size, fields, n, masked, &ctx, &scratch);

    buf_free(&scratch);
    buf_free(&rebuilt);
    for (int i = 0; i < n; i++)
        buf_free(&expect[i]);
    free(masked);
    free(is_null);
    free(expect);
    free(fields);
}

/* ---------------------------------------------------------------------------------------
 * Binary format
 */

/* A binary header with no extension, to parse a rewritten tuple behind. */
static const char S_BIN_HEADER[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

/* Reads a network-order int16. */
static int
s_get16(const char *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return (int16_t) ntohs(v);
}

/* Checks an item's shape against the binary format. */
static void
s_bin_check_item(const copyrow_bin_item_t *item, int max_fields)
{
    size_t at;

    FUZZ_CHECK(item->len > 0 && item->data != NULL);
    switch (item->kind) {
    case COPYROW_BIN_HEADER:
        FUZZ_CHECK(item->len >= 19 && memcmp(item->data, S_BIN_HEADER, 11) == 0);
        FUZZ_CHECK(item->nfields == 0);
        break;
    case COPYROW_BIN_TRAILER:
        FUZZ_CHECK(item->len == 2 && s_get16(item->data) == -1);
        FUZZ_CHECK(item->nfields == 0);
        break;
    case COPYROW_BIN_TUPLE:
        FUZZ_CHECK(item->nfields >= 0 && item->nfields <= max_fields);
        FUZZ_CHECK(s_get16(item->data) == item->nfields);
        at = 2;
        for (int i = 0; i < item->nfields; i++) {
            copyrow_bin_field_t f = item->fields[i];

            FUZZ_CHECK(f.off == at + 4);
            FUZZ_CHECK(f.len >= -1);
            at = f.off + (f.len < 0 ? 0 : (size_t) f.len);
            FUZZ_CHECK(at <= item->len);
        }
        FUZZ_CHECK(at == item->len);
        break;
    }
}

/* Checks a rewritten tuple: parsed behind a header, it must hold what the callback said. */
static void
s_bin_check_rewrite(const copyrow_bin_item_t *item, const bool *masked, const s_ctx_t *ctx,
                    const char *rewritten, size_t len)
{
    copyrow_bin_t *bin = copyrow_bin_new(item->nfields > 0 ? item->nfields : 1);
    char *copy = malloc(len);
    copyrow_bin_item_t header, got;
    err_t err;

    FUZZ_CHECK(copy != NULL);
    memcpy(copy, rewritten, len);
    err_clear(&err);
    copyrow_bin_feed(bin, S_BIN_HEADER, sizeof(S_BIN_HEADER));
    FUZZ_CHECK(copyrow_bin_next(bin, &header, &err) == 1 && header.kind == COPYROW_BIN_HEADER);
    FUZZ_CHECK(copyrow_bin_next(bin, &header, &err) == 0);
    copyrow_bin_feed(bin, copy, len);
    FUZZ_CHECK(copyrow_bin_next(bin, &got, &err) == 1);
    FUZZ_CHECK(got.kind == COPYROW_BIN_TUPLE && got.len == len);
    FUZZ_CHECK(got.nfields == item->nfields);
    FUZZ_CHECK(copyrow_bin_next(bin, &header, &err) == 0);
    for (int i = 0; i < item->nfields; i++) {
        copyrow_bin_field_t was = item->fields[i], now = got.fields[i];
        s_action_t action = s_action(ctx, i);

        if (!masked[i] || action == S_KEEP) {
            FUZZ_CHECK(now.len == was.len);
            FUZZ_CHECK(was.len <= 0 ||
                       memcmp(got.data + now.off, item->data + was.off, (size_t) was.len) == 0);
        } else if (action == S_NULL) {
            FUZZ_CHECK(now.len == -1);
        } else if (action == S_FIXED) {
            FUZZ_CHECK(now.len == (int32_t) sizeof(S_FIXED_VALUE) - 1);
            FUZZ_CHECK(memcmp(got.data + now.off, S_FIXED_VALUE, sizeof(S_FIXED_VALUE) - 1) == 0);
        } else {
            /* S_SAME: the value itself; a NULL one comes back as an empty value */
            FUZZ_CHECK(action == S_SAME);
            FUZZ_CHECK(now.len == (was.len < 0 ? 0 : was.len));
            FUZZ_CHECK(was.len <= 0 ||
                       memcmp(got.data + now.off, item->data + was.off, (size_t) was.len) == 0);
        }
    }
    free(copy);
    copyrow_bin_destroy(&bin);
}

/* Rewrites an item with masked (NULL: nothing) and checks the result. */
static void
s_bin_rewrite(const copyrow_bin_item_t *item, const bool *masked, s_ctx_t *ctx)
{
    static const char prefix[] = "earlier items";
    bool should_fail = false;
    buf_t out;
    err_t err;
    int rc;

    buf_init(&out);
    err_clear(&err);
    buf_append(&out, prefix, sizeof(prefix) - 1);
    ctx->lo = item->data;
    ctx->hi = item->data + item->len;
    s_ctx_start(ctx);
    rc = copyrow_bin_rewrite(item, s_replace, masked, ctx, &out, &err);
    FUZZ_CHECK(out.len >= sizeof(prefix) - 1);
    FUZZ_CHECK(memcmp(out.data, prefix, sizeof(prefix) - 1) == 0);
    for (int i = 0; masked != NULL && i < item->nfields && !should_fail; i++)
        should_fail = masked[i] && s_action(ctx, i) == S_ERROR;
    if (should_fail) {
        FUZZ_CHECK(rc == -1 && err_isset(&err));
        FUZZ_CHECK(out.len == sizeof(prefix) - 1);
    } else if (masked == NULL || item->kind != COPYROW_BIN_TUPLE) {
        FUZZ_CHECK(rc == 0 && ctx->calls == 0);
        FUZZ_CHECK(out.len == sizeof(prefix) - 1 + item->len);
        FUZZ_CHECK(memcmp(out.data + sizeof(prefix) - 1, item->data, item->len) == 0);
    } else {
        FUZZ_CHECK(rc == 0);
        s_bin_check_rewrite(item, masked, ctx, out.data + sizeof(prefix) - 1,
                            out.len - (sizeof(prefix) - 1));
    }
    buf_free(&out);
}

/* Appends what the run saw of an item to log (to compare runs). */
static void
s_bin_log(buf_t *log, const copyrow_bin_item_t *item)
{
    buf_appendf(log, "%d %zu %d:", (int) item->kind, item->len, item->nfields);
    for (int i = 0; i < item->nfields; i++)
        buf_appendf(log, " %u/%d", (unsigned) item->fields[i].off, (int) item->fields[i].len);
    buf_append_byte(log, '\n');
    buf_append(log, item->data, item->len);
}

/* The next message length of a cut run: drawn from *state, at most limit. */
static size_t
s_cut(uint32_t *state, size_t limit)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state % (limit + 1);
}

/*
 * Feeds stream to bin, in one message when limit is 0, else in messages of at most limit
 * bytes cut with state. Checks and rewrites every item and logs it. Returns 1 when the stream
 * ended well (finish accepted it), 0 when it was cut short, -1 when an item was malformed.
 */
static int
s_bin_run(copyrow_bin_t *bin, const uint8_t *stream, size_t len, size_t limit, uint32_t state,
          const uint8_t *data, size_t size, int max_fields, buf_t *log)
{
    bool *masked = calloc(S_MAX_FIELDS, sizeof(*masked));
    size_t pos = 0, last = 1;
    s_ctx_t ctx;
    err_t err;
    int rc = 0;

    FUZZ_CHECK(masked != NULL);
    memset(&ctx, 0, sizeof(ctx));
    ctx.salt = (int) (size % S_NACTIONS);
    s_masked(data, size, masked, S_MAX_FIELDS);
    err_clear(&err);
    while (pos < len && rc >= 0) {
        size_t n = limit == 0 ? len : s_cut(&state, limit);
        char *msg;
        copyrow_bin_item_t item;

        if (n == 0 && last == 0)
            n = 1; /* a zero-length message, but never two in a row */
        if (n > len - pos)
            n = len - pos;
        last = n;
        /* a copy of the message's own size, so that a read past it is caught */
        msg = malloc(n > 0 ? n : 1);
        FUZZ_CHECK(msg != NULL);
        if (n > 0)
            memcpy(msg, stream + pos, n);
        pos += n;
        copyrow_bin_feed(bin, msg, n);
        while ((rc = copyrow_bin_next(bin, &item, &err)) == 1) {
            s_bin_check_item(&item, max_fields);
            s_bin_log(log, &item);
            s_bin_rewrite(&item, NULL, &ctx);
            s_bin_rewrite(&item, masked, &ctx);
        }
        if (rc < 0)
            FUZZ_CHECK(rc == -1 && err_isset(&err));
        free(msg);
    }
    free(masked);
    if (rc < 0) {
        buf_append_str(log, "malformed\n");
        return -1;
    }
    rc = copyrow_bin_finish(bin, &err) == 0 ? 1 : 0;
    buf_appendf(log, "finish %d\n", rc);
    return rc;
}

/* The binary format: one message, cut messages, one message after a reset. */
static void
s_binary(const uint8_t *data, size_t size)
{
    buf_t whole, cut, again;
    uint8_t seed;
    int max_fields, rc_whole, rc_cut, rc_again;
    copyrow_bin_t *bin;

    if (size == 0)
        return;
    seed = data[size - 1];
    max_fields = (seed & 0x80) != 0 ? 2 : S_MAX_FIELDS;
    buf_init(&whole);
    buf_init(&cut);
    buf_init(&again);

    bin = copyrow_bin_new(max_fields);
    rc_whole = s_bin_run(bin, data, size - 1, 0, 0, data, size, max_fields, &whole);
    copyrow_bin_destroy(&bin);
    copyrow_bin_destroy(&bin); /* safe twice */

    bin = copyrow_bin_new(max_fields);
    rc_cut = s_bin_run(bin, data, size - 1, 1 + (seed & 0x3f), 0x9e3779b9u ^ seed, data, size,
                       max_fields, &cut);
    copyrow_bin_reset(bin);
    rc_again = s_bin_run(bin, data, size - 1, 0, 0, data, size, max_fields, &again);
    copyrow_bin_destroy(&bin);

    FUZZ_CHECK(rc_whole == rc_cut && rc_whole == rc_again);
    FUZZ_CHECK(whole.len == cut.len && memcmp(whole.data, cut.data, whole.len) == 0);
    FUZZ_CHECK(whole.len == again.len && memcmp(whole.data, again.data, whole.len) == 0);
    buf_free(&again);
    buf_free(&cut);
    buf_free(&whole);
}

/* copyrow_encoding_supported on the input as a C string. */
static void
s_encoding(const uint8_t *data, size_t size)
{
    char name[64];
    size_t n = size < sizeof(name) - 1 ? size : sizeof(name) - 1;

    memcpy(name, data, n);
    name[n] = '\0';
    (void) copyrow_encoding_supported(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s_text_decode_any(data, size);
    s_text(data, size);
    s_binary(data, size);
    s_encoding(data, size);
    return 0;
}
