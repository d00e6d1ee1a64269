/*
 * maskstream.h - masks a COPY stream: one copy task's rules applied to each CopyData message.
 *
 * A copy task of a masked table carries, per masked column, an entry {field, column,
 * strategy, type, not_null, options, domain, seed} (coordinator/maskplan.h). A maskstream
 * builds the rules once per task, then rewrites every message the source sends: in text
 * format one row per message (copyrow_text_*), in binary format whatever items the message
 * holds (copyrow_bin_*; the masked columns are then text-like, whose binary form is their
 * text). Only the masked fields are decoded and rewritten; the other bytes are copied as they
 * came. NULL stays NULL (mask_apply is not called for it).
 *
 * Errors name the table's column and the row's number within the chunk, never a value.
 */
#ifndef CONFITURE_MASKSTREAM_H
#define CONFITURE_MASKSTREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/value.h"
#include "worker/mask.h"

typedef struct maskstream maskstream_t;

/*
 * Builds the masking of one copy task: entries is the task's "mask" array, nfields the
 * number of columns in its COPY list, binary its format, table its name (for messages), key
 * the worker's masking key (borrowed: it must outlive the stream). Returns the stream
 * (caller destroys it), or NULL with err set (a rule that does not build: code "rules").
 */
maskstream_t *maskstream_new(const value_t *entries, int nfields, bool binary, const char *table,
                             const mask_key_t *key, err_t *err);

/* Destroys the stream, sets *self_p to NULL; safe on NULL and twice. */
void maskstream_destroy(maskstream_t **self_p);

/*
 * Rewrites one CopyData message (data/len). Sets *out and *outlen to the bytes to send
 * instead (valid until the next call; *outlen may be 0 in binary format when the message
 * held only part of an item). Returns 0, or -1 with err set.
 */
int maskstream_message(maskstream_t *self, const char *data, size_t len, const char **out,
                       size_t *outlen, err_t *err);

/* At the end of the stream: 0 when it ended whole (binary: its trailer), else -1 and err. */
int maskstream_finish(maskstream_t *self, err_t *err);

#endif
