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
    ROUTING_MONITOR = "routing.monitor"  # the team lead's live view of queues, agents and SLA risk
    CHAT_SITES_MANAGE = "chat.sites.manage"
    MAILBOXES_MANAGE = "email.mailboxes_manage"  # mailbox addresses, IMAP credentials, auto-acknowledgement
    CASES_ESCALATE = "cases.escalate"  # hand a case to L2, Technical or Compliance with a complete form
    CASES_RETURN = "cases.return"  # as a receiving tier, send an escalated case back with a reason
    CASES_REPORTS = "cases.reports"  # L1 resolution and escalation rates
    COMPLIANCE_ACCESS = (
        "compliance.access"  # compliance notes and compliance-only cases; nobody else sees them
    )
    COMPLAINTS_READ = "complaints.read"
    COMPLAINTS_REGISTER = "complaints.register"
    COMPLAINTS_HANDLE = "complaints.handle"  # admissibility, acknowledgement, delay notice, decision
    INCIDENTS_LINK = "incidents.link"
    INCIDENTS_MANAGE = "incidents.manage"  # open, resolve, write, approve and send the customer update
    CUSTOMERS_MERGE = "customers.merge"
    SLA_MANAGE = "sla.manage"  # SLA policies and business-hour calendars
    ROUTING_MANAGE = "routing.manage"  # offer or auto-assign, offer timeout, language overflow


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
        _P.CASES_ESCALATE,
        _P.COMPLAINTS_READ,
        _P.COMPLAINTS_REGISTER,
        _P.INCIDENTS_LINK,
    }
)
_READ_ONLY = frozenset(
    {
        _P.CONVERSATIONS_READ,
        _P.CUSTOMERS_READ,
        _P.AGENTS_READ,
        _P.TEAMS_READ,
        _P.OWN_ACCOUNT,
        _P.COMPLAINTS_READ,
    }
)
_RECEIVING_TIER = frozenset({_P.CONVERSATIONS_ASSIGN_OTHERS, _P.CASES_RETURN})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT_L1: _FRONT_LINE,
    Role.AGENT_L2: _FRONT_LINE
    | _RECEIVING_TIER
    | {_P.COMPLAINTS_HANDLE, _P.INCIDENTS_MANAGE, _P.CUSTOMERS_MERGE},
    Role.TECHNICAL: _FRONT_LINE | _RECEIVING_TIER | {_P.INCIDENTS_MANAGE},
    Role.COMPLIANCE: _FRONT_LINE | _RECEIVING_TIER | {_P.COMPLIANCE_ACCESS, _P.COMPLAINTS_HANDLE},
    Role.KYC_REVIEWER: _READ_ONLY | {_P.CONVERSATIONS_REPLY, _P.CUSTOMERS_WRITE},
    Role.QA: _READ_ONLY | {_P.CASES_REPORTS},
    Role.TEAM_LEAD: _FRONT_LINE
    | _RECEIVING_TIER
    | {
        _P.ROUTING_MONITOR,
        _P.CASES_REPORTS,
        _P.COMPLAINTS_HANDLE,
        _P.INCIDENTS_MANAGE,
        _P.CUSTOMERS_MERGE,
        _P.SLA_MANAGE,
        _P.ROUTING_MANAGE,
    },
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
