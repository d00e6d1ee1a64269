/*
 * copyrow.h - parses and rewrites the rows of a COPY stream, text and binary formats.
 *
 * Masking reads only the tables that have masking rules, rewrites only the masked fields and
 * passes every other byte through untouched. This module is that parsing layer; it knows
 * nothing of rules or types: the caller says which fields are masked and supplies a callback
 * that turns one raw value into its replacement.
 *
 * Text format (PostgreSQL's "COPY File Formats", text): the server sends one row per CopyData
 * message, ending in '\n'; fields are separated by '\t'; NULL is the two bytes \N; a
 * backslash escapes the next byte: \b \f \n \r \t \v, \ooo (1 to 3 octal digits), \xh or \xhh
 * (hex), and a backslash before any other byte (a raw tab or newline included) stands for that
 * byte. The server writes only \\ \b \f \n \r \t \v and \N, but the decoder reads everything
 * the server reads. copyrow_text_encode writes exactly what the server writes, so decoding a
 * server-written field and encoding it again gives back the same bytes. The escape layer is
 * byte-transparent: \0 decodes to a NUL byte and encode passes one through (no server loads
 * a NUL in a text value; copyrow_text_rewrite refuses one in a new value). Encode never
 * writes \. (the end-of-data marker), since it doubles every backslash.
 *
 * Newlines: copyrow_text_split wants exactly one row: the message must end with an unescaped
 * '\n' and contain no other unescaped '\n' (a missing final newline, or two rows in one
 * message, is a protocol error, never guessed at). A raw '\r' is data to this module (the
 * server never writes one; a target server rejects it).
 *
 * Encodings: the parser works on bytes, which is only correct when no multibyte character
 * contains a byte below 0x80 (so a 0x5C inside a character is never taken for a backslash,
 * nor 0x09 for a tab). UTF-8 cannot have that problem (every byte of a multibyte character is
 * >= 0x80), nor can the LATIN*, WIN*, ISO_8859_*, KOI8*, EUC_* or MULE_INTERNAL encodings.
 * SJIS, SHIFT_JIS_2004, BIG5, GBK, UHC, GB18030 and JOHAB can (their trailing bytes go down
 * to 0x40 or lower). confiture sets client_encoding to the source's server_encoding, and
 * those are client-only encodings, so they cannot occur today; copyrow_encoding_supported
 * still refuses them, so that a caller checks before parsing.
 *
 * Binary format: an 11-byte signature "PGCOPY\n\377\r\n\0", int32 flags, int32 header
 * extension length and that many bytes; then tuples (int16 field count, then per field an
 * int32 length, -1 for NULL, and that many bytes); then the trailer, int16 -1. All integers
 * are in network order. How the server cuts this into CopyData messages is not part of the
 * protocol (today the header comes with the first tuple, the trailer alone), so
 * copyrow_bin_t is a state machine fed one message at a time that hands back whole items
 * (header, tuple, trailer) wherever the message boundaries fall: zero-copy when an item lies
 * inside one message, through an internal carry buffer when it straddles messages.
 *
 * Replacement callback (both formats), its return value:
 *   COPYROW_VALUE (0)  the new raw value was appended to out (text: unescaped bytes, which
 *                      the rewrite escapes; binary: the type's binary form, e.g. the UTF-8
 *                      bytes for text/varchar)
 *   COPYROW_NULL  (1)  the field becomes NULL (whatever was appended is dropped)
 *   COPYROW_KEEP  (2)  the field is kept as it came, byte for byte (whatever was appended is
 *                      dropped)
 *   < 0                an error: err is set by the callback; the rewrite fails
 * A NULL input is passed with is_null true, raw NULL and rawlen 0.
 *
 * Memory: nothing here allocates on the hot path once the caller's buffers have grown.
 */
#ifndef CONFITURE_COPYROW_H
#define CONFITURE_COPYROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

/* What a replacement callback returns (negative: an error). */
enum {
    COPYROW_VALUE = 0, /* the new value was appended to out */
    COPYROW_NULL = 1,  /* the field becomes NULL */
    COPYROW_KEEP = 2   /* the field stays as it came */
};

/*
 * Appends the replacement for field number field (0-based) to out; raw/rawlen is the
 * current value (text: unescaped; binary: the field's bytes), is_null when it is NULL.
 * Returns one of COPYROW_VALUE, COPYROW_NULL, COPYROW_KEEP, or -1 with err set. raw stays
 * valid during the call and never points into out.
 */
typedef int(copyrow_replace_fn)(void *arg, int field, const char *raw, size_t rawlen, bool is_null,
                                buf_t *out, err_t *err);

/* One text field: its escaped bytes inside the row. */
typedef struct copyrow_field {
    uint32_t off; /* offset of the field's first byte in the row */
    uint32_t len; /* escaped length (2 for a NULL's \N) */
} copyrow_field_t;

/* True when the encoding (a PostgreSQL name, any case, - and _ ignored) is safe to parse. */
bool copyrow_encoding_supported(const char *pg_encoding_name);

/*
 * Splits one text row (one CopyData message, ending in '\n') into at most max_fields
 * fields. Returns the field count (a row "\n" has one empty field), or -1 with err set when
 * the final newline is missing, the message holds more than one row, or there are more than
 * max_fields fields.
 */
int copyrow_text_split(const char *row, size_t len, copyrow_field_t *fields, int max_fields,
                       err_t *err);

/* True when field f of row is NULL (exactly \N; a text "\N" arrives as \\N). */
static inline bool
copyrow_text_is_null(const char *row, copyrow_field_t f)
{
    return f.len == 2 && row[f.off] == '\\' && row[f.off + 1] == 'N';
}

/*
 * Appends the unescaped form of len escaped bytes to out. Returns 0, or -1 with err set on
 * a backslash at the very end (an escape with nothing to escape). Call it on non-NULL fields:
 * \N alone decodes to "N", as it does inside a longer field.
 */
int copyrow_text_decode(const char *escaped, size_t len, buf_t *out, err_t *err);

/* Appends the escaped form of len raw bytes to out, as the server writes it. */
void copyrow_text_encode(const char *raw, size_t len, buf_t *out);

/*
 * Appends a rewritten row to out: fields whose masked[i] is false are copied verbatim
 * (never decoded), masked ones are decoded, passed to replace and the result escaped.
 * fields/nfields come from copyrow_text_split on the same row; masked has nfields entries or
 * is NULL (nothing masked). The callback's raw points into row when the field holds no
 * escape, else into scratch (a caller's buffer, reused, never out). A row with nothing
 * masked comes out byte-identical. Returns 0, or -1 with err set (the callback's error, a
 * NUL byte in a new value, an invalid escape) and out as it was on entry.
 */
int copyrow_text_rewrite(const char *row, size_t len, const copyrow_field_t *fields, int nfields,
                         copyrow_replace_fn *replace, const bool *masked, void *arg, buf_t *scratch,
                         buf_t *out, err_t *err);

/* What a binary item is. */
typedef enum copyrow_bin_kind {
    COPYROW_BIN_HEADER,  /* signature, flags, header extension */
    COPYROW_BIN_TUPLE,   /* one row */
    COPYROW_BIN_TRAILER, /* the int16 -1 that ends the stream */
} copyrow_bin_kind_t;

/* One binary field: where its bytes are inside the tuple. */
typedef struct copyrow_bin_field {
    uint32_t off; /* offset of the value's first byte (after its length word) in the tuple */
    int32_t len;  /* value length in bytes; -1 for NULL */
} copyrow_bin_field_t;

/* A complete item of a binary stream; its pointers are valid until the next feed or next. */
typedef struct copyrow_bin_item {
    copyrow_bin_kind_t kind;           /* header, tuple or trailer */
    const char *data;                  /* the item's bytes, exactly as received */
    size_t len;                        /* number of bytes at data */
    int nfields;                       /* tuples: the field count (0 otherwise) */
    const copyrow_bin_field_t *fields; /* tuples: nfields fields, offsets relative to data */
} copyrow_bin_item_t;

/* A binary COPY stream parser (opaque). */
typedef struct copyrow_bin copyrow_bin_t;

/* Creates a parser for tuples of at most max_fields fields (1..32767); caller owns it. */
copyrow_bin_t *copyrow_bin_new(int max_fields);

/* Destroys the parser, sets *self_p to NULL; safe on NULL and twice. */
void copyrow_bin_destroy(copyrow_bin_t **self_p);

/* Forgets everything fed so far: the next byte starts a new stream (a header). */
void copyrow_bin_reset(copyrow_bin_t *self);

/*
 * Gives the parser the next CopyData message. The bytes are not copied (except an item's
 * piece that straddles messages): they must stay valid until copyrow_bin_next returns 0.
 * Feed only after copyrow_bin_next returned 0 (or before the first call).
 */
void copyrow_bin_feed(copyrow_bin_t *self, const char *data, size_t len);

/*
 * Returns 1 and fills *item with the next complete item, 0 when the fed bytes are used up
 * (feed the next message), or -1 with err set on a malformed stream (bad signature,
 * unknown critical flag, OIDs, a field count over max_fields or not matching the first
 * tuple's, a negative length, bytes after the trailer).
 */
int copyrow_bin_next(copyrow_bin_t *self, copyrow_bin_item_t *item, err_t *err);

/* At the end of the copy: returns 0 when the stream ended with its trailer, else -1 and err. */
int copyrow_bin_finish(const copyrow_bin_t *self, err_t *err);

/*
 * Appends item to out with the masked fields of a tuple replaced (header and trailer, and
 * a tuple with nothing masked, are copied byte for byte). masked has item->nfields entries
 * or is NULL. The callback appends the value's binary form; the rewrite writes its length.
 * Returns 0, or -1 with err set and out as it was on entry.
 */
int copyrow_bin_rewrite(const copyrow_bin_item_t *item, copyrow_replace_fn *replace,
                        const bool *masked, void *arg, buf_t *out, err_t *err);

#endif
