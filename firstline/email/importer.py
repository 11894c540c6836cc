"""``firstline import-mail``: .eml files, directories (Maildir included) and mbox files into the intake."""

from __future__ import annotations

import mailbox
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from firstline.config import Settings
from firstline.email.intake import IngestResult, ingest_batch
from firstline.email.models import InboundStatus, Source

Loader = Callable[[], bytes]

# Mails committed together: one transaction and one round of file syncs for all of them.
BATCH_MAILS = 100
BATCH_BYTES = 32 * 1024 * 1024


@dataclass
class ImportSummary:
    imported: int = 0  # started a new conversation
    threaded: int = 0  # joined an existing conversation
    duplicates: int = 0
    rejected: int = 0
    bounces: int = 0
    rejections: list[dict[str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.imported + self.threaded + self.duplicates + self.rejected + self.bounces

    def add(self, source: str, result: IngestResult) -> None:
        if result.status == InboundStatus.IMPORTED:
            self.imported += 1
        elif result.status == InboundStatus.THREADED:
            self.threaded += 1
        elif result.status == InboundStatus.DUPLICATE:
            self.duplicates += 1
        elif result.status == InboundStatus.BOUNCE:
            self.bounces += 1
        else:
            self.reject(source, result.reason)

    def reject(self, source: str, reason: str) -> None:
        self.rejected += 1
        self.rejections.append({"source": source, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "threaded": self.threaded,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "bounces": self.bounces,
            "total": self.total,
            "rejections": self.rejections,
        }


def collect(paths: list[Path]) -> list[tuple[str, Loader]]:
    """Every mail under ``paths``, as (where it came from, how to read it), in a stable order."""
    items: list[tuple[str, Loader]] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path)))
        else:
            files = [path]
        for file in files:
            items.extend(_items_of(file))
    return items


def import_items(
    session_factory: sessionmaker[Session],
    items: list[tuple[str, Loader]],
    *,
    settings: Settings,
    mailbox_id: int | None = None,
    on_each: Callable[[], None] = lambda: None,
    batch_size: int = BATCH_MAILS,
) -> ImportSummary:
    """Import ``items`` in transactions of up to ``batch_size`` mails (and ``BATCH_BYTES``), in order."""
    summary = ImportSummary()
    batch: list[tuple[str, bytes]] = []
    batch_bytes = 0
    for source, load in items:
        try:
            raw = load()
        except OSError as exc:
            summary.reject(source, f"unreadable: {exc.strerror or exc}")
            on_each()
            continue
        batch.append((source, raw))
        batch_bytes += len(raw)
        if len(batch) >= batch_size or batch_bytes >= BATCH_BYTES:
            _import_batch(session_factory, batch, settings, mailbox_id, summary, on_each)
            batch, batch_bytes = [], 0
    if batch:
        _import_batch(session_factory, batch, settings, mailbox_id, summary, on_each)
    return summary


def _import_batch(
    session_factory: sessionmaker[Session],
    batch: list[tuple[str, bytes]],
    settings: Settings,
    mailbox_id: int | None,
    summary: ImportSummary,
    on_each: Callable[[], None],
) -> None:
    outcomes = ingest_batch(
        session_factory, batch, mailbox_id=mailbox_id, source=Source.IMPORT, settings=settings
    )
    for outcome in outcomes:
        if outcome.result is None:
            summary.reject(outcome.key, outcome.error)
        else:
            summary.add(outcome.key, outcome.result)
        on_each()


def _items_of(file: Path) -> Iterator[tuple[str, Loader]]:
    if _is_mbox(file):
        box = mailbox.mbox(file, create=False)
        for number, key in enumerate(box.iterkeys(), start=1):
            yield f"{file}#{number}", partial(box.get_bytes, key)
        return
    yield str(file), file.read_bytes


def _is_mbox(file: Path) -> bool:
    try:
        with file.open("rb") as stream:
            return stream.read(5) == b"From "
    except OSError:
        return False


def _hidden(relative: Path) -> bool:
    """Dot files and a mail server's own bookkeeping (Dovecot indexes, Maildir's tmp/) are not mail."""
    return (
        any(part.startswith(".") for part in relative.parts)
        or relative.name.startswith(("dovecot", "maildirfolder", "subscriptions"))
        or "tmp" in relative.parts[:-1]
    )
