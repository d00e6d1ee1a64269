/*
 * badframes.c - sends malformed and hostile messages to a confiture socket, for tests.
 *
 * Usage: badframes ENDPOINT
 *
 * Connects a DEALER to ENDPOINT (a coordinator's ctl or work socket) and sends every kind of
 * frame the protocol forbids: wrong frame counts, bad signatures and versions, bad command
 * names, bodies that are not msgpack, not a map, truncated, too deep, and well-formed
 * messages with wrong types or from a worker that never said hello. The peer must log and
 * drop each of them and go on serving. Exits 0 once everything is sent.
 */
#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "common/value.h"
#include "proto/proto.h"

static const unsigned char s_signature[4] = {'C', 'N', 'F', PROTO_VERSION};

/* Sends nframes raw frames. */
static void
s_raw(zsock_t *sock, int nframes, const void *const *data, const size_t *sizes)
{
    zmsg_t *msg = zmsg_new();

    for (int i = 0; i < nframes; i++)
        zmsg_addmem(msg, data[i], sizes[i]);
    zmsg_send(&msg, sock);
}

/* Sends [signature][command][body bytes]. */
static void
s_three(zsock_t *sock, const void *sig, size_t sig_len, const char *command, const void *body,
        size_t body_len)
{
    const void *data[3] = {sig, command, body};
    size_t sizes[3] = {sig_len, strlen(command), body_len};

    s_raw(sock, 3, data, sizes);
}

int
main(int argc, char **argv)
{
    static const unsigned char not_msgpack[] = {0xc1, 0xc1, 0xc1};
    static const unsigned char array_body[] = {0x92, 0x01, 0x02};
    static const unsigned char truncated_map[] = {0x83, 0xa3, 'k', 'e', 'y'};
    static const unsigned char ext_body[] = {0x81, 0xa1, 'x', 0xd4, 0x01, 0x00};
    unsigned char deep[64];
    const unsigned char wrong_version[4] = {'C', 'N', 'F', PROTO_VERSION + 1};
    zsock_t *sock;
    value_t *body;
    uint8_t *encoded;
    size_t len;
    err_t err;

    if (argc != 2) {
        fprintf(stderr, "usage: badframes ENDPOINT\n");
        return 2;
    }
    zsys_handler_set(NULL);
    sock = zsock_new(ZMQ_DEALER);
    zsock_set_linger(sock, 2000);
    if (zsock_connect(sock, "%s", argv[1]) != 0) {
        fprintf(stderr, "badframes: cannot connect to %s\n", argv[1]);
        return 1;
    }
    /* Wrong frame counts. */
    {
        const void *one[1] = {"garbage"};
        size_t one_size[1] = {7};
        const void *many[6] = {s_signature, "HELLO", "", "", "", ""};
        size_t many_sizes[6] = {4, 5, 0, 0, 0, 0};

        s_raw(sock, 1, one, one_size);
        s_raw(sock, 6, many, many_sizes);
    }
    /* Bad signature, version, command. */
    s_three(sock, "XXXX", 4, "HELLO", "\x80", 1);
    s_three(sock, wrong_version, 4, "HELLO", "\x80", 1);
    s_three(sock, s_signature, 2, "HELLO", "\x80", 1);
    s_three(sock, s_signature, 4, "hello", "\x80", 1);
    s_three(sock, s_signature, 4, "A_COMMAND_NAME_LONGER_THAN_32_CHARACTERS", "\x80", 1);
    /* Bodies that do not decode. */
    s_three(sock, s_signature, 4, "SUBMIT", not_msgpack, sizeof(not_msgpack));
    s_three(sock, s_signature, 4, "SUBMIT", array_body, sizeof(array_body));
    s_three(sock, s_signature, 4, "SUBMIT", truncated_map, sizeof(truncated_map));
    s_three(sock, s_signature, 4, "READY", ext_body, sizeof(ext_body));
    /* {"a": [[[ ... nil ... ]]]}, nested deeper than PROTO_MAX_DEPTH */
    memset(deep, 0x91, sizeof(deep));
    deep[0] = 0x81;
    deep[1] = 0xa1;
    deep[2] = 'a';
    deep[sizeof(deep) - 1] = 0xc0;
    s_three(sock, s_signature, 4, "SUBMIT", deep, sizeof(deep));
    /* Well-formed messages with nonsense in them. */
    body = value_new_map();
    value_map_put_int(body, "source", 42);
    value_map_put_string(body, "target", "nonsense:reference");
    value_map_put_int(body, "chunk_size", -5);
    encoded = proto_body_encode(body, &len, &err);
    s_three(sock, s_signature, 4, "SUBMIT", encoded, len);
    free(encoded);
    value_destroy(&body);
    body = value_new_map();
    value_map_put_string(body, "job", "no-such-job");
    value_map_put_int(body, "task", 123456789);
    value_map_put_int(body, "attempt", -1);
    value_map_put_int(body, "credit", 1000000);
    for (const char *const *cmd = (const char *const[]){"READY", "DONE", "FAILED", "PROGRESS",
                                                        "BYE", "ABORT", "NO_SUCH_COMMAND", NULL};
         *cmd; cmd++) {
        encoded = proto_body_encode(body, &len, &err);
        s_three(sock, s_signature, 4, *cmd, encoded, len);
        free(encoded);
    }
    value_destroy(&body);
    zclock_sleep(500);
    zsock_destroy(&sock);
    printf("badframes: sent everything to %s\n", argv[1]);
    return 0;
}
