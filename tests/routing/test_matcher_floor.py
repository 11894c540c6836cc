"""Floor, the pool's index kept between dispatches: patched by agent, it places chats as one built anew."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from firstline.routing.matcher import AgentPool, AgentSnapshot, Floor, WaitingChat
from tests.routing.test_matcher import NOW, RULES, agents_strategy, chats_strategy

WEIGHT = RULES.email_weight


def placements(agents: Floor | list[AgentSnapshot], chats) -> list[object]:
    pool = AgentPool(agents, rules=RULES)
    placed = [pool.place(chat, now=NOW) for chat in chats]
    return [placed, pool.loads(), pool.open_profile(), pool.has_room()]


@st.composite
def floor_changes(draw):
    """A floor, and a change of some of its agents (load, idle time, profile, presence, gone) or new ones."""
    agents = draw(agents_strategy)
    changed: dict[int, AgentSnapshot | None] = {}
    for agent in draw(st.lists(st.sampled_from(agents), max_size=3)) if agents else ():
        kind = draw(st.sampled_from(["load", "idle", "profile", "presence", "gone"]))
        if kind == "load":
            changed[agent.agent_id] = replace(
                agent, chats=draw(st.integers(0, 4)), emails=draw(st.integers(0, 4))
            )
        elif kind == "idle":
            changed[agent.agent_id] = replace(agent, idle_since=NOW)
        elif kind == "profile":
            changed[agent.agent_id] = replace(agent, max_chats=draw(st.integers(1, 4)), tier="l2")
        elif kind == "presence":
            changed[agent.agent_id] = replace(agent, online=not agent.online)
        else:
            changed[agent.agent_id] = None
    taken = {agent.agent_id for agent in agents}
    for newcomer in draw(agents_strategy):
        if newcomer.agent_id not in taken:
            changed[newcomer.agent_id] = newcomer
            break
    return agents, changed


def current(agents: list[AgentSnapshot], changed: dict[int, AgentSnapshot | None]) -> list[AgentSnapshot]:
    by_id: dict[int, AgentSnapshot | None] = {agent.agent_id: agent for agent in agents}
    by_id.update(changed)
    return [agent for agent in by_id.values() if agent is not None]


class TestFloorPatched:
    @settings(max_examples=200, deadline=None)
    @given(floor_changes(), chats_strategy)
    def test_a_patched_floor_places_chats_as_a_pool_of_the_changed_agents(self, change, chats) -> None:
        agents, changed = change
        patched = Floor(agents, email_weight=WEIGHT).patched(changed)
        assert placements(patched, chats) == placements(current(agents, changed), chats)

    @settings(max_examples=100, deadline=None)
    @given(floor_changes())
    def test_a_patched_floor_holds_the_current_agents_and_loads(self, change) -> None:
        agents, changed = change
        patched = Floor(agents, email_weight=WEIGHT).patched(changed)
        rebuilt = Floor(current(agents, changed), email_weight=WEIGHT)
        assert {a.agent_id: a for a in patched.agents} == {a.agent_id: a for a in rebuilt.agents}
        assert (patched.loads, patched.idle_since, patched.room) == (
            rebuilt.loads,
            rebuilt.idle_since,
            rebuilt.room,
        )

    def test_a_load_change_keeps_the_language_index_and_a_new_language_rebuilds_it(self) -> None:
        agent = AgentSnapshot(1, True, "l1", {"en": "native"}, frozenset(), 3, NOW)
        floor = Floor([agent], email_weight=WEIGHT)
        busier = floor.patched({1: replace(agent, chats=2)})
        assert busier.speakers is floor.speakers and busier.loads == {1: 2}
        assert floor.loads == {1: 0}  # the floor patched is left as it was
        multilingual = busier.patched({1: replace(agent, languages={"en": "native", "it": "fluent"})})
        assert set(multilingual.speakers) == {"en", "it"}

    def test_a_pool_of_a_floor_keeps_the_floor_unchanged(self) -> None:
        agent = AgentSnapshot(1, True, "l1", {"en": "native"}, frozenset(), 3, NOW - timedelta(hours=1))
        floor = Floor([agent], email_weight=WEIGHT)
        chat = WaitingChat(7, "en", "l1", "kyc_rejected", NOW)
        assert AgentPool(floor, rules=RULES).place(chat, now=NOW) is not None
        assert floor.loads == {1: 0} and floor.idle_since == {1: agent.idle_since}
        assert AgentPool(floor, rules=RULES).loads() == {1: 0}
