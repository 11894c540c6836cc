"""The chat websockets (docs/chat-protocol.md): customers at /api/v1/chat/ws/customer, agents at …/agent.

A message is stored and committed before its ``ack`` is sent. Every problem with a frame is answered
with an ``error`` frame and the connection stays usable; only a failed hello or handshake closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from firstline.agents.auth import resolve_api_token, resolve_session
from firstline.agents.models import Agent
from firstline.agents.roles import Permission, has_permission
from firstline.chat import service
from firstline.chat.hub import Connection, Subscription, queue_frame
from firstline.chat.models import ChatEvent, ChatSite
from firstline.chat.presence import keep_present
from firstline.chat.runtime import ChatRuntime
from firstline.chat.schemas import (
    AGENT_FRAMES,
    CUSTOMER_FRAMES,
    AgentRead,
    AgentSend,
    AgentTyping,
    ClientFrame,
    CustomerRead,
    CustomerSend,
    CustomerTyping,
    FrameError,
    Hello,
    Join,
    Leave,
    Ping,
    SetStatus,
    Subscribe,
    Unsubscribe,
    WatchInbox,
    parse_frame,
)
from firstline.chat.stream import conversation_summary
from firstline.conversations import service as conversations
from firstline.conversations.models import AuthorKind, Conversation, Message, Status
from firstline.conversations.service import MAX_BODY_CHARS
from firstline.customers.models import Customer
from firstline.kit.errors import FirstlineError, NotAuthenticated, PermissionDenied
from firstline.routing.service import queue_status
from firstline.web.security import SESSION_COOKIE

log = logging.getLogger(__name__)
router = APIRouter()

CLOSE_BAD_HELLO = 4400
CLOSE_NOT_AUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_HELLO_TIMEOUT = 4408
CLOSE_TOO_SLOW = 1013


def error_frame(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "error",
        "code": code,
        "message": message,
        "fatal": False,
        **{k: v for k, v in extra.items() if v is not None},
    }


class Socket:
    """A connection's two halves: a sender task draining the outbox, and the receive loop of the handler."""

    def __init__(self, websocket: WebSocket, kind: str) -> None:
        self.websocket = websocket
        self.connection = Connection(uuid.uuid4().hex, kind)
        self.sender: asyncio.Task[None] | None = None
        self.close_code = 1000
        self.ephemeral_window = (0.0, 0)

    async def open(self) -> None:
        await self.websocket.accept()
        self.sender = asyncio.create_task(self._send_forever())

    async def _send_forever(self) -> None:
        try:
            while (text := await self.connection.outbox.get()) is not None:
                await self.websocket.send_text(text)
            code = CLOSE_TOO_SLOW if self.connection.overflowed else self.close_code
            await self.websocket.close(code)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass

    def send(self, frame: dict[str, Any]) -> None:
        self.connection.push(frame)

    def fail(self, code: int, frame: dict[str, Any]) -> None:
        """Send a fatal error and close with ``code`` once it is out."""
        self.send({**frame, "fatal": True})
        self.close_code = code
        self.connection.close()

    async def finish(self) -> None:
        self.connection.close()
        if self.sender is not None:
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(self.sender, 5)
            self.sender.cancel()

    async def frames(self, kinds: dict[str, type[ClientFrame]], max_bytes: int) -> Any:
        """Yield parsed frames; bad frames are answered here and skipped."""
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                self.send(error_frame("malformed_frame", "Frames must be text (JSON), not binary."))
                continue
            try:
                yield parse_frame(text, kinds, max_bytes=max_bytes)
            except FrameError as exc:
                self.send(error_frame(exc.code, exc.message, field=exc.field, ref=exc.ref))

    def ephemeral_allowed(self, per_second: int) -> bool:
        now = time.monotonic()
        start, count = self.ephemeral_window
        if now - start >= 1:
            self.ephemeral_window = (now, 1)
            return True
        self.ephemeral_window = (start, count + 1)
        return count < per_second


def runtime_of(websocket: WebSocket) -> ChatRuntime:
    return websocket.app.state.chat  # type: ignore[no-any-return]


def _refusal(exc: FirstlineError, **extra: Any) -> dict[str, Any]:
    retry_after_ms = getattr(exc, "retry_after_ms", None)
    return error_frame(exc.code, exc.message, field=exc.field, retry_after_ms=retry_after_ms, **extra)


async def _guarded(
    socket: Socket, action: Awaitable[None], *, ref: str | None, client_msg_id: str | None = None
) -> None:
    """Run one frame's work; a refusal or failure becomes an error frame, never a closed socket."""
    try:
        await action
    except FirstlineError as exc:
        socket.send(_refusal(exc, ref=ref, client_msg_id=client_msg_id))
    except Exception:
        log.exception("chat frame failed")
        socket.send(
            error_frame(
                "unavailable",
                "That could not be done; nothing was stored. Try again.",
                ref=ref,
                client_msg_id=client_msg_id,
            )
        )


# --- customers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitorContext:
    chat_session_id: int
    conversation_id: int
    customer_name: str
    ready: dict[str, Any]


def _load_visitor(session: Session, token: str, origin: str | None, limits: dict[str, Any]) -> VisitorContext:
    chat = service.get_chat_session(session, visitor_token=token)
    site = session.get(ChatSite, chat.site_id)
    if site is None or not site.is_active:
        raise NotAuthenticated("This chat site is no longer active.")
    service.check_origin(site, origin)
    conversation = conversations.get_conversation(session, conversation_id=chat.conversation_id)
    customer = session.get(Customer, chat.customer_id)
    last_message = session.scalar(
        select(func.max(Message.seq)).where(
            Message.conversation_id == conversation.id, Message.author_kind != AuthorKind.NOTE
        )
    )
    last_event = session.scalar(
        select(func.max(ChatEvent.seq)).where(ChatEvent.conversation_id == conversation.id)
    )
    ready = {
        "type": "ready",
        "conversation": {
            "id": conversation.id,
            "reference": conversation.reference,
            "status": conversation.status,
            "language": conversation.language,
        },
        "customer": {"name": customer.name if customer else ""},
        "last_seq": max(last_message or 0, last_event or 0),
        "agents": service.present_agents(session, conversation_id=conversation.id),
        "limits": limits,
        "queue": _place_in_line(session, conversation),
    }
    return VisitorContext(chat.id, conversation.id, ready["customer"]["name"], ready)


def _place_in_line(session: Session, conversation: Conversation) -> dict[str, Any] | None:
    """Where a chat waiting for an agent stands (a ``queue`` frame), or None when it is not waiting."""
    if conversation.assignee_id is not None or conversation.status != Status.OPEN:
        return None
    status = queue_status(session, conversation_id=conversation.id)
    return queue_frame(status.payload()) if status.state in ("waiting", "offered") else None


@router.websocket("/api/v1/chat/ws/customer")
async def customer_socket(websocket: WebSocket) -> None:
    runtime = runtime_of(websocket)
    socket = Socket(websocket, "customer")
    await socket.open()
    subscription: Subscription | None = None
    try:
        hello = await _receive_hello(socket, runtime)
        if hello is None:
            return
        limits = runtime.limits.public(max_body_chars=MAX_BODY_CHARS)
        origin = websocket.headers.get("origin")
        try:
            visitor = await runtime.read(lambda s: _load_visitor(s, hello.visitor_token, origin, limits))
        except FirstlineError as exc:
            code = CLOSE_FORBIDDEN if isinstance(exc, PermissionDenied) else CLOSE_NOT_AUTHENTICATED
            socket.fail(code, _refusal(exc))
            return
        socket.send(visitor.ready)
        subscription = await runtime.hub.subscribe(
            socket.connection, visitor.conversation_id, after_seq=hello.last_seq, customer=True
        )
        async for frame in socket.frames(CUSTOMER_FRAMES, runtime.limits.max_frame_bytes):
            await _customer_frame(socket, runtime, visitor, frame)
    except WebSocketDisconnect:
        pass
    finally:
        if subscription is not None:
            runtime.hub.unsubscribe(subscription)
        await socket.finish()


async def _receive_hello(socket: Socket, runtime: ChatRuntime) -> Hello | None:
    try:
        message = await asyncio.wait_for(socket.websocket.receive(), runtime.limits.hello_timeout_seconds)
    except TimeoutError:
        socket.fail(CLOSE_HELLO_TIMEOUT, error_frame("hello_timeout", "Say hello first, within 10 seconds."))
        return None
    if message["type"] == "websocket.disconnect":
        return None
    try:
        frame = parse_frame(
            message.get("text") or "", {"hello": Hello}, max_bytes=runtime.limits.max_frame_bytes
        )
    except FrameError as exc:
        socket.fail(CLOSE_BAD_HELLO, error_frame(exc.code, "The first frame must be a hello: " + exc.message))
        return None
    assert isinstance(frame, Hello)
    return frame


async def _customer_frame(
    socket: Socket, runtime: ChatRuntime, visitor: VisitorContext, frame: ClientFrame
) -> None:
    if isinstance(frame, CustomerSend):
        await _guarded(
            socket,
            _customer_send(socket, runtime, visitor, frame),
            ref=frame.ref,
            client_msg_id=frame.client_msg_id,
        )
    elif isinstance(frame, CustomerTyping | CustomerRead):
        if not socket.ephemeral_allowed(runtime.limits.ephemeral_per_second):
            return
        if isinstance(frame, CustomerTyping):
            relay = {"type": "typing", "by": "customer", "active": frame.active}
        else:
            relay = {"type": "read", "by": "customer", "seq": frame.seq}
        _publish_ephemeral(runtime, socket, visitor.conversation_id, relay, audience="agents")
    elif isinstance(frame, Ping):
        socket.send({"type": "pong", "ref": frame.ref} if frame.ref else {"type": "pong"})


async def _customer_send(
    socket: Socket, runtime: ChatRuntime, visitor: VisitorContext, frame: CustomerSend
) -> None:
    wait = runtime.customer_limiter.take(visitor.chat_session_id)
    if wait:
        socket.send(
            error_frame(
                "rate_limited",
                "Too many messages; wait a moment.",
                client_msg_id=frame.client_msg_id,
                ref=frame.ref,
                retry_after_ms=int(wait * 1000) + 1,
            )
        )
        return
    runtime.check_admission()
    sent = await runtime.send_visitor_message(
        service.VisitorMessage(
            chat_session_id=visitor.chat_session_id,
            client_msg_id=frame.client_msg_id,
            body=frame.body,
            attachment_ids=frame.attachment_ids,
            author_name=visitor.customer_name,
        )
    )
    socket.send(_ack(frame.client_msg_id, sent))


def _ack(client_msg_id: str, sent: service.Sent) -> dict[str, Any]:
    return {
        "type": "ack",
        "client_msg_id": client_msg_id,
        "seq": sent.seq,
        "message_id": sent.message_id,
        "duplicate": sent.duplicate,
        "created_at": sent.created_at,
    }


def _publish_ephemeral(
    runtime: ChatRuntime, socket: Socket, conversation_id: int, frame: dict[str, Any], *, audience: str
) -> None:
    runtime.bus.publish(
        {
            "type": "chat.ephemeral",
            "conversation_id": conversation_id,
            "origin": socket.connection.id,
            "audience": audience,
            "frame": {**frame, "conversation_id": conversation_id},
        }
    )


# --- agents ---------------------------------------------------------------------------------------


@dataclass
class AgentContext:
    agent_id: int
    name: str
    roles: list[str]
    subscriptions: dict[int, Subscription]
    presence: asyncio.Task[None] | None = None  # heartbeats while the console watches the inbox

    def may(self, permission: Permission) -> bool:
        return has_permission(self.roles, permission)


def _authenticate_agent(session: Session, websocket: WebSocket) -> AgentContext:
    """The agent behind the bearer header or the session cookie; a cookie must come from our own origin."""
    scheme, _, value = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        agent = resolve_api_token(session, secret=value.strip())
        if agent is None:
            raise NotAuthenticated("The API token is invalid or revoked.")
    elif (cookie := websocket.cookies.get(SESSION_COOKIE)) is not None:
        origin = websocket.headers.get("origin")
        if origin is None or urlsplit(origin).netloc != websocket.headers.get("host"):
            raise PermissionDenied("The console's websocket only accepts pages from this server.")
        agent = resolve_session(session, token=cookie)
        if agent is None:
            raise NotAuthenticated("Log in to continue.")
    else:
        raise NotAuthenticated("Log in to continue.")
    if not has_permission(agent.roles, Permission.CONVERSATIONS_READ):
        raise PermissionDenied("Your role does not allow reading conversations.")
    return AgentContext(agent.id, agent.name, list(agent.roles), {})


@router.websocket("/api/v1/chat/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    runtime = runtime_of(websocket)
    socket = Socket(websocket, "agent")
    await socket.open()
    context: AgentContext | None = None
    try:
        try:
            context = await runtime.write(lambda s: _authenticate_agent(s, websocket))
        except FirstlineError as exc:
            code = CLOSE_FORBIDDEN if isinstance(exc, PermissionDenied) else CLOSE_NOT_AUTHENTICATED
            socket.fail(code, _refusal(exc))
            return
        socket.connection.agent_id = context.agent_id
        socket.send(
            {
                "type": "ready",
                "agent": {"id": context.agent_id, "name": context.name},
                "limits": runtime.limits.public(max_body_chars=MAX_BODY_CHARS),
            }
        )
        async for frame in socket.frames(AGENT_FRAMES, runtime.limits.max_frame_bytes):
            client_msg_id = frame.client_msg_id if isinstance(frame, AgentSend) else None
            await _guarded(
                socket,
                _agent_frame(socket, runtime, context, frame),
                ref=frame.ref,
                client_msg_id=client_msg_id,
            )
    except WebSocketDisconnect:
        pass
    finally:
        runtime.hub.inbox_watchers.pop(socket.connection.id, None)
        if context is not None:
            if context.presence is not None:
                context.presence.cancel()
            for subscription in context.subscriptions.values():
                runtime.hub.unsubscribe(subscription)
        await socket.finish()


def _ok(frame: ClientFrame, **extra: Any) -> dict[str, Any]:
    return {"type": "ok", "for": getattr(frame, "type", ""), "ref": frame.ref, **extra}


async def _agent_frame(
    socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: ClientFrame
) -> None:
    handler = _AGENT_HANDLERS.get(type(frame))
    if handler is not None:
        await handler(socket, runtime, context, frame)


async def _watch_inbox(socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: Any) -> None:
    """The console's chat workspace is open: new chats and offers reach it, and it keeps the agent present."""
    runtime.hub.inbox_watchers[socket.connection.id] = socket.connection
    if context.presence is None:
        context.presence = asyncio.create_task(keep_present(runtime, context.agent_id))
    socket.send(_ok(frame))


async def _subscribe(socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: Subscribe) -> None:
    def load(session: Session) -> dict[str, Any]:
        conversation = conversations.get_conversation(session, conversation_id=frame.conversation_id)
        return conversation_summary(session, conversation)

    summary = await runtime.read(load)
    if (previous := context.subscriptions.pop(frame.conversation_id, None)) is not None:
        runtime.hub.unsubscribe(previous)
    socket.send(
        {"type": "subscribed", "ref": frame.ref, "conversation": summary, "last_seq": summary["last_seq"]}
    )
    context.subscriptions[frame.conversation_id] = await runtime.hub.subscribe(
        socket.connection, frame.conversation_id, after_seq=frame.last_seq, customer=False
    )


async def _unsubscribe(
    socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: Unsubscribe
) -> None:
    if (subscription := context.subscriptions.pop(frame.conversation_id, None)) is not None:
        runtime.hub.unsubscribe(subscription)
    socket.send(_ok(frame, conversation_id=frame.conversation_id))


def _acting_agent(session: Session, context: AgentContext, permission: Permission) -> Agent:
    agent = session.get(Agent, context.agent_id)
    if agent is None or not agent.is_active:
        raise NotAuthenticated("This account is no longer active.")
    if not has_permission(agent.roles, permission):
        raise PermissionDenied(f"Your role does not allow this ({permission.value}).")
    return agent


async def _join_or_leave(
    socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: Join | Leave
) -> None:
    action = service.join_chat if isinstance(frame, Join) else service.leave_chat
    await runtime.write(
        lambda s: action(
            s,
            agent=_acting_agent(s, context, Permission.CONVERSATIONS_REPLY),
            conversation_id=frame.conversation_id,
        )
    )
    socket.send(_ok(frame, conversation_id=frame.conversation_id))


async def _agent_send(socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: AgentSend) -> None:
    wait = runtime.agent_limiter.take(socket.connection.id)
    if wait:
        socket.send(
            error_frame(
                "rate_limited", "Too many messages; wait a moment.", client_msg_id=frame.client_msg_id,
                ref=frame.ref, retry_after_ms=int(wait * 1000) + 1,
            )
        )  # fmt: skip
        return
    runtime.check_admission()
    result = await runtime.write(
        lambda s: service.agent_send(
            s,
            agent=_acting_agent(s, context, Permission.CONVERSATIONS_REPLY),
            conversation_id=frame.conversation_id,
            client_msg_id=frame.client_msg_id,
            body=frame.body,
            last_seen_seq=frame.last_seen_seq,
            note=frame.note,
            secret=runtime.secret,
        )
    )
    if isinstance(result, service.StaleView):
        socket.send(
            {
                "type": "conflict",
                "code": "stale_view",
                "conversation_id": frame.conversation_id,
                "client_msg_id": frame.client_msg_id,
                "ref": frame.ref,
                "last_seen_seq": frame.last_seen_seq,
                "latest_seq": result.latest_seq,
                "missed": [{**event, "prev_seq": event["seq"] - 1} for event in result.missed],
                "message": "The customer or a colleague wrote since your view was last updated; "
                "read the new messages and send again.",
            }
        )
        return
    socket.send({**_ack(frame.client_msg_id, result), "conversation_id": frame.conversation_id})


async def _set_status(socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: SetStatus) -> None:
    await runtime.write(
        lambda s: conversations.change_status(
            s,
            conversation_id=frame.conversation_id,
            status=frame.status,
            actor_agent_id=_acting_agent(s, context, Permission.CONVERSATIONS_MANAGE).id,
        )
    )
    socket.send(_ok(frame, conversation_id=frame.conversation_id, status=frame.status.value))


async def _agent_ephemeral(
    socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: AgentTyping | AgentRead
) -> None:
    if frame.conversation_id not in context.subscriptions:
        socket.send(error_frame("not_subscribed", "Subscribe to the conversation first.", ref=frame.ref))
        return
    if not socket.ephemeral_allowed(runtime.limits.ephemeral_per_second):
        return
    if isinstance(frame, AgentTyping):
        relay = {"type": "typing", "by": "agent", "name": context.name, "active": frame.active}
    else:
        relay = {"type": "read", "by": "agent", "name": context.name, "seq": frame.seq}
    _publish_ephemeral(runtime, socket, frame.conversation_id, relay, audience="all")


async def _ping(socket: Socket, runtime: ChatRuntime, context: AgentContext, frame: Ping) -> None:
    socket.send({"type": "pong", "ref": frame.ref} if frame.ref else {"type": "pong"})


_AGENT_HANDLERS: dict[type[ClientFrame], Callable[..., Awaitable[None]]] = {
    WatchInbox: _watch_inbox,
    Subscribe: _subscribe,
    Unsubscribe: _unsubscribe,
    Join: _join_or_leave,
    Leave: _join_or_leave,
    AgentSend: _agent_send,
    SetStatus: _set_status,
    AgentTyping: _agent_ephemeral,
    AgentRead: _agent_ephemeral,
    Ping: _ping,
}
