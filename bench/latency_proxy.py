#!/usr/bin/env python3
"""A TCP proxy that adds a fixed delay each way, as a Redmine in another datacentre would: every
chunk read from one side is written to the other DELAY_MS after it arrived (the order of each
direction kept, chunks in flight overlapping, so it adds latency and takes no bandwidth away).
Each accepted connection goes to the next upstream in turn: several single-threaded Redmine
processes (thin) behind it serve requests in parallel, as a production Redmine's Puma or
Passenger workers do.

    bench/latency_proxy.py LISTEN_PORT DELAY_MS UPSTREAM_PORT [UPSTREAM_PORT...]

Prints "ready" once it listens; runs until killed.
"""
import asyncio
import itertools
import sys


async def pipe(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read_side():
        while True:
            data = await reader.read(65536)
            await queue.put((loop.time() + delay, data))
            if not data:
                return

    async def write_side():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()

    try:
        await asyncio.gather(read_side(), write_side())
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main():
    listen, delay = int(sys.argv[1]), int(sys.argv[2]) / 1000.0
    upstreams = itertools.cycle(int(p) for p in sys.argv[3:])

    async def accept(client_reader, client_writer):
        port = next(upstreams)
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, up_writer, delay),
                             pipe(up_reader, client_writer, delay))

    server = await asyncio.start_server(accept, "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
