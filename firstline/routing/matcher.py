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


class Floor:
    """The online agents indexed as ``AgentPool`` reads them, with their loads at one email weight.

    Built once and kept between dispatches (``firstline.routing.floor``): ``patched`` swaps changed agents
    in, and indexes the languages again only when someone's profile or presence changed, not for a new
    load or idle time. The indexed snapshots are read for their profiles only (id, tier, languages,
    skills, maximum); loads and idle times are read from ``loads`` and ``idle_since``. Nothing here is
    changed after it is built.
    """

    def __init__(self, agents: Iterable[AgentSnapshot], *, email_weight: float) -> None:
        self.email_weight = email_weight
        self.agents: list[AgentSnapshot] = []
        self.loads: dict[int, float] = {}
        self.idle_since: dict[int, datetime] = {}
        self.room = 0
        # Who may serve a language at all: speakers of it (any level), and fluent English speakers.
        self.speakers: dict[str, list[AgentSnapshot]] = {}
        self.english: list[AgentSnapshot] = []
        self.by_tier: dict[str, list[AgentSnapshot]] = {}
        # One pass over the floor: ``load`` and ``has_room`` written out, as they run for every agent.
        for agent in agents:
            if not agent.online:
                continue
            load = agent.chats + email_weight * agent.emails
            self.agents.append(agent)
            self.loads[agent.agent_id] = load
            self.idle_since[agent.agent_id] = agent.idle_since
            if load + 1 <= agent.max_chats + ROOM_TOLERANCE:
                self.room += 1
            languages = agent.languages
            for language in languages:
                self.speakers.setdefault(language, []).append(agent)
            if languages.get(FALLBACK_LANGUAGE) in PRIMARY_PROFICIENCIES:
                self.english.append(agent)
            self.by_tier.setdefault(agent.tier, []).append(agent)
        self._position = {agent.agent_id: index for index, agent in enumerate(self.agents)}

    def patched(self, changed: Mapping[int, AgentSnapshot | None]) -> Floor:
        """This floor with each agent of ``changed`` in their new state (None: gone).

        Precondition: agent ids are unique on this floor, as they are on one read from the database.
        """
        agents, position = self.agents, self._position
        held = {agent_id: agents[position[agent_id]] for agent_id in changed if agent_id in position}
        if any(_profile(held.get(agent_id)) != _profile(new) for agent_id, new in changed.items()):
            kept = (agent for agent in agents if agent.agent_id not in changed)
            added = (new for new in changed.values() if new is not None)
            return Floor([*kept, *added], email_weight=self.email_weight)
        patched = object.__new__(Floor)  # same agents, same profiles: the index and positions are shared
        patched.__dict__.update(self.__dict__)
        patched.agents = list(agents)
        patched.loads = dict(self.loads)
        patched.idle_since = dict(self.idle_since)
        for agent_id, old in held.items():
            new = changed[agent_id]
            assert new is not None  # same profile as an agent on the floor: online
            patched.agents[position[agent_id]] = new
            load = patched.loads[agent_id] = new.chats + self.email_weight * new.emails
            patched.idle_since[agent_id] = new.idle_since
            patched.room += has_room(new, load) - has_room(old, self.loads[agent_id])
        return patched


def _profile(agent: AgentSnapshot | None) -> tuple[object, ...] | None:
    """What places an agent in ``Floor``'s index: None for an agent not on the online floor."""
    if agent is None or not agent.online:
        return None
    return (agent.tier, agent.languages, agent.skills, agent.max_chats)


class AgentPool:
    """Online agents with their running loads, indexed by language, for placing chats one at a time.

    ``match`` is the pool applied to a whole queue; the dispatcher uses it directly to read the queue in
    bounded batches. Placing a chat only ever adds load, so once no agent can take a chat of some
    language, tier and overflow stage, none can take a later one of the same kind: the pool remembers
    those dead ends and answers them without looking at any agent again.
    """

    def __init__(self, agents: Iterable[AgentSnapshot] | Floor, *, rules: RoutingRules) -> None:
        self.rules = rules
        floor = agents if isinstance(agents, Floor) else Floor(agents, email_weight=rules.email_weight)
        if floor.email_weight != rules.email_weight:
            floor = Floor(floor.agents, email_weight=rules.email_weight)
        # The floor's lists are shared and only read; the loads and idle times are this pool's own.
        self._agents = floor.agents
        self._speakers = floor.speakers
        self._english = floor.english
        self._by_tier = floor.by_tier
        self._loads = dict(floor.loads)
        self._idle_since = dict(floor.idle_since)
        self._room = floor.room
        self._dead_ends: set[tuple[str, str, Stage]] = set()

    def has_room(self) -> bool:
        """Whether any online agent can still take a chat."""
        return self._room > 0

    def loads(self) -> dict[int, float]:
        """Each online agent's load, with the chats placed so far."""
        return dict(self._loads)

    def open_profile(self) -> tuple[set[str], set[str], bool]:
        """What the agents with a free slot cover: languages spoken, tiers served, fluent English.

        Read through the floor's indexes, stopping at the first free agent of each language and tier: on a
        floor with room that is a few agents per language, not every agent.
        """
        loads = self._loads

        def any_free(agents: list[AgentSnapshot]) -> bool:
            return any(loads[agent.agent_id] + 1 <= agent.max_chats + ROOM_TOLERANCE for agent in agents)

        languages = {language for language, speakers in self._speakers.items() if any_free(speakers)}
        tiers: set[str] = set()
        for tier, agents in self._by_tier.items():
            if any_free(agents):
                tiers.update(_TIER_SERVES.get(tier, (tier,)))
        return languages, tiers, any_free(self._english)

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
