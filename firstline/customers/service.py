"""Customers: creating, finding, updating."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from firstline.customers.models import Customer
from firstline.kit.errors import Conflict, InvalidInput, NotFound
from firstline.kit.languages import check_language
from firstline.kit.statements import run
from firstline.timeline.service import ActorKind, EventKind, record_event

MAX_VIP_TIER = 5


def check_vip_tier(vip_tier: int) -> int:
    if not 0 <= vip_tier <= MAX_VIP_TIER:
        raise InvalidInput(f"VIP tier must be between 0 and {MAX_VIP_TIER}.", field="vip_tier")
    return vip_tier


def create_customer(
    session: Session,
    *,
    name: str = "",
    email: str | None = None,
    exchange_uid: str | None = None,
    preferred_language: str = "en",
    vip_tier: int = 0,
    attributes: dict[str, Any] | None = None,
    actor_agent_id: int | None = None,
) -> Customer:
    """Create a customer; an exchange UID can belong to one customer only."""
    if exchange_uid and get_customer_by_uid(session, exchange_uid=exchange_uid) is not None:
        raise Conflict(f"A customer with exchange UID {exchange_uid} already exists.", field="exchange_uid")
    customer = Customer(
        name=name.strip(),
        email=email.strip().lower() if email else None,
        exchange_uid=exchange_uid or None,
        preferred_language=check_language(preferred_language),
        vip_tier=check_vip_tier(vip_tier),
        attributes=attributes or {},
    )
    session.add(customer)
    session.flush()
    record_event(
        session,
        kind=EventKind.CUSTOMER_CREATED,
        actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
        actor_agent_id=actor_agent_id,
        customer_id=customer.id,
    )
    return customer


def update_customer(
    session: Session,
    *,
    customer_id: int,
    actor_agent_id: int | None,
    name: str | None = None,
    email: str | None = None,
    preferred_language: str | None = None,
    vip_tier: int | None = None,
    attributes: dict[str, Any] | None = None,
) -> Customer:
    customer = get_customer(session, customer_id=customer_id)
    changes: dict[str, Any] = {}
    if name is not None:
        customer.name = changes["name"] = name.strip()
    if email is not None:
        customer.email = changes["email"] = email.strip().lower() or None
    if preferred_language is not None:
        customer.preferred_language = changes["preferred_language"] = check_language(preferred_language)
    if vip_tier is not None:
        customer.vip_tier = changes["vip_tier"] = check_vip_tier(vip_tier)
    if attributes is not None:
        customer.attributes = {**customer.attributes, **attributes}
        changes["attributes"] = sorted(attributes)
    session.flush()
    if changes:
        record_event(
            session,
            kind=EventKind.CUSTOMER_UPDATED,
            actor_kind=ActorKind.AGENT if actor_agent_id else ActorKind.SYSTEM,
            actor_agent_id=actor_agent_id,
            customer_id=customer.id,
            data={"changes": changes},
        )
    return customer


def get_customer(session: Session, *, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return customer


def customer_column(session: Session, *, customer_id: int, column: str) -> Any:
    """One column of a customer (NotFound if there is none), without loading the whole profile.

    Every chat opened and queued reads one; a customer the session holds answers from memory, so a
    change not yet flushed is seen as ``get_customer`` would see it.
    """
    held = session.identity_map.get(identity_key(Customer, customer_id))
    if held is not None:
        return getattr(held, column)
    row = run(session.connection(), _column_query(column), {"customer_key": customer_id}).first()
    if row is None:
        raise NotFound(f"No customer with id {customer_id}.")
    return row[0]


@cache
def _column_query(column: str) -> Select[Any]:
    table = Customer.__table__
    return select(table.c[column]).where(table.c.id == bindparam("customer_key"))


def get_customer_by_uid(session: Session, *, exchange_uid: str) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.exchange_uid == exchange_uid))


def list_customers(session: Session, *, query: str = "", limit: int = 50, offset: int = 0) -> list[Customer]:
    """Customers matching ``query`` by name, email or exchange UID, newest first."""
    statement = select(Customer).order_by(Customer.id.desc()).limit(limit).offset(offset)
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(
                func.lower(Customer.name).like(pattern),
                func.lower(Customer.email).like(pattern),
                Customer.exchange_uid == query.strip(),
            )
        )
    return list(session.scalars(statement))
