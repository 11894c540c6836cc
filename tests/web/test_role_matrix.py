"""The permission matrix: every route of the app, for every role and for an anonymous visitor.

A route is either listed in ``PUBLIC_ROUTES`` or guarded by ``require(permission)``; a new route that
is neither breaks this file. Each role then calls every guarded route with real ids and a valid body,
and must be let through exactly when ``ROLE_PERMISSIONS`` grants the route's permission.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import Mount

from firstline.agents.auth import create_api_token
from firstline.agents.models import Agent
from firstline.agents.roles import ROLE_PERMISSIONS, Permission, Role
from firstline.conversations.models import AuthorKind, Conversation
from firstline.conversations.service import open_conversation, post_message
from firstline.web.security import permission_of
from tests.cases.matrix_samples import CASES_SAMPLE_BODIES, case_targets
from tests.conftest import csrf, login
from tests.routing.matrix_samples import OFFER_ROUTES, ROUTING_SAMPLE_BODIES, offered_chat
from tests.sla.matrix_samples import SLA_FRESH_TARGETS, SLA_SAMPLE_BODIES, sla_targets

RouteKey = tuple[str, str]  # (method, path template)

PUBLIC_ROUTES: frozenset[RouteKey] = frozenset(
    {
        ("GET", "/"),  # only redirects to the inbox, which is guarded
        ("GET", "/login"),
        ("POST", "/login"),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),  # guarded by its own bearer token when FIRSTLINE_METRICS_TOKEN is set
        ("GET", "/api/v1/openapi.json"),
    }
)
# Live chat's visitor-facing routes: a visitor has no agent login. Each checks what stands in for one
# (site key and origin, visitor token, signed link); the agent websocket authenticates its handshake
# (bearer or session cookie from our own origin) and checks permissions per frame. tests/chat/ covers them.
CHAT_PUBLIC_ROUTES: frozenset[RouteKey] = frozenset(
    {
        ("GET", "/api/v1/chat/config"),
        ("POST", "/api/v1/chat/sessions"),
        ("POST", "/api/v1/chat/attachments"),
        ("GET", "/api/v1/chat/attachment"),
        ("GET", "/api/v1/chat/transcript"),
        ("POST", "/api/v1/chat/transcript/email"),
        ("*", "/api/v1/chat/ws/customer"),
        ("*", "/api/v1/chat/ws/agent"),
        # The demo exchange's help page, which embeds the widget: it exists only while the demo chat
        # site does (404 otherwise), shows no data, and only signs identities with the published demo secret.
        ("GET", "/demo/exchange"),
    }
)
PUBLIC_ROUTES = PUBLIC_ROUTES | CHAT_PUBLIC_ROUTES


@dataclass(frozen=True)
class Targets:
    """Ids of real rows that path parameters and bodies point at."""

    customer_id: int
    conversation_id: int
    agent_id: int
    token_id: int
    message_id: int  # a customer message in the conversation (split)
    other_conversation_id: int  # another conversation of the same customer (merge)
    attachment_id: int  # evidence for an escalation (cases)
    incident_id: int  # an open incident (cases)
    other_customer_id: int  # a duplicate customer to merge (cases)
    complaint_id: int  # a registered complaint (cases)
    policy_id: int  # an SLA policy (settings)
    calendar_id: int  # a business-hour calendar (settings)
    actor_id: int  # the agent making the calls (routing: the offers are made to them)

    def url(self, path_template: str) -> str:
        return path_template.format(**asdict(self))


# A valid body for every state-changing route: JSON under /api, form fields (plus the CSRF token) elsewhere.
SAMPLE_BODIES: dict[RouteKey, Callable[[Targets], dict[str, Any]]] = {
    ("POST", "/conversations/{conversation_id}/email/split"): lambda ids: {"message_id": ids.message_id},
    ("POST", "/conversations/{conversation_id}/email/merge"): lambda ids: {
        "other": str(ids.other_conversation_id)
    },
    ("POST", "/email/mailboxes"): lambda _: {"address": "help@exchange.example", "auto_ack": "1"},
    ("POST", "/api/v1/chat/sites"): lambda _: {"name": "Matrix exchange help centre"},
    ("POST", "/api/v1/chat/conversations/{conversation_id}/transcript/email"): lambda _: {
        "request_id": "matrix-transcript"
    },
    ("POST", "/conversations/{conversation_id}/transcript/email"): lambda _: {},
    ("POST", "/api/v1/agents"): lambda _: {
        "email": "new.colleague@firstline.example",
        "name": "New Colleague",
        "password": "a long enough password",
        "roles": ["agent_l1"],
    },
    ("PATCH", "/api/v1/agents/{agent_id}"): lambda _: {"name": "Renamed Colleague"},
    ("POST", "/api/v1/tokens"): lambda _: {"name": "matrix integration"},
    ("DELETE", "/api/v1/tokens/{token_id}"): lambda _: {},
    ("POST", "/api/v1/customers"): lambda _: {"name": "Ana Costa", "email": "ana.costa@example.com"},
    ("PATCH", "/api/v1/customers/{customer_id}"): lambda _: {"vip_tier": 1},
    ("POST", "/api/v1/conversations"): lambda ids: {"customer_id": ids.customer_id, "channel": "email"},
    ("PATCH", "/api/v1/conversations/{conversation_id}"): lambda _: {"priority": "high"},
    ("POST", "/api/v1/conversations/{conversation_id}/messages"): lambda _: {
        "body": "Customer sent the TXID, checking the deposit.",
        "kind": "note",
    },
    ("POST", "/logout"): lambda _: {},
    ("POST", "/account/tokens"): lambda _: {"name": "matrix console"},
    ("POST", "/account/tokens/{token_id}/revoke"): lambda _: {},
    ("POST", "/conversations/{conversation_id}/messages"): lambda _: {
        "body": "Olá João, estamos a verificar o seu depósito.",
        "kind": "agent",
    },
    ("POST", "/conversations/{conversation_id}/status"): lambda _: {"status": "pending"},
    ("POST", "/conversations/{conversation_id}/assign"): lambda _: {"assignee": "me"},
    ("PUT", "/api/v1/presence"): lambda _: {"status": "online"},
    ("POST", "/api/v1/presence/heartbeat"): lambda _: {"active": True},
    ("POST", "/api/v1/presence/end-shift"): lambda _: {},
}
SAMPLE_BODIES.update(CASES_SAMPLE_BODIES)
SAMPLE_BODIES.update(SLA_SAMPLE_BODIES)
SAMPLE_BODIES.update(ROUTING_SAMPLE_BODIES)

# Routes that delete the row they point at get a row of their own, made just before the call, so the
# routes called after them still find theirs.
FRESH_TARGETS: dict[RouteKey, Callable[[Session], dict[str, int]]] = dict(SLA_FRESH_TARGETS)

# Ends the session the rest of a role's requests ride on, so it is called last.
LOGOUT: RouteKey = ("POST", "/logout")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    permissions: frozenset[Permission]  # empty: the route calls no require(...)

    @property
    def key(self) -> RouteKey:
        return (self.method, self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def changes_state(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _permissions_required(dependant: Dependant) -> set[Permission]:
    found = {permission} if (permission := permission_of(dependant.call)) is not None else set()
    for sub_dependant in dependant.dependencies:
        found |= _permissions_required(sub_dependant)
    return found


def app_endpoints(app: FastAPI) -> list[Endpoint]:
    """Every method and path the app serves, with the permissions its dependencies require.

    Since FastAPI 0.137 ``app.routes`` holds one opaque entry per ``include_router``, so a plain loop
    over it would see almost no endpoint; ``iter_route_contexts`` resolves them with their prefixes.
    """
    endpoints: list[Endpoint] = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        if isinstance(original, Mount) and isinstance(original.app, StaticFiles):
            continue
        dependant = getattr(route, "dependant", None)
        permissions = frozenset(_permissions_required(dependant)) if dependant is not None else frozenset()
        # A route without methods (another Mount, say) cannot be checked here: "*" makes it fail as unguarded.
        methods = set(route.methods or {"*"})
        if "GET" in methods:
            methods.discard("HEAD")
        endpoints.extend(Endpoint(method, str(route.path), permissions) for method in sorted(methods))
    return endpoints


def guarded_endpoints(app: FastAPI) -> list[Endpoint]:
    guarded = [endpoint for endpoint in app_endpoints(app) if endpoint.permissions]
    return sorted(guarded, key=lambda endpoint: endpoint.key == LOGOUT)


def _path_parameters(path: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(path) if name}


@pytest.fixture
def console(app: FastAPI) -> Iterator[TestClient]:
    """A browser: cookies, forms, no redirects followed; a 500 comes back as a response to report."""
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as browser:
        yield browser


@pytest.fixture
def integration(app: FastAPI) -> Iterator[TestClient]:
    """An API client that never holds a session cookie: only its bearer header authenticates it."""
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as api_client:
        yield api_client


@pytest.fixture
def targets_for(db: Session, chat_with_joao: Conversation) -> Callable[[Agent, Agent], Targets]:
    def make(actor: Agent, colleague: Agent) -> Targets:
        spare_token, _ = create_api_token(db, agent_id=actor.id, name="spare, revoked by the matrix")
        customer_message = post_message(
            db, conversation_id=chat_with_joao.id, author_kind=AuthorKind.CUSTOMER, body="Still waiting."
        ).message
        other = open_conversation(
            db, customer_id=chat_with_joao.customer_id, channel="email", subject="Same deposit"
        )
        cases = case_targets(db, actor=actor, conversation_id=chat_with_joao.id)
        sla = sla_targets(db)
        db.commit()
        return Targets(
            customer_id=chat_with_joao.customer_id,
            conversation_id=chat_with_joao.id,
            agent_id=colleague.id,
            token_id=spare_token.id,
            message_id=customer_message.id,
            other_conversation_id=other.id,
            **cases,
            **sla,
            actor_id=actor.id,
        )

    return make


def targets_of(endpoint: Endpoint, targets: Targets, db: Session) -> Targets:
    """``targets``, or for a deleting route a copy pointing at a fresh row of its own, or for a route that
    answers an offer a copy pointing at a chat just offered to the actor."""
    if endpoint.key in OFFER_ROUTES:
        offered = offered_chat(db, agent_id=targets.actor_id, customer_id=targets.customer_id)
        fresh = replace(targets, conversation_id=offered)
        db.commit()
        return fresh
    make = FRESH_TARGETS.get(endpoint.key)
    if make is None:
        return targets
    fresh = replace(targets, **make(db))
    db.commit()
    return fresh


def send(
    endpoint: Endpoint,
    targets: Targets,
    *,
    console: TestClient,
    integration: TestClient,
    bearer: dict[str, str] | None,
) -> httpx.Response:
    """Call ``endpoint`` as a browser (console pages) or as an integration (/api), with a valid body."""
    url = targets.url(endpoint.path)
    body = SAMPLE_BODIES[endpoint.key](targets) if endpoint.changes_state else None
    if endpoint.is_api:
        return integration.request(endpoint.method, url, json=body, headers=bearer, follow_redirects=False)
    form = {**(body or {}), "csrf_token": csrf(console)} if endpoint.changes_state else None
    return console.request(endpoint.method, url, data=form, follow_redirects=False)


def _describe(endpoint: Endpoint, response: httpx.Response, expected: str) -> str:
    return f"{endpoint}: expected {expected}, got {response.status_code} {response.text[:300]!r}"


class TestRouteTable:
    def test_every_route_is_either_listed_as_public_or_guarded_by_require(self, app: FastAPI) -> None:
        unguarded = {endpoint.key for endpoint in app_endpoints(app) if not endpoint.permissions}
        assert unguarded - PUBLIC_ROUTES == set(), "add require(...) or list the route in PUBLIC_ROUTES"

    def test_the_public_table_lists_only_routes_that_exist_unguarded(self, app: FastAPI) -> None:
        unguarded = {endpoint.key for endpoint in app_endpoints(app) if not endpoint.permissions}
        assert PUBLIC_ROUTES - unguarded == set()

    def test_routes_inside_included_routers_are_seen_with_their_prefix(self, app: FastAPI) -> None:
        keys = {endpoint.key for endpoint in app_endpoints(app)}
        assert {("GET", "/api/v1/me"), ("GET", "/inbox"), ("POST", "/logout")} <= keys

    def test_every_state_changing_guarded_route_has_a_sample_body(self, app: FastAPI) -> None:
        state_changing = {endpoint.key for endpoint in guarded_endpoints(app) if endpoint.changes_state}
        assert state_changing - SAMPLE_BODIES.keys() == set(), "add a valid body to SAMPLE_BODIES"
        assert SAMPLE_BODIES.keys() - state_changing == set(), "SAMPLE_BODIES names a route that is gone"

    def test_every_path_parameter_has_a_real_row_to_point_at(self, app: FastAPI) -> None:
        known = set(Targets.__dataclass_fields__)
        unknown = {
            f"{endpoint}: {name}"
            for endpoint in app_endpoints(app)
            for name in _path_parameters(endpoint.path) - known
        }
        assert unknown == set(), "add the parameter to Targets"


class TestRolePermissions:
    def test_every_role_has_an_entry_in_the_permission_table(self) -> None:
        assert set(ROLE_PERMISSIONS) == set(Role)

    def test_an_admin_holds_every_permission(self) -> None:
        assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)


class TestMatrix:
    @pytest.mark.parametrize("role", list(Role), ids=str)
    def test_a_role_is_let_through_exactly_where_its_permissions_allow(
        self,
        role: Role,
        app: FastAPI,
        console: TestClient,
        integration: TestClient,
        make_agent: Callable[..., Agent],
        api_as: Callable[[Agent], dict[str, str]],
        targets_for: Callable[[Agent, Agent], Targets],
        db: Session,
    ) -> None:
        actor = make_agent(name=f"Matrix {role.value}", roles=[role.value])
        targets = targets_for(actor, make_agent(name="Colleague", roles=["agent_l1"]))
        assert login(console, actor).status_code == 303
        bearer = api_as(actor)
        granted = ROLE_PERMISSIONS[role]
        mismatches = []
        for endpoint in guarded_endpoints(app):
            ids = targets_of(endpoint, targets, db)
            response = send(endpoint, ids, console=console, integration=integration, bearer=bearer)
            if endpoint.permissions <= granted and not response.status_code < 400:
                mismatches.append(_describe(endpoint, response, "success (2xx/3xx)"))
            elif not endpoint.permissions <= granted and response.status_code != 403:
                mismatches.append(_describe(endpoint, response, "403"))
        assert not mismatches, "\n".join(mismatches)

    def test_an_anonymous_visitor_is_sent_to_log_in_or_refused(
        self,
        app: FastAPI,
        console: TestClient,
        integration: TestClient,
        make_agent: Callable[..., Agent],
        targets_for: Callable[[Agent, Agent], Targets],
        db: Session,
    ) -> None:
        someone = make_agent(name="Someone Else")
        targets = targets_for(someone, someone)
        mismatches = []
        for endpoint in guarded_endpoints(app):
            ids = targets_of(endpoint, targets, db)
            url = ids.url(endpoint.path)
            response = send(endpoint, ids, console=console, integration=integration, bearer=None)
            if endpoint.is_api:
                if response.status_code != 401 or response.json()["error"]["code"] != "not_authenticated":
                    mismatches.append(_describe(endpoint, response, "401 not_authenticated"))
            elif not endpoint.changes_state:
                if response.status_code != 303 or response.headers["location"] != f"/login?next={quote(url)}":
                    mismatches.append(_describe(endpoint, response, f"303 to /login?next={url}"))
            elif response.status_code != 401:
                # A form post cannot be replayed after logging in, so it is refused rather than redirected.
                mismatches.append(_describe(endpoint, response, "401"))
        assert not mismatches, "\n".join(mismatches)

    def test_the_public_pages_answer_an_anonymous_visitor(self, app: FastAPI, console: TestClient) -> None:
        for method, path in sorted(PUBLIC_ROUTES - {("POST", "/login")} - CHAT_PUBLIC_ROUTES):
            response = console.request(method, path, follow_redirects=False)
            assert response.status_code < 400, f"{method} {path}: {response.status_code}"
