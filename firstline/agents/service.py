"""Agents and teams: creating, reading, updating."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, Proficiency, Team, Tier
from firstline.agents.passwords import MIN_PASSWORD_LENGTH, hash_password
from firstline.agents.roles import Role
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.kit.languages import check_language
from firstline.timeline.service import ActorKind, EventKind, record_event


def check_roles(roles: Iterable[str]) -> list[str]:
    names = sorted(set(roles))
    unknown = [name for name in names if name not in Role._value2member_map_]
    if unknown:
        allowed = ", ".join(role.value for role in Role)
        raise InvalidInput(f"Unknown role {unknown[0]!r}; roles are: {allowed}.", field="roles")
    return names


def check_languages(languages: dict[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for code, level in languages.items():
        if level not in Proficiency._value2member_map_:
            allowed = ", ".join(p.value for p in Proficiency)
            raise InvalidInput(
                f"Unknown proficiency {level!r} for {code}; use one of {allowed}.", field="languages"
            )
        checked[check_language(code)] = level
    return checked


def check_tier(tier: str) -> str:
    if tier not in Tier._value2member_map_:
        raise InvalidInput(
            f"Unknown tier {tier!r}; tiers are: {', '.join(t.value for t in Tier)}.", field="tier"
        )
    return tier


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    return password


def create_agent(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    roles: Iterable[str],
    languages: dict[str, str] | None = None,
    tier: str = Tier.L1,
    skills: Iterable[str] = (),
    max_concurrent_chats: int = 3,
    team_ids: Iterable[int] = (),
    actor_agent_id: int | None = None,
) -> Agent:
    """Create an agent account; the email must be unused."""
    email = email.strip().lower()
    if session.scalar(select(Agent.id).where(func.lower(Agent.email) == email)) is not None:
        raise Conflict(f"An agent with email {email} already exists.", field="email")
    if not 1 <= max_concurrent_chats <= 20:
        raise InvalidInput("Concurrent chats must be between 1 and 20.", field="max_concurrent_chats")
    agent = Agent(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(check_password(password)),
        roles=check_roles(roles),
        languages=check_languages(languages or {"en": Proficiency.FLUENT}),
        tier=check_tier(tier),
        skills=sorted(set(skills)),
        max_concurrent_chats=max_concurrent_chats,
        teams=[get_team(session, team_id=team_id) for team_id in team_ids],
    )
    session.add(agent)
    session.flush()
    record_event(
        session,
        kind=EventKind.AGENT_CREATED,
        actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
        actor_agent_id=actor_agent_id,
        data={"agent_id": agent.id, "roles": agent.roles},
    )
    return agent


def update_agent(
    session: Session,
    *,
    agent_id: int,
    actor_agent_id: int | None,
    name: str | None = None,
    roles: Iterable[str] | None = None,
    languages: dict[str, str] | None = None,
    tier: str | None = None,
    skills: Iterable[str] | None = None,
    max_concurrent_chats: int | None = None,
    is_active: bool | None = None,
) -> Agent:
    agent = get_agent(session, agent_id=agent_id)
    changes: dict[str, object] = {}
    if name is not None:
        agent.name = changes["name"] = name.strip() or agent.name
    if roles is not None:
        agent.roles = check_roles(roles)
        changes["roles"] = agent.roles
    if languages is not None:
        agent.languages = check_languages(languages)
        changes["languages"] = agent.languages
    if tier is not None:
        agent.tier = changes["tier"] = check_tier(tier)
    if skills is not None:
        agent.skills = sorted(set(skills))
        changes["skills"] = agent.skills
    if max_concurrent_chats is not None:
        if not 1 <= max_concurrent_chats <= 20:
            raise InvalidInput("Concurrent chats must be between 1 and 20.", field="max_concurrent_chats")
        agent.max_concurrent_chats = changes["max_concurrent_chats"] = max_concurrent_chats
    if is_active is not None:
        agent.is_active = changes["is_active"] = is_active
    session.flush()
    if changes:
        record_event(
            session,
            kind=EventKind.AGENT_UPDATED,
            actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
            actor_agent_id=actor_agent_id,
            data={"agent_id": agent.id, "changes": changes},
        )
    return agent


def get_agent(session: Session, *, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"No agent with id {agent_id}.")
    return agent


def get_agent_by_email(session: Session, *, email: str) -> Agent | None:
    return session.scalar(select(Agent).where(func.lower(Agent.email) == email.strip().lower()))


def list_agents(session: Session, *, active_only: bool = False) -> list[Agent]:
    query = select(Agent).order_by(Agent.name)
    if active_only:
        query = query.where(Agent.is_active.is_(True))
    return list(session.scalars(query))


def create_team(
    session: Session, *, name: str, tier: str = Tier.L1, language: str | None = None, description: str = ""
) -> Team:
    if session.scalar(select(Team.id).where(Team.name == name)) is not None:
        raise Conflict(f"A team named {name} already exists.", field="name")
    team = Team(
        name=name,
        tier=check_tier(tier),
        language=check_language(language) if language else None,
        description=description,
    )
    session.add(team)
    session.flush()
    return team


def get_team(session: Session, *, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"No team with id {team_id}.")
    return team


def list_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))
