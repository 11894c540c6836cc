"""The search structures the models cannot describe: SQLite FTS5 tables with their triggers, PostgreSQL GIN
indexes on ``to_tsvector`` and the accent-folding function they use. Created by migrations 0005 and 0006;
left out of model/schema comparison.

Both engines fold accents the same way. FTS5's ``unicode61 remove_diacritics 2`` tokenizer turns a Latin
letter whose canonical decomposition is an ASCII letter plus combining marks into that ASCII letter (ç→c,
ã→a, ü→u, ñ→n, è→e, ấ→a); other letters (ß, ø, æ, ł, й) stay as they are. PostgreSQL applies the same rule
with an IMMUTABLE SQL function of built-ins, in the index expression and to the query: decompose (NFD),
drop the combining marks that follow an ASCII letter, recompose (NFC). The only letters FTS5 treats
otherwise are Ǡ/ǡ (it keeps them; the rule gives a) and ſ/ẛ (it case-folds them to s).

Why not the ``unaccent`` extension: CREATE EXTENSION needs rights a managed production database may
withhold (and contrib installed), and unaccent folds more than FTS5 does (ß→ss, ø→o, æ→ae), so the two
engines would disagree. A plain function needs only the CREATE right on the schema, which creating the
tables needs already. Why not ``translate()`` with a table of the accented letters: it scans its whole
table for every character, making the index twenty times costlier to build than ``to_tsvector`` alone;
normalize() and one regular expression cost about 1.7 times more than ``to_tsvector`` alone.
"""

# ruff: noqa: S608  (DDL built from the fixed module-level names below; no input reaches it)

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# (indexed table, full-text table or index name)
INDEXED = (("message", "message_fts"), ("compliance_note", "compliance_note_fts"))
POSTGRES_INDEXES = {"message": "ix_message_search", "compliance_note": "ix_compliance_note_search"}
# 'simple': no stemming or stop words, so a TxID, a UID or a word in any of the floor's languages matches as typed.
POSTGRES_CONFIG = "simple"
POSTGRES_FOLD_FUNCTION = "firstline_fold"
_MARKS_AFTER_ASCII = re.compile("([A-Za-z])[\u0300-\u036f]+")
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


def fold_accents(text: str) -> str:
    """The text with accents folded exactly as the PostgreSQL function folds them (and FTS5, see above)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _MARKS_AFTER_ASCII.sub(r"\1", decomposed))


def postgres_fold_function(*, utf8: bool = True) -> str:
    """The fold function; on a database whose encoding is not UTF-8 (normalize() refuses to run there) it
    folds nothing, and search matches accents as typed."""
    body = (
        "normalize(regexp_replace(normalize($1, NFD), '([A-Za-z])[\u0300-\u036f]+', '\\1', 'g'), NFC)"
        if utf8
        else "$1"
    )
    # Not STRICT, so the planner can inline it into the index expression and the query alike.
    return (
        f"CREATE OR REPLACE FUNCTION {POSTGRES_FOLD_FUNCTION}(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT {body} $$"
    )


def postgres_upgrade(*, utf8: bool = True) -> list[str]:
    """The fold function and the GIN indexes on the folded text (migration 0006 and later)."""
    return [postgres_fold_function(utf8=utf8)] + [
        f"CREATE INDEX {name} ON {table} "
        f"USING gin (to_tsvector('{POSTGRES_CONFIG}', {POSTGRES_FOLD_FUNCTION}(body)))"
        for table, name in POSTGRES_INDEXES.items()
    ]


def postgres_downgrade() -> list[str]:
    return [f"DROP INDEX IF EXISTS {name}" for name in POSTGRES_INDEXES.values()] + [
        f"DROP FUNCTION IF EXISTS {POSTGRES_FOLD_FUNCTION}(text)"
    ]


def postgres_unfolded_indexes() -> list[str]:
    """The indexes of migration 0005, on the text as written; 0006 replaces them."""
    return [
        f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('{POSTGRES_CONFIG}', body))"
        for table, name in POSTGRES_INDEXES.items()
    ]


def _unmodelled_names() -> frozenset[str]:
    names = {fts + suffix for _table, fts in INDEXED for suffix in _FTS5_SHADOW_SUFFIXES}
    return frozenset(names | set(POSTGRES_INDEXES.values()))


UNMODELLED = _unmodelled_names()


def include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    """For Alembic's ``include_name``: compare everything but the search structures above."""
    return name not in UNMODELLED


IncludeName = Callable[[str | None, str, object], bool]
