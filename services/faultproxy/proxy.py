"""The TCP side: a Proxy listens and forwards each accepted connection to its upstream
through two Links (upstream: client -> server, downstream: server -> client). Each link
reads into a bounded queue and writes through the chain of active toxics, so a delayed
chunk never stops the next one from being read (throughput survives latency)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import socket
import struct
import time
from collections import OrderedDict

from .toxics import REGISTRY, Definition, Toxic

log = logging.getLogger("faultproxy")

READ_SIZE = 64 * 1024
# Bytes a link may hold in flight (read, not yet written). It bounds memory per link and,
# with a latency toxic, the sustained throughput (bytes in flight / latency).
QUEUE_BYTES = 8 * 1024 * 1024
UPSTREAM_CONNECT_TIMEOUT = 10.0
_EOF = None


class ListenError(Exception):
    """The listen address is malformed or cannot be bound (message as Go's net.Listen)."""


def split_address(address: str) -> tuple[str, int]:
    """Returns (host, port) of "host:port", "[v6]:port", ":port" or "" (any port on
    every interface, as Go's net.Listen); raises ListenError."""
    if address == "":
        return "0.0.0.0", 0
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ListenError(f"listen tcp {address}: address {address}: missing or invalid port in address")
    return host.strip("[]") or "0.0.0.0", int(port)


class Link:
    """One direction of one connection, with its own toxic instances and random stream."""

    def __init__(self, connection: "Connection", direction: str, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, seed: bytes) -> None:
        self.connection, self.direction = connection, direction
        self.reader, self.writer = reader, writer
        self.rng = random.Random(int.from_bytes(hashlib.sha256(seed + direction.encode()).digest()[:8], "big"))
        self.loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue()
        self._queued_bytes = 0
        self._room = asyncio.Event()
        self._instances: dict[str, tuple[Definition, Toxic, bool]] = {}
        self._change = self.loop.create_future()
        self._timers: dict[str, asyncio.Task] = {}

    def now(self) -> float:
        """The link's clock: monotonic to the microsecond. Not the loop's time - uvloop's
        is libuv's cached millisecond clock, and a delay measured on it could release a
        chunk up to a millisecond before its latency (Toxiproxy's never does)."""
        return time.monotonic()

    def close(self) -> None:
        self.connection.close()

    def reset(self) -> None:
        self.connection.close(reset=True)

    # Toxics --------------------------------------------------------------------

    def active(self) -> list[Toxic]:
        """Returns this link's toxic instances, in chain order, that its toxicity allows."""
        chain = []
        for definition in self.connection.proxy.toxics.values():
            if definition.stream != self.direction:
                continue
            known = self._instances.get(definition.name)
            if known is None or known[0] is not definition:
                # A new toxic (or a new one of the same name): new state, new coin toss.
                known = (definition, REGISTRY[definition.kind](definition), self.rng.random() < definition.toxicity)
                self._instances[definition.name] = known
            if known[2]:
                chain.append(known[1])
        return chain

    def toxics_changed(self, updated: str | None = None) -> None:
        """Wakes everything waiting on a toxic, runs the cleanup of removed ones, and
        starts the timers of new ones (restarting the timer of an `updated` one, as
        Toxiproxy restarts a toxic's Pipe when it is updated)."""
        change, self._change = self._change, self.loop.create_future()
        change.set_result(None)
        self._clean_up_removed()
        if updated in self._timers:
            self._timers.pop(updated).cancel()
        for toxic in self.active():
            if toxic.name not in self._timers and type(toxic).on_start is not Toxic.on_start:
                self._timers[toxic.name] = self.loop.create_task(self._run_timer(toxic))

    def _clean_up_removed(self) -> None:
        current = self.connection.proxy.toxics
        for name, (definition, toxic, _) in list(self._instances.items()):
            if current.get(name) is not definition:
                del self._instances[name]
                if name in self._timers:
                    self._timers.pop(name).cancel()
                toxic.on_removed(self)

    async def _run_timer(self, toxic: Toxic) -> None:
        try:
            await toxic.on_start(self)
        finally:
            if self._timers.get(toxic.name) is asyncio.current_task():
                del self._timers[toxic.name]

    async def hold_until(self, deadline: float, toxic_name: str) -> bool:
        """Waits until `deadline`; returns False early if the toxic is removed (or the
        link closes) meanwhile, True when the deadline passed with the toxic active."""
        while True:
            remaining = deadline - self.now()
            if remaining <= 0:
                return True
            if self.connection.closed:
                return False
            try:
                # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel
                # that races the change it waits on (a restarted timer would live on).
                async with asyncio.timeout(remaining):
                    await asyncio.shield(self._change)
            except TimeoutError:
                continue  # the loop's timer may fire early by its granularity: the clock decides
            if toxic_name not in {t.name for t in self.active()}:
                return False

    # Data ----------------------------------------------------------------------

    async def read_loop(self) -> None:
        try:
            while True:
                data = await self.reader.read(READ_SIZE)
                if not data:
                    break
                self._queue.put_nowait((data, self.now()))
                self._queued_bytes += len(data)
                while self._queued_bytes > QUEUE_BYTES:
                    self._room.clear()
                    await self._room.wait()
        except (ConnectionError, OSError):
            pass
        self._queue.put_nowait(_EOF)

    async def write_loop(self) -> None:
        try:
            while True:
                item = await self._queue.get()
                if item is _EOF:
                    for toxic in self.active():
                        await toxic.on_eof(self)
                    break
                data, arrived = item
                self._queued_bytes -= len(data)
                if self._queued_bytes <= QUEUE_BYTES:
                    self._room.set()
                chain = self.active()
                if chain:
                    await self._through(chain, 0, data, arrived)
                else:
                    self.writer.write(data)
                    await self.writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.connection.close()

    async def _through(self, chain: list[Toxic], index: int, data: bytes, arrived: float) -> None:
        if self.connection.closed:
            return
        if index == len(chain):
            self.writer.write(data)
            await self.writer.drain()
            return
        def emit(piece: bytes, moved: float | None = None):
            return self._through(chain, index + 1, piece, arrived if moved is None else moved)

        await chain[index].on_chunk(self, data, arrived, emit)

    def stop_timers(self) -> None:
        for task in list(self._timers.values()):
            task.cancel()


class Connection:
    """A client connection and its upstream connection, joined by two links."""

    def __init__(self, proxy: "Proxy", serial: int) -> None:
        self.proxy, self.serial = proxy, serial
        self.closed = False
        self.links: list[Link] = []
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: list[asyncio.Task] = []

    async def run(self, client_reader, client_writer) -> None:
        self._writers.append(client_writer)
        host, port = split_address(self.proxy.upstream)
        try:
            up_reader, up_writer = await asyncio.wait_for(asyncio.open_connection(host, port),
                                                          UPSTREAM_CONNECT_TIMEOUT)
        except (OSError, asyncio.TimeoutError) as exc:
            log.warning("proxy %s: upstream %s unreachable: %s", self.proxy.name, self.proxy.upstream, exc)
            self.close()
            return
        self._writers.append(up_writer)
        seed = f"{self.proxy.seed}:{self.proxy.name}:{self.serial}".encode()
        self.links = [Link(self, "upstream", client_reader, up_writer, seed),
                      Link(self, "downstream", up_reader, client_writer, seed)]
        for link in self.links:
            link.toxics_changed()  # start timers of toxics already present
            self._tasks += [asyncio.create_task(link.read_loop()), asyncio.create_task(link.write_loop())]
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def toxics_changed(self, updated: str | None = None) -> None:
        for link in self.links:
            link.toxics_changed(updated)

    def close(self, reset: bool = False) -> None:
        """Closes both sockets; with `reset`, with a TCP RST instead of a FIN."""
        if self.closed:
            return
        self.closed = True
        for writer in self._writers:
            if reset:
                sock = writer.get_extra_info("socket")
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
            else:
                writer.close()
        for link in self.links:
            link.stop_timers()
        for task in self._tasks:
            if task is not asyncio.current_task():
                task.cancel()
        self.proxy.connections.discard(self)


class Proxy:
    """A named listener forwarding to `upstream`, with its ordered toxics."""

    def __init__(self, name: str, listen: str, upstream: str, seed: int) -> None:
        self.name, self.listen, self.upstream, self.seed = name, listen, upstream, seed
        self.requested_listen = listen  # what was asked for (port 0 stays 0 here)
        self.enabled = False
        self.toxics: "OrderedDict[str, Definition]" = OrderedDict()
        self.connections: set[Connection] = set()
        self._server: asyncio.AbstractServer | None = None
        self._serial = 0

    def to_json(self) -> dict:
        return {"name": self.name, "listen": self.listen, "upstream": self.upstream, "enabled": self.enabled,
                "toxics": [t.to_json() for t in self.toxics.values()]}

    async def start(self) -> None:
        """Binds the listen address (port 0: any free port, then reported in `listen`).

        Raises ListenError with Go's wording when it cannot be bound.
        """
        if self.enabled:
            return
        host, port = split_address(self.listen)
        try:
            self._server = await asyncio.start_server(self._accept, host, port, reuse_address=True)
        except OSError as exc:
            raise ListenError(f"listen tcp {self.listen}: bind: {exc.strerror or exc}") from None
        bound = self._server.sockets[0].getsockname()
        self.listen = f"{'[' + bound[0] + ']' if ':' in bound[0] else bound[0]}:{bound[1]}"
        self.enabled = True

    async def stop(self) -> None:
        """Stops listening and closes every connection (as disabling does in Toxiproxy)."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self.connections):
            connection.close()
        self.enabled = False

    async def _accept(self, reader, writer) -> None:
        self._serial += 1
        connection = Connection(self, self._serial)
        self.connections.add(connection)
        try:
            await connection.run(reader, writer)
        finally:
            connection.close()

    def toxics_changed(self, updated: str | None = None) -> None:
        for connection in list(self.connections):
            connection.toxics_changed(updated)
