"""The chat bus: carries notifications between the code that commits and the connections that listen.

``InProcessBus`` serves one process. ``RedisBus`` (when FIRSTLINE_REDIS_URL is set) publishes on one
Redis pub/sub channel that every app process subscribes to, its own included, so a customer on
process A and an agent on process B hear of each other's messages. The bus may lose or reorder a
notification (Redis restarts, network); the hub then reads the database, which stays the truth.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

Payload = dict[str, Any]
Handler = Callable[[Payload], None]
CHANNEL = "firstline:chat"
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


class Bus:
    """Publish from any thread; the handler runs on the event loop that started the bus."""

    def __init__(self, handler: Handler, *, on_resync: Callable[[], None] | None = None) -> None:
        self.handler = handler
        self.on_resync = on_resync or (lambda: None)
        self.loop: asyncio.AbstractEventLoop | None = None
        # Payloads published from threads wait here; one wake-up of the loop takes all that queued meanwhile.
        self.incoming: collections.deque[Payload] = collections.deque()
        self.wake_pending = False
        self.incoming_lock = threading.Lock()

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        with self.incoming_lock:
            self.incoming.clear()
            self.wake_pending = False

    async def stop(self) -> None:
        self.loop = None

    def publish(self, payload: Payload) -> None:
        """Safe from worker threads (the ``after_commit`` hooks run there) and from the loop itself."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        with self.incoming_lock:
            self.incoming.append(payload)
            if self.wake_pending:
                return
            self.wake_pending = True
        try:
            loop.call_soon_threadsafe(self._accept_incoming)
        except RuntimeError:  # the loop closed between the check and the call: shutting down
            pass

    def _accept_incoming(self) -> None:
        with self.incoming_lock:
            payloads, self.incoming = self.incoming, collections.deque()
            self.wake_pending = False
        for payload in payloads:  # in publication order
            self._accept(payload)

    def _accept(self, payload: Payload) -> None:
        self._deliver(payload)

    def _deliver(self, payload: Payload) -> None:
        try:
            self.handler(payload)
        except Exception:
            log.exception("chat bus handler failed", extra={"payload_type": payload.get("type")})


class InProcessBus(Bus):
    """Delivery inside this process only."""


class RedisBus(Bus):
    """Redis pub/sub on one channel; the process hears its own publications like everyone else's."""

    def __init__(self, url: str, handler: Handler, *, on_resync: Callable[[], None] | None = None) -> None:
        super().__init__(handler, on_resync=on_resync)
        self.url = url
        self.outbox: asyncio.Queue[Payload] = asyncio.Queue()
        self.tasks: list[asyncio.Task[None]] = []
        self.subscribed = asyncio.Event()

    async def start(self) -> None:
        import redis.asyncio as redis

        await super().start()
        self.outbox = asyncio.Queue()
        self.subscribed = asyncio.Event()
        self.publisher = redis.from_url(self.url)
        self.tasks = [
            asyncio.create_task(self._read_forever(), name="chat-bus-reader"),
            asyncio.create_task(self._write_forever(), name="chat-bus-writer"),
        ]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.subscribed.wait(), 5)
        if not self.subscribed.is_set():
            log.warning("chat bus: Redis not reachable yet; delivering locally until it is")

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        with contextlib.suppress(Exception):
            await self.publisher.aclose()
        await super().stop()

    def _accept(self, payload: Payload) -> None:
        self.outbox.put_nowait(payload)

    async def _write_forever(self) -> None:
        while True:
            batch = [await self.outbox.get()]
            while not self.outbox.empty() and len(batch) < 500:
                batch.append(self.outbox.get_nowait())
            try:
                async with self.publisher.pipeline(transaction=False) as pipe:
                    for payload in batch:
                        pipe.publish(CHANNEL, json.dumps(payload, separators=(",", ":")))
                    await pipe.execute()
            except Exception as exc:  # Redis down: this process's own connections must not go deaf
                log.warning("chat bus: publish failed, delivering locally", extra={"error": str(exc)[:200]})
                for payload in batch:
                    self._deliver(payload)

    async def _read_forever(self) -> None:
        import redis.asyncio as redis

        attempt = 0
        while True:
            client = redis.from_url(self.url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(CHANNEL)
                    if attempt:
                        # Anything published while we were away is in the database: read it back.
                        self.on_resync()
                    attempt = 0
                    self.subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._deliver(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.subscribed.clear()
                delay = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                attempt += 1
                log.warning("chat bus: Redis subscription lost", extra={"error": str(exc)[:200]})
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(Exception):
                    await client.aclose()


def make_bus(redis_url: str, handler: Handler, *, on_resync: Callable[[], None] | None = None) -> Bus:
    if redis_url:
        return RedisBus(redis_url, handler, on_resync=on_resync)
    return InProcessBus(handler, on_resync=on_resync)
