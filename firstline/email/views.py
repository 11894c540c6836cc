"""Console pages for email: how each mail was threaded, split and merge, rejected mail, mailboxes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.conversations.models import Message
from firstline.conversations.service import get_conversation
from firstline.customers.service import get_customer
from firstline.email import service
from firstline.email.parsing import sanitize_html
from firstline.kit.api import IdPath
from firstline.kit.errors import InvalidInput
from firstline.web.deps import DbSession
from firstline.web.pages import redirect, render
from firstline.web.security import require

router = APIRouter(include_in_schema=False)
Reader = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_READ))]
Manager = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_MANAGE))]
MailboxAdmin = Annotated[Agent, Depends(require(Permission.MAILBOXES_MANAGE))]
SIGNATURE_LANGUAGES = ("en", "it", "pt", "de", "es")


@router.get("/conversations/{conversation_id}/email", response_class=HTMLResponse)
def conversation_email(request: Request, conversation_id: IdPath, db: DbSession, agent: Reader) -> Response:
    conversation = get_conversation(db, conversation_id=conversation_id)
    details = service.email_details(db, conversation_id=conversation_id)
    message_ids = [mail.posted_message_id for mail in details.inbound if mail.posted_message_id]
    messages = {m.id: m for m in db.scalars(select(Message).where(Message.id.in_(message_ids)))}
    # Stored HTML was sanitized on arrival; sanitizing again here keeps a bad row from ever reaching a page.
    safe_html = {mail.id: Markup(sanitize_html(mail.html_body)) for mail in details.inbound if mail.html_body}  # noqa: S704
    return render(
        request,
        "email/conversation_email.html",
        conversation=conversation,
        customer=get_customer(db, customer_id=conversation.customer_id),
        details=details,
        messages=messages,
        safe_html=safe_html,
        explanations=service.RULE_EXPLANATIONS,
    )


@router.post("/conversations/{conversation_id}/email/split")
def split(
    conversation_id: IdPath, db: DbSession, agent: Manager, message_id: Annotated[int, Form(ge=1, le=2**62)]
) -> Response:
    message = db.get(Message, message_id)
    if message is None or message.conversation_id != conversation_id:
        raise InvalidInput("That message is not in this conversation.", field="message_id")
    conversation = service.split_message(db, message_id=message_id, actor_agent_id=agent.id)
    return redirect(f"/conversations/{conversation.id}")


@router.post("/conversations/{conversation_id}/email/merge")
def merge(
    conversation_id: IdPath, db: DbSession, agent: Manager, other: Annotated[str, Form(max_length=30)]
) -> Response:
    source = service.conversation_by_reference(db, reference=other)
    service.merge_conversations(db, source_id=source.id, target_id=conversation_id, actor_agent_id=agent.id)
    return redirect(f"/conversations/{conversation_id}")


@router.get("/email/rejected", response_class=HTMLResponse)
def rejected(request: Request, db: DbSession, agent: Reader) -> Response:
    return render(request, "email/rejected.html", mails=service.list_rejected(db, limit=200))


@router.get("/email/mailboxes", response_class=HTMLResponse)
def mailboxes(request: Request, db: DbSession, agent: MailboxAdmin) -> Response:
    return render(
        request,
        "email/mailboxes.html",
        mailboxes=service.list_mailboxes(db),
        signature_languages=SIGNATURE_LANGUAGES,
    )


@router.post("/email/mailboxes")
def save_mailbox(
    request: Request,
    db: DbSession,
    agent: MailboxAdmin,
    address: Annotated[str, Form(max_length=320)],
    name: Annotated[str, Form(max_length=120)] = "",
    imap_host: Annotated[str, Form(max_length=255)] = "",
    imap_port: Annotated[int, Form(ge=1, le=65535)] = 993,
    imap_ssl: Annotated[bool, Form()] = False,
    imap_username: Annotated[str, Form(max_length=320)] = "",
    imap_password: Annotated[str, Form(max_length=500)] = "",
    imap_folder: Annotated[str, Form(max_length=200)] = "INBOX",
    processed_folder: Annotated[str, Form(max_length=200)] = "",
    auto_ack: Annotated[bool, Form()] = False,
    signature_en: Annotated[str, Form(max_length=2000)] = "",
    signature_it: Annotated[str, Form(max_length=2000)] = "",
    signature_pt: Annotated[str, Form(max_length=2000)] = "",
    signature_de: Annotated[str, Form(max_length=2000)] = "",
    signature_es: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    given = dict(
        zip(
            SIGNATURE_LANGUAGES,
            (signature_en, signature_it, signature_pt, signature_de, signature_es),
            strict=True,
        )
    )
    signatures = given if any(text.strip() for text in given.values()) else None  # none given: keep them
    service.save_mailbox(
        db, address=address, name=name, imap_host=imap_host, imap_port=imap_port, imap_ssl=imap_ssl,
        imap_username=imap_username, imap_password=imap_password or None,
        secret_key=request.app.state.settings.effective_secret_key(), imap_folder=imap_folder,
        processed_folder=processed_folder, auto_ack=auto_ack, signatures=signatures,
    )  # fmt: skip
    return redirect("/email/mailboxes")
