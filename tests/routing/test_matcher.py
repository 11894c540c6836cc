"""The matcher's rules, checked for all inputs (hypothesis) and on a few stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from firstline.routing.matcher import (
    AgentPool,
    AgentSnapshot,
    RoutingRules,
    Stage,
    WaitingChat,
    allowed_stage,
    is_eligible,
    language_stage,
    match,
    queue_order,
    tier_distance,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
RULES = RoutingRules(secondary_after_seconds=30, english_after_seconds=60, email_weight=0.5)
LANGUAGES = ("en", "it", "pt", "de", "es")
TIERS = ("l1", "l2", "technical")
CATEGORIES = ("deposit_not_credited", "2fa_reset", "kyc_rejected")

agents_strategy = st.lists(
    st.builds(
        AgentSnapshot,
        agent_id=st.integers(1, 10_000),
        online=st.booleans(),
        tier=st.sampled_from(TIERS),
        languages=st.dictionaries(
            st.sampled_from(LANGUAGES), st.sampled_from(("native", "fluent", "working", "basic")), max_size=3
        ),
        skills=st.frozensets(st.sampled_from(CATEGORIES)),
        max_chats=st.integers(1, 4),
        idle_since=st.integers(0, 3600).map(lambda s: NOW - timedelta(seconds=s)),
        chats=st.integers(0, 4),
        emails=st.integers(0, 4),
    ),
    max_size=12,
    unique_by=lambda agent: agent.agent_id,
)
chats_strategy = st.lists(
    st.builds(
        WaitingChat,
        conversation_id=st.integers(1, 100_000),
        language=st.sampled_from(LANGUAGES),
        tier=st.sampled_from(TIERS),
        category=st.sampled_from(CATEGORIES),
        enqueued_at=st.integers(0, 120).map(lambda s: NOW - timedelta(seconds=s)),
        priority_rank=st.integers(0, 3),
        vip_tier=st.integers(0, 2),
        front=st.booleans(),
        declined_by=st.frozensets(st.integers(1, 10_000), max_size=2),
    ),
    max_size=25,
    unique_by=lambda chat: chat.conversation_id,
)


class TestMatchProperties:
    @settings(max_examples=150, deadline=None)
    @given(chats=chats_strategy, agents=agents_strategy)
    def test_no_agent_is_ever_given_more_than_their_capacity(self, chats, agents) -> None:
        given_now = {agent.agent_id: 0 for agent in agents}
        for found in match(chats, agents, now=NOW, rules=RULES):
            given_now[found.agent_id] += 1
        for agent in agents:
            if given_now[agent.agent_id]:
                assert agent.load(RULES.email_weight) + given_now[agent.agent_id] <= agent.max_chats

    @settings(max_examples=150, deadline=None)
    @given(chats=chats_strategy, agents=agents_strategy)
    def test_no_chat_ever_goes_to_an_agent_who_is_not_online(self, chats, agents) -> None:
        online = {agent.agent_id for agent in agents if agent.online}
        assert all(found.agent_id in online for found in match(chats, agents, now=NOW, rules=RULES))

    @settings(max_examples=150, deadline=None)
    @given(chats=chats_strategy, agents=agents_strategy)
    def test_a_language_mismatch_happens_only_through_the_overflow_rule(self, chats, agents) -> None:
        by_agent = {agent.agent_id: agent for agent in agents}
        by_chat = {chat.conversation_id: chat for chat in chats}
        for found in match(chats, agents, now=NOW, rules=RULES):
            chat, agent = by_chat[found.conversation_id], by_agent[found.agent_id]
            stage = language_stage(agent, chat.language)
            assert stage is not None and stage == found.stage
            assert stage <= allowed_stage(chat, now=NOW, rules=RULES)
            if stage == Stage.ENGLISH:
                assert agent.languages.get("en") in ("native", "fluent")
            assert tier_distance(agent, chat.tier) is not None

    @settings(max_examples=150, deadline=None)
    @given(chats=chats_strategy, agents=agents_strategy)
    def test_a_chat_is_passed_over_only_for_an_agent_it_could_not_have_had(self, chats, agents) -> None:
        """Priority order: an unplaced chat could not have taken the agent of any chat placed after it."""
        matches = match(chats, agents, now=NOW, rules=RULES)
        placed = {found.conversation_id: found.agent_id for found in matches}
        by_agent = {agent.agent_id: agent for agent in agents}
        ordered = sorted(chats, key=queue_order)
        for index, waiting in enumerate(ordered):
            if waiting.conversation_id in placed:
                continue
            for later in ordered[index + 1 :]:
                agent_id = placed.get(later.conversation_id)
                if agent_id is not None:
                    agent = by_agent[agent_id]
                    # Ignore capacity (it was free for the later chat): everything else must rule it out.
                    assert (
                        not is_eligible(agent, waiting, load=0, now=NOW, rules=RULES) or agent.max_chats < 1
                    )

    @settings(max_examples=100, deadline=None)
    @given(chats=chats_strategy, agents=agents_strategy)
    def test_each_chat_is_placed_at_most_once(self, chats, agents) -> None:
        matches = match(chats, agents, now=NOW, rules=RULES)
        assert len({found.conversation_id for found in matches}) == len(matches)


def agent(agent_id: int, **fields) -> AgentSnapshot:
    defaults = dict(
        online=True,
        tier="l1",
        languages={"en": "fluent"},
        skills=frozenset(),
        max_chats=3,
        idle_since=NOW - timedelta(minutes=5),
    )
    return AgentSnapshot(agent_id=agent_id, **{**defaults, **fields})


def chat(conversation_id: int, language: str = "en", waited: float = 0, **fields) -> WaitingChat:
    defaults = dict(tier="l1", category="deposit_not_credited")
    return WaitingChat(
        conversation_id=conversation_id,
        language=language,
        enqueued_at=NOW - timedelta(seconds=waited),
        **{**defaults, **fields},
    )


class TestMatchRules:
    def test_the_least_loaded_agent_gets_the_chat(self) -> None:
        busy, free = agent(1, chats=2), agent(2, chats=0)
        assert match([chat(10)], [busy, free], now=NOW, rules=RULES)[0].agent_id == 2

    def test_between_equally_loaded_agents_the_one_idle_longest_gets_it(self) -> None:
        recent = agent(1, idle_since=NOW - timedelta(seconds=10))
        longest = agent(2, idle_since=NOW - timedelta(hours=1))
        assert match([chat(10)], [recent, longest], now=NOW, rules=RULES)[0].agent_id == 2

    def test_an_agent_skilled_in_the_category_comes_before_a_less_loaded_one(self) -> None:
        skilled = agent(1, chats=1, skills=frozenset({"2fa_reset"}))
        other = agent(2)
        found = match([chat(10, category="2fa_reset")], [skilled, other], now=NOW, rules=RULES)
        assert found[0].agent_id == 1

    def test_an_italian_chat_waits_for_an_italian_agent_before_the_overflow(self) -> None:
        english_only = agent(1)
        assert match([chat(10, "it", waited=5)], [english_only], now=NOW, rules=RULES) == []

    def test_after_the_first_overflow_an_agent_with_italian_as_a_secondary_language_is_offered(self) -> None:
        secondary = agent(1, languages={"it": "working", "en": "fluent"})
        assert match([chat(10, "it", waited=5)], [secondary], now=NOW, rules=RULES) == []
        found = match([chat(10, "it", waited=31)], [secondary], now=NOW, rules=RULES)
        assert found[0].stage == Stage.SECONDARY

    def test_after_the_second_overflow_an_english_speaker_is_offered(self) -> None:
        english_only = agent(1)
        assert match([chat(10, "it", waited=45)], [english_only], now=NOW, rules=RULES) == []
        assert (
            match([chat(10, "it", waited=61)], [english_only], now=NOW, rules=RULES)[0].stage == Stage.ENGLISH
        )

    def test_a_fluent_speaker_is_preferred_to_an_overflow_agent_once_both_may_take_the_chat(self) -> None:
        english_only, italian = agent(1, chats=0), agent(2, chats=2, languages={"it": "native"})
        found = match([chat(10, "it", waited=90)], [english_only, italian], now=NOW, rules=RULES)
        assert found[0].agent_id == 2

    def test_l1_chats_go_to_l1_agents_first_and_to_l2_agents_after_them(self) -> None:
        l1, l2 = agent(1, tier="l1", chats=2), agent(2, tier="l2", chats=0)
        assert match([chat(10)], [l1, l2], now=NOW, rules=RULES)[0].agent_id == 1
        assert match([chat(10)], [agent(1, tier="l1", chats=3), l2], now=NOW, rules=RULES)[0].agent_id == 2

    def test_a_compliance_chat_never_goes_to_an_l1_agent(self) -> None:
        assert match([chat(10, tier="compliance")], [agent(1)], now=NOW, rules=RULES) == []

    def test_vip_customers_are_served_before_earlier_regular_customers(self) -> None:
        one_slot = agent(1, max_chats=1)
        regular, vip = chat(10, waited=20), chat(11, waited=1, vip_tier=2)
        assert match([regular, vip], [one_slot], now=NOW, rules=RULES)[0].conversation_id == 11

    def test_a_chat_handed_back_by_an_agent_goes_before_everyone_else(self) -> None:
        one_slot = agent(1, max_chats=1)
        urgent, handed_back = chat(10, waited=50, priority_rank=3, vip_tier=2), chat(11, front=True)
        assert match([urgent, handed_back], [one_slot], now=NOW, rules=RULES)[0].conversation_id == 11

    def test_email_work_takes_its_weight_of_a_chat_slot(self) -> None:
        two_emails = agent(1, max_chats=2, chats=1, emails=2)  # 1 + 2 × 0.5 = 2: full
        assert match([chat(10)], [two_emails], now=NOW, rules=RULES) == []
        one_email = agent(1, max_chats=2, chats=0, emails=2)
        assert len(match([chat(10), chat(11)], [one_email], now=NOW, rules=RULES)) == 1

    def test_an_agent_who_declined_is_offered_the_chat_only_when_nobody_else_can_take_it(self) -> None:
        declined, other = agent(1), agent(2, chats=2)
        waiting = chat(10, declined_by=frozenset({1}))
        assert match([waiting], [declined, other], now=NOW, rules=RULES)[0].agent_id == 2
        assert match([waiting], [declined], now=NOW, rules=RULES)[0].agent_id == 1


def reference_match(chats, agents, *, now, rules) -> list[tuple[int, int, Stage]]:
    """The matching rules written out plainly: every queued chat against every online agent."""
    available = [agent for agent in agents if agent.online]
    loads = {agent.agent_id: agent.load(rules.email_weight) for agent in available}
    idle = {agent.agent_id: agent.idle_since for agent in available}
    placed = []
    for waiting in sorted(chats, key=queue_order):
        best = None
        for candidate in available:
            load = loads[candidate.agent_id]
            if not is_eligible(candidate, waiting, load=load, now=now, rules=rules):
                continue
            stage = language_stage(candidate, waiting.language)
            key = (
                candidate.agent_id in waiting.declined_by,
                stage,
                tier_distance(candidate, waiting.tier),
                waiting.category not in candidate.skills,
                load,
                idle[candidate.agent_id],
                candidate.agent_id,
            )
            if best is None or key < best[0]:
                best = (key, candidate.agent_id, stage)
        if best is not None:
            loads[best[1]] += 1
            idle[best[1]] = now
            placed.append((waiting.conversation_id, best[1], best[2]))
    return placed


class TestAgentPool:
    @settings(max_examples=200, deadline=None)
    @given(chats=chats_strategy, agents=agents_strategy)
    def test_the_indexed_pool_places_every_chat_exactly_as_the_plain_rules_do(self, chats, agents) -> None:
        found = [(m.conversation_id, m.agent_id, m.stage) for m in match(chats, agents, now=NOW, rules=RULES)]
        assert found == reference_match(chats, agents, now=NOW, rules=RULES)

    def test_the_free_agents_profile_leaves_out_agents_who_are_full(self) -> None:
        full = agent(1, languages={"it": "native"}, chats=3)
        free = agent(2, languages={"de": "native"}, tier="l2")
        languages, tiers, english = AgentPool([full, free], rules=RULES).open_profile()
        assert (languages, tiers, english) == ({"de"}, {"l2", "l1"}, False)

    def test_a_pool_reports_no_room_once_its_last_slot_is_taken(self) -> None:
        pool = AgentPool([agent(1, max_chats=1)], rules=RULES)
        assert pool.place(chat(10), now=NOW) is not None
        assert not pool.has_room() and pool.place(chat(11), now=NOW) is None
