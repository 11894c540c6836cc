"""Demo floors seeded into fresh databases of the kind under test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from firstline.db import make_engine, make_session_factory, migrate, session_scope
from firstline.demo.seed import seed_demo


@pytest.fixture(scope="module")
def full_demo(fresh_database_url):
    """The demo exactly as `firstline demo` seeds it."""
    url = fresh_database_url("demo")
    migrate(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with session_scope(factory) as session:
        summary = seed_demo(session, seed=7)
    yield factory, summary
    engine.dispose()


@pytest.fixture
def seeded_twice(fresh_database_url) -> Callable[..., list[Any]]:
    """Seed two fresh databases alike and return ``fingerprint`` of each."""

    def seed(
        fingerprint: Callable[[Session], Any], *, seed: int, customers: int, conversations: int
    ) -> list[Any]:
        prints = []
        for purpose in ("seed_a", "seed_b"):
            url = fresh_database_url(purpose)
            migrate(url)
            engine = make_engine(url)
            with session_scope(make_session_factory(engine)) as session:
                seed_demo(session, seed=seed, customers=customers, conversations=conversations)
                prints.append(fingerprint(session))
            engine.dispose()
        return prints

    return seed
