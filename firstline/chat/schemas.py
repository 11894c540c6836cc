"""Client frames of the websocket protocol and the HTTP bodies of the widget (docs/chat-protocol.md)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError

from firstline.conversations.models import Category, Status
from firstline.kit.errors import InvalidInput

ClientMsgId = Annotated[str, Field(min_length=1, max_length=64)]
Seq = Annotated[int, Field(ge=0, le=2**31 - 1)]
ConversationId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ClientFrame(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    ref: str | None = Field(default=None, max_length=64)


class Hello(ClientFrame):
    type: Literal["hello"]
    visitor_token: str = Field(max_length=100)
    last_seq: Seq = 0


class CustomerSend(ClientFrame):
    type: Literal["send"]
    client_msg_id: ClientMsgId
    body: str
    attachment_ids: list[Annotated[int, Field(ge=1)]] = Field(default_factory=list, max_length=10)


class CustomerTyping(ClientFrame):
    type: Literal["typing"]
    active: bool


class CustomerRead(ClientFrame):
    type: Literal["read"]
    seq: Seq


class Ping(ClientFrame):
    type: Literal["ping"]


class WatchInbox(ClientFrame):
    type: Literal["watch_inbox"]


class Subscribe(ClientFrame):
    type: Literal["subscribe"]
    conversation_id: ConversationId
    last_seq: Seq = 0


class ConversationFrame(ClientFrame):
    conversation_id: ConversationId


class Unsubscribe(ConversationFrame):
    type: Literal["unsubscribe"]


class Join(ConversationFrame):
    type: Literal["join"]


class Leave(ConversationFrame):
    type: Literal["leave"]


class AgentSend(ConversationFrame):
    type: Literal["send"]
    client_msg_id: ClientMsgId
    body: str
    last_seen_seq: Seq
    note: bool = False


class SetStatus(ConversationFrame):
    type: Literal["set_status"]
    status: Annotated[Status, Field(strict=False)]


class AgentTyping(ConversationFrame):
    type: Literal["typing"]
    active: bool


class AgentRead(ConversationFrame):
    type: Literal["read"]
    seq: Seq


CUSTOMER_FRAMES: dict[str, type[ClientFrame]] = {
    "send": CustomerSend,
    "typing": CustomerTyping,
    "read": CustomerRead,
    "ping": Ping,
}
AGENT_FRAMES: dict[str, type[ClientFrame]] = {
    frame.model_fields["type"].annotation.__args__[0]: frame  # type: ignore[union-attr]
    for frame in (
        WatchInbox,
        Subscribe,
        Unsubscribe,
        Join,
        Leave,
        AgentSend,
        SetStatus,
        AgentTyping,
        AgentRead,
        Ping,
    )
}


class FrameError(InvalidInput):
    """A frame the server cannot use; ``code`` is the protocol's error code."""

    def __init__(self, code: str, message: str, *, field: str | None = None, ref: Any = None) -> None:
        super().__init__(message, field=field)
        self.code = code
        self.ref = ref if isinstance(ref, str) and len(ref) <= 64 else None


def parse_frame(text: str, kinds: dict[str, type[ClientFrame]], *, max_bytes: int) -> ClientFrame:
    """Decode and validate one text frame, or raise ``FrameError`` saying what is wrong with it."""
    if len(text) > max_bytes or len(text.encode()) > max_bytes:
        raise FrameError("frame_too_large", f"Frames can be at most {max_bytes} bytes.")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FrameError("malformed_frame", "A frame must be a JSON object.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise FrameError("malformed_frame", 'A frame must be a JSON object with a "type".')
    ref = data.get("ref")
    model = kinds.get(data["type"])
    if model is None:
        raise FrameError("unknown_type", f"Unknown frame type {data['type'][:40]!r}.", ref=ref)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(part) for part in problem["loc"])
        raise FrameError("invalid", f"{field}: {problem['msg']}", field=field, ref=ref) from exc


# --- HTTP -----------------------------------------------------------------------------------------


class Identity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uid: str | None = Field(default=None, max_length=64)
    signature: str | None = Field(default=None, max_length=128)
    jwt: str | None = Field(default=None, max_length=4096)


class StartChatIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_key: str = Field(min_length=1, max_length=64)
    name: str = Field(default="", max_length=200)
    email: EmailStr | None = None
    topic: Category = Category.OTHER
    language: str | None = Field(default=None, max_length=8)
    identity: Identity | None = None


class StartChatOut(BaseModel):
    visitor_token: str
    conversation_id: int
    reference: str
    status: str
    language: str
    identified: bool
    customer: dict[str, str]
    last_seq: int


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class SiteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    enforce_identity: bool = True
    allow_anonymous: bool = True
    allowed_origins: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    default_language: str = Field(default="en", max_length=8)


class SiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    public_key: str
    enforce_identity: bool
    allow_anonymous: bool
    allowed_origins: list[str]
    default_language: str
    is_active: bool


class SiteCreatedOut(SiteOut):
    secret: str


class TranscriptEmailIn(BaseModel):
    """A visitor's request; ``email`` only counts when the customer has no address on file."""

    model_config = ConfigDict(extra="forbid")

    request_id: str | None = Field(default=None, min_length=1, max_length=64)
    email: str | None = Field(default=None, max_length=320)


class AgentTranscriptEmailIn(BaseModel):
    """An agent's request: the transcript always goes to the customer's address on file."""

    model_config = ConfigDict(extra="forbid")

    request_id: str | None = Field(default=None, min_length=1, max_length=64)


class TranscriptEmailOut(BaseModel):
    status: str = "queued"
    recipient: str  # masked
    duplicate: bool
