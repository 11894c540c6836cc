"""Routing settings a team lead edits in the console, stored over the environment's defaults.

One row (id 1) holds what was saved; a column left empty keeps the environment's value, so a deployment
that configures routing only through FIRSTLINE_ROUTING_* behaves as before until someone saves here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from firstline.config import get_settings
from firstline.kit.errors import InvalidInput
from firstline.kit.time import utcnow
from firstline.routing.config import Mode, RoutingConfig
from firstline.routing.models import RoutingSetting
from firstline.sla.audit import record_change
from firstline.timeline.service import EventKind

SETTINGS_ROW_ID = 1
OFFER_TIMEOUT_RANGE = range(5, 601)
MAX_OVERFLOW_SECONDS = 24 * 3600
FIELDS = ("mode", "offer_timeout_seconds", "secondary_language_after_seconds", "english_after_seconds")


@dataclass(frozen=True)
class RoutingValues:
    """Stored values; None keeps the environment's."""

    mode: str | None = None
    offer_timeout_seconds: int | None = None
    secondary_language_after_seconds: int | None = None
    english_after_seconds: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}


@dataclass(frozen=True)
class RoutingSettingsView:
    stored: RoutingValues
    defaults: RoutingConfig  # from the environment
    in_force: RoutingConfig
    updated_at: Any = None
    updated_by_agent_id: int | None = None


def _stored_row(session: Session) -> RoutingSetting | None:
    return session.get(RoutingSetting, SETTINGS_ROW_ID)


def _values_of(row: RoutingSetting | None) -> RoutingValues:
    if row is None:
        return RoutingValues()
    return RoutingValues(**{name: getattr(row, name) for name in FIELDS})


def _overlay(config: RoutingConfig, values: RoutingValues) -> RoutingConfig:
    rules = config.rules
    if values.secondary_language_after_seconds is not None:
        rules = replace(rules, secondary_after_seconds=float(values.secondary_language_after_seconds))
    if values.english_after_seconds is not None:
        rules = replace(rules, english_after_seconds=float(values.english_after_seconds))
    return replace(
        config,
        mode=values.mode or config.mode,
        offer_timeout_seconds=values.offer_timeout_seconds or config.offer_timeout_seconds,
        rules=rules,
    )


def apply_stored(session: Session, config: RoutingConfig) -> RoutingConfig:
    """``config`` with the stored settings on top (``routing.config.current`` calls this)."""
    return _overlay(config, _values_of(_stored_row(session)))


def get_routing_settings(session: Session) -> RoutingSettingsView:
    row = _stored_row(session)
    defaults = RoutingConfig.from_settings(get_settings())
    return RoutingSettingsView(
        stored=_values_of(row),
        defaults=defaults,
        in_force=_overlay(defaults, _values_of(row)),
        updated_at=row.updated_at if row else None,
        updated_by_agent_id=row.updated_by_agent_id if row else None,
    )


_LABELS = {
    "offer_timeout_seconds": "Offer timeout",
    "secondary_language_after_seconds": "Overflow to a secondary language",
    "english_after_seconds": "Overflow to English",
}


def routing_values_from_form(form: Mapping[str, Any]) -> RoutingValues:
    """Typed values from the console form; an empty field keeps the environment's value."""
    seconds: dict[str, int | None] = {}
    for name, label in _LABELS.items():
        text = str(form.get(name) or "").strip()
        if text and not text.isdigit():
            raise InvalidInput(f"{label}: give a whole number of seconds, or leave it empty.", field=name)
        seconds[name] = int(text) if text else None
    return RoutingValues(mode=str(form.get("mode") or "").strip() or None, **seconds)


def check_routing_values(values: RoutingValues, *, defaults: RoutingConfig) -> RoutingValues:
    """Valid values, or a clear error naming the field; the overflow order is checked on what would apply."""
    if values.mode is not None and values.mode not in (Mode.AUTO, Mode.OFFER):
        raise InvalidInput("Choose auto-assign or offer.", field="mode")
    timeout = values.offer_timeout_seconds
    if timeout is not None and timeout not in OFFER_TIMEOUT_RANGE:
        raise InvalidInput("The offer timeout is between 5 and 600 seconds.", field="offer_timeout_seconds")
    for name in ("secondary_language_after_seconds", "english_after_seconds"):
        seconds = getattr(values, name)
        if seconds is not None and not 0 <= seconds <= MAX_OVERFLOW_SECONDS:
            raise InvalidInput("Overflow waits are between 0 seconds and 24 hours.", field=name)
    rules = _overlay(defaults, values).rules
    if rules.english_after_seconds < rules.secondary_after_seconds:
        raise InvalidInput(
            "Overflow to English comes at or after overflow to a secondary language "
            f"({int(rules.secondary_after_seconds)} s).",
            field="english_after_seconds",
        )
    return values


def update_routing_settings(
    session: Session, *, values: RoutingValues, actor_agent_id: int | None
) -> RoutingSettingsView:
    """Store ``values`` (None: back to the environment's) and record who changed what."""
    view = get_routing_settings(session)
    check_routing_values(values, defaults=view.defaults)
    if values == view.stored:
        return view
    row = _stored_row(session)
    if row is None:
        row = RoutingSetting(id=SETTINGS_ROW_ID)
        session.add(row)
    for name, value in values.as_dict().items():
        setattr(row, name, value)
    row.updated_at = utcnow()
    row.updated_by_agent_id = actor_agent_id
    session.flush()
    record_change(
        session,
        kind=EventKind.ROUTING_SETTINGS_UPDATED,
        actor_agent_id=actor_agent_id,
        subject={},
        before=view.stored.as_dict(),
        after=values.as_dict(),
    )
    return get_routing_settings(session)
