"""The email channel's share of conversation changes, run inside the transaction that records them."""

from __future__ import annotations

from sqlalchemy.orm import Session

from firstline.conversations.models import AuthorKind, Channel, Conversation, Message
from firstline.email.outbound import enqueue_for_message
from firstline.timeline.service import EventKind, RecordedEvent, react_to


@react_to(EventKind.MESSAGE_POSTED)
def queue_reply_email(session: Session, event: RecordedEvent) -> None:
    """An agent reply or automatic message in an email conversation joins the outbox, atomically with it."""
    if event.data.get("author_kind") not in (AuthorKind.AGENT, AuthorKind.SYSTEM):
        return
    conversation = session.get(Conversation, event.conversation_id)
    if conversation is None or conversation.channel != Channel.EMAIL:
        return
    message = session.get(Message, event.data.get("message_id"))
    if message is not None:
        enqueue_for_message(session, conversation=conversation, message=message)
