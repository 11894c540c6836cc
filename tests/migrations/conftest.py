"""Helpers of the migration tests: a database at a given revision, with rows written as that revision
stored them (plain SQL or the tables' Core inserts, never the ORM of the current models)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, insert

from firstline.conversations.models import Conversation
from firstline.customers.models import Customer
from firstline.db import alembic_config, make_engine, migrate


class AtRevision:
    """A fresh database migrated to one revision, moved up and down by the test."""

    def __init__(self, url: str, revision: str) -> None:
        self.url = url
        self.config = alembic_config(url)
        migrate(url, revision)
        self.engine: Engine = make_engine(url)

    def upgrade(self, revision: str) -> None:
        command.upgrade(self.config, revision)

    def downgrade(self, revision: str) -> None:
        command.downgrade(self.config, revision)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


@pytest.fixture
def at_revision(fresh_database_url: Callable[[str], str]) -> Iterator[Callable[[str], AtRevision]]:
    made: list[AtRevision] = []

    def make(revision: str) -> AtRevision:
        database = AtRevision(fresh_database_url(f"rev{revision}"), revision)
        made.append(database)
        return database

    yield make
    for database in made:
        database.engine.dispose()


def insert_conversation(connection: Connection) -> int:
    """A customer and a chat conversation (tables unchanged since revision 0005)."""
    customer_id = connection.execute(
        insert(Customer.__table__)
        .values(name="Joana Matos", email="joana@example.pt")
        .returning(Customer.__table__.c.id)
    ).scalar_one()
    return int(
        connection.execute(
            insert(Conversation.__table__)
            .values(customer_id=customer_id, channel="chat", status="open", subject="Depósito")
            .returning(Conversation.__table__.c.id)
        ).scalar_one()
    )
