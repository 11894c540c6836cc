"""The ``inbound_mail`` row of a mail being taken in, written with two Core statements.

The intake inserts the row first (so a Message-ID is claimed once, whatever else happens) and changes
it once more, by primary key, when it knows what became of the mail. Nothing else in the session needs
an object of it, so the unit of work (an ORM flush per change) is not involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from firstline.email.models import InboundMail, InboundStatus, Source
from firstline.email.parsing import ParsedMail, subject_key

_INBOUND = cast(Table, InboundMail.__table__)
# Insert, or nothing when the Message-ID is stored already (another worker's mail included, which the
# database waits for): no SAVEPOINT and no IntegrityError to recover from, on both databases Firstline
# runs on.
_INSERT_UNIQUE = {
    name: dialect.insert(_INBOUND)
    .on_conflict_do_nothing(index_elements=[_INBOUND.c.message_id])
    .returning(_INBOUND.c.id)
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))
}
_BY_MESSAGE_ID = select(_INBOUND.c.id, _INBOUND.c.conversation_id).where(
    _INBOUND.c.message_id == bindparam("message_id")
)
_UPDATE = update(_INBOUND).where(_INBOUND.c.id == bindparam("inbound_id"))


@dataclass
class InboundRow:
    """The values of one ``inbound_mail`` row, and its id once inserted."""

    values: dict[str, Any]
    id: int = 0

    @property
    def message_id(self) -> str:
        return str(self.values["message_id"])

    @property
    def source(self) -> str:
        return str(self.values["source"])

    @property
    def mailbox_id(self) -> int | None:
        mailbox_id: int | None = self.values["mailbox_id"]
        return mailbox_id

    @property
    def raw_size(self) -> int:
        return int(self.values["raw_size"])


def inbound_row(
    parsed: ParsedMail,
    digest: str,
    raw_sha256: str | None,
    raw_size: int,
    mailbox_id: int | None,
    source: str,
    now: datetime,
) -> InboundRow:
    """The row of a mail just parsed: rejected until it is posted. Without a Message-ID, its bytes name it."""
    return InboundRow(
        {
            "message_id": parsed.message_id or f"<sha256:{digest}@firstline>",
            "mailbox_id": mailbox_id,
            "source": Source(source),
            "status": InboundStatus.REJECTED,
            "raw_sha256": raw_sha256,
            "raw_size": raw_size,
            "sender": parsed.sender,
            "sender_name": parsed.sender_name,
            "recipients": parsed.recipients,
            "subject": parsed.subject,
            "subject_key": subject_key(parsed.subject),
            "in_reply_to": parsed.in_reply_to,
            "references": parsed.references,
            "is_automated": parsed.is_automated,
            "html_body": parsed.html,
            "quoted_text": parsed.quoted_text,
            "notes": parsed.notes[:20],
            "sent_at": parsed.date,
            "received_at": now,
        }
    )


def insert_unique(session: Session, row: InboundRow) -> bool:
    """Insert ``row`` and set its id; False, inserting nothing, when its Message-ID is stored already."""
    statement = _INSERT_UNIQUE[session.get_bind().dialect.name]
    inbound_id = session.execute(statement, row.values).scalar()
    if inbound_id is None:
        return False
    row.id = inbound_id
    return True


def stored_as(session: Session, message_id: str) -> tuple[int | None, int | None]:
    """(id, conversation id) of the mail stored under ``message_id``; (None, None) if there is none."""
    found = session.execute(_BY_MESSAGE_ID, {"message_id": message_id}).first()
    return (found.id, found.conversation_id) if found is not None else (None, None)


def update_row(session: Session, row: InboundRow, **values: Any) -> None:
    """Change columns of the inserted ``row`` (one UPDATE by primary key)."""
    row.values.update(values)
    session.execute(_UPDATE, {"inbound_id": row.id, **values})
