/*
 * copyrow.c - parses and rewrites the rows of a COPY stream, text and binary formats.
 *
 * The formats, the callback convention and the encodings are described in copyrow.h. Two
 * facts shape the code:
 *
 * Text: whether a byte is escaped depends on the backslashes before it. A tab or newline is
 * escaped when an odd number of consecutive backslashes precede it (escapes are read left to
 * right and a backslash always takes the next byte, so a run of backslashes pairs up from its
 * start, and whatever precedes the run is not a backslash). The split therefore jumps from
 * tab to tab with memchr and only looks back when the byte before a tab is a backslash,
 * which server output never has (it writes a data tab as \t).
 *
 * Binary: the parser walks an item (header, tuple, trailer) step by step, each step needing
 * the item's first `need` bytes. While an item lies inside the current message, the walk runs
 * on the message itself and the item is handed out in place. When a message ends inside an
 * item, its bytes so far move to the carry buffer and every later message tops the carry up
 * to exactly `need` bytes until the walk completes; the offsets it records are relative to
 * the item's start, so they stay right whichever buffer holds the bytes.
 */
#include "common/copyrow.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/exitcodes.h"

/* Text: the escape letter of each byte the server escapes, 0 for the others. */
static const unsigned char s_escape_letter[256] = {
    ['\b'] = 'b', ['\t'] = 't', ['\n'] = 'n',  ['\v'] = 'v',
    ['\f'] = 'f', ['\r'] = 'r', ['\\'] = '\\',
};

/* Text: nonzero for bytes a new value may not hold as is (the escaped ones, and NUL). */
static const unsigned char s_needs_care[256] = {
    [0] = 1, ['\b'] = 1, ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, ['\\'] = 1,
};

/* Server encodings whose multibyte characters never hold a byte below 0x80 (normalized). */
static const char *const s_safe_encodings[] = {
    "sqlascii",    "utf8",        "unicode",     "muleinternal", "eucjp",       "euccn",
    "euckr",       "euctw",       "eucjis2004",  "latin1",       "latin2",      "latin3",
    "latin4",      "latin5",      "latin6",      "latin7",       "latin8",      "latin9",
    "latin10",     "iso88591",    "iso88592",    "iso88593",     "iso88594",    "iso88599",
    "iso885910",   "iso885913",   "iso885914",   "iso885915",    "iso885916",   "iso88595",
    "iso88596",    "iso88597",    "iso88598",    "koi8",         "koi8r",       "koi8u",
    "win866",      "win874",      "win1250",     "win1251",      "win1252",     "win1253",
    "win1254",     "win1255",     "win1256",     "win1257",      "win1258",     "windows866",
    "windows874",  "windows1250", "windows1251", "windows1252",  "windows1253", "windows1254",
    "windows1255", "windows1256", "windows1257", "windows1258",
};

bool
copyrow_encoding_supported(const char *pg_encoding_name)
{
    char norm[32];
    size_t n = 0;

    if (pg_encoding_name == NULL)
        return false;
    /* PostgreSQL's own normalization: keep letters and digits, lower-cased. */
    for (const char *p = pg_encoding_name; *p != '\0'; p++) {
        if (!isalnum((unsigned char) *p))
            continue;
        if (n == sizeof(norm) - 1)
            return false;
        norm[n++] = (char) tolower((unsigned char) *p);
    }
    norm[n] = '\0';
    for (size_t i = 0; i < sizeof(s_safe_encodings) / sizeof(s_safe_encodings[0]); i++)
        if (strcmp(norm, s_safe_encodings[i]) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------
 * Text format
 */

/* True when the byte at p is escaped: an odd run of backslashes precedes it (from start). */
static inline bool
s_escaped(const char *start, const char *p)
{
    const char *q = p;

    while (q > start && q[-1] == '\\')
        q--;
    return ((p - q) & 1) != 0;
}

int
copyrow_text_split(const char *row, size_t len, copyrow_field_t *fields, int max_fields, err_t *err)
{
    const char *end, *start, *p, *tab;
    int n = 0;

    if (len == 0 || row[len - 1] != '\n' || s_escaped(row, row + len - 1))
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "a text COPY row does not end with a newline");
    if (len > UINT32_MAX)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "a text COPY row of %zu bytes is too long", len);
    end = row + len - 1;

    /* One row per message: any other newline must be an escaped data byte. */
    for (p = row; (p = memchr(p, '\n', (size_t) (end - p))) != NULL; p++)
        if (!s_escaped(row, p))
            return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                           "a text COPY message holds more than one row");

    start = p = row;
    for (;;) {
        tab = memchr(p, '\t', (size_t) (end - p));
        if (tab == NULL) {
            tab = end;
        } else if (tab > start && tab[-1] == '\\' && s_escaped(start, tab)) {
            p = tab + 1; /* a data tab written as backslash-tab */
            continue;
        }
        if (n == max_fields)
            return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                           "a text COPY row has more than %d fields", max_fields);
        fields[n].off = (uint32_t) (start - row);
        fields[n].len = (uint32_t) (tab - start);
        n++;
        if (tab == end)
            return n;
        start = p = tab + 1;
    }
}

/* The value of an ASCII hex digit. */
static inline int
s_hex_value(char c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* True for an ASCII octal digit. */
static inline bool
s_is_octal(char c)
{
    return c >= '0' && c <= '7';
}

/* True for an ASCII hex digit (locale-independent). */
static inline bool
s_is_hex(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

int
copyrow_text_decode(const char *escaped, size_t len, buf_t *out, err_t *err)
{
    const char *p = escaped, *end;
    size_t entry = out->len;
    char *w;

    if (len == 0)
        return 0; /* (and no arithmetic on a NULL pointer) */
    end = escaped + len;
    /* The decoded form is never longer than the escaped one. */
    buf_reserve(out, len);
    w = out->data + out->len;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t) (end - p));
        char c;

        if (bs == NULL) {
            memcpy(w, p, (size_t) (end - p));
            w += end - p;
            break;
        }
        memcpy(w, p, (size_t) (bs - p));
        w += bs - p;
        p = bs + 1;
        if (p == end) {
            out->len = entry;
            return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                           "a text COPY field ends with a lone backslash");
        }
        c = *p++;
        switch (c) {
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
            int val = c - '0';

            if (p < end && s_is_octal(*p)) {
                val = (val << 3) + (*p++ - '0');
                if (p < end && s_is_octal(*p))
                    val = (val << 3) + (*p++ - '0');
            }
            c = (char) (val & 0377);
            break;
        }
        case 'x':
            if (p < end && s_is_hex(*p)) {
                int val = s_hex_value(*p++);

                if (p < end && s_is_hex(*p))
                    val = (val << 4) + s_hex_value(*p++);
                c = (char) val;
            }
            break; /* \x without a hex digit is an x */
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'v':
            c = '\v';
            break;
        default:
            break; /* any other byte stands for itself */
        }
        *w++ = c;
    }
    out->len = (size_t) (w - out->data);
    return 0;
}

void
copyrow_text_encode(const char *raw, size_t len, buf_t *out)
{
    const unsigned char *p = (const unsigned char *) raw, *end, *run = p;
    char *w;

    if (len == 0)
        return; /* (and no arithmetic on a NULL pointer) */
    end = p + len;
    buf_reserve(out, 2 * len);
    w = out->data + out->len;
    for (; p < end; p++) {
        unsigned char letter = s_escape_letter[*p];

        if (letter == 0)
            continue;
        memcpy(w, run, (size_t) (p - run));
        w += p - run;
        *w++ = '\\';
        *w++ = (char) letter;
        run = p + 1;
    }
    memcpy(w, run, (size_t) (p - run));
    w += p - run;
    out->len = (size_t) (w - out->data);
}

/*
 * Escapes, in place, the raw bytes the callback appended to out from mark on. Returns 0, or
 * -1 with err set when they hold a NUL byte (no server accepts one in a text value).
 */
static int
s_escape_tail(buf_t *out, size_t mark, int field, err_t *err)
{
    const unsigned char *p = (const unsigned char *) out->data + mark;
    const unsigned char *end = (const unsigned char *) out->data + out->len;
    size_t extra = 0;
    char *r, *w;

    for (; p < end; p++)
        extra += s_needs_care[*p];
    if (extra == 0)
        return 0;
    if (memchr(out->data + mark, '\0', out->len - mark) != NULL)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "the new value of field %d holds a NUL byte", field + 1);
    /* Back to front, so that no byte is overwritten before it is read. */
    buf_reserve(out, extra);
    r = out->data + out->len;
    w = r + extra;
    out->len += extra;
    while (w > r) {
        unsigned char c = (unsigned char) *--r;
        unsigned char letter = s_escape_letter[c];

        if (letter != 0) {
            *--w = (char) letter;
            *--w = '\\';
        } else {
            *--w = (char) c;
        }
    }
    return 0;
}

int
copyrow_text_rewrite(const char *row, size_t len, const copyrow_field_t *fields, int nfields,
                     copyrow_replace_fn *replace, const bool *masked, void *arg, buf_t *scratch,
                     buf_t *out, err_t *err)
{
    size_t entry = out->len, from = 0;

    for (int i = 0; masked != NULL && i < nfields; i++) {
        copyrow_field_t f = fields[i];
        const char *raw = NULL;
        size_t rawlen = 0, mark;
        bool is_null;
        int rc;

        if (!masked[i])
            continue;
        assert(f.off >= from && (size_t) f.off + f.len < len);
        buf_append(out, row + from, f.off - from);
        from = (size_t) f.off + f.len;
        is_null = copyrow_text_is_null(row, f);
        if (is_null) {
            /* raw stays NULL */
        } else if (memchr(row + f.off, '\\', f.len) == NULL) {
            raw = row + f.off; /* nothing to unescape: hand out the row's own bytes */
            rawlen = f.len;
        } else {
            buf_reset(scratch);
            if (copyrow_text_decode(row + f.off, f.len, scratch, err) != 0)
                goto fail;
            raw = scratch->data;
            rawlen = scratch->len;
        }
        mark = out->len;
        rc = replace(arg, i, raw, rawlen, is_null, out, err);
        if (rc == COPYROW_VALUE) {
            if (s_escape_tail(out, mark, i, err) != 0)
                goto fail;
        } else if (rc == COPYROW_NULL) {
            out->len = mark;
            buf_append(out, "\\N", 2);
        } else if (rc == COPYROW_KEEP) {
            out->len = mark;
            buf_append(out, row + f.off, f.len);
        } else {
            if (rc >= 0 || !err_isset(err))
                err_set(err, "internal", EXIT_CODE_INTERNAL, "the masking of field %d returned %d",
                        i + 1, rc);
            goto fail;
        }
    }
    buf_append(out, row + from, len - from);
    return 0;

fail:
    out->len = entry;
    return -1;
}

/* ---------------------------------------------------------------------------------------
 * Binary format
 */

/* The signature every binary COPY stream starts with. */
static const char s_signature[11] = "PGCOPY\n\377\r\n";

/* Signature, flags and extension length. */
#define BIN_HEADER_FIXED 19

/* Flags bit 16: every tuple carries an OID (gone since PostgreSQL 12). */
#define BIN_FLAG_OIDS (1u << 16)

/* A header extension or a field larger than this is corruption (PostgreSQL's 1 GB limit). */
#define BIN_MAX_CHUNK 0x40000000u

/* Where the stream is. */
typedef enum s_bin_state {
    BIN_WANT_HEADER, /* nothing seen yet */
    BIN_WANT_TUPLE,  /* between items after the header */
    BIN_ENDED,       /* the trailer was seen */
} s_bin_state_t;

/* The next step of the walk through the current item. */
typedef enum s_bin_step {
    STEP_HEADER,    /* signature, flags, extension length */
    STEP_EXTENSION, /* the header extension's bytes */
    STEP_COUNT,     /* a tuple's field count (or the trailer) */
    STEP_LENGTH,    /* a field's length word */
    STEP_VALUE,     /* a field's bytes */
} s_bin_step_t;

struct copyrow_bin {
    s_bin_state_t state;         /* where the stream is */
    const char *msg;             /* the message being parsed (not owned) */
    size_t msg_len;              /* its length */
    size_t msg_pos;              /* bytes of it used so far */
    buf_t carry;                 /* an item straddling messages: its bytes so far */
    bool in_carry;               /* the current item is being assembled in carry */
    bool carry_out;              /* carry holds the item handed out last (clear it next) */
    s_bin_step_t step;           /* the walk's next step */
    size_t need;                 /* item bytes the next step needs */
    copyrow_bin_kind_t kind;     /* what the current item is */
    int nfields;                 /* the current tuple's field count */
    int field;                   /* fields of it walked so far */
    int expect_fields;           /* the first tuple's field count, -1 before it */
    int max_fields;              /* size of fields */
    copyrow_bin_field_t *fields; /* the current tuple's fields */
};

/* Reads a network-order int16. */
static inline int
s_get16(const char *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return (int16_t) ntohs(v);
}

/* Reads a network-order uint32. */
static inline uint32_t
s_get32(const char *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return ntohl(v);
}

/* Writes a network-order uint32 at p. */
static inline void
s_put32(char *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, 4);
}

copyrow_bin_t *
copyrow_bin_new(int max_fields)
{
    copyrow_bin_t *self;

    assert(max_fields >= 1 && max_fields <= INT16_MAX);
    self = calloc(1, sizeof(*self));
    if (self == NULL)
        abort();
    self->fields = calloc((size_t) max_fields, sizeof(*self->fields));
    if (self->fields == NULL)
        abort();
    self->max_fields = max_fields;
    buf_init(&self->carry);
    copyrow_bin_reset(self);
    return self;
}

void
copyrow_bin_destroy(copyrow_bin_t **self_p)
{
    if (self_p == NULL || *self_p == NULL)
        return;
    buf_free(&(*self_p)->carry);
    free((*self_p)->fields);
    free(*self_p);
    *self_p = NULL;
}

/* Starts the walk of a new item. */
static void
s_start_item(copyrow_bin_t *self)
{
    self->step = self->state == BIN_WANT_HEADER ? STEP_HEADER : STEP_COUNT;
    self->need = self->step == STEP_HEADER ? BIN_HEADER_FIXED : 2;
    self->nfields = 0;
    self->field = 0;
}

void
copyrow_bin_reset(copyrow_bin_t *self)
{
    self->state = BIN_WANT_HEADER;
    self->msg = NULL;
    self->msg_len = 0;
    self->msg_pos = 0;
    buf_reset(&self->carry);
    self->in_carry = false;
    self->carry_out = false;
    self->expect_fields = -1;
    s_start_item(self);
}

void
copyrow_bin_feed(copyrow_bin_t *self, const char *data, size_t len)
{
    assert(self->msg_pos == self->msg_len);
    self->msg = data;
    self->msg_len = len;
    self->msg_pos = 0;
}

/*
 * Walks the current item over the avail bytes at item (its start). Returns 1 when it is
 * complete (self->need is then its length), 0 when it needs self->need bytes, -1 on error.
 */
static int
s_walk(copyrow_bin_t *self, const char *item, size_t avail, err_t *err)
{
    for (;;) {
        if (avail < self->need)
            return 0;
        switch (self->step) {
        case STEP_HEADER: {
            uint32_t flags = s_get32(item + 11), ext = s_get32(item + 15);

            if (memcmp(item, s_signature, sizeof(s_signature)) != 0)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY stream does not start with its signature");
            if ((flags & 0xFFFFu) != 0)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY header has unknown critical flags 0x%x",
                               (unsigned) flags);
            if ((flags & BIN_FLAG_OIDS) != 0)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY stream with OIDs is not supported");
            if (ext > BIN_MAX_CHUNK)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY header extension of %u bytes is too long",
                               (unsigned) ext);
            self->kind = COPYROW_BIN_HEADER;
            self->step = STEP_EXTENSION;
            self->need = BIN_HEADER_FIXED + (size_t) ext;
            break;
        }
        case STEP_EXTENSION:
            return 1;
        case STEP_COUNT: {
            int n = s_get16(item);

            if (n == -1) {
                self->kind = COPYROW_BIN_TRAILER;
                return 1;
            }
            if (n < 0 || n > self->max_fields)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY tuple has %d fields (at most %d expected)", n,
                               self->max_fields);
            if (self->expect_fields >= 0 && n != self->expect_fields)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY tuple has %d fields where the first had %d", n,
                               self->expect_fields);
            self->kind = COPYROW_BIN_TUPLE;
            self->nfields = n;
            if (n == 0)
                return 1;
            self->step = STEP_LENGTH;
            self->need += 4;
            break;
        }
        case STEP_LENGTH: {
            uint32_t flen = s_get32(item + self->need - 4);
            copyrow_bin_field_t *f = &self->fields[self->field];

            if (self->need > UINT32_MAX)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY tuple is too long");
            f->off = (uint32_t) self->need;
            f->len = (int32_t) flen;
            if (flen == UINT32_MAX) { /* NULL */
                if (++self->field == self->nfields)
                    return 1;
                self->need += 4;
                break;
            }
            if (flen > BIN_MAX_CHUNK)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "a binary COPY field has the invalid length %d", (int) flen);
            self->step = STEP_VALUE;
            self->need += flen;
            break;
        }
        case STEP_VALUE:
            if (++self->field == self->nfields)
                return 1;
            self->step = STEP_LENGTH;
            self->need += 4;
            break;
        }
    }
}

/* Hands out the walked item at data and readies the walk of the next one. */
static void
s_emit(copyrow_bin_t *self, const char *data, copyrow_bin_item_t *item)
{
    item->kind = self->kind;
    item->data = data;
    item->len = self->need;
    item->nfields = self->kind == COPYROW_BIN_TUPLE ? self->nfields : 0;
    item->fields = self->fields;
    if (self->kind == COPYROW_BIN_HEADER)
        self->state = BIN_WANT_TUPLE;
    else if (self->kind == COPYROW_BIN_TRAILER)
        self->state = BIN_ENDED;
    else if (self->expect_fields < 0)
        self->expect_fields = self->nfields;
    s_start_item(self);
}

int
copyrow_bin_next(copyrow_bin_t *self, copyrow_bin_item_t *item, err_t *err)
{
    int rc;

    if (self->carry_out) {
        buf_reset(&self->carry);
        self->carry_out = false;
    }
    if (self->state == BIN_ENDED) {
        if (self->msg_pos < self->msg_len)
            return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                           "a binary COPY stream has %zu bytes after its trailer",
                           self->msg_len - self->msg_pos);
        return 0;
    }

    /* An item begun in an earlier message: top the carry up, step by step. */
    while (self->in_carry) {
        size_t want = self->need - self->carry.len, avail = self->msg_len - self->msg_pos;

        if (want > avail)
            want = avail;
        buf_append(&self->carry, self->msg + self->msg_pos, want);
        self->msg_pos += want;
        rc = s_walk(self, self->carry.data, self->carry.len, err);
        if (rc < 0)
            return -1;
        if (rc == 1) {
            self->in_carry = false;
            self->carry_out = true;
            s_emit(self, self->carry.data, item);
            return 1;
        }
        if (self->carry.len < self->need && self->msg_pos == self->msg_len)
            return 0;
    }

    /* The common case: the item lies inside the message; hand it out in place. */
    if (self->msg_pos == self->msg_len)
        return 0;
    rc = s_walk(self, self->msg + self->msg_pos, self->msg_len - self->msg_pos, err);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        s_emit(self, self->msg + self->msg_pos, item);
        self->msg_pos += item->len;
        return 1;
    }
    buf_reset(&self->carry);
    buf_append(&self->carry, self->msg + self->msg_pos, self->msg_len - self->msg_pos);
    self->msg_pos = self->msg_len;
    self->in_carry = true;
    return 0;
}

int
copyrow_bin_finish(const copyrow_bin_t *self, err_t *err)
{
    if (self->state == BIN_ENDED && self->msg_pos == self->msg_len)
        return 0;
    if (self->state == BIN_ENDED)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "a binary COPY stream has bytes after its trailer");
    return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                   "a binary COPY stream ended without its trailer%s",
                   self->in_carry || self->msg_pos < self->msg_len ? " (inside an item)" : "");
}

int
copyrow_bin_rewrite(const copyrow_bin_item_t *item, copyrow_replace_fn *replace, const bool *masked,
                    void *arg, buf_t *out, err_t *err)
{
    size_t entry = out->len, from = 0;

    for (int i = 0; item->kind == COPYROW_BIN_TUPLE && masked != NULL && i < item->nfields; i++) {
        copyrow_bin_field_t f = item->fields[i];
        bool is_null = f.len < 0;
        size_t value_len = is_null ? 0 : (size_t) f.len, word = f.off - 4, mark, n;
        int rc;

        if (!masked[i])
            continue;
        buf_append(out, item->data + from, word - from);
        from = f.off + value_len;
        mark = out->len;
        buf_reserve(out, 4);
        out->len += 4; /* the length word, written once the value is known */
        rc = replace(arg, i, is_null ? NULL : item->data + f.off, value_len, is_null, out, err);
        if (rc == COPYROW_VALUE) {
            n = out->len - mark - 4;
            if (n > BIN_MAX_CHUNK) {
                err_set(err, "protocol", EXIT_CODE_INTERNAL,
                        "the new value of field %d is %zu bytes long", i + 1, n);
                goto fail;
            }
            s_put32(out->data + mark, (uint32_t) n);
        } else if (rc == COPYROW_NULL) {
            out->len = mark + 4;
            s_put32(out->data + mark, UINT32_MAX);
        } else if (rc == COPYROW_KEEP) {
            out->len = mark;
            buf_append(out, item->data + word, 4 + value_len);
        } else {
            if (rc >= 0 || !err_isset(err))
                err_set(err, "internal", EXIT_CODE_INTERNAL, "the masking of field %d returned %d",
                        i + 1, rc);
            goto fail;
        }
    }
    buf_append(out, item->data + from, item->len - from);
    return 0;

fail:
    out->len = entry;
    return -1;
}
