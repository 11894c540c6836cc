"""The feed's ordering rule: whatever order notifications arrive in, and whichever are lost, every
subscription gets every event exactly once, in seq order, because gaps are read from the database."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from firstline.chat.hub import Connection, Hub


def _frame(seq: int, kind: str = "message") -> dict[str, Any]:
    return {
        "type": "event",
        "conversation_id": 1,
        "seq": seq,
        "kind": kind,
        "message": {"author_kind": "customer", "body": f"m{seq}", "client_msg_id": None},
    }


def _drain(connection: Connection) -> list[dict[str, Any]]:
    frames = []
    while not connection.outbox.empty():
        text = connection.outbox.get_nowait()
        assert text is not None
        frames.append(json.loads(text))
    return frames


async def _play(
    total: int, start: int, deliveries: list[tuple[int, bool]], notes: set[int]
) -> tuple[list, list]:
    database = {seq: _frame(seq, "note" if seq in notes else "message") for seq in range(1, total + 1)}
    committed = start

    async def read_events(_: int, after: int) -> tuple[list[dict[str, Any]], int]:
        return [database[s] for s in range(after + 1, committed + 1)], committed

    async def read_last_seq(_: int) -> int:
        return committed

    hub = Hub(read_events, read_last_seq)
    agent, customer = Connection("a", "agent"), Connection("c", "customer")
    await hub.subscribe(agent, 1, after_seq=0, customer=False)
    await hub.subscribe(customer, 1, after_seq=0, customer=True)
    committed = total
    for seq, with_frame in deliveries:
        payload = {"type": "chat.event", "conversation_id": 1, "seq": seq, "event": database[seq]}
        hub.on_payload(
            payload if with_frame else {"type": "message.created", "conversation_id": 1, "seq": seq}
        )
        await asyncio.sleep(0)
    hub.resync()  # what a reconnecting bus does: the database fills in what was never announced
    await asyncio.sleep(0.1)
    return _drain(agent), _drain(customer)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_subscriber_gets_every_event_once_in_order_whatever_the_bus_does(data: st.DataObject) -> None:
    total = data.draw(st.integers(min_value=1, max_value=12))
    start = data.draw(st.integers(min_value=0, max_value=total))
    notes = data.draw(st.sets(st.integers(min_value=1, max_value=total)))
    announced = (
        data.draw(st.lists(st.integers(min_value=start + 1, max_value=total), max_size=30))
        if start < total
        else []
    )
    deliveries = [(seq, data.draw(st.booleans())) for seq in announced]
    agent, customer = asyncio.run(_play(total, start, deliveries, notes))
    assert [f["seq"] for f in agent] == list(range(1, total + 1))
    assert [f["prev_seq"] for f in agent] == list(range(0, total))
    visible = [seq for seq in range(1, total + 1) if seq not in notes]
    assert [f["seq"] for f in customer] == visible
    assert [f["prev_seq"] for f in customer] == [0, *visible][: len(visible)]


def _three_events_hub(reads: list[int]) -> Hub:
    """A hub over a conversation whose database holds seqs 1-3; ``reads`` records each replay read."""

    async def read_events(_: int, after: int) -> tuple[list[dict[str, Any]], int]:
        reads.append(after)
        return [_frame(seq) for seq in range(after + 1, 4)], 3

    async def read_last_seq(_: int) -> int:
        return 3

    return Hub(read_events, read_last_seq)


def test_a_subscriber_that_missed_nothing_is_not_replayed_from_the_database_and_gets_what_comes_next() -> (
    None
):
    reads: list[int] = []

    async def scenario() -> list[dict[str, Any]]:
        hub = _three_events_hub(reads)
        customer = Connection("c", "customer")
        await hub.subscribe(customer, 1, after_seq=3, customer=True)
        hub.on_payload({"type": "chat.event", "conversation_id": 1, "seq": 4, "event": _frame(4)})
        await asyncio.sleep(0)
        return _drain(customer)

    frames = asyncio.run(scenario())
    assert reads == []
    assert [(frame["seq"], frame["prev_seq"]) for frame in frames] == [(4, 3)]


def test_a_subscriber_behind_the_feed_is_replayed_what_it_missed() -> None:
    reads: list[int] = []

    async def scenario() -> list[dict[str, Any]]:
        hub = _three_events_hub(reads)
        customer = Connection("c", "customer")
        await hub.subscribe(customer, 1, after_seq=1, customer=True)
        return _drain(customer)

    frames = asyncio.run(scenario())
    assert reads == [1]
    assert [frame["seq"] for frame in frames] == [2, 3]
