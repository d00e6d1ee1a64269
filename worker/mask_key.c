/*
 * mask_key.c - masking keys: derived from a secret string or file, random, fingerprinted.
 *
 * A key is 32 secret bytes: BLAKE2b-256 of the secret's bytes, keyed with a fixed context
 * string so that the same secret gives other bytes to any other use of BLAKE2b. The
 * fingerprint is the first 8 bytes of a keyed BLAKE2b-128 of a fixed message: it tells keys
 * apart and reveals nothing of them. A key file's content is wiped from the stack after use.
 */
#include "worker/mask.h"
#include "worker/mask_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "common/exitcodes.h"

/* Context of the key derivation from a secret (a BLAKE2b key, so at most 64 bytes). */
#define S_KEY_CONTEXT "confiture mask key v1"

/* The fixed message whose keyed hash is a key's fingerprint. */
#define S_FINGERPRINT_MESSAGE "confiture mask key fingerprint v1"

/*
 * Initializes libsodium where there is no err_t to report to. Hashing and randombytes_buf
 * work without it: they fall back to portable code and seed themselves on first use.
 */
static void
s_sodium_quiet(void)
{
    if (sodium_init() < 0)
        return;
}

/* Derives key from len secret bytes. */
static void
s_key_derive(const unsigned char *secret, size_t len, mask_key_t *key)
{
    crypto_generichash(key->bytes, sizeof(key->bytes), secret, len,
                       (const unsigned char *) S_KEY_CONTEXT, strlen(S_KEY_CONTEXT));
}

int
mask_key_from_text(const char *secret, mask_key_t *key, err_t *err)
{
    size_t len;

    if (mask_sodium_init(err) < 0)
        return -1;
    if (secret == NULL) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG, "no masking key given");
        err_hint(err, "set CONFITURE_MASK_KEY or pass --mask-key-file");
        return -1;
    }
    len = strlen(secret);
    if (len < MASK_SECRET_MIN) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG,
                "the masking key is too short: %zu characters, at least %d needed", len,
                MASK_SECRET_MIN);
        err_hint(err, "use a random secret of 32 characters or more, e.g. the output of "
                      "\"openssl rand -base64 32\"");
        return -1;
    }
    s_key_derive((const unsigned char *) secret, len, key);
    return 0;
}

int
mask_key_from_file(const char *path, mask_key_t *key, err_t *err)
{
    unsigned char data[MASK_KEY_FILE_MAX + 1];
    struct stat st;
    size_t len = 0;
    int fd;

    if (mask_sodium_init(err) < 0)
        return -1;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG, "cannot open the masking key file %s: %s", path,
                strerror(errno));
        err_hint(err, "check the path given to --mask-key-file");
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG, "cannot stat the masking key file %s: %s", path,
                strerror(errno));
        close(fd);
        return -1;
    }
    if (st.st_mode & S_IROTH) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG,
                "the masking key file %s can be read by every user (mode %04o)", path,
                (unsigned) (st.st_mode & 07777));
        err_hint(err, "chmod 600 %s (a Kubernetes secret: defaultMode: 0400)", path);
        close(fd);
        return -1;
    }
    for (;;) {
        ssize_t n = read(fd, data + len, sizeof(data) - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err_set(err, "mask_key", EXIT_CODE_CONFIG, "cannot read the masking key file %s: %s",
                    path, strerror(errno));
            close(fd);
            sodium_memzero(data, sizeof(data));
            return -1;
        }
        if (n == 0 || (len += (size_t) n) == sizeof(data))
            break;
    }
    close(fd);
    if (len > MASK_KEY_FILE_MAX) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG,
                "the masking key file %s is longer than %d bytes: is it the right file?", path,
                MASK_KEY_FILE_MAX);
        sodium_memzero(data, sizeof(data));
        return -1;
    }
    while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len < MASK_SECRET_MIN) {
        err_set(err, "mask_key", EXIT_CODE_CONFIG,
                "the masking key in %s is too short: %zu bytes, at least %d needed", path, len,
                MASK_SECRET_MIN);
        err_hint(err, "write a random secret of 32 characters or more to it, e.g. \"openssl "
                      "rand -base64 32 > FILE\"");
        sodium_memzero(data, sizeof(data));
        return -1;
    }
    s_key_derive(data, len, key);
    sodium_memzero(data, sizeof(data));
    return 0;
}

int
mask_key_load(const char *file, mask_key_t *key, err_t *err)
{
    const char *secret;

    if (file != NULL)
        return mask_key_from_file(file, key, err) == 0 ? 1 : -1;
    secret = getenv(MASK_KEY_ENV);
    if (secret == NULL || secret[0] == '\0')
        return 0;
    if (mask_key_from_text(secret, key, err) != 0) {
        err_hint(err,
                 "set %s to a random secret of at least %d characters "
                 "(openssl rand -base64 32)",
                 MASK_KEY_ENV, MASK_SECRET_MIN);
        return -1;
    }
    return 1;
}

void
mask_key_random(mask_key_t *key)
{
    /* randombytes_buf aborts by itself if the system has no randomness to give */
    s_sodium_quiet();
    randombytes_buf(key->bytes, sizeof(key->bytes));
}

void
mask_key_fingerprint(const mask_key_t *key, char out[MASK_FINGERPRINT_LEN + 1])
{
    unsigned char h[crypto_generichash_BYTES_MIN];

    s_sodium_quiet();
    crypto_generichash(h, sizeof(h), (const unsigned char *) S_FINGERPRINT_MESSAGE,
                       strlen(S_FINGERPRINT_MESSAGE), key->bytes, sizeof(key->bytes));
    mask_hex_encode(h, MASK_FINGERPRINT_LEN / 2, out); /* the first 8 of 16 bytes */
    out[MASK_FINGERPRINT_LEN] = '\0';
}

void
mask_key_wipe(mask_key_t *key)
{
    sodium_memzero(key->bytes, sizeof(key->bytes));
}
