"""Fan-out inside one process: bus notifications in, ordered frames out to each websocket.

Each conversation someone here is connected to has a ``Feed`` that hands events to its
subscriptions strictly in ``seq`` order. A notification that arrives ahead of one it should follow
(or without its frame) makes the feed read the missing events from the database, so delivery is
gap-free whatever the bus does. A subscription replays what its client missed from the database
before it goes live, buffering live events meanwhile, so resume is gap-free too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from firstline.chat.stream import Frame, customer_view

log = logging.getLogger(__name__)

GAP_GRACE_SECONDS = 0.01  # a notification's frame usually follows it at once; wait this long before reading
OUTBOX_LIMIT = 2_000  # frames queued for one slow client before it is disconnected (it will resume)

ReadEvents = Callable[[int, int], Awaitable[tuple[list[Frame], int]]]
ReadLastSeq = Callable[[int], Awaitable[int]]


def dumps(frame: Frame) -> str:
    return json.dumps(frame, separators=(",", ":"), ensure_ascii=False)


class Connection:
    """One websocket's outgoing side: frames are queued and written by the connection's sender task."""

    def __init__(self, connection_id: str, kind: str) -> None:
        self.id = connection_id
        self.kind = kind
        self.agent_id: int | None = None  # an agent's connection, once authenticated
        self.outbox: asyncio.Queue[str | None] = asyncio.Queue()
        self.overflowed = False

    def push(self, frame: Frame) -> None:
        if self.overflowed:
            return
        if self.outbox.qsize() >= OUTBOX_LIMIT:
            self.overflowed = True
            self.outbox.put_nowait(None)  # tells the sender to close: the client resumes from its last seq
            return
        self.outbox.put_nowait(dumps(frame))

    def close(self) -> None:
        self.outbox.put_nowait(None)


class Subscription:
    """One connection's interest in one conversation, with its own cursor."""

    def __init__(
        self, connection: Connection, conversation_id: int, *, after_seq: int, customer: bool
    ) -> None:
        self.connection = connection
        self.conversation_id = conversation_id
        self.customer = customer
        self.cursor = after_seq  # every seq up to here is handled (shown or not visible to this client)
        self.last_visible = after_seq
        self.buffer: list[Frame] | None = []  # live frames held back while the backlog is read

    def deliver(self, frame: Frame) -> None:
        if self.buffer is not None:
            self.buffer.append(frame)
        else:
            self._emit(frame)

    def go_live(self, backlog: list[Frame], upto: int) -> None:
        for frame in backlog:
            self._emit(frame)
        self.cursor = max(self.cursor, upto)
        held, self.buffer = self.buffer or [], None
        for frame in held:
            self._emit(frame)

    def _emit(self, frame: Frame) -> None:
        seq = frame["seq"]
        if seq <= self.cursor:
            return
        self.cursor = seq
        view = customer_view(frame) if self.customer else frame
        if view is None:
            return
        self.connection.push({**view, "prev_seq": self.last_visible})
        self.last_visible = seq

    def send_state(self, frame: Frame) -> None:
        self.connection.push(frame)


class Feed:
    """The ordered event stream of one conversation in this process."""

    def __init__(self, conversation_id: int, read_events: ReadEvents) -> None:
        self.conversation_id = conversation_id
        self.read_events = read_events
        self.subscriptions: set[Subscription] = set()
        self.cursor: int | None = None
        self.pending: dict[int, Frame | None] = {}
        self.ready = asyncio.Event()
        self.catching_up = False

    def start(self, last_seq: int) -> None:
        self.cursor = last_seq
        self.ready.set()
        self._drain()

    def on_event(self, seq: int, frame: Frame | None) -> None:
        if self.cursor is not None and seq <= self.cursor:
            return
        if frame is not None or seq not in self.pending:
            self.pending[seq] = frame
        if self.cursor is not None:
            self._drain()

    def resync(self) -> None:
        """Read whatever the database holds beyond the cursor (after a bus outage)."""
        if self.cursor is not None:
            self.pending.setdefault(self.cursor + 1, None)
            self._drain()

    def _drain(self) -> None:
        assert self.cursor is not None
        for seq in [seq for seq in self.pending if seq <= self.cursor]:
            del self.pending[seq]
        while (frame := self.pending.get(self.cursor + 1)) is not None:
            del self.pending[self.cursor + 1]
            self.cursor += 1
            for subscription in list(self.subscriptions):
                subscription.deliver(frame)
        if self.pending and not self.catching_up:
            self.catching_up = True
            asyncio.get_running_loop().create_task(self._catch_up())

    async def _catch_up(self) -> None:
        try:
            await asyncio.sleep(GAP_GRACE_SECONDS)
            if self.cursor is not None and any(seq > self.cursor for seq in self.pending):
                frames, upto = await self.read_events(self.conversation_id, self.cursor)
                for frame in frames:
                    self.pending[frame["seq"]] = frame
                self._settle(upto)
        except Exception:
            log.exception("chat feed could not catch up", extra={"conversation_id": self.conversation_id})
            await asyncio.sleep(1)
        finally:
            self.catching_up = False
        if self.cursor is not None:
            self._drain()

    def _settle(self, upto: int) -> None:
        """Deliver what was read: the database is complete up to ``upto``, so nothing below it is awaited."""
        assert self.cursor is not None
        self.catching_up = True  # keeps _drain from starting another read while settling
        self._drain()
        if self.cursor < upto:
            self.cursor = upto
            self._drain()
        if self.pending and all(frame is None for frame in self.pending.values()):
            # Notified of events the database does not show: drop them rather than poll forever.
            log.warning(
                "chat feed notified of unseen events", extra={"conversation_id": self.conversation_id}
            )
            self.pending.clear()


def queue_frame(payload: dict[str, Any]) -> Frame:
    """What a waiting customer is told of their place in line (a ``queue.updated`` notification)."""
    return {
        "type": "queue",
        "conversation_id": payload["conversation_id"],
        "state": payload.get("state"),
        "position": payload.get("position"),
        "expected_wait_seconds": payload.get("expected_wait_seconds"),
        "text": payload.get("text", ""),
    }


class Hub:
    """Everything this process's chat connections listen to."""

    def __init__(self, read_events: ReadEvents, read_last_seq: ReadLastSeq) -> None:
        self.read_events = read_events
        self.read_last_seq = read_last_seq
        self.feeds: dict[int, Feed] = {}
        self.inbox_watchers: dict[str, Connection] = {}
        self.activity_sent: dict[int, int] = {}
        self.summary_loader: Callable[[int], Awaitable[Frame | None]] | None = None

    # --- subscriptions ---

    async def subscribe(
        self, connection: Connection, conversation_id: int, *, after_seq: int, customer: bool
    ) -> Subscription:
        """Register first (live frames are buffered), then replay the backlog from the database, unless the
        client already has everything the feed has delivered (a new chat, a reconnect that missed nothing)."""
        feed = self.feeds.get(conversation_id)
        if feed is None:
            feed = self.feeds[conversation_id] = Feed(conversation_id, self.read_events)
            try:
                feed.start(await self.read_last_seq(conversation_id))
            except BaseException:
                self.feeds.pop(conversation_id, None)
                raise
        await feed.ready.wait()
        subscription = Subscription(connection, conversation_id, after_seq=after_seq, customer=customer)
        feed.subscriptions.add(subscription)
        assert feed.cursor is not None
        if after_seq >= feed.cursor:  # the client has all the feed has delivered: the rest comes live
            subscription.go_live([], after_seq)
            return subscription
        try:
            backlog, upto = await self.read_events(conversation_id, after_seq)
        except BaseException:
            self.unsubscribe(subscription)
            raise
        subscription.go_live(backlog, upto)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        feed = self.feeds.get(subscription.conversation_id)
        if feed is None:
            return
        feed.subscriptions.discard(subscription)
        if not feed.subscriptions:
            del self.feeds[subscription.conversation_id]

    def resync(self) -> None:
        for feed in list(self.feeds.values()):
            feed.resync()

    # --- notifications from the bus ---

    def on_payload(self, payload: dict[str, Any]) -> None:
        kind = payload.get("type")
        conversation_id = payload.get("conversation_id")
        if not isinstance(conversation_id, int):
            return
        feed = self.feeds.get(conversation_id)
        if kind == "chat.event":
            frame = payload["event"]
            if feed is not None:
                feed.on_event(frame["seq"], frame)
            self._activity(conversation_id, frame["seq"], frame)
        elif kind == "message.created":
            if feed is not None:
                feed.on_event(payload["seq"], None)
            if self.inbox_watchers:
                asyncio.get_running_loop().call_later(
                    GAP_GRACE_SECONDS, self._activity, conversation_id, payload["seq"], None
                )
        elif kind == "chat.ephemeral":
            if feed is not None:
                self._relay(feed, payload)
        elif kind == "conversation.status_changed":
            if feed is not None:
                state = {
                    "type": "conversation.status",
                    "conversation_id": conversation_id,
                    "status": payload["status"],
                }
                for subscription in list(feed.subscriptions):
                    subscription.send_state(state)
            self._inbox_update("conversation.updated", conversation_id)
        elif kind == "conversation.opened":
            self._inbox_update("conversation.opened", conversation_id)
        elif kind in ("conversation.assigned", "conversation.updated"):
            self._inbox_update("conversation.updated", conversation_id)
        elif kind == "queue.updated":
            if feed is not None:
                state = queue_frame(payload)
                for subscription in list(feed.subscriptions):
                    if subscription.customer:
                        subscription.send_state(state)
        elif kind == "routing.offer":
            self._offer(payload)

    def _offer(self, payload: dict[str, Any]) -> None:
        """A chat offered to an agent: to the agent's consoles that watch the inbox, with its summary."""
        watchers = [w for w in self.inbox_watchers.values() if w.agent_id == payload.get("agent_id")]
        if watchers and self.summary_loader is not None:
            asyncio.get_running_loop().create_task(self._send_offer(watchers, payload))

    async def _send_offer(self, watchers: list[Connection], payload: dict[str, Any]) -> None:
        assert self.summary_loader is not None
        try:
            summary = await self.summary_loader(payload["conversation_id"])
        except Exception:
            log.exception("chat offer summary failed", extra={"conversation_id": payload["conversation_id"]})
            return
        frame = {
            "type": "offer",
            "conversation_id": payload["conversation_id"],
            "expires_at": payload.get("expires_at"),
            "conversation": summary,
        }
        for watcher in watchers:
            watcher.push(frame)

    def _relay(self, feed: Feed, payload: dict[str, Any]) -> None:
        audience = payload.get("audience", "all")
        for subscription in list(feed.subscriptions):
            if subscription.connection.id == payload.get("origin"):
                continue
            if audience == "agents" and subscription.customer:
                continue
            subscription.send_state(payload["frame"])

    def _activity(self, conversation_id: int, seq: int, frame: Frame | None) -> None:
        if not self.inbox_watchers or self.activity_sent.get(conversation_id, 0) >= seq:
            return
        if len(self.activity_sent) > 50_000:
            self.activity_sent.clear()
        self.activity_sent[conversation_id] = seq
        activity: Frame = {
            "type": "conversation.activity",
            "conversation_id": conversation_id,
            "last_seq": seq,
        }
        if frame is not None:
            activity["kind"] = frame["kind"]
            if "message" in frame:
                activity["author_kind"] = frame["message"]["author_kind"]
                activity["preview"] = frame["message"]["body"][:200]
        for watcher in list(self.inbox_watchers.values()):
            watcher.push(activity)

    def _inbox_update(self, frame_type: str, conversation_id: int) -> None:
        if self.inbox_watchers and self.summary_loader is not None:
            asyncio.get_running_loop().create_task(self._send_summary(frame_type, conversation_id))

    async def _send_summary(self, frame_type: str, conversation_id: int) -> None:
        assert self.summary_loader is not None
        try:
            summary = await self.summary_loader(conversation_id)
        except Exception:
            log.exception("chat inbox summary failed", extra={"conversation_id": conversation_id})
            return
        if summary is None or summary["channel"] != "chat":
            return
        for watcher in list(self.inbox_watchers.values()):
            watcher.push({"type": frame_type, "conversation": summary})
