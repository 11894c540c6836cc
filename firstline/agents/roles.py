"""Roles, permissions, and the one table that joins them. Every permission check reads this file."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT_L1 = "agent_l1"
    AGENT_L2 = "agent_l2"
    TECHNICAL = "technical"
    COMPLIANCE = "compliance"
    KYC_REVIEWER = "kyc_reviewer"
    QA = "qa"
    TEAM_LEAD = "team_lead"
    ADMIN = "admin"


class Permission(StrEnum):
    CONVERSATIONS_READ = "conversations.read"
    CONVERSATIONS_REPLY = "conversations.reply"
    CONVERSATIONS_MANAGE = "conversations.manage"
    CONVERSATIONS_ASSIGN_OTHERS = "conversations.assign_others"
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    AGENTS_READ = "agents.read"
    AGENTS_MANAGE = "agents.manage"
    TEAMS_READ = "teams.read"
    OWN_ACCOUNT = "account.own"


_P = Permission
_FRONT_LINE = frozenset(
    {
        _P.CONVERSATIONS_READ,
        _P.CONVERSATIONS_REPLY,
        _P.CONVERSATIONS_MANAGE,
        _P.CUSTOMERS_READ,
        _P.CUSTOMERS_WRITE,
        _P.AGENTS_READ,
        _P.TEAMS_READ,
        _P.OWN_ACCOUNT,
    }
)
_READ_ONLY = frozenset(
    {_P.CONVERSATIONS_READ, _P.CUSTOMERS_READ, _P.AGENTS_READ, _P.TEAMS_READ, _P.OWN_ACCOUNT}
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT_L1: _FRONT_LINE,
    Role.AGENT_L2: _FRONT_LINE | {_P.CONVERSATIONS_ASSIGN_OTHERS},
    Role.TECHNICAL: _FRONT_LINE | {_P.CONVERSATIONS_ASSIGN_OTHERS},
    Role.COMPLIANCE: _FRONT_LINE | {_P.CONVERSATIONS_ASSIGN_OTHERS},
    Role.KYC_REVIEWER: _READ_ONLY | {_P.CONVERSATIONS_REPLY, _P.CUSTOMERS_WRITE},
    Role.QA: _READ_ONLY,
    Role.TEAM_LEAD: _FRONT_LINE | {_P.CONVERSATIONS_ASSIGN_OTHERS},
    Role.ADMIN: frozenset(Permission),
}


def permissions_for(roles: list[str] | tuple[str, ...]) -> frozenset[Permission]:
    """The union of the permissions of ``roles``; unknown role names grant nothing."""
    granted: frozenset[Permission] = frozenset()
    for name in roles:
        if name in Role._value2member_map_:
            granted |= ROLE_PERMISSIONS[Role(name)]
    return granted


def has_permission(roles: list[str] | tuple[str, ...], permission: Permission) -> bool:
    return permission in permissions_for(roles)
