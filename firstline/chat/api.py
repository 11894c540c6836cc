"""HTTP endpoints of the widget (config, start, uploads, transcript) and the chat site admin API.

The widget's endpoints are public: a visitor has no agent login. Each checks what stands in for one —
the public site key and the page's origin, the visitor token (``X-Visitor-Token``), or a signed link.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Query, Request, Response, UploadFile
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from firstline.agents.models import Agent
from firstline.agents.roles import Permission
from firstline.attachments.store import FileStore
from firstline.chat import service, transcripts
from firstline.chat.models import ChatSession, ChatSite, IdentityMethod
from firstline.chat.runtime import ChatLimits
from firstline.chat.schemas import (
    AgentTranscriptEmailIn,
    AttachmentOut,
    SiteCreatedOut,
    SiteIn,
    SiteOut,
    StartChatIn,
    StartChatOut,
    TranscriptEmailIn,
    TranscriptEmailOut,
)
from firstline.chat.stream import attachment_frame, attachment_signature
from firstline.conversations.models import Category
from firstline.conversations.service import MAX_BODY_CHARS
from firstline.kit.api import MAX_ID, IdPath
from firstline.kit.errors import NotAuthenticated, NotFound
from firstline.web.deps import DbSession
from firstline.web.security import require

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])
SiteManager = Annotated[Agent, Depends(require(Permission.CHAT_SITES_MANAGE))]
Replier = Annotated[Agent, Depends(require(Permission.CONVERSATIONS_REPLY))]
VisitorToken = Annotated[str, Header(alias="X-Visitor-Token", min_length=1, max_length=100)]
WIDGET_LANGUAGES = ["en", "it", "pt", "de", "es"]
WS_PATH = "/api/v1/chat/ws/customer"


def _visitor(db: Session, request: Request, token: str) -> ChatSession:
    chat = service.get_chat_session(db, visitor_token=token)
    site = db.get(ChatSite, chat.site_id)
    if site is None or not site.is_active:
        raise NotAuthenticated("This chat site is no longer active.")
    service.check_origin(site, request.headers.get("origin"))
    return chat


def _limits(request: Request) -> ChatLimits:
    runtime = getattr(request.app.state, "chat", None)
    return runtime.limits if runtime is not None else ChatLimits()


def _store(request: Request) -> FileStore:
    settings = request.app.state.settings
    return FileStore(settings.attachments_dir, max_bytes=settings.attachment_max_bytes)


@router.get("/config")
def widget_config(
    request: Request, db: DbSession, site_key: Annotated[str, Query(min_length=1, max_length=64)]
) -> dict[str, Any]:
    """What the widget needs before it shows itself: languages, pre-chat form, limits."""
    site = service.get_site_by_key(db, site_key=site_key)
    service.check_origin(site, request.headers.get("origin"))
    max_bytes = min(request.app.state.settings.attachment_max_bytes, service.CHAT_ATTACHMENT_MAX_BYTES)
    return {
        "site_key": site.public_key,
        "name": site.name,
        "default_language": site.default_language,
        "languages": WIDGET_LANGUAGES,
        "allow_anonymous": site.allow_anonymous,
        "enforce_identity": site.enforce_identity,
        "prechat_fields": ["name", "email", "topic"],
        "topics": [category.value for category in Category],
        "attachments": {"max_bytes": max_bytes, "content_types": list(service.ALLOWED_CONTENT_TYPES)},
        "limits": _limits(request).public(max_body_chars=MAX_BODY_CHARS),
        "ws_path": WS_PATH,
    }


@router.post("/sessions", response_model=StartChatOut, status_code=201)
def start_chat(body: StartChatIn, request: Request, db: DbSession) -> dict[str, Any]:
    """The pre-chat form: opens a conversation and returns the visitor's token for the websocket."""
    identity = body.identity.model_dump(exclude_none=True) if body.identity else None
    started = service.start_chat(
        db,
        site_key=body.site_key,
        origin=request.headers.get("origin"),
        name=body.name,
        email=str(body.email) if body.email else None,
        topic=body.topic,
        language=body.language,
        identity=identity,
    )
    return {
        "visitor_token": started.visitor_token,
        "conversation_id": started.conversation.id,
        "reference": started.conversation.reference,
        "status": started.conversation.status,
        "language": started.conversation.language,
        "identified": started.chat.identity_method != IdentityMethod.NONE,
        "customer": {"name": started.customer.name},
        "last_seq": 0,
    }


@router.post("/attachments", response_model=AttachmentOut, status_code=201)
def upload_attachment(
    request: Request, db: DbSession, token: VisitorToken, file: Annotated[UploadFile, File()]
) -> dict[str, Any]:
    """A visitor's file, checked by its bytes; send its id with a message to attach it."""
    chat = _visitor(db, request, token)
    store = _store(request)
    data = file.file.read(min(store.max_bytes, service.CHAT_ATTACHMENT_MAX_BYTES) + 1)
    attachment = service.store_upload(
        db, chat_session_id=chat.id, filename=file.filename or "", data=data, store=store
    )
    return attachment_frame(request.app.state.settings.effective_secret_key(), attachment)


@router.get("/attachment")
def download_attachment(
    request: Request,
    db: DbSession,
    attachment_id: Annotated[int, Query(alias="id", ge=1, le=MAX_ID)],
    sig: Annotated[str, Query(min_length=1, max_length=64)],
) -> Response:
    """The bytes behind a signed link from a chat frame; the signature is the permission."""
    expected = attachment_signature(request.app.state.settings.effective_secret_key(), attachment_id)
    if not hmac.compare_digest(sig, expected):
        raise NotFound("No such attachment.")
    attachment = service.get_attachment(db, attachment_id=attachment_id)
    data = _store(request).get(attachment.sha256)
    disposition = "inline" if attachment.content_type.startswith("image/") else "attachment"
    safe_name = attachment.filename.replace('"', "").replace("\r", "").replace("\n", "")
    return Response(
        data,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{safe_name}"',
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, max-age=86400",
        },
    )


@router.get("/transcript")
def download_transcript(request: Request, db: DbSession, token: VisitorToken) -> Response:
    """The visitor's conversation as a text file (no internal notes)."""
    chat = _visitor(db, request, token)
    filename, text = transcripts.transcript(db, chat_session_id=chat.id)
    return Response(
        text,
        media_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/transcript/email", response_model=TranscriptEmailOut, status_code=202)
def email_transcript(
    body: TranscriptEmailIn, request: Request, db: DbSession, token: VisitorToken
) -> transcripts.TranscriptMail:
    """Queue the transcript to the visitor's email (the address on file, else ``email``)."""
    chat = _visitor(db, request, token)
    return transcripts.email_transcript(
        db, conversation_id=chat.conversation_id, email=body.email, request_key=body.request_id
    )


@router.post(
    "/conversations/{conversation_id}/transcript/email", response_model=TranscriptEmailOut, status_code=202
)
def email_transcript_for_customer(
    conversation_id: IdPath, body: AgentTranscriptEmailIn, db: DbSession, agent: Replier
) -> transcripts.TranscriptMail:
    """An agent sends the chat's transcript to the customer's address on file."""
    return transcripts.email_transcript(
        db, conversation_id=conversation_id, request_key=body.request_id, agent=agent
    )


@router.get("/sites", response_model=list[SiteOut])
def list_sites(db: DbSession, _: SiteManager) -> list[object]:
    return list(service.list_sites(db))


@router.post("/sites", response_model=SiteCreatedOut, status_code=201)
def create_site(body: SiteIn, db: DbSession, _: SiteManager) -> object:
    """A new widget site; its secret is shown here, for the exchange's backend to sign identities."""
    return service.create_site(db, **body.model_dump())


# --- CORS for the widget --------------------------------------------------------------------------

CORS_PATHS = (
    "/api/v1/chat/config",
    "/api/v1/chat/sessions",
    "/api/v1/chat/attachment",
    "/api/v1/chat/transcript",
)


class WidgetCorsMiddleware:
    """Lets pages on exchanges' origins call the widget endpoints, without credentials.

    The site's allowed origins are enforced by the endpoints themselves (they know the site), so
    here any origin may ask; no cookie is ever sent or honoured on these paths.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        origin = headers.get(b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [
                        (b"access-control-allow-origin", origin),
                        (b"access-control-allow-methods", b"GET, POST"),
                        (b"access-control-allow-headers", b"content-type, x-visitor-token"),
                        (b"access-control-max-age", b"600"),
                        (b"vary", b"Origin"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {
                    **message,
                    "headers": [
                        *message.get("headers", []),
                        (b"access-control-allow-origin", origin),
                        (b"vary", b"Origin"),
                    ],
                }
            await send(message)

        await self.app(scope, receive, send_with_cors)
