"""Full-text search over messages and notes, newest first, with filters; compliance notes for compliance only.

SQLite answers from the FTS5 tables of migration 0005, PostgreSQL from GIN indexes on ``to_tsvector`` of the
accent-folded text (migration 0006). Both fold accents the same way ("peticao" finds "petição"), match every
word of the query (AND), ignore punctuation, and order hits by recency, which lets both engines stop after
one page instead of ranking every match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from firstline.agents.models import Agent, Tier
from firstline.cases.compliance import can_see_compliance
from firstline.cases.models import ComplianceNote
from firstline.cases.search.ddl import POSTGRES_CONFIG, POSTGRES_FOLD_FUNCTION, fold_accents
from firstline.conversations.models import Category, Conversation, Message, Status
from firstline.kit.errors import InvalidInput
from firstline.kit.languages import check_language

MAX_TERMS = 8
FIRST_WINDOW = 20_000
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchFilters:
    status: str | None = None
    category: str | None = None
    language: str | None = None
    tier: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def checked(self) -> SearchFilters:
        for value, allowed, name in (
            (self.status, Status, "status"),
            (self.category, Category, "category"),
            (self.tier, Tier, "tier"),
        ):
            if value and value not in allowed._value2member_map_:
                raise InvalidInput(
                    f"Unknown {name} {value!r}; choose one of: {', '.join(allowed)}.", field=name
                )
        if self.language:
            check_language(self.language)
        for moment, name in ((self.since, "since"), (self.until, "until")):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("Give dates with their time zone.", field=name)
        return self

    @property
    def on_conversation(self) -> bool:
        return any((self.status, self.category, self.language, self.tier))


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "message", "note" or "compliance_note"
    id: int
    conversation_id: int | None
    customer_id: int
    author_kind: str
    body: str
    created_at: datetime
    status: str | None
    category: str | None
    language: str | None
    tier: str | None

    @property
    def reference(self) -> str | None:
        return f"FL-{self.conversation_id:06d}" if self.conversation_id else None


def query_terms(query: str) -> list[str]:
    """The words of a query as both engines tokenize them; refuses an empty or an overlong query."""
    terms = list(dict.fromkeys(word.lower() for word in _WORD.findall(query) if word.strip("_")))
    if not terms:
        raise InvalidInput("Type at least one word, number or TxID to search for.", field="q")
    if len(terms) > MAX_TERMS:
        raise InvalidInput(f"Search for at most {MAX_TERMS} words at once.", field="q")
    return terms


def search(
    session: Session,
    *,
    viewer: Agent,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """Messages and internal notes matching every word of ``query``, newest first.

    Compliance notes join the results only when ``viewer`` may read them; for anyone else they are not
    queried at all, so neither the hits nor their number nor the time taken depend on them.
    """
    filters = (filters or SearchFilters()).checked()
    terms = query_terms(query)
    postgres = session.get_bind().dialect.name == "postgresql"
    window = limit + offset
    # PostgreSQL parses the query as typed, like it parsed the text (an email address stays one token).
    engine_terms = [" ".join(query.split())[:500]] if postgres else terms
    if postgres:
        rows = _newest_first(session, lambda lower: _messages(engine_terms, filters, True, lower), window)
    else:
        rows = list(session.execute(_messages(terms, filters, False).limit(window)))
    hits = [_hit("note" if row.author_kind == "note" else "message", row) for row in rows]
    if can_see_compliance(viewer):
        notes = list(session.execute(_compliance_notes(engine_terms, filters, postgres).limit(window)))
        hits += [_hit("compliance_note", row) for row in notes]
        hits.sort(key=lambda hit: (hit.created_at, hit.id), reverse=True)
    return hits[offset:window]


def _hit(kind: str, row: Any) -> SearchHit:
    return SearchHit(
        kind=kind,
        id=row.id,
        conversation_id=row.conversation_id,
        customer_id=row.customer_id,
        author_kind=getattr(row, "author_kind", "note"),
        body=row.body,
        created_at=row.created_at,
        status=row.status,
        category=row.category,
        language=row.language,
        tier=row.tier,
    )


def _conversation_columns() -> list[Any]:
    return [Conversation.status, Conversation.category, Conversation.language, Conversation.tier]


def _filter(query: Select[Any], filters: SearchFilters, created_at: Any) -> Select[Any]:
    if filters.status:
        query = query.where(Conversation.status == filters.status)
    if filters.category:
        query = query.where(Conversation.category == filters.category)
    if filters.language:
        query = query.where(Conversation.language == filters.language.lower())
    if filters.tier:
        query = query.where(Conversation.tier == filters.tier)
    if filters.since:
        query = query.where(created_at >= filters.since)
    if filters.until:
        query = query.where(created_at < filters.until)
    return query


def _fts5_query(terms: list[str]) -> str:
    # Every term as an FTS5 string: no operator or column syntax from the user reaches the parser.
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _newest_first(session: Session, query_for: Any, want: int) -> list[Any]:
    """PostgreSQL: the newest ``want`` hits, searching the newest 20,000 messages first, then 8 times more.

    Ordering by ``id + 0`` keeps the planner on the GIN index (ordering by ``id`` tempts it to walk the
    primary key backwards computing ``to_tsvector`` row by row: seconds for a rare word such as a TxID);
    the growing window keeps a common word from fetching every one of its matches.
    """
    newest = session.scalar(select(func.max(Message.id))) or 0
    span = FIRST_WINDOW
    while True:
        lower = newest - span
        rows = list(session.execute(query_for(lower).limit(want)))
        if len(rows) >= want or lower <= 0:
            return rows
        span *= 8


def _postgres_match(body: Any, terms: list[str]) -> Any:
    """``body`` matches every word; the same expression as the GIN index, so the index answers it."""
    config: Any = literal_column(f"'{POSTGRES_CONFIG}'")
    fold = getattr(func, POSTGRES_FOLD_FUNCTION)
    return func.to_tsvector(config, fold(body)).op("@@")(func.plainto_tsquery(config, fold(" ".join(terms))))


def _messages(terms: list[str], filters: SearchFilters, postgres: bool, lower: int = 0) -> Select[Any]:
    columns = [
        Message.id,
        Message.conversation_id,
        Conversation.customer_id,
        Message.author_kind,
        Message.body,
        Message.created_at,
        *_conversation_columns(),
    ]
    if postgres:
        matches = _postgres_match(Message.body, terms)
        query = (
            select(*columns)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(matches, Message.id > lower)
        )
        return _filter(query, filters, Message.created_at).order_by((Message.id + literal_column("0")).desc())
    fts = table("message_fts", column("rowid", Integer))
    query = (
        select(*columns)
        .select_from(fts)
        .join(Message, Message.id == fts.c.rowid)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(text("message_fts MATCH :message_terms").bindparams(message_terms=_fts5_query(terms)))
    )
    return _filter(query, filters, Message.created_at).order_by(fts.c.rowid.desc())


def _compliance_notes(terms: list[str], filters: SearchFilters, postgres: bool) -> Select[Any]:
    columns = [
        ComplianceNote.id,
        ComplianceNote.conversation_id,
        ComplianceNote.customer_id,
        ComplianceNote.body,
        ComplianceNote.created_at,
        *_conversation_columns(),
    ]
    join = Conversation.id == ComplianceNote.conversation_id
    if postgres:
        matches = _postgres_match(ComplianceNote.body, terms)
        query = select(*columns).outerjoin(Conversation, join).where(matches)
        order = (ComplianceNote.id + literal_column("0")).desc()
    else:
        fts = table("compliance_note_fts", column("rowid", Integer))
        query = (
            select(*columns)
            .select_from(fts)
            .join(ComplianceNote, ComplianceNote.id == fts.c.rowid)
            .outerjoin(Conversation, join)
            .where(text("compliance_note_fts MATCH :note_terms").bindparams(note_terms=_fts5_query(terms)))
        )
        order = fts.c.rowid.desc()
    return _filter(query, filters, ComplianceNote.created_at).order_by(order)


def snippet(body: str, query: str, width: int = 160) -> str:
    """A window of ``body`` around the first query word it contains."""
    lowered = fold_accents(body.lower())
    positions = [lowered.find(term) for term in _WORD.findall(fold_accents(query.lower()))]
    start = min((p for p in positions if p >= 0), default=0)
    begin = max(0, start - width // 3)
    excerpt = body[begin : begin + width]
    return ("…" if begin else "") + excerpt + ("…" if begin + width < len(body) else "")
