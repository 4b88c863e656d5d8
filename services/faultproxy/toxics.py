"""Toxics: small plug-ins registered by name behind one interface, with Toxiproxy 2.12's
names, attributes (all integers, zero by default) and semantics.

A toxic sees the chunks of one direction of one connection (a link). `on_chunk` passes
data on with `emit` (or holds, slices or drops it); `on_start` runs once the toxic is
active on a link (and again after an update, as Toxiproxy restarts a toxic's Pipe);
`on_eof` runs before the link closes; `on_removed` runs on every live link of its
stream when the toxic is removed or the proxy reset (Toxiproxy's Cleanup), whether or
not its toxicity made it active there.

What each toxic forwards, drops and when its timers start follows Toxiproxy 2.12's
toxics/*.go (the facts, not the code): see each class.
"""

from __future__ import annotations

import asyncio
import random
from typing import Awaitable, Callable, ClassVar, Protocol

# emit(data, arrived=None): passes data to the next toxic; `arrived` moves the chunk's
# timestamp forward (a latency toxic does, so chained latencies add up).
Emit = Callable[..., Awaitable[None]]


class LinkControl(Protocol):
    """What a toxic may do to its link (implemented by proxy.Link)."""

    rng: random.Random  # seeded per link, so a run can be replayed

    async def hold_until(self, deadline: float, toxic_name: str) -> bool: ...

    def close(self) -> None: ...

    def reset(self) -> None: ...

    def now(self) -> float: ...


class Definition:
    """A toxic as the API sees it (shared by every link of its proxy)."""

    def __init__(self, name: str, kind: str, stream: str, toxicity: float, values: dict[str, int]) -> None:
        self.name, self.kind, self.stream, self.toxicity, self.values = name, kind, stream, toxicity, values

    def to_json(self) -> dict:
        return {"name": self.name, "type": self.kind, "stream": self.stream, "toxicity": self.toxicity,
                "attributes": dict(self.values)}


class Toxic:
    """Base of every toxic: the noop behaviour. One instance per link, so state such as
    a byte count or a bandwidth schedule belongs to one connection."""

    kind: ClassVar[str] = "noop"
    attributes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, definition: Definition) -> None:
        self.definition = definition

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def values(self) -> dict[str, int]:
        return self.definition.values  # live: an update applies to the next chunk

    async def on_start(self, link: LinkControl) -> None:
        return None

    async def on_chunk(self, link: LinkControl, data: bytes, arrived: float, emit: Emit) -> None:
        await emit(data)

    async def on_eof(self, link: LinkControl) -> None:
        return None

    def on_removed(self, link: LinkControl) -> None:
        return None


REGISTRY: dict[str, type[Toxic]] = {}


def register(cls: type[Toxic]) -> type[Toxic]:
    REGISTRY[cls.kind] = cls
    return cls


register(Toxic)


@register
class Latency(Toxic):
    """Delays every chunk by `latency` ms +/- `jitter` ms, counted from its arrival, so
    a stream keeps its throughput (chunks queue behind each other, not behind the delay).
    The chunk leaves with its timestamp moved to when it was released, so two latency
    toxics in a chain add up. Removed while holding: the chunk goes at once, never dropped."""

    kind = "latency"
    attributes = ("latency", "jitter")

    async def on_chunk(self, link, data, arrived, emit):
        jitter = self.values["jitter"]
        offset = link.rng.uniform(-jitter, jitter) if jitter else 0.0
        release = arrived + (self.values["latency"] + offset) / 1000
        if await link.hold_until(release, self.name):
            return await emit(data, release)
        await emit(data)


@register
class Bandwidth(Toxic):
    """Limits the link to `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy), sending at most
    100 ms worth of data at a time."""

    kind = "bandwidth"
    attributes = ("rate",)

    def __init__(self, definition):
        super().__init__(definition)
        self._free_at = 0.0

    async def on_chunk(self, link, data, arrived, emit):
        rate = self.values["rate"] * 1000  # bytes per second
        if rate <= 0:
            return await emit(data)
        step = max(1, rate // 10)
        for start in range(0, len(data), step):
            piece = data[start:start + step]
            # A running schedule, not a sleep per piece: no drift over a long transfer.
            self._free_at = max(self._free_at, link.now()) + len(piece) / rate
            if not await link.hold_until(self._free_at, self.name):
                return await emit(data[start:])
            await emit(piece)


@register
class SlowClose(Toxic):
    """Delays closing the connection by `delay` ms after the other side closed."""

    kind = "slow_close"
    attributes = ("delay",)

    async def on_eof(self, link):
        await link.hold_until(link.now() + self.values["delay"] / 1000, self.name)


@register
class Timeout(Toxic):
    """Lets no data through; closes the connection `timeout` ms after the toxic became
    active on the link, or never (0). When it is removed (or the proxy reset) every link
    it was on is closed, both sides seeing EOF, so a client that was stuck learns of it."""

    kind = "timeout"
    attributes = ("timeout",)

    async def on_start(self, link):
        if self.values["timeout"] > 0:
            if await link.hold_until(link.now() + self.values["timeout"] / 1000, self.name):
                link.close()

    async def on_chunk(self, link, data, arrived, emit):
        return None  # dropped, as Toxiproxy does

    def on_removed(self, link):
        link.close()


@register
class ResetPeer(Toxic):
    """Waits for the first chunk on its stream (or its end), drops it, waits `timeout` ms,
    then resets the connection (TCP RST: both peers see ECONNRESET). A connection that
    sends nothing is never reset. Data arriving meanwhile is held and never forwarded;
    once triggered, the reset happens even if the toxic is removed during the wait."""

    kind = "reset_peer"
    attributes = ("timeout",)

    async def _reset_after_timeout(self, link):
        await asyncio.sleep(self.values["timeout"] / 1000)
        link.reset()

    async def on_chunk(self, link, data, arrived, emit):
        await self._reset_after_timeout(link)

    async def on_eof(self, link):
        await self._reset_after_timeout(link)


@register
class Slicer(Toxic):
    """Slices each chunk into pieces of `average_size` +/- `size_variation` bytes, with
    `delay` microseconds between pieces."""

    kind = "slicer"
    attributes = ("average_size", "size_variation", "delay")

    async def on_chunk(self, link, data, arrived, emit):
        average, variation = self.values["average_size"], self.values["size_variation"]
        if average <= 0:
            return await emit(data)
        start = 0
        while start < len(data):
            size = max(1, average + (link.rng.randint(-variation, variation) if variation else 0))
            await emit(data[start:start + size])
            start += size
            # As Toxiproxy: a pause after every slice, the last one included.
            if self.values["delay"] and not await link.hold_until(link.now() + self.values["delay"] / 1e6,
                                                                  self.name):
                return await emit(data[start:]) if start < len(data) else None


@register
class LimitData(Toxic):
    """Closes the connection once `bytes` bytes have passed (exactly that many arrive)."""

    kind = "limit_data"
    attributes = ("bytes",)

    def __init__(self, definition):
        super().__init__(definition)
        self._passed = 0

    async def on_chunk(self, link, data, arrived, emit):
        room = self.values["bytes"] - self._passed
        if room > 0:
            piece = data[:room]
            self._passed += len(piece)
            await emit(piece)
        if self._passed >= self.values["bytes"]:
            link.close()


def validate_attributes(kind: str, given: object, current: dict[str, int] | None = None) -> dict[str, int]:
    """Returns the attributes of a `kind` toxic: `current` (or zeros) updated by `given`.

    Unknown attribute names are ignored, as Toxiproxy's JSON decoding does. Raises
    ValueError naming the attribute for a value that is not a non-negative integer.
    """
    values = dict(current) if current else {name: 0 for name in REGISTRY[kind].attributes}
    if given is None:
        return values
    if not isinstance(given, dict):
        raise ValueError("attributes must be an object")
    for name in REGISTRY[kind].attributes:
        if name in given:
            value = given[name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"attribute {name} must be an integer, got {value!r}")
            if value < 0:
                raise ValueError(f"attribute {name} must not be negative, got {value}")
            values[name] = value
    return values
