"""Which online agent takes which waiting chat: a pure function over plain values.

Rules, in order:

1. Chats are served in queue order: chats handed back by an agent first, then VIPs, then higher
   priority, then the longest waiting.
2. An agent is eligible for a chat when they are online, have a free chat slot (open chats, offers and
   weighted email work stay within their maximum), work the chat's tier (an L1 chat may also go to an
   L2 agent, after every L1 agent), and speak the chat's language at the stage the wait allows:
   fluent first; after ``secondary_after_seconds`` also agents who speak it as a secondary language;
   after ``english_after_seconds`` also English speakers.
3. Among eligible agents: the closest language stage, then the chat's tier, then those skilled in
   the chat's category, then the least loaded, then the one idle longest. Agents who declined or let
   the chat's offer expire come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum

PRIMARY_PROFICIENCIES = frozenset({"native", "fluent"})
FALLBACK_LANGUAGE = "en"
# Tiers an agent of the key tier serves, preferred first.
_TIER_SERVES: dict[str, tuple[str, ...]] = {"l2": ("l2", "l1")}


class Stage(IntEnum):
    """How far from the chat's language an agent is; a chat reaches later stages by waiting."""

    PRIMARY = 0  # native or fluent in the chat's language
    SECONDARY = 1  # speaks it at a working or basic level
    ENGLISH = 2  # does not speak it, is fluent in English


@dataclass(frozen=True)
class AgentSnapshot:
    agent_id: int
    online: bool
    tier: str
    languages: Mapping[str, str]
    skills: frozenset[str]
    max_chats: int
    idle_since: datetime
    chats: int = 0  # open chats assigned or offered to the agent
    emails: int = 0  # open email conversations assigned to the agent

    def load(self, email_weight: float) -> float:
        return self.chats + email_weight * self.emails


@dataclass(frozen=True)
class WaitingChat:
    conversation_id: int
    language: str
    tier: str
    category: str
    enqueued_at: datetime
    priority_rank: int = 1  # 0 low … 3 urgent
    vip_tier: int = 0
    front: bool = False  # handed back by an agent who left
    declined_by: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class RoutingRules:
    secondary_after_seconds: float = 30.0
    english_after_seconds: float = 60.0
    email_weight: float = 0.5


@dataclass(frozen=True)
class Match:
    conversation_id: int
    agent_id: int
    stage: Stage


def queue_order(chat: WaitingChat) -> tuple[bool, int, int, datetime, int]:
    """Sort key: the first chat in the queue sorts first."""
    return (not chat.front, -chat.vip_tier, -chat.priority_rank, chat.enqueued_at, chat.conversation_id)


def allowed_stage(chat: WaitingChat, *, now: datetime, rules: RoutingRules) -> Stage:
    """The furthest language stage the chat's wait has reached."""
    waited = (now - chat.enqueued_at).total_seconds()
    if waited >= rules.english_after_seconds:
        return Stage.ENGLISH
    if waited >= rules.secondary_after_seconds:
        return Stage.SECONDARY
    return Stage.PRIMARY


def language_stage(agent: AgentSnapshot, language: str) -> Stage | None:
    """How well ``agent`` covers ``language``; None when not at all."""
    level = agent.languages.get(language)
    if level in PRIMARY_PROFICIENCIES:
        return Stage.PRIMARY
    if level is not None:
        return Stage.SECONDARY
    if agent.languages.get(FALLBACK_LANGUAGE) in PRIMARY_PROFICIENCIES:
        return Stage.ENGLISH
    return None


def tier_distance(agent: AgentSnapshot, tier: str) -> int | None:
    """0 when the agent works the chat's tier, 1 when they may take it after its own agents, else None."""
    served = _TIER_SERVES.get(agent.tier, (agent.tier,))
    return served.index(tier) if tier in served else None


ROOM_TOLERANCE = 1e-9  # emails weigh fractions: rounding must not take a free slot away


def has_room(agent: AgentSnapshot, load: float) -> bool:
    return load + 1 <= agent.max_chats + ROOM_TOLERANCE


def is_eligible(
    agent: AgentSnapshot, chat: WaitingChat, *, load: float, now: datetime, rules: RoutingRules
) -> bool:
    """Whether ``agent``, currently carrying ``load``, may be given ``chat`` now."""
    if not agent.online or not has_room(agent, load) or tier_distance(agent, chat.tier) is None:
        return False
    stage = language_stage(agent, chat.language)
    return stage is not None and stage <= allowed_stage(chat, now=now, rules=rules)


class AgentPool:
    """Online agents with their running loads, indexed by language, for placing chats one at a time.

    ``match`` is the pool applied to a whole queue; the dispatcher uses it directly to read the queue in
    bounded batches. Placing a chat only ever adds load, so once no agent can take a chat of some
    language, tier and overflow stage, none can take a later one of the same kind: the pool remembers
    those dead ends and answers them without looking at any agent again.
    """

    def __init__(self, agents: Iterable[AgentSnapshot], *, rules: RoutingRules) -> None:
        self.rules = rules
        self._agents: list[AgentSnapshot] = []
        self._loads: dict[int, float] = {}
        self._idle_since: dict[int, datetime] = {}
        self._room = 0
        # Who may serve a language at all: speakers of it (any level), and fluent English speakers.
        self._speakers: dict[str, list[AgentSnapshot]] = {}
        self._english: list[AgentSnapshot] = []
        # One pass over the floor (the dispatcher builds a pool for every chat): ``load`` and ``has_room``
        # written out, as they are evaluated for every online agent.
        weight = rules.email_weight
        for agent in agents:
            if not agent.online:
                continue
            load = agent.chats + weight * agent.emails
            self._agents.append(agent)
            self._loads[agent.agent_id] = load
            self._idle_since[agent.agent_id] = agent.idle_since
            if load + 1 <= agent.max_chats + ROOM_TOLERANCE:
                self._room += 1
            languages = agent.languages
            for language in languages:
                self._speakers.setdefault(language, []).append(agent)
            if languages.get(FALLBACK_LANGUAGE) in PRIMARY_PROFICIENCIES:
                self._english.append(agent)
        self._dead_ends: set[tuple[str, str, Stage]] = set()

    def has_room(self) -> bool:
        """Whether any online agent can still take a chat."""
        return self._room > 0

    def loads(self) -> dict[int, float]:
        """Each online agent's load, with the chats placed so far."""
        return dict(self._loads)

    def open_profile(self) -> tuple[set[str], set[str], bool]:
        """What the agents with a free slot cover: languages spoken, tiers served, fluent English."""
        languages: set[str] = set()
        tiers: set[str] = set()
        loads = self._loads
        open_agents = [
            agent for agent in self._agents if loads[agent.agent_id] + 1 <= agent.max_chats + ROOM_TOLERANCE
        ]
        for agent in open_agents:
            languages.update(agent.languages)
            tiers.update(_TIER_SERVES.get(agent.tier, (agent.tier,)))
        english = any(
            agent.languages.get(FALLBACK_LANGUAGE) in PRIMARY_PROFICIENCIES for agent in open_agents
        )
        return languages, tiers, english

    def place(self, chat: WaitingChat, *, now: datetime) -> Match | None:
        """Give ``chat`` to the best eligible agent and count it against their load; None if nobody fits."""
        allowed = allowed_stage(chat, now=now, rules=self.rules)
        kind = (chat.language, chat.tier, allowed)
        if self._room <= 0 or kind in self._dead_ends:
            return None
        best: tuple[tuple[object, ...], AgentSnapshot, Stage] | None = None
        for agent in self._candidates(chat.language, allowed):
            load = self._loads[agent.agent_id]
            if not has_room(agent, load):
                continue
            tier = tier_distance(agent, chat.tier)
            stage = language_stage(agent, chat.language)
            if tier is None or stage is None or stage > allowed:
                continue
            key = (
                agent.agent_id in chat.declined_by,
                stage,
                tier,
                chat.category not in agent.skills,
                load,
                self._idle_since[agent.agent_id],
                agent.agent_id,
            )
            if best is None or key < best[0]:
                best = (key, agent, stage)
        if best is None:
            self._dead_ends.add(kind)
            return None
        _, agent, stage = best
        self._loads[agent.agent_id] += 1
        self._idle_since[agent.agent_id] = now
        if not has_room(agent, self._loads[agent.agent_id]):
            self._room -= 1
        return Match(chat.conversation_id, agent.agent_id, stage)

    def _candidates(self, language: str, allowed: Stage) -> Iterable[AgentSnapshot]:
        speakers = self._speakers.get(language, [])
        if allowed < Stage.ENGLISH:
            return speakers
        seen = {agent.agent_id for agent in speakers}
        return [*speakers, *(agent for agent in self._english if agent.agent_id not in seen)]


def match(
    chats: Iterable[WaitingChat],
    agents: Iterable[AgentSnapshot],
    *,
    now: datetime,
    rules: RoutingRules,
) -> list[Match]:
    """Pair waiting chats with agents, in queue order, never over an agent's capacity."""
    pool = AgentPool(agents, rules=rules)
    matches: list[Match] = []
    for chat in sorted(chats, key=queue_order):
        if not pool.has_room():
            break
        found = pool.place(chat, now=now)
        if found is not None:
            matches.append(found)
    return matches
