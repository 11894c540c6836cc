"""Routing settings as one value, read from ``Settings`` (FIRSTLINE_ROUTING_*, FIRSTLINE_PRESENCE_*).

The environment gives the defaults; what a team lead saved in the console (``firstline.routing.settings``)
overrides the mode, the offer timeout and the language overflow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from firstline.config import Settings, get_settings
from firstline.routing.matcher import RoutingRules


class Mode:
    AUTO = "auto"  # the matched agent gets the chat at once
    OFFER = "offer"  # the matched agent is asked first and has a few seconds to accept


@dataclass(frozen=True)
class RoutingConfig:
    mode: str = Mode.AUTO
    offer_timeout_seconds: int = 20
    rules: RoutingRules = field(default_factory=RoutingRules)
    heartbeat_timeout_seconds: int = 60
    idle_timeout_seconds: int = 600

    @classmethod
    def from_settings(cls, settings: Settings) -> RoutingConfig:
        return cls(
            mode=settings.routing_mode,
            offer_timeout_seconds=settings.routing_offer_timeout_seconds,
            rules=RoutingRules(
                secondary_after_seconds=settings.routing_secondary_language_after_seconds,
                english_after_seconds=settings.routing_english_after_seconds,
                email_weight=settings.routing_email_weight,
            ),
            heartbeat_timeout_seconds=settings.presence_heartbeat_timeout_seconds,
            idle_timeout_seconds=settings.presence_idle_timeout_seconds,
        )


_override: RoutingConfig | None = None


def current(session: Session | None = None) -> RoutingConfig:
    """The configuration in force: an override set by ``using``, else the environment's with the stored
    settings read through ``session`` on top (without a session, the environment's alone)."""
    if _override is not None:
        return _override
    config = RoutingConfig.from_settings(get_settings())
    if session is None:
        return config
    from firstline.routing.settings import apply_stored  # the stored row sits above this module

    return apply_stored(session, config)


@contextmanager
def using(config: RoutingConfig) -> Iterator[RoutingConfig]:
    """Run with ``config`` in force in this process (tests and benchmarks)."""
    global _override
    previous, _override = _override, config
    try:
        yield config
    finally:
        _override = previous
