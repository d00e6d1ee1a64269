#!/usr/bin/env python3
"""tcpspy.py - a TCP relay that records every byte it carries, for tests that must prove what
does (and does not) cross the network.

    tcpspy.py LISTEN_PORT TARGET_HOST TARGET_PORT CAPTURE_FILE

Listens on 127.0.0.1:LISTEN_PORT, relays each connection to TARGET_HOST:TARGET_PORT, and
appends both directions' bytes to CAPTURE_FILE as they pass. Runs until killed.
"""
import asyncio
import sys


async def pipe(reader, writer, capture):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            capture.write(data)
            capture.flush()
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def main():
    listen_port, host, port, path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    capture = open(path, "ab")

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, server_writer, capture),
                             pipe(server_reader, client_writer, capture))

    server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
