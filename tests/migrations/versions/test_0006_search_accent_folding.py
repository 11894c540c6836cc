"""0006 makes PostgreSQL search fold accents as SQLite's FTS5 tables already did ("peticao" finds
"petição"); its downgrade goes back to matching the text as written."""

from __future__ import annotations

from sqlalchemy import text

from firstline.cases.search import ddl
from tests.migrations.conftest import insert_conversation

BODY = "Petição de levantamento: o depósito não chegou"


class TestAccentFolding:
    def test_a_message_stored_before_the_upgrade_is_found_without_its_accents_after_it(
        self, at_revision
    ) -> None:
        database = at_revision("0005")
        with database.engine.begin() as connection:
            conversation_id = insert_conversation(connection)
            connection.execute(
                text(
                    "INSERT INTO message (conversation_id, seq, author_kind, body, is_automatic, created_at)"
                    " VALUES (:c, 1, 'customer', :body, :no, CURRENT_TIMESTAMP)"
                ),
                {"c": conversation_id, "body": BODY, "no": False},
            )
        found_before = _finds(database, "peticao deposito")
        database.upgrade("0006")
        assert _finds(database, "peticao deposito")
        assert _finds(database, "petição depósito")
        database.downgrade("0005")
        # SQLite's tokenizer always folded; PostgreSQL's 0005 index matched the text as written.
        assert _finds(database, "peticao deposito") == found_before == (database.dialect == "sqlite")
        assert _finds(database, "petição depósito")


def _finds(database, words: str) -> bool:
    """Whether the search structures of the database's current revision find the message by ``words``."""
    with database.engine.connect() as connection:
        if database.dialect == "sqlite":
            query = "SELECT count(*) FROM message_fts WHERE message_fts MATCH :words"
            return bool(connection.execute(text(query), {"words": words}).scalar_one())
        folded = connection.execute(
            text("SELECT count(*) FROM pg_proc WHERE proname = :name"), {"name": ddl.POSTGRES_FOLD_FUNCTION}
        ).scalar_one()
        fold = ddl.POSTGRES_FOLD_FUNCTION if folded else ""
        query = (
            f"SELECT count(*) FROM message WHERE to_tsvector('{ddl.POSTGRES_CONFIG}', {fold}(body))"
            f" @@ plainto_tsquery('{ddl.POSTGRES_CONFIG}', {fold}(:words))"
        )
        return bool(connection.execute(text(query), {"words": words}).scalar_one())
