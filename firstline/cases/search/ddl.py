"""The search structures the models cannot describe: SQLite FTS5 tables with their triggers, PostgreSQL GIN
indexes on ``to_tsvector``. Created and dropped by migration 0005; left out of model/schema comparison."""

# ruff: noqa: S608  (DDL built from the fixed module-level names below; no input reaches it)

from __future__ import annotations

from collections.abc import Callable

# (indexed table, full-text table or index name)
INDEXED = (("message", "message_fts"), ("compliance_note", "compliance_note_fts"))
POSTGRES_INDEXES = {"message": "ix_message_search", "compliance_note": "ix_compliance_note_search"}
# 'simple': no stemming or stop words, so a TxID, a UID or a word in any of the floor's languages matches as typed.
POSTGRES_CONFIG = "simple"
_FTS5_SHADOW_SUFFIXES = ("", "_data", "_idx", "_content", "_docsize", "_config")


def sqlite_upgrade() -> list[str]:
    statements = []
    for table, fts in INDEXED:
        statements += [
            f"CREATE VIRTUAL TABLE {fts} USING fts5(body, content='{table}', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2')",
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, body) VALUES (new.id, new.body); END",
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, body) VALUES ('delete', old.id, old.body); END",
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF body ON {table} BEGIN "
            f"INSERT INTO {fts}({fts}, rowid, body) VALUES ('delete', old.id, old.body); "
            f"INSERT INTO {fts}(rowid, body) VALUES (new.id, new.body); END",
            f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        ]
    return statements


def sqlite_downgrade() -> list[str]:
    statements = []
    for _table, fts in INDEXED:
        statements += [f"DROP TRIGGER IF EXISTS {fts}_{action}" for action in ("insert", "delete", "update")]
        statements.append(f"DROP TABLE IF EXISTS {fts}")
    return statements


def postgres_upgrade() -> list[str]:
    return [
        f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('{POSTGRES_CONFIG}', body))"
        for table, name in POSTGRES_INDEXES.items()
    ]


def postgres_downgrade() -> list[str]:
    return [f"DROP INDEX IF EXISTS {name}" for name in POSTGRES_INDEXES.values()]


def _unmodelled_names() -> frozenset[str]:
    names = {fts + suffix for _table, fts in INDEXED for suffix in _FTS5_SHADOW_SUFFIXES}
    return frozenset(names | set(POSTGRES_INDEXES.values()))


UNMODELLED = _unmodelled_names()


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """For Alembic's ``include_name``: compare everything but the search structures above."""
    return name not in UNMODELLED


IncludeName = Callable[[str | None, str, object], bool]
