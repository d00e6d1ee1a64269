/*
 * maskstream.c - masks a COPY stream: one copy task's rules applied to each CopyData message.
 */
#include "worker/maskstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/exitcodes.h"
#include "common/xalloc.h"
#include "common/copyrow.h"

struct maskstream {
    int nfields;             /* columns in the COPY list */
    bool binary;             /* binary COPY format */
    mask_rule_t **rules;     /* per field: its rule, or NULL (not masked) */
    char **columns;          /* per field: the column name of a masked one (messages) */
    bool *masked;            /* per field: rules[f] != NULL */
    copyrow_field_t *fields; /* text: the fields of the current row */
    copyrow_bin_t *bin;      /* binary: the stream parser */
    const mask_key_t *key;   /* the worker's key (borrowed) */
    char *table;             /* table name, for messages */
    long long row;           /* rows seen, for messages */
    buf_t out;               /* the rewritten message */
    buf_t scratch;           /* unescaped values (text) */
};

void
maskstream_destroy(maskstream_t **self_p)
{
    maskstream_t *self = *self_p;

    if (self == NULL)
        return;
    for (int f = 0; f < self->nfields; f++) {
        mask_rule_destroy(&self->rules[f]);
        free(self->columns[f]);
    }
    free(self->rules);
    free(self->columns);
    free(self->masked);
    free(self->fields);
    copyrow_bin_destroy(&self->bin);
    free(self->table);
    buf_free(&self->out);
    buf_free(&self->scratch);
    free(self);
    *self_p = NULL;
}

maskstream_t *
maskstream_new(const value_t *entries, int nfields, bool binary, const char *table,
               const mask_key_t *key, err_t *err)
{
    maskstream_t *self;

    if (nfields < 1 || nfields > 32767) {
        err_set(err, "protocol", EXIT_CODE_INTERNAL, "a masked copy of %d columns", nfields);
        return NULL;
    }
    self = xcalloc(1, sizeof(*self));
    self->nfields = nfields;
    self->binary = binary;
    self->key = key;
    self->table = strdup(table);
    self->rules = xcalloc((size_t) nfields, sizeof(mask_rule_t *));
    self->columns = xcalloc((size_t) nfields, sizeof(char *));
    self->masked = xcalloc((size_t) nfields, sizeof(bool));
    self->fields = xcalloc((size_t) nfields, sizeof(copyrow_field_t));
    buf_init(&self->out);
    buf_init(&self->scratch);
    if (binary)
        self->bin = copyrow_bin_new(nfields);
    for (size_t i = 0; i < value_size(entries); i++) {
        const value_t *e = value_at(entries, i);
        int64_t f = value_map_int(e, "field", -1);
        const value_t *options = value_map_get(e, "options");
        const value_t *seed = value_map_get(e, "seed");
        const char *domain = value_map_string(e, "domain", NULL);

        if (f < 0 || f >= nfields || self->rules[f] != NULL) {
            err_set(err, "protocol", EXIT_CODE_INTERNAL,
                    "masking entry %zu of %s names field %lld of %d", i, table, (long long) f,
                    nfields);
            maskstream_destroy(&self);
            return NULL;
        }
        self->rules[f] = mask_rule_new(value_map_string(e, "strategy", ""), options, domain,
                                       seed != NULL ? value_int(seed, 0) : 0, seed != NULL,
                                       value_map_string(e, "type", NULL),
                                       value_map_bool(e, "not_null", false), err);
        if (self->rules[f] == NULL) {
            err_detail(err, "the rule of %s.%s", table, value_map_string(e, "column", "?"));
            maskstream_destroy(&self);
            return NULL;
        }
        self->columns[f] = strdup(value_map_string(e, "column", "?"));
        self->masked[f] = true;
    }
    return self;
}

/* copyrow's callback: masks one value of a masked field. */
static int
s_replace(void *arg, int field, const char *raw, size_t rawlen, bool is_null, buf_t *out,
          err_t *err)
{
    maskstream_t *self = arg;
    int rc;

    if (is_null)
        return COPYROW_KEEP;
    rc = mask_apply(self->rules[field], self->key, raw, rawlen, out, err);
    if (rc < 0) {
        err_message(err, "%s.%s, row %lld of the chunk: %.600s", self->table, self->columns[field],
                    self->row, err->message);
        return -1;
    }
    return rc == MASK_NULL ? COPYROW_NULL : COPYROW_VALUE;
}

static int
s_text(maskstream_t *self, const char *data, size_t len, err_t *err)
{
    int n = copyrow_text_split(data, len, self->fields, self->nfields, err);

    if (n < 0)
        return -1;
    if (n != self->nfields)
        return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                       "%s: row %lld has %d fields, the copy has %d columns", self->table,
                       self->row, n, self->nfields);
    return copyrow_text_rewrite(data, len, self->fields, n, s_replace, self->masked, self,
                                &self->scratch, &self->out, err);
}

static int
s_binary(maskstream_t *self, const char *data, size_t len, err_t *err)
{
    copyrow_bin_item_t item;
    int rc;

    copyrow_bin_feed(self->bin, data, len);
    while ((rc = copyrow_bin_next(self->bin, &item, err)) == 1) {
        if (item.kind == COPYROW_BIN_TUPLE) {
            self->row++;
            if (item.nfields != self->nfields)
                return err_set(err, "protocol", EXIT_CODE_INTERNAL,
                               "%s: row %lld has %d fields, the copy has %d columns", self->table,
                               self->row, item.nfields, self->nfields);
        }
        if (copyrow_bin_rewrite(&item, s_replace, self->masked, self, &self->out, err) != 0)
            return -1;
    }
    return rc;
}

int
maskstream_message(maskstream_t *self, const char *data, size_t len, const char **out,
                   size_t *outlen, err_t *err)
{
    int rc;

    buf_reset(&self->out);
    if (self->binary) {
        rc = s_binary(self, data, len, err);
    } else {
        self->row++;
        rc = s_text(self, data, len, err);
    }
    *out = self->out.data;
    *outlen = self->out.len;
    if (rc < 0 && strncmp(err->message, self->table, strlen(self->table)) != 0) {
        /* copyrow's own errors know neither the table nor the row: say where */
        err_message(err, "%s, row %lld of the chunk: %.700s", self->table, self->row, err->message);
    }
    return rc;
}

int
maskstream_finish(maskstream_t *self, err_t *err)
{
    if (self->binary)
        return copyrow_bin_finish(self->bin, err);
    return 0;
}
